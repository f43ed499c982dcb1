/*
 * tables: one tracker for every tracking table a YAML descriptor describes
 * (formats/trackers/NAME.yaml: dbmate's schema_migrations, Flyway's
 * flyway_schema_history, goose_db_version, …).  The host names the
 * descriptor in every call (cfg->tracker); nothing here is about one table.
 * descriptor.c reads it, read.c and record.c use it, lock.c creates the
 * table, sqlscan.c finds scripts that write their own row.
 */
#include "tables_int.h"

/* each_migration and cfg->tracker are the newest things used. */
static int host_ok(strata_host *h)
{
	if (STRATA_HAS(strata_host, h, each_migration))
		return 1;
	h->error(h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, "upgrade strata",
	         "tables needs a host with each_migration (host table of %u bytes)", h->struct_size);
	return 0;
}

static int read_rows(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? tb_read(h, cfg) : STRATA_ERR;
}

static int record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	return host_ok(h) ? tb_record(h, cfg, ev) : STRATA_ERR;
}

static int lock(strata_host *h, const strata_source_cfg *cfg, long timeout_ms)
{
	return host_ok(h) ? tb_lock(h, cfg, timeout_ms) : STRATA_ERR;
}

static int unlock(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? tb_unlock(h, cfg) : STRATA_ERR;
}

static int probe(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? tb_probe(h, cfg) : STRATA_ERR;
}

static const char *table_of(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? tb_table_of(h, cfg) : NULL;
}

static const strata_tracker_ops tracker = {
	STRATA_OPS_INIT(strata_tracker_ops, STRATA_TRACKER_VERSION),
	.table = "tables",
	.read = read_rows,
	.record = record,
	.lock = lock,
	.unlock = unlock,
	/* The table is the tool's whole record; a missing one is said. */
	.flags = STRATA_TRACKER_DESCRIPTORS | STRATA_TRACKER_COMPLETE | STRATA_TRACKER_SAYS_MISSING,
	.table_of = table_of,
	.probe = probe,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("tables", "0.1.0",
	                   "tracking tables described by formats/trackers/*.yaml"),
	.tracker = &tracker,
};

STRATA_PLUGIN_DEFINE(desc)
