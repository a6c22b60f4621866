/* ui.c - the ncurses screen of `scsiscope tui`: panes, keys, prompts, mouse, resize, and the terminal restored on every exit. */
#include "config.h"
#include "tui/tui.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <wchar.h>

#include "analyze/filter.h"
#include "report/cut.h"
#include "report/txn_render.h"
#include "tui/detail.h"
#include "tui/index.h"
#include "tui/live.h"
#include "tui/match.h"
#include "util/strbuf.h"
#include "util/tsmath.h"

enum pane { P_LIST, P_DETAIL, P_HEX, P_FIND, P_COUNT };
enum tmode { T_REL, T_ABS, T_DELTA };
enum color { C_NONE, C_ERR, C_WARN, C_INFO, C_CTL, C_USB, C_HL, C_TITLE, C_TITLE_FOCUS, C_MSG_ERR };

struct ui {
	const struct tui_opts *o;
	struct tui_live *live;    /* -i */
	bool follow;              /* live: the selection stays on the newest row */
	struct tui_index *x;
	struct tui_detailer *det;
	struct tui_match *match;
	char filter[FILTER_EXPR_MAX + 1];
	bool have_dev;
	uint16_t bus, dev;
	bool hide_other;          /* `c`: SCSI rows only */

	/* the list: the rows shown (sequence numbers), built incrementally */
	uint32_t *view;
	uint64_t nview, view_cap, scanned;
	uint64_t sel, top;
	uint64_t nerr, err_scanned; /* error rows of the whole index */

	enum tmode tmode;
	enum pane focus;
	bool color;

	/* detail */
	struct tui_detail *cur;
	uint64_t cur_seq;
	bool *collapsed;
	unsigned dsel, dtop;
	unsigned htop;
	/* findings */
	uint64_t fsel, ftop;

	char search[256];
	bool s_active;            /* a search running in slices */
	int s_dir;
	uint64_t s_pos, s_from, s_done;
	char msg[512];
	bool msg_err;
	bool help;
	bool first_drawn;
	struct timespec t_start;

	/* layout */
	int rows, cols;
	int list_y, list_h, mid_y, mid_h, find_y, find_h, det_w;

	/* `w` in the background */
	pthread_t cut_thread;
	bool cut_running;
	atomic_bool cut_done;
	char cut_path[1024];
	char cut_result[2048];
	struct filter *cut_filter;
	SCREEN *scr;
};

static double since(const struct timespec *t0);
bool tui_terminal_usable(void);   /* term_check.c */

static volatile sig_atomic_t got_signal;
static bool curses_on;

/* ------------------------------------------------------------ terminal */

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = false;
		mousemask(0, NULL);
		endwin();
	}
}

static void on_quit_signal(int sig) { got_signal = sig; }

static void on_fatal_signal(int sig)
{
	/* Not async-signal-safe, but the process is dying: a usable terminal
	 * is worth it (as htop and tig do). */
	restore_terminal();
	tui_live_remove_temp_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = (int)SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
}

static int attr_of(struct ui *u, enum color c)
{
	if (u->color) {
		switch (c) {
		case C_NONE: return A_NORMAL;
		case C_ERR: return COLOR_PAIR(1);
		case C_WARN: return COLOR_PAIR(2);
		case C_INFO: return COLOR_PAIR(3);
		case C_CTL: return COLOR_PAIR(4);
		case C_USB: return COLOR_PAIR(5);
		case C_HL: return COLOR_PAIR(6) | A_BOLD;
		case C_TITLE: return A_REVERSE;
		case C_TITLE_FOCUS: return COLOR_PAIR(7) | A_BOLD;
		case C_MSG_ERR: return COLOR_PAIR(1) | A_BOLD;
		}
	}
	/* Monochrome: the meaning stays in letters (the E/W/i marker) and
	 * in bold, underline and reverse. */
	switch (c) {
	case C_ERR: return A_BOLD;
	case C_WARN: return A_UNDERLINE;
	case C_HL: return A_REVERSE | A_UNDERLINE;
	case C_TITLE: return A_REVERSE;
	case C_TITLE_FOCUS: return A_REVERSE | A_BOLD;
	case C_MSG_ERR: return A_BOLD;
	default: return A_NORMAL;
	}
}

/* Put s at (y, x) in at most w columns (multibyte text cut at a character,
 * control bytes shown as '.'); the rest of the w columns filled with
 * spaces when pad.  Returns the columns used. */
static int put(int y, int x, int w, const char *s, int attr, bool pad)
{
	mbstate_t st;
	int used = 0;
	size_t n = strlen(s);

	memset(&st, 0, sizeof(st));
	if (w <= 0)
		return 0;
	attron(attr);
	move(y, x);
	while (n && used < w) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			addch('?');
			used++;
			s++;
			n--;
			continue;
		}
		cw = wcwidth(wc);
		if (cw < 0 || (k == 1 && (unsigned char)*s < 0x20)) {
			addch('.');
			used++;
		} else {
			if (used + cw > w)
				break;
			addnstr(s, (int)k);
			used += cw;
		}
		s += k;
		n -= k;
	}
	if (pad)
		for (; used < w; used++)
			addch(' ');
	attroff(attr);
	return used;
}

/* ---------------------------------------------------------------- view */

static bool row_shown(struct ui *u, const struct tui_row *r, uint64_t seq)
{
	if (u->hide_other && r->kind != TXN_SCSI)
		return false;
	if (u->have_dev && (r->bus != u->bus || r->device != u->dev))
		return false;
	if (u->match && !tui_match_get(u->match, seq))
		return false;
	return true;
}

/* Take in the rows indexed (and, with a filter, decided) since last time. */
static void view_update(struct ui *u)
{
	uint64_t count = tui_index_count(u->x);
	uint64_t lim = count;

	for (; u->err_scanned < count; u->err_scanned++)
		if (tui_row_is_error(tui_index_row(u->x, u->err_scanned)))
			u->nerr++;
	if (u->match && tui_match_count(u->match) < lim)
		lim = tui_match_count(u->match);
	for (; u->scanned < lim; u->scanned++) {
		if (!row_shown(u, tui_index_row(u->x, u->scanned), u->scanned))
			continue;
		if (u->nview == u->view_cap) {
			uint64_t nc = u->view_cap ? u->view_cap * 2 : 4096;
			uint32_t *nv = realloc(u->view, nc * sizeof(*nv));
			if (!nv)
				return;       /* try again next time */
			u->view = nv;
			u->view_cap = nc;
		}
		u->view[u->nview++] = (uint32_t)u->scanned;
	}
}

static uint64_t sel_seq(struct ui *u) { return u->nview ? u->view[u->sel] : UINT64_MAX; }

