/*
 * Unit tests of core/version.c: version_normalize() and version_cmp().
 * Versions compare by their numbers, not as text; ids without a number
 * (Alembic revisions) sort after every numeric one and compare as text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

/* Normalize both and compare; returns -1, 0 or 1. */
static int vcmp(const char *a, const char *b)
{
	char *na = version_normalize(a), *nb = version_normalize(b);
	assert_non_null(na);
	assert_non_null(nb);
	int c = version_cmp(na, nb);
	int r = version_cmp(nb, na); /* must be antisymmetric */
	free(na);
	free(nb);
	int sign = c < 0 ? -1 : c > 0;
	int rsign = r < 0 ? -1 : r > 0;
	assert_int_equal(sign, -rsign);
	return sign;
}

static void check_norm(const char *in, const char *want)
{
	char got[256];
	char *n = version_normalize(in);
	assert_non_null(n);
	snprintf(got, sizeof got, "%s", n);
	free(n); /* before asserting, so a failure leaks nothing */
	assert_string_equal(got, want);
}

static void test_leading_zeros(void **state)
{
	(void)state;
	check_norm("0001", "1");
	check_norm("1", "1");
	check_norm("000", "0");
	check_norm("0", "0");
	assert_int_equal(vcmp("0001", "1"), 0);
	assert_int_equal(vcmp("007", "7"), 0);
	assert_int_equal(vcmp("0002", "10"), -1);
	assert_int_equal(vcmp("0", "1"), -1);
}

static void test_numeric_not_text(void **state)
{
	(void)state;
	assert_int_equal(vcmp("2", "10"), -1);
	assert_int_equal(vcmp("10", "100"), -1);
	assert_int_equal(vcmp("2", "100"), -1);
	assert_int_equal(vcmp("100", "2"), 1);
	assert_int_equal(vcmp("9", "10"), -1);
	assert_int_equal(vcmp("99", "100"), -1);
	assert_int_equal(vcmp("10", "10"), 0);
}

static void test_dotted(void **state)
{
	(void)state;
	assert_int_equal(vcmp("1.9", "1.10"), -1);
	assert_int_equal(vcmp("1.10", "1.9"), 1);
	assert_int_equal(vcmp("1.2", "1.2.1"), -1);
	assert_int_equal(vcmp("1.2.3", "1.10"), -1);
	assert_int_equal(vcmp("2", "1.99"), 1);
	assert_int_equal(vcmp("1.01", "1.1"), 0);
	assert_int_equal(vcmp("1.0.2", "1.2"), -1);
	check_norm("1.0.2", "1.0.2");
}

static void test_trailing_zero_segments(void **state)
{
	(void)state;
	check_norm("1.0", "1");
	check_norm("1.0.0", "1");
	check_norm("1.2.0", "1.2");
	assert_int_equal(vcmp("1.0", "1"), 0);
	assert_int_equal(vcmp("1.0.0", "1"), 0);
	assert_int_equal(vcmp("1.2.0", "1.2"), 0);
	assert_int_equal(vcmp("1.0", "1.0.1"), -1);
}

/* All-zero versions: "0.0" is the same version as "0", like "1.0" and "1". */
static void test_all_zero_segments(void **state)
{
	(void)state;
	assert_int_equal(vcmp("0.0", "0"), 0);
	assert_int_equal(vcmp("0_0_0", "0"), 0);
	assert_int_equal(vcmp("0.0", "0.1"), -1);
}

static void test_flyway_underscores(void **state)
{
	(void)state;
	check_norm("1_2", "1.2");
	assert_int_equal(vcmp("1_2", "1.2"), 0);
	assert_int_equal(vcmp("1_2_1", "1.2.1"), 0);
	assert_int_equal(vcmp("1_9", "1_10"), -1);
	assert_int_equal(vcmp("1_1", "1.2"), -1);
}

static void test_timestamps(void **state)
{
	(void)state;
	check_norm("20240101120000", "20240101120000");
	assert_int_equal(vcmp("20240101120000", "20240101120001"), -1);
	assert_int_equal(vcmp("20231231235959", "20240101000000"), -1);
	assert_int_equal(vcmp("20240101120000", "20240101120000"), 0);
	/* A timestamp is newer than any small sequence number. */
	assert_int_equal(vcmp("20240101120000", "0042"), 1);
}

