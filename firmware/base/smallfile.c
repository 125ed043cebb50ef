/* smallfile.c — see smallfile.h. */
#include "smallfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t mc_read_small_file(const char *path, char *buf, size_t len)
{
	struct stat sb;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	buf[0] = 0;
	if (fd < 0)
		return -1;
	int e = fstat(fd, &sb) < 0 ? errno : S_ISREG(sb.st_mode) ? 0 : EINVAL;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			buf[0] = 0;
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	close(fd);
	return (ssize_t)got;
}
