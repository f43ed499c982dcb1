/*
 * The live schema object by object (the driver's catalog op, for `strata
 * drift` and `strata baseline --infer`): one set-based query over pg_catalog
 * per kind, never one per object.  Every definition comes from the server's
 * own functions (format_type, pg_get_expr, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef,
 * pg_get_triggerdef), so two databases of one server print equal objects
 * alike.  Every schema but the server's own (pg_catalog,
 * information_schema, pg_toast, pg_temp_*); what an extension installed is
 * left out, the extension itself reported.
 *
 * Each query gives kind, schema, parent, name, definition; kind is a name
 * of the table below.  A function's name carries its identity arguments
 * ("f(integer, text)"): overloads are distinct objects.  A sequence OWNED
 * BY a column ends its definition with " OWNED BY table.column", which is
 * how the host tells a tracking table's sequences.
 */
#include <string.h>

#include "postgres_int.h"

static const struct {
	const char *name;
	strata_obj_kind kind;
} kinds[] = {
	{"schema", STRATA_OBJK_SCHEMA},       {"extension", STRATA_OBJK_EXTENSION},
	{"type", STRATA_OBJK_TYPE},           {"domain", STRATA_OBJK_DOMAIN},
	{"sequence", STRATA_OBJK_SEQUENCE},   {"table", STRATA_OBJK_TABLE},
	{"column", STRATA_OBJK_COLUMN},       {"constraint", STRATA_OBJK_CONSTRAINT},
	{"index", STRATA_OBJK_INDEX},         {"view", STRATA_OBJK_VIEW},
	{"matview", STRATA_OBJK_MATVIEW},     {"function", STRATA_OBJK_FUNCTION},
	{"procedure", STRATA_OBJK_PROCEDURE}, {"trigger", STRATA_OBJK_TRIGGER},
};

/* Schemas the server keeps for itself. */
#define USER_NSP                                                              \
	" n.nspname NOT IN ('pg_catalog', 'information_schema')"              \
	" AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'"

/* Not installed by an extension (CREATE EXTENSION stands for it). */
#define NOT_EXT(cat, oid)                                                      \
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x"                \
	" WHERE x.classid = '" cat "'::pg_catalog.regclass AND x.objid = " oid \
	" AND x.deptype = 'e')"

/* Each kind's rows by schema, parent and name: of type name, which sorts
 * bytewise whatever the database's collation. */
#define ORDERED " ORDER BY 2, 3, 4"

#define CLASS_OK(c) USER_NSP NOT_EXT("pg_catalog.pg_class", c ".oid")

/* Newlines and the indentation around them, as pg_get_viewdef prints them. */
#define ONE_LINE(expr) "btrim(regexp_replace(" expr ", E'\\\\s*\\\\n\\\\s*', ' ', 'g'))"

static const char schemas_sql[] =
	"SELECT 'schema', n.nspname, NULL, n.nspname, ''"
	" FROM pg_catalog.pg_namespace n"
	" WHERE" USER_NSP NOT_EXT("pg_catalog.pg_namespace", "n.oid") ORDERED;

static const char extensions_sql[] =
	"SELECT 'extension', n.nspname, NULL, e.extname,"
	" 'VERSION ' || e.extversion || ' SCHEMA ' || quote_ident(n.nspname)"
	" FROM pg_catalog.pg_extension e"
	" JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace" ORDERED;

/* Enums (labels in order), composite types (attributes in order), ranges. */
static const char types_sql[] =
	"SELECT 'type', n.nspname, NULL, t.typname,"
	" CASE t.typtype"
	"  WHEN 'e' THEN 'ENUM (' || coalesce((SELECT string_agg(quote_literal(v.enumlabel::text),"
	"    ', ' ORDER BY v.enumsortorder) FROM pg_catalog.pg_enum v"
	"    WHERE v.enumtypid = t.oid), '') || ')'"
	"  WHEN 'c' THEN 'AS (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' '"
	"    || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
	"    FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0"
	"    AND NOT a.attisdropped), '') || ')'"
	"  ELSE 'RANGE (SUBTYPE = ' || coalesce((SELECT format_type(r.rngsubtype, NULL)"
	"    FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid), '?') || ')' END"
	" FROM pg_catalog.pg_type t"
	" JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
	" WHERE" USER_NSP NOT_EXT("pg_catalog.pg_type", "t.oid")
	" AND (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1"
	"   FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))" ORDERED;

static const char domains_sql[] =
	"SELECT 'domain', n.nspname, NULL, t.typname,"
	" format_type(t.typbasetype, t.typtypmod)"
	" || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
	" || coalesce(' DEFAULT ' || t.typdefault, '')"
	" || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' '"
	"    || pg_get_constraintdef(k.oid), '' ORDER BY k.conname::text COLLATE \"C\")"
	"    FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid), '')"
	" FROM pg_catalog.pg_type t"
	" JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
	" WHERE" USER_NSP " AND t.typtype = 'd'" NOT_EXT("pg_catalog.pg_type", "t.oid") ORDERED;

/* Identity sequences belong to their column (deptype 'i'); serial ones are
 * objects of their own, OWNED BY their column (deptype 'a'). */
