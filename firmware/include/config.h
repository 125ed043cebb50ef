/* config.h — board.conf: the kiosk's office rules and hardware, read with
 * inih and validated key by key.
 *
 * Every key has a default; every value is checked when the file is read. An
 * invalid file gives "FILE:LINE: what is wrong" and kioskd exits 78
 * (EX_CONFIG). The parsed mc_config is plain data, read-only after load. */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scale.h"

#include "civil.h"
#include "display.h" /* display kinds */
#include "gpio.h"    /* GPIO line specs and bias */

#define MC_EX_CONFIG 78        /* sysexits.h EX_CONFIG */
#define MC_MAX_SERVICES 16     /* services on one kiosk */
#define MC_MAX_COUNTERS 64     /* counters in one office */
#define MC_MAX_SPANS 4         /* opening spans per weekday */
#define MC_MAX_CLOSED 64       /* closed-date ranges */
#define MC_TEXT 160            /* longest name or path kept */
#define MC_MAX_CLERKS 128      /* [clerk.N] sections (names for reports) */

/* What a GPIO counter key does (the keys = ACTIONS = LINES value). */
enum mc_gpio_key {
	MC_KEY_NEXT,             /* next */
	MC_KEY_PRIORITY_NEXT,    /* priority-next */
	MC_KEY_RECALL,           /* recall */
	MC_KEY_NOSHOW,           /* noshow */
	MC_KEY_FINISH,           /* finish */
	MC_KEY_PAUSE,            /* pause (toggles pause/resume) */
};

/* A half-open span of local minutes since midnight, [from, to). */
struct mc_span {
	int from;  /* first open minute */
	int to;    /* first closed minute */
};

/* A range of closed local days (days since 1970-01-01), inclusive. */
struct mc_closed {
	int32_t first;  /* first closed day */
	int32_t last;   /* last closed day */
};

/* How NEXT chooses between priority and normal tickets. */
enum mc_priority_policy {
	MC_PRIO_STRICT,  /* any waiting priority ticket goes first */
	MC_PRIO_EVERY,   /* one priority ticket after every N normal ones */
};

/* Who vouches for the wall clock ([office] clock, DESIGN §8). */
enum mc_clock_mode {
	MC_CLOCK_AUTO,           /* auto: NTP synchronised (timedated, adjtimex) or set from an RTC at boot */
	MC_CLOCK_NTP,            /* ntp: only once NTP says it is synchronised */
	MC_CLOCK_RTC,            /* rtc: the board's RTC is right: trusted from boot */
	MC_CLOCK_TRUST,          /* trust: always (the simulator and tests) */
};

/* [office]: who the office is and when it is open. */
struct mc_office_conf {
	char name[MC_TEXT];      /* shown and printed, Vietnamese */
	char name_en[MC_TEXT];   /* English name ("" = use name) */
	char place[64];          /* place on documents ("Hoàn Kiếm, ngày ..."; "" = none) */
	char timezone[64];       /* IANA zone for opening hours and days */
	struct mc_span hours[7][MC_MAX_SPANS]; /* per weekday, 0 = Sunday */
	int nhours[7];           /* spans used per weekday */
	struct mc_closed closed[MC_MAX_CLOSED]; /* holidays, Tết */
	int nclosed;             /* ranges used */
	enum mc_priority_policy priority;  /* priority rule */
	int priority_every;      /* N for MC_PRIO_EVERY */
	int noshow_window_s;     /* a no-show can be reactivated this long */
	int double_tap_ms;       /* same input again within this: same ticket */
	int next_hold_ms;        /* a counter key's NEXT again within this of its
	                          * call: nothing changes (0: off) */
	char language[4];        /* default screen and ticket language: vi|en */
	int recent_services;     /* service times averaged for the estimate */
	int store_wait_ms;       /* an action waits this long for a busy
	                          * database, then is refused with `store` */
	enum mc_clock_mode clock; /* who vouches for the wall clock */
	int clock_step_s;        /* a wall-clock jump this large is a step */
	int clock_settle_s;      /* a forward step into a new day must hold this long */
};

