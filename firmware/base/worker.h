/* worker.h — a thread behind a queue, for device work too slow for the loop.
 *
 * Jobs are run in order on the worker's own thread; when one is done, its
 * done callback runs on the loop thread (woken through an eventfd). This is
 * how printing, Modbus rounds and audio playback stay off the event loop. */
#ifndef MC_WORKER_H
#define MC_WORKER_H

#include <stddef.h>

struct mc_loop;
struct mc_worker;

/* Runs on the worker thread. May block. */
typedef void (*mc_job_run_fn)(void *job);
/* Runs on the loop thread after run; owns job from then on (frees it). */
typedef void (*mc_job_done_fn)(void *job, void *ctx);

/* Starts a worker named name (for logs and thread names, ≤15 chars) whose
 * completions run on loop. Returns NULL with errno on failure. */
struct mc_worker *mc_worker_new(struct mc_loop *loop, const char *name);
/* Stops the thread after the job in progress; finished jobs get their done
 * callback, and so do jobs never run (their run was skipped). Accepts NULL. */
void mc_worker_free(struct mc_worker *w);

/* Queues job: run(job) on the worker thread, then done(job, ctx) on the loop
 * thread. Never blocks. Returns 0, or -1 with errno (ENOMEM, ESHUTDOWN). */
int mc_worker_submit(struct mc_worker *w, void *job, mc_job_run_fn run,
		     mc_job_done_fn done, void *ctx);
/* Number of jobs queued or running. */
size_t mc_worker_pending(struct mc_worker *w);

#endif
