/* test-vnnum.c — Vietnamese (and English) number reading against a table
 * of expected texts covering every rule: không trăm, linh/lẻ, mốt, lăm/nhăm,
 * tư, mười/mươi, nghìn/ngàn, triệu, tỷ; digits; labels; calls. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vnnum.h"

/* Style flags of a table row. */
enum { NORTH = 0, LE = 1, NGAN = 2, NHAM = 4, NO_TU = 8, EN = 16, DIGITS = 32 };

static struct mc_reading style(int f)
{
	return (struct mc_reading){
		.lang = f & EN ? MC_LANG_EN : MC_LANG_VI,
		.digits = f & DIGITS,
		.le = f & LE,
		.ngan = f & NGAN,
		.nham = f & NHAM,
		.no_tu = f & NO_TU,
	};
}

static const struct {
	long long n;
	int style;
	const char *text;
} whole[] = {
	{ 0, NORTH, "không" },
	{ 1, NORTH, "một" },
	{ 4, NORTH, "bốn" },
	{ 5, NORTH, "năm" },
	{ 7, NORTH, "bảy" },
	{ 9, NORTH, "chín" },
	{ 10, NORTH, "mười" },
	{ 11, NORTH, "mười một" },
	{ 14, NORTH, "mười bốn" },
	{ 15, NORTH, "mười lăm" },
	{ 19, NORTH, "mười chín" },
	{ 20, NORTH, "hai mươi" },
	{ 21, NORTH, "hai mươi mốt" },
	{ 22, NORTH, "hai mươi hai" },
	{ 24, NORTH, "hai mươi tư" },
	{ 25, NORTH, "hai mươi lăm" },
	{ 27, NORTH, "hai mươi bảy" },
	{ 30, NORTH, "ba mươi" },
	{ 31, NORTH, "ba mươi mốt" },
	{ 44, NORTH, "bốn mươi tư" },
	{ 45, NORTH, "bốn mươi lăm" },
	{ 50, NORTH, "năm mươi" },
	{ 55, NORTH, "năm mươi lăm" },
	{ 61, NORTH, "sáu mươi mốt" },
	{ 75, NORTH, "bảy mươi lăm" },
	{ 99, NORTH, "chín mươi chín" },
	{ 100, NORTH, "một trăm" },
	{ 101, NORTH, "một trăm linh một" },
	{ 104, NORTH, "một trăm linh bốn" },
	{ 105, NORTH, "một trăm linh năm" },
	{ 109, NORTH, "một trăm linh chín" },
	{ 110, NORTH, "một trăm mười" },
	{ 111, NORTH, "một trăm mười một" },
	{ 115, NORTH, "một trăm mười lăm" },
	{ 121, NORTH, "một trăm hai mươi mốt" },
	{ 124, NORTH, "một trăm hai mươi tư" },
	{ 125, NORTH, "một trăm hai mươi lăm" },
	{ 200, NORTH, "hai trăm" },
	{ 305, NORTH, "ba trăm linh năm" },
	{ 410, NORTH, "bốn trăm mười" },
	{ 999, NORTH, "chín trăm chín mươi chín" },
	{ 1000, NORTH, "một nghìn" },
	{ 1001, NORTH, "một nghìn không trăm linh một" },
	{ 1005, NORTH, "một nghìn không trăm linh năm" },
	{ 1010, NORTH, "một nghìn không trăm mười" },
	{ 1015, NORTH, "một nghìn không trăm mười lăm" },
	{ 1021, NORTH, "một nghìn không trăm hai mươi mốt" },
	{ 1023, NORTH, "một nghìn không trăm hai mươi ba" },
	{ 1100, NORTH, "một nghìn một trăm" },
	{ 1234, NORTH, "một nghìn hai trăm ba mươi tư" },
	{ 1999, NORTH, "một nghìn chín trăm chín mươi chín" },
	{ 2001, NORTH, "hai nghìn không trăm linh một" },
	{ 2024, NORTH, "hai nghìn không trăm hai mươi tư" },
	{ 2500, NORTH, "hai nghìn năm trăm" },
	{ 5555, NORTH, "năm nghìn năm trăm năm mươi lăm" },
	{ 9999, NORTH, "chín nghìn chín trăm chín mươi chín" },
	{ 10000, NORTH, "mười nghìn" },
	{ 10500, NORTH, "mười nghìn năm trăm" },
	{ 15000, NORTH, "mười lăm nghìn" },
	{ 21000, NORTH, "hai mươi mốt nghìn" },
	{ 100000, NORTH, "một trăm nghìn" },
	{ 105000, NORTH, "một trăm linh năm nghìn" },
	{ 1000000, NORTH, "một triệu" },
	{ 1000005, NORTH, "một triệu không trăm linh năm" },
	{ 1001000, NORTH, "một triệu không trăm linh một nghìn" },
	{ 2500000, NORTH, "hai triệu năm trăm nghìn" },
	{ 123456789, NORTH,
	  "một trăm hai mươi ba triệu bốn trăm năm mươi sáu nghìn bảy trăm tám mươi chín" },
	{ 1000000000, NORTH, "một tỷ" },
	{ 999999999999LL, NORTH,
	  "chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi "
	  "chín nghìn chín trăm chín mươi chín" },
	/* Southern and colloquial styles. */
	{ 105, LE, "một trăm lẻ năm" },
	{ 1005, LE | NGAN, "một ngàn không trăm lẻ năm" },
	{ 1023, NGAN, "một ngàn không trăm hai mươi ba" },
	{ 25, NHAM, "hai mươi nhăm" },
	{ 35, NHAM, "ba mươi nhăm" },
	{ 15, NHAM, "mười lăm" },
	{ 105, NHAM, "một trăm linh năm" },
	{ 24, NO_TU, "hai mươi bốn" },
	{ 14, NO_TU, "mười bốn" },
	{ 1234, NO_TU, "một nghìn hai trăm ba mươi bốn" },
	/* English, second language. */
	{ 0, EN, "zero" },
	{ 13, EN, "thirteen" },
	{ 21, EN, "twenty one" },
	{ 105, EN, "one hundred five" },
	{ 1023, EN, "one thousand twenty three" },
	{ 2000000, EN, "two million" },
	{ 1000001, EN, "one million one" },
};

