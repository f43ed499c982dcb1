/*
 * adopt: the live database taken into another tool's history.  The live
 * schema as SQL (the driver's schema_sql: pg_dump post-processed, SQLite's
 * own sqlite_schema) becomes one baseline migration written by the target
 * format's own writer (sources_write) into the new source's folder; the
 * new source is added to strata.yaml and the old one gets `retired: true`
 * (config_edit.c); the baseline is recorded as baselined in strata_ledger
 * and the new tool's tracker, by the same path `strata baseline` takes
 * (run_write_state), with the tool's own checksum.  The old tracker is kept,
 * or dropped (--drop-old-tracker) once strata_ledger holds its rows' facts.
 *
 * Order, so that a failure leaves things as they were: every check first
 * (old history fully applied, folder free, strata.yaml editable), then the
 * files and a new strata.yaml beside the old one, then the history read
 * back through that config and all database writes in one transaction;
 * only after the commit does the new strata.yaml replace the old.  A
 * failure before it removes the files written.
 */
#include "run_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tool's usual folder for its migrations, relative to strata.yaml, and
 * how --name (VERSION_NAME) becomes the migration's id: whole (Prisma's
 * folder name is its id), or the version before the first '_' and the name
 * after it (sqlpair's VERSION_NAME.sql, Alembic's revision). */
static const struct adopt_target {
	const char *format;
	const char *folder;
	bool whole_name_is_id;
} adopt_targets[] = {
	{ "prisma", "prisma/migrations", true },
	{ "alembic", "alembic/versions", false },
	{ "sqlpair", "db/migrations", false },
};

typedef struct adopt_ctx {
	plan *p;
	strata_adopt_opts *o;
	char *format, *layout; /* --to FORMAT[:LAYOUT] */
	const struct adopt_target *target;
	const char *folder_rel;
	char *folder;          /* absolute */
	char *made_root;       /* the highest folder of it that did not exist (the
	                          writer makes it and those below): removed
	                          whole on failure; NULL when folder existed */
	size_t old;            /* the config source retired */
	sbuf sql;              /* the baseline's up script */
	char *yaml_tmp;        /* the new strata.yaml, until the commit */
	size_t old_done;       /* migrations of the old source applied, at the check */
	char *dialect;
	char **stmts;          /* sql cut by the dialect's driver, NULL-terminated
	                          (for writers that need statements: Alembic's
	                          op.execute() each), or NULL */
	size_t nstmts;
} adopt_ctx;

static int text_sink(void *ud, const char *text, size_t len)
{
	sbuf_add(ud, text, len);
	return 0;
}

static int usage(adopt_ctx *a, const char *hint, const char *fmt, const char *arg)
{
	return err_set(a->p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0, hint, fmt, arg);
}

