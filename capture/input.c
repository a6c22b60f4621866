/* input.c - buffered byte source over a FILE, inflating gzip transparently (zlib). */
#include "config.h"
#include "capture/input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define INPUT_CHUNK (256u * 1024)

struct input {
	FILE *fp;
	char name[256];
	bool gzip;
	bool z_ready;             /* zs initialised */
	bool z_member_done;       /* last inflate() said Z_STREAM_END */
	z_stream zs;
	uint8_t *zin;             /* compressed bytes read from fp */

	uint8_t *buf;             /* decompressed bytes: [start, end) not yet consumed */
	size_t size;
	size_t start;
	size_t end;
	uint64_t off;             /* stream offset of buf[start] */
	bool eof;                 /* the source has nothing more */
	bool growing;             /* eof is not sticky: read the file again (input_open_growing) */
	uint64_t limit;           /* read no more of the file than this */
	uint64_t fetched;         /* bytes read from fp */
	bool failed;
	struct error fail;        /* repeated on every call after a failure */
};

__attribute__((format(printf, 3, 4)))
static int input_fail(struct input *in, struct error *err, const char *fmt, ...)
{
	char msg[ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_set(&in->fail, 0, in->off + (in->end - in->start), "%s", msg);
	in->failed = true;
	if (err)
		*err = in->fail;
	return -1;
}

static int z_setup(struct input *in, struct error *err)
{
	memset(&in->zs, 0, sizeof(in->zs));
	/* 15 + 16: zlib window, gzip wrapper only. */
	if (inflateInit2(&in->zs, 15 + 16) != Z_OK)
		return input_fail(in, err, "cannot initialise zlib: %s", in->zs.msg ? in->zs.msg : "?");
	in->z_ready = true;
	in->z_member_done = false;
	return 0;
}

/* fread, within the limit. */
static size_t raw_read(struct input *in, void *buf, size_t n)
{
	size_t r;

	if (in->limit - in->fetched < n)
		n = (size_t)(in->limit - in->fetched);
	if (!n)
		return 0;
	r = fread(buf, 1, n, in->fp);
	in->fetched += r;
	return r;
}

int input_open(FILE *fp, const char *name, struct input **out, struct error *err)
{
	return input_open_growing(fp, name, false, UINT64_MAX, out, err);
}

int input_open_growing(FILE *fp, const char *name, bool growing, uint64_t limit, struct input **out,
		       struct error *err)
{
	struct input *in = calloc(1, sizeof(*in));

	if (!in) {
		fclose(fp);
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	}
	in->fp = fp;
	in->growing = growing;
	in->limit = limit;
	snprintf(in->name, sizeof(in->name), "%s", name);
	in->size = INPUT_CHUNK;
	in->buf = malloc(in->size);
	if (!in->buf) {
		input_close(in);
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	}
	error_clear(&in->fail);

	/* Sniff the gzip magic (1f 8b) from the first raw chunk; for a gzip
	 * file that chunk becomes zlib's first input, otherwise it is data. */
	{
		size_t n = raw_read(in, in->buf, in->size);
		if (n == 0 && ferror(fp)) {
			error_set(err, 0, 0, "cannot read: %s", strerror(errno));
			input_close(in);
			return -1;
		}
		if (n >= 2 && in->buf[0] == 0x1f && in->buf[1] == 0x8b) {
			in->gzip = true;
			in->zin = malloc(INPUT_CHUNK);
			if (!in->zin) {
				input_close(in);
				return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
			}
			if (z_setup(in, err) < 0) {
				input_close(in);
				return -1;
			}
			memcpy(in->zin, in->buf, n);
			in->zs.next_in = in->zin;
			in->zs.avail_in = (uInt)n;
		} else {
			in->end = n;
		}
	}
	*out = in;
	return 0;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->z_ready)
		inflateEnd(&in->zs);
	if (in->fp)
		fclose(in->fp);
	free(in->zin);
	free(in->buf);
	free(in);
}

/* Append up to `room` decompressed bytes at buf+end.  Returns bytes added
 * (0 at EOF) or -1 on error. */
static long fill_gzip(struct input *in, size_t room, struct error *err)
{
	size_t before;

	in->zs.next_out = in->buf + in->end;
	in->zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
	before = in->zs.avail_out;
	while (in->zs.avail_out == before) {
		int rc;

		if (in->zs.avail_in == 0) {
			size_t n = raw_read(in, in->zin, INPUT_CHUNK);
			if (n == 0) {
				if (ferror(in->fp))
					return input_fail(in, err, "cannot read: %s", strerror(errno));
				if (!in->z_member_done && in->zs.total_in > 0 && !in->growing)
					return input_fail(in, err, "%s",
						"the gzip stream ends early (compressed file cut short)");
				return 0;
			}
			in->zs.next_in = in->zin;
			in->zs.avail_in = (uInt)n;
		}
		if (in->z_member_done) {
			/* Another gzip member follows (concatenated .gz files), or
			 * padding we ignore as gzip(1) does. */
			if (in->zs.avail_in >= 2 && in->zs.next_in[0] == 0x1f && in->zs.next_in[1] == 0x8b) {
				inflateReset(&in->zs);
				in->z_member_done = false;
			} else {
				in->zs.avail_in = 0;
				continue;
			}
		}
		rc = inflate(&in->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			in->z_member_done = true;
		} else if (rc == Z_BUF_ERROR) {
			/* needs more input; loop reads it */
		} else if (rc != Z_OK) {
			/* Keep what inflate produced before it noticed (the CRC
			 * check comes after the last bytes); the failure is
			 * reported once those bytes have been consumed. */
			input_fail(in, err, "corrupt gzip data: %s", in->zs.msg ? in->zs.msg : "inflate failed");
			return (long)(before - in->zs.avail_out);
		}
	}
	return (long)(before - in->zs.avail_out);
}

