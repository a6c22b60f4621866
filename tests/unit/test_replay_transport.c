/* test_replay_transport.c - the replay's Bulk-Only and UAS state machines against a fake device (stalls on data, phase errors, short packets, timeouts, task management), the safety gate, the verdicts, the runner, dry runs and the pcapng record. */
#include <inttypes.h>
#include <time.h>

#include "cli_harness.h"
#include "decode/decode.h"
#include "fake_usb.h"
#include "replay/compare.h"
#include "replay/record.h"
#include "replay/run.h"
#include "replay/safety.h"
#include "util/hash.h"

static const uint8_t INQUIRY[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t TUR[6] = { 0, 0, 0, 0, 0, 0 };
static const uint8_t READ10[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 1, 0 };
static const uint8_t WRITE10[10] = { 0x2a, 0, 0, 0, 0x10, 0, 0, 0, 1, 0 };

static struct rp_cmd mkcmd(const uint8_t *cdb, uint8_t n, uint8_t dir, uint32_t len, uint8_t *in, const uint8_t *out)
{
	struct rp_cmd c;

	memset(&c, 0, sizeof(c));
	c.cdb = cdb;
	c.cdb_len = n;
	c.dir = dir;
	c.len = len;
	c.in = in;
	c.out = out;
	c.timeout_ms = 100;
	return c;
}

static void bot_init(struct rp_bot *b, struct fake_dev *d)
{
	memset(b, 0, sizeof(*b));
	b->io = &d->io;
	b->ep_in = F_EP_IN;
	b->ep_out = F_EP_OUT;
	b->tag = 1;
}

/* ---------------------------------------------------------------- BOT */

Test(bot, cbw_data_csw_and_our_own_tags)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	uint8_t in[36], cbw[31];
	struct rp_cmd c = mkcmd(INQUIRY, 6, SCSI_DIR_IN, 36, in, NULL);

	fake_init(&d, false, false);
	bot_init(&b, &d);
	b.tag = 0x41;
	cr_assert_eq(bot_command(&b, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 0);
	cr_assert_eq(r.data_len, 36);
	cr_assert(!memcmp(in + 8, "FAKE", 4));
	cr_assert(r.has_residue && r.residue == 0);
	cr_assert_eq(bot_command(&b, &c, &r), 0);
	cr_assert_str_eq(d.log, "CBW:12:65:36 IN:36 CSW:0 CBW:12:66:36 IN:36 CSW:0 ");
	bot_encode_cbw(cbw, 0x01020304, &c);
	cr_assert(!memcmp(cbw, "USBC\x04\x03\x02\x01\x24\x00\x00\x00\x80\x00\x06\x12\x00\x00\x00\x24\x00", 21));
}

Test(bot, check_condition_fetches_sense)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	uint8_t in[512];
	struct rp_cmd c = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);

	fake_init(&d, false, false);
	d.f.check = 0x28;
	bot_init(&b, &d);
	bot_command(&b, &c, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 2);
	cr_assert_geq(r.sense_len, 14);
	cr_assert_eq(r.sense[2], 5);
	cr_assert_eq(r.sense[12], 0x24);
	cr_assert_str_eq(d.log, "CBW:28:1:512 IN:512 CSW:1 CBW:03:2:96 IN:96 CSW:0 ");
}

Test(bot, stall_on_data_in_is_cleared_and_the_csw_read)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	uint8_t in[512];
	struct rp_cmd c = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);

	fake_init(&d, false, false);
	d.f.stall_data = 0x28;
	bot_init(&b, &d);
	cr_assert_eq(bot_command(&b, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 2);
	cr_assert_eq(r.stalls, 1);
	cr_assert_eq(r.resets, 0);
	cr_assert(strstr(r.note, "data-in stalled, halt cleared"), "%s", r.note);
	cr_assert_eq(r.sense[12], 0x24);
	cr_assert_str_eq(d.log, "CBW:28:1:512 IN-stall CLEAR:81 CSW:1 CBW:03:2:96 IN:96 CSW:0 ");
}

