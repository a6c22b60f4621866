/* btsnoop.c - btsnoop files (Symbian, Android, BlueZ btmon) to hci_record. */
#include "config.h"
#include "capture/reader.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/tsmath.h"

/*
 * btsnoop is RFC 1761 "snoop" adapted to Bluetooth (Symbian's
 * btmodified_rfc1761.txt, kept by Wireshark's wiretap/btsnoop.c; BlueZ
 * src/shared/btsnoop.h).  Everything is big-endian.
 *
 * File header (16 bytes):
 *    0 "btsnoop\0"
 *    8 u32 version     1
 *   12 u32 datalink    1001 H1 (type in the flags), 1002 H4 UART (type byte
 *                      first), 1003 BCSP (logged as H1 after deframing, per
 *                      the Symbian note), 1004 H5 three-wire, 2001 Linux
 *                      monitor (BlueZ btmon), 2002 BlueZ simulator
 * Record header (24 bytes), then `included length` bytes:
 *    0 u32 original length
 *    4 u32 included length
 *    8 u32 flags       H1/H4: bit 0 direction (0 sent host->controller,
 *                      1 received), bit 1 command/event (1) or data (0);
 *                      monitor: adapter index << 16 | btmon opcode
 *   12 u32 cumulative drops
 *   16 s64 timestamp   microseconds since 0000-01-01 (Gregorian, proleptic);
 *                      the Unix epoch is 0x00dcddb30f2f8000
 */

#define BTSNOOP_FILE_HDR 16
#define BTSNOOP_REC_HDR 24
#define BTSNOOP_EPOCH_US INT64_C(0x00dcddb30f2f8000)

#define DL_H1 1001
#define DL_H4 1002
#define DL_BCSP 1003
#define DL_H5 1004
#define DL_MONITOR 2001
#define DL_SIMULATOR 2002

#define FLAG_RECV 0x1u
#define FLAG_CMD_EVT 0x2u

struct btsnoop {
	uint32_t datalink;
};

/* BlueZ btmon opcodes (src/shared/btsnoop.h BTSNOOP_OPCODE_*) and how we
 * file them.  Index bookkeeping: a new controller index is NEW_CONTROLLER,
 * opening/closing an index (controller up/down) is POWER, deleting an
 * index and index info are CONFIG; the management-channel records
 * (CTRL_*, 14-17) have no counterpart and are OTHER. */
static void monitor_type(uint16_t opcode, uint8_t *type, uint8_t *dir, bool *text)
{
	*dir = HCI_DIR_NONE;
	*text = false;
	switch (opcode) {
	case 0:  *type = HCI_REC_NEW_CONTROLLER; break;                  /* NEW_INDEX */
	case 1:  *type = HCI_REC_CONFIG; break;                          /* DEL_INDEX */
	case 2:  *type = HCI_REC_COMMAND; *dir = HCI_DIR_SENT; break;    /* COMMAND_PKT */
	case 3:  *type = HCI_REC_EVENT; *dir = HCI_DIR_RECV; break;      /* EVENT_PKT */
	case 4:  *type = HCI_REC_ACL; *dir = HCI_DIR_SENT; break;        /* ACL_TX_PKT */
	case 5:  *type = HCI_REC_ACL; *dir = HCI_DIR_RECV; break;        /* ACL_RX_PKT */
	case 6:  *type = HCI_REC_SCO; *dir = HCI_DIR_SENT; break;        /* SCO_TX_PKT */
	case 7:  *type = HCI_REC_SCO; *dir = HCI_DIR_RECV; break;        /* SCO_RX_PKT */
	case 8:  *type = HCI_REC_POWER; break;                           /* OPEN_INDEX */
	case 9:  *type = HCI_REC_POWER; break;                           /* CLOSE_INDEX */
	case 10: *type = HCI_REC_CONFIG; break;                          /* INDEX_INFO */
	case 11: *type = HCI_REC_VENDOR; break;                          /* VENDOR_DIAG */
	case 12: *type = HCI_REC_NOTE; *text = true; break;              /* SYSTEM_NOTE */
	case 13: *type = HCI_REC_SYSLOG; *text = true; break;            /* USER_LOGGING */
	case 18: *type = HCI_REC_ISO; *dir = HCI_DIR_SENT; break;        /* ISO_TX_PKT */
	case 19: *type = HCI_REC_ISO; *dir = HCI_DIR_RECV; break;        /* ISO_RX_PKT */
	default: *type = HCI_REC_OTHER; break;
	}
}

/* Microseconds since year 0 to nanoseconds since 1970, saturating (a
 * hostile timestamp must not overflow). */
static int64_t btsnoop_ts_ns(uint64_t raw)
{
	int64_t us = (int64_t)raw;
	int64_t rel;

	rel = ts_sub(us, BTSNOOP_EPOCH_US);
	if (rel > INT64_MAX / 1000)
		return INT64_MAX;
	if (rel < INT64_MIN / 1000)
		return INT64_MIN;
	return rel * 1000;
}

