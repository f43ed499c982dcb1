/*
 * The op table: each op.* / batch_op.* method strata translates, with
 * Alembic 1.8.1's signature (positional parameter names in order, then the
 * keywords; Operations / BatchOperations), where it may appear, and the
 * function of its op family (opsql_op_*.c).  op_call() binds the call's
 * arguments as Python would and calls the function.
 */
#include <string.h>

#include "opsql_int.h"

/* Signatures, as alembic.operations.ops declares them: op.X(...) and
 * batch_op.X(...) (whose table and schema come from the batch). */
/* SchemaType.create(bind, checkfirst) with the type first (unroll.c drops the bind). */
static const char *const enum_type_params[] = { "type_", "checkfirst", NULL };

static const char *const alter_params[] = {
	"table_name", "column_name", "nullable", "comment", "server_default", "new_column_name", "type_",
	"existing_type", "existing_server_default", "existing_nullable", "existing_comment", "schema",
	"postgresql_using", "autoincrement", "existing_autoincrement", NULL
};
static const char *const alter_params_batch[] = {
	"column_name", "nullable", "comment", "server_default", "new_column_name", "type_",
	"existing_type", "existing_server_default", "existing_nullable", "existing_comment",
	"insert_before", "insert_after", "postgresql_using", "autoincrement", "existing_autoincrement", NULL
};

static const char *const add_column_params[] = { "table_name", "column", "schema", NULL };
static const char *const add_column_params_batch[] = { "column", "insert_before", "insert_after", NULL };

static const char *const table_comment_params[] = { "table_name", "comment", "existing_comment", "schema",
	                                            NULL };
static const char *const drop_table_comment_params[] = { "table_name", "existing_comment", "schema", NULL };

static const char *const drop_column_params[] = { "table_name", "column_name", "schema", NULL };
static const char *const drop_column_params_batch[] = { "column_name", NULL };

static const char *const index_params[] = { "index_name", "table_name", "columns", "schema", "unique",
	                                    "postgresql_where", "sqlite_where", "postgresql_concurrently",
	                                    "postgresql_using", "postgresql_include", "postgresql_ops",
	                                    "if_not_exists", NULL };
static const char *const index_params_batch[] = { "index_name", "columns", "schema", "unique",
	                                          "postgresql_where", "sqlite_where",
	                                          "postgresql_concurrently", "postgresql_using",
	                                          "postgresql_include", NULL };

/* drop_index builds an Index() that takes the index keywords; only
 * postgresql_concurrently changes the statement.  if_not_exists= / if_exists=
 * (op.* only) are Alembic 1.12's, handed to SQLAlchemy's CreateIndex /
 * DropIndex (docs/alembic.md, "Single arguments") */
static const char *const drop_index_params[] = { "index_name", "table_name", "schema", "postgresql_concurrently",
	                                         "postgresql_where", "postgresql_using", "postgresql_include",
	                                         "postgresql_ops", "postgresql_with", "postgresql_tablespace",
	                                         "sqlite_where", "if_exists", NULL };
static const char *const drop_index_params_batch[] = { "index_name", "schema", "postgresql_concurrently",
	                                               "postgresql_where", "postgresql_using",
	                                               "postgresql_include", "postgresql_ops", "postgresql_with",
	                                               "postgresql_tablespace", "sqlite_where", NULL };

static const char *const uq_params[] = { "constraint_name", "table_name", "columns", "schema", "deferrable",
	                                 "initially", NULL };
static const char *const uq_params_batch[] = { "constraint_name", "columns", "deferrable", "initially", NULL };
static const char *const pk_params[] = { "constraint_name", "table_name", "columns", "schema", NULL };
static const char *const pk_params_batch[] = { "constraint_name", "columns", NULL };
static const char *const ck_params[] = { "constraint_name", "table_name", "condition", "schema", "deferrable",
	                                 "initially", "postgresql_not_valid", NULL };
static const char *const ck_params_batch[] = { "constraint_name", "condition", "deferrable", "initially",
	                                       "postgresql_not_valid", NULL };
static const char *const fk_params[] = { "constraint_name", "source_table", "referent_table", "local_cols",
	                                 "remote_cols", "onupdate", "ondelete", "deferrable", "initially",
	                                 "match", "source_schema", "referent_schema", "postgresql_not_valid",
	                                 "use_alter", NULL };
static const char *const fk_params_batch[] = { "constraint_name", "referent_table", "local_cols",
	                                       "remote_cols", "referent_schema", "onupdate", "ondelete",
	                                       "deferrable", "initially", "match", "postgresql_not_valid",
	                                       "use_alter", NULL };
static const char *const drop_params[] = { "constraint_name", "table_name", "type_", "schema", NULL };
static const char *const drop_params_batch[] = { "constraint_name", "type_", NULL };

static const char *const execute_params[] = { "sqltext", "execution_options", NULL };
static const char *const bulk_insert_params[] = { "table", "rows", "multiinsert", NULL };

