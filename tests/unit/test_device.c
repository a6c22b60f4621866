/* test_device.c - the device model: enumeration, strings, configurations, alternate settings, endpoint routes, role inference, limits. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/device.h"
#include "decode/usb_control.h"
#include "usb_fixtures.h"

static uint64_t frame_no;

/* A completed URB; its payload copied to a heap buffer of exactly len
 * bytes (so an overread shows under the sanitizers). */
static struct urb mk(uint16_t bus, uint16_t dev, uint8_t ep, uint8_t xfer, const uint8_t *data, uint32_t len,
		     int32_t status)
{
	struct urb u;
	uint8_t *copy = NULL;

	memset(&u, 0, sizeof(u));
	u.bus = bus;
	u.device = dev;
	u.endpoint = ep;
	u.xfer = xfer;
	u.has_submit = true;
	u.has_complete = true;
	u.submit_frame = ++frame_no;
	u.complete_frame = ++frame_no;
	u.status = status;
	if (len) {
		copy = malloc(len);
		cr_assert_not_null(copy);
		memcpy(copy, data, len);
	}
	u.data = copy;
	u.caplen = len;
	u.moved = len;
	u.actual = len;
	u.requested = len;
	return u;
}

static void done(struct urb *u)
{
	free((void *)u->data);
}

/* A control transfer on endpoint 0, completed with status. */
static void control(struct devtable *t, uint16_t bus, uint16_t dev, const uint8_t setup[8], const uint8_t *data,
		    uint32_t len, int32_t status)
{
	struct urb u = mk(bus, dev, (setup[0] & 0x80) ? 0x80 : 0x00, USB_XFER_CONTROL, data, len, status);

	u.has_setup = true;
	memcpy(u.setup, setup, 8);
	u.requested = usb_setup_wlength(setup);
	devtable_control(t, &u);
	done(&u);
}

#define SETUP(...) ((const uint8_t[8]){ __VA_ARGS__ })
#define GET_DESC(type, idx, lang, len) SETUP(0x80, 0x06, idx, type, (lang) & 0xff, (lang) >> 8, (len) & 0xff, (len) >> 8)
#define SET_CONFIG(v) SETUP(0x00, 0x09, v, 0, 0, 0, 0, 0)
#define SET_INTF(i, a) SETUP(0x01, 0x0b, a, 0, i, 0, 0, 0)

/* A bulk URB for devtable_infer: at submit (OUT payload, IN none) when
 * submit is true, else completed. */
static bool infer(struct devtable *t, uint16_t bus, uint16_t dev, uint8_t ep, const uint8_t *data, uint32_t len,
		  bool submit, struct ep_route *r)
{
	struct urb u = mk(bus, dev, ep, USB_XFER_BULK, data, len, 0);
	bool ok;

	if (submit) {
		u.has_complete = false;
		u.complete_frame = 0;
		if (ep & 0x80) {
			free((void *)u.data);
			u.data = NULL;
			u.caplen = 0;
			u.moved = 0;
		}
	}
	memset(r, 0xee, sizeof(*r));
	ok = devtable_infer(t, &u, r);
	done(&u);
	return ok;
}

/* Route of an endpoint as the glue asks: the model first, then inference. */
static bool route_or_infer(struct devtable *t, uint16_t bus, uint16_t dev, uint8_t ep, const uint8_t *data,
			   uint32_t len, bool submit, struct ep_route *r)
{
	if (devtable_route(t, bus, dev, ep, r))
		return true;
	return infer(t, bus, dev, ep, data, len, submit, r);
}

static void expect_route(struct devtable *t, uint16_t bus, uint16_t dev, uint8_t ep, uint8_t transport, uint8_t role,
			 uint8_t intf, bool inferred, bool streams)
{
	struct ep_route r;

	cr_assert(devtable_route(t, bus, dev, ep, &r), "no route for %u:%u ep 0x%02x", bus, dev, ep);
	cr_assert_eq(r.transport, transport, "ep 0x%02x transport %u, want %u", ep, r.transport, transport);
	cr_assert_eq(r.role, role, "ep 0x%02x role %u, want %u", ep, r.role, role);
	cr_assert_eq(r.interface, intf, "ep 0x%02x interface %u", ep, r.interface);
	cr_assert_eq(r.inferred, inferred, "ep 0x%02x inferred %d", ep, r.inferred);
	cr_assert_eq(r.streams, streams, "ep 0x%02x streams %d", ep, r.streams);
}

static void expect_no_route(struct devtable *t, uint16_t bus, uint16_t dev, uint8_t ep)
{
	struct ep_route r;
	cr_assert_not(devtable_route(t, bus, dev, ep, &r), "unexpected route for ep 0x%02x (role %u)", ep, r.role);
}

/* samples/bot-ehci.pcap frames 44-73, as the host did it. */
static void enumerate_bot(struct devtable *t)
{
	control(t, 1, 0, GET_DESC(1, 0, 0, 64), bot_dev, sizeof(bot_dev), 0);
	control(t, 1, 0, SETUP(0x00, 0x05, 3, 0, 0, 0, 0, 0), NULL, 0, 0);
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), bot_dev, sizeof(bot_dev), 0);
	control(t, 1, 3, GET_DESC(2, 0, 0, 9), bot_cfg9, sizeof(bot_cfg9), 0);
	expect_no_route(t, 1, 3, 0x81);   /* a 9-byte read gives wTotalLength only */
	control(t, 1, 3, GET_DESC(2, 0, 0, 32), bot_cfg, sizeof(bot_cfg), 0);
	control(t, 1, 3, GET_DESC(3, 0, 0, 255), bot_str0, sizeof(bot_str0), 0);
	control(t, 1, 3, GET_DESC(3, 2, 0x0409, 255), bot_str2, sizeof(bot_str2), 0);
	control(t, 1, 3, GET_DESC(3, 1, 0x0409, 255), bot_str1, sizeof(bot_str1), 0);
	control(t, 1, 3, GET_DESC(3, 3, 0x0409, 255), bot_str3, sizeof(bot_str3), 0);
	control(t, 1, 3, SET_CONFIG(1), NULL, 0, 0);
	control(t, 1, 3, SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 0 }, 1, 0);
}

