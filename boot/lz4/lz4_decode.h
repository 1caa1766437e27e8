/*
 * Freestanding LZ4 frame decoder for the boot stub (LZ4 Frame Format 1.6.1, LZ4 Block
 * Format, xxHash-32). No allocation, no state outside the call, no libc beyond memcpy.
 *
 * Accepted input: one or more frames back to back, as `lz4` writes them and as `cat`
 * joins them (the lz4 CLI decodes concatenated frames the same way):
 *   - LZ4 frames (magic 0x184D2204), version 01, any block maximum size (64 KiB..4 MiB),
 *     linked or independent blocks, compressed or stored blocks, with or without block
 *     checksums, content checksum and content size. All checksums present are verified.
 *     A content size present must equal the frame's decoded size.
 *   - skippable frames (magic 0x184D2A50..0x184D2A5F) are skipped, wherever they are.
 * Refused with their own codes: the legacy format (lz4 -l, magic 0x184C2102), frames that
 * need a dictionary (DictID flag), reserved bits, unknown versions and block sizes, any
 * byte after the last frame that does not start a frame, and an input with no LZ4 frame.
 * Compressed blocks must respect the block format's end-of-block conditions (last 5 bytes
 * are literals, last match starts 12 bytes or more before the block end, and the last
 * token's match length field is 0); the spec allows a decoder to refuse blocks that do
 * not, and liblz4 (the lz4 CLI, LZ4F) always writes them so. Anything this decoder
 * accepts, liblz4's LZ4F_decompress decodes to the same bytes (fuzz-tested).
 *
 * Whatever the input, nothing is read outside [src, src + src_len) and nothing is written
 * outside [dst, dst + dst_cap). src and dst must not overlap. Bytes of dst past the
 * decoded length may be overwritten (the decoder copies in 8 to 32-byte strides); after
 * an error the content of dst is unspecified.
 *
 * Build: freestanding C11, needs only memcpy from the environment. Where unaligned
 * accesses fault (aarch64 before the MMU is on: -mstrict-align) GCC builds should add
 * -DLZ4_STRICT_ALIGN (clang's -mstrict-align is detected), for byte-wise small copies
 * instead of a memcpy call per 16 bytes.
 */
#ifndef LZ4_DECODE_H
#define LZ4_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define LZ4_FRAME_MAGIC	    0x184D2204u
#define LZ4_LEGACY_MAGIC    0x184C2102u
#define LZ4_SKIPPABLE_MAGIC 0x184D2A50u /* low 4 bits free: 0x184D2A50..5F */
#define LZ4_SKIPPABLE_MASK  0xFFFFFFF0u

enum lz4_error {
	LZ4_E_NULL = 1,		/* NULL buffer with a non-zero length */
	LZ4_E_NOFRAME,		/* empty input, or only skippable frames */
	LZ4_E_TRUNCATED,	/* input ends inside a frame */
	LZ4_E_MAGIC,		/* does not start with an LZ4 frame magic */
	LZ4_E_LEGACY,		/* legacy frame format (lz4 -l): not supported */
	LZ4_E_VERSION,		/* FLG version field is not 01 */
	LZ4_E_RESERVED,		/* a reserved FLG or BD bit is set */
	LZ4_E_BLOCKSIZE_ID,	/* BD block maximum size id is not 4..7 */
	LZ4_E_DICTID,		/* frame needs a dictionary: not supported */
	LZ4_E_HEADER_CHECKSUM,	/* frame descriptor checksum (HC) mismatch */
	LZ4_E_BLOCK_TOO_BIG,	/* block size field above the frame's block maximum */
	LZ4_E_BLOCK_CHECKSUM,	/* block checksum mismatch */
	LZ4_E_CORRUPT,		/* malformed compressed block */
	LZ4_E_OFFSET,		/* match offset 0 or before the start of the window */
	LZ4_E_BLOCK_OVERFLOW,	/* block decodes to more than the block maximum */
	LZ4_E_DST_FULL,		/* output buffer too small */
	LZ4_E_CONTENT_SIZE,	/* decoded size differs from the header's content size */
	LZ4_E_CONTENT_CHECKSUM, /* content checksum mismatch */
	LZ4_E_TRAILING,		/* bytes after a frame that do not start a frame */
	LZ4_E_NOSIZE,		/* lz4_frame_content_size(): a frame has no content size */
	LZ4_E_COUNT
};

/*
 * Decode every frame in src into dst. Returns 0 or -LZ4_E_*.
 * out_len (may be NULL) gets the number of bytes written on success, 0 on error.
 * err_offset (may be NULL) gets, on error, the offset in src of the frame header, block
 * size field or checksum where the fault was found (0 on success).
 */
int lz4_frame_decode(const void *src, size_t src_len, void *dst, size_t dst_cap, size_t *out_len,
		     size_t *err_offset);

/*
 * Total decoded size of all frames in src, from their headers (every LZ4 frame must carry
 * a content size: -LZ4_E_NOSIZE otherwise). Walks the block size fields without decoding,
 * so it validates the framing (magics, headers, block sizes, lengths) but no block data
 * and no checksum other than the header checksums. Returns 0 or -LZ4_E_*.
 */
int lz4_frame_content_size(const void *src, size_t src_len, uint64_t *size);

/*
 * Decode one independent compressed block (no frame) into dst. Returns 0 or -LZ4_E_*
 * (-LZ4_E_DST_FULL when the block decodes to more than dst_cap).
 */
int lz4_block_decode(const void *src, size_t src_len, void *dst, size_t dst_cap, size_t *out_len);

/* xxHash-32 of data with seed, as the frame format uses it. */
uint32_t lz4_xxh32(const void *data, size_t len, uint32_t seed);

/* A short English description of an error code (either sign). */
const char *lz4_strerror(int err);

#endif
