/* events.h - render capture records as text lines or JSON lines (scsiscope events). */
#ifndef SCSISCOPE_REPORT_EVENTS_H
#define SCSISCOPE_REPORT_EVENTS_H

#include <stdint.h>

#include "capture/capture.h"
#include "util/strbuf.h"

struct events_opts {
	int64_t t0_ns;            /* time origin for the text view (first record) */
	unsigned max_bytes;       /* data bytes shown per record (hex) */
};

/* One human-readable line, '\n'-terminated. */
void events_render_text(struct strbuf *sb, const struct cap_record *r, const struct events_opts *o);
/* One JSON object, '\n'-terminated; fields documented in doc/events-json.md. */
void events_render_json(struct strbuf *sb, const struct cap_record *r, const struct events_opts *o);

/* Totals for --count. */
struct events_totals {
	uint64_t records;
	uint64_t usb_submit, usb_complete, usb_error;
	uint64_t usb_truncated;
	uint64_t usb_bytes;       /* payload bytes present */
	uint64_t hci_by_type[HCI_REC_OTHER + 1];
	uint64_t hci_truncated;
};
void events_count(struct events_totals *t, const struct cap_record *r);
void events_render_totals(struct strbuf *sb, const struct events_totals *t, uint64_t frames,
			  uint64_t skipped, const struct cap_info *info, const char *file, bool json);

#endif
