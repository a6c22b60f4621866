/* gen-usbmon.c - write a large, deterministic usbmon (link type 220) pcap or pcapng of a decodable Bulk-Only mass-storage session, for the benchmarks. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/writer.h"
#include "util/strbuf.h"

/*
 * The session is what Linux usb-storage produces for a disk on a
 * SuperSpeed xHCI port, modelled on the project's own rig capture
 * (shared/captures/rig/bot-xhci.pcap).  It starts where usbcore starts
 * talking to the device at its new address, so that decoders (scsiscope,
 * Wireshark) learn the interface class and endpoints the normal way:
 *
 *   GET_DESCRIPTOR DEVICE (18 bytes), CONFIGURATION (9, then all 44),
 *   STRING 0 (language ids), 2, 1, 3 (product, manufacturer, serial),
 *   SET_CONFIGURATION 1, then the class request GET MAX LUN (answer 0)
 *
 * Control transfers on endpoint 0: setup packet on the submit, IN data on
 * the completion.  Descriptor layouts: USB 3.2 specification 9.6.1
 * (device), 9.6.3 (configuration), 9.6.5 (interface), 9.6.6 (endpoint),
 * 9.6.7 (SuperSpeed endpoint companion), 9.6.9 (string); requests 9.4.3
 * and 9.4.7.  The interface is class 08h (mass storage), subclass 06h
 * (SCSI transparent command set), protocol 50h (Bulk-Only); GET MAX LUN is
 * request FEh, bmRequestType A1h (Bulk-Only Transport 1.0, 3.2).
 *
 * Then the SCSI commands, per command
 *
 *   CBW   submit + complete on bulk OUT, 31 bytes      (same URB as the CSW)
 *   data  submit + complete on bulk IN or OUT          (scatter-gather URB)
 *   CSW   submit + complete on bulk IN, 13 bytes
 *
 * OUT data is captured on the submit, IN data on the completion, as usbmon
 * does.  CBW/CSW layout: USB Mass Storage Class Bulk-Only Transport 1.0,
 * section 5.1 (CBW, signature 43425355h "USBC") and 5.2 (CSW, 53425355h
 * "USBS"), little-endian.  Every command passes (CSW status 0, residue 0).
 * The first command is INQUIRY (36 bytes of standard data, SPC-4 6.4.2),
 * the second READ CAPACITY(10) (8 bytes, SBC-3 5.15.2), as usb-storage's
 * probe sends them; then the mix: 6% TEST UNIT READY (no data phase, SPC-4
 * 6.37), 4% 64 KiB and 90% 4 KiB transfers, 70% of them READ(10), 30%
 * WRITE(10) (SBC-3 5.11 / 5.32, big-endian fields), on 512-byte blocks;
 * every 1000th command and the last are SYNCHRONIZE CACHE(10) (5.22);
 * 80% of the transfers continue where the previous one ended, the rest
 * jump to a random 4 KiB-aligned LBA.  With -b BYTES every READ/WRITE moves
 * BYTES instead (e.g. -b 512: about 1 KB of file per command, for the
 * million-command memory check).  Each block's bytes are a function of the
 * seed and its LBA, so the same arguments give the same file and every
 * READ returns what a WRITE of the same block wrote.  About 6.6 KB of
 * file per command with the default mix: 100,000 commands make about 690 MB.
 *
 * -f pcapng writes the same packets as pcapng (draft-ietf-opsawg-pcapng):
 * one Section Header Block, one Interface Description Block (link type
 * 220, the same snaplen, microsecond time stamps like the pcap), then one
 * Enhanced Packet Block per packet.  Each EPB costs 12 bytes more than a
 * pcap record header plus padding to 4 bytes.
 *
 * On stderr the generator reports what it wrote, including the data bytes
 * moved in (READs, INQUIRY, READ CAPACITY) and out (WRITEs), so that
 * bench/run-decode.sh can check the decoder's totals.
 */

#define BLOCK_SIZE     512u
#define DISK_BLOCKS    61071360u            /* a "32 GB" flash drive */
#define BULK_OUT_EP    0x02
#define BULK_IN_EP     0x81
#define CONTROL_IN     0x80                 /* usbmon sets bit 7 on control IN transfers */
#define CONTROL_OUT    0x00
#define BUS            2
#define DEVICE         3
#define SNAPLEN        262144u              /* tcpdump's default: never cuts a 64 KiB URB */
#define MAX_XFER       65536u
#define FLUSH_AT       (1u << 20)

/* URB transfer_flags as the rig capture shows them (include/linux/usb.h):
 * URB_SHORT_NOT_OK 0x1, URB_NO_TRANSFER_DMA_MAP 0x4, URB_DIR_IN 0x200. */
