/* rauc-client.c — the RAUC D-Bus client (see rauc-client.h). */
#include "rauc-client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define RAUC_NAME "de.pengutronix.rauc"
#define RAUC_IFACE "de.pengutronix.rauc.Installer"
#define RAUC_INFO_TIMEOUT_US (10ULL * 60 * 1000000)  /* Info: 10 minutes (below) */

struct rauc_client {
	sd_bus *bus;             /* the system bus (or DBUS_SYSTEM_BUS_ADDRESS) */
};

/* An install in progress, for the signal handlers. */
struct install {
	void (*progress)(int percent, const char *msg, void *ctx);
	void *ctx;
	bool done;               /* Completed arrived */
	int result;              /* its result, 0 = success */
	int last_pct;            /* last progress reported */
	char last_msg[256];
};

static void set_err(char *err, size_t len, const sd_bus_error *e, int r, const char *what)
{
	snprintf(err, len, "%s: %s", what, e && e->message ? e->message : strerror(r < 0 ? -r : r));
}

/* Whether a file may exist: only a file that is surely absent (ENOENT,
 * ENOTDIR) is not; one kioskd may not look at (EACCES: a root-only
 * /etc/rauc) may well be there. */
static bool may_exist(const char *path)
{
	return access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

/* Whether RAUC may have a system.conf where it looks for one (RAUC's
 * manual, "System Configuration File": /etc/rauc; since RAUC 1.13 also
 * /run/rauc and /usr/lib/rauc). Only when none can be there is RAUC's
 * package taken for a system without A/B slots; a RAUC started with its
 * config elsewhere (--conf) is running by the time anyone asks it.
 * MOTCUA_RAUC_SYSTEM_CONF names the one file to look for instead (tests). */
static bool configured(void)
{
	static const char *const where[] = { "/etc/rauc/system.conf", "/run/rauc/system.conf",
					     "/usr/lib/rauc/system.conf" };
	const char *env = getenv("MOTCUA_RAUC_SYSTEM_CONF");

	if (env && *env)
		return may_exist(env);
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (may_exist(where[i]))
			return true;
	return false;
}

struct rauc_client *rauc_client_open(char *err, size_t errlen)
{
	struct rauc_client *rc = calloc(1, sizeof(*rc));
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r, has = 0;

	if (!rc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r = sd_bus_open_system(&rc->bus);
	if (r < 0) {
		snprintf(err, errlen, "không kết nối được D-Bus hệ thống / cannot reach the system D-Bus: %s",
			 strerror(-r));
		goto err_free;
	}
	r = sd_bus_call_method(rc->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "NameHasOwner", &e, &m, "s", RAUC_NAME);
	if (r >= 0)
		sd_bus_message_read(m, "b", &has);
	bool running = has;
	m = sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	if (!has && sd_bus_call_method(rc->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				       "org.freedesktop.DBus", "ListActivatableNames", &e, &m, "") >= 0 &&
	    sd_bus_message_enter_container(m, 'a', "s") > 0) {
		const char *name;
		while (sd_bus_message_read(m, "s", &name) > 0)
			if (!strcmp(name, RAUC_NAME))
				has = 1;
	}
	sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	if (!has) {
		snprintf(err, errlen, "dịch vụ cập nhật RAUC chưa chạy / the RAUC update service is not running "
			 "(apt install rauc-service; systemctl start rauc)");
		goto err_bus;
	}
	if (!running && !configured()) {
		/* D-Bus would start it, and it would exit at once: a system that
		 * has RAUC's package but is not set up for A/B updates. */
		snprintf(err, errlen, "RAUC đã cài nhưng chưa được cấu hình (không có system.conf) / RAUC is "
			 "installed but not configured (no system.conf in /etc/rauc, /run/rauc or /usr/lib/rauc): "
			 "this system has no A/B slots");
		goto err_bus;
	}
	return rc;

err_bus:
	sd_bus_flush_close_unref(rc->bus);
err_free:
	free(rc);
	return NULL;
}

void rauc_client_free(struct rauc_client *rc)
{
	if (!rc)
		return;
	sd_bus_flush_close_unref(rc->bus);
	free(rc);
}

int rauc_client_prop(struct rauc_client *rc, const char *name, char *buf, size_t len,
		     char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *s = NULL;
	int r = sd_bus_get_property_string(rc->bus, RAUC_NAME, "/", RAUC_IFACE, name, &e, &s);

	if (r < 0) {
		set_err(err, errlen, &e, r, name);
		sd_bus_error_free(&e);
		return -1;
	}
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}

int rauc_client_mark(struct rauc_client *rc, const char *state, const char *which, char *slot, size_t slen,
		     char *msg, size_t mlen, char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *s = "", *t = "";
	int r = sd_bus_call_method(rc->bus, RAUC_NAME, "/", RAUC_IFACE, "Mark", &e, &m, "ss", state, which);

	if (r >= 0)
		r = sd_bus_message_read(m, "ss", &s, &t);
	if (r < 0) {
		set_err(err, errlen, &e, r, "RAUC Mark failed");
	} else {
		snprintf(slot, slen, "%s", s);
		snprintf(msg, mlen, "%s", t);
	}
	sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	return r < 0 ? -1 : 0;
}

int rauc_client_info(struct rauc_client *rc, const char *bundle, char *compat, size_t clen,
		     char *version, size_t vlen, char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	sd_bus_message *req = NULL;
	const char *c = "", *v = "";
	/* Not sd-bus's default 25 s: Info checks the signature over the whole
	 * bundle, which took 47 s for a 200 MB bundle on the lab's USB stick
	 * under TCG (and can on a Pi with a slow stick). */
	int r = sd_bus_message_new_method_call(rc->bus, &req, RAUC_NAME, "/", RAUC_IFACE, "Info");

	if (r >= 0)
		r = sd_bus_message_append(req, "s", bundle);
	if (r >= 0)
		r = sd_bus_call(rc->bus, req, RAUC_INFO_TIMEOUT_US, &e, &m);
	sd_bus_message_unref(req);
	if (r < 0 || (r = sd_bus_message_read(m, "ss", &c, &v)) < 0) {
		set_err(err, errlen, &e, r, "RAUC");
		sd_bus_error_free(&e);
		sd_bus_message_unref(m);
		return -1;
	}
	snprintf(compat, clen, "%s", c);
	snprintf(version, vlen, "%s", v);
	sd_bus_message_unref(m);
	return 0;
}

/* PropertiesChanged on the Installer: pick out Progress (isi). */
static int on_props(sd_bus_message *m, void *ctx, sd_bus_error *ret)
{
	struct install *in = ctx;
	const char *iface, *key;

	(void)ret;
	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, RAUC_IFACE))
		return 0;
	if (sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &key) < 0)
			return 0;
		if (!strcmp(key, "Progress")) {
			int pct, depth;
			const char *msg;
			if (sd_bus_message_read(m, "v", "(isi)", &pct, &msg, &depth) >= 0 &&
			    (pct != in->last_pct || strcmp(msg, in->last_msg))) {
				in->last_pct = pct;
				snprintf(in->last_msg, sizeof(in->last_msg), "%s", msg);
				if (in->progress)
					in->progress(pct, msg, in->ctx);
			}
		} else {
			sd_bus_message_skip(m, "v");
		}
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static int on_completed(sd_bus_message *m, void *ctx, sd_bus_error *ret)
{
	struct install *in = ctx;

	(void)ret;
	if (sd_bus_message_read(m, "i", &in->result) >= 0)
		in->done = true;
	return 0;
}

