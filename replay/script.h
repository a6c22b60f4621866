/* script.h - the replay script: a device identity and a list of SCSI commands with what the recording says they answered (parse, write, free). */
#ifndef SCSISCOPE_REPLAY_SCRIPT_H
#define SCSISCOPE_REPLAY_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The text format is documented in doc/replay-script.md (grammar and every
 * field).  In short:
 *
 *   scsiscope-replay 1
 *   device 46f4:0001 serial="SSBOT0001" vendor="QEMU" product="QEMU HARDDISK"
 *   transport bot
 *   lun 0
 *   block-size 512
 *   # frames 74-79 (1:003 tag 1): INQUIRY alloc=36
 *   cmd 12 00 00 00 24 00 in=36 expect status=good data=36 hash=5ab3e0c2a4f6c1d7
 *   cmd 2a 00 00 00 10 00 00 00 08 00 out=4096 data=@0123456789abcdef expect status=good
 *   raw out 55 53 42 43 ... expect stall
 *
 * Scripts are hostile input like captures: the parser bounds every line,
 * field and count, never reads outside the buffer, and reports the first
 * error as "SEQ:LINE:COLUMN: what is wrong".  Data-out payloads too big to
 * write inline live in a sidecar directory (SEQ.data/HASH.bin, named by
 * the XXH3-64 of their bytes); the parser only records the name, the
 * replay reads and checks the file (rs_load_data).
 */

#define RS_VERSION 1
#define RS_CDB_MAX 32             /* UAS carries up to 16 + 4 * additional bytes; BOT 16 */
#define RS_LINE_MAX 16384         /* characters in one line */
#define RS_FILE_MAX (64u << 20)   /* bytes in one script */
#define RS_STEPS_MAX 1000000      /* steps in one script */
#define RS_INLINE_MAX 1024        /* data-out bytes given inline (extract writes up to RS_INLINE_WRITE) */
#define RS_INLINE_WRITE 256
#define RS_RAW_MAX 1024           /* bytes of a raw step */
#define RS_DATA_MAX (16u << 20)   /* bytes one data phase may move (in= / out=) */
#define RS_STR_MAX 128            /* a quoted string (serial, vendor, product) */
#define RS_DURATION_MAX 3600000000LL  /* one hour, in microseconds */

enum rs_kind {
	RS_CMD = 1,               /* a SCSI command over the script's transport */
	RS_RAW_OUT,               /* bytes written as they are to the bulk-out (BOT) / command (UAS) pipe */
	RS_RAW_IN,                /* a read of N bytes from the bulk-in (BOT) / status (UAS) pipe */
};

enum rs_transport {
	RS_TRANSPORT_UNSET = 0,
	RS_TRANSPORT_BOT,
	RS_TRANSPORT_UAS,
};

/* What a step's expectation says about the status. */
#define RS_STATUS_UNSET (-1)      /* not recorded: not compared */
#define RS_STATUS_NONE (-2)       /* recorded as never answered (aborted, reset, capture ended) */
#define RS_STATUS_STALL (-3)      /* raw steps: the pipe stalled */
#define RS_STATUS_OK (-4)         /* raw steps: the transfer completed */

struct rs_step {
	uint8_t kind;             /* enum rs_kind */
	uint32_t line;            /* 1-based line in the script */
	uint8_t cdb[RS_CDB_MAX];  /* RS_CMD */
	uint8_t cdb_len;
	uint8_t dir;              /* enum scsi_dir (decode/decode.h): in=, out= or none */
	uint32_t xfer_len;        /* bytes of the data phase (in= N, out= N); raw in: bytes to read */
	bool has_lun;
	uint64_t lun;             /* lun= (else the script's) */
	int64_t timeout_us;       /* timeout= (0: the script's or the replay's default) */
	int64_t gap_us;           /* gap=: time since the previous step began in the recording; -1 unknown */
	/* Data-out (and raw) bytes: inline, or a sidecar named by its hash. */
	uint8_t *data;            /* inline bytes (owned), data_len of them */
	uint32_t data_len;
	bool data_sidecar;        /* data=@HASH: SEQ.data/HASH.bin holds xfer_len bytes */
	uint64_t data_hash;
	/* The recorded answer. */
	int16_t exp_status;       /* SCSI status byte, or RS_STATUS_* */
	bool exp_sense;
	uint8_t exp_key, exp_asc, exp_ascq;
	bool exp_len;             /* data-in bytes that moved */
	uint64_t exp_len_value;
	bool exp_hash;            /* XXH3-64 of those bytes */
	uint64_t exp_hash_value;
};

struct rs_script {
	/* header */
	bool has_device;
	uint16_t vid, pid;
	char serial[RS_STR_MAX];  /* "" when not recorded */
	char vendor[RS_STR_MAX];  /* INQUIRY vendor / product, "" when not recorded */
	char product[RS_STR_MAX];
	uint8_t transport;        /* enum rs_transport */
	uint64_t lun;
	uint32_t block_size;      /* 0 unknown */
	int64_t timeout_us;       /* default per-command timeout, 0 = the replay's */
	/* steps */
	struct rs_step *steps;
	size_t nsteps, alloc;
};

void rs_init(struct rs_script *s);
void rs_free(struct rs_script *s);
/* Append a zeroed step (exp_status RS_STATUS_UNSET, gap_us -1); NULL past RS_STEPS_MAX or out of memory. */
struct rs_step *rs_add_step(struct rs_script *s);

/* Parse len bytes of text; name is used in errors.  Returns 0, or -1 with
 * err (err_size bytes) holding "name:line:column: what is wrong"; the
 * script is then empty (rs_free is still safe). */
int rs_parse(const char *text, size_t len, const char *name, struct rs_script *out, char *err, size_t err_size);

/* Read and parse a file (at most RS_FILE_MAX bytes). */
int rs_parse_file(const char *path, struct rs_script *out, char *err, size_t err_size);

/* Write the script as text.  Comments (frame ranges, command summaries)
 * come from comment(ctx, i, sb) when given, one line before step i. */
struct strbuf;
typedef void (*rs_comment_fn)(void *ctx, size_t i, struct strbuf *sb);
void rs_write(struct strbuf *sb, const struct rs_script *s, const char *preamble, rs_comment_fn comment, void *ctx);

/* The bytes a step sends as data-out (or raw): inline, or the sidecar of
 * the script at script_path, read and checked against its hash.  Returns
 * 0 with *buf (malloc'd, *len bytes; NULL for none), or -1 with err. */
int rs_load_data(const struct rs_step *st, const char *script_path, uint8_t **buf, uint32_t *len, char *err,
		 size_t err_size);

/* SEQ.data/HASH.bin for a script path, into out. */
void rs_sidecar_path(const char *script_path, uint64_t hash, char *out, size_t size);

/* Status names of the format: "good", "check-condition", ... (NULL if
 * the byte has none: it is written as 0xNN). */
const char *rs_status_word(int status);

/* A duration as the format writes it: "250ms", "1.5s", "12us". */
void rs_format_duration(char *buf, size_t size, int64_t us);

#endif
