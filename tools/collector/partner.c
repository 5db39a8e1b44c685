/*
 * What a partner may ask of a trial (partner.h). The offers, plans and
 * add-ons are the partner guide's (docs/TRIAL_RULES.md, R6); the states a
 * trial is in come from fw_trial (collector_licence_view), never from a
 * second copy of the timeline.
 */
#include "partner.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fw/err.h"
#include "fw/iso8601.h"
#include "licence_plan.h"
#include "proto/provisioning.h"

static int say(int rc, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(int rc, char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return rc;
}

int partner_check_trial_number(const char *s, char *why, size_t cap)
{
    char detail[96];
    if (proto_check_trial(s, detail, sizeof detail) != 0) {
        return say(FW_E_INVAL, why, cap, "%s (R1)", detail);
    }
    return 0;
}

int partner_check_org(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    bool ok = n >= 1 && n <= 64 && s[0] != ' ' && s[n - 1] != ' ';
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        ok = ch >= 0x20 && ch <= 0x7e && ch != '"' && ch != '\\';
    }
    return ok ? 0
              : say(FW_E_INVAL, why, cap,
                    "org: expected 1 to 64 printable characters, no quote or backslash, "
                    "no space at either end");
}

int partner_check_site(const char *url, char *why, size_t cap)
{
    static const char scheme[] = "https://";
    const size_t sl = sizeof scheme - 1;
    if (strncmp(url, scheme, sl) != 0) {
        return say(FW_E_INVAL, why, cap,
                   "webex-site: expected an https:// URL, e.g. https://acme.webex.com");
    }
    if (strlen(url) > PARTNER_SITE_MAX) {
        return say(FW_E_INVAL, why, cap, "webex-site: at most %u characters", PARTNER_SITE_MAX);
    }
    /* A URL parser would accept far more than a site address needs (user
     * info, IP literals, queries); the licence carries the text as it is,
     * so only host, port and path characters are let through. */
    const char *p = url + sl;
    size_t host = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
    if (host == 0 || p[0] == '.' || p[0] == '-' || strstr(p, "..") != NULL) {
        return say(FW_E_INVAL, why, cap, "webex-site: expected a host name after https://");
    }
    p += host;
    if (*p == ':') {
        size_t digits = strspn(p + 1, "0123456789");
        long port = digits >= 1 && digits <= 5 ? strtol(p + 1, NULL, 10) : 0;
        if (port < 1 || port > 65535) {
            return say(FW_E_INVAL, why, cap, "webex-site: the port must be 1 to 65535");
        }
        p += 1 + digits;
    }
    if (*p != '\0' && *p != '/') {
        return say(FW_E_INVAL, why, cap, "webex-site: unexpected '%c' after the host", *p);
    }
    for (; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
            return say(FW_E_INVAL, why, cap,
                       "webex-site: the path may hold printable characters only (no space, "
                       "quote or backslash)");
        }
    }
    return 0;
}

int partner_check_service_id(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    bool ok = n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
    return ok ? 0
              : say(FW_E_INVAL, why, cap,
                    "service: expected 1 to 32 of a-z 0-9 - _ (e.g. calling, meetings, "
                    "training-center)");
}

static const char *const s_offers[] = {"A-SPK", "A-WX"};

const char *partner_offer_name(partner_offer_t o)
{
    return s_offers[o == PARTNER_A_WX ? 1 : 0];
}

int partner_parse_offer(const char *s, partner_offer_t *out, char *why, size_t cap)
{
    for (size_t i = 0; i < sizeof s_offers / sizeof s_offers[0]; i++) {
        if (strcasecmp(s, s_offers[i]) == 0) {
            *out = i == 0 ? PARTNER_A_SPK : PARTNER_A_WX;
            return 0;
        }
    }
    return say(FW_E_INVAL, why, cap, "offer: '%.32s' is not an offer: expected A-SPK or A-WX (R6)",
               s);
}

int partner_parse_plan(const char *s, char out[3], char *why, size_t cap)
{
    bool ok = strlen(s) == 2 &&
              (toupper((unsigned char)s[0]) == 'M' || toupper((unsigned char)s[0]) == 'C') &&
              s[1] >= '1' && s[1] <= '3';
    if (!ok) {
        return say(FW_E_INVAL, why, cap,
                   "plan: '%.32s' is not a plan: expected M1, M2, M3, C1, C2 or C3 (R6)", s);
    }
    out[0] = (char)toupper((unsigned char)s[0]);
    out[1] = s[1];
    out[2] = '\0';
    return 0;
}

static const struct {
    unsigned bit;
    const char *id, *name;
} s_add_ons[] = {
    {PARTNER_ADDON_ROOM_SYSTEM, "room-system", "Spark Room System"},
    {PARTNER_ADDON_TRAINING_CENTER, "training-center-200", "WebEx Training Center 200"},
    {PARTNER_ADDON_EVENT_CENTER, "event-center-1000", "WebEx Event Center 1000"},
};