#define FLAGS_CBW      0x004u
#define FLAGS_CSW      0x204u
#define FLAGS_DATA_IN  0x201u
#define FLAGS_DATA_OUT 0x000u
#define FLAGS_CTRL_IN  0x200u
#define FLAGS_CTRL_OUT 0x000u

/* usbmon reports a submitted URB's status as -EINPROGRESS. */
#define ST_INPROGRESS  (-115)

static uint64_t rng_state;

/* xorshift64* (Vigna): small, fast, and the same on every platform. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)((rng() >> 32) % n);
}

struct gen {
	FILE *fp;
	bool pcapng;              /* EPBs instead of pcap records */
	const char *path;
	struct strbuf out;        /* pcap bytes not yet written */
	struct strbuf pkt;        /* one usbmon packet */
	int64_t ts_ns;
	uint64_t packets;
	uint64_t bytes;
};

static void put(struct gen *g, const void *b, size_t n)
{
	if (n && fwrite(b, 1, n, g->fp) != n) {
		fprintf(stderr, "gen-usbmon: %s: write failed: %s\n", g->path, strerror(errno));
		exit(1);
	}
	g->bytes += n;
}

static void flush_out(struct gen *g)
{
	put(g, g->out.buf, g->out.len);
	sb_reset(&g->out);
}

/* Advance the clock by base microseconds plus up to jitter more. */
static void tick(struct gen *g, uint32_t base_us, uint32_t jitter_us)
{
	g->ts_ns += (int64_t)(base_us + (jitter_us ? rng_below(jitter_us + 1) : 0)) * 1000;
}

/* One usbmon record: submit (data on OUT) or completion (data on IN);
 * setup is the 8-byte setup packet of a control submit, else NULL. */
static void emit_xfer(struct gen *g, uint64_t urb, char type, uint8_t xfer, uint8_t ep, uint32_t length,
		      uint32_t flags, const uint8_t *setup, const uint8_t *data, uint32_t data_len)
{
	struct usb_event ev;
	uint32_t orig;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = g->ts_ns;
	ev.type = (uint8_t)type;
	ev.xfer = xfer;
	if (setup) {
		ev.has_setup = true;
		memcpy(ev.setup, setup, 8);
	}
	ev.endpoint = ep;
	ev.bus = BUS;
	ev.device = DEVICE;
	ev.urb_id = urb;
	ev.status = type == USB_EV_SUBMIT ? ST_INPROGRESS : 0;
	ev.length = length;
	ev.data_len = data_len;
	ev.caplen = data_len;
	ev.data = data;
	ev.xfer_flags = flags;

	sb_reset(&g->pkt);
	orig = usbw_usbmon(&g->pkt, &ev, true, false);
	if (g->pcapng)
		pcapngw_epb(&g->out, false, 0, g->ts_ns, 6, g->pkt.buf, (uint32_t)g->pkt.len, orig);
	else
		pcapw_record(&g->out, g->ts_ns, g->pkt.buf, (uint32_t)g->pkt.len, orig, false, false);
	g->packets++;
	if (g->out.len >= FLUSH_AT)
		flush_out(g);
}

/* A bulk record. */
static void emit(struct gen *g, uint64_t urb, char type, uint8_t ep, uint32_t length, uint32_t flags,
		 const uint8_t *data, uint32_t data_len)
{
	emit_xfer(g, urb, type, USB_XFER_BULK, ep, length, flags, NULL, data, data_len);
}

/* A whole control transfer on endpoint 0: submit with the setup packet,
 * completion with the IN data (in_len bytes of in_data; wLength is in the
 * setup packet).  No control transfer here has OUT data. */
static void control(struct gen *g, uint64_t urb, const uint8_t setup[8], const uint8_t *in_data, uint32_t in_len)
{
	bool in = (setup[0] & 0x80) != 0;
	uint32_t wlength = (uint32_t)setup[6] | (uint32_t)setup[7] << 8;
	uint8_t ep = in ? CONTROL_IN : CONTROL_OUT;
	uint32_t fl = in ? FLAGS_CTRL_IN : FLAGS_CTRL_OUT;

	tick(g, 40, 120);
	emit_xfer(g, urb, 'S', USB_XFER_CONTROL, ep, wlength, fl, setup, NULL, 0);
	tick(g, 30, 100);
	emit_xfer(g, urb, 'C', USB_XFER_CONTROL, ep, in_len, fl, NULL, in_data, in_len);
}

/* A standard GET_DESCRIPTOR (USB 3.2 9.4.3): type, index, language id,
 * wLength; the device answers with the first min(wLength, len) bytes. */
