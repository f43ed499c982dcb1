/*
 * A dialect of the translator: what SQLAlchemy's dialect and Alembic's
 * DefaultImpl subclass for it do differently, as data and a few narrow
 * hooks.  One file per dialect defines one `const opsql_dialect_def`
 * (opsql_postgresql.c, opsql_sqlite.c); nothing else in opsql*.c asks which
 * dialect it is.  A new dialect is a new file, a value in opsql.h's enum and
 * a row in opsql_dialects[] (opsql.c).  Included by opsql_int.h.
 */
#ifndef STRATA_ALEMBIC_OPSQL_DIALECT_H
#define STRATA_ALEMBIC_OPSQL_DIALECT_H

typedef struct opsql_dialect_def {
	const char *name;             /* SQLAlchemy's dialect name: with_variant(t, "sqlite"),
	                                 the prefix of dialect keywords (sqlite_where=) */
	const char *title;            /* in messages: "SQLite" */
	const char *const *reserved;  /* the dialect's RESERVED_WORDS, NULL-terminated */
	const char *const *type_names; /* [TY_*]: the type compiler's name for a type that
	                                 has no arguments, NULL: the generic one */
	int max_ident;                /* longest constraint / index name
	                                 (max_identifier_length); 0: no check */
	int backslash_escapes;        /* string literals double backslashes */
	const char *true_sql, *false_sql; /* True / False as literals */
	const char *now_sql;          /* func.now(); NULL: now() */
	int native_enum;              /* supports_native_enum: no CHECK for Enum */
	int native_boolean;           /* supports_native_boolean: no CHECK for Boolean */
	int comments;                 /* COMMENT ON TABLE / COLUMN after create_table / add_column */
	int cross_schema_fk;          /* a foreign key may reference a table of another schema */
	int alter_type_first;         /* alter_column: TYPE ... [USING postgresql_using] first, as
	                                 PostgresqlImpl.alter_column does; else after the rest */
	int concurrently;             /* postgresql_concurrently= is honoured */
	int index_include;            /* postgresql_include= renders INCLUDE (...) after the columns */
	int supports_alter;           /* SQLAlchemy's dialect.supports_alter: CREATE TABLE leaves out a
	                                 constraint with use_alter=True */
	int not_valid;                /* postgresql_not_valid= renders NOT VALID after a CHECK /
	                                 FOREIGN KEY constraint */
	int json_same_affinity;       /* batch: a change to JSON needs no CAST */
	const char *constraint_refused; /* Alembic's error for ALTER of constraints, NULL: allowed */
	const char *comment_refused;  /* alter_column(comment=): the compiler's error, NULL: allowed */
	const char *batch_no_copy_from; /* batch recreate without copy_from: the reason, NULL: generic */
	const char *const *py_dialect; /* what `op.get_bind().dialect.X` is in Alembic's offline run
	                                 (SQLAlchemy 1.4's dialect class): X, then its value as a
	                                 Python literal, ...; NULL-terminated */

	/* Hooks; NULL where the dialect has nothing to add. */

	/* The type as the dialect's type compiler prints it: 0 done, -1 stopped,
	 * 1 not handled (the generic compiler in opsql_types.c renders it). */
	int (*type_sql)(struct ctx *c, obuf *b, const ptype *t);
	/* get_column_specification() after "name " of a typed column (required). */
	int (*col_spec)(struct ctx *c, obuf *b, const tdef *t, const coldef *col);
	/* create_table(): statements before CREATE TABLE (CREATE TYPE). */
	int (*before_create_table)(struct ctx *c, tdef *t);
	/* <Enum>.create(op.get_bind()) / .drop(...) (drop: 1) of the type t;
	 * NULL: the dialect prints nothing for them (no native enums). */
	int (*enum_type_ddl)(struct ctx *c, const ptype *t, int drop, int line);
	/* CREATE [UNIQUE] INDEX is in b: the rest up to the column list (required);
	 * if_not_exists: CreateIndex(if_not_exists=True), IF NOT EXISTS before the name. */
	void (*index_head)(struct ctx *c, obuf *b, const char *name, const char *table, const char *schema,
	                   int concurrently, const char *using, int if_not_exists);
	/* impl.prep_table_for_batch(): statements before a move-and-copy.  named:
	 * the named constraints the new table gets, orig: copy_from's. */
	int (*prep_table_for_batch)(struct ctx *c, const tdef *src, cons **named, int nnamed, cons **orig,
	                            int norig, int line);
	/* impl.requires_recreate_in_batch() for recreate="auto"; NULL: never. */
	int (*requires_recreate_in_batch)(struct ctx *c, const batchop *ops, int nops);
} opsql_dialect_def;

extern const opsql_dialect_def opsql_postgresql, opsql_sqlite;

/* The definition of a public opsql_dialect value, NULL when unknown. */
const opsql_dialect_def *opsql_dialect_get(opsql_dialect d);

#endif
