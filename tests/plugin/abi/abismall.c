/*
 * abismall: a descriptor whose struct_size is too small to hold the fields
 * of ABI 1 (it claims to end before `name`).  strata must refuse the file
 * with a warning naming it, and go on with the other plugins.  Everything
 * else in it is well formed, so only the size can be the reason.
 */
#include <stddef.h>
#include <strata/plugin.h>

static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	(void)cfg;
	host->error(host, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL, "abismall must never be used");
	return STRATA_ERR;
}

static const char *const formats[] = {"abismall", NULL};

static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats,
	.scan = scan,
};

static const strata_plugin desc = {
	.abi_version = STRATA_PLUGIN_ABI_VERSION,
	.struct_size = offsetof(strata_plugin, name),
	.name = "abismall",
	.version = "1.0",
	.summary = "ABI fixture: descriptor too small",
	.source = &source,
};

STRATA_PLUGIN_DEFINE(desc)
