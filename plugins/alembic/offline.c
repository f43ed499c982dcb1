/* Alembic's offline script as the SQL of revisions strata cannot translate.
 * `alembic upgrade A:B --sql` prints every chunk as text + "\n\n" and opens
 * each revision with `-- Running upgrade <from> -> <to>` (downgrades:
 * `-- Running downgrade <from> -> <to>`).  A block's chunks are that
 * revision's statements once Alembic's own bookkeeping is dropped: the
 * version table's DDL/DML (strata writes that table itself) and the
 * BEGIN;/COMMIT; lines (strata runs each revision in its own transaction). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic_int.h"

static int starts(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);
	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

/* "WORDS TABLE" followed by tail at p. */
static int starts_t(const char *p, const char *end, const char *words, const char *table,
                    const char *tail)
{
	size_t w = strlen(words), t = strlen(table);
	return starts(p, end, words) && (size_t)(end - p - w) >= t && !memcmp(p + w, table, t) &&
	       starts(p + w + t, end, tail);
}

/* Alembic's bookkeeping, not the revision's own SQL: statements about the
 * version table (as Alembic prints its name: [schema.]table, quoted where
 * SQLAlchemy quotes). */
static int bookkeeping(const char *p, const char *end, const char *table)
{
	return starts_t(p, end, "INSERT INTO ", table, " ") ||
	       starts_t(p, end, "UPDATE ", table, " ") ||
	       starts_t(p, end, "DELETE FROM ", table, " ") ||
	       starts_t(p, end, "CREATE TABLE ", table, " ") ||
	       starts_t(p, end, "DROP TABLE ", table, ";");
}

static int is_chunk(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) == n && !memcmp(p, word, n);
}

/* The revision a marker line names: the text after " -> " for an upgrade
 * (one revision; a merge lists its parents before the arrow), before it for
 * a downgrade. */
static char *marker_rev(const char *line, size_t n, int down)
{
	const char *arrow = NULL;
	for (size_t i = 0; i + 4 <= n; i++)
		if (!memcmp(line + i, " -> ", 4)) {
			arrow = line + i;
			break;
		}
	if (!arrow)
		return NULL;
	const char *b = down ? line : arrow + 4, *e = down ? arrow : line + n;
	while (b < e && *b == ' ')
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\r'))
		e--;
	if (memchr(b, ',', (size_t)(e - b)) || b == e)
		return NULL; /* several revisions (an un-merge): not one revision's block */
	return strndup(b, (size_t)(e - b));
}

static int finish(strata_host *h, al_offline *o, al_block *cur, const char *from, const char *to)
{
	/* Chunks are separated by blank lines; keep all but the bookkeeping. */
	size_t cap = (size_t)(to - from) + 3, n = 0; /* + a last "\n\n" and the NUL */
	char *sql = malloc(cap);
	if (!sql) {
		free(cur->rev);
		return strata_oom(h);
	}
	int committed = 0;
	for (const char *p = from; p < to;) {
		const char *sep = NULL;
		for (const char *q = p; q + 1 < to; q++)
			if (q[0] == '\n' && q[1] == '\n') {
				sep = q;
				break;
			}
		const char *ce = sep ? sep : to;
		const char *cs = p;
		while (cs < ce && (*cs == '\n' || *cs == '\r'))
			cs++;
		const char *te = ce;
		while (te > cs && (te[-1] == '\n' || te[-1] == '\r'))
			te--;
		if (te > cs) {
			if (is_chunk(cs, te, "COMMIT;"))
				committed = 1;
			else if (is_chunk(cs, te, "BEGIN;"))
				committed = 0;
			else if (!bookkeeping(cs, te, o->table)) {
				if (committed)
					cur->no_transaction = 1;
				memcpy(sql + n, cs, (size_t)(te - cs));
				n += (size_t)(te - cs);
				memcpy(sql + n, "\n\n", 2);
				n += 2;
			}
		}
		p = sep ? sep + 2 : to;
	}
	sql[n] = '\0';
	cur->sql = sql;
	cur->len = n;
	al_block *nb = realloc(o->blocks, (o->n + 1) * sizeof *nb);
	if (!nb) {
		free(sql);
		free(cur->rev);
		return strata_oom(h);
	}
	o->blocks = nb;
	o->blocks[o->n++] = *cur;
	return 0;
}

int al_offline_read(strata_host *h, const char *path, const char *display, al_offline *out)
{
	return al_offline_read_vt(h, path, display, AL_TABLE, out);
}

int al_offline_read_vt(strata_host *h, const char *path, const char *display, const char *table,
                       al_offline *out)
{
	memset(out, 0, sizeof *out);
	out->table = table;
	char *text = NULL;
	size_t len;
	int rc = strata_read_file(h, AT_FDCWD, path, display, &text, &len);
	if (rc == STRATA_ENOTFOUND) {
		h->error(h, STRATA_ECLASS_SOURCE, display, 0, 0,
		         "write it with  alembic upgrade FROM:TO --sql > FILE",
		         "offline SQL script not found");
		return STRATA_EINVAL;
	}
	if (rc)
		return rc;
	out->file = strdup(display);
	al_block cur = {0};
	const char *body = NULL;
	int lineno = 0;
	for (const char *p = text; !rc && p < text + len;) {
		const char *e = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(text + len - p);
		lineno++;
		int up = starts(p, p + n, "-- Running upgrade "), down = starts(p, p + n, "-- Running downgrade ");
		if (up || down) {
			if (cur.rev && body)
				rc = finish(h, out, &cur, body, p);
			if (rc)
				break;
			memset(&cur, 0, sizeof cur);
			size_t skip = strlen(up ? "-- Running upgrade " : "-- Running downgrade ");
			cur.rev = marker_rev(p + skip, n - skip, down);
			cur.line = lineno;
			cur.down = down;
			body = e ? e + 1 : p + n;
			if (!cur.rev)
				body = NULL; /* not one revision's block: skipped */
		}
		p += n + (e ? 1 : 0);
	}
	if (!rc && cur.rev && body)
		rc = finish(h, out, &cur, body, text + len);
	free(text);
	if (!rc && !out->n) {
		h->error(h, STRATA_ECLASS_SOURCE, display, 0, 0,
		         "write it with  alembic upgrade FROM:TO --sql > FILE",
		         "no '-- Running upgrade A -> B' block in the offline SQL script");
		rc = STRATA_EINVAL;
	}
	if (rc)
		al_offline_free(out);
	return rc;
}

const al_block *al_offline_find(const al_offline *o, const char *rev, int down)
{
	for (size_t i = o->n; i-- > 0;) /* the last block for a revision wins */
		if (o->blocks[i].down == down && !strcmp(o->blocks[i].rev, rev))
			return &o->blocks[i];
	return NULL;
}

void al_offline_free(al_offline *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->blocks[i].rev);
		free(o->blocks[i].sql);
		free(o->blocks[i].file);
	}
	free(o->blocks);
	free(o->file);
	memset(o, 0, sizeof *o);
}
