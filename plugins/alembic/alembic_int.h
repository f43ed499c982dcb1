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
} al_block;
typedef struct al_offline {
	char *file;      /* display path */
	al_block *blocks;
	size_t n;
} al_offline;
int al_offline_read(strata_host *h, const char *path, const char *display, al_offline *out);
const al_block *al_offline_find(const al_offline *o, const char *rev, int down);
void al_offline_free(al_offline *o);

/* scan.c, detect.c, track.c */
int al_scan(strata_host *h, const strata_source_cfg *cfg);
int al_detect(strata_host *h, const char *dir);
int al_track_read(strata_host *h, const strata_source_cfg *cfg);
int al_track_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev);

#endif
