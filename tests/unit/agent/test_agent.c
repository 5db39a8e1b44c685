#define _GNU_SOURCE /* memmem */
/*
 * The agent's main loop against the HAL fakes: what a device does at boot
 * with no, damaged or valid provisioning, and that it runs on the board's
 * clock (no sleeping, no real time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "agent_fixture.h"
#include "fakes/fake_call.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_display.h"
#include "fakes/fake_flash.h"
#include "fakes/fake_identity.h"
#include "fakes/fake_input.h"
#include "fakes/fake_log.h"
#include "fakes/fake_net.h"
#include "fakes/fake_room.h"
#include "fakes/fake_secure.h"
#include "fakes/fake_system.h"
#include "fw/err.h"
#include "proto/layout.h"
#include "proto/provisioning.h"
#include "licence/licence.h"
#include "store/store.h"
#include "trial/persist.h"
#include "ui/render.h"

static const agent_config_t CFG = {.run_for_s = 3600, .font_path = NULL};
/* A lapsed room's screens alternate; the calls tests read the log, which
 * keeps only the last lines: page once a day. */
static const agent_config_t CFG_LAPSED = {
    .run_for_s = 3600, .font_path = NULL, .screen_page_s = 86400};

static int setup(void **state)
{
    (void)state;
    fake_flash_setup(LAYOUT_SECTOR_SIZE, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE), 16);
    fake_secure_reset();
    fake_clock_reset();
    fake_clock_set_wall(1764950400); /* 2025-12-05 */
    fake_display_reset();
    fake_display_set_size(320, 180);
    fake_identity_reset();
    fake_identity_set_serial("FOC2240Y1ZZ");
    fake_call_reset();
    fake_room_reset();
    fake_input_reset();
    fake_system_reset();
    fake_log_clear();
    fake_net_set_up(false); /* unit tests open no connection; tests/system does */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_flash_free();
    return 0;
}

static store_config_t store_cfg(void)
{
    store_config_t c = {LAYOUT_STORE_FIRST_SECTOR, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE)};
    return c;
}

/* Writes a provisioning record the way the flashing tool does. */
static char s_pubkey[1024] = "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n";
static licence_key_t s_key;
static const char *s_locale = "en";

static void provision_with(const char *trial, const char *dial_prefix)
{
    proto_provisioning_t p;
    memset(&p, 0, sizeof p);
    strcpy(p.serial, "FOC2240Y1ZZ");
    strcpy(p.model, "Spark Room Kit");
    strcpy(p.trial, trial);
    strcpy(p.server, "coaps://127.0.0.1:5684");
    strcpy(p.licence_pubkey, s_pubkey);
    strcpy(p.region, "US");
    strcpy(p.locale, s_locale);
    strcpy(p.return_url, "https://partner.example/rma");
    p.psk_len = 32;
    strcpy(p.psk_identity, "FOC2240Y1ZZ");
    strcpy(p.dial_prefix, dial_prefix);
    char buf[4096], why[160];
    size_t len = 0;
    /* an invalid trial number is written raw, as a buggy tool or an attacker
     * with the key might: the agent must still refuse it */
    if (proto_provisioning_encode(&p, buf, sizeof buf, &len, why, sizeof why) != 0) {
        len = (size_t)snprintf(buf, sizeof buf,
                               "{\"v\":1,\"serial\":\"FOC2240Y1ZZ\",\"trial\":\"%s\"}", trial);
    }
    store_t s;
    store_config_t c = store_cfg();
    assert_int_equal(store_mount(&s, &c), 0);
    assert_int_equal(store_put(&s, STORE_KEY_PROVISIONING, buf, len, 0), 0);
}

static void provision(const char *trial)
{
    provision_with(trial, "");
}

/* TRIAL_RULES.md "before activation": setup screen, serial shown; the agent stays
 * up serving emergency calls (safe mode, docs/EMERGENCY.md) and says 78 when
 * it is stopped. */
static void test_unprovisioned_shows_setup_and_exits_78(void **state)
{
    (void)state;
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_UNPROVISIONED);
    assert_true(fake_display_present_count() >= 1);
    assert_true(fake_log_contains("not provisioned"));
    assert_true(fake_log_contains("Setup required"));
    assert_true(fake_log_contains("Emergency calls work."));
    assert_true(fake_clock_waited_ms() >= 3600u * 1000u); /* it stayed up */
}

