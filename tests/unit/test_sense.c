/* test_sense.c - sense data parsing (fixed, descriptor), key names, the ASC/ASCQ table and its texts, summaries and the -v view. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/scsi.h"
#include "decode/scsi_tables.h"
#include "util/strbuf.h"

/* ------------------------------------------------------------- helpers */

static char *describe(const uint8_t *b, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	scsi_sense_describe(&sb, b, n, "  ");
	return sb.buf;            /* caller frees */
}

#define HAS(text, needle) cr_assert(strstr((text), (needle)), "missing \"%s\" in:\n%s", (needle), (text))
#define LACKS(text, needle) cr_assert(!strstr((text), (needle)), "unexpected \"%s\" in:\n%s", (needle), (text))

static const char *asc(uint8_t a, uint8_t q)
{
	static char buf[160];
	return scsi_asc_text(a, q, buf, sizeof(buf));
}

/* ----------------------------------------- real sense data from the rig */

/* bot-xhci.pcap frame 106: REQUEST SENSE data after the first TEST UNIT
 * READY (first 18 of the 96 bytes; the rest are zeros).  tshark: Current
 * Error (0x70), Sense Key Unit Attention (0x6), Additional Sense Length
 * 10, ASC+ASCQ 0x2900 "Power On, Reset, Or Bus Device Reset Occurred",
 * SKSV False. */
