/*
 * Column types described in YAML (formats/alembic/types.yaml and a source's
 * own `types:` file): a type name as a revision writes it -> the SQL
 * `alembic upgrade --sql` prints for it per dialect, by rules on its
 * arguments.  The file's form is described at the top of
 * formats/alembic/types.yaml.  Knows no Python parser: the caller hands the
 * call's arguments over as at_arg values.
 */
#ifndef STRATA_ALEMBIC_TYPES_YAML_H
#define STRATA_ALEMBIC_TYPES_YAML_H

#include <stddef.h>

#include <strata/plugin.h>

typedef struct at_types at_types; /* the rows of one or more files */
typedef struct at_type at_type;   /* one row */

/* Adds the rows of file to *io (a new table when *io is NULL); rows of a
 * later file win over earlier ones of the same name.  Errors are config
 * errors at file:line:col; returns STRATA_OK or < 0. */
int at_load(strata_host *h, const char *file, at_types **io);
/* formats/alembic/types.yaml of the first formats folder that has one, then
 * user_file when not NULL (relative to dir). */
int at_load_all(strata_host *h, const char *dir, const char *user_file, at_types **out);
void at_free(at_types *t);

/* The row for a type written as dotted ("GUID", "sqlalchemy_utils.UUIDType"),
 * NULL when none. */
const at_type *at_find(const at_types *t, const char *dotted);
const char *at_type_name(const at_type *t);

typedef enum { AT_NONE, AT_BOOL, AT_INT, AT_STR, AT_TYPE } at_kind;
typedef struct at_arg {
	const char *kw;   /* NULL for a positional argument */
	at_kind k;
	long long iv;     /* AT_BOOL 0/1, AT_INT */
	const char *s;    /* AT_STR */
	const void *type; /* AT_TYPE: the caller's parsed type, rendered with type_sql */
} at_arg;

/* Writes a type argument's SQL into *out (malloc'd); returns 0, or -1 with
 * the reason in why. */
typedef int (*at_type_sql_fn)(void *ud, const void *type, char **out, char *why, size_t whysize);

/* The SQL of t called with args on dialect ("postgresql", "sqlite"): 0 with
 * *out malloc'd, or -1 with why ("argument foo= of column type X", "column
 * type X on sqlite", ...).  Out of memory: -1 and why "out of memory". */
int at_render(const at_type *t, const char *dialect, const at_arg *args, int nargs,
              at_type_sql_fn type_sql, void *ud, char **out, char *why, size_t whysize);

#endif
