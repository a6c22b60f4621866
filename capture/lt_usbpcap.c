/* lt_usbpcap.c - Windows USBPcap headers (link type 249) to usb_event. */
#include "config.h"
#include "capture/reader.h"

#include "util/bytes.h"

/*
 * Layout (USBPcap capture format, desowin.org/usbpcap/captureformat.html,
 * USBPCAP_BUFFER_PACKET_HEADER in USBPcapBuffer.h), packed, little-endian:
 *
 *    0 u16 headerLen     whole header incl. the transfer-specific part;
 *                        the data starts here, whatever we know of the header
 *    2 u64 irpId         IRP pointer: pairs the request with its completion
 *   10 u32 status        USBD_STATUS, valid only on return from the host controller
 *   14 u16 function      URB function (0x0008 control, 0x0009 bulk/interrupt, ...)
 *   16 u8  info          bit 0 (USBPCAP_INFO_PDO_TO_FDO): 1 = completion
 *   17 u16 bus           root hub number
 *   19 u16 device        device address
 *   21 u8  endpoint      endpoint address, bit 7 = IN
 *   22 u8  transfer      0 iso, 1 interrupt, 2 control, 3 bulk,
 *                        0xFE IRP info only (no transfer), 0xFF unknown
 *   23 u32 dataLength    payload bytes after the header
 *  --- 27 bytes ---
 *  control:  27 u8 stage   0 setup, 1 data, 2 status, 3 complete
 *  iso:      27 u32 startFrame, 31 u32 numberOfPackets, 35 u32 errorCount,
 *            39 numberOfPackets * { u32 offset; u32 length; u32 status }
 *
 * Control transfers: USBPcap 1.5 and later write one setup-stage submit
 * whose data is the 8-byte setup packet followed by any OUT data, and one
 * complete-stage completion with any IN data.  Older versions split them
 * into setup and data submits (same irpId) and data and status completions.
 */

#define USBPCAP_HDR 27
#define USBPCAP_CTRL_HDR 28
#define USBPCAP_ISO_HDR 39
#define USBPCAP_ISO_PKT 12
#define USBPCAP_XFER_IRP_INFO 0xfe

