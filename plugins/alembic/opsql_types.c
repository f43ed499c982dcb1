/*
 * Types: sa.* / postgresql.* type expressions parsed into ptype, and the
 * type names the dialect compiles them to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsql_int.h"
#include "pyenum.h"
#include "types_py.h"

/* ================================================ tables, columns, types */

char *cdup(ctx *c, const char *s)
{
	char *d = s ? px_strndup(c->a, s, strlen(s)) : NULL;
	if (d && is_label(c, s))
		label_add(c, d); /* a copy of op.f("...") is still a truncated label */
	return d;
}

/* Lengths and precisions: small non-negative int literals only. */
static int int_arg(const px *e, int *out)
{
	if (!e || e->k != PX_INT || e->iv < 0 || e->iv > 1000000000)
		return -1;
	*out = (int)e->iv;
	return 0;
}

/* ---------------------------------------------------------------- types */

ptype *ty(ctx *c, int k)
{
	ptype *t = px_alloc(c->a, sizeof *t);
	t->k = k;
	t->length = t->precision = t->scale = -1;
	t->native_enum = 1;
	t->create_type = 1;
	return t;
}

static const struct { const char *name; int k; } simple_types[] = {
	{ "Integer", TY_INTEGER }, { "INTEGER", TY_INTEGER }, { "INT", TY_INTEGER },
	{ "BigInteger", TY_BIGINT }, { "BIGINT", TY_BIGINT }, { "SmallInteger", TY_SMALLINT },
	{ "SMALLINT", TY_SMALLINT }, { "String", TY_STRING }, { "VARCHAR", TY_STRING },
	{ "Unicode", TY_STRING }, { "Text", TY_TEXT }, { "TEXT", TY_TEXT }, { "UnicodeText", TY_TEXT },
	{ "CHAR", TY_CHAR }, { "Boolean", TY_BOOLEAN }, { "BOOLEAN", TY_BOOLEAN }, { "Float", TY_FLOAT },
	{ "FLOAT", TY_FLOAT }, { "REAL", TY_REAL }, { "Numeric", TY_NUMERIC }, { "NUMERIC", TY_NUMERIC },
	{ "DECIMAL", TY_DECIMAL }, { "Date", TY_DATE }, { "DATE", TY_DATE }, { "DateTime", TY_DATETIME },
	{ "TIMESTAMP", TY_TIMESTAMP }, { "Time", TY_TIME }, { "TIME", TY_TIME }, { "Interval", TY_INTERVAL },
	{ "LargeBinary", TY_BLOB }, { "JSON", TY_JSON }, { "Enum", TY_ENUM }, { "ARRAY", TY_ARRAY },
	{ NULL, 0 }
};

static const struct { const char *name, *sql; } pg_named[] = {
	{ "JSONB", "JSONB" }, { "UUID", "UUID" }, { "INET", "INET" }, { "CIDR", "CIDR" },
	{ "MACADDR", "MACADDR" }, { "TSVECTOR", "TSVECTOR" }, { "HSTORE", "HSTORE" }, { "MONEY", "MONEY" },
	{ "OID", "OID" }, { "BYTEA", "BYTEA" }, { "DOUBLE_PRECISION", "DOUBLE PRECISION" },
	{ "INTERVAL", "INTERVAL" }, { NULL, NULL }
};

/* A type argument of a YAML type (impl=sa.String(20)) as this dialect
 * writes it. */
static int yaml_arg_sql(void *ud, const void *type, char **out, char *why, size_t whysize)
{
	ctx *c = ud;
	ptype *t = parse_type(c, (px *)type);
	obuf b;
	ob_init(&b, c->a);
	if (!t || type_sql(c, &b, t)) {
		snprintf(why, whysize, "%s", c->reason);
		return -1;
	}
	*out = malloc(b.n + 1);
	if (!*out) {
		snprintf(why, whysize, "out of memory");
		return -1;
	}
	memcpy(*out, b.p ? b.p : "", b.n);
	(*out)[b.n] = '\0';
	return 0;
}

/* A type of the YAML table (formats/alembic/types.yaml, the source's
 * `types:` file): 1 when it has no row for callee, 0 with *out (its SQL on
 * this dialect, rendered now), -1 when untranslatable (reported). */
