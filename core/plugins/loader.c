/* Plugin loading with libltdl.  Every file that looks like a module is opened
 * and asked for its descriptor; one that is not a strata plugin, or was built
 * for another ABI, is refused with a message naming the file while the others
 * keep working (PostgreSQL's PG_MODULE_MAGIC check, applied per file). */
#include "plugins.h"

#include <dirent.h>
#include <stddef.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef STRATA_PLUGINDIR
#define STRATA_PLUGINDIR "/usr/local/lib/strata/plugins"
#endif
#ifndef STRATA_FORMATSDIR
#define STRATA_FORMATSDIR "/usr/local/share/strata/formats"
#endif

/* Running from the build tree?  Then the plugins next to us are the ones that
 * match this binary, not whatever an earlier `meson install` left behind. */
static bool in_build_tree(void)
{
#ifdef STRATA_BUILD_ROOT
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	size_t k = strlen(STRATA_BUILD_ROOT);
	return strncmp(exe, STRATA_BUILD_ROOT, k) == 0 && exe[k] == '/';
#else
	return false;
#endif
}

static void add_dir(char ***dirs, size_t *n, const char *d)
{
	*dirs = xrealloc(*dirs, (*n + 2) * sizeof **dirs);
	(*dirs)[(*n)++] = xstrdup(d);
	(*dirs)[*n] = NULL;
}

/* Colon-separated environment list, in order. */
static void add_env_dirs(char ***dirs, size_t *n, const char *env)
{
	const char *v = getenv(env);
	while (v && *v) {
		size_t k = strcspn(v, ":");
		if (k) {
			char *d = xstrndup(v, k);
			add_dir(dirs, n, d);
			free(d);
		}
		v += k + (v[k] == ':');
	}
}

/* Order: STRATA_PLUGIN_PATH, the config's plugin_path, then the build tree or
 * the installed dir.  The first plugin of a given name wins, so a user can
 * override a bundled plugin without uninstalling it. */
/* The plugin folders, most specific first; *nuser of them are the user's
 * (STRATA_PLUGIN_PATH, plugin_path), the rest strata's own. */
static char **plugin_dirs(loader *L, size_t *nuser)
{
	char **dirs = NULL;
	size_t n = 0;
	add_env_dirs(&dirs, &n, "STRATA_PLUGIN_PATH");
	for (size_t i = 0; i < L->cfg->nplugin_path; i++)
		add_dir(&dirs, &n, L->cfg->plugin_path[i]);
	*nuser = n;
#ifdef STRATA_BUILD_ROOT
	if (in_build_tree()) {
		/* build/plugins/<name>/<name>.so */
		char *root = path_join(STRATA_BUILD_ROOT, "plugins");
		DIR *d = opendir(root);
		struct dirent *e;
		char **sub = NULL;
		size_t nsub = 0;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char *p = path_join(root, e->d_name);
			struct stat st;
			if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
				add_dir(&sub, &nsub, p);
			free(p);
		}
		if (d)
			closedir(d);
		for (size_t i = 0; i < nsub; i++) {
			add_dir(&dirs, &n, sub[i]);
			free(sub[i]);
		}
		free(sub);
		free(root);
		return dirs ? dirs : xcalloc(1, sizeof *dirs);
	}
#endif
	add_dir(&dirs, &n, STRATA_PLUGINDIR);
	return dirs;
}

