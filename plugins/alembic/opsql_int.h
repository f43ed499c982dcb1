/*
 * Internal to the Alembic translator (opsql*.c): the translation context,
 * the output buffer, the model of tables / columns / types / constraints,
 * and the functions the files share.  See opsql.h for the public API.
 */
#ifndef STRATA_ALEMBIC_OPSQL_INT_H
#define STRATA_ALEMBIC_OPSQL_INT_H

#include <stddef.h>

#include "opsql.h"
#include "pyexpr.h"

/* A growing text in the arena. */
typedef struct obuf {
	px_arena *a;
	char *p;
	size_t n, cap;
} obuf;

/* ------------------------------------------------------------- model */

enum {
	TY_NULL, TY_INTEGER, TY_BIGINT, TY_SMALLINT, TY_STRING, TY_TEXT, TY_CHAR, TY_BOOLEAN,
	TY_FLOAT, TY_NUMERIC, TY_DECIMAL, TY_REAL, TY_DATE, TY_DATETIME, TY_TIMESTAMP, TY_TIME,
	TY_INTERVAL, TY_BLOB, TY_JSON, TY_ENUM, TY_PGNAMED, TY_ARRAY,
	TY_RAW, /* a type from the YAML table (types_yaml.h): its SQL on this dialect */
	TY__N /* the number of kinds (the size of a type-name table): keep it last */
};

struct variant;

typedef struct ptype {
	int k;
	int length;             /* -1: none */
	int precision, scale;   /* -1: none */
	int timezone;
	const char *only_on;    /* a type of one dialect's namespace ("PostgreSQL": postgresql.*)
	                           that only that dialect renders; NULL: any */
	const char *pgname;     /* TY_PGNAMED: the PostgreSQL spelling */
	const char *raw;        /* TY_RAW: the SQL */
	char **enums;
	int nenums;
	char *name;             /* Enum name / Boolean constraint name */
	char *schema;           /* Enum schema */
	int native_enum, create_constraint, create_type;
	struct ptype *item;     /* ARRAY */
	int dims;
	struct variant *variants; /* with_variant(), the newest first */
	const char *typedec;    /* the application's TypeDecorator this is the impl of (its
	                           process_*_param may change values: not rendered) */
} ptype;

/* t.with_variant(type, "dialect") */
typedef struct variant {
	const char *dialect;    /* as the dialect's name spells it: "sqlite" */
	ptype *t;
	struct variant *next;
} variant;

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
	int seq;                /* a positional sa.Sequence(): column.default (1; 2: optional=True) */
	struct cons *check;     /* a positional sa.CheckConstraint(): column.constraints */
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
	int not_valid;          /* C_CK, C_FK: postgresql_not_valid=True */
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
	int history;            /* tables.X made from what the history says (opsql_history.c) */
	px **indexes;           /* sa.Index(...) items of the table, as written */
	int nindexes;
} tdef;

typedef struct tvar {
	char *name;
	tdef *t;
	struct tvar *next;
} tvar;

/* A module-level `NAME = <type>` (`Status = sa.Enum("a", name="s")`), used
 * as a column type by its name. */
typedef struct tyvar {
	char *name;
	px *type;
	int nbound;             /* module-level assignments of the name */
	struct tyvar *next;
} tyvar;

typedef struct batchop {
	px *call;
	const char *meth;
} batchop;

/* ----------------------------------------------------------- context */

/* A parameter of upgrade() / downgrade() other than op (opsql_params.c). */
typedef struct oparam {
	const char *name;
	const char *kind;       /* the source's arguments: entry ("noop", "tables"), NULL: none */
} oparam;

