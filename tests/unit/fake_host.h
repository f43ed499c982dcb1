/*
 * A small strata_host for unit tests of plugin sources linked into the test
 * binary: it records the last error (message, file, line) and answers the
 * dialect it was given.  Include after <strata/plugin.h> (or a plugin's
 * internal header) and cmocka's prerequisites.
 */
#ifndef STRATA_TEST_FAKE_HOST_H
#define STRATA_TEST_FAKE_HOST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct fake_host {
	strata_host h;
	const char *dialect;
	int errors;
	char msg[1024], file[256];
	int line;
} fake_host;

static void f_error(strata_host *h, strata_error_class cls, const char *file, int line, int col,
                    const char *hint, const char *fmt, ...)
{
	fake_host *f = (fake_host *)h;
	va_list ap;
	(void)cls, (void)col, (void)hint;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
	snprintf(f->file, sizeof f->file, "%s", file ? file : "");
	f->line = line;
	f->errors++;
}

static const char *f_dialect(strata_host *h)
{
	return ((fake_host *)h)->dialect;
}

static void fake_init(fake_host *f, const char *dialect)
{
	memset(f, 0, sizeof *f);
	f->h.version = STRATA_HOST_VERSION;
	f->h.struct_size = sizeof f->h;
	f->h.error = f_error;
	f->h.db_dialect = f_dialect;
	f->dialect = dialect;
}

#endif
