/* decoder.c - the decode pipeline: URB pairing, control transfers, device model, and routing to BOT/UAS decoders. */
#include "config.h"
#include "decode/decode.h"

#include <stdlib.h>
#include <string.h>

#include "decode/bt.h"
#include "decode/device.h"
#include "decode/scsi.h"
#include "decode/storage.h"
#include "decode/txn.h"
#include "decode/urb.h"
#include "decode/usb_control.h"

/* One BOT or UAS decoder per storage interface. */
struct storage_if {
	uint16_t bus, device;
	uint8_t interface;
	uint8_t transport;
	bool inferred_pending;    /* attach "usb-roles-inferred" to its next transaction */
	bool inferred_said;       /* ... once */
	struct bot *bot;
	struct uas *uas;
	struct storage_if *next;
};

/* What we know per logical unit. */
struct lun_state {
	uint16_t bus, device;
	uint64_t lun;
	uint32_t block_size;
	struct lun_state *next;
};

/* A control transfer between its submit and its completion. */
struct ctl_open {
	uint64_t serial;
	struct txn_rec *r;
	struct ctl_open *next;
};

struct storage_ctx {
	struct emitter *em;
	struct lun_state *luns;
	struct storage_if *ifs;
};

struct decoder {
	struct decoder_opts opts;
	struct urb_pairer *pairer;
	struct devtable *devs;
	struct storage_ctx sc;
	struct ctl_open *ctl;
	uint32_t nctl;
	uint64_t last_frame;      /* the frame of the event fed last (for gap notes) */
	struct bt *bt;            /* Bluetooth HCI: logs and dongles (bt.c) */
};

/* Bounds: a hostile capture cannot make these lists grow without limit. */
#define CTL_OPEN_MAX 4096
#define LUN_MAX 4096
#define IF_MAX 1024

/* ------------------------------------------------------------ storage_ctx */

struct emitter *storage_emitter(struct storage_ctx *sc) { return sc->em; }

static struct lun_state *lun_find(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint64_t lun, bool create)
{
	unsigned n = 0;

	for (struct lun_state *l = sc->luns; l; l = l->next, n++)
		if (l->bus == bus && l->device == device && l->lun == lun)
			return l;
	if (!create || n >= LUN_MAX)
		return NULL;
	{
		struct lun_state *l = calloc(1, sizeof(*l));
		if (!l)
			abort();
		l->bus = bus;
		l->device = device;
		l->lun = lun;
		l->next = sc->luns;
		sc->luns = l;
		return l;
	}
}

uint32_t storage_block_size(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint64_t lun)
{
	struct lun_state *l = lun_find(sc, bus, device, lun, false);

	return l ? l->block_size : 0;
}

static struct storage_if *if_find(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint8_t interface)
{
	for (struct storage_if *s = sc->ifs; s; s = s->next)
		if (s->bus == bus && s->device == device && s->interface == interface)
			return s;
	return NULL;
}

void storage_scsi_done(struct storage_ctx *sc, struct txn_rec *r)
{
	struct scsi_txn *s = &r->t.u.scsi;
	struct storage_if *sif = if_find(sc, s->bus, s->device, s->interface);
	struct cdb_info ci;

	if (sif && sif->inferred_pending) {
		sif->inferred_pending = false;
		txn_add_finding(r, "usb-roles-inferred", SEV_INFO, &s->frame, 1,
				"%s endpoints of %u:%03u interface %u recognised from their traffic: "
				"the capture has no complete enumeration of the device",
				transport_name((enum transport)s->transport), s->bus, s->device, s->interface);
	}
	scsi_cdb_decode(s->cdb, s->cdb_len, &ci);
	s->ci = ci;
	s->block_size = storage_block_size(sc, s->bus, s->device, s->lun);
	/* Learn the block size from a good READ CAPACITY (and only then look
	 * at the data: the view computes the payload hash). */
	if (s->status == 0 && r->data && (ci.opcode == 0x25 || (ci.opcode == 0x9e && ci.service_action == 0x10))) {
		struct payload p;
		uint64_t last = 0;
		uint32_t bs = 0;
		bool ok = false;
		payload_acc_view(r->data, &p);
		if (ci.opcode == 0x25)
			ok = scsi_read_capacity10_parse(p.head, p.head_len, &last, &bs);
		else if (ci.opcode == 0x9e && ci.service_action == 0x10)
			ok = scsi_read_capacity16_parse(p.head, p.head_len, &last, &bs);
		if (ok && bs) {
			struct lun_state *l = lun_find(sc, s->bus, s->device, s->lun, true);
			if (l)
				l->block_size = bs;
			s->block_size = bs;
		}
	}
	txn_end(sc->em, r);
}

