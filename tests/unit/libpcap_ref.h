/* libpcap_ref.h - test helpers: read the same bytes with our capture layer and with libpcap (the reference), and compare the records field by field. */
#ifndef SCSISCOPE_LIBPCAP_REF_H
#define SCSISCOPE_LIBPCAP_REF_H

#include <pcap/pcap.h>
#include <stdio.h>

#include "capture/reader.h"
#include "testlib.h"

/*
 * read_mem() reads a capture in memory with scsiscope's capture layer;
 * read_lib_mem() reads the same bytes with libpcap's pcap_next_ex() and
 * normalizes each packet with our link-type parsers (cap_parse_linktype),
 * so that the two lists can be compared field by field
 * (assert_same_records, assert_same_as_libpcap).
 */

#define LIBPCAP_REF_ISO_MAX 256

/* ------------------------------------------------------------- readers */

/* A record source: our capture layer or libpcap. */
typedef int (*next_fn)(void *src, struct cap_record *r, struct error *err);

/* Copy every record of a source into l, data and iso descriptors included
 * (one allocation per record: descriptors first, then the data). */
static inline void collect(next_fn next, void *src, struct rec_list *l)
{
	struct cap_record r;
	int rc;

	while ((rc = next(src, &r, &l->err)) > 0)
		rec_list_add(l, r, true);
	l->rc = rc;
}

static inline int ours_next(void *src, struct cap_record *r, struct error *err)
{
	return cap_next(src, r, err);
}

/* Read buf with scsiscope's capture layer (cap_open_mem).  Returns the
 * cap_open result; l->rc is the last cap_next result. */
static inline int read_mem(const void *buf, size_t len, struct rec_list *l)
{
	struct cap *c;

	memset(l, 0, sizeof(*l));
	if (cap_open_mem(buf, len, "test.cap", &c, &l->err) < 0) {
		l->rc = -1;
		return -1;
	}
	collect(ours_next, c, l);
	l->info = *cap_get_info(c);
	l->frames = cap_frames_seen(c);
	l->skipped = cap_frames_skipped(c);
	cap_close(c);
	return 0;
}

static inline int read_sb(const struct strbuf *sb, struct rec_list *l)
{
	return read_mem(sb->buf, sb->len, l);
}

/* libpcap over the same bytes: its packets, numbered 1, 2, ... in the
 * order pcap_next_ex() returns them, normalized by our link-type parsers. */
struct lib_src {
	pcap_t *p;
	int linktype;
	uint64_t packets, skipped;
	struct usb_iso_desc iso[LIBPCAP_REF_ISO_MAX];
};

static inline int lib_next(void *src, struct cap_record *r, struct error *err)
{
	struct lib_src *ls = src;

	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		struct usb_pkt pkt;
		int rc = pcap_next_ex(ls->p, &h, &data);

		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1)
			return error_set(err, ls->packets + 1, ERROR_NO_OFFSET, "libpcap: %s", pcap_geterr(ls->p));
		ls->packets++;
		memset(&pkt, 0, sizeof(pkt));
		pkt.buf = data;
		pkt.caplen = h->caplen;
		pkt.len = h->len;
		pkt.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;   /* opened in ns */
		pkt.frame = ls->packets;
		pkt.offset = ERROR_NO_OFFSET;
		pkt.swapped = false;          /* libpcap byte-swaps usbmon headers itself */
		rc = cap_parse_linktype(ls->linktype, &pkt, r, ls->iso, LIBPCAP_REF_ISO_MAX, err);
		if (rc != 0)
			return rc;
		ls->skipped++;
	}
}

/* Read buf with libpcap directly.  Returns -1 (libpcap's message in
 * l->err) when libpcap refuses the file at open. */
static inline int read_lib_mem(const void *buf, size_t len, struct rec_list *l)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct lib_src ls;
	FILE *fp = fmemopen((void *)buf, len, "rb");

	memset(l, 0, sizeof(*l));
	memset(&ls, 0, sizeof(ls));
	cr_assert(fp);
	errbuf[0] = '\0';
	ls.p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!ls.p) {
		fclose(fp);
		error_set(&l->err, 0, ERROR_NO_OFFSET, "libpcap: %s", errbuf);
		l->rc = -1;
		return -1;
	}
	ls.linktype = pcap_datalink(ls.p);
	collect(lib_next, &ls, l);
	l->info.format = cap_detect(buf, len);
	l->info.big_endian = (pcap_is_swapped(ls.p) != 0) != CAP_HOST_BE;
	l->info.linktype = ls.linktype;
	l->info.snaplen = (uint32_t)pcap_snapshot(ls.p);
	l->frames = ls.packets;
	l->skipped = ls.skipped;
	pcap_close(ls.p);             /* closes fp */
	return 0;
}

static inline int read_lib_sb(const struct strbuf *sb, struct rec_list *l)
{
	return read_lib_mem(sb->buf, sb->len, l);
}

/* ---------------------------------------------------------- comparison */

