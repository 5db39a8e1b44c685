/*
 * spark-collector serve: the libcoap DTLS-PSK server. Thin: it moves bytes
 * between libcoap, the pure payload module (payload.c), the database (db.c)
 * and the writer thread (ingest.c). Decisions about bodies live in payload.c.
 *
 * Durable before acknowledged: a report is answered 2.04 only after the
 * transaction holding it committed (SQLite synchronous=FULL, PostgreSQL
 * synchronous_commit). The sync that costs is shared (group commit): when
 * other requests are waiting or being written, a request goes to the writer
 * thread and gets an empty ACK at once and its answer as a separate
 * (confirmable) response after the commit; a request that arrives alone is
 * stored at once and answered in the ACK (piggybacked). docs/SCALING.md has
 * the figures behind this choice (datagrams on the device, requests/s).
 *
 * The database unavailable (down, restarted, read-only, full, locked): every
 * request is answered 5.03 with Max-Age, nothing is acknowledged that was
 * not stored; one log line when it goes and one when it is back; a write
 * probe every second finds out.
 *
 * Bounds: request bodies are reassembled here, block by block, into at most
 * COLLECTOR_BODY_MAX bytes per session (libcoap's own single-body mode would
 * grow without a limit in 4.3.1); concurrent handshakes and idle sessions
 * are capped on the context; a group holds at most --group-max requests.
 *
 * This file: the options, the setup and the event loop. The CoAP resources
 * are server_resource.c; sessions, handshakes and the database's state are
 * server_session.c; what they share is server_priv.h.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <coap3/coap.h>

#include "cli.h"
#include "collector/payload.h"
#include "db.h"
#include "fw/backoff.h"
#include "fw/err.h"
#include "ingest.h"
#include "licence/licence.h"
#include "link/coap_io.h"
#include "now.h"

#define FW_LOG_TAG "collector"
#include "fw/file.h"
#include "fw/iso8601.h"
#include "fw/log.h"
#include "fw/zeroize.h"
#include "server_priv.h"

#define DEFAULT_MAX_HANDSHAKES 256u
#define DEFAULT_MAX_SESSIONS 20000u
#define DEFAULT_GROUP_WAIT_MS 5u
#define DEFAULT_GROUP_MAX 512u
#define DEFAULT_RETRY_AFTER_S 15u
/* Datagrams read per loop turn before the group is closed and timers run. */
#define DRAIN_MAX 256

static volatile sig_atomic_t s_stop;

static void on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

/* ---- setup and the loop ------------------------------------------------------------- */

static void usage_serve(FILE *f)
{
    fprintf(
        f,
        "usage: spark-collector serve --db URI --listen ADDR:PORT --licence-key PEM\n"
        "                             " COLLECTOR_NOW_USAGE "\n"
        "                             [--ack auto|separate|piggyback] [--group-wait-ms N]\n"
        "                             [--group-max N] [--retry-after S]\n"
        "                             [--max-sessions N] [--max-handshakes N]\n"
        "  URI        sqlite:FILE, FILE, or postgresql://[user@]host[:port]/db[?...]\n"
        "  ADDR:PORT  e.g. 127.0.0.1:5684 or [::1]:5684 (DTLS-PSK)\n"
        "  --clock-*  the simulated clock of a demo or test, as the host board takes\n"
        "             it (start, simulated seconds per real second > 0, the real\n"
        "             unix ms at which it shows start); default: real time\n"
        "  --ack      auto (default): a request that arrives alone is stored at once and\n"
        "             answered in the ACK; one that arrives with others waits (at most\n"
        "             --group-wait-ms, default %u) for a shared commit and gets its answer\n"
        "             as a separate response; separate / piggyback: always that way\n"
        "  --group-max        requests in one commit at most (default %u)\n"
        "  --retry-after S    5.03 when the database is unavailable, Max-Age S..2S (default %u)\n"
        "  --max-sessions N   DTLS sessions kept (default %u); --max-handshakes N at once\n"
        "                     (default %u): more ClientHellos wait for their retransmission\n"
        "  test aid: --test-refuse-id ID  refuse (4.00) any batch holding record or\n"
        "            event ID, as a collector with a stricter rule would\n",
        DEFAULT_GROUP_WAIT_MS, DEFAULT_GROUP_MAX, DEFAULT_RETRY_AFTER_S, DEFAULT_MAX_SESSIONS,
        DEFAULT_MAX_HANDSHAKES);
}

