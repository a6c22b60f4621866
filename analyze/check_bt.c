/* check_bt.c - the Bluetooth family of checks: HCI commands failed or unanswered, disconnections, SMP pairing failures, ATT errors. */
#include "config.h"
#include "analyze/lint_family.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "decode/hci.h"
#include "util/strbuf.h"

/*
 * Every check here looks at one Bluetooth transaction (decode/hci.h) at a
 * time.  smp-pairing-failed also needs the Pairing Request and Response of
 * the same connection (the features that chose the method), and
 * hci-disconnect how long the connection lasted: the state is a fixed
 * table of BT_LINKS_MAX connection handles (later handles are not
 * tracked: the findings then say less), so memory stays bounded.
 *
 * References: Bluetooth Core Specification v5.4, Vol 1 Part F (error
 * codes), Vol 4 Part E 7.7 (events), Vol 3 Part F 3.4.1.1 (ATT errors),
 * Vol 3 Part H 2.3.5 and 3.5.5 (pairing methods, Pairing Failed).
 */
#define BT_LINKS_MAX 64

struct link {
	bool used;
	uint16_t bus, device, handle;
	bool has_req, has_rsp;
	struct smp_features req, rsp;
	uint64_t req_frame, rsp_frame;
	bool req_sent;            /* the host sent the Pairing Request (it is the initiator) */
	bool has_start;
	int64_t start_ts;
};

struct bt_state {
	struct link links[BT_LINKS_MAX];
};

static struct link *link_get(struct bt_state *st, const struct bt_txn *b, bool create)
{
	struct link *free_slot = NULL;

