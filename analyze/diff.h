/* diff.h - compare the normalized transaction sequences of two captures: alignment, hunks, summary (scsiscope diff). */
#ifndef SCSISCOPE_ANALYZE_DIFF_H
#define SCSISCOPE_ANALYZE_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/filter.h"
#include "analyze/normalize.h"
#include "capture/capture.h"
#include "util/error.h"
#include "util/strbuf.h"

/*
 * Each capture is decoded into its sequence of normalized transactions
 * (normalize.h), kept in memory: a struct norm_txn (112 bytes) per
 * transaction, plus its control transfers' text (at most 240 bytes each),
 * plus one byte of marks while comparing, and the hash sets that find
 * the keys only one side has (16 bytes per transaction, freed before the
 * alignment) - about 130 bytes per transaction and side, at most
 * DIFF_SEQ_MAX transactions a side (about 1 GB), beyond which loading
 * fails with a message that says to cut or filter.
 *
 * The sequences are aligned on the records' keys with Myers' O(ND)
 * algorithm in linear space (the middle-snake bisection, iterative, after
 * removing the common head and tail, and the transactions whose key the
 * other side does not have at all, which cannot align), so one extra
 * command is one insertion, not a cascade.  Its working memory is 12 bytes
 * per remaining transaction and two arrays of 2 * cost limit + 3 integers;
 * when a part of the two sequences needs more edits than the cost limit
 * (DIFF_COST_MIN .. DIFF_COST_MAX, sqrt(N + M) between), the bisection
 * takes the furthest point it reached instead of the optimal one (as GNU
 * diff and git do), so the time stays O((N + M) * limit) and the result is
 * a correct, possibly not minimal, diff (diff_stats.heuristic says so).
 *
 * After the alignment:
 *  - a removed and an added transaction that are the same command (the
 *    line up to the result: device, LUN, CDB or request) in the same
 *    block of changes are one change (status and sense changes are
 *    reported first);
 *  - a removed and an added transaction with the same line, near each
 *    other (DIFF_REORDER_WINDOW steps), at least one of which was in
 *    flight together with its neighbour (NORM_F_CONCURRENT), are the same
 *    command run in another order: counted, not a difference;
 *  - with data, aligned pairs whose payload both captures hold whole and
 *    whose hashes differ are a change;
 *  - with timing_pct, aligned pairs whose latency grew by more than that
 *    percentage and at least timing_floor_us are a latency regression.
 */

#define DIFF_SEQ_MAX (8u << 20)
#define DIFF_COST_MIN 256         /* the edit cost limit is the larger of this and sqrt(N + M), */
#define DIFF_COST_MAX 4096        /* at most this */
#define DIFF_REORDER_WINDOW 64

/* One capture's normalized transactions. */
struct diff_seq {
	struct norm_txn *r;
	uint64_t n, alloc;
	struct normalizer *norm;
	const char *name;         /* for the header lines */
	uint64_t frames;          /* records read */
};

/* ignore: NORM_* bits.  Returns 0, or -1 (out of memory). */
int diff_seq_init(struct diff_seq *s, const char *name, unsigned ignore);
void diff_seq_free(struct diff_seq *s);
/* Append one decoded transaction (the decoder's callback can call this).
 * Returns 0, or -1 when the sequence is full (DIFF_SEQ_MAX) or out of memory. */
int diff_seq_add(struct diff_seq *s, const struct txn *t);

/*
 * Decode the capture c into s: every transaction filter (may be NULL)
 * matches, in the decoder's order.  with_checks runs lint's per-transaction
 * checks first (needed when the filter tests findings).  Returns 0, or -1
 * with err set: a damaged capture (err names the file and frame; s holds
 * what came before), or too many transactions.
 */
int diff_seq_load(struct diff_seq *s, struct cap *c, const struct filter *filter, bool with_checks,
		  struct error *err);

struct diff_opts {
	unsigned context;         /* context lines around each hunk (3) */
	bool data;                /* compare payload hashes */
	double timing_pct;        /* > 0: report latency regressions beyond this percentage */
	uint32_t timing_floor_us; /* ... and at least this many microseconds (1000) */
	bool json;
	unsigned list_max;        /* changes listed per kind in the summary (20) */
};

void diff_opts_default(struct diff_opts *o);

struct diff_stats {
	uint64_t a_count, b_count;
	uint64_t removed, added;
	uint64_t changed;         /* command the same, result not */
	uint64_t status_changed;  /* of changed: the status or the sense differs */
	uint64_t data_changed;
	uint64_t timing_regressed;
	uint64_t reordered;       /* pairs run in another order while in flight together */
	uint64_t hunks;
	bool heuristic;           /* an alignment part took the heuristic split */
};

/* The alignment alone: set ca[i] / cb[j] (arrays of na / nb bytes, zeroed
 * by the caller) to nonzero for what does not align.  Returns 0, or -1
 * out of memory; *heuristic: the cost limit was reached somewhere. */
int diff_align_keys(const uint64_t *a, uint64_t na, const uint64_t *b, uint64_t nb, uint8_t *ca, uint8_t *cb,
		    bool *heuristic);

/* Compare a and b and write the result (hunks, then the summary) to out,
 * text or JSON lines (NULL: only the statistics).  Returns 0 when they are
 * the same, 1 when they differ, -1 out of memory. */
int diff_run(const struct diff_seq *a, const struct diff_seq *b, const struct diff_opts *o, FILE *out,
	     struct diff_stats *st);

#endif
