/* pcapng_own.c - the pcapng reader, for every pcapng file: our own block reader, so that frame numbers equal Wireshark's. */
#include "config.h"
#include "capture/reader.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

/*
 * Format: the pcapng specification, draft-ietf-opsawg-pcapng
 * (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/):
 *
 *   3.1  every block: type u32, total length u32, body, total length u32;
 *        the total length is a multiple of 4 and at least 12.
 *   4.1  Section Header Block 0x0A0D0D0A: byte-order magic 0x1A2B3C4D (its
 *        byte order is the section's), major u16, minor u16, section
 *        length s64, options.  A new SHB starts a new section with its own
 *        byte order and its own interface list.
 *   4.2  Interface Description Block 1: link type u16, reserved u16,
 *        snaplen u32 (0 = no limit), options; if_tsresol (9, 1 byte:
 *        bit 7 clear = 10^-n s, set = 2^-n s; default 10^-6) and
 *        if_tsoffset (14, s64 seconds added to every time stamp).
 *   4.3  Enhanced Packet Block 6: interface u32, timestamp high u32, low
 *        u32, captured length u32, original length u32, data padded to 4,
 *        options.
 *   4.4  Simple Packet Block 3: original length u32, data.  Interface 0;
 *        the captured length is the smallest of the original length, the
 *        interface's snaplen and what the block holds.  No time stamp.
 *   Appendix: the obsolete Packet Block 2: interface u16, drops u16, then
 *        as the EPB.
 * Every other block type is skipped by its length.
 *
 * Which blocks are frames.  Frame numbers must equal Wireshark's, and
 * Wireshark numbers every block its wiretap/pcapng.c returns as a record
 * (the ones it does not mark "internal").  Checked against the source and
 * against tshark 4.0.17 with crafted files: EPB, SPB and PB; the systemd
 * Journal Export Block (9); the Custom Blocks (0x00000BAD, 0x40000BAD); and
 * the Sysdig event blocks 0x204, 0x216 and 0x221 are frames.  SHB, IDB, NRB,
 * ISB, DSB, the Sysdig meta blocks and unknown types are not.  The Sysdig
 * "event with flags" blocks (0x208, 0x217, 0x222) are skipped by tshark
 * 4.0.17 (newer Wireshark returns them as records); we follow 4.0.17, the
 * reference the project's captures were numbered with.  Frames that are not
 * packets are counted and skipped.
 *
 * Byte order: libpcap swaps usbmon headers (link types 189 and 220) written
 * on a host of the other byte order (pcap-common.c, swap_linux_usb_header);
 * we leave the bytes alone and tell lt_usbmon.c with usb_pkt.swapped.
 *
 * Lengths: for link type 220 libpcap corrects the original length of
 * completions of incoming isochronous transfers written by old libpcap,
 * which computed it from the URB length instead of the iso descriptors
 * (pcap-common.c fixup_pcap_pkthdr and pcap-usb-linux-common.c
 * fix_linux_usb_mmapped_length, applied to every pcap and pcapng packet).
 * usbmon_mmapped_len() (linktype.c) applies the same rule so that a file
 * gives the same events as libpcap gives.
 *
 * Why not libpcap: every pcapng file is read here (classic pcap by our
 * other reader, pcap_own.c).  libpcap's pcapng reader (sf-pcapng.c) returns
 * only EPB, SPB and PB and silently drops the other blocks Wireshark
 * numbers as frames (Custom, systemd Journal Export, Sysdig events), so
 * its packet count would drift from Wireshark's frame numbers.  It also
 * refuses a file whose interfaces have different link types (what dumpcap
 * writes for usbmon plus Ethernet) and a later section whose link type
 * differs from the first, failing half-way through the file.
 */

#define BT_SHB                   0x0A0D0D0Au
#define BT_IDB                   0x00000001u
#define BT_PB                    0x00000002u
#define BT_SPB                   0x00000003u
#define BT_EPB                   0x00000006u
#define BT_SYSTEMD_JOURNAL       0x00000009u
#define BT_SYSDIG_EVENT          0x00000204u
#define BT_SYSDIG_EVENT_V2       0x00000216u
#define BT_SYSDIG_EVENT_V2_LARGE 0x00000221u
#define BT_CUSTOM_COPY           0x00000BADu
#define BT_CUSTOM_NO_COPY        0x40000BADu

