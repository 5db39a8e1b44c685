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

/* ---- JSON helpers ---------------------------------------------------- */

/* Parse `json` into an object, refusing what cJSON would silently misread:
 * NUL bytes in the input and \u0000 escapes (cJSON cuts strings there, so
 * "SN\u0000x" would read as "SN"). A literal backslash followed by u0000 is
 * refused too: conservative, and no legitimate report contains it. */
static int parse_object(const char *json, size_t len, cJSON **out, collector_err_t *err)
{
    *out = NULL;
    if (json == NULL || len == 0) {
        return BAD("body: empty, expected a JSON object");
    }
    if (len > COLLECTOR_BODY_MAX) {
        return refuse(err, COLLECTOR_COAP_TOO_LARGE, FW_E_TOOBIG,
                      "body of %zu bytes: at most %u allowed", len, COLLECTOR_BODY_MAX);
    }
    if (memchr(json, '\0', len) != NULL) {
        return BAD("body: contains a NUL byte");
    }
    for (size_t i = 0; i + 6 <= len; i++) {
        if (json[i] == '\\' && memcmp(json + i + 1, "u0000", 5) == 0) {
            return BAD("body: \\u0000 is not allowed in strings");
        }
    }
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (root == NULL) {
        return BAD("body: not valid JSON");
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return BAD("body: expected a JSON object");
    }
    *out = root;
    return 0;
}

/* The member `name` of `obj`, exactly once. `optional` allows absence
 * (*item NULL). */
static int member(const cJSON *obj, const char *ctx, const char *name, bool optional,
                  const cJSON **item, collector_err_t *err)
{
    const cJSON *found = NULL;
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        if (c->string != NULL && strcmp(c->string, name) == 0) {
            if (found != NULL) {
                return BAD("%s%s: given more than once", ctx, name);
            }
            found = c;
        }
    }
    if (found == NULL && !optional) {
        return BAD("%s%s: missing", ctx, name);
    }
    *item = found;
    return 0;
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

/* A printable ASCII string of min..max bytes copied into dst (cap > max). */
static int get_string(const cJSON *obj, const char *ctx, const char *name, size_t min, size_t max,
                      char *dst, size_t cap, collector_err_t *err)
{
    const cJSON *it;
    int rc = member(obj, ctx, name, false, &it, err);
    if (rc != 0) {
        return rc;
    }
    if (!cJSON_IsString(it) || it->valuestring == NULL) {
        return BAD("%s%s: expected a string", ctx, name);
    }
    size_t n = strlen(it->valuestring);
    if (n < min || n > max || n >= cap) {
        return BAD("%s%s: expected %zu to %zu characters, got %zu", ctx, name, min, max, n);
    }
    if (!printable(it->valuestring)) {
        return BAD("%s%s: expected printable ASCII", ctx, name);
    }
    memcpy(dst, it->valuestring, n + 1);
    return 0;
}

/* An integral JSON number in [lo, hi] (both exactly representable). */
static int get_int(const cJSON *obj, const char *ctx, const char *name, double lo, double hi,
                   double *out, collector_err_t *err)
{
    const cJSON *it;
    int rc = member(obj, ctx, name, false, &it, err);
    if (rc != 0) {
        return rc;
    }
    if (!cJSON_IsNumber(it)) {
        return BAD("%s%s: expected an integer", ctx, name);
    }
    double v = it->valuedouble;
    if (!isfinite(v) || v != floor(v) || v < lo || v > hi) {
        return BAD("%s%s: expected an integer from %.0f to %.0f", ctx, name, lo, hi);
    }
    *out = v;
    return 0;
}

static int get_u64(const cJSON *obj, const char *ctx, const char *name, uint64_t lo, uint64_t hi,
                   uint64_t *out, collector_err_t *err)
{
    double v;
    int rc = get_int(obj, ctx, name, (double)lo, (double)hi, &v, err);
    if (rc == 0) {
        *out = (uint64_t)v;
    }
    return rc;
}

static int get_time(const cJSON *obj, const char *ctx, const char *name, int64_t *out,
                    collector_err_t *err)
{
    double v;
    int rc = get_int(obj, ctx, name, 0, (double)COLLECTOR_TIME_MAX, &v, err);
    if (rc == 0) {
        *out = (int64_t)v;
    }
    return rc;
}

