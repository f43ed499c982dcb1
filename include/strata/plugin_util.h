/*
 * strata plugin utilities: what every plugin needs and the host cannot lend
 * through strata_host.
 *
 *   strata_slurpat()      a whole file, NUL-terminated; no host calls (worker threads)
 *   strata_slurp_listed() the same for a file a walk listed as regular: no fstat()
 *   strata_each()         fn(i) for i < n on every core
 *   strata_read_files()   many files at once, on every core (a scan's reading)
 *   strata_read_file()    the same, errors reported through the host
 *   strata_not_a_file()   why a migration's path is no regular file (a folder,
 *                         a dangling link, a link loop, a FIFO), or NULL
 *   strata_refuse_entry() that reason reported through the host
 *   strata_arena_*()      a bump allocator for the plugin's own memory
 *   strata_oom()          the one out-of-memory report
 *   strata_uuid_v4()      a random version 4 UUID, lowercase and hyphenated
 *
 * Header-only, every function static inline: a plugin links nothing for it,
 * and what it does not call costs nothing.  It needs libc and POSIX.1-2008
 * (openat, O_CLOEXEC), plus getrandom() (Linux, glibc >= 2.25) for
 * strata_uuid_v4() and POSIX threads (in libc since glibc 2.34; else link
 * dependency('threads')) for strata_each(); with -std=c11 also pass
 * -D_POSIX_C_SOURCE=200809L (and -D_GNU_SOURCE for strata_each()'s CPU
 * steering, which is left out without it).
 */
#ifndef STRATA_PLUGIN_UTIL_H
#define STRATA_PLUGIN_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <strata/plugin.h>

/* Out of memory is reported like every other error: a plugin never exits.
 * Returns STRATA_ENOMEM, to be passed on. */
static inline int strata_oom(strata_host *h)
{
	h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "out of memory");
	return STRATA_ENOMEM;
}

/* ---------------------------------------------------- reading one file whole */

/*
 * Reads path, relative to the folder dirfd (AT_FDCWD: the working directory;
 * an absolute path ignores dirfd), into a malloc'd buffer *out that the
 * caller frees, NUL-terminated, and its length *len.  Calls no host function,
 * so it may run on a plugin's worker threads.  Returns 0, or an errno value
 * (ENOENT: no such file, ENOMEM, ...) with *out NULL and *len 0.
 *
 * The buffer is sized from fstat() with room for the NUL and one byte more,
 * and *len is what read() returned, never st_size.  The usual file costs one
 * fstat() and one read(): that read asks for st_size + 1 bytes, and getting
 * st_size back from a regular file is end of file, so no read() is made just
 * to see EOF.  A file that grew since fstat() fills the spare byte, and the
 * buffer doubles until EOF; one that shrank ends early; EINTR is retried.
 * What has no size to trust (a pipe, /proc) starts at 4 KiB and grows.
 */
/* The rest of fd from byte nhead on, after head (nhead bytes already read,
 * copied in first), sized from fstat() as strata_slurpat() says, or from
 * *known when the caller has fd's fstat() already; closes fd. */