static void check(const char *what, const char *const *keys, int n, const char *want)
{
	char buf[1024];

	assert_true(n > 0);
	mc_vnnum_join(keys, (size_t)n, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("%s: got \"%s\", want \"%s\"", what, buf, want);
}

static void test_whole_table(void **state)
{
	(void)state;
	assert_true(sizeof(whole) / sizeof(whole[0]) >= 60);
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		const char *keys[MC_VNNUM_MAX];
		struct mc_reading r = style(whole[i].style);
		char what[64];
		int n = mc_vnnum_whole(whole[i].n, &r, keys, MC_VNNUM_MAX);
		snprintf(what, sizeof(what), "%lld (style %d)", whole[i].n, whole[i].style);
		check(what, keys, n, whole[i].text);
		for (int k = 0; k < n; k++)
			assert_non_null(mc_vnnum_text(keys[k]));
	}
}

static const struct {
	const char *label;
	int style;
	const char *text;
} labels[] = {
	{ "1023", NORTH, "một nghìn không trăm hai mươi ba" },
	{ "1023", DIGITS, "một không hai ba" },
	{ "0", DIGITS, "không" },
	{ "105", DIGITS, "một không năm" },
	{ "4521", DIGITS, "bốn năm hai một" },
	{ "B017", NORTH, "bê mười bảy" },
	{ "B017", DIGITS, "bê không một bảy" },
	{ "A005", NORTH, "a năm" },
	{ "AB21", NORTH, "a bê hai mươi mốt" },
	{ "C124", NORTH, "xê một trăm hai mươi tư" },
	{ "B017", EN, "B seventeen" },
	{ "B017", EN | DIGITS, "B zero one seven" },
};

