/*
 * See unroll.h.  The file's logical lines are read as opsql.c reads them
 * (a line's indentation is its first token's column; a compound
 * statement's body is the more-indented lines after it, or the rest of its
 * header line); the output is a token stream of the same module with the
 * function's body replaced by the decided one, each logical line ending in
 * a TK_NL, its first token at the new indentation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyenum.h"
#include "pyeval.h"
#include "unroll.h"

#define MAX_CALL_DEPTH 16

typedef struct uline {
	int s, e;     /* tokens, without the NL */
	int indent;
	int line;
} uline;

typedef struct ufunc {
	int def;       /* index of the `def` line */
	int end;       /* one past its body's lines */
	char **params; /* names, in order */
	pe_val **defaults; /* NULL: none */
	int *kwonly;
	int np;
	const char *bad; /* a parameter form not modelled (*args, **kw) */
	int mod;       /* its module (U.m): 0 the revision, else an imported one */
} ufunc;

/* A module whose functions can be called: the revision, or a file of the
 * application a helper is imported from. */
typedef struct umod {
	const px_tok *t;
	uline *l;
	int nl;
	pe_scope *scope; /* its module scope */
	const char *path; /* NULL: the revision */
	const char *text; /* its source (an imported module's; the revision's is oenv's) */
	size_t len;
} umod;

/* A name imported from the application: the function it is, or -1. */
typedef struct uimp {
	const char *name;
	int ref;
} uimp;

typedef struct U {
	px_arena *a;
	pe_env env;
	const px_tok *t;
	uline *l;
	int nl;
	px_tok *o;     /* output */
	int on, ocap;
	ufunc *f;
	int nf, fcap;
	int depth;     /* helper calls */
	umod *m;       /* modules; u->t, u->l, u->nl are m[cur]'s */
	int nm, mcap, cur;
	uimp *imp;     /* names looked up as imports */
	int nimp, impcap;
	const opsql_env *oenv; /* the revision file, for imports (NULL: none) */
	int want_ret;  /* the helper runs for its value (called in an expression) */
	int pure;      /* > 0: inside such a call (nothing may be emitted) */
	int pure_unknown; /* assignments of values not known that such calls let pass */
	pe_val *ret;   /* its `return` value */
	int in_try;
	int next;      /* the line after the current simple statement's, -1: none */
	int line_end;  /* the end of the current simple statement's line */
	int status;    /* OPSQL_OK, or what stopped the walk */
	int line;
	char reason[512];
	struct uasg *asg; /* assignments passed on as written, with why their value is not known */
} U;

/* `x = <what the evaluator does not know>` passed to the translator as
 * written: when the translator refuses it (`assignment to 'x'`), the
 * evaluator's reason is added (`assignment to 'now': call to
 * datetime.now()`). */
typedef struct uasg {
	const char *name, *why;
	int line;
	struct uasg *next;
} uasg;

/* -------------------------------------------------------------- output */

static px_tok *out_tok(U *u)
{
	if (u->on == u->ocap) {
		int cap = u->ocap ? u->ocap * 2 : 256;
		px_tok *o = px_alloc(u->a, (size_t)cap * sizeof *o);
		if (u->on)
			memcpy(o, u->o, (size_t)u->on * sizeof *o);
		u->o = o;
		u->ocap = cap;
	}
	px_tok *k = &u->o[u->on++];
	memset(k, 0, sizeof *k);
	return k;
}

static void out_copy(U *u, const px_tok *src, int col)
{
	px_tok *k = out_tok(u);
	*k = *src;
	if (col >= 0)
		k->col = col;
}

static void out_op(U *u, const char *op, int line)
{
	px_tok *k = out_tok(u);
	k->k = TK_OP;
	k->p = op;
	k->n = strlen(op);
	k->line = line;
	k->col = -1;
}

static void out_name(U *u, const char *s, size_t n, int line, int col)
{
	px_tok *k = out_tok(u);
	k->k = TK_NAME;
	k->p = s;
	k->n = n;
	k->line = line;
	k->col = col;
}

static void out_nl(U *u, int line)
{
	px_tok *k = out_tok(u);
	k->k = TK_NL;
	k->line = line;
}

/* t[s..e) as one logical line at indentation col. */
static void out_range(U *u, int s, int e, int col)
{
	for (int i = s; i < e; i++)
		out_copy(u, &u->t[i], i == s ? col : -1);
	if (e > s)
		out_nl(u, u->t[e - 1].line);
}

/* A tree of pyexpr.h's kinds as tokens; 0, or -1 for a node that has no
 * written form here (PX_OTHER). */
static int out_px(U *u, const px *e, int col)
{
	int line = e->line;
	switch (e->k) {
	case PX_NONE:
		out_name(u, "None", 4, line, col);
		return 0;
	case PX_BOOL:
		out_name(u, e->iv ? "True" : "False", e->iv ? 4 : 5, line, col);
		return 0;
	case PX_INT:
	case PX_FLOAT: {
		int neg = e->s[0] == '-';
		if (neg) {
			out_op(u, "-", line);
			u->o[u->on - 1].col = col;
		}
		px_tok *k = out_tok(u);
		k->k = TK_NUM;
		k->p = e->s + neg;
		k->n = e->n - (size_t)neg;
		k->line = line;
		k->col = neg ? -1 : col;
		return 0;
	}
	case PX_STR: {
		px_tok *k = out_tok(u);
		k->k = TK_STR;
		k->val = e->s;
		k->vlen = e->n;
		k->fstr = e->fstr;
		k->bytes = e->bytes;
		k->line = line;
		k->col = col;
		/* the literal's own lines, for the translation's line map (a
		 * value computed here has none: its lines are the op's) */
		k->lines = e->lines;
		k->cols = e->cols;
		k->nlines = e->nlines;
		return 0;
	}
	case PX_NAME:
		out_name(u, e->s, e->n, line, col);
		return 0;
	case PX_ATTR:
		if (out_px(u, e->obj, col))
			return -1;
		out_op(u, ".", line);
		out_name(u, e->s, e->n, line, -1);
		return 0;
	case PX_CALL:
	case PX_TUPLE:
	case PX_LIST:
	case PX_DICT: {
		if (e->k == PX_CALL) {
			if (out_px(u, e->obj, col))
				return -1;
			col = -1;
		}
		const char *open = e->k == PX_LIST ? "[" : e->k == PX_DICT ? "{" : "(";
		const char *close = e->k == PX_LIST ? "]" : e->k == PX_DICT ? "}" : ")";
		out_op(u, open, line);
		if (col >= 0)
			u->o[u->on - 1].col = col;
		for (int j = 0; j < e->na; j++) {
			if (j)
				out_op(u, e->k == PX_DICT && j % 2 ? ":" : ",", line);
			if (e->k == PX_CALL && e->kw[j]) {
				if (!strcmp(e->kw[j], "*") || !strcmp(e->kw[j], "**"))
					out_op(u, e->kw[j], line);
				else {
					out_name(u, e->kw[j], strlen(e->kw[j]), line, -1);
					out_op(u, "=", line);
				}
			}
			if (out_px(u, e->a[j], -1))
				return -1;
		}
		if (e->k == PX_TUPLE && e->na == 1)
			out_op(u, ",", line);
		out_op(u, close, line);
		return 0;
	}
	default:
		return -1;
	}
}

/* The statement t[s..e) with what is known folded in, or as written when
 * something in it is not known (the translator then names it). */
static void out_folded(U *u, int s, int e, int col)
{
	px *x = pe_fold(&u->env, u->t, s, e);
	int mark = u->on;
	if (out_px(u, x, col)) {
		u->on = mark;
		out_range(u, s, e, col);
		return;
	}
	out_nl(u, u->t[e - 1].line);
}

/* ---------------------------------------------------------------- stops */

