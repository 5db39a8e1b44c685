/*
 * The main loop: HAL events and time come in here, pure modules decide, and
 * their verdicts go out through the HAL. This file owns no policy of its own.
 */
#define FW_LOG_TAG "agent"
#include "agent/agent.h"

#include "agent_calls.h"
#include "agent_report.h"
#include "agent_support.h"
#include "agent_trial.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "calling/policy.h"
#include "hal/call.h"
#include "hal/clock.h"
#include "hal/display.h"
#include "hal/identity.h"
#include "hal/input.h"
#include "hal/net.h"
#include "hal/room.h"
#include "hal/system.h"
#include "proto/layout.h"
#include "proto/provisioning.h"
#include "proto/psk_seal.h"
#include "store/store.h"
#include "ui/nav.h"
#include "ui/render.h"
#include "ui/screen.h"

#define LOOP_PERIOD_MS 1000u
#define NET_POLL_SLICE_MS 20u   /* one wait on the socket */
#define NET_POLL_MAX_MS 1000u   /* network time per turn at most */
#define INPUT_PER_TURN 32u      /* presses and touches taken per turn at most */
#define CLOCK_PAIR_MAX_MS 1000u /* a wall reading and its monotonic instant: this close */
#define CLOCK_PAIR_TRIES 8u

static store_t s_store;
static proto_provisioning_t s_prov;
static agent_trial_t s_trial;
static agent_report_t s_report;
static agent_support_t s_support;
static report_usage_t s_since_boot; /* for the log line at shutdown */
static ui_nav_t s_nav;              /* about screen, notices, labels request */
static ui_screen_t s_screen;        /* what the screen should say now */
static ui_screen_t s_shown;         /* what it says */
static ui_layout_t s_layout;        /* where things are on it: what a touch hits */
static int64_t s_labels_at;         /* trusted time new labels were asked for */
static agent_calls_t s_calls;       /* the call-back window */
static bool s_lines_told;           /* the stack was told the lines are released */

/* The wall clock and the monotonic instant it was read at, as one pair:
 * trusted time compares the two, so a pair read far apart (the task was
 * preempted between the reads; on a fast simulated clock one real
 * millisecond is minutes) would look like the wall clock jumping ahead.
 * Read again while the monotonic clock moved more than CLOCK_PAIR_MAX_MS
 * across the wall read (bounded: the last pair is used anyway). Returns the
 * monotonic instant. */
static uint64_t read_clocks(bool *wall_ok, int64_t *wall)
{
    uint64_t after = hal_clock_mono_ms();
    for (unsigned i = 0;; i++) {
        uint64_t before = after;
        *wall_ok = hal_clock_wall(wall) == 0;
        after = hal_clock_mono_ms();
        if (after - before <= CLOCK_PAIR_MAX_MS || i + 1 >= CLOCK_PAIR_TRIES) {
            return after;
        }
    }
}

static void show(ui_renderer_t *r, const ui_screen_t *screen)
{
    s_layout.n = 0;
    s_layout.banner = s_layout.button = s_layout.qr = -1;
    hal_display_info_t info;
    if (hal_display_info(&info) != 0 || info.format != HAL_PIXFMT_RGB888) {
        FW_LOGW("no usable display; screen '%s' not shown", ui_screen_headline(screen));
        return;
    }
    size_t size = (size_t)info.width * info.height * 3u;
    uint8_t *fb = malloc(size);
    if (!fb) {
        FW_LOGE("no memory for a %ux%u frame", info.width, info.height);
        return;
    }
    int rc = ui_render(r, screen, fb, info.width, info.height, &s_layout);
    char why[200];
    if (rc == 0 && r && ui_layout_check(&s_layout, why, sizeof why) != 0) {
        FW_LOGW("screen '%s' does not fit %ux%u: %s", ui_screen_headline(screen), info.width,
                info.height, why);
    }
    if (rc == 0 && hal_display_present(fb) != 0) {
        FW_LOGW("display refused the frame");
    }
    free(fb);
}

/* One line per screen change: what a person in the room now reads, headline
 * first (the banner's when there is one). */