static void test_labels(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		const char *keys[MC_VNNUM_MAX];
		struct mc_reading r = style(labels[i].style);
		int n = mc_vnnum_label(labels[i].label, &r, keys, MC_VNNUM_MAX);
		check(labels[i].label, keys, n, labels[i].text);
	}
}

static void test_calls(void **state)
{
	const char *keys[MC_VNNUM_MAX];
	struct mc_reading r = style(NORTH);
	int n;

	(void)state;
	n = mc_vnnum_call("1023", 3, &r, keys, MC_VNNUM_MAX);
	check("call", keys, n,
	      "Mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba");
	assert_string_equal(keys[0], "vi/moi_cong_dan_co_so");
	/* Digit by digit applies to the ticket; the counter is read whole. */
	r = style(DIGITS);
	n = mc_vnnum_call("B017", 12, &r, keys, MC_VNNUM_MAX);
	check("digits call", keys, n, "Mời công dân có số bê không một bảy đến quầy số mười hai");
	r = style(EN);
	n = mc_vnnum_call("1023", 3, &r, keys, MC_VNNUM_MAX);
	check("English call", keys, n, "Number one thousand twenty three please go to counter three");
	r = style(LE);
	n = mc_vnnum_call("2105", 21, &r, keys, MC_VNNUM_MAX);
	check("southern call", keys, n,
	      "Mời công dân có số hai nghìn một trăm lẻ năm đến quầy số hai mươi mốt");
}

/* A prefixed label digit by digit, plain numbers whole; a breath before the
 * number and before "đến quầy số" (heard, not written). */
static void test_prefixed_digits_and_breaths(void **state)
{
	const char *keys[MC_VNNUM_MAX];
	struct mc_reading r = style(NORTH);
	int n;

	(void)state;
	r.prefixed_digits = true;
	n = mc_vnnum_label("A017", &r, keys, MC_VNNUM_MAX);
	check("prefixed digits", keys, n, "a không một bảy");
	n = mc_vnnum_label("1017", &r, keys, MC_VNNUM_MAX);
	check("plain number stays whole", keys, n, "một nghìn không trăm mười bảy");
	n = mc_vnnum_call("A017", 3, &r, keys, MC_VNNUM_MAX);
	check("prefixed call", keys, n, "Mời công dân có số a không một bảy đến quầy số ba");
	assert_int_equal(n, 9);
	assert_string_equal(keys[0], "vi/moi_cong_dan_co_so");
	assert_string_equal(keys[1], MC_KEY_BREATH);
	assert_string_equal(keys[2], "vi/chu/a");
	assert_string_equal(keys[6], MC_KEY_BREATH);
	assert_string_equal(keys[7], "vi/den_quay_so");
	/* The clips a set needs include the digit words. */
	const char *voc[256];
	struct mc_reading d = style(NORTH);
	d.prefixed_digits = true;
	n = mc_vnnum_vocabulary(&d, false, "A", voc, 256);
	bool khong = false;
	for (int i = 0; i < n; i++)
		khong |= !strcmp(voc[i], "vi/num/khong");
	assert_true(khong);
}

