/*
 * Host tests of boot/lz4/lz4_decode.c against liblz4 as the reference. Built with
 * -fsanitize=address,undefined by tests/host/test_lz4.py: every input and every output
 * buffer handed to the decoder is a heap block of exactly the size passed, so any read
 * or write outside them is reported.
 *
 *   test_lz4 [-v] [TMPDIR]
 *
 * TMPDIR (default /tmp) holds the files the `lz4` CLI tests write. Prints KTAP; the exit
 * status is 0 when every check passed.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <unistd.h>

#include "lz4_decode.h"
#include "lz4_ref.h"

static int verbose;
static unsigned long checks, failures;
static const char *tmpdir = "/tmp";

#define CHECK(cond, ...) check_((cond), __FILE__, __LINE__, __VA_ARGS__)

static bool check_(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (ok)
		return true;
	if (++failures <= 50) {
		printf("# FAIL %s:%d: ", file, line);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return false;
}

/* ---- inputs --------------------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n;
};

static struct buf buf_new(size_t n)
{
	struct buf b = {xmalloc(n), n};

	return b;
}

static struct buf gen_random(size_t n, uint64_t seed)
{
	struct buf b = buf_new(n);

	for (size_t i = 0; i < n; i++)
		b.p[i] = (uint8_t)(rng_next(&seed) >> 32);
	return b;
}

static struct buf gen_fill(size_t n, uint8_t v)
{
	struct buf b = buf_new(n);

	memset(b.p, v, n);
	return b;
}

/* A short random pattern repeated: overlapping matches with small offsets. */
static struct buf gen_period(size_t n, size_t period, uint64_t seed)
{
	struct buf b = buf_new(n);
	uint8_t pat[64];

	for (size_t i = 0; i < period; i++)
		pat[i] = (uint8_t)rng_next(&seed);
	for (size_t i = 0; i < n; i++)
		b.p[i] = pat[i % period];
	return b;
}

static struct buf gen_text(size_t n, uint64_t seed)
{
	static const char *const words[] = {
		"the ",	     "kernel ",	      "boots ",	  "on ",     "riscv64 ",    "aarch64 ",
		"and ",	     "x86_64 ",	      "with ",	  "a ",	     "small ",	    "stub ",
		"that ",     "decompresses ", "its ",	  "image, ", "frame ",	    "block ",
		"checksum ", "offset ",	      "literal ", "match ",  "length.\n",   "Lorem ",
		"ipsum ",    "dolor ",	      "sit ",	  "amet ",   "0x80200000 ", "{ ",
		"} ",
	};
	struct buf b = buf_new(n);
	size_t i = 0;

	while (i < n) {
		const char *w = words[rng_next(&seed) % (sizeof(words) / sizeof(words[0]))];

		while (*w && i < n)
			b.p[i++] = (uint8_t)*w++;
	}
	return b;
}

/* Executable-like: instruction-looking words, zero padding, tables, strings. */
static struct buf gen_binary(size_t n, uint64_t seed)
{
	struct buf b = buf_new(n);
	size_t i = 0;

	while (i < n) {
		uint64_t r = rng_next(&seed);
		size_t len = 16 + (size_t)(r >> 40) % 600;

		if (len > n - i)
			len = n - i;
		switch (r % 5) {
		case 0: /* zero padding */
			memset(b.p + i, 0, len);
			break;
		case 1: /* "code": a few opcodes with varying immediates */
			for (size_t k = 0; k < len; k++)
				b.p[i + k] = (uint8_t)((k % 4 == 0) ? 0x13 + (rng_next(&seed) & 3)
								    : (k * 7 + (r >> 8)) & 0xff);
			break;
		case 2: /* pointer table */
			for (size_t k = 0; k < len; k++)
				b.p[i + k] = (uint8_t)(k % 8 < 3 ? (k / 8) * 8 + (r >> 16)
								 : 0x80 * (k % 8 == 3));
			break;
		case 3: /* random data */
			for (size_t k = 0; k < len; k++)
				b.p[i + k] = (uint8_t)(rng_next(&seed) >> 56);
			break;
		default: /* copy of an earlier piece (a long-distance match) */
			if (i > len) {
				size_t from = (size_t)(rng_next(&seed) % (i - len));

				memmove(b.p + i, b.p + from, len);
			} else {
				memset(b.p + i, 'x', len);
			}
			break;
		}
		i += len;
	}
	return b;
}

/* ---- helpers -------------------------------------------------------------------------- */

/* Decode with our decoder into a heap block of exactly cap bytes (NULL for 0). */
static int ours(const struct buf *in, size_t cap, struct buf *out, size_t *err_off)
{
	uint8_t *src = xmalloc(in->n);
	int err;

	memcpy(src, in->p, in->n);
	out->p = cap ? xmalloc(cap) : NULL;
	err = lz4_frame_decode(in->n ? src : NULL, in->n, out->p, cap, &out->n, err_off);
	free(src);
	return err;
}

static bool same(const struct buf *a, const uint8_t *p, size_t n)
{
	return a->n == n && (n == 0 || memcmp(a->p, p, n) == 0);
}

/* A frame must decode to expect, fit exactly, and be refused one byte short. */
static void check_roundtrip(const struct buf *frame, const struct buf *expect, const char *what)
{
	struct buf out;
	uint64_t csize;
	int err;

	err = ours(frame, expect->n, &out, NULL);
	if (CHECK(err == 0, "%s: decode failed: %s", what, lz4_strerror(err)))
		CHECK(same(&out, expect->p, expect->n), "%s: output differs", what);
	free(out.p);

	err = ours(frame, expect->n + 100, &out, NULL);
	CHECK(err == 0 && same(&out, expect->p, expect->n), "%s: roomy decode", what);
	free(out.p);

	if (expect->n) {
		err = ours(frame, expect->n - 1, &out, NULL);
		CHECK(err == -LZ4_E_DST_FULL, "%s: one byte short gave %d", what, err);
		free(out.p);
	}

	err = lz4_frame_content_size(frame->p, frame->n, &csize);
	if (frame->p[4] & 0x08)
		CHECK(err == 0 && csize == expect->n, "%s: content size %d", what, err);
	else
		CHECK(err == -LZ4_E_NOSIZE, "%s: content size without the field: %d", what, err);
	if (verbose)
		printf("# %s (%zu -> %zu bytes)\n", what, expect->n, frame->n);
}

