/*
 * The evaluator of pyeval.h: recursive descent over pyexpr.c's tokens in
 * Python's precedence order (ternary, or, and, not, comparison, + -,
 * * // %, unary, postfix), computing values as it parses.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyeval.h"

/* ------------------------------------------------------------ values */

pe_val *pe_new(pe_env *env, pe_kind k, int line)
{
	pe_val *v = px_alloc(env->a, sizeof *v);
	v->k = k;
	v->line = line;
	return v;
}

pe_val *pe_strval(pe_env *env, const char *s, size_t n, int line)
{
	pe_val *v = pe_new(env, PE_STR, line);
	v->s = px_strndup(env->a, s, n);
	v->n = n;
	return v;
}

pe_val *pe_unknown(pe_env *env, int line, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pe_val *v = pe_strval(env, buf, strlen(buf), line);
	v->k = PE_UNKNOWN;
	return v;
}

static pe_val *boolval(pe_env *env, int b, int line)
{
	pe_val *v = pe_new(env, PE_BOOL, line);
	v->i = b != 0;
	return v;
}

static pe_val *intval(pe_env *env, long long i, int line)
{
	pe_val *v = pe_new(env, PE_INT, line);
	v->i = i;
	return v;
}

/* ------------------------------------------------------- environment */

void pe_env_init(pe_env *env, px_arena *a, const char *dialect)
{
	memset(env, 0, sizeof *env);
	env->a = a;
	env->dialect = dialect;
	env->scope = px_alloc(a, sizeof *env->scope);
}

void pe_bind(pe_env *env, const char *name, pe_val *v)
{
	pe_binding *b = px_alloc(env->a, sizeof *b);
	b->name = px_strndup(env->a, name, strlen(name));
	b->v = v;
	b->next = env->scope->b;
	env->scope->b = b;
}

void pe_push(pe_env *env)
{
	pe_scope *s = px_alloc(env->a, sizeof *s);
	s->up = env->scope;
	env->scope = s;
}

void pe_pop(pe_env *env)
{
	if (env->scope->up)
		env->scope = env->scope->up;
}

static pe_val *find(const pe_binding *b, const char *name)
{
	for (; b; b = b->next)
		if (!strcmp(b->name, name))
			return b->v;
	return NULL;
}

pe_val *pe_lookup(const pe_env *env, const char *name)
{
	pe_val *v = find(env->scope->b, name);
	if (v)
		return v;
	const pe_scope *m = env->scope;
	while (m->up)
		m = m->up;
	return m != env->scope ? find(m->b, name) : NULL;
}

/* A value written as YAML / Python literal text (pe_assume()'s rule). */
static pe_val *literal_text(pe_env *env, const char *text, int line)
{
	pe_val *v;
	char *end = NULL;
	if (!strcmp(text, "true") || !strcmp(text, "True"))
		v = boolval(env, 1, line);
	else if (!strcmp(text, "false") || !strcmp(text, "False"))
		v = boolval(env, 0, line);
	else if (!strcmp(text, "null") || !strcmp(text, "None") || !strcmp(text, "~"))
		v = pe_new(env, PE_NONE, line);
	else {
		long long i = *text ? strtoll(text, &end, 10) : 0;
		if (*text && !*end) {
			v = intval(env, i, line);
		} else {
			double f = *text ? strtod(text, &end) : 0;
			if (*text && !*end && strspn(text, "0123456789.eE+-") == strlen(text)) {
				v = pe_new(env, PE_FLOAT, line);
				v->f = f;
			} else {
				v = pe_strval(env, text, strlen(text), line);
			}
		}
	}
	return v;
}

void pe_assume(pe_env *env, const char *dotted, const char *text)
{
	pe_val *v;
	int opt = !strncmp(dotted, "get_main_option.", 16);
	if (opt && (!strcmp(text, "null") || !strcmp(text, "None") || !strcmp(text, "~")))
		v = pe_new(env, PE_NONE, 0);
	else if (opt && !strcmp(text, "\x7f")) /* ini.c: a value of several lines */
		v = pe_unknown(env, 0, "alembic.ini option %s of several lines", dotted + 16);
	else if (opt)
		v = pe_strval(env, text, strlen(text), 0);
	else
		v = literal_text(env, text, 0);
	pe_binding *b = px_alloc(env->a, sizeof *b);
	char *name = px_strndup(env->a, dotted, strlen(dotted));
	for (char *c = name + 16; opt && *c; c++) /* configparser's keys are lower-case */
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	b->name = name;
	b->v = v;
	b->next = env->assume;
	env->assume = b;
}

/* ------------------------------------------------------ str and repr */

