/* hash.h - XXH3-64, through xxHash's x86 run-time dispatcher (AVX2/AVX-512) where the library has it; the same hashes either way. */
#ifndef SCSISCOPE_UTIL_HASH_H
#define SCSISCOPE_UTIL_HASH_H

#include "config.h"

#include <xxhash.h>

/* xxh_x86dispatch.h maps XXH3_64bits, XXH3_64bits_update, ... to their
 * _dispatch versions, which choose the widest vector code the CPU runs. */
#if defined(HAVE_XXH_X86DISPATCH_H) && defined(HAVE_XXH3_64BITS_UPDATE_DISPATCH)
#include <xxh_x86dispatch.h>
#endif

#endif
