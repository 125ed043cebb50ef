/* printer-tcp.c — tcp:HOST:PORT, a raw port 9100 printer. One connection
 * per job or status check, closed afterwards (leaked sockets lock some
 * printers); status queries and their replies share that connection. Every
 * step has the configured timeout, so a silent or stalled printer costs at
 * most a few timeouts, never a hang. */
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

/* Waits until the printer has taken every byte sent (the kernel's send
 * queue is empty: all of it acknowledged), so success means the printer
 * has it, not our kernel. Fails if the queue stops shrinking for the timeout
 * (a printer that stopped reading). 0, or -1 with err. */
static int wait_taken(struct tcp_printer *t, int fd, size_t len, size_t *sent, char *err, size_t errlen)
{
	(void)len;
	(void)sent;
	int last = -1;
	int64_t deadline = now_ms() + t->timeout_ms;

	for (;;) {
		int q = 0;
		if (ioctl(fd, SIOCOUTQ, &q) < 0)
			return 0;  /* cannot tell: trust the kernel */
		/* *sent stays what was handed to the transport (printer.h): bytes
		 * not yet acknowledged may still have reached the printer, and a
		 * reset makes the kernel's count say nothing arrived. */
		if (q == 0)
			return 0;
		if (q != last) {
			last = q;
			deadline = now_ms() + t->timeout_ms;
		} else if (now_ms() >= deadline) {
			snprintf(err, errlen, "máy in ngừng nhận dữ liệu, còn %d byte chưa nhận (printer stalled)", q);
			return -1;
		}
		/* Sleep a millisecond, waking early on a reset or hang-up. */
		struct pollfd pfd = { .fd = fd, .events = 0 };
		int e = 0;
		socklen_t elen = sizeof(e);
		if (poll(&pfd, 1, 1) > 0 && (pfd.revents & (POLLERR | POLLHUP))) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen);
			snprintf(err, errlen, "mất kết nối máy in, còn %d byte chưa nhận (connection lost: %s)", q,
				 strerror(e ? e : ECONNRESET));
			return -1;
		}
	}
}

/* Asks DLE EOT n and waits for a valid reply. 1 got one, 0 no answer,
 * -1 connection failed (err filled). */
static int query(struct tcp_printer *t, int fd, int n, uint8_t *reply, char *err, size_t errlen)
{
	uint8_t q[3] = { 0x10, 0x04, (uint8_t)n };
	int64_t deadline = now_ms() + t->timeout_ms;

	if (send_all(t, fd, q, sizeof(q), NULL, err, errlen) < 0)
		return -1;
	for (;;) {
		int r = wait_fd(fd, POLLIN, deadline);
		if (r <= 0)
			return 0;
		uint8_t b;
		ssize_t got = read(fd, &b, 1);
		if (got == 1) {
			if (mc_escpos_is_status_byte(b)) {
				*reply = b;
				return 1;
			}
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		snprintf(err, errlen, "máy in đóng kết nối (printer closed the connection%s%s)",
			 got < 0 ? ": " : "", got < 0 ? strerror(errno) : "");
		return -1;
	}
}

/* The state through queries 1, 2, 4 (and 3 on an error bit). *answered
 * says whether the printer answered at all. 0, or -1 if the connection
 * failed. */
static int ask_state(struct tcp_printer *t, int fd, enum mc_escpos_state *st, bool *answered,
		     char *err, size_t errlen)
{
	static const int order[] = { 1, 2, 4, 3 };
	struct mc_escpos_status s;

	memset(&s, 0, sizeof(s));
	*answered = false;
	drain(fd);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint8_t b;
		if (order[i] == 3 && !(s.have[2] && (s.reply[2] & 0x40)))
			continue;
		int r = query(t, fd, order[i], &b, err, errlen);
		if (r < 0)
			return -1;
		if (r == 0)
			break;  /* a printer that does not answer one will not answer the rest */
		mc_escpos_status_set(&s, order[i], b);
		*answered = true;
	}
	*st = mc_escpos_status_state(&s);
	return 0;
}

static int tcp_status(void *priv, enum mc_escpos_state *st, char *err, size_t errlen)
{
	struct tcp_printer *t = priv;
	bool answered;
	int fd = connect_to(t, err, errlen);

	if (fd < 0)
		return -1;
	int rc = ask_state(t, fd, st, &answered, err, errlen);
	close(fd);
	return rc;
}

static int tcp_print(void *priv, const uint8_t *data, size_t len, const struct mc_raster *preview,
		     enum mc_escpos_state *st, size_t *sent, char *err, size_t errlen)
{
	struct tcp_printer *t = priv;
	bool answered, after;
	int rc = -1;
	int fd = connect_to(t, err, errlen);

	if (fd < 0)
		return -1;
	if (ask_state(t, fd, st, &answered, err, errlen) < 0)
		goto out;
	if (answered && !mc_escpos_state_can_print(*st)) {
		snprintf(err, errlen, "%s", mc_escpos_state_text(*st));
		goto out;
	}
	if (send_all(t, fd, data, len, sent, err, errlen) < 0 ||
	    wait_taken(t, fd, len, sent, err, errlen) < 0)
		goto out;
	/* A printer that answered before must answer after, and still be fine:
	 * that is how paper running out during the job is caught. */
	if (answered) {
		enum mc_escpos_state st2;
		if (ask_state(t, fd, &st2, &after, err, errlen) < 0)
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

const struct mc_printer_ops mc_printer_tcp_ops = {
	.version = 1,
	.scheme = "tcp",
	.open = tcp_open,
	.status = tcp_status,
	.print = tcp_print,
	.close = tcp_close,
};
