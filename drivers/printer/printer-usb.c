/* printer-usb.c — usb:VID:PID or usb:auto through libusb-1.0. The printer
 * is found by its interface (class 7 with a bulk OUT endpoint, endpoints
 * read from the active configuration), the kernel's usblp driver is
 * detached automatically, writes loop on partial transfers, and status is
 * read on the bulk IN endpoint. Unplug and replug are survived: a vanished
 * device (or a hotplug "left" event) drops the handle, and the next call
 * finds the printer again. All libusb calls go through struct mc_usb_ops
 * (printer-usb.h), the seam the tests use. */
#include "printer.h"
#include "printer-usb.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct usb_printer {
	const struct mc_usb_ops *u;      /* libusb, or a fake */
	libusb_context *ctx;             /* our libusb context (NULL until first use) */
	libusb_device_handle *h;         /* open printer, or NULL */
	struct mc_usb_match m;           /* its interface and endpoints */
	int vid, pid;                    /* wanted ids, -1 for usb:auto */
	unsigned int timeout_ms;         /* per transfer */
	bool hotplug;                    /* a hotplug callback is registered */
	libusb_hotplug_callback_handle hp; /* its handle */
	atomic_int left;                 /* set by the callback: a device went away */
	struct mc_escpos_answers ans;    /* which queries it answers (forgotten on replug) */
};

const struct mc_usb_ops mc_usb_libusb_ops = {
	.init = libusb_init,
	.exit = libusb_exit,
	.get_device_list = libusb_get_device_list,
	.free_device_list = libusb_free_device_list,
	.get_device_descriptor = libusb_get_device_descriptor,
	.get_active_config_descriptor = libusb_get_active_config_descriptor,
	.free_config_descriptor = libusb_free_config_descriptor,
	.open = libusb_open,
	.close = libusb_close,
	.set_auto_detach_kernel_driver = libusb_set_auto_detach_kernel_driver,
	.claim_interface = libusb_claim_interface,
	.release_interface = libusb_release_interface,
	.bulk_transfer = libusb_bulk_transfer,
	.has_capability = libusb_has_capability,
	.hotplug_register_callback = libusb_hotplug_register_callback,
	.hotplug_deregister_callback = libusb_hotplug_deregister_callback,
	.handle_events_timeout_completed = libusb_handle_events_timeout_completed,
};

int mc_usb_parse(const char *arg, int *vid, int *pid)
{
	unsigned v, p;
	char tail;

	if (!strcmp(arg, "auto")) {
		*vid = *pid = -1;
		return 0;
	}
	if (strlen(arg) != 9 || arg[4] != ':' || sscanf(arg, "%4x:%4x%c", &v, &p, &tail) != 2)
		return -1;
	*vid = (int)v;
	*pid = (int)p;
	return 0;
}

/* Bulk endpoints of one alternate setting. */
static void bulk_endpoints(const struct libusb_interface_descriptor *alt, uint8_t *out, uint8_t *in)
{
	*out = *in = 0;
	for (int e = 0; e < alt->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
		if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
			if (!*in)
				*in = ep->bEndpointAddress;
		} else if (!*out) {
			*out = ep->bEndpointAddress;
		}
	}
}

int mc_usb_match_config(const struct libusb_config_descriptor *cfg, bool any_class,
			struct mc_usb_match *m)
{
	int best = -1;  /* 3 printer OUT+IN, 2 printer OUT, 1 vendor OUT+IN, 0 vendor OUT */

	for (int i = 0; cfg && i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		for (int a = 0; a < itf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *alt = &itf->altsetting[a];
			uint8_t out, in;
			int score;
			if (alt->bInterfaceClass == LIBUSB_CLASS_PRINTER)
				score = 2;
			else if (any_class && alt->bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC)
				score = 0;
			else
				continue;
			bulk_endpoints(alt, &out, &in);
			if (!out)
				continue;
			if (in)
				score++;
			if (score > best) {
				best = score;
				*m = (struct mc_usb_match){ alt->bInterfaceNumber, alt->bAlternateSetting,
							   out, in, alt->bInterfaceClass };
			}
		}
	}
	return best < 0 ? -1 : 0;
}

int mc_usb_write_all(const struct mc_usb_ops *ops, libusb_device_handle *h, uint8_t ep,
		     const uint8_t *data, size_t len, unsigned int timeout_ms, size_t *sent)
{
	size_t off = 0;

	*sent = 0;
	while (off < len) {
		size_t want = len - off > 65536 ? 65536 : len - off;
		int done = 0;
		int r = ops->bulk_transfer(h, ep, (unsigned char *)(uintptr_t)(data + off), (int)want,
					   &done, timeout_ms);
		if (done > 0) {
			off += (size_t)done;
			*sent = off;
		}
		if (r == 0 || (r == LIBUSB_ERROR_TIMEOUT && done > 0))
			continue;
		return r ? r : LIBUSB_ERROR_IO;
	}
	return 0;
}

