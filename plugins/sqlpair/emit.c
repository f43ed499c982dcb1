/*
 * Handing paired migrations to the host, in version order, one at a time:
 * each file is read just before add_migration() and freed right after, so
 * memory stays flat however many migrations there are.
 */
#include <stdlib.h>

#include "internal.h"

/* Whitespace only counts as empty: such a migration is legal but suspect. */
static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' &&
		    s[i] != '\v')
			return 0;
	return 1;
}

/* The up script: the whole file, or its up section for sectioned layouts
 * (which may bring a down section and flags along). */
static int load_up(strata_host *h, const sp_layout *l, const sp_entry *u, char *buf, size_t len,
                   strata_migration_desc *m)
{
	if (!l->has_sections) {
		m->up = buf;
		m->up_len = len;
		m->line = 1;
		return STRATA_OK;
	}
	sp_sections sec;
	int rc = sp_sections_split(h, l, u->file, buf, len, &sec);
	if (rc < 0)
		return rc;
	m->up = sec.up;
	m->up_len = sec.up_len;
	m->line = sec.up_line;
	m->flags = sec.flags;
	if (sec.down) {
		m->down = sec.down;
		m->down_len = sec.down_len;
		m->down_file = u->file;
		m->down_line = sec.down_line;
		m->flags |= STRATA_MIG_HAS_DOWN;
	}
	return STRATA_OK;
}

/* A separate down file; the caller frees *buf. */
static int load_down(strata_host *h, int rootfd, const sp_set *s, const sp_entry *u,
                     const sp_entry *d, bool want_down, char **buf, strata_migration_desc *m)
{
	if (m->flags & STRATA_MIG_HAS_DOWN) {
		char *other = sp_other_file(h, s, u->file);
		if (!other)
			return STRATA_ENOMEM;
		sp_fail(h, d->file, 0, "keep one down script per version",
		        "second down migration for version %s (%s has a down section)", d->version,
		        other);
		free(other);
		return STRATA_EINVAL;
	}
	m->down_file = d->file;
	m->down_line = 1;
	m->flags |= STRATA_MIG_HAS_DOWN;
	if (!want_down)
		return STRATA_OK; /* the command runs no down script: skip the read */
	size_t len;
	int rc = sp_read_file(h, rootfd, d->file, buf, &len);
	if (rc < 0)
		return rc;
	m->down = *buf;
	m->down_len = len;
	m->down_file = d->file;
	m->down_line = 1;
	m->flags |= STRATA_MIG_HAS_DOWN;
	return STRATA_OK;
}

/* One migration: read, describe, hand over, free. */
static int emit_one(strata_host *h, const sp_layout *l, int rootfd, const sp_set *s,
                    const sp_entry *u, bool want_down)
{
	strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
	char *up_buf = NULL, *down_buf = NULL;
	size_t up_len;
	m.mig_version = u->key ? u->key : u->version;
	if (u->kind == STRATA_MIG_BASELINE)
		m.native_key = u->version; /* the version it stands for */
	m.name = u->name;
	m.file = u->file;
	int rc = sp_read_file(h, rootfd, u->file, &up_buf, &up_len);
	if (rc == STRATA_OK)
		rc = load_up(h, l, u, up_buf, up_len, &m);
	if (rc == STRATA_OK && u->down != SP_NONE)
		rc = load_down(h, rootfd, s, u, &s->down[u->down], want_down, &down_buf, &m);
	if (rc == STRATA_OK && blank(m.up, m.up_len))
		h->warn(h, u->file, m.line, "empty migration");
	m.flags |= u->kind;
	if (rc == STRATA_OK)
		rc = h->add_migration(h, &m);
	free(up_buf);
	free(down_buf);
	return rc < 0 ? rc : STRATA_OK;
}

/* Every up in the (already sorted and paired) set, stopping at the first
 * failure, including one the host reports from add_migration(). */
int sp_emit(strata_host *h, const sp_layout *l, int rootfd, const sp_set *s, bool want_down)
{
	for (size_t i = 0; i < s->n_up; i++) {
		int rc = emit_one(h, l, rootfd, s, &s->up[i], want_down);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < s->n_other; i++) { /* the host orders them */
		int rc = emit_one(h, l, rootfd, s, &s->other[i], want_down);
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}
