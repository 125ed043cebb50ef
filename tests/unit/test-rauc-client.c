/* test-rauc-client.c — the plain explanations kioskctl and kioskd give for
 * RAUC's refusals (rauc_explain), on RAUC 1.8's real messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rauc-client.h"

static void signature_errors(void **state)
{
	static const char *const msgs[] = {
		"signature verification failed: Verify error: self-signed certificate",
		"signature verification failed: Verify error: unable to get local issuer certificate",
		"Failed to verify bundle: CMS signature invalid",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		const char *e = rauc_explain(msgs[i]);
		assert_non_null(e);
		assert_non_null(strstr(e, "Chữ ký"));
		assert_non_null(strstr(e, "signature"));
	}
}

static void compatible_errors(void **state)
{
	const char *e = rauc_explain("Compatible mismatch: Expected 'motcua-rpi4-arm64' but bundle "
				     "manifest has 'other-vendor-board'");

	(void)state;
	assert_non_null(e);
	assert_non_null(strstr(e, "loại máy khác"));
	assert_non_null(strstr(e, "compatible"));
	assert_null(strstr(e, "Chữ ký"));
}

static void other_errors(void **state)
{
	(void)state;
	assert_null(rauc_explain(NULL));
	assert_null(rauc_explain("Failed writing slot rootfs.1: No space left on device"));
	assert_null(rauc_explain(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature_errors),
		cmocka_unit_test(compatible_errors),
		cmocka_unit_test(other_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
