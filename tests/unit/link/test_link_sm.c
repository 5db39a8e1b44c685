/*
 * test_link_sm.c - the uplink's session logic (link/link_sm.h) driven by the
 * fake clock: no socket, no libcoap, no sleeping. Backoff and jitter bounds,
 * name lookups at every session start, timeouts, a server restart, idle
 * close, Observe re-registration, and that no failure is ever retried once
 * per loop turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fakes/fake_clock.h"
#include "fw/backoff.h"
#include "hal/clock.h"
#include "link/link_sm.h"

static link_sm_t s_sm;
static link_sm_out_t s_out;

static int setup(void **state)
{
    (void)state;
    fake_clock_reset();
    fake_clock_advance_ms(1000000); /* an arbitrary non-zero start */
    link_sm_config_t cfg = {.rand_seed = 12345};
    link_sm_init(&s_sm, &cfg);
    memset(&s_out, 0, sizeof s_out);
    return 0;
}

/* Feed one event now; return the actions it asked for. */
static uint32_t ev(link_sm_event_kind_t kind)
{
    memset(&s_out, 0, sizeof s_out);
    link_sm_event_t e = {.kind = kind};
    link_sm_handle(&s_sm, hal_clock_net_ms(), &e, &s_out);
    return s_out.act;
}

static uint32_t tick(bool work, bool busy)
{
    memset(&s_out, 0, sizeof s_out);
    link_sm_event_t e = {.kind = LINK_EV_TICK, .work = work, .busy = busy || work};
    link_sm_handle(&s_sm, hal_clock_net_ms(), &e, &s_out);
    return s_out.act;
}

static uint32_t resolved(uint32_t n)
{
    memset(&s_out, 0, sizeof s_out);
    link_sm_event_t e = {.kind = LINK_EV_RESOLVED, .n_addrs = n};
    link_sm_handle(&s_sm, hal_clock_net_ms(), &e, &s_out);
    return s_out.act;
}

/* Tick every `step_ms` with work until an action shows; returns the ms it took. */
static uint64_t until_action(uint64_t step_ms, uint64_t max_ms, uint32_t *act)
{
    uint64_t start = hal_clock_net_ms();
    *act = tick(true, true);
    while (!*act && hal_clock_net_ms() - start < max_ms) {
        fake_clock_advance_ms(step_ms);
        *act = tick(true, true);
    }
    return hal_clock_net_ms() - start;
}

/* From IDLE with work to UP on address 0. */
static void bring_up(void)
{
    uint32_t act;
    (void)until_action(10, 60 * 60 * 1000, &act);
    assert_int_equal(act, LINK_ACT_RESOLVE);
    assert_int_equal(s_sm.state, LINK_SM_RESOLVING);
    assert_int_equal(resolved(1), LINK_ACT_CONNECT);
    assert_int_equal(ev(LINK_EV_CONNECTED), 0);
    assert_int_equal(s_sm.state, LINK_SM_UP);
}

/* ---- backoff ---------------------------------------------------------------- */

static void test_backoff_bounds(void **state)
{
    (void)state;
    assert_true(fw_backoff_ms(0, 0) == 0);
    assert_true(fw_backoff_ms(0, UINT32_MAX) <= FW_BACKOFF_BASE_MS);
    for (uint32_t a = 1; a < 40; a++) {
        uint64_t e = (uint64_t)FW_BACKOFF_BASE_MS << (a < 20 ? a : 20);
        if (e > FW_BACKOFF_CAP_MS) {
            e = FW_BACKOFF_CAP_MS;
        }
        uint32_t lo = fw_backoff_ms(a, 0), hi = fw_backoff_ms(a, UINT32_MAX - 1);
        assert_int_equal(lo, e / 2);
        assert_true(hi >= lo && hi <= e);
        for (uint32_t r = 0; r < 1000; r += 37) {
            uint32_t d = fw_backoff_ms(a, r * 2654435761u);
            assert_true(d >= e / 2 && d <= e);
        }
    }
    /* jitter spreads a fleet: 1000 devices at attempt 3 hit many distinct ms */
    unsigned distinct = 0;
    static uint8_t seen[16001];
    uint32_t x = 1;
    for (int i = 0; i < 1000; i++) {
        x = x * 1664525u + 1013904223u;
        uint32_t d = fw_backoff_ms(3, x);
        assert_true(d <= 16000);
        distinct += seen[d] ? 0 : 1;
        seen[d] = 1;
    }
    assert_true(distinct > 900);
}

