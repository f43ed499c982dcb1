/* Why a script runs outside strata's transaction, in words that name
 * file:line: for apply --single-transaction's line where a batch ends.
 * db_script_mode decides; this finds its reason again, statement by
 * statement, for the few scripts that end a batch. */
#include "driver.h"

#include <stdio.h>
#include <string.h>

typedef struct stmt_find {
	db *d;
	const char *file;
	int line;       /* of the first statement that needs autocommit */
	char what[64];  /* its opening words */
} stmt_find;

/* The opening words of a statement, comments and blank lines skipped,
 * blanks folded to one space, cut at a word boundary. */
static void opening(const char *sql, size_t len, char *out, size_t size)
{
	size_t o = 0, i = 0;
	bool space = false;
	while (i < len && o + 1 < size) {
		if (sql[i] == '-' && i + 1 < len && sql[i + 1] == '-') {
			while (i < len && sql[i] != '\n')
				i++;
			continue;
		}
		char c = sql[i++];
		if (c == ';')
			break;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < size)
			out[o++] = ' ';
		space = false;
		out[o++] = c;
	}
	if (o + 1 >= size) { /* cut: back to the last whole word */
		while (o > 0 && out[o - 1] != ' ')
			o--;
		while (o > 0 && out[o - 1] == ' ')
			o--;
	}
	out[o] = '\0';
}

static int each_stmt(void *ud, const char *sql, size_t len, int line)
{
	stmt_find *f = ud;
	strata_script sc = {.version = STRATA_SCRIPT_VERSION, .struct_size = sizeof sc, .sql = sql,
	                    .len = len, .file = f->file, .line = line};
	int r = call_needs_autocommit(&f->d->hc, f->d->plugin, f->d->conn, &sc);
	if (r <= 0)
		return r;
	f->line = line;
	opening(sql, len, f->what, sizeof f->what);
	return 1; /* found: stop */
}

/* The line of "-- strata:no-transaction" in sql, 1-based from first. */
static int directive_line(const char *sql, size_t len, int first)
{
	static const char word[] = "-- strata:no-transaction";
	int line = first > 0 ? first : 1;
	for (const char *p = sql, *end = sql + len; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(eol - p) >= sizeof word - 1 && !memcmp(p, word, sizeof word - 1))
			return line;
		p = eol + 1;
	}
	return 0;
}

void db_no_tx_reason(db *d, const migration *m, char *out, size_t size)
{
	const char *file = m->info.file ? m->info.file : m->info.id;
	int dl = m->up ? directive_line(m->up, m->up_len, m->info.line) : 0;
	if (dl) {
		snprintf(out, size, "-- strata:no-transaction at %s:%d", file, dl);
		return;
	}
	if (m->info.flags & STRATA_MIG_NO_TRANSACTION) {
		snprintf(out, size, "its source marks it to run without one: %s", file);
		return;
	}
	stmt_find f = {.d = d, .file = file};
	err_saved k;
	err_save(d->e, &k); /* a reason not found is no error of the apply */
	int rc = m->up && d->conn ? db_statements(d, m->up, m->up_len, file, m->info.line, each_stmt, &f)
	                          : 0;
	err_restore(d->e, &k);
	if (rc == 1 && f.line)
		snprintf(out, size, "%s at %s:%d", f.what, file, f.line);
	else if (rc == 1)
		snprintf(out, size, "%s in %s", f.what, file);
	else
		snprintf(out, size, "its own transaction control, %s", file);
}
