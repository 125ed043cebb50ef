/* view.h — what the screens show: a plain-data snapshot of the queue, built
 * on the loop thread from the one engine (mc_app_engine) each time it
 * changes, and handed to the UI thread. The screens never keep queue state
 * of their own: every number they draw comes from the latest view. */
#ifndef MC_VIEW_H
#define MC_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#define MC_VIEW_TEXT 160         /* longest name kept (the config's MC_TEXT) */
#define MC_VIEW_SERVICES 16      /* services at most (the config's MC_MAX_SERVICES) */
#define MC_VIEW_COUNTERS 64      /* counters at most (the config's MC_MAX_COUNTERS) */
#define MC_VIEW_CALLS 8          /* recent calls kept for the hall */
#define MC_VIEW_STATUS 4096      /* technician status text (JSON) */
#define MC_VIEW_MISSED 6         /* recent no-shows kept for the hall */
#define MC_VIEW_ADDRS 6          /* network addresses shown to the technician */
#define MC_VIEW_BUNDLES 8        /* update bundles listed in the technician menu */

/* Whether tickets can be printed, as the screens tell citizens. */
enum mc_view_printer {
	MC_VIEW_PRINTER_ABSENT,  /* no printer configured: numbers on screen only */
	MC_VIEW_PRINTER_READY,   /* can print */
	MC_VIEW_PRINTER_DOWN,    /* cannot print now */
};

/* Whether the wall clock lets tickets be issued (DESIGN §8). */
enum mc_view_clock {
	MC_VIEW_CLOCK_OK,        /* trusted, on the office day */
	MC_VIEW_CLOCK_UNTRUSTED, /* not known right yet: no tickets */
	MC_VIEW_CLOCK_SETTLING,  /* jumped to a later day: waiting for it to hold */
	MC_VIEW_CLOCK_BEHIND,    /* on a day before the office day */
};

/* How a ticket request ended, as far as the ticket screen cares. */
enum mc_view_outcome {
	MC_VIEW_ISSUED,          /* a number was issued (or the same one again) */
	MC_VIEW_CLOSED,          /* outside opening hours: open_day/open_minute say when */
	MC_VIEW_NO_PRINTER,      /* refused: the printer cannot print */
	MC_VIEW_PAUSED,          /* refused: the technician paused issuing */
	MC_VIEW_EXHAUSTED,       /* refused: every number of the day's range is open */
	MC_VIEW_CLOCK,           /* refused: the clock is not trusted (the view's clock says why) */
	MC_VIEW_BUSY,            /* refused for any other reason: try again */
};

/* One service as the home screen shows it. */
struct mc_view_service {
	char name[MC_VIEW_TEXT]; /* Vietnamese name */
	char name_en[MC_VIEW_TEXT]; /* English name (never empty: falls back to name) */
	int waiting;             /* tickets waiting */
	int est_wait_min;        /* estimated wait of a new ticket, minutes */
	int prio_waiting;        /* priority tickets waiting */
	int prio_est_wait_min;   /* estimated wait of a new priority ticket, minutes */
};

/* One counter as the hall shows it. */
struct mc_view_counter {
	int number;              /* counter number */
	char label[8];           /* number being served ("" = none) */
	int service;             /* service index of that ticket (-1 = none) */
	bool paused;             /* counter paused */
};

/* One recent call, newest first in mc_view.calls. */
struct mc_view_call {
	char label[8];           /* ticket number called */
	int counter;             /* to which counter */
	int service;             /* service index */
};

/* Where the technician's USB-stick update stands. */
enum mc_view_update {
	MC_VIEW_UPD_NONE,        /* no update service on this kiosk */
	MC_VIEW_UPD_IDLE,        /* nothing asked yet */
	MC_VIEW_UPD_SEARCHING,   /* looking for bundles */
	MC_VIEW_UPD_LISTED,      /* bundles listed (maybe none) */
	MC_VIEW_UPD_INSTALLING,  /* RAUC is installing update_path */
	MC_VIEW_UPD_DONE,        /* installed: reboot to try it */
	MC_VIEW_UPD_FAILED,      /* refused or failed: update_msg says why */
};

