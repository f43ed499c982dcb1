/*
 * sa.Enum(AppEnum): the members of an application's PEP-435 enum class,
 * read from the application's source without importing or running it.  The
 * class is found from the name the revision writes (`Status`, `S` after
 * `from app.models.enums import Status as S`, `enums.Status` after
 * `from app.models import enums`, relative imports), module by module inside
 * the given roots (the folders Python would search: the repository's), and
 * its body read as Python's enum module reads it.
 *
 * What SQLAlchemy 1.4's Enum takes from such a class (sql/sqltypes.py,
 * Enum._parse_into_values / _enum_init): the member NAMES, in order,
 * aliases included unless omit_aliases=True, and the type name
 * `cls.__name__.lower()`.  values_callable= is not modelled (the caller
 * refuses it).
 *
 * Independent of strata's headers; never prints, never exits.
 */
#ifndef STRATA_ALEMBIC_PYENUM_H
#define STRATA_ALEMBIC_PYENUM_H

/* How many times this thread looked at a file other than the revision
 * being translated (an application's module found, read or looked for,
 * here and in unroll.c): the translation memo (memo.h) keeps no
 * translation that did. */
extern _Thread_local unsigned pe_fs_probes;

#include <stddef.h>

typedef struct pe_enum {
	char *name;     /* SQLAlchemy's default type name: the class name lowercased */
	char *cls;      /* the class's own name */
	char **members; /* member names, as sa.Enum lists them */
	int n;
	char *file;     /* the file and line of `class ...:` */
	int line;
} pe_enum;

/* Finds the enum class `name` as written in the Python file `path` (text
 * given: the revision; NULL: read from path), resolving absolute imports in
 * roots (NULL-terminated, searched in order) and relative ones from path.
 * omit_aliases: sa.Enum(..., omit_aliases=True).  0 with *out filled, or -1
 * with the reason in why ("enum class Status: module app.enums (imported
 * at rev.py:4) not found under the repository").  Free with pe_free(). */
int pe_resolve(const char *path, const char *text, size_t len, const char *const *roots,
               const char *name, int omit_aliases, pe_enum *out, char *why, size_t whysize);
void pe_free(pe_enum *e);

/* An application's TypeDecorator: `class X(TypeDecorator): impl = T` whose
 * compiled type is T's (no load_dialect_impl(), type_engine() or __init__ of
 * its own), T imported from sqlalchemy in the class's module.  impl: T as
 * the translator reads a type: "sa.JSON", "sa.String(36)",
 * "postgresql.JSONB". */
typedef struct pe_typedec {
	char *cls;
	char *impl;
	char *file;
	int line;
} pe_typedec;

/* Finds the class `name` as pe_resolve() finds an enum class; 0 with *out,
 * or -1 with the reason in why ("TypeDecorator X (f.py:3) defines
 * load_dialect_impl()").  Free with pe_typedec_free(). */
int pe_resolve_typedec(const char *path, const char *text, size_t len, const char *const *roots,
                       const char *name, pe_typedec *out, char *why, size_t whysize);
void pe_typedec_free(pe_typedec *t);

/* What a module-level import of the Python text binds the name head to
 * (the last such import wins, as at run time): "sqlalchemy_utils" for
 * `import sqlalchemy_utils as su` and head "su", "a.b.N" for
 * `from a.b import N as head`.  0 with out filled, -1 when no import binds
 * it (or the text does not tokenize). */
int pe_import_of(const char *text, size_t len, const char *head, char *out, size_t size);
/* The module-level `def name(` that the Python file path (text given, or
 * NULL: read) imports or defines, found the way pe_resolve() finds a class
 * (`from app.migration import helper`, `as`, relative and star imports).
 * 0 with *file (malloc'd) and *line of the def, or -1 with the reason in
 * why ("function helper: module app.m (imported at rev.py:4) not found
 * under the repository"). */
int pe_find_def(const char *path, const char *text, size_t len, const char *const *roots,
                const char *name, char **file, int *line, char *why, size_t whysize);

/* The module-level `name = ...` line that path imports the name from,
 * found as pe_find_def() finds a def. */
int pe_find_assign(const char *path, const char *text, size_t len, const char *const *roots,
                   const char *name, char **file, int *line, char *why, size_t whysize);

/* The folders to search for a revision at rev_path: each ancestor of its
 * folder, nearest first, up to and including the first that holds .git
 * (at most 12).  NULL-terminated, malloc'd; free with pe_roots_free(). */
char **pe_roots(const char *rev_path);
void pe_roots_free(char **roots);

#endif