static void formats_dirs(loader *L)
{
	char **dirs = NULL;
	size_t n = 0;
	add_env_dirs(&dirs, &n, "STRATA_FORMATS_PATH");
#ifdef STRATA_SOURCE_ROOT
	if (in_build_tree()) {
		char *f = path_join(STRATA_SOURCE_ROOT, "formats");
		add_dir(&dirs, &n, f);
		free(f);
	}
#endif
	add_dir(&dirs, &n, STRATA_FORMATSDIR);
	L->formats_dirs = dirs;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static const plugin *find_name(const loader *L, const char *name)
{
	for (size_t i = 0; i < L->nplugins; i++)
		if (L->plugins[i].desc && !strcmp(L->plugins[i].desc->name, name))
			return &L->plugins[i];
	return NULL;
}

/* A role table is usable when it holds every field its role cannot do
 * without (STRATA_HAS: the size its plugin reported covers them); later
 * fields are optional and read only where present. */
static const char *check_roles(const strata_plugin *d)
{
	const strata_source_ops *so = d->source;
	if (so && (!STRATA_HAS(strata_source_ops, so, detect) || !so->scan || !so->formats))
		return "its source table is incomplete";
	const strata_tracker_ops *tr = d->tracker;
	if (tr && (!STRATA_HAS(strata_tracker_ops, tr, record) || !tr->read || !tr->record))
		return "its tracker table is incomplete";
	const strata_driver_ops *dr = d->driver;
	if (dr && (!STRATA_HAS(strata_driver_ops, dr, table_exists) || !dr->schemes ||
	           !dr->dialect || !dr->open || !dr->close || !dr->exec || !dr->query || !dr->begin ||
	           !dr->commit || !dr->rollback || !dr->run || !dr->table_exists ||
	           !dr->lock != !dr->unlock))
		return "its driver table is incomplete";
	return NULL;
}

/* dlopen file and check its descriptor into *out (pl.error set when it is
 * refused; a refused file has no handle).  Touches nothing in the handle but
 * the log, so status's database thread may call it. */
static void open_one(loader *L, const char *file, plugin *out)
{
	plugin pl = {0};
	pl.file = xstrdup(file);
	lt_dladvise adv;
	lt_dladvise_init(&adv);
	lt_dladvise_local(&adv);
	lt_dlhandle h = lt_dlopenadvise(file, adv);
	lt_dladvise_destroy(&adv);
	if (!h) {
		const char *e = lt_dlerror();
		pl.error = xasprintf("cannot load: %s", e ? e : "unknown error");
		goto out;
	}
	strata_plugin_entry_fn entry = (strata_plugin_entry_fn)(void (*)(void))lt_dlsym(h, STRATA_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		pl.error = xstrdup("not a strata plugin: no " STRATA_PLUGIN_ENTRY_SYMBOL "() symbol");
		lt_dlclose(h);
		goto out;
	}
	const strata_plugin *d = entry();
	const char *why = NULL;
	if (!d)
		pl.error = xstrdup(STRATA_PLUGIN_ENTRY_SYMBOL "() returned no descriptor");
	else if (d->abi_version != STRATA_PLUGIN_ABI_VERSION)
		pl.error = xasprintf("built for plugin ABI %u; this strata speaks ABI %u",
		                     d->abi_version, STRATA_PLUGIN_ABI_VERSION);
	else if (!STRATA_HAS(strata_plugin, d, driver) || !d->name || !*d->name || !d->version)
		pl.error = xstrdup("descriptor is too small or has no name/version");
	else if ((why = check_roles(d)))
		pl.error = xstrdup(why);
	if (pl.error) {
		lt_dlclose(h);
		goto out;
	}
	pl.handle = h;
	pl.desc = d;
	pl.info.name = d->name;
	pl.info.version = d->version;
	pl.info.summary = d->summary;
	pl.info.is_source = d->source != NULL;
	pl.info.is_tracker = d->tracker != NULL;
	pl.info.is_driver = d->driver != NULL;
	pl.info.formats = d->source ? d->source->formats : NULL;
	pl.info.schemes = d->driver ? d->driver->schemes : NULL;
out:
	pl.info.file = pl.file;
	pl.info.error = pl.error;
	if (pl.error)
		logf_(L->e, STRATA_LOG_WARN, file, 0, "%s", pl.error);
	*out = pl;
}

static void close_one(plugin *pl)
{
	if (pl->handle)
		lt_dlclose(pl->handle);
	free(pl->file);
	free(pl->error);
	memset(pl, 0, sizeof *pl);
}

/* Add a plugin to the handle's list, unless one of that name came first. */
static const plugin *adopt(loader *L, plugin *pl)
{
	const plugin *first = pl->desc ? find_name(L, pl->desc->name) : NULL;
	if (first) {
		logf_(L->e, STRATA_LOG_DEBUG, NULL, 0, "%s: plugin '%s' already loaded from %s; skipped",
		      pl->file, pl->desc->name, first->file);
		close_one(pl);
		return first;
	}
	L->plugins = xrealloc(L->plugins, (L->nplugins + 1) * sizeof *L->plugins);
	L->plugins[L->nplugins++] = *pl;
	memset(pl, 0, sizeof *pl);
	return &L->plugins[L->nplugins - 1];
}

static void load_one(loader *L, const char *file)
{
	plugin pl;
	open_one(L, file, &pl);
	adopt(L, &pl);
}

static bool loaded(const loader *L, const char *file)
{
	for (size_t i = 0; i < L->nplugins; i++)
		if (!strcmp(L->plugins[i].file, file))
			return true;
	return false;
}

/* Is base (a plugin file name without ".so") named after something this
 * command needs: a source's format, or the URL's scheme ("postgres" for
 * postgresql:)? */
static bool named_for_url(const char *base, size_t blen, const char *url)
{
	size_t k = url_scheme_len(url);
	return k && blen >= 3 && blen <= k && !strncasecmp(url, base, blen);
}

static bool named_for(const loader *L, const char *base, size_t blen, const char *url)
{
	for (size_t i = 0; i < L->cfg->nsources; i++)
		if (strlen(L->cfg->sources[i].format) == blen &&
		    !strncmp(L->cfg->sources[i].format, base, blen))
			return true;
	return named_for_url(base, blen, url);
}

/* Load the plugin files of dir in name order: all of them, or (url != NULL)
 * only those named for what the command needs.  Files already loaded are
 * skipped. */
static void load_dir(loader *L, const char *dir, bool named_only, const char *url)
{
	DIR *d = opendir(dir);
	if (!d) {
		logf_(L->e, STRATA_LOG_DEBUG, dir, 0, "plugin directory not readable; skipped");
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".so"))
			continue;
		if (named_only && !named_for(L, e->d_name, strlen(e->d_name) - 3, url))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = path_join(dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!loaded(L, names[i]))
			load_one(L, names[i]);
		free(names[i]);
	}
	free(names);
}

