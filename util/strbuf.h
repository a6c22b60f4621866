/* strbuf.h - a growable byte/string buffer (after git's strbuf). */
#ifndef SCSISCOPE_UTIL_STRBUF_H
#define SCSISCOPE_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * buf is always NUL-terminated (so it can hold text), len excludes the NUL.
 * An allocation failure aborts: there is no sensible recovery for a trace
 * tool out of memory, and every caller would otherwise need the same check.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);            /* free and reset to empty */
void sb_reset(struct strbuf *sb);              /* len = 0, keep the memory */
void sb_grow(struct strbuf *sb, size_t extra); /* room for extra more bytes */
/* Append n bytes.  Inline, like sb_addc: appending short pieces is most of
 * what the renderers do (decode --json spent a fifth of its time in calls). */
static inline void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	if (!sb->alloc || n >= sb->alloc - sb->len)
		sb_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}
static inline void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* One line of a text view: indent, then fmt formatted and cut to at most
 * max - 1 bytes (as vsnprintf into a char[max] would), then a newline. */
void sb_addline(struct strbuf *sb, const char *indent, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sb_add_u8(struct strbuf *sb, uint8_t v);
void sb_add_le16(struct strbuf *sb, uint16_t v);
void sb_add_be16(struct strbuf *sb, uint16_t v);
void sb_add_le32(struct strbuf *sb, uint32_t v);
void sb_add_be32(struct strbuf *sb, uint32_t v);
void sb_add_le64(struct strbuf *sb, uint64_t v);
void sb_add_be64(struct strbuf *sb, uint64_t v);
void sb_add_zeros(struct strbuf *sb, size_t n);
/* Append a number in decimal, as "%" PRIu64 / "%" PRId64 would (without printf). */
void sb_add_u64(struct strbuf *sb, uint64_t v);
void sb_add_i64(struct strbuf *sb, int64_t v);
/* Append bytes as lower-case hex (no separators). */
void sb_add_hex(struct strbuf *sb, const uint8_t *data, size_t n);
/* Append s as the contents of a JSON string (escaped, without the quotes). */
void sb_add_json_str(struct strbuf *sb, const char *s, size_t n);

#endif
