/*
 * Several CPUs: starting the secondaries, and the inter-processor interrupt (IPI) that
 * carries three requests, each one bit in the target's pending word: reschedule, run
 * the queued function calls, stop (after a panic). The sender sets the bit, then raises
 * the IPI; the handler takes the whole word at once, so requests sent together cost one
 * interrupt and none is lost (the arch delivers an IPI raised while the handler runs
 * once more after it).
 */
#include <inttypes.h>
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "irq.h"
#include "kernel.h"
#include "ktime.h"
#include "pmm.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"
#include "thread.h"

#define IPI_RESCHEDULE 1u
#define IPI_CALL       2u
#define IPI_STOP       4u

/* A secondary's first stack, which becomes its idle thread's. */
#define SECONDARY_STACK_ORDER 2 /* 16 KiB */
#define ONLINE_TIMEOUT_NS     (1000 * NSEC_PER_MSEC)

struct smp_call {
	struct smp_call *next;
	void (*fn)(void *arg);
	void *arg;
	bool done;
};

struct smp_cpu {
	uint64_t hw_id;
	bool online;
	uint32_t pending; /* IPI_* bits, set by senders, taken by the handler */
	uint64_t ipis;
	struct spinlock call_lock;
	struct smp_call *calls; /* guarded by call_lock */
};

static struct smp_cpu cpus[NR_CPUS];
static unsigned int online_count = 1;
static unsigned int wanted_count = 1; /* CPUs listed, up to NR_CPUS */

unsigned int smp_cpus_wanted(void)
{
	return wanted_count;
}

unsigned int smp_cpus_online(void)
{
	return __atomic_load_n(&online_count, __ATOMIC_ACQUIRE);
}

bool smp_cpu_online(unsigned int index)
{
	return index < NR_CPUS && __atomic_load_n(&cpus[index].online, __ATOMIC_ACQUIRE);
}

uint64_t smp_cpu_hw_id(unsigned int index)
{
	return index < NR_CPUS ? cpus[index].hw_id : 0;
}

uint64_t smp_ipis_received(unsigned int index)
{
	return index < NR_CPUS ? __atomic_load_n(&cpus[index].ipis, __ATOMIC_RELAXED) : 0;
}

static void send(unsigned int index, uint32_t request)
{
	__atomic_fetch_or(&cpus[index].pending, request, __ATOMIC_RELEASE);
	arch_send_ipi(index);
}

void smp_send_reschedule(unsigned int index)
{
	if (smp_cpu_online(index))
		send(index, IPI_RESCHEDULE);
}

static void run_calls(struct smp_cpu *c)
{
	struct smp_call *list;

	spin_lock(&c->call_lock);
	list = c->calls;
	c->calls = NULL;
	spin_unlock(&c->call_lock);
	while (list) {
		struct smp_call *call = list;

		list = call->next; /* read before done: the caller's frame goes away then */
		call->fn(call->arg);
		__atomic_store_n(&call->done, true, __ATOMIC_RELEASE);
	}
}

static __noreturn void stop_this_cpu(void)
{
	arch_irq_disable();
	for (;;)
		arch_wait_for_interrupt();
}

static void ipi_interrupt(unsigned int line, void *arg)
{
	struct smp_cpu *c = &cpus[arch_cpu_index()];
	uint32_t pending = __atomic_exchange_n(&c->pending, 0, __ATOMIC_ACQUIRE);

	(void)line;
	(void)arg;
	__atomic_fetch_add(&c->ipis, 1, __ATOMIC_RELAXED);
	if (pending & IPI_STOP)
		stop_this_cpu();
	if (pending & IPI_CALL)
		run_calls(c);
	if (pending & IPI_RESCHEDULE)
		sched_reschedule_ipi();
}