typedef struct sbuf {
	px_arena *a;
	char *p;
	size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = px_alloc(b->a, cap);
		if (b->n)
			memcpy(p, b->p, b->n);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_puts(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* repr(float) as Python writes it: the shortest text that reads back. */
static void float_text(sbuf *b, double f)
{
	char tmp[64];
	if (isnan(f)) {
		sb_puts(b, "nan");
		return;
	}
	if (isinf(f)) {
		sb_puts(b, f < 0 ? "-inf" : "inf");
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*g", p, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	sb_puts(b, tmp);
	if (!strpbrk(tmp, ".en"))
		sb_puts(b, ".0");
}

static int repr_to(sbuf *b, const pe_val *v);

/* str(v); 0, or -1 when v has no known text. */
static int str_to(sbuf *b, const pe_val *v)
{
	if (v->k == PE_STR) {
		sb_put(b, v->s, v->n);
		return 0;
	}
	return repr_to(b, v);
}

static int repr_to(sbuf *b, const pe_val *v)
{
	char tmp[32];
	switch (v->k) {
	case PE_NONE:
		sb_puts(b, "None");
		return 0;
	case PE_BOOL:
		sb_puts(b, v->i ? "True" : "False");
		return 0;
	case PE_INT:
		snprintf(tmp, sizeof tmp, "%lld", v->i);
		sb_puts(b, tmp);
		return 0;
	case PE_FLOAT:
		float_text(b, v->f);
		return 0;
	case PE_STR: {
		/* Python's quote choice; only printable ASCII is modelled */
		char q = memchr(v->s, '\'', v->n) && !memchr(v->s, '"', v->n) ? '"' : '\'';
		sb_put(b, &q, 1);
		for (size_t j = 0; j < v->n; j++) {
			unsigned char c = (unsigned char)v->s[j];
			if (c < 0x20 || c >= 0x7f) {
				if (c == '\n')
					sb_puts(b, "\\n");
				else if (c == '\t')
					sb_puts(b, "\\t");
				else if (c == '\r')
					sb_puts(b, "\\r");
				else
					return -1;
				continue;
			}
			if (c == '\\' || c == (unsigned char)q)
				sb_put(b, "\\", 1);
			sb_put(b, (const char *)&v->s[j], 1);
		}
		sb_put(b, &q, 1);
		return 0;
	}
	case PE_TUPLE:
	case PE_LIST:
		sb_puts(b, v->k == PE_TUPLE ? "(" : "[");
		for (int j = 0; j < v->nitems; j++) {
			if (j)
				sb_puts(b, ", ");
			if (repr_to(b, v->items[j]))
				return -1;
		}
		if (v->k == PE_TUPLE && v->nitems == 1)
			sb_puts(b, ",");
		sb_puts(b, v->k == PE_TUPLE ? ")" : "]");
		return 0;
	case PE_DICT:
		sb_puts(b, "{");
		for (int j = 0; j < v->nitems; j++) {
			if (j)
				sb_puts(b, ", ");
			if (repr_to(b, v->items[j]))
				return -1;
			sb_puts(b, ": ");
			if (repr_to(b, v->vals[j]))
				return -1;
		}
		sb_puts(b, "}");
		return 0;
	default:
		return -1;
	}
}

char *pe_str(pe_env *env, const pe_val *v)
{
	sbuf b = { env->a, NULL, 0, 0 };
	sb_put(&b, "", 0);
	return str_to(&b, v) ? NULL : b.p;
}

char *pe_repr(pe_env *env, const pe_val *v)
{
	sbuf b = { env->a, NULL, 0, 0 };
	sb_put(&b, "", 0);
	return repr_to(&b, v) ? NULL : b.p;
}

int pe_truth(const pe_val *v)
{
	switch (v->k) {
	case PE_NONE:
		return 0;
	case PE_BOOL:
	case PE_INT:
		return v->i != 0;
	case PE_FLOAT:
		return v->f != 0;
	case PE_STR:
		return v->n != 0;
	case PE_TUPLE:
	case PE_LIST:
	case PE_DICT:
		return v->nitems != 0;
	case PE_UNKNOWN:
		return -1;
	default:
		return 1; /* objects are true */
	}
}

px *pe_to_px(pe_env *env, const pe_val *v, int line)
{
	px *e = px_alloc(env->a, sizeof *e);
	e->line = line;
	char tmp[32];
	switch (v->k) {
	case PE_EXPR:
		return v->expr;
	case PE_NONE:
		e->k = PX_NONE;
		return e;
	case PE_BOOL:
		e->k = PX_BOOL;
		e->iv = v->i;
		return e;
	case PE_INT:
		e->k = PX_INT;
		e->iv = v->i;
		snprintf(tmp, sizeof tmp, "%lld", v->i);
		e->s = px_strndup(env->a, tmp, strlen(tmp));
		e->n = strlen(tmp);
		return e;
	case PE_FLOAT:
		e->k = PX_FLOAT;
		e->fv = v->f;
		e->s = pe_repr(env, v);
		e->n = strlen(e->s);
		return e;
	case PE_STR:
		e->k = PX_STR;
		e->s = px_strndup(env->a, v->s, v->n);
		e->n = v->n;
		return e;
	case PE_TEXT: { /* sa.text("..."): the call, as written */
		px *sa = px_alloc(env->a, sizeof *sa), *at = px_alloc(env->a, sizeof *at);
		px *str = px_alloc(env->a, sizeof *str);
		*sa = (px){ .k = PX_NAME, .line = line, .s = px_strndup(env->a, "sa", 2), .n = 2 };
		*at = (px){ .k = PX_ATTR, .line = line, .s = px_strndup(env->a, "text", 4), .n = 4, .obj = sa };
		*str = (px){ .k = PX_STR, .line = line, .s = v->s, .n = v->n };
		*e = (px){ .k = PX_CALL, .line = line, .obj = at, .na = 1 };
		e->a = px_alloc(env->a, sizeof *e->a);
		e->kw = px_alloc(env->a, sizeof *e->kw);
		e->a[0] = str;
		return e;
	}
	case PE_TUPLE:
	case PE_LIST:
		e->k = v->k == PE_TUPLE ? PX_TUPLE : PX_LIST;
		e->na = v->nitems;
		e->a = px_alloc(env->a, (size_t)(v->nitems + 1) * sizeof *e->a);
		e->kw = px_alloc(env->a, (size_t)(v->nitems + 1) * sizeof *e->kw);
		for (int j = 0; j < v->nitems; j++)
			if (!(e->a[j] = pe_to_px(env, v->items[j], line)))
				return NULL;
		return e;
	case PE_DICT: /* key, value, key, value... */
		e->k = PX_DICT;
		e->na = 2 * v->nitems;
		e->a = px_alloc(env->a, (size_t)(e->na + 1) * sizeof *e->a);
		e->kw = px_alloc(env->a, (size_t)(e->na + 1) * sizeof *e->kw);
		for (int j = 0; j < v->nitems; j++)
			if (!(e->a[2 * j] = pe_to_px(env, v->items[j], line)) ||
			    !(e->a[2 * j + 1] = pe_to_px(env, v->vals[j], line)))
				return NULL;
		return e;
	default:
		return NULL;
	}
}

/* ----------------------------------------------------------- parsing */

typedef struct P {
	pe_env *env;
	const px_tok *t;
	int i, end;
} P;

static pe_val *ternary(P *p);

static int at_op(const P *p, const char *op)
{
	return p->i < p->end && px_is_op(&p->t[p->i], op);
}

static int at_name(const P *p, const char *name)
{
	return p->i < p->end && px_is_name(&p->t[p->i], name);
}

static int line_of(const P *p)
{
	return p->i < p->end ? p->t[p->i].line : (p->i > 0 ? p->t[p->i - 1].line : 0);
}

/* Skips to the bracket that closes the one just passed. */
static void skip_close(P *p)
{
	int depth = 1;
	while (p->i < p->end && depth) {
		const px_tok *k = &p->t[p->i];
		if (px_is_op(k, "(") || px_is_op(k, "[") || px_is_op(k, "{"))
			depth++;
		else if (px_is_op(k, ")") || px_is_op(k, "]") || px_is_op(k, "}"))
			depth--;
		p->i++;
	}
}

static pe_val *first_unknown(pe_val *a, pe_val *b)
{
	return a->k == PE_UNKNOWN ? a : b;
}

/* Evaluates text (an f-string field) in the same environment. */
static pe_val *eval_text(pe_env *env, const char *s, size_t n, int line)
{
	px_toks tk;
	char err[128];
	int el = 0;
	if (px_tokenize(env->a, s, n, &tk, err, sizeof err, &el))
		return pe_unknown(env, line, "f-string field {%.*s}", (int)n, s);
	int e = 0;
	while (e < tk.n && tk.t[e].k != TK_NL && tk.t[e].k != TK_EOF)
		e++;
	for (int j = 0; j < e; j++)
		((px_tok *)tk.t)[j].line = line;
	return pe_eval(env, tk.t, 0, e);
}

/* One f-string token's decoded text with its {fields} replaced. */
static pe_val *fstring(pe_env *env, sbuf *b, const char *s, size_t n, int line)
{
	for (size_t j = 0; j < n; j++) {
		if (s[j] == '}' ) {
			if (j + 1 < n && s[j + 1] == '}')
				j++;
			sb_put(b, "}", 1);
			continue;
		}
		if (s[j] != '{') {
			sb_put(b, &s[j], 1);
			continue;
		}
		if (j + 1 < n && s[j + 1] == '{') {
			sb_put(b, "{", 1);
			j++;
			continue;
		}
		/* the field: up to the '}' / '!' / ':' outside brackets and quotes */
		size_t k = j + 1, stop = 0;
		int depth = 0;
		char q = 0;
		for (; k < n; k++) {
			char c = s[k];
			if (q) {
				if (c == q)
					q = 0;
			} else if (c == '\'' || c == '"') {
				q = c;
			} else if (c == '(' || c == '[' || c == '{') {
				depth++;
			} else if ((c == ')' || c == ']' || c == '}') && depth) {
				depth--;
			} else if (!depth && (c == '}' || c == ':' || (c == '!' && k + 1 < n && s[k + 1] != '='))) {
				stop = k;
				break;
			}
		}
		if (!stop)
			return pe_unknown(env, line, "f-string field");
		const char *fe = s + j + 1;
		size_t fn = stop - j - 1;
		if (fn && fe[fn - 1] == '=')
			return pe_unknown(env, line, "f-string field {%.*s}", (int)fn, fe);
		pe_val *v = eval_text(env, fe, fn, line);
		if (v->k == PE_UNKNOWN)
			return v;
		int repr = 0;
		if (s[stop] == '!') {
			if (stop + 2 < n && (s[stop + 1] == 'r' || s[stop + 1] == 's') && s[stop + 2] == '}') {
				repr = s[stop + 1] == 'r';
				stop += 2;
			} else {
				return pe_unknown(env, line, "f-string conversion in {%.*s}", (int)fn, fe);
			}
		}
		if (s[stop] == ':')
			return pe_unknown(env, line, "format spec in f-string field {%.*s}", (int)fn, fe);
		if (repr ? repr_to(b, v) : str_to(b, v))
			return pe_unknown(env, line, "f-string field {%.*s}", (int)fn, fe);
		j = stop;
	}
	return NULL;
}

/* Adjacent string tokens, f-strings among them. */
static pe_val *strings(P *p)
{
	pe_env *env = p->env;
	int line = p->t[p->i].line;
	sbuf b = { env->a, NULL, 0, 0 };
	sb_put(&b, "", 0);
	pe_val *bad = NULL;
	while (p->i < p->end && p->t[p->i].k == TK_STR) {
		const px_tok *k = &p->t[p->i++];
		if (bad)
			continue;
		if (k->bytes)
			bad = pe_unknown(env, k->line, "bytes literal");
		else if (k->named_escape)
			bad = pe_unknown(env, k->line, "\\N{...} escape in a string");
		else if (k->fstr)
			bad = fstring(env, &b, k->val, k->vlen, k->line);
		else
			sb_put(&b, k->val, k->vlen);
	}
	return bad ? bad : pe_strval(env, b.p, b.n, line);
}

/* A number token, with pyexpr.c's rules (via its parser). */
static pe_val *number(P *p)
{
	pe_env *env = p->env;
	int i = p->i;
	px *x = px_parse_expr(env->a, p->t, &i, p->i + 1);
	int line = p->t[p->i].line;
	p->i++;
	if (x->k == PX_INT)
		return intval(env, x->iv, line);
	if (x->k == PX_FLOAT) {
		pe_val *v = pe_new(env, PE_FLOAT, line);
		v->f = x->fv;
		return v;
	}
	return pe_unknown(env, line, "%s", x->s ? x->s : "number");
}

/* ( ... ), [ ... ]: a parenthesized expression, a tuple or a list. */
static pe_val *display(P *p, int list)
{
	pe_env *env = p->env;
	int line = p->t[p->i].line;
	const char *close = list ? "]" : ")";
	p->i++;
	pe_val *v = pe_new(env, list ? PE_LIST : PE_TUPLE, line);
	int cap = 0, comma = 0;
	pe_val *bad = NULL;
	while (p->i < p->end && !at_op(p, close)) {
		if (at_op(p, "*") || at_name(p, "for") || at_name(p, "yield")) {
			bad = pe_unknown(env, line, at_op(p, "*") ? "unpacking in a display" : "comprehension");
			skip_close(p);
			return bad;
		}
		pe_val *x = ternary(p);
		if (at_name(p, "for")) {
			skip_close(p);
			return pe_unknown(env, line, "comprehension");
		}
		if (x->k == PE_UNKNOWN && !bad)
			bad = x;
		if (v->nitems == cap) {
			cap = cap ? cap * 2 : 4;
			pe_val **it = px_alloc(env->a, (size_t)cap * sizeof *it);
			if (v->nitems)
				memcpy(it, v->items, (size_t)v->nitems * sizeof *it);
			v->items = it;
		}
		v->items[v->nitems++] = x;
		if (!at_op(p, ","))
			break;
		comma = 1;
		p->i++;
	}
	if (!at_op(p, close)) {
		skip_close(p);
		return pe_unknown(env, line, "unsupported expression");
	}
	p->i++;
	if (bad)
		return bad;
	if (!list && v->nitems == 1 && !comma)
		return v->items[0];
	return v;
}

static int equal(const pe_val *l, const pe_val *r);

/* {k: v, ...} past "{": a PE_DICT when every key is a known string,
 * integer, boolean or None and every value is known; a set display is not
 * known (the order Python walks a set of strings in changes with the hash
 * seed from run to run). */
static pe_val *dict_display(P *p)
{
	pe_env *env = p->env;
	int line = p->t[p->i].line;
	p->i++;
	pe_val *v = pe_new(env, PE_DICT, line);
	int cap = 0;
	pe_val *bad = NULL;
	while (p->i < p->end && !at_op(p, "}")) {
		if (at_op(p, "*") || at_op(p, "**")) {
			skip_close(p);
			return pe_unknown(env, line, "unpacking in a dict or set display");
		}
		pe_val *k = ternary(p);
		if (at_name(p, "for")) {
			skip_close(p);
			return pe_unknown(env, line, "comprehension");
		}
		if (!at_op(p, ":")) {
			skip_close(p);
			return pe_unknown(env, line, "set display (the order of a set changes with Python's hash "
			                  "seed)");
		}
		p->i++;
		pe_val *x = ternary(p);
		if (at_name(p, "for")) {
			skip_close(p);
			return pe_unknown(env, line, "comprehension");
		}
		if (!bad && (k->k == PE_UNKNOWN || x->k == PE_UNKNOWN))
			bad = k->k == PE_UNKNOWN ? k : x;
		if (!bad && k->k != PE_STR && k->k != PE_INT && k->k != PE_BOOL && k->k != PE_NONE)
			bad = pe_unknown(env, line, "dict key that is not a string, integer, bool or None");
		int at = -1;
		for (int j = 0; !bad && j < v->nitems && at < 0; j++)
			if (equal(v->items[j], k) == 1)
				at = j; /* the first key's place, the last value */
		if (at >= 0) {
			v->vals[at] = x;
		} else {
			if (v->nitems == cap) {
				cap = cap ? cap * 2 : 4;
				pe_val **it = px_alloc(env->a, (size_t)cap * sizeof *it);
				pe_val **vl = px_alloc(env->a, (size_t)cap * sizeof *vl);
				if (v->nitems) {
					memcpy(it, v->items, (size_t)v->nitems * sizeof *it);
					memcpy(vl, v->vals, (size_t)v->nitems * sizeof *vl);
				}
				v->items = it;
				v->vals = vl;
			}
			v->items[v->nitems] = k;
			v->vals[v->nitems++] = x;
		}
		if (!at_op(p, ","))
			break;
		p->i++;
	}
	if (!at_op(p, "}")) {
		skip_close(p);
		return pe_unknown(env, line, "unsupported expression");
	}
	p->i++;
	return bad ? bad : v;
}

/* A call's arguments, evaluated: pos[npos], kw names / values[nkw]. */
typedef pe_args args;

static void call_args(P *p, args *a)
{
	pe_env *env = p->env;
	int line = line_of(p);
	int cap = 0;
	memset(a, 0, sizeof *a);
	/* past "(" */
	while (p->i < p->end && !at_op(p, ")")) {
		const char *kw = NULL;
		if (at_op(p, "*") || at_op(p, "**")) {
			a->bad = pe_unknown(env, line, "argument unpacking");
			skip_close(p);
			return;
		}
		if (p->i + 1 < p->end && p->t[p->i].k == TK_NAME && px_is_op(&p->t[p->i + 1], "=")) {
			kw = px_strndup(env->a, p->t[p->i].p, p->t[p->i].n);
			p->i += 2;
		}
		pe_val *x = ternary(p);
		if (x->k == PE_UNKNOWN && !a->bad)
			a->bad = x;
		if (a->npos + a->nkw == cap) {
			cap = cap ? cap * 2 : 4;
			pe_val **np = px_alloc(env->a, (size_t)cap * sizeof *np);
			pe_val **nk = px_alloc(env->a, (size_t)cap * sizeof *nk);
			const char **nn = px_alloc(env->a, (size_t)cap * sizeof *nn);
			if (a->npos)
				memcpy(np, a->pos, (size_t)a->npos * sizeof *np);
			if (a->nkw) {
				memcpy(nk, a->kwv, (size_t)a->nkw * sizeof *nk);
				memcpy(nn, a->kw, (size_t)a->nkw * sizeof *nn);
			}
			a->pos = np;
			a->kwv = nk;
			a->kw = nn;
		}
		if (kw) {
			a->kw[a->nkw] = kw;
			a->kwv[a->nkw++] = x;
		} else {
			a->pos[a->npos++] = x;
		}
		if (!at_op(p, ","))
			break;
		p->i++;
	}
	if (!at_op(p, ")")) {
		skip_close(p);
		if (!a->bad)
			a->bad = pe_unknown(env, line, "unsupported expression");
		return;
	}
	p->i++;
}

/* "...".format(...): {} {0} {name}, {{ }}, !r / !s. */
static pe_val *format_method(pe_env *env, const pe_val *fmt, const args *a, int line)
{
	sbuf b = { env->a, NULL, 0, 0 };
	sb_put(&b, "", 0);
	int next = 0;
	const char *s = fmt->s;
	size_t n = fmt->n;
	for (size_t j = 0; j < n; j++) {
		if (s[j] == '}') {
			if (j + 1 < n && s[j + 1] == '}')
				j++;
			sb_put(&b, "}", 1);
			continue;
		}
		if (s[j] != '{') {
			sb_put(&b, &s[j], 1);
			continue;
		}
		if (j + 1 < n && s[j + 1] == '{') {
			sb_put(&b, "{", 1);
			j++;
			continue;
		}
		size_t k = j + 1;
		while (k < n && s[k] != '}' && s[k] != '!' && s[k] != ':')
			k++;
		if (k >= n)
			return pe_unknown(env, line, "str.format() field");
		const char *f = s + j + 1;
		size_t fl = k - j - 1;
		const pe_val *v = NULL;
		if (!fl) {
			v = next < a->npos ? a->pos[next++] : NULL;
		} else if (strspn(f, "0123456789") >= fl) {
			int ix = atoi(f);
			v = ix < a->npos ? a->pos[ix] : NULL;
		} else {
			for (int q = 0; q < a->nkw; q++)
				if (strlen(a->kw[q]) == fl && !strncmp(a->kw[q], f, fl))
					v = a->kwv[q];
		}
		if (!v)
			return pe_unknown(env, line, "str.format() field {%.*s}", (int)fl, f);
		int repr = 0;
		if (s[k] == '!') {
			if (k + 2 < n && (s[k + 1] == 'r' || s[k + 1] == 's') && s[k + 2] == '}') {
				repr = s[k + 1] == 'r';
				k += 2;
			} else {
				return pe_unknown(env, line, "str.format() conversion in {%.*s}", (int)fl, f);
			}
		}
		if (s[k] == ':')
			return pe_unknown(env, line, "format spec in str.format() field {%.*s}", (int)fl, f);
		if (repr ? repr_to(&b, v) : str_to(&b, v))
			return pe_unknown(env, line, "str.format() field {%.*s}", (int)fl, f);
		j = k;
	}
	return pe_strval(env, b.p, b.n, line);
}

/* "..." % value: %s %r %d %i %%, no flags or widths. */
static pe_val *percent_format(pe_env *env, const pe_val *fmt, const pe_val *rhs, int line)
{
	sbuf b = { env->a, NULL, 0, 0 };
	sb_put(&b, "", 0);
	pe_val *const *items = (pe_val *const *)&rhs;
	int nitems = 1, next = 0;
	if (rhs->k == PE_TUPLE) {
		items = rhs->items;
		nitems = rhs->nitems;
	}
	for (size_t j = 0; j < fmt->n; j++) {
		char c = fmt->s[j];
		if (c != '%') {
			sb_put(&b, &c, 1);
			continue;
		}
		char d = j + 1 < fmt->n ? fmt->s[j + 1] : 0;
		j++;
		if (d == '%') {
			sb_put(&b, "%", 1);
			continue;
		}
		if (d != 's' && d != 'r' && d != 'd' && d != 'i')
			return pe_unknown(env, line, "%%-format %%%c", d ? d : ' ');
		if (next >= nitems)
			return pe_unknown(env, line, "not enough arguments for format string");
		const pe_val *v = items[next++];
		if (d == 'd' || d == 'i') {
			char tmp[32];
			if (v->k == PE_INT || v->k == PE_BOOL)
				snprintf(tmp, sizeof tmp, "%lld", v->i);
			else if (v->k == PE_FLOAT && v->f < 9e18 && v->f > -9e18)
				snprintf(tmp, sizeof tmp, "%lld", (long long)v->f);
			else
				return pe_unknown(env, line, "%%d format of a non-number");
			sb_puts(&b, tmp);
		} else if (d == 'r' ? repr_to(&b, v) : str_to(&b, v)) {
			return pe_unknown(env, line, "%%-format argument");
		}
	}
	if (next < nitems)
		return pe_unknown(env, line, "not all arguments converted during string formatting");
	return pe_strval(env, b.p, b.n, line);
}

/* What SQLAlchemy 1.4's MockConnection (sqlalchemy/engine/mock.py), the
 * bind of Alembic's offline run, has; anything else raises AttributeError. */
static const char *const mock_attrs[] = { "engine", "dialect", "name", "connect", "execution_options",
	                                  "compiler", "execute", "schema_for_object", NULL };

static int mock_has(const char *name)
{
	for (int j = 0; mock_attrs[j]; j++)
		if (!strcmp(mock_attrs[j], name))
			return 1;
	return 0;
}

static pe_val *mock_lacks(pe_env *env, const char *name, int line)
{
	return pe_unknown(env, line, PE_RAISES " '%s' (op.get_bind() is a mock connection in Alembic's "
	                  "offline mode)", name);
}

/* str.split(sep=None, maxsplit=-1), as Python splits. */
static pe_val *split_method(pe_env *env, const pe_val *obj, const args *a, int line)
{
	const pe_val *sep = a->npos > 0 ? a->pos[0] : NULL, *max = a->npos > 1 ? a->pos[1] : NULL;
	for (int q = 0; q < a->nkw; q++) {
		if (!strcmp(a->kw[q], "sep") && !sep)
			sep = a->kwv[q];
		else if (!strcmp(a->kw[q], "maxsplit") && !max)
			max = a->kwv[q];
		else
			return pe_unknown(env, line, "str.split() argument %s=", a->kw[q]);
	}
	if (a->npos > 2 || (sep && sep->k != PE_STR && sep->k != PE_NONE) ||
	    (max && max->k != PE_INT) || (sep && sep->k == PE_STR && !sep->n))
		return pe_unknown(env, line, "str.split() arguments");
	long long left = max ? max->i : -1;
	pe_val *v = pe_new(env, PE_LIST, line);
	v->items = px_alloc(env->a, (obj->n + 2) * sizeof *v->items);
	const char *p = obj->s, *end = obj->s + obj->n;
	if (sep && sep->k == PE_STR) {
		for (;;) {
			const char *hit = NULL;
			for (const char *q = p; left != 0 && q + sep->n <= end && !hit; q++)
				if (!memcmp(q, sep->s, sep->n))
					hit = q;
			if (!hit) {
				v->items[v->nitems++] = pe_strval(env, p, (size_t)(end - p), line);
				return v;
			}
			v->items[v->nitems++] = pe_strval(env, p, (size_t)(hit - p), line);
			p = hit + sep->n;
			left--;
		}
	}
	/* runs of ASCII whitespace; no empty strings */
	for (;;) {
		while (p < end && strchr(" \t\n\r\f\v", *p))
			p++;
		if (p == end)
			return v;
		const char *q = p;
		if (left == 0)
			q = end;
		while (q < end && !strchr(" \t\n\r\f\v", *q))
			q++;
		if (left == 0) {
			while (q > p && strchr(" \t\n\r\f\v", q[-1]))
				q--;
		}
		v->items[v->nitems++] = pe_strval(env, p, (size_t)(q - p), line);
		p = q;
		left--;
	}
}

/* A method call on a known value. */
static pe_val *method(pe_env *env, pe_val *obj, const char *name, const args *a, int line)
{
	if (obj->k == PE_OP && !a->npos && !a->nkw &&
	    (!strcmp(name, "get_bind") || !strcmp(name, "get_context")))
		return pe_new(env, name[4] == 'b' ? PE_BIND : PE_CONTEXT, line);
	if (obj->k == PE_CONFIG && !strcmp(name, "get_main_option") && a->npos >= 1 && a->npos <= 2 &&
	    !a->nkw && a->pos[0]->k == PE_STR) {
		/* the [alembic] option of the alembic.ini in use, else the default */
		char key[300];
		snprintf(key, sizeof key, "get_main_option.%s", a->pos[0]->s);
		for (char *c = key + 16; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + 32);
		pe_val *v = find(env->assume, key);
		if (v && v->k != PE_NONE)
			return v;
		return a->npos == 2 ? a->pos[1] : pe_new(env, PE_NONE, line);
	}
	if (obj->k == PE_STR && !strcmp(name, "split"))
		return split_method(env, obj, a, line);
	if (obj->k == PE_STR && !strcmp(name, "replace") && (a->npos == 2 || a->npos == 3) && !a->nkw &&
	    a->pos[0]->k == PE_STR && a->pos[1]->k == PE_STR && a->pos[0]->n &&
	    (a->npos == 2 || a->pos[2]->k == PE_INT)) {
		/* str.replace(old, new[, count]) */
		const pe_val *o = a->pos[0], *w = a->pos[1];
		long long left = a->npos == 3 ? a->pos[2]->i : -1;
		sbuf b = { env->a, NULL, 0, 0 };
		sb_put(&b, "", 0);
		for (size_t j = 0; j < obj->n;) {
			if (left != 0 && j + o->n <= obj->n && !memcmp(obj->s + j, o->s, o->n)) {
				sb_put(&b, w->s, w->n);
				j += o->n;
				left--;
			} else {
				sb_put(&b, obj->s + j, 1);
				j++;
			}
		}
		return pe_strval(env, b.p, b.n, line);
	}
	if (obj->k == PE_STR) {
		if (!strcmp(name, "format"))
			return format_method(env, obj, a, line);
		if ((!strcmp(name, "upper") || !strcmp(name, "lower")) && !a->npos && !a->nkw) {
			pe_val *v = pe_strval(env, obj->s, obj->n, line);
			for (size_t j = 0; j < v->n; j++)
				if ((unsigned char)v->s[j] < 0x80)
					v->s[j] = (char)(name[0] == 'u' ? (v->s[j] >= 'a' && v->s[j] <= 'z' ? v->s[j] - 32 : v->s[j])
					                                : (v->s[j] >= 'A' && v->s[j] <= 'Z' ? v->s[j] + 32 : v->s[j]));
			return v;
		}
		if (!strcmp(name, "join") && a->npos == 1 && !a->nkw &&
		    (a->pos[0]->k == PE_LIST || a->pos[0]->k == PE_TUPLE)) {
			sbuf b = { env->a, NULL, 0, 0 };
			sb_put(&b, "", 0);
			for (int j = 0; j < a->pos[0]->nitems; j++) {
				const pe_val *it = a->pos[0]->items[j];
				if (it->k != PE_STR)
					return pe_unknown(env, line, "str.join() of a non-string");
				if (j)
					sb_put(&b, obj->s, obj->n);
				sb_put(&b, it->s, it->n);
			}
			return pe_strval(env, b.p, b.n, line);
		}
	}
	if (obj->k == PE_BIND && !strcmp(name, "execute"))
		return pe_unknown(env, line, "the result of op.get_bind().%s() (None in Alembic's offline mode) "
		                  "reads " PE_LIVE_DB ", which neither strata nor `alembic upgrade --sql` can do",
		                  name);
	if (obj->k == PE_BIND && !mock_has(name))
		return mock_lacks(env, name, line);
	if (obj->k == PE_SESSION)
		return pe_unknown(env, line, "session.%s() reads " PE_LIVE_DB " (not known offline)", name);
	return pe_unknown(env, line, "call to .%s()", name);
}

int pe_raises(const pe_val *v)
{
	return v->k == PE_UNKNOWN && v->s && !strncmp(v->s, PE_RAISES, strlen(PE_RAISES));
}

int pe_live(const pe_val *v)
{
	return v->k == PE_UNKNOWN && v->s && strstr(v->s, PE_LIVE_DB);
}

/* Calls that take op.get_bind() as their one argument (positional or
 * bind=): an ORM session on it, or an inspector, which reads the live
 * database.  NULL when dotted is none of them or the argument is not the
 * bind. */
/* (not sa.orm.Session: `import sqlalchemy` alone does not bind sqlalchemy.orm) */
static const char *const session_calls[] = { "Session", "orm.Session", NULL };
static const char *const inspector_calls[] = { "sa.inspect", "sqlalchemy.inspect", "inspect",
	                                        "Inspector.from_engine", "reflection.Inspector.from_engine",
	                                        "sa.engine.reflection.Inspector.from_engine", NULL };

static pe_val *bind_call(pe_env *env, const char *dotted, const args *a, int line)
{
	const pe_val *arg = a->npos == 1 && !a->nkw ? a->pos[0]
	                    : !a->npos && a->nkw == 1 && !strcmp(a->kw[0], "bind") ? a->kwv[0] : NULL;
	if (!arg || arg->k != PE_BIND)
		return NULL;
	for (int j = 0; session_calls[j]; j++)
		if (!strcmp(session_calls[j], dotted))
			return pe_new(env, PE_SESSION, line);
	for (int j = 0; inspector_calls[j]; j++)
		if (!strcmp(inspector_calls[j], dotted))
			return pe_unknown(env, line, "%s() of op.get_bind() reads " PE_LIVE_DB ", which neither "
			                  "strata nor `alembic upgrade --sql` can do", dotted);
	return NULL;
}

/* Calls of known functions: op.get_bind(), op.get_context(),
 * context.get_context(), sa.text(), text(), str(). */
static const struct {
	const char *name;
	pe_kind k;
} known_calls[] = {
	{ "op.get_bind", PE_BIND },          { "op.get_context", PE_CONTEXT },
	{ "context.get_context", PE_CONTEXT }, { "sa.text", PE_TEXT },
	{ "sqlalchemy.text", PE_TEXT },      { "text", PE_TEXT },
	{ "sa.sql.text", PE_TEXT },          { "str", PE_STR },
	{ "repr", PE_STR },
	{ NULL, PE_UNKNOWN }
};

/* Functions whose result comes from the live database: their calls are
 * named so (whatever their arguments). */
static const char *const live_db_calls[] = {
	"sa.inspect", "sqlalchemy.inspect", "inspect", "engine_from_config", "sa.engine_from_config",
	"sqlalchemy.engine_from_config", "create_engine", "sa.create_engine", "sqlalchemy.create_engine",
	NULL
};

static int live_db_call(const char *dotted)
{
	for (int j = 0; live_db_calls[j]; j++)
		if (!strcmp(live_db_calls[j], dotted))
			return 1;
	return 0;
}

/* int(x) / bool(x) of a known value, as Python converts. */
static pe_val *convert(pe_env *env, const char *fn, const pe_val *x, int line)
{
	if (fn[0] == 'b') {
		int t = pe_truth(x);
		return t < 0 ? pe_unknown(env, line, "bool() of an object") : boolval(env, t, line);
	}
	if (x->k == PE_INT || x->k == PE_BOOL)
		return intval(env, x->i, line);
	if (x->k == PE_FLOAT && x->f < 9e18 && x->f > -9e18)
		return intval(env, (long long)x->f, line);
	if (x->k == PE_STR) {
		/* [ws][+-]digits[_digits...][ws], base 10 */
		const char *p = x->s, *end = x->s + x->n;
		while (p < end && strchr(" \t\n\r\f\v", *p))
			p++;
		while (end > p && strchr(" \t\n\r\f\v", end[-1]))
			end--;
		int neg = p < end && *p == '-';
		if (p < end && (*p == '-' || *p == '+'))
			p++;
		long long v = 0;
		int digits = 0;
		for (; p < end; p++) {
			if (*p == '_' && digits && p + 1 < end && p[1] >= '0' && p[1] <= '9')
				continue;
			if (*p < '0' || *p > '9' || __builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, *p - '0', &v))
				return pe_unknown(env, line, "int() of %s", pe_repr(env, x) ? pe_repr(env, x) : "a string");
			digits++;
		}
		if (!digits)
			return pe_unknown(env, line, "int() of %s", pe_repr(env, x) ? pe_repr(env, x) : "a string");
		return intval(env, neg ? -v : v, line);
	}
	return pe_unknown(env, line, "int() of an object");
}

static pe_val *known_call(pe_env *env, const char *dotted, const args *a, int line)
{
	pe_val *b = bind_call(env, dotted, a, line);
	if (b)
		return b;
	if ((!strcmp(dotted, "int") || !strcmp(dotted, "bool")) && a->npos == 1 && !a->nkw)
		return convert(env, dotted, a->pos[0], line);
	if ((!strcmp(dotted, "dedent") || !strcmp(dotted, "textwrap.dedent")) && a->npos == 1 && !a->nkw &&
	    a->pos[0]->k == PE_STR)
		return pe_dedent(env, a->pos[0], line); /* pydedent.c */
	if ((!strcmp(dotted, "list") || !strcmp(dotted, "tuple")) && a->npos == 1 && !a->nkw &&
	    (a->pos[0]->k == PE_LIST || a->pos[0]->k == PE_TUPLE)) {
		/* a copy of a known sequence, as the other kind */
		pe_val *v = pe_new(env, dotted[0] == 'l' ? PE_LIST : PE_TUPLE, line);
		v->items = a->pos[0]->items;
		v->nitems = a->pos[0]->nitems;
		return v;
	}
	if ((!strcmp(dotted, "all") || !strcmp(dotted, "any")) && a->npos == 1 && !a->nkw &&
	    (a->pos[0]->k == PE_LIST || a->pos[0]->k == PE_TUPLE)) {
		/* Python's all() / any() of a known sequence: the first falsy /
		 * truthy item decides */
		int want = dotted[1] == 'n'; /* any: a true item */
		for (int j = 0; j < a->pos[0]->nitems; j++) {
			int tr = pe_truth(a->pos[0]->items[j]);
			if (tr < 0)
				return pe_unknown(env, line, "%s() of an item that is not known", dotted);
			if (tr == want)
				return boolval(env, want, line);
		}
		return boolval(env, !want, line);
	}
	if (!strcmp(dotted, "len") && a->npos == 1 && !a->nkw &&
	    (a->pos[0]->k == PE_LIST || a->pos[0]->k == PE_TUPLE || a->pos[0]->k == PE_STR)) {
		const pe_val *x = a->pos[0];
		if (x->k == PE_STR)
			for (size_t j = 0; j < x->n; j++)
				if ((unsigned char)x->s[j] >= 0x80)
					return pe_unknown(env, line, "len() of a non-ASCII string");
		return intval(env, x->k == PE_STR ? (long long)x->n : x->nitems, line);
	}
	for (int j = 0; known_calls[j].name; j++) {
		if (strcmp(known_calls[j].name, dotted))
			continue;
		pe_kind k = known_calls[j].k;
		if (k == PE_BIND || k == PE_CONTEXT) {
			if (a->npos || a->nkw)
				break;
			return pe_new(env, k, line);
		}
		if (a->npos != 1 || a->nkw)
			break;
		if (k == PE_STR) {
			char *s = dotted[0] == 'r' ? pe_repr(env, a->pos[0]) : pe_str(env, a->pos[0]);
			return s ? pe_strval(env, s, strlen(s), line) : pe_unknown(env, line, "str() of an object");
		}
		if (a->pos[0]->k != PE_STR)
			break;
		pe_val *v = pe_strval(env, a->pos[0]->s, a->pos[0]->n, line);
		v->k = PE_TEXT;
		return v;
	}
	return pe_unknown(env, line, "call to %s()", dotted);
}

/* An attribute of a known object.  Offline the bind is SQLAlchemy's
 * MockConnection: its .engine is itself, its .name the dialect's; the
 * context's .bind and .connection are that bind. */
static pe_val *attribute(pe_env *env, pe_val *obj, const char *name, int line)
{
	if ((obj->k == PE_BIND || obj->k == PE_CONTEXT) && !strcmp(name, "dialect"))
		return pe_new(env, PE_DIALECT, line);
	if (obj->k == PE_CONTEXT && !strcmp(name, "config"))
		return pe_new(env, PE_CONFIG, line);
	if ((obj->k == PE_BIND && !strcmp(name, "engine")) ||
	    (obj->k == PE_CONTEXT && (!strcmp(name, "bind") || !strcmp(name, "connection"))))
		return pe_new(env, PE_BIND, line);
	if ((obj->k == PE_DIALECT || obj->k == PE_BIND) && !strcmp(name, "name") && env->dialect)
		return pe_strval(env, env->dialect, strlen(env->dialect), line);
	if (obj->k == PE_BIND && !mock_has(name))
		return mock_lacks(env, name, line);
	if (obj->k == PE_DIALECT && !strcmp(name, "default_schema_name"))
		return pe_unknown(env, line, "op.get_bind().dialect.default_schema_name (None in Alembic's "
		                  "offline mode) reads " PE_LIVE_DB ", which neither strata nor `alembic upgrade "
		                  "--sql` can do");
	if (obj->k == PE_DIALECT && env->dialect_attrs)
		for (int j = 0; env->dialect_attrs[j] && env->dialect_attrs[j + 1]; j += 2)
			if (!strcmp(env->dialect_attrs[j], name))
				return literal_text(env, env->dialect_attrs[j + 1], line);
	return pe_unknown(env, line, "attribute .%s", name);
}

/* v[index] (after the "["): an integer index of a known string, tuple or
 * list, as Python indexes (negative from the end); slices are not modelled. */
static pe_val *subscript(P *p, pe_val *v, int line)
{
	pe_env *env = p->env;
	int start = p->i;
	pe_val *ix = at_op(p, "]") || at_op(p, ":") ? NULL : ternary(p);
	if (!ix || !at_op(p, "]")) {
		p->i = start;
		skip_close(p);
		return v->k == PE_UNKNOWN ? v : pe_unknown(env, line, "subscript");
	}
	p->i++;
	if (v->k == PE_UNKNOWN || ix->k == PE_UNKNOWN)
		return first_unknown(v, ix);
	if (v->k == PE_DICT) {
		for (int j = 0; j < v->nitems; j++)
			if (equal(v->items[j], ix) == 1)
				return v->vals[j];
		return pe_unknown(env, line, "KeyError: a key the dict does not have");
	}
	long long n = v->k == PE_STR ? (long long)v->n : v->k == PE_TUPLE || v->k == PE_LIST ? v->nitems : -1;
	if (n < 0 || (ix->k != PE_INT && ix->k != PE_BOOL))
		return pe_unknown(env, line, "subscript");
	long long i = ix->i < 0 ? ix->i + n : ix->i;
	if (i < 0 || i >= n)
		return pe_unknown(env, line, "IndexError: index out of range");
	if (v->k == PE_STR) {
		if ((unsigned char)v->s[i] >= 0x80)
			return pe_unknown(env, line, "subscript of a non-ASCII string");
		return pe_strval(env, v->s + i, 1, line);
	}
	return v->items[i];
}

/* NAME.method of a noop object (pe_env.noops). */
static int noop_method(const pe_env *env, const char *dotted)
{
	const char *dot = strchr(dotted, '.');
	if (!dot || strchr(dot + 1, '.'))
		return 0;
	for (int j = 0; env->noops && env->noops[j]; j++)
		if (strlen(env->noops[j]) == (size_t)(dot - dotted) && !strncmp(env->noops[j], dotted, (size_t)(dot - dotted)))
			return 1;
	return 0;
}

/* X.get("K"[, default]) of an application's mapping: the assumption X.K
 * (pyeval.h), else not known, saying how to give it; NULL when the call is
 * not of that form. */
static pe_val *mapping_get(pe_env *env, const char *dotted, const args *a, int line)
{
	size_t n = strlen(dotted);
	if (n < 5 || strcmp(dotted + n - 4, ".get") || a->npos < 1 || a->npos > 2 || a->nkw ||
	    a->pos[0]->k != PE_STR || !a->pos[0]->n || memchr(a->pos[0]->s, 0, a->pos[0]->n))
		return NULL;
	char key[600];
	if (snprintf(key, sizeof key, "%.*s.%s", (int)(n - 4), dotted, a->pos[0]->s) >= (int)sizeof key)
		return NULL;
	pe_val *v = find(env->assume, key);
	return v ? v : pe_unknown(env, line, "call to %s('%s') is not known (give its value under the "
	                          "source's assume: as %s)", dotted, a->pos[0]->s, key);
}

/* A name with its attributes, calls and subscripts. */
static pe_val *postfix(P *p)
{
	pe_env *env = p->env;
	const px_tok *k = &p->t[p->i];
	int line = k->line;
	pe_val *v = NULL;
	if (k->k == TK_NAME) {
		/* the longest dotted chain of names: an assumption, a known call,
		 * or a name and its attributes */
		char dotted[512];
		int n = snprintf(dotted, sizeof dotted, "%.*s", (int)k->n, k->p);
		int j = p->i + 1, best = -1;
		pe_val *assumed = find(env->assume, dotted);
		if (assumed)
			best = p->i + 1;
		while (j + 1 < p->end && px_is_op(&p->t[j], ".") && p->t[j + 1].k == TK_NAME &&
		       n + (int)p->t[j + 1].n + 2 < (int)sizeof dotted) {
			n += snprintf(dotted + n, sizeof dotted - (size_t)n, ".%.*s", (int)p->t[j + 1].n,
			              p->t[j + 1].p);
			j += 2;
			pe_val *x = find(env->assume, dotted);
			if (x) {
				assumed = x;
				best = j;
			}
		}
		char first[256];
		snprintf(first, sizeof first, "%.*s", (int)k->n, k->p);
		pe_val *local = pe_lookup(env, first);
		if (assumed && !local) {
			v = assumed;
			p->i = best;
		} else if (local) {
			v = local;
			p->i++;
		} else if (j < p->end && px_is_op(&p->t[j], "(")) {
			/* a call of a dotted name nobody bound: a known function, one
			 * of the database, or the caller's (an imported helper)? */
			p->i = j + 1;
			args a;
			call_args(p, &a);
			v = NULL;
			if (live_db_call(dotted)) { /* of op.get_bind(): bind_call()'s words */
				v = a.bad ? NULL : bind_call(env, dotted, &a, line);
				if (!v)
					v = pe_unknown(env, line, "%s() reads " PE_LIVE_DB " (not known offline)", dotted);
			} else if (!strcmp(dotted, "logging.getLogger") || !strcmp(dotted, "getLogger"))
				v = pe_new(env, PE_LOGGER, line); /* whatever its name */
			else if (noop_method(env, dotted))
				v = a.bad ? a.bad : pe_new(env, PE_NONE, line);
			else if (!a.bad && (v = mapping_get(env, dotted, &a, line)))
				;
			else if (a.bad)
				v = a.bad;
			else if (!(v = !strchr(dotted, '.') && env->call && !env->dead
			                   ? env->call(env, NULL, dotted, &a, line)
			                   : NULL))
				v = known_call(env, dotted, &a, line);
		} else if (!strcmp(first, "op") && j >= p->i + 5 && px_is_name(&p->t[p->i + 2], "_proxy") &&
		           px_is_name(&p->t[p->i + 4], "migration_context")) {
			/* op._proxy.migration_context: the context op.get_context() returns */
			v = pe_new(env, PE_CONTEXT, line);
			p->i += 5;
		} else if (!strcmp(first, "op") && j == p->i + 1) {
			v = pe_new(env, PE_OP, line); /* alembic's op, passed on: helper(op) */
			p->i++;
		} else if (!strcmp(first, "None")) {
			v = pe_new(env, PE_NONE, line);
			p->i++;
		} else if (!strcmp(first, "True") || !strcmp(first, "False")) {
			v = boolval(env, first[0] == 'T', line);
			p->i++;
		} else {
			int plain = j == p->i + 1;
			p->i = j;
			v = plain && env->name && !env->dead ? env->name(env, dotted, line) : NULL;
			if (!v)
				v = pe_unknown(env, line, "name '%s'", dotted);
		}
	} else if (k->k == TK_STR) {
		v = strings(p);
	} else if (k->k == TK_NUM) {
		v = number(p);
	} else if (px_is_op(k, "(") || px_is_op(k, "[")) {
		v = display(p, px_is_op(k, "["));
	} else if (px_is_op(k, "{")) {
		v = dict_display(p);
	} else {
		if (p->i < p->end)
			p->i++;
		return pe_unknown(env, line, "unsupported expression");
	}
	while (p->i < p->end) {
		if (at_op(p, ".") && p->i + 1 < p->end && p->t[p->i + 1].k == TK_NAME) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)p->t[p->i + 1].n, p->t[p->i + 1].p);
			int l = p->t[p->i].line;
			p->i += 2;
			if (at_op(p, "(")) {
				p->i++;
				args a;
				call_args(p, &a);
				if (v->k == PE_UNKNOWN)
					continue;
				/* a query's result is not known whatever its arguments */
				v = a.bad && v->k != PE_SESSION && v->k != PE_BIND ? a.bad : method(env, v, name, &a, l);
			} else if (v->k != PE_UNKNOWN) {
				v = attribute(env, v, name, l);
			}
		} else if (at_op(p, "(")) {
			int l = p->t[p->i].line;
			p->i++;
			args a;
			call_args(p, &a);
			if (v->k == PE_FUNC && env->call && !env->dead && !a.bad)
				v = env->call(env, v, k->k == TK_NAME ? px_strndup(env->a, k->p, k->n) : "?", &a, l);
			else if (v->k == PE_FUNC && a.bad)
				v = a.bad;
			else if (v->k != PE_UNKNOWN)
				v = pe_unknown(env, l, v->k == PE_FUNC ? "call to a helper function in an expression"
				                                         : "call to a computed function");
		} else if (at_op(p, "[")) {
			int l = p->t[p->i].line;
			p->i++;
			v = subscript(p, v, l);
		} else {
			break;
		}
	}
	return v;
}

