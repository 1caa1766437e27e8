"""The serial console under load: input arrives by interrupt into a ring buffer; a long
paste comes through intact, and input beyond the buffer while nobody reads is counted
as dropped rather than lost silently."""

import re

RING = 256      # kernel/console.c RX_RING_SIZE
LINE_MAX = 128  # kernel/include/lineedit.h LINEEDIT_MAX


def _shell(ctx):
    s = ctx.boot(append="ktest=off")
    assert s.expect("Type 'help' for the list of commands.") and s.expect("> "), \
        f"no shell prompt; console: {s.output[-5:]}"
    return s


def _stats(s):
    """Run `console`; returns (mode, received, dropped) and leaves s after the prompt."""
    s.send("console\r")
    assert s.expect("waiting") and s.expect("> "), f"no console statistics: {s.output[-3:]}"
    m = re.search(r"receive: (\w+), (\d+) bytes, (\d+) dropped",
                  s.text[s.text.rfind("receive:"):])
    assert m, f"unreadable statistics: {s.text[s.text.rfind('receive:'):][:120]!r}"
    return m.group(1), int(m.group(2)), int(m.group(3))


def test_long_paste_arrives_intact(ctx):
    s = _shell(ctx)
    mode, _, dropped_before = _stats(s)
    assert mode == "interrupts", f"console input is {mode}, not interrupt driven"
    word = "".join(chr(ord("a") + i % 26) for i in range(100))
    s.send(word + "\r")          # all at once, as a paste does
    assert s.expect(f"{word}: unknown command"), "the pasted line did not come through whole"
    _, _, dropped = _stats(s)
    assert dropped == dropped_before, f"{dropped - dropped_before} bytes dropped by a paste"
    s.send("poweroff\r")
    s.wait()


def test_overflow_is_counted(ctx):
    s = _shell(ctx)
    _, received_before, dropped_before = _stats(s)
    s.send("sleep 1500\r" + "x" * (RING + 200))    # nobody reads while the shell sleeps
    assert s.expect("> "), "the shell did not come back from sleep"
    # The line editor takes LINE_MAX - 1 x's and rings the bell for each one after: once
    # every bell for the buffered bytes is back, the buffer has been read and has room.
    assert s.expect("\a" * (RING - (LINE_MAX - 1))), "the buffered input was not read"
    s.send("\x15\r")            # Ctrl-U: throw the line of x's away
    assert s.expect("> ")
    _, received, dropped = _stats(s)
    assert dropped > 0, "input beyond the buffer was not counted as dropped"
    assert received - received_before >= RING, \
        f"only {received - received_before} bytes kept; the buffer holds {RING}"
    s.send("poweroff\r")
    s.wait()
