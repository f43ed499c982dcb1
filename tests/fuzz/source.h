/*
 * The host side of a source plugin, for fuzzing its folder reader: a real
 * strata.yaml read by core/config, the real plugin loaded by core/plugins
 * from this build tree (libltdl), and each scan through the same funnel and
 * ledger code that `strata ledger` uses (sources_bind, call_scan,
 * ledger_order).  Set up once per process; one scan per input.
 */
#ifndef STRATA_FUZZ_SOURCE_H
#define STRATA_FUZZ_SOURCE_H

#include "sources.h"

typedef struct fz_source {
	char dir[4096];  /* the temporary project folder */
	err_ctx e;
	config cfg;
	loader L;
	ledger lg;
} fz_source;

/* dir made, dir/strata.yaml written with yaml (paths in it relative to dir)
 * and read, the sources' plugins loaded.  Exits the process on failure: a
 * harness that cannot start must not pass. */
void fz_source_init(fz_source *f, const char *tag, const char *yaml);
/* Source i's folder path (absolute). */
const char *fz_source_path(const fz_source *f, size_t i);
/* Source i scanned with want (STRATA_WANT_*) for dialect (NULL: none), the
 * ledger ordered, every migration's text looked at, then cleared.  Returns
 * the scan's status (errors are expected; only crashes matter). */
int fz_source_scan(fz_source *f, size_t i, unsigned int want, const char *dialect);

#endif
