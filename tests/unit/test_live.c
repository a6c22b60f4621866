/* test_live.c - live capture pieces that run without root: usbmon diagnosis, the device filter, the pcapng ring, drops as capture-gap, the decoder's stall flush, and `capture`/`-i` over file: sources. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "capture/devfilter.h"
#include "capture/live.h"
#include "capture/ring.h"
#include "cli_harness.h"
#include "decode/decode.h"
#include "testlib.h"
#include "tui/live.h"

#define CAP_HOST_BE_TEST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

/* ------------------------------------------------------------ collector */

/* What the tests look at of each delivered transaction. */
struct got {
	uint8_t kind;
	uint64_t frame;
	uint16_t device;
	uint8_t note_kind;
	uint32_t note_length;
	unsigned nfindings;
	struct finding f[4];
};

struct gots {
	struct got g[4096];
	size_t n;
};

static void got_txn(void *ctx, const struct txn *t)
{
	struct gots *gs = ctx;
	struct got *g;
	const struct finding *fs = NULL;
	uint32_t nf = 0;

	cr_assert_lt(gs->n, 4096);
	g = &gs->g[gs->n++];
	memset(g, 0, sizeof(*g));
	g->kind = t->kind;
	switch (t->kind) {
	case TXN_SCSI:
		g->frame = t->u.scsi.frame; g->device = t->u.scsi.device;
		fs = t->u.scsi.findings; nf = t->u.scsi.nfindings;
		break;
	case TXN_CONTROL:
		g->frame = t->u.ctl.frame; g->device = t->u.ctl.device;
		fs = t->u.ctl.findings; nf = t->u.ctl.nfindings;
		break;
	default:
		g->frame = t->u.note.frame; g->device = t->u.note.device;
		g->note_kind = t->u.note.kind; g->note_length = t->u.note.length;
		fs = t->u.note.findings; nf = t->u.note.nfindings;
		break;
	}
	g->nfindings = nf;
	for (uint32_t i = 0; i < nf && i < 4; i++)
		g->f[i] = fs[i];
}

static void decode_file(const char *path, struct gots *gs)
{
	struct decoder_opts o = { .notes = true };
	struct decoder *d = decoder_new(&o, got_txn, gs);
	struct cap *c;
	struct cap_record r;
	struct error err;
	int rc;

	cr_assert(d);
	gs->n = 0;
	cr_assert_eq(cap_open(path, &c, &err), 0, "%s", errtext(&err));
	while ((rc = cap_next(c, &r, &err)) > 0)
		if (r.kind == CAP_REC_USB)
			decoder_feed(d, &r.u.usb);
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	decoder_finish(d);
	decoder_free(d);
	cap_close(c);
}

/* ------------------------------------------------------------ fake sysfs */

static void mkdirs(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	cr_assert(fp, "%s", path);
	fputs(text, fp);
	fclose(fp);
}

/* A device directory under ROOT/sys/bus/usb/devices. */
static void fake_dev(const char *root, const char *name, unsigned bus, unsigned dev, const char *vid, const char *pid)
{
	char dir[512], num[16];

	snprintf(dir, sizeof(dir), "%s/sys/bus/usb/devices/%s", root, name);
	mkdirs(dir);
	snprintf(num, sizeof(num), "%u\n", bus);
	put_file(dir, "busnum", num);
	snprintf(num, sizeof(num), "%u\n", dev);
	put_file(dir, "devnum", num);
	put_file(dir, "idVendor", vid);
	put_file(dir, "idProduct", pid);
	put_file(dir, "product", "Test Device\n");
	put_file(dir, "speed", "480\n");
}

static char *fake_root(void)
{
	char *root = strdup("/tmp/scsiscope-live-XXXXXX");

	cr_assert(mkdtemp(root));
	fake_dev(root, "usb1", 1, 1, "1d6b\n", "0002\n");
	return root;
}

static void rm_rf(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	cr_assert_eq(system(cmd), 0);
}

/* ------------------------------------------------------------ diagnosis */

Test(explain, usbmon_not_loaded_says_modprobe)
{
	char *root = fake_root(), msg[ERROR_MSG_MAX], hint[1024];

	cap_live_explain(root, "usbmon1", ENOENT, NULL, msg, sizeof(msg), hint, sizeof(hint));
	cr_assert(strstr(msg, "usbmon is not loaded"), "%s", msg);
	cr_assert(strstr(msg, "modprobe usbmon"), "%s", msg);
	cr_assert(strstr(hint, "modules-load.d"), "%s", hint);
	rm_rf(root);
	free(root);
}

Test(explain, a_bus_that_does_not_exist_lists_the_buses)
{
	char *root = fake_root(), path[512], msg[ERROR_MSG_MAX], hint[1024];

	snprintf(path, sizeof(path), "%s/sys/module/usbmon", root);
	mkdirs(path);
	fake_dev(root, "usb3", 3, 1, "1d6b\n", "0003\n");
	cap_live_explain(root, "usbmon7", ENOENT, NULL, msg, sizeof(msg), hint, sizeof(hint));
	cr_assert(strstr(msg, "no USB bus 7"), "%s", msg);
	cr_assert(strstr(msg, "buses: 1 3"), "%s", msg);
	rm_rf(root);
	free(root);
}

