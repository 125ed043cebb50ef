/* bench-bus.c — counter bus press-to-display latency, end to end: a real
 * kioskd (engine, SQLite store, bus thread, libmodbus) against simulated
 * units on a pty whose bytes are paced at the line's baud rate. For 1, 4
 * and 16 units at 19200 and 115200 baud (8E1) it presses NEXT at a random
 * unit at a random moment of the polling round (kioskd runs in simulator
 * mode, as `tools/dev.sh run` does), times the press until the
 * unit has accepted the write that shows the new number, and prints
 * p50/p99/max beside the bound line math gives for the same line: one
 * round of polls (register 0 of every unit, then the pressed unit's codes)
 * plus one display write, and the ratio. The polling round kioskd measured
 * is printed beside the computed one as a baseline from the same run.
 *
 * Usage: bench-bus [SAMPLES [UNITS]]   (default 100 presses per configuration,
 * every unit count) */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "usim.h"

#define TURNAROUND_US 1000   /* the simulated unit's reply delay */
#define MAX_UNITS 16

/* What the display callback saw, per unit. */
struct seen {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	char text[MAX_UNITS + 1][MC_BUS_TEXT + 1]; /* last text per address */
	int64_t text_us[MAX_UNITS + 1];            /* when it last changed */
};

static void on_display(void *ctx, int addr, const struct mc_bus_display *d)
{
	struct seen *s = ctx;

	if (addr < 1 || addr > MAX_UNITS)
		return;
	pthread_mutex_lock(&s->mu);
	if (strcmp(s->text[addr], d->text)) {
		snprintf(s->text[addr], sizeof(s->text[addr]), "%s", d->text);
		s->text_us[addr] = usim_now_us();
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->mu);
}

/* Waits until unit addr shows a text other than old; returns when (µs) or -1. */
static int64_t wait_text(struct seen *s, int addr, const char *old, int timeout_ms)
{
	int64_t end = usim_now_us() + (int64_t)timeout_ms * 1000, when = -1;
	struct timespec ts = { .tv_sec = end / 1000000, .tv_nsec = (long)(end % 1000000) * 1000 };

	pthread_mutex_lock(&s->mu);
	while (!strcmp(s->text[addr], old))
		if (pthread_cond_timedwait(&s->cond, &s->mu, &ts) == ETIMEDOUT)
			break;
	if (strcmp(s->text[addr], old))
		when = s->text_us[addr];
	pthread_mutex_unlock(&s->mu);
	return when;
}

/* One request on kioskd's control socket; the answer goes to buf. */
static int ctl(const char *sock, const char *req, int count, char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), lines = 0;
	size_t n = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (int i = 0; i < count; i++)
		if (write(fd, req, strlen(req)) < 0)
			break;
	while (lines < count) {
		char tmp[4096];
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			lines += tmp[i] == '\n';
			if (buf && n + 1 < len)
				buf[n++] = tmp[i];
		}
	}
	if (buf)
		buf[n] = 0;
	close(fd);
	return lines == count ? 0 : -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Line time of one request/answer: characters both ways, the 3.5-char gap
 * after each frame, and the unit's turnaround. */
static double txn_us(const struct usim_options *o, int req, int resp)
{
	return (req + resp) * usim_char_us(o) + 2 * usim_t35_us(o) + TURNAROUND_US;
}

/* kioskd's "rounds" figure now, and the monotonic time in ms. */
static long long rounds_now(const char *sock, double *t_ms)
{
	char buf[16384];
	char *p;

	*t_ms = (double)usim_now_us() / 1000;
	if (ctl(sock, "{\"cmd\":\"bus\"}\n", 1, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\"rounds\":")))
		return -1;
	return atoll(p + 9);
}

/* The idle polling round kioskd achieves: rounds counted over at least a
 * second and 20 rounds. */
static double idle_round_ms(const char *sock, double computed_ms)
{
	double t0, t1;
	long long r0 = rounds_now(sock, &t0);
	double span = computed_ms * 20 > 1000 ? computed_ms * 20 : 1000;

	usleep((useconds_t)(span * 1000));
	long long r1 = rounds_now(sock, &t1);
	return r0 < 0 || r1 <= r0 ? -1 : (t1 - t0) / (double)(r1 - r0);
}

