#!/usr/bin/python3
"""KTAP version 1 parser (the format of Linux's Documentation/dev-tools/ktap.rst).

Feed it console lines as they arrive; it tells you each finished test and, at the end,
what is wrong with the stream: results missing against a plan, numbers out of order,
garbled result lines, a suite whose result disagrees with its cases, a kernel panic.

Lines before the first "KTAP version" line are boot output and are ignored. After it,
lines that are not KTAP (kernel messages) are tolerated, except that a "Kernel panic"
line ends the run as a crash.

A test is reported by its path: "suite.case" for a nested case, "suite" for a top-level
test without subtests. Only leaf tests are counted; a parent's own result line is
checked against its children.
"""

import re

VERSION_RE = re.compile(r"^(K?TAP) version (\d+)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)$")
RESULT_RE = re.compile(r"^(ok|not ok)(?: (\d+))?(?: -)?(?: ([^#]*?))?\s*(?:#\s*(.*))?$")
SUBTEST_RE = re.compile(r"^# Subtest: (.+)$")
PANIC_RE = re.compile(r"Kernel panic: (.*)$")


class Result:
    """One finished leaf test."""

    def __init__(self, path, status, diagnostics, directive=""):
        self.path = path            # "suite.case"
        self.status = status        # "pass", "fail" or "skip"
        self.diagnostics = diagnostics
        self.directive = directive  # text after '#', e.g. "SKIP reason"

    def __repr__(self):
        return f"Result({self.path!r}, {self.status!r})"


class _Level:
    def __init__(self, indent, name):
        self.indent = indent
        self.name = name            # None for the top level
        self.plan = None
        self.count = 0              # results seen at this level
        self.failed_children = 0
        self.diagnostics = []       # "# " lines waiting for the next result
        self.child = None           # the open (or just closed) subtest level


class KtapParser:
    def __init__(self):
        self.started = False
        self.done = False
        self.results = []
        self.problems = []          # what makes the run fail beyond failed tests
        self.panic = None           # the panic message, if the kernel panicked
        self.stack = []
        self.last_result = None

    # -- feeding ---------------------------------------------------------------------
    def feed(self, line):
        """Feed one line (without newline). Returns the list of Results it finished."""
        line = line.rstrip("\r\n")
        m = PANIC_RE.search(line)
        if m and self.panic is None:
            self.panic = m.group(1).strip()
            return []
        if self.done:
            return []
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        stripped = stripped.rstrip()

        if not self.started:
            if VERSION_RE.match(stripped):
                self._check_version(stripped)
                self.started = True
                self.stack = [_Level(indent, None)]
            return []

        if VERSION_RE.match(stripped):
            self._check_version(stripped)
            top = self.stack[-1]
            if indent > top.indent:
                # A subtest opens; its name follows as "# Subtest:" or with its result.
                child = _Level(indent, None)
                top.child = child
                self.stack.append(child)
            return []
        is_ktap = (stripped.startswith(("ok", "not ok", "#")) or PLAN_RE.match(stripped))
        if not is_ktap:
            return []               # a kernel message between tests
        level = self._level_for(indent)
        if level is None:
            return []               # deeper or shallower than anything open
        m = SUBTEST_RE.match(stripped)
        if m:
            level.name = m.group(1).strip()
            return []
        m = PLAN_RE.match(stripped)
        if m:
            if level.plan is not None:
                self.problems.append(f"second plan line at one level: {stripped!r}")
            level.plan = int(m.group(1))
            return []
        if stripped.startswith("ok") or stripped.startswith("not ok"):
            return self._result(level, stripped)
        if stripped.startswith("#"):
            level.diagnostics.append(stripped[1:].strip())
        return []

    def _check_version(self, line):
        m = VERSION_RE.match(line)
        if m.group(1) == "KTAP" and m.group(2) != "1":
            self.problems.append(f"unsupported {line!r}")

    def _level_for(self, indent):
        """The open level a line at this indentation belongs to; closes deeper ones."""
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].indent == indent:
                del self.stack[i + 1:]
                return self.stack[i]
        return None

    def _path(self, name):
        names = [lv.name for lv in self.stack[1:] if lv.name] + [name]
        return ".".join(names)

    def _result(self, level, text):
        m = RESULT_RE.match(text)
        if not m or m.group(2) is None or not (m.group(3) or "").strip():
            self.problems.append(f"garbled result line: {text!r}")
            return []
        ok = m.group(1) == "ok"
        number = int(m.group(2))
        name = m.group(3).strip()
        directive = (m.group(4) or "").strip()
        level.count += 1
        if number != level.count:
            self.problems.append(
                f"result {number} ({name}) out of order: expected test {level.count}")
        diags = level.diagnostics
        level.diagnostics = []

        child = level.child
        level.child = None
        finished = []
        if child is not None:
            # This result closes a subtest: check the child's plan and agreement.
            cname = child.name or name
            if child.name and child.name != name:
                self.problems.append(f"subtest '{child.name}' closed as '{name}'")
            if child.plan is None:
                self.problems.append(f"subtest {cname}: no plan line")
            elif child.count != child.plan:
                self.problems.append(
                    f"subtest {cname}: {child.count} of {child.plan} results")
            if ok and child.failed_children:
                self.problems.append(
                    f"subtest {cname} reported ok but {child.failed_children} case(s) failed")
            if not ok and child.failed_children == 0 and child.count == child.plan:
                self.problems.append(f"subtest {cname} reported not ok with every case ok")
            if not ok:
                level.failed_children += 1
        else:
            status = "pass"
            if directive.upper().startswith("SKIP"):
                status = "skip"
            elif not ok:
                status = "fail"
                level.failed_children += 1
            if directive.upper().startswith("TODO") and not ok:
                status = "skip"
                level.failed_children -= 1
            res = Result(self._path(name), status, diags, directive)
            self.results.append(res)
            self.last_result = res
            finished.append(res)

        if level is self.stack[0] and level.plan is not None and level.count >= level.plan:
            self.done = True
        return finished

    # -- the end -----------------------------------------------------------------------
    def current_position(self):
        """Where the run is now, for crash reports: 'suite (test 3, after suite.x)'."""
        if not self.started:
            return "boot (before any test started)"
        open_levels = [lv for lv in self.stack[1:]]
        where = ".".join(lv.name or "?" for lv in open_levels) or "top level"
        if open_levels:
            nxt = open_levels[-1].count + 1
            where += f" (test {nxt}"
            if self.last_result:
                where += f", after {self.last_result.path}"
            where += ")"
        return where

    def finish(self):
        """Call at end of stream. Returns the list of problems (empty if all is well)."""
        problems = list(self.problems)
        if self.panic is not None:
            problems.append(f"crashed in {self.current_position()}: {self.panic}")
        elif not self.started:
            problems.append("no KTAP output (no 'KTAP version 1' line)")
        elif not self.done:
            top = self.stack[0]
            if top.plan is None:
                problems.append("no top-level plan line")
            else:
                problems.append(
                    f"output ended early in {self.current_position()}: "
                    f"{top.count} of {top.plan} top-level results")
        return problems

    def counts(self):
        passed = sum(r.status == "pass" for r in self.results)
        failed = sum(r.status == "fail" for r in self.results)
        skipped = sum(r.status == "skip" for r in self.results)
        return passed, failed, skipped


def parse_text(text):
    """Parse a whole log; returns (parser, problems)."""
    p = KtapParser()
    for line in text.splitlines():
        p.feed(line)
    return p, p.finish()