static void test_provisioned_runs_for_device_time(void **state)
{
    (void)state;
    provision("D1000001");
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_true(fake_clock_waited_ms() >= 3600u * 1000u);
    assert_true(fake_clock_waited_ms() < 3601u * 1000u);
    assert_int_equal(fake_display_present_count(), 1);
    assert_true(fake_log_contains("trial D1000001"));
}

/* A flipped byte in the only provisioning record: rejected, not used. */
static void test_damaged_provisioning_is_not_used(void **state)
{
    (void)state;
    provision("D1000001");
    uint8_t *mem = fake_flash_mem();
    char *hit = memmem(mem, fake_flash_size(), "D1000001", 8);
    assert_non_null(hit);
    hit[1] ^= 0x01;
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_UNPROVISIONED);
    assert_true(fake_log_contains("not provisioned"));
}

/* An authentic record whose content is invalid (R1: trial starts with D). */
static void test_invalid_provisioning_names_the_field(void **state)
{
    (void)state;
    provision("X1000001");
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_UNPROVISIONED);
    assert_true(fake_log_contains("provisioning record invalid"));
}

/* The safe mode answers like this in every failure: emergency numbers of
 * every table (no region known), nothing else; no number in the log. */
static void expect_safe_mode_answers_blocked(unsigned blocked)
{
    assert_int_equal(fake_call_decision(1), 0); /* ordinary */
    assert_int_equal(fake_call_decision(2), 1); /* 911 */
    assert_int_equal(fake_call_decision(3), 1); /* 112 */
    assert_int_equal(fake_call_decision(4), 0); /* a near miss */
    assert_int_equal(fake_call_decision(5), 1); /* 999: another region's table */
    assert_int_equal(fake_call_decision(6), 0); /* 9911: no prefix known */
    assert_int_equal(fake_call_decide_count(), 6);
    assert_true(fake_log_contains("safe mode"));
    char totals[64];
    (void)snprintf(totals, sizeof totals, "%u blocked, 3 emergency", blocked);
    assert_true(fake_log_contains(totals));
    assert_false(fake_log_contains("5551234"));
    assert_false(fake_log_contains("555-1234"));
    assert_false(fake_log_contains("1120"));
    assert_false(fake_log_contains("9911"));
    assert_true(fake_log_contains("call 2: allowed (emergency_number)"));
    assert_true(fake_log_contains("call 1: denied (emergency_only)"));
    assert_true(fake_log_contains("Calling is not available | This room system has no calling "
                                  "service at the moment. | Emergency numbers still work."));
    assert_true(fake_clock_waited_ms() >= 3600u * 1000u); /* no exit before it was stopped */
}

static void push_safe_mode_calls(void)
{
    assert_int_equal(fake_call_push_dial(1, "555-1234"), 0);
    assert_int_equal(fake_call_push_dial(2, "911"), 0);
    assert_int_equal(fake_call_push_dial(3, "112"), 0);
    assert_int_equal(fake_call_push_dial_at(60000, 4, "1120"), 0);
    assert_int_equal(fake_call_push_dial_at(120000, 5, "999"), 0);
    assert_int_equal(fake_call_push_dial_at(180000, 6, "9911"), 0);
}

static void test_unprovisioned_serves_emergency_calls(void **state)
{
    (void)state;
    push_safe_mode_calls();
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_UNPROVISIONED);
    expect_safe_mode_answers_blocked(3);
}

static void test_damaged_provisioning_serves_emergency_calls(void **state)
{
    (void)state;
    provision_with("D1000001", "9");
    uint8_t *mem = fake_flash_mem();
    char *hit = memmem(mem, fake_flash_size(), "D1000001", 8);
    assert_non_null(hit);
    hit[1] ^= 0x01;
    push_safe_mode_calls();
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_UNPROVISIONED);
    expect_safe_mode_answers_blocked(3); /* the damaged record's prefix is not used */
}

static void test_unreadable_flash_fails(void **state)
{
    (void)state;
    fake_flash_fail(FW_E_IO);
    push_safe_mode_calls();
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_FAILURE);
    assert_true(fake_log_contains("cannot read flash"));
    assert_true(fake_log_contains("This device cannot read its own memory."));
    expect_safe_mode_answers_blocked(3);
}

