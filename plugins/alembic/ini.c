/* alembic.ini: where the revision files are.  Alembic reads the file with
 * Python's configparser, so this follows configparser's rules rather than a
 * generic INI dialect: full-line comments only (a `#` after a value is part
 * of the value, which is why the 1.8 template's `version_path_separator = os
 * # Use os.pathsep…` breaks Alembic once version_locations is set), keys
 * case-folded, indented lines continue a value, `%(name)s` interpolates from
 * the section and DEFAULT (Alembic adds `here`, the file's folder), `%%` is
 * a percent sign. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alembic_int.h"

char *al_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || !dir || !*dir)
		return strdup(rel);
	size_t a = strlen(dir), b = strlen(rel);
	while (a > 1 && dir[a - 1] == '/')
		a--;
	char *p = malloc(a + b + 2);
	if (p)
		snprintf(p, a + b + 2, "%.*s/%s", (int)a, dir, rel);
	return p;
}

typedef struct ini_kv {
	char *key, *value;
	int line;
	int section; /* 0 DEFAULT, 1 alembic, 2 other */
} ini_kv;

typedef struct ini_doc {
	ini_kv *kv;
	size_t n;
} ini_doc;

static void doc_free(ini_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->kv[i].key);
		free(d->kv[i].value);
	}
	free(d->kv);
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	char *r = malloc(n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

/* Split text into the key/values of DEFAULT and [alembic]. */
static int parse(strata_host *h, const char *display, const char *text, ini_doc *d)
{
	int section = 2, lineno = 0;
	ini_kv *cur = NULL;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		lineno++;
		const char *q = p;
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		size_t rest = (size_t)(p + n - q);
		while (rest && (q[rest - 1] == '\r' || isspace((unsigned char)q[rest - 1])))
			rest--;
		bool indented = q > p;
		if (rest == 0 || *q == '#' || *q == ';') {
			/* blank or comment: a blank line ends nothing configparser keeps */
		} else if (indented && cur) {
			size_t old = strlen(cur->value);
			char *nv = realloc(cur->value, old + rest + 2);
			if (!nv)
				return strata_oom(h);
			nv[old] = '\n';
			memcpy(nv + old + 1, q, rest);
			nv[old + rest + 1] = '\0';
			cur->value = nv;
		} else if (*q == '[') {
			const char *close = memchr(q, ']', rest);
			if (!close) {
				h->error(h, STRATA_ECLASS_SOURCE, display, lineno, 1, NULL,
				         "section header without ']'");
				return STRATA_EINVAL;
			}
			size_t sl = (size_t)(close - q - 1);
			section = sl == 7 && !memcmp(q + 1, "DEFAULT", 7)   ? 0
			          : sl == 7 && !memcmp(q + 1, "alembic", 7) ? 1
			                                                     : 2;
			cur = NULL;
		} else {
			size_t k = 0;
			while (k < rest && q[k] != '=' && q[k] != ':')
				k++;
			if (k == rest) {
				h->error(h, STRATA_ECLASS_SOURCE, display, lineno, 1,
				         "write key = value, as configparser expects",
				         "line is neither a section, a key = value, nor a comment");
				return STRATA_EINVAL;
			}
			ini_kv kv = {trimmed(q, k), trimmed(q + k + 1, rest - k - 1), lineno, section};
			if (!kv.key || !kv.value) {
				free(kv.key);
				free(kv.value);
				return strata_oom(h);
			}
			for (char *c = kv.key; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			ini_kv *nk = realloc(d->kv, (d->n + 1) * sizeof *nk);
			if (!nk) {
				free(kv.key);
				free(kv.value);
				return strata_oom(h);
			}
			d->kv = nk;
			d->kv[d->n] = kv;
			cur = &d->kv[d->n++];
		}
		p += n + (e ? 1 : 0);
	}
	return 0;
}

static const ini_kv *lookup(const ini_doc *d, const char *key)
{
	const ini_kv *found = NULL;
	for (size_t i = 0; i < d->n; i++) /* the last one wins; [alembic] before DEFAULT */
		if (d->kv[i].section == 1 && !strcmp(d->kv[i].key, key))
			found = &d->kv[i];
	if (found)
		return found;
	for (size_t i = 0; i < d->n; i++)
		if (d->kv[i].section == 0 && !strcmp(d->kv[i].key, key))
			found = &d->kv[i];
	return found;
}

/* BasicInterpolation: %(name)s and %%, to a depth of 10 as configparser. */
static int interpolate(strata_host *h, const char *display, const ini_doc *d, const char *here,
                       const ini_kv *kv, const char *v, int depth, char **out)
{
	if (depth > 10) {
		h->error(h, STRATA_ECLASS_SOURCE, display, kv->line, 1, NULL,
		         "interpolation of '%s' is too deep (a loop?)", kv->key);
		return STRATA_EINVAL;
	}
	size_t cap = strlen(v) + 64, n = 0;
	char *r = malloc(cap);
	for (const char *p = v; r && *p;) {
		const char *add = p;
		size_t alen = 1;
		char *owned = NULL;
		if (*p == '%' && p[1] == '%') {
			p += 2;
		} else if (*p == '%' && p[1] == '(') {
			const char *close = strstr(p, ")s");
			if (!close) {
				free(r);
				h->error(h, STRATA_ECLASS_SOURCE, display, kv->line, 1, "write %% for a percent sign",
				         "bad interpolation in '%s'", kv->key);
				return STRATA_EINVAL;
			}
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)(close - p - 2), p + 2);
			for (char *c = name; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			p = close + 2;
			const ini_kv *ref = lookup(d, name);
			if (ref) {
				int rc = interpolate(h, display, d, here, ref, ref->value, depth + 1, &owned);
				if (rc) {
					free(r);
					return rc;
				}
				add = owned;
			} else if (!strcmp(name, "here")) {
				add = here;
			} else {
				free(r);
				h->error(h, STRATA_ECLASS_SOURCE, display, kv->line, 1, NULL,
				         "'%s' refers to '%%(%s)s', which is not set", kv->key, name);
				return STRATA_EINVAL;
			}
			alen = strlen(add);
		} else if (*p == '%') {
			free(r);
			h->error(h, STRATA_ECLASS_SOURCE, display, kv->line, 1, "write %% for a percent sign",
			         "'%%' must be followed by '%%' or '(' in '%s'", kv->key);
			return STRATA_EINVAL;
		} else {
			p++;
		}
		if (n + alen + 1 > cap) {
			cap = (n + alen + 1) * 2;
			char *nr = realloc(r, cap);
			if (!nr)
				free(r);
			r = nr;
		}
		if (r) {
			memcpy(r + n, add, alen);
			n += alen;
		}
		free(owned);
	}
	if (!r)
		return strata_oom(h);
	r[n] = '\0';
	*out = r;
	return 0;
}

