/*
 * Unit tests of the Alembic plugin's Python reader: both revision templates
 * as Alembic writes them, merges, labels, dependencies, the Python that must
 * be skipped (docstrings, function bodies, continuations), line endings, and
 * the errors with their exact lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pyread.h"

/* Reads src expecting success; the caller frees r. */
static void read_ok(const char *src, py_revision *r)
{
	char err[256];
	int line = -1;
	int rc = py_read_revision(src, strlen(src), r, err, sizeof err, &line);
	if (rc != 0)
		fail_msg("unexpected error at line %d: %s", line, err);
	assert_int_equal(line, 0);
}

/* Reads len bytes of src expecting an error at `line` whose message
 * contains `want`. */
static void read_err_n(const char *src, size_t len, int line, const char *want)
{
	py_revision r;
	char err[256];
	int got = 0;
	assert_int_equal(py_read_revision(src, len, &r, err, sizeof err, &got), -1);
	if (!strstr(err, want) || got != line)
		fail_msg("got line %d \"%s\", want line %d \"%s\"", got, err, line, want);
	assert_int_equal(r.has_revision, 0);
	assert_null(r.revision.str);
}

static void read_err(const char *src, int line, const char *want)
{
	read_err_n(src, strlen(src), line, want);
}

static void assert_str(const py_value *v, const char *s)
{
	assert_int_equal(v->kind, PY_STR);
	assert_string_equal(v->str, s);
}

static void assert_none(const py_value *v)
{
	assert_int_equal(v->kind, PY_NONE);
	assert_null(v->str);
	assert_int_equal(v->nitems, 0);
}

static void assert_items(const py_value *v, size_t n, const char *a, const char *b)
{
	assert_int_equal(v->kind, PY_LIST);
	assert_int_equal(v->nitems, n);
	if (n > 0)
		assert_string_equal(v->items[0], a);
	if (n > 1)
		assert_string_equal(v->items[1], b);
}

static const char classic[] =
	"\"\"\"create account table\n"
	"\n"
	"Revision ID: 2dbdae9a05e6\n"
	"Revises: \n"
	"Create Date: 2026-11-21 08:45:41.670880\n"
	"\n"
	"\"\"\"\n"
	"from alembic import op\n"
	"import sqlalchemy as sa\n"
	"\n"
	"\n"
	"# revision identifiers, used by Alembic.\n"
	"revision = '2dbdae9a05e6'\n"
	"down_revision = None\n"
	"branch_labels = None\n"
	"depends_on = None\n"
	"\n"
	"\n"
	"def upgrade() -> None:\n"
	"    pass\n"
	"\n"
	"\n"
	"def downgrade() -> None:\n"
	"    pass\n";

static const char typed_merge[] =
	"\"\"\"merge\n"
	"\n"
	"Revision ID: 34879afc65c7\n"
	"Revises: 6b2f3d91b504, e117ae8268d2\n"
	"Create Date: 2026-11-21 08:50:09.387068\n"
	"\n"
	"\"\"\"\n"
	"from typing import Sequence, Union\n"
	"\n"
	"from alembic import op\n"
	"import sqlalchemy as sa\n"
	"\n"
	"\n"
	"# revision identifiers, used by Alembic.\n"
	"revision: str = '34879afc65c7'\n"
	"down_revision: Union[str, Sequence[str], None] = ('6b2f3d91b504', 'e117ae8268d2')\n"
	"branch_labels: Union[str, Sequence[str], None] = None\n"
	"depends_on: Union[str, Sequence[str], None] = None\n"
	"\n"
	"\n"
	"def upgrade() -> None:\n"
	"    \"\"\"Upgrade schema.\"\"\"\n"
	"    pass\n"
	"\n"
	"\n"
	"def downgrade() -> None:\n"
	"    \"\"\"Downgrade schema.\"\"\"\n"
	"    pass\n";

/* The 1.8 template, verbatim from the reference: a root revision. */
static void classic_template(void **state)
{
	(void)state;
	py_revision r;
	read_ok(classic, &r);
	assert_true(r.has_revision && r.has_down && r.has_labels && r.has_depends);
	assert_str(&r.revision, "2dbdae9a05e6");
	assert_int_equal(r.revision.line, 13);
	assert_none(&r.down_revision);
	assert_int_equal(r.down_revision.line, 14);
	assert_none(&r.branch_labels);
	assert_none(&r.depends_on);
	assert_int_equal(r.upgrade_line, 19);
	assert_int_equal(r.downgrade_line, 23);
	py_revision_free(&r);
}

/* The typed template (1.16.2+) with a merge tuple behind the annotation. */
static void typed_template_merge(void **state)
{
	(void)state;
	py_revision r;
	read_ok(typed_merge, &r);
	assert_str(&r.revision, "34879afc65c7");
	assert_items(&r.down_revision, 2, "6b2f3d91b504", "e117ae8268d2");
	assert_int_equal(r.down_revision.line, 16);
	assert_none(&r.branch_labels);
	assert_none(&r.depends_on);
	assert_int_equal(r.upgrade_line, 21);
	assert_int_equal(r.downgrade_line, 26);
	py_revision_free(&r);
}

