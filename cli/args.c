/* args.c - option values the subcommands share: numbers, BUS:DEV, frame ranges. */
#include "config.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;            /* strtoull would take "-1" as 2^64 - 1 */
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	if (*end)
		return false;
	*out = v;
	return true;
}

bool cli_parse_device(const char *s, uint16_t *bus, uint16_t *dev)
{
	char *end;
	unsigned long b = strtoul(s, &end, 10), d;

	if (end == s || *end != ':' || b > 65535)
		return false;
	s = end + 1;
	d = strtoul(s, &end, 10);
	if (end == s || *end || d > 65535)
		return false;
	*bus = (uint16_t)b;
	*dev = (uint16_t)d;
	return true;
}

bool cli_parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
	const char *dash = strchr(s, '-');
	char buf[64];

	if (!dash) {
		if (!cli_parse_u64(s, lo))
			return false;
		*hi = *lo;
		return true;
	}
	if ((size_t)(dash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (!buf[0])
		*lo = 0;
	else if (!cli_parse_u64(buf, lo))
		return false;
	if (!dash[1])
		*hi = UINT64_MAX;
	else if (!cli_parse_u64(dash + 1, hi))
		return false;
	return *lo <= *hi;
}
