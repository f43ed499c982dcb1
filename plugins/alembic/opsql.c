/*
 * opsql_translate(): finds upgrade() / downgrade() in a revision file and
 * walks its body statement by statement (see opsql.h); pyexpr.c reads the
 * Python.  Sections, in order: the translation context and the model of
 * tables / columns / types / constraints; output, errors and quoting; the
 * walk (logical lines, blocks, `with`, assignments of literal tables); the
 * model built from sa.Column / sa.Table and the DDL SQLAlchemy 1.4.46
 * compiles from it; each op.* call and batch "move and copy".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <setjmp.h>
#include <string.h>
#include <strings.h>

#include "opsql.h"
#include "pyexpr.h"

/* A growing text in the arena. */
typedef struct obuf {
	px_arena *a;
	char *p;
	size_t n, cap;
} obuf;

static void ob_init(obuf *b, px_arena *a);
static void ob_putn(obuf *b, const char *s, size_t n);
static void ob_puts(obuf *b, const char *s);
static void ob_printf(obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------- model */

enum {
	TY_NULL, TY_INTEGER, TY_BIGINT, TY_SMALLINT, TY_STRING, TY_TEXT, TY_CHAR, TY_BOOLEAN,
	TY_FLOAT, TY_NUMERIC, TY_DECIMAL, TY_REAL, TY_DATE, TY_DATETIME, TY_TIMESTAMP, TY_TIME,
	TY_INTERVAL, TY_BLOB, TY_JSON, TY_ENUM, TY_PGNAMED, TY_ARRAY
};

typedef struct ptype {
	int k;
	int length;             /* -1: none */
	int precision, scale;   /* -1: none */
	int timezone;
	int pg_only;            /* a postgresql.* type with no SQLite rendering */
	const char *pgname;     /* TY_PGNAMED: the PostgreSQL spelling */
	char **enums;
	int nenums;
	char *name;             /* Enum name / Boolean constraint name */
	char *schema;           /* Enum schema */
	int native_enum, create_constraint, create_type;
	struct ptype *item;     /* ARRAY */
	int dims;
	struct ptype *v_pg, *v_sqlite; /* with_variant() */
} ptype;

enum { DK_NONE, DK_STR, DK_TEXT, DK_TRUE, DK_FALSE, DK_FUNC };

typedef struct sdefault {
	int k;
	char *s;                /* DK_STR value, DK_TEXT text, DK_FUNC function name */
} sdefault;

typedef struct fkref {
	char *name, *schema, *table, *column; /* referent */
	char *ondelete, *onupdate, *initially, *match;
	int deferrable;         /* -1 unset */
} fkref;

typedef struct coldef {
	char *name;
	char *key;              /* batch: the original name (the transfer key) */
	int transfer;           /* batch: copied from the old table */
	ptype *type;
	int line;
	int pk, nullable, nullable_set;
	int autoinc;            /* -1 "auto", 0 False, 1 True, 2 "ignore_fk" */
	int has_pydefault;
	sdefault def;
	char *comment;
	int unique, index;
	int identity, id_always;
	char *id_opts;          /* get_identity_options(), "" when none */
	fkref **fks;
	int nfks;
} coldef;

enum { C_PK, C_FK, C_UQ, C_CK };

typedef struct cons {
	int k;
	char *name;
	char **cols;            /* local column names */
	int ncols;
	char *refschema, *reftable;
	char **refcols;
	char *ondelete, *onupdate, *initially, *match;
	int deferrable;
	char *sqltext;          /* C_CK */
	int typebound;          /* C_CK made by an Enum / Boolean type */
} cons;

typedef struct tdef {
	char *name, *schema;
	coldef **cols;
	int ncols;
	cons **cons;            /* non-PK constraints, in SQLAlchemy's creation order */
	int ncons;
	cons *pk;               /* an explicit PrimaryKeyConstraint, or NULL */
	char *comment;
	int lightweight;        /* sa.table(): no DDL */
} tdef;

typedef struct tvar {
	char *name;
	tdef *t;
	struct tvar *next;
} tvar;

typedef struct batchop {
	px *call;
	const char *meth;
} batchop;

/* ----------------------------------------------------------- context */

typedef struct ctx {
	px_arena *a;
	opsql_dialect d;
	int pg;
	obuf out;
	int status;             /* OPSQL_OK until something stops the walk */
	int line;
	char reason[512];
	int no_tx;
	tvar *vars;             /* literal tables visible in the body */
	char **enums_made;      /* PostgreSQL: CREATE TYPE already emitted */
	int nenums_made;
	const tdef *colmap;     /* batch copy: index columns are keys of this table */
	const char *alias;      /* the `as` name of the current batch_alter_table */
} ctx;

/* Stops the walk as untranslatable / refused (the first stop wins);
 * both return -1 so that callers can `return untrans(...)`. */
static int untrans(ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(ctx *c, int line, const char *msg);
static int render_text(ctx *c, obuf *out, const char *s, size_t n, const px *binds, int line);
/* A text() fragment (CHECK, index expression, server_default) as the
 * compiler prints it: bind-parameter rules applied; NULL if one is unbound. */
static char *text_sql(ctx *c, const char *s, int line);
/* PostgreSQL: SQLAlchemy refuses an explicit constraint / index name over
 * 63 characters (and shortens op.f() names with a hash): untranslatable. */
static int name_ok(ctx *c, const char *name, int line);
#define SQLITE_CONSTRAINT_MSG \
	"No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode " \
	"feature which allows for SQLite migrations using a copy-and-move strategy."

/* Appends one statement as Alembic prints it: tabs → 4 spaces, stripped, ";\n\n". */
static void emit(ctx *c, const char *sql, size_t n);

/* Names as SQLAlchemy's IdentifierPreparer.quote() writes them. */
static void q_ident(ctx *c, obuf *b, const char *name);
static void q_table(ctx *c, obuf *b, const char *schema, const char *name);
/* A string literal as the dialect's compiler renders it offline. */
static void q_literal(ctx *c, obuf *b, const char *s, size_t n);

/* The name of a call / attribute with sa., sqlalchemy., postgresql. prefixes
 * normalised: "sa:Column", "pg:JSONB", or the dotted text when unknown. */
static const char *callee_name(ctx *c, const px *e);
static int is_str(const px *e);
/* A string argument, also through op.f("name"); NULL otherwise. */
static const char *str_arg(ctx *c, const px *e);
/* Literal sa.text("...") or a plain string: the text, NULL otherwise. */
static const char *text_arg(ctx *c, const px *e);
/* Python truthiness of a literal bool / None / int; -1 if not a literal. */
static int bool_arg(const px *e);

/* tables, columns, types */
static ptype *parse_type(ctx *c, px *e);
static int type_sql(ctx *c, obuf *b, const ptype *t);
static int fix_line(ctx *c, int line);
static int type_family(const ptype *t);
static coldef *parse_column(ctx *c, px *e, int lightweight);
static tdef *parse_table(ctx *c, px *call, int lightweight);
static tdef *table_new(ctx *c, const char *name, const char *schema);
static int table_add(ctx *c, tdef *t, px *item);
static int table_finish(ctx *c, tdef *t);
static int col_spec(ctx *c, obuf *b, const tdef *t, const coldef *col);
static int sdefault_parse(ctx *c, px *e, sdefault *d);
static void sdefault_sql(ctx *c, obuf *b, const sdefault *d, int sqlite_parens);
static int cons_sql(ctx *c, obuf *b, const tdef *t, const cons *k);
static int render_create_table(ctx *c, tdef *t);
static int value_literal(ctx *c, obuf *b, const px *v, const ptype *t, int line);
static const coldef *autoinc_column(const tdef *t);

/* op.* calls */
static int op_call(ctx *c, px *call, const char *meth, const char *batch_table, const char *batch_schema);
static int batch_run(ctx *c, px *hdr, batchop *ops, int nops, int line);
static int op_create_table(ctx *c, px *call, tdef **made);


/* ------------------------------------------------------------- buffers */

static void ob_init(obuf *b, px_arena *a)
{
	b->a = a;
	b->p = NULL;
	b->n = b->cap = 0;
	ob_putn(b, "", 0);
}

static void ob_putn(obuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = px_alloc(b->a, cap);
		if (b->n)
			memcpy(p, b->p, b->n);
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void ob_puts(obuf *b, const char *s)
{
	ob_putn(b, s, strlen(s));
}

static void ob_printf(obuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		ob_putn(b, tmp, (size_t)n);
		return;
	}
	char *big = px_alloc(b->a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ob_putn(b, big, (size_t)n);
}

/* -------------------------------------------------------------- errors */

static int untrans(ctx *c, int line, const char *fmt, ...)
{
	if (c->status == OPSQL_OK) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->reason, sizeof c->reason, fmt, ap);
		va_end(ap);
		c->status = OPSQL_UNTRANSLATABLE;
		c->line = line;
	}
	return -1;
}

/* Alembic itself raises on this dialect: the message is its own. */
static int refuse(ctx *c, int line, const char *msg)
{
	if (c->status == OPSQL_OK) {
		snprintf(c->reason, sizeof c->reason, "%s", msg);
		c->status = OPSQL_REFUSED;
		c->line = line;
	}
	return -1;
}

/* Alembic writes str(compiled).replace("\t", "    ").strip() + ";" and a
 * blank line: the same here, byte for byte. */
static void emit(ctx *c, const char *sql, size_t n)
{
	/* str.strip(): ASCII whitespace and the separators \x1c-\x1f */
	static const char ws[] = " \t\n\r\v\f\x1c\x1d\x1e\x1f";
	size_t s = 0, e = n;
	while (s < e && sql[s] && strchr(ws, sql[s]))
		s++;
	while (e > s && sql[e - 1] && strchr(ws, sql[e - 1]))
		e--;
	for (size_t i = s; i < e; i++) {
		if (sql[i] == '\t')
			ob_putn(&c->out, "    ", 4);
		else
			ob_putn(&c->out, sql + i, 1);
	}
	ob_putn(&c->out, ";\n\n", 3);
}

/* ------------------------------------------------------------- quoting */

/* SQLAlchemy 1.4.46 RESERVED_WORDS of the PostgreSQL and SQLite dialects. */
static const char *const pg_reserved[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case",
	"cast", "check", "collate", "column", "constraint", "create", "current_catalog", "current_date",
	"current_role", "current_time", "current_timestamp", "current_user", "default", "deferrable",
	"desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
	"grant", "group", "having", "in", "initially", "intersect", "into", "leading", "limit",
	"localtime", "localtimestamp", "new", "not", "null", "of", "off", "offset", "old", "on", "only",
	"or", "order", "placing", "primary", "references", "returning", "select", "session_user", "some",
	"symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using",
	"variadic", "when", "where", "window", "with", "authorization", "between", "binary", "cross",
	"current_schema", "freeze", "full", "ilike", "inner", "is", "isnull", "join", "left", "like",
	"natural", "notnull", "outer", "over", "overlaps", "right", "similar", "verbose", NULL
};

static const char *const sqlite_reserved[] = {
	"add", "after", "all", "alter", "analyze", "and", "as", "asc", "attach", "autoincrement",
	"before", "begin", "between", "by", "cascade", "case", "cast", "check", "collate", "column",
	"commit", "conflict", "constraint", "create", "cross", "current_date", "current_time",
	"current_timestamp", "database", "default", "deferrable", "deferred", "delete", "desc",
	"detach", "distinct", "drop", "each", "else", "end", "escape", "except", "exclusive", "exists",
	"explain", "false", "fail", "for", "foreign", "from", "full", "glob", "group", "having", "if",
	"ignore", "immediate", "in", "index", "indexed", "initially", "inner", "insert", "instead",
	"intersect", "into", "is", "isnull", "join", "key", "left", "like", "limit", "match", "natural",
	"not", "notnull", "null", "of", "offset", "on", "or", "order", "outer", "plan", "pragma",
	"primary", "query", "raise", "references", "reindex", "rename", "replace", "restrict", "right",
	"rollback", "row", "select", "set", "table", "temp", "temporary", "then", "to", "transaction",
	"trigger", "true", "union", "unique", "update", "using", "vacuum", "values", "view", "virtual",
	"when", "where", NULL
};

/* IdentifierPreparer._requires_quotes: a reserved word, a first character
 * that is a digit or '$', a character outside [A-Za-z0-9_$], or any
 * uppercase letter. */
static int requires_quotes(int pg, const char *s)
{
	if (!*s)
		return 1;
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '$')
		return 1;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 'A' && ch <= 'Z')
			return 1;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$'))
			return 1;
	}
	for (const char *const *w = pg ? pg_reserved : sqlite_reserved; *w; w++)
		if (!strcmp(*w, s))
			return 1;
	return 0;
}

static int needs_quotes(ctx *c, const char *s)
{
	return requires_quotes(c->pg, s);
}

char *opsql_ident(opsql_dialect dialect, const char *name)
{
	size_t n = strlen(name), k = 0;
	char *out = malloc(2 * n + 3);
	if (!out)
		return NULL;
	if (!requires_quotes(dialect == OPSQL_POSTGRESQL, name)) {
		memcpy(out, name, n + 1);
		return out;
	}
	out[k++] = '"';
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			out[k++] = '"';
		out[k++] = *p;
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

static int name_ok(ctx *c, const char *name, int line)
{
	if (c->pg && name && strlen(name) > 63)
		return untrans(c, line, "name longer than 63 characters: %s", name);
	return 0;
}

/* One identifier, quoted when needs_quotes() says SQLAlchemy would. */
static void q_ident(ctx *c, obuf *b, const char *name)
{
	if (!needs_quotes(c, name)) {
		ob_puts(b, name);
		return;
	}
	ob_putn(b, "\"", 1);
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			ob_putn(b, "\"\"", 2);
		else
			ob_putn(b, p, 1);
	}
	ob_putn(b, "\"", 1);
}

/* [schema.]name, each part quoted on its own (format_table). */
static void q_table(ctx *c, obuf *b, const char *schema, const char *name)
{
	if (schema && *schema) {
		q_ident(c, b, schema);
		ob_putn(b, ".", 1);
	}
	q_ident(c, b, name);
}

/* String.literal_processor: quotes doubled; PostgreSQL's compiler then
 * doubles backslashes because, offline, the dialect never learned that
 * standard_conforming_strings is on (PGDialect._backslash_escapes). */
static void q_literal(ctx *c, obuf *b, const char *s, size_t n)
{
	ob_putn(b, "'", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			ob_putn(b, "''", 2);
		else if (s[i] == '\\' && c->pg)
			ob_putn(b, "\\\\", 2);
		else
			ob_putn(b, s + i, 1);
	}
	ob_putn(b, "'", 1);
}

/* ------------------------------------------------------- argument helpers */

static const char *const sa_prefixes[] = { "sa.", "sqlalchemy.", "sa.types.", "sqlalchemy.types.",
	                                   "sa.schema.", "sqlalchemy.schema.", "sa.sql.", "sqlalchemy.sql.",
	                                   "sa.sql.expression.", "sqlalchemy.sql.expression.", NULL };
static const char *const pg_prefixes[] = { "postgresql.", "sa.dialects.postgresql.",
	                                   "sqlalchemy.dialects.postgresql.", NULL };

/* Imports differ between revisions (sa.X, sqlalchemy.X, from sqlalchemy import X,
 * postgresql.X): one spelling per class makes the lookups simple. */
static const char *callee_name(ctx *c, const px *e)
{
	const char *d = px_dotted(c->a, e);
	if (!d)
		return NULL;
	for (int i = 0; pg_prefixes[i]; i++) {
		size_t n = strlen(pg_prefixes[i]);
		if (!strncmp(d, pg_prefixes[i], n) && !strchr(d + n, '.')) {
			char *s = px_alloc(c->a, strlen(d + n) + 4);
			sprintf(s, "pg:%s", d + n);
			return s;
		}
	}
	for (int i = 0; sa_prefixes[i]; i++) {
		size_t n = strlen(sa_prefixes[i]);
		if (!strncmp(d, sa_prefixes[i], n) && !strchr(d + n, '.')) {
			char *s = px_alloc(c->a, strlen(d + n) + 4);
			sprintf(s, "sa:%s", d + n);
			return s;
		}
	}
	if (!strchr(d, '.')) { /* a bare name imported from sqlalchemy */
		char *s = px_alloc(c->a, strlen(d) + 4);
		sprintf(s, "sa:%s", d);
		return s;
	}
	return d;
}

