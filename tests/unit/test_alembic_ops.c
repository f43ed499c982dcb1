/*
 * Unit tests of the op.* → SQL translator (plugins/alembic/opsql*.c).  The
 * 58 cases of Appendix A of the Alembic reference are golden files
 * (tests/alembic/golden, unit-alembic-golden, expected SQL from the real
 * Alembic); here: the Python forms around them (string literals, bind
 * parameters, autogenerate style, CRLF, typed signatures), identifier
 * quoting, the constructs that must be reported untranslatable with their
 * line, and malformed files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsql.h"

/* The module around a snippet (as tests/alembic/golden/module-head.py): the
 * T1 table of the golden cases 49 and 51-58 at module level, then
 * `def upgrade():` with the snippet indented. */
#define T1_DEF                                                                                          \
	"T1 = sa.Table(\"t1\", sa.MetaData(), sa.Column(\"id\", sa.Integer, primary_key=True), "          \
	"sa.Column(\"name\", sa.String(50), nullable=False), sa.Column(\"note\", sa.String(50)), "        \
	"sa.Column(\"code\", sa.String(20)), sa.Column(\"other_id\", sa.Integer))\n"

static const char MODULE_HEAD[] =
	"\"\"\"op catalogue\n"
	"\n"
	"Revision ID: 0a1b2c3d4e5f\n"
	"Revises:\n"
	"\"\"\"\n"
	"from alembic import op\n"
	"import sqlalchemy as sa\n"
	"\n"
	"# revision identifiers, used by Alembic.\n"
	"revision = \"0a1b2c3d4e5f\"\n"
	"down_revision = None\n"
	"\n" T1_DEF "\n"
	"\n";

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* MODULE_HEAD + "def upgrade():" + body indented by 4 + a downgrade; the
 * caller frees.  *defline gets the line of `def upgrade(`. */
static char *module(const char *body, int *defline)
{
	size_t n = strlen(MODULE_HEAD) + strlen(body) * 2 + 256;
	char *s = malloc(n);
	assert_non_null(s);
	strcpy(s, MODULE_HEAD);
	if (defline)
		*defline = count_lines(MODULE_HEAD) + 1;
	strcat(s, "def upgrade():\n");
	const char *p = body;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l)
			strcat(s, "    ");
		strncat(s, p, l);
		strcat(s, "\n");
		p += l + (e ? 1 : 0);
	}
	strcat(s, "\n\ndef downgrade():\n    pass\n");
	return s;
}

static void translate(const char *src, opsql_dialect d, opsql_result *r)
{
	char err[256];
	int errline = -1;
	int rc = opsql_translate(src, strlen(src), "upgrade", d, r, err, sizeof err, &errline);
	if (rc != 0)
		fail_msg("translate failed at line %d: %s\n%s", errline, err, src);
}

/* Translates body (as the upgrade() of MODULE_HEAD) expecting OK and sql. */
static void expect_sql(const char *body, opsql_dialect d, const char *sql)
{
	int defline;
	char *src = module(body, &defline);
	opsql_result r;
	translate(src, d, &r);
	if (r.status != OPSQL_OK)
		fail_msg("%s: status %d line %d: %s\n%s", d == OPSQL_POSTGRESQL ? "pg" : "sqlite", r.status, r.line,
		         r.reason, body);
	if (strcmp(r.sql, sql))
		fail_msg("%s: got\n[%s]\nwant\n[%s]\nfor\n%s", d == OPSQL_POSTGRESQL ? "pg" : "sqlite", r.sql, sql, body);
	assert_int_equal(r.len, strlen(sql));
	assert_int_equal(r.line, defline);
	opsql_result_free(&r);
	free(src);
}

static void expect_both(const char *body, const char *sql)
{
	expect_sql(body, OPSQL_POSTGRESQL, sql);
	expect_sql(body, OPSQL_SQLITE, sql);
}

/* Expects `status` (not OK) at body line `bline` (1-based within body) with
 * a reason containing `want`. */
static void expect_stop(const char *body, opsql_dialect d, opsql_status status, int bline, const char *want)
{
	int defline;
	char *src = module(body, &defline);
	opsql_result r;
	translate(src, d, &r);
	if (r.status != status || r.line != defline + bline || !strstr(r.reason, want))
		fail_msg("%s: got status %d line %d \"%s\", want status %d line %d \"%s\"\n%s",
		         d == OPSQL_POSTGRESQL ? "pg" : "sqlite", r.status, r.line, r.reason, status, defline + bline,
		         want, body);
	assert_null(r.sql);
	opsql_result_free(&r);
	free(src);
}

static void untranslatable(const char *body, int bline, const char *want)
{
	expect_stop(body, OPSQL_POSTGRESQL, OPSQL_UNTRANSLATABLE, bline, want);
	expect_stop(body, OPSQL_SQLITE, OPSQL_UNTRANSLATABLE, bline, want);
}

