/* filter.c - compile filter expressions into a small tree and evaluate them against transactions. */
#include "config.h"
#include "analyze/filter.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/hci.h"
#include "decode/scsi.h"
#include "decode/usb_control.h"
#include "util/tsmath.h"

/* ------------------------------------------------------------------ fields */

enum ftype {
	FT_NUM,                   /* a signed or unsigned integer */
	FT_TIME,                  /* nanoseconds; literals are seconds with an optional fraction */
	FT_STR,                   /* text, compared without regard to case */
	FT_LIST,                  /* several texts (finding ids): ==/~ any of them, !=/!~ none */
};

enum field_id {
	F_KIND, F_FRAME, F_LAST_FRAME, F_TIME, F_DURATION_US, F_BUS, F_DEVICE, F_INTERFACE, F_LUN, F_TAG,
	F_TRANSPORT, F_OPCODE, F_SERVICE_ACTION, F_NAME, F_LBA, F_BLOCKS, F_ALLOC_LEN, F_DIRECTION,
	F_EXPECTED_BYTES, F_MOVED_BYTES, F_CAPTURED_BYTES, F_STATUS, F_CSW_STATUS, F_RESIDUE, F_SENSE_KEY,
	F_SENSE_ASC, F_SENSE_ASCQ, F_END, F_FINDING, F_SEVERITY, F_USB_STATUS, F_REQUEST, F_ENDPOINT,
	F_HCI_STATUS, F_HCI_EVENT, F_HANDLE, F_CID,
	F_COUNT
};

struct keyword {
	const char *word;
	int64_t value;
};

/* SCSI status codes: SAM-5, 5.3.1 "Status codes" (table 38). */
static const struct keyword status_kw[] = {
	{ "good", 0x00 }, { "check-condition", 0x02 }, { "condition-met", 0x04 }, { "busy", 0x08 },
	{ "reservation-conflict", 0x18 }, { "task-set-full", 0x28 }, { "aca-active", 0x30 },
	{ "task-aborted", 0x40 }, { NULL, 0 },
};
static const struct keyword severity_kw[] = {
	{ "info", SEV_INFO }, { "warning", SEV_WARNING }, { "error", SEV_ERROR }, { NULL, 0 },
};
/* usb.status also takes every Linux errno name the capture layer knows (EPIPE, EPROTO, ...). */
static const struct keyword usb_status_kw[] = {
	{ "ok", 0 }, { "stall", -32 }, { NULL, 0 },
};
static const struct keyword kind_kw[] = { { "scsi", 0 }, { "control", 0 }, { "usb", 0 }, { "bt", 0 }, { NULL, 0 } };
static const struct keyword transport_kw[] = { { "bot", 0 }, { "uas", 0 }, { "none", 0 }, { NULL, 0 } };
static const struct keyword direction_kw[] = { { "in", 0 }, { "out", 0 }, { "none", 0 }, { NULL, 0 } };
static const struct keyword end_kw[] = {
	{ "status", 0 }, { "capture-ended", 0 }, { "reset", 0 }, { "aborted", 0 }, { "device-gone", 0 },
	{ "superseded", 0 }, { NULL, 0 },
};

struct field_def {
	const char *name;
	uint8_t type;             /* enum ftype */
	const struct keyword *kw; /* FT_NUM: words standing for numbers; FT_STR: the values it takes */
	const char *help;
};

