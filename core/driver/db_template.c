/* driver/: the replay cache's driver calls (strata_driver_ops version 7),
 * for run/template.c: what besides the scripts a replay depends on, and
 * template databases kept on the server. */
#include "driver.h"

int db_template_tag(db *d, char *out, size_t size)
{
	out[0] = '\0';
	return call_template_tag(&d->hc, d->plugin, d->conn, out, size);
}

bool db_has_templates(const db *d)
{
	return d->conn && call_has_templates(d->plugin);
}

int db_template_list(db *d, const char *prefix,
                     int (*fn)(void *ud, const char *name, const char *comment), void *ud)
{
	return call_template_list(&d->hc, d->plugin, d->conn, prefix, fn, ud);
}

int db_scratch_from_template(db *d, const char *name, char *url, size_t size)
{
	return call_scratch_from_template(&d->hc, d->plugin, d->conn, name, url, size);
}

int db_template_save(db *d, const char *name, const char *comment)
{
	return call_template_save(&d->hc, d->plugin, d->conn, name, comment);
}

int db_template_drop(db *d, const char *name)
{
	return call_template_drop(&d->hc, d->plugin, d->conn, name);
}
