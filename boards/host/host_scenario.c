/*
 * Scenario: what the room's own systems do, scripted in a JSON Lines file
 * (docs/SCENARIO.md), turned into hal/call.h, hal/room.h, hal/net.h and
 * hal/input.h (a person pressing buttons and touching the screen).
 *
 * The whole file is validated at init, so a typo fails the run at once with
 * file:line instead of silently doing nothing a simulated week later.
 *
 * Each entry has one "due" instant (simulated ms since clock start); firing
 * it may give it a new one (a dial waits for a decision, an allowed call for
 * its end). pump() fires everything due, earliest first, ties in file order,
 * and the clock asks next_due() so that no wait sleeps past an event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "calling/policy.h"
#include "fw/err.h"
#include "hal/call.h"
#include "hal/input.h"
#include "hal/net.h"
#include "hal/room.h"
#include "host_config.h"
#include "host_internal.h"

#define LINE_MAX_BYTES 4096
#define T_MAX 4294967295.0     /* seconds; ~136 years is plenty for any run */
#define SECONDS_MAX 31536000.0 /* one year: longer is a typo, not a meeting */
#define PEOPLE_MAX 100000.0

typedef enum {
    SC_CALL,
    SC_INCOMING,
    SC_MEETING,
    SC_SHARE,
    SC_PEOPLE,
    SC_NETWORK,
    SC_BUTTON,
    SC_TOUCH
} sc_kind_t;

typedef enum {
    SC_WAITING, /* not yet at t (meeting/share: not yet ended) */
    SC_DIALED,  /* dial event delivered; due = decision deadline */
    SC_RUNNING, /* allowed; due = when the call ends */
    SC_DONE,
} sc_state_t;

typedef struct {
    sc_kind_t kind;
    sc_state_t state;
    int line;
    int64_t t_ms;
    int64_t due_ms;
    uint32_t value; /* seconds, people, or the button */
    uint16_t x, y;  /* touch */
    bool up;        /* network */
    uint32_t call_id;
    char number[HAL_CALL_NUMBER_MAX]; /* dialled number, or caller id ("" withheld) */
} sc_entry_t;

static bool s_ready;
static sc_entry_t *s_entries;
static size_t s_count;
static size_t s_first_live; /* entries before this are all SC_DONE */
static uint32_t s_next_call_id;
static bool s_net_up = true;
static bool s_lines_held = true;
static bool s_lines_told;              /* the agent said something about the lines */
static int64_t s_emergency_at_ms = -1; /* the stack's last emergency call */

static hal_call_event_t s_call_q[HOST_EVENT_QUEUE_LEN];
static size_t s_call_head, s_call_len;
static hal_room_event_t s_room_q[HOST_EVENT_QUEUE_LEN];
static size_t s_room_head, s_room_len;
static hal_input_event_t s_input_q[HOST_EVENT_QUEUE_LEN];
static size_t s_input_head, s_input_len;

/* --------------------------------------------------------------- parsing */

typedef struct {
    int line;
    char msg[160];
} sc_err_t;

static bool bad(sc_err_t *e, const char *fmt, ...) HOST_PRINTF(2, 3);

/* Record what is wrong with the line; always false, for `return bad(...)`. */
static bool bad(sc_err_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return false;
}

/* An integer in [min, max]; `what` names it in the message. */
static bool get_uint(const cJSON *it, const char *what, double min, double max, uint32_t *u32,
                     int64_t *i64, sc_err_t *e)
{
    if (!it) {
        return bad(e, "missing \"%s\"", what);
    }
    if (!cJSON_IsNumber(it)) {
        return bad(e, "\"%s\" must be a number", what);
    }
    double v = it->valuedouble;
    if (v > max) {
        snprintf(e->msg, sizeof e->msg, "\"%s\" is too large (at most %.0f)", what, max);
        return false;
    }
    if (v < min || v != (double)(int64_t)v) {
        snprintf(e->msg, sizeof e->msg, "\"%s\" must be an integer >= %.0f", what, min);
        return false;
    }
    if (u32) {
        *u32 = (uint32_t)v;
    }
    if (i64) {
        *i64 = (int64_t)v;
    }
    return true;
}

