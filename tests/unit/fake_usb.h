/* fake_usb.h - a fake storage device behind struct rp_io for the replay tests: Bulk-Only or UAS (with or without streams), with the misbehaviours QEMU's devices never show (stalls on data, phase errors, short packets, silence). */
#ifndef SCSISCOPE_TESTS_FAKE_USB_H
#define SCSISCOPE_TESTS_FAKE_USB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replay/transport.h"

#define F_EP_IN 0x81
#define F_EP_OUT 0x02
#define F_EP_CMD 0x01
#define F_EP_STATUS 0x82
#define F_EP_DIN 0x83
#define F_EP_DOUT 0x04

/* What the device does wrong, per opcode (-1: never). */
struct fake_faults {
	int stall_data;           /* stall the data phase of this opcode */
	int phase_error;          /* BOT: bCSWStatus 2 */
	int short_data;           /* send only short_len bytes of data-in */
	uint32_t short_len;
	int hang;                 /* never answer (the data/status transfer times out) */
	int check;                /* CHECK CONDITION, sense 05/24/00 */
	int bad_csw_tag;          /* BOT: a CSW with another tag */
	int csw_stall_once;       /* BOT: stall the first CSW read */
	bool tm_fails;            /* UAS: ABORT TASK answered FUNCTION FAILED */
	int interrupt_ready;      /* UAS without streams: interrupted just after READ/WRITE READY was read */
	int interrupt_status;     /* UAS without streams: the user interrupts the status read after the data
				     (RP_INTERRUPTED) while the device has the Sense IU ready: it stays queued */
	bool reset_fails;         /* the Bulk-Only reset / LU reset fails too */
};

struct fake_dev {
	bool uas, streams;
	struct fake_faults f;
	/* BOT */
	int state;                /* 0 CBW, 1 data, 2 CSW */
	uint32_t tag, dlen, moved;
	bool din;
	uint8_t op;
	bool halt_in, halt_out;
	uint8_t csw_status;
	bool csw_stalled;
	/* UAS without streams: the command waiting for its data */
	bool pending;
	uint16_t ptag;
	uint8_t pop;
	uint32_t plen;
	bool pdone, pin;
	/* UAS without streams: the status pipe's queue, oldest first (a Sense
	 * IU nobody read, then Response IUs behind it) */
	bool interrupted;         /* the user's interrupt came during this bulk call */
	uint8_t sq[4][40];
	uint32_t sqlen[4];
	unsigned sqn;
	/* what happened */
	char log[8192];
	unsigned resets, clears, tms;
	uint8_t written[4096];
	uint32_t nwritten;
	uint8_t sense_key, sense_asc;
	struct rp_io io;
};

static inline void flog(struct fake_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void flog(struct fake_dev *d, const char *fmt, ...)
{
	size_t n = strlen(d->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->log + n, sizeof(d->log) - n, fmt, ap);
	va_end(ap);
	n = strlen(d->log);
	if (n + 2 < sizeof(d->log)) {
		d->log[n] = ' ';
		d->log[n + 1] = '\0';
	}
}

/* The data-in a command returns: INQUIRY identity, a pattern otherwise. */
static inline void fake_fill(struct fake_dev *d, uint8_t op, uint8_t *b, uint32_t n)
{
	static const uint8_t inq[36] = { 0, 0x80, 5, 2, 31, 0, 0, 0, 'F', 'A', 'K', 'E', ' ', ' ', ' ', ' ',
					 'F', 'a', 'k', 'e', ' ', 'd', 'i', 's', 'k', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
					 '1', '.', '0', ' ' };
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 3 + op);
	if (op == 0x12)
		memcpy(b, inq, n < 36 ? n : 36);
	if (op == 0x03 && n >= 14) {
		memset(b, 0, n);
		b[0] = 0x70, b[2] = d->sense_key, b[7] = 10, b[12] = d->sense_asc;
	}
}