/* A plain str literal (not an f-string, not bytes). */
static int is_str(const px *e)
{
	return e && e->k == PX_STR && !e->fstr && !e->bytes;
}

/* Names come as "x" or op.f("x") (autogenerate) or conv("x"). */
static const char *str_arg(ctx *c, const px *e)
{
	if (is_str(e))
		return e->s;
	if (e && e->k == PX_CALL) {
		const char *d = px_dotted(c->a, e->obj);
		size_t al = c->alias ? strlen(c->alias) : 0;
		int batch_f = d && al && !strncmp(d, c->alias, al) && !strcmp(d + al, ".f");
		if (d && (!strcmp(d, "op.f") || batch_f || !strcmp(d, "conv")) && e->na == 1 && !e->kw[0] &&
		    is_str(e->a[0]))
			return e->a[0]->s;
		d = callee_name(c, e->obj);
		if (d && !strcmp(d, "sa:schema.conv") && e->na == 1 && is_str(e->a[0]))
			return e->a[0]->s;
	}
	return NULL;
}

/* SQL fragments come as "..." or sa.text("..."). */
static const char *text_arg(ctx *c, const px *e)
{
	if (is_str(e))
		return e->s;
	if (e && e->k == PX_CALL && e->na == 1 && !e->kw[0] && is_str(e->a[0])) {
		const char *d = callee_name(c, e->obj);
		if (d && (!strcmp(d, "sa:text") || !strcmp(d, "sa:sql.text") || !strcmp(d, "sa:literal_column")))
			return e->a[0]->s;
	}
	return NULL;
}

/* Flags are written True / False / None / 0 / 1. */
static int bool_arg(const px *e)
{
	if (!e)
		return -1;
	if (e->k == PX_BOOL || e->k == PX_INT)
		return e->iv != 0;
	if (e->k == PX_NONE)
		return 0;
	return -1;
}

/* ----------------------------------------------------------------- walk */

typedef struct lline {
	int s, e;      /* token range, without the NL */
	int indent;
	int line;
} lline;

typedef struct bctx {
	const char *alias;      /* the `as` name of batch_alter_table */
	batchop *ops;
	int n, cap;
} bctx;

typedef struct walk {
	ctx *c;
	const px_tok *t;
	lline *l;
	int nl;
} walk;

static int block(walk *w, int from, int to, bctx *b);
static int stmt_range(walk *w, int s, int e, bctx *b);

/* The first call to `name` anywhere in an expression, to name the
 * construct that makes a statement untranslatable (op.get_bind() ...). */
static const px *find_call(ctx *c, const px *e, const char *name)
{
	/* along the object chain by iteration (chains have no depth limit),
	 * into arguments by recursion (bounded by the bracket depth) */
	const px *found = NULL;
	for (; e; e = e->obj) {
		if (e->k == PX_CALL) {
			const char *d = px_dotted(c->a, e->obj);
			if (d && !strcmp(d, name))
				found = e;
		}
		for (int i = 0; i < e->na; i++) {
			const px *r = find_call(c, e->a[i], name);
			if (r)
				found = r;
		}
	}
	return found;
}

/* Names the reason a call that is no op.* call cannot be translated. */
static int foreign_call(ctx *c, const px *e)
{
	const px *g = find_call(c, e, "op.get_bind");
	if (g)
		return untrans(c, g->line, "op.get_bind()");
	g = find_call(c, e, "op.get_context");
	if (g)
		return untrans(c, g->line, "op.get_context()");
	const char *d = e->k == PX_CALL ? px_dotted(c->a, e->obj) : NULL;
	if (d)
		return untrans(c, e->line, "call to %s()", d);
	return untrans(c, e->line, "call to a computed function");
}

/* Only literal sa.Table() / sa.table() values may be assigned. */
static int is_table_call(ctx *c, const px *e)
{
	if (!e || e->k != PX_CALL)
		return 0;
	const char *n = callee_name(c, e->obj);
	return n && (!strcmp(n, "sa:Table") || !strcmp(n, "sa:table"));
}

/* A table variable for bulk_insert / copy_from; the newest binding wins. */
static void add_var(ctx *c, const char *name, tdef *t)
{
	tvar *v = px_alloc(c->a, sizeof *v);
	v->name = px_strndup(c->a, name, strlen(name));
	v->t = t;
	v->next = c->vars;
	c->vars = v;
}

/* An expression statement: a docstring, `...`, or a call. */
static int expr_stmt(walk *w, int s, int e, bctx *b)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	if (e - s == 1 && px_is_op(&t[s], "..."))
		return 0;
	int i = s;
	px *x = px_parse_expr(c->a, t, &i, e);
	if (i != e)
		return untrans(c, t[s].line, "unsupported statement");
	if (x->k == PX_STR) {
		if (x->fstr)
			return untrans(c, x->line, "f-string");
		return 0; /* a docstring or a bare string: nothing */
	}
	if (x->k != PX_CALL) {
		if (x->k == PX_OTHER)
			return untrans(c, x->line, "%s", x->s);
		return untrans(c, x->line, "expression statement");
	}
	const char *d = px_dotted(c->a, x->obj);
	if (d && !strncmp(d, "op.", 3) && !strchr(d + 3, '.'))
		return op_call(c, x, d + 3, NULL, NULL);
	if (d && b && b->alias) {
		size_t n = strlen(b->alias);
		if (!strncmp(d, b->alias, n) && d[n] == '.' && !strchr(d + n + 1, '.')) {
			if (b->n == b->cap) {
				int cap = b->cap ? b->cap * 2 : 8;
				batchop *o = px_alloc(c->a, (size_t)cap * sizeof *o);
				if (b->n)
					memcpy(o, b->ops, (size_t)b->n * sizeof *o);
				b->ops = o;
				b->cap = cap;
			}
			b->ops[b->n].call = x;
			b->ops[b->n].meth = d + n + 1;
			b->n++;
			return 0;
		}
	}
	return foreign_call(c, x);
}

/* `name = sa.Table(...)` / `sa.table(...)`: a literal table for
 * bulk_insert and copy_from; any other assignment stops the walk. */
static int assign_stmt(walk *w, int s, int eq, int e)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	int i = eq + 1;
	px *v = px_parse_expr(c->a, t, &i, e);
	int simple = (eq - s == 1 || (eq - s >= 3 && px_is_op(&t[s + 1], ":"))) && t[s].k == TK_NAME;
	if (i == e && simple && is_table_call(c, v)) {
		tdef *td = parse_table(c, v, 0);
		if (!td)
			return -1;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)t[s].n, t[s].p);
		add_var(c, name, td);
		return 0;
	}
	if (i == e && simple && v->k == PX_CALL) {
		/* t = op.create_table(...): the table it returns, for bulk_insert */
		const char *d = px_dotted(c->a, v->obj);
		if (d && !strcmp(d, "op.create_table")) {
			tdef *td = NULL;
			if (op_create_table(c, v, &td))
				return -1;
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)t[s].n, t[s].p);
			add_var(c, name, td);
			return 0;
		}
	}
	const px *g = find_call(c, v, "op.get_bind");
	if (g)
		return untrans(c, g->line, "op.get_bind()");
	if (t[s].k == TK_NAME && simple)
		return untrans(c, t[s].line, "assignment to '%.*s'", (int)t[s].n, t[s].p);
	return untrans(c, t[s].line, "assignment");
}

static const struct { const char *kw, *what; } compound[] = {
	{ "for", "for loop" }, { "while", "while loop" }, { "if", "if statement" },
	{ "elif", "if statement" }, { "else", "if statement" }, { "try", "try statement" },
	{ "except", "try statement" }, { "finally", "try statement" }, { "def", "nested function definition" },
	{ "class", "class definition" }, { "return", "return statement" }, { "import", "import statement" },
	{ "from", "import statement" }, { "global", "global statement" }, { "nonlocal", "nonlocal statement" },
	{ "raise", "raise statement" }, { "assert", "assert statement" }, { "del", "del statement" },
	{ "async", "async statement" }, { "await", "await expression" }, { "yield", "yield expression" },
	{ "break", "break statement" }, { "continue", "continue statement" }, { "lambda", "lambda" },
	{ NULL, NULL }
};

/* One simple statement in t[s..e). */
static int simple_stmt(walk *w, int s, int e, bctx *b)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	if (s >= e)
		return 0;
	if (px_is_name(&t[s], "pass"))
		return 0;
	for (int k = 0; compound[k].kw; k++)
		if (px_is_name(&t[s], compound[k].kw))
			return untrans(c, t[s].line, "%s", compound[k].what);
	int depth = 0;
	for (int i = s; i < e; i++) {
		if (px_is_op(&t[i], "(") || px_is_op(&t[i], "[") || px_is_op(&t[i], "{"))
			depth++;
		else if (px_is_op(&t[i], ")") || px_is_op(&t[i], "]") || px_is_op(&t[i], "}"))
			depth--;
		else if (depth == 0 && px_is_op(&t[i], "="))
			return assign_stmt(w, s, i, e);
		else if (depth == 0 && t[i].k == TK_OP && t[i].n >= 2 && t[i].p[t[i].n - 1] == '=' &&
		         !px_is_op(&t[i], "==") && !px_is_op(&t[i], "!=") && !px_is_op(&t[i], "<=") &&
		         !px_is_op(&t[i], ">="))
			return untrans(c, t[s].line, "augmented assignment");
	}
	return expr_stmt(w, s, e, b);
}

/* Statements of one logical line separated by ';'. */
static int stmt_range(walk *w, int s, int e, bctx *b)
{
	int depth = 0, start = s;
	for (int i = s; i <= e; i++) {
		if (i < e) {
			if (px_is_op(&w->t[i], "(") || px_is_op(&w->t[i], "[") || px_is_op(&w->t[i], "{"))
				depth++;
			else if (px_is_op(&w->t[i], ")") || px_is_op(&w->t[i], "]") || px_is_op(&w->t[i], "}"))
				depth--;
		}
		if (i == e || (depth == 0 && px_is_op(&w->t[i], ";"))) {
			if (simple_stmt(w, start, i, b))
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

/* The ':' that ends a compound statement's header in t[s..e), or -1. */
static int header_colon(const px_tok *t, int s, int e)
{
	int depth = 0;
	for (int i = s; i < e; i++) {
		if (px_is_op(&t[i], "(") || px_is_op(&t[i], "[") || px_is_op(&t[i], "{"))
			depth++;
		else if (px_is_op(&t[i], ")") || px_is_op(&t[i], "]") || px_is_op(&t[i], "}"))
			depth--;
		else if (depth == 0 && px_is_op(&t[i], ":"))
			return i;
	}
	return -1;
}

/* `with op.batch_alter_table(...) as x:` and
 * `with op.get_context().autocommit_block():`; the body is either the rest
 * of the header line or the following more-indented lines [bfrom, bto). */
static int with_stmt(walk *w, int li, int bfrom, int bto, bctx *outer)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	lline *L = &w->l[li];
	int colon = header_colon(t, L->s, L->e);
	if (colon < 0)
		return untrans(c, L->line, "with statement");
	int i = L->s + 1;
	px *x = px_parse_expr(c->a, t, &i, colon);
	const char *alias = NULL;
	char aliasbuf[256];
	if (i < colon && px_is_name(&t[i], "as") && i + 2 == colon && t[i + 1].k == TK_NAME) {
		snprintf(aliasbuf, sizeof aliasbuf, "%.*s", (int)t[i + 1].n, t[i + 1].p);
		alias = aliasbuf;
		i += 2;
	}
	if (i != colon)
		return untrans(c, L->line, "with statement");
	int kind = 0;
	if (x->k == PX_CALL) {
		const char *d = px_dotted(c->a, x->obj);
		if (d && !strcmp(d, "op.batch_alter_table"))
			kind = 1;
		else if (x->obj->k == PX_ATTR && !strcmp(x->obj->s, "autocommit_block") && x->na == 0 &&
		         x->obj->obj->k == PX_CALL && x->obj->obj->na == 0) {
			const char *g = px_dotted(c->a, x->obj->obj->obj);
			if (g && !strcmp(g, "op.get_context"))
				kind = 2;
		}
	}
	if (!kind) {
		if (x->k == PX_CALL)
			return foreign_call(c, x);
		return untrans(c, L->line, "with statement");
	}
	if (colon + 1 < L->e && bto > bfrom)
		return untrans(c, w->l[bfrom].line, "unexpected indent");
	if (kind == 2) {
		/* strata runs such a revision outside a transaction instead of
		 * printing COMMIT / BEGIN around the block */
		c->no_tx = 1;
		if (colon + 1 < L->e)
			return stmt_range(w, colon + 1, L->e, outer);
		return block(w, bfrom, bto, outer);
	}
	if (outer)
		return untrans(c, L->line, "nested batch_alter_table");
	bctx b = { alias, NULL, 0, 0 };
	c->alias = alias;
	int rc = colon + 1 < L->e ? stmt_range(w, colon + 1, L->e, &b) : block(w, bfrom, bto, &b);
	if (!rc)
		rc = batch_run(c, x, b.ops, b.n, L->line);
	c->alias = NULL;
	return rc;
}

/* The logical lines [from, to): each statement, and for a `with` the
 * more-indented lines after it as its body. */
static int block(walk *w, int from, int to, bctx *b)
{
	int i = from;
	while (i < to) {
		lline *L = &w->l[i];
		int j = i + 1;
		while (j < to && w->l[j].indent > L->indent)
			j++;
		if (px_is_name(&w->t[L->s], "with")) {
			if (with_stmt(w, i, i + 1, j, b))
				return -1;
		} else if (j > i + 1 && !px_is_op(&w->t[L->e - 1], ":")) {
			return untrans(w->c, w->l[i + 1].line, "unexpected indent");
		} else if (stmt_range(w, L->s, L->e, b)) {
			return -1;
		}
		i = j;
	}
	return 0;
}

/* Module-level `T = sa.Table(...)`: remembered for copy_from / bulk_insert;
 * a module-level assignment that is not a literal table is ignored here. */
static void module_tables(walk *w)
{
	ctx *c = w->c;
	for (int k = 0; k < w->nl; k++) {
		lline *L = &w->l[k];
		const px_tok *t = w->t;
		if (L->indent != 0 || L->e - L->s < 3 || t[L->s].k != TK_NAME || !px_is_op(&t[L->s + 1], "="))
			continue;
		int i = L->s + 2;
		px *v = px_parse_expr(c->a, t, &i, L->e);
		if (i != L->e || !is_table_call(c, v))
			continue;
		int st = c->status;
		tdef *td = parse_table(c, v, 0);
		if (td && c->status == OPSQL_OK) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)t[L->s].n, t[L->s].p);
			add_var(c, name, td);
		}
		c->status = st;
		c->reason[0] = 0;
		c->line = 0;
	}
}

typedef struct translate_args {
	const char *fn;
	opsql_dialect dialect;
	opsql_result *out;
	char *err;
	size_t errsize;
	int *errline;
} translate_args;

static int translate_tokens(const px_toks *tk, void *ud)
{
	translate_args *t = ud;
	return opsql_translate_toks(tk, t->fn, t->dialect, t->out, t->err, t->errsize, t->errline);
}

int opsql_translate(const char *text, size_t len, const char *fn, opsql_dialect dialect,
                    opsql_result *out, char *err, size_t errsize, int *errline)
{
	memset(out, 0, sizeof *out);
	if (err && errsize)
		err[0] = 0;
	if (errline)
		*errline = 0;
	translate_args t = { fn, dialect, out, err, errsize, errline };
	return px_with_tokens(text, len, translate_tokens, &t, err, errsize, errline);
}

