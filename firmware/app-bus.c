/* app-bus.c — the counter bus in the app: key presses on the counter units
 * become counter actions, and each counter's display (number called,
 * waiting count, blink on a new call, paused) is handed to the bus thread.
 * Also `kioskctl bus status` and the bus line of `kioskctl status`. */
#include "app.h"
#include "services.h"
#include "bus.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One counter with a unit on the bus. */
struct bcounter {
	int number;              /* counter number */
	int addr;                /* its unit's address */
	int64_t blink_until;     /* monotonic ms; the display blinks until then */
	uint64_t applied;        /* presses that became actions */
	uint64_t refused;        /* presses the queue refused (nobody waiting, ...) */
	uint64_t ignored;        /* unknown codes and bad transfer targets */
	char last[64];           /* the last press and its outcome, for status */
};

struct busout {
	struct mc_app *app;
	struct mc_bus *bus;      /* the bus thread */
	struct bcounter c[MC_MAX_COUNTERS];
	int nc;
	long long blink_timer;   /* 0: none armed */
	bool port_ok;            /* the port is open */
	char port_text[160];     /* the port's last news */
};

static struct bcounter *by_addr(struct busout *b, int addr)
{
	for (int i = 0; i < b->nc; i++)
		if (b->c[i].addr == addr)
			return &b->c[i];
	return NULL;
}

static struct bcounter *by_number(struct busout *b, int number)
{
	for (int i = 0; i < b->nc; i++)
		if (b->c[i].number == number)
			return &b->c[i];
	return NULL;
}

/* Computes every counter's display and hands it to the bus thread, which
 * writes only what changed. */
static void refresh(struct busout *b)
{
	const struct mc_engine *e = mc_app_engine(b->app);
	const struct mc_config *cfg = mc_app_config(b->app);
	int64_t now = mc_mono_ms();

	for (int i = 0; i < b->nc; i++) {
		const struct mc_counter_state *cs = mc_engine_counter_state(e, b->c[i].number);
		const struct mc_ticket *t = cs && cs->current ? mc_engine_ticket(e, cs->current) : NULL;
		struct mc_bus_display d = { .brightness = (unsigned)cfg->bus.brightness };
		int w = mc_engine_waiting_for_counter(e, b->c[i].number);

		if (t)
			snprintf(d.text, sizeof(d.text), "%s", t->label);
		d.waiting = w > 0 ? (unsigned)w : 0;
		d.blink = now < b->c[i].blink_until;
		d.paused = cs && cs->paused;
		mc_bus_set_display(b->bus, b->c[i].addr, &d);
	}
}

static int64_t on_blink_timer(struct mc_loop *loop, long long id, void *ctx)
{
	struct busout *b = ctx;
	int64_t now = mc_mono_ms(), next = -1;

	(void)loop;
	(void)id;
	refresh(b);
	for (int i = 0; i < b->nc; i++)
		if (b->c[i].blink_until > now && (next < 0 || b->c[i].blink_until - now < next))
			next = b->c[i].blink_until - now;
	if (next < 0)
		b->blink_timer = 0;
	return next < 0 ? -1 : next + 1;
}

/* ---- output ops ------------------------------------------------------- */

static void called(void *priv, int counter, const struct mc_ticket *t, enum mc_event_kind kind)
{
	struct busout *b = priv;
	const struct mc_config *cfg = mc_app_config(b->app);
	struct bcounter *c = by_number(b, counter);

	(void)t;
	(void)kind;
	if (!c || cfg->bus.blink_ms <= 0)
		return;
	c->blink_until = mc_mono_ms() + cfg->bus.blink_ms;
	if (!b->blink_timer)
		b->blink_timer = mc_loop_add_timer(mc_app_loop(b->app), cfg->bus.blink_ms + 1,
						   on_blink_timer, b);
}

static void changed(void *priv) { refresh(priv); }

