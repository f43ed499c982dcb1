/*
 * Unit tests of include/strata/plugin_util.h, the header-only helpers every
 * bundled plugin uses: the whole-file readers (host-free and reported, one
 * file and a window of them on every core), strata_each(), the arena and
 * the out-of-memory report.  The host is the small fake that
 * records the last error, plus the error class.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <strata/plugin_util.h>

#include "fake_host.h"

static char dir[64];
static strata_error_class last_cls;

static void cls_error(strata_host *h, strata_error_class cls, const char *file, int line, int col,
                      const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	last_cls = cls;
	f_error(h, cls, file, line, col, hint, "%s", msg);
}

static void host_init(fake_host *f)
{
	fake_init(f, NULL);
	f->h.error = cls_error;
	last_cls = STRATA_ECLASS_NONE;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/strata-putil.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int open_dir(void)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* ---- the reader ---- */

static void reads_whole_file(void **state)
{
	(void)state;
	write_file("a.sql", "CREATE TABLE t (id int);\n\0tail", 30);
	int dfd = open_dir();
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(strata_slurpat(dfd, "a.sql", &buf, &len), 0);
	assert_int_equal(len, 30); /* a NUL inside does not end it */
	assert_memory_equal(buf, "CREATE TABLE t (id int);\n\0tail", 30);
	assert_int_equal(buf[len], '\0');
	free(buf);

	char abs[256];
	snprintf(abs, sizeof abs, "%s/a.sql", dir); /* absolute: dirfd ignored */
	assert_int_equal(strata_slurpat(AT_FDCWD, abs, &buf, &len), 0);
	assert_int_equal(len, 30);
	free(buf);
	close(dfd);
}

