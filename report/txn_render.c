/* txn_render.c - text, -v and JSON renderings of decoded transactions. */
#include "config.h"
#include "report/txn_render.h"

#include <inttypes.h>
#include <string.h>

#include "util/tsmath.h"

#include "decode/hci.h"
#include "decode/scsi.h"
#include "decode/usb_control.h"

/* Append a string literal (its length known at compile time). */
#define ADDL(sb, lit) sb_add((sb), "" lit, sizeof(lit) - 1)

/* v in decimal, at least width digits (zero-padded), without printf: the
 * JSON renderer runs once per transaction and printf dominated it. */
static void add_u64_pad(struct strbuf *sb, uint64_t v, unsigned width)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || sizeof(tmp) - i < width);
	sb_add(sb, tmp + i, sizeof(tmp) - i);
}

/* v as 16 lower-case hex digits ("%016" PRIx64). */
static void add_hex64(struct strbuf *sb, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];

	for (int i = 15; i >= 0; i--, v >>= 4)
		tmp[i] = hex[v & 15];
	sb_add(sb, tmp, sizeof(tmp));
}

int64_t txn_start_ns(const struct txn *t)
{
	return txn_ts(t);
}

uint64_t txn_frame(const struct txn *t)
{
	return txn_first_frame(t);
}

static void add_time(struct strbuf *sb, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;

	if (ns < 0)
		sb_addc(sb, '-');
	sb_add_u64(sb, a / 1000000000u);
	sb_addc(sb, '.');
	add_u64_pad(sb, (a % 1000000000u) / 1000u, 6);
}

void render_duration(struct strbuf *sb, uint64_t ns)
{
	if (ns < 1000000)
		sb_addf(sb, "%" PRIu64 "us", ns / 1000);
	else if (ns < 1000000000)
		sb_addf(sb, "%" PRIu64 ".%01" PRIu64 "ms", ns / 1000000, (ns % 1000000) / 100000);
	else
		sb_addf(sb, "%" PRIu64 ".%03" PRIu64 "s", ns / 1000000000, (ns % 1000000000) / 1000000);
}

/* A transaction's duration; a negative one (timestamps out of order) is 0. */
static void add_duration(struct strbuf *sb, int64_t ns)
{
	render_duration(sb, ns < 0 ? 0 : (uint64_t)ns);
}

