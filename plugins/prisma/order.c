/*
 * Prisma's order of migration folders.  Prisma 6's CLI lists the folder with
 * fs.readdir, which returns the names in byte order (libuv sorts them with
 * strcmp), and sorts them with `a.localeCompare(b)` (a stable sort): ICU's
 * collator for the default locale, default attributes, normalization on
 * (ECMA-402 requires it), ties kept in byte order.  For the root locale and
 * the locales that do not tailor it (en, de, C, POSIX, unset) that is ICU's
 * root collation.  Older Prisma engines (Rust) sorted byte by byte.  A
 * failed comparison (ICU's st) falls back to byte order, as does a tie.
 *
 * Most histories need no collator: when each pair of neighbours in byte
 * order first differs at a digit, after digits only (timestamps, numbered
 * names), ICU's order is byte order (below).  ICU is loaded then only for the
 * names that need it, with dlopen: linked in, its libraries and libstdc++
 * cost every command that loads this plugin 2.4 ms of CPU (measured here).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>
#include <unicode/uvernum.h>

#include "prisma_int.h"

/* ICU's C names carry its version (ucol_open is ucol_open_72): the renamed
 * name, as a string, for dlsym. */
#define PR_ICU_STR(x) #x
#define PR_ICU_SYM(f) PR_ICU_STR(f)
#define PR_ICU_LIB "libicui18n.so." U_ICU_VERSION_SHORT

typedef struct icu {
	void *lib;
	UCollator *(*open)(const char *, UErrorCode *);
	void (*set_attribute)(UCollator *, UColAttribute, UColAttributeValue, UErrorCode *);
	UCollationResult (*coll_utf8)(const UCollator *, const char *, int32_t, const char *, int32_t,
	                              UErrorCode *);
	void (*close)(UCollator *);
	const char *(*error_name)(UErrorCode);
	UCollator *coll;
} icu;

/* One comparison of Prisma's sort: ICU reads ill-formed UTF-8 as U+FFFD, as
 * node decodes a file name.  Measured on 1,000 and 10,000 folder names,
 * ucol_strcollUTF8 here is twice as fast as sorting by ucol_getSortKey keys:
 * it stops at the first difference, a sort key spells out every level. */
static int by_collation(const void *pa, const void *pb, void *ud)
{
	const icu *u = ud;
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;
	UErrorCode st = U_ZERO_ERROR;
	UCollationResult c = u->coll_utf8(u->coll, a, -1, b, -1, &st);
	if (U_SUCCESS(st) && c != UCOL_EQUAL)
		return c == UCOL_LESS ? -1 : 1;
	return strcmp(a, b);
}

static int by_bytes_str(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does byte order, names[0..n) sorted by it, give ICU's order too?  Yes when
 * every neighbour pair first differs at a digit with only digits before it:
 * in the root collation an ASCII digit is one primary weight, no contraction
 * or expansion, digits in numeric order, so the identical digits before give
 * identical weights and the differing digit decides at the primary level,
 * whatever follows.  Strictly ordered neighbours in a total order are the
 * order. */
bool pr_order_is_bytes(char *const *names, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		const char *a = names[i], *b = names[i + 1];
		size_t k = 0;
		while (a[k] && a[k] == b[k] && digit(a[k]))
			k++;
		if (!digit(a[k]) || !digit(b[k]) || a[k] == b[k])
			return false;
	}
	return true;
}

static int icu_load(strata_host *h, icu *u)
{
	/* RTLD_NODELETE: ICU caches the root collation for the process; the
	 * library must outlive the handle, or that cache is orphaned (which
	 * LeakSanitizer and valgrind report).  u_cleanup() instead would pull
	 * ICU's state from under any other ICU user in the process. */
	const char *why = NULL;
	if (!(u->lib = dlopen(PR_ICU_LIB, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE)))
		why = dlerror();
	else if (!(*(void **)&u->open = dlsym(u->lib, PR_ICU_SYM(ucol_open))) ||
	         !(*(void **)&u->set_attribute = dlsym(u->lib, PR_ICU_SYM(ucol_setAttribute))) ||
	         !(*(void **)&u->coll_utf8 = dlsym(u->lib, PR_ICU_SYM(ucol_strcollUTF8))) ||
	         !(*(void **)&u->close = dlsym(u->lib, PR_ICU_SYM(ucol_close))) ||
	         !(*(void **)&u->error_name = dlsym(u->lib, PR_ICU_SYM(u_errorName))))
		why = dlerror();
	if (why) {
		h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, "check the ICU installation (libicu)",
		         "cannot load ICU (" PR_ICU_LIB "): %s", why);
		if (u->lib)
			dlclose(u->lib);
		return STRATA_ERR;
	}
	UErrorCode st = U_ZERO_ERROR;
	u->coll = u->open("", &st);
	if (U_SUCCESS(st))
		u->set_attribute(u->coll, UCOL_NORMALIZATION_MODE, UCOL_ON, &st);
	if (U_FAILURE(st)) {
		if (u->coll)
			u->close(u->coll);
		h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, "check the ICU installation (libicu)",
		         "cannot open ICU's root collator: %s", u->error_name(st));
		dlclose(u->lib);
		return STRATA_ERR;
	}
	return STRATA_OK;
}

