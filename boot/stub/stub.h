/* The self-decompressing image's stub: what each arch's part (boot/stub/<arch>.*)
 * provides to the portable part (stub.c). */
#ifndef STUB_H
#define STUB_H

#include <stddef.h>
#include <stdint.h>

/* Decompress the kernel; returns its entry address. Called by the arch entry code on
 * the stub's stack; on a corrupt image it reports and powers off instead. */
uintptr_t stub_main(void);

/* Power off with `status` through the target's exit device (never returns). */
__attribute__((noreturn)) void stub_poweroff(int status);

/* The compressed kernel (payload.S) and where the stub itself starts (stub.lds.S). */
extern const uint8_t stub_payload[], stub_payload_end[];
extern const uint8_t __stub_start[];
extern const char stub_kernel_entry[]; /* an address (stub.lds.S), not data */

#endif
