/* scsi_data.c - data-in/data-out payloads decoded: INQUIRY and VPD pages, READ CAPACITY, MODE pages, REPORT LUNS, RSOC, hex dumps. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/scsi.h"
#include "decode/scsi_tables.h"
#include "util/bytes.h"

/*
 * Formats: SPC-5 (standard INQUIRY data, VPD pages 00h 80h 83h, mode
 * parameter headers and block descriptors, Control 0Ah, Power Condition
 * 1Ah, Informational Exceptions Control 1Ch, REPORT LUNS, REPORT SUPPORTED
 * OPERATION CODES), SBC-4 (READ CAPACITY(10)/(16) parameter data, VPD B0h
 * B1h B2h, Read-Write Error Recovery 01h and Caching 08h mode pages), SAM-5
 * (LUN structure).  The payload may be cut short by the capture or the
 * allocation length: what is there is decoded and the cut is reported.
 */

#define DUMP_MAX 256              /* bytes of an undecoded payload shown in the hex dump */

struct dd {
	struct strbuf *sb;
	const char *ind;
	bool truncated;
};

/* One line of the view: the indent, the text (cut to 319 bytes), a newline. */
#define line(d, ...) sb_addline((d)->sb, (d)->ind, 320, __VA_ARGS__)

/* Read a field for printing; a missing one marks the payload truncated. */
static bool fget(struct dd *d, const uint8_t *b, size_t len, size_t off, size_t size, uint64_t *v)
{
	if (get_be_n(b, len, off, size, v))
		return true;
	d->truncated = true;
	return false;
}

static void num(struct dd *d, const char *name, const uint8_t *b, size_t len, size_t off, size_t size,
		const char *unit)
{
	uint64_t v;
	if (fget(d, b, len, off, size, &v))
		line(d, "%s: %" PRIu64 "%s%s", name, v, unit ? " " : "", unit ? unit : "");
}

static void flag(struct dd *d, const char *name, const uint8_t *b, size_t len, size_t off, unsigned shift,
		 unsigned mask)
{
	uint64_t v;
	if (fget(d, b, len, off, 1, &v))
		line(d, "%s: %u", name, (unsigned)((v >> shift) & mask));
}

/* Printable ASCII copy of n bytes, trailing spaces and NULs trimmed. */
static void ascii(char *out, size_t size, const uint8_t *p, size_t n)
{
	size_t k = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < n && k + 1 < size; i++)
		out[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
	while (k > 0 && (out[k - 1] == ' ' || (out[k - 1] == '.' && p[k - 1] == 0)))
		k--;
	out[k] = 0;
}

static void hexdump(struct dd *d, const uint8_t *p, size_t n)
{
	size_t shown = n < DUMP_MAX ? n : DUMP_MAX;

	for (size_t off = 0; off < shown; off += 16) {
		char hex[16 * 3 + 2], asc[17];
		size_t k = 0, m = shown - off < 16 ? shown - off : 16;
		for (size_t i = 0; i < 16; i++) {
			if (i < m)
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%02x%s", p[off + i], i == 7 ? "  " : " ");
			else
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%s", i == 7 ? "    " : "   ");
			if (k >= sizeof(hex))
				k = sizeof(hex) - 1;
		}
		for (size_t i = 0; i < m; i++)
			asc[i] = (p[off + i] >= 0x20 && p[off + i] < 0x7f) ? (char)p[off + i] : '.';
		asc[m] = 0;
		line(d, "%04zx  %s |%s|", off, hex, asc);
	}
	if (shown < n)
		line(d, "... %zu more bytes", n - shown);
}

const char *scsi_peripheral_type_name(uint8_t type)
{
	return scsi_peripheral_type_names[type & 0x1f];
}

/* ---------------------------------------------------------- parsers (API) */

bool scsi_inquiry_parse(const uint8_t *buf, size_t len, struct inquiry_id *out)
{
	memset(out, 0, sizeof(*out));
	/* The identity needs at least the whole vendor field (bytes 8-15);
	 * product and revision are filled from what is present. */
	if (!buf || len < 16)
		return false;
	out->peripheral_qualifier = buf[0] >> 5;
	out->peripheral_type = buf[0] & 0x1f;
	out->removable = buf[1] & 0x80;
	out->version = buf[2];
	ascii(out->vendor, sizeof(out->vendor), buf + 8, 8);
	ascii(out->product, sizeof(out->product), buf + 16, len < 32 ? len - 16 : 16);
	if (len > 32)
		ascii(out->revision, sizeof(out->revision), buf + 32, len < 36 ? len - 32 : 4);
	return true;
}

bool scsi_read_capacity10_parse(const uint8_t *buf, size_t len, uint64_t *last_lba, uint32_t *block_size)
{
	uint32_t lba, bs;

	if (!buf || !get_be32(buf, len, 0, &lba) || !get_be32(buf, len, 4, &bs))
		return false;
	*last_lba = lba;
	*block_size = bs;
	return true;
}

