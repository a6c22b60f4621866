/* test_usb_control.c - USB control request names, one-line summaries, -v descriptions and descriptor parsing, incl. damaged descriptor sets. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/usb_control.h"
#include "usb_fixtures.h"
#include "util/strbuf.h"

/* The request's summary, with data copied to a heap buffer of exactly
 * len bytes so that an overread shows under the sanitizers. */
static char *summary(const uint8_t setup[8], const uint8_t *data, size_t len)
{
	static struct strbuf sb;
	uint8_t *copy = len ? malloc(len) : NULL;

	if (len)
		memcpy(copy, data, len);
	sb_release(&sb);
	usb_control_summary(&sb, setup, copy, len);
	free(copy);
	return sb.buf;
}

static char *describe(const uint8_t setup[8], const uint8_t *data, size_t len)
{
	static struct strbuf sb;
	uint8_t *copy = len ? malloc(len) : NULL;

	if (len)
		memcpy(copy, data, len);
	sb_release(&sb);
	usb_control_describe(&sb, setup, copy, len, "  ");
	free(copy);
	return sb.buf;
}

static char *walk(const uint8_t *data, size_t len)
{
	static struct strbuf sb;
	uint8_t *copy = len ? malloc(len) : NULL;

	if (len)
		memcpy(copy, data, len);
	sb_release(&sb);
	usb_descriptors_describe(&sb, copy, len, "");
	free(copy);
	return sb.buf;
}

/* text contains line (a whole line, indentation ignored). */
static bool has_line(const char *text, const char *want)
{
	size_t n = strlen(want);
	for (const char *p = text; (p = strstr(p, want)); p++) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n';
		if (start && (p[n] == '\n' || p[n] == '\0'))
			return true;
	}
	return false;
}

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;
	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

#define SETUP(...) ((const uint8_t[8]){ __VA_ARGS__ })
#define EXPECT_SUMMARY(setup, data, len, want) \
	cr_assert_str_eq(summary(setup, data, len), want)
#define EXPECT_LINE(text, want) \
	cr_assert(has_line(text, want), "missing line \"%s\" in:\n%s", want, text)

/* ------------------------------------------------------------- names */

Test(usb_control, request_names)
{
	cr_assert_str_eq(usb_request_name(SETUP(0x80, 0x06, 0, 1, 0, 0, 18, 0)), "GET_DESCRIPTOR");
	cr_assert_str_eq(usb_request_name(SETUP(0x01, 0x0b, 1, 0, 0, 0, 0, 0)), "SET_INTERFACE");
	cr_assert_str_eq(usb_request_name(SETUP(0x00, 0x31, 0x28, 0, 0, 0, 0, 0)), "SET_ISOCH_DELAY");
	cr_assert_str_eq(usb_request_name(SETUP(0x00, 0x30, 0, 0, 0, 0, 6, 0)), "SET_SEL");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0xff, 0, 0, 0, 0, 0, 0)), "Bulk-Only Mass Storage Reset");
	cr_assert_str_eq(usb_request_name(SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0)), "GET MAX LUN");
	cr_assert_str_eq(usb_request_name(SETUP(0x23, 0x03, 4, 0, 1, 0, 0, 0)), "SET_FEATURE");
	cr_assert_str_eq(usb_request_name(SETUP(0x23, 0x08, 0, 0, 1, 0, 0, 0)), "CLEAR_TT_BUFFER");
	cr_assert_str_eq(usb_request_name(SETUP(0xa1, 0x01, 0, 1, 0, 0, 64, 0)), "GET_REPORT");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0x0a, 0, 0, 0, 0, 0, 0)), "SET_IDLE");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0x0b, 0, 0, 0, 0, 0, 0)), "SET_PROTOCOL");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0x20, 0, 0, 0, 0, 7, 0)), "SET_LINE_CODING");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0x22, 3, 0, 0, 0, 0, 0)), "SET_CONTROL_LINE_STATE");
	/* HID and CDC share codes: the fields decide */
	cr_assert_str_eq(usb_request_name(SETUP(0xa1, 0x01, 0, 0, 0, 0, 0, 4)), "GET_ENCAPSULATED_RESPONSE");
	cr_assert_str_eq(usb_request_name(SETUP(0xa1, 0x03, 0, 0, 0, 0, 1, 0)), "GET_PROTOCOL");
	cr_assert_str_eq(usb_request_name(SETUP(0xa1, 0x03, 1, 0, 0, 0, 2, 0)), "GET_COMM_FEATURE");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0x02, 1, 0, 0, 0, 2, 0)), "SET_COMM_FEATURE");
	cr_assert_str_eq(usb_request_name(SETUP(0xa1, 0x02, 0, 0, 0, 0, 1, 0)), "GET_IDLE");
	cr_assert_str_eq(usb_request_name(SETUP(0xc0, 0xa0, 0, 0, 0, 0, 64, 0)), "vendor request 0xA0");
	cr_assert_str_eq(usb_request_name(SETUP(0x40, 0x05, 0, 0, 0, 0, 0, 0)), "vendor request 0x05");
	cr_assert_str_eq(usb_request_name(SETUP(0x21, 0x55, 0, 0, 0, 0, 0, 0)), "class request 0x55");
	cr_assert_str_eq(usb_request_name(SETUP(0x80, 0x02, 0, 0, 0, 0, 0, 0)), "request 0x02");
	cr_assert_str_eq(usb_request_name(SETUP(0xe0, 0x06, 0, 0, 0, 0, 0, 0)), "request 0x06");
	/* never NULL, whatever the bytes */
	for (unsigned t = 0; t < 256; t++)
		for (unsigned r = 0; r < 256; r++)
			cr_assert_not_null(usb_request_name(SETUP((uint8_t)t, (uint8_t)r, 0, 0, 0, 0, 0, 0)));
}

