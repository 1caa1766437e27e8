/*
 * Freestanding LZ4 frame decoder. Formats: "LZ4 Frame Format Description" 1.6.1 (frame,
 * skippable frames, legacy magic), "LZ4 Block Format Description" (sequences and the
 * end-of-block conditions), xxHash specification (XXH32).
 *
 * Safety rests on two rules kept everywhere below:
 *   - a length read from the input is compared with the room left (iend - ip,
 *     oend - op, as size_t) before any pointer is moved by it;
 *   - the wide "wild" copies (8 to 32 bytes at a time, possibly past the end of what a
 *     sequence needs) only run when the check above left that much room, so they stay
 *     inside the buffers; near the ends the copies are exact.
 * Frame blocks are at most 4 MiB, so literal and match lengths (at most 255 per input
 * byte) fit a 32-bit size_t; read_length() still stops any length from wrapping.
 */
#include <stdbool.h>

#include "lz4_decode.h"

/*
 * No <string.h>: the builtins need no header in any environment. With a constant size
 * they expand inline even under -ffreestanding (which implies -fno-builtin); with a
 * variable size they call the environment's memcpy.
 */
#define copy_bytes(d, s, n) __builtin_memcpy((d), (s), (n))
#if defined(LZ4_STRICT_ALIGN) || (defined(__aarch64__) && !defined(__ARM_FEATURE_UNALIGNED))
/*
 * Strict alignment (aarch64 -mstrict-align before the MMU is on): GCC turns a small
 * unaligned __builtin_memcpy into a call to memcpy; an inline byte loop is cheaper. The
 * empty asm keeps GCC from recognising the loop as a memcpy and calling it anyway.
 * clang drops __ARM_FEATURE_UNALIGNED under -mstrict-align, GCC 12 does not: GCC builds
 * pass -DLZ4_STRICT_ALIGN.
 */
static inline void copy_fixed(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	for (size_t i = 0; i < n; i++) {
		dp[i] = sp[i];
		__asm__ volatile("");
	}
}
#else
#define copy_fixed(d, s, n) __builtin_memcpy((d), (s), (n))
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Frame descriptor (frame format, "Frame Descriptor"). */
enum {
	FLG_VERSION_SHIFT = 6,
	FLG_VERSION_01 = 1,
	FLG_BLOCK_INDEP = 1 << 5,
	FLG_BLOCK_CHECKSUM = 1 << 4,
	FLG_CONTENT_SIZE = 1 << 3,
	FLG_CONTENT_CHECKSUM = 1 << 2,
	FLG_RESERVED = 1 << 1,
	FLG_DICTID = 1 << 0,
	BD_RESERVED = 0x8f, /* bit 7 and bits 3-0 */
	BD_SIZE_ID_SHIFT = 4,
	BD_SIZE_ID_MASK = 7,
	BD_SIZE_ID_MIN = 4, /* 4..7 = 64 KiB, 256 KiB, 1 MiB, 4 MiB */
};

#define BLOCK_STORED	  0x80000000u /* block size field: data stored uncompressed */
#define MAGIC_LEN	  4
#define FRAME_HDR_MIN	  (MAGIC_LEN + 3) /* magic, FLG, BD, HC */
#define SKIPPABLE_HDR_LEN 8		  /* magic, user data size */
#define CHECKSUM_LEN	  4

/* Block format, "End of block conditions". */
#define LAST_LITERALS	5  /* the last 5 bytes of a block are literals */
#define MATCH_END_LIMIT 12 /* the last match starts at least 12 bytes before the end */
#define MIN_MATCH	4
#define RUN_MASK	15

/* The wide copies may run this many bytes minus one past what a sequence needs. */
#define WILD_SLACK 32

/* xxHash-32 primes (xxHash specification, XXH32). */
#define XXH_P1	   0x9E3779B1u
#define XXH_P2	   0x85EBCA77u
#define XXH_P3	   0xC2B2AE3Du
#define XXH_P4	   0x27D4EB2Fu
#define XXH_P5	   0x165667B1u
#define XXH_STRIPE 16

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG_ENDIAN 1
#else
#define HOST_BIG_ENDIAN 0
#endif

