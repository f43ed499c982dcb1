/*
 * lock() and unlock(): the table is created with the native tool's own DDL
 * when it is missing, before anything runs (dbmate creates it at the start
 * of `up`, and a migration may GRANT on it).  A table created here that the
 * command never writes to is dropped again in unlock().  None of the tools
 * described has a lock strata could share, so nothing more is taken.
 */
#include <stdlib.h>

#include "tables_int.h"

static int create(strata_host *h, const tb_desc *d)
{
	bool lite = tb_is_sqlite(h);
	const char *ddl = lite ? d->create_sqlite : d->create_pg;
	if (!ddl) {
		h->error(h, STRATA_ECLASS_CONFIG, d->file, 0, 0,
		         "add the native tool's CREATE TABLE under create:",
		         "tracker %s has no create.%s, and %s does not exist", d->name,
		         lite ? "sqlite" : "postgresql", d->table);
		return STRATA_EINVAL;
	}
	h->debug(h, "tables: creating %s (tracker %s)", d->table, d->name);
	int rc = h->db_exec(h, ddl);
	if (rc == STRATA_OK)
		tb_state_created(d);
	return rc;
}

int tb_lock(strata_host *h, const strata_source_cfg *cfg, long timeout_ms)
{
	(void)timeout_ms;
	const tb_desc *d;
	int rc = tb_load(h, cfg, &d);
	if (rc < 0)
		return rc;
	tb_state_begin(d);
	rc = tb_columns_present(h, d);
	if (rc == 0)
		rc = create(h, d);
	return rc < 0 ? rc : STRATA_OK;
}

int tb_unlock(strata_host *h, const strata_source_cfg *cfg)
{
	const tb_desc *d;
	int rc = tb_load(h, cfg, &d);
	if (rc < 0)
		return rc;
	if (tb_state_end(d)) {
		tb_buf b = {0};
		tb_puts(&b, "DROP TABLE IF EXISTS ");
		tb_table(&b, d);
		rc = b.oom ? strata_oom(h) : h->db_exec(h, b.s);
		tb_buf_free(&b);
	}
	return rc < 0 ? rc : STRATA_OK;
}

int tb_probe(strata_host *h, const strata_source_cfg *cfg)
{
	const tb_desc *d;
	int rc = tb_load(h, cfg, &d);
	if (rc < 0)
		return rc;
	rc = tb_columns_present(h, d);
	return rc;
}

/* The name is copied by the host at once. */
const char *tb_table_of(strata_host *h, const strata_source_cfg *cfg)
{
	static _Thread_local char buf[160];
	const tb_desc *d;
	if (tb_load(h, cfg, &d) < 0)
		return NULL;
	tb_table_name(d, buf, sizeof buf);
	return buf;
}
