/* verify: the whole history, in ledger order, on an empty scratch database
 * of the target's dialect (run_scratch_*, which drift uses too: it replays
 * what the target has applied and keeps the scratch open to read it).  What it proves is that a fresh environment built
 * from these files works on the kind of database they are meant for; a run
 * on another dialect would prove nothing (or report the other dialect's
 * syntax as the history's fault), so verify refuses instead. */
#include "template.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nonempty(void *ud, const char *text, size_t len)
{
	(void)text;
	*(size_t *)ud += len;
	return 0;
}

/* "give verify an empty postgresql database with --scratch URL" */
static char *scratch_hint(const char *command, const char *dialect)
{
	return xasprintf("give %s an empty %s%sdatabase with --scratch URL", command,
	                 dialect ? dialect : "", dialect ? " " : "");
}

/* Where to verify when no --scratch was given: a temporary SQLite file when
 * the target is SQLite; else an empty database beside the target, made by
 * its driver (scratch_create).  A target that cannot be reached, or whose
 * driver cannot make one, is an error: verify never falls back to another
 * dialect.  *target stays open to drop the scratch database afterwards. */
static int scratch_for(plan *p, const char *command, const char *target_url, const char *dialect,
                       run_scratch *s, const bool *which, bool cached, unsigned flags)
{
	err_ctx *e = p->e;
	db *target = &s->target;
	char *url = s->url, *tmp = s->tmp;
	size_t size = sizeof s->url;
	bool *made_tmp = &s->made_tmp;
	if (dialect && !strcmp(dialect, "sqlite")) {
		int fd = mkstemp(tmp);
		if (fd < 0)
			return err_set(e, STRATA_EIO, STRATA_ECLASS_OS, tmp, 0, 0, NULL,
			               "cannot create a scratch database");
		close(fd);
		*made_tmp = true;
		snprintf(url, size, "sqlite:%s", tmp);
		if (cached && (s->tpl = tpl_prepare(p, s, target_url, which)))
			tpl_make(p, s, flags);
		return 0;
	}
	int rc = db_open(target, p->L, target_url, true, NULL);
	char *hint = scratch_hint(command, dialect ? dialect : db_dialect(target));
	if (rc) {
		const strata_error_info *c = err_cur(e);
		rc = err_set(e, rc, STRATA_ECLASS_DB, target->display, 0, 0, hint,
		             "cannot reach the target to create a scratch database beside it: %s",
		             c->message ? c->message : "cannot connect");
	} else if (!db_can_scratch(target)) {
		rc = err_set(e, STRATA_EINVAL, STRATA_ECLASS_DB, target->display, 0, 0, hint,
		             "the %s driver cannot create a scratch database beside the target",
		             target->plugin ? target->plugin->desc->name : "target's");
	} else if (cached && (s->tpl = tpl_prepare(p, s, target_url, which)) &&
	           tpl_make(p, s, flags)) {
		rc = 0; /* made from a template */
	} else if ((rc = db_scratch_create(target, url, size))) {
		const strata_error_info *c = err_cur(e);
		rc = err_set(e, rc, c->cls, c->file, c->line, c->col, hint,
		             "cannot create a scratch database: %s", c->message);
	}
	free(hint);
	return rc;
}

/* An explicit --scratch must be of the target's dialect too. */
static int same_dialect(plan *p, const char *command, const char *target_url,
                        const char *dialect, const char *scratch_url)
{
	const char *sd = dialect_of_url(p->L, scratch_url);
	if (!dialect || !sd || !strcmp(dialect, sd))
		return 0;
	char shown[1024], target[1024];
	strata_redact_url(scratch_url, shown, sizeof shown);
	strata_redact_url(target_url, target, sizeof target);
	char *hint = scratch_hint(command, dialect);
	int rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, shown, 0, 0, hint,
	                 "the scratch database is %s, the target %s is %s: %s runs the "
	                 "history on the target's dialect",
	                 sd, target, dialect, command);
	free(hint);
	return rc;
}

static int scratch_open(plan *p, const char *command, const char *target_url,
                        const char *scratch_url, const bool *which, bool cached, unsigned flags,
                        run_scratch *s)
{
	err_ctx *e = p->e;
	memset(s, 0, sizeof *s);
	snprintf(s->tmp, sizeof s->tmp, "/tmp/strata-%s-XXXXXX", command);
	/* dialect_of_url's answer lives until its next call: keep a copy. */
	const char *d0 = dialect_of_url(p->L, target_url);
	char *dialect = d0 ? xstrdup(d0) : NULL;
	int rc;
	if (scratch_url)
		rc = same_dialect(p, command, target_url, dialect, scratch_url);
	else if (!(rc = scratch_for(p, command, target_url, dialect, s, which, cached, flags)))
		scratch_url = s->url;
	free(dialect);
	if (rc || s->unmade)
		return rc;
	rc = db_open(&s->d, p->L, scratch_url, false, NULL);
	logf_(e, STRATA_LOG_DEBUG, NULL, 0, "%s: the scratch database is %s", command,
	      s->d.display ? s->d.display : "?");
	size_t used = 0;
	if (!rc && !(s->tpl && s->tpl->base)) { /* a template is not empty */
		rc = db_dump_schema(&s->d, nonempty, &used);
		if (!rc && used)
			rc = err_set(e, STRATA_EINVAL, STRATA_ECLASS_USAGE, s->d.display, 0, 0,
			             "point --scratch at an empty database; it is written to",
			             "scratch database is not empty");
	}
	return rc;
}

