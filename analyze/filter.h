/* filter.h - the filter expression language over decoded transactions (decode --filter, the TUI, diff). */
#ifndef SCSISCOPE_ANALYZE_FILTER_H
#define SCSISCOPE_ANALYZE_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/error.h"

/*
 * An expression such as `opcode==0x28 && lba>=2048` or `status!=good ||
 * finding~"bot-"` is compiled once (filter_compile) and then tested against
 * each transaction (filter_match).  The grammar and every field are in the
 * man page, section FILTER EXPRESSIONS; in short:
 *
 *   expr    := and ( "||" and )*
 *   and     := unary ( "&&" unary )*
 *   unary   := "!" unary | "(" expr ")" | "has" "(" FIELD ")" | cmp
 *   cmp     := FIELD OP value
 *   OP      := "==" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~"
 *   value   := NUMBER | "-" NUMBER | STRING | WORD (a keyword of FIELD, or another FIELD)
 *
 * A field a transaction does not have (lba of a control transfer, the
 * sense of a command that got none) makes every comparison with it false,
 * `!=` included; `!` simply negates (as in Wireshark's display filters).
 * has(FIELD) tests presence.
 *
 * Bounds: FILTER_EXPR_MAX characters, FILTER_DEPTH_MAX nested parentheses
 * and `!`; the evaluator recurses at most that deep.
 */

#define FILTER_EXPR_MAX 4096
#define FILTER_DEPTH_MAX 64

struct filter;

/* Compile expr.  Returns 0 and a filter to free with filter_free, or -1
 * with err->msg saying where and what ("column 14: expected a value after
 * '==', found end of expression"); *out is then NULL. */
int filter_compile(const char *expr, struct filter **out, struct error *err);

/* Does t match?  t0_ns is the time origin of the `time` field (the
 * capture's first record). */
bool filter_match(const struct filter *f, const struct txn *t, int64_t t0_ns);

void filter_free(struct filter *f);

/* The fields, for help text: name and a one-line description, i from 0;
 * NULL past the end. */
const char *filter_field_name(unsigned i);
const char *filter_field_help(unsigned i);

#endif