/* ---------------------------------------------------------- summaries */

Test(usb_control, summary_standard_descriptors)
{
	const uint8_t *s;

	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 0x12, 0), bot_dev, sizeof(bot_dev),
		       "GET_DESCRIPTOR DEVICE len=18 -> 46f4:0001 USB 2.00");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 0x08, 0), uas_xhci_dev8, sizeof(uas_xhci_dev8),
		       "GET_DESCRIPTOR DEVICE len=8 -> USB 3.00 mps0=512");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 0x12, 0), sd_dev, sizeof(sd_dev),
		       "GET_DESCRIPTOR DEVICE len=18 -> 0781:558c USB 3.10");
	/* no data stage captured: just the request */
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 0x40, 0), NULL, 0, "GET_DESCRIPTOR DEVICE len=64");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x02, 0, 0, 9, 0), bot_cfg9, sizeof(bot_cfg9),
		       "GET_DESCRIPTOR CONFIGURATION len=9 -> total=32");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x02, 0, 0, 32, 0), bot_cfg, sizeof(bot_cfg),
		       "GET_DESCRIPTOR CONFIGURATION len=32 -> total=32: 0.0 Mass Storage BOT");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x02, 0, 0, 121, 0), sd_cfg, sizeof(sd_cfg),
		       "GET_DESCRIPTOR CONFIGURATION len=121 -> total=121: 0.0 Mass Storage BOT, 0.1 Mass Storage UAS");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x02, 0, 0, 31, 0), roothub3_cfg, sizeof(roothub3_cfg),
		       "GET_DESCRIPTOR CONFIGURATION len=31 -> total=31: 0.0 Hub");
	s = SETUP(0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xff, 0);
	EXPECT_SUMMARY(s, bot_str2, sizeof(bot_str2), "GET_DESCRIPTOR STRING idx=2 lang=0x0409 -> \"QEMU USB HARDDRIVE\"");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x03, 0, 0, 0xff, 0), bot_str0, sizeof(bot_str0),
		       "GET_DESCRIPTOR STRING idx=0 -> langs 0x0409");
	/* macOS reads the 2-byte header first, then the whole string */
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 2, 0), sd_str3, 2,
		       "GET_DESCRIPTOR STRING idx=3 lang=0x0409 len=2 -> bLength=24");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 24, 0), sd_str3, sizeof(sd_str3),
		       "GET_DESCRIPTOR STRING idx=3 lang=0x0409 -> \"Extreme SSD\"");
	/* cut by the capture (usbmon text keeps 32 bytes) */
	EXPECT_SUMMARY(s, bot_str2, 32, "GET_DESCRIPTOR STRING idx=2 lang=0x0409 len=255 -> \"QEMU USB HARDDR...\"");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x0f, 0, 0, 5, 0), uas_xhci_bos, 5, "GET_DESCRIPTOR BOS len=5 -> total=22");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x0f, 0, 0, 22, 0), uas_xhci_bos, sizeof(uas_xhci_bos),
		       "GET_DESCRIPTOR BOS len=22 -> total=22: USB 2.0 Extension, SuperSpeed USB");
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x0f, 0, 0, 42, 0), sd_bos, sizeof(sd_bos),
		       "GET_DESCRIPTOR BOS len=42 -> total=42: USB 2.0 Extension, SuperSpeed USB, SuperSpeedPlus");
	EXPECT_SUMMARY(SETUP(0x81, 0x06, 0x00, 0x22, 0, 0, 29, 0), NULL, 0, "GET_DESCRIPTOR HID_REPORT intf=0 len=29");
	/* the wrong descriptor type back: only the request */
	EXPECT_SUMMARY(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 9, 0), bot_cfg9, sizeof(bot_cfg9), "GET_DESCRIPTOR DEVICE len=9");
}

