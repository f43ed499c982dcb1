/* What every write command shares: a session on the target (locks held,
 * strata_ledger there, the plan read), one migration run and recorded, the
 * state written to strata_ledger and the native tracker together. */
#include "run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a native table won over strata_ledger (plan.c), strata_ledger is
 * brought in line first, in one transaction, each change said: the record
 * never disagrees silently.  A modified row stays as the tool has it. */
static int record_decisions(plan *p, db *d)
{
	size_t n = 0;
	for (size_t i = 0; i < p->lg->nmigs; i++)
		n += p->lg->migs[i]->native_decided && p->lg->migs[i]->info.state != STRATA_MODIFIED;
	if (!n)
		return 0;
	int rc = db_begin(d);
	char now[40];
	now_iso8601(now);
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		strata_state st = m->info.state;
		if (!m->native_decided || st == STRATA_MODIFIED)
			continue;
		const char *state = st == STRATA_FAILED        ? "failed"
		                    : st == STRATA_ROLLED_BACK ? "rolled_back"
		                                               : "applied";
		const char *when = m->info.decided_at ? m->info.decided_at : now;
		char *by = xasprintf("native:%s", m->info.decided_by);
		rc = ledger_table_write_by(d, m, state, when, st == STRATA_FAILED ? NULL : when, -1,
		                           st == STRATA_FAILED ? m->info.error : NULL, by);
		free(by);
		if (!rc)
			logf_(p->e, STRATA_LOG_INFO, NULL, 0,
			      "recorded %s as %s in strata_ledger: %s's table says so%s%s (strata_ledger "
			      "said %s)",
			      m->info.id, state, m->info.decided_by, m->info.decided_at ? ", " : "",
			      m->info.decided_at ? m->info.decided_at : "", strata_state_name(m->recorded));
	}
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	return rc;
}

/* Open read-write, take the command-wide lock and the trackers' own, read
 * the current state.  Nothing is written yet: the command checks its
 * arguments against the plan first, then calls run_ready(). */
int run_open(plan *p, const char *url, bool want_down, run_session *ss)
{
	memset(ss, 0, sizeof *ss);
	if (intr_signal(&p->e->intr))
		return run_interrupted(p, NULL, false, NULL, NULL);
	int rc = sources_load(p->lg, p->L, url, want_down);
	if (rc)
		return rc;
	rc = db_open(&ss->d, p->L, url, false, NULL);
	if (!rc)
		rc = db_lock(&ss->d);
	if (!rc)
		rc = track_lock(p->L, p->lg, &ss->d, &ss->locks, false);
	if (!rc) /* read first: a tracker may refuse the database (Prisma's P3019) */
		rc = plan_compute(p, &ss->d);
	if (intr_signal(&p->e->intr)) /* also a lock wait the signal ended */
		rc = run_interrupted(p, NULL, false, NULL, NULL);
	return rc;
}

/* A descriptor tracker whose table did not exist when the plan was read
 * has it now (its lock() created it with the tool's DDL): it gets the rows
 * of what strata_ledger records as done, so the tool agrees from the start
 * and an empty table never reads as "the tool undid everything". */
static int backfill(plan *p, db *d)
{
	int rc = 0;
	for (size_t b = 0; !rc && b < p->ntables && b < p->L->nbinds; b++) {
		const plugin *pl = bind_plugin(p->L, &p->L->binds[b]);
		if (!p->table_missing[b] || !(call_track_flags(pl) & STRATA_TRACKER_DESCRIPTORS) ||
		    track_bind_retired(p->L, b))
			continue;
		size_t n = 0;
		rc = db_begin(d);
		for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
			migration *m = p->lg->migs[i];
			strata_state st = m->info.state;
			if (m->src != p->L->binds[b].src || m->info.native_only ||
			    (st != STRATA_APPLIED && st != STRATA_BASELINED && st != STRATA_MODIFIED))
				continue;
			const char *at = m->info.applied_at;
			rc = track_record_one(p->L, p->lg, d, b, m,
			                      st == STRATA_BASELINED ? "baselined" : "applied", at, at,
			                      m->info.execution_ms, NULL);
			n++;
		}
		if (!rc)
			rc = db_commit(d);
		else
			db_rollback(d);
		if (!rc && n)
			logf_(p->e, STRATA_LOG_INFO, NULL, 0,
			      "created %s for source '%s' with the %zu migration%s strata_ledger records "
			      "as applied",
			      p->L->binds[b].table, p->cfg->sources[p->L->binds[b].src].name, n,
			      n == 1 ? "" : "s");
		p->table_missing[b] = false;
	}
	return rc;
}

/* The first writes of a command whose arguments held: strata_ledger exists,
 * the descriptor trackers' tables too (with the rows strata_ledger implies),
 * and what the native tools did meanwhile is recorded.  A refused command
 * never gets here, so it leaves the database as it found it. */
