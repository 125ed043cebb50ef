/* loop.h — the kiosk's one event loop: epoll fd events and monotonic timers.
 *
 * Single-threaded. Every fd and timer of kioskd is owned by one mc_loop, in
 * the manner of redis's ae: handlers run on the loop's thread and must never
 * block; slow device work goes to an mc_worker (worker.h). An idle loop sleeps
 * in epoll_wait with no timeout, so an idle kiosk uses no CPU. */
#ifndef MC_LOOP_H
#define MC_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h" /* mc_mono_ms: the clock timers run on */

struct mc_loop;

/* Readiness bits passed to and from fd handlers. */
enum { MC_READ = 1, MC_WRITE = 2 };

/* Called on the loop thread when fd is ready; mask says which of MC_READ /
 * MC_WRITE (errors and hang-ups are reported as MC_READ). */
typedef void (*mc_fd_fn)(struct mc_loop *loop, int fd, int mask, void *ctx);

/* Called when a timer is due. Return the next interval in ms to re-arm it,
 * or -1 to delete it. */
typedef int64_t (*mc_timer_fn)(struct mc_loop *loop, long long id, void *ctx);

/* A new loop, or NULL with errno set. Free with mc_loop_free(). */
struct mc_loop *mc_loop_new(void);
/* Frees the loop; closes no fds of its users. Accepts NULL. */
void mc_loop_free(struct mc_loop *loop);

/* Watches fd for mask; replaces any earlier watch of the same fd.
 * Returns 0, or -1 with errno. */
int mc_loop_add_fd(struct mc_loop *loop, int fd, int mask, mc_fd_fn fn, void *ctx);
/* Changes the mask of a watched fd. Returns 0, or -1 with errno. */
int mc_loop_set_fd_mask(struct mc_loop *loop, int fd, int mask);
/* Stops watching fd (it may be closed afterwards). Safe inside a handler. */
void mc_loop_del_fd(struct mc_loop *loop, int fd);

/* Arms a one-shot or re-arming timer due in ms milliseconds of the monotonic
 * clock. Returns a positive id, or -1 with errno. */
long long mc_loop_add_timer(struct mc_loop *loop, int64_t ms, mc_timer_fn fn, void *ctx);
/* Deletes a timer; unknown ids are ignored. Safe inside a handler. */
void mc_loop_del_timer(struct mc_loop *loop, long long id);

/* Runs until mc_loop_stop(). Returns 0, or -1 with errno if epoll failed. */
int mc_loop_run(struct mc_loop *loop);
/* Runs one iteration, waiting at most timeout_ms (-1: until something
 * happens). Returns the number of handlers called, or -1 with errno. */
int mc_loop_run_once(struct mc_loop *loop, int timeout_ms);
/* Makes mc_loop_run() return after the current iteration. */
void mc_loop_stop(struct mc_loop *loop);

/* Number of loop iterations that ran a handler: lets tests see idleness. */
uint64_t mc_loop_wakeups(const struct mc_loop *loop);

#endif
