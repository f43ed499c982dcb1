/* The translation memo (memo.h): one file per source, dialect and kind of
 * command, entries in file order, the SHA-256 of the rest at its end. */
#include "memo.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strata/plugin_util.h>

#include "alembic_int.h"

#define MAGIC "strata alembic memo 1\n"
#define NULL_LEN UINT32_MAX

typedef struct slot {
	const unsigned char *key; /* NULL: empty */
	const unsigned char *body;
	uint32_t len;
} slot;

struct al_memo {
	unsigned char ctx[32]; /* every input but the file's own */
	EVP_MD *md;            /* SHA-256, fetched once for every digest (EVP_sha256() is looked up at each use) */
	char *path;            /* the memo file */
	unsigned char *buf;    /* its bytes, which the slots point into */
	slot *slots;
	size_t cap, n;         /* cap a power of two, n entries */
};

/* ---- the key's inputs ---- */

typedef struct bid {
	const void *addr;
	unsigned char id[64];
	size_t n;
} bid;

static int note_of(struct dl_phdr_info *info, size_t size, void *ud)
{
	bid *b = ud;
	(void)size;
	int mine = 0;
	for (int i = 0; i < info->dlpi_phnum && !mine; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, at = (uintptr_t)b->addr;
		mine = ph->p_type == PT_LOAD && at >= lo && at < lo + ph->p_memsz;
	}
	for (int i = 0; mine && i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		const unsigned char *end = p + ph->p_memsz;
		while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + 3) & ~(size_t)3, desc = (nh->n_descsz + 3) & ~(size_t)3;
			const unsigned char *d = p + sizeof *nh + name;
			if ((size_t)(end - p) < sizeof *nh + name + desc)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof *nh, "GNU", 4) && nh->n_descsz <= sizeof b->id) {
				memcpy(b->id, d, nh->n_descsz);
				b->n = nh->n_descsz;
			}
			p += sizeof *nh + name + desc;
		}
	}
	return mine;
}

static const char anchor; /* an address inside this plugin */

static void feed(EVP_MD_CTX *x, const void *p, size_t n)
{
	uint64_t len = n;
	EVP_DigestUpdate(x, &len, sizeof len); /* each input framed by its length */
	EVP_DigestUpdate(x, p ? p : "", n);
}

static void feed_str(EVP_MD_CTX *x, const char *s)
{
	feed(x, s ? s : "\xff", s ? strlen(s) : 1); /* NULL is not "" */
}

/* The bytes of a file, or "missing" (its absence is an input too). */
static int feed_file(EVP_MD_CTX *x, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int e = path ? strata_slurpat(AT_FDCWD, path, &text, &len) : ENOENT;
	if (e && e != ENOENT)
		return -1;
	feed_str(x, e ? NULL : "file");
	feed(x, text, len);
	free(text);
	return 0;
}

/* STRATA_ALEMBIC_CACHE when it names a folder (made, as the folder
 * itself), else ${XDG_CACHE_HOME:-$HOME/.cache}/strata/alembic, made; NULL
 * without one. */
