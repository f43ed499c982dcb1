/*
 * Unit tests of core/config/config_edit.c: strata adopt's in-place edit of
 * strata.yaml keeps every byte it does not mean to change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const layout_k[] = { "layout", NULL };
static const char *const layout_v[] = { "dbmate", NULL };

static char *edit(const char *in, const char *old, const cfg_new_source *ns, int *rc)
{
	err_ctx e;
	char *out = NULL;
	err_ctx_init(&e);
	*rc = config_edit_adopt(&e, "strata.yaml", in, strlen(in), old, ns, &out);
	err_ctx_free(&e);
	return out;
}

static void block_with_comments(void **state)
{
	(void)state;
	const char *in = "# the project's migrations\n"
	                 "database: sqlite:app.db  # local\n"
	                 "sources:\n"
	                 "  - name: db      # the old one\n"
	                 "    format: sqlpair\n"
	                 "    path: db/migrations\n"
	                 "\n"
	                 "# trailing comment\n"
	                 "lock_timeout: 5s\n";
	cfg_new_source ns = { "prisma", "prisma", "prisma/migrations", NULL, NULL };
	int rc;
	char *out = edit(in, "db", &ns, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "# the project's migrations\n"
	                         "database: sqlite:app.db  # local\n"
	                         "sources:\n"
	                         "  - name: db      # the old one\n"
	                         "    format: sqlpair\n"
	                         "    path: db/migrations\n"
	                         "    retired: true\n"
	                         "  - name: prisma\n"
	                         "    format: prisma\n"
	                         "    path: prisma/migrations\n"
	                         "\n"
	                         "# trailing comment\n"
	                         "lock_timeout: 5s\n");
	free(out);
}

static void second_of_two_no_final_newline(void **state)
{
	(void)state;
	const char *in = "sources:\n"
	                 "- name: a\n"
	                 "  format: prisma\n"
	                 "  path: p\n"
	                 "- name: old\n"
	                 "  format: alembic\n"
	                 "  path: \"al embic\"";
	cfg_new_source ns = { "db", "sqlpair", "db/migrations", layout_k, layout_v };
	int rc;
	char *out = edit(in, "old", &ns, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "sources:\n"
	                         "- name: a\n"
	                         "  format: prisma\n"
	                         "  path: p\n"
	                         "- name: old\n"
	                         "  format: alembic\n"
	                         "  path: \"al embic\"\n"
	                         "  retired: true\n"
	                         "- name: db\n"
	                         "  format: sqlpair\n"
	                         "  path: db/migrations\n"
	                         "  layout: dbmate\n");
	free(out);
}

static void flow_entry_and_existing_retired(void **state)
{
	(void)state;
	const char *in = "sources:\n"
	                 "  - {name: old, format: alembic, path: x}   # flow\n"
	                 "  - name: other\n"
	                 "    retired: false\n"
	                 "    format: sqlpair\n"
	                 "    path: \"y z\"\n";
	cfg_new_source ns = { "prisma", "prisma", "a b", NULL, NULL };
	int rc;
	char *out = edit(in, "old", &ns, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "sources:\n"
	                         "  - {name: old, format: alembic, path: x, retired: true}   # flow\n"
	                         "  - name: other\n"
	                         "    retired: false\n"
	                         "    format: sqlpair\n"
	                         "    path: \"y z\"\n"
	                         "  - name: prisma\n"
	                         "    format: prisma\n"
	                         "    path: \"a b\"\n");
	free(out);
	out = edit(in, "other", &ns, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "    retired: true\n    format: sqlpair\n"));
	free(out);
}

static void refusals(void **state)
{
	(void)state;
	cfg_new_source ns = { "prisma", "prisma", "p", NULL, NULL };
	int rc;
	assert_null(edit("sources: [{name: a, format: f, path: p}]\n", "a", &ns, &rc));
	assert_int_equal(rc, STRATA_EINVAL);
	assert_null(edit("sources:\n  - name: prisma\n    format: prisma\n    path: p\n", "prisma",
	                 &ns, &rc));
	assert_int_equal(rc, STRATA_EINVAL);
	assert_null(edit("sources:\n  - name: a\n    format: f\n    path: p\n", "nope", &ns, &rc));
	assert_int_equal(rc, STRATA_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_with_comments),
		cmocka_unit_test(second_of_two_no_final_newline),
		cmocka_unit_test(flow_entry_and_existing_retired),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
