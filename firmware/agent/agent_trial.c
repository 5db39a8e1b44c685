/*
 * The trial engine wired to the device. Everything that decides is in
 * firmware/trial (pure); this file only loads, saves, logs and keeps the
 * latest verdict. Fail safe throughout: a licence that cannot be loaded,
 * verified or accepted is not in force, which leaves emergency calls only.
 */
#define FW_LOG_TAG "trial"
#include "agent_trial.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "trial/persist.h"
#include "ui/trial_info.h"

#define TIME_SAVE_PERIOD_S 3600 /* persist the trusted-time mark hourly */

/* Reports carry confirmed time (it never runs backwards, nor jumps on the
 * wall clock's word alone); a device that has never learnt the time (fresh,
 * not yet heard the collector) has nothing better than what it shows. */
static void set_report_time(agent_trial_t *t)
{
    t->report_time = t->confirmed >= TRUSTED_TIME_KNOWN_MIN ? t->confirmed : t->now;
}

static void emit(agent_trial_t *t, const char *kind, const char *detail)
{
    FW_LOGI("event %s: %s", kind, detail);
    if (t->on_event) {
        t->on_event(t->event_ctx, kind, detail, t->report_time);
    }
}

/* A store that is full cannot keep the trial's progress (a lapse, the
 * trusted time): fail safe, once, loudly. */
static void note_store_full(agent_trial_t *t, int rc, const char *what)
{
    if (rc != FW_E_NOSPACE || t->store_full) {
        return;
    }
    t->store_full = true;
    FW_LOGE("store full: cannot save the %s; emergency numbers only until it is repaired", what);
    if (t->booted) {
        emit(t, "calling_degraded", "device storage full: trial state cannot be saved");
    }
}

static void save_history(agent_trial_t *t)
{
    int rc = trial_persist_save(t->store, &t->hist);
    if (rc != 0) {
        FW_LOGE("cannot save the trial history: %s", fw_strerror(rc));
        note_store_full(t, rc, "trial history");
    }
}

static void refresh_view(agent_trial_t *t)
{
    if (t->have_licence && trial_state_at(&t->claims, &t->hist, t->now, &t->view) != 0) {
        FW_LOGE("licence in force cannot be evaluated; treating it as absent");
        t->have_licence = false;
    }
}

static trial_accept_t accept_token(agent_trial_t *t, const char *token, size_t len, bool stored)
{
    if (!t->verifier_ok) {
        FW_LOGW("no usable licence key in provisioning: licence ignored");
        return TRIAL_ACCEPT_INVAL;
    }
    trial_claims_t c;
    uint8_t hash[TRIAL_HASH_LEN];
    trial_verify_reason_t reason = TRIAL_VERIFY_OK;
    int rc = trial_token_verify(&t->verifier, token, len, t->prov->serial, t->prov->trial, &c, hash,
                                &reason);
    if (rc != 0) {
        FW_LOGW("licence refused: %s", trial_verify_reason_name(reason));
        return TRIAL_ACCEPT_INVAL;
    }
    trial_accept_t a = trial_history_accept(&t->hist, &c, hash, t->confirmed);
    if (a != TRIAL_ACCEPT_OK && a != TRIAL_ACCEPT_SAME) {
        FW_LOGW("licence seq %u refused: %s", c.seq, trial_accept_name(a));
        return a;
    }
    if (a == TRIAL_ACCEPT_OK) {
        int64_t before = t->tt.hwm;
        trusted_time_advance(&t->tt, c.iat);
        t->licence_time = t->licence_time || t->tt.hwm > before;
        t->confirmed = t->tt.hwm;
        set_report_time(t);
        /* Token first, then history: a cut between them is healed at boot,
         * when the stored token is offered again and accepted again. */
        if (!stored && (rc = trial_persist_save_licence(t->store, token, len)) != 0) {
            FW_LOGE("cannot store the licence: %s", fw_strerror(rc));
        }
        save_history(t);
        /* what support asks about a licence: its type, the order it came
         * from (R6), whether the room ever shows the return instructions */
        FW_LOGI("licence seq %u accepted (%s%s%s%s)", c.seq,
                c.typ == TRIAL_TYPE_PAID ? "paid" : "trial", c.offer[0] ? ", " : "", c.offer,
                c.keep ? ", the customer keeps the devices (R3)" : "");
    }
    calling_mode_t before = agent_trial_calling(t);
    t->claims = c;
    t->have_licence = true;
    refresh_view(t);
    if (t->booted && before == CALLING_MODE_DEGRADED &&
        agent_trial_calling(t) == CALLING_MODE_FULL && t->hist.lapsed_reached) {
        emit(t, "calling_restored", "a paid licence replaced the lapsed trial");
    }
    return a;
}

