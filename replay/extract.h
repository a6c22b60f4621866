/* extract.h - turn the SCSI commands of a capture into a replay script (scsiscope extract). */
#ifndef SCSISCOPE_REPLAY_EXTRACT_H
#define SCSISCOPE_REPLAY_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/filter.h"
#include "replay/script.h"
#include "util/error.h"
#include "util/strbuf.h"

/*
 * The capture is decoded once; the chosen SCSI commands (filter, or first
 * frame in lo..hi) of ONE device (the first chosen command's; others are
 * counted and left out) become steps: the CDB, direction and length the
 * transport announced, the data-out bytes, and the recorded answer (status,
 * sense, data-in length and hash).  BOT's REQUEST SENSE that fetched a
 * CHECK CONDITION's sense is left out: the replay fetches sense itself.
 *
 * Data-out payloads: up to RS_INLINE_WRITE bytes go inline; larger ones
 * into the sidecar SEQ.data/HASH.bin.  A payload longer than the 4 KiB the
 * decoder keeps is read again from the capture (a second pass over the
 * frames of the command's data URBs) and checked against the decoder's
 * hash.  A command whose data-out the capture did not keep whole (snap
 * length, usbmon text) cannot be replayed: it is written as a comment and
 * counted.
 *
 * A damaged capture: everything decoded before the damage is extracted,
 * then the error (file, frame, offset) is returned; the script says where
 * the capture ended.
 *
 * Memory: the steps (about 150 bytes each, RS_STEPS_MAX), their comments,
 * and the frame lists of commands whose data-out must be read again.
 */

struct extract_opts {
	const struct filter *filter;  /* choose by filter, or ... */
	uint64_t frame_lo, frame_hi;  /* ... by first frame when filter is NULL (0..UINT64_MAX: all) */
	bool with_checks;             /* run lint's checks (the filter tests findings) */
	const char *script_path;      /* where the script goes; sidecars beside it (NULL: keep data inline) */
	const char *source_name;      /* the capture's name for the script's comments */
};

struct extract_stats {
	uint64_t chosen;              /* SCSI commands chosen */
	uint64_t steps;               /* written as steps */
	uint64_t other_devices;       /* chosen but of another device */
	uint64_t autosense;           /* BOT REQUEST SENSE left out */
	uint64_t incomplete;          /* ended by the end of the capture: left out */
	uint64_t unreplayable;        /* data-out not in the capture whole: commented out */
	uint64_t sidecars;            /* payloads written to SEQ.data/ */
	uint64_t reread;              /* payloads read again from the capture */
	uint16_t bus, device;
	bool damaged;                 /* the capture ended in an error (returned) */
};

/* Extract from the capture at path into *script and the script's text into
 * text (written by the caller).  Returns 0; or -1 with err set: a damaged
 * capture (script and text hold what came before: check st->damaged), a
 * sidecar that cannot be written, or nothing usable (no SCSI command). */
int extract_capture(const char *path, const struct extract_opts *o, struct rs_script *script, struct strbuf *text,
		    struct extract_stats *st, struct error *err);

#endif
