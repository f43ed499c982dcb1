/*
 * The replay cache of `verify` and `drift`: a scratch database that holds
 * the first k migrations of a history replayed is kept as a template, so
 * the next run starts from a copy of it and replays only k+1..n.
 *
 * Key.  key_k = sha256 over a header and, for each of the first k
 * migrations the replay runs (ledger order; verify: every one not
 * ignored, drift: those the target has done), its id, its up checksum as
 * the ledger has it and its flags (STRATA_MIG_NO_TRANSACTION: how it runs;
 * a "-- strata:no-transaction" directive or a file's own BEGIN is in the
 * script, so in the checksum).  The header: the scheme's version (KEY_TAG,
 * bumped whenever what a replay makes changes for the same scripts), the
 * dialect, the driver plugin's name and version, and the driver's
 * template_tag (PostgreSQL: server major version, user, schema, template1's
 * encoding and locale; SQLite: the library's version), and the project
 * (the config file's absolute path): a template of another project is
 * never used, even for the same scripts, so one project's pruning never
 * takes another's cache away (two checkouts of one history keep a cache
 * each).  One hash state is fed migration by migration and its digest
 * read at each step (sha256_run), so the n+1 keys of a history cost one
 * pass: 100,000 migrations are 100,000 state copies.
 *
 * Stores (template.h's tpl_store): PostgreSQL keeps a template as a
 * database strata_tpl_<first 32 hex of the key> beside the target (CREATE
 * DATABASE ... TEMPLATE, template_db.c and the driver's version-6 ops),
 * with COMMENT ON DATABASE "strata replay template: key=<64 hex>
 * prefix=<k> created=<time> project=<path>" so `\l+` says what it is.
 * SQLite keeps <key>.sqlite files in STRATA_TEMPLATE_DIR, else
 * ${XDG_CACHE_HOME:-~/.cache}/strata/templates (template_files.c).
 *
 * A run: list the store once, take the longest k whose template exists
 * (its comment's full key checked), make the scratch from it, replay
 * k+1..n.  The scratch is saved as the template of the prefix it holds
 * when that is longer than k: every migration replayed, or those before
 * one that failed inside a transaction (rolled back: the scratch is the
 * prefix j-1 exactly).  A failure outside a transaction, or an interrupt,
 * saves nothing.  After a save the project's templates beyond the
 * TPL_KEEP newest are dropped.  The cache never fails a command: a
 * template that cannot be used (busy, permissions) gives one info line and
 * the whole replay; one that cannot be saved, a debug line (an info line
 * for errors other than "another process saved it").  An explicit
 * --scratch, and --no-cache, use no cache and save nothing.
 */
#include "template.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY_TAG "strata replay template 1"

static bool replays(const plan *p, const bool *which, size_t i)
{
	return which ? which[i] : p->lg->migs[i]->info.state != STRATA_IGNORED;
}

static void add_str(sha256_run *h, const char *s)
{
	s = s ? s : "";
	sha256_run_add(h, s, strlen(s) + 1); /* with its NUL: fields cannot run together */
}

static char *project_of(const config *cfg)
{
	char buf[PATH_MAX];
	const char *p = cfg->file ? cfg->file : cfg->dir ? cfg->dir : ".";
	return xstrdup(realpath(p, buf) ? buf : p);
}

/* The driver's part of the header; false: the cache is off (said on debug). */
static bool tag_of(plan *p, run_scratch *s, const char *target_url, char *tag, size_t size)
{
	db a = {0};
	db *d = &s->target;
	int rc = 0;
	if (!d->conn) {
		rc = db_attach(&a, p->L, target_url);
		d = &a;
	}
	if (!rc)
		rc = db_template_tag(d, tag, size);
	if (rc == STRATA_ENOTFOUND) {
		tag[0] = '\0';
		rc = 0;
	}
	if (rc) {
		const strata_error_info *c = err_cur(p->e);
		logf_(p->e, STRATA_LOG_DEBUG, NULL, 0, "replay cache off: %s",
		      c->message ? c->message : "the driver cannot describe its scratch");
	}
	err_clear(p->e);
	if (d == &a)
		db_close(&a);
	return rc == 0;
}

run_tpl *tpl_prepare(plan *p, run_scratch *s, const char *target_url, const bool *which)
{
	if (p->no_replay_cache)
		return NULL;
	const tpl_store *st = s->target.conn && db_has_templates(&s->target) ? &tpl_databases
	                      : s->made_tmp                                  ? &tpl_files
	                                                                     : NULL;
	char tag[1024];
	if (!st || !tag_of(p, s, target_url, tag, sizeof tag))
		return NULL;
	run_tpl *t = xcalloc(1, sizeof *t);
	t->st = st;
	for (size_t i = 0; i < p->lg->nmigs; i++)
		t->n += replays(p, which, i);
	t->key = xcalloc(t->n + 1, sizeof *t->key);
	const char *dialect = dialect_of_url(p->L, target_url);
	const plugin *drv = s->target.plugin;
	if (!drv) {
		db a = {0};
		if (!db_attach(&a, p->L, target_url))
			drv = a.plugin;
		db_close(&a);
		err_clear(p->e);
	}
	t->project = project_of(p->cfg);
	sha256_run *h = sha256_run_new();
	add_str(h, KEY_TAG);
	add_str(h, dialect);
	add_str(h, drv ? drv->desc->name : NULL);
	add_str(h, drv ? drv->desc->version : NULL);
	add_str(h, tag);
	add_str(h, t->project);
	sha256_run_hex(h, t->key[0]);
	for (size_t i = 0, k = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		if (!replays(p, which, i))
			continue;
		char flags[16];
		snprintf(flags, sizeof flags, "%x", m->info.flags);
		add_str(h, m->info.id);
		add_str(h, m->info.checksum);
		add_str(h, flags);
		sha256_run_hex(h, t->key[++k]);
	}
	sha256_run_free(h);
	logf_(p->e, STRATA_LOG_DEBUG, NULL, 0, "replay cache: %zu keys, driver tag '%s'", t->n, tag);
	return t;
}

