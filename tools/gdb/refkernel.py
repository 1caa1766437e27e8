"""Kernel-aware GDB commands for refkernel, loaded by tools/gdb/kernel.gdb (`make gdb`).

  kdmesg            the printk ring buffer (kernel/logbuf.c), every record still held,
                    oldest first, one "<level>text" line per line of text; works on a
                    kernel stopped anywhere, including after a panic
  kconfig [TEXT]    the .config built into the image (CONFIG_IKCONFIG: the NUL-terminated
                    `kernel_config`), or only its lines that contain TEXT
  kcpus             one line per CPU the kernel knows (boot_info.cpu_ids): hardware id,
                    boot CPU mark, the matching QEMU vCPU's pc and sp, interrupt nesting
                    and interrupts taken
  kirqs             the interrupt controller and every requested line with its name,
                    handler and count (kernel/irq.c), like the shell's `irqs`
  kbootinfo         the struct boot_info the arch handed to kmain()

kconfig, kbootinfo and kirqs also work on kernel.elf alone, without QEMU (they then show
the image's initial data): `gdb-multiarch -x tools/gdb/kernel.gdb -ex kconfig kernel.elf`.

Everything is read through the kernel's symbols and DWARF types: field access by name,
sizes and alignment from gdb.Type (sizeof, alignof), arrays bounded by their DWARF range.
No offset or size of a kernel structure is written down here, so a changed structure
changes what these commands read, not what they believe. Statics are looked up in the
file that defines a known global function (`nesting` in the file of irq_dispatch()), so
a static of the same name elsewhere (arch/*/irq.c has its own `chip`) is never taken.

Future work, deliberately not registered until the kernel has what they need:
  kthreads, kbt     the thread list and each thread's backtrace from its saved context:
                    need the scheduler's thread structure and the arch's saved-register
                    layout (threads/SMP issue)
  kpte ADDR         walk the page tables for a virtual address: needs the kernel's
                    page-table root and per-arch PTE formats (paging issue)
Per-CPU state: kcpus reads interrupt nesting and totals from kernel/irq.c's irq_cpus[],
indexed by the kernel's CPU index, which kernel/smp.c's cpus[] maps to hardware ids.

The pure-Python parts (parse_log, format_records) import without gdb, for
tests/host/test_gdb_helpers.py.
"""

import os

try:
    import gdb
except ImportError:         # a host-side unit test
    gdb = None
if gdb is not None and not hasattr(gdb, "Command"):
    gdb = None              # on the host, tools/gdb itself imports as a package "gdb"


# --- The log ring, in pure Python (kernel/logbuf.c) -----------------------------------

def ring_bytes(ring, pos, n):
    """n bytes at position pos of a power-of-two ring buffer whose positions grow
    without bound and are reduced modulo its size (logbuf.c's ring_read())."""
    size = len(ring)
    off = pos & (size - 1)
    first = min(n, size - off)
    return bytes(ring[off:off + first]) + bytes(ring[:n - first])


def align_up(x, a):
    return (x + a - 1) // a * a


def parse_log(ring, head, tail, first_seq, next_seq, header_size, align, decode_header):
    """The records of a struct logbuf as [(seq, level, text bytes)], oldest first, and the
    problems found; a damaged buffer is read up to its first bad record.

    ring: the buffer's bytes (len(ring) is lb->size); head, tail, first_seq, next_seq:
    the struct logbuf fields; header_size, align: sizeof and alignment of struct
    record_header (the text after it is padded to align); decode_header(bytes) gives a
    header's (len, level, seq)."""
    size = len(ring)
    if size < header_size or size & (size - 1):
        return [], [f"ring size {size} is not a power of two of at least {header_size}"]
    if head < tail or head - tail > size:
        return [], [f"head {head} and tail {tail} do not describe a ring of {size} bytes"]
    records, problems = [], []
    pos, seq_expected = tail, first_seq
    while pos < head:
        if head - pos < header_size:
            problems.append(f"{head - pos} stray bytes at position {pos}")
            break
        length, level, seq = decode_header(ring_bytes(ring, pos, header_size))
        # logbuf_append() truncates text to a quarter of the ring.
        if length > size // 4 or pos + header_size + align_up(length, align) > head:
            problems.append(f"record at position {pos} claims {length} bytes of text")
            break
        if seq != seq_expected:
            problems.append(f"record at position {pos} has sequence number {seq}, "
                            f"expected {seq_expected}")
            break
        records.append((seq, level, ring_bytes(ring, pos + header_size, length)))
        pos += header_size + align_up(length, align)
        seq_expected += 1
    if not problems and seq_expected != next_seq:
        problems.append(f"{seq_expected - first_seq} records held, but first_seq "
                        f"{first_seq} and next_seq {next_seq} say {next_seq - first_seq}")
    return records, problems


