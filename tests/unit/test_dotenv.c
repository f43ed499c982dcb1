/*
 * Unit tests of core/config/dotenv.c: the .env reader.  Every accepted case
 * gives the value the Prisma CLI 6.19.3 gets from the same line (observed
 * with the real CLI, docs/config.md#env-files); every refused one gives one
 * error at file:line:col that quotes no value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

typedef struct fx {
	err_ctx e;
	dotenv env;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	err_ctx_init(&f->e);
	/* Names the tests use must not come from the real environment. */
	static const char *const names[] = {"A", "B", "C", "K", "URL", "X", "Y", "Z", "REAL", "NOPE"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		unsetenv(names[i]);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	dotenv_free(&f->env);
	err_ctx_free(&f->e);
	unsetenv("REAL");
	free(f);
	return 0;
}

/* Loads text as ".env" into f->env and expects success. */
static void load_ok(fx *f, const char *text)
{
	int rc = dotenv_load_text(&f->e, &f->env, ".env", text, strlen(text));
	const strata_error_info *e = err_last(&f->e);
	if (rc)
		print_error("unexpected error: %s:%d:%d: %s\n", e ? e->file : "?", e ? e->line : 0,
		            e ? e->col : 0, e ? e->message : "?");
	assert_int_equal(rc, 0);
}

/* The value of name after loading text (NULL: not set). */
static const char *value_of(fx *f, const char *text, const char *name)
{
	load_ok(f, text);
	return dotenv_get(&f->env, name);
}

static void is(fx *f, const char *text, const char *name, const char *want)
{
	dotenv_free(&f->env);
	const char *got = value_of(f, text, name);
	if (!got || strcmp(got, want))
		fail_msg("%s from [%s]: expected [%s], got [%s]", name, text, want, got ? got : "(unset)");
}

/* Loads text and expects one config error at line:col whose message holds
 * want and which quotes nothing of the file's values ("s3cret"). */
static void err_at(fx *f, const char *text, int line, int col, const char *want)
{
	dotenv_free(&f->env);
	int rc = dotenv_load_text(&f->e, &f->env, "app/.env", text, strlen(text));
	assert_int_equal(rc, STRATA_EINVAL);
	const strata_error_info *e = err_last(&f->e);
	assert_non_null(e);
	assert_int_equal(e->cls, STRATA_ECLASS_CONFIG);
	assert_string_equal(e->file, "app/.env");
	if (!strstr(e->message, want))
		fail_msg("message '%s' lacks '%s'", e->message, want);
	assert_non_null(e->hint);
	assert_null(strstr(e->message, "s3cret"));
	assert_null(strstr(e->hint, "s3cret"));
	assert_int_equal(e->line, line);
	if (col >= 0)
		assert_int_equal(e->col, col);
	assert_int_equal(f->env.n, 0); /* a broken file gives nothing */
	err_clear(&f->e);
}

/* ---- the syntax, line by line ---- */

static void test_plain(void **state)
{
	fx *f = *state;
	is(f, "URL=file:plain.db\n", "URL", "file:plain.db");
	is(f, "URL=file:plain.db", "URL", "file:plain.db"); /* no final newline */
	is(f, "export URL=file:exp.db\n", "URL", "file:exp.db");
	is(f, "  export   URL  =   file:sp.db   \n", "URL", "file:sp.db");
	is(f, "\tURL\t=\tv\t\n", "URL", "v");
	is(f, "URL: file:colon.db\n", "URL", "file:colon.db");
	is(f, "URL:\tv\n", "URL", "v");
	is(f, "a.b-c_1=dots\n", "a.b-c_1", "dots");
	is(f, "exportA=1\n", "exportA", "1");  /* no blank: part of the name */
	is(f, "export=1\n", "export", "1");
	is(f, "export export=2\n", "export", "2");
	is(f, "K=a b  c\n", "K", "a b  c");
	is(f, "K=x=y=z\n", "K", "x=y=z");
	is(f, "K=\n", "K", "");
	is(f, "K=   \n", "K", "");
}

static void test_comments(void **state)
{
	fx *f = *state;
	is(f, "# comment\n\n   # indented\nURL=file:c.db\n\n", "URL", "file:c.db");
	is(f, "URL=file:a#b.db\n", "URL", "file:a");          /* # ends an unquoted value */
	is(f, "URL=file:a b.db # c\n", "URL", "file:a b.db");
	is(f, "URL=#all comment\n", "URL", "");
	is(f, "URL=\"file:a#b.db\" # c\n", "URL", "file:a#b.db");
	is(f, "URL='v'#c\n", "URL", "v");
	is(f, "URL=\"v\"   \n", "URL", "v");
}

