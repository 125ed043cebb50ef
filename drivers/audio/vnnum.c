/* vnnum.c — numbers, labels and calls read aloud in Vietnamese and English
 * (see vnnum.h). */
#include "vnnum.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The vocabulary. Keys are clip paths; the order is the generator's. */
static const struct mc_word words[] = {
	{ "vi/moi_cong_dan_co_so", "Mời công dân có số", MC_LANG_VI },
	{ "vi/den_quay_so", "đến quầy số", MC_LANG_VI },
	{ "vi/num/khong", "không", MC_LANG_VI },
	{ "vi/num/mot", "một", MC_LANG_VI },
	{ "vi/num/hai", "hai", MC_LANG_VI },
	{ "vi/num/ba", "ba", MC_LANG_VI },
	{ "vi/num/bon", "bốn", MC_LANG_VI },
	{ "vi/num/nam", "năm", MC_LANG_VI },
	{ "vi/num/sau", "sáu", MC_LANG_VI },
	{ "vi/num/bay", "bảy", MC_LANG_VI },
	{ "vi/num/tam", "tám", MC_LANG_VI },
	{ "vi/num/chin", "chín", MC_LANG_VI },
	{ "vi/num/muoi", "mười", MC_LANG_VI },
	{ "vi/num/muoi_", "mươi", MC_LANG_VI },
	{ "vi/num/mot_", "mốt", MC_LANG_VI },
	{ "vi/num/tu", "tư", MC_LANG_VI },
	{ "vi/num/lam", "lăm", MC_LANG_VI },
	{ "vi/num/nham", "nhăm", MC_LANG_VI },
	{ "vi/num/linh", "linh", MC_LANG_VI },
	{ "vi/num/le", "lẻ", MC_LANG_VI },
	{ "vi/num/tram", "trăm", MC_LANG_VI },
	{ "vi/num/nghin", "nghìn", MC_LANG_VI },
	{ "vi/num/ngan", "ngàn", MC_LANG_VI },
	{ "vi/num/trieu", "triệu", MC_LANG_VI },
	{ "vi/num/ty", "tỷ", MC_LANG_VI },
	/* Vietnamese names of the letters of service prefixes. */
	{ "vi/chu/a", "a", MC_LANG_VI },
	{ "vi/chu/b", "bê", MC_LANG_VI },
	{ "vi/chu/c", "xê", MC_LANG_VI },
	{ "vi/chu/d", "dê", MC_LANG_VI },
	{ "vi/chu/e", "e", MC_LANG_VI },
	{ "vi/chu/f", "ép", MC_LANG_VI },
	{ "vi/chu/g", "giê", MC_LANG_VI },
	{ "vi/chu/h", "hát", MC_LANG_VI },
	{ "vi/chu/i", "i", MC_LANG_VI },
	{ "vi/chu/j", "gi", MC_LANG_VI },
	{ "vi/chu/k", "ca", MC_LANG_VI },
	{ "vi/chu/l", "e lờ", MC_LANG_VI },
	{ "vi/chu/m", "em mờ", MC_LANG_VI },
	{ "vi/chu/n", "en nờ", MC_LANG_VI },
	{ "vi/chu/o", "o", MC_LANG_VI },
	{ "vi/chu/p", "pê", MC_LANG_VI },
	{ "vi/chu/q", "quy", MC_LANG_VI },
	{ "vi/chu/r", "e rờ", MC_LANG_VI },
	{ "vi/chu/s", "ét xì", MC_LANG_VI },
	{ "vi/chu/t", "tê", MC_LANG_VI },
	{ "vi/chu/u", "u", MC_LANG_VI },
	{ "vi/chu/v", "vê", MC_LANG_VI },
	{ "vi/chu/w", "vê kép", MC_LANG_VI },
	{ "vi/chu/x", "ích xì", MC_LANG_VI },
	{ "vi/chu/y", "i dài", MC_LANG_VI },
	{ "vi/chu/z", "dét", MC_LANG_VI },
	{ "en/number", "Number", MC_LANG_EN },
	{ "en/please_go_to_counter", "please go to counter", MC_LANG_EN },
	{ "en/num/zero", "zero", MC_LANG_EN },
	{ "en/num/one", "one", MC_LANG_EN },
	{ "en/num/two", "two", MC_LANG_EN },
	{ "en/num/three", "three", MC_LANG_EN },
	{ "en/num/four", "four", MC_LANG_EN },
	{ "en/num/five", "five", MC_LANG_EN },
	{ "en/num/six", "six", MC_LANG_EN },
	{ "en/num/seven", "seven", MC_LANG_EN },
	{ "en/num/eight", "eight", MC_LANG_EN },
	{ "en/num/nine", "nine", MC_LANG_EN },
	{ "en/num/ten", "ten", MC_LANG_EN },
	{ "en/num/eleven", "eleven", MC_LANG_EN },
	{ "en/num/twelve", "twelve", MC_LANG_EN },
	{ "en/num/thirteen", "thirteen", MC_LANG_EN },
	{ "en/num/fourteen", "fourteen", MC_LANG_EN },
	{ "en/num/fifteen", "fifteen", MC_LANG_EN },
	{ "en/num/sixteen", "sixteen", MC_LANG_EN },
	{ "en/num/seventeen", "seventeen", MC_LANG_EN },
	{ "en/num/eighteen", "eighteen", MC_LANG_EN },
	{ "en/num/nineteen", "nineteen", MC_LANG_EN },
	{ "en/num/twenty", "twenty", MC_LANG_EN },
	{ "en/num/thirty", "thirty", MC_LANG_EN },
	{ "en/num/forty", "forty", MC_LANG_EN },
	{ "en/num/fifty", "fifty", MC_LANG_EN },
	{ "en/num/sixty", "sixty", MC_LANG_EN },
	{ "en/num/seventy", "seventy", MC_LANG_EN },
	{ "en/num/eighty", "eighty", MC_LANG_EN },
	{ "en/num/ninety", "ninety", MC_LANG_EN },
	{ "en/num/hundred", "hundred", MC_LANG_EN },
	{ "en/num/thousand", "thousand", MC_LANG_EN },
	{ "en/num/million", "million", MC_LANG_EN },
	{ "en/num/billion", "billion", MC_LANG_EN },
	/* English letter names, spoken as letters. */
	{ "en/letter/a", "A", MC_LANG_EN }, { "en/letter/b", "B", MC_LANG_EN },
	{ "en/letter/c", "C", MC_LANG_EN }, { "en/letter/d", "D", MC_LANG_EN },
	{ "en/letter/e", "E", MC_LANG_EN }, { "en/letter/f", "F", MC_LANG_EN },
	{ "en/letter/g", "G", MC_LANG_EN }, { "en/letter/h", "H", MC_LANG_EN },
	{ "en/letter/i", "I", MC_LANG_EN }, { "en/letter/j", "J", MC_LANG_EN },
	{ "en/letter/k", "K", MC_LANG_EN }, { "en/letter/l", "L", MC_LANG_EN },
	{ "en/letter/m", "M", MC_LANG_EN }, { "en/letter/n", "N", MC_LANG_EN },
	{ "en/letter/o", "O", MC_LANG_EN }, { "en/letter/p", "P", MC_LANG_EN },
	{ "en/letter/q", "Q", MC_LANG_EN }, { "en/letter/r", "R", MC_LANG_EN },
	{ "en/letter/s", "S", MC_LANG_EN }, { "en/letter/t", "T", MC_LANG_EN },
	{ "en/letter/u", "U", MC_LANG_EN }, { "en/letter/v", "V", MC_LANG_EN },
	{ "en/letter/w", "W", MC_LANG_EN }, { "en/letter/x", "X", MC_LANG_EN },
	{ "en/letter/y", "Y", MC_LANG_EN }, { "en/letter/z", "Z", MC_LANG_EN },
};

