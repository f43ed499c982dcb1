/*
 * Long names as SQLAlchemy 1.4 renders them (sqlalchemy/sql/compiler.py,
 * IdentifierPreparer._truncate_and_render_maxlen_name): an index or
 * constraint name that is a "truncated label" — op.f("…"), conv("…") or a
 * name made by a naming convention — longer than the dialect's maximum is
 * cut to name[0:max - 8] + "_" + the last 4 hex digits of md5(name); any
 * other name longer than the maximum is refused by the dialect
 * (validate_identifier), which Alembic lets through as its own error.
 * Lengths and slices count characters (Python str), the digest is over UTF-8.
 *
 * Independent of strata's headers; never prints, never exits.
 */
#ifndef STRATA_ALEMBIC_OPSQL_NAMES_H
#define STRATA_ALEMBIC_OPSQL_NAMES_H

#include <stddef.h>

/* max is the dialect's max_identifier_length (PostgreSQL 63; SQLite's 9999
 * is given as 0, no limit, by its dialect file). */

/* Python's len() of a UTF-8 string: its code points. */
size_t opsql_name_len(const char *name);

/* A truncated label as the dialect renders it (unquoted): the name itself
 * when it fits, else the cut name with its 4-hex suffix.  malloc'd; NULL
 * when out of memory or when the digest cannot be computed. */
char *opsql_name_truncate(size_t max, const char *name);

/* An explicit (not truncated-label) name: 0 when it fits, else -1 with
 * SQLAlchemy's IdentifierError text in msg ("Identifier '…' exceeds maximum
 * length of 63 characters"). */
int opsql_name_check(size_t max, const char *name, char *msg, size_t msgsize);

#endif
