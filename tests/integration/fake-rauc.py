"""fake-rauc.py — stands in for RAUC's service (de.pengutronix.rauc) on a
private system bus, for tests of what kioskd does around RAUC (the
technician menu's USB-stick update). RAUC itself needs root and loop
devices; pkg-rauc-update tests the real one.

A "bundle" here is a text file of KEY=VALUE lines: compatible=...,
version=..., and optionally fail=MESSAGE (the installation then ends with
that LastError). Info reads it (a file without compatible= is refused like
a bad signature); InstallBundle sends Progress 0, 40, 100 and Completed, and
appends the path it installed to LOGFILE. Prints "ready" once the name is
owned. Usage: DBUS_SYSTEM_BUS_ADDRESS=... fake-rauc.py COMPATIBLE LOGFILE"""
import sys

from gi.repository import Gio, GLib

COMPAT, LOG = sys.argv[1], sys.argv[2]
XML = """<node><interface name='de.pengutronix.rauc.Installer'>
<method name='Info'><arg type='s' direction='in'/><arg type='s' direction='out'/>
<arg type='s' direction='out'/></method>
<method name='InstallBundle'><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/></method>
<method name='Mark'><arg type='s' direction='in'/><arg type='s' direction='in'/>
<arg type='s' direction='out'/><arg type='s' direction='out'/></method>
<signal name='Completed'><arg type='i'/></signal>
<property name='Compatible' type='s' access='read'/>
<property name='LastError' type='s' access='read'/>
<property name='Operation' type='s' access='read'/>
<property name='Progress' type='(isi)' access='read'/>
</interface></node>"""
state = {"last_error": "", "progress": (0, "", 0), "op": "idle"}
bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)


def read_bundle(path):
    facts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                facts[k] = v
    return facts


def progress(pct, msg):
    state["progress"] = (pct, msg, 1)
    bus.emit_signal(None, "/", "org.freedesktop.DBus.Properties", "PropertiesChanged",
                    GLib.Variant("(sa{sv}as)", ("de.pengutronix.rauc.Installer",
                                                {"Progress": GLib.Variant("(isi)", state["progress"])}, [])))


def install(path):
    facts = read_bundle(path)
    steps = [(0, "Installing"), (40, "Checking bundle"), (100, "Installing done.")]

    def step():
        pct, msg = steps.pop(0)
        progress(pct, msg)
        if steps:
            return True
        fail = facts.get("fail")
        state["last_error"] = fail or ""
        if not fail:
            with open(LOG, "a", encoding="utf-8") as f:
                f.write(path + "\n")
        bus.emit_signal(None, "/", "de.pengutronix.rauc.Installer", "Completed",
                        GLib.Variant("(i)", (1 if fail else 0,)))
        state["op"] = "idle"
        return False
    GLib.timeout_add(100, step)


def method_call(conn, sender, path, iface, method, params, inv):
    args = params.unpack()
    if method == "Info":
        try:
            facts = read_bundle(args[0])
        except OSError as e:
            inv.return_dbus_error("org.gtk.GDBus.UnmappedGError.Quark._g_2dfile_2derror_2dquark.Code4",
                                  str(e))
            return
        if "compatible" not in facts:
            inv.return_dbus_error("org.gtk.GDBus.UnmappedGError.Quark._r_2dsignature_2derror_2dquark.Code4",
                                  "signature verification failed: Verify error: self-signed certificate")
            return
        inv.return_value(GLib.Variant("(ss)", (facts["compatible"], facts.get("version", ""))))
    elif method == "InstallBundle":
        if state["op"] != "idle":
            inv.return_dbus_error("org.gtk.GDBus.UnmappedGError.Quark.Code0", "already processing")
            return
        state["op"] = "installing"
        inv.return_value(None)
        install(args[0])
    elif method == "Mark":
        inv.return_value(GLib.Variant("(ss)", ("rootfs.0", "marked slot rootfs.0 as good")))


def get_property(conn, sender, path, iface, name):
    if name == "Compatible":
        return GLib.Variant("s", COMPAT)
    if name == "LastError":
        return GLib.Variant("s", state["last_error"])
    if name == "Operation":
        return GLib.Variant("s", state["op"])
    return GLib.Variant("(isi)", state["progress"])


node = Gio.DBusNodeInfo.new_for_xml(XML)
bus.register_object("/", node.interfaces[0], method_call, get_property, None)
Gio.bus_own_name_on_connection(bus, "de.pengutronix.rauc", Gio.BusNameOwnerFlags.NONE,
                               lambda *a: print("ready", flush=True), None)
GLib.MainLoop().run()
