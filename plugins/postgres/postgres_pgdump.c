/*
 * schema_sql (for `strata adopt`): the live schema as SQL, made by the real
 * pg_dump (`--schema-only --no-owner --no-privileges`), never by guess.
 * pg_dump connects to the connection's own database with the parameters
 * libpq reports for it (PQconninfo; the password goes through PGPASSWORD,
 * never argv), and is the one of the server's major version
 * (/usr/lib/postgresql/MAJOR/bin/pg_dump, else pg_dump from PATH).  The
 * tables the host names (the tracking tables) and the sequences they own
 * are left out with --exclude-table; postgres_dumpfix.c then applies its
 * rules to the output.
 */
#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "postgres_int.h"

extern char **environ;

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return STRATA_ENOMEM;
		b->p = p, b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return STRATA_OK;
}

static int buf_str(buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* s as a conninfo value: in single quotes, \ and ' escaped. */
static int buf_quoted(buf *b, const char *s)
{
	int rc = buf_add(b, "'", 1);
	for (; rc == STRATA_OK && *s; s++)
		rc = (*s == '\\' || *s == '\'' ? buf_add(b, "\\", 1) : 0) || buf_add(b, s, 1);
	return rc ? rc : buf_add(b, "'", 1);
}

/* s as a pg_dump pattern naming exactly it: double quotes, " doubled. */
static int buf_ident(buf *b, const char *s)
{
	int rc = buf_add(b, "\"", 1);
	for (; rc == STRATA_OK && *s; s++)
		rc = (*s == '"' ? buf_add(b, "\"", 1) : 0) || buf_add(b, s, 1);
	return rc ? rc : buf_add(b, "\"", 1);
}

/* The connection's parameters as a conninfo string, without the password
 * (returned apart, malloc'd, or NULL). */
static int conninfo_of(PGconn *pg, buf *b, char **password)
{
	PQconninfoOption *opts = PQconninfo(pg);
	int rc = STRATA_OK;

	*password = NULL;
	if (!opts)
		return STRATA_ENOMEM;
	for (PQconninfoOption *o = opts; rc == STRATA_OK && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			if (!(*password = strdup(o->val)))
				rc = STRATA_ENOMEM;
			continue;
		}
		if (b->n)
			rc = buf_add(b, " ", 1);
		if (rc == STRATA_OK)
			rc = buf_str(b, o->keyword);
		if (rc == STRATA_OK)
			rc = buf_add(b, "=", 1);
		if (rc == STRATA_OK)
			rc = buf_quoted(b, o->val);
	}
	PQconninfoFree(opts);
	return rc;
}

typedef struct args {
	char *v[64 + 8];
	int n;
} args;

static int arg_add(args *a, const char *s)
{
	if (a->n >= (int)(sizeof a->v / sizeof *a->v) - 1)
		return STRATA_EINVAL;
	if (!(a->v[a->n] = strdup(s)))
		return STRATA_ENOMEM;
	a->v[++a->n] = NULL;
	return STRATA_OK;
}

static void args_free(args *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
}

/* -T "schema"."name" for one relation. */
static int exclude(args *a, const char *schema, const char *name)
{
	buf b = { 0 };
	int rc = buf_str(&b, "--exclude-table=");
	if (rc == STRATA_OK)
		rc = buf_ident(&b, schema);
	if (rc == STRATA_OK)
		rc = buf_add(&b, ".", 1);
	if (rc == STRATA_OK)
		rc = buf_ident(&b, name);
	if (rc == STRATA_OK)
		rc = arg_add(a, b.p);
	free(b.p);
	return rc;
}

struct excl_ctx {
	args *a;
	int rc;
};

static int excl_row(void *ud, int ncols, const char *const *v)
{
	struct excl_ctx *x = ud;
	(void)ncols;
	x->rc = exclude(x->a, v[0], v[1]);
	return x->rc;
}

/* Each skipped table (of the current schema unless qualified), and every sequence it owns
 * (a serial column's: pg_dump dumps those even when their table is out). */
