/*
 * proto/bytes.h - fixed byte layouts (the firmware image header, the boot
 * record) as descriptor tables: one line per field with its offset, size,
 * name and the range a reader accepts. The packer and the parser of each
 * layout are made from its table (proto_bytes_encode/decode), and
 * docs/FORMATS.md's layout tables are checked against them
 * (test_format_schemas). All integers are little-endian.
 *
 * Pure: no HAL, no heap.
 */
#ifndef PROTO_BYTES_H
#define PROTO_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    PROTO_B_U8,    /* integer member of `size` bytes (1, 2 or 4) */
    PROTO_B_U16,   /* (the same, named for the table's reader) */
    PROTO_B_U32,   /* (the same) */
    PROTO_B_BYTES, /* `size` bytes copied as they are (a hash, a signature) */
    PROTO_B_MAGIC, /* no member: the bytes `magic`, refused otherwise */
    PROTO_B_FIXED, /* no member: the integer `min`, refused outside min..max */
    PROTO_B_ZERO,  /* no member: reserved, written as zeros, not read */
} proto_btype_t;

typedef struct {
    const char *name;
    size_t at, size; /* in the encoded bytes */
    proto_btype_t type;
    size_t member, member_size; /* in the struct (integers, BYTES) */
    uint32_t min, max;          /* integers: what a reader accepts */
    int bad;                    /* a value outside: FW_E_FORMAT, FW_E_UNSUPPORTED, or 0 */
    const char *magic;          /* PROTO_B_MAGIC */
    const char *what;           /* for people: docs/FORMATS.md */
} proto_bfield_t;

typedef struct {
    const char *name;
    const proto_bfield_t *fields;
    size_t n;
    size_t len; /* bytes of the encoded layout */
} proto_blayout_t;

/* X(name, at, size, type, member, min, max, bad, magic, what): one line
 * per field, in byte order. `member` is the struct member (version.major);
 * fields with no member (MAGIC, FIXED, ZERO) name `_`. `bad` is FORMAT,
 * UNSUPPORTED or NONE. */
#define PROTO_BAT_ONE(st, m) offsetof(st, m), sizeof(((st *)0)->m)
#define PROTO_BAT_U8 PROTO_BAT_ONE
#define PROTO_BAT_U16 PROTO_BAT_ONE
#define PROTO_BAT_U32 PROTO_BAT_ONE
#define PROTO_BAT_BYTES PROTO_BAT_ONE
#define PROTO_BAT_MAGIC(st, m) 0, 0
#define PROTO_BAT_FIXED(st, m) 0, 0
#define PROTO_BAT_ZERO(st, m) 0, 0
#define PROTO_BAD_FORMAT FW_E_FORMAT
#define PROTO_BAD_UNSUPPORTED FW_E_UNSUPPORTED
#define PROTO_BAD_NONE 0
#define PROTO_BFIELD(st, fname, fat, fsize, ftype, m, lo, hi, fbad, fmagic, fwhat)                 \
    {#fname,                                                                                       \
     fat,                                                                                          \
     fsize,                                                                                        \
     PROTO_B_##ftype,                                                                              \
     PROTO_BAT_##ftype(st, m),                                                                     \
     (uint32_t)(lo),                                                                               \
     (uint32_t)(hi),                                                                               \
     PROTO_BAD_##fbad,                                                                             \
     fmagic,                                                                                       \
     fwhat},

/* Write `obj` as the layout's len bytes into `out`. */
void proto_bytes_encode(const proto_blayout_t *l, const void *obj, uint8_t *out);

/* Read `len` bytes (which must be exactly l->len) into `obj`. Every member
 * is filled even when a field is out of its range (a caller may name the
 * value it refuses). 0; FW_E_FORMAT (wrong length, magic, or a field whose
 * `bad` is FW_E_FORMAT out of range); else FW_E_UNSUPPORTED (a version out
 * of range). `*field` (if given) gets the first refused field's name. */
int proto_bytes_decode(const proto_blayout_t *l, const uint8_t *in, size_t len, void *obj,
                       const char **field);

#endif /* PROTO_BYTES_H */