static pe_val *unary(P *p)
{
	/* counted, not recursed into */
	int neg = 0, signs = 0, line = line_of(p);
	while (at_op(p, "-") || at_op(p, "+") || at_op(p, "~")) {
		if (at_op(p, "~")) {
			p->i++;
			pe_val *x = unary(p);
			return x->k == PE_UNKNOWN ? x : pe_unknown(p->env, line, "operator ~");
		}
		neg ^= at_op(p, "-");
		signs++;
		p->i++;
	}
	pe_val *v = postfix(p);
	if (at_op(p, "**")) {
		p->i++;
		pe_val *r = unary(p);
		return first_unknown(v, r)->k == PE_UNKNOWN ? first_unknown(v, r)
		                                            : pe_unknown(p->env, line, "operator **");
	}
	if (!signs || v->k == PE_UNKNOWN)
		return v;
	if (v->k == PE_INT || v->k == PE_BOOL)
		return intval(p->env, neg ? -v->i : v->i, line);
	if (v->k == PE_FLOAT) {
		pe_val *f = pe_new(p->env, PE_FLOAT, line);
		f->f = neg ? -v->f : v->f;
		return f;
	}
	return pe_unknown(p->env, line, "unary %s on a non-number", neg ? "-" : "+");
}

static int is_num(const pe_val *v)
{
	return v->k == PE_INT || v->k == PE_BOOL || v->k == PE_FLOAT;
}

