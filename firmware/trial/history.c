/*
 * Licence history: the acceptance rules (R4, R5, R9, replay) and the notices.
 *
 * Every rule here errs on one side: when two readings are possible, the one
 * that gives the trial less time wins. A refused licence leaves the history
 * untouched, so a bad token can never damage good state.
 */
#include "trial/history.h"

#include <string.h>

#include "fw/err.h"

void trial_history_init(trial_history_t *h)
{
    memset(h, 0, sizeof *h);
}

bool trial_history_is_lapsed(const trial_history_t *h, int64_t now)
{
    if (h->paid_seen || !h->has_exp) {
        return false;
    }
    return h->lapsed_reached || now >= h->current_exp + TRIAL_GRACE_S;
}

int64_t trial_notice_instant(trial_notice_t n, int64_t e)
{
    switch (n) {
    case TRIAL_NOTICE_EXPIRING: return e - TRIAL_EXPIRING_S;
    case TRIAL_NOTICE_LAST_DAY: return e - TRIAL_LAST_DAY_S;
    case TRIAL_NOTICE_EXPIRED: return e;
    case TRIAL_NOTICE_LAPSED: return e + TRIAL_GRACE_S;
    case TRIAL_NOTICE_RELEASED: return e + TRIAL_NUMBERS_S;
    default: return INT64_MAX;
    }
}

/* A trial licence against a history with no paid licence: R4 and R9. */
static trial_accept_t check_trial(const trial_history_t *h, const trial_claims_t *c, int64_t now)
{
    if (h->untrusted) {
        return TRIAL_ACCEPT_UNTRUSTED;
    }
    if (trial_history_is_lapsed(h, now)) {
        return TRIAL_ACCEPT_LAPSED;
    }
    if (!h->has_exp) {
        return TRIAL_ACCEPT_OK;
    }
    /* `ext` counts extensions used; it never goes down. */
    if (c->ext < h->ext_used) {
        return TRIAL_ACCEPT_EXT_COUNT;
    }
    if (c->trial_exp > h->current_exp) {
        if (h->ext_used >= 1 && c->ext >= 1) {
            return TRIAL_ACCEPT_EXT_COUNT; /* a second extension */
        }
        if (c->trial_exp > h->first_exp + TRIAL_EXTENSION_S) {
            return TRIAL_ACCEPT_EXP_BEYOND;
        }
        if (!(c->ext == 1 && h->ext_used == 0)) {
            return TRIAL_ACCEPT_EXP_LATER;
        }
    }
    return TRIAL_ACCEPT_OK;
}

trial_accept_t trial_history_accept(trial_history_t *h, const trial_claims_t *c,
                                    const uint8_t hash[TRIAL_HASH_LEN], int64_t now)
{
    if (h == NULL || c == NULL || hash == NULL) {
        return TRIAL_ACCEPT_INVAL;
    }
    if (c->typ == TRIAL_TYPE_TRIAL && !c->has_trial_exp) {
        return TRIAL_ACCEPT_INVAL;
    }
    if (h->highest_seq != 0 && memcmp(hash, h->token_hash, TRIAL_HASH_LEN) == 0) {
        return TRIAL_ACCEPT_SAME;
    }
    /* Equal seq with another token is refused too: seq grows with every
     * licence, so two tokens with one seq cannot both be current. */
    if (c->seq <= h->highest_seq) {
        return TRIAL_ACCEPT_REPLAY;
    }
    if (c->ext > 1) {
        return TRIAL_ACCEPT_EXT_COUNT;
    }
    if (now < h->hwm) {
        now = h->hwm;
    }

    trial_accept_t verdict;
    if (c->typ == TRIAL_TYPE_PAID) {
        verdict = TRIAL_ACCEPT_OK;
        /* R9, with the one exception of R8: a conversion made during grace
         * that reaches the device only after E + 30 d. */
        if (trial_history_is_lapsed(h, now) && c->iat >= h->current_exp + TRIAL_GRACE_S) {
            verdict = TRIAL_ACCEPT_LAPSED;
        }
    } else if (h->paid_seen) {
        verdict = TRIAL_ACCEPT_PAID_TO_TRIAL; /* R5 */
    } else {
        verdict = check_trial(h, c, now);
    }
    if (verdict != TRIAL_ACCEPT_OK) {
        return verdict;
    }

    h->highest_seq = c->seq;
    memcpy(h->token_hash, hash, TRIAL_HASH_LEN);
    if (c->iat > h->hwm) {
        h->hwm = c->iat;
    }
    if (now > h->hwm) {
        h->hwm = now;
    }
    if (c->typ == TRIAL_TYPE_PAID) {
        h->paid_seen = true;
        h->untrusted = false; /* a newer signed paid licence settles it */
        return TRIAL_ACCEPT_OK;
    }
    if (!h->has_exp) {
        h->has_exp = true;
        h->first_exp = c->trial_exp;
        h->current_exp = c->trial_exp;
        h->ext_used = c->ext;
        return TRIAL_ACCEPT_OK;
    }
    if (c->trial_exp > h->current_exp) {
        /* An extension gives a new E: notices not yet due at the new E are
         * raised again when they are (the customer must hear of the new end). */
        for (int n = 0; n < TRIAL_NOTICE_COUNT; n++) {
            if (trial_notice_instant((trial_notice_t)n, c->trial_exp) > now) {
                h->notices &= (uint8_t) ~(1u << n);
            }
        }
    }
    h->current_exp = c->trial_exp;
    if (c->ext > h->ext_used) {
        h->ext_used = c->ext;
    }
    return TRIAL_ACCEPT_OK;
}