def format_records(records):
    """kdmesg's lines: each line of each record's text as "<level>text" (a record's final
    newline ends its last line; a record without one still ends a line)."""
    lines = []
    for _seq, level, text in records:
        text = text.decode("utf-8", "replace")
        if text.endswith("\n"):
            text = text[:-1]
        lines += [f"<{level}>{part}" for part in text.split("\n")]
    return lines


def human_size(n):
    """1 GiB, 512 KiB, 127.6 MiB, 300 bytes."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n >> shift} {unit}" if n % (1 << shift) == 0 else \
                f"{n / (1 << shift):.1f} {unit}"
    return f"{n} bytes"


# --- Reading the kernel through gdb ----------------------------------------------------

# Registers from which gdb reads a vCPU's hardware id as the kernel sees it (QEMU's
# gdbstub exposes riscv64's CSRs, but neither MPIDR_EL1 nor the x86 APIC id).
HWID_REGISTERS = {"riscv:rv64": "mhartid"}

MAX_CONFIG_BYTES = 1 << 20      # a sanity bound on the embedded .config
MAX_STRING_BYTES = 4096


def _no_symbol(name):
    return gdb.GdbError(f"no symbol {name!r} with debug info: is the file refkernel's "
                        "kernel.elf, built with CONFIG_DEBUG_INFO?")


def global_value(name):
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        raise _no_symbol(name)
    return sym.value()


def file_block(anchor):
    """The static block of the source file that defines the global function anchor."""
    sym = gdb.lookup_global_symbol(anchor)
    if sym is None or sym.symtab is None:
        raise _no_symbol(anchor)
    return sym.symtab.static_block()


def file_static(name, anchor):
    """The static variable name of the file that defines the global function anchor."""
    sym = gdb.lookup_symbol(name, file_block(anchor))[0]
    if sym is None:
        raise gdb.GdbError(f"no static {name!r} next to {anchor}() in the debug info")
    return sym.value()


def file_type(name, anchor):
    """A type local to the file that defines the global function anchor."""
    try:
        return gdb.lookup_type(name, file_block(anchor))
    except gdb.error:
        raise gdb.GdbError(f"no type {name!r} in the debug info of {anchor}()'s file")


def read_bytes(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def read_until_nul(addr, limit, chunk=64):
    """The bytes at addr up to a NUL, or None when there is none in limit bytes. Reads go
    in aligned chunks (a power of two up to the page size), so none reaches past the
    page where the NUL is."""
    out = b""
    while len(out) < limit:
        pos = addr + len(out)
        data = read_bytes(pos, chunk - pos % chunk)
        nul = data.find(b"\0")
        if nul >= 0:
            return out + data[:nul]
        out += data
    return None


def read_cstring(addr, limit=MAX_STRING_BYTES):
    """The NUL-terminated string at addr (None for NULL); cut at limit bytes."""
    if addr == 0:
        return None
    raw = read_until_nul(addr, limit)
    if raw is None:
        return read_bytes(addr, limit).decode("utf-8", "replace") + "..."
    return raw.decode("utf-8", "replace")


def string_of(value):
    """A char pointer's or char array's text (None for a NULL pointer)."""
    if value.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY:
        raw = read_bytes(int(value.address), value.type.sizeof)
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    return read_cstring(int(value))


def array_items(value, count=None):
    """The first count elements of a fixed-size array (all of them without count), never
    past its DWARF bound."""
    lo, hi = value.type.strip_typedefs().range()
    n = hi - lo + 1 if count is None else max(0, min(int(count), hi - lo + 1))
    return [value[lo + i] for i in range(n)]


def symbolize(addr):
    """"0x... <function+offset>" when gdb knows a symbol there (also from the ELF symbol
    table alone, e.g. assembly), else the bare address."""
    where = gdb.execute(f"info symbol {addr:#x}", to_string=True).strip()
    if where.startswith("No symbol"):
        return f"{addr:#x}"
    return f"{addr:#x} <{where.split(' in section ')[0].replace(' + ', '+')}>"


def read_log():
    """kdmesg's records and problems, from printk_log (kernel/printk.c)."""
    lb = global_value("printk_log")
    size = int(lb["size"])
    header = file_type("struct record_header", "logbuf_append")
    if size == 0 or size & (size - 1) or size > 1 << 30:
        raise gdb.GdbError(f"printk_log.size is {size}: not a log ring (memory corrupt?)")
    ring = read_bytes(int(lb["buf"]), size)

    def decode_header(raw):
        h = gdb.Value(raw, header)
        return int(h["len"]), int(h["level"]), int(h["seq"])

    return parse_log(ring, int(lb["head"]), int(lb["tail"]), int(lb["first_seq"]),
                     int(lb["next_seq"]), header.sizeof, header.alignof, decode_header)


