/*
 * What each statement of a script does to which object (the driver's
 * objects op, for `strata doctor`), read from PostgreSQL's own parse tree:
 * libpg_query's scanner splits the script (so a statement the grammar
 * rejects is reported and the next one still read), each statement is
 * parsed on its own and its tree (JSON, read with json-c) walked by the
 * table of statement types below.  No database is needed.  The parser has
 * folded unquoted names to lower case already.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <pg_query.h>

#include "postgres_int.h"

/* One statement's walk: where to report, and what is common to its objects. */
typedef struct walk {
	strata_host *host;
	strata_object_fn fn;
	void *ud;
	int line, col, statement, statements;
	int rc; /* the first non-zero answer of fn */
} walk;

static void emit(walk *w, strata_obj_action a, strata_obj_kind k, const char *schema,
                 const char *name, const char *pschema, const char *parent,
                 const char *new_name, unsigned flags)
{
	strata_object o = {
		.version = STRATA_OBJECT_VERSION, .struct_size = sizeof o, .action = a, .kind = k,
		.schema = schema, .name = name, .parent_schema = pschema, .parent = parent,
		.new_name = new_name, .flags = flags, .line = w->line, .col = w->col,
		.statement = w->statement, .statements = w->statements,
	};
	if (!w->rc)
		w->rc = w->fn(w->ud, &o);
}

static json_object *unwrap(json_object *node, const char *type)
{
	json_object *inner = pgdrv_member(node, type);
	return inner ? inner : node;
}

static size_t len_of(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* A list of String nodes (["schema", "name"]): the last two. */
static void qualified(json_object *list, const char **schema, const char **name)
{
	size_t n = len_of(list);
	*schema = *name = NULL;
	if (n >= 1)
		*name = pgdrv_text(unwrap(json_object_array_get_idx(list, n - 1), "String"), "sval");
	if (n >= 2)
		*schema = pgdrv_text(unwrap(json_object_array_get_idx(list, n - 2), "String"), "sval");
}

static int flag_of(json_object *b, const char *key, unsigned f)
{
	return pgdrv_flag(b, key) ? (int)f : 0;
}

/* RangeVar as [schema.]name. */
static const char *rv_name(json_object *rv, const char **schema)
{
	rv = unwrap(rv, "RangeVar");
	*schema = pgdrv_text(rv, "schemaname");
	return pgdrv_text(rv, "relname");
}

/* A Constraint node of a table or column: a FOREIGN KEY refers to its table. */
static void constraint(walk *w, json_object *c, strata_obj_kind k, const char *schema,
                       const char *table, int add)
{
	const char *ps, *pt;
	c = unwrap(c, "Constraint");
	const char *type = pgdrv_text(c, "contype"), *name = pgdrv_text(c, "conname");
	if (add && name)
		emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_CONSTRAINT, schema, name, schema, table, NULL, 0);
	if (type && !strcmp(type, "CONSTR_FOREIGN") && (pt = rv_name(pgdrv_member(c, "pktable"), &ps)))
		emit(w, STRATA_OBJ_REFER, k, schema, table, ps, pt, NULL, 0);
}

static void column_def(walk *w, json_object *def, const char *schema, const char *table, int add)
{
	json_object *cons;
	def = unwrap(def, "ColumnDef");
	if (add)
		emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_COLUMN, schema, pgdrv_text(def, "colname"),
		     schema, table, NULL, 0);
	cons = pgdrv_member(def, "constraints");
	for (size_t i = 0; i < len_of(cons); i++)
		constraint(w, json_object_array_get_idx(cons, i), STRATA_OBJK_TABLE, schema, table, 0);
}

