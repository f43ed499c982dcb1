/*
 * textwrap.dedent() of a known string, as CPython's textwrap.py does it:
 * lines of only spaces and tabs become empty, then the longest common
 * leading run of spaces and tabs of the other non-empty lines is removed
 * from each line that starts with it.
 */
#include <string.h>

#include "pyeval.h"

/* The line of s[0..n) that starts at i: its end (its '\n', or n), and in
 * *ws the end of its leading spaces and tabs. */
static size_t line_at(const char *s, size_t n, size_t i, size_t *ws)
{
	size_t e = i;
	while (e < n && s[e] != '\n')
		e++;
	size_t w = i;
	while (w < e && (s[w] == ' ' || s[w] == '\t'))
		w++;
	*ws = w;
	return e;
}

pe_val *pe_dedent(pe_env *env, const pe_val *x, int line)
{
	const char *s = x->s;
	size_t n = x->n;
	char *out = px_alloc(env->a, n + 1), *res = px_alloc(env->a, n + 1);
	const char *margin = NULL;
	size_t m = 0, ml = 0, r = 0, w, e;
	/* 1. _whitespace_only_re: ^[ \t]+$ (multiline) -> "", and 2. the
	 * margin: the common prefix of the indents of the lines with text */
	for (size_t i = 0; i < n; i = e + 1) {
		e = line_at(s, n, i, &w);
		if (w < e && !margin) {
			margin = out + m;
			ml = w - i;
		} else if (w < e) {
			size_t k = 0;
			while (k < ml && k < w - i && margin[k] == s[i + k])
				k++;
			ml = k; /* the indent starts with the margin: k == ml; else their common part */
		}
		if (w < e || e == i) {
			memcpy(out + m, s + i, e - i);
			m += e - i;
		}
		if (e < n)
			out[m++] = '\n';
	}
	/* 3. the margin removed where a line starts with it */
	for (size_t i = 0; i < m; i = e + 1) {
		e = line_at(out, m, i, &w);
		size_t from = ml && e - i >= ml && !memcmp(out + i, margin, ml) ? i + ml : i;
		memcpy(res + r, out + from, e - from);
		r += e - from;
		if (e < m)
			res[r++] = '\n';
	}
	return pe_strval(env, res, r, line);
}
