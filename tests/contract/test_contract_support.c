/*
 * Contract test of the support port's documents (issue 12): what a room
 * answers on GET /support/state (support_state_document(), the agent's
 * encoder) read by trialctl's reader (proto_support_decode() of
 * proto_support_state_record, what `trialctl device` calls), every member of
 * proto/support.h's tables at its limits, null where it may be, and one past
 * them refused on both sides naming the member. Also: the licence view that
 * `trialctl licence --json` prints is the document's first part, name for
 * name; the largest document fits the room's answer buffer; and the
 * /support/licence answer reads with the device's own licence reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "expect_same.h"

#include "fw/err.h"
#include "link/support_server.h"
#include "proto/json.h"
#include "proto/support.h"
#include "report/codec.h"
#include "support/state.h"
#include "trial/timeline.h"

static proto_support_state_t s_sent, s_read;
static char s_body[SUPPORT_BODY_MAX];

/* A valid value of a member with a content rule, longest or shortest. */
static const char *sample(const proto_field_t *f, bool max)
{
    if (f->check == proto_check_instant) {
        return max ? "9999-12-31T23:59:59Z" : "1970-01-01T00:00:00Z";
    }
    if (f->check == proto_check_support_state) {
        return max ? "released" : "none";
    }
    if (f->check == proto_check_calling) {
        return max ? "degraded" : "full";
    }
    if (f->check == proto_check_licence_type) {
        return max ? "trial" : "paid";
    }
    if (f->check == proto_check_time_source) {
        return max ? "wall_clock" : "stored";
    }
    if (f->check == proto_check_trial) {
        return max ? "D999999999999999" : "D1";
    }
    if (f->check == proto_check_region) {
        return "ZZ";
    }
    return NULL;
}

/* Every member of `r` in `obj` at its max (or min); a quote and a backslash
 * in free text, which the writer escapes and the reader gives back. */
static void fill(const proto_record_t *r, void *obj, bool max)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        char *p = (char *)obj + f->offset;
        if (f->type == PROTO_T_STR) {
            const char *v = sample(f, max);
            if (v != NULL) {
                (void)snprintf(p, f->size, "%s", v);
                continue;
            }
            size_t n = (size_t)(max ? f->max : f->min);
            memset(p, 'a', n);
            p[n] = '\0';
            if (n >= 2) {
                p[0] = '"';
                p[1] = '\\';
            }
        } else {
            proto_field_set(f, obj, max ? f->max : f->min);
        }
    }
}

static void fill_doc(proto_support_state_t *d, bool max)
{
    memset(d, 0, sizeof *d);
    fill(&proto_support_state_record, d, max);
    d->n_services = max ? PROTO_SERVICES_MAX : 0;
    for (size_t i = 0; i < d->n_services; i++) {
        fill(&proto_support_service_record, &d->services[i], max);
    }
}

/* Sent by the room's writer, read by trialctl's reader: the same. */
static size_t round_trip(const proto_support_state_t *d)
{
    char why[200] = "";
    size_t len = 0;
    if (proto_support_encode(&proto_support_state_record, d, s_body, sizeof s_body, &len, why,
                             sizeof why) != 0) {
        fail_msg("the room's writer refused: %s", why);
    }
    if (proto_support_decode(&proto_support_state_record, s_body, len, &s_read, why, sizeof why) !=
        0) {
        fail_msg("trialctl's reader refused the room's document: %s\n%.*s", why, (int)len, s_body);
    }
    expect_same(&proto_support_state_record, d, &s_read);
    assert_int_equal(s_read.n_services, d->n_services);
    for (size_t i = 0; i < d->n_services; i++) {
        expect_same(&proto_support_service_record, &d->services[i], &s_read.services[i]);
    }
    return len;
}

static void test_every_member_at_max_and_min(void **state)
{
    (void)state;
    fill_doc(&s_sent, true);
    size_t len = round_trip(&s_sent);
    /* the largest document fits the room's answer and the body limit */
    assert_true(len <= SUPPORT_BODY_MAX && len <= PROTO_BODY_MAX);
    print_message("largest state document: %zu bytes\n", len);
    fill_doc(&s_sent, false);
    (void)round_trip(&s_sent);
}

