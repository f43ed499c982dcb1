/*
 * alembic: a source for Alembic histories (the versions folder, or the
 * project holding alembic.ini) and a tracker for Alembic's version table
 * (alembic_version, or the source's version_table), so that `alembic current` and `alembic upgrade` agree with what
 * strata did.  No Python runs: pyread.c reads the revision identities,
 * opsql.c turns upgrade()/downgrade() into the SQL Alembic itself would
 * emit, offline.c takes Alembic's own offline script for what cannot be
 * translated (auto.c runs the real Alembic for it under offline_sql: auto),
 * types_yaml.c / types_render.c are the YAML column types, pyenum.c reads
 * application enums, scan.c builds the graph, vtable.c names the version
 * table, track.c keeps it.
 */
#include "alembic_int.h"

static const char *const formats[] = { "alembic", NULL };
static const char *const options[] = { "offline_sql", "recursive", "version_table",
	                                     "version_table_schema", "assume", "types", "arguments", NULL };
/* The keys that name the tracker's table (vtable.c), for `strata init`. */
static const char *const table_options[] = { "version_table", "version_table_schema", "assume", NULL };

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.options = options,
	.scan = al_scan,
	.detect = al_detect,
	.write = al_write,
};

static const strata_tracker_ops tracker = {
	STRATA_OPS_INIT(strata_tracker_ops, STRATA_TRACKER_VERSION),
	.table = AL_TABLE,
	.read = al_track_read,
	.record = al_track_record,
	/* alembic_version holds only the heads: what is not below one is not
	 * applied. */
	.flags = STRATA_TRACKER_SAYS_MISSING | STRATA_TRACKER_COMPLETE,
	.table_options = table_options,
	.table_note = "Alembic must use this table too: pass the same version_table to "
	              "context.configure() in this tree's env.py",
};

static const strata_plugin plugin = {
	STRATA_PLUGIN_INIT("alembic", "1.0.0",
	                   "Alembic versions folders (op.* translated to SQL) and alembic_version"),
	.source = &source,
	.tracker = &tracker,
};

STRATA_PLUGIN_DEFINE(plugin)
