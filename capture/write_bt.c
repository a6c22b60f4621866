/* write_bt.c - Bluetooth capture writers: PacketLogger records and btsnoop files. */
#include "config.h"
#include "capture/writer.h"

/*
 * Layouts as read by capture/pklg.c and capture/btsnoop.c (which cite the
 * sources).  A record's type and direction choose the type code; where
 * they cannot (HCI_REC_OTHER, or a type the format has no code for) the
 * record's orig_type is written, so records read from a file go back
 * unchanged.
 */

#define BTSNOOP_EPOCH_US INT64_C(0x00dcddb30f2f8000)

static uint8_t pklg_code(const struct hci_record *r)
{
	bool recv = r->dir == HCI_DIR_RECV;

	switch (r->type) {
	case HCI_REC_COMMAND: return 0x00;
	case HCI_REC_EVENT: return 0x01;
	case HCI_REC_ACL: return recv ? 0x03 : 0x02;
	case HCI_REC_SCO: return recv ? 0x09 : 0x08;
	case HCI_REC_LMP: return recv ? 0x0b : 0x0a;
	case HCI_REC_SYSLOG: return 0xf7;
	case HCI_REC_KERNEL: return 0xf8;
	case HCI_REC_KERNEL_DEBUG: return 0xf9;
	case HCI_REC_ERROR: return 0xfa;
	case HCI_REC_POWER: return 0xfb;
	case HCI_REC_NOTE: return 0xfc;
	case HCI_REC_CONFIG: return 0xfd;
	case HCI_REC_NEW_CONTROLLER: return 0xfe;
	default: return (uint8_t)(r->orig_type & 0xff);
	}
}

void pklgw_record(struct strbuf *sb, const struct hci_record *r, bool big_endian)
{
	uint64_t t = r->ts_ns < 0 ? 0 : (uint64_t)r->ts_ns;
	uint32_t fields[3] = {
		9 + r->caplen,
		(uint32_t)(t / 1000000000u),
		(uint32_t)((t % 1000000000u) / 1000u),
	};

	for (int i = 0; i < 3; i++) {
		if (big_endian)
			sb_add_be32(sb, fields[i]);
		else
			sb_add_le32(sb, fields[i]);
	}
	sb_add_u8(sb, pklg_code(r));
	if (r->caplen)
		sb_add(sb, r->data, r->caplen);
}

void btsnoopw_header(struct strbuf *sb, uint32_t datalink)
{
	sb_add(sb, "btsnoop\0", 8);
	sb_add_be32(sb, 1);
	sb_add_be32(sb, datalink);
}

/* H4 packet indicator (Bluetooth Core Vol 4 Part A). */
static uint8_t h4_code(const struct hci_record *r)
{
	switch (r->type) {
	case HCI_REC_COMMAND: return 0x01;
	case HCI_REC_ACL: return 0x02;
	case HCI_REC_SCO: return 0x03;
	case HCI_REC_EVENT: return 0x04;
	case HCI_REC_ISO: return 0x05;
	default: return (uint8_t)(r->orig_type & 0xff);
	}
}

/* btmon opcode (BlueZ src/shared/btsnoop.h); the adapter index comes from
 * orig_type's upper half.  Types several opcodes share (POWER, CONFIG)
 * and OTHER keep the opcode in orig_type. */
static uint32_t monitor_flags(const struct hci_record *r)
{
	bool recv = r->dir == HCI_DIR_RECV;
	uint32_t op;

	switch (r->type) {
	case HCI_REC_NEW_CONTROLLER: op = 0; break;
	case HCI_REC_COMMAND: op = 2; break;
	case HCI_REC_EVENT: op = 3; break;
	case HCI_REC_ACL: op = recv ? 5 : 4; break;
	case HCI_REC_SCO: op = recv ? 7 : 6; break;
	case HCI_REC_VENDOR: op = 11; break;
	case HCI_REC_NOTE: op = 12; break;
	case HCI_REC_SYSLOG: op = 13; break;
	case HCI_REC_ISO: op = recv ? 19 : 18; break;
	default: op = r->orig_type & 0xffff; break;
	}
	return (r->orig_type & 0xffff0000u) | op;
}

void btsnoopw_record(struct strbuf *sb, const struct hci_record *r, uint32_t datalink)
{
	bool h4 = datalink == 1002;
	uint32_t flags;
	int64_t us = r->ts_ns / 1000 + BTSNOOP_EPOCH_US;

	if (datalink == 2001) {
		flags = monitor_flags(r);
	} else {
		flags = r->dir == HCI_DIR_RECV ? 1 : 0;
		if (r->type == HCI_REC_COMMAND || r->type == HCI_REC_EVENT)
			flags |= 2;
	}
	sb_add_be32(sb, r->len + (h4 ? 1 : 0));
	sb_add_be32(sb, r->caplen + (h4 ? 1 : 0));
	sb_add_be32(sb, flags);
	sb_add_be32(sb, r->drops);
	sb_add_be64(sb, (uint64_t)us);
	if (h4)
		sb_add_u8(sb, h4_code(r));
	if (r->caplen)
		sb_add(sb, r->data, r->caplen);
}