static void get_descriptor(struct gen *g, uint64_t urb, uint8_t type, uint8_t index, uint16_t lang, uint16_t wlength,
			   const uint8_t *desc, uint32_t len)
{
	const uint8_t setup[8] = { 0x80, 0x06, index, type, (uint8_t)lang, (uint8_t)(lang >> 8),
				   (uint8_t)wlength, (uint8_t)(wlength >> 8) };

	control(g, urb, setup, desc, len < wlength ? len : wlength);
}

/* A string descriptor (USB 3.2 9.6.9) of an ASCII string, in UTF-16LE. */
static uint32_t string_desc(uint8_t *out, size_t cap, const char *s)
{
	uint32_t n = 2;

	for (; *s && n + 2 <= cap && n + 2 <= 255; s++) {
		out[n++] = (uint8_t)*s;
		out[n++] = 0;
	}
	out[0] = (uint8_t)n;
	out[1] = 0x03;
	return n;
}

/* The enumeration usbcore and usb-storage do once the device has its
 * address (the same requests as in the rig capture). */
static void enumerate(struct gen *g)
{
	/* Device descriptor: USB 3.00, class at interface level, EP0 512 bytes
	 * (bMaxPacketSize0 9 = 2^9), strings 1/2/3, one configuration. */
	static const uint8_t dev[18] = {
		18, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 9,
		0xf4, 0x46, 0x01, 0x00, 0x00, 0x01, 1, 2, 3, 1,
	};
	/* Configuration 1 (self-powered, 0 mA), one interface: mass storage,
	 * SCSI transparent, Bulk-Only, endpoints 81h IN and 02h OUT (bulk,
	 * 1024 bytes), each with a SuperSpeed companion (burst 15). */
	static const uint8_t cfg[44] = {
		9, 0x02, 44, 0, 1, 1, 0, 0xc0, 0,
		9, 0x04, 0, 0, 2, 0x08, 0x06, 0x50, 0,
		7, 0x05, BULK_IN_EP, 0x02, 0x00, 0x04, 0,
		6, 0x30, 15, 0, 0, 0,
		7, 0x05, BULK_OUT_EP, 0x02, 0x00, 0x04, 0,
		6, 0x30, 15, 0, 0, 0,
	};
	static const uint8_t langs[4] = { 4, 0x03, 0x09, 0x04 };   /* English (US) */
	static const uint8_t set_config[8] = { 0x00, 0x09, 1, 0, 0, 0, 0, 0 };
	static const uint8_t get_max_lun[8] = { 0xa1, 0xfe, 0, 0, 0, 0, 1, 0 };
	static const uint8_t max_lun[1] = { 0 };
	const uint64_t urb = 0xffff88801fb5a180ull;
	uint8_t str[64];
	uint32_t n;

	get_descriptor(g, urb, 0x01, 0, 0, 18, dev, sizeof(dev));
	get_descriptor(g, urb, 0x02, 0, 0, 9, cfg, sizeof(cfg));
	get_descriptor(g, urb, 0x02, 0, 0, sizeof(cfg), cfg, sizeof(cfg));
	get_descriptor(g, urb, 0x03, 0, 0, 255, langs, sizeof(langs));
	n = string_desc(str, sizeof(str), "BENCH DISK");
	get_descriptor(g, urb, 0x03, 2, 0x0409, 255, str, n);
	n = string_desc(str, sizeof(str), "SCSISCOPE");
	get_descriptor(g, urb, 0x03, 1, 0x0409, 255, str, n);
	n = string_desc(str, sizeof(str), "BENCH0001");
	get_descriptor(g, urb, 0x03, 3, 0x0409, 255, str, n);
	tick(g, 1500, 500);
	control(g, urb, set_config, NULL, 0);
	/* usb-storage asks for the LUNs about a second later. */
	tick(g, 1000000, 20000);
	control(g, urb, get_max_lun, max_lun, 1);
}

/* The bytes of n / BLOCK_SIZE blocks from lba on: each block a function of
 * the seed and its LBA only, so that a READ returns what a WRITE of the
 * same block wrote (lint's data-mismatch stays silent). */
