"""Kernel-aware GDB commands for refkernel, loaded by tools/gdb/kernel.gdb (`make gdb`).

  kdmesg            the printk ring buffer (kernel/logbuf.c), every record still held,
                    oldest first, one "<level>text" line per line of text; works on a
                    kernel stopped anywhere, including after a panic
  kconfig [TEXT]    the .config built into the image (CONFIG_IKCONFIG: the NUL-terminated
                    `kernel_config`), or only its lines that contain TEXT
  kcpus             one line per CPU the kernel knows (boot_info.cpu_ids): the kernel's
                    index for it, hardware id, boot CPU mark, the matching QEMU vCPU's
                    pc and sp, interrupt nesting and interrupts taken, and the thread
                    the scheduler runs there (cpus[].current)
  kirqs             the interrupt controller and every requested line with its name,
                    handler and count (kernel/irq.c), like the shell's `irqs`
  kbootinfo         the struct boot_info the arch handed to kmain()
  kthreads [N]      every thread (all_threads): id, name, state, priority, CPU, and a
                    backtrace of at most N frames: the current one of each CPU from its
                    vCPU's live registers, the others from their saved context
  kbt ID|NAME|EXPR  load a switched-out thread's saved registers into the selected vCPU
                    so that bt, frame, info locals work on it; `kbt` / `kbt reset` put
                    the live ones back (and the resume commands do so first)
  kpte ADDR         walk the page tables for a virtual address: each level's entry,
                    then the physical address, rwx, memory type and page size

kconfig, kbootinfo and kirqs also work on kernel.elf alone, without QEMU (they then show
the image's initial data): `gdb-multiarch -x tools/gdb/kernel.gdb -ex kconfig kernel.elf`.

Everything is read through the kernel's symbols and DWARF types: field access by name,
sizes and alignment from gdb.Type (sizeof, alignof), arrays bounded by their DWARF range.
No offset or size of a kernel structure is written down here, so a changed structure
changes what these commands read, not what they believe. Statics are looked up in the
file that defines a known global function (`nesting` in the file of irq_dispatch()), so
a static of the same name elsewhere (arch/*/irq.c has its own `chip`) is never taken.

A switched-out thread's registers are where arch_context_switch left them: its saved
sp points at a struct switch_frame (arch/<arch>/include/switch_frame.h), whose members
are named after the registers they hold; the only per-arch fact here is which register
`ret` jumps through (RETURN_REGISTER). Per-CPU figures are indexed like the kernel's own
per-CPU arrays, by the kernel's CPU index (arch_cpu_index(); 0 is the boot CPU, the
others as kernel/smp.c started them, matched to vCPUs through their hardware ids).

kpte ADDR walks the page tables of the CPU gdb has selected (root from satp, TTBR0_EL1 or
CR3): page-table entries are the hardware's format, the one thing here not from DWARF.

The pure-Python parts (parse_log, format_records, the walk_* page-table decoders) import
without gdb, for
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
    """kernel/irq.c's statics (file of irq_dispatch()): descs, chip, spurious, and each
    CPU's figures as {kernel CPU index: (nesting, total)} from irq_cpus[] (indexed like
    every per-CPU array, by arch_cpu_index())."""
    state = {name: file_static(name, "irq_dispatch")
             for name in ("descs", "chip", "spurious")}
    state["cpus"] = {i: (int(c["nesting"]), int(c["total"]))
                     for i, c in enumerate(array_items(file_static("irq_cpus",
                                                                   "irq_dispatch")))}
    return state


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


# --- Threads (kernel/thread.c) and their saved registers (arch/<arch>/switch_frame.h) --

THREAD_ANCHOR = "thread_create"     # a global function of kernel/thread.c
FRAME_ANCHOR = "arch_context_init"  # of arch/<arch>/thread.c, which uses struct switch_frame
SMP_ANCHOR = "smp_init"             # of kernel/smp.c (kmain calls it)
MAX_THREADS = 1 << 20               # a bound on walking a list that memory corruption broke
DEFAULT_FRAMES = 8                  # kthreads' backtrace depth
WRITE_BACKTRACE_LIMIT = 256         # frames gdb may walk while kbt writes a register

# The register that arch_context_switch's final `ret` jumps through: a switched-out
# thread resumes at the value its switch frame holds for it (on x86_64 the frame's
# return address, popped into rip). Everything else is read from struct switch_frame.
RETURN_REGISTER = {"riscv:rv64": "ra", "aarch64": "x30", "i386:x86-64": "rip"}


def field_offset(struct_type, name):
    """The byte offset of a member, from the DWARF."""
    for f in struct_type.strip_typedefs().fields():
        if f.name == name:
            return f.bitpos // 8
    raise gdb.GdbError(f"{struct_type} has no member {name!r} in the debug info")


class KThread:
    """A struct thread as read at one moment; on_cpu is the index of the CPU whose
    cpus[].current it is, or None."""

    def __init__(self, value, on_cpu=None):
        self.addr = int(value.address)
        self.id = int(value["id"])
        self.name = string_of(value["name"])
        # enum thread_state THREAD_BLOCKED -> "blocked", as thread_state_name() says.
        state = str(value["state"])
        self.state = state[len("THREAD_"):].lower() if state.startswith("THREAD_") else state
        self.prio = int(value["prio"])
        self.cpu = int(value["cpu"])
        self.sp = int(value["sp"])
        self.stack_lo = int(value["stack_base"])
        self.stack_hi = self.stack_lo + int(value["stack_size"])
        self.on_cpu = on_cpu

    def label(self):
        return f"thread {self.id} ({self.name})"


def thread_at(addr, on_cpu=None):
    thread_type = file_type("struct thread", THREAD_ANCHOR)
    return KThread(gdb.Value(addr).cast(thread_type.pointer()).dereference(), on_cpu)


def current_threads():
    """{kernel CPU index: the KThread cpus[index].current names} (thread.c's cpus[]: one
    entry per possible CPU, current NULL on those not running the scheduler)."""
    out = {}
    for index, c in enumerate(array_items(file_static("cpus", THREAD_ANCHOR))):
        addr = int(c["current"])
        if addr:
            out[index] = thread_at(addr, index)
    return out


def read_threads():
    """Every thread on all_threads, in list order, and the current ones by CPU index."""
    head = file_static("all_threads", THREAD_ANCHOR)
    thread_type = file_type("struct thread", THREAD_ANCHOR)
    offset = field_offset(thread_type, "all_node")
    current = current_threads()
    cpu_of = {t.addr: index for index, t in current.items()}
    head_addr = int(head.address)
    threads, node = [], int(head["next"])
    while node != head_addr:
        if node == 0 or len(threads) >= MAX_THREADS:
            raise gdb.GdbError(f"all_threads is broken after {len(threads)} threads "
                               f"(next pointer {node:#x})")
        addr = node - offset
        value = gdb.Value(addr).cast(thread_type.pointer()).dereference()
        threads.append(KThread(value, cpu_of.get(addr)))
        node = int(value["all_node"]["next"])
    return threads, current


def kernel_cpu_hwids(boot_hwid):
    """{kernel CPU index: hardware id}: index 0 is the boot CPU (the arch contract);
    the others as kernel/smp.c started them (its cpus[index].hw_id, once online). A
    kernel without smp.c runs on the boot CPU only."""
    out = {0: boot_hwid}
    if gdb.lookup_global_symbol(SMP_ANCHOR) is None:
        return out
    for index, c in enumerate(array_items(file_static("cpus", SMP_ANCHOR))):
        if index > 0 and bool(c["online"]):
            out[index] = int(c["hw_id"])
    return out


def gdb_threads_by_cpu():
    """{kernel CPU index: gdb thread number of its QEMU vCPU}."""
    bi, _, _ = find_boot_info()
    ids = [int(v) for v in array_items(bi["cpu_ids"], bi["cpu_count"])]
    boot = int(bi["boot_cpu_id"])
    if not ids:                     # boot_info not filled in: one CPU, the first vCPU
        ids = [boot]
    regs = vcpu_registers(ids)
    return {index: regs[hwid][0] for index, hwid in kernel_cpu_hwids(boot).items()
            if hwid in regs}


def gdb_thread(num):
    for t in gdb.selected_inferior().threads():
        if t.num == num:
            return t
    raise gdb.GdbError(f"no gdb thread {num}")


def switch_registers(t):
    """[(register, value)] that put a switched-out thread back where it stopped, as
    arch_context_switch would resume it: every member of its struct switch_frame named
    after an integer register of this architecture, sp just above the frame, pc at the
    return register's value. Padding and FP/SIMD members (aarch64 d8-d15) are not
    loaded: gdb would read them as numbers, and kernel code keeps nothing there."""
    frame_type = file_type("struct switch_frame", FRAME_ANCHOR)
    size = frame_type.sizeof
    if not t.stack_lo <= t.sp <= t.stack_hi - size:
        raise gdb.GdbError(f"{t.label()}: saved sp {t.sp:#x} is not inside its stack "
                           f"[{t.stack_lo:#x}, {t.stack_hi:#x}): no saved context there")
    arch = gdb.newest_frame().architecture().name()
    ret = RETURN_REGISTER.get(arch)
    if ret is None:
        raise gdb.GdbError(f"kbt does not know how {arch} returns from a context switch")
    frame = gdb.Value(t.sp).cast(frame_type.pointer()).dereference()
    newest = gdb.newest_frame()
    regs = []
    for f in frame_type.strip_typedefs().fields():
        try:
            code = newest.read_register(f.name).type.strip_typedefs().code
        except ValueError:          # not a register: padding
            continue
        if code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR):
            regs.append((f.name, int(frame[f.name])))
    if ret not in [name for name, _ in regs]:
        raise gdb.GdbError(f"struct switch_frame has no member {ret!r} for the resume pc")
    regs += [("sp", t.sp + size), ("pc", dict(regs)[ret])]
    return regs


class RegisterView:
    """kbt's one piece of state: whose saved registers the selected vCPU shows instead
    of its own, and the live values to put back. gdb writes registers straight into
    QEMU's vCPU, so the live values must be back before the vCPU runs again: the
    resume commands are hooked (install_resume_hooks) and call restore() first."""

    def __init__(self):
        self.vcpu = None        # the gdb thread whose registers were replaced
        self.live = None        # [(register, value)] to put back
        self.showing = None     # the KThread shown

    def active(self):
        return self.vcpu is not None

    @staticmethod
    def _write(regs):
        # After each write gdb looks for the frame the register belonged to, walking
        # outwards. Where an unwinder goes round in circles (gdb's aarch64 prologue
        # analysis, when the image has no CFI) that walk never ends: bound it.
        limit = gdb.parameter("backtrace limit")
        gdb.execute(f"set backtrace limit {WRITE_BACKTRACE_LIMIT}", to_string=True)
        try:
            gdb.newest_frame().select()     # a register of frame 0, not a saved slot
            for name, value in regs:
                gdb.execute(f"set ${name} = {value:#x}", to_string=True)
        finally:
            gdb.execute(f"set backtrace limit {limit or 'unlimited'}", to_string=True)

    def show(self, t):
        regs = switch_registers(t)
        if self.vcpu is None:
            newest = gdb.newest_frame()
            self.live = [(name, int(newest.read_register(name))) for name, _ in regs]
            self.vcpu = gdb.selected_thread()
        elif gdb.selected_thread() != self.vcpu:
            self.vcpu.switch()
        self._write(regs)
        self.showing = t

    def restore(self):
        """Put the live registers back; False if there was nothing to do."""
        if self.vcpu is None:
            return False
        selected = gdb.selected_thread()
        vcpu, live = self.vcpu, self.live
        self.vcpu = self.live = self.showing = None
        if not vcpu.is_valid():
            raise gdb.GdbError("kbt: the vCPU whose registers kbt replaced is gone")
        vcpu.switch()
        self._write(live)
        if selected is not None and selected.is_valid() and selected != vcpu:
            selected.switch()
        return True

    def forget(self, reason):
        """The target went away or ran on without restore(): nothing to put back."""
        if self.vcpu is not None:
            gdb.write(f"kbt: {reason} while {self.showing.label()}'s registers were "
                      "loaded; the view is dropped\n", gdb.STDERR)
        self.vcpu = self.live = self.showing = None


VIEW = RegisterView()

# Everything that lets a vCPU run (or leaves it to run without gdb) restores first.
RESUME_COMMANDS = ("continue", "next", "step", "stepi", "nexti", "finish", "until",
                   "advance", "jump", "signal", "queue-signal", "detach", "disconnect",
                   "call", "reverse-continue")


def backtrace(limit):
    """The selected vCPU's backtrace as gdb unwinds it (DWARF CFI, inline frames
    included), at most limit frames, one line each, and why it stopped early."""
    lines = []
    try:
        frame = gdb.newest_frame()
    except gdb.error as e:
        return [f"(no frame: {e})"]
    level = 0
    while frame is not None and level < limit:
        pc = frame.pc()
        name = frame.name() or symbolize(pc)
        sal = frame.find_sal()
        where = f" at {sal.symtab.filename}:{sal.line}" if sal.symtab and sal.line else ""
        inline = " [inlined]" if frame.type() == gdb.INLINE_FRAME else ""
        lines.append(f"#{level:<2} {pc:#018x} in {name}{inline}{where}")
        try:
            older = frame.older()
        except gdb.error as e:
            lines.append(f"(backtrace stopped: {e})")
            break
        if older is None and frame.unwind_stop_reason() not in (
                gdb.FRAME_UNWIND_NO_REASON, gdb.FRAME_UNWIND_OUTERMOST):
            lines.append("(backtrace stopped: " +
                         gdb.frame_stop_reason_string(frame.unwind_stop_reason()) + ")")
        frame, level = older, level + 1
    if frame is not None:
        lines.append(f"(more frames: `kthreads {limit * 2}` or kbt and bt)")
    return lines


def find_thread(arg, threads):
    """kbt's argument: a thread id, a thread's name, or an expression giving an id or a
    struct thread pointer (`kbt t`, `kbt some_struct.owner->id`)."""
    if arg.isdigit():
        found = [t for t in threads if t.id == int(arg)]
        if not found:
            raise gdb.GdbError(f"kbt: no thread with id {arg} (see kthreads)")
        return found[0]
    named = [t for t in threads if t.name == arg]
    if len(named) > 1:
        raise gdb.GdbError(f"kbt: {len(named)} threads are named {arg!r}: give an id "
                           f"({', '.join(str(t.id) for t in named)})")
    if named:
        return named[0]
    try:
        value = gdb.parse_and_eval(arg)
    except gdb.error as e:
        raise gdb.GdbError(f"kbt: {arg!r} is no thread id, thread name or expression: {e}")
    vtype = value.type.strip_typedefs()
    if vtype.code == gdb.TYPE_CODE_PTR and vtype.target().strip_typedefs().tag == "thread":
        found = [t for t in threads if t.addr == int(value)]
        what = f"{int(value):#x}"
    elif vtype.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM):
        found = [t for t in threads if t.id == int(value)]
        what = f"id {int(value)}"
    else:
        raise gdb.GdbError(f"kbt: {arg} is a {value.type}, not a thread id or a "
                           "struct thread pointer")
    if not found:
        raise gdb.GdbError(f"kbt: {arg} is {what}, which is no thread on all_threads")
    return found[0]


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
    """Per-CPU state, one line per CPU the kernel knows (boot_info.cpu_ids): the
