/*
 * strata convert: the ledger's migrations, in order, written in another
 * format into a new folder (sources_write, the plugins' write op), with their
 * down scripts where there are any.  The up text is the ledger's: for an
 * Alembic revision the SQL strata translated for the target's dialect.  What
 * cannot be converted (a script strata could not read, what the target
 * format cannot hold) is listed in the report, never dropped silently.
 */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

/* A date the source's version spells (a 14-digit YYYYMMDDHHMMSS, as Prisma,
 * dbmate and sequelize name files), as ISO-8601 UTC, so a new timestamp id
 * keeps it; NULL when the version is no such date. */
static char *created_of(const char *v)
{
	size_t n = strspn(v, "0123456789");
	if (n < 14 || (v[14] && v[14] != '_' && v[14] != '-' && n != strlen(v)))
		return NULL;
	int M = (v[4] - '0') * 10 + v[5] - '0', D = (v[6] - '0') * 10 + v[7] - '0';
	int h = (v[8] - '0') * 10 + v[9] - '0', mi = (v[10] - '0') * 10 + v[11] - '0';
	int s = (v[12] - '0') * 10 + v[13] - '0';
	if (v[0] < '1' || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || s > 59)
		return NULL;
	return xasprintf("%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", v, v + 4, v + 6, v + 8, v + 10, v + 12);
}

static void refusal(convert_report *r, const migration *m, const char *what, const char *reason,
                    const char *hint)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = (strata_convert_item){
		.migration = xstrdup(m->info.id),
		.what = what,
		.reason = xstrdup(reason),
		.hint = hint ? xstrdup(hint) : NULL,
	};
}

/* "prisma", "sqlpair:dbmate": format and layout (malloc'd, layout may be NULL). */
static int split_to(err_ctx *e, const char *to, char **format, char **layout)
{
	*format = *layout = NULL;
	if (!to || !*to || *to == ':')
		return err_set(e, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0,
		               "--to FORMAT[:LAYOUT], e.g. --to prisma or --to sqlpair:dbmate",
		               "convert needs a target format");
	const char *c = strchr(to, ':');
	*format = c ? xstrndup(to, (size_t)(c - to)) : xstrdup(to);
	*layout = c && c[1] ? xstrdup(c + 1) : NULL;
	return 0;
}

typedef struct conv {
	strata_write_mig *w;
	migration **of; /* the ledger's migration of each w[] */
	char **created;
	const char ***parents;
	char ***stmts; /* per w[]: up (2i) and down (2i + 1) statements, or NULL */
	size_t n;
	db d; /* the target dialect's driver, attached (no connection) */
	bool cut; /* d can cut scripts into statements */
} conv;

static void strv_drop(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void conv_free(conv *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->created[i]);
		free(c->parents[i]);
		strv_drop(c->stmts[2 * i]);
		strv_drop(c->stmts[2 * i + 1]);
	}
	free(c->stmts);
	free(c->w);
	free(c->of);
	free(c->created);
	free(c->parents);
}

/* One statement of the driver's cut, kept. */
typedef struct cut {
	char **v;
	size_t n;
} cut;

static int keep_stmt(void *ud, const char *sql, size_t len, int line)
{
	(void)line;
	cut *k = ud;
	k->v = xrealloc(k->v, (k->n + 2) * sizeof *k->v);
	k->v[k->n++] = xstrndup(sql, len);
	k->v[k->n] = NULL;
	return 0;
}

/* text cut into statements by the target dialect's driver, NULL-terminated;
 * NULL when it cannot (no such op, a script its scanner rejects: the
 * writer that needs statements then refuses the migration). */
static char **cut_script(conv *c, err_ctx *e, const char *text, size_t len, const char *file,
                         int line)
{
	if (!c->cut || !text)
		return NULL;
	cut k = {.v = xcalloc(1, sizeof *k.v)};
	int rc = db_statements(&c->d, text, len, file, line, keep_stmt, &k);
	if (rc) {
		if (rc != STRATA_ENOTFOUND)
			logf_(e, STRATA_LOG_DEBUG, file, line, "not cut into statements: %s",
			      err_cur(e)->message ? err_cur(e)->message : "?");
		err_clear(e);
		strv_drop(k.v);
		return NULL;
	}
	return k.v;
}