static inline uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	if (HOST_BIG_ENDIAN)
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
	copy_fixed(&v, p, 4);
	return v;
}

static inline size_t le16(const uint8_t *p)
{
	uint16_t v;

	if (HOST_BIG_ENDIAN)
		return (size_t)p[0] | (size_t)p[1] << 8;
	copy_fixed(&v, p, 2);
	return v;
}

static inline uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

const char *lz4_strerror(int err)
{
	static const char *const names[] = {
		[LZ4_E_NULL] = "NULL buffer with a non-zero length",
		[LZ4_E_NOFRAME] = "no LZ4 frame in the input",
		[LZ4_E_TRUNCATED] = "input ends inside a frame",
		[LZ4_E_MAGIC] = "bad magic (not an LZ4 frame)",
		[LZ4_E_LEGACY] = "legacy LZ4 format (lz4 -l) is not supported",
		[LZ4_E_VERSION] = "unsupported frame version (need 01)",
		[LZ4_E_RESERVED] = "reserved bit set in the frame descriptor",
		[LZ4_E_BLOCKSIZE_ID] = "invalid block maximum size id (need 4..7)",
		[LZ4_E_DICTID] = "frame needs a dictionary (not supported)",
		[LZ4_E_HEADER_CHECKSUM] = "frame header checksum mismatch",
		[LZ4_E_BLOCK_TOO_BIG] = "block larger than the frame's block maximum size",
		[LZ4_E_BLOCK_CHECKSUM] = "block checksum mismatch",
		[LZ4_E_CORRUPT] = "malformed compressed block",
		[LZ4_E_OFFSET] = "match offset out of range",
		[LZ4_E_BLOCK_OVERFLOW] = "block decodes past the block maximum size",
		[LZ4_E_DST_FULL] = "output buffer too small",
		[LZ4_E_CONTENT_SIZE] = "decoded size differs from the frame's content size",
		[LZ4_E_CONTENT_CHECKSUM] = "content checksum mismatch",
		[LZ4_E_TRAILING] = "trailing bytes after the last frame",
		[LZ4_E_NOSIZE] = "frame header has no content size",
	};

	if (err < 0)
		err = -err;
	if (err <= 0 || (size_t)err >= ARRAY_LEN(names) || !names[err])
		return "unknown lz4 error";
	return names[err];
}

/* ---- xxHash-32 ------------------------------------------------------------------ */

static inline uint32_t rotl32(uint32_t x, unsigned r)
{
	return x << r | x >> (32 - r);
}

static inline uint32_t xxh_round(uint32_t acc, uint32_t lane)
{
	acc = rotl32(acc + lane * XXH_P2, 13) * XXH_P1;
	/* Keep acc in a general register: vectorised over the four lanes, as GCC does for
	 * x86-64 SSE2 (no 32-bit vector multiply), the hash runs at half the speed. */
	__asm__("" : "+r"(acc));
	return acc;
}

/*
 * XXH32 over data that lies contiguously in memory but becomes available piece by
 * piece (the decoded output of successive blocks): the state remembers where the data
 * starts and how far whole 16-byte stripes have been consumed, so no buffer is needed.
 */
struct xxh32_state {
	uint32_t v1, v2, v3, v4;
	const uint8_t *start;
	const uint8_t *next; /* first byte not yet folded into v1..v4 */
	uint32_t seed;
};

static void xxh32_begin(struct xxh32_state *s, const uint8_t *start, uint32_t seed)
{
	s->v1 = seed + XXH_P1 + XXH_P2;
	s->v2 = seed + XXH_P2;
	s->v3 = seed;
	s->v4 = seed - XXH_P1;
	s->start = start;
	s->next = start;
	s->seed = seed;
}