/* --to, the old source, the folder: all before the database is opened. */
static int check_args(adopt_ctx *a)
{
	const config *cfg = a->p->cfg;
	const char *to = a->o->to;
	if (!to || !*to)
		return usage(a, "e.g. `strata adopt --to prisma`", "adopt needs --to FORMAT%s", "");
	const char *colon = strchr(to, ':');
	a->format = colon ? xasprintf("%.*s", (int)(colon - to), to) : xstrdup(to);
	a->layout = colon ? xstrdup(colon + 1) : NULL;
	const struct adopt_target *t = NULL;
	for (size_t i = 0; i < sizeof adopt_targets / sizeof *adopt_targets; i++)
		if (!strcmp(adopt_targets[i].format, a->format))
			t = &adopt_targets[i];
	if (!t)
		return usage(a, "adopt writes prisma, alembic or sqlpair:LAYOUT",
		             "adopt cannot write format '%s'", a->format);
	a->target = t;
	if (!strcmp(a->format, "sqlpair") && (!a->layout || !*a->layout))
		return usage(a, "name the layout: --to sqlpair:dbmate (formats/layouts/ lists them)",
		             "--to %s needs a layout", to);
	if (!cfg->file)
		return usage(a, "run `strata init` first, or name the file with -c",
		             "adopt edits strata.yaml, and none was read%s", "");
	size_t n = 0;
	for (size_t i = 0; i < cfg->nsources; i++)
		if (!cfg->sources[i].retired)
			a->old = i, n++;
	if (n != 1)
		return err_set(a->p->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, cfg->file, 0, 0,
		               n ? "retire all but one by hand (retired: true), then adopt"
		                 : "nothing to adopt from",
		               "adopt retires one source, and strata.yaml has %zu that are not retired",
		               n);
	const cfg_source *old = &cfg->sources[a->old];
	if (!strcmp(old->format, a->format))
		return err_set(a->p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, cfg->file, old->line, 0,
		               "adopt moves a database to another tool",
		               "source '%s' is already in format %s", old->name, a->format);
	a->folder_rel = a->o->path ? a->o->path : t->folder;
	a->folder = path_join(cfg->dir, a->folder_rel);
	DIR *d = opendir(a->folder);
	if (d) {
		struct dirent *de;
		bool empty = true;
		while (empty && (de = readdir(d)))
			empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
		closedir(d);
		if (!empty)
			return err_set(a->p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, a->folder_rel, 0, 0,
			               "name a new or empty folder with --path",
			               "the folder for the new history is not empty");
	} else {
		/* Up from the folder while its parents do not exist either. */
		a->made_root = xstrdup(a->folder);
		for (;;) {
			char *slash = strrchr(a->made_root, '/');
			if (!slash || slash == a->made_root)
				break;
			*slash = '\0';
			struct stat st;
			if (stat(a->made_root, &st) == 0) {
				*slash = '/';
				break;
			}
		}
	}
	return 0;
}

static bool is_done(strata_state st)
{
	return st == STRATA_APPLIED || st == STRATA_BASELINED;
}

/* The old history must be wholly applied: a baseline of a half-migrated
 * schema would stand for migrations that never ran. */
static int check_old(adopt_ctx *a, plan *p, size_t old, size_t *done)
{
	*done = 0;
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		if (m->src != old)
			continue;
		strata_state st = m->info.state;
		if (is_done(st)) {
			(*done)++;
			continue;
		}
		if (st == STRATA_IGNORED)
			continue;
		return err_set(a->p->e, STRATA_ESTATE, STRATA_ECLASS_DB, m->info.file, m->info.line, 0,
		               st == STRATA_FAILED ? "fix it and `strata mark ID`, then adopt"
		               : st == STRATA_MODIFIED ? "restore the file (or `strata mark ID --applied`), then adopt"
		                                       : "`strata apply` the old history first, then adopt",
		               "%s is %s: adopt would baseline a half-migrated schema", m->info.id,
		               strata_state_name(st));
	}
	return 0;
}

/* The tables no baseline creates: strata_ledger and every tracker's. */
static const char **skip_list(const plan *p)
{
	const char **skip = xcalloc(p->L->nbinds + 2, sizeof *skip);
	size_t n = 0;
	skip[n++] = "strata_ledger";
	for (size_t i = 0; i < p->L->nbinds; i++)
		if (p->L->binds[i].table)
			skip[n++] = p->L->binds[i].table;
	return skip;
}

static int keep_stmt(void *ud, const char *sql, size_t len, int line)
{
	adopt_ctx *a = ud;
	(void)line;
	a->stmts = xrealloc(a->stmts, (a->nstmts + 2) * sizeof *a->stmts);
	a->stmts[a->nstmts++] = xstrndup(sql, len);
	a->stmts[a->nstmts] = NULL;
	return 0;
}

static void free_stmts(adopt_ctx *a)
{
	for (size_t i = 0; i < a->nstmts; i++)
		free(a->stmts[i]);
	free(a->stmts);
	a->stmts = NULL;
	a->nstmts = 0;
}

