/*
 * Unit tests of core/base/url.c's strata_redact_url(): a password never
 * reaches a message, however the URL is written.  Each case is one URL and
 * the exact text every message shows for it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base.h"
#include <strata/strata.h>

typedef struct redact_case {
	const char *url, *shown;
} redact_case;

static const redact_case cases[] = {
	/* nothing to hide */
	{ "sqlite:app.db", "sqlite:app.db" },
	{ "sqlite:///tmp/a:b@c.db", "sqlite:///tmp/a:b@c.db" }, /* empty authority */
	{ "postgresql://host/db", "postgresql://host/db" },
	{ "postgresql://u@host/db", "postgresql://u@host/db" },
	{ "postgresql://u@host:5432/db", "postgresql://u@host:5432/db" },
	{ "postgresql:///db?host=/run/pg", "postgresql:///db?host=/run/pg" },
	{ "", "" },
	/* user:password@ */
	{ "postgresql://u:secret@host/db", "postgresql://u:***@host/db" },
	{ "postgresql://u:secret@host:5432/db?sslmode=require",
	  "postgresql://u:***@host:5432/db?sslmode=require" },
	{ "postgresql://u:@host/db", "postgresql://u:***@host/db" },
	{ "postgresql://:secret@host/db", "postgresql://:***@host/db" },
	{ "postgres://u:secret@[::1]:5432/db", "postgres://u:***@[::1]:5432/db" },
	/* an unencoded '@' or '/' in the password: up to the LAST '@' */
	{ "postgresql://u:p@ss@host/db", "postgresql://u:***@host/db" },
	{ "postgresql://u:a@b@c@host/db", "postgresql://u:***@host/db" },
	{ "postgresql://u:pa/ss@host/db", "postgresql://u:***@host/db" },
	{ "postgresql://u:pa/ss@x@host", "postgresql://u:***@host" },
	{ "postgresql://u:p@ss@/db?host=/run/pg", "postgresql://u:***@/db?host=/run/pg" },
	/* an '@' in the user name (Azure's user@server), the password after it */
	{ "postgresql://me@srv:secret@host/db", "postgresql://me@srv:***@host/db" },
	/* '@' in the query string belongs to the query, not the user info */
	{ "postgresql://host/db?application_name=a@b", "postgresql://host/db?application_name=a@b" },
	{ "postgresql://u:secret@host/db?application_name=a@b",
	  "postgresql://u:***@host/db?application_name=a@b" },
	{ "postgresql://host/db#x@y", "postgresql://host/db#x@y" },
	/* password= in the query, alone or beside user info */
	{ "postgresql://u@host/db?password=secret", "postgresql://u@host/db?password=***" },
	{ "postgresql://u@host/db?sslmode=require&password=s@c&port=5",
	  "postgresql://u@host/db?sslmode=require&password=***&port=5" },
	{ "postgresql://u:one@host/db?password=two", "postgresql://u:***@host/db?password=***" },
	{ "postgresql://u@host/db?PASSWORD=x", "postgresql://u@host/db?PASSWORD=***" },
	/* conninfo strings */
	{ "host=h password=secret dbname=d", "host=h password=*** dbname=d" },
	{ "host=h password = secret dbname=d", "host=h password = *** dbname=d" },
	{ "host=h password='s p@ce\\'s' dbname=d", "host=h password=*** dbname=d" },
	{ "host=h user=u@x password=p@ss", "host=h user=u@x password=***" },
	{ "host=h sslpassword=key dbname=d", "host=h sslpassword=*** dbname=d" },
	{ "dbname=postgresql://u:p@ss@host/db", "dbname=postgresql://u:***@host/db" },
	{ "host=h passwordless=1", "host=h passwordless=1" },
};

static void test_redact_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[512];
		strata_redact_url(cases[i].url, buf, sizeof buf);
		if (strcmp(buf, cases[i].shown) != 0)
			print_error("url [%s]: shown [%s], want [%s]\n", cases[i].url, buf,
			            cases[i].shown);
		assert_string_equal(buf, cases[i].shown);
	}
}

/* No case shows a byte of its secret: the words above that are passwords. */
static void test_no_secret_survives(void **state)
{
	(void)state;
	static const char *const secrets[] = { "secret", "ss@", "pa/", "a@b@c", "s@c", "two", "key" };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strstr(cases[i].url, "application_name") || strstr(cases[i].url, "#"))
			continue; /* '@' there is not a secret */
		char buf[512];
		strata_redact_url(cases[i].url, buf, sizeof buf);
		for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++)
			if (strstr(cases[i].url, secrets[k]))
				assert_null(strstr(buf, secrets[k]));
	}
}

/* A buffer too small cuts the text, never overflows, and still ends in NUL;
 * the cut is of the redacted text, so no password is shown either. */
static void test_small_buffer(void **state)
{
	(void)state;
	char buf[16];
	memset(buf, 'x', sizeof buf);
	strata_redact_url("postgresql://u:p@ss@host/db", buf, sizeof buf);
	assert_int_equal(strlen(buf), sizeof buf - 1);
	assert_string_equal(buf, "postgresql://u:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_cases),
		cmocka_unit_test(test_no_secret_survives),
		cmocka_unit_test(test_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
