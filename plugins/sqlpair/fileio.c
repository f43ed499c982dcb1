/* Reading one migration file whole, whatever its size. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Report a failed system call against the file the user knows about. */
static int io_error(strata_host *h, const char *rel, const char *what)
{
	h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL, "cannot %s: %s", what, strerror(errno));
	return STRATA_EIO;
}

/* open/fstat/read rather than stdio: one right-sized buffer per file is what
 * keeps a 100,000-file scan fast.  The buffer is NUL-terminated (callers
 * parse it as text) and grows if the file grew since fstat. */
int sp_read_file(strata_host *h, int rootfd, const char *rel, char **out, size_t *len)
{
	int fd = openat(rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return io_error(h, rel, "open");
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int rc = io_error(h, rel, "stat");
		close(fd);
		return rc;
	}
	/* Room for the file, the NUL and one byte more, so the read that
	 * finds EOF needs no realloc. */
	size_t cap = 4096;
	if (st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX / 2)
		cap = (size_t)st.st_size + 2;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return sp_oom(h);
	}
	size_t n = 0;
	for (;;) {
		if (n + 1 == cap) {
			char *nb = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				close(fd);
				return sp_oom(h);
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int rc = io_error(h, rel, "read");
			free(buf);
			close(fd);
			return rc;
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
