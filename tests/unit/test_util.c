/* test_util.c - bounds-checked reads, strbuf and error formatting. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/bytes.h"
#include "util/error.h"
#include "util/strbuf.h"

Test(bytes, get_refuses_reads_past_the_end)
{
	const uint8_t b[5] = { 1, 2, 3, 4, 5 };
	uint32_t v32 = 77;
	uint16_t v16 = 77;
	uint64_t v64 = 77;

	cr_assert(get_le32(b, 5, 1, &v32));
	cr_assert_eq(v32, 0x05040302u);
	cr_assert(get_be32(b, 5, 0, &v32));
	cr_assert_eq(v32, 0x01020304u);
	cr_assert_not(get_le32(b, 5, 2, &v32));
	cr_assert_eq(v32, 0x01020304u, "a failed read leaves the output alone");
	cr_assert_not(get_le16(b, 5, 4, &v16));
	cr_assert_not(get_le64(b, 5, 0, &v64));
	cr_assert_not(get_le16(b, 5, SIZE_MAX, &v16), "offset overflow is caught");
}

Test(bytes, get_be_n_reads_every_width)
{
	const uint8_t b[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint64_t v = 77;

	cr_assert(get_be_n(b, 9, 2, 3, &v));
	cr_assert_eq(v, 0x030405u);
	cr_assert(get_be_n(b, 9, 1, 8, &v));
	cr_assert_eq(v, 0x0203040506070809ull);
	cr_assert_not(get_be_n(b, 9, 0, 9, &v), "more than 8 bytes");
	cr_assert_not(get_be_n(b, 9, 0, 0, &v), "no bytes");
	cr_assert_not(get_be_n(b, 9, 7, 3, &v));
	cr_assert_eq(v, 0x0203040506070809ull, "a failed read leaves the output alone");
}

Test(bytes, cursor_is_sticky_after_an_overread)
{
	const uint8_t b[6] = { 0x34, 0x12, 0xaa, 0xbb, 0xcc, 0xdd };
	struct cursor c = cur_init(b, sizeof(b));

	cr_assert_eq(cur_le16(&c), 0x1234);
	cr_assert_eq(cur_be32(&c), 0xaabbccddu);
	cr_assert(cur_ok(&c));
	cr_assert_eq(cur_u8(&c), 0);
	cr_assert_not(cur_ok(&c));
	cr_assert_null(cur_take(&c, 0), "a bad cursor hands out nothing");
}

Test(strbuf, grows_and_formats)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	cr_assert_eq(strncmp(sb.buf, "0,1,2,", 6), 0);
	cr_assert_eq(sb.len, strlen(sb.buf));
	sb_reset(&sb);
	sb_add_le32(&sb, 0x11223344);
	sb_add_be16(&sb, 0x5566);
	cr_assert_eq(sb.len, 6);
	cr_assert_eq((uint8_t)sb.buf[0], 0x44);
	cr_assert_eq((uint8_t)sb.buf[4], 0x55);
	sb_reset(&sb);
	sb_add_json_str(&sb, "a\"b\\\n\x01", 6);
	cr_assert_str_eq(sb.buf, "a\\\"b\\\\\\n\\u0001");
	sb_release(&sb);
}

Test(strbuf, numbers_match_printf)
{
	const uint64_t u[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 1234567890123ull,
			       9999999999999999999ull, 10000000000000000000ull, UINT64_MAX };
	const int64_t i[] = { 0, -1, 1, -9, -10, 42, -1234567, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	struct strbuf sb = STRBUF_INIT;
	char want[32];

	sb_init(&sb);
	for (size_t k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
		sb_reset(&sb);
		sb_add_u64(&sb, u[k]);
		snprintf(want, sizeof(want), "%" PRIu64, u[k]);
		cr_assert_str_eq(sb.buf, want);
		cr_assert_eq(sb.len, strlen(want));
	}
	for (size_t k = 0; k < sizeof(i) / sizeof(i[0]); k++) {
		sb_reset(&sb);
		sb_add_i64(&sb, i[k]);
		snprintf(want, sizeof(want), "%" PRId64, i[k]);
		cr_assert_str_eq(sb.buf, want);
	}
	sb_release(&sb);
}

Test(strbuf, addf_at_every_fill_level)
{
	/* Formatted pieces of every length up to 200 land at every offset
	 * relative to the end of the allocation, including an exact fit. */
	struct strbuf sb = STRBUF_INIT;
	char piece[256], want[40000];
	size_t wlen = 0;

	sb_init(&sb);
	for (int n = 0; n <= 200; n++) {
		memset(piece, 'a' + n % 26, (size_t)n);
		piece[n] = '\0';
		sb_addf(&sb, "%s", piece);
		memcpy(want + wlen, piece, (size_t)n);
		wlen += (size_t)n;
		want[wlen] = '\0';
		cr_assert_eq(sb.len, wlen);
		cr_assert_eq(strlen(sb.buf), wlen, "NUL-terminated after %d", n);
	}
	cr_assert_eq(memcmp(sb.buf, want, wlen), 0);
	sb_release(&sb);
}

Test(strbuf, addline_cuts_like_a_fixed_buffer)
{
	/* sb_addline keeps what vsnprintf into char[max] kept: max - 1 bytes. */
	struct strbuf sb = STRBUF_INIT;
	char text[600], want[700], buf[320];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (size_t n = 0; n < sizeof(text); n += 7) {
		sb_reset(&sb);
		sb_addline(&sb, "  ", sizeof(buf), "%.*s|%zu", (int)n, text, n);
		snprintf(buf, sizeof(buf), "%.*s|%zu", (int)n, text, n);
		snprintf(want, sizeof(want), "  %s\n", buf);
		cr_assert_str_eq(sb.buf, want, "text of %zu bytes", n);
		cr_assert_eq(sb.len, strlen(want));
	}
	sb_release(&sb);
}

Test(error, formats_file_frame_and_offset)
{
	struct error e;
	char buf[256];

	error_clear(&e);
	cr_assert_eq(error_set(&e, 12, 4567, "record cut: %d bytes missing", 9), -1);
	error_set_file(&e, "x.pcap");
	cr_assert_str_eq(error_format(&e, buf, sizeof(buf)), "x.pcap: frame 12 (offset 4567): record cut: 9 bytes missing");
	error_clear(&e);
	error_set(&e, 0, 0, "the file is empty");
	error_set_file(&e, "y");
	cr_assert_str_eq(error_format(&e, buf, sizeof(buf)), "y: offset 0: the file is empty");
}
