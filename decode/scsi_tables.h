/* scsi_tables.h - internal: the data tables behind scsi.c, sense.c and scsi_data.c (defined in scsi_tables.c and asc_tables.c). */
#ifndef SCSISCOPE_DECODE_SCSI_TABLES_H
#define SCSISCOPE_DECODE_SCSI_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* Direction of an opcode: enum scsi_dir, plus "cannot tell from the opcode". */
#define SCSI_DIR_UNKNOWN 3

/* Where the fields of a CDB are; scsi.c decodes each layout. */
enum cdb_layout {
	L_NONE = 0,       /* no fields beyond the opcode (and service action) */
	L_BYTES,          /* allocation / parameter list length at len_off, len_size bytes */
	L_FIXED,          /* the command always moves len_off bytes (READ CAPACITY(10)) */
	L_UNKLEN,         /* moves data whose length the CDB does not say */
	L_RW6,            /* READ(6) / WRITE(6): 21-bit LBA, 8-bit length, 0 = 256 */
	L_RW10,           /* LBA 2-5, blocks 7-8, DPO/FUA */
	L_RW12,           /* LBA 2-5, blocks 6-9, DPO/FUA */
	L_RW16,           /* LBA 2-9, blocks 10-13, DPO/FUA */
	L_RW32,           /* variable length: LBA 12-19, blocks 28-31 */
	L_VERIFY10,       /* as RW, direction and data from BYTCHK */
	L_VERIFY12,
	L_VERIFY16,
	L_VERIFY32,
	L_SYNC10,         /* LBA 2-5, blocks 7-8 (0 = to the end), IMMED; no data */
	L_SYNC16,         /* LBA 2-9, blocks 10-13 */
	L_LBA10,          /* LBA 2-5 only */
	L_LBA16,          /* LBA 2-9 only */
	L_WS10,           /* WRITE SAME: LBA + blocks, one block of data unless NDOB */
	L_WS16,
	L_WS32,
	L_CAW,            /* COMPARE AND WRITE: LBA 2-9, blocks byte 13, 2 x blocks of data */
	L_LONG10,         /* READ/WRITE LONG(10): LBA 2-5, byte length 7-8 */
	L_LONG16,         /* READ/WRITE LONG(16): LBA 2-9, byte length 12-13 */
	L_STREAM16,       /* WRITE STREAM / WRITE ATOMIC(16): LBA 2-9, blocks 12-13 */
	L_LBA_ALLOC16,    /* LBA 2-9, allocation length 10-13 */
	L_RC10,           /* READ CAPACITY(10): 8 bytes, LBA 2-5 with PMI */
	L_RC16,           /* READ CAPACITY(16): LBA 2-9, allocation length 10-13, PMI */
	L_INQUIRY,
	L_REQSENSE,
	L_MODESENSE6,
	L_MODESENSE10,
	L_MODESELECT6,
	L_MODESELECT10,
	L_LOGSENSE,
	L_LOGSELECT,
	L_RECVDIAG,
	L_SENDDIAG,
	L_RDBUF10,
	L_WRBUF10,
	L_RDBUF16,
	L_SECIN,
	L_SECOUT,
	L_RSOC,           /* REPORT SUPPORTED OPERATION CODES */
	L_RII,            /* REPORT IDENTIFYING INFORMATION */
	L_REPORT_LUNS,
	L_START_STOP,
	L_PREVENT,
	L_UNMAP,
	L_FORMAT,
	L_ATA12,
	L_ATA16,
	L_READ_CD,        /* MMC READ CD: LBA 2-5, blocks 6-8 */
	L_READ_TOC,
	L_GET_CONFIG,
	L_GESN,
	L_READ_DISC,
};

struct scsi_op {
	uint8_t opcode;
	int16_t sa;           /* service action; -1 for the opcode's own entry */
	uint8_t dir;          /* enum scsi_dir or SCSI_DIR_UNKNOWN */
	uint8_t layout;       /* enum cdb_layout */
	uint8_t len_off;      /* L_BYTES and friends: offset of the length field; L_FIXED: the byte count */
	uint8_t len_size;     /* bytes in the length field */
	const char *name;
};

/* Sorted by (opcode, sa), sa -1 first. */
extern const struct scsi_op scsi_op_table[];
extern const size_t scsi_op_table_len;

/* Opcodes whose byte 1 bits 4-0 hold a service action. */
extern const uint8_t scsi_sa_opcodes[];
extern const size_t scsi_sa_opcodes_len;

/* "VENDOR SPECIFIC (C0h)" .. "(FFh)", index opcode - 0xC0. */
extern const char *const scsi_vendor_opcode_names[64];
/* "UNKNOWN (00h)" .. "(FFh)", index opcode. */
extern const char *const scsi_unknown_opcode_names[256];

struct code_name {
	uint16_t code;
	const char *name;
};

/* Each sorted by code. */
extern const struct code_name scsi_status_names[];
extern const size_t scsi_status_names_len;
extern const struct code_name ata_command_names[];
extern const size_t ata_command_names_len;
extern const struct code_name scsi_vpd_page_names[];
extern const size_t scsi_vpd_page_names_len;
extern const struct code_name scsi_mode_page_names[];   /* code = page << 8 | subpage */
extern const size_t scsi_mode_page_names_len;
extern const struct code_name scsi_log_page_names[];
extern const size_t scsi_log_page_names_len;
extern const struct code_name scsi_version_names[];
extern const size_t scsi_version_names_len;

/* Indexed tables. */
extern const char *const scsi_sense_key_names[16];
extern const char *const scsi_peripheral_type_names[32];
extern const char *const ata_protocol_names[16];
extern const char *const scsi_designator_type_names[16];
extern const char *const scsi_code_set_names[16];
extern const char *const scsi_association_names[4];
extern const char *const scsi_protocol_id_names[16];
extern const char *const scsi_form_factor_names[16];
extern const char *const scsi_sense_desc_names[16];      /* descriptor types 00h-0Fh */
extern const char *const scsi_buffer_mode_names[32];     /* READ/WRITE BUFFER modes */
extern const char *const scsi_lun_address_names[4];

/* Look a code up in a sorted code_name table; NULL if absent. */
const char *code_name_find(const struct code_name *t, size_t n, uint16_t code);

/* T10 asc-num.txt, one entry per ASC/ASCQ pair, sorted. */
struct asc_entry {
	uint8_t asc;
	uint8_t ascq;
	const char *text;
};
extern const struct asc_entry scsi_asc_table[];
extern const size_t scsi_asc_table_len;

/* asc-num.txt's "NNh" entries: ASCQ ascq_lo..ascq_hi of asc mean
 * before + "<ASCQ>h" + after. */
struct asc_range {
	uint8_t asc;
	uint8_t ascq_lo;
	uint8_t ascq_hi;
	const char *before;
	const char *after;
};
extern const struct asc_range scsi_asc_ranges[];
extern const size_t scsi_asc_ranges_len;

#endif
