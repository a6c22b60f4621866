/* test_scsi.c - CDB decoding (every family and length, short CDBs, expected bytes), opcode and status tables, data decoders on rig payloads, random input. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/scsi.h"
#include "decode/scsi_tables.h"
#include "util/strbuf.h"

/* ------------------------------------------------------------- helpers */

#define HAS(text, needle) cr_assert(strstr((text), (needle)), "missing \"%s\" in:\n%s", (needle), (text))
#define LACKS(text, needle) cr_assert(!strstr((text), (needle)), "unexpected \"%s\" in:\n%s", (needle), (text))

static struct cdb_info dec(const uint8_t *c, size_t n)
{
	struct cdb_info ci;
	scsi_cdb_decode(c, n, &ci);
	return ci;
}
#define DEC(...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; dec(c_, sizeof(c_)); })

static char *summary(const struct cdb_info *ci)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	scsi_cdb_summary(&sb, ci);
	return sb.buf;
}

static void summary_is(const struct cdb_info *ci, const char *want)
{
	char *s = summary(ci);
	cr_assert_str_eq(s, want);
	free(s);
}

static char *cdb_text(const uint8_t *c, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	scsi_cdb_describe(&sb, c, n, "    ");
	return sb.buf;
}

static char *data_text(const struct cdb_info *ci, const uint8_t *d, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	scsi_data_describe(&sb, ci, d, n, "  ");
	return sb.buf;
}

/* A cdb_info for describing data of a command given by its CDB. */
#define CI(...) DEC(__VA_ARGS__)

/* --------------------------------------------------------- block I/O */

Test(cdb_rw, read6_write6)
{
	struct cdb_info ci = DEC(0x08, 0xe1, 0x02, 0x03, 0x05, 0x00);
	cr_assert_str_eq(ci.name, "READ(6)");
	cr_assert_eq(ci.group_len, 6);
	cr_assert(!ci.short_cdb);
	cr_assert(ci.has_lba);
	cr_assert_eq(ci.lba, 0x010203);               /* bits 7-5 of byte 1 are not LBA */
	cr_assert_eq(ci.blocks, 5);
	cr_assert(ci.dir_known);
	cr_assert_eq(ci.dir, SCSI_DIR_IN);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 2560);
	ci = DEC(0x0a, 0x00, 0x00, 0x10, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "WRITE(6)");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(ci.blocks, 256);                 /* 0 means 256 */
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 131072);
	summary_is(&ci, "WRITE(6) lba=16 blocks=256");
}

Test(cdb_rw, read10_write10_flags)
{
	struct cdb_info ci = DEC(0x28, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00);
	cr_assert_str_eq(ci.name, "READ(10)");
	cr_assert_eq(ci.group_len, 10);
	cr_assert_eq(ci.lba, 2048);
	cr_assert_eq(ci.blocks, 8);
	cr_assert(ci.fua);
	cr_assert(!ci.dpo);
	summary_is(&ci, "READ(10) lba=2048 blocks=8 fua");
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 4096);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 4096), 32768);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 0), UINT64_MAX);   /* block size unknown */
	ci = DEC(0x2a, 0x10, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00);
	cr_assert_str_eq(ci.name, "WRITE(10)");
	cr_assert_eq(ci.lba, 0xffffffffu);
	cr_assert(ci.dpo && !ci.fua);
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	summary_is(&ci, "WRITE(10) lba=4294967295 blocks=1 dpo");
	/* zero blocks: no data, whatever the block size */
	ci = DEC(0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 0), 0);
}

Test(cdb_rw, read12_write12_read16_write16)
{
	struct cdb_info ci = DEC(0xa8, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "READ(12)");
	cr_assert_eq(ci.group_len, 12);
	cr_assert_eq(ci.lba, 16);
	cr_assert_eq(ci.blocks, 65536);
	ci = DEC(0xaa, 0x08, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "WRITE(12)");
	cr_assert(ci.fua);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 1024);
	ci = DEC(0x88, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "READ(16)");
	cr_assert_eq(ci.group_len, 16);
	cr_assert_eq(ci.lba, 0x100000000ull);
	cr_assert_eq(ci.blocks, 128);
	summary_is(&ci, "READ(16) lba=4294967296 blocks=128");
	ci = DEC(0x8a, 0x18, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "WRITE(16)");
	cr_assert_eq(ci.lba, 0x123456789abcdef0ull);
	cr_assert(ci.fua && ci.dpo);
}

Test(cdb_rw, read32_variable_length)
{
	uint8_t c[32] = { 0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x09, 0x08 };
	c[19] = 0x40;                                 /* LBA 64 */
	c[31] = 0x10;                                 /* 16 blocks */
	struct cdb_info ci = dec(c, sizeof(c));
	cr_assert_str_eq(ci.name, "READ(32)");
	cr_assert_eq(ci.service_action, 9);
	cr_assert_eq(ci.group_len, 0);
	cr_assert(!ci.short_cdb);
	cr_assert_eq(ci.lba, 64);
	cr_assert_eq(ci.blocks, 16);
	cr_assert(ci.fua);
	cr_assert_eq(ci.dir, SCSI_DIR_IN);
	c[9] = 0x0b;
	ci = dec(c, sizeof(c));
	cr_assert_str_eq(ci.name, "WRITE(32)");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	ci = dec(c, 20);                              /* ADDITIONAL CDB LENGTH says 32 */
	cr_assert(ci.short_cdb);
	cr_assert(ci.has_lba);
	cr_assert(!ci.has_blocks);
	c[9] = 0x77;                                  /* unknown service action */
	ci = dec(c, sizeof(c));
	cr_assert_str_eq(ci.name, "VARIABLE LENGTH CDB");
	cr_assert(!ci.dir_known);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), UINT64_MAX);
	ci = DEC(0x7f, 0x00);
	cr_assert(ci.short_cdb);
	cr_assert_eq(ci.service_action, -1);
}

Test(cdb_rw, verify_bytchk)
{
	struct cdb_info ci = DEC(0x2f, 0x00, 0, 0, 0x01, 0x00, 0, 0x00, 0x10, 0);
	cr_assert_str_eq(ci.name, "VERIFY(10)");
	cr_assert_eq(ci.lba, 256);
	cr_assert_eq(ci.blocks, 16);
	cr_assert(ci.dir_known);
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);          /* BYTCHK 0: medium only */
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	ci = DEC(0x2f, 0x02, 0, 0, 0x01, 0x00, 0, 0x00, 0x10, 0);
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);           /* BYTCHK 01b: all blocks sent */
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 8192);
	ci = DEC(0x2f, 0x06, 0, 0, 0x01, 0x00, 0, 0x00, 0x10, 0);
	cr_assert_eq(ci.xfer_blocks, 1);              /* BYTCHK 11b: one block */
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 512);
	ci = DEC(0x2f, 0x04, 0, 0, 0, 0, 0, 0, 1, 0);
	cr_assert(!ci.dir_known);                     /* BYTCHK 10b reserved */
	ci = DEC(0xaf, 0x02, 0, 0, 0, 8, 0, 0, 0, 4, 0, 0);
	cr_assert_str_eq(ci.name, "VERIFY(12)");
	cr_assert_eq(ci.blocks, 4);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 2048);
	ci = DEC(0x8f, 0x10, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0);
	cr_assert_str_eq(ci.name, "VERIFY(16)");
	cr_assert(ci.dpo);
	cr_assert_eq(ci.lba, 9);
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);
}

Test(cdb_rw, write_and_verify)
{
	struct cdb_info ci = DEC(0x2e, 0x00, 0, 0, 0, 4, 0, 0, 2, 0);
	cr_assert_str_eq(ci.name, "WRITE AND VERIFY(10)");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 1024);
	ci = DEC(0xae, 0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0);
	cr_assert_str_eq(ci.name, "WRITE AND VERIFY(12)");
	cr_assert_eq(ci.blocks, 2);
	ci = DEC(0x8e, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0);
	cr_assert_str_eq(ci.name, "WRITE AND VERIFY(16)");
	cr_assert_eq(ci.blocks, 3);
}

Test(cdb_rw, write_same)
{
	struct cdb_info ci = DEC(0x41, 0x08, 0, 0, 0, 100, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "WRITE SAME(10)");
	cr_assert_eq(ci.lba, 100);
	cr_assert_eq(ci.blocks, 0);
	summary_is(&ci, "WRITE SAME(10) lba=100 blocks=0 (to end)");
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 512);   /* one block of data */
	ci = DEC(0x93, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
	cr_assert_str_eq(ci.name, "WRITE SAME(16)");
	cr_assert_eq(ci.blocks, 4096);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 4096), 4096);
	ci = DEC(0x93, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);   /* NDOB */
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
}