static void add_findings(struct strbuf *sb, const struct finding *f, uint32_t n)
{
	if (!n)
		return;
	sb_adds(sb, "  [");
	for (uint32_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s", i ? " " : "", f[i].id);
	sb_addc(sb, ']');
}

static void pad_to(struct strbuf *sb, size_t line_start, size_t col)
{
	size_t cur = sb->len - line_start;

	if (cur < col)
		sb_addf(sb, "%*s", (int)(col - cur), "");
	else
		sb_addc(sb, ' ');
}

static const char *status_text(int status)
{
	const char *n = status >= 0 ? scsi_status_name(status) : NULL;

	return n ? n : "status?";
}

/* ------------------------------------------------------------------ lines */

static void line_scsi(struct strbuf *sb, const struct scsi_txn *s, const struct render_opts *o)
{
	size_t start = sb->len;
	struct cdb_info ci;

	ci = *scsi_txn_cdb(s, &ci);
	sb_addf(sb, "%7" PRIu64 " ", s->frame);
	add_time(sb, ts_sub(s->ts_start, o->t0_ns));
	sb_addf(sb, " %u:%03u L%" PRIu64 " %s", s->bus, s->device, s->lun, transport_name((enum transport)s->transport));
	sb_addf(sb, " #%-4" PRIu32 " ", s->tag);
	scsi_cdb_summary(sb, &ci);
	if (ci.vendor) {
		sb_adds(sb, " cdb=");
		sb_add_hex(sb, s->cdb, s->cdb_len);
	}
	pad_to(sb, start, 84);
	sb_addf(sb, "%-4s %" PRIu64 "/", scsi_dir_name((enum scsi_dir)s->direction), s->data.bytes);
	if (s->expected_unknown)
		sb_addc(sb, '?');
	else
		sb_addf(sb, "%" PRIu32, s->expected_bytes);
	pad_to(sb, start, 108);
	if (s->status >= 0)
		sb_adds(sb, status_text(s->status));
	else if (s->csw_status == 2)
		sb_adds(sb, "PHASE ERROR");
	else if (s->uas_response >= 0)
		sb_addf(sb, "RESPONSE 0x%02x", (unsigned)s->uas_response);
	else
		sb_addf(sb, "no status (%s)", txn_end_name((enum txn_end)s->end));
	if (s->sense.source != SENSE_NONE) {
		sb_adds(sb, " ");
		scsi_sense_summary(sb, s->sense.key, s->sense.asc, s->sense.ascq);
	}
	sb_adds(sb, "  ");
	add_duration(sb, ts_sub(s->ts_end, s->ts_start));
	add_findings(sb, s->findings, s->nfindings);
	sb_addc(sb, '\n');
}

void render_usb_status(struct strbuf *sb, int32_t status, bool completed)
{
	const char *n;

	if (!completed) {
		sb_adds(sb, "not completed");
		return;
	}
	if (status == 0) {
		sb_adds(sb, "ok");
		return;
	}
	n = usb_status_errno_name(status);
	if (status == -32)
		sb_adds(sb, "STALL ");
	if (n)
		sb_addf(sb, "%s(%d)", n, status);
	else
		sb_addf(sb, "status %d", status);
}

static void line_control(struct strbuf *sb, const struct control_txn *c, const struct render_opts *o)
{
	size_t start = sb->len;

	sb_addf(sb, "%7" PRIu64 " ", c->frame);
	add_time(sb, ts_sub(c->ts_start, o->t0_ns));
	sb_addf(sb, " %u:%03u ep%u ctl ", c->bus, c->device, c->endpoint & 0x7f);
	if (c->has_setup)
		usb_control_summary(sb, c->setup, c->data.head, c->data.head_len);
	else
		sb_adds(sb, "control transfer (setup not captured)");
	pad_to(sb, start, 108);
	render_usb_status(sb, c->status, c->completed);
	sb_adds(sb, "  ");
	add_duration(sb, ts_sub(c->ts_end, c->ts_start));
	add_findings(sb, c->findings, c->nfindings);
	sb_addc(sb, '\n');
}

static void line_note(struct strbuf *sb, const struct usb_note *n, const struct render_opts *o)
{
	sb_addf(sb, "%7" PRIu64 " ", n->frame);
	add_time(sb, ts_sub(n->ts, o->t0_ns));
	if (n->kind == USB_NOTE_GAP) {
		sb_addf(sb, " %u:--- usb events-lost: the capture dropped %" PRIu32 " event%s before this frame",
			n->bus, n->length, n->length == 1 ? "" : "s");
		add_findings(sb, n->findings, n->nfindings);
		sb_addc(sb, '\n');
		return;
	}
	sb_addf(sb, " %u:%03u ep%u%s usb %s %s ", n->bus, n->device, n->endpoint & 0x7f,
		(n->endpoint & 0x80) ? "in" : "out", usb_xfer_name((enum usb_xfer_type)n->xfer),
		usb_note_kind_name((enum usb_note_kind)n->kind));
	render_usb_status(sb, n->status, n->kind != USB_NOTE_NO_COMPLETION);
	sb_addf(sb, " len=%" PRIu32, n->length);
	add_findings(sb, n->findings, n->nfindings);
	sb_addc(sb, '\n');
}

static const char *bt_short(uint8_t kind)
{
	switch (kind) {
	case BT_COMMAND: return "cmd";
	case BT_EVENT: return "evt";
	case BT_ACL: return "acl";
	case BT_SCO: return "sco";
	case BT_ISO: return "iso";
	case BT_TEXT: return "text";
	}
	return "rec";
}

static const char *bt_dir_text(uint8_t dir)
{
	return dir == HCI_DIR_SENT ? "sent" : dir == HCI_DIR_RECV ? "recv" : "-";
}

static void line_bt(struct strbuf *sb, const struct bt_txn *b, const struct render_opts *o)
{
	size_t start = sb->len, mark;

	sb_addf(sb, "%7" PRIu64 " ", b->frame);
	add_time(sb, ts_sub(b->ts_start, o->t0_ns));
	if (b->source == BT_SRC_USB)
		sb_addf(sb, " %u:%03u", b->bus, b->device);
	sb_addf(sb, " hci %-4s %-4s ", bt_dir_text(b->dir), bt_short(b->kind));
	bt_summary(sb, b);
	mark = sb->len;
	pad_to(sb, start, 108);
	{
		size_t before = sb->len;
		bt_status_text(sb, b);
		if (sb->len == before) {
			sb->len = mark;       /* no status: no padding either */
			sb->buf[mark] = '\0';
		}
	}
	if (b->kind == BT_COMMAND && b->answered) {
		sb_adds(sb, "  ");
		add_duration(sb, ts_sub(b->ts_end, b->ts_start));
	}
	add_findings(sb, b->findings, b->nfindings);
	sb_addc(sb, '\n');
}

void render_txn_line(struct strbuf *sb, const struct txn *t, const struct render_opts *o)
{
	switch (t->kind) {
	case TXN_SCSI: line_scsi(sb, &t->u.scsi, o); break;
	case TXN_CONTROL: line_control(sb, &t->u.ctl, o); break;
	case TXN_BT: line_bt(sb, &t->u.bt, o); break;
	default: line_note(sb, &t->u.note, o); break;
	}
}

/* ---------------------------------------------------------------- verbose */

static void add_frames(struct strbuf *sb, const uint64_t *f, uint32_t n)
{
	sb_adds(sb, "    frames:");
	for (uint32_t i = 0; i < n && i < 64; i++)
		sb_addf(sb, " %" PRIu64, f[i]);
	if (n > 64)
		sb_addf(sb, " ... (%" PRIu32 " in all)", n);
	sb_addc(sb, '\n');
}

static void add_findings_verbose(struct strbuf *sb, const struct finding *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		sb_addf(sb, "    finding %s (%s): %s", f[i].id, severity_name((enum severity)f[i].severity), f[i].msg);
		if (f[i].nframes) {
			sb_adds(sb, " [frames");
			for (uint8_t k = 0; k < f[i].nframes; k++)
				sb_addf(sb, " %" PRIu64, f[i].frames[k]);
			sb_addc(sb, ']');
		}
		sb_addc(sb, '\n');
	}
}

