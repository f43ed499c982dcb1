/*
 * PostgreSQL driver plugin: the descriptor the host looks up.  The work is
 * done in postgres_url.c (URLs, ?schema, passwords), postgres_open.c
 * (connections and session settings), postgres_exec.c (host SQL and
 * transactions), postgres_run.c and postgres_script.c (migration scripts),
 * postgres_classify.c (what cannot run in a transaction, and a file's own
 * transaction control), postgres_writes.c (statements that write a table),
 * postgres_objects.c (what each statement does to which object, for doctor),
 * postgres_normalize.c (each statement's parse tree as text, for repair),
 * postgres_lock.c (the command-wide advisory lock), postgres_cancel.c (a
 * signal's cancel),
 * postgres_pool.c (through PgBouncer), postgres_scratch.c (verify's scratch
 * database), postgres_schema.c, postgres_pgdump.c and postgres_dumpfix.c
 * (schema_sql: pg_dump's output made runnable), postgres_text.c (messages) and
 * postgres_pipe.c (a transaction in few round trips: libpq's pipeline mode).
 */
#include "postgres_int.h"

/* "=" is the host's pseudo-scheme for libpq conninfo strings
 * ("host=db dbname=app"), which have no scheme of their own. */
static const char *const postgres_schemes[] = { "postgres", "postgresql", "=", NULL };

/*
 * Unlike SQLite, PostgreSQL transactions do not serialize two strata
 * processes (both would read the same plan), so lock/unlock take an
 * advisory lock held for the whole command: session-level, or through a
 * transaction pooler transaction-level on a connection of its own.
 */
static const strata_driver_ops postgres_driver = {
	STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	.schemes = postgres_schemes,
	.dialect = "postgresql",
	.open = pgdrv_open,
	.close = pgdrv_close,
	.exec = pgdrv_host_exec,
	.query = pgdrv_host_query,
	.begin = pgdrv_begin,
	.commit = pgdrv_commit,
	.rollback = pgdrv_rollback,
	.run = pgdrv_run,
	.dump_schema = pgdrv_dump_schema,
	.lock = pgdrv_lock,
	.unlock = pgdrv_unlock,
	.table_exists = pgdrv_table_exists,
	.needs_autocommit = pgdrv_needs_autocommit,
	.scratch_create = pgdrv_scratch_create,
	.scratch_drop = pgdrv_scratch_drop,
	.txn_control = pgdrv_txn_control,
	.cancel = pgdrv_cancel,
	.writes_table = pgdrv_writes_table,
	.objects = pgdrv_objects,
	.normalize = pgdrv_normalize,
	.catalog = pgdrv_catalog,
	.statements = pgdrv_statements,
	.schema_sql = pgdrv_schema_sql,
	.pipeline = pgdrv_pipeline,
	.defer = pgdrv_defer,
	.flush = pgdrv_flush,
	.template_tag = pgdrv_template_tag,
	.template_list = pgdrv_template_list,
	.scratch_from_template = pgdrv_scratch_from_template,
	.template_save = pgdrv_template_save,
	.template_drop = pgdrv_template_drop,
};

static const strata_plugin postgres_plugin = {
	STRATA_PLUGIN_INIT("postgres", "0.1.0", "PostgreSQL databases (libpq)"),
	.driver = &postgres_driver,
};

STRATA_PLUGIN_DEFINE(postgres_plugin)
