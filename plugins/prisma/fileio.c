/* Reading one file whole, relative to an open folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prisma_int.h"

/* Out of memory is reported like every other error: the plugin never exits. */
int pr_oom(strata_host *h)
{
	h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "out of memory");
	return STRATA_ENOMEM;
}

/* Grow-as-needed reads rather than trusting st_size: the file may change
 * under us, and a migration is read once.  The buffer is NUL-terminated.
 * STRATA_ENOTFOUND (nothing reported) when the file does not exist, so the
 * caller decides whether that is an error. */
int pr_read_file(strata_host *h, int dirfd, const char *rel, char **out, size_t *len)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return STRATA_ENOTFOUND;
	if (fd < 0) {
		h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return STRATA_EIO;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf && n + 1 == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
		if (!buf) {
			close(fd);
			return pr_oom(h);
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL, "cannot read: %s",
			         strerror(errno));
			free(buf);
			close(fd);
			return STRATA_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return STRATA_OK;
}
