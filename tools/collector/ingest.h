/*
 * ingest.h - group commit: the collector's writer thread.
 *
 * The I/O thread (server.c) parses and checks requests and hands the ones to
 * store here as jobs. The writer thread takes every job waiting as one
 * group, stores the group in one transaction with one sync on its own
 * database connection (cdb_store_group), and hands the jobs back, each with
 * its result; only then does the I/O thread answer them. So nothing is
 * acknowledged before it is on disk, and requests that arrive together share
 * a sync.
 *
 * A group closes when the I/O thread has read every datagram waiting
 * (ingest_flush), when its first job has waited `wait_ms`, or when it holds
 * `max_jobs`, whichever comes first; while the writer commits one group the
 * next one gathers.
 */
#ifndef COLLECTOR_INGEST_H
#define COLLECTOR_INGEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/payload.h"
#include "db.h"

typedef struct ingest_job {
    struct ingest_job *next;
    cdb_item_t item; /* item.body points into `body`; item.rc is the result */
    cdb_fail_t fail; /* when item.rc != 0: what kind of failure */
    char why[160];   /* and its message (for the log) */
    union {
        collector_prov_t prov;
        collector_usage_t usage;
        collector_events_t events;
    } body;
} ingest_job_t;

typedef struct {
    cdb_t db; /* the writer thread's connection */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ingest_job_t *in, **in_tail;
    size_t in_n;
    int64_t first_ms; /* when the oldest job in `in` arrived */
    bool flush, stop, busy, started;
    ingest_job_t *done, **done_tail;
    int wake_fd; /* eventfd: readable when jobs are done */
    uint32_t wait_ms;
    size_t max_jobs;
    /* figures (under mu) */
    uint64_t groups, jobs, syncs_saved;
    size_t largest;
    double write_s; /* time spent writing groups */
} ingest_t;

/* Open the writer's connection to `uri` and start the thread. */
int ingest_start(ingest_t *g, const char *uri, uint32_t wait_ms, size_t max_jobs);
/* Stop after the group being written. Returns the jobs not yet handed back
 * (those never written failed, FW_E_IO): the caller releases them. */
ingest_job_t *ingest_stop(ingest_t *g);

/* Queue a job (its item filled). Jobs are the caller's memory (embed
 * ingest_job_t first in a struct of its own): they come back through
 * ingest_take_done(). */
void ingest_submit(ingest_t *g, ingest_job_t *j);
/* The I/O thread has read what was waiting: close the group. */
void ingest_flush(ingest_t *g);
/* Nothing queued and no group being written. */
bool ingest_idle(ingest_t *g);
/* The jobs done since the last call (a list through ->next), oldest first. */
ingest_job_t *ingest_take_done(ingest_t *g);

#endif /* COLLECTOR_INGEST_H */