int partner_parse_add_on(const char *s, unsigned *bits, char *why, size_t cap)
{
    for (size_t i = 0; i < sizeof s_add_ons / sizeof s_add_ons[0]; i++) {
        if (strcasecmp(s, s_add_ons[i].id) == 0 || strcasecmp(s, s_add_ons[i].name) == 0) {
            *bits |= s_add_ons[i].bit;
            return 0;
        }
    }
    return say(FW_E_INVAL, why, cap,
               "add-on: '%.40s' is not an add-on: expected \"Spark Room System\", \"WebEx "
               "Training Center 200\" or \"WebEx Event Center 1000\" (R6)",
               s);
}

void partner_add_on_names(unsigned bits, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof s_add_ons / sizeof s_add_ons[0] && n < cap; i++) {
        if ((bits & s_add_ons[i].bit) != 0) {
            int w = snprintf(out + n, cap - n, "%s%s", n > 0 ? ", " : "", s_add_ons[i].name);
            n += w > 0 ? (size_t)w : 0;
        }
    }
}

bool partner_has_webex_part(const char *plan, unsigned add_ons)
{
    return strcmp(plan, "M3") == 0 || strcmp(plan, "C3") == 0 ||
           (add_ons & (PARTNER_ADDON_TRAINING_CENTER | PARTNER_ADDON_EVENT_CENTER)) != 0;
}

static int refuse_converted(const collector_trial_t *t, const char *what, char *why, size_t cap)
{
    char when[FW_ISO8601_LEN], order[16];
    (void)snprintf(order, sizeof order, "%s%s%s", t->offer, t->offer[0] ? " " : "", t->plan);
    return say(FW_E_STATE, why, cap, "trial %s was converted to paid (%s%s%s): %s", t->lic.trial,
               order, order[0] ? ", " : "", fw_iso8601_format(t->converted_at, when, sizeof when),
               what);
}

/* R6: which WebEx site the paid licence names, what the partner is told. */
static int convert_site(const collector_trial_t *t, const partner_act_t *a, partner_outcome_t *out,
                        char *why, size_t cap)
{
    const char *given = a->webex_site;
    const char *trial_site = t->webex_site;
    bool webex = partner_has_webex_part(a->plan, a->add_ons);
    const char *offer = partner_offer_name(a->offer);
    if (given != NULL && partner_check_site(given, why, cap) != 0) {
        return FW_E_INVAL;
    }
    if (a->offer == PARTNER_A_SPK) {
        if (given == NULL && webex && trial_site[0] == '\0' &&
            (strcmp(a->plan, "M3") == 0 || strcmp(a->plan, "C3") == 0)) {
            return say(FW_E_STATE, why, cap,
                       "R6: %s under A-SPK must name the trial's WebEx site URL "
                       "(--webex-site https://...): without it the trial site cannot be "
                       "converted",
                       a->plan);
        }
        if (given != NULL && trial_site[0] != '\0' && strcmp(given, trial_site) != 0) {
            return say(FW_E_STATE, why, cap,
                       "R6: %.128s is not the trial's WebEx site (%.128s): under A-SPK the "
                       "trial site itself converts",
                       given, trial_site);
        }
        const char *site = given != NULL ? given : webex ? trial_site : "";
        (void)snprintf(out->site, sizeof out->site, "%s", site);
        if (trial_site[0] == '\0' && given != NULL) {
            (void)snprintf(out->after.webex_site, sizeof out->after.webex_site, "%s", given);
        }
        if (out->site[0] != '\0') {
            (void)snprintf(out->note, sizeof out->note,
                           "%s %s: the trial converts fully (R6); its WebEx site %s is now the "
                           "paid site. Usage data of the trial is kept (R3).",
                           offer, a->plan, out->site);
        } else {
            (void)snprintf(out->note, sizeof out->note,
                           "%s %s: the trial converts fully (R6). Usage data of the trial is "
                           "kept (R3).",
                           offer, a->plan);
        }
        return 0;
    }
    /* A-WX: the Spark part converts, the WebEx part gets a site of its own. */
    if (!webex) {
        if (given != NULL) {
            return say(FW_E_STATE, why, cap,
                       "R6: --webex-site given, but an A-WX order of %s without a WebEx "
                       "add-on has no WebEx part",
                       a->plan);
        }
        (void)snprintf(out->note, sizeof out->note,
                       "A-WX %s: the Spark part converts (R6); the order has no WebEx part. "
                       "Usage data of the trial is kept (R3).",
                       a->plan);
        return 0;
    }
    if (given == NULL) {
        return say(FW_E_STATE, why, cap,
                   "R6: under A-WX the WebEx part gets a new site: name its URL with "
                   "--webex-site https://...");
    }
    if (trial_site[0] != '\0' && strcasecmp(given, trial_site) == 0) {
        return say(FW_E_STATE, why, cap,
                   "R6: under A-WX the trial's site URL %.128s cannot be used for the new "
                   "site while the trial site exists: name another, or order under A-SPK to "
                   "convert the trial site",
                   given);
    }
    (void)snprintf(out->site, sizeof out->site, "%s", given);
    out->after.new_site = true;
    char lost[PARTNER_SITE_MAX + 64] = "";
    if (trial_site[0] != '\0') {
        (void)snprintf(lost, sizeof lost, " of the trial site %s", trial_site);
    }
    (void)snprintf(out->note, sizeof out->note,
                   "A-WX %s: the Spark part converts; the WebEx part gets a NEW site, %s (R6): "
                   "the content and settings%s are not carried over. Usage data of messaging, "
                   "meetings and room systems is kept (R3).",
                   a->plan, given, lost);
    return 0;
}