typedef struct ctx {
	px_arena *a;
	const opsql_env *env;   /* YAML types, the revision file (application enums); may be NULL */
	const struct opsql_dialect_def *dd; /* the dialect: its data and hooks */
	obuf out;
	int status;             /* OPSQL_OK until something stops the walk */
	int line;
	char reason[512];
	int no_tx;
	tvar *vars;             /* literal tables visible in the body */
	tyvar *tyvars;          /* module-level names of types */
	char **enums_made;      /* PostgreSQL: CREATE TYPE already emitted */
	int nenums_made;
	const tdef *colmap;     /* batch copy: index columns are keys of this table */
	const char *alias;      /* the `as` name of the current batch_alter_table */
	const char **labels;    /* truncated labels: the strings str_arg() read through
	                           op.f() / conv() and names made by a naming convention,
	                           by address (cdup() copies keep being labels) */
	int nlabels, caplabels;
	int op_line;            /* the line of the op.* call being translated */
	const px *src;          /* around emit(): the string literal the statement is */
	int *lmap;              /* the file line of each line of out */
	int *cmap;              /* and the file column of its first character, 0: unknown */
	int nlmap, caplmap;
	const char *fn;         /* "upgrade" / "downgrade" */
	oparam params[16];      /* its parameters but op */
	int nparams;
	tdef **made;            /* the tables op.create_table() made so far */
	int nmade, capmade;
	const px_tok *stmt_t;   /* the tokens of the statement being walked, */
	int stmt_s, stmt_e;     /* for what the px tree does not keep (where(a == b)) */
} ctx;

/* opsql_params.c: the function's parameters and the source's arguments:.
 * params_bind() reads the header's t[s..e) (from its "(").  params_stmt():
 * a call statement on a parameter, 1 when it is on none, 0 when it is no
 * SQL (noop), -1 untranslatable.  params_table(): `tables.X`, *mine set when
 * e starts from a parameter (NULL then: untranslatable). */
void params_bind(ctx *c, const char *fn, const px_tok *t, int s, int e);
void params_made(ctx *c, tdef *t);
int params_stmt(ctx *c, const px *x);
tdef *params_table(ctx *c, const px *e, int *mine);
/* op.execute(e) where e starts from a parameter (*mine set): tables.X.delete()
 * with .where(tables.X.c.COL == op.inline_literal(V)); 0 done, -1 untranslatable. */
int params_execute(ctx *c, const px *e, int *mine);

/* opsql_history.c: the table name as the history makes it (NULL, and why
 * in why[0..n), when it does not), and the check of one bulk_insert() row
 * into such a table. */
tdef *history_table(ctx *c, const opsql_history *h, const char *name, char *why, size_t n);
int history_row(ctx *c, const opsql_history *h, const tdef *t, const px *row);

