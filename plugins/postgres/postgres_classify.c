/*
 * Which statements a script holds, read from PostgreSQL's own parse tree
 * (libpg_query's pg_query_parse, JSON read with json-c): those the server
 * refuses inside a transaction block, those that end the host's
 * transaction, and whether the file manages its own (txn_control).  Key names were taken from pg_query_parse output (PG 15
 * tree), e.g. {"stmts":[{"stmt":{"IndexStmt":{...,"concurrent":true}},
 * "stmt_location":9,"stmt_len":40}]}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <pg_query.h>

#include "postgres_int.h"

/* The JSON of a TransactionStmt node has this key; what holds no such node
 * need not be read into a tree (json-c reads a large tree slowly: seconds
 * for a few MB of SQL). */
#define TX_NODE "\"TransactionStmt\""

/* Does the JSON hold a TransactionStmt node? */
static int tx_node(const char *json, const void *ud)
{
	(void)ud;
	return strstr(json, TX_NODE) != NULL;
}

/* Does string member key equal want? */
static int text_is(json_object *o, const char *key, const char *want)
{
	const char *t = pgdrv_text(o, key);

	return t && strcmp(t, want) == 0;
}

/*
 * Is a DefElem option on?  Read as the server's defGetBoolean does: no
 * argument is true (REINDEX (CONCURRENTLY)), Integer 0 is false (the tree
 * omits a zero ival), the strings false/off are false.
 */
static int defelem_on(json_object *def)
{
	json_object *arg = pgdrv_member(def, "arg"), *v;
	const char *t = arg ? pgdrv_node_type(arg, &v) : NULL;
	const char *s;

	if (!t)
		return 1;
	if (strcmp(t, "Integer") == 0)
		return pgdrv_member(v, "ival") && json_object_get_int64(pgdrv_member(v, "ival")) != 0;
	if (strcmp(t, "Boolean") == 0)
		return pgdrv_flag(v, "boolval");
	if (strcmp(t, "String") == 0) {
		s = pgdrv_text(v, "sval");
		return !(s && (strcasecmp(s, "false") == 0 || strcasecmp(s, "off") == 0));
	}
	return 1;
}

/* Does a DefElem list name option `name` (and, with want_on, set it on)? */
static int has_option(json_object *list, const char *name, int want_on)
{
	size_t n = list && json_object_is_type(list, json_type_array)
		? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *def;
		const char *t = pgdrv_node_type(json_object_array_get_idx(list, i), &def);

		if (t && strcmp(t, "DefElem") == 0 && text_is(def, "defname", name) &&
		    (!want_on || defelem_on(def)))
			return 1;
	}
	return 0;
}

/* The rules, one per statement type; ver is PQserverVersion(). */
static int always(json_object *b, int ver)
{
	(void)b;
	(void)ver;
	return 1;
}

/* CREATE INDEX CONCURRENTLY (IndexStmt), DROP INDEX CONCURRENTLY (DropStmt). */
static int concurrent(json_object *b, int ver)
{
	(void)ver;
	return pgdrv_flag(b, "concurrent");
}

/* REINDEX (CONCURRENTLY) / REINDEX ... CONCURRENTLY (both parse to a
 * "concurrently" DefElem in params), and REINDEX SCHEMA/SYSTEM/DATABASE,
 * which commit per table. */
static int reindex(json_object *b, int ver)
{
	(void)ver;
	return text_is(b, "kind", "REINDEX_OBJECT_SCHEMA") ||
	       text_is(b, "kind", "REINDEX_OBJECT_SYSTEM") ||
	       text_is(b, "kind", "REINDEX_OBJECT_DATABASE") ||
	       has_option(pgdrv_member(b, "params"), "concurrently", 1);
}

/* VacuumStmt is VACUUM and ANALYZE; only VACUUM is refused in a block. */
static int vacuum(json_object *b, int ver)
{
	(void)ver;
	return pgdrv_flag(b, "is_vacuumcmd");
}

/* ALTER TYPE ... ADD VALUE (no oldVal; RENAME VALUE has one) before PG 12. */
static int enum_add(json_object *b, int ver)
{
	return !pgdrv_member(b, "oldVal") && ver < 120000;
}

/* ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PG 14). */
static int detach_concurrently(json_object *b, int ver)
{
	json_object *cmds = pgdrv_member(b, "cmds");
	size_t n = cmds && json_object_is_type(cmds, json_type_array)
		? json_object_array_length(cmds) : 0;

	(void)ver;
	for (size_t i = 0; i < n; i++) {
		json_object *cmd, *part;
		const char *t = pgdrv_node_type(json_object_array_get_idx(cmds, i), &cmd);

		if (!t || strcmp(t, "AlterTableCmd") != 0 ||
		    !text_is(cmd, "subtype", "AT_DetachPartition"))
			continue;
		t = pgdrv_node_type(pgdrv_member(cmd, "def"), &part);
		if (t && strcmp(t, "PartitionCmd") == 0 && pgdrv_flag(part, "concurrent"))
			return 1;
	}
	return 0;
}

/* CLUSTER with no table: every clustered table, one transaction each. */
static int cluster_all(json_object *b, int ver)
{
	(void)ver;
	return !pgdrv_member(b, "relation");
}

/* DISCARD ALL (DISCARD PLANS, SEQUENCES, TEMP are fine in a block). */
static int discard_all(json_object *b, int ver)
{
	(void)ver;
	return text_is(b, "target", "DISCARD_ALL");
}

/* ALTER DATABASE ... SET TABLESPACE moves files and cannot be rolled back. */
static int db_tablespace(json_object *b, int ver)
{
	(void)ver;
	return has_option(pgdrv_member(b, "options"), "tablespace", 0);
}

/* COMMIT PREPARED / ROLLBACK PREPARED act on another transaction. */
static int prepared(json_object *b, int ver)
{
	(void)ver;
	return text_is(b, "kind", "TRANS_STMT_COMMIT_PREPARED") ||
	       text_is(b, "kind", "TRANS_STMT_ROLLBACK_PREPARED");
}

static const struct {
	const char *type;
	int (*needs)(json_object *body, int ver);
} rules[] = {
	{ "IndexStmt", concurrent },
	{ "DropStmt", concurrent },
	{ "ReindexStmt", reindex },
	{ "VacuumStmt", vacuum },
	{ "CreatedbStmt", always },
	{ "DropdbStmt", always },
	{ "AlterSystemStmt", always },
	{ "CreateTableSpaceStmt", always },
	{ "DropTableSpaceStmt", always },
	{ "AlterEnumStmt", enum_add },
	{ "AlterTableStmt", detach_concurrently },
	{ "ClusterStmt", cluster_all },
	{ "DiscardStmt", discard_all },
	{ "AlterDatabaseStmt", db_tablespace },
	{ "TransactionStmt", prepared },
};

/* A word each statement the rules refuse has (CREATE INDEX CONCURRENTLY,
 * ALTER TYPE, ...): without one, no parse is needed. */
static const char *const rule_words[] = {
	"concurrently", "reindex", "vacuum", "database", "system", "tablespace", "type",
	"detach", "cluster", "discard", "prepared", NULL
};

/* Does the JSON hold a statement of a type the rules look at?  Each
 * statement is {"stmt":{"IndexStmt":{...}}: one pass over those keys.  Most
 * scripts hold none, and a tree is then not worth building: for a 2 MB file
 * of INSERTs json-c's tree is 300 MB.  A false match only costs the tree. */
static int rule_node(const char *json, const void *ud)
{
	(void)ud;
	static const char key[] = "\"stmt\":{\"";

	for (const char *p = strstr(json, key); p; p = strstr(p, key)) {
		p += sizeof key - 1;
		for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
			size_t n = strlen(rules[i].type);

			if (!strncmp(p, rules[i].type, n) && p[n] == '"')
				return 1;
		}
	}
	return 0;
}

/* Does one top-level statement refuse to run in a transaction block? */
static const char *refuses_block(json_object *stmt, int ver)
{
	json_object *body;
	const char *t = pgdrv_node_type(pgdrv_member(stmt, "stmt"), &body);

	if (!t)
		return NULL;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (strcmp(t, rules[i].type) == 0)
			return rules[i].needs(body, ver) ? t : NULL;
	return NULL;
}

/*
 * One such statement makes the whole script run without a transaction (the
 * host then runs each statement on its own).  A script PostgreSQL 15's
 * grammar rejects is not an error here: the server reports it, with its
 * position, when the script runs.
 */
