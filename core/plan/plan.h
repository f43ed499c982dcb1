/*
 * plan/: the ledger set against what the database records (strata_ledger
 * rows, the native trackers' rows) gives each migration its state; and
 * status, which reads the folders and the database side by side.  Uses
 * every layer before it.
 */
#ifndef STRATA_PLAN_H
#define STRATA_PLAN_H

#include "sources.h"
#include "trackers.h"

typedef struct plan {
	err_ctx *e;
	const config *cfg;
	loader *L;
	ledger *lg;
	migration **missing; /* recorded but no file, after the plan was computed */
	size_t nmissing;
	/* `strata mark ID`: strata_ledger's row of ID is about to be rewritten,
	 * so a fault mark can fix there is not refused (records.c). */
	const char *repair;
	/* `strata repair`: a row whose checksum is empty or not strata's is
	 * read (its migration modified), not refused (records.c). */
	bool repair_sums;
	/* apply/baseline --to: the baseline migration chosen on an empty
	 * database is the newest at or below it (kinds.c); NULL: no target. */
	const char *target;
	/* Per tracker binding (loader.binds): its table did not exist when the
	 * plan was computed. */
	bool *table_missing;
	size_t ntables;
	/* verify and drift --no-cache: replay the whole history, save no
	 * template (run/template.c). */
	bool no_replay_cache;
	/* What the plan records on migrations (applied_at, applied_by, error,
	 * the native tracker's times and texts, recorded_script/_sum) and the
	 * missing entries: freed together when the plan is computed again. */
	arena mem;
	const char *last_at, *last_by; /* the row texts kept last (apply_ledger_rows) */
} plan;

void plan_init(plan *p, err_ctx *e, const config *cfg, loader *L, ledger *lg);
void plan_free(plan *p);
/* A copy of s (NULL: NULL) that lives until the plan is computed again. */
char *plan_keep(plan *p, const char *s);
/* Read strata_ledger and the trackers on d (NULL conn: nothing applied). */
int plan_compute(plan *p, db *d);
/* The same from strata_ledger rows already read (consumed). */
int plan_from_rows(plan *p, db *d, ledger_row *rows, size_t n);
/* The same a row at a time, for rows read one by one in id order (status):
 * plan_rows_begin, then plan_row_apply of each row plan_check_row keeps,
 * then plan_rows_end (the trackers' rows and what follows). */
void plan_rows_begin(plan *p);
void plan_row_apply(plan *p, const ledger_row *r);
int plan_rows_end(plan *p, db *d);
/* records.c: rows[i] of rows[0..n) (n: i and the rows of its id after it)
 * checked: 0 kept, 1 dropped (p->repair rewrites it; cleared), < 0
 * refused (STRATA_ESTATE, the row named, its fix). */
int plan_check_row(plan *p, db *d, ledger_row *rows, size_t n, size_t i);
/* records.c: refuse the first strata_ledger row not understood (STRATA_ESTATE,
 * the row named, its fix); a row p->repair rewrites is dropped from rows. */
int plan_check_rows(plan *p, db *d, ledger_row *rows, size_t *n);
/* records.c: what plan_check_rows would refuse in rows[i] (buf), with its
 * fix in *hint (free it); NULL when nothing. */
const char *plan_row_problem(const plan *p, const ledger_row *rows, size_t n, size_t i, char *buf,
                             size_t size, char **hint);
/* kinds.c: baseline and repeatable migrations' states, from the recorded
 * ones (ignored, outdated). */
void plan_kinds(plan *p);
/* The ledger and the missing entries, as the public API numbers them. */
size_t plan_count(const plan *p);
const strata_migration_info *plan_get(const plan *p, size_t i);

/* status.c: load the ledger and read the database at url beside it. */
int plan_status(plan *p, const char *url, size_t counts[STRATA_STATE_COUNT],
                size_t *out_of_order);

#endif
