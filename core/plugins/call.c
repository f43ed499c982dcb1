/*
 * The one funnel into plugins.  Every call of a plugin's role table is made
 * here: the host table is bound (and, for sources and trackers, the config of
 * the source the call is about), and a failure always leaves an error that
 * carries the status code the plugin returned, with the plugin's own message
 * or, when it gave none, "WHAT: plugin NAME failed and gave no reason".
 * Optional members are read only where STRATA_HAS() says they exist.
 */
#include "plugins.h"

#include <stdlib.h>
#include <string.h>

/* A source's binding as plugins see it, for the length of one call. */
typedef struct bound {
	strata_source_cfg sc;
	const char **keys, **vals;
} bound;

static const strata_source_cfg *bind(host_call *hc, bound *b)
{
	const config *cfg = hc->cfg;
	if (hc->source >= cfg->nsources) {
		b->keys = b->vals = NULL;
		b->sc = (strata_source_cfg){.version = STRATA_SOURCE_CFG_VERSION,
		                            .struct_size = sizeof b->sc};
		return &b->sc;
	}
	const cfg_source *src = &cfg->sources[hc->source];
	b->keys = xcalloc(src->nopts + 1, sizeof *b->keys);
	b->vals = xcalloc(src->nopts + 1, sizeof *b->vals);
	for (size_t j = 0; j < src->nopts; j++) {
		b->keys[j] = src->opts[j].key;
		b->vals[j] = src->opts[j].value;
	}
	b->sc = (strata_source_cfg){
		.version = STRATA_SOURCE_CFG_VERSION,
		.struct_size = sizeof b->sc,
		.name = src->name,
		.format = src->format,
		.path = src->path,
		.config_file = config_file_name(cfg),
		.config_line = src->line,
		.option_keys = b->keys,
		.option_values = b->vals,
		.want = hc->want,
		.dialect = hc->dialect,
		.tracker = hc->tracker,
	};
	return &b->sc;
}

static void unbind(bound *b)
{
	free(b->keys);
	free(b->vals);
}

static unsigned long enter(host_call *hc)
{
	return err_serial(hc->e);
}

/* After the call: success passes through; a failure keeps the plugin's
 * message with the plugin's code, or gets the funnel's own. */
static int leave(host_call *hc, const plugin *pl, unsigned long before, int rc,
                 strata_error_class cls, const char *file, const char *what)
{
	if (rc >= 0)
		return rc;
	if (err_serial(hc->e) == before)
		err_set(hc->e, rc, cls, file, 0, 0, NULL, "%s: plugin %s failed and gave no reason",
		        what, pl->desc->name);
	else
		err_stamp(hc->e, rc);
	return rc;
}

static const char *source_dir(const host_call *hc)
{
	return hc->source < hc->cfg->nsources ? hc->cfg->sources[hc->source].path_display : NULL;
}

static const char *source_name(const host_call *hc)
{
	return hc->source < hc->cfg->nsources ? hc->cfg->sources[hc->source].name : "?";
}

/* ---- sources ---- */

int call_scan(host_call *hc, const plugin *pl)
{
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	unsigned long n = enter(hc);
	int rc = pl->desc->source->scan(&hc->pub, sc);
	unbind(&b);
	if (rc >= 0 || err_serial(hc->e) != n)
		return leave(hc, pl, n, rc, STRATA_ECLASS_SOURCE, NULL, NULL);
	return err_set(hc->e, rc, STRATA_ECLASS_SOURCE, source_dir(hc), 0, 0, NULL,
	               "source '%s' failed to read: plugin %s failed and gave no reason",
	               source_name(hc), pl->desc->name);
}

int call_detect(host_call *hc, const plugin *pl, const char *dir)
{
	if (!pl->desc->source->detect)
		return 0;
	unsigned long n = enter(hc);
	return leave(hc, pl, n, pl->desc->source->detect(&hc->pub, dir), STRATA_ECLASS_SOURCE, dir,
	             "cannot look into the folder");
}

/* ---- trackers ---- */

static const char *table_of(const plugin *pl)
{
	const char *t = pl->desc->tracker->table;
	return t ? t : "its tracking table";
}

