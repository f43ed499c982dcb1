/* The members of an application's enum class, from its source (pyenum.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pyenum.h"
#include "pyexpr.h"

#define MAX_DEPTH 16

typedef struct pe_ctx {
	const char *const *roots;
	int omit_aliases;
	int depth;
	pe_enum *out;
	char *why;
	size_t whysize;
	pe_typedec *td; /* pe_resolve_typedec(): a TypeDecorator is looked for */
	const char *kind; /* "enum class", or "function" for pe_find_def() */
	int want_def;     /* pe_find_def(): a module-level `def`, not a class; 2: pe_find_assign() */
	char *def_file;   /* what it found: the file (malloc'd) and the line */
	int def_line;
} pe_ctx;

/* What the messages call what is looked for. */
#define KIND(c) ((c)->td ? "TypeDecorator" : (c)->kind)

static int fail(pe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(pe_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, c->whysize, fmt, ap);
	va_end(ap);
	return -1;
}

_Thread_local unsigned pe_fs_probes;

static int is_file(const char *p)
{
	struct stat st;
	pe_fs_probes++;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *p)
{
	struct stat st;
	pe_fs_probes++;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *slurp(const char *path, size_t *len)
{
	pe_fs_probes++;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap *= 2);
		if (!nb) {
			free(buf);
			buf = NULL;
		} else
			buf = nb;
	}
	fclose(f);
	if (buf)
		*len = n;
	return buf;
}

/* ----------------------------------------------------- modules to files */

/* root/a/b.py or root/a/b/__init__.py for the dotted module a.b; 1 found. */
static int module_in(const char *root, const char *mod, char *out, size_t size)
{
	char rel[1024];
	snprintf(rel, sizeof rel, "%s", mod);
	for (char *p = rel; *p; p++)
		if (*p == '.')
			*p = '/';
	snprintf(out, size, "%s/%s.py", root, rel);
	if (is_file(out))
		return 1;
	snprintf(out, size, "%s/%s/__init__.py", root, rel);
	return is_file(out);
}

static void dirname_of(const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s", path);
	char *s = strrchr(out, '/');
	if (s && s != out)
		*s = '\0';
	else
		snprintf(out, size, "%s", s ? "/" : ".");
}

/* The file of module mod (dots: how many leading dots, a relative import)
 * imported from file from; 1 found, 0 not. */
static int module_file(pe_ctx *c, const char *from, int dots, const char *mod, char *out, size_t size)
{
	if (dots) {
		char base[1024];
		dirname_of(from, base, sizeof base);
		for (int i = 1; i < dots; i++) {
			char up[1024];
			dirname_of(base, up, sizeof up);
			snprintf(base, sizeof base, "%s", up);
		}
		if (!*mod) {
			snprintf(out, size, "%s/__init__.py", base);
			return is_file(out);
		}
		return module_in(base, mod, out, size);
	}
	for (int i = 0; c->roots && c->roots[i]; i++)
		if (module_in(c->roots[i], mod, out, size))
			return 1;
	return 0;
}

/* ----------------------------------------------------- the tokens */

typedef struct line {
	int b, e; /* tokens [b, e), e at the TK_NL / TK_EOF */
} line;

static int next_line(const px_toks *tk, int i, line *l)
{
	if (i >= tk->n || tk->t[i].k == TK_EOF)
		return 0;
	l->b = i;
	while (i < tk->n && tk->t[i].k != TK_NL && tk->t[i].k != TK_EOF)
		i++;
	l->e = i;
	return 1;
}

/* The statements of the body of the class whose header is cls, at the
 * body's own indent (lines of its methods and nested blocks are skipped):
 * with *col = -1 the first, then the one after *m; 0 at the body's end. */
static int class_stmt(const px_toks *tk, line cls, int *col, line *m)
{
	const px_tok *t = tk->t;
	for (int j = *col < 0 ? cls.e + 1 : m->e + 1; next_line(tk, j, m); j = m->e + 1) {
		if (m->b == m->e)
			continue;
		int c = t[m->b].col;
		if (c <= t[cls.b].col)
			return 0;
		if (*col < 0)
			*col = c;
		if (c == *col)
			return 1;
	}
	return 0;
}

static int tok_is(const px_tok *t, px_tokkind k, const char *s)
{
	return t->k == k && t->n == strlen(s) && !memcmp(t->p, s, t->n);
}

