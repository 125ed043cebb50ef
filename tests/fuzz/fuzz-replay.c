/* fuzz-replay.c — the standalone driver of the fuzz targets in the gcc
 * builds (normal and sanitizer): feeds every file of the given corpus
 * directories (and files) once through the target's LLVMFuzzerTestOneInput,
 * so ctest checks every seed and every crasher ever found without clang.
 * libFuzzer itself runs the same entry points in build-fuzz
 * (`tools/dev.sh fuzz`). Exit 0 if every input passed, 1 if a path cannot
 * be read; a failing input aborts (the target's checks, ASan, UBSan). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			uint8_t *p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (!got)
			break;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees reads past the input's end. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	long files = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0;
		if (!d) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			return 1;
		}
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char **p = realloc(names, (n + 1) * sizeof(*names));
			if (!p)
				return 1;
			names = p;
			names[n++] = strdup(e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), cmp);
		for (size_t k = 0; k < n; k++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]);
			if (run_file(path) < 0)
				return 1;
			files++;
			free(names[k]);
		}
		free(names);
	}
	if (files == 0) {
		fprintf(stderr, "no corpus files\n");
		return 1;
	}
	printf("%ld corpus files, all passed\n", files);
	return 0;
}
