/*
 * plugins/alembic/pyexpr.c: the source line where each line of a string
 * literal's value starts (px.lines), which the translator needs to name the
 * .py line of a failing line inside op.execute("""…""").  Line breaks in
 * the source start the next line; \n and other escapes stay on theirs (and
 * make that line's columns unknown: 0);
 * backslash-newline joins; implicit and + concatenation continue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pyexpr.h"

typedef struct want {
	const char *src;
	int n;
	int lines[8];
	int cols[8];
} want;

static int check_one(const px_toks *tk, void *ud)
{
	const want *w = ud;
	jmp_buf oom;
	px_arena a = { .oom = &oom };
	if (setjmp(oom))
		fail_msg("out of memory");
	int i = 0;
	px *e = px_parse_expr(&a, tk->t, &i, tk->n);
	assert_int_equal(e->k, PX_STR);
	print_message("# %s\n", w->src);
	assert_int_equal(e->nlines, w->n);
	for (int k = 0; k < w->n; k++) {
		assert_int_equal(e->lines[k], w->lines[k]);
		assert_int_equal(e->cols[k], w->cols[k]);
	}
	int nl = 0;
	for (size_t k = 0; k < e->n; k++)
		nl += e->s[k] == '\n';
	assert_int_equal(nl + 1, e->nlines);
	px_arena_free(&a);
	return 0;
}

static void lines(void **state)
{
	(void)state;
	static const want cases[] = {
		{ "'one line'", 1, { 1 }, { 2 } },
		{ "\n\n  'on line three'", 1, { 3 }, { 4 } },
		{ "\"\"\"\nA;\n  B;\n\"\"\"", 4, { 1, 2, 3, 4 }, { 4, 1, 1, 1 } },
		{ "'a\\nb\\nc'", 3, { 1, 1, 1 }, { 0, 0, 8 } },
		{ "'''a\\\nb\nc'''", 2, { 1, 3 }, { 0, 1 } },
		{ "r'''a\\\nb'''", 2, { 1, 2 }, { 5, 1 } },
		{ "('x\\n'\n 'y\\n'\n 'z')", 3, { 1, 2, 3 }, { 0, 0, 3 } },
		{ "'''p\nq''' + '''r\ns'''", 3, { 1, 2, 3 }, { 4, 0, 1 } },
		{ "'a\\n' + 'b'", 2, { 1, 1 }, { 0, 10 } },
		{ "('a\\n' +\n 'b')", 2, { 1, 2 }, { 0, 3 } },
		{ "'\\x0a\\012'", 3, { 1, 1, 1 }, { 0, 0, 10 } },
		{ "'a\\r\\nb'", 2, { 1, 1 }, { 0, 7 } },
		{ "'''a\r\nb\rc'''", 3, { 1, 2, 3 }, { 4, 1, 1 } },
		{ "'\xc3\xa9\xc3\xa9' 'x'", 1, { 1 }, { 0 } },
		{ "'''\xc3\xa9\n\xc3\xa9'''", 2, { 1, 2 }, { 4, 1 } },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char err[256];
		int el = 0;
		assert_int_equal(px_with_tokens(cases[k].src, strlen(cases[k].src), check_one, (void *)&cases[k], err,
		                                sizeof err, &el),
		                 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
