/* test_input.c - the input layer: gzip transparency, damaged gzip, files, standard input, line reads. */
#include <stdio.h>
#include <unistd.h>

#include "capture/input.h"
#include "gz.h"
#include "testlib.h"

/* A pcap with n bulk events whose payload bytes encode their index. */
static void make_pcap(struct strbuf *sb, int n)
{
	struct strbuf pkt = STRBUF_INIT;
	uint8_t data[100];

	sb_init(sb);
	pcapw_header(sb, LINKTYPE_USB_LINUX_MMAPPED, 65535, false, true);
	for (int i = 0; i < n; i++) {
		struct usb_event e;
		uint32_t len;
		memset(data, i & 0xff, sizeof(data));
		e = mk_usb('S', USB_XFER_BULK, 1, 2, 0x02, (uint64_t)i + 1, -115, sizeof(data), data,
			   sizeof(data), 1000000000LL + i);
		sb_init(&pkt);
		len = usbw_usbmon(&pkt, &e, true, false);
		pcapw_record(sb, e.ts_ns, pkt.buf, (uint32_t)pkt.len, len, false, true);
		sb_release(&pkt);
	}
}

static void check_pcap_records(const struct rec_list *l, int n)
{
	cr_assert_eq(l->rc, 0, "%s", errtext(&l->err));
	cr_assert_eq(l->n, (size_t)n);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(l->recs[i].u.usb.urb_id, (uint64_t)i + 1);
		cr_assert_eq(l->recs[i].u.usb.caplen, 100);
		cr_assert_eq(l->recs[i].u.usb.data[99], i & 0xff);
	}
}

Test(input, gzip_is_read_transparently)
{
	struct strbuf raw, gz = STRBUF_INIT;
	struct rec_list l;

	make_pcap(&raw, 3000);          /* > 256 KiB: several buffer refills */
	sb_init(&gz);
	gz_compress(&gz, raw.buf, raw.len);
	cr_assert_lt(gz.len, raw.len);
	cr_assert_eq(read_all_sb(&gz, &l), 0, "%s", errtext(&l.err));
	cr_assert(l.info.gzip);
	cr_assert_eq(l.info.format, CAP_FORMAT_PCAP);
	check_pcap_records(&l, 3000);
	rec_list_free(&l);
	sb_release(&raw);
	sb_release(&gz);
}

Test(input, concatenated_gzip_members_are_one_stream)
{
	struct strbuf raw, gz = STRBUF_INIT;
	struct rec_list l;
	size_t half;

	make_pcap(&raw, 50);
	half = 24 + 7 * (16 + 164);      /* header + 7 records */
	sb_init(&gz);
	gz_compress(&gz, raw.buf, half);
	gz_compress(&gz, raw.buf + half, raw.len - half);
	cr_assert_eq(read_all_sb(&gz, &l), 0, "%s", errtext(&l.err));
	check_pcap_records(&l, 50);
	rec_list_free(&l);
	sb_release(&raw);
	sb_release(&gz);
}

Test(input, corrupt_gzip_is_an_error_after_the_good_records)
{
	struct strbuf raw, gz = STRBUF_INIT;
	struct rec_list l;

	make_pcap(&raw, 3000);
	sb_init(&gz);
	gz_compress(&gz, raw.buf, raw.len);
	gz.buf[gz.len - 8] ^= 0x5a;     /* the CRC-32 trailer */
	cr_assert_eq(read_all_sb(&gz, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 3000, "records before the damage are delivered");
	cr_assert(strstr(errtext(&l.err), "test.cap: frame 3001"), "%s", errtext(&l.err));
	cr_assert(strstr(errtext(&l.err), "corrupt gzip data: incorrect data check"), "%s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&raw);
	sb_release(&gz);
}

Test(input, gzip_cut_short_is_an_error)
{
	struct strbuf raw, gz = STRBUF_INIT;
	struct rec_list l;

	make_pcap(&raw, 3000);
	sb_init(&gz);
	gz_compress(&gz, raw.buf, raw.len);
	gz.len = gz.len * 2 / 3;
	cr_assert_eq(read_all_sb(&gz, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, -1);
	cr_assert_gt(l.n, 0);
	cr_assert(strstr(errtext(&l.err), "gzip stream ends early"), "%s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&raw);
	sb_release(&gz);
}

Test(input, open_by_path_and_missing_file)
{
	struct strbuf raw;
	char path[] = "/tmp/scsiscope-test-XXXXXX";
	int fd = mkstemp(path);
	struct cap *c;
	struct cap_record r;
	struct error err;
	int n = 0, rc;

	cr_assert_geq(fd, 0);
	make_pcap(&raw, 10);
	cr_assert_eq(write(fd, raw.buf, raw.len), (ssize_t)raw.len);
	close(fd);
	cr_assert_eq(cap_open(path, &c, &err), 0, "%s", errtext(&err));
	while ((rc = cap_next(c, &r, &err)) > 0)
		n++;
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 10);
	cr_assert_eq(cap_next(c, &r, &err), 0, "the end is sticky");
	cap_close(c);
	unlink(path);
	cr_assert_eq(cap_open(path, &c, &err), -1);
	cr_assert(strstr(errtext(&err), "cannot open: No such file"), "%s", errtext(&err));
	sb_release(&raw);
}

Test(input, errors_are_sticky)
{
	struct strbuf raw;
	struct cap *c;
	struct cap_record r;
	struct error err, err2;

	make_pcap(&raw, 5);
	raw.len -= 50;
	cr_assert_eq(cap_open_mem(raw.buf, raw.len, "x", &c, &err), 0);
	while (cap_next(c, &r, &err) > 0)
		;
	cr_assert_eq(cap_next(c, &r, &err2), -1);
	cr_assert_str_eq(err.msg, err2.msg);
	cr_assert_eq(err.frame, 5);
	cap_close(c);
	sb_release(&raw);
}

Test(input, lines_are_bounded)
{
	static const char text[] = "short\r\nthis line is much too long\nlast";
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "rb");
	struct input *in;
	struct error err;
	const char *line;
	size_t len;
	bool too_long;

	cr_assert_eq(input_open(fp, "t", &in, &err), 0);
	line = input_line(in, 10, &len, &too_long, &err);
	cr_assert(line && len == 5 && !too_long && memcmp(line, "short", 5) == 0);
	line = input_line(in, 10, &len, &too_long, &err);
	cr_assert(line && too_long && len == 10);
	cr_assert_eq(input_offset(in), 7 + 27);
	line = input_line(in, 10, &len, &too_long, &err);
	cr_assert(line && len == 4 && !too_long && memcmp(line, "last", 4) == 0);
	cr_assert_null(input_line(in, 10, &len, &too_long, &err));
	input_close(in);
}
