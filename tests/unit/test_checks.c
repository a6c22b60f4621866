/* test_checks.c - the scsi and transport check families: small captures that trigger each check (id, frames, severity), correct exchanges that stay silent, and the expected findings of the real sample captures. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "bot_wrappers.h"
#include "decode_harness.h"
#include "uas_ius.h"

#include "analyze/lint.h"

/* ------------------------------------------------ findings of every kind */

#define LF_MAX 256

/* A finding copied out of the callback, with the transaction it came on. */
struct lf {
	uint8_t kind;             /* enum txn_kind; 0 = the end-of-capture report */
	uint64_t txn_frame;
	struct finding f;
};

struct run {
	struct col col;
	struct lf lf[LF_MAX];
	unsigned n;
};

static void take(struct run *r, uint8_t kind, uint64_t frame, const struct finding *f, uint32_t n)
{
	for (uint32_t i = 0; i < n && r->n < LF_MAX; i++) {
		r->lf[r->n].kind = kind;
		r->lf[r->n].txn_frame = frame;
		r->lf[r->n].f = f[i];
		r->n++;
	}
}

static void run_cb(void *ctx, const struct txn *t)
{
	struct run *r = ctx;

	collect(&r->col, t);
	if (t->kind == TXN_SCSI)
		take(r, t->kind, t->u.scsi.frame, t->u.scsi.findings, t->u.scsi.nfindings);
	else if (t->kind == TXN_CONTROL)
		take(r, t->kind, t->u.ctl.frame, t->u.ctl.findings, t->u.ctl.nfindings);
	else
		take(r, t->kind, t->u.note.frame, t->u.note.findings, t->u.note.nfindings);
}

/* Decode an opened capture with the lint hook, then the lint's report. */
static void lint_cap(struct cap *cap, struct run *r)
{
	struct lint_opts lo;
	struct lint *l;
	struct decoder_opts o = { .notes = true };
	struct decoder *d;
	struct cap_record rec;
	struct error err;
	const struct finding *f;
	int rc;

	memset(r, 0, sizeof(*r));
	lint_opts_default(&lo);
	l = lint_new(&lo);
	cr_assert(l);
	o.hook = lint_hook;
	o.hook_ctx = l;
	d = decoder_new(&o, run_cb, r);
	cr_assert(d);
	while ((rc = cap_next(cap, &rec, &err)) > 0)
		if (rec.kind == CAP_REC_USB)
			decoder_feed(d, &rec.u.usb);
	cr_assert_eq(rc, 0, "capture read error: %s", errtext(&err));
	decoder_finish(d);
	lint_finish(l);
	for (unsigned i = 0; (f = lint_report_at(l, i)) != NULL; i++)
		take(r, 0, 0, f, 1);
	decoder_free(d);
	lint_free(l);
}

static void lint_sb(const struct strbuf *sb, struct run *r)
{
	struct cap *cap;
	struct error err;

	cr_assert_eq(cap_open_mem(sb->buf, sb->len, "test.pcap", &cap, &err), 0, "%s", errtext(&err));
	lint_cap(cap, r);
	cap_close(cap);
}

static void run_free(struct run *r)
{
	col_free(&r->col);
}

/* How many findings with this id, on the transaction starting at frame
 * txn_frame (0: anywhere, including the report). */
static unsigned count(const struct run *r, const char *id, uint64_t txn_frame)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n; i++)
		n += !strcmp(r->lf[i].f.id, id) && (!txn_frame || r->lf[i].txn_frame == txn_frame);
	return n;
}

static const struct finding *get(const struct run *r, const char *id, uint64_t txn_frame)
{
	for (unsigned i = 0; i < r->n; i++)
		if (!strcmp(r->lf[i].f.id, id) && (!txn_frame || r->lf[i].txn_frame == txn_frame))
			return &r->lf[i].f;
	return NULL;
}

