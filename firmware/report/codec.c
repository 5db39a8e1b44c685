/*
 * Wire bodies and queue items.
 *
 * Bodies are written from the tables of proto/wire.h by proto/json.h's writer
 * (no heap, exact 64-bit integers; a batch stops at the first element that
 * does not fit). The collector's answers are read with cJSON, bounded by the
 * length given, every number checked against its field's range before it is
 * converted. Queue items on flash hold the usage fields in table order.
 */
#include "report/codec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fw/err.h"

#define ITEM_VERSION 1u
#define ITEM_HDR 4u
/* id, cover_from, then the usage fields in table order, little-endian. */
#define ITEM_FIELD_BYTES(name, ctype, ...) +sizeof(ctype)
#define ITEM_USAGE_LEN (ITEM_HDR + 8u + 8u + (0u PROTO_USAGE_FIELDS(ITEM_FIELD_BYTES)))
#define ITEM_EVENT_MIN (ITEM_HDR + 8u + 8u + 2u)

const char *report_event_kind_name(report_event_kind_t kind)
{
    return proto_event_kind_name(kind);
}

int report_event_kind_parse(const char *name, report_event_kind_t *out)
{
    return proto_event_kind_parse(name, out);
}

/* Detail text and tokens are printable ASCII: they end up in logs, a
 * database and a support screen, and need no UTF-8 validation anywhere. */
static bool detail_ok(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)d[i] < 0x20 || (unsigned char)d[i] > 0x7E) {
            return false;
        }
    }
    return true;
}

/* ---- queue items -------------------------------------------------------- */

static void put_u32(uint8_t **p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) {
        *(*p)++ = (uint8_t)(v >> (8 * i));
    }
}

static void put_u64(uint8_t **p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++) {
        *(*p)++ = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get_u32(const uint8_t **p)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) {
        v |= (uint32_t)(*(*p)++) << (8 * i);
    }
    return v;
}

static uint64_t get_u64(const uint8_t **p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)(*(*p)++) << (8 * i);
    }
    return v;
}

static bool item_valid(const report_item_t *it)
{
    if (it->id == 0 || it->id > REPORT_ID_MAX) {
        return false;
    }
    char why[96];
    if (it->kind == REPORT_ITEM_USAGE) {
        return it->cover_from >= 1 && it->cover_from <= it->id &&
               proto_record_validate(&proto_usage_record, &it->usage, why, sizeof why) == 0;
    }
    if (it->kind == REPORT_ITEM_EVENT) {
        return proto_record_validate(&proto_event_record, &it->event, why, sizeof why) == 0;
    }
    return false;
}

/* The usage fields of a queue item, in table order: 8 bytes for 64-bit
 * fields, 4 for 32-bit ones. */
static void put_usage(uint8_t **p, const report_usage_t *u)
{
    for (size_t i = 0; i < proto_usage_record.n; i++) {
        const proto_field_t *f = &proto_usage_record.fields[i];
        uint64_t v = (uint64_t)proto_field_get(f, u);
        if (f->size == 4) {
            put_u32(p, (uint32_t)v);
        } else {
            put_u64(p, v);
        }
    }
}

static void get_usage(const uint8_t **p, report_usage_t *u)
{
    for (size_t i = 0; i < proto_usage_record.n; i++) {
        const proto_field_t *f = &proto_usage_record.fields[i];
        uint64_t v = f->size == 4 ? get_u32(p) : get_u64(p);
        /* above INT64_MAX: item_valid() refuses it after the clamp */
        proto_field_set(f, u, v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v);
    }
}

int report_item_encode(const report_item_t *it, uint8_t *buf, size_t cap, size_t *len)
{
    if (!it || !buf || !len || !item_valid(it)) {
        return FW_E_INVAL;
    }
    size_t dlen = it->kind == REPORT_ITEM_EVENT ? strlen(it->event.detail) : 0;
    size_t need = it->kind == REPORT_ITEM_USAGE ? ITEM_USAGE_LEN : ITEM_EVENT_MIN + dlen;
    if (cap < need) {
        return FW_E_NOSPACE;
    }
    uint8_t *p = buf;
    *p++ = ITEM_VERSION;
    *p++ = (uint8_t)it->kind;
    *p++ = 0;
    *p++ = 0;
    put_u64(&p, it->id);
    if (it->kind == REPORT_ITEM_USAGE) {
        put_u64(&p, it->cover_from);
        put_usage(&p, &it->usage);
    } else {
        put_u64(&p, (uint64_t)it->event.t);
        *p++ = (uint8_t)it->event.kind;
        *p++ = (uint8_t)dlen;
        memcpy(p, it->event.detail, dlen);
        p += dlen;
    }
    *len = (size_t)(p - buf);
    return 0;
}

