/* The ledger: every source's migrations merged into one order.  Sources hand
 * migrations over through host->add_migration(); the host owns the copies.
 * Order is a topological sort of the parent graph (linear sources chain by
 * version), choosing among ready migrations by source rank, then version. */
#include "ledger.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- ordering ---- */

typedef struct order_ctx {
	const ledger *lg;
	size_t *rank; /* per source */
} order_ctx;

/* Repeatables come after every versioned migration, among themselves by
 * name as Flyway orders them (its description: '_' read as ' '). */
static int repeatable_cmp(const migration *x, const migration *y)
{
	bool rx = x->info.flags & STRATA_MIG_REPEATABLE, ry = y->info.flags & STRATA_MIG_REPEATABLE;
	if (rx != ry)
		return rx ? 1 : -1;
	if (!rx)
		return 0;
	for (const char *a = x->info.name, *b = y->info.name;; a++, b++) {
		unsigned char ca = *a == '_' ? ' ' : (unsigned char)*a;
		unsigned char cb = *b == '_' ? ' ' : (unsigned char)*b;
		if (ca != cb || !ca)
			return (ca > cb) - (ca < cb);
	}
}

/* A baseline migration before the versioned one of its version. */
static int kind_rank(const migration *m)
{
	return (m->info.flags & STRATA_MIG_BASELINE) ? 0 : 1;
}

static int by_source_version(const void *a, const void *b)
{
	const migration *x = *(migration *const *)a, *y = *(migration *const *)b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	int c = repeatable_cmp(x, y);
	if (c)
		return c;
	if (!(x->info.flags & STRATA_MIG_REPEATABLE) && (c = version_cmp(x->vnorm, y->vnorm)))
		return c;
	if ((c = kind_rank(x) - kind_rank(y)))
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(migration *const *)a)->info.id, (*(migration *const *)b)->info.id);
}

/* Same place in a source's order: a duplicate (a baseline migration may
 * share its version with a versioned one; repeatables are told by name). */
static int by_source_version_key(const migration *a, const migration *b)
{
	int c = repeatable_cmp(a, b);
	if (c || (a->info.flags & STRATA_MIG_REPEATABLE))
		return c ? c : strcmp(a->info.version, b->info.version);
	c = version_cmp(a->vnorm, b->vnorm);
	return c ? c : kind_rank(a) - kind_rank(b);
}

/* Priority among ready migrations: source rank first (merge: sources) or
 * version first (merge: version), then source rank, then hand-over order. */
