/* verify: the whole history, in ledger order, on an empty scratch database.
 * What it proves is that a fresh environment built from these files works. */
#include "strata_int.h"

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

int strata_verify(strata *s, const char *scratch_url, size_t *verified)
{
	err_clear(s);
	*verified = 0;
	int rc = strata_load_ledger(s);
	if (rc)
		return rc;
	char tmp[] = "/tmp/strata-verify-XXXXXX";
	char *url = NULL;
	if (!scratch_url) {
		int fd = mkstemp(tmp);
		if (fd < 0)
			return err_set(s, STRATA_EIO, STRATA_ECLASS_OS, tmp, 0, 0, NULL,
			               "cannot create a scratch database");
		close(fd);
		url = xasprintf("sqlite:%s", tmp);
	}
	db d = {0};
	rc = db_open(s, url ? url : scratch_url, false, &d);
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
	if (url) {
		unlink(tmp);
		free(url);
	}
	return rc;
}
