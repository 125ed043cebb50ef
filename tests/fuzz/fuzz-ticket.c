/* fuzz-ticket.c — the ticket layout from arbitrary board strings: office,
 * service names, label (prefix + number), counters, footers and QR of any
 * length and script (invalid UTF-8 included), at any printer width. Every
 * input gets a raster of that width, or NULL with a message; the number's
 * box lies on the ticket. Fields are cut at 159 bytes, as board.conf
 * keeps them. One layout serves every input, as the printer worker keeps
 * one for all its tickets (its caches are fuzzed too, and pango's font
 * set-up is paid once per process, not per input); the gcc replay also
 * draws each input alone with mc_ticket_render and checks that both
 * tickets are the same dot for dot. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raster.h"
#include "ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mc_ticket_layout *lay;

static void cleanup(void)
{
	mc_ticket_layout_free(lay);
}

#ifdef MC_FUZZ_REPLAY
static bool same(const struct mc_raster *a, const struct mc_raster *b)
{
	if (!a || !b)
		return a == b;
	if (a->width != b->width || a->height != b->height || a->stride != b->stride)
		return false;
	return !memcmp(a->bits, b->bits, (size_t)a->stride * (size_t)a->height);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Fields are separated by 0xff bytes (never valid UTF-8): office,
	 * service, service_en, label, counters, footer, footer_en, qr, banner. */
	char *copy = malloc(size + 1), *f[9] = { 0 };
	int nf = 0;

	if (!copy || size < 2) {
		free(copy);
		return 0;
	}
	int width = 64 + (data[0] | data[1] << 8) % 1024;
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = 0;
	f[nf++] = copy;
	for (char *p = copy; *p && nf < 9; p++)
		if ((unsigned char)*p == 0xff) {
			*p = 0;
			f[nf++] = p + 1;
		}
	/* board.conf keeps at most 159 bytes of a string (MC_TEXT). */
	for (int i = 0; i < nf; i++)
		if (strlen(f[i]) > 159)
			f[i][159] = 0;
	setenv("TZ", "Asia/Ho_Chi_Minh", 0);
	struct mc_ticket_print t = {
		.office = f[0], .service = f[1], .service_en = f[2], .label = f[3],
		.priority = size & 1, .issued_wall_ms = 1767225600000LL + (int64_t)size * 60000,
		.ahead = (int)(size % 7) - 1, .est_wait_min = (int)(size % 300) - 1,
		.counters = f[4], .footer = f[5], .footer_en = f[6], .qr = f[7], .banner = f[8],
	};
	struct mc_ticket_box box;
	char err[256] = "";
	if (!lay) {
		lay = mc_ticket_layout_new();
		if (!lay)
			abort();
		atexit(cleanup);
	}
	struct mc_raster *r = mc_ticket_layout_render(lay, &t, width, &box, err, sizeof(err));
#ifdef MC_FUZZ_REPLAY
	char err1[256] = "";
	struct mc_raster *alone = mc_ticket_render(&t, width, NULL, err1, sizeof(err1));
	if (!same(r, alone)) {
		fprintf(stderr, "the layout's ticket differs from the one drawn alone\n");
		abort();
	}
	mc_raster_free(alone);
#endif
	if (r) {
		if (r->width != width || r->height < 1 || box.x < 0 || box.y < 0 ||
		    box.x + box.w > r->width || box.y + box.h > r->height) {
			fprintf(stderr, "ticket %dx%d with the number at %d,%d %dx%d\n", r->width,
				r->height, box.x, box.y, box.w, box.h);
			abort();
		}
		mc_raster_free(r);
	} else if (!err[0]) {
		fprintf(stderr, "no ticket and no message\n");
		abort();
	}
	free(copy);
	return 0;
}
