/* usb_control.c - name, summarise and describe USB control requests and the descriptors they carry. */
#include "config.h"
#include "decode/usb_control.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode/usb_tables.h"
#include "util/bytes.h"

/*
 * Field layouts: USB 2.0 and USB 3.2 chapter 9 (setup packet, standard
 * requests, descriptors), chapter 11 / chapter 10 (hub class), HID 1.11,
 * CDC 1.2 with PSTN 1.2, Mass Storage Bulk-Only 1.0 (class requests FEh and
 * FFh) and USB Attached SCSI 1.0 (Pipe Usage descriptor 24h).  Every byte is
 * read through util/bytes.h; damaged descriptor sets are described up to
 * the damage and flagged.
 */

enum { RT_STANDARD = 0, RT_CLASS = 1, RT_VENDOR = 2, RT_RESERVED = 3 };
enum { RCP_DEVICE = 0, RCP_INTERFACE = 1, RCP_ENDPOINT = 2, RCP_OTHER = 3 };

/* What a request is, after looking at its type, recipient and fields. */
enum req_kind {
	RK_STANDARD,
	RK_STANDARD_UNKNOWN,
	RK_MSC_RESET,
	RK_MSC_MAXLUN,
	RK_HUB,
	RK_HID,
	RK_CDC,
	RK_CLASS_UNKNOWN,
	RK_VENDOR,
	RK_RESERVED,
};

static unsigned rtype(const uint8_t s[8]) { return (s[0] >> 5) & 3; }
static unsigned rcpt(const uint8_t s[8]) { return s[0] & 0x1f; }
static bool dir_in(const uint8_t s[8]) { return (s[0] & 0x80) != 0; }

/*
 * Class requests carry no class in the setup packet.  Hub requests go to
 * the device or to a port ("other"); the others go to an interface.  HID
 * and CDC share a few codes: GET_REPORT (01h) always names a report type
 * in wValue's high byte, CDC's GET_ENCAPSULATED_RESPONSE has wValue 0;
 * GET_PROTOCOL (03h) has wValue 0 and wLength 1, GET_COMM_FEATURE names a
 * feature selector and reads 2 bytes.
 */
static enum req_kind classify(const uint8_t s[8])
{
	uint8_t req = s[1];
	bool in = dir_in(s);

	switch (rtype(s)) {
	case RT_STANDARD:
		return usb_std_request_names[req] ? RK_STANDARD : RK_STANDARD_UNKNOWN;
	case RT_VENDOR:
		return RK_VENDOR;
	case RT_RESERVED:
		return RK_RESERVED;
	default:
		break;
	}
	if (rcpt(s) == RCP_DEVICE || rcpt(s) == RCP_OTHER)
		return usb_hub_request_names[req] ? RK_HUB : RK_CLASS_UNKNOWN;
	if (rcpt(s) != RCP_INTERFACE)
		return RK_CLASS_UNKNOWN;
	if (req == 0xff && !in)
		return RK_MSC_RESET;
	if (req == 0xfe && in)
		return RK_MSC_MAXLUN;
	switch (req) {
	case 0x01:
		if (!in)
			return RK_CLASS_UNKNOWN;
		return (s[3] >= 1 && s[3] <= 3) ? RK_HID : RK_CDC;
	case 0x02:
		return in ? RK_HID : RK_CDC;
	case 0x03:
		if (!in)
			return RK_CLASS_UNKNOWN;
		return (usb_setup_wvalue(s) == 0 && usb_setup_wlength(s) == 1) ? RK_HID : RK_CDC;
	case 0x09: case 0x0a: case 0x0b:
		return in ? RK_CLASS_UNKNOWN : RK_HID;
	case 0x00: case 0x04:
		return in ? RK_CLASS_UNKNOWN : RK_CDC;
	default:
		return usb_cdc_request_names[req] ? RK_CDC : RK_CLASS_UNKNOWN;
	}
}

const char *usb_request_name(const uint8_t setup[8])
{
	uint8_t req = setup[1];

	switch (classify(setup)) {
	case RK_STANDARD: return usb_std_request_names[req];
	case RK_MSC_RESET: return "Bulk-Only Mass Storage Reset";
	case RK_MSC_MAXLUN: return "GET MAX LUN";
	case RK_HUB: return usb_hub_request_names[req];
	case RK_HID: return usb_hid_request_names[req];
	case RK_CDC: return usb_cdc_request_names[req];
	case RK_CLASS_UNKNOWN: return usb_class_request_names[req];
	case RK_VENDOR: return usb_vendor_request_names[req];
	case RK_STANDARD_UNKNOWN:
	case RK_RESERVED:
		break;
	}
	return usb_other_request_names[req];
}

/* ------------------------------------------------------------ helpers */

static const char *class_name(uint8_t c)
{
	const char *n = usb_class_names[c];
	return n ? n : "unknown class";
}

static const char *desc_type_name(uint8_t t)
{
	const char *n = usb_desc_type_names[t];
	return n ? n : NULL;
}

static void add_bcd(struct strbuf *sb, uint16_t v)
{
	sb_addf(sb, "%x.%02x", v >> 8, v & 0xff);
}

static void add_bits(struct strbuf *sb, uint16_t v, const char *const bits[16], bool *any)
{
	for (unsigned i = 0; i < 16; i++) {
		if (!(v & (1u << i)) || !bits[i])
			continue;
		sb_addf(sb, "%s%s", *any ? " " : "", bits[i]);
		*any = true;
	}
}

static void add_hex_bytes(struct strbuf *sb, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%02x", i ? " " : "", p[i]);
}

/* One output line: indent, depth * 2 spaces, text, newline. */
static void line(struct strbuf *sb, const char *indent, unsigned depth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void line(struct strbuf *sb, const char *indent, unsigned depth, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	sb_adds(sb, indent ? indent : "");
	for (unsigned i = 0; i < depth; i++)
		sb_adds(sb, "  ");
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sb_adds(sb, buf);
	sb_addc(sb, '\n');
}

/* Hex dump, 16 bytes a line. */
static void hex_lines(struct strbuf *sb, const char *indent, unsigned depth, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		size_t k = n - off < 16 ? n - off : 16;
		sb_adds(sb, indent ? indent : "");
		for (unsigned i = 0; i < depth; i++)
			sb_adds(sb, "  ");
		sb_addf(sb, "%04zx: ", off);
		add_hex_bytes(sb, p + off, k);
		sb_addc(sb, '\n');
	}
}

/* ------------------------------------------------------ string descriptors */

static size_t utf8_put(char *out, size_t size, size_t o, uint32_t cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		cp = '?';                 /* control characters: keep output one line, terminal-safe */
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (o + n >= size)
		return 0;                 /* no room: stop without splitting a character */
	memcpy(out + o, tmp, n);
	return n;
}

bool usb_string_descriptor(const uint8_t *data, size_t len, char *out, size_t size)
{
	uint8_t bl, type;
	size_t n, o = 0;

	if (size)
		out[0] = '\0';
	if (!data || !get_u8(data, len, 0, &bl) || !get_u8(data, len, 1, &type) || type != 3 || bl < 2)
		return false;
	if (!size)
		return true;
	n = bl < len ? bl : len;
	for (size_t off = 2; off + 1 < n;) {
		uint16_t u = 0, u2;
		uint32_t cp;
		size_t w;

		get_le16(data, n, off, &u);
		off += 2;
		cp = u;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (get_le16(data, n, off, &u2) && u2 >= 0xdc00 && u2 <= 0xdfff) {
				cp = 0x10000 + (((uint32_t)u - 0xd800) << 10) + (u2 - 0xdc00);
				off += 2;
			} else {
				cp = 0xfffd;
			}
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			cp = 0xfffd;
		}
		if (cp == 0)
			continue;             /* NUL padding some devices put at the end */
		w = utf8_put(out, size, o, cp);
		if (!w)
			break;
		o += w;
	}
	out[o] = '\0';
	return true;
}

/* ------------------------------------------------------- descriptor walk */

/* Context while walking a descriptor set: what the descriptors that
 * follow an interface or endpoint belong to. */