static double as_f(const pe_val *v)
{
	return v->k == PE_FLOAT ? v->f : (double)v->i;
}

static pe_val *seq_concat(pe_env *env, const pe_val *l, const pe_val *r, int line)
{
	pe_val *v = pe_new(env, l->k, line);
	v->nitems = l->nitems + r->nitems;
	v->items = px_alloc(env->a, (size_t)(v->nitems + 1) * sizeof *v->items);
	for (int j = 0; j < l->nitems; j++)
		v->items[j] = l->items[j];
	for (int j = 0; j < r->nitems; j++)
		v->items[l->nitems + j] = r->items[j];
	return v;
}

/* l op r for + - * // %. */
static pe_val *arith(pe_env *env, const char *op, pe_val *l, pe_val *r, int line)
{
	if (l->k == PE_UNKNOWN || r->k == PE_UNKNOWN)
		return first_unknown(l, r);
	if (!strcmp(op, "%") && l->k == PE_STR)
		return percent_format(env, l, r, line);
	if (!strcmp(op, "+") && l->k == PE_STR && r->k == PE_STR) {
		sbuf b = { env->a, NULL, 0, 0 };
		sb_put(&b, l->s, l->n);
		sb_put(&b, r->s, r->n);
		return pe_strval(env, b.p, b.n, line);
	}
	if (!strcmp(op, "+") && l->k == r->k && (l->k == PE_LIST || l->k == PE_TUPLE))
		return seq_concat(env, l, r, line);
	if (!strcmp(op, "*") && l->k == PE_STR && (r->k == PE_INT || r->k == PE_BOOL) && r->i < 100000) {
		sbuf b = { env->a, NULL, 0, 0 };
		sb_put(&b, "", 0);
		for (long long j = 0; j < r->i; j++)
			sb_put(&b, l->s, l->n);
		return pe_strval(env, b.p, b.n, line);
	}
	if (!is_num(l) || !is_num(r))
		return pe_unknown(env, line, "operator %s", op);
	if (l->k != PE_FLOAT && r->k != PE_FLOAT) {
		long long a = l->i, b = r->i, x;
		if (!strcmp(op, "+")) {
			if (__builtin_add_overflow(a, b, &x))
				return pe_unknown(env, line, "integer overflow");
		} else if (!strcmp(op, "-")) {
			if (__builtin_sub_overflow(a, b, &x))
				return pe_unknown(env, line, "integer overflow");
		} else if (!strcmp(op, "*")) {
			if (__builtin_mul_overflow(a, b, &x))
				return pe_unknown(env, line, "integer overflow");
		} else {
			if (b == 0)
				return pe_unknown(env, line, "division by zero");
			if (a == -9223372036854775807LL - 1 && b == -1)
				return pe_unknown(env, line, "integer overflow");
			/* Python floors */
			long long q = a / b, m = a % b;
			if (m && ((m < 0) != (b < 0))) {
				q--;
				m += b;
			}
			x = !strcmp(op, "%") ? m : q;
		}
		return intval(env, x, line);
	}
	double a = as_f(l), b = as_f(r), x;
	if (!strcmp(op, "+"))
		x = a + b;
	else if (!strcmp(op, "-"))
		x = a - b;
	else if (!strcmp(op, "*"))
		x = a * b;
	else
		return pe_unknown(env, line, "operator %s on a float", op);
	pe_val *v = pe_new(env, PE_FLOAT, line);
	v->f = x;
	return v;
}

