/*
 * Which trackers each source has.  A source's `tracker:` in strata.yaml (a
 * name, a list, or none) wins; else its plugin's default_tracker() (the
 * sqlpair plugin answers with its layout's `tracker:`); else its own plugin
 * when that is a tracker (Prisma, Alembic).  A name is a tracker plugin's
 * name, else a descriptor trackers/NAME.yaml in the formats dirs, served by
 * the plugin whose tracker flags say STRATA_TRACKER_DESCRIPTORS.  Bindings
 * keep plugin indexes, not pointers: adopting a driver moves the list.
 */
#include "plugins.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static bool descriptor_name_ok(const char *name)
{
	if (!*name || name[0] == '.')
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == '\\')
			return false;
	return true;
}

/* The formats dir that holds trackers/NAME.yaml, or NULL. */
static const char *descriptor_dir(const loader *L, const char *name)
{
	if (!L->formats_dirs || !descriptor_name_ok(name))
		return NULL;
	for (size_t i = 0; L->formats_dirs[i]; i++) {
		char *f = xasprintf("%s/trackers/%s.yaml", L->formats_dirs[i], name);
		bool ok = access(f, R_OK) == 0;
		free(f);
		if (ok)
			return L->formats_dirs[i];
	}
	return NULL;
}

static const plugin *tracker_plugin(const loader *L, const char *name)
{
	for (size_t i = 0; i < L->nplugins; i++) {
		const strata_plugin *d = L->plugins[i].desc;
		if (d && d->tracker && !strcmp(d->name, name))
			return &L->plugins[i];
	}
	return NULL;
}

static const plugin *descriptor_plugin(const loader *L)
{
	for (size_t i = 0; i < L->nplugins; i++) {
		const strata_plugin *d = L->plugins[i].desc;
		if (d && d->tracker && (call_track_flags(&L->plugins[i]) & STRATA_TRACKER_DESCRIPTORS))
			return &L->plugins[i];
	}
	return NULL;
}

static void add_name(char ***v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], name))
			return;
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = xstrdup(name);
	(*v)[*n] = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **loader_tracker_names(loader *L)
{
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < L->nplugins; i++) {
		const strata_plugin *d = L->plugins[i].desc;
		if (d && d->tracker && !(call_track_flags(&L->plugins[i]) & STRATA_TRACKER_DESCRIPTORS))
			add_name(&v, &n, d->name);
	}
	for (size_t i = 0; L->formats_dirs && L->formats_dirs[i]; i++) {
		char *dir = path_join(L->formats_dirs[i], "trackers");
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (e->d_name[0] == '.' || l <= 5 || strcmp(e->d_name + l - 5, ".yaml"))
				continue;
			char *name = xasprintf("%.*s", (int)(l - 5), e->d_name);
			add_name(&v, &n, name);
			free(name);
		}
		if (d)
			closedir(d);
		free(dir);
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_str);
	return v;
}

static int unknown(loader *L, size_t src, const char *name, int line, bool is_default)
{
	int rc = loader_load_all(L); /* the hint lists every tracker installed */
	if (rc)
		return rc;
	char **names = loader_tracker_names(L);
	sbuf h = {0};
	sbuf_printf(&h, "known trackers:");
	for (size_t i = 0; names[i]; i++)
		sbuf_printf(&h, "%s %s", i ? "," : "", names[i]);
	sbuf_printf(&h, "; or  tracker: none  (strata_ledger only)");
	strv_free(names);
	const cfg_source *s = &L->cfg->sources[src];
	rc = is_default
	                 ? err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, L->cfg->file, line, 0,
	                           h.data, "source '%s': format '%s' names tracker '%s', which is not installed",
	                           s->name, s->format, name)
	                 : err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, L->cfg->file, line, 0,
	                           h.data, "source '%s': unknown tracker '%s'", s->name, name);
	sbuf_free(&h);
	return rc;
}

static int push(loader *L, size_t src, const plugin *pl, const char *name, const char *descriptor)
{
	L->binds = xrealloc(L->binds, (L->nbinds + 1) * sizeof *L->binds);
	tracker_bind *b = &L->binds[L->nbinds++];
	b->src = src;
	b->pl = (size_t)(pl - L->plugins);
	b->name = xstrdup(name);
	b->descriptor = xstrdup(descriptor);
	host_call hc;
	host_init(&hc, L);
	hc.source = src;
	hc.tracker = b->descriptor;
	b->table = call_track_table_of(&hc, pl);
	return b->table ? 0 : STRATA_EINVAL;
}

