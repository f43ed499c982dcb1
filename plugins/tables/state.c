/*
 * What one write command knows between lock() and unlock(): the tables it
 * created (read as still missing until something is written, and dropped
 * again if nothing ever was, so a command that recorded nothing leaves the
 * database as it found it) and knex's batch, one number per command.
 * Kept per process and table; a mutex, because status reads on a thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tables_int.h"

#define SLOTS 32

typedef struct slot {
	char table[160]; /* "tracker:schema.table" */
	bool open, created, written;
	char batch[24];
} slot;

static slot slots[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void key_of(const tb_desc *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s.%s", d->name, d->schema ? d->schema : "", d->table);
}

/* The slot of d (made when make), or NULL; call with mu held. */
static slot *find(const tb_desc *d, bool make)
{
	char k[160];
	key_of(d, k, sizeof k);
	slot *free_slot = NULL;
	for (size_t i = 0; i < SLOTS; i++) {
		if (slots[i].table[0] && !strcmp(slots[i].table, k))
			return &slots[i];
		if (!slots[i].table[0] && !free_slot)
			free_slot = &slots[i];
	}
	if (!make || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof *free_slot);
	snprintf(free_slot->table, sizeof free_slot->table, "%s", k);
	return free_slot;
}

void tb_state_begin(const tb_desc *d)
{
	pthread_mutex_lock(&mu);
	slot *s = find(d, true);
	if (s) {
		s->open = true;
		s->created = s->written = false;
		s->batch[0] = '\0';
	}
	pthread_mutex_unlock(&mu);
}

void tb_state_created(const tb_desc *d)
{
	pthread_mutex_lock(&mu);
	slot *s = find(d, false);
	if (s)
		s->created = true;
	pthread_mutex_unlock(&mu);
}

bool tb_state_hidden(const tb_desc *d)
{
	pthread_mutex_lock(&mu);
	slot *s = find(d, false);
	bool yes = s && s->open && s->created && !s->written;
	pthread_mutex_unlock(&mu);
	return yes;
}

void tb_state_written(const tb_desc *d)
{
	pthread_mutex_lock(&mu);
	slot *s = find(d, false);
	if (s)
		s->written = true;
	pthread_mutex_unlock(&mu);
}

/* The slot lives until unlock(); the pointer is used by one thread. */
char *tb_state_batch(const tb_desc *d)
{
	pthread_mutex_lock(&mu);
	slot *s = find(d, false);
	char *b = s && s->open ? s->batch : NULL;
	pthread_mutex_unlock(&mu);
	return b;
}

bool tb_state_end(const tb_desc *d)
{
	pthread_mutex_lock(&mu);
	slot *s = find(d, false);
	bool unused = s && s->created && !s->written;
	if (s)
		memset(s, 0, sizeof *s);
	pthread_mutex_unlock(&mu);
	return unused;
}
