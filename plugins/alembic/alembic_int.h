/* The alembic plugin's internal interfaces. */
#ifndef STRATA_ALEMBIC_INT_H
#define STRATA_ALEMBIC_INT_H

#include <stddef.h>

#include <strata/plugin.h>
#include <strata/plugin_util.h> /* strata_oom; files read with strata_read_file, strata_slurpat */

#define AL_TABLE "alembic_version"

/* ini.c: dir + "/" + rel, or rel when it is absolute; NULL when out of memory. */
char *al_join(const char *dir, const char *rel);

/* ini.c: the [alembic] section of alembic.ini, read with configparser's rules
 * (continuation lines, %(name)s and %(here)s interpolation, %% for %, no
 * inline comments). */
typedef struct al_ini {
	char **version_dirs; /* absolute, at least one */
	size_t ndirs;
	int recursive;       /* recursive_version_locations */
	char *script_dir;    /* script_location, absolute (env.py is there) */
	char *main_options;  /* "get_main_option.KEY=VALUE" lines (ini.c's main_options()) */
} al_ini;
/* 1 when dir holds alembic.ini and *out is filled, 0 when it has none,
 * < 0 on error (reported with file:line). */
int al_ini_read(strata_host *h, const char *dir, al_ini *out);
void al_ini_free(al_ini *ini);

/* offline.c: Alembic's own offline script (`alembic upgrade A:B --sql`),
 * split on its `-- Running upgrade A -> B` markers. */
typedef struct al_block {
	char *rev;       /* the revision the block upgrades to */
	char *sql;       /* its statements, the alembic_version DML removed */
	size_t len;
	int line;        /* line of the block's marker in the script */
	int down;        /* a `-- Running downgrade REV -> …` block (REV's down script) */
	int no_transaction; /* statements between COMMIT; and BEGIN; (autocommit_block) */
	char *file;      /* display path when not the al_offline's (offline_sql: auto) */
} al_block;
typedef struct al_offline {
	char *file;      /* display path */
	al_block *blocks;
	size_t n;
	const char *table; /* the version table as the script names it (borrowed) */
} al_offline;
/* table: the version table's name as Alembic prints it ([schema.]table);
 * al_offline_read() is for alembic_version. */
int al_offline_read_vt(strata_host *h, const char *path, const char *display, const char *table,
                       al_offline *out);
int al_offline_read(strata_host *h, const char *path, const char *display, al_offline *out);
const al_block *al_offline_find(const al_offline *o, const char *rev, int down);
void al_offline_free(al_offline *o);

/* auto.c (offline_sql: auto): alembic on PATH (malloc'd), or NULL. */
char *al_auto_alembic(void);
/* The path (malloc'd, in *script) of Alembic's own offline script for one
 * revision rev (from: its down_revision, NULL for a root; down: the
 * downgrade script), from the cache beside the config or, alembic (its
 * path) given, by running `alembic upgrade from:rev --sql` now.  0, or -1 with why (Alembic's
 * failure), or < -1 (out of memory, reported). */
int al_auto_script(strata_host *h, const strata_source_cfg *cfg, const char *alembic,
                   const char *dialect, const char *rev, const char *from, int down,
                   const char *rev_text, size_t rev_len, char **script, char *why, size_t whysize);

/* vtable.c: the version table of a source (Alembic's version_table and
 * version_table_schema): each from the source's option, else from a string
 * literal in the tree's env.py, else alembic_version / no schema. */
typedef struct al_envpy {
	char *table, *schema; /* literals in context.configure(), NULL when not given */
	int table_line, schema_line;
} al_envpy;
/* name in the folder that holds dir (dir's parent), malloc'd. */
char *al_beside(const char *dir, const char *name);
/* The tree's env.py for source folder path: <script_location>/env.py when
 * path holds alembic.ini, else env.py beside path, in its parent folder (NULL
 * with *rc on error). */
char *al_envpy_path(strata_host *h, const char *path, int *rc);
/* A missing env.py is no names; one strata cannot read is no names too
 * (with a -v note when notes is set). */
int al_envpy_read(strata_host *h, const char *path, const char *display, int notes,
                  al_envpy *out);
void al_envpy_free(al_envpy *e);
typedef struct al_vtable {
	char *table, *schema; /* as named; schema NULL for none */
	char *sql;            /* [schema.]table as SQLAlchemy writes it on the dialect */
	char *schema_sql;     /* the schema written likewise, NULL for none */
	char *pkc;            /* the primary key's name, <table>_pkc, written likewise */
} al_vtable;
/* dialect: the one the SQL is for (NULL: PostgreSQL's quoting); notes: say
 * with -v where the names came from. */
int al_vtable_get(strata_host *h, const strata_source_cfg *cfg, const char *dialect, int notes,
                  al_vtable *out);
void al_vtable_free(al_vtable *v);

/* scan.c, detect.c, track.c */
int al_scan(strata_host *h, const strata_source_cfg *cfg);
/* write.c: the write() op, revision files (m NULL: finish). */
int al_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m);
int al_detect(strata_host *h, const char *dir);
int al_track_read(strata_host *h, const strata_source_cfg *cfg);
int al_track_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev);

#endif
