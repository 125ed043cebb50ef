/* test-loop.c — the event loop and workers: timers in order and re-armed,
 * fd readiness, jobs run off the loop thread with completions on it, and an
 * idle loop that wakes for nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "worker.h"

struct rec {
	char order[16];  /* ids of timers as they fired */
	int n;
	int rearm;       /* times the re-arming timer should fire */
};

static int64_t fire(struct mc_loop *loop, long long id, void *ctx)
{
	struct rec *r = ctx;

	r->order[r->n++] = (char)('0' + id);
	if (id == 3 && --r->rearm > 0)
		return 5;
	return -1;
}

static void timers_fire_in_deadline_order_and_rearm(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct rec r = { .rearm = 3 };

	mc_loop_add_timer(loop, 30, fire, &r);   /* id 1 */
	long long two = mc_loop_add_timer(loop, 10, fire, &r); /* id 2, deleted */
	mc_loop_add_timer(loop, 5, fire, &r);    /* id 3, fires 3 times */
	mc_loop_del_timer(loop, two);
	/* Both deadlines have passed before the loop first looks (a sleep only
	 * promises at least this long, so this holds on any machine): due
	 * timers fire in deadline order, 3 before 1. Then 3 alone is re-armed
	 * from the moment it fired, twice. A schedule that depends on how fast
	 * the machine runs (3 re-armed before 1 is due) would not be. */
	usleep(40 * 1000);
	while (r.n < 4)
		assert_true(mc_loop_run_once(loop, 1000) >= 0);
	assert_string_equal(r.order, "3133");
	/* Nothing left: an idle loop runs no handler. */
	assert_int_equal(mc_loop_run_once(loop, 20), 0);
	mc_loop_free(loop);
}

struct fdrec {
	int reads;
	char buf[8];
};

static void on_read(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct fdrec *r = ctx;

	assert_true(mask & MC_READ);
	assert_int_equal(read(fd, r->buf, sizeof(r->buf)), 3);
	r->reads++;
}

static void fd_readiness_calls_handler(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct fdrec r = { 0 };
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(mc_loop_add_fd(loop, p[0], MC_READ, on_read, &r), 0);
	assert_int_equal(mc_loop_run_once(loop, 10), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(mc_loop_run_once(loop, 1000), 1);
	assert_int_equal(r.reads, 1);
	assert_memory_equal(r.buf, "abc", 3);
	mc_loop_del_fd(loop, p[0]);
	assert_int_equal(write(p[1], "def", 3), 3);
	assert_int_equal(mc_loop_run_once(loop, 10), 0);
	assert_int_equal(r.reads, 1);
	close(p[0]);
	close(p[1]);
	mc_loop_free(loop);
}

/* A job that records the thread it ran on. */
struct job {
	int seq;
	pthread_t ran_on;
	int ran;          /* set by run (read after the worker is held or done) */
	int *done_order;
	int *ndone;
	pthread_t loop_thread;
};

/* The first job holds the worker until the test opens the gate. */
static sem_t started, gate;

static void run(void *p)
{
	struct job *j = p;

	j->ran_on = pthread_self();
	j->ran = 1;
	if (j->seq == 0) {
		sem_post(&started);
		while (sem_wait(&gate) < 0)
			;
	}
}

static void done(void *p, void *ctx)
{
	struct job *j = p;

	assert_false(pthread_equal(j->ran_on, j->loop_thread));
	assert_true(pthread_equal(pthread_self(), j->loop_thread));
	j->done_order[(*j->ndone)++] = j->seq;
	free(j);
}

static void worker_runs_jobs_in_order_off_the_loop(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_worker *w = mc_worker_new(loop, "test");
	int order[8], ndone = 0;

	struct job *jobs[8];

	assert_non_null(w);
	assert_int_equal(sem_init(&started, 0, 0), 0);
	assert_int_equal(sem_init(&gate, 0, 0), 0);
	for (int i = 0; i < 8; i++) {
		struct job *j = calloc(1, sizeof(*j));
		j->seq = i;
		j->done_order = order;
		j->ndone = &ndone;
		j->loop_thread = pthread_self();
		jobs[i] = j;
		assert_int_equal(mc_worker_submit(w, j, run, done, NULL), 0);
		assert_int_equal(mc_worker_pending(w), (size_t)i + 1);
	}
	/* Submitting never waits for the jobs: all eight were queued while the
	 * first one is still held by the gate, and none after it has run. */
	while (sem_wait(&started) < 0)
		;
	for (int i = 1; i < 8; i++)
		assert_int_equal(jobs[i]->ran, 0);
	assert_int_equal(mc_worker_pending(w), 8);
	assert_int_equal(ndone, 0);
	sem_post(&gate);
	while (ndone < 8)
		assert_true(mc_loop_run_once(loop, 1000) >= 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(order[i], i);
	assert_int_equal(mc_worker_pending(w), 0);
	mc_worker_free(w);
	mc_loop_free(loop);
	sem_destroy(&started);
	sem_destroy(&gate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_deadline_order_and_rearm),
		cmocka_unit_test(fd_readiness_calls_handler),
		cmocka_unit_test(worker_runs_jobs_in_order_off_the_loop),
	};
	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
