/* run/ internals: the write session and the steps its commands share. */
#ifndef STRATA_RUN_INT_H
#define STRATA_RUN_INT_H

#include "run.h"

typedef struct run_session {
	db d;
	track_locks locks;
} run_session;

int run_open(plan *p, const char *url, bool want_down, run_session *ss);
int run_ready(plan *p, run_session *ss);
int run_open_readonly(plan *p, const char *url, bool want_down, run_session *ss);
void run_close(plan *p, run_session *ss);

bool run_is_done(strata_state st);
/* Pending, rolled back, or a failed transactional apply (nothing left behind). */
bool run_is_due(db *d, const migration *m);
/* Index of a ledger id: the full id, or a version/name naming one migration. */
int run_find_index(plan *p, const char *id, size_t *out);
/* strata_ledger's row and the native tracker's, in the current transaction. */
int run_write_state(plan *p, db *d, const migration *m, const char *state,
                    const char *started, const char *finished, long ms, const char *error);
/* One migration forward or back, recorded; *skipped when another process
 * did it meanwhile. */
int run_step(plan *p, db *d, migration *m, bool down, bool *skipped);
/* One event to strata_set_events()'s sink; false when there is none (the
 * caller then logs the line it always logged).  ms -1: not run. */
bool run_event(plan *p, const char *command, strata_event_kind kind, const migration *m,
               size_t index, size_t total, long ms);
/* After run_step: its event, or without a sink the "applied …" log line. */
void run_step_done(plan *p, const char *command, const migration *m, bool down, size_t index,
                   size_t total);
/* Inside the transaction open on d: did another process apply (roll back)
 * m since the plan was read?  Asked only without a command-wide lock. */
bool run_done_meanwhile(db *d, const migration *m, bool down);
/* The error of an interrupted command: while m ran (fate: what became of
 * it), or before it (fate NULL; m NULL: before any migration); STRATA_EINTR. */
int run_interrupted(plan *p, const migration *m, bool down, const char *fate, const char *hint);
/* --dry-run: the script as it would run. */
void run_emit_script(strata_sql_fn fn, void *ud, db *d, const migration *m, bool down);
/* The same inside a transaction already open (in_tx): no BEGIN;/COMMIT; of its own. */
void run_emit_script_in(strata_sql_fn fn, void *ud, db *d, const migration *m, bool down,
                        bool in_tx);
/* batch.c: apply --single-transaction's loop over ledger[0..end], in
 * place of apply.c's; to: --to's migration or NULL, total: how many are due. */
int run_apply_batched(plan *p, db *d, strata_apply_opts *o, size_t end, const migration *to,
                      size_t total);
/* batch.c: does this apply run in one transaction (o's choice, else the
 * config's)?  Refused, before anything is written, on a dialect without
 * transactional DDL. */
int run_single_tx(plan *p, db *d, const char *url, const strata_apply_opts *o, bool *single);
/* A script its source could not turn into SQL: the error that stops before it. */
int run_blocked(plan *p, const migration *m, bool down);
/* Is m part of `--to to` (its ancestors on a graph, everything up to it on a line)? */
bool run_in_target(const plan *p, const migration *m, const migration *to);

#endif
