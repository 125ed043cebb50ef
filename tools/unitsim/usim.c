/* usim.c — simulated counter units on a paced serial line (see usim.h). */
#include "usim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* One simulated unit. Guarded by usim.mu. */
struct sunit {
	int addr;                       /* Modbus address */
	uint16_t in[MC_BUS_NINPUT];     /* input registers: sequence + 8 codes */
	uint16_t hold[MC_BUS_NHOLD];    /* holding registers: the display */
	uint64_t gen;                   /* display writes accepted */
	int64_t gen_us;                 /* time of the last one */
	bool dead;                      /* does not answer */
	bool garbage;                   /* answers random bytes */
};

struct usim {
	struct usim_options opt;        /* options (addrs not kept) */
	char path[128];                 /* the kiosk's end */
	char link[256];                 /* symlink made ("" = none) */
	int fd;                         /* our end of the line */
	int slave_fd;                   /* pty mode: the kiosk's end, held open */
	int stop_fd;                    /* eventfd that stops the thread */
	struct sunit *units;
	int nunits;
	usim_display_fn fn;             /* display callback */
	void *ctx;
	double char_us, t35_us;         /* line timing */
	double corrupt;                 /* share of frames corrupted */
	unsigned rng;                   /* random state (line thread and setters, under mu) */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;            /* display accepted */
	struct usim_stats st;
};

