/* printer-tcp.c — tcp:HOST:PORT, a raw port 9100 printer. One connection
 * per job or status check, closed afterwards (leaked sockets lock some
 * printers); status queries and their replies share that connection: one
 * exchange (DLE EOT 1, 2, 4 in one write, one round trip) before a job and
 * one after it. Waiting is on socket events (poll), not sleeps. Every step
 * has the configured timeout, so a silent or stalled printer costs at most
 * a few timeouts, never a hang. */
#include "printer.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


struct tcp_printer {
	char host[256];   /* name or address */
	int port;         /* TCP port */
	int timeout_ms;   /* per step */
	struct mc_escpos_answers ans; /* which queries it answers, whether it echoes */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tcp_open(void **priv, const char *arg, const struct mc_printer_options *opt,
		    char *err, size_t errlen)
{
	struct tcp_printer *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mc_printer_parse_hostport(arg, t->host, sizeof(t->host), &t->port) < 0) {
		snprintf(err, errlen, "tcp:%s: expected tcp:HOST:PORT (e.g. tcp:192.168.1.50:9100)", arg);
		free(t);
		return -1;
	}
	t->timeout_ms = opt && opt->timeout_ms > 0 ? opt->timeout_ms : 3000;
	*priv = t;
	return 0;
}

/* Waits for events on fd until deadline; 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd pfd = { .fd = fd, .events = events };
		int n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		return n;
	}
}

/* Connects with the timeout. Returns the socket (non-blocking) or -1. */
static int connect_to(struct tcp_printer *t, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char port[8];
	int fd = -1, e = 0;

	snprintf(port, sizeof(port), "%d", t->port);
	int gai = getaddrinfo(t->host, port, &hints, &res);
	if (gai) {
		snprintf(err, errlen, "printer %s:%d: %s", t->host, t->port, gai_strerror(gai));
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			int r = wait_fd(fd, POLLOUT, now_ms() + t->timeout_ms);
			socklen_t len = sizeof(e);
			if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
				break;
			if (r == 0)
				e = ETIMEDOUT;
		} else {
			e = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "không kết nối được máy in %s:%d (cannot connect: %s)", t->host,
			 t->port, strerror(e ? e : ECONNREFUSED));
	return fd;
}

