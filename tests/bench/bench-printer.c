/* bench-printer.c — ticket printing figures:
 *
 *   1. render (cairo + pango → 1 bit) + ESC/POS encode time per ticket at
 *      384 and 576 dots: p50 / p99 / max, against encode alone (baseline);
 *   2. bytes per ticket;
 *   3. press → last byte handed to the transport, through the whole kiosk
 *      (engine, SQLite commit, printer worker, tcp transport to a local
 *      sink that answers status like a printer), one press every 100 ms,
 *      against handing the same bytes to the same transport alone,
 *      interleaved with it (A B B A ...).
 *
 * Renders go through one ticket layout, as the printer worker's do.
 * tests/bench/bench-ticket.py has the whole-path figures with a printer in
 * a process of its own.
 *
 * Usage: bench-printer [RENDERS [PRESSES]]   (default 300 and 200) */
#include "app.h"
#include "app-printer.h"
#include "loop.h"

#include "escpos.h"
#include "printer.h"
#include "ticket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void stats(const char *what, int64_t *v, int n, double *p50_out)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp64);
	double p50 = (double)v[n / 2] / 1000.0, p99 = (double)v[(n * 99) / 100] / 1000.0;
	printf("  %-44s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  (n=%d)\n", what, p50, p99,
	       (double)v[n - 1] / 1000.0, n);
	if (p50_out)
		*p50_out = p50;
}

static struct mc_ticket_print sample(int i, char *label)
{
	snprintf(label, 8, "%04d", 1000 + i % 9000);
	return (struct mc_ticket_print){
		.office = "UBND phường Bách Khoa", .service = "Tư pháp – Hộ tịch",
		.service_en = "Justice – Civil status", .label = label, .priority = i % 7 == 0,
		.issued_wall_ms = 1764048600000 + i * 1000LL, .ahead = i % 40, .est_wait_min = i % 90,
		.counters = "1, 2", .footer = "Xin cảm ơn quý công dân!", .footer_en = "Thank you!",
		.qr = "https://dichvucong.gov.vn/",
	};
}

static void bench_render(int width, int n)
{
	int64_t *render = calloc((size_t)n, sizeof(int64_t)), *encode = calloc((size_t)n, sizeof(int64_t));
	size_t bytes_min = SIZE_MAX, bytes_max = 0, bytes_sum = 0;
	struct mc_escpos_buf b = { 0 };
	char err[256], label[8], what[96];
	double p_all, p_enc;
	struct mc_ticket_layout *lay = mc_ticket_layout_new();

	for (int i = 0; i < n; i++) {
		struct mc_ticket_print t = sample(i, label);
		int64_t t0 = now_us();
		struct mc_raster *r = mc_ticket_layout_render(lay, &t, width, NULL, err, sizeof(err));
		struct mc_escpos_image img = mc_raster_image(r);
		struct mc_escpos_job_opts o = { .feed_lines = 4, .realtime_off = true };
		int64_t t1 = now_us();
		mc_escpos_buf_reset(&b);
		mc_escpos_job(&b, &img, &o);
		int64_t t2 = now_us();
		render[i] = t2 - t0;
		encode[i] = t2 - t1;
		bytes_sum += b.len;
		bytes_min = b.len < bytes_min ? b.len : bytes_min;
		bytes_max = b.len > bytes_max ? b.len : bytes_max;
		mc_raster_free(r);
	}
	printf("%d dots (%d mm paper):\n", width, width >= 576 ? 80 : 58);
	snprintf(what, sizeof(what), "render + encode");
	stats(what, render, n, &p_all);
	snprintf(what, sizeof(what), "encode alone (baseline)");
	stats(what, encode, n, &p_enc);
	printf("  render+encode / encode alone (p50):          %.0fx\n", p_all / (p_enc > 0 ? p_enc : 1e-3));
	printf("  bytes per ticket: mean %zu, min %zu, max %zu\n\n", bytes_sum / (size_t)n, bytes_min, bytes_max);
	mc_escpos_buf_free(&b);
	mc_ticket_layout_free(lay);
	free(render);
	free(encode);
}

/* ---- a local "printer": reads everything, answers DLE EOT with 0x12 ---- */

static void *sink(void *arg)
{
	int lfd = *(int *)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return NULL;
		int one = 1;  /* answer at once, as a printer does */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		uint8_t buf[65536];
		int st = 0;  /* bytes of a DLE EOT seen */
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < n; i++) {
				if (st == 0 && buf[i] == 0x10)
					st = 1;
				else if (st == 1 && buf[i] == 0x04)
					st = 2;
				else if (st == 2) {
					uint8_t ok = 0x12;
					if (write(fd, &ok, 1) != 1)
						break;
					st = 0;
				} else
					st = 0;
			}
		close(fd);
	}
}

static int start_sink(int *port)
{
	static int lfd;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	pthread_t th;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4) < 0)
		return -1;
	getsockname(lfd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	pthread_create(&th, NULL, sink, &lfd);
	pthread_detach(th);
	return 0;
}

static json_int_t printer_field(struct mc_app *app, const char *key)
{
	json_t *st = json_object();
	mc_app_status(app, st);
	json_int_t v = json_integer_value(json_object_get(json_object_get(st, "printer"), key));
	json_decref(st);
	return v;
}

