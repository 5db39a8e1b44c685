/*
 * partner.h - what a partner may ask of a trial, checked before anything is
 * planned: trial numbers (R1), organisation names, WebEx site URLs, the
 * offers, plans and add-ons of an order and what becomes of the WebEx site
 * (R6), who may keep the devices (R3), what may still change on a trial.
 *
 * Pure: no database, no clock, no I/O; the trial row and the instant are
 * arguments. The trial timeline's own rules (one extension R4, paid is
 * final R5, lapsed is final R9) are not here: the licence planner
 * (licence_plan.h) applies them, through fw_trial, to what this returns.
 * Every refusal returns FW_E_INVAL (the request is malformed: an unknown
 * offer, a URL that is not https) or FW_E_STATE (well formed, but not for
 * this trial), with `why` naming the option and, where one applies, the
 * rule.
 */
#ifndef COLLECTOR_PARTNER_H
#define COLLECTOR_PARTNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/payload.h"
#include "db.h"

#define PARTNER_SITE_MAX 128u   /* characters in a site URL (the licence's `site`) */
#define PARTNER_ADD_ONS_MAX 96u /* characters of the add-on names, ", "-separated */

/* A trial as the collector keeps it: its own licence (`lic`: serial "",
 * trial, org, region = the organisation's, typ, E, ext, keep, services, and
 * once converted the offer and site the paid licence names) and what the
 * partner told us. */
typedef struct {
    collector_licence_t lic;
    char webex_site[PARTNER_SITE_MAX + 1]; /* the trial's WebEx site, "" when not known */
    char offer[6];                         /* the order that converted it: A-SPK, A-WX, "" */
    char plan[3];                          /* M1 ... C3, "" */
    char add_ons[PARTNER_ADD_ONS_MAX + 1]; /* its add-ons, "" none */
    bool new_site;                         /* A-WX: lic.site is a new site (R6) */
    int64_t converted_at;                  /* 0 while a trial */
    int64_t created_at;
} collector_trial_t;

typedef enum { PARTNER_A_SPK, PARTNER_A_WX } partner_offer_t;

typedef enum {
    PARTNER_ADDON_ROOM_SYSTEM = 1u << 0,     /* Spark Room System */
    PARTNER_ADDON_TRAINING_CENTER = 1u << 1, /* WebEx Training Center 200 */
    PARTNER_ADDON_EVENT_CENTER = 1u << 2,    /* WebEx Event Center 1000 */
} partner_addon_t;

typedef enum {
    PARTNER_EXTEND,      /* once, by 30 days (R4) */
    PARTNER_ADD_SERVICE, /* R4 */
    PARTNER_KEEP,        /* the customer keeps the devices (R3, US only) */
    PARTNER_CONVERT,     /* an order converts the trial (R2, R6) */
} partner_act_kind_t;

typedef struct {
    partner_act_kind_t kind;
    /* PARTNER_ADD_SERVICE */
    char service[33];
    int64_t until;
    /* PARTNER_CONVERT */
    partner_offer_t offer;
    char plan[3];
    unsigned add_ons;       /* partner_addon_t bits */
    const char *webex_site; /* --webex-site, NULL when not given */
} partner_act_t;

/* What a checked act changes. `ch` is the licence change to plan on the
 * trial and on each of its endpoints (its offer/site point into this
 * struct); `after` is the trial's row with the partner's part of the
 * change made (the planner makes the licence's). `noop`: nothing to change
 * (the devices are kept already). `note` tells the partner what happens
 * (R6: which site the WebEx part has, R3: usage data kept). */
typedef struct {
    cdb_licence_change_t ch;
    collector_trial_t after;
    char offer[17]; /* the paid licence's `offer`: "A-SPK M3" */
    char site[PARTNER_SITE_MAX + 1];
    bool noop;
    char note[512];
} partner_outcome_t;

/* R1: 'D' and 1 to 15 digits. */
int partner_check_trial_number(const char *s, char *why, size_t cap);
/* An organisation's name: 1 to 64 printable characters, no quote or
 * backslash, no space at either end. */
int partner_check_org(const char *s, char *why, size_t cap);
/* A WebEx site URL: https://HOST[:PORT][/PATH], at most 128 characters. */
int partner_check_site(const char *url, char *why, size_t cap);
/* A service id as licences carry it: 1 to 32 of a-z 0-9 - _. */
int partner_check_service_id(const char *s, char *why, size_t cap);

int partner_parse_offer(const char *s, partner_offer_t *out, char *why, size_t cap);
int partner_parse_plan(const char *s, char out[3], char *why, size_t cap);
/* One add-on by its name ("WebEx Training Center 200", any case) or its
 * short id (room-system, training-center-200, event-center-1000), added to
 * `*bits`. */
int partner_parse_add_on(const char *s, unsigned *bits, char *why, size_t cap);
/* The names of the add-ons in `bits`, ", "-separated ("" for none). */
void partner_add_on_names(unsigned bits, char *out, size_t cap);

const char *partner_offer_name(partner_offer_t o);
/* M3, C3 or a WebEx add-on: the order has a WebEx part (a site). */
bool partner_has_webex_part(const char *plan, unsigned add_ons);

/* Check act `a` on trial `t` at `now`; on success fill `out`. */
int partner_act_check(const collector_trial_t *t, const partner_act_t *a, int64_t now,
                      partner_outcome_t *out, char *why, size_t cap);

#endif /* COLLECTOR_PARTNER_H */
