/*
 * Provisioning record codec. Everything read here came out of flash, so it is
 * treated as hostile: every field is bounded and checked before it is used.
 */
#include "proto/provisioning.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fw/err.h"
#include "proto_priv.h"
#include "fw/hex.h"

#define fail(why, cap, ...) proto_fail(why, cap, FW_E_INVAL, __VA_ARGS__)

static int check_text(const char *field, const char *s, size_t min, char *why, size_t cap)
{
    size_t n = strlen(s);
    if (n < min) {
        return fail(why, cap, "%s: must not be empty", field);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\n' && c != '\r') {
            return fail(why, cap, "%s: contains a control character", field);
        }
    }
    return 0;
}

int proto_provisioning_validate(const proto_provisioning_t *p, char *why, size_t cap)
{
    int rc;
    if ((rc = proto_check_serial(p->serial, why, cap)) ||
        (rc = check_text("model", p->model, 1, why, cap)) ||
        (rc = proto_check_trial(p->trial, why, cap)) ||
        (rc = proto_check_server(p->server, why, cap)) ||
        (rc = proto_check_region(p->region, why, cap)) ||
        (rc = proto_check_locale(p->locale, why, cap)) ||
        (rc = proto_check_dial_prefix(p->dial_prefix, why, cap))) {
        return rc;
    }
    if (strncmp(p->licence_pubkey, "-----BEGIN PUBLIC KEY-----", 26) != 0) {
        return fail(why, cap,
                    "licence_pubkey: expected a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    if ((rc = proto_check_psk_len(p->psk_len, why, cap))) {
        return rc;
    }
    if (p->support_psk_len && proto_check_psk_len(p->support_psk_len, why, cap)) {
        return fail(why, cap, "support_psk: expected %d to %d bytes", PROTO_PSK_MIN, PROTO_PSK_MAX);
    }
    if ((rc = check_text("psk_identity", p->psk_identity, 1, why, cap)) ||
        (rc = check_text("return_url", p->return_url, 0, why, cap))) {
        return rc;
    }
    if (p->provisioned_at < 0) {
        return fail(why, cap, "provisioned_at: must not be negative");
    }
    return 0;
}

int proto_provisioning_encode(const proto_provisioning_t *p, char *buf, size_t cap, size_t *len,
                              char *why, size_t why_cap)
{
    int rc = proto_provisioning_validate(p, why, why_cap);
    if (rc) {
        return rc;
    }
    char psk_hex[2 * PROTO_PSK_MAX + 1], support_hex[2 * PROTO_PSK_MAX + 1];
    (void)fw_hex_encode(p->psk, p->psk_len, psk_hex, sizeof psk_hex);
    (void)fw_hex_encode(p->support_psk, p->support_psk_len, support_hex, sizeof support_hex);

    cJSON *o = cJSON_CreateObject();
    if (!o) {
        return FW_E_NOMEM;
    }
    bool ok = cJSON_AddNumberToObject(o, "v", PROTO_PROV_VERSION) &&
              cJSON_AddStringToObject(o, "serial", p->serial) &&
              cJSON_AddStringToObject(o, "model", p->model) &&
              cJSON_AddStringToObject(o, "trial", p->trial) &&
              cJSON_AddStringToObject(o, "server", p->server) &&
              cJSON_AddStringToObject(o, "licence_pubkey", p->licence_pubkey) &&
              cJSON_AddStringToObject(o, "region", p->region) &&
              cJSON_AddStringToObject(o, "locale", p->locale) &&
              cJSON_AddStringToObject(o, "psk", psk_hex) &&
              cJSON_AddStringToObject(o, "psk_identity", p->psk_identity) &&
              cJSON_AddStringToObject(o, "support_psk", support_hex) &&
              cJSON_AddStringToObject(o, "return_url", p->return_url) &&
              cJSON_AddStringToObject(o, "dial_prefix", p->dial_prefix) &&
              cJSON_AddNumberToObject(o, "provisioned_at", (double)p->provisioned_at) &&
              (p->gen == 0 || cJSON_AddNumberToObject(o, "gen", (double)p->gen));
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text) {
        return FW_E_NOMEM;
    }
    size_t n = strlen(text);
    rc = 0;
    if (n > cap) {
        rc = FW_E_NOSPACE;
    } else {
        memcpy(buf, text, n);
        *len = n;
    }
    cJSON_free(text);
    return rc;
}

