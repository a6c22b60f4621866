/* decode_harness.h - drive the decoder in the tests: collect its SCSI transactions, decode captures, build usbmon captures URB by URB. */
#ifndef SCSISCOPE_TESTS_DECODE_HARNESS_H
#define SCSISCOPE_TESTS_DECODE_HARNESS_H

#include "decode/decode.h"
#include "testlib.h"

/* ------------------------------------------------------------ collector */

#define C_FRAMES 64
#define C_FINDINGS 8
#define C_HEAD 64

/* One SCSI transaction copied out of the callback: its first frames,
 * findings and data bytes (up to the limits above). */
struct cmd {
	struct scsi_txn s;
	uint64_t frames[C_FRAMES];
	struct finding findings[C_FINDINGS];
	uint8_t head[C_HEAD];
};

struct col {
	struct cmd *c;
	size_t n, alloc;
	unsigned controls, notes;     /* control transfers, other transactions: counted only */
};

static inline void collect(void *ctx, const struct txn *t)
{
	struct col *col = ctx;
	struct cmd *c;

	if (t->kind == TXN_CONTROL) {
		col->controls++;
		return;
	}
	if (t->kind != TXN_SCSI) {
		col->notes++;
		return;
	}
	if (col->n == col->alloc) {
		col->alloc = col->alloc ? col->alloc * 2 : 64;
		col->c = realloc(col->c, col->alloc * sizeof(*col->c));
		cr_assert(col->c);
	}
	c = &col->c[col->n++];
	memset(c, 0, sizeof(*c));
	c->s = t->u.scsi;
	c->s.nframes = t->u.scsi.nframes < C_FRAMES ? t->u.scsi.nframes : C_FRAMES;
	if (c->s.nframes)
		memcpy(c->frames, t->u.scsi.frames, c->s.nframes * sizeof(uint64_t));
	c->s.frames = c->frames;
	c->s.nfindings = t->u.scsi.nfindings < C_FINDINGS ? t->u.scsi.nfindings : C_FINDINGS;
	if (c->s.nfindings)
		memcpy(c->findings, t->u.scsi.findings, c->s.nfindings * sizeof(struct finding));
	c->s.findings = c->findings;
	c->s.data.head_len = t->u.scsi.data.head_len < C_HEAD ? t->u.scsi.data.head_len : C_HEAD;
	if (c->s.data.head_len)
		memcpy(c->head, t->u.scsi.data.head, c->s.data.head_len);
	c->s.data.head = c->head;
}

static inline void col_free(struct col *col)
{
	free(col->c);
	memset(col, 0, sizeof(*col));
}

/* How many findings with this id the command has. */
static inline unsigned nfind(const struct cmd *c, const char *id)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < c->s.nfindings; i++)
		n += !strcmp(c->findings[i].id, id);
	return n;
}

static inline const struct finding *find(const struct cmd *c, const char *id)
{
	for (uint32_t i = 0; i < c->s.nfindings; i++)
		if (!strcmp(c->findings[i].id, id))
			return &c->findings[i];
	return NULL;
}

static inline bool has_frame(const struct cmd *c, uint64_t f)
{
	for (uint32_t i = 0; i < c->s.nframes; i++)
		if (c->frames[i] == f)
			return true;
	return false;
}

/* The command that starts in frame f, or NULL. */
static inline const struct cmd *at_frame(const struct col *col, uint64_t f)
{
	for (size_t i = 0; i < col->n; i++)
		if (col->c[i].s.frame == f)
			return &col->c[i];
	return NULL;
}

/* ------------------------------------------------------------- decoding */

/* Decode an opened capture to the end (which must be clean). */
static inline void decode_cap(struct cap *cap, struct col *col)
{
	struct decoder_opts o = { .notes = true, .other_traffic = false };
	struct decoder *d = decoder_new(&o, collect, col);
	struct cap_record r;
	struct error err;
	int rc;

	cr_assert(d);
	memset(col, 0, sizeof(*col));
	while ((rc = cap_next(cap, &r, &err)) > 0)
		if (r.kind == CAP_REC_USB)
			decoder_feed(d, &r.u.usb);
	cr_assert_eq(rc, 0, "capture read error: %s", errtext(&err));
	decoder_finish(d);
	decoder_free(d);
}

static inline void decode_sb(const struct strbuf *sb, struct col *col)
{
	struct cap *cap;
	struct error err;

	cr_assert_eq(cap_open_mem(sb->buf, sb->len, "test.pcap", &cap, &err), 0, "%s", errtext(&err));
	decode_cap(cap, col);
	cap_close(cap);
}

static inline void decode_path(const char *path, struct col *col)
{
	struct cap *cap;
	struct error err;

	cr_assert_eq(cap_open(path, &cap, &err), 0, "%s", errtext(&err));
	decode_cap(cap, col);
	cap_close(cap);
}

/* A file under top_srcdir; false when it is absent. */
static inline bool decode_rel(const char *rel, struct col *col)
{
	char *path = src_path(rel);

	if (access(path, R_OK) != 0) {
		free(path);
		return false;
	}
	decode_path(path, col);
	free(path);
	return true;
}

/* ------------------------------------------------------ capture builder */

/* A pcap file (usbmon mmapped, link type 220) of one device, record by record. */
struct capb {
	struct strbuf sb;
	uint64_t frame;           /* records so far */
	int64_t ts;               /* time of the next record */
	int64_t step;             /* between records */
	uint64_t id;              /* the last URB id handed out */
	uint16_t bus, dev;
};

static inline void capb_open(struct capb *b, uint16_t bus, uint16_t dev, uint32_t snaplen, uint64_t first_id,
			     int64_t ts, int64_t step)
{
	memset(b, 0, sizeof(*b));
	sb_init(&b->sb);
	pcapw_header(&b->sb, LINKTYPE_USB_LINUX_MMAPPED, snaplen, false, true);
	b->ts = ts;
	b->step = step;
	b->id = first_id;
	b->bus = bus;
	b->dev = dev;
}

/* One usbmon record; returns its frame number. */
static inline uint64_t put(struct capb *b, char type, uint8_t xfer, uint8_t ep, uint64_t id, int32_t status,
			   uint32_t length, const void *data, uint32_t caplen, const uint8_t *setup)
{
	struct strbuf pkt = STRBUF_INIT;
	struct usb_event e = mk_usb(type, xfer, b->bus, b->dev, ep, id, status, length, data, caplen, b->ts);
	uint32_t len;

	e.source = USB_SRC_USBMON_MMAPPED;
	if (setup) {
		e.has_setup = true;
		memcpy(e.setup, setup, 8);
	}
	len = usbw_usbmon(&pkt, &e, true, false);
	pcapw_record(&b->sb, e.ts_ns, pkt.buf, (uint32_t)pkt.len, len, false, true);
	sb_release(&pkt);
	b->ts += b->step;
	return ++b->frame;
}

/* A control transfer with an IN data stage (or none); returns the completion frame. */
static inline uint64_t ctrl(struct capb *b, const uint8_t setup[8], const void *in, uint32_t in_len)
{
	uint64_t id = ++b->id;
	uint32_t wlen = (uint32_t)(setup[6] | (setup[7] << 8));

	put(b, 'S', USB_XFER_CONTROL, (setup[0] & 0x80) ? 0x80 : 0x00, id, -115, wlen, NULL, 0, setup);
	return put(b, 'C', USB_XFER_CONTROL, (setup[0] & 0x80) ? 0x80 : 0x00, id, 0, in_len, in, in_len, NULL);
}

#endif
