/*
 * A small evaluator for the Python that Alembic revision bodies really use,
 * without running Python: literals, names bound to values, attribute chains
 * of names given by the configuration (`assume: {settings.flag: true}`),
 * `op.get_bind()` / `op.get_context()` / `context.get_context()` and their
 * `.dialect.name`, `sa.text("...")`, f-strings, `"..." % (...)`,
 * `"...".format(...)`, `+ - * // %` on numbers and strings, comparisons,
 * `in` / `not in`, `is` / `is not`, `and` / `or` / `not`, `x if c else y`.
 *
 * It reads tokens from pyexpr.c's tokenizer.  What it cannot know (a name
 * nobody bound, a call to a function of the application, a subscript...)
 * evaluates to PE_UNKNOWN whose text names the exact construct, so that the
 * caller can say why it stopped instead of guessing.  `and` / `or` / `if`
 * short-circuit as Python does, so `False and f()` is known (False).
 *
 * All memory comes from the caller's px_arena; nothing is freed one by one.
 */
#ifndef STRATA_ALEMBIC_PYEVAL_H
#define STRATA_ALEMBIC_PYEVAL_H

#include <stddef.h>

#include "pyexpr.h"

typedef enum pe_kind {
	PE_UNKNOWN,  /* s: what is not known ("name 'x'", "call to helper()") */
	PE_NONE, PE_BOOL, PE_INT, PE_FLOAT, PE_STR,
	PE_TUPLE, PE_LIST,
	PE_BIND,     /* what op.get_bind() returns (offline: a mock connection) */
	PE_CONTEXT,  /* op.get_context() / context.get_context() */
	PE_DIALECT,  /* <bind or context>.dialect */
	PE_TEXT,     /* sa.text("..."): s holds the statement */
	PE_FUNC,     /* a helper function bound by the caller; ref is the caller's handle */
	PE_EXPR,     /* an object the translator reads (sa.Enum(...)): expr is its folded tree */
	PE_SESSION,  /* sqlalchemy.orm.Session(bind=op.get_bind()) */
	PE_OP,       /* alembic's `op` (a helper's parameter: skip(op, __name__)) */
	PE_CONFIG,   /* op.get_context().config: get_main_option() */
	PE_LOGGER,   /* logging.getLogger(...): its .info() etc. write no SQL */
	PE_DICT      /* a dict display of known keys and values: items the keys in
	                insertion order (Python 3.7+), vals their values */
} pe_kind;

typedef struct pe_val {
	pe_kind k;
	long long i;          /* INT value; BOOL 0/1 */
	double f;             /* FLOAT */
	char *s;              /* STR / TEXT value (NUL-terminated), UNKNOWN reason */
	size_t n;             /* length of s */
	struct pe_val **items; /* TUPLE / LIST; DICT: the keys */
	struct pe_val **vals;  /* DICT: the value of each key */
	int nitems;
	int line;             /* UNKNOWN: the line of the construct */
	int ref;              /* FUNC */
	px *expr;             /* EXPR */
} pe_val;

typedef struct pe_binding {
	const char *name;     /* a name, or a dotted name for assumptions */
	pe_val *v;
	struct pe_binding *next;
} pe_binding;

typedef struct pe_scope {
	pe_binding *b;
	struct pe_scope *up;  /* NULL for the module scope */
} pe_scope;

/* A call's arguments, evaluated. */
typedef struct pe_args {
	struct pe_val **pos, **kwv;
	const char **kw;
	int npos, nkw;
	struct pe_val *bad; /* the first argument that is not known */
} pe_args;

struct pe_env;
/* The caller's evaluation of a helper function called in an expression:
 * fn is the PE_FUNC value, or NULL for a plain name nobody bound (an
 * imported function?).  The return value, PE_UNKNOWN naming why, or NULL
 * when the caller has no such function. */
typedef struct pe_val *(*pe_call_fn)(struct pe_env *env, const struct pe_val *fn, const char *name,
                                     const pe_args *a, int line);

