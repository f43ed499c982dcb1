/* Column types from YAML (types_yaml.h): finding a row by the name a
 * revision writes, rendering a call.  libc only: the translator links it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/plugin.h" /* STRATA_PRINTF */
#include "strata/plugin_util.h" /* strata_text */
#include "types_int.h"

const char *const at_dialects[D_N] = { "postgresql", "sqlite" };

/* ------------------------------------------------------------ finding */

const at_type *at_find(const at_types *tt, const char *dotted)
{
	if (!tt || !dotted)
		return NULL;
	const char *dot = strrchr(dotted, '.');
	const char *cls = dot ? dot + 1 : dotted;
	size_t mlen = dot ? (size_t)(dot - dotted) : 0;
	for (size_t i = tt->n; i-- > 0;) { /* later files win */
		const at_type *t = tt->t[i];
		if (strcmp(t->name, cls))
			continue;
		if (!dot)
			return t;
		for (int m = 0; m < t->nmod; m++)
			if (strlen(t->modules[m]) == mlen && !memcmp(t->modules[m], dotted, mlen))
				return t;
	}
	return NULL;
}

const char *at_type_name(const at_type *t)
{
	return t->name;
}

/* ------------------------------------------------------------ rendering */

static int why_f(char *why, size_t size, const char *fmt, ...) STRATA_PRINTF(3, 4);
static int why_f(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* Python's ==, for the literals a `when` can hold (True == 1). */
static int matches(const at_val *w, const at_arg *a)
{
	if (!a || a->k == AT_NONE)
		return w->k == AT_NONE;
	switch (a->k) {
	case AT_BOOL: case AT_INT:
		return (w->k == AT_BOOL || w->k == AT_INT) && w->iv == a->iv;
	case AT_STR:
		return w->k == AT_STR && !strcmp(w->s, a->s);
	default:
		return 0; /* a type equals no literal */
	}
}

int at_render(const at_type *t, const char *dialect, const at_arg *args, int nargs,
              at_type_sql_fn type_sql, void *ud, char **out, char *why, size_t whysize)
{
	*out = NULL;
	int dia = -1;
	for (int d = 0; d < D_N; d++)
		if (dialect && !strcmp(dialect, at_dialects[d]))
			dia = d;
	if (dia < 0)
		return why_f(why, whysize, "column type %s on %s", t->name, dialect ? dialect : "no dialect");
	/* bind: each of t->args to the argument given for it, if any */
	const at_arg *bound[64] = { 0 };
	if (t->nargs > 64)
		return why_f(why, whysize, "column type %s has too many arguments", t->name);
	int pos = 0;
	for (int i = 0; i < nargs; i++) {
		const at_arg *a = &args[i];
		if (a->kw && (!strcmp(a->kw, "*") || !strcmp(a->kw, "**")))
			return why_f(why, whysize, "argument unpacking in column type %s", t->name);
		int slot = -1;
		if (!a->kw) {
			if (pos < t->nargs && !strcmp(t->args[pos], "*"))
				continue; /* swallowed by '*' */
			if (pos >= t->nargs)
				return why_f(why, whysize, "positional argument %d of column type %s", pos + 1, t->name);
			slot = pos++;
		} else {
			for (int j = 0; j < t->nargs; j++)
				if (!strcmp(t->args[j], a->kw))
					slot = j;
			if (slot < 0 || !strcmp(a->kw, "*"))
				return why_f(why, whysize, "argument %s= of column type %s", a->kw, t->name);
		}
		if (bound[slot])
			return why_f(why, whysize, "argument %s of column type %s given twice", t->args[slot], t->name);
		bound[slot] = a;
	}
	/* defaults for the arguments not given */
	at_arg defs[64];
	for (int d = 0; d < t->ndef; d++)
		for (int j = 0; j < t->nargs; j++)
			if (!bound[j] && !strcmp(t->args[j], t->defaults[d].arg)) {
				const at_val *v = &t->defaults[d].v;
				defs[j] = (at_arg){ .kw = t->args[j], .k = v->k, .iv = v->iv, .s = v->s };
				bound[j] = &defs[j];
			}
	const at_rule *r = NULL;
	for (int i = 0; i < t->nrules && !r; i++) {
		int ok = 1;
		for (int w = 0; w < t->rules[i].nwhen && ok; w++)
			for (int j = 0; j < t->nargs; j++)
				if (!strcmp(t->args[j], t->rules[i].when[w].arg))
					ok = matches(&t->rules[i].when[w].v, bound[j]);
		if (ok)
			r = &t->rules[i];
	}
	if (!r)
		return why_f(why, whysize, "arguments of column type %s (no rule of its 'sql' matches)", t->name);
	if (!r->sql[dia])
		return why_f(why, whysize, "column type %s on %s", t->name, dialect);
	strata_text b = { 0 };
	const char *s = r->sql[dia];
	while (*s) {
		const char *o = strchr(s, '{');
		if (!o) {
			strata_text_put(&b, s, strlen(s));
			break;
		}
		strata_text_put(&b, s, (size_t)(o - s));
		const char *e = strchr(o, '}'); /* checked when loaded */
		int slot = -1;
		for (int j = 0; j < t->nargs; j++)
			if (strlen(t->args[j]) == (size_t)(e - o - 1) && !memcmp(t->args[j], o + 1, (size_t)(e - o - 1)))
				slot = j;
		const at_arg *a = slot >= 0 ? bound[slot] : NULL;
		char num[32];
		if (!a || a->k == AT_NONE) {
			free(b.p);
			return why_f(why, whysize, "column type %s without its argument %.*s", t->name,
			             (int)(e - o - 1), o + 1);
		} else if (a->k == AT_INT) {
			snprintf(num, sizeof num, "%lld", a->iv);
			strata_text_put(&b, num, strlen(num));
		} else if (a->k == AT_STR) {
			strata_text_put(&b, a->s, strlen(a->s));
		} else if (a->k == AT_TYPE && type_sql) {
			char *ts = NULL;
			if (type_sql(ud, a->type, &ts, why, whysize)) {
				free(b.p);
				return -1;
			}
			strata_text_put(&b, ts, strlen(ts));
			free(ts);
		} else {
			free(b.p);
			return why_f(why, whysize, "argument %s of column type %s", t->args[slot], t->name);
		}
		s = e + 1;
	}
	if (b.oom || !b.p) {
		free(b.p);
		if (b.oom)
			return why_f(why, whysize, "out of memory");
		b.p = strdup("");
		if (!b.p)
			return why_f(why, whysize, "out of memory");
	}
	*out = b.p;
	return 0;
}
