/* gen-usbmon.c - write a large, deterministic usbmon (link type 220) pcap or pcapng of a Bulk-Only mass-storage session, for the benchmark. */
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
 * (shared/captures/rig/bot-xhci.pcap): per command
 *
 *   CBW   submit + complete on bulk OUT, 31 bytes      (same URB as the CSW)
 *   data  submit + complete on bulk IN or OUT          (scatter-gather URB)
 *   CSW   submit + complete on bulk IN, 13 bytes
 *
 * OUT data is captured on the submit, IN data on the completion, as usbmon
 * does.  CBW/CSW layout: USB Mass Storage Class Bulk-Only Transport 1.0,
 * section 5.1 (CBW, signature 43425355h "USBC") and 5.2 (CSW, 53425355h
 * "USBS"), little-endian.  READ(10)/WRITE(10)/TEST UNIT READY CDBs: T10
 * SBC-3 5.11 / 5.32 and SPC-4 6.37, big-endian fields.
 *
 * The mix per command: 6% TEST UNIT READY (no data phase), 4% 64 KiB and
 * 90% 4 KiB transfers, 70% of them READ(10), 30% WRITE(10), on 512-byte
 * blocks; 80% of the transfers continue where the previous one ended, the
 * rest jump to a random 4 KiB-aligned LBA.  Payload bytes come from a
 * fixed-seed generator, so the same seed and count give the same file.
 * About 6.6 KB of file per command: 100,000 commands make about 660 MB.
 *
 * -f pcapng writes the same packets as pcapng (draft-ietf-opsawg-pcapng):
 * one Section Header Block, one Interface Description Block (link type
 * 220, the same snaplen, microsecond time stamps like the pcap), then one
 * Enhanced Packet Block per packet.  Each EPB costs 12 bytes more than a
 * pcap record header plus padding to 4 bytes.
 */

#define BLOCK_SIZE     512u
#define DISK_BLOCKS    61071360u            /* a "32 GB" flash drive */
#define BULK_OUT_EP    0x02
#define BULK_IN_EP     0x81
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

/* One usbmon record: submit (data on OUT) or completion (data on IN). */
static void emit(struct gen *g, uint64_t urb, char type, uint8_t ep, uint32_t length, uint32_t flags,
		 const uint8_t *data, uint32_t data_len)
{
	struct usb_event ev;
	uint32_t orig;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = g->ts_ns;
	ev.type = (uint8_t)type;
	ev.xfer = USB_XFER_BULK;
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

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng();
		for (size_t k = 0; k < 8 && i + k < n; k++)
			p[i + k] = (uint8_t)(v >> (8 * k));
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
		"Usage: gen-usbmon [-n COMMANDS] [-s SEED] [-f pcap|pcapng] OUTPUT\n"
		"Write a usbmon (link type 220) pcap (or with -f pcapng, a pcapng of\n"
		"Enhanced Packet Blocks) of a USB mass-storage Bulk-Only session:\n"
		"COMMANDS SCSI commands (default 100000, about 660 MB) with their data,\n"
		"pseudo-random from SEED (default 1).  Same arguments, same bytes.\n");
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

int main(int argc, char **argv)
{
	/* Kernel-looking URB addresses: one for CBW/CSW (usb-storage's
	 * current_urb), a few rotating ones for the data phase. */
	static const uint64_t data_urbs[] = {
		0xffff88801fd27000ull, 0xffff88801ffc8000ull, 0xffff88801fb5af00ull, 0xffff888003a41c00ull,
	};
	const uint64_t cmd_urb = 0xffff88801fb5a240ull;
	static uint8_t payload[MAX_XFER];
	uint64_t commands = 100000, seed = 1;
	uint32_t lba = 2048, tag = 1;
	bool pcapng = false;
	struct gen g;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:f:h")) != -1) {
		switch (opt) {
		case 'n': commands = parse_u64(optarg, "-n"); break;
		case 's': seed = parse_u64(optarg, "-s"); break;
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

	for (uint64_t i = 0; i < commands; i++, tag++) {
		uint8_t cbw[31], csw[13];
		uint32_t pick = rng_below(100);
		uint32_t xfer = 0, blocks;
		bool in = false;
		uint64_t durb = data_urbs[i % (sizeof(data_urbs) / sizeof(data_urbs[0]))];

		memset(cbw, 0, sizeof(cbw));
		le32(cbw, 0x43425355u);                 /* "USBC" */
		le32(cbw + 4, tag);
		if (pick < 6) {
			cbw[14] = 6;                    /* TEST UNIT READY, all zero */
		} else {
			xfer = pick < 10 ? 65536u : 4096u;
			in = rng_below(10) < 7;
			blocks = xfer / BLOCK_SIZE;
			if (rng_below(5) == 0)
				lba = rng_below(DISK_BLOCKS / 8) * 8;
			if (lba > DISK_BLOCKS - blocks)
				lba = 0;
			le32(cbw + 8, xfer);
			cbw[12] = in ? 0x80 : 0x00;
			cbw[14] = 10;
			cbw[15] = in ? 0x28 : 0x2a;     /* READ(10) / WRITE(10) */
			be32(cbw + 17, lba);
			cbw[22] = (uint8_t)(blocks >> 8);
			cbw[23] = (uint8_t)blocks;
			lba += blocks;
		}

		tick(&g, 30, 270);
		emit(&g, cmd_urb, 'S', BULK_OUT_EP, 31, FLAGS_CBW, cbw, 31);
		tick(&g, 60, 120);
		emit(&g, cmd_urb, 'C', BULK_OUT_EP, 31, FLAGS_CBW, NULL, 0);

		if (xfer) {
			uint8_t ep = in ? BULK_IN_EP : BULK_OUT_EP;
			uint32_t fl = in ? FLAGS_DATA_IN : FLAGS_DATA_OUT;

			fill_random(payload, xfer);
			tick(&g, 20, 60);
			emit(&g, durb, 'S', ep, xfer, fl, in ? NULL : payload, in ? 0 : xfer);
			/* 64 KiB takes about 1.2 ms at the speeds these drives manage. */
			tick(&g, xfer == 65536u ? 1100 : 90, xfer == 65536u ? 400 : 60);
			emit(&g, durb, 'C', ep, xfer, fl, in ? payload : NULL, in ? xfer : 0);
		}

		memset(csw, 0, sizeof(csw));
		le32(csw, 0x53425355u);                 /* "USBS" */
		le32(csw + 4, tag);                     /* residue 0, status 0 (passed) */
		tick(&g, 20, 80);
		emit(&g, cmd_urb, 'S', BULK_IN_EP, 13, FLAGS_CSW, NULL, 0);
		tick(&g, 40, 80);
		emit(&g, cmd_urb, 'C', BULK_IN_EP, 13, FLAGS_CSW, csw, 13);
	}
	flush_out(&g);
	if (fclose(g.fp) != 0) {
		fprintf(stderr, "gen-usbmon: %s: %s\n", g.path, strerror(errno));
		return 1;
	}
	sb_release(&g.out);
	sb_release(&g.pkt);
	fprintf(stderr, "gen-usbmon: %s: %" PRIu64 " commands, %" PRIu64 " packets, %" PRIu64 " bytes\n",
		g.path, commands, g.packets, g.bytes);
	return 0;
}
