/*
 * Values at a field's limits (limits.h). A string with a content rule gets
 * a value of that shape, chosen by the rule the table names.
 */
#include "limits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/provisioning.h"

/* `n` characters shaped for field `f`'s content rule. */
static void shaped(const proto_field_t *f, long long n, char *out, size_t cap)
{
    static const char pem[] = "-----BEGIN PUBLIC KEY-----";
    size_t len = (size_t)n < cap ? (size_t)n : cap - 1;
    char fill = 'a';
    const char *head = "";
    if (f->check == proto_check_serial) {
        fill = 'Z';
    } else if (f->check == proto_check_trial) {
        head = "D";
        fill = '9';
    } else if (f->check == proto_check_dial_prefix) {
        fill = '9';
    } else if (f->check == proto_check_token) {
        fill = 'A';
    } else if (f->check == proto_check_return_url) {
        head = "https://";
    } else if (f->check == proto_check_pubkey_pem) {
        head = pem;
        fill = 'A';
    } else if (f->check == proto_check_region || f->check == proto_check_locale ||
               f->check == proto_check_mac) {
        /* fixed shapes, cut or lengthened by one */
        const char *full = f->check == proto_check_region   ? "DEU"
                           : f->check == proto_check_locale ? (n <= 2 ? "de" : "de-ATX")
                                                            : "02:ab:cd:00:00:011";
        (void)snprintf(out, cap, "%.*s", (int)len, full);
        return;
    } else if (f->check == proto_check_server) {
        /* coaps://HOST:PORT, the host as long as it takes */
        long long host = n - 14 > 1 ? n - 14 : 1, port = n - 9 - host;
        char h[256];
        memset(h, 'h', sizeof h);
        (void)snprintf(out, cap, "coaps://%.*s:%.*s", (int)(host < 255 ? host : 255), h,
                       (int)(port > 0 ? port : 0), "10000");
        return;
    }
    size_t h = strlen(head) < len ? strlen(head) : len;
    memcpy(out, head, h);
    memset(out + h, fill, len - h);
    out[len] = '\0';
}

bool limit_text(const proto_field_t *f, limit_t which, char *out, size_t cap)
{
    long long lo = (long long)f->min, hi = (long long)f->max;
    long long v = which == LIM_MIN         ? lo
                  : which == LIM_MAX       ? hi
                  : which == LIM_BELOW_MIN ? lo - 1
                                           : hi + 1;
    switch (f->type) {
    case PROTO_T_STR:
        if (v < 0 || (which == LIM_BELOW_MIN && lo == 0)) {
            return false;
        }
        shaped(f, v, out, cap);
        return true;
    case PROTO_T_HEX:
        if (v < 0 || (size_t)(2 * v) >= cap) {
            return false;
        }
        for (long long i = 0; i < v; i++) {
            memcpy(out + 2 * i, "ab", 2);
        }
        out[2 * v] = '\0';
        return true;
    case PROTO_T_BOOL:
        if (which == LIM_BELOW_MIN || which == LIM_ABOVE_MAX) {
            return false;
        }
        (void)snprintf(out, cap, "%s", which == LIM_MAX ? "true" : "false");
        return true;
    case PROTO_T_KIND: {
        if (which == LIM_BELOW_MIN) {
            return false;
        }
        size_t k = proto_event_kind_count();
        const char *name = which == LIM_MIN   ? proto_event_kind_name(proto_event_kind_at(0))
                           : which == LIM_MAX ? proto_event_kind_name(proto_event_kind_at(k - 1))
                                              : "no_such_kind";
        (void)snprintf(out, cap, "%s", name);
        return true;
    }
    default: /* integers, CONST */ (void)snprintf(out, cap, "%lld", v); return true;
    }
}

bool limit_json(const proto_field_t *f, limit_t which, char *out, size_t cap)
{
    if (cap < 3 || !limit_text(f, which, out + 1, cap - 2)) {
        return false;
    }
    if (f->type == PROTO_T_STR || f->type == PROTO_T_HEX || f->type == PROTO_T_KIND) {
        size_t n = strlen(out + 1);
        out[0] = '"';
        out[n + 1] = '"';
        out[n + 2] = '\0';
    } else {
        memmove(out, out + 1, strlen(out + 1) + 1);
    }
    return true;
}

void limit_fill(const proto_record_t *r, void *obj, limit_t which)
{
    static char text[2048];
    char why[200];
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (f->type != PROTO_T_CONST && limit_text(f, which, text, sizeof text) &&
            proto_field_from_text(f, obj, text, "", why, sizeof why) != 0) {
            fprintf(stderr, "limits: %s.%s at its limit does not read: %s\n", r->name, f->name,
                    why);
            abort();
        }
    }
}
