/*
 * Folder listings for detect().  `strata init` asks about every folder of a
 * repository, and each detect() lists the folder's tree SP_MAX_DEPTH deep,
 * so every folder was read once per folder above it, up to five times (on
 * a tree of 20,000 folders: 1.1 s of the 1.2 s init took, all in
 * getdents and openat).  Here each folder is read once: its entries (name
 * and sp_entry_type) are kept, by absolute path, until the plugin is
 * unloaded.  Within one walk (detect.c tells them apart) a listing is
 * used as it is; in a later walk it is used again only while the folder's
 * stamp (device, inode, modification and change times) is the same, so a
 * process that calls init twice (libstrata) sees a folder changed in
 * between.  Only detect() uses it; scan()
 * always lists afresh (walk.c).  The caller holds detect.c's lock.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

typedef struct dent {
	char *name;
	int type;
} dent;

typedef struct dlist {
	char *path;
	sp_stamp stamp; /* the folder when it was read */
	unsigned gen;   /* the walk it was last read or checked in */
	dent *v;
	size_t n;
} dlist;

void sp_stamp_of(const char *path, sp_stamp *s)
{
	struct stat st;
	*s = (sp_stamp){ 0 };
	if (stat(path, &st) != 0)
		return;
	*s = (sp_stamp){
		.dev = (unsigned long long)st.st_dev,
		.ino = (unsigned long long)st.st_ino,
		.size = (unsigned long long)st.st_size,
		.mtime_s = (long long)st.st_mtim.tv_sec,
		.mtime_ns = (long long)st.st_mtim.tv_nsec,
		.ctime_s = (long long)st.st_ctim.tv_sec,
		.ctime_ns = (long long)st.st_ctim.tv_nsec,
		.exists = 1,
	};
	struct timespec now;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec - st.st_ctim.tv_sec < 2 ||
	    now.tv_sec - st.st_mtim.tv_sec < 2)
		s->racy = 1;
}

int sp_stamp_eq(const sp_stamp *a, const sp_stamp *b)
{
	return a->exists && b->exists && !a->racy && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns && a->ctime_s == b->ctime_s &&
	       a->ctime_ns == b->ctime_ns;
}

static dlist **slots; /* open addressing, at most half full; entries never move */
static size_t nslots, nused;

static uint64_t hash(const char *s)
{
	uint64_t x = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ull;
	return x;
}

static dlist **slot_of(dlist **tab, size_t n, const char *path)
{
	size_t i = (size_t)(hash(path) & (n - 1));
	while (tab[i] && strcmp(tab[i]->path, path))
		i = (i + 1) & (n - 1);
	return &tab[i];
}

static int grow(strata_host *h)
{
	size_t n = nslots ? nslots * 2 : 1024;
	dlist **tab = calloc(n, sizeof *tab);
	if (!tab)
		return strata_oom(h);
	for (size_t i = 0; i < nslots; i++)
		if (slots[i])
			*slot_of(tab, n, slots[i]->path) = slots[i];
	free(slots);
	slots = tab;
	nslots = n;
	return STRATA_OK;
}

static void list_free(dlist *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		free(l->v[i].name);
	if (l) {
		free(l->v);
		free(l->path);
	}
	free(l);
}

/* Read folder path (dot-entries left out, as walk.c does). */
static int read_list(strata_host *h, const char *path, const char *rel, dlist *out)
{
	DIR *d = opendir(path);
	if (!d) {
		h->error(h, STRATA_ECLASS_SOURCE, rel ? rel : path, 0, 0, NULL, "cannot read folder: %s",
		         strerror(errno));
		return STRATA_EIO;
	}
	size_t cap = 0;
	int rc = STRATA_OK;
	struct dirent *e;
	while (rc == STRATA_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			dent *nv = realloc(out->v, nc * sizeof *nv);
			if (!nv) {
				rc = strata_oom(h);
				break;
			}
			out->v = nv;
			cap = nc;
		}
		dent *x = &out->v[out->n];
		x->type = sp_entry_type(dirfd(d), e);
		if (!(x->name = strdup(e->d_name)))
			rc = strata_oom(h);
		else
			out->n++;
	}
	closedir(d);
	return rc;
}

/* The listing of path, read now or earlier (and unchanged since). */
static int listing(strata_host *h, const char *path, const char *rel, unsigned gen,
                   const dlist **out)
{
	dlist **s = nslots ? slot_of(slots, nslots, path) : NULL;
	if (s && *s && (*s)->gen == gen) {
		*out = *s;
		return STRATA_OK;
	}
	sp_stamp now;
	sp_stamp_of(path, &now);
	if (s && *s) {
		if (sp_stamp_eq(&(*s)->stamp, &now)) {
			(*s)->gen = gen;
			*out = *s;
			return STRATA_OK;
		}
		/* changed: read it again */
		list_free(*s);
		*s = NULL;
		nused--;
		/* the slot is free now, but a later key may have probed past it:
		 * rehash what follows, as open addressing requires */
		for (size_t i = (size_t)((s - slots + 1) & (nslots - 1)); slots[i]; i = (i + 1) & (nslots - 1)) {
			dlist *x = slots[i];
			slots[i] = NULL;
			*slot_of(slots, nslots, x->path) = x;
		}
	}
	dlist *l = calloc(1, sizeof *l);
	if (!l)
		return strata_oom(h);
	l->stamp = now;
	l->gen = gen;
	int rc = read_list(h, path, rel, l);
	if (rc == STRATA_OK && !(l->path = strdup(path)))
		rc = strata_oom(h);
	if (rc == STRATA_OK && (nused + 1) * 2 > nslots)
		rc = grow(h);
	if (rc < 0) {
		list_free(l);
		return rc;
	}
	*slot_of(slots, nslots, path) = l;
	nused++;
	*out = l;
	return STRATA_OK;
}

static int walk(strata_host *h, const char *path, const char *prefix, int depth, unsigned gen,
                sp_files *f)
{
	const dlist *l = NULL;
	int rc = listing(h, path, prefix, gen, &l);
	for (size_t i = 0; rc == STRATA_OK && i < l->n; i++) {
		char *rel;
		int type = l->v[i].type;
		rc = sp_files_add(h, f, prefix, l->v[i].name, type, &rel);
		if (rc == STRATA_OK && type == DT_DIR && depth < SP_MAX_DEPTH) {
			char *sub = sp_path_join(path, l->v[i].name, NULL);
			if (!sub)
				return strata_oom(h);
			rc = walk(h, sub, rel, depth + 1, gen, f);
			free(sub);
		}
	}
	return rc;
}

int sp_walk_cached(strata_host *h, const char *root, unsigned gen, sp_files *out)
{
	int rc = walk(h, root, NULL, 0, gen, out);
	if (rc == STRATA_OK)
		sp_files_sort(out);
	return rc;
}

void sp_dcache_drop(void)
{
	for (size_t i = 0; i < nslots; i++)
		list_free(slots[i]);
	free(slots);
	slots = NULL;
	nslots = nused = 0;
}
