/* test_usbpcap.c - Windows USBPcap packets (link type 249): writer round trips, USBD_STATUS mapping, damaged headers, real files against tshark. */
#include "tshark_cmp.h"

#include "capture/reader.h"

/* ---- building captures ---- */

/* A pcap file (link type 249, ns timestamps) of events; each packet cut to snaplen. */
static void build(struct strbuf *sb, const struct usb_event *ev, size_t n, uint32_t snaplen)
{
	build_pcap(sb, LINKTYPE_USBPCAP, false, true, ev, n, snaplen);
}

/* A pcap file holding raw packets as given. */
static void build_raw(struct strbuf *sb, const uint8_t *const *pkts, const uint32_t *lens, const uint32_t *origs,
		      size_t n)
{
	build_pcap_raw(sb, LINKTYPE_USBPCAP, true, pkts, lens, origs, n);
}

/* A Windows event: USBD status, function and stage set. */
static struct usb_event win(char type, uint8_t xfer, uint8_t ep, uint64_t irp, uint32_t usbd, uint16_t function,
			    const void *data, uint32_t caplen)
{
	struct usb_event e = mk_usb(type, xfer, 1, 7, ep, irp, 0, caplen, data, caplen, 1000000000LL);

	e.status_origin = USB_STATUS_USBD;
	e.orig_status = usbd;
	e.urb_function = function;
	return e;
}

static void read_ok(const struct strbuf *sb, struct rec_list *l, size_t n)
{
	read_all_ok(sb, l, n, LINKTYPE_USBPCAP);
}

/* ---- round trips ---- */

