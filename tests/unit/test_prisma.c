/*
 * Unit tests of the prisma plugin's value rules: Prisma's checksum matching
 * (CRLF/LF variants, the legacy unpadded form), the SQLite timestamp
 * encoding, UUIDs, migration_lock.toml's provider check, and the folder
 * order (the CLI's localeCompare) with its warning about byte order.  The plugin's
 * sources are linked into this binary; the host is a small fake.
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

#include "base.h" /* sha256_hex: the host side */
#include "../../plugins/prisma/prisma_int.h"

#include "fake_host.h"

/* The fake host, with the real SHA-256 of the host side. */
static void prisma_host(fake_host *f, const char *dialect)
{
	fake_init(f, dialect);
	f->h.sha256_hex = sha256_hex;
}

static void sum_of(const char *s, char out[65])
{
	sha256_hex(s, strlen(s), out);
}

/* The checksum.rs unit test value, and the three variants. */
static void checksum_variants(void **state)
{
	(void)state;
	fake_host f;
	prisma_host(&f, "sqlite");
	char lf[65], crlf[65], hello[65];
	sum_of("hello", hello);
	assert_string_equal(hello, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	sum_of("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n", lf);
	sum_of("CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n", crlf);
	const char *lf_text = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
	const char *crlf_text = "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n";
	assert_true(pr_checksum_matches(&f.h, lf_text, strlen(lf_text), lf));
	assert_true(pr_checksum_matches(&f.h, crlf_text, strlen(crlf_text), lf));  /* CRLF -> LF */
	assert_true(pr_checksum_matches(&f.h, lf_text, strlen(lf_text), crlf));   /* LF -> CRLF */
	const char *edited = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n\n";
	assert_false(pr_checksum_matches(&f.h, edited, strlen(edited), lf));
	assert_false(pr_checksum_matches(&f.h, lf_text, strlen(lf_text), ""));
	assert_false(pr_checksum_matches(&f.h, lf_text, strlen(lf_text), NULL));
	/* Mixed endings: CRLF -> LF reaches the LF file, but nothing reaches
	 * the CRLF one (LF -> CRLF turns "\r\n" into "\r\r\n", as Rust does). */
	const char *mixed = "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\n";
	assert_true(pr_checksum_matches(&f.h, mixed, strlen(mixed), lf));
	assert_false(pr_checksum_matches(&f.h, mixed, strlen(mixed), crlf));
}

/* A stored value that is not 64 characters is the unpadded "%x" form. */
static void checksum_legacy(void **state)
{
	(void)state;
	fake_host f;
	prisma_host(&f, "sqlite");
	/* sha256("hello") has bytes 0x0e and 0x1e…: find a padded byte. */
	const char *hex = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
	char legacy[65] = "";
	size_t n = 0;
	for (int i = 0; i < 32; i++) {
		unsigned b;
		sscanf(hex + 2 * i, "%2x", &b);
		n += (size_t)snprintf(legacy + n, sizeof legacy - n, "%x", b);
	}
	assert_true(strlen(legacy) < 64);
	assert_true(pr_checksum_matches(&f.h, "hello", 5, legacy));
	assert_false(pr_checksum_matches(&f.h, "hello!", 6, legacy));
}

/* SQLite gets unix epoch milliseconds; PostgreSQL the ISO text as it is. */
static void timestamps(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(pr_time_to_db("2026-11-21T08:52:38.512Z", true, out, sizeof out), 0);
	assert_string_equal(out, "1795251158512");
	assert_int_equal(pr_time_to_db("1970-01-01T00:00:00Z", true, out, sizeof out), 0);
	assert_string_equal(out, "0");
	assert_int_equal(pr_time_to_db("2026-11-21T08:52:38.512Z", false, out, sizeof out), 0);
	assert_string_equal(out, "2026-11-21T08:52:38.512Z");
	assert_true(pr_time_to_db("yesterday", true, out, sizeof out) < 0);
	pr_time_from_db("1795251158512", out, sizeof out);
	assert_string_equal(out, "2026-11-21T08:52:38.512Z");
	pr_time_from_db("2026-11-21 08:52:38.512+00", out, sizeof out);
	assert_string_equal(out, "2026-11-21 08:52:38.512+00");
}

static void uuids(void **state)
{
	(void)state;
	fake_host f;
	prisma_host(&f, "sqlite");
	char a[37], b[37];
	assert_int_equal(strata_uuid_v4(&f.h, a), 0);
	assert_int_equal(strata_uuid_v4(&f.h, b), 0);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	for (int i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
}

/* A folder with the given migration_lock.toml (NULL: none) checked against
 * dialect; returns the status, f holds the error. */
static int check_lock(fake_host *f, const char *dialect, const char *lock)
{
	char dir[] = "/tmp/test_prisma.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/migration_lock.toml", dir);
	if (lock) {
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(lock, fp);
		fclose(fp);
	}
	prisma_host(f, dialect);
	strata_source_cfg cfg = { .version = 1, .struct_size = sizeof cfg, .path = dir };
	int rc = pr_check_provider(&f->h, &cfg);
	unlink(path);
	rmdir(dir);
	return rc;
}

static void lock_file(void **state)
{
	(void)state;
	fake_host f;
	const char *pg = "# Please do not edit this file manually\n"
	                 "# It should be added in your version-control system (e.g., Git)\n"
	                 "provider = \"postgresql\"\n";
	assert_int_equal(check_lock(&f, "postgresql", pg), 0);
	assert_int_equal(check_lock(&f, "sqlite", NULL), 0);
	assert_int_equal(check_lock(&f, "sqlite", pg), STRATA_EINVAL);
	assert_string_equal(f.file, "migration_lock.toml");
	assert_int_equal(f.line, 3);
	assert_string_equal(f.msg, "the database's provider `sqlite` does not match the one "
	                           "specified in the migration_lock.toml, `postgresql` (Prisma: P3019)");
	/* Prisma's naive parse: no provider line, and no spaces around '='. */
	assert_int_equal(check_lock(&f, "sqlite", "# nothing\n"), STRATA_EINVAL);
	assert_non_null(strstr(f.msg, "`<PROVIDER NOT FOUND>`"));
	assert_int_equal(check_lock(&f, "sqlite", "provider=\"sqlite\"\n"), STRATA_EINVAL);
	assert_non_null(strstr(f.msg, "`provider=\"sqlite`"));
	assert_int_equal(check_lock(&f, "sqlite", "provider = \"sqlite\"\r\n"), 0);
	assert_int_equal(check_lock(&f, "postgresql", "provider = \"postgres\"\n"), 0);
}

/* ------------------------------------------------------------ folder order */

/* Prisma 6.19.3's order, measured with its node (v20.20.2, ICU 78.2):
 * `a.localeCompare(b)` < 0 for each pair, whatever LANG among unset, C,
 * C.UTF-8, POSIX, en_US.UTF-8, de_DE.UTF-8. */
static const char *const before[][2] = {
	{ "20251028_budget_transactions", "20251028100000_add_link_graph" }, /* _ before digits */
	{ "a_b", "a-b" },    /* _ before - */
	{ "add_x", "add.x" }, /* punctuation has its own order */
	{ "a_", "a$" },      /* symbols after punctuation */
	{ "a_b", "a~b" },
	{ "x y", "x_y" },    /* space first */
	{ "v1_2", "v1-2" },
	{ "a-b", "a1" },     /* punctuation before digits */
	{ "a1", "a10" },     /* digits one by one, not as numbers */
	{ "a10", "a9" },
	{ "a9", "ab" },      /* digits before letters */
	{ "ab", "aB" },      /* lower case first, only where all else is equal */
	{ "aB", "Ab" },
	{ "init", "Init" },
	{ "Ab", "ac" },      /* case does not outweigh a letter */
	{ "A", "a_" },       /* nor does a longer name */
	{ "e", "\xc3\xa9" }, /* e before é before f */
	{ "\xc3\xa9", "f" },
	{ "0_init", "20250101120000_x" },
};

/* Names that collate equal keep byte order, as Prisma's stable sort keeps
 * fs.readdir's (libuv sorts with strcmp). */
static const char *const ties[][2] = {
	{ "e\xcc\x81", "\xc3\xa9" },                   /* é decomposed, composed */
	{ "a\x01" "b", "ab" },                           /* a control character is ignorable */
	{ "a\xcc\xa3\xcc\x88", "\xc3\xa4\xcc\xa3" },   /* canonically equivalent: needs normalization on */
	{ "\xef\xbf\xbd", "\xff" },                    /* an ill-formed byte reads as U+FFFD */
};

static void sorted(char **v, const char *a, const char *b)
{
	fake_host f;
	prisma_host(&f, "sqlite");
	v[0] = (char *)a;
	v[1] = (char *)b;
	assert_int_equal(pr_order(&f.h, v, 2), 0);
	assert_int_equal(f.errors, 0);
}

static void order_pairs(void **state)
{
	(void)state;
	char *v[2];
	for (size_t i = 0; i < sizeof before / sizeof *before; i++) {
		sorted(v, before[i][1], before[i][0]);
		assert_string_equal(v[0], before[i][0]);
		sorted(v, before[i][0], before[i][1]);
		assert_string_equal(v[0], before[i][0]);
	}
	for (size_t i = 0; i < sizeof ties / sizeof *ties; i++) {
		assert_true(strcmp(ties[i][0], ties[i][1]) < 0);
		sorted(v, ties[i][1], ties[i][0]);
		assert_string_equal(v[0], ties[i][0]);
	}
}

/* The list measured in the brief, from each of its rotations and reversed. */
static const char *const measured[] = {
	"20251028_budget_transactions", "20251028100000_add_link_graph", "a_b", "a-b", "a1",
	"a10", "a9", "ab", "aB", "Ab",
};
#define NMEASURED (sizeof measured / sizeof *measured)

static void order_list(void **state)
{
	(void)state;
	for (size_t rot = 0; rot <= NMEASURED; rot++) {
		char *v[NMEASURED];
		for (size_t i = 0; i < NMEASURED; i++)
			v[i] = (char *)(rot == NMEASURED ? measured[NMEASURED - 1 - i]
			                                 : measured[(i + rot) % NMEASURED]);
		fake_host f;
		prisma_host(&f, "sqlite");
		assert_int_equal(pr_order(&f.h, v, NMEASURED), 0);
		for (size_t i = 0; i < NMEASURED; i++)
			assert_string_equal(v[i], measured[i]);
	}
}

/* Byte order is taken as Prisma's without ICU only where the two agree:
 * neighbours that first differ at a digit, after digits only. */
static void order_bytes(void **state)
{
	(void)state;
	char *stamps[] = { "20240101000000_b", "20240101000001_a", "20240102000000_A" };
	assert_true(pr_order_is_bytes(stamps, 3));
	char *one[] = { "0_init" };
	assert_true(pr_order_is_bytes(one, 1));
	char *numbered[] = { "10_c", "1_a", "2_b" }; /* ICU: 1_a before 10_c */
	assert_false(pr_order_is_bytes(numbered, 3));
	char *same_stamp[] = { "20240101_B", "20240101_a" }; /* ICU: a before B */
	assert_false(pr_order_is_bytes(same_stamp, 2));
	char *prefix[] = { "20240101", "20240101_x" };
	assert_false(pr_order_is_bytes(prefix, 2));
	char *letters[] = { "a1", "a2" }; /* after a letter: not proved here */
	assert_false(pr_order_is_bytes(letters, 2));
	/* Where it says yes, Prisma's measured order is byte order. */
	for (size_t i = 0; i < sizeof before / sizeof *before; i++) {
		char *v[2] = { (char *)before[i][0], (char *)before[i][1] };
		if (strcmp(v[0], v[1]) > 0) {
			v[0] = (char *)before[i][1];
			v[1] = (char *)before[i][0];
		}
		if (pr_order_is_bytes(v, 2))
			assert_string_equal(v[0], before[i][0]);
	}
	/* And a list it takes whole comes back in byte order from pr_order. */
	char *mixed[] = { "20240102000000_A", "20240101000000_b", "20240101000001_a" };
	fake_host f;
	prisma_host(&f, "sqlite");
	assert_int_equal(pr_order(&f.h, mixed, 3), 0);
	assert_string_equal(mixed[0], "20240101000000_b");
	assert_string_equal(mixed[1], "20240101000001_a");
	assert_string_equal(mixed[2], "20240102000000_A");
}

/* The warnings pr_order_warn reports: how many, the last one and its file. */
static int nwarn;
static char warned[2048], warned_file[256];

static void w_warn(strata_host *h, const char *file, int line, const char *fmt, ...)
{
	(void)h;
	assert_int_equal(line, 0);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(warned, sizeof warned, fmt, ap);
	va_end(ap);
	snprintf(warned_file, sizeof warned_file, "%s", file);
	nwarn++;
}

static void warn_of(char *const *v, size_t n)
{
	fake_host f;
	prisma_host(&f, "sqlite");
	f.h.warn = w_warn;
	nwarn = 0;
	warned[0] = '\0';
	assert_int_equal(pr_order_warn(&f.h, "", v, n), 0);
}

#define PREFIX "Prisma's order of these folders differs from byte order " \
               "(older Prisma, ls in the C locale) in "

static void order_warning(void **state)
{
	(void)state;
	char *v[NMEASURED];
	memcpy(v, measured, sizeof v);
	/* Every pair (i, j) of the list that byte order puts the other way:
	 * 1 + 6 (a_b) + 5 (a-b, a1, a10, a9, ab before Ab) + 2 (ab, aB) = 14;
	 * shown: the first three, one per earlier folder. */
	warn_of(v, NMEASURED);
	assert_int_equal(nwarn, 1);
	assert_string_equal(warned_file, "");
	assert_string_equal(warned, PREFIX "14 pairs: 20251028_budget_transactions before "
	                    "20251028100000_add_link_graph, a_b before a-b, a-b before Ab, and 11 more");
	/* In byte order already: nothing to say. */
	char *same[] = { "0_init", "20250101120000_a", "20250102120000_b", "20250102120000_b_c" };
	warn_of(same, 4);
	assert_int_equal(nwarn, 0);
	warn_of(v, 1);
	assert_int_equal(nwarn, 0);
	/* One pair, two pairs: all of them shown, no "more". */
	char *one[] = { "1_x", "2_y", "a_b", "a-b" };
	warn_of(one, 4);
	assert_int_equal(nwarn, 1);
	assert_string_equal(warned, PREFIX "1 pair: a_b before a-b");
	char *two[] = { "a_b", "a-b", "ab", "b_c", "b-c" };
	warn_of(two, 5);
	assert_string_equal(warned, PREFIX "2 pairs: a_b before a-b, b_c before b-c");
}

/* Long names: the host formats a warning into 1024 bytes, so pairs are shown
 * while they fit in 800 and the others counted. */
static void order_warning_long(void **state)
{
	(void)state;
	static char a[3][256], b[3][256];
	char *v[6];
	for (int i = 0; i < 3; i++) {
		/* "iA_…" before "iA-…", byte order the other way, 250 bytes each */
		memset(a[i], 'x', 250);
		memset(b[i], 'x', 250);
		a[i][250] = b[i][250] = '\0';
		a[i][0] = b[i][0] = (char)('1' + i);
		a[i][1] = '_';
		b[i][1] = '-';
		v[2 * i] = a[i];
		v[2 * i + 1] = b[i];
	}
	warn_of(v, 6);
	assert_int_equal(nwarn, 1);
	assert_true(strlen(warned) < 1024 - 64);
	char want[1024];
	snprintf(want, sizeof want, PREFIX "3 pairs: %s before %s, and 2 more", a[0], b[0]);
	assert_string_equal(warned, want);
}

/* The count is every inverted pair, checked against the quadratic count on
 * pseudo-random names over an alphabet where the two orders disagree. */
static void order_warning_count(void **state)
{
	(void)state;
	const char alphabet[] = "_-.1aAbB";
	enum { N = 300 };
	static char buf[N][8];
	char *v[N];
	unsigned seed = 12345;
	size_t n = 0;
	while (n < N) {
		size_t len = 1 + (seed >> 16) % 5;
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[n][k] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		buf[n][len] = '\0';
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = !strcmp(buf[k], buf[n]);
		if (!dup) {
			v[n] = buf[n];
			n++;
		}
	}
	fake_host f;
	prisma_host(&f, "sqlite");
	assert_int_equal(pr_order(&f.h, v, N), 0);
	size_t pairs = 0;
	for (size_t i = 0; i < N; i++)
		for (size_t j = i + 1; j < N; j++)
			pairs += strcmp(v[i], v[j]) > 0;
	assert_true(pairs > 3);
	warn_of(v, N);
	assert_int_equal(nwarn, 1);
	char want[64];
	snprintf(want, sizeof want, ", and %zu more", pairs - 3);
	assert_non_null(strstr(warned, want));
	char count[256];
	snprintf(count, sizeof count, PREFIX "%zu pairs: ", pairs);
	assert_memory_equal(warned, count, strlen(count));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum_variants),
		cmocka_unit_test(checksum_legacy),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(uuids),
		cmocka_unit_test(lock_file),
		cmocka_unit_test(order_pairs),
		cmocka_unit_test(order_list),
		cmocka_unit_test(order_bytes),
		cmocka_unit_test(order_warning),
		cmocka_unit_test(order_warning_long),
		cmocka_unit_test(order_warning_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