/* Refuse keys other than `allowed` (NULL-terminated) inside an event object. */
static bool only_keys(const cJSON *obj, const char *event, const char *const *allowed, sc_err_t *e)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++) {
            ok = ok || strcmp(c->string, *a) == 0;
        }
        if (!ok) {
            snprintf(e->msg, sizeof e->msg, "unknown key \"%.40s\" in \"%s\"", c->string, event);
            return false;
        }
    }
    return true;
}

/* "to" of a call (never empty) or "from" of an incoming call ("" = withheld). */
static bool parse_number(const cJSON *it, const char *key, const char *event,
                         char out[HAL_CALL_NUMBER_MAX], sc_err_t *e)
{
    bool may_be_empty = strcmp(key, "from") == 0;
    if (!it) {
        snprintf(e->msg, sizeof e->msg, "missing \"%s\" in \"%s\"", key, event);
        return false;
    }
    if (!cJSON_IsString(it) || !it->valuestring || (!may_be_empty && !*it->valuestring)) {
        snprintf(e->msg, sizeof e->msg, "\"%s\" must be a %sstring", key,
                 may_be_empty ? "" : "non-empty ");
        return false;
    }
    const char *s = it->valuestring;
    if (strlen(s) >= HAL_CALL_NUMBER_MAX) {
        snprintf(e->msg, sizeof e->msg, "dialled number is too long (at most %d characters)",
                 HAL_CALL_NUMBER_MAX - 1);
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '*' || *p == '#')) {
            snprintf(e->msg, sizeof e->msg,
                     "\"%s\" may hold only digits, '+', '*' and '#' (character %d)", key,
                     (int)(p - s) + 1);
            return false;
        }
    }
    memcpy(out, s, strlen(s) + 1);
    return true;
}

static bool parse_touch(const cJSON *ev, sc_entry_t *en, sc_err_t *e)
{
    static const char *const touch_keys[] = {"x", "y", NULL};
    uint32_t x, y;
    if (!cJSON_IsObject(ev)) {
        return bad(e, "\"touch\" must be an object {\"x\":..., \"y\":...}");
    }
    if (!only_keys(ev, "touch", touch_keys, e) ||
        !get_uint(cJSON_GetObjectItemCaseSensitive(ev, "x"), "x", 0, HOST_DISPLAY_WIDTH - 1, &x,
                  NULL, e) ||
        !get_uint(cJSON_GetObjectItemCaseSensitive(ev, "y"), "y", 0, HOST_DISPLAY_HEIGHT - 1, &y,
                  NULL, e)) {
        return false;
    }
    en->x = (uint16_t)x;
    en->y = (uint16_t)y;
    return true;
}

