/* scale.c — the office's satisfaction scale (see scale.h). */
#include "scale.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_vi[] = { "Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng" };
static const char *const default_en[] = { "Very satisfied", "Satisfied", "Neutral", "Dissatisfied" };
static const char *const legacy_vi[] = { "Rất hài lòng", "Hài lòng", "Không hài lòng", "Rất không hài lòng" };
static const char *const legacy_en[] = { "Very satisfied", "Satisfied", "Unsatisfied", "Very unsatisfied" };

static void fill(struct mc_scale *s, const char *const *vi, const char *const *en, bool legacy)
{
	memset(s, 0, sizeof(*s));
	s->n = 4;
	s->satisfied = 2;
	s->legacy = legacy;
	for (int i = 0; i < 4; i++) {
		snprintf(s->vi[i], sizeof(s->vi[i]), "%s", vi[i]);
		snprintf(s->en[i], sizeof(s->en[i]), "%s", en[i]);
	}
}

void mc_scale_default(struct mc_scale *s)
{
	fill(s, default_vi, default_en, false);
}

void mc_scale_legacy(struct mc_scale *s)
{
	fill(s, legacy_vi, legacy_en, true);
}

int mc_scale_legacy_rating(int stored)
{
	return stored >= 1 && stored <= 4 ? 5 - stored : 0;
}

int mc_scale_set_labels(struct mc_scale *s, bool en, const char *list, char *err, size_t errlen)
{
	char buf[MC_SCALE_MAX * MC_SCALE_LABEL + 64], *save = NULL;
	char (*out)[MC_SCALE_LABEL] = en ? s->en : s->vi;
	int n = 0;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "too long");
		return -1;
	}
	if (strchr(list, ';')) {
		snprintf(err, errlen, "a label may not contain ';'");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t len;
		while (*t == ' ' || *t == '\t')
			t++;
		len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\t'))
			t[--len] = 0;
		if (!len || len >= MC_SCALE_LABEL) {
			snprintf(err, errlen, "each level needs a label of 1-%d bytes", MC_SCALE_LABEL - 1);
			return -1;
		}
		if (n == MC_SCALE_MAX) {
			snprintf(err, errlen, "more than %d levels", MC_SCALE_MAX);
			return -1;
		}
		snprintf(out[n++], MC_SCALE_LABEL, "%s", t);
	}
	if (n < MC_SCALE_MIN) {
		snprintf(err, errlen, "%d levels: a scale has %d to %d, best first, separated by commas", n,
			 MC_SCALE_MIN, MC_SCALE_MAX);
		return -1;
	}
	if (!en) {
		for (int i = n; i < MC_SCALE_MAX; i++)
			s->vi[i][0] = 0;
		s->n = n;
	} else if (n != s->n) {
		snprintf(err, errlen, "%d English labels for %d levels", n, s->n);
		return -1;
	}
	return 0;
}

size_t mc_scale_format(const struct mc_scale *s, char *buf, size_t len)
{
	size_t o = 0;

#define PUT(...) do { int k_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__); \
		      if (k_ > 0) o += (size_t)k_; } while (0)
	if (len)
		buf[0] = 0;
	if (s->legacy)
		return 0;
	PUT("n=%d;satisfied=%d;vi=", s->n, s->satisfied);
	for (int i = 0; i < s->n; i++)
		PUT("%s%s", i ? "," : "", s->vi[i]);
	PUT(";en=");
	for (int i = 0; i < s->n; i++)
		PUT("%s%s", i ? "," : "", s->en[i]);
#undef PUT
	return o;
}

static int split(const char *v, char (*out)[MC_SCALE_LABEL], int n)
{
	int k = 0;

	for (const char *p = v; k < n; k++) {
		const char *bar = strchr(p, ',');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len >= MC_SCALE_LABEL)
			return -1;
		memcpy(out[k], p, len);
		out[k][len] = 0;
		if (!bar)
			return k + 1 == n ? 0 : -1;
		p = bar + 1;
	}
	return -1;
}

int mc_scale_parse(const char *text, struct mc_scale *s)
{
	char buf[MC_SCALE_TEXT], *save = NULL;
	bool vi = false, en = false;

	if (!text[0]) {
		mc_scale_legacy(s);
		return 0;
	}
	memset(s, 0, sizeof(*s));
	if (strlen(text) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		if (!strncmp(t, "n=", 2))
			s->n = atoi(t + 2);
		else if (!strncmp(t, "satisfied=", 10))
			s->satisfied = atoi(t + 10);
		else if (!strncmp(t, "vi=", 3) && s->n >= MC_SCALE_MIN && s->n <= MC_SCALE_MAX)
			vi = split(t + 3, s->vi, s->n) == 0;
		else if (!strncmp(t, "en=", 3) && s->n >= MC_SCALE_MIN && s->n <= MC_SCALE_MAX)
			en = split(t + 3, s->en, s->n) == 0;
	}
	return vi && en && s->satisfied >= 1 && s->satisfied < s->n ? 0 : -1;
}

bool mc_scale_equal(const struct mc_scale *a, const struct mc_scale *b)
{
	if (a->n != b->n || a->satisfied != b->satisfied || a->legacy != b->legacy)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->vi[i], b->vi[i]) || strcmp(a->en[i], b->en[i]))
			return false;
	return true;
}
