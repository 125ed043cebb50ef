/* clock-trust.c — who vouches for the wall clock (see clock-trust.h). */
#include "clock-trust.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timex.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define NTP_ASK_MS 5000          /* how often the thread asks until synchronised */
#define RTC_HCTOSYS "/sys/class/rtc/rtc0/hctosys"

const char *mc_clock_mode_name(enum mc_clock_mode mode)
{
	static const char *const names[] = { "auto", "ntp", "rtc", "trust" };
	return names[mode];
}

/* ---- trust and rtc: constant answers ----------------------------------- */

static bool always_trusted(void *priv, char *why, size_t len)
{
	snprintf(why, len, "%s", (const char *)priv);
	return true;
}

static const struct mc_clock_trust_ops trust_ops = { "trust", NULL, always_trusted, NULL };
static const struct mc_clock_trust_ops rtc_ops = { "rtc", NULL, always_trusted, NULL };

/* ---- file: the test seam ----------------------------------------------- */

static bool file_trusted(void *priv, char *why, size_t len)
{
	char buf[8] = "";
	FILE *f = fopen(priv, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	bool ok = buf[0] == '1';
	snprintf(why, len, "test source %s says %s", (const char *)priv, ok ? "trusted" : "not trusted");
	return ok;
}

static void file_free(void *priv) { free(priv); }

static const struct mc_clock_trust_ops file_ops = { "file", NULL, file_trusted, file_free };

/* ---- ntp: systemd-timedated, else adjtimex, from a thread -------------- */

struct ntp {
	pthread_t thread;
	bool running;             /* thread started */
	int stop_fd;              /* eventfd: the thread ends when readable */
	int wake_fd;              /* the loop's eventfd, -1: none */
	pthread_mutex_t lock;     /* guards trusted and why */
	bool trusted;             /* last answer */
	char why[160];            /* its reason */
};

/* Asks once; blocks up to a few seconds (thread only). */
static bool ask_ntp(char *why, size_t len)
{
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int v = 0, r;
	char bus_err[96];

	r = sd_bus_open_system(&bus);
	if (r >= 0) {
		sd_bus_set_method_call_timeout(bus, 5 * 1000000ull);
		r = sd_bus_get_property_trivial(bus, "org.freedesktop.timedate1", "/org/freedesktop/timedate1",
						"org.freedesktop.timedate1", "NTPSynchronized", &e, 'b', &v);
	}
	snprintf(bus_err, sizeof(bus_err), "%s", e.message ? e.message : strerror(r < 0 ? -r : 0));
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
	if (r >= 0) {
		snprintf(why, len, v ? "NTP synchronised (systemd-timedated)"
				     : "waiting for NTP (systemd-timedated: not synchronised)");
		return v != 0;
	}
	/* No timedated: the kernel's own flag, where the sandbox lets us read it. */
	struct timex tx = { .modes = 0 };
	int st = adjtimex(&tx);
	if (st < 0) {
		snprintf(why, len, "waiting for NTP (systemd-timedated: %s; adjtimex: %s)", bus_err,
			 strerror(errno));
		return false;
	}
	if (st == TIME_ERROR || (tx.status & STA_UNSYNC)) {
		snprintf(why, len, "waiting for NTP (kernel: not synchronised; systemd-timedated: %s)", bus_err);
		return false;
	}
	snprintf(why, len, "NTP synchronised (kernel adjtimex)");
	return true;
}

static void *ntp_main(void *arg)
{
	struct ntp *n = arg;
	struct pollfd p = { .fd = n->stop_fd, .events = POLLIN };

	for (;;) {
		char why[sizeof(n->why)];
		bool ok = ask_ntp(why, sizeof(why));
		pthread_mutex_lock(&n->lock);
		bool changed = ok != n->trusted || strcmp(why, n->why);
		n->trusted = ok;
		memcpy(n->why, why, sizeof(why));
		pthread_mutex_unlock(&n->lock);
		if (changed && n->wake_fd >= 0) {
			uint64_t one = 1;
			if (write(n->wake_fd, &one, sizeof(one)) < 0) {
				/* The counter is full: the loop will look anyway. */
			}
		}
		if (ok)
			return NULL;
		if (poll(&p, 1, NTP_ASK_MS) != 0)
			return NULL;
	}
}

static int ntp_start(void *priv, int wake_fd, char *err, size_t errlen)
{
	struct ntp *n = priv;
	int r;

	n->wake_fd = wake_fd;
	r = pthread_create(&n->thread, NULL, ntp_main, n);
	if (r) {
		snprintf(err, errlen, "clock trust thread: %s", strerror(r));
		return -1;
	}
	n->running = true;
	return 0;
}

static bool ntp_trusted(void *priv, char *why, size_t len)
{
	struct ntp *n = priv;

	pthread_mutex_lock(&n->lock);
	bool ok = n->trusted;
	snprintf(why, len, "%s", n->why);
	pthread_mutex_unlock(&n->lock);
	return ok;
}

static void ntp_free(void *priv)
{
	struct ntp *n = priv;
	uint64_t one = 1;

	if (n->running) {
		if (write(n->stop_fd, &one, sizeof(one)) < 0) {
			/* cannot happen with a fresh eventfd; join anyway */
		}
		pthread_join(n->thread, NULL);
	}
	close(n->stop_fd);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

static const struct mc_clock_trust_ops ntp_ops = { "ntp", ntp_start, ntp_trusted, ntp_free };

/* ---- choosing ---------------------------------------------------------- */

static bool rtc_set_clock_at_boot(void)
{
	char buf[4] = "";
	FILE *f = fopen(RTC_HCTOSYS, "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] == '1';
}

int mc_clock_trust_open(struct mc_clock_trust *t, enum mc_clock_mode mode, bool sim,
			char *err, size_t errlen)
{
	const char *fake = getenv("MC_CLOCK_TRUST_FILE");

	memset(t, 0, sizeof(*t));
	if (sim || mode == MC_CLOCK_TRUST) {
		t->ops = &trust_ops;
		t->priv = (void *)(sim ? "simulator (--sim)" : "clock = trust");
		return 0;
	}
	if (mode == MC_CLOCK_RTC) {
		t->ops = &rtc_ops;
		t->priv = (void *)"RTC (clock = rtc)";
		return 0;
	}
	if (fake && fake[0]) {
		t->ops = &file_ops;
		t->priv = strdup(fake);
		goto check;
	}
	if (mode == MC_CLOCK_AUTO && rtc_set_clock_at_boot()) {
		t->ops = &rtc_ops;
		t->priv = (void *)"RTC set the clock at boot (" RTC_HCTOSYS ")";
		return 0;
	}
	struct ntp *n = calloc(1, sizeof(*n));
	if (n) {
		n->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		n->wake_fd = -1;
		snprintf(n->why, sizeof(n->why), "waiting for NTP");
		pthread_mutex_init(&n->lock, NULL);
		if (n->stop_fd < 0) {
			pthread_mutex_destroy(&n->lock);
			free(n);
			n = NULL;
		}
	}
	t->ops = &ntp_ops;
	t->priv = n;
check:
	if (!t->priv) {
		snprintf(err, errlen, "clock trust source: out of memory");
		t->ops = NULL;
		return -1;
	}
	return 0;
}

int mc_clock_trust_start(struct mc_clock_trust *t, int wake_fd, char *err, size_t errlen)
{
	return t->ops->start ? t->ops->start(t->priv, wake_fd, err, errlen) : 0;
}

bool mc_clock_trust_trusted(struct mc_clock_trust *t, char *why, size_t len)
{
	return t->ops->trusted(t->priv, why, len);
}

void mc_clock_trust_close(struct mc_clock_trust *t)
{
	if (t->ops && t->ops->free)
		t->ops->free(t->priv);
	memset(t, 0, sizeof(*t));
}