int partner_act_check(const collector_trial_t *t, const partner_act_t *a, int64_t now,
                      partner_outcome_t *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    out->after = *t;
    cdb_licence_change_t *ch = &out->ch;
    /* Once the grace period is over nothing of the trial can change (R9):
     * the planner says so in the device's words, so none of the partner's
     * own checks stands in front of it. */
    trial_view_t v;
    bool ended = collector_licence_view(&t->lic, now, NULL, &v) == 0 && !t->lic.paid &&
                 v.state >= TRIAL_STATE_LAPSED;
    char e[FW_ISO8601_LEN], u[FW_ISO8601_LEN];
    switch (a->kind) {
    case PARTNER_EXTEND:
        if (t->lic.paid) {
            return refuse_converted(t, "a paid subscription is not extended", why, cap);
        }
        ch->extend = true;
        return 0;
    case PARTNER_ADD_SERVICE:
        if (partner_check_service_id(a->service, why, cap) != 0) {
            return FW_E_INVAL;
        }
        if (t->lic.paid) {
            return refuse_converted(t, "services are ordered now, not added to a trial (R4)", why,
                                    cap);
        }
        if (!ended && a->until <= now) {
            return say(FW_E_INVAL, why, cap, "until: %s is not in the future",
                       fw_iso8601_format(a->until, u, sizeof u));
        }
        if (!ended && a->until > t->lic.trial_exp) {
            return say(FW_E_STATE, why, cap,
                       "until: %s is after the trial's end (%s): a trial service ends with the "
                       "trial; extend the trial first (R4)",
                       fw_iso8601_format(a->until, u, sizeof u),
                       fw_iso8601_format(t->lic.trial_exp, e, sizeof e));
        }
        ch->n_add = 1;
        (void)snprintf(ch->add[0].id, sizeof ch->add[0].id, "%s", a->service);
        ch->add[0].exp = a->until;
        return 0;
    case PARTNER_KEEP:
        if (!ended && strcmp(t->lic.region, "US") != 0) {
            return say(FW_E_STATE, why, cap,
                       "R3: only US customers may keep the devices; organisation '%s' is in %s",
                       t->lic.org, t->lic.region);
        }
        if (t->lic.keep) {
            out->noop = true;
            (void)snprintf(out->note, sizeof out->note,
                           "the customer keeps the devices already (R3): nothing changed");
            return 0;
        }
        ch->keep = true;
        (void)snprintf(out->note, sizeof out->note,
                       "R3: the customer keeps every device of the trial: no return "
                       "instructions on any of its rooms.");
        return 0;
    case PARTNER_CONVERT:
        if (t->lic.paid) {
            return refuse_converted(t, "it cannot be converted again", why, cap);
        }
        if (a->webex_site != NULL && partner_check_site(a->webex_site, why, cap) != 0) {
            return FW_E_INVAL;
        }
        if (!ended) {
            int rc = convert_site(t, a, out, why, cap);
            if (rc != 0) {
                return rc;
            }
        }
        (void)snprintf(out->offer, sizeof out->offer, "%s %s", partner_offer_name(a->offer),
                       a->plan);
        (void)snprintf(out->after.offer, sizeof out->after.offer, "%s",
                       partner_offer_name(a->offer));
        (void)snprintf(out->after.plan, sizeof out->after.plan, "%s", a->plan);
        partner_add_on_names(a->add_ons, out->after.add_ons, sizeof out->after.add_ons);
        out->after.converted_at = now;
        ch->paid = true;
        ch->offer = out->offer;
        ch->site = out->site;
        return 0;
    default: return say(FW_E_INVAL, why, cap, "unknown action");
    }
}