static void add_payload_line(struct strbuf *sb, const struct payload *p)
{
	sb_addf(sb, "    data: %" PRIu64 " bytes moved, %" PRIu64 " captured", p->bytes, p->captured);
	if (p->captured)
		sb_addf(sb, ", xxh3 %016" PRIx64 "%s", p->hash, p->captured < p->bytes ? " (of the captured part)" : "");
	sb_addc(sb, '\n');
}

static void verbose_scsi(struct strbuf *sb, const struct scsi_txn *s)
{
	struct cdb_info ci;

	add_frames(sb, s->frames, s->nframes);
	if (s->transport == TRANSPORT_BOT) {
		sb_addf(sb, "    CBW: tag 0x%08" PRIx32 ", data transfer length %" PRIu32 ", direction %s, LUN %" PRIu64
			", CDB length %u\n", s->tag, s->expected_bytes, scsi_dir_name((enum scsi_dir)s->direction),
			s->lun, s->cdb_len);
		if (s->csw_status >= 0)
			sb_addf(sb, "    CSW: status %d (%s), residue %" PRIu32 "\n", s->csw_status,
				s->csw_status == 0 ? "passed" : s->csw_status == 1 ? "failed" :
				s->csw_status == 2 ? "phase error" : "reserved", s->residue);
		else
			sb_addf(sb, "    CSW: none (%s)\n", txn_end_name((enum txn_end)s->end));
	} else if (s->transport == TRANSPORT_UAS) {
		sb_addf(sb, "    Command IU: tag %" PRIu32 ", LUN %" PRIu64 ", CDB length %u%s\n", s->tag, s->lun,
			s->cdb_len, s->data_inferred ? ", data tied by submit order (streams)" : "");
		if (s->uas_response >= 0)
			sb_addf(sb, "    Response IU: code 0x%02x\n", (unsigned)s->uas_response);
		else if (s->status >= 0)
			sb_addf(sb, "    Sense IU: status 0x%02x (%s)\n", (unsigned)s->status, status_text(s->status));
		else
			sb_addf(sb, "    no Sense IU (%s)\n", txn_end_name((enum txn_end)s->end));
	}
	sb_adds(sb, "    CDB:");
	for (unsigned i = 0; i < s->cdb_len && i < SCSI_CDB_MAX; i++)
		sb_addf(sb, " %02x", s->cdb[i]);
	sb_addc(sb, '\n');
	scsi_cdb_describe(sb, s->cdb, s->cdb_len, "      ");
	add_payload_line(sb, &s->data);
	ci = *scsi_txn_cdb(s, &ci);
	if (s->data.head_len)
		scsi_data_describe(sb, &ci, s->data.head, s->data.head_len, "      ");
	if (s->sense.source != SENSE_NONE) {
		sb_addf(sb, "    sense (from %s, frame %" PRIu64 "):\n", sense_source_name((enum sense_source)s->sense.source),
			s->sense.frame);
		scsi_sense_describe(sb, s->sense.raw, s->sense.len, "      ");
	}
	add_findings_verbose(sb, s->findings, s->nfindings);
}