unsigned int call_track_flags(const plugin *pl)
{
	const strata_tracker_ops *t = pl->desc->tracker;
	return STRATA_HAS(strata_tracker_ops, t, flags) ? t->flags : 0;
}

int call_track_read(host_call *hc, const plugin *pl)
{
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	unsigned long n = enter(hc);
	int rc = pl->desc->tracker->read(&hc->pub, sc);
	unbind(&b);
	if (rc == STRATA_ENOTFOUND && (call_track_flags(pl) & STRATA_TRACKER_SAYS_MISSING) &&
	    err_serial(hc->e) == n)
		return rc; /* the table does not exist, as the contract allows */
	if (rc >= 0 || err_serial(hc->e) != n)
		return leave(hc, pl, n, rc, STRATA_ECLASS_DB, NULL, NULL);
	return err_set(hc->e, rc, STRATA_ECLASS_DB, hc->display, 0, 0, NULL,
	               "cannot read %s: plugin %s failed and gave no reason", table_of(pl),
	               pl->desc->name);
}

int call_track_record(host_call *hc, const plugin *pl, const strata_track_event *ev)
{
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	unsigned long n = enter(hc);
	int rc = pl->desc->tracker->record(&hc->pub, sc, ev);
	unbind(&b);
	if (rc >= 0 || err_serial(hc->e) != n)
		return leave(hc, pl, n, rc, STRATA_ECLASS_DB, NULL, NULL);
	return err_set(hc->e, rc, STRATA_ECLASS_DB, hc->display, 0, 0, NULL,
	               "cannot record %s in %s: plugin %s failed and gave no reason",
	               ev->mig_version, table_of(pl), pl->desc->name);
}

char *call_default_tracker(host_call *hc, const plugin *pl)
{
	const strata_source_ops *so = pl->desc->source;
	if (!so || !STRATA_HAS(strata_source_ops, so, default_tracker) || !so->default_tracker)
		return NULL;
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	char *name = xstrdup(so->default_tracker(&hc->pub, sc));
	unbind(&b);
	return name;
}

char *call_track_table_of(host_call *hc, const plugin *pl)
{
	const strata_tracker_ops *t = pl->desc->tracker;
	char *name = NULL;
	if (STRATA_HAS(strata_tracker_ops, t, table_of) && t->table_of) {
		bound b;
		const strata_source_cfg *sc = bind(hc, &b);
		unsigned long n = enter(hc);
		name = xstrdup(t->table_of(&hc->pub, sc));
		unbind(&b);
		if (!name && err_serial(hc->e) != n) {
			err_stamp(hc->e, STRATA_EINVAL); /* a descriptor that does not load */
			return NULL;
		}
	}
	if (name)
		return name;
	/* A source option that renames the table (Alembic's version_table). */
	if (STRATA_HAS(strata_tracker_ops, t, table_options) && t->table_options &&
	    t->table_options[0] && hc->source < hc->cfg->nsources) {
		const cfg_source *s = &hc->cfg->sources[hc->source];
		for (size_t j = 0; j < s->nopts; j++)
			if (!strcmp(s->opts[j].key, t->table_options[0]) && *s->opts[j].value)
				return xstrdup(s->opts[j].value);
	}
	return xstrdup(t->table ? t->table : pl->desc->name);
}

int call_track_probe(host_call *hc, const plugin *pl)
{
	const strata_tracker_ops *t = pl->desc->tracker;
	if (!STRATA_HAS(strata_tracker_ops, t, probe) || !t->probe)
		return 0;
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	unsigned long n = enter(hc);
	int rc = t->probe(&hc->pub, sc);
	unbind(&b);
	return leave(hc, pl, n, rc, STRATA_ECLASS_DB, hc->display, "cannot look for the tool's table");
}

bool call_track_has_lock(const plugin *pl)
{
	const strata_tracker_ops *t = pl->desc->tracker;
	return t && STRATA_HAS(strata_tracker_ops, t, unlock) && t->lock && t->unlock;
}

int call_track_lock(host_call *hc, const plugin *pl, long timeout_ms)
{
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	unsigned long n = enter(hc);
	int rc = pl->desc->tracker->lock(&hc->pub, sc, timeout_ms);
	unbind(&b);
	return leave(hc, pl, n, rc, STRATA_ECLASS_LOCK, hc->display, "cannot take the tool's lock");
}