int run_scratch_open(plan *p, const char *command, const char *target_url,
                     const char *scratch_url, run_scratch *s)
{
	return scratch_open(p, command, target_url, scratch_url, NULL, false, 0, s);
}

int run_scratch_open_cached(plan *p, const char *command, const char *target_url,
                            const char *scratch_url, const bool *which, unsigned flags,
                            run_scratch *s)
{
	return scratch_open(p, command, target_url, scratch_url, which, !p->no_replay_cache, flags,
	                    s);
}

int run_scratch_replay(plan *p, run_scratch *s, const char *command, const char *doing,
                       const bool *which, size_t *done)
{
	err_ctx *e = p->e;
	db *d = &s->d;
	int rc = 0;
	*done = 0;
	size_t n = 0, k = 0;
	for (size_t i = 0; i < p->lg->nmigs; i++)
		n += which ? which[i] : p->lg->migs[i]->info.state != STRATA_IGNORED;
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (which ? !which[i] : m->info.state == STRATA_IGNORED)
			continue;
		k++;
		if (s->tpl && k <= s->tpl->base) { /* the template holds it: verified, not run */
			if (command)
				run_event(p, command, STRATA_EVENT_VERIFIED, m, k, n, -1);
			(*done)++;
			continue;
		}
		db_mode mode;
		rc = db_script_mode(d, m, false, &mode);
		if (rc < 0)
			break;
		bool undone = true; /* a failure left the scratch as it was before m */
		bool tx = mode.tx;
		if (tx && (rc = db_begin(d)))
			break;
		if (command)
			run_event(p, command, STRATA_EVENT_START, m, k, n, -1);
		long long t0 = now_ms();
		rc = intr_signal(&e->intr) ? STRATA_EINTR : db_run(d, m, false, &mode);
		if (rc || intr_signal(&e->intr)) {
			undone = tx && !db_rollback(d);
			if (intr_signal(&e->intr))
				rc = err_set(e, STRATA_EINTR, STRATA_ECLASS_OS, NULL, 0, 0, NULL,
				             "interrupted by %s while %s %s (%s) on the scratch "
				             "database", intr_signal_name(intr_signal(&e->intr)), doing,
				             m->info.id, m->info.file ? m->info.file : "no file");
		} else if (tx) {
			rc = db_commit(d);
		}
		if (command)
			run_event(p, command, rc ? STRATA_EVENT_FAILED : STRATA_EVENT_VERIFIED, m, k, n,
			          (long)(now_ms() - t0));
		if (!rc)
			(*done)++;
		if (s->tpl)
			tpl_replayed(s->tpl, k, !rc, undone);
	}
	if (s->tpl && s->tpl->base)
		logf_(e, STRATA_LOG_INFO, NULL, 0,
		      "replayed %zu migration%s on a template of the first %zu (%s)", *done - s->tpl->base, *done - s->tpl->base == 1 ? "" : "s", s->tpl->base,
		      s->tpl->base_name);
	return rc;
}

void run_scratch_close(plan *p, run_scratch *s)
{
	err_ctx *e = p->e;
	db_close(&s->d);
	tpl_close(p, s); /* the replay saved as a template, once the scratch is closed */
	if (s->target.conn) {
		err_saved k;
		err_save(e, &k);
		db_scratch_drop(&s->target);
		err_restore(e, &k);
	}
	db_close(&s->target);
	if (s->made_tmp)
		unlink(s->tmp);
	s->made_tmp = false;
}

int run_verify(plan *p, const char *target_url, const char *scratch_url, size_t *verified)
{
	*verified = 0;
	/* Sources that know their history's dialect (Prisma's migration_lock.toml)
	 * refuse a target of another one while they are read. */
	int rc = sources_load_checked(p->lg, p->L, target_url);
	if (rc)
		return rc;
	/* The scratch database is a new environment: a baseline migration
	 * runs in place of the versions it covers (kinds.c), as it would. */
	for (size_t i = 0; i < p->lg->nmigs; i++)
		p->lg->migs[i]->info.state = STRATA_PENDING;
	plan_kinds(p);
	/* A retired source's migrations never run on a new database (its
	 * baseline's source stands for them). */
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (m->src < p->cfg->nsources && p->cfg->sources[m->src].retired)
			m->info.state = STRATA_IGNORED;
	}
	run_scratch s;
	rc = run_scratch_open_cached(p, "verify", target_url, scratch_url, NULL, 0, &s);
	if (!rc)
		rc = run_scratch_replay(p, &s, "verify", "verifying", NULL, verified);
	run_scratch_close(p, &s);
	return rc;
}
