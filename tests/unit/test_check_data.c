/* test_check_data.c - the data family of lint checks: unflushed writes, failing, unsupported and suspicious SYNCHRONIZE CACHE, on small BOT captures. */
#include <inttypes.h>
#include <stdio.h>

#include "bot_capture.h"
#include "lint_harness.h"

/* Lint with the data family switched on. */
static void lint_sb(const struct strbuf *sb, struct run *r)
{
	struct lint_opts lo;

	lint_opts_default(&lo);
	lo.data_checks = true;
	lint_opts_sb(sb, &lo, r);
}

/* The finding is on the transaction of txn_frame, once in the whole capture. */
static const struct finding *expect(const struct run *r, const char *id, uint64_t txn_frame, enum severity sev,
				    unsigned nframes, const uint64_t *frames)
{
	return expect_once(r, id, txn_frame, sev, nframes, frames, 0);
}

static const char *const OUR_IDS[] = {
	"unflushed-writes", "sync-cache-failed", "sync-cache-unsupported", "sync-cache-suspicious", "data-mismatch",
};

static unsigned ours(const struct run *r)
{
	return count_ids(r, OUR_IDS, sizeof(OUR_IDS) / sizeof(OUR_IDS[0]));
}

/* ------------------------------------------------- BOT capture builder */

static const uint8_t SYNC10[10] = { 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t EJECT[6] = { 0x1b, 0, 0, 0, 0x02, 0 };
static uint8_t zeros[65536];

static uint32_t start(struct capb *b)
{
	uint8_t cap[8] = { 0, 0, 0x7f, 0xff, 0, 0, 2, 0 };   /* 512-byte blocks */

	bot_init(b);
	bot_enumerate(b);
	cbw(b, 1, 8, true, READ_CAP10, 10);
	bin(b, 8, cap, 8, 0);
	csw(b, 1, 0, 0);
	return 2;
}

/* MODE SENSE(6) of the caching page (SBC-3 6.4.5) with an 8-byte block
 * descriptor; pc = the CDB's page control (0 current, 1 changeable). */
static uint64_t mode_sense(struct capb *b, uint32_t *tag, int wce, uint8_t pc)
{
	uint8_t cdb[6] = { 0x1a, 0, (uint8_t)(pc << 6 | 0x08), 0, 0xff, 0 };
	uint8_t d[32] = { 31, 0, 0, 8, 0, 0, 0, 0, 0, 0, 2, 0, 0x08, 0x12, (uint8_t)(wce ? 0x04 : 0) };
	uint64_t f = cbw(b, *tag, 0xff, true, cdb, 6);

	bin(b, 0xff, d, sizeof(d), 0);
	csw(b, (*tag)++, 0xff - sizeof(d), 0);
	return f;
}

/* WRITE(10) of blocks 512-byte blocks at lba. */
static uint64_t write10(struct capb *b, uint32_t *tag, uint32_t lba, uint16_t blocks, bool fua)
{
	uint8_t cdb[10] = { 0x2a, fua ? 0x08 : 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8),
			    (uint8_t)lba, 0, (uint8_t)(blocks >> 8), (uint8_t)blocks, 0 };
	uint64_t f = cbw(b, *tag, blocks * 512u, false, cdb, 10);

	bout(b, zeros, blocks * 512u, 0);
	csw(b, (*tag)++, 0, 0);
	return f;
}

static uint64_t nodata(struct capb *b, uint32_t *tag, const uint8_t *cdb, uint8_t len)
{
	uint64_t f = cbw(b, *tag, 0, false, cdb, len);

	csw(b, (*tag)++, 0, 0);
	return f;
}

/* A command failing with CHECK CONDITION, then REQUEST SENSE. */
static uint64_t failing(struct capb *b, uint32_t *tag, const uint8_t *cdb, uint8_t len, uint8_t key, uint8_t asc,
			uint8_t ascq, uint64_t *sense_frame)
{
	uint8_t s[18] = { 0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, ascq };
	uint64_t f = cbw(b, *tag, 0, false, cdb, len);

	csw(b, (*tag)++, 0, 1);
	cbw(b, *tag, 18, true, REQSENSE, 6);
	*sense_frame = bin(b, 18, s, 18, 0);
	csw(b, (*tag)++, 0, 0);
	return f;
}

/* ====================================================== unflushed-writes */