Test(cdb_rw, compare_and_write)
{
	struct cdb_info ci = DEC(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0);
	cr_assert_str_eq(ci.name, "COMPARE AND WRITE");
	cr_assert_eq(ci.lba, 7);
	cr_assert_eq(ci.blocks, 1);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 1024);   /* verify + write data */
}

Test(cdb_rw, synchronize_cache)
{
	struct cdb_info ci = DEC(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "SYNCHRONIZE CACHE(10)");
	summary_is(&ci, "SYNCHRONIZE CACHE(10) lba=0 blocks=0 (to end)");
	cr_assert(ci.dir_known);
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	ci = DEC(0x35, 0x02, 0, 0, 0x10, 0, 0, 0, 0x20, 0);
	cr_assert(ci.immed);
	summary_is(&ci, "SYNCHRONIZE CACHE(10) lba=4096 blocks=32 immed");
	ci = DEC(0x91, 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "SYNCHRONIZE CACHE(16)");
	cr_assert(ci.immed);
	cr_assert_eq(ci.lba, 1);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	ci = DEC(0x34, 0x02, 0, 0, 0, 8, 0, 0, 8, 0);
	cr_assert_str_eq(ci.name, "PRE-FETCH(10)");
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);
}

/* ------------------------------------------------------------- SPC */

Test(cdb_spc, inquiry)
{
	struct cdb_info ci = DEC(0x12, 0x00, 0x00, 0x00, 0x24, 0x00);
	cr_assert_str_eq(ci.name, "INQUIRY");
	cr_assert(!ci.evpd);
	cr_assert_eq(ci.page, -1);
	cr_assert_eq(ci.bytes, 36);
	summary_is(&ci, "INQUIRY alloc=36");
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 36);
	ci = DEC(0x12, 0x01, 0x80, 0x00, 0xfc, 0x00);
	cr_assert(ci.evpd);
	cr_assert_eq(ci.page, 0x80);
	summary_is(&ci, "INQUIRY evpd page=0x80 alloc=252");
	ci = DEC(0x12, 0x01, 0x83, 0x01, 0x00, 0x00);  /* two-byte allocation length */
	cr_assert_eq(ci.bytes, 256);
}

Test(cdb_spc, test_unit_ready_request_sense)
{
	struct cdb_info ci = DEC(0x00, 0, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "TEST UNIT READY");
	cr_assert(ci.dir_known);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 0), 0);
	summary_is(&ci, "TEST UNIT READY");
	ci = DEC(0x03, 0x01, 0, 0, 0x60, 0);
	cr_assert_str_eq(ci.name, "REQUEST SENSE");
	cr_assert_eq(ci.bytes, 96);
	summary_is(&ci, "REQUEST SENSE alloc=96");
}

Test(cdb_spc, mode_sense_select)
{
	struct cdb_info ci = DEC(0x1a, 0x08, 0x3f, 0x00, 0xc0, 0x00);
	cr_assert_str_eq(ci.name, "MODE SENSE(6)");
	cr_assert_eq(ci.page, 0x3f);
	cr_assert_eq(ci.subpage, 0);
	cr_assert_eq(ci.bytes, 192);
	summary_is(&ci, "MODE SENSE(6) page=0x3f alloc=192");
	ci = DEC(0x5a, 0x00, 0xca, 0x01, 0, 0, 0, 0x10, 0x00, 0);
	cr_assert_str_eq(ci.name, "MODE SENSE(10)");
	cr_assert_eq(ci.page, 0x0a);                  /* PC bits masked */
	cr_assert_eq(ci.subpage, 1);
	cr_assert_eq(ci.bytes, 4096);
	summary_is(&ci, "MODE SENSE(10) page=0x0a subpage=0x01 alloc=4096");
	ci = DEC(0x15, 0x10, 0, 0, 0x18, 0);
	cr_assert_str_eq(ci.name, "MODE SELECT(6)");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	summary_is(&ci, "MODE SELECT(6) len=24");
	ci = DEC(0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x1c, 0);   /* the rig's MODE SELECT(10) */
	cr_assert_eq(ci.bytes, 28);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 28);
}

Test(cdb_spc, log_sense_select_diagnostics)
{
	struct cdb_info ci = DEC(0x4d, 0x00, 0x4d, 0x00, 0, 0, 0, 0x01, 0x00, 0);
	cr_assert_str_eq(ci.name, "LOG SENSE");
	cr_assert_eq(ci.page, 0x0d);
	cr_assert_eq(ci.bytes, 256);
	ci = DEC(0x4c, 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "LOG SELECT");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);   /* PCR reset: no parameter list */
	ci = DEC(0x1c, 0x01, 0x00, 0x10, 0x00, 0);
	cr_assert_str_eq(ci.name, "RECEIVE DIAGNOSTIC RESULTS");
	cr_assert_eq(ci.page, 0);
	cr_assert_eq(ci.bytes, 4096);
	ci = DEC(0x1d, 0x04, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "SEND DIAGNOSTIC");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	ci = DEC(0x1d, 0x10, 0, 0x00, 0x08, 0);
	cr_assert_eq(ci.bytes, 8);
}

Test(cdb_spc, report_luns)
{
	struct cdb_info ci = DEC(0xa0, 0, 0x02, 0, 0, 0, 0x00, 0x00, 0x10, 0x00, 0, 0);
	cr_assert_str_eq(ci.name, "REPORT LUNS");
	cr_assert_eq(ci.bytes, 4096);
	summary_is(&ci, "REPORT LUNS alloc=4096");
}

Test(cdb_spc, read_write_buffer)
{
	struct cdb_info ci = DEC(0x3b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "WRITE BUFFER");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	summary_is(&ci, "WRITE BUFFER mode=0x02 id=0 offset=0 len=512");
	ci = DEC(0x3c, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "READ BUFFER");
	summary_is(&ci, "READ BUFFER mode=0x02 id=0 offset=0 alloc=512");
	ci = DEC(0x3b, 0x05, 0x01, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00);
	cr_assert_eq(ci.buffer_mode, 5);
	cr_assert_eq(ci.buffer_id, 1);
	cr_assert_eq(ci.buffer_offset, 4096);
	cr_assert_eq(ci.bytes, 65536);
	ci = DEC(0x9b, 0x1c, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0, 0, 0x01, 0x00, 0x07, 0);
	cr_assert_str_eq(ci.name, "READ BUFFER(16)");
	cr_assert_eq(ci.buffer_mode, 0x1c);
	cr_assert_eq(ci.buffer_offset, 512);
	cr_assert_eq(ci.bytes, 256);
	cr_assert_eq(ci.buffer_id, 7);
}

Test(cdb_spc, security_protocol)
{
	struct cdb_info ci = DEC(0xa2, 0x01, 0x00, 0x01, 0x00, 0, 0x00, 0x00, 0x02, 0x00, 0, 0);
	cr_assert_str_eq(ci.name, "SECURITY PROTOCOL IN");
	cr_assert_eq(ci.page, 1);
	cr_assert_eq(ci.bytes, 512);
	summary_is(&ci, "SECURITY PROTOCOL IN protocol=0x01 alloc=512");
	ci = DEC(0xa2, 0xef, 0x00, 0x00, 0x80, 0, 0x00, 0x00, 0x00, 0x02, 0, 0);   /* INC_512 */
	cr_assert_eq(ci.bytes, 1024);
	ci = DEC(0xb5, 0x01, 0x00, 0x01, 0x00, 0, 0x00, 0x00, 0x00, 0x40, 0, 0);
	cr_assert_str_eq(ci.name, "SECURITY PROTOCOL OUT");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(ci.bytes, 64);
}

Test(cdb_spc, maintenance_in_out)
{
	struct cdb_info ci = DEC(0xa3, 0x0c, 0x01, 0x28, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0, 0);
	cr_assert_str_eq(ci.name, "REPORT SUPPORTED OPERATION CODES");
	cr_assert_eq(ci.service_action, 0x0c);
	cr_assert_eq(ci.bytes, 512);
	summary_is(&ci, "REPORT SUPPORTED OPERATION CODES alloc=512");
	/* the uas-ehci rig's RSOC CDB */
	ci = DEC(0xa3, 0x0c, 0x01, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00);
	cr_assert_eq(ci.bytes, 10);
	ci = DEC(0xa3, 0x05, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0x04, 0);
	cr_assert_str_eq(ci.name, "REPORT IDENTIFYING INFORMATION");
	cr_assert_eq(ci.bytes, 256);
	ci = DEC(0xa3, 0x0a, 0, 0, 0, 0, 0x00, 0x00, 0x04, 0x00, 0, 0);
	cr_assert_str_eq(ci.name, "REPORT TARGET PORT GROUPS");
	ci = DEC(0xa3, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0);
	cr_assert_str_eq(ci.name, "MAINTENANCE IN");
	cr_assert_eq(ci.service_action, 0x1f);
	summary_is(&ci, "MAINTENANCE IN sa=0x1f alloc=16");
	ci = DEC(0xa4, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0);
	cr_assert_str_eq(ci.name, "SET IDENTIFYING INFORMATION");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(ci.bytes, 32);
}