/* The finding exists once on that transaction, with that severity and frames. */
static const struct finding *expect(const struct run *r, const char *id, uint64_t txn_frame, enum severity sev,
				    unsigned nframes, const uint64_t *frames)
{
	const struct finding *f = get(r, id, txn_frame);

	cr_assert(f, "no %s on the transaction of frame %" PRIu64, id, txn_frame);
	cr_assert_eq(count(r, id, txn_frame), 1, "%s more than once", id);
	cr_assert_eq(f->severity, sev, "%s: severity %u, expected %u (%s)", id, f->severity, sev, f->msg);
	cr_assert_eq(f->nframes, nframes, "%s: %u frames (%s)", id, f->nframes, f->msg);
	for (unsigned i = 0; i < nframes; i++)
		cr_assert_eq(f->frames[i], frames[i], "%s: frame %u is %" PRIu64 ", expected %" PRIu64, id, i,
			     f->frames[i], frames[i]);
	return f;
}

/* Findings of the checks written here (not those the decoder attaches). */
static const char *const OUR_IDS[] = {
	"check-condition", "unit-attention", "not-ready", "cdb-length-mismatch", "alloc-length-vs-transfer",
	"cdb-reserved-bits", "retry-storm", "bot-missing-data-phase", "bot-residue-mismatch", "bot-phase-error",
	"uas-missing-data-phase", "usb-device-gone", "usb-urb-error", "capture-gap", "uas-orphan-sense",
};

static unsigned ours(const struct run *r)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n; i++)
		for (size_t k = 0; k < sizeof(OUR_IDS) / sizeof(OUR_IDS[0]); k++)
			n += !strcmp(r->lf[i].f.id, OUR_IDS[k]);
	return n;
}

/* ------------------------------------------------- BOT capture builder */

#define BUS 1
#define DEV 5
#define EP_IN 0x81
#define EP_OUT 0x02

static void bot_init(struct capb *b)
{
	capb_open(b, BUS, DEV, 65535, 0xffff888000001000ULL, 1700000000000000000LL + 25000, 25000);
}

static uint64_t bout(struct capb *b, const void *data, uint32_t len, int32_t status)
{
	uint64_t id = ++b->id;
	uint64_t f = put(b, 'S', USB_XFER_BULK, EP_OUT, id, -115, len, data, len, NULL);

	put(b, 'C', USB_XFER_BULK, EP_OUT, id, status, status == -32 ? 0 : len, NULL, 0, NULL);
	return f;
}

/* Returns the completion frame. */
static uint64_t bin(struct capb *b, uint32_t requested, const void *data, uint32_t actual, int32_t status)
{
	uint64_t id = ++b->id;

	put(b, 'S', USB_XFER_BULK, EP_IN, id, -115, requested, NULL, 0, NULL);
	return put(b, 'C', USB_XFER_BULK, EP_IN, id, status, actual, data, actual, NULL);
}

static uint64_t cbw(struct capb *b, uint32_t tag, uint32_t len, bool in, const uint8_t *cdb, uint8_t cblen)
{
	uint8_t w[31];

	mk_cbw(w, tag, len, in, 0, cdb, cblen);
	return bout(b, w, 31, 0);
}

static uint64_t csw(struct capb *b, uint32_t tag, uint32_t residue, uint8_t status)
{
	uint8_t w[13];

	mk_csw(w, tag, residue, status);
	return bin(b, 13, w, 13, 0);
}

