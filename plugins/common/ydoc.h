/*
 * Checking a libyaml document against tables of keys (ydoc.c), for the
 * plugins whose descriptors are YAML (sqlpair's layouts, the tables plugin's
 * trackers): every key known and given once, every required key present,
 * leaves of the right type, each failure a config error at the
 * file:line:col of the node at fault.  Compiled into each such plugin; it
 * knows no plugin.
 */
#ifndef STRATA_PLUGIN_YDOC_H
#define STRATA_PLUGIN_YDOC_H

#include <yaml.h>

#include "strata/plugin.h"

typedef struct yd_doc {
	strata_host *h;
	const char *file;
	const char *name; /* the name the document must give itself: the file's base name */
	yaml_document_t *doc;
} yd_doc;

typedef int (*yd_field_fn)(yd_doc *d, yaml_node_t *val, void *target);

/* One key of a mapping; a table ends with {NULL}.  At most 32 keys. */
typedef struct yd_field {
	const char *key;
	int required;
	yd_field_fn fn;
} yd_field;

/* Reports the error at n (NULL: the file alone); returns STRATA_EINVAL. */
int yd_bad(yd_doc *d, const yaml_node_t *n, const char *hint, const char *fmt, ...)
	STRATA_PRINTF(4, 5);
yaml_node_t *yd_node(yd_doc *d, int id);
/* The scalar's text, or NULL (reported: "WHAT must be a string"). */
const char *yd_scalar(yd_doc *d, yaml_node_t *n, const char *what);
/* A malloc'd copy of the scalar into *out (the old value freed). */
int yd_string(yd_doc *d, yaml_node_t *n, const char *what, char **out);
/* true or false, the two spellings descriptors use. */
int yd_bool(yd_doc *d, yaml_node_t *n, int *out);
/* Each pair of map through its field's fn(target). */
int yd_map(yd_doc *d, yaml_node_t *map, const char *what, const yd_field *fields, void *target);

/* Opens and parses file (a document that must call itself name) and hands
 * its root to check(d, root, target).  what ("layout descriptor") names the
 * document in the errors: cannot open, YAML syntax, empty. */
int yd_load_file(strata_host *h, const char *file, const char *name, const char *what,
                 int (*check)(yd_doc *d, yaml_node_t *root, void *target), void *target);

#endif /* STRATA_PLUGIN_YDOC_H */