Test(cdb_spc, service_action_in16)
{
	struct cdb_info ci = DEC(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0);
	cr_assert_str_eq(ci.name, "READ CAPACITY(16)");
	cr_assert_eq(ci.service_action, 0x10);
	cr_assert_eq(ci.bytes, 32);
	cr_assert(!ci.has_lba);
	summary_is(&ci, "READ CAPACITY(16) alloc=32");
	ci = DEC(0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 0);
	cr_assert_str_eq(ci.name, "GET LBA STATUS");
	cr_assert_eq(ci.lba, 0x1000);
	cr_assert_eq(ci.bytes, 0x1000);
	ci = DEC(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "READ CAPACITY(10)");
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 0), 8);
	summary_is(&ci, "READ CAPACITY(10)");
}

/* ------------------------------------------------------------- SBC misc */

Test(cdb_sbc, unmap_format_start_stop_prevent)
{
	struct cdb_info ci = DEC(0x42, 0x00, 0, 0, 0, 0, 0, 0x00, 0x18, 0);
	cr_assert_str_eq(ci.name, "UNMAP");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	summary_is(&ci, "UNMAP len=24");
	ci = DEC(0x04, 0x10, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "FORMAT UNIT");
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);           /* FMTDATA: a parameter list of unknown length */
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), UINT64_MAX);
	ci = DEC(0x04, 0x00, 0, 0, 0, 0);
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	ci = DEC(0x1b, 0x01, 0, 0, 0x02, 0);
	cr_assert_str_eq(ci.name, "START STOP UNIT");
	cr_assert(ci.immed);
	cr_assert_eq(ci.start_stop, 0x02);
	summary_is(&ci, "START STOP UNIT eject immed");
	ci = DEC(0x1b, 0, 0, 0, 0x03, 0);
	summary_is(&ci, "START STOP UNIT load");
	ci = DEC(0x1b, 0, 0, 0, 0x01, 0);
	summary_is(&ci, "START STOP UNIT start");
	ci = DEC(0x1b, 0, 0, 0, 0x00, 0);
	summary_is(&ci, "START STOP UNIT stop");
	ci = DEC(0x1b, 0, 0, 0, 0x24, 0);             /* power condition 2, NO_FLUSH */
	cr_assert_eq(ci.start_stop, 0x20);
	summary_is(&ci, "START STOP UNIT power_condition=0x2");
	ci = DEC(0x1e, 0, 0, 0, 0x01, 0);
	cr_assert_str_eq(ci.name, "PREVENT ALLOW MEDIUM REMOVAL");
	cr_assert(ci.prevent);
	summary_is(&ci, "PREVENT ALLOW MEDIUM REMOVAL prevent");
	ci = DEC(0x1e, 0, 0, 0, 0x00, 0);
	cr_assert(!ci.prevent);
	summary_is(&ci, "PREVENT ALLOW MEDIUM REMOVAL allow");
}

/* ------------------------------------------------------------- MMC */

Test(cdb_mmc, common_commands)
{
	struct cdb_info ci = DEC(0x46, 0x02, 0x00, 0x00, 0, 0, 0, 0x00, 0x08, 0);
	cr_assert_str_eq(ci.name, "GET CONFIGURATION");
	cr_assert_eq(ci.bytes, 8);
	ci = DEC(0x43, 0x02, 0x00, 0, 0, 0, 0x00, 0x03, 0x24, 0);
	cr_assert_str_eq(ci.name, "READ TOC/PMA/ATIP");
	cr_assert_eq(ci.bytes, 0x324);
	ci = DEC(0x4a, 0x01, 0, 0, 0x10, 0, 0, 0x00, 0x08, 0);
	cr_assert_str_eq(ci.name, "GET EVENT STATUS NOTIFICATION");
	cr_assert_eq(ci.bytes, 8);
	ci = DEC(0x51, 0x00, 0, 0, 0, 0, 0, 0x00, 0x22, 0);
	cr_assert_str_eq(ci.name, "READ DISC INFORMATION");
	cr_assert_eq(ci.bytes, 34);
	ci = DEC(0xbd, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x08, 0, 0);
	cr_assert_str_eq(ci.name, "MECHANISM STATUS");
	cr_assert_eq(ci.bytes, 8);
	ci = DEC(0x23, 0, 0, 0, 0, 0, 0, 0x00, 0xfc, 0);
	cr_assert_str_eq(ci.name, "READ FORMAT CAPACITIES");
	cr_assert_eq(ci.bytes, 252);
	ci = DEC(0xbe, 0x00, 0, 0, 0, 16, 0, 0, 2, 0xf8, 0, 0);
	cr_assert_str_eq(ci.name, "READ CD");
	cr_assert_eq(ci.lba, 16);
	cr_assert_eq(ci.blocks, 2);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 2048), UINT64_MAX);   /* sector size from byte 9 */
	ci = DEC(0xad, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x04, 0, 0);
	cr_assert_str_eq(ci.name, "READ DVD STRUCTURE");
	cr_assert_eq(ci.bytes, 0x804);
}

/* ------------------------------------------------- ATA PASS-THROUGH */

Test(cdb_ata, identify_device_16)
{
	/* smartctl -d sat -i: PIO data-in, T_DIR, BYT_BLOK, T_LENGTH=COUNT, COUNT 1 */
	struct cdb_info ci = DEC(0x85, 0x08, 0x0e, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x40, 0xec, 0x00);
	cr_assert_str_eq(ci.name, "ATA PASS-THROUGH(16)");
	cr_assert_eq(ci.ata_command, 0xec);
	cr_assert_eq(ci.ata_protocol, 4);
	cr_assert(ci.dir_known);
	cr_assert_eq(ci.dir, SCSI_DIR_IN);
	cr_assert_eq(ci.bytes, 512);
	cr_assert(!ci.has_lba);
	summary_is(&ci, "ATA PASS-THROUGH(16) IDENTIFY DEVICE (ECh) PIO data-in len=512");
	char *t = cdb_text((const uint8_t[]){ 0x85, 0x08, 0x0e, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0x40, 0xec, 0 }, 16);
	HAS(t, "PROTOCOL: 4 (PIO data-in)");
	HAS(t, "T_DIR: 1 (from the device)");
	HAS(t, "BYT_BLOK: 1 (length in blocks)");
	HAS(t, "T_LENGTH: 2 (in COUNT)");
	HAS(t, "COMMAND: ECh (IDENTIFY DEVICE)");
	free(t);
}

Test(cdb_ata, read_dma_ext_48bit)
{
	struct cdb_info ci = DEC(0x85, 0x0d, 0x0e, 0, 0, 0x00, 0x08, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x40, 0x25, 0);
	cr_assert_eq(ci.ata_protocol, 6);
	cr_assert_eq(ci.ata_command, 0x25);
	cr_assert(ci.has_lba);
	cr_assert_eq(ci.lba, 0x030201);
	cr_assert_eq(ci.bytes, 4096);
	cr_assert_eq(ci.dir, SCSI_DIR_IN);
	/* T_TYPE=1: COUNT in logical sectors, so bytes need the block size */
	ci = DEC(0x85, 0x0d, 0x1e, 0, 0, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0x40, 0x25, 0);
	cr_assert(ci.has_blocks);
	cr_assert_eq(ci.blocks, 8);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 4096), 32768);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 0), UINT64_MAX);
	/* WRITE DMA EXT data-out */
	ci = DEC(0x85, 0x0d, 0x06, 0, 0, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0x40, 0x35, 0);
	cr_assert_eq(ci.dir, SCSI_DIR_OUT);
	cr_assert_eq(ci.bytes, 1024);
}

