/* printer-usb.h — the seam of the USB transport: the libusb-1.0 calls it
 * makes, as a table, so tests can put a fake device behind them, and the
 * pure pieces (interface matching, the write loop) they test directly. */
#ifndef MC_PRINTER_USB_H
#define MC_PRINTER_USB_H

#include <libusb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The libusb calls printer-usb.c makes, with libusb's signatures. */
struct mc_usb_ops {
	int (*init)(libusb_context **ctx);                 /* libusb_init */
	void (*exit)(libusb_context *ctx);                 /* libusb_exit */
	ssize_t (*get_device_list)(libusb_context *ctx, libusb_device ***list); /* enumerate */
	void (*free_device_list)(libusb_device **list, int unref); /* after enumerating */
	int (*get_device_descriptor)(libusb_device *dev, struct libusb_device_descriptor *desc); /* ids */
	int (*get_active_config_descriptor)(libusb_device *dev, struct libusb_config_descriptor **cfg); /* interfaces */
	void (*free_config_descriptor)(struct libusb_config_descriptor *cfg); /* releases it */
	int (*open)(libusb_device *dev, libusb_device_handle **h); /* libusb_open */
	void (*close)(libusb_device_handle *h);            /* libusb_close */
	int (*set_auto_detach_kernel_driver)(libusb_device_handle *h, int enable); /* usblp off */
	int (*claim_interface)(libusb_device_handle *h, int iface);   /* take the printer */
	int (*release_interface)(libusb_device_handle *h, int iface); /* give it back */
	int (*bulk_transfer)(libusb_device_handle *h, unsigned char ep, unsigned char *data, int len,
			     int *transferred, unsigned int timeout);   /* data and status */
	int (*has_capability)(uint32_t cap);               /* hotplug supported? */
	int (*hotplug_register_callback)(libusb_context *ctx, int events, int flags, int vendor_id,
					 int product_id, int dev_class, libusb_hotplug_callback_fn cb,
					 void *user_data, libusb_hotplug_callback_handle *handle); /* arrivals, departures */
	void (*hotplug_deregister_callback)(libusb_context *ctx, libusb_hotplug_callback_handle handle); /* at close */
	int (*handle_events_timeout_completed)(libusb_context *ctx, struct timeval *tv, int *completed); /* runs hotplug callbacks */
};

/* The real libusb. */
extern const struct mc_usb_ops mc_usb_libusb_ops;

/* A printer interface found in a configuration. */
struct mc_usb_match {
	int iface;        /* bInterfaceNumber */
	int alt;          /* bAlternateSetting */
	uint8_t ep_out;   /* bulk OUT endpoint address */
	uint8_t ep_in;    /* bulk IN endpoint address (0: none) */
	int iface_class;  /* bInterfaceClass */
};

/* Finds the printer interface of cfg: class 7 (printer) with a bulk OUT
 * endpoint, preferring one with a bulk IN too; with any_class, a vendor
 * class (0xFF) interface with a bulk OUT also counts (Epson 04b8:0202).
 * Returns 0 with *m filled, or -1 if none. */
int mc_usb_match_config(const struct libusb_config_descriptor *cfg, bool any_class,
			struct mc_usb_match *m);

/* Writes all of data to ep through ops->bulk_transfer, looping on partial
 * writes (a timeout that moved some bytes is progress, not failure).
 * Returns 0, or a LIBUSB_ERROR_* code; *sent receives the bytes accepted. */
int mc_usb_write_all(const struct mc_usb_ops *ops, libusb_device_handle *h, uint8_t ep,
		     const uint8_t *data, size_t len, unsigned int timeout_ms, size_t *sent);

/* Parses the part after "usb:": "auto" or "VID:PID" in hex. Returns 0 with
 * vid/pid (-1 for auto), or -1. */
int mc_usb_parse(const char *arg, int *vid, int *pid);

#endif
