/* normalize.c - transactions as compact records and text lines without times, URB ids, tags or device numbers (diff, decode --normalized). */
#include "config.h"
#include "analyze/normalize.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "decode/hci.h"
#include "decode/scsi.h"
#include "decode/usb_control.h"
#include "util/hash.h"
#include "util/tsmath.h"

/* ------------------------------------------------------------------ fields */

struct field_name {
	const char *name;
	unsigned bit;
	const char *help;
};

static const struct field_name field_names[] = {
	{ "tag", NORM_TAG, "BOT/UAS tags (ignored by default)" },
	{ "address", NORM_ADDRESS, "bus and device numbers (ignored by default)" },
	{ "hub", NORM_HUB, "hub port requests, hubs' URBs (ignored by default)" },
	{ "timing", NORM_TIMING, "latencies (ignored by default; see --timing)" },
	{ "data", NORM_DATA, "payload hashes (ignored by default; see --data)" },
	{ "lba", NORM_LBA, "logical block addresses in CDBs" },
	{ "transport", NORM_TRANSPORT, "BOT/UAS details: CSW, residue, IUs, sense source..." },
	{ "autosense", NORM_AUTOSENSE, "BOT's REQUEST SENSE after a CHECK CONDITION" },
	{ "sense", NORM_SENSE, "sense data (the status is still compared)" },
	{ "lun", NORM_LUN, "logical unit numbers" },
	{ "control", NORM_CONTROL, "control transfers" },
	{ "notes", NORM_NOTES, "USB events: errors, unlinked URBs, stalls" },
};
#define NFIELDS (sizeof(field_names) / sizeof(field_names[0]))

const char *norm_field_name(unsigned i)
{
	return i < NFIELDS ? field_names[i].name : NULL;
}

const char *norm_field_help(unsigned i)
{
	return i < NFIELDS ? field_names[i].help : NULL;
}

