/*
 * A small checker over libyaml documents (yschema.c): a table of keys per
 * mapping, each failure a config error at the file:line:col of the node at
 * fault.  descriptor.c holds the tracker descriptor's tables.
 */
#ifndef TABLES_YSCHEMA_H
#define TABLES_YSCHEMA_H

#include <yaml.h>

#include "tables_int.h"

typedef struct tb_ydoc {
	strata_host *h;
	const char *file;
	const char *name; /* expected tracker name: the file's base name */
	yaml_document_t *doc;
} tb_ydoc;

typedef int (*tb_field_fn)(tb_ydoc *y, yaml_node_t *val, void *target);

typedef struct tb_field {
	const char *key;
	int required;
	tb_field_fn fn;
} tb_field;

int tb_ybad(tb_ydoc *y, const yaml_node_t *n, const char *hint, const char *fmt, ...)
	STRATA_PRINTF(4, 5);
const char *tb_yscalar(tb_ydoc *y, yaml_node_t *n, const char *what);
int tb_ystring(tb_ydoc *y, yaml_node_t *n, const char *what, char **out);
int tb_ymap(tb_ydoc *y, yaml_node_t *map, const char *what, const tb_field *fields, void *target);
yaml_node_t *tb_ynode(tb_ydoc *y, int id);

#endif