/* Step 1, under the first session: checks and the schema as SQL. */
static int read_schema(adopt_ctx *a, const char *url)
{
	plan *p = a->p;
	run_session ss;
	int rc = run_open(p, url, false, &ss);
	if (!rc)
		rc = check_old(a, p, a->old, &a->old_done);
	if (!rc) {
		const char **skip = skip_list(p);
		rc = db_schema_sql(&ss.d, skip, text_sink, &a->sql);
		free(skip);
		if (rc == STRATA_ENOTFOUND)
			rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_DB, NULL, 0, 0,
			             "adopt needs a driver with the schema_sql op (sqlite, postgres)",
			             "the database's driver cannot write its schema as SQL");
	}
	if (!rc && !a->sql.len)
		rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_DB, NULL, 0, 0,
		             "apply the old history first", "the database has no schema to adopt");
	if (!rc)
		a->dialect = xstrdup(db_dialect(&ss.d));
	/* Cut where the dialect cuts it; a driver that cannot: no statements,
	 * and a writer that needs them refuses (said as its reason). */
	if (!rc && db_statements(&ss.d, a->sql.data, a->sql.len, "schema", 1, keep_stmt, a) != 0) {
		free_stmts(a);
		err_clear(p->e);
	}
	run_close(p, &ss);
	return rc;
}

/* The baseline's id: --name, else 0_init (Prisma's own name for one). */
static const char *baseline_name(const adopt_ctx *a)
{
	return a->o->name && *a->o->name ? a->o->name : "0_init";
}

/* The baseline's version in its format (malloc'd). */
static char *baseline_version(const adopt_ctx *a)
{
	const char *id = baseline_name(a);
	const char *us = strchr(id, '_');
	return a->target->whole_name_is_id || !us ? xstrdup(id)
	                                          : xasprintf("%.*s", (int)(us - id), id);
}

/* Step 2: the baseline written by the target format's own writer. */
static int write_files(adopt_ctx *a)
{
	const char *id = baseline_name(a);
	const char *us = strchr(id, '_');
	char *version = baseline_version(a);
	char now[40];
	now_iso8601(now);
	strata_write_mig wm = {
		.version = STRATA_WRITE_MIG_VERSION,
		.struct_size = sizeof wm,
		.mig_version = version,
		.name = us && us[1] ? us + 1 : id,
		.up = a->sql.data,
		.up_len = a->sql.len,
		.created = now,
		.new_version = version,
		.up_statements = (const char *const *)a->stmts,
	};
	write_report rep = {0};
	int rc = sources_write(a->p->L, a->format, a->layout, a->folder, a->dialect, &wm, 1, &rep);
	if (!rc && rep.nrefused)
		rc = err_set(a->p->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, a->folder_rel, 0, 0,
		             rep.refused[0].hint, "the %s writer refused the baseline: %s", a->format,
		             rep.refused[0].reason);
	sources_write_report_free(&rep);
	free(version);
	return rc;
}

/* Step 3: the new strata.yaml, beside the old one until the commit. */
static int write_yaml(adopt_ctx *a)
{
	const config *cfg = a->p->cfg;
	FILE *f = fopen(cfg->file, "rb");
	if (!f)
		return err_set(a->p->e, STRATA_EIO, STRATA_ECLASS_CONFIG, cfg->file, 0, 0, NULL,
		               "cannot read: %s", strerror(errno));
	sbuf in = {0};
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&in, chunk, n);
	fclose(f);
	const char *keys[2] = { a->layout ? "layout" : NULL, NULL };
	const char *vals[2] = { a->layout, NULL };
	cfg_new_source ns = { a->format, a->format, a->folder_rel, keys, vals };
	char *out = NULL;
	int rc = config_edit_adopt(a->p->e, config_file_name(cfg), in.data ? in.data : "", in.len,
	                           cfg->sources[a->old].name, &ns, &out);
	sbuf_free(&in);
	if (rc)
		return rc;
	a->yaml_tmp = xasprintf("%s.adopt-%ld", cfg->file, (long)getpid());
	f = fopen(a->yaml_tmp, "wb");
	if (!f || fwrite(out, 1, strlen(out), f) != strlen(out) || fclose(f) != 0) {
		rc = err_set(a->p->e, STRATA_EIO, STRATA_ECLASS_CONFIG, a->yaml_tmp, 0, 0, NULL,
		             "cannot write: %s", strerror(errno));
		if (f)
			fclose(f);
	}
	free(out);
	return rc;
}

