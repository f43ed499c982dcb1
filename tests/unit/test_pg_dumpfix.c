/*
 * plugins/postgres/postgres_dumpfix.c: schema_sql's rules on pg_dump's
 * output.  The input is the shape pg_dump 15.18 writes (its banners, session
 * settings, \restrict lines); the rules must drop those and nothing inside
 * a statement, a function body or a string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postgres_int.h"
#include "fake_host.h"

typedef struct out {
	char buf[8192];
	size_t n;
} out;

static int sink(void *ud, const char *text, size_t len)
{
	out *o = ud;
	assert_true(o->n + len < sizeof o->buf);
	memcpy(o->buf + o->n, text, len);
	o->n += len;
	o->buf[o->n] = '\0';
	return 0;
}

static const char dump[] =
	"--\n"
	"-- PostgreSQL database dump\n"
	"--\n"
	"\n"
	"\\restrict WYsmNQp3SubSmnyfCWlgJTrejIVE3ZxmbXOE0HVYZ6y5WK9IXOGZ35yxDpD8nJO\n"
	"\n"
	"-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
	"\n"
	"SET statement_timeout = 0;\n"
	"SET client_encoding = 'UTF8';\n"
	"SELECT pg_catalog.set_config('search_path', '', false);\n"
	"SET check_function_bodies = false;\n"
	"\n"
	"--\n"
	"-- Name: public; Type: SCHEMA; Schema: -; Owner: -\n"
	"--\n"
	"\n"
	"CREATE SCHEMA public;\n"
	"\n"
	"COMMENT ON SCHEMA public IS 'standard public schema';\n"
	"\n"
	"CREATE FUNCTION public.bump() RETURNS trigger\n"
	"    LANGUAGE plpgsql\n"
	"    AS $$\n"
	"BEGIN\n"
	"SET LOCAL search_path = public;\n"
	"-- a comment in the body\n"
	"RETURN NEW;\n"
	"END $$;\n"
	"\n"
	"SET default_tablespace = '';\n"
	"\n"
	"CREATE TABLE public.a (\n"
	"    id integer NOT NULL,\n"
	"    note text DEFAULT 'SET x = 1;\n"
	"\\restrict not a line of its own'::text\n"
	");\n"
	"\n"
	"CREATE SCHEMA other;\n"
	"\n"
	"--\n"
	"-- PostgreSQL database dump complete\n"
	"--\n"
	"\n"
	"\\unrestrict WYsmNQp3SubSmnyfCWlgJTrejIVE3ZxmbXOE0HVYZ6y5WK9IXOGZ35yxDpD8nJO\n"
	"\n";

static void rules(void **state)
{
	(void)state;
	fake_host f;
	out o = {.n = 0};
	fake_init(&f, "postgresql");
	int rc = pgdrv_dumpfix(&f.h, dump, strlen(dump), sink, &o);
	if (rc)
		fprintf(stderr, "%s (line %d)\n", f.msg, f.line);
	assert_int_equal(rc, 0);
	/* The line inside the string that starts like \restrict is kept: the
	 * line rules apply to the dump's header and trailer only. */
	assert_string_equal(o.buf,
		"CREATE FUNCTION public.bump() RETURNS trigger\n"
		"    LANGUAGE plpgsql\n"
		"    AS $$\n"
		"BEGIN\n"
		"SET LOCAL search_path = public;\n"
		"-- a comment in the body\n"
		"RETURN NEW;\n"
		"END $$;\n\n"
		"CREATE TABLE public.a (\n"
		"    id integer NOT NULL,\n"
		"    note text DEFAULT 'SET x = 1;\n"
		"\\restrict not a line of its own'::text\n"
		");\n\n"
		"CREATE SCHEMA other;\n\n");
}

static void empty(void **state)
{
	(void)state;
	fake_host f;
	out o = {.n = 0};
	fake_init(&f, "postgresql");
	assert_int_equal(pgdrv_dumpfix(&f.h, "SET a = 1;\n", 11, sink, &o), 0);
	assert_int_equal(o.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules),
		cmocka_unit_test(empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
