/* input.h - buffered, gzip-transparent byte source that every reader pulls from. */
#ifndef SCSISCOPE_CAPTURE_INPUT_H
#define SCSISCOPE_CAPTURE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/*
 * An input reads a FILE (a real file, a pipe or fmemopen memory), inflating
 * it on the fly when it starts with the gzip magic.  Offsets are positions in
 * the decompressed stream, which is what users see after gunzip and what
 * error messages report.
 *
 * input_need() hands out pointers into an internal buffer, so readers parse
 * records in place without copying.  A reader must bound n itself (by the
 * format's own limits) before asking; the input grows its buffer to n.
 */
struct input;

/* Take ownership of fp (closed by input_close).  Detects gzip. */
int input_open(FILE *fp, const char *name, struct input **out, struct error *err);
/*
 * The same for a file another thread or program is still writing
 * (`scsiscope tui -i`): with `growing`, the end of the file is not sticky:
 * each time bytes are wanted past it, the file is read again, so what was
 * appended since is seen (a reader that asks only for records it knows to
 * be complete never sees a record cut short).  Reading never waits.
 * `limit` (UINT64_MAX: none) stops reading at that many bytes of the file,
 * which then reads as if it ended there (a prefix ending at a record
 * boundary reads as a complete capture).
 */
int input_open_growing(FILE *fp, const char *name, bool growing, uint64_t limit, struct input **out,
		       struct error *err);
void input_close(struct input *in);

/* Pointer to the next n bytes and consume them.  *got is n, or fewer at the
 * end of the input (0 at EOF).  Returns NULL with err set on a read or
 * decompression error (and when *got would be 0 no error is set: EOF). */
const uint8_t *input_need(struct input *in, size_t n, size_t *got, struct error *err);

/* Like input_need but does not consume. */
const uint8_t *input_peek(struct input *in, size_t n, size_t *got, struct error *err);

/* Consume n bytes without looking at them (for skipping large records).
 * Returns how many were skipped (fewer at EOF), or -1 with err set. */
int64_t input_skip(struct input *in, uint64_t n, struct error *err);

/* Read one line (up to and excluding '\n'; a trailing '\r' is dropped) of
 * at most max bytes.  Returns a pointer valid until the next call, with its
 * length in *len; NULL at EOF.  A longer line sets *too_long and returns its
 * first max bytes (the rest of the line is consumed). */
const char *input_line(struct input *in, size_t max, size_t *len, bool *too_long, struct error *err);

/* Offset (in the decompressed stream) of the next byte to be consumed. */
uint64_t input_offset(const struct input *in);
/* Bytes read from the file itself so far (compressed ones for gzip). */
uint64_t input_fetched(const struct input *in);
bool input_is_gzip(const struct input *in);
const char *input_name(const struct input *in);

/* The input's own failure (read error, corrupt or cut gzip), or NULL. */
const struct error *input_error(const struct input *in);

#endif
