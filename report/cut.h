/* cut.h - write the packets of chosen transactions, with what the device needs to be decoded, as a small pcapng (scsiscope cut). */
#ifndef SCSISCOPE_REPORT_CUT_H
#define SCSISCOPE_REPORT_CUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/filter.h"
#include "util/error.h"

/*
 * A bug report wants the failing exchange, not the whole capture.  The
 * cut reads the capture three times:
 *  1. decode it and choose transactions: those the filter matches, or
 *     those that start in frames lo..hi;
 *  2. decode it again and collect the frames (every URB submit and
 *     completion, struct txn's frame lists) of
 *     - the chosen transactions and the `context` transactions before and
 *       after each (in the order decode prints them),
 *     - BOT's REQUEST SENSE whose data is a chosen CHECK CONDITION's sense,
 *     - for every device of those: its enumeration before the last of them
 *       (GET_DESCRIPTOR, SET_CONFIGURATION, SET_INTERFACE, GET MAX LUN;
 *       the last CUT_ENUM_MAX), so the storage interface, its endpoints
 *       and its UAS pipes are known rather than guessed,
 *     - for every LUN whose commands count logical blocks, the last READ
 *       CAPACITY before the first of them, unless one is chosen, so the
 *       block size (and UAS's expected lengths) are known;
 *  3. read it a third time and write those packets, re-encoded by the
 *     capture writers in their own link type (usbmon 189/220, USBPcap,
 *     Darwin; usbmon text as 220), as pcapng with nanosecond time stamps;
 *     each packet's comment says its frame number in the original.
 *
 * Memory: the frame numbers kept (8 bytes each), the chosen transactions'
 * positions (8 bytes each), and per device CUT_ENUM_MAX enumeration
 * transfers and per LUN one READ CAPACITY of at most CUT_TXN_FRAMES frames.
 */
#define CUT_ENUM_MAX 256
#define CUT_TXN_FRAMES 64
#define CUT_DEVICES_MAX 256
#define CUT_CONTEXT_MAX 100000

struct cut_opts {
	const struct filter *filter;  /* choose by filter, or ... */
	uint64_t frame_lo, frame_hi;  /* ... by first frame, when filter is NULL */
	unsigned context;
	bool with_checks;             /* run lint's checks (the filter tests findings) */
	const char *comment_name;     /* the input's name in the packet comments (NULL: none) */
	uint64_t max_bytes;           /* read only the file's first max_bytes (a live capture's
				       * flushed part, cap_open_growing); 0: all of it */
};

struct cut_stats {
	uint64_t chosen;          /* transactions chosen */
	uint64_t context;         /* added as context */
	uint64_t autosense;       /* BOT REQUEST SENSE of a chosen CHECK CONDITION */
	uint64_t enumeration;     /* control transfers the device needs */
	uint64_t capacity;        /* READ CAPACITY for the block size */
	uint64_t packets;         /* written */
	uint64_t first_frame, last_frame;
};

/* Cut the capture at path into out (a pcapng stream).  Returns 0, or -1
 * with err set (a damaged capture: err names file and frame; nothing is
 * written for a capture that fails before the end). */
int cut_capture(const char *path, const struct cut_opts *o, FILE *out, struct cut_stats *st, struct error *err);

#endif
