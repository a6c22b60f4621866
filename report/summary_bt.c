/* summary_bt.c - decode --summary for Bluetooth: HCI commands, events, connections, L2CAP PDUs and errors per controller, in bounded memory. */
#include "config.h"
#include "report/summary_bt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "decode/hci.h"
#include "report/txn_render.h"

/*
 * One controller's counts.  Tables are fixed arrays filled in order of
 * first appearance and sorted only to render; what does not fit is counted
 * under "other" (the limits are in summary_bt.h).
 */

enum name_class { NC_COMMAND, NC_EVENT, NC_PDU };

struct name_stat {
	uint16_t key;             /* opcode; event << 8 | subevent; code (ATT, SMP, signalling) or CID (other channels) */
	uint8_t proto;            /* NC_PDU: enum bt_proto */
	char name[64];
	uint64_t count;
	uint64_t failed;          /* commands and events: a status other than Success */
	uint64_t unanswered;      /* commands: no Command Complete or Status */
	uint64_t sent, received;  /* PDUs: by direction */
	uint64_t first_frame;
	struct latency lat;       /* commands: to their Command Complete or Status */
};

struct name_table {
	struct name_stat v[SUMMARY_BT_NAMES_MAX];
	unsigned n;
	uint64_t other;           /* transactions beyond SUMMARY_BT_NAMES_MAX distinct names */
};

enum err_layer { EL_COMMAND, EL_EVENT, EL_ATT, EL_SMP };

struct err_stat {
	uint8_t layer;            /* enum err_layer */
	uint8_t code;
	uint64_t count;
	uint64_t first_frame;
	char first[64];           /* what failed first: the command, the event, the ATT request */
};

struct conn_stat {
	uint16_t handle;
	uint8_t link;             /* as bt_txn.link */
	bool has_peer;
	uint8_t peer[6];
	bool connected;           /* its Connection Complete (or LE) event was seen */
	bool closed;              /* Disconnection Complete with Success */
	int16_t reason;           /* its reason; -1 none */
	uint64_t first_frame, last_frame;
	int64_t ts_first, ts_last;
	uint64_t pdus, bytes_sent, bytes_received;
};

struct bt_stat {
	uint8_t source;           /* enum hci_source or BT_SRC_USB of the first transaction */
	uint64_t commands, commands_failed, commands_unanswered;
	uint64_t events, events_failed;
	uint64_t pdus, pdus_incomplete, fragments, bytes_sent, bytes_received;
	uint64_t sco, iso, text, other, truncated;
	struct name_table cmds, evts, l2cap;
	struct err_stat errs[SUMMARY_BT_ERRORS_MAX];
	unsigned nerrs;
	uint64_t errs_other;
	struct conn_stat conns[SUMMARY_BT_CONNS_MAX];
	unsigned nconns;
	uint64_t conns_other;     /* connections beyond SUMMARY_BT_CONNS_MAX */
};

struct bt_stat *bt_stat_new(void)
{
	struct bt_stat *s = calloc(1, sizeof(*s));

	if (!s)
		abort();              /* as strbuf does: no sensible recovery */
	return s;
}

void bt_stat_free(struct bt_stat *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->cmds.n; i++)
		latency_release(&s->cmds.v[i].lat);
	free(s);
}

bool bt_stat_empty(const struct bt_stat *s)
{
	return !s || !(s->commands || s->events || s->pdus || s->sco || s->iso || s->text || s->other);
}

static uint64_t dur_ns(int64_t start, int64_t end)
{
	return end > start ? (uint64_t)end - (uint64_t)start : 0;
}

static struct name_stat *name_get(struct name_table *t, uint8_t proto, uint16_t key, const struct bt_txn *b)
{
	char buf[64];
	struct name_stat *e;

	for (unsigned i = 0; i < t->n; i++)
		if (t->v[i].key == key && t->v[i].proto == proto)
			return &t->v[i];
	if (t->n == SUMMARY_BT_NAMES_MAX) {
		t->other++;
		return NULL;
	}
	e = &t->v[t->n++];
	e->key = key;
	e->proto = proto;
	e->first_frame = b->frame;
	snprintf(e->name, sizeof(e->name), "%s", bt_name(b, buf, sizeof(buf)));
	return e;
}