/* The YAML row of a dotted name as written, else of the name its first
 * part's import makes of it (`import sqlalchemy_utils as su`: su.X is
 * sqlalchemy_utils.X). */
static const at_type *yaml_row(ctx *c, const char *dotted)
{
	if (!c->env || !c->env->types || !dotted)
		return NULL;
	const at_type *row = at_find(c->env->types, dotted);
	const char *dot = strchr(dotted, '.');
	if (row || !dot || !c->env->text)
		return row;
	char head[256], mod[700], full[1200];
	snprintf(head, sizeof head, "%.*s", (int)(dot - dotted), dotted);
	if (pe_import_of(c->env->text, c->env->len, head, mod, sizeof mod) || !strcmp(mod, head))
		return NULL;
	snprintf(full, sizeof full, "%s%s", mod, dot);
	return at_find(c->env->types, full);
}

static int yaml_type(ctx *c, px *e, px *callee, ptype **out)
{
	const char *dotted = px_dotted(c->a, callee);
	const at_type *row = yaml_row(c, dotted);
	if (!row)
		return 1;
	at_arg *args;
	int n = atp_args(c->a, e, &args);
	char *sql = NULL, why[512];
	if (at_render(row, c->dd->name, args, n, yaml_arg_sql, c, &sql, why, sizeof why)) {
		if (c->status == OPSQL_OK)
			untrans(c, e->line, "%s", why);
		else if (!c->line)
			c->line = e->line;
		return -1;
	}
	ptype *t = ty(c, TY_RAW);
	t->raw = cdup(c, sql);
	free(sql);
	*out = t;
	return 0;
}

/* An application's TypeDecorator (pyenum.c reads its class from the source):
 * its impl, with the revision's arguments when impl is a class.  1 when
 * callee is no class of the application (the caller's message stands), 0
 * with *out, -1 when untranslatable (reported). */
static int typedec_type(ctx *c, px *e, px *callee, ptype **out)
{
	const char *dotted = px_dotted(c->a, callee);
	if (!dotted || !c->env || !c->env->path)
		return 1;
	pe_typedec td;
	char why[600];
	char **own = c->env->roots ? NULL : pe_roots(c->env->path);
	const char *const *roots = c->env->roots ? c->env->roots : (const char *const *)own;
	if (!roots)
		return untrans(c, e->line, "column type %s: out of memory", dotted);
	int rc = pe_resolve_typedec(c->env->path, c->env->text, c->env->len, roots, dotted, &td, why, sizeof why);
	pe_roots_free(own);
	if (rc)
		return strstr(why, "is neither defined nor imported") || strstr(why, "not found under the repository")
		               ? 1
		               : untrans(c, e->line, "column type %s: %s", dotted, why);
	px_toks tk;
	char err[256];
	int errline = 0, i = 0;
	px *impl = NULL;
	if (!px_tokenize(c->a, td.impl, strlen(td.impl), &tk, err, sizeof err, &errline))
		impl = px_parse_expr(c->a, tk.t, &i, tk.n);
	if (!impl || impl->k == PX_OTHER) {
		untrans(c, e->line, "column type %s: impl %s of TypeDecorator %s (%s:%d)", dotted, td.impl, td.cls,
		        td.file, td.line);
		pe_typedec_free(&td);
		return -1;
	}
	if (e->k == PX_CALL && e->na) { /* TypeDecorator.__init__: impl(*args, **kwargs) */
		if (impl->k == PX_CALL) {
			untrans(c, e->line, "column type %s: arguments of TypeDecorator %s, whose impl %s is an instance",
			        dotted, td.cls, td.impl);
			pe_typedec_free(&td);
			return -1;
		}
		px *call = px_alloc(c->a, sizeof *call);
		*call = *e;
		call->obj = impl;
		impl = call;
	}
	impl->line = e->line;
	*out = parse_type(c, impl);
	if (*out)
		(*out)->typedec = cdup(c, td.cls);
	pe_typedec_free(&td);
	return *out ? 0 : -1;
}

