/*
 * The collector's request bodies. Everything here is pure so the unit tests
 * and the fuzzer reach every refusal without a socket.
 *
 * Numbers arrive as JSON numbers (doubles in cJSON): each is checked to be
 * integral and in range *before* conversion, so 1.5, -1 or 1e300 never become
 * plausible counters. Ids are limited to 2^53-1, the largest integer a JSON
 * number carries exactly in every common parser.
 */
#include "collector/payload.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fw/err.h"
#include "fw/hex.h"
#include "proto/json.h"
#include "proto/provisioning.h"

static int refuse(collector_err_t *err, int coap, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(collector_err_t *err, int coap, int ret, const char *fmt, ...)
{
    if (err != NULL) {
        err->coap = coap;
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(err->reason, sizeof err->reason, fmt, ap);
        va_end(ap);
    }
    return ret;
}

#define BAD(...) refuse(err, COLLECTOR_COAP_BAD_REQUEST, FW_E_FORMAT, __VA_ARGS__)

int collector_check_request(bool has_cf, unsigned cf, size_t total, collector_err_t *err)
{
    if (has_cf && cf != COLLECTOR_CF_JSON) {
        return refuse(err, COLLECTOR_COAP_UNSUPPORTED_CF, FW_E_UNSUPPORTED,
                      "content-format %u: expected 50 (application/json)", cf);
    }
    if (total > COLLECTOR_BODY_MAX) {
        return refuse(err, COLLECTOR_COAP_TOO_LARGE, FW_E_TOOBIG,
                      "body of %zu bytes: at most %u allowed", total, COLLECTOR_BODY_MAX);
    }
    return 0;
}

/* ---- bodies: proto/json.h reads proto/wire.h's tables ---------------------- */

/* A proto/json.h refusal as a CoAP one: 4.13 for size, 4.00 otherwise. */
static int refused(int rc, const char *why, collector_err_t *err)
{
    int coap = rc == FW_E_TOOBIG ? COLLECTOR_COAP_TOO_LARGE : COLLECTOR_COAP_BAD_REQUEST;
    return refuse(err, coap, rc == FW_E_TOOBIG ? FW_E_TOOBIG : FW_E_FORMAT, "%s", why);
}

/* Common head of every body: an object whose "serial" is the identity's
 * device. `head` gets the batch head (serial, and gen where there is one). */
static int open_body(const char *json, size_t len, const char *expected_serial,
                     const proto_record_t *head_rec, void *head, cJSON **root, collector_err_t *err)
{
    char why[160];
    int rc = proto_json_parse_object(json, len, root, why, sizeof why);
    if (rc != 0) {
        return refused(rc, why, err);
    }
    const char *serial = (const char *)head; /* serial is the first member of both heads */
    rc = proto_json_read_field(*root, &head_rec->fields[0], head, "", why, sizeof why);
    if (rc == 0 && head_rec == &proto_batch_record) {
        rc = proto_json_read(*root, head_rec, head, "", why, sizeof why);
    }
    if (rc != 0) {
        rc = refused(rc, why, err);
    } else if (expected_serial == NULL || strcmp(serial, expected_serial) != 0) {
        rc = refuse(err, COLLECTOR_COAP_FORBIDDEN, FW_E_INVAL,
                    "serial %s: does not match the DTLS identity's device %s", serial,
                    expected_serial != NULL ? expected_serial : "(none)");
    }
    if (rc != 0) {
        cJSON_Delete(*root);
        *root = NULL;
    }
    return rc;
}

/* The array member `name`: 1..COLLECTOR_RECORDS_MAX objects. */
static int get_array(const cJSON *root, const char *name, const cJSON **arr, size_t *n,
                     collector_err_t *err)
{
    char why[160];
    int rc = proto_json_member(root, "", name, false, arr, why, sizeof why);
    if (rc != 0) {
        return BAD("%s", why);
    }
    if (!cJSON_IsArray(*arr)) {
        return BAD("%s: expected an array", name);
    }
    size_t count = 0;
    for (const cJSON *c = (*arr)->child; c != NULL; c = c->next) {
        if (++count > COLLECTOR_RECORDS_MAX) {
            return BAD("%s: more than %u entries", name, COLLECTOR_RECORDS_MAX);
        }
        if (!cJSON_IsObject(c)) {
            return BAD("%s[%zu]: expected an object", name, count - 1);
        }
    }
    if (count == 0) {
        return BAD("%s: expected 1 to %u entries, got none", name, COLLECTOR_RECORDS_MAX);
    }
    *n = count;
    return 0;
}

/* A batch body {"serial", "gen", NAME: [{"id", <fields of rec>}, ...]}: each
 * element read into `items` (`size` bytes apart: a uint64_t id, then the
 * record at `rec_off`). `*n` is set only on success. */
static int parse_batch(const char *json, size_t len, const char *expected_serial, const char *name,
                       proto_batch_head_t *head, const proto_record_t *rec, void *items,
                       size_t size, size_t rec_off, size_t *n, collector_err_t *err)
{
    cJSON *root;
    int rc = open_body(json, len, expected_serial, &proto_batch_record, head, &root, err);
    if (rc != 0) {
        return rc;
    }
    const cJSON *arr;
    size_t count = 0;
    rc = get_array(root, name, &arr, &count, err);
    size_t i = 0;
    for (const cJSON *c = rc == 0 ? arr->child : NULL; c != NULL && rc == 0; c = c->next, i++) {
        char ctx[24], why[160];
        char *item = (char *)items + i * size;
        (void)snprintf(ctx, sizeof ctx, "%s[%zu].", name, i);
        rc = proto_json_read_field(c, &proto_id_field, item, ctx, why, sizeof why);
        if (rc == 0) {
            rc = proto_json_read(c, rec, item + rec_off, ctx, why, sizeof why);
        }
        if (rc != 0) {
            rc = BAD("%s", why);
        }
    }
    if (rc == 0) {
        *n = count;
    }
    cJSON_Delete(root);
    return rc;
}

/* ---- /v1/prov --------------------------------------------------------- */

int collector_parse_prov(const char *json, size_t len, const char *expected_serial,
                         collector_prov_t *out, collector_err_t *err)
{
    memset(out, 0, sizeof *out);
    cJSON *root;
    int rc = open_body(json, len, expected_serial, &proto_prov_report_record, out, &root, err);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    char why[160];
    if (proto_json_read(root, &proto_prov_report_record, out, "", why, sizeof why) != 0) {
        rc = BAD("%s", why);
        memset(out, 0, sizeof *out);
    }
    cJSON_Delete(root);
    return rc;
}

/* ---- /v1/usage, /v1/events --------------------------------------------- */

int collector_parse_usage(const char *json, size_t len, const char *expected_serial,
                          collector_usage_t *out, collector_err_t *err)
{
    memset(out, 0, sizeof *out);
    proto_batch_head_t head = {.gen = 0};
    int rc =
        parse_batch(json, len, expected_serial, PROTO_USAGE_ARRAY, &head, &proto_usage_record,
                    out->rec, sizeof out->rec[0], offsetof(collector_usage_rec_t, u), &out->n, err);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    memcpy(out->serial, head.serial, sizeof out->serial);
    out->gen = head.gen;
    return 0;
}

const char *collector_event_kind_name(proto_event_kind_t k)
{
    const char *name = proto_event_kind_name(k);
    return name != NULL ? name : "unknown";
}

int collector_parse_events(const char *json, size_t len, const char *expected_serial,
                           collector_events_t *out, collector_err_t *err)
{
    memset(out, 0, sizeof *out);
    proto_batch_head_t head = {.gen = 0};
    int rc = parse_batch(json, len, expected_serial, PROTO_EVENTS_ARRAY, &head, &proto_event_record,
                         out->ev, sizeof out->ev[0], offsetof(collector_event_t, e), &out->n, err);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    memcpy(out->serial, head.serial, sizeof out->serial);
    out->gen = head.gen;
    return 0;
}

/* ---- response bodies ---------------------------------------------------- */

/* Appends with bounds; `*pos` stops moving once the buffer is full. */
static bool append(char *out, size_t cap, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool append(char *out, size_t cap, size_t *pos, const char *fmt, ...)
{
    if (*pos >= cap) {
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *pos, cap - *pos, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *pos) {
        *pos = cap;
        return false;
    }
    *pos += (size_t)n;
    return true;
}

int collector_build_ack(const uint64_t *ids, size_t n, int64_t server_time, char *out, size_t cap)
{
    size_t pos = 0;
    bool ok = append(out, cap, &pos, "{\"%s\":[", PROTO_ACK_MEMBER);
    size_t written = 0;
    for (size_t i = 0; ok && i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = ids[j] == ids[i];
        }
        if (!seen) {
            ok = append(out, cap, &pos, "%s%" PRIu64, written++ ? "," : "", ids[i]);
        }
    }
    ok = ok && append(out, cap, &pos, "],\"server_time\":%" PRId64 "}", server_time);
    return ok && pos <= INT32_MAX ? (int)pos : FW_E_NOSPACE;
}

int collector_build_licence_body(const char *token, int64_t server_time, char *out, size_t cap)
{
    static proto_licence_body_t l; /* 4 KiB; the server is single-threaded */
    char why[96];
    if (strlen(token) >= sizeof l.token) {
        return FW_E_INVAL;
    }
    (void)snprintf(l.token, sizeof l.token, "%s", token);
    l.server_time = server_time;
    if (proto_record_validate(&proto_licence_record, &l, why, sizeof why) != 0) {
        return FW_E_INVAL;
    }
    proto_writer_t w;
    proto_writer_init(&w, out, cap);
    proto_w_object(&w, &proto_licence_record, &l);
    return !w.overflow && w.len <= INT32_MAX ? (int)w.len : FW_E_NOSPACE;
}

int collector_build_error(const char *reason, int64_t server_time, char *out, size_t cap)
{
    proto_writer_t w;
    proto_writer_init(&w, out, cap);
    proto_w_printf(&w, "{\"%s\":", PROTO_ERROR_MEMBER);
    proto_w_string(&w, reason);
    proto_w_printf(&w, ",\"%s\":%lld}", proto_server_time_field.name, (long long)server_time);
    return !w.overflow && w.len <= INT32_MAX ? (int)w.len : FW_E_NOSPACE;
}

static bool printable(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
            return false;
        }
    }
    return true;
}