static void create_table(walk *w, json_object *b)
{
	const char *s, *t = rv_name(pgdrv_member(b, "relation"), &s);
	json_object *elts = pgdrv_member(b, "tableElts"), *inh = pgdrv_member(b, "inhRelations");
	emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_TABLE, s, t, NULL, NULL, NULL,
	     flag_of(b, "if_not_exists", STRATA_OBJF_IF_NOT_EXISTS));
	for (size_t i = 0; i < len_of(elts); i++) {
		json_object *e = json_object_array_get_idx(elts, i), *body;
		const char *type = pgdrv_node_type(e, &body);
		if (type && !strcmp(type, "ColumnDef"))
			column_def(w, body, s, t, 0);
		else if (type && !strcmp(type, "Constraint"))
			constraint(w, body, STRATA_OBJK_TABLE, s, t, 0);
	}
	for (size_t i = 0; i < len_of(inh); i++) {
		const char *ps, *pt = rv_name(json_object_array_get_idx(inh, i), &ps);
		emit(w, STRATA_OBJ_REFER, STRATA_OBJK_TABLE, s, t, ps, pt, NULL, 0);
	}
}

static void create_index(walk *w, json_object *b)
{
	const char *s, *t = rv_name(pgdrv_member(b, "relation"), &s);
	const char *name = pgdrv_text(b, "idxname");
	unsigned f = flag_of(b, "if_not_exists", STRATA_OBJF_IF_NOT_EXISTS) |
	             flag_of(b, "concurrent", STRATA_OBJF_CONCURRENTLY);
	emit(w, STRATA_OBJ_REFER, STRATA_OBJK_INDEX, s, name, s, t, NULL, f);
	if (name) /* an index lives in its table's schema */
		emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_INDEX, s, name, s, t, NULL, f);
}

/* Every RangeVar under node (a view's query): the tables it reads. */
static void ranges(walk *w, json_object *node, strata_obj_kind k, const char *s, const char *v,
                   int depth)
{
	if (!node || depth > 200)
		return;
	if (json_object_is_type(node, json_type_array)) {
		for (size_t i = 0; i < len_of(node); i++)
			ranges(w, json_object_array_get_idx(node, i), k, s, v, depth + 1);
		return;
	}
	if (!json_object_is_type(node, json_type_object))
		return;
	json_object_object_foreach(node, key, val) {
		if (!strcmp(key, "RangeVar")) {
			const char *ps, *pt = rv_name(val, &ps);
			if (pt)
				emit(w, STRATA_OBJ_REFER, k, s, v, ps, pt, NULL, 0);
		} else {
			ranges(w, val, k, s, v, depth + 1);
		}
	}
}

static void create_view(walk *w, json_object *b)
{
	const char *s, *v = rv_name(pgdrv_member(b, "view"), &s);
	emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_VIEW, s, v, NULL, NULL, NULL,
	     flag_of(b, "replace", STRATA_OBJF_OR_REPLACE));
	ranges(w, pgdrv_member(b, "query"), STRATA_OBJK_VIEW, s, v, 0);
}

static void create_table_as(walk *w, json_object *b)
{
	const char *ot = pgdrv_text(b, "objtype"), *s;
	strata_obj_kind k = ot && !strcmp(ot, "OBJECT_MATVIEW") ? STRATA_OBJK_MATVIEW : STRATA_OBJK_TABLE;
	const char *t = rv_name(pgdrv_member(pgdrv_member(b, "into"), "rel"), &s);
	emit(w, STRATA_OBJ_CREATE, k, s, t, NULL, NULL, NULL,
	     flag_of(b, "if_not_exists", STRATA_OBJF_IF_NOT_EXISTS));
	ranges(w, pgdrv_member(b, "query"), k, s, t, 0);
}

static void create_trigger(walk *w, json_object *b)
{
	const char *s, *t = rv_name(pgdrv_member(b, "relation"), &s);
	emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_TRIGGER, s, pgdrv_text(b, "trigname"), s, t, NULL,
	     flag_of(b, "replace", STRATA_OBJF_OR_REPLACE));
}

static void create_function(walk *w, json_object *b)
{
	const char *s, *n;
	qualified(pgdrv_member(b, "funcname"), &s, &n);
	emit(w, STRATA_OBJ_CREATE, pgdrv_flag(b, "is_procedure") ? STRATA_OBJK_PROCEDURE : STRATA_OBJK_FUNCTION,
	     s, n, NULL, NULL, NULL, flag_of(b, "replace", STRATA_OBJF_OR_REPLACE));
}

static void statement(walk *w, json_object *node, int depth);

