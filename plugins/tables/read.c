/*
 * read(): the table's rows as states, one per migration.  Each row's key
 * column is matched to a migration of the source by what strata would
 * write there (a version as text or integer, a name, a file); a row no
 * file has is reported as it is, and the host shows it as missing.  The
 * descriptor's states: rules say what a row is; with several rows for one
 * key the last in `order` decides.  The features read differently:
 *   single-row  one (V, dirty) row: V and everything before it applied, or
 *               V failed when dirty
 *   history     Flyway's event rows: BASELINE at B marks every version up
 *               to B baselined, UNDO_* and DELETE rows undo, SCHEMA rows
 *               are no migration; a *_BASELINE row is a baseline
 *               migration's (matched among those by version), a row
 *               without a version a repeatable's (matched by its file)
 *   watermark   every migration whose key is at most the highest one (its
 *               own row, if any, checked against the file: modified)
 *   events-log  goose: the newest row of a version decides; version 0 is
 *               goose's own first row
 * A value the descriptor cannot read is an error naming table and row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "tables_int.h"

typedef struct row {
	char *key, *sum, *finished, *error;
	strata_track_state state;
	size_t seq;
	const tb_mig *m;   /* the migration it matches, or NULL */
	const char *group; /* m's version, else key */
	unsigned kind;     /* history: STRATA_MIG_BASELINE / _REPEATABLE row, or 0 */
} row;

typedef struct mkey {
	const tb_mig *m;
	char *key; /* the key column's value for m, or its version_key */
} mkey;

typedef struct rd {
	strata_host *h;
	const strata_source_cfg *cfg;
	const tb_desc *d;
	char table[160];
	bool numeric;
	row *rows;
	size_t n;
	char *baseline; /* history: the highest BASELINE version */
	tb_migs migs;
	mkey *keys;
	size_t nkeys;
	int rc;
} rd;

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The finished column read back: a time written as Unix milliseconds
 * (now-ms: knex's migration_time on SQLite) is shown as ISO-8601 UTC. */
static char *finished_of(const tb_desc *d, const char *v)
{
	if (!v || d->cols[d->finished_col].v.kind != K_NOW_MS || !*v || strlen(v) > 15 ||
	    strspn(v, "0123456789") != strlen(v))
		return dup0(v);
	long long ms = atoll(v);
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[40];
	if (!gmtime_r(&t, &tm))
		return dup0(v);
	size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)(ms % 1000));
	return strdup(buf);
}

/* The text compared: a version's sort key for versions, else itself. */
static char *cmp_key(rd *r, const char *v)
{
	if (!r->numeric)
		return strdup(v);
	size_t l = strlen(v);
	char *k = malloc(2 * l + 3);
	if (k)
		r->h->version_key(v, l, k);
	return k;
}

static int key_cmp(rd *r, const char *a, const char *b)
{
	return r->numeric ? r->h->version_cmp(a, b) : strcmp(a, b);
}

static int mkey_sort(const void *a, const void *b, void *ud)
{
	return key_cmp(ud, ((const mkey *)a)->key, ((const mkey *)b)->key);
}

static int build_keys(rd *r)
{
	r->keys = calloc(r->migs.n + 1, sizeof *r->keys);
	if (!r->keys)
		return strata_oom(r->h);
	for (size_t i = 0; i < r->migs.n; i++) {
		char buf[TB_VALUE_MAX];
		if (r->migs.v[i].flags & (STRATA_MIG_BASELINE | STRATA_MIG_REPEATABLE))
			continue; /* matched by kind_match() */
		const char *k = tb_key_of(r->d, &r->migs.v[i], buf, sizeof buf);
		if (!k)
			continue;
		mkey *mk = &r->keys[r->nkeys];
		mk->m = &r->migs.v[i];
		if (!(mk->key = cmp_key(r, k)))
			return strata_oom(r->h);
		r->nkeys++;
	}
	if (r->nkeys)
		qsort_r(r->keys, r->nkeys, sizeof *r->keys, mkey_sort, r);
	return STRATA_OK;
}

