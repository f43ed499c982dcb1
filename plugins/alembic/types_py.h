/*
 * The bridge from a parsed Python type expression (pyexpr.h) to the YAML
 * column types (types_yaml.h) and to application enums (pyenum.h), for the
 * translator's type parser: a call's arguments as at_arg values, and the
 * enum class sa.Enum() is given.
 */
#ifndef STRATA_ALEMBIC_TYPES_PY_H
#define STRATA_ALEMBIC_TYPES_PY_H

#include "pyexpr.h"
#include "types_yaml.h"

/* The arguments of e (a call; a bare name or attribute has none) as at_args
 * in arena a: literals as AT_BOOL / AT_INT / AT_STR / AT_NONE, anything
 * else as AT_TYPE pointing to its px (the caller's type_sql parses it).
 * Returns the count (*out NULL when 0). */
int atp_args(px_arena *a, const px *e, at_arg **out);

/* sa.Enum(X, ...): X's dotted name when the first positional argument is a
 * name or attribute chain (an enum class), NULL when it is not (string
 * values, or no arguments). */
const char *atp_enum_class(px_arena *a, const px *call);

#endif