int smp_call_on(unsigned int index, void (*fn)(void *arg), void *arg)
{
	struct smp_call call = {.fn = fn, .arg = arg};
	struct smp_cpu *c;
	unsigned long flags;

	if (!smp_cpu_online(index))
		return -E_INVAL;
	if (!arch_irqs_enabled() || in_interrupt())
		panic("smp_call_on: called with interrupts off (two CPUs could wait forever)");
	flags = arch_irq_save();
	if (index == arch_cpu_index()) {
		fn(arg);
		arch_irq_restore(flags);
		return 0;
	}
	c = &cpus[index];
	spin_lock(&c->call_lock);
	call.next = c->calls;
	c->calls = &call;
	spin_unlock(&c->call_lock);
	send(index, IPI_CALL);
	arch_irq_restore(flags);
	while (!__atomic_load_n(&call.done, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	return 0;
}

void smp_call_others(void (*fn)(void *arg), void *arg)
{
	unsigned long flags = arch_irq_save();
	unsigned int self = arch_cpu_index();

	arch_irq_restore(flags);
	for (unsigned int i = 0; i < NR_CPUS; i++)
		if (i != self && smp_cpu_online(i))
			smp_call_on(i, fn, arg);
}

void smp_call_all(void (*fn)(void *arg), void *arg)
{
	/* By index, not "this CPU and the others": the caller may move between calls, and
	 * each CPU must still run fn exactly once. */
	for (unsigned int i = 0; i < NR_CPUS; i++)
		if (smp_cpu_online(i))
			smp_call_on(i, fn, arg);
}

void smp_stop_others(void)
{
	unsigned int self = arch_cpu_index();

	for (unsigned int i = 0; i < NR_CPUS; i++)
		if (i != self && smp_cpu_online(i))
			send(i, IPI_STOP);
}

void smp_secondary_main(unsigned int index)
{
	arch_mmu_init_cpu();
	arch_irq_init_cpu();
	time_init_cpu();
	sched_init_cpu(index);
	__atomic_store_n(&cpus[index].online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&online_count, 1, __ATOMIC_RELEASE);
	sched_idle(); /* the boot context of this CPU is its idle thread from here on */
}

/* Start the CPU with hardware id hw_id as index and wait until it is online. False
 * when the platform refused (index is free again); true once it accepted, even if
 * the CPU then never arrives (it may still, so index stays its). */
static bool start_cpu(unsigned int index, uint64_t hw_id)
{
	uint64_t pa = pmm_alloc(SECONDARY_STACK_ORDER, ZONE_NORMAL);
	size_t size = PAGE_SIZE << SECONDARY_STACK_ORDER;
	uint64_t deadline;
	int err;

	if (!pa) {
		pr_err("smp: no memory for CPU %u's stack\n", index);
		return false;
	}
	cpus[index].hw_id = hw_id;
	sched_prepare_cpu(index, (void *)(uintptr_t)pa, size);
	err = arch_cpu_start(index, hw_id, (uintptr_t)pa + size);
	if (err) {
		pr_err("smp: CPU %u (id %#" PRIx64 ") did not start: %s\n", index, hw_id,
		       error_name(err));
		pmm_free(pa, SECONDARY_STACK_ORDER);
		return false;
	}
	deadline = time_now_ns() + ONLINE_TIMEOUT_NS;
	while (!smp_cpu_online(index)) {
		if (time_now_ns() > deadline) {
			/* Its stack stays allocated: the CPU may still wake up and use it. */
			pr_err("smp: CPU %u (id %#" PRIx64 ") started but did not come online "
			       "within %llu ms\n",
			       index, hw_id, ONLINE_TIMEOUT_NS / NSEC_PER_MSEC);
			return true;
		}
		arch_cpu_relax();
	}
	return true;
}

void smp_init(const struct boot_info *bi)
{
	unsigned int next = 1;
	int err;

	cpus[0].hw_id = bi->boot_cpu_id;
	cpus[0].online = true;
	for (unsigned int i = 0; i < NR_CPUS; i++)
		spin_lock_init(&cpus[i].call_lock);
	err = irq_request(arch_ipi_line(), ipi_interrupt, NULL, "ipi");
	if (err)
		panic("smp: cannot take the IPI (line %u): %s", arch_ipi_line(), error_name(err));

	for (unsigned int i = 0; i < bi->cpu_count; i++) {
		uint64_t id = bi->cpu_ids[i];

		if (id == bi->boot_cpu_id)
			continue;
		if (next >= NR_CPUS) {
			pr_warn("smp: CPU id %#" PRIx64 " left alone: CONFIG_NR_CPUS is %d\n", id,
				NR_CPUS);
			continue;
		}
		wanted_count++;
		if (start_cpu(next, id))
			next++;
	}
	pr_info("smp: %u of %u CPU%s online\n", smp_cpus_online(), bi->cpu_count,
		bi->cpu_count == 1 ? "" : "s");
}