static void verbose_control(struct strbuf *sb, const struct control_txn *c)
{
	add_frames(sb, c->frames, c->nframes);
	if (c->has_setup)
		usb_control_describe(sb, c->setup, c->data.head, c->data.head_len, "      ");
	if (c->data.bytes)
		add_payload_line(sb, &c->data);
	add_findings_verbose(sb, c->findings, c->nfindings);
}

void render_txn_verbose(struct strbuf *sb, const struct txn *t, const struct render_opts *o)
{
	render_txn_line(sb, t, o);
	switch (t->kind) {
	case TXN_SCSI: verbose_scsi(sb, &t->u.scsi); break;
	case TXN_CONTROL: verbose_control(sb, &t->u.ctl); break;
	case TXN_BT:
		add_frames(sb, t->u.bt.frames, t->u.bt.nframes);
		{
			char name[64];
			sb_addf(sb, "    %s:\n", bt_name(&t->u.bt, name, sizeof(name)));
		}
		bt_describe(sb, &t->u.bt, "      ");
		add_findings_verbose(sb, t->u.bt.findings, t->u.bt.nfindings);
		break;
	default: add_findings_verbose(sb, t->u.note.findings, t->u.note.nfindings); break;
	}
	sb_addc(sb, '\n');
}

/* ------------------------------------------------------------------- JSON */

/* The JSON renderer avoids printf on the per-transaction path: it is what
 * `decode --json` spends most of its time on (bench/run-decode.sh). */

/* ,"key":"escaped value" */
static void json_str(struct strbuf *sb, const char *key, const char *val)
{
	ADDL(sb, ",\"");
	sb_adds(sb, key);
	ADDL(sb, "\":\"");
	sb_add_json_str(sb, val, strlen(val));
	sb_addc(sb, '"');
}

/* key is the literal text before the number, e.g. ",\"lba\":". */
#define json_u64(sb, key, v) \
	do { \
		ADDL(sb, key); \
		sb_add_u64((sb), (v)); \
	} while (0)
#define json_i64(sb, key, v) \
	do { \
		ADDL(sb, key); \
		sb_add_i64((sb), (v)); \
	} while (0)

static void json_time(struct strbuf *sb, int64_t ts, int64_t t0)
{
	int64_t rel = ts_sub(ts, t0);

	ADDL(sb, ",\"time\":");
	add_time(sb, rel);
	json_i64(sb, ",\"ts_ns\":", ts);
}

static void json_findings(struct strbuf *sb, const struct finding *f, uint32_t n)
{
	ADDL(sb, ",\"findings\":[");
	for (uint32_t i = 0; i < n; i++) {
		sb_addf(sb, "%s{\"id\":\"%s\",\"severity\":\"%s\",\"frames\":[", i ? "," : "", f[i].id,
			severity_name((enum severity)f[i].severity));
		for (uint8_t k = 0; k < f[i].nframes; k++) {
			if (k)
				sb_addc(sb, ',');
			sb_add_u64(sb, f[i].frames[k]);
		}
		ADDL(sb, "],\"message\":\"");
		sb_add_json_str(sb, f[i].msg, strlen(f[i].msg));
		ADDL(sb, "\"}");
	}
	sb_addc(sb, ']');
}