kernel's index for it (arch_cpu_index(), "-" if it was not started), its hardware id
(hart id / MPIDR / APIC id), the boot CPU marked with *, the matching QEMU vCPU (gdb
thread) with its pc and sp, interrupt nesting and interrupts taken (kernel/irq.c), and
the thread the scheduler runs there (cpus[index].current in kernel/thread.c) as
name[id]; "-" where the kernel keeps nothing for that CPU."""

    NAME = "kcpus"

    def run(self, arg):
        bi, _, _ = find_boot_info()
        boot = int(bi["boot_cpu_id"])
        ids = [int(v) for v in array_items(bi["cpu_ids"], bi["cpu_count"])]
        if not ids:
            return ["kcpus: the kernel has not read its CPUs yet (boot_info.cpu_count is 0)"]
        irq = irq_state()
        regs = vcpu_registers(ids)
        index_of = {hwid: index for index, hwid in kernel_cpu_hwids(boot).items()}
        current = {index: t for index, t in current_threads().items()}
        lines = [f"{'cpu':>3}  {'hwid':>10}  {'boot':4}  {'gdb':>3}  {'pc':40}  "
                 f"{'sp':18}  {'nesting':>7}  {'irqs':>10}  thread"]
        for hwid in ids:
            index = index_of.get(hwid)
            gdb_thread, pc, sp = regs.get(hwid, (None, None, None))
            nesting, total = irq["cpus"].get(index, (None, None))
            t = current.get(index)
            lines.append(
                f"{'-' if index is None else index:>3}  {hwid:>#10x}  "
                f"{'*' if hwid == boot else '':4}  "
                f"{'-' if gdb_thread is None else gdb_thread:>3}  "
                f"{'-' if pc is None else symbolize(pc):40}  "
                f"{'-' if sp is None else f'{sp:#x}':18}  "
                f"{'-' if nesting is None else nesting:>7}  "
                f"{'-' if total is None else total:>10}  "
                f"{'-' if t is None else f'{t.name}[{t.id}]'}")
        if boot not in ids:
            lines.append(f"kcpus: the boot CPU id {boot:#x} is not in boot_info.cpu_ids")
        for index in sorted(set(current) - set(index_of.values())):
            lines.append(f"kcpus: CPU index {index} runs {current[index].name}"
                         f"[{current[index].id}] but its hardware id is unknown")
        return lines


class KIrqs(KernelCommand):
    """The interrupt controller and every requested line (kernel/irq.c descs[]) with its
