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
 * error "bad_request" and the connection stays usable; so does a request
 * that gives a key twice. A last line without a newline before the client
 * shuts its side is answered, and a client that shuts only its sending side
 * still gets every answer, the later ones too. The commands are listed by
 * {"cmd": "help"}.
 *
 * Limits (struct mc_ctl_limits): at most max_clients connections (past it
 * the socket stops accepting until one closes; out of descriptors, one is
 * kept in reserve to take a waiting connection and close it with a "busy"
 * line, so the loop never spins); a client with pause_reading bytes unsent
 * is not read until it catches up; one with more than max_out unsent is
 * dropped; and when every client's unsent bytes together would pass
 * max_total_out, the client with the most unsent goes first. Each
 * condition is logged once until it clears. */
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

/* The bounds of the control socket (see above). */
struct mc_ctl_limits {
	int max_clients;        /* connections at once */
	size_t max_out;         /* unsent bytes of one client */
	size_t max_total_out;   /* unsent bytes of every client together */
	size_t pause_reading;   /* unsent bytes at which a client is not read */
};

#define MC_CTL_MAX_CLIENTS 64
#define MC_CTL_MAX_OUT (4u * 1024 * 1024)
#define MC_CTL_MAX_TOTAL_OUT (16u * 1024 * 1024)
#define MC_CTL_PAUSE_READING (256u * 1024)

/* Fills lim with the defaults above. */
void mc_ctl_limits_default(struct mc_ctl_limits *lim);

/* Appended to the path for the moment between bind() and listen(): the
 * socket is made under path + this suffix and renamed onto path once it
 * listens, so a client that finds the file can connect. */
#define MC_CTL_BIND_SUFFIX ".new"

/* Listens on path (replacing a stale socket), mode 0660, with the default
 * limits. The file appears at path only once the socket listens. path must
 * be shorter than 108 - strlen(MC_CTL_BIND_SUFFIX) bytes (ENAMETOOLONG).
 * NULL with errno: EEXIST when path exists and is not a socket, EADDRINUSE
 * when a process listens on it (a connect succeeds); a socket file that
 * refuses connections (left by a process that is gone) is replaced. */
struct mc_ctl *mc_ctl_new(struct mc_loop *loop, const char *path);
/* The same with the given limits (copied). */
struct mc_ctl *mc_ctl_new_limited(struct mc_loop *loop, const char *path,
				  const struct mc_ctl_limits *lim);
/* Closes every connection and removes the socket file, if the file at
 * path is still the one it made. Accepts NULL. */
void mc_ctl_free(struct mc_ctl *ctl);

/* Adds command name (at most 32 commands; the name string must outlive ctl).
 * help is a one-line description. Returns 0, or -1 if the table is full. */
int mc_ctl_register(struct mc_ctl *ctl, const char *name, const char *help,
		    mc_ctl_fn fn, void *ctx);

/* Sends msg (not stolen) to client, adding "ok": true unless msg has "ok",
 * and "more": true unless final. Returns 0, or -1 if the client is gone. */
int mc_ctl_send(struct mc_ctl *ctl, uint64_t client, json_t *msg, bool final);

/* Called on the loop thread, on the loop turn after client id went (closed
 * or dropped; not when ctl is freed): a streaming command frees what it
 * holds for it. Never called from inside mc_ctl_send(). */
typedef void (*mc_ctl_gone_fn)(void *ctx, uint64_t client);
/* Adds a hook (at most 8). Returns 0, or -1 with ENOSPC. */
int mc_ctl_on_gone(struct mc_ctl *ctl, mc_ctl_gone_fn fn, void *ctx);

/* Handles data as the bytes of a connection that then shut its side, with
 * no socket (fuzzers and tests: the real dispatcher). *answer receives
 * every answer line queued before this returns (malloc'd, NUL-terminated,
 * caller frees; later answers are discarded). Returns 0, or -1 (ENOMEM). */
int mc_ctl_feed(struct mc_ctl *ctl, const char *data, size_t len, char **answer);

/* Adds the socket's figures (clients, unsent bytes, refused, dropped) to obj. */
void mc_ctl_stats(const struct mc_ctl *ctl, json_t *obj);

/* Fills resp as a failure: {"error": token, "message": message}. Returns
 * MC_CTL_FAIL so handlers can `return mc_ctl_error(...)`. The message is
 * at most 511 bytes and always valid UTF-8 (a character cut by that bound
 * is dropped, a byte of invalid UTF-8 becomes '?'), so it is never lost. */
enum mc_ctl_result mc_ctl_error(json_t *resp, const char *token, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
