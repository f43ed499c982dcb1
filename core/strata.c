/* The handle: creation, teardown, logging and which database URL is in effect. */
#include "strata_int.h"

#include <stdlib.h>
#include <string.h>

strata *strata_new(void)
{
	strata *s = xcalloc(1, sizeof(strata));
	pthread_mutex_init(&s->redirect_lock, NULL);
	s->cfg.lock_timeout_ms = 10000;
	return s;
}

void strata_free(strata *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmigs; i++)
		migration_free(s->migs[i]);
	free(s->migs);
	free(s->by_id);
	for (size_t i = 0; i < s->nmissing; i++)
		migration_free(s->missing[i]);
	free(s->missing);
	loader_free(s);
	config_free(&s->cfg);
	free(s->db_override);
	free(s->db_display);
	err_clear(s);
	free(s->dialect);
	free(s->dialect_scheme);
	pthread_mutex_destroy(&s->redirect_lock);
	free(s);
}

void strata_set_log(strata *s, strata_log_fn fn, void *ud)
{
	s->log = fn;
	s->log_ud = ud;
}

int strata_load_config(strata *s, const char *path)
{
	err_clear(s);
	config_free(&s->cfg);
	int rc = config_load(s, &s->cfg, path);
	if (s->has_lock_override)
		s->cfg.lock_timeout_ms = s->lock_override_ms;
	return rc;
}

void strata_set_lock_timeout(strata *s, long ms)
{
	s->has_lock_override = true;
	s->lock_override_ms = ms;
	s->cfg.lock_timeout_ms = ms;
}

void strata_set_database(strata *s, const char *url)
{
	free(s->db_override);
	s->db_override = xstrdup(url);
}

/* --db, then DATABASE_URL (what Prisma, Alembic setups and dbmate read), then
 * the config, then an embedded SQLite file. */
const char *strata_database_url(strata *s)
{
	if (s->db_override && *s->db_override)
		return s->db_override;
	const char *env = getenv("DATABASE_URL");
	if (env && *env)
		return env;
	if (s->cfg.database && *s->cfg.database)
		return s->cfg.database;
	return "sqlite:strata.db";
}

const char *strata_database_display(strata *s)
{
	char buf[1024];
	strata_redact_url(strata_database_url(s), buf, sizeof buf);
	free(s->db_display);
	s->db_display = xstrdup(buf);
	return s->db_display;
}

int strata_load_plugins(strata *s)
{
	err_clear(s);
	return loader_load_all(s);
}
