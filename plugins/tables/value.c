/*
 * What strata writes into each column: the event's and the migration's
 * values, by the kinds of descriptor.c, and the checksum rules (OpenSSL's
 * EVP digests; zlib's CRC-32 as Flyway computes it).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "tables_int.h"

/* ---- the source's migrations ---- */

typedef struct walk {
	tb_migs *m;
	bool with_up;
	const char *only; /* NULL: every migration */
} walk;

/* s (NULL: NULL) in the set's arena; *bad set when out of memory. */
static char *keep(tb_migs *m, const char *s, bool *bad)
{
	if (!s)
		return NULL;
	char *p = strata_arena_strndup(&m->arena, s, strlen(s));
	*bad |= !p;
	return p;
}

static int copy_mig(tb_migs *m, const strata_mig_info *mi, bool with_up)
{
	if (m->n == m->cap) {
		size_t nc = m->cap ? 2 * m->cap : 64;
		tb_mig *nv = realloc(m->v, nc * sizeof *nv);
		if (!nv)
			return STRATA_ENOMEM;
		m->v = nv;
		m->cap = nc;
	}
	tb_mig *x = &m->v[m->n++];
	memset(x, 0, sizeof *x);
	bool bad = false;
	x->version = keep(m, mi->mig_version, &bad);
	x->name = keep(m, mi->name ? mi->name : "", &bad);
	x->file = keep(m, mi->file ? mi->file : "", &bad);
	x->native_key = keep(m, mi->native_key, &bad);
	x->flags = mi->flags;
	if (with_up && mi->up) {
		x->up = malloc(mi->up_len + 1);
		if (x->up) {
			memcpy(x->up, mi->up, mi->up_len);
			x->up[mi->up_len] = '\0';
			x->up_len = mi->up_len;
		}
	}
	if (bad || (with_up && mi->up && !x->up))
		return STRATA_ENOMEM;
	return 0;
}

static int collect(void *ud, const strata_mig_info *mi)
{
	walk *w = ud;
	if (!mi->mig_version)
		return 0;
	if (!w->only)
		return copy_mig(w->m, mi, w->with_up);
	if (strcmp(mi->mig_version, w->only)) {
		free(w->m->prev);
		w->m->prev = strdup(mi->mig_version);
		return w->m->prev ? 0 : STRATA_ENOMEM;
	}
	int rc = copy_mig(w->m, mi, true);
	return rc ? rc : STRATA_STOP;
}

static int walk_all(strata_host *h, walk *w)
{
	memset(w->m, 0, sizeof *w->m);
	if (!STRATA_HAS(strata_host, h, each_migration) || !h->each_migration)
		return STRATA_OK;
	int rc = h->each_migration(h, collect, w);
	if (rc == STRATA_ENOMEM)
		return strata_oom(h);
	return rc < 0 ? rc : STRATA_OK;
}

int tb_migs_load(strata_host *h, tb_migs *out, bool with_up)
{
	walk w = {.m = out, .with_up = with_up};
	return walk_all(h, &w);
}

int tb_migs_one(strata_host *h, const char *version, tb_migs *out)
{
	walk w = {.m = out, .only = version};
	int rc;
	if (STRATA_HAS(strata_host, h, each_migration_near) && h->each_migration_near) {
		memset(w.m, 0, sizeof *w.m);
		rc = h->each_migration_near(h, version, collect, &w);
		rc = rc == STRATA_ENOMEM ? strata_oom(h) : rc < 0 ? rc : STRATA_OK;
	} else {
		rc = walk_all(h, &w); /* an older host: the whole history */
	}
	if (rc == STRATA_OK && !out->n) { /* no such migration: no previous one either */
		free(out->prev);
		out->prev = NULL;
	}
	return rc;
}

void tb_migs_free(tb_migs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].up);
	free(m->v);
	strata_arena_free(&m->arena);
	free(m->prev);
	memset(m, 0, sizeof *m);
}


/* ---- checksums ---- */

static void hex(const unsigned char *b, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int digest(strata_host *h, const EVP_MD *md, const char *text, size_t len, char out[72])
{
	unsigned char b[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!EVP_Digest(text, len, b, &n, md, NULL)) {
		h->error(h, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "tables: OpenSSL digest failed");
		return STRATA_ERR;
	}
	hex(b, n, out);
	return 1;
}

/* Flyway reads the script line by line (\n, \r\n and \r end a line and are
 * dropped), strips a UTF-8 BOM from the first, and feeds each line's bytes
 * to one CRC-32: the text without its line breaks.  Stored as a signed
 * 32-bit int. */
int tb_flyway_crc32(const char *text, size_t len, char out[16])
{
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t i = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n' && text[j] != '\r')
			j++;
		if (j > i)
			crc = crc32(crc, (const Bytef *)text + i, (uInt)(j - i));
		i = j + 1;
	}
	snprintf(out, 16, "%d", (int)(int32_t)(uint32_t)crc);
	return 1;
}