static coap_resource_t *add_resource(coap_context_t *ctx, const char *path, coap_request_t method,
                                     coap_method_handler_t h)
{
    coap_resource_t *r = coap_resource_init(coap_make_str_const(path), 0);
    if (r != NULL) {
        coap_register_request_handler(r, method, h);
        coap_add_resource(ctx, r);
    }
    return r;
}

/* how: what found the change ("database notification" or "poll"), logged so
 * that a test can tell LISTEN/NOTIFY from the backstop poll without a clock. */
static void notify_if_changed(server_t *s, const char *how)
{
    int64_t v;
    if (cdb_licence_version(&s->db, &v) == 0 && v != s->licence_version) {
        s->licence_version = v;
        FW_LOGI("licences changed (version %lld, %s): notifying observers", (long long)v, how);
        coap_resource_notify_observers(s->licence_res, NULL);
    }
}

/* libcoap reads one datagram per socket event and then walks every session
 * (coap_io_prepare_io: 17% of the collector's CPU at 1,000 sessions, perf).
 * The collector's context has one socket, its endpoint: each event with a
 * socket is that one, and given k times it reads up to k datagrams before
 * the one walk. k follows the load (doubled while datagrams are left after
 * a batch, halved when the socket ran dry); a read that finds the socket
 * empty is harmless, and its two warnings are dropped (drop_eagain). */
static bool s_batch_read;

static bool drop_eagain(const char *message)
{
    return s_batch_read && (strstr(message, "Resource temporarily unavailable") != NULL ||
                            strstr(message, "read failed") != NULL);
}

#define BATCH_MAX 64

typedef struct {
    int epfd;
    int coap_fd;
    int ep_fd;     /* the endpoint's socket, -1 when not found */
    int notify_fd; /* PostgreSQL LISTEN socket in epfd, -1 if none */
    int batch;     /* k */
} loop_t;

static bool readable(int fd)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    return fd >= 0 && poll(&pf, 1, 0) > 0;
}

