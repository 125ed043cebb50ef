/* ctl.c — control socket server (see ctl.h). */
#include "ctl.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CMDS 32
#define MAX_GONE 8
#define MAX_LINE (64 * 1024)
#define ACCEPT_BATCH 16   /* connections taken off the backlog in one loop turn, at most */
#define LISTEN_BACKLOG 64 /* connections the kernel holds for us: as many as we serve */

/* A registered command. */
struct cmd {
	const char *name;  /* as in {"cmd": name} */
	const char *help;  /* one line */
	mc_ctl_fn fn;      /* handler */
	void *ctx;         /* its context */
};

/* One connection. */
struct client {
	uint64_t id;          /* stable handle for late answers */
	int fd;               /* the connection */
	char *in;             /* bytes read, not yet a whole line */
	size_t nin, capin;
	char *out;            /* bytes to write */
	size_t nout, capout;
	bool skipping;        /* discarding the rest of an over-long line */
	bool eof;             /* the peer shut its side: read no more */
	bool closing;         /* close once out is written and nothing is pending */
	bool detached;        /* no socket (mc_ctl_feed): out is kept, not sent */
	int pending;          /* requests answered later (MC_CTL_LATER) not yet final */
	struct client *next;  /* next connection */
};

/* Someone told when a client goes. */
struct gone_hook {
	mc_ctl_gone_fn fn;
	void *ctx;
};

struct mc_ctl {
	struct mc_loop *loop;     /* owner of our fds */
	int fd;                   /* listening socket */
	char path[108];           /* socket path, unlinked at free if still ours */
	dev_t dev;                /* the socket file's identity once renamed */
	ino_t ino;                /* into place (0: unknown) */
	struct cmd cmds[MAX_CMDS];
	int ncmds;
	struct client *clients;   /* open connections */
	int nclients;             /* how many */
	size_t total_out;         /* unsent bytes of every client together */
	uint64_t next_id;         /* id of the next connection */
	int reserve_fd;           /* a descriptor kept free for shedding on EMFILE (-1: none) */
	bool listening;           /* the listener is in the loop (false while at the cap) */
	bool warned_cap, warned_fds, warned_out; /* each logged once until it clears */
	struct mc_ctl_limits lim; /* the bounds */
	struct gone_hook gone[MAX_GONE];
	int ngone;
	uint64_t *gone_ids;       /* clients gone whose hooks have not run yet */
	size_t ngone_ids, capgone_ids;
	long long gone_timer;     /* runs them on the next loop turn (0: none) */
	uint64_t shed;            /* connections refused (cap or no descriptor) */
	uint64_t dropped;         /* clients dropped for unsent output */
};

static void set_listening(struct mc_ctl *ctl, bool on)
{
	if (ctl->fd < 0 || ctl->listening == on)
		return;
	if (mc_loop_set_fd_mask(ctl->loop, ctl->fd, on ? MC_READ : 0) == 0)
		ctl->listening = on;
}

static void set_mask(struct mc_ctl *ctl, struct client *c)
{
	int mask = 0;

	if (c->detached)
		return;
	/* A client with much unsent output is not read until it catches up:
	 * its requests wait in the kernel, not in our memory. */
	if (!c->eof && c->nout < ctl->lim.pause_reading)
		mask |= MC_READ;
	if (c->nout)
		mask |= MC_WRITE;
	mc_loop_set_fd_mask(ctl->loop, c->fd, mask);
}

/* Runs the gone hooks for every client dropped since the last turn. */
static int64_t run_gone(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_ctl *ctl = ctx;

	(void)loop;
	(void)id;
	ctl->gone_timer = 0;
	for (size_t k = 0; k < ctl->ngone_ids; k++)
		for (int i = 0; i < ctl->ngone; i++)
			ctl->gone[i].fn(ctl->gone[i].ctx, ctl->gone_ids[k]);
	ctl->ngone_ids = 0;
	return -1;
}

