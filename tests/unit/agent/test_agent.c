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
#include "fakes/fake_call.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_display.h"
#include "fakes/fake_flash.h"
#include "fakes/fake_identity.h"
#include "fakes/fake_log.h"
#include "fakes/fake_room.h"
#include "fakes/fake_secure.h"
#include "fakes/fake_system.h"
#include "fw/err.h"
#include "proto/layout.h"
#include "proto/provisioning.h"
#include "store/store.h"

static const agent_config_t CFG = {.run_for_s = 3600, .font_path = NULL};

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
    fake_system_reset();
    fake_log_clear();
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
static void provision(const char *trial)
{
    proto_provisioning_t p;
    memset(&p, 0, sizeof p);
    strcpy(p.serial, "FOC2240Y1ZZ");
    strcpy(p.model, "Spark Room Kit");
    strcpy(p.trial, trial);
    strcpy(p.server, "coaps://127.0.0.1:5684");
    strcpy(p.licence_pubkey, "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n");
    strcpy(p.region, "US");
    strcpy(p.locale, "en");
    p.psk_len = 32;
    strcpy(p.psk_identity, "FOC2240Y1ZZ");
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

/* TRIAL.md "before activation": setup screen, serial shown, exit 78. */
static void test_unprovisioned_shows_setup_and_exits_78(void **state)
{
    (void)state;
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_UNPROVISIONED);
    assert_int_equal(fake_display_present_count(), 1);
    assert_true(fake_log_contains("not provisioned"));
    assert_int_equal(fake_clock_wait_calls(), 0); /* it did not enter the loop */
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

static void test_unreadable_flash_fails(void **state)
{
    (void)state;
    fake_flash_fail(FW_E_IO);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_FAILURE);
    assert_true(fake_log_contains("cannot read flash"));
}

/* Dial requests get an answer; usage from the room is counted. Emergency
 * numbers must always be allowed (TRIAL.md: callable in every state). */
static void test_calls_answered_and_usage_counted(void **state)
{
    (void)state;
    provision("D1000001");
    assert_int_equal(fake_call_push_dial(1, "+4930123456"), 0);
    assert_int_equal(fake_call_push_dial(2, "911"), 0);
    assert_int_equal(fake_call_push_ended(1, 300), 0);
    assert_int_equal(fake_room_push(HAL_ROOM_EV_MEETING, 1800), 0);
    assert_int_equal(fake_room_push(HAL_ROOM_EV_PEOPLE, 4), 0);
    assert_int_equal(agent_run(&CFG), AGENT_EXIT_OK);
    assert_int_equal(fake_call_decision(1), 1);
    assert_int_equal(fake_call_decision(2), 1);
    assert_true(fake_log_contains("1 calls (300 s), 1 meetings (1800 s)"));
    assert_true(fake_log_contains("at most 4 people"));
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
        cmocka_unit_test_setup_teardown(test_calls_answered_and_usage_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_request_ends_the_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