/* --------------------------------------------------------------- routing */

static struct storage_if *if_get(struct decoder *d, uint16_t bus, uint16_t device, const struct ep_route *rt)
{
	struct storage_if *s = if_find(&d->sc, bus, device, rt->interface);
	unsigned n = 0;

	if (s && s->transport == rt->transport)
		return s;
	if (s) {
		/* The interface switched transport (SET_INTERFACE alt 0 <-> 1):
		 * end what the old decoder had open. */
		if (s->bot) {
			bot_finish(s->bot);
			bot_free(s->bot);
			s->bot = NULL;
		}
		if (s->uas) {
			uas_finish(s->uas);
			uas_free(s->uas);
			s->uas = NULL;
		}
	} else {
		for (struct storage_if *x = d->sc.ifs; x; x = x->next)
			n++;
		if (n >= IF_MAX)
			return NULL;
		s = calloc(1, sizeof(*s));
		if (!s)
			abort();
		s->bus = bus;
		s->device = device;
		s->interface = rt->interface;
		s->next = d->sc.ifs;
		d->sc.ifs = s;
	}
	s->transport = rt->transport;
	s->inferred_pending = rt->inferred;
	s->inferred_said = rt->inferred;
	if (rt->transport == TRANSPORT_BOT)
		s->bot = bot_new(&d->sc, bus, device, rt->interface);
	else
		s->uas = uas_new(&d->sc, bus, device, rt->interface, rt->streams);
	return s;
}

static void storage_gone(struct decoder *d, uint16_t bus, uint16_t device, uint64_t frame)
{
	for (struct storage_if *s = d->sc.ifs; s; s = s->next) {
		if (s->bus != bus || s->device != device)
			continue;
		if (s->bot)
			bot_gone(s->bot, frame);
		if (s->uas)
			uas_gone(s->uas, frame);
	}
}

/* ----------------------------------------------------------------- notes */

static bool status_is_gone(int32_t st) { return st == -19 || st == -108; }
static bool status_is_unlink(int32_t st) { return st == -2 || st == -104; }

/* A USB note for u, begun; the caller ends it (txn_end).  NULL when notes are off. */
static struct txn_rec *note_begin(struct decoder *d, const struct urb *u, enum usb_note_kind kind)
{
	uint64_t frame = u->has_complete ? u->complete_frame : u->submit_frame;
	struct txn_rec *r;
	struct usb_note *n;

	if (!d->opts.notes)
		return NULL;
	r = txn_begin(d->sc.em, TXN_USB, frame);
	n = &r->t.u.note;
	n->kind = (uint8_t)kind;
	n->ts = u->has_complete ? u->complete_ts : u->submit_ts;
	n->bus = u->bus;
	n->device = u->device;
	n->endpoint = u->endpoint;
	n->xfer = u->xfer;
	n->status = u->status;
	n->length = u->has_complete ? u->actual : u->requested;
	return r;
}

static void note(struct decoder *d, const struct urb *u, enum usb_note_kind kind)
{
	struct txn_rec *r = note_begin(d, u, kind);

	if (r)
		txn_end(d->sc.em, r);
}

/* Error statuses, unpaired URBs and (when asked) other traffic of
 * endpoints no storage decoder owns. */
