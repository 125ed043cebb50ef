/* bench-watchdog.c — how steady kioskd's systemd watchdog pings are, idle
 * and while the loop is busy issuing tickets and calling numbers through
 * the control socket (each one an fsync'd SQLite commit). The pings come
 * from a loop timer, so their lateness is the loop's latency.
 * Prints ping intervals p50/p99/max for both and the ratio. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "app-systemd.h"
#include "app.h"

#define PING_MS 50        /* WATCHDOG_USEC / 2 */
#define SAMPLES 100       /* intervals per phase */

/* What the measuring threads share. */
struct bench {
	int notify_fd;            /* our NOTIFY_SOCKET */
	char ctl_path[100];       /* kioskd's control socket */
	atomic_bool load_stop;    /* ends the load thread */
	atomic_long requests;     /* requests answered under load */
	double idle[SAMPLES];     /* ping intervals, ms */
	double busy[SAMPLES];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Records n intervals between WATCHDOG=1 datagrams. */
static void collect(struct bench *b, double *out, int n)
{
	char buf[512];
	double last = -1;
	int i = 0;

	while (i < n) {
		ssize_t len = recv(b->notify_fd, buf, sizeof(buf) - 1, 0);
		if (len < 0)
			continue;
		buf[len] = 0;
		if (!strstr(buf, "WATCHDOG=1"))
			continue;
		double t = now_ms();
		if (last >= 0)
			out[i++] = t - last;
		last = t;
	}
}

/* Sends press / next requests back to back over one connection. */
static void *load(void *p)
{
	struct bench *b = p;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[256], ans[65536];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	static const char *const svc[] = { "civil", "land", "business" };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", b->ctl_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bench-watchdog: connect");
		exit(1);
	}
	for (long i = 0; !atomic_load(&b->load_stop); i++) {
		if (i % 2 == 0)
			snprintf(req, sizeof(req), "{\"cmd\":\"press\",\"service\":\"%s\",\"source\":\"b%ld\"}\n",
				 svc[(i / 2) % 3], i);
		else
			snprintf(req, sizeof(req), "{\"cmd\":\"counter\",\"counter\":%ld,\"action\":\"next\"}\n",
				 1 + (i / 2) % 3);
		if (write(fd, req, strlen(req)) < 0)
			break;
		/* One answer line per request. */
		size_t got = 0;
		while (got == 0 || ans[got - 1] != '\n') {
			ssize_t n = read(fd, ans + got, sizeof(ans) - got);
			if (n <= 0)
				goto out;
			got += (size_t)n;
		}
		atomic_fetch_add(&b->requests, 1);
	}
out:
	close(fd);
	return NULL;
}

static void report(const char *name, double *v)
{
	qsort(v, SAMPLES, sizeof(*v), cmp);
	printf("  %-34s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n", name, v[SAMPLES / 2],
	       v[(SAMPLES * 99 + 99) / 100 - 1], v[SAMPLES - 1]);
}

static void *measure(void *p)
{
	struct bench *b = p;
	pthread_t lt;

	collect(b, b->idle, SAMPLES);
	double t0 = now_ms();
	pthread_create(&lt, NULL, load, b);
	collect(b, b->busy, SAMPLES);
	double secs = (now_ms() - t0) / 1e3;
	atomic_store(&b->load_stop, true);
	pthread_join(lt, NULL);
	long reqs = atomic_load(&b->requests);

	printf("bench-watchdog: WATCHDOG=1 every %d ms from the loop timer (%d intervals each)\n",
	       PING_MS, SAMPLES);
	double idle99, busy99;
	report("idle (baseline)", b->idle);
	idle99 = b->idle[(SAMPLES * 99 + 99) / 100 - 1];
	report("busy (press+next back to back)", b->busy);
	busy99 = b->busy[(SAMPLES * 99 + 99) / 100 - 1];
	printf("  load: %ld requests in %.1f s = %.0f/s (each a committed transaction)\n", reqs, secs,
	       (double)reqs / secs);
	printf("  p99 busy/idle ratio %.2f; lateness p99 busy %.1f ms vs systemd's %d ms budget\n",
	       busy99 / idle99, busy99 - PING_MS, PING_MS);
	kill(getpid(), SIGTERM);
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/mc-bench-wd.XXXXXX", npath[64], state[64], err[512];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct bench *b = calloc(1, sizeof(*b));
	int code;

	if (!b || !mkdtemp(dir))
		return 1;
	snprintf(npath, sizeof(npath), "%s/notify.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(b->ctl_path, sizeof(b->ctl_path), "%s/kioskd.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", npath);
	b->notify_fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (b->notify_fd < 0 || bind(b->notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bench-watchdog: notify socket");
		return 1;
	}
	char pid[32], usec[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(usec, sizeof(usec), "%d", PING_MS * 2000);
	setenv("NOTIFY_SOCKET", npath, 1);
	setenv("WATCHDOG_PID", pid, 1);
	setenv("WATCHDOG_USEC", usec, 1);
	setenv("MOTCUA_HEALTH_DELAY_MS", "86400000", 1);
	unsetenv("JOURNAL_STREAM");

	struct mc_app_options opt = { .board = MC_SIM_BOARD, .state_dir = state, .socket = b->ctl_path };
	/* Quiet: the per-ticket log lines would dominate the terminal. */
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	FILE *devnull = freopen("/dev/null", "w", stderr);
	struct mc_app *app = mc_app_new(&opt, err, sizeof(err), &code);
	if (!app || mc_app_add_systemd(app) < 0) {
		dup2(saved, STDERR_FILENO);
		fprintf(stderr, "bench-watchdog: %s\n", app ? "systemd hooks" : err);
		return 1;
	}
	pthread_t mt;
	pthread_create(&mt, NULL, measure, b);
	mc_app_run(app);
	pthread_join(mt, NULL);
	mc_app_free(app);
	dup2(saved, STDERR_FILENO);
	(void)devnull;
	close(b->notify_fd);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-watchdog: could not remove %s\n", dir);
	free(b);
	return 0;
}