Test(check_data, silent_when_writes_are_flushed_before_the_eject)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);

	mode_sense(&b, &tag, 1, 0);
	write10(&b, &tag, 16, 8, false);
	write10(&b, &tag, 2048, 8, false);
	nodata(&b, &tag, SYNC10, 10);
	nodata(&b, &tag, EJECT, 6);
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 6);
	cr_assert_eq(ours(&r), 0, "first: %s %s", r.n ? r.lf[0].f.id : "", r.n ? r.lf[0].f.msg : "");
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, eject_after_unflushed_writes_with_wce_is_an_error)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint64_t w1, w3, ej;
	const struct finding *f;

	mode_sense(&b, &tag, 1, 0);
	w1 = write10(&b, &tag, 16, 8, false);
	write10(&b, &tag, 24, 8, false);           /* adjacent: one range 16-31 */
	w3 = write10(&b, &tag, 100, 4, false);
	write10(&b, &tag, 5000, 4, true);          /* FUA: not at risk */
	ej = nodata(&b, &tag, EJECT, 6);
	lint_sb(&b.sb, &r);
	f = expect(&r, "unflushed-writes", ej, SEV_ERROR, 3, (uint64_t[]){ w1, w3, ej });
	cr_assert(strstr(f->msg, "eject") && strstr(f->msg, "WCE=1"), "%s", f->msg);
	cr_assert(strstr(f->msg, "16-31, 100-103;"), "%s", f->msg);
	cr_assert(strstr(f->msg, "10240 bytes in 3 writes"), "%s", f->msg);
	cr_assert(!strstr(f->msg, "5000"), "%s", f->msg);
	run_free(&r);
	/* the family is off when lint_opts.data_checks is cleared */
	{
		struct lint_opts lo;
		lint_opts_default(&lo);
		lo.data_checks = false;
		lint_opts_sb(&b.sb, &lo, &r);
		cr_assert_eq(ours(&r), 0);
		run_free(&r);
	}
	sb_release(&b.sb);
}