/* Reads and drops whatever the printer sent unasked (stray status bytes). */
static void drain(int fd)
{
	uint8_t junk[256];

	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

/* Sends all of data, each step within the timeout. 0, or -1 with err. */
static int send_all(struct tcp_printer *t, int fd, const uint8_t *data, size_t len, size_t *sent,
		    char *err, size_t errlen)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			if (sent)
				*sent = off;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = wait_fd(fd, POLLOUT, now_ms() + t->timeout_ms);
			if (r == 1)
				continue;
			snprintf(err, errlen, "máy in ngừng nhận dữ liệu sau %zu/%zu byte (printer stalled)",
				 off, len);
			return -1;
		}
		snprintf(err, errlen, "mất kết nối máy in sau %zu/%zu byte (connection lost: %s)", off, len,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* The bytes of the kernel's send queue not yet acknowledged by the
 * printer, or -1 if the kernel cannot tell. */
static int unacked(int fd)
{
	int q = 0;

	return ioctl(fd, SIOCOUTQ, &q) < 0 ? -1 : q;
}

/* Reads status replies into reply[*got..want) as they come; stray bytes
 * that are not replies are dropped. 0 (still open), or -1 with err when
 * the printer closed the connection. Never blocks. */
static int read_replies(int fd, uint8_t *reply, int *got, int want, char *err, size_t errlen)
{
	uint8_t buf[64];

	while (*got < want) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			for (ssize_t i = 0; i < n && *got < want; i++)
				if (mc_escpos_is_status_byte(buf[i]))
					reply[(*got)++] = buf[i];
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		snprintf(err, errlen, "máy in đóng kết nối (printer closed the connection%s%s)",
			 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

/* After a job (len bytes, queries already sent behind it when want > 0):
 * waits, on socket events, until the printer has taken every byte (its
 * replies, which TCP delivers only after the job's bytes, or else an
 * empty send queue) and want replies have come. The wait is reset while
 * the send queue shrinks, so a slow printer is not a stalled one; with
 * nothing moving for the timeout it fails. A printer that does not answer
 * is checked on the send queue at growing intervals (1 ms doubling to
 * 32 ms) — there is no event for "all acknowledged". Returns the replies
 * received (0..want), or -1 with err. */
static int wait_taken(struct tcp_printer *t, int fd, size_t len, size_t *sent, uint8_t *reply, int want,
		      char *err, size_t errlen)
{
	int64_t deadline = now_ms() + t->timeout_ms;
	int last = -2, got = 0, step = 1;

	for (;;) {
		if (read_replies(fd, reply, &got, want, err, errlen) < 0)
			return -1;
		int q = unacked(fd);
		/* *sent stays what was handed to the transport (printer.h): bytes
		 * not yet acknowledged may still have reached the printer, and a
		 * reset makes the kernel's count say nothing arrived. */
		if (want > 0 && got == want) {
			if (sent)
				*sent = len;  /* the replies came after every byte of the job */
			return got;
		}
		if (want == 0 && q <= 0)
			return 0;      /* all acknowledged (or the kernel cannot tell: trust it) */
		int64_t now = now_ms();
		if (q != last) {
			last = q;
			deadline = now + t->timeout_ms;
			step = 1;
		} else if (now >= deadline) {
			if (q > 0) {
				snprintf(err, errlen, "máy in ngừng nhận dữ liệu, còn %d byte chưa nhận (printer stalled)", q);
				return -1;
			}
			return got;    /* all taken, but not every reply came */
		}
		/* Replies wake us at once; the send queue is looked at again after
		 * a step, or at once on a reset or hang-up. */
		int wait = (int)(deadline - now);
		if (q > 0 && wait > step)
			wait = step;
		struct pollfd pfd = { .fd = fd, .events = want > 0 ? POLLIN : 0 };
		int r = poll(&pfd, 1, wait);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0 && (pfd.revents & (POLLERR | POLLHUP)) && !(pfd.revents & POLLIN)) {
			int e = 0;
			socklen_t elen = sizeof(e);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen);
			snprintf(err, errlen, "mất kết nối máy in, còn %d byte chưa nhận (connection lost: %s)",
				 q > 0 ? q : 0, strerror(e ? e : ECONNRESET));
			return -1;
		}
		if (step < 32)
			step *= 2;
	}
}

/* Asks DLE EOT n alone and waits for a valid reply. 1 got one, 0 no
 * answer, -1 connection failed (err filled). */
static int query(struct tcp_printer *t, int fd, int n, uint8_t *reply, char *err, size_t errlen)
{
	uint8_t q[3] = { 0x10, 0x04, (uint8_t)n };
	int64_t deadline = now_ms() + t->timeout_ms;
	int got = 0;

	if (send_all(t, fd, q, sizeof(q), NULL, err, errlen) < 0)
		return -1;
	while (got < 1) {
		if (wait_fd(fd, POLLIN, deadline) <= 0)
			return 0;
		if (read_replies(fd, reply, &got, 1, err, errlen) < 0)
			return -1;
	}
	return 1;
}

/* ---- printers that answer badly: one query at a time, learning ---------- */

/* Asks DLE EOT n alone and reads its reply past any echo (see
 * mc_escpos_reply). 1 got one, 0 no answer in time, 2 the printer answered
 * bytes that are no status reply (no need to wait), -1 connection failed
 * (err filled). *echoed: the printer echoed the query. */
static int query_one(struct tcp_printer *t, int fd, int n, uint8_t *reply, bool *echoed, char *err,
		     size_t errlen)
{
	uint8_t q[3] = { 0x10, 0x04, (uint8_t)n };
	int64_t deadline = now_ms() + t->timeout_ms;
	struct mc_escpos_reply r;

	*echoed = false;
	mc_escpos_reply_start(&r, n, t->ans.echoes);
	if (send_all(t, fd, q, sizeof(q), NULL, err, errlen) < 0)
		return -1;
	for (;;) {
		int w = wait_fd(fd, POLLIN, deadline);
		if (w <= 0)
			return 0;
		uint8_t buf[512];
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got > 0) {
			size_t used;
			int rc = mc_escpos_reply_feed(&r, buf, (size_t)got, reply, &used);
			*echoed = r.echo_seen;
			if (rc == 1)
				return 1;
			if (rc < 0)
				return 2;
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		snprintf(err, errlen, "máy in đóng kết nối (printer closed the connection%s%s)",
			 got < 0 ? ": " : "", got < 0 ? strerror(errno) : "");
		return -1;
	}
}

/* True if the printer ever answered a status query. */
static bool ever_answered(const struct mc_escpos_answers *a)
{
	return a->answered[1] || a->answered[2] || a->answered[3] || a->answered[4];
}

/* True once the printer is known to answer 1, 2 and 4 without echo: the
 * one-round-trip exchange below is then safe (its replies map to the
 * queries in order). Until then, and for printers that answer only some
 * queries, 0x00 or with an echo, status goes one query at a time. */
static bool exchange_ok(const struct tcp_printer *t)
{
	return !t->ans.echoes && t->ans.answered[1] && t->ans.answered[2] && t->ans.answered[4];
}

/* The state through queries 1, 2, 4 (and 3 on an error bit) one at a time,
 * skipping those this printer has shown it never answers. 0, or -1 if the
 * connection failed. */
static int ask_learning(struct tcp_printer *t, int fd, enum mc_escpos_state *st, bool *answered,
			char *err, size_t errlen)
{
	static const int order[] = { 1, 2, 4, 3 };
	struct mc_escpos_status s;

	memset(&s, 0, sizeof(s));
	*answered = false;
	if (!t->ans.echoes)
		drain(fd);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint8_t b;
		bool echoed;
		int n = order[i];
		if (n == 3 && !(s.have[2] && (s.reply[2] & 0x40)))
			continue;
		if (!mc_escpos_answers_ask(&t->ans, n))
			continue;
		int r = query_one(t, fd, n, &b, &echoed, err, errlen);
		if (r < 0)
			return -1;
		mc_escpos_answers_note(&t->ans, n, r == 1, echoed);
		if (r == 1) {
			mc_escpos_status_set(&s, n, b);
			*answered = true;
		} else if (r == 0 && !ever_answered(&t->ans)) {
			break;  /* silent so far: one timeout per check is enough */
		}
	}
	*st = mc_escpos_status_state(&s);
	return 0;
}

