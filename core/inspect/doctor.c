/* strata doctor: every problem of a history in one run.  The ledger is read
 * (the sources' warnings become findings), each migration's up script read
 * by the driver's objects op in ledger order (doctor_objects.c keeps the
 * model), its transaction control and its writes to its own tracking
 * tables looked at, the ledger's graph for several heads; then, when the
 * database in effect exists, its tracking rows (doctor_rows.c).  Read only:
 * the database is opened read-only, a database that does not exist is not
 * created, and SQLite's objects op runs on an in-memory scratch. */
#include "inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Per dialect (inspect.h's inspect_dialect). */
static const struct dialect_rules dialects[] = {
	{"sqlite", "sqlite::memory:", "main", true},
	{"postgresql", NULL, "public", false},
};

static const struct dialect_rules *rules_of(const char *dialect)
{
	for (size_t i = 0; dialect && i < sizeof dialects / sizeof *dialects; i++)
		if (!strcmp(dialects[i].dialect, dialect))
			return &dialects[i];
	return NULL;
}

const inspect_dialect *inspect_dialect_of(const char *dialect)
{
	return rules_of(dialect);
}

/* Sources' warnings that are findings of their own (else source-warning). */
static const struct {
	const char *says, *code, *fix;
} warning_codes[] = {
	{"order of these folders differs from byte order", "order-depends-on-tool-version",
	 "rename the folders so byte order and Prisma's order agree (same-width timestamps)"},
};

/* The log sink while the sources are read: warnings kept as findings. */
typedef struct tap {
	doctor_report *r;
	strata_log_fn log;
	void *ud;
} tap;

static void on_log(void *ud, strata_log_level lvl, const char *file, int line, const char *msg)
{
	tap *t = ud;
	if (lvl != STRATA_LOG_WARN) {
		if (t->log)
			t->log(t->ud, lvl, file, line, msg);
		return;
	}
	const char *code = "source-warning", *fix = "see the message";
	for (size_t i = 0; i < sizeof warning_codes / sizeof *warning_codes; i++)
		if (strstr(msg, warning_codes[i].says)) {
			code = warning_codes[i].code;
			fix = warning_codes[i].fix;
		}
	doctor_add(t->r, code, STRATA_SEVERITY_WARNING, file && *file ? file : "(source)", line, 0,
	           NULL, fix, "%s", msg);
}

/* A failure of objects() on one script (an unterminated quote): a finding. */
static void script_failed(err_ctx *e, const migration *m, doctor_report *r)
{
	const strata_error_info *c = err_cur(e);
	doctor_add(r, "syntax-error", STRATA_SEVERITY_ERROR, c->file ? c->file : m->info.file,
	           c->file ? c->line : m->info.line, c->file ? c->col : 0, m->info.id,
	           c->hint ? c->hint : "correct the script: apply stops here",
	           "the dialect's parser cannot read the script: %s", c->message ? c->message : "?");
	err_clear(e);
}

/* Native tools that run a whole file as one query (an implicit transaction
 * on PostgreSQL), by format. */
static const struct {
	const char *format, *tool;
} one_query_tools[] = {
	{"prisma", "prisma migrate deploy"},
};

static const char *one_query_tool(const char *format)
{
	for (size_t i = 0; format && i < sizeof one_query_tools / sizeof *one_query_tools; i++)
		if (!strcmp(format, one_query_tools[i].format))
			return one_query_tools[i].tool;
	return NULL;
}

/* Transaction control and CONCURRENTLY where they will not run. */
static int txn_checks(db *d, const migration *m, const doc_objs *os, size_t from, doctor_report *r)
{
	int txn = db_txn_control(d, m), dir = db_directive(m);
	if (txn < 0)
		return txn;
	for (size_t i = from; i < os->n; i++) {
		const doc_obj *o = &os->v[i];
		const char *tool = one_query_tool(m->info.format);
		if (!(o->flags & STRATA_OBJF_CONCURRENTLY) || o->action == STRATA_OBJ_REFER)
			continue;
		if (txn != STRATA_TXN_NONE || dir == 1)
			doctor_add(r, "concurrently-in-transaction", STRATA_SEVERITY_ERROR, m->info.file,
			           o->line, o->col, m->info.id,
			           "move it to a migration of its own, without BEGIN/COMMIT (strata runs such "
			           "a file outside a transaction)",
			           "%s %s CONCURRENTLY inside a transaction block (%s): the database refuses it",
			           o->action == STRATA_OBJ_DROP ? "DROP" : "CREATE", strata_obj_kind_name(o->kind),
			           dir == 1 ? "-- strata:transaction" : "the file's own BEGIN");
		else if (tool && o->statements > 1)
			doctor_add(r, "concurrently-in-transaction", STRATA_SEVERITY_ERROR, m->info.file,
			           o->line, o->col, m->info.id,
			           "move it to a migration of its own, alone in its file",
			           "%s CONCURRENTLY in a file of %d statements: %s runs the file as one query, "
			           "an implicit transaction, and the database refuses it there (strata runs it)",
			           strata_obj_kind_name(o->kind), o->statements, tool);
	}
	if (txn == STRATA_TXN_OWN)
		doctor_add(r, "transaction-control", dir == 1 ? STRATA_SEVERITY_ERROR : STRATA_SEVERITY_WARNING,
		           m->info.file, m->info.line, 0, m->info.id,
		           dir == 1 ? "remove -- strata:transaction, or the file's own COMMIT/ROLLBACK"
		                    : "wrap the whole file in one BEGIN ... COMMIT, or split it; "
		                      "`-- strata:no-transaction` says it is meant",
		           dir == 1 ? "the file controls its own transactions, and -- strata:transaction "
		                      "runs it inside strata's: its COMMIT is refused"
		                    : "the file controls its own transactions (not one BEGIN ... COMMIT "
		                      "around it all): strata runs it as written, without a transaction of "
		                      "its own, so a failure leaves what ran before it done");
	return 0;
}

