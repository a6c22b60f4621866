/* cut.c - choose transactions, collect their frames and the enumeration they need, and write those packets as pcapng. */
#include "config.h"
#include "report/cut.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lint.h"
#include "capture/capture.h"
#include "capture/prefetch.h"
#include "capture/writer.h"
#include "decode/decode.h"
#include "decode/scsi.h"

/* ------------------------------------------------------------ vectors */

struct u64vec {
	uint64_t *v;
	size_t n, alloc;
	bool oom;
};

static void vec_push(struct u64vec *x, uint64_t v)
{
	if (x->n == x->alloc) {
		size_t na = x->alloc ? x->alloc * 2 : 256;
		uint64_t *nv = realloc(x->v, na * sizeof(*nv));
		if (!nv) {
			x->oom = true;
			return;
		}
		x->v = nv;
		x->alloc = na;
	}
	x->v[x->n++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void vec_sort_unique(struct u64vec *x)
{
	size_t o = 0;

	if (!x->n)
		return;
	qsort(x->v, x->n, sizeof(*x->v), cmp_u64);
	for (size_t i = 0; i < x->n; i++)
		if (!o || x->v[i] != x->v[o - 1])
			x->v[o++] = x->v[i];
	x->n = o;
}

/* ---------------------------------------------------------- decoding */

/* A transaction's frames, copied (at most CUT_TXN_FRAMES). */
struct saved {
	uint64_t first;
	uint32_t n;
	uint64_t f[CUT_TXN_FRAMES];
};

struct cdev {
	uint16_t bus, device;
	bool kept;                /* has a kept transaction */
	uint64_t last_kept;       /* first frame of its last kept transaction */
	struct saved *enums;      /* ring of its enumeration transfers */
	unsigned nenum, enum_head;
	uint64_t autosense_frame; /* a kept CHECK CONDITION's sense came in this frame */
	/* per LUN (the first 8 LUNs told apart): the last good READ CAPACITY */
	struct saved cap[8];
	bool have_cap[8], cap_in_cut[8];
};

struct pass {
	const struct cut_opts *o;
	struct cut_stats *st;
	int pass;                 /* 1 choose, 2 collect */
	uint64_t k;               /* delivery index */
	int64_t t0;
	struct u64vec chosen;     /* pass 1: indexes; pass 2: read */
	size_t cpos, ipos;         /* first chosen within context of k; first chosen >= k */
	struct u64vec frames;     /* pass 2: what to write */
	struct cdev *devs;
	unsigned ndevs;
	bool oom;
};

static struct cdev *cdev_get(struct pass *p, uint16_t bus, uint16_t device)
{
	for (unsigned i = 0; i < p->ndevs; i++)
		if (p->devs[i].bus == bus && p->devs[i].device == device)
			return &p->devs[i];
	if (p->ndevs == CUT_DEVICES_MAX)
		return NULL;
	memset(&p->devs[p->ndevs], 0, sizeof(p->devs[0]));
	p->devs[p->ndevs].bus = bus;
	p->devs[p->ndevs].device = device;
	return &p->devs[p->ndevs++];
}

static void save(struct saved *s, uint64_t first, const uint64_t *f, uint32_t n)
{
	s->first = first;
	s->n = n < CUT_TXN_FRAMES ? n : CUT_TXN_FRAMES;
	memcpy(s->f, f, s->n * sizeof(*f));
}

static void keep_frames(struct pass *p, const uint64_t *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		vec_push(&p->frames, f[i]);
}

/* sources[] index of Bluetooth records (USB sources are 1..5). */
#define SRC_HCI 7

static void txn_frames(const struct txn *t, const uint64_t **f, uint32_t *n, uint64_t *single)
{
	switch (t->kind) {
	case TXN_SCSI: *f = t->u.scsi.frames; *n = t->u.scsi.nframes; break;
	case TXN_CONTROL: *f = t->u.ctl.frames; *n = t->u.ctl.nframes; break;
	case TXN_BT: *f = t->u.bt.frames; *n = t->u.bt.nframes; break;
	default: *single = t->u.note.frame; *f = single; *n = 1; break;
	}
}

static void txn_where(const struct txn *t, uint16_t *bus, uint16_t *dev, uint64_t *first)
{
	switch (t->kind) {
	case TXN_SCSI: *bus = t->u.scsi.bus; *dev = t->u.scsi.device; *first = t->u.scsi.frame; break;
	case TXN_CONTROL: *bus = t->u.ctl.bus; *dev = t->u.ctl.device; *first = t->u.ctl.frame; break;
	case TXN_BT: *bus = t->u.bt.bus; *dev = t->u.bt.device; *first = t->u.bt.frame; break;
	default: *bus = t->u.note.bus; *dev = t->u.note.device; *first = t->u.note.frame; break;
	}
}

/* Enumeration a decoder learns the device from: GET_DESCRIPTOR,
 * SET_CONFIGURATION, SET_INTERFACE (USB 2.0 9.4), GET MAX LUN (BOT 3.2). */
static bool enumeration(const struct control_txn *c)
{
	if (!c->has_setup || c->status != 0)
		return false;
	if ((c->setup[0] & 0x60) == 0x00)
		return c->setup[1] == 0x06 || c->setup[1] == 0x09 || c->setup[1] == 0x0b;
	return c->setup[0] == 0xa1 && c->setup[1] == 0xfe;
}

static bool chosen_now(struct pass *p, const struct txn *t)
{
	uint16_t b, d;
	uint64_t first;

	if (p->o->filter)
		return filter_match(p->o->filter, t, p->t0);
	txn_where(t, &b, &d, &first);
	return first >= p->o->frame_lo && first <= p->o->frame_hi;
}

/* Is the delivery index k within context of a chosen one? */
static bool kept_index(struct pass *p, uint64_t k, bool *is_chosen)
{
	uint64_t c = p->o->context;

	while (p->cpos < p->chosen.n && p->chosen.v[p->cpos] + c < k)
		p->cpos++;
	while (p->ipos < p->chosen.n && p->chosen.v[p->ipos] < k)
		p->ipos++;
	*is_chosen = p->ipos < p->chosen.n && p->chosen.v[p->ipos] == k;
	return p->cpos < p->chosen.n && p->chosen.v[p->cpos] <= k + c;
}

static void on_txn(void *ctx, const struct txn *t)
{
	struct pass *p = ctx;
	uint64_t k = p->k++, first, single;
	const uint64_t *f;
	uint32_t n;
	uint16_t bus, device;
	struct cdev *d;
	bool is_chosen, kept, sense_of_kept = false;

	if (p->pass == 1) {
		if (chosen_now(p, t))
			vec_push(&p->chosen, k);
		return;
	}
	txn_where(t, &bus, &device, &first);
	txn_frames(t, &f, &n, &single);
	d = cdev_get(p, bus, device);
	kept = kept_index(p, k, &is_chosen);
	if (!is_chosen && d && t->kind == TXN_SCSI && d->autosense_frame)
		/* BOT's REQUEST SENSE that carried a kept CHECK CONDITION's sense */
		for (uint32_t i = 0; i < n; i++)
			if (f[i] == d->autosense_frame)
				sense_of_kept = true;
	if (is_chosen) {
		p->st->chosen++;
	} else if (sense_of_kept) {
		p->st->autosense++;
		kept = true;
	} else if (kept) {
		p->st->context++;
	}
	if (kept)
		keep_frames(p, f, n);
	if (d && t->kind == TXN_SCSI)
		d->autosense_frame = 0;
	if (!d)
		return;
	if (kept) {
		d->kept = true;
		d->last_kept = first;
	}
	if (t->kind == TXN_CONTROL && !kept && enumeration(&t->u.ctl)) {
		if (!d->enums && !(d->enums = calloc(CUT_ENUM_MAX, sizeof(*d->enums)))) {
			p->oom = true;
			return;
		}
		save(&d->enums[(d->enum_head + d->nenum) % CUT_ENUM_MAX], first, f, n);
		if (d->nenum < CUT_ENUM_MAX)
			d->nenum++;
		else
			d->enum_head = (d->enum_head + 1) % CUT_ENUM_MAX;
	}
	if (t->kind == TXN_SCSI) {
		const struct scsi_txn *s = &t->u.scsi;
		struct cdb_info tmp;
		const struct cdb_info *ci = scsi_txn_cdb(s, &tmp);
		unsigned lun = s->lun < 8 ? (unsigned)s->lun : 7;
		bool is_cap = (ci->opcode == 0x25 || (ci->opcode == 0x9e && ci->service_action == 0x10)) && s->status == 0;

		if (kept && s->sense.source == SENSE_AUTOSENSE)
			d->autosense_frame = s->sense.frame;
		if (is_cap) {
			if (kept)
				d->cap_in_cut[lun] = true;
			else {
				save(&d->cap[lun], first, f, n);
				d->have_cap[lun] = true;
			}
		} else if (kept && ci->has_blocks && !d->cap_in_cut[lun] && d->have_cap[lun]) {
			keep_frames(p, d->cap[lun].f, d->cap[lun].n);
			d->cap_in_cut[lun] = true;
			p->st->capacity++;
		}
	}
}

/* The capture, or its first max_bytes (a live capture still being written). */
static int cut_open(const char *path, const struct cut_opts *o, struct cap **c, struct error *err)
{
	return o->max_bytes ? cap_open_growing(path, o->max_bytes, c, err) : cap_open(path, c, err);
}

/* Decode the whole capture through on_txn.  Counts the link types seen. */
static int decode_pass(const char *path, struct pass *p, bool sources[8], struct error *err)
{
	struct decoder_opts dopts = { .notes = true, .other_traffic = false };
	struct checked_decoder cd;
	struct decoder *dec;
	struct cap *c;
	struct cap_prefetch *pf;
	struct cap_record r;
	bool have_t0 = false;
	int rc;

	if (cut_open(path, p->o, &c, err) < 0)
		return -1;
	if (checked_decoder_open(&cd, dopts, p->o->with_checks, on_txn, p) < 0) {
		cap_close(c);
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	}
	dec = cd.dec;
	if (cap_prefetch_start(c, &pf, err) < 0)
		pf = NULL;
	while ((rc = pf ? cap_prefetch_next(pf, &r, err) : cap_next(c, &r, err)) > 0) {
		if (r.kind == CAP_REC_HCI) {
			/* Bluetooth records are decoded (so numbering and t0 agree
			 * with decode) but cut writes USB captures only. */
			if (!have_t0) {
				p->t0 = r.u.hci.ts_ns;
				have_t0 = true;
			}
			decoder_feed_hci(dec, &r.u.hci);
			if (sources)
				sources[SRC_HCI] = true;
			continue;
		}
		if (r.kind != CAP_REC_USB)
			continue;
		if (sources && r.u.usb.source < 8)
			sources[r.u.usb.source] = true;
		if (!have_t0) {
			p->t0 = r.u.usb.ts_ns;
			have_t0 = true;
		}
		decoder_feed(dec, &r.u.usb);
	}
	cap_prefetch_stop(pf);
	decoder_finish(dec);
	checked_decoder_close(&cd);
	cap_close(c);
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------- writing */

static int source_linktype(uint8_t source)
{
	switch (source) {
	case SRC_HCI: return LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR;
	case USB_SRC_USBMON: return LINKTYPE_USB_LINUX;
	case USB_SRC_USBPCAP: return LINKTYPE_USBPCAP;
	case USB_SRC_DARWIN: return LINKTYPE_USB_DARWIN;
	default: return LINKTYPE_USB_LINUX_MMAPPED;   /* mmapped usbmon, and usbmon text */
	}
}

/* An Enhanced Packet Block (pcapng, section 4.3) with an opt_comment. */
static void epb_with_comment(struct strbuf *sb, uint32_t iface, int64_t ts_ns, const void *data, uint32_t caplen,
			     uint32_t len, const char *comment)
{
	struct strbuf body = STRBUF_INIT;
	uint64_t ts = ts_ns < 0 ? 0 : (uint64_t)ts_ns;
	size_t clen = strlen(comment);

	sb_init(&body);
	sb_add_le32(&body, iface);
	sb_add_le32(&body, (uint32_t)(ts >> 32));
	sb_add_le32(&body, (uint32_t)ts);
	sb_add_le32(&body, caplen);
	sb_add_le32(&body, len);
	sb_add(&body, data, caplen);
	sb_add_zeros(&body, (4 - caplen % 4) % 4);
	sb_add_le16(&body, 1);            /* opt_comment */
	sb_add_le16(&body, (uint16_t)clen);
	sb_add(&body, comment, clen);
	sb_add_zeros(&body, (4 - clen % 4) % 4);
	sb_add_le32(&body, 0);            /* opt_endofopt */
	pcapngw_block(sb, false, 6, body.buf, (uint32_t)body.len);
	sb_release(&body);
}

/* A chosen Bluetooth packet as LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: a
 * 4-byte big-endian direction (0 sent, 1 received), the H4 packet type,
 * the packet.  Side-band records (notes, syslog, power) have no H4 form
 * and are left out. */
static bool hci_packet(const struct hci_record *h, const struct u64vec *frames, size_t *pos, struct strbuf *pkt,
		       uint32_t *len)
{
	uint8_t type;

	while (*pos < frames->n && frames->v[*pos] < h->frame)
		(*pos)++;
	if (*pos == frames->n || frames->v[*pos] != h->frame)
		return false;
	(*pos)++;
	switch (h->type) {
	case HCI_REC_COMMAND: type = 1; break;
	case HCI_REC_ACL: type = 2; break;
	case HCI_REC_SCO: type = 3; break;
	case HCI_REC_EVENT: type = 4; break;
	case HCI_REC_ISO: type = 5; break;
	default: return false;
	}
	sb_reset(pkt);
	sb_add_be32(pkt, h->dir == HCI_DIR_RECV ? 1 : 0);
	sb_addc(pkt, (char)type);
	if (h->caplen && h->data)
		sb_add(pkt, h->data, h->caplen);
	*len = 5 + (h->len > h->caplen ? h->len : h->caplen);
	return true;
}

static int write_pass(const char *path, const struct cut_opts *o, const struct u64vec *frames, const bool sources[8],
		      FILE *out, struct cut_stats *st, struct error *err)
{
	struct strbuf sb = STRBUF_INIT, pkt = STRBUF_INIT;
	int iface[8];
	unsigned nif = 0;
	struct cap *c;
	struct cap_record r;
	size_t pos = 0;
	char comment[160];
	int rc = 0;

	if (cut_open(path, o, &c, err) < 0)
		return -1;
	sb_init(&sb);
	sb_init(&pkt);
	pcapngw_shb(&sb, false);
	for (int s = 0; s < 8; s++) {
		iface[s] = -1;
		if (sources[s]) {
			pcapngw_idb(&sb, false, source_linktype((uint8_t)s), 0, 9);
			iface[s] = (int)nif++;
		}
	}
	while (pos < frames->n && (rc = cap_next(c, &r, err)) > 0) {
		const struct usb_event *ev;
		uint32_t len;
		if (r.kind == CAP_REC_HCI) {
			if (hci_packet(&r.u.hci, frames, &pos, &pkt, &len)) {
				snprintf(comment, sizeof(comment), "frame %" PRIu64 "%s%s", r.u.hci.frame,
					 o->comment_name ? " of " : "", o->comment_name ? o->comment_name : "");
				epb_with_comment(&sb, (uint32_t)(iface[SRC_HCI] >= 0 ? iface[SRC_HCI] : 0), r.u.hci.ts_ns,
						 pkt.buf, (uint32_t)pkt.len, len, comment);
				if (!st->packets)
					st->first_frame = r.u.hci.frame;
				st->last_frame = r.u.hci.frame;
				st->packets++;
			}
			continue;
		}
		if (r.kind != CAP_REC_USB || r.u.usb.frame < frames->v[pos])
			continue;
		ev = &r.u.usb;
		if (ev->iso_ndesc && !ev->iso)
			r.u.usb.iso_ndesc = 0;   /* descriptors the reader did not keep are not invented */
		while (pos < frames->n && frames->v[pos] < ev->frame)
			pos++;
		if (pos == frames->n || frames->v[pos] != ev->frame)
			continue;
		pos++;
		sb_reset(&pkt);
		switch (source_linktype(ev->source)) {
		case LINKTYPE_USBPCAP: len = usbw_usbpcap(&pkt, ev); break;
		case LINKTYPE_USB_DARWIN: len = usbw_darwin(&pkt, ev); break;
		case LINKTYPE_USB_LINUX: len = usbw_usbmon(&pkt, ev, false, false); break;
		default: len = usbw_usbmon(&pkt, ev, true, false); break;
		}
		if (o->comment_name)
			snprintf(comment, sizeof(comment), "frame %" PRIu64 " of %s", ev->frame, o->comment_name);
		else
			snprintf(comment, sizeof(comment), "frame %" PRIu64, ev->frame);
		epb_with_comment(&sb, (uint32_t)(ev->source < 8 && iface[ev->source] >= 0 ? iface[ev->source] : 0),
				 ev->ts_ns, pkt.buf, (uint32_t)pkt.len, len, comment);
		if (!st->packets)
			st->first_frame = ev->frame;
		st->last_frame = ev->frame;
		st->packets++;
		if (sb.len >= 1 << 16) {
			if (fwrite(sb.buf, 1, sb.len, out) != sb.len)
				goto write_error;
			sb_reset(&sb);
		}
	}
	cap_close(c);
	if (pos < frames->n && rc < 0) {
		sb_release(&sb);
		sb_release(&pkt);
		return -1;
	}
	if (sb.len && fwrite(sb.buf, 1, sb.len, out) != sb.len)
		goto write_error_closed;
	sb_release(&sb);
	sb_release(&pkt);
	return fflush(out) == 0 ? 0 : error_set(err, 0, ERROR_NO_OFFSET, "cannot write the output");
write_error:
	cap_close(c);
write_error_closed:
	sb_release(&sb);
	sb_release(&pkt);
	return error_set(err, 0, ERROR_NO_OFFSET, "cannot write the output");
}

int cut_capture(const char *path, const struct cut_opts *o, FILE *out, struct cut_stats *st, struct error *err)
{
	struct pass p;
	bool sources[8] = { false };
	int rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&p, 0, sizeof(p));
	p.o = o;
	p.st = st;
	p.devs = calloc(CUT_DEVICES_MAX, sizeof(*p.devs));
	if (!p.devs)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	p.pass = 1;
	if (decode_pass(path, &p, sources, err) < 0)
		goto out;
	if (p.chosen.oom) {
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		goto out;
	}
	p.pass = 2;
	p.k = 0;
	if (decode_pass(path, &p, NULL, err) < 0)
		goto out;
	/* each device's enumeration before its last kept transaction */
	for (unsigned i = 0; i < p.ndevs; i++) {
		struct cdev *d = &p.devs[i];
		if (!d->kept)
			continue;
		for (unsigned k = 0; k < d->nenum; k++) {
			const struct saved *s = &d->enums[(d->enum_head + k) % CUT_ENUM_MAX];
			if (s->first < d->last_kept) {
				keep_frames(&p, s->f, s->n);
				st->enumeration++;
			}
		}
	}
	if (p.frames.oom || p.oom) {
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		goto out;
	}
	vec_sort_unique(&p.frames);
	rc = write_pass(path, o, &p.frames, sources, out, st, err);
out:
	for (unsigned i = 0; i < p.ndevs; i++)
		free(p.devs[i].enums);
	free(p.devs);
	free(p.chosen.v);
	free(p.frames.v);
	return rc;
}