Test(device, bot_enumeration)
{
	struct devtable *t = devtable_new();
	const struct usb_device_info *i;

	cr_assert_null(devtable_info(t, 1, 3));
	cr_assert_null(devtable_at(t, 0));
	enumerate_bot(t);
	i = devtable_info(t, 1, 3);
	cr_assert_not_null(i);
	cr_assert_eq(i->bus, 1);
	cr_assert_eq(i->device, 3);
	cr_assert(i->have_device_desc);
	cr_assert_eq(i->vid, 0x46f4);
	cr_assert_eq(i->pid, 0x0001);
	cr_assert_eq(i->bcd_usb, 0x0200);
	cr_assert_eq(i->bcd_device, 0x0000);
	cr_assert_eq(i->max_packet0, 64);
	cr_assert_eq(i->dev_class, 0);
	cr_assert_str_eq(i->manufacturer, "QEMU");
	cr_assert_str_eq(i->product, "QEMU USB HARDDRIVE");
	cr_assert_str_eq(i->serial, "SSBOT0001");
	cr_assert_eq(i->config, 1);
	cr_assert_eq(i->storage_transport, TRANSPORT_BOT);
	cr_assert_eq(i->storage_interface, 0);
	cr_assert_not(i->roles_inferred);
	cr_assert_eq(i->max_lun, 0);
	/* the address-0 stage is not a device of its own */
	cr_assert_null(devtable_info(t, 1, 0));
	cr_assert_eq(devtable_at(t, 0), i);
	cr_assert_null(devtable_at(t, 1));

	expect_route(t, 1, 3, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	expect_route(t, 1, 3, 0x02, TRANSPORT_BOT, EP_BOT_OUT, 0, false, false);
	expect_no_route(t, 1, 3, 0x01);
	expect_no_route(t, 1, 3, 0x82);
	expect_no_route(t, 1, 4, 0x81);
	expect_no_route(t, 2, 3, 0x81);

	/* a complete, non-matching model: no inference on this device */
	{
		struct ep_route r;
		cr_assert_not(infer(t, 1, 3, 0x04, bot_cbw, sizeof(bot_cbw), true, &r));
	}
	/* unconfigured: no routes */
	control(t, 1, 3, SET_CONFIG(0), NULL, 0, 0);
	cr_assert_eq(devtable_info(t, 1, 3)->config, 0);
	expect_no_route(t, 1, 3, 0x81);
	control(t, 1, 3, SET_CONFIG(1), NULL, 0, 0);
	expect_route(t, 1, 3, 0x02, TRANSPORT_BOT, EP_BOT_OUT, 0, false, false);
	devtable_free(t);
}

Test(device, routes_before_set_configuration)
{
	/* A capture that missed SET_CONFIGURATION still routes by the
	 * configuration it read; failed requests change nothing. */
	struct devtable *t = devtable_new();

	control(t, 1, 3, GET_DESC(2, 0, 0, 32), bot_cfg, sizeof(bot_cfg), 0);
	expect_route(t, 1, 3, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	control(t, 1, 3, SET_CONFIG(0), NULL, 0, -32);
	expect_route(t, 1, 3, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	cr_assert_eq(devtable_info(t, 1, 3)->config, 0);
	cr_assert_not(devtable_info(t, 1, 3)->have_device_desc);
	devtable_free(t);
}

Test(device, max_lun)
{
	struct devtable *t = devtable_new();

	control(t, 1, 5, GET_DESC(1, 0, 0, 18), bot_dev, sizeof(bot_dev), 0);
	cr_assert_eq(devtable_info(t, 1, 5)->max_lun, 0xff);
	control(t, 1, 5, SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 3 }, 1, 0);
	cr_assert_eq(devtable_info(t, 1, 5)->max_lun, 3);
	/* BOT 1.0 3.2: a device with one LUN may STALL the request */
	control(t, 1, 6, SETUP(0xa1, 0xfe, 0, 0, 0, 0, 1, 0), NULL, 0, -32);
	cr_assert_eq(devtable_info(t, 1, 6)->max_lun, 0);
	devtable_free(t);
}

/* XHC1-SanDiskExtremePortableSSD.pcapng frames 1-28: strings read as a
 * 2-byte header and then whole, BOS, configuration with alt 0 BOT and
 * alt 1 UAS, SET_CONFIGURATION 1, SET_INTERFACE alt 1. */
static void enumerate_sandisk(struct devtable *t, bool set_interface)
{
	control(t, 1, 4, GET_DESC(1, 0, 0, 18), sd_dev, sizeof(sd_dev), 0);
	control(t, 1, 4, GET_DESC(3, 3, 0x0409, 2), sd_str3, 2, 0);
	control(t, 1, 4, GET_DESC(3, 3, 0x0409, 24), sd_str3, sizeof(sd_str3), 0);
	control(t, 1, 4, GET_DESC(3, 2, 0x0409, 2), sd_str2, 2, 0);
	control(t, 1, 4, GET_DESC(3, 2, 0x0409, 16), sd_str2, sizeof(sd_str2), 0);
	control(t, 1, 4, GET_DESC(3, 1, 0x0409, 2), sd_str1, 2, 0);
	control(t, 1, 4, GET_DESC(3, 1, 0x0409, 50), sd_str1, sizeof(sd_str1), 0);
	control(t, 1, 4, GET_DESC(0x0f, 0, 0, 5), sd_bos, 5, 0);
	control(t, 1, 4, GET_DESC(0x0f, 0, 0, 42), sd_bos, sizeof(sd_bos), 0);
	control(t, 1, 4, GET_DESC(2, 0, 0, 9), sd_cfg, 9, 0);
	control(t, 1, 4, GET_DESC(2, 0, 0, 121), sd_cfg, sizeof(sd_cfg), 0);
	control(t, 1, 4, SET_CONFIG(1), NULL, 0, 0);
	control(t, 1, 4, SETUP(0x81, 0x00, 0, 0, 0, 0, 2, 0), ((const uint8_t[]){ 0, 0 }), 2, 0);
	if (set_interface)
		control(t, 1, 4, SET_INTF(0, 1), NULL, 0, 0);
}

Test(device, uas_alternate_settings)
{
	struct devtable *t = devtable_new();
	const struct usb_device_info *i;

	enumerate_sandisk(t, false);
	i = devtable_info(t, 1, 4);
	cr_assert_str_eq(i->manufacturer, "SanDisk");
	cr_assert_str_eq(i->product, "Extreme SSD");
	cr_assert_str_eq(i->serial, "313933384159343031303930");
	cr_assert_eq(i->vid, 0x0781);
	cr_assert_eq(i->pid, 0x558c);
	cr_assert_eq(i->bcd_usb, 0x0310);
	cr_assert_eq(i->bcd_device, 0x1012);
	cr_assert_eq(i->max_packet0, 9);
	cr_assert_eq(i->config, 1);

	/* alternate setting 0 until SET_INTERFACE: Bulk-Only on 0x81/0x02 */
	cr_assert_eq(i->storage_transport, TRANSPORT_BOT);
	expect_route(t, 1, 4, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	expect_route(t, 1, 4, 0x02, TRANSPORT_BOT, EP_BOT_OUT, 0, false, false);
	expect_no_route(t, 1, 4, 0x83);
	expect_no_route(t, 1, 4, 0x04);

	/* a failed SET_INTERFACE changes nothing */
	control(t, 1, 4, SET_INTF(0, 1), NULL, 0, -32);
	expect_route(t, 1, 4, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);

	/* alt 1: UAS, roles from the Pipe Usage descriptors; streams on the
	 * interface (the companions of 0x81, 0x02, 0x83 say MaxStreams 5) */
	control(t, 1, 4, SET_INTF(0, 1), NULL, 0, 0);
	cr_assert_eq(i->storage_transport, TRANSPORT_UAS);
	cr_assert_eq(i->storage_interface, 0);
	expect_route(t, 1, 4, 0x81, TRANSPORT_UAS, EP_UAS_DATA_IN, 0, false, true);
	expect_route(t, 1, 4, 0x02, TRANSPORT_UAS, EP_UAS_DATA_OUT, 0, false, true);
	expect_route(t, 1, 4, 0x83, TRANSPORT_UAS, EP_UAS_STATUS, 0, false, true);
	expect_route(t, 1, 4, 0x04, TRANSPORT_UAS, EP_UAS_COMMAND, 0, false, true);
	cr_assert_not(i->roles_inferred);

	/* back to alt 0, and SET_CONFIGURATION resets every interface to alt 0 */
	control(t, 1, 4, SET_INTF(0, 0), NULL, 0, 0);
	expect_route(t, 1, 4, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	expect_no_route(t, 1, 4, 0x04);
	control(t, 1, 4, SET_INTF(0, 1), NULL, 0, 0);
	expect_route(t, 1, 4, 0x04, TRANSPORT_UAS, EP_UAS_COMMAND, 0, false, true);
	control(t, 1, 4, SET_CONFIG(1), NULL, 0, 0);
	expect_route(t, 1, 4, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	/* a setting that does not exist: no routes on that interface */
	control(t, 1, 4, SET_INTF(0, 7), NULL, 0, 0);
	expect_no_route(t, 1, 4, 0x81);
	/* GET_INTERFACE answers count too */
	control(t, 1, 4, SETUP(0x81, 0x0a, 0, 0, 0, 0, 1, 0), (const uint8_t[]){ 1 }, 1, 0);
	expect_route(t, 1, 4, 0x83, TRANSPORT_UAS, EP_UAS_STATUS, 0, false, true);
	devtable_free(t);
}

Test(device, uas_missed_set_interface)
{
	/* The capture lost SET_INTERFACE: traffic on an endpoint only alt 1
	 * has switches the model, and says the roles are inferred. */
	struct devtable *t = devtable_new();
	struct ep_route r;

	enumerate_sandisk(t, false);
	expect_no_route(t, 1, 4, 0x83);
	cr_assert(infer(t, 1, 4, 0x83, NULL, 0, true, &r));
	cr_assert_eq(r.transport, TRANSPORT_UAS);
	cr_assert_eq(r.role, EP_UAS_STATUS);
	cr_assert(r.inferred);
	cr_assert(r.streams);
	expect_route(t, 1, 4, 0x04, TRANSPORT_UAS, EP_UAS_COMMAND, 0, true, true);
	cr_assert(devtable_info(t, 1, 4)->roles_inferred);
	/* an endpoint no alternate setting has: nothing */
	cr_assert_not(infer(t, 1, 4, 0x85, NULL, 0, true, &r));
	/* the real SET_INTERFACE makes the roles certain again */
	control(t, 1, 4, SET_INTF(0, 1), NULL, 0, 0);
	expect_route(t, 1, 4, 0x04, TRANSPORT_UAS, EP_UAS_COMMAND, 0, false, true);
	devtable_free(t);
}

Test(device, uas_high_speed_and_streams)
{
	struct devtable *t = devtable_new();

	/* samples/uas-ehci.pcap: UAS in alt 0, no companions: no streams */
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), uas_ehci_dev, sizeof(uas_ehci_dev), 0);
	control(t, 1, 3, GET_DESC(2, 0, 0, 62), uas_ehci_cfg, sizeof(uas_ehci_cfg), 0);
	control(t, 1, 3, SET_CONFIG(1), NULL, 0, 0);
	control(t, 1, 3, SET_INTF(0, 0), NULL, 0, 0);
	expect_route(t, 1, 3, 0x01, TRANSPORT_UAS, EP_UAS_COMMAND, 0, false, false);
	expect_route(t, 1, 3, 0x82, TRANSPORT_UAS, EP_UAS_STATUS, 0, false, false);
	expect_route(t, 1, 3, 0x83, TRANSPORT_UAS, EP_UAS_DATA_IN, 0, false, false);
	expect_route(t, 1, 3, 0x04, TRANSPORT_UAS, EP_UAS_DATA_OUT, 0, false, false);
	cr_assert_eq(devtable_info(t, 1, 3)->vid, 0x46f4);
	cr_assert_eq(devtable_info(t, 1, 3)->pid, 0x0003);

	/* samples/uas-xhci.pcap: SuperSpeed companions, MaxStreams 4 */
	control(t, 2, 3, GET_DESC(1, 0, 0, 8), uas_xhci_dev8, sizeof(uas_xhci_dev8), 0);
	cr_assert_not(devtable_info(t, 2, 3)->have_device_desc);
	cr_assert_eq(devtable_info(t, 2, 3)->bcd_usb, 0x0300);
	cr_assert_eq(devtable_info(t, 2, 3)->max_packet0, 9);
	control(t, 2, 3, SETUP(0x00, 0x31, 0x28, 0, 0, 0, 0, 0), NULL, 0, 0);
	control(t, 2, 3, GET_DESC(1, 0, 0, 18), uas_xhci_dev, sizeof(uas_xhci_dev), 0);
	cr_assert(devtable_info(t, 2, 3)->have_device_desc);
	control(t, 2, 3, GET_DESC(0x0f, 0, 0, 22), uas_xhci_bos, sizeof(uas_xhci_bos), 0);
	control(t, 2, 3, GET_DESC(2, 0, 0, 86), uas_xhci_cfg, sizeof(uas_xhci_cfg), 0);
	control(t, 2, 3, SET_CONFIG(1), NULL, 0, 0);
	expect_route(t, 2, 3, 0x01, TRANSPORT_UAS, EP_UAS_COMMAND, 0, false, true);
	expect_route(t, 2, 3, 0x82, TRANSPORT_UAS, EP_UAS_STATUS, 0, false, true);
	expect_route(t, 2, 3, 0x83, TRANSPORT_UAS, EP_UAS_DATA_IN, 0, false, true);
	expect_route(t, 2, 3, 0x04, TRANSPORT_UAS, EP_UAS_DATA_OUT, 0, false, true);
	/* two devices, first-seen order */
	cr_assert_eq(devtable_at(t, 0)->bus, 1);
	cr_assert_eq(devtable_at(t, 1)->bus, 2);
	cr_assert_null(devtable_at(t, 2));
	devtable_free(t);
}

Test(device, strings)
{
	struct devtable *t = devtable_new();
	const struct usb_device_info *i;

	/* strings before the device descriptor are kept until it names them */
	control(t, 1, 3, GET_DESC(3, 2, 0x0409, 255), bot_str2, 32, 0);   /* cut: usbmon text keeps 32 bytes */
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), bot_dev, sizeof(bot_dev), 0);
	i = devtable_info(t, 1, 3);
	cr_assert_str_eq(i->product, "QEMU USB HARDDR...");
	cr_assert_str_eq(i->manufacturer, "");
	control(t, 1, 3, GET_DESC(3, 2, 0x0409, 255), bot_str2, sizeof(bot_str2), 0);
	cr_assert_str_eq(i->product, "QEMU USB HARDDRIVE");
	/* a later partial read does not replace a whole string */
	control(t, 1, 3, GET_DESC(3, 2, 0x0409, 255), bot_str2, 20, 0);
	cr_assert_str_eq(i->product, "QEMU USB HARDDRIVE");
	/* a failed read neither */
	control(t, 1, 3, GET_DESC(3, 1, 0x0409, 255), bot_str1, sizeof(bot_str1), -71);
	cr_assert_str_eq(i->manufacturer, "");
	/* not a string descriptor */
	control(t, 1, 3, GET_DESC(3, 1, 0x0409, 255), bot_dev, sizeof(bot_dev), 0);
	cr_assert_str_eq(i->manufacturer, "");
	control(t, 1, 3, GET_DESC(3, 1, 0x0409, 255), bot_str1, sizeof(bot_str1), 0);
	cr_assert_str_eq(i->manufacturer, "QEMU");
	devtable_free(t);
}

Test(device, set_address_and_reset)
{
	struct devtable *t = devtable_new();
	uint8_t other[18];

	enumerate_bot(t);
	cr_assert_eq(devtable_info(t, 1, 3)->max_lun, 0);
	/* a port reset: the same device addressed again at 3 (Linux
	 * usb_reset_device): one entry, its identity kept, its state reset */
	control(t, 1, 0, GET_DESC(1, 0, 0, 64), bot_dev, sizeof(bot_dev), 0);
	control(t, 1, 0, SETUP(0x00, 0x05, 3, 0, 0, 0, 0, 0), NULL, 0, 0);
	expect_no_route(t, 1, 3, 0x81);   /* nothing carried over until it is known again */
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), bot_dev, sizeof(bot_dev), 0);
	cr_assert_null(devtable_at(t, 1));
	cr_assert_str_eq(devtable_info(t, 1, 3)->product, "QEMU USB HARDDRIVE");
	cr_assert_eq(devtable_info(t, 1, 3)->config, 0);
	control(t, 1, 3, SET_CONFIG(1), NULL, 0, 0);
	expect_route(t, 1, 3, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);

	/* another device gets address 3: a new entry */
	memcpy(other, bot_dev, sizeof(other));
	other[10] = 0x02;                 /* idProduct 0002 */
	control(t, 1, 0, SETUP(0x00, 0x05, 3, 0, 0, 0, 0, 0), NULL, 0, 0);
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), other, sizeof(other), 0);
	cr_assert_eq(devtable_info(t, 1, 3)->pid, 0x0002);
	cr_assert_str_eq(devtable_info(t, 1, 3)->product, "");
	cr_assert_eq(devtable_info(t, 1, 3)->max_lun, 0xff);
	cr_assert_eq(devtable_at(t, 0)->pid, 0x0001);   /* the first one is still listed */
	cr_assert_eq(devtable_at(t, 1)->pid, 0x0002);
	cr_assert_null(devtable_at(t, 2));

	/* a different device descriptor at an address without SET_ADDRESS
	 * (xHCI addresses devices itself) also starts over */
	other[10] = 0x05;
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), other, sizeof(other), 0);
	cr_assert_eq(devtable_info(t, 1, 3)->pid, 0x0005);
	cr_assert_eq(devtable_at(t, 2)->pid, 0x0005);
	devtable_free(t);
}

