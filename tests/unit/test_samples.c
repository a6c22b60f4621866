/* test_samples.c - the project's samples read cleanly, and each run's usbmon text agrees URB by URB with its pcap. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "testlib.h"

static void read_file(const char *name, struct rec_list *l)
{
	char *rel = path_join("samples", name), *path = src_path(rel);
	size_t len;
	uint8_t *buf = slurp(path, &len);

	cr_assert(buf, "samples/%s is missing", name);
	cr_assert_eq(read_all_mem(buf, len, l), 0, "%s: %s", name, errtext(&l->err));
	cr_assert_eq(l->rc, 0, "%s: %s", name, errtext(&l->err));
	free(buf);
	free(path);
	free(rel);
}

static bool same_urb_event(const struct usb_event *t, const struct usb_event *b)
{
	return t->urb_id == b->urb_id && t->type == b->type && t->xfer == b->xfer &&
	       t->endpoint == b->endpoint && t->device == b->device && t->bus == b->bus &&
	       t->status == b->status && t->length == b->length;
}

/*
 * The rig starts `cat usbmon/Nu` a moment after tcpdump, so the text holds
 * a suffix of the pcap's events, from the device plug onwards: find where
 * the text starts in the pcap, then every text event must equal the pcap
 * event at the same position, its (at most 32) data bytes a prefix of the
 * pcap's, marked truncated exactly when the pcap has more.
 */
static void compare_run(const char *run)
{
	char pcap_name[64], text_name[64];
	struct rec_list b, t;
	size_t k, i, matched = 0;

	snprintf(pcap_name, sizeof(pcap_name), "%s.pcap", run);
	snprintf(text_name, sizeof(text_name), "%s.usbmon.txt", run);
	read_file(pcap_name, &b);
	read_file(text_name, &t);
	cr_assert_gt(t.n, 200, "%s: a real session", text_name);
	cr_assert_eq(b.info.linktype, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(t.info.format, CAP_FORMAT_USBMON_TEXT);

	/* URB ids are reused (the root hub's control URB), so align on a run
	 * of 40 events rather than the first one. */
	for (k = 0; k < b.n; k++) {
		for (i = 0; i < 40 && i < t.n && k + i < b.n; i++)
			if (!same_urb_event(&t.recs[i].u.usb, &b.recs[k + i].u.usb))
				break;
		if (i == 40)
			break;
	}
	cr_assert_lt(k, b.n, "%s: the first text events are not in the pcap", run);
	cr_assert_lt(k, 40, "%s: the text starts %zu events late", run, k);
	for (i = 0; i < t.n && k + i < b.n; i++) {
		const struct usb_event *te = &t.recs[i].u.usb, *be = &b.recs[k + i].u.usb;
		cr_assert(same_urb_event(te, be), "%s: text event %zu (line %" PRIu64 ") differs from pcap frame %" PRIu64,
			  run, i + 1, te->frame, be->frame);
		cr_assert_eq(te->has_setup, be->has_setup, "%s: pcap frame %" PRIu64, run, be->frame);
		if (te->has_setup)
			cr_assert_eq(memcmp(te->setup, be->setup, 8), 0, "%s: setup of frame %" PRIu64, run, be->frame);
		if (i)
			cr_assert_geq(te->ts_ns, t.recs[i - 1].u.usb.ts_ns, "%s: text time goes back at line %" PRIu64,
				      run, te->frame);
		cr_assert_leq(te->caplen, 32, "the kernel's text interface shows at most 32 bytes");
		cr_assert_leq(te->caplen, be->caplen);
		if (te->caplen)
			cr_assert_eq(memcmp(te->data, be->data, te->caplen), 0, "%s: data of frame %" PRIu64, run,
				     be->frame);
		if (be->caplen > 32 && !be->truncated)
			cr_assert(te->truncated, "%s: frame %" PRIu64 " has %u bytes, the text 32: truncated", run,
				  be->frame, be->caplen);
		/* The text is stamped from the monotonic clock modulo 4096 s,
		 * the pcap from the real-time clock, each read on its own: the
		 * time since the first common event agrees (to ~50 us, with
		 * jitter of up to ~15 ms under emulation): a unit or wrap
		 * error would be off by far more. */
		{
			int64_t dt = te->ts_ns - t.recs[0].u.usb.ts_ns;
			int64_t db = be->ts_ns - b.recs[k].u.usb.ts_ns;
			cr_assert_lt(llabs(dt - db), 50000000, "%s: frame %" PRIu64 " at +%" PRId64 " ns in the pcap, +%" PRId64
				     " ns in the text", run, be->frame, db, dt);
		}
		matched++;
	}
	cr_assert_eq(matched, t.n, "%s: every text event is in the pcap", run);
	cr_assert_leq(b.n - (k + matched), 5, "%s: the pcap ends with the text", run);
	rec_list_free(&b);
	rec_list_free(&t);
}

Test(samples, bot_ehci_text_and_pcap_agree) { compare_run("bot-ehci"); }
Test(samples, uas_ehci_text_and_pcap_agree) { compare_run("uas-ehci"); }
Test(samples, uas_xhci_text_and_pcap_agree) { compare_run("uas-xhci"); }