Test(usb_control, summary_standard_requests)
{
	EXPECT_SUMMARY(SETUP(0x00, 0x09, 1, 0, 0, 0, 0, 0), NULL, 0, "SET_CONFIGURATION 1");
	EXPECT_SUMMARY(SETUP(0x01, 0x0b, 1, 0, 0, 0, 0, 0), NULL, 0, "SET_INTERFACE intf=0 alt=1");
	EXPECT_SUMMARY(SETUP(0x01, 0x0b, 0, 0, 2, 0, 0, 0), NULL, 0, "SET_INTERFACE intf=2 alt=0");
	EXPECT_SUMMARY(SETUP(0x00, 0x05, 3, 0, 0, 0, 0, 0), NULL, 0, "SET_ADDRESS 3");
	EXPECT_SUMMARY(SETUP(0x02, 0x01, 0, 0, 0x81, 0, 0, 0), NULL, 0, "CLEAR_FEATURE ENDPOINT_HALT ep=0x81");
	EXPECT_SUMMARY(SETUP(0x00, 0x03, 1, 0, 0, 0, 0, 0), NULL, 0, "SET_FEATURE DEVICE_REMOTE_WAKEUP");
	EXPECT_SUMMARY(SETUP(0x00, 0x03, 2, 0, 0, 4, 0, 0), NULL, 0, "SET_FEATURE TEST_MODE selector=4");
	EXPECT_SUMMARY(SETUP(0x00, 0x03, 48, 0, 0, 0, 0, 0), NULL, 0, "SET_FEATURE U1_ENABLE");
	EXPECT_SUMMARY(SETUP(0x80, 0x08, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 1 }, 1, "GET_CONFIGURATION -> 1");
	EXPECT_SUMMARY(SETUP(0x81, 0x0a, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 1 }, 1, "GET_INTERFACE intf=0 -> 1");
	/* the Darwin capture's GET_STATUS (frame 25) */
	EXPECT_SUMMARY(SETUP(0x81, 0x00, 0, 0, 0, 0, 2, 0), ((const uint8_t[]){ 0, 0 }), 2, "GET_STATUS intf=0 -> 0x0000");
	EXPECT_SUMMARY(SETUP(0x80, 0x00, 0, 0, 0, 0, 2, 0), ((const uint8_t[]){ 3, 0 }), 2,
		       "GET_STATUS device -> self-powered remote-wakeup");
	EXPECT_SUMMARY(SETUP(0x80, 0x00, 0, 0, 0, 0, 2, 0), ((const uint8_t[]){ 0, 0 }), 2, "GET_STATUS device -> bus-powered");
	EXPECT_SUMMARY(SETUP(0x82, 0x00, 0, 0, 0x81, 0, 2, 0), ((const uint8_t[]){ 1, 0 }), 2, "GET_STATUS ep=0x81 -> halted");
	EXPECT_SUMMARY(SETUP(0x00, 0x31, 0x28, 0, 0, 0, 0, 0), NULL, 0, "SET_ISOCH_DELAY 40 ns");
	EXPECT_SUMMARY(SETUP(0x00, 0x30, 0, 0, 0, 0, 6, 0), ((const uint8_t[]){ 10, 20, 0x2c, 0x01, 0x90, 0x01 }), 6,
		       "SET_SEL U1SEL=10 U1PEL=20 U2SEL=300 U2PEL=400 us");
	EXPECT_SUMMARY(SETUP(0x82, 0x0c, 0, 0, 0x81, 0, 2, 0), ((const uint8_t[]){ 0x34, 0x12 }), 2,
		       "SYNCH_FRAME ep=0x81 -> frame 4660");
}

Test(usb_control, summary_mass_storage)
{
	EXPECT_SUMMARY(SETUP(0x21, 0xff, 0, 0, 0, 0, 0, 0), NULL, 0, "Bulk-Only Mass Storage Reset intf=0");
	EXPECT_SUMMARY(SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 0 }, 1, "GET MAX LUN intf=0 -> 0");
	EXPECT_SUMMARY(SETUP(0xa1, 0xfe, 0, 0, 1, 0, 1, 0), (const uint8_t[]){ 3 }, 1, "GET MAX LUN intf=1 -> 3");
	EXPECT_SUMMARY(SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0), NULL, 0, "GET MAX LUN intf=0");
}

Test(usb_control, summary_hub)
{
	/* samples/bot-ehci.pcap frames 40-47 (USB 2.0 root hub) */
	EXPECT_SUMMARY(SETUP(0xa3, 0x00, 0, 0, 2, 0, 4, 0), ((const uint8_t[]){ 0x03, 0x05, 0x10, 0x00 }), 4,
		       "GET_STATUS port=2 -> connection enabled power high-speed; changed: reset");
	EXPECT_SUMMARY(SETUP(0x23, 0x01, 0x14, 0, 2, 0, 0, 0), NULL, 0, "CLEAR_FEATURE C_PORT_RESET port=2");
	EXPECT_SUMMARY(SETUP(0x23, 0x03, 0x04, 0, 1, 0, 0, 0), NULL, 0, "SET_FEATURE PORT_RESET port=1");
	EXPECT_SUMMARY(SETUP(0x23, 0x03, 0x08, 0, 3, 0, 0, 0), NULL, 0, "SET_FEATURE PORT_POWER port=3");
	/* samples/uas-xhci.pcap (USB 3 root hub, link state in the status) */
	EXPECT_SUMMARY(SETUP(0xa3, 0x00, 0, 0, 1, 0, 4, 0), ((const uint8_t[]){ 0xa0, 0x02, 0x00, 0x00 }), 4,
		       "GET_STATUS port=1 -> power Rx.Detect");
	EXPECT_SUMMARY(SETUP(0xa3, 0x00, 0, 0, 1, 0, 4, 0), ((const uint8_t[]){ 0x03, 0x02, 0x01, 0x00 }), 4,
		       "GET_STATUS port=1 -> connection enabled power U0; changed: connection");
	EXPECT_SUMMARY(SETUP(0x23, 0x03, 0x1b, 0, 0x01, 0x07, 0, 0), NULL, 0,
		       "SET_FEATURE PORT_REMOTE_WAKE_MASK port=1 mask=0x07");
	EXPECT_SUMMARY(SETUP(0x23, 0x01, 0x1d, 0, 1, 0, 0, 0), NULL, 0, "CLEAR_FEATURE C_BH_PORT_RESET port=1");
	EXPECT_SUMMARY(SETUP(0x23, 0x03, 0x05, 0, 2, 3, 0, 0), NULL, 0, "SET_FEATURE PORT_LINK_STATE port=2 link=U3");
	EXPECT_SUMMARY(SETUP(0xa0, 0x00, 0, 0, 0, 0, 4, 0), ((const uint8_t[]){ 0, 0, 0, 0 }), 4, "GET_STATUS hub -> ok");
	EXPECT_SUMMARY(SETUP(0x20, 0x01, 0x01, 0, 0, 0, 0, 0), NULL, 0, "CLEAR_FEATURE C_HUB_OVER_CURRENT");
	EXPECT_SUMMARY(SETUP(0xa0, 0x06, 0, 0x29, 0, 0, 9, 0), ((const uint8_t[]){ 9, 0x29, 4, 0x09, 0, 50, 0, 0, 0xff }), 9,
		       "GET_DESCRIPTOR HUB len=9 -> 4 ports");
	EXPECT_SUMMARY(SETUP(0x20, 0x0c, 1, 0, 0, 0, 0, 0), NULL, 0, "SET_HUB_DEPTH 1");
	EXPECT_SUMMARY(SETUP(0x23, 0x08, 0x81, 0x90, 2, 0, 0, 0), NULL, 0, "CLEAR_TT_BUFFER dev=8 ep=1 IN bulk port=2");
}

