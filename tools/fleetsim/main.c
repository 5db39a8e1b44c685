/*
 * spark-fleetsim - N simulated rooms reporting to one or more collectors
 * (docs/SCALING.md): one or more worker processes (rooms.c), a simulated
 * clock shared by all of them, jittered starts, progress while it runs, and
 * at the end what was sent, acknowledged, lost and duplicated, checked
 * against the collector's database (--db). Also the load generator of the
 * collector benchmarks (--requests: every room sends that many reports as
 * fast as its answers come).
 *
 * Exit status: 0 every record acknowledged (and, with --db, stored exactly
 * once), 1 otherwise, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "fleet.h"
#include "fw/err.h"
#include "fw/hex.h"
#include "fw/iso8601.h"
#include "hal/log.h"
#include "proto/provisioning.h"

#define PROCS_MAX 64
#define ROOMS_MAX 1000000u
#define ENROLL_CHUNK 1000u

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- the host tool's log sink (hal/log.h) ---------------------------------------- */

static hal_log_level_t s_threshold = HAL_LOG_WARN;

hal_log_level_t hal_log_threshold(void)
{
    return s_threshold;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char lv[] = "EWID";
    fprintf(stderr, "%c %s: %s\n", lv[(unsigned)level < 4 ? level : 3], tag, msg);
}

/* ---- shared by the workers (fleet.h) ---------------------------------------------- */

void fleet_hist_add(uint32_t *h, double seconds)
{
    double us = seconds * 1e6;
    int b = us <= 1 ? 0 : (int)(log(us) / log(1.05));
    h[b < 0 ? 0 : b >= FLEET_HIST_BUCKETS ? FLEET_HIST_BUCKETS - 1 : b]++;
}

void fleet_hist_merge(uint32_t *into, const uint32_t *h)
{
    for (int i = 0; i < FLEET_HIST_BUCKETS; i++) {
        into[i] += h[i];
    }
}

double fleet_hist_quantile(const uint32_t *h, double q)
{
    uint64_t total = 0;
    for (int i = 0; i < FLEET_HIST_BUCKETS; i++) {
        total += h[i];
    }
    if (total == 0) {
        return 0;
    }
    uint64_t want = (uint64_t)(q * (double)total), seen = 0;
    for (int i = 0; i < FLEET_HIST_BUCKETS; i++) {
        seen += h[i];
        if (seen > want) {
            return pow(1.05, i + 0.5) / 1e6; /* the bucket's middle */
        }
    }
    return pow(1.05, FLEET_HIST_BUCKETS) / 1e6;
}

void fleet_serial(const fleet_opts_t *o, unsigned n, char *out, size_t cap)
{
    (void)snprintf(out, cap, "%s%07u", o->prefix, n);
}

void fleet_psk(const fleet_opts_t *o, const char *serial, char *out, size_t cap)
{
    (void)snprintf(out, cap, "fleetsim:%s:%s", o->key_seed, serial);
}

uint32_t fleet_calls(unsigned n, uint64_t id)
{
    return (uint32_t)((n * 3u + id * 5u) % 7u);
}

