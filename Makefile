# refkernel top-level Makefile. `make help` lists the targets and variables.
#
# Data flow: ARCH (+ LLVM, O) -> arch/<arch>/targets/<target>.target + defconfig
#   -> tools/kconfig -> <O>/.config, <O>/auto.conf, <O>/include/generated/autoconf.h
#   -> objects from the per-directory Kbuild lists -> linker/<arch>.lds.S -> kernel.elf
#   -> objcopy -> kernel.bin

KERNELVERSION := 0.1.0

MAKEFLAGS += -rR --no-print-directory
.SUFFIXES:
.DELETE_ON_ERROR:
# Keep intermediate files (kernel.bin.lz4, kernel.its): users and later steps want them.
.SECONDARY:
.DEFAULT_GOAL := all

srctree := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
PYTHON  := /usr/bin/python3

# ---------------------------------------------------------------------------------------
# Verbosity: quiet "  CC      kernel/main.o" lines unless V=1.
ifeq ($(V),1)
  Q :=
  msg = @:
else
  Q := @
  msg = @printf '  %-7s %s\n' '$(1)' '$(patsubst $(objtree)/%,%,$(2))'
endif

# ---------------------------------------------------------------------------------------
# Architecture and build directory. An arch is a folder under arch/ with a Kconfig.
ARCHES := $(sort $(patsubst $(srctree)/arch/%/Kconfig,%,$(wildcard $(srctree)/arch/*/Kconfig)))
ARCH_GIVEN := $(filter command line environment,$(origin ARCH))
ARCH ?= riscv64
ifeq ($(filter $(ARCH),$(ARCHES)),)
  $(error unknown ARCH '$(ARCH)'; valid: $(ARCHES))
endif

ifneq ($(filter-out 0 1,$(LLVM)),)
  $(error LLVM must be 1 (clang, ld.lld, llvm-objcopy) or 0 (GCC); got '$(LLVM)')
endif
toolchain-dir := $(if $(filter 1,$(LLVM)),llvm,gcc)
O ?= build/$(ARCH)-$(toolchain-dir)
objtree := $(abspath $(O))

# Goals that need neither a configuration nor a toolchain.
no-config-goals := help clean distclean test-host test-build test-all list-targets \
	bench-lz4 reproducible-check doctor dist
# Goals that need the configuration but not a toolchain.
config-only-goals := menuconfig defconfig %_defconfig olddefconfig savedefconfig \
	print-config

ifeq ($(MAKECMDGOALS),)
  need-config := 1
  need-toolchain := 1
else
  ifneq ($(filter-out $(no-config-goals),$(MAKECMDGOALS)),)
    need-config := 1
  endif
  ifneq ($(filter-out $(no-config-goals) $(config-only-goals),$(MAKECMDGOALS)),)
    need-toolchain := 1
  endif
endif
# `make test` without ARCH runs the whole matrix and needs nothing here.
ifeq ($(MAKECMDGOALS)$(ARCH_GIVEN),test)
  need-config :=
  need-toolchain :=
endif

# ---------------------------------------------------------------------------------------
# Configuration. Command-line (or environment) variables override .config, which
# overrides the defconfig: they are handed to tools/kconfig as symbol assignments.
kconfig-overrides :=
ifeq ($(LLVM),1)
  kconfig-overrides += TOOLCHAIN_LLVM=y
else ifeq ($(LLVM),0)
  kconfig-overrides += TOOLCHAIN_GCC=y
endif
ifneq ($(LIBC),)
  ifeq ($(filter picolibc minimal,$(LIBC)),)
    $(error LIBC must be picolibc or minimal; got '$(LIBC)')
  endif
  kconfig-overrides += LIBC_$(if $(filter picolibc,$(LIBC)),PICOLIBC,MINIMAL)=y
endif
ifneq ($(TARGET),)
  target-files := $(notdir $(basename $(wildcard $(srctree)/arch/$(ARCH)/targets/*.target)))
  ifeq ($(filter $(TARGET),$(target-files)),)
    $(error unknown TARGET '$(TARGET)' for $(ARCH); valid: $(target-files))
  endif
  kconfig-overrides += TARGET_$(subst -,_,$(shell echo '$(TARGET)' | tr a-z A-Z))=y
endif
ifneq ($(BOOT),)
  ifeq ($(filter direct uboot uboot-disk,$(BOOT)),)
    $(error BOOT must be direct, uboot or uboot-disk; got '$(BOOT)')
  endif
  kconfig-overrides += BOOT_$(subst -,_,$(shell echo '$(BOOT)' | tr a-z A-Z))=y
endif
ifneq ($(LZ4),)
  kconfig-overrides += KERNEL_LZ4=$(if $(filter 1,$(LZ4)),y,n)
endif
ifeq ($(KTEST),1)
  kconfig-overrides += KTEST=y
endif

ARCH_DEFCONFIG := $(srctree)/arch/$(ARCH)/configs/$(if $(TARGET),$(TARGET)_)defconfig

export srctree ARCH

# Time stamps that end up in images (mkimage's FIT timestamp) come from the last commit.
SOURCE_DATE_EPOCH ?= $(shell git -C $(srctree) log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
export KCONFIG_CONFIG    := $(objtree)/.config
export KCONFIG_OBJTREE   := $(objtree)
export KCONFIG_TARGETS   := $(objtree)/Kconfig.targets
export KCONFIG_DEFCONFIG ?= $(ARCH_DEFCONFIG)
export KCONFIG_OVERRIDES := $(strip $(kconfig-overrides))
export KCONFIG_BASE

kconfig := $(PYTHON) $(srctree)/tools/kconfig
unquote = $(patsubst "%",%,$(1))

ifdef need-config
# Remember the overrides of this invocation: a change re-runs kconfig sync.
$(shell mkdir -p $(objtree) && { [ -f $(objtree)/.overrides ] && \
	[ "$$(cat $(objtree)/.overrides)" = "$(KCONFIG_OVERRIDES)" ] || \
	echo "$(KCONFIG_OVERRIDES)" > $(objtree)/.overrides; })

$(KCONFIG_TARGETS): $(wildcard $(srctree)/arch/$(ARCH)/targets/*.target) \
		$(srctree)/tools/target.py
	$(Q)$(PYTHON) $(srctree)/tools/target.py kconfig $(srctree)/arch/$(ARCH) $@

-include $(objtree)/auto.conf.cmd
$(objtree)/auto.conf: $(objtree)/.overrides $(KCONFIG_TARGETS) $(kconfig-files) \
		$(wildcard $(KCONFIG_CONFIG) $(KCONFIG_BASE)) $(srctree)/tools/kconfig
	$(Q)$(kconfig) sync

# auto.conf is remade (then make restarts) whenever one of its inputs changed. On the
# very first pass it does not exist yet: skip everything that needs it until the restart.
include $(objtree)/auto.conf
ifeq ($(CONFIG_ARCH),)
  need-config :=
  need-toolchain :=
else ifneq ($(call unquote,$(CONFIG_ARCH)),$(ARCH))
  $(error $(O) is configured for $(call unquote,$(CONFIG_ARCH)), not $(ARCH): use \
	ARCH=$(call unquote,$(CONFIG_ARCH)) or another O=)
endif
endif # need-config

# ---------------------------------------------------------------------------------------
# Target definition: KEY = value lines that become make variables (QEMU, CPU_CFLAGS...).
ifdef need-config
target-name := $(call unquote,$(CONFIG_TARGET))
target-file := $(srctree)/arch/$(ARCH)/targets/$(target-name).target
ifeq ($(wildcard $(target-file)),)
  $(error $(KCONFIG_CONFIG) names target '$(target-name)', but $(target-file) does not exist)
endif
include $(target-file)
ifneq ($(INHERIT),)
  include $(dir $(target-file))$(INHERIT).target
  include $(target-file)
endif
endif

# ---------------------------------------------------------------------------------------
# Toolchain. GCC: CROSS_COMPILE from the command line, else CONFIG_CROSS_COMPILE, else
# the first of the target's GCC_PREFIXES that is installed. LLVM: clang --target.
ifdef need-toolchain
require-tool = $(if $(shell command -v $(1) 2>/dev/null),,$(error $(1) not found: \
	install the Debian package $(2) (tools/setup installs everything)))

host-arch := $(shell uname -m)
gcc-prefix-of = $(if $(filter NATIVE,$(1)),$(if $(filter $(ARCH),$(host-arch)),),$(1))
gcc-candidates := $(foreach p,$(GCC_PREFIXES),$(if $(filter NATIVE,$(p)),$(if \
	$(filter $(ARCH),$(host-arch)),native),$(p)))
detect-gcc = $(firstword $(foreach p,$(gcc-candidates),$(if $(shell command -v \
	$(patsubst native,,$(p))gcc 2>/dev/null),$(p))))

ifeq ($(origin CROSS_COMPILE),undefined)
  CROSS_COMPILE := $(call unquote,$(CONFIG_CROSS_COMPILE))
endif
ifeq ($(CROSS_COMPILE),)
  gcc-found := $(detect-gcc)
  gcc-prefix := $(patsubst native,,$(gcc-found))
else
  gcc-found := $(CROSS_COMPILE)
  gcc-prefix := $(CROSS_COMPILE)
endif
missing-gcc = $(error no $(ARCH) GCC found (tried: $(foreach p,$(gcc-candidates),$(patsubst \
	native,,$(p))gcc)): install the Debian package $(GCC_PACKAGE), or set CROSS_COMPILE=)

ifeq ($(CONFIG_TOOLCHAIN_LLVM),y)
  $(call require-tool,clang,clang)
  $(call require-tool,ld.lld,lld)
  $(call require-tool,llvm-objcopy,llvm)
  CC      := clang --target=$(LLVM_TRIPLE)
  LD      := ld.lld
  OBJCOPY := llvm-objcopy
  NM      := llvm-nm
  SIZE    := llvm-size
  toolchain-cflags := $(LLVM_CFLAGS)
  toolchain-ldflags :=
else
  ifeq ($(gcc-found),)
    $(missing-gcc)
  endif
  ifeq ($(shell command -v $(gcc-prefix)gcc 2>/dev/null),)
    $(error $(gcc-prefix)gcc not found (CROSS_COMPILE=$(CROSS_COMPILE)): install the \
	Debian package $(GCC_PACKAGE))
  endif
  CC      := $(gcc-prefix)gcc
  LD      := $(gcc-prefix)ld
  OBJCOPY := $(gcc-prefix)objcopy
  NM      := $(gcc-prefix)nm
  SIZE    := $(gcc-prefix)size
  toolchain-cflags := $(GCC_CFLAGS)
  toolchain-ldflags := $(GCC_LDFLAGS)
endif

# libgcc for compiler helpers; LLVM builds take it from the arch's GCC (Debian 12 has
# no bare-metal compiler-rt for these targets).
ifeq ($(LIBGCC),yes)
  ifeq ($(gcc-found),)
    $(error LLVM builds for $(ARCH) link libgcc from GCC: install the Debian package \
	$(GCC_PACKAGE))
  endif
  libgcc := $(shell $(gcc-prefix)gcc $(or $(LIBGCC_CFLAGS),$(CPU_CFLAGS)) -print-libgcc-file-name)
endif

# -nostdinc keeps host headers out; the compiler's own (stddef.h, stdarg.h, and GCC's
# limits.h in include-fixed) come back explicitly.
# (Empty on the first pass, before auto.conf names the compiler and make restarts.)
cc-include := $(if $(CC),$(foreach d,include include-fixed,$(filter /%,$(shell $(CC) \
	-print-file-name=$(d)))))

# CCACHE=1: compile through ccache (objects only; links and host tools are unchanged).
ifeq ($(CCACHE),1)
  $(call require-tool,ccache,ccache)
  CC := ccache $(CC)
endif

ifeq ($(CONFIG_LIBC_PICOLIBC),y)
  ifeq ($(wildcard $(PICOLIBC)/include/stdio.h),)
    $(error picolibc for $(ARCH) not found under $(PICOLIBC): install the Debian package \
	$(PICOLIBC_PACKAGE), or choose LIBC=minimal)
  endif
  libc-include := $(PICOLIBC)/include
  libc-archive := $(PICOLIBC)/$(PICOLIBC_LIBDIR)/libc.a
  # The integer-only printf (long long included): the kernel formats no floating point,
  # and the default one brings 5-7 KiB of float conversion with it.
  libc-ldflags := --defsym=vfprintf=__i_vfprintf
else
  libc-include := $(srctree)/kernel/libc/include
  libc-archive :=
endif
endif # need-toolchain

# ---------------------------------------------------------------------------------------
# Flags: one place for all of them.
generated := $(objtree)/include/generated
opt-flag-$(CONFIG_CC_OPTIMIZE_PERFORMANCE) := -O2
opt-flag-$(CONFIG_CC_OPTIMIZE_SIZE) := -Os
opt-flag-$(CONFIG_CC_OPTIMIZE_DEBUG) := -Og

common-cppflags := -nostdinc $(addprefix -isystem ,$(cc-include)) \
	-I$(srctree)/kernel/include -I$(objtree)/include \
	-include $(generated)/autoconf.h -include $(generated)/target.h
common-cflags := -std=gnu11 -ffreestanding -fno-common -fno-stack-protector \
	-fno-pie -fno-pic -fno-omit-frame-pointer -ffunction-sections -fdata-sections \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	$(opt-flag-y) $(if $(CONFIG_DEBUG_INFO),-g) \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
# No .eh_frame (the linker scripts discard it): with -g the compilers then write the
# call frame information to .debug_frame instead, which GDB unwinds with and which is
# not loaded. Without it GDB guesses frames from prologues, wrongly on aarch64/x86_64.
# Assembly gets line information too, except with clang 14, whose integrated assembler
# writes the build directory into it whatever -f*-prefix-map says (a reproducibility
# bug): LLVM builds keep the assembly's symbols but no DWARF for it.
common-aflags := -D__ASSEMBLY__ -fno-pie -fno-pic \
	$(if $(CONFIG_DEBUG_INFO),$(if $(CONFIG_TOOLCHAIN_LLVM),,-g))

# Reproducible images: no build directory or source path in them (debug info, __FILE__),
# whatever directory they are built in. Paths stay relative to the source tree.
prefix-map-flags := -ffile-prefix-map=$(srctree)=. -ffile-prefix-map=$(objtree)=.
common-cflags += $(prefix-map-flags)
common-aflags += $(prefix-map-flags)

KBUILD_CPPFLAGS := -isystem $(libc-include) $(common-cppflags)
KBUILD_CFLAGS := $(common-cflags) $(CPU_CFLAGS) $(toolchain-cflags)
KBUILD_AFLAGS := $(common-aflags) $(CPU_CFLAGS) $(toolchain-cflags)

KBUILD_LDFLAGS := -nostdlib -static --gc-sections --build-id=none -z max-page-size=4096 \
	$(toolchain-ldflags) $(libc-ldflags)

# ---------------------------------------------------------------------------------------
# Objects: Kbuild lists, `obj-y += file.o` and `obj-y += subdir/`, read recursively.
# A Kbuild file may add per-object flags as CFLAGS_<path>.o / AFLAGS_<path>.o (path
# from the top of the tree) and rules for generated inputs.
define descend
obj-y :=
include $(srctree)/$(1)/Kbuild
kernel-objs += $$(addprefix $(objtree)/$(1)/,$$(filter %.o,$$(obj-y)))
$$(foreach d,$$(patsubst %/,%,$$(filter %/,$$(obj-y))),$$(eval $$(call descend,$(1)/$$(d))))
endef

core-dirs := kernel drivers arch/$(ARCH)
core-dirs += $(if $(CONFIG_KTEST),tests/kernel)
kernel-objs :=
ifdef need-toolchain
$(foreach d,$(core-dirs),$(eval $(call descend,$(d))))
endif

# ---------------------------------------------------------------------------------------
# Build rules.
PHONY := all
images-y := $(objtree)/kernel.elf $(objtree)/kernel.bin
images-$(if $(FIT_ARCH),y) += $(objtree)/kernel.itb
images-y += $(objtree)/kernel-lz4.elf $(objtree)/kernel-lz4.bin
all: $(images-y)

# Generated headers must exist before the first compile; after that the .d files (via
# tools/fixdep) say exactly which object needs which header or config symbol.
compile-deps := | $(generated)/autoconf.h $(generated)/target.h $(generated)/version.h

# Only the arch's own files see its internal headers.
$(objtree)/arch/%.o: KBUILD_CPPFLAGS += -I$(srctree)/arch/$(ARCH)/include

# A changed compiler or flag (LLVM=1 in the same O=, a CPU_CFLAGS edit) rebuilds every
# object, and a changed object list (a file dropped from a Kbuild) relinks: each is
# written to a stamp whose date moves only when its text changes.
escsq = $(subst ','\'',$(1))
define write-if-changed
	$(Q)mkdir -p $(dir $(1)) && printf '%s\n' '$(call escsq,$(2))' > $(1).tmp && \
	if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv -f $(1).tmp $(1); fi
endef
$(objtree)/.flags.stamp: FORCE
	$(call write-if-changed,$@,$(CC) $(KBUILD_CPPFLAGS) $(KBUILD_CFLAGS) $(KBUILD_AFLAGS))
$(objtree)/.objects.stamp: FORCE
	$(call write-if-changed,$@,$(sort $(kernel-objs) $(kernel-objs-y)))

$(objtree)/%.o: $(srctree)/%.c $(objtree)/.flags.stamp $(compile-deps)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KBUILD_CPPFLAGS) $(KBUILD_CFLAGS) $(CFLAGS_$(@:$(objtree)/%=%)) \
		-MMD -MP -c -o $@ $<
	$(Q)$(srctree)/tools/fixdep $(@:.o=.d) $(objtree)

$(objtree)/%.o: $(srctree)/%.S $(objtree)/.flags.stamp $(compile-deps)
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KBUILD_CPPFLAGS) $(KBUILD_AFLAGS) $(AFLAGS_$(@:$(objtree)/%=%)) \
		-MMD -MP -c -o $@ $<
	$(Q)$(srctree)/tools/fixdep $(@:.o=.d) $(objtree)

$(generated)/autoconf.h: $(objtree)/auto.conf ;

# target.h is rewritten only when its text changes (a host-only key such as QEMU_MEM must
# not rebuild the kernel); the stamp records that the target files were looked at.
$(generated)/target.h: $(objtree)/target.stamp ;
# .target-file.stamp names the target file: another TARGET= regenerates the header even
# when the new target file is older than the last one read.
$(objtree)/.target-file.stamp: FORCE
	$(call write-if-changed,$@,$(target-file))
$(objtree)/target.stamp: $(target-file) $(srctree)/tools/target.py \
		$(objtree)/.target-file.stamp \
		$(if $(INHERIT),$(dir $(target-file))$(INHERIT).target)
	$(call msg,GEN,$(generated)/target.h)
	$(Q)$(PYTHON) $(srctree)/tools/target.py header $< $(generated)/target.h
	$(Q)touch $@

# The version changes with every commit; the file is rewritten only when it differs.
version-text := $(KERNELVERSION)$(shell cd $(srctree) && \
	git describe --always --dirty --abbrev=12 2>/dev/null | sed 's/^/+g/')
cc-version-text := $(if $(CC),$(shell $(CC) --version 2>/dev/null | head -n1 | \
	sed -e 's/ (.*)//' -e 's/Debian //'))
PHONY += FORCE
FORCE:
$(generated)/version.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)printf '#define KERNEL_VERSION "%s"\n#define KERNEL_TOOLCHAIN "%s"\n' \
		'$(version-text)' '$(cc-version-text)' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(objtree)/linker.lds: $(srctree)/linker/$(ARCH).lds.S $(srctree)/linker/sections.lds.h \
		$(generated)/autoconf.h $(generated)/target.h
	$(call msg,LDS,$@)
	$(Q)$(CC) -E -P -undef -x assembler-with-cpp -D__ASSEMBLY__ -DLINKER_SCRIPT \
		-I$(srctree)/linker -include $(generated)/autoconf.h \
		-include $(generated)/target.h -o $@ $<

# Two links, like Linux's kallsyms: the first with an empty symbol table, the second with
# the table made from the first (tools/kallsyms.py). The table lists functions only and
# text comes first in the image, so no function moves; the final image's table is made
# again and must be identical.
link-kernel = $(LD) $(KBUILD_LDFLAGS) -T $(objtree)/linker.lds -o $@ $(kernel-objs) \
	$(kernel-objs-y) $(1) \
	--start-group $(libc-archive) $(libgcc) --end-group

$(objtree)/kallsyms0.S:
	$(Q)$(PYTHON) $(srctree)/tools/kallsyms.py --empty $@

# The configuration, embedded (CONFIG_IKCONFIG) as the NUL-terminated kernel_config.
kernel-objs-$(CONFIG_IKCONFIG) += $(objtree)/kconfig_data.o
$(objtree)/kconfig_data.S: $(KCONFIG_CONFIG)
	$(call msg,GEN,$@)
	$(Q)printf '%s\n' '/* Generated: the .config this image was built from. */' \
		'	.section .rodata.kernel_config, "a"' '	.globl kernel_config' \
		'kernel_config:' '	.incbin "$(KCONFIG_CONFIG)"' '	.byte 0' > $@
$(objtree)/kconfig_data.o: $(KCONFIG_CONFIG)

$(objtree)/kernel.pass1.elf: $(kernel-objs) $(kernel-objs-y) $(objtree)/kallsyms0.o \
		$(objtree)/linker.lds $(objtree)/.objects.stamp \
		$(libc-archive) $(libgcc)
	$(call msg,LD,$@)
	$(Q)$(call link-kernel,$(objtree)/kallsyms0.o)

$(objtree)/kallsyms.S: $(objtree)/kernel.pass1.elf $(srctree)/tools/kallsyms.py
	$(call msg,KSYMS,$@)
	$(Q)$(PYTHON) $(srctree)/tools/kallsyms.py '$(NM)' $< $@

$(objtree)/kernel.elf: $(objtree)/kernel.pass1.elf $(objtree)/kallsyms.o
	$(call msg,LD,$@)
	$(Q)$(call link-kernel,$(objtree)/kallsyms.o) -Map $(objtree)/kernel.map
	$(Q)$(PYTHON) $(srctree)/tools/kallsyms.py '$(NM)' $@ $(objtree)/kallsyms.check.S
	$(Q)cmp -s $(objtree)/kallsyms.S $(objtree)/kallsyms.check.S || { echo \
		"kallsyms: functions moved between the two links" >&2; rm -f $@; exit 1; }

$(objtree)/kallsyms0.o $(objtree)/kallsyms.o $(objtree)/kconfig_data.o: $(objtree)/%.o: \
		$(objtree)/%.S
	$(call msg,AS,$@)
	$(Q)$(CC) $(KBUILD_AFLAGS) -c -o $@ $<

# Raw images, their lz4 frames and FITs: pattern rules, shared by the kernel and the
# benchmark's floor payload (<O>/bench/kernel.*).
$(objtree)/%.bin: $(objtree)/%.elf
	$(call msg,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@

-include $(kernel-objs:.o=.d)

# ---------------------------------------------------------------------------------------
# Boot-chain images. A recipe that needs a host tool checks for it and names the package.
need-cmd = command -v $(1) >/dev/null || { echo "$(1) not found: install the Debian \
	package $(2) (tools/setup installs everything)" >&2; exit 1; }

$(objtree)/%.bin.lz4: $(objtree)/%.bin
	$(call msg,LZ4,$@)
	$(Q)$(call need-cmd,lz4,lz4)
	$(Q)lz4 -9 -q -f $< $@
	$(Q)touch $@ # lz4 copies the input's date to whole seconds: older than its input

# FIT for U-Boot's bootm: the lz4-compressed raw image, decompressed by U-Boot.
$(objtree)/%.its: $(srctree)/boot/kernel.its.in $(target-file)
	$(call msg,GEN,$@)
	$(Q)sed -e 's|@ARCH@|$(FIT_ARCH)|' -e 's|@LOAD@|$(KERNEL_BASE)|' \
		-e 's|@DATA@|$(objtree)/$*.bin.lz4|' $< > $@

$(objtree)/%.itb: $(objtree)/%.its $(objtree)/%.bin.lz4
	$(call msg,MKIMAGE,$@)
	$(Q)$(call need-cmd,mkimage,u-boot-tools)
	$(Q)mkimage -q -f $< $@

# The boot-time floor: a payload that powers off at once through the target's exit
# device, built as <O>/bench/kernel.* so that every boot chain boots it exactly as it
# boots the kernel (tools/bench-boot compares the two).
$(objtree)/bench/kernel.elf: $(srctree)/tests/bench/floor-$(ARCH).S $(generated)/target.h
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KBUILD_CPPFLAGS) $(KBUILD_AFLAGS) -c -o $(@:.elf=.o) $<
	$(Q)$(LD) -N -nostdlib -static --build-id=none $(toolchain-ldflags) \
		-Ttext=$(KERNEL_BASE) -e _start -o $@ $(@:.elf=.o)
floor-images := $(patsubst $(objtree)/%,$(objtree)/bench/%,$(filter-out %-lz4.elf \
	%-lz4.bin,$(images-y)))

# ---------------------------------------------------------------------------------------
# The self-decompressing image (boot/stub): a small stub linked 16 MiB above the kernel,
# carrying kernel.bin.lz4, that decompresses it to the link address and enters it.
# It is built with the in-tree libc's string functions and the target's early UART
# driver, and with STUB_CFLAGS where its CPU mode differs (x86_64: 32-bit).
stub-base = $(shell printf '0x%x' $$(($(KERNEL_BASE) + 0x1000000)))
stub-srcs := boot/stub/stub.c boot/stub/payload.S boot/stub/$(ARCH).S boot/lz4/lz4_decode.c \
	kernel/libc/string.c drivers/serial/ns16550.c drivers/serial/pl011.c
stub-objs := $(patsubst %,$(objtree)/stub/%.o,$(basename $(stub-srcs)))
stub-cpu-flags := $(or $(STUB_CFLAGS),$(CPU_CFLAGS)) $(toolchain-cflags)
# GCC keeps __ARM_FEATURE_UNALIGNED under -mstrict-align: tell the decoder (boot/lz4).
stub-cpu-flags += $(if $(filter -mstrict-align,$(stub-cpu-flags)),-DLZ4_STRICT_ALIGN)
stub-cppflags = -isystem $(srctree)/kernel/libc/include $(common-cppflags) \
	-I$(srctree)/boot/lz4 -I$(srctree)/boot/stub -DSTUB_BASE=$(stub-base) \
	-DSTUB_PAYLOAD='"$(objtree)/kernel.bin.lz4"'

$(objtree)/stub/%.o: $(srctree)/%.c $(compile-deps)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(stub-cppflags) $(common-cflags) $(stub-cpu-flags) \
		$(CFLAGS_$(@:$(objtree)/stub/%=%)) -MMD -MP -c -o $@ $<
	$(Q)$(srctree)/tools/fixdep $(@:.o=.d) $(objtree)

$(objtree)/stub/%.o: $(srctree)/%.S $(compile-deps)
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(stub-cppflags) $(common-aflags) $(stub-cpu-flags) -MMD -MP -c -o $@ $<
	$(Q)$(srctree)/tools/fixdep $(@:.o=.d) $(objtree)

$(objtree)/stub/boot/stub/payload.o: $(objtree)/kernel.bin.lz4

$(objtree)/stub/stub.lds: $(srctree)/boot/stub/stub.lds.S $(objtree)/kernel.elf
	$(call msg,LDS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -E -P -undef -x assembler-with-cpp -D__ASSEMBLY__ -DSTUB_BASE=$(stub-base) \
		-DKERNEL_END=$$($(NM) $(objtree)/kernel.elf | \
		awk '$$3 == "__image_end" { print "0x" $$1 }') \
		-DKERNEL_ENTRY=$$($(NM) $(objtree)/kernel.elf | \
		awk '$$3 == "$(or $(STUB_ENTRY_SYMBOL),_start)" { print "0x" $$1 }') -o $@ $<

$(objtree)/kernel-lz4.elf: $(stub-objs) $(objtree)/stub/stub.lds
	$(call msg,LD,$@)
	$(Q)$(LD) -nostdlib -static --build-id=none -z max-page-size=4096 $(toolchain-ldflags) \
		$(STUB_LDFLAGS) -T $(objtree)/stub/stub.lds -o $@ $(stub-objs)

-include $(stub-objs:.o=.d)

# ---------------------------------------------------------------------------------------
# Configuration targets.
PHONY += menuconfig defconfig olddefconfig savedefconfig print-config
menuconfig: $(KCONFIG_TARGETS)
	$(Q)$(kconfig) menuconfig

defconfig: $(KCONFIG_TARGETS)
	$(Q)$(kconfig) defconfig

%_defconfig: $(KCONFIG_TARGETS)
	$(Q)KCONFIG_DEFCONFIG=$(srctree)/arch/$(ARCH)/configs/$@ $(kconfig) defconfig

olddefconfig: $(KCONFIG_TARGETS)
	$(Q)$(kconfig) olddefconfig

savedefconfig: $(objtree)/auto.conf
	$(Q)$(kconfig) savedefconfig

print-config:
	@echo "ARCH=$(ARCH) TARGET=$(target-name) O=$(O)"
	@echo "TOOLCHAIN=$(if $(CONFIG_TOOLCHAIN_LLVM),llvm,gcc) LIBC=$(call unquote,$(CONFIG_LIBC_NAME))"

PHONY += print-toolchain
print-toolchain:
	@echo "CC=$(CC)"
	@echo "LD=$(LD)"
	@echo "OBJCOPY=$(OBJCOPY)"
	@echo "LIBGCC=$(libgcc)"
	@echo "LIBC=$(or $(libc-archive),minimal)"

# ---------------------------------------------------------------------------------------
# Running: QEMU, GDB and the test runner all read the same target file.
QEMU_TOOL := $(PYTHON) $(srctree)/tools/qemu.py
machine-opts = --target-file $(target-file) --objtree $(objtree) \
	$(if $(QEMU_MEM),--mem $(QEMU_MEM)) --smp $(or $(SMP),$(CONFIG_NR_CPUS),1) \
	$(if $(QEMU_EXTRA),--extra '$(QEMU_EXTRA)')
qemu-opts = $(machine-opts) --boot $(call unquote,$(CONFIG_BOOT_CHAIN)) \
	$(if $(QEMU_TRACE),--trace '$(QEMU_TRACE)') \
	$(if $(CONFIG_KERNEL_LZ4),--lz4) \
	$(if $(APPEND),--append '$(APPEND)')

PHONY += size
size: $(images-y) $(objtree)/kernel.bin.lz4
	@printf '%-10s %-16s %8s %8s %8s | %8s %8s %6s' $(ARCH) $(target-name) text data \
		bss raw lz4 ratio
	@printf '%s\n' "$(if $(filter %.itb,$(images-y)), $$(printf '%8s' FIT))"
	@$(SIZE) $(objtree)/kernel.elf | awk 'NR == 2 { printf "%-10s %-16s %8d %8d %8d", \
		"", "", $$1, $$2, $$3 }'
	@raw=$$(stat -c %s $(objtree)/kernel.bin); lz=$$(stat -c %s $(objtree)/kernel.bin.lz4); \
		printf ' | %8d %8d %5d%%' $$raw $$lz $$((lz * 100 / raw)); \
		$(if $(filter %.itb,$(images-y)),printf ' %8d' $$(stat -c %s $(objtree)/kernel.itb);) \
		echo

PHONY += compile_commands.json
compile_commands.json: all
	$(Q)$(PYTHON) $(srctree)/tools/compile-commands $(objtree) \
		$(srctree)/compile_commands.json ARCH=$(ARCH) O=$(objtree) \
		$(if $(filter command line environment,$(origin LLVM)),LLVM=$(LLVM))

PHONY += check
ifeq ($(ARCH_GIVEN),)
check:
	$(Q)for a in $(ARCHES); do $(MAKE) -f $(srctree)/Makefile ARCH=$$a check || exit; done
	@echo "check: 1 passed, 0 failed"
else
check:
	$(Q)$(MAKE) -f $(srctree)/Makefile ARCH=$(ARCH) LLVM=1 O=$(objtree)-check \
		compile_commands.json
	$(Q)$(srctree)/tools/check $(ARCH)
endif

PHONY += dist
dist:
	$(Q)$(PYTHON) $(srctree)/tools/dist

PHONY += doctor
doctor:
	$(Q)$(PYTHON) $(srctree)/tools/doctor

PHONY += reproducible-check
reproducible-check:
	$(Q)$(PYTHON) $(srctree)/tools/reproducible-check

PHONY += bench-lz4
bench-lz4:
	$(Q)$(PYTHON) $(srctree)/tools/bench-lz4

PHONY += bench bench-boot bench-irq bench-alloc bench-sched
BENCH_RUNS ?= 7
ifeq ($(ARCH_GIVEN),)
bench bench-boot bench-irq bench-alloc bench-sched:
	$(Q)for a in $(ARCHES); do $(MAKE) -f $(srctree)/Makefile ARCH=$$a $@ || exit; done
else
bench: bench-boot bench-irq bench-alloc bench-sched
bench-boot: all $(floor-images)
	$(Q)$(PYTHON) $(srctree)/tools/bench-boot --runs $(BENCH_RUNS) $(machine-opts)
bench-irq: all
	$(Q)$(PYTHON) $(srctree)/tools/bench-irq $(machine-opts)
bench-alloc: all
	$(Q)$(PYTHON) $(srctree)/tools/bench-alloc $(machine-opts)
bench-sched: all
	$(Q)$(PYTHON) $(srctree)/tools/bench-sched $(machine-opts)
endif

PHONY += qemu debug gdb
qemu: all
	$(Q)$(QEMU_TOOL) run $(qemu-opts)

debug: all
	$(Q)$(QEMU_TOOL) debug $(if $(GDBPORT),--gdbport $(GDBPORT)) $(qemu-opts)

gdb:
	$(Q)$(QEMU_TOOL) gdb $(if $(GDBPORT),--gdbport $(GDBPORT)) $(qemu-opts)

# The same for the test image (<O>/test).
PHONY += debug-test gdb-test
debug-test: test-image
	$(Q)$(QEMU_TOOL) debug $(if $(GDBPORT),--gdbport $(GDBPORT)) $(qemu-opts) \
		--objtree $(objtree)/test

gdb-test:
	$(Q)$(QEMU_TOOL) gdb $(if $(GDBPORT),--gdbport $(GDBPORT)) $(qemu-opts) \
		--objtree $(objtree)/test

# `make ARCH=<a> test`: build the test image in <O>/test (the current configuration plus
# CONFIG_KTEST) and run it. `make test` without ARCH runs the whole matrix.
TIMEOUT ?= 60
PHONY += test test-image test-all test-host test-build
ifeq ($(ARCH_GIVEN),)
test: test-all
else
test: test-image
	$(Q)$(PYTHON) $(srctree)/tools/ktest --timeout $(TIMEOUT) --label $(ARCH)$(if \
		$(CONFIG_TOOLCHAIN_LLVM),-llvm) $(qemu-opts) --objtree $(objtree)/test \
		$(if $(KTAP_ONLY),--only-ktap)
endif

test-image: $(objtree)/auto.conf
	$(Q)$(MAKE) -f $(srctree)/Makefile ARCH=$(ARCH) O=$(objtree)/test KTEST=1 \
		KCONFIG_BASE=$(objtree)/.config KCONFIG_DEFCONFIG=$(KCONFIG_DEFCONFIG) all

test-all:
	$(Q)$(PYTHON) $(srctree)/tools/ktest-matrix

test-host:
	$(Q)$(PYTHON) $(srctree)/tools/run-unittests host $(srctree)/tests/host

test-build:
	$(Q)$(PYTHON) $(srctree)/tools/run-unittests build $(srctree)/tests/build

# ---------------------------------------------------------------------------------------
PHONY += clean distclean list-targets help
clean:
	$(Q)rm -rf $(objtree)/*.o $(objtree)/kernel.* $(objtree)/linker.lds \
		$(foreach d,kernel drivers arch tests,$(objtree)/$(d)) $(objtree)/test

distclean:
	$(Q)rm -rf $(srctree)/build $(srctree)/dist

list-targets:
	@$(PYTHON) $(srctree)/tools/target.py list

help:
	@echo 'refkernel $(KERNELVERSION): a small multi-architecture reference kernel'
	@echo
	@echo 'Build and run:'
	@echo '  all (default)     build <O>/kernel.elf and <O>/kernel.bin'
	@echo '  qemu              build and boot under QEMU, serial console here (Ctrl-A X quits)'
	@echo '  debug             boot under QEMU halted, gdbstub on GDBPORT'
	@echo '                    (qemu, debug, test take BOOT=direct|uboot|uboot-disk)'
	@echo '  gdb               attach gdb-multiarch to a `make debug` session'
	@echo '  debug-test, gdb-test  the same for the test image'
	@echo '                    (QEMU_TRACE=int,guest_errors,... logs QEMU -d to <O>/qemu-trace.log)'
	@echo
	@echo 'Test:'
	@echo '  test              with ARCH=: build and boot the test image, report per test'
	@echo '                    without ARCH: every arch x {gcc, llvm}, host and build tests'
	@echo '  test-host         unit tests of the host tools (KTAP parser, target files...)'
	@echo '  test-build        build-system tests (incremental builds, errors, O=)'
	@echo '  reproducible-check  every arch x {gcc, llvm} built twice, images compared'
	@echo
	@echo 'Measure:'
	@echo '  size              text/data/bss, raw image vs. lz4 (and FIT) sizes'
	@echo '  bench-lz4         the lz4 decoder'"'"'s MB/s against liblz4'"'"'s (host)'
	@echo '  bench-irq         timer-event and interrupt-entry latency (shell `latency`)'
	@echo '  bench-alloc       pmm/kmalloc cost: host build vs. glibc, then in QEMU (`bench`)'
	@echo '  bench-sched       context switch and IPI round trip in QEMU (shell `bench`)'
	@echo '  bench, bench-boot QEMU start to banner/poweroff vs. a floor payload, per boot'
	@echo '                    chain (BENCH_RUNS=7)'
	@echo
	@echo 'Configure (kconfiglib, stored in <O>/.config):'
	@echo '  menuconfig        choose target, toolchain, libc, debug options'
	@echo '  defconfig         reset <O>/.config to the arch default target'"'"'s defconfig'
	@echo '  <target>_defconfig  reset <O>/.config to arch/<arch>/configs/<target>_defconfig'
	@echo '  olddefconfig      update <O>/.config with defaults for new options'
	@echo '  savedefconfig     write the minimal config to <O>/defconfig'
	@echo '  print-config      show arch, target, toolchain, libc of <O>'
	@echo '  print-toolchain   show the resolved compiler, linker and libraries'
	@echo
	@echo 'Housekeeping:'
	@echo '  clean             remove objects and images of <O> (keeps .config)'
	@echo '  distclean         remove build/ and dist/ entirely'
	@echo '  dist              build every target, collect images, SHA256SUMS and sizes in dist/'
	@echo '  compile_commands.json  the compilation database of ARCH/O, for clangd and clang-tidy'
	@echo '  check             cppcheck, clang-tidy (ARCH, LLVM build) and clang-format conformance'
	@echo '  list-targets      list every target with its tier'
	@echo '  doctor            installed packages and tools against tools/toolchains.txt'
	@echo
	@echo 'Variables (command line and environment override .config, which overrides'
	@echo 'the defconfig):'
	@echo '  ARCH=             $(ARCHES) (default riscv64)'
	@echo '  TARGET=           board within ARCH (default: the arch'"'"'s tier-1 target)'
	@echo '  LLVM=1            clang + ld.lld + llvm-objcopy instead of GCC'
	@echo '  CROSS_COMPILE=    GCC prefix (default: auto-detected from the target file)'
	@echo '  LIBC=             picolibc | minimal'
	@echo '  BOOT=             direct | uboot | uboot-disk (boot chain)'
	@echo '  LZ4=1             direct chain: boot the self-decompressing lz4 image'
	@echo '  O=                build directory (default build/<arch>-<gcc|llvm>)'
	@echo '  V=1               print full command lines'
	@echo '  CCACHE=1          compile through ccache'
	@echo '  SMP=              QEMU CPUs (default CONFIG_NR_CPUS, 4)'
	@echo '  QEMU_MEM= QEMU_EXTRA= APPEND=   QEMU memory, raw options, kernel command line'
	@echo '  KTAP_ONLY=1       make test: the in-kernel suites only, no system tests'
	@echo '                    (with APPEND="ktest.suite=smp ktest.repeat=20": a stress loop)'
	@echo '  GDBPORT=          gdbstub port (default: one per arch, see tools/qemu.py)'
	@echo '  TIMEOUT=          seconds before a test boot counts as hung (default 60)'
	@echo
	@echo 'Targets and support tiers (1: boots and passes the tests in CI; 2: builds in CI):'
	@$(PYTHON) $(srctree)/tools/target.py list | sed 's/^/  /'

.PHONY: $(PHONY)
