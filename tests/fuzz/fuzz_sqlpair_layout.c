/*
 * Fuzz target: the sqlpair layout descriptor reader (plugins/sqlpair/
 * descriptor.c, layout.c, schema.c: a formats/layouts/NAME.yaml with its
 * regular expressions).  The input is one descriptor, found as
 * layouts/fuzz.yaml in a formats folder named by STRATA_FORMATS_PATH; a
 * source names it (layout: fuzz) and another detects its layout from the
 * whole catalog, each over a fixed folder of files in every layout's shape.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static fz_source fz;
static char fmt[4096], layouts[4200];

static const char files[] =
	"=== 1_init.up.sql\nCREATE TABLE a (x int);\n"
	"=== 1_init.down.sql\nDROP TABLE a;\n"
	"=== V2__two.sql\nSELECT 2;\n"
	"=== U2__two.sql\nSELECT -2;\n"
	"=== 20240103000000_three.sql\n-- migrate:up\nSELECT 3;\n-- migrate:down\nSELECT -3;\n"
	"=== 004_four.sql\n-- UP Migration\nSELECT 4;\n-- DOWN Migration (Rollback)\nSELECT -4;\n"
	"=== 2023-01-05-000000_five/up.sql\nSELECT 5;\n"
	"=== 2023-01-05-000000_five/down.sql\nSELECT -5;\n"
	"=== sql/006_six.sql\nSELECT 6;\n"
	"=== rollback/006_rollback.sql\nSELECT -6;\n"
	"=== README.md\nnot a migration\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (fz_mkdtemp("formats", fmt, sizeof fmt) != 0)
		return 1;
	snprintf(layouts, sizeof layouts, "%s/layouts", fmt);
	if (fz_tree_write(fmt, (const uint8_t *)"=== layouts/\n", 13) != 0 ||
	    setenv("STRATA_FORMATS_PATH", fmt, 1) != 0)
		return 1;
	fz_source_init(&fz, "sqlpair-layout",
		"sources:\n"
		"  - {name: named, format: sqlpair, path: named, layout: fuzz}\n"
		"  - {name: detect, format: sqlpair, path: detect}\n");
	for (size_t i = 0; i < 2; i++)
		if (fz_tree_write(fz_source_path(&fz, i), (const uint8_t *)files, sizeof files - 1) != 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz_write_file(layouts, "fuzz.yaml", data, size) != 0)
		return 0;
	fz_source_scan(&fz, 0, STRATA_WANT_DOWN_TEXT, "sqlite");
	fz_source_scan(&fz, 1, 0, NULL);
	return 0;
}