#define NOW INT64_C(1764950400) /* the fake wall clock at setup: 2025-12-05 */
#define DAY INT64_C(86400)

/* A real key pair: provisioning carries the public half. */
static void make_key(void)
{
    assert_int_equal(licence_key_generate(&s_key), 0);
    assert_int_equal(licence_key_write_public_pem(&s_key, s_pubkey, sizeof s_pubkey), 0);
}

/* Stores a licence with expiry `e`, issued at `iat`, as if the collector had
 * sent it. */
static void store_licence_at(const char *typ, int64_t e, int64_t iat, uint32_t seq, bool keep)
{
    store_t s;
    store_config_t c = store_cfg();
    assert_int_equal(store_mount(&s, &c), 0);
    fx_store_licence(&s, &s_key, typ, seq, iat, e, keep);
}

static void store_licence(const char *typ, int64_t e, uint32_t seq, bool keep)
{
    store_licence_at(typ, e, e - 60 * DAY, seq, keep);
}

/* The device ran until a minute ago: its persisted trusted-time mark agrees
 * with the wall clock, so the wall clock is confirmed time and notices are
 * raised at once. (Without it, a wall clock weeks ahead of the licence's iat
 * is an unconfirmed jump: shown and enforced, but notices and the lapse wait
 * for the collector's time; docs/TRIAL_ENGINE.md "Trusted time".) */
static void store_mark(int64_t mark)
{
    store_t s;
    store_config_t c = store_cfg();
    assert_int_equal(store_mount(&s, &c), 0);
    assert_int_equal(trial_persist_save_time(&s, mark), 0);
}

/* TRIAL_RULES.md "before activation": calling off, but emergency numbers always. */
static void test_no_licence_allows_emergency_only(void **state)
{
    (void)state;
    provision("D1000001");
    assert_int_equal(fake_call_push_dial(1, "+4930123456"), 0);
    assert_int_equal(fake_call_push_dial(2, "911"), 0);
    assert_int_equal(fake_room_push(HAL_ROOM_EV_MEETING, 1800), 0);
    assert_int_equal(fake_room_push(HAL_ROOM_EV_PEOPLE, 4), 0);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_int_equal(fake_call_decision(1), 0);
    assert_int_equal(fake_call_decision(2), 1);
    assert_true(fake_log_contains("1 blocked, 1 emergency, 1 meetings (1800 s)"));
    assert_true(fake_log_contains("at most 4 people"));
    assert_true(fake_log_contains("Waiting for the trial licence"));
}

/* A licence in force with 20 days left: full calling, no banner. */
static void test_trial_licence_gives_full_calling(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 20 * DAY, 1, false);
    assert_int_equal(fake_call_push_dial(1, "+4930123456"), 0);
    assert_int_equal(fake_call_push_ended(1, 300), 0);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_int_equal(fake_call_decision(1), 1);
    assert_true(fake_log_contains("licence seq 1 accepted"));
    assert_true(fake_log_contains("screen: Spark Room Kit | Ready for calls and meetings."));
    assert_true(fake_log_contains("1 calls (300 s), 0 blocked"));
    licence_key_free(&s_key);
}

/* R7: 5 days before E the banner says so and the E-7 d notice is raised. */
static void test_expiring_banner_and_notice(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 5 * DAY - 3600, 1, false);
    store_mark(NOW - 60);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_true(fake_log_contains("screen: The trial ends in 5 days | To keep using"));
    assert_true(fake_log_contains("event notice: expiring"));
    assert_false(fake_log_contains("event notice: last_day"));
    licence_key_free(&s_key);
}

/* The wall clock and the monotonic instant are read as one pair: a task
 * preempted around the wall read (here for 400 s of device time, every
 * seventh wall read, before it and then after it: a real millisecond on a
 * fast simulated clock) must not look like a wall clock jumping past the
 * 5-minute slack, shown as "ahead" and held until the collector answers, nor
 * like one set back. */
