/* test-config.c — board.conf: good files load; each kind of bad value is
 * refused with its line number and a message that says what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* A minimal valid body appended after each case's lines (lines 1..n). */
#define TAIL "[service.a]\nname = Hộ tịch\n[counter.1]\nservices = a\n"

static struct mc_config cfg;

static void good_file_loads_every_section(void **state)
{
	char err[256];
	const char *text =
		"[office]\nname = UBND xã Thử\nname.en = Test Commune\n"
		"hours = mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30 ; comment\n"
		"closed = 2026-01-01, 2026-02-14..2026-02-22\npriority = every 3\n"
		"noshow_window = 15m\ndouble_tap = 1500ms\nlanguage = en\n"
		"[service.civil]\nname = Tư pháp – Hộ tịch\nnumbers = 1001-1999 ; daily\ntarget_wait = 20m\n"
		"[service.biz]\nname = Kinh doanh\nprefix = B\nservice_time = 90s\n"
		"[counter.3]\nservices = civil, biz\nunit = bus:3\n"
		"[counter.12]\nservices = biz\n"
		"[printer]\ndevice = tcp:127.0.0.1:9100\nwidth = 384\ncut = full\non_failure = screen\n"
		"[bus]\ndevice = /dev/ttyUSB0\nbaud = 115200\nparity = none\nstop_bits = 2\n"
		"[audio]\ndevice = default\nvoice = vi\nnumbers = digits\nrepeat = 2\nquiet = 22:00-06:00\n"
		"[screen]\nwidth = 800\nheight = 480\nrotate = 90\nticket_hold = 20s\n"
		"[hall]\ndisplay = window\n"
		"[gpio]\ndebounce = 30ms\nlong_press = 3s\n";

	assert_int_equal(mc_config_load_string(text, "ok.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.office.name, "UBND xã Thử");
	assert_int_equal(cfg.office.nhours[1], 2);
	assert_int_equal(cfg.office.hours[1][1].from, 13 * 60 + 30);
	assert_int_equal(cfg.office.nhours[6], 1);
	assert_int_equal(cfg.office.nhours[0], 0);
	assert_int_equal(cfg.office.nclosed, 2);
	assert_int_equal(cfg.office.closed[1].last - cfg.office.closed[1].first, 8);
	assert_int_equal(cfg.office.priority, MC_PRIO_EVERY);
	assert_int_equal(cfg.office.priority_every, 3);
	assert_int_equal(cfg.office.noshow_window_s, 900);
	assert_int_equal(cfg.office.double_tap_ms, 1500);
	assert_int_equal(cfg.nservices, 2);
	assert_int_equal(cfg.services[0].lo, 1001);
	assert_int_equal(cfg.services[0].hi, 1999);
	assert_int_equal(cfg.services[0].target_wait_s, 1200);
	assert_string_equal(cfg.services[1].prefix, "B");
	assert_int_equal(cfg.services[1].lo, 1);
	assert_int_equal(cfg.services[1].default_service_s, 90);
	assert_int_equal(cfg.ncounters, 2);
	assert_int_equal(cfg.counters[0].number, 3);
	assert_int_equal(cfg.counters[0].services, 3u);
	assert_int_equal(cfg.counters[0].bus_addr, 3);
	assert_int_equal(cfg.counters[1].services, 2u);
	assert_true(cfg.printer.present);
	assert_int_equal(cfg.printer.width, 384);
	assert_true(cfg.printer.full_cut);
	assert_int_equal(cfg.printer.on_fail, MC_PRINT_FAIL_SCREEN);
	assert_int_equal(cfg.bus.baud, 115200);
	assert_int_equal(cfg.bus.parity, 'N');
	assert_int_equal(cfg.audio.numbers, MC_READ_DIGITS);
	assert_int_equal(cfg.audio.quiet.from, 22 * 60);
	assert_int_equal(cfg.screen.rotate, 90);
	assert_int_equal(cfg.screen.ticket_hold_ms, 20000);
	assert_true(cfg.hall.present);
	assert_int_equal(cfg.gpio.long_press_ms, 3000);
	assert_int_equal(mc_config_counter_index(&cfg, 12), 1);
	assert_int_equal(mc_config_service_index(&cfg, "biz"), 1);
}

static void defaults_apply(void **state)
{
	char err[256];

	assert_int_equal(mc_config_load_string(TAIL, "d.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.office.timezone, "Asia/Ho_Chi_Minh");
	assert_int_equal(cfg.office.nhours[3], 2);
	assert_int_equal(cfg.services[0].lo, 1);
	assert_int_equal(cfg.services[0].hi, 999);
	assert_false(cfg.printer.present);
	assert_int_equal(cfg.bus.baud, 19200);
	assert_int_equal(cfg.bus.parity, 'E');
	assert_int_equal(cfg.office.clock, MC_CLOCK_AUTO);
	assert_int_equal(cfg.office.clock_step_s, 300);
	assert_int_equal(cfg.office.clock_settle_s, 60);
	assert_int_equal(cfg.screen.ticket_hold_ms, 3000);
	assert_int_equal(mc_config_load_string("[office]\nclock = rtc\nclock_step = 2m\nclock_settle = 0s\n" TAIL,
					       "c.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.office.clock, MC_CLOCK_RTC);
	assert_int_equal(cfg.office.clock_step_s, 120);
	assert_int_equal(cfg.office.clock_settle_s, 0);
}

/* One bad case: the text, the line expected, words the message must hold. */
static const struct bad {
	const char *text;
	int line;
	const char *words;
} bads[] = {
	{ "[offise]\nname = x\n" TAIL, 1, "unknown section [offise]" },
	{ "[office]\nname = x\ncolour = red\n" TAIL, 3, "unknown key 'colour' in [office]" },
	{ "[office]\nname = x\nclock = gps\n" TAIL, 3, "clock: 'gps' must be auto, ntp, rtc or trust" },
	{ "[office]\nclock_step = 5s\n" TAIL, 2, "clock_step: '5s' is out of range" },
	{ "[office]\nclock_settle = 2h\n" TAIL, 2, "clock_settle: '2h' is out of range" },
	{ "[office]\nclock_settle = soon\n" TAIL, 2, "clock_settle: 'soon' is not a duration" },
	{ "[screen]\nticket_hold = 500ms\n" TAIL, 2, "ticket_hold: '500ms' is out of range" },
	{ "[office]\nhours = mon-fri 7.30-11.30\n" TAIL, 2, "'7.30-11.30' is not a span" },
	{ "[office]\nhours = mon-fry 07:30-11:30\n" TAIL, 2, "'fry' is not a weekday" },
	{ "[office]\nhours = mon 07:30-11:30 11:00-12:00\n" TAIL, 2, "overlaps" },
	{ "[office]\nhours = mon 11:30-07:30\n" TAIL, 2, "is not a span" },
	{ "[office]\nhours = mon\n" TAIL, 2, "without opening spans" },
	{ "[office]\n\nclosed = 2026-02-30\n" TAIL, 3, "'2026-02-30' is not a date" },
	{ "[office]\nclosed = 2026-02-22..2026-02-14\n" TAIL, 2, "ends before it starts" },
	{ "[office]\npriority = sometimes\n" TAIL, 2, "must be 'strict' or 'every N'" },
	{ "[office]\npriority = every 0\n" TAIL, 2, "every N" },
	{ "[office]\nnoshow_window = 10x\n" TAIL, 2, "not a duration" },
	{ "[office]\ndouble_tap = 2m\n" TAIL, 2, "out of range" },
	{ "[office]\nlanguage = fr\n" TAIL, 2, "'fr' is not a language" },
	{ "[office]\ntimezone = Mars/Olympus\n" TAIL, 2, "unknown zone 'Mars/Olympus'" },
	{ "[office]\ntimezone = ../../etc/passwd\n" TAIL, 2, "is not a zone name" },
	{ "[office]\nrecent_services = many\n" TAIL, 2, "not a whole number" },
	{ "[service.a]\nname = A\nnumbers = 10-5\n[counter.1]\nservices = a\n", 3, "low end first" },
	{ "[service.a]\nname = A\nnumbers = abc\n[counter.1]\nservices = a\n", 3, "must be a range" },
	{ "[service.a]\nname = A\nprefix = b1\n[counter.1]\nservices = a\n", 3, "one or two letters" },
	/* The satisfaction scale. */
	{ "[satisfaction]\nlevels = Tốt, Kém\n" TAIL, 2, "2 levels: a scale has 3 to 5" },
	{ "[satisfaction]\nlevels = A, B, C, D, E\n" TAIL, 2, "5 levels need levels.en" },
	{ "[satisfaction]\nlevels = A, B, C\nlevels.en = a, b, c, d\n" TAIL, 3, "levels.en has 4 labels, levels has 3" },
	{ "[satisfaction]\nlevels = A, B, C\nlevels.en = a, b, c\nsatisfied = 3\n" TAIL, 4, "leaves no level below" },
	{ "[satisfaction]\nlevels = A;B, C, D\n" TAIL, 2, "may not contain" },
	/* Two services that would issue the same label on one day. */
	{ "[service.a]\nname = A\nnumbers = 1-500\n[service.b]\nname = B\nnumbers = 400-999\n[counter.1]\nservices = a\n",
	  6, "overlap [service.a] (line 3, numbers 1-500): both would issue 400" },
	{ "[service.a]\nname = A\nprefix = B\n[service.b]\nname = B\nprefix = b\n[counter.1]\nservices = a\n",
	  4, "overlap [service.a] (line 1, numbers 1-999): both would issue B001" },
	{ "[service.a]\nname = A\nprefix = A\nnumbers = 1-99\n[service.b]\nname = B\nprefix = A\nnumbers = 50-999\n[counter.1]\nservices = a\n",
	  8, "both would issue A050" },
	{ "[service.a]\nname = A\nnumbers = 1-1500\n[service.b]\nname = B\nnumbers = 1001-1999\n[counter.1]\nservices = a\n",
	  6, "[service.b]: numbers 1001-1999 without a prefix overlap" },
	{ "[service.a]\nname = A\nprefix = B\nnumbers = 1-5000\n[counter.1]\nservices = a\n", 1, "end at 999" },
	{ "[service.a]\nnumbers = 1-9\n[counter.1]\nservices = a\n", 1, "name is required" },
	{ "[service.a b]\nname = A\n", 1, "a service key is" },
	{ "[service.a]\nname = A\n[service.a]\nname = B\n", 3, "defined twice" },
	{ "[service.a]\nname = A\ntarget_wait = -5m\n[counter.1]\nservices = a\n", 3, "not a duration" },
	{ "[service.a]\nname = A\n[counter.0]\nservices = a\n", 3, "counter number is 1 to 247" },
	{ "[service.a]\nname = A\n[counter.248]\nservices = a\n", 3, "counter number is 1 to 247" },
	{ "[service.a]\nname = A\n[counter.1]\n\nservices = a, b\n", 5, "no [service.b] is defined" },
	{ "[service.a]\nname = A\n[counter.1]\nunit = bus:1\n", 3, "services is required" },
	{ "[service.a]\nname = A\n[counter.1]\nservices = a\nunit = bus:300\n", 5, "bus:ADDR" },
	{ "[service.a]\nname = A\n[counter.1]\nservices = a\nunit = bus:2\n[counter.2]\nservices = a\nunit = bus:2\n",
	  7, "bus address 2 is already used by counter 1" },
	{ "[service.a]\nname = A\n[service.b]\nname = B\n[counter.1]\nservices = a\n", 3, "no counter serves it" },
	{ TAIL "[printer]\ndevice = lpt:1\n", 6, "must be usb:VID:PID" },
	{ TAIL "[printer]\ndevice = usb:auto\nwidth = 10\n", 7, "out of range (64 to 2048)" },
	{ TAIL "[printer]\ndevice = usb:auto\ncut = sideways\n", 7, "partial or full" },
	{ TAIL "[printer]\ndevice = usb:auto\non_failure = panic\n", 7, "refuse or screen" },
	{ TAIL "[printer]\nwidth = 384\n", 6, "device is required" },
	{ TAIL "[printer]\ndevice = usb:auto\non_failure = screen\n", 7, "needs a [screen]" },
	{ TAIL "[printer]\ndevice = usb:auto\nqueue = 0\n", 7, "out of range (1 to 64)" },
	{ TAIL "[bus]\nbaud = 12345\n", 6, "baud: '12345'" },
	{ TAIL "[bus]\nparity = maybe\n", 6, "none, even or odd" },
	{ TAIL "[bus]\ndata_bits = 9\n", 6, "out of range (7 to 8)" },
	{ TAIL "[bus]\ntimeout = 1ms\n", 6, "out of range" },
	{ TAIL "[audio]\nnumbers = roman\n", 6, "whole or digits" },
	{ TAIL "[audio]\nvolume = 101\n", 6, "out of range (0 to 100)" },
	{ TAIL "[audio]\nquiet = late\n", 6, "HH:MM-HH:MM" },
	{ TAIL "[screen]\nrotate = 45\n", 6, "0, 90, 180 or 270" },
	{ TAIL "[gpio]\ndebounce = 0ms\n", 6, "out of range" },
	{ TAIL "[uplink]\nurl = city.example\noffice = P1\n", 6, "neither a postgresql:// URI" },
	{ TAIL "[uplink]\nurl = host=db\noffice = P 1\n", 7, "is not an office code" },
	{ TAIL "[uplink]\nurl = host=db\noffice = P1\nbatch = 0\n", 8, "out of range (1 to 100000)" },
	{ TAIL "[uplink]\nurl = host=db\noffice = P1\ninterval = 5x\n", 8, "not a duration" },
	{ TAIL "[uplink]\nurl = host=db\n", 5, "url and office are both required" },
	{ TAIL "[uplink]\nport = 5432\n", 6, "unknown key 'port' in [uplink]" },
	{ "name = x\n" TAIL, 1, "outside any section" },
	{ "[office]\nthis line has no equals sign\n" TAIL, 2, "syntax error" },
	{ "[office]\nname = x\n", 2, "no [service.KEY] section" },
	{ "[service.a]\nname = A\n", 2, "no [counter.N] section" },
	{ "[office]\nname = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" TAIL, 2, "too long" },
	{ "[office]\nname = x\n[bogus\n" TAIL, 3, "malformed section header" },
	/* A key given twice: the second silently won (a holiday added on a
	 * new line re-opened the office on the first line's days). */
	{ "[office]\nclosed = 2026-12-01\nclosed = 2026-12-25\n" TAIL, 3,
	  "[office]: closed is given twice (lines 2 and 3)" },
	{ "[office]\nname = A\n" TAIL "[office]\nname = B\n", 8, "name is given twice (lines 2 and 8)" },
	{ "[service.a]\nname = A\nnumbers = 1001-1999\nnumbers = 1-999\n[counter.1]\nservices = a\n", 4,
	  "[service.a]: numbers is given twice (lines 3 and 4)" },
	{ "[office]\nnext_hold = 2m\n" TAIL, 2, "out of range" },
};

static void each_bad_value_names_its_line(void **state)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char err[512], want[64];

		memset(err, 0, sizeof(err));
		int rc = mc_config_load_string(bads[i].text, "bad.conf", &cfg, err, sizeof(err));
		snprintf(want, sizeof(want), "bad.conf:%d: ", bads[i].line);
		if (rc != -1 || strncmp(err, want, strlen(want)) || !strstr(err, bads[i].words))
			fail_msg("case %zu: got rc %d, '%s'; want '%s...%s'", i, rc, err, want, bads[i].words);
	}
}

/* Services without numbers never share a range: unprefixed ones take free
 * thousands in file order (around explicit ranges), prefixed ones 1-999;
 * a lower-case prefix is the same prefix in capitals. */
static void default_ranges_never_collide(void **state)
{
	struct mc_config *c = malloc(sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	assert_int_equal(mc_config_load_string("[service.a]\nname = A\n[service.b]\nname = B\nnumbers = 1-999\n"
					       "[service.c]\nname = C\n[service.d]\nname = D\nprefix = d\n"
					       "[counter.1]\nservices = a, b, c, d\n", "x.conf", c, err, sizeof(err)), 0);
	assert_int_equal(c->services[0].lo, 1001);
	assert_int_equal(c->services[0].hi, 1999);
	assert_int_equal(c->services[2].lo, 2001);
	assert_int_equal(c->services[2].hi, 2999);
	assert_string_equal(c->services[3].prefix, "D");
	assert_int_equal(c->services[3].lo, 1);
	assert_int_equal(c->services[3].hi, 999);
	free(c);
}

/* The default scale is the common four levels, best first, top two
 * satisfied; an office can set its own. */
static void satisfaction_scale(void **state)
{
	struct mc_config *c = malloc(sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	assert_int_equal(mc_config_load_string("[service.a]\nname = A\n[counter.1]\nservices = a\n", "x.conf", c, err,
					       sizeof(err)), 0);
	assert_int_equal(c->satisfaction.scale.n, 4);
	assert_int_equal(c->satisfaction.scale.satisfied, 2);
	assert_string_equal(c->satisfaction.scale.vi[0], "Rất hài lòng");
	assert_string_equal(c->satisfaction.scale.vi[3], "Không hài lòng");
	assert_int_equal(mc_config_load_string("[satisfaction]\nlevels.en = 1, 2, 3, 4, 5\n"
					       "levels = Rất tốt, Tốt , Được, Kém, Rất kém\nsatisfied = 3\n"
					       "[service.a]\nname = A\n[counter.1]\nservices = a\n"
					       "rating_keys = gpiochip0:1,2,3,4,5\n", "x.conf", c, err, sizeof(err)), 0);
	assert_int_equal(c->satisfaction.scale.n, 5);
	assert_int_equal(c->satisfaction.scale.satisfied, 3);
	assert_string_equal(c->satisfaction.scale.vi[1], "Tốt");
	assert_string_equal(c->satisfaction.scale.en[4], "5");
	free(c);
}

static void uplink_section_loads(void **state)
{
	char err[256];
	const char *text = TAIL "[uplink]\nurl = postgresql://office_p1@city.example/motcua?sslmode=verify-full\n"
		"office = 26734\ninterval = 30s\nbatch = 500\n";

	(void)state;
	assert_int_equal(mc_config_load_string(TAIL, "u.conf", &cfg, err, sizeof(err)), 0);
	assert_false(cfg.uplink.present);
	assert_int_equal(cfg.uplink.interval_ms, 5000);
	assert_int_equal(cfg.uplink.batch, 1000);
	assert_int_equal(mc_config_load_string(text, "u.conf", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.uplink.present);
	assert_string_equal(cfg.uplink.url, "postgresql://office_p1@city.example/motcua?sslmode=verify-full");
	assert_string_equal(cfg.uplink.office, "26734");
	assert_int_equal(cfg.uplink.interval_ms, 30000);
	assert_int_equal(cfg.uplink.batch, 500);
}

/* [clerk.N] name: the names reports show; each mistake refused at its line. */
static void clerk_names(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *words;
	} clerk_bads[] = {
		{ "[clerk.0]\nname = A\n" TAIL, 1, "a clerk number is 1 to 255" },
		{ "[clerk.256]\nname = A\n" TAIL, 1, "a clerk number is 1 to 255" },
		{ "[clerk.x]\nname = A\n" TAIL, 1, "a clerk number is 1 to 255" },
		{ "[clerk.3]\nname = A\n[clerk.3]\nname = B\n" TAIL, 3, "clerk defined twice (first at line 1)" },
		{ "[clerk.3]\n" TAIL, 1, "[clerk.3]: name is required" },
		{ "[clerk.3]\nname = Lê Văn Tám\n[clerk.4]\nname = Lê Văn Tám\n" TAIL, 3,
		  "name 'Lê Văn Tám' is already clerk 3's (line 1)" },
		{ "[clerk.3]\nnam = A\n" TAIL, 2, "unknown key 'nam' in [clerk.3]" },
	};
	char err[512];

	(void)state;
	assert_int_equal(mc_config_load_string("[clerk.12]\nname = Nguyễn Thị Lan\n[clerk.255]\nname = Trần Văn Bình\n" TAIL,
					       "k.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nclerks, 2);
	assert_string_equal(mc_config_clerk_name(&cfg, 12), "Nguyễn Thị Lan");
	assert_string_equal(mc_config_clerk_name(&cfg, 255), "Trần Văn Bình");
	assert_null(mc_config_clerk_name(&cfg, 13));
	for (size_t i = 0; i < sizeof(clerk_bads) / sizeof(clerk_bads[0]); i++) {
		char want[64];
		memset(err, 0, sizeof(err));
		int rc = mc_config_load_string(clerk_bads[i].text, "bad.conf", &cfg, err, sizeof(err));
		snprintf(want, sizeof(want), "bad.conf:%d: ", clerk_bads[i].line);
		if (rc != -1 || strncmp(err, want, strlen(want)) || !strstr(err, clerk_bads[i].words))
			fail_msg("case %zu: got rc %d, '%s'; want '%s...%s'", i, rc, err, want, clerk_bads[i].words);
	}
}

static void missing_file_says_so(void **state)
{
	char err[256];

	assert_int_equal(mc_config_load("/nonexistent/board.conf", &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/board.conf:0: cannot open"));
}

/* Writes len bytes to a new temporary file; returns its path (static). */
static const char *temp_file(const void *data, size_t len)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/mc-test-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* "UTF-8 with BOM" (Windows editors) loads, from a file and from a string,
 * with the first line a section header; UTF-16 (with or without its mark)
 * is refused with a message saying to save as UTF-8. */
static void bom_accepted_utf16_refused(void **state)
{
	char err[256];
	const char body[] = "\xef\xbb\xbf[office]\nname = UBND xã Thử\n" TAIL;
	const char *path = temp_file(body, sizeof(body) - 1);

	(void)state;
	assert_int_equal(mc_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.office.name, "UBND xã Thử");
	unlink(path);
	assert_int_equal(mc_config_load_string(body, "bom.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.office.name, "UBND xã Thử");

	/* The same text in UTF-16 LE, with and without its mark. */
	const char ascii[] = "[office]\nname = UBND\n" TAIL;
	for (int mark = 0; mark < 2; mark++) {
		unsigned char wide[2 * sizeof(ascii) + 2];
		size_t n = 0;
		if (mark) {
			wide[n++] = 0xff;
			wide[n++] = 0xfe;
		}
		for (size_t i = 0; i + 1 < sizeof(ascii); i++) {
			wide[n++] = (unsigned char)ascii[i];
			wide[n++] = 0;
		}
		path = temp_file(wide, n);
		assert_int_equal(mc_config_load(path, &cfg, err, sizeof(err)), -1);
		if (!strstr(err, ":1: ") || !strstr(err, "UTF-16") || !strstr(err, "save it as UTF-8"))
			fail_msg("mark %d: '%s'", mark, err);
		unlink(path);
	}
}

/* A file that is not UTF-8 (a name saved in Windows-1258 or Latin-1, a
 * stray byte in a footer, an overlong form, a surrogate) is refused at
 * its line and byte with a message saying to save as UTF-8, never loaded
 * to be printed as garbage; every tone-marked UTF-8 text loads. */
static void non_utf8_refused(void **state)
{
	char err[256];
	static const struct {
		const char *bad;  /* the footer's value */
		int byte;         /* where the line stops being UTF-8 (1-based) */
	} cases[] = {
		{ "X\xe1in c\xe1m \xf4n", 11 },          /* Latin-1 "Xin cám ơn" bytes */
		{ "Xin c\xc3", 15 },                      /* cut in the middle of a character */
		{ "\xc0\xaf", 10 },                       /* overlong '/' */
		{ "a\xed\xa0\x80", 11 },                 /* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", 10 },             /* past U+10FFFF */
		{ "ok \x80", 13 },                         /* a lone continuation byte */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[512], want[64];
		snprintf(body, sizeof(body), "[office]\nname = UBND\n" TAIL "[printer]\ndevice = usb:auto\nfooter = %s\n",
			 cases[i].bad);
		int line = 1;
		for (const char *p = body; p < strstr(body, "footer ="); p++)
			line += *p == '\n';
		assert_int_equal(mc_config_load_string(body, "b.conf", &cfg, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "b.conf:%d: byte %d is not UTF-8", line, cases[i].byte);
		if (!strstr(err, want) || !strstr(err, "save the file as UTF-8"))
			fail_msg("case %zu: '%s' (wanted '%s')", i, err, want);
	}
	const char good[] = "[office]\nname = UBND xã Thử Nghiệm – 𝔘 ₫\n" TAIL
			    "[printer]\ndevice = usb:auto\nfooter = Xin cảm ơn quý công dân! 謝謝\n";
	assert_int_equal(mc_config_load_string(good, "g.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.office.name, "UBND xã Thử Nghiệm – 𝔘 ₫");
}

static void durations_and_days_parse(void **state)
{
	int s;
	int32_t d;
	char buf[16];

	assert_int_equal(mc_parse_duration_s("90", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(mc_parse_duration_s("20m", &s), 0);
	assert_int_equal(s, 1200);
	assert_int_equal(mc_parse_duration_s("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(mc_parse_duration_s("1500ms", &s), -1);
	assert_int_equal(mc_parse_duration_s("m", &s), -1);
	assert_int_equal(mc_parse_day("2024-02-29", &d), 0);
	assert_int_equal(mc_parse_day("2025-02-29", &d), -1);
	assert_int_equal(mc_parse_day("2026-11-25", &d), 0);
	assert_int_equal(mc_weekday(d), 3);
	mc_format_day(d, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-25");
	assert_int_equal(mc_days_from_civil(1970, 1, 1), 0);
	for (d = -1000; d < 40000; d += 37) {
		int y, m, dd;
		mc_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(mc_days_from_civil(y, m, dd), d);
	}
}

/* Loads text; returns the loader's result. */
static int load(const char *text)
{
	char err[512];

	return mc_config_load_string(text, "b.conf", &cfg, err, sizeof(err));
}

/* The edges of each range are accepted, one past them refused (issue 20). */
static void boundaries_are_accepted_one_past_refused(void **state)
{
	(void)state;
	/* numbers: 1-9999. */
	assert_int_equal(load("[service.a]\nname = A\nnumbers = 1-9999\n[counter.1]\nservices = a\n"), 0);
	assert_int_equal(cfg.services[0].lo, 1);
	assert_int_equal(cfg.services[0].hi, 9999);
	assert_int_equal(load("[service.a]\nname = A\nnumbers = 0-5\n[counter.1]\nservices = a\n"), -1);
	assert_int_equal(load("[service.a]\nname = A\nnumbers = 1-10000\n[counter.1]\nservices = a\n"), -1);
	assert_int_equal(load("[service.a]\nname = A\nnumbers = 7-7\n[counter.1]\nservices = a\n"), 0);
	assert_int_equal(cfg.services[0].lo, 7);
	assert_int_equal(cfg.services[0].hi, 7);
	assert_int_equal(load("[service.a]\nname = A\nnumbers = 8-7\n[counter.1]\nservices = a\n"), -1);
	assert_int_equal(load("[service.a]\nname = A\nnumbers = 5\n[counter.1]\nservices = a\n"), -1);
	/* With a prefix the label has room for three digits: 999, not 1000. */
	assert_int_equal(load("[service.a]\nname = A\nprefix = AB\nnumbers = 1-999\n[counter.1]\nservices = a\n"), 0);
	assert_string_equal(cfg.services[0].prefix, "AB");
	assert_int_equal(load("[service.a]\nname = A\nprefix = A\nnumbers = 1-1000\n[counter.1]\nservices = a\n"), -1);
	assert_int_equal(load("[service.a]\nname = A\nprefix = ABC\n[counter.1]\nservices = a\n"), -1);
	assert_int_equal(load("[service.a]\nname = A\nprefix = Z\n[counter.1]\nservices = a\n"), 0);
	assert_int_equal(load("[service.a]\nname = A\nprefix = A1\n[counter.1]\nservices = a\n"), -1);
	/* priority = every 1..100. */
	assert_int_equal(load("[office]\npriority = every 100\n" TAIL), 0);
	assert_int_equal(cfg.office.priority, MC_PRIO_EVERY);
	assert_int_equal(cfg.office.priority_every, 100);
	assert_int_equal(load("[office]\npriority = every 1\n" TAIL), 0);
	assert_int_equal(cfg.office.priority_every, 1);
	assert_int_equal(load("[office]\npriority = every 101\n" TAIL), -1);
	assert_int_equal(load("[office]\npriority = strict\n" TAIL), 0);
	assert_int_equal(cfg.office.priority, MC_PRIO_STRICT);
	/* Maxima of durations are accepted, one unit more is not. */
	assert_int_equal(load("[office]\nnoshow_window = 24h\ndouble_tap = 60s\n" TAIL), 0);
	assert_int_equal(cfg.office.noshow_window_s, 24 * 3600);
	assert_int_equal(cfg.office.double_tap_ms, 60000);
	assert_int_equal(load("[office]\nnoshow_window = 86401\n" TAIL), -1);
	assert_int_equal(load("[office]\ndouble_tap = 60001ms\n" TAIL), -1);
	assert_int_equal(load("[office]\nnoshow_window = 0\ndouble_tap = 0ms\n" TAIL), 0);
	assert_int_equal(cfg.office.noshow_window_s, 0);
	assert_int_equal(cfg.office.double_tap_ms, 0);
	assert_int_equal(load("[office]\ndouble_tap = 2s\n" TAIL), 0);
	assert_int_equal(cfg.office.double_tap_ms, 2000);
	assert_int_equal(load("[office]\nnoshow_window = 90m\n" TAIL), 0);
	assert_int_equal(cfg.office.noshow_window_s, 5400);
	assert_int_equal(load("[office]\nrecent_services = 1000\n" TAIL), 0);
	assert_int_equal(cfg.office.recent_services, 1000);
	assert_int_equal(load("[office]\nrecent_services = 1\n" TAIL), 0);
	assert_int_equal(cfg.office.recent_services, 1);
	assert_int_equal(load("[office]\nrecent_services = 0\n" TAIL), -1);
	assert_int_equal(load("[office]\nrecent_services = 1001\n" TAIL), -1);
	assert_int_equal(load("[service.a]\nname = A\nservice_time = 24h\n[counter.1]\nservices = a\n"), 0);
	assert_int_equal(cfg.services[0].default_service_s, 86400);
	assert_int_equal(load("[service.a]\nname = A\nservice_time = 0\n[counter.1]\nservices = a\n"), -1);
	assert_int_equal(load(TAIL "[bus]\ntimeout = 5000ms\n"), 0);
	assert_int_equal(cfg.bus.timeout_ms, 5000);
	assert_int_equal(load(TAIL "[bus]\ntimeout = 5001ms\n"), -1);
	assert_int_equal(load(TAIL "[bus]\ntimeout = 5ms\nbrightness = 15\n"), 0);
	assert_int_equal(cfg.bus.brightness, 15);
	assert_int_equal(load(TAIL "[bus]\nbrightness = 16\n"), -1);
	/* Counters 1..247 (bus addresses). */
	assert_int_equal(load("[service.a]\nname = A\n[counter.247]\nservices = a\n[counter.1]\nservices = a\n"), 0);
	assert_int_equal(cfg.ncounters, 2);
	assert_int_equal(cfg.counters[0].number, 247);
	assert_int_equal(cfg.counters[1].number, 1);
	assert_int_equal(mc_config_counter_index(&cfg, 1), 1);
	assert_int_equal(mc_config_counter_index(&cfg, 2), -1);
}

/* Hours, closed days and the weekday names. */
static void hours_and_closed_days(void **state)
{
	(void)state;
	assert_int_equal(load("[office]\nhours = sat-mon 08:00-09:00 09:00-10:00\n"
			      "closed = 2026-01-01, 2026-02-14..2026-02-16, 2026-09-02\n" TAIL), 0);
	/* sat-mon wraps through Sunday; the rest of the week is closed. */
	assert_int_equal(cfg.office.nhours[6], 2);
	assert_int_equal(cfg.office.nhours[0], 2);
	assert_int_equal(cfg.office.nhours[1], 2);
	assert_int_equal(cfg.office.nhours[2], 0);
	assert_int_equal(cfg.office.nhours[5], 0);
	assert_int_equal(cfg.office.hours[0][1].from, 9 * 60);
	assert_int_equal(cfg.office.hours[0][1].to, 10 * 60);
	assert_int_equal(cfg.office.nclosed, 3);
	assert_int_equal(cfg.office.closed[0].first, mc_days_from_civil(2026, 1, 1));
	assert_int_equal(cfg.office.closed[0].last, mc_days_from_civil(2026, 1, 1));
	assert_int_equal(cfg.office.closed[1].first, mc_days_from_civil(2026, 2, 14));
	assert_int_equal(cfg.office.closed[1].last, mc_days_from_civil(2026, 2, 16));
	assert_int_equal(cfg.office.closed[2].last, mc_days_from_civil(2026, 9, 2));
	/* Day names in any case, lists with commas; a one-day range. */
	assert_int_equal(load("[office]\nhours = MON,Wed 07:00-08:00; sun-sun 10:00-11:00\n"
			      "closed = 2026-03-03..2026-03-03\n" TAIL), 0);
	assert_int_equal(cfg.office.nhours[1], 1);
	assert_int_equal(cfg.office.nhours[3], 1);
	assert_int_equal(cfg.office.nhours[2], 0);
	assert_int_equal(cfg.office.nhours[0], 1);
	assert_int_equal(cfg.office.nhours[6], 0);
	assert_int_equal(cfg.office.hours[0][0].from, 600);
	assert_int_equal(cfg.office.nclosed, 1);
	/* 00:00-24:00 is the whole day; 24:01 is not a time. */
	assert_int_equal(load("[office]\nhours = mon 00:00-24:00\n" TAIL), 0);
	assert_int_equal(cfg.office.hours[1][0].to, 24 * 60);
	assert_int_equal(load("[office]\nhours = mon 00:00-24:01\n" TAIL), -1);
	assert_int_equal(load("[office]\nhours = mon 08:60-09:00\n" TAIL), -1);
	assert_int_equal(load("[office]\nhours = mon 08:00-08:00\n" TAIL), -1);
	assert_int_equal(load("[office]\nhours = xyz-mon 08:00-09:00\n" TAIL), -1);
}

/* The longest line and the longest value are accepted, one more refused,
 * from a string and from a file alike. */
static void longest_line_and_value(void **state)
{
	char err[512], text[1024], path[] = "/tmp/mc-config-XXXXXX";
	size_t most;

	(void)state;
	/* The limit, as the loader states it. */
	memset(text, 0, sizeof(text));
	strcpy(text, "[office]\nname = ");
	memset(text + strlen(text), 'x', 400);
	strcat(text, "\n" TAIL);
	assert_int_equal(mc_config_load_string(text, "b.conf", &cfg, err, sizeof(err)), -1);
	const char *at = strstr(err, "at most ");
	assert_non_null(at);
	most = (size_t)atol(at + 8);
	assert_true(most > 20 && most < 400);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (size_t extra = 0; extra < 2; extra++) {
		/* A comment line of most characters, then of most + 1. */
		memset(text, 0, sizeof(text));
		strcpy(text, "[office]\n#");
		memset(text + strlen(text), 'x', most + extra - 1);
		strcat(text, "\n" TAIL);
		int want = extra ? -1 : 0;
		assert_int_equal(mc_config_load_string(text, "b.conf", &cfg, err, sizeof(err)), want);
		if (extra)
			assert_non_null(strstr(err, "b.conf:2: line is too long"));
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		assert_int_equal(mc_config_load(path, &cfg, err, sizeof(err)), want);
		if (extra)
			assert_non_null(strstr(err, ":2: line is too long"));
	}
	unlink(path);
	/* A name of the longest length leaves the field after it alone. */
	memset(text, 0, sizeof(text));
	strcpy(text, "[office]\nname.en = Office\nname = ");
	memset(text + strlen(text), 'n', MC_TEXT - 1);
	strcat(text, "\n" TAIL);
	assert_int_equal(load(text), 0);
	assert_int_equal(strlen(cfg.office.name), MC_TEXT - 1);
	assert_string_equal(cfg.office.name_en, "Office");
	/* [screen] driver holds 31 bytes. */
	assert_int_equal(load(TAIL "[screen]\ndriver = abcdefghijklmnopqrstuvwxyz01234\n"), 0);
	assert_string_equal(cfg.screen.driver, "abcdefghijklmnopqrstuvwxyz01234");
	assert_int_equal(mc_config_load_string(TAIL "[screen]\ndriver = abcdefghijklmnopqrstuvwxyz012345\n",
					       "b.conf", &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "b.conf:6: driver: value is too long (at most 31 bytes)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_file_loads_every_section),
		cmocka_unit_test(defaults_apply),
		cmocka_unit_test(each_bad_value_names_its_line),
		cmocka_unit_test(default_ranges_never_collide),
		cmocka_unit_test(satisfaction_scale),
		cmocka_unit_test(missing_file_says_so),
		cmocka_unit_test(uplink_section_loads),
		cmocka_unit_test(clerk_names),
		cmocka_unit_test(durations_and_days_parse),
		cmocka_unit_test(boundaries_are_accepted_one_past_refused),
		cmocka_unit_test(hours_and_closed_days),
		cmocka_unit_test(longest_line_and_value),
		cmocka_unit_test(bom_accepted_utf16_refused),
		cmocka_unit_test(non_utf8_refused),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
