/* summary.h - decode --summary: per device identity, command counts, errors, bytes and latency percentiles. */
#ifndef SCSISCOPE_REPORT_SUMMARY_H
#define SCSISCOPE_REPORT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/strbuf.h"

/*
 * Feed every transaction that should count (summary_add), then what the
 * decoder knows of each device (summary_device_info), then render as text
 * or one JSON object.
 *
 * Memory does not grow with the number of transactions: at most
 * SUMMARY_DEVICES_MAX devices, SUMMARY_LUNS_MAX LUNs and
 * SUMMARY_OPCODES_MAX distinct commands (opcode + service action) and
 * SUMMARY_ERRORS_MAX distinct errors per device are kept; what does not
 * fit is counted as such.  Latency percentiles per command are exact (the
 * nearest-rank percentile of the durations) while a command has run at
 * most SUMMARY_EXACT_MAX times; beyond that they come from a log-bucket
 * histogram of SUMMARY_HIST_SUB sub-buckets per power of two, and are then
 * within 1/(2 * SUMMARY_HIST_SUB) (1.6%) of the exact value.  The maximum
 * is always exact.  Only commands that ended with a status count toward
 * latency.
 */

#define SUMMARY_DEVICES_MAX 256
#define SUMMARY_LUNS_MAX 32
#define SUMMARY_OPCODES_MAX 128
#define SUMMARY_ERRORS_MAX 64
#define SUMMARY_EXACT_MAX 1024
#define SUMMARY_HIST_SUB 32

struct summary;

/* NULL only on allocation failure. */
struct summary *summary_new(void);
void summary_free(struct summary *s);

void summary_add(struct summary *s, const struct txn *t);

/* What the decoder knows of a device (decoder_device_at()); copied into the
 * device of that bus:device if a transaction of it was added (the summary
 * shows only devices with transactions, so filters apply to devices too). */
void summary_device_info(struct summary *s, const struct usb_device_info *info);

/* Devices in bus:device order. */
void summary_render_text(struct strbuf *sb, const struct summary *s);
/* One JSON object and '\n'; fields documented in the man page. */
void summary_render_json(struct strbuf *sb, const struct summary *s);

/* ---- latency percentiles, exposed for tests and other front ends ---- */

struct latency {
	uint64_t n;               /* durations recorded */
	uint64_t max;
	uint32_t nexact;          /* durations kept exactly (sorted) while n <= SUMMARY_EXACT_MAX */
	uint32_t cap;
	uint64_t *exact;          /* NULL once the histogram took over (or before the first) */
	uint64_t *hist;           /* histogram buckets, NULL while exact */
};

void latency_add(struct latency *l, uint64_t ns);
/* The p-th percentile (0 < p <= 100, nearest rank) in ns; 0 when empty. */
uint64_t latency_percentile(const struct latency *l, double p);
/* True while every percentile is exact. */
bool latency_exact(const struct latency *l);
void latency_release(struct latency *l);
/* ,"latency_ns":{"n":..,"p50":..,"p90":..,"p99":..,"max":..,"exact":..}
 * (or null when empty), appended after another member. */
void latency_json(struct strbuf *sb, const struct latency *l);

#endif
