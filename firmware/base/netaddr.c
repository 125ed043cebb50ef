/* netaddr.c — the kiosk's network addresses for people (see netaddr.h). */
#include "netaddr.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* 0 IPv4, 1 global IPv6, 2 link-local IPv6, -1 not shown. */
static int rank(const struct ifaddrs *p)
{
	if (!p->ifa_addr || (p->ifa_flags & IFF_LOOPBACK) || !(p->ifa_flags & IFF_UP))
		return -1;
	if (p->ifa_addr->sa_family == AF_INET)
		return 0;
	if (p->ifa_addr->sa_family != AF_INET6)
		return -1;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)p->ifa_addr)->sin6_addr;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return -1;
	return IN6_IS_ADDR_LINKLOCAL(a) ? 2 : 1;
}

int mc_netaddr_format(const struct ifaddrs *list, char (*out)[MC_NETADDR_LEN], int max)
{
	int n = 0;

	for (int want = 0; want <= 2; want++)
		for (const struct ifaddrs *p = list; p && n < max; p = p->ifa_next) {
			char addr[INET6_ADDRSTRLEN];
			if (rank(p) != want)
				continue;
			if (want == 0)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)p->ifa_addr)->sin_addr,
					  addr, sizeof(addr));
			else
				inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)p->ifa_addr)->sin6_addr,
					  addr, sizeof(addr));
			snprintf(out[n++], MC_NETADDR_LEN, "%.16s %s%s%.16s", p->ifa_name, addr, want == 2 ? "%" : "",
				 want == 2 ? p->ifa_name : "");
		}
	return n;
}

int mc_netaddr_list(char (*out)[MC_NETADDR_LEN], int max)
{
	struct ifaddrs *ifa;

	if (getifaddrs(&ifa) < 0)
		return -1;
	int n = mc_netaddr_format(ifa, out, max);
	freeifaddrs(ifa);
	return n;
}
