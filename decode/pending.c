/* pending.c - TEMPORARY: decode layers not written yet. Each helper deletes the stubs it implements; the file goes before issue 3 closes. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode/device.h"
#include "decode/scsi.h"
#include "decode/storage.h"
#include "decode/usb_control.h"

/* ---- scsi.c, sense.c, scsi_data.c (SCSI helper) ---- */
void scsi_cdb_decode(const uint8_t *cdb, size_t len, struct cdb_info *out) { memset(out, 0, sizeof(*out)); out->opcode = len ? cdb[0] : 0; out->service_action = -1; out->page = -1; out->subpage = -1; out->ata_command = -1; out->name = "?"; }
uint64_t scsi_cdb_expected_bytes(const struct cdb_info *ci, uint32_t block_size) { (void)ci; (void)block_size; return UINT64_MAX; }
void scsi_cdb_summary(struct strbuf *sb, const struct cdb_info *ci) { sb_addf(sb, "opcode 0x%02x", ci->opcode); }
void scsi_cdb_describe(struct strbuf *sb, const uint8_t *cdb, size_t len, const char *indent) { (void)sb; (void)cdb; (void)len; (void)indent; }
const char *scsi_opcode_name(uint8_t opcode, int sa) { (void)opcode; (void)sa; return NULL; }
const char *scsi_status_name(int status) { return status == 0 ? "GOOD" : status == 2 ? "CHECK CONDITION" : NULL; }
bool scsi_sense_parse(const uint8_t *buf, size_t len, struct sense_info *out) { (void)buf; (void)len; memset(out, 0, sizeof(*out)); return false; }
const char *scsi_sense_key_name(uint8_t key) { (void)key; return "?"; }
const char *scsi_asc_text(uint8_t asc, uint8_t ascq, char *buf, size_t size) { snprintf(buf, size, "%02x/%02x", asc, ascq); return buf; }
void scsi_sense_summary(struct strbuf *sb, uint8_t key, uint8_t asc, uint8_t ascq) { sb_addf(sb, "%02x/%02x/%02x", key, asc, ascq); }
void scsi_sense_describe(struct strbuf *sb, const uint8_t *buf, size_t len, const char *indent) { (void)sb; (void)buf; (void)len; (void)indent; }
bool scsi_inquiry_parse(const uint8_t *buf, size_t len, struct inquiry_id *out) { (void)buf; (void)len; (void)out; return false; }
const char *scsi_peripheral_type_name(uint8_t type) { (void)type; return "?"; }
bool scsi_read_capacity10_parse(const uint8_t *buf, size_t len, uint64_t *last_lba, uint32_t *block_size) { (void)buf; (void)len; (void)last_lba; (void)block_size; return false; }
bool scsi_read_capacity16_parse(const uint8_t *buf, size_t len, uint64_t *last_lba, uint32_t *block_size) { (void)buf; (void)len; (void)last_lba; (void)block_size; return false; }
void scsi_data_describe(struct strbuf *sb, const struct cdb_info *ci, const uint8_t *data, size_t len, const char *indent) { (void)sb; (void)ci; (void)data; (void)len; (void)indent; }