Test(check_data, many_ranges_are_counted_past_the_list)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint64_t w1 = 0, wl = 0, ej;
	const struct finding *f;

	mode_sense(&b, &tag, 1, 0);
	for (uint32_t i = 0; i < 20; i++) {
		wl = write10(&b, &tag, 1000 * (20 - i), 2, false);   /* descending, none adjacent */
		if (!i)
			w1 = wl;
	}
	ej = nodata(&b, &tag, EJECT, 6);
	lint_sb(&b.sb, &r);
	f = expect(&r, "unflushed-writes", ej, SEV_ERROR, 3, (uint64_t[]){ w1, wl, ej });
	/* the first 16 ranges (20000 down to 5000) are listed, the last 4 only counted */
	cr_assert(strstr(f->msg, "LBAs 5000-5001, 6000-6001, "), "%s", f->msg);
	cr_assert(!strstr(f->msg, "4000-4001"), "%s", f->msg);
	cr_assert(strstr(f->msg, " more ranges); 20480 bytes in 20 writes at risk"), "%s", f->msg);
	cr_assert(strlen(f->msg) < FINDING_MSG_MAX - 1, "not cut: %s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, unknown_cache_state_is_a_warning_at_the_end_of_the_capture)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint64_t w1;
	const struct finding *f;

	w1 = write10(&b, &tag, 7, 1, false);
	lint_sb(&b.sb, &r);
	f = expect(&r, "unflushed-writes", 0, SEV_WARNING, 1, (uint64_t[]){ w1 });
	cr_assert_eq(r.lf[r.n - 1].kind, 0, "in the report");
	cr_assert(strstr(f->msg, "cache state unknown") && strstr(f->msg, "end of the capture"), "%s", f->msg);
	cr_assert(strstr(f->msg, "LBAs 7-7;") && strstr(f->msg, "512 bytes in 1 write "), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, changeable_values_do_not_count_as_the_cache_state)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint64_t w1, ej;

	mode_sense(&b, &tag, 1, 1);                /* PC=01b: WCE is changeable, not on */
	w1 = write10(&b, &tag, 7, 1, false);
	ej = nodata(&b, &tag, EJECT, 6);
	lint_sb(&b.sb, &r);
	expect(&r, "unflushed-writes", ej, SEV_WARNING, 2, (uint64_t[]){ w1, ej });
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, silent_when_the_write_cache_is_off)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);

	mode_sense(&b, &tag, 0, 0);
	write10(&b, &tag, 7, 1, false);
	nodata(&b, &tag, EJECT, 6);
	lint_sb(&b.sb, &r);
	cr_assert_eq(ours(&r), 0, "first: %s %s", r.n ? r.lf[0].f.id : "", r.n ? r.lf[0].f.msg : "");
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, a_ranged_sync_flushes_only_its_range)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint8_t sync_0_8[10] = { 0x35, 0, 0, 0, 0, 0, 0, 0, 8, 0 };
	uint64_t w2, st;
	const struct finding *f;
	uint8_t stop[6] = { 0x1b, 0, 0, 0, 0x00, 0 };

	mode_sense(&b, &tag, 1, 0);
	write10(&b, &tag, 0, 8, false);
	w2 = write10(&b, &tag, 100, 8, false);
	nodata(&b, &tag, sync_0_8, 10);
	st = nodata(&b, &tag, stop, 6);
	lint_sb(&b.sb, &r);
	/* only the write still at risk is named */
	f = expect(&r, "unflushed-writes", st, SEV_ERROR, 2, (uint64_t[]){ w2, st });
	cr_assert(strstr(f->msg, "stop") && strstr(f->msg, "LBAs 100-107;") && strstr(f->msg, "4096 bytes in 1 write "),
		  "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, allow_removal_and_reset_put_writes_at_risk)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint8_t allow[6] = { 0x1e, 0, 0, 0, 0, 0 }, prevent[6] = { 0x1e, 0, 0, 0, 1, 0 };
	uint64_t w1, w2, al, rs;

	mode_sense(&b, &tag, 1, 0);
	w1 = write10(&b, &tag, 1, 1, false);
	nodata(&b, &tag, prevent, 6);              /* prevent: nothing yet */
	al = nodata(&b, &tag, allow, 6);
	w2 = write10(&b, &tag, 2, 1, false);
	rs = ctrl(&b, SETUP_BOT_RESET, NULL, 0) - 1;   /* the control transaction starts at its setup */
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "unflushed-writes", 0), 2);
	cr_assert(get(&r, "unflushed-writes", al) && get(&r, "unflushed-writes", rs));
	cr_assert_eq(get(&r, "unflushed-writes", al)->frames[0], w1);
	cr_assert(strstr(get(&r, "unflushed-writes", al)->msg, "removal allowed"));
	cr_assert_eq(get(&r, "unflushed-writes", rs)->frames[0], w2);
	cr_assert(strstr(get(&r, "unflushed-writes", rs)->msg, "reset"));
	cr_assert_eq(get(&r, "unflushed-writes", rs)->severity, SEV_ERROR);
	run_free(&r);
	sb_release(&b.sb);
}

/* ====================================================== SYNCHRONIZE CACHE */