int opsql_translate_toks(const px_toks *tokens, const char *fn, opsql_dialect dialect,
                         opsql_result *out, char *err, size_t errsize, int *errline)
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
		return -1;
	}
	px_toks tk = *tokens;
	ctx c;
	memset(&c, 0, sizeof c);
	c.a = &arena;
	c.d = dialect;
	c.pg = dialect == OPSQL_POSTGRESQL;
	ob_init(&c.out, &arena);

	/* logical lines */
	walk w = { &c, tk.t, NULL, 0 };
	w.l = px_alloc(&arena, (size_t)(tk.n + 1) * sizeof *w.l);
	for (int i = 0; i < tk.n && tk.t[i].k != TK_EOF;) {
		int s = i;
		while (tk.t[i].k != TK_NL && tk.t[i].k != TK_EOF)
			i++;
		if (i > s) {
			w.l[w.nl].s = s;
			w.l[w.nl].e = i;
			w.l[w.nl].indent = tk.t[s].col;
			w.l[w.nl].line = tk.t[s].line;
			w.nl++;
		}
		if (tk.t[i].k == TK_NL)
			i++;
	}

	/* the last module-level `def fn(` wins, as in Python */
	int def = -1;
	for (int k = 0; k < w.nl; k++) {
		lline *L = &w.l[k];
		if (L->indent == 0 && L->e - L->s >= 3 && px_is_name(&tk.t[L->s], "def") &&
		    px_is_name(&tk.t[L->s + 1], fn) && px_is_op(&tk.t[L->s + 2], "("))
			def = k;
	}
	if (def < 0) {
		out->status = OPSQL_NOFUNC;
		px_arena_free(&arena);
		return 0;
	}
	module_tables(&w);

	lline *D = &w.l[def];
	int colon = -1, depth = 0;
	for (int i = D->s + 2; i < D->e; i++) {
		if (px_is_op(&tk.t[i], "(") || px_is_op(&tk.t[i], "["))
			depth++;
		else if (px_is_op(&tk.t[i], ")") || px_is_op(&tk.t[i], "]"))
			depth--;
		else if (depth == 0 && px_is_op(&tk.t[i], ":")) {
			colon = i;
			break;
		}
	}
	if (colon < 0) {
		if (err && errsize)
			snprintf(err, errsize, "invalid syntax: def %s( has no ':'", fn);
		if (errline)
			*errline = D->line;
		px_arena_free(&arena);
		return -1;
	}
	int end = def + 1;
	while (end < w.nl && w.l[end].indent > 0)
		end++;
	if (colon + 1 < D->e && end > def + 1)
		untrans(&c, w.l[def + 1].line, "unexpected indent");
	else if (colon + 1 < D->e)
		stmt_range(&w, colon + 1, D->e, NULL);
	else
		block(&w, def + 1, end, NULL);

	out->status = (opsql_status)c.status;
	out->no_transaction = c.no_tx;
	if (c.status == OPSQL_OK) {
		out->line = D->line;
		out->sql = malloc(c.out.n + 1);
		if (!out->sql) {
			px_arena_free(&arena);
			memset(out, 0, sizeof *out);
			if (err && errsize)
				snprintf(err, errsize, "out of memory");
			return -1;
		}
		memcpy(out->sql, c.out.p, c.out.n + 1);
		out->len = c.out.n;
	} else {
		out->line = c.line;
		snprintf(out->reason, sizeof out->reason, "%s", c.reason);
		out->no_transaction = 0;
	}
	px_arena_free(&arena);
	return 0;
}

/* Only sql is allocated; the rest lives in the struct. */
void opsql_result_free(opsql_result *r)
{
	if (!r)
		return;
	free(r->sql);
	r->sql = NULL;
	r->len = 0;
}

/* ================================================ tables, columns, types */

static char *cdup(ctx *c, const char *s)
{
	return s ? px_strndup(c->a, s, strlen(s)) : NULL;
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

static ptype *ty(ctx *c, int k)
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

/* sa.String(50), sa.Integer, sa.Enum("a", "b", name="x"),
 * sa.BigInteger().with_variant(sa.Integer(), "sqlite"), postgresql.JSONB ... */
static ptype *parse_type(ctx *c, px *e)
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
			if (!strcmp(dn->s, "sqlite"))
				base->v_sqlite = vty;
			else if (!strcmp(dn->s, "postgresql"))
				base->v_pg = vty;
		}
		return base;
	}
	px *callee = e->k == PX_CALL ? e->obj : e;
	const char *n = callee_name(c, callee);
	if (!n || (strncmp(n, "sa:", 3) && strncmp(n, "pg:", 3))) {
		untrans(c, e->line, "column type %s", n ? n : "expression");
		return NULL;
	}
	int pg = n[0] == 'p';
	const char *base = n + 3;
	ptype *t = NULL;
	if (pg) {
		for (int i = 0; pg_named[i].name; i++)
			if (!strcmp(base, pg_named[i].name)) {
				t = ty(c, TY_PGNAMED);
				t->pgname = pg_named[i].sql;
				t->pg_only = 1;
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
	if (!t && !pg && dotted && !strchr(dotted, '.')) {
		/* a bare name from `from sqlalchemy.dialects.postgresql import X` */
		for (int i = 0; pg_named[i].name; i++)
			if (!strcmp(base, pg_named[i].name)) {
				t = ty(c, TY_PGNAMED);
				t->pgname = pg_named[i].sql;
				t->pg_only = 1;
				pg = 1;
			}
		if (!strcmp(base, "ENUM")) {
			t = ty(c, TY_ENUM);
			pg = 1;
		}
	}
	if (!t) {
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
			if (pg && kw && !strcmp(kw, "precision") && (a->k == PX_NONE || !int_arg(a, &t->precision)))
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
			           (pg && !strcmp(kw, "create_type"))) && bool_arg(a) >= 0) {
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
static const ptype *impl(const ctx *c, const ptype *t)
{
	if (c->pg && t->v_pg)
		return t->v_pg;
	if (!c->pg && t->v_sqlite)
		return t->v_sqlite;
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
static void sized(obuf *b, const char *name, int n)
{
	ob_puts(b, name);
	if (n > 0)
		ob_printf(b, "(%d)", n);
}

/* The type as the dialect's type compiler prints it. */
static int type_sql(ctx *c, obuf *b, const ptype *t0)
{
	const ptype *t = impl(c, t0);
	if (!c->pg && t->pg_only)
		return untrans(c, 0, "PostgreSQL type %s on SQLite", t->pgname);
	switch (t->k) {
	case TY_INTEGER: ob_puts(b, "INTEGER"); break;
	case TY_BIGINT: ob_puts(b, "BIGINT"); break;
	case TY_SMALLINT: ob_puts(b, "SMALLINT"); break;
	case TY_STRING: sized(b, "VARCHAR", t->length); break;
	case TY_TEXT: sized(b, "TEXT", t->length); break;
	case TY_CHAR: sized(b, "CHAR", t->length); break;
	case TY_BOOLEAN: ob_puts(b, "BOOLEAN"); break;
	case TY_FLOAT: sized(b, "FLOAT", c->pg ? t->precision : -1); break; /* the generic compiler drops it */
	case TY_REAL: ob_puts(b, "REAL"); break;
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
	case TY_DATE: ob_puts(b, "DATE"); break;
	case TY_DATETIME: case TY_TIMESTAMP:
		if (c->pg) {
			ob_puts(b, "TIMESTAMP");
			if (t->precision >= 0)
				ob_printf(b, "(%d)", t->precision);
			ob_puts(b, t->timezone ? " WITH TIME ZONE" : " WITHOUT TIME ZONE");
		} else {
			ob_puts(b, t->k == TY_DATETIME ? "DATETIME" : "TIMESTAMP");
		}
		break;
	case TY_TIME:
		if (c->pg) {
			ob_puts(b, "TIME");
			if (t->precision >= 0)
				ob_printf(b, "(%d)", t->precision);
			ob_puts(b, t->timezone ? " WITH TIME ZONE" : " WITHOUT TIME ZONE");
		} else {
			ob_puts(b, "TIME");
		}
		break;
	case TY_INTERVAL: ob_puts(b, c->pg ? "INTERVAL" : "DATETIME"); break;
	case TY_BLOB: ob_puts(b, c->pg ? "BYTEA" : "BLOB"); break;
	case TY_JSON: ob_puts(b, "JSON"); break;
	case TY_PGNAMED: ob_puts(b, t->pgname); break;
	case TY_ENUM:
		if (c->pg && t->native_enum) {
			if (!t->name)
				return untrans(c, 0, "PostgreSQL ENUM type requires a name");
			q_table(c, b, t->schema, t->name);
		} else {
			sized(b, "VARCHAR", t->length >= 0 ? t->length : enum_maxlen(t));
		}
		break;
	case TY_ARRAY:
		if (!c->pg)
			return untrans(c, 0, "ARRAY type on SQLite");
		if (type_sql(c, b, t->item))
			return -1;
		for (int i = 0; i < (t->dims > 0 ? t->dims : 1); i++)
			ob_puts(b, "[]");
		break;
	default:
		return untrans(c, 0, "column without a type");
	}
	return 0;
}

/* SQLAlchemy's _type_affinity, coarsely: batch copies need a CAST when it
 * changes. */
static int type_family(const ptype *t)
{
	switch (t->k) {
	case TY_INTEGER: case TY_BIGINT: case TY_SMALLINT: return 1;
	case TY_FLOAT: case TY_NUMERIC: case TY_DECIMAL: case TY_REAL: return 2;
	case TY_STRING: case TY_TEXT: case TY_CHAR: case TY_ENUM: return 3;
	case TY_DATETIME: case TY_TIMESTAMP: return 4;
	default: return 100 + t->k;
	}
}

/* ------------------------------------------------------- server defaults */

static int sdefault_parse(ctx *c, px *e, sdefault *d)
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

/* sa.func.X(): now() is CURRENT_TIMESTAMP on SQLite; ANSI functions print
 * bare and uppercase; anything else is X(). */
static void func_sql(ctx *c, obuf *b, const char *f)
{
	if (!strcmp(f, "now") && !c->pg) {
		ob_puts(b, "CURRENT_TIMESTAMP");
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

/* get_column_default_string(); SQLite's column specification wraps SQL
 * expressions (not strings, not text()) in parentheses. */
static void sdefault_sql(ctx *c, obuf *b, const sdefault *d, int sqlite_parens)
{
	int paren = sqlite_parens && !c->pg && (d->k == DK_TRUE || d->k == DK_FALSE || d->k == DK_FUNC);
	if (paren)
		ob_puts(b, "(");
	switch (d->k) {
	case DK_STR: q_literal(c, b, d->s, strlen(d->s)); break;
	case DK_TEXT: ob_puts(b, d->s); break;
	case DK_TRUE: ob_puts(b, c->pg ? "true" : "1"); break;
	case DK_FALSE: ob_puts(b, c->pg ? "false" : "0"); break;
	case DK_FUNC: func_sql(c, b, d->s); break;
	default: break;
	}
	if (paren)
		ob_puts(b, ")");
}

/* --------------------------------------------------------------- columns */

/* validate_sql_phrase(): SQLAlchemy refuses other ON DELETE / ON UPDATE /
 * INITIALLY phrases, so they cannot be translated either. */
static int phrases_ok(ctx *c, const char *ondelete, const char *onupdate, const char *initially, int line)
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
	for (int i = 0; i < e->na; i++) {
		const char *kw = e->kw[i];
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
			if (name_ok(c, f->name, a->line))
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
	untrans(c, e->line, "ForeignKey arguments");
	return NULL;
}

/* sa.Column(name, type, *ForeignKey / Identity, **kw) or sa.column(name, type):
 * every argument is understood or the column is untranslatable. */
static coldef *parse_column(ctx *c, px *e, int lightweight)
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
						untrans(c, a->line, "Identity arguments");
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
			untrans(c, a->line, "Column argument %s", an ? an + (an[2] == ':' ? 3 : 0) : "expression");
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
			else
				goto bad;
		} else if (!strcmp(kw, "server_default")) {
			if (sdefault_parse(c, a, &col->def))
				return NULL;
		} else if (!strcmp(kw, "default"))
			col->has_pydefault = a->k != PX_NONE;
		else if (!strcmp(kw, "comment") && (is_str(a) || a->k == PX_NONE))
			col->comment = a->k == PX_NONE ? NULL : a->s;
		else if (!strcmp(kw, "onupdate") || !strcmp(kw, "doc") || !strcmp(kw, "info"))
			continue;
		else
			goto bad;
	}
	if (!col->name) {
		untrans(c, e->line, "column without a literal name");
		return NULL;
	}
	if (!col->type)
		col->type = ty(c, TY_NULL);
	return col;
bad:
	untrans(c, e->line, "Column argument %s=", e->kw[0] ? e->kw[0] : "");
	return NULL;
}

/* ---------------------------------------------------------------- tables */

static tdef *table_new(ctx *c, const char *name, const char *schema)
{
	tdef *t = px_alloc(c->a, sizeof *t);
	t->name = cdup(c, name);
	t->schema = cdup(c, schema);
	return t;
}

/* Appends in declaration order (the CREATE TABLE order). */
static void add_col(ctx *c, tdef *t, coldef *col)
{
	coldef **v = px_alloc(c->a, (size_t)(t->ncols + 1) * sizeof *v);
	if (t->ncols)
		memcpy(v, t->cols, (size_t)t->ncols * sizeof *v);
	v[t->ncols++] = col;
	t->cols = v;
}

/* Appends in creation order (the CREATE TABLE constraint order). */
static void add_cons(ctx *c, tdef *t, cons *k)
{
	cons **v = px_alloc(c->a, (size_t)(t->ncons + 1) * sizeof *v);
	if (t->ncons)
		memcpy(v, t->cons, (size_t)t->ncons * sizeof *v);
	v[t->ncons++] = k;
	t->cons = v;
}

/* A literal list / tuple of names. */
static char **str_list(ctx *c, px *e, int *n)
{
	if (!e || (e->k != PX_LIST && e->k != PX_TUPLE))
		return NULL;
	char **v = px_alloc(c->a, (size_t)(e->na + 1) * sizeof *v);
	for (int i = 0; i < e->na; i++) {
		const char *s = str_arg(c, e->a[i]);
		if (!s)
			return NULL;
		v[i] = cdup(c, s);
	}
	*n = e->na;
	return v;
}

/* A table-level item of sa.Table() / op.create_table(): a Column or a
 * PrimaryKey / Unique / Check / ForeignKey constraint. */
static int table_add(ctx *c, tdef *t, px *item)
{
	const char *n = item->k == PX_CALL ? callee_name(c, item->obj) : NULL;
	if (n && (!strcmp(n, "sa:Column") || !strcmp(n, "sa:column"))) {
		coldef *col = parse_column(c, item, t->lightweight);
		if (!col)
			return -1;
		add_col(c, t, col);
		return 0;
	}
	if (!n || t->lightweight)
		return untrans(c, item->line, "table element");
	cons *k = px_alloc(c->a, sizeof *k);
	k->deferrable = -1;
	int pos = 0;
	if (!strcmp(n, "sa:PrimaryKeyConstraint") || !strcmp(n, "sa:UniqueConstraint")) {
		k->k = n[3] == 'P' ? C_PK : C_UQ;
		k->cols = px_alloc(c->a, (size_t)(item->na + 1) * sizeof *k->cols);
		for (int i = 0; i < item->na; i++) {
			const char *kw = item->kw[i];
			px *a = item->a[i];
			if (!kw && str_arg(c, a))
				k->cols[k->ncols++] = cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "name") && (str_arg(c, a) || a->k == PX_NONE))
				k->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "deferrable") && a->k == PX_BOOL)
				k->deferrable = (int)a->iv;
			else if (kw && !strcmp(kw, "initially") && is_str(a))
				k->initially = a->s;
			else
				return untrans(c, item->line, "%s arguments", n + 3);
		}
	} else if (!strcmp(n, "sa:CheckConstraint")) {
		k->k = C_CK;
		for (int i = 0; i < item->na; i++) {
			const char *kw = item->kw[i];
			px *a = item->a[i];
			if ((!kw && pos++ == 0 && text_arg(c, a)) || (kw && !strcmp(kw, "sqltext") && text_arg(c, a))) {
				if (!(k->sqltext = text_sql(c, text_arg(c, a), a->line)))
					return -1;
			}
			else if (kw && !strcmp(kw, "name") && (str_arg(c, a) || a->k == PX_NONE))
				k->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "deferrable") && a->k == PX_BOOL)
				k->deferrable = (int)a->iv;
			else if (kw && !strcmp(kw, "initially") && is_str(a))
				k->initially = a->s;
			else
				return untrans(c, item->line, "CheckConstraint arguments");
		}
		if (!k->sqltext)
			return untrans(c, item->line, "CheckConstraint arguments");
	} else if (!strcmp(n, "sa:ForeignKeyConstraint")) {
		k->k = C_FK;
		int nref = 0;
		char **refs = NULL;
		for (int i = 0; i < item->na; i++) {
			const char *kw = item->kw[i];
			px *a = item->a[i];
			if ((!kw && pos == 0) || (kw && !strcmp(kw, "columns"))) {
				pos++;
				if (!(k->cols = str_list(c, a, &k->ncols)))
					return untrans(c, item->line, "ForeignKeyConstraint columns");
			} else if ((!kw && pos == 1) || (kw && !strcmp(kw, "refcolumns"))) {
				pos++;
				if (!(refs = str_list(c, a, &nref)))
					return untrans(c, item->line, "ForeignKeyConstraint refcolumns");
			} else if (kw && !strcmp(kw, "name") && (str_arg(c, a) || a->k == PX_NONE))
				k->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "ondelete") && is_str(a))
				k->ondelete = a->s;
			else if (kw && !strcmp(kw, "onupdate") && is_str(a))
				k->onupdate = a->s;
			else if (kw && !strcmp(kw, "initially") && is_str(a))
				k->initially = a->s;
			else if (kw && !strcmp(kw, "match") && is_str(a))
				k->match = a->s;
			else if (kw && !strcmp(kw, "deferrable") && a->k == PX_BOOL)
				k->deferrable = (int)a->iv;
			else
				return untrans(c, item->line, "ForeignKeyConstraint arguments");
		}
		if (!refs || nref != k->ncols || nref == 0)
			return untrans(c, item->line, "ForeignKeyConstraint columns");
		k->refcols = px_alloc(c->a, (size_t)nref * sizeof *k->refcols);
		for (int i = 0; i < nref; i++) {
			char *dot = strrchr(refs[i], '.');
			if (!dot)
				return untrans(c, item->line, "ForeignKeyConstraint refcolumns");
			*dot = 0;
			k->refcols[i] = dot + 1;
			char *sd = strrchr(refs[i], '.');
			char *tb = refs[i], *sc = NULL;
			if (sd) {
				*sd = 0;
				sc = refs[i];
				tb = sd + 1;
			}
			if (i && (strcmp(tb, k->reftable) || (sc == NULL) != (k->refschema == NULL) ||
			          (sc && strcmp(sc, k->refschema))))
				return untrans(c, item->line, "ForeignKeyConstraint to several tables");
			k->reftable = tb;
			k->refschema = sc;
		}
	} else {
		return untrans(c, item->line, "table element %s", n + 3);
	}
	if (name_ok(c, k->name, item->line) || phrases_ok(c, k->ondelete, k->onupdate, k->initially, item->line))
		return -1;
	if (k->k == C_PK) {
		if (t->pk)
			return untrans(c, item->line, "two PrimaryKeyConstraints");
		t->pk = k;
	} else {
		add_cons(c, t, k);
	}
	return 0;
}