int call_track_unlock(host_call *hc, const plugin *pl)
{
	bound b;
	const strata_source_cfg *sc = bind(hc, &b);
	unsigned long n = enter(hc);
	int rc = pl->desc->tracker->unlock(&hc->pub, sc);
	unbind(&b);
	return leave(hc, pl, n, rc, STRATA_ECLASS_LOCK, hc->display,
	             "cannot release the tool's lock");
}

/* ---- drivers ---- */

#define DRV(pl) ((pl)->desc->driver)

int call_open(host_call *hc, const plugin *pl, const char *url, unsigned int flags,
              strata_conn **out)
{
	unsigned long n = enter(hc);
	int rc = DRV(pl)->open(&hc->pub, url, flags, out);
	if (rc == STRATA_ENOTFOUND && (flags & STRATA_OPEN_READONLY) && err_serial(hc->e) == n)
		return rc; /* no database yet, by contract without an error */
	return leave(hc, pl, n, rc, STRATA_ECLASS_DB, hc->display, "cannot connect");
}

void call_close(const plugin *pl, strata_conn *conn)
{
	DRV(pl)->close(conn);
}

int call_exec(host_call *hc, const plugin *pl, strata_conn *c, const char *sql)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->exec(c, &hc->pub, sql), STRATA_ECLASS_DB, hc->display,
	             "statement failed");
}

int call_query(host_call *hc, const plugin *pl, strata_conn *c, const char *sql,
               const char *const *params, int np, strata_row_fn fn, void *ud)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->query(c, &hc->pub, sql, params, np, fn, ud),
	             STRATA_ECLASS_DB, hc->display, "query failed");
}

int call_begin(host_call *hc, const plugin *pl, strata_conn *c)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->begin(c, &hc->pub), STRATA_ECLASS_DB, hc->display,
	             "cannot begin a transaction");
}

int call_commit(host_call *hc, const plugin *pl, strata_conn *c)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->commit(c, &hc->pub), STRATA_ECLASS_DB, hc->display,
	             "cannot commit");
}

int call_rollback(host_call *hc, const plugin *pl, strata_conn *c)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->rollback(c, &hc->pub), STRATA_ECLASS_DB, hc->display,
	             "cannot roll back");
}

int call_run(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->run(c, &hc->pub, sc), STRATA_ECLASS_SQL, sc->file,
	             "migration failed");
}

int call_dump_schema(host_call *hc, const plugin *pl, strata_conn *c, strata_text_fn fn, void *ud)
{
	if (!DRV(pl)->dump_schema)
		return 0;
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->dump_schema(c, &hc->pub, fn, ud), STRATA_ECLASS_DB,
	             hc->display, "cannot dump the schema");
}

bool call_has_lock(const plugin *pl)
{
	return DRV(pl)->lock && DRV(pl)->unlock;
}

int call_lock(host_call *hc, const plugin *pl, strata_conn *c, long timeout_ms)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->lock(c, &hc->pub, timeout_ms), STRATA_ECLASS_LOCK,
	             hc->display, "cannot take the lock");
}

int call_unlock(host_call *hc, const plugin *pl, strata_conn *c)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->unlock(c, &hc->pub), STRATA_ECLASS_LOCK, hc->display,
	             "cannot release the lock");
}

int call_table_exists(host_call *hc, const plugin *pl, strata_conn *c, const char *table)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->table_exists(c, &hc->pub, table), STRATA_ECLASS_DB,
	             hc->display, "cannot look up a table");
}

int call_needs_autocommit(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, needs_autocommit) || !d->needs_autocommit)
		return 0;
	unsigned long n = enter(hc);
	return leave(hc, pl, n, d->needs_autocommit(c, &hc->pub, sc), STRATA_ECLASS_SQL, sc->file,
	             "cannot read the script's statements");
}

bool call_has_scratch(const plugin *pl)
{
	const strata_driver_ops *d = DRV(pl);
	return STRATA_HAS(strata_driver_ops, d, scratch_drop) && d->scratch_create && d->scratch_drop;
}

