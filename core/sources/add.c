/* host->add_migration(): what a source hands over, copied into the ledger.
 * Fields are read only where the descriptor's reported size covers them
 * (STRATA_HAS): a plugin built against an older header is read as it was. */
#include "sources.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void sources_bind(host_call *hc, const loader *L, ledger *lg, size_t source)
{
	host_init(hc, L);
	hc->source = source;
	hc->ud = lg;
	hc->on_add_migration = sources_add;
}

/* A line map, copied into the ledger's arena (cols may be NULL: lines
 * only).  Returns its length, 0 (and nothing kept) without one. */
static size_t copy_map(arena *a, const int *lines, const int *cols, size_t n, int **lo, int **co)
{
	if (!lines || !n)
		return 0;
	*lo = arena_alloc(a, n * sizeof **lo, _Alignof(int));
	memcpy(*lo, lines, n * sizeof **lo);
	if (cols) {
		*co = arena_alloc(a, n * sizeof **co, _Alignof(int));
		memcpy(*co, cols, n * sizeof **co);
	}
	return n;
}

/* A copy in the arena of what the plugin lends for the call (NULL: NULL). */
static char *keep(arena *a, const char *s)
{
	return arena_strdup(a, s);
}

/* path_join(dir, name) in the arena (no malloc to copy and free). */
static char *keep_path(arena *a, const char *dir, const char *name)
{
	if (!dir || !*dir || name[0] == '/')
		return arena_strdup(a, name);
	return arena_concat(a, dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
}

/* version_normalize(v) in the arena. */
static char *keep_version(arena *a, const char *v)
{
	size_t len = strlen(v);
	char buf[256];
	if (2 * len + 3 > sizeof buf)
		return arena_take(a, version_normalize(v));
	return arena_strndup(a, buf, version_key(v, len, buf));
}

/* Does d bring any of what migration_rare holds? */
static bool rare_of(const strata_migration_desc *d)
{
	if (STRATA_HAS(strata_migration_desc, d, native_key) && d->native_key)
		return true;
	if (STRATA_HAS(strata_migration_desc, d, blocked_hint) &&
	    (d->up_blocked || d->down_blocked || d->blocked_hint || d->up_blocked_line ||
	     d->down_blocked_line))
		return true;
	return STRATA_HAS(strata_migration_desc, d, down_nlines) &&
	       ((d->up_lines && d->up_nlines) || (d->down_lines && d->down_nlines));
}

int sources_add(host_call *hc, const strata_migration_desc *d)
{
	ledger *lg = hc->ud;
	if (!lg || hc->source >= hc->cfg->nsources)
		return STRATA_ERR;
	const cfg_source *src = &hc->cfg->sources[hc->source];
	if (d->version < 1 || !STRATA_HAS(strata_migration_desc, d, native_checksum) ||
	    !d->mig_version || !*d->mig_version || !d->file || (!d->up && d->up_len))
		return err_set(hc->e, STRATA_EINVAL, STRATA_ECLASS_PLUGIN, src->path_display, 0, 0, NULL,
		               "plugin handed over a malformed migration");
	/* Everything of the migration lives in the ledger's arena, freed with
	 * it; the source's name and format once per source. */
	arena *a = &lg->mem;
	migration *m = ARENA_NEW(a, migration);
	const char *const *shared = ledger_source_strings(lg, hc->source, src->name, src->format);
	m->info.id = arena_concat(a, src->name, ":", d->mig_version);
	m->info.source = shared[0];
	m->info.format = shared[1];
	m->info.version = keep(a, d->mig_version);
	m->info.name = keep(a, d->name ? d->name : "");
	m->info.file = keep_path(a, src->path_display, d->file);
	m->info.line = d->line > 0 ? d->line : 1;
	m->info.flags = d->flags;
	m->info.execution_ms = -1;
	m->up = arena_strndup(a, d->up ? d->up : "", d->up_len);
	m->up_len = d->up_len;
	if (d->down || (d->flags & STRATA_MIG_HAS_DOWN)) {
		m->down = d->down ? arena_strndup(a, d->down, d->down_len) : NULL;
		m->down_len = d->down ? d->down_len : 0;
		m->info.has_down = 1;
		m->info.flags |= STRATA_MIG_HAS_DOWN;
		/* One copy of the path when both scripts are in one file (dbmate,
		 * Alembic, a sectioned layout): a hundred thousand of them add up. */
		const char *df = d->down_file ? d->down_file : d->file;
		m->info.down_file = strcmp(df, d->file) ? keep_path(a, src->path_display, df) : m->info.file;
		m->down_line = d->down_line > 0 ? d->down_line : 1;
	}
	m->native_checksum = keep(a, d->native_checksum);
	if (rare_of(d)) {
		migration_rare *r = m->rare = ARENA_NEW(a, migration_rare);
		if (STRATA_HAS(strata_migration_desc, d, native_key))
			r->native_key = keep(a, d->native_key);
		if (STRATA_HAS(strata_migration_desc, d, blocked_hint)) {
			m->info.blocked = keep(a, d->up_blocked);
			r->up_blocked_line = d->up_blocked_line;
			r->down_blocked = keep(a, d->down_blocked);
			r->down_blocked_line = d->down_blocked_line;
			r->blocked_hint = keep(a, d->blocked_hint);
		}
		if (STRATA_HAS(strata_migration_desc, d, down_nlines)) {
			r->up_nlines = copy_map(a, d->up_lines, d->up_cols, d->up_nlines, &r->up_lines,
			                        &r->up_cols);
			if (m->down)
				r->down_nlines = copy_map(a, d->down_lines, d->down_cols, d->down_nlines,
				                          &r->down_lines, &r->down_cols);
		}
	}
	if (STRATA_HAS(strata_migration_desc, d, dependencies))
		m->descends = d->dependencies; /* turned into a lineage count below */
	if (d->parents) {
		size_t np = 0;
		while (d->parents[np])
			np++;
		/* kept NULL-terminated for trackers; an empty list is an explicit root */
		m->parents = arena_alloc(a, (np + 1) * sizeof *m->parents, _Alignof(char *));
		for (size_t i = 0; i < np; i++)
			m->parents[i] = keep(a, d->parents[i]);
		m->parents[np] = NULL;
		m->nparents = np;
		m->info.graph = 1;
		m->descends = m->descends < m->nparents ? m->nparents - m->descends : 0;
	}
	/* A baseline migration is ordered by the version it stands for. */
	const char *key = mig_native_key(m);
	m->vnorm = keep_version(a, (d->flags & STRATA_MIG_BASELINE) && key ? key : d->mig_version);
	m->src = hc->source;
	sha256_hex(m->up, m->up_len, m->checksum);
	m->info.checksum = m->checksum;
	ledger_push(lg, m);
	return 0;
}