static void test_execute_strings(void **state)
{
	(void)state;
	expect_both("op.execute('UPDATE t SET a = 1')", "UPDATE t SET a = 1;\n\n");
	expect_both("op.execute(\"UPDATE t SET a = 'x'\")", "UPDATE t SET a = 'x';\n\n");
	expect_both("op.execute('''UPDATE t SET a = \"x\"''')", "UPDATE t SET a = \"x\";\n\n");
	expect_both("op.execute(\"\"\"\n\tCREATE VIEW v AS\n\tSELECT 1\n\"\"\")",
	            "CREATE VIEW v AS\n        SELECT 1;\n\n");
	expect_both("op.execute(r\"SELECT 'a\\nb'\")", "SELECT 'a\\nb';\n\n");
	expect_both("op.execute(R'SELECT \\'\\d')", "SELECT \\'\\d;\n\n");
	expect_both("op.execute(\"SELECT 'a\\tb'\")", "SELECT 'a    b';\n\n");
	expect_both("op.execute(u'SELECT \\'\\x41\\u00e9\\101\\'')", "SELECT 'A\xc3\xa9" "A';\n\n");
	expect_both("op.execute(\n    \"UPDATE t \"\n    'SET a = 1'  # why\n    \"\"\" WHERE b\"\"\"\n)",
	            "UPDATE t SET a = 1 WHERE b;\n\n");
	expect_both("op.execute(\"UPDATE t \" + \"SET a = 1\")", "UPDATE t SET a = 1;\n\n");
	expect_both("op.execute(\"UPDATE t SET a = 1;\")", "UPDATE t SET a = 1;;\n\n");
	expect_both("op.execute(\"  \\n SELECT 1 \\n\\t\")", "SELECT 1;\n\n");
	expect_both("op.execute(sa.text(\"SELECT 1\"))", "SELECT 1;\n\n");
	expect_both("op.execute(\"SELECT a::int, '10:30', 'a:b' FROM t\")",
	            "SELECT a::int, '10:30', 'a:b' FROM t;\n\n");
	expect_both("op.execute(\"SELECT '\\\\:x', \\\\:y\")", "SELECT ':x', :y;\n\n");
	expect_both("op.execute(\"SELECT 1\"); op.execute('SELECT 2')", "SELECT 1;\n\nSELECT 2;\n\n");
	expect_both("op.execute('SELECT 1 -- a\\\n2')", "SELECT 1 -- a    2;\n\n");
	expect_both("op.execute(\"SELECT '100%'\")", "SELECT '100%';\n\n");
}

/* Bound values of sa.text().bindparams(): literals per dialect. */
static void test_execute_bindparams(void **state)
{
	(void)state;
	const char *b = "op.execute(sa.text(\"UPDATE t SET a=:a, b = :b, c = :c, d = (:d) WHERE e = :e\")"
	                ".bindparams(a=\"O'Brien\", b=None, c=True, d=-7, e=1.5))";
	expect_sql(b, OPSQL_POSTGRESQL, "UPDATE t SET a='O''Brien', b = NULL, c = true, d = (-7) WHERE e = 1.5;\n\n");
	expect_sql(b, OPSQL_SQLITE, "UPDATE t SET a='O''Brien', b = NULL, c = 1, d = (-7) WHERE e = 1.5;\n\n");
	/* offline, PostgreSQL's compiler doubles backslashes in literals */
	b = "op.execute(sa.text(\"SELECT :p\").bindparams(p='a\\\\b'))";
	expect_sql(b, OPSQL_POSTGRESQL, "SELECT 'a\\\\b';\n\n");
	expect_sql(b, OPSQL_SQLITE, "SELECT 'a\\b';\n\n");
	/* ":x::int" defines no parameter x (SQLAlchemy raises); ":xy::int" defines x */
	untranslatable("op.execute(text('SELECT :x::int').bindparams(x=3))", 1, "'x' is not in the text");
	expect_both("op.execute(text('SELECT :xy::int').bindparams(x=3))", "SELECT :xy::int;\n\n");
	expect_both("op.execute(text('SELECT :a$b, :c').bindparams(c='$'))", "SELECT :a$b, '$';\n\n");
	untranslatable("op.execute(sa.text(\"UPDATE t SET s = ':x' WHERE y = :y\"))", 1,
	               "bind parameter :x has no value");
	untranslatable("op.execute('UPDATE t SET a = 1 WHERE b = :b')", 1, "bind parameter :b has no value");
	untranslatable("op.execute(sa.text('SELECT :a').bindparams(a=1, z=2))", 1, "'z'");
}