count, name and handler, then the totals: the shell's `irqs`, from a stopped kernel.
The last line sums the CPUs' figures (kcpus shows each CPU's)."""

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
        figures = irq["cpus"].values()
        lines.append(f"total {sum(t for _, t in figures)}, spurious {int(irq['spurious'])}, "
                     f"nesting {sum(n for n, _ in figures)}")
        return lines


class KThreads(KernelCommand):
    """Every thread on the kernel's list (all_threads, kernel/thread.c): id, name,
state, priority, the CPU it runs or last ran on, and a backtrace of at most N frames
(default 8): `kthreads [N]`. A thread that is current on a CPU (cpus[].current, marked
with *) is unwound from that CPU's live registers (its QEMU vCPU, gdb thread); every
other one from the registers arch_context_switch saved on its stack, which kthreads
loads into the selected vCPU for gdb to unwind (as kbt does) and puts back."""

    NAME = "kthreads"
    ARGS_ALLOWED = True

    def run(self, arg):
        if arg and not arg.isdigit():
            raise gdb.GdbError("usage: kthreads [FRAMES]")
        limit = int(arg) if arg else DEFAULT_FRAMES
        threads, current = read_threads()
        if not threads:
            return ["kthreads: no threads yet (sched_init() has not run)"]
        vcpus = gdb_threads_by_cpu()
        lines = [f"  {'id':>4}  {'name':24}  {'state':8}  {'prio':>4}  {'cpu':>3}  where"]
        shown = VIEW.showing
        selected = gdb.selected_thread()
        VIEW.restore()
        try:
            for t in threads:
                if t.on_cpu is not None:
                    num = vcpus.get(t.on_cpu)
                    where = f"current on CPU {t.on_cpu}, " + \
                        ("no vCPU known for it" if num is None else
                         f"live registers of gdb thread {num}")
                else:
                    where = f"switched out, registers saved at {t.sp:#x}"
                lines.append(f"{'*' if t.on_cpu is not None else ' '} {t.id:>4}  "
                             f"{t.name:24}  {t.state:8}  {t.prio:>4}  {t.cpu:>3}  {where}")
                try:
                    if t.on_cpu is not None:
                        if num is None:
                            continue
                        gdb_thread(num).switch()
                        bt = backtrace(limit)
                        if not t.stack_lo <= int(gdb.newest_frame().read_register("sp")) \
                                < t.stack_hi:
                            bt.append("(the live sp is not on this thread's stack: "
                                      "stopped in the middle of a switch?)")
                    else:
                        if selected is not None:
                            selected.switch()
                        VIEW.show(t)
                        bt = backtrace(limit)
                        VIEW.restore()
                except gdb.error as e:
                    bt = [f"(no backtrace: {e})"]
                lines += ["      " + line for line in bt]
        finally:
            VIEW.restore()
            if selected is not None and selected.is_valid():
                selected.switch()
            if shown is not None:
                VIEW.show(thread_at(shown.addr))
        for index, t in sorted(current.items()):
            lines.append(f"CPU {index}: current {t.label()}")
        return lines


class KBt(KernelCommand):
    """Show a switched-out thread's saved context in place of the selected CPU's own:
