/* regs.c — counter bus protocol v1: key codes, presses, display image (see regs.h). */
#include "regs.h"

#include <string.h>

enum mc_bus_key mc_bus_key_decode(uint16_t code, int *arg)
{
	unsigned hi = code >> 8, lo = code & 0xffu;

	*arg = 0;
	if (hi == 0 && lo >= 1 && lo <= 6)
		return (enum mc_bus_key)(MC_BUS_KEY_NEXT + (int)lo - 1);
	if (hi == 1 && lo >= 1) {
		*arg = (int)lo;
		return MC_BUS_KEY_TRANSFER;
	}
	if (hi == 2 && lo >= 1 && lo <= 5) {
		*arg = (int)lo;
		return MC_BUS_KEY_RATE;
	}
	if (hi == 3) {
		*arg = (int)lo;
		return lo ? MC_BUS_KEY_LOGIN : MC_BUS_KEY_LOGOUT;
	}
	return MC_BUS_KEY_UNKNOWN;
}

uint16_t mc_bus_key_encode(enum mc_bus_key key, int arg)
{
	switch (key) {
	case MC_BUS_KEY_NEXT:
	case MC_BUS_KEY_RECALL:
	case MC_BUS_KEY_NOSHOW:
	case MC_BUS_KEY_FINISH:
	case MC_BUS_KEY_PAUSE:
	case MC_BUS_KEY_PRIORITY:
		return (uint16_t)(key - MC_BUS_KEY_NEXT + 1);
	case MC_BUS_KEY_TRANSFER:
		return arg >= 1 && arg <= 255 ? (uint16_t)(0x0100 + arg) : 0;
	case MC_BUS_KEY_RATE:
		return arg >= 1 && arg <= 5 ? (uint16_t)(0x0200 + arg) : 0;
	case MC_BUS_KEY_LOGIN:
		return arg >= 1 && arg <= 255 ? (uint16_t)(0x0300 + arg) : 0;
	case MC_BUS_KEY_LOGOUT:
		return 0x0300;
	case MC_BUS_KEY_UNKNOWN:
		break;
	}
	return 0;
}

const char *mc_bus_key_name(enum mc_bus_key key)
{
	static const char *const names[] = {
		"unknown", "next", "recall", "noshow", "finish", "pause", "priority-next",
		"transfer", "rate", "login", "logout",
	};

	return (unsigned)key < sizeof(names) / sizeof(names[0]) ? names[key] : "unknown";
}

/* New presses between last and seq: the 16-bit difference, or, when that
 * is above 32768 (the sequence stepped back), the unit's new sequence
 * counted from its restart at 0. */
static unsigned new_presses(uint16_t last, uint16_t seq, bool *restart)
{
	unsigned d = (uint16_t)(seq - last);

	*restart = d > MC_BUS_RESTART_STEP;
	return *restart ? seq : d;
}

void mc_bus_presses_decode(uint16_t last, const uint16_t *regs, int nregs,
			   struct mc_bus_presses *out)
{
	bool restart;
	unsigned d = new_presses(last, regs[MC_BUS_REG_SEQ], &restart);
	unsigned have = d > MC_BUS_NCODES ? MC_BUS_NCODES : d;

	memset(out, 0, sizeof(*out));
	out->seq = regs[MC_BUS_REG_SEQ];
	out->restart = restart;
	out->lost = d - have;
	/* regs[1] is the newest press, regs[have] the oldest of the new ones. */
	for (unsigned i = have; i >= 1; i--)
		if ((int)i < nregs)
			out->codes[out->n++] = regs[i];
}

int mc_bus_regs_needed(uint16_t last, uint16_t seq)
{
	bool restart;
	unsigned d = new_presses(last, seq, &restart);

	return 1 + (int)(d > MC_BUS_NCODES ? MC_BUS_NCODES : d);
}

void mc_bus_display_encode(const struct mc_bus_display *d, uint16_t regs[MC_BUS_NHOLD])
{
	uint8_t text[MC_BUS_TEXT];
	size_t n = strnlen(d->text, MC_BUS_TEXT);

	memset(text, ' ', sizeof(text));
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)d->text[i];
		text[i] = c >= 0x20 && c <= 0x7e ? c : '?';
	}
	for (int i = 0; i < MC_BUS_TEXT / 2; i++)
		regs[MC_BUS_REG_TEXT + i] = (uint16_t)(text[2 * i] << 8 | text[2 * i + 1]);
	regs[MC_BUS_REG_WAITING] = (uint16_t)(d->waiting > 0xffffu ? 0xffffu : d->waiting);
	regs[MC_BUS_REG_FLAGS] = (uint16_t)((d->blink ? MC_BUS_FLAG_BLINK : 0u) |
					    (d->paused ? MC_BUS_FLAG_PAUSED : 0u));
	regs[MC_BUS_REG_BRIGHTNESS] = (uint16_t)(d->brightness > 15 ? 15 : d->brightness);
}

void mc_bus_display_decode(const uint16_t regs[MC_BUS_NHOLD], struct mc_bus_display *d)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < MC_BUS_TEXT / 2; i++) {
		d->text[2 * i] = (char)(regs[MC_BUS_REG_TEXT + i] >> 8);
		d->text[2 * i + 1] = (char)(regs[MC_BUS_REG_TEXT + i] & 0xff);
	}
	d->waiting = regs[MC_BUS_REG_WAITING];
	d->blink = regs[MC_BUS_REG_FLAGS] & MC_BUS_FLAG_BLINK;
	d->paused = regs[MC_BUS_REG_FLAGS] & MC_BUS_FLAG_PAUSED;
	d->brightness = regs[MC_BUS_REG_BRIGHTNESS];
}

bool mc_bus_display_diff(const uint16_t *old, const uint16_t new_regs[MC_BUS_NHOLD],
			 int *first, int *count)
{
	int lo = -1, hi = -1;

	for (int i = 0; i < MC_BUS_NHOLD; i++)
		if (!old || old[i] != new_regs[i]) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
	*first = lo < 0 ? 0 : lo;
	*count = lo < 0 ? 0 : hi - lo + 1;
	return lo >= 0;
}

uint16_t mc_bus_crc16(const uint8_t *buf, size_t len)
{
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xa001u) : (uint16_t)(crc >> 1);
	}
	return crc;
}