static pe_val *term(P *p)
{
	pe_val *l = unary(p);
	for (;;) {
		const char *op = at_op(p, "*") ? "*" : at_op(p, "%") ? "%" : at_op(p, "//") ? "//"
		               : at_op(p, "/") ? "/" : at_op(p, "@") ? "@" : NULL;
		if (!op)
			return l;
		int line = line_of(p);
		p->i++;
		pe_val *r = unary(p);
		if (!strcmp(op, "/") || !strcmp(op, "@"))
			l = first_unknown(l, r)->k == PE_UNKNOWN ? first_unknown(l, r)
			                                         : pe_unknown(p->env, line, "operator %s", op);
		else
			l = arith(p->env, op, l, r, line);
	}
}

static pe_val *sum(P *p)
{
	pe_val *l = term(p);
	while (at_op(p, "+") || at_op(p, "-")) {
		const char *op = at_op(p, "+") ? "+" : "-";
		int line = line_of(p);
		p->i++;
		l = arith(p->env, op, l, term(p), line);
	}
	return l;
}

static pe_val *bits(P *p)
{
	pe_val *l = sum(p);
	while (at_op(p, "|") || at_op(p, "&") || at_op(p, "^") || at_op(p, "<<") || at_op(p, ">>")) {
		char op[3];
		snprintf(op, sizeof op, "%.*s", (int)p->t[p->i].n, p->t[p->i].p);
		int line = line_of(p);
		p->i++;
		pe_val *r = sum(p);
		l = first_unknown(l, r)->k == PE_UNKNOWN ? first_unknown(l, r)
		                                         : pe_unknown(p->env, line, "operator %s", op);
	}
	return l;
}