Test(cdb_ata, smart_and_flush_12)
{
	/* SMART READ DATA: FEATURES D0h, LBA C24F00h */
	struct cdb_info ci = DEC(0xa1, 0x08, 0x0e, 0xd0, 0x01, 0x00, 0x4f, 0xc2, 0x00, 0xb0, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "ATA PASS-THROUGH(12)");
	cr_assert_eq(ci.group_len, 12);
	cr_assert_eq(ci.ata_command, 0xb0);
	cr_assert_eq(ci.bytes, 512);
	cr_assert(!ci.has_lba);                       /* the SMART signature is not an address */
	summary_is(&ci, "ATA PASS-THROUGH(12) SMART (B0h) PIO data-in len=512");
	ci = DEC(0xa1, 0x06, 0x20, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0);
	cr_assert_eq(ci.ata_command, 0xe7);
	cr_assert_eq(ci.dir, SCSI_DIR_NONE);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), 0);
	summary_is(&ci, "ATA PASS-THROUGH(12) FLUSH CACHE (E7h) non-data");
	ci = DEC(0xa1, 0x06, 0x20, 0, 0, 0, 0, 0, 0, 0xea, 0, 0);
	cr_assert_str_eq(code_name_find(ata_command_names, ata_command_names_len, (uint16_t)ci.ata_command),
			 "FLUSH CACHE EXT");
	ci = DEC(0xa1, 0x0c, 0x0e, 0, 0x01, 0x10, 0, 0, 0xe0, 0xc8, 0, 0);   /* READ DMA, 28-bit */
	cr_assert(ci.has_lba);
	cr_assert_eq(ci.lba, 0x10);
	ci = DEC(0xa1, 0x08);                          /* short: no T_DIR */
	cr_assert(ci.short_cdb);
	cr_assert(!ci.dir_known);
	cr_assert_eq(ci.ata_command, -1);
}

/* ------------------------------------------------ vendor, unknown, short */

Test(cdb_other, vendor_opcodes)
{
	struct cdb_info ci = DEC(0xc0, 0, 0, 0, 0, 0);
	cr_assert(ci.vendor);
	cr_assert_str_eq(ci.name, "VENDOR SPECIFIC (C0h)");
	cr_assert_eq(ci.group_len, 0);
	cr_assert(!ci.short_cdb);
	cr_assert(!ci.dir_known);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), UINT64_MAX);
	summary_is(&ci, "VENDOR SPECIFIC (C0h)");
	ci = DEC(0xff, 0, 0, 0, 0, 0);
	cr_assert_str_eq(ci.name, "VENDOR SPECIFIC (FFh)");
	char *t = cdb_text((const uint8_t[]){ 0xe5, 1, 2 }, 3);
	HAS(t, "OPERATION CODE: E5h VENDOR SPECIFIC (E5h)");
	HAS(t, "raw CDB kept");
	free(t);
}

Test(cdb_other, unknown_and_empty)
{
	struct cdb_info ci = DEC(0x60, 0, 0, 0);
	cr_assert_str_eq(ci.name, "UNKNOWN (60h)");
	cr_assert(!ci.vendor);
	cr_assert(!ci.dir_known);
	ci = dec(NULL, 0);
	cr_assert_str_eq(ci.name, "EMPTY CDB");
	cr_assert(ci.short_cdb);
	ci = dec((const uint8_t *)"", 0);
	cr_assert_str_eq(ci.name, "EMPTY CDB");
}

Test(cdb_other, short_cdbs_decode_what_is_there)
{
	struct cdb_info ci = DEC(0x28, 0x08, 0x00, 0x00);
	cr_assert_str_eq(ci.name, "READ(10)");
	cr_assert(ci.short_cdb);
	cr_assert(ci.fua);
	cr_assert(!ci.has_lba);
	cr_assert(!ci.has_blocks);
	cr_assert_eq(scsi_cdb_expected_bytes(&ci, 512), UINT64_MAX);
	summary_is(&ci, "READ(10) fua (short CDB)");
	ci = DEC(0x28, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00);
	cr_assert(ci.has_lba);
	cr_assert_eq(ci.lba, 2048);
	cr_assert(!ci.has_blocks);
	ci = DEC(0x12, 0x01, 0x80);
	cr_assert(ci.short_cdb && ci.evpd);
	cr_assert_eq(ci.page, 0x80);
	cr_assert(!ci.has_bytes);
	ci = DEC(0x9e);
	cr_assert(ci.short_cdb);
	cr_assert_str_eq(ci.name, "SERVICE ACTION IN(16)");
	cr_assert_eq(ci.service_action, -1);
	char *t = cdb_text((const uint8_t[]){ 0x28, 0x00, 0x00 }, 3);
	HAS(t, "truncated: too short for this opcode");
	HAS(t, "LOGICAL BLOCK ADDRESS: (not in the CDB)");
	HAS(t, "TRANSFER LENGTH: (not in the CDB)");
	LACKS(t, "CONTROL:");
	free(t);
}

Test(cdb_other, longer_cdb_than_needed)
{
	/* BOT carries 16 bytes for a 10-byte CDB */
	struct cdb_info ci = DEC(0x28, 0, 0, 0, 0, 0x10, 0, 0, 0x04, 0, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff);
	cr_assert(!ci.short_cdb);
	cr_assert_eq(ci.lba, 16);
	cr_assert_eq(ci.blocks, 4);
}

Test(cdb_other, group_len_for_every_opcode)
{
	for (unsigned op = 0; op < 256; op++) {
		uint8_t c[32] = { (uint8_t)op };
		struct cdb_info ci = dec(c, sizeof(c));
		unsigned g = op >> 5;
		unsigned want = g == 0 ? 6 : (g == 1 || g == 2) ? 10 : g == 4 ? 16 : g == 5 ? 12 : 0;
		cr_assert_eq(ci.group_len, want, "opcode %02x", op);
		cr_assert_eq(ci.opcode, op);
		cr_assert(ci.name != NULL);
		cr_assert_eq(ci.vendor, op >= 0xc0);
		if (want) {
			/* one byte short of the group length is short, exactly enough is not */
			cr_assert(dec(c, want - 1).short_cdb, "opcode %02x", op);
			cr_assert(op == 0x7f || !dec(c, want).short_cdb, "opcode %02x", op);
		}
	}
}