/* ---- options ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: spark-fleetsim --server HOST:PORT[,HOST:PORT...] --rooms N [options]\n"
        "rooms:\n"
        "  --rooms N            simulated rooms (serials PREFIX0000001 ...)\n"
        "  --first K            number of the first room (default 1)\n"
        "  --procs P            worker processes (default 1)\n"
        "  --prefix P           serial prefix, 2-8 letters/digits (default SIM)\n"
        "  --key-seed S         each room's PSK is \"fleetsim:S:SERIAL\" (default fleet)\n"
        "  --key K              one PSK for every room (a server that is not ours)\n"
        "  --gen G              provisioning generation of the records (default 1)\n"
        "time (simulated clock = start + elapsed real time x rate):\n"
        "  --clock-start T      ISO 8601 or now (default 2026-12-01T00:00:00Z)\n"
        "  --clock-rate R       simulated seconds per real second (default 1)\n"
        "  --interval S         simulated seconds between a room's reports (default 3600)\n"
        "  --duration S         simulated seconds of the run (default 86400)\n"
        "  --start-spread S     real seconds over which the rooms start (default 0)\n"
        "  --drain S            real seconds after the end to get the last answers (default 120)\n"
        "  --requests R         instead: R reports per room, each sent when the last is\n"
        "                       answered (the benchmark's closed loop); the rooms connect\n"
        "                       first and all start reporting at once\n"
        "reports:\n"
        "  --path P             default /v1/usage; --batch B records per request (default 16)\n"
        "  --body-bytes B       pad bodies to about B bytes\n"
        "the device's link: --ack-timeout-ms N (default 2000), --max-retransmit N (4),\n"
        "  --connect-timeout-ms N (20000), --idle-close-ms N (20000)\n"
        "  --storm              every room's first handshake at once, no device jitter\n"
        "  --handshake-window W at most W handshakes under way per process (default: no\n"
        "                       limit; the benchmark uses 50)\n"
        "  --observe            each room observes /v1/licence (--notify-log FILE: one\n"
        "                       line per notification, the room's serial)\n"
        "database (the collector's URI: sqlite:FILE, FILE or postgresql://...):\n"
        "  --db URI             check at the end: every record stored exactly once\n"
        "  --enroll             enroll the rooms first (and give each a trial licence\n"
        "                       with --observe)\n"
        "  --quiet              no progress; --report-every S: a progress line every S\n"
        "                       seconds when not on a terminal (default 10)\n"
        "exit status: 0 every record acknowledged (and stored exactly once with --db),\n"
        "1 otherwise, 2 bad usage\n");
}

static int bad(const char *what)
{
    fprintf(stderr, "spark-fleetsim: %s\n", what);
    return EXIT_USAGE;
}

static int num(const char *opt, const char *v, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || *end != '\0' || v[0] == '\0' || !(d >= min && d <= max)) {
        fprintf(stderr, "spark-fleetsim: %s: expected a number from %g to %g\n", opt, min, max);
        return EXIT_USAGE;
    }
    *out = d;
    return 0;
}

static int parse_servers(fleet_opts_t *o, const char *spec)
{
    char buf[512];
    (void)snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        if (o->n_servers >= FLEET_SERVERS_MAX) {
            return bad("--server: at most 8 collectors");
        }
        char *colon = strrchr(t, ':');
        char *end;
        long port = colon != NULL ? strtol(colon + 1, &end, 10) : 0;
        if (colon == NULL || colon == t || *end != '\0' || port < 1 || port > 65535 ||
            (size_t)(colon - t) >= sizeof o->server[0].host) {
            return bad("--server: expected HOST:PORT[,HOST:PORT...]");
        }
        fleet_server_t *s = &o->server[o->n_servers++];
        *colon = '\0';
        const char *host = t;
        size_t hl = strlen(host);
        if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
            host++;
            t[hl - 1] = '\0';
        }
        (void)snprintf(s->host, sizeof s->host, "%s", host);
        s->port = (uint16_t)port;
    }
    return o->n_servers > 0 ? 0 : bad("--server: expected HOST:PORT");
}

typedef struct {
    fleet_opts_t o;
    const char *db;
    bool enroll, quiet;
    double report_every;
} cli_t;

static int parse(cli_t *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"server", required_argument, NULL, 's'},
        {"rooms", required_argument, NULL, 'n'},
        {"first", required_argument, NULL, 'f'},
        {"procs", required_argument, NULL, 'P'},
        {"prefix", required_argument, NULL, 'x'},
        {"key-seed", required_argument, NULL, 'K'},
        {"key", required_argument, NULL, 'k'},
        {"gen", required_argument, NULL, 'g'},
        {"clock-start", required_argument, NULL, 'c'},
        {"clock-rate", required_argument, NULL, 'r'},
        {"interval", required_argument, NULL, 'i'},
        {"duration", required_argument, NULL, 'd'},
        {"start-spread", required_argument, NULL, 'S'},
        {"drain", required_argument, NULL, 'D'},
        {"requests", required_argument, NULL, 'R'},
        {"path", required_argument, NULL, 'p'},
        {"batch", required_argument, NULL, 'b'},
        {"body-bytes", required_argument, NULL, 'B'},
        {"ack-timeout-ms", required_argument, NULL, 'a'},
        {"max-retransmit", required_argument, NULL, 'm'},
        {"connect-timeout-ms", required_argument, NULL, 'C'},
        {"idle-close-ms", required_argument, NULL, 'I'},
        {"storm", no_argument, NULL, 'T'},
        {"handshake-window", required_argument, NULL, 'W'},
        {"observe", no_argument, NULL, 'O'},
        {"notify-log", required_argument, NULL, 'L'},
        {"db", required_argument, NULL, 'y'},
        {"enroll", no_argument, NULL, 'e'},
        {"quiet", no_argument, NULL, 'q'},
        {"report-every", required_argument, NULL, 'E'},
        {"seed", required_argument, NULL, 'z'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    fleet_opts_t *o = &c->o;
    memset(c, 0, sizeof *c);
    (void)snprintf(o->prefix, sizeof o->prefix, "SIM");
    (void)snprintf(o->key_seed, sizeof o->key_seed, "fleet");
    o->path = "/v1/usage";
    o->first = 1;
    o->procs = 1;
    o->gen = 1;
    o->clock_start = INT64_C(1796083200); /* 2026-12-01T00:00:00Z */
    o->clock_rate = 1;
    o->interval_s = 3600;
    o->duration_s = 86400;
    o->drain_s = 120;
    o->batch = 16;
    o->ack_timeout_ms = 2000;
    o->max_retransmit = 4;
    o->connect_timeout_ms = 20000;
    o->idle_close_ms = 20000;
    o->seed = 1;
    c->report_every = 10;
    int ch;
    double v;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int rc = 0;
        const char *why = "";
        switch (ch) {
        case 's': rc = parse_servers(o, optarg); break;
        case 'n': rc = num("--rooms", optarg, 1, ROOMS_MAX, &v), o->rooms = (unsigned)v; break;
        case 'f': rc = num("--first", optarg, 1, 9000000, &v), o->first = (unsigned)v; break;
        case 'P': rc = num("--procs", optarg, 1, PROCS_MAX, &v), o->procs = (unsigned)v; break;
        case 'x':
            if (strlen(optarg) < 2 || strlen(optarg) > 8 ||
                strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(optarg)) {
                return bad("--prefix: 2 to 8 of A-Z 0-9 (serials are PREFIX + 7 digits)");
            }
            (void)snprintf(o->prefix, sizeof o->prefix, "%s", optarg);
            break;
        case 'K':
            if (strlen(optarg) < 1 || strlen(optarg) >= sizeof o->key_seed ||
                strchr(optarg, ':') != NULL) {
                return bad("--key-seed: 1 to 31 characters, no ':'");
            }
            (void)snprintf(o->key_seed, sizeof o->key_seed, "%s", optarg);
            break;
        case 'k':
            if (strlen(optarg) < PROTO_PSK_MIN || strlen(optarg) > PROTO_PSK_MAX) {
                return bad("--key: 16 to 64 characters");
            }
            o->key = optarg;
            break;
        case 'g': rc = num("--gen", optarg, 0, 4294967295.0, &v), o->gen = (uint32_t)v; break;
        case 'c':
            if (strcmp(optarg, "now") == 0) {
                o->clock_start = (int64_t)time(NULL);
            } else if (fw_iso8601_parse(optarg, &o->clock_start, &why) != 0) {
                fprintf(stderr, "spark-fleetsim: --clock-start '%s': %s\n", optarg, why);
                return EXIT_USAGE;
            }
            break;
        case 'r': rc = num("--clock-rate", optarg, 0.001, 1e6, &o->clock_rate); break;
        case 'i': rc = num("--interval", optarg, 1, 1e7, &v), o->interval_s = (uint32_t)v; break;
        case 'd': rc = num("--duration", optarg, 1, 1e9, &v), o->duration_s = (uint32_t)v; break;
        case 'S': rc = num("--start-spread", optarg, 0, 86400, &o->start_spread_s); break;
        case 'D': rc = num("--drain", optarg, 0, 86400, &o->drain_s); break;
        case 'R': rc = num("--requests", optarg, 1, 1e7, &v), o->requests = (unsigned)v; break;
        case 'p':
            if (optarg[0] != '/' || strlen(optarg) > 40) {
                return bad("--path: expected /a/path");
            }
            o->path = optarg;
            break;
        case 'b':
            rc = num("--batch", optarg, 1, PROTO_BATCH_MAX, &v), o->batch = (unsigned)v;
            break;
        case 'B': rc = num("--body-bytes", optarg, 0, 8000, &v), o->body_bytes = (unsigned)v; break;
        case 'a':
            rc = num("--ack-timeout-ms", optarg, 100, 60000, &v), o->ack_timeout_ms = (uint32_t)v;
            break;
        case 'm':
            rc = num("--max-retransmit", optarg, 0, 10, &v), o->max_retransmit = (uint8_t)v;
            break;
        case 'C':
            rc = num("--connect-timeout-ms", optarg, 100, 600000, &v);
            o->connect_timeout_ms = (uint32_t)v;
            break;
        case 'I':
            rc = num("--idle-close-ms", optarg, 100, 86400000, &v), o->idle_close_ms = (uint32_t)v;
            break;
        case 'T': o->storm = true; break;
        case 'W':
            rc = num("--handshake-window", optarg, 0, 1000000, &v), o->hs_window = (unsigned)v;
            break;
        case 'O': o->observe = true; break;
        case 'L': o->notify_log = optarg; break;
        case 'y': c->db = optarg; break;
        case 'e': c->enroll = true; break;
        case 'q': c->quiet = true; break;
        case 'E': rc = num("--report-every", optarg, 0.1, 3600, &c->report_every); break;
        case 'z': rc = num("--seed", optarg, 1, 4294967295.0, &v), o->seed = (uint32_t)v; break;
        case 'h': usage(stdout); exit(EXIT_OK);
        default: usage(stderr); return EXIT_USAGE;
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (optind != argc || (o->n_servers == 0 && !c->enroll) || o->rooms == 0) {
        usage(stderr);
        return bad("--server and --rooms are required (--enroll without --server: enroll only)");
    }
    if (c->enroll && c->db == NULL) {
        return bad("--enroll needs --db");
    }
    if (c->db != NULL && o->key != NULL) {
        return bad("--db checks our collector: not with --key (one PSK for all)");
    }
    if (o->procs > o->rooms) {
        o->procs = o->rooms;
    }
    if (o->first + o->rooms - 1 > 9999999u) {
        return bad("--first + --rooms: serials have 7 digits");
    }
    return 0;
}