static void add_error(struct bt_stat *s, enum err_layer layer, uint8_t code, const struct bt_txn *b, const char *first)
{
	struct err_stat *e;

	for (unsigned i = 0; i < s->nerrs; i++)
		if (s->errs[i].layer == layer && s->errs[i].code == code) {
			s->errs[i].count++;
			return;
		}
	if (s->nerrs == SUMMARY_BT_ERRORS_MAX) {
		s->errs_other++;
		return;
	}
	e = &s->errs[s->nerrs++];
	e->layer = (uint8_t)layer;
	e->code = code;
	e->count = 1;
	e->first_frame = b->frame;
	snprintf(e->first, sizeof(e->first), "%s", first);
}

/* The connection a transaction of handle h belongs to: the newest one of
 * that handle still open, or a new one (a handle is reused after its
 * Disconnection Complete). */
static struct conn_stat *conn_get(struct bt_stat *s, const struct bt_txn *b)
{
	struct conn_stat *c;

	if (b->handle == BT_HANDLE_NONE)
		return NULL;
	for (unsigned i = s->nconns; i-- > 0;)
		if (s->conns[i].handle == b->handle && !s->conns[i].closed)
			return &s->conns[i];
	if (s->nconns == SUMMARY_BT_CONNS_MAX) {
		s->conns_other++;
		return NULL;
	}
	c = &s->conns[s->nconns++];
	c->handle = b->handle;
	c->reason = -1;
	c->first_frame = b->frame;
	c->ts_first = b->ts_start;
	return c;
}

static void conn_touch(struct conn_stat *c, const struct bt_txn *b)
{
	uint64_t last = b->last_frame > b->frame ? b->last_frame : b->frame;

	if (b->link)
		c->link = b->link;
	if (b->has_peer && !c->has_peer) {
		c->has_peer = true;
		memcpy(c->peer, b->peer, sizeof(c->peer));
	}
	if (last >= c->last_frame) {
		c->last_frame = last;
		c->ts_last = b->ts_end > b->ts_start ? b->ts_end : b->ts_start;
	}
}

static void add_command(struct bt_stat *s, const struct bt_txn *b)
{
	struct name_stat *e = name_get(&s->cmds, 0, b->opcode, b);

	s->commands++;
	if (!b->answered)
		s->commands_unanswered++;
	else if (b->status > 0)
		s->commands_failed++;
	if (!e)
		return;
	e->count++;
	if (!b->answered) {
		e->unanswered++;
		return;
	}
	latency_add(&e->lat, dur_ns(b->ts_start, b->ts_end));
	if (b->status > 0) {
		e->failed++;
		add_error(s, EL_COMMAND, (uint8_t)b->status, b, e->name);
	}
}

static void add_event(struct bt_stat *s, const struct bt_txn *b)
{
	const uint8_t *p = b->data.head;
	struct name_stat *e = name_get(&s->evts, 0, (uint16_t)(b->event << 8 | b->subevent), b);
	struct conn_stat *c;

	s->events++;
	if (b->status > 0) {
		s->events_failed++;
		if (e)
			add_error(s, EL_EVENT, (uint8_t)b->status, b, e->name);
	}
	if (e) {
		e->count++;
		if (b->status > 0)
			e->failed++;
	}
	/* a connection that failed to open has no connection (its handle is
	 * meaningless) */
	if ((b->event == 0x03 || (b->event == HCI_EVT_LE_META && (b->subevent == 0x01 || b->subevent == 0x0a || b->subevent == 0x29))) &&
	    b->status > 0)
		return;
	if (!(c = conn_get(s, b)))
		return;
	conn_touch(c, b);
	/* Connection Complete, LE (Enhanced) Connection Complete */
	if ((b->event == 0x03 || (b->event == HCI_EVT_LE_META && (b->subevent == 0x01 || b->subevent == 0x0a || b->subevent == 0x29))) &&
	    b->status == 0 && !c->pdus) {
		c->connected = true;
		c->first_frame = b->frame;
		c->ts_first = b->ts_start;
	}
	/* Disconnection Complete: status (2), handle (3-4), reason (5) */
	if (b->event == HCI_EVT_DISCONNECTION_COMPLETE && b->status == 0 && b->data.head_len >= 6) {
		c->closed = true;
		c->reason = p[5];
	}
}