static inline bool is(int fault, uint8_t op)
{
	return fault >= 0 && fault == op;
}

/* ---------------------------------------------------------------- BOT */

static inline void bot_xfer(struct fake_dev *d, struct rp_xfer *x)
{
	x->actual = 0;
	x->status = RP_OK;
	if (!(x->ep & 0x80)) {
		if (d->halt_out) {
			x->status = RP_STALL;
			flog(d, "OUT-halted");
			return;
		}
		if (d->state == 0) {
			uint32_t sig = 0;
			if (x->len == 31)
				sig = (uint32_t)x->buf[0] | (uint32_t)x->buf[1] << 8 | (uint32_t)x->buf[2] << 16 |
				      (uint32_t)x->buf[3] << 24;
			if (sig != 0x43425355u) {
				/* BOT 6.6.1: an invalid CBW: stall both pipes until reset recovery */
				d->halt_in = d->halt_out = true;
				x->status = RP_STALL;
				flog(d, "BADCBW");
				return;
			}
			d->tag = (uint32_t)x->buf[4] | (uint32_t)x->buf[5] << 8 | (uint32_t)x->buf[6] << 16 |
				 (uint32_t)x->buf[7] << 24;
			d->dlen = (uint32_t)x->buf[8] | (uint32_t)x->buf[9] << 8 | (uint32_t)x->buf[10] << 16 |
				  (uint32_t)x->buf[11] << 24;
			d->din = x->buf[12] & 0x80;
			d->op = x->buf[15];
			d->moved = 0;
			d->csw_status = is(d->f.check, d->op) ? 1 : is(d->f.phase_error, d->op) ? 2 : 0;
			if (d->csw_status == 1)
				d->sense_key = 5, d->sense_asc = 0x24;
			d->state = d->dlen ? 1 : 2;
			x->actual = 31;
			flog(d, "CBW:%02x:%u:%u", d->op, (unsigned)d->tag, (unsigned)d->dlen);
			return;
		}
		if (d->state == 1 && !d->din) {
			if (is(d->f.stall_data, d->op)) {
				d->halt_out = true;
				d->state = 2;
				d->csw_status = 1;
				x->status = RP_STALL;
				flog(d, "OUT-stall");
				return;
			}
			x->actual = x->len < d->dlen ? x->len : d->dlen;
			memcpy(d->written, x->buf, x->actual < sizeof(d->written) ? x->actual : sizeof(d->written));
			d->nwritten = x->actual;
			d->moved = x->actual;
			d->state = 2;
			flog(d, "OUT:%u", (unsigned)x->actual);
			return;
		}
		d->halt_out = true;
		x->status = RP_STALL;
		flog(d, "OUT-unexpected");
		return;
	}
	if (d->halt_in) {
		x->status = RP_STALL;
		flog(d, "IN-halted");
		return;
	}
	if (d->state == 1 && d->din) {
		uint32_t n = x->len < d->dlen ? x->len : d->dlen;
		if (is(d->f.hang, d->op)) {
			x->status = RP_TIMEOUT;
			flog(d, "IN-silent");
			return;
		}
		if (is(d->f.stall_data, d->op)) {
			d->halt_in = true;
			d->state = 2;
			d->csw_status = 1;
			d->sense_key = 5, d->sense_asc = 0x24;
			x->status = RP_STALL;
			flog(d, "IN-stall");
			return;
		}
		if (is(d->f.short_data, d->op) && d->f.short_len < n)
			n = d->f.short_len;
		fake_fill(d, d->op, x->buf, n);
		x->actual = n;
		d->moved = n;
		d->state = 2;
		flog(d, "IN:%u", (unsigned)n);
		return;
	}
	if (d->state == 2) {
		uint32_t res = d->dlen - d->moved, tag = d->tag;
		if (is(d->f.hang, d->op)) {
			x->status = RP_TIMEOUT;
			flog(d, "CSW-silent");
			return;
		}
		if (is(d->f.csw_stall_once, d->op) && !d->csw_stalled) {
			d->csw_stalled = true;
			d->halt_in = true;
			x->status = RP_STALL;
			flog(d, "CSW-stall");
			return;
		}
		if (x->len < 13) {
			x->status = RP_OVERFLOW;
			return;
		}
		if (is(d->f.bad_csw_tag, d->op))
			tag ^= 0x5a5a;
		x->buf[0] = 'U', x->buf[1] = 'S', x->buf[2] = 'B', x->buf[3] = 'S';
		for (int i = 0; i < 4; i++) {
			x->buf[4 + i] = (uint8_t)(tag >> (8 * i));
			x->buf[8 + i] = (uint8_t)(res >> (8 * i));
		}
		x->buf[12] = d->csw_status;
		x->actual = 13;
		d->state = 0;
		flog(d, "CSW:%u", d->csw_status);
		return;
	}
	d->halt_in = true;
	x->status = RP_STALL;
	flog(d, "IN-unexpected");
}