int call_scratch_create(host_call *hc, const plugin *pl, strata_conn *c, char *url, size_t size)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->scratch_create(c, &hc->pub, url, size), STRATA_ECLASS_DB,
	             hc->display, "cannot create a scratch database");
}

int call_scratch_drop(host_call *hc, const plugin *pl, strata_conn *c)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->scratch_drop(c, &hc->pub), STRATA_ECLASS_DB, hc->display,
	             "cannot drop the scratch database");
}

int call_txn_control(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                     size_t *start, size_t *end)
{
	const strata_driver_ops *d = DRV(pl);
	*start = 0;
	*end = sc->len;
	if (!STRATA_HAS(strata_driver_ops, d, txn_control) || !d->txn_control)
		return STRATA_TXN_NONE;
	size_t s = 0, e = sc->len;
	unsigned long n = enter(hc);
	int rc = leave(hc, pl, n, d->txn_control(c, &hc->pub, sc, &s, &e), STRATA_ECLASS_SQL,
	               sc->file, "cannot read the script's transaction control");
	if (rc < 0 || rc == STRATA_TXN_NONE || rc == STRATA_TXN_OWN)
		return rc;
	if (rc != STRATA_TXN_WRAPPED || s > e || e > sc->len)
		return err_set(hc->e, STRATA_ERR, STRATA_ECLASS_PLUGIN, sc->file, 0, 0, NULL,
		               "plugin %s gave an invalid answer about the script's transaction "
		               "control (%d, bytes %zu-%zu of %zu)",
		               pl->desc->name, rc, s, e, sc->len);
	*start = s;
	*end = e;
	return rc;
}

int call_writes_table(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                      const char *schema, const char *table, int *line)
{
	const strata_driver_ops *d = DRV(pl);
	*line = 0;
	if (!STRATA_HAS(strata_driver_ops, d, writes_table) || !d->writes_table || !c)
		return STRATA_ENOTFOUND;
	int at = 0;
	unsigned long n = enter(hc);
	int rc = leave(hc, pl, n, d->writes_table(c, &hc->pub, sc, schema, table, &at),
	               STRATA_ECLASS_SQL, sc->file, "cannot read the script's statements");
	if (rc < 0)
		return rc;
	if (rc > 1 || (rc == 1 && at < 1))
		return err_set(hc->e, STRATA_ERR, STRATA_ECLASS_PLUGIN, sc->file, 0, 0, NULL,
		               "plugin %s gave an invalid answer about the statements that write "
		               "%s (%d, line %d)", pl->desc->name, table, rc, at);
	*line = rc == 1 ? at : 0;
	return rc;
}

call_cancel_fn call_cancel_of(const plugin *pl)
{
	const strata_driver_ops *d = DRV(pl);
	return STRATA_HAS(strata_driver_ops, d, cancel) ? d->cancel : NULL;
}

/* objects(): each record checked before the caller sees it. */
typedef struct objects_relay {
	host_call *hc;
	const plugin *pl;
	const strata_script *sc;
	strata_object_fn fn;
	void *ud;
	bool bad;
} objects_relay;

static int relay_object(void *ud, const strata_object *o)
{
	objects_relay *r = ud;
	if (!o || !STRATA_HAS(strata_object, o, error) || o->action < STRATA_OBJ_CREATE ||
	    o->action > STRATA_OBJ_INVALID || (unsigned)o->kind >= STRATA_OBJK_COUNT) {
		r->bad = true;
		return err_set(r->hc->e, STRATA_ERR, STRATA_ECLASS_PLUGIN, r->sc->file, 0, 0, NULL,
		               "plugin %s reported an object it does not describe (action %d)",
		               r->pl->desc->name, o ? (int)o->action : -1);
	}
	return r->fn(r->ud, o);
}

int call_objects(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                 unsigned int flags, strata_object_fn fn, void *ud)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, objects) || !d->objects)
		return STRATA_ENOTFOUND;
	objects_relay r = {.hc = hc, .pl = pl, .sc = sc, .fn = fn, .ud = ud};
	unsigned long n = enter(hc);
	int rc = d->objects(c, &hc->pub, sc, flags, relay_object, &r);
	if (rc == STRATA_ENOTFOUND && err_serial(hc->e) == n)
		return rc; /* the driver needs a scratch it did not get */
	return leave(hc, pl, n, rc, STRATA_ECLASS_SQL, sc->file, "cannot read the script's objects");
}