Test(usb_control, summary_hid_cdc_vendor)
{
	EXPECT_SUMMARY(SETUP(0x21, 0x0a, 0, 0, 0, 0, 0, 0), NULL, 0, "SET_IDLE indefinite id=0 intf=0");
	EXPECT_SUMMARY(SETUP(0x21, 0x0a, 0, 0x7d, 1, 0, 0, 0), NULL, 0, "SET_IDLE 500 ms id=0 intf=1");
	EXPECT_SUMMARY(SETUP(0xa1, 0x01, 0, 1, 0, 0, 64, 0), NULL, 0, "GET_REPORT input id=0 intf=0 len=64");
	EXPECT_SUMMARY(SETUP(0x21, 0x09, 2, 2, 1, 0, 8, 0), NULL, 0, "SET_REPORT output id=2 intf=1 len=8");
	EXPECT_SUMMARY(SETUP(0x21, 0x09, 5, 3, 0, 0, 9, 0), NULL, 0, "SET_REPORT feature id=5 intf=0 len=9");
	EXPECT_SUMMARY(SETUP(0x21, 0x0b, 0, 0, 0, 0, 0, 0), NULL, 0, "SET_PROTOCOL boot intf=0");
	EXPECT_SUMMARY(SETUP(0xa1, 0x03, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 1 }, 1, "GET_PROTOCOL intf=0 -> report");
	EXPECT_SUMMARY(SETUP(0xa1, 0x02, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 0x7d }, 1, "GET_IDLE id=0 intf=0 -> 500 ms");
	EXPECT_SUMMARY(SETUP(0x21, 0x20, 0, 0, 0, 0, 7, 0), ((const uint8_t[]){ 0x00, 0xc2, 0x01, 0x00, 0, 0, 8 }), 7,
		       "SET_LINE_CODING 115200 8N1 intf=0");
	EXPECT_SUMMARY(SETUP(0x21, 0x20, 0, 0, 0, 0, 7, 0), ((const uint8_t[]){ 0x80, 0x25, 0x00, 0x00, 2, 2, 7 }), 7,
		       "SET_LINE_CODING 9600 7E2 intf=0");
	EXPECT_SUMMARY(SETUP(0xa1, 0x21, 0, 0, 2, 0, 7, 0), ((const uint8_t[]){ 0x80, 0x25, 0x00, 0x00, 1, 0, 8 }), 7,
		       "GET_LINE_CODING intf=2 -> 9600 8N1.5");
	EXPECT_SUMMARY(SETUP(0x21, 0x22, 3, 0, 0, 0, 0, 0), NULL, 0, "SET_CONTROL_LINE_STATE DTR=1 RTS=1 intf=0");
	EXPECT_SUMMARY(SETUP(0x21, 0x23, 0xff, 0xff, 0, 0, 0, 0), NULL, 0, "SEND_BREAK until cleared intf=0");
	EXPECT_SUMMARY(SETUP(0x21, 0x23, 0xe8, 0x03, 0, 0, 0, 0), NULL, 0, "SEND_BREAK 1000 ms intf=0");
	EXPECT_SUMMARY(SETUP(0xa1, 0x01, 0, 0, 0, 0, 0, 4), NULL, 0, "GET_ENCAPSULATED_RESPONSE len=1024 intf=0");
	EXPECT_SUMMARY(SETUP(0xc0, 0xa0, 0x34, 0x12, 0, 0, 64, 0), NULL, 0,
		       "vendor request 0xA0 value=0x1234 index=0x0000 len=64");
	EXPECT_SUMMARY(SETUP(0x41, 0x01, 0, 0, 2, 0, 0, 0), NULL, 0,
		       "vendor request 0x01 (interface) value=0x0000 index=0x0002 len=0");
	EXPECT_SUMMARY(SETUP(0x22, 0x01, 0, 1, 0x81, 0, 3, 0), NULL, 0,
		       "class request 0x01 (endpoint) value=0x0100 index=0x0081 len=3");
}

/* ------------------------------------------------------- descriptions */

/* Field values below were read off `tshark -V` for the same frames. */
Test(usb_control, describe_device_descriptor)
{
	/* samples/bot-ehci.pcap frame 55 */
	const char *t = describe(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 0x12, 0), bot_dev, sizeof(bot_dev));

	EXPECT_LINE(t, "bmRequestType: 0x80 (device-to-host, standard, device)");
	EXPECT_LINE(t, "bRequest: 0x06 (GET_DESCRIPTOR)");
	EXPECT_LINE(t, "wValue: 0x0100 (descriptor DEVICE, index 0)");
	EXPECT_LINE(t, "wIndex: 0x0000");
	EXPECT_LINE(t, "wLength: 18");
	EXPECT_LINE(t, "DEVICE descriptor");
	EXPECT_LINE(t, "bLength: 18");
	EXPECT_LINE(t, "bDescriptorType: 0x01 (DEVICE)");
	EXPECT_LINE(t, "bcdUSB: 0x0200 (USB 2.00)");
	EXPECT_LINE(t, "bDeviceClass: 0x00 (per-interface)");
	EXPECT_LINE(t, "bDeviceSubClass: 0");
	EXPECT_LINE(t, "bDeviceProtocol: 0");
	EXPECT_LINE(t, "bMaxPacketSize0: 64");
	EXPECT_LINE(t, "idVendor: 0x46f4");
	EXPECT_LINE(t, "idProduct: 0x0001");
	EXPECT_LINE(t, "bcdDevice: 0x0000 (0.00)");
	EXPECT_LINE(t, "iManufacturer: 1");
	EXPECT_LINE(t, "iProduct: 2");
	EXPECT_LINE(t, "iSerialNumber: 3");
	EXPECT_LINE(t, "bNumConfigurations: 1");
	cr_assert(strncmp(t, "  bmRequestType", 15) == 0, "every line starts with the indent:\n%s", t);
	/* SuperSpeed: bMaxPacketSize0 is an exponent (Darwin frame 2) */
	t = describe(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 0x12, 0), sd_dev, sizeof(sd_dev));
	EXPECT_LINE(t, "bcdUSB: 0x0310 (USB 3.10)");
	EXPECT_LINE(t, "bMaxPacketSize0: 9 (2^9 = 512 bytes)");
	EXPECT_LINE(t, "idVendor: 0x0781");
	EXPECT_LINE(t, "idProduct: 0x558c");
	EXPECT_LINE(t, "bcdDevice: 0x1012 (10.12)");
}