/* Fold every whole stripe of [s->next, end). */
static void xxh32_feed(struct xxh32_state *s, const uint8_t *end)
{
	const uint8_t *p = s->next;
	uint32_t v1 = s->v1, v2 = s->v2, v3 = s->v3, v4 = s->v4;
	size_t n = (size_t)(end - p) / XXH_STRIPE;

	while (n--) {
		v1 = xxh_round(v1, le32(p));
		v2 = xxh_round(v2, le32(p + 4));
		v3 = xxh_round(v3, le32(p + 8));
		v4 = xxh_round(v4, le32(p + 12));
		p += XXH_STRIPE;
	}
	s->v1 = v1;
	s->v2 = v2;
	s->v3 = v3;
	s->v4 = v4;
	s->next = p;
}

/* The hash of [s->start, end). */
static uint32_t xxh32_end(struct xxh32_state *s, const uint8_t *end)
{
	size_t len = (size_t)(end - s->start);
	const uint8_t *p;
	uint32_t h;

	xxh32_feed(s, end);
	p = s->next;
	if (len >= XXH_STRIPE)
		h = rotl32(s->v1, 1) + rotl32(s->v2, 7) + rotl32(s->v3, 12) + rotl32(s->v4, 18);
	else
		h = s->seed + XXH_P5;
	h += (uint32_t)len; /* the length modulo 2^32 */

	for (; end - p >= 4; p += 4)
		h = rotl32(h + le32(p) * XXH_P3, 17) * XXH_P4;
	for (; p < end; p++)
		h = rotl32(h + *p * XXH_P5, 11) * XXH_P1;

	h ^= h >> 15;
	h *= XXH_P2;
	h ^= h >> 13;
	h *= XXH_P3;
	h ^= h >> 16;
	return h;
}

uint32_t lz4_xxh32(const void *data, size_t len, uint32_t seed)
{
	struct xxh32_state s;
	const uint8_t *p = data;

	if (!len) /* data may be NULL: no arithmetic on it */
		p = (const uint8_t *)&s;
	xxh32_begin(&s, p, seed);
	return xxh32_end(&s, p + len);
}

/* ---- block decoder ---------------------------------------------------------------- */

/*
 * Match copy that may write up to WILD_SLACK - 1 bytes past op + len. No copy reads a
 * byte not written yet: a 16-byte copy needs offset >= 16 (the second of a pair reads
 * what the first wrote), an 8-byte one offset >= 8. For offset < 8 the first 8 bytes go
 * one at a time; the output is then periodic with period `offset`, so the rest can copy
 * from any multiple of the offset that is >= 8
 * (pattern_dist[offset] = offset * ceil(8 / offset)).
 */
static inline void copy_match_wild(uint8_t *op, const uint8_t *match, size_t offset, size_t len)
{
	static const uint8_t pattern_dist[8] = {0, 8, 8, 9, 8, 10, 12, 14};
	uint8_t *const end = op + len;

	if (offset >= 16) {
		do {
			copy_fixed(op, match, 16);
			copy_fixed(op + 16, match + 16, 16);
			op += 32;
			match += 32;
		} while (op < end);
		return;
	}
	if (offset < 8) {
		for (int i = 0; i < 8; i++)
			op[i] = match[i];
		op += 8;
		match = op - pattern_dist[offset];
	}
	while (op < end) {
		copy_fixed(op, match, 8);
		op += 8;
		match += 8;
	}
}

/*
 * Match copy with room bytes writable at op (room >= len). Near the end of the output
 * (a long run of zeros often ends a block 5 bytes before its end) the wild copy still
 * does all but the last WILD_SLACK bytes or so, which go one at a time: they overwrite
 * the wild copy's overshoot in order, and each reads a byte already final.
 */
static inline void copy_match(uint8_t *op, const uint8_t *match, size_t offset, size_t len,
			      size_t room)
{
	size_t head;

	if (room - len >= WILD_SLACK) {
		copy_match_wild(op, match, offset, len);
		return;
	}
	if (offset >= len) {
		copy_bytes(op, match, len);
		return;
	}
	/* head < len, and the wild copy of head bytes stays below op + room. */
	head = room >= 2 * WILD_SLACK ? room - WILD_SLACK : 0;
	if (head)
		copy_match_wild(op, match, offset, head);
	for (size_t i = head; i < len; i++)
		op[i] = match[i];
}

