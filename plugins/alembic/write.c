/*
 * The write() op: a history as Alembic revision files in the versions
 * folder (cfg->path): <revision>_<name>.py with revision, down_revision (a
 * tuple for a merge), branch_labels and depends_on (the parents that are
 * dependencies only: strata_write_mig.dependencies), upgrade() and
 * downgrade() each one op.execute() per statement (the host cut them with
 * the driver's statements op: strata_write_mig.up_statements), `pass` for
 * none.  A migration without a down script gets a downgrade() that does
 * nothing (Alembic has no revision without one).
 *
 * Revision ids: the host's (new_version), else the first 12 hex digits of
 * the SHA-256 of the source's own id, so the same history always gets the
 * same ids; a parent is the revision written for it, a linear history's
 * parent the one written before.  op.execute() of a string is text(): a
 * ':name' in the SQL would be a bind parameter, so it is written '\:name'
 * (text() makes it ':name' again), as Alembic's users do.
 *
 * Read back by strata, each statement comes as Alembic prints it offline
 * (stripped, tabs as 4 spaces, ";" and a blank line): the same statements,
 * not the same bytes, so checksums change (docs/guide.md, convert).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic_int.h"
#include "wfile.h"

/* The revisions written so far (source id -> revision), for parents; freed
 * by the finishing call.  The host writes one history at a time. */
typedef struct wrote {
	char *src;
	char rev[65];
} wrote;
static wrote *done;
static size_t ndone;

static const char *rev_of(const char *src)
{
	for (size_t i = ndone; i-- > 0;)
		if (!strcmp(done[i].src, src))
			return done[i].rev;
	return NULL;
}

static void forget(void)
{
	for (size_t i = 0; i < ndone; i++)
		free(done[i].src);
	free(done);
	done = NULL;
	ndone = 0;
}

static int word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

/* Is the ':' at s[i] a bind parameter to text() (opsql.c's render_text rule)? */
static int bind_at(const char *s, size_t n, size_t i)
{
	if (s[i] != ':' || (i > 0 && (s[i - 1] == ':' || s[i - 1] == '$' || s[i - 1] == '\\' ||
	                              word((unsigned char)s[i - 1]))))
		return 0;
	size_t j = i + 1;
	int dollar = 0;
	while (j < n && (word((unsigned char)s[j]) || s[j] == '$'))
		dollar |= s[j++] == '$';
	return j > i + 1 && (j == n || s[j] != ':') && !dollar;
}

/* "\:word" already in the SQL: text() would drop its backslash. */
static int escaped_colon(const char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == '\\' && s[i + 1] == ':' && word((unsigned char)s[i + 2]))
			return 1;
	return 0;
}

/* s as a Python string literal, "…" with escapes; ':' binds as '\:'. */
static void literal(strata_text *b, const char *s)
{
	size_t n = strlen(s);
	strata_text_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (bind_at(s, n, i))
			strata_text_puts(b, "\\\\:");
		else if (c == '\\')
			strata_text_puts(b, "\\\\");
		else if (c == '"')
			strata_text_puts(b, "\\\"");
		else if (c == '\n')
			strata_text_puts(b, "\\n");
		else if (c == '\t')
			strata_text_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			strata_text_puts(b, esc);
		} else
			strata_text_put(b, s + i, 1);
	}
	strata_text_puts(b, "\"");
}

/* A script that runs outside a transaction goes inside Alembic's
 * autocommit_block(), as Alembic's docs write CREATE INDEX CONCURRENTLY. */
static void body(strata_text *b, const char *fn, const char *const *stmts, int no_tx)
{
	strata_text_puts(b, "\n\ndef ");
	strata_text_puts(b, fn);
	strata_text_puts(b, "():\n");
	if (!stmts || !stmts[0]) {
		strata_text_puts(b, "    pass\n");
		return;
	}
	const char *ind = no_tx ? "        " : "    ";
	if (no_tx)
		strata_text_puts(b, "    with op.get_context().autocommit_block():\n");
	for (size_t i = 0; stmts && stmts[i]; i++) {
		strata_text_puts(b, ind);
		strata_text_puts(b, "op.execute(");
		literal(b, stmts[i]);
		strata_text_puts(b, ")\n");
	}
}

static int check_stmts(strata_host *h, const strata_write_mig *m, const char *const *st,
                       const char *what)
{
	for (size_t i = 0; st && st[i]; i++)
		if (escaped_colon(st[i], strlen(st[i])))
			return wf_refuse(h, m, "write the statement without \"\\:\"",
			                 "statement %zu of the %s script has \"\\:\" before a name, which "
			                 "Alembic's text() would not keep",
			                 i + 1, what);
	return 0;
}

