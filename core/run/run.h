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
int run_mark(plan *p, const char *url, const char *id, int applied);
int run_verify(plan *p, const char *url, const char *scratch_url, size_t *verified);
int run_adopt(plan *p, const char *url, strata_adopt_opts *o);

#endif
