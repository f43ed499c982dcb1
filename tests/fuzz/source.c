/* fz_source (source.h): one scan of one configured source per fuzz input. */
#include "source.h"
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Warnings and debug lines are formatted (that code runs) but not printed:
 * libFuzzer's own output must stay readable. */
static void quiet(void *ud, strata_log_level level, const char *file, int line, const char *msg)
{
	(void)ud, (void)level, (void)file, (void)line, (void)msg;
}

void fz_source_init(fz_source *f, const char *tag, const char *yaml)
{
	memset(f, 0, sizeof *f);
	if (fz_mkdtemp(tag, f->dir, sizeof f->dir) != 0 ||
	    fz_write_file(f->dir, "strata.yaml", yaml, strlen(yaml)) != 0) {
		fprintf(stderr, "fuzz %s: cannot make a project folder\n", tag);
		exit(1);
	}
	err_ctx_init(&f->e);
	f->e.log = quiet;
	char path[4200];
	/* Alembic's translation memo (plugins/alembic/memo.h) in the project
	 * folder, removed with it, not in $HOME. */
	snprintf(path, sizeof path, "%s/.alembic-memo", f->dir);
	setenv("STRATA_ALEMBIC_CACHE", path, 1);
	snprintf(path, sizeof path, "%s/strata.yaml", f->dir);
	loader_init(&f->L, &f->e, &f->cfg);
	ledger_init(&f->lg, &f->e, &f->cfg);
	if (config_load(&f->e, &f->cfg, path) != 0 || loader_load_url(&f->L, NULL) != 0) {
		const strata_error_info *in = err_cur(&f->e);
		fprintf(stderr, "fuzz %s: %s\n", tag, in && in->message ? in->message : "setup failed");
		exit(1);
	}
	/* every source's folder exists, empty */
	for (size_t i = 0; i < f->cfg.nsources; i++)
		if (fz_mkdirs(fz_source_path(f, i)) != 0) {
			fprintf(stderr, "fuzz %s: cannot make %s\n", tag, fz_source_path(f, i));
			exit(1);
		}
}

const char *fz_source_path(const fz_source *f, size_t i)
{
	return f->cfg.sources[i].path;
}

int fz_source_scan(fz_source *f, size_t i, unsigned int want, const char *dialect)
{
	err_clear(&f->e);
	ledger_clear(&f->lg);
	host_call hc;
	sources_bind(&hc, &f->L, &f->lg, i);
	hc.want = want;
	hc.dialect = dialect;
	const plugin *pl = loader_find_format(&f->L, f->cfg.sources[i].format);
	int rc = pl ? call_scan(&hc, pl) : -1;
	if (rc >= 0)
		rc = ledger_order(&f->lg);
	/* what `strata ledger` prints: every field read, so a string the plugin
	 * handed over unterminated or freed shows here under ASan */
	size_t sum = 0;
	for (size_t k = 0; k < f->lg.nmigs; k++) {
		const migration *m = f->lg.migs[k];
		sum += strlen(m->info.id) + strlen(m->info.version) + strlen(m->info.name);
		sum += strlen(m->checksum) + (m->info.file ? strlen(m->info.file) : 0);
		sum += (m->up ? strlen(m->up) : 0) + (m->down ? strlen(m->down) : 0);
		sum += m->info.blocked ? strlen(m->info.blocked) : 0;
		sum += mig_down_blocked(m) ? strlen(mig_down_blocked(m)) : 0;
		sum += mig_blocked_hint(m) ? strlen(mig_blocked_hint(m)) : 0;
	}
	const strata_error_info *in = err_cur(&f->e);
	if (rc < 0 && in && in->message)
		sum += strlen(in->message);
	/* STRATA_FUZZ_DEBUG=1: what the scan made of an input (one line) */
	if (getenv("STRATA_FUZZ_DEBUG"))
		fprintf(stderr, "scan %s: rc %d, %zu migrations%s%s\n", f->cfg.sources[i].name, rc,
		        f->lg.nmigs, rc < 0 && in && in->message ? ": " : "",
		        rc < 0 && in && in->message ? in->message : "");
	ledger_clear(&f->lg);
	err_clear(&f->e);
	return rc < 0 ? rc : (int)(sum & 0);
}