static void test_a_preempted_clock_read_is_read_again(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 20 * DAY, 1, false);
    store_mark(NOW - 60);
    fake_clock_stall_wall_reads(7, 400u * 1000u);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_false(fake_log_contains("wall clock ahead of confirmed time"));
    assert_false(fake_log_contains("clock_rollback"));
    assert_true(fake_log_contains("screen: Spark Room Kit | Ready for calls and meetings."));
    licence_key_free(&s_key);
}

/* R9, R10, R11: after grace calling is degraded, emergency numbers still go
 * through, and the missed notices are raised in order. */
static void test_lapsed_degrades_calling(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 31 * DAY, 1, false);
    store_mark(NOW - 60);
    assert_int_equal(fake_call_push_dial(1, "+4930123456"), 0);
    assert_int_equal(fake_call_push_dial(2, "112"), 0);
    agent_config_t cfg = {.run_for_s = 60, .font_path = NULL};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(fake_log_contains("event notice: lapsed"));
    assert_int_equal(fake_call_decision(1), 0);
    assert_int_equal(fake_call_decision(2), 1);
    assert_true(fake_log_contains("event calling_degraded"));
    assert_true(fake_log_contains("screen: Services ended"));
    licence_key_free(&s_key);
}

/* R3: keep the devices -> services end but no return instructions, ever. */
static void test_keep_devices_shows_no_return_instructions(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 50 * DAY, 1, true);
    store_mark(NOW - 60);
    agent_config_t cfg = {.run_for_s = 600, .font_path = NULL};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_false(fake_log_contains("Please return this device"));
    assert_true(fake_log_contains("event numbers_released"));
    licence_key_free(&s_key);
}

/* Trusted time: a wall clock set back a year gives no day back. */
static void test_clock_set_back_gains_no_day(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 3 * DAY, 1, false);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_true(fake_log_contains("The trial ends in 3 days |"));
    fake_log_clear();
    fake_clock_reset();
    fake_clock_set_wall(NOW - 365 * DAY);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_true(fake_log_contains("event clock_rollback"));
    assert_true(fake_log_contains("The trial ends in 3 days |"));
    assert_false(fake_log_contains("screen: Spark Room Kit")); /* no day back: no plain home */
    licence_key_free(&s_key);
}

/* ------------------------------------------------ screens and input */

/* The most recent "screen: ..." log line (what the room reads now). */
static const char *last_screen(void)
{
    for (size_t n = 0; n < FAKE_LOG_LINES; n++) {
        const char *l = fake_log_line(n);
        if (l && strstr(l, "screen: ")) {
            return strstr(l, "screen: ") + 8;
        }
    }
    return "";
}

static size_t count_lines(const char *substr)
{
    size_t k = 0;
    for (size_t n = 0; n < FAKE_LOG_LINES; n++) {
        const char *l = fake_log_line(n);
        k += l && strstr(l, substr);
    }
    return k;
}

static agent_config_t with_font(int64_t run_for_s)
{
    agent_config_t c = {.run_for_s = run_for_s,
                        .font_path = SPARK_TEST_FONT,
                        .font_bold_path = SPARK_TEST_FONT_BOLD,
                        .version = "1.4.2"};
    return c;
}

#define HOME_LINE "Spark Room Kit | Ready for calls and meetings."

/* Issue 13: INFO opens the about screen; it goes back after 60 s. */
static void test_info_opens_about_and_it_times_out(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 20 * DAY, 1, false);
    assert_int_equal(fake_input_push_button_at(5000, HAL_BUTTON_INFO), 0);
    agent_config_t cfg = {.run_for_s = 64, .version = "1.4.2"};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(strncmp(last_screen(), "About this device | Trial number D1000001", 40) == 0);
    assert_true(fake_log_contains("The trial ends on 25 December 2025."));
    assert_true(fake_log_contains("Calling: 20 days left"));
    assert_true(fake_log_contains("Firmware 1.4.2"));

    fake_log_clear();
    fake_clock_reset();
    fake_clock_set_wall(NOW);
    assert_int_equal(fake_input_push_button_at(5000, HAL_BUTTON_INFO), 0);
    cfg.run_for_s = 66;
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(fake_log_contains("screen: About this device"));
    assert_string_equal(last_screen(), HOME_LINE " | Press INFO for details about this device.");
    licence_key_free(&s_key);
}

