/* ctl.h — the control socket: a UNIX stream socket (mode 0660) speaking
 * line-delimited JSON.
 *
 * Protocol v1. A client sends one JSON object per line, {"cmd": NAME, ...};
 * the daemon answers each with one JSON object per line:
 *   {"ok": true, ...}                       success, with command fields
 *   {"ok": false, "error": TOKEN, "message": TEXT}   refusal or bad request
 * A command that streams (e.g. a live watch) sends several objects with
 * "more": true before its last one. Requests are handled in order; a line
 * over 64 KiB, or one that is not a JSON object with a string "cmd", gets
 * error "bad_request" and the connection stays usable. The commands are
 * listed by {"cmd": "help"}. */
#ifndef MC_CTL_H
#define MC_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct mc_loop;
struct mc_ctl;

/* What a command handler returns. */
enum mc_ctl_result {
	MC_CTL_OK,      /* send resp with "ok": true */
	MC_CTL_FAIL,    /* send resp with "ok": false; resp has error/message */
	MC_CTL_LATER,   /* the handler answers later with mc_ctl_send() */
};

/* A command handler, on the loop thread. req is the request; fill resp
 * (an empty object). client identifies the connection for MC_CTL_LATER. */
typedef enum mc_ctl_result (*mc_ctl_fn)(void *ctx, json_t *req, json_t *resp, uint64_t client);

/* Listens on path (replacing a stale socket), mode 0660. NULL with errno. */
struct mc_ctl *mc_ctl_new(struct mc_loop *loop, const char *path);
/* Closes every connection and removes the socket file. Accepts NULL. */
void mc_ctl_free(struct mc_ctl *ctl);

/* Adds command name (at most 32 commands; the name string must outlive ctl).
 * help is a one-line description. Returns 0, or -1 if the table is full. */
int mc_ctl_register(struct mc_ctl *ctl, const char *name, const char *help,
		    mc_ctl_fn fn, void *ctx);

/* Sends msg (not stolen) to client, adding "ok": true unless msg has "ok",
 * and "more": true unless final. Returns 0, or -1 if the client is gone. */
int mc_ctl_send(struct mc_ctl *ctl, uint64_t client, json_t *msg, bool final);

/* Fills resp as a failure: {"error": token, "message": message}. Returns
 * MC_CTL_FAIL so handlers can `return mc_ctl_error(...)`. */
enum mc_ctl_result mc_ctl_error(json_t *resp, const char *token, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