/* What the walk refuses to guess, with the line of the construct. */
static void test_untranslatable(void **state)
{
	(void)state;
	untranslatable("for t in ['a', 'b']:\n    op.drop_table(t)", 1, "for loop");
	untranslatable("op.drop_table('a')\nif True:\n    op.drop_table('b')", 2, "if statement");
	untranslatable("while False:\n    pass", 1, "while loop");
	untranslatable("try:\n    op.drop_table('a')\nexcept Exception:\n    pass", 1, "try statement");
	untranslatable("op.drop_table('a')\nreturn", 2, "return statement");
	untranslatable("def helper():\n    pass", 1, "nested function definition");
	untranslatable("import os", 1, "import statement");
	untranslatable("conn = op.get_bind()\nconn.execute('x')", 1, "op.get_bind()");
	untranslatable("op.get_bind().execute(sa.text('SELECT 1'))", 1, "op.get_bind()");
	untranslatable("helper()", 1, "call to helper()");
	untranslatable("print('done')", 1, "call to print()");
	untranslatable("op.execute(f\"UPDATE t SET a = {x}\")", 1, "f-string in op.execute()");
	untranslatable("op.execute('UPDATE t SET a = %s' % x)", 1, "%-formatting in op.execute()");
	untranslatable("op.execute('UPDATE t SET a = {}'.format(x))", 1, "str.format() in op.execute()");
	untranslatable("op.execute(sql)", 1, "variable 'sql' in op.execute()");
	untranslatable("op.execute('SELECT \\N{EM DASH}')", 1, "\\N{...} escape in a string in op.execute()");
	expect_both("op.execute(r'SELECT \\N{x}')", "SELECT \\N{x};\n\n");
	untranslatable("sql = 'UPDATE t SET a = 1'\nop.execute(sql)", 1, "assignment to 'sql'");
	untranslatable("op.execute(T1.select())", 1, "T1.select() in op.execute()");
	untranslatable("op.execute(T1.update().values(name=x))", 1, "values() of T1: a value that is not a literal");
	untranslatable("op.execute(T1.update().where(T1.c.id.in_([1])).values(name=\"a\"))", 1,
	               "where() of T1 other than comparisons of its columns with literals, .is_(None) / .isnot(None), | and &");
	untranslatable("op.execute(T1.update())", 1, "T1.update() without values()");
	untranslatable("op.execute(T1.insert().values(bogus=1))", 1, "values() of T1: 'bogus' is not one of its columns");
	untranslatable("op.drop_table(\\\n    'a')\nfor x in y:\n    pass", 3, "for loop");
	untranslatable("op.execute(\n    '''a\n    b'''\n)\n\n# c\nwhile True:\n    pass", 7, "while loop");
	untranslatable("n = 1\n", 1, "assignment to 'n'");
	untranslatable("x += 1", 1, "augmented assignment");
	untranslatable("op.create_table('t', sa.Column('id', MyType()))", 1, "column type");
	untranslatable("op.create_table('t',\n    sa.Column('id', sa.Integer()),\n    sa.Column('x', sa.String(n)))", 3,
	               "arguments of column type");
	untranslatable("with open('f') as f:\n    pass", 1, "call to open()");
	untranslatable("op.drop_table(TABLES[0])", 1, "non-literal table_name");
	untranslatable("op.get_context().autocommit_block()", 1, "op.get_context()");
	untranslatable("op.invoke(x)", 1, "op.invoke()");
	untranslatable("op.bulk_insert(t, rows)", 1, "variable 't' is not a literal table");
	/* the reason is the first construct in file order */
	untranslatable("op.drop_table('a')\nop.drop_table('b')\nhelper()\nfor x in y:\n    pass", 3, "call to helper()");
}

/* batch_alter_table on SQLite needs the table: without copy_from it is
 * untranslatable, while PostgreSQL emits the plain ALTERs. */