/* A fleet whose network comes back at once: 1000 devices (seeds) start
 * their first session spread over 0..2 s, not together. */
static void test_first_connect_jitter_spreads_a_fleet(void **state)
{
    (void)state;
    static uint8_t seen[FW_BACKOFF_BASE_MS + 1];
    memset(seen, 0, sizeof seen);
    unsigned distinct = 0;
    for (uint32_t dev = 1; dev <= 1000; dev++) {
        link_sm_config_t cfg = {.rand_seed = dev * 2654435761u};
        link_sm_init(&s_sm, &cfg);
        uint32_t act;
        uint64_t took = until_action(1, 10000, &act);
        assert_int_equal(act, LINK_ACT_RESOLVE);
        assert_true(took <= FW_BACKOFF_BASE_MS);
        distinct += seen[took] ? 0 : 1;
        seen[took] = 1;
    }
    assert_true(distinct > 500);
}

/* ---- names ------------------------------------------------------------------ */

/* Nothing to send: no lookup, no session. Work: the name is looked up first,
 * then the handshake goes to the answer. */
static void test_resolve_at_session_start(void **state)
{
    (void)state;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(tick(false, false), 0);
        fake_clock_advance_ms(1000);
    }
    assert_int_equal(s_sm.stats.resolves, 0);
    bring_up();
    assert_int_equal(s_sm.stats.resolves, 1);
    assert_int_equal(s_sm.stats.handshakes, 1);
    assert_int_equal(tick(true, true), LINK_ACT_SEND);
    assert_int_equal(ev(LINK_EV_SENT), 0);
    assert_int_equal(ev(LINK_EV_RESPONSE), 0);

    /* idle close, then new work: the name is looked up again */
    fake_clock_advance_ms(20000);
    assert_int_equal(tick(false, false), LINK_ACT_CLOSE);
    bring_up();
    assert_int_equal(s_sm.stats.resolves, 2);
}

/* A name that does not resolve is a failed attempt: backed off with growing
 * delays inside the jitter bounds, logged once per streak; when it resolves
 * the session starts and the note says so. */
static void test_name_that_does_not_resolve_backs_off(void **state)
{
    (void)state;
    uint32_t act;
    (void)until_action(10, 5000, &act);
    assert_int_equal(act, LINK_ACT_RESOLVE);
    unsigned notes = 0;
    for (uint32_t attempt = 1; attempt <= 12; attempt++) {
        assert_int_equal(ev(LINK_EV_RESOLVE_FAILED), LINK_ACT_CLOSE);
        notes += (s_out.notes & LINK_NOTE_RESOLVE_FAILED) ? 1u : 0u;
        assert_int_equal(s_sm.state, LINK_SM_IDLE);
        assert_int_equal(s_sm.stats.attempt, attempt);
        uint64_t e = (uint64_t)FW_BACKOFF_BASE_MS << attempt;
        e = e > FW_BACKOFF_CAP_MS ? FW_BACKOFF_CAP_MS : e;
        assert_true(s_out.wait_ms >= e / 2 && s_out.wait_ms <= e);
        /* ticked every 100 ms meanwhile: nothing before the delay is over */
        uint64_t took = until_action(100, 2 * e, &act);
        assert_int_equal(act, LINK_ACT_RESOLVE);
        assert_true(took >= e / 2 && took <= e + 100);
    }
    assert_int_equal(notes, 1);
    assert_int_equal(s_sm.stats.resolve_failures, 12);
    assert_int_equal(resolved(1), LINK_ACT_CONNECT);
    assert_true(s_out.notes & LINK_NOTE_RESOLVED_AGAIN);
    assert_int_equal(ev(LINK_EV_CONNECTED), 0);
    assert_int_equal(s_sm.stats.attempt, 0);

    /* a new streak is logged again */
    assert_int_equal(ev(LINK_EV_SESSION_LOST), LINK_ACT_CLOSE);
    (void)until_action(10, 5000, &act);
    assert_int_equal(ev(LINK_EV_RESOLVE_FAILED), LINK_ACT_CLOSE);
    assert_true(s_out.notes & LINK_NOTE_RESOLVE_FAILED);
}

