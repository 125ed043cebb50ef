/* loop.c — epoll event loop with monotonic timers (see loop.h). */
#include "loop.h"
#include "clock.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

/* One watched fd; kept in a list, looked up by fd (a kiosk has a few dozen). */
struct watch {
	int fd;              /* the watched descriptor */
	int mask;            /* MC_READ | MC_WRITE */
	mc_fd_fn fn;         /* handler */
	void *ctx;           /* handler's context */
	bool dead;           /* deleted while the loop was dispatching */
	struct watch *next;  /* next in the loop's list */
};

/* One timer; the list is small and scanned for the earliest deadline. */
struct timer {
	long long id;        /* positive, unique in this loop */
	int64_t when;        /* deadline, monotonic ms */
	mc_timer_fn fn;      /* handler */
	void *ctx;           /* handler's context */
	bool dead;           /* deleted; reaped after dispatch */
	struct timer *next;  /* next in the loop's list */
};

struct mc_loop {
	int epfd;               /* the epoll instance */
	struct watch *watches;  /* watched fds */
	struct timer *timers;   /* armed timers */
	long long next_id;      /* id for the next timer */
	bool stop;              /* set by mc_loop_stop() */
	uint64_t wakeups;       /* iterations that ran a handler */
};

struct mc_loop *mc_loop_new(void)
{
	struct mc_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->next_id = 1;
	return loop;
}

static void reap(struct mc_loop *loop)
{
	struct watch **wp = &loop->watches;
	struct timer **tp = &loop->timers;

	while (*wp) {
		struct watch *w = *wp;
		if (w->dead) {
			*wp = w->next;
			free(w);
		} else {
			wp = &w->next;
		}
	}
	while (*tp) {
		struct timer *t = *tp;
		if (t->dead) {
			*tp = t->next;
			free(t);
		} else {
			tp = &t->next;
		}
	}
}

void mc_loop_free(struct mc_loop *loop)
{
	if (!loop)
		return;
	for (struct watch *w = loop->watches; w; w = w->next)
		w->dead = true;
	for (struct timer *t = loop->timers; t; t = t->next)
		t->dead = true;
	reap(loop);
	close(loop->epfd);
	free(loop);
}

static struct watch *find_watch(struct mc_loop *loop, int fd)
{
	for (struct watch *w = loop->watches; w; w = w->next)
		if (w->fd == fd && !w->dead)
			return w;
	return NULL;
}

static uint32_t to_epoll(int mask)
{
	return (mask & MC_READ ? EPOLLIN : 0u) | (mask & MC_WRITE ? EPOLLOUT : 0u);
}

int mc_loop_add_fd(struct mc_loop *loop, int fd, int mask, mc_fd_fn fn, void *ctx)
{
	assert(loop && fd >= 0 && fn && (mask & (MC_READ | MC_WRITE)));
	struct watch *w = find_watch(loop, fd);
	struct epoll_event ev = { .events = to_epoll(mask), .data.fd = fd };

	if (w) {
		if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			return -1;
	} else {
		w = calloc(1, sizeof(*w));
		if (!w)
			return -1;
		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			free(w);
			return -1;
		}
		w->next = loop->watches;
		loop->watches = w;
	}
	w->fd = fd;
	w->mask = mask;
	w->fn = fn;
	w->ctx = ctx;
	return 0;
}

int mc_loop_set_fd_mask(struct mc_loop *loop, int fd, int mask)
{
	struct watch *w = find_watch(loop, fd);
	struct epoll_event ev = { .events = to_epoll(mask), .data.fd = fd };

	if (!w) {
		errno = ENOENT;
		return -1;
	}
	/* Level-triggered: the same mask again changes nothing (a control
	 * client's request and answer each set it, two system calls a press). */
	if (w->mask == mask)
		return 0;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -1;
	w->mask = mask;
	return 0;
}

void mc_loop_del_fd(struct mc_loop *loop, int fd)
{
	struct watch *w = find_watch(loop, fd);

	if (!w)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->dead = true;
}

long long mc_loop_add_timer(struct mc_loop *loop, int64_t ms, mc_timer_fn fn, void *ctx)
{
	assert(loop && fn);
	struct timer *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->id = loop->next_id++;
	t->when = mc_mono_ms() + (ms < 0 ? 0 : ms);
	t->fn = fn;
	t->ctx = ctx;
	t->next = loop->timers;
	loop->timers = t;
	return t->id;
}

void mc_loop_del_timer(struct mc_loop *loop, long long id)
{
	for (struct timer *t = loop->timers; t; t = t->next)
		if (t->id == id)
			t->dead = true;
}

/* Milliseconds until the earliest live timer, or -1 if there is none. */
static int next_timeout(struct mc_loop *loop, int64_t now)
{
	int64_t best = -1;

	for (struct timer *t = loop->timers; t; t = t->next) {
		if (t->dead)
			continue;
		int64_t d = t->when - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (best > 24 * 3600 * 1000)
		best = 24 * 3600 * 1000;
	return (int)best;
}

static int run_timers(struct mc_loop *loop)
{
	int64_t now = mc_mono_ms();
	int ran = 0;

	for (struct timer *t = loop->timers; t; t = t->next) {
		if (t->dead || t->when > now)
			continue;
		int64_t again = t->fn(loop, t->id, t->ctx);
		ran++;
		if (t->dead)
			continue;
		if (again < 0)
			t->dead = true;
		else
			t->when = mc_mono_ms() + again;
	}
	return ran;
}

int mc_loop_run_once(struct mc_loop *loop, int timeout_ms)
{
	struct epoll_event evs[32];
	int tmo = next_timeout(loop, mc_mono_ms());
	int ran = 0;

	if (timeout_ms >= 0 && (tmo < 0 || timeout_ms < tmo))
		tmo = timeout_ms;
	int n = epoll_wait(loop->epfd, evs, 32, tmo);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct watch *w = find_watch(loop, evs[i].data.fd);
		int mask = 0;

		if (!w)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			mask |= MC_READ;
		if (evs[i].events & EPOLLOUT)
			mask |= MC_WRITE;
		w->fn(loop, w->fd, mask & (w->mask | MC_READ), w->ctx);
		ran++;
	}
	ran += run_timers(loop);
	reap(loop);
	if (ran)
		loop->wakeups++;
	return ran;
}

int mc_loop_run(struct mc_loop *loop)
{
	loop->stop = false;
	while (!loop->stop)
		if (mc_loop_run_once(loop, -1) < 0)
			return -1;
	return 0;
}

void mc_loop_stop(struct mc_loop *loop)
{
	loop->stop = true;
}

uint64_t mc_loop_wakeups(const struct mc_loop *loop)
{
	return loop->wakeups;
}
