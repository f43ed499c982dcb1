/*
 * tables internals: one tracker for every tracking table described by a
 * formats/trackers/NAME.yaml.  Nothing here is part of the plugin ABI;
 * every symbol is prefixed tb_ and stays hidden.
 */
#ifndef TABLES_INT_H
#define TABLES_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "strata/plugin.h"
#include "strata/plugin_util.h"

/* ---- descriptor.c: one formats/trackers/NAME.yaml, as tables ---- */

/* What strata writes into a column (the `columns:` words). */
typedef enum tb_kind {
	K_VERSION,      /* version: the migration's version as text */
	K_VERSION_INT,  /* version-int: as an integer ("0001" -> 1) */
	K_VERSION_DIGITS, /* version-digits: its digits only ("2020-01-01-000000" -> 20200101000000) */
	K_NAME,         /* name */
	K_NAME_VERSION, /* name-version: the name, then the version (TypeORM's class name) */
	K_DESCRIPTION,  /* description: the name with '_' as ' ' (Flyway) */
	K_FILE,         /* file: the up script's file, relative to the source */
	K_FILE_STEM,    /* file-stem: that file without its extension */
	K_FILE_BASE,    /* file-base:SUFFIX: its name up to the first dot, then SUFFIX (knex) */
	K_CHECKSUM,     /* checksum: by the descriptor's rule */
	K_NOW,          /* now: the event's time, as a timestamp */
	K_NOW_MS,       /* now-ms: the same in Unix milliseconds */
	K_EXEC_MS,      /* execution-ms */
	K_ERROR,        /* error: the failure text */
	K_UUID,         /* uuid: a random version 4 UUID */
	K_NEXT_RANK,    /* next-rank: max(column) + 1 */
	K_BATCH,        /* batch: max(column) + 1, once per command */
	K_USER,         /* user: the database's current user */
	K_NATIVE_KEY,   /* native-key: the source's key (Drizzle's `when`), else the version */
	K_VERSION_DOTS, /* version-dots: native-key with '_' as '.' (Flyway's version text) */
	K_TRUE,
	K_FALSE,
	K_NULL,
	K_TEXT,         /* text:VALUE */
	K_INT,          /* int:N */
	K_AUTO,         /* auto: the database fills it (serial); read, never written */
	K_NOT_NULL      /* only in states: `is: not-null` */
} tb_kind;

typedef struct tb_value {
	tb_kind kind;
	char *text; /* K_TEXT, K_INT; K_FILE_BASE's suffix */
} tb_value;

typedef struct tb_column {
	char *name;
	tb_value v;
} tb_column;

typedef enum tb_action { A_NOTHING, A_INSERT, A_UPDATE, A_UPSERT, A_DELETE } tb_action;

typedef struct tb_set {
	size_t col;
	tb_value v;
} tb_set;

typedef struct tb_event {
	tb_action act;
	tb_set *set;
	size_t nset;
} tb_event;

/* The events strata records, in this order. */
enum { E_APPLIED, E_BASELINED, E_FAILED, E_ROLLED_BACK, E_RUNNING, E_REPAIRED, E_COUNT };

typedef struct tb_rule {
	long col;            /* -1: always (the last rule) */
	tb_value is;         /* K_TRUE K_FALSE K_NULL K_NOT_NULL K_TEXT K_INT */
	strata_track_state state;
} tb_rule;

typedef enum tb_feature { F_NONE, F_SINGLE_ROW, F_HISTORY, F_WATERMARK, F_EVENTS_LOG } tb_feature;
typedef enum tb_sum { C_NONE, C_SHA256, C_MD5, C_CRC32, C_SHA256_FILE } tb_sum;

typedef struct tb_desc {
	char *name, *summary, *file; /* file: the yaml's path, for messages */
	char *table, *schema;        /* schema may be NULL */
	char *schema_sqlite, *schema_pg; /* schema: per dialect, one picked into schema */
	bool schema_per_dialect;
	char *create_sqlite, *create_pg;
	tb_column *cols;
	size_t ncols;
	size_t key[8];
	size_t nkey;
	long match;     /* the column a row is matched to a migration by (key[0]) */
	long order;     /* the column rows are ordered by, -1: the key */
	long flag;      /* single-row: the dirty column; history: the type column */
	long error_col, finished_col;
	tb_event ev[E_COUNT];
	tb_rule *rules;
	size_t nrules;
	tb_feature feature;
	tb_sum sum;
	/* kinds: what a baseline (KIND_BASELINE) or repeatable (KIND_REPEATABLE)
	 * migration writes instead of the columns' values (only `set`); an
	 * event's own set still wins. */
	tb_event kind[2];
} tb_desc;
enum { KIND_BASELINE, KIND_REPEATABLE };
/* The kinds: entry of a migration's flags, or NULL. */
const tb_event *tb_kind_of(const tb_desc *d, unsigned flags);

/* The descriptor cfg->tracker names, from host->formats_dirs: loaded once
 * per process and shared (loaded.c), never freed by the caller. */