Test(usb_control, describe_bot_configuration)
{
	/* samples/bot-ehci.pcap frame 59 */
	const char *t = walk(bot_cfg, sizeof(bot_cfg));

	EXPECT_LINE(t, "CONFIGURATION descriptor");
	EXPECT_LINE(t, "wTotalLength: 32");
	EXPECT_LINE(t, "bNumInterfaces: 1");
	EXPECT_LINE(t, "bConfigurationValue: 1");
	EXPECT_LINE(t, "iConfiguration: 5");
	EXPECT_LINE(t, "bmAttributes: 0xc0 (self-powered)");
	EXPECT_LINE(t, "bMaxPower: 0 (0 mA at USB 2.0 speeds, 0 mA at SuperSpeed)");
	EXPECT_LINE(t, "INTERFACE descriptor 0.0");
	EXPECT_LINE(t, "bNumEndpoints: 2");
	EXPECT_LINE(t, "bInterfaceClass: 0x08 (Mass Storage)");
	EXPECT_LINE(t, "bInterfaceSubClass: 0x06 (SCSI transparent command set)");
	EXPECT_LINE(t, "bInterfaceProtocol: 0x50 (Bulk-Only Transport)");
	EXPECT_LINE(t, "ENDPOINT descriptor 0x81");
	EXPECT_LINE(t, "bEndpointAddress: 0x81 (IN endpoint 1)");
	EXPECT_LINE(t, "bEndpointAddress: 0x02 (OUT endpoint 2)");
	EXPECT_LINE(t, "bmAttributes: 0x02 (bulk)");
	EXPECT_LINE(t, "wMaxPacketSize: 512");
	EXPECT_LINE(t, "bInterval: 0");
	cr_assert_eq(count(t, "ENDPOINT descriptor"), 2);
	cr_assert_eq(count(t, "["), 0, "nothing flagged in a good set:\n%s", t);
}

Test(usb_control, describe_uas_configuration_with_streams)
{
	/* samples/uas-xhci.pcap frame 67: companions with MaxStreams 4 (16 streams), pipe usage */
	const char *t = walk(uas_xhci_cfg, sizeof(uas_xhci_cfg));

	EXPECT_LINE(t, "bInterfaceProtocol: 0x62 (UAS)");
	EXPECT_LINE(t, "wMaxPacketSize: 1024");
	cr_assert_eq(count(t, "SUPERSPEED_USB_ENDPOINT_COMPANION descriptor"), 4);
	cr_assert_eq(count(t, "bMaxBurst: 15 (up to 16 packets per burst)"), 4);
	cr_assert_eq(count(t, "bmAttributes: 0x00 (MaxStreams 0: no streams)"), 1);
	cr_assert_eq(count(t, "bmAttributes: 0x04 (MaxStreams 4: 16 streams)"), 3);
	cr_assert_eq(count(t, "wBytesPerInterval: 0"), 4);
	cr_assert_eq(count(t, "UAS PIPE USAGE descriptor"), 4);
	EXPECT_LINE(t, "bDescriptorType: 0x24 (Pipe Usage)");
	EXPECT_LINE(t, "bPipeID: 0x01 (command pipe)");
	EXPECT_LINE(t, "bPipeID: 0x02 (status pipe)");
	EXPECT_LINE(t, "bPipeID: 0x03 (data-in pipe)");
	EXPECT_LINE(t, "bPipeID: 0x04 (data-out pipe)");
	/* the command pipe is endpoint 0x01 (its pipe usage follows its companion) */
	cr_assert(strstr(t, "bEndpointAddress: 0x01 (OUT endpoint 1)") <
		  strstr(t, "bPipeID: 0x01 (command pipe)"));
	cr_assert(strstr(t, "bPipeID: 0x01 (command pipe)") < strstr(t, "bEndpointAddress: 0x82 (IN endpoint 2)"));
	cr_assert_eq(count(t, "["), 0, "%s", t);

	/* Darwin frame 22: alt 0 BOT, alt 1 UAS with 32 streams */
	t = walk(sd_cfg, sizeof(sd_cfg));
	EXPECT_LINE(t, "INTERFACE descriptor 0.0");
	EXPECT_LINE(t, "INTERFACE descriptor 0.1");
	EXPECT_LINE(t, "bmAttributes: 0x80 (bus-powered)");
	EXPECT_LINE(t, "bMaxPower: 112 (224 mA at USB 2.0 speeds, 896 mA at SuperSpeed)");
	cr_assert_eq(count(t, "bmAttributes: 0x05 (MaxStreams 5: 32 streams)"), 3);
	cr_assert_eq(count(t, "bMaxBurst: 0 (up to 1 packets per burst)"), 1);
}

