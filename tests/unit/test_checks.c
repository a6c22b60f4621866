/* test_checks.c - the scsi and transport check families: small captures that trigger each check (id, frames, severity), correct exchanges that stay silent, and the expected findings of the real sample captures. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "bot_capture.h"
#include "lint_harness.h"
#include "uas_ius.h"

/* ------------------------------------------------ findings of every kind */

/* Decode with the lint hook and the default options, then the lint's report. */
static void lint_cap(struct cap *cap, struct run *r)
{
	lint_opts_cap(cap, NULL, r);
}

static void lint_sb(const struct strbuf *sb, struct run *r)
{
	lint_opts_sb(sb, NULL, r);
}

/* The finding exists once on that transaction, with that severity and frames. */
static const struct finding *expect(const struct run *r, const char *id, uint64_t txn_frame, enum severity sev,
				    unsigned nframes, const uint64_t *frames)
{
	return expect_once(r, id, txn_frame, sev, nframes, frames, txn_frame);
}

/* Findings of the checks written here (not those the decoder attaches). */
static const char *const OUR_IDS[] = {
	"check-condition", "unit-attention", "not-ready", "cdb-length-mismatch", "alloc-length-vs-transfer",
	"cdb-reserved-bits", "retry-storm", "bot-missing-data-phase", "bot-residue-mismatch", "bot-phase-error",
	"uas-missing-data-phase", "usb-device-gone", "usb-urb-error", "usb-stall", "capture-gap", "uas-orphan-sense",
	"command-timeout", "slow-command",
};

static unsigned ours(const struct run *r)
{
	return count_ids(r, OUR_IDS, sizeof(OUR_IDS) / sizeof(OUR_IDS[0]));
}

/* ------------------------------------------------- BOT capture builder */

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
	uint8_t inq16[16] = { 0x12, 0, 0, 0, 36, 0 };
	uint64_t f1, f2;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 36, true, inq16, 16);        /* 6-byte INQUIRY in a 16-byte CBW CDB */
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

	/* allocation length below the CBW's (BOT case Hi>Di, legal): info only */
	uint8_t rs[6] = { 0x03, 0, 0, 0, 252, 0 };
	uint8_t sense[256] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };
	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 256, true, rs, 6);
	bin(&b, 256, sense, 256, 0);
	csw(&b, 1, 0, 0);
	lint_sb(&b.sb, &r);
	f = expect(&r, "alloc-length-vs-transfer", f1, SEV_INFO, 1, &f1);
	cr_assert(strstr(f->msg, "252") && strstr(f->msg, "256"), "%s", f->msg);
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

/* ================================================= transport family */