struct walk {
	struct strbuf *sb;
	const char *indent;
	int string_index;         /* index the string descriptors were read with; -1 unknown */
	size_t len;               /* bytes in the whole set */
	size_t asked;             /* wLength of the request that read it; 0 unknown */
	bool have_intf;
	uint8_t intf_class, intf_subclass, intf_protocol;
	bool have_ep;
	uint8_t ep_attr;
};

/* One descriptor being described: p has avail bytes of a descriptor that
 * declares bl; reading beyond avail prints a single "ends here" note. */
struct dd {
	struct walk *w;
	const uint8_t *p;
	size_t avail;
	uint8_t bl;
	bool cut;
};

static void dd_cut(struct dd *d, size_t need)
{
	if (d->cut)
		return;
	d->cut = true;
	if (d->avail < d->bl && d->w->asked && d->w->len >= d->w->asked)
		line(d->w->sb, d->w->indent, 1, "[first %zu of %u bytes: the request asked for %zu]", d->avail, d->bl,
		     d->w->asked);
	else if (d->avail < d->bl)
		line(d->w->sb, d->w->indent, 1, "[truncated: %zu of %u bytes present, fields from offset %zu missing]",
		     d->avail, d->bl, need);
	else
		line(d->w->sb, d->w->indent, 1, "[short: bLength %u ends before the field at offset %zu]", d->bl, need);
}

static bool g8(struct dd *d, size_t off, uint8_t *v)
{
	if (d->cut || !get_u8(d->p, d->avail, off, v)) {
		dd_cut(d, off);
		return false;
	}
	return true;
}
static bool g16(struct dd *d, size_t off, uint16_t *v)
{
	if (d->cut || !get_le16(d->p, d->avail, off, v)) {
		dd_cut(d, off);
		return false;
	}
	return true;
}
static bool g32(struct dd *d, size_t off, uint32_t *v)
{
	if (d->cut || !get_le32(d->p, d->avail, off, v)) {
		dd_cut(d, off);
		return false;
	}
	return true;
}

#define F(...) line(d->w->sb, d->w->indent, 1, __VA_ARGS__)

static void f_u8(struct dd *d, size_t off, const char *name)
{
	uint8_t v;
	if (g8(d, off, &v))
		F("%s: %u", name, v);
}
static void f_bcd(struct dd *d, size_t off, const char *name)
{
	uint16_t v;
	if (g16(d, off, &v))
		F("%s: 0x%04x (%x.%02x)", name, v, v >> 8, v & 0xff);
}
static void f_class(struct dd *d, size_t off, const char *name)
{
	uint8_t v;
	if (g8(d, off, &v))
		F("%s: 0x%02x (%s)", name, v, class_name(v));
}