static const struct field_def fields[F_COUNT] = {
	[F_KIND] = { "kind", FT_STR, kind_kw, "scsi, control, usb (a notable USB event) or bt (Bluetooth)" },
	[F_FRAME] = { "frame", FT_NUM, NULL, "first frame (CBW, Command IU, setup, the event's frame)" },
	[F_LAST_FRAME] = { "last_frame", FT_NUM, NULL, "last frame of the transaction" },
	[F_TIME] = { "time", FT_TIME, NULL, "start, in seconds since the first record (fractions allowed)" },
	[F_DURATION_US] = { "duration_us", FT_NUM, NULL, "microseconds from start to end (scsi, control)" },
	[F_BUS] = { "bus", FT_NUM, NULL, "USB bus number" },
	[F_DEVICE] = { "device", FT_NUM, NULL, "USB device address" },
	[F_INTERFACE] = { "interface", FT_NUM, NULL, "storage interface number (scsi)" },
	[F_LUN] = { "lun", FT_NUM, NULL, "logical unit (scsi)" },
	[F_TAG] = { "tag", FT_NUM, NULL, "BOT dCBWTag or UAS IU tag (scsi)" },
	[F_TRANSPORT] = { "transport", FT_STR, transport_kw, "bot or uas (scsi)" },
	[F_OPCODE] = { "opcode", FT_NUM, NULL, "CDB operation code (scsi); HCI command opcode (bt); ATT opcode, SMP or signalling code (bt L2CAP)" },
	[F_SERVICE_ACTION] = { "service_action", FT_NUM, NULL, "CDB service action, for opcodes that have one" },
	[F_NAME] = { "name", FT_STR, NULL, "command name, control request name, USB event kind, or the HCI command/event or ATT/SMP/L2CAP PDU name" },
	[F_LBA] = { "lba", FT_NUM, NULL, "logical block address in the CDB" },
	[F_BLOCKS] = { "blocks", FT_NUM, NULL, "transfer length in blocks in the CDB" },
	[F_ALLOC_LEN] = { "alloc_len", FT_NUM, NULL, "allocation/parameter list length in the CDB" },
	[F_DIRECTION] = { "direction", FT_STR, direction_kw, "in, out or none" },
	[F_EXPECTED_BYTES] = { "expected_bytes", FT_NUM, NULL, "bytes the transport announced (scsi), wLength (control)" },
	[F_MOVED_BYTES] = { "moved_bytes", FT_NUM, NULL, "bytes the data phase or data stage moved" },
	[F_CAPTURED_BYTES] = { "captured_bytes", FT_NUM, NULL, "bytes of the data that are in the capture" },
	[F_STATUS] = { "status", FT_NUM, status_kw, "SCSI status byte, or none when the command got none" },
	[F_CSW_STATUS] = { "csw_status", FT_NUM, NULL, "BOT bCSWStatus (0 passed, 1 failed, 2 phase error)" },
	[F_RESIDUE] = { "residue", FT_NUM, NULL, "BOT dCSWDataResidue" },
	[F_SENSE_KEY] = { "sense.key", FT_NUM, NULL, "sense key" },
	[F_SENSE_ASC] = { "sense.asc", FT_NUM, NULL, "additional sense code" },
	[F_SENSE_ASCQ] = { "sense.ascq", FT_NUM, NULL, "additional sense code qualifier" },
	[F_END] = { "end", FT_STR, end_kw, "how it ended: status, capture-ended, reset, aborted, device-gone, superseded" },
	[F_FINDING] = { "finding", FT_LIST, NULL, "ids of the attached findings (==, ~: any; !=, !~: none)" },
	[F_SEVERITY] = { "severity", FT_NUM, severity_kw, "highest severity of the attached findings: info < warning < error" },
	[F_USB_STATUS] = { "usb.status", FT_NUM, usb_status_kw, "URB status of a control transfer or USB event (-32 = stall)" },
	[F_REQUEST] = { "request", FT_NUM, NULL, "bRequest of a control transfer" },
	[F_ENDPOINT] = { "endpoint", FT_NUM, NULL, "endpoint address of a control transfer or USB event (bit 7 = IN)" },
	[F_HCI_STATUS] = { "hci.status", FT_NUM, NULL, "HCI status of a command's answer or of an event (bt): 0 success" },
	[F_HCI_EVENT] = { "hci.event", FT_NUM, NULL, "HCI event code (bt events; 14/15 for a command's answer)" },
	[F_HANDLE] = { "handle", FT_NUM, NULL, "Bluetooth connection handle (bt)" },
	[F_CID] = { "cid", FT_NUM, NULL, "L2CAP channel id (bt): 4 ATT, 6 SMP, 1 and 5 signalling" },
};

const char *filter_field_name(unsigned i)
{
	return i < F_COUNT ? fields[i].name : NULL;
}

const char *filter_field_help(unsigned i)
{
	return i < F_COUNT ? fields[i].help : NULL;
}

/* -------------------------------------------------------------------- tree */

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_MATCH, OP_NMATCH };
static const char *const op_text[] = { "==", "!=", "<", "<=", ">", ">=", "~", "!~" };

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_HAS };
enum rhs_kind { R_NUM, R_STR, R_FIELD, R_NONE };

struct node {
	uint8_t kind;             /* enum node_kind */
	uint8_t op;               /* enum op (N_CMP) */
	uint8_t field;            /* N_CMP, N_HAS */
	uint8_t rkind;            /* enum rhs_kind (N_CMP) */
	uint8_t rfield;           /* R_FIELD */
	bool neg;                 /* R_NUM: the value is -mag */
	uint64_t mag;
	const char *str;          /* R_STR: in the filter's string pool */
	int child;                /* N_AND, N_OR, N_NOT: first operand; -1 none */
	int next;                 /* next operand of the parent; -1 none */
};

struct filter {
	struct node *nodes;
	int n, alloc;
	int root;
	char *pool;               /* unescaped strings, NUL-terminated, no larger than the expression */
	size_t pool_len;
};

/* ------------------------------------------------------------------- lexer */

enum tok {
	T_END, T_LPAREN, T_RPAREN, T_AND, T_OR, T_NOT, T_OP, T_NUM, T_STR, T_WORD,
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;               /* after the current token */
	struct error *err;
	struct filter *f;
	/* the current token */
	uint8_t tok;
	size_t start, end;        /* its text */
	uint8_t op;
	bool neg, has_frac, hex;
	uint64_t mag;
	uint32_t frac_ns;
	const char *str;          /* T_STR: unescaped, in the pool */
};

static unsigned col(size_t off)
{
	return (unsigned)off + 1;
}

/* The current token as the error messages quote it. */
static const char *tok_desc(const struct parser *p, char *buf, size_t size)
{
	size_t n = p->end - p->start;

	if (p->tok == T_END)
		return "end of expression";
	if (n > 24)
		snprintf(buf, size, "'%.24s...'", p->s + p->start);
	else
		snprintf(buf, size, "'%.*s'", (int)n, p->s + p->start);
	return buf;
}

