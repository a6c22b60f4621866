/* hci_describe.c - Bluetooth transactions in words: HCI command/event parameters, L2CAP signalling, ATT/GATT and SMP PDUs (pure functions). */
#include "config.h"
#include "decode/hci.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "util/bytes.h"

/*
 * Everything here reads a bt_txn's bytes (data: the command or event
 * packet, the L2CAP information payload, the text; reply: a command's
 * answer) through util/bytes.h and says what is missing rather than
 * reading past it.  Field layouts are the Core specification's (v5.4):
 * HCI Vol 4 Part E 5.4 and 7, L2CAP Vol 3 Part A 3-4, ATT Vol 3 Part F 3.4,
 * GATT Vol 3 Part G 3, SMP Vol 3 Part H 3.
 */

/* ---------------------------------------------------------------- helpers */

void bt_addr_text(char out[18], const uint8_t *a)
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", a[5], a[4], a[3], a[2], a[1], a[0]);
}

static void add_addr(struct strbuf *sb, const uint8_t *p, size_t n, size_t off)
{
	char t[18];

	if (!bytes_fit(n, off, 6)) {
		sb_adds(sb, "(address cut)");
		return;
	}
	bt_addr_text(t, p + off);
	sb_adds(sb, t);
}

void bt_uuid_text(struct strbuf *sb, const uint8_t *u, size_t len)
{
	if (len == 2) {
		uint16_t v = (uint16_t)(u[0] | u[1] << 8);
		const char *n = gatt_uuid16_name(v);
		if (n)
			sb_addf(sb, "%s (0x%04x)", n, v);
		else
			sb_addf(sb, "UUID 0x%04x", v);
		return;
	}
	if (len == 16) {
		/* The Bluetooth base UUID 0000xxxx-0000-1000-8000-00805F9B34FB holds a 16-bit one. */
		static const uint8_t base[12] = { 0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80, 0x00, 0x10, 0x00, 0x00 };
		if (!memcmp(u, base, 12) && !u[14] && !u[15]) {
			bt_uuid_text(sb, u + 12, 2);
			return;
		}
		sb_addf(sb, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[15], u[14], u[13],
			u[12], u[11], u[10], u[9], u[8], u[7], u[6], u[5], u[4], u[3], u[2], u[1], u[0]);
		return;
	}
	sb_adds(sb, "UUID of ");
	sb_add_u64(sb, len);
	sb_adds(sb, " bytes");
}

/* Up to max bytes as hex, "..." when there are more. */
static void add_hex_max(struct strbuf *sb, const uint8_t *p, size_t n, size_t max)
{
	sb_add_hex(sb, p, n < max ? n : max);
	if (n > max)
		sb_adds(sb, "...");
}

/* A value: hex, and the text when it is all printable. */
static void add_value(struct strbuf *sb, const uint8_t *p, size_t n)
{
	bool text = n > 0;

	for (size_t i = 0; i < n && text; i++)
		text = (p[i] >= 0x20 && p[i] < 0x7f) || (i == n - 1 && p[i] == 0);
	if (!n) {
		sb_adds(sb, "(empty)");
		return;
	}
	add_hex_max(sb, p, n, 24);
	if (text) {
		sb_adds(sb, " \"");
		for (size_t i = 0; i < n && i < 48 && p[i]; i++)
			sb_addc(sb, (char)p[i]);
		sb_adds(sb, n > 48 ? "...\"" : "\"");
	}
}

static void add_err(struct strbuf *sb, uint8_t code)
{
	const char *n = hci_error_name(code);

	if (n)
		sb_addf(sb, "%s (0x%02x)", n, code);
	else
		sb_addf(sb, "reserved error 0x%02x", code);
}

static const char *yesno(unsigned v) { return v ? "on" : "off"; }

/* ---------------------------------------------------------------- SMP features */

bool smp_features_parse(const uint8_t *p, size_t n, struct smp_features *f)
{
	if (n < 7)
		return false;
	f->io_cap = p[1];
	f->oob = p[2];
	f->auth_req = p[3];
	f->max_key_size = p[4];
	f->init_keys = p[5];
	f->resp_keys = p[6];
	return true;
}

static void add_keys(struct strbuf *sb, uint8_t k)
{
	static const char *names[4] = { "LTK", "IRK", "CSRK", "LinkKey" };
	bool any = false;

	for (unsigned i = 0; i < 4; i++)
		if (k & (1u << i)) {
			sb_addf(sb, "%s%s", any ? "+" : "", names[i]);
			any = true;
		}
	if (!any)
		sb_adds(sb, "none");
}

static void add_auth_req(struct strbuf *sb, uint8_t a)
{
	sb_adds(sb, (a & 3) == 1 ? "Bonding" : (a & 3) == 0 ? "No Bonding" : "Bonding flags reserved");
	if (a & 0x04)
		sb_adds(sb, "+MITM");
	if (a & 0x08)
		sb_adds(sb, "+SC");
	if (a & 0x10)
		sb_adds(sb, "+Keypress");
	if (a & 0x20)
		sb_adds(sb, "+CT2");
}

static void add_io_cap(struct strbuf *sb, uint8_t io)
{
	const char *n = smp_io_cap_name(io);

	if (n)
		sb_adds(sb, n);
	else
		sb_addf(sb, "reserved 0x%02x", io);
}

void smp_features_text(struct strbuf *sb, const struct smp_features *f)
{
	sb_adds(sb, "IO ");
	add_io_cap(sb, f->io_cap);
	sb_addf(sb, ", OOB %s, auth ", f->oob == 1 ? "present" : f->oob == 0 ? "absent" : "reserved");
	add_auth_req(sb, f->auth_req);
	sb_addf(sb, ", max key %u, keys init ", f->max_key_size);
	add_keys(sb, f->init_keys);
	sb_adds(sb, " resp ");
	add_keys(sb, f->resp_keys);
}