/* Constraints name columns; they must exist. */
static coldef *find_col(const tdef *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i]->name, name))
			return t->cols[i];
	return NULL;
}

/* The CHECK an Enum / Boolean type adds to its table on this dialect, if any. */
static cons *type_check(ctx *c, const coldef *col)
{
	const ptype *t = col->type;
	obuf b;
	ob_init(&b, c->a);
	if (t->k == TY_ENUM && t->create_constraint && (!t->native_enum || !c->pg)) {
		q_ident(c, &b, col->name);
		ob_puts(&b, " IN (");
		for (int i = 0; i < t->nenums; i++) {
			if (i)
				ob_puts(&b, ", ");
			q_literal(c, &b, t->enums[i], strlen(t->enums[i]));
		}
		ob_puts(&b, ")");
	} else if (t->k == TY_BOOLEAN && t->create_constraint && !c->pg) {
		q_ident(c, &b, col->name);
		ob_puts(&b, " IN (0, 1)");
	} else {
		return NULL;
	}
	cons *k = px_alloc(c->a, sizeof *k);
	k->k = C_CK;
	k->deferrable = -1;
	k->name = t->name;
	k->sqltext = b.p;
	k->typebound = 1;
	return k;
}

/* What Table.__init__ does once every argument is attached: the primary
 * key's columns become NOT NULL, and the column-level unique=True, type
 * CHECKs and ForeignKeys become constraints after the table-level ones. */
static int table_finish(ctx *c, tdef *t)
{
	if (t->pk) {
		int ncolpk = 0;
		for (int i = 0; i < t->ncols; i++)
			ncolpk += t->cols[i]->pk;
		if (t->pk->ncols == 0) {
			t->pk->cols = px_alloc(c->a, (size_t)(t->ncols + 1) * sizeof *t->pk->cols);
			for (int i = 0; i < t->ncols; i++)
				if (t->cols[i]->pk)
					t->pk->cols[t->pk->ncols++] = t->cols[i]->name;
		} else {
			for (int i = 0; i < t->pk->ncols; i++) {
				coldef *col = find_col(t, t->pk->cols[i]);
				if (!col)
					return untrans(c, 0, "PrimaryKeyConstraint on unknown column '%s'", t->pk->cols[i]);
				if (!col->pk)
					ncolpk++;
				col->pk = 1;
			}
			if (ncolpk != t->pk->ncols)
				return untrans(c, 0, "primary_key=True columns differ from the PrimaryKeyConstraint");
		}
	}
	for (int i = 0; i < t->ncols; i++) {
		coldef *col = t->cols[i];
		if (!col->nullable_set)
			col->nullable = !col->pk && !col->identity;
	}
	for (int i = 0; i < t->ncons; i++) {
		cons *k = t->cons[i];
		for (int j = 0; j < k->ncols; j++)
			if (!find_col(t, k->cols[j]))
				return untrans(c, 0, "constraint on unknown column '%s'", k->cols[j]);
	}
	for (int i = 0; i < t->ncols; i++) {
		coldef *col = t->cols[i];
		if (col->unique && !col->index) {
			cons *k = px_alloc(c->a, sizeof *k);
			k->k = C_UQ;
			k->deferrable = -1;
			k->cols = px_alloc(c->a, sizeof *k->cols);
			k->cols[0] = col->name;
			k->ncols = 1;
			add_cons(c, t, k);
		}
		cons *ck = type_check(c, col);
		if (ck)
			add_cons(c, t, ck);
		for (int j = 0; j < col->nfks; j++) {
			fkref *f = col->fks[j];
			cons *k = px_alloc(c->a, sizeof *k);
			k->k = C_FK;
			k->name = f->name;
			k->cols = px_alloc(c->a, sizeof *k->cols);
			k->cols[0] = col->name;
			k->ncols = 1;
			k->reftable = f->table;
			k->refschema = f->schema;
			k->refcols = px_alloc(c->a, sizeof *k->refcols);
			k->refcols[0] = f->column;
			k->ondelete = f->ondelete;
			k->onupdate = f->onupdate;
			k->initially = f->initially;
			k->match = f->match;
			k->deferrable = f->deferrable;
			add_cons(c, t, k);
		}
	}
	return 0;
}

/* sa.Table("t", meta, *columns_and_constraints, schema=, comment=) and
 * sa.table("t", *sa.column(...), schema=). */
static tdef *parse_table(ctx *c, px *call, int lightweight)
{
	const char *n = callee_name(c, call->obj);
	int light = lightweight || (n && !strcmp(n, "sa:table"));
	px *name = px_posarg(call, 0);
	if (!str_arg(c, name)) {
		untrans(c, call->line, "table without a literal name");
		return NULL;
	}
	tdef *t = table_new(c, str_arg(c, name), NULL);
	t->lightweight = light;
	int pos = 0;
	for (int i = 0; i < call->na; i++) {
		const char *kw = call->kw[i];
		px *a = call->a[i];
		if (!kw) {
			pos++;
			if (pos == 1)
				continue;
			if (pos == 2 && !light) { /* the MetaData */
				const char *mn = a->k == PX_CALL ? callee_name(c, a->obj) : NULL;
				if (a->k == PX_NAME || (mn && !strcmp(mn, "sa:MetaData")))
					continue;
			}
			if (table_add(c, t, a))
				return NULL;
			continue;
		}
		if (!strcmp(kw, "schema") && (is_str(a) || a->k == PX_NONE))
			t->schema = a->k == PX_NONE ? NULL : a->s;
		else if (!strcmp(kw, "comment") && !light && (is_str(a) || a->k == PX_NONE))
			t->comment = a->k == PX_NONE ? NULL : a->s;
		else if (!strcmp(kw, "extend_existing") || !strcmp(kw, "keep_existing") || !strcmp(kw, "info"))
			continue;
		else {
			untrans(c, call->line, "table argument %s=", kw);
			return NULL;
		}
	}
	if (table_finish(c, t))
		return NULL;
	return t;
}

/* -------------------------------------------------------------- rendering */

static int is_intlike(const ptype *t)
{
	return t->k == TY_INTEGER || t->k == TY_BIGINT || t->k == TY_SMALLINT;
}

/* Integer or Numeric affinity: what _autoincrement_column accepts. */
static int is_numeric(const ptype *t)
{
	return is_intlike(t) || t->k == TY_FLOAT || t->k == TY_NUMERIC || t->k == TY_DECIMAL || t->k == TY_REAL ||
	       (t->k == TY_PGNAMED && !strcmp(t->pgname, "DOUBLE PRECISION"));
}

/* PrimaryKeyConstraint._autoincrement_column. */
static const coldef *autoinc_column(const tdef *t)
{
	const coldef *only = NULL;
	int npk = 0;
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i]->pk) {
			npk++;
			only = t->cols[i];
		}
	if (npk == 1) {
		if (only->autoinc == 1)
			return only;
		if (only->autoinc == -1 || only->autoinc == 2) {
			if (!is_numeric(only->type) || only->has_pydefault || only->def.k != DK_NONE)
				return NULL;
			if (only->nfks && only->autoinc != 2)
				return NULL;
			return only;
		}
		return NULL;
	}
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i]->pk && t->cols[i]->autoinc == 1)
			return t->cols[i];
	return NULL;
}

/* type_sql() does not know the line; its caller does. */
static int fix_line(ctx *c, int line)
{
	if (c->line == 0)
		c->line = line;
	return -1;
}