static bool parse_event(const cJSON *ev, sc_entry_t *en, sc_err_t *e)
{
    static const char *const call_keys[] = {"to", "seconds", NULL};
    static const char *const incoming_keys[] = {"from", "seconds", NULL};
    static const char *const dur_keys[] = {"seconds", NULL};
    const char *name = ev->string;
    if (strcmp(name, "call") == 0 || strcmp(name, "incoming") == 0) {
        bool in = name[0] == 'i';
        const char *key = in ? "from" : "to";
        en->kind = in ? SC_INCOMING : SC_CALL;
        if (!cJSON_IsObject(ev)) {
            snprintf(e->msg, sizeof e->msg,
                     "\"%s\" must be an object {\"%s\":..., \"seconds\":...}", name, key);
            return false;
        }
        return only_keys(ev, name, in ? incoming_keys : call_keys, e) &&
               parse_number(cJSON_GetObjectItemCaseSensitive(ev, key), key, name, en->number, e) &&
               get_uint(cJSON_GetObjectItemCaseSensitive(ev, "seconds"), "seconds", 1, SECONDS_MAX,
                        &en->value, NULL, e);
    }
    if (strcmp(name, "meeting") == 0 || strcmp(name, "share") == 0) {
        en->kind = name[0] == 'm' ? SC_MEETING : SC_SHARE;
        if (!cJSON_IsObject(ev)) {
            return bad(e, "\"%s\" must be an object {\"seconds\":...}", name);
        }
        return only_keys(ev, name, dur_keys, e) &&
               get_uint(cJSON_GetObjectItemCaseSensitive(ev, "seconds"), "seconds", 1, SECONDS_MAX,
                        &en->value, NULL, e);
    }
    if (strcmp(name, "people") == 0) {
        en->kind = SC_PEOPLE;
        return get_uint(ev, "people", 0, PEOPLE_MAX, &en->value, NULL, e);
    }
    if (strcmp(name, "network") == 0) {
        en->kind = SC_NETWORK;
        if (!cJSON_IsString(ev) ||
            (strcmp(ev->valuestring, "up") != 0 && strcmp(ev->valuestring, "down") != 0)) {
            return bad(e, "\"network\" must be \"up\" or \"down\"");
        }
        en->up = strcmp(ev->valuestring, "up") == 0;
        return true;
    }
    if (strcmp(name, "button") == 0) {
        en->kind = SC_BUTTON;
        if (!cJSON_IsString(ev) ||
            (strcmp(ev->valuestring, "home") != 0 && strcmp(ev->valuestring, "info") != 0)) {
            return bad(e, "\"button\" must be \"home\" or \"info\"");
        }
        en->value = strcmp(ev->valuestring, "home") == 0 ? HAL_BUTTON_HOME : HAL_BUTTON_INFO;
        return true;
    }
    if (strcmp(name, "touch") == 0) {
        en->kind = SC_TOUCH;
        return parse_touch(ev, en, e);
    }
    snprintf(e->msg, sizeof e->msg,
             "unknown key \"%.40s\" (expected t and one of call, incoming, meeting, share, "
             "people, network, button, touch)",
             name);
    return false;
}

static bool parse_line(const char *text, int64_t prev_t, sc_entry_t *en, sc_err_t *e)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root || !cJSON_IsObject(root)) {
        if (root) {
            cJSON_Delete(root);
            return bad(e, "expected a JSON object {\"t\":..., ...}");
        }
        snprintf(e->msg, sizeof e->msg, "not valid JSON (near column %d)",
                 end ? (int)(end - text) + 1 : 1);
        return false;
    }
    bool ok = true;
    const cJSON *event = NULL;
    bool have_t = false;
    for (const cJSON *c = root->child; ok && c; c = c->next) {
        for (const cJSON *d = root->child; ok && d != c; d = d->next) {
            if (strcmp(c->string, d->string) == 0) {
                ok = bad(e, "duplicate key \"%.40s\"", c->string);
            }
        }
        if (!ok) {
            break;
        }
        if (strcmp(c->string, "t") == 0) {
            ok = get_uint(c, "t", 0, T_MAX, NULL, &en->t_ms, e);
            have_t = true;
        } else if (event) {
            snprintf(e->msg, sizeof e->msg, "more than one event (\"%.40s\" and \"%.40s\")",
                     event->string, c->string);
            ok = false;
        } else {
            event = c;
            ok = parse_event(c, en, e);
        }
    }
    if (ok && !have_t) {
        ok = bad(e, "missing \"t\" (simulated seconds since clock start)");
    }
    if (ok && !event) {
        ok = bad(e, "no event (expected one of call, incoming, meeting, share, people, network, "
                    "button, touch)");
    }
    if (ok && en->t_ms < prev_t) {
        snprintf(e->msg, sizeof e->msg, "t goes backwards (%lld after %lld)", (long long)en->t_ms,
                 (long long)prev_t);
        ok = false;
    }
    cJSON_Delete(root);
    en->t_ms *= 1000;
    return ok;
}

static int add_entry(const sc_entry_t *en, size_t *cap)
{
    if (s_count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        sc_entry_t *n = realloc(s_entries, ncap * sizeof *n);
        if (!n) {
            return FW_E_NOMEM;
        }
        s_entries = n;
        *cap = ncap;
    }
    s_entries[s_count++] = *en;
    return 0;
}

