/* Plugin loading with libltdl.  Every file that looks like a module is opened
 * and asked for its descriptor; one that is not a strata plugin, or was built
 * for another ABI, is refused with a message naming the file while the others
 * keep working (PostgreSQL's PG_MODULE_MAGIC check, applied per file). */
#include "strata_int.h"

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
static char **plugin_dirs(strata *s, size_t *nuser)
{
	char **dirs = NULL;
	size_t n = 0;
	add_env_dirs(&dirs, &n, "STRATA_PLUGIN_PATH");
	for (size_t i = 0; i < s->cfg.nplugin_path; i++)
		add_dir(&dirs, &n, s->cfg.plugin_path[i]);
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

static void formats_dirs(strata *s)
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
	s->formats_dirs = dirs;
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

static const plugin *find_name(const strata *s, const char *name)
{
	for (size_t i = 0; i < s->nplugins; i++)
		if (s->plugins[i].desc && !strcmp(s->plugins[i].desc->name, name))
			return &s->plugins[i];
	return NULL;
}

/* A role table is usable when its version is one we know or newer (the struct
 * only grows) and it is at least as large as version 1 of it. */
static const char *check_roles(const strata_plugin *d)
{
	if (d->source && (d->source->version < 1 || d->source->struct_size < sizeof(strata_source_ops) ||
	                  !d->source->scan || !d->source->formats))
		return "its source table is incomplete";
	if (d->tracker && (d->tracker->version < 1 ||
	                   d->tracker->struct_size < offsetof(strata_tracker_ops, lock) ||
	                   !d->tracker->read || !d->tracker->record))
		return "its tracker table is incomplete";
	const strata_driver_ops *dr = d->driver;
	/* needs_autocommit and later members are optional: a driver built
	 * before them is still whole. */
	if (dr && (dr->version < 1 || dr->struct_size < offsetof(strata_driver_ops, needs_autocommit) ||
	           !dr->schemes ||
	           !dr->dialect || !dr->open || !dr->close || !dr->exec || !dr->query || !dr->begin ||
	           !dr->commit || !dr->rollback || !dr->run || !dr->table_exists ||
	           !dr->lock != !dr->unlock))
		return "its driver table is incomplete";
	return NULL;
}

/* dlopen file and check its descriptor into *out (pl.error set when it is
 * refused; a refused file has no handle).  Touches nothing in the handle but
 * the log, so status's database thread may call it. */
static void open_one(strata *s, const char *file, plugin *out)
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
	else if (d->struct_size < sizeof(strata_plugin) || !d->name || !*d->name || !d->version)
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
		logf_(s, STRATA_LOG_WARN, file, 0, "%s", pl.error);
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
static const plugin *adopt(strata *s, plugin *pl)
{
	const plugin *first = pl->desc ? find_name(s, pl->desc->name) : NULL;
	if (first) {
		logf_(s, STRATA_LOG_DEBUG, NULL, 0, "%s: plugin '%s' already loaded from %s; skipped",
		      pl->file, pl->desc->name, first->file);
		close_one(pl);
		return first;
	}
	s->plugins = xrealloc(s->plugins, (s->nplugins + 1) * sizeof *s->plugins);
	s->plugins[s->nplugins++] = *pl;
	memset(pl, 0, sizeof *pl);
	return &s->plugins[s->nplugins - 1];
}

static void load_one(strata *s, const char *file)
{
	plugin pl;
	open_one(s, file, &pl);
	adopt(s, &pl);
}

static bool loaded(const strata *s, const char *file)
{
	for (size_t i = 0; i < s->nplugins; i++)
		if (!strcmp(s->plugins[i].file, file))
			return true;
	return false;
}

/* Is base (a plugin file name without ".so") named after something this
 * command needs: a source's format, or the URL's scheme ("postgres" for
 * postgresql:)? */
static bool named_for_url(const char *base, size_t blen, const char *url)
{
	size_t k = url ? strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") : 0;
	return k && url[k] == ':' && blen >= 3 && blen <= k && !strncasecmp(url, base, blen);
}

static bool named_for(const strata *s, const char *base, size_t blen, const char *url)
{
	for (size_t i = 0; i < s->cfg.nsources; i++)
		if (strlen(s->cfg.sources[i].format) == blen &&
		    !strncmp(s->cfg.sources[i].format, base, blen))
			return true;
	return named_for_url(base, blen, url);
}

/* Load the plugin files of dir in name order: all of them, or (url != NULL)
 * only those named for what the command needs.  Files already loaded are
 * skipped. */
static void load_dir(strata *s, const char *dir, bool named_only, const char *url)
{
	DIR *d = opendir(dir);
	if (!d) {
		logf_(s, STRATA_LOG_DEBUG, dir, 0, "plugin directory not readable; skipped");
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".so"))
			continue;
		if (named_only && !named_for(s, e->d_name, strlen(e->d_name) - 3, url))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = path_join(dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!loaded(s, names[i]))
			load_one(s, names[i]);
		free(names[i]);
	}
	free(names);
}