int tb_load(strata_host *h, const strata_source_cfg *cfg, const tb_desc **out);
int tb_load_file(strata_host *h, const char *file, const char *name, tb_desc **out);
void tb_free(tb_desc *d);
long tb_column_index(const tb_desc *d, const char *name);

/* ---- util.c: SQL text and small helpers ---- */
typedef struct tb_buf {
	char *s;
	size_t len, cap;
	bool oom;
} tb_buf;

void tb_puts(tb_buf *b, const char *s);
void tb_printf(tb_buf *b, const char *fmt, ...) STRATA_PRINTF(2, 3);
void tb_ident(tb_buf *b, const char *id);   /* "id" with " doubled */
void tb_table(tb_buf *b, const tb_desc *d); /* "schema"."table" or "table" */
void tb_buf_free(tb_buf *b);
bool tb_is_sqlite(strata_host *h);
int tb_fail(strata_host *h, const char *fmt, ...) STRATA_PRINTF(2, 3);
/* A boolean as the database wrote it: 1 true, 0 false, -1 neither. */
int tb_bool_of(const char *v);
/* The table as messages name it. */
const char *tb_table_name(const tb_desc *d, char *buf, size_t size);

/* ---- value.c: what a column gets for one event ---- */

/* The migration an event or a row is about, from host->each_migration. */
typedef struct tb_mig {
	char *version, *name, *file, *native_key; /* in tb_migs.arena */
	char *up;
	size_t up_len;
	unsigned flags;
} tb_mig;

typedef struct tb_migs {
	tb_mig *v;
	size_t n, cap;
	char *prev; /* tb_migs_one(): the version before it, NULL when it is the first */
	strata_arena arena; /* the migrations' texts but up (a history of 100,000 is
	                       read in a few hundred allocations) */
} tb_migs;

/* Every migration of the source (their up scripts when with_up), or just
 * the one of version (with its up script and the one before). */
int tb_migs_load(strata_host *h, tb_migs *out, bool with_up);
int tb_migs_one(strata_host *h, const char *version, tb_migs *out);
void tb_migs_free(tb_migs *m);

typedef struct tb_ctx {
	strata_host *h;
	const strata_source_cfg *cfg;
	const tb_desc *d;
	const strata_track_event *ev;
	const tb_mig *mig;       /* NULL: no file has it */
	char now[40], now_ms[24], user[128];
	char sum[72];
	bool have_sum;
} tb_ctx;

/* The value (NULL: SQL NULL) of v for column col and the event: in buf,
 * in c, or a pointer into the event or descriptor; < 0 after an error. */
#define TB_VALUE_MAX 1024
int tb_value_of(tb_ctx *c, const tb_value *v, size_t col, char buf[TB_VALUE_MAX],
                const char **out);
/* c->now and c->now_ms from the event's time. */
int tb_ctx_time(tb_ctx *c);
/* The descriptor's checksum of a migration, into out (72 bytes); 0 when
 * the rule gives none. */
int tb_checksum(strata_host *h, const strata_source_cfg *cfg, const tb_desc *d, const tb_mig *m,
                char out[72]);
/* The key column value a migration would be written with (for matching
 * rows back), or NULL. */
const char *tb_key_of(const tb_desc *d, const tb_mig *m, char *buf, size_t size);

/* ---- sqlscan.c: a script that writes its own tracking row ---- */

/* The 1-based line (in text) of the first INSERT INTO (insert true) or
 * DELETE FROM table, schema-qualified or not, quoted or not; 0: none. */
int tb_writes_table(const char *text, size_t len, const tb_desc *d, bool insert);

/* ---- selfrec.c: the same, read by the database's own parser ---- */

/* The 1-based line (in text) of the first statement that writes the
 * descriptor's table, as the driver's parser reads it (sqlscan.c's
 * tokenizer when the host or driver cannot tell); 0: none; < 0 error. */
int tb_script_writes(strata_host *h, const char *text, size_t len, const tb_desc *d);

/* ---- state.c: commands bracketed by lock()/unlock() ---- */
void tb_state_created(const tb_desc *d);
bool tb_state_hidden(const tb_desc *d);   /* created by this command, not yet written */
void tb_state_written(const tb_desc *d);
/* The batch of this command (knex), "" until chosen. */
char *tb_state_batch(const tb_desc *d);
void tb_state_begin(const tb_desc *d);
bool tb_state_end(const tb_desc *d); /* true: created by this command, never written */

/* ---- db.c ---- */
/* Which of the descriptor's columns the table has: 0 table absent, else
 * 1 + the number present; < 0 error. */
int tb_columns_present(strata_host *h, const tb_desc *d);

/* ---- the ops ---- */
int tb_read(strata_host *h, const strata_source_cfg *cfg);
int tb_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev);
int tb_lock(strata_host *h, const strata_source_cfg *cfg, long timeout_ms);
int tb_unlock(strata_host *h, const strata_source_cfg *cfg);
int tb_probe(strata_host *h, const strata_source_cfg *cfg);
const char *tb_table_of(strata_host *h, const strata_source_cfg *cfg);

/* ---- crc32 / digests (value.c) ---- */
int tb_flyway_crc32(const char *text, size_t len, char out[16]);

#endif /* TABLES_INT_H */
