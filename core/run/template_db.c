/*
 * The replay cache's database store (template.c tells the design), for a
 * driver with the template ops (strata_driver_ops version 7: PostgreSQL):
 * a template is a database strata_tpl_<first 32 hex of the key> on the
 * target's server, with its comment; all of them listed in one catalog
 * query, on the target's connection (s->target), which made the scratch.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TPL_PREFIX "strata_tpl_"

static int one(void *ud, const char *name, const char *comment)
{
	run_tpl *t = ud;
	t->have = xrealloc(t->have, (t->nhave + 1) * sizeof *t->have);
	tpl_entry_read(&t->have[t->nhave++], name, comment);
	return 0;
}

static int dbs_list(plan *p, run_scratch *s, run_tpl *t)
{
	(void)p;
	return db_template_list(&s->target, TPL_PREFIX, one, t);
}

static void dbs_name(const run_tpl *t, const char *key, char *out, size_t size)
{
	(void)t;
	snprintf(out, size, TPL_PREFIX "%.32s", key);
}

static int dbs_load(plan *p, run_scratch *s, run_tpl *t)
{
	(void)p;
	return db_scratch_from_template(&s->target, t->base_name, s->url, sizeof s->url);
}

static int dbs_save(plan *p, run_scratch *s, run_tpl *t, size_t k, const char *name,
                    const char *comment)
{
	(void)p;
	(void)t;
	(void)k;
	int rc = db_template_save(&s->target, name, comment);
	return rc == STRATA_EBUSY ? 1 : rc;
}

static void dbs_drop(plan *p, run_scratch *s, run_tpl *t, const tpl_entry *e)
{
	(void)p;
	(void)t;
	db_template_drop(&s->target, e->name);
}

const tpl_store tpl_databases = {dbs_list, dbs_name, dbs_load, dbs_save, dbs_drop};