/* A resolver that never answers is bounded by resolve_timeout_ms. */
static void test_resolver_timeout(void **state)
{
    (void)state;
    uint32_t act;
    (void)until_action(10, 5000, &act);
    assert_int_equal(act, LINK_ACT_RESOLVE);
    fake_clock_advance_ms(29999);
    assert_int_equal(tick(true, true), 0);
    fake_clock_advance_ms(1);
    assert_int_equal(tick(true, true), LINK_ACT_CLOSE);
    assert_true(s_out.notes & LINK_NOTE_RESOLVE_TIMEOUT);
    assert_true(s_out.notes & LINK_NOTE_RESOLVE_FAILED);
    assert_int_equal(s_sm.stats.attempt, 1);
}

/* ---- handshakes ---------------------------------------------------------------- */

/* A handshake that never completes times out, backs off, and the next
 * attempt goes to the name's next address (localhost: ::1, then 127.0.0.1). */
static void test_handshake_timeout_tries_next_address(void **state)
{
    (void)state;
    uint32_t act;
    (void)until_action(10, 5000, &act);
    assert_int_equal(resolved(2), LINK_ACT_CONNECT);
    assert_int_equal(s_out.addr, 0);
    fake_clock_advance_ms(19999);
    assert_int_equal(tick(true, true), 0);
    fake_clock_advance_ms(1);
    assert_int_equal(tick(true, true), LINK_ACT_CLOSE);
    assert_true(s_out.notes & LINK_NOTE_HANDSHAKE_TIMEOUT);
    assert_int_equal(s_sm.stats.attempt, 1);
    uint64_t took = until_action(10, 10000, &act);
    assert_true(took >= 2000 && took <= 4010);
    assert_int_equal(act, LINK_ACT_RESOLVE);
    assert_int_equal(resolved(2), LINK_ACT_CONNECT);
    assert_int_equal(s_out.addr, 1);
    /* a handshake refused at once (DTLS error) also moves on, and wraps */
    assert_int_equal(ev(LINK_EV_SESSION_LOST), LINK_ACT_CLOSE);
    assert_true(s_out.notes & LINK_NOTE_HANDSHAKE_FAILED);
    assert_int_equal(s_sm.stats.attempt, 2);
    (void)until_action(10, 10000, &act);
    assert_int_equal(resolved(2), LINK_ACT_CONNECT);
    assert_int_equal(s_out.addr, 0);
    /* success sticks to the address that worked, and resets the attempts */
    assert_int_equal(ev(LINK_EV_CONNECTED), 0);
    assert_int_equal(s_sm.stats.attempt, 0);
    assert_int_equal(ev(LINK_EV_SESSION_LOST), LINK_ACT_CLOSE);
    (void)until_action(10, 10000, &act);
    assert_int_equal(resolved(2), LINK_ACT_CONNECT);
    assert_int_equal(s_out.addr, 0);
}

/* The collector restarts and forgets the session: requests time out; after
 * timeout_streak of them the session is dropped, the name looked up again
 * and a new handshake made; what waits is sent on it. */
static void test_server_restart(void **state)
{
    (void)state;
    bring_up();
    assert_int_equal(tick(true, true), LINK_ACT_SEND);
    assert_int_equal(ev(LINK_EV_SENT), 0);
    fake_clock_advance_ms(45000);
    assert_int_equal(ev(LINK_EV_TIMEOUT), 0); /* one may be a lost datagram */
    assert_int_equal(s_sm.state, LINK_SM_UP);
    assert_int_equal(tick(true, true), LINK_ACT_SEND);
    fake_clock_advance_ms(45000);
    assert_int_equal(ev(LINK_EV_TIMEOUT), LINK_ACT_CLOSE);
    assert_true(s_out.notes & LINK_NOTE_TIMEOUT_STREAK);
    assert_int_equal(s_sm.state, LINK_SM_IDLE);
    assert_true(s_out.wait_ms <= FW_BACKOFF_BASE_MS); /* it was up: attempt 0 */
    uint32_t act;
    (void)until_action(10, 5000, &act);
    assert_int_equal(act, LINK_ACT_RESOLVE);
    assert_int_equal(resolved(1), LINK_ACT_CONNECT);
    assert_int_equal(ev(LINK_EV_CONNECTED), 0);
    assert_int_equal(tick(true, true), LINK_ACT_SEND);
    assert_int_equal(s_sm.stats.connected, 2);
    assert_int_equal(s_sm.stats.resolves, 2);

    /* a response between timeouts resets the streak */
    assert_int_equal(ev(LINK_EV_TIMEOUT), 0);
    assert_int_equal(ev(LINK_EV_RESPONSE), 0);
    assert_int_equal(ev(LINK_EV_TIMEOUT), 0);
    assert_int_equal(s_sm.state, LINK_SM_UP);
}