Test(explain, permission_denied_names_group_udev_and_capability)
{
	char *root = fake_root(), path[512], msg[ERROR_MSG_MAX], hint[1024];

	snprintf(path, sizeof(path), "%s/sys/module/usbmon", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/dev", root);
	mkdirs(path);
	put_file(path, "usbmon1", "");
	cap_live_explain(root, "usbmon1", EACCES, NULL, msg, sizeof(msg), hint, sizeof(hint));
	cr_assert(strstr(msg, "permission denied opening /dev/usbmon1"), "%s", msg);
	cr_assert(strstr(msg, "root"), "%s", msg);
	cr_assert(strstr(hint, "SUBSYSTEM==\"usbmon\", GROUP=\"usbmon\""), "%s", hint);
	cr_assert(strstr(hint, "usermod -aG usbmon"), "%s", hint);
	cr_assert(strstr(hint, "cap_dac_read_search"), "%s", hint);
	/* loaded, readable, but libpcap failed for another reason: its words */
	cap_live_explain(root, "usbmon1", 0, "the interface went down", msg, sizeof(msg), hint, sizeof(hint));
	cr_assert(strstr(msg, "the interface went down"), "%s", msg);
	rm_rf(root);
	free(root);
}

Test(explain, loaded_without_a_device_node)
{
	char *root = fake_root(), path[512], msg[ERROR_MSG_MAX], hint[1024];

	snprintf(path, sizeof(path), "%s/sys/module/usbmon", root);
	mkdirs(path);
	cap_live_explain(root, "usbmon1", ENOENT, NULL, msg, sizeof(msg), hint, sizeof(hint));
	cr_assert(strstr(msg, "/dev/usbmon1 does not exist"), "%s", msg);
	cr_assert(strstr(hint, "devtmpfs"), "%s", hint);
	rm_rf(root);
	free(root);
}

Test(explain, not_a_usbmon_name)
{
	char msg[ERROR_MSG_MAX], hint[1024];

	cr_assert_eq(cap_live_bus("usbmon12"), 12);
	cr_assert_eq(cap_live_bus("usbmon0"), 0);
	cr_assert_eq(cap_live_bus("usbmon"), -1);
	cr_assert_eq(cap_live_bus("eth0"), -1);
	cr_assert_eq(cap_live_bus("usbmon1x"), -1);
	cap_live_explain(NULL, "eth0", 0, NULL, msg, sizeof(msg), hint, sizeof(hint));
	cr_assert(strstr(msg, "not a usbmon interface"), "%s", msg);
}

/* ------------------------------------------------------------ devfilter */

struct emitted {
	int64_t ts[64];
	uint64_t drops[64];
	unsigned n;
};

static void on_emit(void *ctx, const struct cap_live_pkt *pkt, uint64_t drops)
{
	struct emitted *e = ctx;

	cr_assert_lt(e->n, 64);
	e->ts[e->n] = pkt->ts_ns;
	e->drops[e->n++] = drops;
}

/* Feed ev through the filter as a link-type 220 packet. */
static void feed(struct devfilter *f, struct usb_event ev, struct emitted *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct cap_live_pkt raw;

	sb_init(&sb);
	raw.len = usbw_usbmon(&sb, &ev, true, CAP_HOST_BE_TEST);
	raw.data = (const uint8_t *)sb.buf;
	raw.caplen = (uint32_t)sb.len;
	raw.ts_ns = ev.ts_ns;
	devfilter_feed(f, &ev, &raw, on_emit, out);
	sb_release(&sb);
}

static struct usb_event ctl_submit(uint16_t dev, uint64_t id, const uint8_t setup[8], int64_t ts)
{
	struct usb_event e = mk_usb('S', USB_XFER_CONTROL, 1, dev, 0x80, id, -115, setup[6] | (setup[7] << 8), NULL, 0, ts);

	e.has_setup = true;
	memcpy(e.setup, setup, 8);
	return e;
}

static const uint8_t get_dev_desc[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };
static const uint8_t get_status[8] = { 0xa3, 0, 0, 0, 1, 0, 4, 0 };

static const uint8_t *dev_desc(uint16_t vid, uint16_t pid)
{
	static uint8_t d[18];

	memset(d, 0, sizeof(d));
	d[0] = 18;
	d[1] = 1;
	d[8] = (uint8_t)vid;
	d[9] = (uint8_t)(vid >> 8);
	d[10] = (uint8_t)pid;
	d[11] = (uint8_t)(pid >> 8);
	return d;
}

static const uint8_t *set_address(uint8_t a)
{
	static uint8_t s[8];

	memset(s, 0, sizeof(s));
	s[1] = 5;
	s[2] = a;
	return s;
}

Test(devfilter, follows_the_device_across_addresses_and_keeps_others_out)
{
	char *root = fake_root();
	struct emitted out = { .n = 0 };
	struct devfilter *f;
	struct devfilter_stats st;
	struct usb_event e;
	static const int64_t want[] = { 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18 };

	fake_dev(root, "1-4", 1, 9, "46f4\n", "0001\n");   /* there before the capture */
	f = devfilter_new(0x46f4, 0x0001, root);
	cr_assert(f);
	/* the root hub (sysfs: 1d6b:0002): out */
	feed(f, ctl_submit(1, 100, get_status, 1), &out);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 1, 0x80, 100, 0, 4, "\x01\x01\x00\x00", 4, 2), &out);
	/* the device enumerated at address 0 (EHCI), then SET_ADDRESS(5) */
	feed(f, ctl_submit(0, 101, get_dev_desc, 3), &out);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 0, 0x80, 101, 0, 18, dev_desc(0x46f4, 1), 18, 4), &out);
	feed(f, ctl_submit(0, 102, set_address(5), 5), &out);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 0, 0x00, 102, 0, 0, NULL, 0, 6), &out);
	cr_assert(devfilter_is_match(f, 1, 5));
	feed(f, ctl_submit(5, 103, get_dev_desc, 7), &out);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 5, 0x80, 103, 0, 18, dev_desc(0x46f4, 1), 18, 8), &out);
	/* another device at address 0, then 6: out, with its drops carried */
	feed(f, ctl_submit(0, 104, get_dev_desc, 9), &out);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 0, 0x80, 104, 0, 18, dev_desc(0x1234, 0x5678), 18, 10), &out);
	feed(f, ctl_submit(0, 105, set_address(6), 11), &out);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 0, 0x00, 105, 0, 0, NULL, 0, 12), &out);
	cr_assert_not(devfilter_is_match(f, 1, 6));
	e = mk_usb('C', USB_XFER_BULK, 1, 6, 0x81, 106, 0, 0, NULL, 0, 13);
	e.drops = 3;
	feed(f, e, &out);
	/* the device leaves address 5 ... */
	feed(f, mk_usb('C', USB_XFER_BULK, 1, 5, 0x81, 107, -19, 0, NULL, 0, 14), &out);
	/* ... and comes back at 7 addressed by the controller (xHCI): no
	 * address 0, not in sysfs yet: held until its descriptor */
	feed(f, ctl_submit(7, 108, get_dev_desc, 15), &out);
	cr_assert_eq(out.n, 7, "held until identified (%u emitted)", out.n);
	feed(f, mk_usb('C', USB_XFER_CONTROL, 1, 7, 0x80, 108, 0, 18, dev_desc(0x46f4, 1), 18, 16), &out);
	feed(f, mk_usb('S', USB_XFER_BULK, 1, 7, 0x02, 109, -115, 31, NULL, 0, 17), &out);
	/* a second unit, there before the capture: sysfs says */
	feed(f, mk_usb('S', USB_XFER_BULK, 1, 9, 0x02, 110, -115, 31, NULL, 0, 18), &out);

	cr_assert_eq(out.n, sizeof(want) / sizeof(want[0]), "emitted %u", out.n);
	for (unsigned i = 0; i < out.n; i++)
		cr_assert_eq(out.ts[i], want[i], "packet %u: ts %lld, expected %lld", i, (long long)out.ts[i],
			     (long long)want[i]);
	cr_assert_eq(out.drops[6], 3, "the drops of a packet left out go to the next one written");
	devfilter_get_stats(f, &st);
	cr_assert_eq(st.kept, 11);
	cr_assert_eq(st.left_out, 7);
	cr_assert_eq(st.matched, 4, "addresses 0, 5, 7 and 9");
	devfilter_free(f);
	rm_rf(root);
	free(root);
}