const char *smp_method(const struct smp_features *i, const struct smp_features *r, bool *secure)
{
	/* Core Vol 3 Part H 2.3.5.1, Tables 2.6-2.8: OOB first, then MITM,
	 * then the IO capabilities. */
	bool sc = (i->auth_req & 0x08) && (r->auth_req & 0x08);
	uint8_t a = i->io_cap, b = r->io_cap;

	*secure = sc;
	if (sc ? (i->oob == 1 || r->oob == 1) : (i->oob == 1 && r->oob == 1))
		return "OOB";
	if (!(i->auth_req & 0x04) && !(r->auth_req & 0x04))
		return "Just Works";
	if (a > 4 || b > 4 || a == 3 || b == 3)
		return "Just Works";
	/* Both have displays with yes/no (DisplayYesNo or KeyboardDisplay): numeric comparison under SC. */
	if (sc && (a == 1 || a == 4) && (b == 1 || b == 4))
		return "Numeric Comparison";
	if ((a == 0 && b == 0) || (a == 0 && b == 1) || (a == 1 && b == 0) || (a == 1 && b == 1))
		return "Just Works";
	return "Passkey Entry";
}

/* ---------------------------------------------------------------- HCI commands */

static const uint8_t *params(const struct bt_txn *b, size_t hdr, size_t *n)
{
	if (!b->data.head || b->data.head_len < hdr) {
		*n = 0;
		return NULL;
	}
	*n = b->data.head_len - hdr;
	return b->data.head + hdr;
}

static void add_handle_at(struct strbuf *sb, const uint8_t *p, size_t n, size_t off)
{
	uint16_t h;

	if (get_le16(p, n, off, &h))
		sb_addf(sb, "handle 0x%04x", h & 0x0fff);
}

/* The key parameters of a command (p: its parameters). */
static void command_params(struct strbuf *sb, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t u8 = 0;
	uint16_t a16 = 0, b16 = 0;

	switch (op) {
	case 0x0405: /* Create Connection */
	case 0x0409: /* Accept Connection Request */
	case 0x040b: case 0x040c: case 0x040d: case 0x040e: /* link key / PIN replies */
	case 0x0419: /* Remote Name Request */
	case 0x042c: case 0x042d: case 0x042e: case 0x042f: /* user confirmation / passkey replies */
		sb_adds(sb, " ");
		add_addr(sb, p, n, 0);
		break;
	case 0x040a: /* Reject Connection Request */
		sb_adds(sb, " ");
		add_addr(sb, p, n, 0);
		if (get_u8(p, n, 6, &u8)) {
			sb_adds(sb, " reason ");
			add_err(sb, u8);
		}
		break;
	case 0x042b: /* IO Capability Request Reply */
		sb_adds(sb, " ");
		add_addr(sb, p, n, 0);
		if (n >= 9) {
			sb_adds(sb, " IO ");
			add_io_cap(sb, p[6]);
			sb_addf(sb, ", OOB %u, auth 0x%02x", p[7], p[8]);
		}
		break;
	case 0x0406: /* Disconnect */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 0);
		if (get_u8(p, n, 2, &u8)) {
			sb_adds(sb, " reason ");
			add_err(sb, u8);
		}
		break;
	case 0x0411: case 0x041b: case 0x041d: case 0x041f: case 0x2016: case 0x2019: case 0x201a: case 0x201b:
	case 0x1405: case 0x1403: case 0x1408: case 0x0809: case 0x2030: case 0x2015:
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 0);
		break;
	case 0x0413: /* Set Connection Encryption */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 0);
		if (get_u8(p, n, 2, &u8))
			sb_addf(sb, " encryption %s", yesno(u8));
		break;
	case 0x0c1a: /* Write Scan Enable */
		if (get_u8(p, n, 0, &u8))
			sb_addf(sb, " %s", u8 == 0 ? "no scans" : u8 == 1 ? "inquiry scan" : u8 == 2 ? "page scan" :
				u8 == 3 ? "inquiry and page scan" : "reserved");
		break;
	case 0x0c13: /* Write Local Name */
		if (n) {
			sb_adds(sb, " \"");
			for (size_t i = 0; i < n && i < 64 && p[i]; i++)
				sb_addc(sb, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
			sb_addc(sb, '"');
		}
		break;
	case 0x0c56: case 0x0c6d: case 0x0c7a: /* Write Simple Pairing Mode, LE Host Support, SC Host Support */
	case 0x200a: /* LE Set Advertising Enable */
		if (get_u8(p, n, 0, &u8))
			sb_addf(sb, " %s", yesno(u8));
		break;
	case 0x200c: /* LE Set Scan Enable */
		if (get_u8(p, n, 0, &u8))
			sb_addf(sb, " %s", yesno(u8));
		if (get_u8(p, n, 1, &u8))
			sb_addf(sb, ", duplicates %s", u8 ? "filtered" : "reported");
		break;
	case 0x200b: /* LE Set Scan Parameters */
		if (get_u8(p, n, 0, &u8) && get_le16(p, n, 1, &a16) && get_le16(p, n, 3, &b16))
			sb_addf(sb, " %s, interval %u.%03u ms, window %u.%03u ms", u8 ? "active" : "passive",
				a16 * 625 / 1000, a16 * 625 % 1000, b16 * 625 / 1000, b16 * 625 % 1000);
		break;
	case 0x2006: /* LE Set Advertising Parameters */
		if (get_le16(p, n, 0, &a16) && get_le16(p, n, 2, &b16) && get_u8(p, n, 4, &u8))
			sb_addf(sb, " interval %u.%03u-%u.%03u ms, type %s", a16 * 625 / 1000, a16 * 625 % 1000,
				b16 * 625 / 1000, b16 * 625 % 1000,
				u8 == 0 ? "ADV_IND" : u8 == 1 ? "ADV_DIRECT_IND (high duty)" : u8 == 2 ? "ADV_SCAN_IND" :
				u8 == 3 ? "ADV_NONCONN_IND" : u8 == 4 ? "ADV_DIRECT_IND (low duty)" : "reserved");
		break;
	case 0x200d: /* LE Create Connection */
		if (get_u8(p, n, 5, &u8)) {
			sb_addf(sb, " %s peer ", u8 == 1 ? "random" : "public");
			add_addr(sb, p, n, 6);
		}
		break;
	case 0x2013: /* LE Connection Update */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 0);
		if (get_le16(p, n, 2, &a16) && get_le16(p, n, 4, &b16))
			sb_addf(sb, " interval %u.%02u-%u.%02u ms", a16 * 125 / 100, a16 * 125 % 100, b16 * 125 / 100,
				b16 * 125 % 100);
		break;
	case 0x2005: /* LE Set Random Address */
		sb_adds(sb, " ");
		add_addr(sb, p, n, 0);
		break;
	default:
		break;
	}
}