static char *memo_dir(void)
{
	const char *own = getenv("STRATA_ALEMBIC_CACHE");
	if (own && *own == '/') {
		char *dir = strdup(own);
		if (dir && mkdir(dir, 0700) != 0 && errno != EEXIST) {
			free(dir);
			return NULL;
		}
		return dir;
	}
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *base = xdg && *xdg == '/' ? al_join(xdg, "strata")
	             : home && *home == '/' ? al_join(home, ".cache/strata") : NULL;
	char *dir = base ? al_join(base, "alembic") : NULL;
	char *cache = base ? strndup(base, strrchr(base, '/') - base) : NULL;
	int ok = dir && cache;
	const char *steps[] = { cache, base, dir };
	for (size_t i = 0; ok && i < 3; i++)
		ok = mkdir(steps[i], 0700) == 0 || errno == EEXIST;
	free(base);
	free(cache);
	if (!ok) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* ---- the file ---- */

static uint64_t slot_hash(const unsigned char *key)
{
	uint64_t h;
	memcpy(&h, key, sizeof h); /* a SHA-256: any 8 bytes are uniform */
	return h;
}

static slot *slot_for(const al_memo *m, const unsigned char *key)
{
	size_t i = (size_t)slot_hash(key) & (m->cap - 1);
	while (m->slots[i].key && memcmp(m->slots[i].key, key, 32))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static int digest(const al_memo *m, const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 0;
	return EVP_Digest(p, n, out, &len, m->md, NULL) && len == 32 ? 0 : -1;
}

/* The entries of the file's bytes (m->buf, n of them); a file that does
 * not check is no entries. */
static int index_of(al_memo *m, size_t n)
{
	const size_t head = sizeof MAGIC - 1;
	unsigned char sum[32];
	if (n < head + 32 || memcmp(m->buf, MAGIC, head) || digest(m, m->buf, n - 32, sum) ||
	    memcmp(sum, m->buf + n - 32, 32))
		return 0;
	size_t count = 0;
	const unsigned char *p = m->buf + head, *end = m->buf + n - 32, *q = p;
	for (; (size_t)(end - q) >= 36; count++) {
		uint32_t len;
		memcpy(&len, q + 32, sizeof len);
		if ((size_t)(end - q - 36) < len)
			return 0;
		q += 36 + len;
	}
	if (q != end)
		return 0;
	for (m->cap = 16; m->cap < 2 * count; m->cap *= 2)
		;
	if (!(m->slots = calloc(m->cap, sizeof *m->slots)))
		return -1;
	while (p < end) {
		uint32_t len;
		memcpy(&len, p + 32, sizeof len);
		slot *s = slot_for(m, p);
		if (!s->key) { /* a key twice: the first is kept */
			*s = (slot){ p, p + 36, len };
			m->n++;
		}
		p += 36 + len;
	}
	return 0;
}

al_memo *al_memo_open(strata_host *h, const strata_source_cfg *cfg, opsql_dialect dia,
                      int want_down, const char *assume, const char *arguments,
                      const char *types_file)
{
	const char *off = getenv("STRATA_ALEMBIC_CACHE");
	if (off && !strcmp(off, "0"))
		return NULL;
	bid b = { &anchor, {0}, 0 };
	dl_iterate_phdr(note_of, &b);
	if (!b.n)
		return NULL;
	al_memo *m = calloc(1, sizeof *m);
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	char *dir = m && x ? memo_dir() : NULL;
	int bad = !dir || !(m->md = EVP_MD_fetch(NULL, "SHA256", NULL)) ||
	          !EVP_DigestInit_ex(x, m->md, NULL);
	unsigned char where[32];
	if (!bad) { /* the file's name: the source, the dialect, the kind of command */
		feed_str(x, cfg->path);
		feed(x, &dia, sizeof dia);
		feed(x, &want_down, sizeof want_down);
		unsigned int len = 0;
		bad = !EVP_DigestFinal_ex(x, where, &len) || !EVP_DigestInit_ex(x, m->md, NULL);
	}
	if (!bad) {
		feed_str(x, MAGIC);
		feed(x, b.id, b.n);
		feed_str(x, cfg->path);
		feed(x, &dia, sizeof dia);
		feed(x, &want_down, sizeof want_down);
		feed_str(x, assume);
		feed_str(x, arguments);
		char *yaml = NULL;
		for (size_t i = 0; h->formats_dirs && h->formats_dirs[i] && !yaml; i++) {
			char *f = al_join(h->formats_dirs[i], "alembic/types.yaml");
			if (f && access(f, F_OK) == 0)
				yaml = f;
			else
				free(f);
		}
		char *user = types_file ? al_join(cfg->path, types_file) : NULL;
		bad = feed_file(x, yaml) || feed_file(x, user);
		free(yaml);
		free(user);
		unsigned int len = 0;
		bad = bad || !EVP_DigestFinal_ex(x, m->ctx, &len);
	}
	char name[40];
	for (int i = 0; !bad && i < 16; i++)
		snprintf(name + 2 * i, 3, "%02x", where[i]);
	if (!bad) {
		memcpy(name + 32, ".memo", 6);
		bad = !(m->path = al_join(dir, name));
	}
	EVP_MD_CTX_free(x);
	free(dir);
	char *text = NULL;
	size_t n = 0;
	if (!bad && strata_slurpat(AT_FDCWD, m->path, &text, &n) == 0) {
		m->buf = (unsigned char *)text;
		bad = index_of(m, n) < 0;
	}
	if (bad) {
		al_memo_free(m);
		return NULL;
	}
	return m;
}

int al_memo_key(const al_memo *m, const char *rel, const char *text, size_t len,
                unsigned char key[32])
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = x && EVP_DigestInit_ex(x, m->md, NULL);
	if (ok) {
		EVP_DigestUpdate(x, m->ctx, sizeof m->ctx);
		feed_str(x, rel);
		feed(x, text, len);
		ok = EVP_DigestFinal_ex(x, key, &n) && n == 32;
	}
	EVP_MD_CTX_free(x);
	return ok ? 0 : -1;
}

/* ---- entries ---- */

/* The entries as they are written: plugin_util.h's growing buffer. */
typedef strata_text wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
	strata_text_put(w, p, n);
}

