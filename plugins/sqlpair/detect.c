/*
 * Which layout does a folder use?  Each layout scores the files it would
 * claim minus the files it would warn about; a sectioned layout claims a
 * file only if the file really has its up marker.
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* Which of the layout's patterns claims rel: 1 up, 2 down, 3 another
 * kind (baseline, repeatable), 0 none, -1 ignored.  Detection needs no captures, and regexec without them is an
 * order of magnitude cheaper, which matters when six layouts each look at
 * every file of a big folder. */
static int claim(const sp_layout *l, const char *rel)
{
	if (sp_layout_ignored(l, rel))
		return -1;
	if (regexec(&l->up.rx.re, rel, 0, NULL, 0) == 0)
		return 1;
	if (l->has_down && regexec(&l->down.rx.re, rel, 0, NULL, 0) == 0)
		return 2;
	for (size_t k = 0; k < l->n_kinds; k++)
		if (regexec(&l->kinds[k].rx.re, rel, 0, NULL, 0) == 0)
			return 3;
	return 0;
}

/* A sectioned layout claims an up file only if it has the up marker; each
 * one without turns a claim into a stranger, so the score drops by two.
 * Stops once the score is below floor: a big folder of another layout
 * costs one or two file reads, not all of them. */
static int check_markers(strata_host *h, const sp_layout *l, int rootfd, const sp_files *f,
                         long floor, long *score, long *ups)
{
	for (size_t i = 0; i < f->n && *score >= floor; i++) {
		char *buf;
		size_t len;
		if (claim(l, f->v[i]) != 1)
			continue;
		int rc = sp_read_file(h, rootfd, f->v[i], &buf, &len);
		if (rc < 0)
			return rc;
		if (!sp_sections_has_up(l, buf, len)) {
			*score -= 2;
			(*ups)--;
		}
		free(buf);
	}
	return STRATA_OK;
}

/* One layout's score: files claimed minus files it would warn about, 0
 * without a single up; a value below floor when it cannot win. */
static int score_layout(strata_host *h, const sp_layout *l, int rootfd, const sp_files *f,
                        long floor, long *score)
{
	long ups = 0, claimed = 0, strangers = 0;
	for (size_t i = 0; i < f->n; i++) {
		int c = claim(l, f->v[i]);
		ups += c == 1;
		claimed += c > 0;
		strangers += c == 0;
	}
	*score = claimed - strangers;
	int rc = STRATA_OK;
	if (l->has_sections && ups)
		rc = check_markers(h, l, rootfd, f, floor, score, &ups);
	if (ups < 1)
		*score = 0;
	return rc;
}

/* Plain layouts first, in name order, then sectioned ones, which win ties
 * (their markers are positive evidence).  Returns the best score (0: none)
 * with *best set, or a negative status. */
int sp_detect_choose(strata_host *h, const sp_catalog *c, int rootfd, const sp_files *f,
                     const sp_layout **best)
{
	long top = 0;
	*best = NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->n; i++) {
			const sp_layout *l = c->v[i];
			if (l->has_sections != pass)
				continue;
			long floor = top + (*best && (*best)->has_sections);
			long score;
			int rc = score_layout(h, l, rootfd, f, floor > 1 ? floor : 1, &score);
			if (rc < 0)
				return rc;
			h->debug(h, "sqlpair: layout '%s' scores %ld", l->name, score);
			if (score > 0 &&
			    (score > top || (score == top && pass && !(*best)->has_sections))) {
				top = score;
				*best = l;
			}
		}
	}
	return top > INT_MAX ? INT_MAX : (int)top;
}

/* The detect() op: for `strata init`, suggest `layout: NAME`.  A folder
 * that does not exist simply holds no migrations. */
int sp_detect(strata_host *h, const char *dir)
{
	sp_catalog cat = { 0 };
	sp_files files = { 0 };
	const sp_layout *best = NULL;
	int fd = sp_open_root(h, dir, 1);
	if (fd == STRATA_ENOTFOUND)
		return 0;
	if (fd < 0)
		return fd;
	int rc = sp_catalog_load_all(h, &cat);
	if (rc == STRATA_OK)
		rc = sp_walk(h, fd, &files);
	if (rc == STRATA_OK)
		rc = sp_detect_choose(h, &cat, fd, &files, &best);
	if (rc > 0) {
		const char *const keys[] = { "layout", NULL };
		const char *const values[] = { best->name, NULL };
		int drc = h->detected(h, "sqlpair", keys, values);
		if (drc < 0)
			rc = drc;
	}
	sp_files_free(&files);
	sp_catalog_free(&cat);
	close(fd);
	return rc;
}