Test(usbpcap, control_in_setup_and_complete_stages)
{
	static const uint8_t setup[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	uint8_t desc[18];
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;
	const struct usb_event *e;

	for (int i = 0; i < 18; i++)
		desc[i] = (uint8_t)(0x40 + i);
	ev[0] = win('S', USB_XFER_CONTROL, 0x80, 0xfffffa801913a6a0ULL, 0, 0x000b, NULL, 0);
	ev[0].has_setup = true;
	memcpy(ev[0].setup, setup, 8);
	ev[1] = win('C', USB_XFER_CONTROL, 0x80, 0xfffffa801913a6a0ULL, 0, 0x0008, desc, 18);
	build(&sb, ev, 2, 65535);
	read_ok(&sb, &l, 2);

	e = usb_rec(&l, 0);
	cr_assert_eq(e->source, USB_SRC_USBPCAP);
	cr_assert_eq(e->frame, 1);
	cr_assert_eq(e->type, USB_EV_SUBMIT);
	cr_assert_eq(e->xfer, USB_XFER_CONTROL);
	cr_assert_eq(e->ctrl_stage, USB_STAGE_SETUP);
	cr_assert_eq(e->urb_id, 0xfffffa801913a6a0ULL);
	cr_assert_eq(e->bus, 1);
	cr_assert_eq(e->device, 7);
	cr_assert_eq(e->endpoint, 0x80);
	cr_assert(e->has_setup);
	cr_assert_eq(memcmp(e->setup, setup, 8), 0);
	/* the setup packet is not data: an IN setup carries none */
	cr_assert_eq(e->length, 0);
	cr_assert_eq(e->data_len, 0);
	cr_assert_eq(e->caplen, 0);
	cr_assert_not(e->truncated);
	cr_assert_eq(e->status, -115);
	cr_assert_eq(e->status_origin, USB_STATUS_USBD);
	cr_assert_eq(e->orig_status, 0);
	cr_assert_eq(e->urb_function, 0x000b);
	cr_assert_eq(e->irp_info, 0);
	cr_assert_eq(e->frame_len, 28 + 8);

	e = usb_rec(&l, 1);
	cr_assert_eq(e->type, USB_EV_COMPLETE);
	cr_assert_eq(e->ctrl_stage, USB_STAGE_COMPLETE);
	cr_assert_not(e->has_setup);
	cr_assert_eq(e->status, 0);
	cr_assert_eq(e->irp_info, 1);
	cr_assert_eq(e->urb_function, 0x0008);
	cr_assert_eq(e->length, 18);
	cr_assert_eq(e->data_len, 18);
	cr_assert_eq(e->caplen, 18);
	cr_assert_eq(memcmp(e->data, desc, 18), 0);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbpcap, control_out_setup_carries_the_data_stage)
{
	static const uint8_t setup[8] = { 0x21, 0x09, 0xec, 0x02, 0x00, 0x00, 0x40, 0x00 };
	uint8_t out[64];
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;

	for (int i = 0; i < 64; i++)
		out[i] = (uint8_t)(0xff - i);
	ev[0] = win('S', USB_XFER_CONTROL, 0x00, 0x1234, 0, 0x001b, out, 64);
	ev[0].has_setup = true;
	memcpy(ev[0].setup, setup, 8);
	ev[1] = win('C', USB_XFER_CONTROL, 0x00, 0x1234, 0, 0x0008, NULL, 0);
	build(&sb, ev, 2, 65535);
	/* on the wire: dataLength counts the setup packet too */
	cr_assert_eq(sb.buf[24 + 16 + 23], 72);
	read_ok(&sb, &l, 2);
	cr_assert(usb_rec(&l, 0)->has_setup);
	cr_assert_eq(memcmp(usb_rec(&l, 0)->setup, setup, 8), 0);
	cr_assert_eq(usb_rec(&l, 0)->length, 64);
	cr_assert_eq(usb_rec(&l, 0)->caplen, 64);
	cr_assert_eq(memcmp(usb_rec(&l, 0)->data, out, 64), 0, "data starts after the setup packet");
	cr_assert_eq(usb_rec(&l, 1)->ctrl_stage, USB_STAGE_COMPLETE);
	cr_assert_eq(usb_rec(&l, 1)->length, 0);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbpcap, old_usbpcap_data_and_status_stages)
{
	uint8_t in[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct usb_event ev[3];
	struct strbuf sb;
	struct rec_list l;

	/* USBPcap < 1.5: an IN completion comes as a data stage and a status stage */
	ev[0] = win('C', USB_XFER_CONTROL, 0x80, 77, 0, 0x0008, in, 9);
	ev[0].ctrl_stage = USB_STAGE_DATA;
	ev[1] = win('C', USB_XFER_CONTROL, 0x80, 77, 0, 0x0008, NULL, 0);
	ev[1].ctrl_stage = USB_STAGE_STATUS;
	/* USBPcap < 1.3 flagged an OUT data stage as PDO->FDO: it is a submit */
	ev[2] = win('C', USB_XFER_CONTROL, 0x00, 78, 0, 0x0008, in, 4);
	ev[2].ctrl_stage = USB_STAGE_DATA;
	build(&sb, ev, 3, 65535);
	read_ok(&sb, &l, 3);
	cr_assert_eq(usb_rec(&l, 0)->type, USB_EV_COMPLETE);
	cr_assert_eq(usb_rec(&l, 0)->ctrl_stage, USB_STAGE_DATA);
	cr_assert_eq(usb_rec(&l, 0)->caplen, 9);
	cr_assert_not(usb_rec(&l, 0)->has_setup);
	cr_assert_eq(usb_rec(&l, 1)->ctrl_stage, USB_STAGE_STATUS);
	cr_assert_eq(usb_rec(&l, 1)->type, USB_EV_COMPLETE);
	cr_assert_eq(usb_rec(&l, 2)->irp_info & 1, 1, "the raw info byte is kept");
	cr_assert_eq(usb_rec(&l, 2)->type, USB_EV_SUBMIT);
	cr_assert_eq(usb_rec(&l, 2)->status, -115);
	cr_assert_eq(usb_rec(&l, 2)->caplen, 4);
	rec_list_free(&l);
	sb_release(&sb);
}

static void check_data_roundtrip(uint8_t xfer, uint8_t in_ep, uint8_t out_ep)
{
	static const uint8_t cbw[31] = { 0x55, 0x53, 0x42, 0x43, 9, 0, 0, 0, 0x24 };
	uint8_t in[36];
	struct usb_event ev[4];
	struct strbuf sb;
	struct rec_list l;

	for (int i = 0; i < 36; i++)
		in[i] = (uint8_t)(i * 3);
	ev[0] = win('S', xfer, out_ep, 0x10, 0, 0x0009, cbw, 31);
	ev[1] = win('C', xfer, out_ep, 0x10, 0, 0x0009, NULL, 0);
	ev[2] = win('S', xfer, in_ep, 0x20, 0, 0x0009, NULL, 0);
	ev[3] = win('C', xfer, in_ep, 0x20, 0, 0x0009, in, 36);
	ev[1].length = 0;
	build(&sb, ev, 4, 65535);
	read_ok(&sb, &l, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct usb_event *e = usb_rec(&l, i);
		cr_assert_eq(e->xfer, xfer);
		cr_assert_eq(e->endpoint, ev[i].endpoint);
		cr_assert_eq(e->urb_id, ev[i].urb_id);
		cr_assert_eq(e->type, ev[i].type);
		cr_assert_eq(e->status, ev[i].type == 'S' ? -115 : 0);
		cr_assert_eq(e->caplen, ev[i].caplen);
		cr_assert_eq(e->length, ev[i].caplen, "length is dataLength");
		cr_assert_eq(e->ctrl_stage, USB_STAGE_NONE);
		cr_assert_not(e->has_setup);
		cr_assert_eq(e->frame_len, 27 + ev[i].caplen);
		if (ev[i].caplen)
			cr_assert_eq(memcmp(e->data, ev[i].data, ev[i].caplen), 0);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbpcap, bulk_roundtrip) { check_data_roundtrip(USB_XFER_BULK, 0x81, 0x02); }
Test(usbpcap, interrupt_roundtrip) { check_data_roundtrip(USB_XFER_INTR, 0x83, 0x04); }

Test(usbpcap, irp_info_records)
{
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;

	/* URB_FUNCTION_ABORT_PIPE: submit of type 0xFE, completion of type 0xFF on endpoint 0xFF */
	ev[0] = win('S', USB_XFER_IRP_INFO, 0x86, 0xfffffa801ec1dbd0ULL, 0, 0x0002, NULL, 0);
	ev[1] = win('C', USB_XFER_UNKNOWN, 0xff, 0xfffffa801ec1dbd0ULL, 0, 0x0002, NULL, 0);
	build(&sb, ev, 2, 65535);
	cr_assert_eq((uint8_t)sb.buf[24 + 16 + 22], 0xfe);
	read_ok(&sb, &l, 2);
	cr_assert_eq(usb_rec(&l, 0)->xfer, USB_XFER_IRP_INFO);
	cr_assert_eq(usb_rec(&l, 0)->urb_function, 0x0002);
	cr_assert_eq(usb_rec(&l, 0)->endpoint, 0x86);
	cr_assert_eq(usb_rec(&l, 0)->ctrl_stage, USB_STAGE_NONE);
	cr_assert_eq(usb_rec(&l, 1)->xfer, USB_XFER_UNKNOWN);
	cr_assert_eq(usb_rec(&l, 1)->endpoint, 0xff);
	cr_assert_eq(usb_rec(&l, 1)->type, USB_EV_COMPLETE);
	cr_assert_eq(usb_rec(&l, 1)->status, 0);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbpcap, isochronous_header)
{
	struct usb_iso_desc iso[2] = { { 0, 0, 192 }, { 0, 192, 100 } };
	uint8_t data[292];
	struct usb_event ev;
	struct strbuf sb;
	struct rec_list l;

	memset(data, 0x5a, sizeof(data));
	ev = win('C', USB_XFER_ISO, 0x83, 5, 0, 0x000a, data, sizeof(data));
	ev.iso = iso;
	ev.iso_ndesc = 2;
	ev.start_frame = 4321;
	ev.iso_error_count = 1;
	build(&sb, &ev, 1, 65535);
	read_ok(&sb, &l, 1);
	cr_assert_eq(usb_rec(&l, 0)->xfer, USB_XFER_ISO);
	cr_assert_eq(usb_rec(&l, 0)->start_frame, 4321);
	cr_assert_eq(usb_rec(&l, 0)->iso_error_count, 1);
	cr_assert_eq(usb_rec(&l, 0)->caplen, sizeof(data), "data starts after the iso packet descriptors");
	cr_assert_eq(usb_rec(&l, 0)->data[0], 0x5a);
	cr_assert_eq(usb_rec(&l, 0)->frame_len, 39 + 24 + sizeof(data));
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbpcap, header_longer_than_known_data_starts_at_headerlen)
{
	uint8_t pkt[27 + 5 + 4];
	const uint8_t *pkts[1] = { pkt };
	uint32_t lens[1] = { sizeof(pkt) };
	struct usb_event ev = win('C', USB_XFER_BULK, 0x81, 9, 0, 0x0009, "\xde\xad\xbe\xef", 4);
	struct strbuf sb, p1 = STRBUF_INIT;
	struct rec_list l;

	usbw_usbpcap(&p1, &ev);
	/* a future USBPcap with 5 more header bytes */
	memcpy(pkt, p1.buf, 27);
	pkt[0] = 32;
	memset(pkt + 27, 0xee, 5);
	memcpy(pkt + 32, "\xde\xad\xbe\xef", 4);
	build_raw(&sb, pkts, lens, NULL, 1);
	read_ok(&sb, &l, 1);
	cr_assert_eq(usb_rec(&l, 0)->caplen, 4);
	cr_assert_eq(memcmp(usb_rec(&l, 0)->data, "\xde\xad\xbe\xef", 4), 0);
	rec_list_free(&l);
	sb_release(&sb);
	sb_release(&p1);
}

Test(usbpcap, snaplen_cut_marks_truncated)
{
	uint8_t big[2000];
	struct usb_event ev[2];
	struct strbuf sb;
	struct rec_list l;

	memset(big, 0xab, sizeof(big));
	ev[0] = win('S', USB_XFER_BULK, 0x02, 1, 0, 0x0009, big, sizeof(big));
	ev[1] = win('S', USB_XFER_CONTROL, 0x00, 2, 0, 0x0008, big, 100);
	ev[1].has_setup = true;
	build(&sb, ev, 2, 28 + 4);
	read_ok(&sb, &l, 2);
	cr_assert_eq(usb_rec(&l, 0)->data_len, sizeof(big));
	cr_assert_eq(usb_rec(&l, 0)->caplen, 28 + 4 - 27);
	cr_assert(usb_rec(&l, 0)->truncated);
	/* cut inside the setup packet: no setup, nothing present, truncated */
	cr_assert_not(usb_rec(&l, 1)->has_setup);
	cr_assert_eq(usb_rec(&l, 1)->data_len, 100);
	cr_assert_eq(usb_rec(&l, 1)->caplen, 0);
	cr_assert(usb_rec(&l, 1)->truncated);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- USBD_STATUS ---- */

/* Every code status_tables.c names, with the Linux status we promise for it. */
static const struct { uint32_t code; int32_t err; const char *name; } usbd_expect[] = {
	{ 0x00000000, 0, "USBD_STATUS_SUCCESS" },
	{ 0x40000000, -115, "USBD_STATUS_PENDING" },
	{ 0x80000200, -22, "USBD_STATUS_INVALID_URB_FUNCTION" },
	{ 0x80000300, -22, "USBD_STATUS_INVALID_PARAMETER" },
	{ 0x80000400, -16, "USBD_STATUS_ERROR_BUSY" },
	{ 0x80000600, -22, "USBD_STATUS_INVALID_PIPE_HANDLE" },
	{ 0x80000700, -28, "USBD_STATUS_NO_BANDWIDTH" },
	{ 0x80000800, -71, "USBD_STATUS_INTERNAL_HC_ERROR" },
	{ 0x80000900, -121, "USBD_STATUS_ERROR_SHORT_TRANSFER" },
	{ 0xC0000001, -84, "USBD_STATUS_CRC" },
	{ 0xC0000002, -71, "USBD_STATUS_BTSTUFF" },
	{ 0xC0000003, -84, "USBD_STATUS_DATA_TOGGLE_MISMATCH" },
	{ 0xC0000004, -32, "USBD_STATUS_STALL_PID" },
	{ 0xC0000005, -62, "USBD_STATUS_DEV_NOT_RESPONDING" },
	{ 0xC0000006, -71, "USBD_STATUS_PID_CHECK_FAILURE" },
	{ 0xC0000007, -71, "USBD_STATUS_UNEXPECTED_PID" },
	{ 0xC0000008, -75, "USBD_STATUS_DATA_OVERRUN" },
	{ 0xC0000009, -121, "USBD_STATUS_DATA_UNDERRUN" },
	{ 0xC000000A, -71, "USBD_STATUS_RESERVED1" },
	{ 0xC000000B, -71, "USBD_STATUS_RESERVED2" },
	{ 0xC000000C, -70, "USBD_STATUS_BUFFER_OVERRUN" },
	{ 0xC000000D, -63, "USBD_STATUS_BUFFER_UNDERRUN" },
	{ 0xC000000F, -18, "USBD_STATUS_NOT_ACCESSED" },
	{ 0xC0000010, -70, "USBD_STATUS_FIFO" },
	{ 0xC0000011, -71, "USBD_STATUS_XACT_ERROR" },
	{ 0xC0000012, -75, "USBD_STATUS_BABBLE_DETECTED" },
	{ 0xC0000013, -70, "USBD_STATUS_DATA_BUFFER_ERROR" },
	{ 0xC0000030, -32, "USBD_STATUS_ENDPOINT_HALTED" },
	{ 0xC0000A00, -18, "USBD_STATUS_BAD_START_FRAME" },
	{ 0xC0000B00, -18, "USBD_STATUS_ISOCH_REQUEST_FAILED" },
	{ 0xC0000C00, -16, "USBD_STATUS_FRAME_CONTROL_OWNED" },
	{ 0xC0000D00, -22, "USBD_STATUS_FRAME_CONTROL_NOT_OWNED" },
	{ 0xC0000E00, -22, "USBD_STATUS_NOT_SUPPORTED" },
	{ 0xC0000F00, -22, "USBD_STATUS_INVALID_CONFIGURATION_DESCRIPTOR" },
	{ 0xC0001000, -12, "USBD_STATUS_INSUFFICIENT_RESOURCES" },
	{ 0xC0002000, -22, "USBD_STATUS_SET_CONFIG_FAILED" },
	{ 0xC0003000, -75, "USBD_STATUS_BUFFER_TOO_SMALL" },
	{ 0xC0004000, -22, "USBD_STATUS_INTERFACE_NOT_FOUND" },
	{ 0xC0005000, -22, "USBD_STATUS_INVALID_PIPE_FLAGS" },
	{ 0xC0006000, -110, "USBD_STATUS_TIMEOUT" },
	{ 0xC0007000, -19, "USBD_STATUS_DEVICE_GONE" },
	{ 0xC0008000, -71, "USBD_STATUS_STATUS_NOT_MAPPED" },
	{ 0xC0009000, -71, "USBD_STATUS_HUB_INTERNAL_ERROR" },
	{ 0xC0010000, -104, "USBD_STATUS_CANCELED" },
	{ 0xC0020000, -18, "USBD_STATUS_ISO_NOT_ACCESSED_BY_HW" },
	{ 0xC0030000, -18, "USBD_STATUS_ISO_TD_ERROR" },
	{ 0xC0040000, -18, "USBD_STATUS_ISO_NA_LATE_USBPORT" },
	{ 0xC0050000, -18, "USBD_STATUS_ISO_NOT_ACCESSED_LATE" },
	{ 0xC0100000, -22, "USBD_STATUS_BAD_DESCRIPTOR" },
	{ 0xC0100001, -22, "USBD_STATUS_BAD_DESCRIPTOR_BLEN" },
	{ 0xC0100002, -22, "USBD_STATUS_BAD_DESCRIPTOR_TYPE" },
	{ 0xC0100003, -22, "USBD_STATUS_BAD_INTERFACE_DESCRIPTOR" },
	{ 0xC0100004, -22, "USBD_STATUS_BAD_ENDPOINT_DESCRIPTOR" },
	{ 0xC0100005, -22, "USBD_STATUS_BAD_INTERFACE_ASSOC_DESCRIPTOR" },
	{ 0xC0100006, -22, "USBD_STATUS_BAD_CONFIG_DESC_LENGTH" },
	{ 0xC0100007, -22, "USBD_STATUS_BAD_NUMBER_OF_INTERFACES" },
	{ 0xC0100008, -22, "USBD_STATUS_BAD_NUMBER_OF_ENDPOINTS" },
	{ 0xC0100009, -22, "USBD_STATUS_BAD_ENDPOINT_ADDRESS" },
};
#define N_USBD (sizeof(usbd_expect) / sizeof(usbd_expect[0]))

Test(usbd_status, every_tabled_code_reads_back_mapped)
{
	struct usb_event ev[N_USBD];
	struct strbuf sb;
	struct rec_list l;

	for (size_t i = 0; i < N_USBD; i++)
		ev[i] = win('C', USB_XFER_BULK, 0x81, 100 + i, usbd_expect[i].code, 0x0009, NULL, 0);
	build(&sb, ev, N_USBD, 65535);
	read_ok(&sb, &l, N_USBD);
	for (size_t i = 0; i < N_USBD; i++) {
		const struct usb_event *e = usb_rec(&l, i);
		cr_assert_eq(e->status_origin, USB_STATUS_USBD);
		cr_assert_eq(e->orig_status, usbd_expect[i].code, "0x%08x", usbd_expect[i].code);
		cr_assert_eq(e->status, usbd_expect[i].err, "%s -> %d, expected %d", usbd_expect[i].name,
			     e->status, usbd_expect[i].err);
		cr_assert_str_eq(usbd_status_name(usbd_expect[i].code), usbd_expect[i].name);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbd_status, the_key_mappings)
{
	cr_assert_eq(usbd_status_to_errno(0xC0000004), -32);   /* stall */
	cr_assert_eq(usbd_status_to_errno(0xC0000030), -32);   /* endpoint halted */
	cr_assert_eq(usbd_status_to_errno(0xC0000011), -71);   /* transaction error */
	cr_assert_eq(usbd_status_to_errno(0xC0000012), -75);   /* babble */
	cr_assert_eq(usbd_status_to_errno(0xC0006000), -110);  /* timeout */
	cr_assert_eq(usbd_status_to_errno(0xC0010000), -104);  /* cancelled */
	cr_assert_eq(usbd_status_to_errno(0xC0007000), -19);   /* device gone */
	cr_assert_eq(usbd_status_to_errno(0xC0000001), -84);   /* CRC */
}

Test(usbd_status, unknown_codes_follow_their_class_bits)
{
	cr_assert_eq(usbd_status_to_errno(0x00000078), 0);
	cr_assert_eq(usbd_status_to_errno(0x40000123), -115);
	cr_assert_eq(usbd_status_to_errno(0x80001234), -71);
	cr_assert_eq(usbd_status_to_errno(0xffff890f), -71);
	cr_assert_null(usbd_status_name(0xffff890f));
	cr_assert_null(usbd_status_name(0x00000078));
}

Test(usbd_status, submit_status_is_in_progress_whatever_the_field_says)
{
	struct usb_event ev[3];
	struct strbuf sb;
	struct rec_list l;

	/* the field is valid only on return; real files carry junk on submits */
	ev[0] = win('S', USB_XFER_BULK, 0x81, 1, 0xffff890f, 0x0009, NULL, 0);
	ev[1] = win('S', USB_XFER_BULK, 0x81, 2, 0x40000000, 0x0009, NULL, 0);
	ev[2] = win('C', USB_XFER_BULK, 0x81, 1, 0x40000000, 0x0009, NULL, 0);
	build(&sb, ev, 3, 65535);
	read_ok(&sb, &l, 3);
	cr_assert_eq(usb_rec(&l, 0)->status, -115);
	cr_assert_eq(usb_rec(&l, 0)->orig_status, 0xffff890f);
	cr_assert_eq(usb_rec(&l, 1)->status, -115);
	cr_assert_eq(usb_rec(&l, 2)->status, -115, "a completion still pending says so");
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbd_status, writer_picks_a_code_for_linux_statuses)
{
	static const int32_t st[] = { -32, -71, -75, -110, -104, -19, -84, -121 };
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l;

	for (size_t i = 0; i < 8; i++)
		ev[i] = mk_usb('C', USB_XFER_BULK, 1, 2, 0x81, i, st[i], 0, NULL, 0, 5);
	build(&sb, ev, 8, 65535);
	read_ok(&sb, &l, 8);
	for (size_t i = 0; i < 8; i++) {
		cr_assert_eq(usb_rec(&l, i)->status, st[i]);
		cr_assert_not_null(usbd_status_name(usb_rec(&l, i)->orig_status));
	}
	cr_assert_eq(usb_rec(&l, 0)->orig_status, 0xC0000004);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- damaged input ---- */

/* One good bulk record, then the damaged packet: the good one is delivered first. */
static void expect_damage(const uint8_t *bad, uint32_t len, uint32_t orig, const char *what)
{
	struct usb_event good = win('C', USB_XFER_BULK, 0x81, 1, 0, 0x0009, "ok", 2);

	expect_damage_after(LINKTYPE_USBPCAP, true, &good, bad, len, orig, what);
}

static size_t bulk_pkt(uint8_t *buf, const void *data, uint32_t n)
{
	struct usb_event ev = win('S', USB_XFER_BULK, 0x02, 3, 0, 0x0009, data, n);
	struct strbuf p = STRBUF_INIT;
	size_t len;

	usbw_usbpcap(&p, &ev);
	len = p.len;
	memcpy(buf, p.buf, len);
	sb_release(&p);
	return len;
}

Test(usbpcap_bad, record_shorter_than_fixed_header)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, NULL, 0);

	(void)n;
	expect_damage(pkt, 20, 20, "USBPcap record is 20 bytes, shorter than its 27-byte header");
}

Test(usbpcap_bad, headerlen_smaller_than_fixed_part)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, "abcd", 4);

	pkt[0] = 20;
	expect_damage(pkt, (uint32_t)n, (uint32_t)n, "headerLen is 20, smaller than the 27-byte header");
}

Test(usbpcap_bad, control_header_without_stage_byte)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, "abcd", 4);

	pkt[22] = USB_XFER_CONTROL;     /* headerLen stays 27 */
	expect_damage(pkt, (uint32_t)n, (uint32_t)n, "smaller than the 28-byte header");
}

