/* The prisma plugin's internal interface: one file per job, named below. */
#ifndef STRATA_PRISMA_INT_H
#define STRATA_PRISMA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "strata/plugin.h"
#include "strata/plugin_util.h" /* strata_oom, strata_read_file */

#define PR_TABLE "_prisma_migrations"

/* scan.c, detect.c: the source role. */
int pr_scan(strata_host *h, const strata_source_cfg *cfg);
int pr_detect(strata_host *h, const char *dir);

/* order.c: Prisma's order of folder names (the CLI's localeCompare: ICU's
 * root collation, ties in byte order), sorting names in place; and one
 * warning, at file, naming the pairs that byte order puts the other way. */
int pr_order(strata_host *h, char **names, size_t n);
/* Whether byte order is Prisma's order for names sorted in byte order (no
 * collator needed). */
bool pr_order_is_bytes(char *const *names, size_t n);
int pr_order_warn(strata_host *h, const char *file, char *const *names, size_t n);

/* lockfile.c: migration_lock.toml against the target database (P3019). */
int pr_check_provider(strata_host *h, const strata_source_cfg *cfg);
/* The same in scan(), against cfg->dialect, when the host asks for it
 * (STRATA_WANT_DIALECT_CHECK: verify). */
int pr_check_provider_scan(strata_host *h, const strata_source_cfg *cfg);

/* checksum.c: Prisma's rule for "this file is the one that was applied". */
bool pr_checksum_matches(strata_host *h, const char *script, size_t len, const char *stored);

/* timefmt.c: the host's ISO-8601 UTC text and what each dialect stores. */
int pr_time_to_db(const char *iso, bool sqlite, char *out, size_t size);
void pr_time_from_db(const char *val, char *out, size_t size);

/* uuid.c: a random version 4 UUID, lowercase, hyphenated (36 chars + NUL). */

/* table.c: the table, created with Prisma's own DDL for the dialect. */
bool pr_is_sqlite(strata_host *h);
int pr_table_ensure(strata_host *h);

/* read.c, record.c: the tracker role. */
int pr_read(strata_host *h, const strata_source_cfg *cfg);
int pr_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev);

/* write.c: the write() op, a history as Prisma folders (m NULL: the lock file). */
int pr_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m);

/* lock.c: Prisma's advisory lock on PostgreSQL */
int pr_lock(strata_host *h, const strata_source_cfg *cfg, long timeout_ms);
int pr_unlock(strata_host *h, const strata_source_cfg *cfg);

#endif
