/* An arena: many small blocks that live and die together (a ledger's
 * migrations, a plan's recorded strings), taken from 64 KiB chunks, so a
 * history of 100,000 migrations costs a few thousand mallocs, not a
 * million, and no per-block header or rounding. */
#include "base.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 65536

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *arena_alloc(arena *a, size_t n, size_t align)
{
	if (!align || (align & (align - 1)) || align > _Alignof(max_align_t))
		abort(); /* a caller's mistake, not a condition */
	arena_chunk *c = a->head;
	if (c) {
		size_t at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->cap && c->cap - at >= n) {
			c->used = at + n;
			return (char *)c->data + at;
		}
	}
	/* A block of more than a quarter chunk gets its own, behind the current
	 * one, so the current one's room is not thrown away. */
	bool own = n > ARENA_CHUNK / 4;
	size_t cap = own ? n : ARENA_CHUNK;
	if (cap > SIZE_MAX - sizeof(arena_chunk))
		abort();
	arena_chunk *nc = xmalloc(sizeof *nc + cap);
	nc->used = n;
	nc->cap = cap;
	if (own && c) {
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		a->head = nc;
	}
	return nc->data;
}

void *arena_zalloc(arena *a, size_t n, size_t align)
{
	void *p = arena_alloc(a, n, align);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_concat(arena *a, const char *x, const char *y, const char *z)
{
	size_t lx = strlen(x), ly = strlen(y), lz = z ? strlen(z) : 0;
	char *p = arena_alloc(a, lx + ly + lz + 1, 1);
	memcpy(p, x, lx);
	memcpy(p + lx, y, ly);
	memcpy(p + lx + ly, z ? z : "", lz + 1);
	return p;
}

char *arena_take(arena *a, char *s)
{
	char *p = arena_strdup(a, s);
	free(s);
	return p;
}

void arena_free(arena *a)
{
	for (arena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}