/* HOME goes back at once; a button the firmware does not know does nothing. */
static void test_home_goes_back(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 20 * DAY, 1, false);
    assert_int_equal(fake_input_push_button_at(2000, HAL_BUTTON_INFO), 0);
    assert_int_equal(fake_input_push_button_at(6000, HAL_BUTTON_HOME), 0);
    assert_int_equal(fake_input_push_button_at(8000, (hal_button_t)99), 0);
    agent_config_t cfg = {.run_for_s = 12};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(fake_log_contains("screen: About this device"));
    assert_true(strncmp(last_screen(), HOME_LINE, strlen(HOME_LINE)) == 0);
    assert_int_equal(fake_input_pending(), 0);
    licence_key_free(&s_key);
}

/* Issue 13: a touch on the banner opens the about screen (R7). */
static void test_touch_on_banner_opens_about(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 5 * DAY - 3600, 1, false);
    fake_display_set_size(1280, 720);
    assert_int_equal(fake_input_push_touch_at(3000, 640, 700), 0); /* not on the banner */
    agent_config_t cfg = with_font(6);
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(strncmp(last_screen(), "The trial ends in 5 days", 24) == 0);

    fake_log_clear();
    assert_int_equal(fake_input_push_touch_at(3000, 640, 20), 0); /* on the banner */
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(strncmp(last_screen(), "About this device", 17) == 0);
    assert_false(fake_log_contains("does not fit"));
    licence_key_free(&s_key);
}

/* R11: a blocked dial shows "calling is not available; emergency numbers
 * still work" for 30 s, then the screen before it. */
static void test_blocked_dial_shows_notice_for_30_s(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 31 * DAY, 1, true); /* lapsed, keeps the devices */
    assert_int_equal(fake_call_push_dial(1, "+4930123456"), 0);
    agent_config_t cfg = {.run_for_s = 29};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_int_equal(fake_call_decision(1), 0);
    assert_true(strncmp(last_screen(), "Calling is not available | ", 27) == 0);
    assert_true(fake_log_contains("Emergency numbers still work."));

    fake_log_clear();
    fake_clock_reset();
    fake_clock_set_wall(NOW);
    fake_call_reset();
    assert_int_equal(fake_call_push_dial(1, "+4930123456"), 0);
    cfg.run_for_s = 31;
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(fake_log_contains("screen: Calling is not available"));
    assert_true(strncmp(last_screen(), "Services ended", 14) == 0);
    licence_key_free(&s_key);
}

/* Issue 13: the provisioned locale picks the language (de -> German). */
static void test_german_room(void **state)
{
    (void)state;
    make_key();
    s_locale = "de-AT";
    provision("D1000001");
    s_locale = "en";
    store_licence("trial", NOW + 5 * DAY - 3600, 1, false);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_true(fake_log_contains("screen: Die Testversion endet in 5 Tagen | Damit Sie"));
    licence_key_free(&s_key);
}

/* R13: the return screen's button asks the partner for new labels: one
 * rma_labels_requested event, and the screen says so. */
static void test_request_new_labels(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 50 * DAY, 1, false); /* released, devices go back */
    fake_display_set_size(1280, 720);
    ui_rect_t b = ui_action_button_rect(1280, 720);
    const uint16_t x = (uint16_t)(b.x + b.w / 2), y = (uint16_t)(b.y + b.h / 2);
    assert_int_equal(fake_input_push_touch_at(3000, x, y), 0);
    assert_int_equal(fake_input_push_touch_at(5000, x, y), 0); /* again: asked already */
    agent_config_t cfg = with_font(8);
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_int_equal(count_lines("event rma_labels_requested"), 1);
    assert_true(strncmp(last_screen(), "Please return this device", 25) == 0);
    assert_true(fake_log_contains("your partner has been asked to send them."));
    assert_false(fake_log_contains("not queued"));
    licence_key_free(&s_key);
}

/* Store full (docs/EMERGENCY.md): the trial history cannot be saved, so a
 * lapse would not survive a restart: calling fails safe even on a licence
 * that gives full calling, emergency numbers still work, the screen says so. */