/* The highest ticket number a service's range may reach (four digits: what
 * a board and a ticket show). */
#define MC_NUMBER_MAX 9999

/* [service.KEY]: one kind of procedure with its own numbers. */
struct mc_service_conf {
	char key[32];            /* the KEY of [service.KEY] */
	char name[MC_TEXT];      /* Vietnamese name */
	char name_en[MC_TEXT];   /* English name ("" = use name) */
	char prefix[4];          /* letter prefix ("" = none), e.g. "A" */
	int lo, hi;              /* daily number range, inclusive, within
	                          * 1-MC_NUMBER_MAX */
	int target_wait_s;       /* target wait, for reports (0 = none) */
	int default_service_s;   /* service time assumed before any is known */
	char button[64];         /* GPIO line of a physical button ("" = none) */
	struct mc_gpio_lines_conf button_gpio; /* the same, parsed (one line) */
	int line;                /* line of [service.KEY] in board.conf */
};

/* [counter.N]: one clerk's desk. */
struct mc_counter_conf {
	int number;              /* the N of [counter.N], 1..247 */
	uint32_t services;       /* bit i set: serves service i */
	int bus_addr;            /* Modbus address (0 = no bus unit) */
	char display[96];        /* GPIO display board ("" = none) */
	char keys[160];          /* GPIO keys ("" = none) */
	char rating_keys[160];   /* GPIO rating buttons ("" = none) */
	struct mc_gpio_lines_conf keys_gpio;   /* keys, parsed */
	enum mc_gpio_key key_actions[MC_GPIO_MAX_LINES]; /* action of each key line */
	struct mc_gpio_lines_conf rating_gpio; /* rating_keys, parsed: one line per level, best first */
	enum mc_display_kind display_kind;     /* display board type */
	struct mc_gpio_lines_conf display_gpio; /* its lines (CLK,DIO or DIN,CLK,LOAD) */
	int line;                /* line of [counter.N] in board.conf */
};

/* What to do with a new ticket when the printer cannot print. */
enum mc_print_fail_policy {
	MC_PRINT_FAIL_REFUSE,    /* refuse new tickets with a clear message */
	MC_PRINT_FAIL_SCREEN,    /* issue the number on screen only */
};

/* [printer]: the ticket printer. */
struct mc_printer_conf {
	bool present;            /* section given */
	char device[256];        /* usb:VID:PID | usb:auto | tcp:H:P | cups:Q | file:DIR */
	int width;               /* dots per line */
	bool full_cut;           /* full cut instead of partial */
	enum mc_print_fail_policy on_fail;  /* when it cannot print */
	char logo[256];          /* PNG printed at the top ("" = none) */
	char qr[256];            /* QR code content ("" = none) */
	char footer[MC_TEXT];    /* last line, Vietnamese */
	char footer_en[MC_TEXT]; /* last line, English */
	char desk[MC_TEXT];      /* second header line, the desk's name ("" = none) */
	char address[64];        /* how tickets address the citizen (default "quý công dân") */
	bool valid_today;        /* print "Phiếu chỉ có giá trị trong ngày" */
	bool missed_note;        /* print what to do when one's number was passed */
	int status_interval_s;   /* idle status check period */
	int queue;               /* tickets queued for printing at most; past
	                          * it on_failure decides, at once */
	int timeout_ms;          /* network and USB I/O timeout */
};

/* [bus]: the RS-485 counter bus (Modbus RTU). */
struct mc_bus_conf {
	bool present;            /* section given */
	char device[256];        /* serial device */
	int baud;                /* bits per second */
	char parity;             /* 'N', 'E' or 'O' */
	int data_bits;           /* 7 or 8 */
	int stop_bits;           /* 1 or 2 */
	int timeout_ms;          /* response timeout */
	int poll_ms;             /* pause between rounds */
	int offline_poll_ms;     /* how often an offline unit is tried */
	int brightness;          /* unit display brightness 0..15 */
	int blink_ms;            /* a new call blinks this long (0: no blink) */
};