int rauc_client_install(struct rauc_client *rc, const char *bundle,
			void (*progress)(int percent, const char *msg, void *ctx), void *ctx,
			char *err, size_t errlen)
{
	struct install in = { .progress = progress, .ctx = ctx, .last_pct = -1 };
	sd_bus_slot *s1 = NULL, *s2 = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *req = NULL;
	int r, ret = -1;

	r = sd_bus_match_signal(rc->bus, &s1, RAUC_NAME, "/", "org.freedesktop.DBus.Properties",
				"PropertiesChanged", on_props, &in);
	if (r >= 0)
		r = sd_bus_match_signal(rc->bus, &s2, RAUC_NAME, "/", RAUC_IFACE, "Completed",
					on_completed, &in);
	if (r < 0) {
		set_err(err, errlen, NULL, r, "cannot watch RAUC's progress");
		goto out;
	}
	r = sd_bus_message_new_method_call(rc->bus, &req, RAUC_NAME, "/", RAUC_IFACE, "InstallBundle");
	if (r >= 0)
		r = sd_bus_message_append(req, "s", bundle);
	if (r >= 0)
		r = sd_bus_message_append(req, "a{sv}", 0);
	if (r >= 0)
		r = sd_bus_call(rc->bus, req, 0, &e, NULL);
	if (r < 0) {
		set_err(err, errlen, &e, r, "RAUC refused to start the installation");
		goto out;
	}
	/* Installing takes minutes on a kiosk; wait for Completed. */
	while (!in.done) {
		r = sd_bus_process(rc->bus, NULL);
		if (r < 0) {
			set_err(err, errlen, NULL, r, "lost the D-Bus connection to RAUC");
			goto out;
		}
		if (r > 0)
			continue;
		r = sd_bus_wait(rc->bus, UINT64_MAX);
		if (r < 0 && r != -EINTR) {
			set_err(err, errlen, NULL, r, "lost the D-Bus connection to RAUC");
			goto out;
		}
	}
	if (in.result != 0) {
		char last[1024] = "";
		if (rauc_client_prop(rc, "LastError", last, sizeof(last), err, errlen) < 0)
			goto out;
		snprintf(err, errlen, "%s", last[0] ? last : "installation failed");
		goto out;
	}
	ret = 0;
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(req);
	sd_bus_slot_unref(s1);
	sd_bus_slot_unref(s2);
	return ret;
}

