/* datadir.h — where an installed program finds its data (clip sets,
 * translations): relative to the install prefix it runs from, never a path
 * compiled in at build time, so a package or a copied tree works wherever
 * it lands. An environment variable overrides it (tests, odd layouts). */
#ifndef MC_DATADIR_H
#define MC_DATADIR_H

#include <stddef.h>

/* Writes into buf the data path for rel (e.g. "share/motcua/clips/default"):
 * the value of the environment variable env when it is set and not empty,
 * else PREFIX/rel where PREFIX is the running program's directory's parent
 * (/usr for /usr/sbin/kioskd; BUILD for BUILD/firmware/kioskd, where the
 * build puts its data under BUILD/share the same way). 0, or -1 with errno
 * (ENAMETOOLONG; /proc/self/exe unreadable). Thread-safe. */
int mc_data_path(const char *env, const char *rel, char *buf, size_t len);

#endif