Test(device, forget)
{
	struct devtable *t = devtable_new();

	enumerate_bot(t);
	devtable_forget(t, 1, 3);
	cr_assert_null(devtable_info(t, 1, 3));
	expect_no_route(t, 1, 3, 0x81);
	cr_assert_not_null(devtable_at(t, 0));    /* still listed for --summary */
	cr_assert_eq(devtable_at(t, 0)->vid, 0x46f4);
	devtable_forget(t, 1, 3);                 /* twice: nothing */
	devtable_forget(t, 9, 9);
	devtable_free(t);
}

/* ------------------------------------------------------------ inference */

Test(device, infer_bot)
{
	struct devtable *t = devtable_new();
	struct ep_route r;
	uint8_t junk[31];
	const struct usb_device_info *i;

	/* a 31-byte OUT that is not a CBW */
	memset(junk, 0x55, sizeof(junk));
	cr_assert_not(infer(t, 1, 3, 0x02, junk, sizeof(junk), true, &r));
	/* a CBW cut short or too long is not evidence */
	cr_assert_not(infer(t, 1, 3, 0x02, bot_cbw, 30, true, &r));
	/* samples/bot-ehci.pcap frame 74: the INQUIRY CBW */
	cr_assert(route_or_infer(t, 1, 3, 0x02, bot_cbw, sizeof(bot_cbw), true, &r));
	cr_assert_eq(r.transport, TRANSPORT_BOT);
	cr_assert_eq(r.role, EP_BOT_OUT);
	cr_assert(r.inferred);
	cr_assert_not(r.streams);
	/* the data-in URB's submit: the only bulk IN of the device */
	cr_assert(route_or_infer(t, 1, 3, 0x81, NULL, 0, true, &r));
	cr_assert_eq(r.role, EP_BOT_IN);
	cr_assert(r.inferred);
	expect_route(t, 1, 3, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, true, false);
	expect_route(t, 1, 3, 0x02, TRANSPORT_BOT, EP_BOT_OUT, 0, true, false);
	i = devtable_info(t, 1, 3);
	cr_assert(i->roles_inferred);
	cr_assert_eq(i->storage_transport, TRANSPORT_BOT);
	cr_assert_not(i->have_device_desc);
	/* other endpoints stay unknown */
	cr_assert_not(route_or_infer(t, 1, 3, 0x83, bot_csw, sizeof(bot_csw), false, &r));
	devtable_free(t);
}

