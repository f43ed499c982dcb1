/* Small helpers every file of libstrata needs: a growable buffer, allocation
 * that never returns NULL, time stamps and SHA-256 through libcrypto. */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sched.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Out of memory is not a condition a migration tool can recover from in any
 * useful way, so allocation failure aborts instead of threading ENOMEM
 * through every caller. */
void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	b.data = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.data;
}

void sbuf_add(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sbuf_puts(sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_printf(sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sbuf_add(b, small, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sbuf_add(b, big, (size_t)n);
	free(big);
}

char *sbuf_take(sbuf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void sbuf_free(sbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *xconcat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	char *s = xmalloc(la + lb + lc + 1);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	if (lc)
		memcpy(s + la + lb, c, lc);
	s[la + lb + lc] = '\0';
	return s;
}

char *path_join(const char *dir, const char *name)
{
	if (!dir || !*dir || name[0] == '/')
		return xstrdup(name);
	size_t n = strlen(dir);
	return xconcat(dir, dir[n - 1] == '/' ? "" : "/", name);
}

/* The ledger checksum is lowercase hex SHA-256 of the up script's bytes, the
 * same rule Prisma uses, so one value serves both. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on
 * every digest, a tenth of `strata ledger` on a thousand migrations. */
static void sha256_fetch(void)
{
	/* Without openssl.cnf: a checksum needs the default provider only, and
	 * reading the config file (and the error strings) was a third of
	 * OpenSSL's start, ~0.3 ms of every command. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";
	pthread_once(&sha256_once, sha256_fetch);
	EVP_Digest(data, len, md, &mdlen, sha256_md ? sha256_md : EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* UTC with milliseconds: sorts as text and reads the same in every database. */
void now_iso8601(char out[40])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "user@host", recorded as who applied a migration. */
char *who_am_i(void)
{
	const char *user = getenv("USER");
	struct passwd *pw = NULL;
	char host[256] = "localhost";
	if (!user || !*user) {
		pw = getpwuid(geteuid());
		user = pw ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	return xasprintf("%s@%s", user, host);
}

/* A helper thread that should run beside this one at once: left alone, a new
 * thread often waits for the CPU of the thread that created it (seen with
 * status: the database thread started after the folder scan, not beside
 * it), so it is asked to start on another CPU when there is one. */
int thread_beside(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	cpu_set_t others;
	int here = sched_getcpu();
	if (here >= 0 && here < CPU_SETSIZE && sched_getaffinity(0, sizeof others, &others) == 0) {
		CPU_CLR(here, &others);
		if (CPU_COUNT(&others) > 0)
			pthread_attr_setaffinity_np(&attr, sizeof others, &others);
	}
	int rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

bool sql_is_blank(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			size_t depth = 0;
			do {
				if (i + 1 < len && s[i] == '/' && s[i + 1] == '*')
					depth++, i += 2;
				else if (i + 1 < len && s[i] == '*' && s[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			} while (depth && i < len);
		} else {
			return false;
		}
	}
	return true;
}
