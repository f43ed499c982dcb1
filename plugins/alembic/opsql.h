/*
 * The SQL of a revision's upgrade() or downgrade(), without Python: the body
 * is parsed as the small subset of Python that Alembic revisions are written
 * in (op.* calls with literal arguments, `with op.batch_alter_table(...)`,
 * `with op.get_context().autocommit_block():`, `pass`, docstrings, comments,
 * literal sa.table()/sa.Table() assignments), and each op.* call becomes the
 * text `alembic upgrade --sql` prints for it on that dialect: every statement
 * is `str.replace("\t", "    ").strip() + ";\n\n"`.
 *
 * Anything else (loops, conditionals, helper calls, op.get_bind(), f-strings,
 * variables that are not literal tables) is "untranslatable": the result says
 * which construct and on which line, and no SQL is guessed.  An operation that
 * Alembic itself refuses on the dialect (constraint ALTERs on SQLite outside
 * batch mode) is "refused", with Alembic's own reason.
 *
 * Independent of strata's headers; never prints, never exits.
 */
#ifndef STRATA_ALEMBIC_OPSQL_H
#define STRATA_ALEMBIC_OPSQL_H

#include <stddef.h>

typedef enum opsql_dialect { OPSQL_POSTGRESQL = 0, OPSQL_SQLITE = 1 } opsql_dialect;

typedef enum opsql_status {
	OPSQL_OK = 0,            /* sql holds the statements (maybe "" for `pass`) */
	OPSQL_UNTRANSLATABLE = 1, /* line + reason name the construct; sql is NULL */
	OPSQL_REFUSED = 2,        /* Alembic refuses it on this dialect; line + reason */
	OPSQL_NOFUNC = 3          /* the file has no such function */
} opsql_status;

typedef struct opsql_result {
	opsql_status status;
	char *sql;          /* OPSQL_OK: "stmt;\n\nstmt;\n\n" (malloc'd, NUL-terminated) */
	size_t len;
	int no_transaction; /* an autocommit_block is present (the revision runs outside a transaction) */
	int line;           /* 1-based line in the file: the construct (not OK) or `def fn(` (OK) */
	char reason[512];   /* not OK: "for loop", "op.get_bind()", "f-string in op.execute()",
	                       or Alembic's message for OPSQL_REFUSED */
	/* OPSQL_OK: where each line of sql comes from in the file (nlines: sql's
	 * '\n's; malloc'd): the line of its op.* call, and for the text of an
	 * op.execute() string literal the literal's own line; cols[k] the file
	 * column (1-based, in characters) of line k's first character where the
	 * text is the literal's own, 0 where it is not. */
	int *lines, *cols;
	size_t nlines;
} opsql_result;

/* Translates the body of module-level `def <fn>(` (fn is "upgrade" or
 * "downgrade") in text[0..len).  Returns 0 with *out filled (any status), or
 * -1 when the file is not Python this reader can follow (unbalanced
 * brackets, an unterminated string), with a message in err and its 1-based
 * line in *errline.  out->sql is freed with opsql_result_free(). */
int opsql_translate(const char *text, size_t len, const char *fn, opsql_dialect dialect,
                    opsql_result *out, char *err, size_t errsize, int *errline);

/* The same on a file already tokenized by px_tokenize() (pyexpr.h), so a
 * caller that also reads the revision's identity tokenizes once.  The
 * tokens are only read. */
struct px_toks;
int opsql_translate_toks(const struct px_toks *tokens, const char *fn, opsql_dialect dialect,
                         opsql_result *out, char *err, size_t errsize, int *errline);

/* What a revision's column types may need beyond its own body: the YAML
 * column types (types_yaml.h) and, for sa.Enum(AppEnum), the revision file
 * whose imports lead to the enum class (pyenum.h). */
struct at_types;
typedef struct opsql_history opsql_history;
typedef struct opsql_env {
	const struct at_types *types; /* NULL: only SQLAlchemy's own types */
	const char *path;             /* the revision file; NULL: no application enums */
	const char *text;             /* its text (len bytes) */
	size_t len;
	const char *const *roots;     /* the folders its absolute imports are searched in
	                                 (NULL: pe_roots(path), when an enum class is met) */
	const char *arguments;        /* the source's arguments: as KEY=VALUE lines (NULL: none) */
	const opsql_history *history; /* the history's tables, for `tables` (NULL: none) */
} opsql_env;

/* What the revisions of a history say about its tables (opsql_history.c),
 * for the `tables` argument: opsql_history_read() on each revision file's
 * text (file: its name, for messages); -1 when out of memory. */
opsql_history *opsql_history_new(void);
int opsql_history_read(opsql_history *h, const char *text, size_t len, const char *file,
                       opsql_dialect dialect, const opsql_env *env);
void opsql_history_free(opsql_history *h);

/* The source's arguments: option (KEY=VALUE lines: a parameter of
 * upgrade() and what env.py passes for it, noop or tables): 0, or -1 with
 * the message. */
int opsql_arguments_check(const char *lines, char *err, size_t errsize);

/* opsql_translate_toks() with env (NULL: none). */
int opsql_translate_env(const struct px_toks *tokens, const char *fn, opsql_dialect dialect,
                        const opsql_env *env, opsql_result *out, char *err, size_t errsize,
                        int *errline);

void opsql_result_free(opsql_result *r);

/* One identifier as SQLAlchemy's IdentifierPreparer.quote() writes it on the
 * dialect: as it is, or in double quotes (reserved words, capitals, other
 * characters).  malloc'd; NULL when out of memory. */
char *opsql_ident(opsql_dialect dialect, const char *name);

/* What `op.get_bind().dialect.X` is on the dialect in Alembic's offline
 * run: X, then its value as a Python literal, ..., NULL-terminated (the
 * evaluator's data, from the dialect's file); NULL for an unknown dialect. */
const char *const *opsql_py_dialect(opsql_dialect dialect);

#endif