/* Reads one a{sv} of slot facts into obj (strings, integers, booleans). */
static void read_dict(sd_bus_message *m, json_t *obj)
{
	const char *key;

	if (sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
		return;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		char type;
		const char *contents;
		if (sd_bus_message_read(m, "s", &key) < 0 ||
		    sd_bus_message_peek_type(m, &type, &contents) < 0)
			break;
		if (contents && !strcmp(contents, "s")) {
			const char *v;
			sd_bus_message_read(m, "v", "s", &v);
			json_object_set_new(obj, key, json_string(v));
		} else if (contents && !strcmp(contents, "t")) {
			uint64_t v;
			sd_bus_message_read(m, "v", "t", &v);
			json_object_set_new(obj, key, json_integer((json_int_t)v));
		} else if (contents && !strcmp(contents, "u")) {
			uint32_t v;
			sd_bus_message_read(m, "v", "u", &v);
			json_object_set_new(obj, key, json_integer(v));
		} else if (contents && !strcmp(contents, "i")) {
			int32_t v;
			sd_bus_message_read(m, "v", "i", &v);
			json_object_set_new(obj, key, json_integer(v));
		} else if (contents && !strcmp(contents, "b")) {
			int v;
			sd_bus_message_read(m, "v", "b", &v);
			json_object_set_new(obj, key, json_boolean(v));
		} else {
			sd_bus_message_skip(m, "v");
		}
		sd_bus_message_exit_container(m);
	}
	sd_bus_message_exit_container(m);
}

json_t *rauc_client_slots(struct rauc_client *rc, char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	json_t *arr = NULL;
	const char *name;
	int r = sd_bus_call_method(rc->bus, RAUC_NAME, "/", RAUC_IFACE, "GetSlotStatus", &e, &m, "");

	if (r < 0 || sd_bus_message_enter_container(m, 'a', "(sa{sv})") <= 0) {
		set_err(err, errlen, &e, r, "RAUC GetSlotStatus");
		goto out;
	}
	arr = json_array();
	while (sd_bus_message_enter_container(m, 'r', "sa{sv}") > 0) {
		json_t *slot = json_object();
		if (sd_bus_message_read(m, "s", &name) >= 0)
			json_object_set_new(slot, "name", json_string(name));
		read_dict(m, slot);
		json_array_append_new(arr, slot);
		sd_bus_message_exit_container(m);
	}
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	return arr;
}

const char *rauc_explain(const char *e)
{
	if (!e)
		return NULL;
	if (strstr(e, "ompatible"))
		return "Gói cập nhật này dành cho loại máy khác, không cài được "
		       "(the bundle was made for another kind of kiosk: its 'compatible' "
		       "does not match this one)";
	if (strstr(e, "ignature") || strstr(e, "erif") || strstr(e, "ertificate") || strstr(e, "CMS"))
		return "Chữ ký của gói cập nhật không hợp lệ hoặc không do nhà cung cấp tin cậy ký "
		       "(the bundle's signature is not trusted by this kiosk: wrong key or altered file)";
	return NULL;
}