int pgdrv_needs_autocommit(strata_conn *conn, strata_host *host, const strata_script *script)
{
	char why[256] = "", *sql;
	json_object *root, *stmts;
	size_t n;
	int ver, yes = 0;

	conn->host = host;
	sql = pgdrv_script_text(script);
	if (!sql)
		return strata_oom(host);
	if (!pgdrv_has_word(sql, rule_words)) {
		free(sql);
		return 0;
	}
	root = pgdrv_tree(sql, rule_node, NULL, why, sizeof why, NULL);
	free(sql);
	if (!root && !*why)
		return 0; /* no statement the rules look at (or out of memory: runs in one) */
	if (!root) {
		host->debug(host, "postgres: %s: not classified (%s); runs in a transaction",
		            script->file ? script->file : "script", *why ? why : "out of memory");
		return 0;
	}
	ver = PQserverVersion(conn->pg);
	stmts = pgdrv_member(root, "stmts");
	n = stmts && json_object_is_type(stmts, json_type_array) ? json_object_array_length(stmts) : 0;
	for (size_t i = 0; i < n && !yes; i++) {
		const char *t = refuses_block(json_object_array_get_idx(stmts, i), ver);

		if (t) {
			host->debug(host, "postgres: %s: statement %zu (%s) cannot run in a "
			            "transaction block; the script runs without one",
			            script->file ? script->file : "script", i + 1, t);
			yes = 1;
		}
	}
	json_object_put(root);
	return yes;
}

/*
 * Find a top-level COMMIT, ROLLBACK (also END, ABORT, COMMIT AND CHAIN) or
 * PREPARE TRANSACTION: in a transactional migration it would commit or drop
 * the host's transaction halfway, so run() refuses the script before any
 * statement runs.  Returns 1 and the statement's byte offset, else 0 (also
 * when the script does not parse; run() then checks after each statement).
 */
int pgdrv_find_tx_end(const char *sql, size_t *at)
{
	static const char *const words[] = { "commit", "rollback", "end", "abort", "prepare",
	                                     NULL };
	json_object *root, *stmts;
	size_t n;
	int found = 0;

	if (!pgdrv_has_word(sql, words))
		return 0;
	root = pgdrv_tree(sql, tx_node, NULL, NULL, 0, NULL);
	if (!root)
		return 0;
	stmts = pgdrv_member(root, "stmts");
	n = stmts && json_object_is_type(stmts, json_type_array) ? json_object_array_length(stmts) : 0;
	for (size_t i = 0; i < n && !found; i++) {
		json_object *item = json_object_array_get_idx(stmts, i), *body, *loc;
		const char *t = pgdrv_node_type(pgdrv_member(item, "stmt"), &body);

		if (!t || strcmp(t, "TransactionStmt") != 0)
			continue;
		if (text_is(body, "kind", "TRANS_STMT_COMMIT") ||
		    text_is(body, "kind", "TRANS_STMT_ROLLBACK") ||
		    text_is(body, "kind", "TRANS_STMT_PREPARE")) {
			loc = pgdrv_member(item, "stmt_location");
			*at = loc ? (size_t)json_object_get_int64(loc) : 0;
			found = 1;
		}
	}
	json_object_put(root);
	return found;
}

/* A top-level statement as transaction control sees it. */

static strata_txn_kind tx_kind_of(json_object *stmt)
{
	json_object *body;
	const char *t = pgdrv_node_type(stmt, &body), *k;

	if (!t || strcmp(t, "TransactionStmt") != 0)
		return STRATA_TXK_OTHER;
	k = pgdrv_text(body, "kind");
	if (!k)
		return STRATA_TXK_CONTROL;
	if (strcmp(k, "TRANS_STMT_SAVEPOINT") == 0 || strcmp(k, "TRANS_STMT_RELEASE") == 0 ||
	    strcmp(k, "TRANS_STMT_ROLLBACK_TO") == 0)
		return STRATA_TXK_SAVEPOINT;
	if ((strcmp(k, "TRANS_STMT_BEGIN") == 0 || strcmp(k, "TRANS_STMT_START") == 0) &&
	    !pgdrv_member(body, "options"))
		return STRATA_TXK_BEGIN;
	if (strcmp(k, "TRANS_STMT_COMMIT") == 0 && !pgdrv_flag(body, "chain"))
		return STRATA_TXK_COMMIT;
	return STRATA_TXK_CONTROL;
}

/* One statement's kind, parsed on its own; text the grammar rejects is not
 * transaction control (the server reports it when it runs). */
static strata_txn_kind piece_kind(const char *piece)
{
	json_object *root = pgdrv_tree(piece, tx_node, NULL, NULL, 0, NULL);
	json_object *stmts = pgdrv_member(root, "stmts");
	strata_txn_kind k = STRATA_TXK_OTHER;

	if (stmts && json_object_is_type(stmts, json_type_array) &&
	    json_object_array_length(stmts) == 1)
		k = tx_kind_of(pgdrv_member(json_object_array_get_idx(stmts, 0), "stmt"));
	json_object_put(root);
	return k;
}

