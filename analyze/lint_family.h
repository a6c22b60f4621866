/* lint_family.h - what a family of checks implements and may call; private to analyze/. */
#ifndef SCSISCOPE_ANALYZE_LINT_FAMILY_H
#define SCSISCOPE_ANALYZE_LINT_FAMILY_H

#include "analyze/lint.h"

/*
 * The runner (lint.c) calls each family's txn function for every
 * transaction in start order, then each family's finish function once at
 * the end of the capture.  A family keeps its state in a block the runner
 * allocates on first use (zeroed) and frees with the lint; its memory must
 * stay bounded whatever the capture (document the bound in the family's
 * file comment).  Findings go onto the transaction with
 * txn_attach_finding(h, ...) (decode.h) or, when they belong to no single
 * transaction, into the report with lint_report().  Every id used must be
 * registered in checks.c.
 */
enum lint_family {
	LINT_FAMILY_SCSI = 0,     /* check_scsi.c */
	LINT_FAMILY_TRANSPORT,    /* check_transport.c: BOT, UAS, USB, capture gaps */
	LINT_FAMILY_DATA,         /* check_data.c: write caching and flushes */
	LINT_FAMILY_TIMING,       /* check_timing.c: latency outliers, commands never answered */
	LINT_FAMILY_BT,           /* check_bt.c: Bluetooth HCI, SMP, ATT */
	LINT_FAMILY_COUNT,
};

/* The family's state block (size bytes, zeroed on first call). */
void *lint_state(struct lint *l, enum lint_family f, size_t size);
/* Tunables in effect. */
const struct lint_opts *lint_get_opts(const struct lint *l);

void check_scsi_txn(struct lint *l, const struct txn *t, struct txn_handle *h);
void check_scsi_finish(struct lint *l);
void check_scsi_free(void *state);              /* release what the state block points to */
void check_transport_txn(struct lint *l, const struct txn *t, struct txn_handle *h);
void check_transport_finish(struct lint *l);
void check_transport_free(void *state);
void check_data_txn(struct lint *l, const struct txn *t, struct txn_handle *h);
void check_data_finish(struct lint *l);
void check_data_free(void *state);
void check_timing_txn(struct lint *l, const struct txn *t, struct txn_handle *h);
void check_timing_finish(struct lint *l);
void check_timing_free(void *state);
void check_bt_txn(struct lint *l, const struct txn *t, struct txn_handle *h);   /* state: one fixed block */

#endif