void agent_trial_boot(agent_trial_t *t, store_t *store, const proto_provisioning_t *prov,
                      uint64_t mono_ms, bool wall_ok, int64_t wall, agent_event_fn on_event,
                      void *event_ctx)
{
    memset(t, 0, sizeof *t);
    t->store = store;
    t->prov = prov;
    t->on_event = on_event;
    t->event_ctx = event_ctx;
    t->boot_mono_ms = mono_ms;

    int rc = trial_verifier_init(&t->verifier, prov->licence_pubkey, strlen(prov->licence_pubkey));
    t->verifier_ok = rc == 0;
    if (!t->verifier_ok) {
        FW_LOGE("provisioned licence key unusable (%s): no licence can be accepted",
                fw_strerror(rc));
    }
    rc = trial_persist_load(store, &t->hist);
    bool untrusted = rc != 0 && rc != FW_E_NOENT;
    if (untrusted) {
        FW_LOGE("trial history not trusted (%s): failing safe", fw_strerror(rc));
    }
    int64_t mark = 0, ahead = 0;
    (void)trial_persist_load_time(store, &mark);
    (void)trial_persist_load_ahead(store, &ahead);
    trusted_time_init(&t->tt, mark > t->hist.hwm ? mark : t->hist.hwm);
    trusted_time_restore_ahead(&t->tt, ahead);
    t->time_saved_at = t->tt.hwm;
    t->ahead_saved = ahead;
    /* Time first, then the stored licence, then the notices: a conversion
     * that reached the device in grace (R8) is in force before a restart
     * after E + 30 d could raise the lapse, degrade calling or release the
     * lines (docs/EMERGENCY.md). */
    bool rollback = false;
    t->now = trusted_time_update(&t->tt, wall_ok, wall, 0, &rollback);
    t->confirmed = t->tt.hwm;

    static char token[TRIAL_TOKEN_MAX + 1];
    size_t len = 0;
    rc = trial_persist_load_licence(store, token, sizeof token, &len);
    if (rc == 0) {
        (void)accept_token(t, token, len, true);
    } else if (rc != FW_E_NOENT) {
        FW_LOGW("stored licence unreadable (%s): waiting for the collector", fw_strerror(rc));
    }
    agent_trial_tick(t, mono_ms, wall_ok, wall);
    FW_LOGD("boot: now %lld, licence %d, state %s, calling %s", (long long)t->now, t->have_licence,
            trial_state_name(t->view.state), trial_calling_name(t->view.calling));
    t->booted = true;
    if (untrusted && agent_trial_calling(t) == CALLING_MODE_DEGRADED) {
        emit(t, "calling_degraded", "trial history not trusted (old flash image or damage)");
    }
    if (t->store_full) {
        emit(t, "calling_degraded", "device storage full: trial state cannot be saved");
    }
    FW_LOGI("calling at boot: %s",
            agent_trial_calling(t) == CALLING_MODE_FULL ? "full" : "emergency numbers only");
}

/* The unconfirmed mark is kept across reboots (so setting the clock back
 * while it waits gives nothing back): written when it appears, goes, or has
 * moved on by an hour. */
static void keep_ahead(agent_trial_t *t, uint64_t mono_ms)
{
    int64_t a = trusted_time_ahead(&t->tt, mono_ms - t->boot_mono_ms);
    if (a != 0 && !t->ahead_pending) {
        FW_LOGW("wall clock ahead of confirmed time by %lld s: shown, not confirmed until the "
                "collector's time agrees",
                (long long)(a - t->tt.hwm));
        t->want_server_time = true;
    }
    t->ahead_pending = a != 0;
    if ((a == 0) != (t->ahead_saved == 0) || a - t->ahead_saved >= TIME_SAVE_PERIOD_S) {
        if (trial_persist_save_ahead(t->store, a) == 0) {
            t->ahead_saved = a;
        }
    }
}

