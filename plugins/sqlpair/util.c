/* Helpers every other file of the plugin needs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The walk listed rel, so a file gone since is reported like any other
 * read error rather than left to the caller. */
int sp_read_file(strata_host *h, int rootfd, const char *rel, char **out, size_t *len)
{
	int rc = strata_read_file(h, rootfd, rel, rel, out, len);
	return rc == STRATA_ENOTFOUND ? strata_read_error(h, rel, ENOENT) : rc;
}

/* A problem in a migration file.  host->error takes no va_list, so the
 * message is formatted here and passed on as one string. */
int sp_fail(strata_host *h, const char *file, int line, const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	h->error(h, STRATA_ECLASS_SOURCE, file, line, 0, hint, "%s", msg);
	return STRATA_EINVAL;
}

/* Paths of descriptors are built from a formats dir and a file name; a
 * malloc'd "a/b/c" (c may be NULL) keeps that in one place. */
char *sp_path_join(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	char *p = malloc(la + lb + lc + 3);
	if (!p)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb);
	p[la + 1 + lb] = '\0';
	if (c) {
		p[la + 1 + lb] = '/';
		memcpy(p + la + lb + 2, c, lc + 1);
	}
	return p;
}

/* A message about one file that names another: the host shows the `file`
 * argument from the user's point of view, but cannot rewrite message text,
 * and the plugin only knows the source folder's absolute path.  So the
 * other file is named by its full path, which is right from anywhere.
 * Returns a malloc'd string, NULL (reported) when out of memory. */
char *sp_other_file(strata_host *h, const sp_set *s, const char *rel)
{
	char *p = s->root ? sp_path_join(s->root, rel, NULL) : strdup(rel);
	if (!p)
		strata_oom(h);
	return p;
}