static void test_errors(void **state)
{
	const char *keys[MC_VNNUM_MAX];
	struct mc_reading r = style(NORTH);

	(void)state;
	errno = 0;
	assert_int_equal(mc_vnnum_whole(-1, &r, keys, MC_VNNUM_MAX), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(mc_vnnum_whole(MC_VNNUM_LIMIT, &r, keys, MC_VNNUM_MAX), -1);
	assert_int_equal(errno, ERANGE);
	/* 1023 needs 7 keys. */
	assert_int_equal(mc_vnnum_whole(1023, &r, keys, 6), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(mc_vnnum_whole(1023, &r, keys, 7), 7);
	const char *bad[] = { "", "A", "b12", "ABC1", "12A", "1 2", "1234567890", "A-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (mc_vnnum_label(bad[i], &r, keys, MC_VNNUM_MAX) != -1 || errno != EINVAL)
			fail_msg("label \"%s\" was accepted", bad[i]);
	}
	assert_int_equal(mc_vnnum_digits("12x", &r, keys, MC_VNNUM_MAX), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mc_vnnum_call("1023", 0, &r, keys, MC_VNNUM_MAX), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(mc_vnnum_call("1023", 3, &r, keys, 8), -1);
	assert_int_equal(errno, ENOSPC);
	assert_null(mc_vnnum_text("vi/num/nope"));
}

static bool has(const char *const *keys, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

static void test_vocabulary(void **state)
{
	const char *keys[256];
	struct mc_reading r = style(NORTH);
	size_t nwords;
	const struct mc_word *w = mc_vnnum_words(&nwords);
	int n;

	(void)state;
	n = mc_vnnum_vocabulary(&r, false, "", keys, 256);
	assert_true(n > 20);
	assert_true(has(keys, n, "vi/moi_cong_dan_co_so"));
	assert_true(has(keys, n, "vi/num/linh"));
	assert_true(has(keys, n, "vi/num/mot_"));
	assert_true(has(keys, n, "vi/num/tu"));
	assert_true(has(keys, n, "vi/num/lam"));
	assert_true(has(keys, n, "vi/num/trieu"));
	assert_false(has(keys, n, "vi/num/le"));
	assert_false(has(keys, n, "vi/num/nham"));
	assert_false(has(keys, n, "vi/num/ngan"));
	assert_false(has(keys, n, "vi/num/ty"));
	assert_false(has(keys, n, "vi/chu/b"));
	assert_false(has(keys, n, "en/number"));
	r = style(LE | NGAN | DIGITS);
	n = mc_vnnum_vocabulary(&r, true, "BC", keys, 256);
	assert_true(has(keys, n, "vi/num/le"));
	assert_true(has(keys, n, "vi/num/ngan"));
	assert_false(has(keys, n, "vi/num/trieu"));
	assert_true(has(keys, n, "vi/chu/b"));
	assert_true(has(keys, n, "vi/chu/c"));
	assert_false(has(keys, n, "vi/chu/a"));
	assert_true(has(keys, n, "en/letter/b"));
	assert_true(has(keys, n, "en/please_go_to_counter"));
	assert_true(has(keys, n, "en/num/thousand"));
	/* Every key has a text and is a safe relative path. */
	for (size_t i = 0; i < nwords; i++) {
		assert_non_null(w[i].text);
		assert_null(strstr(w[i].key, ".."));
		assert_true(w[i].key[0] != '/');
	}
	assert_int_equal(mc_vnnum_vocabulary(&r, true, "", keys, 3), -1);
	assert_int_equal(errno, ENOSPC);
	/* The letters at both ends of A-Z are spoken; anything else is not a letter. */
	r = style(NORTH);
	n = mc_vnnum_vocabulary(&r, false, "AZ@[", keys, 256);
	assert_true(has(keys, n, "vi/chu/a"));
	assert_true(has(keys, n, "vi/chu/z"));
	assert_false(has(keys, n, "vi/chu/b"));
}

static void test_join(void **state)
{
	char buf[64];
	const char *keys[] = { "vi/chu/a", "no/such/key" };

	(void)state;
	/* No keys: an empty string, whatever the buffer held. */
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(mc_vnnum_join(keys, 0, buf, sizeof(buf)), "");
	/* Written out by hand: the letter's text, then an unknown key in <>. */
	assert_string_equal(mc_vnnum_join(keys, 2, buf, sizeof(buf)), "a <no/such/key>");
	/* A short buffer is cut, never overrun. */
	assert_string_equal(mc_vnnum_join(keys, 2, buf, 5), "a <n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_table),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_prefixed_digits_and_breaths),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
