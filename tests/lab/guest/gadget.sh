#!/bin/sh
# gadget.sh up|unplug|plug — a USB thermal printer made by the kernel:
# dummy_hcd (a virtual host + device controller) and the configfs printer
# function, with the vendor/product ids of a common 80 mm ESC/POS printer
# (0416:5011); and snd-aloop, the sound card whose far end a scenario
# records. Unplug writes "" to UDC, plug binds it again.
set -e
G=/sys/kernel/config/usb_gadget/lab-printer
case "$1" in
up)
	modprobe -a libcomposite dummy_hcd usb_f_printer snd-aloop
	mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
	mkdir -p "$G"
	echo 0x0416 >"$G/idVendor"
	echo 0x5011 >"$G/idProduct"
	echo 0x0200 >"$G/bcdUSB"
	mkdir -p "$G/strings/0x409"
	echo "Winbond Electronics" >"$G/strings/0x409/manufacturer"
	echo "POS80 Printer" >"$G/strings/0x409/product"
	echo "LAB0001" >"$G/strings/0x409/serialnumber"
	mkdir -p "$G/functions/printer.usb0"
	echo "MFG:POS80;MDL:POS80 Printer;CMD:ESC/POS;CLS:PRINTER;" >"$G/functions/printer.usb0/pnp_string"
	echo 10 >"$G/functions/printer.usb0/q_len"
	mkdir -p "$G/configs/c.1/strings/0x409"
	echo "printer" >"$G/configs/c.1/strings/0x409/configuration"
	echo 100 >"$G/configs/c.1/MaxPower"
	[ -e "$G/configs/c.1/printer.usb0" ] || ln -s "$G/functions/printer.usb0" "$G/configs/c.1/"
	ls /sys/class/udc | head -1 >"$G/UDC"
	for _ in $(seq 100); do [ -e /dev/g_printer0 ] && break; sleep 0.1; done
	udevadm settle || true
	;;
unplug) echo "" >"$G/UDC" ;;
plug) ls /sys/class/udc | head -1 >"$G/UDC"; udevadm settle || true ;;
*) echo "usage: gadget.sh up|unplug|plug" >&2; exit 2 ;;
esac
