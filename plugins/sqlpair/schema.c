/*
 * A small schema checker over libyaml documents: a table of keys per
 * mapping and typed leaves, each failure reported as a config error at the
 * file:line:col of the node at fault.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

/* Every descriptor problem is a config error at the node at fault; libyaml
 * marks are 0-based, people count from 1. */
int sp_ybad(sp_ydoc *d, const yaml_mark_t *m, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	d->h->error(d->h, STRATA_ECLASS_CONFIG, d->file, m ? (int)m->line + 1 : 0,
	            m ? (int)m->column + 1 : 0, hint, "%s", msg);
	return STRATA_EINVAL;
}

/* Scalars are the only leaves of the schema; anything else is a type error. */
const char *sp_yscalar(sp_ydoc *d, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		sp_ybad(d, &n->start_mark, NULL, "%s must be a string", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/* Capture group numbers are small: regmatch arrays live on the stack. */
int sp_yget_group(sp_ydoc *d, yaml_node_t *n, int *out)
{
	const char *s = sp_yscalar(d, n, "a capture group");
	if (!s)
		return STRATA_EINVAL;
	size_t len = strlen(s);
	if (len < 1 || len > 2 || strspn(s, "0123456789") != len || atoi(s) > SP_MAX_GROUP)
		return sp_ybad(d, &n->start_mark, NULL,
		               "'%s' is not a capture group number (0 to %d)", s, SP_MAX_GROUP);
	*out = atoi(s);
	return STRATA_OK;
}

/* YAML 1.1 has many spellings of booleans; descriptors use two. */
int sp_yget_bool(sp_ydoc *d, yaml_node_t *n, int *out)
{
	const char *s = sp_yscalar(d, n, "a boolean");
	if (!s)
		return STRATA_EINVAL;
	if (strcmp(s, "true") && strcmp(s, "false"))
		return sp_ybad(d, &n->start_mark, NULL, "expected true or false, not '%s'", s);
	*out = s[0] == 't';
	return STRATA_OK;
}

/* A quantifier right after another ('a++', 'a*{2}') is undefined in POSIX
 * EREs, and glibc's regcomp() copies the tree once per extra one: eighty of
 * them ask for terabytes.  A bound above 255 (POSIX's RE_DUP_MAX minimum)
 * is not portable either.  Offset of the offending character, or -1. */
static long stacked_quantifier(const char *s)
{
	int quantified = 0, bracket = 0;
	for (const char *p = s; *p; p++) {
		if (bracket) { /* []...] and [^]...]: a leading ] is literal */
			if (*p == ']' && p[-1] != '[' && !(p[-1] == '^' && p[-2] == '['))
				bracket = 0;
			continue;
		}
		if (*p == '\\') {
			quantified = 0;
			if (p[1])
				p++;
			continue;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (quantified)
				return p - s;
			if (*p == '{') {
				char *end;
				unsigned long a = strtoul(p + 1, &end, 10), b = a;
				if (*end == ',' && end[1] != '}')
					b = strtoul(end + 1, &end, 10);
				else if (*end == ',')
					end++;
				if (a > 255 || b > 255)
					return p - s;
				if (*end == '}')
					p = end;
			}
			quantified = 1;
			continue;
		}
		quantified = 0;
		if (*p == '[')
			bracket = 1;
	}
	return -1;
}

/* Patterns are compiled once, here, and a bad one is reported with
 * regerror's own words at the line that holds it. */
int sp_yget_regex(sp_ydoc *d, yaml_node_t *n, sp_regex *r)
{
	const char *s = sp_yscalar(d, n, "a regular expression");
	if (!s)
		return STRATA_EINVAL;
	long at = stacked_quantifier(s);
	if (at >= 0)
		return sp_ybad(d, &n->start_mark,
		               "write one quantifier per atom, and bounds up to {255}",
		               "invalid regular expression '%s': a repeated quantifier or a bound "
		               "over 255 at character %ld",
		               s, at + 1);
	int rc = regcomp(&r->re, s, REG_EXTENDED);
	if (rc != 0) {
		char err[256];
		regerror(rc, &r->re, err, sizeof err);
		return sp_ybad(d, &n->start_mark, NULL, "invalid regular expression '%s': %s", s,
		               err);
	}
	r->compiled = 1;
	r->text = strdup(s);
	return r->text ? STRATA_OK : strata_oom(d->h);
}

/* Strings owned by the layout (name, summary) are plain malloc'd copies. */
int sp_yget_string(sp_ydoc *d, yaml_node_t *n, const char *what, char **out)
{
	const char *s = sp_yscalar(d, n, what);
	if (!s)
		return STRATA_EINVAL;
	free(*out);
	*out = strdup(s);
	return *out ? STRATA_OK : strata_oom(d->h);
}

/* The list of known keys goes into the hint of an unknown-key error, since
 * the usual cause is a typo. */
static void known_keys(const sp_field *f, char *buf, size_t size)
{
	size_t o = (size_t)snprintf(buf, size, "known keys:");
	for (; f->key && o < size; f++)
		o += (size_t)snprintf(buf + o, size - o, " %s", f->key);
}

/* Walk one mapping against its sp_field table: each key known, once, and
 * every required key present. */
int sp_yparse_map(sp_ydoc *d, yaml_node_t *map, const char *what, const sp_field *fields,
                  void *target)
{
	if (map->type != YAML_MAPPING_NODE)
		return sp_ybad(d, &map->start_mark, NULL, "%s must be a mapping", what);
	unsigned seen = 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(d->doc, p->value);
		const char *key = sp_yscalar(d, k, "a key");
		if (!key)
			return STRATA_EINVAL;
		size_t i = 0;
		while (fields[i].key && strcmp(fields[i].key, key))
			i++;
		if (!fields[i].key) {
			char hint[256];
			known_keys(fields, hint, sizeof hint);
			return sp_ybad(d, &k->start_mark, hint, "unknown key '%s' in %s", key,
			               what);
		}
		if (seen & (1u << i))
			return sp_ybad(d, &k->start_mark, NULL, "duplicate key '%s' in %s", key,
			               what);
		seen |= 1u << i;
		int rc = fields[i].fn(d, v, target);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; fields[i].key; i++)
		if (fields[i].required && !(seen & (1u << i)))
			return sp_ybad(d, &map->start_mark, NULL, "missing key '%s' in %s",
			               fields[i].key, what);
	return STRATA_OK;
}
