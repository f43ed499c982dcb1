/*
 * Tokenizer and expression parser for the Python of Alembic revision bodies
 * (see pyexpr.h).  The tokenizer follows Python's lexical rules closely
 * (logical lines, bracket and backslash continuation, every string prefix
 * and escape, CR / CRLF / LF line ends) because a wrong line number or a
 * mis-decoded string would silently change the SQL; the parser models only
 * literals, names, attributes, calls, tuples, lists and dicts, and turns
 * everything else into PX_OTHER with a name for it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyexpr.h"

#define MAX_DEPTH 200

/* ---------------------------------------------------------------- arena */

/* Every node and string of a translation lives here, so that an early
 * return anywhere frees everything with one px_arena_free(). */
void *px_alloc(px_arena *a, size_t n)
{
	void *p = strata_arena_zalloc(&a->mem, n);
	if (!p)
		longjmp(*a->oom, 1);
	return p;
}

/* A NUL-terminated copy in the arena. */
char *px_strndup(px_arena *a, const char *s, size_t n)
{
	char *p = strata_arena_strndup(&a->mem, s, n);
	if (!p)
		longjmp(*a->oom, 1);
	return p;
}

/* Frees every chunk at once. */
void px_arena_free(px_arena *a)
{
	strata_arena_free(&a->mem);
}

/* ------------------------------------------------------------ tokenizer */

typedef struct sbuf {
	px_arena *a;
	char *p;
	size_t n, cap;
} sbuf;

/* A growing byte string in the arena (old blocks are simply abandoned). */
static void sb_putc(sbuf *b, char c)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *p = px_alloc(b->a, cap);
		if (b->n)
			memcpy(p, b->p, b->n);
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = c;
	b->p[b->n] = 0;
}

/* Escapes like \u00e9 decode to UTF-8, the encoding of the SQL text. */
static void sb_utf8(sbuf *b, unsigned long cp)
{
	if (cp < 0x80) {
		sb_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sb_putc(b, (char)(0xC0 | (cp >> 6)));
		sb_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sb_putc(b, (char)(0xE0 | (cp >> 12)));
		sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		sb_putc(b, (char)(0xF0 | (cp >> 18)));
		sb_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

typedef struct lex {
	px_arena *a;
	const char *p, *end;
	const char *text;  /* the whole file, for columns */
	int line;
	px_tok *t;
	int n, cap;
	char *err;
	size_t errsize;
	int *errline;
} lex;

/* The first error wins; its line is the construct's first line. */
static int lex_fail(lex *lx, int line, const char *fmt, ...)
{
	if (lx->err && lx->errsize) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lx->err, lx->errsize, fmt, ap);
		va_end(ap);
	}
	if (lx->errline)
		*lx->errline = line;
	return -1;
}

/* Appends a token (arena doubling). */
static px_tok *lex_push(lex *lx, px_tokkind k, int line)
{
	if (lx->n == lx->cap) {
		int cap = lx->cap ? lx->cap * 2 : 256;
		px_tok *t = px_alloc(lx->a, (size_t)cap * sizeof *t);
		if (lx->n)
			memcpy(t, lx->t, (size_t)lx->n * sizeof *t);
		lx->t = t;
		lx->cap = cap;
	}
	px_tok *t = &lx->t[lx->n++];
	memset(t, 0, sizeof *t);
	t->k = k;
	t->line = line;
	t->col = -1;
	return t;
}

/* The column (1-based, in UTF-8 characters) of q on its line. */
static int col_at(const lex *lx, const char *q)
{
	const char *b = q;
	while (b > lx->text && b[-1] != '\n' && b[-1] != '\r')
		b--;
	int col = 1;
	for (; b < q; b++)
		col += ((unsigned char)*b & 0xC0) != 0x80;
	return col;
}

/* Length of the line break at q (CRLF, CR or LF, as Python reads them). */
static size_t nl_at(const lex *lx, const char *q)
{
	if (q >= lx->end)
		return 0;
	if (*q == '\n')
		return 1;
	if (*q == '\r')
		return (q + 1 < lx->end && q[1] == '\n') ? 2 : 1;
	return 0;
}

