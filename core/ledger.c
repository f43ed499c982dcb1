/* The ledger: every source's migrations merged into one order.  Sources hand
 * migrations over through host->add_migration(); the host owns the copies.
 * Order is a topological sort of the parent graph (linear sources chain by
 * version), choosing among ready migrations by source rank, then version. */
#include "strata_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void migration_free(migration *m)
{
	if (!m)
		return;
	free((char *)m->info.id);
	free((char *)m->info.source);
	free((char *)m->info.format);
	free((char *)m->info.version);
	free((char *)m->info.name);
	free((char *)m->info.file);
	free((char *)m->info.down_file);
	free((char *)m->info.applied_at);
	free((char *)m->info.applied_by);
	free((char *)m->info.error);
	free(m->vnorm);
	free(m->up);
	free(m->down);
	free(m->native_checksum);
	free(m->native_finished);
	free(m->pm);
	free(m->up_blocked);
	free(m->down_blocked);
	free(m->blocked_hint);
	for (size_t i = 0; i < m->nparents; i++)
		free(m->parents[i]);
	free(m->parents);
	free(m);
}

int ledger_add(host_call *hc, const strata_migration_desc *d)
{
	strata *s = hc->s;
	if (hc->source >= s->cfg.nsources)
		return STRATA_ERR;
	const cfg_source *src = &s->cfg.sources[hc->source];
	size_t v1 = offsetof(strata_migration_desc, native_checksum) + sizeof d->native_checksum;
	if (d->version < 1 || d->struct_size < v1 || !d->mig_version || !*d->mig_version ||
	    !d->file || (!d->up && d->up_len))
		return err_set(s, STRATA_EINVAL, STRATA_ECLASS_PLUGIN, src->path_display, 0, 0, NULL,
		               "plugin handed over a malformed migration");
	migration *m = xcalloc(1, sizeof *m);
	m->info.id = xasprintf("%s:%s", src->name, d->mig_version);
	m->info.source = xstrdup(src->name);
	m->info.format = xstrdup(src->format);
	m->info.version = xstrdup(d->mig_version);
	m->info.name = xstrdup(d->name ? d->name : "");
	m->info.file = path_join(src->path_display, d->file);
	m->info.line = d->line > 0 ? d->line : 1;
	m->info.flags = d->flags;
	m->info.execution_ms = -1;
	m->up = xstrndup(d->up ? d->up : "", d->up_len);
	m->up_len = d->up_len;
	if (d->down || (d->flags & STRATA_MIG_HAS_DOWN)) {
		m->down = d->down ? xstrndup(d->down, d->down_len) : NULL;
		m->down_len = d->down ? d->down_len : 0;
		m->info.has_down = 1;
		m->info.flags |= STRATA_MIG_HAS_DOWN;
		m->info.down_file = path_join(src->path_display, d->down_file ? d->down_file : d->file);
		m->down_line = d->down_line > 0 ? d->down_line : 1;
	}
	m->native_checksum = xstrdup(d->native_checksum);
	if (d->version >= 2 && d->struct_size >= offsetof(strata_migration_desc, blocked_hint) +
	                                             sizeof d->blocked_hint) {
		m->up_blocked = xstrdup(d->up_blocked);
		m->up_blocked_line = d->up_blocked_line;
		m->down_blocked = xstrdup(d->down_blocked);
		m->down_blocked_line = d->down_blocked_line;
		m->blocked_hint = xstrdup(d->blocked_hint);
		m->info.blocked = m->up_blocked;
		m->descends = d->dependencies; /* turned into a lineage count below */
	}
	if (d->parents) {
		for (size_t i = 0; d->parents[i]; i++) {
			m->parents = xrealloc(m->parents, (m->nparents + 2) * sizeof *m->parents);
			m->parents[m->nparents++] = xstrdup(d->parents[i]);
			m->parents[m->nparents] = NULL; /* kept NULL-terminated for trackers */
		}
		if (!m->parents)
			m->parents = xcalloc(1, sizeof *m->parents); /* explicit root */
		m->info.graph = 1;
		m->descends = m->descends < m->nparents ? m->nparents - m->descends : 0;
	}
	m->vnorm = version_normalize(d->mig_version);
	m->src = hc->source;
	m->seq = s->nmigs;
	sha256_hex(m->up, m->up_len, m->checksum);
	m->info.checksum = m->checksum;
	s->migs = xrealloc(s->migs, (s->nmigs + 1) * sizeof *s->migs);
	s->migs[s->nmigs++] = m;
	return 0;
}