int is_typedec_type(ctx *c, const px *e)
{
	const px *callee = e->k == PX_CALL ? e->obj : e;
	const char *dotted = px_dotted(c->a, callee);
	if (!dotted || !c->env || !c->env->path)
		return 0;
	pe_typedec td;
	char why[600];
	char **own = c->env->roots ? NULL : pe_roots(c->env->path);
	const char *const *roots = c->env->roots ? c->env->roots : (const char *const *)own;
	if (!roots)
		return 0;
	int rc = pe_resolve_typedec(c->env->path, c->env->text, c->env->len, roots, dotted, &td, why, sizeof why);
	pe_roots_free(own);
	if (!rc)
		pe_typedec_free(&td);
	/* found, or a class of the application that is no such TypeDecorator
	 * (parse_type() then names why) */
	return !rc || (!strstr(why, "is neither defined nor imported") && !strstr(why, "not found under the repository"));
}

int is_yaml_type(ctx *c, const px *e)
{
	const px *callee = e->k == PX_CALL ? e->obj : e;
	return yaml_row(c, px_dotted(c->a, callee)) != NULL;
}

/* sa.Enum(AppEnum): the members of the application's enum class, read from
 * its source (pyenum.c), as SQLAlchemy 1.4 takes them: the names, and the
 * class name lowercased as the type's name. */
static int enum_class(ctx *c, ptype *t, const px *call, const px *arg)
{
	const char *cls = atp_enum_class(c->a, call);
	if (!cls || arg->k == PX_OTHER)
		return untrans(c, call->line, "sa.Enum() of an expression");
	if (!c->env || !c->env->path)
		return untrans(c, call->line, "sa.Enum(%s): an enum class of the application", cls);
	const px *vc = px_kwarg(call, "values_callable");
	if (vc)
		return untrans(c, vc->line, "sa.Enum(%s, values_callable=)", cls);
	const px *oa = px_kwarg(call, "omit_aliases");
	int omit = oa ? bool_arg(oa) : 0;
	if (omit < 0)
		return untrans(c, oa->line, "sa.Enum(%s, omit_aliases=) not a literal", cls);
	pe_enum pe;
	char why[600];
	char **own = c->env->roots ? NULL : pe_roots(c->env->path); /* looked up only when needed */
	const char *const *roots = c->env->roots ? c->env->roots : (const char *const *)own;
	if (!roots)
		return untrans(c, call->line, "sa.Enum(%s): out of memory", cls);
	int rc = pe_resolve(c->env->path, c->env->text, c->env->len, roots, cls, omit, &pe, why,
	                    sizeof why);
	pe_roots_free(own);
	if (rc)
		return untrans(c, call->line, "%s", why);
	t->enums = px_alloc(c->a, (size_t)(pe.n ? pe.n : 1) * sizeof *t->enums);
	for (int i = 0; i < pe.n; i++)
		t->enums[i] = cdup(c, pe.members[i]);
	t->nenums = pe.n;
	t->name = cdup(c, pe.name); /* a later name= wins */
	pe_free(&pe);
	return 0;
}

/* sa.String(50), sa.Integer, sa.Enum("a", "b", name="x"),
 * sa.BigInteger().with_variant(sa.Integer(), "sqlite"), postgresql.JSONB ... */