static bool is_word_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static int lex_number(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;
	uint64_t v = 0;
	unsigned scale = 100000000;

	p->mag = 0;
	p->frac_ns = 0;
	p->has_frac = false;
	p->hex = false;
	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		i += 2;
		p->hex = true;
		if (!isxdigit((unsigned char)s[i]))
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: expected hex digits after '0x'", col(i));
		for (; isxdigit((unsigned char)s[i]); i++) {
			unsigned d = isdigit((unsigned char)s[i]) ? (unsigned)(s[i] - '0')
				: (unsigned)(tolower((unsigned char)s[i]) - 'a' + 10);
			if (v > (UINT64_MAX >> 4))
				return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: number too large (more than 64 bits)",
						 col(p->start));
			v = (v << 4) | d;
		}
	} else {
		for (; isdigit((unsigned char)s[i]); i++) {
			unsigned d = (unsigned)(s[i] - '0');
			if (v > (UINT64_MAX - d) / 10)
				return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: number too large (more than 64 bits)",
						 col(p->start));
			v = v * 10 + d;
		}
		if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
			p->has_frac = true;
			for (i++; isdigit((unsigned char)s[i]); i++) {
				p->frac_ns += (uint32_t)(s[i] - '0') * scale;
				scale /= 10;        /* digits past nanoseconds add 0 */
			}
		}
	}
	if (is_word_char((unsigned char)s[i]))
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: unexpected '%c' in a number", col(i), s[i]);
	p->mag = v;
	p->pos = i;
	return 0;
}

static int lex_string(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->start + 1;
	char *out = p->f->pool + p->f->pool_len;
	size_t n = 0;

	for (;;) {
		if (i >= p->len)
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: string never closed (missing '\"')",
					 col(p->start));
		if (s[i] == '"')
			break;
		if (s[i] == '\\') {
			if (i + 1 < p->len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
				out[n++] = s[i + 1];
				i += 2;
				continue;
			}
			return error_set(p->err, 0, ERROR_NO_OFFSET,
					 "column %u: unknown escape in a string (only \\\" and \\\\ are known)", col(i));
		}
		out[n++] = s[i++];
	}
	out[n] = '\0';
	p->str = out;
	p->f->pool_len += n + 1;
	p->pos = i + 1;
	return 0;
}

/* Read the next token into p.  -1 on a lexical error. */
static int next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;
	char c;

	while (i < p->len && isspace((unsigned char)s[i]))
		i++;
	p->start = p->pos = i;
	p->neg = false;
	if (i >= p->len) {
		p->tok = T_END;
		p->end = i;
		return 0;
	}
	c = s[i];
	p->pos = i + 1;
	switch (c) {
	case '(': p->tok = T_LPAREN; break;
	case ')': p->tok = T_RPAREN; break;
	case '&':
		if (s[i + 1] != '&')
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: '&' alone is not an operator; use '&&'",
					 col(i));
		p->tok = T_AND;
		p->pos = i + 2;
		break;
	case '|':
		if (s[i + 1] != '|')
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: '|' alone is not an operator; use '||'",
					 col(i));
		p->tok = T_OR;
		p->pos = i + 2;
		break;
	case '!':
		if (s[i + 1] == '=') {
			p->tok = T_OP, p->op = OP_NE, p->pos = i + 2;
		} else if (s[i + 1] == '~') {
			p->tok = T_OP, p->op = OP_NMATCH, p->pos = i + 2;
		} else {
			p->tok = T_NOT;
		}
		break;
	case '=':
		if (s[i + 1] != '=')
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: '=' alone is not an operator; use '=='",
					 col(i));
		p->tok = T_OP, p->op = OP_EQ, p->pos = i + 2;
		break;
	case '<':
	case '>':
		p->tok = T_OP;
		if (s[i + 1] == '=') {
			p->op = c == '<' ? OP_LE : OP_GE;
			p->pos = i + 2;
		} else {
			p->op = c == '<' ? OP_LT : OP_GT;
		}
		break;
	case '~': p->tok = T_OP, p->op = OP_MATCH; break;
	case '"':
		p->tok = T_STR;
		if (lex_string(p) < 0)
			return -1;
		break;
	default:
		if (c == '-' && isdigit((unsigned char)s[i + 1])) {
			p->pos = i + 1;
			if (lex_number(p) < 0)
				return -1;
			p->neg = p->mag != 0 || p->frac_ns != 0;
			p->tok = T_NUM;
		} else if (isdigit((unsigned char)c)) {
			p->pos = i;
			if (lex_number(p) < 0)
				return -1;
			p->tok = T_NUM;
		} else if (is_word_start((unsigned char)c)) {
			while (p->pos < p->len && is_word_char((unsigned char)s[p->pos]))
				p->pos++;
			p->tok = T_WORD;
		} else if (isprint((unsigned char)c)) {
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: unexpected character '%c'", col(i), c);
		} else {
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: unexpected byte 0x%02x", col(i),
					 (unsigned char)c);
		}
	}
	p->end = p->pos;
	return 0;
}

/* ------------------------------------------------------------------ parser */

static bool word_is(const struct parser *p, const char *w)
{
	size_t n = p->end - p->start;

	return p->tok == T_WORD && strlen(w) == n && strncmp(p->s + p->start, w, n) == 0;
}