/* The view entry of seq, or of the first row after it that is shown. */
static uint64_t view_find(struct ui *u, uint64_t seq)
{
	uint64_t lo = 0, hi = u->nview;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (u->view[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The view changed (filter, device, toggle): rebuild it and keep the
 * selection on the same transaction, or the next one shown. */
static void view_reset(struct ui *u)
{
	uint64_t keep = sel_seq(u);

	u->nview = 0;
	u->scanned = 0;
	view_update(u);
	if (keep != UINT64_MAX) {
		u->sel = view_find(u, keep);
		if (u->sel >= u->nview)
			u->sel = u->nview ? u->nview - 1 : 0;
	} else
		u->sel = 0;
	u->top = u->sel > (uint64_t)u->list_h / 2 ? u->sel - (uint64_t)u->list_h / 2 : 0;
}

static void set_msg(struct ui *u, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(struct ui *u, bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
	u->msg_err = err;
}

/* --------------------------------------------------------------- layout */

static void layout(struct ui *u)
{
	int avail;

	getmaxyx(stdscr, u->rows, u->cols);
	/* header, list rows, detail title, detail rows, findings title,
	 * findings rows, message line, status line */
	avail = u->rows - 5;
	if (avail < 3)
		avail = 3;
	u->find_h = avail >= 24 ? 5 : avail >= 14 ? 3 : avail >= 8 ? 1 : 0;
	avail -= u->find_h;
	u->list_h = avail * 45 / 100;
	if (u->list_h < 1)
		u->list_h = 1;
	u->mid_h = avail - u->list_h;
	if (u->mid_h < 1)
		u->mid_h = 1;
	u->list_y = 1;
	u->mid_y = u->list_y + u->list_h + 1;
	u->find_y = u->mid_y + u->mid_h + 1;
	/* the hex pane: 16 bytes a line when there is room for the detail
	 * beside it, else 8 */
	u->det_w = u->cols >= 150 ? u->cols - 79 : u->cols >= 100 ? u->cols - 46 : u->cols * 55 / 100;
}

/* ----------------------------------------------------------------- list */

static void fmt_time(struct ui *u, struct strbuf *sb, const struct tui_row *r, uint64_t vi)
{
	int64_t ns;
	uint64_t a;

	switch (u->tmode) {
	case T_ABS: {
		time_t secs = (time_t)(r->ts / 1000000000);
		struct tm tm;
		char b[32];
		if (!localtime_r(&secs, &tm)) {
			sb_adds(sb, "?");
			return;
		}
		strftime(b, sizeof(b), "%H:%M:%S", &tm);
		sb_addf(sb, "%s.%06" PRId64, b, (r->ts % 1000000000 + 1000000000) % 1000000000 / 1000);
		return;
	}
	case T_DELTA:
		if (vi == 0) {
			ns = 0;
		} else {
			const struct tui_row *p = tui_index_row(u->x, u->view[vi - 1]);
			ns = ts_sub(r->ts, p->ts);
		}
		sb_addc(sb, ns < 0 ? '-' : '+');
		break;
	default:
		ns = ts_sub(r->ts, tui_index_t0(u->x));
		if (ns < 0)
			sb_addc(sb, '-');
		break;
	}
	a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	sb_addf(sb, "%" PRIu64 ".%06" PRIu64, a / 1000000000u, a % 1000000000u / 1000u);
}

struct cols {
	int mark, frame, time, dev, lun, tag, cmd, bytes, status, dur;
};

static void list_cols(struct ui *u, struct cols *c)
{
	int rest;
	bool wide = u->cols >= 110;

	c->mark = 2;
	c->frame = 8;
	c->time = u->tmode == T_ABS ? 16 : wide ? 12 : 11;
	c->dev = wide ? 8 : 7;
	c->lun = wide ? 4 : 0;
	c->tag = wide ? 12 : 0;
	c->bytes = wide ? 16 : 12;
	c->dur = wide ? 9 : 8;
	rest = u->cols - (c->mark + c->frame + c->time + c->dev + c->lun + c->tag + c->bytes + c->dur);
	if (rest < 10)
		rest = 10;
	c->cmd = rest * 55 / 100;
	c->status = rest - c->cmd;
}

static void row_cells(struct ui *u, const struct tui_row *r, uint64_t vi, struct strbuf *sb, size_t at[10])
{
	sb_reset(sb);
	at[0] = sb->len;
	if (r->sev == SEV_ERROR + 1)
		sb_adds(sb, "E");
	else if (r->sev == SEV_WARNING + 1)
		sb_adds(sb, "W");
	else if (r->sev == SEV_INFO + 1)
		sb_adds(sb, "i");
	else if (tui_row_is_error(r))
		sb_adds(sb, "!");
	sb_addc(sb, 0);
	at[1] = sb->len;
	sb_addf(sb, "%" PRIu64, r->frame);
	sb_addc(sb, 0);
	at[2] = sb->len;
	fmt_time(u, sb, r, vi);
	sb_addc(sb, 0);
	at[3] = sb->len;
	sb_addf(sb, "%u:%03u", r->bus, r->device);
	sb_addc(sb, 0);
	at[4] = sb->len;
	if (r->kind == TXN_SCSI)
		sb_addf(sb, "L%u", r->lun);
	else if (r->kind == TXN_BT)
		sb_adds(sb, "hci");
	else if (r->kind == TXN_CONTROL)
		sb_addf(sb, "ep%u", r->end & 0x7f);
	else
		sb_addf(sb, "ep%u%s", r->end & 0x7f, (r->end & 0x80) ? "in" : "out");
	sb_addc(sb, 0);
	at[5] = sb->len;
	if (r->kind == TXN_SCSI)
		sb_addf(sb, "%s #%" PRIu32, r->transport == TRANSPORT_UAS ? "uas" : "bot", r->tag);
	else if (r->kind == TXN_BT)
		sb_adds(sb, r->dir == HCI_DIR_SENT ? "sent" : r->dir == HCI_DIR_RECV ? "recv" : "");
	sb_addc(sb, 0);
	at[6] = sb->len;
	tui_row_command(u->x, r, sb);
	sb_addc(sb, 0);
	at[7] = sb->len;
	if (r->kind == TXN_SCSI) {
		sb_addf(sb, "%s %" PRIu64 "/", scsi_dir_name((enum scsi_dir)r->dir), r->bytes);
		if (r->flags & ROW_EXPECTED_UNKNOWN)
			sb_addc(sb, '?');
		else
			sb_addf(sb, "%" PRIu32, r->expected);
	} else if (r->kind == TXN_CONTROL) {
		if (r->flags & ROW_HAS_SETUP)
			sb_addf(sb, "%s %" PRIu64 "/%" PRIu32, (r->cdb[0] & 0x80) ? "in" : "out", r->bytes, r->expected);
	} else
		sb_addf(sb, "len=%" PRIu64, r->bytes);
	sb_addc(sb, 0);
	at[8] = sb->len;
	tui_row_status(r, sb);
	sb_addc(sb, 0);
	at[9] = sb->len;
	if (r->kind != TXN_USB && (r->kind != TXN_BT || r->transport == BT_COMMAND))
		render_duration(sb, (uint64_t)r->dur_us * 1000);
	sb_addc(sb, 0);
}

static int row_attr(struct ui *u, const struct tui_row *r)
{
	if (tui_row_is_error(r))
		return attr_of(u, C_ERR);
	if (r->kind == TXN_CONTROL)
		return attr_of(u, C_CTL);
	if (r->kind == TXN_USB || (r->kind == TXN_BT && (r->transport == BT_TEXT || r->transport == BT_OTHER)))
		return attr_of(u, C_USB);
	return A_NORMAL;
}

static void draw_list(struct ui *u)
{
	struct cols c;
	struct strbuf sb;
	size_t at[10];
	int x;
	static const char *const head[] = { "", "Frame", "Time", "Device", "LUN", "Tag", "Command", "Data",
					    "Status", "Duration" };
	int w[10];

	list_cols(u, &c);
	w[0] = c.mark; w[1] = c.frame; w[2] = c.time; w[3] = c.dev; w[4] = c.lun; w[5] = c.tag;
	w[6] = c.cmd; w[7] = c.bytes; w[8] = c.status; w[9] = c.dur;
	x = 0;
	for (int i = 0; i < 10; i++) {
		put(0, x, w[i], head[i], attr_of(u, u->focus == P_LIST ? C_TITLE_FOCUS : C_TITLE), true);
		x += w[i];
	}
	if (x < u->cols)
		put(0, x, u->cols - x, "", attr_of(u, u->focus == P_LIST ? C_TITLE_FOCUS : C_TITLE), true);

	if (u->sel >= u->nview)
		u->sel = u->nview ? u->nview - 1 : 0;
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + (uint64_t)u->list_h)
		u->top = u->sel - (uint64_t)u->list_h + 1;
	sb_init(&sb);
	for (int i = 0; i < u->list_h; i++) {
		uint64_t vi = u->top + (uint64_t)i;
		const struct tui_row *r;
		int attr;

		if (vi >= u->nview) {
			move(u->list_y + i, 0);
			clrtoeol();
			if (vi == 0 && i == 0) {
				const char *what = u->live && !tui_index_done(u->x) && !tui_index_count(u->x) ?
							   "waiting for traffic..." :
						   !tui_index_done(u->x) ? "indexing..." :
						   u->match && !tui_match_done(u->match) ? "filtering..." :
						   u->match || u->have_dev || u->hide_other ? "(no transaction matches)" :
						   "(no transactions in this capture)";
				put(u->list_y, 2, u->cols - 2, what, A_DIM, false);
			}
			continue;
		}
		r = tui_index_row(u->x, u->view[vi]);
		row_cells(u, r, vi, &sb, at);
		attr = row_attr(u, r);
		if (vi == u->sel)
			attr = (u->focus == P_LIST ? A_REVERSE : A_REVERSE | A_DIM) | (attr & ~A_COLOR);
		x = 0;
		for (int k = 0; k < 10; k++) {
			int a = attr;
			if (k == 0 && vi != u->sel)
				a = r->sev == SEV_ERROR + 1 || (!r->sev && tui_row_is_error(r)) ? attr_of(u, C_ERR) | A_BOLD :
				    r->sev == SEV_WARNING + 1 ? attr_of(u, C_WARN) | A_BOLD : attr_of(u, C_INFO) | A_BOLD;
			if (w[k] > 0) {
				put(u->list_y + i, x, w[k] - 1, sb.buf + at[k], a, true);
				put(u->list_y + i, x + w[k] - 1, 1, "", attr, true);
			}
			x += w[k];
		}
		if (x < u->cols)
			put(u->list_y + i, x, u->cols - x, "", attr, true);
	}
	sb_release(&sb);
}

/* --------------------------------------------------------------- detail */

static bool node_has_children(const struct tui_detail *d, unsigned i)
{
	return i + 1 < d->nnodes && d->nodes[i + 1].depth > d->nodes[i].depth;
}

/* The next node shown after i (skipping collapsed children); nnodes at the end. */
static unsigned node_next(struct ui *u, unsigned i)
{
	const struct tui_detail *d = u->cur;
	unsigned j = i + 1;

	if (u->collapsed[i])
		while (j < d->nnodes && d->nodes[j].depth > d->nodes[i].depth)
			j++;
	return j;
}

static unsigned node_prev(struct ui *u, unsigned i)
{
	unsigned p = 0, j = 0;

	if (i == 0)
		return 0;
	while (j < i) {
		p = j;
		j = node_next(u, j);
	}
	return p;
}

/* Visible position of node i (counting shown nodes before it). */
static unsigned node_pos(struct ui *u, unsigned i)
{
	unsigned pos = 0;

	for (unsigned j = 0; j < i && j < u->cur->nnodes; j = node_next(u, j))
		pos++;
	return pos;
}

static void detail_take(struct ui *u)
{
	uint64_t seq = sel_seq(u);
	struct tui_detail *d;

	if (seq == UINT64_MAX) {
		if (u->cur) {
			tui_detail_put(u->det, u->cur);
			u->cur = NULL;
		}
		return;
	}
	if (u->cur && u->cur_seq == seq) {
		tui_detail_put(u->det, tui_detailer_get(u->det, seq));   /* keep the worker ahead */
		return;
	}
	d = tui_detailer_get(u->det, seq);
	if (!d) {
		if (u->cur && u->cur_seq != seq) {
			tui_detail_put(u->det, u->cur);
			u->cur = NULL;
		}
		return;
	}
	if (u->cur)
		tui_detail_put(u->det, u->cur);
	u->cur = d;
	u->cur_seq = seq;
	free(u->collapsed);
	u->collapsed = calloc(d->nnodes ? d->nnodes : 1, sizeof(bool));
	if (!u->collapsed) {
		tui_detail_put(u->det, d);
		u->cur = NULL;
		return;
	}
	/* Layers open, their long field lists (hex dumps, descriptors) and
	 * the explanations of findings closed: Wireshark's first view. */
	for (unsigned i = 0; i < d->nnodes; i++) {
		unsigned kids = 0;
		for (unsigned j = i + 1; j < d->nnodes && d->nodes[j].depth > d->nodes[i].depth; j++)
			kids++;
		if (d->nodes[i].depth >= 1 &&
		    ((kids > 12 && strncmp(d->nodes[i].text, "sense", 5) && strncmp(d->nodes[i].text, "CDB:", 4)) ||
		     strncmp(d->nodes[i].text, "finding ", 8) == 0 || strncmp(d->nodes[i].text, "frames:", 7) == 0))
			u->collapsed[i] = true;
	}
	u->dsel = 0;
	u->dtop = 0;
	u->htop = 0;
}

static void title(struct ui *u, int y, int x, int w, const char *text, bool focus)
{
	put(y, x, w, text, attr_of(u, focus ? C_TITLE_FOCUS : C_TITLE), true);
}

static void draw_detail(struct ui *u)
{
	int w = u->det_w;
	char t[200];
	unsigned i, line = 0, pos;

	if (u->cur)
		snprintf(t, sizeof(t), " Detail: frame %" PRIu64 " ", tui_index_row(u->x, u->cur_seq)->frame);
	else
		snprintf(t, sizeof(t), " Detail ");
	title(u, u->mid_y - 1, 0, w, t, u->focus == P_DETAIL);
	for (int r = 0; r < u->mid_h; r++) {
		move(u->mid_y + r, 0);
		for (int k = 0; k < w; k++)
			addch(' ');
	}
	if (!u->cur) {
		uint64_t at;
		bool busy, failed;
		tui_detailer_status(u->det, &at, &busy, NULL, &failed);
		if (u->nview)
			snprintf(t, sizeof(t), "decoding the file again up to this transaction (%" PRIu64 " of %" PRIu64 ")...",
				 at, sel_seq(u) + 1);
		else
			t[0] = '\0';
		put(u->mid_y, 1, w - 1, t, A_DIM, false);
		return;
	}
	pos = node_pos(u, u->dsel);
	if (pos < u->dtop)
		u->dtop = pos;
	if (pos >= u->dtop + (unsigned)u->mid_h)
		u->dtop = pos - (unsigned)u->mid_h + 1;
	for (i = 0; i < u->cur->nnodes && line < u->dtop + (unsigned)u->mid_h; i = node_next(u, i), line++) {
		const struct tui_dnode *n = &u->cur->nodes[i];
		char pre[64];
		int attr = A_NORMAL, used;
		if (line < u->dtop)
			continue;
		snprintf(pre, sizeof(pre), "%*s%s", n->depth * 2, "",
			 node_has_children(u->cur, i) ? (u->collapsed[i] ? "+ " : "- ") : "  ");
		if (i == u->dsel)
			attr = u->focus == P_DETAIL ? A_REVERSE : A_REVERSE | A_DIM;
		else if (!strncmp(n->text, "finding ", 8))
			attr = strstr(n->text, "(error)") ? attr_of(u, C_ERR) :
			       strstr(n->text, "(warning)") ? attr_of(u, C_WARN) : attr_of(u, C_INFO);
		used = put(u->mid_y + (int)(line - u->dtop), 0, w, pre, attr, false);
		put(u->mid_y + (int)(line - u->dtop), used, w - used, n->text, attr, i == u->dsel);
	}
}

/* ------------------------------------------------------------------ hex */

static int hex_per_line(int w) { return w >= 76 ? 16 : w >= 44 ? 8 : 4; }

static const struct tui_dlayer *hex_layer(struct ui *u, const struct tui_dnode **node)
{
	*node = NULL;
	if (!u->cur || !u->cur->nnodes)
		return NULL;
	*node = &u->cur->nodes[u->dsel < u->cur->nnodes ? u->dsel : 0];
	if ((*node)->layer < 0 || (unsigned)(*node)->layer >= u->cur->nlayers)
		return NULL;
	return &u->cur->layers[(*node)->layer];
}

static void draw_hex(struct ui *u)
{
	int x0 = u->det_w + 1, w = u->cols - x0;
	const struct tui_dnode *n;
	const struct tui_dlayer *l = hex_layer(u, &n);
	int per = hex_per_line(w);
	uint32_t lines, hl_lo = 0, hl_hi = 0;
	char t[200];

	if (w < 10)
		return;
	mvvline(u->mid_y - 1, u->det_w, ' ', u->mid_h + 1);
	if (l)
		snprintf(t, sizeof(t), " Hex: %s%s ", l->name,
			 l->total > l->len ? " (first bytes)" : "");
	else
		snprintf(t, sizeof(t), " Hex ");
	title(u, u->mid_y - 1, x0, w, t, u->focus == P_HEX);
	for (int r = 0; r < u->mid_h; r++)
		put(u->mid_y + r, x0, w, "", A_NORMAL, true);
	if (!l) {
		put(u->mid_y, x0 + 1, w - 1, u->cur ? "(this line has no bytes of its own)" : "", A_DIM, false);
		return;
	}
	if (!l->len) {
		put(u->mid_y, x0 + 1, w - 1, "(no bytes captured)", A_DIM, false);
		return;
	}
	lines = (l->len + (uint32_t)per - 1) / (uint32_t)per;
	if (n->hl_len) {
		hl_lo = n->hl_off;
		hl_hi = n->hl_off + n->hl_len;
	} else {
		hl_lo = 0;
		hl_hi = l->len;
	}
	if (u->focus != P_HEX && n->hl_len) {
		/* keep the highlighted field in view */
		uint32_t first = hl_lo / (uint32_t)per;
		if (first < u->htop || first >= u->htop + (uint32_t)u->mid_h)
			u->htop = first;
	}
	if (u->htop + (uint32_t)u->mid_h > lines)
		u->htop = lines > (uint32_t)u->mid_h ? lines - (uint32_t)u->mid_h : 0;
	for (int r = 0; r < u->mid_h; r++) {
		uint32_t ln = u->htop + (uint32_t)r, off = ln * (uint32_t)per;
		int x = x0;
		char b[16];
		if (ln >= lines)
			break;
		snprintf(b, sizeof(b), "%04" PRIx32 " ", off);
		x += put(u->mid_y + r, x, w - (x - x0), b, A_DIM, false);
		for (int k = 0; k < per; k++) {
			uint32_t i = off + (uint32_t)k;
			int a = i >= hl_lo && i < hl_hi && n->hl_len ? attr_of(u, C_HL) : (int)A_NORMAL;
			if (i < l->len) {
				snprintf(b, sizeof(b), "%02x", l->bytes[i]);
				x += put(u->mid_y + r, x, w - (x - x0), b, a, false);
			} else
				x += put(u->mid_y + r, x, w - (x - x0), "  ", A_NORMAL, false);
			x += put(u->mid_y + r, x, w - (x - x0), k == per / 2 - 1 ? "  " : " ", A_NORMAL, false);
		}
		x += put(u->mid_y + r, x, w - (x - x0), "|", A_DIM, false);
		for (int k = 0; k < per && off + (uint32_t)k < l->len; k++) {
			uint32_t i = off + (uint32_t)k;
			int a = i >= hl_lo && i < hl_hi && n->hl_len ? attr_of(u, C_HL) : (int)A_NORMAL;
			b[0] = l->bytes[i] >= 0x20 && l->bytes[i] < 0x7f ? (char)l->bytes[i] : '.';
			b[1] = '\0';
			x += put(u->mid_y + r, x, w - (x - x0), b, a, false);
		}
		put(u->mid_y + r, x, w - (x - x0), "|", A_DIM, false);
	}
}

/* ------------------------------------------------------------- findings */

static void draw_findings(struct ui *u)
{
	uint64_t nf = tui_index_nfindings(u->x);
	char t[160];

	if (u->find_h <= 0)
		return;
	snprintf(t, sizeof(t), " Findings (%" PRIu64 ")%s ", nf, tui_index_done(u->x) ? "" : " so far");
	title(u, u->find_y - 1, 0, u->cols, t, u->focus == P_FIND);
	if (u->fsel >= nf)
		u->fsel = nf ? nf - 1 : 0;
	if (u->fsel < u->ftop)
		u->ftop = u->fsel;
	if (u->fsel >= u->ftop + (uint64_t)u->find_h)
		u->ftop = u->fsel - (uint64_t)u->find_h + 1;
	for (int i = 0; i < u->find_h; i++) {
		uint64_t k = u->ftop + (uint64_t)i;
		const struct tui_finding *f;
		char line[512];
		int attr;
		if (k >= nf) {
			put(u->find_y + i, 0, u->cols, i == 0 && !nf ? "  (none)" : "", A_DIM, true);
			continue;
		}
		f = tui_index_finding(u->x, k);
		/* the frame of the transaction it belongs to (where Enter goes) */
		snprintf(line, sizeof(line), "%c frame %-7" PRIu64 " %-26s %s%s",
			 f->severity == SEV_ERROR ? 'E' : f->severity == SEV_WARNING ? 'W' : 'i',
			 f->seq == UINT64_MAX ? f->frame : tui_index_row(u->x, f->seq)->frame, f->id,
			 f->seq == UINT64_MAX ? "(whole capture) " : "", f->msg);
		attr = f->severity == SEV_ERROR ? attr_of(u, C_ERR) : f->severity == SEV_WARNING ? attr_of(u, C_WARN) :
		       attr_of(u, C_INFO);
		if (k == u->fsel && u->focus == P_FIND)
			attr = A_REVERSE;
		put(u->find_y + i, 0, u->cols, line, attr, true);
	}
}

/* --------------------------------------------------------------- status */

static void draw_status(struct ui *u)
{
	struct strbuf sb;
	uint64_t off, size, count = tui_index_count(u->x);
	struct error err;
	const char *base = strrchr(u->o->path, '/') ? strrchr(u->o->path, '/') + 1 : u->o->path;
	struct tui_live_status ls;

	memset(&ls, 0, sizeof(ls));
	sb_init(&sb);
	if (u->live) {
		static const char *const state[] = { "LIVE", "STOPPED", "STOPPED (--count)", "STOPPED (--duration)",
						     "ENDED", "FAILED" };
		const char *ifc = tui_live_iface(u->live);
		tui_live_status(u->live, &ls);
		if (strncmp(ifc, "file:", 5) == 0 && strrchr(ifc, '/'))
			sb_addf(&sb, " %s file:%s", state[ls.state], strrchr(ifc, '/') + 1);
		else
			sb_addf(&sb, " %s %s", state[ls.state], ifc);
		sb_addf(&sb, ": %" PRIu64 " packets, %" PRIu64 " commands, %" PRIu64 " dropped | %s", ls.packets,
			tui_index_commands(u->x), ls.drops, u->follow && ls.state == TUI_LIVE_RUNNING ? "following | " : "");
	} else
		sb_addf(&sb, " %s | ", base);
	if (u->have_dev)
		sb_addf(&sb, "device %u:%03u | ", u->bus, u->dev);
	else
		sb_adds(&sb, "all devices | ");
	if (u->match) {
		sb_addf(&sb, "filter: %s", u->filter);
		if (!tui_match_done(u->match) && tui_match_count(u->match) < count)
			sb_addf(&sb, " (%" PRIu64 "%%)", tui_match_count(u->match) * 100 / count);
		sb_adds(&sb, " | ");
	}
	if (u->hide_other)
		sb_adds(&sb, "SCSI only | ");
	sb_addf(&sb, "%" PRIu64 "/%" PRIu64 " shown | %" PRIu64 " transactions, %" PRIu64 " errors, %" PRIu64 " findings",
		u->nview ? u->sel + 1 : 0, u->nview, count, u->nerr, tui_index_nfindings(u->x));
	sb_addf(&sb, " | time %s", u->tmode == T_REL ? "rel" : u->tmode == T_ABS ? "abs" : "delta");
	tui_index_progress(u->x, &off, &size);
	if (u->live) {
		/* the capture's own state is at the left */
	} else if (!tui_index_done(u->x)) {
		if (size)
			sb_addf(&sb, " | indexing %" PRIu64 "%%", off * 100 / size > 99 ? 99 : off * 100 / size);
		else
			sb_addf(&sb, " | indexing %" PRIu64 " MB", off / 1000000);
	} else if (tui_index_failed(u->x, &err))
		sb_adds(&sb, " | DAMAGED");
	/* "? help" stays at the right edge whatever the width */
	put(u->rows - 1, 0, u->cols > 9 ? u->cols - 9 : u->cols, sb.buf, attr_of(u, C_TITLE), true);
	if (u->cols > 9)
		put(u->rows - 1, u->cols - 9, 9, " | ? help", attr_of(u, C_TITLE), true);

	/* message line: a prompt, a message, or the damage */
	sb_reset(&sb);
	if (u->msg[0])
		put(u->rows - 2, 0, u->cols, u->msg, u->msg_err ? attr_of(u, C_MSG_ERR) : (int)A_NORMAL, true);
	else if (u->focus == P_DETAIL && u->cur && u->dsel < u->cur->nnodes &&
		 (int)(strlen(u->cur->nodes[u->dsel].text) + 2 * u->cur->nodes[u->dsel].depth + 2) > u->det_w)
		/* the selected line does not fit its pane: all of it here */
		put(u->rows - 2, 0, u->cols, u->cur->nodes[u->dsel].text, A_BOLD, true);
	else if (tui_index_done(u->x) && tui_index_failed(u->x, &err)) {
		char buf[600];
		sb_addf(&sb, "damaged capture: %s (the transactions before it are shown)", error_format(&err, buf, sizeof(buf)));
		put(u->rows - 2, 0, u->cols, sb.buf, attr_of(u, C_MSG_ERR), true);
	} else if (tui_index_truncated(u->x))
		put(u->rows - 2, 0, u->cols, "more transactions than the index keeps: the list stops there", attr_of(u, C_MSG_ERR), true);
	else if (u->live && ls.state == TUI_LIVE_FAILED) {
		char buf[600];
		sb_addf(&sb, "the capture stopped: %s (what it captured is shown)", error_format(&ls.err, buf, sizeof(buf)));
		put(u->rows - 2, 0, u->cols, sb.buf, attr_of(u, C_MSG_ERR), true);
	}
	else
		put(u->rows - 2, 0, u->cols, "", A_NORMAL, true);
	sb_release(&sb);
}

static void draw_help(struct ui *u)
{
	int y = 0;

	erase();
	put(y++, 0, u->cols, " scsiscope tui: keys (any key closes this screen)", attr_of(u, C_TITLE), true);
	y++;
	for (const struct tui_key *k = tui_keys; k->keys && y < u->rows - 1; k++, y++) {
		put(y, 2, 18, k->keys, A_BOLD, true);
		put(y, 21, u->cols - 21, k->what, A_NORMAL, false);
	}
	if (y < u->rows - 2) {
		y++;
		put(y++, 2, u->cols - 2, "Row markers: E error finding, W warning, i info, ! failed without a finding.", A_NORMAL, false);
	}
	if (y < u->rows - 1)
		put(y, 2, u->cols - 2, "Filter fields: see FILTER EXPRESSIONS in scsiscope(1), e.g. opcode==0x28 && lba>=2048.", A_NORMAL, false);
}

static void draw(struct ui *u)
{
	if (u->help) {
		draw_help(u);
		refresh();
		return;
	}
	draw_list(u);
	draw_detail(u);
	draw_hex(u);
	draw_findings(u);
	draw_status(u);
	move(u->rows - 1, u->cols - 1);
	refresh();
}

/* --------------------------------------------------------------- prompt */

/* Read a line on the message line; false when cancelled (Esc, Ctrl-C, a
 * signal).  buf holds the initial text. */
static bool prompt(struct ui *u, const char *label, char *buf, size_t size)
{
	size_t len = strlen(buf);

	for (;;) {
		int ch, lw;
		char shown[1024];
		lw = (int)strlen(label);
		snprintf(shown, sizeof(shown), "%s%s", label, buf);
		put(u->rows - 2, 0, u->cols, shown, A_BOLD, true);
		move(u->rows - 2, lw + (int)len < u->cols ? lw + (int)len : u->cols - 1);
		curs_set(1);
		refresh();
		ch = getch();
		if (got_signal) {
			curs_set(0);
			return false;
		}
		if (ch == ERR)
			continue;
		if (ch == 27 || ch == 7 || ch == 3) {
			curs_set(0);
			u->msg[0] = '\0';
			return false;
		}
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			curs_set(0);
			u->msg[0] = '\0';
			return true;
		}
		if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (len)
				buf[--len] = '\0';
		} else if (ch == 21) {
			len = 0;
			buf[0] = '\0';
		} else if (ch == KEY_RESIZE) {
			layout(u);
			clear();
			draw(u);
		} else if (ch >= 0x20 && ch < 0x100 && len + 1 < size) {
			buf[len++] = (char)ch;
			buf[len] = '\0';
		}
	}
}

/* ---------------------------------------------------------------- moves */

static void list_move(struct ui *u, int64_t d)
{
	if (!u->nview)
		return;
	if (d < 0 && (uint64_t)-d > u->sel)
		u->sel = 0;
	else if (d > 0 && u->sel + (uint64_t)d >= u->nview)
		u->sel = u->nview - 1;
	else
		u->sel = (uint64_t)((int64_t)u->sel + d);
}

static void detail_move(struct ui *u, int d)
{
	if (!u->cur)
		return;
	for (; d > 0; d--) {
		unsigned nx = node_next(u, u->dsel);
		if (nx >= u->cur->nnodes)
			break;
		u->dsel = nx;
	}
	for (; d < 0; d++)
		u->dsel = node_prev(u, u->dsel);
	u->htop = 0;
}

static void select_seq(struct ui *u, uint64_t seq, const char *what)
{
	uint64_t vi = view_find(u, seq);

	if (vi < u->nview && u->view[vi] == seq) {
		u->sel = vi;
		u->top = vi > (uint64_t)u->list_h / 3 ? vi - (uint64_t)u->list_h / 3 : 0;
	} else
		set_msg(u, true, "%s is not among the rows shown (filter, device or `c`)", what);
}

/* e / E: the next or previous error row shown. */
static void goto_error(struct ui *u, int dir)
{
	uint64_t i = u->sel;

	for (;;) {
		if (dir > 0) {
			if (i + 1 >= u->nview)
				break;
			i++;
		} else {
			if (i == 0)
				break;
			i--;
		}
		if (tui_row_is_error(tui_index_row(u->x, u->view[i]))) {
			u->sel = i;
			if (u->sel < u->top || u->sel >= u->top + (uint64_t)u->list_h)
				u->top = i > (uint64_t)u->list_h / 3 ? i - (uint64_t)u->list_h / 3 : 0;
			return;
		}
	}
	set_msg(u, false, "no %s error%s", dir > 0 ? "later" : "earlier",
		tui_index_done(u->x) ? "" : " (yet: the file is still being indexed)");
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* n / N: the next or previous row whose text (any column) contains the
 * search, wrapping around the list as vi does.  A search over a million
 * rows takes seconds: it runs in slices between keystrokes (search_step
 * from the main loop), the status says how far it got, and any key stops
 * it. */
static void search_go(struct ui *u, int dir)
{
	if (!u->search[0]) {
		set_msg(u, false, "no search yet: / to search");
		return;
	}
	if (!u->nview) {
		set_msg(u, true, "'%s' not found: no rows shown", u->search);
		return;
	}
	u->s_active = true;
	u->s_dir = dir;
	u->s_pos = u->sel;
	u->s_from = u->sel;
	u->s_done = 0;
}

/* Look at rows for at most ms milliseconds. */
static void search_step(struct ui *u, double ms)
{
	struct strbuf sb;
	size_t at[10];
	struct timespec t0;

	if (!u->s_active)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sb_init(&sb);
	while (u->s_done < u->nview) {
		bool hit = false;
		uint64_t i = u->s_pos;
		i = u->s_dir > 0 ? (i + 1 >= u->nview ? 0 : i + 1) : (i == 0 ? u->nview - 1 : i - 1);
		u->s_pos = i;
		u->s_done++;
		row_cells(u, tui_index_row(u->x, u->view[i]), i, &sb, at);
		for (int k = 1; k < 10 && !hit; k++)
			hit = contains_ci(sb.buf + at[k], u->search);
		if (hit) {
			bool wrapped = u->s_dir > 0 ? i <= u->s_from : i >= u->s_from;
			u->s_active = false;
			u->sel = i;
			if (u->sel < u->top || u->sel >= u->top + (uint64_t)u->list_h)
				u->top = i > (uint64_t)u->list_h / 3 ? i - (uint64_t)u->list_h / 3 : 0;
			set_msg(u, false, "/%s%s", u->search, wrapped ? " (search wrapped)" : "");
			sb_release(&sb);
			return;
		}
		if ((u->s_done & 1023) == 0 && since(&t0) * 1000 > ms)
			break;
	}
	sb_release(&sb);
	if (u->s_done >= u->nview) {
		u->s_active = false;
		set_msg(u, true, "'%s' not found", u->search);
	} else
		set_msg(u, false, "searching for '%s': %" PRIu64 "%% of the rows (any key stops)", u->search,
			u->s_done * 100 / u->nview);
}

/* `:` the row whose frames include frame (or the last that starts before it). */
static void goto_frame(struct ui *u, uint64_t frame)
{
	uint64_t lo = 0, hi = u->nview, best = UINT64_MAX;

	while (lo < hi) {          /* last row starting at or before frame */
		uint64_t mid = lo + (hi - lo) / 2;
		if (tui_index_row(u->x, u->view[mid])->frame <= frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* rows start in (nearly) frame order: look back a little for the
	 * one whose frames span frame */
	for (uint64_t k = lo, n = 0; k > 0 && n < 4096; k--, n++) {
		const struct tui_row *r = tui_index_row(u->x, u->view[k - 1]);
		if (r->frame <= frame && tui_row_last_frame(r) >= frame) {
			best = k - 1;
			break;
		}
		if (best == UINT64_MAX && r->frame <= frame)
			best = k - 1;
	}
	if (best == UINT64_MAX) {
		set_msg(u, true, "no row shown at or before frame %" PRIu64, frame);
		return;
	}
	u->sel = best;
	u->top = best > (uint64_t)u->list_h / 3 ? best - (uint64_t)u->list_h / 3 : 0;
	if (tui_index_row(u->x, u->view[best])->frame != frame &&
	    tui_row_last_frame(tui_index_row(u->x, u->view[best])) < frame)
		set_msg(u, false, "frame %" PRIu64 " belongs to no row shown; this is the last before it", frame);
}

/* --------------------------------------------------------------- filter */

static void apply_filter(struct ui *u, const char *expr)
{
	struct filter *f;
	struct error err;
	struct tui_match *m;

	while (*expr == ' ')
		expr++;
	if (!*expr) {
		tui_match_free(u->match);
		u->match = NULL;
		u->filter[0] = '\0';
		view_reset(u);
		set_msg(u, false, "filter cleared");
		return;
	}
	if (filter_compile(expr, &f, &err) < 0) {
		set_msg(u, true, "filter: %s", err.msg);
		return;
	}
	if (!(m = u->live ? tui_match_start_live(u->live, f, &err) : tui_match_start(u->o->path, f, &err))) {
		char buf[600];
		set_msg(u, true, "filter: %s", error_format(&err, buf, sizeof(buf)));
		return;
	}
	tui_match_free(u->match);
	u->match = m;
	snprintf(u->filter, sizeof(u->filter), "%s", expr);
	view_reset(u);
	set_msg(u, false, "filter: %s", expr);
}

/* ------------------------------------------------------------------- w */

static void *cut_main(void *arg)
{
	struct ui *u = arg;
	struct cut_opts co;
	struct cut_stats st;
	struct error err;
	FILE *out = fopen(u->cut_path, "wb");

	memset(&co, 0, sizeof(co));
	co.filter = u->cut_filter;
	co.frame_lo = 1;
	co.frame_hi = UINT64_MAX;
	co.with_checks = true;
	co.comment_name = strrchr(u->o->path, '/') ? strrchr(u->o->path, '/') + 1 : u->o->path;
	if (u->live) {
		/* what the capture has flushed: whole records, a complete file */
		struct tui_live_flushed fl;
		tui_live_flushed(u->live, &fl);
		co.max_bytes = fl.bytes;
		co.comment_name = tui_live_iface(u->live);
	}
	if (!out)
		snprintf(u->cut_result, sizeof(u->cut_result), "!cannot write %s: %s", u->cut_path, strerror(errno));
	else if (cut_capture(u->o->path, &co, out, &st, &err) < 0) {
		char buf[600];
		fclose(out);
		snprintf(u->cut_result, sizeof(u->cut_result), "!%s", error_format(&err, buf, sizeof(buf)));
	} else if (fclose(out) != 0)
		snprintf(u->cut_result, sizeof(u->cut_result), "!cannot write %s: %s", u->cut_path, strerror(errno));
	else
		snprintf(u->cut_result, sizeof(u->cut_result),
			 "wrote %s: %" PRIu64 " transactions (%" PRIu64 " packets with their enumeration)", u->cut_path,
			 st.chosen, st.packets);
	atomic_store(&u->cut_done, true);
	return NULL;
}

static void write_cut(struct ui *u)
{
	char path[1024] = "scsiscope-cut.pcapng";
	struct strbuf expr;
	struct error err;

	if (u->cut_running) {
		set_msg(u, false, "still writing %s", u->cut_path);
		return;
	}
	if (!prompt(u, "write the transactions shown to (pcapng): ", path, sizeof(path)) || !path[0])
		return;
	sb_init(&expr);
	/* what the list shows, as one expression */
	if (u->match)
		sb_addf(&expr, "(%s)", u->filter);
	if (u->have_dev)
		sb_addf(&expr, "%sbus==%u && device==%u", expr.len ? " && " : "", u->bus, u->dev);
	if (u->hide_other)
		sb_addf(&expr, "%skind==scsi", expr.len ? " && " : "");
	u->cut_filter = NULL;
	if (expr.len && filter_compile(expr.buf, &u->cut_filter, &err) < 0) {
		set_msg(u, true, "w: %s", err.msg);
		sb_release(&expr);
		return;
	}
	sb_release(&expr);
	snprintf(u->cut_path, sizeof(u->cut_path), "%s", path);
	atomic_store(&u->cut_done, false);
	if (pthread_create(&u->cut_thread, NULL, cut_main, u) != 0) {
		filter_free(u->cut_filter);
		set_msg(u, true, "w: cannot start a thread");
		return;
	}
	u->cut_running = true;
	set_msg(u, false, "writing %s ...", u->cut_path);
}

static void cut_poll(struct ui *u, bool wait)
{
	if (!u->cut_running || (!wait && !atomic_load(&u->cut_done)))
		return;
	pthread_join(u->cut_thread, NULL);
	u->cut_running = false;
	filter_free(u->cut_filter);
	u->cut_filter = NULL;
	if (u->cut_result[0] == '!')
		set_msg(u, true, "w: %s", u->cut_result + 1);
	else
		set_msg(u, false, "%s", u->cut_result);
}

/* ------------------------------------------------------------------ d */

static void choose_device(struct ui *u)
{
	struct tui_device devs[TUI_DEVICES_MAX];
	unsigned n = tui_index_devices(u->x, devs, TUI_DEVICES_MAX), sel = 0;

	if (u->have_dev)
		for (unsigned i = 0; i < n; i++)
			if (devs[i].bus == u->bus && devs[i].device == u->dev)
				sel = i + 1;
	for (;;) {
		int h = (int)n + 3, w = u->cols > 70 ? 70 : u->cols, y0, x0, ch;
		if (h > u->rows - 2)
			h = u->rows - 2;
		y0 = (u->rows - h) / 2;
		x0 = (u->cols - w) / 2;
		put(y0, x0, w, " Show which device? (Enter chooses, Esc cancels)", attr_of(u, C_TITLE_FOCUS), true);
		for (int i = 0; i < h - 1; i++) {
			char line[200];
			unsigned k = (unsigned)i + (sel + 2 > (unsigned)(h - 1) ? sel + 2 - (unsigned)(h - 1) : 0);
			if (k > n) {
				put(y0 + 1 + i, x0, w, "", A_REVERSE, true);
				continue;
			}
			if (k == 0)
				snprintf(line, sizeof(line), "  all devices");
			else
				snprintf(line, sizeof(line), "  %u:%03u  %-40s %" PRIu64 " rows", devs[k - 1].bus,
					 devs[k - 1].device, devs[k - 1].name[0] ? devs[k - 1].name : "(no descriptors)",
					 devs[k - 1].rows);
			put(y0 + 1 + i, x0, w, line, k == sel ? A_BOLD : A_REVERSE, true);
		}
		refresh();
		ch = getch();
		if (got_signal)
			return;
		if (ch == 27 || ch == 'q') {
			break;
		} else if (ch == KEY_UP || ch == 'k') {
			if (sel)
				sel--;
		} else if (ch == KEY_DOWN || ch == 'j') {
			if (sel < n)
				sel++;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			u->have_dev = sel > 0;
			if (sel) {
				u->bus = devs[sel - 1].bus;
				u->dev = devs[sel - 1].device;
			}
			view_reset(u);
			break;
		} else if (ch == KEY_RESIZE)
			layout(u);
	}
	clear();
}

/* -------------------------------------------------------------- mouse */

static void on_mouse(struct ui *u)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & BUTTON4_PRESSED) {
		if (me.y < u->mid_y - 1)
			list_move(u, -3);
		else if (me.y < u->find_y - 1 && me.x < u->det_w)
			detail_move(u, -3);
		else if (me.y < u->find_y - 1)
			u->htop = u->htop > 3 ? u->htop - 3 : 0;
		return;
	}
#ifdef BUTTON5_PRESSED
	if (me.bstate & BUTTON5_PRESSED) {
		if (me.y < u->mid_y - 1)
			list_move(u, 3);
		else if (me.y < u->find_y - 1 && me.x < u->det_w)
			detail_move(u, 3);
		else if (me.y < u->find_y - 1)
			u->htop += 3;
		return;
	}
#endif
	if (!(me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON1_TRIPLE_CLICKED)))
		return;
	if (me.y >= u->list_y && me.y < u->list_y + u->list_h) {
		uint64_t vi = u->top + (uint64_t)(me.y - u->list_y);
		u->focus = P_LIST;
		if (vi < u->nview)
			u->sel = vi;
		if (me.bstate & BUTTON1_DOUBLE_CLICKED)
			u->focus = P_DETAIL;
	} else if (me.y >= u->mid_y && me.y < u->mid_y + u->mid_h) {
		if (me.x < u->det_w) {
			unsigned line = 0, want = u->dtop + (unsigned)(me.y - u->mid_y);
			u->focus = P_DETAIL;
			if (!u->cur)
				return;
			for (unsigned i = 0; i < u->cur->nnodes; i = node_next(u, i), line++)
				if (line == want) {
					if (u->dsel == i || (me.bstate & BUTTON1_DOUBLE_CLICKED))
						u->collapsed[i] = node_has_children(u->cur, i) && !u->collapsed[i];
					u->dsel = i;
					u->htop = 0;
					break;
				}
		} else
			u->focus = P_HEX;
	} else if (u->find_h > 0 && me.y >= u->find_y && me.y < u->find_y + u->find_h) {
		uint64_t k = u->ftop + (uint64_t)(me.y - u->find_y);
		u->focus = P_FIND;
		if (k < tui_index_nfindings(u->x))
			u->fsel = k;
	}
}

/* ----------------------------------------------------------------- keys */

static void finding_jump(struct ui *u)
{
	const struct tui_finding *f;
	char what[64];

	if (u->fsel >= tui_index_nfindings(u->x))
		return;
	f = tui_index_finding(u->x, u->fsel);
	if (f->seq == UINT64_MAX) {
		if (f->frame)
			goto_frame(u, f->frame);
		else
			set_msg(u, false, "%s belongs to the whole capture", f->id);
	} else {
		snprintf(what, sizeof(what), "frame %" PRIu64, tui_index_row(u->x, f->seq)->frame);
		select_seq(u, f->seq, what);
	}
	u->focus = P_LIST;
}

static int page(struct ui *u)
{
	switch (u->focus) {
	case P_LIST: return u->list_h > 1 ? u->list_h - 1 : 1;
	case P_FIND: return u->find_h > 1 ? u->find_h - 1 : 1;
	default: return u->mid_h > 1 ? u->mid_h - 1 : 1;
	}
}

static void move_focus(struct ui *u, int64_t d)
{
	switch (u->focus) {
	case P_LIST: list_move(u, d); break;
	case P_DETAIL: detail_move(u, d > INT32_MAX ? INT32_MAX : d < -INT32_MAX ? -INT32_MAX : (int)d); break;
	case P_HEX:
		if (d < 0 && (uint64_t)-d > u->htop)
			u->htop = 0;
		else
			u->htop = (uint32_t)((int64_t)u->htop + d);
		break;
	case P_FIND: {
		uint64_t nf = tui_index_nfindings(u->x);
		if (d < 0 && (uint64_t)-d > u->fsel)
			u->fsel = 0;
		else if (d > 0 && u->fsel + (uint64_t)d >= nf)
			u->fsel = nf ? nf - 1 : 0;
		else
			u->fsel = (uint64_t)((int64_t)u->fsel + d);
		break;
	}
	default: break;
	}
}

/* Returns false to quit. */
static bool on_key(struct ui *u, int ch)
{
	char buf[FILTER_EXPR_MAX + 1];

	if (u->help) {
		u->help = false;
		clear();
		return true;
	}
	if (ch != ERR && ch != KEY_RESIZE && ch != KEY_MOUSE)
		u->msg[0] = '\0';
	switch (ch) {
	case 'q': case 'Q': return false;
	case '?': case KEY_F(1): u->help = true; break;
	case KEY_RESIZE: layout(u); clear(); break;
	case 12: clear(); break;                      /* Ctrl-L */
	case '\t': u->focus = (enum pane)((u->focus + 1) % P_COUNT); break;
	case KEY_BTAB: u->focus = (enum pane)((u->focus + P_COUNT - 1) % P_COUNT); break;
	case KEY_UP: case 'k': move_focus(u, -1); break;
	case KEY_DOWN: case 'j': move_focus(u, 1); break;
	case KEY_PPAGE: move_focus(u, -page(u)); break;
	case KEY_NPAGE: case ' ': move_focus(u, page(u)); break;
	case KEY_HOME: case 'g': move_focus(u, -INT32_MAX); break;
	case KEY_END: case 'G': move_focus(u, INT32_MAX); break;
	case KEY_LEFT: case 'h':
		if (u->focus == P_DETAIL && u->cur) {
			if (node_has_children(u->cur, u->dsel) && !u->collapsed[u->dsel])
				u->collapsed[u->dsel] = true;
			else                                  /* to the parent */
				for (unsigned i = u->dsel; i-- > 0;)
					if (u->cur->nodes[i].depth < u->cur->nodes[u->dsel].depth) {
						u->dsel = i;
						break;
					}
		}
		break;
	case KEY_RIGHT: case 'l':
		if (u->focus == P_DETAIL && u->cur && node_has_children(u->cur, u->dsel))
			u->collapsed[u->dsel] = false;
		break;
	case '\n': case '\r': case KEY_ENTER:
		if (u->focus == P_LIST)
			u->focus = P_DETAIL;
		else if (u->focus == P_DETAIL && u->cur && node_has_children(u->cur, u->dsel))
			u->collapsed[u->dsel] = !u->collapsed[u->dsel];
		else if (u->focus == P_FIND)
			finding_jump(u);
		break;
	case 'e': goto_error(u, 1); break;
	case 'E': goto_error(u, -1); break;
	case 'n': search_go(u, 1); break;
	case 'N': search_go(u, -1); break;
	case '/':
		buf[0] = '\0';
		if (prompt(u, "/", buf, sizeof(u->search)) && buf[0]) {
			snprintf(u->search, sizeof(u->search), "%s", buf);
			search_go(u, 1);
		}
		break;
	case 'f':
		snprintf(buf, sizeof(buf), "%s", u->filter);
		if (prompt(u, "filter: ", buf, FILTER_EXPR_MAX))
			apply_filter(u, buf);
		break;
	case ':':
		buf[0] = '\0';
		if (prompt(u, "go to frame: ", buf, 32) && buf[0]) {
			char *end;
			unsigned long long v;
			errno = 0;
			v = strtoull(buf, &end, 10);
			if (errno || *end || buf[0] == '-')
				set_msg(u, true, "not a frame number: %s", buf);
			else {
				goto_frame(u, v);
				u->focus = P_LIST;
			}
		}
		break;
	case 't': u->tmode = (enum tmode)((u->tmode + 1) % 3); break;
	case 'd': choose_device(u); break;
	case 'c':
		u->hide_other = !u->hide_other;
		view_reset(u);
		set_msg(u, false, u->hide_other ? "SCSI transactions only" : "control requests and USB events shown");
		break;
	case 'w': write_cut(u); break;
	case 's':
		if (!u->live)
			set_msg(u, false, "s stops a live capture (tui -i); this is a file");
		else {
			tui_live_stop(u->live);
			set_msg(u, false, "capture stopped: the list stays to browse (q quits)");
		}
		break;
	case KEY_MOUSE: on_mouse(u); break;
	default: break;
	}
	return true;
}

/* ----------------------------------------------------------------- main */

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void init_colors(struct ui *u)
{
	u->color = !u->o->monochrome && !getenv("NO_COLOR") && has_colors();
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_RED, -1);
	init_pair(2, COLOR_YELLOW, -1);
	init_pair(3, COLOR_CYAN, -1);
	init_pair(4, COLOR_BLUE, -1);
	init_pair(5, COLOR_MAGENTA, -1);
	init_pair(6, COLOR_BLACK, COLOR_YELLOW);
	init_pair(7, COLOR_BLACK, COLOR_CYAN);
}

