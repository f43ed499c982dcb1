/*
 * migration_lock.toml names the provider the history was written for.  Prisma
 * refuses a database of another kind (P3019); strata does the same, once the
 * database is known, in the tracker's read(), and for `verify` during the scan,
 * against the target's dialect.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prisma_int.h"

#define LOCK_FILE "migration_lock.toml"

/* Prisma's own naive parse (read_provider_from_lock_file): the first line
 * that starts with "provider", a literal leading `provider = ` stripped, then
 * '"' trimmed from both ends.  Written to out; *line gets its line number,
 * 0 and "<PROVIDER NOT FOUND>" when there is none. */
static void parse_provider(const char *text, char *out, size_t size, int *line)
{
	int ln = 1;
	for (const char *p = text; *p; ln++) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len && p[len - 1] == '\r')
			len--;
		if (!strncmp(p, "provider", 8) && len >= 8) {
			const char *v = p;
			if (len >= 11 && !strncmp(p, "provider = ", 11))
				v += 11, len -= 11;
			while (len && *v == '"')
				v++, len--;
			while (len && v[len - 1] == '"')
				len--;
			if (len >= size)
				len = size - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			*line = ln;
			return;
		}
		if (!end)
			break;
		p = end + 1;
	}
	snprintf(out, size, "<PROVIDER NOT FOUND>");
	*line = 0;
}

/* The Prisma provider name of the target database; "postgres" is accepted as
 * the alias of "postgresql" that Prisma schemas also use. */
static bool same_provider(const char *lock, const char *dialect)
{
	if (!strcmp(lock, dialect))
		return true;
	return !strcmp(dialect, "postgresql") && !strcmp(lock, "postgres");
}

/* The lock file against a dialect; a missing lock file is accepted, as
 * Prisma does.  target: whose dialect it is, for the message. */
static int check(strata_host *h, const strata_source_cfg *cfg, const char *dialect, bool target)
{
	if (!dialect)
		return STRATA_OK;
	int fd = open(cfg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return STRATA_OK; /* the scan says what is wrong with the folder */
	char *text;
	size_t len;
	int rc = strata_read_file(h, fd, LOCK_FILE, NULL, &text, &len);
	close(fd);
	if (rc == STRATA_ENOTFOUND)
		return STRATA_OK;
	if (rc < 0)
		return rc;
	char provider[256];
	int line;
	parse_provider(text, provider, sizeof provider, &line);
	free(text);
	if (same_provider(provider, dialect))
		return STRATA_OK;
	h->error(h, STRATA_ECLASS_SOURCE, LOCK_FILE, line, 0,
	         target ? "give verify a target of the history's provider with --db URL, or start a "
	                  "new migration history"
	                : "use a database of the history's provider, or start a new migration history",
	         "the %s's provider `%s` does not match the one specified in the "
	         "migration_lock.toml, `%s` (Prisma: P3019)",
	         target ? "target database" : "database", dialect, provider);
	return STRATA_EINVAL;
}

int pr_check_provider(strata_host *h, const strata_source_cfg *cfg)
{
	return check(h, cfg, h->db_dialect(h), false);
}

/* verify asks for it (STRATA_WANT_DIALECT_CHECK) before anything runs: the
 * dialect is the target's, from its URL, with no connection yet. */
int pr_check_provider_scan(strata_host *h, const strata_source_cfg *cfg)
{
	if (!(cfg->want & STRATA_WANT_DIALECT_CHECK) || !STRATA_HAS(strata_source_cfg, cfg, dialect))
		return STRATA_OK;
	return check(h, cfg, cfg->dialect, true);
}