def read_config():
    """The embedded .config (kernel_config, a NUL-terminated string)."""
    try:
        # &kernel_config works whether the symbol has a DWARF type or only an ELF one.
        addr = int(gdb.parse_and_eval("&kernel_config"))
    except gdb.error:
        raise gdb.GdbError("this image has no kernel_config: it is embedded with "
                           "CONFIG_IKCONFIG=y only")
    raw = read_until_nul(addr, MAX_CONFIG_BYTES, chunk=4096)
    if raw is None:
        raise gdb.GdbError(f"kernel_config at {addr:#x} has no NUL in "
                           f"{MAX_CONFIG_BYTES} bytes")
    return raw.decode("utf-8", "replace")


def find_boot_info():
    """The arch's struct boot_info (a static in arch/<arch>/boot.c) and the file it is
    in. x86_64 has one per boot path (boot.c, boot_uboot.c): the one that was filled in
    (mem_count > 0; a boot without RAM panics before kmain) is the one kmain got."""
    found = [s for s in gdb.lookup_static_symbols("boot_info")
             if s.type.strip_typedefs().tag == "boot_info"]
    glob = gdb.lookup_global_symbol("boot_info")
    if glob is not None and glob.type.strip_typedefs().tag == "boot_info":
        found.append(glob)
    if not found:
        raise _no_symbol("boot_info")
    filled = [s for s in found if int(s.value()["mem_count"]) > 0]
    sym = (filled or found)[0]
    return sym.value(), os.path.normpath(sym.symtab.filename), bool(filled)


def irq_state():
    """kernel/irq.c's statics (file of irq_dispatch())."""
    return {name: file_static(name, "irq_dispatch")
            for name in ("descs", "chip", "irq_cpus", "spurious")}


def cpu_index_of(hwid, boot):
    """The kernel's CPU index (kernel/smp.c cpus[], file of smp_init()) of the CPU with
    hardware id hwid: 0 for the boot CPU, the others once smp_init() started them.
    None for a CPU the kernel has not started."""
    if hwid == boot:
        return 0
    for i, c in enumerate(array_items(file_static("cpus", "smp_init"))):
        if i and bool(c["online"]) and int(c["hw_id"]) == hwid:
            return i
    return None


def per_cpu_field(irq, index, field):
    """One CPU's field of kernel/irq.c's irq_cpus[] (indexed by CPU index), or None."""
    items = array_items(irq["irq_cpus"])
    return None if index is None or index >= len(items) else int(items[index][field])


def vcpu_registers(cpu_ids):
    """{hardware id: (gdb thread number, pc, sp)} for the vCPUs gdb sees. Where gdb can
    read the hardware id (HWID_REGISTERS) it is matched exactly; otherwise QEMU's order
    is used: its gdbstub numbers vCPUs 1..N by cpu index, and the boards' device trees
    and MADT list CPUs in that same order, so cpu_ids[i] is thread i + 1."""
    inferior = gdb.selected_inferior()
    threads = sorted(inferior.threads(), key=lambda t: t.num)
    if not threads:
        return {}
    selected = gdb.selected_thread()
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        frame = None
    out = {}
    try:
        for i, thread in enumerate(threads):
            thread.switch()
            top = gdb.newest_frame()
            hwid = None
            reg = HWID_REGISTERS.get(top.architecture().name())
            if reg:
                try:
                    hwid = int(top.read_register(reg))
                except (ValueError, gdb.error):     # a QEMU without that register
                    pass
            if hwid is None and i < len(cpu_ids):
                hwid = cpu_ids[i]
            if hwid is not None:
                out[hwid] = (thread.num, int(top.pc()), int(top.read_register("sp")))
    finally:
        if selected is not None:
            selected.switch()
        if frame is not None:
            frame.select()
    return out


