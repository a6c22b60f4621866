/* test_usbmon_text.c - usbmon debugfs text ('1u', '1t' and python-parser variants): writer round trips, real files, damaged text. */
#include "testlib.h"

#include <stdio.h>
#include <zlib.h>

#include "capture/reader.h"

static const uint8_t cbw[31] = {
	0x55, 0x53, 0x42, 0x43, 0x01, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x80, 0x00, 0x06, 0x12,
	0x00, 0x00, 0x00, 0x24, 0x00,
};

/* A BOT INQUIRY exchange (Get Max LUN, CBW, data, CSW) plus a stall. */
static size_t bot_events(struct usb_event *ev, uint8_t *inq)
{
	static const uint8_t setup[8] = { 0xa1, 0xfe, 0x34, 0x12, 0x02, 0x00, 0x01, 0x00 };
	static const uint8_t csw[13] = { 0x55, 0x53, 0x42, 0x53, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t n = 0;

	for (int i = 0; i < 36; i++)
		inq[i] = (uint8_t)(0x40 + i);
	ev[n] = mk_usb('S', USB_XFER_CONTROL, 2, 3, 0x80, 0xffff88801ff12180ull, -115, 1, NULL, 0, 1000000000LL);
	ev[n].has_setup = true;
	memcpy(ev[n++].setup, setup, 8);
	ev[n++] = mk_usb('C', USB_XFER_CONTROL, 2, 3, 0x80, 0xffff88801ff12180ull, 0, 1, "\x00", 1, 1000100000LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 2, 3, 0x02, 0x2000, -115, 31, cbw, 31, 1000200000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x02, 0x2000, 0, 31, NULL, 0, 1000300123LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 2, 3, 0x81, 0x3000, -115, 36, NULL, 0, 1000400000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x81, 0x3000, 0, 36, inq, 32, 1000500000LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 2, 3, 0x81, 0x4000, -115, 13, NULL, 0, 1000600000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x81, 0x4000, 0, 13, csw, 13, 1000700000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x81, 0x5000, -32, 0, NULL, 0, 1000800000LL);
	ev[n++] = mk_usb('E', USB_XFER_BULK, 2, 3, 0x02, 0x6000, -19, 0, NULL, 0, 1000900000LL);
	return n;
}

static void write_events(struct strbuf *sb, const struct usb_event *ev, size_t n, bool old)
{
	sb_init(sb);
	for (size_t i = 0; i < n; i++)
		usbw_text(sb, &ev[i], old);
}

static int read_str(const char *s, struct rec_list *l)
{
	return read_all_mem(s, strlen(s), l);
}

static void check_bot_roundtrip(bool old)
{
	struct usb_event ev[16];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb;
	struct rec_list l;

	write_events(&sb, ev, n, old);
	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s\n%s", errtext(&l.err), sb.buf);
	cr_assert_eq(l.n, n, "%zu events read from\n%s", l.n, sb.buf);
	cr_assert_eq(l.info.format, CAP_FORMAT_USBMON_TEXT);
	cr_assert_eq(l.info.gzip, false);
	for (size_t i = 0; i < n; i++) {
		const struct usb_event *e = &l.recs[i].u.usb;
		cr_assert_eq(l.recs[i].kind, CAP_REC_USB);
		cr_assert_eq(e->frame, i + 1);
		cr_assert_eq(e->source, USB_SRC_USBMON_TEXT);
		cr_assert_eq(e->urb_id, ev[i].urb_id, "event %zu", i);
		cr_assert_eq(e->type, ev[i].type);
		cr_assert_eq(e->xfer, ev[i].xfer);
		cr_assert_eq(e->bus, old ? 0 : 2, "'1t' has no bus number");
		cr_assert_eq(e->device, 3);
		cr_assert_eq(e->endpoint, ev[i].endpoint, "event %zu", i);
		cr_assert_eq(e->status, ev[i].status, "event %zu", i);
		cr_assert_eq(e->status_origin, USB_STATUS_LINUX);
		cr_assert_eq(e->orig_status, (uint32_t)ev[i].status);
		cr_assert_eq(e->length, ev[i].length, "event %zu", i);
		cr_assert_eq(e->caplen, ev[i].caplen, "event %zu", i);
		cr_assert_eq(e->data_len, ev[i].caplen);
		cr_assert_eq(e->has_setup, ev[i].has_setup);
		cr_assert_eq(e->ts_ns, ev[i].ts_ns / 1000 * 1000, "event %zu: %lld", i, (long long)e->ts_ns);
		cr_assert_eq(e->frame_len, 0);
		if (ev[i].caplen)
			cr_assert_eq(memcmp(e->data, ev[i].data, ev[i].caplen), 0, "event %zu", i);
	}
	cr_assert_eq(memcmp(l.recs[0].u.usb.setup, ev[0].setup, 8), 0);
	/* the INQUIRY completion moved 36 bytes, of which 32 are here */
	cr_assert(l.recs[5].u.usb.truncated);
	cr_assert_not(l.recs[7].u.usb.truncated);
	cr_assert_not(l.recs[4].u.usb.truncated, "'<' on an IN submission is no cut");
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbmon_text, bot_roundtrip_1u) { check_bot_roundtrip(false); }
Test(usbmon_text, bot_roundtrip_1t) { check_bot_roundtrip(true); }

Test(usbmon_text, writer_lines_look_like_the_kernel)
{
	struct usb_event ev[16];
	uint8_t inq[36];
	struct strbuf sb;

	bot_events(ev, inq);
	sb_init(&sb);
	usbw_text(&sb, &ev[0], false);
	usbw_text(&sb, &ev[2], false);
	usbw_text(&sb, &ev[3], true);
	cr_assert_str_eq(sb.buf,
		"ffff88801ff12180 1000000 S Ci:2:003:0 s a1 fe 1234 0002 0001 1 <\n"
		"2000 1000200 S Bo:2:003:2 -115 31 = 55534243 01000000 24000000 80000612 00000024 00000000 00000000 000000\n"
		"2000 1000300 C Bo:003:02 0 31 >\n");
	sb_release(&sb);
}

/* ---- fields ---- */

Test(usbmon_text, setup_packets)
{
	static const char text[] =
		"d5ea89a0 3575914555 S Ci:1:001:0 s a3 00 0000 0003 0004 4 <\n"
		"d5ea89a0 3575914560 C Ci:1:001:0 0 4 = 01050000\n"
		"ffff8803c7d1a0c0 4019621110 S Ci:1:041:0 s 80 06 0302 0409 00ff 255 <\n"
		"ffff8803c7d1a0c0 4019642027 S Co:1:041:0 s 21 0a 0000 0000 0000 0\n"
		"ffff8803c7d1a0c0 4019642125 C Co:1:041:0 0 0\n"
		"dd65f0e8 4019642200 S Co:1:005:0 Z __ __ ____ ____ ____ 8 >\n";
	static const uint8_t s0[8] = { 0xa3, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00 };
	static const uint8_t s2[8] = { 0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xff, 0x00 };
	static const uint8_t s3[8] = { 0x21, 0x0a, 0, 0, 0, 0, 0, 0 };
	struct rec_list l;

	cr_assert_eq(read_str(text, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 6);
	cr_assert(l.recs[0].u.usb.has_setup);
	cr_assert_eq(memcmp(l.recs[0].u.usb.setup, s0, 8), 0);
	cr_assert_eq(l.recs[0].u.usb.status, -115);
	cr_assert_eq(l.recs[0].u.usb.endpoint, 0x80);
	cr_assert_eq(l.recs[0].u.usb.length, 4);
	cr_assert_not(l.recs[1].u.usb.has_setup);
	cr_assert_eq(l.recs[1].u.usb.caplen, 4);
	cr_assert_eq(memcmp(l.recs[1].u.usb.data, "\x01\x05\x00\x00", 4), 0);
	cr_assert_eq(memcmp(l.recs[2].u.usb.setup, s2, 8), 0, "wValue 0302 is 02 03 on the wire");
	cr_assert_eq(l.recs[2].u.usb.length, 255);
	cr_assert_eq(memcmp(l.recs[3].u.usb.setup, s3, 8), 0);
	cr_assert_eq(l.recs[3].u.usb.endpoint, 0x00);
	cr_assert_eq(l.recs[4].u.usb.length, 0);
	cr_assert_eq(l.recs[4].u.usb.caplen, 0);
	/* setup not captured: filler words, no setup */
	cr_assert_not(l.recs[5].u.usb.has_setup);
	cr_assert_eq(l.recs[5].u.usb.length, 8);
	cr_assert_eq(l.recs[5].u.usb.status, -115);
	rec_list_free(&l);
}

Test(usbmon_text, interrupt_interval)
{
	static const char text[] =
		"ffff8803d55683c0 4019347664 C Ii:1:041:1 -108:8 0\n"
		"ffff8803c7d1a0c0 4019654016 S Ii:1:041:1 -115:8 4 <\n"
		"f667e680 1127762832 C Ii:1:001:1 0:2048 2 = 2000\n";
	struct usb_event ev = mk_usb('S', USB_XFER_INTR, 3, 9, 0x81, 77, -115, 8, NULL, 0, 5000);
	struct strbuf sb;
	struct rec_list l;

	cr_assert_eq(read_str(text, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 3);
	cr_assert_eq(l.recs[0].u.usb.xfer, USB_XFER_INTR);
	cr_assert_eq(l.recs[0].u.usb.status, -108);
	cr_assert_eq(l.recs[0].u.usb.interval, 8);
	cr_assert_eq(l.recs[1].u.usb.status, -115);
	cr_assert_eq(l.recs[1].u.usb.interval, 8);
	cr_assert_eq(l.recs[2].u.usb.interval, 2048);
	cr_assert_eq(l.recs[2].u.usb.caplen, 2);
	cr_assert_eq(l.recs[2].u.usb.data[0], 0x20);
	rec_list_free(&l);

	ev.interval = 16;
	sb_init(&sb);
	usbw_text(&sb, &ev, false);
	cr_assert(strstr(sb.buf, " -115:16 8 <"), "%s", sb.buf);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.n, 1, "%s", errtext(&l.err));
	cr_assert_eq(l.recs[0].u.usb.interval, 16);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbmon_text, iso_descriptors)
{
	struct usb_iso_desc iso[3] = { { 0, 0, 192 }, { -18, 192, 100 }, { 0, 384, 192 } };
	uint8_t data[40];
	struct usb_event ev[2];
	struct usb_iso_desc got[3];
	struct strbuf sb;
	struct rec_list l;
	struct cap *c;
	struct cap_record r;
	struct error err;

	for (int i = 0; i < 40; i++)
		data[i] = (uint8_t)i;
	ev[0] = mk_usb('S', USB_XFER_ISO, 1, 7, 0x83, 11, -115, 576, NULL, 0, 5000);
	ev[1] = mk_usb('C', USB_XFER_ISO, 1, 7, 0x83, 11, 0, 576, data, sizeof(data), 6000);
	for (int i = 0; i < 2; i++) {
		ev[i].iso = iso;
		ev[i].iso_ndesc = 3;
		ev[i].interval = 1;
		ev[i].start_frame = 1234;
	}
	ev[1].iso_error_count = 1;
	write_events(&sb, ev, 2, false);
	cr_assert(strstr(sb.buf, " S Zi:1:007:3 -115:1:1234 3 0:0:192 -18:192:100 0:384:192 576 <\n"), "%s", sb.buf);
	cr_assert(strstr(sb.buf, " C Zi:1:007:3 0:1:1234:1 3 0:0:192 -18:192:100 0:384:192 576 = 00010203"), "%s", sb.buf);

	/* read with cap_next directly: the descriptors live in the reader */
	cr_assert_eq(cap_open_mem(sb.buf, sb.len, "iso.txt", &c, &err), 0, "%s", errtext(&err));
	for (int i = 0; i < 2; i++) {
		const struct usb_event *e = &r.u.usb;
		cr_assert_eq(cap_next(c, &r, &err), 1, "%s", errtext(&err));
		cr_assert_eq(e->xfer, USB_XFER_ISO);
		cr_assert_eq(e->iso_ndesc, 3);
		cr_assert_not_null(e->iso);
		memcpy(got, e->iso, sizeof(got));
		for (int k = 0; k < 3; k++) {
			cr_assert_eq(got[k].status, iso[k].status);
			cr_assert_eq(got[k].offset, iso[k].offset);
			cr_assert_eq(got[k].length, iso[k].length);
		}
		cr_assert_eq(e->interval, 1);
		cr_assert_eq(e->start_frame, 1234);
		cr_assert_eq(e->iso_error_count, i == 1 ? 1 : 0);
		cr_assert_eq(e->caplen, i == 1 ? 32 : 0);
	}
	cr_assert_eq(cap_next(c, &r, &err), 0);
	cap_close(c);
	sb_release(&sb);

	/* a URB with 8 descriptors shows 5; an E event has none */
	cr_assert_eq(read_str("a1 100 C Zo:2:004:1 0:1:20:0 8 0:0:10 0:10:10 0:20:10 0:30:10 0:40:10 80 >\n"
			      "a2 101 E Zo:2:004:1 -22 0\n", &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.recs[0].u.usb.iso_ndesc, 5);
	cr_assert_eq(l.recs[0].u.usb.length, 80);
	cr_assert_eq(l.recs[0].u.usb.endpoint, 0x01);
	cr_assert_eq(l.recs[1].u.usb.type, USB_EV_ERROR);
	cr_assert_eq(l.recs[1].u.usb.status, -22);
	cr_assert_eq(l.recs[1].u.usb.iso_ndesc, 0);
	rec_list_free(&l);
}

Test(usbmon_text, truncation_at_32_bytes_is_marked)
{
	uint8_t big[4096];
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	ev[0] = mk_usb('S', USB_XFER_BULK, 1, 5, 0x02, 9, -115, sizeof(big), big, sizeof(big), 5000);
	ev[1] = mk_usb('C', USB_XFER_BULK, 1, 5, 0x81, 10, 0, 32, big, 32, 6000);
	write_events(&sb, ev, 2, false);
	cr_assert(sb.len < 300, "the writer keeps to the kernel's 32 bytes: %s", sb.buf);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.recs[0].u.usb.length, 4096);
	cr_assert_eq(l.recs[0].u.usb.caplen, 32);
	cr_assert_eq(l.recs[0].u.usb.data_len, 32);
	cr_assert(l.recs[0].u.usb.truncated);
	cr_assert_eq(memcmp(l.recs[0].u.usb.data, big, 32), 0);
	cr_assert_eq(l.recs[1].u.usb.caplen, 32);
	cr_assert_not(l.recs[1].u.usb.truncated, "exactly 32 of 32 bytes");
	rec_list_free(&l);
	sb_release(&sb);

	/* the reader takes more than 32 bytes when a file has them, and a
	 * last word of 1 to 3 bytes */
	cr_assert_eq(read_str("a 1 C Bi:1:002:1 0 37 = 00010203 04050607 08090a0b 0c0d0e0f "
			      "10111213 14151617 18191a1b 1c1d1e1f 20212223 24\n"
			      "b 2 C Bi:1:002:1 0 40 = 000102\n", &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.recs[0].u.usb.caplen, 37);
	cr_assert_eq(l.recs[0].u.usb.data[36], 0x24);
	cr_assert_not(l.recs[0].u.usb.truncated);
	cr_assert_eq(l.recs[1].u.usb.caplen, 3);
	cr_assert(l.recs[1].u.usb.truncated);
	rec_list_free(&l);
}

/* ---- timestamps ---- */

Test(usbmon_text, wrap_at_4096_seconds_is_undone)
{
	static const int64_t s = 1000000000LL;
	const int64_t ts[] = { 4095 * s + 500000000, 4095 * s + 900000000, 4096 * s + 200000000,
			       4100 * s, 8191 * s + 900000000, 8192 * s + 100000, 9000 * s };
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l;
	size_t n = sizeof(ts) / sizeof(ts[0]);

	for (size_t i = 0; i < n; i++)
		ev[i] = mk_usb('S', USB_XFER_BULK, 1, 2, 0x81, 100 + i, -115, 13, NULL, 0, ts[i]);
	write_events(&sb, ev, n, false);
	cr_assert(strstr(sb.buf, "66 200000 S"), "the writer wraps as the kernel does:\n%s", sb.buf);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(l.recs[i].u.usb.ts_ns, ts[i], "event %zu: %lld != %lld", i,
			     (long long)l.recs[i].u.usb.ts_ns, (long long)ts[i]);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbmon_text, small_steps_back_and_late_events_are_not_wraps)
{
	struct rec_list l;

	/* 1 ms back: reordering, not a wrap; an event printed late across a
	 * wrap belongs before it */
	cr_assert_eq(read_str("a 1000000 S Bi:1:002:1 -115 13 <\n"
			      "b 999000 S Bi:1:002:1 -115 13 <\n"
			      "c 4095999000 S Bi:1:002:1 -115 13 <\n"
			      "d 1000 S Bi:1:002:1 -115 13 <\n"
			      "e 4095999500 C Bi:1:002:1 0 0\n"
			      "f 2000 C Bi:1:002:1 0 0\n", &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.recs[1].u.usb.ts_ns, 999000000LL);
	cr_assert_eq(l.recs[2].u.usb.ts_ns, 4095999000000LL);
	cr_assert_eq(l.recs[3].u.usb.ts_ns, 4096001000000LL);
	cr_assert_eq(l.recs[4].u.usb.ts_ns, 4095999500000LL);
	cr_assert_eq(l.recs[5].u.usb.ts_ns, 4096002000000LL);
	rec_list_free(&l);

	/* older kernels: the 32-bit microsecond counter itself wraps */
	cr_assert_eq(read_str("a 4294000000 S Bi:1:002:1 -115 13 <\n"
			      "b 500000 C Bi:1:002:1 0 0\n", &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.recs[1].u.usb.ts_ns, (4294967296LL + 500000) * 1000);
	rec_list_free(&l);
}

/* ---- rakesh-roshan/usbmon-python-parser variants ---- */

Test(usbmon_text, python_parser_variants)
{
	/* lines from examples/mass-storage/x2-android-mobile.txt and
	 * examples/modem/motorokr-modem.txt */
	static const char text[] =
		"f6681380 0.044513 C Ii:1:001:1 0:-606348325 2 = 0200\n"
		"f6681380 0.044531 S Ii:1:001:1 -:-606348325 4 <\n"
		"dcf54480 0.044727 S Ci:1:001:0 s a3 00 0000 0001 0004 4 <\n"
		"d8fde480 1.260953 C Ci:2:012:0 0 55 = 09023700 020100e0 80090400 00020806 50000705 81024000 "
		"00070502 02400000 09040100 02ff4201 00070586 02400000 07050702 400000\n"
		"dcf54100 2.297552 S Bo:2:012:7 - 24 = 434e584e 00000001 00100000 07000000 32020000 bcb1a7b1\n"
		"dcf54480 2.297477 S Bi:2:012:6 - 24 <\n"
		"d8fde580 10.001827 S Bo:2:012:2 - 31 = 55534243 0e000000 00000000 00000600 00000000 00000000 00000000 000000\n";
	struct rec_list l;

	cr_assert(usbmon_text_probe((const uint8_t *)text, sizeof(text) - 1));
	cr_assert_eq(read_str(text, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 7);
	cr_assert_eq(l.recs[0].u.usb.ts_ns, 44513000LL);
	cr_assert_eq(l.recs[0].u.usb.interval, -606348325);
	cr_assert_eq(l.recs[1].u.usb.status, -115, "'-' is -EINPROGRESS");
	cr_assert_eq(l.recs[1].u.usb.interval, -606348325);
	cr_assert(l.recs[2].u.usb.has_setup);
	cr_assert_eq(l.recs[3].u.usb.caplen, 55, "more than the kernel's 32 bytes");
	cr_assert_not(l.recs[3].u.usb.truncated);
	cr_assert_eq(l.recs[3].u.usb.data[52], 0x40, "last word 400000 is 3 bytes");
	cr_assert_eq(l.recs[3].u.usb.data[54], 0x00);
	cr_assert_eq(l.recs[3].u.usb.ts_ns, 1260953000LL);
	cr_assert_eq(l.recs[4].u.usb.status, -115);
	cr_assert_eq(l.recs[4].u.usb.endpoint, 0x07);
	cr_assert_eq(l.recs[4].u.usb.bus, 2);
	cr_assert_eq(l.recs[4].u.usb.device, 12);
	cr_assert_eq(l.recs[5].u.usb.ts_ns, 2297477000LL, "seconds timestamps are not unwrapped");
	cr_assert_eq(l.recs[6].u.usb.ts_ns, 10001827000LL);
	cr_assert_eq(l.recs[6].u.usb.caplen, 31);
	rec_list_free(&l);
}

/* ---- real files ---- */

struct text_counts {
	size_t events, submits, bulk, cbw;
};

/* Count event lines independently of the reader: the third word is S, C
 * or E; CBW lines carry "= 55534243". */
static bool count_lines(const char *path, struct text_counts *tc)
{
	FILE *fp = fopen(path, "r");
	char line[4096];

	memset(tc, 0, sizeof(*tc));
	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp)) {
		char w1[64], w2[64], w3[8], w4[32];
		if (sscanf(line, "%63s %63s %7s %31s", w1, w2, w3, w4) != 4)
			continue;
		if (strcmp(w3, "S") && strcmp(w3, "C") && strcmp(w3, "E"))
			continue;
		tc->events++;
		tc->submits += w3[0] == 'S';
		tc->bulk += w4[0] == 'B';
		tc->cbw += strstr(line, "= 55534243") != NULL;
	}
	fclose(fp);
	return true;
}

static void check_real_file(const char *rel, bool old_format)
{
	char *path = shared_capture(rel);
	struct text_counts tc;
	struct cap *c;
	struct cap_record r;
	struct error err;
	size_t n = 0, submits = 0, bulk = 0, cbws = 0;
	int rc;
	int64_t prev_ts = 0;

	if (!path)
		cr_skip_test("%s is not here (the shared captures live in ../shared beside the checkout)", rel);
	cr_assert(count_lines(path, &tc), "cannot read %s", path);
	cr_assert_gt(tc.events, 0, "%s", path);
	cr_assert_eq(cap_open(path, &c, &err), 0, "%s", errtext(&err));
	cr_assert_eq(cap_get_info(c)->format, CAP_FORMAT_USBMON_TEXT);
	while ((rc = cap_next(c, &r, &err)) > 0) {
		const struct usb_event *e = &r.u.usb;
		n++;
		cr_assert_eq(e->frame, n);
		cr_assert_eq(e->source, USB_SRC_USBMON_TEXT);
		if (old_format)
			cr_assert_eq(e->bus, 0);
		else
			cr_assert_neq(e->bus, 0);
		cr_assert(n == 1 || e->ts_ns >= prev_ts - 1000000000LL, "%s frame %zu goes back in time", rel, n);
		prev_ts = e->ts_ns;
		submits += e->type == USB_EV_SUBMIT;
		bulk += e->xfer == USB_XFER_BULK;
		cbws += e->caplen >= 4 && memcmp(e->data, "USBC", 4) == 0;
		cr_assert(e->caplen <= 32, "the kernel prints 32 bytes at most");
		/* every real line with data has '=' and words; '<' '>' are no cut */
		cr_assert_eq(e->truncated, e->caplen > 0 && e->caplen < e->length, "%s frame %zu", rel, n);
	}
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	cap_close(c);
	cr_assert_eq(n, tc.events, "%s: %zu events read, %zu event lines", rel, n, tc.events);
	cr_assert_eq(submits, tc.submits, "%s", rel);
	cr_assert_eq(bulk, tc.bulk, "%s", rel);
	cr_assert_eq(cbws, tc.cbw, "%s", rel);
	free(path);
}

Test(usbmon_text_files, f196_usb_fan) { check_real_file("public/f196-usb-fan/usbfan.usbmon.log", false); }
Test(usbmon_text_files, mail_bot_excerpt) { check_real_file("public/linux-usb-mail-excerpts/bot-jms566-excerpt.usbmon.txt", true); }
Test(usbmon_text_files, mail_uas_excerpt) { check_real_file("public/linux-usb-mail-excerpts/uas-jms566-excerpt.usbmon.txt", true); }
Test(usbmon_text_files, motorokr) { check_real_file("public/usbmon-python-parser/motorokr-E6e.usbmon.txt", false); }
Test(usbmon_text_files, rig_bot_xhci) { check_real_file("rig/bot-xhci.usbmon.txt", false); }
Test(usbmon_text_files, rig_uas_ehci) { check_real_file("rig/uas-ehci.usbmon.txt", false); }
Test(usbmon_text_files, rig_libusb_bot) { check_real_file("rig/libusb-bot.usbmon.txt", false); }
Test(usbmon_text_files, rig_libusb_uas) { check_real_file("rig/libusb-uas.usbmon.txt", false); }

/* ---- recognising the format ---- */

Test(usbmon_text, probe)
{
	static const char *const yes[] = {
		"ffff88801fd27d80 4964501 S Co:2:001:0 s 23 03 001b 0701 0000 0\n",
		"ffff9d62594efe40 1213006464 S Bo:002:01 -115 32 = 01000001\n",
		"\n  \nf6681380 0.044513 C Ii:1:001:1 0:-606348325 2 = 0200\n",
		"d5ea89a0 3575914560 C Ci:1:001:0 0 4 = 01050000",        /* no final newline */
	};
	static const char *const no[] = {
		"hello world, this is a text file\n",
		"<html><body>S C E</body></html>\n",
		"# usbmon capture\nffff88801fd27d80 4964501 S Co:2:001:0 s 23 03 001b 0701 0000 0\n",
		"deadbeef 12 S Xo:1:2:3 0 0\n",
		"deadbeef 12 Q Bo:1:2:3 0 0\n",
		"deadbeef twelve S Bo:1:2:3 0 0\n",
		"cafe 1 2 3 4 5 6 7\n",
		"\n\n\n",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		cr_assert(usbmon_text_probe((const uint8_t *)yes[i], strlen(yes[i])), "%s", yes[i]);
		cr_assert_eq(cap_detect((const uint8_t *)yes[i], strlen(yes[i])), CAP_FORMAT_USBMON_TEXT);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_not(usbmon_text_probe((const uint8_t *)no[i], strlen(no[i])), "%s", no[i]);
}

Test(usbmon_text, probe_long_first_line_cut_by_the_sniff_window)
{
	char head[CAP_SNIFF_BYTES];
	const char *start = "f6130400 1133161347 C Bi:1:012:1 0 4096 =";
	size_t k = strlen(start);

	memcpy(head, start, k);
	while (k + 9 <= sizeof(head)) {
		memcpy(head + k, " ffffffff", 9);
		k += 9;
	}
	while (k < sizeof(head))
		head[k++] = 'f';
	cr_assert(usbmon_text_probe((const uint8_t *)head, sizeof(head)));
	memcpy(head, "not usbmon", 10);
	cr_assert_not(usbmon_text_probe((const uint8_t *)head, sizeof(head)));
}

/* ---- damaged text ---- */

Test(bad_input, text_garbage_line_in_the_middle)
{
	static const char good[] =
		"a1 100 S Bo:1:002:2 -115 31 = 55534243 01000000 24000000 80000612 00000024 00000000 00000000 000000\n"
		"a1 200 C Bo:1:002:2 0 31 >\n"
		"\n"
		"a2 300 S Bi:1:002:1 -115 36 <\n"
		"a2 400 C Bi:1:002:1 0 36 = 00800512\n";
	static const char bad[] = "a3 500 S xyz -115 13 <\n";
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	sb_adds(&sb, good);
	sb_adds(&sb, bad);
	sb_adds(&sb, "a3 600 C Bi:1:002:1 0 13 = 55534253 01000000 00000000 00\n");
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 4, "the events before the damage are delivered");
	cr_assert_eq(l.recs[3].u.usb.frame, 4, "the blank line is not a frame");
	cr_assert_eq(l.err.frame, 5);
	cr_assert_eq(l.err.offset, sizeof(good) - 1);
	cr_assert(strstr(l.err.msg, "line 6: expected an address like Bi:1:003:2"), "%s", l.err.msg);
	cr_assert(strstr(l.err.msg, "found 'xyz'"), "%s", l.err.msg);
	{
		char want[64];
		snprintf(want, sizeof(want), "test.cap: frame 5 (offset %zu): line 6", sizeof(good) - 1);
		cr_assert(strstr(errtext(&l.err), want), "%s", errtext(&l.err));
	}
	rec_list_free(&l);
	sb_release(&sb);
}

/* Each damaged line (after one good line) and what the message must say. */
Test(bad_input, text_damaged_words)
{
	static const struct { const char *line; const char *msg; } cases[] = {
		{ "zz 100 S Bo:1:002:2 -115 0\n", "expected a URB tag" },
		{ "a1 1e5 S Bo:1:002:2 -115 0\n", "expected a timestamp" },
		{ "a1 100 X Bo:1:002:2 -115 0\n", "expected an event type S, C or E, found 'X'" },
		{ "a1 100 S Bo:1:002:16 -115 0\n", "found 'Bo:1:002:16'" },
		{ "a1 100 S Bo:1:2:3:4 -115 0\n", "expected an address" },
		{ "a1 100 S Bo:1:002:2 -115\n", "expected a data length (decimal), found the end of the line" },
		{ "a1 100 S Bo:1:002:2 -115 -5\n", "expected a data length" },
		{ "a1 100 S Bo:1:002:2 1:2:3:4:5 0\n", "expected a status word" },
		{ "a1 100 S Ci:1:002:0 s 80 06 0100 0000\n", "wLength" },
		{ "a1 100 S Ci:1:002:0 s 80 6x 0100 0000 0012 18 <\n", "bRequest" },
		{ "a1 100 C Bi:1:002:1 0 4 = 0102030\n", "expected a data word of 1 to 4 bytes in hex, found '0102030'" },
		{ "a1 100 C Bi:1:002:1 0 4 = 0102g3\n", "data word" },
		{ "a1 100 C Bi:1:002:1 0 4 < 01020304\n", "expected the end of the line after the data tag" },
		{ "a1 100 C Bi:1:002:1 0 4 ==\n", "expected a data tag" },
		{ "a1 100 C Zi:1:002:1 0:1:2:0 2 0:0:10\n", "expected an iso descriptor" },
		{ "a1 100 C Zi:1:002:1 0:1:2:0\n", "number of iso descriptors" },
	};
	static const char first[] = "a0 50 S Bo:1:002:2 -115 31 >\n";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;
		struct rec_list l;

		sb_init(&sb);
		sb_adds(&sb, first);
		sb_adds(&sb, cases[i].line);
		cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", cases[i].line);
		cr_assert_eq(l.rc, -1, "%s", cases[i].line);
		cr_assert_eq(l.n, 1);
		cr_assert_eq(l.err.frame, 2);
		cr_assert_eq(l.err.offset, sizeof(first) - 1);
		cr_assert(strstr(l.err.msg, "line 2: "), "%s", l.err.msg);
		cr_assert(strstr(l.err.msg, cases[i].msg), "%s\n  wanted: %s", l.err.msg, cases[i].msg);
		rec_list_free(&l);
		sb_release(&sb);
	}
}

Test(bad_input, text_over_long_line)
{
	struct strbuf sb;
	struct rec_list l;
	size_t off;

	sb_init(&sb);
	sb_adds(&sb, "a1 100 S Bo:1:002:2 -115 31 >\na1 200 C Bo:1:002:2 0 31 >\n");
	off = sb.len;
	sb_adds(&sb, "a2 300 C Bi:1:002:1 0 99999 =");
	for (int i = 0; i < 20000; i++)
		sb_adds(&sb, " 01020304");
	sb_adds(&sb, "\na3 400 C Bi:1:002:1 0 0\n");
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.err.frame, 3);
	cr_assert_eq(l.err.offset, off);
	cr_assert(strstr(l.err.msg, "line 3 is longer than 65536 bytes"), "%s", l.err.msg);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(bad_input, text_line_cut_at_eof)
{
	struct usb_event ev[16];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb;
	struct rec_list l;
	size_t last_start;

	write_events(&sb, ev, n - 1, false);
	last_start = sb.len;
	usbw_text(&sb, &ev[n - 1], false);
	/* cut inside the address of the last line */
	sb.len = last_start + (size_t)(strstr(sb.buf + last_start, ":003") - (sb.buf + last_start)) + 1;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, n - 1);
	cr_assert_eq(l.err.frame, n);
	cr_assert_eq(l.err.offset, last_start);
	cr_assert(strstr(l.err.msg, "cut short at the end of the file"), "%s", l.err.msg);
	cr_assert(strstr(l.err.msg, "expected an address"), "%s", l.err.msg);
	rec_list_free(&l);

	/* cut inside a data word */
	sb_release(&sb);
	write_events(&sb, ev, 3, false);
	sb.len -= 6;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 2);
	cr_assert(strstr(l.err.msg, "line 3 (the last line, cut short"), "%s", l.err.msg);
	rec_list_free(&l);

	/* a complete last line without its newline is fine */
	sb_release(&sb);
	write_events(&sb, ev, 3, false);
	sb.len -= 1;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 3);
	rec_list_free(&l);
	sb_release(&sb);
}

