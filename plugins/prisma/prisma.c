/*
 * prisma: a source for Prisma Migrate folders and a tracker for Prisma's
 * _prisma_migrations table, so that `prisma migrate status/deploy` agree with
 * what strata did.  The work is in scan.c, order.c and detect.c (the folder),
 * lockfile.c (migration_lock.toml), read.c and record.c (the table), lock.c
 * (Prisma's advisory lock), table.c
 * (its DDL), checksum.c, timefmt.c and uuid.c (Prisma's value encodings).
 */
#include "prisma_int.h"

/* The tracker needs the database services, the newest part of the host table
 * this plugin uses: refuse a host too old to have them rather than call
 * through a missing pointer. */
static int host_ok(strata_host *h)
{
	if (STRATA_HAS(strata_host, h, sha256_hex))
		return 1;
	h->error(h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, "upgrade strata",
	         "prisma needs a host with database services (host table of %u bytes)",
	         h->struct_size);
	return 0;
}

/* Thin wrappers: the ABI wants plain function pointers. */
static int scan(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? pr_scan(h, cfg) : STRATA_ERR;
}

static int detect(strata_host *h, const char *dir)
{
	return pr_detect(h, dir);
}

static int read_rows(strata_host *h, const strata_source_cfg *cfg)
{
	return host_ok(h) ? pr_read(h, cfg) : STRATA_ERR;
}

static int record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	return host_ok(h) ? pr_record(h, cfg, ev) : STRATA_ERR;
}

static int write_mig(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	return pr_write(h, cfg, m);
}

static const char *const formats[] = { "prisma", NULL };
static const char *const options[] = { NULL };

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.options = options,
	.scan = scan,
	.detect = detect,
	.write = write_mig,
};

static const strata_tracker_ops tracker = {
	STRATA_OPS_INIT(strata_tracker_ops, STRATA_TRACKER_VERSION),
	.table = PR_TABLE,
	.read = read_rows,
	.record = record,
	.lock = pr_lock,
	.unlock = pr_unlock,
	/* A row per attempt: a name without rows is one Prisma has no record of. */
	.flags = STRATA_TRACKER_SAYS_MISSING,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("prisma", "0.1.0",
	                   "Prisma Migrate folders and the _prisma_migrations table"),
	.source = &source,
	.tracker = &tracker,
};

STRATA_PLUGIN_DEFINE(desc)
