/*
 * fuzz_records: what a device and the tools read out of flash and files
 * (the provisioning record, the enrollment record, the firmware image header,
 * the boot record) never crashes a reader; a record that reads is written
 * back and reads again the same (the table's writer and reader agree).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json.h"
#include "proto/provisioning.h"
#include "proto/slots.h"

static void roundtrip(const proto_record_t *r, const void *obj, size_t size)
{
    static char json[8192];
    static uint8_t back[8192];
    char why[200];
    size_t len = 0;
    if (proto_json_encode_record(r, obj, r == &proto_enrollment_record, json, sizeof json, &len,
                                 why, sizeof why) != 0 ||
        proto_json_decode_record(r, json, len, back, size, why, sizeof why) != 0 ||
        memcmp(back, obj, size) != 0) {
        abort(); /* a record the reader took must write and read back as it was */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static proto_provisioning_t p;
    static proto_enrollment_t e;
    char why[200];
    if (proto_provisioning_decode((const char *)data, size, &p, why, sizeof why) == 0) {
        roundtrip(&proto_provisioning_record, &p, sizeof p);
    }
    if (proto_json_decode_record(&proto_enrollment_record, (const char *)data, size, &e, sizeof e,
                                 why, sizeof why) == 0) {
        roundtrip(&proto_enrollment_record, &e, sizeof e);
    }
    fwimg_header_t h;
    if (size >= FWIMG_HEADER_LEN) {
        (void)fwimg_header_decode(data, &h);
    }
    slots_boot_t b;
    (void)slots_boot_decode(data, size, &b);
    return 0;
}