/* ---- the database: enroll, check ---------------------------------------------------- */

static int enroll(const cli_t *c)
{
    const fleet_opts_t *o = &c->o;
    cdb_t db;
    if (cdb_open(&db, c->db) != 0) {
        return EXIT_FAIL;
    }
    cdb_device_t *d = calloc(ENROLL_CHUNK, sizeof *d);
    int rc = d != NULL ? 0 : FW_E_NOMEM;
    int64_t now = (int64_t)time(NULL);
    for (unsigned i = 0; rc == 0 && i < o->rooms; i += ENROLL_CHUNK) {
        unsigned n = o->rooms - i < ENROLL_CHUNK ? o->rooms - i : ENROLL_CHUNK;
        for (unsigned k = 0; k < n; k++) {
            cdb_device_t *x = &d[k];
            memset(x, 0, sizeof *x);
            fleet_serial(o, o->first + i + k, x->serial, sizeof x->serial);
            (void)snprintf(x->psk_identity, sizeof x->psk_identity, "%s", x->serial);
            char key[96];
            fleet_psk(o, x->serial, key, sizeof key);
            x->psk_len = strlen(key);
            memcpy(x->psk, key, x->psk_len);
            (void)snprintf(x->trial, sizeof x->trial, "D%07u",
                           1000000u + (o->first + i + k) % 9000000u);
            (void)snprintf(x->region, sizeof x->region, "US");
            (void)snprintf(x->model, sizeof x->model, "Spark Room Kit (simulated)");
        }
        rc = cdb_enroll_many(&db, d, n, now);
        for (unsigned k = 0; rc == 0 && o->observe && k < n; k++) {
            cdb_licence_change_t ch = {.set_exp = true, .trial_exp = o->clock_start + 60 * 86400};
            char why[160];
            rc = cdb_licence_change(&db, d[k].serial, &ch, now, why, sizeof why);
            if (rc != 0) {
                fprintf(stderr, "spark-fleetsim: licence for %s: %s\n", d[k].serial, why);
            }
        }
    }
    free(d);
    cdb_close(&db);
    if (rc != 0) {
        fprintf(stderr, "spark-fleetsim: enrolling failed (%s)\n", fw_strerror(rc));
        return EXIT_FAIL;
    }
    printf("enrolled %u rooms (%s%07u .. %s%07u)%s\n", o->rooms, o->prefix, o->first, o->prefix,
           o->first + o->rooms - 1, o->observe ? ", each with a trial licence" : "");
    fflush(stdout);
    return EXIT_OK;
}

