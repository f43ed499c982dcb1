/* Versions sort by their numbers, not as strings: 2 < 10, 1.9 < 1.10, and
 * "0001" is the same version as "1" (golang-migrate and Flyway agree). */
#include "base.h"

#include <ctype.h>
#include <string.h>

/* Digit runs with leading zeros dropped, joined by '.', trailing zero segments
 * dropped ("1.0" == "1", "0.0" == "0").  Only digits and the separators . _ -
 * make a numeric version; anything else (an Alembic revision id such as
 * "ae1027a6acf") keeps its text behind a '~' so it never equals, or sorts
 * among, numeric ones.  out needs 2 * len + 3 bytes. */
size_t version_key(const char *v, size_t len, char *out)
{
	size_t o = 0, nseg = 0, keep = 0, i = 0;
	bool numeric = len > 0;
	for (size_t k = 0; k < len && numeric; k++)
		numeric = isdigit((unsigned char)v[k]) || strchr("._-", v[k]);
	while (numeric && i < len) {
		while (i < len && !isdigit((unsigned char)v[i]))
			i++;
		if (i == len)
			break;
		while (i + 1 < len && v[i] == '0' && isdigit((unsigned char)v[i + 1]))
			i++;
		size_t start = o + (nseg ? 1 : 0);
		if (nseg++)
			out[o++] = '.';
		while (i < len && isdigit((unsigned char)v[i]))
			out[o++] = v[i++];
		if (!(o - start == 1 && out[start] == '0'))
			keep = o;
	}
	if (!numeric || nseg == 0) {
		out[0] = '~';
		memcpy(out + 1, v, len);
		out[len + 1] = '\0';
		return len + 1;
	}
	if (nseg > 1)
		o = keep ? keep : 1;
	out[o] = '\0';
	return o;
}

char *version_normalize(const char *v)
{
	size_t len = strlen(v);
	char *out = xmalloc(2 * len + 3);
	version_key(v, len, out);
	return out;
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
