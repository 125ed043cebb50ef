/* bus.c — the counter bus master thread over libmodbus (see bus.h). */
#include "bus.h"

#include <errno.h>
#include <modbus.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* One counter unit as the master sees it. Guarded by mc_bus.mu. */
struct unit {
	int addr;                    /* Modbus address */
	bool synced;                 /* last_seq is known */
	uint16_t last_seq;           /* sequence at the last good read */
	int missed;                  /* failed requests in a row */
	int64_t next_try;            /* offline: when to poll again (ms) */
	bool want_set;               /* want holds an image to show */
	uint16_t want[MC_BUS_NHOLD]; /* what it should show */
	bool written_valid;          /* written is what the unit holds */
	uint16_t written[MC_BUS_NHOLD]; /* what it accepted last */
	int64_t write_after;         /* a refused write is tried again from then (ms) */
	int write_backoff;           /* the wait after the next refusal (ms) */
	struct mc_bus_unit_stats st; /* figures */
};

/* A rewrite the unit refused waits this long, doubling up to offline_poll. */
#define WRITE_BACKOFF_MIN_MS 250

struct mc_bus {
	struct mc_bus_options opt;   /* options; device points at devbuf */
	char devbuf[256];
	struct unit *units;          /* one per address, in poll order */
	int nunits;
	pthread_t thread;            /* the bus thread */
	bool started;                /* thread is running */
	pthread_mutex_t mu;          /* guards everything below and units */
	pthread_cond_t cond;         /* wakes the thread: display set, handled, stop */
	bool stop;                   /* close asked */
	bool dirty;                  /* a display may differ from what its unit holds */
	int next_lazy;               /* where the next count-only write search starts */
	uint64_t handled;            /* count of mc_bus_handled() calls */
	struct mc_bus_event *q;      /* events for the loop, FIFO */
	size_t qn, qcap;
	int efd;                     /* eventfd: thread -> loop */
	struct mc_bus_stats st;      /* line figures */
	modbus_t *mb;                /* the line; only the thread touches it */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits on cond until ms (monotonic) at the latest. Called with mu held. */
static void wait_until(struct mc_bus *bus, int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	pthread_cond_timedwait(&bus->cond, &bus->mu, &ts);
}

/* Queues an event and wakes the loop. Called with mu held. */
static void post(struct mc_bus *bus, const struct mc_bus_event *ev)
{
	if (bus->qn == bus->qcap) {
		size_t cap = bus->qcap ? bus->qcap * 2 : 64;
		struct mc_bus_event *q = realloc(bus->q, cap * sizeof(*q));
		if (!q)
			return; /* out of memory: the event is dropped */
		bus->q = q;
		bus->qcap = cap;
	}
	bus->q[bus->qn++] = *ev;
	uint64_t one = 1;
	if (write(bus->efd, &one, sizeof(one)) < 0) {
		/* An eventfd counter cannot overflow here. */
	}
}

static void post_simple(struct mc_bus *bus, enum mc_bus_event_kind kind, int addr, const char *text)
{
	struct mc_bus_event ev = { .kind = kind, .addr = addr };

	if (text)
		snprintf(ev.text, sizeof(ev.text), "%s", text);
	post(bus, &ev);
}

/* ---- the line ---------------------------------------------------------- */

static void close_port(struct mc_bus *bus)
{
	if (!bus->mb)
		return;
	modbus_close(bus->mb);
	modbus_free(bus->mb);
	bus->mb = NULL;
}

/* Opens the port. Called without mu. Returns 0 or -1 with msg. */
static int open_port(struct mc_bus *bus, bool *rs485, char *msg, size_t len)
{
	const struct mc_bus_options *o = &bus->opt;
	modbus_t *mb = modbus_new_rtu(o->device, o->baud, o->parity, o->data_bits, o->stop_bits);

	if (!mb) {
		snprintf(msg, len, "cannot use %s: %s", o->device, modbus_strerror(errno));
		return -1;
	}
	if (modbus_connect(mb) < 0) {
		snprintf(msg, len, "cannot open %s: %s", o->device, modbus_strerror(errno));
		modbus_free(mb);
		return -1;
	}
	uint32_t us = (uint32_t)o->timeout_ms * 1000u;
	modbus_set_response_timeout(mb, us / 1000000u, us % 1000000u);
	modbus_set_byte_timeout(mb, us / 1000000u, us % 1000000u);
	modbus_set_error_recovery(mb, MODBUS_ERROR_RECOVERY_NONE);
	/* Kernel RS-485 direction control where the port has it; a pty or an
	 * adapter that switches direction by itself says ENOTTY: fine. */
	*rs485 = modbus_rtu_set_serial_mode(mb, MODBUS_RTU_RS485) == 0;
	bus->mb = mb;
	return 0;
}

/* Reads and drops whatever is still arriving until the line has been quiet
 * for a few character times, so a unit talking garbage cannot corrupt the
 * next request's answer. Bounded to 250 ms. */
static void drain(struct mc_bus *bus)
{
	int fd = modbus_get_socket(bus->mb);
	int quiet = 2 + 40000 / bus->opt.baud; /* ms: ≥ 3.5 characters of 11 bits, plus slack */
	int64_t end = now_ms() + 250;
	uint8_t buf[256];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (fd >= 0 && now_ms() < end && poll(&p, 1, quiet) > 0) {
		if (read(fd, buf, sizeof(buf)) <= 0)
			break;
	}
	modbus_flush(bus->mb);
}

/* Sorts the error of a failed request into the unit's figures. Called with
 * mu held. Returns true if the port itself is gone. */
static bool count_error(struct mc_bus *bus, struct unit *u, int err)
{
	struct mc_bus_unit_stats *s = &u->st;

	snprintf(s->last_error, sizeof(s->last_error), "%s", modbus_strerror(err));
	switch (err) {
	case ETIMEDOUT:
		s->timeouts++;
		return false;
	case EMBBADCRC:
		s->crc_errors++;
		return false;
	case EIO:
	case ENXIO:
	case EBADF:
	case ENODEV:
		return true;
	default:
		if (err >= EMBXILFUN && err <= EMBXGTAR)
			s->exceptions++;
		else
			s->garbage++;
		return false;
	}
}

/* True if err is a Modbus exception reply: the unit answered, it refused. */
static bool is_exception(int err)
{
	return err >= EMBXILFUN && err <= EMBXGTAR;
}

/* Sets or clears u's fault and tells the loop when it changes. Called with
 * mu held. */
static void set_fault(struct mc_bus *bus, struct unit *u, const char *fault)
{
	if (!strcmp(u->st.fault, fault))
		return;
	snprintf(u->st.fault, sizeof(u->st.fault), "%s", fault);
	struct mc_bus_event ev = { .kind = MC_BUS_EV_FAULT, .addr = u->addr };
	snprintf(ev.text, sizeof(ev.text), "%s", fault);
	post(bus, &ev);
}

/* A request to u failed: counts a miss and maybe takes it offline. Called
 * with mu held. */
static void missed(struct mc_bus *bus, struct unit *u, int64_t now)
{
	u->missed++;
	if (u->missed == MC_BUS_OFFLINE_MISSES) {
		u->st.online = false;
		u->written_valid = false;
		u->st.offline_count++;
		post_simple(bus, MC_BUS_EV_OFFLINE, u->addr, u->st.last_error);
	}
	if (u->missed >= MC_BUS_OFFLINE_MISSES)
		u->next_try = now + bus->opt.offline_poll_ms;
}

/* A request to u succeeded. Called with mu held. */
static void answered(struct mc_bus *bus, struct unit *u)
{
	bool back = !u->st.online;

	u->missed = 0;
	u->st.ok++;
	if (back) {
		u->st.online = true;
		u->written_valid = false; /* rewrite everything at once */
		struct mc_bus_event ev = { .kind = MC_BUS_EV_ONLINE, .addr = u->addr, .seq = u->st.seq };
		post(bus, &ev);
	}
}

/* Runs one request without mu; returns 0 or the errno of the failure.
 * op: 0 read input registers, 1 write registers. */
static int transact(struct mc_bus *bus, int addr, int op, int first, int count, uint16_t *regs)
{
	int rc;

	modbus_set_slave(bus->mb, addr);
	if (op == 0)
		rc = modbus_read_input_registers(bus->mb, first, count, regs);
	else if (count == 1)
		rc = modbus_write_register(bus->mb, first, regs[0]);
	else
		rc = modbus_write_registers(bus->mb, first, count, regs);
	if (rc == count)
		return 0;
	int err = rc < 0 ? errno : EMBBADDATA;
	drain(bus);
	return err ? err : EMBBADDATA;
}

/* ---- the thread's work -------------------------------------------------- */

/* Does u need a write that people are waiting for (a new number, blink,
 * pause, or a full rewrite), rather than only a new waiting count or
 * brightness? Called with mu held. */
static bool urgent(const struct unit *u)
{
	if (!u->written_valid)
		return true;
	for (int r = 0; r < MC_BUS_NHOLD; r++)
		if (r != MC_BUS_REG_WAITING && r != MC_BUS_REG_BRIGHTNESS && u->want[r] != u->written[r])
			return true;
	return false;
}

/* Writes u's display if it differs from what the unit holds. Called with mu
 * held; drops it during the request. Returns true if the port is gone. */
static bool write_display(struct mc_bus *bus, struct unit *u)
{
	uint16_t img[MC_BUS_NHOLD];
	int first, count;

	if (!u->want_set || !u->st.online || (u->write_after && now_ms() < u->write_after))
		return false;
	if (!mc_bus_display_diff(u->written_valid ? u->written : NULL, u->want, &first, &count))
		return false;
	memcpy(img, u->want, sizeof(img));
	pthread_mutex_unlock(&bus->mu);
	int err = transact(bus, u->addr, 1, first, count, img + first);
	pthread_mutex_lock(&bus->mu);
	if (!err) {
		u->st.writes++;
		memcpy(u->written, img, sizeof(img));
		u->written_valid = true;
		u->write_after = 0;
		u->write_backoff = 0;
		answered(bus, u);
		set_fault(bus, u, "");
		return false;
	}
	u->st.write_errors++;
	bool gone = count_error(bus, u, err);
	if (!gone && is_exception(err)) {
		/* The unit answered: it is there and keeps being polled at full
		 * pace; only this rewrite waits, longer each time it is refused. */
		char fault[96];
		int64_t now = now_ms();
		u->st.write_rejects++;
		answered(bus, u);
		u->st.ok--;  /* an answer, not a correct one */
		snprintf(fault, sizeof(fault), "display write refused: %s", modbus_strerror(err));
		set_fault(bus, u, fault);
		if (u->write_backoff < WRITE_BACKOFF_MIN_MS)
			u->write_backoff = WRITE_BACKOFF_MIN_MS;
		u->write_after = now + u->write_backoff;
		u->write_backoff = u->write_backoff * 2 > bus->opt.offline_poll_ms
					   ? bus->opt.offline_poll_ms : u->write_backoff * 2;
		return false;
	}
	if (!gone)
		missed(bus, u, now_ms());
	return gone;
}

/* Writes every display with news for people first (a call shows before
 * anything else happens on the line), then at most one that only changes
 * counts, so that a burst of waiting-count updates after each call is
 * spread between polls instead of stalling them. Called with mu held.
 * Returns true if the port is gone. */
static bool write_displays(struct mc_bus *bus)
{
	bool more = false;

	for (int i = 0; i < bus->nunits && !bus->stop; i++) {
		struct unit *u = &bus->units[i];
		if (u->want_set && u->st.online && urgent(u) && write_display(bus, u))
			return true;
	}
	for (int i = 0; i < bus->nunits && !bus->stop; i++) {
		int k = (bus->next_lazy + i) % bus->nunits;
		struct unit *u = &bus->units[k];
		int first, count;
		if (!u->want_set || !u->st.online ||
		    !mc_bus_display_diff(u->written_valid ? u->written : NULL, u->want, &first, &count))
			continue;
		if (u->write_after && now_ms() < u->write_after) {
			more = true;  /* refused before: dirty stays set, tried later */
			continue;
		}
		if (more)
			return false; /* one lazy write per poll; dirty stays set */
		bus->next_lazy = (k + 1) % bus->nunits;
		if (write_display(bus, u))
			return true;
		more = true;
	}
	if (!more)
		bus->dirty = false;
	return false;
}

/* Polls u: register 0 only, then the codes when the sequence moved. Called
 * with mu held; drops it during requests. Returns true if the port is gone. */
static bool poll_unit(struct mc_bus *bus, struct unit *u)
{
	uint16_t regs[MC_BUS_NINPUT];
	int n = 1, err;
	uint16_t last = u->last_seq;
	bool synced = u->synced;
	struct mc_bus_presses pr;

	pthread_mutex_unlock(&bus->mu);
	/* Register 0, then (if it moved) 0..d; a press between the two reads
	 * makes the second one short of codes, so read once more, in full. */
	for (int tries = 0; tries < 3; tries++) {
		err = transact(bus, u->addr, 0, 0, n, regs);
		pthread_mutex_lock(&bus->mu);
		u->st.polls++;
		if (err || !synced)
			break;
		int need = mc_bus_regs_needed(last, regs[0]);
		if (need <= n)
			break;
		n = tries == 0 ? need : MC_BUS_NINPUT;
		u->st.ok++;
		pthread_mutex_unlock(&bus->mu);
	}
	/* mu is held here. */
	if (err) {
		bool gone = count_error(bus, u, err);
		if (!gone && is_exception(err)) {
			/* It answered, refusing: there, but no keys from it. */
			char fault[96];
			answered(bus, u);
			u->st.ok--;
			snprintf(fault, sizeof(fault), "key read refused: %s", modbus_strerror(err));
			set_fault(bus, u, fault);
			return false;
		}
		if (!gone)
			missed(bus, u, now_ms());
		return gone;
	}
	u->st.seq = regs[0];
	if (!synced) {
		/* First answer since the kiosk started: presses made before
		 * are not ours to apply. */
		u->synced = true;
		u->last_seq = regs[0];
		u->st.seen = true;
		answered(bus, u);
		return false;
	}
	answered(bus, u);
	if (!strncmp(u->st.fault, "key read", 8))
		set_fault(bus, u, "");
	mc_bus_presses_decode(last, regs, n, &pr);
	u->last_seq = pr.seq;
	if (pr.restart) {
		/* The unit started again from 0: its new presses are applied
		 * (decoded above), nothing counted lost, nothing twice. */
		struct mc_bus_event ev = { .kind = MC_BUS_EV_RESTART, .addr = u->addr, .seq = pr.seq };
		u->st.restarts++;
		post(bus, &ev);
	}
	if (pr.lost) {
		struct mc_bus_event ev = { .kind = MC_BUS_EV_LOST, .addr = u->addr, .lost = pr.lost };
		u->st.lost += pr.lost;
		post(bus, &ev);
	}
	for (int i = 0; i < pr.n; i++) {
		int arg;
		struct mc_bus_event ev = { .kind = MC_BUS_EV_KEY, .addr = u->addr, .code = pr.codes[i],
					   .seq = (uint16_t)(pr.seq - (pr.n - 1 - i)) };
		u->st.presses++;
		if (mc_bus_key_decode(pr.codes[i], &arg) == MC_BUS_KEY_UNKNOWN)
			u->st.unknown++;
		post(bus, &ev);
	}
	if (pr.n || pr.lost) {
		/* Give the loop a moment to act, so the display it sets goes out
		 * before the next poll. */
		uint64_t h = bus->handled;
		int64_t until = now_ms() + bus->opt.timeout_ms;
		while (bus->handled == h && !bus->stop && now_ms() < until)
			wait_until(bus, until);
	}
	return false;
}

/* Is u due for a poll at now? */
static bool due(const struct unit *u, int64_t now)
{
	return u->missed < MC_BUS_OFFLINE_MISSES || now >= u->next_try;
}

static void port_lost(struct mc_bus *bus)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %s", bus->opt.device, "the port went away");
	close_port(bus);
	bus->st.port_open = false;
	snprintf(bus->st.port_error, sizeof(bus->st.port_error), "%s", msg);
	for (int i = 0; i < bus->nunits; i++) {
		struct unit *u = &bus->units[i];
		if (u->st.online) {
			u->st.online = false;
			u->st.offline_count++;
			post_simple(bus, MC_BUS_EV_OFFLINE, u->addr, "port lost");
		}
		u->written_valid = false;
		u->missed = MC_BUS_OFFLINE_MISSES;
		u->next_try = 0;
	}
	post_simple(bus, MC_BUS_EV_PORT, 0, msg);
}