static int stop(U *u, int status, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int stop(U *u, int status, int line, const char *fmt, ...)
{
	if (u->status == OPSQL_OK) {
		u->status = status;
		u->line = line;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(u->reason, sizeof u->reason, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The expression t[s..e) as written, for messages. */
static const char *text_of(U *u, int s, int e)
{
	char buf[200];
	size_t n = 0;
	for (int i = s; i < e && n + 4 < sizeof buf; i++) {
		const px_tok *k = &u->t[i];
		int sp = i > s && !px_is_op(k, ".") && !px_is_op(k, ")") && !px_is_op(k, "]") &&
		         !px_is_op(k, ",") && !px_is_op(k, "(") && !px_is_op(k, "[") &&
		         !px_is_op(&u->t[i - 1], ".") && !px_is_op(&u->t[i - 1], "(") &&
		         !px_is_op(&u->t[i - 1], "[");
		if (sp)
			buf[n++] = ' ';
		int w;
		if (k->k == TK_STR)
			w = snprintf(buf + n, sizeof buf - n, "%s'%.*s'", k->fstr ? "f" : "",
			             (int)(k->vlen > 40 ? 40 : k->vlen), k->val);
		else
			w = snprintf(buf + n, sizeof buf - n, "%.*s", (int)k->n, k->p);
		if (w < 0 || (size_t)w >= sizeof buf - n) {
			n = sizeof buf - 4;
			break;
		}
		n += (size_t)w;
	}
	buf[n] = 0;
	return px_strndup(u->a, buf, n);
}

/* "name 'settings.x'" gets the way to give it. */
static const char *why(const pe_val *v)
{
	return v->k == PE_UNKNOWN && !strncmp(v->s, "name '", 6) && strchr(v->s + 6, '.')
	           ? " (give its value under the source's assume:)"
	           : "";
}

/* v raises in Alembic's offline run (pe_raises()): refused with Alembic's
 * error, or untranslatable inside a try (an except clause would run). */
static int raises(U *u, const pe_val *v, int line)
{
	if (u->in_try)
		return stop(u, OPSQL_UNTRANSLATABLE, line, "try statement whose body raises offline (%s)", v->s);
	return stop(u, OPSQL_REFUSED, line, "%s", v->s);
}

/* ----------------------------------------------------------- structure */

static int header_colon(const px_tok *t, int s, int e)
{
	return s < e && px_is_name(&t[s], "lambda") ? -1 : px_top_op(t, s, e, ":");
}

/* One past the lines of the body of line i (more indented, below `to`). */
static int body_end(U *u, int i, int to)
{
	int j = i + 1;
	while (j < to && u->l[j].indent > u->l[i].indent)
		j++;
	return j;
}

static int block(U *u, int from, int to, int col);
static int stmts(U *u, int s, int e, int col);

/* The body of the compound statement on line i whose header ends at colon:
 * the rest of the line, or lines [i + 1, j). */
static int body(U *u, int i, int colon, int j, int col)
{
	uline *L = &u->l[i];
	if (colon + 1 < L->e) {
		u->next = -1; /* `if c: stmt` is followed by nothing of its own */
		return stmts(u, colon + 1, L->e, col);
	}
	return block(u, i + 1, j, col);
}

/* Lines [from, to) as written, re-indented by the same step. */
static void out_lines(U *u, int from, int to, int col)
{
	int base = u->l[from].indent;
	for (int k = from; k < to; k++)
		out_range(u, u->l[k].s, u->l[k].e, col + (u->l[k].indent - base));
}

/* --------------------------------------------------------- statements */

/* The top-level '=' of an assignment in t[s..e), or -1. */
static int assign_at(const px_tok *t, int s, int e)
{
	return px_top_op(t, s, e, "=");
}

static char *tok_name(U *u, const px_tok *k)
{
	return px_strndup(u->a, k->p, k->n);
}

/* Binds the targets t[s..e) (NAME, NAME: T, or NAME, NAME, ... with or
 * without parentheses) to v; 0, or -1 when the targets are not of that
 * form or v does not unpack onto them. */
static int bind_targets(U *u, int s, int e, pe_val *v)
{
	const px_tok *t = u->t;
	if (e - s >= 1 && t[s].k == TK_NAME && (e - s == 1 || px_is_op(&t[s + 1], ":"))) {
		pe_bind(&u->env, tok_name(u, &t[s]), v);
		return 0;
	}
	if (px_is_op(&t[s], "(") || px_is_op(&t[s], "[")) {
		s++;
		e--;
	}
	int n = 0;
	for (int i = s; i < e; i += 2) {
		if (t[i].k != TK_NAME || (i + 1 < e && !px_is_op(&t[i + 1], ",")))
			return -1;
		n++;
	}
	if (v->k == PE_UNKNOWN) {
		for (int i = s; i < e; i += 2)
			pe_bind(&u->env, tok_name(u, &t[i]), v);
		return 0;
	}
	if ((v->k != PE_TUPLE && v->k != PE_LIST) || v->nitems != n)
		return -1;
	for (int i = s, k = 0; i < e; i += 2, k++)
		pe_bind(&u->env, tok_name(u, &t[i]), v->items[k]);
	return 0;
}

static int call_helper(U *u, const ufunc *f, int s, int e, int open, const char *name, int col);
static int run_helper(U *u, const ufunc *f, pe_val **vals, int col);

/* The last top-level "(" of t[s..e) when t[e-1] closes it, or -1. */
static int call_open(const px_tok *t, int s, int e)
{
	if (e - s < 3 || !px_is_op(&t[e - 1], ")"))
		return -1;
	int depth = 0;
	for (int j = e - 1; j >= s; j--) {
		if (px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}"))
			depth++;
		else if ((px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{")) &&
		         --depth == 0)
			return px_is_op(&t[j], "(") ? j : -1;
	}
	return -1;
}

/* ------------------------------------------- the bind and its objects */

/* A tree with no part left that is not known (PX_OTHER). */
static int px_known(const px *e)
{
	if (!e || e->k == PX_OTHER)
		return 0;
	if (e->obj && !px_known(e->obj))
		return 0;
	for (int j = 0; j < e->na; j++)
		if (!px_known(e->a[j]))
			return 0;
	return 1;
}

/* The objects a name may be bound to and stand for where it is used: the
 * last part of the callee's dotted name.  The translator decides whether
 * the callee is SQLAlchemy's (sa.Enum, postgresql.ENUM, Sequence imported
 * from sqlalchemy.schema...); anything else it refuses, naming it. */
static const char *const obj_callees[] = { "Enum", "ENUM", "Sequence", NULL };

/* t[s..e) is a call of a dotted name whose last part is one of names: its
 * folded tree when every part is known, else NULL. */
static px *obj_call(U *u, int s, int e, const char *const *names)
{
	const px_tok *t = u->t;
	int open = call_open(t, s, e), j = s;
	if (open < 0 || t[s].k != TK_NAME)
		return NULL;
	while (j + 2 < open && px_is_op(&t[j + 1], ".") && t[j + 2].k == TK_NAME)
		j += 2;
	int hit = 0;
	for (int k = 0; names[k] && !hit; k++)
		hit = px_is_name(&t[j], names[k]);
	if (j + 1 != open || !hit)
		return NULL;
	px *x = pe_fold(&u->env, t, s, e);
	return px_known(x) ? x : NULL;
}

/* The Enum that t[s..e) is (written there or a name bound to one), or NULL. */
static px *enum_of(U *u, int s, int e)
{
	static const char *const enums[] = { "Enum", "ENUM", NULL };
	px *x = obj_call(u, s, e, enums);
	if (x)
		return x;
	pe_val *v = pe_eval(&u->env, u->t, s, e);
	if (v->k != PE_EXPR || v->expr->k != PX_CALL || !v->expr->obj)
		return NULL;
	const px *f = v->expr->obj; /* the callee: a name or an attribute */
	return (f->k == PX_ATTR || f->k == PX_NAME) && (!strcmp(f->s, "Enum") || !strcmp(f->s, "ENUM"))
	           ? v->expr : NULL;
}

/* A value that pe_eval() does not know (unk), of an assignment or a
 * helper's argument: a known sa.Enum(...) / postgresql.ENUM(...) /
 * Sequence(...) call is a PE_EXPR (its uses fold to it), anything else
 * stays unk. */
static pe_val *obj_value(U *u, int s, int e, pe_val *unk)
{
	px *x = obj_call(u, s, e, obj_callees);
	if (!x)
		return unk;
	pe_val *v = pe_new(&u->env, PE_EXPR, u->t[s].line);
	v->expr = x;
	return v;
}

/* `with <context>.autocommit_block():` on line k. */
static int autocommit_line(U *u, int k)
{
	if (k < 0 || k >= u->nl)
		return 0;
	const px_tok *t = u->t;
	uline *L = &u->l[k];
	int n = L->e - L->s;
	if (n < 6 || !px_is_name(&t[L->s], "with") || !px_is_op(&t[L->e - 1], ":") ||
	    !px_is_op(&t[L->e - 2], ")") || !px_is_op(&t[L->e - 3], "(") ||
	    !px_is_name(&t[L->e - 4], "autocommit_block") || !px_is_op(&t[L->e - 5], "."))
		return 0;
	return pe_eval(&u->env, t, L->s + 1, L->e - 5)->k == PE_CONTEXT;
}

/* <Enum>.create(bind, checkfirst=...) / .drop(...): op.<"Enum:create">(
 * <Enum>, checkfirst=...) for the translator (opsql_op_type.c), the bind
 * checked here. */
static int enum_ddl_stmt(U *u, int s, int e, int open, px *en, int col)
{
	const px_tok *t = u->t;
	const char *m = px_is_name(&t[open - 1], "create") ? "Enum:create" : "Enum:drop";
	int line = t[s].line;
	/* the arguments, SchemaType.create(bind=None, checkfirst=False): the
	 * bind is evaluated (it must be op.get_bind()), checkfirst folded */
	px *check = NULL;
	int nbind = 0, pos = 0, start = open + 1;
	for (int k; start < e - 1; start = k + 1) {
		k = px_arg_end(t, start, e - 1);
		int vs = start, isbind;
		if (px_is_op(&t[start], "*") || px_is_op(&t[start], "**"))
			return stop(u, OPSQL_UNTRANSLATABLE, line, "argument unpacking in .%s()", m + 5);
		if (t[start].k == TK_NAME && start + 1 < k && px_is_op(&t[start + 1], "=")) {
			vs = start + 2;
			isbind = px_is_name(&t[start], "bind");
			if (!isbind && !px_is_name(&t[start], "checkfirst"))
				return stop(u, OPSQL_UNTRANSLATABLE, line, "argument %.*s= of .%s()", (int)t[start].n,
				            t[start].p, m + 5);
		} else {
			if (pos > 1)
				return stop(u, OPSQL_UNTRANSLATABLE, line, "too many arguments to .%s()", m + 5);
			isbind = pos++ == 0;
		}
		if (isbind) {
			if (nbind++ || pe_eval(&u->env, t, vs, k)->k != PE_BIND)
				return stop(u, OPSQL_UNTRANSLATABLE, line,
				            ".%s() of an Enum with a bind that is not op.get_bind()", m + 5);
		} else {
			if (check)
				return stop(u, OPSQL_UNTRANSLATABLE, line, "checkfirst given twice to .%s()", m + 5);
			check = pe_fold(&u->env, t, vs, k);
		}
	}
	if (!nbind)
		return stop(u, OPSQL_UNTRANSLATABLE, line,
		            ".%s() of an Enum with a bind that is not op.get_bind()", m + 5);
	px *call = px_alloc(u->a, sizeof *call);
	call->k = PX_CALL;
	call->line = line;
	call->obj = px_alloc(u->a, sizeof *call->obj);
	*call->obj = (px){ .k = PX_ATTR, .line = line, .s = (char *)m, .n = strlen(m) };
	call->obj->obj = px_alloc(u->a, sizeof *call->obj->obj);
	*call->obj->obj = (px){ .k = PX_NAME, .line = line, .s = "op", .n = 2 };
	call->na = check ? 2 : 1;
	call->a = px_alloc(u->a, 2 * sizeof *call->a);
	call->kw = px_alloc(u->a, 2 * sizeof *call->kw);
	call->a[0] = en;
	if (check) {
		call->a[1] = check;
		call->kw[1] = "checkfirst";
	}
	int mark = u->on;
	if (out_px(u, call, col)) {
		u->on = mark;
		return stop(u, OPSQL_UNTRANSLATABLE, line, ".%s() of an Enum: an argument is not known", m + 5);
	}
	out_nl(u, t[e - 1].line);
	return 0;
}

/* session.X(...) on a Session(bind=op.get_bind()): commit() and close()
 * of a session that did nothing else print nothing (offline and online:
 * the session never took a connection); any other use stops. */
static int session_stmt(U *u, const px_tok *meth)
{
	if (px_is_name(meth, "commit") || px_is_name(meth, "close"))
		return 0;
	if (px_is_name(meth, "execute"))
		return stop(u, u->in_try ? OPSQL_UNTRANSLATABLE : OPSQL_REFUSED, meth->line,
		            u->in_try ? "try statement whose body raises offline (session.execute())"
		                      : "AttributeError: 'MockConnection' object has no attribute 'close' "
		                        "(session.execute() on a Session of op.get_bind(), a mock connection in "
		                        "Alembic's offline mode)");
	int ro = px_is_name(meth, "query") || px_is_name(meth, "scalars") || px_is_name(meth, "scalar") ||
	         px_is_name(meth, "get");
	return stop(u, OPSQL_UNTRANSLATABLE, meth->line, "session.%.*s() %s (not known offline)",
	            (int)meth->n, meth->p, ro ? "reads " PE_LIVE_DB : "works through the ORM, which needs " PE_LIVE_DB);
}

/* A method call on the bind or an Enum: bind.commit(), Enum.create(bind);
 * 1 when t[s..e) is none of them (bind.execute() is expr_stmt's). */
static int bind_stmt(U *u, int s, int e, int open, int col)
{
	const px_tok *t = u->t;
	const px_tok *meth = &t[open - 1];
	if (px_is_name(meth, "create") || px_is_name(meth, "drop")) {
		px *en = enum_of(u, s, open - 2);
		return en ? enum_ddl_stmt(u, s, e, open, en, col) : 1;
	}
	pe_val *obj = pe_eval(&u->env, t, s, open - 2);
	if (obj->k == PE_SESSION)
		return session_stmt(u, meth);
	if (!px_is_name(meth, "commit") || obj->k != PE_BIND)
		return 1;
	/* right before `with op.get_context().autocommit_block():` it ends the
	 * transaction that the block ends anyway (online; offline Alembic
	 * raises, the mock connection has no commit()) */
	if (open + 2 == e && e == u->line_end && autocommit_line(u, u->next))
		return 0;
	if (u->in_try)
		return stop(u, OPSQL_UNTRANSLATABLE, meth->line,
		            "try statement whose body raises offline (op.get_bind().commit())");
	return stop(u, OPSQL_REFUSED, meth->line,
	            "AttributeError: 'MockConnection' object has no attribute 'commit' (op.get_bind() is "
	            "a mock connection in Alembic's offline mode; strata takes op.get_bind().commit() only "
	            "right before `with op.get_context().autocommit_block():`)");
}

/* Calls that write no SQL: print() (in Alembic's offline run its text goes
 * into the --sql output, which strata does not copy: it is not SQL) and a
 * logger's methods (logging.getLogger(...).info(...), logging.info(...)).
 * Only with known arguments, so that nothing in them runs SQL. */
static const char *const log_methods[] = {
	"debug", "info", "warning", "warn", "error", "critical", "exception", "log", NULL
};

static int noop_call(U *u, int s, int e, int open)
{
	const px_tok *t = u->t;
	int ok = 0;
	if (open == s + 1 && px_is_name(&t[s], "print"))
		ok = !pe_lookup(&u->env, "print");
	else if (open == s + 5 && e == open + 2 && px_is_name(&t[s], "sys") && px_is_op(&t[s + 1], ".") &&
	         (px_is_name(&t[s + 2], "stdout") || px_is_name(&t[s + 2], "stderr")) &&
	         px_is_op(&t[s + 3], ".") && px_is_name(&t[s + 4], "flush"))
		return !pe_lookup(&u->env, "sys"); /* sys.stdout.flush() */
	else if (open >= s + 3 && px_is_op(&t[open - 2], ".") && t[open - 1].k == TK_NAME) {
		/* <a logger>.info(...), logging.info(...) */
		for (int j = 0; log_methods[j] && !ok; j++)
			ok = px_is_name(&t[open - 1], log_methods[j]);
		if (ok) {
			pe_val *obj = pe_eval(&u->env, t, s, open - 2);
			ok = obj->k == PE_LOGGER || (open == s + 3 && px_is_name(&t[s], "logging") &&
			                             !pe_lookup(&u->env, "logging"));
		}
	}
	if (!ok)
		return 0;
	int start = open + 1;
	for (int k; start < e - 1; start = k + 1) {
		k = px_arg_end(t, start, e - 1);
		int vs = t[start].k == TK_NAME && start + 1 < k && px_is_op(&t[start + 1], "=") ? start + 2 : start;
		if (px_is_op(&t[vs], "*") || px_is_op(&t[vs], "**") || pe_eval(&u->env, t, vs, k)->k == PE_UNKNOWN)
			return 0;
	}
	return 1;
}

static int load_import(U *u, const char *name);

/* An expression statement. */
static int expr_stmt(U *u, int s, int e, int col)
{
	const px_tok *t = u->t;
	int open = call_open(t, s, e);
	if (open > s) {
		/* helper(args) */
		if (open == s + 1 && t[s].k == TK_NAME) {
			char *name = tok_name(u, &t[s]);
			pe_val *v = pe_lookup(&u->env, name);
			if (v && v->k == PE_FUNC)
				return call_helper(u, &u->f[v->ref], s, e, open, name, col);
			if (!v && strcmp(name, "print")) {
				/* a helper imported from the application, run for its
				 * value (call_expr()), which the statement drops: no SQL
				 * when it is known (its body wrote none) */
				int before = u->pure_unknown;
				pe_val *r = pe_eval(&u->env, t, s, e);
				if (u->pure_unknown != before)
					return stop(u, OPSQL_UNTRANSLATABLE, t[s].line,
					            "call to %s(): it assigns a value strata does not know, whose "
					            "computation may write to the database (its result is dropped)", name);
				if (r->k != PE_UNKNOWN)
					return 0;
				size_t n = strlen(name);
				if (!strncmp(r->s, "call to ", 8) && !strncmp(r->s + 8, name, n) && r->s[8 + n] == '(' &&
				    load_import(u, name) >= 0)
					return stop(u, OPSQL_UNTRANSLATABLE, t[s].line, "%s", r->s);
			}
		}
		if (open >= s + 3 && px_is_op(&t[open - 2], ".") && t[open - 1].k == TK_NAME) {
			int rc = bind_stmt(u, s, e, open, col);
			if (rc != 1)
				return rc;
		}
		/* <bind>.execute(X) / <bind>.exec_driver_sql(X) */
		if (open >= s + 3 && px_is_op(&t[open - 2], ".") && t[open - 1].k == TK_NAME &&
		    (px_is_name(&t[open - 1], "execute") || px_is_name(&t[open - 1], "exec_driver_sql"))) {
			pe_val *obj = pe_eval(&u->env, t, s, open - 2);
			if (obj->k == PE_BIND) {
				if (px_is_name(&t[open - 1], "exec_driver_sql"))
					return stop(u, u->in_try ? OPSQL_UNTRANSLATABLE : OPSQL_REFUSED, t[open - 1].line,
					            u->in_try ? "try statement whose body raises offline "
					                        "(op.get_bind().exec_driver_sql())"
					                      : "AttributeError: 'MockConnection' object has no "
					                        "attribute 'exec_driver_sql' (op.get_bind() is a "
					                        "mock connection in Alembic's offline mode)");
				px *x = pe_fold(&u->env, t, s, e);
				if (x->k != PX_CALL || x->na != 1 || x->kw[0])
					return stop(u, OPSQL_UNTRANSLATABLE, t[s].line,
					            "op.get_bind().execute() with parameters (Alembic's offline mode "
					            "prints NULL for them)");
				px *callee = px_alloc(u->a, sizeof *callee);
				callee->k = PX_ATTR;
				callee->line = t[s].line;
				callee->s = "execute";
				callee->n = 7;
				callee->obj = px_alloc(u->a, sizeof *callee->obj);
				callee->obj->k = PX_NAME;
				callee->obj->line = t[s].line;
				callee->obj->s = "op";
				callee->obj->n = 2;
				x->obj = callee;
				int mark = u->on;
				if (out_px(u, x, col)) {
					u->on = mark;
					pe_val *a = pe_eval(&u->env, t, open + 1, e - 1);
					return stop(u, OPSQL_UNTRANSLATABLE, t[s].line,
					            "op.get_bind().execute() of %s", a->k == PE_UNKNOWN ? a->s : "an object");
				}
				out_nl(u, t[e - 1].line);
				return 0;
			}
		}
	}
	if (e - s == 1 && t[s].k == TK_STR)
		return 0; /* a docstring */
	if (open > s && noop_call(u, s, e, open))
		return 0;
	out_folded(u, s, e, col);
	return 0;
}

/* Whether t[s..e) calls an op.* method other than op.get_bind() /
 * op.get_context(), or .execute (may write SQL). */
static int effect_tokens(const px_tok *t, int s, int e)
{
	for (int i = s; i < e; i++) {
		if (px_is_name(&t[i], "execute") || px_is_name(&t[i], "exec_driver_sql"))
			return 1;
		if (px_is_name(&t[i], "op") &&
		    !(i + 2 < e && px_is_op(&t[i + 1], ".") &&
		      (px_is_name(&t[i + 2], "get_bind") || px_is_name(&t[i + 2], "get_context"))))
			return 1;
	}
	return 0;
}

/* `import a.b [as c], ...` / `from m import x [as y], ...` in a body binds
 * names as a module-level import does: strata reads such names as written
 * (sa.Column, an application's type or enum), so nothing is emitted; a name
 * the evaluator knew (a value, a helper) is hidden by the import. */
static int body_import(U *u, int s, int e)
{
	const px_tok *t = u->t;
	int k = s + 1;
	if (px_is_name(&t[s], "from")) {
		while (k < e && !px_is_name(&t[k], "import"))
			k++;
		if (k >= e)
			return stop(u, OPSQL_UNTRANSLATABLE, t[s].line, "import statement");
		k++;
		if (k < e && px_is_op(&t[k], "*"))
			return stop(u, OPSQL_UNTRANSLATABLE, t[s].line, "import * in a function");
	}
	/* the bound names: the last name before each top-level ',' (after `as`,
	 * or `import a.b` binds a) */
	int from = px_is_name(&t[s], "from");
	while (k < e) {
		if (px_is_op(&t[k], "(") || px_is_op(&t[k], ")")) {
			k++;
			continue;
		}
		int j = k;
		while (j < e && !px_is_op(&t[j], ",") && !px_is_op(&t[j], ")"))
			j++;
		const px_tok *b = NULL;
		if (j - k >= 3 && px_is_name(&t[j - 2], "as"))
			b = &t[j - 1];
		else if (t[k].k == TK_NAME)
			b = from ? &t[j - 1] : &t[k];
		if (!b || b->k != TK_NAME)
			return stop(u, OPSQL_UNTRANSLATABLE, t[s].line, "import statement");
		char *name = tok_name(u, b);
		if (pe_lookup(&u->env, name) ||
		    (!strcmp(name, "dedent") && !(from && k == s + 3 && px_is_name(&t[s + 1], "textwrap") &&
		                                  j == k + 1 && px_is_name(&t[k], "dedent"))))
			pe_bind(&u->env, name, pe_unknown(&u->env, b->line, "name '%s' (imported)", name));
		k = j + 1;
	}
	return 0;
}

/* One simple statement t[s..e): 1 after `return`. */
static int stmt(U *u, int s, int e, int col)
{
	const px_tok *t = u->t;
	if (s >= e || px_is_name(&t[s], "pass"))
		return 0;
	if (px_is_name(&t[s], "return")) {
		if (e - s == 1 || (e - s == 2 && px_is_name(&t[s + 1], "None")))
			return 1;
		if (u->want_ret) { /* a helper called for its value */
			u->ret = pe_eval(&u->env, t, s + 1, e);
			return 1;
		}
		return stop(u, OPSQL_UNTRANSLATABLE, t[s].line, "return of a value");
	}
	if (px_is_name(&t[s], "import") || px_is_name(&t[s], "from"))
		return body_import(u, s, e);
	int eq = assign_at(t, s, e);
	if (eq > s && assign_at(t, eq + 1, e) < 0) {
		pe_val *v = pe_eval(&u->env, t, eq + 1, e);
		if (v->k == PE_UNKNOWN)
			v = obj_value(u, eq + 1, e, v);
		if (pe_raises(v))
			return raises(u, v, v->line ? v->line : t[s].line);
		if (pe_live(v)) {
			/* x = bind.execute(X): X printed as op.execute(X) prints it; x
			 * (None offline) may not be read */
			int open = call_open(t, eq + 1, e);
			if (open >= eq + 4 && px_is_op(&t[open - 2], ".") && px_is_name(&t[open - 1], "execute") &&
			    pe_eval(&u->env, t, eq + 1, open - 2)->k == PE_BIND) {
				if (expr_stmt(u, eq + 1, e, col))
					return -1;
				bind_targets(u, s, eq, v);
				return 0;
			}
			int te = t[s].k == TK_NAME && s + 1 < eq && px_is_op(&t[s + 1], ":") ? s + 1 : eq;
			return stop(u, OPSQL_UNTRANSLATABLE, t[s].line, "assignment to '%s': %s", text_of(u, s, te),
			            v->s);
		}
		if (v->k != PE_UNKNOWN && bind_targets(u, s, eq, v) == 0)
			return 0; /* known: bound, nothing to emit */
		/* in a helper called for its value: x = <not known> has no SQL
		 * effect unless it calls op or executes; x stays not known, with
		 * the reason */
		if (u->pure && v->k == PE_UNKNOWN && !effect_tokens(t, eq + 1, e) &&
		    bind_targets(u, s, eq, v) == 0) {
			u->pure_unknown++;
			return 0;
		}
		/* a table, op.create_table(...), or what the translator names:
		 * as written (folded), the names now unknown */
		if (v->k == PE_UNKNOWN) {
			char *tname = t[s].k == TK_NAME ? tok_name(u, &t[s]) : NULL;
			pe_val *unk = pe_unknown(&u->env, t[s].line, "name '%s'", tname ? tname : "?");
			bind_targets(u, s, eq, unk);
			if (tname && v->s && u->cur == 0) {
				uasg *r = px_alloc(u->a, sizeof *r);
				*r = (uasg){ tname, v->s, t[s].line, u->asg };
				u->asg = r;
			}
		}
		int mark = u->on;
		px *x = pe_fold(&u->env, t, eq + 1, e);
		for (int i = s; i < eq; i++)
			out_copy(u, &t[i], i == s ? col : -1);
		out_copy(u, &t[eq], -1);
		if (out_px(u, x, -1)) {
			u->on = mark;
			out_range(u, s, e, col);
		} else {
			out_nl(u, t[e - 1].line);
		}
		return 0;
	}
	return expr_stmt(u, s, e, col);
}

/* Statements of one logical line separated by ';'. */
static int stmts(U *u, int s, int e, int col)
{
	int depth = 0, start = s;
	for (int i = s; i <= e; i++) {
		if (i < e) {
			if (px_is_op(&u->t[i], "(") || px_is_op(&u->t[i], "[") || px_is_op(&u->t[i], "{"))
				depth++;
			else if (px_is_op(&u->t[i], ")") || px_is_op(&u->t[i], "]") || px_is_op(&u->t[i], "}"))
				depth--;
		}
		if (i == e || (depth == 0 && px_is_op(&u->t[i], ";"))) {
			int rc = stmt(u, start, i, col);
			if (rc)
				return rc;
			start = i + 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ compound */

/* if / elif / else from line i; *next: the line after the chain. */
static int if_chain(U *u, int i, int to, int col, int *next)
{
	int taken = -1, taken_end = 0, taken_colon = 0, k = i;
	int decided = 0;
	for (;;) {
		uline *L = &u->l[k];
		int j = body_end(u, k, to);
		int colon = header_colon(u->t, L->s, L->e);
		if (colon < 0)
			return stop(u, OPSQL_UNTRANSLATABLE, L->line, "if statement");
		if (!decided) {
			if (px_is_name(&u->t[L->s], "else")) {
				taken = k;
				taken_end = j;
				taken_colon = colon;
				decided = 1;
			} else {
				pe_val *c = pe_eval(&u->env, u->t, L->s + 1, colon);
				int tr = pe_truth(c);
				if (pe_raises(c))
					return raises(u, c, c->line ? c->line : L->line);
				if (tr < 0)
					return stop(u, OPSQL_UNTRANSLATABLE, c->line ? c->line : L->line,
					            "%s on %s: %s%s%s",
					            px_is_name(&u->t[L->s], "if") ? "if" : "elif",
					            text_of(u, L->s + 1, colon), c->s,
					            pe_live(c) || strstr(c->s, "not known") ? "" : " is not known", why(c));
				if (tr) {
					taken = k;
					taken_end = j;
					taken_colon = colon;
					decided = 1;
				}
			}
		}
		k = j;
		if (k < to && u->l[k].indent == u->l[i].indent &&
		    (px_is_name(&u->t[u->l[k].s], "elif") || px_is_name(&u->t[u->l[k].s], "else")) &&
		    !px_is_name(&u->t[L->s], "else"))
			continue;
		break;
	}
	*next = k;
	if (taken < 0)
		return 0;
	return body(u, taken, taken_colon, taken_end, col);
}

/* `for ... in D.keys() / .values() / .items():` of a known dict D in
 * t[s..e): the items it walks (the values, or (key, value) tuples), in
 * insertion order; NULL when t[s..e) is no such call. */
static pe_val *dict_view(U *u, int s, int e)
{
	const px_tok *t = u->t;
	if (e - s < 5 || !px_is_op(&t[e - 1], ")") || !px_is_op(&t[e - 2], "(") || !px_is_op(&t[e - 4], ".") ||
	    !(px_is_name(&t[e - 3], "keys") || px_is_name(&t[e - 3], "values") || px_is_name(&t[e - 3], "items")))
		return NULL;
	pe_val *d = pe_eval(&u->env, t, s, e - 4);
	if (d->k != PE_DICT)
		return NULL;
	pe_val *v = pe_new(&u->env, PE_TUPLE, d->line);
	v->nitems = d->nitems;
	v->items = px_alloc(u->a, (size_t)(d->nitems + 1) * sizeof *v->items);
	for (int j = 0; j < d->nitems; j++) {
		if (px_is_name(&t[e - 3], "keys")) {
			v->items[j] = d->items[j];
		} else if (px_is_name(&t[e - 3], "values")) {
			v->items[j] = d->vals[j];
		} else {
			pe_val *kv = pe_new(&u->env, PE_TUPLE, d->line);
			kv->nitems = 2;
			kv->items = px_alloc(u->a, 2 * sizeof *kv->items);
			kv->items[0] = d->items[j];
			kv->items[1] = d->vals[j];
			v->items[j] = kv;
		}
	}
	return v;
}

/* for TARGETS in ITER: body (an else clause is not modelled). */
static int for_stmt(U *u, int i, int j, int to, int col, int *next)
{
	uline *L = &u->l[i];
	const px_tok *t = u->t;
	*next = j;
	if (j < to && u->l[j].indent == L->indent && px_is_name(&t[u->l[j].s], "else"))
		return stop(u, OPSQL_UNTRANSLATABLE, u->l[j].line, "for ... else");
	int colon = header_colon(t, L->s, L->e);
	int in = -1, depth = 0;
	for (int k = L->s + 1; k < colon && in < 0; k++) {
		if (px_is_op(&t[k], "(") || px_is_op(&t[k], "["))
			depth++;
		else if (px_is_op(&t[k], ")") || px_is_op(&t[k], "]"))
			depth--;
		else if (!depth && px_is_name(&t[k], "in"))
			in = k;
	}
	if (colon < 0 || in < 0)
		return stop(u, OPSQL_UNTRANSLATABLE, L->line, "for loop");
	pe_val *it = dict_view(u, in + 1, colon);
	if (!it)
		it = pe_eval(&u->env, t, in + 1, colon);
	if (pe_raises(it))
		return raises(u, it, it->line ? it->line : L->line);
	if (it->k == PE_DICT) { /* its keys, in insertion order */
		pe_val *keys = pe_new(&u->env, PE_TUPLE, it->line);
		keys->items = it->items;
		keys->nitems = it->nitems;
		it = keys;
	}
	if (it->k != PE_TUPLE && it->k != PE_LIST)
		return stop(u, OPSQL_UNTRANSLATABLE, L->line, "for loop over %s: %s", text_of(u, in + 1, colon),
		            it->k == PE_UNKNOWN ? it->s : "not a literal tuple or list");
	for (int n = 0; n < it->nitems; n++) {
		if (bind_targets(u, L->s + 1, in, it->items[n]))
			return stop(u, OPSQL_UNTRANSLATABLE, L->line, "for loop target %s",
			            text_of(u, L->s + 1, in));
		/* break / continue are not modelled: the translator names them */
		int rc = body(u, i, colon, j, col);
		if (rc)
			return rc;
	}
	return 0;
}

/* try: body, except ...: (not taken), else:, finally: */
static int try_stmt(U *u, int i, int j, int to, int col, int *next)
{
	uline *L = &u->l[i];
	const px_tok *t = u->t;
	int colon = header_colon(t, L->s, L->e);
	if (colon != L->s + 1)
		return stop(u, OPSQL_UNTRANSLATABLE, L->line, "try statement");
	u->in_try++;
	int rc = body(u, i, colon, j, col);
	u->in_try--;
	int k = j;
	while (!rc && k < to && u->l[k].indent == L->indent) {
		const px_tok *h = &t[u->l[k].s];
		int kj = body_end(u, k, to);
		int kc = header_colon(t, u->l[k].s, u->l[k].e);
		if (px_is_name(h, "except")) {
			/* not taken: Alembic's offline run raises nothing in the body */
		} else if (px_is_name(h, "else") || px_is_name(h, "finally")) {
			if (kc != u->l[k].s + 1)
				return stop(u, OPSQL_UNTRANSLATABLE, u->l[k].line, "try statement");
			rc = body(u, k, kc, kj, col);
		} else {
			break;
		}
		k = kj;
	}
	*next = k;
	return rc;
}

/* def NAME(params): remembered; its body runs when it is called. */
static int def_stmt(U *u, int i, int j)
{
	uline *L = &u->l[i];
	const px_tok *t = u->t;
	if (L->e - L->s < 4 || t[L->s + 1].k != TK_NAME || !px_is_op(&t[L->s + 2], "("))
		return stop(u, OPSQL_UNTRANSLATABLE, L->line, "function definition");
	if (u->nf == u->fcap) {
		int cap = u->fcap ? u->fcap * 2 : 8;
		ufunc *f = px_alloc(u->a, (size_t)cap * sizeof *f);
		if (u->nf)
			memcpy(f, u->f, (size_t)u->nf * sizeof *f);
		u->f = f;
		u->fcap = cap;
	}
	ufunc *f = &u->f[u->nf];
	memset(f, 0, sizeof *f);
	f->def = i;
	f->end = j;
	f->mod = u->cur;
	int close = -1, depth = 0;
	for (int k = L->s + 2; k < L->e && close < 0; k++) {
		if (px_is_op(&t[k], "(") || px_is_op(&t[k], "[") || px_is_op(&t[k], "{"))
			depth++;
		else if ((px_is_op(&t[k], ")") || px_is_op(&t[k], "]") || px_is_op(&t[k], "}")) && --depth == 0)
			close = k;
	}
	if (close < 0)
		return stop(u, OPSQL_UNTRANSLATABLE, L->line, "function definition");
	int n = 0;
	for (int k = L->s + 3; k < close; k++)
		n += px_is_op(&t[k], ",");
	f->params = px_alloc(u->a, (size_t)(n + 1) * sizeof *f->params);
	f->defaults = px_alloc(u->a, (size_t)(n + 1) * sizeof *f->defaults);
	f->kwonly = px_alloc(u->a, (size_t)(n + 1) * sizeof *f->kwonly);
	int kwonly = 0, start = L->s + 3;
	for (int k; start < close; start = k + 1) {
		k = px_arg_end(t, start, close);
		if (px_is_op(&t[start], "*") && k == start + 1) {
			kwonly = 1;
		} else if (px_is_op(&t[start], "*") || px_is_op(&t[start], "**") || px_is_op(&t[start], "/")) {
			f->bad = px_is_op(&t[start], "/") ? "positional-only parameters" : "*args / **kwargs";
		} else if (t[start].k == TK_NAME) {
			int eq = -1;
			for (int q = start + 1; q < k && eq < 0; q++)
				if (px_is_op(&t[q], "="))
					eq = q;
			f->params[f->np] = tok_name(u, &t[start]);
			f->defaults[f->np] = eq > 0 ? pe_eval(&u->env, t, eq + 1, k) : NULL;
			f->kwonly[f->np] = kwonly;
			f->np++;
		} else {
			f->bad = "parameter form";
		}
	}
	pe_val *v = pe_new(&u->env, PE_FUNC, L->line);
	v->ref = u->nf++;
	pe_bind(&u->env, tok_name(u, &t[L->s + 1]), v);
	return 0;
}

static int call_helper(U *u, const ufunc *f, int s, int e, int open, const char *name, int col)
{
	const px_tok *t = u->t;
	int line = t[s].line;
	if (f->bad)
		return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s(): its %s", name, f->bad);
	if (u->depth >= MAX_CALL_DEPTH)
		return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s(): calls nested deeper than %d", name,
		            MAX_CALL_DEPTH);
	pe_val **vals = px_alloc(u->a, (size_t)(f->np + 1) * sizeof *vals);
	int npos = 0, start = open + 1;
	for (int k; start < e - 1; start = k + 1) {
		k = px_arg_end(t, start, e - 1);
		if (px_is_op(&t[start], "*") || px_is_op(&t[start], "**"))
			return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s() with argument unpacking", name);
		int at = -1, vs = start;
		if (t[start].k == TK_NAME && start + 1 < k && px_is_op(&t[start + 1], "=")) {
			for (int p = 0; p < f->np; p++)
				if (strlen(f->params[p]) == t[start].n && !strncmp(f->params[p], t[start].p, t[start].n))
					at = p;
			if (at < 0)
				return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s(): no parameter '%.*s'", name,
				            (int)t[start].n, t[start].p);
			vs = start + 2;
		} else {
			while (npos < f->np && f->kwonly[npos])
				npos++;
			if (npos >= f->np || f->kwonly[npos])
				return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s(): too many arguments", name);
			at = npos++;
		}
		if (vals[at])
			return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s(): '%s' given twice", name, f->params[at]);
		vals[at] = pe_eval(&u->env, t, vs, k);
		if (vals[at]->k == PE_UNKNOWN)
			vals[at] = obj_value(u, vs, k, vals[at]);
	}
	for (int p = 0; p < f->np; p++) {
		if (!vals[p])
			vals[p] = f->defaults[p];
		if (!vals[p])
			return stop(u, OPSQL_UNTRANSLATABLE, line, "call to %s(): missing argument '%s'", name,
			            f->params[p]);
	}
	int want = u->want_ret; /* called as a statement: its value is dropped */
	u->want_ret = 0;
	int rc = run_helper(u, f, vals, col);
	u->want_ret = want;
	return rc;
}

/* The body of f with its parameters bound to vals, in its own module: the
 * helper sees its module's names and its parameters, as in Python. */
static int run_helper(U *u, const ufunc *f, pe_val **vals, int col)
{
	pe_scope *saved = u->env.scope;
	const px_tok *st = u->t;
	uline *sl = u->l;
	int snl = u->nl, scur = u->cur;
	umod *M = &u->m[f->mod];
	u->t = M->t;
	u->l = M->l;
	u->nl = M->nl;
	u->cur = f->mod;
	u->env.scope = M->scope;
	pe_push(&u->env);
	for (int p = 0; p < f->np; p++)
		pe_bind(&u->env, f->params[p], vals[p]);
	u->depth++;
	int next = u->next, line_end = u->line_end;
	uline *D = &u->l[f->def];
	int colon = header_colon(u->t, D->s, D->e);
	int rc = colon < 0 ? stop(u, OPSQL_UNTRANSLATABLE, D->line, "function definition")
	                   : body(u, f->def, colon, f->end, col);
	u->depth--;
	u->next = next;
	u->line_end = line_end;
	u->env.scope = saved;
	u->t = st;
	u->l = sl;
	u->nl = snl;
	u->cur = scur;
	return rc == 1 ? 0 : rc; /* its return ends it, not the caller */
}

/* Python's binding of evaluated arguments to f's parameters: 0, or -1 with
 * *why set. */
static int bind_values(U *u, const ufunc *f, const char *name, const pe_args *a, pe_val **vals,
                       int line, pe_val **why)
{
	int npos = 0;
	for (int j = 0; j < a->npos; j++) {
		while (npos < f->np && f->kwonly[npos])
			npos++;
		if (npos >= f->np) {
			*why = pe_unknown(&u->env, line, "call to %s(): too many arguments", name);
			return -1;
		}
		vals[npos++] = a->pos[j];
	}
	for (int j = 0; j < a->nkw; j++) {
		int at = -1;
		for (int p = 0; p < f->np; p++)
			if (!strcmp(f->params[p], a->kw[j]))
				at = p;
		if (at < 0 || vals[at]) {
			*why = pe_unknown(&u->env, line, at < 0 ? "call to %s(): no parameter '%s'"
			                                        : "call to %s(): '%s' given twice",
			                  name, a->kw[j]);
			return -1;
		}
		vals[at] = a->kwv[j];
	}
	for (int p = 0; p < f->np; p++) {
		if (!vals[p])
			vals[p] = f->defaults[p];
		if (!vals[p]) {
			*why = pe_unknown(&u->env, line, "call to %s(): missing argument '%s'", name, f->params[p]);
			return -1;
		}
	}
	return 0;
}

static int load_import(U *u, const char *name);

/* name is dedent and the module being read imports another dedent at
 * module level (`from inspect import cleandoc as dedent`): pyeval.c reads
 * a bare dedent() as textwrap's. */
static int not_from_textwrap(const U *u, const char *name)
{
	if (strcmp(name, "dedent"))
		return 0;
	const char *text = u->cur ? u->m[u->cur].text : u->oenv ? u->oenv->text : NULL;
	size_t len = u->cur ? u->m[u->cur].len : u->oenv ? u->oenv->len : 0;
	char dotted[300];
	return text && !pe_import_of(text, len, name, dotted, sizeof dotted) && strcmp(dotted, "textwrap.dedent");
}

/* pyeval.h's pe_call_fn: a helper called in an expression runs for its
 * value; it may compute (assignments, if, for, return) but nothing it does
 * may write SQL, and what stops it makes the value not known, naming why. */
static pe_val *call_expr(pe_env *env, const pe_val *fn, const char *name, const pe_args *a, int line)
{
	U *u = env->ud;
	int ref = fn ? fn->ref : load_import(u, name);
	if (ref < 0 && !fn && not_from_textwrap(u, name))
		return pe_unknown(env, line, "call to %s(), which is not textwrap.%s", name, name);
	if (ref < 0)
		return NULL;
	const ufunc *f = &u->f[ref];
	if (f->bad)
		return pe_unknown(env, line, "call to %s(): its %s", name, f->bad);
	if (u->depth >= MAX_CALL_DEPTH)
		return pe_unknown(env, line, "call to %s(): calls nested deeper than %d", name, MAX_CALL_DEPTH);
	pe_val **vals = px_alloc(u->a, (size_t)(f->np + 1) * sizeof *vals);
	pe_val *why = NULL;
	if (bind_values(u, f, name, a, vals, line, &why))
		return why;
	int status = u->status, sline = u->line, want = u->want_ret, dead = env->dead;
	char reason[sizeof u->reason];
	memcpy(reason, u->reason, sizeof reason);
	pe_val *ret = u->ret;
	int mark = u->on;
	u->status = OPSQL_OK;
	u->want_ret = 1;
	u->ret = NULL;
	u->pure++;
	env->dead = 0;
	run_helper(u, f, vals, 4);
	u->pure--;
	env->dead = dead;
	pe_val *v = u->ret ? u->ret : pe_new(env, PE_NONE, line);
	if (v->k == PE_UNKNOWN && strncmp(v->s, "call to ", 8)) /* at the call, naming it */
		v = pe_unknown(env, line, "call to %s(): %s", name, v->s);
	if (u->status != OPSQL_OK)
		v = pe_unknown(env, line, "call to %s(): %s", name, u->reason);
	else if (u->on != mark)
		v = pe_unknown(env, line, "call to %s(): the value of a helper whose body runs statements (op.* calls, "
		               "raise, ...) is not known",
		               name);
	u->on = mark;
	u->status = status;
	u->line = sline;
	memcpy(u->reason, reason, sizeof reason);
	u->want_ret = want;
	u->ret = ret;
	return v;
}

/* Lines [from, to), emitted at indentation col: 0, 1 after `return`, -1
 * when stopped. */
static int block(U *u, int from, int to, int col)
{
	int i = from;
	while (i < to) {
		uline *L = &u->l[i];
		const px_tok *h = &u->t[L->s];
		int j = body_end(u, i, to), next = j, rc;
		if (px_is_name(h, "if")) {
			rc = if_chain(u, i, to, col, &next);
		} else if (px_is_name(h, "for")) {
			rc = for_stmt(u, i, j, to, col, &next);
		} else if (px_is_name(h, "try")) {
			rc = try_stmt(u, i, j, to, col, &next);
		} else if (px_is_name(h, "def")) {
			rc = def_stmt(u, i, j);
		} else if (px_is_name(h, "with")) {
			int colon = header_colon(u->t, L->s, L->e);
			if (colon < 0) {
				out_lines(u, i, j, col);
				rc = 0;
			} else {
				int as = -1;
				for (int k = L->s + 1; k < colon; k++)
					if (px_is_name(&u->t[k], "as"))
						as = k;
				int xe = as > 0 ? as : colon;
				pe_val *sv = pe_eval(&u->env, u->t, L->s + 1, xe);
				if (sv->k == PE_SESSION) {
					/* with session [as s]: the body (Session.__enter__ is the
					 * session; __exit__ closes it, which prints nothing) */
					if (as > 0 && bind_targets(u, as + 1, colon, sv))
						return stop(u, OPSQL_UNTRANSLATABLE, L->line, "with statement target");
					rc = body(u, i, colon, j, col);
					if (rc)
						return rc;
					i = next;
					continue;
				}
				px *x = pe_fold(&u->env, u->t, L->s + 1, xe);
				int mark = u->on;
				out_copy(u, h, col);
				if (out_px(u, x, -1)) {
					u->on = mark;
					out_copy(u, h, col);
					for (int k = L->s + 1; k < xe; k++)
						out_copy(u, &u->t[k], -1);
				}
				for (int k = xe; k <= colon; k++)
					out_copy(u, &u->t[k], -1);
				out_nl(u, L->line);
				rc = body(u, i, colon, j, col + 4);
			}
		} else if (j > i + 1 || (L->e > L->s && px_is_op(&u->t[L->e - 1], ":"))) {
			out_lines(u, i, j, col); /* while, class, ...: the translator names it */
			rc = 0;
		} else {
			u->next = j < to ? j : -1;
			u->line_end = L->e;
			rc = stmts(u, L->s, L->e, col);
		}
		if (rc)
			return rc;
		i = next;
	}
	return 0;
}

/* ---------------------------------------------------------- the module */

/* Module-level names: literal assignments and functions, in order. */
static void module_names(U *u)
{
	for (int k = 0; k < u->nl; k++) {
		uline *L = &u->l[k];
		if (L->indent != 0)
			continue;
		const px_tok *t = u->t;
		if (px_is_name(&t[L->s], "def")) {
			int st = u->status;
			def_stmt(u, k, body_end(u, k, u->nl));
			u->status = st;
			continue;
		}
		int eq = assign_at(t, L->s, L->e);
		if (eq > L->s && assign_at(t, eq + 1, L->e) < 0 && t[L->s].k == TK_NAME) {
			pe_val *v = pe_eval(&u->env, t, eq + 1, L->e);
			if (v->k == PE_UNKNOWN)
				v = obj_value(u, eq + 1, L->e, v);
			if (v->k == PE_UNKNOWN)
				v = pe_unknown(&u->env, L->line, "name '%.*s'", (int)t[L->s].n, t[L->s].p);
			if (bind_targets(u, L->s, eq, v))
				continue;
		}
	}
}

/* The logical lines of tokens t (n of them), in the arena. */
static uline *lines_of(U *u, const px_tok *t, int n, int *nl)
{
	uline *l = px_alloc(u->a, (size_t)(n + 1) * sizeof *l);
	*nl = 0;
	for (int i = 0; i < n && t[i].k != TK_EOF;) {
		int s = i;
		while (t[i].k != TK_NL && t[i].k != TK_EOF)
			i++;
		if (i > s)
			l[(*nl)++] = (uline){ s, i, t[s].col, t[s].line };
		if (t[i].k == TK_NL)
			i++;
	}
	return l;
}

static int add_module(U *u, const px_tok *t, uline *l, int nl, pe_scope *scope, const char *path)
{
	if (u->nm == u->mcap) {
		int cap = u->mcap ? u->mcap * 2 : 4;
		umod *m = px_alloc(u->a, (size_t)cap * sizeof *m);
		if (u->nm)
			memcpy(m, u->m, (size_t)u->nm * sizeof *m);
		u->m = m;
		u->mcap = cap;
	}
	u->m[u->nm] = (umod){ t, l, nl, scope, path, NULL, 0 };
	return u->nm++;
}

static void module_names(U *u);

/* The application's file path read into the arena as a module of U (its
 * module-level names and functions read): its index, or -1. */
static int read_module(U *u, const char *path)
{
	for (int k = 1; k < u->nm; k++)
		if (!strcmp(u->m[k].path, path))
			return k;
	pe_fs_probes++;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	size_t cap = 8192, n = 0;
	char *text = px_alloc(u->a, cap);
	for (;;) {
		n += fread(text + n, 1, cap - n, fp);
		if (n < cap)
			break;
		char *more = px_alloc(u->a, cap * 2);
		memcpy(more, text, n);
		text = more;
		cap *= 2;
	}
	fclose(fp);
	px_toks tk;
	char err[128];
	int errline = 0;
	if (px_tokenize(u->a, text, n, &tk, err, sizeof err, &errline))
		return -1;
	int nl;
	uline *l = lines_of(u, tk.t, tk.n, &nl);
	pe_scope *scope = px_alloc(u->a, sizeof *scope);
	int k = add_module(u, tk.t, l, nl, scope, px_strndup(u->a, path, strlen(path)));
	u->m[k].text = text;
	u->m[k].len = n;
	/* its names, read in its own scope */
	const px_tok *st = u->t;
	uline *sl = u->l;
	int snl = u->nl, scur = u->cur, status = u->status;
	pe_scope *saved = u->env.scope;
	u->t = tk.t;
	u->l = l;
	u->nl = nl;
	u->cur = k;
	u->env.scope = scope;
	module_names(u);
	u->env.scope = saved;
	u->t = st;
	u->l = sl;
	u->nl = snl;
	u->cur = scur;
	u->status = status;
	return k;
}

/* The function `name` that the revision imports from the application
 * (pyenum.h's resolution of `from app.m import name`): its index in U.f,
 * or -1 (not imported, or not from a file under the repository). */
static int load_import(U *u, const char *name)
{
	for (int j = 0; j < u->nimp; j++)
		if (!strcmp(u->imp[j].name, name))
			return u->imp[j].ref;
	int ref = -1;
	if (u->oenv && u->oenv->path && u->oenv->text) {
		char **own = u->oenv->roots ? NULL : pe_roots(u->oenv->path);
		const char *const *roots = u->oenv->roots ? u->oenv->roots : (const char *const *)own;
		char *file = NULL, why[300];
		int line = 0;
		if (roots && !pe_find_def(u->oenv->path, u->oenv->text, u->oenv->len, roots, name, &file, &line,
		                          why, sizeof why) &&
		    strcmp(file, u->oenv->path)) {
			char *kept = px_strndup(u->a, file, strlen(file));
			free(file);
			file = NULL;
			pe_roots_free(own);
			own = NULL;
			int k = read_module(u, kept);
			for (int j = 0; k > 0 && j < u->nf && ref < 0; j++)
				if (u->f[j].mod == k && u->m[k].l[u->f[j].def].line == line)
					ref = j;
		}
		free(file);
		pe_roots_free(own);
	}
	if (u->nimp == u->impcap) {
		int cap = u->impcap ? u->impcap * 2 : 8;
		uimp *m = px_alloc(u->a, (size_t)cap * sizeof *m);
		if (u->nimp)
			memcpy(m, u->imp, (size_t)u->nimp * sizeof *m);
		u->imp = m;
		u->impcap = cap;
	}
	u->imp[u->nimp++] = (uimp){ px_strndup(u->a, name, strlen(name)), ref };
	return ref;
}

/* Module k binds name once: one logical line starts with it (`NAME = ...`
 * at column 0, no NAME.append(), NAME += ..., NAME[i] = ... anywhere), no
 * import, global, for, with or del statement names it, and no star import
 * follows it. */
static int bound_once(const U *u, int k, const char *name)
{
	const umod *M = &u->m[k];
	int starts = 0;
	for (int j = 0; j < M->nl; j++) {
		const uline *L = &M->l[j];
		const px_tok *t = M->t;
		if (px_is_name(&t[L->s], name))
			starts++;
		if (starts && px_is_name(&t[L->s], "from") && px_is_op(&t[L->e - 1], "*"))
			return 0; /* a star import after it may bind it again */
		if (px_is_name(&t[L->s], "import") || px_is_name(&t[L->s], "from") || px_is_name(&t[L->s], "global") ||
		    px_is_name(&t[L->s], "del") || px_is_name(&t[L->s], "for") || px_is_name(&t[L->s], "with"))
			for (int i = L->s + 1; i < L->e; i++)
				if (px_is_name(&t[i], name))
					return 0;
	}
	return starts == 1;
}

static int literal_value(const pe_val *x)
{
	if (x->k == PE_TUPLE || x->k == PE_LIST || x->k == PE_DICT) {
		for (int j = 0; j < x->nitems; j++)
			if (!literal_value(x->items[j]) || (x->k == PE_DICT && !literal_value(x->vals[j])))
				return 0;
		return 1;
	}
	return x->k == PE_NONE || x->k == PE_BOOL || x->k == PE_INT || x->k == PE_FLOAT || x->k == PE_STR;
}

/* Why the value module k assigns to name on line at is not known: its
 * expression evaluated again in the module's scope ("a dict or set
 * display"). */
static const char *assigned_why(U *u, int k, int at, const char *name)
{
	const umod *M = &u->m[k];
	for (int j = 0; j < M->nl; j++) {
		const uline *L = &M->l[j];
		if (L->line != at || L->indent || !px_is_name(&M->t[L->s], name))
			continue;
		int eq = assign_at(M->t, L->s, L->e);
		if (eq < 0)
			break;
		pe_scope *saved = u->env.scope;
		u->env.scope = M->scope;
		pe_val *v = pe_eval(&u->env, M->t, eq + 1, L->e);
		u->env.scope = saved;
		if (v->k == PE_UNKNOWN && v->s)
			return v->s;
		break;
	}
	return "its value is not known";
}

/* pyeval.h's name hook: a plain name that the module being read imports
 * from a file of the application, which assigns it once at module level
 * to a value pe_eval() knows (None, bool, int, float, str, or a tuple or
 * list of them); NULL when it is not such an import. */
static pe_val *name_expr(pe_env *env, const char *name, int line)
{
	U *u = env->ud;
	const char *path = u->cur ? u->m[u->cur].path : u->oenv ? u->oenv->path : NULL;
	if (!path || u->depth >= MAX_CALL_DEPTH)
		return NULL;
	char **own = u->oenv && u->oenv->roots ? NULL : pe_roots(path);
	const char *const *roots = u->oenv && u->oenv->roots ? u->oenv->roots : (const char *const *)own;
	char *file = NULL, why[300];
	int at = 0;
	pe_val *v = NULL;
	if (roots && !pe_find_assign(path, u->cur ? NULL : u->oenv->text, u->cur ? 0 : u->oenv->len, roots, name,
	                             &file, &at, why, sizeof why) &&
	    strcmp(file, path)) {
		char *kept = px_strndup(u->a, file, strlen(file));
		u->depth++;
		int k = read_module(u, kept);
		u->depth--;
		if (k > 0) {
			pe_scope *saved = env->scope;
			env->scope = u->m[k].scope;
			pe_val *x = pe_lookup(env, name);
			env->scope = saved;
			if (!bound_once(u, k, name))
				v = pe_unknown(env, line, "name '%s' from %s:%d: bound more than once there", name, kept, at);
			else if (x && x->k == PE_UNKNOWN)
				v = pe_unknown(env, line, "name '%s' from %s:%d: %s", name, kept, at, assigned_why(u, k, at, name));
			else if (x && literal_value(x))
				v = x;
			else if (x)
				v = pe_unknown(env, line, "name '%s' from %s:%d: not a literal value", name, kept, at);
		}
	}
	free(file);
	pe_roots_free(own);
	return v;
}

/* Python's module name of a revision: Alembic loads it as
 * re.sub(r"\W", "_", filename) (util/pyfiles.py, load_python_file). NULL
 * when a character is not ASCII (\w is Unicode's there). */
static char *module_id(U *u, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *id = px_strndup(u->a, b, strlen(b));
	for (char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80)
			return NULL;
		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			*p = '_';
	}
	return id;
}

/* The parameters of the def on line def (its header ends at colon) that
 * the source's arguments: (KEY=VALUE lines) give as noop, NULL-terminated;
 * NULL when none. */
static const char *const *noop_params(U *u, int def, int colon, const char *lines)
{
	const char **v = NULL;
	int n = 0;
	for (const char *p = lines; p && *p;) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq && end - eq == 5 && !strncmp(eq + 1, "noop", 4)) {
			for (int i = u->l[def].s + 3; i < colon; i++)
				if (u->t[i].k == TK_NAME && u->t[i].n == (size_t)(eq - p) &&
				    !strncmp(u->t[i].p, p, u->t[i].n)) {
					const char **w = px_alloc(u->a, (size_t)(n + 2) * sizeof *w);
					if (n)
						memcpy(w, v, (size_t)n * sizeof *w);
					w[n++] = px_strndup(u->a, p, (size_t)(eq - p));
					w[n] = NULL;
					v = w;
					break;
				}
		}
		p = nl ? nl + 1 : end;
	}
	return v;
}

typedef struct targs {
	const char *fn, *assume;
	opsql_dialect dialect;
	opsql_result *out;
	char *err;
	size_t errsize;
	int *errline;
} targs;

static int translate_tokens(const px_toks *tk, void *ud)
{
	targs *a = ud;
	return unroll_translate_toks(tk, a->fn, a->dialect, a->assume, a->out, a->err, a->errsize,
	                             a->errline);
}

int unroll_translate(const char *text, size_t len, const char *fn, opsql_dialect dialect,
                     const char *assume, opsql_result *out, char *err, size_t errsize,
                     int *errline)
{
	memset(out, 0, sizeof *out);
	targs a = { fn, assume, dialect, out, err, errsize, errline };
	return px_with_tokens(text, len, translate_tokens, &a, err, errsize, errline);
}

int unroll_translate_toks(const px_toks *tk, const char *fn, opsql_dialect dialect,
                          const char *assume, opsql_result *out, char *err, size_t errsize,
                          int *errline)
{
	return unroll_translate_env(tk, fn, dialect, assume, NULL, out, err, errsize, errline);
}

int unroll_translate_env(const px_toks *tk, const char *fn, opsql_dialect dialect,
                         const char *assume, const opsql_env *env, opsql_result *out, char *err,
                         size_t errsize, int *errline)
{
	memset(out, 0, sizeof *out);
	if (err && errsize)
		err[0] = 0;
	if (errline)
		*errline = 0;
	jmp_buf oom;
	px_arena arena = { .oom = &oom };
	if (setjmp(oom)) {
		px_arena_free(&arena);
		memset(out, 0, sizeof *out);
		if (err && errsize)
			snprintf(err, errsize, "out of memory");
		if (errline)
			*errline = 0;
		return -1;
	}
	U u;
	memset(&u, 0, sizeof u);
	u.a = &arena;
	u.t = tk->t;
	pe_env_init(&u.env, &arena, dialect == OPSQL_SQLITE ? "sqlite" : "postgresql");
	pe_assume_lines(&u.env, assume);
	u.env.dialect_attrs = opsql_py_dialect(dialect);
	u.l = px_alloc(&arena, (size_t)(tk->n + 1) * sizeof *u.l);
	for (int i = 0; i < tk->n && tk->t[i].k != TK_EOF;) {
		int s = i;
		while (tk->t[i].k != TK_NL && tk->t[i].k != TK_EOF)
			i++;
		if (i > s)
			u.l[u.nl++] = (uline){ s, i, tk->t[s].col, tk->t[s].line };
		if (tk->t[i].k == TK_NL)
			i++;
	}
	int def = -1;
	for (int k = 0; k < u.nl; k++) {
		uline *L = &u.l[k];
		if (L->indent == 0 && L->e - L->s >= 3 && px_is_name(&u.t[L->s], "def") &&
		    px_is_name(&u.t[L->s + 1], fn) && px_is_op(&u.t[L->s + 2], "("))
			def = k;
	}
	int colon = def >= 0 ? header_colon(u.t, u.l[def].s, u.l[def].e) : -1;
	if (colon < 0) { /* no such function, or one the translator reports */
		px_arena_free(&arena);
		return opsql_translate_env(tk, fn, dialect, env, out, err, errsize, errline);
	}
	int end = body_end(&u, def, u.nl);
	if (colon + 1 < u.l[def].e && end > def + 1) { /* the translator names the indent */
		px_arena_free(&arena);
		return opsql_translate_env(tk, fn, dialect, env, out, err, errsize, errline);
	}
	add_module(&u, u.t, u.l, u.nl, u.env.scope, NULL);
	u.env.noops = noop_params(&u, def, colon, env ? env->arguments : NULL);
	u.oenv = env;
	u.env.call = call_expr;
	u.env.name = name_expr;
	u.env.ud = &u;
	char *id = env && env->path ? module_id(&u, env->path) : NULL;
	if (id)
		pe_bind(&u.env, "__name__", pe_strval(&u.env, id, strlen(id), 0));
	module_names(&u);
	u.status = OPSQL_OK;

	/* the module up to the def's header, the decided body, the rest */
	for (int k = 0; k < def; k++)
		out_range(&u, u.l[k].s, u.l[k].e, -1);
	for (int i = u.l[def].s; i <= colon; i++)
		out_copy(&u, &u.t[i], -1);
	out_nl(&u, u.l[def].line);
	pe_push(&u.env);
	body(&u, def, colon, end, 4); /* 1 after a return: the body ends there */
	for (int k = end; k < u.nl; k++)
		out_range(&u, u.l[k].s, u.l[k].e, -1);
	px_tok *eof = out_tok(&u);
	eof->k = TK_EOF;
	eof->line = u.nl ? u.l[u.nl - 1].line + 1 : 1;
	/* Stopped or not, what was emitted runs first: a construct the
	 * translator cannot take there comes before the stop, in file order. */
	px_toks mine = { u.o, u.on };
	int ret = opsql_translate_env(&mine, fn, dialect, env, out, err, errsize, errline);
	if (!ret && out->status == OPSQL_UNTRANSLATABLE)
		for (const uasg *r = u.asg; r; r = r->next) {
			char want[300];
			snprintf(want, sizeof want, "assignment to '%s'", r->name);
			if (r->line == out->line && !strcmp(out->reason, want)) {
				snprintf(out->reason, sizeof out->reason, "%s: %s", want, r->why);
				break;
			}
		}
	if (!ret && u.status != OPSQL_OK && out->status == OPSQL_OK) {
		opsql_result_free(out);
		memset(out, 0, sizeof *out);
		out->status = (opsql_status)u.status;
		out->line = u.line;
		snprintf(out->reason, sizeof out->reason, "%s", u.reason);
	}
	px_arena_free(&arena);
	return ret;
}
