/* The fleet's targets, all known before anything runs: the lines of a
 * --fleet FILE (one URL each, ${VAR} and $VAR from the environment) and
 * --each-schema's schemas of each.  Every mistake is a usage error at
 * FILE:LINE, exit 2, no database touched. */
#include "fleet.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fleet_error(int json, int code, const char *file, int line, const char *hint, const char *fmt,
                ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	strata_error_info e = {.cls = STRATA_ECLASS_USAGE, .file = file, .line = line, .hint = hint};
	error_line(json, msg ? msg : "fleet", &e, code);
	free(msg);
	return code;
}

static void add(fleet *f, const char *url, const char *schema)
{
	fleet_target *v = realloc(f->v, (f->n + 1) * sizeof *v);
	if (!v) {
		fputs("strata: error: out of memory\n", stderr);
		exit(1);
	}
	f->v = v;
	fleet_target *t = &f->v[f->n++];
	memset(t, 0, sizeof *t);
	t->url = strdup(url);
	char shown[1024];
	strata_redact_url(url, shown, sizeof shown);
	t->shown = strdup(shown);
	t->schema = schema ? strdup(schema) : NULL;
	t->name = strdup(schema ? schema : shown);
	t->fd[0] = t->fd[1] = -1;
	if (!t->url || !t->shown || !t->name || (schema && !t->schema)) {
		fputs("strata: error: out of memory\n", stderr);
		exit(1);
	}
}

void fleet_free(fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		fleet_target *t = &f->v[i];
		free(t->url);
		free(t->shown);
		free(t->name);
		free(t->schema);
		text_free(&t->buf[0]);
		text_free(&t->buf[1]);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

static bool name_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* line with ${VAR} and $VAR replaced (malloc'd in *out); the first unset
 * one's name in *unset (malloc'd), then *out is NULL.  A '$' that starts
 * no name stays as it is. */
static void expand(const char *line, char **out, char **unset)
{
	text t = {0};
	*out = *unset = NULL;
	for (const char *p = line; *p;) {
		if (*p != '$') {
			text_raw(&t, p++, 1);
			continue;
		}
		bool brace = p[1] == '{';
		const char *n = p + 1 + brace;
		size_t k = 0;
		while (n[k] && name_char(n[k], k == 0))
			k++;
		if (!k || (brace && n[k] != '}')) {
			text_raw(&t, p++, 1);
			continue;
		}
		char *name = strndup(n, k);
		const char *v = name ? getenv(name) : NULL;
		if (!v) {
			*unset = name;
			text_free(&t);
			return;
		}
		free(name);
		text_raw(&t, v, strlen(v));
		p = n + k + brace;
	}
	text_raw(&t, "", 0);
	*out = t.data;
}

/* A URL has a scheme (sqlite:, postgresql://) or is a conninfo (key=value). */
static bool looks_like_url(const char *s)
{
	size_t k = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	return (k && s[k] == ':' && isalpha((unsigned char)s[0])) || strchr(s, '=');
}

static int check_duplicate(const fleet *f, size_t upto, const char *file, int line, const int *lines,
                           int json)
{
	const fleet_target *t = &f->v[upto];
	for (size_t i = 0; i < upto; i++)
		if (!strcmp(f->v[i].shown, t->shown))
			return fleet_error(json, 2, file, line, "each target once: remove one of the lines",
			                   "duplicate target %s (first at line %d)", t->shown, lines[i]);
	return 0;
}

int fleet_read_file(fleet *f, const char *path, int json)
{
	bool in = !strcmp(path, "-");
	const char *file = in ? "<stdin>" : path;
	FILE *fp = in ? stdin : fopen(path, "r");
	if (!fp)
		return fleet_error(json, 2, path, 0, "--fleet takes a file of database URLs, one a line",
		                   "cannot read: %s", strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	int *lines = NULL;
	while (!rc && getline(&line, &cap, fp) >= 0) {
		lineno++;
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		size_t n = strlen(s);
		while (n && isspace((unsigned char)s[n - 1]))
			s[--n] = '\0';
		if (!*s || *s == '#')
			continue;
		char *url, *unset;
		expand(s, &url, &unset);
		if (unset) {
			rc = fleet_error(json, 2, file, lineno, "export it, or write the URL itself",
			                 "environment variable %s is not set", unset);
			free(unset);
			break;
		}
		if (!looks_like_url(url)) {
			char shown[1024];
			strata_redact_url(url, shown, sizeof shown);
			rc = fleet_error(json, 2, file, lineno,
			                 "one database URL a line, such as sqlite:app.db or postgresql://host/db, "
			                 "or ${VAR}",
			                 "not a database URL: '%s'", shown);
			free(url);
			break;
		}
		add(f, url, NULL);
		free(url);
		int *l = realloc(lines, f->n * sizeof *l);
		if (!l)
			exit(1);
		lines = l;
		lines[f->n - 1] = lineno;
		rc = check_duplicate(f, f->n - 1, file, lineno, lines, json);
	}
	if (!rc && ferror(fp))
		rc = fleet_error(json, 2, path, 0, NULL, "cannot read: %s", strerror(errno));
	if (!rc && !f->n)
		rc = fleet_error(json, 2, file, 0, "one database URL a line; # starts a comment",
		                 "no targets in the fleet file");
	free(line);
	free(lines);
	if (!in)
		fclose(fp);
	return rc;
}

/* url with its ?schema=NAME (or &schema=NAME), NAME percent-encoded. */
static char *with_schema(const char *url, const char *schema)
{
	text t = {0};
	text_raw(&t, url, strlen(url));
	text_raw(&t, strchr(url, '?') ? "&schema=" : "?schema=", 8);
	for (const unsigned char *p = (const unsigned char *)schema; *p; p++)
		if (isalnum(*p) || strchr("-._~", *p))
			text_raw(&t, (const char *)p, 1);
		else {
			char hex[4];
			snprintf(hex, sizeof hex, "%%%02X", *p);
			text_raw(&t, hex, 3);
		}
	return t.data;
}

/* The URL of f's targets (or only_url) each becomes one target per schema. */
int fleet_each_schema(fleet *f, strata *s, const char *only_url, const char *pattern, int json)
{
	fleet bases = *f;
	*f = (fleet){0};
	if (only_url)
		add(&bases, only_url, NULL);
	int rc = 0;
	for (size_t i = 0; !rc && i < bases.n; i++) {
		char **names = NULL;
		size_t n = 0;
		int lrc = strata_schemas(s, bases.v[i].url, pattern, &names, &n);
		if (lrc) {
			const strata_error_info *e = strata_last_error(s);
			int code = e && e->cls == STRATA_ECLASS_USAGE ? 2 : 1;
			rc = fleet_error(json, code, e && e->file ? e->file : bases.v[i].shown, e ? e->line : 0,
			                 e ? e->hint : NULL, "%s", e && e->message ? e->message : "failed");
			break;
		}
		for (size_t k = 0; k < n; k++) {
			char *url = with_schema(bases.v[i].url, names[k]);
			add(f, url, names[k]);
			free(url);
			if (bases.n > 1) { /* several servers: say which one */
				free(f->v[f->n - 1].name);
				f->v[f->n - 1].name = strdup(f->v[f->n - 1].shown);
			}
		}
		strata_schemas_free(names, n);
	}
	fleet_free(&bases);
	return rc;
}
