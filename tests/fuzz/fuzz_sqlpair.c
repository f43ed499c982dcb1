/*
 * Fuzz target: the sqlpair plugin's folder reader under every layout in
 * formats/layouts/ (and with none, detected from the files).  The input's
 * first line names the layout (any other text picks one by its first byte);
 * the rest is a folder of files (tree.h), scanned by the real plugin.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const layouts[] = {
	"dbmate", "diesel", "flyway", "golang-migrate", "knex", "node-pg-migrate", "sectioned", "sequelize", "sql-rollback", "typeorm", "detect",
};
#define NLAYOUTS (sizeof layouts / sizeof *layouts)

static fz_source fz;

/* One source per layout, in the order of layouts[] (the last detects). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	static char cfg[2048];
	size_t o = (size_t)snprintf(cfg, sizeof cfg, "sources:\n");
	for (size_t i = 0; i < NLAYOUTS && o < sizeof cfg; i++) {
		int detect = !strcmp(layouts[i], "detect");
		o += (size_t)snprintf(cfg + o, sizeof cfg - o,
		                      "  - {name: s%zu, format: sqlpair, path: s%zu%s%s}\n", i, i,
		                      detect ? "" : ", layout: ", detect ? "" : layouts[i]);
	}
	fz_source_init(&fz, "sqlpair", cfg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t head = nl ? (size_t)(nl - data) : size;
	size_t which = size ? data[0] % NLAYOUTS : 0;
	for (size_t i = 0; i < NLAYOUTS; i++)
		if (strlen(layouts[i]) == head && !memcmp(layouts[i], data, head))
			which = i;
	const uint8_t *rest = nl ? nl + 1 : data + size;
	size_t n = (size_t)(data + size - rest);
	const char *dir = fz_source_path(&fz, which);
	if (fz_tree_write(dir, rest, n) == 0) {
		fz_source_scan(&fz, which, STRATA_WANT_DOWN_TEXT, "sqlite");
		fz_source_scan(&fz, which, 0, NULL);
	}
	fz_empty(dir);
	return 0;
}
