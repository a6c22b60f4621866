/* usbmon_text.c - read Linux usbmon debugfs text (/sys/kernel/debug/usb/usbmon/Nu and Nt) into usb_events. */
#include "config.h"
#include "capture/reader.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/*
 * The format (Documentation/usb/usbmon.rst, "Raw text data format", and the
 * printing code in drivers/usb/mon/mon_text.c): one event per line, words
 * separated by spaces:
 *
 *   URBtag timestamp type address status-word [setup] [iso] length [tag [data]]
 *
 *   URBtag     hexadecimal (the kernel prints the URB's address)
 *   timestamp  decimal microseconds: (seconds & 0xFFF) * 1000000 + usec, so it
 *              wraps every 4096 s (kernels before ~2.6.3x used seconds & 0xFFFF,
 *              which overflows the 32-bit counter: those wrap every 2^32 us)
 *   type       S submission, C callback (completion), E submission error
 *   address    '1u': Xd:bus:dev:ep ; the older '1t' format has no bus number:
 *              Xd:dev:ep (two colons).  X = C control, Z iso, I interrupt,
 *              B bulk; d = i (IN) or o (OUT)
 *   status     a decimal status, with extras after colons for interrupt
 *              (status:interval) and iso (status:interval:start_frame, and
 *              :error_count on callbacks); or, for a control submission, a
 *              setup tag: 's' then 5 hex words bmRequestType bRequest wValue
 *              wIndex wLength, or another letter then 5 filler words when
 *              the setup packet could not be captured
 *   iso        '1u' iso events (not E): the number of descriptors, then up to
 *              5 words status:offset:length
 *   length     decimal: requested (S) or actual (C) length
 *   tag        '=' followed by the data words; any other single character
 *              ('<', '>', 'L', 'Z', ...) means no data; absent when length is 0
 *   data       big-endian hex words of 4 bytes, the last one 1 to 4 bytes.
 *              The kernel prints at most 32 bytes; we do not rely on it
 *              (rakesh-roshan/usbmon-python-parser's files carry more).
 *
 * Variants seen in the wild (rakesh-roshan/usbmon-python-parser examples):
 * timestamps in seconds with a fraction ("0.044513"), and "-" for the status
 * of a submission (-115, -EINPROGRESS), also before an interval ("-:8").
 *
 * Frames are the 1-based ordinals of event lines; blank lines are skipped
 * and not counted.
 */

#define UT_LINE_MAX (64u * 1024)          /* longest line accepted (the kernel's are < 300 bytes) */
#define UT_DATA_MAX (UT_LINE_MAX / 2)     /* bytes one line of that length can spell in hex */
#define UT_ISO_MAX 5                      /* ISODESC_MAX in mon_text.c */
#define UT_WRAP_US 4096000000ull          /* (seconds & 0xFFF) * 1e6 wraps here */
#define UT_WRAP32_US 4294967296ull        /* older kernels: the u32 counter wraps */
#define UT_LATE_US 100000ull             /* reordering across a wrap: at most 0.1 s */
#define UT_EINPROGRESS (-115)

/* ------------------------------------------------------------ tokens */

struct tok {
	const char *p;
	size_t n;                 /* 0: no more words on the line */
};

struct lexer {
	const char *s;
	size_t n;
	size_t pos;
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Next word; false (and t->n == 0) at the end of the line. */
static bool lex_next(struct lexer *lx, struct tok *t)
{
	while (lx->pos < lx->n && is_space(lx->s[lx->pos]))
		lx->pos++;
	t->p = lx->s + lx->pos;
	t->n = 0;
	while (lx->pos < lx->n && !is_space(lx->s[lx->pos])) {
		lx->pos++;
		t->n++;
	}
	return t->n > 0;
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_space(s[i]))
			return false;
	return true;
}

/* "expected X, found 'word'" into why; always returns false. */
static bool expected(char *why, size_t whysz, const char *what, const struct tok *found)
{
	char shown[48];
	size_t k = 0;

	if (!found || found->n == 0) {
		snprintf(why, whysz, "expected %s, found the end of the line", what);
		return false;
	}
	for (size_t i = 0; i < found->n && k < 40; i++) {
		unsigned char ch = (unsigned char)found->p[i];
		shown[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	shown[k] = '\0';
	snprintf(why, whysz, "expected %s, found '%s%s'", what, shown, found->n > 40 ? "..." : "");
	return false;
}

/* Split a word at ':' into at most max parts; returns the number of parts,
 * or max + 1 if there are more. */
static size_t split_colon(const struct tok *t, struct tok *parts, size_t max)
{
	size_t count = 0, start = 0;

	for (size_t i = 0; i <= t->n; i++) {
		if (i == t->n || t->p[i] == ':') {
			if (count == max)
				return max + 1;
			parts[count].p = t->p + start;
			parts[count].n = i - start;
			count++;
			start = i + 1;
		}
	}
	return count;
}

/* ------------------------------------------------------------ numbers */

static bool parse_udec(const char *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_sdec32(const struct tok *t, int32_t *out)
{
	uint64_t v;

	if (t->n >= 1 && t->p[0] == '-') {
		if (!parse_udec(t->p + 1, t->n - 1, (uint64_t)INT32_MAX + 1, &v))
			return false;
		*out = (int32_t)(-(int64_t)v);
		return true;
	}
	if (!parse_udec(t->p, t->n, INT32_MAX, &v))
		return false;
	*out = (int32_t)v;
	return true;
}

static bool parse_u32(const struct tok *t, uint32_t *out)
{
	uint64_t v;

	if (!parse_udec(t->p, t->n, UINT32_MAX, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_hex(const struct tok *t, size_t max_digits, uint64_t *out)
{
	uint64_t v = 0;

	if (t->n == 0 || t->n > max_digits)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		int h = hex_val(t->p[i]);
		if (h < 0)
			return false;
		v = (v << 4) | (uint64_t)h;
	}
	*out = v;
	return true;
}

/* ------------------------------------------------------------ one line */

/* What one line says.  ts_float: the timestamp was seconds with a fraction
 * (ts is then in ns); otherwise ts is the kernel's microsecond counter. */
struct ut_line {
	struct usb_event ev;
	bool ts_float;
	uint64_t ts;
	bool old_format;
};

/* Timestamp: decimal microseconds, or seconds.fraction (python-parser variant). */
static bool parse_ts(const struct tok *t, struct ut_line *L)
{
	size_t dot = t->n;
	uint64_t sec, frac = 0;
	size_t fdig;

	for (size_t i = 0; i < t->n; i++) {
		if (t->p[i] == '.') {
			dot = i;
			break;
		}
	}
	if (dot == t->n) {
		/* 15 digits: about 31 years of microseconds, and ns stay in int64 */
		if (t->n > 15 || !parse_udec(t->p, t->n, UINT64_MAX, &L->ts))
			return false;
		L->ts_float = false;
		return true;
	}
	fdig = t->n - dot - 1;
	if (dot > 9 || fdig == 0 || fdig > 9 || !parse_udec(t->p, dot, UINT64_MAX, &sec) ||
	    !parse_udec(t->p + dot + 1, fdig, UINT64_MAX, &frac))
		return false;
	for (size_t i = fdig; i < 9; i++)
		frac *= 10;
	L->ts = sec * 1000000000u + frac;
	L->ts_float = true;
	return true;
}

/* Address: Xd:bus:dev:ep ('1u') or Xd:dev:ep ('1t', no bus). */
static bool parse_address(const struct tok *t, struct ut_line *L)
{
	struct tok part[4];
	size_t np = split_colon(t, part, 4);
	uint64_t bus = 0, dev, ep;
	struct usb_event *ev = &L->ev;

	if (np != 3 && np != 4)
		return false;
	if (part[0].n != 2)
		return false;
	switch (part[0].p[0]) {
	case 'C': ev->xfer = USB_XFER_CONTROL; break;
	case 'Z': ev->xfer = USB_XFER_ISO; break;
	case 'I': ev->xfer = USB_XFER_INTR; break;
	case 'B': ev->xfer = USB_XFER_BULK; break;
	default: return false;
	}
	if (part[0].p[1] != 'i' && part[0].p[1] != 'o')
		return false;
	L->old_format = np == 3;
	if (np == 4 && !parse_udec(part[1].p, part[1].n, UINT16_MAX, &bus))
		return false;
	/* Device addresses are 7 bits and endpoint numbers 4 bits (USB 2.0
	 * 9.6.6); usbmon prints the device as an unsigned char. */
	if (!parse_udec(part[np - 2].p, part[np - 2].n, 255, &dev) ||
	    !parse_udec(part[np - 1].p, part[np - 1].n, 15, &ep))
		return false;
	/* '1t' has no bus number: bus 0 (usbmon's "all buses" number) stands
	 * for "unknown". */
	ev->bus = (uint16_t)bus;
	ev->device = (uint16_t)dev;
	ev->endpoint = (uint8_t)(ep | (part[0].p[1] == 'i' ? 0x80 : 0));
	return true;
}

/* The words every line starts with: tag, timestamp, type, address. */
static bool parse_head(struct lexer *lx, struct ut_line *L, char *why, size_t whysz)
{
	struct tok t;
	struct usb_event *ev = &L->ev;

	lex_next(lx, &t);
	if (!parse_hex(&t, 16, &ev->urb_id))
		return expected(why, whysz, "a URB tag (up to 16 hex digits)", &t);
	lex_next(lx, &t);
	if (!parse_ts(&t, L))
		return expected(why, whysz, "a timestamp in microseconds (like 3575914555) or seconds (like 12.044513)", &t);
	lex_next(lx, &t);
	if (t.n != 1 || (t.p[0] != 'S' && t.p[0] != 'C' && t.p[0] != 'E'))
		return expected(why, whysz, "an event type S, C or E", &t);
	ev->type = (uint8_t)t.p[0];
	lex_next(lx, &t);
	if (!parse_address(&t, L))
		return expected(why, whysz, "an address like Bi:1:003:2 (type C, Z, I or B; direction i or o; "
				"endpoint 0-15)", &t);
	return true;
}

/* Status word: status[:interval[:start_frame[:error_count]]]; "-" is -115. */
static bool parse_status(const struct tok *t, struct usb_event *ev)
{
	struct tok part[4];
	size_t np = split_colon(t, part, 4);
	int32_t v[4] = { 0, 0, 0, 0 };

	if (np < 1 || np > 4)
		return false;
	for (size_t i = 0; i < np; i++) {
		if (i == 0 && part[0].n == 1 && part[0].p[0] == '-')
			v[0] = UT_EINPROGRESS;     /* python-parser variant of a submission */
		else if (!parse_sdec32(&part[i], &v[i]))
			return false;
	}
	ev->status = v[0];
	if (np > 1)
		ev->interval = v[1];
	if (np > 2)
		ev->start_frame = v[2];
	if (np > 3)
		ev->iso_error_count = v[3];
	return true;
}

/* The 5 setup words after tag 's' (wValue etc. are printed as numbers;
 * on the wire they are little-endian). */
static bool parse_setup(struct lexer *lx, bool capture, struct usb_event *ev, char *why, size_t whysz)
{
	static const char *const names[5] = { "bmRequestType", "bRequest", "wValue", "wIndex", "wLength" };
	struct tok t;

	for (int i = 0; i < 5; i++) {
		uint64_t v;
		char what[64];

		lex_next(lx, &t);
		snprintf(what, sizeof(what), "the setup word %s (%s)", names[i],
			 capture ? (i < 2 ? "2 hex digits" : "4 hex digits") : "filler");
		if (!capture) {
			if (t.n == 0)
				return expected(why, whysz, what, &t);
			continue;
		}
		if (!parse_hex(&t, i < 2 ? 2 : 4, &v))
			return expected(why, whysz, what, &t);
		if (i < 2) {
			ev->setup[i] = (uint8_t)v;
		} else {
			ev->setup[2 * i - 2] = (uint8_t)(v & 0xff);
			ev->setup[2 * i - 1] = (uint8_t)(v >> 8);
		}
	}
	ev->has_setup = capture;
	return true;
}

/* '1u' iso: descriptor count, then up to 5 status:offset:length words. */
static bool parse_iso(struct lexer *lx, struct usb_event *ev, struct usb_iso_desc *iso, char *why, size_t whysz)
{
	struct tok t, part[3];
	int32_t ndesc;
	uint32_t show;

	lex_next(lx, &t);
	if (!parse_sdec32(&t, &ndesc))
		return expected(why, whysz, "the number of iso descriptors", &t);
	show = ndesc < 0 ? 0 : ndesc > UT_ISO_MAX ? UT_ISO_MAX : (uint32_t)ndesc;
	for (uint32_t i = 0; i < show; i++) {
		struct usb_iso_desc d;
		int32_t st;

		lex_next(lx, &t);
		if (split_colon(&t, part, 3) != 3 || !parse_sdec32(&part[0], &st) ||
		    !parse_u32(&part[1], &d.offset) || !parse_u32(&part[2], &d.length))
			return expected(why, whysz, "an iso descriptor status:offset:length", &t);
		d.status = st;
		if (iso)
			iso[i] = d;
	}
	ev->iso_ndesc = show;
	ev->iso = show && iso ? iso : NULL;
	return true;
}

/* Data words after '=': hex, 1 to 4 bytes each. */
static bool parse_data(struct lexer *lx, struct usb_event *ev, uint8_t *data, size_t cap,
		       char *why, size_t whysz)
{
	struct tok t;
	uint32_t got = 0;

	while (lex_next(lx, &t)) {
		if (t.n % 2 != 0 || t.n > 8)
			return expected(why, whysz, "a data word of 1 to 4 bytes in hex", &t);
		for (size_t i = 0; i < t.n; i += 2) {
			int hi = hex_val(t.p[i]), lo = hex_val(t.p[i + 1]);
			if (hi < 0 || lo < 0)
				return expected(why, whysz, "a data word of 1 to 4 bytes in hex", &t);
			if (data) {
				if (got >= cap)
					return expected(why, whysz, "fewer data words", &t);
				data[got] = (uint8_t)(hi << 4 | lo);
			}
			got++;
		}
	}
	ev->caplen = got;
	ev->data_len = got;
	ev->data = got && data ? data : NULL;
	/* The kernel prints at most 32 bytes: fewer than `length` means cut
	 * (an iso completion's buffer can legitimately hold more). */
	ev->truncated = got < ev->length;
	return true;
}

/*
 * Parse one non-blank line into L.  data (cap bytes) and iso (UT_ISO_MAX)
 * receive the payload and iso descriptors; NULL only counts them (probe).
 * Returns false with why = "expected ..., found ...".
 */
static bool parse_line(const char *s, size_t n, struct ut_line *L, uint8_t *data, size_t cap,
		       struct usb_iso_desc *iso, char *why, size_t whysz)
{
	struct lexer lx = { s, n, 0 };
	struct usb_event *ev = &L->ev;
	struct tok t;
	uint64_t len;

	memset(L, 0, sizeof(*L));
	ev->source = USB_SRC_USBMON_TEXT;
	ev->status_origin = USB_STATUS_LINUX;
	ev->ctrl_stage = USB_STAGE_NONE;
	ev->xfer = USB_XFER_UNKNOWN;
	if (!parse_head(&lx, L, why, whysz))
		return false;

	lex_next(&lx, &t);
	if (t.n == 1 && ((t.p[0] >= 'a' && t.p[0] <= 'z') || (t.p[0] >= 'A' && t.p[0] <= 'Z'))) {
		/* Setup tag: 's' = captured, any other letter = filler follows.
		 * Only control submissions carry one, and their status is
		 * -EINPROGRESS. */
		if (!parse_setup(&lx, t.p[0] == 's', ev, why, whysz))
			return false;
		ev->status = ev->type == USB_EV_SUBMIT ? UT_EINPROGRESS : 0;
	} else {
		if (!parse_status(&t, ev))
			return expected(why, whysz, "a status word (like -115, 0:8 or -18:1:1234:0) or a setup tag 's'", &t);
		if (ev->xfer == USB_XFER_ISO && !L->old_format && ev->type != USB_EV_ERROR &&
		    !parse_iso(&lx, ev, iso, why, whysz))
			return false;
	}
	ev->orig_status = (uint32_t)ev->status;

	lex_next(&lx, &t);
	if (!parse_udec(t.p, t.n, UINT32_MAX, &len))
		return expected(why, whysz, "a data length (decimal)", &t);
	ev->length = (uint32_t)len;

	if (!lex_next(&lx, &t))
		return true;                    /* length 0: no data tag */
	if (t.n == 1 && t.p[0] == '=')
		return parse_data(&lx, ev, data, cap, why, whysz);
	if (t.n != 1 || (unsigned char)t.p[0] <= 0x20 || (unsigned char)t.p[0] >= 0x7f)
		return expected(why, whysz, "a data tag ('=' before data, or '<', '>' or another single character)", &t);
	if (lex_next(&lx, &t))
		return expected(why, whysz, "the end of the line after the data tag", &t);
	return true;
}

/* ------------------------------------------------------------ reader */

struct utext {
	uint64_t line_no;         /* lines read so far, blank ones included */
	bool have_last;
	bool wrap32;              /* a stamp >= 4096 s was seen: the older 2^32 us counter */
	uint64_t last_raw;        /* last microsecond counter value that moved the clock */
	uint64_t wrap_us;         /* periods added so far */
	int64_t last_ts_ns;
	struct usb_iso_desc iso[UT_ISO_MAX];
	uint8_t data[UT_DATA_MAX];
};

/*
 * Unwrap the kernel's microsecond counter: when it goes back by more than
 * half its period it has wrapped, so a period is added from then on.  An
 * event printed out of order just across a wrap (less than UT_LATE_US
 * before the wrap point, after one) belongs to the previous period; any
 * other step forward is idle time.
 */
static int64_t unwrap(struct utext *u, uint64_t raw)
{
	uint64_t period, half, us;

	if (raw >= UT_WRAP_US)
		u->wrap32 = true;
	period = u->wrap32 ? UT_WRAP32_US : UT_WRAP_US;
	half = period / 2;
	us = u->wrap_us + raw;
	if (u->have_last) {
		if (raw + half < u->last_raw) {
			u->wrap_us += period;
			us = u->wrap_us + raw;
			u->last_raw = raw;
		} else if (raw > u->last_raw + half && u->wrap_us >= period &&
			   u->last_raw + period - raw < UT_LATE_US) {
			us -= period;             /* late event from before the wrap */
		} else {
			u->last_raw = raw;
		}
	} else {
		u->last_raw = raw;
		u->have_last = true;
	}
	/* wrap_us grows by at most 2^32 per line: no overflow in any file */
	return (int64_t)(us * 1000u);
}

static int utext_next(struct cap *c, struct cap_record *rec, struct error *err)
{
	struct utext *u = c->priv;

	for (;;) {
		uint64_t off = input_offset(c->in);
		struct error lerr;
		size_t len = 0;
		bool too_long = false, cut;
		const char *line;
		char why[ERROR_MSG_MAX - 100];
		struct ut_line L;
		struct usb_event *ev = &L.ev;

		error_clear(&lerr);
		line = input_line(c->in, UT_LINE_MAX, &len, &too_long, &lerr);
		if (!line) {
			if (lerr.set)
				return error_set(err, c->frames + 1, lerr.offset, "%s", lerr.msg);
			return 0;
		}
		u->line_no++;
		if (too_long)
			return error_set(err, c->frames + 1, off,
					 "line %" PRIu64 " is longer than %u bytes; a usbmon text line is one event "
					 "of a few hundred bytes", u->line_no, UT_LINE_MAX);
		if (is_blank(line, len))
			continue;
		/* No newline consumed: the file ends inside this line. */
		cut = input_offset(c->in) - off <= len;
		if (!parse_line(line, len, &L, u->data, sizeof(u->data), u->iso, why, sizeof(why)))
			return error_set(err, c->frames + 1, off, "line %" PRIu64 "%s: %s", u->line_no,
					 cut ? " (the last line, cut short at the end of the file?)" : "", why);
		c->frames++;
		ev->frame = c->frames;
		if (L.ts_float) {
			/* Seconds since the capture started: no wrap to undo. */
			ev->ts_ns = (int64_t)L.ts;
		} else if (ev->type == USB_EV_ERROR && L.ts == 0 && u->have_last) {
			/* Older kernels stamp submission errors 0: keep the clock. */
			ev->ts_ns = u->last_ts_ns;
		} else {
			ev->ts_ns = unwrap(u, L.ts);
		}
		u->last_ts_ns = ev->ts_ns;
		rec->kind = CAP_REC_USB;
		rec->u.usb = *ev;
		return 1;
	}
}

static void utext_close(struct cap *c)
{
	free(c->priv);
	c->priv = NULL;
}

static const struct cap_reader_ops utext_ops = {
	.name = "usbmon-text",
	.next = utext_next,
	.close = utext_close,
};

int usbmon_text_open(struct cap *c, struct error *err)
{
	struct utext *u = calloc(1, sizeof(*u));

	if (!u)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	c->priv = u;
	c->ops = &utext_ops;
	c->info.format = CAP_FORMAT_USBMON_TEXT;
	c->info.linktype = -1;
	return 0;
}

/*
 * Recognise usbmon text from its first non-blank line, which must parse as
 * an event.  (Only the first: a damaged later line is better reported by
 * the reader, with its line number, than as "not a capture file".)  A line
 * cut by the end of the sniffed bytes only needs its first four words (tag,
 * timestamp, type, address) and something after them.
 */
bool usbmon_text_probe(const uint8_t *head, size_t n)
{
	size_t pos = 0;
	char why[160];

	while (pos < n) {
		const uint8_t *nl = memchr(head + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - head) : n;
		const char *s = (const char *)head + pos;
		size_t len = end - pos;
		struct ut_line L;

		if (!is_blank(s, len)) {
			struct lexer lx = { s, len, 0 };

			if (nl || n < CAP_SNIFF_BYTES)
				return parse_line(s, len, &L, NULL, 0, NULL, why, sizeof(why));
			return parse_head(&lx, &L, why, sizeof(why)) && lx.pos < len;
		}
		if (!nl)
			break;
		pos = end + 1;
	}
	return false;
}