/* The collector down for good: over an hour of loop turns (one a second)
 * the link tries a bounded number of times, never once per turn. */
static void test_no_retry_per_loop_turn(void **state)
{
    (void)state;
    unsigned starts = 0;
    uint64_t last = 0;
    for (int turn = 0; turn < 3600; turn++) {
        uint32_t act = tick(true, true);
        if (act & LINK_ACT_RESOLVE) {
            starts++;
            if (starts > 1) {
                assert_true(hal_clock_net_ms() - last >= 1000);
            }
            last = hal_clock_net_ms();
            assert_int_equal(resolved(1), LINK_ACT_CONNECT);
            assert_int_equal(ev(LINK_EV_SESSION_LOST), LINK_ACT_CLOSE); /* refused */
        }
        fake_clock_advance_ms(1000);
    }
    /* 2+4+8+...+2048 s: at most 12 attempts fit in the hour */
    assert_true(starts >= 6 && starts <= 12);
}

/* ---- session life ------------------------------------------------------------ */

static void test_idle_close(void **state)
{
    (void)state;
    bring_up();
    assert_int_equal(tick(true, true), LINK_ACT_SEND);
    assert_int_equal(ev(LINK_EV_SENT), 0);
    fake_clock_advance_ms(60000);
    assert_int_equal(tick(false, true), 0); /* in flight: kept */
    assert_int_equal(ev(LINK_EV_RESPONSE), 0);
    fake_clock_advance_ms(19999);
    assert_int_equal(tick(false, false), 0);
    fake_clock_advance_ms(1);
    assert_int_equal(tick(false, false), LINK_ACT_CLOSE);
    assert_true(s_out.notes & LINK_NOTE_IDLE_CLOSE);
    assert_int_equal(s_sm.state, LINK_SM_IDLE);
    for (int i = 0; i < 10; i++) {
        fake_clock_advance_ms(60000);
        assert_int_equal(tick(false, false), 0); /* nothing to send: stays closed */
    }

    /* keepalive: an idle session stays open */
    link_sm_config_t cfg = {.keepalive = true, .rand_seed = 7};
    link_sm_init(&s_sm, &cfg);
    bring_up();
    fake_clock_advance_ms(3600000);
    assert_int_equal(tick(false, false), 0);
    assert_int_equal(s_sm.state, LINK_SM_UP);
}

/* The licence observation is registered on every new session, once per
 * session, again after its request failed; alone it opens no session. */
static void test_observe_reregistered(void **state)
{
    (void)state;
    assert_int_equal(ev(LINK_EV_OBSERVE), 0);
    link_sm_event_t on = {.kind = LINK_EV_OBSERVE, .on = true};
    link_sm_handle(&s_sm, hal_clock_net_ms(), &on, &s_out);
    for (int i = 0; i < 60; i++) {
        fake_clock_advance_ms(1000);
        assert_int_equal(tick(false, false), 0);
    }
    bring_up();
    assert_int_equal(tick(true, true), LINK_ACT_SEND | LINK_ACT_OBSERVE);
    assert_int_equal(tick(true, true), LINK_ACT_SEND); /* once per session */
    assert_int_equal(ev(LINK_EV_OBSERVE_LOST), 0);
    assert_int_equal(tick(false, true), LINK_ACT_OBSERVE);
    assert_int_equal(ev(LINK_EV_SESSION_LOST), LINK_ACT_CLOSE);
    bring_up();
    assert_int_equal(tick(false, true), LINK_ACT_OBSERVE);
    assert_int_equal(tick(false, true), 0);
    /* stopped: not registered on the next session */
    link_sm_event_t off = {.kind = LINK_EV_OBSERVE, .on = false};
    link_sm_handle(&s_sm, hal_clock_net_ms(), &off, &s_out);
    assert_int_equal(ev(LINK_EV_SESSION_LOST), LINK_ACT_CLOSE);
    bring_up();
    assert_int_equal(tick(false, true), 0);
}