int pr_order(strata_host *h, char **names, size_t n)
{
	if (n < 2)
		return STRATA_OK;
	qsort(names, n, sizeof *names, by_bytes_str); /* fs.readdir's order */
	if (pr_order_is_bytes(names, n))
		return STRATA_OK;
	icu u = { 0 };
	int rc = icu_load(h, &u);
	if (rc != STRATA_OK)
		return rc;
	qsort_r(names, n, sizeof *names, by_collation, &u);
	u.close(u.coll);
	dlclose(u.lib);
	return STRATA_OK;
}

/* ------------------------------------------ where byte order would differ */

typedef struct ranked {
	const char *name;
	size_t pos; /* index in Prisma's order */
} ranked;

static int by_bytes(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	return strcmp(a->name, b->name);
}

/* Inversions of v (i < j, v[i] > v[j]), counted while merge-sorting it. */
static size_t inversions(size_t *v, size_t *tmp, size_t n)
{
	if (n < 2)
		return 0;
	size_t m = n / 2, count = inversions(v, tmp, m) + inversions(v + m, tmp, n - m);
	size_t i = 0, j = m, o = 0;
	while (i < m && j < n) {
		if (v[j] < v[i]) {
			count += m - i;
			tmp[o++] = v[j++];
		} else {
			tmp[o++] = v[i++];
		}
	}
	while (i < m)
		tmp[o++] = v[i++];
	while (j < n)
		tmp[o++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
	return count;
}

#define PR_ORDER_SHOWN 3
#define PR_ORDER_MSG 800 /* the host formats a warning into 1024 bytes */

/* Appends ", A before B" (or the first one without the comma) if it fits. */
static bool add_pair(char *msg, size_t *len, bool first, const char *a, const char *b)
{
	int w = snprintf(msg + *len, PR_ORDER_MSG - *len, "%s%s before %s", first ? "" : ", ", a, b);
	if (w < 0 || (size_t)w >= PR_ORDER_MSG - *len) {
		msg[*len] = '\0';
		return false;
	}
	*len += (size_t)w;
	return true;
}

int pr_order_warn(strata_host *h, const char *file, char *const *names, size_t n)
{
	if (n < 2)
		return STRATA_OK;
	ranked *r = malloc(n * sizeof *r);
	size_t *rank = malloc(n * sizeof *rank), *work = malloc(n * sizeof *work),
	       *tmp = malloc(n * sizeof *tmp), *sufmin = malloc(n * sizeof *sufmin);
	int rc = STRATA_OK;
	if (!r || !rank || !work || !tmp || !sufmin) {
		rc = strata_oom(h);
		goto out;
	}
	/* rank[i]: the place of Prisma's i-th folder in byte order. */
	for (size_t i = 0; i < n; i++)
		r[i] = (ranked){ names[i], i };
	qsort(r, n, sizeof *r, by_bytes);
	for (size_t b = 0; b < n; b++)
		rank[r[b].pos] = b;
	memcpy(work, rank, n * sizeof *work);
	size_t pairs = inversions(work, tmp, n);
	if (!pairs)
		goto out;
	/* The first pairs in Prisma's order, one per earlier folder i: i's pairs
	 * are the later j of a smaller rank (it has one iff the least rank after
	 * it is smaller), the first such j is shown. */
	sufmin[n - 1] = rank[n - 1];
	for (size_t i = n - 1; i-- > 0;)
		sufmin[i] = rank[i] < sufmin[i + 1] ? rank[i] : sufmin[i + 1];
	char msg[PR_ORDER_MSG];
	size_t len = 0, shown = 0;
	msg[0] = '\0';
	for (size_t i = 0; i + 1 < n && shown < PR_ORDER_SHOWN; i++) {
		if (sufmin[i + 1] > rank[i])
			continue;
		size_t j = i + 1;
		while (rank[j] > rank[i])
			j++;
		if (!add_pair(msg, &len, shown == 0, names[i], names[j]))
			break;
		shown++;
	}
	if (shown == 0) /* not even one pair fits: name the count only */
		h->warn(h, file, 0, "Prisma's order of these folders differs from byte order "
		        "(older Prisma, ls in the C locale) in %zu pair%s", pairs, pairs == 1 ? "" : "s");
	else if (pairs > shown)
		h->warn(h, file, 0, "Prisma's order of these folders differs from byte order "
		        "(older Prisma, ls in the C locale) in %zu pairs: %s, and %zu more",
		        pairs, msg, pairs - shown);
	else
		h->warn(h, file, 0, "Prisma's order of these folders differs from byte order "
		        "(older Prisma, ls in the C locale) in %zu pair%s: %s",
		        pairs, pairs == 1 ? "" : "s", msg);
out:
	free(r);
	free(rank);
	free(work);
	free(tmp);
	free(sufmin);
	return rc;
}