static void add_pdu(struct bt_stat *s, const struct bt_txn *b)
{
	const uint8_t *p = b->data.head;
	size_t n = b->data.head_len;
	bool known = n && b->proto != BT_PROTO_NONE && b->proto != BT_PROTO_OTHER;
	struct name_stat *e = name_get(&s->l2cap, b->proto, known ? p[0] : b->cid, b);
	struct conn_stat *c;
	bool sent = b->dir == HCI_DIR_SENT;

	s->pdus++;
	s->fragments += b->fragments;
	if (b->incomplete)
		s->pdus_incomplete++;
	if (sent)
		s->bytes_sent += b->data.bytes;
	else
		s->bytes_received += b->data.bytes;
	if (e) {
		e->count++;
		if (sent)
			e->sent++;
		else
			e->received++;
	}
	/* ATT Error Response: request opcode (1), handle (2-3), error (4);
	 * SMP Pairing Failed: reason (1) */
	if (b->proto == BT_PROTO_ATT && n >= 5 && p[0] == ATT_ERROR_RSP) {
		const char *req = att_opcode_name(p[1]);
		add_error(s, EL_ATT, p[4], b, req ? req : "ATT request");
	} else if (b->proto == BT_PROTO_SMP && n >= 2 && p[0] == SMP_PAIRING_FAILED) {
		add_error(s, EL_SMP, p[1], b, sent ? "sent by the host" : "sent by the peer");
	}
	if ((c = conn_get(s, b))) {
		conn_touch(c, b);
		c->pdus++;
		if (sent)
			c->bytes_sent += b->data.bytes;
		else
			c->bytes_received += b->data.bytes;
	}
}

void bt_stat_add(struct bt_stat *s, const struct bt_txn *b)
{
	if (bt_stat_empty(s))
		s->source = b->source;
	if (b->truncated)
		s->truncated++;
	switch (b->kind) {
	case BT_COMMAND: add_command(s, b); break;
	case BT_EVENT: add_event(s, b); break;
	case BT_ACL: add_pdu(s, b); break;
	case BT_SCO: s->sco++; break;
	case BT_ISO: s->iso++; break;
	case BT_TEXT: s->text++; break;
	default: s->other++; break;
	}
}

/* -------------------------------------------------------------- rendering */

static const char *source_text(uint8_t source)
{
	switch (source) {
	case HCI_SRC_PKLG: return "PacketLogger";
	case HCI_SRC_BTSNOOP: return "btsnoop";
	case HCI_SRC_PCAP_H4: return "pcap H4";
	case BT_SRC_USB: return "USB dongle";
	}
	return "HCI";
}

const char *bt_stat_source(const struct bt_stat *s)
{
	return source_text(s->source);
}

static const char *link_text(uint8_t link)
{
	switch (link) {
	case 1: return "BR/EDR";
	case 2: return "LE";
	case 3: return "SCO";
	case 4: return "ISO";
	}
	return "unknown";
}

static const char *layer_text(uint8_t layer)
{
	switch (layer) {
	case EL_COMMAND: return "command";
	case EL_EVENT: return "event";
	case EL_ATT: return "att";
	}
	return "smp";
}

static void err_text(struct strbuf *sb, const struct err_stat *e)
{
	const char *n;

	switch (e->layer) {
	case EL_ATT: n = att_error_name(e->code); sb_adds(sb, "ATT "); break;
	case EL_SMP: n = smp_reason_name(e->code); sb_adds(sb, "SMP Pairing Failed: "); break;
	default: n = hci_error_name(e->code); break;
	}
	sb_addf(sb, "%s (0x%02x)", n ? n : "reserved", e->code);
}