/* opsql_out.c */
void ob_init(obuf *b, px_arena *a);
void ob_putn(obuf *b, const char *s, size_t n);
void ob_puts(obuf *b, const char *s);
void ob_printf(obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stops the walk as untranslatable / refused (the first stop wins);
 * both return -1 so that callers can `return untrans(...)`. */
int untrans(ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int refuse(ctx *c, int line, const char *msg);
int render_text(ctx *c, obuf *out, const char *s, size_t n, const px *binds, int line);
/* A text() fragment (CHECK, index expression, server_default) as the
 * compiler prints it: bind-parameter rules applied; NULL if one is unbound. */
char *text_sql(ctx *c, const char *s, int line);
/* An index / constraint name as SQLAlchemy renders it (opsql_names.h): a
 * truncated label longer than the dialect's max_ident is shortened with its
 * hash (*name changes), any other such name is refused with SQLAlchemy's
 * IdentifierError text. */
int name_ok(ctx *c, const char **name, int line);
/* s is (a copy of) a truncated label: remember it / ask. */
void label_add(ctx *c, const char *s);
int is_label(const ctx *c, const char *s);
/* Untranslatable: the construct ("sa.ForeignKey") and the argument it does
 * not take (its keyword; NULL: a positional one). */
int bad_arg(ctx *c, int line, const char *construct, const char *kw);
/* Appends one statement as Alembic prints it: tabs → 4 spaces, stripped, ";\n\n";
 * and the file line of each line it adds to c->lmap (c->src's lines when set
 * and line for line, else c->op_line). */
void emit(ctx *c, const char *sql, size_t n);

/* Names as SQLAlchemy's IdentifierPreparer.quote() writes them. */
void q_ident(ctx *c, obuf *b, const char *name);
void q_table(ctx *c, obuf *b, const char *schema, const char *name);
/* A string literal as the dialect's compiler renders it offline. */
void q_literal(ctx *c, obuf *b, const char *s, size_t n);

/* The name of a call / attribute with sa., sqlalchemy., postgresql. prefixes
 * normalised: "sa:Column", "pg:JSONB", or the dotted text when unknown. */
const char *callee_name(ctx *c, const px *e);
int is_str(const px *e);
/* A string argument, also through op.f("name"); NULL otherwise. */
const char *str_arg(ctx *c, const px *e);
/* Literal sa.text("...") or a plain string: the text, NULL otherwise. */
const char *text_arg(ctx *c, const px *e);
/* Python truthiness of a literal bool / None / int; -1 if not a literal. */
int bool_arg(const px *e);

/* tables, columns, types */
ptype *parse_type(ctx *c, px *e);
/* e (a call or a name) is a type of the YAML column types (types_yaml.h). */
int is_yaml_type(ctx *c, const px *e);
int is_typedec_type(ctx *c, const px *e); /* an application's TypeDecorator (or a class that is not one) */
int type_sql(ctx *c, obuf *b, const ptype *t);
int fix_line(ctx *c, int line);
int type_family(const ptype *t);
coldef *parse_column(ctx *c, px *e, int lightweight);
tdef *parse_table(ctx *c, px *call, int lightweight);
tdef *table_new(ctx *c, const char *name, const char *schema);
int table_add(ctx *c, tdef *t, px *item);
int table_finish(ctx *c, tdef *t);
int col_spec(ctx *c, obuf *b, const tdef *t, const coldef *col);
int sdefault_parse(ctx *c, px *e, sdefault *d);
void sdefault_sql(ctx *c, obuf *b, const sdefault *d, int expr_parens);
int cons_sql(ctx *c, obuf *b, const tdef *t, const cons *k);
int render_create_table(ctx *c, tdef *t);
int value_literal(ctx *c, obuf *b, const px *v, const ptype *t, int line);
const coldef *autoinc_column(const tdef *t);

/* op.* calls */
int op_call(ctx *c, px *call, const char *meth, const char *batch_table, const char *batch_schema);
int batch_run(ctx *c, px *hdr, batchop *ops, int nops, int line);
int op_create_table(ctx *c, px *call, tdef **made);
/* op.execute(CreateSequence(...) / DropSequence(...)) (opsql_op_sequence.c) */
int execute_sequence(ctx *c, const px *e, int *mine);
/* op.execute(T.update() / .delete() / .insert() ...) of the literal table
 * variable var (opsql_op_core.c): 0 (emitted) or -1 (untranslatable) */
int execute_core(ctx *c, const char *var, const tdef *td, int line);

/* an op.* call's arguments bound to Alembic's signature (opsql_bind.c) */
#define MAXP 24

struct opdef;

typedef struct opargs {
	const struct opdef *op; /* the op table's row */
	const char *const *names;
	px *v[MAXP];
	const char *table;     /* batch: the batch table */
	const char *schema;
	int batch;
	int line;
} opargs;

/* A row of the op table (opsql_optab.c). */
enum { OPW_OP = 1, OPW_BATCH = 2, OPW_BOTH = 3 }; /* where: op.X() / batch_op.X() / both */

typedef struct opdef {
	const char *name;
	const char *const *params;        /* op.X(...): parameter names in order; NULL: fn reads the call */
	const char *const *params_batch;  /* batch_op.X(...) */
	int where;                        /* OPW_* */
	int (*fn)(struct ctx *c, px *call, opargs *a); /* a: the bound arguments */
	int kind;                         /* create_*constraint: the constraint kind (C_*) */
} opdef;

/* The row of the method `name` allowed there, or NULL. */
const opdef *optab_find(const char *name, int batch);
/* Binds call's arguments to o's signature (a->batch picks which). */
int optab_bind(ctx *c, px *call, const opdef *o, opargs *a);

/* the walk (opsql_walk.c) */
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

/* opsql_walk.c */
int stmt_range(walk *w, int s, int e, bctx *b);
int block(walk *w, int from, int to, bctx *b);
/* Module-level literal sa.Table() assignments, for copy_from / bulk_insert. */
void module_tables(walk *w);
void module_types(walk *w);
const px *module_type(ctx *c, const px *e); /* the type a module-level name is bound to, or NULL */

/* opsql_types.c */
char *cdup(ctx *c, const char *s);
ptype *ty(ctx *c, int k);
/* The type after with_variant() for this dialect. */
const ptype *impl(const ctx *c, const ptype *t);
/* NAME or NAME(n): no length when n <= 0 (_render_string_type). */
void sized(obuf *b, const char *name, int n);

/* opsql_model_column.c */
int phrases_ok(ctx *c, const char *ondelete, const char *onupdate, const char *initially, int line);

/* opsql_render.c */
void emit_column_index(ctx *c, obuf *ib, const char *name, const char *schema, const char *table,
                       const coldef *col);
void emit_column_comment(ctx *c, const char *schema, const char *table, const coldef *col);

/* opsql_bind.c */
/* Keyword arguments of other dialects (mysql_ ...), ignored. */
int foreign_dialect_kw(const char *kw);
/* Python's argument binding for a signature given as names in order. */
int bind_args(ctx *c, px *call, const char *op, const char *const *names, opargs *a);
/* why a keyword of a later SQLAlchemy is not translated, or NULL */
const char *later_kw(const char *kw);
/* The bound value of a parameter, NULL when not passed. */
px *A(const opargs *a, const char *name);
int opt_str(ctx *c, const opargs *a, const char *name, const char **out);
int req_str(ctx *c, const opargs *a, const char *name, const char **out);
int opt_bool(ctx *c, const opargs *a, const char *name, int *out);
/* The table and schema of an op: the batch's, or the op's own arguments. */
int table_of(ctx *c, const opargs *a, const char *argname, const char **t, const char **s);
void alter_table(ctx *c, obuf *b, const char *t, const char *s);
void emit_add_constraint(ctx *c, const char *table, const char *schema, tdef *td, cons *k);

/* The op families (opsql_op_*.c): the functions of the op table's rows;
 * a holds the call's arguments bound to the row's signature. */
int op_drop_table(ctx *c, px *call, opargs *a);
int op_rename_table(ctx *c, px *call, opargs *a);
int op_table_comment(ctx *c, px *call, opargs *a);
int emit_table_index(ctx *c, const tdef *t, const px *index); /* opsql_op_index.c */
int op_add_column(ctx *c, px *call, opargs *a);
int op_drop_column(ctx *c, px *call, opargs *a);
int op_alter_column(ctx *c, px *call, opargs *a);
int op_create_index(ctx *c, px *call, opargs *a);
int op_drop_index(ctx *c, px *call, opargs *a);
int op_add_constraint(ctx *c, px *call, opargs *a);
int op_drop_constraint(ctx *c, px *call, opargs *a);
int op_execute(ctx *c, px *call, opargs *a);
int op_bulk_insert(ctx *c, px *call, opargs *a);
int op_enum_type(ctx *c, px *call, opargs *a);
/* The constraint of a bound create_*constraint call (also batch move-and-copy). */
cons *build_cons(ctx *c, px *call, opargs *a, const char **t, const char **s);
/* A table variable or literal sa.Table() (bulk_insert, copy_from=). */
tdef *table_ref(ctx *c, px *e);

#include "opsql_dialect.h"

#endif
