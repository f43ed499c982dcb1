/*
 * Unit tests of the alembic plugin's column types from YAML (types_yaml.c):
 * formats/alembic/types.yaml itself, rendered for every row on both
 * dialects against what the real SQLAlchemy 1.4.46 + sqlalchemy_utils
 * 0.38.2 print for sa.Column("c", TYPE) in a CREATE TABLE; a team's own
 * types file; the errors of a bad file (file:line) and of calls the rows do
 * not cover; an application's TypeDecorator read from its source
 * (pyenum.c's pe_resolve_typedec).
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

#include "alembic_int.h"
#include "types_yaml.h"
#include "types_py.h"
#include "pyenum.h"

#include "fake_host.h"

static char dir[64];
static const char *formats[2] = { STRATA_SOURCE_ROOT "/formats", NULL };

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/strata-altypes.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void host(fake_host *f)
{
	fake_init(f, "postgresql");
	f->h.formats_dirs = formats;
}

/* A type argument in these tests is its SQL already. */
static int type_sql(void *ud, const void *type, char **out, char *why, size_t whysize)
{
	(void)ud;
	if (!type) {
		snprintf(why, whysize, "bad impl");
		return -1;
	}
	*out = strdup(type);
	return *out ? 0 : -1;
}

/* The SQL of `name(args)` on dialect, or "!" + the reason. */
static char *render(const at_types *tt, const char *name, const char *dialect, const at_arg *a, int n)
{
	static char buf[512];
	const at_type *t = at_find(tt, name);
	if (!t)
		return strcpy(buf, "!not found");
	char *sql = NULL, why[256] = "";
	if (at_render(t, dialect, a, n, type_sql, NULL, &sql, why, sizeof why)) {
		snprintf(buf, sizeof buf, "!%s", why);
		return buf;
	}
	snprintf(buf, sizeof buf, "%s", sql);
	free(sql);
	return buf;
}

#define KB(n, v) { .kw = n, .k = AT_BOOL, .iv = v }
#define KI(n, v) { .kw = n, .k = AT_INT, .iv = v }
#define KT(n, v) { .kw = n, .k = AT_TYPE, .type = v }
#define PS(v) { .kw = NULL, .k = AT_STR, .s = v }

/* Every row of formats/alembic/types.yaml; the expected SQL is what the real
 * SQLAlchemy 1.4.46 (+ sqlalchemy_utils 0.38.2) printed. */