/* Literal copy that may read and write up to WILD_SLACK - 1 bytes past len. */
static inline void copy_literals_wild(uint8_t *op, const uint8_t *ip, size_t len)
{
	uint8_t *const end = op + len;

	do {
		copy_fixed(op, ip, 16);
		copy_fixed(op + 16, ip + 16, 16);
		op += 32;
		ip += 32;
	} while (op < end);
}

/*
 * Read the extra length bytes after a field of 15 (each 255 means another byte follows).
 * Returns false if the input ends first, or if the length grows past SIZE_MAX / 2 (only
 * a raw block of 8 MiB+ on a 32-bit machine can get there; no buffer is that large).
 */
static inline bool read_length(const uint8_t **ipp, const uint8_t *iend, size_t *len)
{
	const uint8_t *ip = *ipp;
	unsigned b;

	do {
		if (ip == iend || *len > (size_t)-1 / 2)
			return false;
		b = *ip++;
		*len += b;
	} while (b == 255);
	*ipp = ip;
	return true;
}

/*
 * Decode one compressed block [ip, iend) to op. Output may not go past oend; matches may
 * not reach before window. On success *op_end is the end of the decoded data.
 * Returns 0, -LZ4_E_CORRUPT, -LZ4_E_OFFSET, or -LZ4_E_DST_FULL when the block does not
 * fit before oend (the caller tells which limit that was).
 */
static int decode_block(const uint8_t *ip, const uint8_t *const iend, uint8_t *op,
			uint8_t *const oend, const uint8_t *const window, uint8_t **op_end)
{
	const uint8_t *last_match = NULL; /* output position of the latest match */

	for (;;) {
		unsigned token;
		size_t lit, mlen, offset;
		const uint8_t *match;

		if (ip == iend)
			return -LZ4_E_CORRUPT; /* a match was not followed by the last literals */
		token = *ip++;
		lit = token >> 4;

		if (lit != RUN_MASK && (size_t)(iend - ip) >= 16 && (size_t)(oend - op) >= 16) {
			/* Short literal run far from both ends: one 16-byte copy, and since
			 * the input goes on after it, a match must follow. */
			copy_fixed(op, ip, 16);
			op += lit;
			ip += lit;
		} else {
			if (lit == RUN_MASK && !read_length(&ip, iend, &lit))
				return -LZ4_E_CORRUPT;
			if (lit > (size_t)(iend - ip))
				return -LZ4_E_CORRUPT;
			if (lit > (size_t)(oend - op))
				return -LZ4_E_DST_FULL;
			if ((size_t)(iend - ip) - lit >= WILD_SLACK &&
			    (size_t)(oend - op) - lit >= WILD_SLACK)
				copy_literals_wild(op, ip, lit);
			else
				copy_bytes(op, ip, lit);
			op += lit;
			ip += lit;
			if (ip == iend) {
				/* The last sequence: literals only (its match length field
				 * unused, 0 as every compressor writes it), and the
				 * end-of-block conditions. */
				if ((token & RUN_MASK) ||
				    (last_match && (lit < LAST_LITERALS ||
						    (size_t)(op - last_match) < MATCH_END_LIMIT)))
					return -LZ4_E_CORRUPT;
				*op_end = op;
				return 0;
			}
			if (iend - ip < 2)
				return -LZ4_E_CORRUPT;
		}

		offset = le16(ip);
		ip += 2;
		/* offset 0 wraps to SIZE_MAX: one test for both ends of the range. */
		if (offset - 1 >= (size_t)(op - window))
			return -LZ4_E_OFFSET;
		match = op - offset;
		last_match = op;
		mlen = token & RUN_MASK;

		if (mlen != RUN_MASK && offset >= 8 && (size_t)(oend - op) >= 32) {
			/* Match of at most 18 bytes far from the end: fixed copies, each
			 * reading only bytes already written. */
			copy_fixed(op, match, 8);
			copy_fixed(op + 8, match + 8, 8);
			copy_fixed(op + 16, match + 16, 2);
			op += mlen + MIN_MATCH;
			continue;
		}
		if (mlen == RUN_MASK && !read_length(&ip, iend, &mlen))
			return -LZ4_E_CORRUPT;
		mlen += MIN_MATCH;
		if (mlen > (size_t)(oend - op))
			return -LZ4_E_DST_FULL;
		copy_match(op, match, offset, mlen, (size_t)(oend - op));
		op += mlen;
	}
}

