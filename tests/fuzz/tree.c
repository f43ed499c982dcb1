/* The folder of one fuzz input (tree.h): unpacked under a temporary folder
 * and emptied between inputs. */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folders fz_mkdtemp made, removed when the process exits. */
static char made[8][PATH_MAX];
static size_t nmade;

static void remove_made(void)
{
	for (size_t i = 0; i < nmade; i++)
		fz_remove(made[i]);
}

int fz_mkdtemp(const char *tag, char *out, size_t size)
{
	const char *bases[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
	for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
		if (!bases[i] || access(bases[i], W_OK) != 0)
			continue;
		char tmpl[PATH_MAX];
		snprintf(tmpl, sizeof tmpl, "%s/strata-fuzz-%s-XXXXXX", bases[i], tag);
		if (!mkdtemp(tmpl) || !realpath(tmpl, out) || strlen(out) >= size)
			continue;
		if (nmade < sizeof made / sizeof *made) {
			if (nmade == 0)
				atexit(remove_made);
			snprintf(made[nmade++], PATH_MAX, "%s", out);
		}
		return 0;
	}
	return -1;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag;
	return ftw->level == 0 ? 0 : remove(p);
}

int fz_empty(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fz_remove(const char *dir)
{
	fz_empty(dir);
	rmdir(dir);
}

/* name (len bytes) as a safe relative path in out; "" when nothing is left. */
static void clean_path(const char *name, size_t len, char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < len;) {
		size_t k = i;
		while (k < len && name[k] != '/')
			k++;
		size_t n = k - i;
		bool skip = n == 0 || (n == 1 && name[i] == '.') ||
		            (n == 2 && name[i] == '.' && name[i + 1] == '.') ||
		            memchr(name + i, '\0', n) != NULL;
		if (!skip && o + n + 2 < size) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, name + i, n);
			o += n;
			out[o] = '\0';
		}
		i = k + 1;
	}
}

/* dir/rel's folders made; the file itself written unless folder_only. */
static void put(const char *dir, const char *rel, bool folder_only, const unsigned char *data,
                size_t size)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= sizeof path)
		return;
	for (char *s = path + strlen(dir) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	if (folder_only) {
		mkdir(path, 0700);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	while (size > 0) {
		ssize_t w = write(fd, data, size);
		if (w <= 0)
			break;
		data += w;
		size -= (size_t)w;
	}
	close(fd);
}

int fz_tree_write(const char *dir, const unsigned char *data, size_t size)
{
	if (fz_empty(dir) != 0)
		return -1;
	const char *s = (const char *)data, *end = s + size;
	/* the first header: at the start, or after a newline */
	const char *h = size >= 4 && !memcmp(s, "=== ", 4) ? s : NULL;
	if (!h) {
		for (const char *p = s; p + 5 <= end && !h; p++)
			if (p[0] == '\n' && !memcmp(p + 1, "=== ", 4))
				h = p + 1;
	}
	for (int files = 0; h && files < FZ_TREE_MAX_FILES; files++) {
		const char *name = h + 4;
		const char *eol = memchr(name, '\n', (size_t)(end - name));
		const char *body = eol ? eol + 1 : end;
		const char *next = NULL;
		for (const char *p = eol; p && p + 5 <= end && !next; p++)
			if (p[0] == '\n' && !memcmp(p + 1, "=== ", 4))
				next = p;
		const char *body_end = next ? next + 1 : end; /* the file's last newline kept */
		if (body > body_end)
			body = body_end;
		size_t nlen = (size_t)((eol ? eol : end) - name);
		char rel[PATH_MAX / 2];
		clean_path(name, nlen, rel, sizeof rel);
		if (rel[0] && strlen(rel) < 240)
			put(dir, rel, nlen > 0 && name[nlen - 1] == '/', (const unsigned char *)body,
			    (size_t)(body_end - body));
		h = next ? next + 1 : NULL;
	}
	return 0;
}

int fz_mkdirs(const char *path)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int fz_write_file(const char *dir, const char *name, const void *data, size_t size)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = size ? fwrite(data, 1, size, f) : 0;
	return (fclose(f) == 0 && w == size) ? 0 : -1;
}
