/*
 * Shared helpers of the host lz4 test programs: the liblz4 reference side (frame
 * compression with chosen preferences, whole-input decoding with LZ4F_decompress over
 * concatenated frames) and small utilities.
 */
#ifndef LZ4_REF_H
#define LZ4_REF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lz4frame.h>

/* liblz4's own XXH32 (exported by liblz4 under the LZ4_ namespace; not in its headers). */
unsigned int LZ4_XXH32(const void *input, size_t length, unsigned int seed);

static inline void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

struct ref_prefs {
	int level;    /* 0..12; >= 3 is LZ4HC */
	int block_id; /* 4..7 */
	int linked;
	int block_checksum;
	int content_checksum;
	int content_size;
	int favor_dec_speed;
};

static inline LZ4F_preferences_t ref_lz4f_prefs(const struct ref_prefs *p, size_t src_len)
{
	LZ4F_preferences_t prefs;

	memset(&prefs, 0, sizeof(prefs));
	prefs.frameInfo.blockSizeID = (LZ4F_blockSizeID_t)p->block_id;
	prefs.frameInfo.blockMode = p->linked ? LZ4F_blockLinked : LZ4F_blockIndependent;
	prefs.frameInfo.contentChecksumFlag =
		p->content_checksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
	prefs.frameInfo.blockChecksumFlag =
		p->block_checksum ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum;
	prefs.frameInfo.contentSize = p->content_size ? src_len : 0;
	prefs.compressionLevel = p->level;
	prefs.favorDecSpeed = (unsigned)p->favor_dec_speed;
	return prefs;
}

/* One frame with LZ4F_compressFrame (which shrinks the block size to fit the input).
 * Returns a malloc'ed frame, length in *len. */
static inline uint8_t *ref_compress_frame(const void *src, size_t src_len,
					  const struct ref_prefs *p, size_t *len)
{
	LZ4F_preferences_t prefs = ref_lz4f_prefs(p, src_len);
	size_t cap = LZ4F_compressFrameBound(src_len, &prefs);
	uint8_t *out = xmalloc(cap);
	size_t n = LZ4F_compressFrame(out, cap, src, src_len, &prefs);

	if (LZ4F_isError(n)) {
		fprintf(stderr, "LZ4F_compressFrame: %s\n", LZ4F_getErrorName(n));
		exit(2);
	}
	*len = n;
	return out;
}

/*
 * The reference decoder: every frame of src (LZ4 or skippable) with LZ4F_decompress,
 * into dst (capacity cap). Returns 0 and the output length, or -1 if liblz4 reports an
 * error, the input ends inside a frame, or the output does not fit.
 */
static inline int ref_decode(const void *src, size_t src_len, void *dst, size_t cap,
			     size_t *out_len)
{
	LZ4F_dctx *dctx;
	const uint8_t *ip = src;
	uint8_t *op = dst;
	size_t in_left = src_len, out_left = cap;
	size_t hint = 1;
	int ret = 0;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		exit(2);
	while (in_left > 0) {
		size_t in_sz = in_left, out_sz = out_left;

		hint = LZ4F_decompress(dctx, op, &out_sz, ip, &in_sz, NULL);
		if (LZ4F_isError(hint)) {
			ret = -1;
			break;
		}
		ip += in_sz;
		in_left -= in_sz;
		op += out_sz;
		out_left -= out_sz;
		if (in_sz == 0 && out_sz == 0) {
			/* No progress: the output is full (or liblz4 is stuck). */
			ret = -1;
			break;
		}
	}
	/* Flush what liblz4 may still hold once the input is consumed. */
	while (ret == 0 && hint != 0) {
		size_t in_sz = 0, out_sz = out_left;

		hint = LZ4F_decompress(dctx, op, &out_sz, ip, &in_sz, NULL);
		if (LZ4F_isError(hint) || out_sz == 0) {
			ret = hint == 0 ? 0 : -1;
			break;
		}
		op += out_sz;
		out_left -= out_sz;
	}
	LZ4F_freeDecompressionContext(dctx);
	*out_len = (size_t)(op - (uint8_t *)dst);
	return ret;
}

/* Deterministic pseudo-random numbers (xorshift64*). */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
