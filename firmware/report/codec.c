/*
 * Wire bodies and queue items.
 *
 * Encoders write JSON by hand into the caller's buffer: no heap, exact 64-bit
 * integers, and a batch can stop at the first element that does not fit.
 * Decoders use cJSON (bounded by the length given) and check every number is
 * integral and inside the range a double holds exactly before converting.
 */
#include "report/codec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fw/err.h"

#define ITEM_VERSION 1u
#define ITEM_HDR 4u
#define ITEM_USAGE_LEN (ITEM_HDR + 8u + 8u + 8u + 8u + 4u + 8u + 4u + 4u + 4u + 8u + 8u + 4u + 8u)
#define ITEM_EVENT_MIN (ITEM_HDR + 8u + 8u + 2u)

static const char *const s_kind_names[] = {
    NULL,
    "notice",
    "calling_degraded",
    "calling_restored",
    "numbers_released",
    "clock_rollback",
    "rma_shown",
    "rma_acknowledged",
    "rma_labels_requested",
};
#define N_KINDS (sizeof s_kind_names / sizeof s_kind_names[0])

const char *report_event_kind_name(report_event_kind_t kind)
{
    if ((unsigned)kind == 0 || (unsigned)kind >= N_KINDS) {
        return NULL;
    }
    return s_kind_names[kind];
}

int report_event_kind_parse(const char *name, report_event_kind_t *out)
{
    for (unsigned k = 1; name && k < N_KINDS; k++) {
        if (strcmp(name, s_kind_names[k]) == 0) {
            *out = (report_event_kind_t)k;
            return 0;
        }
    }
    return FW_E_FORMAT;
}

/* Detail text is printable ASCII: it ends up in logs, a database and a
 * support screen, and needs no UTF-8 validation anywhere. */
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
    if (it->kind == REPORT_ITEM_USAGE) {
        return it->cover_from >= 1 && it->cover_from <= it->id && it->usage.start <= it->usage.end;
    }
    if (it->kind == REPORT_ITEM_EVENT) {
        size_t n = strnlen(it->event.detail, sizeof it->event.detail);
        return report_event_kind_name(it->event.kind) != NULL && n <= REPORT_DETAIL_MAX &&
               detail_ok(it->event.detail, n);
    }
    return false;
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
        const report_usage_t *u = &it->usage;
        put_u64(&p, it->cover_from);
        put_u64(&p, (uint64_t)u->start);
        put_u64(&p, (uint64_t)u->end);
        put_u32(&p, u->calls);
        put_u64(&p, u->call_seconds);
        put_u32(&p, u->calls_blocked);
        put_u32(&p, u->emergency_calls);
        put_u32(&p, u->meetings);
        put_u64(&p, u->meeting_seconds);
        put_u64(&p, u->share_seconds);
        put_u32(&p, u->people_peak);
        put_u64(&p, u->uptime_seconds);
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
        report_usage_t *u = &it.usage;
        it.cover_from = get_u64(&p);
        u->start = (int64_t)get_u64(&p);
        u->end = (int64_t)get_u64(&p);
        u->calls = get_u32(&p);
        u->call_seconds = get_u64(&p);
        u->calls_blocked = get_u32(&p);
        u->emergency_calls = get_u32(&p);
        u->meetings = get_u32(&p);
        u->meeting_seconds = get_u64(&p);
        u->share_seconds = get_u64(&p);
        u->people_peak = get_u32(&p);
        u->uptime_seconds = get_u64(&p);
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

/* ---- JSON writer ---------------------------------------------------------- */

__attribute__((format(printf, 2, 0))) static void w_vprintf(report_writer_t *w, const char *fmt,
                                                            va_list ap)
{
    if (w->overflow) {
        return;
    }
    size_t room = w->cap - w->len;
    int n = vsnprintf(w->buf + w->len, room, fmt, ap);
    if (n < 0 || (size_t)n >= room) {
        w->overflow = true;
        return;
    }
    w->len += (size_t)n;
}