Test(usbpcap_bad, headerlen_beyond_the_packet)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, "abcd", 4);

	pkt[0] = 0xff;
	pkt[1] = 0x01;                  /* 511 */
	expect_damage(pkt, (uint32_t)n, (uint32_t)n, "headerLen is 511, beyond the end of the 31-byte packet");
}

Test(usbpcap_bad, control_stage_out_of_range)
{
	struct usb_event ev = win('C', USB_XFER_CONTROL, 0x80, 1, 0, 0x0008, NULL, 0);
	struct strbuf p = STRBUF_INIT;
	uint8_t pkt[64];

	usbw_usbpcap(&p, &ev);
	memcpy(pkt, p.buf, p.len);
	pkt[27] = 9;
	expect_damage(pkt, (uint32_t)p.len, (uint32_t)p.len, "control stage is 9");
	sb_release(&p);
}

Test(usbpcap_bad, iso_packet_count_lies)
{
	struct usb_event ev = win('C', USB_XFER_ISO, 0x83, 1, 0, 0x000a, NULL, 0);
	struct strbuf p = STRBUF_INIT;
	uint8_t pkt[64];

	usbw_usbpcap(&p, &ev);
	memcpy(pkt, p.buf, p.len);
	pkt[31] = 0x40;
	pkt[32] = 0x42;
	pkt[33] = 0x0f;                 /* a million packets in a 39-byte header */
	expect_damage(pkt, (uint32_t)p.len, (uint32_t)p.len, "declares 1000000 packets");
	sb_release(&p);
}

