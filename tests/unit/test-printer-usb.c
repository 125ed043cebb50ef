/* test-printer-usb.c — the USB transport (drivers/printer/printer-usb.c)
 * through its libusb seam: descriptor matching, partial writes, status on
 * bulk IN, auto-detach, unplug and replug. The fake device records what
 * the driver did and fails on demand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "printer-usb.h"
#include "printer.h"

/* ---- descriptors ---- */

static struct libusb_endpoint_descriptor ep(uint8_t addr, uint8_t type)
{
	struct libusb_endpoint_descriptor e;

	memset(&e, 0, sizeof(e));
	e.bEndpointAddress = addr;
	e.bmAttributes = type;
	return e;
}

struct fake_iface {
	struct libusb_endpoint_descriptor eps[4];
	struct libusb_interface_descriptor alt;
	struct libusb_interface itf;
};

static void make_iface(struct fake_iface *f, int number, int cls, int neps,
		       const struct libusb_endpoint_descriptor *eps)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->eps, eps, sizeof(eps[0]) * (size_t)neps);
	f->alt.bInterfaceNumber = (uint8_t)number;
	f->alt.bInterfaceClass = (uint8_t)cls;
	f->alt.bNumEndpoints = (uint8_t)neps;
	f->alt.endpoint = f->eps;
	f->itf.altsetting = &f->alt;
	f->itf.num_altsetting = 1;
}

/* A configuration of up to 3 interfaces. */
struct fake_config {
	struct fake_iface ifs[3];
	struct libusb_interface itfs[3];
	struct libusb_config_descriptor cfg;
};

static void make_config(struct fake_config *c, int n)
{
	for (int i = 0; i < n; i++)
		c->itfs[i] = c->ifs[i].itf, c->itfs[i].altsetting = &c->ifs[i].alt;
	memset(&c->cfg, 0, sizeof(c->cfg));
	c->cfg.bNumInterfaces = (uint8_t)n;
	c->cfg.interface = c->itfs;
}

static void test_match(void **state)
{
	struct fake_config c;
	struct mc_usb_match m;
	struct libusb_endpoint_descriptor hid[] = { ep(0x81, LIBUSB_TRANSFER_TYPE_INTERRUPT) };
	struct libusb_endpoint_descriptor out_only[] = { ep(0x03, LIBUSB_TRANSFER_TYPE_BULK) };
	struct libusb_endpoint_descriptor both[] = { ep(0x86, LIBUSB_TRANSFER_TYPE_BULK),
						      ep(0x02, LIBUSB_TRANSFER_TYPE_BULK) };
	struct libusb_endpoint_descriptor in_only[] = { ep(0x81, LIBUSB_TRANSFER_TYPE_BULK) };

	/* HID keyboard + printer interface (OUT only) + printer with OUT+IN. */
	make_iface(&c.ifs[0], 0, LIBUSB_CLASS_HID, 1, hid);
	make_iface(&c.ifs[1], 1, LIBUSB_CLASS_PRINTER, 1, out_only);
	make_iface(&c.ifs[2], 2, LIBUSB_CLASS_PRINTER, 2, both);
	make_config(&c, 3);
	assert_int_equal(mc_usb_match_config(&c.cfg, false, &m), 0);
	assert_int_equal(m.iface, 2);
	assert_int_equal(m.ep_out, 0x02);
	assert_int_equal(m.ep_in, 0x86);

	/* Only the OUT-only printer interface: taken, no IN. */
	make_config(&c, 2);
	assert_int_equal(mc_usb_match_config(&c.cfg, false, &m), 0);
	assert_int_equal(m.iface, 1);
	assert_int_equal(m.ep_out, 0x03);
	assert_int_equal(m.ep_in, 0);

	/* A printer interface with no bulk OUT is useless. */
	make_iface(&c.ifs[1], 1, LIBUSB_CLASS_PRINTER, 1, in_only);
	make_config(&c, 2);
	assert_int_equal(mc_usb_match_config(&c.cfg, false, &m), -1);

	/* Vendor class (Epson 04b8:0202) counts only when asked by VID:PID. */
	make_iface(&c.ifs[0], 0, LIBUSB_CLASS_VENDOR_SPEC, 2, both);
	make_config(&c, 1);
	assert_int_equal(mc_usb_match_config(&c.cfg, false, &m), -1);
	assert_int_equal(mc_usb_match_config(&c.cfg, true, &m), 0);
	assert_int_equal(m.ep_out, 0x02);
	assert_int_equal(mc_usb_match_config(NULL, true, &m), -1);
}

