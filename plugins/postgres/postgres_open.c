/*
 * Opening and closing PostgreSQL connections: the libpq connection itself,
 * the session settings strata relies on (application_name, timeouts, the
 * schema of ?schema=) and messages that say why a connection failed.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postgres_int.h"

/*
 * Server NOTICEs and WARNINGs ("table does not exist, skipping") would go to
 * stderr by default, and a plugin never prints: send them to the debug log
 * of the call under way.
 */
static void notice(void *arg, const char *message)
{
	strata_conn *conn = arg;
	char *line;

	if (!conn->host)
		return;
	line = pgdrv_clean(conn, message);
	conn->host->debug(conn->host, "postgres: %s", line ? line : "(notice)");
	free(line);
}

/*
 * Connect with libpq's own parsing of the URL or conninfo string (expanded
 * from dbname), so every libpq parameter works as documented.  Around it:
 * client_encoding UTF8 unless the URL names one (migration files are UTF-8,
 * and error positions are counted in their characters), and a
 * fallback_application_name that names this process, which the lock message
 * shows to a second strata waiting for it; an application_name in the URL
 * (or PGAPPNAME) still wins, as libpq documents.  Passwords are collected
 * before anything can be reported.  NULL: failed, reported.
 */
PGconn *pgdrv_connect(strata_conn *c, strata_host *host, const char *conninfo)
{
	char appname[64];
	const char *keys[] = { "client_encoding", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { "UTF8", conninfo, appname, NULL };
	const char *pass;
	char *msg;
	PGconn *pg;

	snprintf(appname, sizeof appname, "strata (pid %ld)", (long)getpid());
	pg = PQconnectdbParams(keys, vals, 1);
	if (!pg) {
		strata_oom(host);
		return NULL;
	}
	pass = PQpass(pg);
	if (pass && pgdrv_add_secret(c, pass, strlen(pass)) != STRATA_OK) {
		PQfinish(pg);
		strata_oom(host);
		return NULL;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		msg = pgdrv_clean_lines(c, PQerrorMessage(pg));
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL, "%s",
		            msg && *msg ? msg : "cannot connect");
		free(msg);
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, notice, c);
	return pg;
}

static int connect_db(strata_conn *c, strata_host *host, const char *conninfo)
{
	c->pg = pgdrv_connect(c, host, conninfo);
	if (!c->pg)
		return STRATA_EIO;
	pgdrv_cancel_prepare(c);
	host->debug(host, "postgres: connected to server version %d as %s",
	            PQserverVersion(c->pg), PQuser(c->pg));
	return STRATA_OK;
}

/*
 * strata.yaml's session: lock_timeout and statement_timeout (milliseconds,
 * 0 = server default).  set_config with bound values, so nothing is pasted
 * into SQL.  Hosts built before these fields existed have none.
 */
static int set_timeouts(strata_conn *c, strata_host *host)
{
	static const char sql[] = "SELECT pg_catalog.set_config($1, $2, false)";
	const char *names[] = { "lock_timeout", "statement_timeout" };
	long ms[2];
	int rc = STRATA_OK;

	if (!STRATA_HAS(strata_host, host, session_statement_timeout_ms) || c->pooled)
		return STRATA_OK; /* a pooler: in every transaction instead */
	ms[0] = host->session_lock_timeout_ms;
	ms[1] = host->session_statement_timeout_ms;
	for (int i = 0; i < 2 && rc == STRATA_OK; i++) {
		char val[32];
		const char *params[2] = { names[i], val };

		if (ms[i] <= 0)
			continue;
		snprintf(val, sizeof val, "%ld", ms[i] > INT_MAX ? (long)INT_MAX : ms[i]);
		rc = pgdrv_query(c, host, sql, params, 2, NULL, NULL);
	}
	return rc;
}

/* Any row means yes. */
static int found_row(void *ud, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)ud = 1;
	return STRATA_STOP;
}

/* Run prefix + an identifier libpq has already quoted. */
static int exec_ident(strata_conn *c, strata_host *host, const char *prefix, const char *quoted)
{
	char *sql;
	int rc;

	if (asprintf(&sql, "%s%s", prefix, quoted) < 0)
		return strata_oom(host);
	rc = pgdrv_exec(c, host, sql);
	free(sql);
	return rc;
}

/*
 * ?schema=NAME: create the schema unless opening read-only, then make it the
 * only one on search_path, so strata_ledger and every tracker table land in
 * it.  Existence is checked first because CREATE SCHEMA IF NOT EXISTS still
 * demands CREATE on the database, which hosted databases often withhold even
 * when the schema is there.  The name is quoted by libpq, never pasted.
 * Through a pooler the search_path is set in every transaction instead
 * (postgres_pool.c).
 */
