/* verify: the whole history, in ledger order, on an empty scratch database
 * of the target's dialect.  What it proves is that a fresh environment built
 * from these files works on the kind of database they are meant for; a run
 * on another dialect would prove nothing (or report the other dialect's
 * syntax as the history's fault), so verify refuses instead. */
#include "run_int.h"

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
static char *scratch_hint(const char *dialect)
{
	return xasprintf("give verify an empty %s%sdatabase with --scratch URL", dialect ? dialect : "",
	                 dialect ? " " : "");
}

/* Where to verify when no --scratch was given: a temporary SQLite file when
 * the target is SQLite; else an empty database beside the target, made by
 * its driver (scratch_create).  A target that cannot be reached, or whose
 * driver cannot make one, is an error: verify never falls back to another
 * dialect.  *target stays open to drop the scratch database afterwards. */
static int scratch_for(plan *p, const char *target_url, const char *dialect, db *target,
                       char *url, size_t size, char *tmp, bool *made_tmp)
{
	err_ctx *e = p->e;
	if (dialect && !strcmp(dialect, "sqlite")) {
		int fd = mkstemp(tmp);
		if (fd < 0)
			return err_set(e, STRATA_EIO, STRATA_ECLASS_OS, tmp, 0, 0, NULL,
			               "cannot create a scratch database");
		close(fd);
		*made_tmp = true;
		snprintf(url, size, "sqlite:%s", tmp);
		return 0;
	}
	int rc = db_open(target, p->L, target_url, true, NULL);
	char *hint = scratch_hint(dialect ? dialect : db_dialect(target));
	if (rc) {
		const strata_error_info *c = err_cur(e);
		rc = err_set(e, rc, STRATA_ECLASS_DB, target->display, 0, 0, hint,
		             "cannot reach the target to create a scratch database beside it: %s",
		             c->message ? c->message : "cannot connect");
	} else if (!db_can_scratch(target)) {
		rc = err_set(e, STRATA_EINVAL, STRATA_ECLASS_DB, target->display, 0, 0, hint,
		             "the %s driver cannot create a scratch database beside the target",
		             target->plugin ? target->plugin->desc->name : "target's");
	} else if ((rc = db_scratch_create(target, url, size))) {
		const strata_error_info *c = err_cur(e);
		rc = err_set(e, rc, c->cls, c->file, c->line, c->col, hint,
		             "cannot create a scratch database: %s", c->message);
	}
	free(hint);
	return rc;
}

/* An explicit --scratch must be of the target's dialect too. */
static int same_dialect(plan *p, const char *target_url, const char *dialect,
                        const char *scratch_url)
{
	const char *sd = dialect_of_url(p->L, scratch_url);
	if (!dialect || !sd || !strcmp(dialect, sd))
		return 0;
	char shown[1024], target[1024];
	strata_redact_url(scratch_url, shown, sizeof shown);
	strata_redact_url(target_url, target, sizeof target);
	char *hint = scratch_hint(dialect);
	int rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, shown, 0, 0, hint,
	                 "the scratch database is %s, the target %s is %s: verify runs the "
	                 "history on the target's dialect",
	                 sd, target, dialect);
	free(hint);
	return rc;
}

int run_verify(plan *p, const char *target_url, const char *scratch_url, size_t *verified)
{
	err_ctx *e = p->e;
	*verified = 0;
	/* Sources that know their history's dialect (Prisma's migration_lock.toml)
	 * refuse a target of another one while they are read. */
	int rc = sources_load_checked(p->lg, p->L, target_url);
	if (rc)
		return rc;
	/* dialect_of_url's answer lives until its next call: keep a copy. */
	const char *d0 = dialect_of_url(p->L, target_url);
	char *dialect = d0 ? xstrdup(d0) : NULL;
	char tmp[] = "/tmp/strata-verify-XXXXXX";
	char url[4096];
	db target = {0};
	bool made_tmp = false;
	if (scratch_url)
		rc = same_dialect(p, target_url, dialect, scratch_url);
	else if (!(rc = scratch_for(p, target_url, dialect, &target, url, sizeof url, tmp, &made_tmp)))
		scratch_url = url;
	free(dialect);
	if (rc) {
		db_close(&target);
		return rc;
	}
	db d = {0};
	rc = db_open(&d, p->L, scratch_url, false, NULL);
	logf_(e, STRATA_LOG_DEBUG, NULL, 0, "verifying on %s", d.display ? d.display : "?");
	size_t used = 0;
	if (!rc) {
		rc = db_dump_schema(&d, nonempty, &used);
		if (!rc && used)
			rc = err_set(e, STRATA_EINVAL, STRATA_ECLASS_USAGE, d.display, 0, 0,
			             "point --scratch at an empty database; it is written to",
			             "scratch database is not empty");
	}
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
	size_t n = 0, k = 0;
	for (size_t i = 0; i < p->lg->nmigs; i++)
		n += p->lg->migs[i]->info.state != STRATA_IGNORED;
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (m->info.state == STRATA_IGNORED)
			continue;
		k++;
		db_mode mode;
		rc = db_script_mode(&d, m, false, &mode);
		if (rc < 0)
			break;
		bool tx = mode.tx;
		if (tx && (rc = db_begin(&d)))
			break;
		run_event(p, "verify", STRATA_EVENT_START, m, k, n, -1);
		long long t0 = now_ms();
		rc = intr_signal(&e->intr) ? STRATA_EINTR : db_run(&d, m, false, &mode);
		if (rc || intr_signal(&e->intr)) {
			if (tx)
				db_rollback(&d);
			if (intr_signal(&e->intr))
				rc = err_set(e, STRATA_EINTR, STRATA_ECLASS_OS, NULL, 0, 0, NULL,
				             "interrupted by %s while verifying %s (%s) on the scratch "
				             "database", intr_signal_name(intr_signal(&e->intr)), m->info.id,
				             m->info.file ? m->info.file : "no file");
		} else if (tx) {
			rc = db_commit(&d);
		}
		run_event(p, "verify", rc ? STRATA_EVENT_FAILED : STRATA_EVENT_VERIFIED, m, k, n,
		          (long)(now_ms() - t0));
		if (!rc)
			(*verified)++;
	}
	db_close(&d);
	if (target.conn) {
		err_saved k;
		err_save(e, &k);
		db_scratch_drop(&target);
		err_restore(e, &k);
	}
	db_close(&target);
	if (made_tmp)
		unlink(tmp);
	return rc;
}