int64_t usim_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_until_us(int64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

double usim_char_us(const struct usim_options *o)
{
	int bits = 1 + o->data_bits + (o->parity != 'N') + o->stop_bits;

	return bits * 1e6 / o->baud;
}

double usim_t35_us(const struct usim_options *o)
{
	return o->baud > 19200 ? 1750.0 : 3.5 * usim_char_us(o);
}

/* xorshift32: a small deterministic generator for faults. */
static unsigned rnd(struct usim *s)
{
	unsigned x = s->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rng = x ? x : 0x9e3779b9u;
}

static bool chance(struct usim *s, double p)
{
	return p > 0 && (double)(rnd(s) % 1000000u) < p * 1e6;
}

static struct sunit *find(struct usim *s, int addr)
{
	for (int i = 0; i < s->nunits; i++)
		if (s->units[i].addr == addr)
			return &s->units[i];
	return NULL;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static size_t add_crc(uint8_t *f, size_t n)
{
	uint16_t crc = mc_bus_crc16(f, n);

	f[n] = (uint8_t)crc;
	f[n + 1] = (uint8_t)(crc >> 8);
	return n + 2;
}

static size_t exception(uint8_t *out, int addr, uint8_t fc, uint8_t code)
{
	out[0] = (uint8_t)addr;
	out[1] = (uint8_t)(fc | 0x80);
	out[2] = code;
	return add_crc(out, 3);
}

/* Length a request frame will have once complete, from its first bytes;
 * 0 if not known yet, -1 if the function is not one a master sends here. */
static int frame_len(const uint8_t *b, size_t n)
{
	if (n < 2)
		return 0;
	switch (b[1]) {
	case 3:
	case 4:
	case 6:
		return 8;
	case 16:
		return n < 7 ? 0 : 9 + b[6];
	default:
		return -1;
	}
}

/* Builds the reply of unit u to request f (CRC checked). Called with mu
 * held. Returns its length; *changed tells a display write. */
static size_t reply(struct sunit *u, const uint8_t *f, size_t n, uint8_t *out, bool *changed)
{
	uint8_t fc = f[1];
	uint16_t a = get16(f + 2), c = get16(f + 4);

	*changed = false;
	out[0] = (uint8_t)u->addr;
	out[1] = fc;
	switch (fc) {
	case 3:
	case 4: {
		const uint16_t *regs = fc == 4 ? u->in : u->hold;
		unsigned max = fc == 4 ? MC_BUS_NINPUT : MC_BUS_NHOLD;
		if (c < 1 || a + c > max)
			return exception(out, u->addr, fc, 2);
		out[2] = (uint8_t)(2 * c);
		for (unsigned i = 0; i < c; i++)
			put16(out + 3 + 2 * i, regs[a + i]);
		return add_crc(out, 3 + 2u * c);
	}
	case 6:
		if (a >= MC_BUS_NHOLD)
			return exception(out, u->addr, fc, 2);
		u->hold[a] = c;
		*changed = true;
		memcpy(out, f, 6);
		return add_crc(out, 6);
	case 16:
		if (c < 1 || a + c > MC_BUS_NHOLD || f[6] != 2 * c || n != 9u + f[6])
			return exception(out, u->addr, fc, 2);
		for (unsigned i = 0; i < c; i++)
			u->hold[a + i] = get16(f + 7 + 2 * i);
		*changed = true;
		memcpy(out, f, 6);
		return add_crc(out, 6);
	default:
		return exception(out, u->addr, fc, 1);
	}
}

/* Sends out[0..n-1] starting at start_us, each byte when the line would
 * deliver it. */
static void send_paced(struct usim *s, const uint8_t *out, size_t n, int64_t start_us)
{
	for (size_t i = 0; i < n; i++) {
		sleep_until_us(start_us + (int64_t)((double)(i + 1) * s->char_us));
		if (write(s->fd, out + i, 1) < 0 && errno != EAGAIN && errno != EIO)
			break;
	}
}

/* Handles one complete request frame that started arriving at first_us.
 * Returns when the line is free again (µs). */
static int64_t handle(struct usim *s, uint8_t *f, size_t n, int64_t start_us)
{
	int64_t rx_end = start_us + (int64_t)((double)n * s->char_us);
	int64_t accept = rx_end + (int64_t)s->t35_us; /* a unit knows the frame ended */
	uint8_t out[256];
	size_t rn = 0;
	bool changed = false, corrupt_out;
	struct mc_bus_display d;
	struct sunit *u;
	int addr = f[0];

	pthread_mutex_lock(&s->mu);
	s->st.requests++;
	if (chance(s, s->corrupt)) {
		f[rnd(s) % n] ^= (uint8_t)(1u << (rnd(s) % 8));
		s->st.corrupted++;
	}
	if (mc_bus_crc16(f, n - 2) != (uint16_t)(f[n - 2] | f[n - 1] << 8)) {
		s->st.bad_crc++;
		pthread_mutex_unlock(&s->mu);
		return accept;
	}
	u = find(s, addr);
	if (!u || u->dead) {
		pthread_mutex_unlock(&s->mu);
		return accept;
	}
	pthread_mutex_unlock(&s->mu);
	sleep_until_us(accept);
	pthread_mutex_lock(&s->mu);
	if (u->garbage) {
		rn = 3 + rnd(s) % 28;
		for (size_t i = 0; i < rn; i++)
			out[i] = (uint8_t)rnd(s);
		s->st.garbage++;
	} else {
		rn = reply(u, f, n, out, &changed);
		if (changed) {
			u->gen++;
			u->gen_us = usim_now_us();
			mc_bus_display_decode(u->hold, &d);
			pthread_cond_broadcast(&s->cond);
		}
	}
	corrupt_out = chance(s, s->corrupt);
	if (corrupt_out) {
		out[rnd(s) % rn] ^= (uint8_t)(1u << (rnd(s) % 8));
		s->st.corrupted++;
	}
	s->st.replies++;
	pthread_mutex_unlock(&s->mu);
	if (changed && s->fn)
		s->fn(s->ctx, addr, &d);
	int64_t tx = accept + s->opt.turnaround_us;
	send_paced(s, out, rn, tx);
	return tx + (int64_t)((double)rn * s->char_us) + (int64_t)s->t35_us;
}

static void *thread_main(void *arg)
{
	struct usim *s = arg;
	uint8_t rx[512];
	size_t n = 0;
	int64_t first_us = 0, last_us = 0, line_free = 0;
	struct pollfd p[2] = { { .fd = s->fd, .events = POLLIN }, { .fd = s->stop_fd, .events = POLLIN } };

	for (;;) {
		/* A partial frame is dropped after a silence of 3.5 characters
		 * (and a little more: a pty delivers in bursts). */
		int timeout = n ? 3 + (int)(s->t35_us / 1000) : 1000;
		int rc = poll(p, 2, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		int64_t now = usim_now_us();
		if (rc > 0 && (p[0].revents & POLLIN)) {
			ssize_t r = read(s->fd, rx + n, sizeof(rx) - n);
			if (r > 0) {
				if (!n)
					first_us = now;
				n += (size_t)r;
				last_us = now;
			}
		} else if (rc > 0 && (p[0].revents & (POLLHUP | POLLERR))) {
			usleep(10000); /* the kiosk's end is closed: wait for it */
			continue;
		}
		if (n && now - last_us > (int64_t)s->t35_us + 2000) {
			n = 0; /* silence ended a frame nobody understands */
			continue;
		}
		for (;;) {
			int len = frame_len(rx, n);
			if (len < 0 || n == sizeof(rx)) {
				n = 0; /* not a request of ours: wait for silence */
				break;
			}
			if (len == 0 || (size_t)len > n)
				break;
			int64_t start = first_us > line_free ? first_us : line_free;
			line_free = handle(s, rx, (size_t)len, start);
			memmove(rx, rx + len, n - (size_t)len);
			n -= (size_t)len;
			first_us = usim_now_us();
		}
	}
	return NULL;
}

static speed_t speed_of(int baud)
{
	switch (baud) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	default: return B0;
	}
}

/* Raw mode, and the line settings on a real port. */
static int set_raw(int fd, const struct usim_options *o)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB);
	t.c_cflag |= o->data_bits == 7 ? CS7 : CS8;
	if (o->parity != 'N')
		t.c_cflag |= PARENB | (o->parity == 'O' ? PARODD : 0);
	if (o->stop_bits == 2)
		t.c_cflag |= CSTOPB;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (speed_of(o->baud) != B0) {
		cfsetispeed(&t, speed_of(o->baud));
		cfsetospeed(&t, speed_of(o->baud));
	}
	return tcsetattr(fd, TCSANOW, &t);
}