/* How numbers are read out. */
enum mc_read_numbers {
	MC_READ_WHOLE,           /* 1023: một nghìn không trăm hai mươi ba */
	MC_READ_DIGITS,          /* 1023: một không hai ba */
};

/* [audio]: voice announcements. */
struct mc_audio_conf {
	bool present;            /* section given */
	char device[128];        /* ALSA PCM name */
	char voice[4];           /* vi | en */
	enum mc_read_numbers numbers; /* whole number or digit by digit */
	enum mc_read_numbers prefixed; /* prefixed labels (A017): whole or digit by digit */
	int repeat;              /* times each call is said */
	int volume;              /* 0..100 */
	struct mc_span quiet;    /* quiet hours (from == to: none) */
	char clips[256];         /* clip folder ("" = built-in set) */
	bool south;              /* dialect = south: "lẻ" and "ngàn" for linh, nghìn */
	bool colloquial;         /* "nhăm" for lăm after mươi (hai mươi nhăm) */
	bool tu;                 /* "tư" for bốn after mươi (hai mươi tư); default yes */
	bool english;            /* say each call again in English */
};

/* [screen]: the touch screen. */
struct mc_screen_conf {
	bool present;            /* section given */
	char driver[32];         /* SDL video driver ("" = SDL's choice) */
	int width, height;       /* pixels */
	int rotate;              /* 0, 90, 180, 270 */
	char pin_hash[160];      /* technician PIN, crypto_pwhash string */
	int home_timeout_s;      /* back to home after a ticket */
	int ticket_hold_ms;      /* the ticket screen ignores touches this long */
	char backlight[128];     /* sysfs backlight dir ("" = first in /sys/class/backlight) */
};

/* [update]: where update bundles may be installed from. */
#define MC_UPDATE_MAX_DIRS 8
struct mc_update_conf {
	/* bundle_dirs: directories whose regular files update-install accepts
	 * (no symlink followed below them); default: where the kiosk mounts
	 * removable media (/media, /run/media). The state directory's updates/
	 * (filled by `kioskctl update FILE`) is always accepted. */
	char bundle_dirs[MC_UPDATE_MAX_DIRS][MC_TEXT];
	int ndirs;
};

/* [hall]: the hall screen listing calls. */
struct mc_hall_conf {
	bool present;            /* section given */
	char display[64];        /* "window", "screen:N" or "" */
	int width, height;       /* pixels */
};

/* [gpio]: kiosk-wide GPIO lines. */
struct mc_gpio_conf {
	char tech_button[64];    /* technician button ("" = none) */
	char light_ready[64];    /* status lights ("" = none) */
	char light_paper_low[64];
	char light_fault[64];
	int debounce_ms;         /* input debounce */
	int long_press_ms;       /* long-press threshold */
	struct mc_gpio_lines_conf tech_gpio;   /* tech_button, parsed */
	struct mc_gpio_lines_conf ready_gpio;  /* light_ready, parsed */
	struct mc_gpio_lines_conf paper_low_gpio; /* light_paper_low, parsed */
	struct mc_gpio_lines_conf fault_gpio;  /* light_fault, parsed */
	uint32_t tech_combo;     /* bit i: service i's button is part of the
	                          * technician long-press combination (0 = none) */
	int tech_combo_line;     /* board.conf line of tech_combo */
	char tech_combo_text[96]; /* its value, resolved when the file is read */
	int blink_ms;            /* display blink half-period on a new call */
	int blinks;              /* blinks on a new call (0 = none) */
};

/* [uplink]: shipping the event log to the city's PostgreSQL (DESIGN §9). */
struct mc_uplink_conf {
	bool present;            /* section given */
	char url[512];           /* libpq connection string or postgresql:// URI */
	char office[32];         /* the office's code in the city (letters, digits, '-', '_') */
	int interval_ms;         /* pause between shipments when caught up */
	int batch;               /* events per central transaction */
	int line;                /* line of [uplink] in board.conf */
};