/* Keywords compare without regard to case, and '_' stands for '-'. */
static bool kw_eq(const char *kw, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && kw[i]; i++) {
		char a = kw[i], b = (char)tolower((unsigned char)s[i]);
		if (b == '_')
			b = '-';
		if (a != b)
			return false;
	}
	return i == n && !kw[i];
}

static int field_lookup(const char *s, size_t n)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(fields[i].name) == n && strncmp(fields[i].name, s, n) == 0)
			return i;
	return -1;
}

static int unknown_field(struct parser *p)
{
	char list[360];
	size_t used = 0;

	list[0] = '\0';
	for (int i = 0; i < F_COUNT && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? " " : "", fields[i].name);
	return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: unknown field '%.*s'; fields are: %s", col(p->start),
			 (int)(p->end - p->start > 40 ? 40 : p->end - p->start), p->s + p->start, list);
}

static int new_node(struct parser *p, uint8_t kind)
{
	struct filter *f = p->f;
	struct node *n;

	if (f->n == f->alloc) {
		int na = f->alloc ? f->alloc * 2 : 16;
		struct node *nn = realloc(f->nodes, (size_t)na * sizeof(*nn));
		if (!nn)
			return error_set(p->err, 0, ERROR_NO_OFFSET, "out of memory");
		f->nodes = nn;
		f->alloc = na;
	}
	n = &f->nodes[f->n];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->child = n->next = -1;
	return f->n++;
}

static int parse_or(struct parser *p, int depth);

static const char *kw_list(const struct keyword *kw, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; kw[i].word && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", kw[i].word);
	return buf;
}

static bool kw_find(const struct keyword *kw, const char *s, size_t n, int64_t *value)
{
	for (int i = 0; kw && kw[i].word; i++)
		if (kw_eq(kw[i].word, s, n)) {
			*value = kw[i].value;
			return true;
		}
	return false;
}

/* usb.status: an errno name the capture layer knows (EPIPE, EPROTO...). */
static bool errno_find(const char *s, size_t n, int64_t *value)
{
	for (int32_t v = -1; v >= -200; v--) {
		const char *name = usb_status_errno_name(v);
		if (name && strlen(name) == n && strncasecmp(name, s, n) == 0) {
			*value = v;
			return true;
		}
	}
	return false;
}

static const char *pool_add(struct filter *f, const char *w, size_t n)
{
	char *out = f->pool + f->pool_len;

	memcpy(out, w, n);
	out[n] = '\0';
	f->pool_len += n + 1;
	return out;
}

static void set_num(struct node *n, int64_t v)
{
	n->neg = v < 0;
	n->mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

/* The right-hand side of `field op`, the current token. */
static int parse_value(struct parser *p, int ni, size_t op_start)
{
	struct node *n = &p->f->nodes[ni];
	const struct field_def *fd = &fields[n->field];
	size_t wn = p->end - p->start;
	const char *w = p->s + p->start;
	char buf[48], kws[200];
	int64_t kv;
	int rf;

	switch (p->tok) {
	case T_NUM:
		if (fd->type == FT_STR || fd->type == FT_LIST)
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s is text; put the value in quotes",
					 col(p->start), fd->name);
		n->rkind = R_NUM;
		if (fd->type == FT_TIME) {
			if (p->mag > UINT64_MAX / 1000000000u - 1)
				return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: time too large", col(p->start));
			n->mag = p->mag * 1000000000u + p->frac_ns;
		} else {
			if (p->has_frac)
				return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s wants a whole number",
						 col(p->start), fd->name);
			n->mag = p->mag;
		}
		n->neg = p->neg;
		return 0;
	case T_STR:
		if (fd->type != FT_STR && fd->type != FT_LIST)
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s is a number, not text", col(p->start),
					 fd->name);
		if (fd->kw && (n->op == OP_EQ || n->op == OP_NE) && !kw_find(fd->kw, p->str, strlen(p->str), &kv))
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s is one of: %s", col(p->start),
					 fd->name, kw_list(fd->kw, kws, sizeof(kws)));
		n->rkind = R_STR;
		n->str = p->str;
		return 0;
	case T_WORD:
		break;
	default:
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: expected a value after '%s', found %s",
				 col(p->start), op_text[n->op], tok_desc(p, buf, sizeof(buf)));
	}
	/* a bare word: a keyword of the field, another field, or (text fields) text */
	if (fd->type == FT_NUM) {
		if (n->field == F_STATUS && kw_eq("none", w, wn)) {
			if (n->op != OP_EQ && n->op != OP_NE)
				return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: status can only be == or != none",
						 col(op_start));
			n->rkind = R_NONE;
			return 0;
		}
		if (kw_find(fd->kw, w, wn, &kv) || (n->field == F_USB_STATUS && errno_find(w, wn, &kv))) {
			n->rkind = R_NUM;
			set_num(n, kv);
			return 0;
		}
	} else if (fd->kw && kw_find(fd->kw, w, wn, &kv)) {
		n->rkind = R_STR;
		n->str = pool_add(p->f, w, wn);
		return 0;
	}
	rf = field_lookup(w, wn);
	if (rf >= 0) {
		const struct field_def *rd = &fields[rf];
		bool num_l = fd->type == FT_NUM || fd->type == FT_TIME, num_r = rd->type == FT_NUM || rd->type == FT_TIME;
		if (rd->type == FT_LIST || fd->type == FT_LIST)
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: finding compares only with text",
					 col(p->start));
		if (num_l != num_r || (num_l && (fd->type == FT_TIME) != (rd->type == FT_TIME)))
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: cannot compare %s with %s (%s)",
					 col(p->start), fd->name, rd->name,
					 num_l ? "a number with text or a time" : "text with a number");
		n->rkind = R_FIELD;
		n->rfield = (uint8_t)rf;
		return 0;
	}
	if (fd->type == FT_STR || fd->type == FT_LIST) {
		if (fd->kw && (n->op == OP_EQ || n->op == OP_NE))
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s is one of: %s", col(p->start),
					 fd->name, kw_list(fd->kw, kws, sizeof(kws)));
		n->rkind = R_STR;
		n->str = pool_add(p->f, w, wn);
		return 0;
	}
	if (fd->kw)
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s wants a number, a field or one of: %s%s%s",
				 col(p->start), fd->name, kw_list(fd->kw, kws, sizeof(kws)),
				 n->field == F_STATUS ? ", none" : "",
				 n->field == F_USB_STATUS ? ", an errno name (EPIPE, EPROTO...)" : "");
	return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: %s wants a number or a field, found %s",
			 col(p->start), fd->name, tok_desc(p, buf, sizeof(buf)));
}