static inline int strata_slurp_rest(int fd, const struct stat *known, const char *head,
                                    size_t nhead, char **out, size_t *len)
{
	struct stat st;
	if (known)
		st = *known;
	else if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return e;
	}
	size_t want = 0; /* the size fstat promised, 0 when there is none */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX / 4)
		want = (size_t)st.st_size;
	size_t cap = want && want >= nhead ? want + 2 : nhead + 4096, n = nhead;
	char *buf = malloc(cap);
	int e = buf ? 0 : ENOMEM;
	if (buf && nhead)
		memcpy(buf, head, nhead);
	while (!e && !(want && n == want)) { /* want == nhead: all there */
		if (n + 1 == cap) { /* full but for the NUL: the file grew */
			char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				e = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0) {
			if (errno != EINTR)
				e = errno;
			continue;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (want && n == want)
			break; /* a short read of a regular file: EOF */
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static inline int strata_slurpat(int dirfd, const char *path, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	return strata_slurp_rest(fd, NULL, NULL, 0, out, len);
}

/*
 * strata_slurpat() for a file the caller's walk listed as a regular file
 * (d_type DT_REG, or a link that stat() found to be one): no fstat(), since
 * the directory entry said what it is.  One read() into a 16 KiB buffer on
 * the stack; a short read of a regular file is end of file (the rule
 * strata_slurpat() uses with st_size), so a migration under 16 KiB costs
 * openat, read, close and one malloc of its size.  A file that fills the
 * buffer goes on through strata_slurpat()'s sized path.
 */
#define STRATA_SLURP_HEAD 16384
static inline int strata_slurp_listed(int dirfd, const char *path, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	char head[STRATA_SLURP_HEAD];
	ssize_t r;
	do
		r = read(fd, head, sizeof head);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		close(fd);
		return e;
	}
	if ((size_t)r == sizeof head)
		return strata_slurp_rest(fd, NULL, head, sizeof head, out, len);
	close(fd);
	char *buf = malloc((size_t)r + 1);
	if (!buf)
		return ENOMEM;
	memcpy(buf, head, (size_t)r);
	buf[r] = '\0';
	*out = buf;
	*len = (size_t)r;
	return 0;
}

/* Reports e, an errno value from strata_slurpat() for the file display, the
 * way strata_read_file() does: ENOMEM through strata_oom(), anything else as
 * "cannot read: REASON".  Returns STRATA_ENOMEM or STRATA_EIO. */
static inline int strata_read_error(strata_host *h, const char *display, int e)
{
	if (e == ENOMEM)
		return strata_oom(h);
	h->error(h, STRATA_ECLASS_SOURCE, display, 0, 0, NULL, "cannot read: %s", strerror(e));
	return STRATA_EIO;
}

/* strata_slurpat() with its errors reported against display (path when
 * NULL).  Returns STRATA_OK; STRATA_ENOTFOUND, reporting nothing, when the
 * file does not exist (the caller decides whether that is an error);
 * STRATA_ENOMEM or STRATA_EIO, reported. */
static inline int strata_read_file(strata_host *h, int dirfd, const char *path,
                                   const char *display, char **out, size_t *len)
{
	int e = strata_slurpat(dirfd, path, out, len);
	if (e == ENOENT)
		return STRATA_ENOTFOUND;
	return e ? strata_read_error(h, display ? display : path, e) : STRATA_OK;
}

/* ------------------------------------------------------ work on every core */

/*
 * fn(ud, i) for every i in [0, n), shared among one thread per online core
 * (at most STRATA_EACH_MAX; the calling thread takes a share), below min
 * items on the calling thread alone.  Shares interleave (thread k takes k,
 * k + t, k + 2t, ...), so files of every size spread evenly.  fn runs on
 * worker threads: it calls no host function and keeps what it finds in its
 * item, for the caller to report in item order once strata_each() returned
 * (so the first error is the same whatever the threads did).  A thread that
 * cannot be started leaves its share to the calling thread: never an error.
 */
#define STRATA_EACH_MAX 8

typedef struct strata_each_share {
	void (*fn)(void *ud, size_t i);
	void *ud;
	size_t from, step, n;
} strata_each_share;

static inline void *strata_each_run(void *arg)
{
	strata_each_share *w = (strata_each_share *)arg;
	for (size_t i = w->from; i < w->n; i += w->step)
		w->fn(w->ud, i);
	return NULL;
}

static inline void strata_each(size_t n, size_t min, void (*fn)(void *ud, size_t i), void *ud)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = n < min || n < 2 || cores < 2 ? 1 : cores > STRATA_EACH_MAX ? STRATA_EACH_MAX
	                                                                         : (size_t)cores;
	if (nt > n)
		nt = n;
	pthread_t tid[STRATA_EACH_MAX];
	strata_each_share w[STRATA_EACH_MAX];
	size_t started = 0;
	for (size_t k = 0; k < nt; k++)
		w[k] = (strata_each_share){ fn, ud, k, nt, n };
#ifdef _GNU_SOURCE
	/* A new thread tends to wait for the CPU of the thread that woke it
	 * (seen with the Alembic plugin: the second share ran after the first,
	 * not beside it), so each worker is asked to start on another CPU. */
	int here = sched_getcpu();
	cpu_set_t others;
	int steer = nt > 1 && here >= 0 && here < CPU_SETSIZE &&
	             sched_getaffinity(0, sizeof others, &others) == 0;
	if (steer) {
		CPU_CLR(here, &others);
		steer = CPU_COUNT(&others) > 0;
	}
#endif
	for (size_t k = 1; k < nt; k++) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
#ifdef _GNU_SOURCE
		if (steer)
			pthread_attr_setaffinity_np(&attr, sizeof others, &others);
#endif
		int ok = pthread_create(&tid[k], &attr, strata_each_run, &w[k]) == 0;
		pthread_attr_destroy(&attr);
		if (!ok)
			break;
		started = k;
	}
	for (size_t k = 0; k < nt; k++) /* ours, and the shares whose thread did not start */
		if (k == 0 || k > started)
			strata_each_run(&w[k]);
	for (size_t k = 1; k <= started; k++)
		pthread_join(tid[k], NULL);
}