#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Vietnamese digit words, 0..9, in their plain forms. */
static const char *const vi_digit[10] = {
	"vi/num/khong", "vi/num/mot", "vi/num/hai", "vi/num/ba", "vi/num/bon",
	"vi/num/nam", "vi/num/sau", "vi/num/bay", "vi/num/tam", "vi/num/chin",
};

/* English 0..19 and the tens. */
static const char *const en_small[20] = {
	"en/num/zero", "en/num/one", "en/num/two", "en/num/three", "en/num/four",
	"en/num/five", "en/num/six", "en/num/seven", "en/num/eight", "en/num/nine",
	"en/num/ten", "en/num/eleven", "en/num/twelve", "en/num/thirteen", "en/num/fourteen",
	"en/num/fifteen", "en/num/sixteen", "en/num/seventeen", "en/num/eighteen",
	"en/num/nineteen",
};
static const char *const en_tens[10] = {
	NULL, NULL, "en/num/twenty", "en/num/thirty", "en/num/forty", "en/num/fifty",
	"en/num/sixty", "en/num/seventy", "en/num/eighty", "en/num/ninety",
};

/* Keys being appended to a caller's array. */
struct out {
	const char **keys;
	size_t n, max;
	bool full;               /* ran out of room */
};

static void put(struct out *o, const char *key)
{
	if (o->n == o->max) {
		o->full = true;
		return;
	}
	o->keys[o->n++] = key;
}

static int finish(struct out *o)
{
	if (o->full) {
		errno = ENOSPC;
		return -1;
	}
	return (int)o->n;
}

