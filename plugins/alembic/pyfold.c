/*
 * pe_fold() of pyeval.h: an expression as pyexpr.h's tree with what the
 * environment knows folded to literals, so that op.* calls reach the
 * translator with literal arguments.  A part pyeval.c knows becomes its
 * value; a call or a display is folded part by part; the rest is parsed by
 * pyexpr.c as written.
 */
#include <string.h>

#include "pyeval.h"

/* The index of the bracket that closes the one at t[o], or -1. */
static int closing(const px_tok *t, int o, int e)
{
	int depth = 0;
	for (int j = o; j < e; j++) {
		if (px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{"))
			depth++;
		else if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}"))
			if (--depth == 0)
				return j;
	}
	return -1;
}

/* A literal written as such: one number, None / True / False, strings
 * without f-strings, a negative number.  Left to pyexpr.c as written. */
static int plain_literal(const px_tok *t, int s, int e)
{
	if (e - s == 1 && (t[s].k == TK_NUM || px_is_name(&t[s], "None") || px_is_name(&t[s], "True") ||
	                   px_is_name(&t[s], "False")))
		return 1;
	if (e - s == 2 && px_is_op(&t[s], "-") && t[s + 1].k == TK_NUM)
		return 1;
	for (int j = s; j < e; j++)
		if (t[j].k != TK_STR || t[j].fstr)
			return 0;
	return e > s;
}

/* The callee part t[s..o) of a call: names, attributes, calls; no
 * operator at the top level. */
static int callee_range(const px_tok *t, int s, int o)
{
	if (o <= s || t[s].k != TK_NAME)
		return 0;
	int depth = 0;
	for (int j = s; j < o; j++) {
		if (px_is_op(&t[j], "(") || px_is_op(&t[j], "["))
			depth++;
		else if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]"))
			depth--;
		else if (!depth && t[j].k != TK_NAME && !px_is_op(&t[j], "."))
			return 0;
		else if (!depth && t[j].k == TK_NAME && j > s && !px_is_op(&t[j - 1], "."))
			return 0;
	}
	return 1;
}

static void push(pe_env *env, px *e, px *item, const char *kw, int *cap)
{
	if (e->na == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		px **a = px_alloc(env->a, (size_t)*cap * sizeof *a);
		char **k = px_alloc(env->a, (size_t)*cap * sizeof *k);
		if (e->na) {
			memcpy(a, e->a, (size_t)e->na * sizeof *a);
			memcpy(k, e->kw, (size_t)e->na * sizeof *k);
		}
		e->a = a;
		e->kw = k;
	}
	e->a[e->na] = item;
	e->kw[e->na] = kw ? px_strndup(env->a, kw, strlen(kw)) : NULL;
	e->na++;
}

/* Items of t[s..e) split at top-level commas into e (a CALL's arguments,
 * a display's items, a dict's keys and values).  0, or -1 for what is
 * left to pyexpr.c (unpacking, comprehensions). */
