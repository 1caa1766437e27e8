/*
 * The arch contract: everything an architecture back end (arch/<arch>/) provides to the
 * portable kernel. kernel/ and drivers/ include this header, never a file under arch/.
 * A new architecture implements each function below, a linker script, a target file
 * and a defconfig.
 *
 * Boot protocol (not a function here): the arch's entry code sets up a stack, clears
 * .bss, puts the CPU in the kernel's mode (S-mode, EL1, long mode), fills a
 * struct boot_info and calls kmain(), which never returns.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "trap.h"

struct boot_info;

/* Called by the arch first thing in C, on the boot CPU, before any other kernel code:
 * prepares what C library calls need (TLS). */
void kernel_early_init(void);

/* Portable entry, called once by the arch on the boot CPU with interrupts off. */
__noreturn void kmain(const struct boot_info *bi);

/* Portable entry of every other CPU, called by the arch (see arch_cpu_start). */
__noreturn void smp_secondary_main(unsigned int index);

/* Hardware id of the calling CPU: hart id, MPIDR affinity bits, or local APIC id. */
uint64_t arch_cpu_id(void);

/* Architecture name and a short description of the CPU mode the kernel runs in. */
extern const char arch_name[];
const char *arch_cpu_mode(void);

/* Local interrupt state. save disables and returns the previous state for restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
/* Are interrupts enabled on this CPU? */
bool arch_irqs_enabled(void);

/* Hint inside busy-wait loops (pause, yield); may be a no-op. */
void arch_cpu_relax(void);

/* Enable / disable interrupts on this CPU. */
void arch_irq_enable(void);
void arch_irq_disable(void);

/* Called with interrupts disabled: wait (wfi, hlt) until an interrupt is pending, with
 * interrupts enabled only for the wait so that a wake-up cannot be lost between the
 * caller's check and the wait, let it be handled, return with interrupts disabled. */
void arch_wait_for_interrupt(void);

/* ---- Interrupt controller and timer (kernel/irq.c, kernel/time.c) ---- */

/* Start the interrupt controller(s) that bi describes (PLIC, GIC, local APIC and
 * IOAPIC...), with every line masked, and register them: irq_set_chip(). Once, from
 * kmain, interrupts off. */
void arch_irq_init(const struct boot_info *bi);

/* The free-running counter behind time_now_ns(), and its frequency in Hz (x86: the TSC,
 * calibrated in arch_irq_init). Monotonic, never stops. */
uint64_t arch_counter(void);
uint64_t arch_counter_hz(void);

/* One-shot timer: interrupt on arch_timer_line() once arch_counter() >= deadline;
 * UINT64_MAX for none. Replaces any earlier programming. Interrupts off. */
void arch_timer_program(uint64_t deadline);
unsigned int arch_timer_line(void);

/* ---- SMP (kernel/smp.c) ---- */

/* The calling CPU's index: 0 on the boot CPU from its first instruction of C, 1..
 * NR_CPUS-1 on the others as arch_cpu_start() gave them. Read from a per-CPU register
 * (sscratch, TPIDR_EL1, the GS base...), not computed: the scheduler asks often. */
unsigned int arch_cpu_index(void);

/* Start the CPU whose hardware id (as boot_info's cpu_ids) is hw_id through the
 * platform's interface (SBI HSM, PSCI CPU_ON, INIT-SIPI-SIPI). It enters the kernel in
 * the boot CPU's mode (S-mode; EL1, from EL2 if need be; long mode on the boot CPU's
 * page tables), on the stack below stack_top, with arch_cpu_index() == index, trap
 * vectors and FP/TLS state as on the boot CPU, interrupts off, and calls
 * smp_secondary_main(index), which never returns. Returns 0 once the platform
 * accepted the request (the CPU may arrive later), or a negative E_* code with the
 * reason printed: -E_NOTSUP (no way to start CPUs), -E_NODEV, -E_INVAL (a bad id),
 * -E_BUSY (the firmware says it is already on), -E_PERM (denied), -E_TIMEDOUT (the
 * start request never went out). */
int arch_cpu_start(unsigned int index, uint64_t hw_id, uintptr_t stack_top);

/* On a secondary CPU, from smp_secondary_main() with interrupts off: set up its part of
 * the interrupt controller (PLIC context, GIC CPU interface or redistributor, local
 * APIC) and unmask on it the per-CPU lines the boot CPU requested (the timer, the
 * IPI). Device lines stay routed to the boot CPU. */
void arch_irq_init_cpu(void);

/* Raise the inter-processor interrupt on CPU index: it arrives there as
 * irq_dispatch(arch_ipi_line()). May be sent to the calling CPU. */
void arch_send_ipi(unsigned int index);
unsigned int arch_ipi_line(void);

/* ---- Memory management unit (arch/<arch>/mmu.c; kernel/vm.c is the portable side) ----
 *
 * The kernel's address space is one set of page tables shared by every CPU. For now
 * virtual = physical for RAM and the image (identity); the kernel moving to the higher
 * half is later work. Page-table pages come from pmm_alloc(0, ZONE_NORMAL) and are
 * zeroed by the arch. Every call below takes and leaves the tables consistent for the
 * calling CPU (its own TLB maintenance done); other CPUs' TLBs are kernel/vm.c's job
 * (it calls arch_tlb_flush_local on each through an IPI).
 */

/* Protection of a mapping: any of these; VM_DEVICE makes it uncached device memory
 * (device-nGnRE, PCD|PWT, or PMA-default on riscv64) for MMIO. A mapping is never both
 * VM_WRITE and VM_EXEC (W^X): arch_map/arch_protect refuse it with -E_INVAL. */