Test(device, infer_bot_in_from_csw)
{
	/* Two bulk IN endpoints seen before the CBW: the CSW decides. */
	struct devtable *t = devtable_new();
	struct ep_route r;

	cr_assert_not(infer(t, 1, 7, 0x83, bot_inq, sizeof(bot_inq), false, &r));
	cr_assert_not(infer(t, 1, 7, 0x81, bot_inq, sizeof(bot_inq), false, &r));
	cr_assert(infer(t, 1, 7, 0x02, bot_cbw, sizeof(bot_cbw), true, &r));
	expect_no_route(t, 1, 7, 0x81);            /* ambiguous: no guess */
	expect_no_route(t, 1, 7, 0x83);
	cr_assert_not(infer(t, 1, 7, 0x83, bot_inq, sizeof(bot_inq), false, &r));
	cr_assert(infer(t, 1, 7, 0x81, bot_csw, sizeof(bot_csw), false, &r));
	cr_assert_eq(r.role, EP_BOT_IN);
	expect_route(t, 1, 7, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, true, false);
	expect_no_route(t, 1, 7, 0x83);

	/* a CSW seen before the CBW (capture started mid-command) */
	cr_assert_not(infer(t, 1, 8, 0x85, bot_csw, sizeof(bot_csw), false, &r));
	cr_assert_not(infer(t, 1, 8, 0x86, bot_inq, sizeof(bot_inq), false, &r));
	cr_assert(infer(t, 1, 8, 0x01, bot_cbw, sizeof(bot_cbw), true, &r));
	expect_route(t, 1, 8, 0x85, TRANSPORT_BOT, EP_BOT_IN, 0, true, false);
	devtable_free(t);
}

