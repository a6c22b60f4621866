/* txn_render.c - text, -v and JSON renderings of decoded transactions. */
#include "config.h"
#include "report/txn_render.h"

#include <inttypes.h>
#include <string.h>

#include "util/tsmath.h"

#include "decode/scsi.h"
#include "decode/usb_control.h"

int64_t txn_start_ns(const struct txn *t)
{
	switch (t->kind) {
	case TXN_SCSI: return t->u.scsi.ts_start;
	case TXN_CONTROL: return t->u.ctl.ts_start;
	default: return t->u.note.ts;
	}
}

uint64_t txn_frame(const struct txn *t)
{
	switch (t->kind) {
	case TXN_SCSI: return t->u.scsi.frame;
	case TXN_CONTROL: return t->u.ctl.frame;
	default: return t->u.note.frame;
	}
}

static void add_time(struct strbuf *sb, int64_t ns)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;

	sb_addf(sb, "%s%" PRIu64 ".%06" PRIu64, sign, a / 1000000000u, (a % 1000000000u) / 1000u);
}

static void add_duration(struct strbuf *sb, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	if (ns < 1000000)
		sb_addf(sb, "%" PRId64 "us", ns / 1000);
	else if (ns < 1000000000)
		sb_addf(sb, "%" PRId64 ".%01" PRId64 "ms", ns / 1000000, (ns % 1000000) / 100000);
	else
		sb_addf(sb, "%" PRId64 ".%03" PRId64 "s", ns / 1000000000, (ns % 1000000000) / 1000000);
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

	scsi_cdb_decode(s->cdb, s->cdb_len, &ci);
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
	sb_addf(sb, "%-4s %" PRIu64 "/%" PRIu32, scsi_dir_name((enum scsi_dir)s->direction), s->data.bytes,
		s->expected_bytes);
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

static void add_usb_status(struct strbuf *sb, int32_t status, bool completed)
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
	add_usb_status(sb, c->status, c->completed);
	sb_adds(sb, "  ");
	add_duration(sb, ts_sub(c->ts_end, c->ts_start));
	add_findings(sb, c->findings, c->nfindings);
	sb_addc(sb, '\n');
}

static void line_note(struct strbuf *sb, const struct usb_note *n, const struct render_opts *o)
{
	sb_addf(sb, "%7" PRIu64 " ", n->frame);
	add_time(sb, ts_sub(n->ts, o->t0_ns));
	sb_addf(sb, " %u:%03u ep%u%s usb %s %s ", n->bus, n->device, n->endpoint & 0x7f,
		(n->endpoint & 0x80) ? "in" : "out", usb_xfer_name((enum usb_xfer_type)n->xfer),
		usb_note_kind_name((enum usb_note_kind)n->kind));
	add_usb_status(sb, n->status, n->kind != USB_NOTE_NO_COMPLETION);
	sb_addf(sb, " len=%" PRIu32, n->length);
	add_findings(sb, n->findings, n->nfindings);
	sb_addc(sb, '\n');
}

void render_txn_line(struct strbuf *sb, const struct txn *t, const struct render_opts *o)
{
	switch (t->kind) {
	case TXN_SCSI: line_scsi(sb, &t->u.scsi, o); break;
	case TXN_CONTROL: line_control(sb, &t->u.ctl, o); break;
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
	scsi_cdb_decode(s->cdb, s->cdb_len, &ci);
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
	default: add_findings_verbose(sb, t->u.note.findings, t->u.note.nfindings); break;
	}
	sb_addc(sb, '\n');
}

/* ------------------------------------------------------------------- JSON */

static void json_str(struct strbuf *sb, const char *key, const char *val)
{
	sb_addf(sb, ",\"%s\":\"", key);
	sb_add_json_str(sb, val, strlen(val));
	sb_addc(sb, '"');
}

static void json_time(struct strbuf *sb, int64_t ts, int64_t t0)
{
	int64_t rel = ts_sub(ts, t0);

	sb_adds(sb, ",\"time\":");
	add_time(sb, rel);
	sb_addf(sb, ",\"ts_ns\":%" PRId64, ts);
}

static void json_findings(struct strbuf *sb, const struct finding *f, uint32_t n)
{
	sb_adds(sb, ",\"findings\":[");
	for (uint32_t i = 0; i < n; i++) {
		sb_addf(sb, "%s{\"id\":\"%s\",\"severity\":\"%s\",\"frames\":[", i ? "," : "", f[i].id,
			severity_name((enum severity)f[i].severity));
		for (uint8_t k = 0; k < f[i].nframes; k++)
			sb_addf(sb, "%s%" PRIu64, k ? "," : "", f[i].frames[k]);
		sb_adds(sb, "],\"message\":\"");
		sb_add_json_str(sb, f[i].msg, strlen(f[i].msg));
		sb_adds(sb, "\"}");
	}
	sb_addc(sb, ']');
}

