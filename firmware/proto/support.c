/*
 * The support state document (proto/support.h): its tables, and one writer
 * and one reader made from them with proto/json.h.
 */
#include "proto/support.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/iso8601.h"
#include "proto/json.h"
#include "proto_priv.h"

#define fail(why, cap, ...) proto_fail(why, cap, FW_E_INVAL, __VA_ARGS__)

/* ---- the words ------------------------------------------------------------------ */

const char *const proto_support_states[] = {"trial",    "expiring", "grace", "lapsed",
                                            "released", "paid",     "none",  NULL};
const char *const proto_calling_modes[] = {"full", "degraded", NULL};
const char *const proto_licence_types[] = {"trial", "paid", NULL};
/* What last set the confirmed time: the collector's clock, a licence's
 * issue instant, the wall clock agreeing with the mark, the mark kept in
 * flash (continued by the monotonic clock), or nothing yet. */
const char *const proto_time_sources[] = {"collector", "licence", "wall_clock",
                                          "stored",    "unknown", NULL};

static int one_of(const char *s, const char *const *words, const char *field, char *why, size_t cap)
{
    char list[96] = "";
    size_t n = 0;
    for (size_t i = 0; words[i] != NULL; i++) {
        if (strcmp(s, words[i]) == 0) {
            return 0;
        }
        n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s", i ? "|" : "",
                              words[i]);
    }
    return fail(why, cap, "%s: expected %s", field, list);
}

int proto_check_support_state(const char *s, char *why, size_t cap)
{
    return one_of(s, proto_support_states, "state", why, cap);
}

int proto_check_calling(const char *s, char *why, size_t cap)
{
    return one_of(s, proto_calling_modes, "calling", why, cap);
}

int proto_check_licence_type(const char *s, char *why, size_t cap)
{
    return one_of(s, proto_licence_types, "type", why, cap);
}

int proto_check_time_source(const char *s, char *why, size_t cap)
{
    return one_of(s, proto_time_sources, "time_source", why, cap);
}

int proto_check_instant(const char *s, char *why, size_t cap)
{
    int64_t t;
    char back[FW_ISO8601_LEN];
    if (fw_iso8601_parse(s, &t, NULL) != 0 ||
        strcmp(fw_iso8601_format(t, back, sizeof back), s) != 0) {
        return fail(why, cap, "expected an instant YYYY-MM-DDTHH:MM:SSZ");
    }
    return 0;
}

/* ---- the tables ------------------------------------------------------------------ */

#define STATE_FIELD(...) PROTO_FIELD(proto_support_state_t, __VA_ARGS__)
static const proto_field_t s_view_fields[] = {PROTO_LICENCE_VIEW_FIELDS(STATE_FIELD)};
static const proto_field_t s_state_fields[] = {PROTO_SUPPORT_STATE_FIELDS(STATE_FIELD)};
#define SERVICE_FIELD(...) PROTO_FIELD(proto_support_service_t, __VA_ARGS__)
static const proto_field_t s_service_fields[] = {PROTO_SUPPORT_SERVICE_FIELDS(SERVICE_FIELD)};

const proto_record_t proto_licence_view_record = {"licence view", s_view_fields,
                                                  N_OF(s_view_fields), NULL, 0};
const proto_record_t proto_support_state_record = {"support state", s_state_fields,
                                                   N_OF(s_state_fields), NULL, 0};
const proto_record_t proto_support_service_record = {"service", s_service_fields,
                                                     N_OF(s_service_fields), NULL, 0};

/* ---- writer, reader ---------------------------------------------------------------- */

int proto_support_encode(const proto_record_t *r, const proto_support_state_t *s, char *buf,
                         size_t cap, size_t *len, char *why, size_t why_cap)
{
    int rc = proto_record_validate(r, s, why, why_cap);
    if (rc != 0) {
        return rc;
    }
    if (s->n_services > PROTO_SERVICES_MAX) {
        return fail(why, why_cap, "services: at most %u", PROTO_SERVICES_MAX);
    }
    char reason[160];
    for (size_t i = 0; i < s->n_services; i++) {
        if (proto_record_validate(&proto_support_service_record, &s->services[i], reason,
                                  sizeof reason) != 0) {
            return fail(why, why_cap, "services[%zu].%s", i, reason);
        }
    }
    proto_writer_t w;
    proto_writer_init(&w, buf, cap);
    proto_w_printf(&w, "{");
    proto_w_fields(&w, r, s, false);
    proto_w_printf(&w, ",\"%s\":[", PROTO_SERVICES_ARRAY);
    for (size_t i = 0; i < s->n_services; i++) {
        proto_w_printf(&w, "%s", i ? "," : "");
        proto_w_object(&w, &proto_support_service_record, &s->services[i]);
    }
    proto_w_printf(&w, "]}");
    if (w.overflow) {
        (void)proto_fail(why, why_cap, FW_E_NOSPACE, "document: more than %zu bytes", cap);
        return FW_E_NOSPACE;
    }
    *len = w.len;
    return 0;
}

int proto_support_decode(const proto_record_t *r, const char *buf, size_t len,
                         proto_support_state_t *out, char *why, size_t why_cap)
{
    memset(out, 0, sizeof *out);
    cJSON *root = NULL;
    int rc = proto_json_parse_object(buf, len, &root, why, why_cap);
    if (rc != 0) {
        return rc;
    }
    rc = proto_json_read(root, r, out, "", why, why_cap);
    const cJSON *arr = NULL;
    if (rc == 0) {
        rc = proto_json_member(root, "", PROTO_SERVICES_ARRAY, false, &arr, why, why_cap);
    }
    if (rc == 0 && (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > (int)PROTO_SERVICES_MAX)) {
        rc = proto_fail(why, why_cap, FW_E_FORMAT, "%s: expected an array of at most %u objects",
                        PROTO_SERVICES_ARRAY, PROTO_SERVICES_MAX);
    }
    const cJSON *el = NULL;
    size_t i = 0;
    if (rc == 0) {
        cJSON_ArrayForEach(el, arr)
        {
            char ctx[32];
            (void)snprintf(ctx, sizeof ctx, "%s[%zu].", PROTO_SERVICES_ARRAY, i);
            if (!cJSON_IsObject(el)) {
                rc = proto_fail(why, why_cap, FW_E_FORMAT, "%s: expected an object", ctx);
            } else {
                rc = proto_json_read(el, &proto_support_service_record, &out->services[i], ctx, why,
                                     why_cap);
            }
            if (rc != 0) {
                break;
            }
            i++;
        }
    }
    out->n_services = i;
    cJSON_Delete(root);
    return rc;
}
