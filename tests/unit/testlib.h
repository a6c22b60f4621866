/* testlib.h - helpers shared by the Criterion unit tests: read captures from memory, build events, find and read test files. */
#ifndef SCSISCOPE_TESTLIB_H
#define SCSISCOPE_TESTLIB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/writer.h"
#include "util/strbuf.h"

/* Formatted error text, for assertions on messages. */
static inline const char *errtext(const struct error *e)
{
	static char buf[1024];
	return error_format(e, buf, sizeof(buf));
}

/* Every record of a capture, copied out (data included) so it outlives the reader. */
struct rec_list {
	struct cap_record *recs;
	uint8_t **data;
	size_t n;
	int rc;                   /* last cap_next result: 0 clean end, -1 error */
	struct error err;
	struct cap_info info;
	uint64_t frames, skipped;
};

static inline void rec_list_free(struct rec_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->data[i]);
	free(l->data);
	free(l->recs);
	memset(l, 0, sizeof(*l));
}

/* Append a copy of r to l: its data, and its iso descriptors when keep_iso
 * (else iso is NULL), in one allocation (descriptors first, then data). */
static inline void rec_list_add(struct rec_list *l, struct cap_record r, bool keep_iso)
{
	const uint8_t **dp;
	uint32_t caplen, ndesc = 0;
	uint8_t *copy;

	l->recs = realloc(l->recs, (l->n + 1) * sizeof(*l->recs));
	l->data = realloc(l->data, (l->n + 1) * sizeof(*l->data));
	cr_assert(l->recs && l->data);
	if (r.kind == CAP_REC_USB) {
		dp = &r.u.usb.data;
		caplen = r.u.usb.caplen;
		if (!keep_iso)
			r.u.usb.iso = NULL;
		ndesc = r.u.usb.iso ? r.u.usb.iso_ndesc : 0;
	} else {
		dp = &r.u.hci.data;
		caplen = r.u.hci.caplen;
	}
	copy = malloc(ndesc * sizeof(struct usb_iso_desc) + caplen + 1);
	cr_assert(copy);
	if (ndesc) {
		memcpy(copy, r.u.usb.iso, ndesc * sizeof(struct usb_iso_desc));
		r.u.usb.iso = (const struct usb_iso_desc *)copy;
	}
	if (caplen)
		memcpy(copy + ndesc * sizeof(struct usb_iso_desc), *dp, caplen);
	*dp = copy + ndesc * sizeof(struct usb_iso_desc);
	l->data[l->n] = copy;
	l->recs[l->n++] = r;
}

/* Open buf as a capture and read it to the end (or the first error).
 * Returns the cap_open result; the list holds what was read. */
static inline int read_all_mem(const void *buf, size_t len, struct rec_list *l)
{
	struct cap *c;
	struct cap_record r;
	int rc;

	memset(l, 0, sizeof(*l));
	if (cap_open_mem(buf, len, "test.cap", &c, &l->err) < 0) {
		l->rc = -1;
		return -1;
	}
	while ((rc = cap_next(c, &r, &l->err)) > 0)
		rec_list_add(l, r, false);
	l->rc = rc;
	l->info = *cap_get_info(c);
	l->frames = cap_frames_seen(c);
	l->skipped = cap_frames_skipped(c);
	cap_close(c);
	return 0;
}

static inline int read_all_sb(const struct strbuf *sb, struct rec_list *l)
{
	return read_all_mem(sb->buf, sb->len, l);
}

/* Read sb, damaged after its first `good` records: they are delivered, then
 * the error names frame and offset (in its text too) and contains msg.  l
 * keeps what was read, for more checks (rec_list_free it). */
static inline void read_damaged(const struct strbuf *sb, size_t good, uint64_t frame, uint64_t off, const char *msg,
				struct rec_list *l)
{
	char where[64];