static void create_schema(walk *w, json_object *b)
{
	json_object *elts = pgdrv_member(b, "schemaElts");
	emit(w, STRATA_OBJ_CREATE, STRATA_OBJK_SCHEMA, NULL, pgdrv_text(b, "schemaname"), NULL, NULL,
	     NULL, flag_of(b, "if_not_exists", STRATA_OBJF_IF_NOT_EXISTS));
	for (size_t i = 0; i < len_of(elts); i++)
		statement(w, json_object_array_get_idx(elts, i), 1);
}

/* Object types as the tree names them (DropStmt's removeType, RenameStmt's
 * renameType, CommentStmt's objtype, AlterTableStmt's objtype). */
static const struct {
	const char *type;
	strata_obj_kind kind;
} object_types[] = {
	{"OBJECT_TABLE", STRATA_OBJK_TABLE},         {"OBJECT_FOREIGN_TABLE", STRATA_OBJK_TABLE},
	{"OBJECT_COLUMN", STRATA_OBJK_COLUMN},       {"OBJECT_INDEX", STRATA_OBJK_INDEX},
	{"OBJECT_VIEW", STRATA_OBJK_VIEW},           {"OBJECT_MATVIEW", STRATA_OBJK_MATVIEW},
	{"OBJECT_SEQUENCE", STRATA_OBJK_SEQUENCE},   {"OBJECT_TYPE", STRATA_OBJK_TYPE},
	{"OBJECT_DOMAIN", STRATA_OBJK_DOMAIN},       {"OBJECT_FUNCTION", STRATA_OBJK_FUNCTION},
	{"OBJECT_PROCEDURE", STRATA_OBJK_PROCEDURE}, {"OBJECT_TRIGGER", STRATA_OBJK_TRIGGER},
	{"OBJECT_TABCONSTRAINT", STRATA_OBJK_CONSTRAINT}, {"OBJECT_SCHEMA", STRATA_OBJK_SCHEMA},
	{"OBJECT_EXTENSION", STRATA_OBJK_EXTENSION},
};

static strata_obj_kind kind_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof object_types / sizeof *object_types; i++)
		if (!strcmp(type, object_types[i].type))
			return object_types[i].kind;
	return STRATA_OBJK_NONE;
}

/* One object of a DROP or COMMENT ON: a String (schema, extension), a List
 * of Strings (relations; a trigger's is [..., table, trigger]), a TypeName,
 * an ObjectWithArgs (functions). */
static void object_name(json_object *o, strata_obj_kind k, const char **schema, const char **name,
                        const char **table)
{
	json_object *body;
	const char *t = pgdrv_node_type(o, &body);
	*schema = *name = *table = NULL;
	if (!t)
		return;
	if (!strcmp(t, "String")) {
		*name = pgdrv_text(body, "sval");
	} else if (!strcmp(t, "List")) {
		json_object *items = pgdrv_member(body, "items");
		size_t n = len_of(items);
		if ((k == STRATA_OBJK_TRIGGER || k == STRATA_OBJK_COLUMN || k == STRATA_OBJK_CONSTRAINT) && n >= 2) {
			*name = pgdrv_text(unwrap(json_object_array_get_idx(items, n - 1), "String"), "sval");
			*table = pgdrv_text(unwrap(json_object_array_get_idx(items, n - 2), "String"), "sval");
			if (n >= 3)
				*schema = pgdrv_text(unwrap(json_object_array_get_idx(items, n - 3), "String"), "sval");
		} else {
			qualified(items, schema, name);
		}
	} else if (!strcmp(t, "TypeName")) {
		qualified(pgdrv_member(body, "names"), schema, name);
	} else if (!strcmp(t, "ObjectWithArgs")) {
		qualified(pgdrv_member(body, "objname"), schema, name);
	}
}

static void drop(walk *w, json_object *b)
{
	strata_obj_kind k = kind_of(pgdrv_text(b, "removeType"));
	json_object *objs = pgdrv_member(b, "objects");
	unsigned f = flag_of(b, "missing_ok", STRATA_OBJF_IF_EXISTS) |
	             flag_of(b, "concurrent", STRATA_OBJF_CONCURRENTLY);
	for (size_t i = 0; k && i < len_of(objs); i++) {
		const char *s, *n, *t;
		object_name(json_object_array_get_idx(objs, i), k, &s, &n, &t);
		emit(w, STRATA_OBJ_DROP, k, s, n, s, t, NULL, f);
	}
}

