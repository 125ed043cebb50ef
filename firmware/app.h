/* app.h — kioskd's application: owns the loop, config, store, engine,
 * control socket and every input and output, and is the one place events
 * become engine calls and committed changes.
 *
 * Inputs (touch, GPIO buttons, counter keypads, the socket) call
 * mc_app_press() and mc_app_counter(). Outputs (printer, display boards,
 * screen, voice) register an mc_output and are told what happened after it
 * is committed. Everything here runs on the loop thread. */
#ifndef MC_APP_H
#define MC_APP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "kiosk-paths.h"


struct mc_app;
struct mc_loop;
struct mc_ctl;
struct mc_store;
struct mc_bundle;

/* An output: something that prints, shows or announces the queue. Every op
 * may be NULL. Ops run on the loop thread and must not block. */
struct mc_output_ops {
	const char *name;
	/* A new ticket was committed (double taps excluded). If t->print is
	 * MC_P_PENDING, the printing output must later call mc_app_printed(). */
	void (*issued)(void *priv, const struct mc_issue *is);
	/* Counter called t (kind: MC_EV_CALL, MC_EV_RECALL or MC_EV_REACTIVATE). */
	void (*called)(void *priv, int counter, const struct mc_ticket *t, enum mc_event_kind kind);
	/* Queue state changed (counts, pauses, finishes, rollover): refresh. */
	void (*changed)(void *priv);
	/* Adds this output's state under its name to a status object. */
	void (*status)(void *priv, json_t *status);
	/* Releases priv. */
	void (*free)(void *priv);
};

/* Options kioskd was started with. */
struct mc_app_options {
	const char *board;       /* board.conf path */
	const char *state_dir;   /* database and runtime files */
	const char *socket;      /* control socket path */
	bool sim;                /* simulated hardware */
	const char *bus_device;  /* replaces [bus] device (simulator runs), or NULL */
	const struct mc_config *cfg; /* board.conf already read (kioskd reads it once,
	                          * for the services' checks), copied by mc_app_new;
	                          * NULL: mc_app_new reads board */
	bool init_store;         /* --init-store: start a new database where the
	                          * old one is missing or unusable */
};

/* Typed hooks through which services reach one another (a service never
 * looks another up by name). The service that offers a hook sets it in its
 * start; a user calls it at the time of use, so start order does not
 * matter, and a NULL hook means "not on this kiosk". Loop thread only; a
 * hook never blocks. */
struct mc_app_hooks {
	/* The printer (app-printer.c): queue a test ticket, or the last ticket
	 * again marked as a reprint. 0 when queued, or -1 with a message for
	 * people in msg. */
	int (*test_print)(void *printer, char *msg, size_t len);
	int (*reprint_last)(void *printer, char *msg, size_t len);
	void *printer;           /* their first argument */
	/* The touch screen (app-screen.c): opens the technician menu without the
	 * PIN (the GPIO technician button: hands inside the kiosk). */
	void (*open_tech)(void *screen);
	void *screen;            /* its argument */
	/* The voice (app-audio.c). speaker_test queues a test call ("Mời công
	 * dân có số 1001 đến quầy số 1"), also in quiet hours: 0 when queued,
	 * or -1 with a message for people. set_volume sets the volume 0..100
	 * for every announcement from now on and saves it in STATE_DIR/volume,
	 * which then overrides [audio] volume (board.conf is read-only on a
	 * kiosk): 0, or -1 with a message. get_volume: the volume in use. */
	int (*speaker_test)(void *audio, char *msg, size_t len);
	int (*set_volume)(void *audio, int volume, char *msg, size_t len);
	int (*get_volume)(void *audio);
	void *audio;             /* their first argument */
	/* Updates (app-rauc.c). update_find looks for bundles in [update]
	 * bundle_dirs and asks RAUC about each on a worker thread; done runs
	 * once on the loop thread (also when the service stops first). 0, or
	 * -1 with errno. update_install checks that bundle is a regular file
	 * under those directories, then installs it through RAUC on a worker
	 * thread: progress as it goes, done once at the end (ctx must stay
	 * valid until then). 0, or -1 with a message for people in msg. */
	int (*update_find)(void *update, void (*done)(void *ctx, const struct mc_bundle *b, int n),
			   void *ctx);
	int (*update_install)(void *update, const char *bundle,
			      void (*progress)(void *ctx, int percent, const char *message),
			      void (*done)(void *ctx, bool ok, const char *message), void *ctx,
			      char *msg, size_t len);
	void *update;            /* their first argument */
};

/* Reads the board (or copies opt->cfg), opens the store and the socket,
 * rebuilds the engine.
 * NULL with a message in err; *exit_code is 78 for a bad board.conf or a
 * database that is missing, empty, foreign or corrupt where one existed
 * (DESIGN §6), 1 otherwise. */
struct mc_app *mc_app_new(const struct mc_app_options *opt, char *err, size_t errlen,
			  int *exit_code);