/* --------------------------------------------------- many files at once */

/*
 * A scan's reading: every file of f (path relative to dirfd) read whole,
 * on every core (strata_each(), from 64 files on), each with
 * strata_slurp_listed() (listed = the walk saw a regular file; else
 * strata_slurpat()).  Out: text (malloc'd, NUL-terminated, the caller
 * frees; NULL when err), len, and err (0, or an errno value: ENOENT when
 * the file went away since the walk).  Calls no host function; the caller
 * reports errors in file order.  To keep memory flat on a large history,
 * call it on windows of a few hundred files, handing each window over
 * before reading the next.
 */
typedef struct strata_file {
	const char *path; /* in */
	int listed;       /* in: the walk saw a regular file (no fstat needed) */
	char *text;       /* out */
	size_t len;
	int err;
} strata_file;

typedef struct strata_files_ {
	int dirfd;
	strata_file *f;
} strata_files_;

static inline void strata_read_one_(void *ud, size_t i)
{
	strata_files_ *c = (strata_files_ *)ud;
	strata_file *f = &c->f[i];
	f->err = f->listed ? strata_slurp_listed(c->dirfd, f->path, &f->text, &f->len)
	                   : strata_slurpat(c->dirfd, f->path, &f->text, &f->len);
}

static inline void strata_read_files(int dirfd, strata_file *f, size_t n)
{
	strata_files_ c = { dirfd, f };
	strata_each(n, 64, strata_read_one_, &c);
}

/* -------------------------------------- a migration's path that is no file */

/*
 * A scan lists a folder and keeps the names that look like migrations; one
 * that is a folder, a dangling or looping symbolic link or a FIFO would
 * otherwise be skipped without a word (or, a FIFO, block the read).  This
 * says why path (relative to dirfd, as strata_slurpat() takes it) is not a
 * regular file: the reason goes into buf (size bytes) and is returned, and
 * *hint gets a fixed hint.  NULL: a regular file (a symbolic link to one is
 * followed), or nothing at all there (errno is then ENOENT).  Calls no host
 * function.
 */
static inline const char *strata_not_a_file(int dirfd, const char *path, char *buf, size_t size,
                                            const char **hint)
{
	struct stat st, lst;
	int linked = fstatat(dirfd, path, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode);
	const char *what = NULL;
	*hint = NULL;
	if (fstatat(dirfd, path, &st, 0) == 0) {
		if (S_ISREG(st.st_mode))
			return NULL;
		if (S_ISDIR(st.st_mode)) {
			*hint = linked ? "link to the migration file itself, not to a folder"
			               : "a migration is one file; rename the folder or move it away";
			what = linked ? "is a symbolic link to a directory" : "is a directory";
		} else {
			what = S_ISFIFO(st.st_mode)   ? "is a FIFO (named pipe), not a regular file"
			       : S_ISSOCK(st.st_mode) ? "is a socket, not a regular file"
			                              : "is a device, not a regular file";
			*hint = "a migration is a regular file";
		}
		snprintf(buf, size, "%s", what);
		return buf;
	}
	int e = errno;
	if (e == ENOENT && !linked) {
		errno = ENOENT;
		return NULL;
	}
	if (e == ELOOP) {
		*hint = "point the link at the migration file, or remove it";
		snprintf(buf, size, "is a symbolic link loop");
	} else if (e == ENOENT) {
		char to[256];
		ssize_t n = readlinkat(dirfd, path, to, sizeof to - 1);
		to[n > 0 ? n : 0] = '\0';
		*hint = "restore the file it points to, or remove the link";
		snprintf(buf, size, "is a dangling symbolic link to '%s'", to);
	} else {
		snprintf(buf, size, "cannot be examined: %s", strerror(e));
	}
	return buf;
}

