/* fuzz-status.c — printer status replies and echoed data against hostile
 * printers. The input is: a flags byte (query n, whether the printer is
 * known to echo), then the bytes that came back, fed in chunks whose sizes
 * the input also picks. Checked: the reply found does not depend on how
 * the bytes were split, is always a status byte, is never a byte of echoed
 * data or of the query's echo, and the state of any set of replies is
 * one of the states; the learner never asks a query it gave up on. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "fuzz-status: %s failed\n", #c);   \
			abort();                                           \
		}                                                          \
	} while (0)

/* Feeds buf in one go; returns the outcome and *at, the reply's index. */
static int whole(int n, bool echoes, const uint8_t *buf, size_t len, uint8_t *b, size_t *at)
{
	struct mc_escpos_reply r;
	size_t used = 0;

	mc_escpos_reply_start(&r, n, echoes);
	int rc = mc_escpos_reply_feed(&r, buf, len, b, &used);
	*at = used ? used - 1 : 0;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int n = 1 + (data[0] & 3);
	bool echoes = data[0] & 4;
	uint8_t split = data[1];
	const uint8_t *buf = data + 2;
	size_t len = size - 2;
	uint8_t b1 = 0, b2 = 0;
	size_t at;

	int rc1 = whole(n, echoes, buf, len, &b1, &at);
	if (rc1 == 1) {
		CHECK(mc_escpos_is_status_byte(b1) && buf[at] == b1);
		if (echoes) {
			/* The query's echo came before the reply. */
			const uint8_t q[3] = { 0x10, 0x04, (uint8_t)n };
			CHECK(at >= 3 && memmem(buf, at, q, 3) != NULL);
		}
	}
	/* The same bytes in chunks of 1 + (split & 7) give the same answer. */
	struct mc_escpos_reply r;
	int rc2 = 0;
	size_t off = 0, chunk = 1 + (split & 7u);
	mc_escpos_reply_start(&r, n, echoes);
	while (off < len) {
		size_t take = len - off < chunk ? len - off : chunk, used = 0;
		rc2 = mc_escpos_reply_feed(&r, buf + off, take, &b2, &used);
		CHECK(used <= take);
		off += used;
		if (rc2 != 0)
			break;
	}
	CHECK(rc1 == rc2 && (rc1 != 1 || b1 == b2));

	/* Any replies make one state; the learner honours what it learned. */
	struct mc_escpos_status s;
	struct mc_escpos_answers a;
	memset(&s, 0, sizeof(s));
	mc_escpos_answers_forget(&a);
	for (size_t i = 0; i < len; i++) {
		int q = 1 + (int)(i % 4);
		bool ok = mc_escpos_status_set(&s, q, buf[i]) == 0;
		CHECK(ok == mc_escpos_is_status_byte(buf[i]));
		mc_escpos_answers_note(&a, q, ok, false);
		if (!ok && !a.answered[q] && a.misses[q] >= MC_ESCPOS_GIVE_UP)
			CHECK(!mc_escpos_answers_ask(&a, q));
		if (a.answered[q])
			CHECK(mc_escpos_answers_ask(&a, q));
	}
	enum mc_escpos_state st = mc_escpos_status_state(&s);
	CHECK(st >= MC_ESCPOS_UNKNOWN && st <= MC_ESCPOS_ERROR);
	CHECK(mc_escpos_state_name(st) && mc_escpos_state_text(st));
	CHECK(mc_escpos_state_from_name(mc_escpos_state_name(st)) == (int)st);
	return 0;
}