/*
 * Walk the statements one by one: split by the parser (by the scanner when
 * PostgreSQL 15's grammar rejects the script: one statement of a newer
 * server, a typo), each statement parsed on its own, so the transaction
 * statements are found either way.  Text the scanner cannot split either
 * (an unterminated quote or comment) is refused here, before the host
 * begins anything.  0, STRATA_ESQL or STRATA_ENOMEM, reported.
 */
static int walk_pieces(const strata_conn *conn, strata_host *host, const strata_script *s,
                       const char *sql, int parses, strata_txn_walk *w)
{
	PgQuerySplitResult sp = parses ? pg_query_split_with_parser(sql)
	                               : pg_query_split_with_scanner(sql);
	size_t len = s->len;
	int rc = STRATA_OK;

	if (sp.error)
		rc = pgdrv_scan_error(conn, host, s, sql, sp.error->message, sp.error->cursorpos);
	for (int i = 0; !sp.error && i < sp.n_stmts && rc == STRATA_OK; i++) {
		size_t loc = sp.stmts[i]->stmt_location > 0 ? (size_t)sp.stmts[i]->stmt_location : 0;
		size_t n = sp.stmts[i]->stmt_len > 0 ? (size_t)sp.stmts[i]->stmt_len : len;
		char *piece;

		if (loc > len)
			loc = len;
		if (n > len - loc)
			n = len - loc;
		if (pgdrv_skip_space(sql, loc, loc + n) == loc + n)
			continue; /* only comments */
		piece = strndup(sql + loc, n);
		if (!piece) {
			rc = strata_oom(host);
			break;
		}
		strata_txn_see(w, piece_kind(piece), loc);
		free(piece);
	}
	pg_query_free_split_result(sp);
	return rc;
}

/* The words of every transaction statement (BEGIN, START TRANSACTION,
 * COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION, SAVEPOINT, RELEASE). */
static const char *const tx_words[] = {
	"begin", "start", "commit", "end", "rollback", "abort", "prepare", "savepoint",
	"release", NULL
};

/* A script without those words has no transaction control; only text the
 * scanner cannot read is refused (walk_pieces). */
static int scan_only(const strata_conn *conn, strata_host *host, const strata_script *s,
                     const char *sql)
{
	PgQuerySplitResult sp = pg_query_split_with_scanner(sql);
	int rc = STRATA_TXN_NONE;

	if (sp.error)
		rc = pgdrv_scan_error(conn, host, s, sql, sp.error->message, sp.error->cursorpos);
	pg_query_free_split_result(sp);
	return rc;
}

/*
 * Does the script manage its own transaction (docs/plugins.md, txn_control)?
 * Read from the parse tree's TransactionStmt nodes: a plain BEGIN first and
 * a plain COMMIT last, with no other transaction control, wrap the file;
 * savepoints never count.  A script whose tree has no TransactionStmt at
 * all (the usual one) costs one parse.
 */
int pgdrv_txn_control(strata_conn *conn, strata_host *host, const strata_script *script,
                      size_t *body_start, size_t *body_end)
{
	strata_txn_walk w = {0};
	PgQueryParseResult r;
	char *sql;
	int parses, mentions, rc;

	if (conn)
		conn->host = host;
	sql = pgdrv_script_text(script);
	if (!sql)
		return strata_oom(host);
	if (!pgdrv_has_word(sql, tx_words)) {
		rc = scan_only(conn, host, script, sql);
		free(sql);
		return rc;
	}
	r = pg_query_parse(sql);
	parses = !r.error && r.parse_tree;
	mentions = parses && strstr(r.parse_tree, TX_NODE) != NULL;
	pg_query_free_parse_result(r);
	rc = !parses || mentions ? walk_pieces(conn, host, script, sql, parses, &w) : STRATA_OK;
	free(sql);
	if (rc != STRATA_OK)
		return rc;
	rc = strata_txn_answer(&w, body_start, body_end);
	if (rc == STRATA_TXN_OWN)
		host->debug(host, "postgres: %s: %zu transaction statement%s besides savepoints, "
		            "not one BEGIN ... COMMIT around the file",
		            script->file ? script->file : "script", w.control,
		            w.control == 1 ? "" : "s");
	return rc;
}
