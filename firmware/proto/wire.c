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
#include "fw/iso8601.h"
#include "proto_priv.h"
#include "fw/hex.h"

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

const proto_field_t proto_id_field = {.name = "id",
                                      .type = PROTO_T_U64,
                                      .size = sizeof(uint64_t),
                                      .min = 1,
                                      .max = PROTO_ID_MAX,
                                      .unit = "record id",
                                      .label = ""};

/* ---- provisioning report, licence answer ------------------------------------------ */

#define PROV_FIELD(...) PROTO_FIELD(proto_prov_report_t, __VA_ARGS__)
static const proto_field_t s_prov_fields[] = {PROTO_PROV_REPORT_FIELDS(PROV_FIELD)};
const proto_record_t proto_prov_report_record = {"provisioning report", s_prov_fields,
                                                 N_OF(s_prov_fields), NULL, 0};

#define LICENCE_FIELD(...) PROTO_FIELD(proto_licence_body_t, __VA_ARGS__)
static const proto_field_t s_licence_fields[] = {PROTO_LICENCE_FIELDS(LICENCE_FIELD)};
const proto_record_t proto_licence_record = {"licence answer", s_licence_fields,
                                             N_OF(s_licence_fields), NULL, 0};
const proto_field_t proto_server_time_field = {.name = "server_time",
                                               .type = PROTO_T_I64,
                                               .size = sizeof(int64_t),
                                               .max = PROTO_INT_MAX,
                                               .unit = "unix s",
                                               .label = ""};

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
    case PROTO_T_CONST: return f->min;
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

const char *proto_field_label(const proto_field_t *f, char *buf, size_t cap)
{
    (void)snprintf(buf, cap, "%s", f->label && f->label[0] ? f->label : f->name);
    for (char *c = buf; *c; c++) {
        *c = *c == '_' ? ' ' : *c;
    }
    return buf;
}

const char *proto_field_text(const proto_field_t *f, const void *obj, char *buf, size_t cap)
{
    const char *p = (const char *)obj + f->offset;
    int64_t v = proto_field_get(f, obj);
    size_t n;
    switch (f->type) {
    case PROTO_T_STR:
        (void)snprintf(buf, cap, "%.*s", (int)strnlen(p, f->size), p);
        if (buf[0] == '\0') {
            (void)snprintf(buf, cap, "(none)");
        }
        break;
    case PROTO_T_HEX:
        memcpy(&n, (const char *)obj + f->len_offset, sizeof n);
        (void)snprintf(buf, cap, "%zu bytes", n);
        break;
    case PROTO_T_BOOL: (void)snprintf(buf, cap, "%s", v ? "yes" : "no"); break;
    case PROTO_T_KIND: {
        const char *k = proto_event_kind_name((proto_event_kind_t)v);
        (void)snprintf(buf, cap, "%s", k ? k : "unknown");
        break;
    }
    default:
        if (!(f->flags & PROTO_F_TIME)) {
            (void)snprintf(buf, cap, "%lld", (long long)v);
        } else if (v > 0) {
            (void)fw_iso8601_format(v, buf, cap);
        } else {
            (void)snprintf(buf, cap, "unknown");
        }
        break;
    }
    return buf;
}

size_t proto_record_copy(const proto_record_t *dst_r, void *dst, const proto_record_t *src_r,
                         const void *src)
{
    size_t copied = 0;
    for (size_t i = 0; i < dst_r->n; i++) {
        const proto_field_t *d = &dst_r->fields[i];
        const proto_field_t *s = proto_record_field(src_r, d->name);
        if (s == NULL || s->type != d->type || d->type == PROTO_T_CONST) {
            continue;
        }
        const char *from = (const char *)src + s->offset;
        char *to = (char *)dst + d->offset;
        if (d->type == PROTO_T_STR) {
            (void)snprintf(to, d->size, "%.*s", (int)strnlen(from, s->size), from);
        } else if (d->type == PROTO_T_HEX) {
            size_t n;
            memcpy(&n, (const char *)src + s->len_offset, sizeof n);
            n = n < d->size ? n : d->size;
            memcpy(to, from, n);
            memcpy((char *)dst + d->len_offset, &n, sizeof n);
        } else {
            proto_field_set(d, dst, proto_field_get(s, src));
        }
        copied++;
    }
    return copied;
}

/* ---- one rule per field, for text from anywhere ------------------------------------- */

#define bad(why, cap, ...) proto_fail(why, cap, FW_E_FORMAT, __VA_ARGS__)

/* A string value for field `f`: its own check first (it says best what is
 * expected), then the table's length and printable ASCII. Empty optional
 * strings are not checked further. */
static int check_string(const proto_field_t *f, const char *s, const char *ctx, char *why,
                        size_t cap)
{
    size_t n = strlen(s);
    if (n == 0 && (f->flags & PROTO_F_OPTIONAL) && f->min == 0) {
        return 0;
    }
    char reason[160];
    if (f->check && f->check(s, reason, sizeof reason) != 0) {
        bool named = proto_names_field(f, reason); /* else a check several fields share */
        return bad(why, cap, "%s%s%s%s", ctx, named ? "" : f->name, named ? "" : ": ", reason);
    }
    if ((int64_t)n < f->min || (int64_t)n > f->max || n >= f->size) {
        return bad(why, cap, "%s%s: expected %lld to %lld characters, got %zu", ctx, f->name,
                   (long long)f->min, (long long)f->max, n);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ml = (f->flags & PROTO_F_MULTILINE) && (c == '\n' || c == '\r');
        if ((c < 0x20 || c > 0x7e) && !ml) {
            return bad(why, cap, "%s%s: expected printable ASCII", ctx, f->name);
        }
    }
    return 0;
}