static void drop(struct mc_ctl *ctl, struct client *c)
{
	struct client **p = &ctl->clients;

	while (*p && *p != c)
		p = &(*p)->next;
	if (*p)
		*p = c->next;
	ctl->nclients--;
	ctl->total_out -= c->nout;
	if (!c->detached) {
		mc_loop_del_fd(ctl->loop, c->fd);
		close(c->fd);
	}
	uint64_t id = c->id;
	free(c->in);
	free(c->out);
	free(c);
	/* Streaming commands release what they hold for this client, on the
	 * next loop turn: a drop can happen inside mc_ctl_send(), in the
	 * middle of a command's own walk over its clients. */
	if (ctl->ngone) {
		if (ctl->ngone_ids == ctl->capgone_ids) {
			size_t cap = ctl->capgone_ids ? ctl->capgone_ids * 2 : 16;
			uint64_t *ids = realloc(ctl->gone_ids, cap * sizeof(*ids));
			if (ids) {
				ctl->gone_ids = ids;
				ctl->capgone_ids = cap;
			}
		}
		if (ctl->ngone_ids < ctl->capgone_ids)
			ctl->gone_ids[ctl->ngone_ids++] = id;
		if (!ctl->gone_timer) {
			ctl->gone_timer = mc_loop_add_timer(ctl->loop, 0, run_gone, ctl);
			if (ctl->gone_timer < 0)
				ctl->gone_timer = 0;
		}
	}
	if (ctl->nclients < ctl->lim.max_clients) {
		if (!ctl->listening && ctl->warned_cap)
			mc_log(MC_LOG_NOTICE, "control socket: below %d clients again, accepting",
			       ctl->lim.max_clients);
		ctl->warned_cap = false;
		set_listening(ctl, true);
	}
}

