/* regs.h — the counter bus protocol v1 (DESIGN.md §5) as pure functions:
 * key codes, the input-register sequence decoder, and the display register
 * image with its write diff. No I/O; the bus worker (bus.h) and the unit
 * simulator (tools/unitsim) both build on this. */
#ifndef MC_BUS_REGS_H
#define MC_BUS_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_BUS_NINPUT 9          /* input registers: sequence + 8 codes */
#define MC_BUS_NHOLD 7           /* holding registers: text, waiting, flags, brightness */
#define MC_BUS_NCODES 8          /* key codes a unit remembers */
#define MC_BUS_TEXT 8            /* display characters */

#define MC_BUS_REG_SEQ 0         /* input: key event sequence */
#define MC_BUS_REG_TEXT 0        /* holding: first text register (4 of them) */
#define MC_BUS_REG_WAITING 4     /* holding: tickets waiting */
#define MC_BUS_REG_FLAGS 5       /* holding: flags */
#define MC_BUS_REG_BRIGHTNESS 6  /* holding: brightness 0..15 */

#define MC_BUS_FLAG_BLINK 0x0001u  /* a new call: the display blinks */
#define MC_BUS_FLAG_PAUSED 0x0002u /* the counter is paused */

/* What a key code means. */
enum mc_bus_key {
	MC_BUS_KEY_UNKNOWN = 0,  /* not in protocol v1: logged and ignored */
	MC_BUS_KEY_NEXT,         /* code 1 */
	MC_BUS_KEY_RECALL,       /* code 2 */
	MC_BUS_KEY_NOSHOW,       /* code 3 */
	MC_BUS_KEY_FINISH,       /* code 4 */
	MC_BUS_KEY_PAUSE,        /* code 5: pause or resume */
	MC_BUS_KEY_PRIORITY,     /* code 6: call the next priority ticket */
	MC_BUS_KEY_TRANSFER,     /* 0x0100+n: transfer to service n (1-based) */
	MC_BUS_KEY_RATE,         /* 0x0200+r: rating r, 1..5, best first (the kiosk checks r against its scale) */
	MC_BUS_KEY_LOGIN,        /* 0x0300+k: clerk k, 1..255, logs in */
	MC_BUS_KEY_LOGOUT,       /* 0x0300: the clerk logs out */
};

/* Decodes a key code; *arg receives n, r or k (0 for keys without one).
 * Codes outside v1 (0, 7, 0x0100, 0x0205, 0x0400, ...) give UNKNOWN. */
enum mc_bus_key mc_bus_key_decode(uint16_t code, int *arg);
/* The code of key with arg (inverse of decode); 0 if key/arg is invalid. */
uint16_t mc_bus_key_encode(enum mc_bus_key key, int arg);
/* A short English name ("next", "transfer", ...). Static string. */
const char *mc_bus_key_name(enum mc_bus_key key);

/* New presses found in one read of a unit's input registers. */
struct mc_bus_presses {
	uint16_t codes[MC_BUS_NCODES]; /* the new presses, oldest first */
	int n;                   /* how many are in codes */
	unsigned lost;           /* presses beyond the 8 remembered: lost */
	uint16_t seq;            /* the sequence read: remember it for next time */
	bool restart;            /* the sequence stepped back: the unit restarted */
};

/* A step back of the sequence larger than this (16-bit difference above
 * 32768) is a unit restart, not 65,000 presses. */
#define MC_BUS_RESTART_STEP 32768u

/* Decodes regs[0..nregs-1] (registers 0.. of the input block, nregs ≥ 1)
 * against last, the sequence seen at the previous read. The difference
 * (mod 65536) is the number of new presses; their codes are regs[d] ..
 * regs[1] (newest last). Codes not present because fewer than d+1
 * registers were read are not returned: callers read enough registers
 * (mc_bus_regs_needed). More than 8 new presses: the 8 newest are returned
 * and the rest counted in lost. A difference above MC_BUS_RESTART_STEP
 * means the unit restarted (DESIGN §5: it clears its codes at power-up and
 * counts again from 0): restart is set and the new presses are those of the
 * new sequence, regs[seq] .. regs[1] (at most 8), none of them seen before. */
void mc_bus_presses_decode(uint16_t last, const uint16_t *regs, int nregs,
			   struct mc_bus_presses *out);
/* Input registers to read (from 0) to get every code of seq after last:
 * 1 + min(new presses, 8), a restart counted as above. */
int mc_bus_regs_needed(uint16_t last, uint16_t seq);

/* A counter display's content, as the kiosk wants it. */
struct mc_bus_display {
	char text[MC_BUS_TEXT + 1]; /* shown text; ASCII, at most 8 characters used */
	unsigned waiting;        /* tickets waiting (capped at 65535) */
	bool blink;              /* a new call */
	bool paused;             /* the counter is paused */
	unsigned brightness;     /* 0..15 (capped at 15) */
};

/* Encodes d into the 7 holding registers: 8 characters, two per register,
 * high byte first, space padded; bytes outside printable ASCII become '?'. */
void mc_bus_display_encode(const struct mc_bus_display *d, uint16_t regs[MC_BUS_NHOLD]);
/* Decodes holding registers back (simulator and tests). Trailing spaces of
 * the text are kept: text is always 8 characters. */
void mc_bus_display_decode(const uint16_t regs[MC_BUS_NHOLD], struct mc_bus_display *d);

/* The smallest block of registers that turns old into new: *first and *count.
 * Returns false (and *count 0) when nothing differs. old NULL means "unknown":
 * the whole image. One block, so one write per unit. */
bool mc_bus_display_diff(const uint16_t *old, const uint16_t new_regs[MC_BUS_NHOLD],
			 int *first, int *count);

/* Modbus RTU CRC-16 (polynomial 0xA001, initial 0xFFFF) of buf; the frame
 * carries it low byte first. Used by the simulator and tests. */
uint16_t mc_bus_crc16(const uint8_t *buf, size_t len);

#endif