/* ---------------------------------------------------------------- UAS */

static inline void uas_sense_iu(struct fake_dev *d, uint16_t tag, uint8_t op, struct rp_xfer *s)
{
	bool check = is(d->f.check, op);

	memset(s->buf, 0, 16);
	s->buf[0] = 0x03;
	s->buf[2] = (uint8_t)(tag >> 8), s->buf[3] = (uint8_t)tag;
	s->buf[6] = check ? 2 : 0;
	s->actual = 16;
	if (check) {
		uint8_t *sd = s->buf + 16;
		memset(sd, 0, 18);
		sd[0] = 0x70, sd[2] = 5, sd[7] = 10, sd[12] = 0x24;
		s->buf[15] = 18;
		s->actual = 34;
	}
	s->status = RP_OK;
	flog(d, "SENSE:%u:%u", (unsigned)tag, check ? 2u : 0u);
}

static inline void uas_data(struct fake_dev *d, uint8_t op, bool in, uint32_t len, struct rp_xfer *x)
{
	uint32_t n = x->len < len ? x->len : len;

	x->status = RP_OK;
	if (is(d->f.stall_data, op)) {
		x->status = RP_STALL;
		x->actual = 0;
		flog(d, "DATA-stall");
		return;
	}
	if (in) {
		if (is(d->f.short_data, op) && d->f.short_len < n)
			n = d->f.short_len;
		fake_fill(d, op, x->buf, n);
	} else {
		memcpy(d->written, x->buf, n < sizeof(d->written) ? n : sizeof(d->written));
		d->nwritten = n;
	}
	x->actual = n;
	flog(d, "%s:%u", in ? "DIN" : "DOUT", (unsigned)n);
}

/* The oldest IU waiting on the status pipe (without streams) into t. */
static inline void fake_pop_status(struct fake_dev *d, struct rp_xfer *t)
{
	uint32_t n = d->sqlen[0] < t->len ? d->sqlen[0] : t->len;

	memcpy(t->buf, d->sq[0], n);
	t->actual = n;
	t->status = RP_OK;
	flog(d, "IU:%02x:%u", d->sq[0][0], (unsigned)(d->sq[0][2] << 8 | d->sq[0][3]));
	memmove(d->sq[0], d->sq[1], sizeof(d->sq) - sizeof(d->sq[0]));
	memmove(d->sqlen, d->sqlen + 1, sizeof(d->sqlen) - sizeof(d->sqlen[0]));
	d->sqn--;
}