/* strata_not_a_file() reported as an error against display (path when NULL).
 * Returns STRATA_EINVAL when it reported, STRATA_OK for a regular file, and
 * STRATA_ENOTFOUND, reporting nothing, when there is nothing at path. */
static inline int strata_refuse_entry(strata_host *h, int dirfd, const char *path,
                                      const char *display)
{
	char why[320];
	const char *hint;
	errno = 0;
	if (!strata_not_a_file(dirfd, path, why, sizeof why, &hint))
		return errno == ENOENT ? STRATA_ENOTFOUND : STRATA_OK;
	h->error(h, STRATA_ECLASS_SOURCE, display ? display : path, 0, 0, hint, "%s", why);
	return STRATA_EINVAL;
}

/* ------------------------------------------------------------- the arena */

/*
 * A bump allocator: many small allocations freed together at once, which is
 * faster and harder to leak than as many malloc/free pairs.  Memory comes in
 * STRATA_ARENA_CHUNK chunks, every block aligned for any type (max_align_t);
 * a request bigger than a chunk gets a chunk of its own, and the current
 * chunk stays in use.  Not thread-safe: one arena per thread.
 *
 *     strata_arena a = {0};          (empty: zero-initialized)
 *     char *s = strata_arena_strndup(&a, p, n);
 *     ...
 *     strata_arena_free(&a);         (everything at once; a is empty again)
 */
#define STRATA_ARENA_CHUNK 65536

typedef struct strata_arena_chunk {
	struct strata_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
} strata_arena_chunk;

typedef struct strata_arena {
	strata_arena_chunk *head; /* the chunk small blocks come from; NULL: empty */
} strata_arena;

/* n bytes at alignment al (a power of two, at most max_align_t's), NULL
 * when out of memory. */
static inline void *strata_arena_block_(strata_arena *a, size_t n, size_t al)
{
	if (n > SIZE_MAX - sizeof(strata_arena_chunk) - _Alignof(max_align_t))
		return NULL;
	strata_arena_chunk *c = a->head;
	if (c) {
		size_t at = (c->used + al - 1) & ~(al - 1);
		if (at <= c->cap && c->cap - at >= n) {
			c->used = at + n;
			return (char *)c->data + at;
		}
	}
	size_t cap = n > STRATA_ARENA_CHUNK ? n : STRATA_ARENA_CHUNK;
	strata_arena_chunk *nc = (strata_arena_chunk *)malloc(sizeof *nc + cap);
	if (!nc)
		return NULL;
	nc->used = n;
	nc->cap = cap;
	if (c && n > STRATA_ARENA_CHUNK) { /* its own chunk, behind the current one */
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		a->head = nc;
	}
	return nc->data;
}

/* n bytes (uninitialized), aligned for any type, NULL when out of memory.
 * Every call returns a distinct block, n = 0 included. */
static inline void *strata_arena_alloc(strata_arena *a, size_t n)
{
	return strata_arena_block_(a, n ? n : 1, _Alignof(max_align_t));
}

/* n bytes for text (no alignment: packed end to end), NULL when out of
 * memory. */
static inline char *strata_arena_chars(strata_arena *a, size_t n)
{
	return (char *)strata_arena_block_(a, n ? n : 1, 1);
}

