/*
 * libFuzzer target for boot/lz4/lz4_decode.c (clang -fsanitize=fuzzer,address,undefined).
 *
 * Each input goes to the frame decoder with an output capacity derived from its size and
 * last byte, into an exact-size heap block; when it starts with a frame header whose
 * checksum is wrong, a copy with the checksum fixed goes too, so that mutations of the
 * descriptor reach the blocks. Whenever our decoder accepts the input,
 * liblz4's LZ4F_decompress must accept it too and produce the same bytes; the decoder
 * must then also succeed with exactly that capacity and refuse one byte less, and
 * lz4_frame_content_size must agree. The same bytes as a raw block go to
 * lz4_block_decode, checked against LZ4_decompress_safe the same way.
 *
 * Our decoder is stricter than liblz4 in places (end-of-block conditions relative to
 * the block, content size 0 with data, DictID frames, input with no LZ4 frame), so
 * liblz4 accepting what we refuse is not a failure.
 */
#include "lz4_decode.h"
#include "lz4_ref.h"

#define MAX_CAP (1u << 20)

static void fail(const char *what, int err)
{
	fprintf(stderr, "fuzz_lz4: %s (%d: %s)\n", what, err, lz4_strerror(err));
	__builtin_trap();
}

static int decode(const uint8_t *data, size_t size, size_t cap, uint8_t **out, size_t *n)
{
	*out = cap ? xmalloc(cap) : NULL;
	return lz4_frame_decode(data, size, *out, cap, n, NULL);
}

static void check_frames(const uint8_t *data, size_t size, size_t cap)
{
	uint8_t *out, *ref, *again;
	size_t n, ref_n, n2;
	uint64_t csize;
	int err = decode(data, size, cap, &out, &n);

	if (err) {
		if (err >= 0 || err <= -LZ4_E_COUNT)
			fail("error code out of range", err);
		free(out);
		return;
	}
	if (n > cap)
		fail("output length above the capacity", err);

	ref = xmalloc(n + 1);
	if (ref_decode(data, size, ref, n + 1, &ref_n) != 0)
		fail("we decoded, liblz4 refused", 0);
	if (ref_n != n || (n && memcmp(ref, out, n) != 0))
		fail("liblz4 decoded different bytes", 0);
	free(ref);

	/* The same with the exact capacity, then one byte less. */
	err = decode(data, size, n, &again, &n2);
	if (err || n2 != n || (n && memcmp(again, out, n)))
		fail("exact capacity", err);
	free(again);
	if (n) {
		err = decode(data, size, n - 1, &again, &n2);
		if (err != -LZ4_E_DST_FULL)
			fail("one byte short did not give DST_FULL", err);
		free(again);
	}

	err = lz4_frame_content_size(data, size, &csize);
	if (err != -LZ4_E_NOSIZE && (err || csize != n))
		fail("content size disagrees with a successful decode", err);
	free(out);
}

static void check_block(const uint8_t *data, size_t size, size_t cap)
{
	uint8_t *out = cap ? xmalloc(cap) : NULL, *ref;
	size_t n;
	int err = lz4_block_decode(data, size, out, cap, &n);
	int rn;

	if (!err) {
		ref = xmalloc(cap + 1);
		rn = LZ4_decompress_safe((const char *)data, (char *)ref, (int)size, (int)cap);
		if (rn < 0 || (size_t)rn != n || (n && memcmp(ref, out, n) != 0))
			fail("block: liblz4 disagrees", rn);
		free(ref);
	}
	free(out);
}

/*
 * A copy of data with the first frame's header checksum recomputed, so that mutations
 * of the frame descriptor get past it; NULL if data does not start with a frame header
 * or its checksum is already right.
 */
static uint8_t *fix_header_checksum(const uint8_t *data, size_t size)
{
	size_t len = 7;
	uint8_t *copy, hc;

	if (size < 7 || data[0] != 0x04 || data[1] != 0x22 || data[2] != 0x4d || data[3] != 0x18)
		return NULL;
	len += (data[4] & 0x08 ? 8 : 0) + (data[4] & 0x01 ? 4 : 0);
	if (size < len)
		return NULL;
	hc = (uint8_t)(LZ4_XXH32(data + 4, len - 5, 0) >> 8);
	if (hc == data[len - 1])
		return NULL;
	copy = xmalloc(size);
	memcpy(copy, data, size);
	copy[len - 1] = hc;
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	size_t cap;

	if (size > (1u << 16))
		return 0;
	/* Up to 64x the input (1 MiB at most); the last byte sometimes cuts it down. */
	cap = size * 64 + 64;
	if (cap > MAX_CAP)
		cap = MAX_CAP;
	if (size && (data[size - 1] & 0x0f) == 0x0f)
		cap = data[size - 1] >> 4 | (size & 0xff00);
	check_frames(data, size, cap);
	fixed = fix_header_checksum(data, size);
	if (fixed) {
		check_frames(fixed, size, cap);
		free(fixed);
	}
	if (size && size < (1u << 16))
		check_block(data, size, cap);
	return 0;
}
