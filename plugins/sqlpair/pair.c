/*
 * Putting migrations in version order and matching each down file to its
 * up file.  Sort + merge keeps 100,000 files O(n log n).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Version order, then path order so that of two equal versions the
 * "first" one reported is always the same. */
static int entry_cmp(const void *a, const void *b, void *host)
{
	const sp_entry *x = a, *y = b;
	int c = ((strata_host *)host)->version_cmp(x->norm, y->norm);
	return c ? c : strcmp(x->file, y->file);
}

/* Sort one array and refuse two entries with the same version, naming both
 * files so the user sees which to rename. */
static int sort_unique(strata_host *h, const sp_set *s, sp_entry *v, size_t n, const char *what)
{
	if (n)
		qsort_r(v, n, sizeof *v, entry_cmp, h);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i].norm, v[i - 1].norm))
			continue;
		char *other = sp_other_file(h, s, v[i - 1].file);
		if (!other)
			return STRATA_ENOMEM;
		h->error(h, STRATA_ECLASS_SOURCE, v[i].file, 0, 0,
		         "give each migration a unique version", "%s %s (also %s)", what, v[i].version,
		         other);
		free(other);
		return STRATA_EINVAL;
	}
	return STRATA_OK;
}

/* Sort ups and downs, then walk both in step: every down must land on an
 * up of the same version. */
int sp_pair(strata_host *h, sp_set *s)
{
	int rc = sort_unique(h, s, s->up, s->n_up, "duplicate version");
	if (rc == STRATA_OK)
		rc = sort_unique(h, s, s->down, s->n_down, "duplicate down migration for version");
	size_t i = 0;
	for (size_t j = 0; rc == STRATA_OK && j < s->n_down; j++) {
		int c = -1;
		while (i < s->n_up && (c = h->version_cmp(s->up[i].norm, s->down[j].norm)) < 0)
			i++;
		if (c != 0) {
			h->error(h, STRATA_ECLASS_SOURCE, s->down[j].file, 0, 0,
			         "add the up migration or remove this file",
			         "down migration without an up migration (version %s)",
			         s->down[j].version);
			return STRATA_EINVAL;
		}
		s->up[i].down = j;
	}
	return rc;
}