__attribute__((format(printf, 2, 3))) static void w_printf(report_writer_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    w_vprintf(w, fmt, ap);
    va_end(ap);
}

/* A JSON string; escapes quotes, backslashes and control bytes. */
static void w_string(report_writer_t *w, const char *s)
{
    w_printf(w, "\"");
    for (; s && *s && !w->overflow; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            w_printf(w, "\\%c", c);
        } else if (c < 0x20) {
            w_printf(w, "\\u%04x", c);
        } else {
            w_printf(w, "%c", c);
        }
    }
    w_printf(w, "\"");
}

int report_encode_prov(const report_prov_t *p, char *buf, size_t cap, size_t *len)
{
    if (!p || !buf || !len || !p->serial || !p->model || !p->hw_revision || !p->mac ||
        !p->fw_version || !p->trial || !p->region || !p->locale || !p->licence_state) {
        return FW_E_INVAL;
    }
    report_writer_t w = {buf, cap, 0, 0, false};
    const char *names[] = {"serial", "model",  "hw_revision", "mac",          "fw_version",
                           "trial",  "region", "locale",      "licence_state"};
    const char *vals[] = {p->serial, p->model,  p->hw_revision, p->mac,          p->fw_version,
                          p->trial,  p->region, p->locale,      p->licence_state};
    w_printf(&w, "{");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        w_printf(&w, "%s\"%s\":", i ? "," : "", names[i]);
        w_string(&w, vals[i]);
    }
    w_printf(&w, "}");
    if (w.overflow) {
        return FW_E_NOSPACE;
    }
    *len = w.len;
    return 0;
}

void report_batch_begin(report_writer_t *w, char *buf, size_t cap, const char *serial, bool usage)
{
    *w = (report_writer_t){buf, cap, 0, 0, false};
    w_printf(w, "{\"serial\":");
    w_string(w, serial ? serial : "");
    w_printf(w, ",\"%s\":[", usage ? "records" : "events");
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

int report_batch_add_usage(report_writer_t *w, uint64_t id, const report_usage_t *u)
{
    if (w->overflow || w->n >= REPORT_BATCH_MAX) {
        return FW_E_NOSPACE;
    }
    size_t mark = w->len;
    w_printf(w,
             "%s{\"id\":%llu,\"start\":%lld,\"end\":%lld,\"calls\":%lu,\"call_seconds\":%llu,"
             "\"calls_blocked\":%lu,\"emergency_calls\":%lu,\"meetings\":%lu,"
             "\"meeting_seconds\":%llu,\"share_seconds\":%llu,\"people_peak\":%lu,"
             "\"uptime_seconds\":%llu}",
             w->n ? "," : "", (unsigned long long)id, (long long)u->start, (long long)u->end,
             (unsigned long)u->calls, (unsigned long long)u->call_seconds,
             (unsigned long)u->calls_blocked, (unsigned long)u->emergency_calls,
             (unsigned long)u->meetings, (unsigned long long)u->meeting_seconds,
             (unsigned long long)u->share_seconds, (unsigned long)u->people_peak,
             (unsigned long long)u->uptime_seconds);
    return element_done(w, mark);
}

int report_batch_add_event(report_writer_t *w, uint64_t id, const report_event_t *e)
{
    const char *kind = report_event_kind_name(e->kind);
    if (!kind) {
        return FW_E_INVAL;
    }
    if (w->overflow || w->n >= REPORT_BATCH_MAX) {
        return FW_E_NOSPACE;
    }
    size_t mark = w->len;
    w_printf(w, "%s{\"id\":%llu,\"t\":%lld,\"kind\":\"%s\",\"detail\":", w->n ? "," : "",
             (unsigned long long)id, (long long)e->t, kind);
    w_string(w, e->detail);
    w_printf(w, "}");
    return element_done(w, mark);
}

int report_batch_end(report_writer_t *w, size_t *len)
{
    if (w->n == 0) {
        return FW_E_INVAL;
    }
    w_printf(w, "]}");
    if (w->overflow) {
        return FW_E_NOSPACE;
    }
    *len = w->len;
    return 0;
}

/* ---- decoders ------------------------------------------------------------- */

/* An integral JSON number in [lo, hi] (both within +-2^53). */
static bool json_int(const cJSON *v, double lo, double hi, double *out)
{
    if (!cJSON_IsNumber(v)) {
        return false;
    }
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < lo || d > hi) {
        return false;
    }
    *out = d;
    return true;
}