#define VM_READ	     0x1u
#define VM_WRITE     0x2u
#define VM_EXEC	     0x4u
#define VM_DEVICE    0x8u
#define VM_PROT_MASK (VM_READ | VM_WRITE | VM_EXEC | VM_DEVICE)

/* On the boot CPU, after pmm_init, before any other CPU starts: build the kernel page
 * tables and turn the MMU on. They map the image by section with W^X (text read+exec,
 * rodata read-only, data/bss read+write, no exec), every usable RAM range read+write
 * no-exec, the console UART and the interrupt controller as device memory (from
 * boot_info), using large pages where alignment allows except over the image. Panics
 * with a message if the CPU lacks what it needs (e.g. no Sv39). */
void arch_mmu_init(const struct boot_info *bi);
/* On each secondary CPU, early (before it touches anything but its stack): turn the
 * MMU on with the boot CPU's tables. */
void arch_mmu_init_cpu(void);

/* Map [va, va + size) to [pa, pa + size) with prot. va, pa, size page-aligned. Uses
 * large pages when allowed (large == true) and aligned. 0, or -E_INVAL (misaligned, W^X,
 * bad prot), -E_BUSY (something already mapped there: nothing is changed), -E_NOMEM. */
int arch_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large);
/* Remove every mapping in [va, va + size) (splitting large pages at the edges if need
 * be). 0, -E_INVAL, -E_NOMEM (a split needed a table). */
int arch_unmap(uintptr_t va, size_t size);
/* Change the protection of [va, va + size), all of which must be mapped; splits large
 * pages at the edges. 0, -E_INVAL (a hole, W^X), -E_NOMEM. */
int arch_protect(uintptr_t va, size_t size, unsigned int prot);
/* Walk the tables for va: true and *pa, *prot, *page_size (4 KiB or the large page
 * size) if mapped. */
bool arch_query(uintptr_t va, uint64_t *pa, unsigned int *prot, size_t *page_size);
/* Invalidate this CPU's TLB entries for [va, va + size) (everything when size is 0). */
void arch_tlb_flush_local(uintptr_t va, size_t size);
/* The root of the kernel tables (physical address), for debuggers and tests. */
uint64_t arch_mmu_root(void);

/* ---- Threads (kernel/thread.c) ---- */

/* Switch kernel stacks: save the callee-saved registers (and any FP/SIMD state the ABI
 * asks a callee to keep) on the current stack, store its stack pointer in *old_sp, load
 * new_sp and return on that stack. Interrupts off. */
void arch_context_switch(uintptr_t *old_sp, uintptr_t new_sp);

/* Lay out a new thread's stack below stack_top (16-byte aligned) so that the first
 * arch_context_switch() to the returned stack pointer calls fn(arg), which never
 * returns, with a frame-pointer chain that ends there. */
uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg);

/* One past the highest physical address the kernel can reach at that same address
 * today (the MMU off, or the boot identity map); RAM above it is left alone. */
uint64_t arch_phys_limit(void);

/* Reset the machine (the host sees a reboot; under -no-reboot, QEMU exits). */
__noreturn void arch_reboot(void);

/* Power the machine off; the host sees `status` as the emulator's exit status (0 is
 * success). Callable from any context, also from panic(). Never returns. */
__noreturn void arch_poweroff(int status);

/* Thread-local storage for the C library (only arches that offer LIBC_PICOLIBC need
 * these). The TLS area is laid out as [TCB: arch_tls_tcb_size bytes][.tdata][.tbss];
 * arch_set_thread_pointer() makes its start the calling CPU's thread pointer. */
extern const size_t arch_tls_tcb_size;
void arch_set_thread_pointer(void *tls_area);

/* ---- Traps (the arch's handler decodes, then calls trap_exception(); see trap.h) ---- */

/* Print every register of the frame, KERN_EMERG, for crash reports. */
void arch_dump_registers(const struct trap_frame *tf);

/* One step of frame-pointer unwinding: from the frame at *fp, the caller's frame
 * pointer into *fp and the return address into *pc. False at the end of the chain or
 * when *fp does not point into a kernel stack. tf is the trap frame on the first step
 * from a trap (a leaf function may not have saved its return address yet), else NULL. */
bool arch_unwind_frame(uintptr_t *fp, uintptr_t *pc, const struct trap_frame *tf);

/* Cause a trap of this kind on purpose, for tests. Returns false, doing nothing, when
 * the arch has no way to (division by zero does not trap on riscv64 or aarch64). */
bool arch_raise(enum trap_kind kind);

/* Non-local jump, also out of a trap handler (the kernel runs at one privilege level, so
 * the trap needs no return). setjmp returns 0, then the value given to longjmp.
 * Callee-saved registers, stack and frame pointer, return address. */
#define ARCH_JMP_BUF_WORDS 24
typedef unsigned long arch_jmp_buf[ARCH_JMP_BUF_WORDS];
int arch_setjmp(arch_jmp_buf buf) __attribute__((returns_twice));
__noreturn void arch_longjmp(arch_jmp_buf buf, int value);

#ifdef CONFIG_ARCH_HAS_PORT_IO
/* One-byte I/O port access, for devices on an I/O port bus (x86 COM ports). Only
 * arches that select ARCH_HAS_PORT_IO provide (and their drivers use) these. */
uint8_t arch_pio_read8(uint16_t port);
void arch_pio_write8(uint16_t port, uint8_t value);
#endif

#endif
