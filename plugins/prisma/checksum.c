/*
 * Prisma's rule for "this migration.sql is the one that was applied"
 * (schema-connector checksum.rs, script_matches_checksum): the stored
 * checksum may be the SHA-256 of the file as it is, with every CRLF turned
 * into LF, or with every LF turned into CRLF, so git's line-ending rewrites
 * are not edits.  A stored value that is not 64 characters comes from an old
 * bug and is compared with the hex rendering without zero padding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prisma_int.h"

/* The script with every "\r\n" as "\n" (crlf_to_lf) or every "\n" as "\r\n",
 * exactly like Rust's str::replace, so "\r\n" becomes "\r\r\n" there too. */
static char *convert(const char *s, size_t len, bool crlf_to_lf, size_t *out_len)
{
	char *out = malloc(2 * len + 1);
	size_t n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (crlf_to_lf && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (!crlf_to_lf && s[i] == '\n')
			out[n++] = '\r';
		out[n++] = s[i];
	}
	*out_len = n;
	return out;
}

/* The host's hex is lowercase. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The legacy rendering: each byte as "%x", so 0x0a is "a", not "0a". */
static void legacy_hex(const char hex[65], char out[65])
{
	size_t n = 0;
	for (int i = 0; i < 32; i++) {
		int b = hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]);
		n += (size_t)snprintf(out + n, 65 - n, "%x", b);
	}
}

/* Does the SHA-256 of s..len render as stored (padded or, for a stored value
 * of another length, legacy)? */
static bool same(strata_host *h, const char *s, size_t len, const char *stored)
{
	char hex[65], legacy[65];
	h->sha256_hex(s, len, hex);
	if (strlen(stored) == 64)
		return !strcmp(hex, stored);
	legacy_hex(hex, legacy);
	return !strcmp(legacy, stored);
}

/* The three variants in Prisma's order; an empty stored value never matches
 * (Prisma only compares non-empty checksums with the legacy form). */
bool pr_checksum_matches(strata_host *h, const char *script, size_t len, const char *stored)
{
	if (!stored || !*stored)
		return false;
	if (same(h, script, len, stored))
		return true;
	for (int lf = 1; lf >= 0; lf--) {
		size_t n;
		char *v = convert(script, len, lf, &n);
		bool yes = v && same(h, v, n, stored);
		free(v);
		if (yes)
			return true;
	}
	return false;
}
