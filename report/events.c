/* events.c - one line (text or JSON) per capture record. */
#include "config.h"
#include "report/events.h"

#include <inttypes.h>
#include <string.h>

#include "util/tsmath.h"

static void add_time(struct strbuf *sb, int64_t ns)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;

	sb_addf(sb, "%s%" PRIu64 ".%09" PRIu64, sign, a / 1000000000u, a % 1000000000u);
}

/* usbmon-style hex: groups of 4 bytes separated by spaces. */
static void add_hex_words(struct strbuf *sb, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i && i % 4 == 0)
			sb_addc(sb, ' ');
		sb_add_hex(sb, d + i, 1);
	}
}

static void add_status(struct strbuf *sb, const struct usb_event *e)
{
	const char *name = usb_status_errno_name(e->status);

	if (e->status == 0)
		sb_adds(sb, "ok");
	else if (name)
		sb_addf(sb, "%s(%d)", name, e->status);
	else
		sb_addf(sb, "%d", e->status);
	if (e->status_origin == USB_STATUS_USBD && e->orig_status != 0)
		sb_addf(sb, "[usbd 0x%08" PRIx32 "]", e->orig_status);
	else if (e->status_origin == USB_STATUS_IORETURN && e->orig_status != 0)
		sb_addf(sb, "[ioreturn 0x%08" PRIx32 "]", e->orig_status);
}

static void text_usb(struct strbuf *sb, const struct usb_event *e, const struct events_opts *o)
{
	size_t n;

	sb_addf(sb, "%7" PRIu64 " ", e->frame);
	add_time(sb, ts_sub(e->ts_ns, o->t0_ns));
	sb_addf(sb, " %u:%03u:%02x %-3s %-9s %-8s ", e->bus, e->device, e->endpoint & 0x7f,
		(e->endpoint & 0x80) ? "in" : "out", usb_xfer_name(e->xfer), usb_ev_type_name(e->type));
	add_status(sb, e);
	sb_addf(sb, " len=%" PRIu32, e->length);
	if (e->caplen || e->data_len)
		sb_addf(sb, " cap=%" PRIu32, e->caplen);
	if (e->truncated)
		sb_adds(sb, " truncated");
	if (e->ctrl_stage != USB_STAGE_NONE)
		sb_addf(sb, " stage=%s", usb_ctrl_stage_name(e->ctrl_stage));
	if (e->xfer == USB_XFER_IRP_INFO || e->urb_function)
		sb_addf(sb, " function=0x%04x", e->urb_function);
	if (e->has_setup) {
		const uint8_t *s = e->setup;
		sb_addf(sb, " setup=%02x %02x %04x %04x %04x", s[0], s[1],
			s[2] | (s[3] << 8), s[4] | (s[5] << 8), s[6] | (s[7] << 8));
	}
	if (e->iso_ndesc)
		sb_addf(sb, " iso=%" PRIu32, e->iso_ndesc);
	n = e->caplen < o->max_bytes ? e->caplen : o->max_bytes;
	if (n) {
		sb_adds(sb, " = ");
		add_hex_words(sb, e->data, n);
		if (n < e->caplen)
			sb_adds(sb, " ...");
	}
	sb_addc(sb, '\n');
}

static bool hci_is_text(uint8_t type)
{
	return type == HCI_REC_NOTE || type == HCI_REC_SYSLOG || type == HCI_REC_KERNEL ||
	       type == HCI_REC_KERNEL_DEBUG || type == HCI_REC_ERROR;
}

static void add_printable(struct strbuf *sb, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addc(sb, (d[i] >= 0x20 && d[i] < 0x7f) ? (char)d[i] : '.');
}

static const char *hci_dir_name(uint8_t dir)
{
	return dir == HCI_DIR_SENT ? "sent" : dir == HCI_DIR_RECV ? "recv" : "-";
}

static void text_hci(struct strbuf *sb, const struct hci_record *h, const struct events_opts *o)
{
	size_t n;

	sb_addf(sb, "%7" PRIu64 " ", h->frame);
	add_time(sb, ts_sub(h->ts_ns, o->t0_ns));
	sb_addf(sb, " hci %-4s %-14s len=%" PRIu32, hci_dir_name(h->dir), hci_rec_type_name(h->type), h->len);
	if (h->truncated)
		sb_addf(sb, " cap=%" PRIu32 " truncated", h->caplen);
	if (h->drops)
		sb_addf(sb, " drops=%" PRIu32, h->drops);
	if (hci_is_text(h->type)) {
		n = h->caplen < 200 ? h->caplen : 200;
		sb_adds(sb, " \"");
		add_printable(sb, h->data, n);
		sb_addc(sb, '"');
		if (n < h->caplen)
			sb_adds(sb, " ...");
	} else {
		n = h->caplen < o->max_bytes ? h->caplen : o->max_bytes;
		if (n) {
			sb_adds(sb, " = ");
			add_hex_words(sb, h->data, n);
			if (n < h->caplen)
				sb_adds(sb, " ...");
		}
	}
	sb_addc(sb, '\n');
}

