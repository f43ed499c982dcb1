/*
 * The live schema object by object (the driver's catalog op, for `strata
 * drift` and `strata baseline --infer`), in one query: sqlite_schema joined
 * with the pragma table-valued functions (table_list, table_xinfo,
 * index_list, index_info, foreign_key_list).  SQLite has no schemas here
 * (schema NULL); what it makes itself (sqlite_*, autoindexes, the shadow
 * tables of a virtual table) is left out.
 *
 * Definitions: a table's kind and options (WITHOUT ROWID, STRICT); a
 * column's "TYPE [NOT NULL] [DEFAULT expr] [PRIMARY KEY] [GENERATED …]";
 * a PRIMARY KEY, UNIQUE or FOREIGN KEY constraint is named by what it says
 * ("UNIQUE (email)": SQLite keeps no name for it); an index's, a view's and
 * a trigger's stored CREATE text normalised (its tokens, comments left out,
 * one space apart, none around parentheses), so layout alone is no
 * difference.  CHECK constraints
 * live only in the table's text and are not reported.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

static const struct {
	const char *name;
	strata_obj_kind kind;
} kinds[] = {
	{"table", STRATA_OBJK_TABLE},   {"column", STRATA_OBJK_COLUMN},
	{"index", STRATA_OBJK_INDEX},   {"constraint", STRATA_OBJK_CONSTRAINT},
	{"view", STRATA_OBJK_VIEW},     {"trigger", STRATA_OBJK_TRIGGER},
};

#define USER_OBJ(t) " " t ".name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
/* The database's own tables (not views, shadow tables or sqlite_*). */
#define TFROM " FROM sqlite_schema t JOIN pragma_table_list l ON l.schema = 'main' AND l.name = t.name"
#define TWHERE " WHERE t.type = 'table' AND l.type IN ('table', 'virtual') AND" USER_OBJ("t")
#define PLAIN " AND l.type = 'table'"

/* Columns: kind, parent, name, definition, whether definition is SQL text
 * to normalise. */
static const char catalog_sql[] =
	"SELECT 'table', NULL, t.name,"
	" CASE l.type WHEN 'virtual' THEN t.sql ELSE 'TABLE'"
	"  || CASE WHEN l.wr THEN ' WITHOUT ROWID' ELSE '' END"
	"  || CASE WHEN l.strict THEN ' STRICT' ELSE '' END END, l.type = 'virtual'" TFROM TWHERE
	" UNION ALL "
	"SELECT 'column', t.name, c.name,"
	" upper(c.type) || CASE WHEN c.\"notnull\" THEN ' NOT NULL' ELSE '' END"
	" || coalesce(' DEFAULT ' || c.dflt_value, '')"
	" || CASE WHEN c.pk > 0 THEN ' PRIMARY KEY' ELSE '' END"
	" || CASE c.hidden WHEN 2 THEN ' GENERATED VIRTUAL' WHEN 3 THEN ' GENERATED STORED'"
	"    ELSE '' END, 0" TFROM " JOIN pragma_table_xinfo(t.name) c" TWHERE PLAIN
	" AND c.hidden <> 1"
	" UNION ALL "
	"SELECT 'constraint', tn, k, k, 0 FROM (SELECT t.name AS tn,"
	" CASE i.origin WHEN 'pk' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END || ' ('"
	" || (SELECT group_concat(name, ', ') FROM (SELECT x.name FROM pragma_index_info(i.name) x"
	"     ORDER BY x.seqno)) || ')' AS k" TFROM " JOIN pragma_index_list(t.name) i" TWHERE PLAIN
	" AND i.origin IN ('pk', 'u'))"
	" UNION ALL "
	"SELECT 'constraint', tn, k, k || ' ON UPDATE ' || upd || ' ON DELETE ' || del, 0"
	" FROM (SELECT tn, 'FOREIGN KEY (' || group_concat(f_from, ', ') || ') REFERENCES '"
	"  || f_table || ' (' || group_concat(f_to, ', ') || ')' AS k, upd, del"
	"  FROM (SELECT t.name AS tn, f.id AS fid, f.\"from\" AS f_from, f.\"table\" AS f_table,"
	"   coalesce(f.\"to\", '') AS f_to, f.on_update AS upd, f.on_delete AS del"
	TFROM " JOIN pragma_foreign_key_list(t.name) f" TWHERE PLAIN " ORDER BY t.name, f.id, f.seq)"
	"  GROUP BY tn, fid)"
	" UNION ALL "
	"SELECT s.type, CASE s.type WHEN 'view' THEN NULL ELSE s.tbl_name END, s.name, s.sql, 1"
	" FROM sqlite_schema s WHERE s.type IN ('index', 'view', 'trigger') AND s.sql IS NOT NULL"
	" AND" USER_OBJ("s")
	" ORDER BY 1, 2, 3";

/* sql's tokens, comments left out, one space apart (none around
 * parentheses, none before a comma or a semicolon). */
static char *normalised(const char *sql)
{
	size_t len = strlen(sql), k = 0;
	/* Each token is at least a byte and gets at most one space before it:
	 * `id>1+2*3` grows to `id > 1 + 2 * 3`, never past twice its length. */
	char *out = malloc(2 * len + 1);
	const char *p = sql, *end = sql + len, *next;
	if (!out)
		return NULL;
	for (const char *t; (t = sqlite_lex_token(p, end, &next)) < end; p = next) {
		if (k && !strchr(",);(", *t) && out[k - 1] != '(')
			out[k++] = ' ';
		memcpy(out + k, t, (size_t)(next - t));
		k += (size_t)(next - t);
	}
	out[k] = '\0';
	return out;
}

typedef struct cat_walk {
	strata_host *host;
	strata_catalog_fn fn;
	void *ud;
} cat_walk;

static int catalog_row(void *ud, int ncols, const char *const *v)
{
	cat_walk *w = ud;
	if (ncols < 5 || !v[0] || !v[2])
		return STRATA_OK;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		if (strcmp(kinds[i].name, v[0]))
			continue;
		char *norm = NULL;
		if (v[3] && v[4] && !strcmp(v[4], "1") && !(norm = normalised(v[3])))
			return strata_oom(w->host);
		strata_catalog_object o = {
			.version = STRATA_CATALOG_OBJECT_VERSION, .struct_size = sizeof o,
			.kind = kinds[i].kind, .schema = NULL, .parent = v[1], .name = v[2],
			.definition = norm ? norm : v[3] ? v[3] : "",
		};
		int rc = w->fn(w->ud, &o);
		free(norm);
		return rc;
	}
	w->host->error(w->host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
	               "catalog: a row of unknown kind '%s'", v[0]);
	return STRATA_ERR;
}

int sqlite_drv_catalog(strata_conn *conn, strata_host *host, unsigned int flags,
                       strata_catalog_fn fn, void *ud)
{
	cat_walk w = {host, fn, ud};
	(void)flags;
	return sqlite_drv_query(conn, host, catalog_sql, NULL, 0, catalog_row, &w);
}
