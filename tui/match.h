/* match.h - which transactions a filter expression matches, found by a pass over the capture in a background thread. */
#ifndef SCSISCOPE_TUI_MATCH_H
#define SCSISCOPE_TUI_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/filter.h"
#include "util/error.h"

/*
 * The `f` key's filter is decode's expression language evaluated on the
 * real transactions (findings, sense, lengths and all), not on the index's
 * rows: a thread decodes the file again and sets one bit per transaction
 * (by its sequence number, tui/pass.h), so the result is exactly what
 * `scsiscope decode --filter` prints.  The list shows the matches found so
 * far while it runs.  Memory: one bit per transaction.
 */
struct tui_match;

/* Start matching f (owned by the match from now on) over path.  NULL with
 * err set. */
struct tui_match *tui_match_start(const char *path, struct filter *f, struct error *err);
/* The same over a live capture (tui/live.h): it follows the index. */
struct tui_live;
struct tui_match *tui_match_start_live(struct tui_live *live, struct filter *f, struct error *err);
/* Stop and free. */
void tui_match_free(struct tui_match *m);
/* Transactions decided so far (seq < this have their bit). */
uint64_t tui_match_count(const struct tui_match *m);
bool tui_match_get(const struct tui_match *m, uint64_t seq);
bool tui_match_done(const struct tui_match *m);
/* Matches so far. */
uint64_t tui_match_hits(const struct tui_match *m);

#endif