/* ---- normalize (strata repair) ---- */

int call_normalize(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                   strata_text_fn fn, void *ud)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, normalize) || !d->normalize)
		return STRATA_ENOTFOUND;
	unsigned long n = enter(hc);
	int rc = d->normalize(c, &hc->pub, sc, fn, ud);
	return leave(hc, pl, n, rc, STRATA_ECLASS_SQL, sc->file, "cannot read the script's statements");
}

/* catalog(): each record checked before the caller sees it. */
typedef struct catalog_relay {
	host_call *hc;
	const plugin *pl;
	strata_catalog_fn fn;
	void *ud;
} catalog_relay;

static int relay_catalog(void *ud, const strata_catalog_object *o)
{
	catalog_relay *r = ud;
	if (!o || !STRATA_HAS(strata_catalog_object, o, definition) || o->kind <= STRATA_OBJK_NONE ||
	    (unsigned)o->kind >= STRATA_OBJK_COUNT || !o->name)
		return err_set(r->hc->e, STRATA_ERR, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL,
		               "plugin %s reported a catalog object it does not describe (kind %d)",
		               r->pl->desc->name, o ? (int)o->kind : -1);
	return r->fn(r->ud, o);
}

int call_catalog(host_call *hc, const plugin *pl, strata_conn *c, unsigned int flags,
                 strata_catalog_fn fn, void *ud)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, catalog) || !d->catalog || !c)
		return STRATA_ENOTFOUND;
	catalog_relay r = {.hc = hc, .pl = pl, .fn = fn, .ud = ud};
	unsigned long n = enter(hc);
	int rc = d->catalog(c, &hc->pub, flags, relay_catalog, &r);
	return leave(hc, pl, n, rc, STRATA_ECLASS_DB, NULL, "cannot read the database's catalog");
}

/* ---- source write (version 3), for convert and adopt ---- */

bool call_has_write(const plugin *pl)
{
	const strata_source_ops *s = pl->desc->source;
	return s && STRATA_HAS(strata_source_ops, s, write) && s->write;
}

int call_write(host_call *hc, const plugin *pl, const strata_source_cfg *cfg,
               const strata_write_mig *m)
{
	if (!call_has_write(pl))
		return err_set(hc->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, NULL, 0, 0,
		               "`strata plugins` lists what each plugin does",
		               "plugin %s cannot write migrations (format %s)", pl->desc->name,
		               cfg->format ? cfg->format : "?");
	unsigned long n = enter(hc);
	int rc = pl->desc->source->write(&hc->pub, cfg, m);
	if (rc == STRATA_WRITE_REFUSED || (rc == STRATA_WRITE_NO_DOWN && m)) {
		if (err_serial(hc->e) == n)
			err_set(hc->e, rc, STRATA_ECLASS_SOURCE, m ? m->mig_version : NULL, 0, 0, NULL,
			        "plugin %s refused it and gave no reason", pl->desc->name);
		return rc;
	}
	if (rc > 0)
		return err_set(hc->e, STRATA_ERR, STRATA_ECLASS_PLUGIN, cfg->path, 0, 0, NULL,
		               "plugin %s gave an invalid answer to write (%d)", pl->desc->name, rc);
	return leave(hc, pl, n, rc, STRATA_ECLASS_SOURCE, cfg->path, "cannot write the migrations");
}

/* ---- driver statements (version 5), for convert ---- */

int call_statements(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                    int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, statements) || !d->statements)
		return STRATA_ENOTFOUND;
	unsigned long n = enter(hc);
	return leave(hc, pl, n, d->statements(c, &hc->pub, sc, fn, ud), STRATA_ECLASS_SQL, sc->file,
	             "cannot cut the script into statements");
}

/* schema_sql (driver version 5): STRATA_ENOTFOUND, nothing reported, when
 * the driver has none. */