static void test_parse(void **state)
{
	int v, p;

	assert_int_equal(mc_usb_parse("auto", &v, &p), 0);
	assert_int_equal(v, -1);
	assert_int_equal(mc_usb_parse("0416:5011", &v, &p), 0);
	assert_int_equal(v, 0x0416);
	assert_int_equal(p, 0x5011);
	assert_int_equal(mc_usb_parse("04b8:0E03", &v, &p), 0);
	assert_int_equal(p, 0x0e03);
	assert_int_equal(mc_usb_parse("416:5011", &v, &p), -1);
	assert_int_equal(mc_usb_parse("0416:50111", &v, &p), -1);
	assert_int_equal(mc_usb_parse("zzzz:5011", &v, &p), -1);
	assert_int_equal(mc_usb_parse("", &v, &p), -1);
}

/* ---- the fake libusb ---- */

/* One fake device: ids, a configuration, and its behaviour. */
struct fake_dev {
	int vid, pid;
	struct fake_config conf;
	bool present;
};

/* The fake's whole world (tests are sequential; reset per test). */
static struct world {
	struct fake_dev devs[2];
	int ndev;
	uint8_t written[200000];     /* bytes on the OUT endpoint (data only) */
	size_t nwritten;
	int per_call;                /* most bytes accepted per transfer */
	int stall_after;             /* after this many bytes accept nothing (-1: never) */
	bool unplug_now;             /* next OUT transfer: device gone */
	uint8_t status_reply;        /* answer to DLE EOT 4 (0: no answers at all) */
	uint8_t pending_reply[8];    /* bytes waiting on the IN endpoint */
	int npending;
	int opens, closes, claims, detach, queries, hotplug_regs, inits, exits;
	int claimed_iface;
	uint8_t out_ep;
} W;

static int f_init(libusb_context **ctx) { W.inits++; *ctx = (libusb_context *)&W; return 0; }
static void f_exit(libusb_context *ctx) { W.exits++; }
static ssize_t f_list(libusb_context *ctx, libusb_device ***list)
{
	libusb_device **l = calloc(3, sizeof(*l));
	ssize_t n = 0;

	for (int i = 0; i < W.ndev; i++)
		if (W.devs[i].present)
			l[n++] = (libusb_device *)&W.devs[i];
	*list = l;
	return n;
}
static void f_free_list(libusb_device **list, int unref) { free(list); }
static int f_desc(libusb_device *dev, struct libusb_device_descriptor *d)
{
	struct fake_dev *f = (struct fake_dev *)dev;

	memset(d, 0, sizeof(*d));
	d->idVendor = (uint16_t)f->vid;
	d->idProduct = (uint16_t)f->pid;
	return 0;
}
static int f_cfg(libusb_device *dev, struct libusb_config_descriptor **cfg)
{
	*cfg = &((struct fake_dev *)dev)->conf.cfg;
	return 0;
}
static void f_free_cfg(struct libusb_config_descriptor *cfg) {}
static int f_open(libusb_device *dev, libusb_device_handle **h)
{
	W.opens++;
	*h = (libusb_device_handle *)dev;
	return 0;
}
static void f_close(libusb_device_handle *h) { W.closes++; }
static int f_detach(libusb_device_handle *h, int en) { W.detach += en; return 0; }
static int f_claim(libusb_device_handle *h, int i) { W.claims++; W.claimed_iface = i; return 0; }
static int f_release(libusb_device_handle *h, int i) { return 0; }

