/*
 * Fuzz target: the Alembic revision reader (plugins/alembic/pyread.c on the
 * tokenizer of pyexpr.c): revision, down_revision, branch_labels,
 * depends_on and the def upgrade/downgrade lines.  The input is one
 * revision file's text, read both ways the plugin reads it (straight, and
 * on tokens shared with the op.* translator).
 */
#include "pyexpr.h"
#include "pyread.h"

#include <stdint.h>
#include <string.h>

static size_t touch(const py_value *v)
{
	size_t n = v->str ? strlen(v->str) : 0;
	for (size_t i = 0; i < v->nitems; i++)
		n += strlen(v->items[i]);
	return n;
}

static int on_tokens(const px_toks *tk, void *ud)
{
	const uint8_t *data = ((const uint8_t *const *)ud)[0];
	size_t size = *((const size_t *const *)ud)[1];
	py_revision r = {0};
	char err[256];
	int line = 0;
	if (py_read_revision_tok((const char *)data, size, tk, &r, err, sizeof err, &line) == 0)
		(void)(touch(&r.revision) + touch(&r.down_revision) + touch(&r.branch_labels) +
		       touch(&r.depends_on));
	py_revision_free(&r);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	py_revision r = {0};
	char err[256];
	int line = 0;
	if (py_read_revision((const char *)data, size, &r, err, sizeof err, &line) == 0)
		(void)(touch(&r.revision) + touch(&r.down_revision) + touch(&r.branch_labels) +
		       touch(&r.depends_on));
	py_revision_free(&r);
	const void *ud[2] = {data, &size};
	px_with_tokens((const char *)data, size, on_tokens, ud, err, sizeof err, &line);
	return 0;
}
