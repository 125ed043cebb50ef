/* cliptool.c — helper of the clip-set generator (make-clips.sh): lists the
 * vocabulary, makes the chime, trims synthesized words to speech.
 *
 *   mc-cliptool list                 KEY<TAB>LANG<TAB>TEXT for every word
 *   mc-cliptool chime OUT.wav [RATE] a two-note "ding-dong" chime
 *   mc-cliptool trim IN.wav OUT.wav  mono, silence cut to short pads, faded edges
 */
#include "clips.h"
#include "vnnum.h"
#include "wav.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Leading and trailing silence kept around speech, ms. */
#define PAD_IN_MS 10
#define PAD_OUT_MS 40
/* Speech starts where |sample| first exceeds this. */
#define SPEECH_LEVEL 300

static void print_help(void)
{
	printf("Usage: mc-cliptool list\n"
	       "       mc-cliptool chime OUT.wav [RATE]\n"
	       "       mc-cliptool trim IN.wav OUT.wav\n\n"
	       "Helper of tools/clips/make-clips.sh, which builds the default clip set.\n");
}

static int cmd_list(void)
{
	size_t n;
	const struct mc_word *w = mc_vnnum_words(&n);

	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\n", w[i].key, w[i].lang == MC_LANG_EN ? "en" : "vi", w[i].text);
	return 0;
}

/* Adds one bell-like note at start (s) with frequency f to buf. */
static void note(float *buf, size_t len, int rate, double start, double f, double amp)
{
	size_t s0 = (size_t)(start * rate);

	for (size_t i = s0; i < len; i++) {
		double t = (double)(i - s0) / rate;
		double env = (1.0 - exp(-t / 0.004)) * exp(-t / 0.35);
		/* Fundamental plus two soft partials, like a small bell. */
		double v = sin(2 * M_PI * f * t) + 0.35 * sin(2 * M_PI * 2 * f * t) +
			   0.12 * sin(2 * M_PI * 3 * f * t) * exp(-t / 0.1);
		buf[i] += (float)(amp * env * v);
	}
}

static int cmd_chime(const char *out, int rate)
{
	size_t len = (size_t)rate * 13 / 10;     /* 1.3 s */
	float *f = calloc(len, sizeof(*f));
	int16_t *s = calloc(len, sizeof(*s));
	int rc = 1;

	if (!f || !s)
		goto out;
	note(f, len, rate, 0.0, 659.25, 0.32);   /* E5: ding */
	note(f, len, rate, 0.45, 523.25, 0.32);  /* C5: dong */
	for (size_t i = 0; i < len; i++) {
		/* A 50 ms fade-out so the chime ends exactly at silence. */
		double g = i + (size_t)rate / 20 > len ? (double)(len - i) / (rate / 20.0) : 1.0;
		double v = f[i] * g * 32767.0;
		s[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
	s[0] = s[len - 1] = 0;
	if (mc_wav_write(out, rate, 1, s, len) < 0) {
		perror(out);
		goto out;
	}
	rc = 0;
out:
	free(f);
	free(s);
	return rc;
}

static int cmd_trim(const char *in, const char *out)
{
	struct mc_wav w;
	char err[512];
	size_t first = 0, last = 0;

	if (mc_wav_read(in, &w, err, sizeof(err)) < 0) {
		fprintf(stderr, "mc-cliptool: %s\n", err);
		return 1;
	}
	if (mc_clip_convert(&w, w.rate, 1) < 0) {
		mc_wav_release(&w);
		return 1;
	}
	for (size_t i = 0; i < w.frames; i++)
		if (abs(w.samples[i]) > SPEECH_LEVEL) {
			if (!first && !last)
				first = i;
			last = i;
		}
	size_t pad_in = (size_t)w.rate * PAD_IN_MS / 1000, pad_out = (size_t)w.rate * PAD_OUT_MS / 1000;
	size_t from = first > pad_in ? first - pad_in : 0;
	size_t to = last + pad_out < w.frames ? last + pad_out : w.frames;
	if (to <= from) {
		fprintf(stderr, "mc-cliptool: %s: no speech\n", in);
		mc_wav_release(&w);
		return 1;
	}
	size_t n = to - from, fade = (size_t)w.rate * 5 / 1000;
	int16_t *s = w.samples + from;
	if (fade > n / 2)
		fade = n / 2;
	for (size_t i = 0; i < fade; i++) {
		s[i] = (int16_t)((long)s[i] * (long)i / (long)fade);
		s[n - 1 - i] = (int16_t)((long)s[n - 1 - i] * (long)i / (long)fade);
	}
	int rc = mc_wav_write(out, w.rate, 1, s, n) < 0 ? 1 : 0;
	if (rc)
		perror(out);
	mc_wav_release(&w);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return cmd_list();
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "chime"))
		return cmd_chime(argv[2], argc == 4 ? atoi(argv[3]) : 22050);
	if (argc == 4 && !strcmp(argv[1], "trim"))
		return cmd_trim(argv[2], argv[3]);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		print_help();
		return 0;
	}
	print_help();
	return 2;
}