Test(bot, stall_on_data_out_is_cleared_and_the_csw_read)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	uint8_t out[512] = { 1, 2, 3 };
	struct rp_cmd c = mkcmd(WRITE10, 10, SCSI_DIR_OUT, 512, NULL, out);

	fake_init(&d, false, false);
	d.f.stall_data = 0x2a;
	bot_init(&b, &d);
	bot_command(&b, &c, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 2);
	cr_assert_eq(r.stalls, 1);
	cr_assert(strstr(d.log, "OUT-stall CLEAR:02 CSW:1 "), "%s", d.log);
}

Test(bot, stalled_csw_is_read_again)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, false, false);
	d.f.csw_stall_once = 0;
	bot_init(&b, &d);
	bot_command(&b, &c, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(d.log, "CBW:00:1:0 CSW-stall CLEAR:81 CSW:0 ");
}

Test(bot, phase_error_gives_reset_recovery_then_the_next_command_works)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);
	uint8_t in[36];
	struct rp_cmd inq = mkcmd(INQUIRY, 6, SCSI_DIR_IN, 36, in, NULL);

	fake_init(&d, false, false);
	d.f.phase_error = 0;
	bot_init(&b, &d);
	cr_assert_eq(bot_command(&b, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_TRANSPORT_FAILED);
	cr_assert_eq(r.status, -1);
	cr_assert_eq(r.resets, 1);
	cr_assert(strstr(r.note, "phase error (bCSWStatus 2); reset recovery"), "%s", r.note);
	cr_assert_str_eq(d.log, "CBW:00:1:0 CSW:2 RESET CLEAR:81 CLEAR:02 ");
	cr_assert_eq(bot_command(&b, &inq, &r), 0);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 0);
}

Test(bot, short_packet_and_residue)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	uint8_t in[36];
	struct rp_cmd c = mkcmd(INQUIRY, 6, SCSI_DIR_IN, 36, in, NULL);

	fake_init(&d, false, false);
	d.f.short_data = 0x12;
	d.f.short_len = 10;
	bot_init(&b, &d);
	bot_command(&b, &c, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.data_len, 10);
	cr_assert_eq(r.residue, 26);
	cr_assert(strstr(r.note, "short data-in: 10 of 36 bytes"), "%s", r.note);
}

Test(bot, a_device_that_never_answers_times_out_and_is_reset)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	struct rp_judgement j;
	struct rs_step st;
	uint8_t in[512];
	struct rp_cmd c = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);

	fake_init(&d, false, false);
	d.f.hang = 0x28;
	bot_init(&b, &d);
	cr_assert_eq(bot_command(&b, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_NO_STATUS);
	cr_assert(r.timed_out);
	cr_assert_eq(d.resets, 1);
	cr_assert(strstr(d.log, "IN-silent RESET CLEAR:81 CLEAR:02"), "%s", d.log);
	/* the verdict: a timeout, unless the recording had no answer either */
	memset(&st, 0, sizeof(st));
	st.kind = RS_CMD;
	st.dir = SCSI_DIR_IN;
	st.xfer_len = 512;
	st.exp_status = 0;
	rp_compare(&st, &r, in, CMP_ALL, &j);
	cr_assert_eq(j.verdict, VERDICT_TIMEOUT);
	st.exp_status = RS_STATUS_NONE;
	rp_compare(&st, &r, in, CMP_ALL, &j);
	cr_assert_eq(j.verdict, VERDICT_MATCH);
}

Test(bot, invalid_csw_tag_gives_reset_recovery)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, false, false);
	d.f.bad_csw_tag = 0;
	bot_init(&b, &d);
	bot_command(&b, &c, &r);
	cr_assert_eq(r.outcome, RP_TRANSPORT_FAILED);
	cr_assert(strstr(r.note, "invalid CSW"), "%s", r.note);
	cr_assert_eq(d.resets, 1);
}

Test(bot, raw_bad_cbw_stalls_and_is_recovered)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	uint8_t bad[31] = "USBX";
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, false, false);
	bot_init(&b, &d);
	cr_assert_eq(bot_raw(&b, true, bad, 31, 100, &r), 0);
	cr_assert_eq(r.status, RP_STALL);
	cr_assert_eq(r.stalls, 1);
	cr_assert_str_eq(d.log, "BADCBW RESET CLEAR:81 CLEAR:02 ");
	bot_command(&b, &c, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 0);
}