Test(device, infer_uas)
{
	/* The Darwin capture's UAS traffic (frames 29-38) without its
	 * enumeration, in the order the host submitted it. */
	struct devtable *t = devtable_new();
	struct ep_route r;
	static const uint8_t rc10[8] = { 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00 };   /* looks like a Response IU, tag 0 */
	const struct usb_device_info *i;

	cr_assert_not(route_or_infer(t, 1, 4, 0x83, NULL, 0, true, &r));           /* status submit: nothing yet */
	cr_assert(route_or_infer(t, 1, 4, 0x04, sd_cmd_tur, sizeof(sd_cmd_tur), true, &r));
	cr_assert_eq(r.transport, TRANSPORT_UAS);
	cr_assert_eq(r.role, EP_UAS_COMMAND);
	cr_assert(r.inferred);
	/* data looking like a Response IU whose tag no command had */
	cr_assert_not(route_or_infer(t, 1, 4, 0x81, rc10, sizeof(rc10), false, &r));
	/* the Sense IU of TEST UNIT READY, tag 0x001f: the status pipe */
	cr_assert(route_or_infer(t, 1, 4, 0x83, sd_sense_tur, sizeof(sd_sense_tur), false, &r));
	cr_assert_eq(r.role, EP_UAS_STATUS);
	cr_assert(r.inferred);
	/* then the data pipes, the remaining bulk endpoints */
	cr_assert(route_or_infer(t, 1, 4, 0x81, NULL, 0, true, &r));
	cr_assert_eq(r.role, EP_UAS_DATA_IN);
	cr_assert(route_or_infer(t, 1, 4, 0x02, sd_inq, sizeof(sd_inq), true, &r));
	cr_assert_eq(r.role, EP_UAS_DATA_OUT);
	expect_route(t, 1, 4, 0x04, TRANSPORT_UAS, EP_UAS_COMMAND, 0, true, false);
	expect_route(t, 1, 4, 0x83, TRANSPORT_UAS, EP_UAS_STATUS, 0, true, false);
	expect_route(t, 1, 4, 0x81, TRANSPORT_UAS, EP_UAS_DATA_IN, 0, true, false);
	expect_route(t, 1, 4, 0x02, TRANSPORT_UAS, EP_UAS_DATA_OUT, 0, true, false);
	/* no more data pipes than one per direction */
	cr_assert_not(route_or_infer(t, 1, 4, 0x85, NULL, 0, true, &r));
	i = devtable_info(t, 1, 4);
	cr_assert(i->roles_inferred);
	cr_assert_eq(i->storage_transport, TRANSPORT_UAS);
	devtable_free(t);
}