static void reads_empty_and_large(void **state)
{
	(void)state;
	write_file("empty.sql", "", 0);
	size_t big = 3 * 65536 + 7;
	char *text = malloc(big);
	assert_non_null(text);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	write_file("big.sql", text, big);
	int dfd = open_dir();
	char *buf = NULL;
	size_t len = 1;
	assert_int_equal(strata_slurpat(dfd, "empty.sql", &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	assert_int_equal(strata_slurpat(dfd, "big.sql", &buf, &len), 0);
	assert_int_equal(len, big);
	assert_memory_equal(buf, text, big);
	assert_int_equal(buf[len], '\0');
	free(buf);
	free(text);
	close(dfd);
}

/* strata_slurp_listed(): below, at and above its 16 KiB first read, the
 * same bytes as strata_slurpat(), NUL-terminated; a missing file ENOENT. */
static void listed_reads_every_size(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, STRATA_SLURP_HEAD - 1, STRATA_SLURP_HEAD,
		                        STRATA_SLURP_HEAD + 1, 5 * STRATA_SLURP_HEAD + 3 };
	int dfd = open_dir();
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		char *text = malloc(n + 1);
		assert_non_null(text);
		for (size_t i = 0; i < n; i++)
			text[i] = (char)('A' + (i * 7 + k) % 26);
		char name[32];
		snprintf(name, sizeof name, "l%zu.sql", k);
		write_file(name, text, n);
		char *buf = NULL;
		size_t len = 99;
		assert_int_equal(strata_slurp_listed(dfd, name, &buf, &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(buf, text, n);
		assert_int_equal(buf[len], '\0');
		free(buf);
		free(text);
	}
	char *buf = (char *)1;
	size_t len = 1;
	assert_int_equal(strata_slurp_listed(dfd, "nope.sql", &buf, &len), ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);
	close(dfd);
}

/* strata_read_files(): every file of a window read, in its own slot, on
 * however many threads; a missing one has its errno and no text. */
static void read_files_window(void **state)
{
	(void)state;
	enum { N = 300 };
	strata_file f[N + 1];
	char names[N + 1][32];
	for (int i = 0; i < N; i++) {
		char text[64];
		snprintf(names[i], sizeof names[i], "w%03d.sql", i);
		int n = snprintf(text, sizeof text, "CREATE TABLE t_%d (id int);\n", i);
		write_file(names[i], text, (size_t)n);
		f[i] = (strata_file){ .path = names[i], .listed = i % 2 };
	}
	snprintf(names[N], sizeof names[N], "gone.sql");
	f[N] = (strata_file){ .path = names[N], .listed = 1 };
	int dfd = open_dir();
	strata_read_files(dfd, f, N + 1);
	for (int i = 0; i < N; i++) {
		char want[64];
		snprintf(want, sizeof want, "CREATE TABLE t_%d (id int);\n", i);
		assert_int_equal(f[i].err, 0);
		assert_string_equal(f[i].text, want);
		assert_int_equal(f[i].len, strlen(want));
		free(f[i].text);
	}
	assert_int_equal(f[N].err, ENOENT);
	assert_null(f[N].text);
	close(dfd);
}

/* strata_each(): every index exactly once, below and above the threshold. */
static void bump(void *ud, size_t i)
{
	__atomic_add_fetch(&((int *)ud)[i], 1, __ATOMIC_RELAXED);
}

static void each_every_index_once(void **state)
{
	(void)state;
	static const size_t ns[] = { 0, 1, 63, 64, 65, 1000 };
	for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
		int *seen = calloc(ns[k] + 1, sizeof *seen);
		assert_non_null(seen);
		strata_each(ns[k], 64, bump, seen);
		for (size_t i = 0; i < ns[k]; i++)
			assert_int_equal(seen[i], 1);
		assert_int_equal(seen[ns[k]], 0);
		free(seen);
	}
}

/* No size to trust (st_size 0): starts small and grows until EOF. */
static void reads_pipe(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	char chunk[1000];
	memset(chunk, 'x', sizeof chunk);
	for (int i = 0; i < 10; i++)
		assert_int_equal(write(p[1], chunk, sizeof chunk), (ssize_t)sizeof chunk);
	close(p[1]);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(strata_slurpat(AT_FDCWD, path, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(buf[9999], 'x');
	assert_int_equal(buf[10000], '\0');
	free(buf);
	close(p[0]);
}

static void missing_and_unreadable(void **state)
{
	(void)state;
	int dfd = open_dir();
	char *buf = (char *)"stale";
	size_t len = 7;
	assert_int_equal(strata_slurpat(dfd, "nope.sql", &buf, &len), ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);

	fake_host f;
	host_init(&f);
	assert_int_equal(strata_read_file(&f.h, dfd, "nope.sql", "db/nope.sql", &buf, &len),
	                 STRATA_ENOTFOUND);
	assert_int_equal(f.errors, 0); /* the caller decides */

	char sub[256];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(strata_read_file(&f.h, dfd, "sub", "db/sub", &buf, &len), STRATA_EIO);
	assert_int_equal(f.errors, 1);
	assert_string_equal(f.file, "db/sub");
	assert_int_equal(last_cls, STRATA_ECLASS_SOURCE);
	char want[128];
	snprintf(want, sizeof want, "cannot read: %s", strerror(EISDIR));
	assert_string_equal(f.msg, want);
	assert_null(buf);

	host_init(&f); /* display NULL: the path names the file */
	assert_int_equal(strata_read_file(&f.h, dfd, "sub", NULL, &buf, &len), STRATA_EIO);
	assert_string_equal(f.file, "sub");

	host_init(&f);
	assert_int_equal(strata_read_error(&f.h, "x.sql", ENOENT), STRATA_EIO);
	snprintf(want, sizeof want, "cannot read: %s", strerror(ENOENT));
	assert_string_equal(f.msg, want);
	host_init(&f);
	assert_int_equal(strata_read_error(&f.h, "x.sql", ENOMEM), STRATA_ENOMEM);
	assert_string_equal(f.msg, "out of memory");
	close(dfd);
}

/* ---- what a migration's path is when it is no file ---- */

static void not_a_file_kinds(void **state)
{
	(void)state;
	char p[256], q[256];
	write_file("naf-file.sql", "x", 1);
	snprintf(p, sizeof p, "%s/naf-dir.sql", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	static const struct { const char *name, *to; } links[] = {
		{ "naf-link.sql", "naf-file.sql" }, { "naf-dangling.sql", "gone/x.sql" },
		{ "naf-self.sql", "naf-self.sql" }, { "naf-ring-a.sql", "naf-ring-b.sql" },
		{ "naf-ring-b.sql", "naf-ring-a.sql" }, { "naf-todir.sql", "naf-dir.sql" },
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, links[i].name);
		assert_int_equal(symlink(links[i].to, p), 0);
	}
	snprintf(q, sizeof q, "%s/naf-fifo.sql", dir);
	assert_int_equal(mkfifo(q, 0644), 0);

	static const struct { const char *name, *why; int has_hint; } cases[] = {
		{ "naf-file.sql", NULL, 0 },
		{ "naf-link.sql", NULL, 0 }, /* a link to a file is followed */
		{ "naf-dir.sql", "is a directory", 1 },
		{ "naf-todir.sql", "is a symbolic link to a directory", 1 },
		{ "naf-dangling.sql", "is a dangling symbolic link to 'gone/x.sql'", 1 },
		{ "naf-self.sql", "is a symbolic link loop", 1 },
		{ "naf-ring-a.sql", "is a symbolic link loop", 1 },
		{ "naf-fifo.sql", "is a FIFO (named pipe), not a regular file", 1 },
	};
	int dfd = open_dir();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char why[320];
		const char *hint = "unset";
		const char *r = strata_not_a_file(dfd, cases[i].name, why, sizeof why, &hint);
		if (!cases[i].why) {
			assert_null(r);
		} else {
			assert_non_null(r);
			assert_string_equal(r, cases[i].why);
		}
		assert_true(cases[i].has_hint ? hint != NULL : hint == NULL);

		fake_host f;
		host_init(&f);
		int rc = strata_refuse_entry(&f.h, dfd, cases[i].name, "db/x.sql");
		assert_int_equal(rc, cases[i].why ? STRATA_EINVAL : STRATA_OK);
		assert_int_equal(f.errors, cases[i].why ? 1 : 0);
		if (cases[i].why) {
			assert_string_equal(f.msg, cases[i].why);
			assert_string_equal(f.file, "db/x.sql");
			assert_int_equal(last_cls, STRATA_ECLASS_SOURCE);
		}
	}
	/* Nothing there: not refused, not reported; the caller decides. */
	char why[64];
	const char *hint;
	errno = 0;
	assert_null(strata_not_a_file(dfd, "naf-none.sql", why, sizeof why, &hint));
	assert_int_equal(errno, ENOENT);
	fake_host f;
	host_init(&f);
	assert_int_equal(strata_refuse_entry(&f.h, dfd, "naf-none.sql", NULL), STRATA_ENOTFOUND);
	assert_int_equal(f.errors, 0);
	/* An absolute path ignores dirfd, as strata_slurpat's does. */
	assert_string_equal(strata_not_a_file(AT_FDCWD, q, why, sizeof why, &hint),
	                    "is a FIFO (named pipe), not a regular file");
	close(dfd);
}

static void oom_report(void **state)
{
	(void)state;
	fake_host f;
	host_init(&f);
	assert_int_equal(strata_oom(&f.h), STRATA_ENOMEM);
	assert_int_equal(f.errors, 1);
	assert_string_equal(f.msg, "out of memory");
	assert_string_equal(f.file, "");
	assert_int_equal(last_cls, STRATA_ECLASS_OS);
}

/* ---- the arena ---- */

static void arena_blocks(void **state)
{
	(void)state;
	strata_arena a = {0};
	const uintptr_t al = _Alignof(max_align_t);
	char *prev = NULL;
	for (size_t n = 0; n < 100; n++) {
		char *p = strata_arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % al, 0);
		assert_true(p != prev); /* n = 0 too: distinct blocks */
		memset(p, 0xab, n);
		prev = p;
	}
	char *s = strata_arena_strndup(&a, "ab\0cd", 5);
	assert_memory_equal(s, "ab\0cd", 6);
	s = strata_arena_strndup(&a, "xyz", 2);
	assert_string_equal(s, "xy");
	/* Text is packed end to end; the next block is aligned again. */
	char *t = strata_arena_strndup(&a, "pq", 2);
	assert_ptr_equal(t, s + 3);
	char *u = strata_arena_chars(&a, 5);
	assert_ptr_equal(u, t + 3);
	char *q = strata_arena_alloc(&a, 8);
	assert_int_equal((uintptr_t)q % al, 0);
	assert_true(q >= u + 5);
	unsigned char *z = strata_arena_zalloc(&a, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(z[i], 0);
	assert_null(strata_arena_alloc(&a, SIZE_MAX));
	assert_null(strata_arena_alloc(&a, SIZE_MAX - 8));
	strata_arena_free(&a);
	assert_null(a.head);
	assert_non_null(strata_arena_strndup(&a, "again", 5)); /* usable after free */
	strata_arena_free(&a);
}

/* A request bigger than a chunk gets a chunk of its own; the current chunk
 * keeps serving small blocks. */
static void arena_oversize(void **state)
{
	(void)state;
	strata_arena a = {0};
	char *small = strata_arena_alloc(&a, 10);
	strata_arena_chunk *head = a.head;
	assert_int_equal(head->cap, STRATA_ARENA_CHUNK);
	char *big = strata_arena_alloc(&a, 3 * STRATA_ARENA_CHUNK);
	assert_non_null(big);
	memset(big, 1, 3 * STRATA_ARENA_CHUNK);
	assert_ptr_equal(a.head, head);
	assert_int_equal(head->next->cap, 3 * STRATA_ARENA_CHUNK);
	char *next = strata_arena_alloc(&a, 10);
	assert_ptr_equal(next, small + _Alignof(max_align_t));
	/* Filling the chunk starts a new one in front. */
	assert_non_null(strata_arena_alloc(&a, STRATA_ARENA_CHUNK - 2 * _Alignof(max_align_t)));
	assert_non_null(strata_arena_alloc(&a, 1));
	assert_true(a.head != head);
	assert_ptr_equal(a.head->next, head);
	strata_arena_free(&a);
	assert_null(a.head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_whole_file),
		cmocka_unit_test(reads_empty_and_large),
		cmocka_unit_test(reads_pipe),
		cmocka_unit_test(listed_reads_every_size),
		cmocka_unit_test(read_files_window),
		cmocka_unit_test(each_every_index_once),
		cmocka_unit_test(missing_and_unreadable),
		cmocka_unit_test(not_a_file_kinds),
		cmocka_unit_test(oom_report),
		cmocka_unit_test(arena_blocks),
		cmocka_unit_test(arena_oversize),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