static void rename_stmt(walk *w, json_object *b)
{
	strata_obj_kind k = kind_of(pgdrv_text(b, "renameType"));
	json_object *rel = pgdrv_member(b, "relation");
	const char *s = NULL, *t = NULL, *nn = pgdrv_text(b, "newname");
	unsigned f = flag_of(b, "missing_ok", STRATA_OBJF_IF_EXISTS);
	if (rel)
		t = rv_name(rel, &s);
	if (k == STRATA_OBJK_COLUMN || k == STRATA_OBJK_CONSTRAINT || k == STRATA_OBJK_TRIGGER) {
		emit(w, STRATA_OBJ_RENAME, k, s, pgdrv_text(b, "subname"), s, t, nn, f);
	} else if (rel) {
		emit(w, STRATA_OBJ_RENAME, k ? k : STRATA_OBJK_RELATION, s, t, NULL, NULL, nn, f);
	} else if (k) {
		const char *n, *tt;
		object_name(pgdrv_member(b, "object"), k, &s, &n, &tt);
		emit(w, STRATA_OBJ_RENAME, k, s, n, NULL, NULL, nn, f);
	}
}

static void alter_table(walk *w, json_object *b)
{
	const char *s, *t = rv_name(pgdrv_member(b, "relation"), &s);
	strata_obj_kind k = kind_of(pgdrv_text(b, "objtype"));
	json_object *cmds = pgdrv_member(b, "cmds");
	emit(w, STRATA_OBJ_ALTER, k ? k : STRATA_OBJK_TABLE, s, t, NULL, NULL, NULL,
	     flag_of(b, "missing_ok", STRATA_OBJF_IF_EXISTS));
	for (size_t i = 0; i < len_of(cmds); i++) {
		json_object *c = unwrap(json_object_array_get_idx(cmds, i), "AlterTableCmd");
		const char *sub = pgdrv_text(c, "subtype");
		json_object *def = pgdrv_member(c, "def");
		unsigned f = flag_of(c, "missing_ok", STRATA_OBJF_IF_EXISTS);
		if (!sub)
			continue;
		if (!strcmp(sub, "AT_AddColumn"))
			column_def(w, def, s, t, 1);
		else if (!strcmp(sub, "AT_DropColumn"))
			emit(w, STRATA_OBJ_DROP, STRATA_OBJK_COLUMN, s, pgdrv_text(c, "name"), s, t, NULL, f);
		else if (!strcmp(sub, "AT_AddConstraint"))
			constraint(w, def, STRATA_OBJK_TABLE, s, t, 1);
		else if (!strcmp(sub, "AT_DropConstraint"))
			emit(w, STRATA_OBJ_DROP, STRATA_OBJK_CONSTRAINT, s, pgdrv_text(c, "name"), s, t, NULL, f);
	}
}

static void comment(walk *w, json_object *b)
{
	strata_obj_kind k = kind_of(pgdrv_text(b, "objtype"));
	const char *s, *n, *t;
	if (!k)
		return;
	object_name(pgdrv_member(b, "object"), k, &s, &n, &t);
	if (t) /* a column's or a constraint's table */
		emit(w, STRATA_OBJ_REFER, k, s, n, s, t, NULL, 0);
	else
		emit(w, STRATA_OBJ_REFER, k, NULL, NULL, s, n, NULL, 0);
}

/* Statements that touch one object, named by one member of the statement:
 * a RangeVar, a qualified-name list or a plain string. */
