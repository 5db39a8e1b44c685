/*
 * JSON bodies from the wire tables. The writer prints by hand into the
 * caller's buffer (no heap, exact 64-bit integers); the reader uses cJSON,
 * whose numbers are doubles: every number is checked to be integral and in
 * range *before* it is converted, so 1.5, -1 or 1e300 never become plausible
 * counters (ranges stay within 2^53, where doubles are exact).
 */
#include "proto/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/zeroize.h"
#include "proto_priv.h"

#define bad(why, cap, ...) proto_fail(why, cap, FW_E_FORMAT, __VA_ARGS__)

/* ---- writer ------------------------------------------------------------------ */

void proto_writer_init(proto_writer_t *w, char *buf, size_t cap)
{
    *w = (proto_writer_t){buf, cap, 0, 0, cap == 0};
}

void proto_w_printf(proto_writer_t *w, const char *fmt, ...)
{
    if (w->overflow) {
        return;
    }
    size_t room = w->cap - w->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->buf + w->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        w->overflow = true;
        return;
    }
    w->len += (size_t)n;
}

void proto_w_string(proto_writer_t *w, const char *s)
{
    proto_w_printf(w, "\"");
    for (; s && *s && !w->overflow; s++) {
        unsigned char c = (unsigned char)*s;
        const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (c == '"' || c == '\\') {
            proto_w_printf(w, "\\%c", c);
        } else if (esc != NULL) {
            proto_w_printf(w, "%s", esc); /* as cJSON writes them: PEM text reads back */
        } else if (c < 0x20) {
            proto_w_printf(w, "\\u%04x", c);
        } else {
            proto_w_printf(w, "%c", c);
        }
    }
    proto_w_printf(w, "\"");
}

static void w_value(proto_writer_t *w, const proto_field_t *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    if (proto_field_is_null(f, obj)) {
        proto_w_printf(w, "null");
        return;
    }
    switch (f->type) {
    case PROTO_T_STR: proto_w_string(w, p); break;
    case PROTO_T_KIND: {
        const char *name = proto_event_kind_name((proto_event_kind_t)proto_field_get(f, obj));
        proto_w_string(w, name ? name : "");
        break;
    }
    case PROTO_T_BOOL: proto_w_printf(w, "%s", proto_field_get(f, obj) ? "true" : "false"); break;
    case PROTO_T_HEX: {
        size_t n;
        memcpy(&n, (const char *)obj + f->len_offset, sizeof n);
        proto_w_printf(w, "\"");
        for (size_t i = 0; i < n && i < f->size; i++) {
            proto_w_printf(w, "%02x", (unsigned)(uint8_t)p[i]);
        }
        proto_w_printf(w, "\"");
        break;
    }
    case PROTO_T_U64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        proto_w_printf(w, "%" PRIu64, v);
        break;
    }
    case PROTO_T_CONST: proto_w_printf(w, "%" PRId64, f->min); break;
    default: proto_w_printf(w, "%" PRId64, proto_field_get(f, obj)); break;
    }
}

static bool is_zero(const proto_field_t *f, const void *obj)
{
    if (f->type == PROTO_T_STR) {
        return ((const char *)obj)[f->offset] == '\0';
    }
    return f->type != PROTO_T_HEX && proto_field_get(f, obj) == 0;
}

/* The members, each after `sep` (but the first when !comma), `colon`
 * between name and value. */
static void w_members(proto_writer_t *w, const proto_record_t *r, const void *obj, bool comma,
                      const char *sep, const char *colon)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if ((f->flags & PROTO_F_NONZERO) && is_zero(f, obj)) {
            continue;
        }
        proto_w_printf(w, "%s\"%s\":%s", comma ? sep : "", f->name, colon);
        w_value(w, f, obj);
        comma = true;
    }
}

void proto_w_fields(proto_writer_t *w, const proto_record_t *r, const void *obj, bool comma)
{
    w_members(w, r, obj, comma, ",", "");
}

void proto_w_object(proto_writer_t *w, const proto_record_t *r, const void *obj)
{
    proto_w_printf(w, "{");
    proto_w_fields(w, r, obj, false);
    proto_w_printf(w, "}");
}

void proto_w_object_lines(proto_writer_t *w, const proto_record_t *r, const void *obj)
{
    proto_w_printf(w, "{\n\t");
    w_members(w, r, obj, false, ",\n\t", "\t");
    proto_w_printf(w, "\n}");
}

/* ---- reader ------------------------------------------------------------------ */

int proto_json_parse_named(const char *json, size_t len, const char *what, cJSON **out, char *why,
                           size_t cap)
{
    *out = NULL;
    if (json == NULL || len == 0) {
        return bad(why, cap, "%s: empty, expected a JSON object", what);
    }
    if (len > PROTO_BODY_MAX) {
        (void)bad(why, cap, "%s of %zu bytes: at most %u allowed", what, len, PROTO_BODY_MAX);
        return FW_E_TOOBIG;
    }
    if (memchr(json, '\0', len) != NULL) {
        return bad(why, cap, "%s: contains a NUL byte", what);
    }
    /* A literal backslash followed by u0000 is refused too: conservative, and
     * no legitimate body contains it. */
    for (size_t i = 0; i + 6 <= len; i++) {
        if (json[i] == '\\' && memcmp(json + i + 1, "u0000", 5) == 0) {
            return bad(why, cap, "%s: \\u0000 is not allowed in strings", what);
        }
    }
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (root == NULL) {
        return bad(why, cap, "%s: not valid JSON", what);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return bad(why, cap, "%s: expected a JSON object", what);
    }
    *out = root;
    return 0;
}