static int parse_has(struct parser *p)
{
	char buf[48];
	int ni, fi;

	if (next(p) < 0)
		return -1;
	if (p->tok != T_LPAREN)
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: expected '(' after has, found %s", col(p->start),
				 tok_desc(p, buf, sizeof(buf)));
	if (next(p) < 0)
		return -1;
	if (p->tok != T_WORD)
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: expected a field name in has(), found %s",
				 col(p->start), tok_desc(p, buf, sizeof(buf)));
	if (word_is(p, "sense"))
		fi = F_SENSE_KEY;     /* has(sense): the command carries sense data */
	else if ((fi = field_lookup(p->s + p->start, p->end - p->start)) < 0)
		return unknown_field(p);
	if (next(p) < 0)
		return -1;
	if (p->tok != T_RPAREN)
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: expected ')' after has(%s, found %s",
				 col(p->start), fields[fi].name, tok_desc(p, buf, sizeof(buf)));
	if ((ni = new_node(p, N_HAS)) < 0)
		return -1;
	p->f->nodes[ni].field = (uint8_t)fi;
	return next(p) < 0 ? -1 : ni;
}

static int parse_cmp(struct parser *p)
{
	const struct field_def *fd;
	char buf[48];
	size_t op_start;
	int ni, fi = field_lookup(p->s + p->start, p->end - p->start);

	if (fi < 0)
		return unknown_field(p);
	fd = &fields[fi];
	if (next(p) < 0)
		return -1;
	if (p->tok != T_OP)
		return error_set(p->err, 0, ERROR_NO_OFFSET,
				 "column %u: expected an operator (== != < <= > >= ~ !~) after %s, found %s%s",
				 col(p->start), fd->name, tok_desc(p, buf, sizeof(buf)),
				 p->tok == T_END || p->tok == T_AND || p->tok == T_OR || p->tok == T_RPAREN
				 ? " (to test that a field is there, write has(FIELD))" : "");
	if ((ni = new_node(p, N_CMP)) < 0)
		return -1;
	p->f->nodes[ni].field = (uint8_t)fi;
	p->f->nodes[ni].op = p->op;
	op_start = p->start;
	if ((p->op == OP_MATCH || p->op == OP_NMATCH) && fd->type != FT_STR && fd->type != FT_LIST)
		return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: '%s' matches text, and %s is a number",
				 col(op_start), op_text[p->op], fd->name);
	if (p->op != OP_EQ && p->op != OP_NE && p->op != OP_MATCH && p->op != OP_NMATCH
	    && (fd->type == FT_STR || fd->type == FT_LIST))
		return error_set(p->err, 0, ERROR_NO_OFFSET,
				 "column %u: %s is text: use ==, !=, ~ (contains) or !~, not '%s'", col(op_start),
				 fd->name, op_text[p->op]);
	if (next(p) < 0)
		return -1;
	if (parse_value(p, ni, op_start) < 0)
		return -1;
	return next(p) < 0 ? -1 : ni;
}

