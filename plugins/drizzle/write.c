/*
 * The write() op: a history as drizzle-kit's migrations folder, what
 * drizzle-orm's migrator (and `drizzle-kit migrate`) reads: one
 * NNNN_name.sql per migration and meta/_journal.json listing them in order
 * (written by the finishing call).  Not written: the meta/NNNN_snapshot.json
 * files drizzle-kit generate compares a schema against (the next generate
 * starts from none), and down scripts, which Drizzle has not: a migration
 * with one is written without it and its down script listed
 * (STRATA_WRITE_NO_DOWN).
 *
 * The file holds the up script as given, except on SQLite with more than
 * one statement: drizzle runs each piece between "--> statement-breakpoint"
 * markers as one statement, and SQLite's driver takes one, so the
 * statements the host cut (strata_write_mig.up_statements) are written
 * each ended by ';' with a marker between.  The journal's `when` is a
 * millisecond timestamp: the migration's date, else 2020-01-01 + index
 * seconds, always after the previous one (wfile.c).  drizzle-orm runs all
 * pending migrations in one transaction on PostgreSQL: a migration that
 * must run outside one (CREATE INDEX CONCURRENTLY) is refused there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drizzle_int.h"
#include "wfile.h"

typedef struct dz_wrote {
	char tag[200];
	char when[14];
} dz_wrote;

/* The entries written so far, for the journal; the host writes one history
 * at a time. */
static dz_wrote *wrote;
static size_t nwrote;
static long long last_secs = WF_NO_STAMP;

static void forget(void)
{
	free(wrote);
	wrote = NULL;
	nwrote = 0;
	last_secs = WF_NO_STAMP;
}

static const char *dialect_of(const strata_source_cfg *cfg)
{
	return STRATA_HAS(strata_source_cfg, cfg, dialect) ? cfg->dialect : NULL;
}

static int write_journal(strata_host *h, const strata_source_cfg *cfg)
{
	const char *d = dialect_of(cfg);
	if (!d || (strcmp(d, "postgresql") && strcmp(d, "sqlite"))) {
		forget();
		h->error(h, STRATA_ECLASS_SOURCE, "meta/_journal.json", 0, 0,
		         "convert for a PostgreSQL or SQLite database (--db)",
		         "drizzle has no dialect '%s'", d ? d : "(none)");
		return STRATA_EINVAL;
	}
	size_t cap = 128 + nwrote * 300;
	char *j = malloc(cap);
	if (!j) {
		forget();
		return strata_oom(h);
	}
	size_t n = (size_t)snprintf(j, cap, "{\n  \"version\": \"7\",\n  \"dialect\": \"%s\",\n  \"entries\": [", d);
	for (size_t i = 0; i < nwrote; i++)
		n += (size_t)snprintf(j + n, cap - n,
		                      "%s\n    {\n      \"idx\": %zu,\n      \"version\": \"%s\",\n"
		                      "      \"when\": %s,\n      \"tag\": \"%s\",\n"
		                      "      \"breakpoints\": true\n    }",
		                      i ? "," : "", i, strcmp(d, "sqlite") ? "7" : "6", wrote[i].when,
		                      wrote[i].tag);
	n += (size_t)snprintf(j + n, cap - n, "%s]\n}\n", nwrote ? "\n  " : "");
	int rc = wf_write(h, cfg->path, "meta/_journal.json", j, n);
	free(j);
	forget();
	return rc;
}

/* The file's text: the script as given, or its statements with breakpoints. */
static char *file_text(const strata_source_cfg *cfg, const strata_write_mig *m, size_t *len)
{
	const char *const *st = STRATA_HAS(strata_write_mig, m, down_statements) ? m->up_statements : NULL;
	const char *d = dialect_of(cfg);
	size_t ns = 0;
	while (st && st[ns])
		ns++;
	if (!d || strcmp(d, "sqlite") || ns < 2) {
		char *t = malloc(m->up_len + 1);
		if (t) {
			memcpy(t, m->up, m->up_len);
			t[m->up_len] = '\0';
			*len = m->up_len;
		}
		return t;
	}
	size_t cap = 1;
	for (size_t i = 0; i < ns; i++)
		cap += strlen(st[i]) + sizeof ";\n" DZ_BREAKPOINT "\n";
	char *t = malloc(cap);
	if (!t)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < ns; i++)
		n += (size_t)snprintf(t + n, cap - n, "%s;\n%s", st[i], i + 1 < ns ? DZ_BREAKPOINT "\n" : "");
	*len = n;
	return t;
}

int dz_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	if (!m)
		return write_journal(h, cfg);
	if (m->flags & (STRATA_MIG_REPEATABLE | STRATA_MIG_BASELINE))
		return wf_refuse(h, m, "apply it with its own tool, or fold it into a migration",
		                 "Drizzle has no %s migrations",
		                 (m->flags & STRATA_MIG_REPEATABLE) ? "repeatable" : "baseline");
	if (wf_lineage(m) > 1)
		return wf_refuse(h, m, "Drizzle's history is one line: merge the branches first",
		                 "a merge of %d branches", wf_lineage(m));
	const char *d = dialect_of(cfg);
	if ((m->flags & STRATA_MIG_NO_TRANSACTION) && d && !strcmp(d, "postgresql"))
		return wf_refuse(h, m, "run it with strata or by hand, outside a transaction",
		                 "it runs outside a transaction, and drizzle runs every pending "
		                 "migration inside one");
	dz_wrote e;
	char slug[160];
	wf_slug(m->name, "migration", slug, sizeof slug);
	if (m->new_version && m->new_version[0])
		snprintf(e.tag, sizeof e.tag, "%s", m->new_version);
	else
		snprintf(e.tag, sizeof e.tag, "%04zu_%s", nwrote, slug);
	long long secs = wf_next_secs(last_secs, m->created, m->index);
	wf_stamp13_at(secs, e.when);
	size_t len = 0;
	char *text = file_text(cfg, m, &len);
	if (!text)
		return strata_oom(h);
	char rel[256];
	snprintf(rel, sizeof rel, "%s.sql", e.tag);
	int rc = wf_write(h, cfg->path, rel, text, len);
	free(text);
	if (rc < 0)
		return rc;
	dz_wrote *grown = realloc(wrote, (nwrote + 1) * sizeof *grown);
	if (!grown)
		return strata_oom(h);
	wrote = grown;
	wrote[nwrote++] = e;
	last_secs = secs;
	if (m->down) {
		h->error(h, STRATA_ECLASS_SOURCE, m->mig_version, 0, 0,
		         "undo it with a new migration when it must be undone",
		         "Drizzle has no down scripts: written without it");
		return STRATA_WRITE_NO_DOWN;
	}
	return STRATA_OK;
}
