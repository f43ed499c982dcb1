/*
 * A revision module's identity without running it: the module-level (column
 * 0) `name [: annotation] = literal` assignments of revision, down_revision,
 * branch_labels and depends_on, with literal None, a string (adjacent
 * literals concatenated) or a tuple/list of strings, plus the lines of
 * `def upgrade(` and `def downgrade(`.  The file is tokenized by pyexpr.c,
 * the same tokenizer the op.* translator uses, so strings, brackets and
 * continuations spanning lines never look like statements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyexpr.h"
#include "pyread.h"

typedef struct reader {
	const px_tok *t;
	py_revision *out;
	char *err;
	size_t errsize;
	int errline;
} reader;

static int fail(reader *rd, int line, const char *fmt, ...)
{
	if (rd->err && rd->errsize) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rd->err, rd->errsize, fmt, ap);
		va_end(ap);
	}
	rd->errline = line;
	return -1;
}

static void value_free(py_value *v)
{
	free(v->str);
	for (size_t i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

/* One str literal (an f-string or a bytes literal is not one), copied out
 * of the arena. */
static int string_of(reader *rd, const char *var, const px *e, char **out)
{
	if (e->k != PX_STR)
		return fail(rd, e->line, "%s: expected a string, None, a tuple or a list", var);
	if (e->fstr || e->bytes)
		return fail(rd, e->line, "%s: %s", var,
		            e->fstr ? "an f-string is not a literal" : "a bytes literal is not a string");
	if (!(*out = malloc(e->n + 1)))
		return fail(rd, e->line, "out of memory");
	memcpy(*out, e->s, e->n);
	(*out)[e->n] = '\0';
	return 0;
}

/* value := None | strings | tuple or list of strings; ('a') is the string. */
static int value_of(reader *rd, const char *var, const px *e, py_value *v)
{
	if (e->k == PX_NONE) {
		v->kind = PY_NONE;
		return 0;
	}
	if (e->k == PX_STR) {
		v->kind = PY_STR;
		return string_of(rd, var, e, &v->str);
	}
	if (e->k != PX_TUPLE && e->k != PX_LIST)
		return fail(rd, e->line, "%s: expected a string, None, a tuple or a list", var);
	v->kind = PY_LIST;
	if (e->na && !(v->items = calloc((size_t)e->na, sizeof *v->items)))
		return fail(rd, e->line, "out of memory");
	for (int i = 0; i < e->na; i++, v->nitems++)
		if (string_of(rd, var, e->a[i], &v->items[i]))
			return -1;
	return 0;
}

/* The py_value and has_ flag an identity name assigns to, NULL otherwise. */
static py_value *slot_for(py_revision *r, const px_tok *t, int **has)
{
	static const char *const names[] = { "revision", "down_revision", "branch_labels", "depends_on" };
	py_value *slots[] = { &r->revision, &r->down_revision, &r->branch_labels, &r->depends_on };
	int *flags[] = { &r->has_revision, &r->has_down, &r->has_labels, &r->has_depends };
	for (size_t i = 0; i < 4; i++)
		if (px_is_name(t, names[i])) {
			*has = flags[i];
			return slots[i];
		}
	return NULL;
}

/* name [: annotation] = value at t[*i], the name already matched; *i moves
 * past it.  A later assignment replaces an earlier one, as in Python; an
 * annotation without a value assigns nothing. */
static int assignment(reader *rd, px_arena *a, int *i, int end, py_value *slot, int *has)
{
	const px_tok *t = rd->t;
	char var[16];
	int line = t[*i].line;
	snprintf(var, sizeof var, "%.*s", (int)t[*i].n, t[*i].p);
	int j = *i + 1;
	if (j < end && px_is_op(&t[j], ":"))
		while (j < end && !px_is_op(&t[j], "="))
			j++;
	if (j >= end || !px_is_op(&t[j], "=")) {
		*i = end;
		return 0;
	}
	j++;
	if (j >= end)
		return fail(rd, line, "%s: expected a string, None, a tuple or a list", var);
	px *e = px_parse_expr(a, t, &j, end);
	py_value v = { 0 };
	v.line = line;
	if (value_of(rd, var, e, &v)) {
		value_free(&v);
		return -1;
	}
	if (j < end && !px_is_op(&t[j], ";")) {
		value_free(&v);
		return fail(rd, t[j].line, "%s: not a literal (only a string, None, a tuple or a list)", var);
	}
	value_free(slot);
	*slot = v;
	*has = 1;
	*i = j;
	return 0;
}

