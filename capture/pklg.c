/* pklg.c - Apple PacketLogger (.pklg) files, in either byte order, to hci_record. */
#include "config.h"
#include "capture/reader.h"

#include <string.h>

#include "util/bytes.h"

/*
 * A PacketLogger file has no file header, only records:
 *
 *    0 u32 length    bytes after this field: timestamp + type + payload
 *    4 u32 ts_sec    seconds since 1970-01-01 UTC
 *    8 u32 ts_usec   microseconds
 *   12 u8  type      see pklg_types[] below
 *   13 ...           payload (length - 9 bytes)
 *
 * Apple's PacketLogger and BTstack's hci_dump (src/hci_dump.c) write the
 * fields big-endian; little-endian files exist as well.  Wireshark
 * (wiretap/packetlogger.c) decides the order per file from the first
 * length: a sane length (< 64 KiB) has its two high bytes zero, which is
 * true of at most one of the two readings.  We do the same, and the probe
 * also checks the first few records for plausible timestamps and types.
 * Facts: Wireshark wiretap/packetlogger.c and
 * epan/dissectors/packet-packetlogger.c (type codes, text records).
 */

#define PKLG_LEN_FIELD 4
#define PKLG_HDR 9                  /* timestamp + type: the least a length may say */
#define PKLG_PROBE_MAX_LEN 65536u   /* detection only: first records are shorter (as Wireshark) */
#define PKLG_PROBE_RECORDS 5        /* records checked by the probe when present */

struct pklg_type {
	uint8_t code;
	uint8_t type;                   /* enum hci_rec_type */
	uint8_t dir;                    /* enum hci_dir */
	bool text;                      /* payload is text: trailing NULs stripped */
};

/* Record type codes (packet-packetlogger.c type_vals).  Syslog is a
 * process id, a message type and NUL-terminated strings; Wireshark shows
 * the other side-band records as plain text. */
static const struct pklg_type pklg_types[] = {
	{ 0x00, HCI_REC_COMMAND, HCI_DIR_SENT, false },
	{ 0x01, HCI_REC_EVENT, HCI_DIR_RECV, false },
	{ 0x02, HCI_REC_ACL, HCI_DIR_SENT, false },
	{ 0x03, HCI_REC_ACL, HCI_DIR_RECV, false },
	{ 0x08, HCI_REC_SCO, HCI_DIR_SENT, false },
	{ 0x09, HCI_REC_SCO, HCI_DIR_RECV, false },
	{ 0x0a, HCI_REC_LMP, HCI_DIR_SENT, false },
	{ 0x0b, HCI_REC_LMP, HCI_DIR_RECV, false },
	{ 0xf7, HCI_REC_SYSLOG, HCI_DIR_NONE, true },
	{ 0xf8, HCI_REC_KERNEL, HCI_DIR_NONE, true },
	{ 0xf9, HCI_REC_KERNEL_DEBUG, HCI_DIR_NONE, true },
	{ 0xfa, HCI_REC_ERROR, HCI_DIR_NONE, true },
	{ 0xfb, HCI_REC_POWER, HCI_DIR_NONE, true },
	{ 0xfc, HCI_REC_NOTE, HCI_DIR_NONE, true },
	{ 0xfd, HCI_REC_CONFIG, HCI_DIR_NONE, true },
	{ 0xfe, HCI_REC_NEW_CONTROLLER, HCI_DIR_NONE, true },
};

static const struct pklg_type *pklg_lookup(uint8_t code)
{
	for (size_t i = 0; i < sizeof(pklg_types) / sizeof(pklg_types[0]); i++)
		if (pklg_types[i].code == code)
			return &pklg_types[i];
	return NULL;
}

/* Byte order from the first length: 1 big-endian, 0 little-endian, -1 neither. */
static int pklg_order(const uint8_t *h, size_t n)
{
	uint32_t be = 0, le = 0;

	if (!get_be32(h, n, 0, &be) || !get_le32(h, n, 0, &le))
		return -1;
	if (be >= PKLG_HDR && be < PKLG_PROBE_MAX_LEN)
		return 1;
	if (le >= PKLG_HDR && le < PKLG_PROBE_MAX_LEN)
		return 0;
	return -1;
}

/* Does the record at off look like PacketLogger, as far as h holds it?
 * Sets *next to the offset after it. */