static void test_batch(void **state)
{
	(void)state;
	const char *b = "with op.batch_alter_table('t1', schema=None) as b:\n    b.drop_column('x')\n    b.alter_column('y', nullable=True)";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "ALTER TABLE t1 DROP COLUMN x;\n\nALTER TABLE t1 ALTER COLUMN y DROP NOT NULL;\n\n");
	expect_stop(b, OPSQL_SQLITE, OPSQL_UNTRANSLATABLE, 1,
	            "batch_alter_table on SQLite without copy_from (the table's definition is only known from the live database)");
	/* add_column and indexes need no copy on SQLite */
	b = "with op.batch_alter_table('t1') as batch_op:\n    batch_op.add_column(sa.Column('z', sa.Integer()))\n"
	    "    batch_op.create_index('ix_z', ['z'])";
	expect_both(b, "ALTER TABLE t1 ADD COLUMN z INTEGER;\n\nCREATE INDEX ix_z ON t1 (z);\n\n");
	/* op.* inside the block runs at once, the batch at the end of the block */
	b = "with op.batch_alter_table('t1') as bop:\n    bop.add_column(sa.Column('z', sa.Integer()))\n"
	    "    op.execute('SELECT 1')";
	expect_both(b, "SELECT 1;\n\nALTER TABLE t1 ADD COLUMN z INTEGER;\n\n");
	/* T1 defined in the function body */
	b = "T1 = sa.Table('t1', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),\n"
	    "    sa.Column('note', sa.String(50)), sa.Column('code', sa.String(20)))\n"
	    "with op.batch_alter_table('t1', copy_from=T1) as batch_op:\n"
	    "    batch_op.drop_column('code')\n";
	expect_sql(b, OPSQL_SQLITE,
	           "CREATE TABLE _alembic_tmp_t1 (\n    id INTEGER NOT NULL, \n    note VARCHAR(50), \n    PRIMARY KEY (id)\n);\n\n"
	           "INSERT INTO _alembic_tmp_t1 (id, note) SELECT t1.id, t1.note \nFROM t1;\n\n"
	           "DROP TABLE t1;\n\nALTER TABLE _alembic_tmp_t1 RENAME TO t1;\n\n");
	expect_sql(b, OPSQL_POSTGRESQL, "ALTER TABLE t1 DROP COLUMN code;\n\n");
	b = "with op.batch_alter_table('t1', copy_from=T1) as b:\n    b.alter_column('code', type_=sa.Integer())";
	expect_stop(b, OPSQL_SQLITE, OPSQL_UNTRANSLATABLE, 2, "CAST");
	expect_sql(b, OPSQL_POSTGRESQL, "ALTER TABLE t1 ALTER COLUMN code TYPE INTEGER;\n\n");
	/* move and copy: a renamed column keeps its key for new indexes, which
	 * are created after the rename; index=True indexes are not copied */
	b = "T9 = sa.Table('t9', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),\n"
	    "    sa.Column('name', sa.String(50), index=True), sa.Column('note', sa.String(50)))\n"
	    "with op.batch_alter_table('t9', copy_from=T9) as b:\n"
	    "    b.alter_column('note', new_column_name='remark')\n"
	    "    b.create_index('ix_t9_note', ['note'], unique=True, sqlite_where=sa.text('note IS NOT NULL'))\n"
	    "    b.drop_index('ix_t9_name')";
	expect_sql(b, OPSQL_SQLITE,
	           "CREATE TABLE _alembic_tmp_t9 (\n    id INTEGER NOT NULL, \n    name VARCHAR(50), \n    remark VARCHAR(50), \n"
	           "    PRIMARY KEY (id)\n);\n\n"
	           "INSERT INTO _alembic_tmp_t9 (id, name, remark) SELECT t9.id, t9.name, t9.note \nFROM t9;\n\n"
	           "DROP TABLE t9;\n\nALTER TABLE _alembic_tmp_t9 RENAME TO t9;\n\n"
	           "CREATE UNIQUE INDEX ix_t9_note ON t9 (remark) WHERE note IS NOT NULL;\n\n");
	expect_sql(b, OPSQL_POSTGRESQL,
	           "ALTER TABLE t9 RENAME note TO remark;\n\nCREATE UNIQUE INDEX ix_t9_note ON t9 (note);\n\nDROP INDEX ix_t9_name;\n\n");
	/* named constraints: PostgreSQL drops them before the copy; new ones
	 * follow the copied named ones, unnamed ones come last */
	b = "T8 = sa.Table('t8', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),\n"
	    "    sa.Column('code', sa.String(10), server_default='x'), sa.UniqueConstraint('code', name='uq_code'),\n"
	    "    sa.CheckConstraint('id > 0'))\n"
	    "with op.batch_alter_table('t8', copy_from=T8, recreate='always') as b:\n"
	    "    b.add_column(sa.Column('z', sa.Integer, server_default=sa.text('0')))\n"
	    "    b.create_check_constraint('ck_z', 'z >= 0')";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "ALTER TABLE t8 DROP CONSTRAINT uq_code;\n\n"
	           "CREATE TABLE _alembic_tmp_t8 (\n    id SERIAL NOT NULL, \n    code VARCHAR(10) DEFAULT 'x', \n"
	           "    z INTEGER DEFAULT 0, \n    PRIMARY KEY (id), \n    CONSTRAINT uq_code UNIQUE (code), \n"
	           "    CONSTRAINT ck_z CHECK (z >= 0), \n    CHECK (id > 0)\n);\n\n"
	           "INSERT INTO _alembic_tmp_t8 (id, code) SELECT t8.id, t8.code \nFROM t8;\n\n"
	           "DROP TABLE t8;\n\nALTER TABLE _alembic_tmp_t8 RENAME TO t8;\n\n");
	b = "T8 = sa.Table('t8', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),\n"
	    "    sa.Column('code', sa.String(10)), sa.UniqueConstraint('code', name='uq_code'))\n"
	    "with op.batch_alter_table('t8', copy_from=T8) as b:\n"
	    "    b.drop_constraint('uq_code', type_='unique')\n"
	    "    b.drop_constraint('nope')";
	expect_stop(b, OPSQL_SQLITE, OPSQL_UNTRANSLATABLE, 5, "'nope', not in copy_from");
	expect_sql(b, OPSQL_POSTGRESQL, "ALTER TABLE t8 DROP CONSTRAINT uq_code;\n\nALTER TABLE t8 DROP CONSTRAINT nope;\n\n");
	/* several named constraints in copy_from: fine when at most one is left */
	const char *t7 = "T7 = sa.Table('product', sa.MetaData(), sa.Column('id', sa.Integer(), nullable=False),\n"
	                 "    sa.Column('sku', sa.String(40)), sa.Column('note', sa.String(500)), sa.Column('customer_id', sa.Integer()),\n"
	                 "    sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('sku', name='uq_sku'),\n"
	                 "    sa.CheckConstraint('length(sku) > 2', name='ck_sku'),\n"
	                 "    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name='fk_c', ondelete='SET NULL'))\n"
	                 "with op.batch_alter_table('product', copy_from=T7) as b:\n"
	                 "    b.drop_constraint('fk_c', type_='foreignkey')\n"
	                 "    b.drop_constraint('ck_sku', type_='check')\n";
	char buf[2048];
	snprintf(buf, sizeof buf, "%s%s", t7,
	         "    b.drop_constraint('uq_sku', type_='unique')\n"
	         "    b.alter_column('sku', existing_type=sa.String(40), nullable=False)\n"
	         "    b.alter_column('note', existing_type=sa.String(500), type_=sa.Text())");
	expect_sql(buf, OPSQL_SQLITE,
	           "CREATE TABLE _alembic_tmp_product (\n    id INTEGER NOT NULL, \n    sku VARCHAR(40) NOT NULL, \n"
	           "    note TEXT, \n    customer_id INTEGER, \n    PRIMARY KEY (id)\n);\n\n"
	           "INSERT INTO _alembic_tmp_product (id, sku, note, customer_id) SELECT product.id, product.sku, "
	           "product.note, product.customer_id \nFROM product;\n\n"
	           "DROP TABLE product;\n\nALTER TABLE _alembic_tmp_product RENAME TO product;\n\n");
	snprintf(buf, sizeof buf, "%s%s", t7, "    b.drop_column('note')");
	expect_sql(buf, OPSQL_SQLITE,
	           "CREATE TABLE _alembic_tmp_product (\n    id INTEGER NOT NULL, \n    sku VARCHAR(40), \n"
	           "    customer_id INTEGER, \n    PRIMARY KEY (id), \n    CONSTRAINT uq_sku UNIQUE (sku)\n);\n\n"
	           "INSERT INTO _alembic_tmp_product (id, sku, customer_id) SELECT product.id, product.sku, "
	           "product.customer_id \nFROM product;\n\n"
	           "DROP TABLE product;\n\nALTER TABLE _alembic_tmp_product RENAME TO product;\n\n");
	snprintf(buf, sizeof buf, "%s", "T6 = sa.Table('t6', sa.MetaData(), sa.Column('a', sa.Integer()), sa.Column('b', sa.Integer()),\n"
	         "    sa.UniqueConstraint('a', name='uq_a'), sa.UniqueConstraint('b', name='uq_b'))\n"
	         "with op.batch_alter_table('t6', copy_from=T6) as b:\n"
	         "    b.alter_column('a', nullable=False)");
	expect_stop(buf, OPSQL_SQLITE, OPSQL_UNTRANSLATABLE, 3, "set order");
	/* constraint ALTERs outside batch mode: refused on SQLite, the whole revision */
	b = "op.drop_table('a')\nop.create_unique_constraint('uq', 't1', ['code'])";
	expect_stop(b, OPSQL_SQLITE, OPSQL_REFUSED, 2, "No support for ALTER of constraints in SQLite dialect.");
	expect_sql(b, OPSQL_POSTGRESQL, "DROP TABLE a;\n\nALTER TABLE t1 ADD CONSTRAINT uq UNIQUE (code);\n\n");
}