`kbt ID`, `kbt NAME` or `kbt EXPR` (an expression giving a thread id or a struct thread
pointer) loads the registers arch_context_switch saved for it into the selected vCPU,
so that bt, frame, up, info locals work on that thread; `kbt` or `kbt reset` puts the
live registers back. A thread current on another CPU is shown by selecting that CPU's
gdb thread instead.

The registers really are the vCPU's while kbt is in effect: do not let it run. continue,
step, next, finish, detach and the other resuming commands put the live registers back
first (a hook on each; kbt says so), but anything that resumes without a CLI command
(MI's -exec-continue, a Python script's own resume) would run the CPU on the other
thread's registers."""

    NAME = "kbt"
    ARGS_ALLOWED = True

    def run(self, arg):
        if arg in ("", "reset"):
            shown = VIEW.showing
            if VIEW.restore():
                return [f"kbt: live registers back (was showing {shown.label()})"]
            return ["kbt: showing the live registers already"]
        threads, _ = read_threads()
        t = find_thread(arg, threads)
        vcpus = gdb_threads_by_cpu()
        if t.on_cpu is not None:
            VIEW.restore()
            num = vcpus.get(t.on_cpu)
            if num is None:
                raise gdb.GdbError(f"kbt: {t.label()} runs on CPU {t.on_cpu}, but no gdb "
                                   "thread is known for that CPU")
            gdb_thread(num).switch()
            return [f"kbt: {t.label()} is current on CPU {t.on_cpu}: gdb thread {num} "
                    "selected, live registers",
                    gdb.execute("frame", to_string=True).rstrip("\n")]
        VIEW.show(t)
        cpu = {num: index for index, num in vcpus.items()}.get(VIEW.vcpu.num, "?")
        return [f"kbt: {t.label()}, {t.state}: its saved registers are loaded into CPU "
                f"{cpu}'s vCPU (gdb thread {VIEW.vcpu.num}); `kbt reset` puts the live "
                "ones back (continue, step and detach do that first)",
                gdb.execute("frame", to_string=True).rstrip("\n")]


