/* mo.h — a gettext catalogue (.mo file) read directly, without the C
 * library's gettext: glibc 2.41 (Debian 13) ignores LANGUAGE in the C.UTF-8
 * locale as in C, so the screens could not pick a language per string with
 * dgettext on a kiosk that has no other locale. The file is msgfmt's output
 * (either byte order); every offset is checked against the file's size.
 *
 * Ownership: mc_mo_open() returns a catalogue the caller frees with
 * mc_mo_free(); strings from mc_mo_find() live as long as it. Threads: a
 * catalogue is read-only after opening, any thread may look up. */
#ifndef MC_MO_H
#define MC_MO_H

#include <stddef.h>

struct mc_mo;

/* Reads the catalogue at path. NULL with errno: ENOENT and the like, or
 * EINVAL when the file is not a well-formed .mo. */
struct mc_mo *mc_mo_open(const char *path);
/* Parses a catalogue held in memory (copied). NULL with errno EINVAL. */
struct mc_mo *mc_mo_parse(const void *data, size_t len);
/* The translation of msgid (the first form of a plural), or NULL when the
 * catalogue has none (absent or empty msgstr). */
const char *mc_mo_find(const struct mc_mo *mo, const char *msgid);
/* Number of messages, the header entry included. */
size_t mc_mo_count(const struct mc_mo *mo);
/* Accepts NULL. */
void mc_mo_free(struct mc_mo *mo);

#endif
