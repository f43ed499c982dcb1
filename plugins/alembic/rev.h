/* A revision as the scan (scan.c) holds it, and as its translation memo
 * (memo.c) keeps and restores what was learnt from the file. */
#ifndef STRATA_ALEMBIC_REV_H
#define STRATA_ALEMBIC_REV_H

#include <stddef.h>

#include "opsql.h"
#include "pyread.h"

/* What a revision keeps of a translation (opsql_result without its 512-byte
 * reason buffer, which only a refused or untranslatable function needs): a
 * thousand revisions held at once, a hundred thousand in the big benchmark. */
typedef struct rev_sql {
	opsql_status status;
	int no_transaction, line;
	char *sql; /* OPSQL_OK */
	size_t len;
	int *lines, *cols;
	size_t nlines;
	char *reason; /* not OK: what opsql_result said */
} rev_sql;

typedef struct rev {
	char *file;     /* relative to the source path, for messages */
	size_t seq;     /* place in the directory listing, Alembic's load order */
	py_revision py;
	char *name;
	rev_sql up, down;
	int has_down;
	int rc, errline, gone;     /* read_one's outcome */
	int down_skipped;          /* downgrade() not translated: the command runs no down script */
	const char *errhint;
	char *err;                 /* read_one's message when rc != 0 */
	const char **parents; /* resolved, NULL-terminated: down_revision, then depends_on */
	size_t ndown;         /* how many are down_revision */
	char *auto_note;      /* offline_sql: auto could not give Alembic's SQL: why */
	char *text;           /* read_history()'s read of the file, for read_one() (then freed) */
	size_t len;
	unsigned char key[32]; /* the memo's key of the file (memo.h) */
	int memo;             /* what judge() learnt goes into the memo: 1 translated now, 2 from it */
} rev;

#endif
