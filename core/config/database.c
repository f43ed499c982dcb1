/* Which database a command targets: --db, then DATABASE_URL (what Prisma,
 * Alembic setups and dbmate read), then the config, then an embedded SQLite
 * file. */
#include "config.h"

#include <stdlib.h>

const char *config_database_url(const config *cfg, const char *override)
{
	if (override && *override)
		return override;
	const char *env = getenv("DATABASE_URL");
	if (env && *env)
		return env;
	if (cfg->database && *cfg->database)
		return cfg->database;
	return "sqlite:strata.db";
}
