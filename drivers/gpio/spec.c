/* spec.c — the board.conf syntax of GPIO lines and display boards (see
 * gpio.h and display.h): text in, line specs out, nothing opened. */
#include "display.h"
#include "gpio.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes a message into err and returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* True if s is a usable line name or offset: letters, digits, '_', '-', '.'. */
static bool good_line_token(const char *s)
{
	if (!*s || strlen(s) >= 32)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/* Parses a whole number (C syntax: 12, 0x0c); 0, or -1 if s is not one. */
static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	if (!*s)
		return -1;
	*out = strtol(s, &end, 0);
	return errno || *end ? -1 : 0;
}

bool mc_gpio_line_same(const struct mc_gpio_line_conf *a, const struct mc_gpio_line_conf *b)
{
	return !strcmp(a->chip, b->chip) && a->offset == b->offset && !strcmp(a->name, b->name);
}

int mc_gpio_lines_parse(const char *value, const char *what, int min, int max, int max_bright,
			struct mc_gpio_lines_conf *g, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok, *save2 = NULL;
	char chip[32] = "";

	memset(g, 0, sizeof(*g));
	g->brightness = -1;
	if (strlen(value) >= sizeof(buf))
		return fail(err, errlen, "%s: value is too long", what);
	snprintf(buf, sizeof(buf), "%s", value);
	tok = strtok_r(buf, " \t", &save);
	if (!tok)
		return fail(err, errlen, "%s: no GPIO line given (write CHIP:OFFSET, e.g. gpiochip0:17)", what);
	for (char *item = strtok_r(tok, ",", &save2); item; item = strtok_r(NULL, ",", &save2)) {
		struct mc_gpio_line_conf *l;
		char *colon = strrchr(item, ':');
		const char *ln = item;

		if (g->n == max)
			return fail(err, errlen, "%s: too many lines (at most %d)", what, max);
		l = &g->lines[g->n];
		if (colon) {
			*colon = 0;
			if (!*item || strlen(item) >= sizeof(chip) || strchr(item, ' '))
				return fail(err, errlen, "%s: '%s' is not a GPIO chip name like gpiochip0", what, item);
			snprintf(chip, sizeof(chip), "%s", item);
			ln = colon + 1;
		} else if (!chip[0]) {
			return fail(err, errlen, "%s: '%s' names no chip: write CHIP:LINE, e.g. gpiochip0:%s",
				    what, item, item);
		}
		if (!good_line_token(ln))
			return fail(err, errlen, "%s: '%s' is not a line offset or line name", what, ln);
		snprintf(l->chip, sizeof(l->chip), "%s", chip);
		long off = 0;
		bool digits = true;
		for (const char *q = ln; *q; q++)
			digits &= isdigit((unsigned char)*q) != 0;
		if (digits) {
			off = strtol(ln, NULL, 10);
			if (off < 0 || off > 511)
				return fail(err, errlen, "%s: line offset %ld is out of range (0 to 511)", what, off);
			l->offset = (int)off;
		} else {
			l->offset = -1;
			snprintf(l->name, sizeof(l->name), "%s", ln);
		}
		for (int i = 0; i < g->n; i++)
			if (mc_gpio_line_same(&g->lines[i], l))
				return fail(err, errlen, "%s: line %s:%s is given twice", what, chip, ln);
		g->n++;
	}
	if (g->n < min)
		return fail(err, errlen, "%s: %d line%s given, %d needed", what, g->n, g->n == 1 ? "" : "s", min);
	for (char *o = strtok_r(NULL, " \t", &save); o; o = strtok_r(NULL, " \t", &save)) {
		long b;
		if (!strcmp(o, "active-low"))
			g->active_low = true;
		else if (!strcmp(o, "active-high"))
			g->active_low = false;
		else if (!strcmp(o, "pull-up"))
			g->bias = MC_GPIO_BIAS_PULL_UP;
		else if (!strcmp(o, "pull-down"))
			g->bias = MC_GPIO_BIAS_PULL_DOWN;
		else if (!strcmp(o, "bias-disable") || !strcmp(o, "no-pull"))
			g->bias = MC_GPIO_BIAS_DISABLE;
		else if (!strcmp(o, "as-is"))
			g->bias = MC_GPIO_BIAS_AS_IS;
		else if (max_bright > 0 && !strncmp(o, "brightness=", 11)) {
			if (parse_long(o + 11, &b) < 0 || b < 0 || b > max_bright)
				return fail(err, errlen, "%s: brightness must be 0 to %d", what, max_bright);
			g->brightness = (int)b;
		} else
			return fail(err, errlen, "%s: unknown option '%s' (known: active-low, active-high, "
				    "pull-up, pull-down, bias-disable, as-is%s)", what, o,
				    max_bright > 0 ? ", brightness=N" : "");
	}
	return 0;
}

int mc_display_parse(const char *value, enum mc_display_kind *kind, struct mc_gpio_lines_conf *g,
		     char *err, size_t errlen)
{
	if (!strncmp(value, "tm1637", 6) && (value[6] == ' ' || value[6] == '\t')) {
		*kind = MC_DISPLAY_TM1637;
		return mc_gpio_lines_parse(value + 7, "display (tm1637 CLK,DIO)", 2, 2, 7, g, err, errlen);
	}
	if (!strncmp(value, "max7219", 7) && (value[7] == ' ' || value[7] == '\t')) {
		*kind = MC_DISPLAY_MAX7219;
		return mc_gpio_lines_parse(value + 8, "display (max7219 DIN,CLK,LOAD)", 3, 3, 15, g, err, errlen);
	}
	return fail(err, errlen, "display: '%s' must be 'tm1637 CHIP:CLK,DIO' or 'max7219 CHIP:DIN,CLK,LOAD'",
		    value);
}
