/*
 * trial/history.h - what a device remembers about its licences, and the rules
 * a new licence must pass against it.
 *
 * Pure: no HAL, no clock, no I/O. The history is persisted by
 * trial/persist.h through the versioned encoding below. See
 * docs/TRIAL_ENGINE.md for the rules and the fail-safe decisions.
 */
#ifndef TRIAL_HISTORY_H
#define TRIAL_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trial/claims.h"

#define TRIAL_DAY_S INT64_C(86400)
#define TRIAL_EXPIRING_S (7 * TRIAL_DAY_S)   /* E - 7 d: `expiring` (R7) */
#define TRIAL_LAST_DAY_S (1 * TRIAL_DAY_S)   /* E - 1 d: the last day (R7) */
#define TRIAL_GRACE_S (30 * TRIAL_DAY_S)     /* E + 30 d: `lapsed` (R8, R9) */
#define TRIAL_NUMBERS_S (45 * TRIAL_DAY_S)   /* E + 45 d: `released` (R11) */
#define TRIAL_EXTENSION_S (30 * TRIAL_DAY_S) /* one extension (R4) */

#define TRIAL_HASH_LEN 32u

/* Notices, in the order they fall due. Each is raised once (bit in `notices`). */
typedef enum {
    TRIAL_NOTICE_EXPIRING = 0, /* E - 7 d (R7, R14) */
    TRIAL_NOTICE_LAST_DAY = 1, /* E - 1 d (R7) */
    TRIAL_NOTICE_EXPIRED = 2,  /* E (R8) */
    TRIAL_NOTICE_LAPSED = 3,   /* E + 30 d (R10, R11: calling degraded) */
    TRIAL_NOTICE_RELEASED = 4, /* E + 45 d (R11: numbers released) */
    TRIAL_NOTICE_COUNT = 5,
} trial_notice_t;

typedef struct {
    uint32_t highest_seq;               /* 0: no licence accepted yet */
    bool has_exp;                       /* a trial licence was accepted */
    int64_t first_exp;                  /* trial_exp of the first accepted trial licence */
    int64_t current_exp;                /* E now (<= first_exp + 30 d) */
    uint8_t ext_used;                   /* 0 or 1 (R4) */
    bool paid_seen;                     /* a paid licence was accepted (R5) */
    bool lapsed_reached;                /* E + 30 d passed unpaid: final (R9) */
    bool untrusted;                     /* loaded after a rollback or damage: fail safe */
    uint8_t notices;                    /* bit n: notice n raised */
    uint8_t token_hash[TRIAL_HASH_LEN]; /* SHA-256 of the current token */
    int64_t hwm;                        /* trusted-time high-water mark at the last save */
} trial_history_t;

typedef enum {
    TRIAL_ACCEPT_OK = 0,        /* accepted: history updated, persist it */
    TRIAL_ACCEPT_SAME,          /* the current token again: no-op */
    TRIAL_ACCEPT_REPLAY,        /* seq not above the highest accepted */
    TRIAL_ACCEPT_PAID_TO_TRIAL, /* trial licence after a paid one (R5) */
    TRIAL_ACCEPT_EXT_COUNT,     /* ext > 1, or a second extension (R4) */
    TRIAL_ACCEPT_EXP_BEYOND,    /* trial_exp beyond first E + 30 d (R4) */
    TRIAL_ACCEPT_EXP_LATER,     /* trial_exp moved later without an extension */
    TRIAL_ACCEPT_LAPSED,        /* lapsed is final (R9) */
    TRIAL_ACCEPT_UNTRUSTED,     /* history untrusted: only a paid licence */
    TRIAL_ACCEPT_INVAL,         /* bad arguments (programmer error) */
} trial_accept_t;

/* A fresh device's history (nothing accepted, hwm 0). */
void trial_history_init(trial_history_t *h);

/* Decide whether the licence `c` (verified, naming this device) with token
 * hash `hash` may replace the current one, at trusted instant `now`. On
 * TRIAL_ACCEPT_OK `h` is updated (seq, E, ext, paid, hash, hwm advanced to
 * the licence's iat); on anything else `h` is untouched. */
trial_accept_t trial_history_accept(trial_history_t *h, const trial_claims_t *c,
                                    const uint8_t hash[TRIAL_HASH_LEN], int64_t now);

/* Let trusted time `now` pass over the history: advances hwm and records
 * `lapsed_reached` once E + 30 d has passed unpaid. Returns true when `h`
 * changed (persist it). */
bool trial_history_observe(trial_history_t *h, int64_t now);

/* True when no new trial time can ever be granted (R9). */
bool trial_history_is_lapsed(const trial_history_t *h, int64_t now);

/* Notices due at trusted instant `now` and not yet raised, in order, from E
 * in the history (none before a trial licence, none once paid). Writes up to
 * TRIAL_NOTICE_COUNT entries to `out` and returns how many. Does not change
 * `h`: once raised, call trial_notices_mark(). */
size_t trial_notices_due(const trial_history_t *h, int64_t now,
                         trial_notice_t out[TRIAL_NOTICE_COUNT]);
void trial_notices_mark(trial_history_t *h, const trial_notice_t *n, size_t count);
/* The instant notice `n` falls due for expiry `e`. */
int64_t trial_notice_instant(trial_notice_t n, int64_t e);

const char *trial_accept_name(trial_accept_t a);
const char *trial_notice_name(trial_notice_t n);

/* Versioned binary form (little-endian, fixed size). */
#define TRIAL_HISTORY_VERSION 1u
#define TRIAL_HISTORY_ENCODED_LEN 68u

/* Returns the bytes written (TRIAL_HISTORY_ENCODED_LEN) or FW_E_NOSPACE. */
int trial_history_encode(const trial_history_t *h, uint8_t *buf, size_t cap);
/* Returns 0, FW_E_UNSUPPORTED (another version), FW_E_FORMAT (wrong length,
 * bad magic) or FW_E_CORRUPT (fields inconsistent). `h` is filled only on 0. */
int trial_history_decode(trial_history_t *h, const uint8_t *buf, size_t len);

#endif /* TRIAL_HISTORY_H */