/* Every member that may be null, null: written null, read back null. */
static void test_nulls(void **state)
{
    (void)state;
    fill_doc(&s_sent, true);
    size_t nullable = 0;
    for (size_t i = 0; i < proto_support_state_record.n; i++) {
        const proto_field_t *f = &proto_support_state_record.fields[i];
        if (f->flags & PROTO_F_NULL) {
            proto_field_set_null(f, &s_sent);
            nullable++;
        }
    }
    assert_true(nullable >= 10);
    (void)round_trip(&s_sent);
    for (size_t i = 0; i < proto_support_state_record.n; i++) {
        const proto_field_t *f = &proto_support_state_record.fields[i];
        assert_int_equal(proto_field_is_null(f, &s_read), (f->flags & PROTO_F_NULL) != 0);
    }
    char needle[64];
    (void)snprintf(needle, sizeof needle, "\"days_left\":null");
    assert_non_null(strstr(s_body, needle));
}

/* One past an integer's range, one character past a string's: the room's
 * writer does not send it, trialctl's reader does not take it, and both
 * name the member. */
static void test_one_past_the_limits(void **state)
{
    (void)state;
    char why[200];
    size_t len;
    for (size_t i = 0; i < proto_support_state_record.n; i++) {
        const proto_field_t *f = &proto_support_state_record.fields[i];
        if (f->type == PROTO_T_BOOL) {
            continue;
        }
        fill_doc(&s_sent, true);
        if (f->type == PROTO_T_STR) {
            if (sample(f, true) != NULL) {
                continue; /* a word or an instant: a longer one is not one (checked below) */
            }
            memset((char *)&s_sent + f->offset, 'b', (size_t)f->max + 1);
            ((char *)&s_sent)[f->offset + (size_t)f->max + 1] = '\0';
        } else {
            proto_field_set(f, &s_sent, f->max + 1);
        }
        assert_int_equal(proto_support_encode(&proto_support_state_record, &s_sent, s_body,
                                              sizeof s_body, &len, why, sizeof why),
                         FW_E_INVAL);
        if (strstr(why, f->name) != why) {
            fail_msg("%s: the writer's refusal does not name it: %s", f->name, why);
        }
        /* the same document written without the writer's check */
        proto_writer_t w;
        proto_writer_init(&w, s_body, sizeof s_body);
        proto_w_printf(&w, "{");
        proto_w_fields(&w, &proto_support_state_record, &s_sent, false);
        proto_w_printf(&w, ",\"services\":[]}");
        assert_false(w.overflow);
        assert_int_equal(proto_support_decode(&proto_support_state_record, s_body, w.len, &s_read,
                                              why, sizeof why),
                         FW_E_FORMAT);
        if (strstr(why, f->name) != why) {
            fail_msg("%s: the reader's refusal does not name it: %s", f->name, why);
        }
    }
    /* more services than a licence carries */
    fill_doc(&s_sent, true);
    size_t n = round_trip(&s_sent);
    char *last = strrchr(s_body, '{');
    char extra[SUPPORT_BODY_MAX + 512];
    int m = snprintf(extra, sizeof extra, "%.*s%s,%s", (int)(n - 2), s_body, "", last);
    assert_true(m > 0);
    assert_int_equal(proto_support_decode(&proto_support_state_record, extra, strlen(extra),
                                          &s_read, why, sizeof why),
                     FW_E_FORMAT);
    assert_non_null(strstr(why, "services"));
}

/* trialctl licence prints the licence view; trialctl device the state
 * document: the view is the document's first part, member for member, so
 * the two commands use the same names for the same things. */
static void test_licence_view_is_the_first_part(void **state)
{
    (void)state;
    assert_true(proto_licence_view_record.n < proto_support_state_record.n);
    for (size_t i = 0; i < proto_licence_view_record.n; i++) {
        const proto_field_t *v = &proto_licence_view_record.fields[i];
        const proto_field_t *s = &proto_support_state_record.fields[i];
        assert_string_equal(v->name, s->name);
        assert_int_equal(v->type, s->type);
        assert_int_equal(v->offset, s->offset);
        assert_int_equal(v->min, s->min);
        assert_int_equal(v->max, s->max);
        assert_int_equal(v->flags, s->flags);
    }
}