static int get(strata_host *h, const char *display, const ini_doc *d, const char *here,
               const char *key, char **out, int *line)
{
	*out = NULL;
	const ini_kv *kv = lookup(d, key);
	if (!kv)
		return 0;
	if (line)
		*line = kv->line;
	return interpolate(h, display, d, here, kv, kv->value, 0, out);
}

static int add_dir(strata_host *h, al_ini *ini, const char *base, const char *p, size_t n)
{
	char *rel = trimmed(p, n);
	if (!rel)
		return strata_oom(h);
	if (!*rel) {
		free(rel);
		return 0;
	}
	char *abs = al_join(base, rel);
	free(rel);
	char **nd = abs ? realloc(ini->version_dirs, (ini->ndirs + 1) * sizeof *nd) : NULL;
	if (!nd) {
		free(abs);
		return strata_oom(h);
	}
	ini->version_dirs = nd;
	ini->version_dirs[ini->ndirs++] = abs;
	return 0;
}

/* version_locations, split as Alembic 1.8 splits it: by the separator named
 * in version_path_separator (path_separator in 1.16+), or, when neither is
 * set, on commas and spaces. */
static int split_locations(strata_host *h, const char *display, const ini_doc *d,
                           const char *here, const char *locs, al_ini *ini)
{
	char *sepv = NULL;
	int sline = 0, rc = get(h, display, d, here, "version_path_separator", &sepv, &sline);
	if (!rc && !sepv)
		rc = get(h, display, d, here, "path_separator", &sepv, &sline);
	if (rc)
		return rc;
	const char *seps = ", \n"; /* legacy: commas and spaces */
	if (sepv) {
		if (!strcmp(sepv, "os") || !strcmp(sepv, ":"))
			seps = ":\n";
		else if (!strcmp(sepv, ";"))
			seps = ";\n";
		else if (!strcmp(sepv, "space"))
			seps = " \n";
		else if (!strcmp(sepv, "newline"))
			seps = "\n";
		else {
			h->error(h, STRATA_ECLASS_SOURCE, display, sline, 1,
			         "configparser keeps inline comments: move the comment to its own line",
			         "'%s' is not a valid value for version_path_separator; expected "
			         "'space', 'os', ':', ';'", sepv);
			free(sepv);
			return STRATA_EINVAL;
		}
	}
	free(sepv);
	for (const char *p = locs; *p;) {
		size_t n = strcspn(p, seps);
		if ((rc = add_dir(h, ini, here, p, n)))
			return rc;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* "get_main_option.KEY=VALUE" lines, one per key of [alembic] (and of
 * DEFAULT, which configparser's [alembic] falls back on), the value as
 * get() interpolates it: what config.get_main_option(KEY) returns in a
 * revision (pyeval.h's assume: key).  A value of several lines is written
 * as the single byte 0x7f (not modelled: pyeval.c says so). */
static int main_options(strata_host *h, const char *display, const ini_doc *d, const char *here,
                        char **out)
{
	size_t cap = 256, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return strata_oom(h);
	buf[0] = '\0';
	for (size_t i = 0; i < d->n; i++) {
		if (d->kv[i].section == 2)
			continue;
		char *v = NULL;
		int rc = get(h, display, d, here, d->kv[i].key, &v, NULL);
		if (rc) {
			free(buf);
			return rc;
		}
		const char *val = v && !strchr(v, '\n') ? v : "\x7f";
		size_t need = n + strlen(d->kv[i].key) + strlen(val) + 20;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(v);
				free(buf);
				return strata_oom(h);
			}
			buf = nb;
		}
		n += (size_t)snprintf(buf + n, cap - n, "get_main_option.%s=%s\n", d->kv[i].key, val);
		free(v);
	}
	*out = buf;
	return 0;
}

int al_ini_read(strata_host *h, const char *dir, al_ini *out)
{
	memset(out, 0, sizeof *out);
	char *path = al_join(dir, "alembic.ini");
	if (!path)
		return strata_oom(h);
	char *text = NULL;
	size_t len;
	int rc = strata_read_file(h, AT_FDCWD, path, "alembic.ini", &text, &len);
	free(path);
	if (rc == STRATA_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	ini_doc d = {0};
	rc = parse(h, "alembic.ini", text, &d);
	free(text);
	char *loc = NULL, *versions = NULL, *rec = NULL;
	int loc_line = 0;
	if (!rc)
		rc = main_options(h, "alembic.ini", &d, dir, &out->main_options);
	if (!rc)
		rc = get(h, "alembic.ini", &d, dir, "script_location", &loc, &loc_line);
	if (!rc && !loc) {
		h->error(h, STRATA_ECLASS_SOURCE, "alembic.ini", 0, 0,
		         "add  script_location = migrations  to the [alembic] section",
		         "no script_location in [alembic]");
		rc = STRATA_EINVAL;
	}
	if (!rc && !(out->script_dir = al_join(dir, loc)))
		rc = strata_oom(h);
	if (!rc)
		rc = get(h, "alembic.ini", &d, dir, "version_locations", &versions, NULL);
	if (!rc)
		rc = get(h, "alembic.ini", &d, dir, "recursive_version_locations", &rec, NULL);
	if (!rc && rec)
		out->recursive = !strcasecmp(rec, "true") || !strcmp(rec, "1") ||
		                 !strcasecmp(rec, "yes") || !strcasecmp(rec, "on");
	if (!rc && versions)
		rc = split_locations(h, "alembic.ini", &d, dir, versions, out);
	else if (!rc) {
		char *v = out->script_dir ? al_join(out->script_dir, "versions") : NULL;
		if (!v)
			rc = strata_oom(h);
		else
			rc = add_dir(h, out, NULL, v, strlen(v));
		free(v);
	}
	if (!rc && !out->ndirs) {
		h->error(h, STRATA_ECLASS_SOURCE, "alembic.ini", 0, 0, NULL,
		         "version_locations names no folder");
		rc = STRATA_EINVAL;
	}
	free(loc);
	free(versions);
	free(rec);
	doc_free(&d);
	if (rc) {
		al_ini_free(out);
		return rc;
	}
	return 1;
}

void al_ini_free(al_ini *ini)
{
	for (size_t i = 0; i < ini->ndirs; i++)
		free(ini->version_dirs[i]);
	free(ini->version_dirs);
	free(ini->script_dir);
	free(ini->main_options);
	memset(ini, 0, sizeof *ini);
}