static int load_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        return host_fail(FW_E_NOENT, "--scenario: cannot open %s", path);
    }
    sc_err_t e = {.line = 0};
    char *buf = NULL;
    size_t bufcap = 0;
    size_t cap = 0;
    int64_t prev_t = 0;
    int rc = 0;
    ssize_t n;
    while (rc == 0 && (n = getline(&buf, &bufcap, fp)) >= 0) {
        e.line++;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
            buf[--n] = '\0';
        }
        const char *p = buf;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0' || *p == '#') {
            continue;
        }
        sc_entry_t en;
        memset(&en, 0, sizeof en);
        en.line = e.line;
        if (n > LINE_MAX_BYTES) {
            snprintf(e.msg, sizeof e.msg, "line too long (more than %d bytes)", LINE_MAX_BYTES);
            rc = FW_E_FORMAT;
        } else if (strlen(p) != (size_t)(n - (p - buf))) {
            snprintf(e.msg, sizeof e.msg, "NUL byte in line");
            rc = FW_E_FORMAT;
        } else if (!parse_line(p, prev_t, &en, &e)) {
            rc = FW_E_FORMAT;
        } else {
            prev_t = en.t_ms / 1000;
            en.due_ms = en.t_ms;
            if (en.kind == SC_MEETING || en.kind == SC_SHARE) {
                en.due_ms += (int64_t)en.value * 1000; /* reported when it ends */
            }
            rc = add_entry(&en, &cap);
        }
    }
    free(buf);
    fclose(fp);
    if (rc == FW_E_FORMAT) {
        return host_fail(rc, "%s:%d: %s", path, e.line, e.msg);
    }
    return rc;
}

/* Resuming after a restart: the scenario started `skip_ms` simulated ms
 * before this run's clock. What was delivered before is not delivered again
 * (a call dialled then is gone with the old run); meetings and shares still
 * running end in this run; the network is as the last past entry left it.
 * A negative `skip_ms` (an anchored clock whose start lies ahead) delays
 * every entry. */
static void skip_past(int64_t skip_ms)
{
    const int64_t shift = skip_ms;
    for (size_t i = 0; i < s_count; i++) {
        sc_entry_t *en = &s_entries[i];
        en->t_ms -= shift;
        en->due_ms -= shift;
        if (en->due_ms >= 0) {
            continue;
        }
        if (en->kind == SC_NETWORK) {
            s_net_up = en->up;
        }
        en->state = SC_DONE;
    }
}

int host_scenario_load(const char *path, int64_t skip_ms)
{
    host_scenario_unload();
    if (path) {
        int rc = load_file(path);
        if (rc != 0) {
            host_scenario_unload();
            return rc;
        }
        skip_past(skip_ms);
    }
    s_ready = true;
    return 0;
}

void host_scenario_unload(void)
{
    free(s_entries);
    s_entries = NULL;
    s_count = 0;
    s_first_live = 0;
    s_next_call_id = 0;
    s_net_up = true;
    s_lines_held = true;
    s_lines_told = false;
    s_emergency_at_ms = -1;
    s_call_head = s_call_len = 0;
    s_room_head = s_room_len = 0;
    s_input_head = s_input_len = 0;
    s_ready = false;
}

/* ---------------------------------------------------------------- firing */

static void push_call(hal_call_event_kind_t kind, const sc_entry_t *en)
{
    if (s_call_len == HOST_EVENT_QUEUE_LEN) {
        host_log(HAL_LOG_WARN, "scenario line %d: call event dropped, nobody polls hal_call",
                 en->line);
        return;
    }
    hal_call_event_t *ev = &s_call_q[(s_call_head + s_call_len++) % HOST_EVENT_QUEUE_LEN];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->id = en->call_id;
    memcpy(ev->number, en->number, sizeof ev->number);
    ev->seconds = kind == HAL_CALL_EV_ENDED ? en->value : 0;
}

static void push_room(hal_room_event_kind_t kind, const sc_entry_t *en)
{
    if (s_room_len == HOST_EVENT_QUEUE_LEN) {
        host_log(HAL_LOG_WARN, "scenario line %d: room event dropped, nobody polls hal_room",
                 en->line);
        return;
    }
    hal_room_event_t *ev = &s_room_q[(s_room_head + s_room_len++) % HOST_EVENT_QUEUE_LEN];
    ev->kind = kind;
    ev->value = en->value;
}