void agent_trial_tick(agent_trial_t *t, uint64_t mono_ms, bool wall_ok, int64_t wall)
{
    bool rollback = false;
    t->wall_ok = wall_ok;
    t->wall = wall;
    t->now = trusted_time_update(&t->tt, wall_ok, wall, mono_ms - t->boot_mono_ms, &rollback);
    t->confirmed = t->tt.hwm;
    set_report_time(t);
    keep_ahead(t, mono_ms);
    if (rollback && !t->rollback_reported) {
        char detail[96];
        (void)snprintf(detail, sizeof detail, "wall clock %lld behind trusted time %lld",
                       (long long)wall, (long long)t->confirmed);
        emit(t, "clock_rollback", detail);
        t->rollback_reported = true;
    }
    /* R9 (a lapse is final) and the notices follow confirmed time only: a
     * wall clock run ahead by mistake must not lapse anything for good. */
    if (trial_history_observe(&t->hist, t->confirmed)) {
        save_history(t);
    }
    trial_notice_t due[TRIAL_NOTICE_COUNT];
    size_t n = trial_notices_due(&t->hist, t->confirmed, due);
    if (n > 0) {
        for (size_t i = 0; i < n; i++) {
            emit(t, due[i] == TRIAL_NOTICE_RELEASED ? "numbers_released" : "notice",
                 trial_notice_name(due[i]));
            t->released_now = t->released_now || due[i] == TRIAL_NOTICE_RELEASED;
            if (due[i] == TRIAL_NOTICE_LAPSED) { /* R11: calling stops with the grace period */
                emit(t, "calling_degraded", "grace period over: emergency numbers only");
            }
        }
        trial_notices_mark(&t->hist, due, n);
        save_history(t);
    }
    if (t->tt.hwm - t->time_saved_at >= TIME_SAVE_PERIOD_S) {
        int rc = trial_persist_save_time(t->store, t->tt.hwm);
        if (rc == 0) {
            t->time_saved_at = t->tt.hwm;
        }
        note_store_full(t, rc, "trusted time");
    }
    refresh_view(t);
}

trial_accept_t agent_trial_offer(agent_trial_t *t, const char *token, size_t len)
{
    return accept_token(t, token, len, false);
}

void agent_trial_server_time(agent_trial_t *t, int64_t server_time, uint64_t sent_mono_ms,
                             uint64_t recv_mono_ms)
{
    uint64_t since_boot = recv_mono_ms - t->boot_mono_ms;
    /* A send before this boot (or none) leaves no window: judged as unasked. */
    uint64_t sent = sent_mono_ms >= t->boot_mono_ms && sent_mono_ms != TRUSTED_TIME_UNASKED
                        ? sent_mono_ms - t->boot_mono_ms
                        : TRUSTED_TIME_UNASKED;
    int64_t ahead = trusted_time_ahead(&t->tt, since_boot);
    trusted_time_verdict_t v = trusted_time_confirm(&t->tt, server_time, sent, since_boot);
    t->heard_collector = t->heard_collector || v != TRUSTED_TIME_IGNORED;
    t->confirmed = t->tt.hwm;
    set_report_time(t);
    if (v == TRUSTED_TIME_REJECTED) {
        char detail[120];
        (void)snprintf(detail, sizeof detail,
                       "wall clock %lld s ahead of the collector's time %lld (round trip %llu ms): "
                       "not believed",
                       (long long)(ahead - server_time), (long long)server_time,
                       (unsigned long long)(since_boot - sent));
        emit(t, "clock_ahead", detail);
    } else if (v == TRUSTED_TIME_CONFIRMED && ahead != 0) {
        FW_LOGI("the collector's time confirms the wall clock");
    } else if (v == TRUSTED_TIME_IGNORED) {
        FW_LOGD("server time %lld behind confirmed time %lld: ignored", (long long)server_time,
                (long long)t->confirmed);
    } else if (v == TRUSTED_TIME_UNTIMED && ahead != 0) {
        FW_LOGD("server time %lld with no round trip to judge the wall clock by: it waits",
                (long long)server_time);
    }
}

bool agent_trial_wants_server_time(agent_trial_t *t)
{
    bool w = t->want_server_time;
    t->want_server_time = false;
    return w;
}

calling_mode_t agent_trial_calling(const agent_trial_t *t)
{
    return t->have_licence && !t->store_full && t->view.calling == TRIAL_CALLING_FULL
               ? CALLING_MODE_FULL
               : CALLING_MODE_DEGRADED;
}

bool agent_trial_lines_released(const agent_trial_t *t)
{
    return (t->hist.notices & (1u << TRIAL_NOTICE_RELEASED)) != 0;
}

const char *agent_trial_region(const agent_trial_t *t)
{
    return t->have_licence ? t->claims.region : t->prov->region;
}

void agent_trial_info(const agent_trial_t *t, ui_trial_info_t *out)
{
    memset(out, 0, sizeof *out);
    out->lang = ui_lang_for_locale(t->prov->locale);
    out->model = t->prov->model;
    out->serial = t->prov->serial;
    out->trial = t->prov->trial;
    out->return_url = t->prov->return_url;
    ui_trial_info_from_view(out, t->have_licence ? &t->view : NULL);
}

void agent_trial_free(agent_trial_t *t)
{
    trial_verifier_free(&t->verifier);
}
