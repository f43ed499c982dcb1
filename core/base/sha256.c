/* base/: SHA-256 fed piece by piece, whose digest so far can be read
 * without ending it (one state copied per read): the replay cache's keys
 * of every prefix of a history in one pass (run/template.c). */
#include "base.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <stdio.h>

struct sha256_run {
	EVP_MD_CTX *ctx, *tmp;
};

sha256_run *sha256_run_new(void)
{
	sha256_run *h = xcalloc(1, sizeof *h);
	h->ctx = EVP_MD_CTX_new();
	h->tmp = EVP_MD_CTX_new();
	if (!h->ctx || !h->tmp || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
		fputs("strata: out of memory\n", stderr);
		abort();
	}
	return h;
}

void sha256_run_add(sha256_run *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void sha256_run_hex(sha256_run *h, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_MD_CTX_copy_ex(h->tmp, h->ctx);
	EVP_DigestFinal_ex(h->tmp, md, &n);
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void sha256_run_free(sha256_run *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_CTX_free(h->tmp);
	free(h);
}