static int parse_unary(struct parser *p, int depth)
{
	char buf[48];
	size_t open;
	int ni, c;

	switch (p->tok) {
	case T_NOT:
	case T_LPAREN:
		if (depth >= FILTER_DEPTH_MAX)
			return error_set(p->err, 0, ERROR_NO_OFFSET, "column %u: nested more than %d deep", col(p->start),
					 FILTER_DEPTH_MAX);
		if (p->tok == T_NOT) {
			if (next(p) < 0 || (c = parse_unary(p, depth + 1)) < 0)
				return -1;
			if ((ni = new_node(p, N_NOT)) < 0)
				return -1;
			p->f->nodes[ni].child = c;
			return ni;
		}
		open = p->start;
		if (next(p) < 0 || (c = parse_or(p, depth + 1)) < 0)
			return -1;
		if (p->tok != T_RPAREN)
			return error_set(p->err, 0, ERROR_NO_OFFSET,
					 "column %u: expected ')' to close the '(' at column %u, found %s", col(p->start),
					 col(open), tok_desc(p, buf, sizeof(buf)));
		return next(p) < 0 ? -1 : c;
	case T_WORD:
		if (word_is(p, "has")) {
			size_t i = p->pos;
			while (i < p->len && isspace((unsigned char)p->s[i]))
				i++;
			if (i < p->len && p->s[i] == '(')
				return parse_has(p);
		}
		return parse_cmp(p);
	default:
		return error_set(p->err, 0, ERROR_NO_OFFSET,
				 "column %u: expected a comparison (FIELD OP VALUE), '(', '!' or has(FIELD), found %s",
				 col(p->start), tok_desc(p, buf, sizeof(buf)));
	}
}

/* Operands joined by one operator (&& or ||) become one node with a list. */
static int parse_chain(struct parser *p, int depth, uint8_t tok, uint8_t kind)
{
	int first, last, ni, c;

	first = kind == N_AND ? parse_unary(p, depth) : parse_chain(p, depth, T_AND, N_AND);
	if (first < 0 || p->tok != tok)
		return first;
	if ((ni = new_node(p, kind)) < 0)
		return -1;
	p->f->nodes[ni].child = last = first;
	while (p->tok == tok) {
		if (next(p) < 0)
			return -1;
		c = kind == N_AND ? parse_unary(p, depth) : parse_chain(p, depth, T_AND, N_AND);
		if (c < 0)
			return -1;
		p->f->nodes[last].next = c;
		last = c;
	}
	return ni;
}

static int parse_or(struct parser *p, int depth)
{
	return parse_chain(p, depth, T_OR, N_OR);
}

int filter_compile(const char *expr, struct filter **out, struct error *err)
{
	struct parser p;
	struct filter *f;
	size_t len = strlen(expr);
	char buf[48];
	int root;

	*out = NULL;
	if (len > FILTER_EXPR_MAX)
		return error_set(err, 0, ERROR_NO_OFFSET, "column %u: the expression is longer than %d characters",
				 FILTER_EXPR_MAX + 1, FILTER_EXPR_MAX);
	f = calloc(1, sizeof(*f));
	/* Every string or word value is copied once, with a NUL, out of the
	 * expression's own characters: twice its length is more than enough. */
	if (!f || !(f->pool = malloc(2 * len + 2))) {
		free(f);
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	}
	memset(&p, 0, sizeof(p));
	p.s = expr;
	p.len = len;
	p.err = err;
	p.f = f;
	if (next(&p) < 0)
		goto fail;
	if (p.tok == T_END) {
		error_set(err, 0, ERROR_NO_OFFSET, "column 1: the expression is empty");
		goto fail;
	}
	root = parse_or(&p, 0);
	if (root < 0)
		goto fail;
	if (p.tok != T_END) {
		error_set(err, 0, ERROR_NO_OFFSET, "column %u: expected '&&', '||' or the end of the expression, found %s%s",
			  col(p.start), tok_desc(&p, buf, sizeof(buf)),
			  p.tok == T_RPAREN ? " (no '(' to close)" : "");
		goto fail;
	}
	f->root = root;
	*out = f;
	return 0;
fail:
	filter_free(f);
	return -1;
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	free(f->nodes);
	free(f->pool);
	free(f);
}

/* --------------------------------------------------------------- evaluate */

struct ectx {
	const struct txn *t;
	int64_t t0;
	char name[64];            /* bt_name's buffer */
	bool ci_done;
	struct cdb_info ci;
};

/* A field's value on one transaction. */
struct fval {
	bool is_str;
	bool none;                /* status: the command got none */
	bool neg;
	uint64_t mag;
	const char *str;
};

static const struct cdb_info *cdb(struct ectx *e)
{
	if (!e->ci_done) {
		const struct scsi_txn *s = &e->t->u.scsi;
		e->ci = *scsi_txn_cdb(s, &e->ci);
		e->ci_done = true;
	}
	return &e->ci;
}

static bool num(struct fval *v, uint64_t x)
{
	v->mag = x;
	return true;
}

static bool snum(struct fval *v, int64_t x)
{
	v->neg = x < 0;
	v->mag = x < 0 ? (uint64_t)(-(x + 1)) + 1 : (uint64_t)x;
	return true;
}

static bool str(struct fval *v, const char *s)
{
	v->is_str = true;
	v->str = s;
	return true;
}

static void findings_of(const struct txn *t, const struct finding **f, uint32_t *n)
{
	*f = txn_findings(t, n);
	if (!*f)
		*n = 0;
}