static void gzip_mem(struct strbuf *out, const void *data, size_t len)
{
	z_stream zs;
	uint8_t chunk[4096];
	int rc;

	sb_init(out);
	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, Z_FINISH);
		cr_assert(rc == Z_OK || rc == Z_STREAM_END);
		sb_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
}

Test(usbmon_text, gzip_compressed_text_reads_the_same)
{
	struct usb_event ev[16];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb, gz;
	struct rec_list plain, packed;

	write_events(&sb, ev, n, false);
	gzip_mem(&gz, sb.buf, sb.len);
	cr_assert_eq((uint8_t)gz.buf[0], 0x1f);
	cr_assert_eq(read_all_sb(&sb, &plain), 0);
	cr_assert_eq(read_all_sb(&gz, &packed), 0, "%s", errtext(&packed.err));
	cr_assert_eq(packed.rc, 0, "%s", errtext(&packed.err));
	cr_assert(packed.info.gzip);
	cr_assert_eq(packed.info.format, CAP_FORMAT_USBMON_TEXT);
	cr_assert_eq(packed.n, n);
	cr_assert_eq(plain.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct usb_event *a = &plain.recs[i].u.usb, *b = &packed.recs[i].u.usb;
		cr_assert_eq(a->urb_id, b->urb_id);
		cr_assert_eq(a->ts_ns, b->ts_ns);
		cr_assert_eq(a->status, b->status);
		cr_assert_eq(a->length, b->length);
		cr_assert_eq(a->caplen, b->caplen);
		cr_assert_eq(a->frame, b->frame);
		if (a->caplen)
			cr_assert_eq(memcmp(a->data, b->data, a->caplen), 0);
	}
	rec_list_free(&plain);
	rec_list_free(&packed);

	/* damage inside compressed text: offsets are those of the plain text */
	sb_reset(&sb);
	sb_adds(&sb, "a1 100 S Bo:1:002:2 -115 31 >\nbroken line\n");
	sb_release(&gz);
	gzip_mem(&gz, sb.buf, sb.len);
	cr_assert_eq(read_all_sb(&gz, &packed), 0);
	cr_assert_eq(packed.rc, -1);
	cr_assert_eq(packed.n, 1);
	cr_assert_eq(packed.err.frame, 2);
	cr_assert_eq(packed.err.offset, 30);
	rec_list_free(&packed);
	sb_release(&gz);
	sb_release(&sb);
}
