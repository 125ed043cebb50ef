/* printer.c — picks a backend by URI scheme and wraps its ops (see printer.h). */
#include "printer.h"
#include "module.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mc_printer {
	const struct mc_printer_ops *ops;  /* the backend */
	void *priv;                        /* its state */
	char device[256];                  /* the URI */
};

static const struct mc_printer_ops *const backends[] = {
	&mc_printer_file_ops, &mc_printer_tcp_ops, &mc_printer_usb_ops,
};

/* Backends in loadable modules (module.h): their libraries are mapped only
 * by a kiosk that prints through them. */
static const struct {
	const char *scheme, *module, *symbol;
} modules[] = {
	{ "cups", "printer-cups", "mc_printer_cups_ops" },
};

/* The backend for scheme (len bytes), or NULL with err set. */
static const struct mc_printer_ops *find_backend(const char *device, const char *scheme, size_t len,
						 char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strlen(backends[i]->scheme) == len && !strncmp(backends[i]->scheme, scheme, len))
			return backends[i];
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		if (strlen(modules[i].scheme) != len || strncmp(modules[i].scheme, scheme, len))
			continue;
		char why[512];
		const struct mc_printer_ops *ops = mc_module_symbol(modules[i].module, modules[i].symbol,
								    why, sizeof(why));
		if (!ops || ops->version != 1 || strcmp(ops->scheme, modules[i].scheme)) {
			snprintf(err, errlen, "printer device '%s': %s", device,
				 ops ? "the printer module is of another version" : why);
			return NULL;
		}
		return ops;
	}
	snprintf(err, errlen, "printer device '%s': unknown scheme (usb:, tcp:, cups:, file:)", device);
	return NULL;
}

struct mc_printer *mc_printer_open(const char *device, const struct mc_printer_options *opt,
				   char *err, size_t errlen)
{
	const char *colon = strchr(device, ':');
	struct mc_printer *p;

	if (!colon) {
		snprintf(err, errlen, "printer device '%s' has no scheme (usb:, tcp:, cups:, file:)", device);
		return NULL;
	}
	const struct mc_printer_ops *ops = find_backend(device, device, (size_t)(colon - device), err, errlen);
	if (!ops)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->ops = ops;
	snprintf(p->device, sizeof(p->device), "%s", device);
	if (ops->open(&p->priv, colon + 1, opt, err, errlen) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void mc_printer_close(struct mc_printer *p)
{
	if (!p)
		return;
	if (p->ops->close)
		p->ops->close(p->priv);
	free(p);
}

const char *mc_printer_device(const struct mc_printer *p)
{
	return p->device;
}

void mc_printer_forget(struct mc_printer *p)
{
	if (p->ops->forget)
		p->ops->forget(p->priv);
}

int mc_printer_status(struct mc_printer *p, enum mc_escpos_state *st, char *err, size_t errlen)
{
	if (!p->ops->status) {
		*st = MC_ESCPOS_UNKNOWN;
		return 0;
	}
	return p->ops->status(p->priv, st, err, errlen);
}

int mc_printer_print(struct mc_printer *p, const uint8_t *data, size_t len,
		     const struct mc_raster *preview, enum mc_escpos_state *st, size_t *sent,
		     char *err, size_t errlen)
{
	*st = MC_ESCPOS_UNKNOWN;
	*sent = 0;
	return p->ops->print(p->priv, data, len, preview, st, sent, err, errlen);
}

int mc_printer_parse_hostport(const char *arg, char *host, size_t hostlen, int *port)
{
	const char *colon;
	size_t hl;
	char *end;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (!close || close[1] != ':')
			return -1;
		hl = (size_t)(close - arg - 1);
		arg++;
		colon = close + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - arg);
	}
	if (hl == 0 || hl >= hostlen)
		return -1;
	errno = 0;
	long v = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || v < 1 || v > 65535)
		return -1;
	memcpy(host, arg, hl);
	host[hl] = 0;
	*port = (int)v;
	return 0;
}