/* Classic merge, a one-element label tuple, a string and a list depends_on,
 * and the 1.13 annotation `Union[str, None]` on a tuple. */
static void sequences(void **state)
{
	(void)state;
	py_revision r;
	read_ok("revision = '4e59b2f305aa'\n"
	        "down_revision = ('2cf49b3b783c', '0daead045206')\n"
	        "branch_labels = ('reporting',)\n"
	        "depends_on = '35fa2f86eb54'\n", &r);
	assert_items(&r.down_revision, 2, "2cf49b3b783c", "0daead045206");
	assert_items(&r.branch_labels, 1, "reporting", NULL);
	assert_str(&r.depends_on, "35fa2f86eb54");
	py_revision_free(&r);

	read_ok("revision: str = 'c4570570f738'\n"
	        "down_revision: Union[str, None] = ('1e2353b58a28', 'aa37089a82f1')\n"
	        "branch_labels: Union[str, Sequence[str], None] = ('a', 'b',)\n"
	        "depends_on: Union[str, Sequence[str], None] = ['e7f59db3bc93', 'e117ae8268d2']\n", &r);
	assert_items(&r.down_revision, 2, "1e2353b58a28", "aa37089a82f1");
	assert_items(&r.branch_labels, 2, "a", "b");
	assert_items(&r.depends_on, 2, "e7f59db3bc93", "e117ae8268d2");
	py_revision_free(&r);

	read_ok("revision = ('x')\ndown_revision = ()\nbranch_labels = []\ndepends_on = ['d']\n", &r);
	assert_str(&r.revision, "x");
	assert_items(&r.down_revision, 0, NULL, NULL);
	assert_items(&r.branch_labels, 0, NULL, NULL);
	assert_items(&r.depends_on, 1, "d", NULL);
	py_revision_free(&r);

	read_ok("down_revision = (\n    'a',\n    # the other parent\n    'b',\n)\nrevision = 'm'\n", &r);
	assert_items(&r.down_revision, 2, "a", "b");
	assert_int_equal(r.down_revision.line, 1);
	assert_int_equal(r.revision.line, 6);
	py_revision_free(&r);
}

/* Docstrings, strings and function bodies that look like assignments are
 * not module-level assignments. */
static void lookalikes_ignored(void **state)
{
	(void)state;
	py_revision r;
	read_ok("\"\"\"Doc\nrevision = 'fake'\ndown_revision = 'fake'\n\"\"\"\n"
	        "x = '''\nrevision = 'fake2'\n'''\n"
	        "revision = 'real'\n"
	        "def upgrade():\n"
	        "    revision = 'x'\n"
	        "    op.execute(\"\"\"\n"
	        "revision = 'inside'\n"
	        "\"\"\")\n"
	        "class C:\n"
	        "    depends_on = 'no'\n"
	        "if True:\n"
	        "\tbranch_labels = 'no'\n"
	        "if False: down_revision = 'no'\n"
	        "revision.x = 'no'\n"
	        "revision == 'no'\n"
	        "y = {'revision': 'no',\n"
	        "revision: 'no'}\n"
	        "def downgrade():\n"
	        "    pass\n", &r);
	assert_str(&r.revision, "real");
	assert_int_equal(r.revision.line, 8);
	assert_false(r.has_down || r.has_labels || r.has_depends);
	assert_int_equal(r.upgrade_line, 9);
	assert_int_equal(r.downgrade_line, 23);
	py_revision_free(&r);
}

/* Triple-quoted strings with quotes inside, escapes, prefixes, implicit
 * concatenation, continuations, comments after values, and overriding. */
static void strings_and_lines(void **state)
{
	(void)state;
	py_revision r;
	read_ok("'''it's \"quoted\" '' and ''\\' done'''\n"
	        "revision = \"\"\"a'b\"c\"\"\"\n"
	        "down_revision = 'ab' 'cd' \\\n"
	        "    \"ef\"  # comment\n"
	        "branch_labels = R'x\\y' u'\\t\\x41\\xe9\\'' \\\n"
	        "\n", &r);
	assert_str(&r.revision, "a'b\"c");
	assert_str(&r.down_revision, "abcdef");
	assert_str(&r.branch_labels, "x\\y\tA\xC3\xA9'");
	py_revision_free(&r);

	read_ok("revision = 'first'\n"
	        "x = [1,\n  2]; revision = 'no'\n"
	        "revision = 'a\\\nb'  # later wins\n"
	        "depends_on = \\\n  None\n"
	        "down_revision = 'p'; branch_labels = 'q'", &r);
	assert_str(&r.revision, "ab");
	assert_int_equal(r.revision.line, 4);

	assert_none(&r.depends_on);
	assert_int_equal(r.depends_on.line, 6);
	assert_str(&r.down_revision, "p");
	assert_str(&r.branch_labels, "q");
	py_revision_free(&r);

	/* Python folds 'a' + 'b' at compile time; Alembic reads "ab". */
	read_ok("revision = 'a' + 'b'\ndown_revision = 'c'\n", &r);
	assert_str(&r.revision, "ab");
	py_revision_free(&r);
}

