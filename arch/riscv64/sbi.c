/* SBI calls (RISC-V Supervisor Binary Interface v1.0): ecall with the extension id in
 * a7 and the function id in a6; error in a0, value in a1. */
#include <stdio.h>

#include "riscv.h"

#define SBI_EXT_BASE	      0x10
#define SBI_BASE_SPEC_VERSION 0
#define SBI_BASE_IMPL_ID      1
#define SBI_BASE_IMPL_VERSION 2

struct sbi_ret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbi_ret){r0, r1};
}

static const char *impl_name(long id)
{
	/* Implementation ids from the SBI specification, chapter 4. */
	static const char *const names[] = {
		"Berkeley Boot Loader", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix", "Coffer",
	};

	return id >= 0 && id < (long)(sizeof(names) / sizeof(names[0])) ? names[id] : "SBI";
}

/* "OpenSBI 1.1 (SBI 1.0)" */
void sbi_describe(char *buf, unsigned long size)
{
	long spec = sbi_call(SBI_EXT_BASE, SBI_BASE_SPEC_VERSION, 0, 0, 0).value;
	long id = sbi_call(SBI_EXT_BASE, SBI_BASE_IMPL_ID, 0, 0, 0).value;
	long ver = sbi_call(SBI_EXT_BASE, SBI_BASE_IMPL_VERSION, 0, 0, 0).value;

	if (id == 1) /* OpenSBI encodes major << 16 | minor */
		snprintf(buf, size, "%s %ld.%ld (SBI %ld.%ld)", impl_name(id), ver >> 16,
			 ver & 0xffff, (spec >> 24) & 0x7f, spec & 0xffffff);
	else
		snprintf(buf, size, "%s version %#lx (SBI %ld.%ld)", impl_name(id), ver,
			 (spec >> 24) & 0x7f, spec & 0xffffff);
}
