/*
 * Sorting a folder's files into up files, down files and strangers, using
 * nothing but the layout's patterns: this is where "no if per tool" holds.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* Append to one of the set's two arrays, growing it geometrically. */
static int push(strata_host *h, sp_entry **v, size_t *n, size_t *cap, const sp_entry *e)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 256;
		sp_entry *nv = realloc(*v, nc * sizeof *nv);
		if (!nv)
			return strata_oom(h);
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *e;
	return STRATA_OK;
}

static void trim(sp_entry **v, size_t n, size_t *cap);

/* Copy a capture into the set's arena, with its normalized version. */
static int make_entry(strata_host *h, sp_set *s, const char *rel, sp_span ver, sp_span name,
                      sp_entry *e)
{
	e->file = rel;
	e->down = SP_NONE;
	e->version = strata_arena_strndup(&s->arena, ver.s, ver.len);
	e->name = strata_arena_strndup(&s->arena, name.s, name.len);
	char *key = strata_arena_chars(&s->arena, 2 * ver.len + 3);
	if (!e->version || !e->name || !key)
		return strata_oom(h);
	h->version_key(ver.s, ver.len, key);
	e->norm = key;
	return STRATA_OK;
}

/* A baseline or repeatable file (the layout's kinds), or 0. */
static int kind_entry(strata_host *h, const sp_layout *l, sp_set *s, const char *rel,
                      sp_entry *e)
{
	for (size_t k = 0; k < l->n_kinds; k++) {
		sp_span key, ver, name;
		if (!sp_kind_match(&l->kinds[k], rel, &key, &ver, &name))
			continue;
		int rc = make_entry(h, s, rel, ver, name, e);
		if (rc < 0)
			return rc;
		e->kind = l->kinds[k].kind;
		if (!(e->key = strata_arena_strndup(&s->arena, key.s, key.len)))
			return strata_oom(h);
		return 1;
	}
	return 0;
}

/* A name a kind claims that its pattern does not fit: refused, as the
 * tool refuses it (Flyway: "Wrong versioned migration name format"). */
static int claimed(strata_host *h, const sp_layout *l, const char *rel)
{
	static const char *const what[] = {"a baseline", "a repeatable"};
	for (size_t k = 0; k < l->n_kinds; k++) {
		const sp_pattern *p = &l->kinds[k];
		if (!p->has_claim || !sp_rx_match(&p->claim, rel, 0, NULL))
			continue;
		h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0,
		         "rename it to fit the pattern, or list it under the layout's ignore:",
		         "named like %s migration of layout '%s', but not as '%s'",
		         what[p->kind == STRATA_MIG_REPEATABLE], l->name, p->rx.text);
		return STRATA_EINVAL;
	}
	return STRATA_OK;
}

/* What the layout's ignore:, up: and down: patterns say of one file: the
 * hot part of classifying (a regexec with captures per migration file),
 * found ahead on every core for a large folder. */
enum { PRE_OTHER, PRE_IGNORED, PRE_UP, PRE_DOWN };
typedef struct sp_pre {
	int what;
	sp_span ver, name;
} sp_pre;

static void match_one(const sp_layout *l, const char *rel, sp_pre *p)
{
	if (sp_layout_ignored(l, rel))
		p->what = PRE_IGNORED;
	else if (sp_pattern_match(&l->up, rel, &p->ver, &p->name))
		p->what = PRE_UP;
	else if (l->has_down && sp_pattern_match(&l->down, rel, &p->ver, &p->name))
		p->what = PRE_DOWN;
	else
		p->what = PRE_OTHER;
}

/* Another thread's copy of l, its patterns compiled again: glibc's
 * regexec() holds a lock per compiled pattern, so threads sharing one
 * take turns.  False (nothing to free) when a pattern cannot be. */
static bool recompile(const sp_regex *from, sp_regex *to)
{
	*to = *from;
	return from->compiled && from->text && regcomp(&to->re, from->text, REG_EXTENDED) == 0;
}

static void copies_free(sp_layout *c, size_t compiled)
{
	/* compiled: how many of up, down (when has_down), ignore[] were */
	size_t k = 0;
	if (k++ < compiled)
		regfree(&c->up.rx.re);
	if (c->has_down && k++ < compiled)
		regfree(&c->down.rx.re);
	for (size_t i = 0; i < c->n_ignore && k++ < compiled; i++)
		regfree(&c->ignore[i].re);
	free(c->ignore);
}

static bool copies_of(const sp_layout *l, sp_layout *c)
{
	*c = *l;
	c->ignore = l->n_ignore ? calloc(l->n_ignore, sizeof *c->ignore) : NULL;
	if (l->n_ignore && !c->ignore)
		return false;
	size_t done = 0;
	bool ok = recompile(&l->up.rx, &c->up.rx) && ++done;
	if (ok && l->has_down)
		ok = recompile(&l->down.rx, &c->down.rx) && ++done;
	for (size_t i = 0; ok && i < l->n_ignore; i++)
		ok = recompile(&l->ignore[i], &c->ignore[i]) && ++done;
	if (!ok)
		copies_free(c, done);
	return ok;
}

typedef struct ahead_job {
	const sp_layout *l;
	const sp_files *f;
	sp_pre *pre;
	size_t nshares;
} ahead_job;

/* Share k of the files; share 0 (the calling thread) uses l itself, the
 * others their own copies (l's, shared, if one cannot be made: correct,
 * only slower). */
