#!/bin/sh
# gadget.sh up|unplug|plug|stick-in IMAGE|stick-out — a USB thermal printer made by the kernel:
# dummy_hcd (a virtual host + device controller) and the configfs printer
# function, with the vendor/product ids of a common 80 mm ESC/POS printer
# (0416:5011); and snd-aloop, the sound card whose far end a scenario
# records. Unplug writes "" to UDC, plug binds it again.
set -e
G=/sys/kernel/config/usb_gadget/lab-printer
case "$1" in
up)
	modprobe -a libcomposite usb_f_printer usb_f_mass_storage snd-aloop
	modprobe dummy_hcd num=2
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
	echo dummy_udc.0 >"$G/UDC"
	for _ in $(seq 100); do [ -e /dev/g_printer0 ] && break; sleep 0.1; done
	udevadm settle || true
	;;
unplug) echo "" >"$G/UDC" ;;
plug) echo dummy_udc.0 >"$G/UDC"; udevadm settle || true ;;
stick-in) # IMAGE: a USB stick (mass-storage gadget) on the second controller
	S=/sys/kernel/config/usb_gadget/lab-stick
	mkdir -p "$S/strings/0x409" "$S/functions/mass_storage.usb0" "$S/configs/c.1/strings/0x409"
	echo 0x0781 >"$S/idVendor"
	echo 0x5567 >"$S/idProduct"
	echo "Lab" >"$S/strings/0x409/manufacturer"
	echo "Technician stick" >"$S/strings/0x409/product"
	echo "STICK0001" >"$S/strings/0x409/serialnumber"
	echo 1 >"$S/functions/mass_storage.usb0/lun.0/removable"
	echo 1 >"$S/functions/mass_storage.usb0/lun.0/ro"
	echo "$2" >"$S/functions/mass_storage.usb0/lun.0/file"
	echo "stick" >"$S/configs/c.1/strings/0x409/configuration"
	[ -e "$S/configs/c.1/mass_storage.usb0" ] || ln -s "$S/functions/mass_storage.usb0" "$S/configs/c.1/"
	echo dummy_udc.1 >"$S/UDC"
	udevadm settle || true
	;;
stick-out) echo "" >/sys/kernel/config/usb_gadget/lab-stick/UDC; udevadm settle || true ;;
*) echo "usage: gadget.sh up|unplug|plug|stick-in IMAGE|stick-out" >&2; exit 2 ;;
esac