bool scsi_read_capacity16_parse(const uint8_t *buf, size_t len, uint64_t *last_lba, uint32_t *block_size)
{
	uint64_t lba;
	uint32_t bs;

	if (!buf || !get_be64(buf, len, 0, &lba) || !get_be32(buf, len, 8, &bs))
		return false;
	*last_lba = lba;
	*block_size = bs;
	return true;
}

/* ------------------------------------------------------------ INQUIRY data */

static void describe_inquiry_std(struct dd *d, const uint8_t *b, size_t len)
{
	uint64_t v;
	char s[64];

	if (fget(d, b, len, 0, 1, &v)) {
		line(d, "PERIPHERAL QUALIFIER: %u", (unsigned)(v >> 5));
		line(d, "PERIPHERAL DEVICE TYPE: %02Xh (%s)", (unsigned)(v & 0x1f), scsi_peripheral_type_name(v & 0x1f));
	}
	if (fget(d, b, len, 1, 1, &v)) {
		line(d, "RMB: %u (%s)", (unsigned)(v >> 7), (v & 0x80) ? "removable medium" : "not removable");
		line(d, "LU_CONG: %u", (unsigned)((v >> 6) & 1));
	}
	if (fget(d, b, len, 2, 1, &v)) {
		const char *n = code_name_find(scsi_version_names, scsi_version_names_len, (uint16_t)v);
		line(d, "VERSION: %02Xh (%s)", (unsigned)v, n ? n : "obsolete or reserved");
	}
	if (fget(d, b, len, 3, 1, &v))
		line(d, "NORMACA: %u, HISUP: %u, RESPONSE DATA FORMAT: %u", (unsigned)((v >> 5) & 1),
		     (unsigned)((v >> 4) & 1), (unsigned)(v & 0x0f));
	if (fget(d, b, len, 4, 1, &v))
		line(d, "ADDITIONAL LENGTH: %u (INQUIRY data %u bytes)", (unsigned)v, (unsigned)v + 5);
	if (fget(d, b, len, 5, 1, &v))
		line(d, "SCCS: %u, ACC: %u, TPGS: %u, 3PC: %u, PROTECT: %u", (unsigned)(v >> 7), (unsigned)((v >> 6) & 1),
		     (unsigned)((v >> 4) & 3), (unsigned)((v >> 3) & 1), (unsigned)(v & 1));
	if (fget(d, b, len, 6, 1, &v))
		line(d, "ENCSERV: %u, MULTIP: %u, ADDR16: %u", (unsigned)((v >> 6) & 1), (unsigned)((v >> 4) & 1),
		     (unsigned)(v & 1));
	if (fget(d, b, len, 7, 1, &v))
		line(d, "WBUS16: %u, SYNC: %u, CMDQUE: %u", (unsigned)((v >> 5) & 1), (unsigned)((v >> 4) & 1),
		     (unsigned)((v >> 1) & 1));
	if (len > 8) {
		ascii(s, sizeof(s), b + 8, len < 16 ? len - 8 : 8);
		line(d, "T10 VENDOR IDENTIFICATION: \"%s\"", s);
	}
	if (len > 16) {
		ascii(s, sizeof(s), b + 16, len < 32 ? len - 16 : 16);
		line(d, "PRODUCT IDENTIFICATION: \"%s\"", s);
	}
	if (len > 32) {
		ascii(s, sizeof(s), b + 32, len < 36 ? len - 32 : 4);
		line(d, "PRODUCT REVISION LEVEL: \"%s\"", s);
	}
	if (len < 36)
		d->truncated = true;
	if (len > 36) {
		size_t end = len < 56 ? len : 56;
		ascii(s, sizeof(s), b + 36, end - 36);
		line(d, "Vendor specific (bytes 36-%zu): \"%s\"", end - 1, s);
	}
	for (size_t off = 58; off + 2 <= len && off < 74; off += 2) {
		unsigned vd = (unsigned)b[off] << 8 | b[off + 1];
		if (vd)
			line(d, "VERSION DESCRIPTOR: %04Xh", vd);
	}
}

