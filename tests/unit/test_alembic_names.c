/*
 * Unit tests of plugins/alembic/opsql_names.c: SQLAlchemy 1.4's truncation
 * of long truncated-label names and its refusal of long explicit names.
 *
 * The expected values are the real SQLAlchemy's (1.4.46, Debian), made with
 *   /usr/bin/python3 -c 'from sqlalchemy.dialects import postgresql, sqlite
 *   from sqlalchemy.sql.elements import conv
 *   for d in (postgresql.dialect(), sqlite.dialect()):
 *       print(d.identifier_preparer.truncate_and_render_index_name(
 *             conv(NAME), _alembic_quote=False))'
 * and, for the refusal, str(exc) of
 *   postgresql.dialect().validate_identifier(NAME).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "opsql_names.h"

typedef struct tcase {
	const char *name, *pg, *sqlite;
} tcase;

#define ABC "abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij"
#define E10 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define A63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B100 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const tcase cases[] = {
	{ "ix_" ABC, "ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh_042f", "ix_" ABC },
	{ A63, A63, A63 },
	{ A63 "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_7367", A63 "a" },
	{ B100, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb_dbaf", B100 },
	{ "uq_" ABC "_x", "uq_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh_ef03", "uq_" ABC "_x" },
	/* 70 é: cut after 52 characters (104 bytes), digest over UTF-8 */
	{ "ix_" E10 E10 E10 E10 E10 E10 E10, "ix_" E10 E10 E10 E10 E10 "\xc3\xa9\xc3\xa9" "_62d1",
	  "ix_" E10 E10 E10 E10 E10 E10 E10 },
	{ "fk_user_organization_membership_organization_id_organization_memberships",
	  "fk_user_organization_membership_organization_id_organiz_f816",
	  "fk_user_organization_membership_organization_id_organization_memberships" },
};

static void truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *pg = opsql_name_truncate(63, cases[i].name);
		char *sq = opsql_name_truncate(9999, cases[i].name);
		assert_non_null(pg);
		assert_non_null(sq);
		assert_string_equal(pg, cases[i].pg);
		assert_string_equal(sq, cases[i].sqlite);
		assert_true(opsql_name_len(pg) <= 63);
		free(pg);
		free(sq);
	}
}

static void lengths(void **state)
{
	(void)state;
	/* 0: no limit */
	char *t = opsql_name_truncate(0, B100);
	assert_string_equal(t, B100);
	free(t);
	char msg[64];
	assert_int_equal(opsql_name_check(0, B100, msg, sizeof msg), 0);
	assert_int_equal(opsql_name_len(""), 0);
	assert_int_equal(opsql_name_len(A63), 63);
	assert_int_equal(opsql_name_len("ix_" E10), 13);
}

static void refusal(void **state)
{
	(void)state;
	char msg[256] = "";
	assert_int_equal(opsql_name_check(63, A63, msg, sizeof msg), 0);
	assert_int_equal(opsql_name_check(9999, "ix_" ABC, msg, sizeof msg), 0);
	assert_int_equal(opsql_name_check(63, "ix_" ABC, msg, sizeof msg), -1);
	assert_string_equal(msg, "Identifier 'ix_" ABC "' exceeds maximum length of 63 characters");
	/* 63 characters of 2 bytes each fit: the limit counts characters */
	assert_int_equal(opsql_name_check(63, "ix_" E10 E10 E10 E10 E10 E10, msg, sizeof msg), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncation),
		cmocka_unit_test(lengths),
		cmocka_unit_test(refusal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
