/* write_pcapng.c - pcapng block writer (SHB, IDB, EPB, SPB, any block) for tests and samples. */
#include "config.h"
#include "capture/writer.h"

/*
 * Block layouts from the pcapng specification (draft-ietf-opsawg-pcapng,
 * section 3.1 "General Block Structure" and section 4): every block is
 * type (u32), total length (u32), body padded to 4 bytes, total length
 * again.  Fields are in the byte order the section's SHB declares.
 */

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u

#define OPT_ENDOFOPT 0
#define IF_TSRESOL 9

static void put16(struct strbuf *sb, uint16_t v, bool be)
{
	if (be)
		sb_add_be16(sb, v);
	else
		sb_add_le16(sb, v);
}

static void put32(struct strbuf *sb, uint32_t v, bool be)
{
	if (be)
		sb_add_be32(sb, v);
	else
		sb_add_le32(sb, v);
}

static uint32_t pad4(uint32_t n)
{
	return (4 - (n & 3)) & 3;
}

void pcapngw_block(struct strbuf *sb, bool big_endian, uint32_t type, const void *body, uint32_t len)
{
	uint32_t total = 12 + len + pad4(len);

	put32(sb, type, big_endian);
	put32(sb, total, big_endian);
	if (len)
		sb_add(sb, body, len);
	sb_add_zeros(sb, pad4(len));
	put32(sb, total, big_endian);
}

void pcapngw_shb(struct strbuf *sb, bool big_endian)
{
	struct strbuf body = STRBUF_INIT;

	sb_init(&body);
	put32(&body, 0x1A2B3C4Du, big_endian);   /* byte-order magic */
	put16(&body, 1, big_endian);             /* major version */
	put16(&body, 0, big_endian);             /* minor version */
	put32(&body, 0xffffffffu, big_endian);   /* section length -1: not given */
	put32(&body, 0xffffffffu, big_endian);
	pcapngw_block(sb, big_endian, BT_SHB, body.buf, (uint32_t)body.len);
	sb_release(&body);
}

/*
 * tsresol is the raw if_tsresol byte: 0..127 means 10^-tsresol seconds,
 * 0x80 | n means 2^-n seconds.  6 (microseconds) is the default and is
 * written as no option at all.
 */
void pcapngw_idb(struct strbuf *sb, bool big_endian, int linktype, uint32_t snaplen, int tsresol)
{
	struct strbuf body = STRBUF_INIT;

	sb_init(&body);
	put16(&body, (uint16_t)linktype, big_endian);
	put16(&body, 0, big_endian);             /* reserved */
	put32(&body, snaplen, big_endian);
	if (tsresol != 6) {
		put16(&body, IF_TSRESOL, big_endian);
		put16(&body, 1, big_endian);
		sb_add_u8(&body, (uint8_t)tsresol);
		sb_add_zeros(&body, 3);
		put16(&body, OPT_ENDOFOPT, big_endian);
		put16(&body, 0, big_endian);
	}
	pcapngw_block(sb, big_endian, BT_IDB, body.buf, (uint32_t)body.len);
	sb_release(&body);
}

/* ts_ns in units of the interface's resolution (negative times write 0). */
static uint64_t ts_units(int64_t ts_ns, int tsresol)
{
	uint64_t t = ts_ns < 0 ? 0 : (uint64_t)ts_ns;
	uint64_t sec = t / 1000000000u, frac = t % 1000000000u;

	if (tsresol & 0x80) {
		unsigned shift = (unsigned)tsresol & 0x7f;
		if (shift > 63)
			return 0;
		/* frac * 2^shift / 1e9 without overflowing for shifts up to 34 */
		if (shift <= 34)
			return (sec << shift) + ((frac << shift) / 1000000000u);
		return (sec << shift) + (((frac << 29) / 1000000000u) << (shift - 29));
	}
	if (tsresol <= 9) {
		uint64_t div = 1;
		for (int i = tsresol; i < 9; i++)
			div *= 10;
		return t / div;
	} else {
		uint64_t mul = 1;
		for (int i = 9; i < tsresol && i < 19; i++)
			mul *= 10;
		return t * mul;
	}
}

void pcapngw_opt(struct strbuf *opts, bool big_endian, uint16_t code, const void *value, uint16_t len)
{
	put16(opts, code, big_endian);
	put16(opts, len, big_endian);
	if (len)
		sb_add(opts, value, len);
	sb_add_zeros(opts, pad4(len));
}

void pcapngw_opt_u64(struct strbuf *opts, bool big_endian, uint16_t code, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (big_endian ? 56 - 8 * i : 8 * i));
	pcapngw_opt(opts, big_endian, code, b, 8);
}

void pcapngw_epb(struct strbuf *sb, bool big_endian, uint32_t iface, int64_t ts_ns, int tsresol,
		 const void *data, uint32_t caplen, uint32_t len)
{
	pcapngw_epb_opts(sb, big_endian, iface, ts_ns, tsresol, data, caplen, len, NULL, 0);
}

void pcapngw_epb_opts(struct strbuf *sb, bool big_endian, uint32_t iface, int64_t ts_ns, int tsresol,
		      const void *data, uint32_t caplen, uint32_t len, const void *opts, uint32_t optlen)
{
	struct strbuf body = STRBUF_INIT;
	uint64_t t = ts_units(ts_ns, tsresol);

	sb_init(&body);
	put32(&body, iface, big_endian);
	put32(&body, (uint32_t)(t >> 32), big_endian);
	put32(&body, (uint32_t)t, big_endian);
	put32(&body, caplen, big_endian);
	put32(&body, len, big_endian);
	if (caplen)
		sb_add(&body, data, caplen);
	if (optlen) {
		sb_add_zeros(&body, pad4(caplen));
		sb_add(&body, opts, optlen);
		put32(&body, 0, big_endian);      /* opt_endofopt */
	}
	pcapngw_block(sb, big_endian, BT_EPB, body.buf, (uint32_t)body.len);
	sb_release(&body);
}

void pcapngw_isb(struct strbuf *sb, bool big_endian, uint32_t iface, int64_t ts_ns, int tsresol,
		 const void *opts, uint32_t optlen)
{
	struct strbuf body = STRBUF_INIT;
	uint64_t t = ts_units(ts_ns, tsresol);

	sb_init(&body);
	put32(&body, iface, big_endian);
	put32(&body, (uint32_t)(t >> 32), big_endian);
	put32(&body, (uint32_t)t, big_endian);
	if (optlen) {
		sb_add(&body, opts, optlen);
		put32(&body, 0, big_endian);      /* opt_endofopt */
	}
	pcapngw_block(sb, big_endian, 5, body.buf, (uint32_t)body.len);
	sb_release(&body);
}

void pcapngw_spb(struct strbuf *sb, bool big_endian, const void *data, uint32_t caplen, uint32_t len)
{
	struct strbuf body = STRBUF_INIT;

	sb_init(&body);
	put32(&body, len, big_endian);
	if (caplen)
		sb_add(&body, data, caplen);
	pcapngw_block(sb, big_endian, BT_SPB, body.buf, (uint32_t)body.len);
	sb_release(&body);
}