/* Hex digits for HEX field `f`: an even number of them, then the length. */
static int hex_text(const proto_field_t *f, void *obj, const char *s, const char *ctx, char *why,
                    size_t cap)
{
    size_t len = strlen(s), got = 0;
    if (len == 0 && (f->flags & PROTO_F_OPTIONAL)) {
        memcpy((char *)obj + f->len_offset, &got, sizeof got);
        return 0;
    }
    bool hex = len % 2 == 0 && len > 0;
    for (size_t i = 0; hex && i < len; i++) {
        hex = isxdigit((unsigned char)s[i]) != 0;
    }
    if (!hex) {
        return bad(why, cap,
                   "%s%s: expected hex digits (0-9 a-f), an even number of them: %lld to %lld "
                   "digits for %lld to %lld bytes",
                   ctx, f->name, (long long)(2 * f->min), (long long)(2 * f->max),
                   (long long)f->min, (long long)f->max);
    }
    if ((int64_t)(len / 2) < f->min || (int64_t)(len / 2) > f->max || len / 2 > f->size) {
        return bad(why, cap,
                   "%s%s: expected %lld to %lld bytes (%lld to %lld hex digits), got %zu bytes",
                   ctx, f->name, (long long)f->min, (long long)f->max, (long long)(2 * f->min),
                   (long long)(2 * f->max), len / 2);
    }
    if (fw_hex_decode(s, (uint8_t *)obj + f->offset, f->size, &got) != 0) {
        return bad(why, cap, "%s%s: expected hex digits", ctx, f->name);
    }
    memcpy((char *)obj + f->len_offset, &got, sizeof got);
    return 0;
}

/* A decimal integer in the field's range; no sign, no spaces, no junk. */
static int int_text(const proto_field_t *f, void *obj, const char *s, const char *ctx, char *why,
                    size_t cap)
{
    int64_t v = 0;
    bool ok = s[0] != '\0' && strlen(s) <= 18; /* every range is below 10^18 */
    for (const char *c = s; ok && *c; c++) {
        ok = *c >= '0' && *c <= '9';
        v = v * 10 + (*c - '0');
    }
    if (!ok || v < f->min || v > f->max) {
        return f->type == PROTO_T_CONST
                   ? bad(why, cap, "%s%s: expected %lld (%s)", ctx, f->name, (long long)f->min,
                         f->unit)
                   : bad(why, cap, "%s%s: expected an integer from %lld to %lld", ctx, f->name,
                         (long long)f->min, (long long)f->max);
    }
    proto_field_set(f, obj, v);
    return 0;
}

int proto_field_from_text(const proto_field_t *f, void *obj, const char *text, const char *ctx,
                          char *why, size_t cap)
{
    ctx = ctx ? ctx : "";
    switch (f->type) {
    case PROTO_T_STR: {
        int rc = check_string(f, text, ctx, why, cap);
        if (rc != 0) {
            return rc;
        }
        char *dst = (char *)obj + f->offset;
        size_t n = strlen(text);
        memcpy(dst, text, n + 1);
        if (f->flags & PROTO_F_LOWER) {
            for (char *c = dst; *c; c++) {
                *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
            }
        }
        return 0;
    }
    case PROTO_T_HEX: return hex_text(f, obj, text, ctx, why, cap);
    case PROTO_T_KIND: {
        proto_event_kind_t k;
        if (proto_event_kind_parse(text, &k) != 0) {
            return bad(why, cap, "%s%s: unknown kind '%.24s'", ctx, f->name, text);
        }
        proto_field_set(f, obj, (int64_t)k);
        return 0;
    }
    case PROTO_T_BOOL:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            return bad(why, cap, "%s%s: expected true or false", ctx, f->name);
        }
        proto_field_set(f, obj, text[0] == 't');
        return 0;
    default: return int_text(f, obj, text, ctx, why, cap); /* integers, CONST */
    }
}

#undef bad

/* ---- validation of a record in memory ----------------------------------------------- */

bool proto_names_field(const proto_field_t *f, const char *reason)
{
    size_t n = strlen(f->name);
    return strncmp(reason, f->name, n) == 0 && reason[n] == ':';
}

bool proto_field_is_null(const proto_field_t *f, const void *obj)
{
    if (!(f->flags & PROTO_F_NULL)) {
        return false;
    }
    if (f->type == PROTO_T_STR) {
        return ((const char *)obj)[f->offset] == '\0';
    }
    return f->type == PROTO_T_I64 && proto_field_get(f, obj) == PROTO_NULL;
}

void proto_field_set_null(const proto_field_t *f, void *obj)
{
    if (f->type == PROTO_T_STR) {
        ((char *)obj)[f->offset] = '\0';
    } else if (f->type == PROTO_T_I64) {
        proto_field_set(f, obj, PROTO_NULL);
    }
}

static int validate_field(const proto_field_t *f, const void *obj, char *why, size_t cap)
{
    const char *p = (const char *)obj + f->offset;
    if (proto_field_is_null(f, obj)) {
        return 0;
    }
    if (f->type == PROTO_T_STR) {
        if (strnlen(p, f->size) == f->size) {
            return fail(why, cap, "%s: expected %lld to %lld characters", f->name,
                        (long long)f->min, (long long)f->max);
        }
        return check_string(f, p, "", why, cap) == 0 ? 0 : FW_E_INVAL;
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
    if (f->type == PROTO_T_BOOL || f->type == PROTO_T_CONST) {
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