ptype *parse_type(ctx *c, px *e)
{
	if (!e)
		return NULL;
	if (e->k == PX_CALL && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "with_variant")) {
		/* X().with_variant(A, "sqlite").with_variant(B, "postgresql"):
		 * walked by iteration, the innermost call applied first */
		int n = 0;
		const px *k = e;
		while (k->k == PX_CALL && k->obj->k == PX_ATTR && !strcmp(k->obj->s, "with_variant")) {
			n++;
			k = k->obj->obj;
		}
		ptype *base = parse_type(c, (px *)k);
		if (!base)
			return NULL;
		for (int j = n - 1; j >= 0; j--) {
			const px *v = e;
			for (int m = 0; m < j; m++)
				v = v->obj->obj;
			px *vt = px_posarg(v, 0), *dn = px_posarg(v, 1);
			if (!vt || !is_str(dn) || v->na != 2) {
				untrans(c, v->line, "with_variant() arguments");
				return NULL;
			}
			if (vt->k == PX_CALL && vt->obj->k == PX_ATTR && !strcmp(vt->obj->s, "with_variant")) {
				untrans(c, v->line, "nested with_variant()");
				return NULL;
			}
			ptype *vty = parse_type(c, vt);
			if (!vty)
				return NULL;
			variant *var = px_alloc(c->a, sizeof *var);
			var->dialect = dn->s;
			var->t = vty;
			var->next = base->variants;
			base->variants = var;
		}
		return base;
	}
	const px *mt = module_type(c, e); /* Status = sa.Enum(...) above upgrade() */
	if (mt)
		return parse_type(c, (px *)mt);
	px *callee = e->k == PX_CALL ? e->obj : e;
	const char *n = callee_name(c, callee);
	if (!n || (strncmp(n, "sa:", 3) && strncmp(n, "pg:", 3))) {
		ptype *y = NULL;
		if (n && yaml_type(c, e, callee, &y) <= 0)
			return y;
		if (n && typedec_type(c, e, callee, &y) <= 0)
			return y;
		untrans(c, e->line, "column type %s", n ? n : "expression");
		return NULL;
	}
	int pgns = n[0] == 'p';
	const char *base = n + 3;
	ptype *t = NULL;
	if (pgns) {
		for (int i = 0; pg_named[i].name; i++)
			if (!strcmp(base, pg_named[i].name)) {
				t = ty(c, TY_PGNAMED);
				t->pgname = pg_named[i].sql;
				t->only_on = "PostgreSQL";
			}
		if (!strcmp(base, "ENUM"))
			base = "Enum";
		if (!strcmp(base, "JSON"))
			t = ty(c, TY_JSON);
	}
	if (!t)
		for (int i = 0; simple_types[i].name; i++)
			if (!strcmp(base, simple_types[i].name))
				t = ty(c, simple_types[i].k);
	const char *dotted = px_dotted(c->a, callee);
	if (!t && !pgns && dotted && !strchr(dotted, '.')) {
		/* a bare name from `from sqlalchemy.dialects.postgresql import X` */
		for (int i = 0; pg_named[i].name; i++)
			if (!strcmp(base, pg_named[i].name)) {
				t = ty(c, TY_PGNAMED);
				t->pgname = pg_named[i].sql;
				t->only_on = "PostgreSQL";
				pgns = 1;
			}
		if (!strcmp(base, "ENUM")) {
			t = ty(c, TY_ENUM);
			pgns = 1;
		}
	}
	if (!t) {
		ptype *y = NULL;
		if (yaml_type(c, e, callee, &y) <= 0)
			return y;
		if (typedec_type(c, e, callee, &y) <= 0)
			return y;
		untrans(c, e->line, "column type %s", px_dotted(c->a, callee));
		return NULL;
	}
	if (e->k != PX_CALL)
		return t;
	for (int i = 0; i < e->na; i++) {
		px *a = e->a[i];
		const char *kw = e->kw[i];
		int pos = kw ? -1 : 0;
		if (!kw)
			for (int j = 0; j < i; j++)
				if (!e->kw[j])
					pos++;
		if (kw && (!strcmp(kw, "*") || !strcmp(kw, "**")))
			goto bad;
		switch (t->k) {
		case TY_STRING: case TY_TEXT: case TY_CHAR:
			if ((pos == 0 || (kw && !strcmp(kw, "length"))) && (a->k == PX_NONE || !int_arg(a, &t->length)))
				continue;
			goto bad;
		case TY_FLOAT:
			if ((pos == 0 || (kw && !strcmp(kw, "precision"))) && (a->k == PX_NONE || !int_arg(a, &t->precision)))
				continue;
			if (kw && (!strcmp(kw, "asdecimal") || !strcmp(kw, "decimal_return_scale")))
				continue;
			goto bad;
		case TY_NUMERIC: case TY_DECIMAL:
			if ((pos == 0 || (kw && !strcmp(kw, "precision"))) && (a->k == PX_NONE || !int_arg(a, &t->precision)))
				continue;
			if ((pos == 1 || (kw && !strcmp(kw, "scale"))) && (a->k == PX_NONE || !int_arg(a, &t->scale)))
				continue;
			if (kw && (!strcmp(kw, "asdecimal") || !strcmp(kw, "decimal_return_scale")))
				continue;
			goto bad;
		case TY_DATETIME: case TY_TIMESTAMP: case TY_TIME:
			if ((pos == 0 || (kw && !strcmp(kw, "timezone"))) && bool_arg(a) >= 0) {
				t->timezone = bool_arg(a);
				continue;
			}
			if (pgns && kw && !strcmp(kw, "precision") && (a->k == PX_NONE || !int_arg(a, &t->precision)))
				continue;
			goto bad;
		case TY_BOOLEAN:
			if (kw && !strcmp(kw, "create_constraint") && bool_arg(a) >= 0) {
				t->create_constraint = bool_arg(a);
				continue;
			}
			if (kw && !strcmp(kw, "name") && (a->k == PX_NONE || str_arg(c, a))) {
				t->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
				continue;
			}
			goto bad;
		case TY_BLOB:
			if (pos == 0 || (kw && !strcmp(kw, "length")))
				continue; /* LargeBinary(length) renders no length */
			goto bad;
		case TY_JSON: case TY_PGNAMED: case TY_INTERVAL: case TY_REAL:
			if (kw && (!strcmp(kw, "none_as_null") || !strcmp(kw, "as_uuid") || !strcmp(kw, "astext_type")))
				continue;
			if ((t->k == TY_REAL || (t->pgname && !strcmp(t->pgname, "DOUBLE PRECISION"))) &&
			    ((kw && (!strcmp(kw, "precision") || !strcmp(kw, "asdecimal") || !strcmp(kw, "decimal_return_scale"))) || pos == 0))
				continue; /* rendered without them */
			goto bad;
		case TY_ENUM:
			if (!kw && is_str(a)) {
				char **v = px_alloc(c->a, (size_t)(t->nenums + 1) * sizeof *v);
				if (t->nenums)
					memcpy(v, t->enums, (size_t)t->nenums * sizeof *v);
				v[t->nenums++] = a->s;
				t->enums = v;
				continue;
			}
			if (kw && !strcmp(kw, "name") && (a->k == PX_NONE || str_arg(c, a))) {
				t->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
				continue;
			}
			if (kw && !strcmp(kw, "schema") && is_str(a)) {
				t->schema = a->s;
				continue;
			}
			if (kw && (!strcmp(kw, "native_enum") || !strcmp(kw, "create_constraint") ||
			           (pgns && !strcmp(kw, "create_type"))) && bool_arg(a) >= 0) {
				int v = bool_arg(a);
				if (!strcmp(kw, "native_enum"))
					t->native_enum = v;
				else if (!strcmp(kw, "create_type"))
					t->create_type = v;
				else
					t->create_constraint = v;
				continue;
			}
			if (kw && !strcmp(kw, "length") && !int_arg(a, &t->length))
				continue;
			if (!kw && pos == 0 && !t->nenums && !is_str(a) && a->k != PX_STR) {
				if (enum_class(c, t, e, a))
					return NULL;
				continue;
			}
			if (kw && !strcmp(kw, "omit_aliases") && bool_arg(a) >= 0)
				continue; /* read by enum_class() */
			if (kw && !pgns && !strcmp(kw, "create_type") && bool_arg(a) >= 0)
				continue; /* postgresql.ENUM's; SQLAlchemy 1.4's sa.Enum takes any keyword and drops
				           * this one (letta's sa.Enum(..., create_type=False)) */
			goto bad;
		case TY_ARRAY:
			if (pos == 0 && !t->item) {
				t->item = parse_type(c, a);
				if (!t->item)
					return NULL;
				continue;
			}
			if (kw && !strcmp(kw, "dimensions") && !int_arg(a, &t->dims))
				continue;
			if (kw && !strcmp(kw, "as_tuple"))
				continue;
			goto bad;
		default:
			goto bad;
		}
	}
	if (t->k == TY_ARRAY && !t->item)
		goto bad;
	return t;