/* The bus as kioskctl shows it: state, a line for people, per-unit figures. */
static json_t *bus_json(struct busout *b)
{
	const struct mc_config *cfg = mc_app_config(b->app);
	struct mc_bus_stats st;
	json_t *units = json_array();
	int online = 0;
	uint64_t crc = 0, garbage = 0, timeouts = 0, lost = 0, unknown = 0;
	char offline[128] = "";
	size_t olen = 0;

	mc_bus_stats(b->bus, &st);
	for (int i = 0; i < b->nc; i++) {
		struct mc_bus_unit_stats u;
		struct bcounter *c = &b->c[i];
		if (mc_bus_unit_stats(b->bus, c->addr, &u) < 0)
			continue;
		online += u.online;
		crc += u.crc_errors;
		garbage += u.garbage + u.exceptions;
		timeouts += u.timeouts;
		lost += u.lost;
		unknown += u.unknown;
		if (!u.online && olen < sizeof(offline) - 8)
			olen += (size_t)snprintf(offline + olen, sizeof(offline) - olen, "%s%d",
						 olen ? ", " : "", c->addr);
		json_array_append_new(units, json_pack(
			"{s:i, s:i, s:b, s:b, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			" s:I, s:I, s:I, s:I, s:I, s:s, s:s}",
			"addr", c->addr, "counter", c->number, "online", u.online, "seen", u.seen,
			"seq", (int)u.seq, "polls", (json_int_t)u.polls, "ok", (json_int_t)u.ok,
			"timeouts", (json_int_t)u.timeouts, "crc_errors", (json_int_t)u.crc_errors,
			"garbage", (json_int_t)u.garbage, "exceptions", (json_int_t)u.exceptions,
			"writes", (json_int_t)u.writes, "write_errors", (json_int_t)u.write_errors,
			"presses", (json_int_t)u.presses, "lost", (json_int_t)u.lost,
			"unknown", (json_int_t)u.unknown, "offline_count", (json_int_t)u.offline_count,
			"applied", (json_int_t)c->applied, "refused", (json_int_t)c->refused,
			"ignored", (json_int_t)c->ignored, "last_error", u.last_error, "last_press", c->last));
		json_t *row = json_array_get(units, json_array_size(units) - 1);
		json_object_set_new(row, "restarts", json_integer((json_int_t)u.restarts));
		json_object_set_new(row, "write_rejects", json_integer((json_int_t)u.write_rejects));
		json_object_set_new(row, "fault", json_string(u.fault));
	}
	const char *state = !st.port_open ? "down" : online == b->nc ? "ok" : "degraded";
	char text[400];
	if (!st.port_open)
		snprintf(text, sizeof(text), "cổng lỗi / port down: %s", st.port_error);
	else
		snprintf(text, sizeof(text),
			 "%d/%d đơn vị trực tuyến / units online%s%s%s; CRC %llu, rác/garbage %llu, "
			 "hết giờ/timeouts %llu, mất/lost %llu, mã lạ/unknown %llu; vòng/round %.0f ms",
			 online, b->nc, *offline ? " (offline: " : "", offline, *offline ? ")" : "",
			 (unsigned long long)crc, (unsigned long long)garbage,
			 (unsigned long long)timeouts, (unsigned long long)lost,
			 (unsigned long long)unknown, st.round_ms_avg);
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:b, s:b, s:I, s:f, s:f, s:o}", "state", state,
			 "text", text, "device", cfg->bus.device, "baud", cfg->bus.baud,
			 "framing", (char[]){ (char)('0' + cfg->bus.data_bits), cfg->bus.parity,
					      (char)('0' + cfg->bus.stop_bits), 0 },
			 "port_open", st.port_open, "rs485_kernel", st.rs485_kernel,
			 "rounds", (json_int_t)st.rounds, "round_ms", st.round_ms,
			 "round_ms_avg", st.round_ms_avg, "units", units);
}

static void status(void *priv, json_t *obj)
{
	json_object_set_new(obj, "bus", bus_json(priv));
}

static enum mc_ctl_result cmd_bus(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	(void)req;
	(void)client;
	json_object_set_new(resp, "bus", bus_json(ctx));
	return MC_CTL_OK;
}

static void release(void *priv)
{
	struct busout *b = priv;

	if (b->blink_timer)
		mc_loop_del_timer(mc_app_loop(b->app), b->blink_timer);
	if (b->bus) {
		mc_loop_del_fd(mc_app_loop(b->app), mc_bus_event_fd(b->bus));
		mc_bus_close(b->bus);
	}
	free(b);
}

static const struct mc_output_ops bus_ops = {
	.name = "bus",
	.called = called,
	.changed = changed,
	.status = status,
	.free = release,
};

/* ---- presses ---------------------------------------------------------- */

/* A key press waiting for the store: answered in order like the socket's
 * and the screen's (a busy database delays it up to [office] store_wait
 * instead of refusing it at once). Waiting writes are answered before the
 * outputs are freed (mc_app_free), so b and c outlive it. */
struct bpress {
	struct busout *b;
	struct bcounter *c;
	enum mc_bus_key key;
	uint16_t seq;
};

