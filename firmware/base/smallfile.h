/* smallfile.h — reading the small state files kioskd keeps beside its
 * database (STATE/clock, kiosk.db.id) so that a wrong file in their place
 * cannot stop the loop: a FIFO would block an open() for reading until a
 * writer came, and a symlink to /dev/zero or /dev/urandom would feed a
 * line reader for ever. */
#ifndef MC_SMALLFILE_H
#define MC_SMALLFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Reads path into buf (len bytes, len >= 1): at most len - 1 bytes, then
 * a NUL; the rest of a longer file is left unread. Opened without
 * blocking (O_NONBLOCK), and only a regular file is read (symlinks are
 * followed). Returns the bytes read, or -1 with errno: that of open()
 * (ENOENT: no file), EINVAL for anything but a regular file (a FIFO, a
 * device, a directory), or that of read(). buf is "" on -1. Never blocks
 * on anything but the disk; thread-safe. */
ssize_t mc_read_small_file(const char *path, char *buf, size_t len);

#endif