/* The whole board.conf. */
/* [satisfaction]: the office's rating scale (scale.h). */
struct mc_satisfaction_conf {
	struct mc_scale scale;   /* levels best first, labels, satisfied count */
	int levels_line;         /* line of levels = (0: default) */
	int levels_en_line;      /* line of levels.en = (0: default) */
	int satisfied_line;      /* line of satisfied = (0: default) */
};

/* [clerk.N]: a clerk's name, shown by reports instead of the bare number.
 * N is the clerk number a counter logs in (counter N login CLERK, a unit's
 * login), 1-255, the number the event log records. */
struct mc_clerk_conf {
	int number;              /* N */
	char name[MC_TEXT];      /* full name as reports print it ("Nguyễn Thị Lan") */
	int line;                /* line of [clerk.N], for messages */
};

struct mc_config {
	char path[256];          /* file it came from */
	char warnings[512];      /* "FILE:LINE: warning: ..." lines: valid, but likely not
	                          * what was meant ("" = none); config check prints them */
	struct mc_office_conf office;
	struct mc_satisfaction_conf satisfaction;
	struct mc_service_conf services[MC_MAX_SERVICES];
	int nservices;
	struct mc_counter_conf counters[MC_MAX_COUNTERS];
	int ncounters;
	struct mc_printer_conf printer;
	struct mc_bus_conf bus;
	struct mc_audio_conf audio;
	struct mc_screen_conf screen;
	struct mc_hall_conf hall;
	struct mc_gpio_conf gpio;
	struct mc_uplink_conf uplink;
	struct mc_update_conf update;
	struct mc_clerk_conf clerks[MC_MAX_CLERKS]; /* in file order */
	int nclerks;
};

/* Reads and validates path into *cfg. Returns 0, or -1 with a message
 * "PATH:LINE: what is wrong" (LINE 0 when the file cannot be read) in err. */
int mc_config_load(const char *path, struct mc_config *cfg, char *err, size_t errlen);

/* Same, from a string (tests); name is used in messages. */
int mc_config_load_string(const char *text, const char *name, struct mc_config *cfg,
			  char *err, size_t errlen);

/* Index of the service with key, or -1. */
int mc_config_service_index(const struct mc_config *cfg, const char *key);
/* Index of the counter numbered number, or -1. */
int mc_config_counter_index(const struct mc_config *cfg, int number);
/* The name of clerk number ([clerk.N] name), or NULL when board.conf has
 * none. Valid as long as cfg. */
const char *mc_config_clerk_name(const struct mc_config *cfg, int number);

/* Parses "90", "90s", "20m", "2h" into seconds. Returns 0 or -1. */
int mc_parse_duration_s(const char *s, int *out);

/* One key of board.conf as the parser's own key table defines it: what
 * `kioskctl config keys` prints and the man page board.conf(5) is made of.
 * Every pointer is to static text, valid for the program's life. */
struct mc_config_key_info {
	const char *section;  /* as written: "office", "service.KEY", "counter.N", ... */
	const char *name;     /* the key: "noshow_window", "name.en", ... */
	const char *kind;     /* "text", "integer", "duration", "yes/no" or "special"
	                       * (read by its own parser: the man page says how) */
	long min, max;        /* integer and duration bounds, in unit; 0 otherwise */
	const char *unit;     /* "s" or "ms" for a duration, NULL otherwise */
	size_t max_bytes;     /* text: the longest value in bytes; 0 otherwise */
	const char *def;      /* default as board.conf would write it; NULL: none */
};

/* Calls fn for every key of every section, sections in the order board.conf(5)
 * lists them and keys in their table's order. Stops at the first nonzero
 * return of fn and returns it; 0 when every key was visited. */
int mc_config_keys_each(int (*fn)(const struct mc_config_key_info *key, void *user), void *user);
#endif