/* The tables a migration must not write: strata_ledger and its source's
 * trackers'. */
static bool own_table(const loader *L, const migration *m, const doc_obj *o, bool fold,
                      const char **which)
{
	int (*cmp)(const char *, const char *) = fold ? strcasecmp : strcmp;
	if (!o->name)
		return false;
	if (!cmp(o->name, "strata_ledger")) {
		*which = "strata_ledger";
		return true;
	}
	for (size_t b = 0; b < L->nbinds; b++) {
		const char *t = L->binds[b].table, *dot = t ? strrchr(t, '.') : NULL;
		if (!t || L->binds[b].src != m->src)
			continue;
		if (!cmp(dot ? dot + 1 : t, o->name) &&
		    (!dot || !o->schema || !strncmp(t, o->schema, (size_t)(dot - t)))) {
			*which = t;
			return true;
		}
	}
	return false;
}

static void writes_checks(const loader *L, const migration *m, doc_objs *os, size_t from,
                          doctor_report *r)
{
	for (size_t i = from; i < os->n; i++) {
		const char *which = NULL;
		doc_obj *o = &os->v[i];
		if (o->action == STRATA_OBJ_WRITE && (o->own = own_table(L, m, o, os->fold_case, &which)))
			doctor_add(r, "writes-own-tracking-row", STRATA_SEVERITY_ERROR, m->info.file, o->line,
			           o->col, m->info.id,
			           "remove the statement: strata records the migration in both tables "
			           "(`strata mark` records one by hand)",
			           "the migration writes %s, the table that tracks it: the row it writes and the "
			           "one strata writes for it collide", which);
	}
}

/* Several heads: a graph source (Alembic) whose migrations have more than
 * one tip, without a merge revision. */
static void heads_check(const ledger *lg, doctor_report *r)
{
	size_t nsrc = 0;
	for (size_t i = 0; i < lg->nmigs; i++)
		nsrc = lg->migs[i]->src + 1 > nsrc ? lg->migs[i]->src + 1 : nsrc;
	unsigned char *child = xcalloc(lg->nmigs + 1, 1);
	for (size_t i = 0; i < lg->nmigs; i++)
		for (size_t k = 0; k < lg->migs[i]->descends && lg->migs[i]->pm; k++)
			if (lg->migs[i]->pm[k] && lg->migs[i]->pm[k]->seq < lg->nmigs)
				child[lg->migs[i]->pm[k]->seq] = 1;
	for (size_t s = 0; s < nsrc; s++) {
		sbuf names = {0};
		size_t heads = 0;
		for (size_t i = 0; i < lg->nmigs; i++) {
			const migration *m = lg->migs[i];
			if (m->src != s || !m->info.graph || child[m->seq])
				continue;
			sbuf_printf(&names, "%s%s", heads ? ", " : "", m->info.version);
			heads++;
		}
		char *list = sbuf_take(&names);
		for (size_t i = 0; heads > 1 && i < lg->nmigs; i++) {
			const migration *m = lg->migs[i];
			if (m->src != s || !m->info.graph || child[m->seq])
				continue;
			doctor_add(r, "several-heads", STRATA_SEVERITY_ERROR, m->info.file, m->info.line, 0,
			           m->info.id,
			           "add a merge revision whose down_revision names every head (alembic merge "
			           "heads)",
			           "source %s has %zu heads (%s): %s is one; `alembic upgrade head` refuses "
			           "several", m->info.source, heads, list, m->info.version);
		}
		free(list);
	}
	free(child);
}

