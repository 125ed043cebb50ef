/* wav.c — WAV reading and writing (see wav.h). */
#include "wav.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static int bad(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	errno = EINVAL;
	return -1;
}

/* One sample of the given layout at p, as 16-bit. */
static int16_t decode(const unsigned char *p, int bits, bool is_float)
{
	if (is_float) {
		float f;
		memcpy(&f, p, sizeof(f));
		if (!(f == f))
			return 0;
		if (f > 1.0f)
			f = 1.0f;
		if (f < -1.0f)
			f = -1.0f;
		return (int16_t)(f * 32767.0f);
	}
	switch (bits) {
	case 8:
		return (int16_t)((p[0] - 128) * 256);
	case 16:
		return (int16_t)le16(p);
	case 24:
		return (int16_t)(p[1] | p[2] << 8);
	default:
		return (int16_t)(p[2] | p[3] << 8);
	}
}

/* Parses a whole file's bytes (see mc_wav_parse in wav.h). A data chunk
 * whose length runs past the end (streaming writers) is cut to what is
 * there. */
int mc_wav_parse(const unsigned char *buf, size_t size, const char *name, struct mc_wav *out,
		 char *err, size_t errlen)
{
	const unsigned char *data = NULL;
	size_t data_len = 0, at = 12;
	bool have_fmt = false;
	int bits = 0, channels = 0, rate = 0, block = 0;
	bool is_float = false;

	memset(out, 0, sizeof(*out));
	if (size < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4))
		return bad(err, errlen, name, "not a WAV file (no RIFF/WAVE header)");
	while (!data && size - at >= 8) {
		const unsigned char *ch = buf + at;
		uint32_t len = le32(ch + 4);
		at += 8;
		if (!memcmp(ch, "fmt ", 4)) {
			unsigned char fmt[40];
			size_t take = len < sizeof(fmt) ? len : sizeof(fmt);
			if (len < 16 || size - at < take)
				return bad(err, errlen, name, "truncated fmt chunk");
			memset(fmt, 0, sizeof(fmt));
			memcpy(fmt, buf + at, take);
			uint16_t tag = le16(fmt);
			channels = le16(fmt + 2);
			rate = (int)le32(fmt + 4);
			block = le16(fmt + 12);
			bits = le16(fmt + 14);
			if (tag == 0xFFFE && len >= 40)
				tag = le16(fmt + 24); /* the sub-format GUID starts with the tag */
			is_float = tag == 3;
			if ((tag != 1 && tag != 3) || (is_float && bits != 32) ||
			    (!is_float && bits != 8 && bits != 16 && bits != 24 && bits != 32)) {
				char what[96];
				snprintf(what, sizeof(what),
					 "unsupported format (tag %u, %d bits): use PCM 8/16/24/32-bit or float",
					 tag, bits);
				return bad(err, errlen, name, what);
			}
			if (channels < 1 || channels > 8 || rate < 4000 || rate > 192000 ||
			    block != channels * bits / 8)
				return bad(err, errlen, name, "bad fmt chunk (channels, rate or block size)");
			have_fmt = true;
			uint64_t skip = (uint64_t)len + (len & 1);
			if (skip > size - at)
				return bad(err, errlen, name, "truncated fmt chunk");
			at += (size_t)skip;
		} else if (!memcmp(ch, "data", 4)) {
			if (!have_fmt)
				return bad(err, errlen, name, "data chunk before fmt chunk");
			/* Writers that stream (ALSA's file PCM) leave a huge
			 * length until they close: take what is there. */
			data = buf + at;
			data_len = len < size - at ? len : size - at;
		} else {
			uint64_t skip = (uint64_t)len + (len & 1);
			if (skip > size - at)
				return bad(err, errlen, name, "truncated chunk");
			at += (size_t)skip;
		}
	}
	if (!data)
		return bad(err, errlen, name, have_fmt ? "no data chunk" : "no fmt chunk");
	out->rate = rate;
	out->channels = channels;
	out->frames = data_len / (size_t)block;
	out->samples = malloc(out->frames * (size_t)channels * sizeof(int16_t) + 1);
	if (!out->samples)
		return bad(err, errlen, name, "out of memory");
	size_t ns = out->frames * (size_t)channels, bps = (size_t)bits / 8;
	for (size_t i = 0; i < ns; i++)
		out->samples[i] = decode(data + i * bps, bits, is_float);
	return 0;
}

int mc_wav_read(const char *path, struct mc_wav *out, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, e == ENOENT ? "missing" : strerror(e));
		errno = e;
		return -1;
	}
	for (;;) {
		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 65536;
			unsigned char *p = ncap > (size_t)1 << 31 ? NULL : realloc(buf, ncap);
			if (!p) {
				free(buf);
				fclose(f);
				return bad(err, errlen, path, "out of memory (file too large)");
			}
			buf = p;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	int rc = mc_wav_parse(buf, len, path, out, err, errlen);
	free(buf);
	return rc;
}

int mc_wav_write(const char *path, int rate, int channels, const int16_t *samples,
		 size_t frames)
{
	unsigned char h[44];
	char tmp[4096];
	size_t bytes = frames * (size_t)channels * 2;
	FILE *f;

	if (rate <= 0 || channels < 1 || channels > 8 || bytes > 0xFFFFFFF0u - 36 ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(36 + bytes));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1);
	put16(h + 22, (uint16_t)channels);
	put32(h + 24, (uint32_t)rate);
	put32(h + 28, (uint32_t)(rate * channels * 2));
	put16(h + 32, (uint16_t)(channels * 2));
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, (uint32_t)bytes);
	f = fopen(tmp, "wb");
	if (!f)
		return -1;
	bool ok = fwrite(h, 1, 44, f) == 44;
	/* Samples are little-endian on disk; convert on big-endian hosts. */
	for (size_t i = 0; ok && i < frames * (size_t)channels; i++) {
		unsigned char b[2];
		put16(b, (uint16_t)samples[i]);
		ok = fwrite(b, 1, 2, f) == 2;
	}
	if (fclose(f) || !ok || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		errno = e ? e : EIO;
		return -1;
	}
	return 0;
}

void mc_wav_release(struct mc_wav *w)
{
	free(w->samples);
	memset(w, 0, sizeof(*w));
}