typedef enum name_form { BY_RANGEVAR, BY_LIST, BY_TEXT } name_form;
static const struct one_object {
	const char *type;
	strata_obj_action action;
	strata_obj_kind kind;
	const char *member;
	name_form form;
	const char *flag_key; /* a boolean of the statement that sets flag */
	unsigned flag;
} one_objects[] = {
	{"CreateSeqStmt", STRATA_OBJ_CREATE, STRATA_OBJK_SEQUENCE, "sequence", BY_RANGEVAR,
	 "if_not_exists", STRATA_OBJF_IF_NOT_EXISTS},
	{"CreateEnumStmt", STRATA_OBJ_CREATE, STRATA_OBJK_TYPE, "typeName", BY_LIST,
	 NULL, 0},
	{"CompositeTypeStmt", STRATA_OBJ_CREATE, STRATA_OBJK_TYPE, "typevar", BY_RANGEVAR,
	 NULL, 0},
	{"CreateDomainStmt", STRATA_OBJ_CREATE, STRATA_OBJK_DOMAIN, "domainname", BY_LIST,
	 NULL, 0},
	{"CreateExtensionStmt", STRATA_OBJ_CREATE, STRATA_OBJK_EXTENSION, "extname", BY_TEXT,
	 "if_not_exists", STRATA_OBJF_IF_NOT_EXISTS},
	{"AlterEnumStmt", STRATA_OBJ_ALTER, STRATA_OBJK_TYPE, "typeName", BY_LIST,
	 NULL, 0},
	{"AlterSeqStmt", STRATA_OBJ_ALTER, STRATA_OBJK_SEQUENCE, "sequence", BY_RANGEVAR,
	 "missing_ok", STRATA_OBJF_IF_EXISTS},
	{"AlterDomainStmt", STRATA_OBJ_ALTER, STRATA_OBJK_DOMAIN, "typeName", BY_LIST,
	 NULL, 0},
	/* INSERT, UPDATE, DELETE, MERGE (COPY FROM below): a write to `relation` */
	{"InsertStmt", STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, "relation", BY_RANGEVAR,
	 NULL, 0},
	{"UpdateStmt", STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, "relation", BY_RANGEVAR,
	 NULL, 0},
	{"DeleteStmt", STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, "relation", BY_RANGEVAR,
	 NULL, 0},
	{"MergeStmt", STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, "relation", BY_RANGEVAR,
	 NULL, 0},
};

static void one_object(walk *w, const struct one_object *r, json_object *b)
{
	const char *s = NULL, *n = NULL;
	json_object *m = pgdrv_member(b, r->member);
	if (r->form == BY_RANGEVAR)
		n = rv_name(m, &s);
	else if (r->form == BY_LIST)
		qualified(m, &s, &n);
	else
		n = pgdrv_text(b, r->member);
	if (r->action == STRATA_OBJ_WRITE && !n)
		return;
	unsigned f = r->flag_key ? (unsigned)flag_of(b, r->flag_key, r->flag) : 0;
	emit(w, r->action, r->kind, s, n, NULL, NULL, NULL, f);
}

static void copy_stmt(walk *w, json_object *b)
{
	static const struct one_object copy_from = {"CopyStmt", STRATA_OBJ_WRITE, STRATA_OBJK_TABLE,
	                                            "relation", BY_RANGEVAR, NULL, 0};
	if (pgdrv_flag(b, "is_from"))
		one_object(w, &copy_from, b);
}

static const struct {
	const char *type;
	void (*read)(walk *w, json_object *body);
} readers[] = {
	{"CreateStmt", create_table},          {"IndexStmt", create_index},
	{"ViewStmt", create_view},             {"CreateTableAsStmt", create_table_as},
	{"CreateTrigStmt", create_trigger},    {"CreateFunctionStmt", create_function},
	{"CreateSchemaStmt", create_schema},   {"DropStmt", drop},
	{"RenameStmt", rename_stmt},           {"AlterTableStmt", alter_table},
	{"CommentStmt", comment},              {"CopyStmt", copy_stmt},
};

static void statement(walk *w, json_object *node, int depth)
{
	json_object *body;
	const char *t = pgdrv_node_type(node, &body);
	if (!t || depth >= 8)
		return;
	for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
		if (!strcmp(t, readers[i].type)) {
			readers[i].read(w, body);
			return;
		}
	for (size_t i = 0; i < sizeof one_objects / sizeof *one_objects; i++)
		if (!strcmp(t, one_objects[i].type)) {
			one_object(w, &one_objects[i], body);
			return;
		}
}