int usb_parse_usbpcap(const struct usb_pkt *p, struct usb_event *ev, struct error *err)
{
	const uint8_t *b = p->buf;
	size_t n = p->caplen;
	/* The original length; a hostile file may claim less than it holds. */
	uint32_t orig = p->len > p->caplen ? p->len : p->caplen;
	uint16_t hlen = 0, bus = 0, dev = 0, function = 0;
	uint64_t irp = 0;
	uint32_t status = 0, dlen = 0;
	uint8_t info = 0, ep = 0, xfer = 0, stage = USB_STAGE_NONE;
	uint32_t need;
	size_t data_off, avail, present;
	bool setup_cut = false;

	usb_event_init(ev, p, USB_SRC_USBPCAP);
	ev->status_origin = USB_STATUS_USBD;
	if (n < USBPCAP_HDR)
		return error_set(err, p->frame, p->offset,
				 "USBPcap record is %zu bytes, shorter than its %u-byte header", n, USBPCAP_HDR);
	get_le16(b, n, 0, &hlen);
	get_le64(b, n, 2, &irp);
	get_le32(b, n, 10, &status);
	get_le16(b, n, 14, &function);
	get_u8(b, n, 16, &info);
	get_le16(b, n, 17, &bus);
	get_le16(b, n, 19, &dev);
	get_u8(b, n, 21, &ep);
	get_u8(b, n, 22, &xfer);
	get_le32(b, n, 23, &dlen);

	need = xfer == USB_XFER_CONTROL ? USBPCAP_CTRL_HDR : xfer == USB_XFER_ISO ? USBPCAP_ISO_HDR : USBPCAP_HDR;
	if (hlen < need)
		return error_set(err, p->frame, p->offset,
				 "USBPcap headerLen is %u, smaller than the %u-byte header of a transfer of type %u",
				 hlen, need, xfer);
	if (hlen > orig)
		return error_set(err, p->frame, p->offset,
				 "USBPcap headerLen is %u, beyond the end of the %u-byte packet", hlen, orig);
	if (n < need)
		return error_set(err, p->frame, p->offset,
				 "USBPcap record is cut after %zu bytes, inside its %u-byte header", n, need);

	ev->urb_id = irp;
	ev->bus = bus;
	ev->device = dev;
	ev->endpoint = ep;
	ev->irp_info = info;
	ev->urb_function = function;
	ev->orig_status = status;
	if (xfer <= USB_XFER_BULK)
		ev->xfer = xfer;
	else if (xfer == USBPCAP_XFER_IRP_INFO)
		ev->xfer = USB_XFER_IRP_INFO;
	else
		ev->xfer = USB_XFER_UNKNOWN;
	ev->type = (info & 1) ? USB_EV_COMPLETE : USB_EV_SUBMIT;

	if (xfer == USB_XFER_CONTROL) {
		get_u8(b, n, 27, &stage);
		if (stage > USB_STAGE_COMPLETE)
			return error_set(err, p->frame, p->offset,
					 "USBPcap control stage is %u; expected 0 (setup) to 3 (complete)", stage);
		ev->ctrl_stage = stage;
		/* USBPcap before 1.3.0.0 marked the OUT data stage as a
		 * completion; that stage only ever travels host to device
		 * (Wireshark's packet-usb.c applies the same correction). */
		if (ep == 0x00 && stage == USB_STAGE_DATA)
			ev->type = USB_EV_SUBMIT;
	} else if (xfer == USB_XFER_ISO) {
		uint32_t start = 0, npkt = 0, errs = 0;
		get_le32(b, n, 27, &start);
		get_le32(b, n, 31, &npkt);
		get_le32(b, n, 35, &errs);
		if ((uint64_t)npkt * USBPCAP_ISO_PKT > (uint64_t)hlen - USBPCAP_ISO_HDR)
			return error_set(err, p->frame, p->offset,
					 "USBPcap iso header declares %u packets (%llu bytes) but headerLen %u leaves room for %u",
					 npkt, (unsigned long long)npkt * USBPCAP_ISO_PKT, hlen,
					 (hlen - USBPCAP_ISO_HDR) / USBPCAP_ISO_PKT);
		ev->start_frame = (int32_t)start;
		ev->iso_error_count = (int32_t)errs;
		/* The packet descriptors stay in the record: usb_parse_usbpcap()
		 * has no descriptor buffer to copy them to (iso_ndesc = 0). */
	}

	/* The status means something only once the host controller returned
	 * the IRP (captureformat.html): every submit is "in progress". */
	ev->status = ev->type == USB_EV_SUBMIT ? -115 : usbd_status_to_errno(status);

	/* Payload: dataLength bytes from headerLen, of which `present` are here. */
	data_off = hlen;
	avail = n > data_off ? n - data_off : 0;
	present = dlen < avail ? dlen : avail;

	/*
	 * A setup-stage submit carries the 8-byte setup packet as the first
	 * bytes of its data.  They go to setup[] and do NOT count as data:
	 * data, data_len and length describe the OUT data stage only (0 for
	 * a control IN), as usbmon keeps the setup packet apart from the data.
	 */
	if (xfer == USB_XFER_CONTROL && stage == USB_STAGE_SETUP && ev->type == USB_EV_SUBMIT && dlen >= 8)
		setup_cut = !usb_take_setup(ev, b, &data_off, &dlen, &present);
	ev->length = dlen;
	ev->data_len = dlen;
	ev->caplen = (uint32_t)present;
	ev->data = present ? b + data_off : NULL;
	ev->truncated = present < dlen || setup_cut;
	return 0;
}