/* A tracker's table as SQL names it: each dot-separated part quoted. */
static char *quoted_table(const char *t)
{
	sbuf b = {0};
	for (const char *s = t;;) {
		size_t n = strcspn(s, ".");
		sbuf_add(&b, "\"", 1);
		for (size_t i = 0; i < n; i++)
			sbuf_add(&b, s[i] == '"' ? "\"\"" : s + i, s[i] == '"' ? 2 : 1);
		sbuf_add(&b, "\"", 1);
		if (!s[n])
			break;
		sbuf_add(&b, ".", 1);
		s += n + 1;
	}
	return sbuf_take(&b);
}

/* Step 4, through the new config: the baseline recorded (strata_ledger and
 * the new tool's tracker), the old tracker's facts kept in strata_ledger and
 * its table dropped when asked: one transaction. */
static int record(adopt_ctx *a, plan *p2, const char *url)
{
	run_session ss;
	db *d = &ss.d;
	strata_adopt_opts *o = a->o;
	size_t newsrc = p2->cfg->nsources - 1, done = 0;
	int rc = run_open(p2, url, false, &ss);
	if (!rc)
		rc = check_old(a, p2, a->old, &done);
	if (!rc && done != a->old_done)
		rc = err_set(p2->e, STRATA_EBUSY, STRATA_ECLASS_DB, NULL, 0, 0, "run adopt again",
		             "the database changed while adopt read its schema");
	migration *base = NULL;
	for (size_t i = 0; !rc && i < p2->lg->nmigs; i++)
		if (p2->lg->migs[i]->src == newsrc) {
			if (base)
				rc = err_set(p2->e, STRATA_ERR, STRATA_ECLASS_SOURCE, a->folder_rel, 0, 0,
				             NULL, "the new folder reads back as more than one migration");
			base = p2->lg->migs[i];
		}
	if (!rc && !base)
		rc = err_set(p2->e, STRATA_ERR, STRATA_ECLASS_SOURCE, a->folder_rel, 0, 0, NULL,
		             "the baseline written does not read back as a migration");
	if (!rc && base->info.state != STRATA_PENDING)
		rc = err_set(p2->e, STRATA_ESTATE, STRATA_ECLASS_DB, NULL, 0, 0,
		             "the database already records it: remove that record first",
		             "%s is already %s here", base->info.id, strata_state_name(base->info.state));
	for (size_t b = 0; !rc && b < p2->L->nbinds; b++)
		if (p2->L->binds[b].src == newsrc && p2->L->binds[b].table &&
		    db_table_exists(d, p2->L->binds[b].table) > 0)
			rc = err_set(p2->e, STRATA_ESTATE, STRATA_ECLASS_DB, NULL, 0, 0,
			             "the database already has the new tool's table: drop it (or adopt "
			             "by hand) if it holds nothing",
			             "%s exists already", p2->L->binds[b].table);
	snprintf(o->migration_id, sizeof o->migration_id, "%s", base ? base->info.id : "");
	if (!rc)
		rc = run_ready(p2, &ss);
	if (!rc)
		rc = db_begin(d);
	char now[40];
	now_iso8601(now);
	/* What only the old tool's table says: into strata_ledger, so that its
	 * rows stay readable when that table goes. */
	for (size_t i = 0; !rc && i < p2->lg->nmigs; i++) {
		migration *m = p2->lg->migs[i];
		if (m->src != a->old || !m->info.native_only || !is_done(m->info.state))
			continue;
		const char *at = m->info.applied_at ? m->info.applied_at : now;
		char *by = xasprintf("native:%s", m->info.format);
		rc = ledger_table_write_by(d, m, strata_state_name(m->info.state), at, at,
		                           m->info.execution_ms, NULL, by);
		free(by);
		if (!rc)
			o->old_rows_kept++;
	}
	if (!rc)
		rc = run_write_state(p2, d, base, "baselined", now, now, 0, NULL);
	for (size_t b = 0; !rc && o->drop_old_tracker && b < p2->L->nbinds; b++) {
		const char *t = p2->L->binds[b].table;
		if (p2->L->binds[b].src != a->old || !t || db_table_exists(d, t) <= 0)
			continue;
		char *q = quoted_table(t), *sql = xasprintf("DROP TABLE %s", q);
		rc = db_exec(d, sql);
		if (!rc)
			snprintf(o->dropped, sizeof o->dropped, "%s", t);
		free(sql);
		free(q);
	}
	if (!rc && intr_signal(&p2->e->intr))
		rc = STRATA_EINTR;
	if (!rc)
		rc = db_commit(d);
	else if (d->conn)
		db_rollback(d);
	if (rc && intr_signal(&p2->e->intr))
		rc = run_interrupted(p2, NULL, false, NULL, NULL);
	run_close(p2, &ss);
	return rc;
}