int run_ready(plan *p, run_session *ss)
{
	int rc = 0;
	if (!intr_signal(&p->e->intr))
		rc = ledger_table_ensure(&ss->d);
	if (!rc && !intr_signal(&p->e->intr))
		rc = track_lock(p->L, p->lg, &ss->d, &ss->locks, true);
	if (!rc && !intr_signal(&p->e->intr))
		rc = backfill(p, &ss->d);
	if (!rc && !intr_signal(&p->e->intr))
		rc = record_decisions(p, &ss->d);
	if (intr_signal(&p->e->intr))
		rc = run_interrupted(p, NULL, false, NULL, NULL);
	return rc;
}

/* Read-only, for --dry-run: no lock, nothing created. */
int run_open_readonly(plan *p, const char *url, bool want_down, run_session *ss)
{
	memset(ss, 0, sizeof *ss);
	int rc = sources_load(p->lg, p->L, url, want_down);
	if (!rc)
		rc = db_open(&ss->d, p->L, url, true, NULL);
	if (!rc)
		rc = plan_compute(p, &ss->d);
	return rc;
}

/* The trackers' locks, then strata's, then the connection. */
void run_close(plan *p, run_session *ss)
{
	track_unlock(p->L, &ss->d, &ss->locks);
	db_close(&ss->d);
}

bool run_is_done(strata_state st)
{
	return st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED;
}

bool run_is_due(db *d, const migration *m)
{
	strata_state st = m->info.state;
	/* A failed transactional migration left nothing behind: retry it. */
	return st == STRATA_PENDING || st == STRATA_ROLLED_BACK || st == STRATA_OUTDATED ||
	       (st == STRATA_FAILED && m->apply_failed && !m->info.native_only && !m->native_decided &&
	        db_transactional(d, m, false) == 1);
}

/* Index of a ledger id; accepts the full id or a version/name that names
 * exactly one migration. */
int run_find_index(plan *p, const char *id, size_t *out)
{
	size_t hits = 0;
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const strata_migration_info *in = &p->lg->migs[i]->info;
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
	return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0,
	               hits ? "use the full id <source>:<version>" : "`strata ledger` lists the ids",
	               hits ? "'%s' names %zu migrations" : "no migration '%s' in the ledger", id, hits);
}

int run_write_state(plan *p, db *d, const migration *m, const char *state,
                       const char *started, const char *finished, long ms, const char *error)
{
	int rc = ledger_table_write(d, m, state, started, finished, ms, error);
	if (!rc)
		rc = track_record(p->L, p->lg, d, m, state, started, finished, ms, error);
	return rc;
}

/* The row as another process may have left it since our plan was read. */
static bool already(db *d, const migration *m, const char *state1, const char *state2)
{
	ledger_row r;
	int found = ledger_table_get(d, m->info.id, &r);
	bool yes = found > 0 && (!strcmp(r.state, state1) || (state2 && !strcmp(r.state, state2)));
	/* A repeatable is done only at the checksum it now has. */
	if (yes && (m->info.flags & STRATA_MIG_REPEATABLE) && strcmp(state1, "rolled_back"))
		yes = !strcmp(r.checksum, m->checksum);
	ledger_row_clear(&r);
	return yes;
}

bool run_done_meanwhile(db *d, const migration *m, bool down)
{
	return !d->locked &&
	       (down ? already(d, m, "rolled_back", NULL) : already(d, m, "applied", "baselined"));
}

/* The error of an interrupted command (strata_interrupt): which signal, the
 * migration it stopped in (fate: what became of it) or before (fate NULL;
 * m NULL: a command that changed nothing).  It replaces the error the interruption caused (a
 * statement cancelled, a lock wait given up). */
int run_interrupted(plan *p, const migration *m, bool down, const char *fate, const char *hint)
{
	const char *sig = intr_signal_name(intr_signal(&p->e->intr));
	if (!m)
		return err_set(p->e, STRATA_EINTR, STRATA_ECLASS_OS, NULL, 0, 0, hint,
		               "interrupted by %s; nothing was changed", sig);
	const char *file = down ? m->info.down_file : m->info.file;
	return err_set(p->e, STRATA_EINTR, STRATA_ECLASS_OS, NULL, 0, 0, hint,
	               "interrupted by %s %s %s %s (%s); %s", sig, fate ? "while" : "before",
	               down ? "rolling back" : "applying", m->info.id, file ? file : "no file",
	               fate ? fate : "it did not start");
}