static int excludes(strata_conn *conn, strata_host *host, const char *const *skip, args *a)
{
	/* $1 as the host names it: "table" (in the current schema) or
	 * "schema.table" (Drizzle's drizzle.__drizzle_migrations). */
#define SKIP_SCHEMA "CASE WHEN strpos($1, '.') > 0 THEN split_part($1, '.', 1)" \
	" ELSE pg_catalog.current_schema() END"
#define SKIP_NAME "CASE WHEN strpos($1, '.') > 0 THEN substr($1, strpos($1, '.') + 1) ELSE $1 END"
	static const char sql[] =
		"SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = " SKIP_SCHEMA " AND c.relname = " SKIP_NAME
		" UNION ALL"
		" SELECT n.nspname, s.relname FROM pg_catalog.pg_depend d"
		" JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
		" JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace"
		" JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
		" JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
		" WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
		" AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
		" AND d.deptype IN ('a', 'i') AND tn.nspname = " SKIP_SCHEMA
		" AND t.relname = " SKIP_NAME;
#undef SKIP_SCHEMA
#undef SKIP_NAME
	for (size_t i = 0; skip && skip[i]; i++) {
		struct excl_ctx x = { a, STRATA_OK };
		const char *p[1] = { skip[i] };
		int rc = pgdrv_query(conn, host, sql, p, 1, excl_row, &x);
		if (x.rc == STRATA_ENOMEM)
			return strata_oom(host);
		if (x.rc < 0) {
			host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
			            "too many tracking tables to leave out of pg_dump");
			return x.rc;
		}
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

/* The server's own pg_dump when the Debian layout has it, else PATH's. */
static void pg_dump_path(PGconn *pg, char *out, size_t size)
{
	int major = PQserverVersion(pg) / 10000;
	snprintf(out, size, "/usr/lib/postgresql/%d/bin/pg_dump", major);
	if (access(out, X_OK) != 0)
		snprintf(out, size, "pg_dump");
}

/* The environment, with PGPASSWORD set to password (or left as it is). */
static char **child_env(const char *password, char **own)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	size_t k = 0;
	*own = NULL;
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!password || strncmp(environ[i], "PGPASSWORD=", 11) != 0)
			env[k++] = environ[i];
	if (password) {
		if (!(*own = malloc(strlen(password) + 12))) {
			free(env);
			return NULL;
		}
		sprintf(*own, "PGPASSWORD=%s", password);
		env[k++] = *own;
	}
	env[k] = NULL;
	return env;
}

/* Run argv, its stdout into out and its stderr into err; the exit status. */
static int run_tool(char **argv, char **env, buf *out, buf *err, int *status, int *spawn_errno)
{
	int po[2], pe[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc = STRATA_OK;

	*spawn_errno = 0;
	if (pipe(po) != 0)
		return STRATA_EIO;
	if (pipe(pe) != 0) {
		close(po[0]), close(po[1]);
		return STRATA_EIO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	*spawn_errno = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]), close(pe[1]);
	if (*spawn_errno) {
		close(po[0]), close(pe[0]);
		return STRATA_EIO;
	}
	struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = STRATA_EIO;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char chunk[8192];
			ssize_t r = read(fds[i].fd, chunk, sizeof chunk);
			if (r > 0) {
				if (rc == STRATA_OK)
					rc = buf_add(i ? err : out, chunk, (size_t)r);
			} else if (r == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return rc;
}

/* pg_dump's first stderr line, its password scrubbed. */
static void report_failure(strata_conn *conn, strata_host *host, const char *tool, buf *err,
                           int status)
{
	char *nl = err->p ? strchr(err->p, '\n') : NULL;
	if (nl)
		*nl = '\0';
	char *msg = pgdrv_clean(conn, err->p && *err->p ? err->p : "no message");
	host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
	            "pg_dump must be able to connect as the connection does, and be of the "
	            "server's major version or newer",
	            "%s failed (exit %d): %s", tool,
	            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	            msg ? msg : "?");
	free(msg);
}

int pgdrv_schema_sql(strata_conn *conn, strata_host *host, const char *const *skip,
                     strata_text_fn fn, void *ud)
{
	char tool[96], *password = NULL, *own = NULL, **env = NULL;
	buf ci = { 0 }, out = { 0 }, err = { 0 };
	args a = { .n = 0 };
	int rc, status = 0, serr = 0;

	conn->host = host;
	pg_dump_path(conn->pg, tool, sizeof tool);
	rc = conninfo_of(conn->pg, &ci, &password);
	if (rc == STRATA_OK)
		rc = arg_add(&a, tool);
	if (rc == STRATA_OK)
		rc = arg_add(&a, "--schema-only");
	if (rc == STRATA_OK)
		rc = arg_add(&a, "--no-owner");
	if (rc == STRATA_OK)
		rc = arg_add(&a, "--no-privileges");
	if (rc == STRATA_OK)
		rc = arg_add(&a, "--no-password");
	if (rc == STRATA_OK)
		rc = excludes(conn, host, skip, &a);
	if (rc == STRATA_OK)
		rc = arg_add(&a, "--dbname");
	if (rc == STRATA_OK)
		rc = arg_add(&a, ci.p ? ci.p : "");
	if (rc == STRATA_OK && !(env = child_env(password, &own)))
		rc = STRATA_ENOMEM;
	if (rc == STRATA_OK) {
		host->debug(host, "schema_sql: running %s", tool);
		rc = run_tool(a.v, env, &out, &err, &status, &serr);
		if (serr) {
			host->error(host, STRATA_ECLASS_OS, NULL, 0, 0,
			            "install the PostgreSQL client (postgresql-client) of the server's "
			            "major version",
			            "cannot run %s: %s", tool, strerror(serr));
			rc = STRATA_EIO;
		} else if (rc == STRATA_OK && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			report_failure(conn, host, tool, &err, status);
			rc = STRATA_EIO;
		}
	}
	if (rc == STRATA_OK)
		rc = pgdrv_dumpfix(host, out.p ? out.p : "", out.n, fn, ud);
	if (rc == STRATA_ENOMEM)
		rc = strata_oom(host);
	if (password)
		memset(password, 0, strlen(password));
	if (own)
		memset(own, 0, strlen(own));
	free(password);
	free(own);
	free(env);
	free(ci.p);
	free(out.p);
	free(err.p);
	args_free(&a);
	return rc;
}
