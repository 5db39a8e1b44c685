/*
 * The calling policy. Numbers are compared exactly after normalisation: a
 * near miss ("1120", "91122") is not an emergency number, so nothing is
 * matched by prefix or by substring. The outside-line prefix is taken off
 * once, and only as a second reading: the number as dialled is always
 * judged too, so "911" still works in a room whose prefix is 9.
 */
#include "calling/policy.h"

#include <string.h>

/* Copies the dialable characters of `in` (digits, '+', '*', '#') into out;
 * false for anything else, or if it does not fit, or if nothing is left. */
static bool normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; in && *in; in++) {
        char c = *in;
        if (c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')') {
            continue;
        }
        if (!((c >= '0' && c <= '9') || c == '+' || c == '*' || c == '#') || n + 1 >= cap) {
            out[0] = '\0';
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

static bool in_list(const char *const *list, size_t n, const char *number)
{
    for (size_t i = 0; i < n && list[i]; i++) {
        if (strcmp(list[i], number) == 0) {
            return true;
        }
    }
    return false;
}

/* `num` is already normalised. */
static bool emergency_in(const char *region, const char *num)
{
    size_t n_every = 0;
    const char *const *every = calling_everywhere(&n_every);
    if (in_list(every, n_every, num)) {
        return true;
    }
    const size_t n_regions = calling_region_count();
    bool known = false;
    for (size_t i = 0; i < n_regions; i++) {
        const calling_region_t *r = calling_region_at(i);
        bool this_region = region && strcmp(r->region, region) == 0;
        known = known || this_region;
        if (this_region && in_list(r->numbers, CALLING_REGION_NUMBERS, num)) {
            return true;
        }
    }
    if (known) {
        return false;
    }
    /* Unknown region: fail safe, every region's numbers count. */
    for (size_t i = 0; i < n_regions; i++) {
        if (in_list(calling_region_at(i)->numbers, CALLING_REGION_NUMBERS, num)) {
            return true;
        }
    }
    return false;
}

/* The prefix if it is 1..CALLING_PREFIX_MAX digits, else NULL (none). */
static const char *usable_prefix(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (n == 0 || n > CALLING_PREFIX_MAX) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return NULL;
        }
    }
    return p;
}

/* Fills v->normalised and v->emergency; false if `number` is not a number. */
static bool judge(const char *region, const char *dial_prefix, const char *number,
                  calling_verdict_t *v)
{
    char num[CALLING_NUMBER_MAX];
    v->emergency = false;
    v->normalised[0] = '\0';
    if (!normalise(number, num, sizeof num)) {
        return false;
    }
    memcpy(v->normalised, num, sizeof num);
    if (emergency_in(region, num)) {
        v->emergency = true;
        return true;
    }
    const char *prefix = usable_prefix(dial_prefix);
    size_t pn = prefix ? strlen(prefix) : 0;
    if (pn > 0 && strlen(num) > pn && strncmp(num, prefix, pn) == 0) {
        /* Behind the outside line: the number the PBX passes on. */
        memmove(v->normalised, num + pn, strlen(num + pn) + 1);
        v->emergency = emergency_in(region, v->normalised);
    }
    return true;
}

calling_verdict_t calling_decide(calling_mode_t mode, const char *region, const char *dial_prefix,
                                 const char *number)
{
    calling_verdict_t v;
    memset(&v, 0, sizeof v);
    bool is_number = judge(region, dial_prefix, number, &v);
    if (v.emergency) {
        v.allow = true;
        v.reason = CALLING_REASON_EMERGENCY;
    } else if (mode == CALLING_MODE_FULL) {
        v.allow = true; /* the stack dials what it can; not our call to refuse */
        v.reason = CALLING_REASON_FULL;
    } else {
        v.allow = false;
        v.reason = is_number ? CALLING_REASON_DEGRADED : CALLING_REASON_NOT_A_NUMBER;
    }
    return v;
}

calling_verdict_t calling_decide_incoming(calling_mode_t mode, const char *caller,
                                          int64_t since_emergency_s)
{
    calling_verdict_t v;
    memset(&v, 0, sizeof v);
    /* The caller id only informs (a PSAP calling back may show any number,
     * or none): no region, no prefix. */
    (void)judge(NULL, NULL, caller, &v);
    if (mode == CALLING_MODE_FULL) {
        v.allow = true;
        v.reason = CALLING_REASON_FULL;
    } else if (since_emergency_s >= 0 && since_emergency_s < CALLING_CALLBACK_S) {
        v.allow = true;
        v.reason = CALLING_REASON_CALLBACK_WINDOW;
    } else {
        v.allow = false;
        v.reason = CALLING_REASON_INCOMING_BLOCKED;
    }
    return v;
}

bool calling_is_emergency(const char *region, const char *dial_prefix, const char *number)
{
    calling_verdict_t v;
    (void)judge(region, dial_prefix, number, &v);
    return v.emergency;
}

static const char *const s_state_names[CALLING_STATE_COUNT] = {
    "trial", "expiring", "grace", "lapsed", "released", "paid", "none", "unprovisioned",
};

calling_mode_t calling_mode_for_state(calling_state_t s)
{
    switch (s) {
    case CALLING_STATE_TRIAL:
    case CALLING_STATE_EXPIRING:
    case CALLING_STATE_GRACE:
    case CALLING_STATE_PAID: return CALLING_MODE_FULL;
    default: return CALLING_MODE_DEGRADED; /* fail safe for anything else */
    }
}

const char *calling_state_name(calling_state_t s)
{
    return (unsigned)s < CALLING_STATE_COUNT ? s_state_names[s] : "unknown";
}

int calling_state_parse(const char *name, calling_state_t *out)
{
    for (int i = 0; name && i < CALLING_STATE_COUNT; i++) {
        if (strcmp(name, s_state_names[i]) == 0) {
            *out = (calling_state_t)i;
            return 0;
        }
    }
    return -1;
}

const char *calling_reason_name(calling_reason_t r)
{
    switch (r) {
    case CALLING_REASON_FULL: return "full_calling";
    case CALLING_REASON_EMERGENCY: return "emergency_number";
    case CALLING_REASON_DEGRADED: return "emergency_only";
    case CALLING_REASON_NOT_A_NUMBER: return "not_a_number";
    case CALLING_REASON_CALLBACK_WINDOW: return "callback_window";
    case CALLING_REASON_INCOMING_BLOCKED: return "incoming_blocked";
    }
    return "unknown";
}

const char *calling_reason_text(calling_reason_t r)
{
    switch (r) {
    case CALLING_REASON_FULL: return "calling is available in this state";
    case CALLING_REASON_EMERGENCY: return "an emergency number: it connects in every state";
    case CALLING_REASON_DEGRADED:
        return "calling is not available in this state; emergency numbers still work";
    case CALLING_REASON_NOT_A_NUMBER:
        return "not a dialable number (empty, too long, or characters other than 0-9 + * #)";
    case CALLING_REASON_CALLBACK_WINDOW:
        return "within 60 minutes of an emergency call: every incoming call is allowed";
    case CALLING_REASON_INCOMING_BLOCKED:
        return "incoming calls are not available in this state (only in the 60 minutes after "
               "an emergency call)";
    }
    return "unknown";
}
