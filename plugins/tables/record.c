/*
 * record(): one event written the way the descriptor says, inside the
 * host's transaction, every value a bound parameter:
 *   insert   a row of every column (events-log and history tables keep one
 *            per event; others skip a key that already has its row)
 *   update   the event's `set` columns of the key's row
 *   upsert   update the key's row (every column but ids), else insert it
 *   delete   the key's row
 *   repaired (strata repair) is an update: `repaired: {do: update, set:
 *            {checksum: checksum}}` records the file's checksum again
 *   single-row (golang-migrate): the table holds one (version, dirty) row
 * A migration whose up script inserts its own row (found by sqlscan.c) is
 * not written twice: strata says so, naming the file's line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables_int.h"

typedef struct rec {
	tb_ctx c;
	tb_migs migs;
	const tb_event *e;
	const tb_set *extra; /* overrides beyond e->set (single-row) */
	size_t nextra;
} rec;

/* The value of column i for this event, the event's overrides first. */
static int col_value(rec *r, size_t i, char *buf, const char **out)
{
	const tb_value *v = &r->c.d->cols[i].v;
	const tb_event *kind = r->c.mig ? tb_kind_of(r->c.d, r->c.mig->flags) : NULL;
	for (size_t k = 0; kind && k < kind->nset; k++)
		if (kind->set[k].col == i)
			v = &kind->set[k].v;
	for (size_t k = 0; r->e && k < r->e->nset; k++)
		if (r->e->set[k].col == i)
			v = &r->e->set[k].v;
	for (size_t k = 0; k < r->nextra; k++)
		if (r->extra[k].col == i)
			v = &r->extra[k].v;
	return tb_value_of(&r->c, v, i, buf, out);
}

/* Values are bound; the text holds only quoted names and $n. */
typedef struct stmt {
	tb_buf sql;
	const char *p[40];
	char (*bufs)[TB_VALUE_MAX];
	int n;
} stmt;

static int bind_col(rec *r, stmt *s, size_t col)
{
	if (s->n >= 40)
		return tb_fail(r->c.h, "tables: too many columns");
	int rc = col_value(r, col, s->bufs[s->n], &s->p[s->n]);
	if (rc < 0)
		return rc;
	s->n++;
	tb_printf(&s->sql, "$%d", s->n);
	return STRATA_OK;
}

static int stmt_init(rec *r, stmt *s)
{
	memset(s, 0, sizeof *s);
	s->bufs = calloc(40, sizeof *s->bufs);
	return s->bufs ? STRATA_OK : strata_oom(r->c.h);
}

static int stmt_run(rec *r, stmt *s)
{
	int rc = s->sql.oom ? strata_oom(r->c.h)
	                    : r->c.h->db_query(r->c.h, s->sql.s, s->p, s->n, NULL, NULL);
	tb_buf_free(&s->sql);
	free(s->bufs);
	s->bufs = NULL;
	return rc;
}

static void stmt_drop(stmt *s)
{
	tb_buf_free(&s->sql);
	free(s->bufs);
}

