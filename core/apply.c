/* apply, rollback, baseline, mark: every change to a database goes through
 * here.  Each migration commits together with its strata_ledger row and its
 * native tracker row; each is re-checked inside its own transaction so that
 * two strata processes never run the same migration twice. */
#include "strata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_done(strata_state st)
{
	return st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED;
}

static bool is_due(db *d, const migration *m)
{
	strata_state st = m->info.state;
	/* A failed transactional migration left nothing behind: retry it. */
	return st == STRATA_PENDING || st == STRATA_ROLLED_BACK ||
	       (st == STRATA_FAILED && m->apply_failed && !m->info.native_only &&
	        db_transactional(d, m, false) == 1);
}

/* Index of a ledger id; accepts the full id or a version/name that names
 * exactly one migration. */
static int find_index(strata *s, const char *id, size_t *out)
{
	size_t hits = 0;
	for (size_t i = 0; i < s->nmigs; i++) {
		const strata_migration_info *in = &s->migs[i]->info;
		if (!strcmp(in->id, id)) {
			*out = i;
			return 0;
		}
		if (!strcmp(in->version, id) || (*in->name && !strcmp(in->name, id))) {
			*out = i;
			hits++;
		}
	}
	if (hits == 1)
		return 0;
	return err_set(s, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0,
	               hits ? "use the full id <source>:<version>" : "`strata ledger` lists the ids",
	               hits ? "'%s' names %zu migrations" : "no migration '%s' in the ledger", id, hits);
}

/* Open read-write, take the command-wide lock, make sure strata_ledger
 * exists, and read the current state. */
static int open_for_write(strata *s, db *d)
{
	int rc = strata_load_ledger(s);
	if (rc)
		return rc;
	rc = db_open(s, strata_database_url(s), false, d);
	if (!rc)
		rc = db_lock(d);
	if (!rc)
		rc = track_lock(s, d);
	if (!rc) /* read first: a tracker may refuse the database (Prisma's P3019) */
		rc = plan_compute(s, d);
	if (!rc)
		rc = ledger_table_ensure(d);
	return rc;
}

static int write_state(strata *s, db *d, const migration *m, const char *state,
                       const char *started, const char *finished, long ms, const char *error)
{
	int rc = ledger_table_write(d, m, state, started, finished, ms, error);
	if (!rc)
		rc = track_record(s, d, m, state, started, finished, ms, error);
	return rc;
}

/* The row as another process may have left it since our plan was read. */
static bool already(db *d, const migration *m, const char *state1, const char *state2)
{
	ledger_row r;
	int found = ledger_table_get(d, m->info.id, &r);
	bool yes = found > 0 && (!strcmp(r.state, state1) || (state2 && !strcmp(r.state, state2)));
	ledger_row_clear(&r);
	return yes;
}

/* Record a failure in its own transaction, keeping the original error. */
static void record_failure(strata *s, db *d, const migration *m, const char *state,
                           const char *started, long ms)
{
	const strata_error_info *e = err_cur(s);
	char *text = e->file ? (e->line ? xasprintf("%s:%d:%d: %s", e->file, e->line, e->col, e->message)
	                                : xasprintf("%s: %s", e->file, e->message))
	                     : xstrdup(e->message ? e->message : "failed");
	err_saved k;
	err_save(s, &k);
	if (db_begin(d) == 0) {
		if (write_state(s, d, m, state, started, NULL, ms, text) == 0)
			db_commit(d);
		else
			db_rollback(d);
	}
	err_restore(s, &k);
	free(text);
}

/* One migration forward (down = false) or back: begin, re-check its row
 * inside the transaction (another process may have done it meanwhile), run,
 * record, commit.  Outside a transaction nothing can be undone, so the row
 * says "running" first (an interrupted run shows as failed) and any failure
 * is recorded; a failed transactional rollback changed nothing and leaves the
 * migration applied. */