static int name_cmp(const void *a, const void *b)
{
	const struct name_stat *x = *(struct name_stat *const *)a, *y = *(struct name_stat *const *)b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int err_cmp(const void *a, const void *b)
{
	const struct err_stat *x = *(struct err_stat *const *)a, *y = *(struct err_stat *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first_frame < y->first_frame ? -1 : x->first_frame > y->first_frame;
}

static const struct name_stat **sorted_names(const struct name_table *t)
{
	const struct name_stat **v = malloc((t->n ? t->n : 1) * sizeof(*v));

	if (!v)
		abort();
	for (unsigned i = 0; i < t->n; i++)
		v[i] = &t->v[i];
	qsort(v, t->n, sizeof(*v), name_cmp);
	return v;
}

static const struct err_stat **sorted_errs(const struct bt_stat *s)
{
	const struct err_stat **v = malloc((s->nerrs ? s->nerrs : 1) * sizeof(*v));

	if (!v)
		abort();
	for (unsigned i = 0; i < s->nerrs; i++)
		v[i] = &s->errs[i];
	qsort(v, s->nerrs, sizeof(*v), err_cmp);
	return v;
}

static void col_dur(struct strbuf *sb, uint64_t ns)
{
	struct strbuf t = STRBUF_INIT;

	sb_init(&t);
	render_duration(&t, ns);
	sb_addf(sb, " %9s", t.buf);
	sb_release(&t);
}

/* "Reset (0x0c03)", "LE Connection Complete (0x3e/0x01)", "ATT Read Request" */
static void name_text(struct strbuf *sb, enum name_class cls, const struct name_stat *e)
{
	struct strbuf t = STRBUF_INIT;

	sb_init(&t);
	sb_adds(&t, e->name);
	if (cls == NC_COMMAND && !strstr(e->name, "0x"))
		sb_addf(&t, " (0x%04x)", e->key);
	else if (cls == NC_EVENT && !strstr(e->name, "0x")) {
		if (e->key >> 8 == HCI_EVT_LE_META)
			sb_addf(&t, " (0x3e/0x%02x)", e->key & 0xff);
		else
			sb_addf(&t, " (0x%02x)", e->key >> 8);
	}
	sb_addf(sb, "  %-44s", t.buf);
	sb_release(&t);
}

static void text_conns(struct strbuf *sb, const struct bt_stat *s)
{
	char addr[18];

	if (!s->nconns)
		return;
	sb_adds(sb, "  connections:\n");
	for (unsigned i = 0; i < s->nconns; i++) {
		const struct conn_stat *c = &s->conns[i];
		sb_addf(sb, "    handle 0x%04x", c->handle);
		if (c->link)
			sb_addf(sb, "  %s", link_text(c->link));
		if (c->has_peer) {
			bt_addr_text(addr, c->peer);
			sb_addf(sb, " %s", addr);
		}
		sb_addf(sb, "  connected %s frame %" PRIu64, c->connected ? "at" : "before", c->first_frame);
		if (c->closed) {
			const char *r = hci_error_name((uint8_t)c->reason);
			sb_addf(sb, ", disconnected at frame %" PRIu64, c->last_frame);
			if (c->connected) {
				sb_adds(sb, " after ");
				render_duration(sb, dur_ns(c->ts_first, c->ts_last));
			}
			sb_addf(sb, ": %s (0x%02x)", r ? r : "reserved", (unsigned)c->reason);
		} else {
			sb_addf(sb, ", open at the end (last frame %" PRIu64 ")", c->last_frame);
		}
		if (c->pdus)
			sb_addf(sb, "; %" PRIu64 " PDUs, sent %" PRIu64 " bytes, received %" PRIu64 " bytes", c->pdus,
				c->bytes_sent, c->bytes_received);
		sb_addc(sb, '\n');
	}
	if (s->conns_other)
		sb_addf(sb, "    (%" PRIu64 " transactions of connections beyond the first %d)\n", s->conns_other,
			SUMMARY_BT_CONNS_MAX);
}

static void text_table(struct strbuf *sb, enum name_class cls, const struct name_table *t)
{
	const struct name_stat **v;

	if (!t->n && !t->other)
		return;
	if (cls == NC_COMMAND)
		sb_addf(sb, "  %-44s %8s %7s %9s %9s %9s %9s %9s\n", "HCI command", "count", "failed", "no answer", "p50",
			"p90", "p99", "max");
	else if (cls == NC_EVENT)
		sb_addf(sb, "  %-44s %8s %7s\n", "HCI event", "count", "failed");
	else
		sb_addf(sb, "  %-44s %8s %7s %9s\n", "L2CAP PDU", "count", "sent", "received");
	v = sorted_names(t);
	for (unsigned i = 0; i < t->n; i++) {
		const struct name_stat *e = v[i];
		name_text(sb, cls, e);
		sb_addf(sb, " %8" PRIu64, e->count);
		if (cls == NC_COMMAND) {
			sb_addf(sb, " %7" PRIu64 " %9" PRIu64, e->failed, e->unanswered);
			if (e->lat.n) {
				col_dur(sb, latency_percentile(&e->lat, 50));
				col_dur(sb, latency_percentile(&e->lat, 90));
				col_dur(sb, latency_percentile(&e->lat, 99));
				col_dur(sb, e->lat.max);
				if (!latency_exact(&e->lat))
					sb_adds(sb, "  ~");
			} else {
				sb_addf(sb, " %9s", "-");
			}
		} else if (cls == NC_EVENT) {
			sb_addf(sb, " %7" PRIu64, e->failed);
		} else {
			sb_addf(sb, " %7" PRIu64 " %9" PRIu64, e->sent, e->received);
		}
		sb_addc(sb, '\n');
	}
	if (t->other)
		sb_addf(sb, "  %-44s %8" PRIu64 "\n", "(others)", t->other);
	free(v);
}

void bt_stat_text(struct strbuf *sb, const struct bt_stat *s)
{
	sb_addf(sb, "  %" PRIu64 " HCI commands (%" PRIu64 " failed, %" PRIu64 " unanswered), %" PRIu64
		" events (%" PRIu64 " with an error status), %" PRIu64 " L2CAP PDUs (%" PRIu64
		" incomplete) from %" PRIu64 " ACL packets\n",
		s->commands, s->commands_failed, s->commands_unanswered, s->events, s->events_failed, s->pdus,
		s->pdus_incomplete, s->fragments);
	sb_addf(sb, "  L2CAP sent %" PRIu64 " bytes, received %" PRIu64 " bytes; %" PRIu64 " SCO, %" PRIu64
		" ISO packets; %" PRIu64 " text records, %" PRIu64 " other records",
		s->bytes_sent, s->bytes_received, s->sco, s->iso, s->text, s->other);
	if (s->truncated)
		sb_addf(sb, "; %" PRIu64 " cut short by the capture", s->truncated);
	sb_addc(sb, '\n');
	text_conns(sb, s);
	text_table(sb, NC_COMMAND, &s->cmds);
	text_table(sb, NC_EVENT, &s->evts);
	text_table(sb, NC_PDU, &s->l2cap);
	if (s->nerrs) {
		const struct err_stat **v = sorted_errs(s);
		sb_adds(sb, "  errors:\n");
		for (unsigned i = 0; i < s->nerrs; i++) {
			sb_addf(sb, "  %8" PRIu64 "  ", v[i]->count);
			err_text(sb, v[i]);
			sb_addf(sb, "  (first: %s, frame %" PRIu64 ")\n", v[i]->first, v[i]->first_frame);
		}
		if (s->errs_other)
			sb_addf(sb, "  %8" PRIu64 "  other errors\n", s->errs_other);
		free(v);
	}
}

/* ------------------------------------------------------------------- JSON */

static void json_str(struct strbuf *sb, const char *key, const char *val)
{
	sb_addf(sb, "\"%s\":\"", key);
	sb_add_json_str(sb, val, strlen(val));
	sb_addc(sb, '"');
}

static const char *proto_text(uint8_t proto)
{
	switch (proto) {
	case BT_PROTO_SIGNAL: return "signalling";
	case BT_PROTO_LE_SIGNAL: return "le-signalling";
	case BT_PROTO_ATT: return "att";
	case BT_PROTO_SMP: return "smp";
	case BT_PROTO_OTHER: return "other";
	}
	return "fragment";
}

static void json_table(struct strbuf *sb, enum name_class cls, const struct name_table *t)
{
	const struct name_stat **v = sorted_names(t);

	sb_addc(sb, '[');
	for (unsigned i = 0; i < t->n; i++) {
		const struct name_stat *e = v[i];
		if (i)
			sb_addc(sb, ',');
		if (cls == NC_COMMAND)
			sb_addf(sb, "{\"opcode\":%u,", e->key);
		else if (cls == NC_EVENT && e->key >> 8 == HCI_EVT_LE_META)
			sb_addf(sb, "{\"event\":%u,\"subevent\":%u,", e->key >> 8, e->key & 0xff);
		else if (cls == NC_EVENT)
			sb_addf(sb, "{\"event\":%u,\"subevent\":null,", e->key >> 8);
		else if (e->proto == BT_PROTO_OTHER || e->proto == BT_PROTO_NONE)
			sb_addf(sb, "{\"protocol\":\"%s\",\"cid\":%u,\"code\":null,", proto_text(e->proto), e->key);
		else
			sb_addf(sb, "{\"protocol\":\"%s\",\"cid\":null,\"code\":%u,", proto_text(e->proto), e->key);
		json_str(sb, "name", e->name);
		sb_addf(sb, ",\"count\":%" PRIu64 ",\"first_frame\":%" PRIu64, e->count, e->first_frame);
		if (cls == NC_COMMAND) {
			sb_addf(sb, ",\"failed\":%" PRIu64 ",\"unanswered\":%" PRIu64, e->failed, e->unanswered);
			latency_json(sb, &e->lat);
		} else if (cls == NC_EVENT) {
			sb_addf(sb, ",\"failed\":%" PRIu64, e->failed);
		} else {
			sb_addf(sb, ",\"sent\":%" PRIu64 ",\"received\":%" PRIu64, e->sent, e->received);
		}
		sb_addc(sb, '}');
	}
	sb_addf(sb, "]");
	free(v);
}

void bt_stat_json(struct strbuf *sb, const struct bt_stat *s)
{
	char addr[18];
	const struct err_stat **errs;

	sb_addc(sb, '{');
	json_str(sb, "source", source_text(s->source));
	sb_addf(sb, ",\"commands\":%" PRIu64 ",\"commands_failed\":%" PRIu64 ",\"commands_unanswered\":%" PRIu64
		",\"events\":%" PRIu64 ",\"events_failed\":%" PRIu64 ",\"l2cap_pdus\":%" PRIu64
		",\"l2cap_incomplete\":%" PRIu64 ",\"acl_packets\":%" PRIu64 ",\"l2cap_bytes_sent\":%" PRIu64
		",\"l2cap_bytes_received\":%" PRIu64 ",\"sco\":%" PRIu64 ",\"iso\":%" PRIu64 ",\"text_records\":%" PRIu64
		",\"other_records\":%" PRIu64 ",\"truncated\":%" PRIu64,
		s->commands, s->commands_failed, s->commands_unanswered, s->events, s->events_failed, s->pdus,
		s->pdus_incomplete, s->fragments, s->bytes_sent, s->bytes_received, s->sco, s->iso, s->text, s->other,
		s->truncated);
	sb_adds(sb, ",\"connections\":[");
	for (unsigned i = 0; i < s->nconns; i++) {
		const struct conn_stat *c = &s->conns[i];
		sb_addf(sb, "%s{\"handle\":%u,\"link\":\"%s\",", i ? "," : "", c->handle, link_text(c->link));
		if (c->has_peer) {
			bt_addr_text(addr, c->peer);
			json_str(sb, "peer", addr);
		} else {
			sb_adds(sb, "\"peer\":null");
		}
		sb_addf(sb, ",\"connected\":%s", c->connected ? "true" : "false");
		sb_addf(sb, ",\"first_frame\":%" PRIu64 ",\"last_frame\":%" PRIu64 ",\"duration_ns\":%" PRIu64
			",\"pdus\":%" PRIu64 ",\"bytes_sent\":%" PRIu64 ",\"bytes_received\":%" PRIu64,
			c->first_frame, c->last_frame, dur_ns(c->ts_first, c->ts_last), c->pdus, c->bytes_sent,
			c->bytes_received);
		if (c->closed) {
			const char *r = hci_error_name((uint8_t)c->reason);
			sb_addf(sb, ",\"disconnect_reason\":%d,", c->reason);
			json_str(sb, "disconnect_reason_name", r ? r : "reserved");
		} else {
			sb_adds(sb, ",\"disconnect_reason\":null,\"disconnect_reason_name\":null");
		}
		sb_addc(sb, '}');
	}
	sb_addf(sb, "],\"connections_other\":%" PRIu64 ",\"hci_commands\":", s->conns_other);
	json_table(sb, NC_COMMAND, &s->cmds);
	sb_addf(sb, ",\"hci_commands_other\":%" PRIu64 ",\"hci_events\":", s->cmds.other);
	json_table(sb, NC_EVENT, &s->evts);
	sb_addf(sb, ",\"hci_events_other\":%" PRIu64 ",\"l2cap\":", s->evts.other);
	json_table(sb, NC_PDU, &s->l2cap);
	sb_addf(sb, ",\"l2cap_other\":%" PRIu64 ",\"errors\":[", s->l2cap.other);
	errs = sorted_errs(s);
	for (unsigned i = 0; i < s->nerrs; i++) {
		struct strbuf t = STRBUF_INIT;
		sb_init(&t);
		err_text(&t, errs[i]);
		sb_addf(sb, "%s{\"layer\":\"%s\",\"code\":%u,", i ? "," : "", layer_text(errs[i]->layer), errs[i]->code);
		json_str(sb, "text", t.buf);
		sb_addf(sb, ",\"count\":%" PRIu64 ",", errs[i]->count);
		json_str(sb, "first", errs[i]->first);
		sb_addf(sb, ",\"first_frame\":%" PRIu64 "}", errs[i]->first_frame);
		sb_release(&t);
	}
	sb_addf(sb, "],\"errors_other\":%" PRIu64 "}", s->errs_other);
	free(errs);
}
