/* transport.h - the USB side of a replay as a small interface (rp_io: bulk transfers, control requests, clear halt) and the Bulk-Only and UAS state machines that run SCSI commands over it. */
#ifndef SCSISCOPE_REPLAY_TRANSPORT_H
#define SCSISCOPE_REPLAY_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * The state machines never call libusb: they drive a struct rp_io, which
 * replay/usb.c implements with libusb, replay/record.c wraps to write what
 * crossed the bus as pcapng, and the unit tests implement with a fake
 * device that stalls, answers short, sends phase errors or never answers.
 */

enum rp_status {
	RP_OK = 0,
	RP_STALL = -1,            /* the endpoint halted (STALL handshake) */
	RP_TIMEOUT = -2,          /* no completion before the timeout: the transfer was cancelled */
	RP_OVERFLOW = -3,         /* the device sent more than the buffer holds (babble) */
	RP_NODEV = -4,            /* the device is gone */
	RP_ERROR = -5,            /* any other transfer error */
	RP_CANCELLED = -6,        /* cancelled because another transfer of the group ended it */
	RP_INTERRUPTED = -7,      /* SIGINT/SIGTERM: the transfers were cancelled */
};

const char *rp_status_name(int status);

/* One bulk transfer. */
struct rp_xfer {
	uint8_t ep;               /* endpoint address, bit 7 = IN */
	uint32_t stream;          /* bulk stream id (UAS on SuperSpeed), 0 = none */
	uint8_t *buf;
	uint32_t len;             /* bytes to send / room to receive */
	bool ends;                /* when this one completes, cancel the rest of the group */
	/* filled by the io */
	uint32_t actual;
	int status;               /* enum rp_status */
	int64_t t_submit_ns;      /* CLOCK_REALTIME, for the record */
	int64_t t_done_ns;
};

struct rp_io {
	/* Submit the n transfers in order, all at once, and wait until every
	 * one has completed, or one marked `ends` has completed (the others
	 * are then cancelled: RP_CANCELLED unless they had finished), or
	 * timeout_ms passed (those pending: RP_TIMEOUT).  Returns 0, or
	 * RP_INTERRUPTED / RP_NODEV when the wait itself ended early (each
	 * transfer's status still says what happened to it). */
	int (*bulk)(void *ctx, struct rp_xfer *x, unsigned n, unsigned timeout_ms);
	/* One control request; setup is the 8-byte SETUP packet, data holds
	 * wLength bytes.  Returns an rp_status; *actual the data-stage bytes. */
	int (*control)(void *ctx, const uint8_t setup[8], uint8_t *data, unsigned timeout_ms, uint32_t *actual,
		       int64_t *t_submit_ns, int64_t *t_done_ns);
	/* CLEAR_FEATURE(ENDPOINT_HALT) to ep, and the host's data toggle / sequence reset. */
	int (*clear_halt)(void *ctx, uint8_t ep, int64_t *t_submit_ns, int64_t *t_done_ns);
	/* Has the user asked to stop (SIGINT/SIGTERM)?  NULL: never. */
	bool (*interrupted)(void *ctx);
	/* While held, bulk() ignores a stop request: the recovery after an
	 * interrupted command (ABORT TASK) must reach the device so its
	 * kernel driver gets it back clean.  NULL: nothing to hold. */
	void (*hold_stop)(void *ctx, bool hold);
	void *ctx;
};

/* ------------------------------------------------------------- a command */

#define RP_SENSE_MAX 252
#define RP_NOTE_MAX 256

struct rp_cmd {
	const uint8_t *cdb;
	uint8_t cdb_len;
	uint8_t dir;              /* enum scsi_dir */
	uint32_t len;             /* data phase bytes */
	const uint8_t *out;       /* len bytes for SCSI_DIR_OUT */
	uint8_t *in;              /* room for len bytes for SCSI_DIR_IN */
	uint64_t lun;
	unsigned timeout_ms;
};

enum rp_outcome {
	RP_DONE = 0,              /* the command ended with a SCSI status */
	RP_NO_STATUS,             /* no status: timeout (the command was aborted / the transport reset) */
	RP_TRANSPORT_FAILED,      /* phase error, bad CSW, Response IU, a transfer error */
	RP_GONE,                  /* the device left */
	RP_STOPPED,               /* interrupted by the user */
};

