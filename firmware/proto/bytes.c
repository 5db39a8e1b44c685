/*
 * Fixed byte layouts from their descriptor tables (proto/bytes.h). Bytes are
 * read field by field, never cast onto a struct: they come from a file or a
 * flash slot and are hostile until checked.
 */
#include "proto/bytes.h"

#include <string.h>

#include "fw/err.h"

static uint32_t get_le(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = n; i > 0; i--) {
        v = v << 8 | p[i - 1];
    }
    return v;
}

static void put_le(uint8_t *p, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++, v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

/* An integer member of 1, 2 or 4 bytes. */
static uint32_t member_get(const proto_bfield_t *f, const void *obj)
{
    const uint8_t *m = (const uint8_t *)obj + f->member;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    switch (f->member_size) {
    case 1: memcpy(&u8, m, 1); return u8;
    case 2: memcpy(&u16, m, 2); return u16;
    default: memcpy(&u32, m, 4); return u32;
    }
}

static void member_set(const proto_bfield_t *f, void *obj, uint32_t v)
{
    uint8_t *m = (uint8_t *)obj + f->member;
    uint8_t u8 = (uint8_t)v;
    uint16_t u16 = (uint16_t)v;
    switch (f->member_size) {
    case 1: memcpy(m, &u8, 1); break;
    case 2: memcpy(m, &u16, 2); break;
    default: memcpy(m, &v, 4); break;
    }
}

void proto_bytes_encode(const proto_blayout_t *l, const void *obj, uint8_t *out)
{
    memset(out, 0, l->len);
    for (size_t i = 0; i < l->n; i++) {
        const proto_bfield_t *f = &l->fields[i];
        uint8_t *p = out + f->at;
        switch (f->type) {
        case PROTO_B_MAGIC: memcpy(p, f->magic, f->size); break;
        case PROTO_B_FIXED: put_le(p, f->size, f->min); break;
        case PROTO_B_ZERO: break;
        case PROTO_B_BYTES: memcpy(p, (const uint8_t *)obj + f->member, f->size); break;
        default: put_le(p, f->size, member_get(f, obj)); break;
        }
    }
}

int proto_bytes_decode(const proto_blayout_t *l, const uint8_t *in, size_t len, void *obj,
                       const char **field)
{
    if (len != l->len) {
        if (field) {
            *field = "length";
        }
        return FW_E_FORMAT;
    }
    int rc = 0;
    for (size_t i = 0; i < l->n; i++) {
        const proto_bfield_t *f = &l->fields[i];
        const uint8_t *p = in + f->at;
        int bad = 0;
        uint32_t v = f->type == PROTO_B_BYTES || f->type == PROTO_B_MAGIC ? 0 : get_le(p, f->size);
        switch (f->type) {
        case PROTO_B_MAGIC: bad = memcmp(p, f->magic, f->size) != 0 ? f->bad : 0; break;
        case PROTO_B_ZERO: break;
        case PROTO_B_BYTES: memcpy((uint8_t *)obj + f->member, p, f->size); break;
        default:
            bad = v < f->min || v > f->max ? f->bad : 0;
            if (f->type != PROTO_B_FIXED) {
                member_set(f, obj, v);
            }
            break;
        }
        /* A broken layout (FORMAT) says more than an unknown version. */
        if (bad != 0 && (rc == 0 || (rc != FW_E_FORMAT && bad == FW_E_FORMAT))) {
            rc = bad;
            if (field) {
                *field = f->name;
            }
        }
    }
    return rc;
}