static struct client *find(struct mc_ctl *ctl, uint64_t id)
{
	for (struct client *c = ctl->clients; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void flush(struct mc_ctl *ctl, struct client *c)
{
	while (c->nout && !c->detached) {
		ssize_t n = send(c->fd, c->out, c->nout, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			drop(ctl, c);
			return;
		}
		memmove(c->out, c->out + n, c->nout - (size_t)n);
		c->nout -= (size_t)n;
		ctl->total_out -= (size_t)n;
	}
	if (!c->nout && c->capout > 65536) {
		/* Give back a buffer a burst grew. */
		free(c->out);
		c->out = NULL;
		c->capout = 0;
	}
	if (!c->nout && c->closing && !c->pending && !c->nin) {
		drop(ctl, c);
		return;
	}
	set_mask(ctl, c);
}

/* The client with the most unsent output. */
static struct client *worst(struct mc_ctl *ctl)
{
	struct client *w = NULL;

	for (struct client *c = ctl->clients; c; c = c->next)
		if (!c->detached && (!w || c->nout > w->nout))
			w = c;
	return w;
}

static int queue(struct mc_ctl *ctl, struct client *c, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len;

	if (!text)
		return -1;
	len = strlen(text);
	if (!c->detached && c->nout + len + 1 > ctl->lim.max_out) {
		/* A client that does not read is not allowed to eat memory. */
		free(text);
		ctl->dropped++;
		mc_log(MC_LOG_WARNING, "control socket: client %llu dropped: %zu bytes unsent",
		       (unsigned long long)c->id, c->nout);
		drop(ctl, c);
		return -1;
	}
	/* Over the bound for everyone together: the worst offender goes first
	 * (maybe this one), until the answer fits. */
	while (!c->detached && ctl->total_out + len + 1 > ctl->lim.max_total_out) {
		struct client *w = worst(ctl);
		bool self = w == c;
		if (!ctl->warned_out) {
			mc_log(MC_LOG_WARNING, "control socket: %zu bytes unsent in all, over %zu: "
			       "dropping the clients that read least", ctl->total_out, ctl->lim.max_total_out);
			ctl->warned_out = true;
		}
		ctl->dropped++;
		drop(ctl, w);
		if (self) {
			free(text);
			return -1;
		}
	}
	if (ctl->total_out < ctl->lim.max_total_out / 2)
		ctl->warned_out = false;
	if (c->nout + len + 1 > c->capout) {
		size_t cap = (c->nout + len + 1) * 2;
		char *p = realloc(c->out, cap);
		if (!p) {
			free(text);
			return -1;
		}
		c->out = p;
		c->capout = cap;
	}
	memcpy(c->out + c->nout, text, len);
	c->out[c->nout + len] = '\n';
	c->nout += len + 1;
	ctl->total_out += len + 1;
	free(text);
	flush(ctl, c);
	return 0;
}

int mc_ctl_send(struct mc_ctl *ctl, uint64_t client, json_t *msg, bool final)
{
	struct client *c = find(ctl, client);
	json_t *copy;
	int rc;

	if (!c)
		return -1;
	/* A shallow copy: only its own top-level keys change; the values are
	 * shared (never changed here) with the caller's message. */
	copy = json_copy(msg);
	if (!copy)
		return -1;
	if (!json_object_get(copy, "ok"))
		json_object_set_new(copy, "ok", json_true());
	if (!final)
		json_object_set_new(copy, "more", json_true());
	else if (c->pending > 0)
		c->pending--;
	rc = queue(ctl, c, copy);
	json_decref(copy);
	return rc;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 if s does not
 * start one (a stray continuation byte, an overlong form, a surrogate, past
 * U+10FFFF, or cut short by the end of the string). */
static int utf8_len(const unsigned char *s)
{
	unsigned c = s[0], cp;
	int n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 :
		c >= 0xf0 && c <= 0xf4 ? 3 : -1;

	if (n <= 0)
		return n + 1;
	cp = c & (n == 1 ? 0x1fu : n == 2 ? 0x0fu : 0x07u);
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

/* Makes msg valid UTF-8 in place, as JSON strings must be (jansson refuses
 * anything else, and the answer then had no "message"): a sequence cut off
 * at the end (a long message truncated by the buffer, in the middle of
 * "ă") is dropped, any other byte that does not start a valid sequence
 * (text from outside, e.g. a file name) becomes '?'. */
static void utf8_fix(char *msg)
{
	unsigned char *s = (unsigned char *)msg;

	while (*s) {
		int n = utf8_len(s);
		if (n) {
			s += n;
			continue;
		}
		/* A lead byte whose sequence only the terminator cut short. */
		size_t rest = strlen((char *)s);
		bool cut = *s >= 0xc2 && *s <= 0xf4 && rest < (*s >= 0xf0 ? 4u : *s >= 0xe0 ? 3u : 2u);
		for (size_t i = 1; cut && i < rest; i++)
			cut = (s[i] & 0xc0) == 0x80;
		if (cut) {
			*s = 0;
			return;
		}
		*s++ = '?';
	}
}

enum mc_ctl_result mc_ctl_error(json_t *resp, const char *token, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_fix(msg);
	json_object_set_new(resp, "error", json_string(token));
	json_object_set_new(resp, "message", json_string(msg));
	return MC_CTL_FAIL;
}

static enum mc_ctl_result help(struct mc_ctl *ctl, json_t *resp)
{
	json_t *list = json_array();

	for (int i = 0; i < ctl->ncmds; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "cmd", ctl->cmds[i].name,
						       "help", ctl->cmds[i].help));
	json_object_set_new(resp, "commands", list);
	json_object_set_new(resp, "protocol", json_integer(1));
	return MC_CTL_OK;
}

/* Handles one request line. */
static void handle_line(struct mc_ctl *ctl, struct client *c, const char *line, size_t len)
{
	json_error_t jerr;
	/* A key given twice is refused, not silently the last one. */
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *resp = json_object();
	enum mc_ctl_result r = MC_CTL_FAIL;
	uint64_t id = c->id;
	const char *name;

	if (!req || !json_is_object(req)) {
		mc_ctl_error(resp, "bad_request", "not a JSON object: %s", req ? "wrong type" : jerr.text);
	} else if (!(name = json_string_value(json_object_get(req, "cmd")))) {
		mc_ctl_error(resp, "bad_request", "missing string field \"cmd\"");
	} else if (!strcmp(name, "help")) {
		r = help(ctl, resp);
	} else {
		int i;
		for (i = 0; i < ctl->ncmds; i++)
			if (!strcmp(ctl->cmds[i].name, name))
				break;
		if (i == ctl->ncmds)
			mc_ctl_error(resp, "unknown_command", "unknown command '%s' (try help)", name);
		else
			r = ctl->cmds[i].fn(ctl->cmds[i].ctx, req, resp, id);
	}
	if (r == MC_CTL_LATER && find(ctl, id))
		c->pending++;
	if (r != MC_CTL_LATER && find(ctl, id)) {
		json_object_set_new(resp, "ok", json_boolean(r == MC_CTL_OK));
		queue(ctl, c, resp);
	}
	json_decref(resp);
	json_decref(req);
}

/* Handles every whole line in c->in; at_eof also the last line without a
 * newline. Returns false if c is gone. */
static bool process(struct mc_ctl *ctl, struct client *c, bool at_eof)
{
	uint64_t id = c->id;

	for (;;) {
		/* Answers pile up unread: the rest waits until they go out. */
		if (!c->detached && c->nout >= ctl->lim.pause_reading)
			break;
		char *nl = memchr(c->in, '\n', c->nin);
		size_t len, used;
		if (!nl) {
			if (c->nin > MAX_LINE) {
				c->skipping = true;
				c->nin = 0;
			}
			if (!at_eof || (!c->nin && !c->skipping))
				break;
			len = c->nin;   /* the last line, ended by EOF */
			used = c->nin;
		} else {
			len = (size_t)(nl - c->in);
			used = len + 1;
		}
		if (c->skipping) {
			json_t *resp = json_object();
			c->skipping = false;
			mc_ctl_error(resp, "bad_request", "request line longer than %d bytes", MAX_LINE);
			json_object_set_new(resp, "ok", json_false());
			queue(ctl, c, resp);
			json_decref(resp);
		} else if (len) {
			handle_line(ctl, c, c->in, len);
		}
		if (!find(ctl, id))
			return false;
		memmove(c->in, c->in + used, c->nin - used);
		c->nin -= used;
		if (!nl)
			break;
	}
	return true;
}

/* The peer shut its side: answer the last line, then keep the client until
 * every answer (also the later ones) is out. */
static void at_eof(struct mc_ctl *ctl, struct client *c)
{
	c->eof = true;
	if (!process(ctl, c, true))
		return;
	c->closing = true;
	if (!c->nout && !c->pending && !c->nin) {
		drop(ctl, c);
		return;
	}
	set_mask(ctl, c);
}

static void on_client(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_ctl *ctl = ctx;
	struct client *c = NULL;

	(void)loop;
	for (struct client *p = ctl->clients; p; p = p->next)
		if (p->fd == fd)
			c = p;
	if (!c)
		return;
	if (mask & MC_WRITE) {
		uint64_t id = c->id;
		flush(ctl, c);
		if (!find(ctl, id))
			return;
		/* Caught up: the requests read before are handled now. */
		if (c->nin && c->nout < ctl->lim.pause_reading) {
			if (!process(ctl, c, c->eof))
				return;
			if (c->eof && !c->nin && !c->nout && !c->pending) {
				drop(ctl, c);
				return;
			}
			set_mask(ctl, c);
		}
	}
	if (!(mask & MC_READ))
		return;
	if (c->eof) {
		/* Not reading any more: this is a hang-up or an error, the
		 * peer is gone for good. */
		drop(ctl, c);
		return;
	}
	if (c->nout >= ctl->lim.pause_reading)
		return;
	if (c->capin - c->nin < 4096) {
		size_t cap = c->capin ? c->capin * 2 : 8192;
		char *p = realloc(c->in, cap);
		if (!p) {
			drop(ctl, c);
			return;
		}
		c->in = p;
		c->capin = cap;
	}
	ssize_t n = read(fd, c->in + c->nin, c->capin - c->nin);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		drop(ctl, c);
		return;
	}
	if (n == 0) {
		at_eof(ctl, c);
		return;
	}
	c->nin += (size_t)n;
	if (process(ctl, c, false))
		set_mask(ctl, c);
}

int mc_ctl_feed(struct mc_ctl *ctl, const char *data, size_t len, char **answer)
{
	struct client *c = calloc(1, sizeof(*c));
	char *buf = malloc(len + 1);

	*answer = NULL;
	if (!c || !buf) {
		free(c);
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	memcpy(buf, data, len);
	c->id = ctl->next_id++;
	c->fd = -1;
	c->detached = true;
	c->in = buf;
	c->nin = len;
	c->capin = len + 1;
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
	uint64_t id = c->id;
	process(ctl, c, true);
	c = find(ctl, id);
	if (!c)
		return 0;
	if (c->out) {
		char *p = realloc(c->out, c->nout + 1);
		if (!p) {
			drop(ctl, c);
			errno = ENOMEM;
			return -1;
		}
		c->out = p;
		c->out[c->nout] = 0;
		*answer = c->out;
		c->out = NULL;
		ctl->total_out -= c->nout;
		c->nout = 0;
	}
	drop(ctl, c);
	if (!*answer)
		*answer = calloc(1, 1);
	return 0;
}

/* Accepts and at once closes a connection we cannot serve, so the
 * listener does not stay readable (a loop spinning at 100 % CPU). A line
 * tells the client why. */
static void shed(struct mc_ctl *ctl, int fd, const char *why)
{
	static const char busy[] = "{\"ok\": false, \"error\": \"busy\", \"message\": "
		"\"Quá nhiều kết nối, thử lại sau (too many control clients, try again later)\"}\n";
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd >= 0) {
		ssize_t n = send(cfd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)n;
		close(cfd);
		ctl->shed++;
	}
	(void)why;
}

/* Takes one connection off the listener's backlog. Returns whether one
 * was taken (then there may be more). */
static bool accept_one(struct mc_loop *loop, struct mc_ctl *ctl, int fd)
{
	struct client *c;

	if (ctl->nclients >= ctl->lim.max_clients) {
		/* At the cap: stop listening until a client goes; the kernel's
		 * backlog holds the next ones. */
		if (!ctl->warned_cap) {
			mc_log(MC_LOG_WARNING, "control socket: %d clients, the most allowed; "
			       "new connections wait until one closes", ctl->nclients);
			ctl->warned_cap = true;
		}
		set_listening(ctl, false);
		return false;
	}
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if ((errno == EMFILE || errno == ENFILE) && ctl->reserve_fd >= 0) {
			/* Out of descriptors: free the reserve to take the
			 * connection off the backlog and close it. */
			if (!ctl->warned_fds) {
				mc_log(MC_LOG_ERR, "control socket: out of file descriptors (%s); "
				       "refusing connections until some close", strerror(errno));
				ctl->warned_fds = true;
			}
			close(ctl->reserve_fd);
			ctl->reserve_fd = -1;
			shed(ctl, fd, "descriptors");
			ctl->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
		return false;
	}
	if (ctl->warned_fds) {
		mc_log(MC_LOG_NOTICE, "control socket: file descriptors available again");
		ctl->warned_fds = false;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return false;
	}
	c->id = ctl->next_id++;
	c->fd = cfd;
	if (mc_loop_add_fd(loop, cfd, MC_READ, on_client, ctl) < 0) {
		close(cfd);
		free(c);
		return false;
	}
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
	return true;
}

/* Takes what the backlog holds, up to ACCEPT_BATCH a loop turn: one a
 * turn left a clerk's request behind every connection queued before it,
 * each a turn (and maybe a commit) long, while other clients pressed. */
static void on_accept(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_ctl *ctl = ctx;

	(void)mask;
	/* Only the first is known to be there: at the cap, the next turn's
	 * first (if the listener is still readable) stops listening. */
	for (int i = 0; i < ACCEPT_BATCH; i++)
		if ((i > 0 && ctl->nclients >= ctl->lim.max_clients) || !accept_one(loop, ctl, fd))
			break;
}

void mc_ctl_limits_default(struct mc_ctl_limits *lim)
{
	lim->max_clients = MC_CTL_MAX_CLIENTS;
	lim->max_out = MC_CTL_MAX_OUT;
	lim->max_total_out = MC_CTL_MAX_TOTAL_OUT;
	lim->pause_reading = MC_CTL_PAUSE_READING;
}

struct mc_ctl *mc_ctl_new(struct mc_loop *loop, const char *path)
{
	struct mc_ctl_limits lim;

	mc_ctl_limits_default(&lim);
	return mc_ctl_new_limited(loop, path, &lim);
}

/* Whether a process listens on the socket file at path: a connect that
 * succeeds, or finds the backlog full (EAGAIN), says so; ECONNREFUSED
 * says the file was left by a process that is gone. */
static bool socket_in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool used = false;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0) {
		used = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
		close(fd);
	}
	return used;
}

