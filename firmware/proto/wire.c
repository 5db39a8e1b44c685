/*
 * The wire tables: proto/wire.h's X-macro lists turned into descriptor
 * arrays, plus what every side needs to walk them.
 */
#include "proto/wire.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "proto_priv.h"
#include "fw/hex.h"

#define PROTO_FIELD(rtype, fname, ctype, dim, ftype, lo, hi, unit, flags, check, merge)            \
    {#fname, PROTO_T_##ftype, offsetof(rtype, fname), sizeof(((rtype *)0)->fname),                 \
     0,      (int64_t)(lo),   (int64_t)(hi),          unit,                                        \
     flags,  check,           PROTO_MERGE_##merge},
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- usage ------------------------------------------------------------------ */

#define USAGE_FIELD(...) PROTO_FIELD(proto_usage_t, __VA_ARGS__)
static const proto_field_t s_usage_fields[] = {PROTO_USAGE_FIELDS(USAGE_FIELD)};

static int usage_check(const void *obj, char *why, size_t cap)
{
    const proto_usage_t *u = obj;
    if (u->end < u->start) {
        (void)snprintf(why, cap, "end: before start");
        return FW_E_INVAL;
    }
    return 0;
}

const proto_record_t proto_usage_record = {"usage record", s_usage_fields, N_OF(s_usage_fields),
                                           usage_check, 1 /* end */};

/* ---- events ------------------------------------------------------------------ */

static const struct {
    proto_event_kind_t kind;
    const char *name;
} s_kinds[] = {
#define KIND_ROW(e, code, wire) {PROTO_EV_##e, wire},
    PROTO_EVENT_KINDS(KIND_ROW)
#undef KIND_ROW
};

const char *proto_event_kind_name(proto_event_kind_t kind)
{
    for (size_t i = 0; i < N_OF(s_kinds); i++) {
        if (s_kinds[i].kind == kind) {
            return s_kinds[i].name;
        }
    }
    return NULL;
}

int proto_event_kind_parse(const char *name, proto_event_kind_t *out)
{
    for (size_t i = 0; name && i < N_OF(s_kinds); i++) {
        if (strcmp(name, s_kinds[i].name) == 0) {
            *out = s_kinds[i].kind;
            return 0;
        }
    }
    return FW_E_FORMAT;
}

size_t proto_event_kind_count(void)
{
    return N_OF(s_kinds);
}

proto_event_kind_t proto_event_kind_at(size_t i)
{
    return i < N_OF(s_kinds) ? s_kinds[i].kind : (proto_event_kind_t)0;
}

#define EVENT_FIELD(...) PROTO_FIELD(proto_event_t, __VA_ARGS__)
static const proto_field_t s_event_fields[] = {PROTO_EVENT_FIELDS(EVENT_FIELD)};
const proto_record_t proto_event_record = {"event", s_event_fields, N_OF(s_event_fields), NULL, 0};

/* ---- batch head, element id ----------------------------------------------------- */

#define BATCH_FIELD(...) PROTO_FIELD(proto_batch_head_t, __VA_ARGS__)
static const proto_field_t s_batch_fields[] = {PROTO_BATCH_FIELDS(BATCH_FIELD)};
const proto_record_t proto_batch_record = {"batch", s_batch_fields, N_OF(s_batch_fields), NULL, 0};

const proto_field_t proto_id_field = {
    "id",        PROTO_T_U64, 0,    sizeof(uint64_t), 0, 1, PROTO_ID_MAX,
    "record id", 0,           NULL, PROTO_MERGE_NONE};

/* ---- provisioning report, licence answer ------------------------------------------ */

#define PROV_FIELD(...) PROTO_FIELD(proto_prov_report_t, __VA_ARGS__)
static const proto_field_t s_prov_fields[] = {PROTO_PROV_REPORT_FIELDS(PROV_FIELD)};
const proto_record_t proto_prov_report_record = {"provisioning report", s_prov_fields,
                                                 N_OF(s_prov_fields), NULL, 0};

#define LICENCE_FIELD(...) PROTO_FIELD(proto_licence_body_t, __VA_ARGS__)
static const proto_field_t s_licence_fields[] = {PROTO_LICENCE_FIELDS(LICENCE_FIELD)};
const proto_record_t proto_licence_record = {"licence answer", s_licence_fields,
                                             N_OF(s_licence_fields), NULL, 0};
const proto_field_t proto_server_time_field = {
    "server_time", PROTO_T_I64, 0,    sizeof(int64_t), 0, 0, PROTO_INT_MAX,
    "unix s",      0,           NULL, PROTO_MERGE_NONE};

/* ---- checks ------------------------------------------------------------------------ */

#define fail(why, cap, ...) proto_fail(why, cap, FW_E_INVAL, __VA_ARGS__)

int proto_check_mac(const char *s, char *why, size_t cap)
{
    uint8_t b[6];
    return fw_mac_parse(s, b) == 0
               ? 0
               : fail(why, cap, "mac: expected six hex pairs separated by ':' (aa:bb:cc:dd:ee:ff)");
}

int proto_check_token(const char *s, char *why, size_t cap)
{
    for (; *s; s++) {
        if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_' || *s == '.')) {
            return fail(why, cap, "token: expected base64url characters and dots");
        }
    }
    return 0;
}

