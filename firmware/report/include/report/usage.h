/*
 * report/usage.h - usage counters of one interval, and their accumulation.
 *
 * Pure: no HAL header, no clock, no I/O. Time (unix seconds, trusted time as
 * the agent computes it) comes in as arguments.
 *
 * Intervals are aligned to multiples of `interval_s` in unix time (hourly by
 * default: 10:00-11:00). A record that is a merge of several intervals
 * (report/queue.h, at the queue bound) spans from the first start to the last
 * end; its sums add and its people_peak is the maximum.
 */
#ifndef REPORT_USAGE_H
#define REPORT_USAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/wire.h"

#define REPORT_INTERVAL_DEFAULT_S 3600u
#define REPORT_INTERVAL_MIN_S 60u
#define REPORT_INTERVAL_MAX_S 86400u

/* The counters of one interval: proto/wire.h's PROTO_USAGE_FIELDS table
 * (its field order is also the order of a queue item on flash). */
typedef proto_usage_t report_usage_t;

/* dst := dst merged with src, field by field as the table says: sums add
 * (saturating at the field's max), people_peak is the max, start the min,
 * end the max. */
void report_usage_merge(report_usage_t *dst, const report_usage_t *src);

/* Field by field equality (never memcmp: the struct has padding). */
bool report_usage_equal(const report_usage_t *a, const report_usage_t *b);

/* True if every counter is zero (start/end are not looked at). */
bool report_usage_is_empty(const report_usage_t *u);

/* Start of the aligned interval that contains `t` (floor to a multiple). */
int64_t report_interval_floor(int64_t t, uint32_t interval_s);

/* Clamp a configured interval into [MIN, MAX]; 0 means the default. */
uint32_t report_interval_sanitize(uint32_t interval_s);

/* Open a fresh, empty interval that contains `now`. */
void report_usage_open(report_usage_t *u, int64_t now, uint32_t interval_s);

/* Counting. Each saturates instead of wrapping. */
void report_usage_call_ended(report_usage_t *u, uint32_t seconds);
void report_usage_call_blocked(report_usage_t *u);
void report_usage_call_emergency(report_usage_t *u); /* an allowed emergency call */
void report_usage_meeting(report_usage_t *u, uint32_t seconds);
void report_usage_share(report_usage_t *u, uint32_t seconds);
void report_usage_people(report_usage_t *u, uint32_t people_now);
void report_usage_uptime(report_usage_t *u, uint32_t seconds);

/* Has the open interval `u` ended at `now`? If so, *closed gets it and `u`
 * becomes the next, empty interval: the aligned one containing `now` (gaps
 * while the device was off produce no records). Returns true if an interval
 * closed. `now` earlier than u->start never closes anything. */
bool report_usage_roll(report_usage_t *u, int64_t now, uint32_t interval_s, report_usage_t *closed);

#endif /* REPORT_USAGE_H */
