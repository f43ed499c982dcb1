/*
 * A reader for the part of Python that Alembic revision files use for their
 * identity: the module-level assignments revision, down_revision,
 * branch_labels and depends_on (each None, a string, a tuple or a list of
 * strings), plus the lines of `def upgrade(` and `def downgrade(`.  The
 * file is tokenized by pyexpr.c, the tokenizer the op.* translator uses.
 * Independent of strata's headers; never prints, never exits.
 */
#ifndef STRATA_ALEMBIC_PYREAD_H
#define STRATA_ALEMBIC_PYREAD_H

#include <stddef.h>

enum { PY_NONE = 0, PY_STR = 1, PY_LIST = 2 };

typedef struct py_value {
	int kind;       /* PY_NONE, PY_STR, PY_LIST (a tuple or a list) */
	char *str;      /* PY_STR: the decoded UTF-8 string */
	char **items;   /* PY_LIST: nitems decoded strings */
	size_t nitems;
	int line;       /* 1-based line of the assignment */
} py_value;

typedef struct py_revision {
	py_value revision, down_revision, branch_labels, depends_on;
	int has_revision, has_down, has_labels, has_depends;
	int upgrade_line, downgrade_line; /* line of `def upgrade(` / `def downgrade(`, 0 if none */
} py_revision;

/* Reads text[0..len).  0 on success; -1 on error with a message in err and
 * its 1-based line in *errline (err and errline may be NULL).  On error out
 * holds nothing that needs freeing. */
int py_read_revision(const char *text, size_t len, py_revision *out, char *err, size_t errsize,
                     int *errline);

/* The same on text already tokenized by px_tokenize() (pyexpr.h); text is
 * still needed (a NUL byte is an error Python reports before tokenizing). */
struct px_toks;
int py_read_revision_tok(const char *text, size_t len, const struct px_toks *tk,
                         py_revision *out, char *err, size_t errsize, int *errline);

/* Frees what py_read_revision allocated; safe on a zeroed struct. */
void py_revision_free(py_revision *r);

#endif
