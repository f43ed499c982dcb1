/* The replay cache's tag (plugin.h, driver version 7): what besides the scripts a
 * replay on a SQLite scratch depends on, the library's version.  The
 * templates themselves are files the host copies (core/run/template_files.c);
 * conn may be NULL. */
#include <stdio.h>

#include "sqlite_int.h"

int sqlite_drv_template_tag(strata_conn *conn, strata_host *host, char *out, size_t size)
{
	(void)conn;
	(void)host;
	snprintf(out, size, "sqlite %s", sqlite3_libversion());
	return STRATA_OK;
}
