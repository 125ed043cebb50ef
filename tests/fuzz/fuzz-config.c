/* fuzz-config.c — board.conf parser against hostile input. Builds as a
 * libFuzzer target (LLVMFuzzerTestOneInput) with clang, or as a standalone
 * driver that mutates the reference boards for a fixed number of rounds.
 * Either way the parser must answer every input with 0, or -1 and a
 * "NAME:LINE: " message; the sanitizer build catches memory errors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mc_config cfg;
	char *text = malloc(size + 1);
	char err[512];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	err[0] = 0;
	int rc = mc_config_load_string(text, "fuzz.conf", &cfg, err, sizeof(err));
	if (rc != 0 && (rc != -1 || strncmp(err, "fuzz.conf:", 10) != 0)) {
		fprintf(stderr, "bad answer %d '%s' for:\n%s\n", rc, err, text);
		abort();
	}
	if (rc == 0 && (cfg.nservices < 1 || cfg.ncounters < 1)) {
		fprintf(stderr, "accepted a board without services or counters:\n%s\n", text);
		abort();
	}
	free(text);
	return 0;
}

#if !defined(MC_LIBFUZZER) && !defined(MC_FUZZ_REPLAY)
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	if (buf && fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Standalone: FILE... are seeds; each round flips, inserts, deletes or
 * duplicates bytes and lines of a seed. */
int main(int argc, char **argv)
{
	static const char tokens[] = "[]=;#\n.:-, \t0123456789abcdefmonsatAZ\xc3\xa1\xe1\xbb\x87\xff";
	/* A fixed seed unless MC_TEST_SEED gives one (tools/dev.sh test --all). */
	unsigned seed = getenv("MC_TEST_SEED") ? (unsigned)strtoul(getenv("MC_TEST_SEED"), NULL, 10) : 12345;
	long rounds = getenv("MC_FUZZ_ROUNDS") ? atol(getenv("MC_FUZZ_ROUNDS")) : 20000;

	for (int i = 1; i < argc; i++) {
		size_t len;
		char *base = slurp(argv[i], &len);
		if (!base) {
			fprintf(stderr, "cannot read seed %s\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)base, len);
		for (long r = 0; r < rounds; r++) {
			size_t n = len;
			char *buf = malloc(len * 2 + 64);
			memcpy(buf, base, len);
			int edits = 1 + (int)(rand_r(&seed) % 8);
			for (int e = 0; e < edits && n > 0; e++) {
				size_t at = (size_t)rand_r(&seed) % n;
				switch (rand_r(&seed) % 4) {
				case 0: /* replace a byte */
					buf[at] = tokens[(size_t)rand_r(&seed) % (sizeof(tokens) - 1)];
					break;
				case 1: /* insert a byte */
					if (n < len * 2 + 32) {
						memmove(buf + at + 1, buf + at, n - at);
						buf[at] = tokens[(size_t)rand_r(&seed) % (sizeof(tokens) - 1)];
						n++;
					}
					break;
				case 2: { /* delete a run */
					size_t k = 1 + (size_t)rand_r(&seed) % 16;
					if (at + k > n)
						k = n - at;
					memmove(buf + at, buf + at + k, n - at - k);
					n -= k;
					break;
				}
				default: { /* duplicate a run */
					size_t k = 1 + (size_t)rand_r(&seed) % 24;
					if (at + k > n)
						k = n - at;
					if (n + k < len * 2 + 64) {
						memmove(buf + at + k, buf + at, n - at);
						n += k;
					}
					break;
				}
				}
			}
			LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
			free(buf);
		}
		free(base);
	}
	printf("fuzz-config: %d seeds x %ld rounds, no crash\n", argc - 1, rounds);
	return 0;
}
#endif