int tui_run(const struct tui_opts *o)
{
	struct ui u;
	struct error err;
	char buf[600];
	int status = 0;

	memset(&u, 0, sizeof(u));
	u.o = o;
	clock_gettime(CLOCK_MONOTONIC, &u.t_start);
	setlocale(LC_ALL, "");
	u.live = o->live;
	if (!(u.x = u.live ? tui_index_start_live(u.live, &err) : tui_index_start(o->path, &err))) {
		fprintf(stderr, "scsiscope: %s\n", error_format(&err, buf, sizeof(buf)));
		return 2;
	}
	if (!(u.det = u.live ? tui_detailer_start_live(u.live, u.x, &err) : tui_detailer_start(o->path, u.x, &err))) {
		tui_index_free(u.x);
		fprintf(stderr, "scsiscope: %s\n", error_format(&err, buf, sizeof(buf)));
		return 2;
	}
	if (o->have_device) {
		u.have_dev = true;
		u.bus = o->bus;
		u.dev = o->device;
	}
	install_signals();
	atexit(restore_terminal);
	/* newterm, not initscr: initscr exits the program itself when the
	 * terminal is unknown (and newterm's failure leaks: ask first) */
	if (!tui_terminal_usable() || !(u.scr = newterm(NULL, stdout, stdin))) {
		fprintf(stderr, "scsiscope: tui: cannot use the terminal (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		tui_detailer_free(u.det);
		tui_index_free(u.x);
		return 2;
	}
	curses_on = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	timeout(50);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON1_TRIPLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		  | BUTTON5_PRESSED
#endif
		  , NULL);
	mouseinterval(200);
	init_colors(&u);
	layout(&u);
	if (o->filter)
		apply_filter(&u, o->filter);
	if (u.live) {
		u.follow = true;
		set_msg(&u, false, "following %s: the list shows the newest transaction; move away to stop, End to follow again, s stops the capture",
			tui_live_iface(u.live));
	}

	for (;;) {
		int ch;
		view_update(&u);
		if (u.follow && u.nview)
			u.sel = u.nview - 1;
		search_step(&u, 40);
		detail_take(&u);
		draw(&u);
		if (!u.first_drawn && (u.nview >= (uint64_t)u.list_h || tui_index_done(u.x))) {
			u.first_drawn = true;
			if (o->exit_after == TUI_EXIT_FIRST_SCREEN)
				break;
		}
		if (o->exit_after == TUI_EXIT_INDEXED && tui_index_done(u.x))
			break;
		timeout(u.s_active ? 0 : 50);
		ch = getch();
		if (got_signal)
			break;
		cut_poll(&u, false);
		if (ch == ERR)
			continue;
		if (u.s_active && ch != KEY_RESIZE && ch != KEY_MOUSE) {
			u.s_active = false;
			set_msg(&u, false, "search stopped");
			continue;
		}
		{
			uint64_t sel = u.sel;
			if (!on_key(&u, ch))
				break;
			if (u.live) {
				/* the list follows the newest row until the user moves
				 * away from it or to another pane; End follows again */
				if ((ch == KEY_END || ch == 'G') && u.focus == P_LIST)
					u.follow = true;
				else if (u.focus != P_LIST || (u.sel != sel && u.nview && u.sel != u.nview - 1))
					u.follow = false;
			}
		}
	}
	restore_terminal();
	delscreen(u.scr);
	if (got_signal)
		status = 128 + got_signal;
	if (o->exit_after != TUI_RUN) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "scsiscope: tui: %s after %.3f s, %" PRIu64 " transactions indexed%s, max RSS %ld kB\n",
			o->exit_after == TUI_EXIT_FIRST_SCREEN ? "first screen" : "indexed", since(&u.t_start),
			tui_index_count(u.x), tui_index_done(u.x) ? " (all)" : "", ru.ru_maxrss);
	}
	if (u.live) {
		/* the capture ends with the browser; say what it was */
		struct tui_live_status ls;
		static const char *const why[] = { "running", "stopped", "--count reached", "--duration reached",
						   "the source ended", "failed" };
		tui_live_stop(u.live);
		tui_live_wait(u.live);
		tui_live_status(u.live, &ls);
		fprintf(stderr, "scsiscope tui: %s: %" PRIu64 " packets, %" PRIu64 " commands indexed, %" PRIu64 " dropped (capture %s)\n",
			tui_live_iface(u.live), ls.packets, tui_index_commands(u.x), ls.drops,
			ls.state == TUI_LIVE_STOPPED && got_signal ? "stopped by the signal" : why[ls.state]);
		if (ls.state == TUI_LIVE_FAILED) {
			fprintf(stderr, "scsiscope: %s\n", error_format(&ls.err, buf, sizeof(buf)));
			if (!status)
				status = 2;
		}
		if (!tui_live_is_temp(u.live))
			fprintf(stderr, "scsiscope tui: the capture is in %s\n", tui_live_path(u.live));
	}
	if (tui_index_done(u.x) && tui_index_failed(u.x, &err)) {
		/* say it where it stays: the screen is gone */
		fprintf(stderr, "scsiscope: %s\n", error_format(&err, buf, sizeof(buf)));
		if (!status)
			status = 2;
	}
	cut_poll(&u, true);
	if (u.cut_result[0] && !got_signal)
		fprintf(stderr, "scsiscope: %s\n", u.cut_result[0] == '!' ? u.cut_result + 1 : u.cut_result);
	if (u.cur)
		tui_detail_put(u.det, u.cur);
	free(u.collapsed);
	tui_match_free(u.match);
	tui_detailer_free(u.det);
	tui_index_free(u.x);
	free(u.view);
	return status;
}
