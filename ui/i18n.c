/* i18n.c — the screens' strings, read from the gettext catalogues (see i18n.h). */
#include "i18n.h"
#include "mo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_(s) s
#define DOMAIN "motcua"

static const char *const source[S_COUNT] = {
	[S_CHOOSE_SERVICE] = N_("Please choose a service"),
	[S_WAITING_N] = N_("Waiting: %d"),
	[S_ABOUT_MIN] = N_("About %d min"),
	[S_NO_WAIT] = N_("No wait"),
	[S_PRIORITY] = N_("PRIORITY"),
	[S_PRIORITY_WHO] = N_("Elderly, disabled, pregnant or with a small child"),
	[S_PRIORITY_CHOOSE] = N_("Priority ticket: choose a service"),
	[S_BACK] = N_("Back"),
	[S_YOUR_NUMBER] = N_("YOUR NUMBER"),
	[S_TAKE_TICKET] = N_("Please take your ticket"),
	[S_REMEMBER_NUMBER] = N_("The printer cannot print now: please remember your number"),
	[S_AHEAD_N] = N_("People ahead of you: %d"),
	[S_EST_WAIT_MIN] = N_("Estimated wait: about %d min"),
	[S_TOUCH_BACK] = N_("Touch the screen to go back"),
	[S_CLOSED] = N_("The office is closed"),
	[S_OPENS_AT] = N_("Opens again at %s, %s"),
	[S_COME_BACK] = N_("Please come back during opening hours"),
	[S_NO_OPENING] = N_("No opening time is scheduled"),
	[S_PRINTER_DOWN] = N_("The ticket printer cannot print now"),
	[S_ASK_STAFF] = N_("Please ask the staff for help"),
	[S_PAUSED] = N_("Ticket issuing is paused"),
	[S_PAUSED_WAIT] = N_("Please wait a moment or ask the staff"),
	[S_BUSY] = N_("The kiosk is busy"),
	[S_TRY_AGAIN] = N_("Please try again in a moment"),
	[S_EXHAUSTED] = N_("All numbers of this service are used for today"),
	[S_TECHNICIAN] = N_("Technician"),
	[S_ENTER_PIN] = N_("Enter the technician PIN"),
	[S_WRONG_PIN] = N_("Wrong PIN: %d attempts left"),
	[S_LOCKED_UNTIL] = N_("Too many wrong PINs: locked until %s"),
	[S_NO_PIN] = N_("No technician PIN is configured"),
	[S_CHECKING] = N_("Checking…"),
	[S_PRINTER] = N_("Printer"),
	[S_BUS] = N_("Counter bus"),
	[S_GPIO] = N_("GPIO"),
	[S_NOT_PRESENT] = N_("not present"),
	[S_READY] = N_("ready"),
	[S_CANNOT_PRINT] = N_("cannot print"),
	[S_ABSENT] = N_("none (numbers on screen only)"),
	[S_TEST_PRINT] = N_("Test print"),
	[S_REPRINT] = N_("Reprint last ticket"),
	[S_PAUSE_ISSUING] = N_("Pause issuing"),
	[S_RESUME_ISSUING] = N_("Resume issuing"),
	[S_LANGUAGE] = N_("Language"),
	[S_BRIGHTNESS] = N_("Brightness"),
	[S_EXIT] = N_("Exit"),
	[S_NOT_AVAILABLE] = N_("Not available in this build"),
	[S_DONE] = N_("Done"),
	[S_NO_BACKLIGHT] = N_("No backlight control on this screen"),
	[S_NOW_SERVING] = N_("Now serving"),
	[S_COUNTER] = N_("Counter"),
	[S_RECENT_CALLS] = N_("Recent calls"),
	[S_WAITING] = N_("Waiting"),
	[S_COUNTER_N] = N_("Counter %d"),
	[S_COUNTER_PAUSED] = N_("on break"),
	[S_ISSUING] = N_("Issuing your ticket…"),
	[S_SUNDAY] = N_("Sunday"),
	[S_MONDAY] = N_("Monday"),
	[S_TUESDAY] = N_("Tuesday"),
	[S_WEDNESDAY] = N_("Wednesday"),
	[S_THURSDAY] = N_("Thursday"),
	[S_FRIDAY] = N_("Friday"),
	[S_SATURDAY] = N_("Saturday"),
	[S_ISSUING_STATE] = N_("Ticket issuing"),
	[S_ON] = N_("on"),
	[S_OFF] = N_("paused"),
	[S_WAITING_TOTAL] = N_("Waiting in total: %d"),
	[S_HOME_BUTTON] = N_("Back to start"),
	[S_PAUSED_MARK] = N_("Paused"),
	[S_MISSED] = N_("Missed numbers"),
	[S_LUNCH_UNTIL] = N_("Lunch break, open again at %s"),
	[S_CLOCK_UNTRUSTED] = N_("The clock is not confirmed yet — ticket issuing is paused"),
	[S_CLOCK_SETTLING] = N_("The clock jumped to another day — issuing pauses for a moment"),
	[S_CLOCK_BEHIND] = N_("The clock went back before the office day — ticket issuing is paused"),
	[S_CONFIRM_CLOCK] = N_("Confirm the clock"),
	[S_CLOCK_CONFIRMED] = N_("Clock confirmed until the next restart of the board"),
	[S_PRN_NEAR_END] = N_("paper near its end"),
	[S_PRN_PAPER_OUT] = N_("out of paper"),
	[S_PRN_COVER_OPEN] = N_("cover open"),
	[S_PRN_OFFLINE] = N_("offline"),
	[S_PRN_ERROR] = N_("error: cutter or mechanism"),
	[S_PRN_UNKNOWN] = N_("not answering its status"),
	[S_NONE_HERE] = N_("none on this kiosk"),
	[S_BUS_UNITS] = N_("%d of %d counter keypads answering"),
	[S_GPIO_LINES] = N_("%d lines in use"),
	[S_SPEAKER] = N_("Speaker"),
	[S_VOLUME_PCT] = N_("volume %d%%"),
	[S_PLAYED_N] = N_("%lu calls played"),
	[S_SPEAKER_ERROR] = N_("error: %s"),
	[S_CLOCK] = N_("Clock"),
	[S_CLOCK_NTP] = N_("synchronised (NTP)"),
	[S_CLOCK_RTC] = N_("trusted (battery clock)"),
	[S_CLOCK_BY_TECH] = N_("confirmed by a technician until the next restart"),
	[S_CLOCK_TRUST] = N_("trusted (clock = trust)"),
	[S_CLOCK_WAIT_NTP] = N_("NOT synchronised: waiting for NTP"),
	[S_NETWORK] = N_("Network"),
	[S_NO_NETWORK] = N_("no network"),
	[S_VERSION] = N_("Version"),
	[S_SOUND_BUTTON] = N_("Speaker and volume"),
	[S_UPDATE_BUTTON] = N_("Update from USB"),
	[S_SPEAKER_TEST] = N_("Test the speaker"),
	[S_VOL_DOWN] = N_("Volume down"),
	[S_VOL_UP] = N_("Volume up"),
	[S_NO_VOICE] = N_("This kiosk has no speaker ([audio] is not in board.conf)"),
	[S_SPEAKER_PLAYING] = N_("Test call sent to the speaker: listen"),
	[S_VOLUME_SAVED] = N_("Volume %d%% saved"),
	[S_UPDATE_TITLE] = N_("Update bundles on the USB stick"),
	[S_UPD_NONE] = N_("This kiosk has no update service (RAUC)"),
	[S_UPD_SEARCHING] = N_("Looking for update bundles…"),
	[S_UPD_EMPTY] = N_("No update bundle found: plug in the USB stick, then Search again"),
	[S_UPD_RESCAN] = N_("Search again"),
	[S_UPD_VERSION] = N_("version %s"),
	[S_UPD_INSTALLABLE] = N_("can be installed"),
	[S_UPD_CONFIRM] = N_("Install this update?"),
	[S_UPD_CONFIRM_NOTE] = N_("It is written to the spare system while the kiosk keeps serving; restart afterwards to try it."),
	[S_UPD_INSTALL] = N_("Install"),
	[S_CANCEL] = N_("Cancel"),
	[S_UPD_INSTALLING] = N_("Installing: %d%%"),
	[S_UPD_DONE] = N_("Installed. Restart the kiosk to run the new version."),
	[S_UPD_FAILED] = N_("Not installed"),
	[S_UPD_NOT_INSTALLABLE] = N_("This bundle cannot be installed"),
	[S_UPD_PICK] = N_("Touch a bundle to install it"),
};