Test(device, infer_uas_needs_matching_tags)
{
	struct devtable *t = devtable_new();
	struct ep_route r;
	uint8_t cmd[32], sense[16], bad[32];

	memcpy(cmd, sd_cmd_tur, sizeof(cmd));
	memcpy(sense, sd_sense_ok, sizeof(sense));
	sense[3] = 0x20;                          /* tag 0x0020; the command had 0x001f */
	cr_assert(infer(t, 2, 9, 0x01, cmd, sizeof(cmd), true, &r));
	/* the command pipe answers through inference until the status pipe is known */
	expect_no_route(t, 2, 9, 0x01);
	cr_assert_not(infer(t, 2, 9, 0x82, sense, sizeof(sense), false, &r));
	/* a second command with tag 0x0020 on the (inferred) command pipe */
	cmd[3] = 0x20;
	cr_assert(route_or_infer(t, 2, 9, 0x01, cmd, sizeof(cmd), true, &r));
	cr_assert_eq(r.role, EP_UAS_COMMAND);
	cr_assert(infer(t, 2, 9, 0x82, sense, sizeof(sense), false, &r));
	cr_assert_eq(r.role, EP_UAS_STATUS);
	expect_route(t, 2, 9, 0x01, TRANSPORT_UAS, EP_UAS_COMMAND, 0, true, false);

	/* IU structure is checked: a reserved byte set, a length that does
	 * not fit the additional CDB length, a bad task attribute */
	memcpy(bad, sd_cmd_tur, sizeof(bad));
	bad[1] = 1;
	cr_assert_not(infer(t, 3, 1, 0x01, bad, sizeof(bad), true, &r));
	memcpy(bad, sd_cmd_tur, sizeof(bad));
	bad[6] = 1 << 2;                          /* 4 more CDB bytes announced, 32 sent */
	cr_assert_not(infer(t, 3, 1, 0x01, bad, sizeof(bad), true, &r));
	memcpy(bad, sd_cmd_tur, sizeof(bad));
	bad[4] = 3;
	cr_assert_not(infer(t, 3, 1, 0x01, bad, sizeof(bad), true, &r));
	cr_assert_not(infer(t, 3, 1, 0x01, sd_cmd_tur, 31, true, &r));
	cr_assert_eq(devtable_info(t, 3, 1)->storage_transport, TRANSPORT_NONE);
	cr_assert_not(devtable_info(t, 3, 1)->roles_inferred);
	devtable_free(t);
}

/* UAS 1.0 6.2: a Command IU with the given tag and opcode. */
static void uas_cmd(uint8_t *b, uint16_t tag, uint8_t op)
{
	memset(b, 0, 32);
	b[0] = 0x01;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
	b[16] = op;
}

/* UAS 1.0 6.2.5: a Sense IU with status GOOD and no sense data. */
static void uas_sense_good(uint8_t *b, uint16_t tag)
{
	memset(b, 0, 16);
	b[0] = 0x03;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
}

/* samples/uas-xhci.usbmon.txt lines 59-64 (streams, the descriptors cut
 * to 32 bytes): the INQUIRY data completes on 0x83 before the Sense IU on
 * 0x82 shows which pipe is the status pipe.  Bytes that cannot begin a
 * status pipe IU make 0x83 the data-in pipe. */
Test(device, infer_uas_data_in_before_status)
{
	struct devtable *t = devtable_new();
	struct ep_route r;
	uint8_t cmd[32], sense[16], iu_like[16];
	struct urb u;

	uas_cmd(cmd, 1, 0x12);
	uas_sense_good(sense, 1);
	cr_assert_not(route_or_infer(t, 2, 3, 0x82, NULL, 0, true, &r));
	cr_assert_not(route_or_infer(t, 2, 3, 0x83, NULL, 0, true, &r));
	cr_assert(route_or_infer(t, 2, 3, 0x01, cmd, sizeof(cmd), true, &r));
	cr_assert_eq(r.role, EP_UAS_COMMAND);
	/* a stalled or empty completion proves nothing */
	u = mk(2, 3, 0x83, USB_XFER_BULK, NULL, 0, -32);
	cr_assert_not(devtable_infer(t, &u, &r));
	/* the INQUIRY data (peripheral type 0, not an IU ID) */
	cr_assert(route_or_infer(t, 2, 3, 0x83, bot_inq, sizeof(bot_inq), false, &r));
	cr_assert_eq(r.transport, TRANSPORT_UAS);
	cr_assert_eq(r.role, EP_UAS_DATA_IN);
	cr_assert(r.inferred);
	/* the Sense IU with the command's tag: the status pipe */
	cr_assert(route_or_infer(t, 2, 3, 0x82, sense, sizeof(sense), false, &r));
	cr_assert_eq(r.role, EP_UAS_STATUS);
	expect_route(t, 2, 3, 0x01, TRANSPORT_UAS, EP_UAS_COMMAND, 0, true, false);
	expect_route(t, 2, 3, 0x83, TRANSPORT_UAS, EP_UAS_DATA_IN, 0, true, false);
	devtable_free(t);

	/* bytes that could begin a status pipe IU (here a Sense IU whose
	 * length does not fit) are not taken for data */
	t = devtable_new();
	memcpy(iu_like, sense, sizeof(iu_like));
	iu_like[15] = 0x40;
	cr_assert(route_or_infer(t, 2, 4, 0x01, cmd, sizeof(cmd), true, &r));
	cr_assert_not(route_or_infer(t, 2, 4, 0x83, iu_like, sizeof(iu_like), false, &r));
	/* a READ READY IU of tag 1 makes 0x82 the status pipe */
	cr_assert(route_or_infer(t, 2, 4, 0x82, (const uint8_t[]){ 0x06, 0x00, 0x00, 0x01 }, 4, false, &r));
	cr_assert_eq(r.role, EP_UAS_STATUS);
	devtable_free(t);
}