Test(check_data, failed_sync_is_an_error_and_the_writes_stay_unflushed)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint64_t w1, sf, sense, ej;
	const struct finding *f;

	mode_sense(&b, &tag, 1, 0);
	w1 = write10(&b, &tag, 1, 1, false);
	sf = failing(&b, &tag, SYNC10, 10, 0x03, 0x0c, 0x00, &sense);   /* MEDIUM ERROR, WRITE ERROR */
	ej = nodata(&b, &tag, EJECT, 6);
	lint_sb(&b.sb, &r);
	f = expect(&r, "sync-cache-failed", sf, SEV_ERROR, 2, (uint64_t[]){ sf, sense });
	cr_assert(strstr(f->msg, "03/0C/00"), "%s", f->msg);
	expect(&r, "unflushed-writes", ej, SEV_ERROR, 2, (uint64_t[]){ w1, ej });
	cr_assert_eq(count(&r, "sync-cache-unsupported", 0), 0);
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, unsupported_sync_error_with_wce_warning_when_unknown)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint64_t s1, s2, sense;

	s1 = failing(&b, &tag, SYNC10, 10, 0x05, 0x20, 0x00, &sense);
	mode_sense(&b, &tag, 1, 0);
	s2 = failing(&b, &tag, SYNC10, 10, 0x05, 0x20, 0x00, &sense);
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "sync-cache-unsupported", 0), 2);
	cr_assert_eq(get(&r, "sync-cache-unsupported", s1)->severity, SEV_WARNING);
	cr_assert_eq(get(&r, "sync-cache-unsupported", s2)->severity, SEV_ERROR);
	cr_assert_eq(get(&r, "sync-cache-unsupported", s2)->frames[0], s2);
	cr_assert_eq(count(&r, "sync-cache-failed", 0), 0);
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, fast_sync_after_many_cached_writes_is_suspicious)
{
	struct capb b;
	struct run r;
	struct lint_opts lo;
	uint32_t tag = start(&b);
	uint64_t sy;
	const struct finding *f;

	mode_sense(&b, &tag, 1, 0);
	write10(&b, &tag, 0, 64, false);
	write10(&b, &tag, 64, 64, false);          /* 64 KiB */
	sy = nodata(&b, &tag, SYNC10, 10);         /* 3 record steps: 75 us */
	lint_opts_default(&lo);
	lo.data_checks = true;
	lo.sync_min_bytes = 65536;
	lint_opts_sb(&b.sb, &lo, &r);
	f = expect(&r, "sync-cache-suspicious", sy, SEV_WARNING, 1, (uint64_t[]){ sy });
	cr_assert(strstr(f->msg, "65536 bytes") && strstr(f->msg, "in 75 us"), "%s", f->msg);
	run_free(&r);
	/* one byte more needed, or a faster threshold: silent */
	lo.sync_min_bytes = 65537;
	lint_opts_sb(&b.sb, &lo, &r);
	cr_assert_eq(count(&r, "sync-cache-suspicious", 0), 0);
	run_free(&r);
	lo.sync_min_bytes = 65536;
	lo.sync_fast_us = 75;
	lint_opts_sb(&b.sb, &lo, &r);
	cr_assert_eq(count(&r, "sync-cache-suspicious", 0), 0);
	run_free(&r);
	/* defaults: 8 MiB */
	lint_sb(&b.sb, &r);
	cr_assert_eq(ours(&r), 0);
	run_free(&r);
	sb_release(&b.sb);
}

/* ====================================================== data-mismatch */

static uint64_t write10d(struct capb *b, uint32_t *tag, uint32_t lba, uint16_t blocks, const uint8_t *data)
{
	uint8_t cdb[10] = { 0x2a, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8), (uint8_t)lba, 0,
			    (uint8_t)(blocks >> 8), (uint8_t)blocks, 0 };
	uint64_t f = cbw(b, *tag, blocks * 512u, false, cdb, 10);

	bout(b, data, blocks * 512u, 0);
	csw(b, (*tag)++, 0, 0);
	return f;
}

static uint64_t read10d(struct capb *b, uint32_t *tag, uint32_t lba, uint16_t blocks, const uint8_t *data)
{
	uint8_t cdb[10] = { 0x28, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8), (uint8_t)lba, 0,
			    (uint8_t)(blocks >> 8), (uint8_t)blocks, 0 };
	uint64_t f = cbw(b, *tag, blocks * 512u, true, cdb, 10);

	bin(b, blocks * 512u, data, blocks * 512u, 0);
	csw(b, (*tag)++, 0, 0);
	return f;
}

static uint8_t pattern[8192];

static void fill(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
}

Test(check_data, reading_back_what_was_written_is_silent)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);

	fill();
	write10d(&b, &tag, 10, 4, pattern);
	read10d(&b, &tag, 10, 4, pattern);
	read10d(&b, &tag, 12, 2, pattern + 1024);        /* the same blocks, read again in part */
	read10d(&b, &tag, 100, 2, zeros);                /* never written here */
	nodata(&b, &tag, SYNC10, 10);
	lint_sb(&b.sb, &r);
	cr_assert_eq(r.col.n, 6);
	cr_assert_eq(ours(&r), 0, "first: %s %s", r.n ? r.lf[0].f.id : "", r.n ? r.lf[0].f.msg : "");
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, a_different_block_read_back_is_an_error)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint8_t back[2048];
	uint64_t w, rd, rz;
	const struct finding *f;

	fill();
	memcpy(back, pattern, sizeof(back));
	back[3 * 512 + 17] ^= 0x40;                      /* LBA 13 differs */
	w = write10d(&b, &tag, 10, 4, pattern);
	rd = read10d(&b, &tag, 10, 4, back);
	nodata(&b, &tag, SYNC10, 10);
	lint_sb(&b.sb, &r);
	f = expect(&r, "data-mismatch", rd, SEV_ERROR, 2, (uint64_t[]){ w, rd });
	cr_assert(strstr(f->msg, "LBA 13 ") && !strstr(f->msg, "zeros"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);

	tag = start(&b);
	w = write10d(&b, &tag, 10, 4, pattern);
	rz = read10d(&b, &tag, 10, 4, zeros);
	nodata(&b, &tag, SYNC10, 10);
	lint_sb(&b.sb, &r);
	f = expect(&r, "data-mismatch", rz, SEV_ERROR, 2, (uint64_t[]){ w, rz });
	cr_assert(strstr(f->msg, "LBA 10 ") && strstr(f->msg, "returned zeros"), "%s", f->msg);
	run_free(&r);
	sb_release(&b.sb);
}