static int f_bulk(libusb_device_handle *h, unsigned char epa, unsigned char *data, int len,
		  int *transferred, unsigned int timeout)
{
	struct fake_dev *f = (struct fake_dev *)h;

	*transferred = 0;
	if (!f->present)
		return LIBUSB_ERROR_NO_DEVICE;
	if (epa & LIBUSB_ENDPOINT_IN) {
		if (!W.npending)
			return LIBUSB_ERROR_TIMEOUT;
		memcpy(data, W.pending_reply, (size_t)W.npending);
		*transferred = W.npending;
		W.npending = 0;
		return 0;
	}
	W.out_ep = epa;
	if (W.unplug_now) {
		W.unplug_now = false;
		f->present = false;
		return LIBUSB_ERROR_NO_DEVICE;
	}
	if (len == 3 && data[0] == 0x10 && data[1] == 0x04) {
		W.queries++;
		/* Queries 1..3 answer "fine" unless paper is out (0x72). */
		if (W.status_reply)
			W.pending_reply[W.npending++] = data[2] == 4 ? W.status_reply :
				W.status_reply == 0x72 && data[2] == 2 ? 0x32 : 0x12;
		*transferred = 3;
		return 0;
	}
	int room = W.stall_after < 0 ? len : W.stall_after - (int)W.nwritten;
	int n = len < W.per_call ? len : W.per_call;
	if (n > room)
		n = room < 0 ? 0 : room;
	memcpy(W.written + W.nwritten, data, (size_t)n);
	W.nwritten += (size_t)n;
	*transferred = n;
	return n < len ? LIBUSB_ERROR_TIMEOUT : 0;
}
static int f_cap(uint32_t cap) { return cap == LIBUSB_CAP_HAS_HOTPLUG; }
static int f_hp_reg(libusb_context *ctx, int ev, int fl, int v, int p, int c,
		    libusb_hotplug_callback_fn cb, void *u, libusb_hotplug_callback_handle *h)
{
	W.hotplug_regs++;
	*h = 1;
	return 0;
}
static void f_hp_dereg(libusb_context *ctx, libusb_hotplug_callback_handle h) {}
static int f_events(libusb_context *ctx, struct timeval *tv, int *c) { return 0; }

static const struct mc_usb_ops fake_ops = {
	f_init, f_exit, f_list, f_free_list, f_desc, f_cfg, f_free_cfg, f_open, f_close, f_detach,
	f_claim, f_release, f_bulk, f_cap, f_hp_reg, f_hp_dereg, f_events,
};

static int setup(void **state)
{
	static const struct libusb_endpoint_descriptor kbd[] = { { .bEndpointAddress = 0x81,
		.bmAttributes = LIBUSB_TRANSFER_TYPE_INTERRUPT } };
	struct libusb_endpoint_descriptor pr[] = { ep(0x82, LIBUSB_TRANSFER_TYPE_BULK),
						    ep(0x01, LIBUSB_TRANSFER_TYPE_BULK) };

	memset(&W, 0, sizeof(W));
	W.ndev = 2;
	/* A keyboard first, then an Xprinter 0416:5011 with interface 0. */
	W.devs[0] = (struct fake_dev){ .vid = 0x046d, .pid = 0xc31c, .present = true };
	make_iface(&W.devs[0].conf.ifs[0], 0, LIBUSB_CLASS_HID, 1, kbd);
	make_config(&W.devs[0].conf, 1);
	W.devs[1] = (struct fake_dev){ .vid = 0x0416, .pid = 0x5011, .present = true };
	make_iface(&W.devs[1].conf.ifs[0], 0, LIBUSB_CLASS_PRINTER, 2, pr);
	make_config(&W.devs[1].conf, 1);
	W.per_call = 1000;
	W.stall_after = -1;
	W.status_reply = 0x12;
	return 0;
}

static struct mc_printer *open_fake(const char *uri)
{
	struct mc_printer_options o = { .timeout_ms = 200, .usb = &fake_ops };
	char err[256];
	struct mc_printer *p = mc_printer_open(uri, &o, err, sizeof(err));

	assert_non_null(p);
	return p;
}

static void test_write_all_partial(void **state)
{
	uint8_t data[10007];
	size_t sent;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	W.per_call = 333;  /* every transfer times out after 333 bytes */
	assert_int_equal(mc_usb_write_all(&fake_ops, (libusb_device_handle *)&W.devs[1], 0x01, data,
					  sizeof(data), 100, &sent), 0);
	assert_int_equal(sent, sizeof(data));
	assert_int_equal(W.nwritten, sizeof(data));
	assert_memory_equal(W.written, data, sizeof(data));

	/* No progress at all is a failure, with the count so far. */
	W.nwritten = 0;
	W.stall_after = 500;
	assert_int_equal(mc_usb_write_all(&fake_ops, (libusb_device_handle *)&W.devs[1], 0x01, data,
					  sizeof(data), 100, &sent), LIBUSB_ERROR_TIMEOUT);
	assert_int_equal(sent, 500);
}

