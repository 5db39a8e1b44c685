/* "ADDR:PORT" as a socket address (fw/sockaddr.h). */
#include "fw/sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"

int fw_sockaddr_parse(const char *spec, struct sockaddr_storage *out, socklen_t *len)
{
    char host[64];
    const char *colon = spec ? strrchr(spec, ':') : NULL;
    if (colon == NULL || colon == spec || (size_t)(colon - spec) >= sizeof host) {
        return FW_E_FORMAT;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port < 1 || port > 65535) {
        return FW_E_FORMAT;
    }
    memset(out, 0, sizeof *out);
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
        host[hl - 1] = '\0';
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : FW_E_FORMAT;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)out;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : FW_E_FORMAT;
}