struct mc_ctl *mc_ctl_new_limited(struct mc_loop *loop, const char *path,
				  const struct mc_ctl_limits *lim)
{
	struct mc_ctl *ctl = calloc(1, sizeof(*ctl));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!ctl)
		return NULL;
	ctl->lim = *lim;
	ctl->fd = -1;
	ctl->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (strlen(path) + strlen(MC_CTL_BIND_SUFFIX) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		goto err_free;
	}
	ctl->loop = loop;
	ctl->next_id = 1;
	strcpy(ctl->path, path);
	/* Only a socket nobody listens on is replaced: not a file a mistyped
	 * --socket names (it would be deleted at exit), not another kioskd's
	 * socket (its clients would reach this one). */
	struct stat sb;
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			errno = EEXIST;
			goto err_free;
		}
		if (socket_in_use(path)) {
			errno = EADDRINUSE;
			goto err_free;
		}
	}
	/* Bound and listening under a side name first, then renamed into
	 * place: the path appears only once a connect can succeed. Bound at
	 * the path itself, a client that saw the file between bind() and
	 * listen() was refused (ECONNREFUSED) — what a client or a test
	 * waiting for the file met on a loaded machine. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s%s", path, MC_CTL_BIND_SUFFIX);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto err_free;
	unlink(sa.sun_path);
	/* Created 0660 from the start: no window with a wider mode. */
	mode_t old = umask(0117);
	int rc = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0)
		goto err_close;
	if (chmod(sa.sun_path, 0660) < 0 || listen(ctl->fd, LISTEN_BACKLOG) < 0 || rename(sa.sun_path, path) < 0) {
		int e = errno;
		unlink(sa.sun_path);
		errno = e;
		goto err_close;
	}
	if (stat(path, &sb) == 0) {
		ctl->dev = sb.st_dev;
		ctl->ino = sb.st_ino;
	}
	if (mc_loop_add_fd(loop, ctl->fd, MC_READ, on_accept, ctl) < 0)
		goto err_unlink;
	ctl->listening = true;
	return ctl;

