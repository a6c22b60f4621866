/* write_usb_os.c - encode a usb_event as a Windows USBPcap (249) or macOS USB_DARWIN (266) packet. */
#include "config.h"
#include "capture/writer.h"

/*
 * Layouts as lt_usbpcap.c and lt_darwin.c read them.  Both writers put the
 * event's own status code in the header when the event came from that
 * system (status_origin); for events from elsewhere (a usbmon event
 * converted for a test) they pick a code of that system with the same
 * Linux meaning, from the short lists below (a subset of status_tables.c).
 */

struct errno_code {
	int32_t err;
	uint32_t code;
};

static const struct errno_code to_usbd[] = {
	{ -32, 0xC0000004 },   /* USBD_STATUS_STALL_PID */
	{ -71, 0xC0000011 },   /* USBD_STATUS_XACT_ERROR */
	{ -84, 0xC0000001 },   /* USBD_STATUS_CRC */
	{ -62, 0xC0000005 },   /* USBD_STATUS_DEV_NOT_RESPONDING */
	{ -75, 0xC0000012 },   /* USBD_STATUS_BABBLE_DETECTED */
	{ -121, 0x80000900 },  /* USBD_STATUS_ERROR_SHORT_TRANSFER */
	{ -70, 0xC000000C },   /* USBD_STATUS_BUFFER_OVERRUN */
	{ -63, 0xC000000D },   /* USBD_STATUS_BUFFER_UNDERRUN */
	{ -110, 0xC0006000 },  /* USBD_STATUS_TIMEOUT */
	{ -104, 0xC0010000 },  /* USBD_STATUS_CANCELED */
	{ -2, 0xC0010000 },
	{ -19, 0xC0007000 },   /* USBD_STATUS_DEVICE_GONE */
	{ -108, 0xC0007000 },
	{ -18, 0xC0000B00 },   /* USBD_STATUS_ISOCH_REQUEST_FAILED */
	{ -22, 0x80000300 },   /* USBD_STATUS_INVALID_PARAMETER */
	{ -28, 0x80000700 },   /* USBD_STATUS_NO_BANDWIDTH */
	{ -12, 0xC0001000 },   /* USBD_STATUS_INSUFFICIENT_RESOURCES */
	{ -16, 0x80000400 },   /* USBD_STATUS_ERROR_BUSY */
};

static const struct errno_code to_ioreturn[] = {
	{ -32, 0xE000404F },   /* kIOUSBPipeStalled */
	{ -71, 0xE00002ED },   /* kIOReturnNotResponding */
	{ -84, 0xE0004001 },   /* kIOUSBCRCErr */
	{ -62, 0xE00002ED },
	{ -75, 0xE00002E8 },   /* kIOReturnOverrun */
	{ -121, 0xE00002E7 },  /* kIOReturnUnderrun */
	{ -70, 0xE000400C },   /* kIOUSBBufferOverrunErr */
	{ -63, 0xE000400D },   /* kIOUSBBufferUnderrunErr */
	{ -110, 0xE0004051 },  /* kIOUSBTransactionTimeout */
	{ -104, 0xE00002EB },  /* kIOReturnAborted */
	{ -2, 0xE00002EB },
	{ -19, 0xE00002C0 },   /* kIOReturnNoDevice */
	{ -108, 0xE00002D7 },  /* kIOReturnOffline */
	{ -18, 0xE00002EE },   /* kIOReturnIsoTooOld */
	{ -22, 0xE00002C2 },   /* kIOReturnBadArgument */
	{ -28, 0xE00002EC },   /* kIOReturnNoBandwidth */
	{ -12, 0xE00002BD },   /* kIOReturnNoMemory */
	{ -16, 0xE00002D5 },   /* kIOReturnBusy */
};

static uint32_t code_for(const struct errno_code *t, size_t n, int32_t err, uint32_t other)
{
	if (err == 0 || err == -115)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].err == err)
			return t[i].code;
	return other;
}

