/* engine.c — the queue rules (see engine.h). Pure: no I/O, no clock. */
#include "engine.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAPS 64       /* recent presses remembered for double-tap checks */
#define RECENT 64     /* service times remembered per counter (max) */

/* A recent press, for double-tap protection. */
struct tap {
	char source[48];     /* input that pressed */
	int service;         /* service pressed */
	bool priority;       /* priority entry */
	int64_t mono, boot;  /* when */
	int64_t ticket;      /* ticket it issued */
};

/* Numbering of one service on the current day. */
struct numbering {
	bool any;            /* a ticket was issued today */
	int last;            /* last number issued */
	int round;           /* wraps so far today */
};

/* Recent service times of one counter, a ring. */
struct recent {
	int64_t ms[RECENT];  /* durations */
	int n;               /* filled */
	int next;            /* slot to write */
};

struct mc_engine {
	const struct mc_config *cfg;   /* rules and hardware; outlives us */
	int32_t day;                   /* current local day */
	int64_t next_id;               /* id of the next ticket */
	struct mc_ticket *tickets;     /* today's and open tickets, by id */
	size_t nt, cap;
	struct numbering num[MC_MAX_SERVICES];
	struct mc_counter_state counters[MC_MAX_COUNTERS]; /* as cfg->counters */
	struct tap taps[TAPS];         /* ring of recent presses */
	int tap_next;
	enum mc_printer_ok printer;
	bool issuing_paused;
	enum mc_err clock_hold;        /* MC_OK or why the clock stops issuing */
	struct journal *j;             /* the open savepoint's before-images */
	/* Last, and apart from the savepoint's copy of the rest: 33 KB that
	 * only a finish changes, saved one counter at a time (save_recent). */
	struct recent recent[MC_MAX_COUNTERS];
};

/* What mc_engine_savepoint copies whole: every field before recent[]. */
#define HEAD_BYTES offsetof(struct mc_engine, recent)
_Static_assert(offsetof(struct mc_engine, recent) + sizeof(((struct mc_engine *)0)->recent) ==
		       sizeof(struct mc_engine),
	       "recent[] is the engine's last field, outside HEAD_BYTES");

/* What mc_engine_rollback puts back: the engine's own fields as they were
 * at the savepoint (head, its first HEAD_BYTES; head_nt is the ticket
 * count then), each counter's service-time ring saved once before its first
 * change (recent_saved), and the tickets changed since, each saved once
 * just before its first change (saved, by index), or all of them at once
 * before a change that moves tickets in the array (all: a rollover, an
 * insert out of id order). Tickets added since the savepoint are dropped
 * by head_nt. Costs what changed, not the whole queue: a refused press
 * copies no ticket, and only a finish copies a ring. */
struct saved_ticket {
	size_t at;                     /* index in e->tickets */
	struct mc_ticket t;            /* as it was */
};
struct journal {
	bool on;                       /* a savepoint is open */
	bool all;                      /* all_tickets holds [0, head_nt) */
	unsigned char head[HEAD_BYTES]; /* the engine's first HEAD_BYTES, copied */
	size_t head_nt;                /* e->nt at the savepoint */
	struct saved_ticket *saved;
	size_t nsaved, cap_saved;
	struct mc_ticket *all_tickets; /* room for head_nt, reserved at the savepoint */
	size_t cap_all;
	bool recent_saved[MC_MAX_COUNTERS]; /* recent_before[ci] holds the ring */
	struct recent recent_before[MC_MAX_COUNTERS];
};

/* ---- names ------------------------------------------------------------- */

static const char *const status_names[] = {
	"waiting", "called", "finished", "noshow", "voided", "expired",
};
static const char *const print_names[] = { "none", "pending", "printed", "failed", "in_doubt" };
static const char *const event_names[] = {
	"issue", "printed", "print_failed", "call", "recall", "noshow", "reactivate",
	"finish", "transfer", "pause", "resume", "login", "logout", "rate", "void",
	"expire", "rollover", "print_in_doubt",
};

const char *mc_ticket_status_name(enum mc_ticket_status s) { return status_names[s]; }
const char *mc_print_status_name(enum mc_print_status s) { return print_names[s]; }
const char *mc_event_kind_name(enum mc_event_kind k) { return event_names[k]; }

int mc_ticket_status_from_name(const char *s)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(*status_names); i++)
		if (!strcmp(s, status_names[i]))
			return (int)i;
	return -1;
}

int mc_print_status_from_name(const char *s)
{
	for (size_t i = 0; i < sizeof(print_names) / sizeof(*print_names); i++)
		if (!strcmp(s, print_names[i]))
			return (int)i;
	return -1;
}