/* Return parameters of a Command Complete worth a line (r: after status). */
static void complete_params(struct strbuf *sb, uint16_t op, const uint8_t *r, size_t n)
{
	uint8_t u8;
	uint16_t a16, b16;

	switch (op) {
	case 0x1009: /* Read BD_ADDR */
		if (n >= 6) {
			sb_adds(sb, " ");
			add_addr(sb, r, n, 0);
		}
		break;
	case 0x1001: /* Read Local Version Information */
		if (get_u8(r, n, 0, &u8) && get_le16(r, n, 3, &a16))
			sb_addf(sb, " HCI version %u, manufacturer 0x%04x", u8, a16);
		break;
	case 0x1005: /* Read Buffer Size */
		if (get_le16(r, n, 0, &a16) && get_le16(r, n, 3, &b16))
			sb_addf(sb, " ACL %u bytes x %u", a16, b16);
		break;
	case 0x2002: /* LE Read Buffer Size */
		if (get_le16(r, n, 0, &a16) && get_u8(r, n, 2, &u8))
			sb_addf(sb, " LE ACL %u bytes x %u", a16, u8);
		break;
	case 0x0c14: /* Read Local Name */
		if (n) {
			sb_adds(sb, " \"");
			for (size_t i = 0; i < n && i < 64 && r[i]; i++)
				sb_addc(sb, r[i] >= 0x20 && r[i] < 0x7f ? (char)r[i] : '.');
			sb_addc(sb, '"');
		}
		break;
	default:
		break;
	}
}

static void add_command_name(struct strbuf *sb, uint16_t op)
{
	const char *n = hci_command_name(op);

	if (n)
		sb_addf(sb, "%s (0x%04x)", n, op);
	else if ((op >> 10) == 0x3f)
		sb_addf(sb, "Vendor-specific command (0x%04x, OCF 0x%03x)", op, op & 0x3ff);
	else if (op == 0)
		sb_adds(sb, "No Operation (0x0000)");
	else
		sb_addf(sb, "unknown command 0x%04x (OGF 0x%02x, OCF 0x%03x)", op, op >> 10, op & 0x3ff);
}

/* ---------------------------------------------------------------- HCI events */

static void add_event_name(struct strbuf *sb, uint8_t code, uint8_t sub)
{
	const char *n = hci_event_name(code);

	if (code == HCI_EVT_LE_META) {
		const char *s = hci_le_subevent_name(sub);
		if (s)
			sb_addf(sb, "%s (0x3e/0x%02x)", s, sub);
		else
			sb_addf(sb, "LE Meta, reserved subevent 0x%02x", sub);
		return;
	}
	if (n)
		sb_addf(sb, "%s (0x%02x)", n, code);
	else
		sb_addf(sb, "event 0x%02x (not in the Core specification)", code);
}

