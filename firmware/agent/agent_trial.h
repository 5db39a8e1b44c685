/*
 * agent_trial.h - the agent's side of the trial engine (internal to agent/).
 *
 * Glue only: time and flash in, the pure trial engine decides, the result is
 * kept here for the loop (calling mode, what the screen shows). The flow
 * follows docs/TRIAL_ENGINE.md ("per tick" and "on a new token"). Two
 * instants (trial/trusted_time.h): what is shown and enforced follows `now`;
 * what is written down for good or reported follows `confirmed`.
 */
#ifndef AGENT_TRIAL_H
#define AGENT_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "calling/policy.h"
#include "proto/provisioning.h"
#include "store/store.h"
#include "trial/claims.h"
#include "trial/history.h"
#include "trial/timeline.h"
#include "trial/trusted_time.h"
#include "trial/verify.h"
#include "ui/screen.h"

/* Something the collector must hear about (report events, issue 5). */
typedef void (*agent_event_fn)(void *ctx, const char *kind, const char *detail, int64_t t);

typedef struct {
    store_t *store;
    const proto_provisioning_t *prov;
    agent_event_fn on_event;
    void *event_ctx;
    trial_verifier_t verifier;
    bool verifier_ok;
    trial_history_t hist;
    trusted_time_t tt;
    uint64_t boot_mono_ms;
    int64_t now;           /* shown instant of the last tick: screen, calling */
    int64_t confirmed;     /* confirmed instant: history, notices */
    int64_t report_time;   /* for reports: confirmed, or shown until time is known */
    int64_t time_saved_at; /* last persisted trusted-time mark */
    int64_t ahead_saved;   /* last persisted unconfirmed mark (0: none) */
    bool ahead_pending;    /* an unconfirmed jump ahead waits for the collector */
    bool want_server_time; /* a new jump ahead: ask the collector (edge) */
    bool rollback_reported;
    bool have_licence; /* a verified, accepted licence is in force */
    trial_claims_t claims;
    trial_view_t view; /* valid when have_licence */
    bool booted;
    /* The store refused the trial history for lack of space: a lapse would
     * not survive a restart, so calling fails safe (docs/EMERGENCY.md). */
    bool store_full;
    bool released_now; /* the E + 45 d notice was raised in this run */
    /* How the time is known, for support (docs/SUPPORT.md): in this run the
     * collector's time settled something, or an accepted licence's issue
     * instant moved the mark; and the last wall clock reading. */
    bool heard_collector;
    bool licence_time;
    bool wall_ok;
    int64_t wall;
} agent_trial_t;

/* Load key, history, trusted time and the stored licence. Never fails: what
 * cannot be loaded leaves the fail-safe (no licence in force: emergency
 * calls only, as before activation). */
void agent_trial_boot(agent_trial_t *t, store_t *store, const proto_provisioning_t *prov,
                      uint64_t mono_ms, bool wall_ok, int64_t wall, agent_event_fn on_event,
                      void *event_ctx);

/* Advance trusted time, record a lapse (R9), raise due notices in order (R7,
 * R8, R10, R11), refresh the verdict. Cheap; call every loop turn. */
void agent_trial_tick(agent_trial_t *t, uint64_t mono_ms, bool wall_ok, int64_t wall);

/* A token arrived (from the collector). Verifies it, applies the history
 * rules and, when accepted, stores the token and then the history.
 * Returns the acceptance verdict (TRIAL_ACCEPT_INVAL for a token that does
 * not verify; the reason is logged). */
trial_accept_t agent_trial_offer(agent_trial_t *t, const char *token, size_t len);

/* Server time from the collector, in the answer to a request sent at
 * `sent_mono_ms` that arrived at `recv_mono_ms` (hal_clock_mono_ms(); pass
 * TRUSTED_TIME_UNASKED as `sent_mono_ms` for a notification nobody asked
 * for): advances the mark and confirms or rejects a wall clock that ran
 * ahead, allowing for the round trip (an event "clock_ahead" says when it
 * was rejected). */
void agent_trial_server_time(agent_trial_t *t, int64_t server_time, uint64_t sent_mono_ms,
                             uint64_t recv_mono_ms);

/* True once each time the wall clock has run ahead of confirmed time: the
 * caller should get the collector's time soon. */
bool agent_trial_wants_server_time(agent_trial_t *t);

/* Calling policy input: degraded unless a licence is in force and says full
 * (and the history can be saved). */
calling_mode_t agent_trial_calling(const agent_trial_t *t);

/* True once the room's line numbers are released (E + 45 d, R11): the
 * notice is recorded in the trial history, so this stays true across
 * restarts. `t->released_now` says whether it happened in this run. */
bool agent_trial_lines_released(const agent_trial_t *t);

/* The region emergency numbers follow: the licence's, else provisioning's. */
const char *agent_trial_region(const agent_trial_t *t);

/* Where the device stands, as the screens need it: the verdict, the room's
 * language and the provisioned identity (ui/trial_info.h). */
void agent_trial_info(const agent_trial_t *t, ui_trial_info_t *out);

void agent_trial_free(agent_trial_t *t);

#endif /* AGENT_TRIAL_H */
