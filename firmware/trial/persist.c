/*
 * The trial's records in the store. Thin on purpose: every decision about
 * what a damaged or rolled-back record means is made here once, in the
 * direction that gives the trial no time (docs/TRIAL_ENGINE.md).
 */
#define FW_LOG_TAG "trial"

#include "trial/persist.h"

#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "trial/verify.h"

int trial_persist_load(store_t *s, trial_history_t *h)
{
    uint8_t buf[TRIAL_HISTORY_ENCODED_LEN + 1];
    size_t len = 0;
    trial_history_init(h);
    int rc = store_get(s, STORE_KEY_TRIAL_HISTORY, buf, sizeof buf, &len);
    if (rc == FW_E_NOENT) {
        return FW_E_NOENT; /* a fresh device: nothing accepted yet */
    }
    if (rc == 0) {
        rc = trial_history_decode(h, buf, len);
        if (rc == 0) {
            return 0;
        }
        FW_LOGE("trial history unreadable (%s): failing safe, untrusted", fw_strerror(rc));
        trial_history_init(h);
    } else if (rc == FW_E_NOSPACE) {
        rc = FW_E_CORRUPT; /* longer than any history we ever wrote */
        FW_LOGE("trial history has %zu bytes: failing safe, untrusted", len);
    } else {
        FW_LOGE("trial history not loaded (%s): failing safe, untrusted", fw_strerror(rc));
    }
    h->untrusted = true;
    return rc;
}

int trial_persist_save(store_t *s, const trial_history_t *h)
{
    uint8_t buf[TRIAL_HISTORY_ENCODED_LEN];
    int n = trial_history_encode(h, buf, sizeof buf);
    if (n < 0) {
        return n;
    }
    int rc = store_put(s, STORE_KEY_TRIAL_HISTORY, buf, (size_t)n, STORE_F_MONOTONIC);
    if (rc != 0) {
        FW_LOGE("trial history not saved: %s", fw_strerror(rc));
    }
    return rc;
}

enum { TIME_LEN = 12 }; /* 3-letter magic, version(1), int64 little-endian */

/* One instant under `key`, tagged with `magic` ("TTM\x01", "TCA\x01"). */
static int load_instant(store_t *s, store_key_t key, const char *magic, const char *what,
                        int64_t *out)
{
    uint8_t buf[TIME_LEN];
    size_t len = 0;
    *out = 0;
    int rc = store_get(s, key, buf, sizeof buf, &len);
    if (rc == 0 && (len != TIME_LEN || memcmp(buf, magic, 4) != 0)) {
        rc = FW_E_CORRUPT;
    }
    if (rc != 0) {
        if (rc != FW_E_NOENT) {
            FW_LOGW("%s not loaded (%s)", what, fw_strerror(rc));
        }
        return rc;
    }
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) {
        u = (u << 8) | buf[4 + i];
    }
    int64_t v = (int64_t)u;
    if (v < 0 || v > TRIAL_TIME_MAX) {
        FW_LOGW("%s out of range: not used", what);
        return FW_E_CORRUPT;
    }
    *out = v;
    return 0;
}

static int save_instant(store_t *s, store_key_t key, const char *magic, int64_t v, uint32_t flags)
{
    uint8_t buf[TIME_LEN];
    memcpy(buf, magic, 4);
    for (int i = 0; i < 8; i++) {
        buf[4 + i] = (uint8_t)((uint64_t)v >> (8 * i));
    }
    return store_put(s, key, buf, sizeof buf, flags);
}

int trial_persist_load_time(store_t *s, int64_t *hwm)
{
    return load_instant(s, STORE_KEY_TRUSTED_TIME, "TTM\x01",
                        "trusted time (using the history's mark)", hwm);
}

int trial_persist_save_time(store_t *s, int64_t hwm)
{
    return save_instant(s, STORE_KEY_TRUSTED_TIME, "TTM\x01", hwm, STORE_F_MONOTONIC);
}

int trial_persist_load_ahead(store_t *s, int64_t *ahead)
{
    return load_instant(s, STORE_KEY_CLOCK_AHEAD, "TCA\x01", "unconfirmed clock mark", ahead);
}

int trial_persist_save_ahead(store_t *s, int64_t ahead)
{
    return save_instant(s, STORE_KEY_CLOCK_AHEAD, "TCA\x01", ahead, 0);
}

int trial_persist_load_licence(store_t *s, char *buf, size_t cap, size_t *len)
{
    return store_get(s, STORE_KEY_LICENCE, buf, cap, len);
}

int trial_persist_save_licence(store_t *s, const char *token, size_t len)
{
    if (len == 0 || len > TRIAL_TOKEN_MAX) {
        return FW_E_TOOBIG;
    }
    return store_put(s, STORE_KEY_LICENCE, token, len, 0);
}