static int file_text(strata_host *h, const strata_source_cfg *cfg, const char *rel, char **buf,
                     size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", cfg->path, rel);
	int rc = strata_read_file(h, AT_FDCWD, path, rel, buf, len);
	return rc == STRATA_ENOTFOUND ? 0 : rc < 0 ? rc : 1;
}

int tb_checksum(strata_host *h, const strata_source_cfg *cfg, const tb_desc *d, const tb_mig *m,
                char out[72])
{
	out[0] = '\0';
	if (!m || (!m->up && d->sum != C_SHA256_FILE))
		return 0;
	switch (d->sum) {
	case C_SHA256: return digest(h, EVP_sha256(), m->up, m->up_len, out);
	case C_MD5: return digest(h, EVP_md5(), m->up, m->up_len, out);
	case C_CRC32: return tb_flyway_crc32(m->up, m->up_len, out);
	case C_SHA256_FILE: {
		char *buf;
		size_t len;
		int rc = file_text(h, cfg, m->file, &buf, &len);
		if (rc <= 0)
			return rc;
		rc = digest(h, EVP_sha256(), buf, len, out);
		free(buf);
		return rc;
	}
	default: return 0;
	}
}

/* ---- values ---- */

/* The event's time: ISO-8601 UTC from the host. */
static const char *event_time(const tb_ctx *c, char *buf, size_t size)
{
	const char *t = c->ev ? (c->ev->finished_at ? c->ev->finished_at : c->ev->started_at) : NULL;
	if (t)
		return t;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int iso_parts(const char *iso, struct tm *tm, int *ms)
{
	int pos = 0;
	memset(tm, 0, sizeof *tm);
	*ms = 0;
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm->tm_year, &tm->tm_mon, &tm->tm_mday,
	           &tm->tm_hour, &tm->tm_min, &tm->tm_sec, &pos) != 6)
		return -1;
	tm->tm_year -= 1900;
	tm->tm_mon -= 1;
	const char *p = iso + pos;
	if (*p == '.') {
		int digits = 0;
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (digits < 3)
				*ms = *ms * 10 + (*p - '0');
		for (; digits < 3; digits++)
			*ms *= 10;
	}
	return 0;
}

/* PostgreSQL takes the ISO text in timestamp and timestamptz columns
 * alike; SQLite gets CURRENT_TIMESTAMP's shape with milliseconds. */
static int set_now(tb_ctx *c)
{
	char buf[40];
	const char *iso = event_time(c, buf, sizeof buf);
	struct tm tm;
	int ms;
	if (iso_parts(iso, &tm, &ms) < 0) {
		c->h->error(c->h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL,
		            "tables: malformed event time '%s'", iso);
		return STRATA_EINVAL;
	}
	if (tb_is_sqlite(c->h))
		snprintf(c->now, sizeof c->now, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	else
		snprintf(c->now, sizeof c->now, "%s", iso);
	snprintf(c->now_ms, sizeof c->now_ms, "%lld", (long long)timegm(&tm) * 1000 + ms);
	return STRATA_OK;
}

static int first_col(void *ud, int ncols, const char *const *v)
{
	char *out = ud;
	snprintf(out, 128, "%s", ncols > 0 && v[0] ? v[0] : "");
	return STRATA_STOP;
}

/* max(column) + 1, read inside the host's transaction. */
static int next_of(tb_ctx *c, size_t col, char *out)
{
	tb_buf b = {0};
	tb_puts(&b, "SELECT COALESCE(MAX(");
	tb_ident(&b, c->d->cols[col].name);
	tb_puts(&b, "), 0) + 1 FROM ");
	tb_table(&b, c->d);
	if (b.oom) {
		tb_buf_free(&b);
		return strata_oom(c->h);
	}
	char v[128] = "";
	int rc = c->h->db_query(c->h, b.s, NULL, 0, first_col, v);
	tb_buf_free(&b);
	snprintf(out, 24, "%.23s", v); /* an integer */
	return rc < 0 ? rc : STRATA_OK;
}

/* "0001" -> "1": the version as an integer, or NULL when it is none. */
static const char *as_int(const char *v, char *buf, size_t size)
{
	if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) >= size)
		return NULL;
	while (v[0] == '0' && v[1])
		v++;
	snprintf(buf, size, "%s", v);
	return buf;
}

static const char *stem(const char *file, char *buf, size_t size)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	snprintf(buf, size, "%.*s", (int)n, base);
	return buf;
}

/* "sql/0001_create.up.sql" + ".js" -> "0001_create.js": the name up to its
 * first dot, then the suffix (knex's row names its JS file). */
static const char *base_with(const char *file, const char *suffix, char *buf, size_t size)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strcspn(base, ".");
	snprintf(buf, size, "%.*s%s", (int)n, base, suffix ? suffix : "");
	return buf;
}