/* One Vietnamese group of three digits. full: a group after a higher one,
 * so its hundreds are said even when zero ("không trăm") and a lone unit
 * takes "linh"/"lẻ". */
static void vi_group(struct out *o, int v, bool full, const struct mc_reading *r)
{
	int h = v / 100, t = v / 10 % 10, u = v % 10;

	if (full || h) {
		put(o, vi_digit[h]);
		put(o, "vi/num/tram");
	}
	if (t == 0) {
		if (!u)
			return;
		if (full || h)
			put(o, r->le ? "vi/num/le" : "vi/num/linh");
		put(o, vi_digit[u]);        /* linh một, linh bốn, linh năm */
		return;
	}
	if (t == 1) {
		put(o, "vi/num/muoi");      /* mười */
		if (u == 5)
			put(o, "vi/num/lam"); /* mười lăm */
		else if (u)
			put(o, vi_digit[u]);  /* mười một, mười bốn */
		return;
	}
	put(o, vi_digit[t]);
	put(o, "vi/num/muoi_");             /* hai mươi */
	if (u == 1)
		put(o, "vi/num/mot_");      /* hai mươi mốt */
	else if (u == 4)
		put(o, r->no_tu ? "vi/num/bon" : "vi/num/tu");
	else if (u == 5)
		put(o, r->nham ? "vi/num/nham" : "vi/num/lam");
	else if (u)
		put(o, vi_digit[u]);
}

/* One English group below a thousand, with nothing said for zero. */
static void en_group(struct out *o, int v)
{
	if (v >= 100) {
		put(o, en_small[v / 100]);
		put(o, "en/num/hundred");
		v %= 100;
	}
	if (v >= 20) {
		put(o, en_tens[v / 10]);
		if (v % 10)
			put(o, en_small[v % 10]);
	} else if (v) {
		put(o, en_small[v]);
	}
}

int mc_vnnum_whole(long long n, const struct mc_reading *r, const char **keys, size_t max)
{
	static const char *const vi_scale[] = { NULL, NULL, "vi/num/trieu", "vi/num/ty" };
	static const char *const en_scale[] = { NULL, "en/num/thousand", "en/num/million",
						"en/num/billion" };
	struct out o = { keys, 0, max, false };
	int g[4], top = 0;

	if (n < 0 || n >= MC_VNNUM_LIMIT) {
		errno = ERANGE;
		return -1;
	}
	if (n == 0) {
		put(&o, r->lang == MC_LANG_EN ? "en/num/zero" : "vi/num/khong");
		return finish(&o);
	}
	for (int i = 0; i < 4; i++) {
		g[i] = (int)(n % 1000);
		n /= 1000;
		if (g[i])
			top = i;
	}
	for (int i = top; i >= 0; i--) {
		if (!g[i])
			continue;   /* an empty group is not said: 1 000 005 một triệu không trăm linh năm */
		if (r->lang == MC_LANG_EN) {
			en_group(&o, g[i]);
			if (i)
				put(&o, en_scale[i]);
		} else {
			vi_group(&o, g[i], i != top, r);
			if (i == 1)
				put(&o, r->ngan ? "vi/num/ngan" : "vi/num/nghin");
			else if (i)
				put(&o, vi_scale[i]);
		}
	}
	return finish(&o);
}

int mc_vnnum_digits(const char *s, const struct mc_reading *r, const char **keys, size_t max)
{
	struct out o = { keys, 0, max, false };

	if (!*s) {
		errno = EINVAL;
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9') {
			errno = EINVAL;
			return -1;
		}
		put(&o, r->lang == MC_LANG_EN ? en_small[*p - '0'] : vi_digit[*p - '0']);
	}
	return finish(&o);
}

/* The key of letter c (A-Z) in r's language. */
static const char *letter_key(char c, const struct mc_reading *r)
{
	char key[16];

	snprintf(key, sizeof(key), "%s%c", r->lang == MC_LANG_EN ? "en/letter/" : "vi/chu/",
		 c - 'A' + 'a');
	for (size_t i = 0; i < NWORDS; i++)
		if (!strcmp(words[i].key, key))
			return words[i].key;
	return NULL;
}

int mc_vnnum_label(const char *label, const struct mc_reading *r, const char **keys, size_t max)
{
	struct out o = { keys, 0, max, false };
	size_t nletters = 0, ndigits;
	long long v = 0;

	while (label[nletters] >= 'A' && label[nletters] <= 'Z')
		nletters++;
	ndigits = strlen(label + nletters);
	if (nletters > 2 || ndigits < 1 || ndigits > 9 ||
	    strspn(label + nletters, "0123456789") != ndigits) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < nletters; i++)
		put(&o, letter_key(label[i], r));
	if (o.full)
		return finish(&o);
	int k;
	if (r->digits || (nletters && r->prefixed_digits)) {
		k = mc_vnnum_digits(label + nletters, r, keys + o.n, max - o.n);
	} else {
		for (size_t i = nletters; label[i]; i++)
			v = v * 10 + (label[i] - '0');
		k = mc_vnnum_whole(v, r, keys + o.n, max - o.n);
	}
	return k < 0 ? -1 : (int)o.n + k;
}