static bool get_scsi(struct ectx *e, unsigned fid, struct fval *v)
{
	const struct scsi_txn *s = &e->t->u.scsi;

	switch (fid) {
	case F_KIND: return str(v, "scsi");
	case F_FRAME: return num(v, s->frame);
	case F_LAST_FRAME: return num(v, s->last_frame);
	case F_TIME: return snum(v, ts_sub(s->ts_start, e->t0));
	case F_DURATION_US: return snum(v, ts_sub(s->ts_end, s->ts_start) / 1000);
	case F_BUS: return num(v, s->bus);
	case F_DEVICE: return num(v, s->device);
	case F_INTERFACE: return num(v, s->interface);
	case F_LUN: return num(v, s->lun);
	case F_TAG: return num(v, s->tag);
	case F_TRANSPORT: return str(v, transport_name((enum transport)s->transport));
	case F_OPCODE: return s->cdb_len > 0 && num(v, s->cdb[0]);
	case F_SERVICE_ACTION: return cdb(e)->service_action >= 0 && num(v, (uint64_t)cdb(e)->service_action);
	case F_NAME: return cdb(e)->name && str(v, cdb(e)->name);
	case F_LBA: return cdb(e)->has_lba && num(v, cdb(e)->lba);
	case F_BLOCKS: return cdb(e)->has_blocks && num(v, cdb(e)->blocks);
	case F_ALLOC_LEN: return cdb(e)->has_bytes && num(v, cdb(e)->bytes);
	case F_DIRECTION: return str(v, scsi_dir_name((enum scsi_dir)s->direction));
	case F_EXPECTED_BYTES: return !s->expected_unknown && num(v, s->expected_bytes);
	case F_MOVED_BYTES: return num(v, s->data.bytes);
	case F_CAPTURED_BYTES: return num(v, s->data.captured);
	case F_STATUS:
		if (s->status < 0) {
			v->none = true;
			return true;
		}
		return num(v, (uint64_t)s->status);
	case F_CSW_STATUS: return s->csw_status >= 0 && num(v, (uint64_t)s->csw_status);
	case F_RESIDUE: return s->has_residue && num(v, s->residue);
	case F_SENSE_KEY: return s->sense.source != SENSE_NONE && num(v, s->sense.key);
	case F_SENSE_ASC: return s->sense.source != SENSE_NONE && num(v, s->sense.asc);
	case F_SENSE_ASCQ: return s->sense.source != SENSE_NONE && num(v, s->sense.ascq);
	case F_END: return str(v, txn_end_name((enum txn_end)s->end));
	}
	return false;
}

static bool get_control(struct ectx *e, unsigned fid, struct fval *v)
{
	const struct control_txn *c = &e->t->u.ctl;

	switch (fid) {
	case F_KIND: return str(v, "control");
	case F_FRAME: return num(v, c->frame);
	case F_LAST_FRAME: return num(v, c->last_frame);
	case F_TIME: return snum(v, ts_sub(c->ts_start, e->t0));
	case F_DURATION_US: return snum(v, ts_sub(c->ts_end, c->ts_start) / 1000);
	case F_BUS: return num(v, c->bus);
	case F_DEVICE: return num(v, c->device);
	case F_NAME: return c->has_setup && str(v, usb_request_name(c->setup));
	/* USB 2.0 9.3.1: bmRequestType bit 7 is the data stage direction. */
	case F_DIRECTION:
		if (!c->has_setup)
			return false;
		return str(v, (c->setup[0] & 0x80) ? "in" : usb_setup_wlength(c->setup) ? "out" : "none");
	case F_EXPECTED_BYTES: return c->has_setup && num(v, usb_setup_wlength(c->setup));
	case F_MOVED_BYTES: return num(v, c->data.bytes);
	case F_CAPTURED_BYTES: return num(v, c->data.captured);
	case F_USB_STATUS: return c->completed && snum(v, c->status);
	case F_REQUEST: return c->has_setup && num(v, c->setup[1]);
	case F_ENDPOINT: return num(v, c->endpoint);
	}
	return false;
}

static bool get_note(struct ectx *e, unsigned fid, struct fval *v)
{
	const struct usb_note *n = &e->t->u.note;

	switch (fid) {
	case F_KIND: return str(v, "usb");
	case F_FRAME: return num(v, n->frame);
	case F_LAST_FRAME: return num(v, n->frame);
	case F_TIME: return snum(v, ts_sub(n->ts, e->t0));
	case F_BUS: return num(v, n->bus);
	case F_DEVICE: return num(v, n->device);
	case F_NAME: return str(v, usb_note_kind_name((enum usb_note_kind)n->kind));
	case F_DIRECTION: return str(v, (n->endpoint & 0x80) ? "in" : "out");
	case F_USB_STATUS: return snum(v, n->status);
	case F_ENDPOINT: return num(v, n->endpoint);
	}
	return false;
}

