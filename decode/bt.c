/* bt.c - Bluetooth HCI decoding: commands matched to Command Complete/Status, connection handles, ACL reassembled into L2CAP, HCI over USB. */
#include "config.h"
#include "decode/bt.h"

#include <stdlib.h>
#include <string.h>

#include "decode/hci.h"
#include "util/bytes.h"

/*
 * Packets (Core Vol 4 Part E 5.4): a command is opcode (2, LE), parameter
 * length (1), parameters; an event is code (1), parameter length (1),
 * parameters; ACL data is handle + PB/BC flags (2, LE), data length (2),
 * data.  An L2CAP PDU (Vol 3 Part A 3.1) is length (2), channel id (2),
 * information payload, and may be split over ACL packets: the first with
 * PB flag 00b or 10b (11b on AMP: a complete PDU), the others 01b.
 */

struct pending {
	struct txn_rec *r;
	uint16_t opcode;
	unsigned overtaken;       /* later commands answered while this one waited */
	struct pending *next;
};

struct conn {
	bool used;
	uint16_t handle;
	uint8_t link;             /* as bt_txn.link */
	uint8_t addr[6];
	uint64_t serial;          /* age, for replacing the oldest when full */
};

struct reasm {
	bool used;
	uint16_t handle;
	uint8_t dir;
	uint16_t bus, device;
	struct txn_rec *r;        /* NULL while the L2CAP header is not all here */
	uint8_t hdr[4];
	uint8_t hdr_len;
	uint32_t need;            /* L2CAP payload bytes still to come */
	uint64_t last;            /* frame of its latest fragment: the oldest is given up first */
};

struct dongle {
	bool used;
	uint16_t bus, device;
	uint8_t evt[2 + 255];
	uint16_t evt_len;
	uint64_t evt_frame;
	int64_t evt_ts;
	uint8_t *acl[2];          /* [0] OUT, [1] IN: bytes of an ACL packet split over URBs */
	uint32_t acl_len[2];
	uint64_t acl_frame[2];
};

struct bt {
	struct emitter *em;
	struct pending *pend;     /* oldest first */
	unsigned npend;
	struct conn conns[BT_CONN_MAX];
	uint64_t conn_serial;
	struct reasm reasm[BT_REASM_MAX];
	struct dongle dongles[BT_DONGLES_MAX];
};

/* What bt_packet is given: one HCI packet, whatever carried it. */
struct pkt {
	uint8_t type;             /* enum hci_rec_type */
	uint8_t dir;              /* enum hci_dir */
	uint8_t source;
	uint64_t frame;           /* first frame (submit of an OUT URB, the record) */
	uint64_t frame2;          /* another frame of the same packet (completion), 0 none */
	int64_t ts;
	uint16_t bus, device;
	const uint8_t *data;
	uint32_t caplen, len;
};

struct bt *bt_new(struct emitter *em)
{
	struct bt *bt = calloc(1, sizeof(*bt));

	if (!bt)
		abort();
	bt->em = em;
	return bt;
}

/* ---------------------------------------------------------------- connections */

static struct conn *conn_find(struct bt *bt, uint16_t handle)
{
	for (unsigned i = 0; i < BT_CONN_MAX; i++)
		if (bt->conns[i].used && bt->conns[i].handle == handle)
			return &bt->conns[i];
	return NULL;
}

static void conn_add(struct bt *bt, uint16_t handle, uint8_t link, const uint8_t *addr)
{
	struct conn *c = conn_find(bt, handle);

	for (unsigned i = 0; !c && i < BT_CONN_MAX; i++)
		if (!bt->conns[i].used)
			c = &bt->conns[i];
	if (!c)
		return;                   /* full: not tracked (said in bt.h) */
	c->used = true;
	c->handle = handle;
	c->link = link;
	memcpy(c->addr, addr, 6);
	c->serial = bt->conn_serial++;
}

