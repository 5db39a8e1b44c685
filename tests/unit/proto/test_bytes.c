/*
 * The firmware image header and the boot record, made from their descriptor
 * tables (proto/bytes.h), against the bytes docs/FORMATS.md documents,
 * written out here by hand: a table edited alone (an offset, a size, a
 * field) no longer makes these bytes, and every image and boot record
 * already in the field would stop reading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fw/err.h"
#include "proto/fwimage.h"
#include "proto/slots.h"

static fwimg_header_t header(void)
{
    fwimg_header_t h;
    memset(&h, 0, sizeof h);
    h.format = FWIMG_FORMAT;
    h.version = (fwimg_version_t){0x0102, 0x0304, 0x0506};
    h.flags = 0x0708;
    h.size = 0x0a0b0c0d;
    for (int i = 0; i < 32; i++) {
        h.sha256[i] = (uint8_t)(0x40 + i);
    }
    for (int i = 0; i < 64; i++) {
        h.sig[i] = (uint8_t)(0x80 + i);
    }
    return h;
}

static void test_header_bytes(void **state)
{
    (void)state;
    uint8_t want[FWIMG_HEADER_LEN] = {'S',  'P',  'K',  'F', 'W', 'I', 'M', 'G', /* 0 magic */
                                      1,    0,                                   /* 8 format */
                                      128,  0,                       /* 10 header length */
                                      2,    1,    4,    3,   6,   5, /* 12 version */
                                      8,    7,                       /* 18 flags */
                                      0x0d, 0x0c, 0x0b, 0x0a};       /* 20 size */
    /* 24..31 reserved, zero */
    for (int i = 0; i < 32; i++) {
        want[32 + i] = (uint8_t)(0x40 + i);
    }
    for (int i = 0; i < 64; i++) {
        want[64 + i] = (uint8_t)(0x80 + i);
    }
    fwimg_header_t h = header(), back;
    uint8_t raw[FWIMG_HEADER_LEN];
    memset(raw, 0xee, sizeof raw);
    fwimg_header_encode(&h, raw);
    assert_memory_equal(raw, want, sizeof want);
    memset(&back, 0, sizeof back);
    assert_int_equal(fwimg_header_decode(raw, &back), 0);
    assert_memory_equal(&back, &h, sizeof h);
}

static void test_header_refusals(void **state)
{
    (void)state;
    fwimg_header_t h = header(), back;
    uint8_t raw[FWIMG_HEADER_LEN], bad[FWIMG_HEADER_LEN];
    fwimg_header_encode(&h, raw);
    memcpy(bad, raw, sizeof raw);
    bad[3] = 'X';
    assert_int_equal(fwimg_header_decode(bad, &back), FW_E_FORMAT);
    memcpy(bad, raw, sizeof raw);
    bad[10] = 127;
    assert_int_equal(fwimg_header_decode(bad, &back), FW_E_FORMAT);
    memcpy(bad, raw, sizeof raw);
    bad[8] = 2; /* another format: named, so sparkflash can say which */
    assert_int_equal(fwimg_header_decode(bad, &back), FW_E_UNSUPPORTED);
    assert_int_equal(back.format, 2);
    bad[10] = 127; /* a broken layout says more than an unknown format */
    assert_int_equal(fwimg_header_decode(bad, &back), FW_E_FORMAT);
    memcpy(bad, raw, sizeof raw);
    bad[24] = 1; /* reserved bytes are not read */
    assert_int_equal(fwimg_header_decode(bad, &back), 0);
    const char *field = NULL;
    memcpy(bad, raw, sizeof raw);
    bad[0] = 0;
    assert_int_equal(proto_bytes_decode(&fwimg_header_layout, bad, FWIMG_HEADER_LEN, &back, &field),
                     FW_E_FORMAT);
    assert_string_equal(field, "magic");
}

static void test_boot_record_bytes(void **state)
{
    (void)state;
    slots_boot_t b;
    memset(&b, 0, sizeof b); /* padding too: compared whole below */
    b.slot = 1;
    b.version = (fwimg_version_t){0x0102, 0x0304, 0x0506};
    b.size = 0x0a0b0c0d;
    for (int i = 0; i < 32; i++) {
        b.sha256[i] = (uint8_t)(0x40 + i);
    }
    uint8_t want[SLOTS_BOOT_RECORD_LEN] = {1, 1, 2, 1, 4, 3, 6, 5, 0x0d, 0x0c, 0x0b, 0x0a};
    for (int i = 0; i < 32; i++) {
        want[12 + i] = (uint8_t)(0x40 + i);
    }
    uint8_t raw[SLOTS_BOOT_RECORD_LEN];
    slots_boot_encode(&b, raw);
    assert_memory_equal(raw, want, sizeof want);
    slots_boot_t back;
    memset(&back, 0, sizeof back);
    assert_int_equal(slots_boot_decode(raw, sizeof raw, &back), 0);
    assert_memory_equal(&back, &b, sizeof b);
    /* not a boot record: another length, format or slot */
    assert_int_equal(slots_boot_decode(raw, sizeof raw - 1, &back), FW_E_FORMAT);
    raw[0] = 2;
    assert_int_equal(slots_boot_decode(raw, sizeof raw, &back), FW_E_FORMAT);
    raw[0] = 1;
    raw[1] = SLOTS_COUNT;
    assert_int_equal(slots_boot_decode(raw, sizeof raw, &back), FW_E_FORMAT);
}

/* Each table: fields in byte order, touching, covering the layout, each
 * member as large as its bytes. */
static void check_layout(const proto_blayout_t *l)
{
    size_t end = 0;
    for (size_t i = 0; i < l->n; i++) {
        const proto_bfield_t *f = &l->fields[i];
        if (f->at != end) {
            fail_msg("%s.%s at %zu, expected %zu", l->name, f->name, f->at, end);
        }
        if (f->member_size != 0 && f->member_size != f->size) {
            fail_msg("%s.%s: %zu bytes into a member of %zu", l->name, f->name, f->size,
                     f->member_size);
        }
        end = f->at + f->size;
    }
    assert_int_equal(end, l->len);
}

static void test_layouts_tile(void **state)
{
    (void)state;
    check_layout(&fwimg_header_layout);
    check_layout(&slots_boot_layout);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_bytes),
        cmocka_unit_test(test_header_refusals),
        cmocka_unit_test(test_boot_record_bytes),
        cmocka_unit_test(test_layouts_tile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