static void describe_designator(struct dd *d, const uint8_t *p, size_t n, size_t idx)
{
	unsigned code_set = p[0] & 0x0f, proto = p[0] >> 4, piv = p[1] >> 7, assoc = (p[1] >> 4) & 3,
		 type = p[1] & 0x0f;
	size_t dl = p[3];
	const uint8_t *id = p + 4;
	char s[260];

	line(d, "Designation descriptor %zu:", idx);
	line(d, "  CODE SET: %u (%s)", code_set, scsi_code_set_names[code_set]);
	if (piv)
		line(d, "  PROTOCOL IDENTIFIER: %u (%s)", proto, scsi_protocol_id_names[proto]);
	line(d, "  ASSOCIATION: %u (%s)", assoc, scsi_association_names[assoc]);
	line(d, "  DESIGNATOR TYPE: %u (%s)", type, scsi_designator_type_names[type]);
	line(d, "  DESIGNATOR LENGTH: %zu", dl);
	if (n < 4 + dl) {
		d->truncated = true;
		dl = n > 4 ? n - 4 : 0;
	}
	if (type == 3 && dl >= 1) {                 /* NAA */
		static const char *const naa[16] = {
			"reserved (0)", "reserved (1)", "IEEE Extended", "locally assigned",
			"reserved (4)", "IEEE Registered", "IEEE Registered Extended", "reserved (7)",
			"reserved (8)", "reserved (9)", "reserved (Ah)", "reserved (Bh)",
			"reserved (Ch)", "reserved (Dh)", "reserved (Eh)", "reserved (Fh)",
		};
		size_t k = 0;
		for (size_t i = 0; i < dl && k + 3 < sizeof(s); i++)
			k += (size_t)snprintf(s + k, sizeof(s) - k, "%02x", id[i]);
		line(d, "  NAA %X (%s): 0x%s", id[0] >> 4, naa[id[0] >> 4], s);
		if ((id[0] >> 4) == 5 && dl >= 8)
			line(d, "  IEEE COMPANY_ID: 0x%06x", (unsigned)((id[0] & 0x0f) << 20 | id[1] << 12 | id[2] << 4 | id[3] >> 4));
		return;
	}
	if (type == 1 && dl >= 8) {                 /* T10 vendor ID based */
		char v[16];
		ascii(v, sizeof(v), id, 8);
		ascii(s, sizeof(s), id + 8, dl - 8);
		line(d, "  T10 VENDOR IDENTIFICATION: \"%s\"", v);
		line(d, "  VENDOR SPECIFIC IDENTIFIER: \"%s\"", s);
		return;
	}
	if (type == 4 && dl >= 4) {
		line(d, "  RELATIVE TARGET PORT IDENTIFIER: %u", (unsigned)(id[2] << 8 | id[3]));
		return;
	}
	if ((type == 5 || type == 6) && dl >= 4) {
		line(d, "  %s: %u", type == 5 ? "TARGET PORT GROUP" : "LOGICAL UNIT GROUP", (unsigned)(id[2] << 8 | id[3]));
		return;
	}
	if (code_set == 2 || code_set == 3 || type == 8) {
		ascii(s, sizeof(s), id, dl);
		line(d, "  DESIGNATOR: \"%s\"", s);
	} else {
		size_t k = 0;
		s[0] = 0;
		for (size_t i = 0; i < dl && k + 3 < sizeof(s); i++)
			k += (size_t)snprintf(s + k, sizeof(s) - k, "%02x", id[i]);
		line(d, "  DESIGNATOR: 0x%s%s", s, type == 2 ? " (EUI-64)" : type == 0xA ? " (UUID)" : "");
	}
}