/* Record a failure in its own transaction, keeping the original error. */
static void record_failure(plan *p, db *d, const migration *m, const char *state,
                           const char *started, long ms)
{
	const strata_error_info *e = err_cur(p->e);
	char *text = e->file ? (e->line ? xasprintf("%s:%d:%d: %s", e->file, e->line, e->col, e->message)
	                                : xasprintf("%s: %s", e->file, e->message))
	                     : xstrdup(e->message ? e->message : "failed");
	err_saved k;
	err_save(p->e, &k);
	if (db_begin(d) == 0) {
		if (run_write_state(p, d, m, state, started, NULL, ms, text) == 0)
			db_commit(d);
		else
			db_rollback(d);
	}
	err_restore(p->e, &k);
	free(text);
}

/* One migration forward (down = false) or back: begin, re-check its row
 * inside the transaction (another process may have done it meanwhile), run,
 * record, commit.  Outside a transaction nothing can be undone, so the row
 * says "running" first (an interrupted run shows as failed) and any failure
 * is recorded; a failed transactional rollback changed nothing and leaves the
 * migration applied. */
#define UNDONE(down) \
	((down) ? "its transaction rolled back, nothing recorded; it stays applied" \
	        : "rolled back, nothing recorded")

int run_step(plan *p, db *d, migration *m, bool down, bool *skipped)
{
	char started[40], finished[40];
	long long t0 = now_ms();
	now_iso8601(started);
	*skipped = false;
	db_mode mode;
	if (db_interrupted(d))
		return run_interrupted(p, m, down, NULL, NULL);
	int rc = db_script_mode(d, m, down, &mode);
	if (rc < 0)
		return rc;
	bool tx = mode.tx;

	/* PostgreSQL: BEGIN is sent with the script, the record with COMMIT
	 * (core/driver/pipe.c); the calls below stay as they are. */
	db_pipe(d);
	rc = db_begin(d);
	if (rc)
		return db_interrupted(d) ? run_interrupted(p, m, down, NULL, NULL) : rc;
	/* Without a command-wide lock (SQLite), another process may have done it
	 * since our plan was read; under the lock nobody else writes. */
	if (!d->locked &&
	    (down ? already(d, m, "rolled_back", NULL) : already(d, m, "applied", "baselined"))) {
		db_rollback(d);
		*skipped = true;
		return 0;
	}
	if (!tx) {
		rc = run_write_state(p, d, m, down ? "rolling_back" : "running", started, NULL, -1, NULL);
		if (!rc && db_interrupted(d))
			rc = STRATA_EINTR;
		if (!rc)
			rc = db_commit(d);
		if (rc) {
			db_rollback(d);
			return db_interrupted(d) ? run_interrupted(p, m, down, NULL, NULL) : rc;
		}
	}
	rc = db_run(d, m, down, &mode);
	if (rc && tx && db_pipe_begin_failed(d)) { /* as a failed db_begin() above */
		db_rollback(d);
		return db_interrupted(d) ? run_interrupted(p, m, down, NULL, NULL) : rc;
	}
	/* Interrupted, a transaction is undone whether its script finished or
	 * not, and nothing is recorded: the migration stays as it was. */
	if (tx && db_interrupted(d)) {
		db_rollback(d);
		return run_interrupted(p, m, down, UNDONE(down), NULL);
	}
	if (rc && db_interrupted(d)) {
		/* Outside a transaction what ran stays done: recorded as failed,
		 * with the reason, for the user to finish or undo. */
		err_set(p->e, STRATA_EINTR, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "interrupted by %s",
		        intr_signal_name(db_interrupted(d)));
		record_failure(p, d, m, down ? "rollback_failed" : "failed", started,
		               (long)(now_ms() - t0));
		char *hint = xasprintf("finish or undo it by hand, then `strata mark %s --applied` "
		                       "or `--rolled-back`", m->info.id);
		rc = run_interrupted(p, m, down,
		                     "it ran outside a transaction and may be partly done; recorded "
		                     "as failed", hint);
		free(hint);
		return rc;
	}
	if (rc) {
		if (tx)
			db_rollback(d);
		m->info.execution_ms = (long)(now_ms() - t0);
		if (!tx || !down)
			record_failure(p, d, m, down ? "rollback_failed" : "failed", started,
			               m->info.execution_ms);
		return rc;
	}
	db_pipe(d); /* (still on in a transaction; again after a script run without it) */
	if (!tx && (rc = db_begin(d)))
		return rc;
	now_iso8601(finished);
	long ms = (long)(now_ms() - t0);
	rc = run_write_state(p, d, m, down ? "rolled_back" : "applied", started, finished, ms, NULL);
	if (tx && !rc && db_interrupted(d))
		rc = STRATA_EINTR;
	if (!rc)
		rc = db_commit(d);
	if (rc) {
		db_rollback(d);
		if (db_interrupted(d) && tx)
			return run_interrupted(p, m, down, UNDONE(down), NULL);
		return rc;
	}
	m->info.state = down ? STRATA_ROLLED_BACK : STRATA_APPLIED;
	m->info.execution_ms = ms;
	return 0;
}

