/*
 * Does a script write a given table?  Read from PostgreSQL's own parse tree
 * (libpg_query's pg_query_parse, JSON read with json-c), for the tables
 * plugin's self-recording check: a top-level InsertStmt, UpdateStmt,
 * DeleteStmt, MergeStmt or CopyStmt with is_from whose `relation` (a
 * RangeVar: {"schemaname":…,"relname":…}) names it, or such a statement in
 * a WITH clause (WITH x AS (DELETE …) INSERT …: data-modifying CTEs), or
 * under EXPLAIN ANALYZE (which runs it).  The
 * parser has folded unquoted names to lower case already, so names compare
 * byte for byte, as the server compares them.  What is inside a string, a
 * comment, a dollar quote or a function body is not a statement of the
 * script and is never looked at.  The parser splits the script; only a
 * statement whose text holds the name (any case) is parsed into a tree.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <pg_query.h>

#include "postgres_int.h"

/* The statement types that write their `relation`. */
static const char *const writers[] = {
	"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CopyStmt", NULL
};

static int is_writer(const char *t)
{
	for (size_t i = 0; t && writers[i]; i++)
		if (strcmp(t, writers[i]) == 0)
			return 1;
	return 0;
}

/* Does RangeVar rv name [schema.]table?  A typed field is written without
 * its {"RangeVar": …} wrapper; both forms are read. */
static int names(json_object *rv, const char *schema, const char *table)
{
	json_object *inner = pgdrv_member(rv, "RangeVar");
	const char *rel, *sch;

	if (inner)
		rv = inner;
	rel = pgdrv_text(rv, "relname");
	sch = pgdrv_text(rv, "schemaname");
	if (!rel || strcmp(rel, table) != 0)
		return 0;
	return !sch || !schema || strcmp(sch, schema) == 0;
}

static int writes(json_object *node, const char *schema, const char *table, int depth);

/* The CTEs of a statement's WITH clause. */
static int ctes_write(json_object *body, const char *schema, const char *table, int depth)
{
	json_object *with = pgdrv_member(body, "withClause"), *wb, *list;
	const char *wt = pgdrv_node_type(with, &wb);
	size_t n;

	if (wt && strcmp(wt, "WithClause") == 0)
		with = wb;
	list = pgdrv_member(with, "ctes");
	n = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *cte;
		const char *t = pgdrv_node_type(json_object_array_get_idx(list, i), &cte);

		if (t && strcmp(t, "CommonTableExpr") == 0 &&
		    writes(pgdrv_member(cte, "ctequery"), schema, table, depth + 1))
			return 1;
	}
	return 0;
}

/* EXPLAIN ANALYZE runs its statement (EXPLAIN alone does not). */
static int analyzes(json_object *body)
{
	json_object *opts = pgdrv_member(body, "options");
	size_t n = opts && json_object_is_type(opts, json_type_array) ? json_object_array_length(opts) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *def;
		const char *t = pgdrv_node_type(json_object_array_get_idx(opts, i), &def);
		const char *name = t && strcmp(t, "DefElem") == 0 ? pgdrv_text(def, "defname") : NULL;

		if (name && strcmp(name, "analyze") == 0)
			return 1;
	}
	return 0;
}

/* Does the statement node write the table, itself or in its CTEs? */
static int writes(json_object *node, const char *schema, const char *table, int depth)
{
	json_object *body;
	const char *t = pgdrv_node_type(node, &body);

	if (!t || depth > 64)
		return 0;
	if (strcmp(t, "ExplainStmt") == 0)
		return analyzes(body) && writes(pgdrv_member(body, "query"), schema, table, depth + 1);
	if (is_writer(t) &&
	    (strcmp(t, "CopyStmt") != 0 || json_object_get_boolean(pgdrv_member(body, "is_from"))) &&
	    names(pgdrv_member(body, "relation"), schema, table))
		return 1;
	return ctes_write(body, schema, table, depth);
}

/* `"relname":"TABLE"` as libpg_query writes it (compact JSON, the name
 * escaped as JSON escapes it): every RangeVar naming the table holds it, so
 * a tree without it need not be built (json-c builds large trees slowly). */
