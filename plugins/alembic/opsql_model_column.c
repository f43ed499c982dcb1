/*
 * The model of one sa.Column: server defaults, foreign keys, the column's
 * flags.
 */
#include <string.h>
#include <strings.h>

#include "opsql_int.h"

/* ------------------------------------------------------- server defaults */

int sdefault_parse(ctx *c, px *e, sdefault *d)
{
	memset(d, 0, sizeof *d);
	if (!e || e->k == PX_NONE)
		return 0;
	if (is_str(e)) {
		d->k = DK_STR;
		d->s = e->s;
		return 0;
	}
	if (e->k == PX_CALL) {
		const char *n = callee_name(c, e->obj);
		const char *tx = text_arg(c, e);
		if (tx && n && (!strcmp(n, "sa:text") || !strcmp(n, "sa:sql.text"))) {
			d->k = DK_TEXT;
			d->s = text_sql(c, tx, e->line);
			if (!d->s)
				return -1;
			return 0;
		}
		if (n && e->na == 0 && (!strcmp(n, "sa:true") || !strcmp(n, "sa:expression.true") || !strcmp(n, "sa:sql.true"))) {
			d->k = DK_TRUE;
			return 0;
		}
		if (n && e->na == 0 && (!strcmp(n, "sa:false") || !strcmp(n, "sa:expression.false") || !strcmp(n, "sa:sql.false"))) {
			d->k = DK_FALSE;
			return 0;
		}
		const char *dd = px_dotted(c->a, e->obj);
		if (dd && e->na == 0) {
			const char *f = NULL;
			if (!strncmp(dd, "sa.func.", 8))
				f = dd + 8;
			else if (!strncmp(dd, "sqlalchemy.func.", 16))
				f = dd + 16;
			else if (!strncmp(dd, "func.", 5))
				f = dd + 5;
			if (f && !strchr(f, '.')) {
				d->k = DK_FUNC;
				d->s = cdup(c, f);
				return 0;
			}
		}
	}
	return untrans(c, e->line, "server_default expression");
}

/* ANSI functions SQLAlchemy renders without parentheses. */
static const char *const ansi_funcs[] = { "current_timestamp", "current_date", "current_time", "localtime",
	                                  "localtimestamp", "current_user", "session_user", "user", NULL };

/* sa.func.X(): now() as the dialect spells it (CURRENT_TIMESTAMP on
 * SQLite); ANSI functions print bare and uppercase; anything else is X(). */