Test(devfilter, held_packets_are_bounded)
{
	struct emitted out = { .n = 0 };
	struct devfilter *f = devfilter_new(0x46f4, 1, "/nonexistent");
	struct devfilter_stats st;

	cr_assert(f);
	for (unsigned i = 0; i < DEVFILTER_HELD_MAX + 10; i++)
		feed(f, mk_usb('S', USB_XFER_BULK, 1, 4, 0x02, i, -115, 31, NULL, 0, (int64_t)i + 1), &out);
	devfilter_get_stats(f, &st);
	cr_assert_eq(st.kept, 0);
	cr_assert_eq(st.held_dropped, DEVFILTER_HELD_MAX + 10, "the held ones would be dropped, the oldest already were");
	devfilter_free(f);
}

/* ------------------------------------------------------------ ring */

/* Every record of a file. */
static void read_file(const char *path, struct rec_list *l)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);

	cr_assert(buf, "cannot read %s", path);
	cr_assert_eq(read_all_mem(buf, len, l), 0, "%s", errtext(&l->err));
	cr_assert_eq(l->rc, 0, "%s", errtext(&l->err));
	free(buf);
}

/* The packets of a sample as raw usbmon bytes. */
struct pkts {
	struct strbuf sb[512];
	struct usb_event ev[512];
	unsigned n;
};

static void sample_pkts(const char *rel, struct pkts *p)
{
	char *path = src_path(rel);
	struct rec_list l;

	read_file(path, &l);
	free(path);
	p->n = 0;
	for (size_t i = 0; i < l.n && p->n < 512; i++) {
		if (l.recs[i].kind != CAP_REC_USB)
			continue;
		sb_init(&p->sb[p->n]);
		p->ev[p->n] = l.recs[i].u.usb;
		usbw_usbmon(&p->sb[p->n], &l.recs[i].u.usb, true, CAP_HOST_BE_TEST);
		p->n++;
	}
	rec_list_free(&l);
}

static struct cap_live_pkt raw_of(const struct pkts *p, unsigned i)
{
	struct cap_live_pkt r;

