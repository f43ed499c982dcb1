/*
 * Fuzz target: the strata.yaml reader (core/config/config.c, libyaml's
 * document API).  The input is the file's whole text, read by config_load()
 * as `strata -c FILE` reads it, in a folder of its own.
 */
#include "config.h"
#include "tree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[4096], path[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (fz_mkdtemp("config", dir, sizeof dir) != 0)
		exit(1);
	snprintf(path, sizeof path, "%s/strata.yaml", dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz_write_file(dir, "strata.yaml", data, size) != 0)
		return 0;
	err_ctx e;
	err_ctx_init(&e);
	config cfg = {0};
	if (config_load(&e, &cfg, path) == 0) {
		(void)config_database_url(&cfg, NULL);
		(void)config_file_name(&cfg);
	}
	config_free(&cfg);
	err_ctx_free(&e);
	return 0;
}