#define OPT_ENDOFOPT      0
#define IF_TSRESOL        9
#define IF_TSOFFSET       14

/* Smallest total length of each block type we parse (header, fixed part, trailer). */
#define MIN_BLOCK 12u
#define MIN_SHB   28u
#define MIN_IDB   20u
#define MIN_EPB   32u
#define MIN_PB    32u
#define MIN_SPB   16u

/* Documented limits: interfaces per section (an EPB could name 2^32 of
 * them; each costs a few bytes of memory), and distinct link types we
 * remember for the "no USB packets" message. */
#define NG_MAX_IFACES    65536u
#define NG_MAX_LINKTYPES 8
#define NG_ISO_MAX       256

struct ng_iface {
	int linktype;
	uint32_t snaplen;         /* 0: no limit */
	bool supported;
	bool binary;              /* resolution 2^-shift instead of 10^-n */
	uint8_t shift;
	uint64_t units;           /* time-stamp units per second */
	int64_t tsoffset;         /* seconds */
};

struct pcapng_own {
	bool have_section;
	bool be;                  /* byte order of the current section */
	struct ng_iface *ifaces;
	uint32_t nifaces, ifaces_cap;

	uint64_t usb_packets;     /* packets on USB/Bluetooth interfaces */
	uint64_t other_packets;   /* packets on other interfaces */
	bool saw_supported_idb;
	int linktypes[NG_MAX_LINKTYPES];  /* link types we do not read, for the message */
	unsigned nlinktypes;
	bool more_linktypes;

	struct usb_iso_desc iso[NG_ISO_MAX];
};

/* One block, read whole.  body points after the 8-byte header; body_len
 * excludes the trailer. */
struct ng_block {
	uint32_t type;
	uint32_t total;
	const uint8_t *body;
	uint32_t body_len;
	uint64_t offset;
	bool be;
};

static bool is_frame_block(uint32_t type)
{
	switch (type) {
	case BT_EPB:
	case BT_SPB:
	case BT_PB:
	case BT_SYSTEMD_JOURNAL:
	case BT_SYSDIG_EVENT:
	case BT_SYSDIG_EVENT_V2:
	case BT_SYSDIG_EVENT_V2_LARGE:
	case BT_CUSTOM_COPY:
	case BT_CUSTOM_NO_COPY:
		return true;
	default:
		return false;
	}
}

static const char *block_name(uint32_t type)
{
	switch (type) {
	case BT_SHB: return "Section Header Block";
	case BT_IDB: return "Interface Description Block";
	case BT_EPB: return "Enhanced Packet Block";
	case BT_SPB: return "Simple Packet Block";
	case BT_PB: return "Packet Block";
	default: return "block";
	}
}

static uint32_t min_block_len(uint32_t type)
{
	switch (type) {
	case BT_SHB: return MIN_SHB;
	case BT_IDB: return MIN_IDB;
	case BT_EPB: return MIN_EPB;
	case BT_PB: return MIN_PB;
	case BT_SPB: return MIN_SPB;
	default: return MIN_BLOCK;
	}
}

/* The frame number an error at the next block belongs to. */
static uint64_t next_frame(const struct cap *c)
{
	return c->frames + 1;
}

/* An error from the input layer: keep its message and offset, add the frame. */
static int read_failed(struct cap *c, struct error *err)
{
	if (err) {
		err->frame = next_frame(c);
		if (!err->set)
			error_set(err, next_frame(c), input_offset(c->in), "read error");
	}
	return -1;
}

/*
 * Look at the next block header without consuming it.  Returns 1 with
 * *type, *total and *be set, 0 at the clean end of the file, -1 on error.
 */
static int peek_header(struct cap *c, struct pcapng_own *ng, uint32_t *type, uint32_t *total, bool *be,
		       struct error *err)
{
	uint64_t off = input_offset(c->in);
	size_t got;
	const uint8_t *h = input_peek(c->in, 12, &got, err);