	r.data = (const uint8_t *)p->sb[i].buf;
	r.caplen = (uint32_t)p->sb[i].len;
	r.len = r.caplen;
	r.ts_ns = p->ev[i].ts_ns;
	return r;
}

static void pkts_free(struct pkts *p)
{
	for (unsigned i = 0; i < p->n; i++)
		sb_release(&p->sb[i]);
}

Test(ring, drops_become_epb_dropcount_and_a_capture_gap)
{
	static struct pkts p;
	char dir[] = "/tmp/scsiscope-ring-XXXXXX", path[128];
	struct ring_opts ro = { .linktype = LINKTYPE_USB_LINUX_MMAPPED, .snaplen = 262144, .if_name = "usbmon1" };
	struct ring *r;
	struct error err;
	struct rec_list l;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.pcapng", dir);
	ro.path = path;
	sample_pkts("samples/bot-ehci.pcap", &p);
	cr_assert_gt(p.n, 100);
	cr_assert_eq(ring_open(&ro, &r, &err), 0, "%s", errtext(&err));
	for (unsigned i = 0; i < p.n; i++) {
		struct cap_live_pkt raw = raw_of(&p, i);
		cr_assert_eq(ring_write(r, &raw, i == 99 ? 7 : 0, &err), 0, "%s", errtext(&err));
	}
	cr_assert_eq(ring_packets(r), p.n);
	cr_assert_eq(ring_close(r, 9, &err), 0, "%s", errtext(&err));

	read_file(path, &l);
	cr_assert_eq(l.n, p.n, "the statistics block is not a frame");
	cr_assert_eq(l.frames, p.n);
	for (size_t i = 0; i < l.n; i++) {
		cr_assert_eq(usb_rec(&l, i)->drops, i == 99 ? 7u : 0u, "frame %zu", i + 1);
		cr_assert_eq(usb_rec(&l, i)->urb_id, p.ev[i].urb_id);
		cr_assert_eq(usb_rec(&l, i)->ts_ns, p.ev[i].ts_ns);
	}
	rec_list_free(&l);

	/* decoded: a note at frame 100 with capture-gap, frames 99 and 100 */
	{
		static struct gots gs;
		unsigned seen = 0;

		decode_file(path, &gs);
		for (size_t i = 0; i < gs.n; i++) {
			const struct got *g = &gs.g[i];
			if (g->kind != TXN_USB || g->note_kind != USB_NOTE_GAP)
				continue;
			seen++;
			cr_assert_eq(g->frame, 100);
			cr_assert_eq(g->note_length, 7);
			cr_assert_eq(g->nfindings, 1);
			cr_assert_str_eq(g->f[0].id, "capture-gap");
			cr_assert_eq(g->f[0].severity, SEV_WARNING);
			cr_assert_eq(g->f[0].nframes, 2);
			cr_assert_eq(g->f[0].frames[0], 99);
			cr_assert_eq(g->f[0].frames[1], 100);
			cr_assert(strstr(g->f[0].msg, "lost 7 events"), "%s", g->f[0].msg);
		}
		cr_assert_eq(seen, 1, "the drops are one capture-gap note");
	}
	pkts_free(&p);
	rm_rf(dir);
}

Test(ring, files_of_a_size_and_the_newest_n_kept)
{
	static struct pkts p;
	char dir[] = "/tmp/scsiscope-ring-XXXXXX", path[128], name[160];
	struct ring_opts ro = { .linktype = LINKTYPE_USB_LINUX_MMAPPED, .snaplen = 262144, .if_name = "usbmon1",
				.size_bytes = 10000, .files = 3 };
	struct ring *r;
	struct error err;
	uint64_t total = 0, last_urb = 0;
	unsigned files;

	ring_file_name("a/b.c/out.pcapng", 7, name, sizeof(name));
	cr_assert_str_eq(name, "a/b.c/out_00007.pcapng");
	ring_file_name("a/b.c/out", 12, name, sizeof(name));
	cr_assert_str_eq(name, "a/b.c/out_00012");
	ring_file_name(".hidden", 1, name, sizeof(name));
	cr_assert_str_eq(name, ".hidden_00001");

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.pcapng", dir);
	ro.path = path;
	sample_pkts("samples/bot-ehci.pcap", &p);
	cr_assert_eq(ring_open(&ro, &r, &err), 0, "%s", errtext(&err));
	for (unsigned i = 0; i < p.n; i++) {
		struct cap_live_pkt raw = raw_of(&p, i);
		cr_assert_eq(ring_write(r, &raw, 0, &err), 0, "%s", errtext(&err));
	}
	files = ring_files(r);
	cr_assert_eq(ring_close(r, 0, &err), 0, "%s", errtext(&err));
	cr_assert_gt(files, 3, "a 40 kB capture in files of 10 kB");
	for (unsigned n = 1; n <= files; n++) {
		struct stat st;
		ring_file_name(path, n, name, sizeof(name));
		if (n + 3 <= files) {
			cr_assert_neq(stat(name, &st), 0, "%s is removed (the ring keeps 3)", name);
			continue;
		}
		cr_assert_eq(stat(name, &st), 0, "%s", name);
		if (n < files)
			cr_assert_leq(st.st_size, 10000, "%s", name);
		{
			struct rec_list l;
			read_file(name, &l);
			cr_assert_gt(l.n, 0);
			total += l.n;
			last_urb = usb_rec(&l, l.n - 1)->urb_id;
			rec_list_free(&l);
		}
	}
	cr_assert_eq(last_urb, p.ev[p.n - 1].urb_id, "the last file ends with the last packet");
	cr_assert_lt(total, p.n);
	pkts_free(&p);
	rm_rf(dir);
}

