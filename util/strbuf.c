/* strbuf.c - growable buffer implementation. */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sb_empty[1];

void sb_init(struct strbuf *sb)
{
	sb->buf = sb_empty;
	sb->len = 0;
	sb->alloc = 0;
}

void sb_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need, n;
	char *p;

	if (!sb->buf)
		sb_init(sb);
	if (extra > SIZE_MAX - sb->len - 1)
		abort();
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	p = realloc(sb->alloc ? sb->buf : NULL, n);
	if (!p)
		abort();
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = n;
}

void sb_adds(struct strbuf *sb, const char *s) { sb_add(sb, s, strlen(s)); }

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	size_t room = sb->alloc ? sb->alloc - sb->len : 0;
	va_list again;
	int n;

	/* Format straight into the spare room; only when it does not fit,
	 * grow and format again (one vsnprintf in the common case). */
	va_copy(again, ap);
	n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	if (n <= 0) {
		if (sb->alloc)
			sb->buf[sb->len] = '\0';
	} else if ((size_t)n < room) {
		sb->len += (size_t)n;
	} else {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, again);
		sb->len += (size_t)n;
	}
	va_end(again);
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_addline(struct strbuf *sb, const char *indent, size_t max, const char *fmt, ...)
{
	size_t start;
	va_list ap;

	sb_adds(sb, indent);
	start = sb->len;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
	if (max && sb->len - start > max - 1) {
		sb->len = start + max - 1;
		sb->buf[sb->len] = '\0';
	}
	sb_addc(sb, '\n');
}

void sb_add_u64(struct strbuf *sb, uint64_t v)
{
	/* Two digits per division: numbers are most of a JSON line. */
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char tmp[20];
	size_t i = sizeof(tmp);

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		tmp[--i] = pairs[d + 1];
		tmp[--i] = pairs[d];
	}
	if (v >= 10) {
		tmp[--i] = pairs[v * 2 + 1];
		tmp[--i] = pairs[v * 2];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	sb_add(sb, tmp + i, sizeof(tmp) - i);
}

void sb_add_i64(struct strbuf *sb, int64_t v)
{
	if (v < 0) {
		sb_addc(sb, '-');
		sb_add_u64(sb, (uint64_t)(-(v + 1)) + 1);
	} else {
		sb_add_u64(sb, (uint64_t)v);
	}
}

void sb_add_u8(struct strbuf *sb, uint8_t v) { sb_add(sb, &v, 1); }

void sb_add_le16(struct strbuf *sb, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	sb_add(sb, b, 2);
}
void sb_add_be16(struct strbuf *sb, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	sb_add(sb, b, 2);
}
void sb_add_le32(struct strbuf *sb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_add(sb, b, 4);
}
void sb_add_be32(struct strbuf *sb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	sb_add(sb, b, 4);
}
void sb_add_le64(struct strbuf *sb, uint64_t v)
{
	sb_add_le32(sb, (uint32_t)v);
	sb_add_le32(sb, (uint32_t)(v >> 32));
}
void sb_add_be64(struct strbuf *sb, uint64_t v)
{
	sb_add_be32(sb, (uint32_t)(v >> 32));
	sb_add_be32(sb, (uint32_t)v);
}

void sb_add_zeros(struct strbuf *sb, size_t n)
{
	sb_grow(sb, n);
	memset(sb->buf + sb->len, 0, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_add_hex(struct strbuf *sb, const uint8_t *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *p;

	sb_grow(sb, 2 * n);
	p = sb->buf + sb->len;
	for (size_t i = 0; i < n; i++) {
		*p++ = hex[data[i] >> 4];
		*p++ = hex[data[i] & 15];
	}
	sb->len += 2 * n;
	sb->buf[sb->len] = '\0';
}

void sb_add_json_str(struct strbuf *sb, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		unsigned char c;

		/* Copy the longest run that needs no escaping in one go. */
		while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		if (run > i)
			sb_add(sb, s + i, run - i);
		if (run >= n)
			break;
		c = (unsigned char)s[run];
		switch (c) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		default: sb_addf(sb, "\\u%04x", c); break;
		}
		i = run + 1;
	}
}