uint32_t usbw_usbpcap(struct strbuf *sb, const struct usb_event *ev)
{
	bool control = ev->xfer == USB_XFER_CONTROL;
	bool iso = ev->xfer == USB_XFER_ISO;
	bool complete = ev->type != USB_EV_SUBMIT;
	uint8_t stage = ev->ctrl_stage;
	uint32_t status, hlen, dlen;
	bool setup;

	if (control && stage == USB_STAGE_NONE)
		stage = complete ? USB_STAGE_COMPLETE : USB_STAGE_SETUP;
	/* The setup packet travels as the first 8 data bytes of a setup-stage submit. */
	setup = control && ev->has_setup && stage == USB_STAGE_SETUP && !complete;
	hlen = control ? 28 : iso ? 39 + 12 * ev->iso_ndesc : 27;
	dlen = ev->data_len + (setup ? 8 : 0);
	status = ev->status_origin == USB_STATUS_USBD
		 ? ev->orig_status
		 : code_for(to_usbd, sizeof(to_usbd) / sizeof(to_usbd[0]), ev->status, 0xC0008000);

	sb_add_le16(sb, (uint16_t)hlen);
	sb_add_le64(sb, ev->urb_id);
	sb_add_le32(sb, status);
	sb_add_le16(sb, ev->urb_function);
	sb_add_u8(sb, (uint8_t)((ev->irp_info & 0xfe) | (complete ? 1 : 0)));
	sb_add_le16(sb, ev->bus);
	sb_add_le16(sb, ev->device);
	sb_add_u8(sb, ev->endpoint);
	sb_add_u8(sb, ev->xfer);
	sb_add_le32(sb, dlen);
	if (control) {
		sb_add_u8(sb, stage);
	} else if (iso) {
		sb_add_le32(sb, (uint32_t)ev->start_frame);
		sb_add_le32(sb, ev->iso_ndesc);
		sb_add_le32(sb, (uint32_t)ev->iso_error_count);
		for (uint32_t i = 0; i < ev->iso_ndesc; i++) {
			sb_add_le32(sb, ev->iso[i].offset);
			sb_add_le32(sb, ev->iso[i].length);
			sb_add_le32(sb, (uint32_t)ev->iso[i].status);
		}
	}
	if (setup)
		sb_add(sb, ev->setup, 8);
	if (ev->caplen)
		sb_add(sb, ev->data, ev->caplen);
	return hlen + dlen;
}

/* enum usb_speed back to the header's kUSBDeviceSpeed* numbering. */
static uint8_t darwin_speed(uint8_t s)
{
	switch (s) {
	case USB_SPEED_LOW: return 0;
	case USB_SPEED_FULL: return 1;
	case USB_SPEED_HIGH: return 2;
	case USB_SPEED_SUPER: return 3;
	case USB_SPEED_SUPER_PLUS: return 4;
	default: return 0xff;
	}
}

static uint8_t darwin_eptype(uint8_t xfer)
{
	switch (xfer) {
	case USB_XFER_CONTROL: return 0;
	case USB_XFER_ISO: return 1;
	case USB_XFER_BULK: return 2;
	case USB_XFER_INTR: return 3;
	default: return 0xff;
	}
}

uint32_t usbw_darwin(struct strbuf *sb, const struct usb_event *ev)
{
	bool setup = ev->has_setup && ev->xfer == USB_XFER_CONTROL && ev->type == USB_EV_SUBMIT;
	/* No location id: put the bus where a reader finds it (bits 31-24). */
	uint32_t location = ev->location_id ? ev->location_id : (uint32_t)ev->bus << 24;
	uint32_t status = ev->status_origin == USB_STATUS_IORETURN
			  ? ev->orig_status
			  : code_for(to_ioreturn, sizeof(to_ioreturn) / sizeof(to_ioreturn[0]), ev->status,
				     0xE00002BC /* kIOReturnError */);

	sb_add_le16(sb, 0x0101);
	sb_add_u8(sb, 40);
	sb_add_u8(sb, ev->type == USB_EV_SUBMIT ? 0 : 1);
	sb_add_le32(sb, ev->length);
	sb_add_le32(sb, status);
	sb_add_le32(sb, 0);                   /* no iso frame entries written */
	sb_add_le64(sb, ev->urb_id);
	sb_add_le32(sb, location);
	sb_add_u8(sb, darwin_speed(ev->speed));
	sb_add_u8(sb, (uint8_t)ev->device);
	sb_add_u8(sb, ev->endpoint);
	sb_add_u8(sb, darwin_eptype(ev->xfer));
	sb_add_zeros(sb, 8);                  /* reserved up to the 40-byte header length */
	if (setup)
		sb_add(sb, ev->setup, 8);
	if (ev->caplen)
		sb_add(sb, ev->data, ev->caplen);
	return 40 + (setup ? 8 : 0) + ev->data_len;
}
