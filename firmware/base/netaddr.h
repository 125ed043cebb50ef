/* netaddr.h — the addresses a technician reaches the kiosk at, as short
 * lines for people ("eth0 192.168.1.20", "wlan0 2001:db8::5"), for the
 * technician menu and `kioskctl diag`. libc only (getifaddrs). */
#ifndef MC_NETADDR_H
#define MC_NETADDR_H

#include <ifaddrs.h>

#define MC_NETADDR_LEN 80        /* one line, with the interface name */

/* Formats the IPv4 and IPv6 addresses of the interfaces in list that are
 * up and not loopback: IPv4 first, then global IPv6, then link-local IPv6
 * (with "%ifname"), each "IFNAME ADDRESS", at most max lines into out.
 * Returns how many (0: no network). Pure: reads list only. */
int mc_netaddr_format(const struct ifaddrs *list, char (*out)[MC_NETADDR_LEN], int max);

/* The same for this machine now (getifaddrs: a netlink round trip, quick
 * and local). Returns the count, or -1 with errno. */
int mc_netaddr_list(char (*out)[MC_NETADDR_LEN], int max);

#endif
