/* ring.h - write a live capture as pcapng: one file, standard output, or a ring of files of a given size. */
#ifndef SCSISCOPE_CAPTURE_RING_H
#define SCSISCOPE_CAPTURE_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/live.h"
#include "util/error.h"

/*
 * Every file is a complete pcapng that Wireshark and scsiscope open on
 * their own: a Section Header Block (shb_userappl "scsiscope VERSION"), an
 * Interface Description Block (if_name = the interface, the link type and
 * snap length of the capture), the packets as Enhanced Packet Blocks
 * (epb_dropcount on a packet usbmon lost events before), and at its end an
 * Interface Statistics Block (isb_starttime, isb_endtime, isb_ifrecv,
 * isb_ifdrop = usbmon's drops while that file was written).
 *
 * size_bytes 0 writes one file, `path` ("-": standard output).  Otherwise a
 * new file is started when the next packet would take the current one
 * past size_bytes: PATH's name with _NNNNN (from 00001) before its
 * extension, out.pcapng -> out_00001.pcapng, out_00002.pcapng, ...; with
 * files > 0 only the newest `files` are kept (the ring), older ones are
 * removed as new ones start.
 */
struct ring_opts {
	const char *path;
	uint64_t size_bytes;      /* 0: one file */
	unsigned files;           /* with size_bytes: how many to keep; 0 all */
	int linktype;
	uint32_t snaplen;
	const char *if_name;      /* e.g. "usbmon1" */
};

struct ring;

/* Creates the first file.  Returns 0, or -1 with err naming the file. */
int ring_open(const struct ring_opts *o, struct ring **out, struct error *err);
/* One packet, with the events lost just before it. */
int ring_write(struct ring *r, const struct cap_live_pkt *pkt, uint64_t drops, struct error *err);
/* Push what is buffered to the file (so readers of the file see it). */
int ring_flush(struct ring *r, struct error *err);
/* Finish the current file with its statistics block and close; NULL is fine.
 * drops_total: usbmon's cumulative count (pcap_stats). */
int ring_close(struct ring *r, uint64_t drops_total, struct error *err);
/* The file being written, packets and files written so far. */
const char *ring_current(const struct ring *r);
uint64_t ring_packets(const struct ring *r);
uint64_t ring_bytes(const struct ring *r);   /* of every file, headers included */
unsigned ring_files(const struct ring *r);
/* The name of file number n (from 1) of a ring on path, into buf. */
void ring_file_name(const char *path, unsigned n, char *buf, size_t len);

#endif