static void *thread_main(void *arg)
{
	struct mc_bus *bus = arg;
	int next = 0;
	int64_t round_start = now_ms();
	bool port_reported = false;

	pthread_mutex_lock(&bus->mu);
	while (!bus->stop) {
		if (!bus->mb) {
			char msg[160];
			bool rs485 = false;
			pthread_mutex_unlock(&bus->mu);
			int rc = open_port(bus, &rs485, msg, sizeof(msg));
			pthread_mutex_lock(&bus->mu);
			if (rc < 0) {
				if (!port_reported || strcmp(msg, bus->st.port_error)) {
					struct mc_bus_event ev = { .kind = MC_BUS_EV_PORT };
					snprintf(ev.text, sizeof(ev.text), "%s", msg);
					post(bus, &ev);
					port_reported = true;
				}
				snprintf(bus->st.port_error, sizeof(bus->st.port_error), "%s", msg);
				wait_until(bus, now_ms() + bus->opt.offline_poll_ms);
				continue;
			}
			bus->st.port_open = true;
			bus->st.rs485_kernel = rs485;
			bus->st.port_error[0] = 0;
			struct mc_bus_event ev = { .kind = MC_BUS_EV_PORT, .ok = true };
			snprintf(ev.text, sizeof(ev.text), "%s open, %d %d%c%d%s", bus->opt.device,
				 bus->opt.baud, bus->opt.data_bits, bus->opt.parity, bus->opt.stop_bits,
				 rs485 ? ", kernel RS-485" : "");
			post(bus, &ev);
			port_reported = false;
			round_start = now_ms();
		}
		/* Displays first: a call shows before anything is polled. */
		if (write_displays(bus)) {
			port_lost(bus);
			continue;
		}
		int64_t now = now_ms();
		struct unit *u = NULL;
		for (; next < bus->nunits && !u; next++)
			if (due(&bus->units[next], now))
				u = &bus->units[next];
		if (u) {
			if (poll_unit(bus, u))
				port_lost(bus);
			continue;
		}
		/* End of a round. */
		bus->st.rounds++;
		bus->st.round_ms = (double)(now - round_start);
		bus->st.round_ms_avg = bus->st.rounds == 1 ? bus->st.round_ms
			: 0.9 * bus->st.round_ms_avg + 0.1 * bus->st.round_ms;
		next = 0;
		int64_t wake = now + bus->opt.poll_ms;
		bool any = false;
		for (int i = 0; i < bus->nunits; i++)
			any |= bus->units[i].missed < MC_BUS_OFFLINE_MISSES;
		if (!any) {
			/* Every unit is offline: sleep until the first one is due. */
			wake = now + bus->opt.offline_poll_ms;
			for (int i = 0; i < bus->nunits; i++)
				if (bus->units[i].next_try < wake)
					wake = bus->units[i].next_try;
		}
		if (wake > now && !bus->dirty && !bus->stop)
			wait_until(bus, wake);
		round_start = now_ms();
	}
	pthread_mutex_unlock(&bus->mu);
	close_port(bus);
	return NULL;
}

