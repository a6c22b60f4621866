/* script.c - parse and write replay scripts (doc/replay-script.md); scripts are hostile input: every line, token and count is bounded. */
#include "config.h"
#include "replay/script.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "util/hash.h"
#include "util/strbuf.h"

void rs_init(struct rs_script *s)
{
	memset(s, 0, sizeof(*s));
}

void rs_free(struct rs_script *s)
{
	for (size_t i = 0; i < s->nsteps; i++)
		free(s->steps[i].data);
	free(s->steps);
	rs_init(s);
}

struct rs_step *rs_add_step(struct rs_script *s)
{
	struct rs_step *st;

	if (s->nsteps >= RS_STEPS_MAX)
		return NULL;
	if (s->nsteps == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 64;
		struct rs_step *n = realloc(s->steps, na * sizeof(*n));
		if (!n)
			return NULL;
		s->steps = n;
		s->alloc = na;
	}
	st = &s->steps[s->nsteps++];
	memset(st, 0, sizeof(*st));
	st->exp_status = RS_STATUS_UNSET;
	st->gap_us = -1;
	return st;
}

/* ------------------------------------------------------------ status words */

/* SAM-5 table 33 (status codes), as words. */
static const struct {
	uint8_t code;
	const char *word;
} status_words[] = {
	{ 0x00, "good" },
	{ 0x02, "check-condition" },
	{ 0x04, "condition-met" },
	{ 0x08, "busy" },
	{ 0x18, "reservation-conflict" },
	{ 0x28, "task-set-full" },
	{ 0x30, "aca-active" },
	{ 0x40, "task-aborted" },
};

const char *rs_status_word(int status)
{
	for (size_t i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++)
		if (status_words[i].code == status)
			return status_words[i].word;
	return NULL;
}