int al_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	if (!m) {
		forget();
		return STRATA_OK;
	}
	if (m->flags & (STRATA_MIG_REPEATABLE | STRATA_MIG_BASELINE))
		return wf_refuse(h, m, "apply it with its own tool, or fold it into a migration",
		                 "Alembic has no %s migrations",
		                 (m->flags & STRATA_MIG_REPEATABLE) ? "repeatable" : "baseline");
	const char *const *up = STRATA_HAS(strata_write_mig, m, down_statements) ? m->up_statements : NULL;
	const char *const *down = STRATA_HAS(strata_write_mig, m, down_statements) ? m->down_statements : NULL;
	if (!up || (m->down && !down))
		return wf_refuse(h, m, "convert with a database URL of a dialect strata has a driver for (--db)",
		                 "Alembic's op.execute() takes one statement: the script was not cut into "
		                 "statements");
	int rc = check_stmts(h, m, up, "up");
	if (!rc)
		rc = check_stmts(h, m, down, "down");
	if (rc)
		return rc;
	/* parents: the revisions written for them; lineage to down_revision,
	 * dependencies only to depends_on */
	strata_text dr = { 0 }, dep = { 0 };
	size_t np = 0, nd = 0;
	if (!m->parents) {
		if (ndone)
			np = 1, strata_text_puts(&dr, "'"), strata_text_puts(&dr, done[ndone - 1].rev), strata_text_puts(&dr, "'");
	} else {
		size_t lineage = (size_t)wf_lineage(m);
		for (size_t i = 0; m->parents[i]; i++) {
			const char *r = rev_of(m->parents[i]);
			if (!r) {
				free(dr.p);
				free(dep.p);
				return wf_refuse(h, m, "convert its parent too",
				                 "its parent %s was not written", m->parents[i]);
			}
			strata_text *to = i < lineage ? &dr : &dep;
			size_t *k = i < lineage ? &np : &nd;
			strata_text_puts(to, (*k)++ ? ", '" : "'");
			strata_text_puts(to, r);
			strata_text_puts(to, "'");
		}
	}
	char rev[65];
	if (m->new_version && m->new_version[0])
		snprintf(rev, sizeof rev, "%s", m->new_version);
	else {
		h->sha256_hex(m->mig_version, strlen(m->mig_version), rev);
		rev[12] = '\0';
	}
	char slug[120], rel[200];
	wf_slug(m->name, "migration", slug, sizeof slug);
	snprintf(rel, sizeof rel, "%s_%s.py", rev, slug);
	strata_text b = { 0 };
	strata_text_puts(&b, "\"\"\"");
	for (const char *p = m->name && *m->name ? m->name : m->mig_version; *p; p++)
		strata_text_put(&b, (*p == '"' || *p == '\\' || *p == '\n') ? " " : p, 1);
	strata_text_puts(&b, "\n\nRevision ID: ");
	strata_text_puts(&b, rev);
	strata_text_puts(&b, "\nRevises: ");
	if (dr.p)
		for (const char *p = dr.p; *p; p++)
			if (*p != '\'')
				strata_text_put(&b, p, 1);
	strata_text_puts(&b, "\nConverted by strata from ");
	strata_text_puts(&b, m->mig_version);
	strata_text_puts(&b, "\n\"\"\"\nfrom alembic import op\n\n\n# revision identifiers, used by Alembic.\nrevision = '");
	strata_text_puts(&b, rev);
	strata_text_puts(&b, "'\ndown_revision = ");
	if (!np)
		strata_text_puts(&b, "None");
	else if (np == 1)
		strata_text_puts(&b, dr.p);
	else
		strata_text_puts(&b, "("), strata_text_puts(&b, dr.p), strata_text_puts(&b, ")");
	strata_text_puts(&b, "\nbranch_labels = None\ndepends_on = ");
	if (!nd)
		strata_text_puts(&b, "None");
	else if (nd == 1)
		strata_text_puts(&b, dep.p);
	else
		strata_text_puts(&b, "("), strata_text_puts(&b, dep.p), strata_text_puts(&b, ")");
	strata_text_puts(&b, "\n");
	unsigned int down_bit = (m->flags & STRATA_MIG_DOWN_OWN_TX) ? STRATA_MIG_DOWN_NO_TRANSACTION
	                                                            : STRATA_MIG_NO_TRANSACTION;
	body(&b, "upgrade", up, (m->flags & STRATA_MIG_NO_TRANSACTION) != 0);
	body(&b, "downgrade", down, (m->flags & down_bit) != 0);
	int oom = b.oom || dr.oom || dep.oom;
	free(dr.p);
	free(dep.p);
	if (oom) {
		free(b.p);
		return strata_oom(h);
	}
	rc = wf_write(h, cfg->path, rel, b.p, b.n);
	free(b.p);
	if (rc < 0)
		return rc;
	wrote *grown = realloc(done, (ndone + 1) * sizeof *grown);
	char *src = strdup(m->mig_version);
	if (!grown || !src) {
		free(src);
		if (grown)
			done = grown;
		return strata_oom(h);
	}
	done = grown;
	done[ndone].src = src;
	snprintf(done[ndone].rev, sizeof done[ndone].rev, "%s", rev);
	ndone++;
	return STRATA_OK;
}