/* get_column_specification() of PGDDLCompiler / SQLiteDDLCompiler. */
static int col_spec(ctx *c, obuf *b, const tdef *t, const coldef *col)
{
	q_ident(c, b, col->name);
	ob_puts(b, " ");
	if (col->type->k == TY_NULL)
		return untrans(c, col->line, "column '%s' without a type", col->name);
	if (c->pg) {
		const ptype *it = impl(c, col->type);
		if (col->pk && autoinc_column(t) == col && !col->identity && !col->has_pydefault) {
			ob_puts(b, it->k == TY_BIGINT ? "BIGSERIAL" : it->k == TY_SMALLINT ? "SMALLSERIAL" : "SERIAL");
		} else {
			if (type_sql(c, b, col->type))
				return fix_line(c, col->line);
			if (col->def.k != DK_NONE) {
				ob_puts(b, " DEFAULT ");
				sdefault_sql(c, b, &col->def, 0);
			}
		}
		if (col->identity) {
			ob_puts(b, col->id_always ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY");
			if (col->id_opts && *col->id_opts)
				ob_printf(b, " (%s)", col->id_opts);
		}
		if (!col->nullable && !col->identity)
			ob_puts(b, " NOT NULL");
		else if (col->nullable && col->identity)
			ob_puts(b, " NULL");
		return 0;
	}
	if (col->pk && col->autoinc == 1) {
		int npk = 0;
		for (int i = 0; i < t->ncols; i++)
			npk += t->cols[i]->pk;
		if (npk != 1)
			return refuse(c, col->line, "CompileError: SQLite does not support autoincrement for composite primary keys");
	}
	if (type_sql(c, b, col->type))
		return fix_line(c, col->line);
	if (col->def.k != DK_NONE) {
		ob_puts(b, " DEFAULT ");
		sdefault_sql(c, b, &col->def, 1);
	}
	if (!col->nullable)
		ob_puts(b, " NOT NULL");
	return 0;
}

/* define_constraint_deferrability(). */
static void deferrability(obuf *b, int deferrable, const char *initially)
{
	if (deferrable >= 0)
		ob_puts(b, deferrable ? " DEFERRABLE" : " NOT DEFERRABLE");
	if (initially)
		ob_printf(b, " INITIALLY %s", initially);
}

/* Batch constraints keep the original column key; a renamed column prints
 * its new name. */
static const char *col_name(const tdef *t, const char *key)
{
	if (t)
		for (int i = 0; i < t->ncols; i++)
			if (t->cols[i]->key && !strcmp(t->cols[i]->key, key))
				return t->cols[i]->name;
	return key;
}

/* One constraint clause; returns 1 when the dialect leaves it out
 * (SQLite: a foreign key to another schema). */
static int cons_sql(ctx *c, obuf *b, const tdef *t, const cons *k)
{
	if (k->k == C_FK && !c->pg) {
		const char *ls = t ? t->schema : NULL;
		if ((ls == NULL) != (k->refschema == NULL) || (ls && strcmp(ls, k->refschema)))
			return 1;
	}
	if (k->name) {
		ob_puts(b, "CONSTRAINT ");
		q_ident(c, b, k->name);
		ob_puts(b, " ");
	}
	switch (k->k) {
	case C_PK:
	case C_UQ:
		ob_puts(b, k->k == C_PK ? "PRIMARY KEY (" : "UNIQUE (");
		for (int i = 0; i < k->ncols; i++) {
			if (i)
				ob_puts(b, ", ");
			q_ident(c, b, col_name(t, k->cols[i]));
		}
		ob_puts(b, ")");
		deferrability(b, k->deferrable, k->initially);
		break;
	case C_CK:
		ob_printf(b, "CHECK (%s)", k->sqltext);
		deferrability(b, k->deferrable, k->initially);
		break;
	case C_FK:
		ob_puts(b, "FOREIGN KEY(");
		for (int i = 0; i < k->ncols; i++) {
			if (i)
				ob_puts(b, ", ");
			q_ident(c, b, col_name(t, k->cols[i]));
		}
		ob_puts(b, ") REFERENCES ");
		q_table(c, b, c->pg ? k->refschema : NULL, k->reftable);
		ob_puts(b, " (");
		for (int i = 0; i < k->ncols; i++) {
			if (i)
				ob_puts(b, ", ");
			q_ident(c, b, k->refcols[i]);
		}
		ob_puts(b, ")");
		if (k->match)
			ob_printf(b, " MATCH %s", k->match);
		if (k->ondelete)
			ob_printf(b, " ON DELETE %s", k->ondelete);
		if (k->onupdate)
			ob_printf(b, " ON UPDATE %s", k->onupdate);
		deferrability(b, k->deferrable, k->initially);
		break;
	}
	return 0;
}

/* The rest of `CREATE [UNIQUE] INDEX ix_<table>_<col>` that SQLAlchemy emits
 * for a column with index=True (ib holds the statement's start). */
static void emit_column_index(ctx *c, obuf *ib, const char *name, const char *schema,
                              const char *table, const coldef *col)
{
	q_ident(c, ib, name);
	ob_puts(ib, " ON ");
	q_table(c, ib, schema, table);
	ob_puts(ib, " (");
	q_ident(c, ib, col->name);
	ob_puts(ib, ")");
	emit(c, ib->p, ib->n);
}

/* COMMENT ON COLUMN, PostgreSQL's only way to say comment= (none if empty). */
static void emit_column_comment(ctx *c, const char *schema, const char *table, const coldef *col)
{
	if (!col->comment || !*col->comment)
		return;
	obuf cb;
	ob_init(&cb, c->a);
	ob_puts(&cb, "COMMENT ON COLUMN ");
	q_table(c, &cb, schema, table);
	ob_puts(&cb, ".");
	q_ident(c, &cb, col->name);
	ob_puts(&cb, " IS ");
	q_literal(c, &cb, col->comment, strlen(col->comment));
	emit(c, cb.p, cb.n);
}

/* Alembic's create_table(): CREATE TYPE for native enums (PostgreSQL),
 * CREATE TABLE, the index of an index=True column, then the comments. */
static int render_create_table(ctx *c, tdef *t)
{
	if (t->lightweight)
		return untrans(c, 0, "create_table of a sa.table()");
	int nindex = 0;
	for (int i = 0; i < t->ncols; i++)
		nindex += t->cols[i]->index;
	if (nindex > 1)
		return untrans(c, t->cols[0]->line, "several index=True columns (Alembic emits their indexes in set order)");
	if (nindex && t->schema)
		return untrans(c, t->cols[0]->line, "index=True column in a table with a schema");
	if (c->pg) {
		for (int i = 0; i < t->ncols; i++) {
			const ptype *ty = impl(c, t->cols[i]->type);
			if (ty->k != TY_ENUM || !ty->native_enum || !ty->create_type)
				continue;
			if (!ty->name)
				return untrans(c, t->cols[i]->line, "PostgreSQL ENUM type requires a name");
			int seen = 0;
			for (int j = 0; j < c->nenums_made; j++)
				if (!strcmp(c->enums_made[j], ty->name))
					seen = 1;
			if (seen)
				continue;
			char **v = px_alloc(c->a, (size_t)(c->nenums_made + 1) * sizeof *v);
			if (c->nenums_made)
				memcpy(v, c->enums_made, (size_t)c->nenums_made * sizeof *v);
			v[c->nenums_made++] = ty->name;
			c->enums_made = v;
			obuf b;
			ob_init(&b, c->a);
			ob_puts(&b, "CREATE TYPE ");
			q_table(c, &b, ty->schema, ty->name);
			ob_puts(&b, " AS ENUM (");
			for (int j = 0; j < ty->nenums; j++) {
				if (j)
					ob_puts(&b, ", ");
				q_literal(c, &b, ty->enums[j], strlen(ty->enums[j]));
			}
			ob_puts(&b, ")");
			emit(c, b.p, b.n);
		}
	}
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "\nCREATE TABLE ");
	q_table(c, &b, t->schema, t->name);
	ob_puts(&b, " (");
	const char *sep = "\n";
	for (int i = 0; i < t->ncols; i++) {
		ob_puts(&b, sep);
		sep = ", \n";
		ob_puts(&b, "\t");
		if (col_spec(c, &b, t, t->cols[i]))
			return -1;
	}
	/* the primary key first, its columns in constraint order (an implicit
	 * one puts the autoincrement column first) */
	int npk = 0;
	for (int i = 0; i < t->ncols; i++)
		npk += t->cols[i]->pk;
	if (npk) {
		ob_puts(&b, sep);
		sep = ", \n";
		ob_puts(&b, "\t");
		if (t->pk) {
			cons_sql(c, &b, t, t->pk);
		} else {
			cons k;
			memset(&k, 0, sizeof k);
			k.k = C_PK;
			k.deferrable = -1;
			k.cols = px_alloc(c->a, (size_t)npk * sizeof *k.cols);
			const coldef *ai = autoinc_column(t);
			if (ai)
				k.cols[k.ncols++] = ai->name;
			for (int i = 0; i < t->ncols; i++)
				if (t->cols[i]->pk && t->cols[i] != ai)
					k.cols[k.ncols++] = t->cols[i]->name;
			cons_sql(c, &b, t, &k);
		}
	}
	for (int i = 0; i < t->ncons; i++) {
		obuf kb;
		ob_init(&kb, c->a);
		if (cons_sql(c, &kb, t, t->cons[i]))
			continue;
		ob_puts(&b, sep);
		sep = ", \n";
		ob_puts(&b, "\t");
		ob_putn(&b, kb.p, kb.n);
	}
	ob_puts(&b, "\n)\n\n");
	emit(c, b.p, b.n);
	for (int i = 0; i < t->ncols; i++) {
		coldef *col = t->cols[i];
		if (!col->index)
			continue;
		obuf ib;
		ob_init(&ib, c->a);
		ob_printf(&ib, "CREATE %sINDEX ", col->unique ? "UNIQUE " : "");
		obuf nb;
		ob_init(&nb, c->a);
		ob_printf(&nb, "ix_%s_%s", t->name, col->name);
		if (c->pg && nb.n > 63)
			return untrans(c, col->line, "index name longer than 63 characters");
		emit_column_index(c, &ib, nb.p, t->schema, t->name, col);
	}
	if (c->pg) {
		if (t->comment) {
			obuf cb;
			ob_init(&cb, c->a);
			ob_puts(&cb, "COMMENT ON TABLE ");
			q_table(c, &cb, t->schema, t->name);
			ob_puts(&cb, " IS ");
			q_literal(c, &cb, t->comment, strlen(t->comment));
			emit(c, cb.p, cb.n);
		}
		for (int i = 0; i < t->ncols; i++)
			emit_column_comment(c, t->schema, t->name, t->cols[i]);
	}
	return 0;
}

/* Python's repr() of a float, as Float's literal processor prints it. */
static void float_repr(obuf *b, double v)
{
	char tmp[64];
	if (isnan(v) || isinf(v)) {
		ob_puts(b, isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v) {
			/* p significant digits; decide the notation as repr() does */
			int exp = atoi(strchr(tmp, 'e') + 1);
			if (exp < -4 || exp >= 16) {
				char mant[64];
				snprintf(mant, sizeof mant, "%.*e", p - 1, v);
				char *e = strchr(mant, 'e');
				*e = 0;
				ob_puts(b, mant);
				ob_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
			} else {
				int decimals = p - 1 - exp;
				if (decimals < 1)
					decimals = 1;
				snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
				/* repr keeps at least one decimal, no trailing zeros beyond it */
				size_t n = strlen(tmp);
				while (n > 0 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
					n--;
				tmp[n] = 0;
				ob_puts(b, tmp);
			}
			return;
		}
	}
	snprintf(tmp, sizeof tmp, "%.17g", v);
	ob_puts(b, tmp);
}

/* A Python literal rendered as a bound value with literal_binds: by the
 * column's type when there is one, else by the type of the value. */
static int value_literal(ctx *c, obuf *b, const px *v, const ptype *t, int line)
{
	if (v->k == PX_NONE) {
		ob_puts(b, "NULL");
		return 0;
	}
	const ptype *it = t ? impl(c, t) : NULL;
	int fam = it && it->k != TY_NULL ? it->k : -1;
	if (t && it->k == TY_NULL)
		return untrans(c, line, "value for a column without a type");
	if (v->k == PX_BOOL) {
		if (fam != -1 && fam != TY_BOOLEAN)
			return untrans(c, line, "bool value for a non-Boolean column");
		ob_puts(b, v->iv ? (c->pg ? "true" : "1") : (c->pg ? "false" : "0"));
		return 0;
	}
	if (v->k == PX_INT) {
		if (fam != -1 && !is_numeric(it))
			return untrans(c, line, "int value for a non-numeric column");
		ob_printf(b, "%lld", v->iv);
		return 0;
	}
	if (v->k == PX_FLOAT) {
		if (fam != -1 && !is_numeric(it))
			return untrans(c, line, "float value for a non-numeric column");
		if (fam != -1 && is_intlike(it))
			return untrans(c, line, "float value for an integer column");
		float_repr(b, v->fv);
		return 0;
	}
	if (is_str(v)) {
		if (fam != -1 && fam != TY_STRING && fam != TY_TEXT && fam != TY_CHAR && fam != TY_ENUM)
			return untrans(c, line, "string value for a non-string column");
		q_literal(c, b, v->s, v->n);
		return 0;
	}
	if (v->k == PX_STR && v->fstr)
		return untrans(c, line, "f-string value");
	return untrans(c, line, "non-literal value");
}

/* ========================================================= op.* calls */

/* --------------------------------------------------------- argument binding */

#define MAXP 24

typedef struct opargs {
	const char *const *names;
	px *v[MAXP];
	const char *table;     /* batch: the batch table */
	const char *schema;
	int batch;
	int line;
} opargs;

/* Keyword arguments of other dialects, ignored on these two. */
static int foreign_dialect_kw(const char *kw)
{
	static const char *const p[] = { "mysql_", "mariadb_", "mssql_", "oracle_", NULL };
	for (int i = 0; p[i]; i++)
		if (!strncmp(kw, p[i], strlen(p[i])))
			return 1;
	return 0;
}

/* Python's argument binding for a signature given as names in order. */
static int bind(ctx *c, px *call, const char *op, const char *const *names, opargs *a)
{
	memset(a->v, 0, sizeof a->v);
	a->names = names;
	a->line = call->line;
	int np = 0;
	while (names[np])
		np++;
	int pos = 0;
	for (int i = 0; i < call->na; i++) {
		const char *kw = call->kw[i];
		if (kw && (!strcmp(kw, "*") || !strcmp(kw, "**")))
			return untrans(c, call->line, "argument unpacking in %s()", op);
		if (!kw) {
			if (pos >= np)
				return untrans(c, call->line, "too many arguments to %s()", op);
			a->v[pos++] = call->a[i];
			continue;
		}
		int k;
		for (k = 0; k < np; k++)
			if (!strcmp(names[k], kw))
				break;
		if (k == np) {
			if (foreign_dialect_kw(kw))
				continue;
			return untrans(c, call->line, "argument %s= of %s()", kw, op);
		}
		a->v[k] = call->a[i];
	}
	return 0;
}

/* The bound value of a parameter, NULL when not passed. */
static px *A(const opargs *a, const char *name)
{
	for (int i = 0; a->names[i]; i++)
		if (!strcmp(a->names[i], name))
			return a->v[i];
	return NULL;
}

/* A string argument that may also be None / absent. */
static int opt_str(ctx *c, const opargs *a, const char *name, const char **out)
{
	px *v = A(a, name);
	*out = NULL;
	if (!v || v->k == PX_NONE)
		return 0;
	*out = str_arg(c, v);
	if (!*out)
		return untrans(c, v->line, "non-literal %s", name);
	return 0;
}

/* A required literal name. */
static int req_str(ctx *c, const opargs *a, const char *name, const char **out)
{
	if (opt_str(c, a, name, out))
		return -1;
	if (!*out)
		return untrans(c, a->line, "missing %s", name);
	return 0;
}

/* A literal flag, False when absent. */
static int opt_bool(ctx *c, const opargs *a, const char *name, int *out)
{
	px *v = A(a, name);
	*out = 0;
	if (!v)
		return 0;
	int b = bool_arg(v);
	if (b < 0)
		return untrans(c, v->line, "non-literal %s", name);
	*out = b;
	return 0;
}

/* The table and schema of an op: the batch's, or the op's own arguments. */
static int table_of(ctx *c, const opargs *a, const char *argname, const char **t, const char **s)
{
	if (a->batch) {
		*t = a->table;
		*s = a->schema;
		return 0;
	}
	if (req_str(c, a, argname, t))
		return -1;
	return opt_str(c, a, "schema", s);
}

/* "ALTER TABLE [schema.]t", as alembic.ddl.base.alter_table(). */
static void alter_table(ctx *c, obuf *b, const char *t, const char *s)
{
	ob_puts(b, "ALTER TABLE ");
	q_table(c, b, s, t);
}

/* ALTER TABLE t ADD <constraint>, as PostgreSQL takes a constraint after
 * the table exists (td: the table the constraint's columns belong to, or
 * NULL). */
static void emit_add_constraint(ctx *c, const char *table, const char *schema, tdef *td,
                                cons *k)
{
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, table, schema);
	ob_puts(&b, " ADD ");
	cons_sql(c, &b, td, k);
	emit(c, b.p, b.n);
}

/* ------------------------------------------------------------------ tables */

static int op_create_table(ctx *c, px *call, tdef **made)
{
	px *name = px_posarg(call, 0);
	if (!str_arg(c, name))
		return untrans(c, call->line, "create_table() without a literal table name");
	tdef *t = table_new(c, str_arg(c, name), NULL);
	int pos = 0;
	for (int i = 0; i < call->na; i++) {
		const char *kw = call->kw[i];
		px *v = call->a[i];
		if (!kw) {
			if (pos++ == 0)
				continue;
			if (table_add(c, t, v))
				return -1;
		} else if (!strcmp(kw, "schema") && (is_str(v) || v->k == PX_NONE)) {
			t->schema = v->k == PX_NONE ? NULL : v->s;
		} else if (!strcmp(kw, "comment") && (is_str(v) || v->k == PX_NONE)) {
			t->comment = v->k == PX_NONE ? NULL : v->s;
		} else if (!strcmp(kw, "info") || foreign_dialect_kw(kw)) {
			continue;
		} else {
			return untrans(c, call->line, "argument %s= of create_table()", kw);
		}
	}
	if (table_finish(c, t))
		return fix_line(c, call->line);
	if (render_create_table(c, t))
		return fix_line(c, call->line);
	if (made)
		*made = t;
	return 0;
}

/* DROP TABLE (a native enum type is left alone, as Alembic does). */
static int op_drop_table(ctx *c, px *call)
{
	static const char *const p[] = { "table_name", "schema", NULL };
	opargs a = { 0 };
	const char *t, *s;
	if (bind(c, call, "drop_table", p, &a) || table_of(c, &a, "table_name", &t, &s))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "\nDROP TABLE ");
	q_table(c, &b, s, t);
	ob_puts(&b, "\n\n");
	emit(c, b.p, b.n);
	return 0;
}

/* ALTER TABLE [schema.]a RENAME TO b. */
static int op_rename_table(ctx *c, px *call)
{
	static const char *const p[] = { "old_table_name", "new_table_name", "schema", NULL };
	opargs a = { 0 };
	const char *o, *n, *s;
	if (bind(c, call, "rename_table", p, &a) || req_str(c, &a, "old_table_name", &o) ||
	    req_str(c, &a, "new_table_name", &n) || opt_str(c, &a, "schema", &s))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, o, s);
	ob_puts(&b, " RENAME TO ");
	q_ident(c, &b, n); /* the new name carries no schema on either dialect */
	emit(c, b.p, b.n);
	return 0;
}

/* ----------------------------------------------------------------- columns */