int report_item_decode(const uint8_t *buf, size_t len, report_item_t *out)
{
    if (!buf || !out || len < ITEM_HDR + 8u || buf[0] != ITEM_VERSION || buf[2] || buf[3]) {
        return FW_E_FORMAT;
    }
    report_item_t it = {0};
    it.kind = (report_item_kind_t)buf[1];
    const uint8_t *p = buf + ITEM_HDR;
    it.id = get_u64(&p);
    if (it.kind == REPORT_ITEM_USAGE) {
        if (len != ITEM_USAGE_LEN) {
            return FW_E_FORMAT;
        }
        it.cover_from = get_u64(&p);
        get_usage(&p, &it.usage);
    } else if (it.kind == REPORT_ITEM_EVENT) {
        if (len < ITEM_EVENT_MIN) {
            return FW_E_FORMAT;
        }
        it.event.t = (int64_t)get_u64(&p);
        it.event.kind = (report_event_kind_t)*p++;
        size_t dlen = *p++;
        if (dlen > REPORT_DETAIL_MAX || len != ITEM_EVENT_MIN + dlen ||
            !detail_ok((const char *)p, dlen)) { /* an embedded NUL would shorten it */
            return FW_E_FORMAT;
        }
        memcpy(it.event.detail, p, dlen);
        it.event.detail[dlen] = '\0';
        it.cover_from = it.id;
    } else {
        return FW_E_FORMAT;
    }
    if (!item_valid(&it)) {
        return FW_E_FORMAT;
    }
    *out = it;
    return 0;
}

/* ---- request bodies (proto/json.h writes the tables) ---------------------------- */

int report_encode_prov(const report_prov_t *p, char *buf, size_t cap, size_t *len)
{
    char why[96];
    if (!p || !buf || !len ||
        proto_record_validate(&proto_prov_report_record, p, why, sizeof why) != 0) {
        return FW_E_INVAL;
    }
    proto_writer_t w;
    proto_writer_init(&w, buf, cap);
    proto_w_object(&w, &proto_prov_report_record, p);
    if (w.overflow) {
        return FW_E_NOSPACE;
    }
    *len = w.len;
    return 0;
}

void report_batch_open(report_writer_t *w, char *buf, size_t cap, const proto_batch_head_t *head,
                       bool usage)
{
    proto_writer_init(w, buf, cap);
    proto_w_printf(w, "{");
    proto_w_fields(w, &proto_batch_record, head, false);
    proto_w_printf(w, ",\"%s\":[", usage ? PROTO_USAGE_ARRAY : PROTO_EVENTS_ARRAY);
}

void report_batch_begin(report_writer_t *w, char *buf, size_t cap, const char *serial, bool usage)
{
    proto_batch_head_t head = {.gen = 0};
    (void)snprintf(head.serial, sizeof head.serial, "%s", serial ? serial : "");
    report_batch_open(w, buf, cap, &head, usage);
}

/* Room kept for the closing "]}" so an element never strands the body. */
#define CLOSING 2u

static int element_done(report_writer_t *w, size_t mark)
{
    if (w->overflow || w->cap - w->len < CLOSING) {
        w->len = mark;
        w->overflow = false;
        return FW_E_NOSPACE;
    }
    w->n++;
    return 0;
}

/* {"id":N,<fields of r>} */
static int add_element(report_writer_t *w, uint64_t id, const proto_record_t *r, const void *obj)
{
    if (w->overflow || w->n >= REPORT_BATCH_MAX) {
        return FW_E_NOSPACE;
    }
    size_t mark = w->len;
    proto_w_printf(w, "%s{\"%s\":%llu", w->n ? "," : "", proto_id_field.name,
                   (unsigned long long)id);
    proto_w_fields(w, r, obj, true);
    proto_w_printf(w, "}");
    return element_done(w, mark);
}

int report_batch_add_usage(report_writer_t *w, uint64_t id, const report_usage_t *u)
{
    return add_element(w, id, &proto_usage_record, u);
}

int report_batch_add_event(report_writer_t *w, uint64_t id, const report_event_t *e)
{
    if (!report_event_kind_name(e->kind)) {
        return FW_E_INVAL;
    }
    return add_element(w, id, &proto_event_record, e);
}

int report_batch_end(report_writer_t *w, size_t *len)
{
    if (w->n == 0) {
        return FW_E_INVAL;
    }
    proto_w_printf(w, "]}");
    if (w->overflow) {
        return FW_E_NOSPACE;
    }
    *len = w->len;
    return 0;
}

/* ---- decoders ------------------------------------------------------------- */

/* An integral JSON number in the range of field `f`. */
static bool json_int(const cJSON *v, const proto_field_t *f, double *out)
{
    if (!cJSON_IsNumber(v)) {
        return false;
    }
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < (double)f->min || d > (double)f->max) {
        return false;
    }
    *out = d;
    return true;
}

/* Answers are read leniently (a server that is not ours may answer with
 * anything): NULL unless the body is a JSON object within the size limit. */