/* name for source src: a tracker plugin, else a descriptor. */
static int resolve(loader *L, size_t src, const char *name, int line, bool is_default)
{
	const plugin *pl = tracker_plugin(L, name);
	if (!pl && !descriptor_dir(L, name)) {
		int rc = loader_load_all(L); /* a tracker plugin named for no format */
		if (rc)
			return rc;
		pl = tracker_plugin(L, name);
	}
	if (pl && !(call_track_flags(pl) & STRATA_TRACKER_DESCRIPTORS)) {
		return push(L, src, pl, name, NULL);
	}
	if (!descriptor_dir(L, name))
		return unknown(L, src, name, line, is_default);
	if (!descriptor_plugin(L)) { /* the descriptors' plugin is named for none of them */
		int rc = loader_load_named(L, LOADER_DESCRIPTOR_PLUGIN);
		if (!rc && !descriptor_plugin(L))
			rc = loader_load_all(L);
		if (rc)
			return rc;
	}
	pl = descriptor_plugin(L);
	if (!pl)
		return err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_PLUGIN, L->cfg->file, line, 0,
		               "`strata plugins` lists what is installed",
		               "source '%s': tracker '%s' is a descriptor, and no plugin reads "
		               "tracker descriptors", L->cfg->sources[src].name, name);
	return push(L, src, pl, name, name);
}

static int bind_source(loader *L, size_t i)
{
	const cfg_source *s = &L->cfg->sources[i];
	if (s->has_trackers) {
		for (size_t k = 0; k < s->ntrackers; k++) {
			int rc = resolve(L, i, s->trackers[k], s->tracker_line, false);
			if (rc)
				return rc;
		}
		return 0;
	}
	const plugin *src = loader_find_format(L, s->format);
	if (!src)
		return 0; /* sources/ says so when it reads the source */
	size_t at = (size_t)(src - L->plugins);
	host_call hc;
	host_init(&hc, L);
	hc.source = i;
	char *name = call_default_tracker(&hc, src);
	src = &L->plugins[at];
	int rc = 0;
	if (name)
		rc = resolve(L, i, name, s->line, true);
	else if (src->desc->tracker && !(call_track_flags(src) & STRATA_TRACKER_DESCRIPTORS))
		rc = push(L, i, src, src->desc->name, NULL);
	free(name);
	return rc;
}

/* A left-out source binds nothing, but its tracker: names are checked all
 * the same: a typo is said on every database, not only on its dialect's. */
static int check_left_out(loader *L, size_t i)
{
	const cfg_source *s = &L->cfg->sources[i];
	for (size_t k = 0; s->has_trackers && k < s->ntrackers; k++) {
		const char *name = s->trackers[k];
		if (descriptor_dir(L, name) || tracker_plugin(L, name))
			continue;
		int rc = loader_load_all(L);
		if (rc)
			return rc;
		if (!tracker_plugin(L, name))
			return unknown(L, i, name, s->tracker_line, false);
	}
	return 0;
}

int loader_bind_trackers(loader *L)
{
	if (L->bound)
		return 0;
	for (size_t i = 0; i < L->cfg->nsources; i++) {
		bool left = L->left && L->left[i]; /* left out for this database's dialect */
		int rc = left ? check_left_out(L, i) : bind_source(L, i);
		if (rc) {
			loader_unbind_trackers(L);
			return rc;
		}
	}
	L->bound = true;
	return 0;
}

const plugin *loader_tracker_named(const loader *L, const char *name, const char **descriptor)
{
	const plugin *pl = tracker_plugin(L, name);
	*descriptor = NULL;
	if (pl && !(call_track_flags(pl) & STRATA_TRACKER_DESCRIPTORS))
		return pl;
	if (!descriptor_dir(L, name))
		return NULL;
	*descriptor = name;
	return descriptor_plugin(L);
}

const plugin *bind_plugin(const loader *L, const tracker_bind *b)
{
	return b->pl < L->nplugins ? &L->plugins[b->pl] : NULL;
}