Test(bot, failed_reset_recovery_stops_the_transport)
{
	struct fake_dev d;
	struct rp_bot b;
	struct rp_result r;
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, false, false);
	d.f.phase_error = 0;
	d.f.reset_fails = true;
	bot_init(&b, &d);
	cr_assert_eq(bot_command(&b, &c, &r), -1);
	cr_assert(b.broken);
	d.log[0] = '\0';
	cr_assert_eq(bot_command(&b, &c, &r), -1);
	cr_assert_str_eq(d.log, "", "something was sent after the transport broke");
	cr_assert(strstr(r.note, "not sent"));
}

/* ---------------------------------------------------------------- UAS */

static void uas_init(struct rp_uas *u, struct fake_dev *d, bool streams)
{
	memset(u, 0, sizeof(*u));
	u->io = &d->io;
	u->ep_cmd = F_EP_CMD;
	u->ep_status = F_EP_STATUS;
	u->ep_in = F_EP_DIN;
	u->ep_out = F_EP_DOUT;
	u->streams = streams;
	u->nstreams = streams ? 4 : 0;
}

Test(uas, streams_tag_is_the_stream)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	uint8_t in[36], iu[48];
	struct rp_cmd c = mkcmd(INQUIRY, 6, SCSI_DIR_IN, 36, in, NULL);

	fake_init(&d, true, true);
	uas_init(&u, &d, true);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(uas_command(&u, &c, &r), 0);
		cr_assert_eq(r.outcome, RP_DONE);
		cr_assert_eq(r.status, 0);
		cr_assert_eq(r.data_len, 36);
	}
	/* tags wrap at the number of streams */
	cr_assert_str_eq(d.log, "CMD:12:1 DIN:36 SENSE:1:0 CMD:12:2 DIN:36 SENSE:2:0 CMD:12:3 DIN:36 SENSE:3:0 "
				"CMD:12:4 DIN:36 SENSE:4:0 CMD:12:1 DIN:36 SENSE:1:0 ");
	cr_assert_eq(uas_encode_command(iu, 0x1234, &c), 32);
	cr_assert(!memcmp(iu, "\x01\x00\x12\x34\x00\x00\x00\x00", 8));
	cr_assert_eq(iu[16], 0x12);
	cr_assert_eq(iu[20], 36);
}

Test(uas, check_condition_sense_comes_in_the_sense_iu)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, true, true);
	d.f.check = 0;
	uas_init(&u, &d, true);
	uas_command(&u, &c, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 2);
	cr_assert_eq(r.sense_len, 18);
	cr_assert_eq(r.sense[12], 0x24);
}

Test(uas, timeout_sends_abort_task)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	uint8_t in[512];
	struct rp_cmd c = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);

	fake_init(&d, true, true);
	d.f.hang = 0x28;
	uas_init(&u, &d, true);
	cr_assert_eq(uas_command(&u, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_NO_STATUS);
	cr_assert(r.timed_out);
	cr_assert_str_eq(d.log, "CMD:28:1 TM:01:2:1 ");
	cr_assert(strstr(r.note, "ABORT TASK"), "%s", r.note);
	cr_assert(!u.broken);
}

Test(uas, failed_abort_task_gives_logical_unit_reset)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	struct rp_cmd c = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, true, false);
	d.f.hang = 0;
	d.f.tm_fails = true;
	uas_init(&u, &d, false);
	cr_assert_eq(uas_command(&u, &c, &r), 0);
	cr_assert_str_eq(d.log, "CMD:00:1 TM:01:2:1 TM:08:3:1 ");
	cr_assert(strstr(r.note, "LOGICAL UNIT RESET"), "%s", r.note);
	cr_assert(!u.broken);
	/* both failing: nothing more is sent */
	d.f.reset_fails = true;
	cr_assert_eq(uas_command(&u, &c, &r), -1);
	cr_assert(u.broken);
}