/* A dotted name at t[*i] into buf; 0 when none. */
static int dotted_at(const px_toks *tk, int *i, int end, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	while (*i < end && tk->t[*i].k == TK_NAME) {
		o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%.*s", o ? "." : "",
		                      (int)tk->t[*i].n, tk->t[*i].p);
		(*i)++;
		if (*i + 1 < end && tok_is(&tk->t[*i], TK_OP, ".") && tk->t[*i + 1].k == TK_NAME)
			(*i)++;
		else
			break;
	}
	return o > 0 && o < size;
}

/* ----------------------------------------------------- one file */

typedef struct file_job {
	pe_ctx *c;
	const char *path; /* display and base of relative imports */
	const char *name; /* what to find: "Status" or "enums.Status" */
	int found;        /* set when the lookup ended (either way) */
	int rc;
} file_job;

static int find_in(pe_ctx *c, const char *path, const char *text, size_t len, const char *name);

static int known_enum_base(const char *b)
{
	static const char *const bases[] = { "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", NULL };
	const char *last = strrchr(b, '.');
	last = last ? last + 1 : b;
	for (int i = 0; bases[i]; i++)
		if (!strcmp(last, bases[i]))
			return 1;
	return 0;
}

static int sunder_dunder_private(const char *n, const char *cls)
{
	size_t l = strlen(n);
	if (l > 2 && n[0] == '_' && n[l - 1] == '_')
		return 1; /* _sunder_ and __dunder__ */
	char priv[256];
	snprintf(priv, sizeof priv, "_%s__", cls);
	return !strncmp(n, priv, strlen(priv));
}