/* The write_mig of m: its parents, the dependencies-only ones last
 * (m->pm[descends..], the ledger's order already has them before it). */
static void add_mig(conv *c, err_ctx *e, migration *m, convert_report *r)
{
	size_t i = c->n++;
	c->w[i] = (strata_write_mig){.version = STRATA_WRITE_MIG_VERSION, .struct_size = sizeof *c->w};
	c->of[i] = m;
	c->created[i] = created_of(m->info.version);
	c->parents[i] = NULL;
	if (m->info.graph) {
		c->parents[i] = xcalloc(m->nparents + 1, sizeof **c->parents);
		for (size_t j = 0; j < m->nparents; j++)
			c->parents[i][j] = m->parents[j];
		c->w[i].dependencies =
			(unsigned)(m->descends < m->nparents ? m->nparents - m->descends : 0);
	}
	strata_write_mig *w = &c->w[i];
	w->mig_version = m->info.version;
	w->name = m->info.name;
	w->up = m->up;
	w->up_len = m->up_len;
	if (m->down && !mig_down_blocked(m)) {
		w->down = m->down;
		w->down_len = m->down_len;
	} else if (mig_down_blocked(m)) {
		refusal(r, m, "down script", mig_down_blocked(m), mig_blocked_hint(m));
	}
	w->parents = c->parents[i];
	w->flags = (m->info.flags & ~STRATA_MIG_HAS_DOWN) | (w->down ? STRATA_MIG_HAS_DOWN : 0);
	w->created = c->created[i];
	w->index = i;
	c->stmts[2 * i] = cut_script(c, e, m->up, m->up_len, m->info.file, m->info.line);
	c->stmts[2 * i + 1] =
		w->down ? cut_script(c, e, m->down, m->down_len, m->info.down_file, m->down_line) : NULL;
	w->up_statements = (const char *const *)c->stmts[2 * i];
	w->down_statements = (const char *const *)c->stmts[2 * i + 1];
}

int inspect_convert(plan *p, const char *url, const char *to, const char *out_dir,
                    convert_report *r)
{
	char *format, *layout;
	int rc = split_to(p->e, to, &format, &layout);
	if (rc)
		return rc;
	if (!out_dir || !*out_dir) {
		free(format);
		free(layout);
		return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0,
		               "--out DIR names a new or empty folder", "convert needs --out DIR");
	}
	rc = sources_load(p->lg, p->L, url, true);
	const char *dialect = rc ? NULL : dialect_of_url(p->L, url);
	r->format = format;
	r->layout = layout;
	r->dialect = dialect ? xstrdup(dialect) : NULL;
	if (rc)
		return rc;
	const ledger *lg = p->lg;
	conv c = {
		.w = xcalloc(lg->nmigs + 1, sizeof *c.w),
		.of = xcalloc(lg->nmigs + 1, sizeof *c.of),
		.created = xcalloc(lg->nmigs + 1, sizeof *c.created),
		.parents = xcalloc(lg->nmigs + 1, sizeof *c.parents),
		.stmts = xcalloc(2 * lg->nmigs + 2, sizeof *c.stmts),
	};
	c.cut = db_attach(&c.d, p->L, url) == 0;
	if (!c.cut)
		err_clear(p->e);
	for (size_t i = 0; i < lg->nmigs; i++) {
		migration *m = lg->migs[i];
		if (m->info.blocked)
			refusal(r, m, "migration", m->info.blocked, mig_blocked_hint(m));
		else
			add_mig(&c, p->e, m, r);
	}
	write_report wr = {0};
	rc = sources_write(p->L, format, layout, out_dir, dialect, c.w, c.n, &wr);
	for (size_t i = 0; i < wr.nrefused; i++)
		refusal(r, c.of[wr.refused[i].index], wr.refused[i].what, wr.refused[i].reason,
		        wr.refused[i].hint);
	r->sum.migrations = lg->nmigs;
	r->sum.written = wr.written;
	r->sum.not_converted = r->n;
	sources_write_report_free(&wr);
	conv_free(&c);
	db_close(&c.d);
	return rc;
}

void convert_report_free(convert_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((char *)r->v[i].migration);
		free((char *)r->v[i].reason);
		free((char *)r->v[i].hint);
	}
	free(r->v);
	free(r->format);
	free(r->layout);
	free(r->dialect);
	memset(r, 0, sizeof *r);
}