/* An update bundle as the technician menu lists it. */
struct mc_view_bundle {
	char path[512];          /* absolute path (what an install names) */
	char version[64];        /* its version ("" unreadable) */
	bool installable;        /* trusted and for this board */
	char why[256];           /* when not: why, "Vietnamese (English)" */
};

/* What the technician menu shows beyond the queue (filled only while the
 * menu is open; zero otherwise). */
struct mc_view_tech {
	char version[32];        /* kioskd's version */
	int naddrs;              /* addresses used (0: no network) */
	char addrs[MC_VIEW_ADDRS][80]; /* "eth0 192.168.1.20", "eth0 2001:db8::5" */
	bool clock_trusted;      /* the wall clock is trusted */
	bool clock_confirmed;    /* ... because a technician confirmed it this boot */
	char clock_mode[12];     /* [office] clock: auto, ntp, rtc, trust */
	char clock_source[160];  /* who vouches, in English from the trust source */
	int volume;              /* voice volume 0..100 (-1: no voice on this kiosk) */
	char audio_error[160];   /* the speaker's last error ("" none) */
	unsigned long played;    /* announcements played since start */
	enum mc_view_update update; /* the USB-stick update */
	int nbundles;            /* bundles listed */
	struct mc_view_bundle bundles[MC_VIEW_BUNDLES];
	int update_pct;          /* installing: percent */
	char update_path[512];   /* installing, done or failed: which bundle */
	char update_msg[512];    /* RAUC's progress step, or the outcome for people */
};

/* The snapshot. */
struct mc_view {
	char office[MC_VIEW_TEXT]; /* office name, Vietnamese */
	char office_en[MC_VIEW_TEXT]; /* office name, English (falls back to office) */
	int nservices;           /* services used */
	struct mc_view_service services[MC_VIEW_SERVICES];
	int ncounters;           /* counters used */
	struct mc_view_counter counters[MC_VIEW_COUNTERS];
	int ncalls;              /* recent calls used */
	struct mc_view_call calls[MC_VIEW_CALLS];
	uint32_t call_seq;       /* +1 on every call or recall: the hall blinks the newest */
	int nmissed;             /* recent no-shows still reactivatable, newest first */
	char missed[MC_VIEW_MISSED][8]; /* their numbers */
	bool open;               /* office open now */
	bool lunch;              /* closed for a break: it opened earlier today and opens again today */
	int32_t next_day;        /* when closed: next opening day (days since 1970) */
	int next_minute;         /* ... and minute (-1: none within a year) */
	bool issuing_paused;     /* technician paused issuing */
	enum mc_view_clock clock; /* whether the clock lets tickets be issued */
	enum mc_view_printer printer; /* printer state */
	char printer_text[128];  /* why, for people */
	char printer_state[24];  /* the printer's state token ("paper_out", "near_end", ...; "" unknown) */
	char alert[200];         /* for staff, Vietnamese: paper near its end, a device failing ("" none) */
	char alert_en[200];      /* the same in English */
	bool print_fail_screen;  /* policy: when the printer is down, show the number */
	char status[MC_VIEW_STATUS]; /* mc_app_status as JSON, for the technician */
	struct mc_view_tech tech; /* the technician menu's extra lines */
};

/* The outcome of a ticket request, as the ticket screen shows it. */
struct mc_view_result {
	enum mc_view_outcome outcome; /* issued, or why it was refused */
	char label[8];           /* number issued */
	int service;             /* service index */
	bool priority;           /* priority ticket */
	bool duplicate;          /* double tap: the same ticket again */
	bool printing;           /* paper is being printed (false: remember the number) */
	int ahead;               /* people waiting before it */
	int est_wait_min;        /* estimated wait, minutes */
	int32_t open_day;        /* MC_VIEW_CLOSED: next opening day */
	int open_minute;         /* ... and minute (-1: none) */
};

#endif