static void bytes_field(struct dd *d, size_t off, size_t n, const char *name)
{
	char buf[3 * 64 + 1];
	size_t k = 0;

	if (d->cut || !bytes_fit(d->avail, off, n)) {
		dd_cut(d, off);
		return;
	}
	for (size_t i = 0; i < n && k + 4 < sizeof(buf); i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%02x", i ? " " : "", d->p[off + i]);
	buf[k] = '\0';
	F("%s: %s", name, buf);
}

static void uuid_field(struct dd *d, size_t off, const char *name)
{
	const uint8_t *u;
	if (d->cut || !bytes_fit(d->avail, off, 16)) {
		dd_cut(d, off);
		return;
	}
	u = d->p + off;
	F("%s: %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", name,
	  u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Bytes after the fields we know, as hex. */
static void rest_hex(struct dd *d, size_t from, const char *name)
{
	size_t end = d->avail < d->bl ? d->avail : d->bl;
	if (d->cut || from >= end)
		return;
	line(d->w->sb, d->w->indent, 1, "%s (%zu bytes):", name, end - from);
	hex_lines(d->w->sb, d->w->indent, 2, d->p + from, end - from);
}

static void desc_device(struct dd *d)
{
	uint8_t v;
	uint16_t w, usb = 0;

	if (g16(d, 2, &usb))
		F("bcdUSB: 0x%04x (USB %x.%02x)", usb, usb >> 8, usb & 0xff);
	f_class(d, 4, "bDeviceClass");
	f_u8(d, 5, "bDeviceSubClass");
	f_u8(d, 6, "bDeviceProtocol");
	if (g8(d, 7, &v)) {
		if (usb >= 0x0300 && v < 16)
			F("bMaxPacketSize0: %u (2^%u = %u bytes)", v, v, 1u << v);
		else
			F("bMaxPacketSize0: %u", v);
	}
	if (g16(d, 8, &w))
		F("idVendor: 0x%04x", w);
	if (g16(d, 10, &w))
		F("idProduct: 0x%04x", w);
	f_bcd(d, 12, "bcdDevice");
	f_u8(d, 14, "iManufacturer");
	f_u8(d, 15, "iProduct");
	f_u8(d, 16, "iSerialNumber");
	f_u8(d, 17, "bNumConfigurations");
}

static void desc_config(struct dd *d)
{
	uint16_t w;
	uint8_t v;

	if (g16(d, 2, &w))
		F("wTotalLength: %u", w);
	f_u8(d, 4, "bNumInterfaces");
	f_u8(d, 5, "bConfigurationValue");
	f_u8(d, 6, "iConfiguration");
	if (g8(d, 7, &v))
		F("bmAttributes: 0x%02x (%s%s%s)", v, (v & 0x40) ? "self-powered" : "bus-powered",
		  (v & 0x20) ? ", remote wakeup" : "", (v & 0x80) ? "" : ", reserved bit 7 not set");
	if (g8(d, 8, &v))
		F("bMaxPower: %u (%u mA at USB 2.0 speeds, %u mA at SuperSpeed)", v, 2u * v, 8u * v);
}

static void msc_names(uint8_t sub, uint8_t proto, const char **sn, const char **pn)
{
	*sn = usb_msc_subclass_names[sub];
	*pn = usb_msc_protocol_names[proto];
}

static void desc_interface(struct dd *d)
{
	uint8_t num = 0, alt = 0, cls = 0, sub = 0, proto = 0, v;
	const char *sn = NULL, *pn = NULL;

	if (g8(d, 2, &num))
		F("bInterfaceNumber: %u", num);
	if (g8(d, 3, &alt))
		F("bAlternateSetting: %u", alt);
	f_u8(d, 4, "bNumEndpoints");
	if (g8(d, 5, &cls))
		F("bInterfaceClass: 0x%02x (%s)", cls, class_name(cls));
	g8(d, 6, &sub);
	g8(d, 7, &proto);
	if (cls == 0x08)
		msc_names(sub, proto, &sn, &pn);
	if (!d->cut) {
		if (sn)
			F("bInterfaceSubClass: 0x%02x (%s)", sub, sn);
		else
			F("bInterfaceSubClass: 0x%02x", sub);
		if (pn)
			F("bInterfaceProtocol: 0x%02x (%s)", proto, pn);
		else
			F("bInterfaceProtocol: 0x%02x", proto);
	}
	if (g8(d, 8, &v))
		F("iInterface: %u", v);
	d->w->have_intf = true;
	d->w->intf_class = cls;
	d->w->intf_subclass = sub;
	d->w->intf_protocol = proto;
	d->w->have_ep = false;
}

static void desc_endpoint(struct dd *d)
{
	uint8_t addr, attr = 0, v;
	uint16_t mps;
	unsigned type;

	if (g8(d, 2, &addr))
		F("bEndpointAddress: 0x%02x (%s endpoint %u)", addr, (addr & 0x80) ? "IN" : "OUT", addr & 0x0f);
	if (g8(d, 3, &attr)) {
		type = attr & 3;
		if (type == 1)
			F("bmAttributes: 0x%02x (isochronous, %s, %s)", attr, usb_iso_sync_names[(attr >> 2) & 3],
			  usb_iso_usage_names[(attr >> 4) & 3]);
		else if (type == 3)
			F("bmAttributes: 0x%02x (interrupt, %s)", attr, usb_intr_usage_names[(attr >> 4) & 3]);
		else
			F("bmAttributes: 0x%02x (%s)", attr, usb_xfer_type_names[type]);
	}
	if (g16(d, 4, &mps)) {
		if (mps >> 11)
			F("wMaxPacketSize: 0x%04x (%u bytes, %u additional transactions per microframe)", mps,
			  mps & 0x7ff, (mps >> 11) & 3);
		else
			F("wMaxPacketSize: %u", mps & 0x7ff);
	}
	if (g8(d, 6, &v)) {
		type = attr & 3;
		if ((type == 1 || type == 3) && v >= 1 && v <= 16)
			F("bInterval: %u (every 2^%u = %u (micro)frames at high speed and above; %u ms at full/low speed for interrupt)",
			  v, v - 1, 1u << (v - 1), v);
		else
			F("bInterval: %u", v);
	}
	if (d->bl >= 9) {             /* audio class 1.0 endpoints */
		f_u8(d, 7, "bRefresh");
		if (g8(d, 8, &v))
			F("bSynchAddress: 0x%02x", v);
	}
	d->w->have_ep = true;
	d->w->ep_attr = attr;
}

static void desc_ss_companion(struct dd *d)
{
	uint8_t burst = 0, attr;
	uint16_t w;
	unsigned type = d->w->have_ep ? (d->w->ep_attr & 3) : 0xff;

	if (g8(d, 2, &burst))
		F("bMaxBurst: %u (up to %u packets per burst)", burst, burst + 1u);
	if (g8(d, 3, &attr)) {
		if (type == 2) {
			unsigned ms = attr & 0x1f;
			if (ms)
				F("bmAttributes: 0x%02x (MaxStreams %u: %lu streams)", attr, ms, 1ul << ms);
			else
				F("bmAttributes: 0x%02x (MaxStreams 0: no streams)", attr);
		} else if (type == 1) {
			F("bmAttributes: 0x%02x (Mult %u: up to %u packets per service interval%s)", attr, attr & 3,
			  (burst + 1u) * ((attr & 3) + 1u), (attr & 0x80) ? ", SuperSpeedPlus isochronous companion follows" : "");
		} else {
			F("bmAttributes: 0x%02x", attr);
		}
	}
	if (g16(d, 4, &w))
		F("wBytesPerInterval: %u", w);
}

static void desc_string(struct dd *d)
{
	char text[512];
	size_t end = d->avail < d->bl ? d->avail : d->bl;

	if (d->w->string_index == 0) {
		for (size_t off = 2; off + 1 < end; off += 2) {
			uint16_t id = 0;
			get_le16(d->p, end, off, &id);
			F("wLANGID[%zu]: 0x%04x", (off - 2) / 2, id);
		}
	} else {
		usb_string_descriptor(d->p, d->avail, text, sizeof(text));
		F("bString: \"%s\"", text);
	}
	if (d->avail < d->bl)
		dd_cut(d, d->avail);
	else if (d->bl & 1)
		F("[odd bLength %u: the last byte is not part of a UTF-16 character]", d->bl);
}

static void desc_qualifier(struct dd *d)
{
	f_bcd(d, 2, "bcdUSB");
	f_class(d, 4, "bDeviceClass");
	f_u8(d, 5, "bDeviceSubClass");
	f_u8(d, 6, "bDeviceProtocol");
	f_u8(d, 7, "bMaxPacketSize0");
	f_u8(d, 8, "bNumConfigurations");
	f_u8(d, 9, "bReserved");
}

static void desc_otg(struct dd *d)
{
	uint8_t v;
	if (g8(d, 2, &v))
		F("bmAttributes: 0x%02x (%s%s%s)", v, (v & 1) ? "SRP " : "", (v & 2) ? "HNP " : "", (v & 4) ? "ADP" : "");
	if (d->bl >= 5)
		f_bcd(d, 3, "bcdOTG");
}

static void desc_iad(struct dd *d)
{
	f_u8(d, 2, "bFirstInterface");
	f_u8(d, 3, "bInterfaceCount");
	f_class(d, 4, "bFunctionClass");
	f_u8(d, 5, "bFunctionSubClass");
	f_u8(d, 6, "bFunctionProtocol");
	f_u8(d, 7, "iFunction");
}

static void desc_bos(struct dd *d)
{
	uint16_t w;
	if (g16(d, 2, &w))
		F("wTotalLength: %u", w);
	f_u8(d, 4, "bNumDeviceCaps");
}

static const char *speed_name(unsigned s)
{
	return s < 4 ? usb_ss_speed_bits[s] : "reserved";
}

static void cap_usb2ext(struct dd *d)
{
	uint32_t a;
	if (!g32(d, 3, &a))
		return;
	F("bmAttributes: 0x%08x", a);
	F("  LPM: %s", (a & 2) ? "supported" : "not supported");
	F("  BESL and alternate HIRD: %s", (a & 4) ? "supported" : "not supported");
	if (a & 8)
		F("  baseline BESL: %u", (a >> 8) & 0xf);
	if (a & 0x10)
		F("  deep BESL: %u", (a >> 12) & 0xf);
}

static void cap_ss(struct dd *d)
{
	uint8_t v;
	uint16_t w;

	if (g8(d, 3, &v))
		F("bmAttributes: 0x%02x (%s)", v, (v & 2) ? "LTM capable" : "not LTM capable");
	if (g16(d, 4, &w)) {
		struct strbuf t = STRBUF_INIT;
		bool any = false;
		add_bits(&t, w, usb_ss_speed_bits, &any);
		F("wSpeedsSupported: 0x%04x (%s)", w, any ? t.buf : "none");
		sb_release(&t);
	}
	if (g8(d, 6, &v))
		F("bFunctionalitySupport: %u (%s)", v, speed_name(v));
	if (g8(d, 7, &v))
		F("bU1DevExitLat: %u us", v);
	if (g16(d, 8, &w))
		F("wU2DevExitLat: %u us", w);
}

static void cap_ssp(struct dd *d)
{
	uint32_t a, s;
	uint16_t f;
	unsigned ssac;

	f_u8(d, 3, "bReserved");
	if (!g32(d, 4, &a))
		return;
	ssac = a & 0x1f;
	F("bmAttributes: 0x%08x (%u sublink speed attributes, %u sublink speed IDs)", a, ssac + 1, ((a >> 5) & 0xf) + 1);
	if (g16(d, 8, &f))
		F("wFunctionalitySupport: 0x%04x (minimum SSID %u, %u RX lanes, %u TX lanes)", f, f & 0xf,
		  (f >> 8) & 0xf, (f >> 12) & 0xf);
	{
		uint16_t r;
		if (g16(d, 10, &r))
			F("wReserved: %u", r);
	}
	for (unsigned i = 0; i <= ssac; i++) {
		if (!g32(d, 12 + 4 * (size_t)i, &s))
			return;
		F("bmSublinkSpeedAttr[%u]: 0x%08x (SSID %u, %u %s, %s %s, %s)", i, s, s & 0xf, s >> 16,
		  usb_lse_names[(s >> 4) & 3], (s & 0x40) ? "asymmetric" : "symmetric", (s & 0x80) ? "TX" : "RX",
		  ((s >> 14) & 3) == 0 ? "SuperSpeed" : ((s >> 14) & 3) == 1 ? "SuperSpeedPlus" : "reserved protocol");
	}
}

static void desc_capability(struct dd *d)
{
	uint8_t type;
	const char *n;

	if (!g8(d, 2, &type))
		return;
	n = usb_cap_type_names[type];
	F("bDevCapabilityType: 0x%02x (%s)", type, n ? n : "reserved");
	switch (type) {
	case 0x02:
		cap_usb2ext(d);
		break;
	case 0x03:
		cap_ss(d);
		break;
	case 0x04:
		f_u8(d, 3, "bReserved");
		uuid_field(d, 4, "ContainerID");
		break;
	case 0x05:
		f_u8(d, 3, "bReserved");
		uuid_field(d, 4, "PlatformCapabilityUUID");
		rest_hex(d, 20, "CapabilityData");
		break;
	case 0x0a:
		cap_ssp(d);
		break;
	default:
		rest_hex(d, 3, "capability data");
		break;
	}
}

static void desc_hid(struct dd *d)
{
	uint8_t n, t;
	uint16_t w;

	f_bcd(d, 2, "bcdHID");
	f_u8(d, 4, "bCountryCode");
	if (!g8(d, 5, &n))
		return;
	F("bNumDescriptors: %u", n);
	for (unsigned i = 0; i < n; i++) {
		size_t off = 6 + 3 * (size_t)i;
		const char *tn;
		if (off + 3 > d->bl)
			break;
		if (!g8(d, off, &t) || !g16(d, off + 1, &w))
			return;
		tn = desc_type_name(t);
		F("bDescriptorType[%u]: 0x%02x (%s), wDescriptorLength: %u", i, t, tn ? tn : "unknown", w);
	}
}

static void desc_pipe_usage(struct dd *d)
{
	uint8_t v;
	const char *n;

	if (g8(d, 2, &v)) {
		n = usb_uas_pipe_names[v];
		F("bPipeID: 0x%02x (%s pipe)", v, n ? n : "reserved");
	}
	f_u8(d, 3, "bReserved");
}

static void desc_cdc(struct dd *d)
{
	uint8_t sub, v;
	const char *n;

	if (!g8(d, 2, &sub))
		return;
	n = usb_cdc_func_names[sub];
	F("bDescriptorSubtype: 0x%02x (%s)", sub, n ? n : "reserved");
	switch (sub) {
	case 0x00:
		f_bcd(d, 3, "bcdCDC");
		break;
	case 0x01:
		if (g8(d, 3, &v))
			F("bmCapabilities: 0x%02x (%s call management%s)", v, (v & 1) ? "device handles" : "no",
			  (v & 2) ? ", over the data class interface" : "");
		f_u8(d, 4, "bDataInterface");
		break;
	case 0x02:
		if (g8(d, 3, &v))
			F("bmCapabilities: 0x%02x (%s%s%s%s)", v, (v & 1) ? "comm features " : "",
			  (v & 2) ? "line coding and state " : "", (v & 4) ? "send break " : "",
			  (v & 8) ? "network connection" : "");
		break;
	case 0x06:
		f_u8(d, 3, "bControlInterface");
		for (size_t off = 4; off < d->bl && off < d->avail; off++) {
			uint8_t s = 0;
			get_u8(d->p, d->avail, off, &s);
			F("bSubordinateInterface%zu: %u", off - 4, s);
		}
		break;
	default:
		rest_hex(d, 3, "functional data");
		break;
	}
}

static void desc_hub(struct dd *d, bool ss)
{
	uint8_t n = 0, v;
	uint16_t c;
	static const char *const pwr[4] = { "ganged", "individual", "none", "none" };
	static const char *const oc[4] = { "global", "individual", "none", "none" };

	if (g8(d, 2, &n))
		F("bNbrPorts: %u", n);
	if (g16(d, 3, &c)) {
		if (ss)
			F("wHubCharacteristics: 0x%04x (power switching %s, %s, over-current %s)", c, pwr[c & 3],
			  (c & 4) ? "compound device" : "not compound", oc[(c >> 3) & 3]);
		else
			F("wHubCharacteristics: 0x%04x (power switching %s, %s, over-current %s, TT think time %u FS bit times, port indicators %s)",
			  c, pwr[c & 3], (c & 4) ? "compound device" : "not compound", oc[(c >> 3) & 3],
			  8u * (((c >> 5) & 3) + 1), (c & 0x80) ? "supported" : "not supported");
	}
	if (g8(d, 5, &v))
		F("bPwrOn2PwrGood: %u (%u ms)", v, 2u * v);
	if (g8(d, 6, &v))
		F("bHubContrCurrent: %u mA", v);
	if (ss) {
		uint16_t w;
		f_u8(d, 7, "bHubHdrDecLat");
		if (g16(d, 8, &w))
			F("wHubDelay: %u ns", w);
		if (g16(d, 10, &w))
			F("DeviceRemovable: 0x%04x", w);
	} else {
		size_t nb = ((size_t)n + 1 + 7) / 8;
		bytes_field(d, 7, nb, "DeviceRemovable");
		if (d->bl >= 7 + 2 * nb)
			bytes_field(d, 7 + nb, nb, "PortPwrCtrlMask");
	}
}

/* Header line of a descriptor, naming it with what matters most. */
static void desc_title(struct walk *w, const uint8_t *p, size_t avail, uint8_t type)
{
	const char *n = desc_type_name(type);
	uint8_t a = 0, b = 0;

	if (type == 0x04 && get_u8(p, avail, 2, &a) && get_u8(p, avail, 3, &b)) {
		line(w->sb, w->indent, 0, "INTERFACE descriptor %u.%u", a, b);
		return;
	}
	if (type == 0x05 && get_u8(p, avail, 2, &a)) {
		line(w->sb, w->indent, 0, "ENDPOINT descriptor 0x%02x", a);
		return;
	}
	if (type == 0x24 && w->have_intf && w->intf_class == 0x08) {
		line(w->sb, w->indent, 0, "UAS PIPE USAGE descriptor");
		return;
	}
	if (type == 0x21 && !(w->have_intf && w->intf_class == 0x03)) {
		line(w->sb, w->indent, 0, "class-specific descriptor 0x21");
		return;
	}
	if (n)
		line(w->sb, w->indent, 0, "%s descriptor", n);
	else
		line(w->sb, w->indent, 0, "descriptor type 0x%02x", type);
}

static void describe_one(struct walk *w, const uint8_t *p, size_t avail, uint8_t bl, uint8_t type)
{
	struct dd d = { w, p, avail, bl, false };
	const char *n = desc_type_name(type);

	desc_title(w, p, avail, type);
	line(w->sb, w->indent, 1, "bLength: %u", bl);
	if (type == 0x24 && w->have_intf && w->intf_class == 0x08)
		line(w->sb, w->indent, 1, "bDescriptorType: 0x24 (Pipe Usage)");
	else
		line(w->sb, w->indent, 1, "bDescriptorType: 0x%02x (%s)", type, n ? n : "unknown");
	switch (type) {
	case 0x01: desc_device(&d); break;
	case 0x02: case 0x07: desc_config(&d); break;
	case 0x03: desc_string(&d); break;
	case 0x04: desc_interface(&d); break;
	case 0x05: desc_endpoint(&d); break;
	case 0x06: desc_qualifier(&d); break;
	case 0x09: desc_otg(&d); break;
	case 0x0b: desc_iad(&d); break;
	case 0x0f: desc_bos(&d); break;
	case 0x10: desc_capability(&d); break;
	case 0x29: desc_hub(&d, false); break;
	case 0x2a: desc_hub(&d, true); break;
	case 0x30: desc_ss_companion(&d); break;
	case 0x31:
		f_u8(&d, 2, "wReserved");
		{
			uint32_t v;
			if (g32(&d, 4, &v))
				line(w->sb, w->indent, 1, "dwBytesPerInterval: %u", v);
		}
		break;
	case 0x21:
		if (w->have_intf && w->intf_class == 0x03)
			desc_hid(&d);
		else
			rest_hex(&d, 2, "data");
		break;
	case 0x24:
		if (w->have_intf && w->intf_class == 0x08)
			desc_pipe_usage(&d);
		else if (w->have_intf && w->intf_class == 0x02)
			desc_cdc(&d);
		else
			rest_hex(&d, 2, "data");
		break;
	default:
		rest_hex(&d, 2, "data");
		break;
	}
	if (!d.cut && avail < bl)
		dd_cut(&d, avail);
}

static void walk_all(struct walk *w, const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t left = len - off;
		uint8_t bl = data[off], type = 0;

		if (left < 2) {
			line(w->sb, w->indent, 0, "[%zu stray byte at offset %zu: truncated descriptor]", left, off);
			return;
		}
		type = data[off + 1];
		if (bl < 2) {
			line(w->sb, w->indent, 0,
			     "[descriptor at offset %zu has bLength %u (type 0x%02x): the set is damaged, stopping here]",
			     off, bl, type);
			return;
		}
		describe_one(w, data + off, bl <= left ? bl : left, bl, type);
		if (bl > left)
			return;           /* describe_one flagged the truncation */
		off += bl;
	}
}

void usb_descriptors_describe(struct strbuf *sb, const uint8_t *data, size_t len, const char *indent)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.sb = sb;
	w.indent = indent ? indent : "";
	w.string_index = -1;
	w.len = len;
	if (!data)
		return;
	walk_all(&w, data, len);
}

/* ---------------------------------------------------------- summaries */

static const char *feature_name(unsigned rc, uint16_t f)
{
	const char *n = NULL;
	if (f > 255)
		return NULL;
	if (rc == RCP_DEVICE)
		n = usb_feature_device_names[f];
	else if (rc == RCP_INTERFACE)
		n = usb_feature_interface_names[f];
	else if (rc == RCP_ENDPOINT)
		n = usb_feature_endpoint_names[f];
	return n;
}

static const char *port_feature_name(uint16_t f)
{
	return f < 256 ? usb_port_feature_names[f] : NULL;
}

/* Is a hub port status word in the USB 3.2 layout?  The setup packet does
 * not say; PORT_POWER is bit 8 in USB 2.0 and bit 9 in USB 3.2, and a
 * USB 2.0 port without power cannot have a low-speed device (bit 9). */
static bool port_status_is_ss(uint16_t st)
{
	return (st & 0x0200) && !(st & 0x0100);
}

static void port_status_words(struct strbuf *sb, uint16_t st, uint16_t ch)
{
	bool ss = port_status_is_ss(st), any = false, any_ch = false;
	const char *ls = usb_link_state_names[(st >> 5) & 0xf];

	add_bits(sb, st, ss ? usb_port_status3_bits : usb_port_status2_bits, &any);
	if (ss)
		sb_addf(sb, "%s%s", any ? " " : "", ls ? ls : "link-state-reserved");
	else if (!any)
		sb_adds(sb, "nothing");
	if (ch) {
		sb_adds(sb, "; changed: ");
		add_bits(sb, ch, ss ? usb_port_change3_bits : usb_port_change2_bits, &any_ch);
		if (!any_ch)
			sb_addf(sb, "0x%04x", ch);
	}
}

static void summary_device_desc(struct strbuf *sb, const uint8_t *data, size_t len)
{
	uint16_t usb, vid, pid;
	uint8_t cls, mps;

	if (!get_le16(data, len, 2, &usb))
		return;
	if (get_le16(data, len, 8, &vid) && get_le16(data, len, 10, &pid)) {
		sb_addf(sb, " -> %04x:%04x USB ", vid, pid);
		add_bcd(sb, usb);
	} else {
		sb_adds(sb, " -> USB ");
		add_bcd(sb, usb);
		if (get_u8(data, len, 7, &mps))
			sb_addf(sb, " mps0=%u", (usb >= 0x0300 && mps < 16) ? 1u << mps : mps);
	}
	if (get_u8(data, len, 4, &cls) && cls != 0)
		sb_addf(sb, " %s", class_name(cls));
}

static void alt_label(struct strbuf *sb, uint8_t cls, uint8_t proto)
{
	if (cls == 0x08) {
		if (proto == 0x50)
			sb_adds(sb, "Mass Storage BOT");
		else if (proto == 0x62)
			sb_adds(sb, "Mass Storage UAS");
		else if (proto <= 0x01)
			sb_adds(sb, "Mass Storage CBI");
		else
			sb_addf(sb, "Mass Storage proto 0x%02x", proto);
		return;
	}
	sb_adds(sb, class_name(cls));
}

/* "-> total=N: I.A class, ..." over a (complete) configuration set. */
static void summary_config(struct strbuf *sb, const uint8_t *data, size_t len)
{
	uint16_t total;
	size_t off = 0, end;
	unsigned shown = 0;

	if (!get_le16(data, len, 2, &total))
		return;
	sb_addf(sb, " -> total=%u", total);
	if (len < total)
		return;
	end = total;
	while (off + 2 <= end) {
		uint8_t bl = data[off], type = data[off + 1];
		uint8_t num, alt, cls, proto;
		if (bl < 2 || bl > end - off)
			break;
		if (type == 0x04 && get_u8(data, end, off + 2, &num) && get_u8(data, end, off + 3, &alt) &&
		    get_u8(data, end, off + 5, &cls) && get_u8(data, end, off + 7, &proto)) {
			if (shown == 8) {
				sb_adds(sb, ", ...");
				shown++;
			} else if (shown < 8) {
				sb_addf(sb, "%s%u.%u ", shown ? ", " : ": ", num, alt);
				alt_label(sb, cls, proto);
				shown++;
			}
		}
		off += bl;
	}
}

static void summary_bos(struct strbuf *sb, const uint8_t *data, size_t len)
{
	uint16_t total;
	size_t off;
	unsigned shown = 0;

	if (!get_le16(data, len, 2, &total))
		return;
	sb_addf(sb, " -> total=%u", total);
	if (len < total || !get_u8(data, len, 0, &(uint8_t){ 0 }))
		return;
	off = data[0];
	while (off + 3 <= total && off + 3 <= len) {
		uint8_t bl = data[off], type = data[off + 1], cap = data[off + 2];
		const char *n;
		if (bl < 3 || bl > total - off)
			break;
		if (type == 0x10) {
			n = usb_cap_type_names[cap];
			if (n)
				sb_addf(sb, "%s%s", shown ? ", " : ": ", n);
			else
				sb_addf(sb, "%scapability 0x%02x", shown ? ", " : ": ", cap);
			shown++;
		}
		off += bl;
	}
}

static void summary_string(struct strbuf *sb, const uint8_t *data, size_t len, unsigned idx)
{
	char text[256];
	uint8_t bl;

	if (!get_u8(data, len, 0, &bl) || len < 2 || data[1] != 3)
		return;
	if (idx == 0) {
		sb_adds(sb, " -> langs");
		for (size_t off = 2; off + 1 < len && off + 1 < bl && off < 2 + 2 * 8; off += 2) {
			uint16_t id = 0;
			get_le16(data, len, off, &id);
			sb_addf(sb, " 0x%04x", id);
		}
		return;
	}
	if (len <= 2 && bl > 2) {
		sb_addf(sb, " -> bLength=%u", bl);
		return;
	}
	usb_string_descriptor(data, len, text, sizeof(text));
	sb_addf(sb, " -> \"%s%s\"", text, len < bl ? "..." : "");
}

static void summary_get_descriptor(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len)
{
	uint8_t type = s[3], idx = s[2];
	uint16_t windex = usb_setup_windex(s), wlen = usb_setup_wlength(s);
	const char *n = desc_type_name(type);
	uint8_t v;

	if (n)
		sb_addf(sb, " %s", n);
	else
		sb_addf(sb, " type=0x%02x", type);
	if (type == 0x03) {
		sb_addf(sb, " idx=%u", idx);
		if (idx)
			sb_addf(sb, " lang=0x%04x", windex);
	} else if (idx) {
		sb_addf(sb, " idx=%u", idx);
	}
	if (rcpt(s) == RCP_INTERFACE)
		sb_addf(sb, " intf=%u", windex & 0xff);
	/* A string that came back whole says more than its wLength (255). */
	if (!(type == 0x03 && data && len >= 2 && data[1] == 0x03 && len >= data[0]))
		sb_addf(sb, " len=%u", wlen);
	if (!data || !len)
		return;
	/* Only describe what came back if it is the descriptor asked for. */
	if (!get_u8(data, len, 1, &v) || (v != type && type != 0x22))
		return;
	switch (type) {
	case 0x01: summary_device_desc(sb, data, len); break;
	case 0x02: case 0x07: summary_config(sb, data, len); break;
	case 0x03: summary_string(sb, data, len, idx); break;
	case 0x06: {
		uint16_t usb;
		if (get_le16(data, len, 2, &usb)) {
			sb_adds(sb, " -> USB ");
			add_bcd(sb, usb);
		}
		break;
	}
	case 0x0f: summary_bos(sb, data, len); break;
	case 0x29: case 0x2a:
		if (get_u8(data, len, 2, &v))
			sb_addf(sb, " -> %u ports", v);
		break;
	default:
		break;
	}
}

static void summary_get_status(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len)
{
	uint16_t st;
	uint16_t windex = usb_setup_windex(s);
	bool any = false;

	switch (rcpt(s)) {
	case RCP_DEVICE:
		sb_adds(sb, " device");
		break;
	case RCP_INTERFACE:
		sb_addf(sb, " intf=%u", windex & 0xff);
		break;
	case RCP_ENDPOINT:
		sb_addf(sb, " ep=0x%02x", windex & 0xff);
		break;
	default:
		sb_addf(sb, " recipient=%u", rcpt(s));
		break;
	}
	if (usb_setup_wvalue(s))
		sb_addf(sb, " type=%u", usb_setup_wvalue(s));
	if (!get_le16(data, len, 0, &st))
		return;
	sb_adds(sb, " ->");
	switch (rcpt(s)) {
	case RCP_DEVICE: {
		static const char *const bits[16] = { NULL, "remote-wakeup", "U1-enabled", "U2-enabled", "LTM-enabled" };
		any = true;               /* every flag after the power source gets a space */
		sb_adds(sb, (st & 1) ? " self-powered" : " bus-powered");
		add_bits(sb, st, bits, &any);
		break;
	}
	case RCP_INTERFACE: {
		static const char *const bits[16] = { "remote-wake-capable", "remote-wakeup" };
		sb_addc(sb, ' ');
		add_bits(sb, st, bits, &any);
		if (!any)
			sb_addf(sb, "0x%04x", st);
		break;
	}
	case RCP_ENDPOINT:
		sb_adds(sb, (st & 1) ? " halted" : " not halted");
		break;
	default:
		sb_addf(sb, " 0x%04x", st);
		break;
	}
}

static void summary_std(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len)
{
	uint16_t wvalue = usb_setup_wvalue(s), windex = usb_setup_windex(s), wlen = usb_setup_wlength(s);
	const char *fn;
	uint8_t v;
	uint16_t w;

	sb_adds(sb, usb_std_request_names[s[1]]);
	switch (s[1]) {
	case 0:
		summary_get_status(sb, s, data, len);
		return;
	case 1: case 3:
		fn = feature_name(rcpt(s), wvalue);
		if (fn)
			sb_addf(sb, " %s", fn);
		else
			sb_addf(sb, " feature=%u", wvalue);
		if (rcpt(s) == RCP_ENDPOINT)
			sb_addf(sb, " ep=0x%02x", windex & 0xff);
		else if (rcpt(s) == RCP_INTERFACE)
			sb_addf(sb, " intf=%u", windex & 0xff);
		if (rcpt(s) == RCP_DEVICE && wvalue == 2)
			sb_addf(sb, " selector=%u", windex >> 8);
		else if (rcpt(s) == RCP_INTERFACE && wvalue == 0)
			sb_addf(sb, " options=0x%02x", windex >> 8);
		return;
	case 5:
		sb_addf(sb, " %u", wvalue);
		return;
	case 6: case 7:
		summary_get_descriptor(sb, s, s[1] == 6 ? data : NULL, len);
		return;
	case 8:
		if (get_u8(data, len, 0, &v))
			sb_addf(sb, " -> %u", v);
		return;
	case 9:
		sb_addf(sb, " %u", wvalue & 0xff);
		return;
	case 10:
		sb_addf(sb, " intf=%u", windex & 0xff);
		if (get_u8(data, len, 0, &v))
			sb_addf(sb, " -> %u", v);
		return;
	case 11:
		sb_addf(sb, " intf=%u alt=%u", windex & 0xff, wvalue & 0xff);
		return;
	case 12:
		sb_addf(sb, " ep=0x%02x", windex & 0xff);
		if (get_le16(data, len, 0, &w))
			sb_addf(sb, " -> frame %u", w);
		return;
	case 48:
		if (len >= 6) {
			uint16_t u2sel = 0, u2pel = 0;
			get_le16(data, len, 2, &u2sel);
			get_le16(data, len, 4, &u2pel);
			sb_addf(sb, " U1SEL=%u U1PEL=%u U2SEL=%u U2PEL=%u us", data[0], data[1], u2sel, u2pel);
		} else {
			sb_addf(sb, " len=%u", wlen);
		}
		return;
	case 49:
		sb_addf(sb, " %u ns", wvalue);
		return;
	default:
		sb_addf(sb, " value=0x%04x index=0x%04x len=%u", wvalue, windex, wlen);
		return;
	}
}

static void summary_hub(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len)
{
	uint16_t wvalue = usb_setup_wvalue(s), windex = usb_setup_windex(s), wlen = usb_setup_wlength(s);
	uint16_t st, ch;
	bool port = rcpt(s) == RCP_OTHER;
	const char *fn;
	uint8_t sel = (uint8_t)(windex >> 8);

	sb_adds(sb, usb_hub_request_names[s[1]]);
	switch (s[1]) {
	case 0:
		if (port)
			sb_addf(sb, " port=%u", windex & 0xff);
		else
			sb_adds(sb, " hub");
		if (wvalue)
			sb_addf(sb, " type=%u", wvalue);
		if (get_le16(data, len, 0, &st)) {
			sb_adds(sb, " -> ");
			if (!get_le16(data, len, 2, &ch))
				ch = 0;
			if (port) {
				port_status_words(sb, st, ch);
			} else {
				bool any = false;
				add_bits(sb, st, usb_hub_status_bits, &any);
				if (!any)
					sb_adds(sb, "ok");
				if (ch) {
					sb_adds(sb, "; changed:");
					add_bits(sb, ch, usb_hub_status_bits, &(bool){ false });
				}
			}
		}
		return;
	case 1: case 3:
		fn = port ? port_feature_name(wvalue) : (wvalue < 256 ? usb_hub_feature_names[wvalue] : NULL);
		if (fn)
			sb_addf(sb, " %s", fn);
		else
			sb_addf(sb, " feature=%u", wvalue);
		if (port) {
			sb_addf(sb, " port=%u", windex & 0xff);
			switch (wvalue) {
			case 5:
				sb_addf(sb, " link=%s", usb_link_state_names[sel & 0xf] ? usb_link_state_names[sel & 0xf] : "reserved");
				break;
			case 21: sb_addf(sb, " selector=%u", sel); break;
			case 22: sb_addf(sb, " indicator=%u", sel); break;
			case 23: case 24: sb_addf(sb, " timeout=%u", sel); break;
			case 27: sb_addf(sb, " mask=0x%02x", sel); break;
			default: break;
			}
		}
		return;
	case 6: case 7:
		summary_get_descriptor(sb, s, s[1] == 6 ? data : NULL, len);
		return;
	case 8:
		sb_addf(sb, " dev=%u ep=%u%s %s port=%u", (wvalue >> 4) & 0x7f, wvalue & 0xf,
			(wvalue & 0x8000) ? " IN" : " OUT", usb_xfer_type_names[(wvalue >> 11) & 3], windex);
		return;
	case 9: case 11:
		sb_addf(sb, " port=%u", windex);
		return;
	case 10:
		sb_addf(sb, " flags=0x%04x port=%u len=%u", wvalue, windex, wlen);
		return;
	case 12:
		sb_addf(sb, " %u", wvalue);
		return;
	case 13:
		sb_addf(sb, " port=%u", windex & 0xff);
		if (get_le16(data, len, 0, &st))
			sb_addf(sb, " -> %u", st);
		return;
	default:
		return;
	}
}

static void add_line_coding(struct strbuf *sb, const uint8_t *data, size_t len)
{
	uint32_t rate;
	uint8_t stop, parity, bits;

	if (!get_le32(data, len, 0, &rate) || !get_u8(data, len, 4, &stop) || !get_u8(data, len, 5, &parity) ||
	    !get_u8(data, len, 6, &bits))
		return;
	sb_addf(sb, "%u %u%c%s", rate, bits, parity < 5 ? usb_cdc_parity_letters[parity] : '?',
		stop < 3 ? usb_cdc_stop_bits_names[stop] : "?");
}

static void summary_cdc(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len)
{
	uint16_t wvalue = usb_setup_wvalue(s), windex = usb_setup_windex(s), wlen = usb_setup_wlength(s);

	sb_adds(sb, usb_cdc_request_names[s[1]]);
	switch (s[1]) {
	case 0x20:
		if (len >= 7) {
			sb_addc(sb, ' ');
			add_line_coding(sb, data, len);
		}
		break;
	case 0x21:
		break;
	case 0x22:
		sb_addf(sb, " DTR=%u RTS=%u", wvalue & 1, (wvalue >> 1) & 1);
		break;
	case 0x23:
		if (wvalue == 0xffff)
			sb_adds(sb, " until cleared");
		else if (wvalue == 0)
			sb_adds(sb, " stop");
		else
			sb_addf(sb, " %u ms", wvalue);
		break;
	case 0x02: case 0x03: case 0x04:
		sb_addf(sb, " %s", wvalue == 1 ? "ABSTRACT_STATE" : wvalue == 2 ? "COUNTRY_SETTING" : "feature");
		if (wvalue != 1 && wvalue != 2)
			sb_addf(sb, "=%u", wvalue);
		break;
	case 0x00: case 0x01:
		sb_addf(sb, " len=%u", wlen);
		break;
	default:
		sb_addf(sb, " value=0x%04x len=%u", wvalue, wlen);
		break;
	}
	sb_addf(sb, " intf=%u", windex & 0xff);
	if (s[1] == 0x21 && len >= 7) {
		sb_adds(sb, " -> ");
		add_line_coding(sb, data, len);
	}
}

static void summary_hid(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len)
{
	uint16_t wvalue = usb_setup_wvalue(s), windex = usb_setup_windex(s), wlen = usb_setup_wlength(s);
	uint8_t v;

	sb_adds(sb, usb_hid_request_names[s[1]]);
	switch (s[1]) {
	case 0x01: case 0x09:
		sb_addf(sb, " %s id=%u intf=%u len=%u", usb_hid_report_type_names[(wvalue >> 8) & 3] ?
			usb_hid_report_type_names[(wvalue >> 8) & 3] : "?", wvalue & 0xff, windex & 0xff, wlen);
		if ((wvalue >> 8) > 3)
			sb_addf(sb, " (report type %u)", wvalue >> 8);
		return;
	case 0x02:
		sb_addf(sb, " id=%u intf=%u", wvalue & 0xff, windex & 0xff);
		if (get_u8(data, len, 0, &v)) {
			if (v)
				sb_addf(sb, " -> %u ms", 4u * v);
			else
				sb_adds(sb, " -> indefinite");
		}
		return;
	case 0x0a:
		if (wvalue >> 8)
			sb_addf(sb, " %u ms", 4u * (wvalue >> 8));
		else
			sb_adds(sb, " indefinite");
		sb_addf(sb, " id=%u intf=%u", wvalue & 0xff, windex & 0xff);
		return;
	case 0x03:
		sb_addf(sb, " intf=%u", windex & 0xff);
		if (get_u8(data, len, 0, &v))
			sb_addf(sb, " -> %s", v == 0 ? "boot" : v == 1 ? "report" : "?");
		return;
	case 0x0b:
		sb_addf(sb, " %s intf=%u", wvalue == 0 ? "boot" : wvalue == 1 ? "report" : "?", windex & 0xff);
		return;
	default:
		return;
	}
}

void usb_control_summary(struct strbuf *sb, const uint8_t setup[8], const uint8_t *data, size_t len)
{
	const uint8_t *s = setup;
	uint16_t wvalue = usb_setup_wvalue(s), windex = usb_setup_windex(s), wlen = usb_setup_wlength(s);
	uint8_t v;

	if (!data)
		len = 0;
	switch (classify(s)) {
	case RK_STANDARD:
		summary_std(sb, s, data, len);
		return;
	case RK_MSC_RESET:
		sb_addf(sb, "Bulk-Only Mass Storage Reset intf=%u", windex & 0xff);
		return;
	case RK_MSC_MAXLUN:
		sb_addf(sb, "GET MAX LUN intf=%u", windex & 0xff);
		if (get_u8(data, len, 0, &v))
			sb_addf(sb, " -> %u", v);
		return;
	case RK_HUB:
		summary_hub(sb, s, data, len);
		return;
	case RK_HID:
		summary_hid(sb, s, data, len);
		return;
	case RK_CDC:
		summary_cdc(sb, s, data, len);
		return;
	case RK_CLASS_UNKNOWN:
	case RK_VENDOR:
	case RK_STANDARD_UNKNOWN:
	case RK_RESERVED:
		break;
	}
	sb_adds(sb, usb_request_name(s));
	if (rcpt(s) == RCP_INTERFACE)
		sb_adds(sb, " (interface)");
	else if (rcpt(s) == RCP_ENDPOINT)
		sb_adds(sb, " (endpoint)");
	else if (rcpt(s) == RCP_OTHER)
		sb_adds(sb, " (other)");
	sb_addf(sb, " value=0x%04x index=0x%04x len=%u", wvalue, windex, wlen);
}

/* --------------------------------------------------------- descriptions */

static const char *const rtype_names[4] = { "standard", "class", "vendor", "reserved" };
static const char *const rcpt_names[4] = { "device", "interface", "endpoint", "other" };

static void describe_setup(struct strbuf *sb, const uint8_t s[8], const char *ind, enum req_kind k)
{
	uint16_t wvalue = usb_setup_wvalue(s), windex = usb_setup_windex(s);
	unsigned rc = rcpt(s);
	char mv[160] = "", mi[96] = "";
	const char *fn;

	line(sb, ind, 0, "bmRequestType: 0x%02x (%s, %s, %s)", s[0], dir_in(s) ? "device-to-host" : "host-to-device",
	     rtype_names[rtype(s)], rc < 4 ? rcpt_names[rc] : "reserved recipient");
	line(sb, ind, 0, "bRequest: 0x%02x (%s)", s[1], usb_request_name(s));

	switch (k) {
	case RK_STANDARD:
		switch (s[1]) {
		case 0:
			if (rc == RCP_INTERFACE)
				snprintf(mi, sizeof(mi), "interface %u", windex & 0xff);
			else if (rc == RCP_ENDPOINT)
				snprintf(mi, sizeof(mi), "endpoint 0x%02x", windex & 0xff);
			break;
		case 1: case 3:
			fn = feature_name(rc, wvalue);
			snprintf(mv, sizeof(mv), "feature %s", fn ? fn : "unknown");
			if (rc == RCP_INTERFACE)
				snprintf(mi, sizeof(mi), "interface %u, options 0x%02x", windex & 0xff, windex >> 8);
			else if (rc == RCP_ENDPOINT)
				snprintf(mi, sizeof(mi), "endpoint 0x%02x", windex & 0xff);
			else if (wvalue == 2)
				snprintf(mi, sizeof(mi), "test selector %u", windex >> 8);
			break;
		case 5:
			snprintf(mv, sizeof(mv), "address %u", wvalue);
			break;
		case 6: case 7: {
			const char *tn = desc_type_name(s[3]);
			snprintf(mv, sizeof(mv), "descriptor %s, index %u", tn ? tn : "unknown", s[2]);
			if (s[3] == 0x03 && s[2])
				snprintf(mi, sizeof(mi), "language 0x%04x", windex);
			else if (rc == RCP_INTERFACE)
				snprintf(mi, sizeof(mi), "interface %u", windex & 0xff);
			break;
		}
		case 9:
			snprintf(mv, sizeof(mv), "configuration %u", wvalue & 0xff);
			break;
		case 10:
			snprintf(mi, sizeof(mi), "interface %u", windex & 0xff);
			break;
		case 11:
			snprintf(mv, sizeof(mv), "alternate setting %u", wvalue & 0xff);
			snprintf(mi, sizeof(mi), "interface %u", windex & 0xff);
			break;
		case 12:
			snprintf(mi, sizeof(mi), "endpoint 0x%02x", windex & 0xff);
			break;
		case 49:
			snprintf(mv, sizeof(mv), "%u ns", wvalue);
			break;
		default:
			break;
		}
		break;
	case RK_MSC_RESET:
	case RK_MSC_MAXLUN:
	case RK_CDC:
		snprintf(mi, sizeof(mi), "interface %u", windex & 0xff);
		if (k == RK_CDC && s[1] == 0x22)
			snprintf(mv, sizeof(mv), "DTR %s, RTS %s", (wvalue & 1) ? "on" : "off", (wvalue & 2) ? "on" : "off");
		else if (k == RK_CDC && s[1] == 0x23)
			snprintf(mv, sizeof(mv), "break %u ms%s", wvalue, wvalue == 0xffff ? " (until cleared)" : "");
		break;
	case RK_HID:
		snprintf(mi, sizeof(mi), "interface %u", windex & 0xff);
		if (s[1] == 0x01 || s[1] == 0x09)
			snprintf(mv, sizeof(mv), "report type %s, report id %u",
				 usb_hid_report_type_names[(wvalue >> 8) & 3], wvalue & 0xff);
		else if (s[1] == 0x0a)
			snprintf(mv, sizeof(mv), "duration %u ms%s, report id %u", 4u * (wvalue >> 8),
				 (wvalue >> 8) ? "" : " (indefinite)", wvalue & 0xff);
		else if (s[1] == 0x02)
			snprintf(mv, sizeof(mv), "report id %u", wvalue & 0xff);
		else if (s[1] == 0x0b)
			snprintf(mv, sizeof(mv), "%s protocol", wvalue == 0 ? "boot" : wvalue == 1 ? "report" : "unknown");
		break;
	case RK_HUB:
		if (s[1] == 1 || s[1] == 3) {
			fn = rc == RCP_OTHER ? port_feature_name(wvalue) : (wvalue < 256 ? usb_hub_feature_names[wvalue] : NULL);
			snprintf(mv, sizeof(mv), "feature %s", fn ? fn : "unknown");
		} else if (s[1] == 6 || s[1] == 7) {
			const char *tn = desc_type_name(s[3]);
			snprintf(mv, sizeof(mv), "descriptor %s, index %u", tn ? tn : "unknown", s[2]);
		}
		if (rc == RCP_OTHER || s[1] == 8 || s[1] == 9 || s[1] == 11 || s[1] == 13) {
			if (windex >> 8)
				snprintf(mi, sizeof(mi), "port %u, selector 0x%02x", windex & 0xff, windex >> 8);
			else
				snprintf(mi, sizeof(mi), "port %u", windex & 0xff);
		}
		break;
	default:
		break;
	}
	if (mv[0])
		line(sb, ind, 0, "wValue: 0x%04x (%s)", wvalue, mv);
	else
		line(sb, ind, 0, "wValue: 0x%04x", wvalue);
	if (mi[0])
		line(sb, ind, 0, "wIndex: 0x%04x (%s)", windex, mi);
	else
		line(sb, ind, 0, "wIndex: 0x%04x", windex);
	line(sb, ind, 0, "wLength: %u", usb_setup_wlength(s));
}

static void describe_bits_line(struct strbuf *sb, const char *ind, const char *name, uint16_t v,
			       const char *const bits[16])
{
	struct strbuf t = STRBUF_INIT;
	bool any = false;

	add_bits(&t, v, bits, &any);
	line(sb, ind, 1, "%s: 0x%04x%s%s%s", name, v, any ? " (" : "", any ? t.buf : "", any ? ")" : "");
	sb_release(&t);
}

static void describe_data(struct strbuf *sb, const uint8_t s[8], const uint8_t *data, size_t len, const char *ind,
			  enum req_kind k)
{
	uint16_t st, ch;
	uint8_t v;

	if (k == RK_STANDARD && s[1] == 6) {
		if (s[3] == 0x22) {
			line(sb, ind, 0, "HID report descriptor (%zu bytes):", len);
			hex_lines(sb, ind, 1, data, len);
			return;
		}
		struct walk w;
		memset(&w, 0, sizeof(w));
		w.sb = sb;
		w.indent = ind;
		w.string_index = s[3] == 0x03 ? s[2] : -1;
		w.len = len;
		w.asked = usb_setup_wlength(s);
		walk_all(&w, data, len);
		return;
	}
	if (k == RK_HUB && s[1] == 6) {
		usb_descriptors_describe(sb, data, len, ind);
		return;
	}
	if (k == RK_HUB && s[1] == 0 && get_le16(data, len, 0, &st)) {
		if (!get_le16(data, len, 2, &ch))
			ch = 0;
		if (rcpt(s) == RCP_OTHER) {
			bool ss = port_status_is_ss(st);
			line(sb, ind, 0, "port status (%s layout):", ss ? "USB 3.2" : "USB 2.0");
			describe_bits_line(sb, ind, "wPortStatus", st, ss ? usb_port_status3_bits : usb_port_status2_bits);
			if (ss)
				line(sb, ind, 2, "link state: %u (%s), speed field: %u", (st >> 5) & 0xf,
				     usb_link_state_names[(st >> 5) & 0xf] ? usb_link_state_names[(st >> 5) & 0xf] : "reserved",
				     (st >> 10) & 7);
			if (len >= 4)
				describe_bits_line(sb, ind, "wPortChange", ch, ss ? usb_port_change3_bits : usb_port_change2_bits);
		} else {
			line(sb, ind, 0, "hub status:");
			describe_bits_line(sb, ind, "wHubStatus", st, usb_hub_status_bits);
			if (len >= 4)
				describe_bits_line(sb, ind, "wHubChange", ch, usb_hub_status_bits);
		}
		return;
	}
	if (k == RK_STANDARD && s[1] == 0 && get_le16(data, len, 0, &st)) {
		static const char *const dev[16] = { "self-powered", "remote-wakeup", "U1-enabled", "U2-enabled", "LTM-enabled" };
		static const char *const intf[16] = { "remote-wake-capable", "remote-wakeup" };
		static const char *const ep[16] = { "halt" };
		line(sb, ind, 0, "status:");
		describe_bits_line(sb, ind, "wStatus", st, rcpt(s) == RCP_DEVICE ? dev : rcpt(s) == RCP_INTERFACE ? intf : ep);
		return;
	}
	if (k == RK_MSC_MAXLUN && get_u8(data, len, 0, &v)) {
		line(sb, ind, 0, "max LUN: %u (%u logical units)", v, v + 1u);
		return;
	}
	if (k == RK_CDC && (s[1] == 0x20 || s[1] == 0x21) && len >= 7) {
		uint32_t rate = 0;
		get_le32(data, len, 0, &rate);
		line(sb, ind, 0, "line coding:");
		line(sb, ind, 1, "dwDTERate: %u", rate);
		line(sb, ind, 1, "bCharFormat: %u (%s stop bits)", data[4], data[4] < 3 ? usb_cdc_stop_bits_names[data[4]] : "?");
		line(sb, ind, 1, "bParityType: %u (%c)", data[5], data[5] < 5 ? usb_cdc_parity_letters[data[5]] : '?');
		line(sb, ind, 1, "bDataBits: %u", data[6]);
		return;
	}
	if (k == RK_HID && s[1] == 0x02 && get_u8(data, len, 0, &v)) {
		line(sb, ind, 0, "idle rate: %u (%u ms%s)", v, 4u * v, v ? "" : ", indefinite");
		return;
	}
	if (k == RK_HID && s[1] == 0x03 && get_u8(data, len, 0, &v)) {
		line(sb, ind, 0, "protocol: %u (%s)", v, v == 0 ? "boot" : v == 1 ? "report" : "unknown");
		return;
	}
	if (k == RK_STANDARD && (s[1] == 8 || s[1] == 10) && get_u8(data, len, 0, &v)) {
		line(sb, ind, 0, "%s: %u", s[1] == 8 ? "configuration" : "alternate setting", v);
		return;
	}
	if (k == RK_STANDARD && s[1] == 48 && len >= 6) {
		uint16_t a = 0, b = 0;
		get_le16(data, len, 2, &a);
		get_le16(data, len, 4, &b);
		line(sb, ind, 0, "system exit latencies:");
		line(sb, ind, 1, "U1SEL: %u us", data[0]);
		line(sb, ind, 1, "U1PEL: %u us", data[1]);
		line(sb, ind, 1, "U2SEL: %u us", a);
		line(sb, ind, 1, "U2PEL: %u us", b);
		return;
	}
	line(sb, ind, 0, "data (%zu bytes):", len);
	hex_lines(sb, ind, 1, data, len);
}

void usb_control_describe(struct strbuf *sb, const uint8_t setup[8], const uint8_t *data, size_t len,
			  const char *indent)
{
	enum req_kind k = classify(setup);
	const char *ind = indent ? indent : "";

	describe_setup(sb, setup, ind, k);
	if (data && len)
		describe_data(sb, setup, data, len, ind, k);
}
