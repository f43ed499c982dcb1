/*
 * sqlpair: a source plugin for raw SQL migration files.  What a tool's
 * folder looks like lives in formats/layouts/NAME.yaml, not in this code.
 */
#include "internal.h"

/* The version services are the newest part of the host table: refuse a host
 * too old to have them rather than call through a missing pointer. */
static int host_ok(strata_host *host)
{
	if (STRATA_HAS(strata_host, host, version_cmp))
		return 1;
	host->error(host, STRATA_ECLASS_PLUGIN, NULL, 0, 0, "upgrade strata",
	            "sqlpair needs a host with version services (host table of %u bytes)",
	            host->struct_size);
	return 0;
}

/* The ABI wants plain function pointers; these are thin on purpose and
 * the work is in scan.c and detect.c. */
static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	return host_ok(host) ? sp_scan(host, cfg) : STRATA_ERR;
}

static int detect(strata_host *host, const char *dir)
{
	return host_ok(host) ? sp_detect(host, dir) : STRATA_ERR;
}

static const char *default_tracker(strata_host *host, const strata_source_cfg *cfg)
{
	return host_ok(host) ? sp_default_tracker(host, cfg) : NULL;
}

static int write_mig(strata_host *host, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	return host_ok(host) ? sp_write(host, cfg, m) : STRATA_ERR;
}

static const char *const formats[] = { "sqlpair", NULL };
static const char *const options[] = { "layout", NULL };

static const strata_source_ops ops = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.options = options,
	.scan = scan,
	.detect = detect,
	.default_tracker = default_tracker,
	.write = write_mig,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("sqlpair", "0.1.0",
	                   "raw SQL migration files: up/down pairs and sectioned files"),
	.source = &ops,
};

STRATA_PLUGIN_DEFINE(desc)