/* The static part: every migration's objects, in ledger order. */
static int read_history(plan *p, db *d, const struct dialect_rules *dr, bool scratch,
                        doctor_report *r)
{
	doc_objs os = {.default_schema = dr ? dr->default_schema : NULL,
	               .fold_case = dr ? dr->fold_case : false};
	int rc = 0;
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		size_t from = os.n;
		if (!m->up || m->info.blocked)
			continue;
		/* A retired source (strata adopt) no longer makes the schema: the
		 * baseline that replaced it does. */
		if (m->src < p->cfg->nsources && p->cfg->sources[m->src].retired)
			continue;
		r->sum.migrations++;
		os.cur = i;
		rc = d->plugin ? db_objects(d, m, scratch, doctor_keep_object, &os) : STRATA_ENOTFOUND;
		if (rc == STRATA_ENOTFOUND) {
			doctor_add(r, "not-read", STRATA_SEVERITY_WARNING, m->info.file, m->info.line, 0,
			           m->info.id, "use a driver whose dialect parser strata can ask",
			           "the %s driver cannot say what the statements do: not checked",
			           d->plugin ? d->plugin->desc->name : "database's");
			rc = 0;
			continue;
		}
		if (rc == STRATA_ENOMEM)
			break;
		if (rc < 0) {
			script_failed(p->e, m, r);
			rc = 0;
		}
		if (!rc)
			rc = txn_checks(d, m, &os, from, r);
		if (rc < 0 && rc != STRATA_ENOMEM) {
			script_failed(p->e, m, r);
			rc = 0;
		}
		writes_checks(p->L, m, &os, from, r);
	}
	if (!rc)
		doctor_objects_check(p->lg, &os, r);
	doc_objs_free(&os);
	return rc;
}

/* The findings in file order: by the migration's place in the ledger
 * (findings of no migration last), then line; stable. */
static void sort_findings(const ledger *lg, doctor_report *r)
{
	size_t *at = xcalloc(r->n + 1, sizeof *at), *pos = xcalloc(lg->nmigs + 1, sizeof *pos);
	for (size_t i = 0; i < lg->nmigs; i++)
		if (lg->migs[i]->seq < lg->nmigs)
			pos[lg->migs[i]->seq] = i;
	for (size_t i = 0; i < r->n; i++) {
		const migration *m = r->v[i].migration ? ledger_find(lg, r->v[i].migration) : NULL;
		at[i] = m && m->seq < lg->nmigs ? pos[m->seq] : (size_t)-1;
	}
	free(pos);
	for (size_t i = 1; i < r->n; i++) {
		strata_finding f = r->v[i];
		size_t a = at[i], j = i;
		while (j > 0 && (at[j - 1] > a || (at[j - 1] == a && r->v[j - 1].line > f.line))) {
			r->v[j] = r->v[j - 1];
			at[j] = at[j - 1];
			j--;
		}
		r->v[j] = f;
		at[j] = a;
	}
	free(at);
}

int inspect_doctor(plan *p, const char *url, doctor_report *r)
{
	err_ctx *e = p->e;
	tap t = {.r = r, .log = e->log, .ud = e->log_ud};
	e->log = on_log;
	e->log_ud = &t;
	int rc = loader_load_url(p->L, NULL);
	if (!rc)
		rc = loader_leave_out(p->L, url);
	if (!rc)
		rc = loader_bind_trackers(p->L);
	if (!rc)
		rc = sources_load(p->lg, p->L, url, false);
	e->log = t.log;
	e->log_ud = t.ud;
	if (rc)
		return rc;
	const char *d0 = dialect_of_url(p->L, url);
	const struct dialect_rules *dr = rules_of(d0);
	db reader = {0};
	bool scratch = dr && dr->scratch;
	rc = scratch ? db_open(&reader, p->L, dr->scratch, false, NULL) : db_attach(&reader, p->L, url);
	if (rc == STRATA_ENOTFOUND)
		rc = 0; /* no driver: every migration is reported not read */
	if (!rc)
		rc = read_history(p, &reader, dr, scratch, r);
	db_close(&reader);
	if (!rc)
		heads_check(p->lg, r);
	if (rc)
		return rc;
	/* The database, read only; one that does not exist is not created. */
	db d = {0};
	rc = db_open(&d, p->L, url, true, NULL);
	if (rc && rc != STRATA_ENOMEM && rc != STRATA_EINTR) {
		/* Unreachable: the history's findings stand; the rows are not read. */
		const strata_error_info *c = err_cur(e);
		logf_(e, STRATA_LOG_WARN, d.display, 0,
		      "the database was not reached, its tracking rows were not checked: %s",
		      c->message ? c->message : "cannot connect");
		err_clear(e);
		rc = 0;
	} else if (!rc && d.conn) {
		r->sum.database_read = 1;
		rc = doctor_rows_check(p, &d, r);
	}
	db_close(&d);
	if (rc)
		return rc;
	sort_findings(p->lg, r);
	return 0;
}
