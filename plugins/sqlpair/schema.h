/*
 * The layout descriptor's checker: the shared table-driven one
 * (plugins/common/ydoc.h) plus the leaves only layouts have (schema.c);
 * descriptor.c holds the tables of the layout descriptor.
 */
#ifndef SQLPAIR_SCHEMA_H
#define SQLPAIR_SCHEMA_H

#include "internal.h"
#include "ydoc.h"

int sp_yget_group(yd_doc *d, yaml_node_t *n, int *out);
int sp_yget_regex(yd_doc *d, yaml_node_t *n, sp_regex *r);

#endif /* SQLPAIR_SCHEMA_H */