/* Frame by streaming compression: autoFlush, `chunk` bytes per update -> small blocks. */
static struct buf compress_stream(const struct buf *in, const struct ref_prefs *p, size_t chunk)
{
	LZ4F_preferences_t prefs = ref_lz4f_prefs(p, in->n);
	LZ4F_cctx *cctx;
	size_t cap = LZ4F_HEADER_SIZE_MAX, pos, n;
	struct buf out;

	prefs.autoFlush = 1;
	for (size_t off = 0; off < in->n; off += chunk)
		cap += LZ4F_compressBound(chunk, &prefs);
	cap += LZ4F_compressBound(0, &prefs);
	out = buf_new(cap);
	if (LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION)))
		exit(2);
	n = LZ4F_compressBegin(cctx, out.p, cap, &prefs);
	if (LZ4F_isError(n))
		goto fail;
	pos = n;
	for (size_t off = 0; off < in->n; off += chunk) {
		size_t len = in->n - off < chunk ? in->n - off : chunk;

		n = LZ4F_compressUpdate(cctx, out.p + pos, cap - pos, in->p + off, len, NULL);
		if (LZ4F_isError(n))
			goto fail;
		pos += n;
	}
	n = LZ4F_compressEnd(cctx, out.p + pos, cap - pos, NULL);
	if (LZ4F_isError(n))
		goto fail;
	out.n = pos + n;
	LZ4F_freeCompressionContext(cctx);
	return out;
fail:
	fprintf(stderr, "LZ4F streaming compression: %s\n", LZ4F_getErrorName(n));
	exit(2);
}

static struct buf compress(const struct buf *in, const struct ref_prefs *p)
{
	struct buf f;

	f.p = ref_compress_frame(in->p, in->n, p, &f.n);
	return f;
}

/* Little hand-made frames for the error paths. */
struct frame_builder {
	uint8_t b[1 << 18];
	size_t n;
};