/* ---- ordering ---- */

typedef struct order_ctx {
	strata *s;
	size_t *rank; /* per source */
} order_ctx;

static int by_source_version(const void *a, const void *b)
{
	const migration *x = *(migration *const *)a, *y = *(migration *const *)b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	int c = version_cmp(x->vnorm, y->vnorm);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(migration *const *)a)->info.id, (*(migration *const *)b)->info.id);
}

/* Priority among ready migrations: source rank first (merge: sources) or
 * version first (merge: version), then source rank, then hand-over order. */
static int prio_cmp(const order_ctx *o, const migration *x, const migration *y)
{
	if (o->s->cfg.merge_by_version) {
		int c = version_cmp(x->vnorm, y->vnorm);
		if (c)
			return c;
	}
	if (o->rank[x->src] != o->rank[y->src])
		return o->rank[x->src] < o->rank[y->src] ? -1 : 1;
	if (x->parents == NULL && y->parents == NULL) {
		int c = version_cmp(x->vnorm, y->vnorm);
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

migration *ledger_find(const strata *s, const char *id)
{
	size_t lo = 0, hi = s->nmigs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->by_id[mid]->info.id, id);
		if (!c)
			return s->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Depth-first through the parents, with an explicit stack: a linear history
 * of 100,000 migrations is a chain that deep. */
bool ledger_is_ancestor(const strata *s, const migration *a, const migration *b)
{
	if (a == b)
		return true;
	size_t n = s->nmigs, top = 0;
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
int ledger_order(strata *s)
{
	size_t n = s->nmigs;
	if (n == 0)
		return 0;
	order_ctx o = {.s = s, .rank = xcalloc(s->cfg.nsources + 1, sizeof(size_t))};
	for (size_t i = 0; i < s->cfg.nsources; i++) {
		o.rank[i] = i;
		for (size_t j = 0; j < s->cfg.norder; j++)
			if (!strcmp(s->cfg.order[j], s->cfg.sources[i].name))
				o.rank[i] = j;
	}
	if (s->cfg.norder) /* sources not named in order: come after, in config order */
		for (size_t i = 0; i < s->cfg.nsources; i++) {
			bool named = false;
			for (size_t j = 0; j < s->cfg.norder; j++)
				named |= !strcmp(s->cfg.order[j], s->cfg.sources[i].name);
			if (!named)
				o.rank[i] = s->cfg.norder + i;
		}

	migration **sorted = xmalloc(n * sizeof *sorted);
	memcpy(sorted, s->migs, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, by_source_version);

	/* Duplicates within a source (same normalized version). */
	int rc = 0;
	for (size_t i = 1; i < n && !rc; i++) {
		migration *a = sorted[i - 1], *b = sorted[i];
		if (a->src == b->src && !version_cmp(a->vnorm, b->vnorm))
			rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_SOURCE, b->info.file, 0, 0,
			             "give each migration a unique version",
			             "duplicate version %s in source '%s' (also %s)", b->info.version,
			             b->info.source, a->info.file);
	}

	s->by_id = xmalloc(n * sizeof *s->by_id);
	memcpy(s->by_id, s->migs, n * sizeof *s->by_id);
	qsort(s->by_id, n, sizeof *s->by_id, by_id);

	/* Edges: child lists via counting.  indeg[i], and children in CSR form. */
	size_t *indeg = xcalloc(n, sizeof *indeg);
	for (size_t i = 0; i < n; i++)
		s->migs[i]->seq = i;
	size_t cap = n + 1;
	for (size_t i = 0; i < n; i++)
		cap += s->migs[i]->nparents;
	size_t nedges = 0, *esrc = xmalloc(cap * sizeof *esrc), *edst = xmalloc(cap * sizeof *edst);
	for (size_t i = 0; i < n && !rc; i++) {
		migration *m = sorted[i];
		free(m->pm);
		m->pm = xcalloc(m->nparents + 2, sizeof *m->pm); /* NULL-terminated */
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
			migration *p = ledger_find(s, pid);
			free(pid);
			if (!p) {
				rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_SOURCE, m->info.file, m->info.line,
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
		memcpy(orig, s->migs, n * sizeof *orig);
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
			rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_SOURCE, first->info.file,
			             first->info.line, 0, "break the cycle in the parents",
			             "migration %s is part of a cycle (%zu migrations never become ready)",
			             first->info.id, n - on);
		} else {
			memcpy(s->migs, out, n * sizeof *out);
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

int strata_load_ledger(strata *s)
{
	err_clear(s);
	return ledger_load(s);
}

int ledger_load(strata *s)
{
	if (s->ledger_loaded && (!s->want_down || s->ledger_has_down))
		return 0;
	/* Read again, with down scripts this time. */
	for (size_t i = 0; i < s->nmigs; i++)
		migration_free(s->migs[i]);
	free(s->migs);
	free(s->by_id);
	s->migs = s->by_id = NULL;
	s->nmigs = 0;
	s->ledger_loaded = false;
	/* The sources' plugins; the driver when connecting (formats/dialects.yaml
	 * tells sources the dialect meanwhile). */
	int rc = loader_load_url(s, NULL);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->cfg.nsources; i++) {
		const cfg_source *src = &s->cfg.sources[i];
		const plugin *pl = loader_find_format(s, src->format);
		if (!pl)
			return err_set(s, STRATA_EINVAL, STRATA_ECLASS_CONFIG, s->cfg.file, src->line, 0,
			               "`strata plugins` lists the formats available",
			               "source '%s': no plugin reads format '%s'", src->name, src->format);
		const strata_source_ops *ops = pl->desc->source;
		for (size_t j = 0; j < src->nopts; j++) {
			bool known = false;
			for (size_t k = 0; ops->options && ops->options[k]; k++)
				known |= !strcmp(ops->options[k], src->opts[j].key);
			if (!known) {
				sbuf h = {0};
				sbuf_puts(&h, "known keys: name, format, path");
				for (size_t k = 0; ops->options && ops->options[k]; k++)
					sbuf_printf(&h, ", %s", ops->options[k]);
				rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_CONFIG, s->cfg.file,
				             src->opts[j].line, 0, h.data,
				             "unknown key '%s' for format '%s' (source '%s')",
				             src->opts[j].key, src->format, src->name);
				sbuf_free(&h);
				return rc;
			}
		}
		const char **keys, **vals;
		strata_source_cfg sc = host_source_cfg(s, i, &keys, &vals);
		host_call hc;
		host_init(&hc, s);
		hc.source = i;
		size_t before = s->nmigs;
		rc = ops->scan(&hc.pub, &sc);
		free(keys);
		free(vals);
		if (rc < 0) {
			if (!err_cur(s)->message)
				err_set(s, rc, STRATA_ECLASS_SOURCE, src->path_display, 0, 0, NULL,
				        "source '%s' failed to read (plugin %s gave no reason)", src->name,
				        pl->desc->name);
			return rc < 0 ? rc : STRATA_ERR;
		}
		logf_(s, STRATA_LOG_DEBUG, NULL, 0, "source %s: %zu migrations from %s", src->name,
		      s->nmigs - before, src->path_display);
	}
	rc = ledger_order(s);
	if (rc)
		return rc;
	s->ledger_loaded = true;
	s->ledger_has_down = s->want_down;
	return 0;
}

size_t strata_migration_count(const strata *s)
{
	return s->nmigs + s->nmissing;
}

const strata_migration_info *strata_migration_get(const strata *s, size_t i)
{
	if (i < s->nmigs)
		return &s->migs[i]->info;
	i -= s->nmigs;
	return i < s->nmissing ? &s->missing[i]->info : NULL;
}

const char *strata_migration_script(const strata *s, size_t i, int down, size_t *len)
{
	if (i >= s->nmigs)
		return NULL;
	migration *m = s->migs[i];
	if (len)
		*len = down ? m->down_len : m->up_len;
	return down ? m->down : m->up;
}
