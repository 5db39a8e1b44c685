/*
 * The agent's trial glue (agent_trial.c) against a wall clock set forward:
 * the real store on the fake flash, a signed licence, reboots, and the
 * collector's time arriving as it does from an answer. R9: a clock set a
 * year forward for a minute by mistake must not lapse the trial for good;
 * a jump the collector confirms does (docs/TRIAL_ENGINE.md "Trusted time").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent_fixture.h"
#include "agent_trial.h"
#include "fakes/fake_flash.h"
#include "fakes/fake_log.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "licence/licence.h"
#include "proto/layout.h"
#include "trial/persist.h"

#define NOW INT64_C(1796083200) /* 2026-12-01T00:00:00Z */
#define DAY INT64_C(86400)
#define YEAR (365 * DAY)

static store_t s_store;
static proto_provisioning_t s_prov;
static agent_trial_t s_trial;
static licence_key_t s_key;
static char s_events[32][128];
static int s_n_events;

static void on_event(void *ctx, const char *kind, const char *detail, int64_t t)
{
    (void)ctx;
    (void)t;
    if (s_n_events < 32) {
        (void)snprintf(s_events[s_n_events++], sizeof s_events[0], "%s: %s", kind, detail);
    }
}

static int count_events(const char *prefix)
{
    int n = 0;
    for (int i = 0; i < s_n_events; i++) {
        n += strncmp(s_events[i], prefix, strlen(prefix)) == 0;
    }
    return n;
}

static void mount(void)
{
    store_config_t c = {LAYOUT_STORE_FIRST_SECTOR, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE)};
    assert_int_equal(store_mount(&s_store, &c), 0);
}

/* A device that ran until a minute ago with a trial licence ending at
 * NOW + 20 days, issued an hour ago. */
static int setup(void **state)
{
    (void)state;
    fake_flash_setup(LAYOUT_SECTOR_SIZE, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE), 16);
    fake_secure_reset();
    fake_log_clear();
    s_n_events = 0;
    mount();
    assert_int_equal(licence_key_generate(&s_key), 0);
    memset(&s_prov, 0, sizeof s_prov);
    strcpy(s_prov.serial, "FOC2240Y1ZZ");
    strcpy(s_prov.trial, "D1000001");
    strcpy(s_prov.region, "US");
    strcpy(s_prov.model, "Spark Room Kit");
    assert_int_equal(
        licence_key_write_public_pem(&s_key, s_prov.licence_pubkey, sizeof s_prov.licence_pubkey),
        0);
    fx_store_licence(&s_store, &s_key, "trial", 1, NOW - 3600, NOW + 20 * DAY, false);
    assert_int_equal(trial_persist_save_time(&s_store, NOW - 60), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    agent_trial_free(&s_trial);
    licence_key_free(&s_key);
    fake_flash_free();
    return 0;
}

/* Power cycle: the same flash, a new boot at wall clock `wall`. */
static void boot(int64_t wall)
{
    agent_trial_free(&s_trial);
    mount();
    agent_trial_boot(&s_trial, &s_store, &s_prov, 0, true, wall, on_event, NULL);
}

static bool days_left_shown(int32_t days)
{
    return s_trial.have_licence && s_trial.view.state == TRIAL_STATE_TRIAL &&
           s_trial.view.days_left == days;
}

static void test_a_year_forward_for_a_minute_lapses_nothing(void **state)
{
    (void)state;
    boot(NOW);
    assert_true(days_left_shown(20));
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_FULL);

    /* somebody sets the clock a year forward, for a minute */
    for (uint64_t s = 1; s <= 60; s++) {
        agent_trial_tick(&s_trial, s * 1000u, true, NOW + YEAR + (int64_t)s);
    }
    /* shown and enforced: granting less is safe; nothing written for good */
    assert_int_equal(s_trial.view.state, TRIAL_STATE_RELEASED);
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_DEGRADED);
    assert_false(s_trial.hist.lapsed_reached);
    assert_int_equal(count_events("notice"), 0);
    assert_int_equal(count_events("calling_degraded"), 0);
    assert_true(agent_trial_wants_server_time(&s_trial)); /* ask the collector */
    assert_false(agent_trial_wants_server_time(&s_trial));
    assert_true(s_trial.confirmed <= NOW + 60);

    /* set right again; even across a reboot what was shown holds (a clock
     * set back gains nothing) until the collector's time settles it */
    agent_trial_tick(&s_trial, 61000, true, NOW + 61);
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_DEGRADED);
    boot(NOW + 70);
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_DEGRADED);
    agent_trial_server_time(&s_trial, NOW + 71, 1000, 1000);
    assert_int_equal(count_events("clock_ahead"), 1);
    agent_trial_tick(&s_trial, 2000, true, NOW + 72);
    assert_true(days_left_shown(20));
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_FULL);

    /* and for good: another boot, no collector, the trial goes on */
    boot(NOW + 3600);
    assert_true(days_left_shown(20));
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_FULL);
    assert_false(s_trial.hist.lapsed_reached);
    assert_int_equal(count_events("notice"), 0);
}