static void shipped_rows(void **state)
{
	(void)state;
	fake_host f;
	host(&f);
	at_types *tt = NULL;
	assert_int_equal(at_load_all(&f.h, dir, NULL, &tt), STRATA_OK);
	static const struct {
		const char *name;
		at_arg a[3];
		int n;
		const char *pg, *sqlite;
	} rows[] = {
		{ "sqlalchemy_utils.types.uuid.UUIDType", {{0}}, 0, "UUID", "BINARY(16)" },
		{ "sqlalchemy_utils.UUIDType", { KB("binary", 0) }, 1, "UUID", "CHAR(32)" },
		{ "UUIDType", { KB("native", 0) }, 1, "BINARY(16)", "BINARY(16)" },
		{ "UUIDType", { KB("binary", 0), KB("native", 0) }, 2, "CHAR(32)", "CHAR(32)" },
		{ "UUIDType", { KB("binary", 0), KB("native", 1) }, 2, "UUID", "CHAR(32)" },
		{ "sqlalchemy_utils.types.ts_vector.TSVectorType", {{0}}, 0, "TSVECTOR",
		  "!column type TSVectorType on sqlite" },
		{ "TSVectorType", { PS("a"), PS("b") }, 2, "TSVECTOR", "!column type TSVectorType on sqlite" },
		{ "sqlalchemy_utils.types.choice.ChoiceType", { PS("x") }, 1, "VARCHAR(255)", "VARCHAR(255)" },
		{ "ChoiceType", { PS("x"), KT("impl", "VARCHAR(20)") }, 2, "VARCHAR(20)", "VARCHAR(20)" },
		{ "ChoiceType", { PS("x"), KT("impl", "INTEGER") }, 2, "INTEGER", "INTEGER" },
		{ "sqlalchemy_utils.types.email.EmailType", {{0}}, 0, "VARCHAR(255)", "VARCHAR(255)" },
		{ "EmailType", { KI("length", 100) }, 1, "VARCHAR(100)", "VARCHAR(100)" },
		{ "sqlalchemy_utils.types.url.URLType", {{0}}, 0, "TEXT", "TEXT" },
		{ "sqlalchemy_utils.types.json.JSONType", {{0}}, 0, "JSON", "TEXT" },
		{ "sqlalchemy_utils.types.arrow.ArrowType", {{0}}, 0, "TIMESTAMP WITHOUT TIME ZONE", "DATETIME" },
		{ "ArrowType", { KB("timezone", 1) }, 1, "TIMESTAMP WITH TIME ZONE", "DATETIME" },
		{ "sqlalchemy_utils.types.ip_address.IPAddressType", {{0}}, 0, "VARCHAR(50)", "VARCHAR(50)" },
		{ "sqlalchemy_utils.types.phone_number.PhoneNumberType", {{0}}, 0, "VARCHAR(20)", "VARCHAR(20)" },
		{ "PhoneNumberType", { KI("max_length", 30) }, 1, "VARCHAR(30)", "VARCHAR(30)" },
		{ "sqlalchemy_utils.types.color.ColorType", {{0}}, 0, "VARCHAR(20)", "VARCHAR(20)" },
		{ "sqlalchemy_utils.types.country.CountryType", {{0}}, 0, "VARCHAR(2)", "VARCHAR(2)" },
		{ "sqlalchemy_utils.types.currency.CurrencyType", {{0}}, 0, "VARCHAR(3)", "VARCHAR(3)" },
		{ "sqlalchemy_utils.types.locale.LocaleType", {{0}}, 0, "VARCHAR(10)", "VARCHAR(10)" },
		{ "sqlalchemy_utils.types.timezone.TimezoneType", {{0}}, 0, "VARCHAR(50)", "VARCHAR(50)" },
		{ "sqlalchemy_utils.types.scalar_list.ScalarListType", {{0}}, 0, "TEXT", "TEXT" },
		{ "sqlalchemy_utils.types.ltree.LtreeType", {{0}}, 0, "LTREE", "!column type LtreeType on sqlite" },
		{ "fastapi_users_db_sqlalchemy.generics.GUID", {{0}}, 0, "UUID", "CHAR(36)" },
		{ "GUID", {{0}}, 0, "UUID", "CHAR(36)" },
		{ "fastapi_users_db_sqlalchemy.generics.TIMESTAMPAware", {{0}}, 0, "TIMESTAMP WITHOUT TIME ZONE",
		  "TIMESTAMP" },
		{ "TIMESTAMPAware", { KB("timezone", 1) }, 1, "TIMESTAMP WITH TIME ZONE", "TIMESTAMP" },
		{ "sqlalchemy_utils.types.encrypted.encrypted_type.StringEncryptedType", {{0}}, 0, "VARCHAR", "VARCHAR" },
		{ "StringEncryptedType", { KT("type_in", "VARCHAR(50)"), { .kw = "key", .k = AT_STR, .s = "k" } }, 2, "VARCHAR",
		  "VARCHAR" },
		{ "StringEncryptedType", { KI("length", 20) }, 1, "!argument length= of column type StringEncryptedType",
		  "!argument length= of column type StringEncryptedType" },
		/* SQLAlchemy 2.0.7's postgresql.CITEXT (from its source) */
		{ "postgresql.CITEXT", {{0}}, 0, "CITEXT", "!column type CITEXT on sqlite" },
		{ "CITEXT", {{0}}, 0, "CITEXT", "!column type CITEXT on sqlite" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_string_equal(render(tt, rows[i].name, "postgresql", rows[i].a, rows[i].n), rows[i].pg);
		assert_string_equal(render(tt, rows[i].name, "sqlite", rows[i].a, rows[i].n), rows[i].sqlite);
	}
	/* SQLAlchemy 2.0's sa.UUID / sa.Uuid (rows from its source) */
	assert_string_equal(render(tt, "sa.UUID", "sqlite", NULL, 0), "UUID");
	assert_string_equal(render(tt, "sqlalchemy.Uuid", "sqlite", NULL, 0), "CHAR(32)");
	assert_string_equal(render(tt, "sa.Uuid", "postgresql", NULL, 0), "UUID");
	at_free(tt);
}

static void not_covered(void **state)
{
	(void)state;
	fake_host f;
	host(&f);
	at_types *tt = NULL;
	assert_int_equal(at_load_all(&f.h, dir, NULL, &tt), STRATA_OK);
	/* a module the row does not list, a class no row has */
	assert_null(at_find(tt, "app.types.GUID"));
	assert_null(at_find(tt, "sqlalchemy_utils.types.uuid.UUIDTypo"));
	at_arg kw[] = { KB("bogus", 1) };
	assert_string_equal(render(tt, "UUIDType", "postgresql", kw, 1), "!argument bogus= of column type UUIDType");
	at_arg pos[] = { PS("a"), PS("b"), PS("c") };
	assert_string_equal(render(tt, "UUIDType", "postgresql", pos, 3),
	                    "!positional argument 3 of column type UUIDType");
	at_arg twice[] = { KB("binary", 1), KB("binary", 0) };
	assert_string_equal(render(tt, "UUIDType", "sqlite", twice, 2),
	                    "!argument binary of column type UUIDType given twice");
	at_arg star[] = { { .kw = "**", .k = AT_NONE } };
	assert_string_equal(render(tt, "EmailType", "sqlite", star, 1),
	                    "!argument unpacking in column type EmailType");
	at_arg none_len[] = { { .kw = "length", .k = AT_NONE } };
	assert_string_equal(render(tt, "EmailType", "sqlite", none_len, 1),
	                    "!column type EmailType without its argument length");
	at_arg badimpl[] = { PS("x"), KT("impl", NULL) };
	assert_string_equal(render(tt, "ChoiceType", "sqlite", badimpl, 2), "!bad impl");
	assert_string_equal(render(tt, "GUID", "mysql", NULL, 0), "!column type GUID on mysql");
	at_free(tt);
}

/* A team's own file: new types, and rows that win over the shipped ones. */
static void user_types(void **state)
{
	(void)state;
	write_file("types.yaml",
	           "types:\n"
	           "  GUID:\n"
	           "    modules: [app.db.types]\n"
	           "    args: []\n"
	           "    sql:\n"
	           "      - postgresql: UUID\n"
	           "        sqlite: VARCHAR(36)\n"
	           "  Money:\n"
	           "    modules: [app.db.types, app.db]\n"
	           "    args: [precision, scale, currency]\n"
	           "    defaults: {precision: 12, scale: 2}\n"
	           "    sql:\n"
	           "      - when: {currency: 'true'}\n"
	           "        postgresql: TEXT\n"
	           "        sqlite: TEXT\n"
	           "      - postgresql: NUMERIC({precision}, {scale})\n"
	           "        sqlite: NUMERIC({precision}, {scale})\n");
	fake_host f;
	host(&f);
	at_types *tt = NULL;
	assert_int_equal(at_load_all(&f.h, dir, "types.yaml", &tt), STRATA_OK);
	assert_string_equal(render(tt, "GUID", "sqlite", NULL, 0), "VARCHAR(36)");
	assert_string_equal(render(tt, "app.db.types.GUID", "sqlite", NULL, 0), "VARCHAR(36)");
	/* the shipped row still answers for its own modules */
	assert_string_equal(render(tt, "fastapi_users_db_sqlalchemy.generics.GUID", "sqlite", NULL, 0),
	                    "CHAR(36)");
	assert_string_equal(render(tt, "app.db.Money", "postgresql", NULL, 0), "NUMERIC(12, 2)");
	at_arg a[] = { { .kw = NULL, .k = AT_INT, .iv = 8 }, KI("scale", 3) };
	assert_string_equal(render(tt, "Money", "sqlite", a, 2), "NUMERIC(8, 3)");
	at_arg q[] = { { .kw = "currency", .k = AT_STR, .s = "true" } };
	assert_string_equal(render(tt, "Money", "sqlite", q, 1), "TEXT"); /* a quoted 'true' is a string */
	at_arg b[] = { KB("currency", 1) };
	assert_string_equal(render(tt, "Money", "sqlite", b, 1), "NUMERIC(12, 2)");
	at_free(tt);
}

static void load_error(const char *text, int line, const char *msg)
{
	write_file("bad.yaml", text);
	fake_host f;
	host(&f);
	at_types *tt = NULL;
	assert_true(at_load_all(&f.h, dir, "bad.yaml", &tt) < 0);
	assert_null(tt);
	assert_int_equal(f.errors, 1);
	assert_string_equal(f.msg, msg);
	assert_int_equal(f.line, line);
	assert_non_null(strstr(f.file, "bad.yaml"));
}

static void bad_files(void **state)
{
	(void)state;
	load_error("types:\n  X:\n    args: []\n    sqll: []\n", 4, "unknown key 'sqll' in type X");
	load_error("types:\n  X:\n    args: []\n", 3, "missing key 'sql' in type X");
	load_error("types:\n  X:\n    args: [a]\n    sql:\n      - when: {b: 1}\n        sqlite: T\n", 5,
	           "'b' in 'when' is not an argument of X");
	load_error("types:\n  X:\n    args: [a]\n    sql:\n      - sqlite: T({n})\n", 5,
	           "{n} in the SQL of X is not an argument");
	load_error("types:\n  a.X:\n    args: []\n    sql: [{sqlite: T}]\n", 2,
	           "type name 'a.X' must be a class name, without a module");
	load_error("types:\n  X:\n    args: []\n    sql: [{sqlite: 5}]\n", 4,
	           "the SQL of X on sqlite must be a string");
	load_error("typs: {}\n", 1, "unknown key 'typs' in a types file");
	load_error("types:\n  X: [\n", 3, "YAML syntax error: did not find expected node content while parsing a flow node");
	fake_host f;
	host(&f);
	at_types *tt = NULL;
	assert_true(at_load_all(&f.h, dir, "missing.yaml", &tt) < 0);
	assert_non_null(strstr(f.msg, "cannot open column types file"));
	const char *none[] = { "/nonexistent", NULL };
	f.h.formats_dirs = none;
	assert_true(at_load_all(&f.h, dir, NULL, &tt) < 0);
	assert_string_equal(f.msg, "no formats folder has alembic/types.yaml");
}

/* A Python type expression through types_py.c into a row. */
static int px_type_sql(void *ud, const void *type, char **out, char *why, size_t whysize)
{
	px_arena *a = ud;
	const char *d = px_dotted(a, ((const px *)type)->k == PX_CALL ? ((const px *)type)->obj : type);
	if (!d || strcmp(d, "sa.String")) {
		snprintf(why, whysize, "not a type here");
		return -1;
	}
	const px *n = px_posarg(type, 0);
	char buf[32];
	snprintf(buf, sizeof buf, "VARCHAR(%lld)", n ? n->iv : 0LL);
	*out = strdup(buf);
	return 0;
}

static char *py_render(const at_types *tt, const char *expr, const char *dialect)
{
	static char buf[512];
	jmp_buf oom;
	px_arena a = { .oom = &oom };
	if (setjmp(oom)) {
		px_arena_free(&a);
		return strcpy(buf, "!oom");
	}
	px_toks tk;
	char err[128];
	int el;
	assert_int_equal(px_tokenize(&a, expr, strlen(expr), &tk, err, sizeof err, &el), 0);
	int i = 0;
	px *e = px_parse_expr(&a, tk.t, &i, tk.n);
	at_arg *args;
	int n = atp_args(&a, e, &args);
	const char *name = px_dotted(&a, e->k == PX_CALL ? e->obj : e);
	const at_type *t = at_find(tt, name);
	char *sql = NULL, why[256];
	if (!t)
		snprintf(buf, sizeof buf, "!no row for %s", name ? name : "?");
	else if (at_render(t, dialect, args, n, px_type_sql, &a, &sql, why, sizeof why))
		snprintf(buf, sizeof buf, "!%s", why);
	else
		snprintf(buf, sizeof buf, "%s", sql);
	free(sql);
	px_arena_free(&a);
	return buf;
}

static void from_python(void **state)
{
	(void)state;
	fake_host f;
	host(&f);
	at_types *tt = NULL;
	assert_int_equal(at_load_all(&f.h, dir, NULL, &tt), STRATA_OK);
	assert_string_equal(py_render(tt, "sqlalchemy_utils.types.uuid.UUIDType(binary=False)", "sqlite"), "CHAR(32)");
	assert_string_equal(py_render(tt, "sqlalchemy_utils.types.uuid.UUIDType(binary=False)", "postgresql"), "UUID");
	assert_string_equal(py_render(tt, "fastapi_users_db_sqlalchemy.generics.GUID()", "sqlite"), "CHAR(36)");
	assert_string_equal(py_render(tt, "GUID", "postgresql"), "UUID");
	assert_string_equal(py_render(tt, "sqlalchemy_utils.types.choice.ChoiceType([('a', 'A')], impl=sa.String(20))",
	                              "sqlite"), "VARCHAR(20)");
	assert_string_equal(py_render(tt, "sqlalchemy_utils.types.choice.ChoiceType(CHOICES)", "postgresql"),
	                    "VARCHAR(255)");
	assert_string_equal(py_render(tt, "ChoiceType(CHOICES, impl=sa.Foo())", "sqlite"), "!not a type here");
	assert_string_equal(py_render(tt, "EmailType(length=None)", "sqlite"),
	                    "!column type EmailType without its argument length");
	assert_string_equal(py_render(tt, "sqlalchemy_utils.types.ts_vector.TSVectorType('name', regconfig='english')",
	                              "postgresql"), "TSVECTOR");
	assert_string_equal(py_render(tt, "app.GUID()", "sqlite"), "!no row for app.GUID");
	at_free(tt);
	/* sa.Enum's class argument */
	jmp_buf oom;
	px_arena a = { .oom = &oom };
	if (setjmp(oom))
		fail();
	const char *exprs[] = { "sa.Enum(models.Status, name='st')", "sa.Enum('a', 'b')", "sa.Enum()", "sa.Enum(S)" };
	const char *want[] = { "models.Status", NULL, NULL, "S" };
	for (int k = 0; k < 4; k++) {
		px_toks tk;
		char err[128];
		int el, i = 0;
		assert_int_equal(px_tokenize(&a, exprs[k], strlen(exprs[k]), &tk, err, sizeof err, &el), 0);
		const char *got = atp_enum_class(&a, px_parse_expr(&a, tk.t, &i, tk.n));
		if (want[k])
			assert_string_equal(got, want[k]);
		else
			assert_null(got);
	}
	px_arena_free(&a);
}

/* pe_resolve_typedec(): the impl of a TypeDecorator of the application, as
 * the translator reads a type, or why not. */
static char *typedec(const char *rev, const char *name)
{
	char path[256], root[256], why[600];
	snprintf(path, sizeof path, "%s/td/versions/r.py", dir);
	snprintf(root, sizeof root, "%s/td", dir);
	const char *roots[] = { root, NULL };
	pe_typedec td;
	static char out[700];
	if (pe_resolve_typedec(path, rev, strlen(rev), roots, name, &td, why, sizeof why)) {
		snprintf(out, sizeof out, "!%s", why);
		return out;
	}
	snprintf(out, sizeof out, "%s %s:%d", td.impl, strrchr(td.file, '/') + 1, td.line);
	pe_typedec_free(&td);
	return out;
}

static void typedecorators(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/td/versions' '%s/td/app/db' '%s/td/.git'", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	write_file("td/app/__init__.py", "");
	write_file("td/app/db/__init__.py", "from . import cols  # noqa\n");
	write_file("td/app/db/cols.py",
	           "import sqlalchemy as sa\n"
	           "from sqlalchemy import JSON, String as Str, types\n"
	           "from sqlalchemy.types import TypeDecorator as TD, TypeDecorator\n"
	           "from sqlalchemy.dialects.postgresql import JSONB\n"
	           "from app.other import Thing\n"
	           "\n"
	           "class Config(TypeDecorator):\n"
	           "    \"\"\"json\"\"\"\n"
	           "    impl = JSON\n"
	           "    cache_ok = True\n"
	           "\n"
	           "    def process_bind_param(self, value, dialect):\n"
	           "        impl = 3\n"
	           "        return value\n"
	           "\n"
	           "class Short(TD):\n"
	           "    impl = Str\n"
	           "\n"
	           "class Stamp(sa.types.TypeDecorator):\n"
	           "    impl = sa.DateTime(timezone=True)\n"
	           "\n"
	           "class Doc(types.TypeDecorator):\n"
	           "    impl = JSONB\n"
	           "\n"
	           "class Guid(TypeDecorator):\n"
	           "    impl = Str\n"
	           "    def load_dialect_impl(self, dialect):\n"
	           "        return dialect.type_descriptor(Str(36))\n"
	           "\n"
	           "class Sized(TypeDecorator):\n"
	           "    impl = Str\n"
	           "    def __init__(self, n):\n"
	           "        super().__init__(n * 2)\n"
	           "\n"
	           "class Odd(TypeDecorator):\n"
	           "    impl = Thing\n"
	           "\n"
	           "class NoImpl(TypeDecorator):\n"
	           "    cache_ok = True\n"
	           "\n"
	           "class Sub(Config):\n"
	           "    pass\n");
	const char *rev = "from app.db.cols import Config, Short as S\n"
	                  "import app.db\n"
	                  "import app.db.cols as C\n"
	                  "from app.nowhere import Gone\n";
	assert_string_equal(typedec(rev, "Config"), "sa.JSON cols.py:7");
	assert_string_equal(typedec(rev, "S"), "sa.String cols.py:16");
	assert_string_equal(typedec(rev, "C.Stamp"), "sa.DateTime(timezone=True) cols.py:19");
	assert_string_equal(typedec(rev, "app.db.cols.Doc"), "postgresql.JSONB cols.py:22");
	char want[600];
	snprintf(want, sizeof want, "!TypeDecorator Guid (%s/td/app/db/cols.py:27) defines load_dialect_impl()", dir);
	assert_string_equal(typedec(rev, "C.Guid"), want);
	snprintf(want, sizeof want, "!TypeDecorator Sized (%s/td/app/db/cols.py:32) defines __init__()", dir);
	assert_string_equal(typedec(rev, "C.Sized"), want);
	snprintf(want, sizeof want,
	         "!TypeDecorator Odd (%s/td/app/db/cols.py:35): impl Thing is not imported from sqlalchemy in its module",
	         dir);
	assert_string_equal(typedec(rev, "C.Odd"), want);
	snprintf(want, sizeof want, "!TypeDecorator NoImpl (%s/td/app/db/cols.py:38) has no impl = of its own", dir);
	assert_string_equal(typedec(rev, "C.NoImpl"), want);
	snprintf(want, sizeof want, "!class Sub (%s/td/app/db/cols.py:41) is not a sqlalchemy TypeDecorator (its one base)",
	         dir);
	assert_string_equal(typedec(rev, "C.Sub"), want);
	snprintf(want, sizeof want, "!TypeDecorator Nope is neither defined nor imported in %s/td/versions/r.py", dir);
	assert_string_equal(typedec(rev, "Nope"), want);
	assert_non_null(strstr(typedec(rev, "Gone"), "module app.nowhere (imported at"));
	assert_non_null(strstr(typedec(rev, "Gone"), "not found under the repository"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_rows),
		cmocka_unit_test(not_covered),
		cmocka_unit_test(user_types),
		cmocka_unit_test(bad_files),
		cmocka_unit_test(from_python),
		cmocka_unit_test(typedecorators),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
