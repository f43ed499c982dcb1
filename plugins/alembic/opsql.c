/*
 * opsql_translate(): finds upgrade() / downgrade() in a revision file and
 * walks its body (opsql_walk.c); the public API of opsql.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>

#include "opsql_int.h"

/* The dialects, by their opsql_dialect value. */
static const opsql_dialect_def *const opsql_dialects[] = {
	[OPSQL_POSTGRESQL] = &opsql_postgresql,
	[OPSQL_SQLITE] = &opsql_sqlite,
};

const opsql_dialect_def *opsql_dialect_get(opsql_dialect d)
{
	if ((unsigned)d >= sizeof opsql_dialects / sizeof *opsql_dialects)
		return NULL;
	return opsql_dialects[d];
}

const char *const *opsql_py_dialect(opsql_dialect d)
{
	const opsql_dialect_def *dd = opsql_dialect_get(d);
	return dd ? dd->py_dialect : NULL;
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
	return opsql_translate_env(tokens, fn, dialect, NULL, out, err, errsize, errline);
}

int opsql_translate_env(const px_toks *tokens, const char *fn, opsql_dialect dialect,
                        const opsql_env *env, opsql_result *out, char *err, size_t errsize,
                        int *errline)
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
	c.env = env;
	c.dd = opsql_dialect_get(dialect);
	if (!c.dd) {
		px_arena_free(&arena);
		if (err && errsize)
			snprintf(err, errsize, "unknown dialect %d", (int)dialect);
		return -1;
	}
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
	module_types(&w);

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
	params_bind(&c, fn, tk.t, D->s + 2, colon);
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
		size_t nb = (size_t)(c.nlmap ? c.nlmap : 1) * sizeof(int);
		out->lines = malloc(nb);
		out->cols = malloc(nb);
		if (!out->lines || !out->cols) {
			opsql_result_free(out);
			px_arena_free(&arena);
			memset(out, 0, sizeof *out);
			if (err && errsize)
				snprintf(err, errsize, "out of memory");
			return -1;
		}
		if (c.nlmap) {
			memcpy(out->lines, c.lmap, (size_t)c.nlmap * sizeof(int));
			memcpy(out->cols, c.cmap, (size_t)c.nlmap * sizeof(int));
		}
		out->nlines = (size_t)c.nlmap;
	} else {
		out->line = c.line;
		snprintf(out->reason, sizeof out->reason, "%s", c.reason);
		out->no_transaction = 0;
	}
	px_arena_free(&arena);
	return 0;
}

/* sql, lines and cols are allocated; the rest lives in the struct. */
void opsql_result_free(opsql_result *r)
{
	if (!r)
		return;
	free(r->sql);
	free(r->lines);
	free(r->cols);
	r->sql = NULL;
	r->lines = r->cols = NULL;
	r->len = r->nlines = 0;
}