/* Copy string field `name` into dst[cap]; `required` fields must be present. */
static int get_str(const cJSON *o, const char *name, char *dst, size_t cap, bool required,
                   char *why, size_t why_cap)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!it) {
        dst[0] = '\0';
        return required ? fail(why, why_cap, "%s: missing", name) : 0;
    }
    if (!cJSON_IsString(it) || !it->valuestring) {
        return fail(why, why_cap, "%s: expected a string", name);
    }
    size_t n = strlen(it->valuestring);
    if (n >= cap) {
        return fail(why, why_cap, "%s: longer than %zu characters", name, cap - 1);
    }
    memcpy(dst, it->valuestring, n + 1);
    return 0;
}

static int get_hex(const cJSON *o, const char *name, uint8_t *dst, size_t *n, bool required,
                   char *why, size_t why_cap)
{
    char hex[2 * PROTO_PSK_MAX + 1];
    int rc = get_str(o, name, hex, sizeof hex, required, why, why_cap);
    if (rc) {
        return rc;
    }
    *n = 0;
    if (fw_hex_decode(hex, dst, PROTO_PSK_MAX, n) != 0) {
        return fail(why, why_cap, "%s: expected hex digits", name);
    }
    return 0;
}

int proto_provisioning_decode(const char *buf, size_t len, proto_provisioning_t *out, char *why,
                              size_t why_cap)
{
    memset(out, 0, sizeof *out);
    cJSON *o = cJSON_ParseWithLength(buf, len);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        fail(why, why_cap, "record: not a JSON object");
        return FW_E_FORMAT;
    }
    int rc = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "provisioned_at");
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(o, "gen");
    if (!cJSON_IsNumber(v) || v->valuedouble != PROTO_PROV_VERSION) {
        rc = fail(why, why_cap, "v: expected format version %d", PROTO_PROV_VERSION);
    } else if ((rc = get_str(o, "serial", out->serial, sizeof out->serial, true, why, why_cap)) ||
               (rc = get_str(o, "model", out->model, sizeof out->model, true, why, why_cap)) ||
               (rc = get_str(o, "trial", out->trial, sizeof out->trial, true, why, why_cap)) ||
               (rc = get_str(o, "server", out->server, sizeof out->server, true, why, why_cap)) ||
               (rc = get_str(o, "licence_pubkey", out->licence_pubkey, sizeof out->licence_pubkey,
                             true, why, why_cap)) ||
               (rc = get_str(o, "region", out->region, sizeof out->region, true, why, why_cap)) ||
               (rc = get_str(o, "locale", out->locale, sizeof out->locale, true, why, why_cap)) ||
               (rc = get_hex(o, "psk", out->psk, &out->psk_len, true, why, why_cap)) ||
               (rc = get_str(o, "psk_identity", out->psk_identity, sizeof out->psk_identity, true,
                             why, why_cap)) ||
               (rc = get_hex(o, "support_psk", out->support_psk, &out->support_psk_len, false, why,
                             why_cap)) ||
               (rc = get_str(o, "return_url", out->return_url, sizeof out->return_url, false, why,
                             why_cap)) ||
               (rc = get_str(o, "dial_prefix", out->dial_prefix, sizeof out->dial_prefix, false,
                             why, why_cap))) {
        /* `why` names the field */
    } else if (at && (!cJSON_IsNumber(at) || at->valuedouble < 0 || at->valuedouble > 1e13)) {
        rc = fail(why, why_cap, "provisioned_at: expected seconds since 1970");
    } else if (gen && (!cJSON_IsNumber(gen) || gen->valuedouble < 0 ||
                       gen->valuedouble > (double)PROTO_GEN_MAX ||
                       gen->valuedouble != (double)(uint32_t)gen->valuedouble)) {
        rc =
            fail(why, why_cap, "gen: expected an integer from 0 to %lld", (long long)PROTO_GEN_MAX);
    } else {
        out->gen = gen ? (uint32_t)gen->valuedouble : 0;
        out->provisioned_at = at ? (int64_t)at->valuedouble : 0;
        rc = proto_provisioning_validate(out, why, why_cap);
    }
    cJSON_Delete(o);
    return rc ? FW_E_FORMAT : 0;
}
