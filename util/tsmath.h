/* tsmath.h - saturating arithmetic on capture timestamps, which are untrusted input. */
#ifndef SCSISCOPE_UTIL_TSMATH_H
#define SCSISCOPE_UTIL_TSMATH_H

#include <stdint.h>

/* a - b, clamped to the int64_t range instead of overflowing (undefined
 * behaviour) when a hostile capture puts timestamps at the extremes. */
static inline int64_t ts_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

#endif
