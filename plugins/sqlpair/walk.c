/*
 * Listing a source folder: every regular file up to SP_MAX_DEPTH folders
 * down, as '/'-separated paths relative to the folder, sorted so that
 * warnings and errors come out the same on every file system.  Everything
 * else that has a name there (folders, links that lead to no file, FIFOs)
 * is listed apart, so that one named like a migration is refused rather
 * than left out unseen (classify.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"


/* Open the source folder once; every later open is relative to it, so no
 * path is joined per file.  Returns the fd, or a negative status; quiet
 * makes a missing folder a silent STRATA_ENOTFOUND (detect's "no"). */
int sp_open_root(strata_host *h, const char *path, int quiet)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	int missing = errno == ENOENT || errno == ENOTDIR;
	if (quiet && missing)
		return STRATA_ENOTFOUND;
	h->error(h, STRATA_ECLASS_SOURCE, path, 0, 0, NULL, "cannot open migration folder '%s': %s",
	         path, strerror(errno));
	return missing ? STRATA_ENOTFOUND : STRATA_EIO;
}

/* Grow a list geometrically: 100,000 entries must not mean 100,000 reallocs. */
static int push(strata_host *h, char ***v, size_t *n, size_t *cap, char *rel)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 256;
		char **nv = realloc(*v, nc * sizeof *nv);
		if (!nv)
			return strata_oom(h);
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = rel;
	return STRATA_OK;
}

/* What an entry is, without following symlinked folders: a symlink counts
 * as a file only when it points at a regular file.  Returns DT_REG, DT_DIR
 * (a folder itself, never a link to one) or 0: anything else, a link to a
 * folder, a dangling or looping link, a FIFO, an entry gone meanwhile. */
int sp_entry_type(int dfd, const struct dirent *e)
{
	struct stat st;
	int type = e->d_type;
	if (type == DT_UNKNOWN) {
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		type = S_ISLNK(st.st_mode)   ? DT_LNK
		       : S_ISDIR(st.st_mode) ? DT_DIR
		       : S_ISREG(st.st_mode) ? DT_REG
		                             : 0;
	}
	if (type == DT_LNK)
		return fstatat(dfd, e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) ? DT_REG : 0;
	return type == DT_REG || type == DT_DIR ? type : 0;
}

/* Path of an entry relative to the root, kept in the list's arena. */
static char *rel_path(sp_files *f, const char *prefix, const char *name)
{
	size_t lp = prefix ? strlen(prefix) + 1 : 0, ln = strlen(name);
	char *p = strata_arena_chars(&f->arena, lp + ln + 1);
	if (!p)
		return NULL;
	if (prefix) {
		memcpy(p, prefix, lp - 1);
		p[lp - 1] = '/';
	}
	memcpy(p + lp, name, ln + 1);
	return p;
}

/* One folder; takes ownership of fd.  Dot-files and dot-folders are never
 * migrations (.git, editor files), so they are skipped unseen. */
static int walk_dir(strata_host *h, int fd, const char *prefix, int depth, sp_files *f)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		h->error(h, STRATA_ECLASS_SOURCE, prefix, 0, 0, NULL, "cannot read folder: %s",
		         strerror(errno));
		return STRATA_EIO;
	}
	int rc = STRATA_OK;
	struct dirent *e;
	while (rc == STRATA_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int type = sp_entry_type(dirfd(d), e);
		char *rel = rel_path(f, prefix, e->d_name);
		if (!rel) {
			rc = strata_oom(h);
		} else if (type == DT_REG) {
			rc = push(h, &f->v, &f->n, &f->cap, rel);
		} else if ((rc = push(h, &f->other, &f->n_other, &f->cap_other, rel)) < 0) {
			break;
		} else if (type == DT_DIR && depth < SP_MAX_DEPTH) {
			int sub = openat(dirfd(d), e->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0, NULL,
				         "cannot open folder: %s", strerror(errno));
				rc = STRATA_EIO;
			} else {
				rc = walk_dir(h, sub, rel, depth + 1, f);
			}
		}
	}
	closedir(d);
	return rc;
}

/* Byte order, not locale order: the same on every machine. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One entry of a listing (dcache.c's) into f, its path relative to the
 * root in *rel: a file (DT_REG) or, listed apart, anything else. */
int sp_files_add(strata_host *h, sp_files *f, const char *prefix, const char *name, int type,
                 char **rel)
{
	*rel = rel_path(f, prefix, name);
	if (!*rel)
		return strata_oom(h);
	return type == DT_REG ? push(h, &f->v, &f->n, &f->cap, *rel)
	                      : push(h, &f->other, &f->n_other, &f->cap_other, *rel);
}

void sp_files_sort(sp_files *f)
{
	if (f->n)
		qsort(f->v, f->n, sizeof *f->v, str_cmp);
	if (f->n_other)
		qsort(f->other, f->n_other, sizeof *f->other, str_cmp);
}

/* List the files under rootfd (which stays open) into out, sorted. */
int sp_walk(strata_host *h, int rootfd, sp_files *out)
{
	/* A fresh open of "." rather than dup(): a dup would share (and use up)
	 * the directory offset of rootfd. */
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		h->error(h, STRATA_ECLASS_SOURCE, NULL, 0, 0, NULL, "cannot read folder: %s",
		         strerror(errno));
		return STRATA_EIO;
	}
	int rc = walk_dir(h, fd, NULL, 0, out);
	if (rc == STRATA_OK)
		sp_files_sort(out);
	return rc;
}

/* The paths live in the arena; the array is one allocation. */
void sp_files_free(sp_files *f)
{
	free(f->v);
	free(f->other);
	strata_arena_free(&f->arena);
	*f = (sp_files){ 0 };
}
