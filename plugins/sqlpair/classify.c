/*
 * Sorting a folder's files into up files, down files and strangers, using
 * nothing but the layout's patterns: this is where "no if per tool" holds.
 */
#include <stdbool.h>
#include <stdlib.h>

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

/* Classify every listed file: a stranger is a warning (the scan goes on), a
 * version without digits an error (it could not be ordered). */
int sp_classify(strata_host *h, const sp_layout *l, const sp_files *f, sp_set *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *rel = f->v[i];
		sp_span ver, name;
		sp_entry e = {0};
		int up, rc;
		if (sp_layout_ignored(l, rel))
			continue;
		if (sp_pattern_match(&l->up, rel, &ver, &name))
			up = 1;
		else if (l->has_down && sp_pattern_match(&l->down, rel, &ver, &name))
			up = 0;
		else if ((rc = kind_entry(h, l, out, rel, &e)) != 0) {
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