int norm_fields_parse(const char *list, unsigned *bits, char *why, size_t why_size)
{
	const char *p = list;

	*bits = 0;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned i;

		if (n == 3 && !strncmp(p, "all", 3)) {
			for (i = 0; i < NFIELDS; i++)
				*bits |= field_names[i].bit;
		} else if (!(n == 4 && !strncmp(p, "none", 4))) {
			for (i = 0; i < NFIELDS; i++)
				if (strlen(field_names[i].name) == n && !strncmp(field_names[i].name, p, n))
					break;
			if (i == NFIELDS) {
				size_t used = (size_t)snprintf(why, why_size, "unknown field '%.*s'; fields are:",
							       (int)(n > 32 ? 32 : n), p);
				for (i = 0; i < NFIELDS && used < why_size; i++)
					used += (size_t)snprintf(why + used, why_size - used, " %s", field_names[i].name);
				return -1;
			}
			*bits |= field_names[i].bit;
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* ------------------------------------------------------------------ state */

struct norm_dev {
	uint16_t bus, device;
	uint16_t ordinal;         /* 0: address 0, or not given yet */
	bool hub;
	bool have_scsi;
	int64_t last_end;         /* of its last SCSI command */
	uint64_t last_index;      /* that command's index in the sequence */
	uint64_t autosense_frame; /* frame of the sense data its last CHECK CONDITION took from a REQUEST SENSE; 0 none */
};

struct normalizer {
	unsigned ignore;
	struct norm_dev *devs;
	unsigned ndevs, alloc;
	unsigned last;            /* cache: the device looked up last */
	uint16_t next_ordinal;
	uint64_t count;           /* records returned */
	struct strbuf arena;      /* control/note texts, NUL-terminated */
	struct strbuf tmp, line;
};

struct normalizer *norm_new(unsigned ignore)
{
	struct normalizer *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->ignore = ignore;
	n->next_ordinal = 1;
	sb_init(&n->arena);
	sb_init(&n->tmp);
	sb_init(&n->line);
	sb_addc(&n->arena, '\0'); /* offset 0: the empty text */
	return n;
}

void norm_free(struct normalizer *n)
{
	if (!n)
		return;
	free(n->devs);
	sb_release(&n->arena);
	sb_release(&n->tmp);
	sb_release(&n->line);
	free(n);
}

unsigned norm_ignored(const struct normalizer *n)
{
	return n->ignore;
}

/* The device's entry, made on first sight; NULL when the table is full. */
static struct norm_dev *dev_get(struct normalizer *n, uint16_t bus, uint16_t device)
{
	struct norm_dev *d;

	if (n->last < n->ndevs && n->devs[n->last].bus == bus && n->devs[n->last].device == device)
		return &n->devs[n->last];
	for (unsigned i = 0; i < n->ndevs; i++)
		if (n->devs[i].bus == bus && n->devs[i].device == device) {
			n->last = i;
			return &n->devs[i];
		}
	if (n->ndevs == NORM_DEVICES_MAX)
		return NULL;
	if (n->ndevs == n->alloc) {
		unsigned na = n->alloc ? n->alloc * 2 : 8;
		struct norm_dev *nd = realloc(n->devs, na * sizeof(*nd));
		if (!nd)
			return NULL;
		n->devs = nd;
		n->alloc = na;
	}
	d = &n->devs[n->ndevs];
	memset(d, 0, sizeof(*d));
	d->bus = bus;
	d->device = device;
	n->last = n->ndevs++;
	return d;
}

static bool setup_is(const uint8_t s[8], uint8_t type, uint8_t req)
{
	return s[0] == type && s[1] == req;
}

/* Hub class requests go to the hub (recipient device) or one of its ports (other). */
static bool hub_request(const uint8_t s[8])
{
	return (s[0] & 0x60) == 0x20 && ((s[0] & 0x1f) == 3 || ((s[0] & 0x1f) == 0 && s[1] == 0x06 &&
									 (s[3] == 0x29 || s[3] == 0x2a)));
}

/* Mass-storage class requests: Bulk-Only reset (FFh), GET MAX LUN (FEh); BOT 3.1, 3.2. */
static bool msc_request(const uint8_t s[8])
{
	return (s[0] & 0x7f) == 0x21 && (s[1] == 0xff || s[1] == 0xfe);
}

/* ------------------------------------------------------------------- text */

static void add_device(struct strbuf *sb, unsigned ignore, const struct norm_txn *r)
{
	if (ignore & NORM_ADDRESS) {
		if (r->dev == UINT16_MAX)
			sb_adds(sb, "d?");
		else
			sb_addf(sb, "d%u", r->dev);
	} else {
		sb_addf(sb, "%u:%03u", r->bus, r->dev);
	}
}

/* The status byte in words; a reserved one as its value, so that
 * different statuses never read the same (the key relies on it). */
static void add_status(struct strbuf *sb, int status)
{
	const char *n = scsi_status_name(status);

	if (n)
		sb_adds(sb, n);
	else
		sb_addf(sb, "status 0x%02x", (unsigned)status & 0xff);
}

static void render_scsi(unsigned ignore, const struct norm_txn *r, struct strbuf *sb, size_t start, size_t *result_at)
{
	struct cdb_info ci;
	bool tr = !(ignore & NORM_TRANSPORT);

	add_device(sb, ignore, r);
	if (!(ignore & NORM_LUN))
		sb_addf(sb, " L%" PRIu64, r->lun);
	if (tr)
		sb_addf(sb, " %s", transport_name((enum transport)r->transport));
	if (!(ignore & NORM_TAG))
		sb_addf(sb, " #%" PRIu32, r->tag);
	sb_addc(sb, ' ');
	scsi_cdb_decode(r->cdb, r->cdb_len, &ci);
	if (ignore & NORM_LBA)
		ci.has_lba = false;
	scsi_cdb_summary(sb, &ci);
	sb_adds(sb, " [");
	for (unsigned i = 0; i < r->cdb_len; i++) {
		if (i)
			sb_addc(sb, ' ');
		if ((r->flags & NORM_F_LBA_MASKED) && (r->mask & (1u << i)))
			sb_adds(sb, "..");
		else
			sb_addf(sb, "%02x", r->cdb[i]);
	}
	if (r->flags & NORM_F_CDB_LONG)
		sb_addf(sb, " ... #%08" PRIx32, r->residue);
	sb_addc(sb, ']');
	if (result_at)
		*result_at = sb->len - start;
	sb_addf(sb, " %s %" PRIu64, scsi_dir_name((enum scsi_dir)r->dir), r->moved);
	if (tr) {
		if (r->expected == UINT32_MAX)
			sb_adds(sb, "/?");
		else
			sb_addf(sb, "/%" PRIu32, r->expected);
	}
	sb_addc(sb, ' ');
	if (r->status >= 0)
		add_status(sb, r->status);
	else if (r->csw_status == 2)
		sb_adds(sb, "PHASE ERROR");
	else if (r->uas_response >= 0)
		sb_addf(sb, "RESPONSE 0x%02x", (unsigned)r->uas_response);
	else
		sb_addf(sb, "no status (%s)", txn_end_name((enum txn_end)r->end));
	if (r->sense_src != SENSE_NONE && !(ignore & NORM_SENSE)) {
		sb_addc(sb, ' ');
		scsi_sense_summary(sb, r->sense_key, r->sense_asc, r->sense_ascq);
	}
	if (tr) {
		if (r->sense_src != SENSE_NONE)
			sb_addf(sb, " sense=%s", sense_source_name((enum sense_source)r->sense_src));
		if (r->csw_status >= 0)
			sb_addf(sb, " csw=%d residue=%" PRIu32, r->csw_status,
				(r->flags & NORM_F_CDB_LONG) ? 0 : r->residue);
		if (r->uas_response >= 0 && r->status >= 0)
			sb_addf(sb, " response=0x%02x", (unsigned)r->uas_response);
	}
	if (r->status >= 0 && r->end != TXN_END_STATUS)
		sb_addf(sb, " end=%s", txn_end_name((enum txn_end)r->end));
}

void norm_render(const struct normalizer *n, const struct norm_txn *r, struct strbuf *sb, size_t *result_at, bool data)
{
	size_t start = sb->len;

	if (r->kind == TXN_SCSI) {
		render_scsi(n->ignore, r, sb, start, result_at);
	} else {
		const char *text = r->text < n->arena.len ? n->arena.buf + r->text : "";
		const char *res = strchr(text, '\t');

		add_device(sb, n->ignore, r);
		sb_addc(sb, ' ');
		/* The stored text is "request\tresult". */
		if (res) {
			sb_add(sb, text, (size_t)(res - text));
			if (result_at)
				*result_at = sb->len - start;
			sb_addc(sb, ' ');
			sb_adds(sb, res + 1);
		} else {
			sb_adds(sb, text);
			if (result_at)
				*result_at = sb->len - start;
		}
	}
	if (data && r->moved) {
		sb_addf(sb, "  data=%s:%016" PRIx64, (r->flags & NORM_F_DATA_FULL) ? "xxh3" : "partial", r->data_hash);
	}
}

/* ------------------------------------------------------------- normalize */

/* The LBA's bytes in a CDB of the usual layouts (SBC-3 4.2.2: 6-byte CDBs
 * bits 20-0 of bytes 1-3, 10/12-byte bytes 2-5, 16-byte bytes 2-9), when
 * they hold the LBA the decoder found; 0 when the layout is another. */
static uint16_t lba_mask(const struct cdb_info *ci, const uint8_t *cdb, unsigned len)
{
	unsigned first, n;
	uint64_t v = 0;

	if (!ci->has_lba)
		return 0;
	switch (ci->group_len) {
	case 6: first = 1; n = 3; break;
	case 10: case 12: first = 2; n = 4; break;
	case 16: first = 2; n = 8; break;
	default: return 0;
	}
	if (first + n > len)
		return 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | cdb[first + i];
	if (ci->group_len == 6)
		v &= 0x1fffff;
	if (v != ci->lba)
		return 0;
	return (uint16_t)(((1u << n) - 1) << first);
}

static uint32_t dur_us(int64_t a, int64_t b)
{
	int64_t d = ts_sub(b, a);

	if (d < 0)
		return 0;
	return (uint64_t)d / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)((uint64_t)d / 1000);
}

static void scsi_record(struct normalizer *n, const struct scsi_txn *s, struct norm_txn *r)
{
	struct cdb_info tmp;
	const struct cdb_info *ci = scsi_txn_cdb(s, &tmp);
	unsigned len = s->cdb_len < SCSI_CDB_MAX ? s->cdb_len : SCSI_CDB_MAX;

	/* The CDB as the command defines it: its group's length when the
	 * transport carried at least that (UAS always carries 16 bytes,
	 * BOT bCBWCBLength); else the bytes carried.  With the transport
	 * ignored, a vendor or variable CDB also loses its trailing zeros. */
	if (ci->group_len && ci->group_len <= len)
		len = ci->group_len;
	else if (n->ignore & NORM_TRANSPORT)
		while (len > 6 && s->cdb[len - 1] == 0)
			len--;
	if (len > NORM_CDB_MAX) {
		/* A UAS CDB with additional bytes: the line shows the first 16
		 * and a hash of all (kept in residue, which only BOT has). */
		r->flags |= NORM_F_CDB_LONG;
		r->residue = (uint32_t)XXH3_64bits(s->cdb, len);
		len = NORM_CDB_MAX;
	}
	memcpy(r->cdb, s->cdb, len);
	r->cdb_len = (uint8_t)len;
	if (n->ignore & NORM_LBA) {
		r->mask = lba_mask(ci, r->cdb, len);
		if (r->mask)
			r->flags |= NORM_F_LBA_MASKED;
	}
	r->lun = s->lun;
	r->transport = s->transport;
	r->tag = s->tag;
	r->dir = s->direction;
	if ((n->ignore & NORM_TRANSPORT) && s->data.bytes == 0)
		r->dir = SCSI_DIR_NONE;   /* BOT announces a direction for 0 bytes as it likes */
	r->moved = s->data.bytes;
	r->expected = s->expected_unknown ? UINT32_MAX : s->expected_bytes;
	r->status = s->status;
	r->csw_status = s->csw_status;
	if (!(r->flags & NORM_F_CDB_LONG))
		r->residue = s->residue;
	r->uas_response = s->uas_response;
	r->end = s->end;
	r->sense_src = s->sense.source;
	r->sense_key = s->sense.key;
	r->sense_asc = s->sense.asc;
	r->sense_ascq = s->sense.ascq;
	r->data_hash = s->data.hash;
	if (s->data.captured == s->data.bytes)
		r->flags |= NORM_F_DATA_FULL;
	r->dur_us = dur_us(s->ts_start, s->ts_end);
}

static void add_usb_status(struct strbuf *sb, int32_t status, bool completed)
{
	const char *name;

	if (!completed) {
		sb_adds(sb, "not completed");
		return;
	}
	if (status == 0) {
		sb_adds(sb, "ok");
		return;
	}
	name = usb_status_errno_name(status);
	if (name)
		sb_addf(sb, "%s(%d)", name, status);
	else
		sb_addf(sb, "status %d", status);
}

/* Store the text in tmp in the arena; -1 when it is full. */
static int arena_put(struct normalizer *n, struct norm_txn *r)
{
	size_t len = n->tmp.len < NORM_TEXT_MAX ? n->tmp.len : NORM_TEXT_MAX;

	if (n->arena.len + len + 1 > NORM_ARENA_MAX)
		return -1;
	r->text = (uint32_t)n->arena.len;
	sb_add(&n->arena, n->tmp.buf, len);
	sb_addc(&n->arena, '\0');
	return 0;
}

/*
 * The key of a SCSI record without rendering its line: a hash of exactly
 * the fields render_scsi shows under the same ignore bits, each in a fixed
 * place, so that two records have the same key when (and, but for XXH3
 * collisions, only when) they have the same line - the line is a function
 * of these fields and shows each of them distinctly.  Rendering the text
 * (printf) for every transaction made diff twice as slow as decoding.
 * test_diff checks the equivalence on random records.
 */
struct scsi_canon {
	/* identity: what ident hashes */
	uint16_t dev, bus;
	uint8_t transport;
	uint8_t cdb_len;
	uint8_t flags;            /* NORM_F_CDB_LONG | NORM_F_LBA_MASKED */
	uint8_t pad0;
	uint16_t mask;
	uint16_t pad1;
	uint32_t tag;
	uint32_t cdb_hash;        /* NORM_F_CDB_LONG */
	uint64_t lun;
	uint8_t cdb[NORM_CDB_MAX];
	/* result */
	uint64_t moved;
	uint32_t expected;
	int16_t status, status_alt;   /* status < 0: phase error / response / end, as shown */
	uint8_t dir, sense_src, sense_key, sense_asc, sense_ascq, end;
	int16_t csw_status, uas_response;
	uint32_t residue;
};

#define CANON_IDENT_END offsetof(struct scsi_canon, moved)

static void scsi_key(unsigned ignore, struct norm_txn *r)
{
	struct scsi_canon c;
	bool tr = !(ignore & NORM_TRANSPORT);

	memset(&c, 0, sizeof(c));
	c.dev = r->dev;
	if (!(ignore & NORM_ADDRESS))
		c.bus = r->bus;
	if (!(ignore & NORM_LUN))
		c.lun = r->lun;
	if (tr)
		c.transport = r->transport;
	if (!(ignore & NORM_TAG))
		c.tag = r->tag;
	c.cdb_len = r->cdb_len;
	c.flags = r->flags & (NORM_F_CDB_LONG | NORM_F_LBA_MASKED);
	memcpy(c.cdb, r->cdb, r->cdb_len);
	if (r->flags & NORM_F_LBA_MASKED) {
		c.mask = r->mask;
		for (unsigned i = 0; i < r->cdb_len; i++)
			if (r->mask & (1u << i))
				c.cdb[i] = 0;
	}
	if (r->flags & NORM_F_CDB_LONG)
		c.cdb_hash = r->residue;
	c.dir = r->dir;
	c.moved = r->moved;
	if (tr)
		c.expected = r->expected;
	c.status = r->status;
	if (r->status < 0)
		c.status_alt = r->csw_status == 2 ? -1000 : r->uas_response >= 0 ? r->uas_response : (int16_t)(-2000 - r->end);
	if (r->sense_src != SENSE_NONE && !(ignore & NORM_SENSE)) {
		c.sense_key = r->sense_key;
		c.sense_asc = r->sense_asc;
		c.sense_ascq = r->sense_ascq;
		c.sense_src = 0xff;   /* there is sense */
	}
	if (tr) {
		if (r->sense_src != SENSE_NONE)
			c.sense_src = r->sense_src;
		c.csw_status = r->csw_status >= 0 ? r->csw_status : -1;
		if (r->csw_status >= 0 && !(r->flags & NORM_F_CDB_LONG))
			c.residue = r->residue;
		c.uas_response = r->uas_response >= 0 && r->status >= 0 ? r->uas_response : -1;
	}
	if (r->status >= 0 && r->end != TXN_END_STATUS)
		c.end = r->end;
	r->key = XXH3_64bits(&c, sizeof(c));
	r->ident = XXH3_64bits(&c, CANON_IDENT_END);
}

int norm_add(struct normalizer *n, const struct txn *t, struct norm_txn *out, struct norm_txn *seq)
{
	struct norm_txn *r = out;
	struct norm_dev *d;
	uint16_t bus, device;
	size_t result_at = 0;

	/* Bluetooth: the capture tool's side-band records (notes, syslog,
	 * power) and the controller's flow control (Number Of Completed
	 * Packets, batched differently each run) say nothing about the
	 * exchange: not compared. */
	if (t->kind == TXN_BT && (t->u.bt.kind == BT_TEXT || t->u.bt.kind == BT_OTHER ||
				  (t->u.bt.kind == BT_EVENT && t->u.bt.event == 0x13)))
		return 0;
	txn_bus_device(t, &bus, &device);
	d = dev_get(n, bus, device);
	if (t->kind == TXN_CONTROL && t->u.ctl.has_setup) {
		const struct control_txn *c = &t->u.ctl;
		/* A hub: it gets port requests, or says so in its device descriptor
		 * (class 09h, USB 2.0 11.23.1) - not at address 0, which every
		 * device being enumerated uses. */
		if (d && hub_request(c->setup))
			d->hub = true;
		if (d && device != 0 && setup_is(c->setup, 0x80, 0x06) && c->setup[3] == 0x01 && c->data.head_len >= 5 &&
		    c->data.head[1] == 0x01 && c->data.head[4] == 0x09)
			d->hub = true;
	}
	if ((n->ignore & NORM_HUB) && d && d->hub)
		return 0;

	memset(r, 0, sizeof(*r));
	r->kind = t->kind;
	r->bus = bus;
	/* Devices are numbered in the order their first compared transaction
	 * came (a hub left out gets no number); address 0 is the default
	 * address of any device being enumerated. */
	if (d && !d->ordinal && device != 0)
		d->ordinal = n->next_ordinal++;
	r->dev = (n->ignore & NORM_ADDRESS) ? (d ? d->ordinal : UINT16_MAX) : device;
	r->status = r->csw_status = r->uas_response = -1;
	sb_reset(&n->tmp);

	switch (t->kind) {
	case TXN_SCSI: {
		const struct scsi_txn *s = &t->u.scsi;
		r->frame = s->frame;
		if (d && (n->ignore & NORM_AUTOSENSE) && d->autosense_frame && s->cdb_len && s->cdb[0] == 0x03) {
			uint64_t f = d->autosense_frame;
			d->autosense_frame = 0;
			for (uint32_t i = 0; i < s->nframes; i++)
				if (s->frames[i] == f)
					return 0;
		}
		if (d)
			d->autosense_frame = s->sense.source == SENSE_AUTOSENSE ? s->sense.frame : 0;
		scsi_record(n, s, r);
		if (d) {
			/* In flight together with the device's previous command:
			 * their order says nothing (diff.h). */
			if (seq && d->have_scsi && s->ts_start < d->last_end) {
				r->flags |= NORM_F_CONCURRENT;
				seq[d->last_index].flags |= NORM_F_CONCURRENT;
			}
			if (!d->have_scsi || s->ts_end > d->last_end)
				d->last_end = s->ts_end;
			d->have_scsi = true;
			d->last_index = n->count;
		}
		break;
	}
	case TXN_CONTROL: {
		const struct control_txn *c = &t->u.ctl;
		if (n->ignore & NORM_CONTROL)
			return 0;
		if ((n->ignore & NORM_TRANSPORT) && c->has_setup && msc_request(c->setup))
			return 0;
		r->frame = c->frame;
		r->moved = c->data.bytes;
		r->data_hash = c->data.hash;
		if (c->data.captured == c->data.bytes)
			r->flags |= NORM_F_DATA_FULL;
		r->dur_us = dur_us(c->ts_start, c->ts_end);
		sb_addf(&n->tmp, "ep%u ctl ", c->endpoint & 0x7f);
		if (!c->has_setup) {
			sb_adds(&n->tmp, "control transfer (setup not captured)\t");
		} else {
			size_t at = n->tmp.len;
			const char *arrow;
			if ((n->ignore & NORM_ADDRESS) && setup_is(c->setup, 0x00, 0x05))
				sb_adds(&n->tmp, "SET_ADDRESS (address not compared)");
			else
				usb_control_summary(&n->tmp, c->setup, c->data.head, c->data.head_len);
			/* The request, with its setup packet (whose fields the
			 * summary may not all show), then the answer. */
			arrow = strstr(n->tmp.buf + at, " -> ");
			sb_reset(&n->line);
			if (arrow) {
				sb_adds(&n->line, arrow + 4);
				n->tmp.len = (size_t)(arrow - n->tmp.buf);
				n->tmp.buf[n->tmp.len] = '\0';
			}
			sb_adds(&n->tmp, " [");
			for (unsigned i = 0; i < 8; i++)
				sb_addf(&n->tmp, i ? " %02x" : "%02x",
					((n->ignore & NORM_ADDRESS) && setup_is(c->setup, 0x00, 0x05) && i == 2) ? 0 : c->setup[i]);
			sb_adds(&n->tmp, "]\t-> ");
			if (n->line.len) {
				sb_add(&n->tmp, n->line.buf, n->line.len);
				sb_adds(&n->tmp, ", ");
			}
		}
		sb_addf(&n->tmp, "%" PRIu64 " bytes, ", c->data.bytes);
		add_usb_status(&n->tmp, c->status, c->completed);
		if (arena_put(n, r) < 0)
			return -1;
		break;
	}
	case TXN_BT: {
		const struct bt_txn *b = &t->u.bt;
		r->frame = b->frame;
		r->moved = b->data.bytes;
		r->data_hash = b->data.hash;
		if (b->data.captured == b->data.bytes)
			r->flags |= NORM_F_DATA_FULL;
		r->dur_us = dur_us(b->ts_start, b->ts_end);
		sb_addf(&n->tmp, "hci %s ", b->dir == HCI_DIR_SENT ? "sent" : b->dir == HCI_DIR_RECV ? "recv" : "-");
		bt_summary(&n->tmp, b);
		sb_adds(&n->tmp, "\t-> ");
		sb_reset(&n->line);
		bt_status_text(&n->line, b);
		if (n->line.len) {
			sb_add(&n->tmp, n->line.buf, n->line.len);
			sb_adds(&n->tmp, ", ");
		}
		sb_addf(&n->tmp, "%" PRIu64 " bytes", b->data.bytes);
		if (arena_put(n, r) < 0)
			return -1;
		break;
	}
	default: {
		const struct usb_note *u = &t->u.note;
		if (n->ignore & NORM_NOTES)
			return 0;
		r->frame = u->frame;
		sb_addf(&n->tmp, "ep%u%s usb %s %s\t", u->endpoint & 0x7f, (u->endpoint & 0x80) ? "in" : "out",
			usb_xfer_name((enum usb_xfer_type)u->xfer), usb_note_kind_name((enum usb_note_kind)u->kind));
		add_usb_status(&n->tmp, u->status, u->kind != USB_NOTE_NO_COMPLETION);
		sb_addf(&n->tmp, " len=%" PRIu32, u->length);
		if (arena_put(n, r) < 0)
			return -1;
		break;
	}
	}

	if (t->kind == TXN_SCSI) {
		scsi_key(n->ignore, r);
		n->count++;
		return 1;
	}
	sb_reset(&n->tmp);
	norm_render(n, r, &n->tmp, &result_at, false);
	r->key = XXH3_64bits(n->tmp.buf, n->tmp.len);
	r->ident = XXH3_64bits(n->tmp.buf, result_at);
	if (t->kind == TXN_CONTROL && t->u.ctl.has_setup) {
		/* The same request is the same setup packet on the same device
		 * and endpoint: the summary's words may depend on the answer
		 * (a descriptor the capture cut short). */
		size_t b = result_at, dev_len = strcspn(n->tmp.buf, " ");
		while (b > 0 && n->tmp.buf[b - 1] != '[')
			b--;
		if (b > 0)
			r->ident = XXH3_64bits(n->tmp.buf, dev_len) ^ XXH3_64bits(n->tmp.buf + b, result_at - b) ^
				   (uint64_t)(t->u.ctl.endpoint & 0x7f) * 0x9e3779b97f4a7c15ULL;
	}
	n->count++;
	return 1;
}
