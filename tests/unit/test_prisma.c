/*
 * Unit tests of the prisma plugin's value rules: Prisma's checksum matching
 * (CRLF/LF variants, the legacy unpadded form), the SQLite timestamp
 * encoding, UUIDs, and migration_lock.toml's provider check.  The plugin's
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
	assert_int_equal(pr_uuid_v4(&f.h, a), 0);
	assert_int_equal(pr_uuid_v4(&f.h, b), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum_variants),
		cmocka_unit_test(checksum_legacy),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(uuids),
		cmocka_unit_test(lock_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