struct usim *usim_new(const struct usim_options *opt, usim_display_fn fn, void *ctx,
		      char *err, size_t errlen)
{
	struct usim *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->opt = *opt;
	s->opt.addrs = NULL;
	s->fd = s->slave_fd = s->stop_fd = -1;
	s->fn = fn;
	s->ctx = ctx;
	s->rng = opt->seed ? opt->seed : 12345u;
	s->char_us = usim_char_us(opt);
	s->t35_us = usim_t35_us(opt);
	if (opt->naddrs < 1 || opt->baud < 300) {
		snprintf(err, errlen, "no units, or a bad baud rate");
		goto err_free;
	}
	s->units = calloc((size_t)opt->naddrs, sizeof(*s->units));
	if (!s->units) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	s->nunits = opt->naddrs;
	for (int i = 0; i < opt->naddrs; i++) {
		s->units[i].addr = opt->addrs[i];
		/* A fresh unit shows blanks. */
		for (int r = 0; r < 4; r++)
			s->units[i].hold[r] = 0x2020;
		s->units[i].in[0] = (uint16_t)(opt->seed + (unsigned)i * 1000u); /* any start */
	}
	if (opt->device) {
		s->fd = open(opt->device, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s->fd < 0 || set_raw(s->fd, opt) < 0) {
			snprintf(err, errlen, "cannot open %s: %s", opt->device, strerror(errno));
			goto err_close;
		}
		snprintf(s->path, sizeof(s->path), "%s", opt->device);
	} else {
		s->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s->fd < 0 || grantpt(s->fd) < 0 || unlockpt(s->fd) < 0 ||
		    ptsname_r(s->fd, s->path, sizeof(s->path)) != 0) {
			snprintf(err, errlen, "cannot make a pty: %s", strerror(errno));
			goto err_close;
		}
		/* Hold the kiosk's end open (so our end never reads EIO when the
		 * kiosk closes it) and make it raw before the kiosk comes. */
		s->slave_fd = open(s->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s->slave_fd < 0 || set_raw(s->slave_fd, opt) < 0) {
			snprintf(err, errlen, "cannot open %s: %s", s->path, strerror(errno));
			goto err_close;
		}
		if (opt->link) {
			unlink(opt->link);
			if (symlink(s->path, opt->link) < 0) {
				snprintf(err, errlen, "cannot make link %s: %s", opt->link, strerror(errno));
				goto err_close;
			}
			snprintf(s->link, sizeof(s->link), "%s", opt->link);
		}
	}
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto err_close;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
		snprintf(err, errlen, "cannot start the line thread");
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->mu);
		goto err_close;
	}
	return s;

