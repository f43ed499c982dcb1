/*
 * A tiny Python tokenizer and a parser for the literal assignments Alembic
 * reads from a revision module.  Python decides what a file means by running
 * it; this reader accepts only what needs no running: module-level (column 0)
 * `name [: annotation] = literal` with literal None, a string (adjacent
 * literals concatenated), or a tuple/list of strings.  Everything else at
 * module level is skipped token by token so that strings, brackets and
 * continuations spanning lines never look like statements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyread.h"

#define MAX_DEPTH 200

enum { T_EOF, T_NL, T_NAME, T_STR, T_OP, T_OTHER };

typedef struct token {
	int t;
	const char *s;   /* T_NAME: the name; T_STR: the body between the quotes */
	size_t n;
	int line;
	int top;         /* first token of a logical line, at column 0 */
	int raw, fstr, bytes;
} token;

typedef struct lexer {
	const char *p, *end;
	const char *ls;  /* start of the current physical line */
	int line;
	int bol;         /* no token yet on this logical line */
	int depth;
	char open[MAX_DEPTH];
	int openline[MAX_DEPTH];
	char *err;
	size_t errsize;
	int errline;
} lexer;

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

typedef struct parser {
	lexer lx;
	token tok;
	py_revision *out;
} parser;

/* Every error goes through here so that the first one, with its line, wins. */
static int fail(lexer *lx, int line, const char *fmt, ...)
{
	if (lx->err && lx->errsize && !lx->errline) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lx->err, lx->errsize, fmt, ap);
		va_end(ap);
	}
	if (!lx->errline)
		lx->errline = line;
	return -1;
}

/* CRLF and a lone CR end a line as LF does (Python normalizes them);
 * returns the length of the line break at q, 0 if none. */
static size_t newline_at(const lexer *lx, const char *q)
{
	if (q >= lx->end)
		return 0;
	if (*q == '\n')
		return 1;
	if (*q == '\r')
		return (q + 1 < lx->end && q[1] == '\n') ? 2 : 1;
	return 0;
}

static int is_name_start(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* A string prefix is at most two of r, b, u, f in any case; which ones
 * matter for the value: raw (no escapes), f (not a literal), b (not a str). */
static int string_prefix(token *t, const char *s, size_t n)
{
	t->raw = t->fstr = t->bytes = 0;
	if (n > 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case 'r': case 'R': t->raw = 1; break;
		case 'b': case 'B': t->bytes = 1; break;
		case 'f': case 'F': t->fstr = 1; break;
		case 'u': case 'U': if (n != 1) return 0; break;
		default: return 0;
		}
	}
	return 1;
}

/* Finds the closing quote(s).  A backslash always protects the next
 * character, even in a raw string (r'\'' is legal); only triple-quoted
 * strings may hold a bare line break. */
static int lex_string(lexer *lx, token *t)
{
	char q = *lx->p;
	int triple = lx->p + 2 < lx->end && lx->p[1] == q && lx->p[2] == q;
	const char *s = lx->p + (triple ? 3 : 1);
	t->t = T_STR;
	t->s = s;
	while (s < lx->end) {
		size_t nl = newline_at(lx, s);
		if (*s == '\\' && s + 1 < lx->end) {
			size_t nl2 = newline_at(lx, s + 1);
			lx->line += nl2 ? 1 : 0;
			s += 1 + (nl2 ? nl2 : 1);
		} else if (nl) {
			if (!triple)
				break;
			lx->line++;
			s += nl;
		} else if (*s == q && (!triple || (s + 2 < lx->end && s[1] == q && s[2] == q))) {
			t->n = (size_t)(s - t->s);
			lx->p = s + (triple ? 3 : 1);
			return 0;
		} else {
			s++;
		}
	}
	return fail(lx, t->line, "unterminated string");
}

/* Brackets are tracked so that line breaks inside them do not end a
 * statement, and so that an unclosed one is reported where it opened. */