/* The migration a key value is about, or NULL. */
static const tb_mig *match(rd *r, const char *raw)
{
	char *k = cmp_key(r, raw);
	size_t lo = 0, hi = r->nkeys;
	const tb_mig *m = NULL;
	while (k && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = key_cmp(r, r->keys[mid].key, k);
		if (!c) {
			m = r->keys[mid].m;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	free(k);
	return m;
}

/* A baseline row to the baseline migration of its version, a repeatable's
 * row to the repeatable of its file (few of either: a plain scan). */
static const tb_mig *kind_match(rd *r, const row *x)
{
	for (size_t i = 0; i < r->migs.n; i++) {
		const tb_mig *m = &r->migs.v[i];
		if (!(m->flags & x->kind))
			continue;
		if (x->kind == STRATA_MIG_REPEATABLE && !strcmp(m->file, x->key))
			return m;
		if (x->kind == STRATA_MIG_BASELINE) {
			char buf[TB_VALUE_MAX];
			char *a = cmp_key(r, tb_key_of(r->d, m, buf, sizeof buf)), *b = cmp_key(r, x->key);
			bool same = a && b && !key_cmp(r, a, b);
			free(a);
			free(b);
			if (same)
				return m;
		}
	}
	return NULL;
}

/* history: the file column (a repeatable's row is matched by it), or -1. */
static long file_col(const tb_desc *d)
{
	for (size_t i = 0; i < d->ncols; i++)
		if (d->cols[i].v.kind == K_FILE)
			return (long)i;
	return -1;
}

/* ---- a row's state ---- */

static int bad_value(rd *r, const char *const *v, size_t col, const char *expected)
{
	const char *key = v[r->d->match] ? v[r->d->match] : "NULL";
	r->h->error(r->h, STRATA_ECLASS_DB, NULL, 0, 0,
	            "fix the row by hand, or change the descriptor's states: to read it",
	            "%s, row %s '%s': %s is '%s', %s (descriptor %s)", r->table,
	            r->d->cols[r->d->match].name, key, r->d->cols[col].name,
	            v[col] ? v[col] : "NULL", expected, r->d->file);
	return STRATA_ESTATE;
}

/* 1 when rule's test holds for the row, 0 when not, < 0 for a value the
 * test cannot read. */
static int test(rd *r, const tb_rule *u, const char *const *v)
{
	const char *x = v[u->col];
	switch (u->is.kind) {
	case K_NULL: return x == NULL;
	case K_NOT_NULL: return x != NULL;
	case K_TRUE:
	case K_FALSE: {
		int b = tb_bool_of(x);
		if (b < 0)
			return bad_value(r, v, (size_t)u->col, "expected true or false");
		return b == (u->is.kind == K_TRUE);
	}
	default: return x && !strcmp(x, u->is.text);
	}
}

static int state_of(rd *r, const char *const *v, strata_track_state *out)
{
	for (size_t i = 0; i < r->d->nrules; i++) {
		const tb_rule *u = &r->d->rules[i];
		int t = u->col < 0 ? 1 : test(r, u, v);
		if (t < 0)
			return t;
		if (t) {
			*out = u->state;
			return STRATA_OK;
		}
	}
	/* No rule holds and none reads every other row: not guessed at. */
	const tb_rule *u = &r->d->rules[0];
	char what[256];
	snprintf(what, sizeof what, "which no rule of states: reads (descriptor %s)", r->d->file);
	const char *key = v[r->d->match] ? v[r->d->match] : "NULL";
	r->h->error(r->h, STRATA_ECLASS_DB, NULL, 0, 0,
	            "fix the row by hand, or add a rule for it to the descriptor's states:",
	            "%s, row %s '%s': %s is '%s', %s", r->table, r->d->cols[r->d->match].name, key,
	            r->d->cols[u->col].name, v[u->col] ? v[u->col] : "NULL", what);
	return STRATA_ESTATE;
}

/* history: what Flyway's type column says; 1 row to keep, 0 skip, < 0;
 * *kind: the kind of migration the row is about. */
static int history_type(rd *r, const char *const *v, strata_track_state *st, unsigned *kind)
{
	static const char *const applied[] = {"SQL", "JDBC", "SCRIPT", "SPRING_JDBC", "CUSTOM",
	                                      "SQL_BASELINE", "JDBC_BASELINE", "SCRIPT_BASELINE"};
	const char *t = v[r->d->flag];
	size_t tl = t ? strlen(t) : 0;
	*kind = !v[r->d->match]                                   ? STRATA_MIG_REPEATABLE
	        : tl > 9 && !strcmp(t + tl - 9, "_BASELINE") ? STRATA_MIG_BASELINE
	                                                          : 0;
	if (t && !strcmp(t, "SCHEMA"))
		return 0; /* Flyway's schema creation */
	if (*kind == STRATA_MIG_REPEATABLE && (file_col(r->d) < 0 || !v[file_col(r->d)]))
		return 0; /* no file to match it by */
	if (t && !strcmp(t, "BASELINE")) {
		*st = STRATA_TRACK_BASELINED;
		return 1;
	}
	if (t && (!strncmp(t, "UNDO_", 5) || !strcmp(t, "DELETE"))) {
		*st = STRATA_TRACK_ROLLED_BACK;
		return 1;
	}
	for (size_t i = 0; t && i < sizeof applied / sizeof *applied; i++)
		if (!strcmp(t, applied[i]))
			return state_of(r, v, st) < 0 ? -1 : 1;
	return bad_value(r, v, (size_t)r->d->flag,
	                 "not a Flyway migration type (SQL, BASELINE, UNDO_SQL, DELETE, …)");
}

static int on_row(void *ud, int ncols, const char *const *v)
{
	rd *r = ud;
	const tb_desc *d = r->d;
	if ((size_t)ncols < d->ncols)
		return STRATA_STOP;
	strata_track_state st = STRATA_TRACK_APPLIED;
	unsigned kind = 0;
	int rc = 1;
	if (d->feature == F_HISTORY)
		rc = history_type(r, v, &st, &kind);
	else if (!v[d->match])
		rc = bad_value(r, v, (size_t)d->match, "a key the descriptor needs");
	else if (d->feature == F_EVENTS_LOG && !strcmp(v[d->match], "0"))
		rc = 0; /* goose's first row, written when it creates the table */
	else if (d->feature != F_SINGLE_ROW)
		rc = state_of(r, v, &st) < 0 ? -1 : 1;
	if (rc < 0) {
		r->rc = STRATA_ESTATE;
		return STRATA_STOP;
	}
	if (!rc)
		return 0;
	if (d->feature == F_SINGLE_ROW) {
		int dirty = tb_bool_of(v[d->flag]);
		if (dirty < 0) {
			r->rc = bad_value(r, v, (size_t)d->flag, "expected true or false");
			return STRATA_STOP;
		}
		st = dirty ? STRATA_TRACK_FAILED : STRATA_TRACK_APPLIED;
	}
	row *nv = realloc(r->rows, (r->n + 1) * sizeof *nv);
	if (!nv) {
		r->rc = strata_oom(r->h);
		return STRATA_STOP;
	}
	r->rows = nv;
	row *x = &r->rows[r->n];
	long sc = -1;
	for (size_t i = 0; i < d->ncols; i++)
		if (d->cols[i].v.kind == K_CHECKSUM)
			sc = (long)i;
	const char *key = kind == STRATA_MIG_REPEATABLE ? v[file_col(d)] : v[d->match];
	*x = (row){.key = dup0(key), .state = st, .seq = r->n, .kind = kind,
	           .sum = sc >= 0 ? dup0(v[sc]) : NULL,
	           .finished = d->finished_col >= 0 ? finished_of(d, v[d->finished_col]) : NULL,
	           .error = d->error_col >= 0 ? dup0(v[d->error_col]) : NULL};
	r->n++;
	if (d->feature == F_HISTORY && st == STRATA_TRACK_BASELINED) {
		char *k = cmp_key(r, v[d->match]);
		if (k && (!r->baseline || r->h->version_cmp(k, r->baseline) > 0)) {
			free(r->baseline);
			r->baseline = k;
		} else {
			free(k);
		}
	}
	return 0;
}

static int query(rd *r)
{
	const tb_desc *d = r->d;
	tb_buf b = {0};
	tb_puts(&b, "SELECT ");
	for (size_t i = 0; i < d->ncols; i++) {
		if (i)
			tb_puts(&b, ", ");
		tb_ident(&b, d->cols[i].name);
	}
	tb_puts(&b, " FROM ");
	tb_table(&b, d);
	tb_puts(&b, " ORDER BY ");
	if (d->order >= 0) {
		tb_ident(&b, d->cols[d->order].name);
	} else {
		for (size_t k = 0; k < d->nkey; k++) {
			if (k)
				tb_puts(&b, ", ");
			tb_ident(&b, d->cols[d->key[k]].name);
		}
	}
	int rc = b.oom ? strata_oom(r->h) : r->h->db_query(r->h, b.s, NULL, 0, on_row, r);
	tb_buf_free(&b);
	return rc < 0 ? rc : r->rc;
}

/* ---- reporting ---- */

static int report(rd *r, const char *version, strata_track_state st, const row *x,
                  const tb_mig *m)
{
	char sum[72];
	if (st == STRATA_TRACK_APPLIED && m && x && x->sum && r->d->sum != C_NONE) {
		int rc = tb_checksum(r->h, r->cfg, r->d, m, sum);
		if (rc < 0)
			return rc;
		if (rc > 0 && strcmp(sum, x->sum)) {
			st = STRATA_TRACK_MODIFIED;
			if (!(m->flags & STRATA_MIG_REPEATABLE)) /* changed: it runs again */
				r->h->warn(r->h, m->file, 0,
			           "modified after it was applied: its checksum differs from the one "
			           "recorded in %s",
			           r->table);
		}
	}
	strata_track_row t = {
		.version = STRATA_TRACK_ROW_VERSION,
		.struct_size = sizeof t,
		.mig_version = version,
		.state = strata_track_state_name(st),
		.checksum = x ? x->sum : NULL,
		.finished_at = x ? x->finished : NULL,
		.error = x && st == STRATA_TRACK_FAILED ? x->error : NULL,
	};
	return r->h->track_row(r->h, &t);
}

static int row_sort(const void *a, const void *b)
{
	const row *x = a, *y = b;
	int c = strcmp(x->group, y->group);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Rows grouped by the migration they match (or their own key when none
 * does), in table order within a group. */
static int group_rows(rd *r)
{
	for (size_t i = 0; i < r->n; i++) {
		row *x = &r->rows[i];
		x->m = x->kind ? kind_match(r, x) : match(r, x->key);
		if (x->kind == STRATA_MIG_BASELINE && !x->m && x->key) {
			/* A baseline migration whose file is gone: its own group,
			 * apart from the versioned migration of that version. */
			size_t l = strlen(x->key) + 2;
			char *k = malloc(l);
			if (!k)
				return strata_oom(r->h);
			snprintf(k, l, "B%s", x->key);
			free(x->key);
			x->key = k;
		}
		r->rows[i].group = r->rows[i].m ? r->rows[i].m->version : r->rows[i].key;
	}
	if (r->n)
		qsort(r->rows, r->n, sizeof *r->rows, row_sort);
	return STRATA_OK;
}

/* Generic, events-log and history: the last row of each group decides; a
 * BASELINE row also covers the versions below it that have no row. */
static int report_last(rd *r)
{
	int rc = group_rows(r);
	for (size_t i = 0; i < r->n && rc >= 0; i++) {
		const row *x = &r->rows[i];
		if (i + 1 < r->n && !strcmp(x->group, r->rows[i + 1].group))
			continue;
		rc = report(r, x->group, x->state, x, x->m);
	}
	if (!r->baseline || rc < 0)
		return rc;
	for (size_t i = 0; i < r->nkeys && rc >= 0; i++) {
		if (r->h->version_cmp(r->keys[i].key, r->baseline) > 0)
			continue;
		bool has_row = false;
		for (size_t k = 0; k < r->n && !has_row; k++)
			has_row = r->rows[k].m == r->keys[i].m;
		if (!has_row)
			rc = report(r, r->keys[i].m->version, STRATA_TRACK_BASELINED, NULL, NULL);
	}
	return rc;
}

/* single-row: (V, false) is V and everything before it applied; (V, true)
 * is V failed, the ones before applied. */
static int report_single(rd *r)
{
	if (r->n > 1) {
		r->h->error(r->h, STRATA_ECLASS_DB, NULL, 0, 0,
		            "keep the row of the version the database is at and delete the others",
		            "%s has %zu rows; tracker %s keeps exactly one (version, %s)", r->table,
		            r->n, r->d->name, r->d->cols[r->d->flag].name);
		return STRATA_ESTATE;
	}
	if (!r->n)
		return STRATA_OK;
	const row *x = &r->rows[0];
	char *k = cmp_key(r, x->key);
	if (!k)
		return strata_oom(r->h);
	const tb_mig *at = match(r, x->key);
	int rc = STRATA_OK;
	for (size_t i = 0; i < r->nkeys && rc >= 0; i++) {
		int c = r->h->version_cmp(r->keys[i].key, k);
		if (c < 0)
			rc = report(r, r->keys[i].m->version, STRATA_TRACK_APPLIED, NULL, r->keys[i].m);
	}
	if (rc >= 0)
		rc = report(r, at ? at->version : x->key, x->state, x, at);
	free(k);
	return rc;
}

/* watermark: every migration whose key is at most the highest row's. */
static int report_watermark(rd *r)
{
	char *top = NULL;
	int rc = STRATA_OK;
	for (size_t i = 0; i < r->n; i++) {
		char *k = cmp_key(r, r->rows[i].key);
		if (!k) {
			free(top);
			return strata_oom(r->h);
		}
		if (!top || r->h->version_cmp(k, top) > 0) {
			free(top);
			top = k;
		} else {
			free(k);
		}
	}
	for (size_t i = 0; i < r->n; i++)
		r->rows[i].m = match(r, r->rows[i].key);
	for (size_t i = 0; top && i < r->nkeys && rc >= 0; i++) {
		if (r->h->version_cmp(r->keys[i].key, top) > 0)
			continue;
		/* Its own row, if any (the last), is checked against the file. */
		const row *x = NULL;
		for (size_t k = 0; k < r->n; k++)
			if (r->rows[k].m == r->keys[i].m)
				x = &r->rows[k];
		rc = report(r, r->keys[i].m->version, STRATA_TRACK_APPLIED, x, r->keys[i].m);
	}
	for (size_t i = 0; i < r->n && rc >= 0; i++) /* rows no file has */
		if (!r->rows[i].m)
			rc = report(r, r->rows[i].key, r->rows[i].state, &r->rows[i], NULL);
	free(top);
	return rc;
}

static void rd_free(rd *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->rows[i].key);
		free(r->rows[i].sum);
		free(r->rows[i].finished);
		free(r->rows[i].error);
	}
	free(r->rows);
	for (size_t i = 0; i < r->nkeys; i++)
		free(r->keys[i].key);
	free(r->keys);
	free(r->baseline);
	tb_migs_free(&r->migs);
}

int tb_read(strata_host *h, const strata_source_cfg *cfg)
{
	const tb_desc *d;
	int rc = tb_load(h, cfg, &d);
	if (rc < 0)
		return rc;
	rd r = {.h = h, .cfg = cfg, .d = d};
	tb_table_name(d, r.table, sizeof r.table);
	tb_kind mk = d->cols[d->match].v.kind;
	r.numeric = mk == K_VERSION || mk == K_VERSION_INT || mk == K_NATIVE_KEY || mk == K_VERSION_DOTS;
	/* A table this command created and has not written yet is still
	 * missing: the tool never had one. */
	rc = tb_state_hidden(d) ? 0 : tb_columns_present(h, d);
	if (rc == 0)
		rc = STRATA_ENOTFOUND;
	if (rc > 0)
		rc = tb_migs_load(h, &r.migs, d->sum != C_NONE && d->sum != C_SHA256_FILE);
	if (rc == STRATA_OK)
		rc = build_keys(&r);
	if (rc == STRATA_OK)
		rc = query(&r);
	if (rc == STRATA_OK)
		rc = d->feature == F_SINGLE_ROW  ? report_single(&r)
		     : d->feature == F_WATERMARK ? report_watermark(&r)
		                                 : report_last(&r);
	rd_free(&r);
	return rc;
}