int lz4_block_decode(const void *src, size_t src_len, void *dst, size_t dst_cap, size_t *out_len)
{
	uint8_t dummy;
	uint8_t *op = dst, *end;
	int err;

	if (out_len)
		*out_len = 0;
	if ((!src && src_len) || (!dst && dst_cap))
		return -LZ4_E_NULL;
	if (!src_len)
		return -LZ4_E_CORRUPT; /* a block has at least its last token */
	if (!op)
		op = &dummy; /* dst_cap is 0: only an empty block fits */
	err = decode_block(src, (const uint8_t *)src + src_len, op, op + dst_cap, op, &end);
	if (!err && out_len)
		*out_len = (size_t)(end - op);
	return err;
}

/* ---- frames --------------------------------------------------------------------- */

struct frame_hdr {
	uint8_t flg;
	size_t len; /* magic + frame descriptor */
	uint32_t block_max;
	uint64_t content_size; /* valid with FLG_CONTENT_SIZE */
};

/* Parse the header of the LZ4 frame at p (magic already checked, left bytes readable). */
static int parse_frame_header(const uint8_t *p, size_t left, struct frame_hdr *h)
{
	uint8_t flg, bd;
	unsigned id;
	size_t len = FRAME_HDR_MIN;

	if (left < FRAME_HDR_MIN)
		return -LZ4_E_TRUNCATED;
	flg = p[MAGIC_LEN];
	bd = p[MAGIC_LEN + 1];
	if ((flg >> FLG_VERSION_SHIFT) != FLG_VERSION_01)
		return -LZ4_E_VERSION;
	if ((flg & FLG_RESERVED) || (bd & BD_RESERVED))
		return -LZ4_E_RESERVED;
	if (flg & FLG_CONTENT_SIZE)
		len += 8;
	if (flg & FLG_DICTID)
		len += 4;
	if (left < len)
		return -LZ4_E_TRUNCATED;
	/* HC: second byte of the XXH32 of the descriptor (FLG up to, not including, HC). */
	if (((lz4_xxh32(p + MAGIC_LEN, len - MAGIC_LEN - 1, 0) >> 8) & 0xff) != p[len - 1])
		return -LZ4_E_HEADER_CHECKSUM;
	id = (bd >> BD_SIZE_ID_SHIFT) & BD_SIZE_ID_MASK;
	if (id < BD_SIZE_ID_MIN)
		return -LZ4_E_BLOCKSIZE_ID;
	if (flg & FLG_DICTID)
		return -LZ4_E_DICTID;

	h->flg = flg;
	h->len = len;
	h->block_max = 1u << (2 * id + 8); /* 4 -> 64 KiB ... 7 -> 4 MiB */
	h->content_size = (flg & FLG_CONTENT_SIZE) ? le64(p + MAGIC_LEN + 2) : 0;
	return 0;
}

/* What hit the output limit of a block: the frame's content size or the buffer. */
static int limit_error(const struct frame_hdr *h)
{
	return (h->flg & FLG_CONTENT_SIZE) ? -LZ4_E_CONTENT_SIZE : -LZ4_E_DST_FULL;
}

/*
 * Decode the LZ4 frame at *ipp (magic checked) to *opp, output not past dend. Both
 * cursors advance past the frame. *where is left at the faulty field.
 */
