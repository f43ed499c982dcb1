/*
 * Long index and constraint names: SQLAlchemy 1.4's truncation of truncated
 * labels and its refusal of other names (see opsql_names.h).  The digest is
 * OpenSSL's MD5 (util.md5_hex in SQLAlchemy is hashlib.md5().hexdigest()).
 */
#include "opsql_names.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A UTF-8 continuation byte (10xxxxxx) starts no code point. */
static int starts_char(unsigned char b)
{
	return (b & 0xC0) != 0x80;
}

size_t opsql_name_len(const char *name)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		n += starts_char(*p);
	return n;
}

/* The byte offset where code point number `chars` starts (or the end). */
static size_t char_offset(const char *name, size_t chars)
{
	size_t seen = 0, i;
	for (i = 0; name[i]; i++)
		if (starts_char((unsigned char)name[i]) && seen++ == chars)
			break;
	return i;
}

/* The last 4 hex digits of md5(name): the last two bytes of the digest. */
static int md5_tail(const char *name, char out[5])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	if (!EVP_Digest(name, strlen(name), d, &dn, EVP_md5(), NULL) || dn < 2)
		return -1;
	snprintf(out, 5, "%02x%02x", d[dn - 2], d[dn - 1]);
	return 0;
}

char *opsql_name_truncate(size_t max, const char *name)
{
	if (!max || opsql_name_len(name) <= max)
		return strdup(name);
	char tail[5];
	if (md5_tail(name, tail))
		return NULL;
	size_t keep = char_offset(name, max - 8);
	char *out = malloc(keep + 6);
	if (!out)
		return NULL;
	memcpy(out, name, keep);
	out[keep] = '_';
	memcpy(out + keep + 1, tail, 5);
	return out;
}

int opsql_name_check(size_t max, const char *name, char *msg, size_t msgsize)
{
	if (!max || opsql_name_len(name) <= max)
		return 0;
	snprintf(msg, msgsize, "Identifier '%s' exceeds maximum length of %zu characters", name, max);
	return -1;
}
