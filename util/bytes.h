/* bytes.h - bounds-checked reads of little/big-endian integers from capture bytes. */
#ifndef SCSISCOPE_UTIL_BYTES_H
#define SCSISCOPE_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Two ways to read untrusted bytes; neither can read outside [buf, buf+len).
 *
 * 1. get_*(buf, len, off, &out): one field at a known offset; returns false
 *    (and leaves *out untouched) when the field does not fit.
 *
 * 2. struct cursor: sequential reads with a sticky error flag.  A read past
 *    the end returns 0, marks the cursor bad and never touches memory; the
 *    caller checks cur_ok() once after a group of reads.
 */

static inline bool bytes_fit(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static inline bool get_u8(const uint8_t *b, size_t len, size_t off, uint8_t *out)
{
	if (!bytes_fit(len, off, 1)) return false;
	*out = b[off];
	return true;
}
static inline bool get_le16(const uint8_t *b, size_t len, size_t off, uint16_t *out)
{
	if (!bytes_fit(len, off, 2)) return false;
	*out = (uint16_t)(b[off] | (b[off + 1] << 8));
	return true;
}
static inline bool get_be16(const uint8_t *b, size_t len, size_t off, uint16_t *out)
{
	if (!bytes_fit(len, off, 2)) return false;
	*out = (uint16_t)((b[off] << 8) | b[off + 1]);
	return true;
}
static inline bool get_le32(const uint8_t *b, size_t len, size_t off, uint32_t *out)
{
	if (!bytes_fit(len, off, 4)) return false;
	*out = (uint32_t)b[off] | ((uint32_t)b[off + 1] << 8) |
	       ((uint32_t)b[off + 2] << 16) | ((uint32_t)b[off + 3] << 24);
	return true;
}
static inline bool get_be32(const uint8_t *b, size_t len, size_t off, uint32_t *out)
{
	if (!bytes_fit(len, off, 4)) return false;
	*out = ((uint32_t)b[off] << 24) | ((uint32_t)b[off + 1] << 16) |
	       ((uint32_t)b[off + 2] << 8) | (uint32_t)b[off + 3];
	return true;
}
static inline bool get_le64(const uint8_t *b, size_t len, size_t off, uint64_t *out)
{
	uint32_t lo, hi;
	if (!get_le32(b, len, off, &lo) || !get_le32(b, len, off + 4, &hi)) return false;
	*out = ((uint64_t)hi << 32) | lo;
	return true;
}
static inline bool get_be64(const uint8_t *b, size_t len, size_t off, uint64_t *out)
{
	uint32_t lo, hi;
	if (!get_be32(b, len, off, &hi) || !get_be32(b, len, off + 4, &lo)) return false;
	*out = ((uint64_t)hi << 32) | lo;
	return true;
}

/* A big-endian field of 1 to 8 bytes (SCSI CDB and parameter fields come
 * in every width); false if size is out of range or the field does not fit. */
static inline bool get_be_n(const uint8_t *b, size_t len, size_t off, size_t size, uint64_t *out)
{
	uint64_t v = 0;

	if (size == 0 || size > 8 || !bytes_fit(len, off, size)) return false;
	for (size_t i = 0; i < size; i++)
		v = v << 8 | b[off + i];
	*out = v;
	return true;
}

/* Byte-order-selectable reads, for formats that come in both orders. */
static inline bool get_u16(const uint8_t *b, size_t len, size_t off, bool be, uint16_t *out)
{
	return be ? get_be16(b, len, off, out) : get_le16(b, len, off, out);
}
static inline bool get_u32(const uint8_t *b, size_t len, size_t off, bool be, uint32_t *out)
{
	return be ? get_be32(b, len, off, out) : get_le32(b, len, off, out);
}
static inline bool get_u64(const uint8_t *b, size_t len, size_t off, bool be, uint64_t *out)
{
	return be ? get_be64(b, len, off, out) : get_le64(b, len, off, out);
}

struct cursor {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool bad;       /* set by any read that did not fit; sticky */
};

static inline struct cursor cur_init(const uint8_t *buf, size_t len)
{
	struct cursor c = { buf, len, 0, false };
	return c;
}
static inline bool cur_ok(const struct cursor *c) { return !c->bad; }
static inline size_t cur_left(const struct cursor *c) { return c->off <= c->len ? c->len - c->off : 0; }

#define CUR_READ_FN(name, type, getter) \
	static inline type name(struct cursor *c) \
	{ \
		type v = 0; \
		if (c->bad || !getter(c->buf, c->len, c->off, &v)) { c->bad = true; return 0; } \
		c->off += sizeof(type); \
		return v; \
	}
CUR_READ_FN(cur_u8, uint8_t, get_u8)
CUR_READ_FN(cur_le16, uint16_t, get_le16)
CUR_READ_FN(cur_be16, uint16_t, get_be16)
CUR_READ_FN(cur_le32, uint32_t, get_le32)
CUR_READ_FN(cur_be32, uint32_t, get_be32)
CUR_READ_FN(cur_le64, uint64_t, get_le64)
CUR_READ_FN(cur_be64, uint64_t, get_be64)
#undef CUR_READ_FN

/* Skip n bytes; marks the cursor bad if they are not there. */
static inline void cur_skip(struct cursor *c, size_t n)
{
	if (c->bad || !bytes_fit(c->len, c->off, n)) { c->bad = true; return; }
	c->off += n;
}
/* Pointer to the next n bytes (and advance), or NULL and bad if they do not fit. */
static inline const uint8_t *cur_take(struct cursor *c, size_t n)
{
	const uint8_t *p;
	if (c->bad || !bytes_fit(c->len, c->off, n)) { c->bad = true; return NULL; }
	p = c->buf + c->off;
	c->off += n;
	return p;
}

#endif
