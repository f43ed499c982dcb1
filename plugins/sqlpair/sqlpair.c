/*
 * sqlpair: a source plugin for raw SQL migration files.  What a tool's
 * folder looks like lives in formats/layouts/NAME.yaml, not in this code.
 */
#include "internal.h"

/* The ABI wants plain function pointers; these are thin on purpose and
 * the work is in scan.c. */
static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	return sp_scan(host, cfg);
}

/* See sp_detect() in detect.c. */
static int detect(strata_host *host, const char *dir)
{
	return sp_detect(host, dir);
}

static const char *const formats[] = { "sqlpair", NULL };
static const char *const options[] = { "layout", NULL };

static const strata_source_ops ops = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.options = options,
	.scan = scan,
	.detect = detect,
};

static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("sqlpair", "0.1.0",
	                   "raw SQL migration files: up/down pairs and sectioned files"),
	.source = &ops,
};

STRATA_PLUGIN_DEFINE(desc)
