/*
 * Fuzz target: the .env reader (core/config/dotenv.c), which strata.yaml's
 * ${VAR} and DATABASE_URL read through.  The input is one file's text.
 */
#include "config.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	err_ctx e;
	err_ctx_init(&e);
	dotenv env = {0};
	if (dotenv_load_text(&e, &env, ".env", (const char *)data, size) == 0)
		for (size_t i = 0; i < env.n; i++)
			(void)dotenv_get(&env, env.vars[i].name);
	dotenv_free(&env);
	err_ctx_free(&e);
	return 0;
}
