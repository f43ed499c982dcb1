/*
 * normalize(), for `strata repair`: each statement as PostgreSQL's own
 * parser reads it.  libpg_query's pg_query_parse gives the whole script's
 * tree as JSON; each statement's node, with every "location" member (the
 * byte offset of a token: what moves when whitespace or a comment changes)
 * removed, printed by json-c without spaces, is its canonical text.
 * Constants, names and every option stay in the tree, so `DEFAULT 1` and
 * `DEFAULT 2` differ; comments and whitespace are not in it at all.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <pg_query.h>

#include "postgres_int.h"

/* Every "location" member of the tree under o, removed. */
static void strip_locations(json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++)
			strip_locations(json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_del(o, "location");
	json_object_object_foreach(o, key, val)
	{
		(void)key;
		strip_locations(val);
	}
}

int pgdrv_normalize(strata_conn *conn, strata_host *host, const strata_script *script,
                    strata_text_fn fn, void *ud)
{
	char *sql = pgdrv_script_text(script), why[512] = "";
	int nomem = 0, rc = STRATA_OK;

	if (!sql)
		return strata_oom(host);
	json_object *root = pgdrv_tree(sql, NULL, NULL, why, sizeof why, &nomem);
	if (!root) {
		if (nomem) {
			free(sql);
			return strata_oom(host);
		}
		/* The parser's message at its place (pgdrv_scan_error). */
		PgQueryParseResult r = pg_query_parse(sql);
		rc = r.error ? pgdrv_scan_error(conn, host, script, sql, r.error->message,
		                                r.error->cursorpos)
		             : STRATA_OK;
		pg_query_free_parse_result(r);
		free(sql);
		return rc == STRATA_ESQL ? STRATA_EINVAL : rc;
	}
	json_object *stmts = pgdrv_member(root, "stmts");
	size_t n = stmts && json_object_is_type(stmts, json_type_array)
	                   ? json_object_array_length(stmts) : 0;
	for (size_t i = 0; i < n && rc == STRATA_OK; i++) {
		json_object *st = pgdrv_member(json_object_array_get_idx(stmts, i), "stmt");
		if (!st)
			continue; /* an empty statement (a lone ';') */
		strip_locations(st);
		const char *text = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
		rc = text ? fn(ud, text, strlen(text)) : strata_oom(host);
	}
	json_object_put(root);
	free(sql);
	return rc;
}