/* Messages: Vietnamese first, English second. */
static const struct {
	const char *token, *vi, *en;
} errs[] = {
	[MC_OK] = { "ok", "Thành công", "Done" },
	[MC_E_CLOSED] = { "closed", "Ngoài giờ làm việc", "The office is closed" },
	[MC_E_NO_SERVICE] = { "no_service", "Không có lĩnh vực này", "No such service" },
	[MC_E_NO_COUNTER] = { "no_counter", "Không có quầy này", "No such counter" },
	[MC_E_NOT_SERVED] = { "not_served", "Quầy không phục vụ lĩnh vực này", "The counter does not serve that service" },
	[MC_E_EXHAUSTED] = { "exhausted", "Đã hết số thứ tự hôm nay", "No numbers left today" },
	[MC_E_PAUSED] = { "paused", "Quầy đang tạm dừng", "The counter is paused" },
	[MC_E_EMPTY] = { "empty", "Không còn ai chờ", "Nobody is waiting" },
	[MC_E_NO_CURRENT] = { "no_current", "Quầy chưa gọi số nào", "The counter is serving no ticket" },
	[MC_E_PRINTER] = { "printer", "Máy in không in được, xin vui lòng báo cán bộ", "The printer cannot print; please tell the staff" },
	[MC_E_NO_TICKET] = { "no_ticket", "Không tìm thấy số này", "No such ticket" },
	[MC_E_TOO_LATE] = { "too_late", "Đã quá thời gian cho phép", "Too late to reactivate" },
	[MC_E_RATED] = { "rated", "Số này đã được đánh giá", "That ticket is already rated" },
	[MC_E_BAD_ARG] = { "bad_arg", "Giá trị không hợp lệ", "Invalid value" },
	[MC_E_ISSUING_PAUSED] = { "issuing_paused", "Tạm dừng cấp số", "Ticket issuing is paused" },
	[MC_E_NOMEM] = { "nomem", "Lỗi hệ thống (hết bộ nhớ)", "System error (out of memory)" },
	[MC_E_STORE] = { "store", "Lỗi lưu dữ liệu, xin vui lòng báo cán bộ", "Could not save; please tell the staff" },
	[MC_E_CLOCK_UNTRUSTED] = { "clock_untrusted", "Đồng hồ chưa được xác nhận — tạm ngừng cấp số",
				   "The clock is not confirmed yet — ticket issuing is paused" },
	[MC_E_CLOCK_SETTLING] = { "clock_settling", "Đồng hồ vừa nhảy sang ngày khác — tạm ngừng cấp số trong giây lát",
				  "The clock jumped to another day — issuing pauses for a moment" },
	[MC_E_CLOCK_BEHIND] = { "clock_behind", "Đồng hồ lùi về trước ngày làm việc — tạm ngừng cấp số",
				"The clock went back before the office day — ticket issuing is paused" },
	[MC_E_PRINTER_BUSY] = { "printer_busy", "Máy in đang bận, xin vui lòng bấm lại sau giây lát",
				"The printer is busy; please press again in a moment" },
};

const char *mc_err_message(enum mc_err err, const char *lang)
{
	return lang && !strcmp(lang, "en") ? errs[err].en : errs[err].vi;
}

const char *mc_err_token(enum mc_err err)
{
	return errs[err].token;
}

/* ---- changes ----------------------------------------------------------- */

void mc_changes_clear(struct mc_changes *ch)
{
	ch->ntickets = ch->ncounters = ch->nevents = 0;
}