static void describe_vpd(struct dd *d, const uint8_t *b, size_t len)
{
	uint64_t v, plen;
	uint8_t page;
	const char *n;
	size_t end;

	if (!fget(d, b, len, 0, 1, &v))
		return;
	line(d, "PERIPHERAL QUALIFIER: %u, PERIPHERAL DEVICE TYPE: %02Xh (%s)", (unsigned)(v >> 5),
	     (unsigned)(v & 0x1f), scsi_peripheral_type_name(v & 0x1f));
	if (!fget(d, b, len, 1, 1, &v))
		return;
	page = (uint8_t)v;
	n = code_name_find(scsi_vpd_page_names, scsi_vpd_page_names_len, page);
	line(d, "PAGE CODE: %02Xh (%s)", page, n ? n : "unknown VPD page");
	if (!fget(d, b, len, 2, 2, &plen))
		return;
	line(d, "PAGE LENGTH: %u", (unsigned)plen);
	end = 4 + plen;
	if (end > len) {
		d->truncated = true;
		end = len;
	}
	switch (page) {
	case 0x00:
		for (size_t i = 4; i < end; i++) {
			const char *pn = code_name_find(scsi_vpd_page_names, scsi_vpd_page_names_len, b[i]);
			line(d, "Supported page: %02Xh (%s)", b[i], pn ? pn : "unknown");
		}
		break;
	case 0x80: {
		char s[260];
		ascii(s, sizeof(s), b + 4, end - 4);
		line(d, "PRODUCT SERIAL NUMBER: \"%s\"", s);
		break;
	}
	case 0x83: {
		size_t off = 4, idx = 1;
		while (off + 4 <= end) {
			size_t dn = (size_t)4 + b[off + 3];
			describe_designator(d, b + off, end - off < dn ? end - off : dn, idx++);
			off += dn;
		}
		if (off < end)
			d->truncated = true;
		break;
	}
	case 0xB0:
		flag(d, "WSNZ", b, end, 4, 0, 1);
		num(d, "MAXIMUM COMPARE AND WRITE LENGTH", b, end, 5, 1, "blocks");
		num(d, "OPTIMAL TRANSFER LENGTH GRANULARITY", b, end, 6, 2, "blocks");
		num(d, "MAXIMUM TRANSFER LENGTH", b, end, 8, 4, "blocks");
		num(d, "OPTIMAL TRANSFER LENGTH", b, end, 12, 4, "blocks");
		num(d, "MAXIMUM PREFETCH LENGTH", b, end, 16, 4, "blocks");
		num(d, "MAXIMUM UNMAP LBA COUNT", b, end, 20, 4, NULL);
		num(d, "MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT", b, end, 24, 4, NULL);
		num(d, "OPTIMAL UNMAP GRANULARITY", b, end, 28, 4, "blocks");
		if (fget(d, b, end, 32, 4, &v)) {
			line(d, "UGAVALID: %u", (unsigned)(v >> 31));
			line(d, "UNMAP GRANULARITY ALIGNMENT: %u", (unsigned)(v & 0x7fffffff));
		}
		num(d, "MAXIMUM WRITE SAME LENGTH", b, end, 36, 8, "blocks");
		if (end > 44) {
			num(d, "MAXIMUM ATOMIC TRANSFER LENGTH", b, end, 44, 4, "blocks");
			num(d, "ATOMIC ALIGNMENT", b, end, 48, 4, NULL);
			num(d, "ATOMIC TRANSFER LENGTH GRANULARITY", b, end, 52, 4, NULL);
			num(d, "MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY", b, end, 56, 4, "blocks");
			num(d, "MAXIMUM ATOMIC BOUNDARY SIZE", b, end, 60, 4, "blocks");
		}
		break;
	case 0xB1:
		if (fget(d, b, end, 4, 2, &v)) {
			if (v == 0)
				line(d, "MEDIUM ROTATION RATE: 0 (not reported)");
			else if (v == 1)
				line(d, "MEDIUM ROTATION RATE: 1 (non-rotating medium, e.g. solid state)");
			else if (v >= 0x401 && v <= 0xfffe)
				line(d, "MEDIUM ROTATION RATE: %u rpm", (unsigned)v);
			else
				line(d, "MEDIUM ROTATION RATE: %u (reserved)", (unsigned)v);
		}
		num(d, "PRODUCT TYPE", b, end, 6, 1, NULL);
		if (fget(d, b, end, 7, 1, &v)) {
			line(d, "WABEREQ: %u, WACEREQ: %u", (unsigned)(v >> 6), (unsigned)((v >> 4) & 3));
			line(d, "NOMINAL FORM FACTOR: %u (%s)", (unsigned)(v & 0x0f), scsi_form_factor_names[v & 0x0f]);
		}
		if (fget(d, b, end, 8, 1, &v))
			line(d, "ZONED: %u, FUAB: %u, VBULS: %u", (unsigned)((v >> 4) & 3), (unsigned)((v >> 1) & 1),
			     (unsigned)(v & 1));
		break;
	case 0xB2:
		num(d, "THRESHOLD EXPONENT", b, end, 4, 1, NULL);
		if (fget(d, b, end, 5, 1, &v))
			line(d, "LBPU: %u, LBPWS: %u, LBPWS10: %u, LBPRZ: %u, ANC_SUP: %u, DP: %u", (unsigned)(v >> 7),
			     (unsigned)((v >> 6) & 1), (unsigned)((v >> 5) & 1), (unsigned)((v >> 2) & 7),
			     (unsigned)((v >> 1) & 1), (unsigned)(v & 1));
		if (fget(d, b, end, 6, 1, &v)) {
			static const char *const pt[8] = { "not reported", "resource provisioned", "thin provisioned",
							   "reserved (3)", "reserved (4)", "reserved (5)",
							   "reserved (6)", "reserved (7)" };
			line(d, "MINIMUM PERCENTAGE: %u", (unsigned)(v >> 3));
			line(d, "PROVISIONING TYPE: %u (%s)", (unsigned)(v & 7), pt[v & 7]);
		}
		num(d, "THRESHOLD PERCENTAGE", b, end, 7, 1, NULL);
		break;
	default:
		if (end > 4)
			hexdump(d, b + 4, end - 4);
		break;
	}
}

/* ------------------------------------------------------- READ CAPACITY */

static void describe_capacity(struct dd *d, uint64_t last, uint32_t bs)
{
	double bytes = ((double)last + 1.0) * bs;
	line(d, "Capacity: %" PRIu64 " logical blocks of %" PRIu32 " bytes = %.0f bytes (%.1f MiB)", last + 1, bs, bytes,
	     bytes / 1048576.0);
}

static void describe_rc10(struct dd *d, const uint8_t *b, size_t len)
{
	uint64_t lba, bs;

	if (fget(d, b, len, 0, 4, &lba))
		line(d, "RETURNED LOGICAL BLOCK ADDRESS: %" PRIu64 "%s", lba,
		     lba == 0xffffffffu ? " (capacity too large: use READ CAPACITY(16))" : " (last LBA)");
	if (fget(d, b, len, 0, 4, &lba) && fget(d, b, len, 4, 4, &bs)) {
		line(d, "LOGICAL BLOCK LENGTH IN BYTES: %" PRIu64, bs);
		if (lba != 0xffffffffu)
			describe_capacity(d, lba, (uint32_t)bs);
	}
}