static void func_sql(ctx *c, obuf *b, const char *f)
{
	if (!strcmp(f, "now") && c->dd->now_sql) {
		ob_puts(b, c->dd->now_sql);
		return;
	}
	for (int i = 0; ansi_funcs[i]; i++)
		if (!strcmp(f, ansi_funcs[i])) {
			for (const char *p = f; *p; p++)
				ob_printf(b, "%c", *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			return;
		}
	ob_printf(b, "%s()", f);
}

/* get_column_default_string(); expr_parens: SQLite's column specification
 * wraps SQL expressions (not strings, not text()) in parentheses. */
void sdefault_sql(ctx *c, obuf *b, const sdefault *d, int expr_parens)
{
	int paren = expr_parens && (d->k == DK_TRUE || d->k == DK_FALSE || d->k == DK_FUNC);
	if (paren)
		ob_puts(b, "(");
	switch (d->k) {
	case DK_STR: q_literal(c, b, d->s, strlen(d->s)); break;
	case DK_TEXT: ob_puts(b, d->s); break;
	case DK_TRUE: ob_puts(b, c->dd->true_sql); break;
	case DK_FALSE: ob_puts(b, c->dd->false_sql); break;
	case DK_FUNC: func_sql(c, b, d->s); break;
	default: break;
	}
	if (paren)
		ob_puts(b, ")");
}

/* --------------------------------------------------------------- columns */

/* validate_sql_phrase(): SQLAlchemy refuses other ON DELETE / ON UPDATE /
 * INITIALLY phrases, so they cannot be translated either. */
int phrases_ok(ctx *c, const char *ondelete, const char *onupdate, const char *initially, int line)
{
	static const char *const cascades[] = { "RESTRICT", "CASCADE", "SET NULL", "NO ACTION", "SET DEFAULT", NULL };
	const char *v[2] = { ondelete, onupdate };
	for (int k = 0; k < 2; k++) {
		if (!v[k])
			continue;
		int ok = 0;
		for (int i = 0; cascades[i]; i++)
			if (!strcasecmp(v[k], cascades[i]))
				ok = 1;
		if (!ok)
			return untrans(c, line, "unexpected SQL phrase '%s'", v[k]);
	}
	if (initially && strcasecmp(initially, "DEFERRED") && strcasecmp(initially, "IMMEDIATE"))
		return untrans(c, line, "unexpected SQL phrase '%s'", initially);
	return 0;
}

static fkref *parse_fk(ctx *c, px *e)
{
	px *target = px_posarg(e, 0);
	if (!is_str(target) || !strchr(target->s, '.')) {
		untrans(c, e->line, "ForeignKey target");
		return NULL;
	}
	fkref *f = px_alloc(c->a, sizeof *f);
	f->deferrable = -1;
	char *s = cdup(c, target->s);
	char *dot = strrchr(s, '.');
	*dot = 0;
	f->column = dot + 1;
	char *sd = strrchr(s, '.');
	if (sd) {
		*sd = 0;
		f->schema = s;
		f->table = sd + 1;
	} else {
		f->table = s;
	}
	const char *kw = NULL;
	for (int i = 0; i < e->na; i++) {
		kw = e->kw[i];
		px *a = e->a[i];
		if (!kw) {
			if (a == target)
				continue;
			goto bad;
		}
		if (!strcmp(kw, "ondelete") && is_str(a))
			f->ondelete = a->s;
		else if (!strcmp(kw, "onupdate") && is_str(a))
			f->onupdate = a->s;
		else if (!strcmp(kw, "name") && str_arg(c, a)) {
			f->name = cdup(c, str_arg(c, a));
			if (name_ok(c, (const char **)&f->name, a->line))
				return NULL;
		}
		else if (!strcmp(kw, "initially") && is_str(a))
			f->initially = a->s;
		else if (!strcmp(kw, "match") && is_str(a))
			f->match = a->s;
		else if (!strcmp(kw, "deferrable") && bool_arg(a) >= 0 && a->k != PX_NONE)
			f->deferrable = bool_arg(a);
		else if (a->k == PX_NONE)
			continue;
		else
			goto bad;
	}
	if (phrases_ok(c, f->ondelete, f->onupdate, f->initially, e->line))
		return NULL;
	return f;
bad:
	bad_arg(c, e->line, "sa.ForeignKey", kw);
	return NULL;
}

/* sa.Column(..., sa.Sequence("name", ...)): the column's default.  No DDL
 * of its own (Alembic's create_table() runs CreateTable alone, no
 * CREATE SEQUENCE); on PostgreSQL the autoincrement primary key is then no
 * SERIAL unless optional=True (PGDDLCompiler.get_column_specification). */
static int column_sequence(ctx *c, coldef *col, const px *a)
{
	static const char *const kws[] = { "start", "increment", "minvalue", "maxvalue", "nominvalue",
		                           "nomaxvalue", "cycle", "schema", "cache", "order", "quote",
		                           "quote_schema", "comment", NULL };
	int optional = 0;
	if (a->na < 1 || a->kw[0] || !is_str(a->a[0]))
		return untrans(c, a->line, "sa.Sequence() without a literal name");
	for (int i = 1; i < a->na; i++) {
		const char *kw = a->kw[i];
		if (kw && !strcmp(kw, "optional") && a->a[i]->k == PX_BOOL) {
			optional = (int)a->a[i]->iv;
			continue;
		}
		int k = 0;
		while (kw && kws[k] && strcmp(kws[k], kw))
			k++;
		if (!kw || !kws[k])
			return bad_arg(c, a->line, "sa.Sequence", kw);
	}
	col->seq = optional ? 2 : 1;
	return 0;
}

/* sa.Column(name, type, *ForeignKey / Identity, **kw) or sa.column(name, type):
 * every argument is understood or the column is untranslatable. */
coldef *parse_column(ctx *c, px *e, int lightweight)
{
	const char *n = e->k == PX_CALL ? callee_name(c, e->obj) : NULL;
	if (!n || (strcmp(n, "sa:Column") && strcmp(n, "sa:column"))) {
		untrans(c, e->line, "column expression");
		return NULL;
	}
	coldef *col = px_alloc(c->a, sizeof *col);
	col->line = e->line;
	col->autoinc = -1;
	col->nullable = 1;
	int npos = 0;
	for (int i = 0; i < e->na; i++) {
		px *a = e->a[i];
		const char *kw = e->kw[i];
		if (!kw) {
			if (npos++ == 0 && str_arg(c, a)) {
				col->name = cdup(c, str_arg(c, a));
				continue;
			}
			const char *an = a->k == PX_CALL ? callee_name(c, a->obj) : callee_name(c, a);
			if (an && !strcmp(an, "sa:ForeignKey") && a->k == PX_CALL && !lightweight) {
				fkref *f = parse_fk(c, a);
				if (!f)
					return NULL;
				fkref **v = px_alloc(c->a, (size_t)(col->nfks + 1) * sizeof *v);
				if (col->nfks)
					memcpy(v, col->fks, (size_t)col->nfks * sizeof *v);
				v[col->nfks++] = f;
				col->fks = v;
				continue;
			}
			if (an && !strcmp(an, "sa:Identity") && a->k == PX_CALL && !lightweight) {
				col->identity = 1;
				/* get_identity_options(): this order, "is not None" tests */
				static const char *const nums[] = { "increment", "start", "minvalue", "maxvalue", NULL };
				static const char *const numtext[] = { "INCREMENT BY", "START WITH", "MINVALUE", "MAXVALUE" };
				obuf ob;
				ob_init(&ob, c->a);
				static const char *const flags[] = { "always", "order", "cycle", "on_null", "nominvalue", "nomaxvalue", NULL };
				for (int j = 0; j < a->na; j++) {
					const char *k2 = a->kw[j];
					px *v = a->a[j];
					int ok = 0;
					for (int m = 0; k2 && nums[m]; m++)
						ok |= !strcmp(k2, nums[m]) && (v->k == PX_INT || v->k == PX_NONE);
					ok |= k2 && !strcmp(k2, "cache") && (v->k == PX_INT || v->k == PX_NONE);
					for (int m = 0; k2 && flags[m]; m++)
						ok |= !strcmp(k2, flags[m]) && (v->k == PX_BOOL || v->k == PX_NONE);
					if (!ok) {
						bad_arg(c, a->line, "sa.Identity", k2);
						return NULL;
					}
					if (!strcmp(k2, "always"))
						col->id_always = bool_arg(v);
				}
				for (int m = 0; nums[m]; m++) {
					px *v = px_kwarg(a, nums[m]);
					if (v && v->k == PX_INT)
						ob_printf(&ob, "%s%s %lld", ob.n ? " " : "", numtext[m], v->iv);
				}
				px *v;
				if ((v = px_kwarg(a, "nominvalue")) && v->k != PX_NONE)
					ob_printf(&ob, "%sNO MINVALUE", ob.n ? " " : "");
				if ((v = px_kwarg(a, "nomaxvalue")) && v->k != PX_NONE)
					ob_printf(&ob, "%sNO MAXVALUE", ob.n ? " " : "");
				if ((v = px_kwarg(a, "cache")) && v->k == PX_INT)
					ob_printf(&ob, "%sCACHE %lld", ob.n ? " " : "", v->iv);
				if ((v = px_kwarg(a, "order")) && v->k == PX_BOOL)
					ob_printf(&ob, "%s%s", ob.n ? " " : "", v->iv ? "ORDER" : "NO ORDER");
				if ((v = px_kwarg(a, "cycle")) && v->k == PX_BOOL)
					ob_printf(&ob, "%s%s", ob.n ? " " : "", v->iv ? "CYCLE" : "NO CYCLE");
				col->id_opts = ob.p;
				continue;
			}
			if (an && !strcmp(an, "sa:Sequence") && a->k == PX_CALL) {
				if (column_sequence(c, col, a))
					return NULL;
				continue;
			}
			if (an && !strcmp(an, "sa:CheckConstraint") && a->k == PX_CALL) {
				if (col->check) {
					untrans(c, a->line, "several sa.CheckConstraint() of a column (SQLAlchemy keeps them in a set)");
					return NULL;
				}
				tdef *tmp = table_new(c, "", NULL);
				if (table_add(c, tmp, a))
					return NULL;
				col->check = tmp->cons[0];
				continue;
			}
			if (!col->type && a->k == PX_CALL && a->obj->k == PX_ATTR && !strcmp(a->obj->s, "with_variant")) {
				col->type = parse_type(c, a);
				if (!col->type)
					return NULL;
				continue;
			}
			if (!col->type && an && (!strncmp(an, "sa:", 3) || !strncmp(an, "pg:", 3)) &&
			    strcmp(an, "sa:Computed") && strcmp(an, "sa:Sequence") && strcmp(an, "sa:CheckConstraint") &&
			    strcmp(an, "sa:UniqueConstraint") && strcmp(an, "sa:ForeignKey") && strcmp(an, "sa:Identity")) {
				col->type = parse_type(c, a);
				if (!col->type)
					return NULL;
				continue;
			}
			if (!col->type && (is_yaml_type(c, a) || is_typedec_type(c, a))) {
				/* a type of the YAML table, an application's TypeDecorator */
				col->type = parse_type(c, a);
				if (!col->type)
					return NULL;
				continue;
			}
			if (an)
				untrans(c, a->line, "sa.Column() positional argument %s%s",
				        an[2] != ':' ? "" : an[0] == 's' ? "sa." : "postgresql.", an + (an[2] == ':' ? 3 : 0));
			else
				untrans(c, a->line, "sa.Column() positional argument: an expression");
			return NULL;
		}
		int bv = bool_arg(a);
		if (!strcmp(kw, "name") && str_arg(c, a))
			col->name = cdup(c, str_arg(c, a));
		else if (!strcmp(kw, "type_")) {
			col->type = parse_type(c, a);
			if (!col->type)
				return NULL;
		} else if (!strcmp(kw, "primary_key") && bv >= 0)
			col->pk = bv;
		else if (!strcmp(kw, "nullable") && bv >= 0 && a->k != PX_NONE)
			col->nullable = bv, col->nullable_set = 1;
		else if (!strcmp(kw, "unique") && bv >= 0)
			col->unique = bv;
		else if (!strcmp(kw, "index") && bv >= 0)
			col->index = bv;
		else if (!strcmp(kw, "autoincrement")) {
			if (a->k == PX_BOOL)
				col->autoinc = (int)a->iv;
			else if (is_str(a) && !strcmp(a->s, "auto"))
				col->autoinc = -1;
			else if (is_str(a) && !strcmp(a->s, "ignore_fk"))
				col->autoinc = 2;
			else {
				untrans(c, a->line, "sa.Column() argument autoincrement= (not True, False, 'auto' or 'ignore_fk')");
				return NULL;
			}
		} else if (!strcmp(kw, "server_default")) {
			if (sdefault_parse(c, a, &col->def))
				return NULL;
		} else if (!strcmp(kw, "default"))
			col->has_pydefault = a->k != PX_NONE;
		else if (!strcmp(kw, "comment") && (is_str(a) || a->k == PX_NONE))
			col->comment = a->k == PX_NONE ? NULL : a->s;
		else if (!strcmp(kw, "onupdate") || !strcmp(kw, "doc") || !strcmp(kw, "info"))
			continue;
		else if (!strcmp(kw, "server_onupdate")) {
			/* FetchedValue / DefaultClause(for_update=True): no DDL */
			const char *fv = a->k == PX_CALL ? callee_name(c, a->obj) : NULL;
			if (a->k != PX_NONE && !text_arg(c, a) && !(fv && !strcmp(fv, "sa:FetchedValue") && a->na == 0)) {
				untrans(c, a->line,
				        "sa.Column() argument server_onupdate= (not a string, sa.text() or sa.FetchedValue())");
				return NULL;
			}
		} else {
			bad_arg(c, a->line, "sa.Column", kw);
			return NULL;
		}
	}
	if (!col->name) {
		untrans(c, e->line, "column without a literal name");
		return NULL;
	}
	if (col->seq && col->has_pydefault) {
		untrans(c, e->line, "sa.Column() with a sa.Sequence() and default=");
		return NULL;
	}
	if (!col->type)
		col->type = ty(c, TY_NULL);
	return col;
}