/* n zeroed bytes, NULL when out of memory. */
static inline void *strata_arena_zalloc(strata_arena *a, size_t n)
{
	void *p = strata_arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

/* The n bytes at s (copied as they are, NULs included) plus a NUL, NULL when
 * out of memory. */
static inline char *strata_arena_strndup(strata_arena *a, const char *s, size_t n)
{
	/* Text needs no alignment: strings are packed end to end (a folder's
	 * 100,000 versions and names are not 100,000 16-byte blocks). */
	char *p = n < SIZE_MAX ? strata_arena_chars(a, n + 1) : NULL;
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Frees every block at once; the arena is empty and can be used again. */
static inline void strata_arena_free(strata_arena *a)
{
	strata_arena_chunk *c = a->head;
	while (c) {
		strata_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ------------------------------ a script's own transaction control (txn_control) */

/*
 * What one statement of a script does to transactions, as the driver's own
 * parser tells it; and the one rule, for every driver, that turns the
 * statements seen into txn_control's answer: no transaction control at all
 * is STRATA_TXN_NONE; a plain BEGIN that opens the script and a plain COMMIT
 * that closes it, with nothing else controlling transactions, is
 * STRATA_TXN_WRAPPED (the body is statement 2 up to the last one);
 * anything else is STRATA_TXN_OWN.  Savepoints never count.
 */
typedef enum strata_txn_kind {
	STRATA_TXK_OTHER,     /* no transaction control */
	STRATA_TXK_SAVEPOINT, /* SAVEPOINT, RELEASE, ROLLBACK TO: fine inside any transaction */
	STRATA_TXK_BEGIN,     /* a plain BEGIN / START TRANSACTION */
	STRATA_TXK_COMMIT,    /* a plain COMMIT / END */
	STRATA_TXK_CONTROL    /* any other: ROLLBACK, BEGIN with modes, COMMIT AND CHAIN, … */
} strata_txn_kind;

typedef struct strata_txn_walk {
	size_t n, control;           /* statements; those that control transactions */
	strata_txn_kind first, last;
	size_t second_at, last_at;   /* where statement 2 and the last one start */
} strata_txn_walk;               /* = {0}: nothing seen */

/* Statement k starts at byte at of the script; call in order. */
static inline void strata_txn_see(strata_txn_walk *w, strata_txn_kind k, size_t at)
{
	if (w->n == 0)
		w->first = k;
	else if (w->n == 1)
		w->second_at = at;
	w->n++;
	w->control += k == STRATA_TXK_BEGIN || k == STRATA_TXK_COMMIT || k == STRATA_TXK_CONTROL;
	w->last = k;
	w->last_at = at;
}

static inline int strata_txn_answer(const strata_txn_walk *w, size_t *body_start,
                                    size_t *body_end)
{
	if (w->control == 0)
		return STRATA_TXN_NONE;
	if (w->n >= 2 && w->control == 2 && w->first == STRATA_TXK_BEGIN &&
	    w->last == STRATA_TXK_COMMIT) {
		*body_start = w->second_at;
		*body_end = w->last_at;
		return STRATA_TXN_WRAPPED;
	}
	return STRATA_TXN_OWN;
}

/* ---------------------------------------------- a growing NUL-terminated text */
/* Zero-initialised; after an allocation fails, oom is set and every later
 * put does nothing (check it once at the end); free(p) when done. */
typedef struct strata_text {
	char *p;
	size_t n, cap;
	int oom;
} strata_text;

static inline void strata_text_put(strata_text *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = (char *)realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static inline void strata_text_puts(strata_text *b, const char *s)
{
	strata_text_put(b, s, strlen(s));
}

/* ------------------------------------------------------- a random row id */

/* A version 4 UUID as Prisma's Uuid::new_v4() and most runners' uuid columns
 * write it: 36 characters and a NUL.  getrandom() rather than /dev/urandom:
 * no file descriptor, and it cannot fail half-way in a chroot without /dev. */
static inline int strata_uuid_v4(strata_host *h, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "getrandom: %s", strerror(errno));
			return STRATA_EIO;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 0x0f];
	}
	*o = '\0';
	return STRATA_OK;
}

#endif /* STRATA_PLUGIN_UTIL_H */