void events_render_text(struct strbuf *sb, const struct cap_record *r, const struct events_opts *o)
{
	if (r->kind == CAP_REC_USB)
		text_usb(sb, &r->u.usb, o);
	else
		text_hci(sb, &r->u.hci, o);
}

static void json_usb(struct strbuf *sb, const struct usb_event *e, const struct events_opts *o)
{
	const char *name = usb_status_errno_name(e->status);
	size_t n = e->caplen < o->max_bytes ? e->caplen : o->max_bytes;

	sb_addf(sb, "{\"frame\":%" PRIu64 ",\"ts_ns\":%" PRId64 ",\"record\":\"usb\",\"source\":\"%s\"",
		e->frame, e->ts_ns, usb_source_name(e->source));
	sb_addf(sb, ",\"bus\":%u,\"device\":%u,\"endpoint\":%u,\"direction\":\"%s\",\"transfer\":\"%s\"",
		e->bus, e->device, e->endpoint, (e->endpoint & 0x80) ? "in" : "out", usb_xfer_name(e->xfer));
	sb_addf(sb, ",\"event\":\"%s\",\"urb_id\":\"0x%016" PRIx64 "\",\"status\":%d",
		usb_ev_type_name(e->type), e->urb_id, e->status);
	if (name)
		sb_addf(sb, ",\"status_name\":\"%s\"", name);
	if (e->status_origin != USB_STATUS_LINUX)
		sb_addf(sb, ",\"orig_status\":\"0x%08" PRIx32 "\",\"orig_status_kind\":\"%s\"", e->orig_status,
			e->status_origin == USB_STATUS_USBD ? "usbd" : "ioreturn");
	sb_addf(sb, ",\"length\":%" PRIu32 ",\"data_len\":%" PRIu32 ",\"caplen\":%" PRIu32 ",\"truncated\":%s",
		e->length, e->data_len, e->caplen, e->truncated ? "true" : "false");
	if (e->has_setup) {
		sb_adds(sb, ",\"setup\":\"");
		sb_add_hex(sb, e->setup, 8);
		sb_addc(sb, '"');
	}
	if (e->ctrl_stage != USB_STAGE_NONE)
		sb_addf(sb, ",\"stage\":\"%s\"", usb_ctrl_stage_name(e->ctrl_stage));
	if (e->source == USB_SRC_USBPCAP)
		sb_addf(sb, ",\"urb_function\":%u,\"irp_info\":%u", e->urb_function, e->irp_info);
	if (e->source == USB_SRC_DARWIN)
		sb_addf(sb, ",\"location_id\":\"0x%08" PRIx32 "\",\"speed\":\"%s\"", e->location_id,
			usb_speed_name(e->speed));
	if (e->xfer == USB_XFER_INTR || e->xfer == USB_XFER_ISO)
		sb_addf(sb, ",\"interval\":%d", e->interval);
	if (e->xfer == USB_XFER_ISO) {
		sb_addf(sb, ",\"start_frame\":%d,\"iso_error_count\":%d,\"iso\":[", e->start_frame,
			e->iso_error_count);
		for (uint32_t i = 0; i < e->iso_ndesc; i++)
			sb_addf(sb, "%s{\"status\":%d,\"offset\":%" PRIu32 ",\"length\":%" PRIu32 "}", i ? "," : "",
				e->iso[i].status, e->iso[i].offset, e->iso[i].length);
		sb_addc(sb, ']');
	}
	if (e->source == USB_SRC_USBMON_MMAPPED)
		sb_addf(sb, ",\"xfer_flags\":%" PRIu32, e->xfer_flags);
	sb_adds(sb, ",\"data\":\"");
	sb_add_hex(sb, e->data, n);
	sb_adds(sb, "\"}\n");
}

static void json_hci(struct strbuf *sb, const struct hci_record *h, const struct events_opts *o)
{
	sb_addf(sb, "{\"frame\":%" PRIu64 ",\"ts_ns\":%" PRId64 ",\"record\":\"hci\",\"source\":\"%s\"",
		h->frame, h->ts_ns, hci_source_name(h->source));
	sb_addf(sb, ",\"type\":\"%s\",\"direction\":\"%s\",\"orig_type\":%" PRIu32,
		hci_rec_type_name(h->type), hci_dir_name(h->dir), h->orig_type);
	sb_addf(sb, ",\"length\":%" PRIu32 ",\"caplen\":%" PRIu32 ",\"truncated\":%s",
		h->len, h->caplen, h->truncated ? "true" : "false");
	if (h->source == HCI_SRC_BTSNOOP)
		sb_addf(sb, ",\"drops\":%" PRIu32, h->drops);
	if (hci_is_text(h->type)) {
		size_t n = h->caplen;
		sb_adds(sb, ",\"text\":\"");
		sb_add_json_str(sb, (const char *)h->data, n);
		sb_adds(sb, "\"}\n");
	} else {
		size_t n = h->caplen < o->max_bytes ? h->caplen : o->max_bytes;
		sb_adds(sb, ",\"data\":\"");
		sb_add_hex(sb, h->data, n);
		sb_adds(sb, "\"}\n");
	}
}

