/* sense.c - sense data: fixed and descriptor formats, key names, ASC/ASCQ texts, summaries and the -v view. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode/scsi.h"
#include "decode/scsi_tables.h"
#include "util/bytes.h"

/*
 * SPC-5 4.4 (sense data): fixed format 70h/71h, descriptor format
 * 72h/73h, the sense-key specific field (4.4.2.4 in SPC-4 numbering),
 * the sense data descriptors; SAT-3 for the ATA Status Return
 * descriptor (09h).  All reads are bounds-checked; fields beyond the
 * ADDITIONAL SENSE LENGTH are not sense data and are not used, except
 * that ASC/ASCQ are taken from the buffer when a device reports a too
 * small additional length (common on USB bridges).
 */

#define FIXED_MIN 8               /* bytes up to ADDITIONAL SENSE LENGTH */

const char *scsi_sense_key_name(uint8_t key)
{
	return scsi_sense_key_names[key & 0x0f];
}

static const char *asc_lookup(uint8_t asc, uint8_t ascq)
{
	size_t lo = 0, hi = scsi_asc_table_len;
	unsigned key = (unsigned)asc << 8 | ascq;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		unsigned k = (unsigned)scsi_asc_table[mid].asc << 8 | scsi_asc_table[mid].ascq;
		if (k == key)
			return scsi_asc_table[mid].text;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *scsi_asc_text(uint8_t asc, uint8_t ascq, char *buf, size_t size)
{
	const char *t;

	if (!buf || size == 0)
		return "";
	if ((t = asc_lookup(asc, ascq))) {
		snprintf(buf, size, "%s", t);
		return buf;
	}
	for (size_t i = 0; i < scsi_asc_ranges_len; i++) {
		const struct asc_range *r = &scsi_asc_ranges[i];
		if (r->asc == asc && ascq >= r->ascq_lo && ascq <= r->ascq_hi) {
			snprintf(buf, size, "%s%02Xh%s", r->before, ascq, r->after);
			return buf;
		}
	}
	if (asc >= 0x80)
		snprintf(buf, size, "VENDOR SPECIFIC (ASC %02Xh, ASCQ %02Xh)", asc, ascq);
	else if (ascq >= 0x80)
		snprintf(buf, size, "VENDOR SPECIFIC ASCQ %02Xh FOR ASC %02Xh", ascq, asc);
	else
		snprintf(buf, size, "UNKNOWN ASC %02Xh ASCQ %02Xh", asc, ascq);
	return buf;
}

void scsi_sense_summary(struct strbuf *sb, uint8_t key, uint8_t asc, uint8_t ascq)
{
	char text[128];

	sb_addf(sb, "%s: %s (%02X/%02X/%02X)", scsi_sense_key_name(key), scsi_asc_text(asc, ascq, text, sizeof(text)),
		key & 0x0f, asc, ascq);
}

/* Bytes of sense data that count: the buffer, cut at 8 + ADDITIONAL SENSE LENGTH. */
static size_t sense_end(const uint8_t *buf, size_t len)
{
	uint8_t add;

	if (!get_u8(buf, len, 7, &add))
		return len;
	return (size_t)FIXED_MIN + add < len ? (size_t)FIXED_MIN + add : len;
}

static void parse_descriptors(const uint8_t *buf, size_t end, struct sense_info *out)
{
	size_t off = FIXED_MIN;

	while (bytes_fit(end, off, 2)) {
		uint8_t type = buf[off], dl = buf[off + 1];
		size_t dend = off + 2 + dl;
		uint8_t b = 0;

		if (dend > end)
			dend = end;       /* truncated descriptor: read what is there */
		switch (type) {
		case 0x00:                /* Information */
			if (get_u8(buf, dend, off + 2, &b) && (b & 0x80) && get_be64(buf, dend, off + 4, &out->info))
				out->has_info = true;
			break;
		case 0x02:                /* Sense key specific */
			if (get_u8(buf, dend, off + 4, &b) && (b & 0x80) && bytes_fit(dend, off + 4, 3)) {
				out->has_sks = true;
				memcpy(out->sks, buf + off + 4, 3);
			}
			break;
		case 0x04:                /* Stream commands */
			if (get_u8(buf, dend, off + 3, &b)) {
				out->filemark = b & 0x80;
				out->eom = b & 0x40;
				out->ili = b & 0x20;
			}
			break;
		case 0x05:                /* Block commands */
			if (get_u8(buf, dend, off + 3, &b))
				out->ili = b & 0x20;
			break;
		case 0x0D: {              /* Direct-access block device */
			uint8_t v = 0;
			if (get_u8(buf, dend, off + 2, &v)) {
				out->ili = v & 0x20;
				if ((v & 0x80) && get_be64(buf, dend, off + 8, &out->info))
					out->has_info = true;
			}
			if (get_u8(buf, dend, off + 4, &b) && (b & 0x80) && bytes_fit(dend, off + 4, 3)) {
				out->has_sks = true;
				memcpy(out->sks, buf + off + 4, 3);
			}
			break;
		}
		default:
			break;
		}
		off = off + 2 + dl;
	}
}

bool scsi_sense_parse(const uint8_t *buf, size_t len, struct sense_info *out)
{
	uint8_t rc, b;
	size_t end;

	memset(out, 0, sizeof(*out));
	if (!buf || len < 2)
		return false;
	rc = buf[0] & 0x7f;
	end = sense_end(buf, len);
	if (rc == 0x70 || rc == 0x71) {
		uint32_t info;
		if (!get_u8(buf, len, 2, &b))
			return false;
		out->valid = true;
		out->response_code = rc;
		out->deferred = rc == 0x71;
		out->key = b & 0x0f;
		out->filemark = b & 0x80;
		out->eom = b & 0x40;
		out->ili = b & 0x20;
		if ((buf[0] & 0x80) && get_be32(buf, len, 3, &info)) {
			out->has_info = true;
			out->info = info;
		}
		get_u8(buf, len, 12, &out->asc);
		get_u8(buf, len, 13, &out->ascq);
		if (get_u8(buf, end, 15, &b) && (b & 0x80) && bytes_fit(end, 15, 3)) {
			out->has_sks = true;
			memcpy(out->sks, buf + 15, 3);
		}
		return true;
	}
	if (rc == 0x72 || rc == 0x73) {
		out->valid = true;
		out->response_code = rc;
		out->deferred = rc == 0x73;
		out->key = buf[1] & 0x0f;
		get_u8(buf, len, 2, &out->asc);
		get_u8(buf, len, 3, &out->ascq);
		parse_descriptors(buf, end, out);
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- -v view */

struct sv {
	struct strbuf *sb;
	const char *ind;
};

/* One line of the view: the indent, the text (cut to 319 bytes), a newline. */
#define line(d, ...) sb_addline((d)->sb, (d)->ind, 320, __VA_ARGS__)

static void hexline(struct sv *d, const char *what, const uint8_t *p, size_t n)
{
	char buf[3 * 64 + 8];
	size_t k = 0;

	for (size_t i = 0; i < n && i < 64; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%02x", i ? " " : "", p[i]);
	if (n > 64)
		snprintf(buf + k, sizeof(buf) - k, " ...");
	else if (n == 0)
		snprintf(buf, sizeof(buf), "(none)");
	line(d, "%s: %s", what, buf);
}

/* BPV, BIT POINTER and FIELD POINTER, shared by the field pointer and the
 * segment pointer sense-key specific formats (SPC-5). */
static void pointer_fields(struct sv *d, const uint8_t s[3], unsigned fp)
{
	line(d, "  BPV: %u", (s[0] >> 3) & 1);
	if (s[0] & 0x08)
		line(d, "  BIT POINTER: %u", s[0] & 7);
	line(d, "  FIELD POINTER: %u", fp);
}

/* SPC-5 sense-key specific field, for the given sense key. */
static void describe_sks(struct sv *d, uint8_t key, const uint8_t s[3])
{
	unsigned fp = (unsigned)s[1] << 8 | s[2];

	if (!(s[0] & 0x80)) {
		line(d, "SENSE KEY SPECIFIC: not valid (SKSV 0): %02x %02x %02x", s[0], s[1], s[2]);
		return;
	}
	switch (key) {
	case 0x05:                        /* ILLEGAL REQUEST: field pointer */
		line(d, "SENSE KEY SPECIFIC: field pointer (SKSV 1)");
		line(d, "  C/D: %u (the error is in the %s)", (s[0] >> 6) & 1,
		     (s[0] & 0x40) ? "CDB" : "parameter data");
		pointer_fields(d, s, fp);
		if (s[0] & 0x08)
			line(d, "  => invalid field: %s byte %u, bit %u", (s[0] & 0x40) ? "CDB" : "parameter data", fp,
			     s[0] & 7);
		else
			line(d, "  => invalid field: %s byte %u", (s[0] & 0x40) ? "CDB" : "parameter data", fp);
		break;
	case 0x01:
	case 0x03:
	case 0x04:                        /* actual retry count */
		line(d, "SENSE KEY SPECIFIC: actual retry count %u (SKSV 1)", fp);
		break;
	case 0x00:
	case 0x02:                        /* progress indication */
		line(d, "SENSE KEY SPECIFIC: progress indication %u/65536 (%.1f%%) (SKSV 1)", fp, fp * 100.0 / 65536.0);
		break;
	case 0x0A:                        /* COPY ABORTED: segment pointer */
		line(d, "SENSE KEY SPECIFIC: segment pointer (SKSV 1)");
		line(d, "  SD: %u (relative to the %s)", (s[0] >> 5) & 1,
		     (s[0] & 0x20) ? "segment descriptor" : "parameter list");
		pointer_fields(d, s, fp);
		break;
	case 0x06:                        /* UNIT ATTENTION: condition queue overflow */
		line(d, "SENSE KEY SPECIFIC: OVERFLOW %u (SKSV 1)", s[0] & 1);
		break;
	default:
		line(d, "SENSE KEY SPECIFIC: %02x %02x %02x (SKSV 1)", s[0], s[1], s[2]);
		break;
	}
}

/* The sense-key specific field inside a descriptor: two spaces deeper. */
static void describe_sks_indented(struct sv *d, uint8_t key, const uint8_t s[3])
{
	struct strbuf ind2 = STRBUF_INIT;
	struct sv sub = { d->sb, NULL };

	sb_addf(&ind2, "%s  ", d->ind);
	sub.ind = ind2.buf;
	describe_sks(&sub, key, s);
	sb_release(&ind2);
}

static void describe_asc(struct sv *d, const uint8_t *buf, size_t len)
{
	uint8_t asc, ascq;
	char text[128];

	if (get_u8(buf, len, 0, &asc) && get_u8(buf, len, 1, &ascq))
		line(d, "ASC/ASCQ: %02Xh/%02Xh %s", asc, ascq, scsi_asc_text(asc, ascq, text, sizeof(text)));
	else
		line(d, "ASC/ASCQ: (not present)");
}

static void describe_fixed(struct sv *d, const uint8_t *buf, size_t len, size_t end)
{
	uint8_t b2 = 0, v = 0;
	uint32_t u;

	line(d, "VALID: %u (INFORMATION field %s)", buf[0] >> 7, (buf[0] & 0x80) ? "valid" : "not valid");
	if (get_u8(buf, len, 2, &b2)) {
		line(d, "FILEMARK: %u", b2 >> 7);
		line(d, "EOM: %u", (b2 >> 6) & 1);
		line(d, "ILI: %u", (b2 >> 5) & 1);
		line(d, "SDAT_OVFL: %u", (b2 >> 4) & 1);
		line(d, "SENSE KEY: %Xh %s", b2 & 0x0f, scsi_sense_key_name(b2 & 0x0f));
	} else {
		line(d, "SENSE KEY: (not present)");
	}
	if (get_be32(buf, len, 3, &u))
		line(d, "INFORMATION: 0x%08" PRIx32 " (%" PRIu32 ")", u, u);
	if (!get_u8(buf, len, 7, &v)) {
		line(d, "(truncated: %zu bytes, fixed format sense data has at least 8)", len);
		return;
	}
	line(d, "ADDITIONAL SENSE LENGTH: %u (sense data %u bytes)", v, 8u + v);
	if (get_be32(buf, end, 8, &u))
		line(d, "COMMAND-SPECIFIC INFORMATION: 0x%08" PRIx32, u);
	if (bytes_fit(len, 12, 2) && !bytes_fit(end, 12, 2))
		line(d, "(ASC/ASCQ lie beyond the additional sense length; shown anyway)");
	describe_asc(d, len >= 12 ? buf + 12 : NULL, len >= 12 ? len - 12 : 0);
	if (get_u8(buf, end, 14, &v))
		line(d, "FIELD REPLACEABLE UNIT CODE: 0x%02x", v);
	if (bytes_fit(end, 15, 3))
		describe_sks(d, b2 & 0x0f, buf + 15);
	if (end > 18)
		hexline(d, "Additional sense bytes", buf + 18, end - 18);
}

static void describe_descriptor(struct sv *d, uint8_t key, const uint8_t *p, size_t n)
{
	uint8_t type = p[0];
	uint64_t u64;

	if (type < 16)
		line(d, "Descriptor %02Xh (%s), %zu bytes", type, scsi_sense_desc_names[type], n);
	else if (type >= 0x80)
		line(d, "Descriptor %02Xh (vendor specific), %zu bytes", type, n);
	else
		line(d, "Descriptor %02Xh (reserved), %zu bytes", type, n);
	switch (type) {
	case 0x00:
		if (n >= 3)
			line(d, "  VALID: %u", p[2] >> 7);
		if (get_be64(p, n, 4, &u64))
			line(d, "  INFORMATION: 0x%016" PRIx64 " (%" PRIu64 ")", u64, u64);
		break;
	case 0x01:
		if (get_be64(p, n, 4, &u64))
			line(d, "  COMMAND-SPECIFIC INFORMATION: 0x%016" PRIx64, u64);
		break;
	case 0x02:
		if (n >= 7)
			describe_sks_indented(d, key, p + 4);
		break;
	case 0x03:
		if (n >= 4)
			line(d, "  FIELD REPLACEABLE UNIT CODE: 0x%02x", p[3]);
		break;
	case 0x04:
		if (n >= 4)
			line(d, "  FILEMARK: %u, EOM: %u, ILI: %u", p[3] >> 7, (p[3] >> 6) & 1, (p[3] >> 5) & 1);
		break;
	case 0x05:
		if (n >= 4)
			line(d, "  ILI: %u", (p[3] >> 5) & 1);
		break;
	case 0x09:                        /* SAT-3 ATA Status Return */
		if (n >= 14) {
			uint64_t lba = (uint64_t)p[7] | (uint64_t)p[9] << 8 | (uint64_t)p[11] << 16;
			if (p[2] & 1)
				lba |= (uint64_t)p[6] << 24 | (uint64_t)p[8] << 32 | (uint64_t)p[10] << 40;
			line(d, "  EXTEND: %u", p[2] & 1);
			line(d, "  ERROR: 0x%02x%s%s%s%s", p[3], (p[3] & 0x04) ? " ABRT" : "", (p[3] & 0x10) ? " IDNF" : "",
			     (p[3] & 0x40) ? " UNC" : "", (p[3] & 0x80) ? " ICRC" : "");
			line(d, "  COUNT: %u", (p[2] & 1) ? (unsigned)(p[4] << 8 | p[5]) : p[5]);
			line(d, "  LBA: 0x%" PRIx64, lba);
			line(d, "  DEVICE: 0x%02x", p[12]);
			line(d, "  STATUS: 0x%02x%s%s%s%s%s", p[13], (p[13] & 0x80) ? " BSY" : "", (p[13] & 0x40) ? " DRDY" : "",
			     (p[13] & 0x20) ? " DF" : "", (p[13] & 0x08) ? " DRQ" : "", (p[13] & 0x01) ? " ERR" : "");
		} else {
			line(d, "  (truncated ATA Status Return descriptor)");
		}
		break;
	case 0x0A:
		if (n >= 8) {
			char text[128];
			unsigned pr = (unsigned)p[6] << 8 | p[7];
			line(d, "  %s: %s (%02X/%02X/%02X), progress %u/65536 (%.1f%%)", scsi_sense_key_name(p[2]),
			     scsi_asc_text(p[3], p[4], text, sizeof(text)), p[2] & 0x0f, p[3], p[4], pr,
			     pr * 100.0 / 65536.0);
		}
		break;
	case 0x0D:
		if (n >= 8) {
			line(d, "  VALID: %u, ILI: %u", p[2] >> 7, (p[2] >> 5) & 1);
			describe_sks_indented(d, key, p + 4);
			line(d, "  FIELD REPLACEABLE UNIT CODE: 0x%02x", p[7]);
		}
		if (get_be64(p, n, 8, &u64))
			line(d, "  INFORMATION: 0x%016" PRIx64, u64);
		if (get_be64(p, n, 16, &u64))
			line(d, "  COMMAND-SPECIFIC INFORMATION: 0x%016" PRIx64, u64);
		break;
	default:
		if (n > 2)
			hexline(d, "  bytes", p + 2, n - 2);
		break;
	}
}

void scsi_sense_describe(struct strbuf *sb, const uint8_t *buf, size_t len, const char *indent)
{
	struct sv d = { sb, indent ? indent : "" };
	uint8_t rc;
	size_t end;

	if (!buf || len == 0) {
		line(&d, "Sense data: none");
		return;
	}
	rc = buf[0] & 0x7f;
	end = sense_end(buf, len);
	switch (rc) {
	case 0x70: line(&d, "RESPONSE CODE: 70h (fixed format, current)"); break;
	case 0x71: line(&d, "RESPONSE CODE: 71h (fixed format, deferred)"); break;
	case 0x72: line(&d, "RESPONSE CODE: 72h (descriptor format, current)"); break;
	case 0x73: line(&d, "RESPONSE CODE: 73h (descriptor format, deferred)"); break;
	case 0x7F: line(&d, "RESPONSE CODE: 7Fh (vendor specific format)"); break;
	default: line(&d, "RESPONSE CODE: %02Xh (not sense data)", rc); break;
	}
	if (rc == 0x70 || rc == 0x71) {
		describe_fixed(&d, buf, len, end);
	} else if (rc == 0x72 || rc == 0x73) {
		uint8_t key = len > 1 ? buf[1] & 0x0f : 0;
		uint8_t v;
		size_t off = FIXED_MIN;
		if (len > 1)
			line(&d, "SENSE KEY: %Xh %s", key, scsi_sense_key_name(key));
		describe_asc(&d, len > 2 ? buf + 2 : NULL, len > 2 ? len - 2 : 0);
		if (get_u8(buf, len, 4, &v))
			line(&d, "SDAT_OVFL: %u", v >> 7);
		if (!get_u8(buf, len, 7, &v)) {
			line(&d, "(truncated: %zu bytes, descriptor format sense data has at least 8)", len);
			return;
		}
		line(&d, "ADDITIONAL SENSE LENGTH: %u (sense data %u bytes)", v, 8u + v);
		while (bytes_fit(end, off, 2)) {
			size_t n = (size_t)2 + buf[off + 1];
			if (!bytes_fit(end, off, n)) {
				describe_descriptor(&d, key, buf + off, end - off);
				line(&d, "  (descriptor truncated: %zu of %zu bytes)", end - off, n);
				break;
			}
			describe_descriptor(&d, key, buf + off, n);
			off += n;
		}
		if (bytes_fit(end, off, 1) && off < end)
			hexline(&d, "Trailing byte", buf + off, end - off);
	} else {
		hexline(&d, "Bytes", buf, len);
		return;
	}
	if ((size_t)FIXED_MIN + (len > 7 ? buf[7] : 0) > len && len > 7)
		line(&d, "(truncated: %zu of %u bytes present)", len, 8u + buf[7]);
}