static void test_quotes(void **state)
{
	fx *f = *state;
	is(f, "URL='file:s q.db'\n", "URL", "file:s q.db");
	is(f, "URL=`file:bt.db`\n", "URL", "file:bt.db");
	is(f, "URL=\"  padded  \"\n", "URL", "  padded  ");
	is(f, "URL=\"file:a\\nb.db\"\n", "URL", "file:a\nb.db"); /* \n in "…" only */
	is(f, "URL=\"a\\rb\"\n", "URL", "a\rb");
	is(f, "URL='file:a\\nb.db'\n", "URL", "file:a\\nb.db");
	is(f, "URL=`a\\nb`\n", "URL", "a\\nb");
	is(f, "URL=\"a\\\\nb\"\n", "URL", "a\\\nb");             /* a\\nb: \ then newline */
	is(f, "URL=\"file:a\\\"b.db\"\n", "URL", "file:a\\\"b.db"); /* \" stays as written */
	is(f, "URL='it\\'s'\n", "URL", "it\\'s");
	is(f, "URL=\"it's\"\n", "URL", "it's");
	is(f, "URL='say \"hi\"'\n", "URL", "say \"hi\"");
	is(f, "URL=''\n", "URL", "");
	is(f, "URL=\"\"\n", "URL", "");
	/* No unescaped quote fits: dotenv backs up to the last escaped one that
	 * ends the line: 'C:\dir\' is C:\dir\ . */
	is(f, "URL='C:\\dir\\' # c\n", "URL", "C:\\dir\\");
	is(f, "URL='C:\\dir\\'\nB=it's\n", "URL", "C:\\dir\\");
	is(f, "URL='C:\\dir\\'\nB=it's\n", "B", "it's");
}

static void test_multiline(void **state)
{
	fx *f = *state;
	is(f, "URL=\"file:multi\nline.db\"\n", "URL", "file:multi\nline.db");
	is(f, "K='a\n# not a comment\nb'\nURL=after\n", "K", "a\n# not a comment\nb");
	is(f, "K='a\n# not a comment\nb'\nURL=after\n", "URL", "after");
	is(f, "K=`x\n\ny` # c\nURL=u\n", "K", "x\n\ny");
}

static void test_line_ends(void **state)
{
	fx *f = *state;
	is(f, "URL=file:crlf.db\r\nK=k\r\n", "URL", "file:crlf.db");
	is(f, "URL=file:crlf.db\r\nK=k\r\n", "K", "k");
	is(f, "URL=cr\rK=k\r", "K", "k");                         /* a lone CR ends a line */
	is(f, "K=\"a\r\nb\"\r\n", "K", "a\nb");
	is(f, "\xEF\xBB\xBFURL=bom\n", "URL", "bom");             /* byte order mark */
}

static void test_repeated(void **state)
{
	fx *f = *state;
	is(f, "URL=file:first.db\nURL=file:second.db\n", "URL", "file:second.db");
	assert_int_equal(f->env.n, 1);
}

/* ---- ${VAR} ---- */

static void test_expand(void **state)
{
	fx *f = *state;
	is(f, "A=x\nURL=file:${A}.db\n", "URL", "file:x.db");
	is(f, "URL=file:${A}.db\nA=later\n", "URL", "file:later.db");
	is(f, "URL=file:${NOPE}.db\n", "URL", "file:.db");         /* unknown: empty */
	is(f, "URL=file:$A.db\nA=x\n", "URL", "file:$A.db");       /* braces only */
	is(f, "A=x\nURL=file:\\${A}.db\n", "URL", "file:${A}.db");  /* \${ is literal */
	is(f, "URL=file:${A:-def}.db\n", "URL", "file:${A:-def}.db");
	is(f, "URL=file:${}.db\n", "URL", "file:.db");
	is(f, "URL=${\n", "URL", "${");
	is(f, "A=x\nURL='file:${A}sq.db'\n", "URL", "file:xsq.db"); /* also in '…' */
	is(f, "A=${B}\nB=y\nURL=file:${A}.db\n", "URL", "file:y.db");
	is(f, "A=1\nB=2\nURL=${A}${B}$${A}\n", "URL", "12$1");
	is(f, "A=\\${B}\nB=2\nURL=${A}\n", "URL", "${B}");          /* expanded once */
}