static int op_add_column(ctx *c, px *call, opargs *a0, int batch)
{
	static const char *const p[] = { "table_name", "column", "schema", NULL };
	static const char *const pb[] = { "column", "insert_before", "insert_after", NULL };
	opargs a = *a0;
	const char *t, *s;
	if (bind(c, call, "add_column", batch ? pb : p, &a) || table_of(c, &a, "table_name", &t, &s))
		return -1;
	px *colx = A(&a, "column");
	if (!colx)
		return untrans(c, call->line, "add_column() without a column");
	tdef *td = table_new(c, t, s);
	if (table_add(c, td, colx) || table_finish(c, td))
		return fix_line(c, call->line);
	coldef *col = td->cols[0];
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, t, s);
	ob_puts(&b, " ADD COLUMN ");
	if (col_spec(c, &b, td, col))
		return fix_line(c, call->line);
	emit(c, b.p, b.n);
	/* the column's constraints (a set in Alembic: one at most here) */
	int n = 0;
	for (int i = 0; i < td->ncons; i++)
		if (!(td->cons[i]->typebound && !c->pg))
			n++;
	if (n > 1)
		return untrans(c, call->line, "add_column() with several constraints (Alembic adds them in set order)");
	for (int i = 0; i < td->ncons; i++) {
		cons *k = td->cons[i];
		if (k->typebound && !c->pg)
			continue; /* Alembic skips an implicit constraint on SQLite */
		if (!c->pg)
			return refuse(c, call->line, SQLITE_CONSTRAINT_MSG);
		emit_add_constraint(c, t, s, td, k);
	}
	if (col->index) {
		obuf ib;
		ob_init(&ib, c->a);
		ob_printf(&ib, "CREATE %sINDEX ", col->unique ? "UNIQUE " : "");
		obuf nb;
		ob_init(&nb, c->a);
		ob_printf(&nb, "ix_%s_%s", t, col->name);
		if (s)
			return untrans(c, call->line, "index=True column in a table with a schema");
		emit_column_index(c, &ib, nb.p, s, t, col);
	}
	if (c->pg)
		emit_column_comment(c, s, t, col);
	return 0;
}

/* ALTER TABLE t DROP COLUMN c. */
static int op_drop_column(ctx *c, px *call, opargs *a0, int batch)
{
	static const char *const p[] = { "table_name", "column_name", "schema", NULL };
	static const char *const pb[] = { "column_name", NULL };
	opargs a = *a0;
	const char *t, *s, *col;
	if (bind(c, call, "drop_column", batch ? pb : p, &a) || table_of(c, &a, "table_name", &t, &s) ||
	    req_str(c, &a, "column_name", &col))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, t, s);
	ob_puts(&b, " DROP COLUMN ");
	q_ident(c, &b, col);
	emit(c, b.p, b.n);
	return 0;
}

static const char *const alter_params[] = {
	"table_name", "column_name", "nullable", "comment", "server_default", "new_column_name", "type_",
	"existing_type", "existing_server_default", "existing_nullable", "existing_comment", "schema",
	"postgresql_using", "autoincrement", "existing_autoincrement", NULL
};
static const char *const alter_params_batch[] = {
	"column_name", "nullable", "comment", "server_default", "new_column_name", "type_",
	"existing_type", "existing_server_default", "existing_nullable", "existing_comment",
	"insert_before", "insert_after", "postgresql_using", "autoincrement", "existing_autoincrement", NULL
};

/* alter_column: PostgreSQL TYPE [USING], NULL, DEFAULT, COMMENT, RENAME;
 * SQLite NULL, DEFAULT, TYPE, (COMMENT cannot compile), RENAME. */
static int op_alter_column(ctx *c, px *call, opargs *a0, int batch)
{
	opargs a = *a0;
	const char *t, *s, *col, *newname, *using;
	if (bind(c, call, "alter_column", batch ? alter_params_batch : alter_params, &a) ||
	    table_of(c, &a, "table_name", &t, &s) || req_str(c, &a, "column_name", &col) ||
	    opt_str(c, &a, "new_column_name", &newname) || opt_str(c, &a, "postgresql_using", &using))
		return -1;
	if (A(&a, "insert_before") || A(&a, "insert_after"))
		return untrans(c, call->line, "insert_before / insert_after in alter_column()");
	px *nul = A(&a, "nullable"), *typ = A(&a, "type_"), *sd = A(&a, "server_default"), *cm = A(&a, "comment");
	if (nul && nul->k == PX_NONE)
		nul = NULL;
	if (typ && typ->k == PX_NONE)
		typ = NULL;
	if (nul && bool_arg(nul) < 0)
		return untrans(c, nul->line, "non-literal nullable");
	if (cm && !is_str(cm) && cm->k != PX_NONE)
		return untrans(c, cm->line, "non-literal comment");
	if (using && !typ)
		return untrans(c, call->line, "postgresql_using must be used with the type_ parameter");
	ptype *ty = NULL;
	if (typ && !(ty = parse_type(c, typ)))
		return fix_line(c, typ->line);
	sdefault d;
	if (sd && sdefault_parse(c, sd, &d))
		return -1;

	obuf tb; /* ALTER COLUMN ... TYPE */
	ob_init(&tb, c->a);
	if (ty) {
		alter_table(c, &tb, t, s);
		ob_puts(&tb, " ALTER COLUMN ");
		q_ident(c, &tb, col);
		ob_puts(&tb, " TYPE ");
		if (type_sql(c, &tb, ty))
			return fix_line(c, typ->line);
		if (c->pg && using)
			ob_printf(&tb, " USING %s", using);
	}
	if (c->pg && ty)
		emit(c, tb.p, tb.n);
	if (nul) {
		obuf b;
		ob_init(&b, c->a);
		alter_table(c, &b, t, s);
		ob_puts(&b, " ALTER COLUMN ");
		q_ident(c, &b, col);
		ob_puts(&b, bool_arg(nul) ? " DROP NOT NULL" : " SET NOT NULL");
		emit(c, b.p, b.n);
	}
	if (sd) {
		obuf b;
		ob_init(&b, c->a);
		alter_table(c, &b, t, s);
		ob_puts(&b, " ALTER COLUMN ");
		q_ident(c, &b, col);
		if (d.k == DK_NONE) {
			ob_puts(&b, " DROP DEFAULT");
		} else {
			ob_puts(&b, " SET DEFAULT ");
			sdefault_sql(c, &b, &d, 0);
		}
		emit(c, b.p, b.n);
	}
	if (!c->pg && ty)
		emit(c, tb.p, tb.n);
	if (cm) {
		if (!c->pg)
			return refuse(c, call->line,
			              "UnsupportedCompilationError: SQLite cannot render a column comment (ColumnComment)");
		obuf b;
		ob_init(&b, c->a);
		ob_puts(&b, "COMMENT ON COLUMN ");
		q_table(c, &b, s, t);
		ob_puts(&b, ".");
		q_ident(c, &b, col);
		ob_puts(&b, " IS ");
		if (cm->k == PX_NONE)
			ob_puts(&b, "NULL");
		else
			q_literal(c, &b, cm->s, cm->n);
		emit(c, b.p, b.n);
	}
	if (newname) {
		obuf b;
		ob_init(&b, c->a);
		alter_table(c, &b, t, s);
		ob_puts(&b, " RENAME ");
		q_ident(c, &b, col);
		ob_puts(&b, " TO ");
		q_ident(c, &b, newname);
		emit(c, b.p, b.n);
	}
	return 0;
}

/* ----------------------------------------------------------------- indexes */

static const char *const index_params[] = { "index_name", "table_name", "columns", "schema", "unique",
	                                    "postgresql_where", "sqlite_where", "postgresql_concurrently",
	                                    "postgresql_using", NULL };
static const char *const index_params_batch[] = { "index_name", "columns", "schema", "unique",
	                                          "postgresql_where", "sqlite_where",
	                                          "postgresql_concurrently", "postgresql_using", NULL };

/* CREATE [UNIQUE] INDEX: PostgreSQL may add CONCURRENTLY / USING and puts the
 * schema on the table; SQLite puts it on the index name; each dialect reads
 * only its own *_where. */
static int op_create_index(ctx *c, px *call, opargs *a0, int batch)
{
	opargs a = *a0;
	const char *name, *t, *s, *using;
	int unique, conc;
	if (bind(c, call, "create_index", batch ? index_params_batch : index_params, &a) ||
	    req_str(c, &a, "index_name", &name) || table_of(c, &a, "table_name", &t, &s) ||
	    opt_bool(c, &a, "unique", &unique) || opt_bool(c, &a, "postgresql_concurrently", &conc) ||
	    opt_str(c, &a, "postgresql_using", &using))
		return -1;
	if (batch && A(&a, "schema"))
		return untrans(c, call->line, "schema= in batch create_index()");
	px *cols = A(&a, "columns");
	if (!cols || (cols->k != PX_LIST && cols->k != PX_TUPLE) || cols->na == 0)
		return untrans(c, call->line, "create_index() columns");
	if (name_ok(c, name, call->line))
		return -1;
	px *where = A(&a, c->pg ? "postgresql_where" : "sqlite_where");
	const char *wtext = NULL;
	if (where && where->k != PX_NONE && !(wtext = text_arg(c, where)))
		return untrans(c, where->line, "non-literal %s", c->pg ? "postgresql_where" : "sqlite_where");
	obuf b;
	ob_init(&b, c->a);
	ob_printf(&b, "CREATE %sINDEX ", unique ? "UNIQUE " : "");
	if (c->pg) {
		if (conc)
			ob_puts(&b, "CONCURRENTLY ");
		q_ident(c, &b, name);
		ob_puts(&b, " ON ");
		q_table(c, &b, s, t);
		ob_puts(&b, " ");
		if (using) {
			ob_puts(&b, "USING ");
			for (const char *p = using; *p; p++)
				ob_printf(&b, "%c", *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			ob_puts(&b, " ");
		}
	} else {
		q_table(c, &b, s, name);
		ob_puts(&b, " ON ");
		q_ident(c, &b, t);
		ob_puts(&b, " ");
	}
	ob_puts(&b, "(");
	for (int i = 0; i < cols->na; i++) {
		if (i)
			ob_puts(&b, ", ");
		px *e = cols->a[i];
		const char *sc = str_arg(c, e);
		if (is_str(e) || (sc && e->k == PX_CALL && !text_arg(c, e))) {
			if (c->colmap) { /* new_table.c[key] */
				const char *nm = NULL;
				for (int j = 0; j < c->colmap->ncols; j++)
					if (!strcmp(c->colmap->cols[j]->key, sc))
						nm = c->colmap->cols[j]->name;
				if (!nm)
					return untrans(c, e->line, "batch create_index() on column '%s', not in the new table", sc);
				sc = nm;
			}
			q_ident(c, &b, sc);
			continue;
		}
		if (c->colmap)
			return untrans(c, e->line, "batch create_index() of an expression when the table is recreated");
		const char *tx = text_arg(c, e);
		if (!tx)
			return untrans(c, e->line, "index expression");
		char *ts = text_sql(c, tx, e->line);
		if (!ts)
			return -1;
		ob_puts(&b, ts);
	}
	ob_puts(&b, ")");
	if (wtext) {
		char *ws = text_sql(c, wtext, where->line);
		if (!ws)
			return -1;
		ob_printf(&b, " WHERE %s", ws);
	}
	emit(c, b.p, b.n);
	return 0;
}

/* DROP INDEX [CONCURRENTLY] [schema.]name (the table is not part of it). */
static int op_drop_index(ctx *c, px *call, opargs *a0, int batch)
{
	static const char *const p[] = { "index_name", "table_name", "schema", "postgresql_concurrently", NULL };
	static const char *const pb[] = { "index_name", "schema", "postgresql_concurrently", NULL };
	opargs a = *a0;
	const char *name, *t, *s;
	int conc;
	if (bind(c, call, "drop_index", batch ? pb : p, &a) || req_str(c, &a, "index_name", &name) ||
	    opt_str(c, &a, "schema", &s) || opt_bool(c, &a, "postgresql_concurrently", &conc))
		return -1;
	if (!batch && opt_str(c, &a, "table_name", &t))
		return -1;
	if (batch && !s)
		s = a.schema;
	if (name_ok(c, name, call->line))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "\nDROP INDEX ");
	if (c->pg && conc)
		ob_puts(&b, "CONCURRENTLY ");
	q_table(c, &b, s, name);
	emit(c, b.p, b.n);
	return 0;
}

/* ------------------------------------------------------------- constraints */

static char **cols_arg(ctx *c, px *v, int *n)
{
	if (!v || (v->k != PX_LIST && v->k != PX_TUPLE) || v->na == 0)
		return NULL;
	char **out = px_alloc(c->a, (size_t)v->na * sizeof *out);
	for (int i = 0; i < v->na; i++) {
		const char *s = str_arg(c, v->a[i]);
		if (!s)
			return NULL;
		out[i] = px_strndup(c->a, s, strlen(s));
	}
	*n = v->na;
	return out;
}

static const char *const uq_params[] = { "constraint_name", "table_name", "columns", "schema", "deferrable",
	                                 "initially", NULL };
static const char *const uq_params_batch[] = { "constraint_name", "columns", "deferrable", "initially", NULL };
static const char *const pk_params[] = { "constraint_name", "table_name", "columns", "schema", NULL };
static const char *const pk_params_batch[] = { "constraint_name", "columns", NULL };
static const char *const ck_params[] = { "constraint_name", "table_name", "condition", "schema", "deferrable",
	                                 "initially", NULL };
static const char *const ck_params_batch[] = { "constraint_name", "condition", "deferrable", "initially", NULL };
static const char *const fk_params[] = { "constraint_name", "source_table", "referent_table", "local_cols",
	                                 "remote_cols", "onupdate", "ondelete", "deferrable", "initially",
	                                 "match", "source_schema", "referent_schema", NULL };
static const char *const fk_params_batch[] = { "constraint_name", "referent_table", "local_cols",
	                                       "remote_cols", "referent_schema", "onupdate", "ondelete",
	                                       "deferrable", "initially", "match", NULL };
static const char *const drop_params[] = { "constraint_name", "table_name", "type_", "schema", NULL };
static const char *const drop_params_batch[] = { "constraint_name", "type_", NULL };

/* Builds the constraint of create_{unique,check,foreign_key,primary_key}
 * (shared by the plain ops and batch "move and copy"). */
static cons *build_cons(ctx *c, px *call, const char *meth, opargs *a, int batch, const char **t, const char **s)
{
	cons *k = px_alloc(c->a, sizeof *k);
	k->deferrable = -1;
	const char *const *p;
	if (!strcmp(meth, "create_unique_constraint"))
		k->k = C_UQ, p = batch ? uq_params_batch : uq_params;
	else if (!strcmp(meth, "create_primary_key"))
		k->k = C_PK, p = batch ? pk_params_batch : pk_params;
	else if (!strcmp(meth, "create_check_constraint"))
		k->k = C_CK, p = batch ? ck_params_batch : ck_params;
	else
		k->k = C_FK, p = batch ? fk_params_batch : fk_params;
	const char *name;
	if (bind(c, call, meth, p, a) || opt_str(c, a, "constraint_name", &name))
		return NULL;
	k->name = (char *)name;
	if (name_ok(c, name, call->line))
		return NULL;
	if (k->k == C_FK) {
		if (batch) {
			*t = a->table;
			*s = a->schema;
		} else if (req_str(c, a, "source_table", t) || opt_str(c, a, "source_schema", s)) {
			return NULL;
		}
		const char *rt, *rs, *od, *ou, *ini, *m;
		if (req_str(c, a, "referent_table", &rt) || opt_str(c, a, "referent_schema", &rs) ||
		    opt_str(c, a, "ondelete", &od) || opt_str(c, a, "onupdate", &ou) ||
		    opt_str(c, a, "initially", &ini) || opt_str(c, a, "match", &m))
			return NULL;
		int nr = 0;
		k->cols = cols_arg(c, A(a, "local_cols"), &k->ncols);
		k->refcols = cols_arg(c, A(a, "remote_cols"), &nr);
		if (!k->cols || !k->refcols || nr != k->ncols) {
			untrans(c, call->line, "%s() columns", meth);
			return NULL;
		}
		k->reftable = (char *)rt;
		k->refschema = (char *)rs;
		k->ondelete = (char *)od;
		k->onupdate = (char *)ou;
		k->initially = (char *)ini;
		k->match = (char *)m;
	} else {
		if (table_of(c, a, "table_name", t, s))
			return NULL;
		if (k->k == C_CK) {
			px *cond = A(a, "condition");
			const char *tx = text_arg(c, cond);
			if (!tx) {
				untrans(c, call->line, "non-literal check condition");
				return NULL;
			}
			if (!(k->sqltext = text_sql(c, tx, cond->line)))
				return NULL;
		} else {
			k->cols = cols_arg(c, A(a, "columns"), &k->ncols);
			if (!k->cols) {
				untrans(c, call->line, "%s() columns", meth);
				return NULL;
			}
		}
		if (k->k != C_PK) {
			const char *ini;
			if (opt_str(c, a, "initially", &ini))
				return NULL;
			k->initially = (char *)ini;
		}
	}
	if (phrases_ok(c, k->ondelete, k->onupdate, k->initially, call->line))
		return NULL;
	px *df = A(a, "deferrable");
	if (df && df->k != PX_NONE) {
		if (bool_arg(df) < 0) {
			untrans(c, df->line, "non-literal deferrable");
			return NULL;
		}
		k->deferrable = bool_arg(df);
	}
	return k;
}

