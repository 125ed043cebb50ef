/* test-printer-io.c — tickets through real transports to the virtual
 * printer (tools/vprinter/vprinter.py), and read back:
 *
 *   roundtrip  render → encode → tcp → vprinter decode: pixels and bytes equal
 *   cups       the same through a private cupsd (raw queue, socket:// backend)
 *   ocr        tesseract (vie) reads the service name and the number back
 *
 * Usage: test-printer-io MODE PYTHON3 VPRINTER.PY */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "printer.h"
#include "ticket.h"

static const char *python, *vprinter_py;

/* A running virtual printer. */
struct vp {
	pid_t pid;
	int port, ctl_port;
	char dir[256];
};

static char tmpdir[256];
static pid_t children[8];  /* killed at the end even if a test failed */
static int nchildren;

static void vp_start(struct vp *v, const char *dir)
{
	int pipefd[2];
	char line[64];

	snprintf(v->dir, sizeof(v->dir), "%s", dir);
	assert_int_equal(pipe(pipefd), 0);
	v->pid = fork();
	assert_true(v->pid >= 0);
	if (v->pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl(python, python, vprinter_py, "--out", dir, (char *)NULL);
		_exit(127);
	}
	children[nchildren++] = v->pid;
	close(pipefd[1]);
	FILE *f = fdopen(pipefd[0], "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_int_equal(sscanf(line, "%d %d", &v->port, &v->ctl_port), 2);
}

/* Sends one control command; returns the number after "ok" (or 0). */
static long vp_cmd(struct vp *v, const char *cmd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)v->ctl_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[128] = "";
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	long n = 0;

	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd));
	assert_true(write(fd, "\n", 1) == 1);
	ssize_t got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(got > 2);
	buf[got] = 0;
	assert_memory_equal(buf, "ok", 2);
	sscanf(buf + 2, "%ld", &n);
	return n;
}