const char *tb_key_of(const tb_desc *d, const tb_mig *m, char *buf, size_t size)
{
	const tb_value *kv = &d->cols[d->match].v;
	tb_kind k = kv->kind;
	switch (k) {
	case K_VERSION: return m->version;
	case K_VERSION_INT: return as_int(m->version, buf, size);
	case K_VERSION_DIGITS: {
		size_t o = 0;
		for (const char *p = m->version; *p && o + 1 < size; p++)
			if (*p >= '0' && *p <= '9')
				buf[o++] = *p;
		buf[o] = '\0';
		return buf;
	}
	case K_NAME: return m->name;
	case K_NAME_VERSION:
		snprintf(buf, size, "%s%s", m->name ? m->name : "", m->version);
		return buf;
	case K_DESCRIPTION: {
		snprintf(buf, size, "%s", m->name);
		for (char *p = buf; *p; p++)
			if (*p == '_')
				*p = ' ';
		return buf;
	}
	case K_FILE: return m->file;
	case K_FILE_STEM: return stem(m->file, buf, size);
	case K_FILE_BASE: return base_with(m->file, kv->text, buf, size);
	case K_NATIVE_KEY: return m->native_key ? m->native_key : m->version;
	case K_VERSION_DOTS: {
		snprintf(buf, size, "%s", m->native_key ? m->native_key : m->version);
		for (char *p = buf; *p; p++)
			if (*p == '_')
				*p = '.';
		return buf;
	}
	default: return NULL;
	}
}

int tb_value_of(tb_ctx *c, const tb_value *v, size_t col, char buf[TB_VALUE_MAX],
                const char **out)
{
	static const char *const bools[2][2] = {{"false", "true"}, {"0", "1"}};
	const strata_track_event *ev = c->ev;
	bool lite = tb_is_sqlite(c->h);
	int rc;
	*out = NULL;
	switch (v->kind) {
	case K_VERSION: *out = ev->mig_version; break;
	case K_VERSION_INT: {
		*out = as_int(ev->mig_version, buf, TB_VALUE_MAX);
		if (!*out) {
			char t[128];
			return tb_fail(c->h, "%s: version '%s' is not an integer, and column %s takes one",
			               tb_table_name(c->d, t, sizeof t), ev->mig_version,
			               c->d->cols[col].name);
		}
		break;
	}
	case K_NAME: *out = ev->name ? ev->name : (c->mig ? c->mig->name : ""); break;
	case K_VERSION_DIGITS:
	case K_NAME_VERSION:
	case K_DESCRIPTION:
	case K_FILE:
	case K_FILE_STEM:
	case K_FILE_BASE:
	case K_NATIVE_KEY:
	case K_VERSION_DOTS: {
		tb_mig fake = {.version = (char *)ev->mig_version,
		               .name = (char *)(ev->name ? ev->name : ""), .file = (char *)""};
		const tb_mig *m = c->mig ? c->mig : &fake;
		tb_desc one = *c->d;
		tb_column cc = {.v = *v};
		one.cols = &cc;
		one.match = 0;
		/* A row no file has was reported with its own key as the version
		 * (read.c): a rollback or mark of it finds the row by that. */
		*out = c->mig ? tb_key_of(&one, m, buf, TB_VALUE_MAX) : ev->mig_version;
		break;
	}
	case K_CHECKSUM:
		if (!c->have_sum) {
			if ((rc = tb_checksum(c->h, c->cfg, c->d, c->mig, c->sum)) < 0)
				return rc;
			c->have_sum = true;
		}
		*out = c->sum[0] ? c->sum : NULL;
		break;
	case K_NOW: *out = c->now; break;
	case K_NOW_MS: *out = c->now_ms; break;
	case K_EXEC_MS:
		snprintf(buf, TB_VALUE_MAX, "%ld", ev->execution_ms > 0 ? ev->execution_ms : 0);
		*out = buf;
		break;
	case K_ERROR: *out = ev->error; break;
	case K_UUID:
		if ((rc = strata_uuid_v4(c->h, buf)) < 0)
			return rc;
		*out = buf;
		break;
	case K_NEXT_RANK:
		if ((rc = next_of(c, col, buf)) < 0)
			return rc;
		*out = buf;
		break;
	case K_BATCH: {
		char *b = tb_state_batch(c->d);
		if (b && !*b && (rc = next_of(c, col, b)) < 0)
			return rc;
		if (!b) {
			if ((rc = next_of(c, col, buf)) < 0)
				return rc;
			b = buf;
		}
		*out = b;
		break;
	}
	case K_USER:
		if (!c->user[0] && !lite &&
		    (rc = c->h->db_query(c->h, "SELECT current_user", NULL, 0, first_col, c->user)) < 0)
			return rc;
		*out = c->user;
		break;
	case K_TRUE: *out = bools[lite][1]; break;
	case K_FALSE: *out = bools[lite][0]; break;
	case K_NULL: *out = NULL; break;
	case K_TEXT:
	case K_INT: *out = v->text; break;
	case K_NOT_NULL:
	case K_AUTO: break;
	}
	return STRATA_OK;
}

int tb_ctx_time(tb_ctx *c)
{
	return set_now(c);
}
