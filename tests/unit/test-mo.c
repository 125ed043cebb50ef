/* test-mo.c — gettext catalogues read without the C library (ui/mo.c):
 * the project's own Vietnamese catalogue as msgfmt wrote it, the other
 * byte order, and files that lie about their sizes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mo.h"

#ifndef MC_LOCALEDIR_BUILD
#error "MC_LOCALEDIR_BUILD names the build tree's catalogues"
#endif

/* A catalogue of two messages, written here word by word in byte order
 * big (1) or little (0): "" (header), "Back" -> "Quay lại". */
static size_t make_mo(unsigned char *buf, int big)
{
	static const char s_hdr[] = "", s_back[] = "Back", t_hdr[] = "Language: vi\n", t_back[] = "Quay lại";
	uint32_t w[5 + 8];
	size_t off = sizeof(w);
	unsigned char *p = buf + off;
	const char *strs[4] = { s_hdr, s_back, t_hdr, t_back };
	uint32_t at[4], len[4];

	for (int i = 0; i < 4; i++) {
		len[i] = (uint32_t)strlen(strs[i]);
		at[i] = (uint32_t)(p - buf);
		memcpy(p, strs[i], len[i] + 1);
		p += len[i] + 1;
	}
	w[0] = 0x950412de; w[1] = 0; w[2] = 2; w[3] = 20; w[4] = 36;
	w[5] = len[0]; w[6] = at[0]; w[7] = len[1]; w[8] = at[1];
	w[9] = len[2]; w[10] = at[2]; w[11] = len[3]; w[12] = at[3];
	for (int i = 0; i < 13; i++) {
		uint32_t v = w[i];
		unsigned char *q = buf + 4 * i;
		if (big) {
			q[0] = (unsigned char)(v >> 24); q[1] = (unsigned char)(v >> 16);
			q[2] = (unsigned char)(v >> 8); q[3] = (unsigned char)v;
		} else {
			q[3] = (unsigned char)(v >> 24); q[2] = (unsigned char)(v >> 16);
			q[1] = (unsigned char)(v >> 8); q[0] = (unsigned char)v;
		}
	}
	return (size_t)(p - buf);
}

static void the_vietnamese_catalogue_translates(void **state)
{
	struct mc_mo *mo = mc_mo_open(MC_LOCALEDIR_BUILD "/vi/LC_MESSAGES/motcua.mo");

	(void)state;
	assert_non_null(mo);
	assert_true(mc_mo_count(mo) > 10);
	assert_string_equal(mc_mo_find(mo, "Please choose a service"), "Xin mời chọn lĩnh vực cần giải quyết");
	assert_string_equal(mc_mo_find(mo, "About %d min"), "Khoảng %d phút");
	assert_null(mc_mo_find(mo, "Please choose a servic"));
	assert_null(mc_mo_find(mo, "no such message"));
	assert_null(mc_mo_find(mo, ""));
	mc_mo_free(mo);
	assert_null(mc_mo_find(NULL, "Back"));
}

static void both_byte_orders(void **state)
{
	unsigned char buf[256];

	(void)state;
	for (int big = 0; big < 2; big++) {
		size_t n = make_mo(buf, big);
		struct mc_mo *mo = mc_mo_parse(buf, n);
		assert_non_null(mo);
		assert_int_equal(mc_mo_count(mo), 2);
		assert_string_equal(mc_mo_find(mo, "Back"), "Quay lại");
		mc_mo_free(mo);
	}
}

static void malformed_files_are_refused(void **state)
{
	unsigned char buf[256], bad[256];
	size_t n = make_mo(buf, 0);

	(void)state;
	/* Cut anywhere: the last string loses its NUL or a table its end. */
	for (size_t cut = 0; cut < n; cut++) {
		errno = 0;
		assert_null(mc_mo_parse(buf, cut));
		assert_int_equal(errno, EINVAL);
	}
	memcpy(bad, buf, n);
	bad[0] ^= 0xff; /* magic */
	assert_null(mc_mo_parse(bad, n));
	memcpy(bad, buf, n);
	bad[8] = 0xff; /* count beyond the file */
	assert_null(mc_mo_parse(bad, n));
	memcpy(bad, buf, n);
	bad[44] = 200; /* a translation's length past its NUL */
	assert_null(mc_mo_parse(bad, n));
	errno = 0;
	assert_null(mc_mo_open("/nonexistent/motcua.mo"));
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_vietnamese_catalogue_translates),
		cmocka_unit_test(both_byte_orders),
		cmocka_unit_test(malformed_files_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