/* Stops outputs, closes everything. Accepts NULL. */
void mc_app_free(struct mc_app *app);
/* Runs the loop until SIGTERM/SIGINT or mc_app_stop(). Returns 0 or -1. */
int mc_app_run(struct mc_app *app);
/* Makes mc_app_run() return. */
void mc_app_stop(struct mc_app *app);

/* Registers an output; the app calls ops->free(priv) at the end. */
int mc_app_add_output(struct mc_app *app, const struct mc_output_ops *ops, void *priv);
/* The app's hooks (see struct mc_app_hooks); never NULL, valid as long as app. */
struct mc_app_hooks *mc_app_hooks(struct mc_app *app);

/* A citizen asks for a ticket. source names the input for double-tap
 * protection ("touch", "gpio:17", ...). The ticket is committed before this
 * returns MC_OK; *out then says what to show. */
enum mc_err mc_app_press(struct mc_app *app, int service, bool priority, const char *source,
			 struct mc_issue *out);
/* The arg a counter keypad (GPIO keys, a bus unit) sends with act: [office]
 * next_hold for NEXT and priority NEXT (see MC_A_NEXT), else 0. */
int mc_app_key_hold(const struct mc_app *app, enum mc_action act);
/* A counter acts; *t (may be NULL) receives the ticket concerned. */
enum mc_err mc_app_counter(struct mc_app *app, int counter, enum mc_action act, int arg,
			   struct mc_ticket *t);
/* mc_app_press and mc_app_counter never wait: while the database is busy
 * (another program holds its write lock) they refuse with MC_E_STORE at
 * once. The queued forms below wait in order instead. */

/* The answer to a queued action, on the loop thread: err is MC_OK or why
 * it was refused; is (presses) or t (counter actions) say what happened
 * (valid during the call); why is the store's reason for MC_E_STORE, for
 * people, or "". */
typedef void (*mc_app_done_fn)(void *ctx, enum mc_err err, const struct mc_issue *is,
			       const struct mc_ticket *t, const char *why);
/* Queues a press or a counter action behind the writes already waiting.
 * Writes are committed in arrival order, but for a counter action that
 * finds presses of other requesters waiting: it goes ahead of them, in a
 * commit of its own (a clerk's NEXT does not wait for a flood's presses).
 * While the database is busy each
 * waits and is retried from a timer, and one still waiting after [office]
 * store_wait is refused with MC_E_STORE. done runs once, possibly before
 * this returns; then the outputs are told (a press's answer goes out
 * before its print job is handed over). */
void mc_app_submit_press(struct mc_app *app, int service, bool priority, const char *source,
			 mc_app_done_fn done, void *ctx);
void mc_app_submit_counter(struct mc_app *app, int counter, enum mc_action act, int arg,
			   mc_app_done_fn done, void *ctx);
/* The printer's outcome for ticket id (MC_P_PRINTED, MC_P_FAILED: refused
 * before any byte was sent, MC_P_IN_DOUBT). Applied at once; saved with
 * the other outcomes of this loop turn in one commit, or with the next
 * action's (group commit). A failed ticket is voided unless the touch
 * screen showed its number (pressed there, or on a service button while a
 * screen shows the ticket). */
void mc_app_print_outcome(struct mc_app *app, int64_t id, enum mc_print_status outcome);
/* The same with ok: MC_P_PRINTED, else MC_P_FAILED. */
void mc_app_printed(struct mc_app *app, int64_t id, bool ok);
/* The printer's state changed; text says why for people ("out of paper"). */
void mc_app_set_printer(struct mc_app *app, enum mc_printer_ok state, const char *text);
/* How many more tickets the print queue takes now (its bound, [printer]
 * queue, less the tickets queued or printing); -1, the start, is no limit.
 * The actions of one group commit are run before any of their jobs is
 * handed over: past the room, the group's later presses meet a full queue
 * (the printer's on_failure policy), so a burst of presses read in one
 * loop turn queues no more than the bound. */
void mc_app_set_printer_room(struct mc_app *app, int room);
/* Technician switch: pause or resume issuing. */
void mc_app_set_issuing_paused(struct mc_app *app, bool paused);
/* A technician confirms the wall clock for the current boot (DESIGN §8):
 * saved in the state dir, then the clocks are looked at again. Returns 0, or
 * -1 with a message in err. */
int mc_app_confirm_clock(struct mc_app *app, char *err, size_t errlen);

/* Fills the moment now (clocks and local day). */
void mc_app_now(const struct mc_app *app, struct mc_when *w);
/* Adds the queue's state, as kioskctl status shows it, to obj. */
void mc_app_status(struct mc_app *app, json_t *obj);

struct mc_loop *mc_app_loop(struct mc_app *app);
/* The store (loop thread only; the uplink renews the store id through it). */
struct mc_store *mc_app_store(struct mc_app *app);
struct mc_ctl *mc_app_ctl(struct mc_app *app);
const struct mc_config *mc_app_config(const struct mc_app *app);
const struct mc_engine *mc_app_engine(const struct mc_app *app);
bool mc_app_sim(const struct mc_app *app);
const char *mc_app_state_dir(const struct mc_app *app);

#endif