	if (!h)
		return read_failed(c, err);
	if (got == 0)
		return 0;
	if (got >= 4 && h[0] == 0x0a && h[1] == 0x0d && h[2] == 0x0d && h[3] == 0x0a) {
		/* SHB: the type reads the same in both orders; the byte-order
		 * magic after the length says how to read the length. */
		if (got < 12)
			return error_set(err, next_frame(c), off,
					 "the file ends %zu bytes into a Section Header Block (its header is 12 bytes)", got);
		if (h[8] == 0x1a && h[9] == 0x2b && h[10] == 0x3c && h[11] == 0x4d)
			*be = true;
		else if (h[8] == 0x4d && h[9] == 0x3c && h[10] == 0x2b && h[11] == 0x1a)
			*be = false;
		else
			return error_set(err, next_frame(c), off,
					 "Section Header Block has byte-order magic %02x %02x %02x %02x; "
					 "expected 1a 2b 3c 4d (big-endian) or 4d 3c 2b 1a (little-endian)",
					 h[8], h[9], h[10], h[11]);
		*type = BT_SHB;
	} else {
		if (!ng->have_section)
			return error_set(err, next_frame(c), off,
					 "the file does not start with a Section Header Block (0a 0d 0d 0a)");
		if (got < 8)
			return error_set(err, next_frame(c), off,
					 "the file ends %zu bytes into a block header (8 bytes: type and length)", got);
		*be = ng->be;
		get_u32(h, got, 0, *be, type);
	}
	get_u32(h, got, 4, *be, total);
	if (*total < MIN_BLOCK)
		return error_set(err, next_frame(c), off,
				 "%s (type 0x%08x) has total length %u; the smallest block is 12 bytes",
				 block_name(*type), *type, *total);
	if (*total % 4)
		return error_set(err, next_frame(c), off,
				 "%s (type 0x%08x) has total length %u, not a multiple of 4",
				 block_name(*type), *type, *total);
	if (*total > CAP_MAX_RECORD)
		return error_set(err, next_frame(c), off,
				 "%s (type 0x%08x) claims %u bytes, more than the %u scsiscope accepts",
				 block_name(*type), *type, *total, CAP_MAX_RECORD);
	if (*total < min_block_len(*type))
		return error_set(err, next_frame(c), off,
				 "%s has total length %u; it needs at least %u bytes",
				 block_name(*type), *total, min_block_len(*type));
	return 1;
}

/* Read the whole next block.  Returns 1, 0 at the clean end, -1 on error. */
static int read_block(struct cap *c, struct pcapng_own *ng, struct ng_block *b, struct error *err)
{
	uint64_t off = input_offset(c->in);
	uint32_t trailer = 0;
	const uint8_t *p;
	size_t got;
	int rc = peek_header(c, ng, &b->type, &b->total, &b->be, err);

	if (rc <= 0)
		return rc;
	p = input_need(c->in, b->total, &got, err);
	if (!p)
		return read_failed(c, err);
	if (got < b->total)
		return error_set(err, next_frame(c), off,
				 "the file ends inside this %s: it declares %u bytes, only %zu remain",
				 block_name(b->type), b->total, got);
	get_u32(p, got, b->total - 4, b->be, &trailer);
	if (trailer != b->total)
		return error_set(err, next_frame(c), off,
				 "%s has total length %u at its start but %u at its end; they must be equal",
				 block_name(b->type), b->total, trailer);
	b->body = p + 8;
	b->body_len = b->total - 12;
	b->offset = off;
	return 1;
}

/* ------------------------------------------------------------ SHB, IDB */

static int do_shb(struct cap *c, struct pcapng_own *ng, const struct ng_block *b, struct error *err)
{
	uint16_t major = 0, minor = 0;

	get_u16(b->body, b->body_len, 4, b->be, &major);
	get_u16(b->body, b->body_len, 6, b->be, &minor);
	if (major != 1)
		return error_set(err, next_frame(c), b->offset,
				 "Section Header Block has pcapng version %u.%u; scsiscope reads version 1.x",
				 major, minor);
	if (!ng->have_section)
		c->info.big_endian = b->be;
	ng->have_section = true;
	ng->be = b->be;
	ng->nifaces = 0;          /* a section has its own interfaces */
	return 0;
}

static void note_linktype(struct pcapng_own *ng, int lt)
{
	for (unsigned i = 0; i < ng->nlinktypes; i++)
		if (ng->linktypes[i] == lt)
			return;
	if (ng->nlinktypes < NG_MAX_LINKTYPES)
		ng->linktypes[ng->nlinktypes++] = lt;
	else
		ng->more_linktypes = true;
}