static void json_frames(struct strbuf *sb, const uint64_t *f, uint32_t n)
{
	ADDL(sb, ",\"frames\":[");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			sb_addc(sb, ',');
		sb_add_u64(sb, f[i]);
	}
	sb_addc(sb, ']');
}

static void json_payload(struct strbuf *sb, const struct payload *p)
{
	json_u64(sb, ",\"moved_bytes\":", p->bytes);
	json_u64(sb, ",\"captured_bytes\":", p->captured);
	if (p->captured) {
		ADDL(sb, ",\"data_hash\":\"");
		add_hex64(sb, p->hash);
		sb_addc(sb, '"');
	} else {
		ADDL(sb, ",\"data_hash\":null");
	}
}

/* ,"summary":"..." from the CDB, rendered straight into sb and escaped
 * afterwards only if it needs it (it almost never does). */
static void json_cdb_summary(struct strbuf *sb, const struct cdb_info *ci)
{
	size_t start;
	bool plain = true;

	ADDL(sb, ",\"summary\":\"");
	start = sb->len;
	scsi_cdb_summary(sb, ci);
	for (size_t i = start; i < sb->len && plain; i++) {
		unsigned char c = (unsigned char)sb->buf[i];
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
	}
	if (!plain) {
		struct strbuf raw = STRBUF_INIT;

		sb_init(&raw);
		sb_add(&raw, sb->buf + start, sb->len - start);
		sb->len = start;
		sb->buf[start] = '\0';
		sb_add_json_str(sb, raw.buf, raw.len);
		sb_release(&raw);
	}
	sb_addc(sb, '"');
}

static void json_scsi(struct strbuf *sb, const struct scsi_txn *s, const struct render_opts *o)
{
	struct cdb_info ci;

	ci = *scsi_txn_cdb(s, &ci);
	json_u64(sb, "{\"kind\":\"scsi\",\"frame\":", s->frame);
	json_u64(sb, ",\"last_frame\":", s->last_frame);
	json_time(sb, s->ts_start, o->t0_ns);
	json_i64(sb, ",\"duration_us\":", (ts_sub(s->ts_end, s->ts_start)) / 1000);
	json_u64(sb, ",\"bus\":", s->bus);
	json_u64(sb, ",\"device\":", s->device);
	json_u64(sb, ",\"interface\":", s->interface);
	ADDL(sb, ",\"transport\":\"");
	sb_adds(sb, transport_name((enum transport)s->transport));
	json_u64(sb, "\",\"lun\":", s->lun);
	json_u64(sb, ",\"tag\":", s->tag);
	ADDL(sb, ",\"cdb\":\"");
	sb_add_hex(sb, s->cdb, s->cdb_len);
	json_u64(sb, "\",\"cdb_len\":", s->cdb_len);
	json_u64(sb, ",\"opcode\":", ci.opcode);
	if (ci.service_action >= 0)
		json_i64(sb, ",\"service_action\":", ci.service_action);
	json_str(sb, "name", ci.name);
	json_cdb_summary(sb, &ci);
	if (ci.has_lba)
		json_u64(sb, ",\"lba\":", ci.lba);
	if (ci.has_blocks)
		json_u64(sb, ",\"blocks\":", ci.blocks);
	if (ci.has_bytes)
		json_u64(sb, ",\"alloc_len\":", ci.bytes);
	ADDL(sb, ",\"direction\":\"");
	sb_adds(sb, scsi_dir_name((enum scsi_dir)s->direction));
	if (s->expected_unknown)
		ADDL(sb, "\",\"expected_bytes\":null");
	else
		json_u64(sb, "\",\"expected_bytes\":", s->expected_bytes);
	json_payload(sb, &s->data);
	if (s->block_size)
		json_u64(sb, ",\"block_size\":", s->block_size);
	if (s->status >= 0) {
		json_i64(sb, ",\"status\":", s->status);
		ADDL(sb, ",\"status_name\":\"");
		sb_adds(sb, status_text(s->status));
		sb_addc(sb, '"');
	} else {
		ADDL(sb, ",\"status\":null");
	}
	if (s->transport == TRANSPORT_BOT) {
		if (s->csw_status >= 0)
			json_i64(sb, ",\"csw_status\":", s->csw_status);
		else
			ADDL(sb, ",\"csw_status\":null");
		if (s->has_residue)
			json_u64(sb, ",\"residue\":", s->residue);
	}
	if (s->transport == TRANSPORT_UAS) {
		if (s->uas_response >= 0)
			json_i64(sb, ",\"uas_response\":", s->uas_response);
		if (s->data_inferred)
			ADDL(sb, ",\"data_inferred\":true");
		else
			ADDL(sb, ",\"data_inferred\":false");
	}
	if (s->sense.source != SENSE_NONE) {
		char text[160];
		sb_addf(sb, ",\"sense\":{\"key\":%u,\"asc\":%u,\"ascq\":%u,\"key_name\":\"%s\",\"text\":\"",
			s->sense.key, s->sense.asc, s->sense.ascq, scsi_sense_key_name(s->sense.key));
		scsi_asc_text(s->sense.asc, s->sense.ascq, text, sizeof(text));
		sb_add_json_str(sb, text, strlen(text));
		sb_addf(sb, "\",\"source\":\"%s\",\"frame\":%" PRIu64 ",\"raw\":\"",
			sense_source_name((enum sense_source)s->sense.source), s->sense.frame);
		sb_add_hex(sb, s->sense.raw, s->sense.len);
		ADDL(sb, "\"}");
	} else {
		ADDL(sb, ",\"sense\":null");
	}
	ADDL(sb, ",\"end\":\"");
	sb_adds(sb, txn_end_name((enum txn_end)s->end));
	sb_addc(sb, '"');
	json_frames(sb, s->frames, s->nframes);
	json_findings(sb, s->findings, s->nfindings);
	ADDL(sb, "}\n");
}

