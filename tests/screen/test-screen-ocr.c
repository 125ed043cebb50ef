/* test-screen-ocr.c — an independent reader checks the home screen: the
 * screen of a real app (offscreen SDL, a 1080×1920 portrait panel: one
 * column of buttons, so reading order is the buttons' order) is read back, turned into dark text
 * on a light ground (grey, inverted and thresholded: the buttons are
 * white on blue), and
 * tesseract with its Vietnamese model must find every service name of
 * board.conf with all its tone marks.
 *
 * Usage: test-screen-ocr WORKDIR */
#include "app-screen.h"
#include "app.h"
#include "i18n.h"
#include "loop.h"
#include "present.h"
#include "screen-harness.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const names[] = {
	"Tư pháp – Hộ tịch",
	"Đất đai – Xây dựng",
	"Đăng ký kinh doanh",
	"Lao động – Thương binh và Xã hội",
	"Chứng thực bản sao",
	"Văn hóa – Thể thao",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Grey and inverted, in place. */
static int invert_png(const char *in, const char *out)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(in);
	if (cairo_surface_status(s))
		return -1;
	cairo_surface_flush(s);
	unsigned char *d = cairo_image_surface_get_data(s);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	int stride = cairo_image_surface_get_stride(s);
	for (int y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(void *)(d + (long)y * stride);
		for (int x = 0; x < w; x++) {
			uint32_t p = row[x];
			unsigned lum = (((p >> 16) & 0xff) * 299 + ((p >> 8) & 0xff) * 587 + (p & 0xff) * 114) / 1000;
			unsigned v = 255 - lum < 100 ? 0 : 255;
			row[x] = 0xff000000u | v << 16 | v << 8 | v;
		}
	}
	cairo_surface_mark_dirty(s);
	int rc = cairo_surface_write_to_png(s, out) == CAIRO_STATUS_SUCCESS ? 0 : -1;
	cairo_surface_destroy(s);
	return rc;
}

/* Replaces en and em dashes by '-', and runs of spaces and newlines by one space. */
static void normalise(const char *in, char *out, size_t len)
{
	size_t o = 0;
	bool space = false;

	for (const char *p = in; *p && o + 2 < len; p++) {
		if (!strncmp(p, "–", strlen("–")) || !strncmp(p, "—", strlen("—"))) {
			p += strlen("–") - 1;
			out[o++] = '-';
			space = false;
			continue;
		}
		if (*p == ' ' || *p == '\n' || *p == '\t') {
			if (!space && o)
				out[o++] = ' ';
			space = true;
			continue;
		}
		space = false;
		out[o++] = *p;
	}
	out[o] = 0;
}

int main(int argc, char **argv)
{
	char dir[512], board[600], sock[600], err[512], shot[600], inv[600], cmd[1400];
	static char text[65536], norm[65536];
	struct harness h = { 0 };
	int code, failures = 0;

	mc_i18n_prepare_env(); /* before any thread */
	if (argc != 2) {
		fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
		return 2;
	}
	mkdir(argv[1], 0755);
	snprintf(dir, sizeof(dir), "%s/ocr-XXXXXX", argv[1]);
	if (!mkdtemp(dir))
		return 1;
	snprintf(board, sizeof(board), "%s/board.conf", dir);
	FILE *fp = fopen(board, "w");
	fprintf(fp, "[office]\nclock = trust\nname = UBND phường Bách Khoa\nhours = mon-sun 00:00-24:00\n\n");
	for (size_t i = 0; i < NNAMES; i++)
		fprintf(fp, "[service.s%zu]\nname = %s\nnumbers = %zu001-%zu999\n\n", i, names[i], i + 1, i + 1);
	fprintf(fp, "[counter.1]\nservices = s0, s1, s2, s3, s4, s5\n\n[screen]\nwidth = 1080\nheight = 1920\n");
	fclose(fp);
	snprintf(sock, sizeof(sock), "%s/k.sock", dir);
	struct mc_app_options ao = { .board = board, .state_dir = dir, .socket = sock, .sim = true };
	struct mc_app *app = mc_app_new(&ao, err, sizeof(err), &code);
	if (!app) {
		fprintf(stderr, "FAIL: app: %s\n", err);
		return 1;
	}
	struct mc_app_screen_options so = { .driver = "offscreen",
					    .observe = harness_event, .observe_ctx = &h };
	struct mc_app_screen *scr = mc_app_add_screen(app, &so, err, sizeof(err));
	if (!scr) {
		fprintf(stderr, "FAIL: screen: %s\n", err);
		mc_app_free(app);
		return 1;
	}
	h.loop = mc_app_loop(app);
	harness_sync(&h, mc_app_screen_present(scr));
	snprintf(shot, sizeof(shot), "%s/home.png", dir);
	snprintf(inv, sizeof(inv), "%s/home-inverted.png", dir);
	if (harness_shot(&h, mc_app_screen_present(scr), false, shot) < 0 || invert_png(shot, inv) < 0) {
		fprintf(stderr, "FAIL: no screenshot\n");
		mc_app_free(app);
		return 1;
	}
	mc_app_free(app);

	snprintf(cmd, sizeof(cmd), "tesseract '%s' stdout -l vie 2>/dev/null", inv);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(text, 1, sizeof(text) - 1, p) : 0;
	text[n] = 0;
	if (!p || pclose(p) != 0) {
		fprintf(stderr, "FAIL: tesseract (tesseract-ocr, tesseract-ocr-vie) did not run\n");
		return 1;
	}
	normalise(text, norm, sizeof(norm));
	printf("tesseract read: %s\n", norm);
	for (size_t i = 0; i < NNAMES; i++) {
		char want[256];
		normalise(names[i], want, sizeof(want));
		if (strstr(norm, want)) {
			printf("ok: found \"%s\"\n", want);
		} else {
			fprintf(stderr, "FAIL: \"%s\" not read on the home screen (%s)\n", want, inv);
			failures++;
		}
	}
	return failures ? 1 : 0;
}