/* A Command or Task Management IU; for streams the group's other transfers. */
static inline void uas_group(struct fake_dev *d, struct rp_xfer *x, unsigned n)
{
	struct rp_xfer *cmd = NULL, *st = NULL, *data = NULL;
	uint16_t tag;
	uint8_t op;
	uint32_t len;

	for (unsigned i = 0; i < n; i++) {
		x[i].status = RP_TIMEOUT;
		x[i].actual = 0;
		if (x[i].ep == F_EP_CMD)
			cmd = &x[i];
		else if (x[i].ep == F_EP_STATUS)
			st = &x[i];
		else
			data = &x[i];
	}
	if (cmd) {
		cmd->status = RP_OK;
		cmd->actual = cmd->len;
		tag = (uint16_t)(cmd->buf[2] << 8 | cmd->buf[3]);
		if (cmd->buf[0] == 0x05) {
			d->tms++;
			flog(d, "TM:%02x:%u:%u", cmd->buf[4], (unsigned)tag, (unsigned)(cmd->buf[6] << 8 | cmd->buf[7]));
			if (d->pending && !(d->f.tm_fails && cmd->buf[4] == 1) && (cmd->buf[4] != 1 || d->ptag == (uint16_t)(cmd->buf[6] << 8 | cmd->buf[7])))
				d->pending = false;     /* aborted (or the LU reset) */
			if (!d->streams && d->sqn) {
				/* the pipe delivers what waits first; the Response IU queues behind it */
				uint8_t *q = d->sq[d->sqn];
				if (d->sqn < 4) {
					memset(q, 0, 8);
					q[0] = 0x04, q[2] = cmd->buf[2], q[3] = cmd->buf[3];
					q[7] = d->f.tm_fails && (cmd->buf[4] == 1 || d->f.reset_fails) ? 0x05 : 0x00;
					d->sqlen[d->sqn++] = 8;
				}
				if (st)
					fake_pop_status(d, st);
				return;
			}
			if (st && (!d->streams || st->stream == tag)) {
				memset(st->buf, 0, 8);
				st->buf[0] = 0x04;
				st->buf[2] = cmd->buf[2], st->buf[3] = cmd->buf[3];
				st->buf[7] = d->f.tm_fails && (cmd->buf[4] == 1 || d->f.reset_fails) ? 0x05 : 0x00;
				st->actual = 8;
				st->status = RP_OK;
			}
			return;
		}
		op = cmd->buf[16];
		len = 0;
		if (op == 0x12)
			len = cmd->buf[16 + 4];
		else if (op == 0x28 || op == 0x2a)
			len = (uint32_t)(cmd->buf[16 + 7] << 8 | cmd->buf[16 + 8]) * 512;
		flog(d, "CMD:%02x:%u", op, (unsigned)tag);
		if (!d->streams) {
			d->pending = true;
			d->ptag = tag, d->pop = op, d->plen = len, d->pdone = len == 0, d->pin = op != 0x2a;
			return;
		}
		if (is(d->f.hang, op))
			return;
		if (data && data->stream == tag)
			uas_data(d, op, data->ep == F_EP_DIN, len, data);
		if (st && st->stream == tag)
			uas_sense_iu(d, tag, op, st);
		return;
	}
	/* without streams: a status read, or the data after READ/WRITE READY */
	for (unsigned i = 0; i < n; i++) {
		struct rp_xfer *t = &x[i];
		if (t->ep == F_EP_STATUS && d->sqn) {
			fake_pop_status(d, t);
			continue;
		}
		if (!d->pending)
			continue;
		if (t->ep == F_EP_STATUS) {
			if (is(d->f.hang, d->pop))
				continue;
			if (d->pdone && is(d->f.interrupt_status, d->pop)) {
				/* the Sense IU is ready, but the read is cancelled */
				struct rp_xfer q = { .buf = d->sq[0], .len = sizeof(d->sq[0]) };
				uas_sense_iu(d, d->ptag, d->pop, &q);
				d->sqlen[0] = q.actual;
				d->sqn = 1;
				d->pending = false;
				d->f.interrupt_status = -1;
				t->status = RP_INTERRUPTED;
				flog(d, "INTERRUPTED");
				continue;
			}
			if (!d->pdone) {
				memset(t->buf, 0, 4);
				t->buf[0] = d->pin ? 0x06 : 0x07;
				t->buf[2] = (uint8_t)(d->ptag >> 8), t->buf[3] = (uint8_t)d->ptag;
				t->actual = 4;
				t->status = RP_OK;
				flog(d, "%s:%u", d->pin ? "RR" : "WR", (unsigned)d->ptag);
				if (is(d->f.interrupt_ready, d->pop)) {
					d->f.interrupt_ready = -1;
					d->interrupted = true;
					flog(d, "INTERRUPTED");
				}
			} else {
				uas_sense_iu(d, d->ptag, d->pop, t);
				d->pending = false;
			}
		} else if (!d->pdone) {
			uas_data(d, d->pop, t->ep == F_EP_DIN, d->plen, t);
			d->pdone = true;
		}
	}
}

