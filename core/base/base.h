/*
 * base/: what every layer of libstrata needs and that knows nothing of
 * migrations: a growable buffer, allocation that never returns NULL, time,
 * SHA-256, the version rule, URL schemes and redaction.  Uses nothing of
 * core/ but itself.
 */
#ifndef STRATA_BASE_H
#define STRATA_BASE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <strata/plugin.h>
#include <strata/strata.h>

/* ---- util.c: growable buffer, strings, time, hashing ---- */
typedef struct sbuf {
	char *data;
	size_t len, cap;
} sbuf;

void sbuf_add(sbuf *b, const char *s, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_printf(sbuf *b, const char *fmt, ...) STRATA_PRINTF(2, 3);
char *sbuf_take(sbuf *b); /* NUL-terminated, caller frees, buffer reset */
void sbuf_free(sbuf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) STRATA_PRINTF(1, 2);
/* a, b and c (c may be NULL) end to end: xasprintf("%s%s%s") without the
 * format parsing, for what is built once per migration. */
char *xconcat(const char *a, const char *b, const char *c);
char *path_join(const char *dir, const char *name);
void sha256_hex(const void *data, size_t len, char out[65]);
/* sha256.c: SHA-256 fed piece by piece; _hex is the digest of what was
 * added so far, and adding may go on after it. */
typedef struct sha256_run sha256_run;
sha256_run *sha256_run_new(void);
void sha256_run_add(sha256_run *h, const void *data, size_t len);
void sha256_run_hex(sha256_run *h, char out[65]);
void sha256_run_free(sha256_run *h);
/* Does SQL text hold nothing but white space, -- comments and (nested)
 * block comments?  Shared by SQLite and PostgreSQL. */
bool sql_is_blank(const char *s, size_t len);
void now_iso8601(char out[40]);
long long now_ms(void);
char *who_am_i(void);
int thread_beside(pthread_t *t, void *(*fn)(void *), void *arg); /* pthread_create, on another CPU */

/* ---- arena.c: small blocks freed together ----
 * Blocks never move and are never freed one by one: arena_free() ends them
 * all.  Allocation never fails (it aborts, as xmalloc). */
typedef struct arena_chunk arena_chunk;
typedef struct arena {
	arena_chunk *head; /* the chunk blocks come from; NULL: empty */
} arena;

void *arena_alloc(arena *a, size_t n, size_t align); /* align: a power of 2 */
void *arena_zalloc(arena *a, size_t n, size_t align);
char *arena_strdup(arena *a, const char *s); /* NULL: NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_concat(arena *a, const char *x, const char *y, const char *z); /* z may be NULL */
char *arena_take(arena *a, char *s); /* s (malloc'd, may be NULL) copied in and freed */
void arena_free(arena *a);
#define ARENA_NEW(a, type) ((type *)arena_zalloc((a), sizeof(type), _Alignof(type)))

/* ---- interrupt.c: a command asked to stop (strata_interrupt) ---- */
/* What a signal handler may call to stop the statement under way: a
 * connection's cancel, set up before it is published. */
typedef struct intr_target {
	void (*cancel)(void *ud); /* async-signal-safe */
	void *ud;
} intr_target;

typedef struct intr_state {
	atomic_int signo;             /* the first signal asked for, 0: none */
	atomic_int busy;              /* handlers inside target->cancel */
	intr_target *_Atomic target;  /* the open connection's cancel, or NULL */
} intr_state;

void intr_request(intr_state *st, int signo); /* async-signal-safe */
int intr_signal(const intr_state *st);          /* 0: not interrupted */
void intr_publish(intr_state *st, intr_target *t);
void intr_withdraw(intr_state *st, intr_target *t);
const char *intr_signal_name(int signo);        /* "SIGINT" */

/* ---- version.c ---- */
char *version_normalize(const char *v);
size_t version_key(const char *v, size_t len, char *out);
int version_cmp(const char *na, const char *nb); /* on normalized versions */

/* ---- url.c: schemes and redaction (strata_redact_url is public) ---- */
/* Length of the scheme of url ("sqlite" in sqlite:x.db), 0 when it has none. */
size_t url_scheme_len(const char *url);
/* The scheme a driver is chosen by: url's own, or "=" for a libpq conninfo
 * string (key=value pairs, no scheme).  Length 0: neither. */
size_t url_match_scheme(const char *url, const char **scheme);

#endif
