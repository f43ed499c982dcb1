/*
 * Fuzz target: the op.* → SQL translator (plugins/alembic/opsql.c on
 * pyexpr.c).  The input is one revision file's text; upgrade() and
 * downgrade() are translated for PostgreSQL and SQLite, once straight and
 * once on shared tokens, as the plugin's scan does.
 */
#include "opsql.h"
#include "pyexpr.h"

#include <stdint.h>
#include <string.h>

static void translate(const px_toks *tk, const char *text, size_t len, const char *fn,
                      opsql_dialect d)
{
	opsql_result r = {0};
	char err[256];
	int line = 0;
	int rc = tk ? opsql_translate_toks(tk, fn, d, &r, err, sizeof err, &line)
	            : opsql_translate(text, len, fn, d, &r, err, sizeof err, &line);
	/* opsql.h: OK's sql is len bytes and NUL-terminated */
	if (rc == 0 && r.status == OPSQL_OK && r.sql && r.sql[r.len] != '\0')
		__builtin_trap();
	opsql_result_free(&r);
}

static int on_tokens(const px_toks *tk, void *ud)
{
	(void)ud;
	for (int d = OPSQL_POSTGRESQL; d <= OPSQL_SQLITE; d++) {
		translate(tk, NULL, 0, "upgrade", (opsql_dialect)d);
		translate(tk, NULL, 0, "downgrade", (opsql_dialect)d);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	translate(NULL, text, size, "upgrade", OPSQL_SQLITE);
	char err[256];
	int line = 0;
	px_with_tokens(text, size, on_tokens, NULL, err, sizeof err, &line);
	return 0;
}