static void event_params(struct strbuf *sb, const struct bt_txn *b, const uint8_t *p, size_t n)
{
	uint8_t u8 = 0, v8 = 0;
	uint16_t a16 = 0;

	switch (b->event) {
	case 0x0e: /* Command Complete (answering no command in the capture) */
		if (get_le16(p, n, 1, &a16)) {
			sb_adds(sb, " for ");
			add_command_name(sb, a16);
		}
		if (get_u8(p, n, 3, &u8)) {
			sb_adds(sb, ": ");
			add_err(sb, u8);
		}
		break;
	case 0x0f: /* Command Status */
		if (get_le16(p, n, 2, &a16)) {
			sb_adds(sb, " for ");
			add_command_name(sb, a16);
		}
		if (get_u8(p, n, 0, &u8)) {
			sb_adds(sb, ": ");
			add_err(sb, u8);
		}
		break;
	case 0x03: /* Connection Complete */
		if (get_u8(p, n, 0, &u8) && u8) {
			sb_adds(sb, " failed: ");
			add_err(sb, u8);
		}
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 1);
		sb_adds(sb, " ");
		add_addr(sb, p, n, 3);
		if (get_u8(p, n, 9, &v8))
			sb_addf(sb, " %s", v8 == 1 ? "ACL" : v8 == 0 ? "SCO" : v8 == 2 ? "eSCO" : "link type reserved");
		break;
	case 0x04: /* Connection Request */
		sb_adds(sb, " from ");
		add_addr(sb, p, n, 0);
		break;
	case 0x05: /* Disconnection Complete */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 1);
		if (get_u8(p, n, 0, &u8) && u8) {
			sb_adds(sb, " failed: ");
			add_err(sb, u8);
		}
		if (get_u8(p, n, 3, &v8)) {
			sb_adds(sb, " reason ");
			add_err(sb, v8);
		}
		break;
	case 0x06: case 0x09: case 0x0b: case 0x0c: case 0x1c: case 0x30: /* status, handle */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 1);
		if (get_u8(p, n, 0, &u8)) {
			sb_adds(sb, ": ");
			add_err(sb, u8);
		}
		break;
	case 0x08: case 0x59: /* Encryption Change */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 1);
		if (get_u8(p, n, 3, &v8))
			sb_addf(sb, " encryption %s", v8 == 0 ? "off" : v8 == 1 ? (b->link == 2 ? "on (AES-CCM)" : b->link == 1 ? "on (E0)" : "on") :
				v8 == 2 ? "on (AES-CCM)" : "reserved");
		if (get_u8(p, n, 0, &u8) && u8) {
			sb_adds(sb, " failed: ");
			add_err(sb, u8);
		}
		break;
	case 0x07: /* Remote Name Request Complete */
		sb_adds(sb, " ");
		add_addr(sb, p, n, 1);
		if (n > 7) {
			sb_adds(sb, " \"");
			for (size_t i = 7; i < n && i < 7 + 64 && p[i]; i++)
				sb_addc(sb, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
			sb_addc(sb, '"');
		}
		break;
	case 0x10: /* Hardware Error */
		if (get_u8(p, n, 0, &u8))
			sb_addf(sb, " code 0x%02x", u8);
		break;
	case 0x12: /* Role Change */
		add_addr(sb, p, n, 1);
		if (get_u8(p, n, 7, &v8))
			sb_addf(sb, " now %s", v8 ? "peripheral" : "central");
		break;
	case 0x13: /* Number Of Completed Packets */
		if (get_u8(p, n, 0, &u8)) {
			for (unsigned i = 0; i < u8 && i < 8; i++) {
				uint16_t h, c;
				if (!get_le16(p, n, 1 + 4u * i, &h) || !get_le16(p, n, 3 + 4u * i, &c))
					break;
				sb_addf(sb, "%s handle 0x%04x: %u", i ? "," : "", h & 0xfff, c);
			}
		}
		break;
	case 0x14: /* Mode Change */
		sb_adds(sb, " ");
		add_handle_at(sb, p, n, 1);
		if (get_u8(p, n, 3, &v8))
			sb_addf(sb, " %s", v8 == 0 ? "active" : v8 == 1 ? "hold" : v8 == 2 ? "sniff" : "reserved");
		break;
	case 0x16: case 0x17: case 0x18: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x3b:
		sb_adds(sb, " ");
		add_addr(sb, p, n, 0);
		if (b->event == 0x32 && n >= 9) {
			sb_adds(sb, " IO ");
			add_io_cap(sb, p[6]);
			sb_addf(sb, ", OOB %u, auth 0x%02x", p[7], p[8]);
		}
		if (b->event == 0x33 || b->event == 0x3b) {
			uint32_t v;
			if (get_le32(p, n, 6, &v))
				sb_addf(sb, " value %06u", (unsigned)v);
		}
		break;
	case 0x36: /* Simple Pairing Complete */
		sb_adds(sb, " ");
		add_addr(sb, p, n, 1);
		if (get_u8(p, n, 0, &u8)) {
			sb_adds(sb, ": ");
			add_err(sb, u8);
		}
		break;
	case 0x1a: /* Data Buffer Overflow */
		if (get_u8(p, n, 0, &u8))
			sb_addf(sb, " %s", u8 == 1 ? "ACL" : u8 == 0 ? "SCO" : "link type reserved");
		break;
	case 0x3e: /* LE Meta */
		switch (b->subevent) {
		case 0x01: case 0x0a: case 0x29: /* LE (Enhanced) Connection Complete (v2) */
			if (get_u8(p, n, 1, &u8) && u8) {
				sb_adds(sb, " failed: ");
				add_err(sb, u8);
			}
			sb_adds(sb, " ");
			add_handle_at(sb, p, n, 2);
			if (get_u8(p, n, 4, &u8))
				sb_addf(sb, " %s", u8 == 0 ? "central" : u8 == 1 ? "peripheral" : "role reserved");
			if (get_u8(p, n, 5, &v8)) {
				sb_addf(sb, ", %s peer ", v8 & 1 ? "random" : "public");
				add_addr(sb, p, n, 6);
			}
			break;
		case 0x02: /* LE Advertising Report */
			if (get_u8(p, n, 1, &u8)) {
				sb_addf(sb, " %u report%s", u8, u8 == 1 ? "" : "s");
				if (u8) {
					int8_t rssi;
					uint8_t dl;
					sb_adds(sb, ", ");
					add_addr(sb, p, n, 4);
					if (get_u8(p, n, 10, &dl) && get_u8(p, n, 11u + dl, (uint8_t *)&rssi))
						sb_addf(sb, " RSSI %d dBm", rssi);
				}
			}
			break;
		case 0x03: /* LE Connection Update Complete */
			sb_adds(sb, " ");
			add_handle_at(sb, p, n, 2);
			if (get_le16(p, n, 4, &a16))
				sb_addf(sb, " interval %u.%02u ms", a16 * 125 / 100, a16 * 125 % 100);
			if (get_u8(p, n, 1, &u8) && u8) {
				sb_adds(sb, " failed: ");
				add_err(sb, u8);
			}
			break;
		case 0x04: case 0x0c: /* Read Remote Features / PHY Update Complete */
			sb_adds(sb, " ");
			add_handle_at(sb, p, n, 2);
			if (get_u8(p, n, 1, &u8) && u8) {
				sb_adds(sb, " failed: ");
				add_err(sb, u8);
			}
			break;
		case 0x05: case 0x06: case 0x07: /* LTK Request, Remote Connection Parameter Request, Data Length Change */
			sb_adds(sb, " ");
			add_handle_at(sb, p, n, 1);
			break;
		default:
			break;
		}
		break;
	case 0xff:
		if (n)
			sb_addf(sb, " code 0x%02x", p[0]);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- L2CAP, ATT, SMP */

static void att_pdu(struct strbuf *sb, const uint8_t *p, size_t n)
{
	uint8_t op = n ? p[0] : 0, u8 = 0;
	uint16_t a = 0, b = 0;
	const char *name = att_opcode_name(op);

	if (name)
		sb_adds(sb, name);
	else
		sb_addf(sb, "reserved opcode 0x%02x", op);
	switch (op) {
	case 0x01: /* Error Response */
		if (get_u8(p, n, 1, &u8) && get_le16(p, n, 2, &a) && get_u8(p, n, 4, (uint8_t *)&op)) {
			const char *rq = att_opcode_name(u8), *e = att_error_name(op);
			sb_addf(sb, " to %s, handle 0x%04x: ", rq ? rq : "reserved opcode", a);
			if (e)
				sb_addf(sb, "%s (0x%02x)", e, op);
			else
				sb_addf(sb, "reserved error 0x%02x", op);
		}
		break;
	case 0x02: case 0x03:
		if (get_le16(p, n, 1, &a))
			sb_addf(sb, ", %s MTU %u", op == 0x02 ? "client" : "server", a);
		break;
	case 0x04: case 0x08: case 0x10: case 0x06: /* ranges */
		if (get_le16(p, n, 1, &a) && get_le16(p, n, 3, &b))
			sb_addf(sb, " 0x%04x-0x%04x", a, b);
		if ((op == 0x08 || op == 0x10) && (n == 7 || n == 21)) {
			sb_adds(sb, " type ");
			bt_uuid_text(sb, p + 5, n - 5);
		}
		if (op == 0x06 && get_le16(p, n, 5, &a)) {
			sb_adds(sb, " type ");
			bt_uuid_text(sb, p + 5, 2);
			if (n == 9 || n == 23) {
				sb_adds(sb, " value ");
				bt_uuid_text(sb, p + 7, n - 7);
			} else if (n > 7) {
				sb_adds(sb, " value ");
				add_value(sb, p + 7, n - 7);
			}
		}
		break;
	case 0x05: /* Find Information Response */
		if (get_u8(p, n, 1, &u8) && (u8 == 1 || u8 == 2)) {
			size_t ul = u8 == 1 ? 2 : 16, i = 2;
			unsigned k = 0;
			for (; bytes_fit(n, i, 2 + ul) && k < 8; i += 2 + ul, k++) {
				sb_addf(sb, "%s 0x%04x ", k ? "," : "", (unsigned)(p[i] | p[i + 1] << 8));
				bt_uuid_text(sb, p + i + 2, ul);
			}
			if (bytes_fit(n, i, 2 + ul))
				sb_adds(sb, ", ...");
		}
		break;
	case 0x07: /* Find By Type Value Response */
		for (size_t i = 1; bytes_fit(n, i, 4) && i < 1 + 4 * 8; i += 4)
			sb_addf(sb, "%s 0x%04x-0x%04x", i > 1 ? "," : "", (unsigned)(p[i] | p[i + 1] << 8),
				(unsigned)(p[i + 2] | p[i + 3] << 8));
		break;
	case 0x09: /* Read By Type Response */
		if (get_u8(p, n, 1, &u8) && u8 >= 2) {
			size_t i = 2;
			unsigned k = 0;
			for (; bytes_fit(n, i, u8) && k < 8; i += u8, k++) {
				sb_addf(sb, "%s 0x%04x ", k ? "," : "", (unsigned)(p[i] | p[i + 1] << 8));
				if (u8 == 7 || u8 == 21) {
					/* a characteristic declaration: properties, value handle, UUID */
					sb_addf(sb, "characteristic ");
					bt_uuid_text(sb, p + i + 5, u8 - 5u);
					sb_addf(sb, " value 0x%04x props 0x%02x", (unsigned)(p[i + 3] | p[i + 4] << 8), p[i + 2]);
				} else {
					add_value(sb, p + i + 2, u8 - 2u);
				}
			}
			if (bytes_fit(n, i, u8))
				sb_adds(sb, ", ...");
		}
		break;
	case 0x11: /* Read By Group Type Response: services */
		if (get_u8(p, n, 1, &u8) && u8 >= 4) {
			size_t i = 2;
			unsigned k = 0;
			for (; bytes_fit(n, i, u8) && k < 8; i += u8, k++) {
				sb_addf(sb, "%s 0x%04x-0x%04x ", k ? "," : "", (unsigned)(p[i] | p[i + 1] << 8),
					(unsigned)(p[i + 2] | p[i + 3] << 8));
				if (u8 == 6 || u8 == 20)
					bt_uuid_text(sb, p + i + 4, u8 - 4u);
				else
					add_value(sb, p + i + 4, u8 - 4u);
			}
			if (bytes_fit(n, i, u8))
				sb_adds(sb, ", ...");
		}
		break;
	case 0x0a: /* Read Request */
		if (get_le16(p, n, 1, &a))
			sb_addf(sb, " handle 0x%04x", a);
		break;
	case 0x0c: /* Read Blob Request */
		if (get_le16(p, n, 1, &a) && get_le16(p, n, 3, &b))
			sb_addf(sb, " handle 0x%04x offset %u", a, b);
		break;
	case 0x0b: case 0x0d: case 0x0f: case 0x21: /* responses with a value */
		sb_adds(sb, " ");
		add_value(sb, p + (n ? 1 : 0), n ? n - 1 : 0);
		break;
	case 0x12: case 0x52: case 0xd2: case 0x1b: case 0x1d: /* handle + value */
		if (get_le16(p, n, 1, &a)) {
			sb_addf(sb, " handle 0x%04x ", a);
			add_value(sb, p + 3, n - 3 - (op == 0xd2 && n >= 15 ? 12 : 0));
		}
		break;
	case 0x16: case 0x17: /* Prepare Write */
		if (get_le16(p, n, 1, &a) && get_le16(p, n, 3, &b)) {
			sb_addf(sb, " handle 0x%04x offset %u ", a, b);
			add_value(sb, p + 5, n - 5);
		}
		break;
	case 0x18: /* Execute Write */
		if (get_u8(p, n, 1, &u8))
			sb_addf(sb, " %s", u8 == 1 ? "write" : u8 == 0 ? "cancel" : "reserved flags");
		break;
	default:
		break;
	}
}

static void smp_pdu(struct strbuf *sb, const uint8_t *p, size_t n)
{
	uint8_t code = n ? p[0] : 0, u8 = 0;
	const char *name = smp_code_name(code);
	struct smp_features f;

	if (name)
		sb_adds(sb, name);
	else
		sb_addf(sb, "reserved code 0x%02x", code);
	switch (code) {
	case 0x01: case 0x02:
		if (smp_features_parse(p, n, &f)) {
			sb_adds(sb, ": ");
			smp_features_text(sb, &f);
		} else {
			sb_adds(sb, " (cut short)");
		}
		break;
	case 0x05:
		if (get_u8(p, n, 1, &u8)) {
			const char *r = smp_reason_name(u8);
			if (r)
				sb_addf(sb, ": %s (0x%02x)", r, u8);
			else
				sb_addf(sb, ": reserved reason 0x%02x", u8);
		}
		break;
	case 0x0b:
		if (get_u8(p, n, 1, &u8)) {
			sb_adds(sb, ": auth ");
			add_auth_req(sb, u8);
		}
		break;
	case 0x09:
		if (get_u8(p, n, 1, &u8)) {
			sb_addf(sb, ": %s ", u8 ? "random" : "public");
			add_addr(sb, p, n, 2);
		}
		break;
	case 0x07:
		if (n >= 11)
			sb_addf(sb, ": EDIV 0x%04x", (unsigned)(p[1] | p[2] << 8));
		break;
	case 0x0e:
		if (get_u8(p, n, 1, &u8))
			sb_addf(sb, ": %s", u8 == 0 ? "entry started" : u8 == 1 ? "digit entered" : u8 == 2 ? "digit erased" :
				u8 == 3 ? "cleared" : u8 == 4 ? "entry completed" : "reserved");
		break;
	default:
		break;
	}
}

static void signal_pdu(struct strbuf *sb, const uint8_t *p, size_t n)
{
	uint8_t code = n ? p[0] : 0, id = 0;
	const char *name = l2cap_signal_name(code);
	const uint8_t *d = p + (n >= 4 ? 4 : n);
	size_t dn = n >= 4 ? n - 4 : 0;
	uint16_t a = 0, b = 0, c = 0, e = 0;

	if (name)
		sb_adds(sb, name);
	else
		sb_addf(sb, "reserved signalling code 0x%02x", code);
	if (get_u8(p, n, 1, &id))
		sb_addf(sb, " id %u", id);
	switch (code) {
	case 0x01:
		if (get_le16(d, dn, 0, &a))
			sb_addf(sb, ": %s", a == 0 ? "command not understood" : a == 1 ? "signalling MTU exceeded" :
				a == 2 ? "invalid CID in request" : "reason reserved");
		break;
	case 0x02: case 0x0c:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 2, &b))
			sb_addf(sb, ": PSM 0x%04x, source CID 0x%04x", a, b);
		break;
	case 0x03: case 0x0d:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 2, &b) && get_le16(d, dn, 4, &c))
			sb_addf(sb, ": destination CID 0x%04x, source CID 0x%04x, %s", a, b,
				c == 0 ? "successful" : c == 1 ? "pending" : c == 2 ? "refused: PSM not supported" :
				c == 3 ? "refused: security block" : c == 4 ? "refused: no resources" : "refused");
		break;
	case 0x04: case 0x05: case 0x06: case 0x07:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 2, &b))
			sb_addf(sb, code == 0x04 ? ": destination CID 0x%04x, flags 0x%04x" :
				code == 0x05 ? ": source CID 0x%04x, flags 0x%04x" :
				": destination CID 0x%04x, source CID 0x%04x", a, b);
		break;
	case 0x0a: case 0x0b:
		if (get_le16(d, dn, 0, &a))
			sb_addf(sb, ": %s", a == 1 ? "connectionless MTU" : a == 2 ? "extended features" :
				a == 3 ? "fixed channels" : "info type reserved");
		break;
	case 0x12:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 2, &b) && get_le16(d, dn, 4, &c) && get_le16(d, dn, 6, &e))
			sb_addf(sb, ": interval %u.%02u-%u.%02u ms, latency %u, timeout %u ms", a * 125 / 100, a * 125 % 100,
				b * 125 / 100, b * 125 % 100, c, e * 10u);
		break;
	case 0x13:
		if (get_le16(d, dn, 0, &a))
			sb_addf(sb, ": %s", a == 0 ? "accepted" : a == 1 ? "rejected" : "result reserved");
		break;
	case 0x14:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 2, &b) && get_le16(d, dn, 4, &c))
			sb_addf(sb, ": SPSM 0x%04x, source CID 0x%04x, MTU %u", a, b, c);
		break;
	case 0x15:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 8, &e))
			sb_addf(sb, ": destination CID 0x%04x, result %u", a, e);
		break;
	case 0x16:
		if (get_le16(d, dn, 0, &a) && get_le16(d, dn, 2, &b))
			sb_addf(sb, ": CID 0x%04x, %u credits", a, b);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- public */

