/* fuzz-bus.c — counter-bus replies against hostile units: the input is a
 * run of reads of a unit's input registers (sequence + 8 key codes) and of
 * display images. Checked: presses decoded from each read (never more than
 * 8, never more than the registers read, a restart never counted as lost
 * presses, never a press applied twice across reads), key codes that
 * decode re-encode to themselves, display images that round-trip, and the
 * write diff covering every changed register. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                        \
	do {                                                            \
		if (!(c)) {                                             \
			fprintf(stderr, "fuzz-bus: %s failed\n", #c);   \
			abort();                                        \
		}                                                       \
	} while (0)

static uint16_t take16(const uint8_t **p, size_t *left)
{
	uint16_t v = 0;

	if (*left >= 2) {
		v = (uint16_t)((*p)[0] << 8 | (*p)[1]);
		*p += 2;
		*left -= 2;
	} else if (*left == 1) {
		v = (*p)[0];
		*p += 1;
		*left = 0;
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t left = size;
	uint16_t last = take16(&p, &left);
	uint16_t shown[MC_BUS_NHOLD];
	bool have_shown = false;

	while (left > 0) {
		uint8_t op = *p++;
		left--;
		if (op & 0x80) {
			/* A display image from arbitrary text and figures. */
			struct mc_bus_display d = { 0 }, back;
			uint16_t regs[MC_BUS_NHOLD];
			size_t n = left < MC_BUS_TEXT ? left : MC_BUS_TEXT;
			memcpy(d.text, p, n);
			p += n;
			left -= n;
			d.waiting = take16(&p, &left) * 3u;
			d.blink = op & 1;
			d.paused = op & 2;
			d.brightness = (op >> 2) & 0x1f;
			mc_bus_display_encode(&d, regs);
			mc_bus_display_decode(regs, &back);
			CHECK(back.brightness <= 15 && back.blink == d.blink && back.paused == d.paused);
			for (int i = 0; i < MC_BUS_TEXT; i++)
				CHECK(back.text[i] >= 0x20 && back.text[i] <= 0x7e);
			int first, count;
			bool differs = mc_bus_display_diff(have_shown ? shown : NULL, regs, &first, &count);
			CHECK(first >= 0 && count >= 0 && first + count <= MC_BUS_NHOLD);
			for (int i = 0; i < MC_BUS_NHOLD; i++)
				if (!have_shown || shown[i] != regs[i])
					CHECK(differs && i >= first && i < first + count);
			memcpy(shown, regs, sizeof(shown));
			have_shown = true;
			continue;
		}
		/* One read: the sequence, then as many codes as the unit sent. */
		uint16_t regs[MC_BUS_NINPUT];
		int nregs = 1 + (op & 0x0f) % MC_BUS_NINPUT;
		if (nregs > MC_BUS_NINPUT)
			nregs = MC_BUS_NINPUT;
		for (int i = 0; i < nregs; i++)
			regs[i] = take16(&p, &left);
		int need = mc_bus_regs_needed(last, regs[0]);
		CHECK(need >= 1 && need <= MC_BUS_NINPUT);
		struct mc_bus_presses pr;
		mc_bus_presses_decode(last, regs, nregs, &pr);
		unsigned d = (uint16_t)(regs[0] - last);
		CHECK(pr.seq == regs[0]);
		CHECK(pr.n >= 0 && pr.n <= MC_BUS_NCODES && pr.n < nregs + (nregs == 0));
		CHECK(pr.n <= need - 1);
		if (pr.restart) {
			/* A restart: the presses are the new sequence's, none
			 * of the old ones again, no 65,000 lost. */
			CHECK(d > MC_BUS_RESTART_STEP);
			CHECK(pr.lost + (unsigned)(need - 1) == regs[0]);
		} else {
			CHECK(d <= MC_BUS_RESTART_STEP);
			CHECK(pr.lost + (unsigned)(need - 1) == d);
		}
		for (int i = 0; i < pr.n; i++) {
			int arg;
			enum mc_bus_key k = mc_bus_key_decode(pr.codes[i], &arg);
			CHECK(mc_bus_key_name(k) != NULL);
			if (k != MC_BUS_KEY_UNKNOWN)
				CHECK(mc_bus_key_encode(k, arg) == pr.codes[i]);
		}
		/* The next read starts from what this one saw: a press is
		 * applied once. */
		last = pr.seq;
		struct mc_bus_presses again;
		mc_bus_presses_decode(last, regs, nregs, &again);
		CHECK(again.n == 0 && again.lost == 0 && !again.restart);
	}
	return 0;
}