static void log_screen(const ui_screen_t *s)
{
    static char text[1024];
    const char *parts[4 + UI_MAX_PARAS];
    size_t np = 0;
    parts[np++] = s->banner_title;
    parts[np++] = s->banner_text;
    parts[np++] = s->title;
    for (int i = 0; i < s->n_paras; i++) {
        parts[np++] = s->paras[i].text;
    }
    parts[np++] = s->action;
    size_t n = 0;
    text[0] = '\0';
    for (size_t i = 0; i < np && n < sizeof text; i++) {
        if (parts[i][0]) {
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", n ? " | " : "", parts[i]);
        }
    }
    FW_LOGI("screen: %s", text);
}

/* Reads and checks the provisioning record; on failure `why` says what is
 * wrong in words a technician can act on, and `reason` what the setup
 * screen tells the room. */
static int load_provisioning(char *why, size_t cap, ui_setup_reason_t *reason)
{
    static char buf[STORE_VALUE_MAX];
    size_t len = 0;
    int rc = store_get(&s_store, STORE_KEY_PROVISIONING, buf, sizeof buf, &len);
    *reason = UI_SETUP_NOT_PROVISIONED;
    if (rc == FW_E_NOENT) {
        (void)snprintf(why, cap, "not provisioned: no provisioning record in flash");
        return rc;
    }
    if (rc != 0) {
        (void)snprintf(why, cap, "provisioning record unreadable: %s", fw_strerror(rc));
        *reason = UI_SETUP_PROV_INVALID;
        return rc;
    }
    char detail[160];
    bool sealed = false;
    rc = proto_provisioning_open(buf, len, &s_prov, &sealed, detail, sizeof detail);
    if (rc != 0) {
        (void)snprintf(why, cap, "provisioning record invalid: %s", detail);
        *reason = UI_SETUP_PROV_INVALID;
    } else if (!sealed) {
        FW_LOGW("provisioning record holds its PSKs in clear (an older sparkflash wrote it): "
                "provision again to seal them under the secure element");
    }
    return rc;
}

