/*
 * The layout descriptor's own leaves (capture group numbers, regular
 * expressions) over the shared checker of plugins/common/ydoc.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

/* Capture group numbers are small: regmatch arrays live on the stack. */
int sp_yget_group(yd_doc *d, yaml_node_t *n, int *out)
{
	const char *s = yd_scalar(d, n, "a capture group");
	if (!s)
		return STRATA_EINVAL;
	size_t len = strlen(s);
	if (len < 1 || len > 2 || strspn(s, "0123456789") != len || atoi(s) > SP_MAX_GROUP)
		return yd_bad(d, n, NULL,
		               "'%s' is not a capture group number (0 to %d)", s, SP_MAX_GROUP);
	*out = atoi(s);
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

/* Is s[i] escaped, by an odd number of backslashes before it? */
static int escaped(const char *s, size_t i)
{
	size_t k = 0;
	while (k < i && s[i - 1 - k] == '\\')
		k++;
	return k & 1;
}

/* What an ERE gives a special meaning, plain or after a backslash. */
static const char ere_meta[] = ".[]()*+?{}|^$\\";

/* The k characters of buf (gathered backwards when reversed) as a string
 * (malloc'd), their count in *len; NULL for none, for a walk that filled
 * the buffer (the literal may go on), or out of memory. */
static char *literal_copy(const char *buf, size_t k, size_t size, bool reversed, size_t *len)
{
	if (!k || k == size)
		return NULL;
	char *t = malloc(k + 1);
	if (!t)
		return NULL;
	for (size_t j = 0; j < k; j++)
		t[j] = reversed ? buf[k - 1 - j] : buf[j];
	t[k] = '\0';
	*len = k;
	return t;
}

/* The end of the bracket expression that starts at s[i] ('['): the index
 * of its closing ']' (a ']' first, after an optional '^', is a member; so
 * are [:class:], [.coll.] and [=equiv=] inside), or of the NUL. */
static size_t bracket_end(const char *s, size_t i)
{
	size_t j = i + 1;
	if (s[j] == '^')
		j++;
	if (s[j] == ']')
		j++;
	while (s[j] && s[j] != ']') {
		if (s[j] == '[' && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
			char d = s[j + 1];
			size_t k = j + 2;
			while (s[k] && !(s[k] == d && s[k + 1] == ']'))
				k++;
			if (!s[k])
				return k;
			j = k + 2;
			continue;
		}
		j++;
	}
	return j;
}

/* Has the ERE s a '|' outside every group and bracket expression (an
 * alternative to the whole pattern, which may start and end otherwise)?
 * A '|' inside a group, as in '([[:space:]]|$)', leaves what is before and
 * after the group to every match. */
static int top_level_bar(const char *s)
{
	int depth = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == '[') {
			i = bracket_end(s, i);
			if (!s[i])
				return 1; /* unbalanced: regcomp refuses it; no literal either way */
		} else if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		else if (s[i] == '|' && depth <= 0)
			return 1;
	}
	return 0;
}

/*
 * The literal every match of the ERE s ends with: the run of plain or
 * escaped characters right before a final unescaped '$', so that
 * '^([0-9]+)_(.+)\.up\.sql$' gives ".up.sql".  Only for a pattern with no
 * '|' outside a group (an alternative could end otherwise) and no bracket or
 * quantifier inside the run (the walk stops at the first metacharacter;
 * a quantifier follows its atom, so none can apply to a character of the
 * run).  NULL when there is no such literal: the test is then skipped.
 */
char *sp_regex_tail(const char *s, size_t *len)
{
	size_t n = strlen(s);
	*len = 0;
	if (top_level_bar(s) || n < 2 || s[n - 1] != '$' || escaped(s, n - 1))
		return NULL;
	char buf[256];
	size_t k = 0;
	size_t i = n - 1; /* s[i] is the '$' */
	while (i > 0 && k < sizeof buf) {
		char c = s[i - 1];
		if (i >= 2 && escaped(s, i - 1) && strchr(ere_meta, c)) {
			buf[k++] = c; /* \. and the like: the character itself */
			i -= 2;
		} else if (!escaped(s, i - 1) && !strchr(ere_meta, c)) {
			buf[k++] = c;
			i -= 1;
		} else {
			break; /* a metacharacter, or an escape like \w whose meaning varies */
		}
	}
	return literal_copy(buf, k, sizeof buf, true, len);
}

/*
 * The literal every match of the ERE s starts with: the run of plain or
 * escaped characters right after a leading '^', so that
 * '^--[[:space:]]*migrate:up([[:space:]]|$)' gives "--".  As for the
 * tail, only without a '|' outside a group; a character the next one
 * quantifies ('*', '+', '?', '{') is not part of it, as it may be absent.
 * NULL when there is none.
 */
char *sp_regex_head(const char *s, size_t *len)
{
	*len = 0;
	if (top_level_bar(s) || s[0] != '^')
		return NULL;
	char buf[256];
	size_t k = 0, i = 1;
	while (s[i] && k < sizeof buf) {
		size_t w; /* the atom's width in s */
		char c;
		if (s[i] == '\\' && s[i + 1] && strchr(ere_meta, s[i + 1])) {
			c = s[i + 1];
			w = 2;
		} else if (!strchr(ere_meta, s[i])) {
			c = s[i];
			w = 1;
		} else {
			break; /* a metacharacter, or an escape like \w whose meaning varies */
		}
		if (s[i + w] && strchr("*+?{", s[i + w]))
			break;
		buf[k++] = c;
		i += w;
	}
	return literal_copy(buf, k, sizeof buf, false, len);
}

/* Patterns are compiled once, here, and a bad one is reported with
 * regerror's own words at the line that holds it. */
int sp_yget_regex(yd_doc *d, yaml_node_t *n, sp_regex *r)
{
	const char *s = yd_scalar(d, n, "a regular expression");
	if (!s)
		return STRATA_EINVAL;
	long at = stacked_quantifier(s);
	if (at >= 0)
		return yd_bad(d, n,
		               "write one quantifier per atom, and bounds up to {255}",
		               "invalid regular expression '%s': a repeated quantifier or a bound "
		               "over 255 at character %ld",
		               s, at + 1);
	int rc = regcomp(&r->re, s, REG_EXTENDED);
	if (rc != 0) {
		char err[256];
		regerror(rc, &r->re, err, sizeof err);
		return yd_bad(d, n, NULL, "invalid regular expression '%s': %s", s,
		               err);
	}
	r->compiled = 1;
	r->tail = sp_regex_tail(s, &r->tail_len); /* NULL (no test) also when out of memory */
	r->head = sp_regex_head(s, &r->head_len);
	r->text = strdup(s);
	return r->text ? STRATA_OK : strata_oom(d->h);
}