bad:
	untrans(c, e->line, "arguments of column type %s", px_dotted(c->a, callee));
	return NULL;
}

/* The type after with_variant() for this dialect. */
const ptype *impl(const ctx *c, const ptype *t)
{
	for (const variant *v = t->variants; v; v = v->next)
		if (!strcmp(v->dialect, c->dd->name))
			return v->t;
	return t;
}

/* Enum as VARCHAR(n): n is the longest value in characters (UTF-8 code points). */
static int enum_maxlen(const ptype *t)
{
	int m = 0;
	for (int i = 0; i < t->nenums; i++) {
		int n = 0;
		for (const unsigned char *p = (const unsigned char *)t->enums[i]; *p; p++)
			if ((*p & 0xC0) != 0x80)
				n++;
		if (n > m)
			m = n;
	}
	return m;
}

/* NAME or NAME(n) (_render_string_type: no length when 0 / None). */
void sized(obuf *b, const char *name, int n)
{
	ob_puts(b, name);
	if (n > 0)
		ob_printf(b, "(%d)", n);
}

/* GenericTypeCompiler's names of the types without arguments. */
static const char *const generic_names[TY__N] = {
	[TY_INTEGER] = "INTEGER", [TY_BIGINT] = "BIGINT", [TY_SMALLINT] = "SMALLINT",
	[TY_BOOLEAN] = "BOOLEAN", [TY_FLOAT] = "FLOAT", /* the generic compiler drops the precision */
	[TY_REAL] = "REAL", [TY_DATE] = "DATE", [TY_DATETIME] = "DATETIME", [TY_TIMESTAMP] = "TIMESTAMP",
	[TY_TIME] = "TIME", [TY_INTERVAL] = "DATETIME", /* Interval's impl is DateTime */
	[TY_BLOB] = "BLOB", [TY_JSON] = "JSON",
};