/* The LISTEN socket changes when the connection is made again. */
static void watch_notify(server_t *s, loop_t *lp)
{
    int fd = cdb_notify_fd(&s->db);
    if (fd == lp->notify_fd) {
        return;
    }
    if (lp->notify_fd >= 0) {
        (void)epoll_ctl(lp->epfd, EPOLL_CTL_DEL, lp->notify_fd, NULL);
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    lp->notify_fd = (fd >= 0 && epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) ? fd : -1;
}

/* Read what libcoap has waiting, DRAIN_MAX datagrams at most, then close
 * the group. */
static void drain(server_t *s, loop_t *lp)
{
    for (int i = 0; i < DRAIN_MAX;) {
        struct epoll_event ev[16], many[16 + BATCH_MAX];
        int n = epoll_wait(lp->coap_fd, ev, 16, 0);
        if (n <= 0) {
            break;
        }
        size_t m = 0;
        bool ep = false;
        for (int k = 0; k < n; k++) {
            int copies = (ev[k].data.ptr != NULL && lp->ep_fd >= 0 && !ep) ? lp->batch : 1;
            ep = ep || ev[k].data.ptr != NULL;
            for (int c = 0; c < copies; c++) {
                many[m++] = ev[k];
            }
        }
        s_batch_read = true;
        coap_io_do_epoll(s->ctx, many, m);
        s_batch_read = false;
        i += (int)m;
        if (ep && lp->ep_fd >= 0) {
            if (readable(lp->ep_fd)) {
                lp->batch = lp->batch * 2 > BATCH_MAX ? BATCH_MAX : lp->batch * 2;
            } else {
                lp->batch = lp->batch > 1 ? lp->batch / 2 : 1;
            }
        }
    }
    ingest_flush(&s->ingest);
}

static int run_loop(server_t *s, int ep_fd)
{
    loop_t lp = {.epfd = epoll_create1(EPOLL_CLOEXEC),
                 .coap_fd = coap_context_get_coap_fd(s->ctx),
                 .ep_fd = ep_fd,
                 .notify_fd = -1,
                 .batch = 1};
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lp.coap_fd};
    if (lp.epfd < 0 || lp.coap_fd < 0 || epoll_ctl(lp.epfd, EPOLL_CTL_ADD, lp.coap_fd, &ev) != 0) {
        FW_LOGE("cannot wait on libcoap's sockets (epoll)");
        return CLI_FAIL;
    }
    ev.data.fd = s->ingest.wake_fd;
    (void)epoll_ctl(lp.epfd, EPOLL_CTL_ADD, s->ingest.wake_fd, &ev);
    bool listening = cdb_licence_listen(&s->db) == 0;
    /* SQLite: the version is polled every second; PostgreSQL notifies, and
     * the version is read again every 10 s in case a notification was lost
     * with a connection. */
    int64_t poll_every = cdb_notify_fd(&s->db) >= 0 ? 10000 : 1000;
    int64_t next_second = srv_mono_ms() + 1000, next_poll = srv_mono_ms() + poll_every;
    while (!s_stop) {
        coap_tick_t now;
        coap_ticks(&now);
        unsigned t = coap_io_prepare_epoll(s->ctx, now);
        int64_t until = next_second - srv_mono_ms();
        int wait = (int)(until < 0 ? 0 : until);
        if (t > 0 && (int)t < wait) {
            wait = (int)t;
        }
        struct epoll_event evs[4];
        int n = epoll_wait(lp.epfd, evs, 4, wait);
        if (n < 0 && errno != EINTR) {
            FW_LOGE("epoll_wait: %s", strerror(errno));
            return CLI_FAIL;
        }
        bool notified = false;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.fd == lp.notify_fd) {
                int k = cdb_notifications(&s->db);
                notified = notified || k > 0;
            }
        }
        drain(s, &lp);
        srv_answer_done(s);
        /* read with the results of this round's lookups, if any */
        notified = (lp.notify_fd >= 0 && cdb_notifications_queued(&s->db) > 0) || notified;
        int64_t ms = srv_mono_ms();
        if (ms >= next_second) {
            next_second = ms + 1000;
            srv_db_probe(s);
            if (!listening && !s->db_down) {
                listening = cdb_licence_listen(&s->db) == 0;
            }
            watch_notify(s, &lp);
        }
        if (notified || ms >= next_poll) {
            next_poll = ms + poll_every;
            notify_if_changed(s, notified ? "database notification" : "poll");
        }
    }
    close(lp.epfd);
    return CLI_OK;
}

/* libcoap keeps its endpoint's socket to itself: find it by its address. */
static int endpoint_fd(const coap_address_t *addr)
{
    for (int fd = 3; fd < 1024; fd++) {
        int type = 0;
        socklen_t tl = sizeof type;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_DGRAM &&
            getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && sl == addr->size &&
            memcmp(&ss, &addr->addr, sl) == 0) {
            return fd;
        }
    }
    return -1;
}

/* A fleet reconnecting, or a thousand rooms answered at once, sends more
 * datagrams in a burst than the kernel's default receive buffer (208 KiB)
 * holds: the rest are dropped and wait for their CoAP retransmission (2-3 s
 * later). Ask for RCVBUF_BYTES (above net.core.rmem_max only as root). */
#define RCVBUF_BYTES (8 * 1024 * 1024)

static void widen_receive_buffer(int fd)
{
    int want = RCVBUF_BYTES, got = 0;
    socklen_t gl = sizeof got;
    if (fd < 0) {
        FW_LOGW("cannot find the endpoint's socket: receive buffer left as it is");
        return;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    }
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0) {
        FW_LOGD("receive buffer %d KiB", got / 1024);
    }
}

