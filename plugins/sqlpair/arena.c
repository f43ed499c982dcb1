/*
 * A bump allocator: a scan of 100,000 files makes several strings per file,
 * and one arena freed at the end is both faster and harder to leak than
 * that many malloc/free pairs.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SP_CHUNK_SIZE 65536

struct sp_chunk {
	sp_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* Hand out n bytes, aligned for any type, from the newest chunk; a request
 * bigger than a chunk gets a chunk of its own. */
void *sp_alloc(sp_arena *a, size_t n)
{
	size_t al = alignof(max_align_t);
	if (n > SIZE_MAX - al - sizeof(sp_chunk))
		return NULL;
	n = (n + al - 1) & ~(al - 1);
	sp_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > SP_CHUNK_SIZE ? n : SP_CHUNK_SIZE;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

/* Copy n bytes of s into the arena as a NUL-terminated string. */
char *sp_strndup(sp_arena *a, const char *s, size_t n)
{
	char *p = sp_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Release every chunk at once; the arena can be reused afterwards. */
void sp_arena_free(sp_arena *a)
{
	sp_chunk *c = a->head;
	while (c) {
		sp_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}