/* A refresh opens a session with nothing to post: the observation goes out
 * on it (fresh licence news and server time), then it idles out. */
static void test_refresh_opens_a_session(void **state)
{
    (void)state;
    link_sm_event_t on = {.kind = LINK_EV_OBSERVE, .on = true};
    link_sm_handle(&s_sm, hal_clock_net_ms(), &on, &s_out);
    assert_int_equal(ev(LINK_EV_REFRESH), 0);
    uint32_t act = 0;
    for (int i = 0; i < 300 && !act; i++) {
        fake_clock_advance_ms(10);
        act = tick(false, false);
    }
    assert_int_equal(act, LINK_ACT_RESOLVE);
    assert_int_equal(resolved(1), LINK_ACT_CONNECT);
    assert_int_equal(ev(LINK_EV_CONNECTED), 0);
    assert_int_equal(tick(false, false), LINK_ACT_OBSERVE);
    fake_clock_advance_ms(20000);
    assert_int_equal(tick(false, false), LINK_ACT_CLOSE);
    fake_clock_advance_ms(60000);
    assert_int_equal(tick(false, false), 0); /* the refresh was served */
}

/* A new key drops the session (and a handshake under way). */
static void test_key_change_drops_the_session(void **state)
{
    (void)state;
    bring_up();
    assert_int_equal(ev(LINK_EV_KEY_CHANGED), LINK_ACT_CLOSE);
    assert_int_equal(s_sm.state, LINK_SM_IDLE);
    assert_int_equal(s_sm.stats.attempt, 0);
    bring_up();
    assert_int_equal(s_sm.stats.connected, 2);
    assert_int_equal(ev(LINK_EV_KEY_CHANGED), LINK_ACT_CLOSE);
    assert_int_equal(ev(LINK_EV_KEY_CHANGED), 0); /* idle: nothing to drop */
}

/* Events that do not fit the state change nothing. */
static void test_stray_events_ignored(void **state)
{
    (void)state;
    assert_int_equal(resolved(1), 0);
    assert_int_equal(ev(LINK_EV_CONNECTED), 0);
    assert_int_equal(ev(LINK_EV_TIMEOUT), 0);
    assert_int_equal(ev(LINK_EV_SESSION_LOST), 0);
    assert_int_equal(ev(LINK_EV_RESOLVE_FAILED), 0);
    assert_int_equal(s_sm.state, LINK_SM_IDLE);
    assert_int_equal(s_sm.stats.attempt, 0);
    assert_true(link_sm_waiting(&s_sm, true) == false);
    uint32_t act;
    (void)until_action(10, 5000, &act);
    assert_true(link_sm_waiting(&s_sm, false));    /* a lookup under way */
    assert_int_equal(resolved(0), LINK_ACT_CLOSE); /* an empty answer is a failure */
    assert_string_equal(link_sm_state_name(s_sm.state), "idle");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_bounds),
        cmocka_unit_test_setup(test_first_connect_jitter_spreads_a_fleet, setup),
        cmocka_unit_test_setup(test_resolve_at_session_start, setup),
        cmocka_unit_test_setup(test_name_that_does_not_resolve_backs_off, setup),
        cmocka_unit_test_setup(test_resolver_timeout, setup),
        cmocka_unit_test_setup(test_handshake_timeout_tries_next_address, setup),
        cmocka_unit_test_setup(test_server_restart, setup),
        cmocka_unit_test_setup(test_no_retry_per_loop_turn, setup),
        cmocka_unit_test_setup(test_idle_close, setup),
        cmocka_unit_test_setup(test_observe_reregistered, setup),
        cmocka_unit_test_setup(test_refresh_opens_a_session, setup),
        cmocka_unit_test_setup(test_key_change_drops_the_session, setup),
        cmocka_unit_test_setup(test_stray_events_ignored, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
