/* A database connection through whichever driver plugin serves the URL's
 * scheme.  Everything above this file speaks to db_*, never to a driver. */
#include "strata_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_open(strata *s, const char *url, bool readonly, db *d)
{
	return db_open_with(s, url, readonly, d, NULL);
}

/* With drv NULL, the loader finds (and loads) the driver for url. */
int db_open_with(strata *s, const char *url, bool readonly, db *d, const plugin *drv)
{
	memset(d, 0, sizeof *d);
	d->s = s;
	char shown[1024];
	strata_redact_url(url, shown, sizeof shown);
	d->display = xstrdup(shown);
	int rc = drv ? 0 : loader_load_url(s, url);
	if (rc)
		return rc;
	d->plugin = drv ? drv : loader_find_scheme(s, url);
	if (!d->plugin) {
		/* Name the scheme only when it looks like one: a conninfo string
		 * ("host=x password=y") has none, and must not be echoed raw. */
		size_t k = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
		if (k && url[k] == ':')
			return err_set(s, STRATA_EINVAL, STRATA_ECLASS_DB, d->display, 0, 0,
			               "URLs look like sqlite:app.db; `strata plugins` lists the drivers",
			               "no driver for URL scheme '%.*s'", (int)k, url);
		return err_set(s, STRATA_EINVAL, STRATA_ECLASS_DB, d->display, 0, 0,
		               "URLs look like sqlite:app.db; `strata plugins` lists the drivers",
		               "no driver for this database URL");
	}
	d->ops = d->plugin->desc->driver;
	host_init(&d->hc, s);
	d->hc.db = d;
	rc = d->ops->open(&d->hc.pub, url, readonly ? STRATA_OPEN_READONLY : 0, &d->conn);
	if (rc == STRATA_ENOTFOUND && readonly) {
		d->conn = NULL; /* no database yet: nothing applied */
		return 0;
	}
	if (rc < 0 && !err_cur(s)->message)
		err_set(s, rc, STRATA_ECLASS_DB, d->display, 0, 0, NULL, "cannot connect");
	else if (rc < 0 && !err_cur(s)->file) /* name the (redacted) URL */
		err_set(s, err_cur(s)->code, err_cur(s)->cls, d->display, 0, 0, err_cur(s)->hint, "%s",
		        err_cur(s)->message);
	return rc < 0 ? rc : 0;
}

void db_close(db *d)
{
	if (d->s && d->tracker_locked)
		track_unlock(d->s, d);
	free(d->tracker_locked);
	d->tracker_locked = NULL;
	if (d->conn) {
		if (d->locked) {
			err_saved k;
			err_save(d->s, &k);
			db_unlock(d);
			err_restore(d->s, &k);
		}
		d->ops->close(d->conn);
	}
	d->conn = NULL;
	free(d->display);
	d->display = NULL;
	free(d->who);
	d->who = NULL;
}

int db_exec(db *d, const char *sql)
{
	return d->ops->exec(d->conn, &d->hc.pub, sql);
}

int db_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn, void *ud)
{
	return d->ops->query(d->conn, &d->hc.pub, sql, params, n, fn, ud);
}

int db_begin(db *d)
{
	return d->ops->begin(d->conn, &d->hc.pub);
}

int db_commit(db *d)
{
	return d->ops->commit(d->conn, &d->hc.pub);
}

/* Rolling back must not hide the error that made us roll back. */
int db_rollback(db *d)
{
	err_saved k;
	err_save(d->s, &k);
	int rc = d->ops->rollback(d->conn, &d->hc.pub);
	err_restore(d->s, &k);
	return rc;
}

int db_lock(db *d)
{
	if (!d->ops->lock)
		return 0;
	int rc = d->ops->lock(d->conn, &d->hc.pub, d->s->cfg.lock_timeout_ms);
	d->locked = rc == 0;
	return rc;
}

int db_unlock(db *d)
{
	if (!d->ops->unlock || !d->locked)
		return 0;
	d->locked = false;
	return d->ops->unlock(d->conn, &d->hc.pub);
}

