/*
 * Opening and closing SQLite databases: URL forms, busy timeout, and messages
 * that say why a file could not be opened.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_int.h"

#define SQLITE_DEFAULT_BUSY_MS 10000

/*
 * Users paste URLs from other tools, so every common spelling must land on the
 * same file: sqlite:PATH and sqlite://PATH (PATH as written, relative to the
 * working directory unless it starts with '/'), sqlite:///abs (absolute), and
 * Prisma's file:PATH.  A ?query suffix carries options for other tools and is
 * dropped.  Returns the start of the path and sets *len, or NULL when the
 * scheme is not ours.
 */
static const char *url_path(const char *url, size_t *len)
{
	static const char *const schemes[] = { "sqlite:", "file:" };
	const char *p = NULL;

	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		size_t n = strlen(schemes[i]);
		if (strncasecmp(url, schemes[i], n) == 0) {
			p = url + n;
			break;
		}
	}
	if (!p)
		return NULL;
	if (p[0] == '/' && p[1] == '/')
		p += 2;
	*len = strcspn(p, "?");
	return p;
}

/*
 * Two strata processes on one file wait for each other rather than fail at
 * once, for as long as the host's lock timeout says (lock_timeout in the
 * config); a negative value waits (practically) forever.
 */
static int busy_timeout_ms(strata_host *host)
{
	if (!STRATA_HAS(strata_host, host, lock_timeout_ms))
		return SQLITE_DEFAULT_BUSY_MS;
	long v = host->lock_timeout_ms;
	if (v < 0 || v > INT_MAX)
		return INT_MAX;
	return (int)v;
}

/*
 * SQLite only says "unable to open database file"; the usual cause is a
 * missing directory (SQLite creates the file, never its folder), so look at
 * the path and name the actual problem.  Returns 1 if it reported one.
 */
static int report_path_problem(strata_host *host, const char *path)
{
	struct stat st;
	const char *slash;
	char *dir;
	int r, done = 1;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, "fix the path in the URL",
		            "cannot open database file '%s': it is a directory", path);
		return 1;
	}
	slash = strrchr(path, '/');
	if (!slash)
		return 0;
	dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return 0;
	r = stat(dir, &st);
	if (r != 0 && errno == ENOENT)
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
		            "create the directory first, or fix the path in the URL",
		            "cannot open database file '%s': directory '%s' does not exist",
		            path, dir);
	else if ((r != 0 && errno == ENOTDIR) || (r == 0 && !S_ISDIR(st.st_mode)))
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
		            "fix the path in the URL",
		            "cannot open database file '%s': '%s' is not a directory",
		            path, dir);
	else
		done = 0;
	free(dir);
	return done;
}

/*
 * A failed sqlite3_open_v2() still hands back a handle holding the message;
 * report it (with the OS reason when there is one) and release it.
 */
static int open_failed(strata_host *host, sqlite3 *db, const char *path, int rc)
{
	int syserr = db ? sqlite3_system_errno(db) : 0;
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if ((rc & 0xff) == SQLITE_NOMEM)
		strata_oom(host);
	else if ((rc & 0xff) == SQLITE_CANTOPEN && report_path_problem(host, path))
		;
	else if (syserr)
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, sqlite_hint(rc),
		            "cannot open database file '%s': %s (%s)", path, msg,
		            strerror(syserr));
	else
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, sqlite_hint(rc),
		            "cannot open database file '%s': %s", path, msg);
	sqlite3_close_v2(db);
	return (rc & 0xff) == SQLITE_CANTOPEN ? STRATA_EIO : sqlite_status(rc);
}

/*
 * sqlite3_open_v2() succeeds on any file and only complains at the first
 * read, so read the schema once here: a file that is not a database then
 * fails at open, with its name, instead of deep inside a migration.
 * Read-only opens (status, diff) must not create the file, and a missing file
 * is an answer (no database yet), not an error, so it is not reported.
 */
int sqlite_drv_open(strata_host *host, const char *url, unsigned int flags,
                    strata_conn **out)
{
	const int ro = (flags & STRATA_OPEN_READONLY) != 0;
	const int oflags = SQLITE_OPEN_NOMUTEX |
		(ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	const char *p = NULL;
	struct stat st;
	strata_conn *c;
	char *msg = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (url)
		p = url_path(url, &len);
	if (!p || len == 0) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
		            "write sqlite:PATH, sqlite:///ABSOLUTE/PATH or file:PATH",
		            "invalid SQLite URL: no file path");
		return STRATA_EINVAL;
	}
	c = malloc(sizeof *c + len + 1);
	if (!c)
		return strata_oom(host);
	memcpy(c->path, p, len);
	c->path[len] = '\0';
	c->db = NULL;
	c->classify = NULL;
	atomic_init(&c->cancel_req, 0);
	c->busy_ms = 0;
	c->created = strcmp(c->path, ":memory:") != 0 && stat(c->path, &st) != 0 && errno == ENOENT;
	if (ro && c->created) {
		free(c);
		return STRATA_ENOTFOUND;
	}
	rc = sqlite3_open_v2(c->path, &c->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		rc = open_failed(host, c->db, c->path, rc);
		free(c);
		return rc;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite_drv_set_busy(c, busy_timeout_ms(host));
	rc = sqlite3_exec(c->db, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, sqlite_hint(rc),
		            "cannot open database file '%s': %s", c->path,
		            msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close_v2(c->db);
		free(c);
		return sqlite_status(rc);
	}
	*out = c;
	return STRATA_OK;
}

/* close_v2 rather than close: it never fails on a forgotten statement.
 * A file this connection created and nobody wrote to (a command refused
 * before its first write) is removed: a refused command leaves no trace. */
void sqlite_drv_close(strata_conn *conn)
{
	struct stat st;

	if (!conn)
		return;
	sqlite3_close_v2(conn->db);
	sqlite3_close_v2(conn->classify);
	if (conn->created && stat(conn->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
		unlink(conn->path);
	free(conn);
}