/* Python's ==: numbers by value (True == 1), sequences item by item;
 * -1 when not known (objects). */
static int equal(const pe_val *l, const pe_val *r)
{
	if (is_num(l) && is_num(r))
		return as_f(l) == as_f(r);
	if (l->k == PE_NONE || r->k == PE_NONE)
		return l->k == r->k;
	if (l->k == PE_STR && r->k == PE_STR)
		return l->n == r->n && !memcmp(l->s, r->s, l->n);
	if ((l->k == PE_TUPLE || l->k == PE_LIST) && l->k == r->k) {
		if (l->nitems != r->nitems)
			return 0;
		for (int j = 0; j < l->nitems; j++) {
			int e = equal(l->items[j], r->items[j]);
			if (e != 1)
				return e;
		}
		return 1;
	}
	int ls = l->k >= PE_NONE && l->k <= PE_LIST, rs = r->k >= PE_NONE && r->k <= PE_LIST;
	return ls && rs ? 0 : -1;
}

static pe_val *compare(pe_env *env, const char *op, pe_val *l, pe_val *r, int line)
{
	if (l->k == PE_UNKNOWN || r->k == PE_UNKNOWN)
		return first_unknown(l, r);
	int res = -1;
	if (!strcmp(op, "==") || !strcmp(op, "!=")) {
		res = equal(l, r);
		if (res >= 0 && op[0] == '!')
			res = !res;
	} else if (!strcmp(op, "in") || !strcmp(op, "not in")) {
		if (r->k == PE_STR && l->k == PE_STR) {
			res = l->n == 0;
			for (size_t j = 0; !res && j + l->n <= r->n; j++)
				res = !memcmp(r->s + j, l->s, l->n);
		} else if (r->k == PE_TUPLE || r->k == PE_LIST) {
			res = 0;
			for (int j = 0; j < r->nitems && res == 0; j++)
				res = equal(l, r->items[j]);
		}
		if (res >= 0 && op[0] == 'n')
			res = !res;
	} else if (!strcmp(op, "is") || !strcmp(op, "is not")) {
		if (l->k == PE_NONE || r->k == PE_NONE || l->k == PE_BOOL || r->k == PE_BOOL)
			res = l->k == r->k && (l->k == PE_NONE || l->i == r->i);
		if (res >= 0 && op[2] == ' ')
			res = !res;
	} else if (is_num(l) && is_num(r)) {
		double a = as_f(l), b = as_f(r);
		res = !strcmp(op, "<") ? a < b : !strcmp(op, ">") ? a > b : !strcmp(op, "<=") ? a <= b : a >= b;
	} else if (l->k == PE_STR && r->k == PE_STR) {
		size_t m = l->n < r->n ? l->n : r->n;
		int c = memcmp(l->s, r->s, m);
		if (!c)
			c = l->n < r->n ? -1 : l->n > r->n;
		res = !strcmp(op, "<") ? c < 0 : !strcmp(op, ">") ? c > 0 : !strcmp(op, "<=") ? c <= 0 : c >= 0;
	}
	if (res < 0)
		return pe_unknown(env, line, "comparison %s", op);
	return boolval(env, res, line);
}

