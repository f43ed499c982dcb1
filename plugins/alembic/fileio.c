/* Reading one file whole, and joining paths. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alembic_int.h"

/* Out of memory is reported like every other error: the plugin never exits. */
int al_oom(strata_host *h)
{
	h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "out of memory");
	return STRATA_ENOMEM;
}

/* Grow-as-needed reads rather than trusting st_size: the file may change
 * under us, and a revision is read once.  No host calls: scan.c reads files
 * on worker threads.  0, or an errno value. */
int al_slurp(const char *path, char **out, size_t *len)
{
	return al_slurpat(AT_FDCWD, path, out, len);
}

/* path relative to the folder dirfd (one path lookup per file, not one per
 * component of the whole path). */
int al_slurpat(int dirfd, const char *path, char **out, size_t *len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	/* Sized from fstat (one read() for the usual file), grown if it grows. */
	struct stat st;
	size_t want = fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (1 << 30)
	                  ? (size_t)st.st_size : 0;
	size_t cap = want ? want + 2 : 8192, n = 0;
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
			return ENOMEM;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (want && n == want)
			break; /* the size fstat promised: no read() just to see EOF */
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* al_slurp with the error reported; STRATA_ENOTFOUND (nothing reported)
 * when the file does not exist, so the caller decides. */
int al_read_file(strata_host *h, const char *path, const char *display, char **out, size_t *len)
{
	int e = al_slurp(path, out, len);
	if (e == ENOENT)
		return STRATA_ENOTFOUND;
	if (e == ENOMEM)
		return al_oom(h);
	if (e) {
		h->error(h, STRATA_ECLASS_SOURCE, display, 0, 0, NULL, "cannot read: %s", strerror(e));
		return STRATA_EIO;
	}
	return 0;
}

/* dir + "/" + rel, or rel when it is absolute; NULL when out of memory. */
char *al_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || !dir || !*dir)
		return strdup(rel);
	size_t a = strlen(dir), b = strlen(rel);
	while (a > 1 && dir[a - 1] == '/')
		a--;
	char *p = malloc(a + b + 2);
	if (p)
		snprintf(p, a + b + 2, "%.*s/%s", (int)a, dir, rel);
	return p;
}