	if (b->handle == BT_HANDLE_NONE)
		return NULL;
	for (unsigned i = 0; i < BT_LINKS_MAX; i++) {
		struct link *k = &st->links[i];
		if (k->used && k->handle == b->handle && k->bus == b->bus && k->device == b->device)
			return k;
		if (!k->used && !free_slot)
			free_slot = k;
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->bus = b->bus;
	free_slot->device = b->device;
	free_slot->handle = b->handle;
	return free_slot;
}

static const char *err_name(uint8_t code)
{
	const char *n = hci_error_name(code);

	return n ? n : "reserved error";
}

/* Commands whose failure stops a connection or its security. */
static bool command_matters(uint16_t op)
{
	return (op >> 10) == 0x01 || op == 0x200d || op == 0x2013 || op == 0x2019 || op == 0x201a || op == 0x2043 ||
	       op == 0x2016;
}

static void command_checks(const struct bt_txn *b, struct txn_handle *h)
{
	char name[64];
	const char *n = bt_name(b, name, sizeof(name));

	if (!b->answered) {
		txn_attach_finding(h, "hci-command-unanswered", SEV_ERROR, &b->frame, 1,
				   "%s (0x%04x): neither Command Complete nor Command Status came back", n, b->opcode);
		return;
	}
	if (b->status > 0) {
		uint64_t fr[2] = { b->frame, b->reply_frame };
		txn_attach_finding(h, "hci-command-failed", command_matters(b->opcode) ? SEV_ERROR : SEV_WARNING, fr, 2,
				   "%s (0x%04x) failed: %s (0x%02x)", n, b->opcode, err_name((uint8_t)b->status),
				   (unsigned)b->status);
	}
}

/* Disconnection reasons that are the normal end of a link. */
static enum severity disconnect_severity(uint8_t reason)
{
	switch (reason) {
	case 0x13: case 0x15: case 0x16: /* remote user, remote power off, local host */
		return SEV_INFO;
	case 0x05: case 0x06: case 0x08: case 0x22: case 0x3d: case 0x3e: case 0x28: case 0x1f: case 0x14:
		return SEV_ERROR;
	}
	return SEV_WARNING;
}

static void event_checks(struct bt_state *st, const struct bt_txn *b, struct txn_handle *h)
{
	const uint8_t *p = b->data.head;
	size_t n = b->data.head_len;
	struct link *k;

	/* connections: remember when they began */
	if ((b->event == 0x03 || (b->event == HCI_EVT_LE_META && (b->subevent == 0x01 || b->subevent == 0x0a || b->subevent == 0x29))) &&
	    b->status == 0 && st && (k = link_get(st, b, true))) {
		memset(&k->has_req, 0, sizeof(*k) - offsetof(struct link, has_req));
		k->has_start = true;
		k->start_ts = b->ts_start;
	}
	if (b->event == HCI_EVT_DISCONNECTION_COMPLETE && n >= 6 && p[2] == 0) {
		uint8_t reason = p[5];
		struct strbuf sb = STRBUF_INIT;
		char addr[18];

		sb_init(&sb);
		sb_addf(&sb, "handle 0x%04x", b->handle);
		if (b->has_peer) {
			bt_addr_text(addr, b->peer);
			sb_addf(&sb, " (%s%s)", b->link == 2 ? "LE " : "", addr);
		}
		k = st ? link_get(st, b, false) : NULL;
		if (k && k->has_start && b->ts_start >= k->start_ts) {
			int64_t ms = (b->ts_start - k->start_ts) / 1000000;
			sb_addf(&sb, " after %lld.%03lld s", (long long)(ms / 1000), (long long)(ms % 1000));
		}
		txn_attach_finding(h, "hci-disconnect", disconnect_severity(reason), &b->frame, 1,
				   "%s disconnected: %s (0x%02x)", sb.buf, err_name(reason), reason);
		sb_release(&sb);
		if (k)
			k->used = false;
	}
}

static const char *att_hint(uint8_t e)
{
	switch (e) {
	case 0x05: return ": pair (authenticated) first";
	case 0x0f: return ": encrypt the link first";
	case 0x0c: return ": the link's key is too short";
	case 0x08: return ": the server wants authorization";
	case 0x0a: return " (the normal end of a discovery)";
	}
	return "";
}

static enum severity att_severity(uint8_t e)
{
	switch (e) {
	case 0x0a: case 0x0b: /* Attribute Not Found / Not Long: discovery's normal end */
		return SEV_INFO;
	case 0x05: case 0x08: case 0x0c: case 0x0f:
		return SEV_ERROR;
	}
	return SEV_WARNING;
}

static void smp_failed(struct bt_state *st, const struct bt_txn *b, struct txn_handle *h)
{
	const uint8_t *p = b->data.head;
	uint8_t reason = b->data.head_len >= 2 ? p[1] : 0;
	const char *rn = smp_reason_name(reason);
	struct link *k = st ? link_get(st, b, false) : NULL;
	struct strbuf sb = STRBUF_INIT;
	uint64_t fr[3];
	unsigned nf = 0;

	sb_init(&sb);
	sb_addf(&sb, "%s by the %s: %s (0x%02x)", b->cid == L2CAP_CID_BR_SMP ? "BR/EDR pairing failed" : "pairing failed",
		b->dir == HCI_DIR_SENT ? "host" : "peer", rn ? rn : "reserved reason", reason);
	fr[nf++] = b->frame;
	if (k && k->has_req && k->has_rsp) {
		bool sc;
		const char *m = smp_method(&k->req, &k->rsp, &sc);
		sb_addf(&sb, "; %s %s; init IO %u auth 0x%02x key %u, resp IO %u auth 0x%02x key %u", m,
			sc ? "(Secure Connections)" : "(legacy)", k->req.io_cap, k->req.auth_req, k->req.max_key_size,
			k->rsp.io_cap, k->rsp.auth_req, k->rsp.max_key_size);
		fr[nf++] = k->req_frame;
		fr[nf++] = k->rsp_frame;
	} else if (k && k->has_req) {
		sb_addf(&sb, "; answering the Pairing Request (init IO %u auth 0x%02x key %u)", k->req.io_cap,
			k->req.auth_req, k->req.max_key_size);
		fr[nf++] = k->req_frame;
	} else {
		sb_adds(&sb, "; no Pairing Request/Response of this link in the capture");
	}
	txn_attach_finding(h, "smp-pairing-failed", SEV_ERROR, fr, nf, "%s", sb.buf);
	sb_release(&sb);
}

static void acl_checks(struct bt_state *st, const struct bt_txn *b, struct txn_handle *h)
{
	const uint8_t *p = b->data.head;
	size_t n = b->data.head_len;
	struct link *k;

	if (!n)
		return;
	if (b->proto == BT_PROTO_ATT && p[0] == ATT_ERROR_RSP && n >= 5) {
		const char *rq = att_opcode_name(p[1]), *en = att_error_name(p[4]);
		txn_attach_finding(h, "att-error", att_severity(p[4]), &b->frame, 1,
				   "%s on handle 0x%04x: %s (0x%02x)%s", rq ? rq : "reserved request",
				   (unsigned)(p[2] | p[3] << 8), en ? en : "reserved error", p[4], att_hint(p[4]));
		return;
	}
	if (b->proto != BT_PROTO_SMP)
		return;
	if ((p[0] == SMP_PAIRING_REQUEST || p[0] == SMP_PAIRING_RESPONSE) && st && (k = link_get(st, b, true))) {
		struct smp_features f;
		if (!smp_features_parse(p, n, &f))
			return;
		if (p[0] == SMP_PAIRING_REQUEST) {
			k->has_req = true;
			k->has_rsp = false;
			k->req = f;
			k->req_frame = b->frame;
			k->req_sent = b->dir == HCI_DIR_SENT;
		} else {
			k->has_rsp = true;
			k->rsp = f;
			k->rsp_frame = b->frame;
		}
		return;
	}
	if (p[0] == SMP_PAIRING_FAILED)
		smp_failed(st, b, h);
}

void check_bt_txn(struct lint *l, const struct txn *t, struct txn_handle *h)
{
	const struct bt_txn *b;
	struct bt_state *st;

	if (t->kind != TXN_BT)
		return;
	b = &t->u.bt;
	st = lint_state(l, LINT_FAMILY_BT, sizeof(*st));
	switch (b->kind) {
	case BT_COMMAND: command_checks(b, h); break;
	case BT_EVENT: event_checks(st, b, h); break;
	case BT_ACL: acl_checks(st, b, h); break;
	default: break;
	}
}