typedef struct {
    const fleet_opts_t *o;
    const fleet_room_end_t *ends;
    uint64_t rooms, stored, lost, duplicated, acked_not_stored, mismatched;
    bool *seen;
} check_t;

static int check_row(void *arg, const cdb_fleet_row_t *row)
{
    check_t *k = arg;
    const fleet_opts_t *o = k->o;
    size_t plen = strlen(o->prefix);
    unsigned n = (unsigned)strtoul(row->serial + plen, NULL, 10);
    if (strlen(row->serial) != plen + 7 || n < o->first || n >= o->first + o->rooms) {
        return 0; /* another fleet's room */
    }
    const fleet_room_end_t *e = &k->ends[n - o->first];
    k->seen[n - o->first] = true;
    k->rooms++;
    k->stored += (uint64_t)row->rows;
    uint64_t expect = e->generated;
    uint64_t calls = 0;
    for (uint64_t id = 1; id <= expect; id++) {
        calls += fleet_calls(n, id);
    }
    if ((uint64_t)row->rows < expect) {
        k->lost += expect - (uint64_t)row->rows;
    } else if ((uint64_t)row->rows > expect) {
        k->duplicated += (uint64_t)row->rows - expect;
    }
    if ((uint64_t)row->rows < e->acked) {
        k->acked_not_stored += e->acked - (uint64_t)row->rows;
    }
    if (row->rows != row->ids || row->min_id != 1 || (uint64_t)row->max_id != expect ||
        (uint64_t)row->calls != calls) {
        k->mismatched++;
    }
    return 0;
}