Test(usb_control, describe_interrupt_endpoint_and_hub)
{
	/* samples/uas-xhci.pcap frame 15: the USB 3 root hub */
	const char *t = walk(roothub3_cfg, sizeof(roothub3_cfg));
	static const uint8_t hub2[] = { 0x09, 0x29, 0x04, 0x09, 0x00, 0x32, 0x64, 0x00, 0xff };

	EXPECT_LINE(t, "bInterfaceClass: 0x09 (Hub)");
	EXPECT_LINE(t, "bmAttributes: 0x03 (interrupt, periodic)");
	EXPECT_LINE(t, "wMaxPacketSize: 2");
	cr_assert(strstr(t, "bInterval: 12 (every 2^11 = 2048 (micro)frames") != NULL, "%s", t);
	EXPECT_LINE(t, "bmAttributes: 0x00");
	EXPECT_LINE(t, "wBytesPerInterval: 2");

	t = describe(SETUP(0xa0, 0x06, 0, 0x29, 0, 0, 9, 0), hub2, sizeof(hub2));
	EXPECT_LINE(t, "HUB descriptor");
	EXPECT_LINE(t, "bNbrPorts: 4");
	cr_assert(strstr(t, "wHubCharacteristics: 0x0009 (power switching individual, not compound, over-current individual")
		  != NULL, "%s", t);
	EXPECT_LINE(t, "bPwrOn2PwrGood: 50 (100 ms)");
	EXPECT_LINE(t, "bHubContrCurrent: 100 mA");
	EXPECT_LINE(t, "DeviceRemovable: 00");
	EXPECT_LINE(t, "PortPwrCtrlMask: ff");
}

