/* bundle.h — which update bundles kioskd hands to RAUC (which runs as
 * root): only regular files under the directories board.conf allows
 * ([update] bundle_dirs), reached without following any symbolic link
 * below those directories, and the names `kioskctl update` may upload.
 * Blocking file-system calls (open, fstat): call them from a worker or for
 * one request at a time; no state. */
#ifndef MC_BUNDLE_H
#define MC_BUNDLE_H

#include <stddef.h>

/* Checks that path (absolute) is a regular file inside one of dirs[0..n-1]:
 * the directory itself may be a link (e.g. /run/media), but each component
 * below it is opened with O_NOFOLLOW ("..", "." and empty components are
 * refused), the last with O_NOFOLLOW | O_NONBLOCK and fstat'd S_ISREG.
 * Returns an open read-only descriptor of the file (caller closes), or -1
 * with a message for people in err (errno EACCES outside every directory
 * or through a link, EINVAL not a regular file, else the open error). */
int mc_bundle_open(const char *const *dirs, int n, const char *path, char *err, size_t errlen);

/* True if name may be an uploaded bundle's file name in updates/: 1..100
 * characters of A-Z a-z 0-9 . _ -, not starting with a dot, ending in
 * ".raucb". */
int mc_bundle_name_ok(const char *name);

#endif