static int serve(server_t *s, const coap_address_t *addr, const char *listen, unsigned max_hs,
                 unsigned max_sessions)
{
    s->ctx = coap_new_context(NULL);
    if (s->ctx == NULL) {
        FW_LOGE("cannot create the CoAP context");
        return CLI_FAIL;
    }
    coap_set_app_data(s->ctx, s);
    coap_context_set_block_mode(s->ctx, COAP_BLOCK_USE_LIBCOAP);
    coap_context_set_max_handshake_sessions(s->ctx, max_hs);
    coap_context_set_max_idle_sessions(s->ctx, max_sessions);
    coap_register_event_handler(s->ctx, srv_on_event);
    if (link_coap_listen_psk(s->ctx, addr, srv_psk_for_identity, s) != 0) {
        FW_LOGE("cannot listen on %s (DTLS)", listen);
        return CLI_FAIL;
    }
    int ep_fd = endpoint_fd(addr);
    widen_receive_buffer(ep_fd);
    link_coap_log_filter(drop_eagain);
    add_resource(s->ctx, "v1/prov", COAP_REQUEST_POST, srv_hnd_prov);
    add_resource(s->ctx, "v1/usage", COAP_REQUEST_POST, srv_hnd_usage);
    add_resource(s->ctx, "v1/events", COAP_REQUEST_POST, srv_hnd_events);
    s->licence_res = add_resource(s->ctx, "v1/licence", COAP_REQUEST_GET, srv_hnd_licence);
    if (s->licence_res == NULL) {
        return CLI_FAIL;
    }
    coap_resource_set_get_observable(s->licence_res, 1);
    (void)cdb_licence_version(&s->db, &s->licence_version);

    FW_LOGI("listening on %s (DTLS-PSK), database %s%s", listen, s->db.where,
            collector_now_simulated() ? ", on the simulated clock (log times are simulated)" : "");
    int rc = run_loop(s, ep_fd);
    FW_LOGI("stopping: %llu request(s) stored in %llu group commit(s) (largest %zu, %.1f s "
            "writing) and answered separately, %llu stored alone and answered in the ACK",
            (unsigned long long)s->separate, (unsigned long long)s->ingest.groups,
            s->ingest.largest, s->ingest.write_s, (unsigned long long)s->piggybacked);
    return rc;
}

static int parse_uint(const char *opt, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end != '\0' || v[0] < '0' || v[0] > '9' || n < min || n > max) {
        fprintf(stderr, "spark-collector serve: %s: expected %lu to %lu\n", opt, min, max);
        return CLI_USAGE;
    }
    *out = n;
    return 0;
}

