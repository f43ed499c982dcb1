/*
 * _prisma_migrations, created with exactly the DDL Prisma's schema engine
 * sends (flavour/postgres.rs, flavour/sqlite.rs), so that `pg_dump -s` and
 * sqlite_master show the same table whoever created it.
 */
#include <string.h>

#include "prisma_int.h"

static const char pg_ddl[] =
	"CREATE TABLE _prisma_migrations (\n"
	"    id                      VARCHAR(36) PRIMARY KEY NOT NULL,\n"
	"    checksum                VARCHAR(64) NOT NULL,\n"
	"    finished_at             TIMESTAMPTZ,\n"
	"    migration_name          VARCHAR(255) NOT NULL,\n"
	"    logs                    TEXT,\n"
	"    rolled_back_at          TIMESTAMPTZ,\n"
	"    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
	"    applied_steps_count     INTEGER NOT NULL DEFAULT 0\n"
	");\n";

static const char sqlite_ddl[] =
	"CREATE TABLE \"_prisma_migrations\" (\n"
	"    \"id\"                    TEXT PRIMARY KEY NOT NULL,\n"
	"    \"checksum\"              TEXT NOT NULL,\n"
	"    \"finished_at\"           DATETIME,\n"
	"    \"migration_name\"        TEXT NOT NULL,\n"
	"    \"logs\"                  TEXT,\n"
	"    \"rolled_back_at\"        DATETIME,\n"
	"    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n"
	"    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n"
	")";

/* Timestamps are encoded per dialect; everything that is not SQLite speaks
 * PostgreSQL's timestamptz text here. */
bool pr_is_sqlite(strata_host *h)
{
	const char *d = h->db_dialect(h);
	return d && !strcmp(d, "sqlite");
}

/* Created only when a row must be written: reading a database Prisma never
 * touched changes nothing.  Prisma's deploy also refuses a non-empty schema
 * without the table (P3005); strata's baseline is exactly that case, so the
 * table is created like `migrate resolve --applied` does, without the check. */
int pr_table_ensure(strata_host *h)
{
	int rc = h->db_table_exists(h, PR_TABLE);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return STRATA_OK;
	return h->db_exec(h, pr_is_sqlite(h) ? sqlite_ddl : pg_ddl);
}
