/*
 * Thread-local storage for picolibc, whose errno and strtok/rand state are __thread
 * variables. The linker script lays out the TLS template (.tdata then .tbss); this file
 * copies it into an area with the arch's TCB in front and hands that to the CPU.
 * Only the boot CPU has one until threads exist.
 */
#include <string.h>

#include "arch.h"
#include "kernel.h"

/* Linker-script symbols: addresses inside the image, so every code model reaches them. */
extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[];

#define TLS_AREA_SIZE 512
static char tls_area[TLS_AREA_SIZE] __attribute__((aligned(64)));

void tls_init(void)
{
	size_t tdata = (size_t)(__tdata_end - __tdata_start);
	size_t gap = (size_t)(__tbss_start - __tdata_end); /* alignment padding */
	size_t tbss = (size_t)(__tbss_end - __tbss_start);
	char *block = tls_area + arch_tls_tcb_size;

	if (arch_tls_tcb_size + tdata + gap + tbss > sizeof(tls_area))
		panic("TLS template (%zu bytes) larger than the TLS area", tdata + gap + tbss);
	memcpy(block, __tdata_start, tdata);
	memset(block + tdata, 0, gap + tbss);
	arch_set_thread_pointer(tls_area);
}
