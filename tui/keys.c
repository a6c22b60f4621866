/* keys.c - the TUI's keys and what they do: the help screen, the man page and the tests use this one table. */
#include "config.h"
#include "tui/tui.h"

#include <stddef.h>

const struct tui_key tui_keys[] = {
	{ "Up/Down, k/j", "move the selection (in the focused pane)" },
	{ "PgUp/PgDn", "a page up or down" },
	{ "g / G, Home/End", "first / last (live: the list follows the newest row again)" },
	{ "Tab / Shift-Tab", "next / previous pane: list, detail, hex, findings" },
	{ "Enter", "list: open the detail; detail: expand or collapse; findings: jump to its transaction" },
	{ "Left/Right, h/l", "detail: collapse / expand the node" },
	{ "/", "search the list's text (frame, command, status, ...)" },
	{ "n / N", "next / previous match of the search" },
	{ "f", "filter with decode's expression language, e.g. status!=good (empty: none)" },
	{ "e / E", "next / previous error (failed status, USB error, error finding)" },
	{ ":", "go to a frame" },
	{ "t", "time: relative to the first record, absolute, delta to the previous row" },
	{ "d", "choose the device shown" },
	{ "c", "show or hide control requests and USB events" },
	{ "w", "write the transactions shown to a pcapng (scsiscope cut)" },
	{ "s", "live (-i): stop capturing; the list stays to browse" },
	{ "Ctrl-L", "redraw the screen" },
	{ "mouse", "click selects (rows, nodes, findings), double click opens, wheel scrolls" },
	{ "?", "this help (any key closes it)" },
	{ "q", "quit" },
	{ NULL, NULL },
};
