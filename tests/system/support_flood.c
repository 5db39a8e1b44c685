/*
 * support_flood: floods a room's support port, for tests/system/
 * support_flood.sh (issue 12: a flood never delays reporting or calling).
 *
 *   support_flood ADDR:PORT PSK_HEX SECONDS [REQUESTS_PER_S]
 *
 * For SECONDS, from one host, at once:
 *  - requests: non-confirmable GET /support/state at REQUESTS_PER_S
 *    (default 500) spread over SESSIONS DTLS sessions with the right key;
 *  - handshakes: a new session with an identity the port refuses every
 *    HANDSHAKE_EVERY_MS, each from a new source port;
 *  - garbage: as many datagrams of random bytes as requests, some dressed
 *    as DTLS records.
 * Prints one line: what was sent and which answers came back. Bounded by
 * SECONDS (at most 120); loopback or not, it is the caller's address.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "link/coap_io.h"

#define SESSIONS 4
#define HANDSHAKE_EVERY_MS 100
#define HANDSHAKES_KEPT 8

typedef struct {
    unsigned long sent, ok, limited, other, garbage, handshakes;
} counts_t;

static counts_t s_n;

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)session;
    (void)sent;
    (void)mid;
    coap_pdu_code_t c = coap_pdu_get_code(received);
    if (c == COAP_RESPONSE_CODE(205)) {
        s_n.ok++;
    } else if (c == COAP_RESPONSE_CODE(429)) {
        s_n.limited++;
    } else {
        s_n.other++;
    }
    return COAP_RESPONSE_OK;
}

static void get_state(coap_session_t *s)
{
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_NON, COAP_REQUEST_CODE_GET, coap_new_message_id(s),
                                    coap_session_max_pdu_size(s));
    uint8_t token[8];
    size_t tlen = 0;
    if (pdu == NULL) {
        return;
    }
    coap_session_new_token(s, &tlen, token);
    if (coap_add_token(pdu, tlen, token) &&
        coap_add_option(pdu, COAP_OPTION_URI_PATH, 7, (const uint8_t *)"support") &&
        coap_add_option(pdu, COAP_OPTION_URI_PATH, 5, (const uint8_t *)"state") &&
        coap_send(s, pdu) != COAP_INVALID_MID) {
        s_n.sent++;
    }
}

static void garbage(int fd, const struct sockaddr_in *dst, unsigned i)
{
    uint8_t buf[1400];
    size_t len = 1 + (size_t)rand() % sizeof buf;
    for (size_t k = 0; k < len; k++) {
        buf[k] = (uint8_t)rand();
    }
    if (i % 2 == 0 && len > 13) { /* a DTLS 1.2 record header: handshake or application data */
        buf[0] = i % 4 == 0 ? 22 : 23;
        buf[1] = 0xfe;
        buf[2] = 0xfd;
        buf[11] = (uint8_t)((len - 13) >> 8);
        buf[12] = (uint8_t)(len - 13);
    }
    if (sendto(fd, buf, len, 0, (const struct sockaddr *)dst, sizeof *dst) > 0) {
        s_n.garbage++;
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: support_flood ADDR:PORT PSK_HEX SECONDS [REQUESTS_PER_S]\n");
        return 2;
    }
    char host[64];
    const char *colon = strrchr(argv[1], ':');
    int seconds = atoi(argv[3]), rate = argc > 4 ? atoi(argv[4]) : 500;
    uint8_t key[64];
    size_t key_len = strlen(argv[2]) / 2;
    if (colon == NULL || (size_t)(colon - argv[1]) >= sizeof host || seconds < 1 || seconds > 120 ||
        rate < 1 || rate > 100000 || key_len == 0 || key_len > sizeof key) {
        fprintf(stderr, "support_flood: bad arguments\n");
        return 2;
    }
    for (size_t i = 0; i < key_len; i++) {
        int hi = hexval(argv[2][2 * i]), lo = hexval(argv[2][2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "support_flood: PSK_HEX: lower-case hex\n");
            return 2;
        }
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(host, argv[1], (size_t)(colon - argv[1]));
    host[colon - argv[1]] = '\0';
    struct sockaddr_in dst;
    memset(&dst, 0, sizeof dst);
    dst.sin_family = AF_INET;
    dst.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &dst.sin_addr) != 1) {
        fprintf(stderr, "support_flood: ADDR: an IPv4 literal\n");
        return 2;
    }
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    coap_dtls_set_log_level(LOG_EMERG);
    coap_context_t *ctx = coap_new_context(NULL);
    coap_address_t to;
    coap_address_init(&to);
    to.addr.sin = dst;
    to.size = sizeof dst;
    if (ctx == NULL) {
        return 1;
    }
    coap_register_response_handler(ctx, on_response);
    coap_session_t *ok[SESSIONS], *refused[HANDSHAKES_KEPT] = {NULL};
    for (int i = 0; i < SESSIONS; i++) {
        ok[i] = link_coap_session_psk(ctx, &to, "support", key, key_len);
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    srand(12345);
    const uint64_t start = now_ms(), end = start + (uint64_t)seconds * 1000u;
    uint64_t next_hs = start;
    unsigned long due_sent = 0, i = 0;
    for (uint64_t t = start; t < end; t = now_ms(), i++) {
        unsigned long due = (unsigned long)((t - start) * (uint64_t)rate / 1000u);
        for (; due_sent < due; due_sent++) {
            get_state(ok[due_sent % SESSIONS]);
            if (fd >= 0) {
                garbage(fd, &dst, (unsigned)due_sent);
            }
        }
        if (t >= next_hs) {
            coap_session_t **slot = &refused[s_n.handshakes % HANDSHAKES_KEPT];
            if (*slot != NULL) {
                coap_session_release(*slot);
            }
            *slot = link_coap_session_psk(ctx, &to, "intruder", key, key_len);
            s_n.handshakes++;
            next_hs += HANDSHAKE_EVERY_MS;
        }
        coap_io_process(ctx, 1);
    }
    printf("flood: %d s: sent %lu requests on %d sessions (%lu answered 2.05, %lu 4.29, %lu "
           "other), %lu garbage datagrams, %lu handshakes with a refused identity\n",
           seconds, s_n.sent, SESSIONS, s_n.ok, s_n.limited, s_n.other, s_n.garbage,
           s_n.handshakes);
    if (fd >= 0) {
        close(fd);
    }
    coap_free_context(ctx);
    coap_cleanup();
    return 0;
}