static int idb_options(struct cap *c, const struct ng_block *b, struct ng_iface *ifc, struct error *err)
{
	uint32_t off = 8;
	bool saw_resol = false, saw_offset = false;

	while (b->body_len - off >= 4) {
		uint16_t code = 0, len = 0;
		uint32_t padded;
		const uint8_t *v;

		get_u16(b->body, b->body_len, off, b->be, &code);
		get_u16(b->body, b->body_len, off + 2, b->be, &len);
		off += 4;
		padded = ((uint32_t)len + 3) & ~3u;
		if (padded > b->body_len - off)
			return error_set(err, next_frame(c), b->offset,
					 "Interface Description Block option %u has %u bytes but only %u are left in the block",
					 code, len, b->body_len - off);
		v = b->body + off;
		off += padded;
		if (code == OPT_ENDOFOPT)
			break;
		if (code == IF_TSRESOL && !saw_resol) {
			uint8_t r = 0;
			if (len != 1)
				return error_set(err, next_frame(c), b->offset,
						 "if_tsresol option has %u bytes; expected 1", len);
			get_u8(v, len, 0, &r);
			saw_resol = true;
			if (r & 0x80) {
				if ((r & 0x7f) > 63)
					return error_set(err, next_frame(c), b->offset,
							 "if_tsresol 2^-%u is finer than a 64-bit time stamp can count (2^-63 at most)",
							 r & 0x7f);
				ifc->binary = true;
				ifc->shift = r & 0x7f;
				ifc->units = (uint64_t)1 << ifc->shift;
			} else {
				if (r > 19)
					return error_set(err, next_frame(c), b->offset,
							 "if_tsresol 10^-%u is finer than a 64-bit time stamp can count (10^-19 at most)",
							 r);
				ifc->binary = false;
				ifc->units = 1;
				for (unsigned i = 0; i < r; i++)
					ifc->units *= 10;
			}
		} else if (code == IF_TSOFFSET && !saw_offset) {
			uint64_t o = 0;
			if (len != 8)
				return error_set(err, next_frame(c), b->offset,
						 "if_tsoffset option has %u bytes; expected 8", len);
			get_u64(v, len, 0, b->be, &o);
			ifc->tsoffset = (int64_t)o;
			saw_offset = true;
		}
	}
	return 0;
}

