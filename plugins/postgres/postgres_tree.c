/*
 * PostgreSQL's parse tree as the classifier (postgres_classify.c) and the
 * self-recording check (postgres_writes.c) read it: libpg_query's
 * pg_query_parse gives JSON, json-c reads it into a tree.  Every node is
 * {"NodeType": {fields}}; false booleans are left out.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <pg_query.h>

#include "postgres_int.h"

/* json-c stops at 32 levels by default; expression trees go deeper, and a
 * script the classifier cannot read would silently run in a transaction. */
#define PGDRV_JSON_DEPTH 10000

json_object *pgdrv_tree(const char *sql, int (*needle)(const char *json, const void *ud),
                        const void *ud, char *why, size_t whysize, int *nomem)
{
	PgQueryParseResult r = pg_query_parse(sql);
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	int wanted = 0;

	if (nomem)
		*nomem = 0;
	if (r.error && why)
		snprintf(why, whysize, "%s", r.error->message ? r.error->message : "parse error");
	else if (r.parse_tree && (!needle || needle(r.parse_tree, ud))) {
		wanted = 1;
		if ((tok = json_tokener_new_ex(PGDRV_JSON_DEPTH)))
			root = json_tokener_parse_ex(tok, r.parse_tree, -1);
	}
	if (tok)
		json_tokener_free(tok);
	pg_query_free_parse_result(r);
	if (wanted && !root && nomem)
		*nomem = 1;
	return root;
}

json_object *pgdrv_member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

int pgdrv_flag(json_object *o, const char *key)
{
	json_object *v = pgdrv_member(o, key);

	return v && json_object_get_boolean(v);
}

const char *pgdrv_text(json_object *o, const char *key)
{
	json_object *v = pgdrv_member(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

const char *pgdrv_node_type(json_object *node, json_object **body)
{
	struct json_object_iterator it, end;

	*body = NULL;
	if (!node || !json_object_is_type(node, json_type_object))
		return NULL;
	it = json_object_iter_begin(node);
	end = json_object_iter_end(node);
	if (json_object_iter_equal(&it, &end))
		return NULL;
	*body = json_object_iter_peek_value(&it);
	return json_object_iter_peek_name(&it);
}
