/*
 * proto/json.h - JSON bodies from the tables of proto/wire.h: one writer and
 * one reader, used by the device (report/codec.h) and the collector
 * (collector/payload.h) alike, so both spell and bound every field the same.
 *
 * The writer prints into the caller's buffer (no heap, exact 64-bit
 * integers) and stops cleanly when it is full. The reader takes a cJSON
 * object and is strict: every member of the table is present once (unless
 * optional), of its type and inside its range; a member given twice is
 * refused; members it does not know are ignored.
 */
#ifndef PROTO_JSON_H
#define PROTO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proto/wire.h"

typedef struct {
    char *buf;
    size_t cap, len;
    unsigned n;    /* elements appended (batch writers) */
    bool overflow; /* sticky: something did not fit */
} proto_writer_t;

void proto_writer_init(proto_writer_t *w, char *buf, size_t cap);
void proto_w_printf(proto_writer_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string; escapes quotes, backslashes and control bytes. */
void proto_w_string(proto_writer_t *w, const char *s);
/* "name":value for every field of `r` in `obj`, comma separated, with a
 * leading comma if `comma`. Fields flagged PROTO_F_NONZERO are left out
 * when 0. */
void proto_w_fields(proto_writer_t *w, const proto_record_t *r, const void *obj, bool comma);
/* A whole object of `r`: {"name":value,...}. */
void proto_w_object(proto_writer_t *w, const proto_record_t *r, const void *obj);
/* The same, one member a line as people read files (and as cJSON_Print
 * writes them): {\n\t"name":\tvalue,\n...\n}. */
void proto_w_object_lines(proto_writer_t *w, const proto_record_t *r, const void *obj);

/* Parse `len` bytes (need not be NUL-terminated, at most PROTO_BODY_MAX)
 * into an object, refusing what cJSON would silently misread: NUL bytes and
 * \u0000 escapes (cJSON cuts strings there). 0 and *out (cJSON_Delete it),
 * or FW_E_FORMAT / FW_E_TOOBIG with the reason in `why`. */
int proto_json_parse_object(const char *json, size_t len, cJSON **out, char *why, size_t why_cap);
/* The same for a file or record: `what` instead of "body" in the reasons. */
int proto_json_parse_named(const char *json, size_t len, const char *what, cJSON **out, char *why,
                           size_t why_cap);
/* A whole record of `r` as JSON into buf[cap] (`lines`: one member a line,
 * proto_w_object_lines), once proto_record_validate() holds. 0 and `*len`
 * (no terminator counted); FW_E_INVAL with the field named in `why`;
 * FW_E_NOSPACE. */
int proto_json_encode_record(const proto_record_t *r, const void *obj, bool lines, char *buf,
                             size_t cap, size_t *len, char *why, size_t why_cap);
/* Parse `len` bytes and read every field of `r` into `obj` (`size` bytes,
 * zeroed first); the text of secret fields is wiped in cJSON's copies.
 * 0, or FW_E_FORMAT naming the first bad member ("record: ..." when it is not
 * an object at all). */
int proto_json_decode_record(const proto_record_t *r, const char *buf, size_t len, void *obj,
                             size_t size, char *why, size_t why_cap);

/* Field `f` of `obj` as a member of `o` (for a tool's --json output):
 * strings, numbers (integers and times), true/false. Hex fields are not
 * added (they are keys: a tool shows a fingerprint); false then. */
bool proto_json_add_field(cJSON *o, const proto_field_t *f, const void *obj);
/* cJSON_Delete(o) after wiping the text of every member that is a secret
 * field of `r` (PROTO_F_SECRET): cJSON keeps its own copies of strings. */
void proto_json_delete_wiped(cJSON *o, const proto_record_t *r);

/* The member `name` of `o`, exactly once. 0 with *item (NULL if absent and
 * `optional`), or FW_E_FORMAT: "<ctx><name>: missing" / "given more than once". */
int proto_json_member(const cJSON *o, const char *ctx, const char *name, bool optional,
                      const cJSON **item, char *why, size_t why_cap);

/* Read one field into `obj`. Absent optional fields are left as they are. */
int proto_json_read_field(const cJSON *o, const proto_field_t *f, void *obj, const char *ctx,
                          char *why, size_t why_cap);
/* Read every field of `r` into `obj` (absent optional fields keep what
 * `obj` holds: zero it first), then the record's own rule. `ctx` prefixes the field name in `why`
 * ("records[3]."). 0 or FW_E_FORMAT. */
int proto_json_read(const cJSON *o, const proto_record_t *r, void *obj, const char *ctx, char *why,
                    size_t why_cap);

#endif /* PROTO_JSON_H */
