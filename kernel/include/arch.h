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

#include <stddef.h>
#include <stdint.h>
#include "compiler.h"

struct boot_info;

/* Called by the arch first thing in C, on the boot CPU, before any other kernel code:
 * prepares what C library calls need (TLS). */
void kernel_early_init(void);

/* Portable entry, called once by the arch on the boot CPU with interrupts off. */
__noreturn void kmain(const struct boot_info *bi);

/* Hardware id of the calling CPU: hart id, MPIDR affinity bits, or local APIC id. */
uint64_t arch_cpu_id(void);

/* Architecture name and a short description of the CPU mode the kernel runs in. */
extern const char arch_name[];
const char *arch_cpu_mode(void);

/* Local interrupt state. save disables and returns the previous state for restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Hint inside busy-wait loops (pause, yield); may be a no-op. */
void arch_cpu_relax(void);

/* Power the machine off; the host sees `status` as the emulator's exit status (0 is
 * success). Callable from any context, also from panic(). Never returns. */
__noreturn void arch_poweroff(int status);

/* Thread-local storage for the C library (only arches that offer LIBC_PICOLIBC need
 * these). The TLS area is laid out as [TCB: arch_tls_tcb_size bytes][.tdata][.tbss];
 * arch_set_thread_pointer() makes its start the calling CPU's thread pointer. */
extern const size_t arch_tls_tcb_size;
void arch_set_thread_pointer(void *tls_area);

#ifdef CONFIG_ARCH_HAS_PORT_IO
/* One-byte I/O port access, for devices on an I/O port bus (x86 COM ports). Only
 * arches that select ARCH_HAS_PORT_IO provide (and their drivers use) these. */
uint8_t arch_pio_read8(uint16_t port);
void arch_pio_write8(uint16_t port, uint8_t value);
#endif

#endif