/* Interrupted (Ctrl-C) after the data phase, without streams: the device
 * already has the Sense IU on the status pipe, ahead of the answer to ABORT
 * TASK.  The abort must read past it to its own Response IU, and leave
 * nothing queued for the next user of the device (the kernel's uas driver
 * once it is re-attached: "stat urb: no pending cmd for uas-tag"). */
Test(uas, interrupted_status_read_drains_the_sense_iu_before_abort_task)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	uint8_t in[36];
	struct rp_cmd c = mkcmd(INQUIRY, 6, SCSI_DIR_IN, 36, in, NULL);
	struct rp_cmd t = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, true, false);
	d.f.interrupt_status = 0x12;
	uas_init(&u, &d, false);
	cr_assert_eq(uas_command(&u, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_STOPPED);
	cr_assert_eq(r.data_len, 36);
	cr_assert(strstr(r.note, "ABORT TASK") && !strstr(r.note, "failed"), "%s", r.note);
	cr_assert_str_eq(d.log, "CMD:12:1 RR:1 DIN:36 SENSE:1:0 INTERRUPTED TM:01:2:1 IU:03:1 IU:04:2 ");
	cr_assert_eq(d.sqn, 0, "%u IUs left on the status pipe", d.sqn);
	cr_assert(!u.broken);
	/* the next command gets its own status */
	cr_assert_eq(uas_command(&u, &t, &r), 0);
	cr_assert_eq(r.outcome, RP_DONE, "%s", r.note);
	cr_assert_eq(r.status, 0);
}

/* Interrupted just after READ READY, without streams: the command waits in
 * the device for its data, so it is aborted, and the next command is the
 * device's only one. */
Test(uas, interrupted_after_read_ready_aborts_the_waiting_command)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	uint8_t in[512];
	struct rp_cmd c = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);
	struct rp_cmd t = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);

	fake_init(&d, true, false);
	d.f.interrupt_ready = 0x28;
	uas_init(&u, &d, false);
	cr_assert_eq(uas_command(&u, &c, &r), 0);
	cr_assert_eq(r.outcome, RP_STOPPED);
	cr_assert(strstr(r.note, "ABORT TASK") && !strstr(r.note, "failed"), "%s", r.note);
	cr_assert_str_eq(d.log, "CMD:28:1 RR:1 INTERRUPTED TM:01:2:1 ");
	cr_assert_not(d.pending, "the READ(10) still waits in the device");
	cr_assert_eq(uas_command(&u, &t, &r), 0);
	cr_assert_eq(r.outcome, RP_DONE, "%s", r.note);
}

Test(uas, usb2_read_ready_and_write_ready)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	uint8_t in[512], out[512];
	struct rp_cmd rd = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);
	struct rp_cmd wr = mkcmd(WRITE10, 10, SCSI_DIR_OUT, 512, NULL, out);

	for (int i = 0; i < 512; i++)
		out[i] = (uint8_t)(i ^ 0x5a);
	fake_init(&d, true, false);
	uas_init(&u, &d, false);
	uas_command(&u, &wr, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.data_len, 512);
	cr_assert(!memcmp(d.written, out, 512));
	uas_command(&u, &rd, &r);
	cr_assert_eq(r.outcome, RP_DONE);
	cr_assert_eq(r.status, 0);
	cr_assert_eq(r.data_len, 512);
	cr_assert_str_eq(d.log, "CMD:2a:1 WR:1 DOUT:512 SENSE:1:0 CMD:28:2 RR:2 DIN:512 SENSE:2:0 ");
}

Test(uas, stall_on_data_is_cleared)
{
	struct fake_dev d;
	struct rp_uas u;
	struct rp_result r;
	uint8_t in[512];
	struct rp_cmd rd = mkcmd(READ10, 10, SCSI_DIR_IN, 512, in, NULL);

	fake_init(&d, true, true);
	d.f.stall_data = 0x28;
	uas_init(&u, &d, true);
	uas_command(&u, &rd, &r);
	cr_assert_eq(r.stalls, 1);
	cr_assert(strstr(d.log, "CLEAR:83"), "%s", d.log);
	cr_assert(strstr(r.note, "the data pipe stalled, halt cleared"), "%s", r.note);
}

/* ------------------------------------------------------------ safety */