int db_run(db *d, const migration *m, bool down, bool tx)
{
	strata_script sc = {
		.version = 1,
		.struct_size = sizeof sc,
		.sql = down ? m->down : m->up,
		.len = down ? m->down_len : m->up_len,
		.file = down ? m->info.down_file : m->info.file,
		.line = down ? m->down_line : m->info.line,
		.flags = (m->info.flags & ~STRATA_MIG_NO_TRANSACTION) | (tx ? 0 : STRATA_MIG_NO_TRANSACTION),
	};
	if (!sc.sql)
		return 0;
	int rc = d->ops->run(d->conn, &d->hc.pub, &sc);
	if (rc < 0 && !err_cur(d->s)->message)
		err_set(d->s, rc, STRATA_ECLASS_SQL, sc.file, 0, 0, NULL, "migration failed");
	return rc;
}

/* A comment line "-- strata:no-transaction" or "-- strata:transaction" in a
 * script forces its mode; returns 0/1, or -1 when there is none. */
static int directive(const char *sql, size_t len)
{
	for (const char *p = sql, *end = sql + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *a = p, *b = eol;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		size_t n = (size_t)(b - a);
		if (n == 24 && !memcmp(a, "-- strata:no-transaction", 24))
			return 0;
		if (n == 21 && !memcmp(a, "-- strata:transaction", 21))
			return 1;
		p = eol + 1;
	}
	return -1;
}

/* Does the migration's up (or down) script run inside a transaction?  The
 * file's directive wins, then the format's flag (dbmate transaction:false),
 * then the driver's reading of the statements.  1 yes, 0 no, < 0 error. */
int db_transactional(db *d, const migration *m, bool down)
{
	const char *sql = down ? m->down : m->up;
	size_t len = down ? m->down_len : m->up_len;
	int dir = sql ? directive(sql, len) : -1;
	if (dir >= 0)
		return dir;
	if (m->info.flags & STRATA_MIG_NO_TRANSACTION)
		return 0;
	if (!d || !d->conn || !d->ops->needs_autocommit ||
	    d->ops->struct_size < offsetof(strata_driver_ops, needs_autocommit) + sizeof(void *) || !sql)
		return 1;
	strata_script sc = {
		.version = 1,
		.struct_size = sizeof sc,
		.sql = sql,
		.len = len,
		.file = down ? m->info.down_file : m->info.file,
		.line = down ? m->down_line : m->info.line,
		.flags = m->info.flags,
	};
	int rc = d->ops->needs_autocommit(d->conn, &d->hc.pub, &sc);
	return rc < 0 ? rc : !rc;
}

/* Passwords never reach output: user:pass@ → user:***@, password=x → ***. */
void strata_redact_url(const char *url, char *buf, size_t size)
{
	sbuf b = {0};
	const char *p = url;
	const char *scheme_end = strstr(url, "://");
	if (scheme_end) {
		const char *auth = scheme_end + 3;
		const char *at = NULL;
		for (const char *q = auth; *q && *q != '/' && *q != '?'; q++)
			if (*q == '@')
				at = q;
		if (at) {
			const char *colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon) {
				sbuf_add(&b, url, (size_t)(colon - url) + 1);
				sbuf_puts(&b, "***");
				p = at;
			}
		}
	}
	/* password=… in a conninfo string (libpq allows spaces around '=') or a
	 * query parameter */
	while (*p) {
		const char *pw = strcasestr(p, "password");
		if (!pw) {
			sbuf_puts(&b, p);
			break;
		}
		const char *eq = pw + 8;
		while (*eq == ' ')
			eq++;
		if (*eq != '=') {
			sbuf_add(&b, p, (size_t)(eq - p));
			p = eq;
			continue;
		}
		eq++;
		while (*eq == ' ')
			eq++;
		sbuf_add(&b, p, (size_t)(eq - p));
		sbuf_puts(&b, "***");
		p = eq;
		if (*p == '\'') {
			p++;
			while (*p && *p != '\'')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (*p)
				p++;
		} else {
			while (*p && *p != ' ' && *p != '&')
				p++;
		}
	}
	snprintf(buf, size, "%s", b.data ? b.data : "");
	sbuf_free(&b);
}
