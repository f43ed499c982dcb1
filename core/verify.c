/* verify: the whole history, in ledger order, on an empty scratch database.
 * What it proves is that a fresh environment built from these files works. */
#include "strata_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nonempty(void *ud, const char *text, size_t len)
{
	(void)text;
	*(size_t *)ud += len;
	return 0;
}

/* Where to verify when no --scratch was given: an empty database beside the
 * target when its driver can make one (same dialect), else a temporary SQLite
 * file (also when the target cannot be reached: verify needs no target).
 * *target stays open to drop the scratch database afterwards. */
static int scratch_for(strata *s, db *target, char *url, size_t size, char *tmp, bool *made_tmp)
{
	int rc = db_open(s, strata_database_url(s), true, target);
	const strata_driver_ops *ops = target->ops;
	if (!rc && target->conn && ops->struct_size >= offsetof(strata_driver_ops, scratch_drop) +
	                                                sizeof ops->scratch_drop &&
	    ops->scratch_create && ops->scratch_drop) {
		rc = ops->scratch_create(target->conn, &target->hc.pub, url, size);
		if (rc)
			err_set(s, rc, err_cur(s)->cls, err_cur(s)->file, err_cur(s)->line, err_cur(s)->col,
			        "give verify an empty database with --scratch URL",
			        "cannot create a scratch database: %s", err_cur(s)->message);
		return rc;
	}
	if (rc)
		logf_(s, STRATA_LOG_WARN, target->display, 0, "%s; verifying on a temporary SQLite file",
		      err_cur(s)->message ? err_cur(s)->message : "cannot connect");
	db_close(target);
	err_clear(s);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(s, STRATA_EIO, STRATA_ECLASS_OS, tmp, 0, 0, NULL,
		               "cannot create a scratch database");
	close(fd);
	*made_tmp = true;
	snprintf(url, size, "sqlite:%s", tmp);
	return 0;
}

int strata_verify(strata *s, const char *scratch_url, size_t *verified)
{
	err_clear(s);
	*verified = 0;
	int rc = strata_load_ledger(s);
	if (rc)
		return rc;
	char tmp[] = "/tmp/strata-verify-XXXXXX";
	char url[4096];
	db target = {0};
	bool made_tmp = false;
	if (!scratch_url) {
		rc = scratch_for(s, &target, url, sizeof url, tmp, &made_tmp);
		if (rc) {
			db_close(&target);
			return rc;
		}
		scratch_url = url;
	}
	db d = {0};
	rc = db_open(s, scratch_url, false, &d);
	logf_(s, STRATA_LOG_DEBUG, NULL, 0, "verifying on %s", d.display ? d.display : "?");
	size_t used = 0;
	if (!rc && d.ops->dump_schema) {
		rc = d.ops->dump_schema(d.conn, &d.hc.pub, nonempty, &used);
		if (!rc && used)
			rc = err_set(s, STRATA_EINVAL, STRATA_ECLASS_USAGE, d.display, 0, 0,
			             "point --scratch at an empty database; it is written to",
			             "scratch database is not empty");
	}
	for (size_t i = 0; !rc && i < s->nmigs; i++) {
		migration *m = s->migs[i];
		rc = db_transactional(&d, m, false);
		if (rc < 0)
			break;
		bool tx = rc;
		if (tx && (rc = db_begin(&d)))
			break;
		rc = db_run(&d, m, false, tx);
		if (rc) {
			if (tx)
				db_rollback(&d);
			break;
		}
		if (tx && (rc = db_commit(&d)))
			break;
		(*verified)++;
	}
	db_close(&d);
	if (target.conn) {
		err_saved k;
		err_save(s, &k);
		target.ops->scratch_drop(target.conn, &target.hc.pub);
		err_restore(s, &k);
	}
	db_close(&target);
	if (made_tmp)
		unlink(tmp);
	return rc;
}