static void vp_stop(struct vp *v)
{
	kill(v->pid, SIGTERM);
	waitpid(v->pid, NULL, 0);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_true(fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct mc_ticket_print sample(void)
{
	return (struct mc_ticket_print){
		.office = "UBND phường Bách Khoa", .service = "Tư pháp – Hộ tịch",
		.service_en = "Justice – Civil status", .label = "1023", .priority = true,
		.issued_wall_ms = 1764048600000, .ahead = 3, .est_wait_min = 15, .counters = "1, 2",
		.footer = "Xin cảm ơn quý công dân!", .footer_en = "Thank you!",
		.qr = "https://dichvucong.gov.vn/",
	};
}

/* Renders and encodes a ticket. */
static struct mc_raster *make_job(int width, struct mc_escpos_buf *b, struct mc_ticket_box *box)
{
	struct mc_ticket_print t = sample();
	char err[256];
	struct mc_raster *r = mc_ticket_render(&t, width, box, err, sizeof(err));
	struct mc_escpos_job_opts o = { .feed_lines = 4, .realtime_off = true };

	assert_non_null(r);
	struct mc_escpos_image img = mc_raster_image(r);
	assert_int_equal(mc_escpos_job(b, &img, &o), 0);
	return r;
}

/* Checks bytes against the ESC/POS manual, written out here by hand (not
 * by the encoder): ESC @ (1B 40) initialise; GS ( D (1D 28 44 05 00 14 01
 * 00 02 00) real-time commands off; then GS v 0 m=0 (1D 76 30 00) with xL
 * xH yL yH and x*y bytes of rows, MSB the leftmost dot, until every row of
 * r is sent; ESC d 4 (1B 64 04) feed four lines; GS V 66 0 (1D 56 42 00)
 * feed and partial cut. */
static void check_manual_bytes(const uint8_t *p, size_t len, const struct mc_raster *r)
{
	static const uint8_t head[] = { 0x1b, 0x40, 0x1d, 0x28, 0x44, 0x05, 0x00, 0x14, 0x01, 0x00, 0x02, 0x00 };
	static const uint8_t tail[] = { 0x1b, 0x64, 0x04, 0x1d, 0x56, 0x42, 0x00 };
	size_t i = sizeof(head);
	int rows = 0;

	assert_true(len > sizeof(head) + sizeof(tail));
	assert_memory_equal(p, head, sizeof(head));
	while (i < len - sizeof(tail)) {
		assert_true(i + 8 <= len - sizeof(tail));
		assert_memory_equal(p + i, ((const uint8_t[]){ 0x1d, 0x76, 0x30, 0x00 }), 4);
		int x = p[i + 4] | p[i + 5] << 8, y = p[i + 6] | p[i + 7] << 8;
		assert_int_equal(x, (r->width + 7) / 8);
		assert_true(y >= 1 && rows + y <= r->height);
		for (int row = 0; row < y; row++)
			assert_memory_equal(p + i + 8 + (size_t)row * (size_t)x,
					    r->bits + (size_t)(rows + row) * (size_t)r->stride, (size_t)x);
		rows += y;
		i += 8 + (size_t)x * (size_t)y;
	}
	assert_int_equal(rows, r->height);
	assert_int_equal(i, len - sizeof(tail));
	assert_memory_equal(p + i, tail, sizeof(tail));
}

/* Checks that vprinter's ticket n has exactly r's pixels and b's bytes, and
 * that those bytes say what the manual says they must. */
static void check_ticket(struct vp *v, int n, const struct mc_raster *r, const struct mc_escpos_buf *b)
{
	char path[512], err[256];
	size_t len;

	snprintf(path, sizeof(path), "%s/ticket-%04d.png", v->dir, n);
	struct mc_raster *got = mc_raster_read_png(path, err, sizeof(err));
	assert_non_null(got);
	assert_int_equal(got->width, r->width);
	assert_int_equal(got->height, r->height);
	assert_memory_equal(got->bits, r->bits, (size_t)r->stride * (size_t)r->height);
	mc_raster_free(got);
	snprintf(path, sizeof(path), "%s/ticket-%04d.bin", v->dir, n);
	uint8_t *bytes = read_file(path, &len);
	assert_int_equal(len, b->len);
	assert_memory_equal(bytes, b->data, len);
	check_manual_bytes(bytes, len, r);
	free(bytes);
}

static void test_roundtrip(void **state)
{
	struct vp v;
	char dir[300], uri[64], err[256];
	const int widths[] = { 576, 384, 512 };

	snprintf(dir, sizeof(dir), "%s/vp", tmpdir);
	vp_start(&v, dir);
	snprintf(uri, sizeof(uri), "tcp:127.0.0.1:%d", v.port);
	struct mc_printer_options o = { .timeout_ms = 2000 };
	struct mc_printer *p = mc_printer_open(uri, &o, err, sizeof(err));
	assert_non_null(p);
	for (int i = 0; i < 3; i++) {
		struct mc_escpos_buf b = { 0 };
		struct mc_raster *r = make_job(widths[i], &b, NULL);
		enum mc_escpos_state st;
		size_t sent;
		assert_int_equal(mc_printer_print(p, b.data, b.len, r, &st, &sent, err, sizeof(err)), 0);
		assert_int_equal(st, MC_ESCPOS_READY);
		assert_int_equal(sent, b.len);
		assert_int_equal(vp_cmd(&v, "wait 99 0"), i + 1);
		check_ticket(&v, i + 1, r, &b);
		mc_raster_free(r);
		mc_escpos_buf_free(&b);
	}
	/* Near end is reported and still prints. */
	vp_cmd(&v, "state near_end");
	enum mc_escpos_state st;
	assert_int_equal(mc_printer_status(p, &st, err, sizeof(err)), 0);
	assert_int_equal(st, MC_ESCPOS_NEAR_END);
	mc_printer_close(p);
	vp_stop(&v);
}

/* ---- CUPS ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_cups(void **state)
{
	char d[300], path[512], text[4096], sock[400], cmd[1024], err[256];
	struct vp v;
	pid_t cupsd;

	snprintf(d, sizeof(d), "%s/cups", tmpdir);
	mkdir(d, 0755);
	chmod(tmpdir, 0755);
	const char *subs[] = { "spool", "tmp", "cache", "state", "log", "ppd" };
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d, subs[i]);
		mkdir(path, 0755);
	}
	snprintf(sock, sizeof(sock), "%s/cups.sock", d);
	snprintf(text, sizeof(text),
		 "LogLevel info\nListen %s\nBrowsing Off\nWebInterface No\n"
		 "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
		 "<Policy default>\n  <Limit All>\n    Order deny,allow\n    Allow all\n  </Limit>\n</Policy>\n",
		 sock);
	snprintf(path, sizeof(path), "%s/cupsd.conf", d);
	write_text(path, text);
	snprintf(text, sizeof(text),
		 "ServerRoot %s\nRequestRoot %s/spool\nTempDir %s/tmp\nCacheDir %s/cache\n"
		 "StateDir %s/state\nErrorLog %s/log/error_log\nAccessLog %s/log/access_log\n"
		 "PageLog %s/log/page_log\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\nFileDevice Yes\n",
		 d, d, d, d, d, d, d, d);
	snprintf(path, sizeof(path), "%s/cups-files.conf", d);
	write_text(path, text);

	cupsd = fork();
	assert_true(cupsd >= 0);
	if (cupsd == 0) {
		char c[512], s[512];
		snprintf(c, sizeof(c), "%s/cupsd.conf", d);
		snprintf(s, sizeof(s), "%s/cups-files.conf", d);
		execlp("cupsd", "cupsd", "-f", "-c", c, "-s", s, (char *)NULL);
		_exit(127);
	}
	children[nchildren++] = cupsd;
	struct stat sb;
	for (int i = 0; i < 100 && stat(sock, &sb) < 0; i++)
		usleep(50000);
	assert_int_equal(stat(sock, &sb), 0);

	snprintf(path, sizeof(path), "%s/vp", d);
	vp_start(&v, path);
	snprintf(cmd, sizeof(cmd),
		 "lpadmin -h %s -p motcua -E -v 'socket://127.0.0.1:%d/?waiteof=false&snmp=false' -m raw 2>/dev/null",
		 sock, v.port);
	assert_int_equal(run(cmd), 0);
	setenv("CUPS_SERVER", sock, 1);

	struct mc_printer_options o = { .timeout_ms = 2000 };
	struct mc_printer *p = mc_printer_open("cups:motcua", &o, err, sizeof(err));
	assert_non_null(p);
	enum mc_escpos_state st;
	assert_int_equal(mc_printer_status(p, &st, err, sizeof(err)), 0);
	assert_int_equal(st, MC_ESCPOS_READY);

	struct mc_escpos_buf b = { 0 };
	struct mc_raster *r = make_job(576, &b, NULL);
	size_t sent;
	int rc = mc_printer_print(p, b.data, b.len, r, &st, &sent, err, sizeof(err));
	if (rc)
		fprintf(stderr, "cups print: %s\n", err);
	assert_int_equal(rc, 0);      /* the job was followed to "completed" */
	assert_int_equal(sent, b.len);
	assert_int_equal(vp_cmd(&v, "wait 1 20"), 1);
	check_ticket(&v, 1, r, &b);   /* the very bytes, unfiltered */

	/* A queue that does not exist is a clear error. */
	struct mc_printer *q = mc_printer_open("cups:nosuchqueue", &o, err, sizeof(err));
	assert_non_null(q);
	assert_int_equal(mc_printer_status(q, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nosuchqueue"));
	mc_printer_close(q);

	mc_raster_free(r);
	mc_escpos_buf_free(&b);
	mc_printer_close(p);
	vp_stop(&v);
	kill(cupsd, SIGTERM);
	waitpid(cupsd, NULL, 0);
}

/* ---- OCR ---- */

/* Runs tesseract on png with args; returns its text (caller frees). */
static char *ocr(const char *png, const char *args)
{
	char cmd[1024], out[512];
	size_t len;

	snprintf(out, sizeof(out), "%s/ocr", tmpdir);
	snprintf(cmd, sizeof(cmd), "tesseract '%s' '%s' -l vie %s >/dev/null 2>&1", png, out, args);
	assert_int_equal(run(cmd), 0);
	strcat(out, ".txt");
	char *text = (char *)read_file(out, &len);
	text[len] = 0;
	/* tesseract reads "–" as "-": normalise dashes. */
	for (char *p; (p = strstr(text, "–"));)
		memmove(p + 1, p + 3, strlen(p + 3) + 1), *p = '-';
	return text;
}

static void test_ocr(void **state)
{
	struct vp v;
	char dir[300], uri[64], err[256], path[512];
	struct mc_ticket_box box;

	snprintf(dir, sizeof(dir), "%s/vp", tmpdir);
	vp_start(&v, dir);
	snprintf(uri, sizeof(uri), "tcp:127.0.0.1:%d", v.port);
	struct mc_printer_options o = { .timeout_ms = 2000 };
	struct mc_printer *p = mc_printer_open(uri, &o, err, sizeof(err));
	struct mc_escpos_buf b = { 0 };
	struct mc_raster *r = make_job(576, &b, &box);
	enum mc_escpos_state st;
	size_t sent;
	assert_int_equal(mc_printer_print(p, b.data, b.len, r, &st, &sent, err, sizeof(err)), 0);
	assert_int_equal(vp_cmd(&v, "wait 1 10"), 1);

	/* The whole ticket as the printer decoded it. */
	snprintf(path, sizeof(path), "%s/ticket-0001.png", dir);
	char *text = ocr(path, "");
	if (!strstr(text, "Tư pháp - Hộ tịch"))
		fprintf(stderr, "OCR read:\n%s\n", text);
	assert_non_null(strstr(text, "Tư pháp - Hộ tịch"));
	assert_non_null(strstr(text, "phường Bách Khoa"));
	free(text);

	/* The big number, cropped from the decoded ticket, one line. */
	struct mc_raster *got = mc_raster_read_png(path, err, sizeof(err));
	assert_non_null(got);
	int pad = 20;
	struct mc_raster *crop = mc_raster_new(box.w + 2 * pad, box.h + 2 * pad);
	for (int y = 0; y < box.h; y++)
		for (int x = 0; x < box.w; x++)
			mc_raster_set(crop, x + pad, y + pad, mc_raster_get(got, box.x + x, box.y + y));
	snprintf(path, sizeof(path), "%s/number.png", tmpdir);
	assert_int_equal(mc_raster_write_png(crop, path, err, sizeof(err)), 0);
	text = ocr(path, "--psm 7");
	if (!strstr(text, "1023"))
		fprintf(stderr, "OCR read the number as: %s\n", text);
	assert_non_null(strstr(text, "1023"));
	free(text);
	mc_raster_free(crop);
	mc_raster_free(got);
	mc_raster_free(r);
	mc_escpos_buf_free(&b);
	mc_printer_close(p);
	vp_stop(&v);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test-printer-io roundtrip|cups|ocr PYTHON3 VPRINTER.PY\n");
		return 2;
	}
	python = argv[2];
	vprinter_py = argv[3];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mc-printer-io-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest roundtrip[] = { cmocka_unit_test(test_roundtrip) };
	const struct CMUnitTest cups[] = { cmocka_unit_test(test_cups) };
	const struct CMUnitTest ocrs[] = { cmocka_unit_test(test_ocr) };
	int rc;
	if (!strcmp(argv[1], "roundtrip"))
		rc = cmocka_run_group_tests(roundtrip, NULL, NULL);
	else if (!strcmp(argv[1], "cups"))
		rc = cmocka_run_group_tests(cups, NULL, NULL);
	else
		rc = cmocka_run_group_tests(ocrs, NULL, NULL);
	for (int i = 0; i < nchildren; i++)
		if (waitpid(children[i], NULL, WNOHANG) == 0) {
			kill(children[i], SIGTERM);
			waitpid(children[i], NULL, 0);
		}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
