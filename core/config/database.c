/* Which database a command targets: --db, then DATABASE_URL (what Prisma,
 * Alembic setups and dbmate read: from the real environment, else from a
 * .env file), then the config, then an embedded SQLite file. */
#include "config.h"

#include <stdlib.h>

const char *config_database_url(const config *cfg, const char *override)
{
	if (override && *override)
		return override;
	const char *env = config_getenv(cfg, "DATABASE_URL");
	if (env && *env)
		return env;
	if (cfg->database && *cfg->database)
		return cfg->database;
	return "sqlite:strata.db";
}

const char *config_getenv(const config *cfg, const char *name)
{
	const char *v = getenv(name);
	return v ? v : dotenv_get(&cfg->env, name);
}
