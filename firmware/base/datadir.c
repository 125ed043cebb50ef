/* datadir.c — install-relative data paths (see datadir.h). */
#include "datadir.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mc_data_path(const char *env, const char *rel, char *buf, size_t len)
{
	char exe[4096];
	const char *over = env ? getenv(env) : NULL;
	int n;

	assert(rel && buf && len > 0);
	if (over && *over) {
		n = snprintf(buf, len, "%s", over);
	} else {
		ssize_t got = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (got < 0)
			return -1;
		exe[got] = 0;
		/* Drop the program's name, then its directory (sbin, bin, firmware). */
		for (int i = 0; i < 2; i++) {
			char *slash = strrchr(exe, '/');
			if (slash)
				*slash = 0;
		}
		n = snprintf(buf, len, "%s/%s", exe, rel);
	}
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