static void other_urb(struct decoder *d, const struct urb *u, bool at_submit)
{
	if (at_submit)
		return;
	if (!u->has_complete) {
		if (d->opts.other_traffic)
			note(d, u, USB_NOTE_NO_COMPLETION);
		return;
	}
	if (status_is_gone(u->status))
		note(d, u, USB_NOTE_DEVICE_GONE);
	else if (status_is_unlink(u->status))
		note(d, u, USB_NOTE_UNLINKED);
	else if (u->status != 0 && u->status != -121)   /* -121: short transfer, not an error */
		note(d, u, USB_NOTE_ERROR);
	else if (!u->has_submit && d->opts.other_traffic)
		note(d, u, USB_NOTE_NO_SUBMIT);
	else if (d->opts.other_traffic)
		note(d, u, USB_NOTE_OTHER_TRAFFIC);
}

/* A storage-pipe URB no command took: show it, with its error if any;
 * the Bulk-Only decoder adds what it knows of it. */
static void stray_urb(struct decoder *d, const struct urb *u, struct bot *bot)
{
	enum usb_note_kind kind;
	struct txn_rec *r;

	if (!u->has_complete)
		kind = USB_NOTE_NO_COMPLETION;
	else if (status_is_gone(u->status))
		kind = USB_NOTE_DEVICE_GONE;
	else if (status_is_unlink(u->status))
		kind = USB_NOTE_UNLINKED;
	else if (u->status != 0 && u->status != -121)
		kind = USB_NOTE_ERROR;
	else
		kind = USB_NOTE_STRAY;
	r = note_begin(d, u, kind);
	if (bot)
		bot_stray(bot, u, r);
	if (r)
		txn_end(d->sc.em, r);
}

/* -------------------------------------------------------------- control */

static struct ctl_open *ctl_take(struct decoder *d, uint64_t serial)
{
	struct ctl_open **pp = &d->ctl;

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->serial == serial) {
			struct ctl_open *c = *pp;
			*pp = c->next;
			d->nctl--;
			return c;
		}
	return NULL;
}

/* What a completed control request means for the storage decoders. */
static void control_effects(struct decoder *d, const struct urb *u)
{
	const uint8_t *s = u->setup;
	uint16_t windex = usb_setup_windex(s);

	uint64_t frame = u->has_submit ? u->submit_frame : u->complete_frame;   /* the request's own frame */

	if (!u->has_setup || u->status != 0)
		return;
	/* CLEAR_FEATURE(ENDPOINT_HALT) to an endpoint */
	if (s[0] == 0x02 && s[1] == 0x01 && usb_setup_wvalue(s) == 0) {
		struct ep_route rt;
		uint8_t ep = (uint8_t)windex;
		if (devtable_route(d->devs, u->bus, u->device, ep, &rt)) {
			struct storage_if *sif = if_find(&d->sc, u->bus, u->device, rt.interface);
			if (sif && sif->bot)
				bot_clear_halt(sif->bot, ep, frame);
			if (sif && sif->uas)
				uas_clear_halt(sif->uas, ep, frame);
		}
		return;
	}
	/* Bulk-Only Mass Storage Reset (class, interface) */
	if (s[0] == 0x21 && s[1] == 0xff) {
		struct storage_if *sif = if_find(&d->sc, u->bus, u->device, (uint8_t)windex);
		if (sif && sif->bot)
			bot_reset(sif->bot, frame, u->complete_ts);
	}
}