static inline int fake_bulk(void *ctx, struct rp_xfer *x, unsigned n, unsigned timeout_ms)
{
	struct fake_dev *d = ctx;

	(void)timeout_ms;
	if (!d->uas) {
		for (unsigned i = 0; i < n; i++)
			bot_xfer(d, &x[i]);
		return 0;
	}
	d->interrupted = false;
	if (!d->streams) {
		/* the Command IU first, then the status read sees it */
		bool has_cmd = false;
		for (unsigned i = 0; i < n; i++)
			has_cmd = has_cmd || x[i].ep == F_EP_CMD;
		if (has_cmd) {
			struct rp_xfer *st = NULL;
			for (unsigned i = 0; i < n; i++)
				if (x[i].ep == F_EP_STATUS)
					st = &x[i];
			uas_group(d, x, n);
			if (st && st->status == RP_TIMEOUT)
				uas_group(d, st, 1);
			return d->interrupted ? RP_INTERRUPTED : 0;
		}
	}
	uas_group(d, x, n);
	for (unsigned i = 0; i < n; i++)
		if (x[i].status == RP_INTERRUPTED)
			return RP_INTERRUPTED;
	return 0;
}

static inline int fake_control(void *ctx, const uint8_t setup[8], uint8_t *data, unsigned timeout_ms,
			       uint32_t *actual, int64_t *t0, int64_t *t1)
{
	struct fake_dev *d = ctx;

	(void)timeout_ms, (void)t0, (void)t1;
	*actual = 0;
	if (setup[0] == 0x21 && setup[1] == 0xff) {
		d->resets++;
		flog(d, "RESET");
		if (d->f.reset_fails)
			return RP_STALL;
		d->state = 0;
		return RP_OK;
	}
	if (setup[0] == 0xa1 && setup[1] == 0xfe) {
		data[0] = 0;
		*actual = 1;
		flog(d, "MAXLUN");
		return RP_OK;
	}
	return RP_STALL;
}

static inline int fake_clear_halt(void *ctx, uint8_t ep, int64_t *t0, int64_t *t1)
{
	struct fake_dev *d = ctx;

	(void)t0, (void)t1;
	d->clears++;
	flog(d, "CLEAR:%02x", ep);
	if (ep == F_EP_IN)
		d->halt_in = false;
	if (ep == F_EP_OUT)
		d->halt_out = false;
	return RP_OK;
}

static inline void fake_init(struct fake_dev *d, bool uas, bool streams)
{
	memset(d, 0, sizeof(*d));
	d->uas = uas;
	d->streams = streams;
	d->f.stall_data = d->f.phase_error = d->f.short_data = d->f.hang = d->f.check = -1;
	d->f.bad_csw_tag = d->f.csw_stall_once = d->f.interrupt_status = d->f.interrupt_ready = -1;
	d->io.bulk = fake_bulk;
	d->io.control = fake_control;
	d->io.clear_halt = fake_clear_halt;
	d->io.ctx = d;
}

#endif