static int lex_bracket(lexer *lx, token *t)
{
	char c = *lx->p++;
	t->t = T_OP;
	t->s = lx->p - 1;
	t->n = 1;
	if (c == '(' || c == '[' || c == '{') {
		if (lx->depth == MAX_DEPTH)
			return fail(lx, t->line, "brackets nested too deeply");
		lx->open[lx->depth] = c;
		lx->openline[lx->depth++] = t->line;
		return 0;
	}
	char want = c == ')' ? '(' : c == ']' ? '[' : '{';
	if (lx->depth == 0 || lx->open[lx->depth - 1] != want)
		return fail(lx, t->line, "unmatched '%c'", c);
	lx->depth--;
	return 0;
}

/* Names, numbers and operators.  `=` alone is the assignment token; `==`,
 * `<=`, `>=`, `!=`, `:=` and `->` are single other tokens so they never
 * pass for one. */
static int lex_word(lexer *lx, token *t)
{
	const char *s = lx->p;
	unsigned char c = (unsigned char)*s;
	t->s = s;
	if (is_name_start(c)) {
		while (s < lx->end && is_name_char((unsigned char)*s))
			s++;
		if (s < lx->end && (*s == '\'' || *s == '"') && string_prefix(t, t->s, (size_t)(s - t->s))) {
			lx->p = s;
			return lex_string(lx, t);
		}
		t->t = T_NAME;
	} else if (c >= '0' && c <= '9') {
		while (s < lx->end && (is_name_char((unsigned char)*s) || *s == '.'))
			s++;
		t->t = T_OTHER;
	} else if (s + 1 < lx->end && strchr("=<>!:-", c) && s[1] == (c == '-' ? '>' : '=')) {
		s += 2;
		t->t = T_OTHER;
	} else {
		s++;
		t->t = strchr("=:,;.", c) ? T_OP : T_OTHER;
	}
	t->n = (size_t)(s - t->s);
	lx->p = s;
	return 0;
}

/* Whitespace, comments, blank lines and backslash continuations produce no
 * token; a line break ends the logical line only outside brackets. */
static int lex_skip(lexer *lx, token *t)
{
	for (;;) {
		while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\f'))
			lx->p++;
		if (lx->p == lx->end)
			return 0;
		size_t nl = newline_at(lx, lx->p);
		if (*lx->p == '#') {
			while (lx->p < lx->end && !newline_at(lx, lx->p))
				lx->p++;
		} else if (nl) {
			lx->p += nl;
			lx->line++;
			lx->ls = lx->p;
			if (lx->depth == 0 && !lx->bol) {
				lx->bol = 1;
				t->t = T_NL;
				return 1;
			}
		} else if (*lx->p == '\\') {
			size_t nl2 = newline_at(lx, lx->p + 1);
			if (!nl2)
				return fail(lx, lx->line, "unexpected character after line continuation");
			lx->p += 1 + nl2;
			lx->line++;
		} else {
			return 0;
		}
	}
}

/* The next token; at the end of input an unclosed bracket is an error and
 * a last line without a line break still gets its T_NL. */
static int lex_next(lexer *lx, token *t)
{
	memset(t, 0, sizeof *t);
	t->line = lx->line;
	int r = lex_skip(lx, t);
	if (r)
		return r < 0 ? -1 : 0;
	t->line = lx->line;
	if (lx->p == lx->end) {
		if (lx->depth > 0)
			return fail(lx, lx->openline[lx->depth - 1], "'%c' was never closed",
			            lx->open[lx->depth - 1]);
		t->t = lx->bol ? T_EOF : T_NL;
		lx->bol = 1;
		return 0;
	}
	t->top = lx->bol && lx->depth == 0 && lx->p == lx->ls;
	lx->bol = 0;
	char c = *lx->p;
	if (c == '\'' || c == '"') {
		t->raw = t->fstr = t->bytes = 0;
		return lex_string(lx, t);
	}
	if (strchr("()[]{}", c))
		return lex_bracket(lx, t);
	return lex_word(lx, t);
}

