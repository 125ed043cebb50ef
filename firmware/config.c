/* config.c — board.conf reading and validation with inih (see config.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Value types of the key tables. */
enum type {
	T_STR,     /* text, at most size-1 bytes */
	T_INT,     /* integer in [min, max] */
	T_DUR_S,   /* duration in seconds, in [min, max] */
	T_DUR_MS,  /* duration in milliseconds, in [min, max] */
	T_BOOL,    /* yes/no/true/false/on/off/1/0 */
	T_FN,      /* parsed by fn */
};

struct parser;
/* A custom value parser: fills the field at p, or sets an error and returns -1. */
typedef int (*value_fn)(struct parser *ps, void *p, const char *value);

/* One known key of a section. */
struct key {
	const char *name;  /* key as written in board.conf */
	enum type type;    /* how the value is read */
	size_t off;        /* field offset in the section struct */
	size_t size;       /* field size (T_STR) */
	long min, max;     /* bounds (T_INT, T_DUR_*) */
	value_fn fn;       /* T_FN parser */
	const char *def;   /* default, as board.conf would write it (NULL: zero) */
};

/* State of one parse. */
struct parser {
	struct mc_config *cfg;    /* being filled */
	const char *name;         /* file name for messages */
	int line;                 /* current line, counted by the reader */
	char *err;                /* message buffer */
	size_t errlen;
	bool failed;              /* an error is in err */
	const char *text;         /* string source (load_string) */
	FILE *fp;                 /* file source (load) */
	char section[64];         /* current section, as written */
	void *sect;               /* struct of the current section, NULL: unknown */
	const struct key *keys;   /* its key table */
	bool defaults;            /* applying the tables' defaults, not the file */
	int services_line[MC_MAX_COUNTERS]; /* line of each counter's services = */
	char services_text[MC_MAX_COUNTERS][256]; /* its value, resolved at end */
	int numbers_line[MC_MAX_SERVICES]; /* line of each service's numbers =, 0: default */
	int levels_en_count;      /* English labels given in [satisfaction] */
	int colloquial_line;      /* line of [audio] colloquial = (0: not given) */
	struct given *given;      /* every key the file gave, to refuse one given
	                           * twice (the second silently won: a holiday
	                           * added on a new "closed =" line re-opened the
	                           * office on the first line's days) */
	size_t ngiven, capgiven;
};

struct given {
	char section[64];         /* as written, e.g. "office", "service.civil" */
	char key[32];
	int line;
};

static int fail(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return -1;
	ps->failed = true;
	n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->name, line);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- value parsers ----------------------------------------------------- */

/* Parses a duration with an optional unit (ms, s, m, h) into ms. */
static int parse_duration_ms(const char *s, long long *out)
{
	char *end;
	long long v, mul = 1000;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "") || !strcmp(end, "s"))
		mul = 1000;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60000;
	else if (!strcmp(end, "h"))
		mul = 3600000;
	else
		return -1;
	if (v > LLONG_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int mc_parse_duration_s(const char *s, int *out)
{
	long long ms;

	if (parse_duration_ms(s, &ms) < 0 || ms % 1000 || ms / 1000 > INT_MAX)
		return -1;
	*out = (int)(ms / 1000);
	return 0;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	if (!*s)
		return -1;
	*out = strtol(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* "HH:MM" into minutes since midnight; 24:00 allowed as an end. */
static int parse_hhmm(const char *s, int *out)
{
	int h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] || m > 59 || h < 0 || m < 0)
		return -1;
	if (h > 24 || (h == 24 && m))
		return -1;
	*out = h * 60 + m;
	return 0;
}

/* "HH:MM-HH:MM" into a span with from < to. */
static int parse_span(const char *s, struct mc_span *sp)
{
	char a[8], b[8];
	const char *dash = strchr(s, '-');

	if (!dash || dash - s > 5 || strlen(dash + 1) > 5)
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = 0;
	strcpy(b, dash + 1);
	if (parse_hhmm(a, &sp->from) < 0 || parse_hhmm(b, &sp->to) < 0)
		return -1;
	return sp->from < sp->to ? 0 : -1;
}

static const char *const wdays[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int wday_index(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (!strcasecmp(s, wdays[i]))
			return i;
	return -1;
}

/* hours = mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30 */
static int parse_hours(struct parser *ps, void *p, const char *value)
{
	struct mc_office_conf *o = p;
	char buf[512], *save1 = NULL;

	(void)p;
	memset(o->nhours, 0, sizeof(o->nhours));
	snprintf(buf, sizeof(buf), "%s", value);
	for (char *grp = strtok_r(buf, ";", &save1); grp; grp = strtok_r(NULL, ";", &save1)) {
		char *save2 = NULL, *tok = strtok_r(grp, " \t", &save2);
		bool days[7] = { false };

		if (!tok)
			continue;
		/* Day list: mon-fri, sat, mon,wed,fri, or a mix. */
		char *save3 = NULL;
		for (char *d = strtok_r(tok, ",", &save3); d; d = strtok_r(NULL, ",", &save3)) {
			char *dash = strchr(d, '-');
			int a, b;
			if (dash) {
				*dash = 0;
				a = wday_index(d);
				b = wday_index(dash + 1);
			} else {
				a = b = wday_index(d);
			}
			if (a < 0 || b < 0)
				return fail(ps, ps->line, "hours: '%s' is not a weekday (mon, tue, wed, thu, fri, sat, sun)",
					    a < 0 ? d : dash + 1);
			for (int i = a;; i = (i + 1) % 7) {
				days[i] = true;
				if (i == b)
					break;
			}
		}
		int nsp = 0;
		struct mc_span spans[MC_MAX_SPANS];
		for (char *s = strtok_r(NULL, " \t", &save2); s; s = strtok_r(NULL, " \t", &save2)) {
			if (nsp == MC_MAX_SPANS)
				return fail(ps, ps->line, "hours: at most %d opening spans a day", MC_MAX_SPANS);
			if (parse_span(s, &spans[nsp]) < 0)
				return fail(ps, ps->line, "hours: '%s' is not a span like 07:30-11:30", s);
			if (nsp && spans[nsp].from < spans[nsp - 1].to)
				return fail(ps, ps->line, "hours: span '%s' overlaps or precedes the one before", s);
			nsp++;
		}
		if (!nsp)
			return fail(ps, ps->line, "hours: days given without opening spans");
		for (int i = 0; i < 7; i++) {
			if (!days[i])
				continue;
			memcpy(o->hours[i], spans, sizeof(spans));
			o->nhours[i] = nsp;
		}
	}
	return 0;
}

/* closed = 2026-01-01, 2026-02-14..2026-02-22 */
static int parse_closed(struct parser *ps, void *p, const char *value)
{
	struct mc_office_conf *o = p;
	char buf[1024], *save = NULL;

	o->nclosed = 0;
	snprintf(buf, sizeof(buf), "%s", value);
	for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		char *dots = strstr(tok, "..");
		struct mc_closed c;
		if (o->nclosed == MC_MAX_CLOSED)
			return fail(ps, ps->line, "closed: at most %d dates or ranges", MC_MAX_CLOSED);
		if (dots) {
			*dots = 0;
			if (mc_parse_day(tok, &c.first) < 0 || mc_parse_day(dots + 2, &c.last) < 0)
				return fail(ps, ps->line, "closed: '%s..%s' is not a range like 2026-02-14..2026-02-22", tok, dots + 2);
			if (c.last < c.first)
				return fail(ps, ps->line, "closed: range %s..%s ends before it starts", tok, dots + 2);
		} else {
			if (mc_parse_day(tok, &c.first) < 0)
				return fail(ps, ps->line, "closed: '%s' is not a date like 2026-09-02", tok);
			c.last = c.first;
		}
		o->closed[o->nclosed++] = c;
	}
	return 0;
}

/* priority = strict | every N */
static int parse_priority(struct parser *ps, void *p, const char *value)
{
	struct mc_office_conf *o = p;
	long n;

	if (!strcmp(value, "strict")) {
		o->priority = MC_PRIO_STRICT;
		return 0;
	}
	if (!strncmp(value, "every ", 6) && parse_long(value + 6, &n) == 0 && n >= 1 && n <= 100) {
		o->priority = MC_PRIO_EVERY;
		o->priority_every = (int)n;
		return 0;
	}
	return fail(ps, ps->line, "priority: '%s' must be 'strict' or 'every N' (N from 1 to 100)", value);
}

static int parse_clock(struct parser *ps, void *p, const char *value)
{
	static const char *const names[] = { "auto", "ntp", "rtc", "trust" };
	enum mc_clock_mode *out = p;

	for (int i = 0; i < 4; i++)
		if (!strcmp(value, names[i])) {
			*out = (enum mc_clock_mode)i;
			return 0;
		}
	return fail(ps, ps->line, "clock: '%s' must be auto, ntp, rtc or trust", value);
}

static int parse_lang(struct parser *ps, void *p, const char *value)
{
	char *out = p;

	if (strcmp(value, "vi") && strcmp(value, "en"))
		return fail(ps, ps->line, "'%s' is not a language: use vi or en", value);
	strcpy(out, value);
	return 0;
}

/* bundle_dirs = /media, /srv/updates: absolute directories, comma separated. */
static int parse_bundle_dirs(struct parser *ps, void *p, const char *value)
{
	struct mc_update_conf *u = p;
	char copy[1024], *save = NULL;

	if (strlen(value) >= sizeof(copy))
		return fail(ps, ps->line, "bundle_dirs is too long");
	strcpy(copy, value);
	u->ndirs = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			t[--n] = 0;
		if (t[0] != '/' || n >= MC_TEXT || strstr(t, "/../") || !strcmp(t + (n >= 3 ? n - 3 : 0), "/.."))
			return fail(ps, ps->line, "bundle_dirs: '%s' is not an absolute directory", t);
		if (u->ndirs == MC_UPDATE_MAX_DIRS)
			return fail(ps, ps->line, "bundle_dirs: at most %d directories", MC_UPDATE_MAX_DIRS);
		strcpy(u->bundle_dirs[u->ndirs++], t);
	}
	if (!u->ndirs)
		return fail(ps, ps->line, "bundle_dirs lists no directory");
	return 0;
}

