/* error.c - filling and formatting struct error. */
#include "util/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct error *err)
{
	if (!err)
		return;
	err->file[0] = '\0';
	err->frame = 0;
	err->offset = ERROR_NO_OFFSET;
	err->msg[0] = '\0';
	err->set = false;
}

int error_set(struct error *err, uint64_t frame, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->frame = frame;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->set = true;
	return -1;
}

void error_set_file(struct error *err, const char *file)
{
	if (!err || !file || err->file[0])
		return;
	snprintf(err->file, sizeof(err->file), "%s", file);
}

const char *error_format(const struct error *err, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
#define APPEND(...) do { \
		int r_ = snprintf(buf + n, size - n, __VA_ARGS__); \
		if (r_ > 0) n = ((size_t)r_ < size - n) ? n + (size_t)r_ : size - 1; \
	} while (0)
	if (err->file[0])
		APPEND("%s: ", err->file);
	if (err->frame && err->offset != ERROR_NO_OFFSET)
		APPEND("frame %" PRIu64 " (offset %" PRIu64 "): ", err->frame, err->offset);
	else if (err->frame)
		APPEND("frame %" PRIu64 ": ", err->frame);
	else if (err->offset != ERROR_NO_OFFSET)
		APPEND("offset %" PRIu64 ": ", err->offset);
	APPEND("%s", err->msg[0] ? err->msg : "unknown error");
#undef APPEND
	return buf;
}