static const uint8_t SETUP_GET_DEVICE[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
static const uint8_t SETUP_GET_CONFIG[8] = { 0x80, 0x06, 0x00, 0x02, 0x00, 0x00, 0x20, 0x00 };
static const uint8_t SETUP_SET_CONFIG[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
/* USB 2.0 9.6.1/9.6.3: interface 0 mass storage, SCSI, Bulk-Only, bulk IN 81h and OUT 02h. */
static const uint8_t DEVICE_DESC[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0x00, 0x01, 1, 2, 3, 1 };
static const uint8_t CONFIG_DESC[32] = {
	9, 2, 32, 0, 1, 1, 0, 0x80, 50,
	9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0,
	7, 5, EP_IN, 2, 0x00, 0x02, 0,
	7, 5, EP_OUT, 2, 0x00, 0x02, 0,
};

static void bot_enumerate(struct capb *b)
{
	ctrl(b, SETUP_GET_DEVICE, DEVICE_DESC, sizeof(DEVICE_DESC));
	ctrl(b, SETUP_GET_CONFIG, CONFIG_DESC, sizeof(CONFIG_DESC));
	ctrl(b, SETUP_SET_CONFIG, NULL, 0);
}

static const uint8_t INQUIRY[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t TUR[6] = { 0, 0, 0, 0, 0, 0 };
static const uint8_t REQSENSE[6] = { 0x03, 0, 0, 0, 18, 0 };
static const uint8_t READ_CAP10[10] = { 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t READ10_8[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0 };
static uint8_t zeros[8192];

/* Fixed sense data (SPC-4 4.5.3) with key/asc/ascq and sense-key specific bytes. */
static void mk_sense(uint8_t s[18], uint8_t key, uint8_t asc, uint8_t ascq, uint8_t sks0, uint16_t field)
{
	memset(s, 0, 18);
	s[0] = 0x70;
	s[2] = key;
	s[7] = 10;
	s[12] = asc;
	s[13] = ascq;
	s[15] = sks0;
	s[16] = (uint8_t)(field >> 8);
	s[17] = (uint8_t)field;
}

/* A command failing with CHECK CONDITION, then the REQUEST SENSE that
 * fetches the sense (Linux's auto-sense).  Returns the CBW frame; *sense_frame
 * gets the frame of the sense data. */
static uint64_t failing(struct capb *b, uint32_t *tag, const uint8_t *cdb, uint8_t cblen, uint32_t xfer,
			const uint8_t sense[18], uint64_t *sense_frame)
{
	uint32_t t = (*tag)++;
	uint64_t f = cbw(b, t, xfer, true, cdb, cblen);
	uint64_t sf;

	csw(b, t, xfer, 1);
	t = (*tag)++;
	cbw(b, t, 18, true, REQSENSE, 6);
	sf = bin(b, 18, sense, 18, 0);
	csw(b, t, 0, 0);
	if (sense_frame)
		*sense_frame = sf;
	return f;
}

/* INQUIRY, READ CAPACITY(10) (512-byte blocks), READ(10), TEST UNIT READY: all fine. */
static uint32_t good_session(struct capb *b, uint32_t tag)
{
	uint8_t inq[36] = { 0, 0x80, 5, 2, 31 };
	uint8_t cap[8] = { 0, 0, 0x7f, 0xff, 0, 0, 2, 0 };

	cbw(b, tag, 36, true, INQUIRY, 6);
	bin(b, 36, inq, 36, 0);
	csw(b, tag++, 0, 0);
	cbw(b, tag, 8, true, READ_CAP10, 10);
	bin(b, 8, cap, 8, 0);
	csw(b, tag++, 0, 0);
	cbw(b, tag, 4096, true, READ10_8, 10);
	bin(b, 4096, zeros, 4096, 0);
	csw(b, tag++, 0, 0);
	cbw(b, tag, 0, true, TUR, 6);
	csw(b, tag++, 0, 0);
	return tag;
}

/* ====================================================== scsi family */

Test(checks_scsi, silent_on_a_correct_session)
{
	struct capb b;
	struct run r;

	bot_init(&b);
	bot_enumerate(&b);
	good_session(&b, 1);
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 4);
	cr_assert_eq(ours(&r), 0, "first: %s %s", r.n ? r.lf[0].f.id : "", r.n ? r.lf[0].f.msg : "");
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, invalid_opcode_names_the_opcode_and_is_listed_per_device)
{
	struct capb b;
	struct run r;
	uint8_t s[18];
	uint8_t c0[6] = { 0xc0 }, rsoc[12] = { 0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0 };
	uint32_t tag = 1;
	uint64_t f1, sf1, f2, sf2;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	mk_sense(s, 0x05, 0x20, 0x00, 0, 0);
	f1 = failing(&b, &tag, c0, 6, 0, s, &sf1);
	f2 = failing(&b, &tag, rsoc, 12, 512, s, &sf2);
	lint_sb(&b.sb, &r);
	f = expect(&r, "check-condition", f1, SEV_WARNING, 2, (uint64_t[]){ f1, sf1 });
	cr_assert(strstr(f->msg, "does not implement opcode C0h"), "%s", f->msg);
	cr_assert(strstr(f->msg, "05/20/00"), "%s", f->msg);
	f = expect(&r, "check-condition", f2, SEV_WARNING, 2, (uint64_t[]){ f2, sf2 });
	cr_assert(strstr(f->msg, "opcode A3h"), "%s", f->msg);
	/* the end-of-capture list */
	unsigned reports = 0;
	for (unsigned i = 0; i < r.n; i++) {
		if (r.lf[i].kind != 0)
			continue;
		reports++;
		cr_assert_str_eq(r.lf[i].f.id, "check-condition");
		cr_assert_eq(r.lf[i].f.severity, SEV_INFO);
		cr_assert(strstr(r.lf[i].f.msg, "1:005") && strstr(r.lf[i].f.msg, "2 opcodes") &&
			  strstr(r.lf[i].f.msg, "A3h, C0h"), "%s", r.lf[i].f.msg);
		cr_assert_eq(r.lf[i].f.nframes, 2);
		cr_assert_eq(r.lf[i].f.frames[0], f2, "ordered by opcode: A3h first");
		cr_assert_eq(r.lf[i].f.frames[1], f1);
	}
	cr_assert_eq(reports, 1);
	cr_assert_eq(count(&r, "check-condition", 0), 3);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, invalid_field_points_at_the_cdb_byte)
{
	struct capb b;
	struct run r;
	uint8_t s[18];
	uint8_t vpd[6] = { 0x12, 0x01, 0xab, 0, 0xff, 0 };
	uint32_t tag = 1;
	uint64_t f1, sf1, f2, sf2, f3, sf3;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	/* SKSV, C/D = CDB, no bit pointer, field byte 2 */
	mk_sense(s, 0x05, 0x24, 0x00, 0xc0, 2);
	f1 = failing(&b, &tag, vpd, 6, 255, s, &sf1);
	/* SKSV, C/D = CDB, BPV with bit 0, byte 1 */
	mk_sense(s, 0x05, 0x24, 0x00, 0xc8, 1);
	f2 = failing(&b, &tag, vpd, 6, 255, s, &sf2);
	/* SKSV not set: no pointer */
	mk_sense(s, 0x05, 0x24, 0x00, 0x40, 2);
	f3 = failing(&b, &tag, vpd, 6, 255, s, &sf3);
	lint_sb(&b.sb, &r);
	f = expect(&r, "check-condition", f1, SEV_WARNING, 2, (uint64_t[]){ f1, sf1 });
	cr_assert(strstr(f->msg, "CDB byte 2 (PAGE CODE 0xab)"), "%s", f->msg);
	f = expect(&r, "check-condition", f2, SEV_WARNING, 2, (uint64_t[]){ f2, sf2 });
	cr_assert(strstr(f->msg, "CDB byte 1 bit 0 (EVPD 0x01)"), "%s", f->msg);
	f = expect(&r, "check-condition", f3, SEV_WARNING, 2, (uint64_t[]){ f3, sf3 });
	cr_assert_null(strstr(f->msg, "points at"), "%s", f->msg);
	cr_assert(strstr(f->msg, "INVALID FIELD IN CDB (05/24/00)"), "%s", f->msg);
	cr_assert_eq(count(&r, "check-condition", 0), 3, "no 05/20/00 list");
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, sense_keys_choose_the_check_and_severity)
{
	struct capb b;
	struct run r;
	uint8_t ua[18], nr[18], me[18], rec[18];
	uint32_t tag = 1;
	uint64_t f1, s1, f2, s2, f3, s3, f4, s4;

	bot_init(&b);
	bot_enumerate(&b);
	mk_sense(ua, 0x06, 0x29, 0x00, 0, 0);
	mk_sense(nr, 0x02, 0x3a, 0x00, 0, 0);
	mk_sense(me, 0x03, 0x11, 0x00, 0, 0);
	mk_sense(rec, 0x01, 0x17, 0x00, 0, 0);
	f1 = failing(&b, &tag, TUR, 6, 0, ua, &s1);
	f2 = failing(&b, &tag, TUR, 6, 0, nr, &s2);
	f3 = failing(&b, &tag, READ10_8, 10, 4096, me, &s3);
	f4 = failing(&b, &tag, TUR, 6, 0, rec, &s4);
	lint_sb(&b.sb, &r);
	expect(&r, "unit-attention", f1, SEV_INFO, 2, (uint64_t[]){ f1, s1 });
	expect(&r, "not-ready", f2, SEV_INFO, 2, (uint64_t[]){ f2, s2 });
	cr_assert(strstr(get(&r, "not-ready", f2)->msg, "MEDIUM NOT PRESENT"));
	expect(&r, "check-condition", f3, SEV_ERROR, 2, (uint64_t[]){ f3, s3 });
	expect(&r, "check-condition", f4, SEV_INFO, 2, (uint64_t[]){ f4, s4 });
	cr_assert_eq(count(&r, "check-condition", f1) + count(&r, "check-condition", f2), 0);
	cr_assert_eq(count(&r, "unit-attention", 0), 1);
	cr_assert_eq(count(&r, "not-ready", 0), 1);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, check_condition_without_captured_sense)
{
	struct capb b;
	struct run r;
	uint64_t f1;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 0, true, TUR, 6);
	csw(&b, 1, 0, 1);
	lint_sb(&b.sb, &r);
	expect(&r, "check-condition", f1, SEV_WARNING, 1, &f1);
	cr_assert(strstr(get(&r, "check-condition", f1)->msg, "not in the capture"));
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, cdb_length_mismatch_and_its_silent_twin)
{
	struct capb b;
	struct run r;
	uint8_t inq[36] = { 0 };
	uint64_t f1, f2;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 36, true, INQUIRY, 16);      /* 6-byte INQUIRY in a 16-byte CBW CDB */
	bin(&b, 36, inq, 36, 0);
	csw(&b, 1, 0, 0);
	f2 = cbw(&b, 2, 36, true, INQUIRY, 6);
	bin(&b, 36, inq, 36, 0);
	csw(&b, 2, 0, 0);
	lint_sb(&b.sb, &r);
	f = expect(&r, "cdb-length-mismatch", f1, SEV_WARNING, 1, &f1);
	cr_assert(strstr(f->msg, "6-byte") && strstr(f->msg, "16 bytes"), "%s", f->msg);
	cr_assert_eq(count(&r, "cdb-length-mismatch", f2), 0);
	cr_assert_eq(ours(&r), 1);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, allocation_length_against_the_cbw)
{
	struct capb b;
	struct run r;
	uint8_t inq_big[6] = { 0x12, 0, 0, 0x24, 0x00, 0 };   /* allocation length 0x2400 */
	uint8_t read1[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	uint8_t inq[36] = { 0 };
	uint64_t f1, f2, f3;
	const struct finding *f;
	uint32_t tag;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 512, true, inq_big, 6);
	bin(&b, 512, inq, 36, 0);
	csw(&b, 1, 512 - 36, 0);
	/* READ(10) of one block before the block size is known: skipped */
	f2 = cbw(&b, 2, 1024, true, read1, 10);
	bin(&b, 1024, zeros, 1024, 0);
	csw(&b, 2, 0, 0);
	tag = good_session(&b, 3);
	/* after READ CAPACITY said 512: one block is 512 bytes, not 1024 */
	f3 = cbw(&b, tag, 1024, true, read1, 10);
	bin(&b, 1024, zeros, 512, 0);
	csw(&b, tag, 512, 0);
	lint_sb(&b.sb, &r);
	f = expect(&r, "alloc-length-vs-transfer", f1, SEV_WARNING, 1, &f1);
	cr_assert(strstr(f->msg, "9216") && strstr(f->msg, "512"), "%s", f->msg);
	cr_assert_eq(count(&r, "alloc-length-vs-transfer", f2), 0);
	f = expect(&r, "alloc-length-vs-transfer", f3, SEV_WARNING, 1, &f3);
	cr_assert(strstr(f->msg, "1 blocks x 512 bytes = 512") && strstr(f->msg, "1024"), "%s", f->msg);
	cr_assert_eq(count(&r, "alloc-length-vs-transfer", 0), 2);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, reserved_bits_in_well_known_cdbs)
{
	struct capb b;
	struct run r;
	uint8_t tur[6] = { 0, 0, 0x01, 0, 0, 0 };
	uint8_t inq_cmddt[6] = { 0x12, 0x02, 0, 0, 36, 0 };
	uint8_t read_grp[10] = { 0x28, 0, 0, 0, 0, 0, 0x1f, 0, 1, 0 };    /* GROUP NUMBER 1Fh: not reserved */
	uint8_t read_res[10] = { 0x28, 0, 0, 0, 0, 0, 0x80, 0, 1, 0 };    /* byte 6 bit 7: reserved */
	uint8_t inq[36] = { 0 };
	uint64_t f1, f2, f3, f4;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 0, true, tur, 6);
	csw(&b, 1, 0, 0);
	f2 = cbw(&b, 2, 36, true, inq_cmddt, 6);
	bin(&b, 36, inq, 36, 0);
	csw(&b, 2, 0, 0);
	f3 = cbw(&b, 3, 512, true, read_grp, 10);
	bin(&b, 512, zeros, 512, 0);
	csw(&b, 3, 0, 0);
	f4 = cbw(&b, 4, 512, true, read_res, 10);
	bin(&b, 512, zeros, 512, 0);
	csw(&b, 4, 0, 0);
	lint_sb(&b.sb, &r);
	f = expect(&r, "cdb-reserved-bits", f1, SEV_WARNING, 1, &f1);
	cr_assert(strstr(f->msg, "TEST UNIT READY") && strstr(f->msg, "byte 2 = 0x01"), "%s", f->msg);
	f = expect(&r, "cdb-reserved-bits", f2, SEV_WARNING, 1, &f2);
	cr_assert(strstr(f->msg, "CMDDT"), "%s", f->msg);
	cr_assert_eq(count(&r, "cdb-reserved-bits", f3), 0, "GROUP NUMBER is not reserved");
	f = expect(&r, "cdb-reserved-bits", f4, SEV_WARNING, 1, &f4);
	cr_assert(strstr(f->msg, "byte 6 = 0x80"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, retry_storm_after_the_configured_failures)
{
	struct capb b;
	struct run r;
	uint8_t nr[18];
	uint32_t tag = 1;
	uint64_t fr[6];

	bot_init(&b);
	bot_enumerate(&b);
	mk_sense(nr, 0x02, 0x04, 0x01, 0, 0);
	for (int i = 0; i < 6; i++)
		fr[i] = failing(&b, &tag, TUR, 6, 0, nr, NULL);
	lint_sb(&b.sb, &r);
	/* default retry_storm_min 5: the fifth failure reports, once */
	expect(&r, "retry-storm", fr[4], SEV_WARNING, 2, (uint64_t[]){ fr[0], fr[4] });
	cr_assert_eq(count(&r, "retry-storm", 0), 1);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_scsi, no_retry_storm_when_a_success_breaks_the_run)
{
	struct capb b;
	struct run r;
	uint8_t nr[18];
	uint32_t tag = 1;

	bot_init(&b);
	bot_enumerate(&b);
	mk_sense(nr, 0x02, 0x04, 0x01, 0, 0);
	for (int i = 0; i < 8; i++) {
		failing(&b, &tag, TUR, 6, 0, nr, NULL);
		if (i == 3) {
			cbw(&b, tag, 0, true, TUR, 6);
			csw(&b, tag++, 0, 0);
		}
	}
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "retry-storm", 0), 0);
	cr_assert_eq(count(&r, "not-ready", 0), 8);
	run_free(&r);
	sb_release(&b.sb);
}