static void set_handle(struct bt *bt, struct bt_txn *b, uint16_t handle)
{
	struct conn *c;

	b->handle = handle & 0x0fff;
	c = conn_find(bt, b->handle);
	if (c) {
		b->link = c->link;
		b->has_peer = true;
		memcpy(b->peer, c->addr, 6);
	}
}

/* ---------------------------------------------------------------- transactions */

static struct txn_rec *begin(struct bt *bt, enum bt_kind kind, const struct pkt *pk)
{
	struct txn_rec *r = txn_begin(bt->em, TXN_BT, pk->frame);
	struct bt_txn *b = &r->t.u.bt;

	b->kind = (uint8_t)kind;
	b->rec_type = pk->type;
	b->dir = pk->dir;
	b->source = pk->source;
	b->ts_start = b->ts_end = pk->ts;
	b->bus = pk->bus;
	b->device = pk->device;
	b->truncated = pk->caplen < pk->len;
	if (pk->frame2)
		txn_add_frame(r, pk->frame2);
	return r;
}

static void end(struct bt *bt, struct txn_rec *r)
{
	txn_end(bt->em, r);
}

/* ---------------------------------------------------------------- commands */

/* Commands whose first parameter is a connection handle. */
static bool cmd_has_handle(uint16_t op)
{
	switch (op) {
	case 0x0406: case 0x040f: case 0x0411: case 0x0413: case 0x0415: case 0x041b: case 0x041c: case 0x041d:
	case 0x041f: case 0x0420: case 0x0428: case 0x043d:
	case 0x0801: case 0x0803: case 0x0804: case 0x0807: case 0x0809: case 0x080c: case 0x080d: case 0x0810:
	case 0x0811:
	case 0x0c08: case 0x0c27: case 0x0c28: case 0x0c2d: case 0x0c36: case 0x0c37: case 0x0c5f: case 0x0c7b:
	case 0x0c7c:
	case 0x1401: case 0x1402: case 0x1403: case 0x1405: case 0x1406: case 0x1408:
	case 0x2013: case 0x2015: case 0x2016: case 0x2019: case 0x201a: case 0x201b: case 0x2020: case 0x2021:
	case 0x2022: case 0x2030: case 0x2032:
		return true;
	}
	return false;
}

static void pend_remove(struct bt *bt, struct pending *p)
{
	struct pending **pp = &bt->pend;

	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = p->next;
		bt->npend--;
	}
	free(p);
}

/* A command that will get no answer: delivered as such. */
static void unanswered(struct bt *bt, struct pending *p)
{
	struct txn_rec *r = p->r;

	pend_remove(bt, p);
	end(bt, r);
}

