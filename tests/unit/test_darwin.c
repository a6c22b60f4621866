/* test_darwin.c - macOS USB_DARWIN packets (link type 266): writer round trips, IOReturn mapping, damaged headers, real files against tshark. */
#include "tshark_cmp.h"

#include "capture/reader.h"

/* A pcap file (link type 266, us timestamps) of events; each packet cut to snaplen. */
static void build(struct strbuf *sb, const struct usb_event *ev, size_t n, uint32_t snaplen)
{
	build_pcap(sb, LINKTYPE_USB_DARWIN, false, false, ev, n, snaplen);
}

/* A pcap file holding raw packets as given. */
static void build_raw(struct strbuf *sb, const uint8_t *const *pkts, const uint32_t *lens, const uint32_t *origs,
		      size_t n)
{
	build_pcap_raw(sb, LINKTYPE_USB_DARWIN, false, pkts, lens, origs, n);
}

/* A macOS event on XHC1-like location 0x01100000. */
static struct usb_event mac(char type, uint8_t xfer, uint8_t ep, uint64_t id, uint32_t ioreturn, uint32_t io_len,
			    const void *data, uint32_t caplen)
{
	struct usb_event e = mk_usb(type, xfer, 1, 4, ep, id, 0, io_len, data, caplen, 2000000000LL);

	e.status_origin = USB_STATUS_IORETURN;
	e.orig_status = ioreturn;
	e.location_id = 0x01100000;
	e.speed = USB_SPEED_SUPER_PLUS;
	return e;
}

static void read_ok(const struct strbuf *sb, struct rec_list *l, size_t n)
{
	read_all_ok(sb, l, n, LINKTYPE_USB_DARWIN);
}