/* Names that SQLAlchemy quotes: reserved words of the dialect, uppercase,
 * characters outside [a-z0-9_$], a leading digit; '"' doubled. */
static void test_quoting(void **state)
{
	(void)state;
	const char *b = "op.create_table('user', sa.Column('id', sa.Integer(), primary_key=True),\n"
	                "    sa.Column('order', sa.Integer()), sa.Column('Name', sa.Text()),\n"
	                "    sa.Column('my col', sa.Text()), sa.Column('1st', sa.Text()), sa.Column('a\"b', sa.Text()),\n"
	                "    sa.Column('_ok$', sa.Text()))";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "CREATE TABLE \"user\" (\n    id SERIAL NOT NULL, \n    \"order\" INTEGER, \n    \"Name\" TEXT, \n"
	           "    \"my col\" TEXT, \n    \"1st\" TEXT, \n    \"a\"\"b\" TEXT, \n    _ok$ TEXT, \n    PRIMARY KEY (id)\n);\n\n");
	expect_sql(b, OPSQL_SQLITE,
	           "CREATE TABLE user (\n    id INTEGER NOT NULL, \n    \"order\" INTEGER, \n    \"Name\" TEXT, \n"
	           "    \"my col\" TEXT, \n    \"1st\" TEXT, \n    \"a\"\"b\" TEXT, \n    _ok$ TEXT, \n    PRIMARY KEY (id)\n);\n\n");
	b = "op.drop_table('index')\nop.drop_index('ix_a', table_name='order')\nop.rename_table('group', 'Groups')";
	expect_sql(b, OPSQL_POSTGRESQL, "DROP TABLE index;\n\nDROP INDEX ix_a;\n\nALTER TABLE \"group\" RENAME TO \"Groups\";\n\n");
	expect_sql(b, OPSQL_SQLITE, "DROP TABLE \"index\";\n\nDROP INDEX ix_a;\n\nALTER TABLE \"group\" RENAME TO \"Groups\";\n\n");
	b = "op.bulk_insert(sa.table('order', sa.column('id', sa.Integer), sa.column('from', sa.String)),\n"
	    "               [{'from': 'x', 'id': 1}])";
	expect_both(b, "INSERT INTO \"order\" (id, \"from\") VALUES (1, 'x');\n\n");
}

/* The body autogenerate writes: op.f(), PrimaryKeyConstraint('id') making
 * SERIAL, String(length=), trailing commas, the ### comments. */