static int parse_timezone(struct parser *ps, void *p, const char *value)
{
	char path[256];
	FILE *f;

	if (!*value || strstr(value, "..") || value[0] == '/')
		return fail(ps, ps->line, "timezone: '%s' is not a zone name like Asia/Ho_Chi_Minh", value);
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", value);
	/* The default is taken as it is, so a machine without tzdata still
	 * starts (the office's zone then falls back to UTC in libc). */
	f = ps->defaults ? NULL : fopen(path, "r");
	if (!f && !ps->defaults)
		return fail(ps, ps->line, "timezone: unknown zone '%s' (install tzdata or use Asia/Ho_Chi_Minh)", value);
	if (f)
		fclose(f);
	snprintf(p, 64, "%s", value);
	return 0;
}

/* numbers = 1001-1999 */
static int parse_numbers(struct parser *ps, void *p, const char *value)
{
	struct mc_service_conf *s = p;
	long lo, hi;
	char buf[64], *dash;

	snprintf(buf, sizeof(buf), "%s", value);
	dash = strchr(buf, '-');
	if (!dash)
		return fail(ps, ps->line, "numbers: '%s' must be a range like 1001-1999", value);
	*dash = 0;
	if (parse_long(buf, &lo) < 0 || parse_long(dash + 1, &hi) < 0)
		return fail(ps, ps->line, "numbers: '%s' must be a range like 1001-1999", value);
	if (lo < 1 || hi > MC_NUMBER_MAX || lo > hi)
		return fail(ps, ps->line, "numbers: range %ld-%ld must lie within 1-%d, low end first", lo, hi,
			    MC_NUMBER_MAX);
	s->lo = (int)lo;
	s->hi = (int)hi;
	if (!ps->defaults)
		ps->numbers_line[ps->cfg->nservices - 1] = ps->line;
	return 0;
}

static int parse_prefix(struct parser *ps, void *p, const char *value)
{
	struct mc_service_conf *s = p;
	size_t n = strlen(value);

	if (n > 2)
		return fail(ps, ps->line, "prefix: '%s' must be one or two letters A-Z", value);
	/* Printed and read aloud in capitals: "b" is the same prefix as "B". */
	for (size_t i = 0; i < n; i++) {
		char c = value[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return fail(ps, ps->line, "prefix: '%s' must be one or two letters A-Z", value);
		s->prefix[i] = c;
	}
	s->prefix[n] = 0;
	return 0;
}

/* unit = bus:ADDR */
static int parse_unit(struct parser *ps, void *p, const char *value)
{
	struct mc_counter_conf *c = p;
	long a;

	if (!*value || !strcmp(value, "none")) {
		c->bus_addr = 0;
		return 0;
	}
	if (strncmp(value, "bus:", 4) || parse_long(value + 4, &a) < 0 || a < 1 || a > 247)
		return fail(ps, ps->line, "unit: '%s' must be bus:ADDR with ADDR from 1 to 247", value);
	c->bus_addr = (int)a;
	return 0;
}

static int parse_services(struct parser *ps, void *p, const char *value)
{
	struct mc_counter_conf *c = p;
	int i = (int)(c - ps->cfg->counters);

	ps->services_line[i] = ps->line;
	snprintf(ps->services_text[i], sizeof(ps->services_text[i]), "%s", value);
	return 0;
}

static int parse_printer_device(struct parser *ps, void *p, const char *value)
{
	static const char *const schemes[] = { "usb:", "tcp:", "cups:", "file:" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);
		if (!strncmp(value, schemes[i], n) && value[n]) {
			snprintf(p, 256, "%s", value);
			return 0;
		}
	}
	return fail(ps, ps->line, "device: '%s' must be usb:VID:PID, usb:auto, tcp:HOST:PORT, cups:QUEUE or file:DIR", value);
}

static int parse_cut(struct parser *ps, void *p, const char *value)
{
	bool *full = p;

	if (!strcmp(value, "partial"))
		*full = false;
	else if (!strcmp(value, "full"))
		*full = true;
	else
		return fail(ps, ps->line, "cut: '%s' must be partial or full", value);
	return 0;
}

static int parse_on_fail(struct parser *ps, void *p, const char *value)
{
	enum mc_print_fail_policy *pol = p;

	if (!strcmp(value, "refuse"))
		*pol = MC_PRINT_FAIL_REFUSE;
	else if (!strcmp(value, "screen"))
		*pol = MC_PRINT_FAIL_SCREEN;
	else
		return fail(ps, ps->line, "on_failure: '%s' must be refuse or screen", value);
	return 0;
}

static int parse_parity(struct parser *ps, void *p, const char *value)
{
	char *par = p;

	if (!strcasecmp(value, "none") || !strcmp(value, "N"))
		*par = 'N';
	else if (!strcasecmp(value, "even") || !strcmp(value, "E"))
		*par = 'E';
	else if (!strcasecmp(value, "odd") || !strcmp(value, "O"))
		*par = 'O';
	else
		return fail(ps, ps->line, "parity: '%s' must be none, even or odd", value);
	return 0;
}

static int parse_baud(struct parser *ps, void *p, const char *value)
{
	static const long ok[] = { 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200 };
	long b;

	if (parse_long(value, &b) == 0)
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (b == ok[i]) {
				*(int *)p = (int)b;
				return 0;
			}
	return fail(ps, ps->line, "baud: '%s' must be one of 1200 2400 4800 9600 19200 38400 57600 115200", value);
}

static int parse_read_numbers(struct parser *ps, void *p, const char *value)
{
	enum mc_read_numbers *r = p;

	if (!strcmp(value, "whole"))
		*r = MC_READ_WHOLE;
	else if (!strcmp(value, "digits"))
		*r = MC_READ_DIGITS;
	else
		return fail(ps, ps->line, "numbers: '%s' must be whole or digits", value);
	return 0;
}

static int parse_dialect(struct parser *ps, void *p, const char *value)
{
	bool *south = p;

	if (!strcmp(value, "north"))
		*south = false;
	else if (!strcmp(value, "south"))
		*south = true;
	else
		return fail(ps, ps->line, "dialect: '%s' must be north (linh, nghìn) or south (lẻ, ngàn)", value);
	return 0;
}