static void test_real_environment(void **state)
{
	fx *f = *state;
	setenv("REAL", "realx", 1);
	is(f, "URL=file:${REAL}.db\n", "URL", "file:realx.db");
	is(f, "REAL=filex\nURL=file:${REAL}.db\n", "URL", "file:realx.db");
	/* A name the real environment has is not taken from the file. */
	dotenv_free(&f->env);
	load_ok(f, "REAL=filex\nK=k\n");
	assert_null(dotenv_get(&f->env, "REAL"));
	assert_string_equal(dotenv_get(&f->env, "K"), "k");
	/* Set but empty is set. */
	setenv("REAL", "", 1);
	is(f, "REAL=filex\nURL=[${REAL}]\n", "URL", "[]");
	/* A value from the real environment is used as it is. */
	setenv("REAL", "${K}", 1);
	is(f, "K=k\nURL=${REAL}\n", "URL", "${K}");
}

static void test_earlier_file(void **state)
{
	fx *f = *state;
	load_ok(f, "A=root\nURL=file:root.db\n");
	load_ok(f, "URL=file:prisma.db\nB=${A}-p\nA=ignored\n");
	assert_string_equal(dotenv_get(&f->env, "URL"), "file:root.db"); /* first file wins */
	assert_string_equal(dotenv_get(&f->env, "A"), "root");
	assert_string_equal(dotenv_get(&f->env, "B"), "root-p");
	assert_int_equal(f->env.n, 3);
}

static void test_cycles(void **state)
{
	fx *f = *state;
	err_at(f, "A=${A}\n", 1, -1, "variable 'A' refers to itself");
	err_at(f, "K=1\nA=${B}\nB=x${A}\n", 2, -1, "refers to itself");
	/* A name the real environment has breaks the cycle, as in Prisma. */
	setenv("REAL", "r", 1);
	is(f, "REAL=${A}\nA=${REAL}\n", "A", "r");
}

/* ---- refused lines ---- */

static void test_errors(void **state)
{
	fx *f = *state;
	err_at(f, "URL=ok\ngarbage line s3cret\n", 2, 1, "expected NAME=VALUE");
	err_at(f, "DATABSE_URL postgres://u:s3cret@h/db\n", 1, 1, "expected NAME=VALUE");
	err_at(f, "URL:file:s3cret.db\n", 1, 1, "expected NAME=VALUE");   /* ':' needs a blank */
	err_at(f, "URL :v\n", 1, 1, "expected NAME=VALUE");
	err_at(f, "URL\n=s3cret\n", 1, 1, "expected NAME=VALUE");
	err_at(f, "# c\n  export URL\n", 2, 3, "expected NAME=VALUE");
	err_at(f, "export\nURL=1\n", 1, 1, "expected NAME=VALUE");
	err_at(f, "=s3cret\n", 1, 1, "expected NAME=VALUE");
	err_at(f, "A=1\n  URL=\"s3cret\n", 2, 7, "opening \" is not closed");
	err_at(f, "URL='s3cret\nB=1\nC=2\n", 1, 5, "opening ' is not closed");
	err_at(f, "URL=\"file:s3cret.db\" junk\n", 1, 5, "is not closed");
	err_at(f, "URL='it's'\n", 1, 5, "is not closed");
	err_at(f, "URL=`s3cret\n", 1, 5, "opening ` is not closed");
	err_at(f, "URL='\n", 1, 5, "is not closed");
	/* Lines after a multi-line value keep their numbers. */
	err_at(f, "K=\"a\nb\nc\"\nbad\n", 4, 1, "expected NAME=VALUE");
	err_at(f, "K=1\r\n\r\nbad\r\n", 3, 1, "expected NAME=VALUE");
}

static void test_nul(void **state)
{
	fx *f = *state;
	int rc = dotenv_load_text(&f->e, &f->env, ".env", "A=1\0B=2\n", 8);
	assert_int_equal(rc, STRATA_EINVAL);
	assert_string_equal(err_last(&f->e)->file, ".env");
	assert_non_null(strstr(err_last(&f->e)->message, "NUL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_earlier_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