static const char *const drop_table_params[] = { "table_name", "schema", "if_exists", NULL };
static const char *const rename_table_params[] = { "old_table_name", "new_table_name", "schema", NULL };

/* create_table(table_name, *columns, **kw) has no fixed signature: the
 * function reads the call itself. */
static int create_table_row(ctx *c, px *call, opargs *a)
{
	(void)a;
	return op_create_table(c, call, NULL);
}

static int batch_outside_with(ctx *c, px *call, opargs *a)
{
	(void)a;
	return untrans(c, call->line, "op.batch_alter_table() outside a with statement");
}

/* op.sync_enum_values() of the Alembic plugins alembic-autogenerate-enums
 * (ALTER TYPE ... ADD VALUE on a connection of its own from op.get_bind(), the
 * values in Python set order) and alembic-postgresql-enum (reads the columns'
 * defaults from the database): neither has SQL without a live database. */
static int sync_enum_values(ctx *c, px *call, opargs *a)
{
	(void)a;
	return untrans(c, call->line,
	               "op.sync_enum_values() (alembic-autogenerate-enums / alembic-postgresql-enum: reads the live "
	               "database through op.get_bind(), no offline SQL)");
}

static const opdef optab[] = {
	/* opsql_op_table.c */
	{ "create_table", NULL, NULL, OPW_OP, create_table_row, 0 },
	{ "drop_table", drop_table_params, NULL, OPW_OP, op_drop_table, 0 },
	{ "rename_table", rename_table_params, NULL, OPW_OP, op_rename_table, 0 },
	{ "create_table_comment", table_comment_params, NULL, OPW_OP, op_table_comment, 0 },
	{ "drop_table_comment", drop_table_comment_params, NULL, OPW_OP, op_table_comment, 0 },
	/* opsql_op_execute.c */
	{ "execute", execute_params, NULL, OPW_OP, op_execute, 0 },
	{ "bulk_insert", bulk_insert_params, NULL, OPW_OP, op_bulk_insert, 0 },
	/* opsql_walk.c handles `with op.batch_alter_table(...)` */
	{ "batch_alter_table", NULL, NULL, OPW_OP, batch_outside_with, 0 },
	/* Alembic plugins that need the database */
	{ "sync_enum_values", NULL, NULL, OPW_OP, sync_enum_values, 0 },
	/* opsql_op_column.c */
	{ "add_column", add_column_params, add_column_params_batch, OPW_BOTH, op_add_column, 0 },
	{ "drop_column", drop_column_params, drop_column_params_batch, OPW_BOTH, op_drop_column, 0 },
	{ "alter_column", alter_params, alter_params_batch, OPW_BOTH, op_alter_column, 0 },
	/* opsql_op_index.c */
	{ "create_index", index_params, index_params_batch, OPW_BOTH, op_create_index, 0 },
	{ "drop_index", drop_index_params, drop_index_params_batch, OPW_BOTH, op_drop_index, 0 },
	/* opsql_op_constraint.c */
	{ "create_unique_constraint", uq_params, uq_params_batch, OPW_BOTH, op_add_constraint, C_UQ },
	{ "create_foreign_key", fk_params, fk_params_batch, OPW_BOTH, op_add_constraint, C_FK },
	{ "create_check_constraint", ck_params, ck_params_batch, OPW_BOTH, op_add_constraint, C_CK },
	{ "create_primary_key", pk_params, pk_params_batch, OPW_BOTH, op_add_constraint, C_PK },
	{ "drop_constraint", drop_params, drop_params_batch, OPW_BOTH, op_drop_constraint, 0 },
	/* opsql_op_type.c: <Enum>.create(op.get_bind()) / .drop(...), written
	 * by unroll.c (these names cannot be written in a revision) */
	{ "Enum:create", enum_type_params, NULL, OPW_OP, op_enum_type, 0 },
	{ "Enum:drop", enum_type_params, NULL, OPW_OP, op_enum_type, 1 },
	{ NULL, NULL, NULL, 0, NULL, 0 }
};

const opdef *optab_find(const char *name, int batch)
{
	for (const opdef *o = optab; o->name; o++)
		if (!strcmp(o->name, name))
			return o->where & (batch ? OPW_BATCH : OPW_OP) ? o : NULL;
	return NULL;
}

int optab_bind(ctx *c, px *call, const opdef *o, opargs *a)
{
	a->op = o;
	const char *const *names = a->batch ? o->params_batch : o->params;
	if (!names)
		return 0;
	return bind_args(c, call, o->name, names, a);
}

int op_call(ctx *c, px *call, const char *meth, const char *btable, const char *bschema)
{
	c->op_line = call->line;
	opargs a;
	memset(&a, 0, sizeof a);
	a.batch = btable != NULL;
	a.table = btable;
	a.schema = bschema;
	const opdef *o = optab_find(meth, a.batch);
	if (!o)
		return untrans(c, call->line, "%s.%s()", a.batch ? "batch_op" : "op", meth);
	if (optab_bind(c, call, o, &a))
		return -1;
	return o->fn(c, call, &a);
}
