"""fake-timedated.py — stands in for systemd-timedated on a private system
bus in tests: owns org.freedesktop.timedate1 and answers its
NTPSynchronized property from a file (1 = synchronised), read on every Get,
so a test flips it by rewriting the file. Prints "ready" once the name is
owned. Usage: DBUS_SYSTEM_BUS_ADDRESS=... fake-timedated.py FLAGFILE"""
import sys

from gi.repository import Gio, GLib

XML = """<node><interface name='org.freedesktop.timedate1'>
<property name='NTPSynchronized' type='b' access='read'/></interface></node>"""


def get_property(conn, sender, path, iface, name):
    with open(sys.argv[1]) as f:
        return GLib.Variant("b", f.read().strip() == "1")


bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
node = Gio.DBusNodeInfo.new_for_xml(XML)
bus.register_object("/org/freedesktop/timedate1", node.interfaces[0], None, get_property, None)
Gio.bus_own_name_on_connection(bus, "org.freedesktop.timedate1", Gio.BusNameOwnerFlags.NONE,
                               lambda *a: print("ready", flush=True), None)
GLib.MainLoop().run()