Test(safety, writes_and_vendor_opcodes)
{
	static const uint8_t w[] = { 0x04, 0x0a, 0x15, 0x2a, 0x2e, 0x3b, 0x41, 0x42, 0x48, 0x55, 0x85, 0x89,
				     0x8a, 0x8e, 0x93, 0xa1, 0xaa, 0xae, 0xb5 };
	static const uint8_t ok[] = { 0x00, 0x03, 0x12, 0x1a, 0x1b, 0x1e, 0x25, 0x28, 0x2f, 0x35, 0x3c, 0x5a,
				      0x88, 0x91, 0x9e, 0xa0, 0xa8 };
	uint8_t cdb[32] = { 0 };
	const char *why;

	for (size_t i = 0; i < sizeof(w); i++) {
		cdb[0] = w[i];
		cr_assert_eq(rp_cdb_risk(cdb, 16, &why), RISK_WRITE, "opcode %02x", w[i]);
		cr_assert(why);
	}
	for (size_t i = 0; i < sizeof(ok); i++) {
		cdb[0] = ok[i];
		cr_assert_eq(rp_cdb_risk(cdb, 16, &why), RISK_NONE, "opcode %02x", ok[i]);
	}
	for (unsigned op = 0xc0; op <= 0xff; op++) {
		cdb[0] = (uint8_t)op;
		cr_assert_eq(rp_cdb_risk(cdb, 6, &why), RISK_VENDOR);
	}
	cdb[0] = 0x2a;
	cr_assert_str_eq((rp_cdb_risk(cdb, 10, &why), why), "WRITE(10)");
	/* variable length: READ(32) is fine, WRITE(32) is not */
	cdb[0] = 0x7f, cdb[8] = 0x00, cdb[9] = 0x09;
	cr_assert_eq(rp_cdb_risk(cdb, 32, &why), RISK_NONE);
	cdb[9] = 0x0b;
	cr_assert_eq(rp_cdb_risk(cdb, 32, &why), RISK_WRITE);
	/* a CBW in a raw step is judged by its CDB */
	{
		uint8_t cbw[31];
		struct rp_cmd c = mkcmd(WRITE10, 10, SCSI_DIR_OUT, 512, NULL, NULL);
		bot_encode_cbw(cbw, 7, &c);
		cr_assert_eq(rp_raw_risk(cbw, 31, &why), RISK_WRITE);
		cbw[0] = 'X';
		cr_assert_eq(rp_raw_risk(cbw, 31, &why), RISK_NONE);
	}
}

/* ------------------------------------------------------------ verdicts */

Test(compare, every_difference_is_named)
{
	struct rs_step st;
	struct rp_result r;
	struct rp_judgement j;
	uint8_t in[8] = "abcdefgh";

	memset(&st, 0, sizeof(st));
	memset(&r, 0, sizeof(r));
	st.kind = RS_CMD;
	st.dir = SCSI_DIR_IN;
	st.xfer_len = 8;
	st.exp_status = 2;
	st.exp_sense = true, st.exp_key = 5, st.exp_asc = 0x20;
	st.exp_len = true, st.exp_len_value = 8;
	st.exp_hash = true, st.exp_hash_value = XXH3_64bits(in, 8);
	r.outcome = RP_DONE;
	r.status = 2;
	r.data_len = 8;
	r.sense_len = 18;
	r.sense[0] = 0x70, r.sense[2] = 5, r.sense[7] = 10, r.sense[12] = 0x20;
	rp_compare(&st, &r, in, CMP_ALL, &j);
	cr_assert_eq(j.verdict, VERDICT_MATCH, "%s", j.diff);
	cr_assert(strstr(j.answer, "CHECK CONDITION, 05/20/00"), "%s", j.answer);
	r.sense[12] = 0x24;
	in[0] = 'X';
	rp_compare(&st, &r, in, CMP_ALL, &j);
	cr_assert_eq(j.verdict, VERDICT_DIFFER);
	cr_assert(strstr(j.diff, "sense 05/24/00, recorded 05/20/00"), "%s", j.diff);
	cr_assert(strstr(j.diff, "data hash "), "%s", j.diff);
	/* --compare status: the rest is not looked at */
	rp_compare(&st, &r, in, CMP_STATUS, &j);
	cr_assert_eq(j.verdict, VERDICT_MATCH, "%s", j.diff);
	r.status = 0;
	rp_compare(&st, &r, in, CMP_STATUS, &j);
	cr_assert(strstr(j.diff, "status GOOD, recorded CHECK CONDITION"), "%s", j.diff);
	cr_assert_eq(rp_compare_parse("status,data"), CMP_STATUS | CMP_DATA);
	cr_assert_eq(rp_compare_parse("status,"), 0);
	cr_assert_eq(rp_compare_parse("sensei"), 0);
}

