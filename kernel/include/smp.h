/*
 * Several CPUs: starting the others, which CPUs are online, and inter-processor
 * interrupts (IPIs). CPUs are named by index, 0 being the boot CPU; arch_cpu_index()
 * says which one the caller runs on. Per-CPU data is an array indexed by it, kept by
 * each module next to the code that uses it (irq nesting, timer queues, the
 * scheduler's current thread).
 */
#ifndef SMP_H
#define SMP_H

#include <stdbool.h>
#include <stdint.h>

#define NR_CPUS CONFIG_NR_CPUS

struct boot_info;

/* Start every CPU boot_info lists, up to NR_CPUS, and wait (a bounded time) until each
 * is online. Once, from kmain, after the scheduler. */
void smp_init(const struct boot_info *bi);

unsigned int smp_cpus_online(void);
/* How many CPUs smp_init() tried to have online: those boot_info lists, up to NR_CPUS. */
unsigned int smp_cpus_wanted(void);
bool smp_cpu_online(unsigned int index);
uint64_t smp_cpu_hw_id(unsigned int index);
/* IPIs this CPU has received, for statistics and tests. */
uint64_t smp_ipis_received(unsigned int index);

/* Ask CPU index to reschedule (a thread became ready that should run there). */
void smp_send_reschedule(unsigned int index);

/* Run fn(arg) on CPU index, in its IPI handler (interrupts off), and wait until it has
 * run. 0, or -E_INVAL for a CPU that is not online. The caller must have interrupts
 * on (two CPUs calling each other with them off would wait forever). */
int smp_call_on(unsigned int index, void (*fn)(void *arg), void *arg);
/* The same on every other online CPU, one after the other. */
void smp_call_others(void (*fn)(void *arg), void *arg);
/* The same on every online CPU, the caller's included (each exactly once, even if the
 * calling thread moves meanwhile). */
void smp_call_all(void (*fn)(void *arg), void *arg);

/* Stop every other CPU (interrupts off, waiting forever), without waiting. For panic. */
void smp_stop_others(void);

#endif