static int btsnoop_next(struct cap *c, struct cap_record *rec, struct error *err)
{
	struct btsnoop *bs = c->priv;
	uint64_t frame = c->frames + 1;
	uint64_t off = input_offset(c->in);
	const uint8_t *p;
	size_t got;
	uint32_t orig = 0, incl = 0, flags = 0, drops = 0;
	uint64_t ts = 0;
	struct hci_record *r = &rec->u.hci;
	int rc;

	rc = cap_need_head(c, BTSNOOP_REC_HDR, frame, off, "btsnoop", "record header", &p, &got, err);
	if (rc <= 0)
		return rc;
	get_be32(p, got, 0, &orig);
	get_be32(p, got, 4, &incl);
	get_be32(p, got, 8, &flags);
	get_be32(p, got, 12, &drops);
	get_be64(p, got, 16, &ts);
	if (incl > orig)
		return error_set(err, frame, off,
				 "btsnoop record includes %u bytes, more than its original length %u", incl, orig);
	if (incl > CAP_MAX_RECORD)
		return error_set(err, frame, off,
				 "btsnoop record includes %u bytes, more than the %u-byte limit "
				 "(damaged length field?)", incl, CAP_MAX_RECORD);
	p = cap_need(c, incl, &got, frame, err);
	if (!p)
		return -1;
	if (got < incl)
		return error_set(err, frame, off,
				 "btsnoop record cut short: it includes %u bytes but the file ends after %zu",
				 incl, got);

	memset(rec, 0, sizeof(*rec));
	rec->kind = CAP_REC_HCI;
	if (bs->datalink == DL_H4) {
		struct usb_pkt pkt = {
			.buf = p, .caplen = incl, .len = orig, .ts_ns = btsnoop_ts_ns(ts),
			.frame = frame, .offset = off, .swapped = false,
		};
		if (incl == 0)
			return error_set(err, frame, off,
					 "btsnoop H4 record is empty; expected an H4 packet type byte first");
		if (hci_parse_h4(&pkt, false, r, err) < 0)
			return -1;
		/* orig_type stays the H4 type byte: bit 1 of the flags says
		 * no more than the type byte does. */
		r->dir = (flags & FLAG_RECV) ? HCI_DIR_RECV : HCI_DIR_SENT;
	} else {
		bool text = false;

		r->ts_ns = btsnoop_ts_ns(ts);
		r->orig_type = flags;
		if (bs->datalink == DL_MONITOR) {
			monitor_type((uint16_t)(flags & 0xffff), &r->type, &r->dir, &text);
		} else {
			/* H1 (and BCSP logged as H1): command or event by direction. */
			r->dir = (flags & FLAG_RECV) ? HCI_DIR_RECV : HCI_DIR_SENT;
			if (flags & FLAG_CMD_EVT)
				r->type = (flags & FLAG_RECV) ? HCI_REC_EVENT : HCI_REC_COMMAND;
			else
				r->type = HCI_REC_ACL;   /* H1 flags cannot tell SCO from ACL */
		}
		r->caplen = incl;
		r->len = orig;
		if (text && incl == orig) {
			while (r->caplen > 0 && p[r->caplen - 1] == 0)
				r->caplen--;
			r->len = r->caplen;
		}
		r->data = r->caplen ? p : NULL;
		r->truncated = r->caplen < r->len;
	}
	r->frame = frame;
	r->source = HCI_SRC_BTSNOOP;
	r->drops = drops;
	c->frames = frame;
	return 1;
}

static void btsnoop_close(struct cap *c)
{
	free(c->priv);
	c->priv = NULL;
}

static const struct cap_reader_ops btsnoop_ops = {
	.name = "btsnoop",
	.next = btsnoop_next,
	.close = btsnoop_close,
};

int btsnoop_open(struct cap *c, struct error *err)
{
	const uint8_t *h;
	size_t got;
	uint32_t version = 0, datalink = 0;
	struct btsnoop *bs;

	h = input_need(c->in, BTSNOOP_FILE_HDR, &got, err);
	if (!h)
		return -1;
	if (got < BTSNOOP_FILE_HDR)
		return error_set(err, 0, 0, "btsnoop file header cut short: %zu of %u bytes",
				 got, BTSNOOP_FILE_HDR);
	if (memcmp(h, "btsnoop\0", 8) != 0)
		return error_set(err, 0, 0, "not a btsnoop file: it does not start with \"btsnoop\\0\"");
	get_be32(h, got, 8, &version);
	get_be32(h, got, 12, &datalink);
	if (version != 1)
		return error_set(err, 0, 8, "btsnoop version %u is not supported; expected version 1", version);
	switch (datalink) {
	case DL_H1:
	case DL_H4:
	case DL_BCSP:
	case DL_MONITOR:
		break;
	case DL_H5:
		return error_set(err, 0, 12, "btsnoop datalink 1004 (H5 three-wire UART) is not supported; "
				 "scsiscope reads 1001 (H1), 1002 (H4), 1003 (BCSP logged as H1) and 2001 (Linux monitor)");
	case DL_SIMULATOR:
		return error_set(err, 0, 12, "btsnoop datalink 2002 (BlueZ simulator) is not supported; "
				 "scsiscope reads 1001 (H1), 1002 (H4), 1003 (BCSP logged as H1) and 2001 (Linux monitor)");
	default:
		return error_set(err, 0, 12, "btsnoop datalink %u is unknown; "
				 "scsiscope reads 1001 (H1), 1002 (H4), 1003 (BCSP logged as H1) and 2001 (Linux monitor)",
				 datalink);
	}
	bs = calloc(1, sizeof(*bs));
	if (!bs)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	bs->datalink = datalink;
	c->info.format = CAP_FORMAT_BTSNOOP;
	c->info.big_endian = true;
	c->priv = bs;
	c->ops = &btsnoop_ops;
	return 0;
}
