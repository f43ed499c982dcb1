/*
 * Scratch databases for `strata verify`: an empty database on the same
 * server, so the history is proven in PostgreSQL's dialect rather than
 * SQLite's.  CREATE DATABASE needs the CREATEDB privilege; without it the
 * user passes --scratch URL instead.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "postgres_int.h"

/* A conninfo value in single quotes, with ' and \ escaped as libpq wants. */
static int put_value(char *out, size_t size, size_t *n, const char *v)
{
	if (*n + 1 >= size)
		return -1;
	out[(*n)++] = '\'';
	for (; *v; v++) {
		if (*n + 3 >= size)
			return -1;
		if (*v == '\'' || *v == '\\')
			out[(*n)++] = '\\';
		out[(*n)++] = *v;
	}
	out[(*n)++] = '\'';
	out[*n] = '\0';
	return 0;
}

/*
 * The scratch URL is a conninfo string made of this connection's own
 * parameters (host, port, user, password, sslmode, …) with dbname replaced,
 * so it reaches the same server the same way.
 */
static int scratch_conninfo(strata_conn *conn, const char *dbname, char *out, size_t size)
{
	PQconninfoOption *opts = PQconninfo(conn->pg);
	size_t n = 0;
	int rc = opts ? 0 : -1;

	out[0] = '\0';
	for (PQconninfoOption *o = opts; o && o->keyword && rc == 0; o++) {
		const char *v = !strcmp(o->keyword, "dbname") ? dbname : o->val;
		if (!v || !*v)
			continue;
		int k = snprintf(out + n, size - n, "%s%s=", n ? " " : "", o->keyword);
		if (k < 0 || (size_t)k >= size - n)
			rc = -1;
		else {
			n += (size_t)k;
			rc = put_value(out, size, &n, v);
		}
	}
	PQconninfoFree(opts);
	return rc;
}

/* Run "<verb> <quoted name><tail>" (CREATE/DROP DATABASE take no parameters). */
static int exec_on_database(strata_conn *conn, strata_host *host, const char *verb,
                            const char *name, const char *tail)
{
	char *quoted = PQescapeIdentifier(conn->pg, name, strlen(name));
	if (!quoted)
		return strata_oom(host);
	size_t len = strlen(verb) + strlen(quoted) + strlen(tail) + 2;
	char *sql = malloc(len);
	int rc = sql ? STRATA_OK : strata_oom(host);
	if (sql) {
		snprintf(sql, len, "%s %s%s", verb, quoted, tail);
		rc = pgdrv_exec(conn, host, sql);
	}
	PQfreemem(quoted);
	free(sql);
	return rc;
}

/* CREATE SCHEMA schema in the scratch database url reaches. */
static int create_schema(strata_conn *conn, strata_host *host, const char *url, const char *schema)
{
	int rc = STRATA_OK;
	PGconn *pg = PQconnectdb(url);
	char *quoted = PQstatus(pg) == CONNECTION_OK ? PQescapeIdentifier(pg, schema, strlen(schema)) : NULL;
	char *sql = quoted ? malloc(strlen(quoted) + 16) : NULL;
	PGresult *res = NULL;
	if (sql) {
		snprintf(sql, strlen(quoted) + 16, "CREATE SCHEMA %s", quoted);
		res = PQexec(pg, sql);
	}
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		char *msg = pgdrv_clean_lines(conn, PQerrorMessage(pg));
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, "pass --scratch URL with the same ?schema=",
		            "cannot create schema %s in the scratch database: %s", schema,
		            msg ? msg : "out of memory");
		free(msg);
		rc = STRATA_ERR;
	}
	PQclear(res);
	free(sql);
	PQfreemem(quoted);
	PQfinish(pg);
	return rc;
}

/*
 * A target whose migrations run in another schema than public (?schema=):
 * the scratch gets that schema too, made on it, and a search_path of it
 * alone in its connection's options, so the history lands where it lands
 * on the target (drift compares the two by schema).  Names other than
 * lower-case letters, digits and _ would need options' escapes: refused,
 * with --scratch the way out.
 */
static int same_schema(strata_conn *conn, strata_host *host, char *url, size_t size, bool create)
{
	char *schema = NULL;
	int rc = pgdrv_query_text(conn, host, "SELECT pg_catalog.current_schema()", NULL, 0, &schema);
	if (rc != STRATA_OK || !schema || !strcmp(schema, "public")) {
		free(schema);
		return rc;
	}
	if (strspn(schema, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(schema)) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
		            "pass --scratch URL with the same ?schema=",
		            "cannot give the scratch database the target's schema \"%s\"", schema);
		free(schema);
		return STRATA_EINVAL;
	}
	if (create) /* a template's copy has it already */
		rc = create_schema(conn, host, url, schema);
	size_t n = strlen(url);
	if (rc == STRATA_OK) {
		int k = snprintf(url + n, size - n, " options='-c search_path=%s'", schema);
		if (k < 0 || (size_t)k >= size - n) {
			host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, "pass --scratch URL",
			            "cannot describe the scratch database's connection");
			rc = STRATA_ERR;
		}
	}
	free(schema);
	return rc;
}

int pgdrv_scratch_create(strata_conn *conn, strata_host *host, char *url, size_t size)
{
	return pgdrv_scratch_create_from(conn, host, NULL, url, size);
}

/* The scratch empty (tpl NULL), or a copy of the database tpl. */
int pgdrv_scratch_create_from(strata_conn *conn, strata_host *host, const char *tpl, char *url,
                              size_t size)
{
	char name[64];
	snprintf(name, sizeof name, "strata_verify_%ld_%ld", (long)getpid(), (long)time(NULL));
	char *tail = NULL;
	if (tpl) {
		char *q = PQescapeIdentifier(conn->pg, tpl, strlen(tpl));
		if (!q)
			return strata_oom(host);
		size_t n = strlen(q) + 16;
		tail = malloc(n);
		if (tail)
			snprintf(tail, n, " TEMPLATE %s", q);
		PQfreemem(q);
		if (!tail)
			return strata_oom(host);
	}
	int rc = exec_on_database(conn, host, "CREATE DATABASE", name, tail ? tail : "");
	free(tail);
	if (rc != STRATA_OK)
		return rc;
	conn->scratch = strdup(name);
	if (!conn->scratch)
		return strata_oom(host);
	if (scratch_conninfo(conn, name, url, size) != 0) {
		pgdrv_scratch_drop(conn, host);
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, "pass --scratch URL",
		            "cannot describe the scratch database's connection");
		return STRATA_ERR;
	}
	if ((rc = same_schema(conn, host, url, size, !tpl)) != STRATA_OK) {
		pgdrv_scratch_drop(conn, host);
		return rc;
	}
	return STRATA_OK;
}

/* WITH (FORCE) ends a session verify may have left behind after a failure. */
int pgdrv_scratch_drop(strata_conn *conn, strata_host *host)
{
	if (!conn->scratch)
		return STRATA_OK;
	int rc = exec_on_database(conn, host, "DROP DATABASE IF EXISTS", conn->scratch,
	                          " WITH (FORCE)");
	free(conn->scratch);
	conn->scratch = NULL;
	return rc;
}
