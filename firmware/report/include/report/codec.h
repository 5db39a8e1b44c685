/*
 * report/codec.h - the wire bodies (JSON, Content-Format 50) and the queue
 * items' bytes on flash. Pure: no HAL, no clock, no heap in the encoders.
 *
 * The bodies' fields are the tables of proto/wire.h (docs/FORMATS.md); this
 * module writes them from those tables and reads the collector's answers.
 *
 * Every decoder treats its input as hostile: lengths are bounded, numbers are
 * checked to be integral and in range, and any malformed input is an error
 * code, never a crash.
 */
#ifndef REPORT_CODEC_H
#define REPORT_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "proto/wire.h"
#include "report/usage.h"

/* The wire limits are proto/wire.h's; these names are the report module's. */
#define REPORT_BATCH_MAX PROTO_BATCH_MAX
#define REPORT_DETAIL_MAX PROTO_DETAIL_MAX
#define REPORT_ID_MAX ((uint64_t)PROTO_ID_MAX)
#define REPORT_TOKEN_MAX PROTO_TOKEN_MAX
#define REPORT_BODY_MAX PROTO_BODY_MAX /* largest body we build or read */
#define REPORT_ITEM_MAX 160u           /* largest queue item on flash */

/* Event kinds: proto/wire.h's table (REPORT_EV_* are its enumerators too). */
typedef proto_event_kind_t report_event_kind_t;

/* {t, kind, detail}: detail printable ASCII, NUL-terminated, may be empty. */
typedef proto_event_t report_event_t;

/* Wire name of an event kind ("notice", "calling_degraded", ...), NULL if
 * unknown; and back (FW_E_FORMAT if unknown). */
const char *report_event_kind_name(report_event_kind_t kind);
int report_event_kind_parse(const char *name, report_event_kind_t *out);

/* ---- queue items on flash ------------------------------------------------ */

typedef enum { REPORT_ITEM_USAGE = 1, REPORT_ITEM_EVENT = 2 } report_item_kind_t;

typedef struct {
    report_item_kind_t kind;
    uint64_t id;         /* wire id, 1..REPORT_ID_MAX */
    uint64_t cover_from; /* usage: lowest id merged into this one (== id if none) */
    report_usage_t usage;
    report_event_t event;
} report_item_t;

/* Fixed little-endian layout with a version byte. `*len` gets the length
 * (<= REPORT_ITEM_MAX). FW_E_INVAL for an item that does not validate. */
int report_item_encode(const report_item_t *it, uint8_t *buf, size_t cap, size_t *len);
/* FW_E_FORMAT for anything that is not exactly a valid item. */
int report_item_decode(const uint8_t *buf, size_t len, report_item_t *out);

/* ---- request bodies -------------------------------------------------------- */

/* The provisioning report (proto/wire.h: PROTO_PROV_REPORT_FIELDS). */
typedef proto_prov_report_t report_prov_t;

/* All encoders: JSON without terminator into buf; FW_E_NOSPACE if it does
 * not fit, FW_E_INVAL for a field outside its table's range. */
int report_encode_prov(const report_prov_t *p, char *buf, size_t cap, size_t *len);

/* An append-style writer, so batches can be built item by item from flash
 * and stop when the buffer is full. */
typedef proto_writer_t report_writer_t;

/* Start a batch body for `head` (serial and provisioning generation). */
void report_batch_open(report_writer_t *w, char *buf, size_t cap, const proto_batch_head_t *head,
                       bool usage /* true: "records", false: "events" */);
/* The same for generation 0 (devices provisioned before generations). */
void report_batch_begin(report_writer_t *w, char *buf, size_t cap, const char *serial, bool usage);
/* Append one element; returns 0, or FW_E_NOSPACE (w unchanged: the element
 * did not fit, finish with what is there). */
int report_batch_add_usage(report_writer_t *w, uint64_t id, const report_usage_t *u);
int report_batch_add_event(report_writer_t *w, uint64_t id, const report_event_t *e);
/* Close the array and object; *len gets the body length. FW_E_NOSPACE if
 * even the closing bytes do not fit, FW_E_INVAL if no element was added. */
int report_batch_end(report_writer_t *w, size_t *len);

/* Decode a usage body (tests, tools, fuzzing) with the same table reader
 * the collector uses. Up to `cap` records. */
int report_decode_usage_body(const char *buf, size_t len, char *serial, size_t serial_cap,
                             uint64_t *ids, report_usage_t *recs, size_t cap, size_t *n);

/* ---- responses ------------------------------------------------------------- */

typedef enum {
    REPORT_ACK_ALL = 1,  /* success without an "ack" member: all ids of the request */
    REPORT_ACK_LIST = 2, /* *n ids listed (possibly none) */
} report_ack_kind_t;

/* Interpret the body of a 2.01/2.04 answer to a usage/events POST.
 * - empty body, or a body that is not a JSON object, or one without "ack":
 *   REPORT_ACK_ALL (a conforming server that is not ours acknowledged the
 *   request as a whole);
 * - "ack" an array of integers in 1..REPORT_ID_MAX: REPORT_ACK_LIST with at
 *   most `cap` ids (extra ids are ignored: they cannot be ours);
 * - "ack" present but malformed (not an array, a non-integer element):
 *   FW_E_FORMAT, nothing is acknowledged (our collector is confused; retry).
 * Never reads beyond `len`. */
int report_parse_ack(const uint8_t *body, size_t len, uint64_t *ids, size_t cap, size_t *n,
                     report_ack_kind_t *kind);

/* "server_time" (integral unix seconds in [0, 2^53)) from any JSON response
 * body. 0 and *t set, or FW_E_NOENT. */
int report_parse_server_time(const uint8_t *body, size_t len, int64_t *t);

/* The server's reason in a refusal body ({"error": "..."}), made printable
 * ASCII and cut to fit `cap` (NUL-terminated). 0, or FW_E_NOENT if the body
 * names none. */
int report_parse_error(const uint8_t *body, size_t len, char *reason, size_t cap);

/* A 2.05 body of GET /v1/licence: "token" a string of 1..REPORT_TOKEN_MAX
 * printable bytes, copied NUL-terminated into `token` (cap bytes). 0, or
 * FW_E_NOENT for a body that carries no licence news. */
int report_parse_licence(const uint8_t *body, size_t len, char *token, size_t cap);

#endif /* REPORT_CODEC_H */
