/* term_check.c - is the terminal one ncurses can drive?  Asked before newterm(), whose failure leaks and cannot be undone. */
#include "config.h"

#include <curses.h>
#include <stdbool.h>
#include <term.h>
#include <unistd.h>

/* term.h defines macros named like ordinary words (lines, columns, ...):
 * it stays in this file. */
bool tui_terminal_usable(void);

bool tui_terminal_usable(void)
{
	int err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return false;
	del_curterm(cur_term);
	return true;
}
