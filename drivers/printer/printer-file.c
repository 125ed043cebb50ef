/* printer-file.c — file:DIR, the simulator's printer: each job becomes
 * DIR/ticket-NNNNNN.escpos (the exact bytes) and DIR/ticket-NNNNNN.png (the
 * picture a person can read). A file DIR/STATE holding a state token
 * ("paper_out", "near_end", ...) makes the printer report that state, so
 * faults can be played in simulator mode. */
#include "printer.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct file_printer {
	char dir[512];   /* where tickets go */
	long seq;        /* number of the last ticket file */
};

static int make_dirs(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	return mkdir(buf, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* The highest NNNNNN of DIR/ticket-NNNNNN.*, so numbering continues. */
static long last_seq(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long max = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		long n;
		if (sscanf(e->d_name, "ticket-%ld.", &n) == 1 && n > max)
			max = n;
	}
	closedir(d);
	return max;
}

static int file_open(void **priv, const char *arg, const struct mc_printer_options *opt,
		     char *err, size_t errlen)
{
	struct file_printer *f;

	if (!arg[0]) {
		snprintf(err, errlen, "file: needs a directory (file:DIR)");
		return -1;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (arg[0] != '/' && opt && opt->base_dir)
		snprintf(f->dir, sizeof(f->dir), "%s/%s", opt->base_dir, arg);
	else
		snprintf(f->dir, sizeof(f->dir), "%s", arg);
	if (make_dirs(f->dir) < 0) {
		snprintf(err, errlen, "cannot create the ticket directory %s: %s", f->dir, strerror(errno));
		free(f);
		return -1;
	}
	f->seq = last_seq(f->dir);
	*priv = f;
	return 0;
}

static int file_status(void *priv, enum mc_escpos_state *st, char *err, size_t errlen)
{
	struct file_printer *f = priv;
	char path[600], word[32] = "";
	struct stat sb;

	if (stat(f->dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "ticket directory %s is gone", f->dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/STATE", f->dir);
	FILE *fp = fopen(path, "r");
	*st = MC_ESCPOS_READY;
	if (fp) {
		if (fscanf(fp, "%31s", word) == 1) {
			int s = mc_escpos_state_from_name(word);
			if (s >= 0)
				*st = (enum mc_escpos_state)s;
		}
		fclose(fp);
	}
	return 0;
}

static int write_all(const char *path, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "wb");

	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fwrite(data, 1, len, fp);
	if (fclose(fp) != 0 || n != len) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}

static int file_print(void *priv, const uint8_t *data, size_t len, const struct mc_raster *preview,
		      enum mc_escpos_state *st, size_t *sent, char *err, size_t errlen)
{
	struct file_printer *f = priv;
	char path[600];

	if (file_status(priv, st, err, errlen) < 0)
		return -1;
	if (!mc_escpos_state_can_print(*st)) {
		snprintf(err, errlen, "%s", mc_escpos_state_text(*st));
		return -1;
	}
	f->seq++;
	snprintf(path, sizeof(path), "%s/ticket-%06ld.escpos", f->dir, f->seq);
	if (write_all(path, data, len, err, errlen) < 0)
		return -1;
	*sent = len;
	if (preview) {
		snprintf(path, sizeof(path), "%s/ticket-%06ld.png", f->dir, f->seq);
		if (mc_raster_write_png(preview, path, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static void file_close(void *priv)
{
	free(priv);
}

const struct mc_printer_ops mc_printer_file_ops = {
	.version = 1,
	.scheme = "file",
	.open = file_open,
	.status = file_status,
	.print = file_print,
	.close = file_close,
};
