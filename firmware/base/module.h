/* module.h — the kiosk's loadable modules: parts that pull in large
 * libraries only some kiosks need (the city uplink's libpq and its TLS
 * stack, CUPS) live in lib/motcua/NAME.so and are loaded when board.conf
 * asks for them, so a kiosk without them neither maps those libraries nor
 * pays their relocations in private memory (issue 16).
 *
 * A module exports one data symbol, a const table of its entry points;
 * the caller knows the table's type from the module's header. */
#ifndef MC_MODULE_H
#define MC_MODULE_H

#include <stddef.h>

/* Loads module name (e.g. "uplink") and returns the address of its data
 * symbol sym, or NULL with a message for people in err (the module's path
 * and the loader's reason). The file is PREFIX/lib/motcua/NAME.so, PREFIX
 * as mc_data_path() finds it (/usr for /usr/sbin/kioskd, BUILD in the
 * build tree), or $MOTCUA_MODULE_DIR/NAME.so when that is set. A module
 * stays loaded until the process ends (its libraries may keep threads or
 * exit handlers). Thread-safe (the dynamic loader's lock). */
const void *mc_module_symbol(const char *name, const char *sym, char *err, size_t errlen);

/* Marks a module's exported table; modules are built with hidden
 * visibility, so their own calls bind to their own code even when the
 * program that loads them defines functions of the same names. */
#define MC_MODULE_EXPORT __attribute__((visibility("default")))

#endif