static void test_store_full_fails_safe(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 20 * DAY, 1, false);
    store_t s;
    store_config_t c = store_cfg();
    assert_int_equal(store_mount(&s, &c), 0);
    static uint8_t filler[STORE_VALUE_MAX];
    memset(filler, 0x5A, sizeof filler);
    store_key_t key = 0x0100; /* keys nothing else uses */
    for (size_t size = STORE_VALUE_MAX; size >= 8; size /= 2) {
        while (key < 0x0F00 && store_put(&s, key, filler, size, 0) == 0) {
            key++;
        }
    }
    assert_true(key < 0x0F00); /* the store did fill up */
    assert_int_equal(fake_call_push_dial(1, "5551234"), 0);
    assert_int_equal(fake_call_push_dial(2, "911"), 0);
    agent_config_t cfg = {.run_for_s = 5, .font_path = NULL};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_true(fake_log_contains("store full"));
    assert_true(fake_log_contains("This device's memory is full."));
    assert_int_equal(fake_call_decision(1), 0);
    assert_int_equal(fake_call_decision(2), 1);
    licence_key_free(&s_key);
}

/* R11, docs/EMERGENCY.md: at E + 45 d the stack is told the lines are
 * released, once; a restart tells it again but raises no second event and
 * never holds them again. Before E + 45 d nothing is said. */
static void test_lines_released_once_across_restart(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 45 * DAY + 1800, 1, false); /* E + 45 d in 30 min */
    store_mark(NOW - 60);
    assert_int_equal(agent_run(&CFG_LAPSED), AGENT_EXIT_OK);
    assert_int_equal(fake_call_lines_calls(false), 1);
    assert_int_equal(fake_call_lines_calls(true), 0);
    assert_false(fake_call_lines_held());
    assert_true(fake_log_contains("event numbers_released"));
    assert_true(fake_log_contains("line numbers released (E + 45 d, R11)"));

    fake_log_clear();
    fake_call_reset(); /* a restarted stack: held until told */
    fake_clock_reset();
    fake_clock_set_wall(NOW + 3600);
    assert_int_equal(agent_run(&CFG_LAPSED), AGENT_EXIT_OK);
    assert_int_equal(fake_call_lines_calls(false), 1);
    assert_int_equal(fake_call_lines_calls(true), 0);
    assert_false(fake_log_contains("event numbers_released"));
    assert_true(fake_log_contains("released before this start"));
    licence_key_free(&s_key);
}

static void test_lines_held_while_lapsed(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 31 * DAY, 1, true); /* keeps: ended screen only */
    assert_int_equal(agent_run(&CFG_LAPSED), AGENT_EXIT_OK);
    assert_int_equal(fake_call_lines_calls(false), 0);
    assert_int_equal(fake_call_lines_calls(true), 0);
    assert_true(fake_call_lines_held());
    assert_true(fake_log_contains("The phone numbers are kept until"));
    licence_key_free(&s_key);
}

/* A lapsed room behind a PBX (prefix 9): 9911 goes through, an ordinary
 * number does not; for 60 minutes after the emergency call every incoming
 * call is let in (59:59 yes, 60:00 no), otherwise none. */
static void test_lapsed_prefix_and_callback_window(void **state)
{
    (void)state;
    make_key();
    provision_with("D1000001", "9");
    store_licence("trial", NOW - 31 * DAY, 1, false);
    assert_int_equal(fake_call_push_incoming(1, "+15550100"), 0); /* before: denied */
    assert_int_equal(fake_call_push_dial(2, "95551234"), 0);
    assert_int_equal(fake_call_push_dial(3, "9911"), 0); /* at mono 0: window opens */
    assert_int_equal(fake_call_push_incoming_at(600000, 4, ""), 0);
    assert_int_equal(fake_call_push_incoming_at(3599000, 5, "+15550100"), 0);
    assert_int_equal(fake_call_push_incoming_at(3600000, 6, ""), 0);
    agent_config_t cfg = {.run_for_s = 2 * 3600, .font_path = NULL, .screen_page_s = 86400};
    assert_int_equal(agent_run(&cfg), AGENT_EXIT_OK);
    assert_int_equal(fake_call_decision(1), 0);
    assert_int_equal(fake_call_decision(2), 0);
    assert_int_equal(fake_call_decision(3), 1);
    assert_int_equal(fake_call_decision(4), 1);
    assert_int_equal(fake_call_decision(5), 1);
    assert_int_equal(fake_call_decision(6), 0);
    assert_true(fake_log_contains("incoming call 5: allowed (callback_window)"));
    assert_true(fake_log_contains("incoming call 6: denied (incoming_blocked)"));
    assert_true(fake_log_contains("3 blocked, 1 emergency"));
    assert_false(fake_log_contains("9911"));
    assert_false(fake_log_contains("15550100"));
    licence_key_free(&s_key);
}

