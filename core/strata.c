/* The handle: every layer's state in one struct, and the public API of
 * include/strata/strata.h as thin calls into the layers.  The only file that
 * sees struct strata. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

struct strata {
	err_ctx err;  /* base/ */
	config cfg;   /* config/ */
	loader ld;    /* plugins/ */
	ledger lg;    /* ledger/, filled by sources/ */
	plan pl;      /* plan/: states, and what is recorded but has no file */
	char *db_override;
	bool has_lock_override; /* --lock-timeout beats config and environment */
	long lock_override_ms;
	char *db_display;
	bool want_down; /* a command ran down scripts: keep reading their text */
	doctor_report doctor; /* inspect/: the last doctor run's findings */
	repair_report repair; /* inspect/: the last repair run's items */
	drift_report drift;   /* inspect/: the last drift run's differences */
	convert_report convert; /* inspect/: the last convert's report */
};

strata *strata_new(void)
{
	strata *s = xcalloc(1, sizeof(strata));
	err_ctx_init(&s->err);
	s->cfg.lock_timeout_ms = 10000;
	loader_init(&s->ld, &s->err, &s->cfg);
	ledger_init(&s->lg, &s->err, &s->cfg);
	plan_init(&s->pl, &s->err, &s->cfg, &s->ld, &s->lg);
	return s;
}

void strata_free(strata *s)
{
	if (!s)
		return;
	ledger_clear(&s->lg);
	plan_free(&s->pl);
	doctor_report_free(&s->doctor);
	repair_report_free(&s->repair);
	drift_report_free(&s->drift);
	convert_report_free(&s->convert);
	loader_free(&s->ld);
	config_free(&s->cfg);
	free(s->db_override);
	free(s->db_display);
	err_ctx_free(&s->err);
	free(s);
}

const strata_error_info *strata_last_error(const strata *s)
{
	return err_last(&s->err);
}

void strata_set_log(strata *s, strata_log_fn fn, void *ud)
{
	s->err.log = fn;
	s->err.log_ud = ud;
}

void strata_set_events(strata *s, strata_event_fn fn, void *ud)
{
	s->err.event = fn;
	s->err.event_ud = ud;
}