Test(check_data, other_writes_make_the_remembered_data_unknown)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint8_t ws[10] = { 0x41, 0, 0, 0, 0, 10, 0, 0, 4, 0 };  /* WRITE SAME(10) LBA 10, 4 blocks */

	fill();
	write10d(&b, &tag, 10, 4, pattern);
	cbw(&b, tag, 512, false, ws, 10);
	bout(&b, zeros, 512, 0);
	csw(&b, tag++, 0, 0);
	read10d(&b, &tag, 10, 4, zeros);
	/* a write of more than PAYLOAD_HEAD_MAX bytes is not compared, and forgets */
	write10d(&b, &tag, 20, 4, pattern);
	write10d(&b, &tag, 16, 16, pattern);
	read10d(&b, &tag, 20, 4, zeros);
	nodata(&b, &tag, SYNC10, 10);
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "data-mismatch", 0), 0, "%s", get(&r, "data-mismatch", 0) ? get(&r, "data-mismatch", 0)->msg : "");
	run_free(&r);
	sb_release(&b.sb);
}

/* What is forgotten is exactly what a write covers, across the table's
 * 8-block chunks; a write too large to visit forgets the LUN's whole memory;
 * a write of 0 blocks forgets nothing. */
Test(check_data, forgetting_is_exact_across_chunks)
{
	struct capb b;
	struct run r;
	uint32_t tag = start(&b);
	uint8_t back[4096];
	uint8_t w16[16] = { 0x8a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0 };   /* WRITE(16) LBA 0, 2^20 blocks */
	uint64_t w, rd;

	fill();
	memcpy(back, pattern, sizeof(back));
	for (size_t i = 0; i < sizeof(back); i += 512)
		back[i] ^= 1;                                 /* every block differs */
	w = write10d(&b, &tag, 14, 8, pattern);              /* LBAs 14..21: chunks 1 and 2 */
	write10d(&b, &tag, 17, 9, pattern);                  /* 17..25, 4608 bytes: not compared, forgets 17..21 */
	read10d(&b, &tag, 17, 5, back);                      /* forgotten: silent */
	rd = read10d(&b, &tag, 16, 1, back);                 /* 16 still remembered (its chunk holds 16..23): differs */
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "data-mismatch", 0), 1);
	cr_assert(strstr(expect(&r, "data-mismatch", rd, SEV_ERROR, 2, (uint64_t[]){ w, rd })->msg, "LBA 16 "));
	run_free(&r);
	sb_release(&b.sb);

	tag = start(&b);
	w = write10d(&b, &tag, 14, 8, pattern);
	write10d(&b, &tag, 30, 0, NULL);                     /* 0 blocks: nothing written */
	rd = read10d(&b, &tag, 14, 8, back);
	lint_sb(&b.sb, &r);
	expect(&r, "data-mismatch", rd, SEV_ERROR, 2, (uint64_t[]){ w, rd });
	run_free(&r);
	sb_release(&b.sb);

	tag = start(&b);
	write10d(&b, &tag, 14, 8, pattern);
	cbw(&b, tag, 0, false, w16, 16);                     /* 512 MiB announced, none captured */
	csw(&b, tag++, 0, 1);
	write10d(&b, &tag, 40, 1, pattern);                  /* remembered after it */
	read10d(&b, &tag, 14, 8, back);                      /* forgotten: silent */
	rd = read10d(&b, &tag, 40, 1, back);                 /* compared */
	lint_sb(&b.sb, &r);
	cr_assert_eq(count(&r, "data-mismatch", 0), 1);
	cr_assert_eq(get(&r, "data-mismatch", rd) != NULL, true);
	run_free(&r);
	sb_release(&b.sb);
}