/* Appends n bytes, keeping the buffer NUL-terminated. */
static int buf_add(buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

/* A code point from \xNN, \uNNNN or \UNNNNNNNN, stored as UTF-8 (a str
 * literal's \xe9 is U+00E9, not the byte 0xE9). */
static int buf_utf8(buf *b, unsigned long cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_add(b, u, n);
}

/* Reads exactly `digits` hex digits at s; -1 if they are not there. */
static long hex_value(const char *s, const char *end, int digits)
{
	long v = 0;
	if (end - s < digits)
		return -1;
	for (int i = 0; i < digits; i++) {
		char c = s[i];
		int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
		      : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One escape sequence after a backslash at *ps (non-raw strings).  Escapes
 * Python does not know stay as written, as Python keeps them; the ones it
 * knows but this reader does not decode (octal, \N{...}) are errors rather
 * than silently wrong values. */
static int decode_escape(lexer *lx, buf *b, const char **ps, const char *end, int line)
{
	const char *s = *ps + 1;
	char c = *s;
	static const char simple[] = "n\nt\t\\\\''\"\"r\ra\ab\bf\fv\v";
	size_t nl = newline_at(lx, s);
	if (nl) {
		*ps = s + nl;
		return 0;
	}
	for (size_t i = 0; simple[i]; i += 2) {
		if (simple[i] == c) {
			*ps = s + 1;
			return buf_add(b, &simple[i + 1], 1) ? fail(lx, line, "out of memory") : 0;
		}
	}
	int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
	if (digits) {
		long v = hex_value(s + 1, end, digits);
		if (v < 0 || v > 0x10FFFF)
			return fail(lx, line, "invalid \\%c escape in a string", c);
		if (v == 0)
			return fail(lx, line, "a NUL character in a string is not supported");
		*ps = s + 1 + digits;
		return buf_utf8(b, (unsigned long)v) ? fail(lx, line, "out of memory") : 0;
	}
	if ((c >= '0' && c <= '7') || c == 'N')
		return fail(lx, line, "unsupported escape \\%c in a string", c);
	*ps = s;
	return buf_add(b, "\\", 1) ? fail(lx, line, "out of memory") : 0;
}

/* Appends a string token's value: line breaks become \n, escapes are
 * decoded unless the string is raw. */
static int decode_string(lexer *lx, buf *b, const token *t)
{
	const char *s = t->s, *end = t->s + t->n;
	while (s < end) {
		size_t nl = newline_at(lx, s);
		if (nl) {
			if (buf_add(b, "\n", 1))
				return fail(lx, t->line, "out of memory");
			s += nl;
		} else if (*s == '\\' && !t->raw) {
			if (decode_escape(lx, b, &s, end, t->line))
				return -1;
		} else {
			const char *run = s;
			while (s < end && *s != '\\' && !newline_at(lx, s))
				s++;
			if (s == run)
				s++;
			if (buf_add(b, run, (size_t)(s - run)))
				return fail(lx, t->line, "out of memory");
		}
	}
	return 0;
}

static int is_op(const token *t, char c)
{
	return t->t == T_OP && t->s[0] == c;
}

static int advance(parser *ps)
{
	return lex_next(&ps->lx, &ps->tok);
}

static int is_name(const token *t, const char *name)
{
	return t->t == T_NAME && t->n == strlen(name) && memcmp(t->s, name, t->n) == 0;
}


/* One string value: adjacent literals concatenated, as Python does at
 * compile time.  An f-string or a bytes literal is not a str literal. */
static int parse_string(parser *ps, const char *var, char **out)
{
	buf b = { 0 };
	if (buf_add(&b, "", 0))
		return fail(&ps->lx, ps->tok.line, "out of memory");
	while (ps->tok.t == T_STR) {
		const char *why = ps->tok.fstr ? "an f-string is not a literal"
		                : ps->tok.bytes ? "a bytes literal is not a string" : NULL;
		if (why || decode_string(&ps->lx, &b, &ps->tok) || advance(ps)) {
			free(b.p);
			return why ? fail(&ps->lx, ps->tok.line, "%s: %s", var, why) : -1;
		}
	}
	*out = b.p;
	return 0;
}

static void value_free(py_value *v)
{
	free(v->str);
	for (size_t i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

static int expected(parser *ps, const char *var)
{
	return fail(&ps->lx, ps->tok.line, "%s: expected a string, None, a tuple or a list", var);
}

/* Adds one string element to a tuple or list value. */
static int push_item(parser *ps, const char *var, py_value *v)
{
	if (ps->tok.t != T_STR)
		return expected(ps, var);
	char **ni = realloc(v->items, (v->nitems + 1) * sizeof *ni);
	if (!ni)
		return fail(&ps->lx, ps->tok.line, "out of memory");
	v->items = ni;
	v->items[v->nitems] = NULL;
	if (parse_string(ps, var, &v->items[v->nitems]))
		return -1;
	v->nitems++;
	return 0;
}

/* The elements after '(' or '[' up to the closing bracket.  ('a') is the
 * string 'a'; ('a',) and ['a'] are one-element sequences; () and [] empty. */
static int parse_sequence(parser *ps, const char *var, py_value *v, char close)
{
	int is_tuple = close == ')', commas = 0;
	v->kind = PY_LIST;
	while (!is_op(&ps->tok, close)) {
		if (push_item(ps, var, v))
			return -1;
		if (is_op(&ps->tok, ',')) {
			commas++;
			if (advance(ps))
				return -1;
		} else if (!is_op(&ps->tok, close)) {
			return expected(ps, var);
		}
	}
	if (is_tuple && commas == 0 && v->nitems == 1) {
		v->kind = PY_STR;
		v->str = v->items[0];
		free(v->items);
		v->items = NULL;
		v->nitems = 0;
	}
	return advance(ps);
}

/* value := None | strings | '(' ... ')' | '[' ... ']' */
static int parse_value(parser *ps, const char *var, py_value *v)
{
	if (is_name(&ps->tok, "None")) {
		v->kind = PY_NONE;
		return advance(ps);
	}
	if (ps->tok.t == T_STR) {
		v->kind = PY_STR;
		return parse_string(ps, var, &v->str);
	}
	if (ps->tok.t == T_OP && (ps->tok.s[0] == '(' || ps->tok.s[0] == '[')) {
		char close = ps->tok.s[0] == '(' ? ')' : ']';
		if (advance(ps))
			return -1;
		return parse_sequence(ps, var, v, close);
	}
	return expected(ps, var);
}

/* The py_value and has_ flag an identity name assigns to, NULL otherwise. */
static py_value *slot_for(py_revision *r, const token *t, int **has)
{
	static const char *const names[] = { "revision", "down_revision", "branch_labels", "depends_on" };
	py_value *slots[] = { &r->revision, &r->down_revision, &r->branch_labels, &r->depends_on };
	int *flags[] = { &r->has_revision, &r->has_down, &r->has_labels, &r->has_depends };
	for (size_t i = 0; i < 4; i++) {
		if (is_name(t, names[i])) {
			*has = flags[i];
			return slots[i];
		}
	}
	return NULL;
}

/* Skips the rest of the logical line, including its line break. */
static int skip_line(parser *ps)
{
	while (ps->tok.t != T_NL && ps->tok.t != T_EOF)
		if (advance(ps))
			return -1;
	return ps->tok.t == T_NL ? advance(ps) : 0;
}

/* name [: annotation] = value, the name already matched.  The new value
 * replaces an earlier one, as a later assignment does in Python.  An
 * annotation without a value assigns nothing. */
static int parse_assignment(parser *ps, py_value *slot, int *has)
{
	char var[16];
	int line = ps->tok.line;
	snprintf(var, sizeof var, "%.*s", (int)ps->tok.n, ps->tok.s);
	if (advance(ps))
		return -1;
	if (is_op(&ps->tok, ':')) {
		while (!is_op(&ps->tok, '=') && ps->tok.t != T_NL && ps->tok.t != T_EOF)
			if (advance(ps))
				return -1;
	}
	if (!is_op(&ps->tok, '='))
		return skip_line(ps);
	if (advance(ps))
		return -1;
	py_value v = { 0 };
	v.line = line;
	if (parse_value(ps, var, &v)) {
		value_free(&v);
		return -1;
	}
	if (ps->tok.t != T_NL && ps->tok.t != T_EOF && !is_op(&ps->tok, ';')) {
		value_free(&v);
		return fail(&ps->lx, ps->tok.line, "%s: not a literal (only a string, None, a tuple or a list)", var);
	}
	value_free(slot);
	*slot = v;
	*has = 1;
	return 0;
}

/* `def upgrade(` / `def downgrade(` at column 0: the line of the last one
 * (a later def replaces an earlier one in Python too). */
static int parse_def(parser *ps)
{
	int line = ps->tok.line, *dst = NULL;
	if (advance(ps))
		return -1;
	if (is_name(&ps->tok, "upgrade"))
		dst = &ps->out->upgrade_line;
	else if (is_name(&ps->tok, "downgrade"))
		dst = &ps->out->downgrade_line;
	if (dst) {
		if (advance(ps))
			return -1;
		if (ps->tok.t == T_OP && ps->tok.s[0] == '(')
			*dst = line;
	}
	return skip_line(ps);
}

/* One module-level statement.  Only lines starting at column 0 are looked
 * at; after `x = literal;` the rest of the line is module-level too. */
static int parse_statement(parser *ps)
{
	int top = ps->tok.top;
	for (;;) {
		int *has;
		py_value *slot = top ? slot_for(ps->out, &ps->tok, &has) : NULL;
		if (top && is_name(&ps->tok, "def"))
			return parse_def(ps);
		if (!slot)
			return skip_line(ps);
		if (parse_assignment(ps, slot, has))
			return -1;
		if (!is_op(&ps->tok, ';'))
			return skip_line(ps);
		if (advance(ps))
			return -1;
	}
}

/* Python refuses source holding a NUL byte; so does this reader, which
 * also keeps every decoded value a plain C string. */
static int check_nul(lexer *lx)
{
	const char *z = memchr(lx->p, '\0', (size_t)(lx->end - lx->p));
	if (!z)
		return 0;
	int line = 1;
	for (const char *q = lx->p; q < z; q++)
		line += *q == '\n' || (*q == '\r' && !(q + 1 < z && q[1] == '\n'));
	return fail(lx, line, "source holds a NUL byte");
}

/* Starts the lexer after an optional UTF-8 byte-order mark. */
static void lexer_init(lexer *lx, const char *text, size_t len, char *err, size_t errsize)
{
	memset(lx, 0, sizeof *lx);
	lx->p = text;
	lx->end = text + len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		lx->p += 3;
	lx->ls = lx->p;
	lx->line = 1;
	lx->bol = 1;
	lx->err = err;
	lx->errsize = errsize;
}

int py_read_revision(const char *text, size_t len, py_revision *out, char *err, size_t errsize,
                     int *errline)
{
	parser ps;
	memset(out, 0, sizeof *out);
	if (err && errsize)
		err[0] = '\0';
	if (errline)
		*errline = 0;
	lexer_init(&ps.lx, text ? text : "", text ? len : 0, err, errsize);
	ps.out = out;
	int rc = check_nul(&ps.lx);
	if (rc == 0)
		rc = advance(&ps);
	while (rc == 0 && ps.tok.t != T_EOF)
		rc = parse_statement(&ps);
	if (rc) {
		py_revision_free(out);
		if (errline)
			*errline = ps.lx.errline;
		return -1;
	}
	return 0;
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