static void test_print_and_status(void **state)
{
	struct mc_printer *p = open_fake("usb:auto");
	uint8_t job[5000];
	enum mc_escpos_state st;
	size_t sent;
	char err[256];

	for (size_t i = 0; i < sizeof(job); i++)
		job[i] = (uint8_t)(i ^ 0x5a);
	/* Nothing touches the device before the first call. */
	assert_int_equal(W.opens, 0);
	W.per_call = 64;
	assert_int_equal(mc_printer_print(p, job, sizeof(job), NULL, &st, &sent, err, sizeof(err)), 0);
	assert_int_equal(st, MC_ESCPOS_READY);
	assert_int_equal(sent, sizeof(job));
	assert_memory_equal(W.written, job, sizeof(job));
	assert_int_equal(W.out_ep, 0x01);     /* from the descriptor, not guessed */
	assert_int_equal(W.opens, 1);         /* the keyboard was skipped */
	assert_int_equal(W.claimed_iface, 0);
	assert_int_equal(W.detach, 1);        /* usblp detached automatically */
	assert_int_equal(W.hotplug_regs, 1);
	assert_true(W.queries >= 3);          /* status before and after */

	/* Paper near end: still prints. Paper out: refused before any byte. */
	W.status_reply = 0x1e;
	assert_int_equal(mc_printer_status(p, &st, err, sizeof(err)), 0);
	assert_int_equal(st, MC_ESCPOS_NEAR_END);
	W.status_reply = 0x72;
	W.nwritten = 0;
	assert_int_equal(mc_printer_print(p, job, sizeof(job), NULL, &st, &sent, err, sizeof(err)), -1);
	assert_int_equal(st, MC_ESCPOS_PAPER_OUT);
	assert_int_equal(W.nwritten, 0);
	assert_int_equal(W.opens, 1);         /* one open for all of it */
	mc_printer_close(p);
	assert_int_equal(W.closes, 1);
	assert_int_equal(W.exits, 1);
}

static void test_unplug_replug(void **state)
{
	struct mc_printer *p = open_fake("usb:0416:5011");
	uint8_t job[100] = { 1, 2, 3 };
	enum mc_escpos_state st;
	size_t sent;
	char err[256];

	assert_int_equal(mc_printer_print(p, job, sizeof(job), NULL, &st, &sent, err, sizeof(err)), 0);
	/* Pulled out in the middle of the next job. */
	W.unplug_now = true;
	W.status_reply = 0;  /* and a printer without status answers */
	assert_int_equal(mc_printer_print(p, job, sizeof(job), NULL, &st, &sent, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NO_DEVICE"));
	/* While it is away: a clear error, no crash. */
	assert_int_equal(mc_printer_status(p, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "USB"));
	/* Plugged back in: found again, reopened. */
	W.devs[1].present = true;
	W.nwritten = 0;
	assert_int_equal(mc_printer_print(p, job, sizeof(job), NULL, &st, &sent, err, sizeof(err)), 0);
	assert_int_equal(st, MC_ESCPOS_UNKNOWN);  /* no status answers: printed, state unknown */
	assert_int_equal(W.nwritten, sizeof(job));
	assert_int_equal(W.opens, 2);
	mc_printer_close(p);
}

static void test_wrong_ids(void **state)
{
	struct mc_printer *p = open_fake("usb:04b8:0202");
	enum mc_escpos_state st;
	char err[256];
	struct mc_printer_options o = { .timeout_ms = 200, .usb = &fake_ops };

	assert_int_equal(mc_printer_status(p, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no USB printer found"));
	assert_int_equal(W.opens, 0);
	mc_printer_close(p);
	assert_null(mc_printer_open("usb:bogus", &o, err, sizeof(err)));
	assert_non_null(strstr(err, "usb:VID:PID"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup(test_write_all_partial, setup),
		cmocka_unit_test_setup(test_print_and_status, setup),
		cmocka_unit_test_setup(test_unplug_replug, setup),
		cmocka_unit_test_setup(test_wrong_ids, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