int mc_vnnum_call(const char *label, int counter, const struct mc_reading *r, const char **keys,
		  size_t max)
{
	struct mc_reading whole = *r;
	size_t n = 0;
	int k;

	if (counter < 1 || counter > 9999) {
		errno = ERANGE;
		return -1;
	}
	if (max < 4) {
		errno = ENOSPC;
		return -1;
	}
	keys[n++] = r->lang == MC_LANG_EN ? "en/number" : "vi/moi_cong_dan_co_so";
	keys[n++] = MC_KEY_BREATH;
	k = mc_vnnum_label(label, r, keys + n, max - n - 2);
	if (k < 0)
		return -1;
	n += (size_t)k;
	keys[n++] = MC_KEY_BREATH;
	keys[n++] = r->lang == MC_LANG_EN ? "en/please_go_to_counter" : "vi/den_quay_so";
	whole.digits = false;
	k = mc_vnnum_whole(counter, &whole, keys + n, max - n);
	if (k < 0)
		return -1;
	return (int)n + k;
}

const char *mc_vnnum_text(const char *key)
{
	for (size_t i = 0; i < NWORDS; i++)
		if (!strcmp(words[i].key, key))
			return words[i].text;
	return NULL;
}

char *mc_vnnum_join(const char *const *keys, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && used < len; i++) {
		/* A breath is heard, not written. */
		if (!strcmp(keys[i], MC_KEY_BREATH))
			continue;
		const char *t = !strcmp(keys[i], MC_KEY_CHIME)   ? "♪"
				: !strcmp(keys[i], MC_KEY_PAUSE) ? "…"
								 : mc_vnnum_text(keys[i]);
		int w = t ? snprintf(buf + used, len - used, "%s%s", used ? " " : "", t)
			  : snprintf(buf + used, len - used, "%s<%s>", used ? " " : "", keys[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

const struct mc_word *mc_vnnum_words(size_t *n)
{
	*n = NWORDS;
	return words;
}

/* Marks in used[] the vocabulary words among keys. */
static void mark(const char *const *keys, int n, bool *used)
{
	for (int i = 0; i < n; i++)
		for (size_t w = 0; w < NWORDS; w++)
			if (!strcmp(words[w].key, keys[i])) {
				used[w] = true;
				break;
			}
}

/* Marks what calls in r's language can say. */
static void mark_language(const struct mc_reading *r, const char *letters, bool *used)
{
	const char *k[MC_VNNUM_MAX];
	struct mc_reading whole = *r;
	char label[4] = "A";
	int n;

	whole.digits = false;
	/* 0..1099 meets every form of a group; counters are read whole. */
	for (int v = 0; v < 1100; v++) {
		n = mc_vnnum_whole(v, &whole, k, MC_VNNUM_MAX);
		mark(k, n, used);
	}
	if (r->digits || r->prefixed_digits) {
		n = mc_vnnum_digits("0123456789", r, k, MC_VNNUM_MAX);
		mark(k, n, used);
	}
	if (!r->digits) {
		/* Labels have at most nine digits: up to triệu, never tỷ. */
		n = mc_vnnum_whole(1000000, r, k, MC_VNNUM_MAX);
		mark(k, n, used);
	}
	for (const char *l = letters; *l; l++) {
		if (*l < 'A' || *l > 'Z')
			continue;
		label[0] = *l;
		strcpy(label + 1, "1");
		n = mc_vnnum_label(label, r, k, MC_VNNUM_MAX);
		mark(k, n, used);
	}
	n = mc_vnnum_call("1", 1, r, k, MC_VNNUM_MAX);
	mark(k, n, used);
}

int mc_vnnum_vocabulary(const struct mc_reading *r, bool english, const char *letters,
			const char **keys, size_t max)
{
	bool used[NWORDS] = { false };
	struct out o = { keys, 0, max, false };

	if (english || r->lang == MC_LANG_EN) {
		struct mc_reading en = *r;
		en.lang = MC_LANG_EN;
		mark_language(&en, letters, used);
	}
	if (r->lang == MC_LANG_VI)
		mark_language(r, letters, used);
	for (size_t w = 0; w < NWORDS; w++)
		if (used[w])
			put(&o, words[w].key);
	return finish(&o);
}