static void test_autogenerate(void **state)
{
	(void)state;
	const char *b =
		"# ### commands auto generated by Alembic - please adjust! ###\n"
		"op.create_table('account',\n"
		"sa.Column('id', sa.Integer(), nullable=False),\n"
		"sa.Column('email', sa.String(length=120), nullable=True),\n"
		"sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),\n"
		"sa.PrimaryKeyConstraint('id', name=op.f('pk_account'))\n"
		")\n"
		"op.create_index(op.f('ix_account_email'), 'account', ['email'], unique=True)\n"
		"op.create_table('orders',\n"
		"sa.Column('id', sa.BigInteger(), nullable=False),\n"
		"sa.Column('account_id', sa.Integer(), nullable=False),\n"
		"sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),\n"
		"sa.PrimaryKeyConstraint('id'),\n"
		")\n"
		"# ### end Alembic commands ###";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "CREATE TABLE account (\n    id SERIAL NOT NULL, \n    email VARCHAR(120), \n"
	           "    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, \n"
	           "    CONSTRAINT pk_account PRIMARY KEY (id)\n);\n\n"
	           "CREATE UNIQUE INDEX ix_account_email ON account (email);\n\n"
	           "CREATE TABLE orders (\n    id BIGSERIAL NOT NULL, \n    account_id INTEGER NOT NULL, \n"
	           "    PRIMARY KEY (id), \n    FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE\n);\n\n");
	expect_sql(b, OPSQL_SQLITE,
	           "CREATE TABLE account (\n    id INTEGER NOT NULL, \n    email VARCHAR(120), \n"
	           "    created_at DATETIME DEFAULT now() NOT NULL, \n"
	           "    CONSTRAINT pk_account PRIMARY KEY (id)\n);\n\n"
	           "CREATE UNIQUE INDEX ix_account_email ON account (email);\n\n"
	           "CREATE TABLE orders (\n    id BIGINT NOT NULL, \n    account_id INTEGER NOT NULL, \n"
	           "    PRIMARY KEY (id), \n    FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE\n);\n\n");
	/* render_as_batch=True, as autogenerate writes it for SQLite */
	b = "# ### commands auto generated by Alembic - please adjust! ###\n"
	    "with op.batch_alter_table('user', schema=None) as batch_op:\n"
	    "    batch_op.add_column(sa.Column('x', sa.String(), nullable=True))\n"
	    "    batch_op.create_index(batch_op.f('ix_user_x'), ['x'], unique=False)\n"
	    "\n"
	    "# ### end Alembic commands ###";
	expect_sql(b, OPSQL_SQLITE, "ALTER TABLE user ADD COLUMN x VARCHAR;\n\nCREATE INDEX ix_user_x ON user (x);\n\n");
	expect_sql(b, OPSQL_POSTGRESQL, "ALTER TABLE \"user\" ADD COLUMN x VARCHAR;\n\nCREATE INDEX ix_user_x ON \"user\" (x);\n\n");
	/* bare names imported from sqlalchemy, sqlalchemy.X, postgresql.X */
	b = "op.add_column('t', Column('a', Integer(), server_default=text('1'), nullable=False))\n"
	    "op.add_column('t', sqlalchemy.Column('b', sqlalchemy.Numeric(12, 2)))\n"
	    "op.alter_column('t', 'c', type_=postgresql.TIMESTAMP(timezone=True), existing_nullable=True)";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "ALTER TABLE t ADD COLUMN a INTEGER DEFAULT 1 NOT NULL;\n\nALTER TABLE t ADD COLUMN b NUMERIC(12, 2);\n\n"
	           "ALTER TABLE t ALTER COLUMN c TYPE TIMESTAMP WITH TIME ZONE;\n\n");
	b = "op.add_column('t', sa.Column('u', postgresql.UUID(as_uuid=True)))";
	expect_sql(b, OPSQL_POSTGRESQL, "ALTER TABLE t ADD COLUMN u UUID;\n\n");
	expect_stop(b, OPSQL_SQLITE, OPSQL_UNTRANSLATABLE, 1, "UUID");
}

static void run_src(const char *src, size_t len, const char *fn, opsql_dialect d, opsql_result *r)
{
	char err[256];
	int errline = -1;
	int rc = opsql_translate(src, len, fn, d, r, err, sizeof err, &errline);
	if (rc)
		fail_msg("translate failed at line %d: %s", errline, err);
	assert_int_equal(errline, 0);
}

/* Whole files: typed signature, one-line body, docstrings, CRLF, no such
 * function, and the downgrade. */
static void test_files(void **state)
{
	(void)state;
	opsql_result r;
	const char *typed = "from alembic import op\r\n\r\ndef upgrade() -> None:\r\n    \"\"\"Doc\r\n    string.\"\"\"\r\n"
	                    "    op.execute(\"\"\"\r\n        SELECT 1\r\n    \"\"\")\r\n    pass\r\n\r\n\r\n"
	                    "def downgrade() -> None:\r\n    op.drop_table(\"t\")  # gone\r\n";
	run_src(typed, strlen(typed), "upgrade", OPSQL_SQLITE, &r);
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "SELECT 1;\n\n");
	assert_int_equal(r.line, 3);
	opsql_result_free(&r);
	run_src(typed, strlen(typed), "downgrade", OPSQL_POSTGRESQL, &r);
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "DROP TABLE t;\n\n");
	assert_int_equal(r.line, 12);
	opsql_result_free(&r);

	const char *crlf_err = "def upgrade():\r\n    op.drop_table('a')\r\n    for x in y:\r\n        pass\r\n";
	run_src(crlf_err, strlen(crlf_err), "upgrade", OPSQL_SQLITE, &r);
	assert_int_equal(r.status, OPSQL_UNTRANSLATABLE);
	assert_int_equal(r.line, 3);
	assert_null(r.sql);
	opsql_result_free(&r);

	const char *empty = "def upgrade():\n    pass\n\ndef downgrade(): pass\n";
	run_src(empty, strlen(empty), "upgrade", OPSQL_POSTGRESQL, &r);
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "");
	assert_int_equal(r.len, 0);
	opsql_result_free(&r);
	run_src(empty, strlen(empty), "downgrade", OPSQL_POSTGRESQL, &r);
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "");
	assert_int_equal(r.line, 4);
	opsql_result_free(&r);

	const char *none = "revision = 'x'\ndef upgradex():\n    pass\n    def downgrade():\n        pass\n";
	run_src(none, strlen(none), "upgrade", OPSQL_POSTGRESQL, &r);
	assert_int_equal(r.status, OPSQL_NOFUNC);
	opsql_result_free(&r);
	run_src(none, strlen(none), "downgrade", OPSQL_SQLITE, &r);
	assert_int_equal(r.status, OPSQL_NOFUNC);
	opsql_result_free(&r);

	/* autocommit_block: no COMMIT / BEGIN, the revision runs outside a transaction */
	const char *ac = "def upgrade():\n    with op.get_context().autocommit_block():\n"
	                 "        op.execute('VACUUM')\n    op.execute('SELECT 1')\n";
	run_src(ac, strlen(ac), "upgrade", OPSQL_POSTGRESQL, &r);
	assert_int_equal(r.status, OPSQL_OK);
	assert_string_equal(r.sql, "VACUUM;\n\nSELECT 1;\n\n");
	assert_int_equal(r.no_transaction, 1);
	opsql_result_free(&r);
}