/* The questions of one status exchange: DLE EOT 1, 2 and 4 in one write,
 * answered in that order in one round trip. */
static const uint8_t ask124[] = { 0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4 };

/* Records replies to 1, 2, 4 (those that came, in order) and, when the
 * printer reports an error (bit 6 of the reply to 2), asks 3 for its
 * kind. *answered says whether any reply came. 0, or -1 if the connection
 * failed. */
static int take_state(struct tcp_printer *t, int fd, const uint8_t *reply, int got,
		      enum mc_escpos_state *st, bool *answered, char *err, size_t errlen)
{
	static const int order[] = { 1, 2, 4 };
	struct mc_escpos_status s;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < got; i++)
		mc_escpos_status_set(&s, order[i], reply[i]);
	*answered = got > 0;
	if (s.have[2] && (s.reply[2] & 0x40)) {
		uint8_t b;
		int r = query(t, fd, 3, &b, err, errlen);
		if (r < 0)
			return -1;
		if (r == 1)
			mc_escpos_status_set(&s, 3, b);
	}
	*st = mc_escpos_status_state(&s);
	return 0;
}

/* One status exchange (1, 2, 4 in one round trip; 3 on an error). 0, or
 * -1 if the connection failed. */
static int ask_state(struct tcp_printer *t, int fd, enum mc_escpos_state *st, bool *answered,
		     char *err, size_t errlen)
{
	uint8_t reply[3];
	int got = 0;
	int64_t deadline = now_ms() + t->timeout_ms;

	if (!exchange_ok(t))
		return ask_learning(t, fd, st, answered, err, errlen);
	drain(fd);
	if (send_all(t, fd, ask124, sizeof(ask124), NULL, err, errlen) < 0)
		return -1;
	while (got < 3) {
		int r = wait_fd(fd, POLLIN, deadline);
		if (r <= 0)
			break;  /* a printer that stops answering will not answer the rest */
		if (read_replies(fd, reply, &got, 3, err, errlen) < 0)
			return -1;
	}
	return take_state(t, fd, reply, got, st, answered, err, errlen);
}

