/*
 * support/state.h - what support sees of a licence and of a room (pure).
 *
 * The one place that turns the trial engine's verdict (trial/timeline.h)
 * into the documents of proto/support.h: the licence view `trialctl
 * licence` prints, and the state document a room answers on its support
 * port (GET /support/state) with what only the device knows added. Both
 * come from the same code, so a room and trialctl say the same about the
 * same token at the same instant.
 */
#ifndef SUPPORT_STATE_H
#define SUPPORT_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/support.h"
#include "trial/claims.h"
#include "trial/timeline.h"

/* What last set the device's confirmed time (the order of
 * proto_time_sources[]). */
typedef enum {
    SUPPORT_TIME_COLLECTOR = 0, /* the collector's clock, heard in this run */
    SUPPORT_TIME_LICENCE,       /* an accepted licence's issue instant */
    SUPPORT_TIME_WALL_CLOCK,    /* the wall clock, agreeing with the mark */
    SUPPORT_TIME_STORED,        /* the mark kept in flash, continued since boot */
    SUPPORT_TIME_UNKNOWN,       /* never learnt (a fresh device) */
} support_time_source_t;

/* What the device knows besides the licence. Strings are copied (and cut
 * to the document's bounds); NULL reads as "". */
typedef struct {
    const char *serial, *model, *trial, *region, *fw_version; /* provisioning, build */
    const trial_claims_t *claims;                             /* the licence in force; NULL: none */
    const trial_view_t *view; /* its verdict at `now` (with claims) */
    bool calling_full;        /* the calling mode the device applies */
    int64_t now;              /* shown trusted time */
    int64_t confirmed;        /* confirmed time; < TRUSTED_TIME_KNOWN_MIN: never learnt */
    support_time_source_t time_source;
    int64_t last_report; /* the collector last acknowledged a report; 0: never */
    uint32_t queue_depth;
    const char *last_error; /* the last warning or error logged; NULL: none */
    int64_t last_error_at;
} support_facts_t;

/* The licence view of licence `c` with verdict `v` at instant `at` (the
 * device's members are left empty). */
void support_licence_view(const trial_claims_t *c, const trial_view_t *v, int64_t at,
                          proto_support_state_t *out);

/* The whole state document from `f`. */
void support_state_build(const support_facts_t *f, proto_support_state_t *out);

/* The device's answer to GET /support/state: the document of `f`
 * (support_state_build) encoded into buf[cap]. 0 and *len, or the
 * encoder's error with the reason in `why`. */
int support_state_document(const support_facts_t *f, char *buf, size_t cap, size_t *len, char *why,
                           size_t why_cap);

/* What the confirmed time rests on, most telling first: the collector's
 * clock (heard in this run), an accepted licence's issue instant (in this
 * run), the wall clock agreeing with the mark, the mark kept in flash. */
support_time_source_t support_time_source(bool collector, bool licence, bool wall_agrees);

/* The name of a time source ("collector", ...). */
const char *support_time_source_name(support_time_source_t s);

#endif /* SUPPORT_STATE_H */
