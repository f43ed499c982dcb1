/* strata init's walk: every folder under the repository, depth first in name
 * order, down to INIT_WALK_DEPTH levels, each folder read once.  What is not
 * entered is two tables: folder names (dependencies, virtualenvs, tool
 * caches, build output by convention) and marker files whose presence makes
 * a folder build output wherever it is (a CMake or Meson build tree).
 * Symlinked folders are never followed, so a link loop cannot hang the walk. */
#include "sources.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Folder names never entered (fnmatch patterns; ".*": every hidden folder,
 * among them .git, .venv, .tox, .gradle, .idea). */
static const char *const skip_names[] = {
	".*", "node_modules", "bower_components", "vendor", "target", "build", "dist", "out",
	"venv", "__pycache__", "coverage", "site-packages", NULL,
};

/* A folder holding one of these is a build tree: not entered. */
static const char *const build_markers[] = {
	"CMakeCache.txt", "meson-info", "pyvenv.cfg", NULL,
};

bool init_walk_skipped(const char *name)
{
	for (size_t i = 0; skip_names[i]; i++)
		if (fnmatch(skip_names[i], name, 0) == 0)
			return true;
	return false;
}

static bool is_marker(const char *name)
{
	for (size_t i = 0; build_markers[i]; i++)
		if (!strcmp(build_markers[i], name))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct walker {
	init_walk_fn fn;
	void *ud;
	size_t folders; /* folders read, for the debug line */
} walker;

/* The subfolders of abs worth entering (sorted, NULL-terminated), or NULL
 * when abs is a build tree (markers: the repository's own top folder is
 * always entered, an in-source build there notwithstanding). */
static char **subfolders(const char *abs, bool markers)
{
	bool is_build = false;
	bool *build = &is_build;
	DIR *dh = opendir(abs);
	if (!dh)
		return xcalloc(1, sizeof(char *));
	char **subs = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (markers && is_marker(e->d_name)) {
			*build = true;
			break;
		}
		if (init_walk_skipped(e->d_name)) /* also . and .. */
			continue;
		bool dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) { /* lstat: a symlink is not a folder here */
			char *p = path_join(abs, e->d_name);
			struct stat st;
			dir = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
			free(p);
		}
		if (dir) {
			subs = xrealloc(subs, (n + 2) * sizeof *subs);
			subs[n++] = xstrdup(e->d_name);
		}
	}
	closedir(dh);
	if (*build) {
		for (size_t i = 0; i < n; i++)
			free(subs[i]);
		free(subs);
		return NULL;
	}
	if (!subs)
		return xcalloc(1, sizeof(char *));
	subs[n] = NULL;
	qsort(subs, n, sizeof *subs, cmp_str);
	return subs;
}

static int visit(walker *w, const char *rel, const char *abs, int depth)
{
	char **subs = subfolders(abs, depth > 0);
	w->folders++;
	if (!subs)
		return 0; /* a build tree */
	int rc = w->fn(w->ud, rel, abs, (const char *const *)subs);
	for (size_t i = 0; subs[i]; i++) {
		if (rc == 0 && depth < INIT_WALK_DEPTH) {
			char *r = *rel ? path_join(rel, subs[i]) : xstrdup(subs[i]);
			char *a = path_join(abs, subs[i]);
			rc = visit(w, r, a, depth + 1);
			if (rc > 0)
				rc = 0;
			free(r);
			free(a);
		}
		free(subs[i]);
	}
	free(subs);
	return rc > 0 ? 0 : rc;
}

int init_walk(err_ctx *e, const char *root, init_walk_fn fn, void *ud)
{
	walker w = {.fn = fn, .ud = ud};
	int rc = visit(&w, "", root, 0);
	logf_(e, STRATA_LOG_DEBUG, NULL, 0, "init: %zu folders read", w.folders);
	return rc;
}
