/* A line diff of two texts (strata_ledger's recorded script and the file
 * as it is now), in unified form with a little context, for `status -v`,
 * doctor's modified-after-apply finding and `strata repair`'s refusals.
 * The longest common subsequence of the lines, by dynamic programming: a
 * migration has hundreds of lines, not millions; past DIFF_MAX_CELLS the
 * texts are said to differ without the lines. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_MAX_CELLS (16u * 1024 * 1024)

typedef struct lines {
	const char **p;
	size_t *len;
	size_t n;
} lines;

/* Lines end at '\n' (kept out); a '\r' before it stays part of the line,
 * so a CRLF re-save shows as changed lines, as it is. */
static void split(const char *s, size_t len, lines *l)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	n += len && s[len - 1] != '\n';
	l->p = xcalloc(n + 1, sizeof *l->p);
	l->len = xcalloc(n + 1, sizeof *l->len);
	l->n = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) : len;
		l->p[l->n] = s + i;
		l->len[l->n++] = e - i;
		i = e + 1;
	}
}

static bool same(const lines *a, size_t i, const lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

typedef struct edit {
	char op; /* ' ' '-' '+' */
	size_t ai, bi; /* line index in a (for ' ' and '-') and in b (' ' and '+') */
} edit;

static void line_out(sbuf *o, char op, const char *p, size_t n)
{
	sbuf_add(o, &op, 1);
	sbuf_add(o, p, n);
	sbuf_add(o, "\n", 1);
}

char *inspect_diff(const char *a, size_t alen, const char *b, size_t blen, int context,
                   int *first_line)
{
	lines la, lb;
	split(a, alen, &la);
	split(b, blen, &lb);
	if (first_line)
		*first_line = 0;
	/* The common head and tail need no table. */
	size_t pre = 0, post = 0;
	while (pre < la.n && pre < lb.n && same(&la, pre, &lb, pre))
		pre++;
	while (post < la.n - pre && post < lb.n - pre &&
	       same(&la, la.n - 1 - post, &lb, lb.n - 1 - post))
		post++;
	size_t n = la.n - pre - post, m = lb.n - pre - post;
	sbuf o = {0};
	if (!n && !m) {
		/* Equal lines: the texts differ in a final newline only. */
		if (alen != blen) {
			sbuf_printf(&o, "@@ the last line ends %s a newline now @@\n",
			          blen > alen ? "with" : "without");
			if (first_line)
				*first_line = (int)(lb.n ? lb.n : 1);
		}
		goto out;
	}
	if ((n + 1) * (m + 1) > DIFF_MAX_CELLS) {
		sbuf_printf(&o, "@@ -%zu,%zu +%zu,%zu @@ (too many lines to compare)\n", pre + 1, n,
		          pre + 1, m);
		if (first_line)
			*first_line = (int)pre + 1;
		goto out;
	}
	/* L[i][j]: the LCS length of a's lines [pre+i, pre+n) and b's [pre+j, pre+m). */
	unsigned *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define AT(i, j) L[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			AT(i, j) = same(&la, pre + i, &lb, pre + j)
			                   ? AT(i + 1, j + 1) + 1
			                   : (AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1));
	edit *ed = xcalloc(la.n + lb.n + 1, sizeof *ed);
	size_t ne = 0;
	for (size_t k = 0; k < pre; k++)
		ed[ne++] = (edit){' ', k, k};
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && same(&la, pre + i, &lb, pre + j))
			ed[ne++] = (edit){' ', pre + i++, pre + j++};
		else if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1)))
			ed[ne++] = (edit){'-', pre + i++, pre + j}; /* old lines first */
		else
			ed[ne++] = (edit){'+', pre + i, pre + j++};
	}
#undef AT
	free(L);
	for (size_t k = 0; k < post; k++)
		ed[ne++] = (edit){' ', la.n - post + k, lb.n - post + k};
	/* Hunks: each change with `context` lines around it. */
	size_t c = context < 0 ? 0 : (size_t)context;
	for (size_t k = 0; k < ne;) {
		if (ed[k].op == ' ') {
			k++;
			continue;
		}
		size_t start = k > c ? k - c : 0, end = k;
		/* Extend while the next change is within 2 * c lines. */
		for (size_t q = k; q < ne; q++)
			if (ed[q].op != ' ')
				end = q;
			else if (q - end > 2 * c)
				break;
		size_t stop = end + c + 1 < ne ? end + c + 1 : ne;
		size_t an = 0, bn = 0;
		for (size_t q = start; q < stop; q++) {
			an += ed[q].op != '+';
			bn += ed[q].op != '-';
		}
		if (first_line && !*first_line)
			*first_line = (int)ed[k].bi + 1;
		sbuf_printf(&o, "@@ -%zu,%zu +%zu,%zu @@\n", ed[start].ai + (an ? 1 : 0), an,
		          ed[start].bi + (bn ? 1 : 0), bn);
		for (size_t q = start; q < stop; q++) {
			if (ed[q].op == '+')
				line_out(&o, '+', lb.p[ed[q].bi], lb.len[ed[q].bi]);
			else
				line_out(&o, ed[q].op, la.p[ed[q].ai], la.len[ed[q].ai]);
		}
		k = stop;
	}
	free(ed);
out:
	free(la.p);
	free(la.len);
	free(lb.p);
	free(lb.len);
	return sbuf_take(&o);
}

/* The text strata_ledger kept for m against its file now. */
char *inspect_modified_diff(const migration *m, int context, int *first_line)
{
	if (first_line)
		*first_line = 0;
	if (!m->recorded_script || !m->up)
		return NULL;
	size_t rl = strlen(m->recorded_script);
	if (rl == m->up_len && !memcmp(m->recorded_script, m->up, rl))
		return xstrdup("");
	return inspect_diff(m->recorded_script, rl, m->up, m->up_len, context, first_line);
}