class KBtBeforeResume(KernelCommand):
    """Internal (the resume hooks call it): put the live registers back if kbt
replaced them, saying so."""

    NAME = "kbt-before-resume"

    def run(self, arg):
        shown = VIEW.showing
        if VIEW.restore():
            return [f"kbt: live registers back before resuming (was showing "
                    f"{shown.label()})"]
        return []


def install_resume_hooks():
    """A pre-hook on every command that resumes the target. gdb has one hook per
    command: a user's own `define hook-continue` (...) would replace this one."""
    for command in RESUME_COMMANDS:
        try:
            gdb.execute(f"define hook-{command}\nkbt-before-resume\nend", to_string=True)
        except gdb.error as e:
            gdb.write(f"refkernel: no hook on {command}: {e}\n", gdb.STDERR)


def _on_resume(event):
    # Reached only when something resumed the target past the hooks.
    VIEW.forget("the target resumed")


def _on_exit(event):
    VIEW.forget("the target went away")


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


# ---- kpte: page-table walks ------------------------------------------------------------
# The formats here are the hardware's (privileged spec 4.4 Sv39, Arm ARM D8 VMSAv8-64 4 KiB
# granule, SDM 4.5 4-level paging), not the kernel's structures: they cannot come from
# DWARF. The root comes from the CPU's own register (satp, TTBR0_EL1, CR3).

