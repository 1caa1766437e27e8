/*
 * Virtual memory: map, alias, query, protect, unmap and large pages through the portable
 * interface, each checked by touching memory through the new mapping; W^X proven by the
 * faults it causes (writing to text and rodata, executing from data), faults from writing
 * through a read-only mapping and touching an unmapped page; and a TLB shootdown shown to
 * reach another CPU, which faults on a page it had just read once it is unmapped.
 */
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "errors.h"
#include "ktest.h"
#include "pmm.h"
#include "smp.h"
#include "sync.h"
#include "thread.h"
#include "trap.h"
#include "vm.h"

/* A window of addresses no RAM or device reaches on the QEMU boards (128 GiB up), below
 * every arch's lower-half limit (Sv39: 256 GiB). */
#define SCRATCH_VA ((uintptr_t)0x2000000000ull)
#define LARGE_PAGE (2ul << 20)

static bool mmu_on(struct ktest *t)
{
	(void)t;
	return arch_mmu_root() != 0;
}

#define NEED_MMU(t)                                                               \
	do {                                                                      \
		if (!mmu_on(t))                                                   \
			KTEST_SKIP(t, "this arch has no page-table support yet"); \
	} while (0)

static volatile uint64_t sink;

static void read_at(void *p)
{
	sink = *(volatile uint64_t *)p;
}

static void write_at(void *p)
{
	*(volatile uint64_t *)p = 0x5a5a5a5a5a5a5a5aull;
}

static void call_at(void *p)
{
	((void (*)(void))p)();
}

/* Expect fn(p) to fault with kind at address p (when the arch reports an address). */
static void expect_fault(struct ktest *t, void (*fn)(void *), void *p, enum trap_kind kind)
{
	struct trap_info seen;

	if (!KTEST_EXPECT_TRUE(t, trap_expect(fn, p, &seen)))
		return;
	KTEST_EXPECT_STREQ(t, trap_kind_name(seen.kind), trap_kind_name(kind));
	if (seen.has_address)
		KTEST_EXPECT_EQ(t, seen.address, (uintptr_t)p);
}

static uint64_t page(void)
{
	uint64_t pa = pmm_alloc(0, ZONE_NORMAL);

	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return pa;
}

