/* test-netaddr.c — the technician's network lines (netaddr.h) from
 * synthetic interface lists: IPv4 first, then global IPv6, then
 * link-local with its interface; loopback, down interfaces and other
 * families left out; none at all is 0 lines (the menu's "không có mạng"). */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netaddr.h"

struct entry {
	struct ifaddrs ifa;
	struct sockaddr_storage addr;
};

static void fill(struct entry *e, const char *name, int family, const char *text, unsigned flags,
		 struct entry *next)
{
	memset(e, 0, sizeof(*e));
	e->ifa.ifa_name = (char *)name;
	e->ifa.ifa_flags = flags;
	e->ifa.ifa_next = next ? &next->ifa : NULL;
	e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&e->addr;
		a->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&e->addr;
		a->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	} else {
		e->addr.ss_family = (sa_family_t)family;
	}
}

static void order_and_filter(void **state)
{
	struct entry e[7];
	char out[8][MC_NETADDR_LEN];

	(void)state;
	fill(&e[0], "lo", AF_INET, "127.0.0.1", IFF_UP | IFF_LOOPBACK, &e[1]);
	fill(&e[1], "eth0", AF_INET6, "fe80::1", IFF_UP, &e[2]);
	fill(&e[2], "eth0", AF_INET6, "2001:db8::5", IFF_UP, &e[3]);
	fill(&e[3], "wlan0", AF_INET, "10.0.0.7", 0, &e[4]);           /* down */
	fill(&e[4], "eth0", AF_INET, "192.168.1.20", IFF_UP, &e[5]);
	fill(&e[5], "eth0", AF_PACKET, "", IFF_UP, &e[6]);              /* not an address */
	fill(&e[6], "lo", AF_INET6, "::1", IFF_UP | IFF_LOOPBACK, NULL);
	assert_int_equal(mc_netaddr_format(&e[0].ifa, out, 8), 3);
	assert_string_equal(out[0], "eth0 192.168.1.20");
	assert_string_equal(out[1], "eth0 2001:db8::5");
	assert_string_equal(out[2], "eth0 fe80::1%eth0");
	/* At most max lines, IPv4 kept first. */
	assert_int_equal(mc_netaddr_format(&e[0].ifa, out, 1), 1);
	assert_string_equal(out[0], "eth0 192.168.1.20");
}

static void no_network(void **state)
{
	struct entry e[2];
	char out[4][MC_NETADDR_LEN];

	(void)state;
	assert_int_equal(mc_netaddr_format(NULL, out, 4), 0);
	fill(&e[0], "lo", AF_INET, "127.0.0.1", IFF_UP | IFF_LOOPBACK, &e[1]);
	fill(&e[1], "eth0", AF_INET, "192.168.1.20", 0, NULL);
	assert_int_equal(mc_netaddr_format(&e[0].ifa, out, 4), 0);
}

static void this_machine(void **state)
{
	char out[8][MC_NETADDR_LEN];

	(void)state;
	int n = mc_netaddr_list(out, 8);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		assert_non_null(strchr(out[i], ' '));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_and_filter),
		cmocka_unit_test(no_network),
		cmocka_unit_test(this_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