static const uint8_t rig_ua[18] = {
	0x70, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
	0x00, 0x00, 0x29, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* bot-xhci.pcap frame 484: after INQUIRY EVPD page ABh.  tshark: Illegal
 * Request (0x5), 0x2400 "Invalid Field In Cdb", SKSV False. */
static const uint8_t rig_invalid_field[18] = {
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
	0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* uas-ehci.pcap frame 292: Sense IU of REPORT SUPPORTED OPERATION CODES.
 * tshark: Illegal Request (0x5), 0x2000 "Invalid Command Operation Code". */
static const uint8_t rig_invalid_opcode[18] = {
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
	0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* XHC1-SanDiskExtremePortableSSD.pcapng frame 32: Sense IU of TEST UNIT
 * READY.  tshark: Not Ready (0x2), 0x0401 "Logical Unit Is In Process Of
 * Becoming Ready". */
static const uint8_t sandisk_not_ready[18] = {
	0x70, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
	0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
};

Test(sense_real, unit_attention)
{
	struct sense_info si;

	cr_assert(scsi_sense_parse(rig_ua, sizeof(rig_ua), &si));
	cr_assert(si.valid);
	cr_assert_eq(si.response_code, 0x70);
	cr_assert(!si.deferred);
	cr_assert_eq(si.key, 6);
	cr_assert_eq(si.asc, 0x29);
	cr_assert_eq(si.ascq, 0x00);
	cr_assert(!si.has_info);
	cr_assert(!si.has_sks);
	cr_assert(!si.filemark && !si.eom && !si.ili);
}

Test(sense_real, padded_to_the_allocation_length)
{
	uint8_t buf[96] = { 0 };
	struct sense_info si;

	memcpy(buf, rig_ua, sizeof(rig_ua));
	cr_assert(scsi_sense_parse(buf, sizeof(buf), &si));
	cr_assert_eq(si.key, 6);
	cr_assert_eq(si.asc, 0x29);
	char *t = describe(buf, sizeof(buf));
	HAS(t, "ADDITIONAL SENSE LENGTH: 10 (sense data 18 bytes)");
	LACKS(t, "Additional sense bytes");   /* the padding is not sense data */
	free(t);
}

Test(sense_real, illegal_request_texts)
{
	struct sense_info si;
	struct strbuf sb = STRBUF_INIT;

	cr_assert(scsi_sense_parse(rig_invalid_field, sizeof(rig_invalid_field), &si));
	cr_assert_eq(si.key, 5);
	cr_assert_eq(si.asc, 0x24);
	sb_init(&sb);
	scsi_sense_summary(&sb, si.key, si.asc, si.ascq);
	cr_assert_str_eq(sb.buf, "ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00)");
	sb_reset(&sb);
	cr_assert(scsi_sense_parse(rig_invalid_opcode, sizeof(rig_invalid_opcode), &si));
	scsi_sense_summary(&sb, si.key, si.asc, si.ascq);
	cr_assert_str_eq(sb.buf, "ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE (05/20/00)");
	sb_reset(&sb);
	cr_assert(scsi_sense_parse(sandisk_not_ready, sizeof(sandisk_not_ready), &si));
	scsi_sense_summary(&sb, si.key, si.asc, si.ascq);
	cr_assert_str_eq(sb.buf, "NOT READY: LOGICAL UNIT IS IN PROCESS OF BECOMING READY (02/04/01)");
	sb_release(&sb);
}

Test(sense_real, describe_fixed)
{
	char *t = describe(rig_invalid_field, sizeof(rig_invalid_field));

	HAS(t, "  RESPONSE CODE: 70h (fixed format, current)\n");
	HAS(t, "  SENSE KEY: 5h ILLEGAL REQUEST\n");
	HAS(t, "  ASC/ASCQ: 24h/00h INVALID FIELD IN CDB\n");
	HAS(t, "  SENSE KEY SPECIFIC: not valid (SKSV 0)");
	/* every line carries the indent */
	for (const char *p = t; *p; p = strchr(p, '\n') + 1) {
		cr_assert(!strncmp(p, "  ", 2), "line without indent: %s", p);
		if (!strchr(p, '\n'))
			break;
	}
	free(t);
}

/* ------------------------------------------- fixed format, synthetic */

Test(sense_fixed, field_pointer_explains_invalid_field_in_cdb)
{
	/* INQUIRY 12 00 80 00 ff 00 (page code without EVPD): 05/24/00 with
	 * SKSV=1, C/D=1, field pointer 2 -> the PAGE CODE byte. */
	static const uint8_t s[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc0, 0x00, 0x02 };
	struct sense_info si;

	cr_assert(scsi_sense_parse(s, sizeof(s), &si));
	cr_assert(si.has_sks);
	cr_assert_eq(si.sks[0], 0xc0);
	cr_assert_eq(si.sks[2], 0x02);
	char *t = describe(s, sizeof(s));
	HAS(t, "SENSE KEY SPECIFIC: field pointer (SKSV 1)");
	HAS(t, "C/D: 1 (the error is in the CDB)");
	HAS(t, "BPV: 0");
	HAS(t, "FIELD POINTER: 2");
	HAS(t, "=> invalid field: CDB byte 2\n");
	free(t);
}

Test(sense_fixed, field_pointer_with_bit_pointer)
{
	/* C/D=1, BPV=1, bit 0, byte 1: the EVPD bit. */
	static const uint8_t s[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc8, 0x00, 0x01 };
	char *t = describe(s, sizeof(s));

	HAS(t, "BIT POINTER: 0");
	HAS(t, "=> invalid field: CDB byte 1, bit 0");
	free(t);
	/* C/D=0: parameter data (MODE SELECT) */
	static const uint8_t p[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x26, 0x00, 0, 0x80, 0x00, 0x0c };
	t = describe(p, sizeof(p));
	HAS(t, "C/D: 0 (the error is in the parameter data)");
	HAS(t, "INVALID FIELD IN PARAMETER LIST");
	HAS(t, "=> invalid field: parameter data byte 12");
	free(t);
}

Test(sense_fixed, other_sense_key_specific_forms)
{
	uint8_t s[18] = { 0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x04, 0, 0x80, 0x80, 0x00 };
	char *t = describe(s, sizeof(s));
	HAS(t, "progress indication 32768/65536 (50.0%)");
	HAS(t, "LOGICAL UNIT NOT READY, FORMAT IN PROGRESS");
	free(t);
	s[2] = 0x03;                        /* MEDIUM ERROR: retry count */
	s[12] = 0x11;
	s[13] = 0x00;
	s[16] = 0x00;
	s[17] = 0x07;
	t = describe(s, sizeof(s));
	HAS(t, "actual retry count 7");
	HAS(t, "UNRECOVERED READ ERROR");
	free(t);
	s[2] = 0x06;                        /* UNIT ATTENTION: overflow */
	s[15] = 0x81;
	t = describe(s, sizeof(s));
	HAS(t, "OVERFLOW 1");
	free(t);
}

Test(sense_fixed, information_and_flags)
{
	/* VALID, deferred (71h), FILEMARK+EOM+ILI, INFORMATION 0x00012345 */
	static const uint8_t s[18] = { 0xf1, 0, 0xe3, 0x00, 0x01, 0x23, 0x45, 0x0a, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0 };
	struct sense_info si;

	cr_assert(scsi_sense_parse(s, sizeof(s), &si));
	cr_assert_eq(si.response_code, 0x71);
	cr_assert(si.deferred);
	cr_assert_eq(si.key, 3);
	cr_assert(si.filemark && si.eom && si.ili);
	cr_assert(si.has_info);
	cr_assert_eq(si.info, 0x12345);
	char *t = describe(s, sizeof(s));
	HAS(t, "71h (fixed format, deferred)");
	HAS(t, "VALID: 1 (INFORMATION field valid)");
	HAS(t, "INFORMATION: 0x00012345 (74565)");
	free(t);
}

Test(sense_fixed, short_and_cut_at_additional_length)
{
	struct sense_info si;
	/* 3 bytes: the key is there, ASC/ASCQ are not */
	static const uint8_t three[3] = { 0x70, 0, 0x05 };
	cr_assert(scsi_sense_parse(three, 3, &si));
	cr_assert(si.valid);
	cr_assert_eq(si.key, 5);
	cr_assert_eq(si.asc, 0);
	char *t = describe(three, 3);
	HAS(t, "truncated");
	free(t);
	/* 2 bytes of fixed format: no key */
	cr_assert(!scsi_sense_parse(three, 2, &si));
	cr_assert(!si.valid);
	/* additional length 6 (14 bytes of sense): SKS bytes are outside */
	static const uint8_t cut[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x06, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc0, 0x00, 0x02 };
	cr_assert(scsi_sense_parse(cut, sizeof(cut), &si));
	cr_assert_eq(si.asc, 0x24);
	cr_assert(!si.has_sks);
	/* 13 bytes of an 18-byte sense: ASCQ missing, said so */
	t = describe(rig_invalid_field, 13);
	HAS(t, "ASC/ASCQ: (not present)");
	HAS(t, "(truncated: 13 of 18 bytes present)");
	free(t);
	/* device claims additional length 0 but sends ASC/ASCQ anyway */
	static const uint8_t lazy[18] = { 0x70, 0, 0x06, 0, 0, 0, 0, 0x00, 0, 0, 0, 0, 0x28, 0x00, 0, 0, 0, 0 };
	cr_assert(scsi_sense_parse(lazy, sizeof(lazy), &si));
	cr_assert_eq(si.asc, 0x28);
	t = describe(lazy, sizeof(lazy));
	HAS(t, "beyond the additional sense length");
	HAS(t, "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED");
	free(t);
}

Test(sense_fixed, not_sense_data)
{
	struct sense_info si;
	static const uint8_t zero[18] = { 0 };
	static const uint8_t vendor[18] = { 0x7f, 0, 0x05 };

	cr_assert(!scsi_sense_parse(zero, sizeof(zero), &si));
	cr_assert(!si.valid);
	cr_assert(!scsi_sense_parse(vendor, sizeof(vendor), &si));
	cr_assert(!scsi_sense_parse(NULL, 0, &si));
	cr_assert(!scsi_sense_parse(zero, 0, &si));
	char *t = describe(vendor, sizeof(vendor));
	HAS(t, "7Fh (vendor specific format)");
	free(t);
	t = describe(zero, 0);
	HAS(t, "Sense data: none");
	free(t);
}

/* ---------------------------------------------------- descriptor format */

/* An ATA PASS-THROUGH with CK_COND: RECOVERED ERROR 00/1D with an
 * Information descriptor, a sense-key specific descriptor and an ATA
 * Status Return descriptor (SAT-3): COUNT 1, LBA 0x030201 (48-bit),
 * DEVICE 40h, STATUS 50h. */
static const uint8_t desc_ata[8 + 12 + 8 + 14] = {
	0x72, 0x01, 0x00, 0x1d, 0x00, 0x00, 0x00, 34,
	0x00, 0x0a, 0x80, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x12, 0x34,
	0x02, 0x06, 0x00, 0x00, 0x80, 0x00, 0x05, 0x00,
	0x09, 0x0c, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x40, 0x50,
};

Test(sense_desc, information_sks_and_ata_status)
{
	struct sense_info si;

	cr_assert(scsi_sense_parse(desc_ata, sizeof(desc_ata), &si));
	cr_assert(si.valid);
	cr_assert_eq(si.response_code, 0x72);
	cr_assert(!si.deferred);
	cr_assert_eq(si.key, 1);
	cr_assert_eq(si.asc, 0x00);
	cr_assert_eq(si.ascq, 0x1d);
	cr_assert(si.has_info);
	cr_assert_eq(si.info, 0x1234);
	cr_assert(si.has_sks);
	cr_assert_eq(si.sks[0], 0x80);
	cr_assert_eq(si.sks[2], 0x05);
	char *t = describe(desc_ata, sizeof(desc_ata));
	HAS(t, "RESPONSE CODE: 72h (descriptor format, current)");
	HAS(t, "SENSE KEY: 1h RECOVERED ERROR");
	HAS(t, "ASC/ASCQ: 00h/1Dh ATA PASS THROUGH INFORMATION AVAILABLE");
	HAS(t, "Descriptor 00h (Information)");
	HAS(t, "INFORMATION: 0x0000000000001234");
	HAS(t, "Descriptor 02h (Sense key specific)");
	HAS(t, "actual retry count 5");
	HAS(t, "Descriptor 09h (ATA Status Return)");
	HAS(t, "EXTEND: 1");
	HAS(t, "COUNT: 1");
	HAS(t, "LBA: 0x30201");
	HAS(t, "DEVICE: 0x40");
	HAS(t, "STATUS: 0x50 DRDY");
	free(t);
}

Test(sense_desc, stream_block_and_deferred)
{
	static const uint8_t s[8 + 4 + 4] = {
		0x73, 0x03, 0x14, 0x00, 0, 0, 0, 8,
		0x04, 0x02, 0x00, 0xc0,       /* stream: FILEMARK, EOM */
		0x05, 0x02, 0x00, 0x20,       /* block: ILI */
	};
	struct sense_info si;

	cr_assert(scsi_sense_parse(s, sizeof(s), &si));
	cr_assert(si.deferred);
	cr_assert(si.filemark && si.eom && si.ili);
	cr_assert_eq(si.asc, 0x14);
	char *t = describe(s, sizeof(s));
	HAS(t, "73h (descriptor format, deferred)");
	HAS(t, "RECORDED ENTITY NOT FOUND");
	HAS(t, "Descriptor 04h (Stream commands)");
	HAS(t, "FILEMARK: 1, EOM: 1, ILI: 0");
	HAS(t, "Descriptor 05h (Block commands)");
	free(t);
}

Test(sense_desc, truncated_descriptor_and_vendor_descriptor)
{
	struct sense_info si;
	/* ATA Status Return declared 12 bytes long, only 4 present */
	static const uint8_t s[8 + 6] = { 0x72, 0x05, 0x24, 0x00, 0, 0, 0, 14, 0x09, 0x0c, 0x00, 0x04, 0x00, 0x00 };

	cr_assert(scsi_sense_parse(s, sizeof(s), &si));
	cr_assert_eq(si.key, 5);
	char *t = describe(s, sizeof(s));
	HAS(t, "descriptor truncated");
	free(t);
	static const uint8_t v[8 + 4] = { 0x72, 0x00, 0x00, 0x00, 0, 0, 0, 4, 0x80, 0x02, 0xab, 0xcd };
	cr_assert(scsi_sense_parse(v, sizeof(v), &si));
	t = describe(v, sizeof(v));
	HAS(t, "Descriptor 80h (vendor specific)");
	HAS(t, "ab cd");
	free(t);
	/* two bytes of descriptor format: key only */
	cr_assert(scsi_sense_parse(v, 2, &si));
	cr_assert_eq(si.key, 0);
}

/* ---------------------------------------------------------- key names */

Test(sense_keys, names)
{
	cr_assert_str_eq(scsi_sense_key_name(0), "NO SENSE");
	cr_assert_str_eq(scsi_sense_key_name(2), "NOT READY");
	cr_assert_str_eq(scsi_sense_key_name(5), "ILLEGAL REQUEST");
	cr_assert_str_eq(scsi_sense_key_name(6), "UNIT ATTENTION");
	cr_assert_str_eq(scsi_sense_key_name(0x0b), "ABORTED COMMAND");
	cr_assert_str_eq(scsi_sense_key_name(0x0e), "MISCOMPARE");
	for (unsigned k = 0; k < 256; k++)
		cr_assert(scsi_sense_key_name((uint8_t)k) != NULL);
}

/* ------------------------------------------------------- ASC/ASCQ table */

Test(asc, spot_checks_from_the_t10_list)
{
	cr_assert_str_eq(asc(0x20, 0x00), "INVALID COMMAND OPERATION CODE");
	cr_assert_str_eq(asc(0x24, 0x00), "INVALID FIELD IN CDB");
	cr_assert_str_eq(asc(0x3A, 0x00), "MEDIUM NOT PRESENT");
	cr_assert_str_eq(asc(0x29, 0x00), "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED");
	cr_assert_str_eq(asc(0x21, 0x00), "LOGICAL BLOCK ADDRESS OUT OF RANGE");
	cr_assert_str_eq(asc(0x00, 0x00), "NO ADDITIONAL SENSE INFORMATION");
	cr_assert_str_eq(asc(0x04, 0x00), "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE");
	cr_assert_str_eq(asc(0x28, 0x00), "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED");
	cr_assert_str_eq(asc(0x3A, 0x02), "MEDIUM NOT PRESENT - TRAY OPEN");
	cr_assert_str_eq(asc(0x1A, 0x00), "PARAMETER LIST LENGTH ERROR");
	cr_assert_str_eq(asc(0x26, 0x00), "INVALID FIELD IN PARAMETER LIST");
	cr_assert_str_eq(asc(0x11, 0x00), "UNRECOVERED READ ERROR");
	cr_assert_str_eq(asc(0x0C, 0x00), "WRITE ERROR");
	cr_assert_str_eq(asc(0x04, 0x24), "DEPOPULATION IN PROGRESS");
	cr_assert_str_eq(asc(0x3F, 0x12), "iSCSI IP ADDRESS ADDED");
	cr_assert_str_eq(asc(0x5D, 0x6C), "FIRMWARE IMPENDING FAILURE DRIVE CALIBRATION RETRY COUNT");
	cr_assert_str_eq(asc(0x74, 0x79), "SECURITY CONFLICT IN TRANSLATED DEVICE");
	cr_assert_str_eq(asc(0x22, 0x00), "ILLEGAL FUNCTION (USE 20 00, 24 00, OR 26 00)");
	cr_assert_str_eq(asc(0x24, 0x02), "OBSOLETE");
}

Test(asc, range_entries)
{
	cr_assert_str_eq(asc(0x40, 0x80), "DIAGNOSTIC FAILURE ON COMPONENT 80h");
	cr_assert_str_eq(asc(0x40, 0xFF), "DIAGNOSTIC FAILURE ON COMPONENT FFh");
	cr_assert_str_eq(asc(0x40, 0x00), "RAM FAILURE (SHOULD USE 40 NN)");
	cr_assert_str_eq(asc(0x40, 0x01), "UNKNOWN ASC 40h ASCQ 01h");   /* NN is 80h-FFh only */
	cr_assert_str_eq(asc(0x4D, 0x00), "TAGGED OVERLAPPED COMMANDS (TASK TAG 00h)");
	cr_assert_str_eq(asc(0x4D, 0x12), "TAGGED OVERLAPPED COMMANDS (TASK TAG 12h)");
	cr_assert_str_eq(asc(0x70, 0x05), "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF 05h");
	cr_assert_str_eq(asc(0x70, 0xA0), "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF A0h");
	cr_assert_str_eq(asc(0x71, 0x00), "DECOMPRESSION EXCEPTION LONG ALGORITHM ID");
}

Test(asc, vendor_specific_and_unknown)
{
	cr_assert_str_eq(asc(0x80, 0x00), "VENDOR SPECIFIC (ASC 80h, ASCQ 00h)");
	cr_assert_str_eq(asc(0xFF, 0xFF), "VENDOR SPECIFIC (ASC FFh, ASCQ FFh)");
	cr_assert_str_eq(asc(0x29, 0x80), "VENDOR SPECIFIC ASCQ 80h FOR ASC 29h");
	cr_assert_str_eq(asc(0x04, 0xF0), "VENDOR SPECIFIC ASCQ F0h FOR ASC 04h");
	/* a listed pair with ASCQ >= 80h is the list's, not vendor specific */
	cr_assert_str_eq(asc(0x5D, 0xFF), "FAILURE PREDICTION THRESHOLD EXCEEDED (FALSE)");
	cr_assert_str_eq(asc(0x7A, 0x00), "UNKNOWN ASC 7Ah ASCQ 00h");
	cr_assert_str_eq(asc(0x0F, 0x00), "UNKNOWN ASC 0Fh ASCQ 00h");   /* a blank line in the list */
}

Test(asc, small_buffers)
{
	char buf[12];

	cr_assert_str_eq(scsi_asc_text(0x24, 0x00, buf, sizeof(buf)), "INVALID FIE");
	cr_assert_eq(scsi_asc_text(0x24, 0x00, buf, sizeof(buf)), buf);
	cr_assert_str_eq(scsi_asc_text(0x40, 0x81, buf, 1), "");
	cr_assert_str_eq(scsi_asc_text(0x24, 0x00, NULL, 0), "");
}

Test(asc, table_sorted_unique_complete)
{
	cr_assert_geq(scsi_asc_table_len, 760);
	for (size_t i = 0; i < scsi_asc_table_len; i++) {
		const struct asc_entry *e = &scsi_asc_table[i];
		cr_assert(e->text && e->text[0], "empty text at %zu", i);
		cr_assert(e->asc < 0x80, "vendor ASC %02x in the T10 table", e->asc);
		if (i) {
			unsigned a = (unsigned)scsi_asc_table[i - 1].asc << 8 | scsi_asc_table[i - 1].ascq;
			unsigned b = (unsigned)e->asc << 8 | e->ascq;
			cr_assert(a < b, "table not sorted or duplicate at %zu (%04x then %04x)", i, a, b);
		}
		/* the list's words: upper case except the list's own iSCSI / iuCRC */
		for (const char *p = e->text; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				cr_assert(strstr(e->text, "iSCSI") || strstr(e->text, "iuCRC"), "lower case in %s", e->text);
	}
	for (size_t i = 0; i < scsi_asc_ranges_len; i++) {
		const struct asc_range *r = &scsi_asc_ranges[i];
		cr_assert(r->ascq_lo <= r->ascq_hi);
		if (i)
			cr_assert(scsi_asc_ranges[i - 1].asc < r->asc);
	}
}
