/* plain-loop.c - benchmark baseline: the cheapest possible libpcap read loop (count packets, sum caplen). */
#include "config.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

/*
 * What any libpcap program must pay to read a file: open it and call
 * pcap_next_ex() for every record.  Nothing else, so that
 * `scsiscope events --count` measured against it shows the cost of the
 * capture layer alone.  libpcap reads pcap and pcapng alike, so the same
 * loop is the baseline for both (bench/run.sh).
 */
int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "Usage: plain-loop FILE   (pcap or pcapng)\n");
		return 2;
	}
	errbuf[0] = '\0';
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "plain-loop: %s: %s\n", argv[1], errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
	}
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "plain-loop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("packets %" PRIu64 " bytes %" PRIu64 "\n", packets, bytes);
	return 0;
}