/* Identifiers: ASCII letters, _ and any non-ASCII byte (UTF-8 letters). */
static int is_idstart(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

/* Identifier continuation: also digits. */
static int is_idchar(unsigned char c)
{
	return is_idstart(c) || (c >= '0' && c <= '9');
}

/* A hex digit, -1 if none. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string literal whose opening quote is at lx->p, with the prefix
 * already read; decodes escapes unless raw (Python's rules: an unknown
 * escape keeps its backslash; a \N{...} escape marks the token, which
 * the parser reports as not modelled). */
static int lex_string(lex *lx, int raw, int bytes, int fstr)
{
	char q = *lx->p;
	int start = lx->line;
	int triple = lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q;
	lx->p += triple ? 3 : 1;
	sbuf b = { lx->a, NULL, 0, 0 };
	sb_putc(&b, 0);
	b.n = 0;
	int named_escape = 0;
	/* where each decoded line starts: a '\n' from a line break starts the
	 * next source line, one from an escape the current one */
	int *lines = NULL, *cols = NULL, nlines = 0, caplines = 0;
	size_t seen = 0;
	for (;;) {
		for (int first = !caplines; seen < b.n || first; first = 0) {
			if (!first && b.p[seen++] != '\n')
				continue;
			if (nlines == caplines) {
				int cap = caplines ? 2 * caplines : 8;
				int *v = px_alloc(lx->a, (size_t)cap * sizeof *v);
				int *w = px_alloc(lx->a, (size_t)cap * sizeof *w);
				if (nlines) {
					memcpy(v, lines, (size_t)nlines * sizeof *v);
					memcpy(w, cols, (size_t)nlines * sizeof *w);
				}
				lines = v;
				cols = w;
				caplines = cap;
			}
			lines[nlines] = first ? start : lx->line;
			cols[nlines++] = col_at(lx, lx->p);
		}
		if (lx->p >= lx->end)
			return lex_fail(lx, start, triple ? "unterminated triple-quoted string literal"
			                                 : "unterminated string literal");
		char c = *lx->p;
		size_t nl = nl_at(lx, lx->p);
		if (nl) {
			if (!triple)
				return lex_fail(lx, start, "unterminated string literal");
			sb_putc(&b, '\n');
			lx->p += nl;
			lx->line++;
			continue;
		}
		if (c == q && (!triple || (lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q))) {
			lx->p += triple ? 3 : 1;
			break;
		}
		if (c != '\\') {
			sb_putc(&b, c);
			lx->p++;
			continue;
		}
		/* a backslash */
		if (lx->p + 1 >= lx->end) {
			lx->p++;
			continue; /* reported as unterminated on the next turn */
		}
		const char *e = lx->p + 1;
		size_t enl = nl_at(lx, e);
		if (raw) {
			sb_putc(&b, '\\');
			if (enl) {
				sb_putc(&b, '\n');
				lx->p = e + enl;
				lx->line++;
			} else {
				sb_putc(&b, *e);
				lx->p = e + 1;
			}
			continue;
		}
		if (enl) { /* backslash-newline: nothing */
			lx->p = e + enl;
			lx->line++;
			cols[nlines - 1] = 0;
			continue;
		}
		cols[nlines - 1] = 0; /* an escape: the line's columns are not the file's */
		lx->p = e + 1;
		switch (*e) {
		case '\\': sb_putc(&b, '\\'); break;
		case '\'': sb_putc(&b, '\''); break;
		case '"': sb_putc(&b, '"'); break;
		case 'a': sb_putc(&b, '\a'); break;
		case 'b': sb_putc(&b, '\b'); break;
		case 'f': sb_putc(&b, '\f'); break;
		case 'n': sb_putc(&b, '\n'); break;
		case 'r': sb_putc(&b, '\r'); break;
		case 't': sb_putc(&b, '\t'); break;
		case 'v': sb_putc(&b, '\v'); break;
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
			unsigned v = (unsigned)(*e - '0');
			for (int k = 0; k < 2 && lx->p < lx->end && *lx->p >= '0' && *lx->p <= '7'; k++)
				v = v * 8 + (unsigned)(*lx->p++ - '0');
			if (bytes)
				sb_putc(&b, (char)(v & 0xFF));
			else
				sb_utf8(&b, v);
			break;
		}
		case 'x': {
			if (lx->end - lx->p < 2 || hexval(lx->p[0]) < 0 || hexval(lx->p[1]) < 0)
				return lex_fail(lx, lx->line, "invalid \\x escape in a string literal");
			unsigned v = (unsigned)(hexval(lx->p[0]) * 16 + hexval(lx->p[1]));
			lx->p += 2;
			if (bytes)
				sb_putc(&b, (char)v);
			else
				sb_utf8(&b, v);
			break;
		}
		case 'u': case 'U': {
			if (bytes) {
				sb_putc(&b, '\\');
				sb_putc(&b, *e);
				break;
			}
			int nd = *e == 'u' ? 4 : 8;
			unsigned long v = 0;
			if (lx->end - lx->p < nd)
				return lex_fail(lx, lx->line, "truncated \\%c escape in a string literal", *e);
			for (int k = 0; k < nd; k++) {
				int h = hexval(lx->p[k]);
				if (h < 0)
					return lex_fail(lx, lx->line, "truncated \\%c escape in a string literal", *e);
				v = v * 16 + (unsigned long)h;
			}
			if (v > 0x10FFFF)
				return lex_fail(lx, lx->line, "illegal Unicode character in a string literal");
			lx->p += nd;
			sb_utf8(&b, v);
			break;
		}
		case 'N':
			named_escape |= !bytes; /* \N{NAME}: needs the Unicode name table */
			sb_putc(&b, '\\');
			sb_putc(&b, *e);
			break;
		default:
			sb_putc(&b, '\\');
			sb_putc(&b, *e);
			break;
		}
	}
	px_tok *t = lex_push(lx, TK_STR, start);
	t->val = b.p;
	t->vlen = b.n;
	t->lines = lines;
	t->cols = cols;
	t->nlines = nlines;
	t->fstr = fstr;
	t->bytes = bytes;
	t->named_escape = named_escape;
	return 0;
}