static pe_val *comparison(P *p)
{
	pe_val *l = bits(p);
	pe_val *result = NULL;
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">", NULL };
	for (;;) {
		const char *op = NULL;
		int line = line_of(p);
		for (int j = 0; ops[j] && !op; j++)
			if (at_op(p, ops[j]))
				op = ops[j];
		if (op) {
			p->i++;
		} else if (at_name(p, "in")) {
			op = "in";
			p->i++;
		} else if (at_name(p, "not") && p->i + 1 < p->end && px_is_name(&p->t[p->i + 1], "in")) {
			op = "not in";
			p->i += 2;
		} else if (at_name(p, "is")) {
			p->i++;
			op = "is";
			if (at_name(p, "not")) {
				op = "is not";
				p->i++;
			}
		} else {
			return result ? result : l;
		}
		pe_val *r = bits(p);
		pe_val *c = compare(p->env, op, l, r, line);
		/* a < b < c is a < b and b < c */
		if (!result || (result->k == PE_BOOL && result->i))
			result = c;
		l = r;
	}
}

static pe_val *not_test(P *p)
{
	int nots = 0, line = line_of(p);
	while (at_name(p, "not")) {
		nots++;
		p->i++;
	}
	pe_val *v = comparison(p);
	if (!nots)
		return v;
	int t = pe_truth(v);
	if (t < 0)
		return v;
	return boolval(p->env, nots % 2 ? !t : t, line);
}