static void put8(struct frame_builder *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static void put32(struct frame_builder *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put8(f, (uint8_t)(v >> (8 * i)));
}

static void put_bytes(struct frame_builder *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put_header(struct frame_builder *f, uint8_t flg, uint8_t bd, uint64_t csize)
{
	size_t start;

	put32(f, LZ4_FRAME_MAGIC);
	start = f->n;
	put8(f, flg);
	put8(f, bd);
	if (flg & 0x08)
		for (int i = 0; i < 8; i++)
			put8(f, (uint8_t)(csize >> (8 * i)));
	if (flg & 0x01)
		put32(f, 0x12345678);
	put8(f, (uint8_t)(LZ4_XXH32(f->b + start, f->n - start, 0) >> 8));
}

static void put_block(struct frame_builder *f, const void *data, size_t n, bool stored, bool cks)
{
	put32(f, (uint32_t)n | (stored ? 0x80000000u : 0));
	put_bytes(f, data, n);
	if (cks)
		put32(f, LZ4_XXH32(data, n, 0));
}

static struct buf fb_buf(const struct frame_builder *f)
{
	struct buf b = buf_new(f->n);

	memcpy(b.p, f->b, f->n);
	return b;
}

/* Our result and liblz4's for the same input, with our error code. */
static int decode_both(const struct frame_builder *f, struct buf *out, struct buf *ref, size_t cap)
{
	struct buf in = fb_buf(f);
	int err = ours(&in, cap, out, NULL);

	ref->p = xmalloc(cap);
	if (ref_decode(in.p, in.n, ref->p, cap, &ref->n))
		ref->n = (size_t)-1;
	free(in.p);
	return err;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_xxh32(void)
{
	uint64_t seed = 1;
	struct buf r = gen_random(4096, 99);

	CHECK(lz4_xxh32(NULL, 0, 0) == 0x02CC5D05u, "xxh32 of nothing");
	for (size_t len = 0; len <= 300; len++)
		for (uint32_t s = 0; s < 3; s++) {
			uint32_t sd = s == 2 ? 0x9E3779B1u : s;

			CHECK(lz4_xxh32(r.p + len % 7, len, sd) ==
				      LZ4_XXH32(r.p + len % 7, len, sd),
			      "xxh32 len %zu seed %u", len, sd);
		}
	for (int i = 0; i < 50; i++) {
		size_t off = rng_next(&seed) % 64, len = rng_next(&seed) % (r.n - 64);

		CHECK(lz4_xxh32(r.p + off, len, 0) == LZ4_XXH32(r.p + off, len, 0),
		      "xxh32 off %zu len %zu", off, len);
	}
	free(r.p);
}

static void test_strerror(void)
{
	for (int e = 1; e < LZ4_E_COUNT; e++) {
		const char *s = lz4_strerror(-e);

		CHECK(s && strcmp(s, "unknown lz4 error") != 0, "no text for %d", e);
		CHECK(s == lz4_strerror(e), "sign matters for %d", e);
		for (int f = 1; f < e; f++)
			CHECK(strcmp(s, lz4_strerror(-f)) != 0, "%d and %d share a text", e, f);
	}
	CHECK(strcmp(lz4_strerror(0), "unknown lz4 error") == 0, "0");
	CHECK(strcmp(lz4_strerror(-LZ4_E_COUNT), "unknown lz4 error") == 0, "COUNT");
	CHECK(strcmp(lz4_strerror(-1000), "unknown lz4 error") == 0, "-1000");
}

/* Inputs x frame preferences: every combination of the four flags per input, with the
 * block size and level varying, decoded and checked against the input. */
static void test_roundtrip(void)
{
	static const int levels[] = {1, 9, 12, 3, -5, 2, 10};
	struct buf inputs[40];
	int n = 0;

	inputs[n++] = buf_new(0);
	inputs[n++] = gen_fill(1, 'a');
	for (size_t len = 2; len <= 20; len += 3)
		inputs[n++] = gen_text(len, len);
	inputs[n++] = gen_random(100, 1);
	inputs[n++] = gen_random(70000, 2);
	inputs[n++] = gen_fill(100000, 0);
	inputs[n++] = gen_period(50000, 3, 3);
	inputs[n++] = gen_period(50000, 7, 4);
	inputs[n++] = gen_period(50000, 13, 5);
	inputs[n++] = gen_period(50000, 40, 6);
	inputs[n++] = gen_text(30000, 7);
	inputs[n++] = gen_text(300000, 8);
	inputs[n++] = gen_binary(200000, 9);
	inputs[n++] = gen_binary(65535, 10);
	inputs[n++] = gen_binary(65536, 11);
	inputs[n++] = gen_binary(65537, 12);
	inputs[n++] = gen_binary(262143, 13);
	inputs[n++] = gen_binary(262145, 14);
	inputs[n++] = gen_text(1048577, 15);

	for (int i = 0; i < n; i++) {
		for (int combo = 0; combo < 16; combo++) {
			struct ref_prefs p = {
				.level = levels[(i + combo) % 7],
				.block_id = 4 + (i + combo / 4) % 4,
				.linked = combo & 1,
				.block_checksum = (combo >> 1) & 1,
				.content_checksum = (combo >> 2) & 1,
				.content_size = (combo >> 3) & 1,
				.favor_dec_speed = combo == 5,
			};
			char what[128];
			struct buf f = compress(&inputs[i], &p);

			snprintf(what, sizeof(what), "input %d (%zu bytes) level %d B%d flags %x",
				 i, inputs[i].n, p.level, p.block_id, combo);
			check_roundtrip(&f, &inputs[i], what);
			free(f.p);
		}
	}
	for (int i = 0; i < n; i++)
		free(inputs[i].p);
}

/* Exactly at and around the four block sizes, and well past 4 MiB for multi-block B7. */
static void test_block_boundaries(void)
{
	for (int id = 4; id <= 7; id++) {
		size_t bs = (size_t)1 << (2 * id + 8);
		size_t sizes[] = {bs - 1, bs, bs + 1, 2 * bs + 17};

		for (int k = 0; k < 4; k++) {
			struct ref_prefs p = {.level = (k & 1) ? 9 : 1,
					      .block_id = id,
					      .linked = k >= 2,
					      .content_checksum = 1,
					      .content_size = k == 3};
			struct buf in, f;
			char what[96];

			if (id == 7 && k == 3)
				sizes[k] = 9 * bs / 4; /* 9 MiB: three 4 MiB blocks */
			if (id >= 6 && (k & 1))
				p.level = 3; /* keep LZ4HC time down on the big ones */
			in = gen_binary(sizes[k], (uint64_t)id * 10 + (uint64_t)k);
			f = compress(&in, &p);
			snprintf(what, sizeof(what), "B%d size %zu", id, sizes[k]);
			check_roundtrip(&f, &in, what);
			free(f.p);
			free(in.p);
		}
	}
}

/* Streaming compression with autoFlush: many partial blocks, linked across blocks. */
static void test_stream_blocks(void)
{
	struct buf in = gen_binary(300000, 77);

	for (int k = 0; k < 8; k++) {
		struct ref_prefs p = {.level = (k & 3) == 0   ? 1
					       : (k & 3) == 1 ? 9
							      : 12,
				      .block_id = 4 + k % 4,
				      .linked = k < 4,
				      .block_checksum = k & 1,
				      .content_checksum = k & 2,
				      .content_size = k & 4};
		size_t chunk = k == 0 ? 1 : k == 1 ? 17 : (size_t)1000 * (size_t)k;
		struct buf part = {in.p, k == 0 ? 2000 : in.n};
		struct buf f = compress_stream(&part, &p, chunk);
		char what[64];

		snprintf(what, sizeof(what), "streamed chunk %zu", chunk);
		check_roundtrip(&f, &part, what);
		free(f.p);
	}
	free(in.p);
}

/* Concatenated and skippable frames. */
static void test_concatenation(void)
{
	struct ref_prefs p1 = {.level = 1, .block_id = 4, .content_checksum = 1};
	struct ref_prefs p2 = {.level = 9, .block_id = 5, .linked = 1, .content_size = 1};
	struct buf a = gen_text(5000, 1), b = gen_binary(70000, 2);
	struct buf fa = compress(&a, &p1), fb = compress(&b, &p2), empty = buf_new(0);
	struct buf fe = compress(&empty, &p1);
	struct buf in, out, ab = buf_new(a.n + b.n);
	static const uint8_t skip[] = {0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'};
	static const uint8_t skip_f[] = {0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0};
	uint64_t csize;
	size_t off;
	int err;

	memcpy(ab.p, a.p, a.n);
	memcpy(ab.p + a.n, b.p, b.n);

	/* a, skippable, b, skippable (empty), empty frame */
	in = buf_new(fa.n + sizeof(skip) + fb.n + sizeof(skip_f) + fe.n);
	off = 0;
	memcpy(in.p + off, fa.p, fa.n), off += fa.n;
	memcpy(in.p + off, skip, sizeof(skip)), off += sizeof(skip);
	memcpy(in.p + off, fb.p, fb.n), off += fb.n;
	memcpy(in.p + off, skip_f, sizeof(skip_f)), off += sizeof(skip_f);
	memcpy(in.p + off, fe.p, fe.n);
	err = ours(&in, ab.n, &out, NULL);
	CHECK(err == 0 && same(&out, ab.p, ab.n), "a+skip+b+skip+empty: %d", err);
	free(out.p);
	CHECK(lz4_frame_content_size(in.p, in.n, &csize) == -LZ4_E_NOSIZE,
	      "content size needs every frame's field");

	/* Every cut at a frame boundary decodes; every other cut is refused. */
	for (size_t cut = 0; cut <= in.n; cut++) {
		struct buf part = {in.p, cut};
		bool boundary = cut == fa.n || cut == fa.n + sizeof(skip) ||
				cut == fa.n + sizeof(skip) + fb.n || cut == in.n - fe.n ||
				cut == in.n;

		err = ours(&part, ab.n, &out, NULL);
		if (cut == 0)
			CHECK(err == -LZ4_E_NOFRAME, "empty input: %d", err);
		else if (boundary)
			CHECK(err == 0, "cut %zu at a boundary: %s", cut, lz4_strerror(err));
		else
			CHECK(err != 0, "cut %zu inside a frame decoded", cut);
		free(out.p);
	}

	/* Skippable frames alone, first, truncated; trailing junk. */
	{
		struct buf s = {(uint8_t *)skip, sizeof(skip)};
		struct buf st = {(uint8_t *)skip, sizeof(skip) - 1};
		struct buf sa = buf_new(sizeof(skip) + fa.n);
		struct buf junk = buf_new(fa.n + 7);

		CHECK(ours(&s, 10, &out, NULL) == -LZ4_E_NOFRAME, "skippable only");
		free(out.p);
		CHECK(ours(&st, 10, &out, NULL) == -LZ4_E_TRUNCATED, "truncated skippable");
		free(out.p);
		memcpy(sa.p, skip, sizeof(skip));
		memcpy(sa.p + sizeof(skip), fa.p, fa.n);
		err = ours(&sa, a.n, &out, NULL);
		CHECK(err == 0 && same(&out, a.p, a.n), "skippable first: %d", err);
		free(out.p);
		memcpy(junk.p, fa.p, fa.n);
		memcpy(junk.p + fa.n, "garbage", 7);
		err = ours(&junk, a.n, &out, &off);
		CHECK(err == -LZ4_E_TRAILING && off == fa.n, "trailing junk: %d at %zu", err, off);
		free(out.p);
		for (size_t k = 1; k < 4; k++) {
			struct buf j = {junk.p, fa.n + k};

			CHECK(ours(&j, a.n, &out, NULL) == -LZ4_E_TRAILING, "%zu junk bytes", k);
			free(out.p);
		}
		free(sa.p);
		free(junk.p);
	}

	/* Content size over several frames. */
	{
		struct buf fa2 = compress(&a, &p2);
		struct buf two = buf_new(fa2.n + sizeof(skip) + fb.n);

		memcpy(two.p, fa2.p, fa2.n);
		memcpy(two.p + fa2.n, skip, sizeof(skip));
		memcpy(two.p + fa2.n + sizeof(skip), fb.p, fb.n);
		err = lz4_frame_content_size(two.p, two.n, &csize);
		CHECK(err == 0 && csize == a.n + b.n, "content size of two frames: %d", err);
		err = ours(&two, a.n + b.n, &out, NULL);
		CHECK(err == 0 && same(&out, ab.p, ab.n), "two frames with sizes: %d", err);
		free(out.p);
		err = ours(&two, a.n + b.n - 1, &out, &off);
		CHECK(err == -LZ4_E_DST_FULL && off == fa2.n + sizeof(skip),
		      "second frame's size checked up front: %d at %zu", err, off);
		free(out.p);
		free(two.p);
		free(fa2.p);
	}

	free(in.p);
	free(ab.p);
	free(a.p);
	free(b.p);
	free(fa.p);
	free(fb.p);
	free(fe.p);
	free(empty.p);
}

/* lz4_frame_content_size() walks the framing: every cut that is not at a frame boundary
 * is an error, sizes add up, and a sum past 2^64 is refused. */
static void test_content_size(void)
{
	struct ref_prefs p1 = {.level = 1,
			       .block_id = 4,
			       .block_checksum = 1,
			       .content_checksum = 1,
			       .content_size = 1};
	struct ref_prefs p2 = {.level = 1, .block_id = 4, .linked = 1, .content_size = 1};
	struct buf a = gen_binary(150000, 41), b = gen_text(1000, 42);
	struct buf fa = compress(&a, &p1), fb = compress(&b, &p2);
	struct buf two = buf_new(fa.n + fb.n);
	static struct frame_builder f;
	uint64_t size;
	int err;

	memcpy(two.p, fa.p, fa.n);
	memcpy(two.p + fa.n, fb.p, fb.n);
	for (size_t cut = 0; cut <= two.n; cut++) {
		err = lz4_frame_content_size(two.p, cut, &size);
		if (cut == fa.n)
			CHECK(err == 0 && size == a.n, "cut after the first frame: %d", err);
		else if (cut == two.n)
			CHECK(err == 0 && size == a.n + b.n, "both frames: %d", err);
		else if (cut == 0)
			CHECK(err == -LZ4_E_NOFRAME, "empty: %d", err);
		else if (cut > fa.n && cut < fa.n + 4)
			CHECK(err == -LZ4_E_TRAILING, "cut %zu: %d", cut, err);
		else
			CHECK(err == -LZ4_E_TRUNCATED, "cut %zu: %d", cut, err);
	}
	f.n = 0;
	put_header(&f, 0x68, 0x40, UINT64_MAX - 5);
	put32(&f, 0);
	put_header(&f, 0x68, 0x40, 6);
	put32(&f, 0);
	CHECK(lz4_frame_content_size(f.b, f.n, &size) == -LZ4_E_CONTENT_SIZE, "2^64");
	f.n = 0;
	put_header(&f, 0x68, 0x40, 1);
	put32(&f, 65537);
	CHECK(lz4_frame_content_size(f.b, f.n, &size) == -LZ4_E_BLOCK_TOO_BIG, "block size");
	f.n = 0;
	put_header(&f, 0x68, 0x40, 1);
	f.b[6] ^= 1;
	CHECK(lz4_frame_content_size(f.b, f.n, &size) == -LZ4_E_HEADER_CHECKSUM, "header");
	CHECK(lz4_frame_content_size("\x02\x21\x4c\x18", 4, &size) == -LZ4_E_LEGACY, "legacy");
	free(two.p);
	free(fa.p);
	free(fb.p);
	free(a.p);
	free(b.p);
}

/* Hand-made frames: each error code, and valid corner cases liblz4 agrees with. */
static void test_errors(void)
{
	static struct frame_builder f;
	/* 8 literals, match offset 8 length 7, 5 literals = 20 bytes */
	static const uint8_t blk_ok[] = {0x83, 'a', 'b',  'c', 'd', 'e', 'f', 'g', 'h',
					 8,    0,   0x50, 'V', 'W', 'X', 'Y', 'Z'};
	static const char expect_ok[] = "abcdefghabcdefgVWXYZ";
	struct buf out, ref, in;
	size_t off;
	int err;

	/* The valid reference frame, both decoders. */
	f.n = 0;
	put_header(&f, 0x60, 0x40, 0);
	put_block(&f, blk_ok, sizeof(blk_ok), false, false);
	put32(&f, 0);
	err = decode_both(&f, &out, &ref, 20);
	CHECK(err == 0 && same(&out, (const uint8_t *)expect_ok, 20), "hand-made frame: %d", err);
	CHECK(same(&ref, (const uint8_t *)expect_ok, 20), "liblz4 on the hand-made frame");
	free(out.p);
	free(ref.p);

#define EXPECT(code, label)                                                              \
	do {                                                                             \
		in = fb_buf(&f);                                                         \
		err = ours(&in, 1000, &out, NULL);                                       \
		CHECK(err == -(code), "%s: got %d (%s)", label, err, lz4_strerror(err)); \
		free(out.p);                                                             \
		free(in.p);                                                              \
	} while (0)

	/* Magic, version, reserved bits, block size id, dict id, header checksum. */
	f.n = 0;
	put32(&f, LZ4_LEGACY_MAGIC);
	put32(&f, 5);
	EXPECT(LZ4_E_LEGACY, "legacy");
	f.n = 0;
	put32(&f, 0x184D2205);
	put32(&f, 0);
	EXPECT(LZ4_E_MAGIC, "magic");
	for (int v = 0; v < 4; v++) {
		if (v == 1)
			continue;
		f.n = 0;
		put_header(&f, (uint8_t)(0x20 | v << 6), 0x40, 0);
		put32(&f, 0);
		EXPECT(LZ4_E_VERSION, "version");
	}
	f.n = 0;
	put_header(&f, 0x62, 0x40, 0);
	put32(&f, 0);
	EXPECT(LZ4_E_RESERVED, "FLG bit 1");
	for (int bit = 0; bit < 8; bit++) {
		if (bit >= 4 && bit <= 6)
			continue;
		f.n = 0;
		put_header(&f, 0x60, (uint8_t)(0x40 | 1 << bit), 0);
		put32(&f, 0);
		EXPECT(LZ4_E_RESERVED, "BD reserved bit");
	}
	for (int id = 0; id < 4; id++) {
		f.n = 0;
		put_header(&f, 0x60, (uint8_t)(id << 4), 0);
		put32(&f, 0);
		EXPECT(LZ4_E_BLOCKSIZE_ID, "block size id");
	}
	f.n = 0;
	put_header(&f, 0x61, 0x40, 0);
	put32(&f, 0);
	EXPECT(LZ4_E_DICTID, "dict id");
	f.n = 0;
	put_header(&f, 0x60, 0x40, 0);
	f.b[6] ^= 1;
	put32(&f, 0);
	EXPECT(LZ4_E_HEADER_CHECKSUM, "header checksum");

	/* A dictionary frame from liblz4 itself. */
	{
		struct buf a = gen_text(1000, 3);
		LZ4F_preferences_t prefs;
		uint8_t fr[2000];
		size_t n;

		memset(&prefs, 0, sizeof(prefs));
		prefs.frameInfo.dictID = 42;
		n = LZ4F_compressFrame(fr, sizeof(fr), a.p, a.n, &prefs);
		CHECK(!LZ4F_isError(n) && (fr[4] & 1), "liblz4 wrote a DictID frame");
		f.n = 0;
		put_bytes(&f, fr, n);
		EXPECT(LZ4_E_DICTID, "liblz4 dict id frame");
		free(a.p);
	}

	/* Block size field, block checksum, truncation, end mark, content checksum. */
	f.n = 0;
	put_header(&f, 0x60, 0x40, 0);
	put32(&f, 65537);
	EXPECT(LZ4_E_BLOCK_TOO_BIG, "block size above 64 KiB");
	f.n = 0;
	put_header(&f, 0x60, 0x40, 0);
	put32(&f, 0x80000000u | 65537);
	EXPECT(LZ4_E_BLOCK_TOO_BIG, "stored block above 64 KiB");
	f.n = 0;
	put_header(&f, 0x70, 0x40, 0);
	put_block(&f, blk_ok, sizeof(blk_ok), false, true);
	f.b[f.n - 1] ^= 0x80;
	put32(&f, 0);
	EXPECT(LZ4_E_BLOCK_CHECKSUM, "block checksum");
	f.n = 0;
	put_header(&f, 0x60, 0x40, 0);
	put_block(&f, blk_ok, sizeof(blk_ok), false, false);
	EXPECT(LZ4_E_TRUNCATED, "no end mark");
	f.n = 0;
	put_header(&f, 0x64, 0x40, 0);
	put_block(&f, blk_ok, sizeof(blk_ok), false, false);
	put32(&f, 0);
	EXPECT(LZ4_E_TRUNCATED, "no content checksum");
	put32(&f, LZ4_XXH32(expect_ok, 20, 0) ^ 1);
	EXPECT(LZ4_E_CONTENT_CHECKSUM, "content checksum");
	f.n -= 4;
	put32(&f, LZ4_XXH32(expect_ok, 20, 0));
	in = fb_buf(&f);
	err = ours(&in, 20, &out, NULL);
	CHECK(err == 0 && same(&out, (const uint8_t *)expect_ok, 20), "good content checksum");
	free(out.p);
	free(in.p);

	/* Content size: smaller, larger, zero, and bigger than the buffer. */
	for (int k = 0; k < 3; k++) {
		uint64_t cs = k == 0 ? 19 : k == 1 ? 21 : 0;

		f.n = 0;
		put_header(&f, 0x68, 0x40, cs);
		put_block(&f, blk_ok, sizeof(blk_ok), false, false);
		put32(&f, 0);
		EXPECT(LZ4_E_CONTENT_SIZE, "content size");
	}
	f.n = 0;
	put_header(&f, 0x68, 0x40, 20);
	put_block(&f, blk_ok, sizeof(blk_ok), false, false);
	put32(&f, 0);
	in = fb_buf(&f);
	err = ours(&in, 19, &out, &off);
	CHECK(err == -LZ4_E_DST_FULL && off == 0, "content size above dst_cap: %d", err);
	free(out.p);
	free(in.p);
	f.n = 0;
	put_header(&f, 0x68, 0x40, (uint64_t)1 << 40);
	put32(&f, 0);
	EXPECT(LZ4_E_DST_FULL, "1 TiB content size");

	/* Stored blocks, including an empty one. */
	f.n = 0;
	put_header(&f, 0x70, 0x40, 0);
	put_block(&f, "", 0, true, true);
	put_block(&f, "hello", 5, true, true);
	put_block(&f, blk_ok, sizeof(blk_ok), false, true);
	put32(&f, 0);
	err = decode_both(&f, &out, &ref, 25);
	CHECK(err == 0 && out.n == 25 && !memcmp(out.p, "hello", 5) &&
		      !memcmp(out.p + 5, expect_ok, 20),
	      "stored blocks: %d", err);
	CHECK(ref.n == 25 && !memcmp(ref.p, out.p, 25), "liblz4 on stored blocks");
	free(out.p);
	free(ref.p);

	/* Block contents. */
	{
		static const struct {
			const char *label;
			int code;
			uint8_t len;
			uint8_t b[24];
		} blocks[] = {
			{"offset 0",
			 LZ4_E_OFFSET,
			 17,
			 {0x83, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0, 0, 0x50, 1, 2, 3, 4, 5}},
			{"offset past the start",
			 LZ4_E_OFFSET,
			 17,
			 {0x83, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 9, 0, 0x50, 1, 2, 3, 4, 5}},
			{"match first", LZ4_E_OFFSET, 9, {0x03, 1, 0, 0x50, 1, 2, 3, 4, 5}},
			{"4 last literals",
			 LZ4_E_CORRUPT,
			 16,
			 {0x84, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 8, 0, 0x40, 1, 2, 3, 4}},
			{"last match 11 before the end",
			 LZ4_E_CORRUPT,
			 17,
			 {0x82, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 8, 0, 0x50, 1, 2, 3, 4, 5}},
			{"last token with a match length",
			 LZ4_E_CORRUPT,
			 17,
			 {0x83, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 8, 0, 0x51, 1, 2, 3, 4, 5}},
			{"ends after a match",
			 LZ4_E_CORRUPT,
			 11,
			 {0x83, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 8, 0}},
			{"offset cut",
			 LZ4_E_CORRUPT,
			 10,
			 {0x83, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 8}},
			{"literals past the input", LZ4_E_CORRUPT, 5, {0x50, 1, 2, 3, 4}},
			{"literal length cut", LZ4_E_CORRUPT, 2, {0xf0, 255}},
			{"match length cut",
			 LZ4_E_CORRUPT,
			 13,
			 {0x8f, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 8, 0, 255, 255}},
		};

		for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
			f.n = 0;
			put_header(&f, 0x60, 0x40, 0);
			put_block(&f, blocks[i].b, blocks[i].len, false, false);
			put32(&f, 0);
			EXPECT(blocks[i].code, blocks[i].label);
		}
	}

	/* Long lengths: 300 literals, a 1000-byte run, 64 KiB exactly, one byte more. */
	{
		static uint8_t blk[400], expect[70000];
		size_t n = 0, e = 0;

		blk[n++] = 0xff;
		blk[n++] = 255;
		blk[n++] = 300 - 15 - 255;
		for (int i = 0; i < 300; i++)
			blk[n++] = expect[e++] = (uint8_t)(i * 37);
		blk[n++] = 1; /* offset 1 */
		blk[n++] = 0;
		for (size_t left = 1000 - 19;; left -= 255) {
			blk[n++] = (uint8_t)(left < 255 ? left : 255);
			if (left < 255)
				break;
		}
		memset(expect + e, expect[e - 1], 1000), e += 1000;
		blk[n++] = 0x50;
		for (int i = 0; i < 5; i++)
			blk[n++] = expect[e++] = (uint8_t)i;
		f.n = 0;
		put_header(&f, 0x60, 0x40, 0);
		put_block(&f, blk, n, false, false);
		put32(&f, 0);
		err = decode_both(&f, &out, &ref, e);
		CHECK(err == 0 && same(&out, expect, e), "long lengths: %d", err);
		CHECK(same(&ref, expect, e), "liblz4 on long lengths");
		free(out.p);
		free(ref.p);

		/* One literal, a match filling the 64 KiB block to the byte, 5 literals;
		 * then the same one byte longer. */
		for (int extra = 0; extra <= 1; extra++) {
			size_t mlen = 65536 - 6 + (size_t)extra;

			n = 0;
			blk[n++] = 0x1f;
			blk[n++] = 'z';
			blk[n++] = 1;
			blk[n++] = 0;
			for (size_t left = mlen - 19;; left -= 255) {
				blk[n++] = (uint8_t)(left < 255 ? left : 255);
				if (left < 255)
					break;
			}
			blk[n++] = 0x50;
			memcpy(blk + n, "12345", 5), n += 5;
			f.n = 0;
			put_header(&f, 0x60, 0x40, 0);
			put_block(&f, blk, n, false, false);
			put32(&f, 0);
			in = fb_buf(&f);
			err = ours(&in, 70000, &out, NULL);
			if (extra)
				CHECK(err == -LZ4_E_BLOCK_OVERFLOW, "65537-byte block: %d", err);
			else
				CHECK(err == 0 && out.n == 65536 && out.p[65535] == '5',
				      "65536-byte block: %d", err);
			free(out.p);
			err = ours(&in, 65535, &out, NULL);
			CHECK(err == -LZ4_E_DST_FULL, "block into a short buffer: %d", err);
			free(out.p);
			free(in.p);
		}
	}

	/* Linked blocks reach into the previous block, independent ones may not, and no
	 * frame reaches into the previous frame. */
	{
		static const uint8_t blk2[] = {0x03, 20, 0, 0x50, 'V', 'W', 'X', 'Y', 'Z'};
		static const char expect2[] = "abcdefghabcdefgVWXYZabcdefghabcdefgVWXYZ"
					      "abcdefgVWXYZ";
		struct buf two;

		for (int indep = 0; indep <= 1; indep++) {
			f.n = 0;
			put_header(&f, indep ? 0x60 : 0x40, 0x40, 0);
			put_block(&f, blk_ok, sizeof(blk_ok), false, false);
			put_block(&f, blk_ok, sizeof(blk_ok), false, false);
			put_block(&f, blk2, sizeof(blk2), false, false);
			put32(&f, 0);
			err = decode_both(&f, &out, &ref, 100);
			if (indep) {
				CHECK(err == -LZ4_E_OFFSET, "independent block reaching back: %d",
				      err);
				CHECK(ref.n == (size_t)-1, "liblz4 also refuses it");
			} else {
				CHECK(err == 0 && same(&out, (const uint8_t *)expect2, 52),
				      "linked block reaching back: %d", err);
				CHECK(same(&ref, (const uint8_t *)expect2, 52), "liblz4 linked");
			}
			free(out.p);
			free(ref.p);
		}
		f.n = 0;
		put_header(&f, 0x40, 0x40, 0);
		put_block(&f, blk_ok, sizeof(blk_ok), false, false);
		put32(&f, 0);
		put_header(&f, 0x40, 0x40, 0);
		put_block(&f, blk2, sizeof(blk2), false, false);
		put32(&f, 0);
		two = fb_buf(&f);
		err = ours(&two, 100, &out, &off);
		CHECK(err == -LZ4_E_OFFSET && off == 7 + 4 + sizeof(blk_ok) + 4 + 7,
		      "match into the previous frame: %d at %zu", err, off);
		free(out.p);
		free(two.p);
	}

	/* NULL buffers. */
	CHECK(lz4_frame_decode(NULL, 5, NULL, 0, NULL, NULL) == -LZ4_E_NULL, "NULL src");
	CHECK(lz4_frame_decode("x", 1, NULL, 5, NULL, NULL) == -LZ4_E_NULL, "NULL dst");
	CHECK(lz4_frame_decode(NULL, 0, NULL, 0, NULL, NULL) == -LZ4_E_NOFRAME, "nothing");
	CHECK(lz4_frame_content_size(NULL, 3, NULL) == -LZ4_E_NULL, "NULL content size");
	CHECK(lz4_block_decode(NULL, 3, NULL, 0, NULL) == -LZ4_E_NULL, "NULL block");
#undef EXPECT
}

/* The raw block API against LZ4_compress_default / LZ4_compress_HC blocks. */
static void test_block_api(void)
{
	struct buf in = gen_binary(100000, 5);
	int cap = LZ4_compressBound((int)in.n);
	uint8_t *c = xmalloc((size_t)cap);

	for (int k = 0; k < 3; k++) {
		struct buf blk, out = buf_new(in.n);
		size_t n;
		int err;

		blk.n = (size_t)LZ4_compress_fast((const char *)in.p, (char *)c, (int)in.n, cap,
						  k + 1);
		blk.p = c;
		err = lz4_block_decode(blk.p, blk.n, out.p, out.n, &n);
		CHECK(err == 0 && n == in.n && !memcmp(out.p, in.p, n), "block api: %d", err);
		err = lz4_block_decode(blk.p, blk.n, out.p, out.n - 1, &n);
		CHECK(err == -LZ4_E_DST_FULL, "block api, short buffer: %d", err);
		free(out.p);
	}
	CHECK(lz4_block_decode("", 1, NULL, 0, NULL) == 0, "empty block (one zero token)");
	CHECK(lz4_block_decode("x", 0, NULL, 0, NULL) == -LZ4_E_CORRUPT, "zero-length block");
	free(c);
	free(in.p);
}

/*
 * Every truncation and every single-bit flip of a set of small frames: each result is
 * an error, or exactly liblz4's output for the same bytes. Truncations of one frame must
 * all be errors. Output buffers are exact-size heap blocks (ASan watches both ends).
 */
static void test_mutations(void)
{
	struct buf frames[8];
	struct buf t = gen_text(1500, 21), r = gen_binary(3000, 22), z = gen_period(2000, 5, 23);
	struct buf rnd = gen_random(300, 24);
	unsigned long flips = 0, flips_ok = 0, cuts = 0;
	int n = 0;

	{
		struct ref_prefs p = {.level = 1, .block_id = 4, .content_size = 1};

		frames[n++] = compress(&t, &p);
	}
	{
		struct ref_prefs p = {.level = 9,
				      .block_id = 4,
				      .linked = 1,
				      .block_checksum = 1,
				      .content_checksum = 1};

		frames[n++] = compress_stream(&r, &p, 400);
	}
	{
		struct ref_prefs p = {.level = 12, .block_id = 5, .linked = 1};

		frames[n++] = compress_stream(&z, &p, 500);
	}
	{
		struct ref_prefs p = {.level = 1, .block_id = 6, .block_checksum = 1};

		frames[n++] = compress(&rnd, &p); /* a stored block */
	}
	{
		struct ref_prefs p = {
			.level = 3, .block_id = 7, .content_checksum = 1, .content_size = 1};

		frames[n++] = compress(&r, &p);
	}
	{
		struct ref_prefs p = {.level = 1, .block_id = 4, .linked = 1};

		frames[n++] = compress_stream(&r, &p, 700); /* linked, no checksums */
	}

	for (int i = 0; i < n; i++) {
		struct buf *f = &frames[i];
		size_t full;
		uint8_t *refout;
		struct buf out;
		int err;

		/* The reference output of the intact frame; then its truncations. */
		refout = xmalloc(1 << 16);
		CHECK(ref_decode(f->p, f->n, refout, 1 << 16, &full) == 0, "frame %d", i);
		free(refout);
		for (size_t cut = 0; cut < f->n; cut++) {
			struct buf part = {f->p, cut};

			err = ours(&part, full, &out, NULL);
			CHECK(err != 0, "frame %d cut at %zu decoded", i, cut);
			free(out.p);
			cuts++;
		}
		/* Every bit. */
		for (size_t pos = 0; pos < f->n; pos++) {
			for (int bit = 0; bit < 8; bit++) {
				struct buf ref;

				f->p[pos] ^= (uint8_t)(1u << bit);
				err = ours(f, full, &out, NULL);
				if (err == 0) {
					ref.p = xmalloc(full + 1);
					CHECK(ref_decode(f->p, f->n, ref.p, full + 1, &ref.n) ==
							      0 &&
						      same(&out, ref.p, ref.n),
					      "frame %d byte %zu bit %d: decoded, liblz4 differs",
					      i, pos, bit);
					free(ref.p);
					flips_ok++;
				}
				free(out.p);
				f->p[pos] ^= (uint8_t)(1u << bit);
				flips++;
			}
		}
		/* Every output capacity below the size fails, the size itself works. */
		for (size_t cap = 0; cap < full; cap += 1 + cap / 64) {
			err = ours(f, cap, &out, NULL);
			CHECK(err == -LZ4_E_DST_FULL, "frame %d cap %zu: %d", i, cap, err);
			free(out.p);
		}
		err = ours(f, full, &out, NULL);
		CHECK(err == 0 && out.n == full, "frame %d: exact capacity: %d", i, err);
		free(out.p);
		free(f->p);
	}
	printf("# %lu truncations refused, %lu bit flips (%lu decoded, all equal to "
	       "liblz4)\n",
	       cuts, flips, flips_ok);
	free(t.p);
	free(r.p);
	free(z.p);
	free(rnd.p);
}

/* ---- the lz4 command line tool --------------------------------------------------------- */

static bool write_file(const char *path, const struct buf *b)
{
	FILE *fp = fopen(path, "wb");
	bool ok = fp && fwrite(b->p, 1, b->n, fp) == b->n;

	if (fp)
		fclose(fp);
	return ok;
}

static bool read_whole(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	long n;

	b->p = NULL;
	if (!fp)
		return false;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	*b = buf_new((size_t)n);
	if (fread(b->p, 1, b->n, fp) != b->n) {
		fclose(fp);
		return false;
	}
	fclose(fp);
	return true;
}

static bool run_lz4(const char *opts, const char *in, const char *out)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "lz4 -q -f %s '%s' '%s'", opts, in, out);
	return system(cmd) == 0;
}

static void test_cli(void)
{
	static const struct {
		const char *opts;
		int input; /* 0: 300 KB binary, 1: 5 MB binary, 2: 40 KB text */
		int flg;   /* expected FLG byte, -1: not checked */
		int bd;
	} cases[] = {
		{"-1", 0, 0x64, 0x60}, /* the CLI shrinks B7 to fit the input: 1 MiB */
		{"-9", 0, 0x64, 0x60},
		{"-12", 2, 0x64, 0x40},
		{"-BD -B4", 0, 0x44, 0x40}, /* linked, several blocks */
		{"-BD", 2, 0x64, 0x40},	    /* one block: the CLI writes independent */
		{"-BX", 0, 0x74, 0x60},
		{"--content-size", 0, 0x6c, 0x60},
		{"--no-frame-crc", 0, 0x60, 0x60},
		{"-B4", 0, 0x64, 0x40},
		{"-B5", 0, 0x64, 0x50},
		{"-B6", 1, 0x64, 0x60},
		{"-B7", 1, 0x64, 0x70},
		{"-9 -BD -BX --content-size -B4", 0, 0x5c, 0x40},
		{"-3 --favor-decSpeed -B5 -BD --no-frame-crc", 0, 0x40, 0x50},
		{"-12 --favor-decSpeed", 2, 0x64, 0x40},
		{"--fast=3 -B1000", 2, -1, -1},
	};
	struct buf inputs[3] = {gen_binary(300000, 31), gen_binary(5 << 20, 32),
				gen_text(40000, 33)};
	char in_path[3][512], out_path[512], cat_path[512];

	if (system("lz4 -V >/dev/null 2>&1") != 0) {
		CHECK(false, "the lz4 command is missing: install the Debian package lz4");
		goto out;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(in_path[i], sizeof(in_path[i]), "%s/lz4-test-in%d-%d", tmpdir, i,
			 (int)getpid());
		if (!CHECK(write_file(in_path[i], &inputs[i]), "write %s", in_path[i]))
			goto out;
	}
	snprintf(out_path, sizeof(out_path), "%s/lz4-test-out-%d.lz4", tmpdir, (int)getpid());
	snprintf(cat_path, sizeof(cat_path), "%s/lz4-test-cat-%d.lz4", tmpdir, (int)getpid());

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct buf *src = &inputs[cases[i].input];
		struct buf f;
		char what[128];

		snprintf(what, sizeof(what), "lz4 %s", cases[i].opts);
		if (!CHECK(run_lz4(cases[i].opts, in_path[cases[i].input], out_path) &&
				   read_whole(out_path, &f),
			   "%s failed", what))
			continue;
		if (cases[i].flg >= 0)
			CHECK(f.p[4] == cases[i].flg && f.p[5] == cases[i].bd,
			      "%s: FLG %02x BD %02x", what, f.p[4], f.p[5]);
		check_roundtrip(&f, src, what);
		free(f.p);
	}

	/* Legacy format: refused with its own code. */
	{
		struct buf f, out;
		int err;

		if (CHECK(run_lz4("-l", in_path[0], out_path) && read_whole(out_path, &f),
			  "lz4 -l failed")) {
			err = ours(&f, inputs[0].n, &out, NULL);
			CHECK(err == -LZ4_E_LEGACY, "lz4 -l: %d", err);
			free(out.p);
			free(f.p);
		}
	}

	/* Two CLI frames joined with cat decode to both inputs. */
	{
		char cmd[4096];
		struct buf f, out, both = buf_new(inputs[0].n + inputs[2].n);
		int err;

		memcpy(both.p, inputs[0].p, inputs[0].n);
		memcpy(both.p + inputs[0].n, inputs[2].p, inputs[2].n);
		snprintf(cmd, sizeof(cmd),
			 "lz4 -q -c -9 '%s' > '%s' && lz4 -q -c -BD -B4 '%s' >> '%s'", in_path[0],
			 cat_path, in_path[2], cat_path);
		if (CHECK(system(cmd) == 0 && read_whole(cat_path, &f), "lz4 -c twice")) {
			err = ours(&f, both.n, &out, NULL);
			CHECK(err == 0 && same(&out, both.p, both.n), "cat of two frames: %d", err);
			free(out.p);
			free(f.p);
		}
		free(both.p);
	}
	unlink(out_path);
	unlink(cat_path);
	for (int i = 0; i < 3; i++)
		unlink(in_path[i]);
out:
	for (int i = 0; i < 3; i++)
		free(inputs[i].p);
}

