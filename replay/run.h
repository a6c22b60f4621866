/* run.h - run a replay script over a transport: the safety gate, dry runs, timing, repeats, a verdict per command and a summary. */
#ifndef SCSISCOPE_REPLAY_RUN_H
#define SCSISCOPE_REPLAY_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "replay/compare.h"
#include "replay/script.h"
#include "replay/transport.h"
#include "util/strbuf.h"

#define RP_TIMEOUT_DEFAULT_US 5000000   /* a command's timeout when neither the script nor --timeout says */
#define RP_REPEAT_MAX 1000000

struct replay_opts {
	uint8_t transport;        /* enum rs_transport to use */
	unsigned compare;         /* CMP_* */
	bool timing_original;     /* wait each step's gap= */
	unsigned repeat;          /* passes over the script (>= 1) */
	bool stop_on_error;       /* stop at the first step that is not a match */
	int64_t timeout_us;       /* --timeout: every step's timeout (0: the script's) */
	bool allow_writes;
	bool allow_vendor;
	bool skip_unsafe;         /* refused steps are skipped instead of refusing the whole script */
	const char *script_path;  /* sidecars are read beside it */
};

/* The transport a replay runs over. */
struct rp_session {
	uint8_t transport;        /* enum rs_transport */
	struct rp_bot bot;
	struct rp_uas uas;
	bool (*interrupted)(void *ctx);
	void *ctx;
};

struct replay_summary {
	uint64_t sent;
	uint64_t count[VERDICT_SKIPPED + 1];  /* per enum rp_verdict */
	unsigned passes;          /* passes begun */
	bool stopped;             /* interrupted, the device left, or --on-error stop */
	char stop_reason[160];
};

/* The safety gate: one line per step that needs --allow-writes or
 * --allow-vendor (and does not have it) into sb.  Returns their number. */
size_t replay_gate(const struct rs_script *s, const struct replay_opts *o, struct strbuf *sb);

/* Is step i refused by the gate? */
bool replay_refused(const struct rs_step *st, const struct replay_opts *o, const char **why);

/* --dry-run: every step's exact bytes (CBW or Command IU, data-out, raw
 * bytes) as the replay would send them, in order; nothing is sent.
 * Returns 0, or -1 with err (a sidecar that cannot be read). */
int replay_dry_run(const struct rs_script *s, const struct replay_opts *o, FILE *out, char *err, size_t err_size);

/* Run the script over sess, a verdict line per step to out.  Returns 0,
 * or -1 with err (a sidecar that cannot be read: nothing more is sent). */
int replay_run(const struct rs_script *s, const struct replay_opts *o, struct rp_session *sess, FILE *out,
	       struct replay_summary *sum, char *err, size_t err_size);

/* The summary line(s). */
void replay_print_summary(const struct replay_summary *sum, FILE *out);

/* A step's LUN for a transport: BOT's bCBWLUN, or UAS's 8-byte LUN field
 * as a number (SAM-5 4.7: single level, peripheral device addressing). */
uint64_t replay_lun(const struct rs_script *s, const struct rs_step *st, uint8_t transport);

#endif
