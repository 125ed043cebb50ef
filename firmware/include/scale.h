/* scale.h — the office's satisfaction scale: its levels, best first, with
 * Vietnamese and English labels, and how many of the top levels count as
 * "satisfied".
 *
 * A rating r is the level's position on the scale, best first (1 = the best
 * level): a rating key, a counter unit's code 0x0200+r and `kioskctl counter
 * N rate r` all mean the same r. Each rating event stores the scale it was
 * given on as text (mc_scale_format), so an office can change its scale
 * without changing the meaning of old ratings; a rating without a stored
 * scale was given on the first firmware's four levels, worst first
 * (mc_scale_legacy, mc_scale_legacy_rating). Pure functions, no I/O. */
#ifndef MC_SCALE_H
#define MC_SCALE_H

#include <stdbool.h>
#include <stddef.h>

#define MC_SCALE_MIN 3          /* fewest levels */
#define MC_SCALE_MAX 5          /* most levels */
#define MC_SCALE_LABEL 48       /* longest label kept, bytes with the NUL */
#define MC_SCALE_TEXT 640       /* mc_scale_format's longest text, with the NUL */

/* One scale. */
struct mc_scale {
	int n;                                   /* levels, MC_SCALE_MIN..MC_SCALE_MAX */
	int satisfied;                           /* top levels that count as satisfied, 1..n-1 */
	char vi[MC_SCALE_MAX][MC_SCALE_LABEL];   /* Vietnamese labels, best first */
	char en[MC_SCALE_MAX][MC_SCALE_LABEL];   /* English labels, best first */
	bool legacy;                             /* the first firmware's scale (no stored text) */
};

/* The default: Rất hài lòng, Hài lòng, Bình thường, Không hài lòng; the top
 * two satisfied. */
void mc_scale_default(struct mc_scale *s);

/* The scale of ratings stored without one: Rất hài lòng, Hài lòng, Không
 * hài lòng, Rất không hài lòng (as positions best first); the top two. */
void mc_scale_legacy(struct mc_scale *s);
/* A legacy rating (1..4, worst first) as a position best first (4..1);
 * 0 for anything else. */
int mc_scale_legacy_rating(int stored);

/* Splits a comma-separated list of labels into s->vi (en: s->en); sets
 * s->n from the Vietnamese list. Returns 0, or -1 with a message for people
 * in err: count outside 3..5, an empty or too long label. */
int mc_scale_set_labels(struct mc_scale *s, bool en, const char *list, char *err, size_t errlen);

/* The stored form: "n=4;satisfied=2;vi=A,B,C,D;en=a,b,c,d" (labels are
 * split at commas and may not hold ';'). Returns the length. */
size_t mc_scale_format(const struct mc_scale *s, char *buf, size_t len);
/* Reads the stored form back; "" gives the legacy scale. Returns 0, or -1
 * for text that is not a scale. */
int mc_scale_parse(const char *text, struct mc_scale *s);

/* True when both describe the same scale. */
bool mc_scale_equal(const struct mc_scale *a, const struct mc_scale *b);

#endif