/* One logical line t[s..end).  Only a line starting at column 0 is module
 * level; after `name = literal;` the rest of it is module level too. */
static int statement(reader *rd, px_arena *a, int s, int end)
{
	const px_tok *t = rd->t;
	if (t[s].col != 0)
		return 0;
	if (px_is_name(&t[s], "def") && s + 2 < end && px_is_op(&t[s + 2], "(")) {
		if (px_is_name(&t[s + 1], "upgrade"))
			rd->out->upgrade_line = t[s].line;
		else if (px_is_name(&t[s + 1], "downgrade"))
			rd->out->downgrade_line = t[s].line;
		return 0;
	}
	for (int i = s; i < end;) {
		int *has;
		py_value *slot = slot_for(rd->out, &t[i], &has);
		if (!slot)
			return 0;
		if (assignment(rd, a, &i, end, slot, has))
			return -1;
		if (i >= end || !px_is_op(&t[i], ";"))
			return 0;
		i++;
	}
	return 0;
}

/* Python refuses source holding a NUL byte; so does this reader, which
 * also keeps every decoded value a plain C string. */
static int check_nul(reader *rd, const char *text, size_t len)
{
	const char *z = memchr(text, '\0', len);
	if (!z)
		return 0;
	int line = 1;
	for (const char *q = text; q < z; q++)
		line += *q == '\n' || (*q == '\r' && !(q + 1 < z && q[1] == '\n'));
	return fail(rd, line, "source holds a NUL byte");
}

int py_read_revision_tok(const char *text, size_t len, const px_toks *tk, py_revision *out,
                         char *err, size_t errsize, int *errline)
{
	memset(out, 0, sizeof *out);
	if (err && errsize)
		err[0] = '\0';
	reader rd = { tk->t, out, err, errsize, 0 };
	jmp_buf oom;
	px_arena a = { .oom = &oom };
	int rc = check_nul(&rd, text ? text : "", text ? len : 0);
	if (!rc && setjmp(oom)) {
		rc = fail(&rd, 0, "out of memory");
	} else {
		for (int i = 0; !rc && i < tk->n && tk->t[i].k != TK_EOF;) {
			int s = i;
			while (tk->t[i].k != TK_NL && tk->t[i].k != TK_EOF)
				i++;
			if (i > s)
				rc = statement(&rd, &a, s, i);
			if (tk->t[i].k == TK_NL)
				i++;
		}
	}
	px_arena_free(&a);
	if (errline)
		*errline = rc ? rd.errline : 0;
	if (rc) {
		py_revision_free(out);
		return -1;
	}
	return 0;
}

typedef struct read_args {
	const char *text;
	size_t len;
	py_revision *out;
	char *err;
	size_t errsize;
	int *errline;
} read_args;

static int read_tokens(const px_toks *tk, void *ud)
{
	read_args *r = ud;
	return py_read_revision_tok(r->text, r->len, tk, r->out, r->err, r->errsize, r->errline);
}

int py_read_revision(const char *text, size_t len, py_revision *out, char *err, size_t errsize,
                     int *errline)
{
	memset(out, 0, sizeof *out);
	if (!text)
		text = "", len = 0;
	if (memchr(text, '\0', len)) { /* reported before any token, as Python does */
		px_toks none = { NULL, 0 };
		return py_read_revision_tok(text, len, &none, out, err, errsize, errline);
	}
	if (errline)
		*errline = 0;
	read_args r = { text, len, out, err, errsize, errline };
	return px_with_tokens(text, len, read_tokens, &r, err, errsize, errline);
}

void py_revision_free(py_revision *r)
{
	if (!r)
		return;
	value_free(&r->revision);
	value_free(&r->down_revision);
	value_free(&r->branch_labels);
	value_free(&r->depends_on);
	memset(r, 0, sizeof *r);
}
