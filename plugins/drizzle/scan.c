/*
 * The scan() op: one migration per journal entry, in journal order (each
 * one's parent the entry before it), as drizzle-orm's migrator reads them:
 * the file TAG.sql, version = the tag, name = the tag after its first '_',
 * native_key = the entry's `when` (drizzle's created_at), native checksum =
 * sha256 hex of the whole file (drizzle's hash).  Drizzle has no down
 * scripts: rollback is refused with the ways forward.  Before any migration
 * is handed over, every entry must have its file and every .sql file its
 * entry: drizzle would fail on the first and never run the second.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drizzle_int.h"

static bool listed(const dz_journal *j, const char *file)
{
	size_t l = strlen(file) - 4; /* without ".sql" */
	for (size_t i = 0; i < j->n; i++)
		if (strlen(j->v[i].tag) == l && !strncmp(j->v[i].tag, file, l))
			return true;
	return false;
}

/* A .sql file in the folder that the journal does not list. */
static int strays(strata_host *h, int fd, const dz_journal *j)
{
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		h->error(h, STRATA_ECLASS_SOURCE, ".", 0, 0, NULL, "cannot list the folder");
		return STRATA_EIO;
	}
	struct dirent *e;
	int rc = STRATA_OK;
	while (rc == STRATA_OK && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l <= 4 || strcmp(e->d_name + l - 4, ".sql") ||
		    listed(j, e->d_name))
			continue;
		h->error(h, STRATA_ECLASS_SOURCE, e->d_name, 1, 0,
		         "add it with drizzle-kit generate --custom (which writes its journal entry), "
		         "or move it out of the folder",
		         "%s is not in meta/_journal.json: drizzle-orm's migrate never runs it",
		         e->d_name);
		rc = STRATA_EINVAL;
	}
	closedir(d);
	return rc;
}

/* Every entry's file, read: texts[i] for j->v[i]. */
static int read_all(strata_host *h, int fd, const dz_journal *j, char **texts, size_t *lens)
{
	for (size_t i = 0; i < j->n; i++) {
		char rel[256];
		snprintf(rel, sizeof rel, "%s.sql", j->v[i].tag);
		int rc = strata_refuse_entry(h, fd, rel, NULL);
		if (rc == STRATA_OK)
			rc = strata_read_file(h, fd, rel, NULL, &texts[i], &lens[i]);
		if (rc == STRATA_ENOTFOUND) {
			h->error(h, STRATA_ECLASS_SOURCE, DZ_JOURNAL, j->v[i].line, 0,
			         "restore the file, or remove its entry from the journal "
			         "(drizzle-orm's migrate fails on it too)",
			         "journal entry '%s' has no file %s", j->v[i].tag, rel);
			return STRATA_EINVAL;
		}
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

/* drizzle-orm runs a migration only when its `when` is later than the last
 * row's created_at: an entry not later than the one before would be
 * skipped for good once that one is applied. */
static void warn_order(strata_host *h, const dz_journal *j)
{
	for (size_t i = 1; i < j->n; i++)
		if (strtoll(j->v[i].when, NULL, 10) <= strtoll(j->v[i - 1].when, NULL, 10))
			h->warn(h, DZ_JOURNAL, j->v[i].line,
			        "entry '%s' has \"when\" %s, not later than '%s' before it: "
			        "drizzle-orm's migrate skips it once that one is applied",
			        j->v[i].tag, j->v[i].when, j->v[i - 1].tag);
}

static int emit(strata_host *h, const dz_entry *e, const char *parent, const char *text,
                size_t len)
{
	char rel[256], sum[65];
	snprintf(rel, sizeof rel, "%s.sql", e->tag);
	char *up;
	size_t up_len;
	int rc = dz_split_script(h, text, len, &up, &up_len);
	if (rc < 0)
		return rc;
	h->sha256_hex(text, len, sum);
	const char *under = strchr(e->tag, '_');
	const char *parents[2] = {parent, NULL};
	strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
	m.mig_version = e->tag;
	m.name = under && under[1] ? under + 1 : e->tag;
	m.up = up;
	m.up_len = up_len;
	m.file = rel;
	m.line = 1;
	/* No down script: rollback stops before anything runs, saying why. */
	m.flags = STRATA_MIG_HAS_DOWN;
	m.down_file = rel;
	m.down_line = 1;
	m.down_blocked = "drizzle-kit writes no down scripts; nothing was rolled back";
	m.down_blocked_line = 1;
	m.blocked_hint = "undo it with a new migration (drizzle-kit generate), or undo it by hand "
	                 "and record that with `strata mark ID --rolled-back`";
	m.parents = parents;
	m.native_checksum = sum;
	m.native_key = e->when;
	rc = h->add_migration(h, &m);
	free(up);
	return rc;
}

int dz_scan(strata_host *h, const strata_source_cfg *cfg)
{
	int fd = open(cfg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		h->error(h, STRATA_ECLASS_SOURCE, cfg->path, 0, 0,
		         "point the source's path at drizzle-kit's out folder",
		         "cannot open the migrations folder");
		return STRATA_EIO;
	}
	dz_journal j;
	int rc = dz_journal_read(h, fd, &j);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	char **texts = calloc(j.n + 1, sizeof *texts);
	size_t *lens = calloc(j.n + 1, sizeof *lens);
	if (!texts || !lens)
		rc = strata_oom(h);
	if (rc == STRATA_OK)
		rc = read_all(h, fd, &j, texts, lens);
	if (rc == STRATA_OK)
		rc = strays(h, fd, &j);
	if (rc == STRATA_OK)
		warn_order(h, &j);
	for (size_t i = 0; rc == STRATA_OK && i < j.n; i++)
		rc = emit(h, &j.v[i], i ? j.v[i - 1].tag : NULL, texts[i], lens[i]);
	for (size_t i = 0; texts && i < j.n; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	dz_journal_free(&j);
	close(fd);
	return rc;
}