static void put_i(wbuf *w, int64_t n)
{
	int32_t v = (int32_t)n; /* lines, counts and flags of one file */
	put(w, &v, sizeof v);
}

static void put_bytes(wbuf *w, const void *p, size_t n)
{
	uint32_t len = p ? (uint32_t)n : NULL_LEN;
	put(w, &len, sizeof len);
	if (p)
		put(w, p, n);
}

static void put_str(wbuf *w, const char *s)
{
	put_bytes(w, s, s ? strlen(s) : 0);
}

static void put_value(wbuf *w, const py_value *v)
{
	put_i(w, v->kind);
	put_i(w, v->line);
	put_str(w, v->str);
	put_i(w, (int64_t)v->nitems);
	for (size_t i = 0; i < v->nitems; i++)
		put_str(w, v->items[i]);
}

static void put_sql(wbuf *w, const rev_sql *o)
{
	put_i(w, o->status);
	put_i(w, o->no_transaction);
	put_i(w, o->line);
	put_bytes(w, o->sql, o->len);
	put_i(w, (int64_t)o->nlines);
	put_bytes(w, o->lines, o->lines ? o->nlines * sizeof *o->lines : 0);
	put_bytes(w, o->cols, o->cols ? o->nlines * sizeof *o->cols : 0);
	put_str(w, o->reason);
}

static void put_rev(wbuf *w, const rev *r)
{
	const py_revision *py = &r->py;
	put_value(w, &py->revision);
	put_value(w, &py->down_revision);
	put_value(w, &py->branch_labels);
	put_value(w, &py->depends_on);
	const int flags[] = { py->has_revision, py->has_down, py->has_labels, py->has_depends,
		              py->upgrade_line, py->downgrade_line, r->has_down, r->down_skipped };
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
		put_i(w, flags[i]);
	put_str(w, r->name);
	put_sql(w, &r->up);
	put_sql(w, &r->down);
}

typedef struct rbuf {
	const unsigned char *p, *end;
	int bad; /* 1: the entry does not parse; -1: out of memory */
} rbuf;

static int64_t get_i(rbuf *b)
{
	int32_t v = 0;
	if ((size_t)(b->end - b->p) < sizeof v)
		b->bad = b->bad ? b->bad : 1;
	else
		memcpy(&v, b->p, sizeof v);
	b->p += b->bad ? 0 : sizeof v;
	return v;
}

/* A malloc'd copy (NUL-terminated), or NULL for a NULL one; *n its length. */
static void *get_bytes(rbuf *b, size_t *n)
{
	uint32_t len = NULL_LEN;
	if ((size_t)(b->end - b->p) < sizeof len)
		b->bad = b->bad ? b->bad : 1;
	else
		memcpy(&len, b->p, sizeof len);
	if (b->bad || len == NULL_LEN) {
		b->p += b->bad ? 0 : sizeof len;
		return NULL;
	}
	b->p += sizeof len;
	if ((size_t)(b->end - b->p) < len) {
		b->bad = 1;
		return NULL;
	}
	char *s = malloc((size_t)len + 1);
	if (!s) {
		b->bad = -1;
		return NULL;
	}
	memcpy(s, b->p, len);
	s[len] = '\0';
	b->p += len;
	if (n)
		*n = len;
	return s;
}

static void get_value(rbuf *b, py_value *v)
{
	v->kind = (int)get_i(b);
	v->line = (int)get_i(b);
	v->str = get_bytes(b, NULL);
	int64_t n = get_i(b);
	if (b->bad || n < 0 || (uint64_t)n > (uint64_t)(b->end - b->p) / sizeof(uint32_t)) {
		b->bad = b->bad ? b->bad : 1;
		return;
	}
	if (n && !(v->items = calloc((size_t)n, sizeof *v->items))) {
		b->bad = -1;
		return;
	}
	for (v->nitems = 0; v->nitems < (size_t)n && !b->bad; v->nitems++)
		v->items[v->nitems] = get_bytes(b, NULL);
}

static void get_sql(rbuf *b, rev_sql *o)
{
	o->status = (opsql_status)get_i(b);
	o->no_transaction = (int)get_i(b);
	o->line = (int)get_i(b);
	o->sql = get_bytes(b, &o->len);
	o->nlines = (size_t)get_i(b);
	size_t nl = 0, nc = 0;
	o->lines = get_bytes(b, &nl);
	o->cols = get_bytes(b, &nc);
	if ((o->lines && nl != o->nlines * sizeof *o->lines) ||
	    (o->cols && nc != o->nlines * sizeof *o->cols))
		b->bad = b->bad ? b->bad : 1;
	o->reason = get_bytes(b, NULL);
}

