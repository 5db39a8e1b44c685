/* Link state and a name database, set by the test. */
#include "fakes/fake_net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "hal/net.h"

#define NAMES_MAX 8

static bool s_up = true;
static struct {
    char name[64];
    char addr[64];
} s_names[NAMES_MAX];
static int s_fail;
static uint32_t s_count;
static int s_polls = -1; /* -1: no lookup; else polls seen of the current one */
static char s_host[256];

void fake_net_set_up(bool up)
{
    s_up = up;
}

void fake_net_reset(void)
{
    s_up = true;
    memset(s_names, 0, sizeof s_names);
    s_fail = 0;
    s_count = 0;
    s_polls = -1;
}

void fake_net_add_host(const char *name, const char *addr)
{
    for (int i = 0; i < NAMES_MAX; i++) {
        if (!s_names[i].name[0]) {
            (void)snprintf(s_names[i].name, sizeof s_names[i].name, "%s", name);
            (void)snprintf(s_names[i].addr, sizeof s_names[i].addr, "%s", addr);
            return;
        }
    }
}

void fake_net_resolve_fail(int err)
{
    s_fail = err;
}

uint32_t fake_net_resolve_count(void)
{
    return s_count;
}

bool hal_net_is_up(void)
{
    return s_up;
}

int hal_net_resolve_start(const char *host)
{
    if (!host || !*host || strlen(host) >= sizeof s_host) {
        return FW_E_INVAL;
    }
    strcpy(s_host, host);
    s_polls = 0;
    s_count++;
    return 0;
}

/* `text` as one address into `out`; false if it is no literal. */
static bool literal(const char *text, hal_net_addrs_t *out)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&out->addr[0].sa;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->addr[0].sa;
    if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        out->addr[0].len = sizeof *a4;
    } else if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        out->addr[0].len = sizeof *a6;
    } else {
        return false;
    }
    out->n = 1;
    return true;
}

int hal_net_resolve_poll(hal_net_addrs_t *out)
{
    if (s_polls < 0) {
        return FW_E_STATE;
    }
    if (s_polls++ == 0) {
        return 1;
    }
    s_polls = -1;
    if (s_fail) {
        return s_fail;
    }
    if (literal(s_host, out)) {
        return 0;
    }
    for (int i = 0; i < NAMES_MAX; i++) {
        if (s_names[i].name[0] && strcmp(s_names[i].name, s_host) == 0) {
            return literal(s_names[i].addr, out) ? 0 : FW_E_NOENT;
        }
    }
    return FW_E_NOENT;
}

void hal_net_resolve_cancel(void)
{
    s_polls = -1;
}