/* Python's == on the literal values members may have, for aliases. */
static int same_value(const px *a, const px *b)
{
	int an = a->k == PX_INT || a->k == PX_BOOL || a->k == PX_FLOAT;
	int bn = b->k == PX_INT || b->k == PX_BOOL || b->k == PX_FLOAT;
	if (an && bn) {
		double x = a->k == PX_FLOAT ? a->fv : (double)a->iv, y = b->k == PX_FLOAT ? b->fv : (double)b->iv;
		return x == y;
	}
	if (a->k != b->k)
		return 0;
	switch (a->k) {
	case PX_NONE:
		return 1;
	case PX_STR:
		return a->bytes == b->bytes && a->n == b->n && !memcmp(a->s, b->s, a->n);
	case PX_TUPLE:
		if (a->na != b->na)
			return 0;
		for (int i = 0; i < a->na; i++)
			if (!same_value(a->a[i], b->a[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static int literal(const px *v)
{
	if (v->k == PX_TUPLE) {
		for (int i = 0; i < v->na; i++)
			if (!literal(v->a[i]))
				return 0;
		return 1;
	}
	return (v->k == PX_INT || v->k == PX_BOOL || v->k == PX_FLOAT || v->k == PX_STR || v->k == PX_NONE) &&
	       !v->fstr;
}

static int add_member(pe_ctx *c, const char *name)
{
	char **m = realloc(c->out->members, (size_t)(c->out->n + 1) * sizeof *m);
	if (!m)
		return fail(c, "out of memory");
	c->out->members = m;
	if (!(m[c->out->n] = strdup(name)))
		return fail(c, "out of memory");
	c->out->n++;
	return 0;
}

/* The body of `class NAME(bases):` starting at line l. */
static int read_class(pe_ctx *c, px_arena *a, const px_toks *tk, const char *path, const char *text,
                      size_t len, line l, const char *cls)
{
	const px_tok *t = tk->t;
	int i = l.b + 2, classline = t[l.b].line;
	if (i >= l.e || !tok_is(&t[i], TK_OP, "("))
		return fail(c, "enum class %s (%s:%d) has no enum.Enum base", cls, path, classline);
	i++;
	int is_enum = 0;
	while (i < l.e && !tok_is(&t[i], TK_OP, ")")) {
		char base[256];
		int bi = i;
		if (dotted_at(tk, &i, l.e, base, sizeof base)) {
			if (known_enum_base(base))
				is_enum = 1;
			else if (strcmp(base, "str") && strcmp(base, "int") && strcmp(base, "object")) {
				/* an enum of the application's own without members */
				pe_enum saved = *c->out;
				memset(c->out, 0, sizeof *c->out);
				int rc = find_in(c, path, text, len, base);
				int n = c->out->n;
				pe_free(c->out);
				*c->out = saved;
				if (rc)
					return rc;
				if (n)
					return fail(c, "enum class %s (%s:%d) extends %s, which has members", cls, path,
					            classline, base);
				is_enum = 1;
			}
		} else if (i == bi)
			i++;
		if (i < l.e && tok_is(&t[i], TK_OP, ","))
			i++;
		else if (i < l.e && !tok_is(&t[i], TK_OP, ")")) /* metaclass=, a call, ... */
			return fail(c, "bases of enum class %s (%s:%d)", cls, path, classline);
	}
	if (!is_enum)
		return fail(c, "class %s (%s:%d) is not an enum.Enum", cls, path, classline);
	if (i + 2 != l.e || !tok_is(&t[i + 1], TK_OP, ":"))
		return fail(c, "enum class %s (%s:%d) on one line", cls, path, classline);
	int body_col = -1, with_auto = 0, with_number = 0;
	px **vals = NULL;
	int nvals = 0;
	line m;
	while (class_stmt(tk, l, &body_col, &m)) {
		const px_tok *f = &t[m.b];
		if ((f->k == TK_STR && m.e == m.b + 1) || tok_is(f, TK_NAME, "pass") || tok_is(f, TK_OP, "@") ||
		    tok_is(f, TK_NAME, "def") || tok_is(f, TK_NAME, "async") || tok_is(f, TK_NAME, "class"))
			continue;
		if (f->k != TK_NAME || m.e < m.b + 2)
			return fail(c, "statement in enum class %s (%s:%d)", cls, path, f->line);
		int k = m.b + 1;
		if (tok_is(&t[k], TK_OP, ":")) { /* NAME: annotation [= value] */
			while (k < m.e && !tok_is(&t[k], TK_OP, "="))
				k++;
			if (k == m.e)
				continue; /* an annotation alone is no member */
		}
		if (!tok_is(&t[k], TK_OP, "="))
			return fail(c, "statement in enum class %s (%s:%d)", cls, path, f->line);
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)f->n, f->p);
		if (!strcmp(name, "_ignore_"))
			return fail(c, "_ignore_ in enum class %s (%s:%d)", cls, path, f->line);
		if (sunder_dunder_private(name, cls))
			continue;
		int vi = k + 1;
		px *v = px_parse_expr(a, t, &vi, m.e);
		const char *callee = v->k == PX_CALL ? px_dotted(a, v->obj) : NULL;
		const char *last = callee ? strrchr(callee, '.') : NULL;
		last = last ? last + 1 : callee;
		if (last && (!strcmp(last, "nonmember") || !strcmp(last, "property") ||
		             !strcmp(last, "classmethod") || !strcmp(last, "staticmethod")))
			continue; /* descriptors and nonmember(): no members */
		if (c->omit_aliases) {
			if (last && !strcmp(last, "auto") && v->na == 0)
				with_auto = 1;
			else if (!literal(v))
				return fail(c, "value of member %s of enum class %s (%s:%d), for omit_aliases=True",
				            name, cls, path, f->line);
			else {
				if (v->k == PX_INT || v->k == PX_BOOL || v->k == PX_FLOAT)
					with_number = 1;
				int alias = 0;
				for (int q = 0; q < nvals && !alias; q++)
					alias = same_value(vals[q], v);
				if (alias)
					continue;
				px **nv = px_alloc(a, (size_t)(nvals + 1) * sizeof *nv);
				if (nvals)
					memcpy(nv, vals, (size_t)nvals * sizeof *nv);
				nv[nvals++] = v;
				vals = nv;
			}
			if (with_auto && with_number)
				return fail(c, "auto() beside numbers in enum class %s (%s:%d), for omit_aliases=True",
				            cls, path, f->line);
		}
		if (add_member(c, name))
			return -1;
	}
	c->out->cls = strdup(cls);
	c->out->name = strdup(cls);
	c->out->file = strdup(path);
	c->out->line = classline;
	if (!c->out->cls || !c->out->name || !c->out->file)
		return fail(c, "out of memory");
	for (char *p = c->out->name; *p; p++) {
		if ((unsigned char)*p >= 0x80)
			return fail(c, "enum class %s (%s:%d): a name that is not ASCII", cls, path, classline);
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return 0;
}

/* ------------------------------------------------ a TypeDecorator */

/* What SQLAlchemy 1.4 compiles a TypeDecorator to (sql/type_api.py): its
 * load_dialect_impl(), which by default is self.impl, the class attribute
 * `impl` instantiated with the decorator's own arguments.  So a class whose
 * one base is sqlalchemy's TypeDecorator, with `impl = X` and neither
 * load_dialect_impl(), type_engine() nor __init__ of its own, is X, where X
 * is a type imported from sqlalchemy in the class's module. */

/* One name a module-level import binds: `import mod` / `import mod as
 * alias` (name NULL; bound: the alias, else mod's first part, as Python
 * binds it) or `from mod import name [as alias]` (bound: the alias, else
 * name).  Relative imports (`from . import x`) are not among them. */
typedef struct imp {
	const char *mod, *name, *bound;
	int as;
} imp;

/* Calls f for each binding of tk's module-level imports, in order, until f
 * returns nonzero; that value, else 0. */
static int each_import(const px_toks *tk, int (*f)(const imp *, void *), void *ud)
{
	const px_tok *t = tk->t;
	line l;
	for (int i = 0; next_line(tk, i, &l); i = l.e + 1) {
		if (t[l.b].col != 0)
			continue;
		int k = l.b + 1, rc;
		char mod[512], name[256], bound[512];
		if (tok_is(&t[l.b], TK_NAME, "import")) {
			while (k < l.e && dotted_at(tk, &k, l.e, mod, sizeof mod)) {
				const char *dot = strchr(mod, '.');
				snprintf(bound, sizeof bound, "%.*s", (int)(dot ? (size_t)(dot - mod) : strlen(mod)), mod);
				imp m = { mod, NULL, bound, 0 };
				if (k + 1 < l.e && tok_is(&t[k], TK_NAME, "as") && t[k + 1].k == TK_NAME) {
					snprintf(bound, sizeof bound, "%.*s", (int)t[k + 1].n, t[k + 1].p);
					k += 2;
					m.as = 1;
				}
				if ((rc = f(&m, ud)))
					return rc;
				if (k < l.e && tok_is(&t[k], TK_OP, ","))
					k++;
				else
					break;
			}
			continue;
		}
		if (!tok_is(&t[l.b], TK_NAME, "from") || !dotted_at(tk, &k, l.e, mod, sizeof mod) || k >= l.e ||
		    !tok_is(&t[k], TK_NAME, "import"))
			continue;
		k++;
		if (k < l.e && tok_is(&t[k], TK_OP, "("))
			k++;
		while (k < l.e && t[k].k == TK_NAME) {
			snprintf(name, sizeof name, "%.*s", (int)t[k].n, t[k].p);
			snprintf(bound, sizeof bound, "%s", name);
			imp m = { mod, name, bound, 0 };
			k++;
			if (k + 1 < l.e && tok_is(&t[k], TK_NAME, "as") && t[k + 1].k == TK_NAME) {
				snprintf(bound, sizeof bound, "%.*s", (int)t[k + 1].n, t[k + 1].p);
				k += 2;
				m.as = 1;
			}
			if ((rc = f(&m, ud)))
				return rc;
			if (k < l.e && tok_is(&t[k], TK_OP, ","))
				k++;
		}
	}
	return 0;
}

/* The module-level import in tk that binds head: "sa" (sqlalchemy,
 * sqlalchemy.types, sqlalchemy.sql.sqltypes) or "postgresql"
 * (sqlalchemy.dialects.postgresql); *is_mod when head is that module, else
 * orig is the name imported.  NULL when head is bound to none of those. */
static const struct {
	const char *mod, *ns;
} sa_mods[] = { { "sqlalchemy", "sa" }, { "sqlalchemy.types", "sa" }, { "sqlalchemy.sql.sqltypes", "sa" },
		{ "sqlalchemy.dialects.postgresql", "postgresql" }, { NULL, NULL } };

typedef struct sa_job {
	const char *head, *ns;
	char *orig;
	size_t osize;
	int is_mod;
} sa_job;

static const char *sa_ns(const char *mod)
{
	for (int m = 0; sa_mods[m].mod; m++)
		if (!strcmp(mod, sa_mods[m].mod))
			return sa_mods[m].ns;
	return NULL;
}

/* 1: found (j->ns set, or NULL: head is bound to something else) */
static int sa_one(const imp *m, void *ud)
{
	sa_job *j = ud;
	if (!m->name) { /* import sqlalchemy [as sa]: head is the whole module name or its alias */
		if (!strcmp(m->as ? m->bound : m->mod, j->head) && (j->ns = sa_ns(m->mod))) {
			j->is_mod = 1;
			return 1;
		}
		return 0;
	}
	if (strcmp(m->bound, j->head))
		return 0;
	char full[800];
	snprintf(full, sizeof full, "%s.%s", m->mod, m->name);
	if ((j->ns = sa_ns(full))) { /* from sqlalchemy import types */
		j->is_mod = 1;
		return 1;
	}
	if ((j->ns = sa_ns(m->mod))) {
		snprintf(j->orig, j->osize, "%s", m->name);
		j->is_mod = 0;
	}
	return 1;
}

static const char *sa_binding(const px_toks *tk, const char *head, char *orig, size_t osize, int *is_mod)
{
	sa_job j = { head, NULL, orig, osize, 0 };
	if (!each_import(tk, sa_one, &j))
		return NULL;
	*is_mod = j.is_mod;
	return j.ns;
}

/* base (a class's base as written) is sqlalchemy's TypeDecorator, through
 * the module's imports: TypeDecorator, TD (from sqlalchemy.types import
 * TypeDecorator as TD), sa.TypeDecorator, sa.types.TypeDecorator ... */
static int typedec_base(const px_toks *tk, const char *base)
{
	char head[256], orig[256] = "";
	const char *dot = strchr(base, '.');
	snprintf(head, sizeof head, "%.*s", (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
	int is_mod = 0;
	const char *ns = sa_binding(tk, head, orig, sizeof orig, &is_mod);
	if (!ns || strcmp(ns, "sa"))
		return 0;
	if (!is_mod)
		return !dot && !strcmp(orig, "TypeDecorator");
	return dot && (!strcmp(dot, ".TypeDecorator") || !strcmp(dot, ".types.TypeDecorator"));
}

static int read_typedec(pe_ctx *c, const px_toks *tk, const char *path, line l, const char *cls)
{
	const px_tok *t = tk->t;
	int i = l.b + 2, classline = t[l.b].line;
	char base[256];
	if (i >= l.e || !tok_is(&t[i], TK_OP, "("))
		return fail(c, "class %s (%s:%d) is not a sqlalchemy TypeDecorator", cls, path, classline);
	i++;
	if (!dotted_at(tk, &i, l.e, base, sizeof base) || !typedec_base(tk, base) || i + 2 != l.e ||
	    !tok_is(&t[i], TK_OP, ")") || !tok_is(&t[i + 1], TK_OP, ":"))
		return fail(c, "class %s (%s:%d) is not a sqlalchemy TypeDecorator (its one base)", cls, path,
		            classline);
	int body_col = -1, ib = -1, ie = -1;
	line m;
	while (class_stmt(tk, l, &body_col, &m)) {
		const px_tok *f = &t[m.b];
		if (tok_is(f, TK_NAME, "def") && m.e > m.b + 1 &&
		    (tok_is(&t[m.b + 1], TK_NAME, "load_dialect_impl") || tok_is(&t[m.b + 1], TK_NAME, "type_engine") ||
		     tok_is(&t[m.b + 1], TK_NAME, "__init__")))
			return fail(c, "TypeDecorator %s (%s:%d) defines %.*s()", cls, path, f->line, (int)t[m.b + 1].n,
			            t[m.b + 1].p);
		if (tok_is(f, TK_NAME, "impl") && m.e > m.b + 2 && tok_is(&t[m.b + 1], TK_OP, "=")) {
			ib = m.b + 2;
			ie = m.e;
		}
	}
	if (ib < 0)
		return fail(c, "TypeDecorator %s (%s:%d) has no impl = of its own", cls, path, classline);
	char head[256], orig[256] = "";
	int k = ib, is_mod = 0;
	if (t[k].k != TK_NAME)
		return fail(c, "TypeDecorator %s (%s:%d): impl is not a type's name", cls, path, classline);
	snprintf(head, sizeof head, "%.*s", (int)t[k].n, t[k].p);
	const char *ns = sa_binding(tk, head, orig, sizeof orig, &is_mod);
	if (!ns)
		return fail(c, "TypeDecorator %s (%s:%d): impl %s is not imported from sqlalchemy in its module", cls,
		            path, classline, head);
	k++;
	/* the text after the head: `.String(36)` after a module, `(36)` after a name */
	for (int q = k; q < ie; q++)
		if (t[q].k == TK_STR)
			return fail(c, "TypeDecorator %s (%s:%d): a string in impl", cls, path, classline);
	const char *rest = k < ie ? t[k].p : "";
	size_t rn = k < ie ? (size_t)(t[ie - 1].p + t[ie - 1].n - t[k].p) : 0;
	if (is_mod && (k + 1 >= ie || !tok_is(&t[k], TK_OP, ".")))
		return fail(c, "TypeDecorator %s (%s:%d): impl is a module", cls, path, classline);
	size_t need = strlen(ns) + strlen(orig) + rn + 3;
	char *impl = malloc(need);
	if (!impl)
		return fail(c, "out of memory");
	if (is_mod)
		snprintf(impl, need, "%s%.*s", ns, (int)rn, rest);
	else
		snprintf(impl, need, "%s.%s%.*s", ns, orig, (int)rn, rest);
	c->td->impl = impl;
	c->td->cls = strdup(cls);
	c->td->file = strdup(path);
	c->td->line = classline;
	if (!c->td->cls || !c->td->file)
		return fail(c, "out of memory");
	return 0;
}

typedef struct scan_job {
	pe_ctx *c;
	const char *path, *text;
	size_t len;
	const char *name;
	int rc;
} scan_job;

/* Follows `from MOD import X` (dots leading dots) to X (+ rest) in MOD's file. */
static int follow(pe_ctx *c, const char *path, int dots, const char *mod, const char *what,
                  int line, int star)
{
	char file[1100];
	if (!module_file(c, path, dots, mod, file, sizeof file)) {
		if (star)
			return 1; /* not ours to find */
		return fail(c, "%s %s: module %s%s (imported at %s:%d) not found under the repository",
		            KIND(c), what, dots ? "." : "", mod, path, line);
	}
	return find_in(c, file, NULL, 0, what);
}

static int scan(const px_toks *tk, void *ud)
{
	scan_job *s = ud;
	pe_ctx *c = s->c;
	jmp_buf oom;
	px_arena a = { .oom = &oom };
	if (setjmp(oom)) {
		px_arena_free(&a);
		return fail(c, "out of memory");
	}
	const px_tok *t = tk->t;
	const char *dot = strchr(s->name, '.');
	size_t head = dot ? (size_t)(dot - s->name) : strlen(s->name);
	line l;
	/* 1. a module-level class (pe_find_def(): function) */
	for (int i = 0; !dot && c->want_def && next_line(tk, i, &l); i = l.e + 1)
		if (l.e > l.b + 1 && t[l.b].col == 0 &&
		    (c->want_def == 2 ? tok_is(&t[l.b], TK_NAME, s->name) && tok_is(&t[l.b + 1], TK_OP, "=")
		                      : tok_is(&t[l.b], TK_NAME, "def") && tok_is(&t[l.b + 1], TK_NAME, s->name))) {
			px_arena_free(&a);
			c->def_line = t[l.b].line;
			if (!(c->def_file = strdup(s->path)))
				return fail(c, "out of memory");
			return 0;
		}
	for (int i = 0; !dot && !c->want_def && next_line(tk, i, &l); i = l.e + 1)
		if (l.e > l.b + 1 && t[l.b].col == 0 && tok_is(&t[l.b], TK_NAME, "class") &&
		    tok_is(&t[l.b + 1], TK_NAME, s->name)) {
			int rc = c->td ? read_typedec(c, tk, s->path, l, s->name)
			               : read_class(c, &a, tk, s->path, s->text, s->len, l, s->name);
			px_arena_free(&a);
			return rc;
		}
	px_arena_free(&a);
	/* 2. imports binding the name's first part; 3. star imports */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; next_line(tk, i, &l); i = l.e + 1) {
			if (t[l.b].col != 0)
				continue;
			int k = l.b + 1;
			char mod[512], bound[256];
			if (tok_is(&t[l.b], TK_NAME, "import") && !pass) {
				/* import a.b.c [as x], ...: binds a (or x to a.b.c) */
				while (k < l.e) {
					if (!dotted_at(tk, &k, l.e, mod, sizeof mod))
						break;
					const char *as = NULL;
					if (k + 1 < l.e && tok_is(&t[k], TK_NAME, "as") && t[k + 1].k == TK_NAME) {
						snprintf(bound, sizeof bound, "%.*s", (int)t[k + 1].n, t[k + 1].p);
						as = bound;
						k += 2;
					}
					if (dot) {
						/* name = m.rest: which module is m.(...)? */
						if (as && strlen(as) == head && !strncmp(as, s->name, head))
							return follow(c, s->path, 0, mod, dot + 1, t[l.b].line, 0);
						size_t ml = strlen(mod);
						if (!as && !strncmp(s->name, mod, ml) && s->name[ml] == '.' &&
						    !strchr(s->name + ml + 1, '.'))
							return follow(c, s->path, 0, mod, s->name + ml + 1, t[l.b].line, 0);
						/* import a.b; a.b.c.X: X in the submodule a.b.c (what
						 * Python finds once a.b.c is imported; else Alembic
						 * itself fails on the name) */
						const char *last = strrchr(s->name, '.');
						char sub[512], file[1100];
						if (!as && !strncmp(s->name, mod, ml) && s->name[ml] == '.' &&
						    (size_t)(last - s->name) < sizeof sub) {
							snprintf(sub, sizeof sub, "%.*s", (int)(last - s->name), s->name);
							if (module_file(c, s->path, 0, sub, file, sizeof file))
								return find_in(c, file, NULL, 0, last + 1);
						}
					}
					if (k < l.e && tok_is(&t[k], TK_OP, ","))
						k++;
					else
						break;
				}
				continue;
			}
			if (!tok_is(&t[l.b], TK_NAME, "from"))
				continue;
			int dots = 0;
			while (k < l.e && t[k].k == TK_OP && t[k].p[0] == '.') {
				dots += (int)t[k].n;
				k++;
			}
			mod[0] = '\0';
			if (k < l.e && t[k].k == TK_NAME && !tok_is(&t[k], TK_NAME, "import"))
				dotted_at(tk, &k, l.e, mod, sizeof mod);
			if (k >= l.e || !tok_is(&t[k], TK_NAME, "import"))
				continue;
			k++;
			if (k < l.e && tok_is(&t[k], TK_OP, "*")) {
				if (pass == 1 && follow(c, s->path, dots, mod, s->name, t[l.b].line, 1) == 0)
					return 0; /* else not there: the next one */
				continue;
			}
			if (pass)
				continue;
			if (k < l.e && tok_is(&t[k], TK_OP, "("))
				k++;
			while (k < l.e && t[k].k == TK_NAME) {
				char orig[256];
				snprintf(orig, sizeof orig, "%.*s", (int)t[k].n, t[k].p);
				snprintf(bound, sizeof bound, "%s", orig);
				k++;
				if (k + 1 < l.e && tok_is(&t[k], TK_NAME, "as") && t[k + 1].k == TK_NAME) {
					snprintf(bound, sizeof bound, "%.*s", (int)t[k + 1].n, t[k + 1].p);
					k += 2;
				}
				if (strlen(bound) == head && !strncmp(bound, s->name, head)) {
					if (!dot)
						return follow(c, s->path, dots, mod, orig, t[l.b].line, 0);
					/* from pkg import enums: enums.Status is in pkg.enums */
					char sub[800], file[1100];
					snprintf(sub, sizeof sub, "%s%s%s", mod, *mod ? "." : "", orig);
					if (module_file(c, s->path, dots, sub, file, sizeof file))
						return find_in(c, file, NULL, 0, dot + 1);
					char what[512];
					snprintf(what, sizeof what, "%s%s", orig, dot);
					return follow(c, s->path, dots, mod, what, t[l.b].line, 0);
				}
				if (k < l.e && tok_is(&t[k], TK_OP, ","))
					k++;
			}
		}
	return fail(c, "%s %s is neither defined nor imported in %s", KIND(c), s->name, s->path);
}

static int find_in(pe_ctx *c, const char *path, const char *text, size_t len, const char *name)
{
	if (++c->depth > MAX_DEPTH) {
		c->depth--;
		return fail(c, "%s %s: imports nested deeper than %d", KIND(c), name, MAX_DEPTH);
	}
	char *own = NULL;
	if (!text) {
		if (!(own = slurp(path, &len))) {
			c->depth--;
			return fail(c, "%s %s: cannot read %s", KIND(c), name, path);
		}
		text = own;
	}
	scan_job s = { c, path, text, len, name, 0 };
	char err[256];
	int errline = 0;
	int rc = px_with_tokens(text, len, scan, &s, err, sizeof err, &errline);
	if (rc < 0 && errline) /* the file did not tokenize: say so, not a stale reason */
		fail(c, "%s %s: %s:%d: %s", KIND(c), name, path, errline, err);
	else if (rc < 0 && !c->why[0])
		fail(c, "%s %s: %s", KIND(c), name, err);
	free(own);
	c->depth--;
	return rc < 0 ? -1 : rc;
}

int pe_resolve(const char *path, const char *text, size_t len, const char *const *roots,
               const char *name, int omit_aliases, pe_enum *out, char *why, size_t whysize)
{
	memset(out, 0, sizeof *out);
	if (whysize)
		why[0] = '\0';
	pe_ctx c = { roots, omit_aliases, 0, out, why, whysize, NULL, "enum class", 0, NULL, 0 };
	int rc = find_in(&c, path, text, len, name);
	if (rc) {
		pe_free(out);
		return -1;
	}
	return 0;
}

void pe_free(pe_enum *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->members[i]);
	free(e->members);
	free(e->name);
	free(e->cls);
	free(e->file);
	memset(e, 0, sizeof *e);
}

char **pe_roots(const char *rev_path)
{
	char **r = calloc(14, sizeof *r);
	if (!r)
		return NULL;
	char d[1024];
	dirname_of(rev_path, d, sizeof d);
	for (int n = 0; n < 12; n++) {
		if (!(r[n] = strdup(d))) {
			pe_roots_free(r);
			return NULL;
		}
		char git[1100];
		snprintf(git, sizeof git, "%s/.git", d);
		if (is_dir(git) || is_file(git) || !strcmp(d, "/") || !strchr(d, '/'))
			break;
		char up[1024];
		dirname_of(d, up, sizeof up);
		snprintf(d, sizeof d, "%s", up);
	}
	return r;
}

void pe_roots_free(char **roots)
{
	for (int i = 0; roots && roots[i]; i++)
		free(roots[i]);
	free(roots);
}

int pe_resolve_typedec(const char *path, const char *text, size_t len, const char *const *roots,
                       const char *name, pe_typedec *out, char *why, size_t whysize)
{
	memset(out, 0, sizeof *out);
	if (whysize)
		why[0] = '\0';
	pe_enum none;
	memset(&none, 0, sizeof none);
	pe_ctx c = { roots, 0, 0, &none, why, whysize, out, NULL, 0, NULL, 0 };
	int rc = find_in(&c, path, text, len, name);
	pe_free(&none);
	if (rc) {
		pe_typedec_free(out);
		return -1;
	}
	return 0;
}

void pe_typedec_free(pe_typedec *t)
{
	free(t->cls);
	free(t->impl);
	free(t->file);
	memset(t, 0, sizeof *t);
}

/* The module (or module.name) a module-level `import M as head`,
 * `import head` / `import head.x` or `from M import N as head` binds head
 * to, in a Python file's text; 0 with out filled, -1 when none does. */
typedef struct bind_job {
	const char *head;
	char *out;
	size_t size;
	int found;
} bind_job;

static int bind_one(const imp *m, void *ud)
{
	bind_job *j = ud;
	if (strcmp(m->bound, j->head))
		return 0;
	if (m->name)
		snprintf(j->out, j->size, "%s.%s", m->mod, m->name);
	else
		snprintf(j->out, j->size, "%s", m->as ? m->mod : m->bound);
	j->found = 1;
	return 0; /* a later import binds it again */
}

static int bind_scan(const px_toks *tk, void *ud)
{
	each_import(tk, bind_one, ud);
	return 0;
}

int pe_import_of(const char *text, size_t len, const char *head, char *out, size_t size)
{
	bind_job j = { head, out, size, 0 };
	char err[256];
	int errline = 0;
	if (px_with_tokens(text, len, bind_scan, &j, err, sizeof err, &errline) < 0 || !j.found)
		return -1;
	return 0;
}

/* pe_find_def() (want 1: a def) and pe_find_assign() (want 2: a name bound
 * once); what: the kind in the messages, "function" or "name". */
static int find_top(const char *path, const char *text, size_t len, const char *const *roots,
                    const char *name, int want, const char *what, const char *verb, char **file, int *line,
                    char *why, size_t whysize)
{
	*file = NULL;
	*line = 0;
	if (whysize)
		why[0] = '\0';
	pe_enum unused;
	memset(&unused, 0, sizeof unused);
	pe_ctx c = { roots, 0, 0, &unused, why, whysize, NULL, what, want, NULL, 0 };
	int rc = find_in(&c, path, text, len, name);
	if (rc || !c.def_file) {
		free(c.def_file);
		if (!rc)
			snprintf(why, whysize, "%s %s is not %s in %s", what, name, verb, path);
		return -1;
	}
	*file = c.def_file;
	*line = c.def_line;
	return 0;
}

int pe_find_def(const char *path, const char *text, size_t len, const char *const *roots,
                const char *name, char **file, int *line, char *why, size_t whysize)
{
	return find_top(path, text, len, roots, name, 1, "function", "defined", file, line, why, whysize);
}

int pe_find_assign(const char *path, const char *text, size_t len, const char *const *roots,
                   const char *name, char **file, int *line, char *why, size_t whysize)
{
	return find_top(path, text, len, roots, name, 2, "name", "assigned", file, line, why, whysize);
}
