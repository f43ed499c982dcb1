/*
 * Fuzz target: the tracking-table row readers.  Hostile rows are written
 * into a real SQLite file's strata_ledger (core/driver/ledger_table.c),
 * _prisma_migrations (plugins/prisma/read.c) and alembic_version
 * (plugins/alembic/track.c), whose tables strata itself created (a
 * baseline at start-up); then `strata status` runs through the public API:
 * every reader, and the plan that weighs their rows (core/plan/).
 *
 * Input: one row per line.  The line's first byte picks the table ('L'
 * strata_ledger, 'P' _prisma_migrations, 'A' alembic_version, any other by
 * its value); the rest is the row's values in column order, separated by
 * tabs: "\N" is NULL, "#123" the integer 123, anything else text.  Columns
 * not given keep their defaults.
 */
#include "strata/strata.h"
#include "tree.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef STRATA_SOURCE_ROOT
#error "build with -DSTRATA_SOURCE_ROOT"
#endif

#define NTABLES 3
#define MAXCOLS 16
static const char *const tables[NTABLES] = {"strata_ledger", "_prisma_migrations",
                                            "alembic_version"};
static char *cols[NTABLES][MAXCOLS];
static int ncols[NTABLES];
static char dir[4096], dbfile[4200];
static strata *S;

static void die(const char *what)
{
	fprintf(stderr, "fuzz track_rows: %s: %s\n", what,
	        S && strata_last_error(S) ? strata_last_error(S)->message : "failed");
	exit(1);
}

/* Two Prisma migrations; the Alembic and dbmate folders of the example. */
static void write_project(void)
{
	static const char prisma[] =
		"=== prisma/migrations/20240101000000_init/migration.sql\n"
		"CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL);\n"
		"=== prisma/migrations/20240102000000_post/migration.sql\n"
		"CREATE TABLE \"Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT);\n"
		"=== prisma/migrations/migration_lock.toml\n"
		"provider = \"sqlite\"\n";
	char yaml[2048];
	snprintf(yaml, sizeof yaml,
	         "sources:\n"
	         "  - {name: app, format: prisma, path: prisma/migrations}\n"
	         "  - {name: reports, format: alembic, path: %s/docs/examples/shop/reports/versions}\n"
	         "  - {name: db, format: sqlpair, path: %s/docs/examples/shop/db/migrations, layout: dbmate}\n",
	         STRATA_SOURCE_ROOT, STRATA_SOURCE_ROOT);
	if (fz_tree_write(dir, (const uint8_t *)prisma, sizeof prisma - 1) != 0 ||
	    fz_write_file(dir, "strata.yaml", yaml, strlen(yaml)) != 0)
		die("project folder");
}