static int where_key(rec *r, stmt *s)
{
	tb_puts(&s->sql, " WHERE ");
	for (size_t k = 0; k < r->c.d->nkey; k++) {
		if (k)
			tb_puts(&s->sql, " AND ");
		tb_ident(&s->sql, r->c.d->cols[r->c.d->key[k]].name);
		tb_puts(&s->sql, " = ");
		int rc = bind_col(r, s, r->c.d->key[k]);
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

static int found(void *ud, int ncols, const char *const *v)
{
	(void)ncols;
	(void)v;
	*(int *)ud = 1;
	return STRATA_STOP;
}

/* Does the key's row exist?  1, 0, or < 0. */
static int exists(rec *r)
{
	stmt s;
	int rc = stmt_init(r, &s), yes = 0;
	if (rc < 0)
		return rc;
	tb_puts(&s.sql, "SELECT 1 FROM ");
	tb_table(&s.sql, r->c.d);
	if ((rc = where_key(r, &s)) < 0) {
		stmt_drop(&s);
		return rc;
	}
	rc = s.sql.oom ? strata_oom(r->c.h) : r->c.h->db_query(r->c.h, s.sql.s, s.p, s.n, found, &yes);
	stmt_drop(&s);
	return rc < 0 ? rc : yes;
}

static int insert(rec *r)
{
	stmt s;
	int rc = stmt_init(r, &s);
	if (rc < 0)
		return rc;
	tb_puts(&s.sql, "INSERT INTO ");
	tb_table(&s.sql, r->c.d);
	tb_puts(&s.sql, " (");
	size_t n = 0;
	for (size_t i = 0; i < r->c.d->ncols; i++) {
		if (r->c.d->cols[i].v.kind == K_AUTO)
			continue;
		if (n++)
			tb_puts(&s.sql, ", ");
		tb_ident(&s.sql, r->c.d->cols[i].name);
	}
	tb_puts(&s.sql, ") VALUES (");
	n = 0;
	for (size_t i = 0; i < r->c.d->ncols && rc == STRATA_OK; i++) {
		if (r->c.d->cols[i].v.kind == K_AUTO)
			continue;
		if (n++)
			tb_puts(&s.sql, ", ");
		rc = bind_col(r, &s, i);
	}
	tb_puts(&s.sql, ")");
	if (rc < 0) {
		stmt_drop(&s);
		return rc;
	}
	return stmt_run(r, &s);
}

static bool is_key(const tb_desc *d, size_t i)
{
	for (size_t k = 0; k < d->nkey; k++)
		if (d->key[k] == i)
			return true;
	return false;
}

/* update: the event's set columns; upsert (all): every column but the key
 * and the ones that identify a row (uuid, next-rank, batch). */
static int update(rec *r, bool all)
{
	stmt s;
	int rc = stmt_init(r, &s);
	size_t n = 0;
	if (rc < 0)
		return rc;
	tb_puts(&s.sql, "UPDATE ");
	tb_table(&s.sql, r->c.d);
	tb_puts(&s.sql, " SET ");
	for (size_t i = 0; i < r->c.d->ncols && rc == STRATA_OK; i++) {
		bool in_set = false;
		for (size_t k = 0; r->e && k < r->e->nset; k++)
			in_set |= r->e->set[k].col == i;
		tb_kind kind = r->c.d->cols[i].v.kind;
		bool ident = kind == K_UUID || kind == K_NEXT_RANK || kind == K_BATCH || kind == K_AUTO;
		if (!in_set && (!all || is_key(r->c.d, i) || ident))
			continue;
		if (n++)
			tb_puts(&s.sql, ", ");
		tb_ident(&s.sql, r->c.d->cols[i].name);
		tb_puts(&s.sql, " = ");
		rc = bind_col(r, &s, i);
	}
	if (rc == STRATA_OK)
		rc = where_key(r, &s);
	if (rc < 0 || !n) {
		stmt_drop(&s);
		return rc;
	}
	return stmt_run(r, &s);
}

static int delete_rows(rec *r, bool every)
{
	stmt s;
	int rc = stmt_init(r, &s);
	if (rc < 0)
		return rc;
	tb_puts(&s.sql, "DELETE FROM ");
	tb_table(&s.sql, r->c.d);
	if (!every && (rc = where_key(r, &s)) < 0) {
		stmt_drop(&s);
		return rc;
	}
	return stmt_run(r, &s);
}

/* The line in the file of line `at` of the up script (the up script may
 * be a section of it). */
static int file_line(rec *r, const tb_mig *m, int at)
{
	char path[4096], *buf;
	size_t len;
	snprintf(path, sizeof path, "%s/%s", r->c.cfg->path, m->file);
	if (strata_slurpat(AT_FDCWD, path, &buf, &len) != 0)
		return at;
	const char *hit = m->up_len ? memmem(buf, len, m->up, m->up_len) : NULL;
	int line = at;
	for (const char *p = buf; hit && p < hit; p++)
		line += *p == '\n';
	free(buf);
	return line;
}

/* applied/baselined of a script that wrote its own row: 1 when that row is
 * there (strata leaves it), 0 to write it, < 0 error. */
/* The line (in the up script) of its statement that writes the table, 0
 * none, < 0 error (selfrec.c). */
static int self_line(rec *r)
{
	const tb_mig *m = r->c.mig;
	return m ? tb_script_writes(r->c.h, m->up, m->up_len, r->c.d) : 0;
}

static int recorded_itself(rec *r, int at)
{
	const tb_mig *m = r->c.mig;
	int rc = exists(r);
	if (rc <= 0)
		return rc;
	char t[160];
	tb_table_name(r->c.d, t, sizeof t);
	if (at)
		r->c.h->warn(r->c.h, m->file, file_line(r, m, at),
		             "%s records itself in %s; strata does not write the row again",
		             r->c.ev->mig_version, t);
	else /* recorded already (by the tool, or baseline of what it has) */
		r->c.h->debug(r->c.h, "tables: %s already has its row in %s; not written again",
		              r->c.ev->mig_version, t);
	return 1;
}

static int generic(rec *r, int ev)
{
	bool logs = r->c.d->feature == F_HISTORY || r->c.d->feature == F_EVENTS_LOG;
	bool forward = ev == E_APPLIED || ev == E_BASELINED;
	int rc;
	switch (r->e->act) {
	case A_INSERT:
		if (forward || !logs) {
			/* Logs append; a key with its row already is left alone. */
			int at = self_line(r);
			if (at < 0)
				return at;
			if ((!logs || at) && (rc = recorded_itself(r, at)) != 0)
				return rc < 0 ? rc : STRATA_OK;
		}
		return insert(r);
	case A_UPSERT:
		if (forward && r->c.mig) {
			int at = self_line(r);
			if (at < 0)
				return at;
			if (at && (rc = recorded_itself(r, at)) != 0)
				return rc < 0 ? rc : STRATA_OK;
		}
		rc = exists(r);
		return rc < 0 ? rc : rc ? update(r, true) : insert(r);
	case A_UPDATE: return update(r, false);
	case A_DELETE: return delete_rows(r, false);
	default: return STRATA_OK;
	}
}

/* ---- single-row ---- */

typedef struct cur {
	strata_host *h;
	int n;
	char version[128];
	int dirty;
} cur;

static int on_cur(void *ud, int ncols, const char *const *v)
{
	cur *c = ud;
	if (++c->n == 1 && ncols >= 2) {
		snprintf(c->version, sizeof c->version, "%s", v[0] ? v[0] : "");
		c->dirty = tb_bool_of(v[1]);
	}
	return 0;
}

static int current(rec *r, cur *c)
{
	tb_buf b = {0};
	const tb_desc *d = r->c.d;
	tb_puts(&b, "SELECT ");
	tb_ident(&b, d->cols[d->key[0]].name);
	tb_puts(&b, ", ");
	tb_ident(&b, d->cols[d->flag].name);
	tb_puts(&b, " FROM ");
	tb_table(&b, d);
	memset(c, 0, sizeof *c);
	int rc = b.oom ? strata_oom(r->c.h) : r->c.h->db_query(r->c.h, b.s, NULL, 0, on_cur, c);
	tb_buf_free(&b);
	return rc;
}

static int version_cmp(strata_host *h, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *ka = malloc(2 * la + 3), *kb = malloc(2 * lb + 3);
	int c = 0;
	if (ka && kb) {
		h->version_key(a, la, ka);
		h->version_key(b, lb, kb);
		c = h->version_cmp(ka, kb);
	}
	free(ka);
	free(kb);
	return c;
}

/* (V, dirty) as the only row; V is the event's version unless as is given. */
static int set_row(rec *r, const char *as, bool dirty)
{
	int rc = delete_rows(r, true);
	if (rc < 0 || (as && !*as))
		return rc;
	tb_set flag = {.col = (size_t)r->c.d->flag, .v = {.kind = dirty ? K_TRUE : K_FALSE}};
	strata_track_event ev = *r->c.ev;
	if (as)
		ev.mig_version = as;
	const strata_track_event *keep = r->c.ev;
	r->c.ev = &ev;
	r->extra = &flag;
	r->nextra = 1;
	rc = insert(r);
	r->c.ev = keep;
	r->extra = NULL;
	r->nextra = 0;
	return rc;
}

static int single_row(rec *r, int ev)
{
	cur c;
	int rc = current(r, &c);
	if (rc < 0)
		return rc;
	const char *v = r->c.ev->mig_version;
	if (ev == E_APPLIED || ev == E_BASELINED) {
		/* The row is a high-water mark: an older migration leaves it. */
		if (c.n == 1 && c.dirty == 0 && version_cmp(r->c.h, c.version, v) > 0)
			return STRATA_OK;
		return set_row(r, NULL, false);
	}
	if (ev == E_RUNNING || ev == E_FAILED)
		return set_row(r, NULL, true);
	if (ev != E_ROLLED_BACK)
		return STRATA_OK;
	return set_row(r, r->migs.prev ? r->migs.prev : "", false);
}

static int event_index(const char *state)
{
	switch (strata_track_state_of(state)) {
	case STRATA_TRACK_APPLIED: return E_APPLIED;
	case STRATA_TRACK_BASELINED: return E_BASELINED;
	case STRATA_TRACK_FAILED: return E_FAILED;
	case STRATA_TRACK_ROLLED_BACK: return E_ROLLED_BACK;
	case STRATA_TRACK_RUNNING: return E_RUNNING;
	case STRATA_TRACK_REPAIRED: return E_REPAIRED;
	default: return -1; /* rolling_back, rollback_failed: no tool has them */
	}
}

int tb_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	int e = event_index(ev->state);
	if (e < 0 || !ev->mig_version)
		return STRATA_OK;
	const tb_desc *d;
	int rc = tb_load(h, cfg, &d);
	if (rc < 0)
		return rc;
	if (d->feature != F_SINGLE_ROW && d->ev[e].act == A_NOTHING)
		return STRATA_OK;
	rec r = {.c = {.h = h, .cfg = cfg, .d = d, .ev = ev}, .e = &d->ev[e]};
	rc = tb_migs_one(h, ev->mig_version, &r.migs);
	if (rc == STRATA_OK) {
		r.c.mig = r.migs.n ? &r.migs.v[0] : NULL;
		rc = tb_ctx_time(&r.c);
	}
	if (rc == STRATA_OK)
		rc = d->feature == F_SINGLE_ROW ? single_row(&r, e) : generic(&r, e);
	if (rc >= 0)
		tb_state_written(d);
	tb_migs_free(&r.migs);
	return rc < 0 ? rc : STRATA_OK;
}