# --- The commands -----------------------------------------------------------------------

class KernelCommand(gdb.Command if gdb else object):
    """A no-argument command of this module; subclasses define NAME and run()."""

    NAME = None
    ARGS_ALLOWED = False

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if arg.strip() and not self.ARGS_ALLOWED:
            raise gdb.GdbError(f"{self.NAME} takes no arguments")
        for line in self.run(arg.strip()):
            gdb.write(line + "\n")


class KDmesg(KernelCommand):
    """Print the printk ring buffer: every record still held, oldest first, as
"<level>text" (one line per line of text). Reads printk_log from memory, so it works
wherever the kernel stopped: at a breakpoint, after a panic, in arch_poweroff()."""

    NAME = "kdmesg"

    def run(self, arg):
        records, problems = read_log()
        lines = []
        if records and records[0][0] > 0:
            lines.append(f"kdmesg: {records[0][0]} older records were overwritten")
        lines += format_records(records)
        lines += [f"kdmesg: warning: {p}" for p in problems]
        return lines


class KConfig(KernelCommand):
    """Print the configuration built into the image (kernel_config, CONFIG_IKCONFIG).
With an argument, only the lines that contain it: `kconfig LOG_BUF`."""

    NAME = "kconfig"
    ARGS_ALLOWED = True

    def run(self, arg):
        lines = read_config().splitlines()
        return [line for line in lines if arg in line] if arg else lines


class KCpus(KernelCommand):
    """Per-CPU state, one line per CPU the kernel knows (boot_info.cpu_ids): its
hardware id (hart id / MPIDR / APIC id), the boot CPU marked with *, the matching QEMU
vCPU (gdb thread) with its pc and sp, interrupt nesting and interrupts taken
(kernel/irq.c; "-" where the kernel keeps nothing for that CPU)."""

    NAME = "kcpus"

    def run(self, arg):
        bi, _, _ = find_boot_info()
        boot = int(bi["boot_cpu_id"])
        ids = [int(v) for v in array_items(bi["cpu_ids"], bi["cpu_count"])]
        if not ids:
            return ["kcpus: the kernel has not read its CPUs yet (boot_info.cpu_count is 0)"]
        irq = irq_state()
        regs = vcpu_registers(ids)
        lines = [f"{'cpu':>3}  {'hwid':>10}  {'boot':4}  {'thread':>6}  {'pc':40}  "
                 f"{'sp':18}  {'nesting':>7}  {'irqs':>10}"]
        for pos, hwid in enumerate(ids):
            thread, pc, sp = regs.get(hwid, (None, None, None))
            index = cpu_index_of(hwid, boot)
            nesting = per_cpu_field(irq, index, "nesting")
            total = per_cpu_field(irq, index, "total")
            lines.append(
                f"{pos:>3}  {hwid:>#10x}  {'*' if hwid == boot else '':4}  "
                f"{'-' if thread is None else thread:>6}  "
                f"{'-' if pc is None else symbolize(pc):40}  "
                f"{'-' if sp is None else f'{sp:#x}':18}  "
                f"{'-' if nesting is None else nesting:>7}  "
                f"{'-' if total is None else total:>10}")
        if boot not in ids:
            lines.append(f"kcpus: the boot CPU id {boot:#x} is not in boot_info.cpu_ids")
        return lines


