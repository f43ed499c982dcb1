/* Database URLs as text: their scheme, and their passwords kept out of
 * every message. */
#include "base.h"

#include <stdio.h>
#include <string.h>

static const char scheme_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-";

size_t url_scheme_len(const char *url)
{
	size_t k = url ? strspn(url, scheme_chars) : 0;
	return k && url[k] == ':' ? k : 0;
}

size_t url_match_scheme(const char *url, const char **scheme)
{
	size_t k = url_scheme_len(url);
	if (k) {
		*scheme = url;
		return k;
	}
	*scheme = "=";
	return url && strchr(url, '=') ? 1 : 0;
}

/*
 * Where a URL's user info ends, so that the password inside it can be
 * hidden: at the LAST '@' of the authority, which starts after "//" and
 * ends at the first '?' or '#' (the query or fragment).  A '/' does not end
 * it: libpq stops the user info at the first '@' or '/', so a password with
 * an unencoded '@' or '/' (p@ss, pa/ss) would otherwise show its tail, and
 * the last '@' is the one the user meant.  An authority that starts with '/'
 * (sqlite:///path, postgresql:///db) is empty and has none.  Over-hiding a
 * path that holds both ':' and '@' is the safe mistake.  Returns the '@', or
 * NULL; *auth gets the authority's start.
 */
static const char *userinfo_end(const char *url, const char **auth)
{
	const char *scheme_end = strstr(url, "://");
	if (!scheme_end || scheme_end[3] == '/')
		return NULL;
	*auth = scheme_end + 3;
	const char *at = NULL;
	for (const char *q = *auth; *q && *q != '?' && *q != '#'; q++)
		if (*q == '@')
			at = q;
	return at;
}

/* Passwords never reach output: user:pass@ → user:***@ (up to the last '@',
 * above), password=x → password=***. */
void strata_redact_url(const char *url, char *buf, size_t size)
{
	sbuf b = {0};
	const char *p = url, *auth = NULL;
	const char *at = userinfo_end(url, &auth);
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			sbuf_add(&b, url, (size_t)(colon - url) + 1);
			sbuf_puts(&b, "***");
			p = at;
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