def _bits(value, hi, lo):
    return (value >> lo) & ((1 << (hi - lo + 1)) - 1)


def _prot_text(read, write, execute, device):
    return ("r" if read else "-") + ("w" if write else "-") + ("x" if execute else "-") + \
        (" device" if device else " normal")


def _entry(steps, label, table, index, read_u64):
    """Read entry index of the table at physical address table, noting it in steps."""
    entry = read_u64(table + 8 * index)
    steps.append(f"  {label:4}[{index:3}] @ {table + 8 * index:#x} = {entry:#018x}")
    return entry


def _in_page(base, size, va):
    """The physical address of va in the size-byte page or block at base."""
    return (base & ~(size - 1)) | (va & (size - 1))


def walk_sv39(root, va, read_u64):
    """Sv39: (steps, result). result is (pa, prot text, page size) or None."""
    steps = []
    if va >> 38 not in (0, (1 << 26) - 1):
        return ["not a canonical Sv39 address"], None
    table = root
    for level in (2, 1, 0):
        pte = _entry(steps, f"L{level}", table, _bits(va, 20 + 9 * level, 12 + 9 * level),
                     read_u64)
        if not pte & 1:
            steps.append(f"  invalid at level {level}")
            return steps, None
        ppn = _bits(pte, 53, 10) << 12
        if pte & 0xe:  # R, W or X: a leaf
            size = 4096 << (9 * level)
            prot = _prot_text(pte & 2, pte & 4, pte & 8, pte & (1 << 8))
            return steps, (_in_page(ppn, size, va), prot, size)
        table = ppn
    return steps + ["  a pointer at the last level (malformed)"], None