int call_schema_sql(host_call *hc, const plugin *pl, strata_conn *c, const char *const *skip,
                    strata_text_fn fn, void *ud)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, schema_sql) || !d->schema_sql)
		return STRATA_ENOTFOUND;
	unsigned long n = enter(hc);
	return leave(hc, pl, n, d->schema_sql(c, &hc->pub, skip, fn, ud), STRATA_ECLASS_DB,
	             hc->display, "cannot write the schema as SQL");
}

/* The pipeline (driver version 6): all three members, or the host makes
 * every call on its own as before. */
bool call_has_pipeline(const plugin *pl)
{
	const strata_driver_ops *d = DRV(pl);
	return STRATA_HAS(strata_driver_ops, d, flush) && d->pipeline && d->defer && d->flush;
}

int call_pipeline(host_call *hc, const plugin *pl, strata_conn *c, int on)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->pipeline(c, &hc->pub, on), STRATA_ECLASS_DB, hc->display,
	             on ? "cannot enter pipeline mode" : "cannot leave pipeline mode");
}

int call_defer(host_call *hc, const plugin *pl, strata_conn *c, const char *sql,
               const char *const *params, int np, strata_row_fn fn, void *ud, int tag)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->defer(c, &hc->pub, sql, params, np, fn, ud, tag),
	             STRATA_ECLASS_DB, hc->display, "query failed");
}

int call_flush(host_call *hc, const plugin *pl, strata_conn *c, int *tag)
{
	unsigned long n = enter(hc);
	*tag = 0;
	return leave(hc, pl, n, DRV(pl)->flush(c, &hc->pub, tag), STRATA_ECLASS_DB, hc->display,
	             "query failed");
}

/* run() in pipeline mode: STRATA_ENOTFOUND, unreported, is "not this
 * script", not a failure. */
int call_run_piped(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc)
{
	unsigned long n = enter(hc);
	int rc = DRV(pl)->run(c, &hc->pub, sc);
	if (rc == STRATA_ENOTFOUND && err_serial(hc->e) == n)
		return rc;
	return leave(hc, pl, n, rc, STRATA_ECLASS_SQL, sc->file, "migration failed");
}

/* ---- driver templates (version 7), the replay cache of verify and drift ---- */

int call_template_tag(host_call *hc, const plugin *pl, strata_conn *c, char *out, size_t size)
{
	const strata_driver_ops *d = DRV(pl);
	if (!STRATA_HAS(strata_driver_ops, d, template_tag) || !d->template_tag)
		return STRATA_ENOTFOUND;
	unsigned long n = enter(hc);
	return leave(hc, pl, n, d->template_tag(c, &hc->pub, out, size), STRATA_ECLASS_DB,
	             hc->display, "cannot describe the scratch database");
}

bool call_has_templates(const plugin *pl)
{
	const strata_driver_ops *d = DRV(pl);
	return STRATA_HAS(strata_driver_ops, d, template_drop) && d->template_list &&
	       d->scratch_from_template && d->template_save && d->template_drop;
}

int call_template_list(host_call *hc, const plugin *pl, strata_conn *c, const char *prefix,
                       int (*fn)(void *ud, const char *name, const char *comment), void *ud)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->template_list(c, &hc->pub, prefix, fn, ud),
	             STRATA_ECLASS_DB, hc->display, "cannot list the template databases");
}

int call_scratch_from_template(host_call *hc, const plugin *pl, strata_conn *c, const char *name,
                               char *url, size_t size)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->scratch_from_template(c, &hc->pub, name, url, size),
	             STRATA_ECLASS_DB, hc->display, "cannot create a scratch database from a template");
}

int call_template_save(host_call *hc, const plugin *pl, strata_conn *c, const char *name,
                       const char *comment)
{
	unsigned long n = enter(hc);
	int rc = DRV(pl)->template_save(c, &hc->pub, name, comment);
	if (rc == STRATA_EBUSY && err_serial(hc->e) == n)
		return rc; /* another process saved it: by contract without an error */
	return leave(hc, pl, n, rc, STRATA_ECLASS_DB, hc->display, "cannot save the template database");
}

int call_template_drop(host_call *hc, const plugin *pl, strata_conn *c, const char *name)
{
	unsigned long n = enter(hc);
	return leave(hc, pl, n, DRV(pl)->template_drop(c, &hc->pub, name), STRATA_ECLASS_DB,
	             hc->display, "cannot drop the template database");
}
