/* ring.c - pcapng output of live captures: one file or a ring of size-limited files, each complete with its statistics. */
#include "config.h"
#include "capture/ring.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/writer.h"
#include "util/strbuf.h"

/* pcapng block types and options (draft-ietf-opsawg-pcapng, sections 4.1-4.6). */
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9
#define OPT_EPB_DROPCOUNT 4
#define OPT_ISB_STARTTIME 2
#define OPT_ISB_ENDTIME 3
#define OPT_ISB_IFRECV 4
#define OPT_ISB_IFDROP 5
#define TSRESOL 6                 /* usbmon time stamps are in microseconds */

struct ring {
	struct ring_opts o;
	char path[PATH_MAX];      /* o.path, kept */
	char ifname[64];
	char cur[PATH_MAX];
	FILE *fp;
	bool is_stdout;
	unsigned nfile;           /* number of the current file (ring) */
	uint64_t file_bytes;
	uint64_t file_packets;
	uint64_t file_drops;      /* drops put on this file's packets */
	int64_t file_t0, file_t1;
	uint64_t packets, bytes;
	uint64_t drops;           /* put on packets, every file */
	struct strbuf sb;
};

void ring_file_name(const char *path, unsigned n, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (!dot || dot == (slash ? slash + 1 : path))
		snprintf(buf, len, "%s_%05u", path, n);
	else
		snprintf(buf, len, "%.*s_%05u%s", (int)(dot - path), path, n, dot);
}

static int write_out(struct ring *r, struct error *err)
{
	if (r->sb.len && fwrite(r->sb.buf, 1, r->sb.len, r->fp) != r->sb.len) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot write: %s", strerror(errno));
		error_set_file(err, r->cur);
		return -1;
	}
	r->file_bytes += r->sb.len;
	r->bytes += r->sb.len;
	sb_reset(&r->sb);
	return 0;
}

/* SHB and IDB of a new file. */
static void headers(struct ring *r)
{
	struct strbuf body, opts;
	char appl[64];

	sb_init(&body);
	sb_init(&opts);
	/* SHB: byte-order magic, version 1.0, section length unknown */
	sb_add_le32(&body, 0x1A2B3C4Du);
	sb_add_le16(&body, 1);
	sb_add_le16(&body, 0);
	sb_add_le64(&body, UINT64_MAX);
	snprintf(appl, sizeof(appl), "scsiscope %s", PACKAGE_VERSION);
	pcapngw_opt(&body, false, OPT_SHB_USERAPPL, appl, (uint16_t)strlen(appl));
	sb_add_le32(&body, 0);
	pcapngw_block(&r->sb, false, 0x0A0D0D0Au, body.buf, (uint32_t)body.len);
	/* IDB */
	sb_reset(&body);
	sb_add_le16(&body, (uint16_t)r->o.linktype);
	sb_add_le16(&body, 0);
	sb_add_le32(&body, r->o.snaplen);
	if (r->ifname[0])
		pcapngw_opt(&body, false, OPT_IF_NAME, r->ifname, (uint16_t)strlen(r->ifname));
	{
		uint8_t res = TSRESOL;
		pcapngw_opt(&body, false, OPT_IF_TSRESOL, &res, 1);
	}
	sb_add_le32(&body, 0);
	pcapngw_block(&r->sb, false, 1, body.buf, (uint32_t)body.len);
	sb_release(&body);
	sb_release(&opts);
}

static int start_file(struct ring *r, struct error *err)
{
	if (r->o.size_bytes) {
		r->nfile++;
		ring_file_name(r->path, r->nfile, r->cur, sizeof(r->cur));
		if (r->o.files && r->nfile > r->o.files) {
			char old[PATH_MAX];
			ring_file_name(r->path, r->nfile - r->o.files, old, sizeof(old));
			unlink(old);
		}
	} else {
		snprintf(r->cur, sizeof(r->cur), "%s", r->path);
	}
	if (r->is_stdout) {
		r->fp = stdout;
	} else if (!(r->fp = fopen(r->cur, "wb"))) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot create: %s", strerror(errno));
		error_set_file(err, r->cur);
		return -1;
	}
	r->file_bytes = 0;
	r->file_packets = 0;
	r->file_drops = 0;
	r->file_t0 = r->file_t1 = 0;
	headers(r);
	return write_out(r, err);
}