	cr_assert_eq(read_all_sb(sb, l), 0, "%s", errtext(&l->err));
	cr_assert_eq(l->rc, -1, "reading must fail");
	cr_assert_eq(l->n, good, "the %zu records before the damage are delivered (got %zu)", good, l->n);
	cr_assert_eq(l->err.frame, frame, "%s", errtext(&l->err));
	cr_assert_eq(l->err.offset, off, "%s", errtext(&l->err));
	snprintf(where, sizeof(where), "frame %llu (offset %llu)", (unsigned long long)frame, (unsigned long long)off);
	cr_assert(strstr(errtext(&l->err), where), "%s", errtext(&l->err));
	cr_assert(strstr(errtext(&l->err), msg), "expected \"%s\" in: %s", msg, errtext(&l->err));
}

/* Read sb, which must hold exactly n records of linktype and end cleanly. */
static inline void read_all_ok(const struct strbuf *sb, struct rec_list *l, size_t n, int linktype)
{
	cr_assert_eq(read_all_sb(sb, l), 0, "%s", errtext(&l->err));
	cr_assert_eq(l->rc, 0, "%s", errtext(&l->err));
	cr_assert_eq(l->n, n);
	cr_assert_eq(l->info.linktype, linktype);
}

/* Record i, which must be a USB event. */
static inline const struct usb_event *usb_rec(const struct rec_list *l, size_t i)
{
	cr_assert_eq(l->recs[i].kind, CAP_REC_USB);
	return &l->recs[i].u.usb;
}

/* A usb_event with the common fields set. */
static inline struct usb_event mk_usb(char type, uint8_t xfer, uint16_t bus, uint16_t dev, uint8_t ep,
				      uint64_t id, int32_t status, uint32_t length, const void *data,
				      uint32_t caplen, int64_t ts_ns)
{
	struct usb_event e;

	memset(&e, 0, sizeof(e));
	e.type = (uint8_t)type;
	e.xfer = xfer;
	e.bus = bus;
	e.device = dev;
	e.endpoint = ep;
	e.urb_id = id;
	e.status = status;
	e.length = length;
	e.data = data;
	e.caplen = caplen;
	e.data_len = caplen;
	e.ts_ns = ts_ns;
	e.ctrl_stage = USB_STAGE_NONE;
	return e;
}

/* One event as a packet of a USB link type (189 and 220 usbmon, 249
 * USBPcap, 266 Darwin); returns the packet's original length. */
static inline uint32_t usb_packet(struct strbuf *pkt, int linktype, const struct usb_event *ev, bool be)
{
	switch (linktype) {
	case LINKTYPE_USBPCAP:
		return usbw_usbpcap(pkt, ev);
	case LINKTYPE_USB_DARWIN:
		return usbw_darwin(pkt, ev);
	default:
		return usbw_usbmon(pkt, ev, linktype == LINKTYPE_USB_LINUX_MMAPPED, be);
	}
}

/* A pcap file (byte order be, ns or us timestamps) of events as packets of
 * linktype, each cut to snaplen. */
static inline void build_pcap(struct strbuf *sb, int linktype, bool be, bool ns, const struct usb_event *ev, size_t n,
			      uint32_t snaplen)
{
	struct strbuf pkt = STRBUF_INIT;

	sb_init(sb);
	pcapw_header(sb, linktype, snaplen, be, ns);
	for (size_t i = 0; i < n; i++) {
		uint32_t len;
		sb_init(&pkt);
		len = usb_packet(&pkt, linktype, &ev[i], be);
		pcapw_record(sb, ev[i].ts_ns, pkt.buf, pkt.len < snaplen ? (uint32_t)pkt.len : snaplen, len, be, ns);
		sb_release(&pkt);
	}
}

/* A little-endian pcap file of linktype holding raw packets as given, 1 us
 * apart; origs: their original lengths (NULL: as captured). */
