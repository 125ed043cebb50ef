/* test-wav.c — WAV reading of the layouts offices' recordings come in
 * (8/16/24/32-bit PCM, 32-bit float, WAVE_FORMAT_EXTENSIBLE, extra chunks),
 * clear refusals of the rest, and the 16-bit writer read back. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clips.h"
#include "wav.h"

static char path[64];

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes a WAV file by hand: fmt (16 or 40 bytes), an optional LIST chunk,
 * then data. */
static void write_file(uint16_t tag, int bits, int channels, int rate, bool extensible,
		       bool list, const void *data, uint32_t len)
{
	unsigned char h[128];
	size_t n = 0;
	uint32_t fmtlen = extensible ? 40 : 16;

	memcpy(h, "RIFF", 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, fmtlen);
	h[20] = extensible ? 0xFE : (unsigned char)tag;
	h[21] = extensible ? 0xFF : 0;
	h[22] = (unsigned char)channels;
	h[23] = 0;
	put32(h + 24, (uint32_t)rate);
	put32(h + 28, (uint32_t)(rate * channels * bits / 8));
	h[32] = (unsigned char)(channels * bits / 8);
	h[33] = 0;
	h[34] = (unsigned char)bits;
	h[35] = 0;
	n = 36;
	if (extensible) {
		memset(h + 36, 0, 24);
		h[36] = 22;
		h[38] = (unsigned char)bits;
		h[44] = (unsigned char)tag; /* sub-format GUID starts with the tag */
		n = 60;
	}
	if (list) {
		memcpy(h + n, "LIST", 4);
		put32(h + n + 4, 5);    /* odd length: padded to 6 */
		memcpy(h + n + 8, "INFOx\0", 6);
		n += 14;
	}
	memcpy(h + n, "data", 4);
	put32(h + n + 4, len);
	n += 8;
	put32(h + 4, (uint32_t)(n - 8 + len));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(h, 1, n, f), n);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_layouts(void **state)
{
	struct mc_wav w;
	char err[512];

	(void)state;
	/* 8-bit unsigned: 128 is silence. */
	const unsigned char u8[] = { 128, 255, 0, 192 };
	write_file(1, 8, 1, 8000, false, false, u8, sizeof(u8));
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), 0);
	assert_int_equal(w.frames, 4);
	assert_int_equal(w.samples[0], 0);
	assert_int_equal(w.samples[1], 127 * 256);
	assert_int_equal(w.samples[2], -128 * 256);
	assert_int_equal(w.samples[3], 64 * 256);
	mc_wav_release(&w);
	/* 24-bit stereo, with a LIST chunk of odd length before the data. */
	const unsigned char s24[] = { 0x00, 0x34, 0x12, 0xff, 0xff, 0xff, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00 };
	write_file(1, 24, 2, 48000, false, true, s24, sizeof(s24));
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), 0);
	assert_int_equal(w.channels, 2);
	assert_int_equal(w.rate, 48000);
	assert_int_equal(w.frames, 2);
	assert_int_equal(w.samples[0], 0x1234);
	assert_int_equal(w.samples[1], -1);
	assert_int_equal(w.samples[2], -32768);
	assert_int_equal(w.samples[3], 0);
	mc_wav_release(&w);
	/* 32-bit float in WAVE_FORMAT_EXTENSIBLE, clipped to ±1. */
	const float fl[] = { 0.5f, -1.0f, 2.0f, 0.0f };
	write_file(3, 32, 1, 44100, true, false, fl, sizeof(fl));
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), 0);
	assert_int_equal(w.frames, 4);
	assert_int_equal(w.samples[0], 16383);
	assert_int_equal(w.samples[1], -32767);
	assert_int_equal(w.samples[2], 32767);
	assert_int_equal(w.samples[3], 0);
	mc_wav_release(&w);
	/* 32-bit integer: the top 16 bits. */
	const int32_t s32[] = { 0x40000000, -0x40000000 };
	write_file(1, 32, 1, 16000, false, false, s32, sizeof(s32));
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), 0);
	assert_int_equal(w.samples[0], 0x4000);
	assert_int_equal(w.samples[1], -0x4000);
	mc_wav_release(&w);
}

static void test_refusals(void **state)
{
	struct mc_wav w;
	char err[512];
	const unsigned char d[4] = { 0 };

	(void)state;
	write_file(2, 4, 1, 8000, false, false, d, sizeof(d)); /* ADPCM */
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "unsupported format"));
	assert_non_null(strstr(err, path));
	write_file(1, 12, 1, 8000, false, false, d, sizeof(d));
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), -1);
	FILE *f = fopen(path, "wb");
	fwrite("RIFF\x04\0\0\0WAVE", 1, 12, f);
	fclose(f);
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no fmt chunk"));
	f = fopen(path, "wb");
	fputs("ID3 mp3 data", f);
	fclose(f);
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a WAV file"));
	unlink(path);
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "missing"));
}

static void test_write_read_convert(void **state)
{
	int16_t s[6] = { 0, 1000, -1000, -1000, 2000, 4000 };
	struct mc_wav w;
	char err[512];

	(void)state;
	assert_int_equal(mc_wav_write(path, 22050, 2, s, 3), 0);
	assert_int_equal(mc_wav_read(path, &w, err, sizeof(err)), 0);
	assert_int_equal(w.frames, 3);
	assert_memory_equal(w.samples, s, sizeof(s));
	/* Stereo to mono: the mean of each frame. */
	assert_int_equal(mc_clip_convert(&w, 22050, 1), 0);
	assert_int_equal(w.channels, 1);
	assert_int_equal(w.samples[0], 500);
	assert_int_equal(w.samples[1], -1000);
	assert_int_equal(w.samples[2], 3000);
	/* Mono up to double rate: linear interpolation. */
	assert_int_equal(mc_clip_convert(&w, 44100, 1), 0);
	assert_int_equal(w.frames, 6);
	const int16_t up[6] = { 500, -250, -1000, 1000, 3000, 3000 };
	assert_memory_equal(w.samples, up, sizeof(up));
	/* And back down: every other sample. */
	assert_int_equal(mc_clip_convert(&w, 22050, 1), 0);
	assert_int_equal(w.frames, 3);
	assert_int_equal(w.samples[1], -1000);
	mc_wav_release(&w);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_write_read_convert),
	};
	snprintf(path, sizeof(path), "/tmp/test-wav-%d.wav", (int)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