static int decode_frame(const uint8_t **ipp, const uint8_t *iend, uint8_t **opp, uint8_t *dend,
			const uint8_t **where)
{
	const uint8_t *ip = *ipp;
	uint8_t *op = *opp;
	uint8_t *const frame_out = op;
	uint8_t *fend = dend; /* output limit of this frame */
	struct frame_hdr h;
	struct xxh32_state xs;
	size_t cks_len;
	int err;

	*where = ip;
	err = parse_frame_header(ip, (size_t)(iend - ip), &h);
	if (err)
		return err;
	if (h.flg & FLG_CONTENT_SIZE) {
		if (h.content_size > (uint64_t)(dend - op))
			return -LZ4_E_DST_FULL;
		fend = op + (size_t)h.content_size;
	}
	ip += h.len;
	cks_len = (h.flg & FLG_BLOCK_CHECKSUM) ? CHECKSUM_LEN : 0;
	xxh32_begin(&xs, op, 0);

	for (;;) {
		uint32_t field, bsize;
		size_t room;

		*where = ip;
		if (iend - ip < 4)
			return -LZ4_E_TRUNCATED;
		field = le32(ip);
		if (field == 0) /* end mark */
			break;
		ip += 4;
		bsize = field & ~BLOCK_STORED;
		if (bsize > h.block_max)
			return -LZ4_E_BLOCK_TOO_BIG;
		if ((size_t)(iend - ip) < bsize + cks_len) /* bsize <= 4 MiB: no overflow */
			return -LZ4_E_TRUNCATED;
		if (cks_len && lz4_xxh32(ip, bsize, 0) != le32(ip + bsize)) {
			*where = ip + bsize;
			return -LZ4_E_BLOCK_CHECKSUM;
		}

		room = (size_t)(fend - op);
		if (field & BLOCK_STORED) {
			if (bsize > room)
				return limit_error(&h);
			copy_bytes(op, ip, bsize);
			op += bsize;
		} else {
			size_t limit = room < h.block_max ? room : h.block_max;
			const uint8_t *window = (h.flg & FLG_BLOCK_INDEP) ? op : frame_out;

			err = decode_block(ip, ip + bsize, op, op + limit, window, &op);
			if (err == -LZ4_E_DST_FULL)
				err = room >= h.block_max ? -LZ4_E_BLOCK_OVERFLOW : limit_error(&h);
			if (err)
				return err;
		}
		ip += bsize + cks_len;
		if (h.flg & FLG_CONTENT_CHECKSUM)
			xxh32_feed(&xs, op);
	}

	if ((h.flg & FLG_CONTENT_SIZE) && op != fend)
		return -LZ4_E_CONTENT_SIZE;
	ip += 4; /* the end mark */
	if (h.flg & FLG_CONTENT_CHECKSUM) {
		*where = ip;
		if (iend - ip < CHECKSUM_LEN)
			return -LZ4_E_TRUNCATED;
		if (xxh32_end(&xs, op) != le32(ip))
			return -LZ4_E_CONTENT_CHECKSUM;
		ip += CHECKSUM_LEN;
	}
	*ipp = ip;
	*opp = op;
	return 0;
}

/*
 * Classify the frame at ip (left >= 1 bytes): 1 for an LZ4 frame, 0 after skipping a
 * skippable frame (*ipp advanced), or a negative error. frames = LZ4 frames seen so far.
 */
static int next_frame(const uint8_t **ipp, size_t left, int frames)
{
	const uint8_t *ip = *ipp;
	uint32_t magic, size;

	if (left < MAGIC_LEN)
		return frames ? -LZ4_E_TRAILING : -LZ4_E_TRUNCATED;
	magic = le32(ip);
	if ((magic & LZ4_SKIPPABLE_MASK) == LZ4_SKIPPABLE_MAGIC) {
		if (left < SKIPPABLE_HDR_LEN)
			return -LZ4_E_TRUNCATED;
		size = le32(ip + MAGIC_LEN);
		if (size > left - SKIPPABLE_HDR_LEN)
			return -LZ4_E_TRUNCATED;
		*ipp = ip + SKIPPABLE_HDR_LEN + size;
		return 0;
	}
	if (magic == LZ4_FRAME_MAGIC)
		return 1;
	if (magic == LZ4_LEGACY_MAGIC)
		return -LZ4_E_LEGACY;
	return frames ? -LZ4_E_TRAILING : -LZ4_E_MAGIC;
}