typedef struct pe_env {
	px_arena *a;
	const char *dialect;  /* "postgresql", "sqlite": op.get_bind().dialect.name */
	pe_scope *scope;      /* innermost; the module scope is the last one */
	pe_binding *assume;   /* dotted names the configuration gives */
	const char *const *dialect_attrs; /* <bind>.dialect.X: X, its literal text, ...; NULL: none */
	pe_call_fn call;      /* helper functions in expressions (NULL: not known) */
	void *ud;             /* the caller's, for call */
	/* a plain name nobody bound (imported from the application?): its
	 * value, or NULL (not known) */
	struct pe_val *(*name)(struct pe_env *env, const char *name, int line);
	int dead;             /* > 0: parsing what Python does not evaluate (`False and f()`) */
	/* names (upgrade()'s parameters) bound to an object every method of
	 * which does nothing and returns None (quay's NoopTester, the source's
	 * `arguments: {tester: noop}`): NAME.method(...) is None; NULL: none */
	const char *const *noops;
} pe_env;

/* The words in the reason of a value that only the live database has (a
 * query's result, an inspector): pe_live() tells such a reason. */
#define PE_LIVE_DB "the live database"
int pe_live(const pe_val *v);
/* The start of the reason of a value whose evaluation raises in Alembic's
 * offline run (an attribute SQLAlchemy's MockConnection does not have):
 * pe_raises() tells such a reason, which is Alembic's error. */
#define PE_RAISES "AttributeError: 'MockConnection' object has no attribute"
int pe_raises(const pe_val *v);

/* An environment with one (module) scope. */
void pe_env_init(pe_env *env, px_arena *a, const char *dialect);

/* Binds name in the innermost scope (a later binding hides an earlier one). */
void pe_bind(pe_env *env, const char *name, pe_val *v);
/* Enters / leaves a function's scope: names bound inside are local. */
void pe_push(pe_env *env);
void pe_pop(pe_env *env);
/* The value bound to name (innermost function scope, then module), or NULL. */
pe_val *pe_lookup(const pe_env *env, const char *name);

/* An assumption from the configuration: `dotted` ("settings.flag", or a
 * plain name) evaluates to the literal text: true / false / True / False,
 * null / None, an integer, a float, else the text as a string.
 * "get_main_option.NAME" is what config.get_main_option("NAME") returns:
 * always the text as a string (null / None / ~: the option is not set). */
void pe_assume(pe_env *env, const char *dotted, const char *text);

/* Evaluates the expression t[s..e).  Never NULL; PE_UNKNOWN when the value
 * is not known or tokens are left over ("unsupported expression"). */
pe_val *pe_eval(pe_env *env, const px_tok *t, int s, int e);

/* Python's truth of v: 1 / 0, or -1 when not known. */
int pe_truth(const pe_val *v);
/* Python's str(v) / repr(v) in the arena, NULL when not known. */
char *pe_str(pe_env *env, const pe_val *v);
char *pe_repr(pe_env *env, const pe_val *v);

/* Constructors (in the arena). */
pe_val *pe_new(pe_env *env, pe_kind k, int line);
pe_val *pe_strval(pe_env *env, const char *s, size_t n, int line);
pe_val *pe_unknown(pe_env *env, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* textwrap.dedent() of the PE_STR x (pydedent.c). */
pe_val *pe_dedent(pe_env *env, const pe_val *x, int line);

/* A literal value as the node pyexpr.h's parser makes for it (PX_NONE,
 * PX_BOOL, PX_INT, PX_FLOAT, PX_STR, PX_TUPLE, PX_LIST; a PE_EXPR's tree),
 * so that op.* arguments computed here can go to the translator; NULL for
 * the other kinds. */
px *pe_to_px(pe_env *env, const pe_val *v, int line);

/* The expression t[s..e) as pyexpr.h's parser makes it, with every part
 * this environment knows replaced by its literal value: `op.create_table(
 * name, sa.Column(f"{p}_id", ...))` with name and p bound becomes the call
 * with literal strings, for the translator.  A part that is not known but
 * is written as a literal stays as written; one that is neither becomes
 * PX_OTHER naming what is not known (the evaluator's reason). */
px *pe_fold(pe_env *env, const px_tok *t, int s, int e);

/* `X.get(K[, D])` of a mapping of the application nobody bound
 * (`app.config.get("SETUP_COMPLETE", False)`, `os.environ.get("DEBUG")`) is
 * the assumption `X.K`: the value that the mapping holds at K, which strata
 * cannot know (not the default, which is only what an absent key gives). */

/* The configuration's `assume:` mapping as the host passes it: KEY=VALUE
 * lines (pe_assume() on each). */
void pe_assume_lines(pe_env *env, const char *lines);

#endif
