/* Using a loaded layout: matching paths against its patterns, freeing it. */
#include <stdlib.h>

#include "internal.h"

/* A regex slot may be empty when loading stopped half-way; free what is set. */
static void regex_free(sp_regex *r)
{
	if (r->compiled)
		regfree(&r->re);
	free(r->text);
	free(r->tail);
	free(r->head);
	r->compiled = 0;
	r->text = NULL;
}

/* Layouts are built by sp_layout_load piece by piece and freed here whole,
 * also when a descriptor was rejected mid-way. */
void sp_layout_free(sp_layout *l)
{
	if (!l)
		return;
	free(l->name);
	free(l->summary);
	free(l->tracker);
	free(l->file);
	regex_free(&l->up.rx);
	regex_free(&l->down.rx);
	regex_free(&l->sec_up);
	regex_free(&l->sec_down);
	for (size_t i = 0; i < l->n_kinds; i++) {
		regex_free(&l->kinds[i].rx);
		regex_free(&l->kinds[i].claim);
	}
	for (size_t i = 0; i < l->n_ignore; i++)
		regex_free(&l->ignore[i]);
	free(l->ignore);
	free(l->w_up);
	free(l->w_down);
	free(l->w_baseline);
	free(l->w_repeatable);
	free(l->w_up_marker);
	free(l->w_down_marker);
	free(l->w_companion);
	free(l->w_companion_text);
	free(l);
}

/* Fill a span from one capture group; group 0 means "not captured". */
static void take(const char *s, const regmatch_t *m, int g, sp_span *out)
{
	out->s = "";
	out->len = 0;
	if (g > 0 && m[g].rm_so >= 0) {
		out->s = s + m[g].rm_so;
		out->len = (size_t)(m[g].rm_eo - m[g].rm_so);
	}
}

/* Does s end with r's tail (or has r none)? */
static int tail_ok(const sp_regex *r, const char *s, size_t n)
{
	return !r->tail ||
	       (n >= r->tail_len && !memcmp(s + n - r->tail_len, r->tail, r->tail_len));
}

int sp_rx_match(const sp_regex *r, const char *s, size_t nmatch, regmatch_t *m)
{
	size_t n = strlen(s);
	return tail_ok(r, s, n) && sp_head_ok(r, s, n) && regexec(&r->re, s, nmatch, m, 0) == 0;
}

/* Before the capture pass, the cheap reject: a pattern with a tail rejects
 * by it (a path that ends so nearly always matches: straight to the
 * captures, one regexec per migration file rather than two), one without
 * by a first regexec without captures (glibc's capture pass costs several
 * times the match); only a match pays for the capture groups. */
static int may_match(const sp_regex *r, const char *s)
{
	return r->tail ? tail_ok(r, s, strlen(s)) : sp_rx_match(r, s, 0, NULL);
}

/* Does the relative path match? */
int sp_pattern_match(const sp_pattern *p, const char *s, sp_span *version, sp_span *name)
{
	if (!may_match(&p->rx, s))
		return 0;
	regmatch_t m[SP_MAX_GROUP + 1];
	int n = p->version_group > p->name_group ? p->version_group : p->name_group;
	if (regexec(&p->rx.re, s, (size_t)n + 1, m, 0) != 0)
		return 0;
	take(s, m, p->version_group, version);
	take(s, m, p->name_group, name);
	return 1;
}

int sp_kind_match(const sp_pattern *p, const char *s, sp_span *key, sp_span *version,
                  sp_span *name)
{
	if (!may_match(&p->rx, s))
		return 0;
	regmatch_t m[SP_MAX_GROUP + 1];
	if (regexec(&p->rx.re, s, SP_MAX_GROUP + 1, m, 0) != 0)
		return 0;
	take(s, m, p->key_group, key);
	take(s, m, p->version_group, version);
	take(s, m, p->name_group, name);
	return 1;
}

/* Files the layout says are never migrations, and never worth a warning. */
int sp_layout_ignored(const sp_layout *l, const char *rel)
{
	for (size_t i = 0; i < l->n_ignore; i++)
		if (sp_rx_match(&l->ignore[i], rel, 0, NULL))
			return 1;
	return 0;
}
