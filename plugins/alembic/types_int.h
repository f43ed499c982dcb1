/* The rows of types_yaml.h, shared by its loader (types_yaml.c) and its
 * renderer (types_render.c). */
#ifndef STRATA_ALEMBIC_TYPES_INT_H
#define STRATA_ALEMBIC_TYPES_INT_H

#include "types_yaml.h"

enum { D_PG, D_SQLITE, D_N };
extern const char *const at_dialects[D_N];

typedef struct at_val {
	at_kind k; /* AT_NONE (~), AT_BOOL, AT_INT, AT_STR */
	long long iv;
	char *s;
} at_val;

typedef struct at_pair { /* a `when` or `defaults` entry */
	char *arg;
	at_val v;
} at_pair;

typedef struct at_rule {
	at_pair *when;
	int nwhen;
	char *sql[D_N]; /* NULL: SQLAlchemy cannot compile the type there */
} at_rule;

struct at_type {
	char *name;
	char **modules;
	int nmod;
	char **args;
	int nargs;
	at_pair *defaults;
	int ndef;
	at_rule *rules;
	int nrules;
};

struct at_types {
	at_type **t;
	size_t n;
};

#endif