int proto_json_parse_object(const char *json, size_t len, cJSON **out, char *why, size_t cap)
{
    return proto_json_parse_named(json, len, "body", out, why, cap);
}

bool proto_json_add_field(cJSON *o, const proto_field_t *f, const void *obj)
{
    const char *p = (const char *)obj + f->offset;
    switch (f->type) {
    case PROTO_T_STR: return cJSON_AddStringToObject(o, f->name, p) != NULL;
    case PROTO_T_HEX: return false;
    case PROTO_T_BOOL: return cJSON_AddBoolToObject(o, f->name, proto_field_get(f, obj)) != NULL;
    case PROTO_T_KIND: {
        const char *k = proto_event_kind_name((proto_event_kind_t)proto_field_get(f, obj));
        return cJSON_AddStringToObject(o, f->name, k ? k : "unknown") != NULL;
    }
    default: return cJSON_AddNumberToObject(o, f->name, (double)proto_field_get(f, obj)) != NULL;
    }
}

void proto_json_delete_wiped(cJSON *o, const proto_record_t *r)
{
    for (const cJSON *c = o != NULL ? o->child : NULL; c != NULL; c = c->next) {
        const proto_field_t *f = c->string != NULL ? proto_record_field(r, c->string) : NULL;
        if (f != NULL && (f->flags & PROTO_F_SECRET) && cJSON_IsString(c) && c->valuestring) {
            fw_zeroize(c->valuestring, strlen(c->valuestring));
        }
    }
    cJSON_Delete(o);
}

int proto_json_member(const cJSON *o, const char *ctx, const char *name, bool optional,
                      const cJSON **item, char *why, size_t cap)
{
    const cJSON *found = NULL;
    for (const cJSON *c = o->child; c != NULL; c = c->next) {
        if (c->string != NULL && strcmp(c->string, name) == 0) {
            if (found != NULL) {
                return bad(why, cap, "%s%s: given more than once", ctx, name);
            }
            found = c;
        }
    }
    if (found == NULL && !optional) {
        return bad(why, cap, "%s%s: missing", ctx, name);
    }
    *item = found;
    return 0;
}

int proto_json_read_field(const cJSON *o, const proto_field_t *f, void *obj, const char *ctx,
                          char *why, size_t cap)
{
    const cJSON *it;
    int rc = proto_json_member(o, ctx, f->name, (f->flags & PROTO_F_OPTIONAL) != 0, &it, why, cap);
    if (rc != 0 || it == NULL) {
        return rc;
    }
    if ((f->flags & PROTO_F_NULL) && cJSON_IsNull(it)) {
        proto_field_set_null(f, obj);
        return 0;
    }
    switch (f->type) {
    case PROTO_T_STR:
    case PROTO_T_KIND:
    case PROTO_T_HEX:
        if (!cJSON_IsString(it) || it->valuestring == NULL) {
            return bad(why, cap, "%s%s: expected a string", ctx, f->name);
        }
        return proto_field_from_text(f, obj, it->valuestring, ctx, why, cap);
    case PROTO_T_BOOL:
        if (!cJSON_IsBool(it)) {
            return bad(why, cap, "%s%s: expected true or false", ctx, f->name);
        }
        proto_field_set(f, obj, cJSON_IsTrue(it));
        return 0;
    default: break;
    }
    if (!cJSON_IsNumber(it)) {
        return bad(why, cap, "%s%s: expected an integer", ctx, f->name);
    }
    double v = it->valuedouble;
    if (f->type == PROTO_T_CONST && v != (double)f->min) {
        return bad(why, cap, "%s%s: expected %lld (%s)", ctx, f->name, (long long)f->min, f->unit);
    }
    if (!isfinite(v) || v != floor(v) || v < (double)f->min || v > (double)f->max) {
        return bad(why, cap, "%s%s: expected an integer from %lld to %lld", ctx, f->name,
                   (long long)f->min, (long long)f->max);
    }
    proto_field_set(f, obj, (int64_t)v);
    return 0;
}

int proto_json_read(const cJSON *o, const proto_record_t *r, void *obj, const char *ctx, char *why,
                    size_t cap)
{
    char reason[160];
    for (size_t i = 0; i < r->n; i++) {
        int rc = proto_json_read_field(o, &r->fields[i], obj, ctx, why, cap);
        if (rc != 0) {
            return rc;
        }
        if (r->check && i == r->check_after && r->check(obj, reason, sizeof reason) != 0) {
            return bad(why, cap, "%s%s", ctx, reason);
        }
    }
    return 0;
}

/* ---- whole records ------------------------------------------------------------ */

int proto_json_encode_record(const proto_record_t *r, const void *obj, bool lines, char *buf,
                             size_t cap, size_t *len, char *why, size_t why_cap)
{
    int rc = proto_record_validate(r, obj, why, why_cap);
    if (rc != 0) {
        return rc;
    }
    proto_writer_t w;
    proto_writer_init(&w, buf, cap);
    (lines ? proto_w_object_lines : proto_w_object)(&w, r, obj);
    if (w.overflow) {
        return FW_E_NOSPACE;
    }
    *len = w.len;
    return 0;
}

int proto_json_decode_record(const proto_record_t *r, const char *buf, size_t len, void *obj,
                             size_t size, char *why, size_t why_cap)
{
    memset(obj, 0, size);
    cJSON *o = NULL;
    int rc = proto_json_parse_named(buf, len, "record", &o, why, why_cap);
    if (rc == 0) {
        rc = proto_json_read(o, r, obj, "", why, why_cap);
    }
    proto_json_delete_wiped(o, r);
    return rc != 0 ? FW_E_FORMAT : 0;
}
