/* hci.h - Bluetooth HCI, L2CAP, ATT/GATT and SMP: names from the Core specification and pure decoding of bt_txn for front ends. */
#ifndef SCSISCOPE_DECODE_HCI_H
#define SCSISCOPE_DECODE_HCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/strbuf.h"

/*
 * Names (hci_tables.c): NULL when the code is not in the specification's
 * table.  Decoding functions read only the bytes they are given (bounds
 * checked); they never fail, they say what is missing.
 */
const char *hci_command_name(uint16_t opcode);
const char *hci_event_name(uint8_t code);
const char *hci_le_subevent_name(uint8_t code);
const char *hci_error_name(uint8_t code);
const char *hci_ogf_name(uint8_t ogf);
const char *l2cap_signal_name(uint8_t code);
const char *l2cap_cid_name(uint16_t cid);
const char *att_opcode_name(uint8_t op);
const char *att_error_name(uint8_t code);
const char *smp_code_name(uint8_t code);
const char *smp_reason_name(uint8_t code);
const char *smp_io_cap_name(uint8_t io);
const char *gatt_uuid16_name(uint16_t uuid);
/* For the tests: table i (from 0) as an array of n entries of stride bytes,
 * each starting with its uint16_t code; NULL past the last. */
const void *hci_table_at(unsigned i, size_t *n, size_t *stride);

#define HCI_EVT_COMMAND_COMPLETE 0x0e
#define HCI_EVT_COMMAND_STATUS 0x0f
#define HCI_EVT_DISCONNECTION_COMPLETE 0x05
#define HCI_EVT_LE_META 0x3e
#define HCI_OP_RESET 0x0c03

#define L2CAP_CID_SIGNAL 0x0001
#define L2CAP_CID_ATT 0x0004
#define L2CAP_CID_LE_SIGNAL 0x0005
#define L2CAP_CID_SMP 0x0006
#define L2CAP_CID_BR_SMP 0x0007

#define ATT_ERROR_RSP 0x01
#define SMP_PAIRING_REQUEST 0x01
#define SMP_PAIRING_RESPONSE 0x02
#define SMP_PAIRING_FAILED 0x05
#define SMP_SECURITY_REQUEST 0x0b

/* SMP Pairing Request/Response features (Core Vol 3 Part H 3.5.1-2). */
struct smp_features {
	uint8_t io_cap;           /* 0 DisplayOnly .. 4 KeyboardDisplay */
	uint8_t oob;              /* 1: OOB data present */
	uint8_t auth_req;         /* bits: 0-1 bonding, 2 MITM, 3 SC, 4 keypress, 5 CT2 */
	uint8_t max_key_size;     /* 7..16 */
	uint8_t init_keys;        /* bits: 0 EncKey, 1 IdKey, 2 SignKey, 3 LinkKey */
	uint8_t resp_keys;
};
/* The features of a Pairing Request or Response PDU (code byte first). */
bool smp_features_parse(const uint8_t *pdu, size_t len, struct smp_features *out);
/* "IO DisplayYesNo, OOB no, auth Bonding+MITM+SC, max key 16, keys init LTK+IRK resp LTK+IRK" */
void smp_features_text(struct strbuf *sb, const struct smp_features *f);
/* The pairing method the two feature sets select (Core Vol 3 Part H 2.3.5.1):
 * "Just Works", "Passkey Entry", "Numeric Comparison", "OOB";
 * *secure set when both asked for LE Secure Connections. */
const char *smp_method(const struct smp_features *init, const struct smp_features *resp, bool *secure);

/* A BD_ADDR (6 bytes, little-endian as on the air) as "AA:BB:CC:DD:EE:FF". */
void bt_addr_text(char out[18], const uint8_t *addr);
/* A 16-bit or 128-bit UUID (little-endian bytes) as its name or number. */
void bt_uuid_text(struct strbuf *sb, const uint8_t *uuid, size_t len);

/* The status a transaction carries in words: "Success", "Command
 * Disallowed (0x0c)", "no answer", ... "" when it has none. */
void bt_status_text(struct strbuf *sb, const struct bt_txn *b);
/* One line: what the transaction is, with its key fields. */
void bt_summary(struct strbuf *sb, const struct bt_txn *b);
/* Every field, one per line, each line starting with indent (decode -v). */
void bt_describe(struct strbuf *sb, const struct bt_txn *b, const char *indent);
/* The name of what the transaction is: the command or event name, the
 * ATT/SMP/signalling PDU name, the record type ("Reset", "ATT Read
 * Request", "note"); never NULL. */
const char *bt_name(const struct bt_txn *b, char *buf, size_t len);

#endif