/* ---- main ------------------------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"xxh32_matches_liblz4", test_xxh32},
	{"strerror_names_every_code", test_strerror},
	{"roundtrip_inputs_by_flags", test_roundtrip},
	{"roundtrip_block_size_boundaries", test_block_boundaries},
	{"roundtrip_streamed_small_blocks", test_stream_blocks},
	{"concatenated_and_skippable_frames", test_concatenation},
	{"content_size_walks_the_framing", test_content_size},
	{"error_codes_and_corner_cases", test_errors},
	{"block_api", test_block_api},
	{"truncations_and_bit_flips", test_mutations},
	{"lz4_cli_frames", test_cli},
};

int main(int argc, char **argv)
{
	int opt;
	int failed_tests = 0;
	size_t ntests = sizeof(tests) / sizeof(tests[0]);

	while ((opt = getopt(argc, argv, "v")) != -1) {
		if (opt != 'v') {
			fprintf(stderr, "usage: %s [-v] [TMPDIR]\n", argv[0]);
			return 2;
		}
		verbose = 1;
	}
	if (optind < argc)
		tmpdir = argv[optind];

	printf("KTAP version 1\n1..%zu\n", ntests);
	for (size_t i = 0; i < ntests; i++) {
		unsigned long c0 = checks, f0 = failures;

		tests[i].fn();
		if (failures != f0)
			failed_tests++;
		printf("%s %zu %s # %lu checks%s\n", failures == f0 ? "ok" : "not ok", i + 1,
		       tests[i].name, checks - c0, failures == f0 ? "" : ", some failed");
		fflush(stdout);
	}
	printf("# lz4: %lu checks, %lu failed, %d of %zu tests failed\n", checks, failures,
	       failed_tests, ntests);
	return failures ? 1 : 0;
}