static void json_control(struct strbuf *sb, const struct control_txn *c, const struct render_opts *o)
{
	struct strbuf tmp = STRBUF_INIT;

	sb_addf(sb, "{\"kind\":\"control\",\"frame\":%" PRIu64 ",\"last_frame\":%" PRIu64, c->frame, c->last_frame);
	json_time(sb, c->ts_start, o->t0_ns);
	sb_addf(sb, ",\"duration_us\":%" PRId64 ",\"bus\":%u,\"device\":%u,\"endpoint\":%u", (ts_sub(c->ts_end, c->ts_start)) / 1000,
		c->bus, c->device, c->endpoint);
	if (c->has_setup) {
		sb_adds(sb, ",\"setup\":\"");
		sb_add_hex(sb, c->setup, 8);
		sb_addc(sb, '"');
		json_str(sb, "name", usb_request_name(c->setup));
		sb_init(&tmp);
		usb_control_summary(&tmp, c->setup, c->data.head, c->data.head_len);
		json_str(sb, "summary", tmp.buf);
		sb_release(&tmp);
	}
	if (c->completed)
		sb_addf(sb, ",\"status\":%d", c->status);
	else
		sb_adds(sb, ",\"status\":null");
	json_payload(sb, &c->data);
	json_frames(sb, c->frames, c->nframes);
	json_findings(sb, c->findings, c->nfindings);
	sb_adds(sb, "}\n");
}

static void json_note(struct strbuf *sb, const struct usb_note *n, const struct render_opts *o)
{
	const char *en = usb_status_errno_name(n->status);

	sb_addf(sb, "{\"kind\":\"usb\",\"frame\":%" PRIu64, n->frame);
	json_time(sb, n->ts, o->t0_ns);
	sb_addf(sb, ",\"bus\":%u,\"device\":%u,\"endpoint\":%u,\"transfer\":\"%s\",\"note\":\"%s\",\"status\":%d",
		n->bus, n->device, n->endpoint, usb_xfer_name((enum usb_xfer_type)n->xfer),
		usb_note_kind_name((enum usb_note_kind)n->kind), n->status);
	if (en)
		sb_addf(sb, ",\"status_name\":\"%s\"", en);
	sb_addf(sb, ",\"length\":%" PRIu32, n->length);
	json_findings(sb, n->findings, n->nfindings);
	sb_adds(sb, "}\n");
}