/* One statement's text, parsed on its own: its objects, or INVALID. */
static int piece(walk *w, const strata_script *s, const char *sql, size_t loc, size_t n)
{
	char *text = strndup(sql + loc, n);
	if (!text)
		return strata_oom(w->host);
	PgQueryParseResult r = pg_query_parse(text);
	size_t at = pgdrv_skip_space(sql, loc, loc + n);
	pgdrv_locate(s, at, &w->line, &w->col);
	if (r.error) {
		size_t e = r.error->cursorpos > 0
		                   ? pgdrv_char_offset(sql, loc, loc + n, r.error->cursorpos - 1)
		                   : at;
		strata_object o = {.version = STRATA_OBJECT_VERSION, .struct_size = sizeof o,
		                   .action = STRATA_OBJ_INVALID, .statement = w->statement,
		                   .statements = w->statements,
		                   .error = r.error->message ? r.error->message : "syntax error"};
		pgdrv_locate(s, e, &o.line, &o.col);
		if (!w->rc)
			w->rc = w->fn(w->ud, &o);
	} else if (r.parse_tree) {
		struct json_tokener *tok = json_tokener_new_ex(10000);
		json_object *root = tok ? json_tokener_parse_ex(tok, r.parse_tree, -1) : NULL, *stmts;
		if (tok)
			json_tokener_free(tok);
		if (!root) {
			pg_query_free_parse_result(r);
			free(text);
			return strata_oom(w->host);
		}
		stmts = pgdrv_member(root, "stmts");
		for (size_t i = 0; i < len_of(stmts); i++)
			statement(w, pgdrv_member(json_object_array_get_idx(stmts, i), "stmt"), 0);
		json_object_put(root);
	}
	pg_query_free_parse_result(r);
	free(text);
	return 0;
}

/* Past blanks, comments and ';' from at, never beyond end. */
static size_t skip_gap(const char *sql, size_t at, size_t end)
{
	for (;;) {
		at = pgdrv_skip_space(sql, at, end);
		if (at < end && sql[at] == ';')
			at++;
		else
			return at;
	}
}

int pgdrv_objects(strata_conn *conn, strata_host *host, const strata_script *script,
                  unsigned int flags, strata_object_fn fn, void *ud)
{
	(void)flags;
	if (conn)
		conn->host = host;
	char *sql = pgdrv_script_text(script);
	if (!sql)
		return strata_oom(host);
	size_t len = script->len;
	PgQuerySplitResult sp = pg_query_split_with_scanner(sql);
	walk w = {.host = host, .fn = fn, .ud = ud};
	int rc = 0;
	if (sp.error) { /* an unterminated quote or comment: nothing after it reads */
		rc = pgdrv_scan_error(conn, host, script, sql, sp.error->message, sp.error->cursorpos);
	} else {
		size_t done = 0;
		w.statements = sp.n_stmts;
		for (int i = 0; i <= sp.n_stmts && !rc && !w.rc; i++) {
			size_t loc = i < sp.n_stmts && sp.stmts[i]->stmt_location > 0
			                     ? (size_t)sp.stmts[i]->stmt_location
			                     : i < sp.n_stmts ? 0 : len;
			if (loc > len)
				loc = len;
			/* Text the scanner's split passed over (a statement that does
			 * not start with a keyword): parsed for its error. */
			size_t gap = skip_gap(sql, done, loc);
			if (gap < loc) {
				w.statement = i + 1;
				rc = piece(&w, script, sql, gap, loc - gap);
				if (rc || w.rc)
					break;
			}
			if (i == sp.n_stmts)
				break;
			size_t n = sp.stmts[i]->stmt_len > 0 ? (size_t)sp.stmts[i]->stmt_len : len - loc;
			if (n > len - loc)
				n = len - loc;
			w.statement = i + 1;
			rc = piece(&w, script, sql, loc, n);
			done = loc + n;
		}
	}
	pg_query_free_split_result(sp);
	free(sql);
	if (rc)
		return rc;
	return w.rc == STRATA_STOP ? 0 : w.rc;
}