static void press_done(void *ctx, enum mc_err err, const struct mc_issue *is, const struct mc_ticket *t,
		       const char *why)
{
	struct bpress *bp = ctx;
	struct bcounter *c = bp->c;

	(void)is;
	(void)why;
	if (err == MC_OK) {
		bool tk = t && t->id;
		c->applied++;
		snprintf(c->last, sizeof(c->last), "%s%s%s", mc_bus_key_name(bp->key), tk ? " " : "",
			 tk ? t->label : "");
		mc_log(MC_LOG_INFO, "bus: unit %d (counter %d): %s (press %u)%s%s", c->addr, c->number,
		       mc_bus_key_name(bp->key), bp->seq, tk ? " ticket " : "", tk ? t->label : "");
	} else {
		c->refused++;
		snprintf(c->last, sizeof(c->last), "%s: %s", mc_bus_key_name(bp->key), mc_err_token(err));
		mc_log(MC_LOG_NOTICE, "bus: unit %d (counter %d): %s (press %u) refused: %s", c->addr,
		       c->number, mc_bus_key_name(bp->key), bp->seq, mc_err_message(err, "en"));
	}
	free(bp);
}

/* Turns one key code of unit c into a counter action. */
static void press(struct busout *b, struct bcounter *c, uint16_t code, uint16_t seq)
{
	const struct mc_config *cfg = mc_app_config(b->app);
	int arg;
	enum mc_bus_key key = mc_bus_key_decode(code, &arg);
	enum mc_action act;

	switch (key) {
	case MC_BUS_KEY_NEXT: act = MC_A_NEXT; arg = mc_app_key_hold(b->app, act); break;
	case MC_BUS_KEY_RECALL: act = MC_A_RECALL; break;
	case MC_BUS_KEY_NOSHOW: act = MC_A_NOSHOW; break;
	case MC_BUS_KEY_FINISH: act = MC_A_FINISH; break;
	case MC_BUS_KEY_PAUSE: act = MC_A_PAUSE_TOGGLE; break;
	case MC_BUS_KEY_PRIORITY: act = MC_A_PRIORITY_NEXT; arg = mc_app_key_hold(b->app, act); break;
	case MC_BUS_KEY_TRANSFER:
		act = MC_A_TRANSFER;
		if (arg > cfg->nservices) {
			c->ignored++;
			snprintf(c->last, sizeof(c->last), "transfer %d: no such service", arg);
			mc_log(MC_LOG_WARNING, "bus: unit %d (counter %d): transfer to service %d ignored: "
			       "board.conf has %d services", c->addr, c->number, arg, cfg->nservices);
			return;
		}
		arg -= 1; /* 1-based on the wire, an index in the engine */
		break;
	case MC_BUS_KEY_RATE: act = MC_A_RATE; break;
	case MC_BUS_KEY_LOGIN: act = MC_A_LOGIN; break;
	case MC_BUS_KEY_LOGOUT: act = MC_A_LOGOUT; break;
	default:
		c->ignored++;
		snprintf(c->last, sizeof(c->last), "unknown code 0x%04x", code);
		mc_log(MC_LOG_WARNING, "bus: unit %d (counter %d): unknown key code 0x%04x (press %u) ignored",
		       c->addr, c->number, code, seq);
		return;
	}
	struct bpress *bp = malloc(sizeof(*bp));
	if (!bp) {
		c->refused++;
		mc_log(MC_LOG_ERR, "bus: unit %d (counter %d): %s (press %u) dropped: out of memory", c->addr,
		       c->number, mc_bus_key_name(key), seq);
		return;
	}
	*bp = (struct bpress){ b, c, key, seq };
	mc_app_submit_counter(b->app, c->number, act, arg, press_done, bp);
}