/* ------------------------------------------------------------ stall flush */

Test(decoder, live_output_passes_over_a_stalled_transaction)
{
	struct decoder_opts o = { .notes = true };
	static struct gots gs;
	struct decoder *d;
	struct usb_event e;

	gs.n = 0;
	d = decoder_new(&o, got_txn, &gs);
	cr_assert(d);
	/* a control request to device 2 that stays open */
	e = ctl_submit(2, 1, get_status, 1000);
	e.frame = 1;
	decoder_feed(d, &e);
	/* a request to device 3, done */
	e = ctl_submit(3, 2, get_status, 2000);
	e.frame = 2;
	decoder_feed(d, &e);
	e = mk_usb('C', USB_XFER_CONTROL, 1, 3, 0x80, 2, 0, 4, "\x01\x01\x00\x00", 4, 3000);
	e.frame = 3;
	decoder_feed(d, &e);
	cr_assert_eq(gs.n, 0, "start order: the open request holds the finished one back");
	cr_assert_eq(decoder_flush_stalled(d, 500), 0, "the open request is younger than the hold");
	cr_assert_eq(gs.n, 0);
	cr_assert_eq(decoder_flush_stalled(d, 1500), 1);
	cr_assert_eq(gs.n, 1, "the finished request is delivered");
	cr_assert_eq(gs.g[0].device, 3);
	cr_assert_eq(decoder_flush_stalled(d, 1500), 0, "nothing waits any more");
	/* the passed-over one is delivered when it ends */
	e = mk_usb('C', USB_XFER_CONTROL, 1, 2, 0x80, 1, 0, 4, "\x01\x01\x00\x00", 4, 4000);
	e.frame = 4;
	decoder_feed(d, &e);
	cr_assert_eq(gs.n, 2);
	cr_assert_eq(gs.g[1].device, 2);
	cr_assert_eq(gs.g[1].frame, 1);
	decoder_finish(d);
	cr_assert_eq(gs.n, 2);
	decoder_free(d);
}

/* ------------------------------------------------------------ capture command */

/* Lines of text that contain needle. */
static unsigned count_lines(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(capture_cli, usage_errors)
{
	struct cli_run r = run_scsiscope("capture -w /dev/null");

	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "needs -i usbmonN"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("capture -i usbmon1");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "needs -w"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("capture -i usbmon1 -w x.pcapng --ring 3");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--ring goes with --size"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("capture -i usbmon1 -w x.pcapng --device 46f4");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "VID:PID"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("capture -i usbmon1 -w x.pcapng --duration 3x");
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	r = run_scsiscope("help capture");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--device VID:PID"));
	cli_run_free(&r);
}

Test(capture_cli, no_usbmon_says_modprobe_and_writes_nothing)
{
	char *root = fake_root(), args[1024], out[600];
	struct cli_run r;

	snprintf(out, sizeof(out), "%s/out.pcapng", root);
	snprintf(args, sizeof(args), "capture -i usbmon1 -w '%s'", out);
	setenv("SCSISCOPE_SYSROOT", root, 1);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "usbmon is not loaded"), "%s", r.err);
	cr_assert(strstr(r.err, "sudo modprobe usbmon"), "%s", r.err);
	cr_assert_neq(access(out, F_OK), 0, "no file is created");
	cli_run_free(&r);
	r = run_scsiscope("decode -i usbmon1");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "sudo modprobe usbmon"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("capture --list");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usbmon1"), "%s", r.out);
	cr_assert(strstr(r.out, "modprobe usbmon"), "%s", r.out);
	cli_run_free(&r);
	fake_dev(root, "1-2", 1, 4, "46f4\n", "0001\n");
	r = run_scsiscope("capture --list");
	cr_assert(strstr(r.out, "1:4   46f4:0001"), "%s", r.out);
	cli_run_free(&r);
	unsetenv("SCSISCOPE_SYSROOT");
	rm_rf(root);
	free(root);
}