static void describe_rc16(struct dd *d, const uint8_t *b, size_t len)
{
	uint64_t lba = 0, bs = 0, v;
	bool have_lba, have_bs;

	if ((have_lba = fget(d, b, len, 0, 8, &lba)))
		line(d, "RETURNED LOGICAL BLOCK ADDRESS: %" PRIu64 " (last LBA)", lba);
	if ((have_bs = fget(d, b, len, 8, 4, &bs)))
		line(d, "LOGICAL BLOCK LENGTH IN BYTES: %" PRIu64, bs);
	if (fget(d, b, len, 12, 1, &v)) {
		line(d, "RC BASIS: %u", (unsigned)((v >> 4) & 3));
		line(d, "P_TYPE: %u", (unsigned)((v >> 1) & 7));
		line(d, "PROT_EN: %u", (unsigned)(v & 1));
	}
	if (fget(d, b, len, 13, 1, &v)) {
		line(d, "P_I_EXPONENT: %u", (unsigned)(v >> 4));
		line(d, "LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (LBPPBE): %u (%u logical blocks per physical block)",
		     (unsigned)(v & 0x0f), 1u << (v & 0x0f));
	}
	if (fget(d, b, len, 14, 2, &v)) {
		line(d, "LBPME: %u", (unsigned)(v >> 15));
		line(d, "LBPRZ: %u", (unsigned)((v >> 14) & 1));
		line(d, "LOWEST ALIGNED LOGICAL BLOCK ADDRESS: %u", (unsigned)(v & 0x3fff));
	}
	if (have_lba && have_bs && lba != UINT64_MAX)
		describe_capacity(d, lba, (uint32_t)bs);
}

/* -------------------------------------------------------------- MODE data */

static void page_rw_recovery(struct dd *d, const uint8_t *p, size_t n)
{
	uint64_t v;
	if (fget(d, p, n, 2, 1, &v))
		line(d, "  AWRE: %u, ARRE: %u, TB: %u, RC: %u, EER: %u, PER: %u, DTE: %u, DCR: %u", (unsigned)(v >> 7),
		     (unsigned)((v >> 6) & 1), (unsigned)((v >> 5) & 1), (unsigned)((v >> 4) & 1), (unsigned)((v >> 3) & 1),
		     (unsigned)((v >> 2) & 1), (unsigned)((v >> 1) & 1), (unsigned)(v & 1));
	num(d, "  READ RETRY COUNT", p, n, 3, 1, NULL);
	num(d, "  WRITE RETRY COUNT", p, n, 8, 1, NULL);
	num(d, "  RECOVERY TIME LIMIT", p, n, 10, 2, "ms");
}

static void page_caching(struct dd *d, const uint8_t *p, size_t n)
{
	uint64_t v;
	if (fget(d, p, n, 2, 1, &v)) {
		line(d, "  WCE: %u (write cache %s)", (unsigned)((v >> 2) & 1), (v & 0x04) ? "enabled" : "disabled");
		line(d, "  RCD: %u (read cache %s)", (unsigned)(v & 1), (v & 0x01) ? "disabled" : "enabled");
		line(d, "  IC: %u, ABPF: %u, CAP: %u, DISC: %u, SIZE: %u, MF: %u", (unsigned)(v >> 7),
		     (unsigned)((v >> 6) & 1), (unsigned)((v >> 5) & 1), (unsigned)((v >> 4) & 1), (unsigned)((v >> 3) & 1),
		     (unsigned)((v >> 1) & 1));
	}
	if (fget(d, p, n, 3, 1, &v))
		line(d, "  DEMAND READ RETENTION PRIORITY: %u, WRITE RETENTION PRIORITY: %u", (unsigned)(v >> 4),
		     (unsigned)(v & 0x0f));
	num(d, "  DISABLE PRE-FETCH TRANSFER LENGTH", p, n, 4, 2, NULL);
	num(d, "  MINIMUM PRE-FETCH", p, n, 6, 2, NULL);
	num(d, "  MAXIMUM PRE-FETCH", p, n, 8, 2, NULL);
	num(d, "  MAXIMUM PRE-FETCH CEILING", p, n, 10, 2, NULL);
	if (fget(d, p, n, 12, 1, &v))
		line(d, "  FSW: %u, LBCSS: %u, DRA: %u, NV_DIS: %u", (unsigned)(v >> 7), (unsigned)((v >> 6) & 1),
		     (unsigned)((v >> 5) & 1), (unsigned)(v & 1));
	num(d, "  NUMBER OF CACHE SEGMENTS", p, n, 13, 1, NULL);
	num(d, "  CACHE SEGMENT SIZE", p, n, 14, 2, "bytes");
}