/* CRLF line endings and a UTF-8 byte-order mark, with tabs. */
static void crlf_bom(void **state)
{
	(void)state;
	py_revision r;
	read_ok("\xEF\xBB\xBF\"\"\"Doc\r\nrevision = 'fake'\r\n\"\"\"\r\n"
	        "revision\t=\t'r1'\r\n"
	        "down_revision = ('a',\r\n\t'b')\r\n"
	        "branch_labels = '''x\r\ny'''\r\n"
	        "depends_on = 'c' \\\r\n 'd'\r\n"
	        "def upgrade():\r\n\tpass\r\n", &r);
	assert_str(&r.revision, "r1");
	assert_int_equal(r.revision.line, 4);
	assert_items(&r.down_revision, 2, "a", "b");
	assert_str(&r.branch_labels, "x\ny");
	assert_str(&r.depends_on, "cd");
	assert_int_equal(r.depends_on.line, 9);
	assert_int_equal(r.upgrade_line, 11);
	py_revision_free(&r);
}

/* None everywhere; a file without revision; empty input. */
static void none_and_missing(void **state)
{
	(void)state;
	py_revision r;
	read_ok("revision = None\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n", &r);
	assert_true(r.has_revision && r.has_down && r.has_labels && r.has_depends);
	assert_none(&r.revision);
	assert_none(&r.depends_on);
	py_revision_free(&r);

	read_ok("down_revision = 'a'\nrevision: str\n", &r);
	assert_int_equal(r.has_revision, 0);
	assert_null(r.revision.str);
	assert_str(&r.down_revision, "a");
	assert_int_equal(r.upgrade_line, 0);
	py_revision_free(&r);

	read_ok("", &r);
	assert_false(r.has_revision || r.has_down || r.upgrade_line);
	py_revision_free(&r);
}

/* Values that are not literals, and broken Python, with their lines. */
static void errors(void **state)
{
	(void)state;
	read_err("revision = 'a'\n\ndown_revision = f'{x}'\n", 3, "down_revision: an f-string is not a literal");
	read_err("revision = 'a'\ndown_revision = F\"x\"\n", 2, "f-string");
	read_err("\"\"\"doc\n\"\"\"\nrevision = abc\n", 3,
	         "revision: expected a string, None, a tuple or a list");
	read_err("down_revision = 42\n", 1, "down_revision: expected a string, None, a tuple or a list");
	read_err("depends_on = foo('x')\n", 1, "depends_on: expected");
	read_err("revision = 'a' x\n", 1, "revision: not a literal");
	read_err("revision = 'a'.upper()\n", 1, "revision: expected");
	read_err("branch_labels = ('a', None)\n", 1, "branch_labels: expected");
	read_err("branch_labels = ('a' 'b' c)\n", 1, "branch_labels: expected");
	read_err("revision = b'x'\n", 1, "revision: a bytes literal is not a string");
	read_err("revision = 'a'\nx = 'oops\nrevision = 'b'\n", 2, "unterminated string");
	read_err("revision = 'a'\nx = \"\"\"never\nclosed\n\n", 2, "unterminated triple-quoted string");
	read_err("x = 1\ndown_revision = ('a',\n 'b'\n\n", 2, "'(' was never closed");
	read_err("x = 1\ny = [1,\n (2,\n 3]\n", 4, "closing parenthesis ']' does not match opening parenthesis '(' on line 3");
	read_err("x = 1\ny = 2]\n", 2, "unmatched ']'");
	read_err("x = 1 \\ y\n", 1, "line continuation");
	read_err("revision = 'a\\x4'\n", 1, "invalid \\x escape");
	static const char nul[] = "revision = 'a'\r\n\r\nx = 'a\0b'\n";
	read_err_n(nul, sizeof nul - 1, 3, "NUL");
}

/* NULL err/errline are allowed; the message is truncated to errsize. */
static void small_err_buffer(void **state)
{
	(void)state;
	py_revision r;
	char err[8];
	assert_int_equal(py_read_revision("revision = x\n", 13, &r, NULL, 0, NULL), -1);
	assert_int_equal(py_read_revision("revision = x\n", 13, &r, err, sizeof err, NULL), -1);
	assert_string_equal(err, "revisio");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classic_template),
		cmocka_unit_test(typed_template_merge),
		cmocka_unit_test(sequences),
		cmocka_unit_test(lookalikes_ignored),
		cmocka_unit_test(strings_and_lines),
		cmocka_unit_test(crlf_bom),
		cmocka_unit_test(none_and_missing),
		cmocka_unit_test(errors),
		cmocka_unit_test(small_err_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