/* ------------------------------------------------------------ runner */

static const char SCRIPT[] = "scsiscope-replay 1\n"
			     "transport bot\n"
			     "cmd 12 00 00 00 24 00 in=36 expect status=good data=36 hash=%016" PRIx64 "\n"
			     "cmd 2a 00 00 00 10 00 00 00 01 00 out=4 data=01020304 expect status=good\n"
			     "cmd c0 00 00 00 00 00 expect status=check-condition sense=05/24/00\n"
			     "cmd 00 00 00 00 00 00 expect status=good\n";

static void load(struct rs_script *s, uint64_t inq_hash)
{
	char text[1024], err[256];

	snprintf(text, sizeof(text), SCRIPT, inq_hash);
	cr_assert_eq(rs_parse(text, strlen(text), "r.seq", s, err, sizeof(err)), 0, "%s", err);
}

static uint64_t fake_inquiry_hash(void)
{
	struct fake_dev d;
	uint8_t b[36];

	fake_init(&d, false, false);
	fake_fill(&d, 0x12, b, 36);
	return XXH3_64bits(b, 36);
}

Test(runner, gate_refuses_writes_and_vendor_opcodes)
{
	struct rs_script s;
	struct replay_opts o;
	struct strbuf sb = STRBUF_INIT;

	load(&s, 1);
	memset(&o, 0, sizeof(o));
	o.script_path = "r.seq";
	sb_init(&sb);
	cr_assert_eq(replay_gate(&s, &o, &sb), 2);
	cr_assert(strstr(sb.buf, "r.seq:4: WRITE(10) lba=4096 blocks=1: WRITE(10) needs --allow-writes\n"), "%s", sb.buf);
	cr_assert(strstr(sb.buf, "r.seq:5: VENDOR SPECIFIC (C0h): vendor-specific opcode C0h needs --allow-vendor\n"),
		  "%s", sb.buf);
	o.allow_writes = o.allow_vendor = true;
	sb_reset(&sb);
	cr_assert_eq(replay_gate(&s, &o, &sb), 0);
	sb_release(&sb);
	rs_free(&s);
}

