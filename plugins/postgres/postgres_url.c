/*
 * Database URLs: what libpq sees and what must never be shown.  libpq parses
 * URLs and conninfo strings itself (its parameters pass through unchanged);
 * this file reads the parameters of Prisma's URLs that libpq does not know
 * (schema, pgbouncer, sslaccept, …), dbmate's socket=, and collects the passwords to scrub from
 * messages.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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
static int bad_url(strata_host *host, const char *hint, const char *what)
{
	host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, hint, "invalid database URL: %s", what);
	return STRATA_EINVAL;
}

/*
 * Prisma's URL parameters that libpq does not have, or has with another
 * meaning (Prisma's query engine, quaint: quaint/src/connector/postgres/
 * url.rs).  Those libpq has with the same meaning pass to it unchanged:
 * sslmode, sslpassword, connect_timeout, application_name, options, host
 * (a socket folder), channel_binding.  An unknown parameter is left to libpq,
 * which refuses it: a typo never turns a setting off.
 */
enum prisma_kind {
	PP_SCHEMA,      /* search_path, postgres_open.c */
	PP_PGBOUNCER,   /* through a transaction pooler */
	PP_POOL,        /* Prisma's pool and statement cache: checked, then dropped */
	PP_SSLCERT,     /* Prisma: the server's CA certificate = libpq's sslrootcert */
	PP_SSLACCEPT,   /* strict: verify the server's certificate */
	PP_SSLIDENTITY, /* a PKCS#12 file: libpq reads PEM only */
	PP_SOCKET_TIMEOUT,
	PP_SOCKET,      /* dbmate: the socket folder, libpq's host (it wins over host=) */
};
static const struct prisma_param {
	const char *name;
	enum prisma_kind kind;
	const char *why; /* PP_POOL: why strata has no use for it */
} prisma_params[] = {
	{ "schema", PP_SCHEMA, NULL },
	{ "pgbouncer", PP_PGBOUNCER, NULL },
	{ "connection_limit", PP_POOL, "strata opens one connection" },
	{ "pool_timeout", PP_POOL, "strata has no connection pool" },
	{ "max_connection_lifetime", PP_POOL, "strata has no connection pool" },
	{ "max_idle_connection_lifetime", PP_POOL, "strata has no connection pool" },
	{ "statement_cache_size", PP_POOL, "strata prepares no named statements" },
	{ "sslcert", PP_SSLCERT, NULL },
	{ "sslaccept", PP_SSLACCEPT, NULL },
	{ "sslidentity", PP_SSLIDENTITY, NULL },
	{ "socket_timeout", PP_SOCKET_TIMEOUT, NULL },
	{ "socket", PP_SOCKET, NULL },
};

/* One name=value of the query, value still percent-encoded. */
struct qparam {
	const char *p;      /* name=value as written */
	size_t len, nlen;   /* of the whole, of the name */
	const char *val;
	size_t vlen;
	const struct prisma_param *prisma;
	int keep;           /* goes to libpq as written */
};

static const struct prisma_param *prisma_param(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof prisma_params / sizeof prisma_params[0]; i++)
		if (strlen(prisma_params[i].name) == n && !memcmp(prisma_params[i].name, name, n))
			return &prisma_params[i];
	return NULL;
}

/* The last parameter called name, or NULL. */
static struct qparam *last_named(struct qparam *q, size_t n, const char *name)
{
	struct qparam *hit = NULL;
	for (size_t i = 0; i < n; i++)
		if (q[i].nlen == strlen(name) && !memcmp(q[i].p, name, q[i].nlen))
			hit = &q[i];
	return hit;
}

/* A whole number of seconds (or of anything), as Prisma's integer parse
 * takes it: decimal digits, an optional leading '+'. */
