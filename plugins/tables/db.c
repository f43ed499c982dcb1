/* What the database holds of a descriptor's table: whether it exists and
 * which of the columns it has, from the catalog (information_schema.columns
 * on PostgreSQL, pragma_table_info on SQLite), for probe() and read(). */
#include <string.h>
#include <strings.h>

#include "tables_int.h"

typedef struct seen {
	const tb_desc *d;
	int rows, matched;
} seen;

static int on_col(void *ud, int ncols, const char *const *v)
{
	seen *s = ud;
	s->rows++;
	for (size_t i = 0; ncols > 0 && v[0] && i < s->d->ncols; i++)
		if (!strcasecmp(s->d->cols[i].name, v[0]))
			s->matched++;
	return 0;
}

int tb_columns_present(strata_host *h, const tb_desc *d)
{
	seen s = {.d = d};
	int rc;
	if (tb_is_sqlite(h)) {
		const char *p[] = {d->table, d->schema ? d->schema : "main"};
		rc = h->db_query(h, "SELECT name FROM pragma_table_info($1, $2)", p, 2, on_col, &s);
	} else {
		/* information_schema.columns' rows, from the catalog it is a view
		 * of, with its conditions: the view costs a new backend ~4 ms to
		 * plan, this ~1 (status on PostgreSQL reads it every time). */
		const char *p[] = {d->schema, d->table};
		rc = h->db_query(h,
		                 "SELECT a.attname::text FROM pg_catalog.pg_attribute a "
		                 "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
		                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		                 "WHERE n.nspname = COALESCE($1::text, pg_catalog.current_schema()::text) "
		                 "AND c.relname = $2 AND c.relkind IN ('r', 'v', 'f', 'p') "
		                 "AND a.attnum > 0 AND NOT a.attisdropped "
		                 "AND NOT pg_catalog.pg_is_other_temp_schema(n.oid) "
		                 "AND (pg_catalog.pg_has_role(c.relowner, 'USAGE') OR "
		                 "pg_catalog.has_column_privilege(c.oid, a.attnum, "
		                 "'SELECT, INSERT, UPDATE, REFERENCES'))",
		                 p, 2, on_col, &s);
	}
	if (rc < 0)
		return rc;
	return s.rows ? 1 + s.matched : 0;
}