/* The same jump confirmed by the collector is real: the lapse is recorded
 * (R9), the notices are raised in order, and setting the clock back
 * afterwards changes nothing. */
static void test_a_jump_the_collector_confirms_is_final(void **state)
{
    (void)state;
    boot(NOW);
    agent_trial_tick(&s_trial, 1000, true, NOW + YEAR);
    assert_false(s_trial.hist.lapsed_reached);
    agent_trial_server_time(&s_trial, NOW + YEAR + 1, 1500, 1500);
    assert_int_equal(count_events("clock_ahead"), 0);
    agent_trial_tick(&s_trial, 2000, true, NOW + YEAR + 2);
    assert_true(s_trial.hist.lapsed_reached);
    assert_int_equal(count_events("notice"), 4); /* E-7d, E-1d, E, E+30d */
    assert_int_equal(count_events("numbers_released"), 1);
    assert_int_equal(count_events("calling_degraded"), 1);
    boot(NOW + 100); /* the clock set back: a rollback, nothing regained */
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_DEGRADED);
    assert_int_equal(count_events("clock_rollback"), 1);
}

/* A simulated clock at a day per real second, where the collector's answer
 * took 40 simulated minutes (28 real ms): the room was off for six hours, its
 * honest wall clock is ahead of its mark. A notification nobody asked for
 * settles nothing; the answer to the request does, allowing for the round
 * trip: confirmed, no clock_ahead. A clock set a year forward is still
 * caught with the same round trip (R9). */
static void test_a_round_trip_keeps_an_honest_clock_confirmed(void **state)
{
    (void)state;
    const int64_t wall0 = NOW + 6 * 3600;
    const uint64_t sent = 1000, recv = 1000 + 40 * 60 * 1000;
    boot(wall0);
    assert_true(agent_trial_wants_server_time(&s_trial));
    agent_trial_tick(&s_trial, recv, true, wall0 + 2401);
    agent_trial_server_time(&s_trial, wall0 + 61, TRUSTED_TIME_UNASKED, recv);
    /* a lower bound: the mark rises to it; the wall clock waits for an answer
     * it asked for */
    assert_int_equal(s_trial.confirmed, wall0 + 61);
    assert_int_equal(trusted_time_ahead(&s_trial.tt, recv), wall0 + 2401);
    agent_trial_server_time(&s_trial, wall0 + 61, sent, recv);
    assert_int_equal(count_events("clock_ahead"), 0);
    assert_int_equal(s_trial.confirmed, wall0 + 2401);
    agent_trial_tick(&s_trial, recv + 1000, true, wall0 + 2402);
    assert_int_equal(s_trial.confirmed, wall0 + 2402);
    assert_false(s_trial.ahead_pending);
    assert_false(agent_trial_wants_server_time(&s_trial));
    assert_true(days_left_shown(20));

    /* a year forward, the same round trip: rejected */
    agent_trial_tick(&s_trial, recv + 2000, true, wall0 + YEAR);
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_DEGRADED);
    agent_trial_server_time(&s_trial, wall0 + 2403, recv + 3000, recv + 3000 + 2400000);
    assert_int_equal(count_events("clock_ahead"), 1);
    agent_trial_tick(&s_trial, recv + 3000 + 2400000, true, wall0 + YEAR + 2400);
    assert_false(s_trial.hist.lapsed_reached);
    assert_true(days_left_shown(20));
    assert_int_equal(agent_trial_calling(&s_trial), CALLING_MODE_FULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_year_forward_for_a_minute_lapses_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_jump_the_collector_confirms_is_final, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_round_trip_keeps_an_honest_clock_confirmed, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