static const char sequences_sql[] =
	"SELECT 'sequence', n.nspname, NULL, c.relname,"
	" 'AS ' || format_type(s.seqtypid, NULL)"
	" || ' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin"
	" || ' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart"
	" || ' CACHE ' || s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END"
	" || coalesce((SELECT ' OWNED BY ' || t.relname || '.' || a.attname"
	"    FROM pg_catalog.pg_depend d"
	"    JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
	"    JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
	"    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"    AND d.objid = c.oid AND d.deptype = 'a'"
	"    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass LIMIT 1), '')"
	" FROM pg_catalog.pg_sequence s"
	" JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE" USER_NSP
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x"
	"   WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"   AND x.objid = c.oid AND x.deptype IN ('i', 'e'))" ORDERED;

static const char tables_sql[] =
	"SELECT 'table', n.nspname, NULL, c.relname,"
	" CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED TABLE' ELSE 'TABLE' END"
	" || coalesce((SELECT ' PARTITION OF ' || p.relname || ' '"
	"    || pg_get_expr(c.relpartbound, c.oid)"
	"    FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent"
	"    WHERE i.inhrelid = c.oid AND c.relispartition), '')"
	" || CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END"
	" FROM pg_catalog.pg_class c"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('r', 'p') AND" CLASS_OK("c") ORDERED;

/* "type [GENERATED … AS IDENTITY] [DEFAULT expr | GENERATED ALWAYS AS
 * (expr) STORED] [NOT NULL]". */
static const char columns_sql[] =
	"SELECT 'column', n.nspname, c.relname, a.attname,"
	" format_type(a.atttypid, a.atttypmod)"
	" || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'"
	"    WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END"
	" || CASE WHEN a.attgenerated = 's'"
	"    THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'"
	"    ELSE coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') END"
	" || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
	" FROM pg_catalog.pg_attribute a"
	" JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	" WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
	" AND" CLASS_OK("c") ORDERED;

static const char constraints_sql[] =
	"SELECT 'constraint', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)"
	" FROM pg_catalog.pg_constraint k"
	" JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE" CLASS_OK("c") ORDERED;

/* Indexes behind a primary key, unique or exclusion constraint are the
 * constraint's. */
static const char indexes_sql[] =
	"SELECT 'index', n.nspname, c.relname, ic.relname, pg_get_indexdef(i.indexrelid)"
	" FROM pg_catalog.pg_index i"
	" JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	" JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE" CLASS_OK("c")
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
	"   WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid"
	"   AND k.contype IN ('p', 'u', 'x'))" ORDERED;

static const char views_sql[] =
	"SELECT CASE c.relkind WHEN 'm' THEN 'matview' ELSE 'view' END, n.nspname, NULL,"
	" c.relname, " ONE_LINE("pg_get_viewdef(c.oid)")
	" FROM pg_catalog.pg_class c"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('v', 'm') AND" CLASS_OK("c") ORDERED;

/* pg_get_functiondef refuses aggregates: they are left out. */
static const char functions_sql[] =
	"SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, NULL,"
	" p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
	" pg_get_functiondef(p.oid)"
	" FROM pg_catalog.pg_proc p"
	" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.prokind IN ('f', 'p', 'w') AND" USER_NSP NOT_EXT("pg_catalog.pg_proc", "p.oid") ORDERED;

static const char triggers_sql[] =
	"SELECT 'trigger', n.nspname, c.relname, g.tgname, pg_get_triggerdef(g.oid)"
	" FROM pg_catalog.pg_trigger g"
	" JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE NOT g.tgisinternal AND" CLASS_OK("c") ORDERED;

typedef struct cat_walk {
	strata_host *host;
	strata_catalog_fn fn;
	void *ud;
	int stopped; /* fn said STRATA_STOP: no more kinds */
} cat_walk;

static int catalog_row(void *ud, int ncols, const char *const *v)
{
	cat_walk *w = ud;
	if (ncols < 5 || !v[0] || !v[3])
		return STRATA_OK;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		if (strcmp(kinds[i].name, v[0]))
			continue;
		strata_catalog_object o = {
			.version = STRATA_CATALOG_OBJECT_VERSION, .struct_size = sizeof o,
			.kind = kinds[i].kind, .schema = v[1], .parent = v[2], .name = v[3],
			.definition = v[4] ? v[4] : "",
		};
		int rc = w->fn(w->ud, &o);
		w->stopped = rc == STRATA_STOP;
		return rc;
	}
	w->host->error(w->host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
	               "catalog: a row of unknown kind '%s'", v[0]);
	return STRATA_ERR;
}

int pgdrv_catalog(strata_conn *conn, strata_host *host, unsigned int flags,
                  strata_catalog_fn fn, void *ud)
{
	const char *const queries[] = {
		schemas_sql, extensions_sql, types_sql, domains_sql, sequences_sql, tables_sql,
		columns_sql, constraints_sql, indexes_sql, views_sql, functions_sql, triggers_sql,
	};
	cat_walk w = {host, fn, ud, 0};
	int own, rc;
	(void)flags;
	if (PQserverVersion(conn->pg) < 120000) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, "use PostgreSQL 12 or later",
		            "catalog: PostgreSQL %d is not supported", PQserverVersion(conn->pg));
		return STRATA_EINVAL;
	}
	conn->host = host;
	rc = pgdrv_pool_enter(conn, host, &own);
	for (size_t i = 0; i < sizeof queries / sizeof *queries && rc == STRATA_OK && !w.stopped; i++)
		rc = pgdrv_query(conn, host, queries[i], NULL, 0, catalog_row, &w);
	return pgdrv_pool_leave(conn, host, own, rc);
}