const char *bt_name(const struct bt_txn *b, char *buf, size_t len)
{
	const char *n = NULL;
	const uint8_t *p = b->data.head;
	size_t pn = b->data.head_len;

	switch (b->kind) {
	case BT_COMMAND:
		n = hci_command_name(b->opcode);
		if (!n) {
			snprintf(buf, len, (b->opcode >> 10) == 0x3f ? "Vendor-specific command 0x%04x" : "command 0x%04x",
				 b->opcode);
			return buf;
		}
		return n;
	case BT_EVENT:
		n = b->event == HCI_EVT_LE_META ? hci_le_subevent_name(b->subevent) : hci_event_name(b->event);
		if (!n) {
			snprintf(buf, len, "event 0x%02x", b->event);
			return buf;
		}
		return n;
	case BT_ACL:
		if (!pn || b->proto == BT_PROTO_NONE || b->proto == BT_PROTO_OTHER) {
			snprintf(buf, len, b->proto == BT_PROTO_NONE ? "ACL fragment" : "L2CAP CID 0x%04x", b->cid);
			return buf;
		}
		if (b->proto == BT_PROTO_ATT)
			n = att_opcode_name(p[0]);
		else if (b->proto == BT_PROTO_SMP)
			n = smp_code_name(p[0]);
		else
			n = l2cap_signal_name(p[0]);
		snprintf(buf, len, "%s %s", b->proto == BT_PROTO_ATT ? "ATT" : b->proto == BT_PROTO_SMP ? "SMP" : "L2CAP",
			 n ? n : "reserved");
		return buf;
	case BT_SCO: return "SCO data";
	case BT_ISO: return "ISO data";
	default:
		return hci_rec_type_name((enum hci_rec_type)b->rec_type);
	}
}