struct mc_i18n {
	char *text[MC_LANG_COUNT][S_COUNT]; /* translated copies */
	int loaded[MC_LANG_COUNT];          /* catalogue found */
};

static const char *const codes[MC_LANG_COUNT] = { "vi", "en" };

const char *mc_lang_code(enum mc_lang lang) { return codes[lang]; }

void mc_i18n_prepare_env(void)
{
	if (!getenv("LANGUAGE"))
		setenv("LANGUAGE", "", 1);
}

struct mc_i18n *mc_i18n_new(const char *localedir)
{
	struct mc_i18n *t = calloc(1, sizeof(*t));
	char path[4096];

	if (!t)
		return NULL;
	for (int l = 0; l < MC_LANG_COUNT; l++) {
		/* The catalogue itself, not dgettext: glibc 2.41 (Debian 13)
		 * ignores LANGUAGE under C.UTF-8, the only locale a kiosk may have. */
		snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", localedir, codes[l], DOMAIN);
		struct mc_mo *mo = mc_mo_open(path);
		t->loaded[l] = mo != NULL;
		for (int s = 0; s < S_COUNT; s++) {
			const char *tr = mc_mo_find(mo, source[s]);
			t->text[l][s] = strdup(tr ? tr : source[s]);
			if (!t->text[l][s]) {
				mc_mo_free(mo);
				mc_i18n_free(t);
				return NULL;
			}
		}
		mc_mo_free(mo);
	}
	return t;
}

void mc_i18n_free(struct mc_i18n *t)
{
	if (!t)
		return;
	for (int l = 0; l < MC_LANG_COUNT; l++)
		for (int s = 0; s < S_COUNT; s++)
			free(t->text[l][s]);
	free(t);
}

const char *mc_tr(const struct mc_i18n *t, enum mc_lang lang, enum mc_str s)
{
	if (!t || !t->text[lang][s])
		return source[s];
	return t->text[lang][s];
}

int mc_i18n_loaded(const struct mc_i18n *t, enum mc_lang lang) { return t->loaded[lang]; }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void mc_trf(const struct mc_i18n *t, enum mc_lang lang, enum mc_str s, char *buf, size_t len, ...)
{
	va_list ap;

	va_start(ap, len);
	vsnprintf(buf, len, mc_tr(t, lang, s), ap);
	va_end(ap);
}
#pragma GCC diagnostic pop
