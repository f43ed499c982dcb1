/*
 * Versions as tools write them ("0001", "1.2", "1_2", "20240101120000",
 * "2023-01-01-000000") compared by their digit runs, never as integers, so
 * any length works and "1.10" sorts after "1.9".
 */
#include <string.h>

#include "internal.h"

/* The canonical form makes equal versions equal strings: digit runs without
 * leading zeros, joined by '.', trailing zero runs dropped ("1.0" == "1").
 * Returns "" when v has no digits, NULL when out of memory. */
char *sp_version_norm(sp_arena *a, const char *v, size_t len)
{
	char *out = sp_alloc(a, 2 * len + 2);
	if (!out)
		return NULL;
	size_t o = 0, segs = 0, i = 0;
	size_t last_seg = 0; /* start of the newest segment in out */
	while (i < len) {
		if (v[i] < '0' || v[i] > '9') {
			i++;
			continue;
		}
		while (i + 1 < len && v[i] == '0' && v[i + 1] >= '0' && v[i + 1] <= '9')
			i++;
		if (segs++)
			out[o++] = '.';
		last_seg = o;
		while (i < len && v[i] >= '0' && v[i] <= '9')
			out[o++] = v[i++];
	}
	/* Drop trailing "0" segments while more than one remains. */
	while (segs > 1 && o - last_seg == 1 && out[last_seg] == '0') {
		o = last_seg - 1;
		segs--;
		size_t k = o;
		while (k > 0 && out[k - 1] != '.')
			k--;
		last_seg = k;
	}
	out[o] = '\0';
	return out;
}

/* Order two normalized versions: segment by segment, a longer run of digits
 * is the bigger number (no leading zeros remain), and a version that is a
 * prefix of the other comes first. */
int sp_version_cmp(const char *a, const char *b)
{
	for (;;) {
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		if (la != lb)
			return la < lb ? -1 : 1;
		int c = memcmp(a, b, la);
		if (c)
			return c < 0 ? -1 : 1;
		a += la;
		b += lb;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
}