static void control_urb(struct decoder *d, const struct urb *u, bool at_submit)
{
	struct ctl_open *c;
	struct txn_rec *r;
	struct control_txn *t;

	if (at_submit) {
		if (d->nctl >= CTL_OPEN_MAX)
			return;               /* delivered at completion as one without a submit */
		c = calloc(1, sizeof(*c));
		if (!c)
			abort();
		c->serial = u->serial;
		c->r = txn_begin(d->sc.em, TXN_CONTROL, u->submit_frame);
		t = &c->r->t.u.ctl;
		t->ts_start = u->submit_ts;
		t->bus = u->bus;
		t->device = u->device;
		t->endpoint = u->endpoint;
		t->has_setup = u->has_setup;
		memcpy(t->setup, u->setup, 8);
		t->status = 1;
		c->next = d->ctl;
		d->ctl = c;
		d->nctl++;
		return;
	}
	c = ctl_take(d, u->serial);
	if (c) {
		r = c->r;
		free(c);
	} else {
		r = txn_begin(d->sc.em, TXN_CONTROL, u->has_complete ? u->complete_frame : u->submit_frame);
		t = &r->t.u.ctl;
		t->ts_start = u->has_submit ? u->submit_ts : u->complete_ts;
		t->bus = u->bus;
		t->device = u->device;
		t->endpoint = u->endpoint;
		t->has_setup = u->has_setup;
		memcpy(t->setup, u->setup, 8);
		if (!u->has_submit)
			txn_add_finding(r, "capture-gap", SEV_INFO, &u->complete_frame, 1,
					"completion of a control transfer whose submit is not in the capture");
	}
	t = &r->t.u.ctl;
	t->completed = u->has_complete;
	t->status = u->has_complete ? u->status : 1;
	t->ts_end = u->has_complete ? u->complete_ts : t->ts_start;
	if (u->has_complete) {
		txn_add_frame(r, u->complete_frame);
		if (u->caplen || u->moved)
			txn_add_data(r, u->data, u->caplen, u->moved);
		devtable_control(d->devs, u);
		if (u->has_setup && u->setup[0] == 0x80 && u->setup[1] == 0x06 && u->setup[3] == 0x01 && u->status == 0) {
			const struct usb_device_info *di = devtable_info(d->devs, u->bus, u->device);
			if (di && di->have_device_desc)
				bt_usb_device_class(d->bt, u->bus, u->device,
						    (uint32_t)di->dev_class << 16 | (uint32_t)di->dev_subclass << 8 |
						    di->dev_protocol);
		}
		control_effects(d, u);
		if (status_is_gone(u->status))
			storage_gone(d, u->bus, u->device, u->complete_frame);
	}
	txn_end(d->sc.em, r);
}

/* ------------------------------------------------------------------ URBs */

static void on_urb(void *ctx, const struct urb *u, bool at_submit)
{
	struct decoder *d = ctx;
	struct ep_route rt;

	if (u->xfer != USB_XFER_ISO && bt_usb_urb(d->bt, u, at_submit))
		return;
	if (u->xfer == USB_XFER_CONTROL) {
		control_urb(d, u, at_submit);
		return;
	}
	if (u->xfer == USB_XFER_BULK &&
	    (devtable_route(d->devs, u->bus, u->device, u->endpoint, &rt) || devtable_infer(d->devs, u, &rt))) {
		struct storage_if *sif = if_get(d, u->bus, u->device, &rt);
		/* Descriptors read only in part give some pipes; the others
		 * are inferred later: say so then. */
		if (sif && rt.inferred && !sif->inferred_said)
			sif->inferred_pending = sif->inferred_said = true;
		if (sif && sif->bot) {
			if (!bot_urb(sif->bot, u, at_submit, rt.role) && !at_submit)
				stray_urb(d, u, sif->bot);
		} else if (sif && sif->uas) {
			if (!uas_urb(sif->uas, u, at_submit, rt.role) && !at_submit)
				stray_urb(d, u, NULL);
		}
		if (!at_submit && u->has_complete && status_is_gone(u->status))
			storage_gone(d, u->bus, u->device, u->complete_frame);
		return;
	}
	other_urb(d, u, at_submit);
}

/* ------------------------------------------------------------ public API */

struct decoder *decoder_new(const struct decoder_opts *opts, txn_cb cb, void *ctx)
{
	struct decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (opts)
		d->opts = *opts;
	d->sc.em = emitter_new(cb, ctx);
	if (d->sc.em && d->opts.hook)
		emitter_set_hook(d->sc.em, d->opts.hook, d->opts.hook_ctx);
	d->devs = devtable_new();
	d->pairer = urb_pairer_new(on_urb, d);
	if (d->sc.em)
		d->bt = bt_new(d->sc.em);
	if (!d->sc.em || !d->devs || !d->pairer) {
		decoder_free(d);
		return NULL;
	}
	return d;
}