void rs_format_duration(char *buf, size_t size, int64_t us)
{
	if (us < 0)
		us = 0;
	if (us % 1000000 == 0)
		snprintf(buf, size, "%" PRId64 "s", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(buf, size, "%" PRId64 "ms", us / 1000);
	else if (us >= 1000)
		snprintf(buf, size, "%" PRId64 ".%03" PRId64 "ms", us / 1000, us % 1000);
	else
		snprintf(buf, size, "%" PRId64 "us", us);
}

/* ------------------------------------------------------------------ parser */

struct tok {
	const char *p;            /* in the line */
	size_t n;
	unsigned col;             /* 1-based */
	bool quoted;              /* a "..." string: text holds it unescaped */
	char text[RS_STR_MAX];
	size_t text_len;
};

struct parser {
	const char *name;
	uint32_t line;
	char *err;
	size_t err_size;
	bool failed;
};

static int perr(struct parser *p, unsigned col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return -1;
	p->failed = true;
	if (!p->err_size)
		return -1;
	n = snprintf(p->err, p->err_size, "%s:%" PRIu32 ":%u: ", p->name, p->line, col);
	if (n >= 0 && (size_t)n < p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Show a token in an error message: printable, at most 24 characters. */
static const char *show(const struct tok *t, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < t->n && o + 4 < size && i < 24; i++)
		buf[o++] = isprint((unsigned char)t->p[i]) ? t->p[i] : '?';
	if (t->n > 24 && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Split a line into tokens (at most max); a '#' outside quotes ends it.
 * Returns the number of tokens, or -1 (error reported). */
static int tokenize(struct parser *p, const char *line, size_t len, struct tok *toks, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		struct tok *t;
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return perr(p, (unsigned)i + 1, "control character 0x%02x", (unsigned char)line[i]);
		if (n == max)
			return perr(p, (unsigned)i + 1, "more than %d fields in one line", max);
		t = &toks[n++];
		memset(t, 0, sizeof(*t));
		t->p = line + i;
		t->col = (unsigned)i + 1;
		/* a token is bare characters, possibly with one "..." string after '=' */
		while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') {
			if (line[i] == '"') {
				size_t q = i + 1;
				t->quoted = true;
				t->text_len = 0;
				for (;;) {
					char c;
					if (q >= len)
						return perr(p, (unsigned)i + 1, "string not closed with '\"'");
					c = line[q];
					if (c == '"')
						break;
					if ((unsigned char)c < 0x20 || c == 0x7f)
						return perr(p, (unsigned)q + 1, "control character in a string");
					if (c == '\\') {
						if (q + 1 >= len)
							return perr(p, (unsigned)q + 1, "'\\' at the end of the line");
						c = line[++q];
						if (c != '"' && c != '\\')
							return perr(p, (unsigned)q, "unknown escape '\\%c' (only \\\" and \\\\)",
								    isprint((unsigned char)c) ? c : '?');
					}
					if (t->text_len + 1 >= sizeof(t->text))
						return perr(p, (unsigned)i + 1, "string longer than %d characters",
							    RS_STR_MAX - 1);
					t->text[t->text_len++] = c;
					q++;
				}
				t->text[t->text_len] = '\0';
				i = q + 1;
				if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#')
					return perr(p, (unsigned)i + 1, "a space must follow a closing '\"'");
				break;
			}
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				return perr(p, (unsigned)i + 1, "control character 0x%02x", (unsigned char)line[i]);
			i++;
		}
		t->n = (size_t)(line + i - t->p);
	}
	return n;
}

static bool tok_is(const struct tok *t, const char *word)
{
	size_t n = strlen(word);

	return t->n == n && memcmp(t->p, word, n) == 0;
}

/* key=... : is the token that key?  *val, *vcol the value part. */
static bool tok_key(const struct tok *t, const char *key, const char **val, size_t *vlen, unsigned *vcol)
{
	size_t n = strlen(key);

	if (t->n <= n || memcmp(t->p, key, n) != 0 || t->p[n] != '=')
		return false;
	*val = t->p + n + 1;
	*vlen = t->n - n - 1;
	*vcol = t->col + (unsigned)n + 1;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An unsigned number (decimal or 0x hex) no larger than max. */
static int parse_num(struct parser *p, const char *s, size_t n, unsigned col, uint64_t max, const char *what,
		     uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	int base = 10;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return perr(p, col, "%s: expected a number", what);
	for (; i < n; i++) {
		int d = base == 16 ? hexval(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return perr(p, col + (unsigned)i, "%s: '%c' is not a %s digit", what,
				    isprint((unsigned char)s[i]) ? s[i] : '?', base == 16 ? "hex" : "decimal");
		if (v > (max - (uint64_t)d) / (uint64_t)base)
			return perr(p, col, "%s: larger than %" PRIu64, what, max);
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Exactly 16 hex digits (a hash). */
static int parse_hash(struct parser *p, const char *s, size_t n, unsigned col, uint64_t *out)
{
	uint64_t v = 0;

	if (n != 16)
		return perr(p, col, "a hash is 16 hex digits, not %zu characters", n);
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0)
			return perr(p, col + (unsigned)i, "'%c' is not a hex digit", isprint((unsigned char)s[i]) ? s[i] : '?');
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* A duration: digits, an optional fraction, a unit us|ms|s. */
static int parse_duration(struct parser *p, const char *s, size_t n, unsigned col, int64_t *out)
{
	uint64_t whole = 0, frac = 0, fdiv = 1, mult;
	size_t i = 0, u;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (whole > RS_DURATION_MAX)
			return perr(p, col, "duration longer than an hour");
		whole = whole * 10 + (uint64_t)(s[i++] - '0');
	}
	if (i == 0)
		return perr(p, col, "expected a duration such as 250ms, 1.5s or 40us");
	if (i < n && s[i] == '.') {
		i++;
		if (i == n || s[i] < '0' || s[i] > '9')
			return perr(p, col + (unsigned)i, "expected digits after '.'");
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (fdiv < 1000000) {
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				fdiv *= 10;
			}
			i++;
		}
	}
	u = n - i;
	if (u == 2 && s[i] == 'u' && s[i + 1] == 's')
		mult = 1;
	else if (u == 2 && s[i] == 'm' && s[i + 1] == 's')
		mult = 1000;
	else if (u == 1 && s[i] == 's')
		mult = 1000000;
	else
		return perr(p, col + (unsigned)i, "a duration ends in us, ms or s");
	if (whole > (uint64_t)RS_DURATION_MAX / mult)
		return perr(p, col, "duration longer than an hour");
	*out = (int64_t)(whole * mult + frac * mult / fdiv);
	if (*out > RS_DURATION_MAX)
		return perr(p, col, "duration longer than an hour");
	return 0;
}

/* One hex byte token "12". */
static bool hex_byte(const struct tok *t, uint8_t *out)
{
	int a, b;

	if (t->n != 2 || t->quoted)
		return false;
	a = hexval(t->p[0]);
	b = hexval(t->p[1]);
	if (a < 0 || b < 0)
		return false;
	*out = (uint8_t)(a << 4 | b);
	return true;
}

/* Hex digits (an even number) into a new buffer of at most max bytes. */
static int parse_hex_blob(struct parser *p, const char *s, size_t n, unsigned col, size_t max, uint8_t **out,
			  uint32_t *len)
{
	uint8_t *b;

	if (n == 0 || n % 2)
		return perr(p, col, "expected an even number of hex digits");
	if (n / 2 > max)
		return perr(p, col, "more than %zu bytes inline (use a sidecar: data=@HASH)", max);
	if (!(b = malloc(n / 2)))
		return perr(p, col, "out of memory");
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval(s[i]), c = hexval(s[i + 1]);
		if (a < 0 || c < 0) {
			free(b);
			return perr(p, col + (unsigned)(a < 0 ? i : i + 1), "'%c' is not a hex digit",
				    isprint((unsigned char)s[a < 0 ? i : i + 1]) ? s[a < 0 ? i : i + 1] : '?');
		}
		b[i / 2] = (uint8_t)(a << 4 | c);
	}
	*out = b;
	*len = (uint32_t)(n / 2);
	return 0;
}

static int parse_status(struct parser *p, const char *s, size_t n, unsigned col, bool raw, int16_t *out)
{
	uint64_t v;

	if (raw) {
		if (n == 5 && !memcmp(s, "stall", 5))
			*out = RS_STATUS_STALL;
		else if (n == 2 && !memcmp(s, "ok", 2))
			*out = RS_STATUS_OK;
		else
			return perr(p, col, "a raw step expects status=stall or status=ok");
		return 0;
	}
	if (n == 4 && !memcmp(s, "none", 4)) {
		*out = RS_STATUS_NONE;
		return 0;
	}
	for (size_t i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++)
		if (strlen(status_words[i].word) == n && !memcmp(status_words[i].word, s, n)) {
			*out = status_words[i].code;
			return 0;
		}
	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		if (parse_num(p, s, n, col, 0xff, "status", &v) < 0)
			return -1;
		*out = (int16_t)v;
		return 0;
	}
	return perr(p, col, "unknown status (good, check-condition, condition-met, busy, reservation-conflict, "
			    "task-set-full, aca-active, task-aborted, none or 0xNN)");
}

/* KK/AA/QQ in hex. */
static int parse_sense(struct parser *p, const char *s, size_t n, unsigned col, struct rs_step *st)
{
	int d[6];

	if (n != 8 || s[2] != '/' || s[5] != '/')
		return perr(p, col, "sense is KEY/ASC/ASCQ in hex, e.g. 05/20/00");
	d[0] = hexval(s[0]), d[1] = hexval(s[1]), d[2] = hexval(s[3]);
	d[3] = hexval(s[4]), d[4] = hexval(s[6]), d[5] = hexval(s[7]);
	for (int i = 0; i < 6; i++)
		if (d[i] < 0)
			return perr(p, col, "sense is KEY/ASC/ASCQ in hex, e.g. 05/20/00");
	if (d[0] != 0)
		return perr(p, col, "a sense key is 0 to f");
	st->exp_sense = true;
	st->exp_key = (uint8_t)d[1];
	st->exp_asc = (uint8_t)(d[2] << 4 | d[3]);
	st->exp_ascq = (uint8_t)(d[4] << 4 | d[5]);
	return 0;
}

/* The "expect" part of a step, from token i. */
static int parse_expect(struct parser *p, struct tok *tk, int n, int i, struct rs_step *st)
{
	bool raw = st->kind != RS_CMD;
	bool seen_status = false;

	if (i == n)
		return perr(p, tk[i - 1].col + (unsigned)tk[i - 1].n, "'expect' needs at least one field");
	for (; i < n; i++) {
		const char *v;
		size_t vn;
		unsigned vc;
		uint64_t x;
		char sh[40];
		if (raw && tok_is(&tk[i], "stall")) {
			st->exp_status = RS_STATUS_STALL;
			seen_status = true;
		} else if (raw && tok_is(&tk[i], "ok")) {
			st->exp_status = RS_STATUS_OK;
			seen_status = true;
		} else if (tok_key(&tk[i], "status", &v, &vn, &vc)) {
			if (seen_status)
				return perr(p, tk[i].col, "status given twice");
			if (parse_status(p, v, vn, vc, raw, &st->exp_status) < 0)
				return -1;
			seen_status = true;
		} else if (!raw && tok_key(&tk[i], "sense", &v, &vn, &vc)) {
			if (st->exp_sense)
				return perr(p, tk[i].col, "sense given twice");
			if (parse_sense(p, v, vn, vc, st) < 0)
				return -1;
		} else if (tok_key(&tk[i], "data", &v, &vn, &vc)) {
			if (st->exp_len)
				return perr(p, tk[i].col, "data given twice");
			if (parse_num(p, v, vn, vc, RS_DATA_MAX, "data", &x) < 0)
				return -1;
			st->exp_len = true;
			st->exp_len_value = x;
		} else if (tok_key(&tk[i], "hash", &v, &vn, &vc)) {
			if (st->exp_hash)
				return perr(p, tk[i].col, "hash given twice");
			if (parse_hash(p, v, vn, vc, &st->exp_hash_value) < 0)
				return -1;
			st->exp_hash = true;
		} else {
			return perr(p, tk[i].col, "unknown expectation '%s' (%s)", show(&tk[i], sh, sizeof(sh)),
				    raw ? "stall, ok, status=, data=, hash=" : "status=, sense=, data=, hash=");
		}
	}
	if (st->exp_hash && !st->exp_len)
		return perr(p, tk[n - 1].col, "hash= needs data= (the length it covers)");
	if (st->exp_sense && st->exp_status == RS_STATUS_NONE)
		return perr(p, tk[n - 1].col, "sense= with status=none");
	return 0;
}

/* Options common to cmd and raw steps. */
static int parse_step_option(struct parser *p, const struct tok *t, struct rs_step *st, bool *handled)
{
	const char *v;
	size_t vn;
	unsigned vc;
	uint64_t x;

	*handled = true;
	if (tok_key(t, "timeout", &v, &vn, &vc)) {
		if (parse_duration(p, v, vn, vc, &st->timeout_us) < 0)
			return -1;
		if (st->timeout_us == 0)
			return perr(p, vc, "a timeout of zero");
	} else if (tok_key(t, "gap", &v, &vn, &vc)) {
		if (parse_duration(p, v, vn, vc, &st->gap_us) < 0)
			return -1;
	} else if (st->kind == RS_CMD && tok_key(t, "lun", &v, &vn, &vc)) {
		if (parse_num(p, v, vn, vc, UINT64_MAX, "lun", &x) < 0)
			return -1;
		st->has_lun = true;
		st->lun = x;
	} else {
		*handled = false;
	}
	return 0;
}

static int parse_cmd(struct parser *p, struct tok *tk, int n, struct rs_step *st)
{
	int i = 1;
	bool have_in = false, have_out = false, have_data = false;
	char sh[40];

	st->kind = RS_CMD;
	for (uint8_t b; i < n && hex_byte(&tk[i], &b); i++) {
		if (st->cdb_len == RS_CDB_MAX)
			return perr(p, tk[i].col, "a CDB has at most %d bytes", RS_CDB_MAX);
		st->cdb[st->cdb_len++] = b;
	}
	if (st->cdb_len == 0)
		return perr(p, i < n ? tk[i].col : tk[0].col + 3, "'cmd' wants the CDB as hex bytes, e.g. cmd 00 00 00 00 00 00");
	if (st->cdb_len < 6)
		return perr(p, tk[1].col, "a CDB has at least 6 bytes, not %u", st->cdb_len);
	for (; i < n; i++) {
		const char *v;
		size_t vn;
		unsigned vc;
		uint64_t x;
		bool handled;
		if (tok_is(&tk[i], "expect")) {
			if (parse_expect(p, tk, n, i + 1, st) < 0)
				return -1;
			break;
		}
		if (parse_step_option(p, &tk[i], st, &handled) < 0)
			return -1;
		if (handled)
			continue;
		if (tok_key(&tk[i], "in", &v, &vn, &vc) || tok_key(&tk[i], "out", &v, &vn, &vc)) {
			bool in = tk[i].p[0] == 'i';
			if (have_in || have_out)
				return perr(p, tk[i].col, "one data phase per command (in= or out=)");
			if (parse_num(p, v, vn, vc, RS_DATA_MAX, in ? "in" : "out", &x) < 0)
				return -1;
			st->dir = in ? SCSI_DIR_IN : SCSI_DIR_OUT;
			st->xfer_len = (uint32_t)x;
			have_in = in;
			have_out = !in;
		} else if (tok_key(&tk[i], "data", &v, &vn, &vc)) {
			if (have_data)
				return perr(p, tk[i].col, "data given twice");
			have_data = true;
			if (vn && v[0] == '@') {
				if (parse_hash(p, v + 1, vn - 1, vc + 1, &st->data_hash) < 0)
					return -1;
				st->data_sidecar = true;
			} else if (parse_hex_blob(p, v, vn, vc, RS_INLINE_MAX, &st->data, &st->data_len) < 0) {
				return -1;
			}
		} else {
			return perr(p, tk[i].col, "unknown field '%s' (in=, out=, data=, lun=, timeout=, gap=, expect)",
				    show(&tk[i], sh, sizeof(sh)));
		}
	}
	if (have_data && !have_out)
		return perr(p, tk[0].col, "data= without out=: only a data-out phase sends data");
	if (have_out && !have_data && st->xfer_len)
		return perr(p, tk[0].col, "out=%" PRIu32 " without data= (the bytes to send)", st->xfer_len);
	if (have_out && st->data && st->data_len != st->xfer_len)
		return perr(p, tk[0].col, "out=%" PRIu32 " but data= has %" PRIu32 " bytes", st->xfer_len, st->data_len);
	if (st->exp_len && st->dir != SCSI_DIR_IN && st->exp_len_value)
		return perr(p, tk[0].col, "expect data=%" PRIu64 " without in=", st->exp_len_value);
	if (st->exp_len && st->exp_len_value > st->xfer_len)
		return perr(p, tk[0].col, "expect data=%" PRIu64 " is more than in=%" PRIu32, st->exp_len_value, st->xfer_len);
	return 0;
}

static int parse_raw(struct parser *p, struct tok *tk, int n, struct rs_step *st)
{
	uint8_t buf[RS_RAW_MAX];
	uint32_t len = 0;
	int i = 2;
	char sh[40];

	if (n < 2 || (!tok_is(&tk[1], "out") && !tok_is(&tk[1], "in")))
		return perr(p, n < 2 ? tk[0].col + 3 : tk[1].col, "'raw' is followed by 'out' (bytes) or 'in' (a length)");
	if (tok_is(&tk[1], "out")) {
		st->kind = RS_RAW_OUT;
		for (uint8_t b; i < n && hex_byte(&tk[i], &b); i++) {
			if (len == RS_RAW_MAX)
				return perr(p, tk[i].col, "a raw step has at most %d bytes", RS_RAW_MAX);
			buf[len++] = b;
		}
		if (!len)
			return perr(p, i < n ? tk[i].col : tk[1].col + 3, "'raw out' wants the bytes in hex");
		if (!(st->data = malloc(len)))
			return perr(p, tk[0].col, "out of memory");
		memcpy(st->data, buf, len);
		st->data_len = len;
		st->xfer_len = len;
		st->dir = SCSI_DIR_OUT;
	} else {
		uint64_t x;
		st->kind = RS_RAW_IN;
		if (n < 3)
			return perr(p, tk[1].col + 2, "'raw in' wants a length");
		if (parse_num(p, tk[2].p, tk[2].n, tk[2].col, RS_RAW_MAX, "raw in length", &x) < 0)
			return -1;
		if (!x)
			return perr(p, tk[2].col, "'raw in' of 0 bytes");
		st->xfer_len = (uint32_t)x;
		st->dir = SCSI_DIR_IN;
		i = 3;
	}
	for (; i < n; i++) {
		bool handled;
		if (tok_is(&tk[i], "expect")) {
			if (parse_expect(p, tk, n, i + 1, st) < 0)
				return -1;
			if (st->exp_len && st->kind == RS_RAW_OUT)
				return perr(p, tk[i].col, "expect data= on 'raw out'");
			return 0;
		}
		if (parse_step_option(p, &tk[i], st, &handled) < 0)
			return -1;
		if (!handled)
			return perr(p, tk[i].col, "unknown field '%s' (timeout=, gap=, expect)", show(&tk[i], sh, sizeof(sh)));
	}
	return 0;
}

static int parse_device(struct parser *p, struct tok *tk, int n, struct rs_script *s)
{
	uint64_t vid, pid;
	const char *colon;
	char sh[40];

	if (s->has_device)
		return perr(p, tk[0].col, "'device' given twice");
	if (n < 2)
		return perr(p, tk[0].col + 6, "'device' wants VID:PID in hex, e.g. device 46f4:0001");
	colon = memchr(tk[1].p, ':', tk[1].n);
	if (!colon || colon - tk[1].p != 4 || tk[1].n != 9)
		return perr(p, tk[1].col, "'device' wants VID:PID as four hex digits each, e.g. 46f4:0001");
	{
		char a[7] = "0x", b[7] = "0x";
		memcpy(a + 2, tk[1].p, 4);
		memcpy(b + 2, colon + 1, 4);
		a[6] = b[6] = '\0';
		if (parse_num(p, a, 6, tk[1].col, 0xffff, "vendor id", &vid) < 0 ||
		    parse_num(p, b, 6, tk[1].col + 5, 0xffff, "product id", &pid) < 0)
			return -1;
	}
	s->has_device = true;
	s->vid = (uint16_t)vid;
	s->pid = (uint16_t)pid;
	for (int i = 2; i < n; i++) {
		char *dst;
		const char *v;
		size_t vn;
		unsigned vc;
		if (tok_key(&tk[i], "serial", &v, &vn, &vc))
			dst = s->serial;
		else if (tok_key(&tk[i], "vendor", &v, &vn, &vc))
			dst = s->vendor;
		else if (tok_key(&tk[i], "product", &v, &vn, &vc))
			dst = s->product;
		else
			return perr(p, tk[i].col, "unknown device field '%s' (serial=, vendor=, product=)",
				    show(&tk[i], sh, sizeof(sh)));
		if (!tk[i].quoted)
			return perr(p, vc, "the value is a string in double quotes");
		if (dst[0])
			return perr(p, tk[i].col, "given twice");
		memcpy(dst, tk[i].text, tk[i].text_len + 1);
	}
	return 0;
}

static int parse_directive(struct parser *p, struct tok *tk, int n, struct rs_script *s, bool *known)
{
	uint64_t x;
	char sh[40];

	*known = true;
	if (tok_is(&tk[0], "device"))
		return parse_device(p, tk, n, s);
	if (tok_is(&tk[0], "transport")) {
		if (n != 2)
			return perr(p, tk[0].col, "'transport' wants bot or uas");
		if (s->transport)
			return perr(p, tk[0].col, "'transport' given twice");
		if (tok_is(&tk[1], "bot"))
			s->transport = RS_TRANSPORT_BOT;
		else if (tok_is(&tk[1], "uas"))
			s->transport = RS_TRANSPORT_UAS;
		else
			return perr(p, tk[1].col, "unknown transport '%s' (bot or uas)", show(&tk[1], sh, sizeof(sh)));
		return 0;
	}
	if (tok_is(&tk[0], "lun")) {
		if (n != 2)
			return perr(p, tk[0].col, "'lun' wants one number");
		if (parse_num(p, tk[1].p, tk[1].n, tk[1].col, UINT64_MAX, "lun", &x) < 0)
			return -1;
		s->lun = x;
		return 0;
	}
	if (tok_is(&tk[0], "block-size")) {
		if (n != 2)
			return perr(p, tk[0].col, "'block-size' wants one number");
		if (parse_num(p, tk[1].p, tk[1].n, tk[1].col, 1u << 24, "block-size", &x) < 0)
			return -1;
		s->block_size = (uint32_t)x;
		return 0;
	}
	if (tok_is(&tk[0], "timeout")) {
		if (n != 2)
			return perr(p, tk[0].col, "'timeout' wants one duration");
		if (parse_duration(p, tk[1].p, tk[1].n, tk[1].col, &s->timeout_us) < 0)
			return -1;
		if (!s->timeout_us)
			return perr(p, tk[1].col, "a timeout of zero");
		return 0;
	}
	*known = false;
	return 0;
}

#define TOKS_MAX (RS_RAW_MAX + 16)

int rs_parse(const char *text, size_t len, const char *name, struct rs_script *out, char *err, size_t err_size)
{
	struct parser p = { name ? name : "script", 0, err, err_size, false };
	struct tok *tk = malloc(TOKS_MAX * sizeof(*tk));
	bool seen_header = false, seen_step = false;
	size_t pos = 0;

	rs_init(out);
	if (err_size)
		err[0] = '\0';
	if (!tk)
		return perr(&p, 1, "out of memory");
	if (len > RS_FILE_MAX) {
		p.line = 1;
		perr(&p, 1, "script larger than %u bytes", RS_FILE_MAX);
		goto fail;
	}
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		int n;
		struct rs_step *st;
		bool known;

		pos += ll + (nl ? 1 : 0);
		p.line++;
		if (ll > RS_LINE_MAX) {
			perr(&p, RS_LINE_MAX + 1, "line longer than %d characters", RS_LINE_MAX);
			goto fail;
		}
		if (memchr(line, '\0', ll)) {
			perr(&p, (unsigned)((const char *)memchr(line, '\0', ll) - line) + 1, "NUL byte: not a text file");
			goto fail;
		}
		if ((n = tokenize(&p, line, ll, tk, TOKS_MAX)) < 0)
			goto fail;
		if (n == 0)
			continue;
		if (!seen_header) {
			uint64_t v;
			if (!tok_is(&tk[0], "scsiscope-replay") || n != 2) {
				perr(&p, tk[0].col, "expected the header 'scsiscope-replay %d' first", RS_VERSION);
				goto fail;
			}
			if (parse_num(&p, tk[1].p, tk[1].n, tk[1].col, 1000000, "version", &v) < 0)
				goto fail;
			if (v != RS_VERSION) {
				perr(&p, tk[1].col, "script version %" PRIu64 ": this scsiscope reads version %d", v, RS_VERSION);
				goto fail;
			}
			seen_header = true;
			continue;
		}
		if (tok_is(&tk[0], "cmd") || tok_is(&tk[0], "raw")) {
			seen_step = true;
			if (!(st = rs_add_step(out))) {
				perr(&p, tk[0].col, "more than %d steps", RS_STEPS_MAX);
				goto fail;
			}
			st->line = p.line;
			if ((tk[0].p[0] == 'c' ? parse_cmd(&p, tk, n, st) : parse_raw(&p, tk, n, st)) < 0)
				goto fail;
			continue;
		}
		if (parse_directive(&p, tk, n, out, &known) < 0)
			goto fail;
		if (!known) {
			char sh[40];
			perr(&p, tk[0].col, "unknown keyword '%s' (cmd, raw, device, transport, lun, block-size, timeout)",
			     show(&tk[0], sh, sizeof(sh)));
			goto fail;
		}
		if (seen_step) {
			perr(&p, tk[0].col, "'%.*s' after the first step: the header comes first", (int)tk[0].n, tk[0].p);
			goto fail;
		}
	}
	if (!seen_header) {
		p.line = p.line ? p.line : 1;
		perr(&p, 1, "empty script: expected the header 'scsiscope-replay %d'", RS_VERSION);
		goto fail;
	}
	free(tk);
	return 0;
fail:
	free(tk);
	rs_free(out);
	return -1;
}

int rs_parse_file(const char *path, struct rs_script *out, char *err, size_t err_size)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int rc;

	rs_init(out);
	if (!f) {
		snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	sb_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb.len + n > RS_FILE_MAX) {
			snprintf(err, err_size, "%s: larger than %u bytes", path, RS_FILE_MAX);
			fclose(f);
			sb_release(&sb);
			return -1;
		}
		sb_add(&sb, buf, n);
	}
	if (ferror(f)) {
		snprintf(err, err_size, "%s: read error: %s", path, strerror(errno));
		fclose(f);
		sb_release(&sb);
		return -1;
	}
	fclose(f);
	rc = rs_parse(sb.buf ? sb.buf : "", sb.len, path, out, err, err_size);
	sb_release(&sb);
	return rc;
}