Test(usb_control, describe_bos)
{
	/* Darwin frame 18 */
	const char *t = describe(SETUP(0x80, 0x06, 0x00, 0x0f, 0, 0, 42, 0), sd_bos, sizeof(sd_bos));

	EXPECT_LINE(t, "BOS descriptor");
	EXPECT_LINE(t, "wTotalLength: 42");
	EXPECT_LINE(t, "bNumDeviceCaps: 3");
	EXPECT_LINE(t, "bDevCapabilityType: 0x02 (USB 2.0 Extension)");
	EXPECT_LINE(t, "bmAttributes: 0x0000f41e");
	EXPECT_LINE(t, "LPM: supported");
	EXPECT_LINE(t, "baseline BESL: 4");
	EXPECT_LINE(t, "deep BESL: 15");
	EXPECT_LINE(t, "bDevCapabilityType: 0x03 (SuperSpeed USB)");
	EXPECT_LINE(t, "wSpeedsSupported: 0x000e (full-speed high-speed 5 Gb/s)");
	EXPECT_LINE(t, "bFunctionalitySupport: 1 (full-speed)");
	EXPECT_LINE(t, "bU1DevExitLat: 10 us");
	EXPECT_LINE(t, "wU2DevExitLat: 2047 us");
	EXPECT_LINE(t, "bDevCapabilityType: 0x0a (SuperSpeedPlus)");
	EXPECT_LINE(t, "bmAttributes: 0x00000001 (2 sublink speed attributes, 1 sublink speed IDs)");
	EXPECT_LINE(t, "wFunctionalitySupport: 0x1100 (minimum SSID 0, 1 RX lanes, 1 TX lanes)");
	EXPECT_LINE(t, "bmSublinkSpeedAttr[0]: 0x000a4030 (SSID 0, 10 Gb/s, symmetric RX, SuperSpeedPlus)");
	EXPECT_LINE(t, "bmSublinkSpeedAttr[1]: 0x000a40b0 (SSID 0, 10 Gb/s, symmetric TX, SuperSpeedPlus)");

	/* a container ID capability */
	static const uint8_t cid[] = { 0x05, 0x0f, 0x19, 0x00, 0x01, 0x14, 0x10, 0x04, 0x00, 0x00, 0x11, 0x22, 0x33,
				       0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	t = walk(cid, sizeof(cid));
	EXPECT_LINE(t, "bDevCapabilityType: 0x04 (Container ID)");
	EXPECT_LINE(t, "ContainerID: 00112233-4455-6677-8899-aabbccddeeff");
}

Test(usb_control, describe_strings_iad_qualifier_hid)
{
	const char *t;
	static const uint8_t iad_hid[] = {
		0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x04,          /* IAD: interfaces 0-1, CDC ACM */
		0x09, 0x04, 0x02, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,    /* HID boot keyboard */
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,    /* HID 1.11, report descriptor 63 bytes */
		0x07, 0x05, 0x83, 0x03, 0x08, 0x00, 0x0a,
	};
	static const uint8_t qual[] = { 0x0a, 0x06, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00 };

	t = describe(SETUP(0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xff, 0), bot_str2, sizeof(bot_str2));
	EXPECT_LINE(t, "wIndex: 0x0409 (language 0x0409)");
	EXPECT_LINE(t, "bString: \"QEMU USB HARDDRIVE\"");
	t = describe(SETUP(0x80, 0x06, 0x00, 0x03, 0, 0, 0xff, 0), bot_str0, sizeof(bot_str0));
	EXPECT_LINE(t, "wLANGID[0]: 0x0409");
	t = describe(SETUP(0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 2, 0), sd_str3, 2);
	EXPECT_LINE(t, "[first 2 of 24 bytes: the request asked for 2]");

	t = walk(iad_hid, sizeof(iad_hid));
	EXPECT_LINE(t, "INTERFACE_ASSOCIATION descriptor");
	EXPECT_LINE(t, "bFirstInterface: 0");
	EXPECT_LINE(t, "bInterfaceCount: 2");
	EXPECT_LINE(t, "bFunctionClass: 0x02 (Communications (CDC))");
	EXPECT_LINE(t, "iFunction: 4");
	EXPECT_LINE(t, "HID descriptor");
	EXPECT_LINE(t, "bcdHID: 0x0111 (1.11)");
	EXPECT_LINE(t, "bCountryCode: 0");
	EXPECT_LINE(t, "bDescriptorType[0]: 0x22 (HID_REPORT), wDescriptorLength: 63");
	EXPECT_LINE(t, "bmAttributes: 0x03 (interrupt, periodic)");
	cr_assert(strstr(t, "bInterval: 10 (every 2^9") != NULL, "%s", t);

	t = walk(qual, sizeof(qual));
	EXPECT_LINE(t, "DEVICE_QUALIFIER descriptor");
	EXPECT_LINE(t, "bcdUSB: 0x0200 (2.00)");
	EXPECT_LINE(t, "bMaxPacketSize0: 64");
	EXPECT_LINE(t, "bNumConfigurations: 1");
}

Test(usb_control, describe_class_requests)
{
	const char *t;

	t = describe(SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 1 }, 1);
	EXPECT_LINE(t, "bRequest: 0xfe (GET MAX LUN)");
	EXPECT_LINE(t, "wIndex: 0x0000 (interface 0)");
	EXPECT_LINE(t, "max LUN: 1 (2 logical units)");

	t = describe(SETUP(0xa3, 0x00, 0, 0, 2, 0, 4, 0), ((const uint8_t[]){ 0x03, 0x05, 0x10, 0x00 }), 4);
	EXPECT_LINE(t, "bmRequestType: 0xa3 (device-to-host, class, other)");
	EXPECT_LINE(t, "wIndex: 0x0002 (port 2)");
	EXPECT_LINE(t, "port status (USB 2.0 layout):");
	EXPECT_LINE(t, "wPortStatus: 0x0503 (connection enabled power high-speed)");
	EXPECT_LINE(t, "wPortChange: 0x0010 (reset)");

	t = describe(SETUP(0x23, 0x03, 0x04, 0, 1, 0, 0, 0), NULL, 0);
	EXPECT_LINE(t, "wValue: 0x0004 (feature PORT_RESET)");
	EXPECT_LINE(t, "wIndex: 0x0001 (port 1)");

	t = describe(SETUP(0x21, 0x20, 0, 0, 0, 0, 7, 0), ((const uint8_t[]){ 0x00, 0xc2, 0x01, 0x00, 0, 0, 8 }), 7);
	EXPECT_LINE(t, "dwDTERate: 115200");
	EXPECT_LINE(t, "bCharFormat: 0 (1 stop bits)");
	EXPECT_LINE(t, "bParityType: 0 (N)");
	EXPECT_LINE(t, "bDataBits: 8");

	t = describe(SETUP(0x21, 0x0a, 0, 0x7d, 0, 0, 0, 0), NULL, 0);
	EXPECT_LINE(t, "wValue: 0x7d00 (duration 500 ms, report id 0)");

	t = describe(SETUP(0x02, 0x01, 0, 0, 0x81, 0, 0, 0), NULL, 0);
	EXPECT_LINE(t, "wValue: 0x0000 (feature ENDPOINT_HALT)");
	EXPECT_LINE(t, "wIndex: 0x0081 (endpoint 0x81)");

	t = describe(SETUP(0x01, 0x0b, 1, 0, 0, 0, 0, 0), NULL, 0);
	EXPECT_LINE(t, "wValue: 0x0001 (alternate setting 1)");
	EXPECT_LINE(t, "wIndex: 0x0000 (interface 0)");

	t = describe(SETUP(0xc0, 0x33, 0, 0, 0, 0, 20, 0), bot_str3, 20);
	EXPECT_LINE(t, "data (20 bytes):");
	EXPECT_LINE(t, "0000: 14 03 53 00 53 00 42 00 4f 00 54 00 30 00 30 00");
	EXPECT_LINE(t, "0010: 30 00 31 00");
}

/* ----------------------------------------------------- damaged sets */

Test(usb_control, damaged_descriptor_sets)
{
	uint8_t buf[64];
	const char *t;

	/* bLength 0 inside the set: described up to it, flagged, no loop */
	memcpy(buf, bot_cfg, sizeof(bot_cfg));
	buf[18] = 0;              /* the first endpoint descriptor */
	t = walk(buf, sizeof(bot_cfg));
	EXPECT_LINE(t, "INTERFACE descriptor 0.0");
	EXPECT_LINE(t, "[descriptor at offset 18 has bLength 0 (type 0x05): the set is damaged, stopping here]");
	cr_assert_eq(count(t, "ENDPOINT descriptor"), 0);

	/* bLength 1 */
	buf[18] = 1;
	t = walk(buf, sizeof(bot_cfg));
	cr_assert(strstr(t, "has bLength 1") != NULL, "%s", t);

	/* bLength beyond the buffer */
	memcpy(buf, bot_cfg, sizeof(bot_cfg));
	buf[25] = 60;             /* the second endpoint claims 60 bytes, 7 are left */
	t = walk(buf, sizeof(bot_cfg));
	cr_assert_eq(count(t, "ENDPOINT descriptor"), 2);
	EXPECT_LINE(t, "bLength: 60");
	EXPECT_LINE(t, "bInterval: 0");
	EXPECT_LINE(t, "[truncated: 7 of 60 bytes present, fields from offset 7 missing]");

	/* the set cut in the middle of a descriptor */
	t = walk(bot_cfg, 22);
	EXPECT_LINE(t, "bEndpointAddress: 0x81 (IN endpoint 1)");
	EXPECT_LINE(t, "bmAttributes: 0x02 (bulk)");
	cr_assert_eq(count(t, "wMaxPacketSize"), 0);
	EXPECT_LINE(t, "[truncated: 4 of 7 bytes present, fields from offset 4 missing]");

	/* one stray byte */
	t = walk(bot_cfg, 10);
	EXPECT_LINE(t, "[1 stray byte at offset 9: truncated descriptor]");

	/* a descriptor shorter than its type needs */
	memcpy(buf, bot_cfg, sizeof(bot_cfg));
	buf[9] = 5;               /* interface descriptor of 5 bytes, then garbage */
	t = walk(buf, 14);
	EXPECT_LINE(t, "bNumEndpoints: 2");
	EXPECT_LINE(t, "[short: bLength 5 ends before the field at offset 5]");

	/* a truncated summary never reads past the end */
	cr_assert_str_eq(summary(SETUP(0x80, 0x06, 0x00, 0x02, 0, 0, 32, 0), buf, 2), "GET_DESCRIPTOR CONFIGURATION len=32");
	cr_assert_str_eq(summary(SETUP(0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0), bot_dev, 3), "GET_DESCRIPTOR DEVICE len=18");
}