Test(usbpcap_bad, datalength_beyond_the_packet_is_truncation_not_damage)
{
	uint8_t pkt[64];
	size_t n = bulk_pkt(pkt, "abcd", 4);
	const uint8_t *pkts[1] = { pkt };
	uint32_t lens[1] = { (uint32_t)n };
	struct strbuf sb;
	struct rec_list l;

	pkt[23] = 0x00;
	pkt[24] = 0x10;                 /* dataLength 4096, 4 bytes present */
	build_raw(&sb, pkts, lens, NULL, 1);
	read_ok(&sb, &l, 1);
	cr_assert_eq(usb_rec(&l, 0)->data_len, 4096);
	cr_assert_eq(usb_rec(&l, 0)->length, 4096);
	cr_assert_eq(usb_rec(&l, 0)->caplen, 4);
	cr_assert(usb_rec(&l, 0)->truncated);
	cr_assert_eq(memcmp(usb_rec(&l, 0)->data, "abcd", 4), 0);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- real files ---- */

static char *real_file(const char *rel)
{
	char *sub = path_join("public", rel), *p = shared_capture(sub);

	free(sub);
	return p;
}

Test(usbpcap_real, control_out_file)
{
	static const uint8_t setup[8] = { 0x21, 0x09, 0xec, 0x02, 0x00, 0x00, 0x40, 0x00 };
	char *path = real_file("usbrply-test/win_control-out.pcapng");
	struct usb_event *ev;
	struct error err;
	size_t n;
	int rc;

	if (!path)
		cr_skip_test("usbrply-test/win_control-out.pcapng is not in ../shared/captures");
	ev = file_events(path, &n, &rc, &err);
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	cr_assert_eq(n, 2);
	cr_assert(ev[0].has_setup);
	cr_assert_eq(memcmp(ev[0].setup, setup, 8), 0);
	cr_assert_eq(ev[0].length, 64, "72-byte dataLength minus the setup packet");
	cr_assert_eq(ev[0].urb_function, 0x001b);
	cr_assert_eq(ev[0].urb_id, ev[1].urb_id);
	cr_assert_eq(ev[1].type, USB_EV_COMPLETE);
	cr_assert_eq(ev[1].ctrl_stage, USB_STAGE_COMPLETE);
	free(ev);
	free(path);
}

Test(usbpcap_real, irp_status_junk_on_submit)
{
	char *path = real_file("usbrply-test/win_irp-status-neg.pcapng");
	struct usb_event *ev;
	struct error err;
	size_t n;
	int rc;

	if (!path)
		cr_skip_test("usbrply-test/win_irp-status-neg.pcapng is not in ../shared/captures");
	ev = file_events(path, &n, &rc, &err);
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	cr_assert_eq(n, 2);
	cr_assert_eq(ev[0].orig_status, 0xffff890f);
	cr_assert_eq(ev[0].status, -115);
	cr_assert_eq(ev[1].status, 0);
	cr_assert_eq(ev[1].caplen, 2);
	free(ev);
	free(path);
}

/*
 * Every USBPcap file in ../shared/captures, frame by frame, against
 * tshark: IRP id, USBD status, endpoint, device, bus, transfer type,
 * URB function, control stage, dataLength, the info bit, and whether
 * Wireshark took the record for a request (usb.src == "host").
 */
static void check_usbpcap_frame(const char *f, const struct usb_event *e, const struct tshark_row *r)
{
	unsigned long long fr = e->frame;
	uint32_t dlen = e->data_len + (e->has_setup ? 8 : 0);

	cr_assert_eq(e->urb_id, tsv_num(r, 1, 0), "%s frame %llu: irp id", f, fr);
	cr_assert_eq(e->orig_status, tsv_num(r, 2, 0), "%s frame %llu: status", f, fr);
	cr_assert_eq(e->endpoint, tsv_num(r, 3, 0), "%s frame %llu: endpoint", f, fr);
	cr_assert_eq(e->device, tsv_num(r, 4, 0), "%s frame %llu: device", f, fr);
	cr_assert_eq(e->bus, tsv_num(r, 5, 0), "%s frame %llu: bus", f, fr);
	cr_assert_eq(e->type == USB_EV_SUBMIT, strcmp(r->f[6], "host") == 0, "%s frame %llu: submit/complete", f, fr);
	cr_assert_eq(e->irp_info & 1, tsv_num(r, 7, 0), "%s frame %llu: info", f, fr);
	cr_assert_eq(e->urb_function, tsv_num(r, 9, 0), "%s frame %llu: function", f, fr);
	if (e->xfer == USB_XFER_IRP_INFO)
		cr_assert_eq(tsv_num(r, 8, 0), 0xfe);
	else if (e->xfer == USB_XFER_UNKNOWN)
		cr_assert_eq(tsv_num(r, 8, 0), 0xff);
	else
		cr_assert_eq(e->xfer, tsv_num(r, 8, 0), "%s frame %llu: transfer type", f, fr);
	cr_assert_eq(e->ctrl_stage, tsv_num(r, 10, USB_STAGE_NONE), "%s frame %llu: stage", f, fr);
	cr_assert_eq(dlen, tsv_num(r, 11, 0), "%s frame %llu: dataLength", f, fr);
	cr_assert_eq(e->status, e->type == USB_EV_SUBMIT ? -115 : usbd_status_to_errno(e->orig_status));
}

Test(usbpcap_real, every_file_matches_tshark)
{
	static const char *const fields[] = {
		"frame.number", "usb.irp_id", "usb.usbd_status", "usb.endpoint_address", "usb.device_address",
		"usb.bus_id", "usb.src", "usb.irp_info.direction", "usb.transfer_type", "usb.function",
		"usb.control_stage", "usb.data_len",
	};

	compare_with_tshark(LINKTYPE_USBPCAP, "USBPcap", fields, 12, check_usbpcap_frame);
}
