/*
 * PSCI, the Arm Power State Coordination Interface (Arm DEN 0022), called through the
 * SMC Calling Convention (Arm DEN 0028): function id in x0, arguments in x1-x3, result
 * in x0. The conduit, HVC or SMC, is the "method" of the device tree's /psci node.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aarch64.h"
#include "errors.h"
#include "fdt.h"
#include "printk.h"

/* Function ids (DEN 0022, "PSCI function IDs"); fixed from PSCI 0.2 on. */
#define PSCI_0_2_VERSION      0x84000000ul
#define PSCI_0_2_SYSTEM_OFF   0x84000008ul
#define PSCI_0_2_SYSTEM_RESET 0x84000009ul
#define PSCI_0_2_FN64_CPU_ON  0xc4000003ul

/* Return codes (DEN 0022, "Return error codes"). */
#define PSCI_RET_SUCCESS	    0l
#define PSCI_RET_NOT_SUPPORTED	    (-1l)
#define PSCI_RET_INVALID_PARAMETERS (-2l)
#define PSCI_RET_DENIED		    (-3l)
#define PSCI_RET_ALREADY_ON	    (-4l)
#define PSCI_RET_ON_PENDING	    (-5l)
#define PSCI_RET_INTERNAL_FAILURE   (-6l)
#define PSCI_RET_NOT_PRESENT	    (-7l)
#define PSCI_RET_DISABLED	    (-8l)
#define PSCI_RET_INVALID_ADDRESS    (-9l)

/* Each code, what it means for CPU_ON, and the kernel error it becomes. */
static const struct {
	long code;
	const char *name;
	const char *meaning;
	int err;
} psci_errors[] = {
	{PSCI_RET_NOT_SUPPORTED, "NOT_SUPPORTED", "the firmware does not offer this call",
	 E_NOTSUP},
	{PSCI_RET_INVALID_PARAMETERS, "INVALID_PARAMETERS", "no CPU has this MPIDR", E_INVAL},
	{PSCI_RET_DENIED, "DENIED", "the firmware refused", E_PERM},
	{PSCI_RET_ALREADY_ON, "ALREADY_ON", "the CPU is already running", E_BUSY},
	{PSCI_RET_ON_PENDING, "ON_PENDING", "an earlier CPU_ON for it is still in progress",
	 E_BUSY},
	{PSCI_RET_INTERNAL_FAILURE, "INTERNAL_FAILURE", "the firmware could not power it on",
	 E_NODEV},
	{PSCI_RET_NOT_PRESENT, "NOT_PRESENT", "the CPU is not present", E_NODEV},
	{PSCI_RET_DISABLED, "DISABLED", "the CPU is disabled", E_NODEV},
	{PSCI_RET_INVALID_ADDRESS, "INVALID_ADDRESS", "the entry address is not valid", E_INVAL},
};

/* PSCI_VERSION result: major [30:16], minor [15:0]; negative is an error code. */
#define PSCI_MAJOR_SHIFT 16
#define PSCI_MAJOR_MASK	 0x7ffful
#define PSCI_MINOR_MASK	 0xfffful

enum psci_conduit {
	PSCI_CONDUIT_NONE,
	PSCI_CONDUIT_HVC,
	PSCI_CONDUIT_SMC,
};

static enum psci_conduit conduit;
/* Why conduit is NONE, for the messages of calls that cannot be made. */
static const char *unusable = "no /psci node in the device tree";

/* SMCCC 1.0 lets the callee corrupt x4-x17: they are clobbers. */
#define SMCCC_CLOBBERS                                                                       \
	"x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", \
		"x17", "memory"

static unsigned long psci_call(unsigned long fn, unsigned long a1, unsigned long a2,
			       unsigned long a3)
{
	register unsigned long x0 __asm__("x0") = fn;
	register unsigned long x1 __asm__("x1") = a1;
	register unsigned long x2 __asm__("x2") = a2;
	register unsigned long x3 __asm__("x3") = a3;

	if (conduit == PSCI_CONDUIT_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::SMCCC_CLOBBERS);
	else if (conduit == PSCI_CONDUIT_SMC)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::SMCCC_CLOBBERS);
	return x0;
}