/* ---- generic access ------------------------------------------------------------------ */

int64_t proto_field_get(const proto_field_t *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    int64_t i64;
    uint64_t u64;
    uint32_t u32;
    proto_event_kind_t k;
    bool b;
    switch (f->type) {
    case PROTO_T_I64: memcpy(&i64, p, sizeof i64); return i64;
    case PROTO_T_U64:
        memcpy(&u64, p, sizeof u64);
        return u64 > INT64_MAX ? INT64_MAX : (int64_t)u64;
    case PROTO_T_U32: memcpy(&u32, p, sizeof u32); return u32;
    case PROTO_T_KIND: memcpy(&k, p, sizeof k); return (int64_t)k;
    case PROTO_T_BOOL: memcpy(&b, p, sizeof b); return b;
    default: return 0;
    }
}

void proto_field_set(const proto_field_t *f, void *obj, int64_t v)
{
    char *p = (char *)obj + f->offset;
    uint64_t u64 = (uint64_t)v;
    uint32_t u32 = (uint32_t)v;
    proto_event_kind_t k = (proto_event_kind_t)v;
    bool b = v != 0;
    switch (f->type) {
    case PROTO_T_I64: memcpy(p, &v, sizeof v); break;
    case PROTO_T_U64: memcpy(p, &u64, sizeof u64); break;
    case PROTO_T_U32: memcpy(p, &u32, sizeof u32); break;
    case PROTO_T_KIND: memcpy(p, &k, sizeof k); break;
    case PROTO_T_BOOL: memcpy(p, &b, sizeof b); break;
    default: break;
    }
}

const proto_field_t *proto_record_field(const proto_record_t *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->fields[i].name, name) == 0) {
            return &r->fields[i];
        }
    }
    return NULL;
}

static bool text_ok(const char *s, size_t n, bool multiline)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 || c > 0x7e) && !(multiline && (c == '\n' || c == '\r'))) {
            return false;
        }
    }
    return true;
}

static int validate_field(const proto_field_t *f, const void *obj, char *why, size_t cap)
{
    const char *p = (const char *)obj + f->offset;
    if (f->type == PROTO_T_STR) {
        size_t n = strnlen(p, f->size);
        if (n == f->size || (int64_t)n < f->min || (int64_t)n > f->max) {
            return fail(why, cap, "%s: expected %lld to %lld characters", f->name,
                        (long long)f->min, (long long)f->max);
        }
        if (!text_ok(p, n, (f->flags & PROTO_F_MULTILINE) != 0)) {
            return fail(why, cap, "%s: expected printable ASCII", f->name);
        }
        return f->check && (n > 0 || !(f->flags & PROTO_F_OPTIONAL)) ? f->check(p, why, cap) : 0;
    }
    if (f->type == PROTO_T_HEX) {
        size_t n;
        memcpy(&n, (const char *)obj + f->len_offset, sizeof n);
        if (n == 0 && (f->flags & PROTO_F_OPTIONAL)) {
            return 0;
        }
        if (n > f->size || (int64_t)n < f->min || (int64_t)n > f->max) {
            return fail(why, cap, "%s: expected %lld to %lld bytes, got %zu", f->name,
                        (long long)f->min, (long long)f->max, n);
        }
        return 0;
    }
    if (f->type == PROTO_T_KIND) {
        return proto_event_kind_name((proto_event_kind_t)proto_field_get(f, obj))
                   ? 0
                   : fail(why, cap, "%s: unknown kind", f->name);
    }
    if (f->type == PROTO_T_BOOL) {
        return 0;
    }
    int64_t v = proto_field_get(f, obj);
    bool big = f->type == PROTO_T_U64 && *(const uint64_t *)(const void *)p > (uint64_t)INT64_MAX;
    if (big || v < f->min || v > f->max) {
        return fail(why, cap, "%s: expected an integer from %lld to %lld", f->name,
                    (long long)f->min, (long long)f->max);
    }
    return 0;
}

int proto_record_validate(const proto_record_t *r, const void *obj, char *why, size_t cap)
{
    for (size_t i = 0; i < r->n; i++) {
        int rc = validate_field(&r->fields[i], obj, why, cap);
        if (rc != 0) {
            return FW_E_INVAL;
        }
    }
    return r->check ? r->check(obj, why, cap) : 0;
}