static void map_query_and_alias(struct ktest *t)
{
	uint64_t pa;
	struct vm_mapping m;
	volatile uint64_t *a = (volatile uint64_t *)SCRATCH_VA;
	volatile uint64_t *b = (volatile uint64_t *)(SCRATCH_VA + 16 * PAGE_SIZE);

	NEED_MMU(t);
	pa = page();
	KTEST_ASSERT_TRUE(t, pa != 0);
	KTEST_ASSERT_EQ(t, vm_map(SCRATCH_VA, pa, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KTEST_EXPECT_EQ(t, vm_map(SCRATCH_VA + 16 * PAGE_SIZE, pa, PAGE_SIZE, VM_READ | VM_WRITE),
			0);
	a[3] = 0x1234567890abcdefull;
	/* The same page seen three ways: two aliases and its physical (identity) address. */
	KTEST_EXPECT_EQ(t, b[3], 0x1234567890abcdefull);
	KTEST_EXPECT_EQ(t, ((volatile uint64_t *)(uintptr_t)pa)[3], 0x1234567890abcdefull);
	KTEST_EXPECT_TRUE(t, vm_query(SCRATCH_VA + 24, &m));
	KTEST_EXPECT_EQ(t, m.pa, pa + 24);
	KTEST_EXPECT_EQ(t, m.prot, VM_READ | VM_WRITE);
	KTEST_EXPECT_EQ(t, m.page_size, (size_t)PAGE_SIZE);
	KTEST_EXPECT_FALSE(t, vm_query(SCRATCH_VA + PAGE_SIZE, &m));
	/* Refused: over a mapping, write+exec, misaligned. */
	KTEST_EXPECT_EQ(t, vm_map(SCRATCH_VA, pa, PAGE_SIZE, VM_READ), -E_BUSY);
	KTEST_EXPECT_EQ(t,
			vm_map(SCRATCH_VA + PAGE_SIZE, pa, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC),
			-E_INVAL);
	KTEST_EXPECT_EQ(t, vm_map(SCRATCH_VA + 8, pa, PAGE_SIZE, VM_READ), -E_INVAL);
	KTEST_EXPECT_EQ(t, vm_unmap(SCRATCH_VA, PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, vm_unmap(SCRATCH_VA + 16 * PAGE_SIZE, PAGE_SIZE), 0);
	KTEST_EXPECT_FALSE(t, vm_query(SCRATCH_VA, &m));
	pmm_free(pa, 0);
}

static void protect_and_unmap_fault(struct ktest *t)
{
	uint64_t pa;
	void *va = (void *)SCRATCH_VA;

	NEED_MMU(t);
	pa = page();
	KTEST_ASSERT_TRUE(t, pa != 0);
	KTEST_ASSERT_EQ(t, vm_map(SCRATCH_VA, pa, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	write_at(va);
	KTEST_EXPECT_EQ(t, vm_protect(SCRATCH_VA, PAGE_SIZE, VM_READ), 0);
	read_at(va);
	KTEST_EXPECT_EQ(t, sink, 0x5a5a5a5a5a5a5a5aull);
	expect_fault(t, write_at, va, TRAP_BAD_ACCESS);
	KTEST_EXPECT_EQ(t, vm_unmap(SCRATCH_VA, PAGE_SIZE), 0);
	expect_fault(t, read_at, va, TRAP_BAD_ACCESS);
	KTEST_EXPECT_EQ(t, vm_protect(SCRATCH_VA, PAGE_SIZE, VM_READ), -E_INVAL); /* a hole */
	pmm_free(pa, 0);
}

static const uint64_t read_only_value = 42;
static uint64_t data_word;

static void kernel_image_is_w_xor_x(struct ktest *t)
{
	extern char __text_start[], __rodata_start[], __data_start[];
	struct vm_mapping m;
	/* A function's address, not called: writing to it must fault. */
	void *text = (void *)(uintptr_t)&read_at;

	NEED_MMU(t);
	KTEST_ASSERT_TRUE(t, vm_query((uintptr_t)text, &m));
	KTEST_EXPECT_EQ(t, m.prot, VM_READ | VM_EXEC);
	KTEST_ASSERT_TRUE(t, vm_query((uintptr_t)&read_only_value, &m));
	KTEST_EXPECT_EQ(t, m.prot, VM_READ);
	KTEST_ASSERT_TRUE(t, vm_query((uintptr_t)&data_word, &m));
	KTEST_EXPECT_EQ(t, m.prot, VM_READ | VM_WRITE);
	KTEST_EXPECT_TRUE(t, (uintptr_t)text >= (uintptr_t)__text_start);
	KTEST_EXPECT_TRUE(t, (uintptr_t)&read_only_value >= (uintptr_t)__rodata_start);
	KTEST_EXPECT_TRUE(t, (uintptr_t)&data_word >= (uintptr_t)__data_start);

	expect_fault(t, write_at, text, TRAP_BAD_ACCESS);
	expect_fault(t, write_at, (void *)(uintptr_t)&read_only_value, TRAP_BAD_ACCESS);
	/* Executing data: the fetch faults, whatever the bytes would have meant. */
	expect_fault(t, call_at, &data_word, TRAP_BAD_FETCH);
}

static void null_pointer_faults(struct ktest *t)
{
	struct vm_mapping m;

	NEED_MMU(t);
	/* Page 0 is never mapped, whatever the board has there. */
	KTEST_EXPECT_FALSE(t, vm_query(0, &m));
	expect_fault(t, read_at, (void *)8, TRAP_BAD_ACCESS);
}

/* ---- guard pages below thread stacks ------------------------------------------------ */

struct guard_probe {
	bool stack_mapped, guard_mapped, faulted;
	struct trap_info seen;
	uintptr_t guard;
};

static int probe_own_guard(void *arg)
{
	struct guard_probe *g = arg;
	struct thread *self = thread_current();
	struct vm_mapping m;

	g->guard = (uintptr_t)self->stack_base - 8;
	g->stack_mapped =
		vm_query((uintptr_t)self->stack_base, &m) && m.prot == (VM_READ | VM_WRITE);
	g->guard_mapped = vm_query(g->guard, &m);
	g->faulted = trap_expect(read_at, (void *)g->guard, &g->seen);
	return 0;
}

static void thread_stacks_have_guard_pages(struct ktest *t)
{
	struct guard_probe g = {0};
	struct thread *th;

	NEED_MMU(t);
	th = thread_create("guard-probe", probe_own_guard, &g, THREAD_PRIO_DEFAULT, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	KTEST_ASSERT_EQ(t, thread_join(th, NULL, 30ull * 1000000000ull), 0);
	KTEST_EXPECT_TRUE(t, g.stack_mapped);
	KTEST_EXPECT_FALSE(t, g.guard_mapped);
	KTEST_ASSERT_TRUE(t, g.faulted);
	KTEST_EXPECT_STREQ(t, trap_kind_name(g.seen.kind), trap_kind_name(TRAP_BAD_ACCESS));
	if (g.seen.has_address)
		KTEST_EXPECT_EQ(t, g.seen.address, g.guard);
}

static void large_pages_map_and_split(struct ktest *t)
{
	uint64_t pa;
	struct vm_mapping m;
	uintptr_t va = SCRATCH_VA + 64 * LARGE_PAGE;
	volatile uint64_t *p = (volatile uint64_t *)va;

	NEED_MMU(t);
	pa = pmm_alloc(9, ZONE_NORMAL); /* 2 MiB, aligned to its size */
	KTEST_ASSERT_TRUE(t, pa != 0);
	KTEST_ASSERT_EQ(t, vm_map(va, pa, LARGE_PAGE, VM_READ | VM_WRITE), 0);
	KTEST_ASSERT_TRUE(t, vm_query(va + 5 * PAGE_SIZE + 8, &m));
	KTEST_EXPECT_EQ(t, m.page_size, (size_t)LARGE_PAGE);
	KTEST_EXPECT_EQ(t, m.pa, pa + 5 * PAGE_SIZE + 8);
	p[0] = 1;
	p[LARGE_PAGE / 8 - 1] = 2;
	/* Taking write away from one 4 KiB page in the middle splits the large page: the
	 * page becomes read-only, its neighbours keep their access. */
	KTEST_ASSERT_EQ(t, vm_protect(va + 7 * PAGE_SIZE, PAGE_SIZE, VM_READ), 0);
	KTEST_ASSERT_TRUE(t, vm_query(va + 7 * PAGE_SIZE, &m));
	KTEST_EXPECT_EQ(t, m.page_size, (size_t)PAGE_SIZE);
	KTEST_EXPECT_EQ(t, m.prot, VM_READ);
	expect_fault(t, write_at, (void *)(va + 7 * PAGE_SIZE), TRAP_BAD_ACCESS);
	write_at((void *)(va + 6 * PAGE_SIZE));
	write_at((void *)(va + 8 * PAGE_SIZE));
	KTEST_EXPECT_EQ(t, p[0], 1ull);
	KTEST_EXPECT_EQ(t, p[LARGE_PAGE / 8 - 1], 2ull);
	KTEST_EXPECT_EQ(t, vm_unmap(va, LARGE_PAGE), 0);
	KTEST_EXPECT_FALSE(t, vm_query(va + 6 * PAGE_SIZE, &m));
	pmm_free(pa, 9);
}

static void device_memory_is_mapped_uncached(struct ktest *t)
{
	struct vm_mapping m;
	void *p;

	NEED_MMU(t);
	if (TARGET_EARLY_UART_BASE < 0x10000)
		KTEST_SKIP(t, "the console is on I/O ports on this target");
	/* The console UART: arch_mmu_init mapped it as a device, ioremap finds it so. */
	p = ioremap(TARGET_EARLY_UART_BASE, 8);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_ASSERT_TRUE(t, vm_query((uintptr_t)p, &m));
	KTEST_EXPECT_TRUE(t, (m.prot & VM_DEVICE) != 0);
	KTEST_EXPECT_FALSE(t, (m.prot & VM_EXEC) != 0);
}

/* ---- TLB shootdown ----------------------------------------------------------------- */

struct remote_reader {
	void *va;
	int faults_before, faults_after;
	struct semaphore *step, *done;
};

static int read_before_and_after(void *arg)
{
	struct remote_reader *r = arg;
	struct trap_info seen;

	/* Read it (its TLB now holds the translation), then again once it is unmapped. */
	r->faults_before = trap_expect(read_at, r->va, &seen);
	sem_up(r->done);
	sem_down(r->step);
	r->faults_after = trap_expect(read_at, r->va, &seen);
	return 0;
}

static void unmap_reaches_other_cpus(struct ktest *t)
{
	struct semaphore step, done;
	struct remote_reader r = {.va = (void *)SCRATCH_VA, .step = &step, .done = &done};
	struct thread *th;
	uint64_t pa, before;

	NEED_MMU(t);
	if (smp_cpus_online() < 2)
		KTEST_SKIP(t, "needs two CPUs online (make SMP=2 or more)");
	sem_init(&step, 0);
	sem_init(&done, 0);
	pa = page();
	KTEST_ASSERT_TRUE(t, pa != 0);
	KTEST_ASSERT_EQ(t, vm_map(SCRATCH_VA, pa, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KTEST_ASSERT_EQ(t, thread_set_cpu(thread_current(), 0), 0);
	th = thread_create_on("tlb-reader", read_before_and_after, &r, THREAD_PRIO_DEFAULT, 0, 1);
	KTEST_ASSERT_TRUE(t, th != NULL);
	sem_down(&done);
	before = vm_shootdowns();
	KTEST_EXPECT_EQ(t, vm_unmap(SCRATCH_VA, PAGE_SIZE), 0);
	KTEST_EXPECT_GT(t, vm_shootdowns(), before);
	sem_up(&step);
	KTEST_EXPECT_EQ(t, thread_join(th, NULL, 30ull * 1000000000ull), 0);
	KTEST_EXPECT_EQ(t, r.faults_before, 0);
	KTEST_EXPECT_EQ(t, r.faults_after, 1);
	thread_set_cpu(thread_current(), THREAD_ANY_CPU);
	pmm_free(pa, 0);
}

static void ioremap_maps_device_memory(struct ktest *t)
{
	/* A physical address in the scratch window: nothing is there, and nothing is read
	 * or written through it; only the mapping ioremap makes is looked at. */
	uint64_t pa = SCRATCH_VA + 32 * PAGE_SIZE;
	struct vm_mapping m;
	volatile uint8_t *p;

	NEED_MMU(t);
	p = ioremap(pa + 0x10, 0x20);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, (uintptr_t)p, (uintptr_t)(pa + 0x10)); /* identity for now */
	KTEST_ASSERT_TRUE(t, vm_query((uintptr_t)p, &m));
	KTEST_EXPECT_EQ(t, m.pa, pa + 0x10);
	KTEST_EXPECT_EQ(t, m.prot, VM_READ | VM_WRITE | VM_DEVICE);
	/* Asked again, the mapping is found rather than refused as busy. */
	KTEST_EXPECT_TRUE(t, ioremap(pa, 8) == (void *)(uintptr_t)pa);
	KTEST_EXPECT_EQ(t, vm_unmap((uintptr_t)pa, PAGE_SIZE), 0);
}

KTEST_SUITE(vm, KTEST_CASE(map_query_and_alias), KTEST_CASE(protect_and_unmap_fault),
	    KTEST_CASE(kernel_image_is_w_xor_x), KTEST_CASE(null_pointer_faults),
	    KTEST_CASE(thread_stacks_have_guard_pages), KTEST_CASE(large_pages_map_and_split),
	    KTEST_CASE(device_memory_is_mapped_uncached), KTEST_CASE(ioremap_maps_device_memory),
	    KTEST_CASE(unmap_reaches_other_cpus));
