/* pcap_lib.c - pcap and pcapng files through libpcap, handing over to our pcapng reader when libpcap gives up. */
#include "config.h"
#include "capture/reader.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_ISO_MAX 256

struct pcap_lib {
	pcap_t *p;
	int linktype;
	bool ng;
	uint64_t offset;          /* classic pcap: byte offset of the next record */
	struct usb_iso_desc iso[PCAP_ISO_MAX];
};

static void pcap_lib_close(struct cap *c)
{
	struct pcap_lib *pl = c->priv;

	if (!pl)
		return;
	if (pl->p)
		pcap_close(pl->p);    /* also closes the FILE view, not the input */
	free(pl);
	c->priv = NULL;
}

/*
 * libpcap refuses pcapng files whose interfaces have different link types
 * (and a few other things our block reader copes with).  Give the file to
 * our reader, which starts again from the top and skips the frames already
 * delivered, so the stream continues where it stopped.  If that is not
 * possible (a pipe), report libpcap's own message.
 */
static int hand_over(struct cap *c, const char *why, struct error *err)
{
	uint64_t delivered = c->frames;
	struct error rerr;

	pcap_lib_close(c);
	c->ops = NULL;
	error_clear(&rerr);
	if (input_rewind(c->in, &rerr) < 0)
		return error_set(err, delivered + 1, ERROR_NO_OFFSET, "libpcap: %s", why);
	c->info.fallback = true;
	return pcapng_own_open(c, delivered, err);
}

static int pcap_lib_next(struct cap *c, struct cap_record *rec, struct error *err)
{
	struct pcap_lib *pl = c->priv;

	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		struct usb_pkt pkt;
		int rc = pcap_next_ex(pl->p, &h, &data);

		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			char why[PCAP_ERRBUF_SIZE + 1];
			const struct error *ie = input_error(c->in);
			if (ie)         /* the bytes themselves could not be read: say why */
				return error_set(err, c->frames + 1, ie->offset, "%s", ie->msg);
			snprintf(why, sizeof(why), "%s", pcap_geterr(pl->p));
			if (pl->ng) {
				if (hand_over(c, why, err) < 0)
					return -1;
				return c->ops->next(c, rec, err);
			}
			return error_set(err, c->frames + 1, pl->offset, "damaged record: %s", why);
		}
		c->frames++;
		pkt.buf = data;
		pkt.caplen = h->caplen;
		pkt.len = h->len;
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		pkt.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
		pkt.frame = c->frames;
		pkt.offset = pl->ng ? ERROR_NO_OFFSET : pl->offset;
		pkt.swapped = false;          /* libpcap fixed usbmon headers already */
		pl->offset += 16 + (uint64_t)h->caplen;
		rc = cap_parse_linktype(pl->linktype, &pkt, rec, pl->iso, PCAP_ISO_MAX, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 1;
		c->skipped++;
	}
}

static const struct cap_reader_ops pcap_lib_ops = {
	.name = "libpcap",
	.next = pcap_lib_next,
	.close = pcap_lib_close,
};

int pcap_lib_open(struct cap *c, struct error *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_lib *pl = calloc(1, sizeof(*pl));
	FILE *fp;
	bool ng = c->info.format == CAP_FORMAT_PCAPNG;
	const uint8_t *head;
	size_t got;

	if (!pl)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	pl->ng = ng;
	pl->offset = 24;
	head = input_peek(c->in, 12, &got, err);
	if (!head) {
		free(pl);
		return -1;
	}
	if (!ng && got >= 4) {
		/* a1b2c3d4 / a1b23c4d written big-endian read as-is */
		c->info.big_endian = head[0] == 0xa1;
		c->info.nanosecond = head[0] == 0xa1 ? head[2] == 0x3c : head[1] == 0x3c;
	}
	fp = input_fopen(c->in, err);
	if (!fp) {
		free(pl);
		return -1;
	}
	errbuf[0] = '\0';
	pl->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pl->p) {
		fclose(fp);
		free(pl);
		if (ng) {
			if (input_rewind(c->in, err) < 0)
				return error_set(err, 0, 0, "libpcap: %s", errbuf);
			c->info.fallback = true;
			return pcapng_own_open(c, 0, err);
		}
		return error_set(err, 0, 0, "not a readable pcap file: libpcap: %s", errbuf);
	}
	c->priv = pl;
	c->ops = &pcap_lib_ops;
	pl->linktype = pcap_datalink(pl->p);
	c->info.linktype = pl->linktype;
	c->info.snaplen = (uint32_t)pcap_snapshot(pl->p);
	if (ng && got >= 12)
		c->info.big_endian = head[8] == 0x1a;    /* SHB byte-order magic 1a2b3c4d */
	if (!cap_linktype_supported(pl->linktype)) {
		if (ng)
			return hand_over(c, "first interface is not USB", err);
		return error_set(err, 0, 20, "link type %d (%s) is not a USB or Bluetooth HCI link type "
				 "(scsiscope reads 189, 220, 249, 266, 187 and 201)",
				 pl->linktype, cap_linktype_name(pl->linktype));
	}
	return 0;
}