err_unlink:
	unlink(path);
err_close:
	close(ctl->fd);
err_free:
	if (ctl->reserve_fd >= 0)
		close(ctl->reserve_fd);
	free(ctl);
	return NULL;
}

void mc_ctl_free(struct mc_ctl *ctl)
{
	if (!ctl)
		return;
	ctl->ngone = 0;  /* the services are going too */
	while (ctl->clients)
		drop(ctl, ctl->clients);
	if (ctl->gone_timer)
		mc_loop_del_timer(ctl->loop, ctl->gone_timer);
	free(ctl->gone_ids);
	mc_loop_del_fd(ctl->loop, ctl->fd);
	close(ctl->fd);
	if (ctl->reserve_fd >= 0)
		close(ctl->reserve_fd);
	/* Not a file that replaced ours meanwhile (another kioskd's socket). */
	struct stat sb;
	if (ctl->ino && lstat(ctl->path, &sb) == 0 && sb.st_dev == ctl->dev && sb.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl);
}

int mc_ctl_register(struct mc_ctl *ctl, const char *name, const char *help_text,
		    mc_ctl_fn fn, void *ctx)
{
	if (ctl->ncmds == MAX_CMDS) {
		errno = ENOSPC;
		return -1;
	}
	ctl->cmds[ctl->ncmds++] = (struct cmd){ name, help_text, fn, ctx };
	return 0;
}

int mc_ctl_on_gone(struct mc_ctl *ctl, mc_ctl_gone_fn fn, void *ctx)
{
	if (ctl->ngone == MAX_GONE) {
		errno = ENOSPC;
		return -1;
	}
	ctl->gone[ctl->ngone++] = (struct gone_hook){ fn, ctx };
	return 0;
}

void mc_ctl_stats(const struct mc_ctl *ctl, json_t *obj)
{
	json_object_set_new(obj, "clients", json_integer(ctl->nclients));
	json_object_set_new(obj, "max_clients", json_integer(ctl->lim.max_clients));
	json_object_set_new(obj, "unsent_bytes", json_integer((json_int_t)ctl->total_out));
	json_object_set_new(obj, "max_unsent_bytes", json_integer((json_int_t)ctl->lim.max_total_out));
	json_object_set_new(obj, "refused", json_integer((json_int_t)ctl->shed));
	json_object_set_new(obj, "dropped", json_integer((json_int_t)ctl->dropped));
}
