/* pending.c - TEMPORARY: readers not written yet. Each helper deletes its part; the file goes before issue 2 closes. */
#include "config.h"
#include "capture/reader.h"