#define MAX_EXACT 9007199254740991.0 /* 2^53 - 1 */

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
    const cJSON *ack = cJSON_GetObjectItemCaseSensitive(o, "ack");
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
            if (!json_int(el, 1, MAX_EXACT, &d)) {
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
    if (json_int(cJSON_GetObjectItemCaseSensitive(o, "server_time"), 0, MAX_EXACT, &d)) {
        *t = (int64_t)d;
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
    int rc = FW_E_NOENT;
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(o, "token");
    if (cJSON_IsString(tok) && tok->valuestring) {
        size_t n = strlen(tok->valuestring);
        if (n >= 1 && n <= REPORT_TOKEN_MAX && n < cap && detail_ok(tok->valuestring, n)) {
            memcpy(token, tok->valuestring, n + 1);
            rc = 0;
        }
    }
    cJSON_Delete(o);
    return rc;
}

static bool get_u(const cJSON *o, const char *name, double hi, uint64_t *out)
{
    double d;
    if (!json_int(cJSON_GetObjectItemCaseSensitive(o, name), 0, hi, &d)) {
        return false;
    }
    *out = (uint64_t)d;
    return true;
}

int report_decode_usage_body(const char *buf, size_t len, char *serial, size_t serial_cap,
                             uint64_t *ids, report_usage_t *recs, size_t cap, size_t *n)
{
    *n = 0;
    cJSON *o = parse_object((const uint8_t *)buf, len);
    if (!o) {
        return FW_E_FORMAT;
    }
    int rc = FW_E_FORMAT;
    const cJSON *ser = cJSON_GetObjectItemCaseSensitive(o, "serial");
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "records");
    if (!cJSON_IsString(ser) || strlen(ser->valuestring) >= serial_cap || !cJSON_IsArray(arr)) {
        goto out;
    }
    strcpy(serial, ser->valuestring);
    const cJSON *r;
    cJSON_ArrayForEach(r, arr)
    {
        if (*n >= cap || !cJSON_IsObject(r)) {
            goto out;
        }
        report_usage_t u = {0};
        uint64_t id, v[11];
        static const char *const f[] = {
            "start",           "end",      "calls",           "call_seconds",  "calls_blocked",
            "emergency_calls", "meetings", "meeting_seconds", "share_seconds", "people_peak",
            "uptime_seconds"};
        if (!get_u(r, "id", MAX_EXACT, &id) || id == 0) {
            goto out;
        }
        for (size_t i = 0; i < 11; i++) {
            bool small = i == 2 || i == 4 || i == 5 || i == 6 || i == 9;
            if (!get_u(r, f[i], small ? (double)UINT32_MAX : MAX_EXACT, &v[i])) {
                goto out;
            }
        }
        u.start = (int64_t)v[0];
        u.end = (int64_t)v[1];
        u.calls = (uint32_t)v[2];
        u.call_seconds = v[3];
        u.calls_blocked = (uint32_t)v[4];
        u.emergency_calls = (uint32_t)v[5];
        u.meetings = (uint32_t)v[6];
        u.meeting_seconds = v[7];
        u.share_seconds = v[8];
        u.people_peak = (uint32_t)v[9];
        u.uptime_seconds = v[10];
        if (u.start > u.end) {
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