/* Full calling: incoming calls are simply calls. */
static void test_incoming_in_full_calling(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW + 20 * DAY, 1, false);
    assert_int_equal(fake_call_push_incoming(1, "+15550100"), 0);
    assert_int_equal(fake_call_push_incoming(2, ""), 0);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_int_equal(fake_call_decision(1), 1);
    assert_int_equal(fake_call_decision(2), 1);
    licence_key_free(&s_key);
}

/* R8: converted during grace, the room never loses calling, not even after
 * E + 30 d or E + 45 d, and its lines are never released. */
static void test_conversion_in_grace_never_degrades(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 10 * DAY, 1, false); /* grace */
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    store_licence_at("paid", NOW - 10 * DAY, NOW, 2, false); /* converted now */
    fake_log_clear();
    fake_clock_reset();
    fake_clock_set_wall(NOW + 40 * DAY); /* past E + 30 d and E + 45 d */
    assert_int_equal(fake_call_push_dial(1, "5551234"), 0);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_true(fake_log_contains("licence seq 2 accepted (paid)"));
    assert_int_equal(fake_call_decision(1), 1);
    assert_false(fake_log_contains("event calling_degraded"));
    assert_false(fake_log_contains("event numbers_released"));
    assert_int_equal(fake_call_lines_calls(false), 0);
    licence_key_free(&s_key);
}

/* R9: a conversion that reaches a lapsed device after the fact is refused,
 * as the trial engine always did, and calling stays degraded. */
static void test_conversion_after_lapse_is_refused(void **state)
{
    (void)state;
    make_key();
    provision("D1000001");
    store_licence("trial", NOW - 31 * DAY, 1, false); /* lapsed */
    store_mark(NOW - 60);
    assert_int_equal(agent_run(&CFG_LAPSED), AGENT_EXIT_OK);
    store_licence_at("paid", NOW - 31 * DAY, NOW + 3600, 2, false);
    fake_log_clear();
    fake_clock_reset();
    fake_clock_set_wall(NOW + 7200);
    assert_int_equal(fake_call_push_dial(1, "5551234"), 0);
    assert_int_equal(fake_call_push_dial(2, "112"), 0);
    assert_int_equal(agent_run(&CFG_LAPSED), AGENT_EXIT_OK);
    assert_true(fake_log_contains("licence seq 2 refused: trial lapsed: final (R9)"));
    assert_int_equal(fake_call_decision(1), 0);
    assert_int_equal(fake_call_decision(2), 1);
    licence_key_free(&s_key);
}

static void test_stop_request_ends_the_loop(void **state)
{
    (void)state;
    provision("D1000001");
    fake_system_stop_after(3);
    agent_config_t forever = {.run_for_s = 0, .font_path = NULL};
    assert_int_equal(agent_run(&forever), AGENT_EXIT_OK);
    assert_int_equal(fake_clock_wait_calls(), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unprovisioned_shows_setup_and_exits_78, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_provisioned_runs_for_device_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_provisioning_is_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_provisioning_names_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_flash_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unprovisioned_serves_emergency_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_provisioning_serves_emergency_calls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_full_fails_safe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_released_once_across_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_held_while_lapsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lapsed_prefix_and_callback_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incoming_in_full_calling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conversion_in_grace_never_degrades, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conversion_after_lapse_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_licence_allows_emergency_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trial_licence_gives_full_calling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiring_banner_and_notice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_preempted_clock_read_is_read_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lapsed_degrades_calling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_devices_shows_no_return_instructions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clock_set_back_gains_no_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_opens_about_and_it_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_goes_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_touch_on_banner_opens_about, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocked_dial_shows_notice_for_30_s, setup, teardown),
        cmocka_unit_test_setup_teardown(test_german_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_new_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_request_ends_the_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
