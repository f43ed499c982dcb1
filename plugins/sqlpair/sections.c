/*
 * Sectioned files (dbmate and friends): up and down scripts in one file,
 * each starting after a marker line.  The markers are the layout's regexes,
 * matched line by line.
 */
#include <string.h>

#include "internal.h"

typedef struct line {
	char *s;    /* first byte */
	char *end;  /* end of the text, before "\r\n" or "\n" */
	char *next; /* first byte of the next line */
	int no;     /* 1-based */
} line;

typedef struct marker {
	int line;   /* 0: not seen */
	char *next; /* where the section text starts */
	char *at;   /* where the marker line starts */
} marker;

/* Step to the next line of [p, end); returns 0 at the end of the buffer. */
static int next_line(line *ln, char *p, char *end)
{
	if (p >= end)
		return 0;
	char *nl = memchr(p, '\n', (size_t)(end - p));
	ln->s = p;
	ln->next = nl ? nl + 1 : end;
	ln->end = nl ? nl : end;
	if (ln->end > p && ln->end[-1] == '\r')
		ln->end--;
	ln->no++;
	return 1;
}

/* Match one line in place: the buffer is ours, so a NUL is written at the
 * line's end for regexec and the byte put back afterwards. */
static int line_match(const sp_regex *r, const line *ln, regmatch_t *m)
{
	if (!sp_head_ok(r, ln->s, (size_t)(ln->end - ln->s)))
		return 0; /* cannot match: no regexec for most lines */
	char c = *ln->end;
	*ln->end = '\0';
	int ok = regexec(&r->re, ln->s, 1, m, 0) == 0;
	*ln->end = c;
	return ok;
}

/* Before the up marker only blank lines and "--" comments are harmless. */
static int harmless(const line *ln)
{
	const char *p = ln->s;
	while (p < ln->end && (*p == ' ' || *p == '\t' || *p == '\f' || *p == '\v'))
		p++;
	return p == ln->end || (ln->end - p >= 2 && p[0] == '-' && p[1] == '-');
}

/* The words after a marker, `key:value`; dbmate knows transaction:false.
 * Returns 1 for transaction:false, 0 for none/true, <0 on a bad value. */
static int marker_options(strata_host *h, const char *file, const line *ln, const char *p)
{
	int no_tx = 0;
	while (p < ln->end) {
		size_t sp = strspn(p, " \t");
		p += sp;
		if (p >= ln->end)
			break;
		const char *w = p;
		while (p < ln->end && *p != ' ' && *p != '\t')
			p++;
		int wl = (int)(p - w);
		const char *colon = memchr(w, ':', (size_t)wl);
		if (!colon)
			continue;
		int kl = (int)(colon - w), vl = wl - kl - 1;
		if (kl != 11 || memcmp(w, "transaction", 11)) {
			h->warn(h, file, ln->no, "unknown option '%.*s' ignored", kl, w);
		} else if (vl == 5 && !memcmp(colon + 1, "false", 5)) {
			no_tx = 1;
		} else if (!(vl == 4 && !memcmp(colon + 1, "true", 4))) {
			h->error(h, STRATA_ECLASS_SOURCE, file, ln->no, 0, NULL,
			         "transaction must be true or false, not '%.*s'", vl, colon + 1);
			return STRATA_EINVAL;
		}
	}
	return no_tx;
}

/* Record a marker line; a second one of a kind, or an up after the down,
 * makes the file ambiguous (dbmate's several up/down pairs in one file are
 * refused: strata keeps one up and one down script per migration). */
static int take_marker(strata_host *h, const char *file, const line *ln, marker *mk,
                       const char *kind, const marker *down)
{
	if (down && down->line) {
		h->error(h, STRATA_ECLASS_SOURCE, file, ln->no, 0,
		         "strata keeps one up and one down section per file: move this pair to a "
		         "file of its own",
		         "up marker after the down marker on line %d", down->line);
		return STRATA_EINVAL;
	}
	if (mk->line)
		return sp_fail(h, file, ln->no,
		               *kind == 'u' ? "keep one up marker per file (a layout may read a repeated one as "
		                              "up text: sections: repeated_up: text)"
		                            : "keep one down marker per file",
		               "second %s marker (the first is on line %d)", kind,
		               mk->line);
	mk->line = ln->no;
	mk->at = ln->s;
	mk->next = ln->next;
	return STRATA_OK;
}

