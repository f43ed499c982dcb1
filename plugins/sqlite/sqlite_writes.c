/*
 * Does a script write a given table?  Found with SQLite's own parser: each
 * statement is prepared (never stepped) on the open connection, where the
 * script has just run, with an authorizer that notes SQLITE_INSERT,
 * SQLITE_UPDATE and SQLITE_DELETE on the table, by the statement itself or
 * by a trigger it fires (the row is written either way; the statement that
 * fires it is the one named).  SQLite resolves the name, so quoting, case
 * (SQLite's names are case-blind, quoted or not) and main./temp. are read as
 * SQLite reads them; a name inside a string, a comment or a trigger body is
 * not a write.  PRAGMAs are denied before they act (some act while they are
 * prepared).  A statement that does not prepare here (a table the script
 * dropped again, an object that exists now) is read from its first tokens
 * with SQLite's lexical rules: INSERT / REPLACE [OR …] INTO name, UPDATE
 * [OR …] name, DELETE FROM name, also after a WITH clause; a CREATE TRIGGER
 * that does not prepare is never a write.  A script that does not name the
 * table, on a database without a trigger that names it, is answered
 * without a prepare.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

typedef struct want {
	const char *schema, *table;
	int hit;
} want;

static int db_matches(const char *schema, const char *db)
{
	if (schema)
		return db && sqlite3_stricmp(schema, db) == 0;
	return !db || sqlite3_stricmp(db, "temp") != 0;
}

static int watch(void *ud, int action, const char *what, const char *col, const char *db,
                 const char *trigger)
{
	want *w = ud;

	(void)col;
	(void)trigger;
	if (action == SQLITE_PRAGMA)
		return SQLITE_DENY; /* never let a pragma act at prepare time */
	if ((action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) &&
	    what && sqlite3_stricmp(what, w->table) == 0 && db_matches(w->schema, db))
		w->hit = 1;
	return SQLITE_OK;
}

/* Token [p, q) as a name: quotes stripped, case-blind. */
static int name_is(const char *p, const char *q, const char *name)
{
	size_t n = (size_t)(q - p), k = strlen(name);

	if (n >= 2 && (*p == '"' || *p == '`' || *p == '[' || *p == '\'')) {
		p++;
		n -= 2;
	}
	return n == k && sqlite3_strnicmp(p, name, (int)n) == 0;
}

static int word_is(const char *p, const char *q, const char *w)
{
	size_t n = (size_t)(q - p);

	return n == strlen(w) && sqlite3_strnicmp(p, w, (int)n) == 0;
}

/* From *p: [schema.]name naming the wanted table? */
static int target_is(const char *p, const char *end, const want *w)
{
	const char *q, *d, *dq, *t, *tq;

	p = sqlite_lex_token(p, end, &q);
	if (p == end)
		return 0;
	d = sqlite_lex_token(q, end, &dq);
	if (d < end && *d == '.' && dq == d + 1) {
		t = sqlite_lex_token(dq, end, &tq);
		return t < end && name_is(t, tq, w->table) &&
		       (!w->schema || name_is(p, q, w->schema));
	}
	return name_is(p, q, w->table) && !w->schema;
}

/* A statement that did not prepare, [p, end): its first tokens. */
static int first_tokens_write(const char *p, const char *end, const want *w)
{
	const char *q;
	int depth = 0, first = 1;

	for (p = sqlite_lex_token(p, end, &q); p < end; p = sqlite_lex_token(q, end, &q)) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (first && !word_is(p, q, "with") && !word_is(p, q, "insert") &&
		    !word_is(p, q, "replace") && !word_is(p, q, "update") && !word_is(p, q, "delete"))
			return 0;
		first = 0;
		if (depth != 0)
			continue;
		if (word_is(p, q, "insert") || word_is(p, q, "replace") || word_is(p, q, "update")) {
			int upd = word_is(p, q, "update");
			const char *a, *aq;

			a = sqlite_lex_token(q, end, &aq);
			if (a < end && word_is(a, aq, "or")) { /* OR ROLLBACK / ABORT / REPLACE / … */
				sqlite_lex_token(aq, end, &aq);
				a = sqlite_lex_token(aq, end, &aq);
			}
			if (upd)
				return target_is(a, end, w);
			return a < end && word_is(a, aq, "into") && target_is(aq, end, w);
		}
		if (word_is(p, q, "delete")) {
			const char *a, *aq;

			a = sqlite_lex_token(q, end, &aq);
			return a < end && word_is(a, aq, "from") && target_is(aq, end, w);
		}
	}
	return 0;
}

/* Does the name occur in text[0..len), in any case (SQLite folds ASCII)? */
static int mentions(const char *text, size_t len, const char *name)
{
	size_t k = strlen(name);

	for (size_t i = 0; k && i + k <= len; i++)
		if (sqlite3_strnicmp(text + i, name, (int)k) == 0)
			return 1;
	return 0;
}

/* Can a statement of text write the table at all?  Only when text names
 * it, or a trigger (which a statement may fire) does.  Saves a prepare per
 * statement for the usual script; when unsure, yes. */
static int may_write(sqlite3 *db, const char *text, size_t len, const char *table)
{
	static const char q[] =
		"SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND instr(lower(sql), lower(?1)) "
		"UNION ALL SELECT 1 FROM sqlite_temp_master WHERE type = 'trigger' AND "
		"instr(lower(sql), lower(?1)) LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (mentions(text, len, table))
		return 1;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return 1;
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc != SQLITE_DONE;
}

int sqlite_drv_writes_table(strata_conn *conn, strata_host *host, const strata_script *s,
                            const char *schema, const char *table, int *line)
{
	want w = {schema, table, 0};
	char *text, *p, *end;
	int found = 0, col;

	*line = 0;
	if (!conn || !conn->db || !table || s->len == 0 || s->len > INT_MAX)
		return 0;
	if (!may_write(conn->db, s->sql, s->len, table))
		return 0;
	text = malloc(s->len + 1);
	if (!text)
		return strata_oom(host);
	memcpy(text, s->sql, s->len);
	text[s->len] = '\0';
	/* The driver sets no authorizer of its own on this connection: NULL
	 * restores what it had. */
	sqlite3_set_authorizer(conn->db, watch, &w);
	for (p = text, end = text + s->len; p < end && !found;) {
		char *start = (char *)sqlite_statement_start(p, end);
		const char *tail = NULL;
		sqlite3_stmt *st = NULL;
		int rc;

		if (start == end)
			break;
		w.hit = 0;
		rc = sqlite3_prepare_v2(conn->db, start, -1, &st, &tail);
		if (st && sqlite3_stmt_isexplain(st))
			w.hit = 0; /* EXPLAIN [QUERY PLAN] runs nothing */
		sqlite3_finalize(st);
		if (rc == SQLITE_OK && (!tail || tail <= start || tail > end))
			break; /* a NUL byte */
		if (rc != SQLITE_OK) {
			tail = sqlite_complete_end(start, end);
			w.hit = first_tokens_write(start, tail, &w);
			host->debug(host, "sqlite: %s: a statement does not prepare now (%s); "
			            "read from its first words: %s",
			            s->file ? s->file : "script", sqlite3_errmsg(conn->db),
			            w.hit ? "writes it" : "not a write to it");
		}
		if (w.hit) {
			sqlite_locate(s, (size_t)(start - text), line, &col);
			found = 1;
		}
		p = (char *)tail;
	}
	sqlite3_set_authorizer(conn->db, NULL, NULL);
	free(text);
	return found;
}