static int run_step(strata *s, db *d, migration *m, bool down, bool *skipped)
{
	char started[40], finished[40];
	long long t0 = now_ms();
	now_iso8601(started);
	*skipped = false;
	int rc = db_transactional(d, m, down);
	if (rc < 0)
		return rc;
	bool tx = rc;

	rc = db_begin(d);
	if (rc)
		return rc;
	/* Without a command-wide lock (SQLite), another process may have done it
	 * since our plan was read; under the lock nobody else writes. */
	if (!d->locked &&
	    (down ? already(d, m, "rolled_back", NULL) : already(d, m, "applied", "baselined"))) {
		db_rollback(d);
		*skipped = true;
		return 0;
	}
	if (!tx) {
		rc = write_state(s, d, m, down ? "rolling_back" : "running", started, NULL, -1, NULL);
		if (!rc)
			rc = db_commit(d);
		if (rc) {
			db_rollback(d);
			return rc;
		}
	}
	rc = db_run(d, m, down, tx);
	if (rc) {
		if (tx)
			db_rollback(d);
		if (!tx || !down)
			record_failure(s, d, m, down ? "rollback_failed" : "failed", started,
			               (long)(now_ms() - t0));
		return rc;
	}
	if (!tx && (rc = db_begin(d)))
		return rc;
	now_iso8601(finished);
	long ms = (long)(now_ms() - t0);
	rc = write_state(s, d, m, down ? "rolled_back" : "applied", started, finished, ms, NULL);
	if (!rc)
		rc = db_commit(d);
	if (rc) {
		db_rollback(d);
		return rc;
	}
	m->info.state = down ? STRATA_ROLLED_BACK : STRATA_APPLIED;
	logf_(s, STRATA_LOG_INFO, down ? m->info.down_file : m->info.file, 0, "%s %s %s (%ld ms)",
	      down ? "rolled back" : "applied", m->info.id, m->info.name, ms);
	return 0;
}

static void emit(strata_sql_fn fn, void *ud, const char *text)
{
	if (fn)
		fn(ud, text, strlen(text));
}

static void emit_script(strata_sql_fn fn, void *ud, db *d, const migration *m, bool down)
{
	char head[1024];
	bool tx = db_transactional(d, m, down) != 0;
	snprintf(head, sizeof head, "-- %s %s %s (%s)\n%s", down ? "rollback" : "apply", m->info.id,
	         m->info.name, down ? m->info.down_file : m->info.file, tx ? "BEGIN;\n" : "");
	emit(fn, ud, head);
	const char *sql = down ? m->down : m->up;
	size_t len = down ? m->down_len : m->up_len;
	if (fn && len)
		fn(ud, sql, len);
	if (len && sql[len - 1] != '\n')
		emit(fn, ud, "\n");
	emit(fn, ud, tx ? "COMMIT;\n\n" : "\n");
}

/* A script its source could not turn into SQL: stop before it, with the
 * source's reason, line and ways forward. */
static int blocked(strata *s, const migration *m, bool down)
{
	return err_set(s, STRATA_EINVAL, STRATA_ECLASS_SOURCE,
	               down ? m->info.down_file : m->info.file,
	               down ? m->down_blocked_line : m->up_blocked_line, 0, m->blocked_hint,
	               "%s: %s", m->info.id, down ? m->down_blocked : m->up_blocked);
}

/* `--to ID` on a graph source (Alembic) means ID and its ancestors, as
 * `alembic upgrade ID` does; on a linear source, everything up to ID in
 * ledger order. */
static bool in_target(const strata *s, const migration *m, const migration *to)
{
	return !to->info.graph || ledger_is_ancestor(s, m, to);
}

/* What `alembic downgrade ID` undoes, marked by seq: what descends from ID
 * (through down_revision), and whatever depends on that.  A revision that
 * only depends_on ID itself keeps what it needs and stays. */
static unsigned char *descendants(const strata *s, const migration *to)
{
	unsigned char *undo = xcalloc(s->nmigs + 1, 1);
	for (size_t i = 0; i < s->nmigs; i++) { /* topological order: parents first */
		const migration *m = s->migs[i];
		for (size_t k = 0; m->pm && m->pm[k]; k++)
			if ((m->pm[k] == to && k < m->descends) ||
			    (m->pm[k]->seq < s->nmigs && undo[m->pm[k]->seq]))
				undo[m->seq] = 1;
	}
	return undo;
}

/* A step back from several heads has no single answer (Alembic: "Ambiguous
 * walk" / "Multiple head revisions are present"): refuse it and name them. */