static bool get_bt(struct ectx *e, unsigned fid, struct fval *v)
{
	const struct bt_txn *b = &e->t->u.bt;

	switch (fid) {
	case F_KIND: return str(v, "bt");
	case F_FRAME: return num(v, b->frame);
	case F_LAST_FRAME: return num(v, b->last_frame);
	case F_TIME: return snum(v, ts_sub(b->ts_start, e->t0));
	case F_DURATION_US: return snum(v, ts_sub(b->ts_end, b->ts_start) / 1000);
	case F_BUS: return num(v, b->bus);
	case F_DEVICE: return num(v, b->device);
	case F_NAME: return str(v, bt_name(b, e->name, sizeof(e->name)));
	case F_OPCODE:
		if (b->kind == BT_COMMAND)
			return num(v, b->opcode);
		return b->kind == BT_ACL && b->proto != BT_PROTO_NONE && b->proto != BT_PROTO_OTHER &&
		       b->data.head_len && num(v, b->code);
	case F_DIRECTION:
		return b->dir != HCI_DIR_NONE && str(v, b->dir == HCI_DIR_SENT ? "out" : "in");
	case F_MOVED_BYTES: return num(v, b->data.bytes);
	case F_CAPTURED_BYTES: return num(v, b->data.captured);
	case F_HCI_STATUS: return b->status >= 0 && num(v, (uint64_t)b->status);
	case F_HCI_EVENT: return b->event && num(v, b->event);
	case F_HANDLE: return b->handle != BT_HANDLE_NONE && num(v, b->handle);
	case F_CID: return b->kind == BT_ACL && b->proto != BT_PROTO_NONE && num(v, b->cid);
	}
	return false;
}

/* Fill v with field fid of the transaction; false when it has no such field. */
static bool get_field(struct ectx *e, unsigned fid, struct fval *v)
{
	memset(v, 0, sizeof(*v));
	if (fid == F_SEVERITY) {
		const struct finding *f;
		uint32_t n;
		uint8_t max = 0;
		findings_of(e->t, &f, &n);
		for (uint32_t i = 0; i < n; i++)
			if (f[i].severity > max)
				max = f[i].severity;
		return n > 0 && num(v, max);
	}
	switch (e->t->kind) {
	case TXN_SCSI: return get_scsi(e, fid, v);
	case TXN_CONTROL: return get_control(e, fid, v);
	case TXN_USB: return get_note(e, fid, v);
	case TXN_BT: return get_bt(e, fid, v);
	}
	return false;
}

/* -1, 0, 1 as a is below, equal to, above b (sign and magnitude). */
static int num_cmp(const struct fval *a, bool bneg, uint64_t bmag)
{
	if (a->mag == 0 && bmag == 0)
		return 0;
	if (a->neg != bneg)
		return a->neg ? -1 : 1;
	if (a->mag == bmag)
		return 0;
	return (a->mag < bmag) != a->neg ? -1 : 1;
}

static bool ci_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

static bool str_test(uint8_t op, const char *a, const char *b)
{
	switch (op) {
	case OP_EQ: return ci_equal(a, b);
	case OP_NE: return !ci_equal(a, b);
	case OP_MATCH: return ci_contains(a, b);
	case OP_NMATCH: return !ci_contains(a, b);
	}
	return false;
}

static bool eval_findings(struct ectx *e, const struct node *n)
{
	const struct finding *f;
	uint32_t cnt;
	bool positive = n->op == OP_EQ || n->op == OP_MATCH;
	uint8_t pos_op = n->op == OP_EQ || n->op == OP_NE ? OP_EQ : OP_MATCH;

	findings_of(e->t, &f, &cnt);
	for (uint32_t i = 0; i < cnt; i++)
		if (f[i].id && str_test(pos_op, f[i].id, n->str))
			return positive;
	return !positive;
}

static bool eval_cmp(struct ectx *e, const struct node *n)
{
	struct fval a, b;
	int c;

	if (n->field == F_FINDING)
		return eval_findings(e, n);
	if (!get_field(e, n->field, &a))
		return false;
	memset(&b, 0, sizeof(b));
	switch (n->rkind) {
	case R_FIELD:
		if (!get_field(e, n->rfield, &b))
			return false;
		break;
	case R_NUM: b.neg = n->neg; b.mag = n->mag; break;
	case R_STR: b.is_str = true; b.str = n->str; break;
	case R_NONE: b.none = true; break;
	}
	if (a.is_str || b.is_str)
		return a.is_str && b.is_str && str_test(n->op, a.str, b.str);
	if (a.none || b.none) {
		bool eq = a.none && b.none;
		return n->op == OP_EQ ? eq : n->op == OP_NE ? !eq : false;
	}
	c = num_cmp(&a, b.neg, b.mag);
	switch (n->op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	}
	return false;
}

/* Recursion is bounded by the nesting the parser allowed (FILTER_DEPTH_MAX). */
static bool eval(struct ectx *e, const struct filter *f, int ni)
{
	const struct node *n = &f->nodes[ni];
	struct fval v;

	switch (n->kind) {
	case N_AND:
		for (int c = n->child; c >= 0; c = f->nodes[c].next)
			if (!eval(e, f, c))
				return false;
		return true;
	case N_OR:
		for (int c = n->child; c >= 0; c = f->nodes[c].next)
			if (eval(e, f, c))
				return true;
		return false;
	case N_NOT:
		return !eval(e, f, n->child);
	case N_HAS:
		if (n->field == F_FINDING) {
			const struct finding *fl;
			uint32_t cnt;
			findings_of(e->t, &fl, &cnt);
			return cnt > 0;
		}
		return get_field(e, n->field, &v) && !v.none;
	case N_CMP:
		return eval_cmp(e, n);
	}
	return false;
}

bool filter_match(const struct filter *f, const struct txn *t, int64_t t0_ns)
{
	struct ectx e;

	if (!f)
		return true;
	e.t = t;
	e.t0 = t0_ns;
	e.ci_done = false;
	return eval(&e, f, f->root);
}
