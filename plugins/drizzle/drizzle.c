/*
 * drizzle: a source for drizzle-kit's output folder (meta/_journal.json and
 * one NNNN_name.sql per journal entry), read the way drizzle-orm's migrator
 * reads it.  Its tracking table, __drizzle_migrations, is the descriptor
 * formats/trackers/drizzle.yaml (plugins/tables), the default tracker of a
 * drizzle source.  The work is in journal.c (the journal), split.c
 * (statement breakpoints), scan.c (the folder) and detect.c (strata init).
 */
#include "drizzle_int.h"

static int host_ok(strata_host *h)
{
	if (STRATA_HAS(strata_host, h, sha256_hex))
		return 1;
	h->error(h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, "upgrade strata",
	         "drizzle needs a newer host (host table of %u bytes)", h->struct_size);
	return 0;
}

static int scan(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? dz_scan(h, cfg) : STRATA_ERR;
}

static int detect(strata_host *h, const char *dir)
{
	return dz_detect(h, dir);
}

/* drizzle-orm's migrate writes drizzle.__drizzle_migrations (PostgreSQL)
 * or __drizzle_migrations (SQLite): formats/trackers/drizzle.yaml. */
static const char *default_tracker(strata_host *h, const strata_source_cfg *cfg)
{
	(void)h;
	(void)cfg;
	return "drizzle";
}

static int write_mig(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	return host_ok(h) ? dz_write(h, cfg, m) : STRATA_ERR;
}

static const char *const formats[] = {"drizzle", NULL};
static const char *const options[] = {NULL};

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.options = options,
	.scan = scan,
	.detect = detect,
	.default_tracker = default_tracker,
	.write = write_mig,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("drizzle", "0.1.0", "drizzle-kit migration folders (meta/_journal.json)"),
	.source = &source,
};

STRATA_PLUGIN_DEFINE(desc)