/* ------------------------------------------------------------------ writer */

static void add_quoted(struct strbuf *sb, const char *key, const char *v)
{
	sb_addf(sb, " %s=\"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, (unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v);
	}
	sb_addc(sb, '"');
}

static void add_hex_spaced(struct strbuf *sb, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, " %02x", b[i]);
}

void rs_write(struct strbuf *sb, const struct rs_script *s, const char *preamble, rs_comment_fn comment, void *ctx)
{
	char d[32];

	sb_addf(sb, "scsiscope-replay %d\n", RS_VERSION);
	if (preamble)
		sb_adds(sb, preamble);
	if (s->has_device) {
		sb_addf(sb, "device %04x:%04x", s->vid, s->pid);
		if (s->serial[0])
			add_quoted(sb, "serial", s->serial);
		if (s->vendor[0])
			add_quoted(sb, "vendor", s->vendor);
		if (s->product[0])
			add_quoted(sb, "product", s->product);
		sb_addc(sb, '\n');
	}
	if (s->transport)
		sb_addf(sb, "transport %s\n", s->transport == RS_TRANSPORT_UAS ? "uas" : "bot");
	sb_addf(sb, "lun %" PRIu64 "\n", s->lun);
	if (s->block_size)
		sb_addf(sb, "block-size %" PRIu32 "\n", s->block_size);
	if (s->timeout_us) {
		rs_format_duration(d, sizeof(d), s->timeout_us);
		sb_addf(sb, "timeout %s\n", d);
	}
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct rs_step *st = &s->steps[i];
		bool raw = st->kind != RS_CMD;
		sb_addc(sb, '\n');
		if (comment)
			comment(ctx, i, sb);
		if (st->kind == RS_CMD) {
			sb_adds(sb, "cmd");
			add_hex_spaced(sb, st->cdb, st->cdb_len);
			if (st->dir == SCSI_DIR_IN)
				sb_addf(sb, " in=%" PRIu32, st->xfer_len);
			else if (st->dir == SCSI_DIR_OUT)
				sb_addf(sb, " out=%" PRIu32, st->xfer_len);
			if (st->data_sidecar)
				sb_addf(sb, " data=@%016" PRIx64, st->data_hash);
			else if (st->dir == SCSI_DIR_OUT && st->data_len) {
				sb_adds(sb, " data=");
				sb_add_hex(sb, st->data, st->data_len);
			}
			if (st->has_lun)
				sb_addf(sb, " lun=%" PRIu64, st->lun);
		} else if (st->kind == RS_RAW_OUT) {
			sb_adds(sb, "raw out");
			add_hex_spaced(sb, st->data, st->data_len);
		} else {
			sb_addf(sb, "raw in %" PRIu32, st->xfer_len);
		}
		if (st->timeout_us) {
			rs_format_duration(d, sizeof(d), st->timeout_us);
			sb_addf(sb, " timeout=%s", d);
		}
		if (st->gap_us >= 0) {
			rs_format_duration(d, sizeof(d), st->gap_us);
			sb_addf(sb, " gap=%s", d);
		}
		if (st->exp_status != RS_STATUS_UNSET || st->exp_sense || st->exp_len || st->exp_hash) {
			sb_adds(sb, " expect");
			if (raw && st->exp_status == RS_STATUS_STALL)
				sb_adds(sb, " stall");
			else if (raw && st->exp_status == RS_STATUS_OK)
				sb_adds(sb, " ok");
			else if (st->exp_status == RS_STATUS_NONE)
				sb_adds(sb, " status=none");
			else if (st->exp_status >= 0) {
				const char *w = rs_status_word(st->exp_status);
				if (w)
					sb_addf(sb, " status=%s", w);
				else
					sb_addf(sb, " status=0x%02x", (unsigned)st->exp_status);
			}
			if (st->exp_sense)
				sb_addf(sb, " sense=%02x/%02x/%02x", st->exp_key, st->exp_asc, st->exp_ascq);
			if (st->exp_len)
				sb_addf(sb, " data=%" PRIu64, st->exp_len_value);
			if (st->exp_hash)
				sb_addf(sb, " hash=%016" PRIx64, st->exp_hash_value);
		}
		sb_addc(sb, '\n');
	}
}