static int run(int baud, int nunits, int samples, unsigned seed)
{
	char dir[] = "/tmp/bench-bus-XXXXXX", path[512], sock[512], link[512], buf[8192];
	int addrs[MAX_UNITS], rc = -1;
	struct seen seen = { .text_us = { 0 } };
	struct usim *u = NULL;
	pid_t pid = -1;
	int64_t *lat = calloc((size_t)samples, sizeof(int64_t));
	char err[256];

	if (!lat || !mkdtemp(dir))
		return -1;
	pthread_condattr_t ca;
	pthread_mutex_init(&seen.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&seen.cond, &ca);
	pthread_condattr_destroy(&ca);
	for (int i = 0; i < nunits; i++)
		addrs[i] = i + 1;
	snprintf(link, sizeof(link), "%s/bus", dir);
	snprintf(sock, sizeof(sock), "%s/k.sock", dir);
	struct usim_options o = { .link = link, .baud = baud, .parity = 'E', .data_bits = 8,
				  .stop_bits = 1, .turnaround_us = TURNAROUND_US, .addrs = addrs,
				  .naddrs = nunits, .seed = seed };
	u = usim_new(&o, on_display, &seen, err, sizeof(err));
	if (!u) {
		fprintf(stderr, "bench-bus: %s\n", err);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/board.conf", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		goto out;
	fprintf(f, "[office]\nclock = trust\nhours = mon-sun 00:00-24:00\ndouble_tap = 0\n"
		   "[service.a]\nname = Tư pháp – Hộ tịch\nnumbers = 1001-9999\n");
	for (int i = 1; i <= nunits; i++)
		fprintf(f, "[counter.%d]\nservices = a\nunit = bus:%d\n", i, i);
	fprintf(f, "[bus]\nbaud = %d\nparity = even\ntimeout = 100ms\n", baud);
	fclose(f);

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char state[512], log[512];
		snprintf(state, sizeof(state), "%s/state", dir);
		snprintf(log, sizeof(log), "%s/kioskd.log", dir);
		if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(MC_KIOSKD_PATH, "kioskd", "--board", path, "--state-dir", state, "--socket", sock,
		      "--bus-device", link, "--sim", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && access(sock, F_OK) < 0; i++)
		usleep(50000);
	int tickets = samples + nunits + 4;
	if (ctl(sock, "{\"cmd\":\"press\",\"service\":\"a\"}\n", tickets, NULL, 0) < 0) {
		fprintf(stderr, "bench-bus: kioskd did not take tickets\n");
		goto out;
	}
	/* Every unit online and showing its first display. */
	for (int a = 1; a <= nunits; a++)
		if (usim_wait_display(u, a, 0, 5000) < 0) {
			fprintf(stderr, "bench-bus: unit %d never got its display\n", a);
			goto out;
		}
	double poll1 = txn_us(&o, 8, 7);          /* register 0 */
	double codes = txn_us(&o, 8, 5 + 2 * 2);  /* registers 0..1 */
	double write = txn_us(&o, 9 + 2 * 6, 8);  /* holding 0..5: text, waiting, flags */
	double round_us = nunits * poll1;
	double bound_us = round_us + codes + write;
	/* Baseline from this run: kioskd's own idle round, rounds over time. */
	double measured_round = idle_round_ms(sock, round_us / 1000);
	srand(seed);
	for (int i = 0; i < samples; i++) {
		int a = 1 + rand() % nunits;
		char old[MC_BUS_TEXT + 1];
		int64_t t0, t1;

		/* A random moment of the polling round. */
		usleep((useconds_t)(rand() % (int)(bound_us + 1)));
		pthread_mutex_lock(&seen.mu);
		snprintf(old, sizeof(old), "%s", seen.text[a]);
		pthread_mutex_unlock(&seen.mu);
		usim_press(u, a, mc_bus_key_encode(MC_BUS_KEY_NEXT, 0), 1, &t0);
		t1 = wait_text(&seen, a, old, 5000);
		if (t1 < 0) {
			fprintf(stderr, "bench-bus: press %d at unit %d never showed; kioskd's log:\n", i, a);
			snprintf(buf, sizeof(buf), "tail -n 30 '%s/kioskd.log' >&2", dir);
			if (system(buf) != 0)
				fprintf(stderr, "(no log)\n");
			goto out;
		}
		lat[i] = t1 - t0;
		/* Let the waiting-count updates of the other units go out (one
		 * between two polls), so each press meets an idle line. */
		usleep((useconds_t)(nunits * (write + poll1)));
	}
	qsort(lat, (size_t)samples, sizeof(lat[0]), cmp_i64);
	double p50 = (double)lat[(samples - 1) / 2] / 1000, p99 = (double)lat[(samples * 99 - 1) / 100] / 1000;
	double mx = (double)lat[samples - 1] / 1000;
	printf("%6d %5d %7d | %7.1f %7.1f %7.1f | %7.1f %7.1f | %8.1f %6.2f %6.2f\n", baud, nunits,
	       samples, p50, p99, mx, round_us / 1000, measured_round, bound_us / 1000,
	       p99 / (bound_us / 1000), mx / (bound_us / 1000));
	fflush(stdout);
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	usim_free(u);
	free(lat);
	pthread_cond_destroy(&seen.cond);
	pthread_mutex_destroy(&seen.mu);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	if (system(buf) != 0)
		fprintf(stderr, "bench-bus: could not remove %s\n", dir);
	return rc;
}

int main(int argc, char **argv)
{
	static const int bauds[] = { 19200, 115200 };
	static const int units[] = { 1, 4, 16 };
	int samples = argc > 1 ? atoi(argv[1]) : 100;
	int only = argc > 2 ? atoi(argv[2]) : 0; /* units, for a quick look at one size */

	if (samples < 10) {
		fprintf(stderr, "Usage: bench-bus [SAMPLES ≥ 10]\n");
		return 2;
	}
	printf("bench-bus: NEXT press to new number on the unit, through kioskd, paced 8E1 line,\n"
	       "unit turnaround %d µs. bound = one round (register 0 of every unit) + codes read\n"
	       "+ one display write; ratios = p99/bound and max/bound. Times in ms.\n\n", TURNAROUND_US);
	printf("%6s %5s %7s | %7s %7s %7s | %7s %7s | %8s %6s %6s\n", "baud", "units", "presses",
	       "p50", "p99", "max", "round", "idle", "bound", "p99/b", "max/b");
	for (size_t b = 0; b < 2; b++)
		for (size_t n = 0; n < 3; n++)
			if ((!only || only == units[n]) && run(bauds[b], units[n], samples, 1234u + (unsigned)(b * 3 + n)) < 0)
				return 1;
	return 0;
}
