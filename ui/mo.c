/* mo.c — gettext catalogues read directly (see mo.h). Layout of a .mo
 * file (GNU gettext manual, "The Format of GNU MO Files"): a magic number
 * 0x950412de in the writer's byte order, a revision, the count N, the
 * offsets of the table of original strings and of the table of
 * translations; each table holds N (length, offset) pairs of 32-bit words,
 * each string NUL-terminated at offset + length. */
#include "mo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MO_MAGIC = 0x950412de, MO_SWAPPED = 0xde120495, MO_MAX = 64 * 1024 * 1024 };

struct mc_mo {
	unsigned char *data;   /* the file, owned */
	size_t len;
	size_t n;              /* messages */
	uint32_t orig, trans;  /* table offsets */
	int swapped;           /* written in the other byte order */
};

static uint32_t word(const struct mc_mo *mo, size_t off)
{
	uint32_t w;

	memcpy(&w, mo->data + off, sizeof(w));
	if (mo->swapped)
		w = (w >> 24) | ((w >> 8) & 0xff00u) | ((w << 8) & 0xff0000u) | (w << 24);
	return w;
}

/* String i of the table at tab, or NULL if it lies outside the file or is
 * not NUL-terminated where its length says. */
static const char *string_at(const struct mc_mo *mo, uint32_t tab, size_t i, uint32_t *slen)
{
	size_t e = (size_t)tab + i * 8;
	uint32_t len = word(mo, e), off = word(mo, e + 4);

	if ((size_t)off + len >= mo->len || mo->data[(size_t)off + len] != '\0')
		return NULL;
	if (slen)
		*slen = len;
	return (const char *)mo->data + off;
}

struct mc_mo *mc_mo_parse(const void *data, size_t len)
{
	struct mc_mo *mo;
	uint32_t magic;

	if (len < 20 || len > MO_MAX) {
		errno = EINVAL;
		return NULL;
	}
	mo = calloc(1, sizeof(*mo));
	if (!mo || !(mo->data = malloc(len))) {
		free(mo);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(mo->data, data, len);
	mo->len = len;
	memcpy(&magic, mo->data, sizeof(magic));
	mo->swapped = magic == MO_SWAPPED;
	if ((magic != MO_MAGIC && magic != MO_SWAPPED) || (word(mo, 4) >> 16) > 1)
		goto bad;
	mo->n = word(mo, 8);
	mo->orig = word(mo, 12);
	mo->trans = word(mo, 16);
	/* Both tables inside the file, and every string in them too. */
	if (mo->n > len / 8 || (size_t)mo->orig + mo->n * 8 > len || (size_t)mo->trans + mo->n * 8 > len)
		goto bad;
	for (size_t i = 0; i < mo->n; i++)
		if (!string_at(mo, mo->orig, i, NULL) || !string_at(mo, mo->trans, i, NULL))
			goto bad;
	return mo;
bad:
	mc_mo_free(mo);
	errno = EINVAL;
	return NULL;
}

struct mc_mo *mc_mo_open(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct mc_mo *mo = NULL;
	long size;
	int e;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size <= MO_MAX && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf && fread(buf, 1, (size_t)size, f) == (size_t)size)
			mo = mc_mo_parse(buf, (size_t)size);
		else
			errno = buf ? EIO : ENOMEM;
	} else {
		errno = EINVAL;
	}
	e = errno;
	free(buf);
	fclose(f);
	errno = e;
	return mo;
}

const char *mc_mo_find(const struct mc_mo *mo, const char *msgid)
{
	size_t want = strlen(msgid);

	if (!mo || !want)
		return NULL; /* "" is the header entry, not a message */
	for (size_t i = 0; i < mo->n; i++) {
		const char *o = string_at(mo, mo->orig, i, NULL);
		/* A plural original is "singular\0plural": match the singular.
		 * (Every string was checked at parse: o and t are never NULL.) */
		if (o && strlen(o) == want && !memcmp(o, msgid, want)) {
			const char *t = string_at(mo, mo->trans, i, NULL);
			return t && *t ? t : NULL;
		}
	}
	return NULL;
}

size_t mc_mo_count(const struct mc_mo *mo)
{
	return mo->n;
}

void mc_mo_free(struct mc_mo *mo)
{
	if (!mo)
		return;
	free(mo->data);
	free(mo);
}
