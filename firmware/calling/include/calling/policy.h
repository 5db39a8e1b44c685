/*
 * calling/policy.h - may this call go through? (pure: no HAL, no clock)
 *
 * After the grace period calling is degraded (R11): only emergency numbers
 * go through, and incoming calls only in the call-back window after an
 * emergency call. Emergency numbers stay callable in every state and every
 * failure (docs/TRIAL_RULES.md); the tables err on the side of safety: an unknown
 * region gets every table's numbers, and 112 and 911 work everywhere.
 * Rules, tables and their sources: docs/EMERGENCY.md.
 */
#ifndef CALLING_POLICY_H
#define CALLING_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    CALLING_MODE_FULL = 0,     /* every number */
    CALLING_MODE_DEGRADED = 1, /* emergency numbers only (R11) */
} calling_mode_t;

/* Where a device stands, as support names it (trialctl call --state). */
typedef enum {
    CALLING_STATE_TRIAL = 0,
    CALLING_STATE_EXPIRING,
    CALLING_STATE_GRACE,
    CALLING_STATE_LAPSED,
    CALLING_STATE_RELEASED,
    CALLING_STATE_PAID,
    CALLING_STATE_NONE,          /* provisioned, no licence in force yet */
    CALLING_STATE_UNPROVISIONED, /* or provisioning, flash or store unusable */
    CALLING_STATE_COUNT,
} calling_state_t;

typedef enum {
    CALLING_REASON_FULL = 0,         /* allowed: calling is full in this state */
    CALLING_REASON_EMERGENCY,        /* allowed: an emergency number, in every state */
    CALLING_REASON_DEGRADED,         /* denied: emergency numbers only */
    CALLING_REASON_NOT_A_NUMBER,     /* denied: empty, too long, or not 0-9 + * # */
    CALLING_REASON_CALLBACK_WINDOW,  /* incoming allowed: after an emergency call */
    CALLING_REASON_INCOMING_BLOCKED, /* incoming denied: calling degraded */
} calling_reason_t;

#define CALLING_NUMBER_MAX 32        /* normalised number, with its NUL */
#define CALLING_PREFIX_MAX 2         /* outside-line prefix: 0..2 digits */
#define CALLING_CALLBACK_S 3600      /* call-back window after an emergency call */
#define CALLING_REGION_NUMBERS 12    /* numbers one region table holds at most */
#define CALLING_CHECKED "2026-11-28" /* when the tables were last checked */

typedef struct {
    bool allow;
    bool emergency; /* the (normalised) number is an emergency number here */
    calling_reason_t reason;
    /* The number the decision is about: separators removed and, when it is
     * present, the outside-line prefix taken off once. "" if not a number. */
    char normalised[CALLING_NUMBER_MAX];
} calling_verdict_t;

/* One region's table (docs/EMERGENCY.md lists the same rows). */
typedef struct {
    const char *region; /* ISO 3166 alpha-2 */
    const char *name;
    const char *numbers[CALLING_REGION_NUMBERS]; /* NULL-terminated when shorter */
    const char *source;
} calling_region_t;

/* An outgoing call. `region`: ISO 3166 alpha-2 from the licence or the
 * provisioning (NULL or "" if unknown). `dial_prefix`: the room's
 * outside-line prefix (NULL or "" if none; anything but 0..2 digits is
 * ignored). `number`: as dialled; spaces, '-', '.', '/', '(' and ')' are
 * ignored. Emergency numbers are allowed in every mode, with or without the
 * prefix; in degraded mode everything else is denied. */
calling_verdict_t calling_decide(calling_mode_t mode, const char *region, const char *dial_prefix,
                                 const char *number);

/* An incoming call from `caller` (may be NULL or "": withheld).
 * `since_emergency_s`: seconds since this room's last emergency call, or a
 * negative value if there was none. Full: allowed. Degraded: allowed only
 * within the call-back window, 0 <= since < CALLING_CALLBACK_S, whoever
 * calls (a PSAP's caller id is often withheld); denied otherwise. */
calling_verdict_t calling_decide_incoming(calling_mode_t mode, const char *caller,
                                          int64_t since_emergency_s);

/* True if `number` is an emergency number in `region`, bare or behind the
 * outside-line prefix (see calling_decide()). */
bool calling_is_emergency(const char *region, const char *dial_prefix, const char *number);

/* Full or degraded for a state: trial, expiring, grace and paid are full;
 * lapsed, released, none and unprovisioned are degraded (R11, docs/TRIAL_RULES.md). */
calling_mode_t calling_mode_for_state(calling_state_t s);
const char *calling_state_name(calling_state_t s);
/* 0 and *out set, or -1 for a name that is not a state. */
int calling_state_parse(const char *name, calling_state_t *out);

/* A stable token ("emergency_number", ...) and a sentence for people. */
const char *calling_reason_name(calling_reason_t r);
const char *calling_reason_text(calling_reason_t r);

/* The region tables, in the order docs/EMERGENCY.md lists them. */
size_t calling_region_count(void);
const calling_region_t *calling_region_at(size_t i);
/* Numbers that are emergency numbers in every region (112, 911). */
const char *const *calling_everywhere(size_t *count);

#endif /* CALLING_POLICY_H */
