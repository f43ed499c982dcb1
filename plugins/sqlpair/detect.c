/*
 * Which layout does a folder use?  Each layout scores the files it would
 * claim minus the files it would warn about; a sectioned layout claims a
 * file only if the file really has its up marker.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Which of the layout's patterns claims rel: 1 up, 2 down, 3 another
 * kind (baseline, repeatable), 0 none, -1 ignored.  Detection needs no captures, and regexec without them is an
 * order of magnitude cheaper, which matters when six layouts each look at
 * every file of a big folder. */
static int claim(const sp_layout *l, const char *rel)
{
	if (sp_layout_ignored(l, rel))
		return -1;
	if (sp_rx_match(&l->up.rx, rel, 0, NULL))
		return 1;
	if (l->has_down && sp_rx_match(&l->down.rx, rel, 0, NULL))
		return 2;
	for (size_t k = 0; k < l->n_kinds; k++)
		if (sp_rx_match(&l->kinds[k].rx, rel, 0, NULL))
			return 3;
	return 0;
}

/* A sectioned layout claims an up file only if it has the up marker; each
 * one without turns a claim into a stranger, so the score drops by two.
 * Stops once the score is below floor: a big folder of another layout
 * costs one or two file reads, not all of them. */
static int check_markers(strata_host *h, const sp_layout *l, int rootfd, const sp_files *f,
                         long floor, long *score, long *ups)
{
	for (size_t i = 0; i < f->n && *score >= floor; i++) {
		char *buf;
		size_t len;
		if (claim(l, f->v[i]) != 1)
			continue;
		int rc = sp_read_file(h, rootfd, f->v[i], &buf, &len);
		if (rc < 0)
			return rc;
		if (!sp_sections_has_up(l, buf, len)) {
			*score -= 2;
			(*ups)--;
		}
		free(buf);
	}
	return STRATA_OK;
}

/* One layout's score: files claimed minus files it would warn about, 0
 * without a single up; a value below floor when it cannot win. */
static int score_layout(strata_host *h, const sp_layout *l, int rootfd, const sp_files *f,
                        long floor, long *score)
{
	long ups = 0, claimed = 0, strangers = 0;
	for (size_t i = 0; i < f->n; i++) {
		int c = claim(l, f->v[i]);
		ups += c == 1;
		claimed += c > 0;
		strangers += c == 0;
	}
	*score = claimed - strangers;
	int rc = STRATA_OK;
	if (l->has_sections && ups)
		rc = check_markers(h, l, rootfd, f, floor, score, &ups);
	if (ups < 1)
		*score = 0;
	return rc;
}

/* Plain layouts first, in name order, then sectioned ones, which win ties
 * (their markers are positive evidence).  Returns the best score (0: none)
 * with *best set, or a negative status. */
int sp_detect_choose(strata_host *h, const sp_catalog *c, int rootfd, const sp_files *f,
                     const sp_layout **best)
{
	long top = 0;
	*best = NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->n; i++) {
			const sp_layout *l = c->v[i];
			if (l->has_sections != pass)
				continue;
			long floor = top + (*best && (*best)->has_sections);
			long score;
			int rc = score_layout(h, l, rootfd, f, floor > 1 ? floor : 1, &score);
			if (rc < 0)
				return rc;
			h->debug(h, "sqlpair: layout '%s' scores %ld", l->name, score);
			if (score > 0 &&
			    (score > top || (score == top && pass && !(*best)->has_sections))) {
				top = score;
				*best = l;
			}
		}
	}
	return top > INT_MAX ? INT_MAX : (int)top;
}

/* `strata init` asks about every folder of a repository (20,000 in a big
 * one), and loading the catalog (every descriptor parsed, its patterns
 * compiled) took most of that time: it is loaded once per list of formats
 * dirs and kept until the plugin is unloaded, and used again while no
 * descriptor changed (their stamps, and those of the layouts/ folders);
 * the folder listings are kept the same way (dcache.c). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static sp_catalog cache;
static char *cache_key; /* the formats dirs it was loaded from, one per line */
static sp_stamp *cache_stamps; /* each formats dir's layouts/, then each descriptor file */
static unsigned walk_gen;        /* new_walk() */
static char *walk_root, *walk_last;
static size_t cache_nstamps;

/* The stamps the cached catalog stands on: a descriptor added, removed or
 * edited changes one of them. */