static void push_input(const sc_entry_t *en)
{
    if (s_input_len == HOST_EVENT_QUEUE_LEN) {
        host_log(HAL_LOG_WARN, "scenario line %d: input dropped, nobody polls hal_input", en->line);
        return;
    }
    hal_input_event_t *ev = &s_input_q[(s_input_head + s_input_len++) % HOST_EVENT_QUEUE_LEN];
    memset(ev, 0, sizeof *ev);
    if (en->kind == SC_BUTTON) {
        ev->kind = HAL_INPUT_BUTTON;
        ev->code = (uint16_t)en->value;
        host_log(HAL_LOG_INFO, "scenario line %d: button %s pressed", en->line,
                 en->value == HAL_BUTTON_HOME ? "HOME" : "INFO");
    } else {
        ev->kind = HAL_INPUT_TOUCH;
        ev->x = en->x;
        ev->y = en->y;
        host_log(HAL_LOG_INFO, "scenario line %d: screen touched at %u,%u", en->line,
                 (unsigned)en->x, (unsigned)en->y);
    }
}

/* A call the stack places: an emergency number opens the stack's own
 * call-back window. The stack knows no region or prefix here: every table. */
static void start_call(sc_entry_t *en, int64_t now_ms)
{
    int64_t end = en->t_ms + (int64_t)en->value * 1000;
    en->state = SC_RUNNING;
    en->due_ms = end > now_ms ? end : now_ms;
    if (en->kind == SC_CALL && calling_is_emergency(NULL, NULL, en->number)) {
        s_emergency_at_ms = now_ms;
    }
}

/* The stack's own decision when the agent did not answer (docs/EMERGENCY.md). */
static void stack_decides(sc_entry_t *en)
{
    bool place;
    if (en->kind == SC_CALL) {
        place = calling_is_emergency(NULL, NULL, en->number);
    } else {
        place = s_emergency_at_ms >= 0 &&
                en->due_ms - s_emergency_at_ms < (int64_t)CALLING_CALLBACK_S * 1000;
    }
    host_log(HAL_LOG_WARN, "%s %u not answered by the agent within %d s: %s by the stack",
             en->kind == SC_CALL ? "call" : "incoming call", (unsigned)en->call_id,
             HOST_CALL_DECIDE_TIMEOUT_S,
             place ? (en->kind == SC_CALL ? "placed (emergency number, fail-open)"
                                          : "let in (call-back window)")
                   : "refused (fail-closed)");
    if (place) {
        start_call(en, en->due_ms);
    } else {
        en->state = SC_DONE;
    }
}

static void fire_call(sc_entry_t *en)
{
    if (en->state == SC_WAITING) {
        en->call_id = ++s_next_call_id;
        en->state = SC_DIALED;
        /* The stack waits 1 s of device time, and never less than a couple
         * of real seconds: at --clock-rate 86400 one second is a 86th of a
         * real millisecond, shorter than one turn of the agent's loop. */
        int64_t wait = HOST_CALL_DECIDE_TIMEOUT_S * 1000LL;
        int64_t real_wait = host_clock_sim_ms_for_real_ms(HOST_CALL_DECIDE_REAL_MIN_MS);
        en->due_ms = en->t_ms + (real_wait > wait ? real_wait : wait);
        /* never the number: it is personal data (docs/EMERGENCY.md) */
        host_log(HAL_LOG_DEBUG, "scenario line %d: %s %u", en->line,
                 en->kind == SC_CALL ? "dial request" : "incoming call", (unsigned)en->call_id);
        push_call(en->kind == SC_CALL ? HAL_CALL_EV_DIAL : HAL_CALL_EV_INCOMING, en);
    } else if (en->state == SC_DIALED) {
        stack_decides(en);
    } else {
        host_log(HAL_LOG_DEBUG, "call %u ended after %u s", (unsigned)en->call_id,
                 (unsigned)en->value);
        push_call(HAL_CALL_EV_ENDED, en);
        en->state = SC_DONE;
    }
}

