/*
 * hal/net.h name lookups on the host board: the system's resolver through
 * hal_posix (getaddrinfo_a), or, with the test aid --hosts FILE, FILE alone.
 *
 * FILE is in hosts(5) format ("ADDRESS NAME [NAME...]", '#' comments) and
 * is read again at every lookup, so a test can make a name resolve (or stop
 * resolving) while the agent runs, without root, /etc/hosts or a DNS server:
 * the agent's own path (a lookup at every session start, a failure that backs
 * off) is the one a room takes. Address literals bypass FILE.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fw/err.h"
#include "hal/net.h"
#include "hal_posix/resolve.h"
#include "host_internal.h"

static const char *s_hosts_path; /* NULL: the system's resolver */
static bool s_answer_ready;      /* --hosts: a lookup was answered from FILE */
static int s_answer_rc;
static hal_net_addrs_t s_answer;

void host_net_set_hosts_file(const char *path)
{
    s_hosts_path = path;
    s_answer_ready = false;
}

static bool is_literal(const char *host)
{
    struct in6_addr a6;
    struct in_addr a4;
    return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
}

/* Add the address literal `text` to `out`. */
static void add_literal(const char *text, hal_net_addrs_t *out)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST; /* never a lookup: returns at once */
    if (out->n < HAL_NET_ADDRS_MAX && getaddrinfo(text, NULL, &hints, &res) == 0) {
        hal_net_addrs_t one;
        if (posix_resolve_collect(res, &one) > 0) {
            out->addr[out->n++] = one.addr[0];
        }
        freeaddrinfo(res);
    }
}

/* Every address FILE gives `host`, in file order. FW_E_NOENT if none. */
static int lookup_file(const char *host, hal_net_addrs_t *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(s_hosts_path, "r");
    if (!f) {
        host_log(HAL_LOG_DEBUG, "--hosts %s: cannot read it: no names resolve", s_hosts_path);
        return FW_E_NOENT;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
        }
        char *save = NULL;
        const char *addr = strtok_r(line, " \t\r\n", &save);
        for (const char *name = addr ? strtok_r(NULL, " \t\r\n", &save) : NULL; name;
             name = strtok_r(NULL, " \t\r\n", &save)) {
            if (strcasecmp(name, host) == 0) {
                add_literal(addr, out);
                break;
            }
        }
    }
    fclose(f);
    return out->n ? 0 : FW_E_NOENT;
}

int hal_net_resolve_start(const char *host)
{
    s_answer_ready = false;
    if (!s_hosts_path || (host && is_literal(host))) {
        return posix_resolve_start(host);
    }
    if (!host || !*host || strlen(host) > POSIX_RESOLVE_NAME_MAX) {
        return FW_E_INVAL;
    }
    posix_resolve_cancel();
    s_answer_rc = lookup_file(host, &s_answer);
    s_answer_ready = true; /* reported at the next poll, as a resolver would */
    return 0;
}

int hal_net_resolve_poll(hal_net_addrs_t *out)
{
    if (s_answer_ready) {
        s_answer_ready = false;
        if (s_answer_rc == 0) {
            *out = s_answer;
        }
        return s_answer_rc;
    }
    return posix_resolve_poll(out);
}

void hal_net_resolve_cancel(void)
{
    s_answer_ready = false;
    posix_resolve_cancel();
}
