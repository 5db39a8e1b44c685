/*
 * Name lookups that never block the agent's loop: getaddrinfo_a() runs the
 * lookup on glibc's own helper thread and we poll gai_error(). Written on the
 * library rather than on a thread of our own, because glibc already gets
 * cancellation and resolver configuration right.
 */
#define _GNU_SOURCE /* getaddrinfo_a, gai_error, gai_cancel */
#include "hal_posix/resolve.h"

#include <netdb.h>
#include <string.h>

#include "fw/err.h"

typedef struct {
    bool used;
    bool abandoned; /* nobody waits for the answer: free it when it comes */
    struct gaicb cb;
    struct addrinfo hints;
    char host[POSIX_RESOLVE_NAME_MAX + 1];
} slot_t;

static slot_t s_slots[POSIX_RESOLVE_SLOTS];
static int s_current = -1;

static void release(slot_t *s)
{
    if (s->cb.ar_result) {
        freeaddrinfo(s->cb.ar_result);
    }
    memset(s, 0, sizeof *s);
}

/* Free abandoned lookups that have finished meanwhile. */
static void reap(void)
{
    for (int i = 0; i < POSIX_RESOLVE_SLOTS; i++) {
        if (s_slots[i].used && s_slots[i].abandoned &&
            gai_error(&s_slots[i].cb) != EAI_INPROGRESS) {
            release(&s_slots[i]);
        }
    }
}

static void abandon(int i)
{
    slot_t *s = &s_slots[i];
    int rc = gai_cancel(&s->cb);
    if (rc == EAI_CANCELED || rc == EAI_ALLDONE) {
        release(s);
    } else {
        s->abandoned = true; /* EAI_NOTCANCELED: still running; reaped later */
    }
}

int posix_resolve_start(const char *host)
{
    size_t n = host ? strlen(host) : 0;
    if (n == 0 || n > POSIX_RESOLVE_NAME_MAX) {
        return FW_E_INVAL;
    }
    reap();
    if (s_current >= 0) {
        abandon(s_current);
        s_current = -1;
    }
    int i = 0;
    while (i < POSIX_RESOLVE_SLOTS && s_slots[i].used) {
        i++;
    }
    if (i == POSIX_RESOLVE_SLOTS) {
        return FW_E_NOMEM;
    }
    slot_t *s = &s_slots[i];
    memset(s, 0, sizeof *s);
    memcpy(s->host, host, n + 1);
    /* No AI_ADDRCONFIG: it hides loopback-only answers on a host with no
     * other address, which is exactly where the tests run. */
    s->hints.ai_family = AF_UNSPEC;
    s->hints.ai_socktype = SOCK_DGRAM;
    s->cb.ar_name = s->host;
    s->cb.ar_request = &s->hints;
    struct gaicb *list[1] = {&s->cb};
    if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
        memset(s, 0, sizeof *s);
        return FW_E_NOMEM;
    }
    s->used = true;
    s_current = i;
    return 0;
}

uint32_t posix_resolve_collect(const struct addrinfo *ai, hal_net_addrs_t *out)
{
    memset(out, 0, sizeof *out);
    for (; ai && out->n < HAL_NET_ADDRS_MAX; ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || !ai->ai_addr ||
            ai->ai_addrlen > sizeof out->addr[0].sa) {
            continue;
        }
        bool dup = false;
        for (uint32_t k = 0; k < out->n && !dup; k++) {
            dup = out->addr[k].len == ai->ai_addrlen &&
                  memcmp(&out->addr[k].sa, ai->ai_addr, ai->ai_addrlen) == 0;
        }
        if (!dup) {
            memcpy(&out->addr[out->n].sa, ai->ai_addr, ai->ai_addrlen);
            out->addr[out->n].len = ai->ai_addrlen;
            out->n++;
        }
    }
    return out->n;
}

int posix_resolve_poll(hal_net_addrs_t *out)
{
    reap();
    if (s_current < 0) {
        return FW_E_STATE;
    }
    slot_t *s = &s_slots[s_current];
    int e = gai_error(&s->cb);
    if (e == EAI_INPROGRESS) {
        return 1;
    }
    int rc;
    if (e == 0) {
        rc = posix_resolve_collect(s->cb.ar_result, out) > 0 ? 0 : FW_E_NOENT;
    } else if (e == EAI_NONAME || e == EAI_NODATA || e == EAI_ADDRFAMILY) {
        rc = FW_E_NOENT;
    } else {
        rc = FW_E_NET; /* EAI_AGAIN (no answer from DNS), EAI_SYSTEM, ... */
    }
    release(s);
    s_current = -1;
    return rc;
}

void posix_resolve_cancel(void)
{
    if (s_current >= 0) {
        abandon(s_current);
        s_current = -1;
    }
}