Test(runner, verdicts_and_summary)
{
	struct rs_script s;
	struct replay_opts o;
	struct rp_session sess;
	struct replay_summary sum;
	struct fake_dev d;
	char err[256];
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	load(&s, fake_inquiry_hash());
	fake_init(&d, false, false);
	d.f.check = 0xc0;
	memset(&o, 0, sizeof(o));
	memset(&sess, 0, sizeof(sess));
	o.transport = RS_TRANSPORT_BOT;
	o.compare = CMP_ALL;
	o.repeat = 2;
	o.allow_vendor = true;         /* the write is skipped: no --allow-writes */
	o.skip_unsafe = true;
	o.script_path = "r.seq";
	sess.transport = RS_TRANSPORT_BOT;
	bot_init(&sess.bot, &d);
	cr_assert_eq(replay_run(&s, &o, &sess, f, &sum, err, sizeof(err)), 0, "%s", err);
	replay_print_summary(&sum, f);
	fclose(f);
	cr_assert_eq(sum.count[VERDICT_MATCH], 6, "%s", out);
	cr_assert_eq(sum.count[VERDICT_SKIPPED], 2, "%s", out);
	cr_assert_eq(d.nwritten, 0, "a refused write was sent");
	cr_assert(strstr(out, "1/line 5     VENDOR SPECIFIC (C0h)"), "%s", out);
	cr_assert(strstr(out, "match    CHECK CONDITION, 05/24/00"), "%s", out);
	cr_assert(strstr(out, "skipped  not sent: WRITE(10) (needs --allow-writes)"), "%s", out);
	cr_assert(strstr(out, "replay: 8 steps in 2 passes: 6 match, 0 differ, 0 timeout, 0 failed, 2 skipped"), "%s", out);
	free(out);
	/* a differing answer, --on-error stop */
	out = NULL;
	f = open_memstream(&out, &outlen);
	fake_init(&d, false, false);
	bot_init(&sess.bot, &d);
	o.repeat = 1;
	o.allow_writes = true;
	o.stop_on_error = true;
	cr_assert_eq(replay_run(&s, &o, &sess, f, &sum, err, sizeof(err)), 0, "%s", err);
	replay_print_summary(&sum, f);
	fclose(f);
	cr_assert_eq(d.nwritten, 4);
	cr_assert(!memcmp(d.written, "\x01\x02\x03\x04", 4));
	cr_assert(strstr(out, "DIFFER   GOOD"), "%s", out);
	cr_assert(strstr(out, "differs: status GOOD, recorded CHECK CONDITION; no sense, recorded 05/24/00"), "%s", out);
	cr_assert(strstr(out, "stopped: --on-error stop at line 5"), "%s", out);
	cr_assert_eq(sum.count[VERDICT_SKIPPED], 1, "%s", out);
	free(out);
	rs_free(&s);
}

Test(runner, dry_run_prints_the_exact_bytes)
{
	struct rs_script s;
	struct replay_opts o;
	char err[256];
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	load(&s, 1);
	memset(&o, 0, sizeof(o));
	o.transport = RS_TRANSPORT_BOT;
	o.repeat = 1;
	o.allow_writes = true;
	o.script_path = "r.seq";
	cr_assert_eq(replay_dry_run(&s, &o, f, err, sizeof(err)), 0, "%s", err);
	fclose(f);
	cr_assert(strstr(out, "line 3: INQUIRY alloc=36\n  CBW, bulk-out, 31 bytes (tag 1):\n"
			      "    000000  55 53 42 43 01 00 00 00 24 00 00 00 80 00 06 12\n"
			      "    000010  00 00 00 24 00 00 00 00 00 00 00 00 00 00 00\n"
			      "  data-in: up to 36 bytes\n"),
		  "%s", out);
	cr_assert(strstr(out, "  data-out, 4 bytes:\n    000000  01 02 03 04\n"), "%s", out);
	cr_assert(strstr(out, "line 5: VENDOR SPECIFIC (C0h)\n  REFUSED: vendor-specific opcode C0h, not sent (needs "
			      "--allow-vendor)\n"),
		  "%s", out);
	free(out);
	/* over UAS: the Command IU */
	out = NULL;
	f = open_memstream(&out, &outlen);
	o.transport = RS_TRANSPORT_UAS;
	cr_assert_eq(replay_dry_run(&s, &o, f, err, sizeof(err)), 0, "%s", err);
	fclose(f);
	cr_assert(strstr(out, "  Command IU, command pipe, 32 bytes (tag 1):\n"
			      "    000000  01 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00\n"
			      "    000010  12 00 00 00 24 00 00 00 00 00 00 00 00 00 00 00\n"),
		  "%s", out);
	free(out);
	rs_free(&s);
}

/* ------------------------------------------------------------ record */

struct got {
	unsigned scsi, stalls;
	uint8_t op[16];
	int16_t status[16];
	uint64_t hash[16];
};

static void on_txn(void *ctx, const struct txn *t)
{
	struct got *g = ctx;

	if (t->kind == TXN_SCSI && g->scsi < 16) {
		g->op[g->scsi] = t->u.scsi.cdb[0];
		g->status[g->scsi] = t->u.scsi.status;
		g->hash[g->scsi] = t->u.scsi.data.hash;
		g->scsi++;
	}
	if (t->kind == TXN_USB && t->u.note.status == -32)
		g->stalls++;
}

