/*
 * The descriptors this process has loaded, each parsed once.  A command
 * calls the tracker for every migration it records (apply of 1,000 runs
 * record() 1,000 times), and parsing the YAML each time was 5 % of apply's
 * CPU.  A descriptor does not change once read (no caller writes to it), so
 * every call shares it; a mutex, because status reads on a thread.  What it
 * holds depends on the dialect the host is on when it is read (per-dialect
 * schema and column values), so the dialect is part of the key: a call made
 * before the database is open reads it again.  The cache is freed when the
 * plugin is unloaded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables_int.h"

typedef struct loaded {
	char *key; /* the file found, formats dir first, and the dialect */
	tb_desc *d;
} loaded;

static loaded *cache;
static size_t ncache, cap;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static tb_desc *cached(const char *key)
{
	for (size_t i = 0; i < ncache; i++)
		if (!strcmp(cache[i].key, key))
			return cache[i].d;
	return NULL;
}

/* Keeps d (the cache owns it from here) or frees it and answers NULL. */
static tb_desc *keep(const char *key, tb_desc *d)
{
	if (ncache == cap) {
		size_t n = cap ? cap * 2 : 4;
		loaded *v = realloc(cache, n * sizeof *v);
		if (!v)
			goto oom;
		cache = v;
		cap = n;
	}
	if (!(cache[ncache].key = strdup(key)))
		goto oom;
	cache[ncache++].d = d;
	return d;
oom:
	tb_free(d);
	return NULL;
}

/* The first formats dir that has trackers/NAME.yaml wins (the host's
 * STRATA_FORMATS_PATH comes first). */
int tb_load(strata_host *h, const strata_source_cfg *cfg, const tb_desc **out)
{
	*out = NULL;
	const char *name = STRATA_HAS(strata_source_cfg, cfg, tracker) ? cfg->tracker : NULL;
	if (!name || !*name || name[0] == '.' || strchr(name, '/')) {
		h->error(h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, "upgrade strata",
		         "tables: called without a tracker descriptor name");
		return STRATA_EINVAL;
	}
	const char *dl = h->db_dialect ? h->db_dialect(h) : NULL;
	for (size_t i = 0; h->formats_dirs && h->formats_dirs[i]; i++) {
		char path[4096], key[4200];
		snprintf(path, sizeof path, "%s/trackers/%s.yaml", h->formats_dirs[i], name);
		snprintf(key, sizeof key, "%s\n%s", path, dl ? dl : "");
		pthread_mutex_lock(&mu);
		tb_desc *d = cached(key);
		pthread_mutex_unlock(&mu);
		if (d) {
			*out = d;
			return STRATA_OK;
		}
		FILE *fp = fopen(path, "rb");
		if (!fp)
			continue;
		fclose(fp);
		/* parsed outside the lock; a racing thread's copy is dropped */
		int rc = tb_load_file(h, path, name, &d);
		if (rc < 0)
			return rc;
		pthread_mutex_lock(&mu);
		tb_desc *had = cached(key);
		if (had)
			tb_free(d);
		*out = had ? had : keep(key, d);
		pthread_mutex_unlock(&mu);
		return *out ? STRATA_OK : strata_oom(h);
	}
	h->error(h, STRATA_ECLASS_CONFIG, cfg->config_file, cfg->config_line, 0,
	         "the formats dirs (STRATA_FORMATS_PATH, then the installed formats/) hold trackers/NAME.yaml",
	         "no tracker descriptor trackers/%s.yaml", name);
	return STRATA_ENOTFOUND;
}

__attribute__((destructor)) static void unload(void)
{
	for (size_t i = 0; i < ncache; i++) {
		free(cache[i].key);
		tb_free(cache[i].d);
	}
	free(cache);
	cache = NULL;
	ncache = cap = 0;
}