/* samples/uas-ehci.usbmon.txt: the text keeps 32 of the configuration
 * set's 62 bytes, which give the UAS interface and its command pipe but
 * not the other pipes.  The status pipe is then inferred from the first
 * IU whose tag a Command IU on that command pipe had. */
Test(device, uas_partial_descriptors_then_inference)
{
	struct devtable *t = devtable_new();
	struct ep_route r;
	uint8_t cmd[32];
	struct urb u = mk(1, 3, 0x80, USB_XFER_CONTROL, uas_ehci_cfg, 32, 0);

	u.has_setup = true;
	memcpy(u.setup, GET_DESC(2, 0, 0, 255), 8);
	u.requested = 255;
	u.moved = u.actual = sizeof(uas_ehci_cfg);   /* 62 moved, 32 captured */
	control(t, 1, 3, GET_DESC(1, 0, 0, 18), uas_ehci_dev, sizeof(uas_ehci_dev), 0);
	devtable_control(t, &u);
	done(&u);
	control(t, 1, 3, SET_CONFIG(1), NULL, 0, 0);
	control(t, 1, 3, SET_INTF(0, 0), NULL, 0, 0);
	uas_cmd(cmd, 1, 0x12);
	/* the command pipe goes through inference until the status pipe is known */
	expect_no_route(t, 1, 3, 0x01);
	cr_assert(route_or_infer(t, 1, 3, 0x01, cmd, sizeof(cmd), true, &r));
	cr_assert_eq(r.transport, TRANSPORT_UAS);
	cr_assert_eq(r.role, EP_UAS_COMMAND);
	cr_assert_not(r.inferred, "from the descriptors");
	/* READ READY of tag 1 on 0x82 */
	cr_assert(route_or_infer(t, 1, 3, 0x82, (const uint8_t[]){ 0x06, 0x00, 0x00, 0x01 }, 4, false, &r));
	cr_assert_eq(r.role, EP_UAS_STATUS);
	cr_assert(r.inferred);
	expect_route(t, 1, 3, 0x01, TRANSPORT_UAS, EP_UAS_COMMAND, 0, false, false);
	/* the remaining IN pipe carries the data */
	cr_assert(route_or_infer(t, 1, 3, 0x83, NULL, 0, true, &r));
	cr_assert_eq(r.role, EP_UAS_DATA_IN);
	devtable_free(t);
}

Test(device, no_inference_with_partial_or_foreign_descriptors)
{
	struct devtable *t = devtable_new();
	struct ep_route r;
	/* a complete HID configuration: not storage, so no inference */
	static const uint8_t hid_cfg[] = {
		0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x00, 0xa0, 0x32,
		0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
		0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
		0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
	};

	control(t, 1, 9, GET_DESC(2, 0, 0, sizeof(hid_cfg)), hid_cfg, sizeof(hid_cfg), 0);
	cr_assert_not(infer(t, 1, 9, 0x02, bot_cbw, sizeof(bot_cbw), true, &r));
	/* only the 9-byte header: inference is allowed */
	control(t, 1, 10, GET_DESC(2, 0, 0, 9), bot_cfg9, sizeof(bot_cfg9), 0);
	cr_assert(infer(t, 1, 10, 0x02, bot_cbw, sizeof(bot_cbw), true, &r));
	/* not bulk: never */
	{
		struct urb u = mk(1, 11, 0x02, USB_XFER_INTR, bot_cbw, sizeof(bot_cbw), 0);
		cr_assert_not(devtable_infer(t, &u, &r));
		done(&u);
	}
	devtable_free(t);
}

/* ------------------------------------------------------- damage, limits */

