/* vnnum.h — reading numbers, ticket labels and calls aloud as clip keys:
 * Vietnamese first (1023 → một nghìn không trăm hai mươi ba), English second.
 *
 * Pure functions, no I/O. A reading is a list of clip keys such as
 * "vi/num/mot" or "en/num/twenty": each key names a clip file KEY.wav in a
 * clip set (clips.h) and has a text (mc_vnnum_text) that the default set is
 * generated from and that tests compare against. Keys are static strings:
 * they live as long as the program and are never freed. */
#ifndef MC_VNNUM_H
#define MC_VNNUM_H

#include <stdbool.h>
#include <stddef.h>

/* Most keys one call (label + counter, one language) can take. */
#define MC_VNNUM_MAX 48
/* Largest number read whole: below one thousand billion (nghìn tỷ). */
#define MC_VNNUM_LIMIT 1000000000000LL

/* Language of a reading. */
enum mc_lang {
	MC_LANG_VI,              /* Vietnamese */
	MC_LANG_EN,              /* English */
};

/* How numbers are read. The flags only matter in Vietnamese. */
struct mc_reading {
	enum mc_lang lang;       /* language */
	bool digits;             /* digit by digit (1023: một không hai ba) */
	bool le;                 /* "lẻ" (southern) instead of "linh": 105 một trăm lẻ năm */
	bool ngan;               /* "ngàn" (southern) instead of "nghìn" */
	bool no_tu;              /* "bốn" instead of "tư" after mươi: 24 hai mươi bốn */
	bool nham;               /* "nhăm" (colloquial northern) instead of "lăm" after mươi */
	bool prefixed_digits;    /* a prefixed label digit by digit ("A không một bảy"),
	                          * plain numbers as digits says */
};

/* One word of the clip vocabulary. */
struct mc_word {
	const char *key;         /* clip key: path in the set without ".wav" */
	const char *text;        /* what the clip says, with every tone mark */
	enum mc_lang lang;       /* language spoken (for the voice that makes it) */
};

/* Key of the chime that opens every announcement. */
#define MC_KEY_CHIME "chime"
/* Pseudo-key for a short pause between repeats (silence, no file). */
#define MC_KEY_PAUSE "pause"
/* Pseudo-key for a breath: the short silence before the number and before
 * "đến quầy số" that lets a hall hear where the number starts and ends. */
#define MC_KEY_BREATH "breath"

/* Appends the whole-number reading of n (0 ≤ n < MC_VNNUM_LIMIT) to keys
 * (room for max), in r's language and style (r->digits is ignored).
 * Returns the number of keys written, or -1 with errno ERANGE (n out of
 * range) or ENOSPC (max too small). */
int mc_vnnum_whole(long long n, const struct mc_reading *r, const char **keys, size_t max);

/* Appends the digit-by-digit reading of the decimal digits in s (leading
 * zeros are read). Returns the count, or -1 with errno EINVAL (s empty or
 * not all digits) or ENOSPC. */
int mc_vnnum_digits(const char *s, const struct mc_reading *r, const char **keys, size_t max);

/* Reads a ticket label: up to two letters A-Z, then 1-9 digits ("B017" →
 * "bê mười bảy", or "bê không một bảy" digit by digit). Returns the count,
 * or -1 with errno EINVAL (not a label) or ENOSPC. */
int mc_vnnum_label(const char *label, const struct mc_reading *r, const char **keys,
		   size_t max);

/* The call of label to counter (1..9999, always read whole) in r's
 * language: "Mời công dân có số ‿ … ‿ đến quầy số …" or "Number ‿ … ‿ please
 * go to counter …", with a breath (MC_KEY_BREATH) where ‿ stands. No chime. Returns the count, or -1 with errno (as above). */
int mc_vnnum_call(const char *label, int counter, const struct mc_reading *r, const char **keys,
		  size_t max);

/* The text of key ("vi/num/mot" → "một"), or NULL if key is not a word. */
const char *mc_vnnum_text(const char *key);

/* Writes the texts of n keys joined by single spaces into buf (len > 0;
 * truncated to fit): the chime as "♪", a pause as "…", a breath as nothing, unknown keys as
 * "<key>". Returns buf. */
char *mc_vnnum_join(const char *const *keys, size_t n, char *buf, size_t len);

/* The keys calls can use under reading r (both languages when english is
 * true, else r->lang only) with label letters among letters (A-Z, may be
 * ""): the clips a set must have. Unique, in vocabulary order. Returns the
 * count, or -1 with errno ENOSPC. */
int mc_vnnum_vocabulary(const struct mc_reading *r, bool english, const char *letters,
			const char **keys, size_t max);

/* The whole spoken vocabulary: every key any reading or call can produce
 * (the chime and the pause are not words); *n receives its length. Static. */
const struct mc_word *mc_vnnum_words(size_t *n);

#endif
