/* module.c — loading the kiosk's modules (see module.h). */
#include "module.h"
#include "datadir.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const void *mc_module_symbol(const char *name, const char *sym, char *err, size_t errlen)
{
	char rel[128], path[4096];
	const char *dir = getenv("MOTCUA_MODULE_DIR");
	int n;

	if (dir && *dir) {
		n = snprintf(path, sizeof(path), "%s/%s.so", dir, name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			snprintf(err, errlen, "module %s: MOTCUA_MODULE_DIR is too long", name);
			return NULL;
		}
	} else {
		snprintf(rel, sizeof(rel), "lib/motcua/%s.so", name);
		if (mc_data_path(NULL, rel, path, sizeof(path)) < 0) {
			snprintf(err, errlen, "module %s: %s", name, strerror(errno));
			return NULL;
		}
	}
	/* RTLD_LOCAL: the module's libraries stay out of the global scope;
	 * RTLD_NODELETE: never unmapped under a thread or exit handler. */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!h) {
		const char *why = dlerror();
		/* The loader's reason names the file. */
		if (why && strstr(why, path))
			snprintf(err, errlen, "cannot load the %s module: %s", name, why);
		else
			snprintf(err, errlen, "cannot load the %s module %s: %s", name, path, why ? why : "unknown reason");
		return NULL;
	}
	dlerror();
	const void *p = dlsym(h, sym);
	if (!p) {
		const char *why = dlerror();
		snprintf(err, errlen, "%s has no %s: %s", path, sym, why ? why : "null symbol");
		return NULL;
	}
	return p;
}