static bool pklg_plausible(const uint8_t *h, size_t n, size_t off, bool be, size_t *next)
{
	uint32_t len = 0, usec = 0;
	uint8_t code = 0;

	if (!get_u32(h, n, off, be, &len))
		return true;                    /* head ends inside the length: nothing to object to */
	if (len < PKLG_HDR || len >= PKLG_PROBE_MAX_LEN)
		return false;
	if (get_u32(h, n, off + 8, be, &usec) && usec >= 1000000)
		return false;
	if (get_u8(h, n, off + 12, &code) && !pklg_lookup(code))
		return false;
	*next = off + PKLG_LEN_FIELD + len;
	return true;
}

bool pklg_probe(const uint8_t *head, size_t n)
{
	int order = pklg_order(head, n);
	size_t off = 0;

	/* The first record's header must be complete: a length, a timestamp
	 * with microseconds below a million and a known type. */
	if (order < 0 || n < PKLG_LEN_FIELD + PKLG_HDR)
		return false;
	for (int i = 0; i < PKLG_PROBE_RECORDS && off < n; i++) {
		size_t next = n;
		if (!pklg_plausible(head, n, off, order == 1, &next))
			return false;
		off = next;
	}
	return true;
}

static int pklg_next(struct cap *c, struct cap_record *rec, struct error *err)
{
	bool be = c->info.big_endian;
	uint64_t frame = c->frames + 1;
	uint64_t off = input_offset(c->in);
	const uint8_t *p;
	size_t got;
	uint32_t len = 0, sec = 0, usec = 0;
	uint8_t code = 0;
	const struct pklg_type *t;
	struct hci_record *r = &rec->u.hci;
	int rc;

	rc = cap_need_head(c, PKLG_LEN_FIELD, frame, off, "PacketLogger", "length field", &p, &got, err);
	if (rc <= 0)
		return rc;
	get_u32(p, got, 0, be, &len);
	if (len < PKLG_HDR)
		return error_set(err, frame, off,
				 "PacketLogger record length %u is smaller than the %u bytes of timestamp and type "
				 "every record has", len, PKLG_HDR);
	if (len - PKLG_HDR > CAP_MAX_RECORD)
		return error_set(err, frame, off,
				 "PacketLogger record length %u is larger than the %u-byte limit "
				 "(damaged length field?)", len, CAP_MAX_RECORD);
	p = cap_need(c, len, &got, frame, err);
	if (!p)
		return -1;
	if (got < len)
		return error_set(err, frame, off,
				 "PacketLogger record cut short: its length field says %u bytes follow "
				 "but the file ends after %zu", len, got);

	get_u32(p, got, 0, be, &sec);
	get_u32(p, got, 4, be, &usec);
	get_u8(p, got, 8, &code);
	c->frames = frame;

	memset(rec, 0, sizeof(*rec));
	rec->kind = CAP_REC_HCI;
	r->frame = frame;
	r->ts_ns = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
	r->source = HCI_SRC_PKLG;
	r->orig_type = code;
	t = pklg_lookup(code);
	r->type = t ? t->type : HCI_REC_OTHER;
	r->dir = t ? t->dir : HCI_DIR_NONE;
	r->caplen = len - PKLG_HDR;
	if (t && t->text)
		while (r->caplen > 0 && p[PKLG_HDR + r->caplen - 1] == 0)
			r->caplen--;
	r->len = r->caplen;
	r->data = r->caplen ? p + PKLG_HDR : NULL;
	return 1;
}

static const struct cap_reader_ops pklg_ops = {
	.name = "packetlogger",
	.next = pklg_next,
	.close = NULL,
};

int pklg_open(struct cap *c, struct error *err)
{
	const uint8_t *head;
	size_t got;
	int order;

	head = input_peek(c->in, PKLG_LEN_FIELD, &got, err);
	if (!head)
		return -1;
	order = pklg_order(head, got);
	if (order < 0)
		return error_set(err, 1, 0,
				 "not a PacketLogger file: the first record length is not between %u and %u "
				 "in either byte order", PKLG_HDR, PKLG_PROBE_MAX_LEN - 1);
	c->info.format = CAP_FORMAT_PKLG;
	c->info.big_endian = order == 1;
	c->priv = NULL;
	c->ops = &pklg_ops;
	return 0;
}
