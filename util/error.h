/* error.h - a caller-owned error record that names the file, frame and byte offset. */
#ifndef SCSISCOPE_UTIL_ERROR_H
#define SCSISCOPE_UTIL_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Functions that can fail return 0 on success or a negative value, and fill
 * a struct error owned by the caller.  Nothing below cli/ prints or exits.
 *
 * The message says what was expected and what was found; the location says
 * where: the file, the 1-based frame number (0 = not tied to a frame) and the
 * byte offset in the (decompressed) file (UINT64_MAX = unknown).
 */
#define ERROR_MSG_MAX 400
#define ERROR_NO_OFFSET UINT64_MAX

struct error {
	char file[256];     /* input it happened in; "" if none */
	uint64_t frame;     /* 1-based frame number, 0 when not tied to a frame */
	uint64_t offset;    /* byte offset, ERROR_NO_OFFSET when unknown */
	char msg[ERROR_MSG_MAX];
	bool set;
};

/* Reset to "no error". */
void error_clear(struct error *err);

/* Record an error; always returns -1 so callers can `return error_set(...)`.
 * err may be NULL (the error is then dropped). */
int error_set(struct error *err, uint64_t frame, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Name the file the error belongs to (kept if already set). */
void error_set_file(struct error *err, const char *file);

/* Format as "FILE: frame N (offset X): message" into buf; returns buf. */
const char *error_format(const struct error *err, char *buf, size_t size);

#endif
