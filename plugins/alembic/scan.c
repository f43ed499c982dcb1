/* A source for Alembic histories: every revision file in the version
 * folders, its place in the graph (down_revision, depends_on, branch
 * labels), and its upgrade()/downgrade() as SQL for the target's dialect.
 * Alembic learns a revision's identity by importing the module; strata reads
 * the same module-level assignments without Python (pyread.c) and
 * translates the bodies (opsql.c).  What cannot be translated keeps its
 * place in the ledger and is marked, so apply stops before it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alembic_int.h"
#include "memo.h"
#include "opsql.h"
#include "unroll.h"
#include "pyenum.h"
#include "pyexpr.h"
#include "pyread.h"
#include "types_yaml.h"

/* A revision file, relative to cfg->path, and its place in the listing. */
typedef struct fent {
	char *rel;
	size_t seq;
} fent;

typedef struct scan_ctx {
	strata_host *h;
	const strata_source_cfg *cfg;
	fent *files;
	size_t nfiles;
	rev *revs;
	size_t nrevs;
	rev **by_id; /* sorted by revision id */
	int want_down; /* the command runs down scripts (STRATA_WANT_DOWN_TEXT) */
	int dirfd;     /* cfg->path, for openat() */
	at_types *types; /* formats/alembic/types.yaml and the source's `types:` file */
	opsql_history *history; /* with an `arguments:` tables entry: what the revisions make */
	char *assume;    /* alembic.ini's options as assume: lines, then the source's assume: */
	al_memo *memo;   /* the translations of earlier commands (memo.h), NULL: none */
} scan_ctx;

static int add_file(scan_ctx *c, const char *rel)
{
	fent *nf = realloc(c->files, (c->nfiles + 1) * sizeof *nf);
	char *dup = strdup(rel);
	if (!nf || !dup) {
		free(dup);
		if (nf)
			c->files = nf;
		return strata_oom(c->h);
	}
	c->files = nf;
	c->files[c->nfiles] = (fent){dup, c->nfiles};
	c->nfiles++;
	return 0;
}

/* A *.py name is a revision only as a regular file (or a link to one); a
 * folder so named (without recursive_version_locations), a dangling or
 * looping link or a FIFO would be left out unseen, so it is refused. */
static int revision_file(scan_ctx *c, const char *abs, const char *rel)
{
	int rc = strata_refuse_entry(c->h, AT_FDCWD, abs, rel);
	if (rc == STRATA_EINVAL)
		return rc;
	return rc == STRATA_OK ? add_file(c, rel) : STRATA_OK;
}

/* Alembic's rule: every *.py but __init__.py and editor locks (.#*);
 * subfolders only with recursive_version_locations. */
static int list_dir(scan_ctx *c, const char *abs, const char *rel, int recursive)
{
	DIR *d = opendir(abs);
	if (!d) {
		c->h->error(c->h, STRATA_ECLASS_SOURCE, rel && *rel ? rel : c->cfg->path, 0, 0,
		            "check the path in strata.yaml (or version_locations in alembic.ini)",
		            "cannot read the versions folder: %s", strerror(errno));
		return STRATA_EIO;
	}
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' || !strcmp(n, "__pycache__"))
			continue;
		char *sub = al_join(abs, n);
		char *srel = rel && *rel ? al_join(rel, n) : strdup(n);
		struct stat st;
		/* d_type spares a stat() per file; some file systems leave it unknown. */
		int dir = e->d_type == DT_DIR ||
		          ((e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) && sub &&
		           stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
		size_t l = strlen(n);
		int py = l > 3 && !strcmp(n + l - 3, ".py") && strcmp(n, "__init__.py");
		if (!sub || !srel)
			rc = strata_oom(c->h);
		else if (dir && recursive)
			rc = list_dir(c, sub, srel, recursive);
		else if (py && e->d_type == DT_REG) /* a regular file, no link: nothing to refuse */
			rc = add_file(c, srel);
		else if (py)
			rc = revision_file(c, sub, srel);
		free(sub);
		free(srel);
	}
	closedir(d);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const fent *)a)->rel, ((const fent *)b)->rel);
}

/* By id, then by file: a duplicate is always reported on the same file. */
static int cmp_rev(const void *a, const void *b)
{
	const rev *x = *(rev *const *)a, *y = *(rev *const *)b;
	int c = strcmp(x->py.revision.str, y->py.revision.str);
	return c ? c : strcmp(x->file, y->file);
}