/* Longer than 64 bits: must not overflow or wrap. */
static void test_big_numbers(void **state)
{
	(void)state;
	const char *a = "1234567890123456789012345";  /* 25 digits */
	const char *b = "1234567890123456789012346";
	const char *c = "9999999999999999999999999";
	const char *d = "10000000000000000000000000"; /* 26 digits */
	check_norm(a, a);
	check_norm("0001234567890123456789012345", a);
	assert_int_equal(vcmp(a, b), -1);
	assert_int_equal(vcmp(b, a), 1);
	assert_int_equal(vcmp(c, d), -1);
	assert_int_equal(vcmp(a, "0001234567890123456789012345"), 0);
	/* 2^64 = 18446744073709551616 vs 2^64 + 1 and a value that wraps to 0 */
	assert_int_equal(vcmp("18446744073709551616", "18446744073709551617"), -1);
	assert_int_equal(vcmp("18446744073709551616", "1"), 1);
	assert_int_equal(vcmp("18446744073709551616", "18446744073709551615"), 1);
}

static void test_diesel(void **state)
{
	(void)state;
	assert_int_equal(vcmp("2023-01-01-000000", "2023-01-02-000000"), -1);
	assert_int_equal(vcmp("2023-01-02-000000", "2023-01-01-000000"), 1);
	assert_int_equal(vcmp("2023-01-01-000000", "2023-01-01-000001"), -1);
	assert_int_equal(vcmp("2023-01-01-235959", "2023-01-02-000000"), -1);
	assert_int_equal(vcmp("2023-12-01-000000", "2024-01-01-000000"), -1);
	assert_int_equal(vcmp("2023-01-01-000000", "2023-01-01-000000"), 0);
}

/* Ids without digits: after every numeric version, text order among themselves. */
static void test_text_ids_without_digits(void **state)
{
	(void)state;
	char got[64];
	char *n = version_normalize("abcdef");
	assert_non_null(n);
	snprintf(got, sizeof got, "%s", n);
	free(n);
	assert_int_equal(got[0], '~');
	assert_non_null(strstr(got, "abcdef"));
	assert_int_equal(vcmp("abcdef", "1"), 1);
	assert_int_equal(vcmp("abcdef", "99999999999999999999999999"), 1);
	assert_int_equal(vcmp("abc", "abd"), -1);
	assert_int_equal(vcmp("fed", "abc"), 1);
	assert_int_equal(vcmp("abc", "abc"), 0);
}

/* Alembic revision ids are hex strings that usually contain digits. */
static void test_alembic_revision_ids(void **state)
{
	(void)state;
	assert_int_equal(vcmp("ae1027a6acf", "1"), 1);
	assert_int_equal(vcmp("ae1027a6acf", "20240101120000"), 1);
	assert_int_equal(vcmp("1975ea83b712", "ae1027a6acf"), -1); /* text: '1' < 'a' */
	assert_int_equal(vcmp("ae1027a6acf", "ae1027a6acf"), 0);
	/* Distinct revisions must never compare equal. */
	assert_int_equal(vcmp("a1b2c3d4e5f6", "1a2b3c4d5e6f") != 0, 1);
	assert_int_equal(vcmp("ae1027a6acf", "1027.6"), 1);
}

static int qcmp(const void *a, const void *b)
{
	char *na = version_normalize(*(const char *const *)a);
	char *nb = version_normalize(*(const char *const *)b);
	int c = version_cmp(na, nb);
	free(na);
	free(nb);
	return c;
}

static void test_sort_numeric(void **state)
{
	(void)state;
	const char *v[] = {"100", "1.10", "2", "0003", "1.9", "10", "1_2", "20240101120000",
	                   "1", "1.2.1", "99", "1234567890123456789012345"};
	const char *want[] = {"1", "1_2", "1.2.1", "1.9", "1.10", "2", "0003", "10", "99", "100",
	                      "20240101120000", "1234567890123456789012345"};
	size_t n = sizeof v / sizeof *v;
	assert_int_equal(n, sizeof want / sizeof *want);
	qsort(v, n, sizeof *v, qcmp);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
}

static void test_sort_with_text_ids(void **state)
{
	(void)state;
	const char *v[] = {"zeta", "10", "alpha", "2", "2023-01-02-000000", "mid", "1"};
	const char *want[] = {"1", "2", "10", "2023-01-02-000000", "alpha", "mid", "zeta"};
	size_t n = sizeof v / sizeof *v;
	qsort(v, n, sizeof *v, qcmp);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leading_zeros),
		cmocka_unit_test(test_numeric_not_text),
		cmocka_unit_test(test_dotted),
		cmocka_unit_test(test_trailing_zero_segments),
		cmocka_unit_test(test_all_zero_segments),
		cmocka_unit_test(test_flyway_underscores),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_diesel),
		cmocka_unit_test(test_text_ids_without_digits),
		cmocka_unit_test(test_alembic_revision_ids),
		cmocka_unit_test(test_sort_numeric),
		cmocka_unit_test(test_sort_with_text_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