/* and / or return an operand, as Python does; the right operand is still
 * parsed (to move past it) but its value matters only when it is reached. */
static pe_val *and_test(P *p)
{
	pe_val *l = not_test(p);
	while (at_name(p, "and")) {
		p->i++;
		int t = pe_truth(l);
		p->env->dead += t != 1; /* Python does not evaluate it */
		pe_val *r = not_test(p);
		p->env->dead -= t != 1;
		l = t < 0 ? l : t ? r : l;
	}
	return l;
}

static pe_val *or_test(P *p)
{
	pe_val *l = and_test(p);
	while (at_name(p, "or")) {
		p->i++;
		int t = pe_truth(l);
		p->env->dead += t != 0;
		pe_val *r = and_test(p);
		p->env->dead -= t != 0;
		l = t < 0 ? l : t ? l : r;
	}
	return l;
}

/* Whether an `if` follows at this bracket depth before the expression
 * ends (a conditional expression), without evaluating anything. */
static int top_if(const P *p)
{
	int depth = 0;
	for (int i = p->i; i < p->end; i++) {
		const px_tok *k = &p->t[i];
		if (px_is_op(k, "(") || px_is_op(k, "[") || px_is_op(k, "{"))
			depth++;
		else if (px_is_op(k, ")") || px_is_op(k, "]") || px_is_op(k, "}")) {
			if (--depth < 0)
				return 0;
		} else if (!depth && (px_is_op(k, ",") || px_is_op(k, ":") || px_is_name(k, "for") ||
		                      px_is_name(k, "else") || px_is_name(k, "lambda")))
			return 0;
		else if (!depth && px_is_name(k, "if"))
			return 1;
	}
	return 0;
}

static pe_val *ternary(P *p)
{
	if (at_name(p, "lambda")) {
		int line = line_of(p);
		while (p->i < p->end && !at_op(p, ",") && !at_op(p, ")") && !at_op(p, "]"))
			p->i++;
		return pe_unknown(p->env, line, "lambda");
	}
	/* x if c else y: c first, then the one branch Python evaluates (x is
	 * read once to find c, without calls) */
	int start = p->i;
	if (!top_if(p))
		return or_test(p);
	p->env->dead++;
	pe_val *v = or_test(p);
	p->env->dead--;
	if (!at_name(p, "if"))
		return v;
	p->i++;
	pe_val *c = or_test(p);
	int t = pe_truth(c);
	pe_val *other = NULL;
	if (at_name(p, "else")) {
		p->i++;
		p->env->dead += t != 0;
		other = ternary(p);
		p->env->dead -= t != 0;
	} else {
		return pe_unknown(p->env, c->line, "conditional expression");
	}
	if (t == 1) {
		int after = p->i;
		p->i = start;
		v = or_test(p);
		p->i = after;
	}
	return t < 0 ? c : t ? v : other;
}

pe_val *pe_eval(pe_env *env, const px_tok *t, int s, int e)
{
	P p = { env, t, s, e };
	if (s >= e)
		return pe_unknown(env, s > 0 ? t[s - 1].line : 0, "empty expression");
	pe_val *v = ternary(&p);
	if (p.i < e && at_op(&p, ",")) {
		/* a bare tuple: a, b */
		pe_val *tu = pe_new(env, PE_TUPLE, v->line);
		int cap = 4;
		tu->items = px_alloc(env->a, (size_t)cap * sizeof *tu->items);
		tu->items[tu->nitems++] = v;
		pe_val *bad = v->k == PE_UNKNOWN ? v : NULL;
		while (at_op(&p, ",")) {
			p.i++;
			if (p.i >= e)
				break;
			pe_val *x = ternary(&p);
			if (x->k == PE_UNKNOWN && !bad)
				bad = x;
			if (tu->nitems == cap) {
				cap *= 2;
				pe_val **it = px_alloc(env->a, (size_t)cap * sizeof *it);
				memcpy(it, tu->items, (size_t)tu->nitems * sizeof *it);
				tu->items = it;
			}
			tu->items[tu->nitems++] = x;
		}
		v = bad ? bad : tu;
	}
	if (p.i < e)
		return v->k == PE_UNKNOWN ? v : pe_unknown(env, t[p.i].line, "unsupported expression");
	return v;
}

void pe_assume_lines(pe_env *env, const char *lines)
{
	while (lines && *lines) {
		const char *nl = strchr(lines, '\n'), *end = nl ? nl : lines + strlen(lines);
		const char *eq = memchr(lines, '=', (size_t)(end - lines));
		if (eq && eq > lines) {
			char *k = px_strndup(env->a, lines, (size_t)(eq - lines));
			char *v = px_strndup(env->a, eq + 1, (size_t)(end - eq - 1));
			pe_assume(env, k, v);
		}
		lines = nl ? nl + 1 : end;
	}
}
