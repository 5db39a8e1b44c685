/*
 * trial/persist.h - the trial's records in the store (thin).
 *
 * STORE_KEY_TRIAL_HISTORY and STORE_KEY_TRUSTED_TIME are written with
 * STORE_F_MONOTONIC, so writing an old flash image back is seen as
 * FW_E_ROLLBACK. STORE_KEY_LICENCE holds the current token; it needs no
 * binding because it is re-verified and re-checked against the history.
 *
 * Fail safe (docs/TRIAL_ENGINE.md): a history that is rolled back, damaged or
 * of an unknown version is never used as is. trial_persist_load() then
 * returns the error AND fills `h` with the strictest history it can: the
 * decoded old one if readable, else an empty one, marked `untrusted`.
 */
#ifndef TRIAL_PERSIST_H
#define TRIAL_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "trial/history.h"

/* 0 with the stored history; FW_E_NOENT with a fresh one (never written);
 * FW_E_ROLLBACK / FW_E_CORRUPT / FW_E_UNSUPPORTED / FW_E_IO with an
 * untrusted one (see above). `h` is always usable on return. */
int trial_persist_load(store_t *s, trial_history_t *h);
int trial_persist_save(store_t *s, const trial_history_t *h);

/* The trusted-time mark. On any error *hwm is 0 and the caller combines it
 * with the history's mark (the later one wins). */
int trial_persist_load_time(store_t *s, int64_t *hwm);
int trial_persist_save_time(store_t *s, int64_t hwm);

/* The unconfirmed wall-clock mark (trial/trusted_time.h; 0 = none). Not
 * bound to the monotonic counter: it only ever makes the trial shorter,
 * so an old copy gains nothing. On any error *ahead is 0. */
int trial_persist_load_ahead(store_t *s, int64_t *ahead);
int trial_persist_save_ahead(store_t *s, int64_t ahead);

/* The current token (TRIAL_TOKEN_MAX bytes at most). */
int trial_persist_load_licence(store_t *s, char *buf, size_t cap, size_t *len);
int trial_persist_save_licence(store_t *s, const char *token, size_t len);

#endif /* TRIAL_PERSIST_H */
