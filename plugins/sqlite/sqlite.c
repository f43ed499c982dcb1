/*
 * SQLite driver plugin: the descriptor the host looks up.  The work is done
 * in sqlite_open.c (URLs, connections), sqlite_exec.c (host SQL and
 * transactions), sqlite_run.c (migration scripts), sqlite_txn.c (a file's own
 * transaction control), sqlite_writes.c (statements that write a table),
 * sqlite_objects.c (what each statement does to which object, for doctor),
 * sqlite_normalize.c (each statement's tokens without comments, for repair),
 * sqlite_cancel.c (a signal's cancel), sqlite_ddl.c (schema_sql, for adopt)
 * and sqlite_schema.c.
 */
#include "sqlite_int.h"

static const char *const sqlite_schemes[] = { "sqlite", "file", NULL };

/*
 * lock/unlock are NULL: begin() issues BEGIN IMMEDIATE, which takes SQLite's
 * write lock at once, so two strata processes already serialize on the
 * database file itself (waiting up to the busy timeout).
 */
static const strata_driver_ops sqlite_driver = {
	STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	.schemes = sqlite_schemes,
	.dialect = "sqlite",
	.open = sqlite_drv_open,
	.close = sqlite_drv_close,
	.exec = sqlite_drv_exec,
	.query = sqlite_drv_query,
	.begin = sqlite_drv_begin,
	.commit = sqlite_drv_commit,
	.rollback = sqlite_drv_rollback,
	.run = sqlite_drv_run,
	.dump_schema = sqlite_drv_dump_schema,
	.lock = NULL,
	.unlock = NULL,
	.table_exists = sqlite_drv_table_exists,
	.txn_control = sqlite_drv_txn_control,
	.cancel = sqlite_drv_cancel,
	.writes_table = sqlite_drv_writes_table,
	.objects = sqlite_drv_objects,
	.normalize = sqlite_drv_normalize,
	.catalog = sqlite_drv_catalog,
	.statements = sqlite_drv_statements,
	.schema_sql = sqlite_drv_schema_sql,
	.template_tag = sqlite_drv_template_tag,
};

static const strata_plugin sqlite_plugin = {
	STRATA_PLUGIN_INIT("sqlite", "0.1.0", "SQLite databases (sqlite:PATH)"),
	.driver = &sqlite_driver,
};

STRATA_PLUGIN_DEFINE(sqlite_plugin)