void bt_status_text(struct strbuf *sb, const struct bt_txn *b)
{
	if (b->kind == BT_COMMAND && !b->answered) {
		sb_adds(sb, "no answer");
		return;
	}
	if (b->kind == BT_ACL && b->incomplete) {
		sb_adds(sb, "incomplete");
		return;
	}
	if (b->status < 0)
		return;
	if (b->status == 0) {
		sb_adds(sb, b->kind == BT_COMMAND && b->event == HCI_EVT_COMMAND_STATUS ? "Pending" : "Success");
		return;
	}
	add_err(sb, (uint8_t)b->status);
}

static void add_text(struct strbuf *sb, const uint8_t *p, size_t n, size_t max)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n && i < max; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			sb_addc(sb, (char)c);
		else if (c == '\n')
			sb_adds(sb, "\\n");
		else
			sb_addf(sb, "\\x%02x", c);
	}
	sb_adds(sb, n > max ? "...\"" : "\"");
}

void bt_summary(struct strbuf *sb, const struct bt_txn *b)
{
	const uint8_t *p = b->data.head;
	size_t n = b->data.head_len, pn;
	const uint8_t *pp;

	switch (b->kind) {
	case BT_COMMAND:
		add_command_name(sb, b->opcode);
		pp = params(b, 3, &pn);
		command_params(sb, b->opcode, pp, pn);
		if (b->reply && b->event == HCI_EVT_COMMAND_COMPLETE && b->reply_len > 6)
			complete_params(sb, b->opcode, b->reply + 6, b->reply_len - 6u);
		break;
	case BT_EVENT:
		add_event_name(sb, b->event, b->subevent);
		pp = params(b, b->event == HCI_EVT_LE_META ? 2 : 2, &pn);
		event_params(sb, b, pp, pn);
		break;
	case BT_ACL:
		if (b->handle != BT_HANDLE_NONE)
			sb_addf(sb, "handle 0x%04x ", b->handle);
		if (b->proto == BT_PROTO_NONE) {
			sb_addf(sb, "ACL continuation fragment without its start, %" PRIu64 " bytes", b->data.bytes);
			break;
		}
		if (b->proto == BT_PROTO_ATT) {
			sb_adds(sb, "ATT ");
			att_pdu(sb, p, n);
		} else if (b->proto == BT_PROTO_SMP) {
			sb_adds(sb, b->cid == L2CAP_CID_BR_SMP ? "BR/EDR SMP " : "SMP ");
			smp_pdu(sb, p, n);
		} else if (b->proto == BT_PROTO_SIGNAL || b->proto == BT_PROTO_LE_SIGNAL) {
			sb_adds(sb, b->proto == BT_PROTO_LE_SIGNAL ? "LE signalling " : "L2CAP signalling ");
			if (n)
				signal_pdu(sb, p, n);
		} else {
			const char *cn = l2cap_cid_name(b->cid);
			sb_addf(sb, "L2CAP CID 0x%04x%s%s, %u bytes", b->cid, cn ? " " : "", cn ? cn : "", b->l2cap_len);
		}
		if (b->fragments > 1)
			sb_addf(sb, " (%" PRIu32 " fragments)", b->fragments);
		break;
	case BT_SCO: case BT_ISO:
		sb_addf(sb, "%s data, handle 0x%04x, %" PRIu64 " bytes", b->kind == BT_SCO ? "SCO" : "ISO", b->handle,
			b->data.bytes);
		break;
	case BT_TEXT:
		sb_addf(sb, "%s ", hci_rec_type_name((enum hci_rec_type)b->rec_type));
		while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;              /* the line break ending a message */
		add_text(sb, p, n, 200);
		break;
	default: {
		bool text = n > 0;
		for (size_t i = 0; i < n && text; i++)
			text = (p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n';
		sb_addf(sb, "%s ", hci_rec_type_name((enum hci_rec_type)b->rec_type));
		if (b->rec_type == HCI_REC_LMP && n)
			sb_addf(sb, "opcode %u (%s) ", p[0] >> 1, p[0] & 1 ? "peripheral-initiated" : "central-initiated");
		if (text)
			add_text(sb, p, n, 80);
		else
			add_hex_max(sb, p, n, 32);
		break;
	}
	}
	if (b->truncated)
		sb_adds(sb, " (cut by the capture)");
}

/* Raw bytes, 16 a line. */
static void hex_lines(struct strbuf *sb, const char *indent, const char *what, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && i < 512; i += 16) {
		sb_addf(sb, "%s%s%04zx:", indent, i ? "      " : what, i);
		for (size_t k = i; k < n && k < i + 16; k++)
			sb_addf(sb, " %02x", p[k]);
		sb_addc(sb, '\n');
	}
	if (n > 512)
		sb_addf(sb, "%s      ... %zu bytes in all\n", indent, n);
}