/* Every source's format has a plugin, and url (if any) a driver. */
static bool needs_met(const loader *L, const char *url)
{
	for (size_t i = 0; i < L->cfg->nsources; i++)
		if (!loader_find_format(L, L->cfg->sources[i].format))
			return false;
	return !url || loader_find_scheme(L, url);
}

/*
 * Loading a plugin costs its shared libraries: the PostgreSQL driver brings
 * libpq, libpg_query and their dependencies, ~4 ms, a third of `strata
 * status` on a thousand SQLite migrations.  So a command loads what it needs:
 * every plugin in the user's folders (they may override strata's own), then
 * strata's own plugins named after a configured format or the URL's scheme;
 * and everything when that is not enough (a plugin serving a format under
 * another name), or when asked to (`strata plugins`, `strata init`).
 */
static int load(loader *L, const char *url, bool all)
{
	if (L->all || (L->up && !all && needs_met(L, url)))
		return 0; /* nothing to add: no listing, no change to the handle */
	if (!L->up) {
		if (lt_dlinit() != 0)
			return err_set(L->e, STRATA_ERR, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL,
			               "libltdl: %s", lt_dlerror());
		L->up = true;
		formats_dirs(L);
	}
	size_t nuser = 0;
	char **dirs = plugin_dirs(L, &nuser);
	for (size_t i = 0; dirs[i] && i < nuser; i++) {
		logf_(L->e, STRATA_LOG_DEBUG, NULL, 0, "plugin directory %s", dirs[i]);
		load_dir(L, dirs[i], false, NULL);
	}
	if (!all)
		for (size_t i = nuser; dirs[i] && !needs_met(L, url); i++)
			load_dir(L, dirs[i], true, url);
	if (all || !needs_met(L, url)) {
		for (size_t i = 0; dirs[i]; i++)
			load_dir(L, dirs[i], false, NULL);
		L->all = true;
	}
	for (size_t i = 0; dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
	return 0;
}

/*
 * Strata's own plugin file named name (name.so in strata's folders, after
 * every file of the user's), for a role no format or scheme names: the
 * descriptor reader (bind.c).  Loading every plugin instead costs the
 * PostgreSQL driver's libraries on a SQLite command.  Returns 0 (whether or
 * not such a file was there: the caller looks for the role again and loads
 * everything when it is still missing), or an error.
 */
int loader_load_named(loader *L, const char *name)
{
	if (L->all)
		return 0;
	int rc = load(L, NULL, false);
	if (rc)
		return rc;
	size_t nuser = 0;
	char **dirs = plugin_dirs(L, &nuser);
	char *want = xasprintf("%s.so", name);
	for (size_t i = 0; dirs[i]; i++) {
		if (i >= nuser) {
			char *file = path_join(dirs[i], want);
			if (!loaded(L, file) && access(file, R_OK) == 0)
				load_one(L, file);
			free(file);
		}
		free(dirs[i]);
	}
	free(want);
	free(dirs);
	return 0;
}

/* Does pl's driver list the scheme url is chosen by (url_match_scheme)? */
static bool serves(const plugin *pl, const char *url)
{
	const char *scheme;
	size_t k = url_match_scheme(url, &scheme);
	if (!k || !pl->desc || !pl->desc->driver)
		return false;
	for (size_t j = 0; pl->desc->driver->schemes[j]; j++)
		if (strlen(pl->desc->driver->schemes[j]) == k &&
		    !strncasecmp(pl->desc->driver->schemes[j], scheme, k))
			return true;
	return false;
}

/*
 * The driver for url, loaded beside the handle's list, for status's database
 * thread: loading the PostgreSQL driver (~4 ms of libraries) then overlaps
 * the folder scan instead of preceding it.  Only strata's own folders, only
 * files named for the scheme; the caller hands the result to
 * loader_adopt_driver() once the threads are joined.  Returns false (nothing
 * loaded) when that finds none: the ordinary loader takes over.
 */
bool loader_load_driver_aside(loader *L, const char *url, plugin *out)
{
	memset(out, 0, sizeof *out);
	if (!L->up || !url)
		return false;
	size_t nuser = 0;
	char **dirs = plugin_dirs(L, &nuser);
	bool found = false;
	for (size_t i = 0; dirs[i]; i++) {
		if (i >= nuser && !found) {
			DIR *d = opendir(dirs[i]);
			struct dirent *e;
			while (d && !found && (e = readdir(d))) {
				size_t l = strlen(e->d_name);
				if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".so") ||
				    !named_for_url(e->d_name, l - 3, url))
					continue;
				char *file = path_join(dirs[i], e->d_name);
				open_one(L, file, out);
				free(file);
				if (!(found = serves(out, url)))
					close_one(out);
			}
			if (d)
				closedir(d);
		}
		free(dirs[i]);
	}
	free(dirs);
	return found;
}