class KIrqs(KernelCommand):
    """The interrupt controller and every requested line (kernel/irq.c descs[]) with its
count, name and handler, then the totals: the shell's `irqs`, from a stopped kernel."""

    NAME = "kirqs"

    def run(self, arg):
        irq = irq_state()
        chip = irq["chip"]
        descs = irq["descs"]
        descs.fetch_lazy()          # one read for the whole table
        lines = [f"controller: {string_of(chip['name']) if int(chip) else 'none'}",
                 f"  {'line':>5} {'count':>12}  {'name':16} handler"]
        lo, _ = descs.type.strip_typedefs().range()
        for i, d in enumerate(array_items(descs)):
            handler = int(d["handler"])
            if handler:
                lines.append(f"  {lo + i:>5} {int(d['count']):>12}  "
                             f"{string_of(d['name']) or '?':16} {symbolize(handler)}")
        per_cpu = array_items(irq["irq_cpus"])
        total = sum(int(c["total"]) for c in per_cpu)
        nesting = sum(int(c["nesting"]) for c in per_cpu)
        lines.append(f"total {total}, spurious {int(irq['spurious'])}, nesting {nesting}")
        return lines


class KBootInfo(KernelCommand):
    """Print the struct boot_info the arch handed to kmain(): boot protocol, firmware,
loader, command line, RAM and reserved ranges, console, interrupt controller, timer
frequency, CPUs, device tree and ACPI pointers (and any field added since)."""

    NAME = "kbootinfo"

    KNOWN = {"protocol", "firmware", "bootloader", "boot_config", "cmdline", "mem",
             "mem_count", "reserved", "reserved_count", "console", "irq_controller",
             "irq_controller_base", "timer_hz", "cpu_ids", "cpu_count", "boot_cpu_id",
             "fdt", "acpi_rsdp"}

    @staticmethod
    def ranges(title, table, count):
        items = array_items(table, count)
        total = sum(int(r["size"]) for r in items)
        out = [f"  {title:12} {len(items)} range{'' if len(items) == 1 else 's'}, "
               f"{total} bytes ({human_size(total)})"]
        for r in items:
            base, size = int(r["base"]), int(r["size"])
            out.append(f"    {base:#018x}-{base + size - 1:#018x}  {human_size(size)}")
        return out

    def run(self, arg):
        bi, where, filled = find_boot_info()
        lines = [f"boot_info ({where})" + ("" if filled else
                                           ": not filled in yet (kmain not reached)")]
        lines.append(f"  {'protocol':12} {string_of(bi['protocol']) or 'unknown'}")
        lines.append(f"  {'firmware':12} {string_of(bi['firmware']) or 'unknown'}")
        loader = string_of(bi["bootloader"])
        fit = string_of(bi["boot_config"])
        lines.append(f"  {'loader':12} " + (f"U-Boot {loader}" if loader else "none") +
                     (f", FIT {fit}" if fit else ""))
        lines.append(f"  {'cmdline':12} \"{string_of(bi['cmdline'])}\"")
        lines += self.ranges("memory", bi["mem"], bi["mem_count"])
        lines += self.ranges("reserved", bi["reserved"], bi["reserved_count"])
        con = bi["console"]
        lines.append(f"  {'console':12} {con['kind']} at {int(con['base']):#x}, "
                     f"reg_shift {int(con['reg_shift'])}, irq {int(con['irq'])}")
        ctl = string_of(bi["irq_controller"])
        lines.append(f"  {'irq':12} " + (f"{ctl} at {int(bi['irq_controller_base']):#x}"
                                         if ctl else "unknown"))
        hz = int(bi["timer_hz"])
        lines.append(f"  {'timer':12} " + (f"{hz} Hz" if hz else "unknown"))
        boot = int(bi["boot_cpu_id"])
        ids = [int(v) for v in array_items(bi["cpu_ids"], bi["cpu_count"])]
        lines.append(f"  {'cpus':12} {len(ids)}: " +
                     ", ".join(f"{i:#x}" + (" (boot)" if i == boot else "") for i in ids))
        lines.append(f"  {'boot cpu':12} {boot:#x}")
        lines.append(f"  {'fdt':12} {int(bi['fdt']):#x}" if int(bi["fdt"]) else
                     f"  {'fdt':12} none")
        rsdp = int(bi["acpi_rsdp"])
        lines.append(f"  {'acpi_rsdp':12} " + (f"{rsdp:#x}" if rsdp else "none"))
        for field in bi.type.strip_typedefs().fields():
            if field.name not in self.KNOWN:
                value = bi[field.name].format_string(pretty_structs=False)
                lines.append(f"  {field.name:12} {value}")
        return lines


if gdb is not None:
    for command in (KDmesg, KConfig, KCpus, KIrqs, KBootInfo):
        command()