int al_memo_get(const al_memo *m, const unsigned char key[32], rev *r)
{
	if (!m->n || !m->slots)
		return 0;
	const slot *s = slot_for(m, key);
	if (!s->key)
		return 0;
	rev t = { 0 };
	rbuf b = { s->body, s->body + s->len, 0 };
	py_revision *py = &t.py;
	get_value(&b, &py->revision);
	get_value(&b, &py->down_revision);
	get_value(&b, &py->branch_labels);
	get_value(&b, &py->depends_on);
	int *flags[] = { &py->has_revision, &py->has_down, &py->has_labels, &py->has_depends,
		         &py->upgrade_line, &py->downgrade_line, &t.has_down, &t.down_skipped };
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
		*flags[i] = (int)get_i(&b);
	t.name = get_bytes(&b, NULL);
	get_sql(&b, &t.up);
	get_sql(&b, &t.down);
	if (!b.bad && (b.p != b.end || !t.name || !py->has_revision || py->revision.kind != PY_STR ||
	               !py->revision.str))
		b.bad = 1;
	if (b.bad) { /* one that does not parse is none: the file is translated */
		py_revision_free(&t.py);
		free(t.name);
		free(t.up.sql), free(t.up.lines), free(t.up.cols), free(t.up.reason);
		free(t.down.sql), free(t.down.lines), free(t.down.cols), free(t.down.reason);
		return b.bad < 0 ? -1 : 0;
	}
	r->py = t.py;
	r->name = t.name;
	r->up = t.up;
	r->down = t.down;
	r->has_down = t.has_down;
	r->down_skipped = t.down_skipped;
	return 1;
}

void al_memo_release(al_memo *m)
{
	free(m->buf);
	free(m->slots);
	m->buf = NULL;
	m->slots = NULL;
	m->cap = 0; /* m->n stays, for al_memo_save() */
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* What w holds so far to its file and into its digest, between entries:
 * a hundred thousand of them are never held at once. */
static int flush(wbuf *w, int fd, EVP_MD_CTX *sum)
{
	if (w->oom || !EVP_DigestUpdate(sum, w->p, w->n) || write_all(fd, w->p, w->n))
		return -1;
	w->n = 0;
	return 0;
}

void al_memo_save(strata_host *h, al_memo *m, const rev *revs, size_t n)
{
	size_t kept = 0, known = 0;
	for (size_t i = 0; i < n; i++) {
		kept += revs[i].memo != 0;
		known += revs[i].memo == 2;
	}
	if (known == kept && kept == m->n)
		return; /* it holds these already, and nothing else */
	char *tmp = malloc(strlen(m->path) + 8);
	EVP_MD_CTX *sum = EVP_MD_CTX_new();
	int fd = -1, bad = !tmp || !sum || !EVP_DigestInit_ex(sum, m->md, NULL);
	if (!bad) {
		sprintf(tmp, "%s.XXXXXX", m->path);
		bad = (fd = mkstemp(tmp)) < 0;
	}
	wbuf w = { 0 };
	put(&w, MAGIC, sizeof MAGIC - 1);
	for (size_t i = 0; !bad && i < n; i++) {
		if (!revs[i].memo)
			continue;
		put(&w, revs[i].key, 32);
		size_t at = w.n;
		uint32_t len = 0;
		put(&w, &len, sizeof len);
		put_rev(&w, &revs[i]);
		if (!w.oom && w.n - at - sizeof len > UINT32_MAX - 1)
			w.oom = 1;
		len = (uint32_t)(w.n - at - sizeof len);
		if (!w.oom)
			memcpy(w.p + at, &len, sizeof len);
		bad = w.oom || (w.n >= 65536 && flush(&w, fd, sum));
	}
	unsigned char digest_[32];
	unsigned int dl = 0;
	bad = bad || flush(&w, fd, sum) || !EVP_DigestFinal_ex(sum, digest_, &dl) ||
	      write_all(fd, digest_, sizeof digest_);
	int e = bad && !w.oom ? errno : 0;
	if (fd >= 0) {
		bad = close(fd) != 0 || bad;
		bad = bad || rename(tmp, m->path) != 0;
		if (bad)
			unlink(tmp);
		e = e ? e : errno;
	}
	if (bad)
		h->debug(h, "alembic: translation memo %s not written: %s", m->path,
		         w.oom || !tmp || !sum ? "out of memory" : strerror(e));
	EVP_MD_CTX_free(sum);
	free(tmp);
	free(w.p);
}

void al_memo_free(al_memo *m)
{
	if (!m)
		return;
	EVP_MD_free(m->md);
	free(m->path);
	free(m->buf);
	free(m->slots);
	free(m);
}
