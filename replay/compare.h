/* compare.h - a replayed command's answer against the recorded expectation: the verdict and the differences in words. */
#ifndef SCSISCOPE_REPLAY_COMPARE_H
#define SCSISCOPE_REPLAY_COMPARE_H

#include <stdint.h>

#include "replay/script.h"
#include "replay/transport.h"

/* What --compare asks for. */
#define CMP_STATUS 1u
#define CMP_SENSE 2u
#define CMP_DATA 4u
#define CMP_ALL (CMP_STATUS | CMP_SENSE | CMP_DATA)

enum rp_verdict {
	VERDICT_MATCH = 0,        /* everything compared is as recorded */
	VERDICT_DIFFER,           /* a status, sense, length or hash differs */
	VERDICT_TIMEOUT,          /* no answer in time where the recording had one */
	VERDICT_FAILED,           /* the transport failed (phase error, bad CSW, Response IU, device gone) */
	VERDICT_SKIPPED,          /* not sent (--skip-unsafe, or the replay stopped) */
};

#define RP_JUDGEMENT_MAX 600

struct rp_judgement {
	uint8_t verdict;          /* enum rp_verdict */
	char answer[RP_JUDGEMENT_MAX];   /* what the device answered, in words */
	char diff[RP_JUDGEMENT_MAX];     /* what differs from the recording ("" on a match) */
};

/* Judge r (data-in bytes at in) against st's expectation, comparing the
 * parts `what` names (CMP_*). */
void rp_compare(const struct rs_step *st, const struct rp_result *r, const uint8_t *in, unsigned what,
		struct rp_judgement *j);

const char *rp_verdict_name(enum rp_verdict v);

/* "status,sense" -> CMP_STATUS | CMP_SENSE; 0 on a word it does not know. */
unsigned rp_compare_parse(const char *list);

#endif