/* Is the identifier s[0..n) a string prefix (r, u, b, f and their pairs)? */
static int string_prefix(const char *s, size_t n, int *raw, int *bytes, int *fstr)
{
	*raw = *bytes = *fstr = 0;
	if (n == 0 || n > 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == 'r' || c == 'R')
			(*raw)++;
		else if (c == 'b' || c == 'B')
			(*bytes)++;
		else if (c == 'f' || c == 'F')
			(*fstr)++;
		else if ((c == 'u' || c == 'U') && n == 1)
			;
		else
			return 0;
	}
	if (*raw > 1 || *bytes > 1 || *fstr > 1 || (*bytes && *fstr))
		return 0;
	return 1;
}

static const char *const ops3[] = { "**=", "//=", ">>=", "<<=", "...", NULL };
static const char *const ops2[] = { "**", "//", "==", "!=", "<=", ">=", "->", ":=", "+=", "-=",
	                            "*=", "/=", "%=", "&=", "|=", "^=", "@=", "<<", ">>", NULL };

int px_tokenize(px_arena *a, const char *text, size_t len, px_toks *out,
                char *err, size_t errsize, int *errline)
{
	lex lx = { a, text, text + len, text, 1, NULL, 0, 0, err, errsize, errline };
	char open[MAX_DEPTH];
	int openline[MAX_DEPTH];
	int depth = 0;
	int bol = 1;        /* at the start of a physical line that begins a logical line */
	int linetoks = 0;   /* tokens on the current logical line */
	int indent = 0;

	/* a UTF-8 byte order mark is not part of the source */
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		lx.p += 3;

	while (lx.p < lx.end) {
		if (bol) {
			int col = 0;
			while (lx.p < lx.end && (*lx.p == ' ' || *lx.p == '\t' || *lx.p == '\f')) {
				col = *lx.p == '\t' ? (col / 8 + 1) * 8 : *lx.p == '\f' ? 0 : col + 1;
				lx.p++;
			}
			indent = col;
			bol = 0;
			continue;
		}
		char c = *lx.p;
		size_t nl = nl_at(&lx, lx.p);
		if (nl) {
			lx.p += nl;
			lx.line++;
			if (depth == 0) {
				if (linetoks)
					lex_push(&lx, TK_NL, lx.line - 1);
				linetoks = 0;
				bol = 1;
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\f') {
			lx.p++;
			continue;
		}
		if (c == '#') {
			while (lx.p < lx.end && !nl_at(&lx, lx.p))
				lx.p++;
			continue;
		}
		if (c == '\\') {
			size_t k = nl_at(&lx, lx.p + 1);
			if (!k && lx.p + 1 < lx.end)
				return lex_fail(&lx, lx.line, "unexpected character after line continuation character");
			lx.p += 1 + k;
			lx.line++;
			continue;
		}
		int first = linetoks == 0;
		int ntok_before = lx.n;
		if (is_idstart((unsigned char)c)) {
			const char *s = lx.p;
			while (lx.p < lx.end && is_idchar((unsigned char)*lx.p))
				lx.p++;
			int raw, bytes, fstr;
			if (lx.p < lx.end && (*lx.p == '\'' || *lx.p == '"') &&
			    string_prefix(s, (size_t)(lx.p - s), &raw, &bytes, &fstr)) {
				if (lex_string(&lx, raw, bytes, fstr))
					return -1;
			} else {
				px_tok *t = lex_push(&lx, TK_NAME, lx.line);
				t->p = s;
				t->n = (size_t)(lx.p - s);
			}
		} else if ((c >= '0' && c <= '9') || (c == '.' && lx.p + 1 < lx.end && lx.p[1] >= '0' && lx.p[1] <= '9')) {
			const char *s = lx.p;
			int hex = c == '0' && lx.p + 1 < lx.end && (lx.p[1] == 'x' || lx.p[1] == 'X' || lx.p[1] == 'o' ||
			                                            lx.p[1] == 'O' || lx.p[1] == 'b' || lx.p[1] == 'B');
			while (lx.p < lx.end) {
				char d = *lx.p;
				if (is_idchar((unsigned char)d) || d == '.')
					lx.p++;
				else if ((d == '+' || d == '-') && !hex && (lx.p[-1] == 'e' || lx.p[-1] == 'E'))
					lx.p++;
				else
					break;
			}
			px_tok *t = lex_push(&lx, TK_NUM, lx.line);
			t->p = s;
			t->n = (size_t)(lx.p - s);
		} else if (c == '\'' || c == '"') {
			if (lex_string(&lx, 0, 0, 0))
				return -1;
		} else {
			size_t n = 0;
			for (int k = 0; ops3[k]; k++)
				if (lx.end - lx.p >= 3 && !memcmp(lx.p, ops3[k], 3))
					n = 3;
			for (int k = 0; !n && ops2[k]; k++)
				if (lx.end - lx.p >= 2 && !memcmp(lx.p, ops2[k], 2))
					n = 2;
			if (!n) {
				if (!strchr("()[]{}:,;.+-*/%@=<>&|^~!", c) || c == 0)
					return lex_fail(&lx, lx.line, "invalid character '%c' (0x%02x)",
					                c >= 32 && c < 127 ? c : '?', (unsigned char)c);
				n = 1;
			}
			if (c == '(' || c == '[' || c == '{') {
				if (depth == MAX_DEPTH)
					return lex_fail(&lx, lx.line, "too many nested brackets");
				open[depth] = c;
				openline[depth] = lx.line;
				depth++;
			} else if (c == ')' || c == ']' || c == '}') {
				char want = c == ')' ? '(' : c == ']' ? '[' : '{';
				if (depth == 0)
					return lex_fail(&lx, lx.line, "unmatched '%c'", c);
				if (open[depth - 1] != want)
					return lex_fail(&lx, lx.line, "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d",
					                c, open[depth - 1], openline[depth - 1]);
				depth--;
			}
			px_tok *t = lex_push(&lx, TK_OP, lx.line);
			t->p = lx.p;
			t->n = n;
			lx.p += n;
		}
		if (first && lx.n > ntok_before)
			lx.t[ntok_before].col = indent;
		linetoks += lx.n - ntok_before;
	}
	if (depth)
		return lex_fail(&lx, openline[depth - 1], "'%c' was never closed", open[depth - 1]);
	if (linetoks)
		lex_push(&lx, TK_NL, lx.line);
	lex_push(&lx, TK_EOF, lx.line);
	out->t = lx.t;
	out->n = lx.n;
	return 0;
}

/* ---------------------------------------------------------------- parser */

int px_is_op(const px_tok *t, const char *op)
{
	size_t n = strlen(op);
	return t->k == TK_OP && t->n == n && !memcmp(t->p, op, n);
}

int px_top_op(const px_tok *t, int s, int e, const char *op)
{
	int depth = 0;
	for (int i = s; i < e; i++) {
		if (px_is_op(&t[i], "(") || px_is_op(&t[i], "[") || px_is_op(&t[i], "{"))
			depth++;
		else if (px_is_op(&t[i], ")") || px_is_op(&t[i], "]") || px_is_op(&t[i], "}"))
			depth--;
		else if (depth == 0 && px_is_op(&t[i], op))
			return i;
	}
	return -1;
}

int px_arg_end(const px_tok *t, int s, int close)
{
	int k = px_top_op(t, s, close, ",");
	return k < 0 ? close : k;
}

/* Is t the NAME token `name`? */
int px_is_name(const px_tok *t, const char *name)
{
	size_t n = strlen(name);
	return t->k == TK_NAME && t->n == n && !memcmp(t->p, name, n);
}

/* A node of kind k. */
static px *mk(px_arena *a, px_kind k, int line)
{
	px *e = px_alloc(a, sizeof *e);
	e->k = k;
	e->line = line;
	return e;
}

/* An expression not modelled, named for the reason text. */
static px *mk_other(px_arena *a, int line, const char *desc)
{
	px *e = mk(a, PX_OTHER, line);
	e->s = px_strndup(a, desc, strlen(desc));
	e->n = strlen(desc);
	return e;
}

/* Appends to a node's item list (arena doubling). */
static void push_item(px_arena *a, px *e, px *item, const char *kw, int *cap)
{
	if (e->na == *cap) {
		int ncap = *cap ? *cap * 2 : 4;
		px **na = px_alloc(a, (size_t)ncap * sizeof *na);
		char **nk = px_alloc(a, (size_t)ncap * sizeof *nk);
		if (e->na) {
			memcpy(na, e->a, (size_t)e->na * sizeof *na);
			memcpy(nk, e->kw, (size_t)e->na * sizeof *nk);
		}
		e->a = na;
		e->kw = nk;
		*cap = ncap;
	}
	e->a[e->na] = item;
	e->kw[e->na] = kw ? px_strndup(a, kw, strlen(kw)) : NULL;
	e->na++;
}

/* Skips to just past the bracket that closes the one already opened. */
static void skip_to_close(const px_tok *t, int *i, int end)
{
	int depth = 1;
	while (*i < end) {
		const px_tok *k = &t[*i];
		(*i)++;
		if (k->k != TK_OP)
			continue;
		if (px_is_op(k, "(") || px_is_op(k, "[") || px_is_op(k, "{"))
			depth++;
		else if (px_is_op(k, ")") || px_is_op(k, "]") || px_is_op(k, "}")) {
			if (--depth == 0)
				return;
		}
	}
}

/* Skips an expression we do not model (a lambda) up to the next comma or
 * closing bracket at this level. */
static void skip_to_delim(const px_tok *t, int *i, int end)
{
	int depth = 0;
	while (*i < end) {
		const px_tok *k = &t[*i];
		if (k->k == TK_OP) {
			if (px_is_op(k, "(") || px_is_op(k, "[") || px_is_op(k, "{"))
				depth++;
			else if (px_is_op(k, ")") || px_is_op(k, "]") || px_is_op(k, "}")) {
				if (depth == 0)
					return;
				depth--;
			} else if ((px_is_op(k, ",") || px_is_op(k, "=") || px_is_op(k, ";")) && depth == 0)
				return;
		}
		(*i)++;
	}
}

static px *parse_ternary(px_arena *a, const px_tok *t, int *i, int end);

/* A closing bracket. */
static int is_close(const px_tok *k)
{
	return px_is_op(k, ")") || px_is_op(k, "]") || px_is_op(k, "}");
}

/* Items of a ( [ { display up to its closing bracket; returns the node, or
 * an OTHER for comprehensions and what is not modelled. */
static px *parse_display(px_arena *a, const px_tok *t, int *i, int end, char close, int line)
{
	px_kind k = close == ')' ? PX_TUPLE : close == ']' ? PX_LIST : PX_DICT;
	px *e = mk(a, k, line);
	int cap = 0, commas = 0;
	char want[2] = { close, 0 };
	while (*i < end && !px_is_op(&t[*i], want)) {
		if (px_is_op(&t[*i], "*") || px_is_op(&t[*i], "**")) {
			skip_to_close(t, i, end);
			return mk_other(a, line, "unpacking in a display");
		}
		px *item = parse_ternary(a, t, i, end);
		if (k == PX_DICT) {
			if (*i < end && px_is_op(&t[*i], ":")) {
				(*i)++;
				px *v = parse_ternary(a, t, i, end);
				push_item(a, e, item, NULL, &cap);
				push_item(a, e, v, NULL, &cap);
			} else {
				skip_to_close(t, i, end);
				return mk_other(a, line, "set display");
			}
		} else {
			push_item(a, e, item, NULL, &cap);
		}
		if (*i < end && (px_is_name(&t[*i], "for") || px_is_name(&t[*i], "async"))) {
			skip_to_close(t, i, end);
			return mk_other(a, line, "comprehension");
		}
		if (*i < end && px_is_op(&t[*i], ",")) {
			(*i)++;
			commas++;
			continue;
		}
		if (*i < end && px_is_op(&t[*i], want))
			break;
		skip_to_close(t, i, end);
		return mk_other(a, line, "unsupported expression");
	}
	if (*i < end)
		(*i)++; /* the closing bracket */
	if (k == PX_TUPLE && e->na == 1 && !commas)
		return e->a[0]; /* parenthesized expression */
	return e;
}

/* Call arguments: positional, name=value, *x / **x (kept, marked). */
static px *parse_args(px_arena *a, const px_tok *t, int *i, int end, px *callee, int line)
{
	px *e = mk(a, PX_CALL, line);
	e->obj = callee;
	int cap = 0;
	while (*i < end && !px_is_op(&t[*i], ")")) {
		const char *kw = NULL;
		char name[128];
		if (px_is_op(&t[*i], "*") || px_is_op(&t[*i], "**")) {
			kw = t[*i].n == 1 ? "*" : "**";
			(*i)++;
		} else if (t[*i].k == TK_NAME && *i + 1 < end && px_is_op(&t[*i + 1], "=") && t[*i].n < sizeof name) {
			memcpy(name, t[*i].p, t[*i].n);
			name[t[*i].n] = 0;
			kw = name;
			*i += 2;
		}
		px *v = parse_ternary(a, t, i, end);
		push_item(a, e, v, kw, &cap);
		if (*i < end && (px_is_name(&t[*i], "for") || px_is_name(&t[*i], "async"))) {
			skip_to_close(t, i, end);
			return mk_other(a, line, "generator expression");
		}
		if (*i < end && px_is_op(&t[*i], ",")) {
			(*i)++;
			continue;
		}
		if (*i < end && px_is_op(&t[*i], ")"))
			break;
		skip_to_close(t, i, end);
		return mk_other(a, line, "unsupported expression");
	}
	if (*i < end)
		(*i)++;
	return e;
}

/* Python's int() of a literal: decimal, 0x, 0o, 0b, with underscores. */
static int parse_int(const char *s, size_t n, long long *out)
{
	char tmp[96];
	size_t k = 0;
	for (size_t j = 0; j < n; j++)
		if (s[j] != '_') {
			if (k + 1 >= sizeof tmp)
				return -1;
			tmp[k++] = s[j];
		}
	tmp[k] = 0;
	int base = 10;
	const char *p = tmp;
	if (k > 1 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X'))
		base = 16, p += 2;
	else if (k > 1 && tmp[0] == '0' && (tmp[1] == 'o' || tmp[1] == 'O'))
		base = 8, p += 2;
	else if (k > 1 && tmp[0] == '0' && (tmp[1] == 'b' || tmp[1] == 'B'))
		base = 2, p += 2;
	char *endp;
	unsigned long long v = strtoull(p, &endp, base);
	if (*endp || endp == p || v > 0x7FFFFFFFFFFFFFFFULL)
		return -1;
	*out = (long long)v;
	return 0;
}

/* Names, numbers, adjacent string literals (concatenated), displays. */
static px *parse_primary(px_arena *a, const px_tok *t, int *i, int end)
{
	if (*i >= end)
		return mk_other(a, *i > 0 ? t[*i - 1].line : 1, "missing expression");
	const px_tok *k = &t[*i];
	int line = k->line;
	if (k->k == TK_NAME) {
		(*i)++;
		if (px_is_name(k, "None"))
			return mk(a, PX_NONE, line);
		if (px_is_name(k, "True") || px_is_name(k, "False")) {
			px *e = mk(a, PX_BOOL, line);
			e->iv = px_is_name(k, "True");
			return e;
		}
		if (px_is_name(k, "lambda")) {
			skip_to_delim(t, i, end);
			return mk_other(a, line, "lambda");
		}
		if (px_is_name(k, "await") || px_is_name(k, "yield")) {
			skip_to_delim(t, i, end);
			return mk_other(a, line, px_is_name(k, "await") ? "await" : "yield");
		}
		px *e = mk(a, PX_NAME, line);
		e->s = px_strndup(a, k->p, k->n);
		e->n = k->n;
		return e;
	}
	if (k->k == TK_NUM) {
		(*i)++;
		int isfloat = 0, hex = k->n > 1 && k->p[0] == '0' && strchr("xXoObB", k->p[1]);
		for (size_t j = 0; j < k->n; j++)
			if (k->p[j] == '.' || (!hex && (k->p[j] == 'e' || k->p[j] == 'E')))
				isfloat = 1;
		if (k->p[k->n - 1] == 'j' || k->p[k->n - 1] == 'J')
			return mk_other(a, line, "complex number");
		if (isfloat) {
			px *e = mk(a, PX_FLOAT, line);
			char tmp[128];
			size_t m = 0;
			for (size_t j = 0; j < k->n && m + 1 < sizeof tmp; j++)
				if (k->p[j] != '_')
					tmp[m++] = k->p[j];
			tmp[m] = 0;
			e->fv = strtod(tmp, NULL);
			e->s = px_strndup(a, tmp, m);
			e->n = m;
			return e;
		}
		px *e = mk(a, PX_INT, line);
		if (parse_int(k->p, k->n, &e->iv))
			return mk_other(a, line, "integer literal out of range");
		char tmp[32];
		int m = snprintf(tmp, sizeof tmp, "%lld", e->iv);
		e->s = px_strndup(a, tmp, (size_t)m);
		e->n = (size_t)m;
		return e;
	}
	if (k->k == TK_STR) {
		sbuf b = { a, NULL, 0, 0 };
		sb_putc(&b, 0);
		b.n = 0;
		int fstr = 0, bytes = k->bytes, mixed = 0, named = 0, nl = 0;
		for (int j = *i; j < end && t[j].k == TK_STR; j++)
			nl += t[j].nlines;
		int *lines = px_alloc(a, (size_t)nl * sizeof *lines), nlines = 0;
		int *cols = px_alloc(a, (size_t)nl * sizeof *cols);
		while (*i < end && t[*i].k == TK_STR) {
			named |= t[*i].named_escape;
			/* a later piece's first line continues the last line so far
			 * (whose columns then stop being the file's), or starts it when
			 * the text so far ends with a '\n' */
			if (nlines && b.n && b.p[b.n - 1] == '\n') {
				lines[nlines - 1] = t[*i].lines[0];
				cols[nlines - 1] = t[*i].cols[0];
			} else if (nlines) {
				cols[nlines - 1] = 0;
			}
			for (int j = nlines ? 1 : 0; j < t[*i].nlines; j++) {
				lines[nlines] = t[*i].lines[j];
				cols[nlines++] = t[*i].cols[j];
			}
			for (size_t j = 0; j < t[*i].vlen; j++)
				sb_putc(&b, t[*i].val[j]);
			fstr |= t[*i].fstr;
			if (t[*i].bytes != bytes)
				mixed = 1;
			(*i)++;
		}
		if (mixed)
			return mk_other(a, line, "bytes and str concatenation");
		if (named)
			return mk_other(a, line, "\\N{...} escape in a string");
		px *e = mk(a, PX_STR, line);
		e->s = b.p;
		e->n = b.n;
		e->lines = lines;
		e->cols = cols;
		e->nlines = nlines;
		e->fstr = fstr;
		e->bytes = bytes;
		return e;
	}
	if (px_is_op(k, "(")) {
		(*i)++;
		return parse_display(a, t, i, end, ')', line);
	}
	if (px_is_op(k, "[")) {
		(*i)++;
		return parse_display(a, t, i, end, ']', line);
	}
	if (px_is_op(k, "{")) {
		(*i)++;
		return parse_display(a, t, i, end, '}', line);
	}
	if (!is_close(k) && k->k != TK_NL && k->k != TK_EOF)
		(*i)++;
	return mk_other(a, line, "unsupported expression");
}

/* Attribute access, calls and subscripts after a primary. */
static px *parse_postfix(px_arena *a, const px_tok *t, int *i, int end)
{
	px *e = parse_primary(a, t, i, end);
	while (*i < end) {
		const px_tok *k = &t[*i];
		if (px_is_op(k, ".") && *i + 1 < end && t[*i + 1].k == TK_NAME) {
			px *at = mk(a, PX_ATTR, k->line);
			at->obj = e;
			at->s = px_strndup(a, t[*i + 1].p, t[*i + 1].n);
			at->n = t[*i + 1].n;
			*i += 2;
			e = at;
		} else if (px_is_op(k, "(")) {
			(*i)++;
			px *c = parse_args(a, t, i, end, e, e->line);
			e = c;
		} else if (px_is_op(k, "[")) {
			(*i)++;
			skip_to_close(t, i, end);
			e = mk_other(a, k->line, "subscript");
		} else {
			break;
		}
	}
	return e;
}

/* Unary minus folds into a number literal; other unary operators are OTHER. */
static px *parse_unary(px_arena *a, const px_tok *t, int *i, int end)
{
	/* prefix operators are counted, not recursed into, so that no input
	 * can exhaust the stack */
	int neg = 0, signs = 0, other = 0, line = *i < end ? t[*i].line : 0;
	while (*i < end) {
		if (px_is_op(&t[*i], "-") || px_is_op(&t[*i], "+")) {
			neg ^= px_is_op(&t[*i], "-");
			signs++;
		} else if (px_is_op(&t[*i], "~") || px_is_name(&t[*i], "not")) {
			other = 1;
		} else {
			break;
		}
		(*i)++;
	}
	px *e = parse_postfix(a, t, i, end);
	int power = 0;
	while (*i < end && px_is_op(&t[*i], "**")) {
		(*i)++;
		while (*i < end && (px_is_op(&t[*i], "-") || px_is_op(&t[*i], "+") || px_is_op(&t[*i], "~")))
			(*i)++;
		parse_postfix(a, t, i, end);
		power = 1;
	}
	if (other)
		return mk_other(a, line, "operator expression");
	if (power)
		return mk_other(a, e->line, "arithmetic expression");
	if (!signs)
		return e;
	if (e->k != PX_INT && e->k != PX_FLOAT)
		return mk_other(a, line, "arithmetic expression");
	if (neg) {
		e->iv = -e->iv;
		e->fv = -e->fv;
		if (e->s[0] == '-') {
			e->s++;
			e->n--;
		} else {
			char *s = px_alloc(a, e->n + 2);
			s[0] = '-';
			memcpy(s + 1, e->s, e->n + 1);
			e->s = s;
			e->n++;
		}
	}
	return e;
}

static const char *const binops[] = { "+", "-", "*", "/", "//", "%", "@", "|", "&", "^", "<<", ">>",
	                               "==", "!=", "<", ">", "<=", ">=", NULL };
static const char *const binkw[] = { "and", "or", "in", "is", "not", "if", "else", NULL };

/* A binary operator or keyword operator (and, or, in, is, not, if/else). */
static int binop_at(const px_tok *k)
{
	for (int j = 0; binops[j]; j++)
		if (px_is_op(k, binops[j]))
			return 1;
	for (int j = 0; binkw[j]; j++)
		if (px_is_name(k, binkw[j]))
			return 1;
	return 0;
}

/* Binary operators: "a" + "b" of plain literals folds into one string;
 * anything else becomes OTHER with a name ("%-formatting", ...). */
static px *parse_ternary(px_arena *a, const px_tok *t, int *i, int end)
{
	px *lhs = parse_unary(a, t, i, end);
	while (*i < end && binop_at(&t[*i])) {
		const px_tok *op = &t[*i];
		(*i)++;
		if (px_is_name(op, "not") && *i < end && px_is_name(&t[*i], "in"))
			(*i)++;
		if (px_is_name(op, "is") && *i < end && px_is_name(&t[*i], "not"))
			(*i)++;
		px *rhs = parse_unary(a, t, i, end);
		if (px_is_op(op, "+") && lhs->k == PX_STR && rhs->k == PX_STR && !lhs->fstr && !rhs->fstr &&
		    lhs->bytes == rhs->bytes) {
			px *e = mk(a, PX_STR, lhs->line);
			e->s = px_alloc(a, lhs->n + rhs->n + 1);
			memcpy(e->s, lhs->s, lhs->n);
			memcpy(e->s + lhs->n, rhs->s, rhs->n);
			e->n = lhs->n + rhs->n;
			e->bytes = lhs->bytes;
			if (lhs->nlines && rhs->nlines) { /* rhs's first line continues lhs's last */
				size_t nb = (size_t)(lhs->nlines + rhs->nlines) * sizeof(int);
				e->lines = px_alloc(a, nb);
				e->cols = px_alloc(a, nb);
				memcpy(e->lines, lhs->lines, (size_t)lhs->nlines * sizeof(int));
				memcpy(e->cols, lhs->cols, (size_t)lhs->nlines * sizeof(int));
				memcpy(e->lines + lhs->nlines, rhs->lines + 1, (size_t)(rhs->nlines - 1) * sizeof(int));
				memcpy(e->cols + lhs->nlines, rhs->cols + 1, (size_t)(rhs->nlines - 1) * sizeof(int));
				e->nlines = lhs->nlines + rhs->nlines - 1;
				if (lhs->n && lhs->s[lhs->n - 1] == '\n') {
					e->lines[lhs->nlines - 1] = rhs->lines[0];
					e->cols[lhs->nlines - 1] = rhs->cols[0];
				} else {
					e->cols[lhs->nlines - 1] = 0;
				}
			}
			lhs = e;
			continue;
		}
		const char *desc = "operator expression";
		if (px_is_op(op, "%") && lhs->k == PX_STR)
			desc = "%-formatting";
		else if (px_is_op(op, "+") && (lhs->k == PX_STR || rhs->k == PX_STR))
			desc = "string concatenation with a non-literal";
		else if (lhs->k == PX_STR && lhs->fstr)
			desc = "f-string";
		px *o = mk_other(a, lhs->line, desc);
		o->obj = lhs;
		lhs = o;
	}
	return lhs;
}

/* See pyexpr.h. */
px *px_parse_expr(px_arena *a, const px_tok *t, int *i, int end)
{
	return parse_ternary(a, t, i, end);
}

/* See pyexpr.h. */
const char *px_dotted(px_arena *a, const px *e)
{
	size_t len = 0;
	const px *k = e;
	while (k->k == PX_ATTR) {
		len += k->n + 1;
		k = k->obj;
	}
	if (k->k != PX_NAME)
		return NULL;
	if (k == e)
		return e->s;
	len += k->n;
	char *s = px_alloc(a, len + 1);
	size_t at = len;
	s[at] = 0;
	for (k = e; k->k == PX_ATTR; k = k->obj) {
		at -= k->n;
		memcpy(s + at, k->s, k->n);
		s[--at] = '.';
	}
	memcpy(s, k->s, k->n);
	return s;
}

px *px_kwarg(const px *call, const char *kw)
{
	for (int j = 0; j < call->na; j++)
		if (call->kw[j] && !strcmp(call->kw[j], kw))
			return call->a[j];
	return NULL;
}

px *px_posarg(const px *call, int n)
{
	for (int j = 0; j < call->na; j++)
		if (!call->kw[j] && n-- == 0)
			return call->a[j];
	return NULL;
}

int px_npos(const px *call)
{
	int n = 0;
	for (int j = 0; j < call->na; j++)
		if (!call->kw[j])
			n++;
	return n;
}

int px_with_tokens(const char *text, size_t len, int (*fn)(const px_toks *tk, void *ud),
                   void *ud, char *err, size_t errsize, int *errline)
{
	jmp_buf oom;
	px_arena a = { .oom = &oom };
	px_toks tk;
	if (setjmp(oom)) {
		px_arena_free(&a);
		if (err && errsize)
			snprintf(err, errsize, "out of memory");
		if (errline)
			*errline = 0;
		return -1;
	}
	if (px_tokenize(&a, text, len, &tk, err, errsize, errline)) {
		px_arena_free(&a);
		return -1;
	}
	int rc = fn(&tk, ud);
	px_arena_free(&a);
	return rc;
}