int lz4_frame_decode(const void *src, size_t src_len, void *dst, size_t dst_cap, size_t *out_len,
		     size_t *err_offset)
{
	const uint8_t *ip = src, *iend, *where = src;
	uint8_t dummy;
	uint8_t *op = dst, *ostart, *dend;
	int frames = 0, err = 0;

	if (out_len)
		*out_len = 0;
	if (err_offset)
		*err_offset = 0;
	if ((!src && src_len) || (!dst && dst_cap))
		return -LZ4_E_NULL;
	if (!src_len)
		return -LZ4_E_NOFRAME;
	if (!op)
		op = &dummy; /* dst_cap is 0: only empty frames fit */
	ostart = op;
	iend = ip + src_len;
	dend = op + dst_cap;

	while (ip < iend) {
		where = ip;
		err = next_frame(&ip, (size_t)(iend - ip), frames);
		if (err < 0)
			break;
		if (err == 0)
			continue;
		err = decode_frame(&ip, iend, &op, dend, &where);
		if (err)
			break;
		frames++;
	}
	if (!err && !frames)
		err = -LZ4_E_NOFRAME;
	if (err) {
		if (err_offset)
			*err_offset = (size_t)(where - (const uint8_t *)src);
		return err;
	}
	if (out_len)
		*out_len = (size_t)(op - ostart);
	return 0;
}

/* Walk the block size fields of the frame at *ipp (header h) up to its end. */
static int skip_frame(const uint8_t **ipp, const uint8_t *iend, const struct frame_hdr *h)
{
	const uint8_t *ip = *ipp + h->len;
	size_t cks_len = (h->flg & FLG_BLOCK_CHECKSUM) ? CHECKSUM_LEN : 0;

	for (;;) {
		uint32_t field, bsize;

		if (iend - ip < 4)
			return -LZ4_E_TRUNCATED;
		field = le32(ip);
		if (field == 0) /* end mark */
			break;
		ip += 4;
		bsize = field & ~BLOCK_STORED;
		if (bsize > h->block_max)
			return -LZ4_E_BLOCK_TOO_BIG;
		if ((size_t)(iend - ip) < bsize + cks_len)
			return -LZ4_E_TRUNCATED;
		ip += bsize + cks_len;
	}
	ip += 4;
	if (h->flg & FLG_CONTENT_CHECKSUM) {
		if (iend - ip < CHECKSUM_LEN)
			return -LZ4_E_TRUNCATED;
		ip += CHECKSUM_LEN;
	}
	*ipp = ip;
	return 0;
}

int lz4_frame_content_size(const void *src, size_t src_len, uint64_t *size)
{
	const uint8_t *ip = src, *iend;
	uint64_t total = 0;
	int frames = 0, err = 0;

	if (size)
		*size = 0;
	if (!src && src_len)
		return -LZ4_E_NULL;
	if (!src_len)
		return -LZ4_E_NOFRAME;
	iend = ip + src_len;

	while (ip < iend) {
		struct frame_hdr h;

		err = next_frame(&ip, (size_t)(iend - ip), frames);
		if (err < 0)
			return err;
		if (err == 0)
			continue;
		err = parse_frame_header(ip, (size_t)(iend - ip), &h);
		if (err)
			return err;
		if (!(h.flg & FLG_CONTENT_SIZE))
			return -LZ4_E_NOSIZE;
		if (h.content_size > UINT64_MAX - total)
			return -LZ4_E_CONTENT_SIZE;
		total += h.content_size;
		err = skip_frame(&ip, iend, &h);
		if (err)
			return err;
		frames++;
	}
	if (!frames)
		return -LZ4_E_NOFRAME;
	if (size)
		*size = total;
	return 0;
}