static sp_stamp *stamps_now(strata_host *h, const sp_catalog *c, size_t *n)
{
	size_t nd = 0;
	while (h->formats_dirs && h->formats_dirs[nd])
		nd++;
	*n = nd + c->n;
	sp_stamp *v = calloc(*n + 1, sizeof *v);
	for (size_t i = 0; v && i < nd; i++) {
		char *d = sp_path_join(h->formats_dirs[i], "layouts", NULL);
		if (d)
			sp_stamp_of(d, &v[i]);
		else
			v[i].exists = 0;
		free(d);
	}
	for (size_t i = 0; v && i < c->n; i++)
		sp_stamp_of(c->v[i]->file, &v[nd + i]);
	return v;
}

static int stamps_same(strata_host *h)
{
	size_t n;
	sp_stamp *now = stamps_now(h, &cache, &n);
	int same = now && n == cache_nstamps;
	for (size_t i = 0; same && i < n; i++)
		same = sp_stamp_eq(&now[i], &cache_stamps[i]) ||
		       (!now[i].exists && !cache_stamps[i].exists); /* a formats dir without layouts/ */
	free(now);
	return same;
}

static char *dirs_key(strata_host *h)
{
	size_t len = 1;
	for (size_t i = 0; h->formats_dirs && h->formats_dirs[i]; i++)
		len += strlen(h->formats_dirs[i]) + 1;
	char *k = calloc(1, len);
	for (size_t i = 0; k && h->formats_dirs && h->formats_dirs[i]; i++) {
		strcat(k, h->formats_dirs[i]);
		strcat(k, "\n");
	}
	return k;
}

/* Called with cache_lock held. */
static int cached_catalog(strata_host *h, int check, const sp_catalog **out)
{
	char *key = dirs_key(h);
	if (!key)
		return strata_oom(h);
	if (cache_key && !strcmp(cache_key, key) && (!check || stamps_same(h))) {
		free(key);
		*out = &cache;
		return STRATA_OK;
	}
	sp_catalog_free(&cache);
	free(cache_key);
	free(cache_stamps);
	cache_key = NULL;
	cache_stamps = NULL;
	int rc = sp_catalog_load_all(h, &cache);
	if (rc == STRATA_OK && !(cache_stamps = stamps_now(h, &cache, &cache_nstamps))) {
		sp_catalog_free(&cache);
		rc = strata_oom(h);
	}
	if (rc == STRATA_OK) {
		cache_key = key;
		*out = &cache;
	} else {
		free(key);
	}
	return rc;
}

__attribute__((destructor)) static void cache_drop(void)
{
	sp_dcache_drop();
	sp_catalog_free(&cache);
	free(cache_key);
	free(cache_stamps);
	free(walk_root);
	free(walk_last);
	cache_key = NULL;
	cache_stamps = NULL;
	walk_root = walk_last = NULL;
}

/* Which walk a detect() call is in.  strata init asks about folders in
 * pre-order, each once, so a call for a folder that is not below the first
 * folder of the current walk, or that is (or is above) the folder of the
 * call before, begins a new walk: then the catalog's and the listings'
 * stamps are checked again, once each. */
static int below(const char *a, const char *b) /* a strictly inside b */
{
	size_t lb = strlen(b);
	return !strncmp(a, b, lb) && (a[lb] == '/' || (lb && b[lb - 1] == '/' && a[lb]));
}

static int new_walk(const char *dir)
{
	int fresh = !walk_root || !below(dir, walk_root) || !strcmp(dir, walk_last) ||
	            below(walk_last, dir);
	char *last = strdup(dir);
	free(walk_last);
	walk_last = last;
	if (fresh) {
		walk_gen++;
		free(walk_root);
		walk_root = strdup(dir); /* NULL (out of memory): the next call begins a walk too */
	}
	return fresh;
}

/* The detect() op: for `strata init`, suggest `layout: NAME`.  A folder
 * that does not exist simply holds no migrations. */
int sp_detect(strata_host *h, const char *dir)
{
	const sp_catalog *cat = NULL;
	sp_files files = { 0 };
	const sp_layout *best = NULL;
	int fd = sp_open_root(h, dir, 1);
	if (fd == STRATA_ENOTFOUND)
		return 0;
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&cache_lock);
	int fresh = new_walk(dir);
	int rc = cached_catalog(h, fresh, &cat);
	if (rc == STRATA_OK)
		rc = sp_walk_cached(h, dir, walk_gen, &files);
	if (rc == STRATA_OK)
		rc = sp_detect_choose(h, cat, fd, &files, &best);
	if (rc > 0) {
		const char *const keys[] = { "layout", NULL };
		const char *const values[] = { best->name, NULL };
		int drc = h->detected(h, "sqlpair", keys, values);
		if (drc < 0)
			rc = drc;
	}
	pthread_mutex_unlock(&cache_lock);
	sp_files_free(&files);
	close(fd);
	return rc;
}