static int one_head(strata *s, const migration *first)
{
	unsigned char *below = xcalloc(s->nmigs + 1, 1);
	for (size_t i = 0; i < s->nmigs; i++) {
		const migration *m = s->migs[i];
		if (m->src == first->src && is_done(m->info.state))
			for (size_t k = 0; m->pm && m->pm[k]; k++)
				if (m->pm[k]->seq < s->nmigs)
					below[m->pm[k]->seq] = 1;
	}
	sbuf names = {0}, args = {0};
	size_t heads = 0;
	for (size_t i = 0; i < s->nmigs; i++) {
		const migration *m = s->migs[i];
		if (m->src != first->src || !is_done(m->info.state) || below[m->seq])
			continue;
		if (heads++) {
			sbuf_add(&names, ", ", 2);
			sbuf_add(&args, " ", 1);
		}
		sbuf_add(&names, m->info.version, strlen(m->info.version));
		sbuf_add(&args, m->info.version, strlen(m->info.version));
	}
	free(below);
	char *list = sbuf_take(&names), *argv = sbuf_take(&args);
	int rc = 0;
	if (heads > 1) {
		char *hint = xasprintf("name the target with --to ID, or merge the heads "
		                       "(alembic merge -m merge %s)", argv);
		rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_SOURCE, NULL, 0, 0, hint,
		             "Multiple head revisions are present in source '%s' (%s): a rollback "
		             "by steps is ambiguous", first->info.source, list);
		free(hint);
	}
	free(list);
	free(argv);
	return rc;
}

/* Refuse to build on a history the database disagrees with. */
static int check_problems(strata *s, db *d, size_t end, bool allow_ooo)
{
	for (size_t i = 0; i < s->nmissing; i++)
		logf_(s, STRATA_LOG_WARN, NULL, 0,
		      "%s is recorded in the database but its file is gone (clear it with "
		      "`strata mark %s --rolled-back`)",
		      s->missing[i]->info.id, s->missing[i]->info.id);
	for (size_t i = 0; i < s->nmigs; i++) {
		migration *m = s->migs[i];
		if (m->info.state == STRATA_MODIFIED)
			return err_set(s, STRATA_ESTATE, STRATA_ECLASS_SOURCE, m->info.file, 0, 0,
			               "restore the file, or record its new checksum with "
			               "`strata mark ID --applied`",
			               "%s was modified after it was applied (checksum differs)",
			               m->info.id);
		if (m->info.state == STRATA_FAILED && m->info.native_only)
			return err_set(s, STRATA_ESTATE, STRATA_ECLASS_DB, m->info.file, 0, 0,
			               "fix it, then `strata mark ID --rolled-back` (or `--applied` if "
			               "you finished it by hand) and apply again",
			               "%s failed in %s's own tracking table; new migrations will not "
			               "be applied", m->info.id, m->info.format);
		if (m->info.state == STRATA_FAILED && !is_due(d, m))
			return err_set(s, STRATA_ESTATE, STRATA_ECLASS_DB, m->info.file, 0, 0,
			               "finish or undo it by hand, then `strata mark ID --applied` or "
			               "`strata mark ID --rolled-back`",
			               "%s failed outside a transaction and may be partly done: %s",
			               m->info.id,
			               m->info.error ? m->info.error : "no error recorded");
		if (i <= end && m->info.out_of_order && !allow_ooo)
			return err_set(s, STRATA_ESTATE, STRATA_ECLASS_SOURCE, m->info.file, 0, 0,
			               "apply it anyway with `strata apply --out-of-order`",
			               "%s is pending but older than migrations already applied",
			               m->info.id);
	}
	return 0;
}

int strata_apply(strata *s, strata_apply_opts *o)
{
	err_clear(s);
	o->applied = 0;
	db d = {0};
	int rc;
	if (o->dry_run) {
		rc = strata_load_ledger(s);
		if (!rc)
			rc = db_open(s, strata_database_url(s), true, &d);
		if (!rc)
			rc = plan_compute(s, &d);
	} else {
		rc = open_for_write(s, &d);
	}
	size_t end = s->nmigs ? s->nmigs - 1 : 0;
	if (!rc && o->to)
		rc = find_index(s, o->to, &end);
	if (!rc)
		rc = check_problems(s, &d, end, o->out_of_order);
	for (size_t i = 0; !rc && s->nmigs && i <= end; i++) {
		migration *m = s->migs[i];
		if (!is_due(&d, m) || (o->to && !in_target(s, m, s->migs[end])))
			continue;
		if (m->up_blocked) {
			rc = blocked(s, m, false);
			break;
		}
		if (o->dry_run) {
			emit_script(o->sql_fn, o->sql_ud, &d, m, false);
			o->applied++;
			continue;
		}
		bool skipped;
		rc = run_step(s, &d, m, false, &skipped);
		if (!rc && skipped)
			logf_(s, STRATA_LOG_INFO, m->info.file, 0,
			      "skipped %s: applied meanwhile by another process", m->info.id);
		else if (!rc)
			o->applied++;
	}
	db_close(&d);
	return rc;
}