/* ALTER TABLE t ADD <constraint> on PostgreSQL; Alembic raises on SQLite. */
static int op_add_constraint(ctx *c, px *call, const char *meth, opargs *a0, int batch)
{
	opargs a = *a0;
	const char *t = NULL, *s = NULL;
	cons *k = build_cons(c, call, meth, &a, batch, &t, &s);
	if (!k)
		return -1;
	if (!c->pg)
		return refuse(c, call->line, SQLITE_CONSTRAINT_MSG);
	emit_add_constraint(c, t, s, NULL, k);
	return 0;
}

/* ALTER TABLE t DROP CONSTRAINT n on PostgreSQL; Alembic raises on SQLite. */
static int op_drop_constraint(ctx *c, px *call, opargs *a0, int batch)
{
	opargs a = *a0;
	const char *name, *t, *s, *type;
	if (bind(c, call, "drop_constraint", batch ? drop_params_batch : drop_params, &a) ||
	    req_str(c, &a, "constraint_name", &name) || table_of(c, &a, "table_name", &t, &s) ||
	    opt_str(c, &a, "type_", &type))
		return -1;
	if (!c->pg)
		return refuse(c, call->line, SQLITE_CONSTRAINT_MSG);
	if (name_ok(c, name, call->line))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, t, s);
	ob_puts(&b, " DROP CONSTRAINT ");
	q_ident(c, &b, name);
	emit(c, b.p, b.n);
	return 0;
}

/* ----------------------------------------------------------------- execute */

static int is_word(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch >= 0x80;
}

/* The root name of a chain like T1.update().where(...): a table variable or
 * sa.* makes it a SQLAlchemy expression. */
static const px *chain_root(const px *e)
{
	while (e && (e->k == PX_ATTR || e->k == PX_CALL))
		e = e->obj;
	return e;
}

/* text(): ":name" after a character that is not ':', a word character, '$'
 * or a backslash, and not followed by ':', is a bind parameter; its
 * literal value replaces it (unbound: untranslatable, Alembic would print
 * NULL); then "\:" loses its backslash (SQLAlchemy 1.4's BIND_PARAMS and
 * BIND_PARAMS_ESC). */
static int render_text(ctx *c, obuf *out, const char *s, size_t n, const px *binds, int line)
{
	obuf b;
	ob_init(&b, c->a);
	for (size_t i = 0; i < n;) {
		if (s[i] == ':' && (i == 0 || !(s[i - 1] == ':' || s[i - 1] == '$' || s[i - 1] == '\\' ||
		                                 is_word((unsigned char)s[i - 1])))) {
			size_t j = i + 1;
			int dollar = 0;
			while (j < n && (is_word((unsigned char)s[j]) || s[j] == '$'))
				dollar |= s[j++] == '$';
			if (j > i + 1 && (j == n || s[j] != ':') && !dollar) {
				char *name = px_strndup(c->a, s + i + 1, j - i - 1);
				px *v = binds ? px_kwarg(binds, name) : NULL;
				if (!v)
					return untrans(c, line, "bind parameter :%s has no value", name);
				if (value_literal(c, &b, v, NULL, line))
					return -1;
				i = j;
				continue;
			}
		}
		ob_putn(&b, s + i, 1);
		i++;
	}
	if (binds)
		for (int k = 0; k < binds->na; k++) {
			if (!binds->kw[k])
				return untrans(c, line, "positional bindparams()");
			/* TextClause registers (?<![:\w\\]):(\w+)(?!:), backtracking
			 * included; bindparams() of any other name raises */
			size_t kl = strlen(binds->kw[k]);
			int found = 0;
			for (size_t i = 0; i < n && !found; i++) {
				if (s[i] != ':' || (i > 0 && (s[i - 1] == ':' || s[i - 1] == '\\' || is_word((unsigned char)s[i - 1]))))
					continue;
				size_t j = i + 1;
				while (j < n && is_word((unsigned char)s[j]))
					j++;
				size_t len = j - i - 1;
				if (len && j < n && s[j] == ':')
					len--; /* the shorter name, followed by a word character */
				if (len && len == kl && !strncmp(s + i + 1, binds->kw[k], kl))
					found = 1;
			}
			if (!found)
				return untrans(c, line, "bindparams() name '%s' is not in the text", binds->kw[k]);
		}
	/* un-escape \: */
	for (size_t i = 0; i < b.n;) {
		if (b.p[i] == '\\' && i + 1 < b.n && b.p[i + 1] == ':') {
			size_t j = i + 2;
			while (j < b.n && (is_word((unsigned char)b.p[j]) || b.p[j] == '$'))
				j++;
			if (j == b.n || b.p[j] != ':') {
				i++;
				continue;
			}
		}
		ob_putn(out, b.p + i, 1);
		i++;
	}
	return 0;
}

static char *text_sql(ctx *c, const char *s, int line)
{
	obuf b;
	ob_init(&b, c->a);
	if (render_text(c, &b, s, strlen(s), NULL, line))
		return NULL;
	return b.p;
}

/* op.execute(): a literal string or sa.text() (with literal bindparams());
 * anything computed is named in the reason instead of being guessed. */
static int op_execute(ctx *c, px *call)
{
	static const char *const p[] = { "sqltext", "execution_options", NULL };
	opargs a = { 0 };
	if (bind(c, call, "execute", p, &a))
		return -1;
	px *e = A(&a, "sqltext");
	if (A(&a, "execution_options") && A(&a, "execution_options")->k != PX_NONE)
		return untrans(c, call->line, "execution_options in op.execute()");
	if (!e)
		return untrans(c, call->line, "op.execute() without SQL");
	const char *text = NULL;
	size_t tlen = 0;
	px *binds = NULL;
	if (e->k == PX_STR) {
		if (e->fstr)
			return untrans(c, e->line, "f-string in op.execute()");
		if (e->bytes)
			return untrans(c, e->line, "bytes in op.execute()");
		text = e->s;
		tlen = e->n;
	} else if (e->k == PX_CALL && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "bindparams") &&
	           text_arg(c, e->obj->obj) && e->obj->obj->k == PX_CALL) {
		const char *n = callee_name(c, e->obj->obj->obj);
		if (!n || (strcmp(n, "sa:text") && strcmp(n, "sa:sql.text")))
			return untrans(c, e->line, "SQLAlchemy expression in op.execute()");
		px *tx = e->obj->obj->a[0];
		text = tx->s;
		tlen = tx->n;
		binds = e;
	} else if (e->k == PX_CALL && e->na == 1 && !e->kw[0] && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "format") &&
	           e->obj->obj->k == PX_STR) {
		return untrans(c, e->line, "str.format() in op.execute()");
	} else if (e->k == PX_CALL && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "format") && e->obj->obj->k == PX_STR) {
		return untrans(c, e->line, "str.format() in op.execute()");
	} else if (e->k == PX_CALL && text_arg(c, e) && !is_str(e)) {
		const char *n = callee_name(c, e->obj);
		if (!n || (strcmp(n, "sa:text") && strcmp(n, "sa:sql.text")))
			return untrans(c, e->line, "call to %s() in op.execute()", px_dotted(c->a, e->obj));
		text = e->a[0]->s;
		tlen = e->a[0]->n;
	} else if (e->k == PX_CALL && e->na == 1 && e->a[0]->k == PX_STR && e->a[0]->fstr) {
		return untrans(c, e->line, "f-string in op.execute()");
	} else if (e->k == PX_NAME) {
		return untrans(c, e->line, "variable '%s' in op.execute()", e->s);
	} else if (e->k == PX_OTHER) {
		return untrans(c, e->line, "%s in op.execute()", e->s);
	} else if (e->k == PX_CALL || e->k == PX_ATTR) {
		const px *root = chain_root(e);
		int sa = 0;
		if (root && root->k == PX_NAME) {
			for (tvar *v = c->vars; v; v = v->next)
				if (!strcmp(v->name, root->s))
					sa = 1;
			if (!strcmp(root->s, "sa") || !strcmp(root->s, "sqlalchemy") || !strcmp(root->s, "select") ||
			    !strcmp(root->s, "insert") || !strcmp(root->s, "update") || !strcmp(root->s, "delete") ||
			    !strcmp(root->s, "table"))
				sa = 1;
		}
		if (sa)
			return untrans(c, e->line, "SQLAlchemy expression in op.execute()");
		const char *d = e->k == PX_CALL ? px_dotted(c->a, e->obj) : NULL;
		if (d)
			return untrans(c, e->line, "call to %s() in op.execute()", d);
		return untrans(c, e->line, "expression in op.execute()");
	} else {
		return untrans(c, e->line, "non-string in op.execute()");
	}
	obuf b;
	ob_init(&b, c->a);
	if (render_text(c, &b, text, tlen, binds, e->line))
		return -1;
	emit(c, b.p, b.n);
	return 0;
}

/* ------------------------------------------------------------- bulk_insert */

static tdef *table_ref(ctx *c, px *e)
{
	if (e && e->k == PX_NAME) {
		for (tvar *v = c->vars; v; v = v->next)
			if (!strcmp(v->name, e->s))
				return v->t;
		untrans(c, e->line, "variable '%s' is not a literal table", e->s);
		return NULL;
	}
	if (e && e->k == PX_CALL) {
		const char *n = callee_name(c, e->obj);
		if (n && (!strcmp(n, "sa:table") || !strcmp(n, "sa:Table")))
			return parse_table(c, e, 0);
	}
	untrans(c, e ? e->line : 0, "table expression");
	return NULL;
}

/* One INSERT per row, the columns in table order, values as literals. */
static int op_bulk_insert(ctx *c, px *call)
{
	static const char *const p[] = { "table", "rows", "multiinsert", NULL };
	opargs a = { 0 };
	if (bind(c, call, "bulk_insert", p, &a))
		return -1;
	tdef *t = table_ref(c, A(&a, "table"));
	if (!t)
		return fix_line(c, call->line);
	px *rows = A(&a, "rows");
	if (!rows || (rows->k != PX_LIST && rows->k != PX_TUPLE))
		return untrans(c, call->line, "bulk_insert() rows that are not a literal list");
	for (int r = 0; r < rows->na; r++) {
		px *row = rows->a[r];
		if (row->k != PX_DICT)
			return untrans(c, row->line, "bulk_insert() row that is not a literal dict");
		if (row->na == 0)
			return untrans(c, row->line, "empty bulk_insert() row");
		for (int k = 0; k < row->na; k += 2) {
			if (!is_str(row->a[k]))
				return untrans(c, row->line, "bulk_insert() key that is not a string");
			int found = 0;
			for (int i = 0; i < t->ncols; i++)
				found |= !strcmp(t->cols[i]->name, row->a[k]->s);
			if (!found)
				return untrans(c, row->line, "bulk_insert() key '%s' is not a column of %s", row->a[k]->s, t->name);
		}
		obuf b;
		ob_init(&b, c->a);
		ob_puts(&b, "INSERT INTO ");
		q_table(c, &b, t->schema, t->name);
		ob_puts(&b, " (");
		obuf vb;
		ob_init(&vb, c->a);
		int n = 0;
		for (int i = 0; i < t->ncols; i++) {
			px *v = NULL;
			for (int k = 0; k < row->na; k += 2)
				if (!strcmp(t->cols[i]->name, row->a[k]->s))
					v = row->a[k + 1];
			if (!v)
				continue;
			if (n++) {
				ob_puts(&b, ", ");
				ob_puts(&vb, ", ");
			}
			q_ident(c, &b, t->cols[i]->name);
			if (v->k == PX_NONE)
				ob_puts(&vb, "NULL");
			else if (t->cols[i]->type->k == TY_NULL)
				return untrans(c, v->line, "bulk_insert() value for column '%s' without a type",
				               t->cols[i]->name);
			else if (value_literal(c, &vb, v, t->cols[i]->type, v->line))
				return -1;
		}
		ob_puts(&b, ") VALUES (");
		ob_putn(&b, vb.p, vb.n);
		ob_puts(&b, ")");
		emit(c, b.p, b.n);
	}
	return 0;
}

/* ------------------------------------------------------------------ dispatch */

static int op_call(ctx *c, px *call, const char *meth, const char *btable, const char *bschema)
{
	opargs a;
	memset(&a, 0, sizeof a);
	a.batch = btable != NULL;
	a.table = btable;
	a.schema = bschema;
	if (!a.batch) {
		if (!strcmp(meth, "create_table"))
			return op_create_table(c, call, NULL);
		if (!strcmp(meth, "drop_table"))
			return op_drop_table(c, call);
		if (!strcmp(meth, "rename_table"))
			return op_rename_table(c, call);
		if (!strcmp(meth, "execute"))
			return op_execute(c, call);
		if (!strcmp(meth, "bulk_insert"))
			return op_bulk_insert(c, call);
		if (!strcmp(meth, "batch_alter_table"))
			return untrans(c, call->line, "op.batch_alter_table() outside a with statement");
	}
	if (!strcmp(meth, "add_column"))
		return op_add_column(c, call, &a, a.batch);
	if (!strcmp(meth, "drop_column"))
		return op_drop_column(c, call, &a, a.batch);
	if (!strcmp(meth, "alter_column"))
		return op_alter_column(c, call, &a, a.batch);
	if (!strcmp(meth, "create_index"))
		return op_create_index(c, call, &a, a.batch);
	if (!strcmp(meth, "drop_index"))
		return op_drop_index(c, call, &a, a.batch);
	if (!strcmp(meth, "create_unique_constraint") || !strcmp(meth, "create_foreign_key") ||
	    !strcmp(meth, "create_check_constraint") || !strcmp(meth, "create_primary_key"))
		return op_add_constraint(c, call, meth, &a, a.batch);
	if (!strcmp(meth, "drop_constraint"))
		return op_drop_constraint(c, call, &a, a.batch);
	return untrans(c, call->line, "%s.%s()", a.batch ? "batch_op" : "op", meth);
}

/* ------------------------------------------------------------------- batch */

static coldef *bcol(tdef *t, const char *key)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i]->key, key))
			return t->cols[i];
	return NULL;
}

/* A copied constraint survives only if all its columns do. */
static int cons_fits(const tdef *t, const cons *k)
{
	for (int i = 0; i < k->ncols; i++) {
		int found = 0;
		for (int j = 0; j < t->ncols; j++)
			if (!strcmp(t->cols[j]->key, k->cols[i]))
				found = 1;
		if (!found)
			return 0;
	}
	return 1;
}

/* Appends to a constraint list (arena). */
static void push_cons(ctx *c, cons ***v, int *n, cons *k)
{
	cons **nv = px_alloc(c->a, (size_t)(*n + 1) * sizeof *nv);
	if (*n)
		memcpy(nv, *v, (size_t)*n * sizeof *nv);
	nv[(*n)++] = k;
	*v = nv;
}

/* "Move and copy" (ApplyBatchImpl): the table of copy_from with the batch
 * operations applied, created as _alembic_tmp_<name>, filled from the old
 * table, which is dropped, and renamed into place. */