def walk_arm64(root, va, read_u64, levels=4):
    """VMSAv8-64, 4 KiB granule, walk from level 4 - levels (48-bit VA: level 0)."""
    steps = []
    table = root & ((1 << 48) - 1) & ~0xfff
    for level in range(4 - levels, 4):
        shift = 12 + 9 * (3 - level)
        desc = _entry(steps, f"L{level}", table, _bits(va, shift + 8, shift), read_u64)
        if not desc & 1:
            steps.append(f"  invalid at level {level}")
            return steps, None
        out = _bits(desc, 47, 12) << 12
        if level < 3 and desc & 2:      # a table descriptor (its APTable etc. unused)
            table = out
            continue
        if (level == 3) != bool(desc & 2) or level == 0:
            steps.append(f"  reserved descriptor at level {level}")
            return steps, None
        size = 1 << shift               # a page (level 3) or a block (levels 1, 2)
        pa = _in_page(out, size, va)
        read_only = desc & (1 << 7)
        pxn = desc & (1 << 53)
        attr = _bits(desc, 4, 2)
        return steps, (pa, _prot_text(True, not read_only, not pxn, attr != 0), size)
    return steps + ["  ran past level 3 (malformed)"], None


def walk_x86_64(root, va, read_u64):
    """4-level paging: PML4, PDPT (1 GiB pages), PD (2 MiB), PT."""
    steps = []
    table = root & 0x000ffffffffff000
    names = ("PML4", "PDPT", "PD", "PT")
    writable, executable = True, True
    for depth, name in enumerate(names):
        shift = 39 - 9 * depth
        entry = _entry(steps, name, table, _bits(va, shift + 8, shift), read_u64)
        if not entry & 1:
            steps.append(f"  not present in the {name}")
            return steps, None
        writable = writable and bool(entry & 2)
        executable = executable and not entry & (1 << 63)
        addr = entry & 0x000ffffffffff000
        if depth == 3 or (depth in (1, 2) and entry & (1 << 7)):
            size = 1 << shift
            device = bool(entry & (1 << 4))  # PCD
            prot = _prot_text(True, writable, executable, device)
            return steps, (_in_page(addr, size, va), prot, size)
        table = addr
    return steps, None


