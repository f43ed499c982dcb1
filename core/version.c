/* Versions sort by their numbers, not as strings: 2 < 10, 1.9 < 1.10, and
 * "0001" is the same version as "1" (golang-migrate and Flyway agree). */
#include "strata_int.h"

#include <ctype.h>
#include <string.h>

/* Digit runs with leading zeros dropped, joined by '.', trailing zero segments
 * dropped ("1.0" == "1").  Only digits and the separators . _ - make a numeric
 * version; anything else (an Alembic revision id such as "ae1027a6acf") keeps
 * its text behind a '~' so it never equals, or sorts among, numeric ones. */
char *version_normalize(const char *v)
{
	if (!*v || v[strspn(v, "0123456789._-")] != '\0')
		return xasprintf("~%s", v);
	sbuf b = {0};
	size_t nseg = 0, keep = 0;
	const char *p = v;
	while (*p) {
		while (*p && !isdigit((unsigned char)*p))
			p++;
		if (!*p)
			break;
		while (*p == '0' && isdigit((unsigned char)p[1]))
			p++;
		const char *start = p;
		while (isdigit((unsigned char)*p))
			p++;
		if (nseg++)
			sbuf_add(&b, ".", 1);
		sbuf_add(&b, start, (size_t)(p - start));
		if (!(p - start == 1 && *start == '0'))
			keep = b.len;
	}
	if (nseg == 0) {
		sbuf_free(&b);
		return xasprintf("~%s", v);
	}
	if (nseg > 1)
		b.data[b.len = keep ? keep : 1] = '\0'; /* "0.0" is "0" */
	return sbuf_take(&b);
}

/* Compare two normalized versions segment by segment as numbers of any length. */
int version_cmp(const char *a, const char *b)
{
	if (*a == '~' || *b == '~') {
		if (*a != *b)
			return *a == '~' ? 1 : -1;
		return strcmp(a, b);
	}
	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		if (la != lb)
			return la < lb ? -1 : 1;
		int c = memcmp(a, b, la);
		if (c)
			return c < 0 ? -1 : 1;
		a += la;
		b += lb;
		if (!*a || !*b)
			return *a ? 1 : *b ? -1 : 0;
		a++, b++;
	}
}