static char *relname_needle(const char *table)
{
	json_object *name = json_object_new_string(table);
	const char *q = name ? json_object_to_json_string_ext(name, JSON_C_TO_STRING_PLAIN |
	                                                      JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	char *needle = q ? malloc(strlen(q) + 11) : NULL;

	if (needle) {
		memcpy(needle, "\"relname\":", 10);
		strcpy(needle + 10, q);
	}
	json_object_put(name);
	return needle;
}

/* Does the name occur in sql, in any case?  A statement can only write the
 * table if its text names it (folded or quoted), so a script without it is
 * not parsed at all; the one spelling this misses is a name written only
 * with U&"\0073…" escapes. */
static int mentions(const char *sql, const char *name)
{
	size_t k = strlen(name);

	for (const char *p = sql; k && *p; p++)
		if (strncasecmp(p, name, k) == 0)
			return 1;
	return 0;
}

/* Does one statement's text (parsed on its own) write [schema.]table?  1,
 * 0, or STRATA_ENOMEM. */
static int has_needle(const char *json, const void *needle)
{
	return strstr(json, needle) != NULL;
}

static int piece_writes(const char *piece, const char *schema, const char *table,
                        const char *needle)
{
	int nomem, found = 0;
	json_object *root = pgdrv_tree(piece, has_needle, needle, NULL, 0, &nomem), *stmts;
	size_t n;

	if (nomem)
		return STRATA_ENOMEM;
	stmts = pgdrv_member(root, "stmts");
	n = stmts && json_object_is_type(stmts, json_type_array) ? json_object_array_length(stmts) : 0;
	for (size_t i = 0; i < n && !found; i++)
		found = writes(pgdrv_member(json_object_array_get_idx(stmts, i), "stmt"), schema, table, 0);
	json_object_put(root);
	return found;
}

/*
 * The byte offset (stmt_location: just past the previous ';') of the first
 * top-level statement of sql that writes [schema.]table: 1 and *at, 0 none
 * or text the parser rejects (*why, may be NULL, gets its message), < 0
 * out of memory.  The parser splits the script; only a statement whose
 * text names the table is parsed again, on its own, into a tree (json-c
 * builds the tree of a large script slowly: half a second for 20,000
 * INSERTs).
 */
int pgdrv_find_write(const char *sql, const char *schema, const char *table, size_t *at,
                     char *why, size_t whysize)
{
	PgQuerySplitResult sp;
	char *needle;
	size_t len = strlen(sql);
	int found = 0;

	if (why && whysize)
		why[0] = '\0';
	if (!mentions(sql, table))
		return 0;
	needle = relname_needle(table);
	if (!needle)
		return STRATA_ENOMEM;
	sp = pg_query_split_with_parser(sql);
	if (sp.error && why && whysize) {
		strncpy(why, sp.error->message ? sp.error->message : "parse error", whysize - 1);
		why[whysize - 1] = '\0';
	}
	for (int i = 0; !sp.error && i < sp.n_stmts && found == 0; i++) {
		size_t loc = sp.stmts[i]->stmt_location > 0 ? (size_t)sp.stmts[i]->stmt_location : 0;
		size_t n = sp.stmts[i]->stmt_len > 0 ? (size_t)sp.stmts[i]->stmt_len : len;
		char *piece;

		if (loc > len)
			loc = len;
		if (n > len - loc)
			n = len - loc;
		piece = strndup(sql + loc, n);
		if (!piece) {
			found = STRATA_ENOMEM;
			break;
		}
		if (mentions(piece, table))
			found = piece_writes(piece, schema, table, needle);
		free(piece);
		if (found == 1)
			*at = loc;
	}
	pg_query_free_split_result(sp);
	free(needle);
	return found;
}

/* The driver's writes_table (docs/plugins.md). */
int pgdrv_writes_table(strata_conn *conn, strata_host *host, const strata_script *script,
                       const char *schema, const char *table, int *line)
{
	char why[256], *sql;
	size_t at = 0;
	int rc, col;

	if (conn)
		conn->host = host;
	*line = 0;
	sql = pgdrv_script_text(script);
	if (!sql)
		return strata_oom(host);
	rc = pgdrv_find_write(sql, schema, table, &at, why, sizeof why);
	if (rc == STRATA_ENOMEM) {
		free(sql);
		return strata_oom(host);
	}
	if (rc == 0 && why[0])
		host->debug(host, "postgres: %s: not read for writes to %s (%s)",
		            script->file ? script->file : "script", table, why);
	if (rc == 1)
		pgdrv_locate(script, pgdrv_skip_space(sql, at, script->len), line, &col);
	free(sql);
	return rc;
}
