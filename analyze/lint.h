/* lint.h - the checks of `scsiscope lint`: a registry of finding ids and the runner that applies the checks to decoded transactions. */
#ifndef SCSISCOPE_ANALYZE_LINT_H
#define SCSISCOPE_ANALYZE_LINT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/strbuf.h"

/*
 * Every finding id scsiscope can produce, whether the decoder attaches it
 * while decoding (bot-tag-mismatch, uas-stream-inferred, ...) or a check in
 * analyze/ does, is registered here with its default severity, the family
 * it belongs to, a one-line summary and a longer explanation of what it
 * means and what to do (`lint --explain ID`, `lint --list`).
 *
 * Checks are grouped one file per family (analyze/check_<family>.c). Each
 * family has one entry point called for every transaction in start order
 * (through the decoder hook, so decode shows the ids too) and an optional
 * end-of-capture function that may report findings that belong to no single
 * transaction (lint_report()).
 */

struct check_info {
	const char *id;           /* stable, kebab-case */
	uint8_t severity;         /* enum severity: the default */
	const char *family;       /* "usb", "bot", "uas", "scsi", "capture" */
	const char *summary;      /* one line: what it detects */
	const char *explain;      /* what it means and what to do, a paragraph or two */
};

/* The registry (analyze/checks.c), sorted by id. */
const struct check_info *check_find(const char *id);
const struct check_info *check_at(unsigned i);    /* NULL past the end */

/* Tunables, with their documented defaults (lint_opts_default). */
struct lint_opts {
	double slow_factor;       /* slow-command: duration above this many times its group's p90 ... */
	uint64_t slow_min_us;     /* ... and above this absolute floor */
	uint64_t hang_min_us;     /* command-timeout: open this long when the capture ended */
	unsigned retry_storm_min; /* retry-storm: this many consecutive failures of the same CDB */
	uint64_t sync_min_bytes;  /* sync-cache-suspicious: at least this many bytes of unflushed cached writes ... */
	uint64_t sync_fast_us;    /* ... flushed by a GOOD SYNCHRONIZE CACHE in less than this */
	bool data_checks;         /* run the data family (check_data.c); on by default */
};
void lint_opts_default(struct lint_opts *o);

/*
 * The tunables by name, for `-o NAME=VALUE` on the command line (named
 * like Wireshark's preferences): slow-factor, slow-min-ms, hang-min-ms,
 * retry-storm-min, sync-min-bytes, sync-fast-us.
 */
struct lint_tunable {
	const char *name;
	const char *what;         /* one line, with the unit */
};
const struct lint_tunable *lint_tunable_at(unsigned i);   /* NULL past the end */
/* "NAME=VALUE": 0 when set; -1 with why filled (unknown name, bad number). */
int lint_opts_set(struct lint_opts *o, const char *assignment, char *why, size_t whylen);
/* The value of tunable i in o, as text (for listings). */
void lint_opts_value(const struct lint_opts *o, unsigned i, char *buf, size_t len);

struct lint;

struct lint *lint_new(const struct lint_opts *o);
void lint_free(struct lint *l);

/* The decoder hook: pass as decoder_opts.hook with hook_ctx = the lint. */
void lint_hook(void *ctx, const struct txn *t, struct txn_handle *h);

/* End of capture: checks that need the whole capture report now. */
void lint_finish(struct lint *l);

/* A decoder whose transactions carry lint's findings (every check, default
 * tunables), as cut, extract and diff decode; with_checks false gives the
 * plain decoder.  o's hook is set here.  0, or -1 on no memory (nothing to
 * close). */
struct checked_decoder {
	struct decoder *dec;
	struct lint *lint;        /* NULL without checks */
};
int checked_decoder_open(struct checked_decoder *cd, struct decoder_opts o, bool with_checks, txn_cb cb, void *ctx);
/* Free the decoder (decoder_finish is the caller's), then finish and free
 * the checks. */
void checked_decoder_close(struct checked_decoder *cd);

/* Findings that belong to no single transaction (reported at the end),
 * i from 0; NULL past the end. */
const struct finding *lint_report_at(const struct lint *l, unsigned i);

/* At most this many report findings are kept; later ones are only counted. */
#define LINT_REPORT_MAX 10000
uint64_t lint_report_dropped(const struct lint *l);

/* Used by check families: report a finding that belongs to no transaction. */
void lint_report(struct lint *l, const char *id, enum severity sev, const uint64_t *frames, unsigned nframes,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