static rev *find_rev(const scan_ctx *c, const char *id)
{
	size_t lo = 0, hi = c->nrevs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(c->by_id[mid]->py.revision.str, id);
		if (!r)
			return c->by_id[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The message Alembic shows: the docstring's first line. */
static char *doc_name(const char *t, size_t len)
{
	const char *p = t, *end = t + len;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p < end && *p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	if (p < end && (*p == 'r' || *p == 'R' || *p == 'u' || *p == 'U'))
		p++;
	if (p >= end || (*p != '"' && *p != '\''))
		return strdup("");
	char q = *p;
	int triple = end - p >= 3 && p[1] == q && p[2] == q;
	p += triple ? 3 : 1;
	while (p < end && (*p == ' ' || *p == '\t' || (triple && (*p == '\n' || *p == '\r'))))
		p++;
	const char *s = p;
	while (p < end && *p != '\n' && *p != '\r' && *p != q)
		p++;
	while (p > s && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return strndup(s, (size_t)(p - s));
}

/* One function translated into *out; 1 when the file is not Python this
 * reader follows (err, *line), -1 out of memory. */
static int translate(const px_toks *tk, const char *fn, opsql_dialect dia, const char *assume,
                     const opsql_env *env, rev_sql *out, char *err, size_t errsize, int *line)
{
	opsql_result o;
	if (unroll_translate_env(tk, fn, dia, assume, env, &o, err, errsize, line)) {
		opsql_result_free(&o);
		return 1;
	}
	*out = (rev_sql){ o.status, o.no_transaction, o.line, o.sql, o.len, o.lines, o.cols, o.nlines,
	                  NULL };
	if (o.status != OPSQL_OK && o.status != OPSQL_NOFUNC && !(out->reason = strdup(o.reason)))
		return -1;
	return 0;
}

/* Identity, name and SQL of one revision from its tokens. */
static int judge(const scan_ctx *c, rev *r, const char *text, size_t len, const px_toks *tk,
                 opsql_dialect dia, char *err, size_t errsize)
{
	int line = 0;
	if (py_read_revision_tok(text, len, tk, &r->py, err, errsize, &line)) {
		r->errline = line;
		r->errhint = "Alembic could not import this file either";
		return STRATA_EINVAL;
	}
	if (!r->py.has_revision || r->py.revision.kind != PY_STR || !*r->py.revision.str) {
		r->errline = r->py.has_revision ? r->py.revision.line : 1;
		r->errhint = "declare  revision = '<id>'  at module level, as Alembic's template does";
		snprintf(err, errsize, "no revision id in this file");
		return STRATA_EINVAL;
	}
	if (!(r->name = doc_name(text, len))) {
		snprintf(err, errsize, "out of memory");
		return STRATA_ENOMEM;
	}
	/* column types: the YAML table; application enums: found from the file */
	const char *assume = c->assume ? c->assume : strata_cfg_option(c->cfg, "assume");
	char *abs = al_join(c->cfg->path, r->file);
	if (!abs) {
		snprintf(err, errsize, "out of memory");
		return STRATA_ENOMEM;
	}
	opsql_env env = { c->types, abs, text, len, NULL, strata_cfg_option(c->cfg, "arguments"), c->history };
	int bad = translate(tk, "upgrade", dia, assume, &env, &r->up, err, errsize, &line);
	if (!bad && c->want_down)
		bad = translate(tk, "downgrade", dia, assume, &env, &r->down, err, errsize, &line);
	free(abs);
	if (bad < 0) {
		snprintf(err, errsize, "out of memory");
		return STRATA_ENOMEM;
	}
	if (bad) {
		r->errline = line;
		r->errhint = "Alembic could not import this file either";
		return STRATA_EINVAL;
	}
	if (c->want_down) {
		r->has_down = r->down.status != OPSQL_NOFUNC;
	} else {
		/* Only rollback runs down scripts: the rest need to know one exists. */
		r->has_down = r->py.downgrade_line > 0;
		r->down.line = r->py.downgrade_line;
		r->down_skipped = 1;
	}
	return 0;
}

typedef struct judge_args {
	const scan_ctx *c;
	rev *r;
	const char *text;
	size_t len;
	opsql_dialect dia;
	char *err;
	size_t errsize;
	int rc; /* judge()'s status, to tell its errors from the tokenizer's */
} judge_args;

static int judge_tokens(const px_toks *tk, void *ud)
{
	judge_args *j = ud;
	j->rc = judge(j->c, j->r, j->text, j->len, tk, j->dia, j->err, j->errsize);
	return j->rc ? -1 : 0;
}

/* The file tokenized once, for the identity reader and the translator. */
static int understand(const scan_ctx *c, rev *r, const char *text, size_t len,
                      opsql_dialect dia, char *err, size_t errsize)
{
	if (memchr(text, '\0', len)) { /* py_read_revision names the NUL's line */
		int line = 0;
		py_read_revision(text, len, &r->py, err, errsize, &line);
		r->errline = line;
		r->errhint = "Alembic could not import this file either";
		return STRATA_EINVAL;
	}
	judge_args j = { c, r, text, len, dia, err, errsize, 0 };
	int line = 0;
	if (px_with_tokens(text, len, judge_tokens, &j, err, errsize, &line) == 0)
		return 0;
	if (!j.rc) { /* did not tokenize, or out of memory */
		r->errline = line;
		r->errhint = "Alembic could not import this file either";
		return line ? STRATA_EINVAL : STRATA_ENOMEM;
	}
	return j.rc;
}

/* One file's work, on a worker thread: no host calls, the outcome (or the
 * error, with its line and hint) stays in r for the main thread to report
 * in file order, so the first error is the same whatever the threads did. */
static void read_one(const scan_ctx *c, rev *r, opsql_dialect dia)
{
	char err[512] = "";
	char *text = r->text; /* the history's read of it, if any */
	size_t len = r->len;
	r->text = NULL;
	/* list_dir() saw a regular file (d_type, or a link stat() followed) */
	int e = text ? 0 : strata_slurp_listed(c->dirfd, r->file, &text, &len);
	if (e == ENOENT) { /* gone while we looked */
		r->gone = 1;
		return;
	}
	if (e) {
		r->rc = e == ENOMEM ? STRATA_ENOMEM : STRATA_EIO;
		snprintf(err, sizeof err, "cannot read: %s", strerror(e));
	} else {
		int hit = 0;
		if (c->memo && al_memo_key(c->memo, r->file, text, len, r->key) == 0 &&
		    (hit = al_memo_get(c->memo, r->key, r)) == 0)
			r->memo = 1; /* kept unless the translation looks elsewhere */
		if (hit < 0) {
			r->rc = STRATA_ENOMEM;
			snprintf(err, sizeof err, "out of memory");
		} else if (hit) {
			r->memo = 2;
		} else {
			pe_fs_probes = 0;
			r->rc = understand(c, r, text, len, dia, err, sizeof err);
			r->memo &= !r->rc && !pe_fs_probes;
		}
	}
	free(text);
	if (r->rc && !(r->err = strdup(err)))
		r->rc = STRATA_ENOMEM;
}

typedef struct readers {
	scan_ctx *c;
	opsql_dialect dia;
} readers;

static void read_nth(void *ud, size_t i)
{
	readers *r = ud;
	read_one(r->c, &r->c->revs[i], r->dia);
}

/* Reading and translating a thousand files is CPU work that splits cleanly:
 * one share per core (strata_each), below 64 files one thread. */
static void read_all(scan_ctx *c, opsql_dialect dia)
{
	readers r = { c, dia };
	strata_each(c->nrevs, 64, read_nth, &r);
}

/* With a `tables` entry under arguments:, what every revision file says
 * about its tables, before any is translated (opsql_history_read()); each
 * file's text stays in its rev for read_one(), which does not read it again. */
static int read_history(scan_ctx *c, opsql_dialect dia)
{
	const char *args = strata_cfg_option(c->cfg, "arguments");
	int want = 0;
	for (const char *p = args; p && (p = strstr(p, "=tables")); p++)
		want |= p[7] == '\n' || !p[7];
	if (!want)
		return 0;
	if (!(c->history = opsql_history_new()))
		return strata_oom(c->h);
	for (size_t i = 0; i < c->nrevs; i++) {
		rev *r = &c->revs[i];
		if (strata_slurpat(c->dirfd, r->file, &r->text, &r->len))
			continue; /* read_one() reads it again and reports it */
		char *abs = al_join(c->cfg->path, r->file);
		opsql_env env = { c->types, abs, r->text, r->len, NULL, NULL, NULL };
		int bad = !abs || opsql_history_read(c->history, r->text, r->len, r->file, dia, &env);
		free(abs);
		if (bad)
			return strata_oom(c->h);
	}
	return 0;
}

/* Every id a revision depends on: down_revision first, then depends_on
 * (an id, a branch label, or a unique id prefix, as Alembic resolves them). */
static int resolve(scan_ctx *c, rev *r)
{
	const py_value *dv = &r->py.down_revision, *dep = &r->py.depends_on;
	size_t nd = dv->kind == PY_STR ? 1 : dv->kind == PY_LIST ? dv->nitems : 0;
	size_t ne = dep->kind == PY_STR ? 1 : dep->kind == PY_LIST ? dep->nitems : 0;
	r->parents = calloc(nd + ne + 1, sizeof *r->parents);
	if (!r->parents)
		return strata_oom(c->h);
	size_t n = 0;
	for (size_t i = 0; i < nd; i++) {
		const char *id = dv->kind == PY_STR ? dv->str : dv->items[i];
		rev *p = find_rev(c, id);
		if (!p) {
			c->h->error(c->h, STRATA_ECLASS_SOURCE, r->file, dv->line, 0,
			            "fix down_revision, or restore the missing revision file",
			            "Revision %s referenced from %s -> %s is not present", id, id,
			            r->py.revision.str);
			return STRATA_EINVAL;
		}
		r->parents[n++] = p->py.revision.str;
	}
	r->ndown = n;
	for (size_t i = 0; i < ne; i++) {
		const char *id = dep->kind == PY_STR ? dep->str : dep->items[i];
		rev *p = find_rev(c, id);
		size_t hits = 0;
		for (size_t k = 0; !p && k < c->nrevs; k++) { /* a branch label */
			const py_value *bl = &c->revs[k].py.branch_labels;
			for (size_t j = 0; bl->kind == PY_LIST && j < bl->nitems; j++)
				if (!strcmp(bl->items[j], id))
					p = &c->revs[k];
			if (bl->kind == PY_STR && !strcmp(bl->str, id))
				p = &c->revs[k];
		}
		for (size_t k = 0; !p && k < c->nrevs; k++) /* a unique prefix */
			if (!strncmp(c->revs[k].py.revision.str, id, strlen(id)))
				hits++;
		for (size_t k = 0; !p && hits == 1 && k < c->nrevs; k++)
			if (!strncmp(c->revs[k].py.revision.str, id, strlen(id)))
				p = &c->revs[k];
		if (!p) {
			c->h->error(c->h, STRATA_ECLASS_SOURCE, r->file, dep->line, 0,
			            hits ? "give more of the id" : "fix depends_on",
			            hits ? "Multiple revisions start with '%s' (depends_on of %s)"
			                 : "Can't locate revision identified by '%s' (depends_on of %s)",
			            id, r->py.revision.str);
			return STRATA_EINVAL;
		}
		int dup = 0;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(r->parents[k], p->py.revision.str);
		if (!dup)
			r->parents[n++] = p->py.revision.str;
	}
	return 0;
}

static const char *status_text(const rev_sql *o, const char *fn, const char *dialect,
                               char *buf, size_t size)
{
	switch (o->status) {
	case OPSQL_OK:
		return NULL;
	case OPSQL_REFUSED:
		snprintf(buf, size, "%s() is refused on %s, as Alembic refuses it: %s", fn, dialect,
		         o->reason);
		return buf;
	case OPSQL_NOFUNC:
		snprintf(buf, size, "no %s() function", fn);
		return buf;
	default:
		snprintf(buf, size, "%s() cannot be translated to SQL: %s", fn, o->reason);
		return buf;
	}
}

static int hand_over(scan_ctx *c, rev *r, const al_offline *off, const char *dialect)
{
	const char *id = r->py.revision.str;
	const al_block *ub = off ? al_offline_find(off, id, 0) : NULL;
	const al_block *db = off ? al_offline_find(off, id, 1) : NULL;
	char ubuf[700], dbuf[700], hint[1024];
	const char *first = r->parents[0] && r->ndown ? r->parents[0] : "";
	int up_ok = ub || r->up.status == OPSQL_OK, down_ok = db || !r->has_down ||
	                                                       r->down.status == OPSQL_OK;
	/* Batch mode needs the table's definition, which Alembic's offline
	 * script cannot give either: name copy_from= instead. */
	const rev_sql *bad = !up_ok ? &r->up : &r->down;
	if ((!up_ok || !down_ok) && bad->status == OPSQL_UNTRANSLATABLE &&
	    strstr(bad->reason, "without copy_from"))
		snprintf(hint, sizeof hint,
		         "give batch_alter_table(..., copy_from=sa.Table(...)) the table as it is before "
		         "the batch (Alembic's --sql needs it too); or, if the database already has it, "
		         "`strata baseline --to %s:%s`",
		         c->cfg->name, id);
	else if (!up_ok && r->auto_note)
		snprintf(hint, sizeof hint,
		         "offline_sql: auto: %s; or, if the database already has it, "
		         "`strata baseline --to %s:%s`",
		         r->auto_note, c->cfg->name, id);
	else if (!down_ok && r->auto_note)
		snprintf(hint, sizeof hint,
		         "offline_sql: auto: %s; or undo it by hand and `strata mark %s:%s --rolled-back`",
		         r->auto_note, c->cfg->name, id);
	else if (!up_ok)
		snprintf(hint, sizeof hint,
		         "use Alembic's own SQL: `alembic upgrade %s%s%s --sql > FILE` and  "
		         "offline_sql: FILE  on source '%s'; or, if the database already has it, "
		         "`strata baseline --to %s:%s`",
		         first, *first ? ":" : "", id, c->cfg->name, c->cfg->name, id);
	else if (!down_ok)
		snprintf(hint, sizeof hint,
		         "use Alembic's own SQL: `alembic downgrade %s:%s --sql > FILE` and  "
		         "offline_sql: FILE  on source '%s'; or undo it by hand and "
		         "`strata mark %s:%s --rolled-back`",
		         id, *first ? first : "base", c->cfg->name, c->cfg->name, id);
	else
		hint[0] = '\0';
	strata_migration_desc d = STRATA_MIGRATION_DESC_INIT;
	d.mig_version = id;
	d.name = r->name;
	d.file = r->file;
	d.down_file = r->file;
	d.parents = r->parents;
	size_t np = 0;
	while (r->parents[np])
		np++;
	d.dependencies = (unsigned)(np - r->ndown);
	if (ub) {
		d.up = ub->sql;
		d.up_len = ub->len;
		d.file = ub->file ? ub->file : off->file; /* SQL errors point into the offline script */
		d.line = ub->line + 2;
		d.flags |= ub->no_transaction ? STRATA_MIG_NO_TRANSACTION : 0;
	} else {
		d.up = r->up.sql ? r->up.sql : "";
		d.up_len = r->up.sql ? r->up.len : 0;
		d.line = r->up.line;
		d.flags |= r->up.no_transaction ? STRATA_MIG_NO_TRANSACTION : 0;
		d.up_blocked = status_text(&r->up, "upgrade", dialect, ubuf, sizeof ubuf);
		d.up_blocked_line = r->up.line;
		if (r->up.status == OPSQL_OK && r->up.lines) {
			d.up_lines = r->up.lines; /* error lines: the .py's, not counted */
			d.up_cols = r->up.cols;
			d.up_nlines = r->up.nlines;
		}
	}
	if (db) {
		d.down = db->sql;
		d.down_len = db->len;
		d.down_file = db->file ? db->file : off->file;
		d.down_line = db->line + 2;
		d.flags |= STRATA_MIG_HAS_DOWN;
	} else if (r->has_down && r->down_skipped) {
		d.down = NULL; /* exists; its text was not asked for */
		d.down_line = r->down.line;
		d.flags |= STRATA_MIG_HAS_DOWN;
	} else if (r->has_down) {
		d.down = r->down.sql ? r->down.sql : "";
		d.down_len = r->down.sql ? r->down.len : 0;
		d.down_line = r->down.line;
		d.flags |= STRATA_MIG_HAS_DOWN;
		d.down_blocked = status_text(&r->down, "downgrade", dialect, dbuf, sizeof dbuf);
		d.down_blocked_line = r->down.line;
		if (r->down.status == OPSQL_OK && r->down.lines) {
			d.down_lines = r->down.lines;
			d.down_cols = r->down.cols;
			d.down_nlines = r->down.nlines;
		}
	}
	d.blocked_hint = hint[0] ? hint : NULL;
	return c->h->add_migration(c->h, &d);
}

static int note(rev *r, const char *fmt, const char *arg)
{
	char buf[900];
	snprintf(buf, sizeof buf, fmt, arg);
	free(r->auto_note);
	r->auto_note = strdup(buf);
	return 0;
}

/* offline_sql: auto: Alembic's own SQL for each upgrade / downgrade strata
 * cannot translate, gathered into off as if one script held them all.
 * Where Alembic cannot give it, the revision stays untranslatable and its
 * hint says why. */
static int auto_offline(scan_ctx *c, int has_ini, const char *dialect, const char *vt,
                        al_offline *off)
{
	memset(off, 0, sizeof *off);
	off->table = vt;
	char *alembic = NULL;
	int rc = 0, looked = 0;
	for (size_t i = 0; !rc && i < c->nrevs; i++) {
		rev *r = &c->revs[i];
		int want[2] = { r->up.status == OPSQL_UNTRANSLATABLE,
		                r->has_down && !r->down_skipped && r->down.status == OPSQL_UNTRANSLATABLE };
		if (!want[0] && !want[1])
			continue;
		if (!has_ini) {
			note(r, "%s", "Alembic needs the project folder (the one holding alembic.ini) as "
			              "the source's path");
			continue;
		}
		if (!looked) { /* NULL: only cached scripts serve */
			alembic = al_auto_alembic();
			looked = 1;
		}
		char *abs = al_join(c->cfg->path, r->file), *text = NULL;
		size_t len = 0;
		if (!abs)
			rc = strata_oom(c->h);
		else
			rc = strata_read_file(c->h, AT_FDCWD, abs, r->file, &text, &len);
		free(abs);
		const char *from = r->ndown ? r->parents[0] : NULL;
		for (int down = 0; !rc && down < 2; down++) {
			if (!want[down])
				continue;
			char *script = NULL, why[800];
			int e = al_auto_script(c->h, c->cfg, alembic, dialect, r->py.revision.str, from, down,
			                       text, len, &script, why, sizeof why);
			if (e < -1)
				rc = e;
			else if (e == -1)
				note(r, "%s", why);
			else {
				al_offline one;
				rc = al_offline_read_vt(c->h, script, script, vt, &one);
				/* move the revision's own block into off */
				const al_block *b = rc ? NULL : al_offline_find(&one, r->py.revision.str, down);
				if (!rc && !b)
					note(r, "Alembic's offline script %s has no block for this revision", script);
				else if (!rc) {
					al_block *nb = realloc(off->blocks, (off->n + 1) * sizeof *nb);
					char *f = strdup(script);
					if (!nb || !f) {
						free(f);
						if (nb)
							off->blocks = nb;
						rc = strata_oom(c->h);
					} else {
						off->blocks = nb;
						nb[off->n] = *b;
						nb[off->n].file = f;
						for (size_t k = 0; k < one.n; k++)
							if (&one.blocks[k] == b)
								one.blocks[k].rev = one.blocks[k].sql = NULL;
						off->n++;
					}
				}
				if (!rc || one.blocks)
					al_offline_free(&one);
			}
			free(script);
		}
		free(text);
	}
	free(alembic);
	return rc;
}

static void rev_sql_free(rev_sql *o)
{
	free(o->sql);
	free(o->lines);
	free(o->cols);
	free(o->reason);
}

static void rev_free(rev *r)
{
	free(r->err);
	free(r->file);
	free(r->name);
	py_revision_free(&r->py);
	rev_sql_free(&r->up);
	rev_sql_free(&r->down);
	free(r->parents);
	free(r->auto_note);
	free(r->text);
	memset(r, 0, sizeof *r);
}

/* by_id: every revision, sorted by id (then file). */
static int index_ids(scan_ctx *c)
{
	free(c->by_id);
	c->by_id = NULL;
	if (!c->nrevs)
		return 0;
	if (!(c->by_id = malloc(c->nrevs * sizeof *c->by_id)))
		return strata_oom(c->h);
	for (size_t i = 0; i < c->nrevs; i++)
		c->by_id[i] = &c->revs[i];
	qsort(c->by_id, c->nrevs, sizeof *c->by_id, cmp_rev);
	return 0;
}

/* Alembic's rule for one id in several files: a warning naming both, and
 * the one loaded last is the revision.  Returns how many files were dropped
 * (by_id is then stale). */
static size_t drop_duplicates(scan_ctx *c)
{
	size_t dropped = 0;
	for (size_t i = 0; i < c->nrevs;) {
		size_t j = i + 1;
		while (j < c->nrevs && !strcmp(c->by_id[i]->py.revision.str, c->by_id[j]->py.revision.str))
			j++;
		if (j == i + 1) { /* one file: nothing to drop, nothing to say */
			i = j;
			continue;
		}
		rev *win = c->by_id[i];
		for (size_t k = i + 1; k < j; k++)
			if (c->by_id[k]->seq > win->seq)
				win = c->by_id[k];
		/* Alembic leaves the ignored file among its heads, so a revision
		 * below the id (a down_revision naming it) makes its `upgrade heads`
		 * fail ("overlaps"): worth saying. */
		const char *id = win->py.revision.str;
		int child = 0;
		for (size_t k = 0; !child && k < c->nrevs; k++) {
			const py_value *dv = &c->revs[k].py.down_revision;
			child = dv->kind == PY_STR && !strcmp(dv->str, id);
			for (size_t m = 0; !child && dv->kind == PY_LIST && m < dv->nitems; m++)
				child = !strcmp(dv->items[m], id);
		}
		for (size_t k = i; k < j; k++) {
			rev *r = c->by_id[k];
			if (r == win)
				continue;
			c->h->warn(c->h, r->file, r->py.revision.line,
			           "Revision %s is present more than once (also in %s, which Alembic "
			           "loads later and uses); this file is ignored%s",
			           id, win->file,
			           child ? " (Alembic still counts it as a head: its `upgrade heads` "
			                   "fails until one of the two is renamed)"
			                 : "");
			r->gone = 1;
			dropped++;
		}
		i = j;
	}
	if (!dropped)
		return 0;
	size_t kept = 0;
	for (size_t i = 0; i < c->nrevs; i++) {
		if (c->revs[i].gone) {
			rev_free(&c->revs[i]);
			continue;
		}
		if (kept != i)
			c->revs[kept] = c->revs[i];
		kept++;
	}
	c->nrevs = kept;
	return dropped;
}

static void ctx_free(scan_ctx *c)
{
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i].rel);
	free(c->files);
	for (size_t i = 0; i < c->nrevs; i++)
		rev_free(&c->revs[i]);
	free(c->revs);
	free(c->by_id);
	at_free(c->types);
	opsql_history_free(c->history);
	free(c->assume);
	al_memo_free(c->memo);
}

/* Alembic creates version_num as VARCHAR(32); PostgreSQL refuses a longer
 * value (SQLite keeps any text), so a longer id could be applied but never
 * recorded.  Refused here, before any command runs anything, at the line of
 * its `revision =`.  Characters, not bytes, as VARCHAR counts them. */
static int ids_fit(scan_ctx *c, const char *dialect)
{
	if (strcmp(dialect, "postgresql"))
		return 0;
	for (size_t i = 0; i < c->nrevs; i++) {
		const py_value *v = &c->revs[i].py.revision;
		size_t chars = 0;
		for (const unsigned char *p = (const unsigned char *)v->str; p && *p; p++)
			chars += (*p & 0xC0) != 0x80;
		if (chars <= 32)
			continue;
		c->h->error(c->h, STRATA_ECLASS_SOURCE, c->revs[i].file, v->line, 0,
		            "shorten it (and the down_revision that names it): Alembic's own upgrade "
		            "fails there too (value too long for type character varying(32))",
		            "revision id '%.24s…' has %zu characters; Alembic's "
		            "alembic_version.version_num is VARCHAR(32) on postgresql",
		            v->str, chars);
		return STRATA_EINVAL;
	}
	return 0;
}

int al_scan(strata_host *h, const strata_source_cfg *cfg)
{
	scan_ctx c = {.h = h, .cfg = cfg, .want_down = (cfg->want & STRATA_WANT_DOWN_TEXT) != 0};
	const char *dialect = STRATA_HAS(strata_source_cfg, cfg, dialect) && cfg->dialect
	                          ? cfg->dialect
	                          : "postgresql";
	opsql_dialect dia = !strcmp(dialect, "sqlite") ? OPSQL_SQLITE : OPSQL_POSTGRESQL;
	const char *ropt = strata_cfg_option(cfg, "recursive");
	int recursive = ropt && (!strcmp(ropt, "true") || !strcmp(ropt, "yes") || !strcmp(ropt, "1"));

	/* The folders: alembic.ini's when path is the project, else path itself. */
	al_ini ini;
	int rc = al_ini_read(h, cfg->path, &ini);
	if (rc < 0)
		return rc;
	int has_ini = rc == 1;
	if (rc == 1) {
		/* config.get_main_option() in revisions: alembic.ini's, unless assume: says */
		const char *own = strata_cfg_option(cfg, "assume");
		size_t mn = strlen(ini.main_options), on = own ? strlen(own) : 0;
		if (!(c.assume = malloc(mn + on + 2))) {
			al_ini_free(&ini);
			return strata_oom(h);
		}
		memcpy(c.assume, ini.main_options, mn);
		c.assume[mn] = '\n';
		memcpy(c.assume + mn + 1, own ? own : "", on + 1);
		recursive |= ini.recursive;
		size_t plen = strlen(cfg->path);
		rc = 0;
		for (size_t i = 0; i < ini.ndirs; i++) {
			const char *abs = ini.version_dirs[i];
			const char *rel = !strncmp(abs, cfg->path, plen) && abs[plen] == '/' ? abs + plen + 1 : abs;
			if ((rc = list_dir(&c, abs, rel, recursive)))
				break;
		}
		al_ini_free(&ini);
	} else {
		rc = list_dir(&c, cfg->path, "", recursive);
	}
	if (!rc && c.nfiles)
		qsort(c.files, c.nfiles, sizeof *c.files, cmp_file);

	if (!rc && c.nfiles && !(c.revs = calloc(c.nfiles, sizeof *c.revs)))
		rc = strata_oom(h);
	for (size_t i = 0; !rc && i < c.nfiles; i++) { /* the files become owned by revs */
		c.revs[c.nrevs].seq = c.files[i].seq;
		c.revs[c.nrevs++].file = c.files[i].rel;
		c.files[i].rel = NULL;
	}
	if (!rc)
		rc = at_load_all(h, cfg->path, strata_cfg_option(cfg, "types"), &c.types);
	char aerr[512];
	if (!rc && opsql_arguments_check(strata_cfg_option(cfg, "arguments"), aerr, sizeof aerr)) {
		h->error(h, STRATA_ECLASS_CONFIG, cfg->config_file, cfg->config_line, 0,
		         "give each parameter env.py passes to upgrade(), as in  arguments: {tester: noop, tables: tables}",
		         "source '%s': %s", cfg->name, aerr);
		rc = STRATA_EINVAL;
	}
	if (!rc && (c.dirfd = open(cfg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		h->error(h, STRATA_ECLASS_SOURCE, NULL, 0, 0,
		         "check the path in strata.yaml", "cannot open %s: %s", cfg->path,
		         strerror(errno));
		rc = STRATA_EIO;
	}
	if (!rc)
		rc = read_history(&c, dia);
	if (!rc && !c.history) /* with `tables`, every file is an input of every other */
		c.memo = al_memo_open(h, cfg, dia, c.want_down,
		                      c.assume ? c.assume : strata_cfg_option(cfg, "assume"),
		                      strata_cfg_option(cfg, "arguments"), strata_cfg_option(cfg, "types"));
	if (!rc) {
		read_all(&c, dia);
		close(c.dirfd);
	}
	if (c.memo)
		al_memo_release(c.memo);
	/* Errors in file order; files that vanished meanwhile are dropped. */
	size_t kept = 0;
	for (size_t i = 0; i < c.nrevs; i++) {
		rev *r = &c.revs[i];
		if (!rc && r->rc) {
			h->error(h, STRATA_ECLASS_SOURCE, r->file, r->errline, 0, r->errhint, "%s",
			         r->err ? r->err : "out of memory");
			rc = r->rc;
		}
		if (r->gone && !rc) {
			rev_free(r);
			continue;
		}
		if (kept != i) /* revs are large: move only when a file vanished */
			c.revs[kept] = *r;
		kept++;
	}
	c.nrevs = kept;

	if (!rc && STRATA_HAS(strata_source_cfg, cfg, dialect) && cfg->dialect)
		rc = ids_fit(&c, cfg->dialect);

	/* Identity: one file per revision id.  Alembic 1.8.1 (RevisionMap) warns
	 * "Revision X is present more than once" and keeps the file it loads last:
	 * version locations in order, each folder in os.listdir() order, which is
	 * readdir()'s, as here.  So does strata. */
	if (!rc)
		rc = index_ids(&c);
	if (!rc && drop_duplicates(&c))
		rc = index_ids(&c);
	for (size_t i = 0; !rc && i < c.nrevs; i++)
		rc = resolve(&c, &c.revs[i]);

	/* The version table: its DML in an offline script is Alembic's
	 * bookkeeping; and a bad name is reported now, not at the first write. */
	al_vtable vt = {0};
	if (!rc)
		rc = al_vtable_get(h, cfg, dialect, 1, &vt);
	al_offline off = {0};
	const char *offpath = strata_cfg_option(cfg, "offline_sql");
	int autosql = offpath && !strcmp(offpath, "auto");
	if (!rc && autosql)
		rc = auto_offline(&c, has_ini, dialect, vt.sql, &off);
	else if (!rc && offpath) {
		char *abs = al_join(cfg->path, offpath);
		rc = abs ? al_offline_read_vt(h, abs, offpath, vt.sql, &off) : strata_oom(h);
		free(abs);
	}
	for (size_t i = 0; !rc && i < c.nrevs; i++)
		rc = hand_over(&c, &c.revs[i], offpath ? &off : NULL, dialect);
	if (!rc && c.memo) {
		size_t hits = 0, saved = 0;
		for (size_t i = 0; i < c.nrevs; i++) {
			hits += c.revs[i].memo == 2;
			saved += c.revs[i].memo != 0;
		}
		h->debug(h, "alembic: %zu of %zu revisions from the translation memo, %zu kept in it",
		         hits, c.nrevs, saved);
		al_memo_save(h, c.memo, c.revs, c.nrevs);
	}
	al_offline_free(&off);
	al_vtable_free(&vt);
	ctx_free(&c);
	return rc;
}