static int prio_cmp(const order_ctx *o, const migration *x, const migration *y)
{
	if (o->lg->cfg->merge_by_version) {
		int c = version_cmp(x->vnorm, y->vnorm);
		if (c)
			return c;
	}
	if (o->rank[x->src] != o->rank[y->src])
		return o->rank[x->src] < o->rank[y->src] ? -1 : 1;
	if (x->parents == NULL && y->parents == NULL) {
		int c = repeatable_cmp(x, y);
		if (!c && !(x->info.flags & STRATA_MIG_REPEATABLE))
			c = version_cmp(x->vnorm, y->vnorm);
		if (!c)
			c = kind_rank(x) - kind_rank(y);
		if (c)
			return c;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void heap_push(const order_ctx *o, migration **h, size_t *n, migration *m)
{
	size_t i = (*n)++;
	h[i] = m;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (prio_cmp(o, h[i], h[p]) >= 0)
			break;
		migration *t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static migration *heap_pop(const order_ctx *o, migration **h, size_t *n)
{
	migration *top = h[0];
	h[0] = h[--(*n)];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < *n && prio_cmp(o, h[l], h[m]) < 0)
			m = l;
		if (r < *n && prio_cmp(o, h[r], h[m]) < 0)
			m = r;
		if (m == i)
			break;
		migration *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
	return top;
}

migration *ledger_find(const ledger *lg, const char *id)
{
	size_t lo = 0, hi = lg->nmigs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(lg->by_id[mid]->info.id, id);
		if (!c)
			return lg->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Depth-first through the parents, with an explicit stack: a linear history
 * of 100,000 migrations is a chain that deep. */
bool ledger_is_ancestor(const ledger *lg, const migration *a, const migration *b)
{
	if (a == b)
		return true;
	size_t n = lg->nmigs, top = 0;
	unsigned char *seen = xcalloc(n + 1, 1);
	const migration **stack = xmalloc((n + 1) * sizeof *stack);
	bool found = false;
	stack[top++] = b;
	while (top && !found) {
		const migration *m = stack[--top];
		for (size_t k = 0; m->pm && m->pm[k] && !found; k++) {
			const migration *p = m->pm[k];
			if (p == a)
				found = true;
			else if (p->seq < n && !seen[p->seq]) {
				seen[p->seq] = 1;
				stack[top++] = p;
			}
		}
	}
	free(stack);
	free(seen);
	return found;
}

/* Linear sources: sort by version, refuse duplicates, chain each to the one
 * before; graph sources bring their own parents.  Then a Kahn topological
 * sort whose ready set is a heap ordered by prio_cmp(). */
int ledger_order(ledger *lg)
{
	size_t n = lg->nmigs;
	if (n == 0)
		return 0;
	order_ctx o = {.lg = lg, .rank = xcalloc(lg->cfg->nsources + 1, sizeof(size_t))};
	for (size_t i = 0; i < lg->cfg->nsources; i++) {
		o.rank[i] = i;
		for (size_t j = 0; j < lg->cfg->norder; j++)
			if (!strcmp(lg->cfg->order[j], lg->cfg->sources[i].name))
				o.rank[i] = j;
	}
	if (lg->cfg->norder) /* sources not named in order: come after, in config order */
		for (size_t i = 0; i < lg->cfg->nsources; i++) {
			bool named = false;
			for (size_t j = 0; j < lg->cfg->norder; j++)
				named |= !strcmp(lg->cfg->order[j], lg->cfg->sources[i].name);
			if (!named)
				o.rank[i] = lg->cfg->norder + i;
		}

	migration **sorted = xmalloc(n * sizeof *sorted);
	memcpy(sorted, lg->migs, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, by_source_version);

	/* Duplicates within a source (same normalized version). */
	int rc = 0;
	for (size_t i = 1; i < n && !rc; i++) {
		migration *a = sorted[i - 1], *b = sorted[i];
		if (a->src == b->src && !by_source_version_key(a, b))
			rc = err_set(lg->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, b->info.file, 0, 0,
			             "give each migration a unique version",
			             "duplicate version %s in source '%s' (also %s)", b->info.version,
			             b->info.source, a->info.file);
	}

	lg->by_id = xmalloc(n * sizeof *lg->by_id);
	memcpy(lg->by_id, lg->migs, n * sizeof *lg->by_id);
	qsort(lg->by_id, n, sizeof *lg->by_id, by_id);

	/* Edges: child lists via counting.  indeg[i], and children in CSR form. */
	size_t *indeg = xcalloc(n, sizeof *indeg);
	for (size_t i = 0; i < n; i++)
		lg->migs[i]->seq = i;
	size_t cap = n + 1;
	for (size_t i = 0; i < n; i++)
		cap += lg->migs[i]->nparents;
	size_t nedges = 0, *esrc = xmalloc(cap * sizeof *esrc), *edst = xmalloc(cap * sizeof *edst);
	for (size_t i = 0; i < n && !rc; i++) {
		migration *m = sorted[i];
		/* NULL-terminated; ordered once per load, so the arena keeps it */
		m->pm = arena_zalloc(&lg->mem, (m->nparents + 2) * sizeof *m->pm, _Alignof(migration *));
		if (!m->parents) {
			if (i > 0 && sorted[i - 1]->src == m->src && !sorted[i - 1]->parents) {
				m->pm[0] = sorted[i - 1];
				m->descends = 1;
				esrc[nedges] = sorted[i - 1]->seq;
				edst[nedges++] = m->seq;
				indeg[m->seq]++;
			}
			continue;
		}
		for (size_t k = 0; k < m->nparents && !rc; k++) {
			char *pid = xasprintf("%s:%s", m->info.source, m->parents[k]);
			migration *p = ledger_find(lg, pid);
			free(pid);
			if (!p) {
				rc = err_set(lg->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, m->info.file, m->info.line,
				             0, "check the parent's id, or add the missing migration",
				             "migration %s names parent '%s', which does not exist",
				             m->info.id, m->parents[k]);
				break;
			}
			m->pm[k] = p;
			esrc[nedges] = p->seq;
			edst[nedges++] = m->seq;
			indeg[m->seq]++;
		}
	}
	if (!rc) {
		size_t *start = xcalloc(n + 1, sizeof *start), *child = xmalloc((nedges + 1) * sizeof *child);
		for (size_t e = 0; e < nedges; e++)
			start[esrc[e] + 1]++;
		for (size_t i = 0; i < n; i++)
			start[i + 1] += start[i];
		size_t *fill = xmalloc((n + 1) * sizeof *fill);
		memcpy(fill, start, (n + 1) * sizeof *fill);
		for (size_t e = 0; e < nedges; e++)
			child[fill[esrc[e]]++] = edst[e];
		free(fill);

		migration **heap = xmalloc((n + 1) * sizeof *heap), **out = xmalloc((n + 1) * sizeof *out);
		size_t hn = 0, on = 0;
		migration **orig = xmalloc((n + 1) * sizeof *orig);
		memcpy(orig, lg->migs, n * sizeof *orig);
		for (size_t i = 0; i < n; i++)
			if (!indeg[i])
				heap_push(&o, heap, &hn, orig[i]);
		while (hn) {
			migration *m = heap_pop(&o, heap, &hn);
			out[on++] = m;
			for (size_t c = start[m->seq]; c < start[m->seq + 1]; c++)
				if (--indeg[child[c]] == 0)
					heap_push(&o, heap, &hn, orig[child[c]]);
		}
		if (on < n) {
			/* Whatever is left sits on a cycle or behind one. */
			migration *first = NULL;
			for (size_t i = 0; i < n; i++)
				if (indeg[i] && (!first || orig[i]->seq < first->seq))
					first = orig[i];
			rc = err_set(lg->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, first->info.file,
			             first->info.line, 0, "break the cycle in the parents",
			             "migration %s is part of a cycle (%zu migrations never become ready)",
			             first->info.id, n - on);
		} else {
			memcpy(lg->migs, out, n * sizeof *out);
		}
		free(orig);
		free(heap);
		free(out);
		free(start);
		free(child);
	}
	free(esrc);
	free(edst);
	free(indeg);
	free(sorted);
	free(o.rank);
	return rc;
}


void ledger_init(ledger *lg, err_ctx *e, const config *cfg)
{
	memset(lg, 0, sizeof *lg);
	lg->e = e;
	lg->cfg = cfg;
}

void ledger_clear(ledger *lg)
{
	arena_free(&lg->mem);
	free(lg->shared);
	lg->shared = NULL;
	lg->nshared = 0;
	free(lg->migs);
	free(lg->by_id);
	lg->migs = lg->by_id = NULL;
	lg->nmigs = lg->cap = 0;
	lg->loaded = lg->has_down = false;
}

void ledger_push(ledger *lg, migration *m)
{
	m->seq = lg->nmigs;
	if (lg->nmigs == lg->cap) {
		lg->cap = lg->cap ? 2 * lg->cap : 64;
		lg->migs = xrealloc(lg->migs, lg->cap * sizeof *lg->migs);
	}
	lg->migs[lg->nmigs++] = m;
}

const char *const *ledger_source_strings(ledger *lg, size_t src, const char *name,
                                         const char *format)
{
	if (src >= lg->nshared) {
		size_t n = src + 1;
		lg->shared = xrealloc(lg->shared, 2 * n * sizeof *lg->shared);
		memset(lg->shared + 2 * lg->nshared, 0, 2 * (n - lg->nshared) * sizeof *lg->shared);
		lg->nshared = n;
	}
	const char **two = lg->shared + 2 * src;
	if (!two[0]) {
		two[0] = arena_strdup(&lg->mem, name);
		two[1] = arena_strdup(&lg->mem, format);
	}
	return two;
}
