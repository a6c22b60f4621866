/* pcap_lib.c - classic pcap files through libpcap (pcapng goes to our own block reader, pcapng_own.c). */
#include "config.h"
#include "capture/reader.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

/*
 * Only classic pcap comes here (cap_detect: magic a1b2c3d4 or a1b23c4d in
 * either byte order).  pcapng never does: libpcap hides pcapng blocks that
 * Wireshark numbers as frames, so its frame numbers would differ from
 * Wireshark's; pcapng_own.c reads every pcapng file.  A classic pcap file
 * has one link type and every record is a frame, so libpcap's count is
 * Wireshark's.
 */

#define PCAP_ISO_MAX 256

struct pcap_lib {
	pcap_t *p;
	int linktype;
	uint64_t offset;          /* byte offset of the next record */
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
			return error_set(err, c->frames + 1, pl->offset, "damaged record: %s", why);
		}
		c->frames++;
		pkt.buf = data;
		pkt.caplen = h->caplen;
		pkt.len = h->len;
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		pkt.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
		pkt.frame = c->frames;
		pkt.offset = pl->offset;
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
	const uint8_t *head;
	size_t got;

	if (!pl)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	pl->offset = 24;
	head = input_peek(c->in, 4, &got, err);
	if (!head) {
		free(pl);
		return -1;
	}
	if (got >= 4) {
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
		return error_set(err, 0, 0, "not a readable pcap file: libpcap: %s", errbuf);
	}
	c->priv = pl;
	c->ops = &pcap_lib_ops;
	pl->linktype = pcap_datalink(pl->p);
	c->info.linktype = pl->linktype;
	c->info.snaplen = (uint32_t)pcap_snapshot(pl->p);
	if (!cap_linktype_supported(pl->linktype))
		return error_set(err, 0, 20, "link type %d (%s) is not a USB or Bluetooth HCI link type "
				 "(scsiscope reads 189, 220, 249, 266, 187 and 201)",
				 pl->linktype, cap_linktype_name(pl->linktype));
	return 0;
}