/* ==================================================== real captures */

struct expected_finding {
	const char *id;
	uint64_t txn_frame;       /* 0: the end-of-capture report */
	uint8_t severity;
	const char *text;         /* a piece of the message */
};

/*
 * samples/bot-ehci.pcap (samples/README.md, bot-ehci.commands.log): the
 * probe's UNIT ATTENTION, the vendor opcode C0h the rig sends on purpose
 * (05/20/00), the INQUIRY of VPD page ABh (05/24/00, no field pointer:
 * QEMU leaves SKSV 0), NOT READY after the eject, and the root hub's
 * interrupt URB unlinked at the start.  Nothing else at any severity from
 * these checks: QEMU pads the REQUEST SENSE data to the 96 bytes asked and
 * reports the 18 relevant ones in the residue, which BOT 6.7.2 allows.
 */
static const struct expected_finding BOT_EHCI[] = {
	{ "unit-attention", 80, SEV_INFO, "TEST UNIT READY: UNIT ATTENTION: POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (06/29/00)" },
	{ "check-condition", 244, SEV_WARNING, "does not implement opcode C0h" },
	{ "check-condition", 254, SEV_WARNING, "INQUIRY: ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00)" },
	{ "not-ready", 270, SEV_INFO, "MEDIUM NOT PRESENT (02/3A/00)" },
	{ "check-condition", 0, SEV_INFO, "rejected 1 opcode as not implemented (05/20/00): C0h" },
	{ "usb-urb-error", 20, SEV_INFO, "unlinked by the host (ENOENT), status -2" },
};