static void on_events(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct busout *b = ctx;
	struct mc_bus_event ev[32];
	size_t n;

	(void)loop;
	(void)fd;
	(void)mask;
	while ((n = mc_bus_take_events(b->bus, ev, sizeof(ev) / sizeof(ev[0]))) > 0) {
		for (size_t i = 0; i < n; i++) {
			struct bcounter *c = by_addr(b, ev[i].addr);
			switch (ev[i].kind) {
			case MC_BUS_EV_KEY:
				if (c)
					press(b, c, ev[i].code, ev[i].seq);
				break;
			case MC_BUS_EV_LOST:
				mc_log(MC_LOG_WARNING, "bus: unit %d (counter %d): %u presses lost "
				       "(more than 8 between two polls)", ev[i].addr, c ? c->number : 0, ev[i].lost);
				break;
			case MC_BUS_EV_ONLINE:
				mc_log(MC_LOG_NOTICE, "bus: unit %d (counter %d) answers", ev[i].addr,
				       c ? c->number : 0);
				break;
			case MC_BUS_EV_OFFLINE:
				mc_log(MC_LOG_WARNING, "bus: unit %d (counter %d) is offline after %d missed "
				       "polls (%s); polling it every %d ms", ev[i].addr, c ? c->number : 0,
				       MC_BUS_OFFLINE_MISSES, ev[i].text, mc_app_config(b->app)->bus.offline_poll_ms);
				break;
			case MC_BUS_EV_RESTART:
				mc_log(MC_LOG_NOTICE, "bus: unit %d (counter %d) restarted (sequence back to %u); "
				       "its presses since are applied", ev[i].addr, c ? c->number : 0,
				       (unsigned)ev[i].seq);
				break;
			case MC_BUS_EV_FAULT:
				if (ev[i].text[0])
					mc_log(MC_LOG_WARNING, "bus: unit %d (counter %d) answers but refuses: %s; "
					       "still polled, the write is retried less often", ev[i].addr,
					       c ? c->number : 0, ev[i].text);
				else
					mc_log(MC_LOG_NOTICE, "bus: unit %d (counter %d) accepts requests again",
					       ev[i].addr, c ? c->number : 0);
				break;
			case MC_BUS_EV_PORT:
				b->port_ok = ev[i].ok;
				snprintf(b->port_text, sizeof(b->port_text), "%s", ev[i].text);
				mc_log(ev[i].ok ? MC_LOG_NOTICE : MC_LOG_ERR, "bus: %s%s", ev[i].text,
				       ev[i].ok ? "" : "; counters keep working from kioskctl, retrying");
				break;
			}
		}
	}
	mc_bus_handled(b->bus);
}

/* The counter bus, when board.conf has [bus] and counters with unit =
 * bus:ADDR: presses become counter actions, displays follow the queue. A
 * missing port is not an error (it is retried and reported). */
static int service_start(struct mc_app *app, void *priv, char *errmsg, size_t errlen)
{
	const struct mc_config *cfg = mc_app_config(app);
	struct busout *b;
	int addrs[MC_MAX_COUNTERS];
	char err[256];

	(void)priv;
	snprintf(errmsg, errlen, "cannot start the counter bus");
	if (!cfg->bus.present)
		return 0;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	b->app = app;
	for (int i = 0; i < cfg->ncounters; i++) {
		if (!cfg->counters[i].bus_addr)
			continue;
		b->c[b->nc].number = cfg->counters[i].number;
		b->c[b->nc].addr = cfg->counters[i].bus_addr;
		addrs[b->nc++] = cfg->counters[i].bus_addr;
	}
	if (!b->nc) {
		mc_log(MC_LOG_NOTICE, "bus: [bus] is set but no counter has unit = bus:ADDR; not started");
		free(b);
		return 0;
	}
	struct mc_bus_options o = {
		.device = cfg->bus.device, .baud = cfg->bus.baud, .parity = cfg->bus.parity,
		.data_bits = cfg->bus.data_bits, .stop_bits = cfg->bus.stop_bits,
		.timeout_ms = cfg->bus.timeout_ms, .poll_ms = cfg->bus.poll_ms,
		.offline_poll_ms = cfg->bus.offline_poll_ms, .addrs = addrs, .naddrs = b->nc,
	};
	b->bus = mc_bus_open(&o, err, sizeof(err));
	if (!b->bus) {
		mc_log(MC_LOG_ERR, "%s", err);
		free(b);
		return -1;
	}
	if (mc_loop_add_fd(mc_app_loop(app), mc_bus_event_fd(b->bus), MC_READ, on_events, b) < 0 ||
	    mc_app_add_output(app, &bus_ops, b) < 0) {
		mc_bus_close(b->bus);
		free(b);
		return -1;
	}
	mc_ctl_register(mc_app_ctl(app), "bus", "counter bus: line and unit figures", cmd_bus, b);
	mc_log(MC_LOG_NOTICE, "bus: %d counter units on %s, %d baud", b->nc, cfg->bus.device, cfg->bus.baud);
	return 0;
}

const struct mc_service mc_service_bus = {
	.name = "bus",
	.start = service_start,
	.exit_code = 1,
};
