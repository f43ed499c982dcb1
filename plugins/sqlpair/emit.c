/*
 * Handing paired migrations to the host, in version order.  Files are read
 * a window at a time on every core (strata_read_files), then handed over
 * one by one and freed, so memory stays flat however many migrations there
 * are, and a read error is reported where the one-by-one reading reported
 * it: after every migration before it was handed over.
 */
#include <errno.h>
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

/* A separate down file, read already when the command runs it (d_text). */
static int load_down(strata_host *h, const sp_set *s, const sp_entry *u, const sp_entry *d,
                     strata_file *d_text, strata_migration_desc *m)
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
	if (!d_text)
		return STRATA_OK; /* the command runs no down script: not read */
	if (d_text->err)
		return strata_read_error(h, d->file, d_text->err);
	m->down = d_text->text;
	m->down_len = d_text->len;
	return STRATA_OK;
}

/* One migration, its files read: describe, hand over. */
static int emit_one(strata_host *h, const sp_layout *l, const sp_set *s, const sp_entry *u,
                    strata_file *u_text, strata_file *d_text)
{
	strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
	m.mig_version = u->key ? u->key : u->version;
	if (u->kind == STRATA_MIG_BASELINE)
		m.native_key = u->version; /* the version it stands for */
	m.name = u->name;
	m.file = u->file;
	int rc = u_text->err ? strata_read_error(h, u->file, u_text->err)
	                     : load_up(h, l, u, u_text->text, u_text->len, &m);
	if (rc == STRATA_OK && u->down != SP_NONE)
		rc = load_down(h, s, u, &s->down[u->down], d_text, &m);
	if (rc == STRATA_OK && blank(m.up, m.up_len))
		h->warn(h, u->file, m.line, "empty migration");
	m.flags |= u->kind;
	if (rc == STRATA_OK)
		rc = h->add_migration(h, &m);
	return rc < 0 ? rc : STRATA_OK;
}

/* Migrations whose files are read at once: enough to keep every core busy
 * for longer than starting its thread takes, few enough to keep memory
 * small (a window of 16 KiB files is 8 MiB). */
#define SP_WINDOW 256

/* The i-th migration of the emit order: ups, then the others (baselines,
 * repeatables; the host orders them). */
static const sp_entry *nth(const sp_set *s, size_t i)
{
	return i < s->n_up ? &s->up[i] : &s->other[i - s->n_up];
}

/* Every migration in the (already sorted and paired) set, stopping at the
 * first failure, including one the host reports from add_migration(). */
int sp_emit(strata_host *h, const sp_layout *l, int rootfd, const sp_set *s, bool want_down)
{
	size_t total = s->n_up + s->n_other;
	strata_file *f = calloc(2 * SP_WINDOW, sizeof *f);
	size_t *down_at = calloc(SP_WINDOW, sizeof *down_at);
	if (!f || !down_at) {
		free(f);
		free(down_at);
		return strata_oom(h);
	}
	int rc = STRATA_OK;
	for (size_t at = 0; rc == STRATA_OK && at < total; at += SP_WINDOW) {
		size_t w = total - at < SP_WINDOW ? total - at : SP_WINDOW, nf = w;
		for (size_t k = 0; k < w; k++) {
			const sp_entry *u = nth(s, at + k);
			f[k] = (strata_file){ .path = u->file, .listed = 1 };
			down_at[k] = SP_NONE;
			if (want_down && u->down != SP_NONE) {
				down_at[k] = nf;
				f[nf++] = (strata_file){ .path = s->down[u->down].file, .listed = 1 };
			}
		}
		strata_read_files(rootfd, f, nf);
		for (size_t k = 0; rc == STRATA_OK && k < w; k++)
			rc = emit_one(h, l, s, nth(s, at + k), &f[k],
			              down_at[k] == SP_NONE ? NULL : &f[down_at[k]]);
		for (size_t k = 0; k < nf; k++)
			free(f[k].text);
	}
	free(f);
	free(down_at);
	return rc;
}