static int do_idb(struct cap *c, struct pcapng_own *ng, const struct ng_block *b, struct error *err)
{
	struct ng_iface ifc;
	uint16_t lt = 0;

	memset(&ifc, 0, sizeof(ifc));
	get_u16(b->body, b->body_len, 0, b->be, &lt);
	get_u32(b->body, b->body_len, 4, b->be, &ifc.snaplen);
	ifc.linktype = lt;
	ifc.supported = cap_linktype_supported(lt);
	ifc.units = 1000000;      /* default resolution: microseconds */
	if (idb_options(c, b, &ifc, err) < 0)
		return -1;
	if (ng->nifaces >= NG_MAX_IFACES)
		return error_set(err, next_frame(c), b->offset,
				 "more than %u Interface Description Blocks in one section", NG_MAX_IFACES);
	if (ng->nifaces == ng->ifaces_cap) {
		uint32_t ncap = ng->ifaces_cap ? ng->ifaces_cap * 2 : 8;
		struct ng_iface *n = realloc(ng->ifaces, (size_t)ncap * sizeof(*n));
		if (!n)
			return error_set(err, next_frame(c), b->offset, "out of memory");
		ng->ifaces = n;
		ng->ifaces_cap = ncap;
	}
	ng->ifaces[ng->nifaces++] = ifc;
	if (!ifc.supported)
		note_linktype(ng, lt);
	if (ifc.supported) {
		ng->saw_supported_idb = true;
		if (c->info.linktype < 0) {
			c->info.linktype = lt;
			c->info.snaplen = ifc.snaplen;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- packets */

/* Time stamp in ns since the epoch, computed as libpcap does (sf-pcapng.c):
 * seconds = t / units + tsoffset, fraction scaled to nanoseconds. */
static int64_t ts_to_ns(const struct ng_iface *ifc, uint64_t t)
{
	uint64_t sec = t / ifc->units, frac = t % ifc->units, ns;

	if (ifc->binary) {
		if (ifc->shift <= 34)
			ns = (frac * 1000000000u) >> ifc->shift;
		else    /* frac * 1e9 would overflow: drop low bits first (error < 1 ns) */
			ns = ((frac >> (ifc->shift - 34)) * 1000000000u) >> 34;
	} else if (ifc->units <= 1000000000u) {
		ns = frac * (1000000000u / ifc->units);
	} else {
		ns = frac / (ifc->units / 1000000000u);
	}
	sec += (uint64_t)ifc->tsoffset;
	return (int64_t)(sec * 1000000000u + ns);
}

/*
 * epb_dropcount (pcapng, EPB option 4, 8 bytes): the packets lost between
 * this one and the one before it.  Options follow the padded packet data;
 * an option that does not fit ends the search (the packet still counts:
 * options are metadata, and a damaged one takes nothing from the packet).
 */
static uint64_t epb_dropcount(const struct ng_block *b, uint32_t caplen)
{
	size_t off = 20 + (((size_t)caplen + 3) & ~(size_t)3);
	uint64_t drops = 0;

	while (bytes_fit(b->body_len, off, 4)) {
		uint16_t code = 0, len = 0;
		get_u16(b->body, b->body_len, off, b->be, &code);
		get_u16(b->body, b->body_len, off + 2, b->be, &len);
		if (code == 0 || !bytes_fit(b->body_len, off + 4, len))
			break;
		if (code == 4 && len == 8) {
			get_u64(b->body, b->body_len, off + 4, b->be, &drops);
			break;
		}
		off += 4 + (((size_t)len + 3) & ~(size_t)3);
	}
	return drops;
}

/*
 * A packet block: check it, number it, and deliver it if its interface
 * has a link type we read.  Returns 1 with rec filled, 0 when the frame is
 * not delivered, -1 on error.
 */
static int do_packet(struct cap *c, struct pcapng_own *ng, const struct ng_block *b, struct cap_record *rec,
		     struct error *err)
{
	uint32_t iface = 0, caplen = 0, len = 0, hi = 0, lo = 0, room;
	const uint8_t *data;
	const struct ng_iface *ifc;
	struct usb_pkt pkt;
	int rc;

	if (b->type == BT_SPB) {
		get_u32(b->body, b->body_len, 0, b->be, &len);
		room = b->body_len - 4;
		data = b->body + 4;
	} else {
		if (b->type == BT_EPB) {
			get_u32(b->body, b->body_len, 0, b->be, &iface);
		} else {
			uint16_t i16 = 0;
			get_u16(b->body, b->body_len, 0, b->be, &i16);
			iface = i16;
		}
		get_u32(b->body, b->body_len, 4, b->be, &hi);
		get_u32(b->body, b->body_len, 8, b->be, &lo);
		get_u32(b->body, b->body_len, 12, b->be, &caplen);
		get_u32(b->body, b->body_len, 16, b->be, &len);
		room = b->body_len - 20;
		data = b->body + 20;
		if (caplen > room)
			return error_set(err, next_frame(c), b->offset,
					 "%s says %u bytes were captured but holds only %u",
					 block_name(b->type), caplen, room);
	}
	if (iface >= ng->nifaces)
		return error_set(err, next_frame(c), b->offset,
				 "%s is on interface %u, but the section has %u Interface Description Block%s before it",
				 block_name(b->type), iface, ng->nifaces, ng->nifaces == 1 ? "" : "s");
	ifc = &ng->ifaces[iface];
	if (b->type == BT_SPB) {
		caplen = len < room ? len : room;
		if (ifc->snaplen && caplen > ifc->snaplen)
			caplen = ifc->snaplen;
	}

	c->frames++;
	if (!ifc->supported) {
		/* not USB/Bluetooth: numbered and counted, not delivered */
		ng->other_packets++;
		c->skipped++;
		return 0;
	}
	ng->usb_packets++;

	pkt.buf = caplen ? data : NULL;
	pkt.caplen = caplen;
	pkt.len = len;
	if (ifc->linktype == LINKTYPE_USB_LINUX_MMAPPED)
		pkt.len = usbmon_mmapped_len(data, caplen, len, b->be);
	pkt.ts_ns = ts_to_ns(ifc, ((uint64_t)hi << 32) | lo);
	pkt.frame = c->frames;
	pkt.offset = b->offset;
	pkt.swapped = (ifc->linktype == LINKTYPE_USB_LINUX || ifc->linktype == LINKTYPE_USB_LINUX_MMAPPED) &&
		      b->be != CAP_HOST_BE;
	rc = cap_parse_linktype(ifc->linktype, &pkt, rec, ng->iso, NG_ISO_MAX, err);
	if (rc < 0)
		return -1;
	if (rc > 0 && rec->kind == CAP_REC_USB && b->type == BT_EPB)
		rec->u.usb.drops = epb_dropcount(b, caplen);
	if (rc == 0)
		c->skipped++;
	return rc;
}

/* -------------------------------------------------------------- reader */

/* Clean end of the file: complain if nothing in it was USB or Bluetooth. */
static int at_end(struct pcapng_own *ng, struct error *err)
{
	char list[200];
	size_t n = 0;

	if (ng->usb_packets || (ng->saw_supported_idb && ng->other_packets == 0))
		return 0;       /* USB packets, or a USB capture that holds none */
	list[0] = '\0';
	for (unsigned i = 0; i < ng->nlinktypes && n < sizeof(list); i++) {
		const char *name = cap_linktype_name(ng->linktypes[i]);
		int w = strcmp(name, "unknown") == 0
			? snprintf(list + n, sizeof(list) - n, "%s%d", i ? ", " : "", ng->linktypes[i])
			: snprintf(list + n, sizeof(list) - n, "%s%d (%s)", i ? ", " : "", ng->linktypes[i], name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (ng->nlinktypes == 0)
		return error_set(err, 0, ERROR_NO_OFFSET,
				 "no USB or Bluetooth HCI packets: the file has no Interface Description Block");
	return error_set(err, 0, ERROR_NO_OFFSET,
			 "no USB or Bluetooth HCI packets: the file holds only link type%s %s%s "
			 "(scsiscope reads 189, 220, 249, 266, 187 and 201)",
			 ng->nlinktypes > 1 ? "s" : "", list, ng->more_linktypes ? ", ..." : "");
}

/* Process the next block.  Returns 1 with rec filled, 2 for a block that
 * delivered nothing, 0 at the end, -1 on error. */
static int step(struct cap *c, struct pcapng_own *ng, struct cap_record *rec, struct error *err)
{
	struct ng_block b;
	int rc = read_block(c, ng, &b, err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return at_end(ng, err) < 0 ? -1 : 0;
	switch (b.type) {
	case BT_SHB:
		return do_shb(c, ng, &b, err) < 0 ? -1 : 2;
	case BT_IDB:
		return do_idb(c, ng, &b, err) < 0 ? -1 : 2;
	case BT_EPB:
	case BT_SPB:
	case BT_PB:
		rc = do_packet(c, ng, &b, rec, err);
		return rc < 0 ? -1 : rc > 0 ? 1 : 2;
	default:
		if (is_frame_block(b.type)) {
			/* A record for Wireshark (see the top), not a packet. */
			c->frames++;
			c->skipped++;
		}
		return 2;
	}
}

static int pcapng_own_next(struct cap *c, struct cap_record *rec, struct error *err)
{
	struct pcapng_own *ng = c->priv;

	for (;;) {
		int rc = step(c, ng, rec, err);
		if (rc != 2)
			return rc;
	}
}

static void pcapng_own_close(struct cap *c)
{
	struct pcapng_own *ng = c->priv;

	if (!ng)
		return;
	free(ng->ifaces);
	free(ng);
	c->priv = NULL;
}

static const struct cap_reader_ops pcapng_own_ops = {
	.name = "pcapng",
	.next = pcapng_own_next,
	.close = pcapng_own_close,
};

int pcapng_own_open(struct cap *c, struct error *err)
{
	struct pcapng_own *ng = calloc(1, sizeof(*ng));

	if (!ng)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	c->priv = ng;
	c->ops = &pcapng_own_ops;
	c->info.format = CAP_FORMAT_PCAPNG;
	c->info.linktype = -1;
	c->info.snaplen = 0;

	/* Read the blocks before the first frame (SHB, IDBs...), so that
	 * cap_get_info() knows the byte order and link type after cap_open(). */
	for (;;) {
		uint32_t type = 0, total = 0;
		bool be = false;
		int rc = peek_header(c, ng, &type, &total, &be, err);

		if (rc < 0)
			goto fail;
		if (rc == 0 || is_frame_block(type))
			break;
		if (step(c, ng, NULL, err) < 0)
			goto fail;
	}
	return 0;
fail:
	pcapng_own_close(c);
	c->ops = NULL;
	return -1;
}
