/*
 * fleet.h - spark-fleetsim's parts: the options, the figures each worker
 * process sends its parent, and the worker (rooms.c).
 *
 * A room here is what the device's uplink is, without the rest of the
 * agent: the link's own state machine (link/link_sm.h: backoff with jitter,
 * timeouts, the next address after a failed handshake), its own PSK
 * identity, record ids 1, 2, 3, ... of one provisioning generation, bodies
 * made by the device's encoder (report/codec.h), and the device's reading of
 * the answer (report_parse_ack). Many rooms share one libcoap context per
 * process; a fleet is one or more processes.
 */
#ifndef FLEETSIM_FLEET_H
#define FLEETSIM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLEET_SERVERS_MAX 8
#define FLEET_HIST_BUCKETS 400 /* latency histogram: 5% steps from 1 us */

typedef struct {
    char host[64];
    uint16_t port;
} fleet_server_t;

typedef struct {
    fleet_server_t server[FLEET_SERVERS_MAX];
    unsigned n_servers;
    unsigned rooms, first, procs;
    char prefix[12];   /* serials: PREFIX + 7 digits */
    char key_seed[32]; /* PSK of a room: "fleetsim:" SEED ":" SERIAL */
    const char *key;   /* the same PSK for every room (coap-server-openssl) */
    const char *path;  /* /v1/usage */
    uint32_t gen;
    /* time */
    int64_t clock_start;   /* simulated unix s at the start */
    double clock_rate;     /* simulated seconds per real second */
    uint32_t interval_s;   /* simulated s between a room's reports */
    uint32_t duration_s;   /* simulated s of the run */
    unsigned requests;     /* closed loop: this many reports per room, at once (0: clocked) */
    double start_spread_s; /* real s over which the rooms start */
    double drain_s;        /* real s to get the last reports acknowledged */
    unsigned batch;        /* records per request at most */
    unsigned body_bytes;   /* pad bodies to about this size (0: as encoded) */
    /* the device's link settings */
    uint32_t ack_timeout_ms, connect_timeout_ms, idle_close_ms;
    uint8_t max_retransmit;
    bool storm;             /* every room's first handshake at once, no jitter */
    unsigned hs_window;     /* handshakes under way at once per process (0: no limit) */
    bool observe;           /* each room observes /v1/licence */
    const char *notify_log; /* notifications: "SERIAL\n" appended */
    uint32_t seed;
    double t0; /* the run's start, CLOCK_MONOTONIC s: one clock for all workers */
} fleet_opts_t;

/* Cumulative figures of one worker, sent to the parent as they grow. */
typedef struct {
    uint64_t generated;    /* records made (due by the simulated clock) */
    uint64_t acked;        /* records acknowledged (each once) */
    uint64_t requests;     /* requests sent (resends included) */
    uint64_t records_sent; /* records in them */
    uint64_t ok, busy, refused, timeouts, lost_sessions;
    uint64_t handshakes, connected, handshake_failures;
    uint64_t first_connected; /* rooms connected at least once */
    uint64_t notifications;
    double first_connect_s; /* real s from start until the last room's first session */
    double cpu_s;           /* user + system CPU of the worker */
    double first_answer_s;  /* real s from start to the first answer (0: none yet) */
    double active_s;        /* real s from start to the last answer */
    bool ready;             /* --requests: every room connected, waiting for the go */
    double go_s;            /* --requests: real s from start to the go */
    bool finished;
    uint32_t lat[FLEET_HIST_BUCKETS]; /* request -> answer */
    uint32_t hs[FLEET_HIST_BUCKETS];  /* handshake start -> connected */
} fleet_stats_t;

/* What each room ended with (the database check). */
typedef struct {
    uint32_t generated, acked;
} fleet_room_end_t;

void fleet_hist_add(uint32_t *h, double seconds);
void fleet_hist_merge(uint32_t *into, const uint32_t *h);
double fleet_hist_quantile(const uint32_t *h, double q); /* seconds; 0 when empty */

/* The serial and PSK of room number `n` (1-based). */
void fleet_serial(const fleet_opts_t *o, unsigned n, char *out, size_t cap);
void fleet_psk(const fleet_opts_t *o, const char *serial, char *out, size_t cap);
/* The calls counted in record `id` of room `n` (the check sums them). */
uint32_t fleet_calls(unsigned n, uint64_t id);

/* Run rooms first .. first+count-1 in this process until done; writes
 * fleet_stats_t snapshots to `fd` every ~250 ms and at the end, followed by
 * `count` fleet_room_end_t. With --requests the rooms connect first, then
 * wait for a byte on `go_fd` (every worker's rooms connected) before the
 * first report. Returns 0, or 1 when something could not start. */
int fleet_worker(const fleet_opts_t *o, unsigned first, unsigned count, int fd, int go_fd);

#endif /* FLEETSIM_FLEET_H */