static const char *bt_proto_name(uint8_t p)
{
	switch (p) {
	case BT_PROTO_SIGNAL: return "l2cap-signalling";
	case BT_PROTO_LE_SIGNAL: return "le-signalling";
	case BT_PROTO_ATT: return "att";
	case BT_PROTO_SMP: return "smp";
	case BT_PROTO_OTHER: return "l2cap";
	}
	return "fragment";
}

static void json_bt(struct strbuf *sb, const struct bt_txn *b, const struct render_opts *o)
{
	struct strbuf tmp = STRBUF_INIT;
	char name[64];

	sb_addf(sb, "{\"kind\":\"bt\",\"bt_kind\":\"%s\",\"frame\":%" PRIu64 ",\"last_frame\":%" PRIu64,
		bt_kind_name((enum bt_kind)b->kind), b->frame, b->last_frame);
	json_time(sb, b->ts_start, o->t0_ns);
	sb_addf(sb, ",\"duration_us\":%" PRId64 ",\"bus\":%u,\"device\":%u,\"direction\":\"%s\",\"record\":\"%s\"",
		ts_sub(b->ts_end, b->ts_start) / 1000, b->bus, b->device, bt_dir_text(b->dir),
		hci_rec_type_name((enum hci_rec_type)b->rec_type));
	json_str(sb, "name", bt_name(b, name, sizeof(name)));
	sb_init(&tmp);
	bt_summary(&tmp, b);
	json_str(sb, "summary", tmp.buf);
	if (b->kind == BT_COMMAND || (b->kind == BT_EVENT && (b->event == 0x0e || b->event == 0x0f)))
		sb_addf(sb, ",\"opcode\":%u", b->opcode);
	if (b->event)
		sb_addf(sb, ",\"event\":%u", b->event);
	if (b->subevent)
		sb_addf(sb, ",\"subevent\":%u", b->subevent);
	if (b->kind == BT_COMMAND)
		sb_addf(sb, ",\"answered\":%s", b->answered ? "true" : "false");
	if (b->status >= 0) {
		sb_addf(sb, ",\"status\":%d", b->status);
		sb_reset(&tmp);
		bt_status_text(&tmp, b);
		json_str(sb, "status_name", tmp.buf);
	} else {
		sb_adds(sb, ",\"status\":null");
	}
	if (b->handle != BT_HANDLE_NONE)
		sb_addf(sb, ",\"handle\":%u", b->handle);
	if (b->has_peer) {
		bt_addr_text(name, b->peer);
		sb_addf(sb, ",\"peer\":\"%s\"", name);
	}
	if (b->kind == BT_ACL) {
		sb_addf(sb, ",\"protocol\":\"%s\",\"fragments\":%" PRIu32 ",\"incomplete\":%s", bt_proto_name(b->proto),
			b->fragments, b->incomplete ? "true" : "false");
		if (b->proto != BT_PROTO_NONE)
			sb_addf(sb, ",\"cid\":%u,\"l2cap_len\":%u", b->cid, b->l2cap_len);
		if (b->proto != BT_PROTO_NONE && b->proto != BT_PROTO_OTHER && b->data.head_len)
			sb_addf(sb, ",\"code\":%u", b->code);
	}
	json_payload(sb, &b->data);
	sb_adds(sb, ",\"bytes\":\"");
	sb_add_hex(sb, b->data.head, b->data.head_len);
	sb_addc(sb, '"');
	if (b->reply) {
		sb_addf(sb, ",\"reply_frame\":%" PRIu64 ",\"reply\":\"", b->reply_frame);
		sb_add_hex(sb, b->reply, b->reply_len);
		sb_addc(sb, '"');
	}
	sb_release(&tmp);
	json_frames(sb, b->frames, b->nframes);
	json_findings(sb, b->findings, b->nfindings);
	sb_adds(sb, "}\n");
}

void render_txn_json(struct strbuf *sb, const struct txn *t, const struct render_opts *o)
{
	switch (t->kind) {
	case TXN_SCSI: json_scsi(sb, &t->u.scsi, o); break;
	case TXN_CONTROL: json_control(sb, &t->u.ctl, o); break;
	case TXN_BT: json_bt(sb, &t->u.bt, o); break;
	default: json_note(sb, &t->u.note, o); break;
	}
}