Test(checks_transport, silent_on_a_correct_session)
{
	struct capb b;
	struct run r;
	uint8_t rs[96] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };
	uint8_t reqsense96[6] = { 0x03, 0, 0, 0, 96, 0 };
	uint32_t tag;

	bot_init(&b);
	bot_enumerate(&b);
	tag = good_session(&b, 1);
	/* a device padding REQUEST SENSE to the 96 bytes asked, residue = 96 - 18 relevant: legal (BOT 6.7.2) */
	cbw(&b, tag, 96, true, reqsense96, 6);
	bin(&b, 96, rs, 96, 0);
	csw(&b, tag, 78, 0);
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 5);
	cr_assert_eq(ours(&r), 0, "first: %s %s", r.n ? r.lf[0].f.id : "", r.n ? r.lf[0].f.msg : "");
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_transport, bot_missing_data_phase)
{
	struct capb b;
	struct run r;
	uint8_t s[18];
	uint32_t tag = 3;
	uint64_t f1, f2, f3;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 36, true, INQUIRY, 6);      /* passes, residue 0: claims 36 bytes moved */
	csw(&b, 1, 0, 0);
	f2 = cbw(&b, 2, 36, true, INQUIRY, 6);      /* passes, residue 36: admits it */
	csw(&b, 2, 36, 0);
	mk_sense(s, 0x05, 0x24, 0, 0, 0);
	f3 = failing(&b, &tag, INQUIRY, 6, 36, s, NULL);   /* failed without data: legal case 4 */
	lint_sb(&b.sb, &r);
	cr_assert(strstr(expect(&r, "bot-missing-data-phase", f1, SEV_ERROR, 1, &f1)->msg, "claims 36 bytes"));
	expect(&r, "bot-missing-data-phase", f2, SEV_WARNING, 1, &f2);
	cr_assert_eq(count(&r, "bot-missing-data-phase", f3), 0);
	cr_assert_eq(count(&r, "bot-residue-mismatch", 0), 0);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_transport, bot_residue_mismatch)
{
	struct capb b;
	struct run r;
	uint8_t inq[36] = { 0 };
	uint64_t f1, c1, f2, c2, f3;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 36, true, INQUIRY, 6);      /* 20 moved, residue 4: claims 32 */
	bin(&b, 36, inq, 20, 0);
	c1 = csw(&b, 1, 4, 0);
	f2 = cbw(&b, 2, 36, true, INQUIRY, 6);      /* residue beyond the expected length */
	bin(&b, 36, inq, 20, 0);
	c2 = csw(&b, 2, 100, 0);
	f3 = cbw(&b, 3, 36, true, INQUIRY, 6);      /* 20 moved, residue 16: right (20 padded, residue 36 would be too) */
	bin(&b, 36, inq, 20, 0);
	csw(&b, 3, 16, 0);
	lint_sb(&b.sb, &r);
	cr_assert(strstr(expect(&r, "bot-residue-mismatch", f1, SEV_WARNING, 1, &c1)->msg, "residue 4"));
	expect(&r, "bot-residue-mismatch", f2, SEV_WARNING, 1, &c2);
	cr_assert_eq(count(&r, "bot-residue-mismatch", f3), 0);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_transport, bot_phase_error_names_the_case)
{
	struct capb b;
	struct run r;
	uint8_t inq96[6] = { 0x12, 0, 0, 0, 96, 0 };
	uint8_t inq[64] = { 0 };
	uint64_t f1, c1, f2, c2, f3, c3, f4, c4, f5;

	bot_init(&b);
	bot_enumerate(&b);
	f1 = cbw(&b, 1, 36, true, inq96, 6);        /* host 36 in, CDB 96 in: (7) Hi<Di */
	bin(&b, 36, inq, 36, 0);
	c1 = csw(&b, 1, 0, 2);
	f2 = cbw(&b, 2, 512, true, TUR, 6);         /* host 512 in, no data: (4) Hi>Dn */
	c2 = csw(&b, 2, 512, 2);
	f3 = cbw(&b, 3, 36, false, INQUIRY, 6);     /* host out, CDB in: (10) Ho<>Di */
	c3 = csw(&b, 3, 36, 2);
	f4 = cbw(&b, 4, 36, true, inq96, 6);        /* no phase error, but 64 bytes where 36 were allowed */
	bin(&b, 64, inq, 64, 0);
	c4 = csw(&b, 4, 0, 0);
	f5 = cbw(&b, 5, 36, true, INQUIRY, 6);      /* (6) Hi=Di, passed: silent */
	bin(&b, 36, inq, 36, 0);
	csw(&b, 5, 0, 0);
	lint_sb(&b.sb, &r);
	cr_assert(strstr(expect(&r, "bot-phase-error", f1, SEV_ERROR, 2, (uint64_t[]){ f1, c1 })->msg, "(7) Hi<Di"));
	cr_assert(strstr(expect(&r, "bot-phase-error", f2, SEV_ERROR, 2, (uint64_t[]){ f2, c2 })->msg, "(4) Hi>Dn"));
	cr_assert(strstr(expect(&r, "bot-phase-error", f3, SEV_ERROR, 2, (uint64_t[]){ f3, c3 })->msg, "(10) Ho<>Di"));
	cr_assert(strstr(expect(&r, "bot-phase-error", f4, SEV_ERROR, 2, (uint64_t[]){ f4, c4 })->msg,
			 "moved 64 bytes where the CBW allowed 36"));
	cr_assert_eq(count(&r, "bot-phase-error", f5), 0);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_transport, capture_gap_in_the_tag_sequence_and_at_the_end)
{
	struct capb b;
	struct run r;
	uint64_t f4, f16, f17, last;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	good_session(&b, 1);                        /* tags 1-4 */
	f4 = b.frame - 3;                           /* the CBW of tag 4: its submit, completion, then the CSW's two records */
	f16 = cbw(&b, 16, 0, true, TUR, 6);
	csw(&b, 16, 0, 0);
	f17 = cbw(&b, 17, 0, true, TUR, 6);
	csw(&b, 17, 0, 0);
	cbw(&b, 18, 36, true, INQUIRY, 6);          /* the capture stops before the CSW */
	last = bin(&b, 36, zeros, 36, 0);
	lint_sb(&b.sb, &r);
	f = expect(&r, "capture-gap", f16, SEV_INFO, 2, (uint64_t[]){ f4, f16 });
	cr_assert(strstr(f->msg, "11 command(s)"), "%s", f->msg);
	cr_assert_eq(count(&r, "capture-gap", f17), 0);
	cr_assert_eq(r.col.n, 7);
	f = expect(&r, "capture-gap", r.col.c[6].s.frame, SEV_INFO, 1, &last);
	cr_assert(strstr(f->msg, "capture ends"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

/* Another program numbering its CBWs differently (libusb after the kernel
 * driver: "RIG6", then 1) is not a gap. */
Test(checks_transport, a_new_tag_numbering_is_not_a_gap)
{
	struct capb b;
	struct run r;

	bot_init(&b);
	bot_enumerate(&b);
	good_session(&b, 0x52494733);               /* tags 0x52494733-36 */
	cbw(&b, 1, 0, true, TUR, 6);                /* backwards */
	csw(&b, 1, 0, 0);
	cbw(&b, 2, 0, true, TUR, 6);
	csw(&b, 2, 0, 0);
	cbw(&b, 3, 0, true, TUR, 6);
	csw(&b, 3, 0, 0);
	cbw(&b, 4, 0, true, TUR, 6);
	csw(&b, 4, 0, 0);
	cbw(&b, 0x40000000, 0, true, TUR, 6);       /* forwards, but by far too much */
	csw(&b, 0x40000000, 0, 0);
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 9);
	for (size_t i = 0; i < r.col.n; i++)
		cr_assert_eq(count(&r, "capture-gap", r.col.c[i].s.frame), 0, "command %zu", i);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_transport, device_gone_and_urb_errors)
{
	struct capb b;
	struct run r;
	uint64_t f1, e1, e2, e3;

	bot_init(&b);
	bot_enumerate(&b);
	/* an endpoint no storage decoder owns: protocol error, unlink, timeout */
	put(&b, 'S', USB_XFER_BULK, 0x85, ++b.id, -115, 64, NULL, 0, NULL);
	e1 = put(&b, 'C', USB_XFER_BULK, 0x85, b.id, -71, 0, NULL, 0, NULL);
	put(&b, 'S', USB_XFER_BULK, 0x85, ++b.id, -115, 64, NULL, 0, NULL);
	e2 = put(&b, 'C', USB_XFER_BULK, 0x85, b.id, -2, 0, NULL, 0, NULL);
	put(&b, 'S', USB_XFER_BULK, 0x85, ++b.id, -115, 64, NULL, 0, NULL);
	e3 = put(&b, 'C', USB_XFER_BULK, 0x85, b.id, -110, 0, NULL, 0, NULL);
	f1 = cbw(&b, 1, 4096, true, READ10_8, 10);
	bin(&b, 4096, NULL, 0, -108);               /* the device disconnects mid-command */
	lint_sb(&b.sb, &r);
	cr_assert(strstr(expect(&r, "usb-urb-error", e1, SEV_ERROR, 1, &e1)->msg, "EPROTO"));
	expect(&r, "usb-urb-error", e2, SEV_INFO, 1, &e2);
	expect(&r, "usb-urb-error", e3, SEV_WARNING, 1, &e3);
	cr_assert_eq(r.col.n, 1);
	cr_assert_eq(r.col.c[0].s.end, TXN_END_DEVICE_GONE);
	expect(&r, "usb-device-gone", f1, SEV_ERROR, 1, &r.col.c[0].s.last_frame);
	run_free(&r);
	sb_release(&b.sb);
}

/* An invalid CBW (BOT 6.6.1): the device stalls it, the host does a reset
 * recovery (BOT 5.3.4), the next command works. */
Test(checks_transport, invalid_cbw_stall_and_reset_recovery)
{
	struct capb b;
	struct run r;
	uint8_t w[31];
	uint64_t f_bad, f_stall, f_reset, f_clear_out, f_next, fr[2];
	const struct finding *f;
	uint32_t tag;

	bot_init(&b);
	bot_enumerate(&b);
	tag = good_session(&b, 1);
	mk_cbw(w, tag, 0, false, 0, TUR, 6);
	memcpy(w, "XXXX", 4);
	f_bad = bout(&b, w, 31, -32);
	f_stall = f_bad + 1;
	f_reset = ctrl(&b, SETUP_BOT_RESET, NULL, 0) - 1;          /* the requests' own (setup) frames */
	ctrl(&b, SETUP_CLEAR_HALT_IN, NULL, 0);
	f_clear_out = ctrl(&b, SETUP_CLEAR_HALT_OUT, NULL, 0) - 1;
	f_next = cbw(&b, tag, 0, true, TUR, 6);
	csw(&b, tag, 0, 0);
	lint_sb(&b.sb, &r);
	fr[0] = f_bad;
	fr[1] = f_stall;
	f = expect(&r, "bot-bad-signature", f_stall, SEV_ERROR, 2, fr);
	cr_assert(strstr(f->msg, "58585858h") && strstr(f->msg, "invalid CBW"), "%s", f->msg);
	expect(&r, "usb-stall", f_stall, SEV_WARNING, 1, &f_stall);
	cr_assert_eq(count(&r, "usb-urb-error", 0), 0, "a stall is usb-stall, not a URB error");
	{
		uint64_t rf[4] = { f_stall, f_reset, f_clear_out, f_next };
		f = expect(&r, "bot-stall-recovery", f_next, SEV_INFO, 4, rf);
	}
	cr_assert(strstr(f->msg, "recovered"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

/* The same without the reset: the device stays stalled (BOT 6.6.1). */
Test(checks_transport, invalid_cbw_without_reset_recovery)
{
	struct capb b;
	struct run r;
	uint8_t w[31];
	uint64_t f_next;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	mk_cbw(w, 99, 0, false, 0, TUR, 6);
	memcpy(w, "USBX", 4);
	bout(&b, w, 31, -32);
	ctrl(&b, SETUP_CLEAR_HALT_OUT, NULL, 0);
	f_next = cbw(&b, 100, 0, true, TUR, 6);
	csw(&b, 100, 0, 0);
	lint_sb(&b.sb, &r);
	f = get(&r, "bot-stall-recovery", f_next);
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert(strstr(f->msg, "BOT 6.6.1"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

/* ===================================================== timing family */

/* n READ(10)s of 4096 bytes, each taking about `extra` ns more than the
 * records' own spacing; returns the CBW frame of the last. */
static uint64_t reads(struct capb *b, uint32_t *tag, unsigned n, int64_t extra)
{
	uint64_t f = 0;

	for (unsigned i = 0; i < n; i++) {
		f = cbw(b, *tag, 4096, true, READ10_8, 10);
		b->ts += extra;
		bin(b, 4096, zeros, 4096, 0);
		csw(b, (*tag)++, 0, 0);
	}
	return f;
}

Test(checks_timing, slow_command_against_its_own_distribution)
{
	struct capb b;
	struct run r;
	uint32_t tag = 1;
	uint64_t f_slow;
	const struct finding *f;

	bot_init(&b);
	bot_enumerate(&b);
	reads(&b, &tag, 30, 2000000);                   /* ~2 ms each */
	f_slow = reads(&b, &tag, 1, 400000000);         /* 400 ms */
	reads(&b, &tag, 5, 2000000);
	lint_sb(&b.sb, &r);
	f = expect_once(&r, "slow-command", 0, SEV_INFO, 1, &f_slow, 0);
	cr_assert(strstr(f->msg, "READ(10)") && strstr(f->msg, "400.1 ms") && strstr(f->msg, "90th percentile") &&
		  strstr(f->msg, "the 36 READ(10) commands of 4 KiB to 8 KiB"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

/* Silent twins: all commands equally slow; too few commands to judge; an
 * outlier under the absolute floor; a tighter factor makes one appear. */
Test(checks_timing, slow_command_silent_twins)
{
	struct capb b;
	struct run r;
	struct lint_opts o;
	uint32_t tag = 1;
	uint64_t f_odd;

	bot_init(&b);
	bot_enumerate(&b);
	reads(&b, &tag, 25, 300000000);                 /* all 300 ms: a slow device, no outlier */
	cbw(&b, tag, 0, true, TUR, 6);                   /* 5 TEST UNIT READYs, one slow: too few */
	csw(&b, tag++, 0, 0);
	for (unsigned i = 0; i < 4; i++) {
		cbw(&b, tag, 0, true, TUR, 6);
		b.ts += 900000000;
		csw(&b, tag++, 0, 0);
	}
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "slow-command", 0), 0, "%s", get(&r, "slow-command", 0) ? get(&r, "slow-command", 0)->msg : "");
	run_free(&r);
	sb_release(&b.sb);

	bot_init(&b);
	bot_enumerate(&b);
	reads(&b, &tag, 30, 10000);                     /* ~85 us each */
	f_odd = reads(&b, &tag, 1, 50000000);           /* 50 ms: 500x, but under 100 ms */
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "slow-command", 0), 0);
	run_free(&r);
	lint_opts_default(&o);
	o.slow_min_us = 10000;
	lint_opts_sb(&b.sb, &o, &r);
	expect_once(&r, "slow-command", 0, SEV_INFO, 1, &f_odd, 0);
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_timing, command_timeout_reset_and_capture_end)
{
	struct capb b;
	struct run r;
	uint64_t f_hung, f_open;
	const struct finding *f;
	static const uint8_t get_status[8] = { 0x80, 0x00, 0, 0, 0, 0, 2, 0 };
	static const uint8_t st[2] = { 0, 0 };

	bot_init(&b);
	bot_enumerate(&b);
	f_hung = cbw(&b, 1, 4096, true, READ10_8, 10);  /* no answer; the host resets after 30 s */
	b.ts += 30000000000LL;
	ctrl(&b, SETUP_BOT_RESET, NULL, 0);
	ctrl(&b, SETUP_CLEAR_HALT_IN, NULL, 0);
	ctrl(&b, SETUP_CLEAR_HALT_OUT, NULL, 0);
	f_open = cbw(&b, 2, 0, true, TUR, 6);           /* open when the capture ends, 2 s later */
	b.ts += 2000000000LL;
	ctrl(&b, get_status, st, 2);
	lint_sb(&b.sb, &r);
	f = expect(&r, "command-timeout", f_hung, SEV_ERROR, 1, &f_hung);
	cr_assert(strstr(f->msg, "READ(10)") && strstr(f->msg, "reset") && strstr(f->msg, "30.0"), "%s", f->msg);
	f = get(&r, "command-timeout", 0);
	cr_assert_eq(count(&r, "command-timeout", 0), 2);
	for (unsigned i = 0; i < r.n; i++)
		if (!strcmp(r.lf[i].f.id, "command-timeout") && r.lf[i].kind == 0)
			f = &r.lf[i].f;
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert_eq(f->frames[0], f_open);
	cr_assert(strstr(f->msg, "never answered") && strstr(f->msg, "2.000 s"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);

	/* silent: a command open at the very end of the capture (it was simply cut) */
	bot_init(&b);
	bot_enumerate(&b);
	cbw(&b, good_session(&b, 1), 0, true, TUR, 6);
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "command-timeout", 0), 0);
	cr_assert_eq(count(&r, "capture-gap", 0), 1, "capture-gap says the capture stopped");
	run_free(&r);
	sb_release(&b.sb);
}

/* ------------------------------------------------- UAS capture builder */

#define UBUS 2
#define UDEV 4
#define EP_CMD 0x01
#define EP_STATUS 0x82
#define EP_DIN 0x83
#define EP_DOUT 0x04

/* USB 2 UAS device: interface 0 alt 1 with the four pipes and their Pipe
 * Usage descriptors (UAS 5.3.3.5), then SET_CONFIGURATION and SET_INTERFACE. */
static void uas_enumerate(struct capb *b)
{
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0, 0, 0, 0 };
	static const uint8_t set_alt[8] = { 0x01, 0x0b, 0x01, 0x00, 0, 0, 0, 0 };
	static const uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0xf4, 0x46, 0x03, 0x00, 0x00, 0x01, 1, 2, 3, 1 };
	static const uint8_t cfg[] = {
		9, 2, 0, 0, 1, 1, 0, 0x80, 50,
		9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0,
		7, 5, 0x81, 2, 0x00, 0x02, 0,
		7, 5, 0x02, 2, 0x00, 0x02, 0,
		9, 4, 0, 1, 4, 0x08, 0x06, 0x62, 0,
		7, 5, EP_CMD, 2, 0x00, 0x02, 0, 4, 0x24, 1, 0,
		7, 5, EP_STATUS, 2, 0x00, 0x02, 0, 4, 0x24, 2, 0,
		7, 5, EP_DIN, 2, 0x00, 0x02, 0, 4, 0x24, 3, 0,
		7, 5, EP_DOUT, 2, 0x00, 0x02, 0, 4, 0x24, 4, 0,
	};
	uint8_t c[sizeof(cfg)];
	uint8_t get_cfg[8] = { 0x80, 0x06, 0x00, 0x02, 0, 0, (uint8_t)sizeof(cfg), 0 };

	memcpy(c, cfg, sizeof(cfg));
	c[2] = (uint8_t)sizeof(cfg);
	ctrl(b, get_dev, dev, sizeof(dev));
	ctrl(b, get_cfg, c, sizeof(c));
	ctrl(b, set_cfg, NULL, 0);
	ctrl(b, set_alt, NULL, 0);
}

static uint64_t bs(struct capb *b, uint8_t ep, uint64_t id, uint32_t len, const void *out)
{
	return put(b, 'S', USB_XFER_BULK, ep, id, -115, len, out, out ? len : 0, NULL);
}

static uint64_t bc(struct capb *b, uint8_t ep, uint64_t id, uint32_t len, const void *in)
{
	return put(b, 'C', USB_XFER_BULK, ep, id, 0, len, in, in ? len : 0, NULL);
}

/* Linux's order without streams: status URB, Command IU, READY IU, data,
 * Sense IU.  dir: +1 in, -1 out, 0 no data phase at all.  Returns the
 * Command IU frame. */
static uint64_t uas_cmd(struct capb *b, uint16_t tag, const uint8_t *cdb, unsigned cdb_len, int dir,
			const void *data, uint32_t dlen, uint8_t status, const uint8_t *sense, uint16_t slen)
{
	uint8_t iu[64];
	uint64_t sid = ++b->id, cid = ++b->id, did = ++b->id, f;

	bs(b, EP_STATUS, sid, 112, NULL);
	f = bs(b, EP_CMD, cid, cmd_iu(iu, tag, 0, cdb, cdb_len), iu);
	bc(b, EP_CMD, cid, 32, NULL);
	if (dir) {
		bc(b, EP_STATUS, sid, ready_iu(iu, dir > 0 ? 0x06 : 0x07, tag), iu);
		sid = ++b->id;
		bs(b, EP_STATUS, sid, 112, NULL);
		if (dir > 0) {
			bs(b, EP_DIN, did, dlen, NULL);
			bc(b, EP_DIN, did, dlen, data);
		} else {
			bs(b, EP_DOUT, did, dlen, data);
			bc(b, EP_DOUT, did, dlen, NULL);
		}
	}
	bc(b, EP_STATUS, sid, sense_iu(iu, tag, status, sense, slen), iu);
	return f;
}

static uint64_t stray_sense(struct capb *b, uint16_t tag)
{
	uint8_t iu[64];
	uint64_t sid = ++b->id;

	bs(b, EP_STATUS, sid, 112, NULL);
	return bc(b, EP_STATUS, sid, sense_iu(iu, tag, 0, NULL, 0), iu);
}

Test(checks_transport, uas_missing_data_phase)
{
	struct capb b;
	struct run r;
	uint8_t inq[36] = { 0 }, s[18];
	uint64_t f1, f2, f3;

	capb_open(&b, UBUS, UDEV, 262144, 0xffff888000002000ULL, 1700000000000000000LL, 10000);
	uas_enumerate(&b);
	mk_sense(s, 0x05, 0x24, 0, 0, 0);
	f1 = uas_cmd(&b, 1, INQUIRY, 6, 0, NULL, 0, 0, NULL, 0);          /* GOOD, and no data */
	f2 = uas_cmd(&b, 2, INQUIRY, 6, +1, inq, 36, 0, NULL, 0);         /* correct */
	f3 = uas_cmd(&b, 3, INQUIRY, 6, 0, NULL, 0, 2, s, 18);            /* rejected: no data is right */
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 3);
	cr_assert(strstr(expect(&r, "uas-missing-data-phase", f1, SEV_ERROR, 1, &f1)->msg, "36 bytes in"));
	cr_assert_eq(count(&r, "uas-missing-data-phase", f2) + count(&r, "uas-missing-data-phase", f3), 0);
	cr_assert_eq(count(&r, "check-condition", f3), 1, "the UAS Sense IU's sense is used");
	run_free(&r);
	sb_release(&b.sb);
}

Test(checks_transport, uas_orphan_sense)
{
	struct capb b;
	struct run r;
	uint8_t inq[36] = { 0 };
	uint64_t early, late;
	const struct finding *f;

	capb_open(&b, UBUS, UDEV, 262144, 0xffff888000002000ULL, 1700000000000000000LL, 10000);
	uas_enumerate(&b);
	early = stray_sense(&b, 7);                 /* before the first command: reported at the end */
	uas_cmd(&b, 1, INQUIRY, 6, +1, inq, 36, 0, NULL, 0);
	late = stray_sense(&b, 9);                  /* tag 9 was never sent */
	uas_cmd(&b, 2, TUR, 6, 0, NULL, 0, 0, NULL, 0);
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 2);
	expect(&r, "uas-orphan-sense", late, SEV_WARNING, 1, &late);
	cr_assert_eq(count(&r, "uas-orphan-sense", 0), 2);
	f = NULL;
	for (unsigned i = 0; i < r.n; i++)
		if (r.lf[i].kind == 0 && !strcmp(r.lf[i].f.id, "uas-orphan-sense"))
			f = &r.lf[i].f;
	cr_assert(f, "the early stray is in the report");
	cr_assert_eq(f->nframes, 1);
	cr_assert_eq(f->frames[0], early);
	cr_assert_eq(ours(&r), 2);
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
	{ "unflushed-writes", 214, SEV_WARNING, "medium removal allowed with the write cache on (WCE=1): unflushed LBAs 4096-4103;" },
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
