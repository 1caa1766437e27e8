/*
 * Throughput of boot/lz4/lz4_decode.c against liblz4 on the same data (a benchmark, not
 * a test; tools/bench-lz4 builds and runs it).
 *
 *   bench_lz4 [-r REPS] [-t MS] FILE
 *
 * FILE is compressed in several frame configurations. For each, our whole-frame decoder
 * is timed against liblz4 decoding the same blocks of the same frame with
 * LZ4_decompress_safe (LZ4_decompress_safe_usingDict for linked blocks, the previous
 * output as the dictionary, as LZ4F does): a fair comparison of the block decoders, our
 * frame parsing counted against us. Frames with checksums are timed against
 * LZ4F_decompress, which verifies them too, and against LZ4_decompress_safe plus
 * LZ4_XXH32 over the blocks and the output (the same work done with liblz4's primitives).
 * Figures are MB/s of decoded output (10^6 bytes), the median of REPS runs of at least MS
 * milliseconds of thread CPU time each, the two sides measured alternately.
 */
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "lz4_decode.h"
#include "lz4_ref.h"

struct block {
	const uint8_t *data;
	size_t len;
	bool stored;
};

struct frame {
	uint8_t *bytes;
	size_t len;
	size_t block_max;
	bool linked;
	bool block_checksum;
	struct block *blocks;
	size_t nblocks;
};

static int reps = 9;
static double min_ms = 40;
static volatile uint32_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Split a frame written by liblz4 into its blocks (the frame is trusted here). */
static void split_frame(struct frame *f)
{
	const uint8_t *p = f->bytes;
	uint8_t flg = p[4], bd = p[5];
	size_t pos = 7 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
	size_t cks = (flg & 0x10) ? 4 : 0;

	f->linked = !(flg & 0x20);
	f->block_checksum = cks != 0;
	f->block_max = (size_t)1 << (2 * ((bd >> 4) & 7) + 8);
	f->blocks = xmalloc(sizeof(*f->blocks) * (f->len / 4 + 1));
	f->nblocks = 0;
	for (;;) {
		uint32_t field = rd32(p + pos);

		pos += 4;
		if (!field)
			break;
		f->blocks[f->nblocks].data = p + pos;
		f->blocks[f->nblocks].len = field & 0x7fffffff;
		f->blocks[f->nblocks].stored = field >> 31;
		pos += (field & 0x7fffffff) + cks;
		f->nblocks++;
	}
}

/* liblz4 on the blocks of f, into dst. Returns the decoded length. */
static size_t ref_blocks(const struct frame *f, uint8_t *dst)
{
	uint8_t *op = dst;

	for (size_t i = 0; i < f->nblocks; i++) {
		const struct block *b = &f->blocks[i];
		int n;

		if (b->stored) {
			memcpy(op, b->data, b->len);
			op += b->len;
			continue;
		}
		if (f->linked && op > dst) {
			size_t dict = (size_t)(op - dst) < 65536 ? (size_t)(op - dst) : 65536;

			n = LZ4_decompress_safe_usingDict((const char *)b->data, (char *)op,
							  (int)b->len, (int)f->block_max,
							  (const char *)op - dict, (int)dict);
		} else {
			n = LZ4_decompress_safe((const char *)b->data, (char *)op, (int)b->len,
						(int)f->block_max);
		}
		if (n < 0) {
			fprintf(stderr, "LZ4_decompress_safe failed on block %zu\n", i);
			exit(1);
		}
		op += n;
	}
	return (size_t)(op - dst);
}

static size_t ours(const struct frame *f, uint8_t *dst, size_t cap)
{
	size_t out;
	int err = lz4_frame_decode(f->bytes, f->len, dst, cap, &out, NULL);

	if (err) {
		fprintf(stderr, "lz4_frame_decode: %s\n", lz4_strerror(err));
		exit(1);
	}
	return out;
}