static void fire(sc_entry_t *en)
{
    switch (en->kind) {
    case SC_CALL:
    case SC_INCOMING: fire_call(en); return;
    case SC_MEETING: push_room(HAL_ROOM_EV_MEETING, en); break;
    case SC_SHARE: push_room(HAL_ROOM_EV_SHARE, en); break;
    case SC_PEOPLE: push_room(HAL_ROOM_EV_PEOPLE, en); break;
    case SC_NETWORK:
        if (s_net_up != en->up) {
            host_log(HAL_LOG_INFO, "scenario line %d: network %s", en->line,
                     en->up ? "up" : "down");
        }
        s_net_up = en->up;
        break;
    case SC_BUTTON:
    case SC_TOUCH: push_input(en); break;
    }
    en->state = SC_DONE;
}

void host_scenario_pump(int64_t now_ms)
{
    if (!s_ready) {
        return;
    }
    for (;;) {
        while (s_first_live < s_count && s_entries[s_first_live].state == SC_DONE) {
            s_first_live++;
        }
        sc_entry_t *best = NULL;
        for (size_t i = s_first_live; i < s_count; i++) {
            sc_entry_t *en = &s_entries[i];
            if (en->state != SC_DONE && en->due_ms <= now_ms &&
                (!best || en->due_ms < best->due_ms)) {
                best = en;
            }
            if (en->t_ms > now_ms) {
                break; /* sorted by t, and due >= t: nothing later is due */
            }
        }
        if (!best) {
            return;
        }
        fire(best);
    }
}

int64_t host_scenario_next_due_ms(void)
{
    int64_t next = INT64_MAX;
    for (size_t i = s_ready ? s_first_live : s_count; i < s_count; i++) {
        const sc_entry_t *en = &s_entries[i];
        if (en->state != SC_DONE && en->due_ms < next) {
            next = en->due_ms;
        }
        if (en->t_ms >= next) {
            break; /* sorted by t, and due >= t: nothing later comes sooner */
        }
    }
    return next;
}

/* Fire what is due, then hand out the oldest event of queue `q` (elements of
 * `size` bytes): 1 and a copy in `out`, or 0 when it is empty. */
static int poll_queue(const void *q, size_t size, size_t *head, size_t *len, void *out)
{
    host_scenario_pump(host_clock_now_ms());
    if (*len == 0) {
        return 0;
    }
    memcpy(out, (const char *)q + *head * size, size);
    *head = (*head + 1) % HOST_EVENT_QUEUE_LEN;
    (*len)--;
    return 1;
}

/* -------------------------------------------------------------- hal/call */

int hal_call_poll(hal_call_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    return poll_queue(s_call_q, sizeof *ev, &s_call_head, &s_call_len, ev);
}

int hal_call_decide(uint32_t id, bool allow)
{
    if (!s_ready) {
        return FW_E_STATE;
    }
    int64_t now = host_clock_now_ms();
    host_scenario_pump(now); /* apply a deadline that passed before this answer */
    for (size_t i = 0; i < s_count; i++) {
        sc_entry_t *en = &s_entries[i];
        if ((en->kind != SC_CALL && en->kind != SC_INCOMING) || en->call_id != id || id == 0) {
            continue;
        }
        if (en->state != SC_DIALED) {
            return FW_E_STATE; /* answered twice, or too late */
        }
        if (allow) {
            start_call(en, now);
        } else {
            en->state = SC_DONE;
        }
        host_log(HAL_LOG_DEBUG, "stack: call %u %s", (unsigned)id, allow ? "allowed" : "denied");
        return 0;
    }
    return FW_E_NOENT;
}

int hal_call_set_lines_held(bool held)
{
    if (!s_lines_told || held != s_lines_held) {
        host_log(HAL_LOG_INFO, "stack: line numbers %s", held ? "held" : "released");
    }
    s_lines_told = true;
    s_lines_held = held;
    return 0;
}

/* -------------------------------------------------------------- hal/room */

int hal_room_poll(hal_room_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    return poll_queue(s_room_q, sizeof *ev, &s_room_head, &s_room_len, ev);
}

/* ------------------------------------------------------------- hal/input */

int hal_input_poll(hal_input_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    return poll_queue(s_input_q, sizeof *ev, &s_input_head, &s_input_len, ev);
}

/* --------------------------------------------------------------- hal/net */

bool hal_net_is_up(void)
{
    host_scenario_pump(host_clock_now_ms());
    return s_net_up;
}