static int batch_recreate(ctx *c, tdef *src, batchop *ops, int nops, int line)
{
	if (src->schema)
		return untrans(c, line, "batch_alter_table move-and-copy of a table with a schema");
	tdef *nt = table_new(c, "", NULL);
	size_t ln = strlen(src->name);
	nt->name = px_alloc(c->a, ln + 16);
	sprintf(nt->name, "_alembic_tmp_%s", src->name);
	cons **named = NULL, **unnamed = NULL;
	int nnamed = 0, nunnamed = 0;
	for (int i = 0; i < src->ncols; i++) {
		coldef *o = src->cols[i];
		if (o->nfks)
			return untrans(c, line, "batch move-and-copy of copy_from column '%s' with a ForeignKey", o->name);
		coldef *col = px_alloc(c->a, sizeof *col);
		*col = *o;
		col->key = o->name;
		col->transfer = 1;
		col->unique = col->index = 0;
		coldef **v = px_alloc(c->a, (size_t)(nt->ncols + 1) * sizeof *v);
		if (nt->ncols)
			memcpy(v, nt->cols, (size_t)nt->ncols * sizeof *v);
		v[nt->ncols++] = col;
		nt->cols = v;
	}
	if (src->pk && src->pk->name)
		nt->pk = src->pk;
	for (int i = 0; i < src->ncons; i++) {
		cons *k = src->cons[i];
		if (k->typebound)
			continue;
		if (k->name)
			push_cons(c, &named, &nnamed, k);
		else
			push_cons(c, &unnamed, &nunnamed, k);
	}
	/* the original named constraints (a set in SQLAlchemy: their order is
	 * only known when at most one of them is left at the end) */
	int norig = nnamed;
	cons **orig = px_alloc(c->a, (size_t)(norig + 1) * sizeof *orig);
	if (norig)
		memcpy(orig, named, (size_t)norig * sizeof *orig);
	px **newidx = px_alloc(c->a, (size_t)(nops + 1) * sizeof *newidx);
	int nnewidx = 0;
	/* self.indexes: the copy_from table's index=True indexes, by name */
	char **oldidx = px_alloc(c->a, (size_t)(src->ncols + 1) * sizeof *oldidx);
	int noldidx = 0;
	for (int i = 0; i < src->ncols; i++)
		if (src->cols[i]->index) {
			oldidx[noldidx] = px_alloc(c->a, strlen(src->name) + strlen(src->cols[i]->name) + 5);
			sprintf(oldidx[noldidx++], "ix_%s_%s", src->name, src->cols[i]->name);
		}

	for (int i = 0; i < nops; i++) {
		px *call = ops[i].call;
		const char *m = ops[i].meth;
		opargs a;
		memset(&a, 0, sizeof a);
		a.batch = 1;
		a.table = src->name;
		if (!strcmp(m, "add_column")) {
			static const char *const pb[] = { "column", "insert_before", "insert_after", NULL };
			if (bind(c, call, "add_column", pb, &a))
				return -1;
			if (A(&a, "insert_before") || A(&a, "insert_after"))
				return untrans(c, call->line, "insert_before / insert_after in batch add_column()");
			tdef *tmp = table_new(c, src->name, NULL);
			px *cx = A(&a, "column");
			if (!cx || table_add(c, tmp, cx) || table_finish(c, tmp))
				return fix_line(c, call->line);
			coldef *col = tmp->cols[0];
			if (tmp->ncons || col->index)
				return untrans(c, call->line, "batch add_column() with constraints or index=True when the table is recreated");
			col->key = col->name;
			coldef **v = px_alloc(c->a, (size_t)(nt->ncols + 1) * sizeof *v);
			memcpy(v, nt->cols, (size_t)nt->ncols * sizeof *v);
			v[nt->ncols++] = col;
			nt->cols = v;
		} else if (!strcmp(m, "drop_column")) {
			static const char *const pb[] = { "column_name", NULL };
			const char *name;
			if (bind(c, call, "drop_column", pb, &a) || req_str(c, &a, "column_name", &name))
				return -1;
			int at = -1;
			for (int j = 0; j < nt->ncols; j++)
				if (!strcmp(nt->cols[j]->key, name))
					at = j;
			if (at < 0)
				return untrans(c, call->line, "batch drop_column() of unknown column '%s'", name);
			memmove(nt->cols + at, nt->cols + at + 1, (size_t)(nt->ncols - at - 1) * sizeof *nt->cols);
			nt->ncols--;
		} else if (!strcmp(m, "alter_column")) {
			const char *name, *newname, *using;
			if (bind(c, call, "alter_column", alter_params_batch, &a) || req_str(c, &a, "column_name", &name) ||
			    opt_str(c, &a, "new_column_name", &newname) || opt_str(c, &a, "postgresql_using", &using))
				return -1;
			if (A(&a, "insert_before") || A(&a, "insert_after") || using)
				return untrans(c, call->line, "batch alter_column() argument when the table is recreated");
			coldef *col = bcol(nt, name);
			if (!col)
				return untrans(c, call->line, "batch alter_column() of unknown column '%s'", name);
			coldef *nc = px_alloc(c->a, sizeof *nc);
			*nc = *col;
			for (int j = 0; j < nt->ncols; j++)
				if (nt->cols[j] == col)
					nt->cols[j] = nc;
			col = nc;
			px *nul = A(&a, "nullable"), *typ = A(&a, "type_"), *sd = A(&a, "server_default"), *cm = A(&a, "comment");
			if (nul && nul->k != PX_NONE) {
				if (bool_arg(nul) < 0)
					return untrans(c, nul->line, "non-literal nullable");
				col->nullable = bool_arg(nul);
			}
			if (typ && typ->k != PX_NONE) {
				ptype *ty = parse_type(c, typ);
				if (!ty)
					return fix_line(c, typ->line);
				if (type_family(ty) != type_family(col->type) && !(ty->k == TY_JSON && !c->pg))
					return untrans(c, call->line, "batch alter_column() type change that needs a CAST");
				col->type = ty;
			}
			if (sd && sdefault_parse(c, sd, &col->def))
				return -1;
			if (cm) {
				if (!is_str(cm) && cm->k != PX_NONE)
					return untrans(c, cm->line, "non-literal comment");
				col->comment = cm->k == PX_NONE ? NULL : cm->s;
			}
			if (newname)
				col->name = (char *)newname;
		} else if (!strcmp(m, "create_unique_constraint") || !strcmp(m, "create_foreign_key") ||
		           !strcmp(m, "create_check_constraint")) {
			const char *t, *s;
			cons *k = build_cons(c, call, m, &a, 1, &t, &s);
			if (!k)
				return -1;
			if (!k->name)
				return untrans(c, call->line, "Constraint must have a name");
			int replaced = 0;
			for (int j = 0; j < nnamed; j++)
				if (!strcmp(named[j]->name, k->name))
					named[j] = k, replaced = 1;
			if (!replaced)
				push_cons(c, &named, &nnamed, k);
		} else if (!strcmp(m, "drop_constraint")) {
			const char *name, *type;
			if (bind(c, call, "drop_constraint", drop_params_batch, &a) || req_str(c, &a, "constraint_name", &name) ||
			    opt_str(c, &a, "type_", &type))
				return -1;
			int at = -1;
			for (int j = 0; j < nnamed; j++)
				if (!strcmp(named[j]->name, name))
					at = j;
			if (at < 0)
				return untrans(c, call->line, "batch drop_constraint() of '%s', not in copy_from", name);
			memmove(named + at, named + at + 1, (size_t)(nnamed - at - 1) * sizeof *named);
			nnamed--;
		} else if (!strcmp(m, "create_index")) {
			/* created after the rename (new_indexes, by name) */
			const char *name = str_arg(c, px_posarg(call, 0));
			if (!name)
				name = str_arg(c, px_kwarg(call, "index_name"));
			int replaced = 0;
			for (int j = 0; name && j < nnewidx; j++) {
				const char *o = str_arg(c, px_posarg(newidx[j], 0));
				if (!o)
					o = str_arg(c, px_kwarg(newidx[j], "index_name"));
				if (o && !strcmp(o, name))
					newidx[j] = call, replaced = 1;
			}
			if (!replaced)
				newidx[nnewidx++] = call;
		} else if (!strcmp(m, "drop_index")) {
			/* an index of copy_from (index=True ones are not copied anyway) */
			const char *name = str_arg(c, px_posarg(call, 0));
			if (!name)
				name = str_arg(c, px_kwarg(call, "index_name"));
			int at = -1;
			for (int j = 0; name && j < noldidx; j++)
				if (oldidx[j] && !strcmp(oldidx[j], name))
					at = j;
			if (at < 0)
				return untrans(c, call->line, "batch drop_index() of '%s', not in copy_from", name ? name : "?");
			oldidx[at] = NULL;
		} else {
			return untrans(c, call->line, "batch_op.%s() when the table is recreated", m);
		}
	}

	/* constraints of the new table: type CHECKs (made as the columns
	 * attach), then the named and unnamed ones whose columns survive */
	for (int i = 0; i < nt->ncols; i++) {
		const ptype *t = nt->cols[i]->type;
		if ((t->k == TY_ENUM || t->k == TY_BOOLEAN) && t->create_constraint)
			return untrans(c, line, "batch move-and-copy of a column with a type CHECK");
	}
	int orig_left = 0, unnamed_left = 0;
	for (int i = 0; i < nnamed; i++)
		if (cons_fits(nt, named[i])) {
			push_cons(c, &nt->cons, &nt->ncons, named[i]);
			for (int j = 0; j < norig; j++)
				orig_left += named[i] == orig[j];
		}
	for (int i = 0; i < nunnamed; i++)
		if (cons_fits(nt, unnamed[i])) {
			push_cons(c, &nt->cons, &nt->ncons, unnamed[i]);
			unnamed_left++;
		}
	if (orig_left > 1 || unnamed_left > 1)
		return untrans(c, line, "batch move-and-copy keeping several constraints of copy_from (Alembic copies them in set order)");
	if (nt->pk && !cons_fits(nt, nt->pk))
		nt->pk = NULL;

	if (c->pg) {
		/* prep_table_for_batch(): the old table's constraints whose names
		 * the new table takes are dropped first (set order: one at most) */
		const char *drop[2];
		int ndrop = 0;
		if (src->pk && src->pk->name)
			drop[ndrop++] = src->pk->name;
		for (int j = 0; j < norig; j++)
			for (int i = 0; i < nnamed; i++)
				if (!strcmp(named[i]->name, orig[j]->name) && ndrop < 2)
					drop[ndrop++] = orig[j]->name;
		if (ndrop > 1)
			return untrans(c, line, "batch move-and-copy dropping several constraints first (Alembic drops them in set order)");
		if (ndrop) {
			obuf b;
			ob_init(&b, c->a);
			alter_table(c, &b, src->name, NULL);
			ob_puts(&b, " DROP CONSTRAINT ");
			q_ident(c, &b, drop[0]);
			emit(c, b.p, b.n);
		}
	}
	if (render_create_table(c, nt))
		return fix_line(c, line);
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "INSERT INTO ");
	q_ident(c, &b, nt->name);
	ob_puts(&b, " (");
	int n = 0;
	for (int i = 0; i < nt->ncols; i++)
		if (nt->cols[i]->transfer) {
			if (n++)
				ob_puts(&b, ", ");
			q_ident(c, &b, nt->cols[i]->name);
		}
	ob_puts(&b, ") SELECT ");
	n = 0;
	for (int i = 0; i < nt->ncols; i++)
		if (nt->cols[i]->transfer) {
			if (n++)
				ob_puts(&b, ", ");
			q_ident(c, &b, src->name);
			ob_puts(&b, ".");
			q_ident(c, &b, nt->cols[i]->key);
		}
	ob_puts(&b, " \nFROM ");
	q_ident(c, &b, src->name);
	emit(c, b.p, b.n);
	ob_init(&b, c->a);
	ob_puts(&b, "\nDROP TABLE ");
	q_ident(c, &b, src->name);
	emit(c, b.p, b.n);
	ob_init(&b, c->a);
	ob_puts(&b, "ALTER TABLE ");
	q_ident(c, &b, nt->name);
	ob_puts(&b, " RENAME TO ");
	q_ident(c, &b, src->name);
	emit(c, b.p, b.n);
	c->colmap = nt;
	for (int i = 0; i < nnewidx; i++) {
		opargs a;
		memset(&a, 0, sizeof a);
		a.batch = 1;
		a.table = src->name;
		if (op_create_index(c, newidx[i], &a, 1)) {
			c->colmap = NULL;
			return -1;
		}
	}
	c->colmap = NULL;
	return 0;
}

/* The end of a `with op.batch_alter_table(...)` block: Alembic runs the
 * queued operations as plain ALTERs, or recreates the table when the
 * dialect needs it (SQLite, for anything but add_column / indexes) or
 * recreate="always". */
static int batch_run(ctx *c, px *hdr, batchop *ops, int nops, int line)
{
	static const char *const p[] = { "table_name", "schema", "recreate", "partial_reordering", "copy_from",
	                                 "table_args", "table_kwargs", "reflect_args", "reflect_kwargs",
	                                 "naming_convention", NULL };
	opargs a = { 0 };
	const char *t, *s, *rec;
	if (bind(c, hdr, "batch_alter_table", p, &a) || req_str(c, &a, "table_name", &t) ||
	    opt_str(c, &a, "schema", &s) || opt_str(c, &a, "recreate", &rec))
		return -1;
	static const char *const unsupported[] = { "partial_reordering", "table_args", "table_kwargs",
	                                           "reflect_args", "reflect_kwargs", "naming_convention", NULL };
	for (int i = 0; unsupported[i]; i++) {
		px *v = A(&a, unsupported[i]);
		if (v && v->k != PX_NONE && !((v->k == PX_TUPLE || v->k == PX_LIST || v->k == PX_DICT) && v->na == 0))
			return untrans(c, line, "%s= in batch_alter_table()", unsupported[i]);
	}
	if (!rec)
		rec = "auto";
	int recreate;
	if (!strcmp(rec, "always"))
		recreate = 1;
	else if (!strcmp(rec, "never"))
		recreate = 0;
	else if (!strcmp(rec, "auto")) {
		recreate = 0;
		for (int i = 0; !c->pg && i < nops; i++) {
			if (!strcmp(ops[i].meth, "add_column")) {
				px *colx = px_posarg(ops[i].call, 0);
				if (!colx)
					colx = px_kwarg(ops[i].call, "column");
				px *sd = colx && colx->k == PX_CALL ? px_kwarg(colx, "server_default") : NULL;
				if (sd && sd->k != PX_NONE && !is_str(sd))
					recreate = 1;
			} else if (strcmp(ops[i].meth, "create_index") && strcmp(ops[i].meth, "drop_index")) {
				recreate = 1;
			}
		}
	} else {
		return untrans(c, line, "recreate=%s in batch_alter_table()", rec);
	}
	if (!recreate) {
		for (int i = 0; i < nops; i++)
			if (op_call(c, ops[i].call, ops[i].meth, t, s))
				return -1;
		return 0;
	}
	if (nops == 0)
		return 0;
	px *cf = A(&a, "copy_from");
	if (!cf || cf->k == PX_NONE) {
		if (!c->pg)
			return untrans(c, line, "batch_alter_table on SQLite without copy_from (the table's definition is only known from the live database)");
		return untrans(c, line, "batch_alter_table with recreate=\"always\" without copy_from (the table's definition is only known from the live database)");
	}
	tdef *src = table_ref(c, cf);
	if (!src)
		return fix_line(c, line);
	if (src->lightweight)
		return untrans(c, line, "copy_from=sa.table() (a full sa.Table is needed)");
	if (strcmp(src->name, t) || (s != NULL) != (src->schema != NULL))
		return untrans(c, line, "copy_from table differs from the batch table");
	return batch_recreate(c, src, ops, nops, line);
}