/* Make at least n bytes available at buf+start (fewer only at EOF). */
static int fill(struct input *in, size_t n, struct error *err)
{
	if (in->growing && in->eof && !in->failed) {
		/* what was appended since the end was last seen */
		in->eof = false;
		clearerr(in->fp);
	}
	while (in->end - in->start < n && !in->eof) {
		long got;

		if (in->failed) {
			if (err)
				*err = in->fail;
			return -1;
		}

		if (in->size - in->start < n || in->end == in->size) {
			/* Compact, then grow if n still does not fit. */
			memmove(in->buf, in->buf + in->start, in->end - in->start);
			in->end -= in->start;
			in->start = 0;
			if (in->size < n) {
				size_t nsize = in->size;
				uint8_t *nb;
				while (nsize < n)
					nsize *= 2;
				nb = realloc(in->buf, nsize);
				if (!nb)
					return input_fail(in, err, "%s", "out of memory");
				in->buf = nb;
				in->size = nsize;
			}
		}
		if (in->gzip) {
			got = fill_gzip(in, in->size - in->end, err);
		} else {
			size_t r = raw_read(in, in->buf + in->end, in->size - in->end);
			if (r == 0 && ferror(in->fp))
				return input_fail(in, err, "cannot read: %s", strerror(errno));
			got = (long)r;
		}
		if (got < 0)
			return -1;
		if (got == 0 && !in->failed)
			in->eof = true;
		in->end += (size_t)got;
	}
	return 0;
}

const uint8_t *input_peek(struct input *in, size_t n, size_t *got, struct error *err)
{
	if (fill(in, n, err) < 0) {
		*got = 0;
		return NULL;
	}
	*got = in->end - in->start < n ? in->end - in->start : n;
	return in->buf + in->start;
}

const uint8_t *input_need(struct input *in, size_t n, size_t *got, struct error *err)
{
	const uint8_t *p = input_peek(in, n, got, err);

	if (p) {
		in->start += *got;
		in->off += *got;
	}
	return p;
}

int64_t input_skip(struct input *in, uint64_t n, struct error *err)
{
	uint64_t done = 0;

	while (done < n) {
		size_t want = n - done > INPUT_CHUNK ? INPUT_CHUNK : (size_t)(n - done);
		size_t got;
		if (!input_need(in, want, &got, err))
			return -1;
		if (got == 0)
			break;
		done += got;
	}
	return (int64_t)done;
}

const char *input_line(struct input *in, size_t max, size_t *len, bool *too_long, struct error *err)
{
	size_t scanned = 0;
	char *nl = NULL;
	const char *line;
	size_t llen, consume;

	*too_long = false;
	for (;;) {
		size_t avail = in->end - in->start;
		if (avail > scanned)
			nl = memchr(in->buf + in->start + scanned, '\n', avail - scanned);
		if (nl)
			break;
		scanned = avail;
		if (avail > max) {
			*too_long = true;
			break;
		}
		if (in->eof)
			break;
		if (fill(in, avail + 4096, err) < 0)
			return NULL;
		if (in->end - in->start == avail && in->eof)
			break;
	}
	line = (const char *)in->buf + in->start;
	if (nl) {
		llen = (size_t)(nl - line);
		consume = llen + 1;
	} else {
		llen = in->end - in->start;
		consume = llen;
	}
	if (llen == 0 && consume == 0) {
		*len = 0;
		return NULL;                    /* EOF */
	}
	if (*too_long || llen > max) {
		*too_long = true;
		/* Drop the rest of this over-long line. */
		in->start += consume;
		in->off += consume;
		while (!nl) {
			size_t got;
			const uint8_t *p = input_peek(in, INPUT_CHUNK, &got, err);
			if (!p)
				return NULL;
			if (got == 0)
				break;
			nl = memchr(p, '\n', got);
			consume = nl ? (size_t)((const uint8_t *)nl - p) + 1 : got;
			in->start += consume;
			in->off += consume;
		}
		*len = max;
		return line;                    /* first max bytes are still in buf (not overwritten) */
	}
	in->start += consume;
	in->off += consume;
	if (llen && line[llen - 1] == '\r')
		llen--;
	*len = llen;
	return line;
}

uint64_t input_offset(const struct input *in) { return in->off; }
uint64_t input_fetched(const struct input *in) { return in->fetched; }
const struct error *input_error(const struct input *in) { return in->failed ? &in->fail : NULL; }
bool input_is_gzip(const struct input *in) { return in->gzip; }
const char *input_name(const struct input *in) { return in->name; }