bool trial_history_observe(trial_history_t *h, int64_t now)
{
    if (now > h->hwm) {
        h->hwm = now;
    }
    if (!h->lapsed_reached && trial_history_is_lapsed(h, h->hwm)) {
        h->lapsed_reached = true;
        return true;
    }
    return false;
}

size_t trial_notices_due(const trial_history_t *h, int64_t now,
                         trial_notice_t out[TRIAL_NOTICE_COUNT])
{
    if (h == NULL || out == NULL || !h->has_exp || h->paid_seen) {
        return 0;
    }
    if (now < h->hwm) {
        now = h->hwm;
    }
    size_t count = 0;
    for (int n = 0; n < TRIAL_NOTICE_COUNT; n++) {
        if ((h->notices & (1u << n)) == 0 &&
            now >= trial_notice_instant((trial_notice_t)n, h->current_exp)) {
            out[count++] = (trial_notice_t)n;
        }
    }
    return count;
}

void trial_notices_mark(trial_history_t *h, const trial_notice_t *n, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if ((int)n[i] >= 0 && n[i] < TRIAL_NOTICE_COUNT) {
            h->notices |= (uint8_t)(1u << n[i]);
        }
    }
}

const char *trial_accept_name(trial_accept_t a)
{
    switch (a) {
    case TRIAL_ACCEPT_OK: return "accepted";
    case TRIAL_ACCEPT_SAME: return "same token";
    case TRIAL_ACCEPT_REPLAY: return "replay (seq not above the highest accepted)";
    case TRIAL_ACCEPT_PAID_TO_TRIAL: return "trial licence after a paid one (R5)";
    case TRIAL_ACCEPT_EXT_COUNT: return "extension count (R4)";
    case TRIAL_ACCEPT_EXP_BEYOND: return "expiry beyond first expiry + 30 d (R4)";
    case TRIAL_ACCEPT_EXP_LATER: return "expiry moved later without an extension (R4)";
    case TRIAL_ACCEPT_LAPSED: return "trial lapsed: final (R9)";
    case TRIAL_ACCEPT_UNTRUSTED: return "history untrusted: only a paid licence";
    case TRIAL_ACCEPT_INVAL: return "invalid arguments";
    default: return "unknown";
    }
}

const char *trial_notice_name(trial_notice_t n)
{
    switch (n) {
    case TRIAL_NOTICE_EXPIRING: return "expiring";
    case TRIAL_NOTICE_LAST_DAY: return "last-day";
    case TRIAL_NOTICE_EXPIRED: return "expired";
    case TRIAL_NOTICE_LAPSED: return "lapsed";
    case TRIAL_NOTICE_RELEASED: return "released";
    default: return "unknown";
    }
}

/* ---- binary form -------------------------------------------------------- */

