/*
 * Checking a libyaml document against a table-driven schema (schema.c);
 * descriptor.c holds the tables of the layout descriptor.
 */
#ifndef SQLPAIR_SCHEMA_H
#define SQLPAIR_SCHEMA_H

#include <yaml.h>

#include "internal.h"

typedef struct sp_ydoc {
	strata_host *h;
	const char *file;
	yaml_document_t *doc;
	const char *name; /* expected layout name: the file's base name */
} sp_ydoc;

typedef int (*sp_field_fn)(sp_ydoc *d, yaml_node_t *val, void *target);

typedef struct sp_field {
	const char *key;
	int required;
	sp_field_fn fn;
} sp_field;

int sp_ybad(sp_ydoc *d, const yaml_mark_t *m, const char *hint, const char *fmt, ...)
    STRATA_PRINTF(4, 5);
const char *sp_yscalar(sp_ydoc *d, yaml_node_t *n, const char *what);
int sp_yget_group(sp_ydoc *d, yaml_node_t *n, int *out);
int sp_yget_bool(sp_ydoc *d, yaml_node_t *n, int *out);
int sp_yget_regex(sp_ydoc *d, yaml_node_t *n, sp_regex *r);
int sp_yget_string(sp_ydoc *d, yaml_node_t *n, const char *what, char **out);
int sp_yparse_map(sp_ydoc *d, yaml_node_t *map, const char *what, const sp_field *fields,
                  void *target);

#endif /* SQLPAIR_SCHEMA_H */