/* The capture lost events just before ev (usbmon's buffer overflowed):
 * a note of its own, at ev's frame, that says so. */
static void gap_note(struct decoder *d, const struct usb_event *ev)
{
	uint64_t fr[2] = { d->last_frame, ev->frame };
	struct txn_rec *r;
	struct usb_note *n;

	if (!d->opts.notes)
		return;
	r = txn_begin(d->sc.em, TXN_USB, ev->frame);
	n = &r->t.u.note;
	n->kind = USB_NOTE_GAP;
	n->ts = ev->ts_ns;
	n->bus = ev->bus;
	n->xfer = USB_XFER_UNKNOWN;
	n->length = ev->drops > UINT32_MAX ? UINT32_MAX : (uint32_t)ev->drops;
	txn_add_finding(r, "capture-gap", SEV_WARNING, d->last_frame ? fr : fr + 1, d->last_frame ? 2 : 1,
			"the capture lost %llu event%s here (usbmon's buffer was full): commands around "
			"frame %llu may be incomplete or missing",
			(unsigned long long)ev->drops, ev->drops == 1 ? "" : "s", (unsigned long long)ev->frame);
	txn_end(d->sc.em, r);
}

void decoder_feed(struct decoder *d, const struct usb_event *ev)
{
	if (ev->drops)
		gap_note(d, ev);
	d->last_frame = ev->frame;
	urb_pairer_feed(d->pairer, ev);
}

unsigned decoder_flush_stalled(struct decoder *d, int64_t before_ns)
{
	return emitter_pass_stalled(d->sc.em, before_ns);
}

void decoder_feed_hci(struct decoder *d, const struct hci_record *r)
{
	bt_record(d->bt, r);
}

void decoder_feed_record(struct decoder *d, const struct cap_record *r)
{
	if (r->kind == CAP_REC_USB)
		decoder_feed(d, &r->u.usb);
	else if (r->kind == CAP_REC_HCI)
		bt_record(d->bt, &r->u.hci);
}

void decoder_finish(struct decoder *d)
{
	urb_pairer_finish(d->pairer);
	/* Control transfers whose completion never came were ended by the
	 * pairer's incomplete delivery; storage decoders end what they hold. */
	for (struct storage_if *s = d->sc.ifs; s; s = s->next) {
		if (s->bot)
			bot_finish(s->bot);
		if (s->uas)
			uas_finish(s->uas);
	}
	bt_finish(d->bt);
	emitter_flush(d->sc.em);
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	urb_pairer_free(d->pairer);
	while (d->sc.ifs) {
		struct storage_if *s = d->sc.ifs;
		d->sc.ifs = s->next;
		if (s->bot)
			bot_free(s->bot);
		if (s->uas)
			uas_free(s->uas);
		free(s);
	}
	while (d->sc.luns) {
		struct lun_state *l = d->sc.luns;
		d->sc.luns = l->next;
		free(l);
	}
	while (d->ctl) {
		struct ctl_open *c = d->ctl;
		d->ctl = c->next;
		free(c);
	}
	devtable_free(d->devs);
	bt_free(d->bt);
	emitter_free(d->sc.em);
	free(d);
}

const struct usb_device_info *decoder_device_at(const struct decoder *d, unsigned i)
{
	return devtable_at(d->devs, i);
}

const struct cdb_info *scsi_txn_cdb(const struct scsi_txn *s, struct cdb_info *tmp)
{
	if (s->ci.name)
		return &s->ci;
	scsi_cdb_decode(s->cdb, s->cdb_len < SCSI_CDB_MAX ? s->cdb_len : SCSI_CDB_MAX, tmp);
	return tmp;
}

/* ----------------------------------------------------------------- names */

