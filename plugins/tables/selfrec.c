/*
 * Does a migration's up script write its own tracking row?  Asked of the
 * connected database's own parser through host->db_writes_table (the
 * driver's writes_table: libpg_query's tree on PostgreSQL, SQLite's
 * prepare with an authorizer): any INSERT, UPDATE, DELETE (MERGE, COPY FROM
 * on PostgreSQL) into the descriptor's table.  A host from before that
 * call, or a driver without writes_table, gets sqlscan.c's tokenizer
 * (INSERT INTO the table) instead.
 */
#include "tables_int.h"

int tb_script_writes(strata_host *h, const char *text, size_t len, const tb_desc *d)
{
	int line = 0, rc;

	if (!text)
		return 0;
	if (STRATA_HAS(strata_host, h, db_writes_table) && h->db_writes_table) {
		rc = h->db_writes_table(h, text, len, d->schema, d->table, &line);
		if (rc != STRATA_ENOTFOUND)
			return rc < 0 ? rc : rc ? line : 0;
	}
	return tb_writes_table(text, len, d, true);
}