static const char *const event_names[STRATA_EVENT_KIND_COUNT] = {
	"start", "applied", "rolled_back", "baselined", "marked", "verified", "skipped", "failed",
	"dry_run", "committed",
};

const char *strata_event_name(strata_event_kind kind)
{
	return (unsigned)kind < STRATA_EVENT_KIND_COUNT ? event_names[kind] : "unknown";
}

bool run_event(plan *p, const char *command, strata_event_kind kind, const migration *m,
               size_t index, size_t total, long ms)
{
	if (!p->e->event)
		return false;
	strata_event ev = {.version = STRATA_EVENT_VERSION, .struct_size = sizeof ev, .kind = kind,
	                   .command = command, .migration = &m->info, .index = index,
	                   .total = total, .ms = ms};
	p->e->event(p->e->event_ud, &ev);
	return true;
}

/* The line a finished step always logged, where no event sink takes it. */
void run_step_done(plan *p, const char *command, const migration *m, bool down, size_t index,
                   size_t total)
{
	strata_event_kind k = down ? STRATA_EVENT_ROLLED_BACK : STRATA_EVENT_APPLIED;
	if (!run_event(p, command, k, m, index, total, m->info.execution_ms))
		logf_(p->e, STRATA_LOG_INFO, down ? m->info.down_file : m->info.file, 0,
		      "%s %s %s (%ld ms)", down ? "rolled back" : "applied", m->info.id, m->info.name,
		      m->info.execution_ms);
}

static void emit(strata_sql_fn fn, void *ud, const char *text)
{
	if (fn)
		fn(ud, text, strlen(text));
}

/* Text for the one-line "-- apply …" comment: a control character (a
 * newline in a file name) would end the comment and make the rest SQL, so
 * each is written as \xNN (\n, \r, \t as such). */
static char *comment_safe(const char *s)
{
	sbuf b = {0};
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			sbuf_puts(&b, *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			sbuf_printf(&b, "\\x%02x", *p);
		else
			sbuf_add(&b, (const char *)p, 1);
	}
	sbuf_add(&b, "", 0);
	return sbuf_take(&b);
}

/* What runs: strata's BEGIN;/COMMIT; around a transactional script (of one
 * wrapped in its own BEGIN … COMMIT, only the body, without the blanks that
 * follow the BEGIN on its line), a script without a transaction as written. */
void run_emit_script(strata_sql_fn fn, void *ud, db *d, const migration *m, bool down)
{
	run_emit_script_in(fn, ud, d, m, down, false);
}

/* The same inside a transaction already open (in_tx: apply
 * --single-transaction's batch), without a BEGIN;/COMMIT; of its own. */
void run_emit_script_in(strata_sql_fn fn, void *ud, db *d, const migration *m, bool down,
                        bool in_tx)
{
	char head[1024];
	db_mode mode;
	const char *sql = down ? m->down : m->up;
	size_t len = down ? m->down_len : m->up_len;
	if (db_script_mode(d, m, down, &mode) < 0) /* the run reports it; show the file */
		mode = (db_mode){.tx = true, .end = sql ? len : 0};
	bool tx = mode.tx && !in_tx;
	char *id = comment_safe(m->info.id), *name = comment_safe(m->info.name),
	     *file = comment_safe(down ? m->info.down_file : m->info.file);
	snprintf(head, sizeof head, "-- %s %s %s (%s)\n%s", down ? "rollback" : "apply", id, name,
	         file, tx ? "BEGIN;\n" : "");
	free(id);
	free(name);
	free(file);
	emit(fn, ud, head);
	size_t a = mode.start, b = mode.end;
	if (mode.wrapped) {
		size_t k = a;
		while (k < b && (sql[k] == ' ' || sql[k] == '\t' || sql[k] == '\r'))
			k++;
		a = k < b && sql[k] == '\n' ? k + 1 : k;
	}
	if (fn && b > a)
		fn(ud, sql + a, b - a);
	if (b > a && sql[b - 1] != '\n')
		emit(fn, ud, "\n");
	emit(fn, ud, tx ? "COMMIT;\n\n" : "\n");
}

/* A script its source could not turn into SQL: stop before it, with the
 * source's reason, line and ways forward. */
int run_blocked(plan *p, const migration *m, bool down)
{
	return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE,
	               down ? m->info.down_file : m->info.file,
	               mig_blocked_line(m, down), 0, mig_blocked_hint(m),
	               "%s: %s", m->info.id, down ? mig_down_blocked(m) : m->info.blocked);
}

/* `--to ID` on a graph source (Alembic) means ID and its ancestors, as
 * `alembic upgrade ID` does; on a linear source, everything up to ID in
 * ledger order. */
bool run_in_target(const plan *p, const migration *m, const migration *to)
{
	return !to->info.graph || ledger_is_ancestor(p->lg, m, to);
}