static void page_control(struct dd *d, const uint8_t *p, size_t n)
{
	uint64_t v;
	if (fget(d, p, n, 2, 1, &v))
		line(d, "  TST: %u, TMF_ONLY: %u, DPICZ: %u, D_SENSE: %u, GLTSD: %u, RLEC: %u", (unsigned)(v >> 5),
		     (unsigned)((v >> 4) & 1), (unsigned)((v >> 3) & 1), (unsigned)((v >> 2) & 1), (unsigned)((v >> 1) & 1),
		     (unsigned)(v & 1));
	if (fget(d, p, n, 3, 1, &v))
		line(d, "  QUEUE ALGORITHM MODIFIER: %u, NUAR: %u, QERR: %u", (unsigned)(v >> 4), (unsigned)((v >> 3) & 1),
		     (unsigned)((v >> 1) & 3));
	if (fget(d, p, n, 4, 1, &v))
		line(d, "  VS: %u, RAC: %u, UA_INTLCK_CTRL: %u, SWP: %u", (unsigned)(v >> 7), (unsigned)((v >> 6) & 1),
		     (unsigned)((v >> 4) & 3), (unsigned)((v >> 3) & 1));
	if (fget(d, p, n, 5, 1, &v))
		line(d, "  ATO: %u, TAS: %u, ATMPE: %u, RWWP: %u, AUTOLOAD MODE: %u", (unsigned)(v >> 7),
		     (unsigned)((v >> 6) & 1), (unsigned)((v >> 5) & 1), (unsigned)((v >> 4) & 1), (unsigned)(v & 7));
	num(d, "  BUSY TIMEOUT PERIOD", p, n, 8, 2, "x 100 ms");
	num(d, "  EXTENDED SELF-TEST COMPLETION TIME", p, n, 10, 2, "s");
}

static void page_power(struct dd *d, const uint8_t *p, size_t n)
{
	uint64_t v;
	if (fget(d, p, n, 2, 1, &v))
		line(d, "  PM_BG_PRECEDENCE: %u, STANDBY_Y: %u", (unsigned)(v >> 6), (unsigned)(v & 1));
	if (fget(d, p, n, 3, 1, &v))
		line(d, "  IDLE_C: %u, IDLE_B: %u, IDLE_A: %u, STANDBY_Z: %u", (unsigned)((v >> 3) & 1),
		     (unsigned)((v >> 2) & 1), (unsigned)((v >> 1) & 1), (unsigned)(v & 1));
	num(d, "  IDLE_A CONDITION TIMER", p, n, 4, 4, "x 100 ms");
	num(d, "  STANDBY_Z CONDITION TIMER", p, n, 8, 4, "x 100 ms");
	if (n > 12) {
		num(d, "  IDLE_B CONDITION TIMER", p, n, 12, 4, "x 100 ms");
		num(d, "  IDLE_C CONDITION TIMER", p, n, 16, 4, "x 100 ms");
		num(d, "  STANDBY_Y CONDITION TIMER", p, n, 20, 4, "x 100 ms");
	}
}

static void page_iec(struct dd *d, const uint8_t *p, size_t n)
{
	uint64_t v;
	static const char *const mrie[16] = {
		"no reporting", "asynchronous event reporting (obsolete)", "generate unit attention",
		"conditionally generate recovered error", "unconditionally generate recovered error",
		"generate no sense", "only report on request", "reserved (7)", "reserved (8)", "reserved (9)",
		"reserved (Ah)", "reserved (Bh)", "vendor specific (Ch)", "vendor specific (Dh)",
		"vendor specific (Eh)", "vendor specific (Fh)",
	};
	if (fget(d, p, n, 2, 1, &v))
		line(d, "  PERF: %u, EBF: %u, EWASC: %u, DEXCPT: %u, TEST: %u, EBACKERR: %u, LOGERR: %u",
		     (unsigned)(v >> 7), (unsigned)((v >> 5) & 1), (unsigned)((v >> 4) & 1), (unsigned)((v >> 3) & 1),
		     (unsigned)((v >> 2) & 1), (unsigned)((v >> 1) & 1), (unsigned)(v & 1));
	if (fget(d, p, n, 3, 1, &v))
		line(d, "  MRIE: %u (%s)", (unsigned)(v & 0x0f), mrie[v & 0x0f]);
	num(d, "  INTERVAL TIMER", p, n, 4, 4, "x 100 ms");
	num(d, "  REPORT COUNT", p, n, 8, 4, NULL);
}