static void expect_error(const char *src, int line, const char *want)
{
	opsql_result r;
	char err[256];
	int errline = 0;
	assert_int_equal(opsql_translate(src, strlen(src), "upgrade", OPSQL_SQLITE, &r, err, sizeof err, &errline), -1);
	if (errline != line || !strstr(err, want))
		fail_msg("got line %d \"%s\", want line %d \"%s\"", errline, err, line, want);
	assert_null(r.sql);
}

/* Python this reader cannot follow: -1 with the line. */
static void test_malformed(void **state)
{
	(void)state;
	expect_error("def upgrade():\n    op.execute('SELECT 1)\n", 2, "unterminated string literal");
	expect_error("def upgrade():\n    op.execute(\"\"\"SELECT 1\n\n", 2, "unterminated triple-quoted string literal");
	expect_error("def upgrade():\r\n    pass\r\nX = 'a\r\n", 3, "unterminated string literal");
	expect_error("def upgrade():\n    op.execute(\n        'x'\n", 2, "'(' was never closed");
	expect_error("def upgrade():\n    op.execute('x'))\n", 2, "unmatched ')'");
	expect_error("def upgrade():\n    op.execute(['x')\n", 2, "does not match");
	expect_error("def upgrade():\n    op.execute('\\x4')\n", 2, "\\x");
	expect_error("def upgrade()\n    pass\n", 1, "':'");
}

