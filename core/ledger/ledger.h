/*
 * ledger/: the migrations of every source merged into one order, and their
 * graph.  No I/O: sources/ fills it, plan/ gives each migration its state.
 * Uses base/ and config/ (sources, order:, merge:).
 */
#ifndef STRATA_LEDGER_H
#define STRATA_LEDGER_H

#include "base.h"
#include "config.h"
#include "errors.h"

/* What few migrations have, apart so that the many do not pay for it. */
typedef struct migration_rare {
	char *native_key; /* strata_migration_desc.native_key, or NULL */
	/* Untranslatable scripts (strata_migration_desc version 2); the up
	 * script's reason is info.blocked. */
	char *down_blocked, *blocked_hint;
	int up_blocked_line, down_blocked_line;
	/* The source's line maps (strata_migration_desc version 5), NULL: none. */
	int *up_lines, *up_cols, *down_lines, *down_cols;
	size_t up_nlines, down_nlines;
} migration_rare;

/* A migration of the ledger lives in the ledger's arena with everything
 * of it that the source handed over (strings, scripts, line maps, parents);
 * what the plan records of it (applied_at, error, recorded_script…) lives
 * in the plan's arena.  Neither is freed one by one. */
typedef struct migration {
	strata_migration_info info;
	char *vnorm;
	char *up, *down;
	size_t up_len, down_len;
	char *native_checksum;
	char **parents;
	size_t nparents;
	size_t src, seq;
	int down_line;
	char checksum[65];
	/* The flags and states next to the checksum's odd size, then the
	 * pointers: no padding between them. */
	bool apply_failed;     /* failed while applying (not rolling back, not interrupted) */
	bool ledger_baselined; /* strata_ledger says baselined (before checksums) */
	bool down_failed;      /* strata_ledger says rolling_back or rollback_failed */
	bool native_seen;      /* the tracker reported it (a row, or under a head) */
	bool native_summed;    /* its row carried the tool's checksum (the tool judged the file) */
	bool has_row;          /* strata_ledger has a row for it */
	bool from_native;      /* that row was copied from a native table (applied_by "native:…") */
	bool native_decided;   /* the native table disagreed and won (info.decided_by) */
	bool native_missing;   /* recorded done in strata_ledger, no record in the native table */
	strata_state native;   /* state a native tracker reports, PENDING if none */
	strata_state recorded; /* what strata_ledger's row says, before the trackers are heard */
	char *native_finished; /* finished_at from the native tracker's row */
	char *native_error;    /* the tool's own failure text from that row */
	/* strata_ledger's row: the up script's text and the checksum it
	 * recorded (NULL: no row, or no text kept), for `status -v`, doctor
	 * and `strata repair`. */
	char *recorded_script, *recorded_sum;
	migration_rare *rare;  /* NULL: none of it */
	struct migration **pm; /* parents resolved by ledger_order (nparents of them) */
	size_t descends;       /* pm[0..descends) are lineage, the rest dependencies only */
} migration;

static inline const char *mig_native_key(const migration *m)
{
	return m->rare ? m->rare->native_key : NULL;
}

static inline const char *mig_down_blocked(const migration *m)
{
	return m->rare ? m->rare->down_blocked : NULL;
}

static inline const char *mig_blocked_hint(const migration *m)
{
	return m->rare ? m->rare->blocked_hint : NULL;
}

static inline int mig_blocked_line(const migration *m, bool down)
{
	return !m->rare ? 0 : down ? m->rare->down_blocked_line : m->rare->up_blocked_line;
}

typedef struct ledger {
	err_ctx *e;
	const config *cfg;
	migration **migs; /* ordered once ledger_order() succeeded */
	size_t nmigs, cap; /* cap: migs' room, grown geometrically (ledger_push) */
	migration **by_id; /* sorted by id, for lookups */
	bool loaded;       /* read and ordered */
	bool has_down;     /* read with the down scripts' text */
	arena mem;         /* the migrations and all they hold (sources_add) */
	const char **shared; /* per source: its name and format, once (ledger_source_strings) */
	size_t nshared;
} ledger;

void ledger_init(ledger *lg, err_ctx *e, const config *cfg);
void ledger_clear(ledger *lg); /* back to empty, not loaded */
/* Append m (allocated in lg->mem). */
void ledger_push(ledger *lg, migration *m);
/* Source src's name and format in lg->mem, the same two pointers for every
 * migration of the source. */
const char *const *ledger_source_strings(ledger *lg, size_t src, const char *name,
                                         const char *format);
int ledger_order(ledger *lg);
migration *ledger_find(const ledger *lg, const char *id);
/* Is a the same as b or one of its ancestors (through parents)? */
bool ledger_is_ancestor(const ledger *lg, const migration *a, const migration *b);

#endif