static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev,
				  libusb_hotplug_event event, void *user)
{
	struct usb_printer *p = user;

	/* No I/O here: just note it; the next call reopens. */
	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT)
		atomic_store(&p->left, 1);
	return 0;
}

static int usb_open(void **priv, const char *arg, const struct mc_printer_options *opt,
		    char *err, size_t errlen)
{
	struct usb_printer *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mc_usb_parse(arg, &p->vid, &p->pid) < 0) {
		snprintf(err, errlen, "usb:%s: expected usb:auto or usb:VID:PID in hex (e.g. usb:0416:5011)", arg);
		free(p);
		return -1;
	}
	p->u = opt && opt->usb ? opt->usb : &mc_usb_libusb_ops;
	p->timeout_ms = (unsigned)(opt && opt->timeout_ms > 0 ? opt->timeout_ms : 3000);
	*priv = p;
	return 0;
}

static void drop_handle(struct usb_printer *p)
{
	if (!p->h)
		return;
	p->u->release_interface(p->h, p->m.iface);
	p->u->close(p->h);
	p->h = NULL;
}

/* Makes sure a printer is open: dispatches hotplug events, drops a handle
 * whose device left, enumerates and claims. 0, or -1 with err. */
static int ensure_open(struct usb_printer *p, char *err, size_t errlen)
{
	libusb_device **list = NULL;
	ssize_t n;
	int r;

	if (!p->ctx) {
		r = p->u->init(&p->ctx);
		if (r < 0) {
			p->ctx = NULL;
			snprintf(err, errlen, "libusb: %s", libusb_error_name(r));
			return -1;
		}
		if (p->u->has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
		    p->u->hotplug_register_callback(p->ctx,
				LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
				p->vid >= 0 ? p->vid : LIBUSB_HOTPLUG_MATCH_ANY,
				p->pid >= 0 ? p->pid : LIBUSB_HOTPLUG_MATCH_ANY,
				LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, p, &p->hp) == 0)
			p->hotplug = true;
	}
	if (p->hotplug) {
		struct timeval zero = { 0, 0 };
		p->u->handle_events_timeout_completed(p->ctx, &zero, NULL);
	}
	if (atomic_exchange(&p->left, 0))
		drop_handle(p);
	if (p->h)
		return 0;

	n = p->u->get_device_list(p->ctx, &list);
	if (n < 0) {
		snprintf(err, errlen, "libusb: %s", libusb_error_name((int)n));
		return -1;
	}
	r = LIBUSB_ERROR_NOT_FOUND;
	for (ssize_t i = 0; i < n && !p->h; i++) {
		struct libusb_device_descriptor d;
		struct libusb_config_descriptor *cfg = NULL;
		struct mc_usb_match m;
		if (p->u->get_device_descriptor(list[i], &d) < 0)
			continue;
		if (p->vid >= 0 && (d.idVendor != p->vid || d.idProduct != p->pid))
			continue;
		if (p->u->get_active_config_descriptor(list[i], &cfg) < 0)
			continue;
		int found = mc_usb_match_config(cfg, p->vid >= 0, &m);
		p->u->free_config_descriptor(cfg);
		if (found < 0)
			continue;
		libusb_device_handle *h = NULL;
		r = p->u->open(list[i], &h);
		if (r < 0)
			continue;
		p->u->set_auto_detach_kernel_driver(h, 1);  /* unsupported on some OSes: fine */
		r = p->u->claim_interface(h, m.iface);
		if (r < 0) {
			p->u->close(h);
			continue;
		}
		p->h = h;
		p->m = m;
		mc_escpos_answers_forget(&p->ans);  /* (re)plugged: learn it again */
	}
	p->u->free_device_list(list, 1);
	if (!p->h) {
		if (r == LIBUSB_ERROR_NOT_FOUND)
			snprintf(err, errlen, "không thấy máy in USB %s (no USB printer found; is it plugged in and on?)",
				 p->vid >= 0 ? "đã cấu hình" : "nào");
		else
			snprintf(err, errlen, "không mở được máy in USB (cannot open the USB printer: %s%s)",
				 libusb_error_name(r),
				 r == LIBUSB_ERROR_ACCESS ? "; check the udev rule and group lp" :
				 r == LIBUSB_ERROR_BUSY ? "; another program, e.g. a CUPS usb:// queue, holds it" : "");
		return -1;
	}
	return 0;
}

/* Fails a call on a libusb error; a vanished device drops the handle. */
static int usb_fail(struct usb_printer *p, int r, const char *what, char *err, size_t errlen)
{
	if (r == LIBUSB_ERROR_NO_DEVICE || r == LIBUSB_ERROR_IO || r == LIBUSB_ERROR_PIPE)
		drop_handle(p);
	snprintf(err, errlen, "máy in USB: %s (%s)", what, libusb_error_name(r));
	return -1;
}

/* Queries 1, 2, 4 (3 on an error bit) over bulk OUT/IN. *answered tells
 * whether any reply came. 0, or -1 with err. */