Test(cdb_other, describe_lines)
{
	static const uint8_t r10[10] = { 0x28, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00 };
	char *t = cdb_text(r10, sizeof(r10));
	HAS(t, "    OPERATION CODE: 28h READ(10)\n");
	HAS(t, "    GROUP CODE: 1 (10-byte CDB)\n");
	HAS(t, "    FUA: 1\n");
	HAS(t, "    DPO: 0\n");
	HAS(t, "    LOGICAL BLOCK ADDRESS: 2048\n");
	HAS(t, "    TRANSFER LENGTH: 8 blocks\n");
	HAS(t, "    Data direction: in (device to host)\n");
	HAS(t, "    CONTROL: 0x00\n");
	for (const char *p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		cr_assert(!strncmp(p, "    ", 4), "line without indent: %s", p);
	free(t);
	static const uint8_t inq[6] = { 0x12, 0x01, 0xab, 0x00, 0xff, 0x00 };
	t = cdb_text(inq, sizeof(inq));
	HAS(t, "EVPD: 1");
	HAS(t, "PAGE CODE: 0xab (unknown VPD page)");
	HAS(t, "ALLOCATION LENGTH: 255 bytes");
	free(t);
	static const uint8_t rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0 };
	t = cdb_text(rc16, sizeof(rc16));
	HAS(t, "OPERATION CODE: 9Eh READ CAPACITY(16)");
	HAS(t, "SERVICE ACTION: 10h");
	free(t);
	static const uint8_t ms[10] = { 0x5a, 0x00, 0x3f, 0x00, 0, 0, 0, 0x10, 0x00, 0 };
	t = cdb_text(ms, sizeof(ms));
	HAS(t, "PAGE CODE: 0x3f (all pages)");
	HAS(t, "PC: 0 (current values)");
	free(t);
	static const uint8_t sync[10] = { 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	t = cdb_text(sync, sizeof(sync));
	HAS(t, "from the LBA to the last logical block");
	free(t);
	static const uint8_t ssu[6] = { 0x1b, 0, 0, 0, 0x02, 0 };
	t = cdb_text(ssu, sizeof(ssu));
	HAS(t, "START: 0 (eject the medium)");
	free(t);
}

/* ------------------------------------------------------ names, status */

Test(tables, opcode_names)
{
	cr_assert_str_eq(scsi_opcode_name(0x9e, 0x10), "READ CAPACITY(16)");
	cr_assert_str_eq(scsi_opcode_name(0xa3, 0x0c), "REPORT SUPPORTED OPERATION CODES");
	cr_assert_str_eq(scsi_opcode_name(0xa3, 0x05), "REPORT IDENTIFYING INFORMATION");
	cr_assert_str_eq(scsi_opcode_name(0x9e, 0x12), "GET LBA STATUS");
	cr_assert_str_eq(scsi_opcode_name(0x28, -1), "READ(10)");
	cr_assert_str_eq(scsi_opcode_name(0x28, 5), "READ(10)");
	cr_assert_str_eq(scsi_opcode_name(0x9e, 0x7f), "SERVICE ACTION IN(16)");
	cr_assert_str_eq(scsi_opcode_name(0xa1, -1), "ATA PASS-THROUGH(12)");
	cr_assert_str_eq(scsi_opcode_name(0x85, -1), "ATA PASS-THROUGH(16)");
	cr_assert_str_eq(scsi_opcode_name(0x4d, -1), "LOG SENSE");
	cr_assert_str_eq(scsi_opcode_name(0x41, -1), "WRITE SAME(10)");
	cr_assert_null(scsi_opcode_name(0x20, -1));
	cr_assert_null(scsi_opcode_name(0xc0, -1));
}

Test(tables, status_names)
{
	cr_assert_str_eq(scsi_status_name(0x00), "GOOD");
	cr_assert_str_eq(scsi_status_name(0x02), "CHECK CONDITION");
	cr_assert_str_eq(scsi_status_name(0x04), "CONDITION MET");
	cr_assert_str_eq(scsi_status_name(0x08), "BUSY");
	cr_assert_str_eq(scsi_status_name(0x18), "RESERVATION CONFLICT");
	cr_assert_str_eq(scsi_status_name(0x28), "TASK SET FULL");
	cr_assert_str_eq(scsi_status_name(0x30), "ACA ACTIVE");
	cr_assert_str_eq(scsi_status_name(0x40), "TASK ABORTED");
	cr_assert_null(scsi_status_name(0x01));
	cr_assert_null(scsi_status_name(-1));
	cr_assert_null(scsi_status_name(0x102));
}

static void sorted_codes(const struct code_name *t, size_t n, const char *what)
{
	for (size_t i = 1; i < n; i++)
		cr_assert(t[i - 1].code < t[i].code, "%s not sorted at %zu", what, i);
}

Test(tables, sorted_and_unique)
{
	for (size_t i = 1; i < scsi_op_table_len; i++) {
		const struct scsi_op *a = &scsi_op_table[i - 1], *b = &scsi_op_table[i];
		cr_assert(a->opcode < b->opcode || (a->opcode == b->opcode && a->sa < b->sa),
			  "opcode table not sorted at %02x/%d", b->opcode, b->sa);
	}
	for (size_t i = 0; i < scsi_op_table_len; i++) {
		cr_assert(scsi_op_table[i].opcode < 0xc0);
		cr_assert(scsi_op_table[i].name && scsi_op_table[i].name[0]);
		/* a service action entry needs its opcode's own entry */
		if (scsi_op_table[i].sa >= 0)
			cr_assert_not_null(scsi_opcode_name(scsi_op_table[i].opcode, -1));
	}
	sorted_codes(scsi_status_names, scsi_status_names_len, "status");
	sorted_codes(ata_command_names, ata_command_names_len, "ATA commands");
	sorted_codes(scsi_vpd_page_names, scsi_vpd_page_names_len, "VPD pages");
	sorted_codes(scsi_mode_page_names, scsi_mode_page_names_len, "mode pages");
	sorted_codes(scsi_log_page_names, scsi_log_page_names_len, "log pages");
	sorted_codes(scsi_version_names, scsi_version_names_len, "versions");
	cr_assert_str_eq(scsi_peripheral_type_name(0x00), "direct access block device");
	cr_assert_str_eq(scsi_peripheral_type_name(0x05), "CD/DVD");
	cr_assert_str_eq(scsi_peripheral_type_name(0x1f), "unknown or no device type");
}

/* -------------------------------------------- data: real rig payloads */

/* bot-xhci.pcap frame 96 (INQUIRY, allocation length 36).  tshark:
 * qualifier 0, devtype 0x00, removable 1, version 0x05, hisup 1, rdf 2,
 * add_len 31, vendor "QEMU    ", product "QEMU HARDDISK   ", rev "2.5+". */
static const uint8_t rig_inquiry[36] = {
	0x00, 0x80, 0x05, 0x12, 0x1f, 0x00, 0x00, 0x10, 'Q', 'E', 'M', 'U', ' ', ' ', ' ', ' ',
	'Q', 'E', 'M', 'U', ' ', 'H', 'A', 'R', 'D', 'D', 'I', 'S', 'K', ' ', ' ', ' ',
	'2', '.', '5', '+',
};

/* XHC1-SanDiskExtremePortableSSD.pcapng frame 43 (INQUIRY, 96 bytes,
 * UAS over Darwin; tshark does not tie this data-in to its command). */
static const uint8_t sandisk_inquiry[96] = {
	0x00, 0x00, 0x06, 0x12, 0x5b, 0x00, 0x00, 0x02, 'S', 'a', 'n', 'D', 'i', 's', 'k', ' ',
	'E', 'x', 't', 'r', 'e', 'm', 'e', ' ', 'S', 'S', 'D', ' ', ' ', ' ', ' ', ' ',
	'1', '0', '1', '2', '5', '5', '8', 'C', '1', '9', '3', '8', 'A', 'Y', '4', '0',
	'1', '0', '9', '0', ' ', ' ', ' ', ' ', 0x00, 0x00, 0x17, 0x47, 0x04, 0x60, 0x04, 0xc0,
	0x1e, 0xe4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

Test(data, inquiry_rig)
{
	struct inquiry_id id;
	struct cdb_info ci = CI(0x12, 0, 0, 0, 0x24, 0);

	cr_assert(scsi_inquiry_parse(rig_inquiry, sizeof(rig_inquiry), &id));
	cr_assert_eq(id.peripheral_qualifier, 0);
	cr_assert_eq(id.peripheral_type, 0);
	cr_assert(id.removable);
	cr_assert_eq(id.version, 5);
	cr_assert_str_eq(id.vendor, "QEMU");
	cr_assert_str_eq(id.product, "QEMU HARDDISK");
	cr_assert_str_eq(id.revision, "2.5+");
	char *t = data_text(&ci, rig_inquiry, sizeof(rig_inquiry));
	HAS(t, "  PERIPHERAL DEVICE TYPE: 00h (direct access block device)\n");
	HAS(t, "  RMB: 1 (removable medium)\n");
	HAS(t, "  VERSION: 05h (SPC-3)\n");
	HAS(t, "  NORMACA: 0, HISUP: 1, RESPONSE DATA FORMAT: 2\n");
	HAS(t, "  ADDITIONAL LENGTH: 31 (INQUIRY data 36 bytes)\n");
	HAS(t, "  WBUS16: 0, SYNC: 1, CMDQUE: 0\n");
	HAS(t, "  T10 VENDOR IDENTIFICATION: \"QEMU\"\n");
	HAS(t, "  PRODUCT IDENTIFICATION: \"QEMU HARDDISK\"\n");
	HAS(t, "  PRODUCT REVISION LEVEL: \"2.5+\"\n");
	LACKS(t, "truncated");
	free(t);
}

Test(data, inquiry_sandisk_and_truncated)
{
	struct inquiry_id id;
	struct cdb_info ci = CI(0x12, 0, 0, 0, 0x60, 0);

	cr_assert(scsi_inquiry_parse(sandisk_inquiry, sizeof(sandisk_inquiry), &id));
	cr_assert_str_eq(id.vendor, "SanDisk");
	cr_assert_str_eq(id.product, "Extreme SSD");
	cr_assert_str_eq(id.revision, "1012");
	cr_assert(!id.removable);
	cr_assert_eq(id.version, 6);
	char *t = data_text(&ci, sandisk_inquiry, sizeof(sandisk_inquiry));
	HAS(t, "VERSION: 06h (SPC-4)");
	HAS(t, "VERSION DESCRIPTOR: 1747h");
	HAS(t, "Vendor specific (bytes 36-55): \"558C1938AY401090\"");
	free(t);
	/* cut inside the product field */
	cr_assert(scsi_inquiry_parse(rig_inquiry, 20, &id));
	cr_assert_str_eq(id.vendor, "QEMU");
	cr_assert_str_eq(id.product, "QEMU");
	cr_assert_str_eq(id.revision, "");
	t = data_text(&ci, rig_inquiry, 20);
	HAS(t, "PRODUCT IDENTIFICATION: \"QEMU\"");
	HAS(t, "(truncated: only 20 bytes of data present)");
	free(t);
	/* the SanDisk host's 6-byte INQUIRY: no identity */
	cr_assert(!scsi_inquiry_parse(sandisk_inquiry, 6, &id));
	cr_assert(!scsi_inquiry_parse(NULL, 0, &id));
}

/* bot-xhci.pcap frame 196, VPD 00h.  tshark: page length 6, pages 00 80
 * 83 B0 B1 B2. */
static const uint8_t rig_vpd00[10] = { 0x00, 0x00, 0x00, 0x06, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };
/* bot-xhci.pcap frame 202, VPD 80h: serial "RIGBOT0001". */
static const uint8_t rig_vpd80[14] = { 0x00, 0x80, 0x00, 0x0a, 'R', 'I', 'G', 'B', 'O', 'T', '0', '0', '0', '1' };
/* bot-xhci.pcap frame 226, VPD 83h.  tshark: code set ASCII (0x2),
 * association 0, identifier type vendor-specific (0x0), length 10,
 * "RIGBOT0001". */
static const uint8_t rig_vpd83[18] = { 0x00, 0x83, 0x00, 0x0e, 0x02, 0x00, 0x00, 0x0a,
				       'R', 'I', 'G', 'B', 'O', 'T', '0', '0', '0', '1' };
/* uas-ehci.pcap frame 187, VPD B0h.  tshark: page length 60, WSNZ True,
 * max compare and write 0, max transfer length 4194303, max unmap LBA
 * count 2097152, max unmap block descriptor count 255, optimal unmap
 * granularity 8, UGAVALID False, max write same length 4194303. */
static const uint8_t rig_vpdb0[64] = {
	0x00, 0xb0, 0x00, 0x3c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0xff, 0xff,
};
/* uas-ehci.pcap frame 235, VPD B2h.  tshark: threshold exponent 0, LBPU
 * True, LBPWS True, LBPWS10 True, LBPRZ False, provisioning type thin (2). */
static const uint8_t rig_vpdb2[8] = { 0x00, 0xb2, 0x00, 0x04, 0x00, 0xe0, 0x02, 0x00 };

Test(data, vpd_pages_rig)
{
	struct cdb_info ci = CI(0x12, 0x01, 0x00, 0x00, 0xfc, 0x00);
	char *t = data_text(&ci, rig_vpd00, sizeof(rig_vpd00));
	HAS(t, "PAGE CODE: 00h (Supported VPD Pages)");
	HAS(t, "PAGE LENGTH: 6");
	HAS(t, "Supported page: 80h (Unit Serial Number)");
	HAS(t, "Supported page: 83h (Device Identification)");
	HAS(t, "Supported page: B0h (Block Limits)");
	HAS(t, "Supported page: B1h (Block Device Characteristics)");
	HAS(t, "Supported page: B2h (Logical Block Provisioning)");
	LACKS(t, "truncated");
	free(t);
	ci = CI(0x12, 0x01, 0x80, 0x00, 0xfc, 0x00);
	t = data_text(&ci, rig_vpd80, sizeof(rig_vpd80));
	HAS(t, "PRODUCT SERIAL NUMBER: \"RIGBOT0001\"");
	free(t);
	ci = CI(0x12, 0x01, 0x83, 0x00, 0xfc, 0x00);
	t = data_text(&ci, rig_vpd83, sizeof(rig_vpd83));
	HAS(t, "CODE SET: 2 (ASCII)");
	HAS(t, "ASSOCIATION: 0 (addressed logical unit)");
	HAS(t, "DESIGNATOR TYPE: 0 (vendor specific)");
	HAS(t, "DESIGNATOR LENGTH: 10");
	HAS(t, "DESIGNATOR: \"RIGBOT0001\"");
	free(t);
	/* the page the device returned is not the one the CDB asked for */
	ci = CI(0x12, 0x01, 0xab, 0x00, 0xff, 0x00);
	t = data_text(&ci, rig_vpd80, sizeof(rig_vpd80));
	HAS(t, "the CDB asked for VPD page ABh");
	free(t);
}

Test(data, vpd_block_limits_and_provisioning_rig)
{
	struct cdb_info ci = CI(0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	char *t = data_text(&ci, rig_vpdb0, sizeof(rig_vpdb0));
	HAS(t, "WSNZ: 1\n");
	HAS(t, "MAXIMUM COMPARE AND WRITE LENGTH: 0 blocks");
	HAS(t, "MAXIMUM TRANSFER LENGTH: 4194303 blocks");
	HAS(t, "OPTIMAL TRANSFER LENGTH: 0 blocks");
	HAS(t, "MAXIMUM UNMAP LBA COUNT: 2097152\n");
	HAS(t, "MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT: 255\n");
	HAS(t, "OPTIMAL UNMAP GRANULARITY: 8 blocks");
	HAS(t, "UGAVALID: 0");
	HAS(t, "MAXIMUM WRITE SAME LENGTH: 4194303 blocks");
	LACKS(t, "truncated");
	free(t);
	t = data_text(&ci, rig_vpdb0, 30);            /* cut inside */
	HAS(t, "MAXIMUM UNMAP LBA COUNT: 2097152");
	LACKS(t, "OPTIMAL UNMAP GRANULARITY");
	HAS(t, "(truncated");
	free(t);
	ci = CI(0x12, 0x01, 0xb2, 0x00, 0x08, 0x00);
	t = data_text(&ci, rig_vpdb2, sizeof(rig_vpdb2));
	HAS(t, "LBPU: 1, LBPWS: 1, LBPWS10: 1, LBPRZ: 0, ANC_SUP: 0, DP: 0");
	HAS(t, "PROVISIONING TYPE: 2 (thin provisioned)");
	free(t);
}

Test(data, vpd_block_device_characteristics)
{
	/* uas-ehci.pcap frame 211: all zero.  tshark: rotation rate "not
	 * reported (0)", nominal form factor 0. */
	uint8_t b1[64] = { 0x00, 0xb1, 0x00, 0x3c };
	struct cdb_info ci = CI(0x12, 0x01, 0xb1, 0x00, 0x40, 0x00);
	char *t = data_text(&ci, b1, sizeof(b1));
	HAS(t, "MEDIUM ROTATION RATE: 0 (not reported)");
	HAS(t, "NOMINAL FORM FACTOR: 0 (not reported)");
	free(t);
	b1[5] = 0x01;                                 /* solid state, 2.5 inch */
	b1[7] = 0x03;
	t = data_text(&ci, b1, sizeof(b1));
	HAS(t, "MEDIUM ROTATION RATE: 1 (non-rotating medium");
	HAS(t, "NOMINAL FORM FACTOR: 3 (2.5 inch)");
	free(t);
	b1[4] = 0x1c;                                 /* 7200 rpm, 3.5 inch */
	b1[5] = 0x20;
	b1[7] = 0x02;
	t = data_text(&ci, b1, sizeof(b1));
	HAS(t, "MEDIUM ROTATION RATE: 7200 rpm");
	HAS(t, "NOMINAL FORM FACTOR: 2 (3.5 inch)");
	free(t);
}

Test(data, vpd_designators)
{
	/* SPC-5 designation descriptors: NAA 5 (binary), T10 vendor ID
	 * (ASCII), EUI-64 (binary, target port), SCSI name string (UTF-8,
	 * SAS protocol with PIV), relative target port 1. */
	static const uint8_t p[] = {
		0x00, 0x83, 0x00, 0x44,
		0x01, 0x03, 0x00, 0x08, 0x50, 0x01, 0x4e, 0xe0, 0x12, 0x34, 0x56, 0x78,
		0x02, 0x01, 0x00, 0x10, 'A', 'C', 'M', 'E', ' ', ' ', ' ', ' ', 'D', 'I', 'S', 'K', '4', '2', ' ', ' ',
		0x01, 0x12, 0x00, 0x08, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x63, 0xa8, 0x00, 0x0c, 'n', 'a', 'a', '.', '5', '0', '0', '1', '4', 'E', 'E', 0x00,
		0x61, 0x94, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
	};
	struct cdb_info ci = CI(0x12, 0x01, 0x83, 0x00, 0xfc, 0x00);
	char *t = data_text(&ci, p, sizeof(p));
	HAS(t, "Designation descriptor 1:");
	HAS(t, "DESIGNATOR TYPE: 3 (NAA)");
	HAS(t, "NAA 5 (IEEE Registered): 0x50014ee012345678");
	HAS(t, "IEEE COMPANY_ID: 0x0014ee");
	HAS(t, "DESIGNATOR TYPE: 1 (T10 vendor ID based)");
	HAS(t, "T10 VENDOR IDENTIFICATION: \"ACME\"");
	HAS(t, "VENDOR SPECIFIC IDENTIFIER: \"DISK42\"");
	HAS(t, "DESIGNATOR TYPE: 2 (EUI-64 based)");
	HAS(t, "ASSOCIATION: 1 (target port)");
	HAS(t, "DESIGNATOR: 0x0011223344556677 (EUI-64)");
	HAS(t, "PROTOCOL IDENTIFIER: 6 (SAS)");
	HAS(t, "DESIGNATOR TYPE: 8 (SCSI name string)");
	HAS(t, "DESIGNATOR: \"naa.50014EE\"");
	HAS(t, "RELATIVE TARGET PORT IDENTIFIER: 1");
	LACKS(t, "truncated");
	free(t);
	/* cut in the middle of the second descriptor */
	t = data_text(&ci, p, 24);
	HAS(t, "DESIGNATOR TYPE: 1 (T10 vendor ID based)");
	HAS(t, "(truncated");
	free(t);
}

/* bot-xhci.pcap frame 116, READ CAPACITY(10).  tshark: LBA 32767, block
 * size 512. */
static const uint8_t rig_rc10[8] = { 0x00, 0x00, 0x7f, 0xff, 0x00, 0x00, 0x02, 0x00 };
/* bot-xhci.pcap frame 242 / uas-ehci.pcap frame 255, READ CAPACITY(16).
 * tshark: LBA 32767, block size 512, PROT_EN False, P_I_EXPONENT 0,
 * LBPPBE 0, LBPME True, LBPRZ False, lowest aligned LBA 0. */
static const uint8_t rig_rc16[32] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x80, 0x00,
};

Test(data, read_capacity_rig)
{
	uint64_t last = 0;
	uint32_t bs = 0;

	cr_assert(scsi_read_capacity10_parse(rig_rc10, sizeof(rig_rc10), &last, &bs));
	cr_assert_eq(last, 32767);
	cr_assert_eq(bs, 512);
	cr_assert(!scsi_read_capacity10_parse(rig_rc10, 7, &last, &bs));
	cr_assert(scsi_read_capacity16_parse(rig_rc16, sizeof(rig_rc16), &last, &bs));
	cr_assert_eq(last, 32767);
	cr_assert_eq(bs, 512);
	cr_assert(scsi_read_capacity16_parse(rig_rc16, 12, &last, &bs));
	cr_assert(!scsi_read_capacity16_parse(rig_rc16, 11, &last, &bs));
	struct cdb_info ci = CI(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	char *t = data_text(&ci, rig_rc10, sizeof(rig_rc10));
	HAS(t, "RETURNED LOGICAL BLOCK ADDRESS: 32767 (last LBA)");
	HAS(t, "LOGICAL BLOCK LENGTH IN BYTES: 512");
	HAS(t, "Capacity: 32768 logical blocks of 512 bytes = 16777216 bytes (16.0 MiB)");
	free(t);
	ci = CI(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0);
	t = data_text(&ci, rig_rc16, sizeof(rig_rc16));
	HAS(t, "RETURNED LOGICAL BLOCK ADDRESS: 32767");
	HAS(t, "P_TYPE: 0\n");
	HAS(t, "PROT_EN: 0\n");
	HAS(t, "LBPPBE): 0");
	HAS(t, "LBPME: 1\n");
	HAS(t, "LBPRZ: 0\n");
	HAS(t, "LOWEST ALIGNED LOGICAL BLOCK ADDRESS: 0\n");
	free(t);
}

Test(data, read_capacity16_protection_fields)
{
	static const uint8_t rc[16] = { 0, 0, 0, 0, 0, 0, 0x0f, 0xff, 0x00, 0x00, 0x10, 0x00, 0x05, 0x13, 0xc0, 0x07 };
	struct cdb_info ci = CI(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0);
	char *t = data_text(&ci, rc, sizeof(rc));
	HAS(t, "LOGICAL BLOCK LENGTH IN BYTES: 4096");
	HAS(t, "P_TYPE: 2\n");
	HAS(t, "PROT_EN: 1\n");
	HAS(t, "P_I_EXPONENT: 1\n");
	HAS(t, "LBPPBE): 3 (8 logical blocks per physical block)");
	HAS(t, "LBPME: 1\n");
	HAS(t, "LBPRZ: 1\n");
	HAS(t, "LOWEST ALIGNED LOGICAL BLOCK ADDRESS: 7\n");
	free(t);
	t = data_text(&ci, rc, 10);
	HAS(t, "RETURNED LOGICAL BLOCK ADDRESS: 4095");
	LACKS(t, "LOGICAL BLOCK LENGTH");
	HAS(t, "(truncated");
	free(t);
}

/* bot-xhci.pcap frame 254, MODE SENSE(10) page 3Fh (the first 104 bytes of
 * 4096; the rest are zeros).  tshark: mode data length 102, medium type 0,
 * LongLBA 0, block descriptor length 8, blocks 32768, block length 512;
 * Read/Write Error Recovery AWRE True; Rigid Disk Geometry; Flexible Disk;
 * Caching WCE True, RCD False. */
static const uint8_t rig_mode10[104] = {
	0x00, 0x66, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x01, 0x0a, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x16, 0x00, 0x00, 0x20, 0x10, 0x00, 0x00, 0x20, 0x00, 0x00, 0x20, 0x00, 0xc8, 0xff, 0xff,
	0xff, 0x00, 0x00, 0x00, 0x15, 0x18, 0x00, 0x00,
	0x05, 0x1e, 0x13, 0x88, 0x10, 0x3f, 0x02, 0x00, 0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0x01,
	0x01, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x18, 0x00, 0x00,
	0x08, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

Test(data, mode_sense10_rig)
{
	uint8_t padded[256] = { 0 };
	struct cdb_info ci = CI(0x5a, 0x00, 0x3f, 0x00, 0, 0, 0, 0x10, 0x00, 0);

	memcpy(padded, rig_mode10, sizeof(rig_mode10));
	char *t = data_text(&ci, padded, sizeof(padded));
	HAS(t, "MODE DATA LENGTH: 102 (mode data 104 bytes)");
	HAS(t, "MEDIUM TYPE: 0");
	HAS(t, "LONGLBA: 0");
	HAS(t, "BLOCK DESCRIPTOR LENGTH: 8");
	HAS(t, "Block descriptor 1: 32768 logical blocks of 512 bytes");
	HAS(t, "Mode page 01h (Read-Write Error Recovery), PS 0, length 10");
	HAS(t, "AWRE: 1, ARRE: 0");
	HAS(t, "Mode page 04h (Rigid Disk Geometry (obsolete)), PS 0, length 22");
	HAS(t, "Mode page 05h");
	HAS(t, "Mode page 08h (Caching), PS 0, length 18");
	HAS(t, "WCE: 1 (write cache enabled)");
	HAS(t, "RCD: 0 (read cache enabled)");
	LACKS(t, "Mode page 00h");                    /* the zero padding is not a page */
	LACKS(t, "truncated");
	free(t);
	t = data_text(&ci, rig_mode10, 60);           /* cut inside the rigid disk page */
	HAS(t, "Mode page 04h");
	LACKS(t, "Caching");
	HAS(t, "(truncated");
	free(t);
}

/* uas-ehci.pcap frame 287, MODE SENSE(6) page 08h.  tshark: mode data
 * length 31, block descriptor length 8, blocks 32768, block length 512,
 * Caching WCE True. */
static const uint8_t rig_mode6[32] = {
	0x1f, 0x00, 0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x02, 0x00, 0x08, 0x12, 0x04, 0x00,
};
/* bot-xhci.pcap frame 507, MODE SELECT(10) data-out: caching page, WCE 1. */
static const uint8_t rig_modesel10[28] = { 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x12, 0x04 };

Test(data, mode_sense6_and_select_rig)
{
	struct cdb_info ci = CI(0x1a, 0x00, 0x08, 0x00, 0x20, 0x00);
	char *t = data_text(&ci, rig_mode6, sizeof(rig_mode6));
	HAS(t, "MODE DATA LENGTH: 31 (mode data 32 bytes)");
	HAS(t, "Block descriptor 1: 32768 logical blocks of 512 bytes");
	HAS(t, "Mode page 08h (Caching)");
	HAS(t, "WCE: 1");
	free(t);
	ci = CI(0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x1c, 0);
	t = data_text(&ci, rig_modesel10, sizeof(rig_modesel10));
	HAS(t, "(reserved in MODE SELECT)");
	HAS(t, "BLOCK DESCRIPTOR LENGTH: 0");
	HAS(t, "Mode page 08h (Caching), PS 0, length 18");
	HAS(t, "WCE: 1 (write cache enabled)");
	free(t);
}

Test(data, mode_pages_control_power_iec_long_lba)
{
	/* MODE SENSE(10), LONGLBA block descriptor, then pages 0Ah, 1Ah, 1Ch, 30h */
	static const uint8_t m[] = {
		0x00, 0x5a, 0x00, 0x90, 0x01, 0x00, 0x00, 0x10,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0x00,
		0x0a, 0x0a, 0x04, 0x10, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x3c,
		0x1a, 0x26, 0x00, 0x03, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x02, 0x58,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x1c, 0x0a, 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x30, 0x02, 0xab, 0xcd,
	};
	struct cdb_info ci = CI(0x5a, 0x10, 0x3f, 0x00, 0, 0, 0, 0x10, 0x00, 0);
	char *t = data_text(&ci, m, sizeof(m));
	HAS(t, "LONGLBA: 1");
	HAS(t, "WP: 1");
	HAS(t, "Block descriptor 1: 4294967296 logical blocks of 4096 bytes (long LBA)");
	HAS(t, "Mode page 0Ah (Control)");
	HAS(t, "D_SENSE: 1");
	HAS(t, "QUEUE ALGORITHM MODIFIER: 1");
	HAS(t, "BUSY TIMEOUT PERIOD: 65535");
	HAS(t, "EXTENDED SELF-TEST COMPLETION TIME: 60 s");
	HAS(t, "Mode page 1Ah (Power Condition)");
	HAS(t, "IDLE_A: 1, STANDBY_Z: 1");
	HAS(t, "IDLE_A CONDITION TIMER: 100 x 100 ms");
	HAS(t, "STANDBY_Z CONDITION TIMER: 600 x 100 ms");
	HAS(t, "Mode page 1Ch (Informational Exceptions Control)");
	HAS(t, "DEXCPT: 1");
	HAS(t, "MRIE: 6 (only report on request)");
	HAS(t, "REPORT COUNT: 1");
	HAS(t, "Mode page 30h (unknown)");
	HAS(t, "ab cd");
	LACKS(t, "truncated");
	free(t);
}

/* uas-ehci.pcap frame 243, REPORT LUNS.  tshark: LUN list length 8, one
 * LUN, simple addressing, LUN 0. */
static const uint8_t rig_luns[16] = { 0x00, 0x00, 0x00, 0x08 };

Test(data, report_luns)
{
	struct cdb_info ci = CI(0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
	char *t = data_text(&ci, rig_luns, sizeof(rig_luns));
	HAS(t, "LUN LIST LENGTH: 8 (1 LUNs)");
	HAS(t, "LUN 1: 0000 0000 0000 0000 (peripheral device addressing, LUN 0)");
	free(t);
	static const uint8_t more[8 + 24] = {
		0, 0, 0, 0x20, 0, 0, 0, 0,
		0x00, 0x01, 0, 0, 0, 0, 0, 0,
		0x40, 0x05, 0, 0, 0, 0, 0, 0,
		0x80, 0x01, 0, 0, 0, 0, 0, 0,
	};
	t = data_text(&ci, more, sizeof(more));
	HAS(t, "LUN 1: 0001 0000 0000 0000 (peripheral device addressing, LUN 1)");
	HAS(t, "LUN 2: 4005 0000 0000 0000 (flat space addressing, LUN 5)");
	HAS(t, "LUN 3: 8001 0000 0000 0000 (logical unit addressing)");
	HAS(t, "(truncated");                         /* the list says 4 LUNs */
	free(t);
}

Test(data, request_sense_and_rsoc)
{
	static const uint8_t sense[18] = { 0x70, 0, 0x06, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x29, 0x00, 0, 0, 0, 0 };
	struct cdb_info ci = CI(0x03, 0, 0, 0, 0x60, 0);
	char *t = data_text(&ci, sense, sizeof(sense));
	HAS(t, "  RESPONSE CODE: 70h (fixed format, current)");
	HAS(t, "  ASC/ASCQ: 29h/00h POWER ON, RESET, OR BUS DEVICE RESET OCCURRED");
	free(t);
	/* all commands: READ(10); READ CAPACITY(16) with timeouts */
	static const uint8_t list[4 + 8 + 20] = {
		0x00, 0x00, 0x00, 0x1c,
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
		0x9e, 0x00, 0x00, 0x10, 0x00, 0x03, 0x00, 0x10, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e,
		0x00, 0x00, 0x00, 0x3c,
	};
	ci = CI(0xa3, 0x0c, 0x00, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
	t = data_text(&ci, list, sizeof(list));
	HAS(t, "COMMAND DATA LENGTH: 28 (all commands format)");
	HAS(t, "28h READ(10), CDB 10 bytes");
	HAS(t, "9Eh/10h READ CAPACITY(16), CDB 16 bytes");
	HAS(t, "timeouts: nominal 30 s, recommended 60 s");
	free(t);
	static const uint8_t one[4 + 10] = { 0x00, 0x03, 0x00, 0x0a, 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0x07 };
	t = data_text(&ci, one, sizeof(one));
	HAS(t, "(one command format)");
	HAS(t, "SUPPORT: 3 (supported (standard))");
	HAS(t, "CDB SIZE: 10, CDB USAGE DATA: 28 ff ff ff ff ff 00 ff ff 07");
	free(t);
}

Test(data, hex_dump_and_none)
{
	static const uint8_t d[20] = { 'H', 'e', 'l', 'l', 'o', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
	struct cdb_info ci = CI(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
	char *t = data_text(&ci, d, sizeof(d));
	HAS(t, "  0000  48 65 6c 6c 6f 00 01 02  03 04 05 06 07 08 09 0a  |Hello...........|\n");
	HAS(t, "  0010  0b 0c 0d 0e ");
	free(t);
	t = data_text(&ci, d, 0);
	HAS(t, "Data: none captured");
	free(t);
	uint8_t big[600] = { 0 };
	t = data_text(&ci, big, sizeof(big));
	HAS(t, "... 344 more bytes");
	free(t);
	ci = CI(0xc5, 0, 0, 0, 0, 0);                /* vendor: dump, never decode */
	t = data_text(&ci, rig_inquiry, sizeof(rig_inquiry));
	HAS(t, "|........QEMU    |");
	free(t);
}

/* -------------------------------------------------- random input, no crash */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

Test(fuzz, everything_on_random_bytes)
{
	static const uint8_t ops[] = { 0x03, 0x12, 0x15, 0x1a, 0x25, 0x55, 0x5a, 0x9e, 0xa0, 0xa3, 0x28, 0xc0 };
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rnd() % 300;
		uint8_t *b = malloc(n ? n : 1);        /* exact size: ASan sees any overread */
		struct cdb_info ci;
		struct sense_info si;
		struct inquiry_id id;
		uint64_t last;
		uint32_t bs;
		char text[1 + 4 * 40];

		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)rnd();
		/* bias towards structures that parse */
		if (n && (iter & 3) == 1)
			b[0] = (uint8_t)(0x70 + (rnd() & 3));
		if (n > 7 && (iter & 7) == 2)
			b[7] = (uint8_t)(rnd() % 40);
		scsi_cdb_decode(b, n < 40 ? n : 32, &ci);
		(void)scsi_cdb_expected_bytes(&ci, rnd() & 1 ? 512 : 0);
		sb_reset(&sb);
		scsi_cdb_summary(&sb, &ci);
		cr_assert(ci.name != NULL);
		scsi_cdb_describe(&sb, b, n < 40 ? n : 32, " ");
		scsi_sense_parse(b, n, &si);
		scsi_sense_describe(&sb, b, n, " ");
		if (n >= 2) {
			scsi_sense_summary(&sb, b[0], b[1], n > 2 ? b[2] : 0);
			scsi_asc_text(b[0], b[1], text, 1 + rnd() % sizeof(text));
		}
		scsi_inquiry_parse(b, n, &id);
		cr_assert(strlen(id.vendor) < sizeof(id.vendor) && strlen(id.product) < sizeof(id.product));
		scsi_read_capacity10_parse(b, n, &last, &bs);
		scsi_read_capacity16_parse(b, n, &last, &bs);
		/* data decoders for every family, on the same bytes */
		for (size_t k = 0; k < sizeof(ops); k++) {
			uint8_t cdb[16] = { ops[k], (uint8_t)(rnd() & 0x1f), (uint8_t)rnd() };
			if (ops[k] == 0x9e)
				cdb[1] = 0x10;
			if (ops[k] == 0xa3)
				cdb[1] = 0x0c;
			scsi_cdb_decode(cdb, sizeof(cdb), &ci);
			scsi_data_describe(&sb, &ci, b, n, "");
		}
		if (sb.len > (1u << 20))
			sb_reset(&sb);
		free(b);
	}
	sb_release(&sb);
}
