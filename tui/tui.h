/* tui.h - `scsiscope tui FILE`: the interactive terminal browser of a capture's transactions. */
#ifndef SCSISCOPE_TUI_TUI_H
#define SCSISCOPE_TUI_TUI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Screen: the transaction list (top), the detail tree of the selected
 * transaction and the hex pane beside it, the findings pane, a message
 * line and a status line.  Everything comes from tui/index.h (the list),
 * tui/match.h (the filter), tui/detail.h (detail and hex): decode's and
 * analyze's output, never the capture's bytes parsed here.  Keys are in
 * tui_keys[] (the help screen shows exactly that table).
 */

enum tui_exit_after {
	TUI_RUN = 0,              /* until the user quits */
	TUI_EXIT_FIRST_SCREEN,    /* once the first screen is drawn (benchmark) */
	TUI_EXIT_INDEXED,         /* once the whole file is indexed (benchmark) */
};

struct tui_live;

struct tui_opts {
	const char *path;         /* the file; live: the file the capture writes */
	struct tui_live *live;    /* -i: the capture being followed (tui/live.h), or NULL */
	const char *filter;       /* initial filter expression, or NULL */
	bool have_device;
	uint16_t bus, device;
	bool monochrome;          /* no colours even where the terminal has them */
	enum tui_exit_after exit_after;
};

struct tui_key {
	const char *keys;
	const char *what;
};
/* The keys, for the help screen and the man page; NULL-terminated. */
extern const struct tui_key tui_keys[];

/* Run the browser on the terminal.  Returns the exit status: 0 after q,
 * 2 when the file cannot be opened or the terminal cannot be used (a
 * message on stderr), 128 + the signal after SIGINT, SIGTERM or SIGHUP;
 * the terminal is restored in every case.  Live (o->live), the list
 * follows the newest transaction until the user moves away from it (End
 * follows again), s stops the capture, and on the way out the capture is
 * stopped and summed up on stderr (2 if it failed); the caller frees it. */
int tui_run(const struct tui_opts *o);

#endif