void events_render_json(struct strbuf *sb, const struct cap_record *r, const struct events_opts *o)
{
	if (r->kind == CAP_REC_USB)
		json_usb(sb, &r->u.usb, o);
	else
		json_hci(sb, &r->u.hci, o);
}

void events_count(struct events_totals *t, const struct cap_record *r)
{
	t->records++;
	if (r->kind == CAP_REC_USB) {
		const struct usb_event *e = &r->u.usb;
		if (e->type == USB_EV_SUBMIT)
			t->usb_submit++;
		else if (e->type == USB_EV_COMPLETE)
			t->usb_complete++;
		else
			t->usb_error++;
		t->usb_truncated += e->truncated;
		t->usb_bytes += e->caplen;
	} else {
		const struct hci_record *h = &r->u.hci;
		t->hci_by_type[h->type <= HCI_REC_OTHER ? h->type : HCI_REC_OTHER]++;
		t->hci_truncated += h->truncated;
	}
}

void events_render_totals(struct strbuf *sb, const struct events_totals *t, uint64_t frames,
			  uint64_t skipped, const struct cap_info *info, const char *file, bool json)
{
	uint64_t usb = t->usb_submit + t->usb_complete + t->usb_error;
	uint64_t hci = t->records - usb;

	if (json) {
		sb_adds(sb, "{\"file\":\"");
		sb_add_json_str(sb, file, strlen(file));
		sb_addf(sb, "\",\"format\":\"%s\",\"gzip\":%s,\"linktype\":%d,\"frames\":%" PRIu64
			",\"skipped\":%" PRIu64 ",\"usb_events\":%" PRIu64 ",\"submit\":%" PRIu64
			",\"complete\":%" PRIu64 ",\"error\":%" PRIu64 ",\"truncated\":%" PRIu64
			",\"payload_bytes\":%" PRIu64 ",\"hci_records\":%" PRIu64,
			cap_format_name(info->format), info->gzip ? "true" : "false", info->linktype, frames,
			skipped, usb, t->usb_submit, t->usb_complete, t->usb_error,
			t->usb_truncated + t->hci_truncated, t->usb_bytes, hci);
		sb_adds(sb, ",\"hci_by_type\":{");
		for (int i = 1, first = 1; i <= HCI_REC_OTHER; i++) {
			if (!t->hci_by_type[i])
				continue;
			sb_addf(sb, "%s\"%s\":%" PRIu64, first ? "" : ",", hci_rec_type_name((enum hci_rec_type)i),
				t->hci_by_type[i]);
			first = 0;
		}
		sb_adds(sb, "}}\n");
		return;
	}
	sb_addf(sb, "file        %s\n", file);
	sb_addf(sb, "format      %s%s", cap_format_name(info->format), info->gzip ? " (gzip)" : "");
	if (info->linktype >= 0)
		sb_addf(sb, ", link type %d (%s)", info->linktype, cap_linktype_name(info->linktype));
	sb_addc(sb, '\n');
	sb_addf(sb, "frames      %" PRIu64 "\n", frames);
	if (skipped)
		sb_addf(sb, "skipped     %" PRIu64 " (not USB or Bluetooth)\n", skipped);
	if (usb)
		sb_addf(sb, "usb events  %" PRIu64 " (submit %" PRIu64 ", complete %" PRIu64 ", error %" PRIu64
			"), %" PRIu64 " payload bytes\n", usb, t->usb_submit, t->usb_complete, t->usb_error,
			t->usb_bytes);
	if (hci) {
		sb_addf(sb, "hci records %" PRIu64 " (", hci);
		for (int i = 1, first = 1; i <= HCI_REC_OTHER; i++) {
			if (!t->hci_by_type[i])
				continue;
			sb_addf(sb, "%s%s %" PRIu64, first ? "" : ", ", hci_rec_type_name((enum hci_rec_type)i),
				t->hci_by_type[i]);
			first = 0;
		}
		sb_adds(sb, ")\n");
	}
	if (t->usb_truncated + t->hci_truncated)
		sb_addf(sb, "truncated   %" PRIu64 " (payload cut by the capture)\n",
			t->usb_truncated + t->hci_truncated);
}