Test(device, damaged_configurations)
{
	struct devtable *t = devtable_new();
	struct ep_route r;
	uint8_t cfg[121];

	/* bLength 0 in the middle: the part before is used, the set is not
	 * complete (so inference stays possible) */
	memcpy(cfg, sd_cfg, sizeof(cfg));
	cfg[18 + 7] = 0;                          /* the companion after endpoint 0x81 of alt 0 */
	control(t, 1, 4, GET_DESC(2, 0, 0, 121), cfg, sizeof(cfg), 0);
	expect_route(t, 1, 4, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	expect_no_route(t, 1, 4, 0x02);
	cr_assert(infer(t, 1, 4, 0x06, bot_cbw, sizeof(bot_cbw), true, &r));

	/* bLength beyond the buffer, wTotalLength beyond the data */
	memcpy(cfg, sd_cfg, sizeof(cfg));
	cfg[9] = 200;
	control(t, 1, 5, GET_DESC(2, 0, 0, 121), cfg, sizeof(cfg), 0);
	expect_no_route(t, 1, 5, 0x81);
	control(t, 1, 6, GET_DESC(2, 0, 0, 121), sd_cfg, 60, 0);
	expect_route(t, 1, 6, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	cr_assert(infer(t, 1, 6, 0x04, sd_cmd_tur, sizeof(sd_cmd_tur), true, &r));

	/* a later complete read replaces the damaged copy */
	control(t, 1, 5, GET_DESC(2, 0, 0, 121), sd_cfg, sizeof(sd_cfg), 0);
	expect_route(t, 1, 5, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);
	devtable_free(t);
}

Test(device, limits)
{
	struct devtable *t = devtable_new();
	unsigned n = 0;
	/* a configuration of 40 one-endpoint BOT interfaces (9 + 40 * 16 bytes) */
	static uint8_t big[9 + 40 * 16];
	/* one interface with 20 alternate settings, the last one BOT */
	static uint8_t alts[9 + 20 * 9 + 7];
	/* one alternate setting with 40 endpoints */
	static uint8_t eps[9 + 9 + 40 * 7];
	size_t o;

	/* at most 128 devices per bus */
	for (unsigned d = 1; d <= 200; d++)
		control(t, 7, (uint16_t)d, GET_DESC(1, 0, 0, 18), bot_dev, sizeof(bot_dev), 0);
	for (unsigned d = 1; d <= 200; d++)
		n += devtable_info(t, 7, (uint16_t)d) != NULL;
	cr_assert_eq(n, 128);
	cr_assert_null(devtable_info(t, 7, 200));
	/* other buses are not affected */
	control(t, 8, 1, GET_DESC(1, 0, 0, 18), bot_dev, sizeof(bot_dev), 0);
	cr_assert_not_null(devtable_info(t, 8, 1));
	devtable_free(t);

	t = devtable_new();
	big[0] = 9; big[1] = 2; big[2] = sizeof(big) & 0xff; big[3] = sizeof(big) >> 8; big[4] = 40; big[5] = 1;
	o = 9;
	for (unsigned k = 0; k < 40; k++) {
		const uint8_t intf[9] = { 9, 4, (uint8_t)k, 0, 1, 8, 6, 0x50, 0 };
		const uint8_t ep[7] = { 7, 5, (uint8_t)(0x80 | (k % 15 + 1)), 2, 0, 2, 0 };
		memcpy(big + o, intf, 9);
		memcpy(big + o + 9, ep, 7);
		o += 16;
	}
	control(t, 1, 2, GET_DESC(2, 0, 0, sizeof(big)), big, sizeof(big), 0);
	expect_route(t, 1, 2, 0x81, TRANSPORT_BOT, EP_BOT_IN, 0, false, false);

	memset(alts, 0, sizeof(alts));
	alts[0] = 9; alts[1] = 2; alts[2] = sizeof(alts); alts[4] = 1; alts[5] = 1;
	for (unsigned k = 0; k < 20; k++) {
		const uint8_t intf[9] = { 9, 4, 0, (uint8_t)k, k == 19 ? 1 : 0, k == 19 ? 8 : 0xff, 6, 0x50, 0 };
		memcpy(alts + 9 + 9 * k, intf, 9);
	}
	memcpy(alts + 9 + 20 * 9, ((const uint8_t[]){ 7, 5, 0x81, 2, 0, 2, 0 }), 7);
	control(t, 1, 3, GET_DESC(2, 0, 0, sizeof(alts)), alts, sizeof(alts), 0);
	control(t, 1, 3, SET_INTF(0, 19), NULL, 0, 0);
	expect_no_route(t, 1, 3, 0x81);           /* the 20th alternate setting was beyond ALT_MAX */

	eps[0] = 9; eps[1] = 2; eps[2] = sizeof(eps) & 0xff; eps[3] = sizeof(eps) >> 8; eps[4] = 1; eps[5] = 1;
	memcpy(eps + 9, ((const uint8_t[]){ 9, 4, 0, 0, 40, 8, 6, 0x50, 0 }), 9);
	for (unsigned k = 0; k < 40; k++) {
		const uint8_t ep[7] = { 7, 5, (uint8_t)((k < 32 ? 0x00 : 0x80) | (k % 15 + 1)), 2, 0, 2, 0 };
		memcpy(eps + 18 + 7 * k, ep, 7);
	}
	control(t, 1, 4, GET_DESC(2, 0, 0, sizeof(eps)), eps, sizeof(eps), 0);
	expect_route(t, 1, 4, 0x01, TRANSPORT_BOT, EP_BOT_OUT, 0, false, false);
	expect_no_route(t, 1, 4, 0x83);           /* endpoints 33-40 were beyond EP_MAX */
	devtable_free(t);
}

/* Random control and bulk traffic: no crash, no overread. */
Test(device, random_traffic)
{
	struct devtable *t = devtable_new();
	uint32_t x = 0xdecafbad;
	struct ep_route r;

	for (unsigned iter = 0; iter < 20000; iter++) {
		uint8_t buf[160], setup[8];
		uint32_t len;
		struct urb u;

		x = x * 1103515245u + 12345u;
		len = (x >> 16) % sizeof(buf);
		for (uint32_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			buf[k] = (uint8_t)(x >> 19);
		}
		/* start from real bytes now and then so the parsers go deep */
		if (iter % 3 == 0 && len >= 9) {
			memcpy(buf, sd_cfg, len < sizeof(sd_cfg) ? len : sizeof(sd_cfg));
			x = x * 1103515245u + 12345u;
			buf[(x >> 16) % len] = (uint8_t)(x >> 8);
		}
		x = x * 1103515245u + 12345u;
		if (iter & 1) {
			static const uint8_t reqs[][2] = { { 0x80, 6 }, { 0x00, 9 }, { 0x01, 11 }, { 0x00, 5 }, { 0xa1, 0xfe },
							   { 0x80, 8 }, { 0x81, 10 } };
			const uint8_t *q = reqs[(x >> 16) % 7];
			setup[0] = q[0];
			setup[1] = q[1];
			setup[2] = (uint8_t)(x >> 4);
			setup[3] = (uint8_t)((x >> 8) % 4);
			setup[4] = (uint8_t)(x >> 12) & 1;
			setup[5] = setup[6] = setup[7] = 0;
			control(t, 1, (uint16_t)((x >> 24) % 6), setup, buf, len, (x & 0x10) ? -32 : 0);
		} else {
			u = mk(1, (uint16_t)((x >> 24) % 6), (uint8_t)((x >> 8) & 0x8f), USB_XFER_BULK, buf, len, 0);
			if (!devtable_route(t, u.bus, u.device, u.endpoint, &r))
				devtable_infer(t, &u, &r);
			done(&u);
		}
		if (iter % 997 == 0)
			devtable_forget(t, 1, (uint16_t)(iter % 6));
	}
	for (unsigned k = 0; devtable_at(t, k); k++) {
		const struct usb_device_info *i = devtable_at(t, k);
		cr_assert(memchr(i->product, 0, sizeof(i->product)) != NULL);
		cr_assert(memchr(i->manufacturer, 0, sizeof(i->manufacturer)) != NULL);
		cr_assert(memchr(i->serial, 0, sizeof(i->serial)) != NULL);
	}
	devtable_free(t);
}
