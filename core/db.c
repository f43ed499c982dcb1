/* A database connection through whichever driver plugin serves the URL's
 * scheme.  Everything above this file speaks to db_*, never to a driver. */
#include "strata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_open(strata *s, const char *url, bool readonly, db *d)
{
	memset(d, 0, sizeof *d);
	d->s = s;
	char shown[1024];
	strata_redact_url(url, shown, sizeof shown);
	d->display = xstrdup(shown);
	int rc = loader_load(s);
	if (rc)
		return rc;
	d->plugin = loader_find_scheme(s, url);
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
	if (rc < 0 && !s->err.message)
		err_set(s, rc, STRATA_ECLASS_DB, d->display, 0, 0, NULL, "cannot connect");
	else if (rc < 0 && !s->err.file) /* name the (redacted) URL */
		err_set(s, s->err.code, s->err.cls, d->display, 0, 0, s->err.hint, "%s",
		        s->err.message);
	return rc < 0 ? rc : 0;
}

void db_close(db *d)
{
	if (d->conn) {
		if (d->locked)
			db_unlock(d);
		d->ops->close(d->conn);
	}
	d->conn = NULL;
	free(d->display);
	d->display = NULL;
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
	strata *s = d->s;
	char *msg = xstrdup(s->err.message), *file = xstrdup(s->err.file), *hint = xstrdup(s->err.hint);
	strata_error_info keep = s->err;
	int rc = d->ops->rollback(d->conn, &d->hc.pub);
	if (msg)
		err_set(s, keep.code, keep.cls, file, keep.line, keep.col, hint, "%s", msg);
	free(msg);
	free(file);
	free(hint);
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

int db_run(db *d, const migration *m, bool down)
{
	strata_script sc = {
		.version = 1,
		.struct_size = sizeof sc,
		.sql = down ? m->down : m->up,
		.len = down ? m->down_len : m->up_len,
		.file = down ? m->info.down_file : m->info.file,
		.line = down ? m->down_line : m->info.line,
		.flags = m->info.flags,
	};
	if (!sc.sql)
		return 0;
	int rc = d->ops->run(d->conn, &d->hc.pub, &sc);
	if (rc < 0 && !d->s->err.message)
		err_set(d->s, rc, STRATA_ECLASS_SQL, sc.file, 0, 0, NULL, "migration failed");
	return rc;
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
	/* password=… in a conninfo string or a query parameter */
	while (*p) {
		const char *pw = strcasestr(p, "password=");
		if (!pw) {
			sbuf_puts(&b, p);
			break;
		}
		sbuf_add(&b, p, (size_t)(pw - p) + 9);
		sbuf_puts(&b, "***");
		p = pw + 9;
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
