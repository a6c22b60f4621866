/* test_prefetch.c - reading ahead in a thread gives exactly the records, bytes and errors cap_next() gives. */
#include "capture/prefetch.h"
#include "testlib.h"

/* Compare every field and byte of two records. */
static void same_record(const struct cap_record *a, const struct cap_record *b, size_t i)
{
	cr_assert_eq(a->kind, b->kind, "record %zu", i);
	if (a->kind == CAP_REC_USB) {
		struct usb_event x = a->u.usb, y = b->u.usb;
		cr_assert_eq(x.caplen, y.caplen, "record %zu", i);
		cr_assert_eq(x.iso_ndesc, y.iso_ndesc, "record %zu", i);
		if (x.caplen)
			cr_assert_eq(memcmp(x.data, y.data, x.caplen), 0, "record %zu data", i);
		if (x.iso_ndesc)
			cr_assert_eq(memcmp(x.iso, y.iso, x.iso_ndesc * sizeof(*x.iso)), 0, "record %zu iso", i);
		x.data = y.data = NULL;
		x.iso = y.iso = NULL;
		cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "record %zu fields", i);
	} else {
		struct hci_record x = a->u.hci, y = b->u.hci;
		cr_assert_eq(x.caplen, y.caplen, "record %zu", i);
		if (x.caplen)
			cr_assert_eq(memcmp(x.data, y.data, x.caplen), 0, "record %zu data", i);
		x.data = y.data = NULL;
		cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "record %zu fields", i);
	}
}

/* Read buf both ways; returns the number of records. */
static size_t compare_both(const void *buf, size_t len)
{
	struct cap *c1, *c2;
	struct cap_prefetch *pf;
	struct cap_record a, b;
	struct error e1, e2;
	int r1, r2;
	size_t n = 0;

	cr_assert_eq(cap_open_mem(buf, len, "t", &c1, &e1), 0, "%s", errtext(&e1));
	cr_assert_eq(cap_open_mem(buf, len, "t", &c2, &e2), 0);
	cr_assert_eq(cap_prefetch_start(c2, &pf, &e2), 0);
	for (;;) {
		r1 = cap_next(c1, &a, &e1);
		r2 = cap_prefetch_next(pf, &b, &e2);
		cr_assert_eq(r1, r2, "record %zu: cap_next %d, prefetch %d", n, r1, r2);
		if (r1 <= 0)
			break;
		same_record(&a, &b, n++);
	}
	if (r1 < 0) {
		char t1[1024];
		snprintf(t1, sizeof(t1), "%s", errtext(&e1));
		cr_assert_str_eq(t1, errtext(&e2));
	}
	cr_assert_eq(cap_prefetch_next(pf, &b, &e2), r1, "the end is sticky");
	cap_prefetch_stop(pf);
	cr_assert_eq(cap_frames_seen(c1), cap_frames_seen(c2));
	cap_close(c1);
	cap_close(c2);
	return n;
}

/* A pcap with many records of varied sizes, some larger than a batch's
 * arena, some isochronous with descriptors. */
static void make_big(struct strbuf *sb, int n)
{
	static uint8_t payload[3u << 20];
	struct strbuf pkt = STRBUF_INIT;
	struct usb_iso_desc iso[3] = { { 0, 0, 100 }, { -18, 100, 50 }, { 0, 150, 100 } };

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31 + 7);
	sb_init(sb);
	/* pcapng: its reader takes records up to 16 MiB (classic pcap stops at
	 * libpcap's per-link-type maximum). */
	pcapngw_shb(sb, false);
	pcapngw_idb(sb, false, LINKTYPE_USB_LINUX_MMAPPED, 0, 9);
	for (int i = 0; i < n; i++) {
		uint32_t len = (uint32_t)(i % 97) * 40;
		struct usb_event e;
		uint32_t orig;
		if (i % 5000 == 4999)
			len = sizeof(payload) - 16;       /* bigger than a batch arena */
		e = mk_usb('C', USB_XFER_BULK, 1, 2, 0x81, (uint64_t)i + 1, 0, len, payload + (i % 13), len,
			   1000000000LL + i);
		if (i % 777 == 0) {
			e.xfer = USB_XFER_ISO;
			e.iso = iso;
			e.iso_ndesc = 3;
		}
		sb_init(&pkt);
		orig = usbw_usbmon(&pkt, &e, true, false);
		pcapngw_epb(sb, false, 0, e.ts_ns, 9, pkt.buf, (uint32_t)pkt.len, orig);
		sb_release(&pkt);
	}
}

Test(prefetch, many_batches_and_oversized_records)
{
	struct strbuf sb;

	make_big(&sb, 20000);
	cr_assert_eq(compare_both(sb.buf, sb.len), 20000);
	sb_release(&sb);
}

Test(prefetch, an_error_comes_after_every_good_record)
{
	struct strbuf sb;

	make_big(&sb, 9000);
	sb.len -= 30;                     /* cut the last block */
	cr_assert_eq(compare_both(sb.buf, sb.len), 8999);
	sb_release(&sb);
}

Test(prefetch, empty_capture)
{
	struct strbuf sb;

	sb_init(&sb);
	pcapw_header(&sb, LINKTYPE_USB_LINUX, 65535, false, false);
	cr_assert_eq(compare_both(sb.buf, sb.len), 0);
	sb_release(&sb);
}

Test(prefetch, bluetooth_records)
{
	struct strbuf sb;
	static const uint8_t cmd[] = { 0x03, 0x0c, 0x00 };

	sb_init(&sb);
	for (int i = 0; i < 6000; i++) {
		struct hci_record h;
		memset(&h, 0, sizeof(h));
		h.type = (i % 3) ? HCI_REC_COMMAND : HCI_REC_NOTE;
		h.dir = HCI_DIR_SENT;
		h.ts_ns = 1000000000LL + i * 1000LL;
		h.data = (i % 3) ? cmd : (const uint8_t *)"a note";
		h.len = h.caplen = (i % 3) ? sizeof(cmd) : 6;
		pklgw_record(&sb, &h, true);
	}
	cr_assert_eq(compare_both(sb.buf, sb.len), 6000);
	sb_release(&sb);
}

Test(prefetch, stopping_early_does_not_hang)
{
	struct strbuf sb;
	struct cap *c;
	struct cap_prefetch *pf;
	struct cap_record r;
	struct error err;

	make_big(&sb, 20000);
	cr_assert_eq(cap_open_mem(sb.buf, sb.len, "t", &c, &err), 0);
	cr_assert_eq(cap_prefetch_start(c, &pf, &err), 0);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(cap_prefetch_next(pf, &r, &err), 1);
	cap_prefetch_stop(pf);            /* the reader is mid-file */
	cap_close(c);
	sb_release(&sb);
}

Test(prefetch, the_samples)
{
	static const char *names[] = { "bot-ehci.pcap", "uas-xhci.pcap", "uas-ehci.usbmon.txt" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char rel[64];
		size_t len = 0;
		uint8_t *buf;
		snprintf(rel, sizeof(rel), "samples/%s", names[i]);
		char *path = src_path(rel);
		buf = slurp(path, &len);
		cr_assert_gt(compare_both(buf, len), 200, "%s", names[i]);
		free(buf);
		free(path);
	}
}