struct rp_result {
	uint8_t outcome;          /* enum rp_outcome */
	int16_t status;           /* SCSI status byte, -1 none */
	uint32_t data_len;        /* data-in bytes received / data-out bytes sent */
	bool has_residue;
	uint32_t residue;         /* BOT dCSWDataResidue */
	uint8_t sense[RP_SENSE_MAX];
	uint8_t sense_len;        /* 0: none */
	int16_t uas_response;     /* UAS Response IU code, -1 none */
	bool timed_out;
	unsigned stalls;          /* endpoint halts cleared during the command */
	unsigned resets;          /* reset recoveries / task management functions */
	char note[RP_NOTE_MAX];   /* what the transport had to do, in words ("" none) */
	int64_t t_start_ns, t_end_ns;
};

/* The wall clock in ns (the record's and the verdicts' times). */
static inline int64_t rp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Append what the transport had to do to r->note ("a; b"), cut to fit. */
static inline void rp_note(struct rp_result *r, const char *what)
{
	size_t n = strlen(r->note);

	if (n && n + 2 < sizeof(r->note)) {
		memcpy(r->note + n, "; ", 3);
		n += 2;
	}
	snprintf(r->note + n, sizeof(r->note) - n, "%s", what);
}

/* ------------------------------------------------------------- Bulk-Only */

struct rp_bot {
	const struct rp_io *io;
	uint8_t ep_in, ep_out;
	uint8_t interface;
	uint32_t tag;             /* the next dCBWTag: our own counter */
	bool broken;              /* reset recovery failed: nothing more is sent */
};

/* The 31-byte CBW of a command with tag (BOT 5.1). */
void bot_encode_cbw(uint8_t cbw[31], uint32_t tag, const struct rp_cmd *c);

/* Run one command: CBW, data, CSW; stalls cleared as BOT 6.7 says, reset
 * recovery (5.3.4) on a phase error, an invalid CSW or a timeout; after a
 * CHECK CONDITION, REQUEST SENSE (the sense goes into r->sense).  Returns
 * 0, or -1 when the transport is unusable (r says why). */
int bot_command(struct rp_bot *b, const struct rp_cmd *c, struct rp_result *r);
/* GET MAX LUN (BOT 3.2); a STALL means 0.  Returns an rp_status. */
int bot_get_max_lun(struct rp_bot *b, uint8_t *max_lun);
/* Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(HALT) on bulk-in and bulk-out (BOT 5.3.4). */
int bot_reset_recovery(struct rp_bot *b);
/* A raw transfer on bulk-out (out) or bulk-in; a STALL is recovered with reset recovery. */
int bot_raw(struct rp_bot *b, bool out, uint8_t *buf, uint32_t len, unsigned timeout_ms, struct rp_result *r);

/* ------------------------------------------------------------------ UAS */

struct rp_uas {
	const struct rp_io *io;
	uint8_t ep_cmd, ep_status, ep_in, ep_out;
	uint8_t interface;
	bool streams;             /* SuperSpeed: bulk streams (tag = stream id) */
	uint16_t nstreams;        /* streams allocated (tags 1..nstreams) */
	uint16_t tag;             /* the last tag used */
	bool broken;              /* LOGICAL UNIT RESET failed: nothing more is sent */
};

/* The Command IU of a command with tag (UAS 6.2.2): 32 bytes plus the
 * additional CDB bytes; returns its length (at most 48). */
unsigned uas_encode_command(uint8_t iu[48], uint16_t tag, const struct rp_cmd *c);

/* Run one command: Command IU, data (streams, or READ READY / WRITE READY
 * on USB 2), Sense or Response IU; on a timeout ABORT TASK, then LOGICAL
 * UNIT RESET.  Returns 0, or -1 when the transport is unusable. */
int uas_command(struct rp_uas *u, const struct rp_cmd *c, struct rp_result *r);
/* A raw transfer on the command pipe (out) or the status pipe. */
int uas_raw(struct rp_uas *u, bool out, uint8_t *buf, uint32_t len, unsigned timeout_ms, struct rp_result *r);

#endif