/* ---- the loop's side ----------------------------------------------------- */

struct mc_bus *mc_bus_open(const struct mc_bus_options *opt, char *err, size_t errlen)
{
	struct mc_bus *bus;
	pthread_condattr_t ca;

	if (!opt->device || !*opt->device || strlen(opt->device) >= sizeof(bus->devbuf)) {
		snprintf(err, errlen, "bus: a serial device path is required");
		return NULL;
	}
	if (opt->naddrs < 1 || opt->naddrs > MC_BUS_MAX_UNITS || opt->timeout_ms < 1 ||
	    opt->offline_poll_ms < 1 || opt->poll_ms < 0 || opt->baud < 300 ||
	    (opt->parity != 'N' && opt->parity != 'E' && opt->parity != 'O') ||
	    opt->data_bits < 7 || opt->data_bits > 8 || opt->stop_bits < 1 || opt->stop_bits > 2) {
		snprintf(err, errlen, "bus: bad line settings or no unit to poll");
		return NULL;
	}
	bus = calloc(1, sizeof(*bus));
	if (!bus)
		goto err_nomem;
	bus->opt = *opt;
	snprintf(bus->devbuf, sizeof(bus->devbuf), "%s", opt->device);
	bus->opt.device = bus->devbuf;
	bus->opt.addrs = NULL;
	bus->units = calloc((size_t)opt->naddrs, sizeof(*bus->units));
	if (!bus->units)
		goto err_free;
	bus->nunits = opt->naddrs;
	for (int i = 0; i < opt->naddrs; i++) {
		int a = opt->addrs[i];
		if (a < 1 || a > MC_BUS_MAX_UNITS) {
			snprintf(err, errlen, "bus: unit address %d is outside 1..247", a);
			goto err_units;
		}
		for (int j = 0; j < i; j++)
			if (opt->addrs[j] == a) {
				snprintf(err, errlen, "bus: unit address %d is given twice", a);
				goto err_units;
			}
		bus->units[i].addr = a;
		bus->units[i].st.addr = a;
	}
	bus->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (bus->efd < 0) {
		snprintf(err, errlen, "bus: eventfd: %s", strerror(errno));
		goto err_units;
	}
	pthread_mutex_init(&bus->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&bus->cond, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(bus->st.port_error, sizeof(bus->st.port_error), "not opened yet");
	if (pthread_create(&bus->thread, NULL, thread_main, bus) != 0) {
		snprintf(err, errlen, "bus: cannot start the bus thread");
		goto err_sync;
	}
	pthread_setname_np(bus->thread, "bus");
	bus->started = true;
	return bus;

err_sync:
	pthread_cond_destroy(&bus->cond);
	pthread_mutex_destroy(&bus->mu);
	close(bus->efd);
err_units:
	free(bus->units);
err_free:
	free(bus);
	if (!err[0])
		goto err_nomem;
	return NULL;
err_nomem:
	snprintf(err, errlen, "bus: out of memory");
	return NULL;
}

void mc_bus_close(struct mc_bus *bus)
{
	if (!bus)
		return;
	if (bus->started) {
		pthread_mutex_lock(&bus->mu);
		bus->stop = true;
		pthread_cond_broadcast(&bus->cond);
		pthread_mutex_unlock(&bus->mu);
		pthread_join(bus->thread, NULL);
	}
	pthread_cond_destroy(&bus->cond);
	pthread_mutex_destroy(&bus->mu);
	close(bus->efd);
	free(bus->q);
	free(bus->units);
	free(bus);
}

int mc_bus_event_fd(const struct mc_bus *bus) { return bus->efd; }

size_t mc_bus_take_events(struct mc_bus *bus, struct mc_bus_event *ev, size_t max)
{
	size_t n;
	uint64_t v;

	pthread_mutex_lock(&bus->mu);
	n = bus->qn < max ? bus->qn : max;
	memcpy(ev, bus->q, n * sizeof(*ev));
	memmove(bus->q, bus->q + n, (bus->qn - n) * sizeof(*ev));
	bus->qn -= n;
	if (!bus->qn && read(bus->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already clear. */
	}
	pthread_mutex_unlock(&bus->mu);
	return n;
}

void mc_bus_handled(struct mc_bus *bus)
{
	pthread_mutex_lock(&bus->mu);
	bus->handled++;
	pthread_cond_broadcast(&bus->cond);
	pthread_mutex_unlock(&bus->mu);
}

static struct unit *find(struct mc_bus *bus, int addr)
{
	for (int i = 0; i < bus->nunits; i++)
		if (bus->units[i].addr == addr)
			return &bus->units[i];
	return NULL;
}

int mc_bus_set_display(struct mc_bus *bus, int addr, const struct mc_bus_display *d)
{
	uint16_t img[MC_BUS_NHOLD];

	mc_bus_display_encode(d, img);
	pthread_mutex_lock(&bus->mu);
	struct unit *u = find(bus, addr);
	if (!u) {
		pthread_mutex_unlock(&bus->mu);
		errno = ENOENT;
		return -1;
	}
	if (!u->want_set || memcmp(u->want, img, sizeof(img))) {
		memcpy(u->want, img, sizeof(img));
		u->want_set = true;
		bus->dirty = true;
		pthread_cond_broadcast(&bus->cond);
	}
	pthread_mutex_unlock(&bus->mu);
	return 0;
}

int mc_bus_unit_stats(struct mc_bus *bus, int addr, struct mc_bus_unit_stats *st)
{
	pthread_mutex_lock(&bus->mu);
	struct unit *u = find(bus, addr);
	if (u)
		*st = u->st;
	pthread_mutex_unlock(&bus->mu);
	if (!u)
		errno = ENOENT;
	return u ? 0 : -1;
}

void mc_bus_stats(struct mc_bus *bus, struct mc_bus_stats *st)
{
	pthread_mutex_lock(&bus->mu);
	*st = bus->st;
	pthread_mutex_unlock(&bus->mu);
}