static void json_frames(struct strbuf *sb, const uint64_t *f, uint32_t n)
{
	sb_adds(sb, ",\"frames\":[");
	for (uint32_t i = 0; i < n; i++)
		sb_addf(sb, "%s%" PRIu64, i ? "," : "", f[i]);
	sb_addc(sb, ']');
}

static void json_payload(struct strbuf *sb, const struct payload *p)
{
	sb_addf(sb, ",\"moved_bytes\":%" PRIu64 ",\"captured_bytes\":%" PRIu64, p->bytes, p->captured);
	if (p->captured)
		sb_addf(sb, ",\"data_hash\":\"%016" PRIx64 "\"", p->hash);
	else
		sb_adds(sb, ",\"data_hash\":null");
}

static void json_scsi(struct strbuf *sb, const struct scsi_txn *s, const struct render_opts *o)
{
	struct cdb_info ci;
	struct strbuf tmp = STRBUF_INIT;

	scsi_cdb_decode(s->cdb, s->cdb_len, &ci);
	sb_addf(sb, "{\"kind\":\"scsi\",\"frame\":%" PRIu64 ",\"last_frame\":%" PRIu64, s->frame, s->last_frame);
	json_time(sb, s->ts_start, o->t0_ns);
	sb_addf(sb, ",\"duration_us\":%" PRId64, (ts_sub(s->ts_end, s->ts_start)) / 1000);
	sb_addf(sb, ",\"bus\":%u,\"device\":%u,\"interface\":%u,\"transport\":\"%s\",\"lun\":%" PRIu64 ",\"tag\":%" PRIu32,
		s->bus, s->device, s->interface, transport_name((enum transport)s->transport), s->lun, s->tag);
	sb_adds(sb, ",\"cdb\":\"");
	sb_add_hex(sb, s->cdb, s->cdb_len);
	sb_addf(sb, "\",\"cdb_len\":%u,\"opcode\":%u", s->cdb_len, ci.opcode);
	if (ci.service_action >= 0)
		sb_addf(sb, ",\"service_action\":%d", ci.service_action);
	json_str(sb, "name", ci.name);
	sb_init(&tmp);
	scsi_cdb_summary(&tmp, &ci);
	json_str(sb, "summary", tmp.buf);
	sb_release(&tmp);
	if (ci.has_lba)
		sb_addf(sb, ",\"lba\":%" PRIu64, ci.lba);
	if (ci.has_blocks)
		sb_addf(sb, ",\"blocks\":%" PRIu32, ci.blocks);
	if (ci.has_bytes)
		sb_addf(sb, ",\"alloc_len\":%" PRIu32, ci.bytes);
	sb_addf(sb, ",\"direction\":\"%s\",\"expected_bytes\":%" PRIu32, scsi_dir_name((enum scsi_dir)s->direction),
		s->expected_bytes);
	json_payload(sb, &s->data);
	if (s->block_size)
		sb_addf(sb, ",\"block_size\":%" PRIu32, s->block_size);
	if (s->status >= 0)
		sb_addf(sb, ",\"status\":%d,\"status_name\":\"%s\"", s->status, status_text(s->status));
	else
		sb_adds(sb, ",\"status\":null");
	if (s->transport == TRANSPORT_BOT) {
		if (s->csw_status >= 0)
			sb_addf(sb, ",\"csw_status\":%d", s->csw_status);
		else
			sb_adds(sb, ",\"csw_status\":null");
		if (s->has_residue)
			sb_addf(sb, ",\"residue\":%" PRIu32, s->residue);
	}
	if (s->transport == TRANSPORT_UAS) {
		if (s->uas_response >= 0)
			sb_addf(sb, ",\"uas_response\":%d", s->uas_response);
		sb_addf(sb, ",\"data_inferred\":%s", s->data_inferred ? "true" : "false");
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
		sb_adds(sb, "\"}");
	} else {
		sb_adds(sb, ",\"sense\":null");
	}
	sb_addf(sb, ",\"end\":\"%s\"", txn_end_name((enum txn_end)s->end));
	json_frames(sb, s->frames, s->nframes);
	json_findings(sb, s->findings, s->nfindings);
	sb_adds(sb, "}\n");
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

void render_txn_json(struct strbuf *sb, const struct txn *t, const struct render_opts *o)
{
	switch (t->kind) {
	case TXN_SCSI: json_scsi(sb, &t->u.scsi, o); break;
	case TXN_CONTROL: json_control(sb, &t->u.ctl, o); break;
	default: json_note(sb, &t->u.note, o); break;
	}
}