Test(record, a_replay_decodes_as_a_capture)
{
	char path[] = "/tmp/scsiscope-record-XXXXXX", err[256];
	struct fake_dev d;
	struct rp_recorder *rec;
	struct rp_bot b;
	struct rp_result r;
	uint8_t in[36], bad[31] = "USBX";
	struct rp_cmd inq = mkcmd(INQUIRY, 6, SCSI_DIR_IN, 36, in, NULL);
	struct rp_cmd tur = mkcmd(TUR, 6, SCSI_DIR_NONE, 0, NULL, NULL);
	struct decoder_opts dopts = { .notes = true };
	struct decoder *dec;
	struct cap *c;
	struct cap_record cr;
	struct got g;
	struct error e;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	fake_init(&d, false, false);
	d.f.check = 0;
	cr_assert_eq(rp_recorder_open(path, &d.io, 3, 7, &rec, err, sizeof(err)), 0, "%s", err);
	bot_init(&b, &d);
	b.io = rp_recorder_io(rec);
	bot_command(&b, &inq, &r);
	bot_command(&b, &tur, &r);          /* CHECK CONDITION, then REQUEST SENSE */
	bot_raw(&b, true, bad, 31, 100, &r); /* a stall, reset recovery */
	d.f.check = -1;
	bot_command(&b, &tur, &r);
	cr_assert_gt(rp_recorder_events(rec), 20);
	cr_assert_eq(rp_recorder_close(rec, err, sizeof(err)), 0, "%s", err);
	/* read back with the capture layer and the decoder */
	memset(&g, 0, sizeof(g));
	cr_assert_eq(cap_open(path, &c, &e), 0);
	cr_assert_eq(cap_get_info(c)->linktype, LINKTYPE_USB_LINUX_MMAPPED);
	dec = decoder_new(&dopts, on_txn, &g);
	while (cap_next(c, &cr, &e) > 0) {
		cr_assert_eq(cr.u.usb.bus, 3);
		cr_assert_eq(cr.u.usb.device, 7);
		decoder_feed(dec, &cr.u.usb);
	}
	decoder_finish(dec);
	decoder_free(dec);
	cap_close(c);
	cr_assert_geq(g.scsi, 3, "decoded %u commands", g.scsi);
	cr_assert_eq(g.op[0], 0x12);
	cr_assert_eq(g.status[0], 0);
	cr_assert_eq(g.hash[0], XXH3_64bits(in, 36));
	cr_assert_eq(g.op[1], 0x00);
	cr_assert_eq(g.status[1], 2);
	cr_assert_geq(g.stalls, 1);
	unlink(path);
}

Test(runner, timing_original_keeps_the_gaps)
{
	static const char text[] = "scsiscope-replay 1\ntransport bot\n"
				   "cmd 00 00 00 00 00 00 expect status=good\n"
				   "cmd 00 00 00 00 00 00 gap=120ms expect status=good\n"
				   "cmd 00 00 00 00 00 00 gap=80ms expect status=good\n";
	struct rs_script s;
	struct replay_opts o;
	struct rp_session sess;
	struct replay_summary sum;
	struct fake_dev d;
	struct timespec a, b;
	char err[256];
	FILE *f = fopen("/dev/null", "w");
	double ms;

	cr_assert_eq(rs_parse(text, strlen(text), "t.seq", &s, err, sizeof(err)), 0, "%s", err);
	fake_init(&d, false, false);
	memset(&o, 0, sizeof(o));
	memset(&sess, 0, sizeof(sess));
	o.transport = RS_TRANSPORT_BOT;
	o.compare = CMP_ALL;
	o.repeat = 1;
	o.timing_original = true;
	bot_init(&sess.bot, &d);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(replay_run(&s, &o, &sess, f, &sum, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert_geq(ms, 199.0, "the gaps were not kept: %.1f ms", ms);
	cr_assert_eq(sum.count[VERDICT_MATCH], 3);
	/* --timing none: at once */
	o.timing_original = false;
	clock_gettime(CLOCK_MONOTONIC, &a);
	replay_run(&s, &o, &sess, f, &sum, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert_lt(ms, 100.0, "%.1f ms without timing", ms);
	fclose(f);
	rs_free(&s);
}