static void command(struct bt *bt, const struct pkt *pk)
{
	struct txn_rec *r = begin(bt, BT_COMMAND, pk);
	struct bt_txn *b = &r->t.u.bt;
	uint16_t h;
	struct pending *p, **pp;

	get_le16(pk->data, pk->caplen, 0, &b->opcode);
	txn_add_data(r, pk->data, pk->caplen, pk->len);
	if (cmd_has_handle(b->opcode) && get_le16(pk->data, pk->caplen, 3, &h))
		set_handle(bt, b, h);
	if (pk->caplen < 3) {
		/* Not even a header: nothing can answer it. */
		end(bt, r);
		return;
	}
	if (bt->npend >= BT_CMD_PENDING_MAX)
		unanswered(bt, bt->pend);
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->r = r;
	p->opcode = b->opcode;
	for (pp = &bt->pend; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	bt->npend++;
}

/* A Command Complete or Status: answer the oldest command waiting with
 * that opcode.  False when none waits. */
static bool answer(struct bt *bt, const struct pkt *pk, uint8_t code, uint16_t opcode, int16_t status)
{
	struct pending *p, *next;
	struct txn_rec *r;
	struct bt_txn *b;
	bool reset;

	for (p = bt->pend; p && p->opcode != opcode; p = p->next)
		;
	if (!p)
		return false;
	r = p->r;
	b = &r->t.u.bt;
	b->answered = true;
	b->event = code;
	b->status = status;
	b->ts_end = pk->ts;
	b->reply_frame = pk->frame;
	txn_set_aux(r, pk->data, pk->caplen);
	txn_add_frame(r, pk->frame);
	if (pk->frame2)
		txn_add_frame(r, pk->frame2);
	reset = opcode == HCI_OP_RESET && code == HCI_EVT_COMMAND_COMPLETE;
	/* Older commands: overtaken once more; a completed Reset discards them. */
	for (struct pending *q = bt->pend; q && q != p; q = next) {
		next = q->next;
		if (reset || ++q->overtaken >= BT_CMD_OVERTAKEN)
			unanswered(bt, q);
	}
	pend_remove(bt, p);
	end(bt, r);
	return true;
}

/* ---------------------------------------------------------------- events */

/* Offset of the status parameter in an event packet, or -1. */
static int event_status_at(uint8_t code, uint8_t sub)
{
	switch (code) {
	case 0x01: case 0x03: case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b: case 0x0c:
	case 0x0d: case 0x12: case 0x14: case 0x1c: case 0x1d: case 0x21: case 0x23: case 0x2c: case 0x2d:
	case 0x2e: case 0x30: case 0x36: case 0x39: case 0x59:
		return 2;
	case 0x3e:
		switch (sub) {
		case 0x01: case 0x03: case 0x04: case 0x08: case 0x09: case 0x0a: case 0x0c: case 0x0e: case 0x12:
		case 0x17: case 0x19: case 0x1b: case 0x1d: case 0x1f: case 0x23: case 0x29:
			return 3;
		}
		return -1;
	}
	return -1;
}

/* Offset of the connection handle in an event packet, or -1. */
static int event_handle_at(uint8_t code, uint8_t sub)
{
	switch (code) {
	case 0x03: case 0x05: case 0x06: case 0x08: case 0x09: case 0x0b: case 0x0c: case 0x0d: case 0x14:
	case 0x1c: case 0x1d: case 0x21: case 0x23: case 0x2c: case 0x2d: case 0x2e: case 0x30: case 0x59:
		return 3;
	case 0x11: case 0x1b: case 0x1e: case 0x38: case 0x57:
		return 2;
	case 0x3e:
		switch (sub) {
		case 0x01: case 0x03: case 0x04: case 0x0a: case 0x0c: case 0x17: case 0x29:
			return 4;
		case 0x05: case 0x06: case 0x07: case 0x14:
			return 3;
		}
		return -1;
	}
	return -1;
}

static void reasm_drop_handle(struct bt *bt, uint16_t handle);

static void event(struct bt *bt, const struct pkt *pk)
{
	const uint8_t *d = pk->data;
	uint32_t n = pk->caplen;
	uint8_t code = n ? d[0] : 0, sub = 0, st = 0;
	uint16_t opcode = 0, h = 0;
	struct txn_rec *r;
	struct bt_txn *b;
	int at;

	if (code == HCI_EVT_COMMAND_COMPLETE && get_le16(d, n, 3, &opcode) &&
	    answer(bt, pk, code, opcode, get_u8(d, n, 5, &st) ? st : -1))
		return;
	if (code == HCI_EVT_COMMAND_STATUS && get_le16(d, n, 4, &opcode) && get_u8(d, n, 2, &st) &&
	    answer(bt, pk, code, opcode, st))
		return;
	r = begin(bt, BT_EVENT, pk);
	b = &r->t.u.bt;
	b->event = code;
	txn_add_data(r, d, n, pk->len);
	if (code == HCI_EVT_LE_META)
		get_u8(d, n, 2, &sub);
	b->subevent = sub;
	if (code == HCI_EVT_COMMAND_COMPLETE || code == HCI_EVT_COMMAND_STATUS) {
		b->opcode = opcode;
		if (get_u8(d, n, code == HCI_EVT_COMMAND_COMPLETE ? 5 : 2, &st))
			b->status = st;
	} else if ((at = event_status_at(code, sub)) >= 0 && get_u8(d, n, (size_t)at, &st)) {
		b->status = st;
	}
	/* Connections come and go. */
	if (code == 0x03 && st == 0 && get_le16(d, n, 3, &h) && n >= 12)
		conn_add(bt, h & 0xfff, d[11] == 1 ? 1 : 3, d + 5);
	else if (code == 0x2c && st == 0 && get_le16(d, n, 3, &h) && n >= 11)
		conn_add(bt, h & 0xfff, 3, d + 5);
	else if (code == HCI_EVT_LE_META && (sub == 0x01 || sub == 0x0a || sub == 0x29) && st == 0 && get_le16(d, n, 4, &h) &&
		 n >= 14)
		conn_add(bt, h & 0xfff, 2, d + 8);
	else if (code == HCI_EVT_LE_META && sub == 0x19 && st == 0 && get_le16(d, n, 4, &h)) {
		static const uint8_t none[6];
		conn_add(bt, h & 0xfff, 4, none);
	}
	if ((at = event_handle_at(code, sub)) >= 0 && get_le16(d, n, (size_t)at, &h))
		set_handle(bt, b, h);
	if (code == 0x13 && get_u8(d, n, 2, &st) && st >= 1 && get_le16(d, n, 3, &h))
		set_handle(bt, b, h);     /* Number Of Completed Packets: its first handle */
	end(bt, r);
	if (code == HCI_EVT_DISCONNECTION_COMPLETE && get_u8(d, n, 2, &st) && st == 0 && get_le16(d, n, 3, &h)) {
		struct conn *c = conn_find(bt, h & 0xfff);
		reasm_drop_handle(bt, h & 0xfff);
		if (c)
			c->used = false;
	}
}

/* ---------------------------------------------------------------- ACL and L2CAP */

static uint8_t proto_of(uint16_t cid)
{
	switch (cid) {
	case L2CAP_CID_SIGNAL: return BT_PROTO_SIGNAL;
	case L2CAP_CID_LE_SIGNAL: return BT_PROTO_LE_SIGNAL;
	case L2CAP_CID_ATT: return BT_PROTO_ATT;
	case L2CAP_CID_SMP: case L2CAP_CID_BR_SMP: return BT_PROTO_SMP;
	}
	return BT_PROTO_OTHER;
}

static struct reasm *reasm_find(struct bt *bt, uint16_t handle, uint8_t dir, uint16_t bus, uint16_t device)
{
	for (unsigned i = 0; i < BT_REASM_MAX; i++) {
		struct reasm *a = &bt->reasm[i];
		if (a->used && a->handle == handle && a->dir == dir && a->bus == bus && a->device == device)
			return a;
	}
	return NULL;
}

/* Deliver what a reassembly holds (as incomplete when bytes are missing)
 * and free the slot. */
static void reasm_close(struct bt *bt, struct reasm *a, bool incomplete, const char *limit_msg)
{
	struct txn_rec *r = a->r;

	a->used = false;
	a->r = NULL;
	if (!r)
		return;                   /* only part of a header: shown with the fragment that had it */
	r->t.u.bt.incomplete = incomplete;
	if (limit_msg)
		txn_add_finding(r, "l2cap-reassembly-limit", SEV_WARNING, &r->t.u.bt.frame, 1, "%s", limit_msg);
	end(bt, r);
}

static void reasm_drop_handle(struct bt *bt, uint16_t handle)
{
	for (unsigned i = 0; i < BT_REASM_MAX; i++)
		if (bt->reasm[i].used && bt->reasm[i].handle == handle)
			reasm_close(bt, &bt->reasm[i], true, NULL);
}

/* The first bytes of a PDU (header complete): start its transaction. */
static void reasm_start_txn(struct bt *bt, struct reasm *a, const struct pkt *pk)
{
	struct txn_rec *r = begin(bt, BT_ACL, pk);
	struct bt_txn *b = &r->t.u.bt;
	uint16_t len = (uint16_t)(a->hdr[0] | a->hdr[1] << 8);

	set_handle(bt, b, a->handle);
	b->l2cap_len = len;
	b->cid = (uint16_t)(a->hdr[2] | a->hdr[3] << 8);
	b->proto = proto_of(b->cid);
	b->fragments = 0;
	a->r = r;
	a->need = len;
}

/* Add a fragment's L2CAP bytes (after the ACL header) to a. */
static void reasm_add(struct bt *bt, struct reasm *a, const struct pkt *pk, const uint8_t *p, uint32_t caplen,
		      uint32_t len)
{
	/* The basic header may itself be split. */
	while (a->hdr_len < 4 && caplen) {
		a->hdr[a->hdr_len++] = *p++;
		caplen--;
		len--;
	}
	if (a->hdr_len < 4) {
		/* Header not yet complete (or the capture cut it). */
		if (len > caplen) {
			a->used = false;
			return;
		}
		return;
	}
	if (!a->r)
		reasm_start_txn(bt, a, pk);
	else {
		txn_add_frame(a->r, pk->frame);
		if (pk->frame2)
			txn_add_frame(a->r, pk->frame2);
		a->r->t.u.bt.ts_end = pk->ts;
	}
	a->r->t.u.bt.fragments++;
	if (pk->caplen < pk->len)
		a->r->t.u.bt.truncated = true;
	if (!a->r->t.u.bt.data.bytes && caplen && !a->r->data)
		a->r->t.u.bt.code = p[0];
	txn_add_data(a->r, p, caplen, len);
	a->need = len >= a->need ? 0 : a->need - len;
	if (!a->need)
		reasm_close(bt, a, false, NULL);
	else if (a->r->t.u.bt.fragments >= BT_L2CAP_FRAGMENTS_MAX)
		reasm_close(bt, a, true, "more than 4096 ACL fragments: the PDU is shown as far as it got, its further "
				   "fragments as fragments without a start");
}

/* An ACL packet that cannot be reassembled: a transaction of its own. */
static void acl_alone(struct bt *bt, const struct pkt *pk, uint16_t handle, const uint8_t *p, uint32_t caplen,
		      uint32_t len, const char *limit_msg)
{
	struct txn_rec *r = begin(bt, BT_ACL, pk);
	struct bt_txn *b = &r->t.u.bt;

	set_handle(bt, b, handle);
	b->proto = BT_PROTO_NONE;
	b->fragments = 1;
	b->incomplete = true;
	txn_add_data(r, p, caplen, len);
	if (limit_msg)
		txn_add_finding(r, "l2cap-reassembly-limit", SEV_WARNING, &pk->frame, 1, "%s", limit_msg);
	end(bt, r);
}

static void acl(struct bt *bt, const struct pkt *pk)
{
	const uint8_t *d = pk->data;
	uint16_t hf = 0, dlen = 0, handle;
	uint8_t pb;
	uint32_t caplen, len;
	struct reasm *a;

	if (!get_le16(d, pk->caplen, 0, &hf) || !get_le16(d, pk->caplen, 2, &dlen)) {
		acl_alone(bt, pk, BT_HANDLE_NONE, d, pk->caplen, pk->len, NULL);
		return;
	}
	handle = hf & 0x0fff;
	pb = (uint8_t)((hf >> 12) & 3);
	/* The bytes after the header: the ACL length says how many there
	 * are; the record may hold fewer (cut) or more (padding). */
	caplen = pk->caplen - 4 < dlen ? pk->caplen - 4 : dlen;
	len = dlen;
	d += 4;
	a = reasm_find(bt, handle, pk->dir, pk->bus, pk->device);
	if (pb == 1) {
		if (!a) {
			acl_alone(bt, pk, handle, d, caplen, len, NULL);
			return;
		}
		a->last = pk->frame;
		reasm_add(bt, a, pk, d, caplen, len);
		return;
	}
	if (a)
		reasm_close(bt, a, true, NULL);   /* a new start: the previous PDU never completed */
	for (unsigned i = 0; !a && i < BT_REASM_MAX; i++)
		if (!bt->reasm[i].used)
			a = &bt->reasm[i];
	if (!a) {
		/* All busy: the one that waited longest gives way. */
		a = &bt->reasm[0];
		for (unsigned i = 1; i < BT_REASM_MAX; i++)
			if (bt->reasm[i].last < a->last)
				a = &bt->reasm[i];
		reasm_close(bt, a, true, "more than 64 L2CAP PDUs being reassembled at once: the one that waited "
					 "longest is shown as far as it got");
	}
	memset(a, 0, sizeof(*a));
	a->used = true;
	a->last = pk->frame;
	a->handle = handle;
	a->dir = pk->dir;
	a->bus = pk->bus;
	a->device = pk->device;
	if (caplen < 4 && caplen < len) {
		/* The header is cut by the capture: nothing to reassemble. */
		a->used = false;
		acl_alone(bt, pk, handle, d, caplen, len, NULL);
		return;
	}
	reasm_add(bt, a, pk, d, caplen, len);
	if (a->used && !a->r) {
		/* A start fragment of fewer than 4 bytes: the header continues
		 * in the next fragment; this one is shown now. */
		acl_alone(bt, pk, handle, d, caplen, len, NULL);
	}
}

/* ---------------------------------------------------------------- records */

static void other(struct bt *bt, const struct pkt *pk, enum bt_kind kind)
{
	struct txn_rec *r = begin(bt, kind, pk);
	struct bt_txn *b = &r->t.u.bt;
	uint16_t h;

	if ((kind == BT_SCO || kind == BT_ISO) && get_le16(pk->data, pk->caplen, 0, &h))
		set_handle(bt, b, h);
	txn_add_data(r, pk->data, pk->caplen, pk->len);
	end(bt, r);
}

static void packet(struct bt *bt, const struct pkt *pk)
{
	switch (pk->type) {
	case HCI_REC_COMMAND: command(bt, pk); break;
	case HCI_REC_EVENT: event(bt, pk); break;
	case HCI_REC_ACL: acl(bt, pk); break;
	case HCI_REC_SCO: other(bt, pk, BT_SCO); break;
	case HCI_REC_ISO: other(bt, pk, BT_ISO); break;
	case HCI_REC_NOTE: case HCI_REC_SYSLOG: case HCI_REC_KERNEL: case HCI_REC_KERNEL_DEBUG: case HCI_REC_ERROR:
		other(bt, pk, BT_TEXT);
		break;
	default: other(bt, pk, BT_OTHER); break;
	}
}

void bt_record(struct bt *bt, const struct hci_record *rec)
{
	struct pkt pk;

	memset(&pk, 0, sizeof(pk));
	pk.type = rec->type;
	pk.dir = rec->dir;
	pk.source = rec->source;
	pk.frame = rec->frame;
	pk.ts = rec->ts_ns;
	pk.data = rec->data;
	pk.caplen = rec->data ? rec->caplen : 0;
	pk.len = rec->len < pk.caplen ? pk.caplen : rec->len;
	packet(bt, &pk);
}

/* ---------------------------------------------------------------- HCI over USB */

static struct dongle *dongle_find(struct bt *bt, uint16_t bus, uint16_t device, bool create)
{
	struct dongle *free_slot = NULL;

	for (unsigned i = 0; i < BT_DONGLES_MAX; i++) {
		struct dongle *g = &bt->dongles[i];
		if (g->used && g->bus == bus && g->device == device)
			return g;
		if (!g->used && !free_slot)
			free_slot = g;
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->bus = bus;
	free_slot->device = device;
	return free_slot;
}

void bt_usb_device_class(struct bt *bt, uint16_t bus, uint16_t device, uint32_t dev_class)
{
	struct dongle *g = dongle_find(bt, bus, device, dev_class == 0xe00101);

	if (g && dev_class != 0xe00101 && dev_class >> 16 != 0 && dev_class >> 16 != 0xef) {
		/* Another kind of device now has this address. */
		free(g->acl[0]);
		free(g->acl[1]);
		memset(g, 0, sizeof(*g));
	}
}

/* An HCI command sent as a class request to the interface (Core Vol 4
 * Part B 2.2: bmRequestType 0x20, bRequest 0), its data stage the command. */
static bool hci_command_request(const struct urb *u)
{
	return u->has_setup && u->setup[0] == 0x20 && u->setup[1] == 0x00;
}

static bool looks_like_command(const struct urb *u)
{
	return u->data && u->caplen >= 3 && u->caplen == 3u + u->data[2];
}

static void usb_pkt(struct pkt *pk, const struct urb *u, uint8_t type, uint8_t dir)
{
	memset(pk, 0, sizeof(*pk));
	pk->type = type;
	pk->dir = dir;
	pk->source = BT_SRC_USB;
	pk->bus = u->bus;
	pk->device = u->device;
	if (dir == HCI_DIR_SENT && u->has_submit) {
		pk->frame = u->submit_frame;
		pk->frame2 = u->complete_frame;
		pk->ts = u->submit_ts;
	} else {
		pk->frame = u->complete_frame ? u->complete_frame : u->submit_frame;
		pk->ts = u->has_complete ? u->complete_ts : u->submit_ts;
	}
}

/* Interrupt IN: events, possibly split over several URBs. */
static void usb_events(struct bt *bt, struct dongle *g, const struct urb *u)
{
	const uint8_t *p = u->data;
	uint32_t n = u->data ? u->caplen : 0;

	while (n) {
		uint32_t want, take;
		if (!g->evt_len) {
			g->evt_frame = u->complete_frame;
			g->evt_ts = u->complete_ts;
		}
		want = g->evt_len < 2 ? 2u - g->evt_len : 2u + g->evt[1] - g->evt_len;
		take = n < want ? n : want;
		memcpy(g->evt + g->evt_len, p, take);
		g->evt_len = (uint16_t)(g->evt_len + take);
		p += take;
		n -= take;
		if (g->evt_len >= 2 && g->evt_len == 2u + g->evt[1]) {
			struct pkt pk;
			usb_pkt(&pk, u, HCI_REC_EVENT, HCI_DIR_RECV);
			pk.frame = g->evt_frame;
			pk.ts = g->evt_ts;
			if (g->evt_frame != u->complete_frame)
				pk.frame2 = u->complete_frame;
			pk.data = g->evt;
			pk.caplen = pk.len = g->evt_len;
			g->evt_len = 0;
			packet(bt, &pk);
		}
	}
	if (u->truncated && g->evt_len) {
		/* The capture cut the event: deliver what there is. */
		struct pkt pk;
		usb_pkt(&pk, u, HCI_REC_EVENT, HCI_DIR_RECV);
		pk.frame = g->evt_frame;
		pk.data = g->evt;
		pk.caplen = g->evt_len;
		pk.len = g->evt_len >= 2 ? 2u + g->evt[1] : g->evt_len;
		g->evt_len = 0;
		packet(bt, &pk);
	}
}

/* Bulk: ACL packets, possibly split over URBs or several in one URB. */
static void usb_acl(struct bt *bt, struct dongle *g, const struct urb *u, uint8_t dir)
{
	int k = dir == HCI_DIR_RECV;
	const uint8_t *p = u->data;
	uint32_t n = u->data ? u->caplen : 0;
	struct pkt pk;

	if (u->truncated || u->caplen < u->moved) {
		/* Bytes missing: deliver this URB's bytes as one packet, as far as they go. */
		g->acl_len[k] = 0;
		usb_pkt(&pk, u, HCI_REC_ACL, dir);
		pk.data = p;
		pk.caplen = n;
		pk.len = u->moved > n ? u->moved : n;
		if (n)
			packet(bt, &pk);
		return;
	}
	while (n) {
		uint32_t have = g->acl_len[k], want, take;
		if (!g->acl[k] && !(g->acl[k] = malloc(4 + 65535)))
			abort();
		if (!have)
			g->acl_frame[k] = dir == HCI_DIR_SENT && u->has_submit ? u->submit_frame : u->complete_frame;
		want = have < 4 ? 4 - have : 4u + (uint32_t)(g->acl[k][2] | g->acl[k][3] << 8) - have;
		take = n < want ? n : want;
		memcpy(g->acl[k] + have, p, take);
		g->acl_len[k] += take;
		p += take;
		n -= take;
		have = g->acl_len[k];
		if (have >= 4 && have == 4u + (uint32_t)(g->acl[k][2] | g->acl[k][3] << 8)) {
			usb_pkt(&pk, u, HCI_REC_ACL, dir);
			if (pk.frame != g->acl_frame[k]) {
				pk.frame2 = pk.frame;
				pk.frame = g->acl_frame[k];
			}
			pk.data = g->acl[k];
			pk.caplen = pk.len = have;
			g->acl_len[k] = 0;
			packet(bt, &pk);
		}
	}
}

bool bt_usb_urb(struct bt *bt, const struct urb *u, bool at_submit)
{
	struct dongle *g = dongle_find(bt, u->bus, u->device, false);
	struct pkt pk;

	if (u->xfer == USB_XFER_CONTROL) {
		if (!hci_command_request(u))
			return false;
		if (!g && looks_like_command(u))
			g = dongle_find(bt, u->bus, u->device, true);
		if (!g)
			return false;
		if (at_submit)
			return true;              /* taken whole at its completion */
		usb_pkt(&pk, u, HCI_REC_COMMAND, HCI_DIR_SENT);
		pk.data = u->data;
		pk.caplen = u->data ? u->caplen : 0;
		pk.len = u->moved > pk.caplen ? u->moved : pk.caplen;
		packet(bt, &pk);
		return true;
	}
	if (!g)
		return false;
	if (at_submit)
		return u->xfer == USB_XFER_INTR || u->xfer == USB_XFER_BULK;
	if (u->xfer == USB_XFER_INTR && (u->endpoint & 0x80)) {
		if (u->has_complete && u->status == 0)
			usb_events(bt, g, u);
		return u->status == 0 || !u->has_complete;
	}
	if (u->xfer == USB_XFER_BULK) {
		if (u->has_complete && (u->status == 0 || u->status == -121))
			usb_acl(bt, g, u, (u->endpoint & 0x80) ? HCI_DIR_RECV : HCI_DIR_SENT);
		return u->status == 0 || u->status == -121 || !u->has_complete;
	}
	return false;
}

/* ---------------------------------------------------------------- end */

void bt_finish(struct bt *bt)
{
	while (bt->pend)
		unanswered(bt, bt->pend);
	for (unsigned i = 0; i < BT_REASM_MAX; i++)
		if (bt->reasm[i].used)
			reasm_close(bt, &bt->reasm[i], true, NULL);
}

void bt_free(struct bt *bt)
{
	if (!bt)
		return;
	while (bt->pend) {
		struct pending *p = bt->pend;
		bt->pend = p->next;
		free(p);
	}
	for (unsigned i = 0; i < BT_DONGLES_MAX; i++) {
		free(bt->dongles[i].acl[0]);
		free(bt->dongles[i].acl[1]);
	}
	free(bt);
}