static int fold_items(pe_env *env, const px_tok *t, int s, int e, px *into, int call, int dict)
{
	int cap = 0, start = s, depth = 0;
	for (int j = s; j <= e; j++) {
		if (j < e) {
			if (px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{"))
				depth++;
			else if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}"))
				depth--;
			else if (!depth && (px_is_name(&t[j], "for") || px_is_name(&t[j], "lambda") ||
			                    px_is_op(&t[j], "*") || px_is_op(&t[j], "**")) && j == start)
				return -1;
			else if (!depth && px_is_name(&t[j], "for"))
				return -1;
			if (j < e && !(depth == 0 && px_is_op(&t[j], ",")))
				continue;
		}
		if (start == j) { /* a trailing comma, or nothing */
			start = j + 1;
			continue;
		}
		const char *kw = NULL;
		char name[128];
		int is = start;
		if (call && t[is].k == TK_NAME && is + 1 < j && px_is_op(&t[is + 1], "=") &&
		    t[is].n < sizeof name) {
			memcpy(name, t[is].p, t[is].n);
			name[t[is].n] = 0;
			kw = name;
			is += 2;
		}
		if (dict) {
			int colon = -1, d2 = 0;
			for (int q = is; q < j && colon < 0; q++) {
				if (px_is_op(&t[q], "(") || px_is_op(&t[q], "[") || px_is_op(&t[q], "{"))
					d2++;
				else if (px_is_op(&t[q], ")") || px_is_op(&t[q], "]") || px_is_op(&t[q], "}"))
					d2--;
				else if (!d2 && px_is_op(&t[q], ":"))
					colon = q;
			}
			if (colon < 0)
				return -1;
			push(env, into, pe_fold(env, t, is, colon), NULL, &cap);
			push(env, into, pe_fold(env, t, colon + 1, j), NULL, &cap);
		} else {
			push(env, into, pe_fold(env, t, is, j), kw, &cap);
		}
		start = j + 1;
	}
	return 0;
}

px *pe_fold(pe_env *env, const px_tok *t, int s, int e)
{
	int line = s < e ? t[s].line : 0;
	if (s >= e || plain_literal(t, s, e)) {
		int i = s;
		return px_parse_expr(env->a, t, &i, e);
	}
	pe_val *v = pe_eval(env, t, s, e);
	if (v->k != PE_UNKNOWN) {
		px *x = pe_to_px(env, v, line);
		if (x)
			return x;
	}
	if (v->k == PE_TEXT) { /* a name bound to sa.text("..."): the call */
		px *c = px_alloc(env->a, sizeof *c), *at = px_alloc(env->a, sizeof *at);
		px *sa = px_alloc(env->a, sizeof *sa), *str = px_alloc(env->a, sizeof *str);
		*sa = (px){ .k = PX_NAME, .line = line, .s = px_strndup(env->a, "sa", 2), .n = 2 };
		*at = (px){ .k = PX_ATTR, .line = line, .s = px_strndup(env->a, "text", 4), .n = 4, .obj = sa };
		*str = (px){ .k = PX_STR, .line = line, .s = v->s, .n = v->n };
		*c = (px){ .k = PX_CALL, .line = line, .obj = at, .na = 1 };
		c->a = px_alloc(env->a, sizeof *c->a);
		c->kw = px_alloc(env->a, sizeof *c->kw);
		c->a[0] = str;
		return c;
	}
	/* `A if C else B` with C known: the branch Python takes, folded
	 * (`sa.Integer() if op.get_context().dialect.name == "sqlite" else
	 * sa.BigInteger()`); neither A nor C can hold a bare conditional */
	int cif = -1, celse = -1;
	for (int j = s, depth = 0; j < e && celse < 0; j++) {
		if (px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{"))
			depth++;
		else if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}"))
			depth--;
		else if (!depth && px_is_name(&t[j], "lambda"))
			break;
		else if (!depth && cif < 0 && px_is_name(&t[j], "if"))
			cif = j;
		else if (!depth && cif >= 0 && px_is_name(&t[j], "else"))
			celse = j;
	}
	if (cif > s && celse > cif + 1 && celse + 1 < e) {
		int truth = pe_truth(pe_eval(env, t, cif + 1, celse));
		if (truth >= 0)
			return truth ? pe_fold(env, t, s, cif) : pe_fold(env, t, celse + 1, e);
	}
	/* a call, a display: fold the parts */
	int close = closing(t, s, e);
	if ((px_is_op(&t[s], "(") || px_is_op(&t[s], "[") || px_is_op(&t[s], "{")) && close == e - 1) {
		px *d = px_alloc(env->a, sizeof *d);
		d->line = line;
		d->k = px_is_op(&t[s], "(") ? PX_TUPLE : px_is_op(&t[s], "[") ? PX_LIST : PX_DICT;
		int commas = 0;
		for (int j = s + 1, depth = 0; j < e - 1; j++) {
			if (px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{"))
				depth++;
			else if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}"))
				depth--;
			else if (!depth && px_is_op(&t[j], ","))
				commas++;
		}
		if (d->k == PX_TUPLE && !commas && e - s > 2)
			return pe_fold(env, t, s + 1, e - 1);
		if (!fold_items(env, t, s + 1, e - 1, d, 0, d->k == PX_DICT))
			return d;
	} else if (px_is_op(&t[e - 1], ")")) {
		int depth = 0, o = -1;
		for (int j = e - 1; j >= s; j--) {
			if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}"))
				depth++;
			else if ((px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{")) &&
			         --depth == 0) {
				o = j;
				break;
			}
		}
		if (o > s && callee_range(t, s, o)) {
			int i = s;
			px *callee = px_parse_expr(env->a, t, &i, o);
			if (i == o) {
				px *c = px_alloc(env->a, sizeof *c);
				c->k = PX_CALL;
				c->line = callee->line;
				c->obj = callee;
				if (!fold_items(env, t, o + 1, e - 1, c, 1, 0))
					return c;
			}
		}
	}
	int i = s;
	px *x = px_parse_expr(env->a, t, &i, e);
	if (i != e || x->k == PX_OTHER || (x->k == PX_STR && x->fstr)) {
		px *o = px_alloc(env->a, sizeof *o);
		o->k = PX_OTHER;
		o->line = v->k == PE_UNKNOWN && v->line ? v->line : line;
		o->s = v->k == PE_UNKNOWN ? v->s : px_strndup(env->a, "unsupported expression", 22);
		o->n = strlen(o->s);
		return o;
	}
	return x;
}