static void ahead_share(void *ud, size_t k)
{
	const ahead_job *j = ud;
	size_t from = j->f->n * k / j->nshares, to = j->f->n * (k + 1) / j->nshares;
	sp_layout copy;
	bool own = k > 0 && copies_of(j->l, &copy);
	const sp_layout *l = own ? &copy : j->l;
	for (size_t i = from; i < to; i++)
		match_one(l, j->f->v[i], &j->pre[i]);
	if (own)
		copies_free(&copy, (size_t)-1);
}

/* Folders below this are matched inline: a thread and a second compile
 * would cost more than they save. */
#define SP_AHEAD_MIN 4096

/* Every file's match, on every core; NULL: match inline. */
static sp_pre *ahead(const sp_layout *l, const sp_files *f)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (f->n < SP_AHEAD_MIN || cores < 2)
		return NULL;
	sp_pre *pre = malloc(f->n * sizeof *pre);
	if (!pre)
		return NULL;
	ahead_job j = { .l = l, .f = f, .pre = pre,
	                .nshares = cores > STRATA_EACH_MAX ? STRATA_EACH_MAX : (size_t)cores };
	strata_each(j.nshares, 2, ahead_share, &j);
	return pre;
}

static int classify(strata_host *h, const sp_layout *l, const sp_files *f, const sp_pre *pre,
                    sp_set *out);

/* Classify every listed file: a stranger is a warning (the scan goes on), a
 * version without digits an error (it could not be ordered). */
int sp_classify(strata_host *h, const sp_layout *l, const sp_files *f, sp_set *out)
{
	sp_pre *pre = ahead(l, f);
	int rc = classify(h, l, f, pre, out);
	free(pre);
	return rc;
}

static int classify(strata_host *h, const sp_layout *l, const sp_files *f, const sp_pre *pre,
                    sp_set *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *rel = f->v[i];
		sp_span ver, name;
		sp_entry e = {0};
		int up, rc;
		sp_pre p;
		if (pre)
			p = pre[i];
		else
			match_one(l, rel, &p);
		if (p.what == PRE_IGNORED)
			continue;
		if (p.what == PRE_UP || p.what == PRE_DOWN) {
			up = p.what == PRE_UP;
			ver = p.ver;
			name = p.name;
		} else if ((rc = kind_entry(h, l, out, rel, &e)) != 0) {
			if (rc < 0)
				return rc;
			if (e.kind == STRATA_MIG_BASELINE && e.norm[0] == '~') {
				h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0,
				         "a version is digits with . _ or - between them",
				         "version '%s' is not numeric", e.version);
				return STRATA_EINVAL;
			}
			if ((rc = push(h, &out->other, &out->n_other, &out->cap_other, &e)) < 0)
				return rc;
			continue;
		} else if ((rc = claimed(h, l, rel)) < 0) {
			return rc;
		} else {
			h->warn(h, rel, 0, "file matches no migration pattern of layout '%s'",
			        l->name);
			continue;
		}
		rc = make_entry(h, out, rel, ver, name, &e);
		if (rc < 0)
			return rc;
		if (e.norm[0] == '~') { /* the host's key for a version without digits */
			h->error(h, STRATA_ECLASS_SOURCE, rel, 0, 0,
			         "a version is digits with . _ or - between them",
			         "version '%s' is not numeric",
			         e.version);
			return STRATA_EINVAL;
		}
		rc = up ? push(h, &out->up, &out->n_up, &out->cap_up, &e)
		        : push(h, &out->down, &out->n_down, &out->cap_down, &e);
		if (rc < 0)
			return rc;
	}
	trim(&out->up, out->n_up, &out->cap_up);
	trim(&out->down, out->n_down, &out->cap_down);
	return STRATA_OK;
}

/* An array grown by doubling, cut to what it holds: on a long history the
 * slack is a third of it, held while every migration is handed over. */
static void trim(sp_entry **v, size_t n, size_t *cap)
{
	if (!n || n == *cap)
		return;
	sp_entry *nv = realloc(*v, n * sizeof *nv);
	if (nv) { /* else the larger block stays: no harm */
		*v = nv;
		*cap = n;
	}
}

/* A folder, FIFO or link to no file that the layout would take for a
 * migration: left out, it would vanish from the ledger without a word, so it
 * is refused, with the reason (strata_not_a_file).  Anything else of the
 * kind (a plain sub-folder, a link named README) is not the layout's. */
int sp_refuse_other(strata_host *h, const sp_layout *l, int rootfd, const sp_files *f)
{
	for (size_t i = 0; i < f->n_other; i++) {
		const char *rel = f->other[i];
		if (sp_layout_ignored(l, rel))
			continue;
		bool kind = false;
		for (size_t k = 0; k < l->n_kinds; k++)
			kind |= regexec(&l->kinds[k].rx.re, rel, 0, NULL, 0) == 0;
		if (regexec(&l->up.rx.re, rel, 0, NULL, 0) != 0 &&
		    !(l->has_down && regexec(&l->down.rx.re, rel, 0, NULL, 0) == 0) && !kind)
			continue;
		int rc = strata_refuse_entry(h, rootfd, rel, rel);
		if (rc == STRATA_EINVAL)
			return rc;
	}
	return STRATA_OK;
}

/* Strings live in the arena; the two arrays are plain allocations. */
void sp_set_free(sp_set *s)
{
	free(s->up);
	free(s->down);
	free(s->other);
	strata_arena_free(&s->arena);
	*s = (sp_set){ 0 };
}
