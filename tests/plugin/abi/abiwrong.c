/*
 * abiwrong: a descriptor for a plugin ABI strata does not speak (99).
 * strata must refuse the file with a warning naming it and both ABI
 * numbers, and go on with the other plugins.
 */
#include <strata/plugin.h>

static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	(void)cfg;
	host->error(host, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL, "abiwrong must never be used");
	return STRATA_ERR;
}

static const char *const formats[] = {"abiwrong", NULL};

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.scan = scan,
};

static const strata_plugin desc = {
	.abi_version = 99,
	.struct_size = sizeof(strata_plugin),
	.name = "abiwrong",
	.version = "1.0",
	.summary = "ABI fixture: unknown plugin ABI",
	.source = &source,
};

STRATA_PLUGIN_DEFINE(desc)
