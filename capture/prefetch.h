/* prefetch.h - read a capture ahead in a second thread, in batches, behind the same pull interface as cap_next(). */
#ifndef SCSISCOPE_CAPTURE_PREFETCH_H
#define SCSISCOPE_CAPTURE_PREFETCH_H

#include "capture/capture.h"

/*
 * A front end that does real work per record (decoding, hashing,
 * rendering) can overlap it with reading: cap_prefetch_start() hands the
 * capture to a reader thread that copies records (and their bytes) into
 * batches; cap_prefetch_next() hands them out in file order with exactly
 * cap_next()'s contract (1 record, 0 clean end, -1 error with the same
 * struct error, everything before the damage delivered first; records
 * valid until the next call).  Memory is bounded: PREFETCH_BATCHES batches
 * of about PREFETCH_BATCH_BYTES each (one record larger than that gets a
 * batch of its own size, at most CAP_MAX_RECORD).
 *
 * The capture belongs to the reader thread between start and stop: do not
 * call cap_next() or the counters on it until cap_prefetch_stop() returned.
 */
#define PREFETCH_BATCHES 4
#define PREFETCH_BATCH_BYTES (2u << 20)
#define PREFETCH_BATCH_RECORDS 4096

struct cap_prefetch;

/* Returns 0, or -1 with err set (thread creation failed, out of memory). */
int cap_prefetch_start(struct cap *c, struct cap_prefetch **out, struct error *err);
int cap_prefetch_next(struct cap_prefetch *p, struct cap_record *rec, struct error *err);
/* cap_offset() of the capture after the records handed out so far (to
 * the end of the batch the last one came from): the consumer's progress. */
uint64_t cap_prefetch_offset(const struct cap_prefetch *p);
/* Stop the reader (wherever it is) and free everything; the capture is the
 * caller's again.  NULL is fine. */
void cap_prefetch_stop(struct cap_prefetch *p);

#endif
