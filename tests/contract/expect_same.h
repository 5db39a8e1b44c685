/*
 * expect_same.h - for the contract tests (include after <cmocka.h>): two
 * records of one table compared field by field, the first difference named
 * ("usage record.calls: sent 3, read 2").
 */
#ifndef CONTRACT_EXPECT_SAME_H
#define CONTRACT_EXPECT_SAME_H

#include <string.h>

#include "proto/wire.h"

static inline void expect_same(const proto_record_t *r, const void *a, const void *b)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (f->type == PROTO_T_STR) {
            const char *x = (const char *)a + f->offset, *y = (const char *)b + f->offset;
            if (strcmp(x, y) != 0) {
                fail_msg("%s.%s: sent '%s', read '%s'", r->name, f->name, x, y);
            }
        } else if (f->type == PROTO_T_HEX) {
            size_t na, nb;
            memcpy(&na, (const char *)a + f->len_offset, sizeof na);
            memcpy(&nb, (const char *)b + f->len_offset, sizeof nb);
            if (na != nb || memcmp((const char *)a + f->offset, (const char *)b + f->offset, na)) {
                fail_msg("%s.%s: sent %zu bytes, read %zu other bytes", r->name, f->name, na, nb);
            }
        } else if (proto_field_get(f, a) != proto_field_get(f, b)) {
            fail_msg("%s.%s: sent %lld, read %lld", r->name, f->name,
                     (long long)proto_field_get(f, a), (long long)proto_field_get(f, b));
        }
    }
}

#endif /* CONTRACT_EXPECT_SAME_H */