Test(capture_cli, file_source_with_device_and_count)
{
	char dir[] = "/tmp/scsiscope-capcli-XXXXXX", args[2048], out[128];
	char *sample = src_path("samples/uas-ehci.pcap");
	struct cli_run r, a, b;
	struct rec_list l;
	char sum[128];

	cr_assert(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/uas.pcapng", dir);
	/* only the UAS device (46f4:0003): the root hub's traffic is left out,
	 * and its SCSI commands are exactly the original's */
	snprintf(args, sizeof(args), "capture -q -i 'file:%s' -w '%s' --device 46f4:0003", sample, out);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "(end of file)"), "%s", r.err);
	snprintf(args, sizeof(args), "decode --scsi-only '%s' | cut -c25-", sample);
	a = run_scsiscope(args);
	snprintf(args, sizeof(args), "decode --scsi-only '%s' | cut -c25-", out);
	b = run_scsiscope(args);
	cr_assert_gt(strlen(a.out), 1000);
	cr_assert_str_eq(a.out, b.out, "the device's commands, as in the original");
	snprintf(sum, sizeof(sum), " %u commands, 0 dropped", count_lines(a.out, "\n"));
	cr_assert(strstr(r.err, sum), "the counter says%s: %s", sum, r.err);
	cli_run_free(&b);
	snprintf(args, sizeof(args), "decode '%s'", out);
	b = run_scsiscope(args);
	cr_assert_eq(count_lines(b.out, " 1:001 "), 0, "no root hub traffic: %s", b.out);
	cr_assert_gt(count_lines(b.out, " 1:000 ep0 ctl GET_DESCRIPTOR DEVICE"), 0, "the enumeration at address 0 is kept");
	cli_run_free(&a);
	cli_run_free(&b);
	cli_run_free(&r);

	/* --count: exactly that many packets */
	snprintf(args, sizeof(args), "capture -q -i 'file:%s' -w '%s' --count 100", sample, out);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "(--count reached)"), "%s", r.err);
	read_file(out, &l);
	cr_assert_eq(l.n, 100);
	rec_list_free(&l);
	cli_run_free(&r);
	free(sample);
	rm_rf(dir);
}

/* ------------------------------------------------------------ decode -i, lint -i */

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted, joined again (text is modified). */
static char *sorted_lines(char *text)
{
	char **v = NULL, *out, *save = NULL;
	size_t n = 0, len = strlen(text) + 2, used = 0;

	for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		v = realloc(v, (n + 1) * sizeof(*v));
		cr_assert(v);
		v[n++] = tok;
	}
	qsort(v, n, sizeof(*v), cmp_line);
	out = malloc(len);
	cr_assert(out);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s\n", v[i]);
	free(v);
	return out;
}

Test(live_cli, decode_and_lint_of_a_file_source_equal_the_file)
{
	static const char *samples[] = { "bot-ehci", "uas-ehci", "uas-xhci-concurrent" };

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char path[600], args[1400];
		char *sample;
		struct cli_run a, b;

		snprintf(path, sizeof(path), "samples/%s.pcap", samples[i]);
		sample = src_path(path);
		static const char *views[] = { "", "-v", "--json", "--scsi-only --filter 'status!=good'" };
		for (size_t k = 0; k < 4; k++) {
			snprintf(args, sizeof(args), "decode %s -i 'file:%s'", views[k], sample);
			a = run_scsiscope(args);
			snprintf(args, sizeof(args), "decode %s '%s'", views[k], sample);
			b = run_scsiscope(args);
			cr_assert_eq(a.status, 0, "%s", a.err);
			cr_assert_gt(strlen(b.out), 100);
			cr_assert_str_eq(a.out, b.out, "decode %s -i of %s", views[k], samples[i]);
			cr_assert(strstr(a.err, " dropped (end of file)"), "%s", a.err);
			cli_run_free(&a);
			cli_run_free(&b);
		}
		/* lint: the same findings (streamed as found, not grouped) */
		snprintf(args, sizeof(args), "lint --json --severity info -i 'file:%s'", sample);
		a = run_scsiscope(args);
		snprintf(args, sizeof(args), "lint --json --severity info '%s'", sample);
		b = run_scsiscope(args);
		cr_assert_eq(a.status, b.status);
		cr_assert_eq(a.status, 1, "the samples have info findings");
		{
			char *sa = sorted_lines(a.out), *sb = sorted_lines(b.out);
			cr_assert_str_eq(sa, sb, "lint -i of %s", samples[i]);
			free(sa);
			free(sb);
		}
		cli_run_free(&a);
		cli_run_free(&b);
		snprintf(args, sizeof(args), "lint -i 'file:%s'", sample);
		a = run_scsiscope(args);
		cr_assert_eq(a.status, 0, "%s", a.err);
		cr_assert(strstr(a.out, " errors, "), "%s", a.out);
		cli_run_free(&a);
		free(sample);
	}
}

/* decode -i and lint -i --device VID:PID: the device's packets as
 * capture --device would write them, numbered so; the live output equals
 * decoding (and linting) that file. */