/* ------------------------------------------------------------------ data */

void rs_sidecar_path(const char *script_path, uint64_t hash, char *out, size_t size)
{
	snprintf(out, size, "%s.data/%016" PRIx64 ".bin", script_path, hash);
}

int rs_load_data(const struct rs_step *st, const char *script_path, uint8_t **buf, uint32_t *len, char *err,
		 size_t err_size)
{
	char path[4096];
	FILE *f;
	uint8_t *b;
	size_t got;
	int extra;

	*buf = NULL;
	*len = 0;
	if (!st->data_sidecar) {
		if (!st->data_len)
			return 0;
		if (!(b = malloc(st->data_len))) {
			snprintf(err, err_size, "out of memory");
			return -1;
		}
		memcpy(b, st->data, st->data_len);
		*buf = b;
		*len = st->data_len;
		return 0;
	}
	rs_sidecar_path(script_path, st->data_hash, path, sizeof(path));
	if (!(f = fopen(path, "rb"))) {
		snprintf(err, err_size, "%s:%" PRIu32 ": data file %s: %s", script_path, st->line, path, strerror(errno));
		return -1;
	}
	if (!(b = malloc(st->xfer_len ? st->xfer_len : 1))) {
		fclose(f);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	got = fread(b, 1, st->xfer_len, f);
	extra = fgetc(f);
	fclose(f);
	if (got != st->xfer_len || extra != EOF) {
		snprintf(err, err_size, "%s:%" PRIu32 ": data file %s has %s bytes than out=%" PRIu32, script_path,
			 st->line, path, got != st->xfer_len ? "fewer" : "more", st->xfer_len);
		free(b);
		return -1;
	}
	if (XXH3_64bits(b, got) != st->data_hash) {
		snprintf(err, err_size, "%s:%" PRIu32 ": data file %s does not hash to its name (changed?)", script_path,
			 st->line, path);
		free(b);
		return -1;
	}
	*buf = b;
	*len = (uint32_t)got;
	return 0;
}
