/*
 * The provisioning and enrollment records: their tables, and codecs made of
 * proto/json.h's writer and reader. Everything read here came out of flash
 * or a file, so it is treated as hostile: every field is bounded and checked
 * (by the table) before it is used.
 */
#include "proto/provisioning.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "fw/err.h"
#include "proto/json.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define PROVISIONING_FIELD(...) PROTO_FIELD(proto_provisioning_t, __VA_ARGS__)
static const proto_field_t s_provisioning_fields[] = {
    PROTO_PROVISIONING_FIELDS(PROVISIONING_FIELD)};
const proto_record_t proto_provisioning_record = {"provisioning record", s_provisioning_fields,
                                                  N_OF(s_provisioning_fields), NULL, 0};

#define ENROLLMENT_FIELD(...) PROTO_FIELD(proto_enrollment_t, __VA_ARGS__)
static const proto_field_t s_enrollment_fields[] = {PROTO_ENROLLMENT_FIELDS(ENROLLMENT_FIELD)};
const proto_record_t proto_enrollment_record = {"enrollment record", s_enrollment_fields,
                                                N_OF(s_enrollment_fields), NULL, 0};

int proto_provisioning_validate(const proto_provisioning_t *p, char *why, size_t cap)
{
    return proto_record_validate(&proto_provisioning_record, p, why, cap);
}

/* Validate `obj`, then write it with `write` into buf[cap]. */
static int encode(const proto_record_t *r, const void *obj,
                  void (*write)(proto_writer_t *, const proto_record_t *, const void *), char *buf,
                  size_t cap, size_t *len, char *why, size_t why_cap)
{
    int rc = proto_record_validate(r, obj, why, why_cap);
    if (rc != 0) {
        return rc;
    }
    proto_writer_t w;
    proto_writer_init(&w, buf, cap);
    write(&w, r, obj);
    if (w.overflow) {
        return FW_E_NOSPACE;
    }
    *len = w.len;
    return 0;
}

/* Parse and read every field of `r` into `out` (zeroed first). Strings of
 * secret fields are wiped inside cJSON before it frees them. */
static int decode(const proto_record_t *r, const char *buf, size_t len, void *out, size_t size,
                  char *why, size_t why_cap)
{
    memset(out, 0, size);
    cJSON *o = NULL;
    int rc = proto_json_parse_named(buf, len, "record", &o, why, why_cap);
    if (rc == 0) {
        rc = proto_json_read(o, r, out, "", why, why_cap);
    }
    proto_json_delete_wiped(o, r);
    return rc != 0 ? FW_E_FORMAT : 0;
}

int proto_provisioning_encode(const proto_provisioning_t *p, char *buf, size_t cap, size_t *len,
                              char *why, size_t why_cap)
{
    return encode(&proto_provisioning_record, p, proto_w_object, buf, cap, len, why, why_cap);
}

int proto_provisioning_decode(const char *buf, size_t len, proto_provisioning_t *out, char *why,
                              size_t why_cap)
{
    return decode(&proto_provisioning_record, buf, len, out, sizeof *out, why, why_cap);
}

int proto_enrollment_encode(const proto_enrollment_t *e, char *buf, size_t cap, size_t *len,
                            char *why, size_t why_cap)
{
    return encode(&proto_enrollment_record, e, proto_w_object_lines, buf, cap, len, why, why_cap);
}

int proto_enrollment_decode(const char *buf, size_t len, proto_enrollment_t *out, char *why,
                            size_t why_cap)
{
    return decode(&proto_enrollment_record, buf, len, out, sizeof *out, why, why_cap);
}
