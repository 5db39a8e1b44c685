/*
 * Licence claims: JSON in, a validated trial_claims_t out.
 *
 * cJSON keeps numbers as doubles, so every integer claim is checked to be
 * integral and inside a range where a double is exact (< 2^53) before it is
 * converted: a fractional seq or an iat of 1e300 must never turn into a
 * plausible value by truncation.
 */
#include "trial/claims.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fw/err.h"

static const char *const s_known[] = {
    "sub", "trial", "org",    "typ", "seq",   "iat",  "trial_exp",
    "ext", "keep",  "region", "svc", "offer", "site",
};
/* The refusal of a claim given twice, in s_known's order. */
static const char *const s_twice[] = {
    "sub is given twice",       "trial is given twice", "org is given twice",
    "typ is given twice",       "seq is given twice",   "iat is given twice",
    "trial_exp is given twice", "ext is given twice",   "keep is given twice",
    "region is given twice",    "svc is given twice",   "offer is given twice",
    "site is given twice",
};
_Static_assert(sizeof s_twice / sizeof s_twice[0] == sizeof s_known / sizeof s_known[0],
               "one refusal per known claim");

bool trial_number_is_valid(const char *s)
{
    if (s == NULL || s[0] != 'D') {
        return false;
    }
    size_t n = strlen(s + 1);
    if (n < 1 || n > TRIAL_NUMBER_MAX - 1) {
        return false;
    }
    for (size_t i = 1; i <= n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* Printable ASCII only, 1..max characters; no control bytes in our UI/logs. */
static bool text_copy(const cJSON *item, char *dst, size_t max)
{
    if (!cJSON_IsString(item) || item->valuestring == NULL) {
        return false;
    }
    size_t n = strlen(item->valuestring);
    if (n == 0 || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)item->valuestring[i];
        if (ch < 0x20 || ch > 0x7e) {
            return false;
        }
    }
    memcpy(dst, item->valuestring, n + 1);
    return true;
}

/* What is wrong with an integer claim, in the order int_claim() checks. */
typedef struct {
    const char *type; /* missing, or not a whole number */
    const char *low;  /* below the range */
    const char *high; /* above it */
} int_why_t;

static const int_why_t s_seq_why = {"seq must be a whole number", "seq must be \u2265 1",
                                    "seq must be \u2264 4294967295"};
static const int_why_t s_iat_why = {"iat must be a whole number of seconds",
                                    "iat must be \u2265 0 (1970)",
                                    "iat must be \u2264 253402300799 (9999)"};
static const int_why_t s_exp_why = {"trial_exp must be a whole number of seconds",
                                    "trial_exp must be \u2265 0 (1970)",
                                    "trial_exp must be \u2264 253402300799 (9999)"};
static const int_why_t s_ext_why = {"ext must be 0 or 1", "ext must be 0 or 1",
                                    "ext must be 0 or 1 (one extension, R4)"};
static const int_why_t s_svc_exp_why = {"svc.exp must be a whole number of seconds",
                                        "svc.exp must be \u2265 0 (1970)",
                                        "svc.exp must be \u2264 253402300799 (9999)"};

/* An integral number in [lo, hi]; otherwise false with *why from `w`. */
static bool int_claim(const cJSON *item, int64_t lo, int64_t hi, int64_t *out, const int_why_t *w,
                      const char **why)
{
    if (!cJSON_IsNumber(item)) {
        *why = w->type;
        return false;
    }
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d)) {
        *why = w->type;
        return false;
    }
    if (d < (double)lo || d > (double)hi) {
        *why = d < (double)lo ? w->low : w->high;
        return false;
    }
    *out = (int64_t)d;
    return true;
}

static bool svc_id_ok(const char *id)
{
    for (const char *p = id; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
            return false;
        }
    }
    return true;
}

static int parse_svc(const cJSON *arr, trial_claims_t *c, const char **why)
{
    if (!cJSON_IsArray(arr)) {
        *why = "svc must be an array of services";
        return FW_E_INVAL;
    }
    const cJSON *el;
    cJSON_ArrayForEach(el, arr)
    {
        if (c->n_svc >= TRIAL_SVC_MAX || !cJSON_IsObject(el)) {
            *why = c->n_svc >= TRIAL_SVC_MAX ? "svc must list at most 16 services"
                                             : "svc entries must be objects {\"id\",\"exp\"}";
            return FW_E_INVAL;
        }
        trial_service_t *sv = &c->svc[c->n_svc];
        const cJSON *id = NULL;
        const cJSON *exp = NULL;
        const cJSON *m;
        cJSON_ArrayForEach(m, el)
        {
            if (m->string != NULL && strcmp(m->string, "id") == 0) {
                if (id != NULL) {
                    *why = "svc.id is given twice in one service";
                    return FW_E_INVAL;
                }
                id = m;
            } else if (m->string != NULL && strcmp(m->string, "exp") == 0) {
                if (exp != NULL) {
                    *why = "svc.exp is given twice in one service";
                    return FW_E_INVAL;
                }
                exp = m;
            }
        }
        if (!text_copy(id, sv->id, TRIAL_SVC_ID_MAX) || !svc_id_ok(sv->id)) {
            *why = "svc.id must be 1 to 32 of a-z 0-9 - _";
            return FW_E_INVAL;
        }
        if (!int_claim(exp, 0, TRIAL_TIME_MAX, &sv->exp, &s_svc_exp_why, why)) {
            return FW_E_INVAL;
        }
        for (size_t i = 0; i < c->n_svc; i++) {
            if (strcmp(c->svc[i].id, sv->id) == 0) {
                *why = "svc.id: a service is listed twice";
                return FW_E_INVAL;
            }
        }
        c->n_svc++;
    }
    return 0;
}