static int check_db(const cli_t *c, const fleet_room_end_t *ends, check_t *k)
{
    cdb_t db;
    memset(k, 0, sizeof *k);
    k->o = &c->o;
    k->ends = ends;
    k->seen = calloc(c->o.rooms, sizeof *k->seen);
    if (k->seen == NULL || cdb_open(&db, c->db) != 0) {
        free(k->seen);
        return EXIT_FAIL;
    }
    int rc = cdb_fleet_usage(&db, c->o.prefix, c->o.gen, check_row, k);
    cdb_close(&db);
    for (unsigned i = 0; i < c->o.rooms; i++) {
        if (!k->seen[i]) {
            k->lost += ends[i].generated; /* nothing of this room stored */
            k->acked_not_stored += ends[i].acked;
            k->mismatched += ends[i].generated > 0;
        }
    }
    free(k->seen);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- workers and the parent ------------------------------------------------------------ */

typedef struct {
    pid_t pid;
    int fd;
    int go_fd; /* write end: one byte = start reporting (--requests) */
    unsigned first, count;
    fleet_stats_t st;
    size_t got; /* bytes of the unit being read */
    bool finished, ended;
    uint8_t buf[sizeof(fleet_stats_t)];
    fleet_room_end_t *ends;
    size_t ends_got;
} worker_t;

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read what a worker has written; false at end of file. */
static bool pump(worker_t *w)
{
    for (;;) {
        ssize_t n;
        if (!w->finished) {
            n = read(w->fd, w->buf + w->got, sizeof w->buf - w->got);
            if (n > 0) {
                w->got += (size_t)n;
                if (w->got == sizeof w->buf) {
                    memcpy(&w->st, w->buf, sizeof w->st);
                    w->got = 0;
                    w->finished = w->st.finished;
                }
                continue;
            }
        } else {
            size_t want = w->count * sizeof *w->ends;
            n = read(w->fd, (uint8_t *)w->ends + w->ends_got, want - w->ends_got);
            if (n > 0) {
                w->ends_got += (size_t)n;
                w->ended = w->ends_got == want;
                continue;
            }
        }
        if (n == 0) {
            return false;
        }
        return errno == EAGAIN || errno == EINTR;
    }
}

static void sum_stats(const worker_t *w, unsigned n, fleet_stats_t *t)
{
    memset(t, 0, sizeof *t);
    for (unsigned i = 0; i < n; i++) {
        const fleet_stats_t *s = &w[i].st;
        t->generated += s->generated;
        t->acked += s->acked;
        t->requests += s->requests;
        t->records_sent += s->records_sent;
        t->ok += s->ok;
        t->busy += s->busy;
        t->refused += s->refused;
        t->timeouts += s->timeouts;
        t->lost_sessions += s->lost_sessions;
        t->handshakes += s->handshakes;
        t->connected += s->connected;
        t->handshake_failures += s->handshake_failures;
        t->first_connected += s->first_connected;
        t->notifications += s->notifications;
        t->first_connect_s =
            s->first_connect_s > t->first_connect_s ? s->first_connect_s : t->first_connect_s;
        t->cpu_s += s->cpu_s;
        t->active_s = s->active_s > t->active_s ? s->active_s : t->active_s;
        if (s->first_answer_s > 0 &&
            (t->first_answer_s == 0 || s->first_answer_s < t->first_answer_s)) {
            t->first_answer_s = s->first_answer_s;
        }
        t->go_s = s->go_s > t->go_s ? s->go_s : t->go_s;
        fleet_hist_merge(t->lat, s->lat);
        fleet_hist_merge(t->hs, s->hs);
    }
}

static void progress(const cli_t *c, const fleet_stats_t *t, double now, double span, bool tty,
                     double rate)
{
    const fleet_opts_t *o = &c->o;
    double frac = span > 0 ? now / span : 0;
    frac = frac > 1 ? 1 : frac;
    char when[FW_ISO8601_LEN] = "";
    if (o->requests == 0) {
        fw_iso8601_format(o->clock_start + (int64_t)(now * o->clock_rate), when, sizeof when);
    }
    char line[256];
    (void)snprintf(line, sizeof line,
                   "%s%s acked %" PRIu64 "/%" PRIu64 "  %.0f rep/s  p50 %.1f ms p99 %.1f ms  hs "
                   "%" PRIu64 "/%u  5.03 %" PRIu64 "  timeouts %" PRIu64,
                   when[0] != '\0' ? "sim " : "", when, t->acked, t->generated, rate,
                   fleet_hist_quantile(t->lat, 0.5) * 1e3, fleet_hist_quantile(t->lat, 0.99) * 1e3,
                   t->first_connected, o->rooms, t->busy, t->timeouts);
    if (tty) {
        char bar[21];
        int k = (int)(frac * 20);
        for (int i = 0; i < 20; i++) {
            bar[i] = i < k ? '#' : '.';
        }
        bar[20] = '\0';
        fprintf(stderr, "\r[%s] %3.0f%% %s\033[K", bar, frac * 100, line);
    } else {
        fprintf(stderr, "%6.1f s  %s\n", now, line);
    }
    fflush(stderr);
}

static void report(const cli_t *c, const fleet_stats_t *t, double wall, const check_t *k)
{
    const fleet_opts_t *o = &c->o;
    printf("spark-fleetsim: %u room(s) in %u process(es), %u collector(s):", o->rooms, o->procs,
           o->n_servers);
    for (unsigned i = 0; i < o->n_servers; i++) {
        printf(" %s:%u", o->server[i].host, o->server[i].port);
    }
    printf("\n");
    if (o->requests == 0) {
        char when[FW_ISO8601_LEN];
        fw_iso8601_format(o->clock_start, when, sizeof when);
        printf("  simulated  %s + %u s at %gx (a report every %u s), %.1f s real\n", when,
               o->duration_s, o->clock_rate, o->interval_s, wall);
    } else {
        printf("  closed loop: %u report(s) per room, %.1f s real\n", o->requests, wall);
    }
    /* from the first answer to the last: the ramp of jittered starts is not
     * a figure of the server */
    double active = t->active_s - (t->go_s > 0 ? t->go_s : t->first_answer_s);
    active = active > 0 ? active : wall;
    printf("  requests   %" PRIu64 " sent: %" PRIu64 " answered 2.xx, %" PRIu64 " 5.03, %" PRIu64
           " refused, %" PRIu64 " timed out, %" PRIu64 " lost with a session\n",
           t->requests, t->ok, t->busy, t->refused, t->timeouts, t->lost_sessions);
    printf("  rate       %.1f reports/s (answered 2.xx from the first answer to the last, %.1f s);"
           " latency p50 %.2f ms, p99 "
           "%.2f ms\n",
           (double)t->ok / active, active, fleet_hist_quantile(t->lat, 0.5) * 1e3,
           fleet_hist_quantile(t->lat, 0.99) * 1e3);
    printf("  handshakes %" PRIu64 " started, %" PRIu64 " completed, %" PRIu64 " failed; %" PRIu64
           "/%u rooms connected, the last %.2f s after the start (handshake "
           "p50 %.1f ms, p99 %.1f ms)\n",
           t->handshakes, t->connected, t->handshake_failures, t->first_connected, o->rooms,
           t->first_connect_s, fleet_hist_quantile(t->hs, 0.5) * 1e3,
           fleet_hist_quantile(t->hs, 0.99) * 1e3);
    if (o->observe) {
        printf("  licence    %" PRIu64 " notification(s)\n", t->notifications);
    }
    printf("  generator  %.1f s CPU in %.1f s: %.0f%% of one core over %u process(es)\n", t->cpu_s,
           wall, wall > 0 ? 100.0 * t->cpu_s / wall : 0, o->procs);
    printf("  records    %" PRIu64 " made, %" PRIu64 " acknowledged, %" PRIu64
           " not acknowledged\n",
           t->generated, t->acked, t->generated - t->acked);
    if (k != NULL) {
        printf("  database   %" PRIu64 " stored for %" PRIu64 " room(s): %" PRIu64 " lost, %" PRIu64
               " duplicated, %" PRIu64 " acknowledged but not stored, %" PRIu64
               " room(s) whose rows differ from what was sent\n",
               k->stored, k->rooms, k->lost, k->duplicated, k->acked_not_stored, k->mismatched);
    }
    printf("result rooms=%u procs=%u requests=%" PRIu64 " ok=%" PRIu64 " busy=%" PRIu64
           " refused=%" PRIu64 " timeouts=%" PRIu64 " generated=%" PRIu64 " acked=%" PRIu64
           " reports_per_s=%.1f p50_ms=%.3f p99_ms=%.3f handshakes=%" PRIu64 " hs_ok=%" PRIu64
           " hs_fail=%" PRIu64 " connected_rooms=%" PRIu64 " all_connected_s=%.3f cpu_s=%.2f "
           "wall_s=%.2f notifications=%" PRIu64,
           o->rooms, o->procs, t->requests, t->ok, t->busy, t->refused, t->timeouts, t->generated,
           t->acked, (double)t->ok / active, fleet_hist_quantile(t->lat, 0.5) * 1e3,
           fleet_hist_quantile(t->lat, 0.99) * 1e3, t->handshakes, t->connected,
           t->handshake_failures, t->first_connected, t->first_connect_s, t->cpu_s, wall,
           t->notifications);
    if (k != NULL) {
        printf(" stored=%" PRIu64 " lost=%" PRIu64 " duplicated=%" PRIu64
               " acked_not_stored=%" PRIu64 " mismatched=%" PRIu64,
               k->stored, k->lost, k->duplicated, k->acked_not_stored, k->mismatched);
    }
    printf("\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    cli_t c;
    int rc = parse(&c, argc, argv);
    if (rc != 0) {
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);
    if (c.enroll && enroll(&c) != EXIT_OK) {
        return EXIT_FAIL;
    }
    if (c.o.n_servers == 0) {
        return EXIT_OK; /* enroll only */
    }
    fleet_opts_t *o = &c.o;
    worker_t *w = calloc(o->procs, sizeof *w);
    if (w == NULL) {
        return EXIT_FAIL;
    }
    o->t0 = mono_s() + 0.2; /* the workers start their clocks together */
    unsigned per = o->rooms / o->procs, extra = o->rooms % o->procs, next = o->first;
    for (unsigned i = 0; i < o->procs; i++) {
        int p[2], g[2];
        w[i].first = next;
        w[i].count = per + (i < extra ? 1 : 0);
        next += w[i].count;
        w[i].ends = calloc(w[i].count, sizeof *w[i].ends);
        if (w[i].ends == NULL || pipe(p) != 0 || pipe(g) != 0) {
            return EXIT_FAIL;
        }
        fflush(NULL);
        w[i].pid = fork();
        if (w[i].pid < 0) {
            perror("spark-fleetsim: fork");
            return EXIT_FAIL;
        }
        if (w[i].pid == 0) {
            close(p[0]);
            close(g[1]);
            _exit(fleet_worker(o, w[i].first, w[i].count, p[1], g[0]));
        }
        close(p[1]);
        close(g[0]);
        w[i].fd = p[0];
        w[i].go_fd = g[1];
        (void)fcntl(w[i].fd, F_SETFL, O_NONBLOCK);
    }
    bool tty = !c.quiet && isatty(STDERR_FILENO);
    double span = o->requests > 0 ? 0 : o->duration_s / o->clock_rate + o->start_spread_s;
    double next_line = mono_s() + (tty ? 0.25 : c.report_every);
    uint64_t last_ok = 0;
    double last_t = mono_s();
    unsigned open_fds = o->procs;
    bool went = o->requests == 0;
    fleet_stats_t t;
    while (open_fds > 0) {
        struct pollfd pf[PROCS_MAX];
        unsigned map[PROCS_MAX], np = 0;
        for (unsigned i = 0; i < o->procs; i++) {
            if (w[i].fd >= 0) {
                pf[np] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
                map[np++] = i;
            }
        }
        (void)poll(pf, np, 250);
        for (unsigned j = 0; j < np; j++) {
            if (pf[j].revents != 0 && !pump(&w[map[j]])) {
                close(w[map[j]].fd);
                w[map[j]].fd = -1;
                open_fds--;
            }
        }
        double now = mono_s();
        if (!went) {
            /* --requests: go when every worker's rooms are up (or after the
             * drain time: then without the rooms that could not connect) */
            unsigned ready = 0;
            for (unsigned i = 0; i < o->procs; i++) {
                ready += w[i].st.ready || w[i].fd < 0;
            }
            if (ready == o->procs || now - o->t0 > o->drain_s) {
                for (unsigned i = 0; i < o->procs; i++) {
                    ssize_t n = write(w[i].go_fd, "g", 1);
                    (void)n;
                }
                went = true;
            }
        }
        if (!c.quiet && now >= next_line) {
            sum_stats(w, o->procs, &t);
            double rate = (double)(t.ok - last_ok) / (now - last_t);
            last_ok = t.ok;
            last_t = now;
            progress(&c, &t, now - o->t0, span, tty, rate);
            next_line = now + (tty ? 0.25 : c.report_every);
        }
    }
    if (tty) {
        fprintf(stderr, "\n");
    }
    double wall = mono_s() - o->t0;
    int failed_workers = 0;
    for (unsigned i = 0; i < o->procs; i++) {
        int status = 0;
        (void)waitpid(w[i].pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !w[i].ended) {
            failed_workers++;
        }
    }
    sum_stats(w, o->procs, &t);
    fleet_room_end_t *ends = calloc(o->rooms, sizeof *ends);
    for (unsigned i = 0; ends != NULL && i < o->procs; i++) {
        memcpy(ends + (w[i].first - o->first), w[i].ends, w[i].count * sizeof *ends);
    }
    check_t k;
    bool checked = c.db != NULL && ends != NULL && check_db(&c, ends, &k) == EXIT_OK;
    report(&c, &t, wall, checked ? &k : NULL);
    bool ok = failed_workers == 0 && t.acked == t.generated && t.refused == 0 &&
              (c.db == NULL || (checked && k.lost == 0 && k.duplicated == 0 &&
                                k.acked_not_stored == 0 && k.mismatched == 0));
    if (failed_workers > 0) {
        fprintf(stderr, "spark-fleetsim: %d worker(s) failed\n", failed_workers);
    }
    printf("%s\n", ok ? "ok" : "FAILED");
    for (unsigned i = 0; i < o->procs; i++) {
        free(w[i].ends);
        close(w[i].go_fd);
    }
    free(w);
    free(ends);
    return ok ? EXIT_OK : EXIT_FAIL;
}