static void fill_blocks(uint8_t *p, size_t n, uint32_t lba, uint64_t seed)
{
	for (size_t b = 0; b < n; b += BLOCK_SIZE, lba++) {
		uint64_t x = seed * 0x9E3779B97F4A7C15ull + lba;     /* splitmix64 */

		for (size_t i = b; i < b + BLOCK_SIZE && i < n; i += 8) {
			uint64_t z = (x += 0x9E3779B97F4A7C15ull);
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
			z ^= z >> 31;
			for (size_t k = 0; k < 8 && i + k < n; k++)
				p[i + k] = (uint8_t)(z >> (8 * k));
		}
	}
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: gen-usbmon [-n COMMANDS] [-s SEED] [-b BYTES] [-f pcap|pcapng] OUTPUT\n"
		"Write a usbmon (link type 220) pcap (or with -f pcapng, a pcapng of\n"
		"Enhanced Packet Blocks) of a USB mass-storage Bulk-Only session: the\n"
		"enumeration, then COMMANDS SCSI commands (default 100000, about 690 MB)\n"
		"with their data, pseudo-random from SEED (default 1).  -b BYTES: every\n"
		"READ/WRITE moves BYTES (a multiple of 512, at most 65536) instead of\n"
		"the 4 KiB / 64 KiB mix.  Same arguments, same bytes.\n");
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "gen-usbmon: %s wants a number, not '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* Standard INQUIRY data (SPC-4 6.4.2): direct-access block device, SPC-4,
 * response format 2, additional length 31; T10 vendor, product, revision. */
static const uint8_t inquiry_data[36] = {
	0x00, 0x00, 0x06, 0x02, 31, 0x00, 0x00, 0x00,
	'S', 'C', 'S', 'I', 'S', 'C', 'O', 'P',
	'B', 'E', 'N', 'C', 'H', ' ', 'D', 'I', 'S', 'K', ' ', ' ', ' ', ' ', ' ', ' ',
	'1', '.', '0', ' ',
};