#define SAME(f) cr_assert_eq(a->f, b->f, "%s: record %zu: " #f " differs: %lld vs %lld", what, i, \
			     (long long)a->f, (long long)b->f)

/* Two USB events agree in every field (the frame number only if asked). */
static inline void assert_same_usb(const struct usb_event *a, const struct usb_event *b, bool frames, const char *what,
			    size_t i)
{
	if (frames)
		SAME(frame);
	SAME(ts_ns); SAME(source); SAME(type); SAME(xfer); SAME(endpoint); SAME(bus); SAME(device);
	SAME(urb_id); SAME(status); SAME(status_origin); SAME(orig_status);
	SAME(length); SAME(data_len); SAME(caplen); SAME(truncated);
	SAME(has_setup); SAME(ctrl_stage); SAME(speed); SAME(irp_info); SAME(urb_function); SAME(location_id);
	SAME(interval); SAME(start_frame); SAME(xfer_flags); SAME(iso_error_count); SAME(iso_ndesc);
	SAME(frame_len); SAME(frame_caplen);
	cr_assert_eq(memcmp(a->setup, b->setup, 8), 0, "%s: record %zu: setup differs", what, i);
	cr_assert_eq(a->data == NULL, b->data == NULL, "%s: record %zu: data present in one only", what, i);
	if (a->caplen)
		cr_assert_eq(memcmp(a->data, b->data, a->caplen), 0, "%s: record %zu: data differs", what, i);
	cr_assert_eq(a->iso == NULL, b->iso == NULL, "%s: record %zu: iso descriptors in one only", what, i);
	for (uint32_t k = 0; a->iso && k < a->iso_ndesc; k++) {
		SAME(iso[k].status); SAME(iso[k].offset); SAME(iso[k].length);
	}
}

static inline void assert_same_hci(const struct hci_record *a, const struct hci_record *b, bool frames, const char *what,
			    size_t i)
{
	if (frames)
		SAME(frame);
	SAME(ts_ns); SAME(source); SAME(type); SAME(dir); SAME(orig_type); SAME(len); SAME(caplen);
	SAME(truncated); SAME(drops);
	if (a->caplen)
		cr_assert_eq(memcmp(a->data, b->data, a->caplen), 0, "%s: record %zu: data differs", what, i);
}

/* Two readings give the same records; frame numbers compared if asked.
 * `first` skips that many records of a (to compare a part of it). */
static inline void assert_same_records(const struct rec_list *a, size_t first, const struct rec_list *b, bool frames,
				const char *what)
{
	cr_assert_geq(a->n, first + b->n, "%s: %zu records, want at least %zu", what, a->n, first + b->n);
	for (size_t i = 0; i < b->n; i++) {
		const struct cap_record *ra = &a->recs[first + i], *rb = &b->recs[i];
		cr_assert_eq(ra->kind, rb->kind, "%s: record %zu: kind differs", what, i);
		if (ra->kind == CAP_REC_USB)
			assert_same_usb(&ra->u.usb, &rb->u.usb, frames, what, i);
		else
			assert_same_hci(&ra->u.hci, &rb->u.hci, frames, what, i);
	}
}

/*
 * Our reader against libpcap on a file libpcap reads to its end: the same
 * records, field for field, the same link type, and the same count of
 * frames when `frames` (the file holds no block libpcap hides).
 */
static inline void assert_same_as_libpcap(const struct rec_list *ours, const struct rec_list *lib, bool frames,
				   const char *what)
{
	cr_assert_eq(lib->rc, 0, "%s: libpcap: %s", what, errtext(&lib->err));
	cr_assert_eq(ours->rc, 0, "%s: %s", what, errtext(&ours->err));
	cr_assert_eq(ours->n, lib->n, "%s: %zu records, libpcap %zu", what, ours->n, lib->n);
	assert_same_records(ours, 0, lib, frames, what);
	cr_assert_eq(ours->info.linktype, lib->info.linktype, "%s: link type %d, libpcap %d", what,
		     ours->info.linktype, lib->info.linktype);
	if (frames) {
		cr_assert_eq(ours->frames, lib->frames, "%s: %llu frames, libpcap %llu packets", what,
			     (unsigned long long)ours->frames, (unsigned long long)lib->frames);
		cr_assert_eq(ours->skipped, lib->skipped, "%s: %llu frames skipped, libpcap %llu", what,
			     (unsigned long long)ours->skipped, (unsigned long long)lib->skipped);
	}
}

/* Read sb with both and compare. */
static inline void check_against_libpcap(const struct strbuf *sb, const char *what)
{
	struct rec_list ours, lib;

	cr_assert_eq(read_sb(sb, &ours), 0, "%s: %s", what, errtext(&ours.err));
	cr_assert_eq(read_lib_sb(sb, &lib), 0, "%s: libpcap refuses it: %s", what, errtext(&lib.err));
	cr_assert_gt(lib.n, 0, "%s: nothing to compare", what);
	assert_same_as_libpcap(&ours, &lib, true, what);
	rec_list_free(&ours);
	rec_list_free(&lib);
}

#endif