static int tcp_status(void *priv, enum mc_escpos_state *st, char *err, size_t errlen)
{
	struct tcp_printer *t = priv;
	bool answered;
	int fd = connect_to(t, err, errlen);

	if (fd < 0) {
		mc_escpos_answers_forget(&t->ans);  /* maybe another printer next time */
		return -1;
	}
	int rc = ask_state(t, fd, st, &answered, err, errlen);
	close(fd);
	return rc;
}

/* One connection per job: one status exchange before it, the job, and,
 * for a printer that answers, the same questions written right behind the
 * job so their replies both prove the job arrived whole and tell whether
 * the printer is still fine (how paper running out during the job is
 * caught). */
static int tcp_print(void *priv, const uint8_t *data, size_t len, const struct mc_raster *preview,
		     enum mc_escpos_state *st, size_t *sent, char *err, size_t errlen)
{
	struct tcp_printer *t = priv;
	bool answered, after;
	uint8_t reply[3];
	int rc = -1;
	int fd = connect_to(t, err, errlen);

	(void)preview;
	if (fd < 0) {
		mc_escpos_answers_forget(&t->ans);
		return -1;
	}
	if (ask_state(t, fd, st, &answered, err, errlen) < 0)
		goto out;
	/* The questions go behind the job only for a printer known to answer
	 * them all in order; any other is asked one query at a time after. */
	bool behind = answered && exchange_ok(t);
	if (answered && !mc_escpos_state_can_print(*st)) {
		snprintf(err, errlen, "%s", mc_escpos_state_text(*st));
		goto out;
	}
	if (send_all(t, fd, data, len, sent, err, errlen) < 0)
		goto out;
	if (behind && send_all(t, fd, ask124, sizeof(ask124), NULL, err, errlen) < 0)
		goto out;
	int got = wait_taken(t, fd, len, sent, reply, behind ? 3 : 0, err, errlen);
	if (got < 0)
		goto out;
	/* A printer that answered before must answer after, and still be fine. */
	if (answered) {
		enum mc_escpos_state st2;
		if (behind ? take_state(t, fd, reply, got, &st2, &after, err, errlen) < 0
			   : ask_learning(t, fd, &st2, &after, err, errlen) < 0)
			goto out;
		if (!after) {
			*st = MC_ESCPOS_UNKNOWN;
			snprintf(err, errlen, "máy in không trả lời sau khi in (no status after the job)");
			goto out;
		}
		*st = st2;
		if (!mc_escpos_state_can_print(st2)) {
			snprintf(err, errlen, "%s", mc_escpos_state_text(st2));
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static void tcp_close(void *priv)
{
	free(priv);
}

static void tcp_forget(void *priv)
{
	struct tcp_printer *t = priv;

	mc_escpos_answers_forget(&t->ans);
}

const struct mc_printer_ops mc_printer_tcp_ops = {
	.version = 1,
	.scheme = "tcp",
	.open = tcp_open,
	.status = tcp_status,
	.print = tcp_print,
	.close = tcp_close,
	.forget = tcp_forget,
};
