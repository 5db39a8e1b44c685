/*
 * trial_fixture.h - claims and instants shared by the trial unit tests.
 *
 * The device of the licence vectors (tests/vectors): serial FOC2240Y1ZZ, trial D1000001,
 * E = 2026-12-15T00:00:00Z.
 */
#ifndef TRIAL_FIXTURE_H
#define TRIAL_FIXTURE_H

#include <string.h>

#include "trial/claims.h"
#include "trial/history.h"

#define FX_SERIAL "FOC2240Y1ZZ"
#define FX_TRIAL "D1000001"
#define FX_E INT64_C(1797292800)   /* 2026-12-15T00:00:00Z */
#define FX_IAT INT64_C(1792108800) /* 2026-10-16T00:00:00Z */
#define DAY TRIAL_DAY_S
#define HOUR INT64_C(3600)

static inline void fx_add_svc(trial_claims_t *c, const char *id, int64_t exp)
{
    trial_service_t *s = &c->svc[c->n_svc++];
    memset(s, 0, sizeof *s);
    strncpy(s->id, id, TRIAL_SVC_ID_MAX);
    s->exp = exp;
}

static inline trial_claims_t fx_trial(uint32_t seq, int64_t iat, int64_t exp, uint8_t ext)
{
    trial_claims_t c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, FX_SERIAL);
    strcpy(c.trial, FX_TRIAL);
    strcpy(c.org, "org-example");
    c.typ = TRIAL_TYPE_TRIAL;
    c.seq = seq;
    c.iat = iat;
    c.has_trial_exp = true;
    c.trial_exp = exp;
    c.ext = ext;
    strcpy(c.region, "US");
    fx_add_svc(&c, "calling", exp);
    fx_add_svc(&c, "meetings", exp);
    return c;
}

static inline trial_claims_t fx_paid(uint32_t seq, int64_t iat)
{
    trial_claims_t c = fx_trial(seq, iat, 0, 0);
    c.typ = TRIAL_TYPE_PAID;
    c.has_trial_exp = false;
    c.trial_exp = 0;
    c.n_svc = 0;
    fx_add_svc(&c, "calling", iat + 365 * DAY);
    strcpy(c.offer, "M2");
    return c;
}

/* A distinct fake token hash per seq (the rules only compare hashes). */
static inline void fx_hash(uint8_t h[TRIAL_HASH_LEN], uint32_t seq, uint8_t salt)
{
    memset(h, 0, TRIAL_HASH_LEN);
    h[0] = (uint8_t)seq;
    h[1] = (uint8_t)(seq >> 8);
    h[2] = salt;
    h[31] = 0xA5;
}

/* A fresh history that accepted `c` (hash of its seq) at `now`. */
static inline trial_accept_t fx_accept_fresh(trial_history_t *h, const trial_claims_t *c,
                                             int64_t now)
{
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, c->seq, 0);
    trial_history_init(h);
    return trial_history_accept(h, c, hash, now);
}

#endif /* TRIAL_FIXTURE_H */