/* Apply a marker's options: up's transaction:false sets NO_TRANSACTION; with
 * options: true each section has its own mode, so the down marker's
 * (default: in a transaction) goes to DOWN_NO_TRANSACTION. */
static int apply_options(strata_host *h, const sp_layout *l, const char *file, const line *ln,
                         const regmatch_t *m, int is_up, sp_sections *out)
{
	if (!l->sec_options)
		return STRATA_OK;
	int rc = marker_options(h, file, ln, ln->s + m->rm_eo);
	if (rc < 0)
		return rc;
	if (is_up) {
		out->flags |= rc ? STRATA_MIG_NO_TRANSACTION : 0;
		return STRATA_OK;
	}
	out->flags |= STRATA_MIG_DOWN_OWN_TX | (rc ? STRATA_MIG_DOWN_NO_TRANSACTION : 0);
	return STRATA_OK;
}

/* Split buf (the whole file, NUL-terminated, modified only temporarily)
 * into its up and down sections. */
int sp_sections_split(strata_host *h, const sp_layout *l, const char *file, char *buf, size_t len,
                      sp_sections *out)
{
	char *end = buf + len;
	marker up = { 0 }, down = { 0 };
	line ln = { 0 };
	regmatch_t m;
	memset(out, 0, sizeof *out);
	for (char *p = buf; next_line(&ln, p, end); p = ln.next) {
		int rc = STRATA_OK;
		if (line_match(&l->sec_up, &ln, &m)) {
			if (up.line && !down.line && l->repeated_up_text) {
				h->warn(h, file, ln.no,
				        "second up marker (the first is on line %d) read as a line of "
				        "the up script",
				        up.line);
				continue;
			}
			rc = take_marker(h, file, &ln, &up, "up", &down);
			if (rc == STRATA_OK)
				rc = apply_options(h, l, file, &ln, &m, 1, out);
		} else if (line_match(&l->sec_down, &ln, &m)) {
			if (!up.line && l->down_before_up_comment)
				continue;
			if (!up.line)
				return sp_fail(h, file, ln.no,
				               "put the up section first (a layout may read this as a "
				               "comment: sections: down_before_up: comment)",
				               "down marker before the up marker");
			rc = take_marker(h, file, &ln, &down, "down", NULL);
			if (rc == STRATA_OK)
				rc = apply_options(h, l, file, &ln, &m, 0, out);
		} else if (!up.line && l->text_before_up_error && !harmless(&ln)) {
			return sp_fail(h, file, ln.no, "move them below the up marker",
			               "statements before the up marker (a line matching '%s')",
			               l->sec_up.text);
		}
		if (rc < 0)
			return rc;
	}
	if (!up.line)
		return sp_fail(h, file, 0, "begin the up script with the up marker line",
		               "no up section (expected a line matching '%s')",
		               l->sec_up.text);
	if (!down.line && l->require_down)
		return sp_fail(h, file, 0, "add the down marker line, even with nothing below it",
		               "no down section (expected a line matching '%s')",
		               l->sec_down.text);
	out->up = up.next;
	out->up_len = (size_t)((down.line ? down.at : end) - up.next);
	out->up_line = up.line + 1;
	if (down.line) {
		out->down = down.next;
		out->down_len = (size_t)(end - down.next);
		out->down_line = down.line + 1;
	}
	return STRATA_OK;
}

/* For detect(): does the file have an up marker line at all? */
int sp_sections_has_up(const sp_layout *l, char *buf, size_t len)
{
	line ln = { 0 };
	regmatch_t m;
	for (char *p = buf; next_line(&ln, p, buf + len); p = ln.next)
		if (line_match(&l->sec_up, &ln, &m))
			return 1;
	return 0;
}