static void describe_mode(struct dd *d, const uint8_t *b, size_t len, bool ten, bool select)
{
	uint64_t mdl = 0, v, bdl = 0;
	bool longlba = false;
	size_t hdr = ten ? 8 : 4, end = len, off;

	if (fget(d, b, len, 0, ten ? 2 : 1, &mdl)) {
		if (select)
			line(d, "MODE DATA LENGTH: %" PRIu64 " (reserved in MODE SELECT)", mdl);
		else {
			line(d, "MODE DATA LENGTH: %" PRIu64 " (mode data %" PRIu64 " bytes)", mdl, mdl + (ten ? 2 : 1));
			if (mdl + (ten ? 2 : 1) < end)
				end = (size_t)mdl + (ten ? 2 : 1);
			else if (mdl + (ten ? 2 : 1) > end)
				d->truncated = true;
		}
	}
	num(d, "MEDIUM TYPE", b, len, ten ? 2 : 1, 1, NULL);
	if (fget(d, b, len, ten ? 3 : 2, 1, &v))
		line(d, "DEVICE-SPECIFIC PARAMETER: 0x%02x (WP: %u, DPOFUA: %u)", (unsigned)v, (unsigned)(v >> 7),
		     (unsigned)((v >> 4) & 1));
	if (ten && fget(d, b, len, 4, 1, &v)) {
		longlba = v & 1;
		line(d, "LONGLBA: %u", (unsigned)(v & 1));
	}
	if (!fget(d, b, len, ten ? 6 : 3, ten ? 2 : 1, &bdl))
		return;
	line(d, "BLOCK DESCRIPTOR LENGTH: %" PRIu64, bdl);
	off = hdr;
	for (size_t i = 0, dl = longlba ? 16 : 8; bdl >= dl && i < bdl / dl; i++, off += dl) {
		uint64_t nb, bl, dens;
		if (longlba) {
			if (!fget(d, b, end, off, 8, &nb) || !fget(d, b, end, off + 12, 4, &bl))
				return;
			line(d, "Block descriptor %zu: %" PRIu64 " logical blocks of %" PRIu64 " bytes (long LBA)", i + 1, nb,
			     bl);
		} else {
			if (!fget(d, b, end, off, 4, &nb) || !fget(d, b, end, off + 5, 3, &bl) || !fget(d, b, end, off, 1, &dens))
				return;
			line(d, "Block descriptor %zu: %" PRIu64 " logical blocks of %" PRIu64
			     " bytes (as a general descriptor: density code 0x%02x, %" PRIu64 " blocks)",
			     i + 1, nb, bl, (unsigned)dens, nb & 0xffffff);
		}
	}
	off = hdr + (size_t)bdl;
	while (off + 2 <= end) {
		uint8_t pc = b[off] & 0x3f, sub = 0;
		bool spf = b[off] & 0x40;
		size_t plen, ph = spf ? 4 : 2, pn;
		const char *name;

		if (spf) {
			uint64_t l;
			if (!fget(d, b, end, off + 2, 2, &l))
				break;
			sub = b[off + 1];
			plen = (size_t)l;
		} else {
			plen = b[off + 1];
		}
		name = code_name_find(scsi_mode_page_names, scsi_mode_page_names_len, (uint16_t)(pc << 8 | sub));
		if (pc == 0 && !spf)
			name = "vendor specific (page 0)";
		if (spf)
			line(d, "Mode page %02Xh subpage %02Xh (%s), PS %u, length %zu", pc, sub, name ? name : "unknown",
			     b[off] >> 7, plen);
		else
			line(d, "Mode page %02Xh (%s), PS %u, length %zu", pc, name ? name : "unknown", b[off] >> 7, plen);
		pn = ph + plen;
		if (off + pn > end) {
			d->truncated = true;
			pn = end - off;
		}
		if (!spf && pc == 0x01)
			page_rw_recovery(d, b + off, pn);
		else if (!spf && pc == 0x08)
			page_caching(d, b + off, pn);
		else if (!spf && pc == 0x0A)
			page_control(d, b + off, pn);
		else if (!spf && pc == 0x1A)
			page_power(d, b + off, pn);
		else if (!spf && pc == 0x1C)
			page_iec(d, b + off, pn);
		else if (pn > ph) {
			struct dd sub_d = { d->sb, d->ind, false };
			struct strbuf ind2 = STRBUF_INIT;
			sb_addf(&ind2, "%s  ", d->ind);
			sub_d.ind = ind2.buf;
			hexdump(&sub_d, b + off + ph, pn - ph);
			sb_release(&ind2);
		}
		off += ph + plen;
	}
}

/* -------------------------------------------------------------- REPORT LUNS */

static void describe_lun(struct dd *d, const uint8_t *l, size_t idx)
{
	unsigned am = l[0] >> 6;
	char hex[24];

	snprintf(hex, sizeof(hex), "%02x%02x %02x%02x %02x%02x %02x%02x", l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]);
	switch (am) {
	case 0:
		if (l[0] & 0x3f)
			line(d, "LUN %zu: %s (peripheral device addressing, bus %u, target/LUN %u)", idx, hex, l[0] & 0x3f,
			     l[1]);
		else
			line(d, "LUN %zu: %s (peripheral device addressing, LUN %u)", idx, hex, l[1]);
		break;
	case 1:
		line(d, "LUN %zu: %s (flat space addressing, LUN %u)", idx, hex, (unsigned)((l[0] & 0x3f) << 8 | l[1]));
		break;
	default:
		line(d, "LUN %zu: %s (%s addressing)", idx, hex, scsi_lun_address_names[am]);
		break;
	}
}

static void describe_report_luns(struct dd *d, const uint8_t *b, size_t len)
{
	uint64_t ll;
	size_t end, i = 1;

	if (!fget(d, b, len, 0, 4, &ll))
		return;
	line(d, "LUN LIST LENGTH: %" PRIu64 " (%" PRIu64 " LUNs)", ll, ll / 8);
	end = ll + 8 < len ? (size_t)ll + 8 : len;
	if (ll + 8 > len)
		d->truncated = true;
	for (size_t off = 8; off + 8 <= end; off += 8)
		describe_lun(d, b + off, i++);
}