/* The second look: a config, loader and ledger of the new strata.yaml. */
static int record_through_new_config(adopt_ctx *a, const char *url)
{
	config cfg2 = {0};
	loader L2;
	ledger lg2;
	plan p2;
	cfg2.lock_timeout_ms = a->p->cfg->lock_timeout_ms;
	int rc = config_load(a->p->e, &cfg2, a->yaml_tmp);
	cfg2.lock_timeout_ms = a->p->cfg->lock_timeout_ms;
	loader_init(&L2, a->p->e, &cfg2);
	ledger_init(&lg2, a->p->e, &cfg2);
	plan_init(&p2, a->p->e, &cfg2, &L2, &lg2);
	if (!rc)
		rc = record(a, &p2, url);
	plan_free(&p2);
	ledger_clear(&lg2);
	loader_free(&L2);
	config_free(&cfg2);
	return rc;
}

/* Everything under dir (which adopt made or found empty), then dir when
 * adopt made it. */
static void remove_tree(const char *dir, bool self)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char *p = path_join(dir, de->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(p, true);
			else
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	if (self)
		rmdir(dir);
}

int run_adopt(plan *p, const char *url, strata_adopt_opts *o)
{
	adopt_ctx a = { .p = p, .o = o };
	o->migration_id[0] = o->dropped[0] = o->folder[0] = o->new_source[0] = '\0';
	o->retired_source[0] = '\0';
	o->old_rows_kept = 0;
	int rc = check_args(&a);
	if (!rc) {
		snprintf(o->folder, sizeof o->folder, "%s", a.folder_rel);
		snprintf(o->new_source, sizeof o->new_source, "%s", a.format);
		snprintf(o->retired_source, sizeof o->retired_source, "%s",
		         p->cfg->sources[a.old].name);
		char *v = baseline_version(&a);
		snprintf(o->migration_id, sizeof o->migration_id, "%s:%s", a.format, v);
		free(v);
		rc = read_schema(&a, url);
	}
	if (!rc && o->dry_run) {
		if (o->sql_fn)
			o->sql_fn(o->sql_ud, a.sql.data, a.sql.len);
	} else if (!rc) {
		rc = write_files(&a);
		if (!rc)
			rc = write_yaml(&a);
		if (!rc)
			rc = record_through_new_config(&a, url);
		if (!rc && rename(a.yaml_tmp, p->cfg->file) != 0)
			rc = err_set(p->e, STRATA_EIO, STRATA_ECLASS_CONFIG, p->cfg->file, 0, 0,
			             "the database is adopted: move the new file into place by hand",
			             "cannot replace it with %s: %s", a.yaml_tmp, strerror(errno));
		else if (rc) {
			if (a.yaml_tmp)
				unlink(a.yaml_tmp);
			remove_tree(a.made_root ? a.made_root : a.folder, a.made_root != NULL);
		}
	}
	sbuf_free(&a.sql);
	free(a.yaml_tmp);
	free(a.folder);
	free(a.made_root);
	free(a.format);
	free(a.layout);
	free(a.dialect);
	free_stmts(&a);
	return rc;
}