static int ask_state(struct usb_printer *p, enum mc_escpos_state *st, bool *answered,
		     char *err, size_t errlen)
{
	static const int order[] = { 1, 2, 4, 3 };
	struct mc_escpos_status s;
	unsigned char buf[64];
	int got, r;
	unsigned int t = p->timeout_ms > 1000 ? 1000 : p->timeout_ms;

	memset(&s, 0, sizeof(s));
	*answered = false;
	*st = MC_ESCPOS_UNKNOWN;
	if (!p->m.ep_in)
		return 0;
	/* Drain stray replies. */
	while (p->u->bulk_transfer(p->h, p->m.ep_in, buf, sizeof(buf), &got, 50) == 0 && got > 0)
		;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (order[i] == 3 && !(s.have[2] && (s.reply[2] & 0x40)))
			continue;
		if (!mc_escpos_answers_ask(&p->ans, order[i]))
			continue;  /* it never answers this one */
		unsigned char q[3] = { 0x10, 0x04, (unsigned char)order[i] };
		size_t sent;
		r = mc_usb_write_all(p->u, p->h, p->m.ep_out, q, sizeof(q), t, &sent);
		if (r)
			return usb_fail(p, r, "gửi truy vấn trạng thái thất bại (status query failed)", err, errlen);
		got = 0;
		r = p->u->bulk_transfer(p->h, p->m.ep_in, buf, sizeof(buf), &got, t);
		if (r == LIBUSB_ERROR_TIMEOUT && got == 0) {
			mc_escpos_answers_note(&p->ans, order[i], false, false);
			bool ever = p->ans.answered[1] || p->ans.answered[2] || p->ans.answered[3] ||
				    p->ans.answered[4];
			if (!ever)
				break;  /* silent so far: one timeout per check */
			continue;
		}
		if (r && r != LIBUSB_ERROR_TIMEOUT)
			return usb_fail(p, r, "đọc trạng thái thất bại (status read failed)", err, errlen);
		/* The reply, past any echo of what was sent. */
		struct mc_escpos_reply rep;
		unsigned char b = 0;
		size_t used;
		mc_escpos_reply_start(&rep, order[i], p->ans.echoes);
		int rc = mc_escpos_reply_feed(&rep, buf, (size_t)got, &b, &used);
		mc_escpos_answers_note(&p->ans, order[i], rc == 1, rep.echo_seen);
		if (rc == 1) {
			mc_escpos_status_set(&s, order[i], b);
			*answered = true;
		}
	}
	*st = mc_escpos_status_state(&s);
	return 0;
}

static int usb_status(void *priv, enum mc_escpos_state *st, char *err, size_t errlen)
{
	struct usb_printer *p = priv;
	bool answered;

	if (ensure_open(p, err, errlen) < 0)
		return -1;
	return ask_state(p, st, &answered, err, errlen);
}

static int usb_print(void *priv, const uint8_t *data, size_t len, const struct mc_raster *preview,
		     enum mc_escpos_state *st, size_t *sent, char *err, size_t errlen)
{
	struct usb_printer *p = priv;
	bool answered, after;

	if (ensure_open(p, err, errlen) < 0)
		return -1;
	if (ask_state(p, st, &answered, err, errlen) < 0)
		return -1;
	if (answered && !mc_escpos_state_can_print(*st)) {
		snprintf(err, errlen, "%s", mc_escpos_state_text(*st));
		return -1;
	}
	int r = mc_usb_write_all(p->u, p->h, p->m.ep_out, data, len, p->timeout_ms, sent);
	if (r)
		return usb_fail(p, r, *sent ? "mất kết nối giữa chừng (transfer broke off)" :
				"máy in không nhận dữ liệu (printer takes no data)", err, errlen);
	if (answered) {
		enum mc_escpos_state st2;
		if (ask_state(p, &st2, &after, err, errlen) < 0)
			return -1;
		*st = after ? st2 : MC_ESCPOS_UNKNOWN;
		if (!after || !mc_escpos_state_can_print(st2)) {
			snprintf(err, errlen, "%s", after ? mc_escpos_state_text(st2) :
				 "máy in không trả lời sau khi in (no status after the job)");
			return -1;
		}
	}
	return 0;
}

static void usb_forget(void *priv)
{
	struct usb_printer *p = priv;

	mc_escpos_answers_forget(&p->ans);
}

static void usb_close(void *priv)
{
	struct usb_printer *p = priv;

	if (!p)
		return;
	drop_handle(p);
	if (p->hotplug)
		p->u->hotplug_deregister_callback(p->ctx, p->hp);
	if (p->ctx)
		p->u->exit(p->ctx);
	free(p);
}

const struct mc_printer_ops mc_printer_usb_ops = {
	.version = 1,
	.scheme = "usb",
	.open = usb_open,
	.status = usb_status,
	.print = usb_print,
	.close = usb_close,
	.forget = usb_forget,
};
