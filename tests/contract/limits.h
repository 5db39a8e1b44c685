/*
 * limits.h - values of a table's field at its limits, for the contract test
 * and proto_dump: the smallest and largest value the field takes (valid, so
 * its content rule holds too: a serial of 20 'Z', a locale "de-AT") and the
 * values just outside (one character, byte or unit past). Made from the
 * tables, so a field added to a table is covered without a new line here.
 */
#ifndef CONTRACT_LIMITS_H
#define CONTRACT_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/wire.h"

typedef enum { LIM_MIN, LIM_MAX, LIM_BELOW_MIN, LIM_ABOVE_MAX } limit_t;

/* Field `f` at `which` as text (a string's characters, hex digits, a
 * decimal integer, true/false, a kind's name) into out[cap]. false when
 * there is no such value: nothing below an empty optional string or a
 * boolean, nothing above a C type's own maximum. */
bool limit_text(const proto_field_t *f, limit_t which, char *out, size_t cap);

/* The same as a JSON value (strings quoted). */
bool limit_json(const proto_field_t *f, limit_t which, char *out, size_t cap);

/* Every field of `r` in `obj` at LIM_MIN or LIM_MAX, set through the
 * table's own text reader. */
void limit_fill(const proto_record_t *r, void *obj, limit_t which);

#endif /* CONTRACT_LIMITS_H */