static bool svc_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32) {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_')) {
            return false;
        }
    }
    return true;
}

int collector_build_claims(const collector_licence_t *l, char *out, size_t cap)
{
    char why[128];
    if (proto_check_serial(l->serial, why, sizeof why) != 0 ||
        proto_check_trial(l->trial, why, sizeof why) != 0 ||
        proto_check_region(l->region, why, sizeof why) != 0 || l->org[0] == '\0' ||
        strlen(l->org) > 64 || !printable(l->org) || strchr(l->org, '"') != NULL ||
        strchr(l->org, '\\') != NULL || l->seq == 0 || l->ext < 0 || l->ext > 1 || l->iat < 0 ||
        l->iat > COLLECTOR_TIME_MAX || l->n_svc > 16 ||
        (!l->paid && (l->trial_exp < 0 || l->trial_exp > COLLECTOR_TIME_MAX))) {
        return FW_E_INVAL;
    }
    size_t pos = 0;
    bool ok = append(out, cap, &pos,
                     "{\"sub\":\"%s\",\"trial\":\"%s\",\"org\":\"%s\",\"typ\":\"%s\","
                     "\"seq\":%" PRIu32 ",\"iat\":%" PRId64,
                     l->serial, l->trial, l->org, l->paid ? "paid" : "trial", l->seq, l->iat);
    if (!l->paid) {
        ok = ok && append(out, cap, &pos, ",\"trial_exp\":%" PRId64, l->trial_exp);
    }
    ok = ok && append(out, cap, &pos, ",\"ext\":%d,\"keep\":%s,\"region\":\"%s\",\"svc\":[", l->ext,
                      l->keep ? "true" : "false", l->region);
    for (size_t i = 0; ok && i < l->n_svc; i++) {
        if (!svc_id_ok(l->svc[i].id) || l->svc[i].exp < 0 || l->svc[i].exp > COLLECTOR_TIME_MAX) {
            return FW_E_INVAL;
        }
        ok = append(out, cap, &pos, "%s{\"id\":\"%s\",\"exp\":%" PRId64 "}", i ? "," : "",
                    l->svc[i].id, l->svc[i].exp);
    }
    ok = ok && append(out, cap, &pos, "]");
    /* offer and site: printable text without JSON escapes, as org */
    const struct {
        const char *name, *v;
        size_t max;
    } text[] = {{"offer", l->offer, sizeof l->offer - 1}, {"site", l->site, sizeof l->site - 1}};
    for (size_t i = 0; ok && i < sizeof text / sizeof text[0]; i++) {
        if (text[i].v[0] == '\0') {
            continue;
        }
        if (strnlen(text[i].v, text[i].max + 1) > text[i].max || !printable(text[i].v) ||
            strpbrk(text[i].v, "\"\\") != NULL) {
            return FW_E_INVAL;
        }
        ok = append(out, cap, &pos, ",\"%s\":\"%s\"", text[i].name, text[i].v);
    }
    ok = ok && append(out, cap, &pos, "}");
    return ok && pos <= INT32_MAX ? (int)pos : FW_E_NOSPACE;
}