/* Unlike adopt(), never closes it: a connection may be using it. */
const plugin *loader_adopt_driver(loader *L, plugin *pl)
{
	if (!pl->handle)
		return NULL;
	L->plugins = xrealloc(L->plugins, (L->nplugins + 1) * sizeof *L->plugins);
	L->plugins[L->nplugins++] = *pl;
	memset(pl, 0, sizeof *pl);
	return &L->plugins[L->nplugins - 1];
}

int loader_load_url(loader *L, const char *url)
{
	return load(L, url, false);
}

int loader_load_all(loader *L)
{
	return load(L, NULL, true);
}

void loader_unbind_trackers(loader *L)
{
	for (size_t i = 0; i < L->nbinds; i++) {
		free(L->binds[i].name);
		free(L->binds[i].descriptor);
		free(L->binds[i].table);
	}
	free(L->binds);
	L->binds = NULL;
	L->nbinds = 0;
	L->bound = false;
}

void loader_free(loader *L)
{
	loader_unbind_trackers(L);
	for (size_t i = 0; i < L->nplugins; i++) {
		if (L->plugins[i].handle)
			lt_dlclose(L->plugins[i].handle);
		free(L->plugins[i].file);
		free(L->plugins[i].error);
	}
	free(L->plugins);
	L->plugins = NULL;
	L->nplugins = 0;
	if (L->formats_dirs) {
		for (size_t i = 0; L->formats_dirs[i]; i++)
			free(L->formats_dirs[i]);
		free(L->formats_dirs);
		L->formats_dirs = NULL;
	}
	free(L->dialect);
	free(L->dialect_scheme);
	L->dialect = L->dialect_scheme = NULL;
	for (size_t i = 0; i < L->ndnames; i++) { /* dialect.c's */
		free(L->dnames[i].alias);
		free(L->dnames[i].canonical);
	}
	free(L->dnames);
	free(L->left);
	free(L->left_out);
	L->dnames = NULL;
	L->left = NULL;
	L->left_out = NULL;
	L->ndnames = L->nleft_out = 0;
	L->dnames_read = false;
	if (L->up)
		lt_dlexit();
	L->up = false;
	L->all = false;
}

const plugin *loader_find_format(const loader *L, const char *format)
{
	for (size_t i = 0; i < L->nplugins; i++) {
		const strata_plugin *d = L->plugins[i].desc;
		if (!d || !d->source)
			continue;
		for (size_t j = 0; d->source->formats[j]; j++)
			if (!strcmp(d->source->formats[j], format))
				return &L->plugins[i];
	}
	return NULL;
}

/* The driver whose scheme prefixes the URL ("sqlite:…", "postgresql://…").  A
 * string with no scheme but key=value pairs (a libpq conninfo string) goes to
 * the driver that lists the pseudo-scheme "=". */
const plugin *loader_find_scheme(const loader *L, const char *url)
{
	for (size_t i = 0; i < L->nplugins; i++)
		if (serves(&L->plugins[i], url))
			return &L->plugins[i];
	return NULL;
}

const plugin *loader_find_tracker(const loader *L, const char *format)
{
	const plugin *pl = loader_find_format(L, format);
	return pl && pl->desc->tracker ? pl : NULL;
}

void loader_init(loader *L, err_ctx *e, const config *cfg)
{
	memset(L, 0, sizeof *L);
	L->e = e;
	L->cfg = cfg;
}