static int use_schema(strata_conn *c, strata_host *host, const char *schema, int ro)
{
	static const char exists_sql[] =
		"SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1";
	const char *params[1] = { schema };
	char *quoted = PQescapeIdentifier(c->pg, schema, strlen(schema));
	int rc, found = 0;

	if (!quoted) {
		char *msg = pgdrv_clean_lines(c, PQerrorMessage(c->pg));
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
		            "invalid ?schema= in the database URL: %s", msg ? msg : "");
		free(msg);
		return STRATA_EINVAL;
	}
	rc = ro ? STRATA_OK : pgdrv_query(c, host, exists_sql, params, 1, found_row, &found);
	if (rc == STRATA_OK && !ro && !found)
		rc = exec_ident(c, host, "CREATE SCHEMA IF NOT EXISTS ", quoted);
	if (rc == STRATA_OK && !c->pooled)
		rc = exec_ident(c, host, "SET search_path TO ", quoted);
	if (rc == STRATA_OK && c->pooled) {
		c->schema_ident = strdup(quoted);
		c->schema_name = strdup(schema);
		if (!c->schema_ident || !c->schema_name)
			rc = strata_oom(host);
	}
	PQfreemem(quoted);
	return rc;
}

/* The search_path as set up here, for run() to restore after a migration
 * that changed it (pg_dump output empties it).  A read-only connection runs
 * no migration, so it is not asked for there: one round trip less on
 * status's way (run() and the pipeline restore nothing without it). */
static int save_search_path(strata_conn *c, strata_host *host)
{
	int own, rc = pgdrv_pool_enter(c, host, &own);
	if (rc == STRATA_OK)
		rc = pgdrv_query_text(c, host, "SELECT pg_catalog.current_setting('search_path')",
		                      NULL, 0, &c->search_path);
	return pgdrv_pool_leave(c, host, own, rc);
}

/*
 * A PostgreSQL database is never created by a driver (that needs another
 * database to connect to, and rights a migration user rarely has), so a
 * missing one is a connection error here, read-only or not.  Read-only opens
 * create nothing: not even the ?schema= schema, which then simply holds no
 * tables yet.
 */
int pgdrv_open(strata_host *host, const char *url, unsigned int flags, strata_conn **out)
{
	const int ro = (flags & STRATA_OPEN_READONLY) != 0;
	struct pgdrv_url u;
	strata_conn *c;
	int rc;

	*out = NULL;
	if (!url || !*url) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
		            "write postgresql://USER@HOST/DATABASE or a libpq conninfo string",
		            "invalid PostgreSQL URL: empty");
		return STRATA_EINVAL;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return strata_oom(host);
	c->host = host;
	rc = pgdrv_parse_url(host, url, &u);
	if (rc == STRATA_OK && pgdrv_collect_secrets(c, url, u.conninfo) != STRATA_OK)
		rc = strata_oom(host);
	if (rc == STRATA_OK && u.pgbouncer) {
		c->pooled = 1;
		c->conninfo = strdup(u.conninfo);
		if (!c->conninfo)
			rc = strata_oom(host);
	}
	if (rc == STRATA_OK)
		rc = connect_db(c, host, u.conninfo);
	if (rc == STRATA_OK)
		rc = set_timeouts(c, host);
	if (rc == STRATA_OK && u.schema)
		rc = use_schema(c, host, u.schema, ro);
	if (rc == STRATA_OK && !ro)
		rc = save_search_path(c, host);
	pgdrv_url_free(&u);
	if (rc != STRATA_OK) {
		pgdrv_close(c);
		return rc;
	}
	*out = c;
	return STRATA_OK;
}

/* PQfinish ends the session, which also releases a session advisory lock
 * still held (and the lock connection's transaction, with its locks).
 * Passwords are wiped before their memory is returned. */
void pgdrv_close(strata_conn *conn)
{
	if (!conn)
		return;
	if (conn->anchor)
		PQfinish(conn->anchor);
	pgdrv_cancel_free(conn);
	pgdrv_pipe_free(conn);
	PQfinish(conn->pg);
	if (conn->conninfo) {
		explicit_bzero(conn->conninfo, strlen(conn->conninfo));
		free(conn->conninfo);
	}
	free(conn->schema_ident);
	free(conn->schema_name);
	for (size_t i = 0; i < PGDRV_MAX_SECRETS && conn->secrets[i]; i++) {
		explicit_bzero(conn->secrets[i], strlen(conn->secrets[i]));
		free(conn->secrets[i]);
	}
	free(conn->search_path);
	free(conn->scratch);
	free(conn);
}
