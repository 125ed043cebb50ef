/* ctl.c — control socket server (see ctl.h). */
#include "ctl.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CMDS 32
#define MAX_LINE (64 * 1024)
#define MAX_OUT (4 * 1024 * 1024)

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
	bool closing;         /* close once out is written */
	struct client *next;  /* next connection */
};

struct mc_ctl {
	struct mc_loop *loop;     /* owner of our fds */
	int fd;                   /* listening socket */
	char path[108];           /* socket path, unlinked at free */
	struct cmd cmds[MAX_CMDS];
	int ncmds;
	struct client *clients;   /* open connections */
	uint64_t next_id;         /* id of the next connection */
};

static void drop(struct mc_ctl *ctl, struct client *c)
{
	struct client **p = &ctl->clients;

	while (*p && *p != c)
		p = &(*p)->next;
	if (*p)
		*p = c->next;
	mc_loop_del_fd(ctl->loop, c->fd);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
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
	while (c->nout) {
		ssize_t n = send(c->fd, c->out, c->nout, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			drop(ctl, c);
			return;
		}
		memmove(c->out, c->out + n, c->nout - (size_t)n);
		c->nout -= (size_t)n;
	}
	if (!c->nout && c->closing) {
		drop(ctl, c);
		return;
	}
	mc_loop_set_fd_mask(ctl->loop, c->fd, MC_READ | (c->nout ? MC_WRITE : 0));
}

static int queue(struct mc_ctl *ctl, struct client *c, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len;

	if (!text)
		return -1;
	len = strlen(text);
	if (c->nout + len + 1 > MAX_OUT) {
		/* A client that does not read is not allowed to eat memory. */
		free(text);
		drop(ctl, c);
		return -1;
	}
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
	copy = json_deep_copy(msg);
	if (!copy)
		return -1;
	if (!json_object_get(copy, "ok"))
		json_object_set_new(copy, "ok", json_true());
	if (!final)
		json_object_set_new(copy, "more", json_true());
	rc = queue(ctl, c, copy);
	json_decref(copy);
	return rc;
}

enum mc_ctl_result mc_ctl_error(json_t *resp, const char *token, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
	json_t *req = json_loadb(line, len, 0, &jerr);
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
	if (r != MC_CTL_LATER && find(ctl, id)) {
		json_object_set_new(resp, "ok", json_boolean(r == MC_CTL_OK));
		queue(ctl, c, resp);
	}
	json_decref(resp);
	json_decref(req);
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
	}
	if (!(mask & MC_READ))
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
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* Peer closed: answer what is queued, then close. */
		if (c->nout) {
			c->closing = true;
			mc_loop_set_fd_mask(ctl->loop, c->fd, MC_WRITE);
		} else {
			drop(ctl, c);
		}
		return;
	}
	c->nin += (size_t)n;
	uint64_t id = c->id;
	for (;;) {
		char *nl = memchr(c->in, '\n', c->nin);
		if (!nl) {
			if (c->nin > MAX_LINE) {
				c->skipping = true;
				c->nin = 0;
			}
			break;
		}
		size_t len = (size_t)(nl - c->in);
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
			return;
		memmove(c->in, nl + 1, c->nin - len - 1);
		c->nin -= len + 1;
	}
}

static void on_accept(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_ctl *ctl = ctx;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *c;

	(void)mask;
	if (cfd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return;
	}
	c->id = ctl->next_id++;
	c->fd = cfd;
	if (mc_loop_add_fd(loop, cfd, MC_READ, on_client, ctl) < 0) {
		close(cfd);
		free(c);
		return;
	}
	c->next = ctl->clients;
	ctl->clients = c;
}

struct mc_ctl *mc_ctl_new(struct mc_loop *loop, const char *path)
{
	struct mc_ctl *ctl = calloc(1, sizeof(*ctl));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!ctl)
		return NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		goto err_free;
	}
	ctl->loop = loop;
	ctl->next_id = 1;
	strcpy(sa.sun_path, path);
	strcpy(ctl->path, path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto err_free;
	unlink(path);
	/* Created 0660 from the start: no window with a wider mode. */
	mode_t old = umask(0117);
	int rc = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0660) < 0 || listen(ctl->fd, 16) < 0)
		goto err_close;
	if (mc_loop_add_fd(loop, ctl->fd, MC_READ, on_accept, ctl) < 0)
		goto err_unlink;
	return ctl;

err_unlink:
	unlink(path);
err_close:
	close(ctl->fd);
err_free:
	free(ctl);
	return NULL;
}

void mc_ctl_free(struct mc_ctl *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		drop(ctl, ctl->clients);
	mc_loop_del_fd(ctl->loop, ctl->fd);
	close(ctl->fd);
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
