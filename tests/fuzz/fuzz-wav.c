/* fuzz-wav.c — WAV clip parsing (mc_wav_parse, what mc_wav_read runs on a
 * file's bytes) against hostile files: every input gets 0 with samples that
 * fit the data, or -1 with a message naming the clip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wav.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_wav w;
	char err[256] = "";

	if (mc_wav_parse(data, size, "clip.wav", &w, err, sizeof(err)) == 0) {
		/* Every sample comes from the input: at least one byte each. */
		if (w.channels < 1 || w.channels > 8 || w.rate < 4000 || w.rate > 192000 ||
		    w.frames * (size_t)w.channels > size || !w.samples) {
			fprintf(stderr, "accepted an impossible clip: %d ch, %d Hz, %zu frames\n",
				w.channels, w.rate, w.frames);
			abort();
		}
		int64_t sum = 0;
		for (size_t i = 0; i < w.frames * (size_t)w.channels; i++)
			sum += w.samples[i];  /* touch every sample (ASan) */
		(void)sum;
		mc_wav_release(&w);
	} else if (strncmp(err, "clip.wav: ", 10) != 0) {
		fprintf(stderr, "refusal without the clip's name: '%s'\n", err);
		abort();
	}
	return 0;
}