/* Random bytes through every entry point: no crash, no overread (run
 * under the sanitizers), always a terminated string. */
Test(usb_control, random_bytes)
{
	uint32_t x = 0x12345678;
	uint8_t setup[8];
	char out[40];

	for (unsigned iter = 0; iter < 20000; iter++) {
		size_t len = 0;
		uint8_t *buf;
		struct strbuf sb = STRBUF_INIT;

		x = x * 1103515245u + 12345u;
		len = (x >> 16) % 80;
		buf = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 20);
			/* plausible descriptor headers now and then */
			if (i % 9 == 0 && (x & 0x300))
				buf[i] = (uint8_t)((x >> 8) % 12);
		}
		for (int i = 0; i < 8; i++) {
			x = x * 1103515245u + 12345u;
			setup[i] = (uint8_t)(x >> 16);
		}
		if (iter & 1) {
			setup[1] = 6;
			setup[3] = (uint8_t)(iter % 16);
			setup[0] &= 0x9f;
		}
		usb_control_summary(&sb, setup, buf, len);
		usb_control_describe(&sb, setup, buf, len, " ");
		usb_descriptors_describe(&sb, buf, len, "");
		usb_string_descriptor(buf, len, out, (iter % sizeof(out)) + 1);
		cr_assert(memchr(out, 0, sizeof(out)) != NULL);
		cr_assert_eq(strlen(sb.buf), sb.len);
		sb_release(&sb);
		free(buf);
	}
}

/* ------------------------------------------------- string descriptors */

Test(usb_control, string_descriptor_decoding)
{
	char out[64];
	static const uint8_t emoji[] = { 0x0a, 0x03, 'a', 0, 0x3d, 0xd8, 0x00, 0xde, 0xe9, 0x00 };   /* a U+1F600 é */
	static const uint8_t lone[] = { 0x08, 0x03, 0x00, 0xd8, 'x', 0, 0x00, 0xdc };                /* lone surrogates */
	static const uint8_t ctl[] = { 0x08, 0x03, 'a', 0, 0x07, 0, 0x00, 0x00 };                    /* BEL, NUL padding */
	static const uint8_t odd[] = { 0x05, 0x03, 'o', 0, 'k' };

	cr_assert(usb_string_descriptor(bot_str2, sizeof(bot_str2), out, sizeof(out)));
	cr_assert_str_eq(out, "QEMU USB HARDDRIVE");
	cr_assert(usb_string_descriptor(sd_str1, sizeof(sd_str1), out, sizeof(out)));
	cr_assert_str_eq(out, "313933384159343031303930");
	cr_assert(usb_string_descriptor(emoji, sizeof(emoji), out, sizeof(out)));
	cr_assert_str_eq(out, "a\xf0\x9f\x98\x80\xc3\xa9");
	cr_assert(usb_string_descriptor(lone, sizeof(lone), out, sizeof(out)));
	cr_assert_str_eq(out, "\xef\xbf\xbdx\xef\xbf\xbd");
	cr_assert(usb_string_descriptor(ctl, sizeof(ctl), out, sizeof(out)));
	cr_assert_str_eq(out, "a?");
	cr_assert(usb_string_descriptor(odd, sizeof(odd), out, sizeof(out)));
	cr_assert_str_eq(out, "o");
	/* bLength beyond the buffer: what is there */
	cr_assert(usb_string_descriptor(bot_str2, 12, out, sizeof(out)));
	cr_assert_str_eq(out, "QEMU ");
	/* the output is cut on a character boundary and always terminated */
	cr_assert(usb_string_descriptor(emoji, sizeof(emoji), out, 5));
	cr_assert_str_eq(out, "a");
	cr_assert(usb_string_descriptor(bot_str2, sizeof(bot_str2), out, 5));
	cr_assert_str_eq(out, "QEMU");
	/* not a string descriptor */
	cr_assert_not(usb_string_descriptor(bot_dev, sizeof(bot_dev), out, sizeof(out)));
	cr_assert_str_eq(out, "");
	cr_assert_not(usb_string_descriptor(bot_str2, 1, out, sizeof(out)));
	cr_assert_not(usb_string_descriptor((const uint8_t[]){ 0x00, 0x03 }, 2, out, sizeof(out)));
	cr_assert_not(usb_string_descriptor(NULL, 0, out, sizeof(out)));
}