static enum psci_conduit conduit_of(const char *method)
{
	if (method && strcmp(method, "hvc") == 0)
		return PSCI_CONDUIT_HVC;
	if (method && strcmp(method, "smc") == 0)
		return PSCI_CONDUIT_SMC;
	return PSCI_CONDUIT_NONE;
}

/* Find the PSCI conduit in the (already validated) FDT and describe the firmware into
 * desc, e.g. "PSCI 1.1 via hvc". Leaves desc alone when there is no usable PSCI. */
void psci_init(const void *fdt, char *desc, size_t size)
{
	struct fdt f;
	const char *method;
	enum psci_conduit c;
	long version;
	int node;

	if (fdt_open(&f, fdt, FDT_MAX_SIZE, NULL) < 0 || (node = fdt_path(&f, "/psci")) < 0)
		return; /* unusable says so already */
	method = fdt_prop_string(&f, node, "method");
	c = conduit_of(method);
	if (c == PSCI_CONDUIT_NONE) {
		unusable = "the /psci node's method is neither hvc nor smc";
		return;
	}
	/* entry.S made HVC undefined when it left EL2: nobody would answer there. */
	if (c == PSCI_CONDUIT_HVC && aarch64_boot_el == 2) {
		unusable =
			"PSCI is reached by hvc, which the kernel made undefined when it left EL2";
		snprintf(desc, size, "PSCI via hvc, unusable (the kernel left EL2)");
		return;
	}
	/* PSCI 0.1 has no standard function ids, so no PSCI_VERSION to ask. */
	if (!fdt_is_compatible(&f, node, "arm,psci-0.2") &&
	    !fdt_is_compatible(&f, node, "arm,psci-1.0")) {
		unusable = "PSCI 0.1 (no standard function ids) is not supported";
		snprintf(desc, size, "PSCI 0.1 via %s", method);
		return;
	}
	conduit = c;
	version = (long)(int32_t)psci_call(PSCI_0_2_VERSION, 0, 0, 0);
	if (version < 0)
		snprintf(desc, size, "PSCI via %s (PSCI_VERSION failed: %ld)", method, version);
	else
		snprintf(desc, size, "PSCI %lu.%lu via %s",
			 ((unsigned long)version >> PSCI_MAJOR_SHIFT) & PSCI_MAJOR_MASK,
			 (unsigned long)version & PSCI_MINOR_MASK, method);
}

/* Power off through PSCI SYSTEM_OFF; returns only if there is no PSCI to ask. The
 * emulator's exit status is always 0 this way. */
void psci_system_off(void)
{
	if (conduit != PSCI_CONDUIT_NONE)
		psci_call(PSCI_0_2_SYSTEM_OFF, 0, 0, 0);
}

/* Reset the system through PSCI SYSTEM_RESET; it does not return when it works.
 * Returns the PSCI error code otherwise (NOT_SUPPORTED when there is no PSCI). */
long psci_system_reset(void)
{
	if (conduit == PSCI_CONDUIT_NONE)
		return PSCI_RET_NOT_SUPPORTED;
	return (long)(int32_t)psci_call(PSCI_0_2_SYSTEM_RESET, 0, 0, 0);
}

/* Start the CPU whose MPIDR affinity is mpidr at the physical address entry, with
 * context in its x0 (DEN 0022, CPU_ON). 0 once the firmware accepted; otherwise prints
 * why and returns a negative E_* code: -E_NOTSUP without a usable PSCI. */
int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	long ret;

	if (conduit == PSCI_CONDUIT_NONE) {
		pr_err("psci: cannot start CPU 0x%" PRIx64 ": %s\n", mpidr, unusable);
		return -E_NOTSUP;
	}
	ret = (long)(int32_t)psci_call(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context);
	if (ret == PSCI_RET_SUCCESS)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(psci_errors); i++)
		if (psci_errors[i].code == ret) {
			pr_err("psci: CPU_ON 0x%" PRIx64 " failed: %s (%s)\n", mpidr,
			       psci_errors[i].name, psci_errors[i].meaning);
			return -psci_errors[i].err;
		}
	pr_err("psci: CPU_ON 0x%" PRIx64 " failed with an unknown PSCI code %ld\n", mpidr, ret);
	return -E_NODEV;
}
