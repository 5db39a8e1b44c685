/*
 * trial/claims.h - the claims of a licence, parsed and validated.
 *
 * Pure: no HAL, no clock, no I/O. The payload of a licence (see
 * docs/TRIAL_ENGINE.md) is a JSON object; trial_claims_parse() accepts it only
 * when every claim has the right type and lies in range. Unknown claims are
 * ignored (JWT convention); a known claim given twice is refused.
 */
#ifndef TRIAL_CLAIMS_H
#define TRIAL_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRIAL_SERIAL_MAX 32u    /* characters in `sub` */
#define TRIAL_NUMBER_MAX 16u    /* characters in `trial`: 'D' + 1..15 digits */
#define TRIAL_ORG_MAX 64u       /* characters in `org` */
#define TRIAL_SVC_MAX 16u       /* entries in `svc` */
#define TRIAL_SVC_ID_MAX 32u    /* characters in a service id */
#define TRIAL_OFFER_MAX 16u     /* characters in `offer` */
#define TRIAL_SITE_MAX 128u     /* characters in `site` */
#define TRIAL_PAYLOAD_MAX 3072u /* bytes of payload JSON accepted */

/* Instants are seconds since the epoch in [0, TRIAL_TIME_MAX]
 * (9999-12-31T23:59:59Z): far from int64 overflow whatever we add to them. */
#define TRIAL_TIME_MAX INT64_C(253402300799)

typedef enum {
    TRIAL_TYPE_TRIAL = 1,
    TRIAL_TYPE_PAID = 2,
} trial_type_t;

typedef struct {
    char id[TRIAL_SVC_ID_MAX + 1];
    int64_t exp;
} trial_service_t;

typedef struct {
    char sub[TRIAL_SERIAL_MAX + 1];
    char trial[TRIAL_NUMBER_MAX + 1];
    char org[TRIAL_ORG_MAX + 1];
    trial_type_t typ;
    uint32_t seq; /* >= 1 */
    int64_t iat;
    bool has_trial_exp; /* always true on a trial licence */
    int64_t trial_exp;  /* E */
    uint8_t ext;        /* 0 or 1; 0 when absent */
    bool keep;          /* false when absent */
    char region[3];     /* two upper-case letters */
    size_t n_svc;
    trial_service_t svc[TRIAL_SVC_MAX];
    char offer[TRIAL_OFFER_MAX + 1]; /* "" when absent */
    char site[TRIAL_SITE_MAX + 1];   /* "" when absent */
} trial_claims_t;

/* Parse `len` bytes of JSON (need not be NUL-terminated) into `out`.
 * Returns 0, FW_E_TOOBIG (len > TRIAL_PAYLOAD_MAX), FW_E_FORMAT (not a JSON
 * object, trailing bytes) or FW_E_INVAL (a claim missing, of the wrong type or
 * out of range). `out` is zeroed first; on failure its contents mean nothing.
 * If `why` is not NULL it gets a short static text that names the bad claim
 * first and says what it must be ("seq must be ≥ 1"); trialctl shows it. */
int trial_claims_parse(const char *json, size_t len, trial_claims_t *out, const char **why);

/* True when `s` is 'D' followed by 1..15 decimal digits (R1). */
bool trial_number_is_valid(const char *s);

#endif /* TRIAL_CLAIMS_H */
