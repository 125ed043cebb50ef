/* worker.c — worker thread with a job queue and an eventfd back to the loop. */
#include "worker.h"
#include "loop.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* A queued job and its callbacks. */
struct job {
	void *job;             /* the caller's job */
	mc_job_run_fn run;     /* worker-thread part */
	mc_job_done_fn done;   /* loop-thread part */
	void *ctx;             /* done's context */
	struct job *next;      /* next in its queue */
};

struct mc_worker {
	struct mc_loop *loop;  /* where done callbacks run */
	pthread_t thread;      /* the worker thread */
	pthread_mutex_t mu;    /* guards the queues and flags below */
	pthread_cond_t cond;   /* signals new work or stop */
	struct job *todo, **todo_tail;  /* jobs to run, FIFO */
	struct job *done, **done_tail;  /* jobs run, FIFO, for the loop */
	size_t pending;        /* queued + running */
	bool stop;             /* set at free */
	int efd;               /* eventfd: worker -> loop */
};

static void *thread_main(void *arg)
{
	struct mc_worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->todo && !w->stop)
			pthread_cond_wait(&w->cond, &w->mu);
		if (w->stop)
			break;
		struct job *j = w->todo;
		w->todo = j->next;
		if (!w->todo)
			w->todo_tail = &w->todo;
		pthread_mutex_unlock(&w->mu);

		j->run(j->job);

		pthread_mutex_lock(&w->mu);
		j->next = NULL;
		*w->done_tail = j;
		w->done_tail = &j->next;
		uint64_t one = 1;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* The counter cannot overflow in practice; nothing to do. */
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void on_event(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_worker *w = ctx;
	uint64_t n;
	struct job *list;

	(void)loop;
	(void)mask;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->mu);
	list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->mu);
	while (list) {
		struct job *j = list;
		list = j->next;
		pthread_mutex_lock(&w->mu);
		w->pending--;
		pthread_mutex_unlock(&w->mu);
		if (j->done)
			j->done(j->job, j->ctx);
		free(j);
	}
}

struct mc_worker *mc_worker_new(struct mc_loop *loop, const char *name)
{
	assert(loop && name);
	struct mc_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->loop = loop;
	w->todo_tail = &w->todo;
	w->done_tail = &w->done;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0)
		goto err_free;
	if (mc_loop_add_fd(loop, w->efd, MC_READ, on_event, w) < 0)
		goto err_close;
	if (pthread_create(&w->thread, NULL, thread_main, w) != 0)
		goto err_del;
	if (name) {
		char n[16];
		snprintf(n, sizeof(n), "%s", name);
		pthread_setname_np(w->thread, n);
	}
	return w;

err_del:
	mc_loop_del_fd(loop, w->efd);
err_close:
	close(w->efd);
err_free:
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return NULL;
}

void mc_worker_free(struct mc_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	/* Deliver finished jobs, then drop the ones never run. */
	on_event(w->loop, w->efd, MC_READ, w);
	while (w->todo) {
		struct job *j = w->todo;
		w->todo = j->next;
		if (j->done)
			j->done(j->job, j->ctx);
		free(j);
	}
	mc_loop_del_fd(w->loop, w->efd);
	close(w->efd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int mc_worker_submit(struct mc_worker *w, void *job, mc_job_run_fn run,
		     mc_job_done_fn done, void *ctx)
{
	assert(w && run);
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return -1;
	j->job = job;
	j->run = run;
	j->done = done;
	j->ctx = ctx;
	pthread_mutex_lock(&w->mu);
	if (w->stop) {
		pthread_mutex_unlock(&w->mu);
		free(j);
		errno = ESHUTDOWN;
		return -1;
	}
	*w->todo_tail = j;
	w->todo_tail = &j->next;
	w->pending++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

size_t mc_worker_pending(struct mc_worker *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->pending;
	pthread_mutex_unlock(&w->mu);
	return n;
}
