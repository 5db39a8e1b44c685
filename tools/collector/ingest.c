/*
 * Group commit (ingest.h): one writer thread, its own connection, groups of
 * jobs stored in one transaction each.
 */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "fw/err.h"

#define FW_LOG_TAG "ingest"
#include "fw/log.h"

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void wake_io(ingest_t *g)
{
    uint64_t one = 1;
    ssize_t n = write(g->wake_fd, &one, sizeof one);
    (void)n; /* a full counter still wakes the loop */
}

/* Hand a list back to the I/O thread (under mu). */
static void put_done(ingest_t *g, ingest_job_t *list)
{
    while (list != NULL) {
        ingest_job_t *j = list;
        list = j->next;
        j->next = NULL;
        *g->done_tail = j;
        g->done_tail = &j->next;
    }
}

static void write_group(ingest_t *g, ingest_job_t *list, size_t n)
{
    cdb_item_t *items = malloc(n * sizeof *items);
    if (items == NULL) {
        for (ingest_job_t *j = list; j != NULL; j = j->next) {
            j->item.rc = FW_E_NOMEM;
            j->fail = CDB_FAIL_UNAVAILABLE;
            (void)snprintf(j->why, sizeof j->why, "out of memory");
        }
        return;
    }
    size_t i = 0;
    for (ingest_job_t *j = list; j != NULL; j = j->next) {
        items[i++] = j->item;
    }
    (void)cdb_store_group(&g->db, items, n);
    const char *msg;
    cdb_fail_t fail = cdb_failure(&g->db, &msg);
    i = 0;
    for (ingest_job_t *j = list; j != NULL; j = j->next) {
        j->item.rc = items[i++].rc;
        if (j->item.rc != 0) {
            j->fail = fail != CDB_FAIL_NONE ? fail : CDB_FAIL_OTHER;
            (void)snprintf(j->why, sizeof j->why, "%s", msg);
        }
    }
    free(items);
}

static void *writer(void *arg)
{
    ingest_t *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (g->in == NULL && !g->stop) {
            pthread_cond_wait(&g->cv, &g->mu);
        }
        if (g->stop) {
            break;
        }
        /* Let the group gather until the I/O thread has read what was
         * waiting, it is full, or its first job has waited wait_ms. */
        while (!g->flush && !g->stop && g->in_n < g->max_jobs) {
            int64_t left = g->first_ms + g->wait_ms - mono_ms();
            if (left <= 0) {
                break;
            }
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += (long)left * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            (void)pthread_cond_timedwait(&g->cv, &g->mu, &until);
        }
        /* Take at most max_jobs; the rest start the next group. */
        ingest_job_t *list = g->in, **cut = &g->in;
        size_t n = 0;
        while (*cut != NULL && n < g->max_jobs) {
            cut = &(*cut)->next;
            n++;
        }
        g->in = *cut;
        *cut = NULL;
        g->in_n -= n;
        if (g->in == NULL) {
            g->in_tail = &g->in;
        } else {
            g->first_ms = mono_ms();
        }
        g->flush = false;
        g->busy = true;
        pthread_mutex_unlock(&g->mu);

        int64_t t0 = mono_us();
        write_group(g, list, n);
        double took = (double)(mono_us() - t0) / 1e6;

        pthread_mutex_lock(&g->mu);
        g->write_s += took;
        g->busy = false;
        g->groups++;
        g->jobs += n;
        g->syncs_saved += n - 1;
        g->largest = n > g->largest ? n : g->largest;
        put_done(g, list);
        wake_io(g);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int ingest_start(ingest_t *g, const char *uri, uint32_t wait_ms, size_t max_jobs)
{
    memset(g, 0, sizeof *g);
    g->in_tail = &g->in;
    g->done_tail = &g->done;
    g->wait_ms = wait_ms;
    g->max_jobs = max_jobs > 0 ? max_jobs : 1;
    g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (g->wake_fd < 0) {
        FW_LOGE("eventfd: %s", strerror(errno));
        return FW_E_IO;
    }
    int rc = cdb_open(&g->db, uri);
    if (rc != 0) {
        close(g->wake_fd);
        return rc;
    }
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    if (pthread_create(&g->thread, NULL, writer, g) != 0) {
        FW_LOGE("cannot start the writer thread");
        cdb_close(&g->db);
        close(g->wake_fd);
        return FW_E_IO;
    }
    g->started = true;
    return 0;
}

ingest_job_t *ingest_stop(ingest_t *g)
{
    if (!g->started) {
        return NULL;
    }
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    /* Jobs never written: failed, so their sessions are released. */
    for (ingest_job_t *j = g->in; j != NULL; j = j->next) {
        j->item.rc = FW_E_IO;
        j->fail = CDB_FAIL_UNAVAILABLE;
        (void)snprintf(j->why, sizeof j->why, "collector stopping");
    }
    put_done(g, g->in);
    g->in = NULL;
    g->in_tail = &g->in;
    g->in_n = 0;
    ingest_job_t *left = g->done;
    g->done = NULL;
    g->done_tail = &g->done;
    cdb_close(&g->db);
    close(g->wake_fd);
    g->wake_fd = -1;
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    g->started = false;
    return left;
}

void ingest_submit(ingest_t *g, ingest_job_t *j)
{
    j->next = NULL;
    pthread_mutex_lock(&g->mu);
    if (g->in == NULL) {
        g->first_ms = mono_ms();
    }
    *g->in_tail = j;
    g->in_tail = &j->next;
    g->in_n++;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

void ingest_flush(ingest_t *g)
{
    pthread_mutex_lock(&g->mu);
    if (g->in != NULL) {
        g->flush = true;
        pthread_cond_signal(&g->cv);
    }
    pthread_mutex_unlock(&g->mu);
}

bool ingest_idle(ingest_t *g)
{
    pthread_mutex_lock(&g->mu);
    bool idle = g->in == NULL && !g->busy;
    pthread_mutex_unlock(&g->mu);
    return idle;
}

ingest_job_t *ingest_take_done(ingest_t *g)
{
    uint64_t count;
    ssize_t n = read(g->wake_fd, &count, sizeof count);
    (void)n; /* EAGAIN: nothing new, the list says so too */
    pthread_mutex_lock(&g->mu);
    ingest_job_t *list = g->done;
    g->done = NULL;
    g->done_tail = &g->done;
    pthread_mutex_unlock(&g->mu);
    return list;
}