void mc_changes_free(struct mc_changes *ch)
{
	free(ch->tickets);
	free(ch->counters);
	free(ch->events);
	memset(ch, 0, sizeof(*ch));
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static bool ch_ticket(struct mc_changes *ch, const struct mc_ticket *t)
{
	for (size_t i = 0; i < ch->ntickets; i++)
		if (ch->tickets[i].id == t->id) {
			ch->tickets[i] = *t;
			return true;
		}
	if (!grow((void **)&ch->tickets, &ch->cap_tickets, ch->ntickets + 1, sizeof(*t)))
		return false;
	ch->tickets[ch->ntickets++] = *t;
	return true;
}

static bool ch_counter(struct mc_changes *ch, const struct mc_counter_state *c)
{
	for (size_t i = 0; i < ch->ncounters; i++)
		if (ch->counters[i].number == c->number) {
			ch->counters[i] = *c;
			return true;
		}
	if (!grow((void **)&ch->counters, &ch->cap_counters, ch->ncounters + 1, sizeof(*c)))
		return false;
	ch->counters[ch->ncounters++] = *c;
	return true;
}

static bool ch_event(struct mc_changes *ch, enum mc_event_kind kind, int64_t ticket,
		     const struct mc_counter_state *c, int value)
{
	if (!grow((void **)&ch->events, &ch->cap_events, ch->nevents + 1, sizeof(*ch->events)))
		return false;
	ch->events[ch->nevents++] = (struct mc_event){
		.kind = kind,
		.ticket = ticket,
		.counter = c ? c->number : 0,
		.clerk = c ? c->clerk : 0,
		.value = value,
	};
	return true;
}

int mc_changes_append(struct mc_changes *dst, const struct mc_changes *src)
{
	if (!grow((void **)&dst->tickets, &dst->cap_tickets, dst->ntickets + src->ntickets + 1,
		  sizeof(*dst->tickets)) ||
	    !grow((void **)&dst->counters, &dst->cap_counters, dst->ncounters + src->ncounters + 1,
		  sizeof(*dst->counters)) ||
	    !grow((void **)&dst->events, &dst->cap_events, dst->nevents + src->nevents + 1,
		  sizeof(*dst->events)))
		return -1;
	/* An empty part of src may have no array at all. */
	if (src->ntickets)
		memcpy(dst->tickets + dst->ntickets, src->tickets, src->ntickets * sizeof(*src->tickets));
	if (src->ncounters)
		memcpy(dst->counters + dst->ncounters, src->counters, src->ncounters * sizeof(*src->counters));
	if (src->nevents)
		memcpy(dst->events + dst->nevents, src->events, src->nevents * sizeof(*src->events));
	dst->ntickets += src->ntickets;
	dst->ncounters += src->ncounters;
	dst->nevents += src->nevents;
	dst->when = src->when;
	dst->day = src->day;
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* Elapsed ms from a to b: monotonic when both are in one boot, else the
 * wall clock, never negative. */
static int64_t elapsed(int64_t mono_a, int64_t boot_a, int64_t wall_a,
		       int64_t mono_b, int64_t boot_b, int64_t wall_b)
{
	int64_t d = boot_a == boot_b ? mono_b - mono_a : wall_b - wall_a;
	return d < 0 ? 0 : d;
}

int64_t mc_ticket_waited_ms(const struct mc_ticket *t, const struct mc_when *now)
{
	if (t->wait_ms >= 0)
		return t->wait_ms;
	if (t->status != MC_T_WAITING)
		return -1;
	return elapsed(t->issued_mono, t->issued_boot, t->issued_wall, now->mono_ms, now->boot, now->wall_ms);
}

/* The ticket with this id, or NULL, for reading. */
static const struct mc_ticket *look(const struct mc_engine *e, int64_t id)
{
	/* Tickets are kept in id order: binary search. */
	size_t lo = 0, hi = e->nt;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (e->tickets[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nt && e->tickets[lo].id == id ? &e->tickets[lo] : NULL;
}

/* Saves every ticket of the savepoint before the array is rearranged. The
 * room was reserved by mc_engine_savepoint, so this cannot fail. */
static void journal_all(struct mc_engine *e)
{
	struct journal *j = e->j;

	if (!j->on || j->all)
		return;
	if (j->head_nt)
		memcpy(j->all_tickets, e->tickets, j->head_nt * sizeof(*e->tickets));
	j->all = true;
}

/* Every change to a ticket that was there at the savepoint goes through
 * here first: saves it as it is (once). Returns t. */
static struct mc_ticket *edit(struct mc_engine *e, struct mc_ticket *t)
{
	struct journal *j = e->j;

	if (!t || !j->on || j->all)
		return t;
	size_t at = (size_t)(t - e->tickets);
	if (at >= j->head_nt)
		return t; /* new since the savepoint: rollback drops it */
	for (size_t i = 0; i < j->nsaved; i++)
		if (j->saved[i].at == at)
			return t;
	if (!grow((void **)&j->saved, &j->cap_saved, j->nsaved + 1, sizeof(*j->saved))) {
		/* No room for one more: save them all instead (reserved); the
		 * ones saved already are put back over that copy. */
		journal_all(e);
		return t;
	}
	j->saved[j->nsaved].at = at;
	j->saved[j->nsaved].t = *t;
	j->nsaved++;
	return t;
}

/* The ticket with this id, or NULL, to change. */
static struct mc_ticket *find(struct mc_engine *e, int64_t id)
{
	return edit(e, (struct mc_ticket *)look(e, id));
}

static int counter_index(const struct mc_engine *e, int number)
{
	return mc_config_counter_index(e->cfg, number);
}

static bool is_open_status(enum mc_ticket_status s)
{
	return s == MC_T_WAITING || s == MC_T_CALLED || s == MC_T_NOSHOW;
}

/* May a counter call this waiting ticket now? A pending print is not paper
 * yet (its outcome comes in a moment); printed, in doubt and failed-but-shown
 * tickets are held by a citizen, on paper or in mind. Voided ones are not
 * waiting. */
static bool callable(const struct mc_ticket *t)
{
	return t->status == MC_T_WAITING && t->print != MC_P_PENDING;
}

/* A no-show reactivated while its counter was busy: waiting again, with
 * the no-show time kept, for the counter that marked it (t->counter). */
static bool reactivated(const struct mc_ticket *t)
{
	return t->status == MC_T_WAITING && t->finished_wall != 0;
}

static bool counted_waiting(const struct mc_ticket *t)
{
	return t->status == MC_T_WAITING;
}

static bool insert(struct mc_engine *e, const struct mc_ticket *t)
{
	if (!grow((void **)&e->tickets, &e->cap, e->nt + 1, sizeof(*t)))
		return false;
	size_t i = e->nt;
	if (i > 0 && e->tickets[i - 1].id > t->id)
		journal_all(e); /* out of id order: tickets move */
	while (i > 0 && e->tickets[i - 1].id > t->id) {
		e->tickets[i] = e->tickets[i - 1];
		i--;
	}
	e->tickets[i] = *t;
	e->nt++;
	return true;
}

/* Every change to a counter's service-time ring goes through here first:
 * saves the ring as it was at the savepoint (once). Cannot fail: the room
 * is in the journal. */
static void save_recent(struct mc_engine *e, int ci)
{
	struct journal *j = e->j;

	if (j->on && !j->recent_saved[ci]) {
		j->recent_before[ci] = e->recent[ci];
		j->recent_saved[ci] = true;
	}
}

/* Before every ring is cleared (a restore, a rollover). */
static void clear_recent(struct mc_engine *e)
{
	for (int ci = 0; ci < MC_MAX_COUNTERS; ci++)
		save_recent(e, ci);
	memset(e->recent, 0, sizeof(e->recent));
}

static void push_recent(struct mc_engine *e, int ci, int64_t ms)
{
	struct recent *r = &e->recent[ci];
	int cap = e->cfg->office.recent_services < RECENT ? e->cfg->office.recent_services : RECENT;

	if (cap < 1)
		cap = 1;
	save_recent(e, ci);
	r->ms[r->next] = ms;
	r->next = (r->next + 1) % cap;
	if (r->n < cap)
		r->n++;
}

/* ---- lifecycle --------------------------------------------------------- */

struct mc_engine *mc_engine_new(const struct mc_config *cfg)
{
	assert(cfg && cfg->nservices <= MC_MAX_SERVICES && cfg->ncounters <= MC_MAX_COUNTERS);
	struct mc_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->j = calloc(1, sizeof(*e->j));
	if (!e->j) {
		free(e);
		return NULL;
	}
	e->cfg = cfg;
	e->next_id = 1;
	e->printer = cfg->printer.present ? MC_PRINTER_READY : MC_PRINTER_ABSENT;
	for (int i = 0; i < cfg->ncounters; i++)
		e->counters[i].number = cfg->counters[i].number;
	return e;
}

void mc_engine_free(struct mc_engine *e)
{
	if (!e)
		return;
	free(e->j->saved);
	free(e->j->all_tickets);
	free(e->j);
	free(e->tickets);
	free(e);
}

void mc_engine_restore_begin(struct mc_engine *e, int32_t day, int64_t next_id)
{
	journal_all(e);
	e->day = day;
	e->next_id = next_id > 0 ? next_id : 1;
	e->nt = 0;
	memset(e->num, 0, sizeof(e->num));
	clear_recent(e);
	memset(e->taps, 0, sizeof(e->taps));
	for (int i = 0; i < e->cfg->ncounters; i++)
		e->counters[i] = (struct mc_counter_state){ .number = e->cfg->counters[i].number };
}

int mc_engine_restore_ticket(struct mc_engine *e, const struct mc_ticket *t)
{
	if (t->service < 0 || t->service >= e->cfg->nservices ||
	    t->cur_service < 0 || t->cur_service >= e->cfg->nservices)
		return -1;
	if (!insert(e, t))
		return -1;
	if (t->id >= e->next_id)
		e->next_id = t->id + 1;
	if (t->day == e->day) {
		struct numbering *n = &e->num[t->service];
		/* The last ticket issued (highest id) sets the numbering. */
		n->any = true;
		n->last = t->number;
		n->round = t->round;
	}
	int ci = counter_index(e, t->counter);
	if (ci >= 0 && t->status == MC_T_FINISHED && t->service_ms >= 0 && t->day == e->day)
		push_recent(e, ci, t->service_ms);
	return 0;
}

void mc_engine_restore_counter(struct mc_engine *e, const struct mc_counter_state *c)
{
	int ci = counter_index(e, c->number);

	if (ci >= 0)
		e->counters[ci] = *c;
}

int mc_engine_restore_end(struct mc_engine *e, const struct mc_when *w, struct mc_changes *ch)
{
	mc_changes_clear(ch);
	ch->when = *w;
	for (size_t i = 0; i < e->nt; i++) {
		struct mc_ticket *t = &e->tickets[i];
		if (t->print != MC_P_PENDING)
			continue;
		edit(e, t);
		/* Its printing never reported back: it may be on paper, so it
		 * is never printed again and stays in the queue like any other. */
		t->print = MC_P_IN_DOUBT;
		if (!ch_ticket(ch, t) || !ch_event(ch, MC_EV_PRINT_IN_DOUBT, t->id, NULL, 0))
			return -1;
	}
	for (int ci = 0; ci < e->cfg->ncounters; ci++) {
		struct mc_counter_state *c = &e->counters[ci];
		const struct mc_ticket *t = c->current ? look(e, c->current) : NULL;
		if (c->current && (!t || t->status != MC_T_CALLED || t->counter != c->number)) {
			c->current = 0;
			if (!ch_counter(ch, c))
				return -1;
		}
	}
	ch->day = e->day;
	return 0;
}

/* ---- opening hours and the day ----------------------------------------- */

static bool closed_day(const struct mc_config *cfg, int32_t day)
{
	for (int i = 0; i < cfg->office.nclosed; i++)
		if (day >= cfg->office.closed[i].first && day <= cfg->office.closed[i].last)
			return true;
	return false;
}

bool mc_engine_is_open(const struct mc_engine *e, const struct mc_when *w,
		       int32_t *next_day, int *next_minute)
{
	const struct mc_office_conf *o = &e->cfg->office;

	if (!closed_day(e->cfg, w->day)) {
		int wd = mc_weekday(w->day);
		for (int i = 0; i < o->nhours[wd]; i++)
			if (w->minute >= o->hours[wd][i].from && w->minute < o->hours[wd][i].to)
				return true;
	}
	if (!next_day)
		return false;
	/* The next span that starts after now, looking a year ahead. */
	for (int32_t d = w->day; d <= w->day + 366; d++) {
		if (closed_day(e->cfg, d))
			continue;
		int wd = mc_weekday(d);
		for (int i = 0; i < o->nhours[wd]; i++) {
			if (d == w->day && o->hours[wd][i].from <= w->minute)
				continue;
			*next_day = d;
			*next_minute = o->hours[wd][i].from;
			return false;
		}
	}
	*next_day = w->day;
	*next_minute = -1;
	return false;
}

/* Moves to w's day if it is later: open tickets of earlier days expire,
 * numbering restarts, counters are cleared and clerks logged out. A clock
 * that goes back never moves the day back (numbers would repeat). */
static enum mc_err rollover(struct mc_engine *e, const struct mc_when *w, struct mc_changes *ch)
{
	if (w->day <= e->day)
		return MC_OK;
	int32_t old = e->day;
	journal_all(e); /* yesterday's tickets leave the array */
	e->day = w->day;
	size_t keep = 0;
	for (size_t i = 0; i < e->nt; i++) {
		struct mc_ticket *t = &e->tickets[i];
		if (t->status == MC_T_WAITING || t->status == MC_T_CALLED) {
			t->status = MC_T_EXPIRED;
			t->finished_wall = w->wall_ms;
			if (!ch_ticket(ch, t) || !ch_event(ch, MC_EV_EXPIRE, t->id, NULL, 0))
				return MC_E_NOMEM;
		}
		/* Yesterday is history: it lives in the store, not in memory. */
		if (t->day >= e->day)
			e->tickets[keep++] = *t;
	}
	e->nt = keep;
	memset(e->num, 0, sizeof(e->num));
	clear_recent(e);
	for (int ci = 0; ci < e->cfg->ncounters; ci++) {
		struct mc_counter_state *c = &e->counters[ci];
		struct mc_counter_state fresh = { .number = c->number };
		if (!memcmp(c, &fresh, sizeof(fresh)))
			continue;
		if (c->clerk && !ch_event(ch, MC_EV_LOGOUT, 0, c, 0))
			return MC_E_NOMEM;
		*c = fresh;
		if (!ch_counter(ch, c))
			return MC_E_NOMEM;
	}
	if (!ch_event(ch, MC_EV_ROLLOVER, 0, NULL, (int)old))
		return MC_E_NOMEM;
	return MC_OK;
}

int32_t mc_engine_day(const struct mc_engine *e)
{
	return e->day;
}

static void begin(struct mc_engine *e, const struct mc_when *w, struct mc_changes *ch)
{
	/* Every engine call starts here: a missing engine, moment or change set
	 * is a caller's bug, not a queue state. */
	assert(e && w && ch);
	mc_changes_clear(ch);
	ch->when = *w;
	ch->day = e->day;
}

static enum mc_err end(struct mc_engine *e, struct mc_changes *ch, enum mc_err err)
{
	ch->day = e->day;
	return err;
}

enum mc_err mc_engine_tick(struct mc_engine *e, const struct mc_when *w, struct mc_changes *ch)
{
	begin(e, w, ch);
	return end(e, ch, rollover(e, w, ch));
}

/* ---- issuing ----------------------------------------------------------- */

/* Bits, one a number of the widest range board.conf takes. */
#define NUMBER_WORDS ((MC_NUMBER_MAX + 63) / 64)

/* Whether t, a ticket of today and of service s, still holds its number. */
static bool holds_number(const struct mc_engine *e, const struct mc_ticket *t, int s)
{
	return t->day == e->day && t->service == s && is_open_status(t->status);
}

/* Marks in open (bit k: number lo + k) the numbers of service s that an
 * open ticket of today holds: one pass over the tickets. Picking a number
 * after a wrap then costs the tickets plus the range, not their product.
 * Asking each candidate of its own, a press refused when 9,999 numbers
 * were all held took 76 ms at p50 (bench-engine), and a NEXT queued behind
 * four such presses 200 ms. */
static void open_numbers(const struct mc_engine *e, int s, uint64_t open[NUMBER_WORDS])
{
	const struct mc_service_conf *sc = &e->cfg->services[s];

	memset(open, 0, NUMBER_WORDS * sizeof(open[0]));
	for (size_t i = 0; i < e->nt; i++) {
		const struct mc_ticket *t = &e->tickets[i];
		if (!holds_number(e, t, s) || t->number < sc->lo || t->number > sc->hi)
			continue;
		unsigned k = (unsigned)(t->number - sc->lo);
		open[k / 64] |= 1ull << (k % 64);
	}
}

/* Whether an open ticket of today holds number of service s, asked of the
 * tickets themselves: for a number outside the range (one issued under an
 * earlier board.conf), which the bits do not cover. */
static bool number_held(const struct mc_engine *e, int s, int number)
{
	for (size_t i = 0; i < e->nt; i++) {
		const struct mc_ticket *t = &e->tickets[i];
		if (t->number == number && holds_number(e, t, s))
			return true;
	}
	return false;
}

/* Picks the next number of service s: the range in order, wrapping to the
 * start only past numbers whose holders are done. */
static enum mc_err next_number(struct mc_engine *e, int s, int *number, int *round)
{
	const struct mc_service_conf *sc = &e->cfg->services[s];
	struct numbering *n = &e->num[s];
	int span = sc->hi - sc->lo + 1;
	uint64_t open[NUMBER_WORDS];
	bool known = false;

	assert(sc->lo >= 1 && sc->hi <= MC_NUMBER_MAX); /* as config.c checks */
	if (!n->any) {
		*number = sc->lo;
		*round = 0;
		return MC_OK;
	}
	int cand = n->last, r = n->round;
	for (int tries = 0; tries < span; tries++) {
		if (cand >= sc->hi) {
			cand = sc->lo;
			r++;
		} else {
			cand++;
		}
		bool held = false;
		if (r > 0 && (cand < sc->lo || cand > sc->hi)) {
			held = number_held(e, s, cand);
		} else if (r > 0) {
			if (!known) {
				open_numbers(e, s, open);
				known = true;
			}
			unsigned k = (unsigned)(cand - sc->lo);
			held = open[k / 64] >> (k % 64) & 1;
		}
		if (!held) {
			*number = cand;
			*round = r;
			return MC_OK;
		}
	}
	return MC_E_EXHAUSTED;
}

static void make_label(const struct mc_service_conf *sc, int number, char *buf, size_t len)
{
	if (sc->prefix[0]) {
		int width = sc->hi >= 100 ? 3 : sc->hi >= 10 ? 2 : 1;
		snprintf(buf, len, "%s%0*d", sc->prefix, width, number);
	} else {
		snprintf(buf, len, "%d", number);
	}
}

static int ahead_of_new(const struct mc_engine *e, int service, bool priority)
{
	int n = 0;

	for (size_t i = 0; i < e->nt; i++) {
		const struct mc_ticket *t = &e->tickets[i];
		if (counted_waiting(t) && t->cur_service == service && (!priority || t->priority))
			n++;
	}
	return n;
}

int64_t mc_engine_estimate(const struct mc_engine *e, int service, bool priority)
{
	const struct mc_config *cfg = e->cfg;
	int64_t sum = 0;
	int nsum = 0, open = 0, serving = 0;

	for (int ci = 0; ci < cfg->ncounters; ci++) {
		if (!((cfg->counters[ci].services >> service) & 1u))
			continue;
		serving++;
		if (!e->counters[ci].paused)
			open++;
		for (int k = 0; k < e->recent[ci].n; k++) {
			sum += e->recent[ci].ms[k];
			nsum++;
		}
	}
	int64_t avg = nsum ? sum / nsum : (int64_t)cfg->services[service].default_service_s * 1000;
	if (!open)
		open = serving ? serving : 1;
	return (int64_t)ahead_of_new(e, service, priority) * avg / open;
}

static struct tap *find_tap(struct mc_engine *e, const struct mc_when *w, const char *source,
			    int service, bool priority)
{
	int64_t window = e->cfg->office.double_tap_ms;

	if (!source || !*source || window <= 0)
		return NULL;
	for (int i = 0; i < TAPS; i++) {
		struct tap *t = &e->taps[i];
		if (t->ticket && t->service == service && t->priority == priority &&
		    t->boot == w->boot && w->mono_ms - t->mono < window && w->mono_ms >= t->mono &&
		    !strcmp(t->source, source) && look(e, t->ticket))
			return t;
	}
	return NULL;
}

enum mc_err mc_engine_press(struct mc_engine *e, const struct mc_when *w, int service,
			    bool priority, const char *source, struct mc_issue *out,
			    struct mc_changes *ch)
{
	enum mc_err err;

	begin(e, w, ch);
	assert(out);
	memset(out, 0, sizeof(*out));
	if ((err = rollover(e, w, ch)) != MC_OK)
		return end(e, ch, err);
	if (service < 0 || service >= e->cfg->nservices)
		return end(e, ch, MC_E_NO_SERVICE);

	struct tap *tap = find_tap(e, w, source, service, priority);
	if (tap) {
		out->ticket = *look(e, tap->ticket);
		out->duplicate = true;
		out->ahead = ahead_of_new(e, service, priority);
		out->est_wait_ms = mc_engine_estimate(e, service, priority);
		return end(e, ch, MC_OK);
	}
	/* Before opening hours: those are read from the clock. */
	if (e->clock_hold != MC_OK)
		return end(e, ch, e->clock_hold);
	if (e->issuing_paused)
		return end(e, ch, MC_E_ISSUING_PAUSED);
	if (!mc_engine_is_open(e, w, &out->open_day, &out->open_minute))
		return end(e, ch, MC_E_CLOSED);

	enum mc_print_status ps = MC_P_NONE;
	if (e->printer == MC_PRINTER_READY)
		ps = MC_P_PENDING;
	else if (e->printer == MC_PRINTER_DOWN && e->cfg->printer.on_fail == MC_PRINT_FAIL_REFUSE)
		return end(e, ch, MC_E_PRINTER);
	else if (e->printer == MC_PRINTER_FULL && e->cfg->printer.on_fail == MC_PRINT_FAIL_REFUSE)
		return end(e, ch, MC_E_PRINTER_BUSY);
	else if (e->printer == MC_PRINTER_FULL)
		ps = MC_P_FAILED; /* shown on screen, never printed later */

	int number, round;
	if ((err = next_number(e, service, &number, &round)) != MC_OK)
		return end(e, ch, err);

	out->ahead = ahead_of_new(e, service, priority);
	out->est_wait_ms = mc_engine_estimate(e, service, priority);

	struct mc_ticket t = {
		.id = e->next_id,
		.service = service,
		.cur_service = service,
		.day = e->day,
		.round = round,
		.number = number,
		.priority = priority,
		.status = MC_T_WAITING,
		.print = ps,
		.issued_wall = w->wall_ms,
		.issued_mono = w->mono_ms,
		.issued_boot = w->boot,
		.wait_ms = -1,
		.service_ms = -1,
	};
	make_label(&e->cfg->services[service], number, t.label, sizeof(t.label));
	if (!insert(e, &t))
		return end(e, ch, MC_E_NOMEM);
	if (!ch_ticket(ch, &t) || !ch_event(ch, MC_EV_ISSUE, t.id, NULL, priority))
		return end(e, ch, MC_E_NOMEM);
	e->next_id++;
	e->num[service] = (struct numbering){ .any = true, .last = number, .round = round };

	if (source && *source) {
		struct tap *slot = &e->taps[e->tap_next];
		e->tap_next = (e->tap_next + 1) % TAPS;
		snprintf(slot->source, sizeof(slot->source), "%s", source);
		slot->service = service;
		slot->priority = priority;
		slot->mono = w->mono_ms;
		slot->boot = w->boot;
		slot->ticket = t.id;
	}
	out->ticket = t;
	return end(e, ch, MC_OK);
}

enum mc_err mc_engine_print_outcome(struct mc_engine *e, const struct mc_when *w, int64_t id,
				    enum mc_print_status outcome, bool shown, struct mc_changes *ch)
{
	static const enum mc_event_kind kinds[] = {
		[MC_P_PRINTED] = MC_EV_PRINTED, [MC_P_FAILED] = MC_EV_PRINT_FAILED,
		[MC_P_IN_DOUBT] = MC_EV_PRINT_IN_DOUBT,
	};
	bool voids = false;

	begin(e, w, ch);
	if (outcome != MC_P_PRINTED && outcome != MC_P_FAILED && outcome != MC_P_IN_DOUBT)
		return end(e, ch, MC_E_BAD_ARG);
	struct mc_ticket *t = find(e, id);
	if (!t)
		return end(e, ch, MC_E_NO_TICKET);
	if (t->print != MC_P_PENDING)
		return end(e, ch, MC_OK); /* reported twice */
	t->print = outcome;
	/* Nobody can hold a number that was neither printed nor shown. */
	if (outcome == MC_P_FAILED && !shown && t->status == MC_T_WAITING) {
		t->status = MC_T_VOIDED;
		t->finished_wall = w->wall_ms;
		voids = true;
	}
	if (!ch_ticket(ch, t) || !ch_event(ch, kinds[outcome], id, NULL, 0) ||
	    (voids && !ch_event(ch, MC_EV_VOID, id, NULL, 0)))
		return end(e, ch, MC_E_NOMEM);
	return end(e, ch, MC_OK);
}

enum mc_err mc_engine_printed(struct mc_engine *e, const struct mc_when *w, int64_t id,
			      bool ok, struct mc_changes *ch)
{
	return mc_engine_print_outcome(e, w, id, ok ? MC_P_PRINTED : MC_P_FAILED, false, ch);
}

int mc_engine_savepoint(struct mc_engine *e)
{
	struct journal *j = e->j;

	assert(!j->on);
	if (!grow((void **)&j->all_tickets, &j->cap_all, e->nt ? e->nt : 1, sizeof(*e->tickets)))
		return -1;
	memcpy(j->head, e, HEAD_BYTES);
	j->head_nt = e->nt;
	j->nsaved = 0;
	j->all = false;
	memset(j->recent_saved, 0, sizeof(j->recent_saved));
	j->on = true;
	return 0;
}

void mc_engine_rollback(struct mc_engine *e)
{
	struct journal *j = e->j;
	struct mc_ticket *tickets = e->tickets;
	size_t cap = e->cap;

	assert(j->on);
	/* The array only grows (cap >= head_nt): the tickets of the savepoint
	 * fit where they were. */
	if (j->all && j->head_nt)
		memcpy(tickets, j->all_tickets, j->head_nt * sizeof(*tickets));
	for (size_t i = j->nsaved; i-- > 0;)
		tickets[j->saved[i].at] = j->saved[i].t;
	for (int ci = 0; ci < MC_MAX_COUNTERS; ci++)
		if (j->recent_saved[ci])
			e->recent[ci] = j->recent_before[ci];
	memcpy(e, j->head, HEAD_BYTES);
	e->tickets = tickets;
	e->cap = cap;
	j->on = false;
}

void mc_engine_release(struct mc_engine *e)
{
	assert(e->j->on);
	e->j->on = false;
}

/* ---- counters ---------------------------------------------------------- */

/* Picks the ticket a counter calls next, or NULL. */
static struct mc_ticket *pick(struct mc_engine *e, int ci, bool want_priority)
{
	uint32_t mask = e->cfg->counters[ci].services;
	struct mc_ticket *normal = NULL, *prio = NULL;

	/* A no-show reactivated while this counter was busy comes first here;
	 * the citizen waits at this counter, so no other one calls it. */
	for (size_t i = 0; i < e->nt; i++) {
		struct mc_ticket *t = &e->tickets[i];
		if (callable(t) && reactivated(t) && t->counter == e->counters[ci].number)
			return edit(e, t);
	}
	/* Tickets are in id order, which is issue order; a transferred ticket
	 * keeps its id and so its place. */
	for (size_t i = 0; i < e->nt && !(normal && prio); i++) {
		struct mc_ticket *t = &e->tickets[i];
		if (!callable(t) || !((mask >> t->cur_service) & 1u) || reactivated(t))
			continue;
		if (t->priority && !prio)
			prio = t;
		if (!t->priority && !normal)
			normal = t;
	}
	if (want_priority || e->cfg->office.priority == MC_PRIO_STRICT)
		return edit(e, prio ? prio : normal);
	if (prio && (!normal || e->counters[ci].normals >= e->cfg->office.priority_every))
		return edit(e, prio);
	return edit(e, normal ? normal : prio);
}

static void close_ticket(struct mc_ticket *t, const struct mc_when *w, enum mc_ticket_status st)
{
	t->status = st;
	t->finished_wall = w->wall_ms;
	t->finished_mono = w->mono_ms;
	t->finished_boot = w->boot;
	if (st == MC_T_FINISHED)
		t->service_ms = elapsed(t->called_mono, t->called_boot, t->called_wall,
					w->mono_ms, w->boot, w->wall_ms);
}

/* Finishes the counter's current ticket, if any. */
static enum mc_err finish_current(struct mc_engine *e, int ci, const struct mc_when *w,
				  struct mc_changes *ch)
{
	struct mc_counter_state *c = &e->counters[ci];
	struct mc_ticket *t = c->current ? find(e, c->current) : NULL;

	if (!t)
		return MC_E_NO_CURRENT;
	close_ticket(t, w, MC_T_FINISHED);
	push_recent(e, ci, t->service_ms);
	c->current = 0;
	c->last_served = t->id;
	if (!ch_ticket(ch, t) || !ch_counter(ch, c) || !ch_event(ch, MC_EV_FINISH, t->id, c, 0))
		return MC_E_NOMEM;
	return MC_OK;
}

static enum mc_err call(struct mc_engine *e, int ci, struct mc_ticket *t, const struct mc_when *w,
			enum mc_event_kind kind, struct mc_changes *ch)
{
	struct mc_counter_state *c = &e->counters[ci];

	t->status = MC_T_CALLED;
	t->counter = c->number;
	t->clerk = c->clerk;
	t->called_wall = w->wall_ms;
	t->called_mono = w->mono_ms;
	t->called_boot = w->boot;
	if (t->wait_ms < 0)
		t->wait_ms = elapsed(t->issued_mono, t->issued_boot, t->issued_wall,
				     w->mono_ms, w->boot, w->wall_ms);
	c->current = t->id;
	if (kind == MC_EV_CALL)
		c->normals = t->priority ? 0 : c->normals + 1;
	if (!ch_ticket(ch, t) || !ch_counter(ch, c) || !ch_event(ch, kind, t->id, c, 0))
		return MC_E_NOMEM;
	return MC_OK;
}

static enum mc_err reactivate(struct mc_engine *e, int ci, int number, const struct mc_when *w,
			      struct mc_ticket **out, struct mc_changes *ch)
{
	struct mc_counter_state *c = &e->counters[ci];
	struct mc_ticket *best = NULL;

	for (size_t i = 0; i < e->nt; i++) {
		struct mc_ticket *t = &e->tickets[i];
		if (t->status == MC_T_NOSHOW && t->counter == c->number &&
		    (number == 0 || t->number == number) &&
		    (!best || t->finished_wall >= best->finished_wall))
			best = t;
	}
	if (!best)
		return MC_E_NO_TICKET;
	edit(e, best);
	int64_t since = elapsed(best->finished_mono, best->finished_boot, best->finished_wall,
				w->mono_ms, w->boot, w->wall_ms);
	if (since > (int64_t)e->cfg->office.noshow_window_s * 1000)
		return MC_E_TOO_LATE;
	*out = best;
	if (!c->current)
		return call(e, ci, best, w, MC_EV_REACTIVATE, ch);
	/* The clerk is serving someone: that service goes on (its time stays
	 * true), and the citizen who came back is first in this counter's
	 * queue. A waiting ticket that keeps its no-show time is such a one
	 * (see pick()); the event's value 1 says it was queued, not called. */
	best->status = MC_T_WAITING;
	if (!ch_ticket(ch, best) || !ch_event(ch, MC_EV_REACTIVATE, best->id, c, 1))
		return MC_E_NOMEM;
	return MC_OK;
}

enum mc_err mc_engine_counter(struct mc_engine *e, const struct mc_when *w, int counter,
			      enum mc_action act, int arg, struct mc_ticket *ticket,
			      struct mc_changes *ch)
{
	enum mc_err err;
	struct mc_ticket *t = NULL;

	begin(e, w, ch);
	if (ticket)
		memset(ticket, 0, sizeof(*ticket));
	if ((err = rollover(e, w, ch)) != MC_OK)
		return end(e, ch, err);
	int ci = counter_index(e, counter);
	if (ci < 0)
		return end(e, ch, MC_E_NO_COUNTER);
	struct mc_counter_state *c = &e->counters[ci];
	struct mc_ticket *cur = c->current ? find(e, c->current) : NULL;

	switch (act) {
	case MC_A_NEXT:
	case MC_A_PRIORITY_NEXT:
		if (c->paused)
			return end(e, ch, MC_E_PAUSED);
		if (cur && arg > 0 && cur->status == MC_T_CALLED &&
		    elapsed(cur->called_mono, cur->called_boot, cur->called_wall, w->mono_ms, w->boot,
			    w->wall_ms) < arg) {
			t = cur; /* the key again, before the citizen could come */
			err = MC_OK;
			break;
		}
		if (cur && (err = finish_current(e, ci, w, ch)) != MC_OK)
			return end(e, ch, err);
		t = pick(e, ci, act == MC_A_PRIORITY_NEXT);
		if (!t)
			return end(e, ch, MC_E_EMPTY);
		err = call(e, ci, t, w, MC_EV_CALL, ch);
		break;
	case MC_A_RECALL:
		if (!cur)
			return end(e, ch, MC_E_NO_CURRENT);
		t = cur;
		err = ch_event(ch, MC_EV_RECALL, t->id, c, 0) ? MC_OK : MC_E_NOMEM;
		break;
	case MC_A_NOSHOW:
		if (!cur)
			return end(e, ch, MC_E_NO_CURRENT);
		t = cur;
		close_ticket(t, w, MC_T_NOSHOW);
		c->current = 0;
		err = ch_ticket(ch, t) && ch_counter(ch, c) && ch_event(ch, MC_EV_NOSHOW, t->id, c, 0)
			? MC_OK : MC_E_NOMEM;
		break;
	case MC_A_FINISH:
		if (!cur)
			return end(e, ch, MC_E_NO_CURRENT);
		t = cur;
		err = finish_current(e, ci, w, ch);
		break;
	case MC_A_PAUSE:
	case MC_A_RESUME:
	case MC_A_PAUSE_TOGGLE: {
		bool want = act == MC_A_PAUSE ? true : act == MC_A_RESUME ? false : !c->paused;
		if (want == c->paused)
			return end(e, ch, MC_OK);
		c->paused = want;
		err = ch_counter(ch, c) && ch_event(ch, want ? MC_EV_PAUSE : MC_EV_RESUME, 0, c, 0)
			? MC_OK : MC_E_NOMEM;
		break;
	}
	case MC_A_TRANSFER:
		if (!cur)
			return end(e, ch, MC_E_NO_CURRENT);
		if (arg < 0 || arg >= e->cfg->nservices || arg == cur->cur_service)
			return end(e, ch, MC_E_BAD_ARG);
		t = cur;
		/* Back in the queue of the other service, in its original place
		 * (its id); the wait already counted stays counted. */
		t->status = MC_T_WAITING;
		t->cur_service = arg;
		t->transfers++;
		c->current = 0;
		c->last_served = t->id;
		err = ch_ticket(ch, t) && ch_counter(ch, c) && ch_event(ch, MC_EV_TRANSFER, t->id, c, arg)
			? MC_OK : MC_E_NOMEM;
		break;
	case MC_A_LOGIN:
		if (arg < 1 || arg > 255)
			return end(e, ch, MC_E_BAD_ARG);
		if (c->clerk == arg)
			return end(e, ch, MC_OK);
		if (c->clerk && !ch_event(ch, MC_EV_LOGOUT, 0, c, 0))
			return end(e, ch, MC_E_NOMEM);
		c->clerk = arg;
		err = ch_counter(ch, c) && ch_event(ch, MC_EV_LOGIN, 0, c, arg) ? MC_OK : MC_E_NOMEM;
		break;
	case MC_A_LOGOUT:
		if (!c->clerk)
			return end(e, ch, MC_OK);
		err = ch_event(ch, MC_EV_LOGOUT, 0, c, 0) ? MC_OK : MC_E_NOMEM;
		c->clerk = 0;
		if (!ch_counter(ch, c))
			err = MC_E_NOMEM;
		break;
	case MC_A_RATE:
		/* arg is the level's position on the office's scale, best first. */
		if (arg < 1 || arg > e->cfg->satisfaction.scale.n)
			return end(e, ch, MC_E_BAD_ARG);
		t = c->last_served ? find(e, c->last_served) : cur;
		if (!t)
			return end(e, ch, MC_E_NO_TICKET);
		if (t->rating)
			return end(e, ch, MC_E_RATED);
		t->rating = arg;
		err = ch_ticket(ch, t) && ch_event(ch, MC_EV_RATE, t->id, c, arg) ? MC_OK : MC_E_NOMEM;
		break;
	case MC_A_REACTIVATE:
		if (c->paused)
			return end(e, ch, MC_E_PAUSED);
		err = reactivate(e, ci, arg, w, &t, ch);
		break;
	default:
		return end(e, ch, MC_E_BAD_ARG);
	}
	if (t && ticket)
		*ticket = *t;
	return end(e, ch, err);
}

/* ---- queries ----------------------------------------------------------- */

int mc_engine_waiting(const struct mc_engine *e, int service)
{
	int n = 0;

	for (size_t i = 0; i < e->nt; i++)
		if (counted_waiting(&e->tickets[i]) && (service < 0 || e->tickets[i].cur_service == service))
			n++;
	return n;
}

int mc_engine_waiting_for_counter(const struct mc_engine *e, int counter)
{
	int ci = counter_index(e, counter), n = 0;

	if (ci < 0)
		return 0;
	for (size_t i = 0; i < e->nt; i++)
		if (counted_waiting(&e->tickets[i]) &&
		    ((e->cfg->counters[ci].services >> e->tickets[i].cur_service) & 1u))
			n++;
	return n;
}

const struct mc_ticket *mc_engine_ticket(const struct mc_engine *e, int64_t id)
{
	return look(e, id);
}

const struct mc_ticket *mc_engine_tickets(const struct mc_engine *e, size_t *n)
{
	*n = e->nt;
	return e->tickets;
}

const struct mc_counter_state *mc_engine_counter_state(const struct mc_engine *e, int counter)
{
	int ci = counter_index(e, counter);

	return ci < 0 ? NULL : &e->counters[ci];
}

void mc_engine_set_printer(struct mc_engine *e, enum mc_printer_ok state)
{
	assert(state == MC_PRINTER_ABSENT || state == MC_PRINTER_READY || state == MC_PRINTER_DOWN ||
	       state == MC_PRINTER_FULL);
	e->printer = state;
}

enum mc_printer_ok mc_engine_printer(const struct mc_engine *e)
{
	return e->printer;
}

void mc_engine_set_issuing_paused(struct mc_engine *e, bool paused)
{
	e->issuing_paused = paused;
}

bool mc_engine_issuing_paused(const struct mc_engine *e)
{
	return e->issuing_paused;
}

void mc_engine_set_clock(struct mc_engine *e, enum mc_err hold)
{
	e->clock_hold = hold;
}

enum mc_err mc_engine_clock(const struct mc_engine *e)
{
	return e->clock_hold;
}
