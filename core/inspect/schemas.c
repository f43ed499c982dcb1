/* --each-schema PATTERN: the schemas of a database whose names match a
 * shell glob (fnmatch(3), no flags: `*`, `?`, `[...]`), sorted by name in
 * byte order.  The query that lists them is the dialect's, from
 * formats/dialects.yaml's `schemas:` table (system schemas left out there);
 * a dialect without one has no schemas: a usage error. */
#include "inspect.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct names {
	const char *pattern;
	char **v;
	size_t n;
} names;

static int keep(void *ud, int ncols, const char *const *values)
{
	names *ns = ud;
	if (ncols < 1 || !values[0] || fnmatch(ns->pattern, values[0], 0) != 0)
		return 0;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof *ns->v);
	ns->v[ns->n++] = xstrdup(values[0]);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void inspect_schemas_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int inspect_schemas(loader *L, const char *url, const char *pattern, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	db d = {0};
	int rc = db_open(&d, L, url, true, NULL);
	char *sql = NULL;
	if (!rc && !(sql = dialect_setting(L, "schemas", db_dialect(&d))))
		rc = err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, d.display, 0, 0,
		             "--each-schema is for databases with schemas (PostgreSQL); list the databases "
		             "in a --fleet FILE instead",
		             "--each-schema: a %s database has no schemas", db_dialect(&d));
	if (!rc && !d.conn)
		rc = err_set(L->e, STRATA_ENOTFOUND, STRATA_ECLASS_DB, d.display, 0, 0,
		             "point --db at the database that holds the schemas", "the database does not exist");
	names ns = {.pattern = pattern};
	if (!rc)
		rc = db_query(&d, sql, NULL, 0, keep, &ns);
	if (!rc && !ns.n)
		rc = err_set(L->e, STRATA_ENOTFOUND, STRATA_ECLASS_USAGE, d.display, 0, 0,
		             "the pattern is a shell glob such as 'tenant_*'; system schemas never match",
		             "--each-schema: no schema matches '%s'", pattern);
	free(sql);
	db_close(&d);
	if (rc) {
		inspect_schemas_free(ns.v, ns.n);
		return rc;
	}
	qsort(ns.v, ns.n, sizeof *ns.v, by_name);
	*out = ns.v;
	*n = ns.n;
	return 0;
}
