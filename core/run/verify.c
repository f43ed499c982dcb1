/* verify: the whole history, in ledger order, on an empty scratch database.
 * What it proves is that a fresh environment built from these files works. */
#include "run.h"

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
static int scratch_for(plan *p, const char *target_url, db *target, char *url, size_t size,
                       char *tmp, bool *made_tmp)
{
	err_ctx *e = p->e;
	int rc = db_open(target, p->L, target_url, true, NULL);
	if (!rc && db_can_scratch(target)) {
		rc = db_scratch_create(target, url, size);
		if (rc)
			err_set(e, rc, err_cur(e)->cls, err_cur(e)->file, err_cur(e)->line, err_cur(e)->col,
			        "give verify an empty database with --scratch URL",
			        "cannot create a scratch database: %s", err_cur(e)->message);
		return rc;
	}
	if (rc)
		logf_(e, STRATA_LOG_WARN, target->display, 0, "%s; verifying on a temporary SQLite file",
		      err_cur(e)->message ? err_cur(e)->message : "cannot connect");
	db_close(target);
	err_clear(e);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, STRATA_EIO, STRATA_ECLASS_OS, tmp, 0, 0, NULL,
		               "cannot create a scratch database");
	close(fd);
	*made_tmp = true;
	snprintf(url, size, "sqlite:%s", tmp);
	return 0;
}

int run_verify(plan *p, const char *target_url, const char *scratch_url, size_t *verified)
{
	err_ctx *e = p->e;
	*verified = 0;
	int rc = sources_load(p->lg, p->L, target_url, false);
	if (rc)
		return rc;
	char tmp[] = "/tmp/strata-verify-XXXXXX";
	char url[4096];
	db target = {0};
	bool made_tmp = false;
	if (!scratch_url) {
		rc = scratch_for(p, target_url, &target, url, sizeof url, tmp, &made_tmp);
		if (rc) {
			db_close(&target);
			return rc;
		}
		scratch_url = url;
	}
	db d = {0};
	rc = db_open(&d, p->L, scratch_url, false, NULL);
	logf_(e, STRATA_LOG_DEBUG, NULL, 0, "verifying on %s", d.display ? d.display : "?");
	size_t used = 0;
	if (!rc) {
		rc = db_dump_schema(&d, nonempty, &used);
		if (!rc && used)
			rc = err_set(e, STRATA_EINVAL, STRATA_ECLASS_USAGE, d.display, 0, 0,
			             "point --scratch at an empty database; it is written to",
			             "scratch database is not empty");
	}
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		db_mode mode;
		rc = db_script_mode(&d, m, false, &mode);
		if (rc < 0)
			break;
		bool tx = mode.tx;
		if (tx && (rc = db_begin(&d)))
			break;
		rc = db_run(&d, m, false, &mode);
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
		err_save(e, &k);
		db_scratch_drop(&target);
		err_restore(e, &k);
	}
	db_close(&target);
	if (made_tmp)
		unlink(tmp);
	return rc;
}