Test(live_cli, device_vid_pid_follows_like_capture)
{
	char dir[] = "/tmp/scsiscope-follow-XXXXXX", args[2048], out[128];
	char *sample = src_path("samples/uas-ehci.pcap");
	static const char *views[] = { "", "--json", "-v" };
	struct cli_run r, a, b;

	cr_assert(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/dev.pcapng", dir);
	snprintf(args, sizeof(args), "capture -q -i 'file:%s' -w '%s' --device 46f4:0003", sample, out);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cli_run_free(&r);
	for (size_t k = 0; k < sizeof(views) / sizeof(views[0]); k++) {
		snprintf(args, sizeof(args), "decode %s -i 'file:%s' --device 46f4:0003", views[k], sample);
		a = run_scsiscope(args);
		snprintf(args, sizeof(args), "decode %s '%s'", views[k], out);
		b = run_scsiscope(args);
		cr_assert_eq(a.status, 0, "%s", a.err);
		cr_assert_gt(strlen(b.out), 1000);
		cr_assert_str_eq(a.out, b.out, "decode %s -i --device", views[k]);
		cr_assert(strstr(a.err, "scsiscope decode: device 46f4:0003: ") && strstr(a.err, " packets kept, ") &&
			  !strstr(a.err, " 0 of other devices left out") && !strstr(a.err, "not seen"), "%s", a.err);
		cli_run_free(&a);
		cli_run_free(&b);
	}
	snprintf(args, sizeof(args), "lint --json --severity info -i 'file:%s' --device 46f4:0003", sample);
	a = run_scsiscope(args);
	snprintf(args, sizeof(args), "lint --json --severity info '%s'", out);
	b = run_scsiscope(args);
	cr_assert_eq(a.status, b.status, "%s", a.err);
	{
		char *sa = sorted_lines(a.out), *sb = sorted_lines(b.out);
		cr_assert_gt(strlen(sb), 100);
		cr_assert_str_eq(sa, sb, "lint -i --device");
		free(sa);
		free(sb);
	}
	cli_run_free(&a);
	cli_run_free(&b);
	/* a device that is not on the bus: nothing shown, and said so */
	snprintf(args, sizeof(args), "decode -i 'file:%s' --device 1234:5678", sample);
	a = run_scsiscope(args);
	cr_assert_eq(a.status, 0, "%s", a.err);
	cr_assert_str_eq(a.out, "");
	cr_assert(strstr(a.err, "device 1234:5678: 0 packets kept, ") && strstr(a.err, "(the device was not seen)"), "%s",
		  a.err);
	cli_run_free(&a);
	free(sample);
	rm_rf(dir);
}

/* tui -i --device VID:PID: the capture thread writes what capture
 * --device writes, packet for packet. */
Test(live_cli, tui_device_vid_pid_writes_what_capture_device_writes, .timeout = 60)
{
	char dir[] = "/tmp/scsiscope-tuidev-XXXXXX", iface[700], out[128], ref[128], args[2048];
	char *sample = src_path("samples/uas-ehci.pcap");
	struct cap_live_opts co;
	struct cap_live *cap;
	struct tui_live_opts lo;
	struct tui_live *lv;
	struct tui_live_status st;
	struct error err;
	struct rec_list a, b, all;
	struct cli_run r;

	cr_assert(mkdtemp(dir));
	snprintf(iface, sizeof(iface), "file:%s", sample);
	snprintf(out, sizeof(out), "%s/tui.pcapng", dir);
	snprintf(ref, sizeof(ref), "%s/capture.pcapng", dir);
	memset(&co, 0, sizeof(co));
	co.iface = iface;
	cr_assert_eq(cap_live_open(&co, &cap, &err), 0, "%s", errtext(&err));
	memset(&lo, 0, sizeof(lo));
	lo.iface = iface;
	lo.write_path = out;
	lo.follow_device = true;
	lo.vid = 0x46f4;
	lo.pid = 0x0003;
	lv = tui_live_start(cap, &lo, &err);
	cr_assert(lv, "%s", errtext(&err));
	tui_live_wait(lv);
	tui_live_status(lv, &st);
	cr_assert_eq(st.state, TUI_LIVE_ENDED, "state %d: %s", st.state, errtext(&st.err));
	tui_live_free(lv);
	snprintf(args, sizeof(args), "capture -q -i 'file:%s' -w '%s' --device 46f4:0003", sample, ref);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cli_run_free(&r);
	read_file(out, &a);
	read_file(ref, &b);
	read_file(sample, &all);
	cr_assert_gt(b.n, 100);
	cr_assert_lt(b.n, all.n, "the root hub's packets are left out");
	cr_assert_eq(a.n, b.n);
	cr_assert_eq(st.packets, a.n);
	for (size_t i = 0; i < a.n; i++) {
		const struct usb_event *x = usb_rec(&a, i), *y = usb_rec(&b, i);
		cr_assert(x && y);
		cr_assert(x->ts_ns == y->ts_ns && x->urb_id == y->urb_id && x->bus == y->bus && x->device == y->device &&
			  x->endpoint == y->endpoint && x->caplen == y->caplen, "packet %zu differs", i);
		cr_assert(!x->caplen || !memcmp(x->data, y->data, x->caplen), "packet %zu's data differs", i);
	}
	rec_list_free(&a);
	rec_list_free(&b);
	rec_list_free(&all);
	free(sample);
	rm_rf(dir);
}

Test(live_cli, option_errors)
{
	struct cli_run r = run_scsiscope("decode --count 5 x.pcap");

	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "go with -i"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("decode -i usbmon1 x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "not both"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("lint -i usbmon1 --duration 0");
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	r = run_scsiscope("decode --device 46f4:0003 x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "live bus (-i)"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("lint --device 46f4:0003 x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "live bus (-i)"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("lint -i usbmon1 --device 1:2");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "VID:PID"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("decode -i eth0");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "not a usbmon interface"), "%s", r.err);
	cli_run_free(&r);
	/* tui -i */
	r = run_scsiscope("tui --device 46f4:0003 x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "live bus (-i)"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("tui -w out.pcapng x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "go with -i"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("tui -i usbmon1 x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "not both"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("tui -i usbmon1 -w -");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "-w wants a file"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("tui -i usbmon1 --count 0");
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
}

/* ------------------------------------------------------------ growing files */

/* Append bytes [from, to) of src to path. */
static void append(const char *path, const uint8_t *src, size_t from, size_t to)
{
	FILE *fp = fopen(path, "ab");

	cr_assert(fp);
	cr_assert_eq(fwrite(src + from, 1, to - from, fp), to - from);
	cr_assert_eq(fclose(fp), 0);
}

/* tui -i file:PATH: records appended in pieces that cut them anywhere are
 * delivered once whole, never as damage, and the source does not end. */
Test(live, file_source_follows_what_is_appended)
{
	char dir[] = "/tmp/scsiscope-follow-XXXXXX", path[128], iface[160];
	char *src = src_path("samples/bot-ehci.pcap");
	struct rec_list want;
	size_t len, off = 0;
	uint8_t *buf = slurp(src, &len);
	struct cap_live_opts o;
	struct cap_live *l;
	struct error err;
	size_t got = 0;

	cr_assert(buf && mkdtemp(dir));
	read_file(src, &want);
	snprintf(path, sizeof(path), "%s/grow.pcap", dir);
	snprintf(iface, sizeof(iface), "file:%s", path);
	append(path, buf, 0, 24 + 100);           /* the header and part of the first record */
	off = 124;
	memset(&o, 0, sizeof(o));
	o.iface = iface;
	o.follow = true;
	cr_assert_eq(cap_live_open(&o, &l, &err), 0, "%s", errtext(&err));
	for (int round = 0; round < 100000 && got < want.n; round++) {
		struct cap_record r;
		bool ended = false;
		int rc = cap_live_next(l, 1, &r, NULL, &ended, &err);

		cr_assert_geq(rc, 0, "record %zu: %s", got + 1, errtext(&err));
		cr_assert(!ended, "a followed file does not end");
		if (rc == 1) {
			cr_assert_eq(r.u.usb.frame, got + 1);
			cr_assert_eq(r.u.usb.urb_id, usb_rec(&want, got)->urb_id);
			cr_assert_eq(r.u.usb.ts_ns, usb_rec(&want, got)->ts_ns);
			cr_assert_eq(r.u.usb.caplen, usb_rec(&want, got)->caplen);
			got++;
		} else if (off < len) {
			/* 333 bytes more: records cut anywhere */
			size_t to = off + 333 < len ? off + 333 : len;
			append(path, buf, off, to);
			off = to;
		}
	}
	cr_assert_eq(got, want.n, "%zu of the %zu records", got, want.n);
	{
		struct cap_record r;
		bool ended = false;
		cr_assert_eq(cap_live_next(l, 1, &r, NULL, &ended, &err), 0);
		cr_assert(!ended);
	}
	cap_live_close(l);
	rec_list_free(&want);
	unlink(path);
	rmdir(dir);
	free(buf);
	free(src);
}

/* cap_open_growing: what is appended after the end was seen is read; with
 * a limit, the file reads as if it ended there. */
Test(live, growing_capture_reads_what_is_appended_and_a_prefix_is_complete)
{
	char dir[] = "/tmp/scsiscope-grow-XXXXXX", path[128];
	char *src = src_path("samples/bot-ehci.pcap");
	size_t len, rec_end[64], n = 0, pos = 24;
	uint8_t *buf = slurp(src, &len);
	struct cap *c;
	struct cap_record r;
	struct error err;

	cr_assert(buf && mkdtemp(dir));
	/* the ends of the first records (classic pcap, little-endian) */
	while (n < 64 && pos + 16 <= len) {
		uint32_t caplen = (uint32_t)buf[pos + 8] | (uint32_t)buf[pos + 9] << 8 | (uint32_t)buf[pos + 10] << 16 |
				  (uint32_t)buf[pos + 11] << 24;
		pos += 16 + caplen;
		rec_end[n++] = pos;
	}
	cr_assert_eq(n, 64);
	snprintf(path, sizeof(path), "%s/grow.pcap", dir);
	append(path, buf, 0, rec_end[9]);
	cr_assert_eq(cap_open_growing(path, UINT64_MAX, &c, &err), 0, "%s", errtext(&err));
	for (int i = 0; i < 10; i++)
		cr_assert_eq(cap_next(c, &r, &err), 1, "record %d: %s", i + 1, errtext(&err));
	append(path, buf, rec_end[9], rec_end[29]);
	for (int i = 10; i < 30; i++) {
		cr_assert_eq(cap_next(c, &r, &err), 1, "record %d, appended: %s", i + 1, errtext(&err));
		cr_assert_eq(r.u.usb.frame, (uint64_t)i + 1);
	}
	cap_close(c);
	/* a prefix ending at a record boundary, with more after it */
	append(path, buf, rec_end[29], rec_end[29] + 7);
	cr_assert_eq(cap_open_growing(path, rec_end[19], &c, &err), 0, "%s", errtext(&err));
	for (int i = 0; i < 20; i++)
		cr_assert_eq(cap_next(c, &r, &err), 1, "record %d: %s", i + 1, errtext(&err));
	cr_assert_eq(cap_next(c, &r, &err), 0, "the prefix ends cleanly after its 20 records");
	cap_close(c);
	unlink(path);
	rmdir(dir);
	free(buf);
	free(src);
}