/* Common head of every body: an object whose "serial" is the identity's. */
static int open_body(const char *json, size_t len, const char *expected_serial, cJSON **root,
                     char serial[21], collector_err_t *err)
{
    int rc = parse_object(json, len, root, err);
    if (rc != 0) {
        return rc;
    }
    rc = get_string(*root, "", "serial", 1, 20, serial, 21, err);
    if (rc == 0) {
        char why[128];
        if (proto_check_serial(serial, why, sizeof why) != 0) {
            rc = BAD("%s", why);
        } else if (expected_serial == NULL || strcmp(serial, expected_serial) != 0) {
            rc = refuse(err, COLLECTOR_COAP_FORBIDDEN, FW_E_INVAL,
                        "serial %s: does not match the DTLS identity's device %s", serial,
                        expected_serial != NULL ? expected_serial : "(none)");
        }
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
    int rc = member(root, "", name, false, arr, err);
    if (rc != 0) {
        return rc;
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

/* One item of a batch: the object at index `i` into `item`. */
typedef int (*item_parser_t)(const cJSON *o, size_t i, void *item, collector_err_t *err);

/* A batch body {"serial": ..., NAME: [object, ...]}: each object parsed by
 * `parse` into `items` (`size` bytes apart). `*n` is set only on success. */
static int parse_batch(const char *json, size_t len, const char *expected_serial, const char *name,
                       char serial[21], void *items, size_t size, item_parser_t parse, size_t *n,
                       collector_err_t *err)
{
    cJSON *root;
    int rc = open_body(json, len, expected_serial, &root, serial, err);
    if (rc != 0) {
        return rc;
    }
    const cJSON *arr;
    size_t count = 0;
    rc = get_array(root, name, &arr, &count, err);
    size_t i = 0;
    for (const cJSON *c = rc == 0 ? arr->child : NULL; c != NULL && rc == 0; c = c->next, i++) {
        rc = parse(c, i, (char *)items + i * size, err);
    }
    if (rc == 0) {
        *n = count;
    }
    cJSON_Delete(root);
    return rc;
}

/* ---- /v1/prov --------------------------------------------------------- */

static int check_mac(char *mac, collector_err_t *err)
{
    uint8_t bytes[6];
    if (fw_mac_parse(mac, bytes) == 0) {
        for (char *c = mac; *c; c++) {
            *c = (char)tolower((unsigned char)*c); /* stored in one spelling */
        }
        return 0;
    }
    return BAD("mac: expected six hex pairs separated by ':' (aa:bb:cc:dd:ee:ff)");
}

int collector_parse_prov(const char *json, size_t len, const char *expected_serial,
                         collector_prov_t *out, collector_err_t *err)
{
    memset(out, 0, sizeof *out);
    cJSON *root;
    int rc = open_body(json, len, expected_serial, &root, out->serial, err);
    if (rc != 0) {
        return rc;
    }
    char why[128];
    if ((rc = get_string(root, "", "model", 1, 47, out->model, sizeof out->model, err)) != 0 ||
        (rc = get_string(root, "", "hw_revision", 1, 32, out->hw_revision, sizeof out->hw_revision,
                         err)) != 0 ||
        (rc = get_string(root, "", "mac", 17, 17, out->mac, sizeof out->mac, err)) != 0 ||
        (rc = check_mac(out->mac, err)) != 0 ||
        (rc = get_string(root, "", "fw_version", 1, 32, out->fw_version, sizeof out->fw_version,
                         err)) != 0 ||
        (rc = get_string(root, "", "trial", 1, 16, out->trial, sizeof out->trial, err)) != 0 ||
        (rc = get_string(root, "", "region", 2, 2, out->region, sizeof out->region, err)) != 0 ||
        (rc = get_string(root, "", "locale", 2, 5, out->locale, sizeof out->locale, err)) != 0 ||
        (rc = get_string(root, "", "licence_state", 1, 32, out->licence_state,
                         sizeof out->licence_state, err)) != 0) {
        goto done;
    }
    if (proto_check_trial(out->trial, why, sizeof why) != 0 ||
        proto_check_region(out->region, why, sizeof why) != 0 ||
        proto_check_locale(out->locale, why, sizeof why) != 0) {
        rc = BAD("%s", why);
    }
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- /v1/usage -------------------------------------------------------- */

static int parse_usage_rec(const cJSON *o, size_t i, void *item, collector_err_t *err)
{
    collector_usage_rec_t *r = item;
    char ctx[24];
    (void)snprintf(ctx, sizeof ctx, "records[%zu].", i);
    int rc;
    if ((rc = get_u64(o, ctx, "id", 1, COLLECTOR_ID_MAX, &r->id, err)) != 0 ||
        (rc = get_time(o, ctx, "start", &r->start, err)) != 0 ||
        (rc = get_time(o, ctx, "end", &r->end, err)) != 0) {
        return rc;
    }
    if (r->end < r->start) {
        return BAD("%send: before start", ctx);
    }
    static const struct {
        const char *name;
        size_t off;
    } counters[] = {
        {"calls", offsetof(collector_usage_rec_t, calls)},
        {"call_seconds", offsetof(collector_usage_rec_t, call_seconds)},
        {"calls_blocked", offsetof(collector_usage_rec_t, calls_blocked)},
        {"emergency_calls", offsetof(collector_usage_rec_t, emergency_calls)},
        {"meetings", offsetof(collector_usage_rec_t, meetings)},
        {"meeting_seconds", offsetof(collector_usage_rec_t, meeting_seconds)},
        {"share_seconds", offsetof(collector_usage_rec_t, share_seconds)},
        {"people_peak", offsetof(collector_usage_rec_t, people_peak)},
        {"uptime_seconds", offsetof(collector_usage_rec_t, uptime_seconds)},
    };
    for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++) {
        uint64_t *dst = (uint64_t *)(void *)((char *)r + counters[k].off);
        if ((rc = get_u64(o, ctx, counters[k].name, 0, UINT32_MAX, dst, err)) != 0) {
            return rc;
        }
    }
    return 0;
}

int collector_parse_usage(const char *json, size_t len, const char *expected_serial,
                          collector_usage_t *out, collector_err_t *err)
{
    memset(out, 0, sizeof *out);
    int rc = parse_batch(json, len, expected_serial, "records", out->serial, out->rec,
                         sizeof out->rec[0], parse_usage_rec, &out->n, err);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* ---- /v1/events ------------------------------------------------------- */

static const char *const s_kinds[] = {
    [COLLECTOR_EV_NOTICE] = "notice",
    [COLLECTOR_EV_CALLING_DEGRADED] = "calling_degraded",
    [COLLECTOR_EV_CALLING_RESTORED] = "calling_restored",
    [COLLECTOR_EV_NUMBERS_RELEASED] = "numbers_released",
    [COLLECTOR_EV_CLOCK_ROLLBACK] = "clock_rollback",
    [COLLECTOR_EV_RMA_SHOWN] = "rma_shown",
    [COLLECTOR_EV_RMA_ACKNOWLEDGED] = "rma_acknowledged",
    [COLLECTOR_EV_RMA_LABELS_REQUESTED] = "rma_labels_requested",
};
enum { N_KINDS = sizeof s_kinds / sizeof s_kinds[0] };

const char *collector_event_kind_name(collector_event_kind_t k)
{
    return (unsigned)k < N_KINDS ? s_kinds[k] : "unknown";
}

static int parse_event(const cJSON *o, size_t i, void *item, collector_err_t *err)
{
    collector_event_t *e = item;
    char ctx[24];
    (void)snprintf(ctx, sizeof ctx, "events[%zu].", i);
    int rc;
    char kind[24];
    if ((rc = get_u64(o, ctx, "id", 1, COLLECTOR_ID_MAX, &e->id, err)) != 0 ||
        (rc = get_time(o, ctx, "t", &e->t, err)) != 0 ||
        (rc = get_string(o, ctx, "kind", 1, sizeof kind - 1, kind, sizeof kind, err)) != 0) {
        return rc;
    }
    size_t k = 0;
    while (k < N_KINDS && strcmp(kind, s_kinds[k]) != 0) {
        k++;
    }
    if (k == N_KINDS) {
        return BAD("%skind: unknown kind '%s'", ctx, kind);
    }
    e->kind = (collector_event_kind_t)k;
    const cJSON *d;
    if ((rc = member(o, ctx, "detail", true, &d, err)) != 0) {
        return rc;
    }
    if (d != NULL) {
        return get_string(o, ctx, "detail", 0, COLLECTOR_DETAIL_MAX, e->detail, sizeof e->detail,
                          err);
    }
    return 0;
}

int collector_parse_events(const char *json, size_t len, const char *expected_serial,
                           collector_events_t *out, collector_err_t *err)
{
    memset(out, 0, sizeof *out);
    int rc = parse_batch(json, len, expected_serial, "events", out->serial, out->ev,
                         sizeof out->ev[0], parse_event, &out->n, err);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
    }
    return rc;
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
    bool ok = append(out, cap, &pos, "{\"ack\":[");
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
    for (const char *p = token; *p != '\0'; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')) {
            return FW_E_INVAL;
        }
    }
    size_t pos = 0;
    bool ok = append(out, cap, &pos, "{\"token\":\"%s\",\"server_time\":%" PRId64 "}", token,
                     server_time);
    return ok && pos <= INT32_MAX ? (int)pos : FW_E_NOSPACE;
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
    ok = ok && append(out, cap, &pos, "]}");
    return ok && pos <= INT32_MAX ? (int)pos : FW_E_NOSPACE;
}
