/* SBI calls (RISC-V Supervisor Binary Interface v1.0): ecall with the extension id in
 * a7 and the function id in a6; error in a0, value in a1. */
#include <stdio.h>

#include "compiler.h"
#include "errors.h"
#include "riscv.h"

#define SBI_EXT_BASE		 0x10
#define SBI_BASE_SPEC_VERSION	 0
#define SBI_BASE_IMPL_ID	 1
#define SBI_BASE_IMPL_VERSION	 2
#define SBI_BASE_PROBE_EXTENSION 3

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

bool sbi_probe(long ext)
{
	struct sbi_ret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0);

	return r.error == 0 && r.value != 0; /* value 0: not available */
}

/* The standard SBI errors (SBI 1.0, chapter 3, table 1), by -error. */
static const struct {
	const char *name;
	int code;
} sbi_errors[] = {
	[0] = {"success", 0},
	[1] = {"failed", -E_NODEV},
	[2] = {"not supported", -E_NOTSUP},
	[3] = {"invalid parameter", -E_INVAL},
	[4] = {"denied", -E_PERM},
	[5] = {"invalid address", -E_INVAL},
	[6] = {"already available (the hart is already started)", -E_BUSY},
	[7] = {"already started", -E_BUSY},
	[8] = {"already stopped", -E_BUSY},
};

const char *sbi_error_name(long error)
{
	return error <= 0 && -error < (long)ARRAY_SIZE(sbi_errors) ? sbi_errors[-error].name
								   : "unknown SBI error";
}

int sbi_error_to_errno(long error)
{
	return error <= 0 && -error < (long)ARRAY_SIZE(sbi_errors) ? sbi_errors[-error].code
								   : -E_NODEV;
}
