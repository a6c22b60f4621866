/* write_pcap.c - pcap container writer. */
#include "config.h"
#include "capture/writer.h"

static void put32(struct strbuf *sb, uint32_t v, bool be)
{
	if (be)
		sb_add_be32(sb, v);
	else
		sb_add_le32(sb, v);
}

static void put16(struct strbuf *sb, uint16_t v, bool be)
{
	if (be)
		sb_add_be16(sb, v);
	else
		sb_add_le16(sb, v);
}

void pcapw_header(struct strbuf *sb, int linktype, uint32_t snaplen, bool big_endian, bool nanosecond)
{
	put32(sb, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, big_endian);
	put16(sb, 2, big_endian);
	put16(sb, 4, big_endian);
	put32(sb, 0, big_endian);          /* thiszone */
	put32(sb, 0, big_endian);          /* sigfigs */
	put32(sb, snaplen, big_endian);
	put32(sb, (uint32_t)linktype, big_endian);
}

void pcapw_record(struct strbuf *sb, int64_t ts_ns, const void *data, uint32_t caplen, uint32_t len,
		  bool big_endian, bool nanosecond)
{
	uint64_t t = ts_ns < 0 ? 0 : (uint64_t)ts_ns;

	put32(sb, (uint32_t)(t / 1000000000u), big_endian);
	put32(sb, (uint32_t)(nanosecond ? t % 1000000000u : (t % 1000000000u) / 1000u), big_endian);
	put32(sb, caplen, big_endian);
	put32(sb, len, big_endian);
	sb_add(sb, data, caplen);
}