static int parse_quiet(struct parser *ps, void *p, const char *value)
{
	struct mc_span *sp = p;
	char a[8], b[8];
	const char *dash = strchr(value, '-');

	if (!strcmp(value, "none")) {
		sp->from = sp->to = 0;
		return 0;
	}
	/* Quiet hours may cross midnight (22:00-06:00), so from > to is fine. */
	if (!dash || dash - value > 5 || strlen(dash + 1) > 5)
		return fail(ps, ps->line, "quiet: '%s' must be none or HH:MM-HH:MM", value);
	memcpy(a, value, (size_t)(dash - value));
	a[dash - value] = 0;
	strcpy(b, dash + 1);
	if (parse_hhmm(a, &sp->from) < 0 || parse_hhmm(b, &sp->to) < 0)
		return fail(ps, ps->line, "quiet: '%s' must be none or HH:MM-HH:MM", value);
	return 0;
}

static int parse_rotate(struct parser *ps, void *p, const char *value)
{
	long r;

	if (parse_long(value, &r) < 0 || (r != 0 && r != 90 && r != 180 && r != 270))
		return fail(ps, ps->line, "rotate: '%s' must be 0, 90, 180 or 270", value);
	*(int *)p = (int)r;
	return 0;
}


/* ---- GPIO lines -------------------------------------------------------- */

/* Parses a GPIO value for key into g through the driver, wanting between
 * min and max lines (brightness=N allowed up to max_bright when > 0). */
static int parse_gpio_lines(struct parser *ps, const char *key, const char *value,
			    struct mc_gpio_lines_conf *g, int min, int max, int max_bright)
{
	char msg[256];

	if (mc_gpio_lines_parse(value, key, min, max, max_bright, g, msg, sizeof(msg)) < 0)
		return fail(ps, ps->line, "%s", msg);
	g->line = ps->line;
	return 0;
}