int strata_load_config(strata *s, const char *path)
{
	err_clear(&s->err);
	config_free(&s->cfg);
	int rc = config_load(&s->err, &s->cfg, path);
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

static const char *url_of(strata *s)
{
	return config_database_url(&s->cfg, s->db_override);
}

const char *strata_database_url(strata *s)
{
	return url_of(s);
}

const char *strata_database_display(strata *s)
{
	char buf[1024];
	strata_redact_url(url_of(s), buf, sizeof buf);
	free(s->db_display);
	s->db_display = xstrdup(buf);
	return s->db_display;
}

int strata_load_plugins(strata *s)
{
	err_clear(&s->err);
	return loader_load_all(&s->ld);
}

size_t strata_plugin_count(const strata *s)
{
	return s->ld.nplugins;
}

const strata_plugin_info *strata_plugin_get(const strata *s, size_t i)
{
	return i < s->ld.nplugins ? &s->ld.plugins[i].info : NULL;
}

int strata_load_ledger(strata *s)
{
	err_clear(&s->err);
	return sources_load(&s->lg, &s->ld, url_of(s), s->want_down);
}

size_t strata_left_out_count(const strata *s)
{
	return s->ld.nleft_out;
}

const strata_left_out_info *strata_left_out_get(const strata *s, size_t i)
{
	return i < s->ld.nleft_out ? &s->ld.left_out[i] : NULL;
}

size_t strata_migration_count(const strata *s)
{
	return plan_count(&s->pl);
}

const strata_migration_info *strata_migration_get(const strata *s, size_t i)
{
	return plan_get(&s->pl, i);
}

const char *strata_migration_script(const strata *s, size_t i, int down, size_t *len)
{
	if (i >= s->lg.nmigs)
		return NULL;
	const migration *m = s->lg.migs[i];
	if (len)
		*len = down ? m->down_len : m->up_len;
	return down ? m->down : m->up;
}

int strata_status(strata *s, size_t counts[STRATA_STATE_COUNT], size_t *out_of_order)
{
	err_clear(&s->err);
	return plan_status(&s->pl, url_of(s), counts, out_of_order);
}

int strata_apply(strata *s, strata_apply_opts *o)
{
	err_clear(&s->err);
	return run_apply(&s->pl, url_of(s), o);
}

int strata_rollback(strata *s, strata_rollback_opts *o)
{
	err_clear(&s->err);
	s->want_down = true;
	return run_rollback(&s->pl, url_of(s), o);
}

int strata_baseline(strata *s, const char *to, size_t *recorded)
{
	err_clear(&s->err);
	return run_baseline(&s->pl, url_of(s), to, recorded);
}

int strata_baseline_counted(strata *s, const char *to, strata_baseline_result *out)
{
	err_clear(&s->err);
	return run_baseline_counted(&s->pl, url_of(s), to, out);
}

int strata_baseline_infer(strata *s, int dry_run, strata_infer_result *out)
{
	err_clear(&s->err);
	return inspect_infer_baseline(&s->pl, url_of(s), dry_run, out);
}

int strata_mark(strata *s, const char *id, int applied)
{
	err_clear(&s->err);
	return run_mark(&s->pl, url_of(s), id, applied);
}

int strata_verify(strata *s, const char *scratch_url, size_t *verified)
{
	err_clear(&s->err);
	return run_verify(&s->pl, url_of(s), scratch_url, verified);
}

void strata_set_replay_cache(strata *s, int on)
{
	s->pl.no_replay_cache = !on;
}

const char *strata_severity_name(strata_severity sev)
{
	static const char *const names[] = {"note", "warning", "error"};
	return (unsigned)sev <= STRATA_SEVERITY_ERROR ? names[sev] : "error";
}

int strata_doctor(strata *s, strata_doctor_result *out)
{
	err_clear(&s->err);
	doctor_report_free(&s->doctor);
	int rc = inspect_doctor(&s->pl, url_of(s), &s->doctor);
	if (out)
		*out = s->doctor.sum;
	return rc;
}

size_t strata_finding_count(const strata *s)
{
	return s->doctor.n;
}

const strata_finding *strata_finding_get(const strata *s, size_t i)
{
	return i < s->doctor.n ? &s->doctor.v[i] : NULL;
}

const char *strata_drift_change_name(strata_drift_change ch)
{
	static const char *const names[] = {"extra", "missing", "different"};
	return (unsigned)ch <= STRATA_DRIFT_DIFFERENT ? names[ch] : "different";
}

int strata_drift(strata *s, const char *scratch_url, strata_drift_result *out)
{
	err_clear(&s->err);
	drift_report_free(&s->drift);
	int rc = inspect_drift(&s->pl, url_of(s), scratch_url, &s->drift);
	if (rc)
		drift_report_free(&s->drift);
	if (out)
		*out = s->drift.sum;
	return rc;
}

size_t strata_drift_count(const strata *s)
{
	return s->drift.n;
}

const strata_drift_item *strata_drift_get(const strata *s, size_t i)
{
	return i < s->drift.n ? &s->drift.v[i] : NULL;
}

int strata_init(strata *s, const char *path, int force)
{
	err_clear(&s->err);
	init_found f;
	int rc = sources_init_find(&s->ld, path, force, &f);
	if (!rc && s->db_override) { /* init --db: the trackers whose tables it has */
		rc = track_probe_init(&s->ld, s->db_override, &f);
		/* and its URL as database:, unless that would write a password */
		char shown[1024];
		strata_redact_url(s->db_override, shown, sizeof shown);
		if (!strcmp(shown, s->db_override))
			f.database = s->db_override;
	}
	if (!rc)
		rc = sources_init_write(&f, path);
	sources_init_free(&f);
	return rc;
}

/* No allocation, no lock: the handler's whole path is base/interrupt.c and
 * the driver's cancel. */
void strata_interrupt(strata *s, int signo)
{
	intr_request(&s->err.intr, signo);
}

int strata_interrupted(const strata *s)
{
	return intr_signal(&s->err.intr);
}

/* ---- repair ---- */

int strata_repair(strata *s, strata_repair_opts *opts)
{
	err_clear(&s->err);
	repair_report_free(&s->repair);
	int rc = inspect_repair(&s->pl, url_of(s), opts, &s->repair);
	opts->repaired = s->repair.repaired;
	opts->refused = s->repair.refused;
	return rc;
}

size_t strata_repair_count(const strata *s)
{
	return s->repair.n;
}

const strata_repair_item *strata_repair_get(const strata *s, size_t i)
{
	return i < s->repair.n ? &s->repair.v[i] : NULL;
}

char *strata_migration_diff(const strata *s, size_t i)
{
	if (i >= s->lg.nmigs)
		return NULL;
	return inspect_modified_diff(s->lg.migs[i], 2, NULL);
}

/* ---- convert ---- */

int strata_convert(strata *s, const char *to, const char *out_dir, strata_convert_result *out)
{
	err_clear(&s->err);
	convert_report_free(&s->convert);
	s->want_down = true;
	int rc = inspect_convert(&s->pl, url_of(s), to, out_dir, &s->convert);
	if (out)
		*out = s->convert.sum;
	return rc;
}

size_t strata_convert_item_count(const strata *s)
{
	return s->convert.n;
}

const strata_convert_item *strata_convert_item_get(const strata *s, size_t i)
{
	return i < s->convert.n ? &s->convert.v[i] : NULL;
}

const char *strata_convert_format(const strata *s)
{
	return s->convert.format;
}

const char *strata_convert_layout(const strata *s)
{
	return s->convert.layout;
}

const char *strata_convert_dialect(const strata *s)
{
	return s->convert.dialect;
}

int strata_adopt(strata *s, strata_adopt_opts *o)
{
	err_clear(&s->err);
	return run_adopt(&s->pl, url_of(s), o);
}

/* ---- --each-schema ---- */

int strata_schemas(strata *s, const char *url, const char *pattern, char ***names, size_t *n)
{
	err_clear(&s->err);
	return inspect_schemas(&s->ld, url ? url : url_of(s), pattern, names, n);
}

void strata_schemas_free(char **names, size_t n)
{
	inspect_schemas_free(names, n);
}
