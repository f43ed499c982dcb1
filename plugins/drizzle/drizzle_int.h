/* The drizzle plugin's internal interface: one file per job, named below. */
#ifndef STRATA_DRIZZLE_INT_H
#define STRATA_DRIZZLE_INT_H

#include <stddef.h>

#include "strata/plugin.h"
#include "strata/plugin_util.h"

#define DZ_JOURNAL "meta/_journal.json"
/* drizzle-orm's migrator splits each file at exactly this text. */
#define DZ_BREAKPOINT "--> statement-breakpoint"

/* One journal entry: the file TAG.sql, its `when` (ms) and where it is. */
typedef struct dz_entry {
	char *tag;
	char when[24];
	int line; /* the entry's line in the journal */
} dz_entry;

typedef struct dz_journal {
	dz_entry *v;
	size_t n;
} dz_journal;

/* journal.c: meta/_journal.json of the folder fd, its errors at file:line. */
int dz_journal_read(strata_host *h, int fd, dz_journal *out);
void dz_journal_free(dz_journal *j);

/* split.c: the up script strata runs for a file's text: the text itself,
 * with a ';' before each breakpoint whose chunk has none, so that every
 * chunk drizzle-orm runs on its own is a statement of its own here too
 * (lines unchanged).  *out is malloc'd. */
int dz_split_script(strata_host *h, const char *text, size_t len, char **out, size_t *out_len);

/* scan.c, detect.c: the source role. */
int dz_scan(strata_host *h, const strata_source_cfg *cfg);
/* write.c: the write() op (m NULL: the journal). */
int dz_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m);
int dz_detect(strata_host *h, const char *dir);

#endif
