/*
 * A small Python tokenizer and expression parser for the body of an Alembic
 * revision function.  It knows enough Python to find logical lines, their
 * indentation, every string literal form (decoded as Python decodes it),
 * and to turn an expression made of calls, attributes, names and literals
 * into a tree.  Anything it does not model (operators, subscripts, lambdas,
 * comprehensions) becomes a PX_OTHER node naming the construct, so that the
 * caller can say what it could not translate instead of guessing.
 *
 * All memory comes from one arena, freed at once with px_arena_free().
 */
#ifndef STRATA_ALEMBIC_PYEXPR_H
#define STRATA_ALEMBIC_PYEXPR_H

#include <setjmp.h>
#include <stddef.h>

#include <strata/plugin_util.h>

/* One arena per translation: the shared strata_arena, where an allocation
 * failure longjmps to oom instead of returning NULL.
 *     jmp_buf oom;  px_arena a = { .oom = &oom };  */
typedef struct px_arena {
	strata_arena mem;
	jmp_buf *oom;
} px_arena;

void *px_alloc(px_arena *a, size_t n);            /* zeroed */
char *px_strndup(px_arena *a, const char *s, size_t n);
void px_arena_free(px_arena *a);

typedef enum { TK_NAME, TK_NUM, TK_STR, TK_OP, TK_NL, TK_EOF } px_tokkind;

typedef struct px_tok {
	px_tokkind k;
	int line;           /* 1-based physical line of the token's start */
	int col;            /* column of the token (indentation of a line's first token) */
	const char *p;      /* TK_NAME / TK_NUM / TK_OP: the source text */
	size_t n;
	char *val;          /* TK_STR: the decoded value (NUL-terminated) */
	size_t vlen;
	int fstr, bytes;    /* TK_STR: an f-string / a bytes literal */
	int named_escape;   /* TK_STR: has a \N{...} escape (not decoded here) */
	int *lines;         /* TK_STR: the source line where each line of val starts */
	int *cols;          /*   and its column (1-based, in characters), 0 when the
	                         line holds an escape (its columns are not the file's) */
	int nlines;         /*   (lines[0] = line; one more than val's '\n's) */
} px_tok;

typedef struct px_toks {
	px_tok *t;
	int n;
} px_toks;

/* Tokenizes the whole file.  Returns 0, or -1 with err / *errline for an
 * unterminated string, unbalanced brackets or a character Python rejects. */
int px_tokenize(px_arena *a, const char *text, size_t len, px_toks *out,
                char *err, size_t errsize, int *errline);

/* Tokenizes text in an arena of its own and calls fn with the tokens, then
 * frees them: the one place that handles running out of memory while
 * tokenizing.  Returns fn's result, or -1 with err / *errline when the text
 * does not tokenize or memory runs out. */
int px_with_tokens(const char *text, size_t len, int (*fn)(const px_toks *tk, void *ud),
                   void *ud, char *err, size_t errsize, int *errline);

typedef enum {
	PX_NONE, PX_BOOL, PX_INT, PX_FLOAT, PX_STR, PX_NAME, PX_ATTR, PX_CALL,
	PX_TUPLE, PX_LIST, PX_DICT, PX_OTHER
} px_kind;

typedef struct px {
	px_kind k;
	int line;
	char *s;            /* STR value, NAME / ATTR identifier, INT / FLOAT text, OTHER description */
	size_t n;
	long long iv;       /* INT value; BOOL 0/1 */
	double fv;          /* FLOAT value */
	int fstr, bytes;    /* STR */
	int *lines;         /* STR: the source line where each line of s starts */
	int *cols;          /*   and its column, as px_tok's (0: not the file's) */
	int nlines;         /*   (across implicit and + concatenation) */
	struct px *obj;     /* ATTR object, CALL callee */
	struct px **a;      /* CALL args, TUPLE / LIST items, DICT key,value,key,value... */
	char **kw;          /* CALL: keyword of each arg, NULL when positional ("*" / "**" for unpacking) */
	int na;
} px;

/* Parses one expression from t[*i] (not past end); *i moves past it.
 * Never fails: what is not modelled becomes PX_OTHER. */
px *px_parse_expr(px_arena *a, const px_tok *t, int *i, int end);

/* Helpers for the callers. */
int px_is_op(const px_tok *t, const char *op);
/* The first operator op outside brackets in t[s..e), or -1. */
int px_top_op(const px_tok *t, int s, int e, const char *op);
/* The end of the argument (or element) that starts at s before close, the ")"
 * "]" or "}" of its call or display: the next comma outside brackets, else
 * close.  for (int k; s < close; s = k + 1) { k = px_arg_end(t, s, close); … } */
int px_arg_end(const px_tok *t, int s, int close);
int px_is_name(const px_tok *t, const char *name);
/* "sa.Column" for an attribute chain of names, NULL otherwise. */
const char *px_dotted(px_arena *a, const px *e);
/* The keyword argument named kw of a call, NULL if absent. */
px *px_kwarg(const px *call, const char *kw);
/* The n-th positional argument of a call, NULL if absent. */
px *px_posarg(const px *call, int n);
int px_npos(const px *call);

#endif