int main(int argc, char **argv)
{
	/* Kernel-looking URB addresses: one for CBW/CSW (usb-storage's
	 * current_urb), a few rotating ones for the data phase. */
	static const uint64_t data_urbs[] = {
		0xffff88801fd27000ull, 0xffff88801ffc8000ull, 0xffff88801fb5af00ull, 0xffff888003a41c00ull,
	};
	const uint64_t cmd_urb = 0xffff88801fb5a240ull;
	static uint8_t payload[MAX_XFER];
	uint64_t commands = 100000, seed = 1, bytes_in = 0, bytes_out = 0;
	uint32_t lba = 2048, tag = 1, fixed_xfer = 0;
	bool pcapng = false;
	struct gen g;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:b:f:h")) != -1) {
		switch (opt) {
		case 'n': commands = parse_u64(optarg, "-n"); break;
		case 's': seed = parse_u64(optarg, "-s"); break;
		case 'b': {
			uint64_t v = parse_u64(optarg, "-b");

			if (v == 0 || v % BLOCK_SIZE || v > MAX_XFER) {
				fprintf(stderr, "gen-usbmon: -b wants a multiple of %u up to %u, not '%s'\n",
					BLOCK_SIZE, MAX_XFER, optarg);
				return 2;
			}
			fixed_xfer = (uint32_t)v;
			break;
		}
		case 'f':
			if (strcmp(optarg, "pcap") == 0) {
				pcapng = false;
			} else if (strcmp(optarg, "pcapng") == 0) {
				pcapng = true;
			} else {
				fprintf(stderr, "gen-usbmon: -f wants pcap or pcapng, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	memset(&g, 0, sizeof(g));
	g.pcapng = pcapng;
	g.path = argv[optind];
	g.fp = fopen(g.path, "wb");
	if (!g.fp) {
		fprintf(stderr, "gen-usbmon: %s: %s\n", g.path, strerror(errno));
		return 1;
	}
	sb_init(&g.out);
	sb_init(&g.pkt);
	sb_grow(&g.out, FLUSH_AT + MAX_XFER + 256);
	sb_grow(&g.pkt, MAX_XFER + 128);
	rng_state = seed * 0x9E3779B97F4A7C15ull + 0x853c49e6748fea9bull;
	if (!rng_state)
		rng_state = 1;
	g.ts_ns = INT64_C(1700000000) * 1000000000;

	if (pcapng) {
		pcapngw_shb(&g.out, false);
		pcapngw_idb(&g.out, false, LINKTYPE_USB_LINUX_MMAPPED, SNAPLEN, 6);
	} else {
		pcapw_header(&g.out, LINKTYPE_USB_LINUX_MMAPPED, SNAPLEN, false, false);
	}

	enumerate(&g);

	for (uint64_t i = 0; i < commands; i++, tag++) {
		uint8_t cbw[31], csw[13];
		uint32_t xfer = 0, blocks;
		bool in = false;
		const uint8_t *fixed = NULL;    /* IN data that is not blocks */
		uint32_t xfer_lba = 0;
		bool sync = false;
		uint64_t durb = data_urbs[i % (sizeof(data_urbs) / sizeof(data_urbs[0]))];

		memset(cbw, 0, sizeof(cbw));
		le32(cbw, 0x43425355u);                 /* "USBC" */
		le32(cbw + 4, tag);
		if (i == 0) {
			xfer = sizeof(inquiry_data);    /* INQUIRY, allocation length 36 */
			in = true;
			fixed = inquiry_data;
			cbw[14] = 6;
			cbw[15] = 0x12;
			cbw[19] = (uint8_t)xfer;
		} else if (i == 1) {
			xfer = 8;                       /* READ CAPACITY(10) */
			in = true;
			be32(payload, DISK_BLOCKS - 1);
			be32(payload + 4, BLOCK_SIZE);
			fixed = payload;
			cbw[14] = 10;
			cbw[15] = 0x25;
		} else if (i % 1000 == 999 || i == commands - 1) {
			/* SYNCHRONIZE CACHE(10) of the whole medium (SBC-3 5.22:
			 * LBA 0, 0 blocks), as a file system's flush or unmount
			 * sends it: lint's unflushed-writes stays silent. */
			sync = true;
			cbw[14] = 10;
			cbw[15] = 0x35;
		} else {
			uint32_t pick = rng_below(100);

			if (pick < 6) {
				cbw[14] = 6;            /* TEST UNIT READY, all zero */
			} else {
				xfer = fixed_xfer ? fixed_xfer : pick < 10 ? 65536u : 4096u;
				in = rng_below(10) < 7;
				blocks = xfer / BLOCK_SIZE;
				if (rng_below(5) == 0)
					lba = rng_below(DISK_BLOCKS / 8) * 8;
				if (lba > DISK_BLOCKS - blocks)
					lba = 0;
				cbw[14] = 10;
				cbw[15] = in ? 0x28 : 0x2a;     /* READ(10) / WRITE(10) */
				be32(cbw + 17, lba);
				cbw[22] = (uint8_t)(blocks >> 8);
				cbw[23] = (uint8_t)blocks;
				xfer_lba = lba;
				lba += blocks;
			}
		}
		if (xfer) {
			le32(cbw + 8, xfer);
			cbw[12] = in ? 0x80 : 0x00;
		}

		tick(&g, 30, 270);
		emit(&g, cmd_urb, 'S', BULK_OUT_EP, 31, FLAGS_CBW, cbw, 31);
		tick(&g, 60, 120);
		emit(&g, cmd_urb, 'C', BULK_OUT_EP, 31, FLAGS_CBW, NULL, 0);

		if (xfer) {
			uint8_t ep = in ? BULK_IN_EP : BULK_OUT_EP;
			uint32_t fl = in ? FLAGS_DATA_IN : FLAGS_DATA_OUT;
			const uint8_t *data = fixed;

			if (!data) {
				fill_blocks(payload, xfer, xfer_lba, seed);
				data = payload;
			}
			tick(&g, 20, 60);
			emit(&g, durb, 'S', ep, xfer, fl, in ? NULL : data, in ? 0 : xfer);
			/* 64 KiB takes about 1.2 ms at the speeds these drives manage. */
			tick(&g, xfer == 65536u ? 1100 : 90, xfer == 65536u ? 400 : 60);
			emit(&g, durb, 'C', ep, xfer, fl, in ? data : NULL, in ? xfer : 0);
			if (in)
				bytes_in += xfer;
			else
				bytes_out += xfer;
		}

		memset(csw, 0, sizeof(csw));
		le32(csw, 0x53425355u);                 /* "USBS" */
		le32(csw + 4, tag);                     /* residue 0, status 0 (passed) */
		tick(&g, 20, 80);
		emit(&g, cmd_urb, 'S', BULK_IN_EP, 13, FLAGS_CSW, NULL, 0);
		tick(&g, sync ? 2000 : 40, sync ? 4000 : 80);       /* a flush takes milliseconds */
		emit(&g, cmd_urb, 'C', BULK_IN_EP, 13, FLAGS_CSW, csw, 13);
	}
	flush_out(&g);
	if (fclose(g.fp) != 0) {
		fprintf(stderr, "gen-usbmon: %s: %s\n", g.path, strerror(errno));
		return 1;
	}
	sb_release(&g.out);
	sb_release(&g.pkt);
	fprintf(stderr,
		"gen-usbmon: %s: %" PRIu64 " commands, %" PRIu64 " packets, %" PRIu64 " bytes, "
		"%" PRIu64 " data bytes in, %" PRIu64 " data bytes out\n",
		g.path, commands, g.packets, g.bytes, bytes_in, bytes_out);
	return 0;
}