char *tpl_comment(const run_tpl *t, size_t k)
{
	char now[40];
	now_iso8601(now);
	return xasprintf("strata replay template: key=%s prefix=%zu created=%s project=%s", t->key[k],
	                 k, now, t->project);
}

static void tpl_free(run_tpl *t)
{
	for (size_t i = 0; i < t->nhave; i++)
		tpl_entry_clear(&t->have[i]);
	free(t->have);
	free(t->key);
	free(t->project);
	free(t->dir);
	free(t);
}

int tpl_make(plan *p, run_scratch *s, unsigned flags)
{
	run_tpl *t = s->tpl;
	err_ctx *e = p->e;
	if (t->st->list(p, s, t)) {
		const strata_error_info *c = err_cur(e);
		logf_(e, STRATA_LOG_INFO, NULL, 0, "replay cache not used: %s",
		      c->message ? c->message : "the templates cannot be listed");
		err_clear(e);
		return 0;
	}
	if (t->nhave)
		qsort(t->have, t->nhave, sizeof *t->have, tpl_entry_cmp);
	for (size_t k = t->n; k > 0 && t->nhave; k--) {
		char name[128];
		t->st->name(t, t->key[k], name, sizeof name);
		tpl_entry want = {.name = name};
		const tpl_entry *hit = bsearch(&want, t->have, t->nhave, sizeof *t->have, tpl_entry_cmp);
		if (!hit || !hit->key || strcmp(hit->key, t->key[k]))
			continue;
		t->base = t->clean = k;
		snprintf(t->base_name, sizeof t->base_name, "%s", name);
		if (k == t->n && !(flags & RUN_SCRATCH_READ)) { /* nothing to run, nothing to read */
			s->unmade = true;
			if (t->dir) /* a file: shown by its path, as load shows it */
				snprintf(t->base_name, sizeof t->base_name, "%s/%s", t->dir, name);
			return 1;
		}
		if (!t->st->load(p, s, t))
			return 1;
		const strata_error_info *c = err_cur(e);
		logf_(e, STRATA_LOG_INFO, NULL, 0,
		      "replay cache not used: %s; replaying the whole history",
		      c->message ? c->message : "the template cannot be copied");
		err_clear(e);
		t->base = t->clean = 0;
		t->base_name[0] = '\0';
		return 0;
	}
	return 0;
}

void tpl_replayed(run_tpl *t, size_t k, bool ok, bool undone)
{
	if (ok)
		t->clean = k;
	else if (!undone)
		t->dirty = true;
}

static int newest_first(const void *a, const void *b)
{
	const tpl_entry *x = *(const tpl_entry *const *)a, *y = *(const tpl_entry *const *)b;
	return -strcmp(x->created ? x->created : "", y->created ? y->created : "");
}

/* The project's templates beyond the TPL_KEEP newest, dropped.  The one
 * just saved is in have[] (added by tpl_close). */
static void prune(plan *p, run_scratch *s, run_tpl *t)
{
	const tpl_entry **mine = xcalloc(t->nhave + 1, sizeof *mine);
	size_t n = 0;
	for (size_t i = 0; i < t->nhave; i++)
		if (t->have[i].project && t->have[i].created && !strcmp(t->have[i].project, t->project))
			mine[n++] = &t->have[i];
	qsort(mine, n, sizeof *mine, newest_first);
	for (size_t i = TPL_KEEP; i < n; i++) {
		logf_(p->e, STRATA_LOG_DEBUG, NULL, 0, "replay cache: dropping the template %s",
		      mine[i]->name);
		t->st->drop(p, s, t, mine[i]);
		err_clear(p->e);
	}
	free(mine);
}

void tpl_close(plan *p, run_scratch *s)
{
	run_tpl *t = s->tpl;
	err_ctx *e = p->e;
	s->tpl = NULL;
	if (!t)
		return;
	if (t->dirty || t->clean <= t->base || intr_signal(&e->intr)) {
		tpl_free(t);
		return;
	}
	err_saved kept;
	err_save(e, &kept);
	err_clear(e);
	char name[128];
	t->st->name(t, t->key[t->clean], name, sizeof name);
	char *comment = tpl_comment(t, t->clean);
	int rc = t->st->save(p, s, t, t->clean, name, comment);
	if (rc < 0) {
		const strata_error_info *c = err_cur(e);
		logf_(e, STRATA_LOG_INFO, NULL, 0, "replay cache: the replay was not saved: %s",
		      c->message ? c->message : "cannot save the template");
	} else {
		logf_(e, STRATA_LOG_DEBUG, NULL, 0, "replay cache: %s the template of the first %zu (%s)",
		      rc ? "another process saved" : "saved", t->clean, name);
		t->have = xrealloc(t->have, (t->nhave + 1) * sizeof *t->have);
		tpl_entry_read(&t->have[t->nhave++], name, comment);
		prune(p, s, t);
	}
	free(comment);
	err_clear(e);
	err_restore(e, &kept);
	tpl_free(t);
}
