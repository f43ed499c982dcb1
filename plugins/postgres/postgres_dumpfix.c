/*
 * schema_sql's post-processing of pg_dump's output: the rules that turn
 * `pg_dump --schema-only --no-owner --no-privileges` into a migration a
 * migration tool can run on a fresh database (Prisma's `migrate deploy`
 * runs it as one script in the database's default session).  Each rule is
 * a row below with the reason it exists; docs/plugins.md lists them.
 *
 * Two passes.  Lines first, for what is not SQL at all (psql meta-commands,
 * which pg_dump writes only before the first statement and after the last).  Then statements, cut where
 * PostgreSQL's own scanner cuts them (libpg_query), so that a rule never
 * touches a line inside a function body or a string: a statement whose text
 * (its leading comments left out) a rule matches is dropped whole, and the
 * comments between statements are dropped with it.
 */
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "postgres_int.h"

/* Lines dropped wherever they stand (a prefix at column 0). */
static const struct line_rule {
	const char *prefix;
	const char *why;
} line_rules[] = {
	{ "\\restrict ", "psql meta-command (pg_dump >= 15.14); SQL servers reject it" },
	{ "\\unrestrict ", "psql meta-command closing \\restrict" },
};

/* Statements dropped: exact text, or a prefix when prefix is set. */
static const struct stmt_rule {
	const char *text;
	int prefix;
	const char *why;
} stmt_rules[] = {
	{ "SELECT pg_catalog.set_config('search_path', '', false)", 0,
	  "empties search_path for the rest of the session: Prisma's own queries after the "
	  "script then fail (P1014 on a fresh database); every name in the dump is qualified" },
	{ "SET ", 1,
	  "pg_dump's session settings (timeouts, client_encoding, default_tablespace, …): "
	  "not part of the schema, and they would outlive the script in the tool's session" },
	{ "CREATE SCHEMA public", 0, "a fresh database already has it" },
	{ "COMMENT ON SCHEMA public IS ", 1, "a fresh database already has it" },
};

static int line_dropped(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof line_rules / sizeof *line_rules; i++) {
		size_t k = strlen(line_rules[i].prefix);
		if (n >= k && memcmp(s, line_rules[i].prefix, k) == 0)
			return 1;
	}
	return 0;
}

/* Skip whitespace and "--" comment lines: where the statement's own text starts. */
static size_t body_start(const char *s, size_t at, size_t end)
{
	for (;;) {
		while (at < end && strchr(" \t\r\n", s[at]))
			at++;
		if (at + 1 < end && s[at] == '-' && s[at + 1] == '-') {
			while (at < end && s[at] != '\n')
				at++;
			continue;
		}
		return at;
	}
}

static int stmt_dropped(const char *s, size_t n)
{
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof stmt_rules / sizeof *stmt_rules; i++) {
		size_t k = strlen(stmt_rules[i].text);
		if (stmt_rules[i].prefix ? n >= k && memcmp(s, stmt_rules[i].text, k) == 0
		                         : n == k && memcmp(s, stmt_rules[i].text, k) == 0)
			return 1;
	}
	return 0;
}

/* A line of pg_dump's header or trailer: blank, a comment, or one a line
 * rule drops. */
static int frame_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && strchr(" \t\r\n", s[i]))
		i++;
	return i == n || (n - i >= 2 && s[i] == '-' && s[i + 1] == '-') || line_dropped(s, n);
}

/* The dump without the lines line_rules drop (NUL-terminated, malloc'd).
 * Only in the header (before the first statement) and the trailer (after
 * the last), where pg_dump writes them: a line inside a string or a body
 * that happens to start the same way is left alone. */
static char *drop_lines(const char *dump, size_t len)
{
	char *out = malloc(len + 1);
	size_t o = 0, head = 0, tail = len;

	if (!out)
		return NULL;
	while (head < len) {
		const char *nl = memchr(dump + head, '\n', len - head);
		size_t n = nl ? (size_t)(nl - (dump + head)) + 1 : len - head;
		if (!frame_line(dump + head, n))
			break;
		head += n;
	}
	while (tail > head) {
		size_t b = tail - 1; /* the line ending at tail */
		while (b > head && dump[b - 1] != '\n')
			b--;
		if (!frame_line(dump + b, tail - b))
			break;
		tail = b;
	}
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(dump + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (dump + at)) + 1 : len - at;
		if ((at >= head && at < tail) || !line_dropped(dump + at, n)) {
			memcpy(out + o, dump + at, n);
			o += n;
		}
		at += n;
	}
	out[o] = '\0';
	return out;
}

int pgdrv_dumpfix(strata_host *host, const char *dump, size_t len, strata_text_fn fn, void *ud)
{
	char *text = drop_lines(dump, len);
	PgQuerySplitResult sp;
	int rc = STRATA_OK;

	if (!text)
		return strata_oom(host);
	sp = pg_query_split_with_scanner(text);
	if (sp.error) {
		host->error(host, STRATA_ECLASS_DB, NULL, sp.error->lineno, 0,
		            "report this with the pg_dump version",
		            "pg_dump's output does not scan: %s", sp.error->message);
		rc = STRATA_EIO;
	}
	for (int i = 0; rc == STRATA_OK && i < sp.n_stmts; i++) {
		size_t at = (size_t)sp.stmts[i]->stmt_location;
		size_t end = at + (size_t)sp.stmts[i]->stmt_len;
		size_t b = body_start(text, at, end);
		if (b >= end || stmt_dropped(text + b, end - b))
			continue;
		rc = fn(ud, text + b, end - b);
		if (rc == STRATA_OK)
			rc = fn(ud, ";\n\n", 3);
	}
	pg_query_free_split_result(sp);
	free(text);
	return rc;
}
