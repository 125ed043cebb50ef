/* wav.h — RIFF/WAVE files of PCM audio: read any common PCM layout into
 * 16-bit samples, write 16-bit files.
 *
 * Blocking file I/O; call it at start-up or from a worker, never from the
 * event loop while serving. */
#ifndef MC_WAV_H
#define MC_WAV_H

#include <stddef.h>
#include <stdint.h>

/* Decoded audio: interleaved signed 16-bit samples. */
struct mc_wav {
	int rate;                /* frames per second */
	int channels;            /* samples per frame, 1..8 */
	size_t frames;           /* frames in samples */
	int16_t *samples;        /* frames * channels samples, malloc'd; owner frees
	                          * with mc_wav_release() */
};

/* Reads path: integer PCM of 8, 16, 24 or 32 bits, or 32-bit float, any
 * rate and 1..8 channels (WAVE_FORMAT_EXTENSIBLE included), converted to
 * 16-bit. Returns 0, or -1 with a message naming the file and the problem in
 * err ("missing", "not a WAV file", "unsupported format: ..."); errno is
 * ENOENT for a missing file, EINVAL for a bad one. */
int mc_wav_read(const char *path, struct mc_wav *out, char *err, size_t errlen);

/* Parses the bytes of a whole WAV file (buf, size) like mc_wav_read; name
 * only labels messages. Pure apart from malloc; buf is not kept. */
int mc_wav_parse(const unsigned char *buf, size_t size, const char *name, struct mc_wav *out,
		 char *err, size_t errlen);

/* Writes samples (frames * channels, 16-bit) as a canonical 44-byte-header
 * WAV file at path (replaced atomically through path.tmp). Returns 0 or -1
 * with errno. */
int mc_wav_write(const char *path, int rate, int channels, const int16_t *samples,
		 size_t frames);

/* Frees w's samples and zeroes it. Accepts an empty or zeroed w. */
void mc_wav_release(struct mc_wav *w);

#endif