static cJSON *parse_object(const uint8_t *body, size_t len)
{
    if (!body || len == 0 || len > REPORT_BODY_MAX) {
        return NULL;
    }
    cJSON *o = cJSON_ParseWithLength((const char *)body, len);
    if (o && !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int report_parse_ack(const uint8_t *body, size_t len, uint64_t *ids, size_t cap, size_t *n,
                     report_ack_kind_t *kind)
{
    *n = 0;
    *kind = REPORT_ACK_ALL;
    cJSON *o = parse_object(body, len);
    if (!o) {
        return 0; /* no body or not ours: the request as a whole succeeded */
    }
    const cJSON *ack = cJSON_GetObjectItemCaseSensitive(o, PROTO_ACK_MEMBER);
    if (!ack) {
        cJSON_Delete(o);
        return 0;
    }
    int rc = 0;
    if (!cJSON_IsArray(ack)) {
        rc = FW_E_FORMAT;
    } else {
        *kind = REPORT_ACK_LIST;
        const cJSON *el;
        cJSON_ArrayForEach(el, ack)
        {
            double d;
            if (!json_int(el, &proto_id_field, &d)) {
                rc = FW_E_FORMAT;
                break;
            }
            if (*n < cap) {
                ids[(*n)++] = (uint64_t)d;
            }
        }
    }
    if (rc != 0) {
        *n = 0;
    }
    cJSON_Delete(o);
    return rc;
}

int report_parse_server_time(const uint8_t *body, size_t len, int64_t *t)
{
    cJSON *o = parse_object(body, len);
    if (!o) {
        return FW_E_NOENT;
    }
    double d;
    int rc = FW_E_NOENT;
    const proto_field_t *f = &proto_server_time_field;
    if (json_int(cJSON_GetObjectItemCaseSensitive(o, f->name), f, &d)) {
        *t = (int64_t)d;
        rc = 0;
    }
    cJSON_Delete(o);
    return rc;
}

int report_parse_error(const uint8_t *body, size_t len, char *reason, size_t cap)
{
    cJSON *o = parse_object(body, len);
    if (!o || cap == 0) {
        cJSON_Delete(o);
        return FW_E_NOENT;
    }
    int rc = FW_E_NOENT;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, PROTO_ERROR_MEMBER);
    if (cJSON_IsString(e) && e->valuestring && e->valuestring[0]) {
        size_t n = 0;
        for (const char *c = e->valuestring; *c && n + 1 < cap; c++) {
            reason[n++] = ((unsigned char)*c >= 0x20 && (unsigned char)*c <= 0x7e) ? *c : '?';
        }
        reason[n] = '\0';
        rc = 0;
    }
    cJSON_Delete(o);
    return rc;
}

int report_parse_licence(const uint8_t *body, size_t len, char *token, size_t cap)
{
    cJSON *o = parse_object(body, len);
    if (!o) {
        return FW_E_NOENT;
    }
    static proto_licence_body_t l; /* 4 KiB: off the stack; the agent is single-threaded */
    const proto_field_t *f = proto_record_field(&proto_licence_record, "token");
    char why[96];
    l.token[0] = '\0';
    int rc = FW_E_NOENT;
    if (proto_json_read_field(o, f, &l, "", why, sizeof why) == 0 && l.token[0] != '\0') {
        size_t n = strlen(l.token);
        if (n < cap) {
            memcpy(token, l.token, n + 1);
            rc = 0;
        }
    }
    cJSON_Delete(o);
    return rc;
}

int report_decode_usage_body(const char *buf, size_t len, char *serial, size_t serial_cap,
                             uint64_t *ids, report_usage_t *recs, size_t cap, size_t *n)
{
    *n = 0;
    cJSON *o = NULL;
    char why[160];
    if (proto_json_parse_object(buf, len, &o, why, sizeof why) != 0) {
        return FW_E_FORMAT;
    }
    int rc = FW_E_FORMAT;
    proto_batch_head_t head = {.gen = 0};
    const cJSON *arr = NULL;
    if (proto_json_read(o, &proto_batch_record, &head, "", why, sizeof why) != 0 ||
        strlen(head.serial) >= serial_cap ||
        proto_json_member(o, "", PROTO_USAGE_ARRAY, false, &arr, why, sizeof why) != 0 ||
        !cJSON_IsArray(arr)) {
        goto out;
    }
    strcpy(serial, head.serial);
    const cJSON *r;
    cJSON_ArrayForEach(r, arr)
    {
        uint64_t id = 0;
        report_usage_t u = {0};
        if (*n >= cap || !cJSON_IsObject(r) ||
            proto_json_read_field(r, &proto_id_field, &id, "", why, sizeof why) != 0 ||
            proto_json_read(r, &proto_usage_record, &u, "", why, sizeof why) != 0) {
            goto out;
        }
        ids[*n] = id;
        recs[*n] = u;
        (*n)++;
    }
    rc = *n > 0 ? 0 : FW_E_FORMAT;
out:
    cJSON_Delete(o);
    return rc;
}