/* ------------------------------------- REPORT SUPPORTED OPERATION CODES */

/* All-commands format or one-command format?  The CDB's REPORTING OPTIONS
 * say, but cdb_info does not keep them: in the list the first two bytes
 * are the top of a 4-byte length (zero below 64 KiB), in the one-command
 * format byte 1 holds SUPPORT, which is not zero when anything is said. */
static bool rsoc_is_list(const uint8_t *b, size_t len)
{
	uint32_t total;

	if (!get_be32(b, len, 0, &total))
		return false;
	return b[0] == 0 && b[1] == 0 && total >= 8;
}

static void describe_rsoc(struct dd *d, const uint8_t *b, size_t len)
{
	if (rsoc_is_list(b, len)) {
		uint64_t total;
		size_t off = 4, end;
		fget(d, b, len, 0, 4, &total);
		line(d, "COMMAND DATA LENGTH: %" PRIu64 " (all commands format)", total);
		end = total + 4 < len ? (size_t)total + 4 : len;
		if (total + 4 > len)
			d->truncated = true;
		while (off + 8 <= end) {
			const uint8_t *c = b + off;
			unsigned sa = (unsigned)c[2] << 8 | c[3];
			bool servactv = c[5] & 1, ctdp = c[5] & 2;
			unsigned cdblen = (unsigned)c[6] << 8 | c[7];
			const char *n = scsi_opcode_name(c[0], servactv ? (int)sa : -1);
			if (servactv)
				line(d, "%02Xh/%02Xh %s, CDB %u bytes", c[0], sa, n ? n : "(not in the table)", cdblen);
			else
				line(d, "%02Xh %s, CDB %u bytes", c[0], n ? n : "(not in the table)", cdblen);
			off += 8;
			if (ctdp) {
				uint64_t nom, rec;
				if (fget(d, b, end, off + 4, 4, &nom) && fget(d, b, end, off + 8, 4, &rec))
					line(d, "  timeouts: nominal %" PRIu64 " s, recommended %" PRIu64 " s", nom, rec);
				off += 12;
			}
		}
	} else {
		static const char *const sup[8] = { "data not available", "not supported", "reserved (2)",
						    "supported (standard)", "reserved (4)", "supported (vendor specific)",
						    "reserved (6)", "reserved (7)" };
		uint64_t v, cs;
		line(d, "(one command format)");
		if (fget(d, b, len, 1, 1, &v))
			line(d, "CTDP: %u, SUPPORT: %u (%s)", (unsigned)(v >> 7), (unsigned)(v & 7), sup[v & 7]);
		if (fget(d, b, len, 2, 2, &cs)) {
			char hex[3 * 32 + 1];
			size_t k = 0, n = cs < 32 ? (size_t)cs : 32;
			hex[0] = 0;
			if (len < 4 + n) {
				d->truncated = true;
				n = len > 4 ? len - 4 : 0;
			}
			for (size_t i = 0; i < n; i++)
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%s%02x", i ? " " : "", b[4 + i]);
			line(d, "CDB SIZE: %" PRIu64 ", CDB USAGE DATA: %s", cs, hex);
		}
	}
}

/* ---------------------------------------------------------------- entry */

void scsi_data_describe(struct strbuf *sb, const struct cdb_info *ci, const uint8_t *data, size_t len,
			const char *indent)
{
	struct dd d = { sb, indent ? indent : "", false };

	if (!data || len == 0) {
		line(&d, "Data: none captured");
		return;
	}
	switch (ci->vendor ? -1 : ci->opcode) {
	case 0x12:
		if (ci->evpd && ci->page >= 0 && len > 1 && data[1] != ci->page)
			line(&d, "(the CDB asked for VPD page %02Xh, the data says %02Xh)", (unsigned)ci->page, data[1]);
		if (ci->evpd)
			describe_vpd(&d, data, len);
		else
			describe_inquiry_std(&d, data, len);
		break;
	case 0x25:
		describe_rc10(&d, data, len);
		break;
	case 0x9E:
		if (ci->service_action == 0x10)
			describe_rc16(&d, data, len);
		else
			hexdump(&d, data, len);
		break;
	case 0x1A:
	case 0x15:
		describe_mode(&d, data, len, false, ci->opcode == 0x15);
		break;
	case 0x5A:
	case 0x55:
		describe_mode(&d, data, len, true, ci->opcode == 0x55);
		break;
	case 0xA0:
		describe_report_luns(&d, data, len);
		break;
	case 0x03:
		scsi_sense_describe(sb, data, len, d.ind);
		break;
	case 0xA3:
		if (ci->service_action == 0x0C)
			describe_rsoc(&d, data, len);
		else
			hexdump(&d, data, len);
		break;
	default:
		hexdump(&d, data, len);
		break;
	}
	if (d.truncated)
		line(&d, "(truncated: only %zu bytes of data present)", len);
}