/* The statistics block that ends a file. */
static void stats_block(struct ring *r, uint64_t drops)
{
	struct strbuf opts;
	int64_t t = r->file_t1;

	sb_init(&opts);
	if (r->file_packets) {
		uint64_t u0 = (uint64_t)(r->file_t0 < 0 ? 0 : r->file_t0) / 1000, u1 = (uint64_t)(t < 0 ? 0 : t) / 1000;
		/* isb_starttime/endtime: time stamps as in an EPB, the high
		 * 32 bits first, each word in the section's byte order (4.6) */
		pcapngw_opt_u64(&opts, false, OPT_ISB_STARTTIME, (u0 << 32) | (u0 >> 32));
		pcapngw_opt_u64(&opts, false, OPT_ISB_ENDTIME, (u1 << 32) | (u1 >> 32));
	}
	pcapngw_opt_u64(&opts, false, OPT_ISB_IFRECV, r->file_packets + drops);
	pcapngw_opt_u64(&opts, false, OPT_ISB_IFDROP, drops);
	pcapngw_isb(&r->sb, false, 0, t, TSRESOL, opts.buf, (uint32_t)opts.len);
	sb_release(&opts);
}

static int end_file(struct ring *r, struct error *err)
{
	int rc;

	stats_block(r, r->file_drops);
	rc = write_out(r, err);
	if (r->is_stdout) {
		if (fflush(stdout) != 0 && rc == 0) {
			error_set(err, 0, ERROR_NO_OFFSET, "cannot write to standard output: %s", strerror(errno));
			rc = -1;
		}
	} else if (fclose(r->fp) != 0 && rc == 0) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot write: %s", strerror(errno));
		error_set_file(err, r->cur);
		rc = -1;
	}
	r->fp = NULL;
	return rc;
}

int ring_open(const struct ring_opts *o, struct ring **out, struct error *err)
{
	struct ring *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	r->o = *o;
	snprintf(r->path, sizeof(r->path), "%s", o->path);
	snprintf(r->ifname, sizeof(r->ifname), "%s", o->if_name ? o->if_name : "");
	r->o.path = r->path;
	r->is_stdout = strcmp(o->path, "-") == 0;
	if (r->is_stdout)
		r->o.size_bytes = 0;
	sb_init(&r->sb);
	if (start_file(r, err) < 0) {
		sb_release(&r->sb);
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int ring_write(struct ring *r, const struct cap_live_pkt *pkt, uint64_t drops, struct error *err)
{
	struct strbuf opts;
	size_t start;

	sb_init(&opts);
	if (drops)
		pcapngw_opt_u64(&opts, false, OPT_EPB_DROPCOUNT, drops);
	start = r->sb.len;
	pcapngw_epb_opts(&r->sb, false, 0, pkt->ts_ns, TSRESOL, pkt->data, pkt->caplen, pkt->len, opts.buf,
			 (uint32_t)opts.len);
	sb_release(&opts);
	if (r->o.size_bytes && r->file_packets &&
	    r->file_bytes + r->sb.len + 64 > r->o.size_bytes) {
		/* this packet starts the next file */
		struct strbuf blk;
		sb_init(&blk);
		sb_add(&blk, r->sb.buf + start, r->sb.len - start);
		r->sb.len = start;
		if (end_file(r, err) < 0 || start_file(r, err) < 0) {
			sb_release(&blk);
			return -1;
		}
		sb_add(&r->sb, blk.buf, blk.len);
		sb_release(&blk);
	}
	if (!r->file_packets)
		r->file_t0 = pkt->ts_ns;
	r->file_t1 = pkt->ts_ns;
	r->file_packets++;
	r->file_drops += drops;
	r->drops += drops;
	r->packets++;
	if (r->sb.len >= (1u << 16))
		return write_out(r, err);
	return 0;
}

int ring_flush(struct ring *r, struct error *err)
{
	if (write_out(r, err) < 0)
		return -1;
	if (fflush(r->fp) != 0) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot write: %s", strerror(errno));
		error_set_file(err, r->cur);
		return -1;
	}
	return 0;
}

int ring_close(struct ring *r, uint64_t drops_total, struct error *err)
{
	int rc;

	if (!r)
		return 0;
	/* drops counted after the last packet still belong to this file */
	if (drops_total > r->drops)
		r->file_drops += drops_total - r->drops;
	rc = end_file(r, err);
	sb_release(&r->sb);
	free(r);
	return rc;
}

const char *ring_current(const struct ring *r) { return r->cur; }
uint64_t ring_packets(const struct ring *r) { return r->packets; }
uint64_t ring_bytes(const struct ring *r) { return r->bytes; }
unsigned ring_files(const struct ring *r) { return r->o.size_bytes ? r->nfile : 1; }