static int parse_object(const cJSON *root, trial_claims_t *c, const char **why)
{
    enum { N_KNOWN = sizeof s_known / sizeof s_known[0] };
    const cJSON *f[N_KNOWN] = {0};

    const cJSON *m;
    cJSON_ArrayForEach(m, root)
    {
        for (size_t i = 0; i < N_KNOWN; i++) {
            if (m->string != NULL && strcmp(m->string, s_known[i]) == 0) {
                if (f[i] != NULL) {
                    *why = s_twice[i];
                    return FW_E_INVAL;
                }
                f[i] = m;
            }
        }
    }
    const cJSON *sub = f[0], *trial = f[1], *org = f[2], *typ = f[3], *seq = f[4], *iat = f[5],
                *texp = f[6], *ext = f[7], *keep = f[8], *region = f[9], *svc = f[10],
                *offer = f[11], *site = f[12];

    if (!text_copy(sub, c->sub, TRIAL_SERIAL_MAX)) {
        *why = "sub must be 1 to 32 printable characters (the serial)";
        return FW_E_INVAL;
    }
    if (!text_copy(trial, c->trial, TRIAL_NUMBER_MAX) || !trial_number_is_valid(c->trial)) {
        *why = "trial must be D and 1 to 15 digits (R1)";
        return FW_E_INVAL;
    }
    if (!text_copy(org, c->org, TRIAL_ORG_MAX)) {
        *why = "org must be 1 to 64 printable characters";
        return FW_E_INVAL;
    }
    if (cJSON_IsString(typ) && strcmp(typ->valuestring, "trial") == 0) {
        c->typ = TRIAL_TYPE_TRIAL;
    } else if (cJSON_IsString(typ) && strcmp(typ->valuestring, "paid") == 0) {
        c->typ = TRIAL_TYPE_PAID;
    } else {
        *why = "typ must be \"trial\" or \"paid\"";
        return FW_E_INVAL;
    }
    int64_t v;
    if (!int_claim(seq, 1, UINT32_MAX, &v, &s_seq_why, why)) {
        return FW_E_INVAL;
    }
    c->seq = (uint32_t)v;
    if (!int_claim(iat, 0, TRIAL_TIME_MAX, &c->iat, &s_iat_why, why)) {
        return FW_E_INVAL;
    }
    if (texp != NULL) {
        if (!int_claim(texp, 0, TRIAL_TIME_MAX, &c->trial_exp, &s_exp_why, why)) {
            return FW_E_INVAL;
        }
        c->has_trial_exp = true;
    } else if (c->typ == TRIAL_TYPE_TRIAL) {
        *why = "trial_exp is missing (a trial licence needs its expiry)";
        return FW_E_INVAL;
    }
    if (ext != NULL) {
        if (!int_claim(ext, 0, 1, &v, &s_ext_why, why)) {
            return FW_E_INVAL;
        }
        c->ext = (uint8_t)v;
    }
    if (keep != NULL) {
        if (!cJSON_IsBool(keep)) {
            *why = "keep must be true or false";
            return FW_E_INVAL;
        }
        c->keep = cJSON_IsTrue(keep);
    }
    if (!text_copy(region, c->region, 2) || strlen(c->region) != 2 || c->region[0] < 'A' ||
        c->region[0] > 'Z' || c->region[1] < 'A' || c->region[1] > 'Z') {
        *why = "region must be two upper-case letters";
        return FW_E_INVAL;
    }
    if (svc == NULL) {
        *why = "svc is missing (the licence's services)";
        return FW_E_INVAL;
    }
    int rc = parse_svc(svc, c, why);
    if (rc != 0) {
        return rc;
    }
    if (offer != NULL && !text_copy(offer, c->offer, TRIAL_OFFER_MAX)) {
        *why = "offer must be 1 to 16 printable characters";
        return FW_E_INVAL;
    }
    if (site != NULL && !text_copy(site, c->site, TRIAL_SITE_MAX)) {
        *why = "site must be 1 to 128 printable characters";
        return FW_E_INVAL;
    }
    return 0;
}

int trial_claims_parse(const char *json, size_t len, trial_claims_t *out, const char **why)
{
    const char *dummy;
    if (why == NULL) {
        why = &dummy;
    }
    *why = "";
    if (out == NULL || (json == NULL && len != 0)) {
        return FW_E_INVAL;
    }
    memset(out, 0, sizeof *out);
    if (len > TRIAL_PAYLOAD_MAX) {
        *why = "payload too large";
        return FW_E_TOOBIG;
    }
    if (len == 0) {
        *why = "empty";
        return FW_E_FORMAT;
    }
    /* cJSON turns "\u0000" into a NUL that would silently cut a string
     * ("FOC...\u0000x" reading as the serial): refuse it outright. */
    for (size_t i = 0; i + 6 <= len; i++) {
        if (json[i] == '\\' && json[i + 1] == 'u' && json[i + 2] == '0' && json[i + 3] == '0' &&
            json[i + 4] == '0' && json[i + 5] == '0') {
            *why = "NUL in string";
            return FW_E_FORMAT;
        }
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (root == NULL) {
        *why = "not JSON";
        return FW_E_FORMAT;
    }
    int rc = 0;
    /* cJSON stops at the end of the value; only whitespace may follow. */
    for (const char *p = end; p < json + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            *why = "trailing bytes";
            rc = FW_E_FORMAT;
            break;
        }
    }
    if (rc == 0 && !cJSON_IsObject(root)) {
        *why = "not an object";
        rc = FW_E_FORMAT;
    }
    if (rc == 0) {
        rc = parse_object(root, out, why);
    }
    cJSON_Delete(root);
    return rc;
}
