/*
 * The calling stack's line protocol (see room_proto.h). Every byte comes from
 * another process and is treated as hostile: bounded, checked, never trusted.
 */
#include "room_proto.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"

#define MAX_FIELDS 3

static int refuse(char *why, size_t cap, int rc, const char *reason)
{
    if (why && cap) {
        (void)snprintf(why, cap, "%s", reason);
    }
    return rc;
}

static bool parse_u32(const char *s, size_t n, uint32_t *out)
{
    if (n == 0 || n > 10) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool field_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

int room_proto_parse(const char *buf, size_t len, room_msg_t *msg, char *why, size_t cap)
{
    if (!buf || !msg) {
        return refuse(why, cap, FW_E_FORMAT, "no message");
    }
    if (len > 0 && buf[len - 1] == '\n') {
        len--;
    }
    if (len == 0) {
        return refuse(why, cap, FW_E_FORMAT, "empty message");
    }
    if (len > ROOM_PROTO_LINE_MAX) {
        return refuse(why, cap, FW_E_TOOBIG, "message too long");
    }
    for (size_t i = 0; i < len; i++) {
        if (buf[i] < 0x20 || buf[i] > 0x7e) {
            return refuse(why, cap, FW_E_FORMAT, "non-printable byte in message");
        }
    }
    const char *f[MAX_FIELDS];
    size_t fl[MAX_FIELDS];
    size_t nf = 0;
    for (size_t start = 0; start <= len;) {
        size_t end = start;
        while (end < len && buf[end] != ' ') {
            end++;
        }
        if (end == start) {
            return refuse(why, cap, FW_E_FORMAT, "empty field (extra space)");
        }
        if (nf == MAX_FIELDS) {
            return refuse(why, cap, FW_E_FORMAT, "too many fields");
        }
        f[nf] = buf + start;
        fl[nf++] = end - start;
        start = end + 1;
    }
    memset(msg, 0, sizeof *msg);
    if (field_is(f[0], fl[0], "hello")) {
        if (nf != 1) {
            return refuse(why, cap, FW_E_FORMAT, "hello takes no arguments");
        }
        msg->kind = ROOM_MSG_HELLO;
        return 0;
    }
    bool dial = field_is(f[0], fl[0], "dial");
    if (dial || field_is(f[0], fl[0], "incoming")) {
        /* incoming: the caller id may be withheld (two fields) */
        if (nf != 3 && (dial || nf != 2)) {
            return refuse(why, cap, FW_E_FORMAT,
                          dial ? "dial needs <id> <number>" : "incoming needs <id> [<number>]");
        }
        if (!parse_u32(f[1], fl[1], &msg->id)) {
            return refuse(why, cap, FW_E_FORMAT,
                          dial ? "dial: bad call id" : "incoming: bad call id");
        }
        size_t n = nf == 3 ? fl[2] : 0;
        if (n >= sizeof msg->number) {
            return refuse(why, cap, FW_E_FORMAT, "number longer than 31 characters");
        }
        for (size_t i = 0; i < n; i++) {
            if (!strchr("0123456789+*#", f[2][i])) {
                return refuse(why, cap, FW_E_FORMAT, "number has characters other than 0-9 + * #");
            }
        }
        if (n > 0) {
            memcpy(msg->number, f[2], n);
        }
        msg->number[n] = '\0';
        msg->kind = dial ? ROOM_MSG_DIAL : ROOM_MSG_INCOMING;
        return 0;
    }
    if (field_is(f[0], fl[0], "ended")) {
        if (nf != 3 || !parse_u32(f[1], fl[1], &msg->id) || !parse_u32(f[2], fl[2], &msg->value)) {
            return refuse(why, cap, FW_E_FORMAT, "ended needs <id> <seconds>");
        }
        msg->kind = ROOM_MSG_ENDED;
        return 0;
    }
    static const struct {
        const char *word;
        room_msg_kind_t kind;
    } one_number[] = {
        {"meeting", ROOM_MSG_MEETING},
        {"share", ROOM_MSG_SHARE},
        {"people", ROOM_MSG_PEOPLE},
    };
    for (size_t i = 0; i < sizeof one_number / sizeof one_number[0]; i++) {
        if (field_is(f[0], fl[0], one_number[i].word)) {
            if (nf != 2 || !parse_u32(f[1], fl[1], &msg->value)) {
                char reason[48];
                (void)snprintf(reason, sizeof reason, "%s needs one number", one_number[i].word);
                return refuse(why, cap, FW_E_FORMAT, reason);
            }
            msg->kind = one_number[i].kind;
            return 0;
        }
    }
    return refuse(why, cap, FW_E_FORMAT, "unknown message");
}

int room_proto_format_decision(char *out, size_t cap, uint32_t id, bool allow)
{
    int n = snprintf(out, cap, "%s %u\n", allow ? "allow" : "deny", (unsigned)id);
    return n < 0 || (size_t)n >= cap ? FW_E_NOSPACE : n;
}

int room_proto_format_lines(char *out, size_t cap, bool held)
{
    int n = snprintf(out, cap, "lines %s\n", held ? "held" : "released");
    return n < 0 || (size_t)n >= cap ? FW_E_NOSPACE : n;
}