static inline void build_pcap_raw(struct strbuf *sb, int linktype, bool ns, const uint8_t *const *pkts,
				  const uint32_t *lens, const uint32_t *origs, size_t n)
{
	sb_init(sb);
	pcapw_header(sb, linktype, 65535, false, ns);
	for (size_t i = 0; i < n; i++)
		pcapw_record(sb, (int64_t)i * 1000, pkts[i], lens[i], origs ? origs[i] : lens[i], false, ns);
}

/* A pcap file of linktype holding the event good, then the packet bad (len
 * bytes here of orig): the reader must deliver the good record, then fail
 * at frame 2, at the bad record's offset, with a message containing what. */
static inline void expect_damage_after(int linktype, bool ns, const struct usb_event *good, const uint8_t *bad,
				       uint32_t len, uint32_t orig, const char *what)
{
	struct strbuf p1 = STRBUF_INIT, sb;
	const uint8_t *pkts[2];
	uint32_t lens[2], origs[2];
	struct rec_list l;

	origs[0] = usb_packet(&p1, linktype, good, false);
	pkts[0] = (const uint8_t *)p1.buf;
	lens[0] = (uint32_t)p1.len;
	pkts[1] = bad;
	lens[1] = len;
	origs[1] = orig;
	build_pcap_raw(&sb, linktype, ns, pkts, lens, origs, 2);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1, "damage not reported: %s", what);
	cr_assert_eq(l.n, 1, "the good record comes first");
	cr_assert_eq(l.err.frame, 2);
	cr_assert_eq(l.err.offset, 24 + 16 + p1.len, "offset of the damaged record");
	cr_assert(strstr(errtext(&l.err), what), "%s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&sb);
	sb_release(&p1);
}

/* An hci_record with the common fields set. */
static inline struct hci_record mk_hci(uint8_t type, uint8_t dir, uint32_t orig_type, const void *data, uint32_t len,
				       int64_t ts_ns)
{
	struct hci_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.dir = dir;
	r.orig_type = orig_type;
	r.data = data;
	r.len = r.caplen = len;
	r.ts_ns = ts_ns;
	return r;
}

/* ---- files: the source tree (top_srcdir, set by make check) and the
 * shared captures in ../shared/captures beside it ---- */

/* dir/rel, allocated. */
static inline char *path_join(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + 1 + strlen(rel) + 1;
	char *p = malloc(n);

	cr_assert(p);
	snprintf(p, n, "%s/%s", dir, rel);
	return p;
}

/* top_srcdir/rel, allocated; the test fails when top_srcdir is unset. */
static inline char *src_path(const char *rel)
{
	const char *top = getenv("top_srcdir");

	cr_assert(top, "top_srcdir is not set (run through make check)");
	return path_join(top, rel);
}

/* top_srcdir/../shared/captures, allocated, or NULL when top_srcdir is unset. */
static inline char *shared_captures_dir(void)
{
	const char *top = getenv("top_srcdir");

	return top ? path_join(top, "../shared/captures") : NULL;
}

/* The file rel under the shared captures, allocated, or NULL when it is not
 * there (top_srcdir unset, or no ../shared beside the tree, e.g. distcheck). */
static inline char *shared_capture(const char *rel)
{
	char *dir = shared_captures_dir(), *p;

	if (!dir)
		return NULL;
	p = path_join(dir, rel);
	free(dir);
	if (access(p, R_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* A whole file in memory, NUL-terminated (not counted in *len), or NULL
 * when it cannot be opened. */
static inline uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!fp)
		return NULL;
	do {
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The shared capture rel in memory; the test is skipped when it is not there. */
static inline uint8_t *slurp_shared(const char *rel, size_t *len)
{
	char *path = shared_capture(rel);
	uint8_t *buf;

	if (!path)
		cr_skip_test("%s is not in ../shared/captures beside the source tree (or top_srcdir is unset)", rel);
	buf = slurp(path, len);
	cr_assert(buf, "cannot read %s", path);
	free(path);
	return buf;
}

/* True when a program is on PATH (without running it). */
static inline bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		if (n && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path = end ? end + 1 : NULL;
	}
	return false;
}

#endif