Test(darwin, control_in_with_setup)
{
	static const uint8_t setup[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	uint8_t desc[18];
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;
	const struct usb_event *e;

	for (int i = 0; i < 18; i++)
		desc[i] = (uint8_t)(i + 1);
	ev[0] = mac('S', USB_XFER_CONTROL, 0x80, 0x852b, 0, 18, NULL, 0);
	ev[0].has_setup = true;
	memcpy(ev[0].setup, setup, 8);
	ev[1] = mac('C', USB_XFER_CONTROL, 0x80, 0x852b, 0, 18, desc, 18);
	build(&sb, ev, 2, 65535);
	read_ok(&sb, &l, 2);

	e = usb_rec(&l, 0);
	cr_assert_eq(e->source, USB_SRC_DARWIN);
	cr_assert_eq(e->type, USB_EV_SUBMIT);
	cr_assert_eq(e->xfer, USB_XFER_CONTROL);
	cr_assert_eq(e->urb_id, 0x852b);
	cr_assert_eq(e->location_id, 0x01100000);
	cr_assert_eq(e->bus, 1, "bus from the location id's top byte");
	cr_assert_eq(e->device, 4);
	cr_assert_eq(e->endpoint, 0x80);
	cr_assert_eq(e->speed, USB_SPEED_SUPER_PLUS);
	cr_assert(e->has_setup);
	cr_assert_eq(memcmp(e->setup, setup, 8), 0);
	cr_assert_eq(e->length, 18, "ioLength: requested");
	cr_assert_eq(e->data_len, 0, "the setup packet is not data");
	cr_assert_eq(e->caplen, 0);
	cr_assert_eq(e->status, -115);
	cr_assert_eq(e->status_origin, USB_STATUS_IORETURN);
	cr_assert_eq(e->ctrl_stage, USB_STAGE_NONE);
	cr_assert_eq(e->frame_len, 48);

	e = usb_rec(&l, 1);
	cr_assert_eq(e->type, USB_EV_COMPLETE);
	cr_assert_not(e->has_setup);
	cr_assert_eq(e->status, 0);
	cr_assert_eq(e->length, 18);
	cr_assert_eq(e->caplen, 18);
	cr_assert_eq(memcmp(e->data, desc, 18), 0);
	rec_list_free(&l);
	sb_release(&sb);
}

static void check_data_roundtrip(uint8_t xfer, uint8_t speed)
{
	uint8_t iu[32], in[34];
	struct usb_event ev[4];
	struct strbuf sb;
	struct rec_list l;

	for (int i = 0; i < 32; i++)
		iu[i] = (uint8_t)i;
	for (int i = 0; i < 34; i++)
		in[i] = (uint8_t)(0x80 | i);
	/* macOS records OUT data with the completion, as the real captures show */
	ev[0] = mac('S', xfer, 0x04, 0x853a, 0, 32, NULL, 0);
	ev[1] = mac('C', xfer, 0x04, 0x853a, 0, 32, iu, 32);
	ev[2] = mac('S', xfer, 0x83, 0x8539, 0, 268, NULL, 0);
	ev[3] = mac('C', xfer, 0x83, 0x8539, 0, 34, in, 34);
	for (int i = 0; i < 4; i++) {
		ev[i].speed = speed;
		ev[i].location_id = 0x14300000;
	}
	build(&sb, ev, 4, 65535);
	read_ok(&sb, &l, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct usb_event *e = usb_rec(&l, i);
		cr_assert_eq(e->xfer, xfer);
		cr_assert_eq(e->speed, speed);
		cr_assert_eq(e->bus, 0x14);
		cr_assert_eq(e->endpoint, ev[i].endpoint);
		cr_assert_eq(e->urb_id, ev[i].urb_id);
		cr_assert_eq(e->type, ev[i].type);
		cr_assert_eq(e->length, ev[i].length);
		cr_assert_eq(e->caplen, ev[i].caplen);
		cr_assert_eq(e->data_len, ev[i].caplen);
		cr_assert_eq(e->status, ev[i].type == 'S' ? -115 : 0);
		cr_assert_not(e->has_setup);
		cr_assert_not(e->truncated);
		if (ev[i].caplen)
			cr_assert_eq(memcmp(e->data, ev[i].data, ev[i].caplen), 0);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(darwin, bulk_roundtrip) { check_data_roundtrip(USB_XFER_BULK, USB_SPEED_HIGH); }
Test(darwin, interrupt_roundtrip) { check_data_roundtrip(USB_XFER_INTR, USB_SPEED_LOW); }
Test(darwin, full_speed_roundtrip) { check_data_roundtrip(USB_XFER_BULK, USB_SPEED_FULL); }
Test(darwin, super_speed_roundtrip) { check_data_roundtrip(USB_XFER_BULK, USB_SPEED_SUPER); }

Test(darwin, endpoint_types_and_speeds_on_the_wire)
{
	struct usb_event ev = mac('S', USB_XFER_INTR, 0x81, 1, 0, 8, NULL, 0);
	struct strbuf p = STRBUF_INIT;

	ev.speed = USB_SPEED_HIGH;
	usbw_darwin(&p, &ev);
	cr_assert_eq(p.len, 40);
	cr_assert_eq(p.buf[2], 40);
	cr_assert_eq(p.buf[28], 2, "kUSBDeviceSpeedHigh");
	cr_assert_eq(p.buf[31], 3, "interrupt is endpoint type 3, not usbmon's 1");
	sb_release(&p);
}

Test(darwin, longer_header_data_starts_at_header_length)
{
	uint8_t pkt[48 + 3];
	const uint8_t *pkts[1] = { pkt };
	uint32_t lens[1] = { sizeof(pkt) };
	struct usb_event ev = mac('C', USB_XFER_BULK, 0x81, 9, 0, 3, NULL, 0);
	struct strbuf sb, p = STRBUF_INIT;
	struct rec_list l;

	usbw_darwin(&p, &ev);
	memcpy(pkt, p.buf, 40);
	pkt[2] = 48;
	memset(pkt + 40, 0xee, 8);
	memcpy(pkt + 48, "xyz", 3);
	build_raw(&sb, pkts, lens, NULL, 1);
	read_ok(&sb, &l, 1);
	cr_assert_eq(usb_rec(&l, 0)->caplen, 3);
	cr_assert_eq(memcmp(usb_rec(&l, 0)->data, "xyz", 3), 0);
	rec_list_free(&l);
	sb_release(&sb);
	sb_release(&p);
}

Test(darwin, snaplen_cut_marks_truncated)
{
	uint8_t big[600];
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;

	memset(big, 0xcd, sizeof(big));
	ev[0] = mac('C', USB_XFER_BULK, 0x81, 1, 0, sizeof(big), big, sizeof(big));
	ev[1] = mac('S', USB_XFER_CONTROL, 0x00, 2, 0, 0, NULL, 0);
	ev[1].has_setup = true;
	build(&sb, ev, 2, 44);
	read_ok(&sb, &l, 2);
	cr_assert_eq(usb_rec(&l, 0)->data_len, sizeof(big));
	cr_assert_eq(usb_rec(&l, 0)->caplen, 4);
	cr_assert_eq(usb_rec(&l, 0)->length, sizeof(big));
	cr_assert(usb_rec(&l, 0)->truncated);
	cr_assert_not(usb_rec(&l, 1)->has_setup, "setup cut after 4 bytes");
	cr_assert(usb_rec(&l, 1)->truncated);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- IOReturn ---- */

static const struct { uint32_t code; int32_t err; const char *name; } ior_expect[] = {
	{ 0x00000000, 0, "kIOReturnSuccess" },
	{ 0xE0000001, -22, "kIOReturnInvalid" },
	{ 0xE00002BC, -71, "kIOReturnError" },
	{ 0xE00002BD, -12, "kIOReturnNoMemory" },
	{ 0xE00002BE, -12, "kIOReturnNoResources" },
	{ 0xE00002BF, -71, "kIOReturnIPCError" },
	{ 0xE00002C0, -19, "kIOReturnNoDevice" },
	{ 0xE00002C1, -1, "kIOReturnNotPrivileged" },
	{ 0xE00002C2, -22, "kIOReturnBadArgument" },
	{ 0xE00002C3, -16, "kIOReturnLockedRead" },
	{ 0xE00002C4, -16, "kIOReturnLockedWrite" },
	{ 0xE00002C5, -16, "kIOReturnExclusiveAccess" },
	{ 0xE00002C6, -22, "kIOReturnBadMessageID" },
	{ 0xE00002C7, -22, "kIOReturnUnsupported" },
	{ 0xE00002C8, -12, "kIOReturnVMError" },
	{ 0xE00002C9, -71, "kIOReturnInternalError" },
	{ 0xE00002CA, -71, "kIOReturnIOError" },
	{ 0xE00002CC, -16, "kIOReturnCannotLock" },
	{ 0xE00002CD, -22, "kIOReturnNotOpen" },
	{ 0xE00002CE, -22, "kIOReturnNotReadable" },
	{ 0xE00002CF, -22, "kIOReturnNotWritable" },
	{ 0xE00002D0, -22, "kIOReturnNotAligned" },
	{ 0xE00002D1, -71, "kIOReturnBadMedia" },
	{ 0xE00002D2, -16, "kIOReturnStillOpen" },
	{ 0xE00002D3, -71, "kIOReturnRLDError" },
	{ 0xE00002D4, -70, "kIOReturnDMAError" },
	{ 0xE00002D5, -16, "kIOReturnBusy" },
	{ 0xE00002D6, -110, "kIOReturnTimeout" },
	{ 0xE00002D7, -108, "kIOReturnOffline" },
	{ 0xE00002D8, -16, "kIOReturnNotReady" },
	{ 0xE00002D9, -19, "kIOReturnNotAttached" },
	{ 0xE00002DA, -12, "kIOReturnNoChannels" },
	{ 0xE00002DB, -28, "kIOReturnNoSpace" },
	{ 0xE00002DD, -16, "kIOReturnPortExists" },
	{ 0xE00002DE, -12, "kIOReturnCannotWire" },
	{ 0xE00002DF, -71, "kIOReturnNoInterrupt" },
	{ 0xE00002E0, -28, "kIOReturnNoFrames" },
	{ 0xE00002E1, -90, "kIOReturnMessageTooLarge" },
	{ 0xE00002E2, -1, "kIOReturnNotPermitted" },
	{ 0xE00002E3, -108, "kIOReturnNoPower" },
	{ 0xE00002E4, -71, "kIOReturnNoMedia" },
	{ 0xE00002E5, -71, "kIOReturnUnformattedMedia" },
	{ 0xE00002E6, -22, "kIOReturnUnsupportedMode" },
	{ 0xE00002E7, -121, "kIOReturnUnderrun" },
	{ 0xE00002E8, -75, "kIOReturnOverrun" },
	{ 0xE00002E9, -71, "kIOReturnDeviceError" },
	{ 0xE00002EA, -71, "kIOReturnNoCompletion" },
	{ 0xE00002EB, -104, "kIOReturnAborted" },
	{ 0xE00002EC, -28, "kIOReturnNoBandwidth" },
	{ 0xE00002ED, -71, "kIOReturnNotResponding" },
	{ 0xE00002EE, -18, "kIOReturnIsoTooOld" },
	{ 0xE00002EF, -18, "kIOReturnIsoTooNew" },
	{ 0xE00002F0, -22, "kIOReturnNotFound" },
	{ 0xE0004001, -84, "kIOUSBCRCErr" },
	{ 0xE0004002, -71, "kIOUSBBitstufErr" },
	{ 0xE0004003, -84, "kIOUSBDataToggleErr" },
	{ 0xE0004006, -71, "kIOUSBPIDCheckErr" },
	{ 0xE0004007, -71, "kIOUSBWrongPIDErr" },
	{ 0xE000400A, -71, "kIOUSBReserved1Err" },
	{ 0xE000400B, -71, "kIOUSBReserved2Err" },
	{ 0xE000400C, -70, "kIOUSBBufferOverrunErr" },
	{ 0xE000400D, -63, "kIOUSBBufferUnderrunErr" },
	{ 0xE000400E, -18, "kIOUSBNotSent1Err" },
	{ 0xE000400F, -18, "kIOUSBNotSent2Err" },
	{ 0xE0004010, -71, "kIOUSBLinkErr" },
	{ 0xE000404B, -71, "kIOUSBHighSpeedSplitError" },
	{ 0xE000404E, -22, "kIOUSBInterfaceNotFound" },
	{ 0xE000404F, -32, "kIOUSBPipeStalled" },
	{ 0xE0004050, -104, "kIOUSBTransactionReturned" },
	{ 0xE0004051, -110, "kIOUSBTransactionTimeout" },
	{ 0xE0004056, -22, "kIOUSBConfigNotFound" },
	{ 0xE0004057, -22, "kIOUSBEndpointNotFound" },
	{ 0xE000405D, -108, "kIOUSBNotEnoughPowerErr" },
	{ 0xE000405E, -22, "kIOUSBNotEnoughPipesErr" },
	{ 0xE000405F, -22, "kIOUSBNoAsyncPortErr" },
	{ 0xE0004060, -22, "kIOUSBTooManyPipesErr" },
	{ 0xE0004061, -22, "kIOUSBUnknownPipeErr" },
	{ 0xE0005000, -32, "kUSBHostReturnPipeStalled" },
	{ 0xE0005001, -108, "kUSBHostReturnNoPower" },
};
#define N_IOR (sizeof(ior_expect) / sizeof(ior_expect[0]))

Test(ioreturn, every_tabled_code_reads_back_mapped)
{
	struct usb_event ev[N_IOR];
	struct strbuf sb;
	struct rec_list l;

	for (size_t i = 0; i < N_IOR; i++)
		ev[i] = mac('C', USB_XFER_BULK, 0x81, 100 + i, ior_expect[i].code, 0, NULL, 0);
	build(&sb, ev, N_IOR, 65535);
	read_ok(&sb, &l, N_IOR);
	for (size_t i = 0; i < N_IOR; i++) {
		const struct usb_event *e = usb_rec(&l, i);
		cr_assert_eq(e->orig_status, ior_expect[i].code);
		cr_assert_eq(e->status, ior_expect[i].err, "%s -> %d, expected %d", ior_expect[i].name, e->status,
			     ior_expect[i].err);
		cr_assert_str_eq(ioreturn_name(ior_expect[i].code), ior_expect[i].name);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(ioreturn, the_key_mappings)
{
	cr_assert_eq(ioreturn_to_errno(0), 0);
	cr_assert_eq(ioreturn_to_errno(0xE000404F), -32);   /* kIOUSBPipeStalled */
	cr_assert_eq(ioreturn_to_errno(0xE0005000), -32);   /* kUSBHostReturnPipeStalled */
	cr_assert_eq(ioreturn_to_errno(0xE00002EB), -104);  /* kIOReturnAborted */
	cr_assert_eq(ioreturn_to_errno(0xE00002ED), -71);   /* kIOReturnNotResponding */
	cr_assert_eq(ioreturn_to_errno(0xE00002D6), -110);  /* kIOReturnTimeout */
	cr_assert_eq(ioreturn_to_errno(0xE0004051), -110);  /* kIOUSBTransactionTimeout */
	cr_assert_eq(ioreturn_to_errno(0xE00002C0), -19);   /* kIOReturnNoDevice */
	cr_assert_eq(ioreturn_to_errno(0xE00002E8), -75);   /* kIOReturnOverrun */
	cr_assert_eq(ioreturn_to_errno(0xE00002E7), -121);  /* kIOReturnUnderrun */
	/* anything unknown is an unknown USB error */
	cr_assert_eq(ioreturn_to_errno(0xE00012AB), -71);
	cr_assert_null(ioreturn_name(0xE00012AB));
}

Test(ioreturn, failed_submit_keeps_its_error)
{
	struct usb_event ev = mac('S', USB_XFER_BULK, 0x02, 1, 0xE00002C0, 31, NULL, 0);
	struct strbuf sb;
	struct rec_list l;

	build(&sb, &ev, 1, 65535);
	read_ok(&sb, &l, 1);
	cr_assert_eq(usb_rec(&l, 0)->type, USB_EV_SUBMIT);
	cr_assert_eq(usb_rec(&l, 0)->status, -19);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(ioreturn, writer_picks_a_code_for_linux_statuses)
{
	static const int32_t st[] = { -32, -71, -75, -110, -104, -19, -84, -121 };
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l;

	for (size_t i = 0; i < 8; i++)
		ev[i] = mk_usb('C', USB_XFER_BULK, 3, 2, 0x81, i, st[i], 0, NULL, 0, 5);
	build(&sb, ev, 8, 65535);
	read_ok(&sb, &l, 8);
	for (size_t i = 0; i < 8; i++) {
		cr_assert_eq(usb_rec(&l, i)->status, st[i]);
		cr_assert_eq(usb_rec(&l, i)->bus, 3, "no location id: the bus goes in its top byte");
		cr_assert_not_null(ioreturn_name(usb_rec(&l, i)->orig_status));
	}
	cr_assert_eq(usb_rec(&l, 0)->orig_status, 0xE000404F);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- damaged input ---- */

/* One good bulk record, then the damaged packet: the good one is delivered first. */
static void expect_damage(const uint8_t *bad, uint32_t len, uint32_t orig, const char *what)
{
	struct usb_event good = mac('C', USB_XFER_BULK, 0x81, 1, 0, 2, "ok", 2);

	expect_damage_after(LINKTYPE_USB_DARWIN, false, &good, bad, len, orig, what);
}

static size_t bulk_pkt(uint8_t *buf, const void *data, uint32_t n)
{
	struct usb_event ev = mac('C', USB_XFER_BULK, 0x81, 3, 0, n, data, n);
	struct strbuf p = STRBUF_INIT;
	size_t len;

	usbw_darwin(&p, &ev);
	len = p.len;
	memcpy(buf, p.buf, len);
	sb_release(&p);
	return len;
}

Test(darwin_bad, record_shorter_than_fixed_header)
{
	uint8_t pkt[64];

	bulk_pkt(pkt, NULL, 0);
	expect_damage(pkt, 31, 31, "Darwin USB record is 31 bytes, shorter than its 32-byte header");
}

Test(darwin_bad, header_length_smaller_than_its_fields)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, "abcd", 4);

	pkt[2] = 16;
	expect_damage(pkt, (uint32_t)n, (uint32_t)n, "header length is 16, smaller than its 32 bytes");
}

Test(darwin_bad, header_length_beyond_the_packet)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, NULL, 0);

	pkt[2] = 200;
	expect_damage(pkt, (uint32_t)n, (uint32_t)n, "header length is 200, beyond the end of the 40-byte packet");
}

Test(darwin_bad, unknown_request_type)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, NULL, 0);

	pkt[3] = 7;
	expect_damage(pkt, (uint32_t)n, (uint32_t)n, "request type is 7");
}

Test(darwin_bad, header_length_within_a_snaplen_cut_is_truncation)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, "abcd", 4);
	const uint8_t *pkts[1] = { pkt };
	uint32_t lens[1] = { 36 }, origs[1] = { (uint32_t)n };
	struct strbuf sb;
	struct rec_list l;

	(void)n;
	build_raw(&sb, pkts, lens, origs, 1);
	read_ok(&sb, &l, 1);
	cr_assert_eq(usb_rec(&l, 0)->data_len, 4);
	cr_assert_eq(usb_rec(&l, 0)->caplen, 0);
	cr_assert(usb_rec(&l, 0)->truncated);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- real files ---- */

Test(darwin_real, sandisk_uas_command_iu)
{
	char *path = shared_capture("public/wireshark-samplecaptures/XHC1-SanDiskExtremePortableSSD.pcapng");
	struct usb_event *ev;
	struct error err;
	size_t n;
	int rc;

	if (!path)
		cr_skip_test("XHC1-SanDiskExtremePortableSSD.pcapng is not in ../shared/captures (or top_srcdir is unset)");
	ev = file_events(path, &n, &rc, &err);
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	cr_assert_eq(n, 62);
	/* frame 1: GET_DESCRIPTOR(device) submit */
	cr_assert(ev[0].has_setup);
	cr_assert_eq(ev[0].setup[1], 0x06);
	cr_assert_eq(ev[0].length, 18);
	cr_assert_eq(ev[0].bus, 1);
	cr_assert_eq(ev[0].speed, USB_SPEED_SUPER_PLUS);
	/* frame 31: the UAS command IU arrives with the OUT completion */
	cr_assert_eq(ev[30].frame, 31);
	cr_assert_eq(ev[30].type, USB_EV_COMPLETE);
	cr_assert_eq(ev[30].endpoint, 0x04);
	cr_assert_eq(ev[30].caplen, 32);
	cr_assert_eq(ev[29].caplen, 0, "its submit carries nothing");
	free(ev);
	free(path);
}

/*
 * Every USB_DARWIN file in ../shared/captures, frame by frame, against
 * tshark's usb.darwin.* fields: I/O id, status, endpoint, device, request
 * type, location id, I/O length, endpoint type and speed.  (Wireshark 4.0
 * takes every Darwin record for a response in usb.src, so the request
 * type is compared instead.)
 */
static void check_darwin_frame(const char *f, const struct usb_event *e, const struct tshark_row *r)
{
	static const uint8_t xfer_of[4] = { USB_XFER_CONTROL, USB_XFER_ISO, USB_XFER_BULK, USB_XFER_INTR };
	unsigned long long fr = e->frame, eptype = tsv_num(r, 8, 0xff), speed = tsv_num(r, 9, 0xff);

	cr_assert_eq(e->urb_id, tsv_num(r, 1, 0), "%s frame %llu: io id", f, fr);
	cr_assert_eq(e->orig_status, tsv_num(r, 2, 0), "%s frame %llu: status", f, fr);
	cr_assert_eq(e->endpoint, tsv_num(r, 3, 0), "%s frame %llu: endpoint", f, fr);
	cr_assert_eq(e->device, tsv_num(r, 4, 0), "%s frame %llu: device", f, fr);
	cr_assert_eq(e->type == USB_EV_SUBMIT ? 0 : 1, tsv_num(r, 5, 0), "%s frame %llu: request", f, fr);
	cr_assert_eq(e->location_id, tsv_num(r, 6, 0), "%s frame %llu: location", f, fr);
	cr_assert_eq(e->bus, tsv_num(r, 6, 0) >> 24);
	cr_assert_eq(e->length, tsv_num(r, 7, 0), "%s frame %llu: io length", f, fr);
	cr_assert_eq(e->xfer, eptype < 4 ? xfer_of[eptype] : USB_XFER_UNKNOWN, "%s frame %llu: type", f, fr);
	cr_assert_eq(e->speed, speed < 5 ? speed + 1 : USB_SPEED_UNKNOWN, "%s frame %llu: speed", f, fr);
	if (e->type == USB_EV_COMPLETE)
		cr_assert_eq(e->status, ioreturn_to_errno(e->orig_status));
	else if (e->orig_status == 0)
		cr_assert_eq(e->status, -115);
}

Test(darwin_real, every_file_matches_tshark)
{
	static const char *const fields[] = {
		"frame.number", "usb.darwin.io_id", "usb.darwin.io_status", "usb.darwin.endpoint_address",
		"usb.darwin.device_address", "usb.darwin.request_type", "usb.darwin.location_id",
		"usb.darwin.io_len", "usb.darwin.endpoint_type", "usb.darwin_device_speed",
	};

	compare_with_tshark(LINKTYPE_USB_DARWIN, "Darwin", fields, 10, check_darwin_frame);
}