const char *transport_name(enum transport t)
{
	switch (t) {
	case TRANSPORT_BOT: return "bot";
	case TRANSPORT_UAS: return "uas";
	case TRANSPORT_NONE: break;
	}
	return "none";
}

const char *scsi_dir_name(enum scsi_dir dir)
{
	switch (dir) {
	case SCSI_DIR_IN: return "in";
	case SCSI_DIR_OUT: return "out";
	case SCSI_DIR_NONE: break;
	}
	return "none";
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_INFO: return "info";
	case SEV_WARNING: return "warning";
	case SEV_ERROR: return "error";
	}
	return "info";
}

const char *txn_end_name(enum txn_end e)
{
	switch (e) {
	case TXN_END_STATUS: return "status";
	case TXN_END_CAPTURE: return "capture-ended";
	case TXN_END_RESET: return "reset";
	case TXN_END_ABORTED: return "aborted";
	case TXN_END_DEVICE_GONE: return "device-gone";
	case TXN_END_SUPERSEDED: return "superseded";
	}
	return "unknown";
}

const char *sense_source_name(enum sense_source s)
{
	switch (s) {
	case SENSE_UAS_IU: return "sense-iu";
	case SENSE_AUTOSENSE: return "request-sense";
	case SENSE_OWN_DATA: return "data";
	case SENSE_NONE: break;
	}
	return "none";
}

const char *bt_kind_name(enum bt_kind k)
{
	switch (k) {
	case BT_COMMAND: return "command";
	case BT_EVENT: return "event";
	case BT_ACL: return "acl";
	case BT_SCO: return "sco";
	case BT_ISO: return "iso";
	case BT_TEXT: return "text";
	case BT_OTHER: return "other";
	}
	return "unknown";
}

uint64_t txn_first_frame(const struct txn *t)
{
	switch (t->kind) {
	case TXN_SCSI: return t->u.scsi.frame;
	case TXN_CONTROL: return t->u.ctl.frame;
	case TXN_BT: return t->u.bt.frame;
	default: return t->u.note.frame;
	}
}

int64_t txn_ts(const struct txn *t)
{
	switch (t->kind) {
	case TXN_SCSI: return t->u.scsi.ts_start;
	case TXN_CONTROL: return t->u.ctl.ts_start;
	case TXN_BT: return t->u.bt.ts_start;
	default: return t->u.note.ts;
	}
}

const struct finding *txn_findings(const struct txn *t, uint32_t *n)
{
	switch (t->kind) {
	case TXN_SCSI: *n = t->u.scsi.nfindings; return t->u.scsi.findings;
	case TXN_CONTROL: *n = t->u.ctl.nfindings; return t->u.ctl.findings;
	case TXN_BT: *n = t->u.bt.nfindings; return t->u.bt.findings;
	default: *n = t->u.note.nfindings; return t->u.note.findings;
	}
}

void txn_bus_device(const struct txn *t, uint16_t *bus, uint16_t *device)
{
	switch (t->kind) {
	case TXN_SCSI: *bus = t->u.scsi.bus; *device = t->u.scsi.device; break;
	case TXN_CONTROL: *bus = t->u.ctl.bus; *device = t->u.ctl.device; break;
	case TXN_BT: *bus = t->u.bt.bus; *device = t->u.bt.device; break;
	default: *bus = t->u.note.bus; *device = t->u.note.device; break;
	}
}

const char *usb_note_kind_name(enum usb_note_kind k)
{
	switch (k) {
	case USB_NOTE_ERROR: return "error";
	case USB_NOTE_UNLINKED: return "unlinked";
	case USB_NOTE_DEVICE_GONE: return "device-gone";
	case USB_NOTE_NO_SUBMIT: return "no-submit";
	case USB_NOTE_NO_COMPLETION: return "no-completion";
	case USB_NOTE_OTHER_TRAFFIC: return "traffic";
	case USB_NOTE_STRAY: return "stray";
	case USB_NOTE_GAP: return "events-lost";
	}
	return "unknown";
}
