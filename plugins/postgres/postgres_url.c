/*
 * Database URLs: what libpq sees and what must never be shown.  libpq parses
 * URLs and conninfo strings itself (every parameter passes through unchanged);
 * this file only takes out the one parameter libpq does not know, ?schema=
 * (Prisma's convention), and collects the passwords to scrub from messages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postgres_int.h"

/* libpq accepts exactly these two prefixes, in lower case. */
static const char *const uri_prefixes[] = { "postgresql://", "postgres://" };

/* A URL starts with one of libpq's URI prefixes (any case, since the host
 * matched the scheme case-insensitively); anything else is a conninfo
 * string.  Returns the prefix length, 0 for conninfo. */
static size_t uri_prefix(const char *url)
{
	for (size_t i = 0; i < sizeof uri_prefixes / sizeof uri_prefixes[0]; i++) {
		size_t n = strlen(uri_prefixes[i]);
		if (strncasecmp(url, uri_prefixes[i], n) == 0)
			return n;
	}
	return 0;
}

/* One hex digit's value, or -1. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * A schema name in a URL is percent-encoded like every URI component (Prisma
 * writes ?schema=my%20schema).  Decode it as libpq decodes its own values:
 * %XX only, and %00 refused because the name becomes a C string.  Returns a
 * new string, or NULL with *bad set for a malformed value (NULL alone: no
 * memory).
 */
static char *percent_decode(const char *p, size_t n, int *bad)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%') {
			*o++ = p[i];
			continue;
		}
		int hi = i + 2 < n ? hexval((unsigned char)p[i + 1]) : -1;
		int lo = i + 2 < n ? hexval((unsigned char)p[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			*bad = 1;
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	return out;
}

/* Report a URL problem; the host adds the (redacted) URL in front. */
static int bad_url(strata_host *host, const char *what)
{
	host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
	            "write ?schema=NAME with the name percent-encoded",
	            "invalid database URL: %s", what);
	return STRATA_EINVAL;
}

/*
 * Make the string handed to libpq: a conninfo string as it is; a URI with a
 * lower-case prefix and without its schema= parameters (libpq refuses
 * unknown URI parameters), every other parameter kept in order.  *schema gets
 * the decoded name of the last schema= (NULL when there is none).
 */
int pgdrv_split_url(strata_host *host, const char *url, char **conninfo, char **schema)
{
	const size_t pre = uri_prefix(url), len = strlen(url);
	const char *q, *p;
	char *out, *o;
	int bad = 0, first = 1;

	*conninfo = NULL;
	*schema = NULL;
	if (!pre) {
		*conninfo = strdup(url);
		return *conninfo ? STRATA_OK : strata_oom(host);
	}
	out = malloc(len + 1);
	if (!out)
		return strata_oom(host);
	for (size_t i = 0; i < pre; i++)
		out[i] = (char)tolower((unsigned char)url[i]);
	q = strchr(url + pre, '?');
	if (!q)
		q = url + len;
	memcpy(out + pre, url + pre, (size_t)(q - url) - pre);
	o = out + (q - url);
	for (p = *q ? q + 1 : q; *p;) {
		const char *e = strchrnul(p, '&');
		const char *eq = memchr(p, '=', (size_t)(e - p));

		if (eq && eq - p == 6 && memcmp(p, "schema", 6) == 0) {
			free(*schema);
			*schema = percent_decode(eq + 1, (size_t)(e - eq - 1), &bad);
			if (!*schema) {
				free(out);
				return bad ? bad_url(host, "bad percent-encoding in ?schema=")
				           : strata_oom(host);
			}
		} else if (e > p) {
			*o++ = first ? '?' : '&';
			first = 0;
			memcpy(o, p, (size_t)(e - p));
			o += e - p;
		}
		p = *e ? e + 1 : e;
	}
	*o = '\0';
	if (*schema && !**schema) {
		free(*schema);
		*schema = NULL;
		free(out);
		return bad_url(host, "?schema= names no schema");
	}
	*conninfo = out;
	return STRATA_OK;
}

/*
 * Remember one password to scrub.  Empty strings and repeats are skipped.
 * Without memory for it the caller must not go on (a password could then
 * reach a message), hence the status.
 */
int pgdrv_add_secret(strata_conn *conn, const char *s, size_t len)
{
	size_t i;

	if (!s || len == 0)
		return STRATA_OK;
	for (i = 0; i < PGDRV_MAX_SECRETS && conn->secrets[i]; i++)
		if (strlen(conn->secrets[i]) == len && memcmp(conn->secrets[i], s, len) == 0)
			return STRATA_OK;
	if (i == PGDRV_MAX_SECRETS)
		return STRATA_OK; /* all slots taken by other spellings */
	conn->secrets[i] = strndup(s, len);
	return conn->secrets[i] ? STRATA_OK : STRATA_ENOMEM;
}

/*
 * The raw (still percent-encoded) passwords of a URI: user:PASS@ (libpq
 * ends the user info at the first '@' or '/') and every password= query
 * parameter.  libpq's own messages may quote these raw forms, e.g. for a bad
 * percent-encoding.
 */
static int raw_uri_secrets(strata_conn *conn, const char *url, size_t pre)
{
	const char *auth = url + pre, *at = auth + strcspn(auth, "@/"), *q, *p;
	int rc = STRATA_OK;

	if (*at == '@') {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon)
			rc = pgdrv_add_secret(conn, colon + 1, (size_t)(at - colon - 1));
	}
	q = strchr(auth, '?');
	for (p = q ? q + 1 : ""; rc == STRATA_OK && *p;) {
		const char *e = strchrnul(p, '&');
		if ((size_t)(e - p) > 9 && strncmp(p, "password=", 9) == 0)
			rc = pgdrv_add_secret(conn, p + 9, (size_t)(e - p - 9));
		p = *e ? e + 1 : e;
	}
	return rc;
}

/*
 * Every password the URL carries, as written and as libpq decodes it
 * (PQconninfoParse reads URIs and conninfo strings alike).  PQpass() adds the
 * one libpq finally used (PGPASSWORD, ~/.pgpass) after connecting.
 */
int pgdrv_collect_secrets(strata_conn *conn, const char *url, const char *conninfo)
{
	const size_t pre = uri_prefix(url);
	PQconninfoOption *opts;
	char *err = NULL;
	int rc = pre ? raw_uri_secrets(conn, url, pre) : STRATA_OK;

	opts = PQconninfoParse(conninfo, &err);
	if (err)
		PQfreemem(err);
	if (!opts)
		return rc;
	for (PQconninfoOption *o = opts; rc == STRATA_OK && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			rc = pgdrv_add_secret(conn, o->val, strlen(o->val));
	PQconninfoFree(opts);
	return rc;
}
