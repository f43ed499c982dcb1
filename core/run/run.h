/*
 * run/: the commands that write to a database (apply, rollback, baseline,
 * mark) and verify, which writes to a scratch one.  Uses every layer
 * before it; strata.c calls these with the handle's plan and URL.
 */
#ifndef STRATA_RUN_H
#define STRATA_RUN_H

#include "plan.h"

int run_apply(plan *p, const char *url, strata_apply_opts *o);
int run_rollback(plan *p, const char *url, strata_rollback_opts *o);
int run_baseline(plan *p, const char *url, const char *to, size_t *recorded);
/* baseline with what it skipped counted (strata_baseline_result). */
int run_baseline_counted(plan *p, const char *url, const char *to, strata_baseline_result *c);
/* baseline of the migrations pick() chooses: called once the session holds
 * its locks and has read the plan, on its connection d; it sets sel[i]
 * (ledger order, nmigs long) for each migration to record.  Migrations
 * already recorded are left alone; a pick of nothing writes nothing. */
typedef int (*run_pick_fn)(void *ud, plan *p, db *d, bool *sel);
int run_baseline_pick(plan *p, const char *url, run_pick_fn pick, void *ud,
                      strata_baseline_result *c);
/* baseline of these ids only (full ids, or a version/name naming one). */
int run_baseline_ids(plan *p, const char *url, const char *const *ids, size_t n,
                     strata_baseline_result *c);
int run_mark(plan *p, const char *url, const char *id, int applied);
int run_verify(plan *p, const char *url, const char *scratch_url, size_t *verified);
int run_adopt(plan *p, const char *url, strata_adopt_opts *o);

/* verify.c: a scratch database of the target's dialect (verify's, drift's).
 * open: scratch_url, else one made beside the target (a temporary file for
 * SQLite); refused unless empty and of the target's dialect (command names
 * the command in the messages).  replay: the migrations which[] says (NULL:
 * every one not ignored) in ledger order, each in its own transaction when
 * it can be, with command's events (NULL: none; doing is "verifying" for
 * messages); *done counts those that ran.  close: the scratch closed, and
 * dropped when open made it. */
typedef struct run_scratch {
	db d;      /* the scratch, connected */
	db target; /* the target, while a scratch made beside it lives */
	char url[4096];
	char tmp[64];
	bool made_tmp;
	struct run_tpl *tpl; /* the replay cache (template.c), NULL: not used */
	bool unmade;         /* a template holds it all and nobody reads it: no scratch */
} run_scratch;
int run_scratch_open(plan *p, const char *command, const char *target_url,
                     const char *scratch_url, run_scratch *s);
int run_scratch_replay(plan *p, run_scratch *s, const char *command, const char *doing,
                       const bool *which, size_t *done);
void run_scratch_close(plan *p, run_scratch *s);
/* run_scratch_open with the replay cache (template.c): unless scratch_url
 * is given or p->no_replay_cache, the scratch is made from the template of
 * the longest prefix of the migrations which[] says (NULL: every one not
 * ignored) that has one, and replay runs only those after it. */
int run_scratch_open_cached(plan *p, const char *command, const char *target_url,
                            const char *scratch_url, const bool *which, unsigned flags,
                            run_scratch *s);
/* The caller reads the scratch after the replay (drift): it is made even
 * when a template holds every migration to replay (verify then makes none). */
#define RUN_SCRATCH_READ 0x1u

#endif