err_close:
	if (s->link[0])
		unlink(s->link);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	if (s->slave_fd >= 0)
		close(s->slave_fd);
	if (s->fd >= 0)
		close(s->fd);
	free(s->units);
err_free:
	free(s);
	return NULL;
}

void usim_free(struct usim *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (write(s->stop_fd, &one, sizeof(one)) < 0) {
		/* cannot fail on a fresh eventfd */
	}
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	if (s->link[0])
		unlink(s->link);
	close(s->stop_fd);
	if (s->slave_fd >= 0)
		close(s->slave_fd);
	close(s->fd);
	free(s->units);
	free(s);
}

const char *usim_path(const struct usim *s) { return s->path; }

int usim_press(struct usim *s, int addr, uint16_t code, int count, int64_t *when_us)
{
	pthread_mutex_lock(&s->mu);
	struct sunit *u = find(s, addr);
	if (!u) {
		pthread_mutex_unlock(&s->mu);
		errno = ENOENT;
		return -1;
	}
	for (int i = 0; i < count; i++) {
		memmove(u->in + 2, u->in + 1, (MC_BUS_NCODES - 1) * sizeof(u->in[0]));
		u->in[1] = code;
		u->in[0]++;
	}
	if (when_us)
		*when_us = usim_now_us();
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int usim_display(struct usim *s, int addr, struct mc_bus_display *d, uint64_t *gen, int64_t *when_us)
{
	pthread_mutex_lock(&s->mu);
	struct sunit *u = find(s, addr);
	if (u) {
		if (d)
			mc_bus_display_decode(u->hold, d);
		if (gen)
			*gen = u->gen;
		if (when_us)
			*when_us = u->gen_us;
	}
	pthread_mutex_unlock(&s->mu);
	if (!u)
		errno = ENOENT;
	return u ? 0 : -1;
}

int usim_wait_display(struct usim *s, int addr, uint64_t gen, int timeout_ms)
{
	int64_t end = usim_now_us() + (int64_t)timeout_ms * 1000;
	struct timespec ts = { .tv_sec = end / 1000000, .tv_nsec = (long)(end % 1000000) * 1000 };
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	struct sunit *u = find(s, addr);
	if (!u)
		rc = ENOENT;
	while (u && u->gen <= gen && rc == 0)
		rc = pthread_cond_timedwait(&s->cond, &s->mu, &ts);
	pthread_mutex_unlock(&s->mu);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

static int set_flag(struct usim *s, int addr, bool v, bool garbage)
{
	pthread_mutex_lock(&s->mu);
	struct sunit *u = find(s, addr);
	if (u) {
		if (garbage)
			u->garbage = v;
		else
			u->dead = v;
	}
	pthread_mutex_unlock(&s->mu);
	if (!u)
		errno = ENOENT;
	return u ? 0 : -1;
}

int usim_set_dead(struct usim *s, int addr, bool dead) { return set_flag(s, addr, dead, false); }
int usim_set_garbage(struct usim *s, int addr, bool garbage) { return set_flag(s, addr, garbage, true); }

void usim_set_corrupt(struct usim *s, double share)
{
	pthread_mutex_lock(&s->mu);
	s->corrupt = share < 0 ? 0 : share > 1 ? 1 : share;
	pthread_mutex_unlock(&s->mu);
}

void usim_stats(struct usim *s, struct usim_stats *st)
{
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	pthread_mutex_unlock(&s->mu);
}