static int whole_number(const char *v, unsigned long long *out)
{
	char *end;
	if (*v == '+')
		v++;
	if (!*v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -1 : 0;
}

/* The decoded value of q (NULL: no memory or bad %XX, *bad says which). */
static char *value_of(const struct qparam *q, int *bad)
{
	return percent_decode(q->val, q->vlen, bad);
}

static int is_verified(const char *mode)
{
	return mode && (!strcmp(mode, "verify-ca") || !strcmp(mode, "verify-full"));
}

/*
 * Prisma's parameters, read as libpq parameters or as settings of strata's
 * own, with a -v line for each (naming parameters, never a value that could
 * be a secret).  Appends libpq parameters to out; marks what stays.
 */
static int read_prisma(strata_host *host, struct qparam *q, size_t n, FILE *out, int *first,
                       struct pgdrv_url *u)
{
	struct qparam *accept = last_named(q, n, "sslaccept"), *mode = last_named(q, n, "sslmode");
	struct qparam *cert = last_named(q, n, "sslcert");
	int strict = 0, bad = 0, rc = STRATA_OK;
	char *v = NULL, *mode_v = NULL;

	/* With sslkey (libpq's client key, which Prisma has not) the URL is
	 * libpq's, and sslcert is libpq's client certificate. */
	if (last_named(q, n, "sslkey"))
		for (size_t i = 0; i < n; i++)
			if (q[i].prisma && q[i].prisma->kind == PP_SSLCERT)
				q[i].prisma = NULL, q[i].keep = 1;
	if (mode && !(mode_v = value_of(mode, &bad)))
		return bad ? bad_url(host, "percent-encode the value", "bad percent-encoding in ?sslmode=")
		           : strata_oom(host);
	if (accept && accept->prisma) {
		if (!(v = value_of(accept, &bad))) {
			rc = bad ? bad_url(host, "percent-encode the value", "bad percent-encoding in ?sslaccept=")
			         : strata_oom(host);
			goto out;
		}
		/* Prisma: accept_invalid_certs (its default) or strict; any other
		 * value is strict. */
		strict = strcmp(v, "accept_invalid_certs") != 0;
		if (strict && strcmp(v, "strict"))
			host->debug(host, "postgres: sslaccept=%s is not a Prisma value; read as strict", v);
		free(v);
		v = NULL;
		if (strict && mode_v && !strcmp(mode_v, "disable"))
			host->debug(host, "postgres: sslaccept=strict has no effect with sslmode=disable");
		if (strict && !(mode_v && (!strcmp(mode_v, "disable") || is_verified(mode_v)))) {
			if (mode)
				mode->keep = 0;
			fprintf(out, "%ssslmode=verify-full", *first ? "?" : "&");
			*first = 0;
			free(mode_v);
			mode_v = strdup("verify-full");
			if (!mode_v) {
				rc = strata_oom(host);
				goto out;
			}
			host->debug(host, "postgres: sslaccept=strict read as sslmode=verify-full");
		}
	}
	for (size_t i = 0; rc == STRATA_OK && i < n; i++) {
		const struct prisma_param *pp = q[i].prisma;
		unsigned long long num;

		if (!pp)
			continue;
		q[i].keep = 0;
		if (pp->kind == PP_SCHEMA || pp->kind == PP_SSLACCEPT)
			continue; /* pgdrv_parse_url, above */
		if (pp->kind == PP_SSLCERT && &q[i] != cert)
			continue;
		if (!(v = value_of(&q[i], &bad))) {
			char what[96];
			snprintf(what, sizeof what, "bad percent-encoding in ?%s=", pp->name);
			rc = bad ? bad_url(host, "percent-encode the value", what) : strata_oom(host);
			break;
		}
		switch (pp->kind) {
		case PP_PGBOUNCER:
			if (strcmp(v, "true") && strcmp(v, "false")) {
				rc = bad_url(host, "write ?pgbouncer=true or ?pgbouncer=false",
				             "?pgbouncer= takes true or false");
				break;
			}
			u->pgbouncer = !strcmp(v, "true");
			host->debug(host, "postgres: pgbouncer=%s%s", v,
			            u->pgbouncer ? ": through a transaction pooler (docs/postgres.md#pgbouncer)" : "");
			break;
		case PP_POOL:
			if (whole_number(v, &num)) {
				char what[96];
				snprintf(what, sizeof what, "?%s= takes a whole number", pp->name);
				rc = bad_url(host, "write a number of seconds or connections, e.g. 10", what);
				break;
			}
			host->debug(host, "postgres: URL parameter %s=%llu dropped: %s", pp->name, num, pp->why);
			break;
		case PP_SOCKET_TIMEOUT:
			if (whole_number(v, &num) || num > 2147483) {
				rc = bad_url(host, "write a whole number of seconds, e.g. 30",
				             "?socket_timeout= takes a whole number of seconds");
				break;
			}
			if (num == 0) {
				host->debug(host, "postgres: socket_timeout=0 dropped: no limit");
				break;
			}
			/* A dead connection is given up after about twice num seconds:
			 * a keepalive probe after num idle seconds, and the socket closed
			 * when sent data (the probe too) is unacknowledged for num
			 * seconds.  A long statement on a live server is never cut
			 * (session: statement_timeout does that). */
			if (!last_named(q, n, "tcp_user_timeout"))
				fprintf(out, "%stcp_user_timeout=%llu", *first ? "?" : "&", num * 1000), *first = 0;
			if (!last_named(q, n, "keepalives_idle"))
				fprintf(out, "%skeepalives_idle=%llu", *first ? "?" : "&", num), *first = 0;
			if (!last_named(q, n, "keepalives_interval"))
				fprintf(out, "%skeepalives_interval=%llu", *first ? "?" : "&", num), *first = 0;
			host->debug(host, "postgres: socket_timeout=%llu read as tcp_user_timeout=%llu, "
			            "keepalives_idle=%llu, keepalives_interval=%llu (unless given)",
			            num, num * 1000, num, num);
			break;
		case PP_SOCKET:
			/* dbmate (pkg/driver/postgres connectionString) sets host to
			 * socket's value, replacing any host=; the last socket= counts. */
			if (&q[i] != last_named(q, n, "socket"))
				break;
			for (size_t j = 0; j < n; j++)
				if (q[j].nlen == 4 && !memcmp(q[j].p, "host", 4))
					q[j].keep = 0;
			fprintf(out, "%shost=%.*s", *first ? "?" : "&", (int)q[i].vlen, q[i].val);
			*first = 0;
			host->debug(host, "postgres: socket (dbmate's) read as host");
			break;
		case PP_SSLCERT:
			if (is_verified(mode_v) && !last_named(q, n, "sslrootcert")) {
				fprintf(out, "%ssslrootcert=%.*s", *first ? "?" : "&", (int)q[i].vlen, q[i].val);
				*first = 0;
				host->debug(host, "postgres: sslcert read as sslrootcert (Prisma's sslcert is the "
				            "server's CA certificate)");
			} else {
				host->debug(host, "postgres: URL parameter sslcert dropped: %s",
				            is_verified(mode_v) ? "sslrootcert is given"
				                                : "the server's certificate is not verified "
				                                  "(sslaccept=accept_invalid_certs, Prisma's "
				                                  "default; sslaccept=strict verifies it)");
			}
			break;
		case PP_SSLIDENTITY:
			rc = bad_url(host,
			             "convert it to PEM (openssl pkcs12 -in FILE -clcerts -nokeys -out "
			             "client.crt; openssl pkcs12 -in FILE -nocerts -nodes -out client.key) "
			             "and write sslcert=client.crt&sslkey=client.key",
			             "?sslidentity= (a PKCS#12 file) is not supported: libpq reads PEM files");
			break;
		default:
			break;
		}
		free(v);
		v = NULL;
	}
out:
	free(v);
	free(mode_v);
	return rc;
}

/*
 * Make the string handed to libpq: a conninfo string as it is; a URI with a
 * lower-case prefix, its other parameters in order, and Prisma's parameters
 * read (read_prisma): libpq refuses URI parameters it does not know.
 * u->schema gets the decoded name of the last schema= (NULL when there is
 * none), u->pgbouncer whether pgbouncer=true.
 */
int pgdrv_parse_url(strata_host *host, const char *url, struct pgdrv_url *u)
{
	const size_t pre = uri_prefix(url);
	const char *q, *p;
	struct qparam *qs = NULL;
	size_t nq = 0;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int bad = 0, first = 1, rc = STRATA_OK;

	memset(u, 0, sizeof *u);
	if (!pre) {
		u->conninfo = strdup(url);
		return u->conninfo ? STRATA_OK : strata_oom(host);
	}
	q = strchr(url + pre, '?');
	if (!q)
		q = url + strlen(url);
	for (p = *q ? q + 1 : q; *p;) {
		const char *e = strchrnul(p, '&');
		const char *eq = memchr(p, '=', (size_t)(e - p));

		if (e > p) {
			struct qparam *grown = realloc(qs, (nq + 1) * sizeof *qs);
			if (!grown) {
				free(qs);
				return strata_oom(host);
			}
			qs = grown;
			struct qparam *x = &qs[nq++];
			x->p = p;
			x->len = (size_t)(e - p);
			x->nlen = eq ? (size_t)(eq - p) : x->len;
			x->val = eq ? eq + 1 : e;
			x->vlen = eq ? (size_t)(e - eq - 1) : 0;
			x->prisma = eq ? prisma_param(p, x->nlen) : NULL;
			x->keep = 1;
		}
		p = *e ? e + 1 : e;
	}
	f = open_memstream(&out, &outlen);
	if (!f) {
		free(qs);
		return strata_oom(host);
	}
	for (size_t i = 0; i < pre; i++)
		fputc(tolower((unsigned char)url[i]), f);
	fwrite(url + pre, 1, (size_t)(q - url) - pre, f);
	struct qparam *sch = last_named(qs, nq, "schema");
	if (sch) {
		u->schema = percent_decode(sch->val, sch->vlen, &bad);
		if (!u->schema)
			rc = bad ? bad_url(host, "write ?schema=NAME with the name percent-encoded",
			                   "bad percent-encoding in ?schema=")
			         : strata_oom(host);
		else if (!*u->schema)
			rc = bad_url(host, "write ?schema=NAME with the name percent-encoded",
			             "?schema= names no schema");
	}
	if (rc == STRATA_OK)
		rc = read_prisma(host, qs, nq, f, &first, u);
	for (size_t i = 0; rc == STRATA_OK && i < nq; i++)
		if (qs[i].keep) {
			fprintf(f, "%s%.*s", first ? "?" : "&", (int)qs[i].len, qs[i].p);
			first = 0;
		}
	free(qs);
	if (fclose(f) != 0 || !out) {
		free(out);
		pgdrv_url_free(u);
		return rc == STRATA_OK ? strata_oom(host) : rc;
	}
	if (rc != STRATA_OK) {
		explicit_bzero(out, outlen);
		free(out);
		pgdrv_url_free(u);
		return rc;
	}
	u->conninfo = out;
	return STRATA_OK;
}

void pgdrv_url_free(struct pgdrv_url *u)
{
	if (u->conninfo)
		explicit_bzero(u->conninfo, strlen(u->conninfo));
	free(u->conninfo);
	free(u->schema);
	memset(u, 0, sizeof *u);
}

/*
 * Remember one password to scrub.  Empty strings and repeats are skipped.
 * Without memory for it the caller must not go on (a password could then
 * reach a message), hence the status.  A piece is a fragment of a password
 * that libpq may quote as something else (a host, a port): a short one such
 * as "ss" would eat into words ("address"), so it is hidden only where it
 * stands alone; a whole password is hidden wherever it appears.
 */
static int add_secret(strata_conn *conn, const char *s, size_t len, int piece)
{
	size_t i;

	if (!s || len == 0)
		return STRATA_OK;
	for (i = 0; i < PGDRV_MAX_SECRETS && conn->secrets[i]; i++)
		if (strlen(conn->secrets[i]) == len && memcmp(conn->secrets[i], s, len) == 0)
			return STRATA_OK; /* a piece stays one: libpq's "password" is that fragment */
	if (i == PGDRV_MAX_SECRETS)
		return STRATA_OK; /* all slots taken by other spellings */
	conn->secrets[i] = strndup(s, len);
	conn->piece[i] = (unsigned char)piece;
	return conn->secrets[i] ? STRATA_OK : STRATA_ENOMEM;
}

int pgdrv_add_secret(strata_conn *conn, const char *s, size_t len)
{
	return add_secret(conn, s, len, 0);
}

int pgdrv_add_secret_piece(strata_conn *conn, const char *s, size_t len)
{
	return add_secret(conn, s, len, 1);
}

/*
 * The raw (still percent-encoded) passwords of a URI, which libpq's own
 * messages may quote (a bad percent-encoding, a host name it cannot
 * resolve): the password in the user info and every password= and
 * sslpassword= query parameter.  The user info ends at the authority's last
 * '@' (the host's rule, core/base/url.c), but libpq ends it at the first '@'
 * or '/': given u:p@ss@host it takes "p" for the password and "ss@host" for
 * the host, and quotes that host in its error.  So the password up to the
 * last '@', libpq's part of it, and the rest of it that libpq reads as host
 * (or port, or database) are each a secret: the longest match is scrubbed,
 * and the host's message shows "***@host".
 */
static int raw_uri_secrets(strata_conn *conn, const char *url, size_t pre)
{
	const char *auth = url + pre, *at = NULL, *q, *p;
	int rc = STRATA_OK;

	for (q = auth; *auth != '/' && *q && *q != '?' && *q != '#'; q++)
		if (*q == '@')
			at = q;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		const char *pw = colon + 1, *cut = pw + strcspn(pw, "@/");
		rc = pgdrv_add_secret(conn, pw, (size_t)(at - pw));
		if (rc == STRATA_OK && cut < at)
			rc = pgdrv_add_secret_piece(conn, pw, (size_t)(cut - pw));
		if (rc == STRATA_OK && cut < at)
			rc = pgdrv_add_secret_piece(conn, cut + 1, (size_t)(at - cut - 1));
	}
	q = strchr(auth, '?');
	for (p = q ? q + 1 : ""; rc == STRATA_OK && *p;) {
		const char *e = strchrnul(p, '&');
		if ((size_t)(e - p) > 9 && strncmp(p, "password=", 9) == 0)
			rc = pgdrv_add_secret(conn, p + 9, (size_t)(e - p - 9));
		else if ((size_t)(e - p) > 12 && strncmp(p, "sslpassword=", 12) == 0)
			rc = pgdrv_add_secret(conn, p + 12, (size_t)(e - p - 12));
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
		if ((!strcmp(o->keyword, "password") || !strcmp(o->keyword, "sslpassword")) && o->val)
			rc = pgdrv_add_secret(conn, o->val, strlen(o->val));
	PQconninfoFree(opts);
	return rc;
}