/* The room's builder at the far ends of what a licence can say: the longest
 * strings, every service, the last representable day; the document it makes
 * is one trialctl reads. */
static void test_device_document_at_the_extremes(void **state)
{
    (void)state;
    static trial_claims_t c;
    memset(&c, 0, sizeof c);
    memset(c.sub, 'S', 20);
    (void)snprintf(c.trial, sizeof c.trial, "D999999999999999");
    memset(c.org, '"', TRIAL_ORG_MAX);
    c.typ = TRIAL_TYPE_TRIAL;
    c.seq = UINT32_MAX;
    c.iat = 0;
    c.has_trial_exp = true;
    c.trial_exp = TRIAL_TIME_MAX;
    c.ext = 1;
    c.keep = true;
    (void)snprintf(c.region, sizeof c.region, "ZZ");
    c.n_svc = TRIAL_SVC_MAX;
    for (size_t i = 0; i < c.n_svc; i++) {
        memset(c.svc[i].id, 'z', TRIAL_SVC_ID_MAX);
        c.svc[i].id[0] = (char)('a' + i);
        c.svc[i].exp = TRIAL_TIME_MAX;
    }
    memset(c.offer, 'o', TRIAL_OFFER_MAX);
    memset(c.site, 's', TRIAL_SITE_MAX);
    static trial_view_t v;
    for (int k = 0; k < 2; k++) {
        int64_t at = k ? TRIAL_TIME_MAX : 0;
        assert_int_equal(trial_state_at(&c, NULL, at, &v), 0);
        char problem[400];
        memset(problem, '\\', sizeof problem - 1);
        problem[sizeof problem - 1] = '\0';
        support_facts_t f = {
            .serial = "ZZZZZZZZZZ9999999999",
            .model = "M",
            .trial = c.trial,
            .region = c.region,
            .fw_version = "0.1.0-rc.1+aarch64",
            .claims = &c,
            .view = &v,
            .calling_full = true,
            .now = at,
            .confirmed = at,
            .time_source = SUPPORT_TIME_WALL_CLOCK,
            .last_report = at,
            .queue_depth = UINT32_MAX,
            .last_error = problem,
            .last_error_at = at,
        };
        char why[200];
        size_t len = 0;
        if (support_state_document(&f, s_body, sizeof s_body, &len, why, sizeof why) != 0) {
            fail_msg("the room made no document: %s", why);
        }
        if (proto_support_decode(&proto_support_state_record, s_body, len, &s_read, why,
                                 sizeof why) != 0) {
            fail_msg("trialctl cannot read it: %s", why);
        }
        assert_int_equal(s_read.n_services, TRIAL_SVC_MAX);
        assert_int_equal(s_read.seq, UINT32_MAX);
        assert_int_equal(s_read.queue_depth, UINT32_MAX);
        assert_int_equal(strlen(s_read.org), TRIAL_ORG_MAX);
        /* the last E: its days and its grace's fit the document's range */
        assert_int_equal(s_read.days_left, k ? 0 : 2932897);
        assert_int_equal(s_read.grace_days_left, k ? 30 : 2932927);
        assert_true(s_read.grace_days_left <= PROTO_DAYS_MAX);
    }
}

/* GET /support/licence answers as the collector's GET /v1/licence does:
 * the device's own licence reader takes the longest token. */
static void test_licence_answer(void **state)
{
    (void)state;
    static proto_licence_body_t b;
    memset(b.token, 'A', PROTO_TOKEN_MAX);
    b.token[PROTO_TOKEN_MAX] = '\0';
    b.token[3] = '.';
    b.server_time = PROTO_TIME_MAX;
    proto_writer_t w;
    proto_writer_init(&w, s_body, sizeof s_body);
    proto_w_object(&w, &proto_licence_record, &b);
    assert_false(w.overflow);
    static char back[PROTO_TOKEN_MAX + 1];
    assert_int_equal(report_parse_licence((const uint8_t *)s_body, w.len, back, sizeof back), 0);
    assert_string_equal(back, b.token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_member_at_max_and_min),
        cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_one_past_the_limits),
        cmocka_unit_test(test_licence_view_is_the_first_part),
        cmocka_unit_test(test_device_document_at_the_extremes),
        cmocka_unit_test(test_licence_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
