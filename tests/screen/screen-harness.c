/* screen-harness.c — helpers for the screen tests (see screen-harness.h). */
#include "screen-harness.h"
#include "loop.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void harness_event(void *ctx, const struct mc_present_event *ev)
{
	struct harness *h = ctx;

	switch (ev->kind) {
	case MC_PE_PONG: h->pong = ev->token; break;
	case MC_PE_SCREENSHOT:
		h->shot = ev->token;
		h->shot_ok = ev->ok;
		snprintf(h->shot_err, sizeof(h->shot_err), "%s", ev->text);
		break;
	case MC_PE_REQUEST:
		if (h->nreqs < 32)
			h->reqs[h->nreqs++] = ev->req;
		break;
	case MC_PE_FRAME: h->frames++; break;
	case MC_PE_QUIT: break;
	}
}

static uint64_t next_token = 1;

/* A hang guard of ms milliseconds, times MC_TEST_TIMEOUT_SCALE (ctest sets
 * it: 20 under qemu-user). The waits below end on their event; the guard
 * only ends one that would never come. */
static int64_t guard_end(int64_t ms)
{
	const char *s = getenv("MC_TEST_TIMEOUT_SCALE");
	long k = s ? strtol(s, NULL, 10) : 1;

	return mc_mono_ms() + ms * (k > 0 ? k : 1);
}

int harness_sync(struct harness *h, struct mc_present *p)
{
	uint64_t t = next_token++;
	int64_t end = guard_end(30000);

	if (mc_present_ping(p, t) < 0)
		return -1;
	while (h->pong != t && mc_mono_ms() < end)
		mc_loop_run_once(h->loop, 100);
	return h->pong == t ? 0 : -1;
}

int harness_shot(struct harness *h, struct mc_present *p, bool hall, const char *path)
{
	uint64_t t = next_token++;
	int64_t end = guard_end(30000);

	if (mc_present_screenshot(p, hall, path, t) < 0)
		return -1;
	while (h->shot != t && mc_mono_ms() < end)
		mc_loop_run_once(h->loop, 100);
	if (h->shot != t || !h->shot_ok) {
		fprintf(stderr, "screenshot %s failed: %s\n", path, h->shot_err);
		return -1;
	}
	return 0;
}

int harness_until(struct harness *h, bool (*pred)(void *ctx), void *ctx, int timeout_ms)
{
	int64_t end = guard_end(timeout_ms);

	while (!pred(ctx)) {
		if (mc_mono_ms() >= end)
			return -1;
		mc_loop_run_once(h->loop, 20);
	}
	return 0;
}

double image_diff(const char *a, const char *b, char *msg, size_t len)
{
	cairo_surface_t *sa = cairo_image_surface_create_from_png(a);
	cairo_surface_t *sb = cairo_image_surface_create_from_png(b);
	double res = -1;

	if (cairo_surface_status(sa) || cairo_surface_status(sb)) {
		snprintf(msg, len, "cannot read %s", cairo_surface_status(sa) ? a : b);
		goto out;
	}
	int w = cairo_image_surface_get_width(sa), hgt = cairo_image_surface_get_height(sa);
	if (w != cairo_image_surface_get_width(sb) || hgt != cairo_image_surface_get_height(sb)) {
		snprintf(msg, len, "sizes differ: %dx%d and %dx%d", w, hgt, cairo_image_surface_get_width(sb),
			 cairo_image_surface_get_height(sb));
		goto out;
	}
	cairo_surface_flush(sa);
	cairo_surface_flush(sb);
	const unsigned char *pa = cairo_image_surface_get_data(sa), *pb = cairo_image_surface_get_data(sb);
	int stride_a = cairo_image_surface_get_stride(sa), stride_b = cairo_image_surface_get_stride(sb);
	long bad = 0;
	for (int y = 0; y < hgt; y++) {
		const uint32_t *ra = (const uint32_t *)(const void *)(pa + (long)y * stride_a);
		const uint32_t *rb = (const uint32_t *)(const void *)(pb + (long)y * stride_b);
		for (int x = 0; x < w; x++) {
			for (int sh = 0; sh < 24; sh += 8) {
				int d = (int)((ra[x] >> sh) & 0xff) - (int)((rb[x] >> sh) & 0xff);
				if (d > 48 || d < -48) {
					bad++;
					break;
				}
			}
		}
	}
	res = (double)bad / ((double)w * hgt);
	snprintf(msg, len, "%ld of %d pixels differ (%.3f %%)", bad, w * hgt, res * 100);
out:
	cairo_surface_destroy(sa);
	cairo_surface_destroy(sb);
	return res;
}
