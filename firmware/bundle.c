/* bundle.c — update bundle paths kioskd accepts (see bundle.h). */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens rel (below the directory dirfd) component by component without
 * following links. Returns the file's descriptor or -1 with errno. */
static int walk(int dirfd, const char *rel)
{
	char part[256];
	int fd = dup(dirfd);

	if (fd < 0)
		return -1;
	for (;;) {
		const char *slash = strchr(rel, '/');
		size_t len = slash ? (size_t)(slash - rel) : strlen(rel);
		if (len == 0 || len >= sizeof(part) || (len == 1 && rel[0] == '.') ||
		    (len == 2 && rel[0] == '.' && rel[1] == '.')) {
			close(fd);
			errno = EACCES;
			return -1;
		}
		memcpy(part, rel, len);
		part[len] = 0;
		int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : O_NONBLOCK);
		int next = openat(fd, part, flags);
		int e = errno;
		close(fd);
		if (next < 0) {
			/* A link below the directory: ELOOP (last) or ENOTDIR (middle). */
			errno = e == ELOOP || (slash && e == ENOTDIR) ? EACCES : e;
			return -1;
		}
		if (!slash)
			return next;
		fd = next;
		rel = slash + 1;
	}
}

int mc_bundle_open(const char *const *dirs, int n, const char *path, char *err, size_t errlen)
{
	if (!path || path[0] != '/') {
		snprintf(err, errlen, "cần đường dẫn tuyệt đối (an absolute path is needed)");
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t dl = strlen(dirs[i]);
		while (dl > 1 && dirs[i][dl - 1] == '/')
			dl--;
		if (strncmp(path, dirs[i], dl) || path[dl] != '/')
			continue;
		int dfd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		int fd = walk(dfd, path + dl + 1);
		int e = errno;
		close(dfd);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path,
				 e == EACCES ? "đi qua liên kết hoặc ra ngoài thư mục cho phép "
					       "(through a link or out of the allowed directory)"
					     : strerror(e));
			errno = e;
			return -1;
		}
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			snprintf(err, errlen, "%s: không phải tệp thường (not a regular file)", path);
			errno = EINVAL;
			return -1;
		}
		return fd;
	}
	snprintf(err, errlen, "%s: không nằm trong thư mục gói cập nhật "
		 "(not under [update] bundle_dirs)", path);
	errno = EACCES;
	return -1;
}

int mc_bundle_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 7 || n > 100 || name[0] == '.' || strcmp(name + n - 6, ".raucb"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}