static int bench_press(int n)
{
	char dir[] = "/tmp/mc-bench-printer-XXXXXX", board[300], sock[300], err[512], uri[64];
	int port, code;

	if (!mkdtemp(dir) || start_sink(&port) < 0) {
		perror("bench-printer");
		return 1;
	}
	snprintf(board, sizeof(board), "%s/board.conf", dir);
	snprintf(sock, sizeof(sock), "%s/k.sock", dir);
	FILE *f = fopen(board, "w");
	fprintf(f, "[office]\nclock = trust\nname = UBND phường Bách Khoa\ntimezone = Asia/Ho_Chi_Minh\n"
		   "hours = mon-sun 00:00-24:00\ndouble_tap = 0\n\n"
		   "[service.civil]\nname = Tư pháp – Hộ tịch\nname.en = Justice – Civil status\nnumbers = 1-9999\n\n"
		   "[counter.1]\nservices = civil\n\n"
		   "[printer]\ndevice = tcp:127.0.0.1:%d\nwidth = 576\nstatus_interval = 1h\ntimeout = 2s\n"
		   "qr = https://dichvucong.gov.vn/\nfooter = Xin cảm ơn quý công dân!\n", port);
	fclose(f);
	struct mc_app_options opt = { .board = board, .state_dir = dir, .socket = sock };
	struct mc_app *app = mc_app_new(&opt, err, sizeof(err), &code);
	if (!app || mc_app_add_printer(app, err, sizeof(err)) < 0) {
		printf("bench-printer: %s\n", err);
		return 1;
	}
	struct mc_loop *loop = mc_app_loop(app);
	while (printer_field(app, "queued") > 0)  /* the first status check */
		mc_loop_run_once(loop, 100);

	int64_t *lat = calloc((size_t)n, sizeof(int64_t)), *raw = calloc((size_t)n, sizeof(int64_t));
	struct mc_printer_options po = { .timeout_ms = 2000 };
	snprintf(uri, sizeof(uri), "tcp:127.0.0.1:%d", port);
	struct mc_printer *p = mc_printer_open(uri, &po, err, sizeof(err));
	uint8_t *junk = NULL;
	json_int_t bytes = 0;
	int done = 0, nraw = 0;
	int64_t next = now_us();
	/* One press every 100 ms, as a busy hall; the baseline (the same bytes
	 * to the same transport, no kiosk, no drawing) interleaved with it,
	 * first one then the other in turn, so both meet the same machine. */
	for (int i = 0; i < n; i++) {
		struct mc_issue is;
		char src[32];
		snprintf(src, sizeof(src), "bench-%d", i);
		next += 100000;
		for (int half = 0; half < 2; half++) {
			bool kiosk = (half == 0) == (i % 2 == 0);
			if (!kiosk) {
				if (!junk)
					continue;  /* no job size known yet */
				enum mc_escpos_state st;
				size_t sent;
				int64_t t0 = now_us();
				mc_printer_print(p, junk, (size_t)bytes, NULL, &st, &sent, err, sizeof(err));
				raw[nraw++] = now_us() - t0;
				continue;
			}
			json_int_t before = printer_field(app, "printed");
			int64_t t0 = now_us();
			if (mc_app_press(app, 0, false, src, &is) != MC_OK) {
				printf("bench-printer: press %d refused\n", i);
				goto stop;
			}
			while (printer_field(app, "printed") == before && printer_field(app, "failed") == 0)
				mc_loop_run_once(loop, 1000);
			if (printer_field(app, "failed")) {
				printf("bench-printer: a ticket failed to print\n");
				goto stop;
			}
			lat[done++] = printer_field(app, "last_sent_us") - t0;
			if (!junk) {
				bytes = printer_field(app, "last_bytes");
				junk = calloc((size_t)bytes, 1);
			}
		}
		/* Keep the queue short: the clerk calls now and then. */
		if (i % 4 == 3)
			mc_app_counter(app, 1, MC_A_NEXT, 0, NULL);
		while (now_us() < next)
			mc_loop_run_once(loop, (int)((next - now_us()) / 1000) + 1);
	}
stop:
	mc_app_free(app);
	mc_printer_close(p);
	if (!done || !nraw)
		return 1;
	double p_lat, p_raw;
	printf("press → last byte handed to the transport (576 dots, tcp, SQLite FULL sync,\n"
	       "one press every 100 ms, baseline interleaved):\n");
	stats("press → last byte", lat, done, &p_lat);
	stats("same bytes to the same transport (baseline)", raw, nraw, &p_raw);
	printf("  press→last byte / transport alone (p50):      %.1fx\n", p_lat / (p_raw > 0 ? p_raw : 1e-3));
	free(lat);
	free(raw);
	free(junk);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int renders = argc > 1 ? atoi(argv[1]) : 300, presses = argc > 2 ? atoi(argv[2]) : 200;

	if (renders < 10 || presses < 10) {
		fprintf(stderr, "usage: bench-printer [RENDERS>=10 [PRESSES>=10]]\n");
		return 2;
	}
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	signal(SIGPIPE, SIG_IGN);
	printf("bench-printer: ticket render, encode and print\n\n");
	bench_render(384, renders);
	bench_render(576, renders);
	fflush(stdout);
	/* kioskd's log lines (one per ticket) would drown the figures. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	return bench_press(presses);
}