void bt_describe(struct strbuf *sb, const struct bt_txn *b, const char *in)
{
	const uint8_t *p = b->data.head;
	size_t n = b->data.head_len;
	char addr[18];

	if (b->handle != BT_HANDLE_NONE) {
		sb_addf(sb, "%sconnection handle 0x%04x", in, b->handle);
		if (b->link)
			sb_addf(sb, " (%s)", b->link == 1 ? "BR/EDR ACL" : b->link == 2 ? "LE" : b->link == 3 ? "SCO/eSCO" : "ISO");
		if (b->has_peer) {
			bt_addr_text(addr, b->peer);
			sb_addf(sb, ", peer %s", addr);
		}
		sb_addc(sb, '\n');
	}
	switch (b->kind) {
	case BT_COMMAND:
		sb_addf(sb, "%sHCI command: OGF 0x%02x (%s), OCF 0x%03x, %u parameter bytes\n", in, b->opcode >> 10,
			hci_ogf_name((uint8_t)(b->opcode >> 10)) ? hci_ogf_name((uint8_t)(b->opcode >> 10)) : "reserved",
			b->opcode & 0x3ff, n >= 3 ? p[2] : 0);
		hex_lines(sb, in, "command ", p, n);
		if (b->reply) {
			const uint8_t *r = b->reply;
			size_t rn = b->reply_len;
			sb_addf(sb, "%sanswer (frame %" PRIu64 "): ", in, b->reply_frame);
			if (b->event == HCI_EVT_COMMAND_COMPLETE && rn >= 6) {
				sb_addf(sb, "Command Complete, %u command packets allowed, status ", r[2]);
				add_err(sb, r[5]);
			} else if (b->event == HCI_EVT_COMMAND_STATUS && rn >= 6) {
				sb_addf(sb, "Command Status, %u command packets allowed, status ", r[3]);
				add_err(sb, r[2]);
			} else if (b->event == HCI_EVT_COMMAND_COMPLETE) {
				sb_adds(sb, "Command Complete without a status (no return parameters)");
			} else {
				sb_adds(sb, "cut short");
			}
			sb_addc(sb, '\n');
			hex_lines(sb, in, "event   ", r, rn);
		} else {
			sb_addf(sb, "%sno Command Complete or Command Status in the capture\n", in);
		}
		break;
	case BT_EVENT:
		sb_addf(sb, "%sHCI event 0x%02x, %u parameter bytes\n", in, b->event, n >= 2 ? p[1] : 0);
		hex_lines(sb, in, "event   ", p, n);
		break;
	case BT_ACL:
		sb_addf(sb, "%sACL: %" PRIu32 " fragment%s, %" PRIu64 " bytes of L2CAP payload%s\n", in, b->fragments,
			b->fragments == 1 ? "" : "s", b->data.bytes, b->incomplete ? ", INCOMPLETE" : "");
		if (b->proto != BT_PROTO_NONE) {
			const char *cn = l2cap_cid_name(b->cid);
			sb_addf(sb, "%sL2CAP: length %u, channel 0x%04x (%s)\n", in, b->l2cap_len, b->cid,
				cn ? cn : b->cid >= 0x0040 ? "dynamic" : "reserved");
		}
		if (b->proto == BT_PROTO_SMP && (p && n && (p[0] == 1 || p[0] == 2))) {
			struct smp_features f;
			if (smp_features_parse(p, n, &f)) {
				sb_addf(sb, "%sIO capability: ", in);
				add_io_cap(sb, f.io_cap);
				sb_addf(sb, "\n%sOOB data: %s\n%sauthentication requirements: 0x%02x ", in,
					f.oob == 1 ? "present" : "not present", in, f.auth_req);
				add_auth_req(sb, f.auth_req);
				sb_addf(sb, "\n%smaximum encryption key size: %u\n%sinitiator key distribution: ", in,
					f.max_key_size, in);
				add_keys(sb, f.init_keys);
				sb_addf(sb, "\n%sresponder key distribution: ", in);
				add_keys(sb, f.resp_keys);
				sb_addc(sb, '\n');
			}
		}
		if (b->proto == BT_PROTO_ATT && n && p[0] == ATT_ERROR_RSP && n >= 5) {
			const char *e = att_error_name(p[4]);
			sb_addf(sb, "%sATT error 0x%02x: %s, request %s, handle 0x%04x\n", in, p[4], e ? e : "reserved",
				att_opcode_name(p[1]) ? att_opcode_name(p[1]) : "reserved", (unsigned)(p[2] | p[3] << 8));
		}
		hex_lines(sb, in, "payload ", p, n);
		break;
	case BT_TEXT:
		sb_addf(sb, "%s%s record, %" PRIu64 " bytes\n", in, hci_rec_type_name((enum hci_rec_type)b->rec_type),
			b->data.bytes);
		break;
	default:
		hex_lines(sb, in, "bytes   ", p, n);
		break;
	}
	if (b->data.captured < b->data.bytes)
		sb_addf(sb, "%s%" PRIu64 " of %" PRIu64 " bytes captured\n", in, b->data.captured, b->data.bytes);
}