/* LZ4F_decompress with one context kept across runs (its buffers are allocated once). */
static size_t lz4f(const struct frame *f, uint8_t *dst, size_t cap)
{
	static LZ4F_dctx *dctx;
	size_t in = f->len, out = cap, ret;

	if (!dctx && LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		exit(2);
	LZ4F_resetDecompressionContext(dctx);
	ret = LZ4F_decompress(dctx, dst, &out, f->bytes, &in, NULL);
	if (ret != 0 || in != f->len) {
		fprintf(stderr, "LZ4F_decompress failed: %s\n",
			LZ4F_isError(ret) ? LZ4F_getErrorName(ret) : "incomplete");
		exit(1);
	}
	return out;
}

/* The liblz4 primitives with the same work as a verifying frame decode: the blocks, the
 * block checksums if any, then XXH32 over the output. */
static size_t ref_blocks_xxh(const struct frame *f, uint8_t *dst)
{
	size_t n;

	if (f->block_checksum)
		for (size_t i = 0; i < f->nblocks; i++)
			sink = LZ4_XXH32(f->blocks[i].data, f->blocks[i].len, 0);
	n = ref_blocks(f, dst);
	sink = LZ4_XXH32(dst, n, 0);
	return n;
}

enum who { OURS, REF_BLOCKS, REF_LZ4F, REF_BLOCKS_XXH, OURS_XXH, REF_XXH };

static size_t run(enum who w, const struct frame *f, const uint8_t *in, size_t in_len, uint8_t *dst,
		  size_t cap)
{
	switch (w) {
	case OURS:
		return ours(f, dst, cap);
	case REF_BLOCKS:
		return ref_blocks(f, dst);
	case REF_LZ4F:
		return lz4f(f, dst, cap);
	case REF_BLOCKS_XXH:
		return ref_blocks_xxh(f, dst);
	case OURS_XXH:
		sink = lz4_xxh32(in, in_len, 0);
		return in_len;
	case REF_XXH:
		sink = LZ4_XXH32(in, in_len, 0);
		return in_len;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Median MB/s of a and b, measured alternately (so that frequency changes hit both).
 */
static void measure(enum who a, enum who b, const struct frame *f, const uint8_t *in, size_t in_len,
		    uint8_t *dst, size_t cap, double *mbs_a, double *mbs_b)
{
	double ta[64], tb[64];
	enum who w[2] = {a, b};
	double *t[2] = {ta, tb};
	size_t bytes = run(a, f, in, in_len, dst, cap);
	long iters = 1;
	double t0, el;

	/* Calibrate: enough iterations for min_ms per run. */
	for (;;) {
		t0 = now();
		for (long i = 0; i < iters; i++)
			run(a, f, in, in_len, dst, cap);
		el = now() - t0;
		if (el * 1000 >= min_ms)
			break;
		iters *= 2;
	}
	for (int r = 0; r < reps; r++) {
		for (int k = 0; k < 2; k++) {
			t0 = now();
			for (long i = 0; i < iters; i++)
				run(w[k], f, in, in_len, dst, cap);
			t[k][r] = (double)(bytes * (size_t)iters) / (now() - t0) / 1e6;
		}
	}
	qsort(ta, (size_t)reps, sizeof(double), cmp_double);
	qsort(tb, (size_t)reps, sizeof(double), cmp_double);
	*mbs_a = ta[reps / 2];
	*mbs_b = tb[reps / 2];
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		perror(path);
		exit(2);
	}
	buf = xmalloc((size_t)n);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

struct config {
	const char *name;
	struct ref_prefs p;
};

int main(int argc, char **argv)
{
	static const struct config configs[] = {
		{"-1  B7 independent", {1, 7, 0, 0, 0, 0, 0}},
		{"-9  B7 independent", {9, 7, 0, 0, 0, 0, 0}},
		{"-12 B7 independent", {12, 7, 0, 0, 0, 0, 0}},
		{"-1  B4 linked", {1, 4, 1, 0, 0, 0, 0}},
		{"-9  B4 linked", {9, 4, 1, 0, 0, 0, 0}},
		{"-9  B5 independent", {9, 5, 0, 0, 0, 0, 0}},
	};
	static const struct config cks_configs[] = {
		{"-1  B7 +content cksum", {1, 7, 0, 0, 1, 0, 0}},
		{"-9  B7 +content cksum", {9, 7, 0, 0, 1, 0, 0}},
		{"-9  B7 +block+content", {9, 7, 0, 1, 1, 0, 0}},
	};
	uint8_t *in, *dst, *check;
	size_t in_len, cap;
	double sum_log = 0, worst = 1e9;
	int opt;

	while ((opt = getopt(argc, argv, "r:t:")) != -1) {
		if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 't')
			min_ms = atof(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || reps < 1 || reps > 64)
		goto usage;
	in = read_file(argv[optind], &in_len);
	cap = in_len + 64;
	dst = xmalloc(cap);
	check = xmalloc(cap);

	printf("input: %s, %zu bytes; median of %d runs of >= %.0f ms\n", argv[optind], in_len,
	       reps, min_ms);
	printf("\nchecksums off: lz4_frame_decode (whole frame) vs LZ4_decompress_safe (its "
	       "blocks)\n");
	printf("%-24s %6s %12s %12s %7s\n", "frame", "ratio", "ours MB/s", "liblz4 MB/s",
	       "ours/lib");
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		struct frame f;
		double a, b;

		f.bytes = ref_compress_frame(in, in_len, &configs[i].p, &f.len);
		split_frame(&f);
		if (ours(&f, dst, cap) != in_len || memcmp(dst, in, in_len) ||
		    ref_blocks(&f, check) != in_len || memcmp(check, in, in_len)) {
			fprintf(stderr, "%s: decoded data differs\n", configs[i].name);
			return 1;
		}
		measure(OURS, REF_BLOCKS, &f, in, in_len, dst, cap, &a, &b);
		printf("%-24s %5.1f%% %12.0f %12.0f %7.2f\n", configs[i].name,
		       100.0 * (double)f.len / (double)in_len, a, b, a / b);
		sum_log += __builtin_log(a / b);
		worst = a / b < worst ? a / b : worst;
		free(f.blocks);
		free(f.bytes);
	}
	printf("geometric mean ours/liblz4 (checksums off): %.2f, lowest %.2f\n",
	       __builtin_exp(sum_log / (double)(sizeof(configs) / sizeof(configs[0]))), worst);

	printf("\nchecksums on: lz4_frame_decode verifying vs LZ4F_decompress verifying, and vs "
	       "LZ4_decompress_safe + LZ4_XXH32\n");
	printf("%-24s %6s %10s %10s %7s %13s %7s\n", "frame", "ratio", "ours MB/s", "LZ4F MB/s",
	       "ours/F", "blk+xxh MB/s", "ours/bx");
	for (size_t i = 0; i < sizeof(cks_configs) / sizeof(cks_configs[0]); i++) {
		struct frame f;
		double a, b, a2, c;

		f.bytes = ref_compress_frame(in, in_len, &cks_configs[i].p, &f.len);
		split_frame(&f);
		if (ours(&f, dst, cap) != in_len || memcmp(dst, in, in_len) ||
		    lz4f(&f, check, cap) != in_len || memcmp(check, in, in_len)) {
			fprintf(stderr, "%s: decoded data differs\n", cks_configs[i].name);
			return 1;
		}
		measure(OURS, REF_LZ4F, &f, in, in_len, dst, cap, &a, &b);
		measure(OURS, REF_BLOCKS_XXH, &f, in, in_len, dst, cap, &a2, &c);
		printf("%-24s %5.1f%% %10.0f %10.0f %7.2f %13.0f %7.2f\n", cks_configs[i].name,
		       100.0 * (double)f.len / (double)in_len, a, b, a / b, c, a2 / c);
		free(f.blocks);
		free(f.bytes);
	}

	{
		double a, b;

		if (lz4_xxh32(in, in_len, 0) != LZ4_XXH32(in, in_len, 0)) {
			fprintf(stderr, "xxh32 differs from liblz4's\n");
			return 1;
		}
		measure(OURS_XXH, REF_XXH, NULL, in, in_len, dst, cap, &a, &b);
		printf("\nxxh32 alone: ours %.0f MB/s, liblz4 %.0f MB/s, ratio %.2f\n", a, b,
		       a / b);
	}
	return 0;
usage:
	fprintf(stderr, "usage: %s [-r REPS] [-t MS] FILE\n", argv[0]);
	return 2;
}
