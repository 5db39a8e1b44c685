/*
 * The provisioning and enrollment records: their tables, and codecs made of
 * proto/json.h's writer and reader. Everything read here came out of flash
 * or a file, so it is treated as hostile: every field is bounded and checked
 * (by the table) before it is used.
 */
#include "proto/provisioning.h"

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

int proto_provisioning_encode(const proto_provisioning_t *p, char *buf, size_t cap, size_t *len,
                              char *why, size_t why_cap)
{
    return proto_json_encode_record(&proto_provisioning_record, p, false, buf, cap, len, why,
                                    why_cap);
}

int proto_provisioning_decode(const char *buf, size_t len, proto_provisioning_t *out, char *why,
                              size_t why_cap)
{
    return proto_json_decode_record(&proto_provisioning_record, buf, len, out, sizeof *out, why,
                                    why_cap);
}
