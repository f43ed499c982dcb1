/* The detect() op, for `strata init`: a folder is an Alembic versions folder
 * when its *.py files declare revision and down_revision at module level.
 * The versions folder is claimed, not the project holding alembic.ini: init
 * stops descending at a claimed folder, and a repository root with
 * alembic.ini may hold other histories (a Prisma folder beside it).  The
 * version table that env.py (beside the versions folder) names with string
 * literals is reported as the source's version_table / version_table_schema. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "alembic_int.h"
#include "pyread.h"

static int is_revision(strata_host *h, const char *dir, const char *name)
{
	char *abs = al_join(dir, name), *text = NULL;
	size_t len = 0;
	int yes = 0;
	if (abs && strata_read_file(h, AT_FDCWD, abs, name, &text, &len) == 0) {
		py_revision r;
		if (py_read_revision(text, len, &r, NULL, 0, NULL) == 0) {
			yes = r.has_revision && r.has_down && r.revision.kind == PY_STR;
			py_revision_free(&r);
		}
	}
	free(text);
	free(abs);
	return yes;
}

int al_detect(strata_host *h, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int revs = 0, others = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 4 || strcmp(e->d_name + l - 3, ".py") ||
		    !strcmp(e->d_name, "__init__.py"))
			continue;
		if (is_revision(h, dir, e->d_name))
			revs++;
		else
			others++;
	}
	closedir(d);
	if (!revs || others > revs)
		return 0;
	/* The tree's env.py may name its version table: write it down, so that
	 * `strata init` can tell two trees' tables apart. */
	char *env = al_beside(dir, "env.py");
	if (!env)
		return strata_oom(h);
	al_envpy ev;
	int rc = al_envpy_read(h, env, env, 1, &ev);
	free(env);
	if (rc == STRATA_ENOMEM)
		return rc;
	if (rc < 0) /* unreadable: Alembic cannot run it either; no names */
		memset(&ev, 0, sizeof ev);
	const char *keys[3] = {NULL}, *values[3] = {NULL};
	int n = 0;
	if (ev.table && *ev.table)
		keys[n] = "version_table", values[n++] = ev.table;
	if (ev.schema)
		keys[n] = "version_table_schema", values[n++] = ev.schema;
	rc = h->detected(h, "alembic", keys, values);
	al_envpy_free(&ev);
	return rc < 0 ? rc : 50 + 2 * revs;
}
