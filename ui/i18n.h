/* i18n.h — the screens' strings in Vietnamese and English through gettext.
 *
 * Every string the screens show is listed once in i18n.c (marked N_ for
 * xgettext) and named by an enum mc_str. mc_i18n_new() reads both
 * catalogues (DIR/vi/LC_MESSAGES/motcua.mo and DIR/en/...) once, straight
 * from the files (mo.h: no locale or LANGUAGE involved), so the UI thread
 * can switch language per screen with no process-wide state. */
#ifndef MC_I18N_H
#define MC_I18N_H

#include <stddef.h>

/* The two languages of the kiosk. */
enum mc_lang { MC_LANG_VI, MC_LANG_EN, MC_LANG_COUNT };

/* Every string of the screens. */
enum mc_str {
	S_CHOOSE_SERVICE, S_WAITING_N, S_ABOUT_MIN, S_NO_WAIT, S_PRIORITY, S_PRIORITY_WHO,
	S_PRIORITY_CHOOSE, S_BACK, S_YOUR_NUMBER, S_TAKE_TICKET, S_REMEMBER_NUMBER, S_AHEAD_N,
	S_EST_WAIT_MIN, S_TOUCH_BACK, S_CLOSED, S_OPENS_AT, S_COME_BACK, S_NO_OPENING,
	S_PRINTER_DOWN, S_ASK_STAFF, S_PAUSED, S_PAUSED_WAIT, S_BUSY, S_TRY_AGAIN, S_EXHAUSTED,
	S_TECHNICIAN, S_ENTER_PIN, S_WRONG_PIN, S_LOCKED_UNTIL, S_NO_PIN, S_CHECKING,
	S_PRINTER, S_BUS, S_GPIO, S_NOT_PRESENT, S_READY, S_CANNOT_PRINT, S_ABSENT,
	S_TEST_PRINT, S_REPRINT, S_PAUSE_ISSUING, S_RESUME_ISSUING, S_LANGUAGE, S_BRIGHTNESS,
	S_EXIT, S_NOT_AVAILABLE, S_DONE, S_NO_BACKLIGHT, S_NOW_SERVING, S_COUNTER,
	S_RECENT_CALLS, S_WAITING, S_COUNTER_N, S_COUNTER_PAUSED, S_ISSUING, S_SUNDAY,
	S_MONDAY, S_TUESDAY, S_WEDNESDAY, S_THURSDAY, S_FRIDAY, S_SATURDAY, S_ISSUING_STATE,
	S_ON, S_OFF, S_WAITING_TOTAL, S_CLOCK_UNTRUSTED, S_CLOCK_SETTLING, S_CLOCK_BEHIND,
	S_CONFIRM_CLOCK, S_CLOCK_CONFIRMED,
	S_HOME_BUTTON, S_PAUSED_MARK, S_MISSED, S_LUNCH_UNTIL,
	/* The technician menu (issue 14 item 13). */
	S_PRN_NEAR_END, S_PRN_PAPER_OUT, S_PRN_COVER_OPEN, S_PRN_OFFLINE, S_PRN_ERROR,
	S_PRN_UNKNOWN, S_NONE_HERE, S_BUS_UNITS, S_GPIO_LINES, S_SPEAKER, S_VOLUME_PCT, S_PLAYED_N,
	S_SPEAKER_ERROR, S_CLOCK, S_CLOCK_NTP, S_CLOCK_RTC, S_CLOCK_BY_TECH, S_CLOCK_TRUST,
	S_CLOCK_WAIT_NTP, S_NETWORK, S_NO_NETWORK, S_VERSION, S_SOUND_BUTTON, S_UPDATE_BUTTON,
	S_SPEAKER_TEST, S_VOL_DOWN, S_VOL_UP, S_NO_VOICE, S_SPEAKER_PLAYING, S_VOLUME_SAVED,
	S_UPDATE_TITLE, S_UPD_NONE, S_UPD_SEARCHING, S_UPD_EMPTY, S_UPD_RESCAN, S_UPD_VERSION,
	S_UPD_INSTALLABLE, S_UPD_CONFIRM, S_UPD_CONFIRM_NOTE, S_UPD_INSTALL, S_CANCEL,
	S_UPD_INSTALLING, S_UPD_DONE, S_UPD_FAILED, S_UPD_NOT_INSTALLABLE, S_UPD_PICK,
	S_COUNT
};

struct mc_i18n;

/* Makes sure LANGUAGE is in the environment (empty if it was not: gettext
 * ignores an empty one), so that mc_i18n_new() later only replaces its value
 * and never grows the environment while other threads may read it. Call
 * first thing in main(), before any thread starts. */
void mc_i18n_prepare_env(void);
/* Loads both catalogues from localedir (domain "motcua"). A missing or
 * malformed catalogue falls back to the English source strings (and is
 * reported by mc_i18n_loaded). NULL on out of memory. Touches neither the
 * locale nor the environment. */
struct mc_i18n *mc_i18n_new(const char *localedir);
/* Accepts NULL. */
void mc_i18n_free(struct mc_i18n *t);
/* The string s in lang; valid until mc_i18n_free(). Never NULL. */
const char *mc_tr(const struct mc_i18n *t, enum mc_lang lang, enum mc_str s);
/* Formats string s of lang with the arguments into buf (its printf format;
 * msgfmt --check guarantees each translation takes the same arguments). */
void mc_trf(const struct mc_i18n *t, enum mc_lang lang, enum mc_str s, char *buf, size_t len, ...);
/* Whether lang's catalogue was found. */
int mc_i18n_loaded(const struct mc_i18n *t, enum mc_lang lang);
/* "vi" or "en". */
const char *mc_lang_code(enum mc_lang lang);

#endif