int strata_rollback(strata *s, strata_rollback_opts *o)
{
	err_clear(s);
	s->want_down = true;
	o->rolled_back = 0;
	db d = {0};
	int rc;
	if (o->dry_run) {
		rc = strata_load_ledger(s);
		if (!rc)
			rc = db_open(s, strata_database_url(s), true, &d);
		if (!rc)
			rc = plan_compute(s, &d);
	} else {
		rc = open_for_write(s, &d);
	}
	/* Targets, newest first. */
	migration **t = xcalloc(s->nmigs + 1, sizeof *t);
	size_t nt = 0, stop = 0;
	const migration *to = NULL;
	if (!rc && o->to) {
		rc = find_index(s, o->to, &stop);
		if (!rc && s->migs[stop]->info.graph)
			to = s->migs[stop], stop = 0; /* graph: the descendants of ID, as `alembic downgrade ID` */
		else
			stop++;
	}
	int steps = o->steps > 0 ? o->steps : 1;
	unsigned char *undo = to ? descendants(s, to) : NULL;
	for (size_t i = s->nmigs; !rc && i-- > stop;) {
		if (!is_done(s->migs[i]->info.state))
			continue;
		if (undo && !undo[s->migs[i]->seq])
			continue;
		if (!o->to && nt == (size_t)steps)
			break;
		t[nt++] = s->migs[i];
	}
	if (!rc && !to && nt && t[0]->info.graph)
		rc = one_head(s, t[0]);
	/* All or nothing: every target needs a runnable down script before any runs. */
	for (size_t i = 0; !rc && i < nt; i++)
		if (t[i]->info.has_down && t[i]->down_blocked)
			rc = blocked(s, t[i], true);
		else if (!t[i]->info.has_down)
			rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_SOURCE, t[i]->info.file, 0, 0,
			             "add a down script, or record it with "
			             "`strata mark ID --rolled-back` after undoing it by hand",
			             "%s has no down script; nothing was rolled back", t[i]->info.id);
	for (size_t i = 0; !rc && i < nt; i++) {
		if (o->dry_run) {
			emit_script(o->sql_fn, o->sql_ud, &d, t[i], true);
			o->rolled_back++;
			continue;
		}
		bool skipped;
		rc = run_step(s, &d, t[i], true, &skipped);
		if (!rc && !skipped)
			o->rolled_back++;
	}
	free(t);
	free(undo);
	db_close(&d);
	return rc;
}

int strata_baseline(strata *s, const char *to, size_t *recorded)
{
	err_clear(s);
	*recorded = 0;
	db d = {0};
	int rc = open_for_write(s, &d);
	size_t end = s->nmigs ? s->nmigs - 1 : 0;
	if (!rc && to)
		rc = find_index(s, to, &end);
	if (!rc && s->nmigs)
		rc = db_begin(&d);
	/* One transaction: a baseline of a long history is one decision. */
	char now[40];
	now_iso8601(now);
	for (size_t i = 0; !rc && s->nmigs && i <= end; i++) {
		migration *m = s->migs[i];
		strata_state st = m->info.state;
		if (is_done(st) || (m->info.native_only && st == STRATA_APPLIED) ||
		    (to && !in_target(s, m, s->migs[end])))
			continue;
		rc = write_state(s, &d, m, "baselined", now, now, 0, NULL);
		if (!rc) {
			m->info.state = STRATA_BASELINED;
			(*recorded)++;
		}
	}
	if (!rc && s->nmigs)
		rc = db_commit(&d);
	else if (rc && d.conn)
		db_rollback(&d);
	db_close(&d);
	return rc;
}

int strata_mark(strata *s, const char *id, int applied)
{
	err_clear(s);
	db d = {0};
	int rc = open_for_write(s, &d);
	migration *m = NULL;
	if (!rc) {
		for (size_t i = 0; i < s->nmissing && !m; i++)
			if (!strcmp(s->missing[i]->info.id, id))
				m = s->missing[i];
		size_t idx;
		if (!m && !(rc = find_index(s, id, &idx)))
			m = s->migs[idx];
	}
	if (!rc && m->info.state == STRATA_MISSING && applied)
		rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0,
		             "restore the file, or use --rolled-back to forget the record",
		             "%s has no file; it cannot be marked applied", m->info.id);
	if (!rc)
		rc = db_begin(&d);
	if (!rc) {
		char now[40];
		now_iso8601(now);
		rc = write_state(s, &d, m, applied ? "applied" : "rolled_back", now, now, 0, NULL);
		if (!rc)
			rc = db_commit(&d);
		else
			db_rollback(&d);
	}
	if (!rc)
		logf_(s, STRATA_LOG_INFO, NULL, 0, "marked %s %s", m->info.id,
		      applied ? "applied" : "rolled back");
	db_close(&d);
	return rc;
}