/* Copies a raw value into a text field, refusing what does not fit. */
static int keep_text(struct parser *ps, const char *key, char *dst, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return fail(ps, ps->line, "%s: value is too long (at most %zu bytes)", key, size - 1);
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

/* [service.X] button = CHIP:LINE [options] */
static int parse_button(struct parser *ps, void *p, const char *value)
{
	struct mc_service_conf *s = p;

	if (keep_text(ps, "button", s->button, sizeof(s->button), value) < 0)
		return -1;
	if (!*value || !strcmp(value, "none")) {
		s->button[0] = 0;
		memset(&s->button_gpio, 0, sizeof(s->button_gpio));
		return 0;
	}
	return parse_gpio_lines(ps, "button", value, &s->button_gpio, 1, 1, 0);
}

static const char *const key_names[] = { "next", "priority-next", "recall", "noshow", "finish", "pause" };

/* [counter.N] keys = [ACTION,ACTION... =] LINE,LINE... [options]
 * Without the action list the lines are next,recall,noshow,finish in turn. */
static int parse_keys(struct parser *ps, void *p, const char *value)
{
	struct mc_counter_conf *c = p;
	static const enum mc_gpio_key deflt[] = { MC_KEY_NEXT, MC_KEY_RECALL, MC_KEY_NOSHOW, MC_KEY_FINISH };
	char acts[160] = "", *save = NULL;
	const char *lines = value, *eq = strchr(value, '=');
	int nacts = 0;

	if (keep_text(ps, "keys", c->keys, sizeof(c->keys), value) < 0)
		return -1;
	if (eq) {
		size_t n = (size_t)(eq - value);
		if (n >= sizeof(acts))
			return fail(ps, ps->line, "keys: action list is too long");
		memcpy(acts, value, n);
		acts[n] = 0;
		lines = eq + 1;
		while (*lines == ' ' || *lines == '\t')
			lines++;
		for (char *a = strtok_r(acts, ", \t", &save); a; a = strtok_r(NULL, ", \t", &save)) {
			size_t k;
			for (k = 0; k < sizeof(key_names) / sizeof(key_names[0]); k++)
				if (!strcmp(a, key_names[k]))
					break;
			if (k == sizeof(key_names) / sizeof(key_names[0]))
				return fail(ps, ps->line, "keys: '%s' is not a key action (next, priority-next, recall, "
					    "noshow, finish, pause)", a);
			if (nacts == MC_GPIO_MAX_LINES)
				return fail(ps, ps->line, "keys: at most %d keys", MC_GPIO_MAX_LINES);
			for (int i = 0; i < nacts; i++)
				if (c->key_actions[i] == (enum mc_gpio_key)k)
					return fail(ps, ps->line, "keys: action '%s' is given twice", a);
			c->key_actions[nacts++] = (enum mc_gpio_key)k;
		}
		if (!nacts)
			return fail(ps, ps->line, "keys: no action before '=' (e.g. keys = next,recall = gpiochip0:20,21)");
	} else {
		memcpy(c->key_actions, deflt, sizeof(deflt));
	}
	if (parse_gpio_lines(ps, "keys", lines, &c->keys_gpio, 1, eq ? MC_GPIO_MAX_LINES : 4, 0) < 0)
		return -1;
	if (eq && c->keys_gpio.n != nacts)
		return fail(ps, ps->line, "keys: %d action%s but %d line%s: give one line per action", nacts,
			    nacts == 1 ? "" : "s", c->keys_gpio.n, c->keys_gpio.n == 1 ? "" : "s");
	return 0;
}

/* [counter.N] rating_keys = CHIP:L1,L2,L3,L4 [options]: one line per level
 * of the satisfaction scale, best first (checked against it at the end). */
static int parse_rating_keys(struct parser *ps, void *p, const char *value)
{
	struct mc_counter_conf *c = p;

	if (keep_text(ps, "rating_keys", c->rating_keys, sizeof(c->rating_keys), value) < 0)
		return -1;
	if (parse_gpio_lines(ps, "rating_keys", value, &c->rating_gpio, MC_SCALE_MIN, MC_SCALE_MAX, 0) < 0)
		return -1;
	return 0;
}

/* [counter.N] display = tm1637 CHIP:CLK,DIO | max7219 CHIP:DIN,CLK,LOAD [brightness=N] */
static int parse_display(struct parser *ps, void *p, const char *value)
{
	struct mc_counter_conf *c = p;
	char msg[256];

	if (keep_text(ps, "display", c->display, sizeof(c->display), value) < 0)
		return -1;
	if (mc_display_parse(value, &c->display_kind, &c->display_gpio, msg, sizeof(msg)) < 0)
		return fail(ps, ps->line, "%s", msg);
	c->display_gpio.line = ps->line;
	return 0;
}

/* [gpio] keys with one line each: the text field and its parsed form. */
static int parse_gpio_one(struct parser *ps, const char *key, char *text, struct mc_gpio_lines_conf *g,
			  const char *value)
{
	if (keep_text(ps, key, text, 64, value) < 0)
		return -1;
	return parse_gpio_lines(ps, key, value, g, 1, 1, 0);
}

static int parse_tech_button(struct parser *ps, void *p, const char *value)
{
	struct mc_gpio_conf *g = p;
	return parse_gpio_one(ps, "tech_button", g->tech_button, &g->tech_gpio, value);
}

static int parse_light_ready(struct parser *ps, void *p, const char *value)
{
	struct mc_gpio_conf *g = p;
	return parse_gpio_one(ps, "light_ready", g->light_ready, &g->ready_gpio, value);
}

static int parse_light_paper_low(struct parser *ps, void *p, const char *value)
{
	struct mc_gpio_conf *g = p;
	return parse_gpio_one(ps, "light_paper_low", g->light_paper_low, &g->paper_low_gpio, value);
}

static int parse_light_fault(struct parser *ps, void *p, const char *value)
{
	struct mc_gpio_conf *g = p;
	return parse_gpio_one(ps, "light_fault", g->light_fault, &g->fault_gpio, value);
}

/* tech_combo = SERVICE+SERVICE[+...]: resolved once every service is known. */
static int parse_tech_combo(struct parser *ps, void *p, const char *value)
{
	struct mc_gpio_conf *g = p;

	if (keep_text(ps, "tech_combo", g->tech_combo_text, sizeof(g->tech_combo_text), value) < 0)
		return -1;
	g->tech_combo_line = ps->line;
	return 0;
}

/* [satisfaction] levels = Rất hài lòng, Hài lòng, ... (best first) */
static int parse_levels(struct parser *ps, void *p, const char *value)
{
	struct mc_satisfaction_conf *sc = p;
	char why[128];

	if (mc_scale_set_labels(&sc->scale, false, value, why, sizeof(why)) < 0)
		return fail(ps, ps->line, "levels: %s", why);
	if (!ps->defaults)
		sc->levels_line = ps->line;
	return 0;
}

/* [satisfaction] levels.en = Very satisfied, ... (as many as levels) */
static int parse_levels_en(struct parser *ps, void *p, const char *value)
{
	struct mc_satisfaction_conf *sc = p;
	struct mc_scale tmp = sc->scale;
	char why[128];

	/* Checked against the Vietnamese count at the end: keys may come in
	 * either order. */
	tmp.n = 0;
	for (const char *c = value; ; tmp.n++) {
		c = strchr(c, ',');
		if (!c)
			break;
		c++;
	}
	tmp.n++;
	if (mc_scale_set_labels(&tmp, true, value, why, sizeof(why)) < 0)
		return fail(ps, ps->line, "levels.en: %s", why);
	memcpy(sc->scale.en, tmp.en, sizeof(tmp.en));
	if (!ps->defaults)
		sc->levels_en_line = ps->line;
	ps->levels_en_count = tmp.n;
	return 0;
}

/* [satisfaction] satisfied = N: the top N levels count as satisfied. */
static int parse_satisfied(struct parser *ps, void *p, const char *value)
{
	struct mc_satisfaction_conf *sc = p;
	long n;

	if (parse_long(value, &n) < 0 || n < 1 || n > MC_SCALE_MAX - 1)
		return fail(ps, ps->line, "satisfied: '%s' must be how many top levels count as satisfied (1-%d)",
			    value, MC_SCALE_MAX - 1);
	sc->scale.satisfied = (int)n;
	if (!ps->defaults)
		sc->satisfied_line = ps->line;
	return 0;
}

/* ---- key tables -------------------------------------------------------- */

/* Each row: key, type, field, bounds, parser, and the default as text (the
 * value a key has when the file does not give it, read by the same code). */
#define STR(S, F, D) { #F, T_STR, offsetof(S, F), sizeof(((S *)0)->F), 0, 0, NULL, D }
#define STRK(K, S, F, D) { K, T_STR, offsetof(S, F), sizeof(((S *)0)->F), 0, 0, NULL, D }
#define INT(S, F, LO, HI, D) { #F, T_INT, offsetof(S, F), 0, LO, HI, NULL, D }
#define DUR_S(K, S, F, LO, HI, D) { K, T_DUR_S, offsetof(S, F), 0, LO, HI, NULL, D }
#define DUR_MS(K, S, F, LO, HI, D) { K, T_DUR_MS, offsetof(S, F), 0, LO, HI, NULL, D }
#define BOOL(S, F, D) { #F, T_BOOL, offsetof(S, F), 0, 0, 0, NULL, D }
#define FN(K, S, F, FUNC, D) { K, T_FN, offsetof(S, F), 0, 0, 0, FUNC, D }
#define FNS(K, FUNC, D) { K, T_FN, 0, 0, 0, 0, FUNC, D }
#define END { NULL, T_STR, 0, 0, 0, 0, NULL, NULL }

typedef struct mc_office_conf O;
static const struct key office_keys[] = {
	STR(O, name, "Trung tâm Phục vụ hành chính công"),
	STRK("name.en", O, name_en, NULL),
	STR(O, place, NULL),
	FN("timezone", O, timezone, parse_timezone, "Asia/Ho_Chi_Minh"),
	FNS("hours", parse_hours, "mon-fri 07:30-11:30 13:30-17:00"),
	FNS("closed", parse_closed, NULL),
	FNS("priority", parse_priority, "strict"),
	DUR_S("noshow_window", O, noshow_window_s, 0, 24 * 3600, "15m"),
	DUR_MS("double_tap", O, double_tap_ms, 0, 60000, "1500ms"),
	DUR_MS("next_hold", O, next_hold_ms, 0, 60000, "3s"),
	FN("language", O, language, parse_lang, "vi"),
	INT(O, recent_services, 1, 1000, "20"),
	DUR_MS("store_wait", O, store_wait_ms, 0, 600000, "2s"),
	FN("clock", O, clock, parse_clock, "auto"),
	DUR_S("clock_step", O, clock_step_s, 10, 12 * 3600, "5m"),
	DUR_S("clock_settle", O, clock_settle_s, 0, 3600, "60s"),
	END
};

static const struct key satisfaction_keys[] = {
	FNS("levels", parse_levels, "Rất hài lòng, Hài lòng, Bình thường, Không hài lòng"),
	FNS("levels.en", parse_levels_en, "Very satisfied, Satisfied, Neutral, Dissatisfied"),
	FNS("satisfied", parse_satisfied, "2"),
	END
};

typedef struct mc_service_conf S;
static const struct key service_keys[] = {
	STR(S, name, NULL),
	STRK("name.en", S, name_en, NULL),
	FNS("numbers", parse_numbers, "1-999"),
	FNS("prefix", parse_prefix, NULL),
	DUR_S("target_wait", S, target_wait_s, 0, 24 * 3600, NULL),
	DUR_S("service_time", S, default_service_s, 1, 24 * 3600, "5m"),
	FNS("button", parse_button, NULL),
	END
};

typedef struct mc_counter_conf C;
static const struct key counter_keys[] = {
	FNS("services", parse_services, NULL),
	FNS("unit", parse_unit, NULL),
	FNS("display", parse_display, NULL),
	FNS("keys", parse_keys, NULL),
	FNS("rating_keys", parse_rating_keys, NULL),
	END
};

typedef struct mc_clerk_conf K;
static const struct key clerk_keys[] = {
	STR(K, name, NULL),
	END
};

typedef struct mc_printer_conf P;
static const struct key printer_keys[] = {
	FN("device", P, device, parse_printer_device, NULL),
	INT(P, width, 64, 2048, "576"),
	FN("cut", P, full_cut, parse_cut, NULL),
	FN("on_failure", P, on_fail, parse_on_fail, "refuse"),
	STR(P, logo, NULL),
	STR(P, qr, NULL),
	STR(P, footer, NULL),
	STRK("footer.en", P, footer_en, NULL),
	STR(P, desk, NULL),
	STR(P, address, "quý công dân"),
	BOOL(P, valid_today, "no"),
	BOOL(P, missed_note, "no"),
	DUR_S("status_interval", P, status_interval_s, 1, 3600, "5s"),
	DUR_MS("timeout", P, timeout_ms, 100, 60000, "3s"),
	INT(P, queue, 1, 64, "4"),
	END
};

typedef struct mc_bus_conf B;
static const struct key bus_keys[] = {
	STR(B, device, "/dev/ttyAMA0"),
	FN("baud", B, baud, parse_baud, "19200"),
	FN("parity", B, parity, parse_parity, "even"),
	INT(B, data_bits, 7, 8, "8"),
	INT(B, stop_bits, 1, 2, "1"),
	DUR_MS("timeout", B, timeout_ms, 5, 5000, "100ms"),
	DUR_MS("poll", B, poll_ms, 0, 10000, "0ms"),
	DUR_MS("offline_poll", B, offline_poll_ms, 10, 600000, "2s"),
	INT(B, brightness, 0, 15, "12"),
	DUR_MS("blink", B, blink_ms, 0, 600000, "5s"),
	END
};

typedef struct mc_audio_conf A;
static const struct key audio_keys[] = {
	STR(A, device, "default"),
	FN("voice", A, voice, parse_lang, "vi"),
	FN("numbers", A, numbers, parse_read_numbers, NULL),
	FN("prefixed", A, prefixed, parse_read_numbers, NULL),
	INT(A, repeat, 1, 5, "1"),
	INT(A, volume, 0, 100, "80"),
	FN("quiet", A, quiet, parse_quiet, NULL),
	STR(A, clips, NULL),
	FN("dialect", A, south, parse_dialect, "north"),
	BOOL(A, colloquial, "no"),
	BOOL(A, tu, "yes"),
	BOOL(A, english, "no"),
	END
};

typedef struct mc_screen_conf SC;
static const struct key screen_keys[] = {
	STR(SC, driver, NULL),
	INT(SC, width, 320, 7680, "1280"),
	INT(SC, height, 240, 4320, "800"),
	FN("rotate", SC, rotate, parse_rotate, "0"),
	STR(SC, pin_hash, NULL),
	DUR_S("home_timeout", SC, home_timeout_s, 1, 600, "8s"),
	DUR_MS("ticket_hold", SC, ticket_hold_ms, 1000, 60000, "3s"),
	STR(SC, backlight, NULL),
	END
};

typedef struct mc_hall_conf H;
static const struct key update_keys[] = {
	FNS("bundle_dirs", parse_bundle_dirs, "/media, /run/media"),
	END
};

static const struct key hall_keys[] = {
	STR(H, display, NULL),
	INT(H, width, 320, 7680, "1280"),
	INT(H, height, 240, 4320, "720"),
	END
};

typedef struct mc_gpio_conf G;
static const struct key gpio_keys[] = {
	FNS("tech_button", parse_tech_button, NULL),
	FNS("tech_combo", parse_tech_combo, NULL),
	FNS("light_ready", parse_light_ready, NULL),
	FNS("light_paper_low", parse_light_paper_low, NULL),
	FNS("light_fault", parse_light_fault, NULL),
	DUR_MS("debounce", G, debounce_ms, 1, 1000, "20ms"),
	DUR_MS("long_press", G, long_press_ms, 100, 30000, "2s"),
	DUR_MS("blink", G, blink_ms, 50, 5000, "400ms"),
	INT(G, blinks, 0, 20, "3"),
	END
};

/* [uplink] url: a libpq connection string or a postgresql:// URI; checked
 * for shape here (libpq parses it for good at start). */
static int parse_uplink_url(struct parser *ps, void *p, const char *value)
{
	if (!*value)
		return fail(ps, ps->line, "url: empty (a libpq connection string like 'host=... dbname=... user=...' or a postgresql:// URI)");
	if (strlen(value) >= sizeof(ps->cfg->uplink.url))
		return fail(ps, ps->line, "url: value is too long (at most %zu bytes)", sizeof(ps->cfg->uplink.url) - 1);
	if (strncmp(value, "postgresql://", 13) && strncmp(value, "postgres://", 11) && !strchr(value, '='))
		return fail(ps, ps->line, "url: '%s' is neither a postgresql:// URI nor a 'key=value ...' connection string", value);
	memcpy(p, value, strlen(value) + 1);
	return 0;
}

/* [uplink] office: the office's code, as the city registered it. */
static int parse_uplink_office(struct parser *ps, void *p, const char *value)
{
	bool ok = *value && strlen(value) < sizeof(ps->cfg->uplink.office);
	for (const char *c = value; *c && ok; c++)
		ok = isalnum((unsigned char)*c) || *c == '-' || *c == '_';
	if (!ok)
		return fail(ps, ps->line, "office: '%s' is not an office code (1-31 letters, digits, '-' or '_')", value);
	memcpy(p, value, strlen(value) + 1);
	return 0;
}

typedef struct mc_uplink_conf U;
static const struct key uplink_keys[] = {
	FN("url", U, url, parse_uplink_url, NULL),
	FN("office", U, office, parse_uplink_office, NULL),
	DUR_MS("interval", U, interval_ms, 100, 3600000, "5s"),
	INT(U, batch, 1, 100000, "1000"),
	END
};

/* ---- parsing ----------------------------------------------------------- */

static int set_value(struct parser *ps, const struct key *k, const char *value)
{
	char *field = (char *)ps->sect + k->off;
	long n;
	long long ms;

	switch (k->type) {
	case T_STR:
		if (strlen(value) >= k->size)
			return fail(ps, ps->line, "%s: value is too long (at most %zu bytes)", k->name, k->size - 1);
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case T_INT:
		if (parse_long(value, &n) < 0)
			return fail(ps, ps->line, "%s: '%s' is not a whole number", k->name, value);
		if (n < k->min || n > k->max)
			return fail(ps, ps->line, "%s: %ld is out of range (%ld to %ld)", k->name, n, k->min, k->max);
		*(int *)(void *)field = (int)n;
		return 0;
	case T_DUR_S:
	case T_DUR_MS:
		if (parse_duration_ms(value, &ms) < 0)
			return fail(ps, ps->line, "%s: '%s' is not a duration like 500ms, 30s, 20m or 2h", k->name, value);
		if (k->type == T_DUR_S) {
			if (ms % 1000)
				return fail(ps, ps->line, "%s: '%s' must be whole seconds", k->name, value);
			ms /= 1000;
		}
		if (ms < k->min || ms > k->max)
			return fail(ps, ps->line, "%s: '%s' is out of range (%ld to %ld %s)", k->name, value,
				    k->min, k->max, k->type == T_DUR_S ? "s" : "ms");
		*(int *)(void *)field = (int)ms;
		return 0;
	case T_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") || !strcmp(value, "1"))
			*(bool *)(void *)field = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off") || !strcmp(value, "0"))
			*(bool *)(void *)field = false;
		else
			return fail(ps, ps->line, "%s: '%s' must be yes or no", k->name, value);
		return 0;
	case T_FN:
		return k->fn(ps, field, value);
	}
	return 0;
}

/* Gives every key of table with a default that default, in sect, through the
 * same code that reads the file. */
static int apply_defaults(struct parser *ps, const struct key *table, void *sect)
{
	void *was = ps->sect;
	int rc = 0;

	ps->sect = sect;
	ps->defaults = true;
	for (const struct key *k = table; k->name && !rc; k++)
		if (k->def)
			rc = set_value(ps, k, k->def);
	ps->defaults = false;
	ps->sect = was;
	return rc;
}

/* The whole configuration before the file: zero, then every row's default. */
static int set_defaults(struct parser *ps)
{
	struct mc_config *cfg = ps->cfg;

	memset(cfg, 0, sizeof(*cfg));
	if (apply_defaults(ps, office_keys, &cfg->office) < 0 || apply_defaults(ps, printer_keys, &cfg->printer) < 0 ||
	    apply_defaults(ps, bus_keys, &cfg->bus) < 0 || apply_defaults(ps, audio_keys, &cfg->audio) < 0 ||
	    apply_defaults(ps, screen_keys, &cfg->screen) < 0 || apply_defaults(ps, hall_keys, &cfg->hall) < 0 ||
	    apply_defaults(ps, gpio_keys, &cfg->gpio) < 0 || apply_defaults(ps, uplink_keys, &cfg->uplink) < 0 ||
	    apply_defaults(ps, satisfaction_keys, &cfg->satisfaction) < 0 ||
	    apply_defaults(ps, update_keys, &cfg->update) < 0)
		return -1;
	return 0;
}

/* Validates a section key like "civil" or "ban-hanh_1". */
static bool good_key(const char *s)
{
	if (!*s || strlen(s) >= 32)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

/* A section header was read: pick its struct and key table. */
static int begin_section(struct parser *ps, const char *name)
{
	struct mc_config *cfg = ps->cfg;
	long n;

	snprintf(ps->section, sizeof(ps->section), "%s", name);
	if (!strcmp(name, "office")) {
		ps->sect = &cfg->office;
		ps->keys = office_keys;
	} else if (!strncmp(name, "service.", 8)) {
		if (!good_key(name + 8))
			return fail(ps, ps->line, "[%s]: a service key is 1-31 letters, digits, '-' or '_'", name);
		if (mc_config_service_index(cfg, name + 8) >= 0)
			return fail(ps, ps->line, "[%s]: service defined twice", name);
		if (cfg->nservices == MC_MAX_SERVICES)
			return fail(ps, ps->line, "[%s]: at most %d services", name, MC_MAX_SERVICES);
		struct mc_service_conf *s = &cfg->services[cfg->nservices++];
		snprintf(s->key, sizeof(s->key), "%s", name + 8);
		s->line = ps->line;
		if (apply_defaults(ps, service_keys, s) < 0)
			return -1;
		ps->sect = s;
		ps->keys = service_keys;
	} else if (!strncmp(name, "counter.", 8)) {
		if (parse_long(name + 8, &n) < 0 || n < 1 || n > 247)
			return fail(ps, ps->line, "[%s]: a counter number is 1 to 247", name);
		if (mc_config_counter_index(cfg, (int)n) >= 0)
			return fail(ps, ps->line, "[%s]: counter defined twice", name);
		if (cfg->ncounters == MC_MAX_COUNTERS)
			return fail(ps, ps->line, "[%s]: at most %d counters", name, MC_MAX_COUNTERS);
		struct mc_counter_conf *c = &cfg->counters[cfg->ncounters++];
		c->number = (int)n;
		c->line = ps->line;
		ps->sect = c;
		ps->keys = counter_keys;
	} else if (!strncmp(name, "clerk.", 6)) {
		if (parse_long(name + 6, &n) < 0 || n < 1 || n > 255)
			return fail(ps, ps->line, "[%s]: a clerk number is 1 to 255 (the number a counter logs in)", name);
		for (int i = 0; i < cfg->nclerks; i++)
			if (cfg->clerks[i].number == n)
				return fail(ps, ps->line, "[%s]: clerk defined twice (first at line %d)", name,
					    cfg->clerks[i].line);
		if (cfg->nclerks == MC_MAX_CLERKS)
			return fail(ps, ps->line, "[%s]: at most %d clerks", name, MC_MAX_CLERKS);
		struct mc_clerk_conf *k = &cfg->clerks[cfg->nclerks++];
		k->number = (int)n;
		k->line = ps->line;
		ps->sect = k;
		ps->keys = clerk_keys;
	} else if (!strcmp(name, "printer")) {
		cfg->printer.present = true;
		ps->sect = &cfg->printer;
		ps->keys = printer_keys;
	} else if (!strcmp(name, "bus")) {
		cfg->bus.present = true;
		ps->sect = &cfg->bus;
		ps->keys = bus_keys;
	} else if (!strcmp(name, "audio")) {
		cfg->audio.present = true;
		ps->sect = &cfg->audio;
		ps->keys = audio_keys;
	} else if (!strcmp(name, "screen")) {
		cfg->screen.present = true;
		ps->sect = &cfg->screen;
		ps->keys = screen_keys;
	} else if (!strcmp(name, "hall")) {
		cfg->hall.present = true;
		ps->sect = &cfg->hall;
		ps->keys = hall_keys;
	} else if (!strcmp(name, "gpio")) {
		ps->sect = &cfg->gpio;
		ps->keys = gpio_keys;
	} else if (!strcmp(name, "uplink")) {
		cfg->uplink.present = true;
		cfg->uplink.line = ps->line;
		ps->sect = &cfg->uplink;
		ps->keys = uplink_keys;
	} else if (!strcmp(name, "update")) {
		ps->sect = &cfg->update;
		ps->keys = update_keys;
	} else if (!strcmp(name, "satisfaction")) {
		ps->sect = &cfg->satisfaction;
		ps->keys = satisfaction_keys;
	} else {
		return fail(ps, ps->line, "unknown section [%s] (known: office, service.KEY, counter.N, clerk.N, printer, bus, audio, screen, hall, gpio, uplink, update, satisfaction)", name);
	}
	return 0;
}

/* Remembers that the file gave key name in the current section; a key
 * given twice (in one section, or in a section repeated: [office] may be)
 * fails with both lines. */
static int note_given(struct parser *ps, const char *name)
{
	for (size_t i = 0; i < ps->ngiven; i++)
		if (!strcmp(ps->given[i].key, name) && !strcmp(ps->given[i].section, ps->section))
			return fail(ps, ps->line, "[%s]: %s is given twice (lines %d and %d); give it once "
				    "(several values go on one line, comma separated, where the key takes "
				    "a list: closed = 2027-01-01, 2027-02-16..2027-02-20)", ps->section, name,
				    ps->given[i].line, ps->line);
	if (ps->ngiven == ps->capgiven) {
		size_t cap = ps->capgiven ? 2 * ps->capgiven : 64;
		struct given *g = realloc(ps->given, cap * sizeof(*g));
		if (!g)
			return fail(ps, ps->line, "out of memory");
		ps->given = g;
		ps->capgiven = cap;
	}
	struct given *g = &ps->given[ps->ngiven++];
	snprintf(g->section, sizeof(g->section), "%s", ps->section);
	snprintf(g->key, sizeof(g->key), "%s", name);
	g->line = ps->line;
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;

	if (ps->failed)
		return 0;
	if (!*section)
		return fail(ps, ps->line, "'%s' is outside any section", name), 0;
	if (!ps->sect)
		return 0;
	if (ps->sect == &ps->cfg->audio && !strcmp(name, "colloquial"))
		ps->colloquial_line = ps->line;
	for (const struct key *k = ps->keys; k->name; k++)
		if (!strcmp(k->name, name))
			return note_given(ps, name) == 0 && set_value(ps, k, value) == 0;
	fail(ps, ps->line, "unknown key '%s' in [%s]", name, ps->section);
	return 0;
}

/* inih's line reader: hands over one line at a time, counting lines and
 * catching section headers (inih does not report empty sections). */
/* Where s stops being UTF-8 (shortest forms, no surrogates, at most
 * U+10FFFF), or -1 when all of it is. */
static long bad_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (u[i]) {
		unsigned c = u[i];
		int more;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			more = 1, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3, min = 0x10000;
		} else {
			return (long)i;
		}
		unsigned cp = c & (0x3fu >> more);
		for (int k = 1; k <= more; k++) {
			if ((u[i + (size_t)k] & 0xc0) != 0x80)
				return (long)i;
			cp = cp << 6 | (u[i + (size_t)k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += (size_t)more + 1;
	}
	return -1;
}

static char *reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	size_t n = 0, max = (size_t)num - 1;

	if (ps->failed)
		return NULL;
	if (ps->fp) {
		if (!fgets(str, num, ps->fp))
			return NULL;
		n = strlen(str);
		if (n == max && str[n - 1] != '\n' && !feof(ps->fp)) {
			fail(ps, ps->line + 1, "line is too long (at most %zu characters)", max - 1);
			return NULL;
		}
	} else {
		if (!*ps->text)
			return NULL;
		const char *nl = strchr(ps->text, '\n');
		size_t len = nl ? (size_t)(nl - ps->text) + 1 : strlen(ps->text);
		if (len > max) {
			fail(ps, ps->line + 1, "line is too long (at most %zu characters)", max - 1);
			return NULL;
		}
		memcpy(str, ps->text, len);
		str[len] = 0;
		ps->text += len;
		n = len;
	}
	ps->line++;
	if (ps->line == 1) {
		const unsigned char *u = (const unsigned char *)str;
		/* Windows editors save "UTF-8 with BOM": the mark is not text. */
		if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
			memmove(str, str + 3, n - 2);
			n -= 3;
		} else if ((n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) ||
			   (ps->fp && n < max && (n == 0 || str[n - 1] != '\n') && !feof(ps->fp))) {
			/* A UTF-16 BOM, or a NUL byte cut the first line short. */
			fail(ps, 1, "the file is UTF-16: save it as UTF-8 (tệp là UTF-16: hãy lưu lại "
			     "dưới dạng UTF-8)");
			return NULL;
		}
	}

	/* Text is printed and shown as UTF-8: a file saved in a legacy code
	 * page (Windows-1258, TCVN3, Latin-1) is refused where it starts, not
	 * printed as garbage. */
	long bad = bad_utf8(str);
	if (bad >= 0) {
		fail(ps, ps->line, "byte %ld is not UTF-8: save the file as UTF-8 (byte %ld không phải "
		     "UTF-8: hãy lưu tệp dưới dạng UTF-8)", bad + 1, bad + 1);
		return NULL;
	}

	/* A section header: [name] with optional comment after. */
	const char *s = str;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[') {
		const char *e = strchr(s, ']');
		char name[64];
		if (e && (size_t)(e - s - 1) < sizeof(name)) {
			memcpy(name, s + 1, (size_t)(e - s - 1));
			name[e - s - 1] = 0;
			begin_section(ps, name);
		} else {
			fail(ps, ps->line, "malformed section header");
		}
	}
	return str;
}


/* One group of GPIO lines in the file, for the duplicate check. */
struct gpio_use {
	const struct mc_gpio_lines_conf *g;  /* the lines */
	char what[64];                       /* "[service.civil] button" */
};

static void add_use(struct gpio_use *u, int *n, const struct mc_gpio_lines_conf *g, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_use(struct gpio_use *u, int *n, const struct mc_gpio_lines_conf *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->n)
		return;
	u[*n].g = g;
	va_start(ap, fmt);
	vsnprintf(u[*n].what, sizeof(u[*n].what), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* GPIO checks across sections: the technician combination, and no line
 * used twice. */
static int finish_gpio(struct parser *ps)
{
	struct mc_config *cfg = ps->cfg;
	struct mc_gpio_conf *g = &cfg->gpio;
	struct gpio_use *use;
	int n = 0, rc = 0;

	if (g->tech_combo_text[0]) {
		char buf[96], *save = NULL;
		int count = 0;
		snprintf(buf, sizeof(buf), "%s", g->tech_combo_text);
		for (char *t = strtok_r(buf, "+ \t", &save); t; t = strtok_r(NULL, "+ \t", &save)) {
			int si = mc_config_service_index(cfg, t);
			if (si < 0)
				return fail(ps, g->tech_combo_line, "[gpio]: tech_combo: no [service.%s] is defined", t);
			if (!cfg->services[si].button_gpio.n)
				return fail(ps, g->tech_combo_line, "[gpio]: tech_combo: [service.%s] has no button", t);
			g->tech_combo |= 1u << si;
			count++;
		}
		if (count < 2)
			return fail(ps, g->tech_combo_line, "[gpio]: tech_combo needs two or more service buttons, "
				    "like civil+land");
	}
	use = calloc((size_t)cfg->nservices + 3u * (size_t)cfg->ncounters + 4u, sizeof(*use));
	if (!use)
		return fail(ps, 0, "out of memory");
	for (int i = 0; i < cfg->nservices; i++)
		add_use(use, &n, &cfg->services[i].button_gpio, "[service.%s] button", cfg->services[i].key);
	for (int i = 0; i < cfg->ncounters; i++) {
		struct mc_counter_conf *c = &cfg->counters[i];
		add_use(use, &n, &c->keys_gpio, "[counter.%d] keys", c->number);
		add_use(use, &n, &c->rating_gpio, "[counter.%d] rating_keys", c->number);
		add_use(use, &n, &c->display_gpio, "[counter.%d] display", c->number);
	}
	add_use(use, &n, &g->tech_gpio, "[gpio] tech_button");
	add_use(use, &n, &g->ready_gpio, "[gpio] light_ready");
	add_use(use, &n, &g->paper_low_gpio, "[gpio] light_paper_low");
	add_use(use, &n, &g->fault_gpio, "[gpio] light_fault");
	for (int a = 0; a < n && !rc; a++)
		for (int b = 0; b < a && !rc; b++)
			for (int i = 0; i < use[a].g->n && !rc; i++)
				for (int j = 0; j < use[b].g->n && !rc; j++) {
					const struct mc_gpio_line_conf *x = &use[a].g->lines[i], *y = &use[b].g->lines[j];
					char text[80];
					if (!mc_gpio_line_same(x, y))
						continue;
					mc_gpio_line_text(x, text, sizeof(text));
					rc = fail(ps, use[a].g->line, "%s: GPIO line %s is already used by %s (line %d)",
						  use[a].what, text, use[b].what, use[b].g->line);
				}
	free(use);
	return rc;
}

/* Default ranges, then refuses two services whose labels could be equal on
 * one day: the same prefix
 * (already in capitals; none counts as a prefix too) and overlapping ranges.
 * Ranges are compared by value, not by printed text: "A05" (numbers 1-99)
 * and "A005" (1-999) differ on paper but are both read aloud "A năm". */
static int check_labels(struct parser *ps)
{
	struct mc_config *cfg = ps->cfg;
	int block = 0;

	/* Services without a prefix and without numbers take the first free
	 * thousand in file order: 1-999, 1001-1999, 2001-2999, ... skipping any
	 * thousand an explicit unprefixed range touches, so that two of them
	 * never both issue "1". A prefixed one keeps 1-999: its letter tells it
	 * apart. */
	for (int i = 0; i < cfg->nservices; i++) {
		struct mc_service_conf *s = &cfg->services[i];
		bool taken = true;
		if (s->prefix[0] || ps->numbers_line[i])
			continue;
		for (; block <= 9 && taken; block += taken) {
			int lo = block ? block * 1000 + 1 : 1, hi = block * 1000 + 999;
			taken = false;
			for (int j = 0; j < cfg->nservices; j++)
				taken |= ps->numbers_line[j] && !cfg->services[j].prefix[0] &&
					 cfg->services[j].lo <= hi && lo <= cfg->services[j].hi;
		}
		if (taken)
			return fail(ps, s->line, "[service.%s]: no free default range left: give it numbers or a prefix",
				    s->key);
		s->lo = block ? block * 1000 + 1 : 1;
		s->hi = block * 1000 + 999;
		block++;
	}
	for (int i = 0; i < cfg->nservices; i++)
		for (int j = 0; j < i; j++) {
			const struct mc_service_conf *a = &cfg->services[i], *b = &cfg->services[j];
			int line = ps->numbers_line[i] ? ps->numbers_line[i] : a->line;
			int lo = a->lo > b->lo ? a->lo : b->lo;
			int width = !a->prefix[0] ? 1 : a->hi >= 100 ? 3 : a->hi >= 10 ? 2 : 1;

			if (strcmp(a->prefix, b->prefix) || a->lo > b->hi || b->lo > a->hi)
				continue;
			return fail(ps, line,
				    "[service.%s]: numbers %d-%d%s%s%s overlap [service.%s] (line %d, numbers %d-%d): "
				    "both would issue %s%0*d the same day; give one of them another prefix or a "
				    "range that does not overlap",
				    a->key, a->lo, a->hi, a->prefix[0] ? " with prefix " : " without a prefix",
				    a->prefix, ps->numbers_line[i] ? "" : " (the default)", b->key,
				    ps->numbers_line[j] ? ps->numbers_line[j] : b->line, b->lo, b->hi,
				    a->prefix, width, lo);
		}
	return 0;
}

/* The scale's parts agree with each other and with every counter's
 * rating keys. */
static int check_satisfaction(struct parser *ps)
{
	struct mc_config *cfg = ps->cfg;
	struct mc_satisfaction_conf *sc = &cfg->satisfaction;
	struct mc_scale *s = &sc->scale;

	if (sc->levels_line && !sc->levels_en_line && s->n != 4)
		return fail(ps, sc->levels_line, "[satisfaction]: %d levels need levels.en with %d English labels",
			    s->n, s->n);
	if (sc->levels_en_line && ps->levels_en_count != s->n)
		return fail(ps, sc->levels_en_line, "[satisfaction]: levels.en has %d labels, levels has %d",
			    ps->levels_en_count, s->n);
	if (s->satisfied >= s->n)
		return fail(ps, sc->satisfied_line ? sc->satisfied_line : sc->levels_line,
			    "[satisfaction]: satisfied = %d leaves no level below it on a %d-level scale",
			    s->satisfied, s->n);
	for (int i = 0; i < cfg->ncounters; i++) {
		const struct mc_counter_conf *c = &cfg->counters[i];
		if (c->rating_gpio.n && c->rating_gpio.n != s->n)
			return fail(ps, c->rating_gpio.line, "[counter.%d]: rating_keys has %d lines, the satisfaction "
				    "scale %d levels (one key per level, best first)", c->number, c->rating_gpio.n, s->n);
	}
	return 0;
}

/* Checks made once the whole file is read. */
/* Every [clerk.N] has a name, and no two clerks the same one (a report
 * would show two rows nobody could tell apart). */
static int check_clerks(struct parser *ps)
{
	const struct mc_config *cfg = ps->cfg;

	for (int i = 0; i < cfg->nclerks; i++) {
		const struct mc_clerk_conf *k = &cfg->clerks[i];
		if (!k->name[0])
			return fail(ps, k->line, "[clerk.%d]: name is required (the clerk's full name, "
				    "e.g. name = Nguyễn Thị Lan)", k->number);
		for (int j = 0; j < i; j++)
			if (!strcmp(cfg->clerks[j].name, k->name))
				return fail(ps, k->line, "[clerk.%d]: name '%s' is already clerk %d's (line %d); "
					    "tell them apart, e.g. with a middle name or the year of birth",
					    k->number, k->name, cfg->clerks[j].number, cfg->clerks[j].line);
	}
	return 0;
}

static int finish(struct parser *ps)
{
	struct mc_config *cfg = ps->cfg;

	if (!cfg->nservices)
		return fail(ps, ps->line, "no [service.KEY] section: the kiosk needs at least one service");
	for (int i = 0; i < cfg->nservices; i++) {
		struct mc_service_conf *s = &cfg->services[i];
		if (!s->name[0])
			return fail(ps, s->line, "[service.%s]: name is required", s->key);
		if (s->prefix[0] && s->hi > 999)
			return fail(ps, s->line, "[service.%s]: with a prefix, numbers end at 999 at most", s->key);
	}
	if (check_labels(ps) < 0 || check_satisfaction(ps) < 0 || check_clerks(ps) < 0)
		return -1;
	/* "nhăm" is northern speech: a southern voice saying it is likely a
	 * slip, not a choice (valid all the same). */
	if (cfg->audio.present && cfg->audio.south && cfg->audio.colloquial)
		snprintf(cfg->warnings, sizeof(cfg->warnings),
			 "%s:%d: warning: [audio] colloquial = yes reads 25 as \"hai mươi nhăm\", a northern form, "
			 "but dialect = south: a southern voice says \"hai mươi lăm\" (set colloquial = no)\n",
			 ps->name, ps->colloquial_line);
	if (!cfg->ncounters)
		return fail(ps, ps->line, "no [counter.N] section: the office needs at least one counter");
	for (int i = 0; i < cfg->ncounters; i++) {
		struct mc_counter_conf *c = &cfg->counters[i];
		char buf[256], *save = NULL;
		int line = ps->services_line[i] ? ps->services_line[i] : c->line;

		if (!ps->services_line[i])
			return fail(ps, c->line, "[counter.%d]: services is required", c->number);
		snprintf(buf, sizeof(buf), "%s", ps->services_text[i]);
		for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
			int si = mc_config_service_index(cfg, t);
			if (si < 0)
				return fail(ps, line, "[counter.%d]: services: no [service.%s] is defined", c->number, t);
			c->services |= 1u << si;
		}
		if (!c->services)
			return fail(ps, line, "[counter.%d]: services lists no service", c->number);
		for (int j = 0; j < i; j++)
			if (c->bus_addr && cfg->counters[j].bus_addr == c->bus_addr)
				return fail(ps, line, "[counter.%d]: bus address %d is already used by counter %d",
					    c->number, c->bus_addr, cfg->counters[j].number);
	}
	for (int i = 0; i < cfg->ncounters && !cfg->bus.present; i++)
		if (cfg->counters[i].bus_addr)
			return fail(ps, cfg->counters[i].line, "[counter.%d]: unit = bus:%d but there is no [bus] section",
				    cfg->counters[i].number, cfg->counters[i].bus_addr);
	for (int i = 0; i < cfg->nservices; i++) {
		bool served = false;
		for (int j = 0; j < cfg->ncounters; j++)
			served |= (cfg->counters[j].services >> i) & 1u;
		if (!served)
			return fail(ps, cfg->services[i].line, "[service.%s]: no counter serves it", cfg->services[i].key);
	}
	if (cfg->printer.present && !cfg->printer.device[0])
		return fail(ps, ps->line, "[printer]: device is required");
	/* A number only shown on a screen needs a screen to be shown on. */
	if (cfg->printer.present && cfg->printer.on_fail == MC_PRINT_FAIL_SCREEN && !cfg->screen.present)
		return fail(ps, ps->line, "[printer]: on_failure = screen needs a [screen] to show the number "
			    "on; use on_failure = refuse on a kiosk without a screen");
	if (cfg->uplink.present && (!cfg->uplink.url[0] || !cfg->uplink.office[0]))
		return fail(ps, cfg->uplink.line, "[uplink]: url and office are both required "
			    "(kioskctl central add-office prints them)");
	return finish_gpio(ps);
}

static int load(struct parser *ps)
{
	int rc = ini_parse_stream(reader, ps, handler, ps);

	free(ps->given);
	ps->given = NULL;
	if (ps->failed)
		return -1;
	if (rc > 0)
		return fail(ps, rc, "syntax error (expected [section] or key = value)");
	if (rc < 0)
		return fail(ps, 0, "cannot parse (%s)", rc == -2 ? "out of memory" : "read error");
	return finish(ps);
}

int mc_config_load_string(const char *text, const char *name, struct mc_config *cfg,
			  char *err, size_t errlen)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	int rc;

	if (!ps) {
		snprintf(err, errlen, "%s:0: out of memory", name);
		return -1;
	}
	ps->cfg = cfg;
	ps->name = name;
	ps->err = err;
	ps->errlen = errlen;
	ps->text = text;
	rc = set_defaults(ps);
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	if (rc == 0)
		rc = load(ps);
	free(ps);
	return rc;
}

int mc_config_load(const char *path, struct mc_config *cfg, char *err, size_t errlen)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	int rc;

	if (!ps) {
		snprintf(err, errlen, "%s:0: out of memory", path);
		return -1;
	}
	ps->cfg = cfg;
	ps->name = path;
	ps->err = err;
	ps->errlen = errlen;
	if (set_defaults(ps) < 0) {
		free(ps);
		return -1;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	ps->fp = fopen(path, "r");
	if (!ps->fp) {
		snprintf(err, errlen, "%s:0: cannot open: %s", path, strerror(errno));
		free(ps);
		return -1;
	}
	rc = load(ps);
	fclose(ps->fp);
	free(ps);
	return rc;
}

int mc_config_service_index(const struct mc_config *cfg, const char *key)
{
	for (int i = 0; i < cfg->nservices; i++)
		if (!strcmp(cfg->services[i].key, key))
			return i;
	return -1;
}

int mc_config_counter_index(const struct mc_config *cfg, int number)
{
	for (int i = 0; i < cfg->ncounters; i++)
		if (cfg->counters[i].number == number)
			return i;
	return -1;
}

/* The sections in the order board.conf(5) lists them, with their tables
 * (begin_section picks the same tables by name). */
static const struct {
	const char *name;
	const struct key *keys;
} sections[] = {
	{ "office", office_keys },   { "satisfaction", satisfaction_keys },
	{ "service.KEY", service_keys }, { "counter.N", counter_keys },
	{ "clerk.N", clerk_keys },
	{ "printer", printer_keys }, { "bus", bus_keys },
	{ "audio", audio_keys },     { "screen", screen_keys },
	{ "hall", hall_keys },       { "gpio", gpio_keys },
	{ "uplink", uplink_keys },   { "update", update_keys },
};

int mc_config_keys_each(int (*fn)(const struct mc_config_key_info *key, void *user), void *user)
{
	static const char *const kinds[] = {
		[T_STR] = "text", [T_INT] = "integer", [T_DUR_S] = "duration",
		[T_DUR_MS] = "duration", [T_BOOL] = "yes/no", [T_FN] = "special",
	};
	int rc;

	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++)
		for (const struct key *k = sections[s].keys; k->name; k++) {
			struct mc_config_key_info info = {
				.section = sections[s].name,
				.name = k->name,
				.kind = kinds[k->type],
				.def = k->def,
			};
			if (k->type == T_INT || k->type == T_DUR_S || k->type == T_DUR_MS) {
				info.min = k->min;
				info.max = k->max;
			}
			if (k->type == T_DUR_S || k->type == T_DUR_MS)
				info.unit = k->type == T_DUR_S ? "s" : "ms";
			if (k->type == T_STR)
				info.max_bytes = k->size - 1;
			rc = fn(&info, user);
			if (rc)
				return rc;
		}
	return 0;
}

const char *mc_config_clerk_name(const struct mc_config *cfg, int number)
{
	for (int i = 0; i < cfg->nclerks; i++)
		if (cfg->clerks[i].number == number)
			return cfg->clerks[i].name;
	return NULL;
}
