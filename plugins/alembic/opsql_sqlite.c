/*
 * The SQLite dialect: what SQLAlchemy 1.4's SQLiteDialect / SQLiteDDLCompiler
 * and Alembic's SQLiteImpl do differently from the generic compiler
 * (opsql_dialect.h).  Its type compiler is the generic one.
 */
#include <string.h>

#include "opsql_int.h"

/* SQLAlchemy 1.4.46 RESERVED_WORDS of the SQLite dialect. */
static const char *const reserved[] = {
	"add", "after", "all", "alter", "analyze", "and", "as", "asc", "attach", "autoincrement",
	"before", "begin", "between", "by", "cascade", "case", "cast", "check", "collate", "column",
	"commit", "conflict", "constraint", "create", "cross", "current_date", "current_time",
	"current_timestamp", "database", "default", "deferrable", "deferred", "delete", "desc",
	"detach", "distinct", "drop", "each", "else", "end", "escape", "except", "exclusive", "exists",
	"explain", "false", "fail", "for", "foreign", "from", "full", "glob", "group", "having", "if",
	"ignore", "immediate", "in", "index", "indexed", "initially", "inner", "insert", "instead",
	"intersect", "into", "is", "isnull", "join", "key", "left", "like", "limit", "match", "natural",
	"not", "notnull", "null", "of", "offset", "on", "or", "order", "outer", "plan", "pragma",
	"primary", "query", "raise", "references", "reindex", "rename", "replace", "restrict", "right",
	"rollback", "row", "select", "set", "table", "temp", "temporary", "then", "to", "transaction",
	"trigger", "true", "union", "unique", "update", "using", "vacuum", "values", "view", "virtual",
	"when", "where", NULL
};
static int sqlite_col_spec(ctx *c, obuf *b, const tdef *t, const coldef *col)
{
	if (col->pk && col->autoinc == 1) {
		int npk = 0;
		for (int i = 0; i < t->ncols; i++)
			npk += t->cols[i]->pk;
		if (npk != 1)
			return refuse(c, col->line, "CompileError: SQLite does not support autoincrement for composite primary keys");
	}
	if (type_sql(c, b, col->type))
		return fix_line(c, col->line);
	if (col->def.k != DK_NONE) {
		ob_puts(b, " DEFAULT ");
		sdefault_sql(c, b, &col->def, 1);
	}
	if (!col->nullable)
		ob_puts(b, " NOT NULL");
	return 0;
}

/* [IF NOT EXISTS] [schema.]name ON table: the schema goes on the index name */
static void sqlite_index_head(ctx *c, obuf *b, const char *name, const char *table, const char *schema,
                              int concurrently, const char *using, int if_not_exists)
{
	(void)concurrently;
	(void)using;
	if (if_not_exists)
		ob_puts(b, "IF NOT EXISTS ");
	q_table(c, b, schema, name);
	ob_puts(b, " ON ");
	q_ident(c, b, table);
	ob_puts(b, " ");
}

/* SQLiteImpl.requires_recreate_in_batch(): anything but add_column without
 * an SQL-expression server default, create_index and drop_index. */
static int sqlite_requires_recreate(ctx *c, const batchop *ops, int nops)
{
	(void)c;
	int recreate = 0;
	for (int i = 0; i < nops; i++) {
		if (!strcmp(ops[i].meth, "add_column")) {
			px *colx = px_posarg(ops[i].call, 0);
			if (!colx)
				colx = px_kwarg(ops[i].call, "column");
			px *sd = colx && colx->k == PX_CALL ? px_kwarg(colx, "server_default") : NULL;
			if (sd && sd->k != PX_NONE && !is_str(sd))
				recreate = 1;
		} else if (strcmp(ops[i].meth, "create_index") && strcmp(ops[i].meth, "drop_index")) {
			recreate = 1;
		}
	}
	return recreate;
}

/* SQLAlchemy 1.4's SQLite dialect as a revision reads it offline (bind.dialect.X). */
static const char *const py_dialect[] = {
	"supports_sequences", "False", "sequences_optional", "False", "supports_native_enum", "False",
	"supports_native_boolean", "False", "supports_alter", "False", NULL
};

const opsql_dialect_def opsql_sqlite = {
	.name = "sqlite",
	.title = "SQLite",
	.reserved = reserved,
	.type_names = NULL,
	.max_ident = 9999, /* DefaultDialect's, which SQLiteDialect keeps */
	.backslash_escapes = 0,
	.true_sql = "1",
	.false_sql = "0",
	.now_sql = "CURRENT_TIMESTAMP",
	.native_enum = 0,
	.native_boolean = 0,
	.comments = 0,
	.cross_schema_fk = 0,
	.alter_type_first = 0,
	.concurrently = 0,
	.index_include = 0,
	.supports_alter = 0,
	.not_valid = 0,
	.json_same_affinity = 1,
	.constraint_refused = "No support for ALTER of constraints in SQLite dialect. Please refer to the "
	                      "batch mode feature which allows for SQLite migrations using a copy-and-move "
	                      "strategy.",
	.comment_refused = "UnsupportedCompilationError: SQLite cannot render a column comment (ColumnComment)",
	.batch_no_copy_from = "batch_alter_table on SQLite without copy_from (the table's definition is only "
	                      "known from the live database)",
	.py_dialect = py_dialect,
	.type_sql = NULL,
	.col_spec = sqlite_col_spec,
	.before_create_table = NULL,
	.enum_type_ddl = NULL,
	.index_head = sqlite_index_head,
	.prep_table_for_batch = NULL,
	.requires_recreate_in_batch = sqlite_requires_recreate,
};