static void quiet(void *ud, strata_log_level level, const char *file, int line, const char *msg)
{
	(void)ud, (void)level, (void)file, (void)line, (void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (fz_mkdtemp("track-rows", dir, sizeof dir) != 0)
		die("temporary folder");
	char memo[4300]; /* Alembic's translation memo with the project, not in $HOME */
	snprintf(memo, sizeof memo, "%s/.alembic-memo", dir);
	setenv("STRATA_ALEMBIC_CACHE", memo, 1);
	write_project();
	snprintf(dbfile, sizeof dbfile, "%s/fuzz.db", dir);
	char cfg[4300], url[4300];
	snprintf(cfg, sizeof cfg, "%s/strata.yaml", dir);
	snprintf(url, sizeof url, "sqlite:%s", dbfile);
	S = strata_new();
	strata_set_log(S, quiet, NULL);
	size_t n = 0;
	if (strata_load_config(S, cfg) != 0)
		die("config");
	strata_set_database(S, url);
	/* the tables, made by strata and the trackers themselves */
	if (strata_baseline(S, NULL, &n) != 0 || n == 0)
		die("baseline");
	sqlite3 *db;
	if (sqlite3_open(dbfile, &db) != SQLITE_OK)
		die("sqlite3_open");
	for (int t = 0; t < NTABLES; t++) {
		char sql[128];
		snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", tables[t]);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			die("table_info");
		while (sqlite3_step(st) == SQLITE_ROW && ncols[t] < MAXCOLS)
			cols[t][ncols[t]++] = strdup((const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
		if (ncols[t] == 0)
			die(tables[t]);
	}
	sqlite3_close(db);
	return 0;
}

/* One input line as a row of its table; a row the table refuses is skipped. */
static void insert(sqlite3 *db, const char *line, size_t len)
{
	if (len == 0)
		return;
	int t = line[0] == 'L' ? 0 : line[0] == 'P' ? 1 : line[0] == 'A' ? 2 : (unsigned char)line[0] % NTABLES;
	const char *f[MAXCOLS];
	size_t flen[MAXCOLS];
	int nf = 0;
	for (size_t i = 1; i <= len && nf < ncols[t];) {
		size_t k = i;
		while (k < len && line[k] != '\t')
			k++;
		f[nf] = line + i;
		flen[nf++] = k - i;
		i = k + 1;
	}
	if (nf == 0)
		return;
	char sql[1024];
	int o = snprintf(sql, sizeof sql, "INSERT INTO \"%s\" (", tables[t]);
	for (int c = 0; c < nf; c++)
		o += snprintf(sql + o, sizeof sql - (size_t)o, "%s\"%s\"", c ? ", " : "", cols[t][c]);
	o += snprintf(sql + o, sizeof sql - (size_t)o, ") VALUES (");
	for (int c = 0; c < nf; c++)
		o += snprintf(sql + o, sizeof sql - (size_t)o, "%s?", c ? ", " : "");
	snprintf(sql + o, sizeof sql - (size_t)o, ")");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	for (int c = 0; c < nf; c++) {
		if (flen[c] == 2 && !memcmp(f[c], "\\N", 2)) {
			sqlite3_bind_null(st, c + 1);
		} else if (flen[c] > 0 && f[c][0] == '#') {
			char num[32];
			size_t k = flen[c] - 1 < sizeof num - 1 ? flen[c] - 1 : sizeof num - 1;
			memcpy(num, f[c] + 1, k);
			num[k] = '\0';
			sqlite3_bind_int64(st, c + 1, strtoll(num, NULL, 10));
		} else {
			sqlite3_bind_text(st, c + 1, f[c], (int)flen[c], SQLITE_TRANSIENT);
		}
	}
	sqlite3_step(st);
	sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sqlite3 *db;
	if (sqlite3_open(dbfile, &db) != SQLITE_OK)
		die("sqlite3_open");
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int t = 0; t < NTABLES; t++) {
		char sql[128];
		snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", tables[t]);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	const char *s = (const char *)data, *end = s + size;
	for (int rows = 0; s < end && rows < 64; rows++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((nl ? nl : end) - s);
		insert(db, s, len);
		s += len + 1;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);

	size_t counts[STRATA_STATE_COUNT], ooo = 0, sum = 0;
	if (strata_status(S, counts, &ooo) == 0) {
		for (size_t i = 0; i < strata_migration_count(S); i++) {
			const strata_migration_info *in = strata_migration_get(S, i);
			sum += strlen(in->id) + strlen(in->version) + strlen(in->name) +
			       strlen(strata_state_name(in->state));
			sum += in->applied_at ? strlen(in->applied_at) : 0;
			sum += in->applied_by ? strlen(in->applied_by) : 0;
			sum += in->error ? strlen(in->error) : 0;
		}
	} else if (strata_last_error(S)) {
		sum += strlen(strata_last_error(S)->message);
	}
	/* STRATA_FUZZ_DEBUG=1: what status made of the rows (one line each) */
	if (getenv("STRATA_FUZZ_DEBUG")) {
		for (size_t i = 0; i < strata_migration_count(S); i++) {
			const strata_migration_info *in = strata_migration_get(S, i);
			fprintf(stderr, "%s %s\n", in->id, strata_state_name(in->state));
		}
		if (strata_last_error(S) && strata_last_error(S)->message)
			fprintf(stderr, "error: %s\n", strata_last_error(S)->message);
	}
	(void)sum;
	return 0;
}
