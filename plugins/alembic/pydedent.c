/*
 * textwrap.dedent() of a known string, as CPython's textwrap.py does it:
 * lines of only spaces and tabs become empty, then the longest common
 * leading run of spaces and tabs of the other non-empty lines is removed
 * from each line that starts with it.
 */
#include <stdlib.h>
#include <string.h>

#include "pyeval.h"

pe_val *pe_dedent(pe_env *env, const pe_val *x, int line)
{
	const char *s = x->s;
	size_t n = x->n;
	char *out = malloc(n + 1);
	if (!out)
		return pe_unknown(env, line, "dedent(): out of memory");
	/* 1. _whitespace_only_re: ^[ \t]+$ (multiline) -> "" */
	size_t m = 0;
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		size_t w = i;
		while (w < e && (s[w] == ' ' || s[w] == '\t'))
			w++;
		if (!(w == e && e > i)) {
			memcpy(out + m, s + i, e - i);
			m += e - i;
		}
		if (e < n)
			out[m++] = '\n';
		i = e + 1;
	}
	/* 2. the margin: common prefix of the indents of lines with text */
	const char *margin = NULL;
	size_t ml = 0;
	for (size_t i = 0; i < m;) {
		size_t e = i;
		while (e < m && out[e] != '\n')
			e++;
		size_t w = i;
		while (w < e && (out[w] == ' ' || out[w] == '\t'))
			w++;
		if (w < e) {
			if (!margin) {
				margin = out + i;
				ml = w - i;
			} else {
				size_t k = 0;
				while (k < ml && k < w - i && margin[k] == out[i + k])
					k++;
				ml = k; /* indent starts with margin: k == ml; else the common part */
			}
		}
		i = e + 1;
	}
	/* 3. remove it where a line starts with it */
	char *res = malloc(m + 1);
	if (!res) {
		free(out);
		return pe_unknown(env, line, "dedent(): out of memory");
	}
	size_t r = 0;
	for (size_t i = 0; i < m;) {
		size_t e = i;
		while (e < m && out[e] != '\n')
			e++;
		size_t from = ml && e - i >= ml && !memcmp(out + i, margin, ml) ? i + ml : i;
		memcpy(res + r, out + from, e - from);
		r += e - from;
		if (e < m)
			res[r++] = '\n';
		i = e + 1;
	}
	pe_val *v = pe_strval(env, res, r, line);
	free(res);
	free(out);
	return v;
}