/* Each count goes to the open reporting interval and to the boot totals. */
#define COUNT(fn, ...)                                                                             \
    do {                                                                                           \
        report_usage_t *open_ = agent_report_usage(&s_report);                                     \
        fn(&s_since_boot, ##__VA_ARGS__);                                                          \
        if (open_) {                                                                               \
            fn(open_, ##__VA_ARGS__);                                                              \
        }                                                                                          \
    } while (0)

static void count_call(void *ctx, agent_call_count_t what, uint32_t seconds)
{
    (void)ctx;
    switch (what) {
    case AGENT_CALL_BLOCKED:
        COUNT(report_usage_call_blocked);
        ui_nav_notice(&s_nav, UI_NOTICE_CALL_BLOCKED, hal_clock_mono_ms()); /* R11 */
        break;
    case AGENT_CALL_REFUSED_IN: COUNT(report_usage_call_blocked); break;
    case AGENT_CALL_EMERGENCY: COUNT(report_usage_call_emergency); break;
    case AGENT_CALL_ENDED: COUNT(report_usage_call_ended, seconds); break;
    }
}

/* Answers every waiting call. Returns true if anything was counted. */
static bool serve_calls(const agent_calls_policy_t *policy)
{
    return agent_calls_serve(&s_calls, policy, hal_clock_mono_ms(), count_call, NULL);
}

/* Returns true if anything was counted. */
static bool handle_events(const agent_calls_policy_t *policy)
{
    bool counted = serve_calls(policy);
    hal_room_event_t room;
    while (hal_room_poll(&room) > 0) {
        switch (room.kind) {
        case HAL_ROOM_EV_MEETING: COUNT(report_usage_meeting, room.value); break;
        case HAL_ROOM_EV_SHARE: COUNT(report_usage_share, room.value); break;
        case HAL_ROOM_EV_PEOPLE: COUNT(report_usage_people, room.value); break;
        }
        counted = true;
    }
    return counted;
}

/* Buttons and touches: INFO and the banner open the about screen, HOME goes
 * back, the return screen's button asks for new labels (R13). */
static void handle_input(uint64_t mono)
{
    hal_input_event_t ev;
    for (unsigned i = 0; i < INPUT_PER_TURN && hal_input_poll(&ev) > 0; i++) {
        ui_input_t in;
        if (ev.kind == HAL_INPUT_BUTTON && ev.code == HAL_BUTTON_INFO) {
            in = UI_INPUT_INFO;
        } else if (ev.kind == HAL_INPUT_BUTTON && ev.code == HAL_BUTTON_HOME) {
            in = UI_INPUT_HOME;
        } else if (ev.kind == HAL_INPUT_TOUCH) {
            in = ui_layout_hit(&s_layout, ev.x, ev.y);
        } else {
            continue; /* a button this firmware has no use for */
        }
        if (ui_nav_input(&s_nav, in, s_shown.kind, mono) == UI_ACTION_REQUEST_LABELS) {
            s_labels_at = s_trial.now;
            FW_LOGI("event rma_labels_requested: on the room screen");
            agent_report_event(&s_report, "rma_labels_requested",
                               "new return labels requested on the room screen",
                               s_trial.report_time);
        }
    }
}

/* What the screen should say now: the trial's screen, or what the person in
 * the room or a blocked call put in front of it. */
static void compose(const agent_config_t *cfg, uint64_t mono, ui_screen_t *out)
{
    ui_trial_info_t info;
    agent_trial_info(&s_trial, &info);
    if (s_trial.store_full) { /* docs/EMERGENCY.md: emergency calls only, and why */
        ui_screen_setup(out, info.lang, info.serial, info.trial, UI_SETUP_STORE_FULL,
                        "store full: the trial state cannot be saved");
        return;
    }
    info.version = cfg->version;
    info.last_report = s_report.last_ack;
    info.labels_requested = ui_nav_labels_requested(&s_nav, mono);
    info.labels_requested_at = s_labels_at;
    switch (ui_nav_view(&s_nav, mono)) {
    case UI_VIEW_ABOUT: ui_screen_about(out, &info); break;
    case UI_VIEW_CALL_BLOCKED: ui_screen_call_blocked(out, &info); break;
    case UI_VIEW_BASE: {
        const int64_t page_s =
            cfg->screen_page_s ? cfg->screen_page_s : AGENT_SCREEN_PAGE_DEFAULT_S;
        ui_screen_trial(out, &info, (unsigned)((s_trial.now / page_s) & 1));
        break;
    }
    }
}

/* Draws `screen` when it differs from what is shown. */
static void refresh(ui_renderer_t *r, const ui_screen_t *screen)
{
    if (memcmp(screen, &s_shown, sizeof *screen) != 0) {
        s_shown = *screen;
        log_screen(&s_shown);
        show(r, &s_shown);
    }
}

/* The rest of the turn, until `turn_end`. With the support port open it
 * is spent in slices: a support request waits at most one slice, calls are
 * answered between them, and on every board the turn lasts what it lasts
 * without the port (the slices are device time). */
static void wait_turn(uint64_t turn_end, const agent_calls_policy_t *policy)
{
    uint64_t now = hal_clock_mono_ms();
    if (!agent_support_active(&s_support)) {
        if (now < turn_end) {
            hal_clock_wait_ms((uint32_t)(turn_end - now));
        }
        return;
    }
    for (unsigned i = 0; i <= LOOP_PERIOD_MS / NET_POLL_SLICE_MS && !hal_system_stop_requested();
         i++) {
        now = hal_clock_mono_ms();
        if (now >= turn_end) {
            return;
        }
        uint64_t rest = turn_end - now;
        agent_support_step(&s_support);
        if (serve_calls(policy)) {
            agent_report_save(&s_report, s_trial.report_time);
        }
        hal_clock_wait_ms((uint32_t)(rest < NET_POLL_SLICE_MS ? rest : NET_POLL_SLICE_MS));
    }
}

static void log_totals(const char *how)
{
    const report_usage_t *u = &s_since_boot;
    FW_LOGI("stopping%s: %u calls (%llu s), %u blocked, %u emergency, %u meetings (%llu s), "
            "%llu s shared, at most %u people",
            how, u->calls, (unsigned long long)u->call_seconds, u->calls_blocked,
            u->emergency_calls, u->meetings, (unsigned long long)u->meeting_seconds,
            (unsigned long long)u->share_seconds, u->people_peak);
}

/* The safe mode (docs/EMERGENCY.md): the trial engine cannot run, but every
 * dial request is still answered, emergency numbers only, with the
 * setup/error screen saying why (and the call-blocked notice after a denied
 * dial), until the board asks to stop or the configured time is up.
 * Returns `code`, which names what was wrong. */
static int run_safe(const agent_config_t *cfg, ui_renderer_t *r, const hal_identity_t *id,
                    ui_setup_reason_t reason, const char *why, int code)
{
    const agent_calls_policy_t policy = {.mode = CALLING_MODE_DEGRADED}; /* every table */
    FW_LOGW("safe mode: emergency numbers only (every region's, no outside-line prefix) until "
            "this is repaired");
    ui_trial_info_t info;
    memset(&info, 0, sizeof info); /* no trustworthy locale: English */
    info.serial = id->serial;
    ui_screen_t *screen = &s_screen;
    const uint64_t start_ms = hal_clock_mono_ms();
    const uint64_t run_ms = cfg->run_for_s > 0 ? (uint64_t)cfg->run_for_s * 1000u : UINT64_MAX;
    for (;;) {
        (void)handle_events(&policy);
        uint64_t mono = hal_clock_mono_ms();
        if (ui_nav_view(&s_nav, mono) == UI_VIEW_CALL_BLOCKED) {
            ui_screen_call_blocked(screen, &info);
        } else {
            ui_screen_setup(screen, UI_LANG_EN, id->serial, NULL, reason, why);
        }
        refresh(r, screen);
        uint64_t elapsed = mono - start_ms;
        if (hal_system_stop_requested() || elapsed >= run_ms) {
            break;
        }
        uint64_t left = run_ms - elapsed;
        /* returns early when the stack has something for us */
        hal_clock_wait_ms((uint32_t)(left < LOOP_PERIOD_MS ? left : LOOP_PERIOD_MS));
    }
    (void)handle_events(&policy);
    log_totals(" (safe mode)");
    return code;
}

/* R11: at E + 45 d the stack is told the lines are released, once; after a
 * restart it is told the state again, never "held". */
static void apply_lines(void)
{
    if (s_lines_told || !agent_trial_lines_released(&s_trial)) {
        return;
    }
    s_lines_told = true;
    int rc = hal_call_set_lines_held(false);
    if (s_trial.released_now) {
        FW_LOGI("line numbers released (E + 45 d, R11)%s", rc ? "; the stack did not take it" : "");
    } else {
        FW_LOGI("line numbers were released before this start; the stack is told again");
    }
}

int agent_run(const agent_config_t *cfg)
{
    hal_identity_t id;
    if (hal_identity_get(&id) != 0) {
        memset(&id, 0, sizeof id);
    }
    ui_renderer_t *renderer = ui_renderer_open(cfg->font_path, cfg->font_bold_path);
    ui_screen_t *screen = &s_screen;
    ui_nav_init(&s_nav);
    memset(&s_shown, 0, sizeof s_shown);
    s_labels_at = 0;
    memset(&s_since_boot, 0, sizeof s_since_boot);
    memset(&s_report, 0, sizeof s_report);   /* no queue until one is opened */
    memset(&s_support, 0, sizeof s_support); /* no port until provisioned */
    agent_calls_init(&s_calls);
    s_lines_told = false;
    int code;

    int rc = layout_store_mount(&s_store);
    if (rc == FW_E_NOSPACE) {
        FW_LOGE("flash is smaller than the store region (%u bytes)", LAYOUT_STORE_BYTES);
    }
    if (rc != 0) {
        /* The board's own reason (no TPM, no flash device...) says more
         * to the technician than the store's error code. */
        const char *fault = hal_system_fault();
        FW_LOGE("cannot read flash: %s",
                fault ? "the board runs without storage" : fw_strerror(rc));
        code = run_safe(cfg, renderer, &id, UI_SETUP_FLASH_UNREADABLE,
                        fault ? fault : fw_strerror(rc), AGENT_EXIT_FAILURE);
        ui_renderer_close(renderer);
        return code;
    }
    store_health_t health;
    store_health(&s_store, &health);
    if (health.records_damaged || health.sectors_damaged) {
        FW_LOGW("flash: %u damaged records, %u damaged sectors rejected", health.records_damaged,
                health.sectors_damaged);
    }

    char why[256];
    ui_setup_reason_t reason;
    if (load_provisioning(why, sizeof why, &reason) != 0) {
        FW_LOGE("%s; provision this device with sparkflash (exit %d when stopped)", why,
                AGENT_EXIT_UNPROVISIONED);
        /* No trustworthy locale: the setup screen is in English. */
        code = run_safe(cfg, renderer, &id, reason, why, AGENT_EXIT_UNPROVISIONED);
        ui_renderer_close(renderer);
        return code;
    }
    if (strcmp(s_prov.serial, id.serial) != 0) {
        FW_LOGW("provisioned serial %s differs from the hardware serial %s", s_prov.serial,
                id.serial);
    }
    FW_LOGI("provisioned: serial %s, trial %s, server %s, region %s, %s outside-line prefix",
            s_prov.serial, s_prov.trial, s_prov.server, s_prov.region,
            s_prov.dial_prefix[0] ? "an" : "no");

    int64_t wall = 0;
    bool wall_ok = false;
    agent_report_open(&s_report, &s_store, &s_prov, &s_trial, cfg->report_interval_s,
                      cfg->report_batch_s);
    uint64_t boot_mono = read_clocks(&wall_ok, &wall);
    agent_trial_boot(&s_trial, &s_store, &s_prov, boot_mono, wall_ok, wall, agent_report_event,
                     &s_report);
    apply_lines();
    agent_support_open(&s_support, cfg->support_listen, &s_store, &s_prov, &s_trial, &s_report);
    agent_calls_policy_t policy = {.dial_prefix = s_prov.dial_prefix};

    const uint64_t start_ms = hal_clock_mono_ms();
    uint64_t counted_up_ms = start_ms; /* uptime counted up to here */
    const uint64_t run_ms = cfg->run_for_s > 0 ? (uint64_t)cfg->run_for_s * 1000u : UINT64_MAX;
    while (!hal_system_stop_requested()) {
        uint64_t mono = read_clocks(&wall_ok, &wall);
        agent_trial_tick(&s_trial, mono, wall_ok, wall);
        apply_lines();
        policy.mode = agent_trial_calling(&s_trial);
        policy.region = agent_trial_region(&s_trial);
        handle_input(mono);
        if (handle_events(&policy)) {
            agent_report_save(&s_report, s_trial.report_time); /* a count is never lost */
        }
        compose(cfg, mono, screen);
        refresh(renderer, screen);
        uint32_t up_s = (uint32_t)((mono - counted_up_ms) / 1000u);
        if (up_s > 0) {
            COUNT(report_usage_uptime, up_s);
            counted_up_ms += (uint64_t)up_s * 1000u;
        }
        if (agent_trial_wants_server_time(&s_trial)) {
            agent_report_refresh(&s_report); /* the collector's time settles the clock */
        }
        agent_report_step(&s_report, s_trial.report_time, hal_clock_net_ms(), hal_net_is_up());
        uint64_t elapsed = mono - start_ms;
        if (elapsed >= run_ms) {
            break;
        }
        /* The turn lasts LOOP_PERIOD_MS of device time. While a request is
         * out, spend it on the socket (bounded in network time, since a
         * stepped simulation's device clock does not move meanwhile), and
         * keep answering calls between slices: the stack waits 1 s. */
        uint64_t left = run_ms - elapsed;
        uint64_t turn_end = mono + (left < LOOP_PERIOD_MS ? left : LOOP_PERIOD_MS);
        const uint64_t net_end = hal_clock_net_ms() + NET_POLL_MAX_MS;
        for (unsigned i = 0;
             i < NET_POLL_MAX_MS / NET_POLL_SLICE_MS && /* even if no clock moves */
             hal_net_is_up() && agent_report_busy(&s_report) && hal_clock_mono_ms() < turn_end &&
             hal_clock_net_ms() < net_end && !hal_system_stop_requested();
             i++) {
            agent_report_poll(&s_report, NET_POLL_SLICE_MS);
            agent_support_step(&s_support);
            if (serve_calls(&policy)) {
                agent_report_save(&s_report, s_trial.report_time);
            }
        }
        wait_turn(turn_end, &policy);
    }
    (void)handle_events(&policy);
    agent_support_close(&s_support);
    agent_report_close(&s_report, s_trial.report_time, cfg->report_drain_ms);
    log_totals("");
    agent_trial_free(&s_trial);
    ui_renderer_close(renderer);
    return AGENT_EXIT_OK;
}
