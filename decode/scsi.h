/* scsi.h - SCSI CDBs, data-in/out payloads and sense data, decoded (pure functions over bytes). */
#ifndef SCSISCOPE_DECODE_SCSI_H
#define SCSISCOPE_DECODE_SCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/*
 * Everything here takes untrusted bytes and a length, never reads beyond
 * it, and fills what it can: a CDB too short for its opcode decodes the
 * fields that are present and says so (cdb_info.short_cdb).  Names and
 * texts come from the tables in scsi_tables.c and asc_tables.c, built from
 * T10's published lists (op-num.txt, asc-num.txt) and the SPC/SBC/MMC
 * standards.
 */

/* ------------------------------------------------------------------ CDB */

struct cdb_info {
	uint8_t opcode;
	int16_t service_action;   /* -1 when the opcode has none */
	const char *name;         /* never NULL: "READ(10)", "VENDOR SPECIFIC (C0h)", "UNKNOWN (xxh)" */
	uint8_t group_len;        /* CDB length the opcode's group code implies: 6, 10, 12, 16; 0 = variable (7Fh) or vendor */
	bool short_cdb;           /* fewer CDB bytes than the opcode needs */
	bool vendor;              /* 0xC0-0xFF */
	uint8_t dir;              /* enum scsi_dir the command moves data in (SCSI_DIR_NONE also when unknown) */
	bool dir_known;
	bool has_lba;
	uint64_t lba;
	bool has_blocks;          /* transfer length in logical blocks */
	uint32_t blocks;
	bool has_bytes;           /* allocation / parameter list / transfer length in bytes */
	uint32_t bytes;
	bool fua, dpo, immed;
	bool evpd;                /* INQUIRY */
	int16_t page;             /* INQUIRY VPD page, MODE/LOG/diagnostic page code, SECURITY PROTOCOL; -1 none */
	int16_t subpage;
	uint8_t start_stop;       /* START STOP UNIT: bit 0 START, bit 1 LOEJ; power condition in the high nibble */
	bool prevent;             /* PREVENT ALLOW MEDIUM REMOVAL: prevent bits set */
	int16_t ata_command;      /* ATA PASS-THROUGH: the ATA command register; -1 none */
	uint8_t ata_protocol;
	uint8_t buffer_mode;      /* READ/WRITE BUFFER mode */
	uint32_t buffer_offset;
	uint8_t buffer_id;
	uint32_t xfer_blocks;     /* with has_blocks: logical blocks the data phase moves; = blocks for
	                             READ/WRITE, 1 for WRITE SAME and VERIFY with BYTCHK 11b, 2 x blocks
	                             for COMPARE AND WRITE, 0 when no data moves (SYNCHRONIZE CACHE) */
};

/* Decode a CDB of len bytes (len may be shorter or longer than the opcode wants). */
void scsi_cdb_decode(const uint8_t *cdb, size_t len, struct cdb_info *out);

/* Bytes the CDB asks to move: blocks * block_size for block commands (0 =
 * block size unknown: then UINT64_MAX), the allocation/parameter length for
 * others, 0 for commands without data; UINT64_MAX when unknown. */
uint64_t scsi_cdb_expected_bytes(const struct cdb_info *ci, uint32_t block_size);

/* One-line summary: "READ(10) lba=2048 blocks=8 fua", "INQUIRY evpd page=0x80 alloc=252". */
void scsi_cdb_summary(struct strbuf *sb, const struct cdb_info *ci);

/* Every field of the CDB, one per line, each line starting with indent
 * (the -v view). */
void scsi_cdb_describe(struct strbuf *sb, const uint8_t *cdb, size_t len, const char *indent);

/* Opcode name from the table; sa is the service action or -1.  NULL if unknown. */
const char *scsi_opcode_name(uint8_t opcode, int sa);

/* SCSI status byte name: "GOOD", "CHECK CONDITION", ...; NULL if reserved. */
const char *scsi_status_name(int status);

/* ---------------------------------------------------------------- sense */

struct sense_info {
	bool valid;               /* a fixed or descriptor format sense was recognised */
	uint8_t response_code;    /* 0x70, 0x71 (fixed), 0x72, 0x73 (descriptor) */
	bool deferred;            /* 0x71 / 0x73 */
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	bool has_info;            /* INFORMATION field valid */
	uint64_t info;
	bool filemark, eom, ili;
	bool has_sks;             /* sense-key specific bytes valid */
	uint8_t sks[3];
};

/* Parse fixed (70h/71h) or descriptor (72h/73h) sense data.  Returns false
 * (and valid = false) when the bytes are not sense data. */
bool scsi_sense_parse(const uint8_t *buf, size_t len, struct sense_info *out);

/* "ILLEGAL REQUEST" etc.; never NULL. */
const char *scsi_sense_key_name(uint8_t key);

/* ASC/ASCQ text from T10's list, ranges included ("DIAGNOSTIC FAILURE ON
 * COMPONENT 80h"); vendor-specific and unknown codes are described as
 * such.  Writes into buf and returns it. */
const char *scsi_asc_text(uint8_t asc, uint8_t ascq, char *buf, size_t size);

/* "ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE (05/20/00)" */
void scsi_sense_summary(struct strbuf *sb, uint8_t key, uint8_t asc, uint8_t ascq);

/* Every field of sense data, one per line (the -v view). */
void scsi_sense_describe(struct strbuf *sb, const uint8_t *buf, size_t len, const char *indent);

/* ----------------------------------------------------------------- data */

/* Standard INQUIRY identity. */
struct inquiry_id {
	uint8_t peripheral_qualifier;
	uint8_t peripheral_type;  /* 0 disk, 5 CD/DVD, ... */
	bool removable;
	uint8_t version;
	char vendor[9];           /* trimmed, printable ASCII */
	char product[17];
	char revision[5];
};
bool scsi_inquiry_parse(const uint8_t *buf, size_t len, struct inquiry_id *out);
const char *scsi_peripheral_type_name(uint8_t type);

/* READ CAPACITY(10) / (16) parameter data. */
bool scsi_read_capacity10_parse(const uint8_t *buf, size_t len, uint64_t *last_lba, uint32_t *block_size);
bool scsi_read_capacity16_parse(const uint8_t *buf, size_t len, uint64_t *last_lba, uint32_t *block_size);

/* Decode the data of a command (data-in or data-out) for the -v view:
 * INQUIRY (standard and VPD 00h 80h 83h B0h B1h), READ CAPACITY 10/16,
 * MODE SENSE/SELECT 6/10 headers, block descriptors and pages (caching
 * 08h with WCE/RCD, control 0Ah, ...), REPORT LUNS, REQUEST SENSE, and a
 * hex dump for the rest.  len may be shorter than the data that moved
 * (truncated capture); say so rather than guess. */
void scsi_data_describe(struct strbuf *sb, const struct cdb_info *ci, const uint8_t *data, size_t len,
			const char *indent);

#endif