def format_walk(va, steps, result):
    lines = list(steps)
    if result is None:
        lines.append(f"{va:#x}: not mapped")
    else:
        pa, prot, size = result
        unit = f"{size >> 30} GiB" if size >= 1 << 30 else \
            f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
        lines.append(f"{va:#x} -> {pa:#x}  {prot}  {unit} page")
    return lines


def _register(*names):
    """The first of names the target has (as an unsigned 64-bit value), or None."""
    for name in names:
        try:
            value = gdb.parse_and_eval(name)
            if value.type.code != gdb.TYPE_CODE_VOID:
                return int(value) & ((1 << 64) - 1)
        except gdb.error:
            pass
    return None


class KPte(KernelCommand):
    """kpte ADDR: walk the current CPU's page tables for a virtual address (an expression:
kpte kmain, kpte &console_loglevel, kpte 0x80200000): each level's entry, then
"VA -> PA  rwx normal|device  SIZE page" or "not mapped". Reads the root from the CPU
(satp / TTBR0_EL1 / CR3); says so when the MMU is off."""

    NAME = "kpte"
    ARGS_ALLOWED = True

    def run(self, arg):
        if not arg:
            raise gdb.GdbError("usage: kpte ADDRESS")
        va = int(gdb.parse_and_eval(arg).cast(gdb.lookup_type("unsigned long")))
        arch = gdb.newest_frame().architecture().name()
        inferior = gdb.selected_inferior()

        def read_u64(addr):
            return int.from_bytes(bytes(inferior.read_memory(addr, 8)), "little")

        if arch.startswith("riscv"):
            satp = int(gdb.parse_and_eval("$satp")) & ((1 << 64) - 1)
            if satp >> 60 != 8:
                return [f"satp = {satp:#x}: the MMU is off (bare), {va:#x} is physical"]
            root = _bits(satp, 43, 0) << 12
            lines = [f"Sv39, root {root:#x} (satp {satp:#x})"]
            steps, result = walk_sv39(root, va, read_u64)
        elif arch.startswith("aarch64"):
            # QEMU's gdbstub names some system registers with and some without _EL1.
            sctlr = _register("$SCTLR_EL1", "$SCTLR")
            ttbr = _register("$TTBR0_EL1", "$TTBR0")
            tcr = _register("$TCR_EL1", "$TCR")
            if ttbr is None or tcr is None:
                raise gdb.GdbError("kpte: this gdbstub does not show TTBR0_EL1/TCR_EL1")
            if (sctlr is not None and not sctlr & 1) or (sctlr is None and not ttbr):
                return [f"the MMU is off (SCTLR_EL1.M = 0), {va:#x} is physical"]
            t0sz = _bits(tcr, 5, 0)
            levels = (64 - t0sz - 12 + 8) // 9
            lines = [f"VMSAv8-64 4 KiB granule, {64 - t0sz}-bit VA, {levels} levels, "
                     f"root {ttbr & ~0xfff:#x} (TTBR0_EL1)"]
            steps, result = walk_arm64(ttbr, va, read_u64, levels)
        else:
            cr3 = int(gdb.parse_and_eval("$cr3")) & ((1 << 64) - 1)
            lines = [f"4-level paging, root {cr3 & ~0xfff:#x} (CR3)"]
            steps, result = walk_x86_64(cr3, va, read_u64)
        return lines + format_walk(va, steps, result)


if gdb is not None:
    for command in (KDmesg, KConfig, KCpus, KIrqs, KBootInfo, KThreads, KBt,
                    KBtBeforeResume, KPte):
        command()
    install_resume_hooks()
    gdb.events.cont.connect(_on_resume)
    gdb.events.exited.connect(_on_exit)