enum {
    OFF_MAGIC = 0,
    OFF_VERSION = 3,
    OFF_SEQ = 4,
    OFF_FIRST = 8,
    OFF_CURRENT = 16,
    OFF_HWM = 24,
    OFF_FLAGS = 32,
    OFF_EXT = 33,
    OFF_NOTICES = 34,
    OFF_RESERVED = 35,
    OFF_HASH = 36,
};
enum { F_HAS_EXP = 1, F_PAID = 2, F_LAPSED = 4, F_UNTRUSTED = 8, F_ALL = 15 };

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_i64(uint8_t *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(u >> (8 * i));
    }
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t get_i64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) {
        u = (u << 8) | p[i];
    }
    return (int64_t)u; /* two's complement on every target we build for */
}

int trial_history_encode(const trial_history_t *h, uint8_t *buf, size_t cap)
{
    if (h == NULL || buf == NULL || cap < TRIAL_HISTORY_ENCODED_LEN) {
        return FW_E_NOSPACE;
    }
    memset(buf, 0, TRIAL_HISTORY_ENCODED_LEN);
    memcpy(buf + OFF_MAGIC, "TRH", 3);
    buf[OFF_VERSION] = TRIAL_HISTORY_VERSION;
    put_u32(buf + OFF_SEQ, h->highest_seq);
    put_i64(buf + OFF_FIRST, h->first_exp);
    put_i64(buf + OFF_CURRENT, h->current_exp);
    put_i64(buf + OFF_HWM, h->hwm);
    buf[OFF_FLAGS] =
        (uint8_t)((h->has_exp ? F_HAS_EXP : 0) | (h->paid_seen ? F_PAID : 0) |
                  (h->lapsed_reached ? F_LAPSED : 0) | (h->untrusted ? F_UNTRUSTED : 0));
    buf[OFF_EXT] = h->ext_used;
    buf[OFF_NOTICES] = h->notices;
    memcpy(buf + OFF_HASH, h->token_hash, TRIAL_HASH_LEN);
    return (int)TRIAL_HISTORY_ENCODED_LEN;
}

static bool time_ok(int64_t t)
{
    return t >= 0 && t <= TRIAL_TIME_MAX;
}

int trial_history_decode(trial_history_t *h, const uint8_t *buf, size_t len)
{
    if (h == NULL || buf == NULL) {
        return FW_E_INVAL;
    }
    if (len < 4 || memcmp(buf + OFF_MAGIC, "TRH", 3) != 0) {
        return FW_E_FORMAT;
    }
    if (buf[OFF_VERSION] != TRIAL_HISTORY_VERSION) {
        return FW_E_UNSUPPORTED;
    }
    if (len != TRIAL_HISTORY_ENCODED_LEN) {
        return FW_E_FORMAT;
    }
    trial_history_t t;
    memset(&t, 0, sizeof t);
    t.highest_seq = get_u32(buf + OFF_SEQ);
    t.first_exp = get_i64(buf + OFF_FIRST);
    t.current_exp = get_i64(buf + OFF_CURRENT);
    t.hwm = get_i64(buf + OFF_HWM);
    uint8_t flags = buf[OFF_FLAGS];
    t.has_exp = (flags & F_HAS_EXP) != 0;
    t.paid_seen = (flags & F_PAID) != 0;
    t.lapsed_reached = (flags & F_LAPSED) != 0;
    t.untrusted = (flags & F_UNTRUSTED) != 0;
    t.ext_used = buf[OFF_EXT];
    t.notices = buf[OFF_NOTICES];
    memcpy(t.token_hash, buf + OFF_HASH, TRIAL_HASH_LEN);

    bool ok = (flags & ~F_ALL) == 0 && buf[OFF_RESERVED] == 0 && t.ext_used <= 1 &&
              t.notices < (1u << TRIAL_NOTICE_COUNT) && time_ok(t.first_exp) &&
              time_ok(t.current_exp) && time_ok(t.hwm);
    if (ok && t.has_exp) {
        ok = t.current_exp <= t.first_exp + TRIAL_EXTENSION_S && t.highest_seq != 0;
    } else if (ok) {
        ok = t.first_exp == 0 && t.current_exp == 0 && t.ext_used == 0 && t.notices == 0 &&
             !t.lapsed_reached;
    }
    if (ok && t.highest_seq == 0) {
        ok = !t.paid_seen && !t.has_exp;
    }
    if (!ok) {
        return FW_E_CORRUPT;
    }
    *h = t;
    return 0;
}