/* The type as the dialect's type compiler prints it: the dialect's hook,
 * its name table, then the generic compiler. */
int type_sql(ctx *c, obuf *b, const ptype *t0)
{
	const ptype *t = impl(c, t0);
	if (t->k == TY_RAW) {
		ob_puts(b, t->raw);
		return 0;
	}
	if (t->only_on && strcmp(t->only_on, c->dd->title))
		return untrans(c, 0, "%s type %s on %s", t->only_on, t->pgname, c->dd->title);
	int rc = c->dd->type_sql ? c->dd->type_sql(c, b, t) : 1;
	if (rc <= 0)
		return rc;
	const char *name = c->dd->type_names ? c->dd->type_names[t->k] : NULL;
	if (!name)
		name = generic_names[t->k];
	if (name) {
		ob_puts(b, name);
		return 0;
	}
	switch (t->k) {
	case TY_STRING: sized(b, "VARCHAR", t->length); break;
	case TY_TEXT: sized(b, "TEXT", t->length); break;
	case TY_CHAR: sized(b, "CHAR", t->length); break;
	case TY_NUMERIC: case TY_DECIMAL: {
		const char *n = t->k == TY_NUMERIC ? "NUMERIC" : "DECIMAL";
		if (t->precision < 0)
			ob_puts(b, n);
		else if (t->scale < 0)
			ob_printf(b, "%s(%d)", n, t->precision);
		else
			ob_printf(b, "%s(%d, %d)", n, t->precision, t->scale);
		break;
	}
	case TY_PGNAMED: ob_puts(b, t->pgname); break;
	case TY_ENUM: /* a non-native Enum */
		sized(b, "VARCHAR", t->length >= 0 ? t->length : enum_maxlen(t));
		break;
	case TY_ARRAY:
		return untrans(c, 0, "ARRAY type on %s", c->dd->title);
	default:
		return untrans(c, 0, "column without a type");
	}
	return 0;
}

/* SQLAlchemy's _type_affinity, coarsely: batch copies need a CAST when it
 * changes. */
int type_family(const ptype *t)
{
	switch (t->k) {
	case TY_INTEGER: case TY_BIGINT: case TY_SMALLINT: return 1;
	case TY_FLOAT: case TY_NUMERIC: case TY_DECIMAL: case TY_REAL: return 2;
	case TY_STRING: case TY_TEXT: case TY_CHAR: case TY_ENUM: return 3;
	case TY_DATETIME: case TY_TIMESTAMP: return 4;
	default: return 100 + t->k;
	}
}
