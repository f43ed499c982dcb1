/*
 * The replay cache's templates for `strata verify` and `strata drift`
 * (plugin.h's version-6 ops; the host's side and the design are in
 * core/run/template.c): a scratch database that holds a replayed prefix of
 * the history is copied to a database of its own (CREATE DATABASE ...
 * TEMPLATE, which needs no session on the source), commented so `\l+`
 * says what it is.  Saving renames the scratch (the host closed its
 * connection to it first) rather than copying it: a copy of a database of
 * 400 tables takes a second or two, a rename nothing, and the scratch was
 * to be dropped anyway.  All of it on the target's
 * connection, which made the scratch (conn->scratch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres_int.h"

/* What a replay makes depends on besides the scripts: the server's major
 * version, the user (who owns what it creates), the schema it lands in,
 * and template1's encoding and locale (what an empty scratch is made of). */
int pgdrv_template_tag(strata_conn *conn, strata_host *host, char *out, size_t size)
{
	if (!conn)
		return STRATA_ENOTFOUND;
	char *tag = NULL;
	int rc = pgdrv_query_text(
		conn, host,
		"SELECT 'postgresql ' || (pg_catalog.current_setting('server_version_num')::int / 10000)"
		" || ' user=' || current_user || ' schema=' || coalesce(pg_catalog.current_schema(), '')"
		" || ' ' || pg_catalog.pg_encoding_to_char(d.encoding) || ' ' || d.datcollate || ' '"
		" || d.datctype FROM pg_catalog.pg_database d WHERE d.datname = 'template1'",
		NULL, 0, &tag);
	if (rc == STRATA_OK)
		snprintf(out, size, "%s", tag ? tag : "postgresql");
	free(tag);
	return rc;
}

typedef struct list_ctx {
	int (*fn)(void *ud, const char *name, const char *comment);
	void *ud;
} list_ctx;

static int list_row(void *ud, int ncols, const char *const *values)
{
	list_ctx *c = ud;
	return ncols < 2 ? STRATA_ERR : c->fn(c->ud, values[0], values[1]);
}

/* One catalog query for every candidate: the host matches names itself. */
int pgdrv_template_list(strata_conn *conn, strata_host *host, const char *prefix,
                        int (*fn)(void *ud, const char *name, const char *comment), void *ud)
{
	list_ctx c = {fn, ud};
	const char *params[] = {prefix};
	return pgdrv_query(conn, host,
	                   "SELECT d.datname, pg_catalog.shobj_description(d.oid, 'pg_database')"
	                   " FROM pg_catalog.pg_database d"
	                   " WHERE pg_catalog.left(d.datname, pg_catalog.length($1)) = $1"
	                   " ORDER BY d.datname",
	                   params, 1, list_row, &c);
}

int pgdrv_scratch_from_template(strata_conn *conn, strata_host *host, const char *name,
                                char *url, size_t size)
{
	return pgdrv_scratch_create_from(conn, host, name, url, size);
}

/* "<sql head> <quoted name><rest>" run; res kept for the caller. */
static PGresult *run_named(strata_conn *conn, const char *head, const char *name,
                           const char *rest, char **sql_out)
{
	char *q = PQescapeIdentifier(conn->pg, name, strlen(name));
	if (!q)
		return NULL;
	size_t n = strlen(head) + strlen(q) + strlen(rest) + 2;
	char *sql = malloc(n);
	PGresult *res = NULL;
	if (sql) {
		snprintf(sql, n, "%s %s%s", head, q, rest);
		res = PQexec(conn->pg, sql);
	}
	PQfreemem(q);
	*sql_out = sql;
	return res;
}

int pgdrv_template_save(strata_conn *conn, strata_host *host, const char *name,
                        const char *comment)
{
	if (!conn->scratch) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
		            "no scratch database of this connection to save");
		return STRATA_ERR;
	}
	conn->host = host;
	char *from = PQescapeIdentifier(conn->pg, conn->scratch, strlen(conn->scratch));
	char *lit = PQescapeLiteral(conn->pg, comment, strlen(comment));
	size_t n = (from ? strlen(from) : 0) + (lit ? strlen(lit) : 0) + 16;
	char *rest = from && lit ? malloc(n) : NULL;
	if (!rest) {
		PQfreemem(from);
		PQfreemem(lit);
		return strata_oom(host);
	}
	char *sql = NULL;
	char *to = PQescapeIdentifier(conn->pg, name, strlen(name));
	char *alter = to ? malloc(strlen(from) + strlen(to) + 32) : NULL;
	PGresult *res = NULL;
	if (alter) {
		sprintf(alter, "ALTER DATABASE %s RENAME TO %s", from, to);
		res = PQexec(conn->pg, alter);
	}
	PQfreemem(to);
	sql = alter;
	int rc = STRATA_OK;
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (st && !strcmp(st, "42P04")) /* duplicate_database: another process saved it */
		rc = STRATA_EBUSY;
	else if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pgdrv_fail(conn, host, res, sql ? sql : "ALTER DATABASE");
	else { /* the scratch is the template now: nothing left to drop */
		free(conn->scratch);
		conn->scratch = NULL;
	}
	PQclear(res);
	free(sql);
	sql = NULL;
	if (rc == STRATA_OK) {
		snprintf(rest, n, " IS %s", lit);
		res = run_named(conn, "COMMENT ON DATABASE", name, rest, &sql);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = pgdrv_fail(conn, host, res, sql ? sql : "COMMENT ON DATABASE");
			PQclear(res);
			free(sql);
			/* Without its comment it is never used: not kept either. */
			res = run_named(conn, "DROP DATABASE IF EXISTS", name, "", &sql);
		}
		PQclear(res);
		free(sql);
	}
	free(rest);
	PQfreemem(from);
	PQfreemem(lit);
	return rc;
}

/* Without FORCE: a template another process is copying stays. */
int pgdrv_template_drop(strata_conn *conn, strata_host *host, const char *name)
{
	conn->host = host;
	char *sql = NULL;
	PGresult *res = run_named(conn, "DROP DATABASE IF EXISTS", name, "", &sql);
	int rc = STRATA_OK;
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pgdrv_fail(conn, host, res, sql ? sql : "DROP DATABASE");
	PQclear(res);
	free(sql);
	return rc;
}
