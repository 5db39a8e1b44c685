/*
 * Field checks shared by every record that carries these fields (the
 * provisioning record, the enrollment record, the reports) and by the tools'
 * argument checks, so a refusal reads the same everywhere.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "proto_priv.h"
#include "proto/provisioning.h"

int proto_fail(char *why, size_t cap, int rc, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return rc;
}
#define fail(why, cap, ...) proto_fail(why, cap, FW_E_INVAL, __VA_ARGS__)

int proto_check_serial(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    if (n < 8 || n > 20) {
        return fail(why, cap, "serial: expected 8 to 20 characters A-Z 0-9, got %zu characters", n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!(isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]))) {
            return fail(why, cap, "serial: expected only A-Z and 0-9, got '%c' at position %zu",
                        isprint((unsigned char)s[i]) ? s[i] : '?', i + 1);
        }
    }
    return 0;
}

int proto_check_trial(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    bool ok = n >= 2 && n <= 16 && s[0] == 'D';
    for (size_t i = 1; ok && i < n; i++) {
        ok = isdigit((unsigned char)s[i]) != 0;
    }
    return ok ? 0 : fail(why, cap, "trial: expected D followed by 1 to 15 digits (e.g. D1000001)");
}

int proto_check_server(const char *s, char *why, size_t cap)
{
    static const char scheme[] = "coaps://";
    if (strncmp(s, scheme, sizeof scheme - 1) != 0) {
        return fail(why, cap, "server: expected coaps://HOST:PORT (DTLS only)");
    }
    const char *host = s + sizeof scheme - 1;
    const char *colon = strrchr(host, ':');
    if (!colon || colon == host || strlen(s) >= sizeof(((proto_provisioning_t *)0)->server)) {
        return fail(why, cap, "server: expected coaps://HOST:PORT with a host and a port");
    }
    if (host[0] == '[' && colon[-1] != ']') {
        return fail(why, cap, "server: an IPv6 host must be in brackets, e.g. coaps://[::1]:5684");
    }
    for (const char *h = host; h < colon; h++) {
        if (!isalnum((unsigned char)*h) && !strchr(".-[]:", *h)) {
            return fail(why, cap, "server: host has a character that is not allowed: '%c'", *h);
        }
    }
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
        return fail(why, cap, "server: port must be a number from 1 to 65535");
    }
    return 0;
}

int proto_check_region(const char *s, char *why, size_t cap)
{
    bool ok = strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
    return ok ? 0
              : fail(why, cap,
                     "region: expected an ISO 3166 two-letter code in capitals (e.g. US, DE)");
}

int proto_check_locale(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    bool ok = (n == 2 || n == 5) && islower((unsigned char)s[0]) && islower((unsigned char)s[1]);
    if (ok && n == 5) {
        ok = s[2] == '-' && isupper((unsigned char)s[3]) && isupper((unsigned char)s[4]);
    }
    return ok ? 0 : fail(why, cap, "locale: expected a language code like en or de-DE");
}

int proto_check_dial_prefix(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    bool ok = n <= PROTO_DIAL_PREFIX_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        ok = isdigit((unsigned char)s[i]) != 0;
    }
    return ok ? 0
              : fail(why, cap,
                     "dial_prefix: expected the outside-line prefix, 0 to %d digits (e.g. 9 or "
                     "0), got '%.8s'",
                     PROTO_DIAL_PREFIX_MAX, s);
}

int proto_check_return_url(const char *s, char *why, size_t cap)
{
    size_t max = sizeof(((proto_provisioning_t *)0)->return_url) - 1;
    bool ok = (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
              strlen(s) <= max && strchr(s, ' ') == NULL;
    return ok ? 0
              : fail(why, cap,
                     "return_url: expected an http:// or https:// URL of at most %zu characters "
                     "without spaces",
                     max);
}

int proto_check_pubkey_pem(const char *s, char *why, size_t cap)
{
    static const char head[] = "-----BEGIN PUBLIC KEY-----";
    return strncmp(s, head, sizeof head - 1) == 0
               ? 0
               : fail(why, cap, "licence_pubkey: expected a PEM public key (%s)", head);
}