/* Every source's format has a plugin, and url (if any) a driver. */
static bool needs_met(const strata *s, const char *url)
{
	for (size_t i = 0; i < s->cfg.nsources; i++)
		if (!loader_find_format(s, s->cfg.sources[i].format))
			return false;
	return !url || loader_find_scheme(s, url);
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
static int load(strata *s, const char *url, bool all)
{
	if (s->ltdl_all || (s->ltdl_up && !all && needs_met(s, url)))
		return 0; /* nothing to add: no listing, no change to the handle */
	if (!s->ltdl_up) {
		if (lt_dlinit() != 0)
			return err_set(s, STRATA_ERR, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL,
			               "libltdl: %s", lt_dlerror());
		s->ltdl_up = true;
		formats_dirs(s);
	}
	size_t nuser = 0;
	char **dirs = plugin_dirs(s, &nuser);
	for (size_t i = 0; dirs[i] && i < nuser; i++) {
		logf_(s, STRATA_LOG_DEBUG, NULL, 0, "plugin directory %s", dirs[i]);
		load_dir(s, dirs[i], false, NULL);
	}
	if (!all)
		for (size_t i = nuser; dirs[i] && !needs_met(s, url); i++)
			load_dir(s, dirs[i], true, url);
	if (all || !needs_met(s, url)) {
		for (size_t i = 0; dirs[i]; i++)
			load_dir(s, dirs[i], false, NULL);
		s->ltdl_all = true;
	}
	for (size_t i = 0; dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
	return 0;
}

static bool serves(const plugin *pl, const char *url)
{
	if (!pl->desc || !pl->desc->driver)
		return false;
	size_t k = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (!k || url[k] != ':') {
		if (!strchr(url, '='))
			return false;
		url = "=";
		k = 1;
	}
	for (size_t j = 0; pl->desc->driver->schemes[j]; j++)
		if (strlen(pl->desc->driver->schemes[j]) == k &&
		    !strncasecmp(pl->desc->driver->schemes[j], url, k))
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
bool loader_load_driver_aside(strata *s, const char *url, plugin *out)
{
	memset(out, 0, sizeof *out);
	if (!s->ltdl_up || !url)
		return false;
	size_t nuser = 0;
	char **dirs = plugin_dirs(s, &nuser);
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
				open_one(s, file, out);
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
const plugin *loader_adopt_driver(strata *s, plugin *pl)
{
	if (!pl->handle)
		return NULL;
	s->plugins = xrealloc(s->plugins, (s->nplugins + 1) * sizeof *s->plugins);
	s->plugins[s->nplugins++] = *pl;
	memset(pl, 0, sizeof *pl);
	return &s->plugins[s->nplugins - 1];
}

int loader_load(strata *s)
{
	return load(s, strata_database_url(s), false);
}

int loader_load_url(strata *s, const char *url)
{
	return load(s, url, false);
}

int loader_load_all(strata *s)
{
	return load(s, NULL, true);
}

void loader_free(strata *s)
{
	for (size_t i = 0; i < s->nplugins; i++) {
		if (s->plugins[i].handle)
			lt_dlclose(s->plugins[i].handle);
		free(s->plugins[i].file);
		free(s->plugins[i].error);
	}
	free(s->plugins);
	s->plugins = NULL;
	s->nplugins = 0;
	if (s->formats_dirs) {
		for (size_t i = 0; s->formats_dirs[i]; i++)
			free(s->formats_dirs[i]);
		free(s->formats_dirs);
		s->formats_dirs = NULL;
	}
	if (s->ltdl_up)
		lt_dlexit();
	s->ltdl_up = false;
	s->ltdl_all = false;
}

const plugin *loader_find_format(const strata *s, const char *format)
{
	for (size_t i = 0; i < s->nplugins; i++) {
		const strata_plugin *d = s->plugins[i].desc;
		if (!d || !d->source)
			continue;
		for (size_t j = 0; d->source->formats[j]; j++)
			if (!strcmp(d->source->formats[j], format))
				return &s->plugins[i];
	}
	return NULL;
}

/* The driver whose scheme prefixes the URL ("sqlite:…", "postgresql://…").  A
 * string with no scheme but key=value pairs (a libpq conninfo string) goes to
 * the driver that lists the pseudo-scheme "=". */
const plugin *loader_find_scheme(const strata *s, const char *url)
{
	size_t k = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (!k || url[k] != ':') {
		if (!strchr(url, '='))
			return NULL;
		url = "=";
		k = 1;
	}
	for (size_t i = 0; i < s->nplugins; i++) {
		const strata_plugin *d = s->plugins[i].desc;
		if (!d || !d->driver)
			continue;
		for (size_t j = 0; d->driver->schemes[j]; j++)
			if (strlen(d->driver->schemes[j]) == k && !strncasecmp(d->driver->schemes[j], url, k))
				return &s->plugins[i];
	}
	return NULL;
}

size_t strata_plugin_count(const strata *s)
{
	return s->nplugins;
}

const strata_plugin_info *strata_plugin_get(const strata *s, size_t i)
{
	return i < s->nplugins ? &s->plugins[i].info : NULL;
}
