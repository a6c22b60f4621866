/* gz.h - gzip-compress a buffer in memory (zlib), for tests of compressed captures. */
#ifndef SCSISCOPE_TEST_GZ_H
#define SCSISCOPE_TEST_GZ_H

#include <criterion/criterion.h>
#include <zlib.h>

#include "util/strbuf.h"

/* Append the gzip (RFC 1952) form of data to out. */
static inline void gz_compress(struct strbuf *out, const void *data, size_t len)
{
	z_stream zs;
	uint8_t chunk[16384];
	int rc;

	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, Z_FINISH);
		cr_assert(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
		sb_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
}

#endif