Test(checks_real, samples_bot_ehci_expected_findings)
{
	char *path = src_path("samples/bot-ehci.pcap");
	struct cap *cap;
	struct error err;
	struct run r;
	size_t n = sizeof(BOT_EHCI) / sizeof(BOT_EHCI[0]);

	cr_assert_eq(cap_open(path, &cap, &err), 0, "%s", errtext(&err));
	lint_cap(cap, &r);
	cap_close(cap);
	free(path);
	cr_assert_eq(r.col.n, 41);
	for (size_t i = 0; i < n; i++) {
		const struct finding *f = NULL;
		for (unsigned j = 0; j < r.n && !f; j++)
			if (!strcmp(r.lf[j].f.id, BOT_EHCI[i].id) &&
			    (BOT_EHCI[i].txn_frame ? r.lf[j].txn_frame == BOT_EHCI[i].txn_frame : r.lf[j].kind == 0))
				f = &r.lf[j].f;
		cr_assert(f, "missing %s at %" PRIu64, BOT_EHCI[i].id, BOT_EHCI[i].txn_frame);
		cr_assert_eq(f->severity, BOT_EHCI[i].severity, "%s at %" PRIu64, BOT_EHCI[i].id,
			     BOT_EHCI[i].txn_frame);
		cr_assert(strstr(f->msg, BOT_EHCI[i].text), "%s", f->msg);
	}
	/* every finding of these checks, and every warning or error of any
	 * origin, is in the table */
	for (unsigned i = 0; i < r.n; i++) {
		bool ok = false, our = false;
		for (size_t k = 0; k < sizeof(OUR_IDS) / sizeof(OUR_IDS[0]); k++)
			our |= !strcmp(r.lf[i].f.id, OUR_IDS[k]);
		if (!our && r.lf[i].f.severity == SEV_INFO)
			continue;
		for (size_t k = 0; k < n; k++)
			ok |= !strcmp(r.lf[i].f.id, BOT_EHCI[k].id) &&
			      (r.lf[i].kind == 0 ? BOT_EHCI[k].txn_frame == 0 : r.lf[i].txn_frame == BOT_EHCI[k].txn_frame);
		cr_assert(ok, "unexpected %s on frame %" PRIu64 ": %s", r.lf[i].f.id, r.lf[i].txn_frame, r.lf[i].f.msg);
	}
	run_free(&r);
}