/* Column and constraint details beyond the appendix. */
static void test_ddl_details(void **state)
{
	(void)state;
	const char *b = "op.create_table('a', sa.Column('id', sa.BigInteger, sa.Identity(always=True, start=10, increment=5), primary_key=True),\n"
	                "    sa.Column('k', sa.Enum('x', 'yy', name='kind')), sa.Column('k2', postgresql.ENUM('x', 'yy', name='kind', create_type=False)))\n"
	                "op.create_table('b', sa.Column('k', sa.Enum('x', name='kind')))";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "CREATE TYPE kind AS ENUM ('x', 'yy');\n\n"
	           "CREATE TABLE a (\n    id BIGINT GENERATED ALWAYS AS IDENTITY (INCREMENT BY 5 START WITH 10), \n"
	           "    k kind, \n    k2 kind, \n    PRIMARY KEY (id)\n);\n\n"
	           "CREATE TABLE b (\n    k kind\n);\n\n");
	expect_sql(b, OPSQL_SQLITE,
	           "CREATE TABLE a (\n    id BIGINT NOT NULL, \n    k VARCHAR(2), \n    k2 VARCHAR(2), \n    PRIMARY KEY (id)\n);\n\n"
	           "CREATE TABLE b (\n    k VARCHAR(1)\n);\n\n");
	/* composite key with an explicit autoincrement column: first in the key */
	b = "op.create_table('d', sa.Column('a', sa.Integer(), primary_key=True),\n"
	    "    sa.Column('b', sa.Integer(), primary_key=True, autoincrement=True))";
	expect_sql(b, OPSQL_POSTGRESQL, "CREATE TABLE d (\n    a INTEGER NOT NULL, \n    b SERIAL NOT NULL, \n    PRIMARY KEY (b, a)\n);\n\n");
	expect_stop(b, OPSQL_SQLITE, OPSQL_REFUSED, 2, "autoincrement for composite primary keys");
	/* a foreign key to another schema is left out on SQLite; CHECK with
	 * deferrable; a ForeignKey makes the single integer key not SERIAL */
	b = "op.create_table('c', sa.Column('id', sa.Integer(), sa.ForeignKey('p.id'), primary_key=True),\n"
	    "    sa.Column('q', sa.Integer(), sa.ForeignKey('other.q.id')),\n"
	    "    sa.CheckConstraint(sa.text('id > 0'), name='ck_c', deferrable=True, initially='DEFERRED'))";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "CREATE TABLE c (\n    id INTEGER NOT NULL, \n    q INTEGER, \n    PRIMARY KEY (id), \n"
	           "    CONSTRAINT ck_c CHECK (id > 0) DEFERRABLE INITIALLY DEFERRED, \n"
	           "    FOREIGN KEY(id) REFERENCES p (id), \n    FOREIGN KEY(q) REFERENCES other.q (id)\n);\n\n");
	expect_sql(b, OPSQL_SQLITE,
	           "CREATE TABLE c (\n    id INTEGER NOT NULL, \n    q INTEGER, \n    PRIMARY KEY (id), \n"
	           "    CONSTRAINT ck_c CHECK (id > 0) DEFERRABLE INITIALLY DEFERRED, \n"
	           "    FOREIGN KEY(id) REFERENCES p (id)\n);\n\n");
	/* add_column: unique=True is a separate ADD on PostgreSQL, refused on SQLite */
	b = "op.add_column('t', sa.Column('u', sa.String(5), unique=True, comment=\"it's\"))";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "ALTER TABLE t ADD COLUMN u VARCHAR(5);\n\nALTER TABLE t ADD UNIQUE (u);\n\nCOMMENT ON COLUMN t.u IS 'it''s';\n\n");
	expect_stop(b, OPSQL_SQLITE, OPSQL_REFUSED, 1, "No support for ALTER of constraints");
	/* alter_column defaults: no parentheses outside CREATE / ADD on SQLite */
	b = "op.alter_column('t', 'd', server_default=sa.true())\nop.alter_column('t', 'e', server_default=sa.func.now())\n"
	    "op.alter_column('t', 'f', server_default=sa.text(\"'{}'::jsonb\"))";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "ALTER TABLE t ALTER COLUMN d SET DEFAULT true;\n\nALTER TABLE t ALTER COLUMN e SET DEFAULT now();\n\n"
	           "ALTER TABLE t ALTER COLUMN f SET DEFAULT '{}'::jsonb;\n\n");
	expect_sql(b, OPSQL_SQLITE,
	           "ALTER TABLE t ALTER COLUMN d SET DEFAULT 1;\n\nALTER TABLE t ALTER COLUMN e SET DEFAULT CURRENT_TIMESTAMP;\n\n"
	           "ALTER TABLE t ALTER COLUMN f SET DEFAULT '{}'::jsonb;\n\n");
	untranslatable("op.add_column('t', sa.Column('x', sa.Integer(), server_default=sa.text(':v')))", 1,
	               "bind parameter :v has no value");
	/* SQLAlchemy refuses explicit names over 63 characters on PostgreSQL
	 * (IdentifierError, as the real Alembic 1.8.1 prints for this call) */
	b = "op.drop_constraint('c_123456789_123456789_123456789_123456789_123456789_123456789_1234', 't')";
	expect_stop(b, OPSQL_POSTGRESQL, OPSQL_REFUSED, 1,
	            "Identifier 'c_123456789_123456789_123456789_123456789_123456789_123456789_1234' exceeds maximum "
	            "length of 63 characters");
	/* bulk_insert values by column type, the table defined in the function */
	b = "t = sa.table('t', sa.column('id', sa.Integer), sa.column('ok', sa.Boolean), sa.column('x', sa.Float),\n"
	    "    sa.column('s', sa.Text))\n"
	    "op.bulk_insert(t, [{'ok': True, 'id': 0x10, 'x': -2.50, 's': 'a\\\\b'}, {'id': 1_000, 'ok': False, 'x': 1e20}])";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "INSERT INTO t (id, ok, x, s) VALUES (16, true, -2.5, 'a\\\\b');\n\n"
	           "INSERT INTO t (id, ok, x) VALUES (1000, false, 1e+20);\n\n");
	expect_sql(b, OPSQL_SQLITE,
	           "INSERT INTO t (id, ok, x, s) VALUES (16, 1, -2.5, 'a\\b');\n\n"
	           "INSERT INTO t (id, ok, x) VALUES (1000, 0, 1e+20);\n\n");
	untranslatable("op.bulk_insert(T1, [{'id': 'x'}])", 1, "string value for a non-string column");
	/* identity options as autogenerate reflects them; FLOAT(p) only on PostgreSQL */
	b = "op.create_table('t', sa.Column('id', sa.BigInteger(), sa.Identity(always=False, start=1, increment=1,\n"
	    "    minvalue=1, maxvalue=9223372036854775807, cycle=False, cache=1), nullable=False),\n"
	    "    sa.Column('f', sa.Float(precision=53)), sa.PrimaryKeyConstraint('id'))";
	expect_sql(b, OPSQL_POSTGRESQL,
	           "CREATE TABLE t (\n    id BIGINT GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 1 START WITH 1 MINVALUE 1 "
	           "MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE), \n    f FLOAT(53), \n    PRIMARY KEY (id)\n);\n\n");
	expect_sql(b, OPSQL_SQLITE, "CREATE TABLE t (\n    id BIGINT NOT NULL, \n    f FLOAT, \n    PRIMARY KEY (id)\n);\n\n");
	/* the table op.create_table() returns, then filled */
	expect_both("kv = op.create_table('kv', sa.Column('k', sa.String(10), primary_key=True), sa.Column('v', sa.Integer))\n"
	            "op.bulk_insert(kv, [{'k': 'a', 'v': 1}])",
	            "CREATE TABLE kv (\n    k VARCHAR(10) NOT NULL, \n    v INTEGER, \n    PRIMARY KEY (k)\n);\n\n"
	            "INSERT INTO kv (k, v) VALUES ('a', 1);\n\n");
	/* the new name of rename_table carries no schema */
	expect_both("op.rename_table('a', 'b', schema='s')", "ALTER TABLE s.a RENAME TO b;\n\n");
	/* SQLAlchemy's validate_sql_phrase() */
	untranslatable("op.create_table('t', sa.Column('a', sa.Integer, sa.ForeignKey('p.id', ondelete='DROP')))", 1,
	               "unexpected SQL phrase 'DROP'");
	expect_sql("op.create_foreign_key('fk', 't', 'p', ['a'], ['id'], ondelete='set null', initially='deferred')",
	           OPSQL_POSTGRESQL,
	           "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY(a) REFERENCES p (id) ON DELETE set null INITIALLY deferred;\n\n");
	untranslatable("op.bulk_insert(T1, [{'nope': 1}])", 1, "'nope' is not a column");
	untranslatable("op.bulk_insert(sa.table('t', sa.column('a')), [{'a': 1}])", 1, "without a type");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_execute_strings),
		cmocka_unit_test(test_execute_bindparams),
		cmocka_unit_test(test_untranslatable),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_autogenerate),
		cmocka_unit_test(test_ddl_details),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