int collector_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"licence-key", required_argument, NULL, 'k'},
        {"clock-start", required_argument, NULL, 's'},
        {"clock-rate", required_argument, NULL, 's'},
        {"clock-anchor", required_argument, NULL, 's'},
        {"test-refuse-id", required_argument, NULL, 't'},
        {"ack", required_argument, NULL, 'a'},
        {"group-wait-ms", required_argument, NULL, 'w'},
        {"group-max", required_argument, NULL, 'g'},
        {"retry-after", required_argument, NULL, 'R'},
        {"max-sessions", required_argument, NULL, 'S'},
        {"max-handshakes", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *listen = NULL, *keyfile = NULL;
    uint64_t refuse_id = 0;
    ack_mode_t ack = ACK_AUTO;
    unsigned long wait_ms = DEFAULT_GROUP_WAIT_MS, group_max = DEFAULT_GROUP_MAX;
    unsigned long retry_after = DEFAULT_RETRY_AFTER_S, max_sessions = DEFAULT_MAX_SESSIONS;
    unsigned long max_hs = DEFAULT_MAX_HANDSHAKES;
    int c, at = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, &at)) != -1) {
        char *end;
        int bad = 0;
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': listen = optarg; break;
        case 'k': keyfile = optarg; break;
        case 's':
            if (collector_now_option("serve", opts[at].name, optarg) != CLI_OK) {
                return CLI_USAGE;
            }
            break;
        case 't':
            errno = 0;
            refuse_id = strtoull(optarg, &end, 10);
            if (errno || *end != '\0' || optarg[0] < '1' || optarg[0] > '9' ||
                refuse_id > COLLECTOR_ID_MAX) {
                fprintf(stderr, "spark-collector serve: --test-refuse-id: expected a record id "
                                "from 1 to 9007199254740991\n");
                return CLI_USAGE;
            }
            break;
        case 'a':
            if (strcmp(optarg, "auto") == 0) {
                ack = ACK_AUTO;
            } else if (strcmp(optarg, "separate") == 0) {
                ack = ACK_SEPARATE;
            } else if (strcmp(optarg, "piggyback") == 0) {
                ack = ACK_PIGGYBACK;
            } else {
                fprintf(stderr, "spark-collector serve: --ack: expected auto, separate or "
                                "piggyback\n");
                return CLI_USAGE;
            }
            break;
        case 'w': bad = parse_uint("--group-wait-ms", optarg, 0, 1000, &wait_ms); break;
        case 'g': bad = parse_uint("--group-max", optarg, 1, 100000, &group_max); break;
        case 'R': bad = parse_uint("--retry-after", optarg, 1, 3600, &retry_after); break;
        case 'S': bad = parse_uint("--max-sessions", optarg, 1, 1000000, &max_sessions); break;
        case 'H': bad = parse_uint("--max-handshakes", optarg, 1, 100000, &max_hs); break;
        case 'h': usage_serve(stdout); return CLI_OK;
        default: usage_serve(stderr); return CLI_USAGE;
        }
        if (bad) {
            return bad;
        }
    }
    if (db == NULL || listen == NULL || keyfile == NULL || optind != argc) {
        fprintf(stderr, "spark-collector serve: --db, --listen and --licence-key are required\n");
        usage_serve(stderr);
        return CLI_USAGE;
    }
    static server_t s; /* holds the licence key; static keeps it off the stack */
    memset(&s, 0, sizeof s);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s.refuse_id = refuse_id;
    s.ack = ack;
    s.retry_after_s = (unsigned)retry_after;
    s.rng = (uint32_t)t0.tv_nsec ^ (uint32_t)getpid();
    collector_now_start();
    coap_address_t addr;
    if (link_coap_parse_listen(listen, &addr) != 0) {
        fprintf(stderr, "spark-collector serve: --listen: expected ADDR:PORT, e.g. "
                        "127.0.0.1:5684 or [::1]:5684\n");
        return CLI_USAGE;
    }
    size_t klen;
    uint8_t *pem = NULL;
    int rc = fw_file_read(keyfile, LICENCE_PEM_MAX, &pem, &klen);
    if (rc != 0) {
        fprintf(stderr, "spark-collector: cannot read licence key '%s': %s\n", keyfile,
                fw_file_error(rc));
        return CLI_USAGE;
    }
    rc = licence_key_load(&s.key, (const char *)pem, klen + 1);
    if (rc != 0) {
        rc = licence_key_load(&s.key, (const char *)pem, klen); /* DER: no terminator */
    }
    fw_zeroize(pem, klen);
    free(pem);
    if (rc != 0) {
        fprintf(stderr, "spark-collector serve: --licence-key: not a P-256 private key (%s)\n",
                fw_strerror(rc));
        licence_key_free(&s.key);
        return CLI_USAGE;
    }
    if (cdb_open(&s.db, db) != 0) {
        licence_key_free(&s.key);
        return cdb_dialect_of_uri(db) < 0 ? CLI_USAGE : CLI_FAIL;
    }
    if (ingest_start(&s.ingest, db, (uint32_t)wait_ms, group_max) != 0) {
        cdb_close(&s.db);
        licence_key_free(&s.key);
        return CLI_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f) makes a write fail (SQLite: full), as a
     * full disk does: 5.03, not a dead collector. */
    signal(SIGXFSZ, SIG_IGN);

    /* libcoap started as on the device: its log lines at warning level into
     * our log, tagged "libcoap" */
    int ret = link_coap_init() == 0
                  ? serve(&s, &addr, listen, (unsigned)max_hs, (unsigned)max_sessions)
                  : CLI_FAIL;
    srv_answer_list(&s, ingest_stop(&s.ingest)); /* not written: 5.03, sessions released */
    if (s.ctx != NULL) {
        coap_free_context(s.ctx);
    }
    coap_cleanup();
    while (srv_states != NULL) {
        srv_session_state_free(srv_states);
    }
    cdb_close(&s.db);
    licence_key_free(&s.key);
    return ret;
}
