"""The KTAP parser on recorded console logs: a good run, failures, a truncated run, a
panic, garbled and misnumbered results, and KUnit-style output from Linux."""

import os
import unittest

import ktap

LOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs")


def parse(name):
    with open(os.path.join(LOGS, name), encoding="utf-8") as f:
        return ktap.parse_text(f.read())


class KtapParserTest(unittest.TestCase):
    def test_good_run(self):
        p, problems = parse("good.log")
        self.assertEqual(problems, [])
        passed, failed, skipped = p.counts()
        self.assertEqual((failed, skipped), (0, 0))
        self.assertGreater(passed, 30)
        self.assertIn("fdt.opens_valid_blob", [r.path for r in p.results])
        self.assertIn("logbuf.drops_oldest_when_full", [r.path for r in p.results])

    def test_boot_noise_before_ktap_is_ignored(self):
        p, problems = parse("good.log")
        self.assertTrue(all("OpenSBI" not in r.path for r in p.results))

    def test_failed_case_with_diagnostic(self):
        p, problems = parse("failing.log")
        self.assertEqual(problems, [])      # a failed test is a result, not a problem
        failed = [r for r in p.results if r.status == "fail"]
        self.assertEqual([r.path for r in failed], ["logbuf.drops_oldest_when_full"])
        self.assertIn("test_logbuf.c:57", failed[0].diagnostics[0])

    def test_truncated_run(self):
        p, problems = parse("truncated.log")
        self.assertEqual(len(problems), 1)
        self.assertIn("ended early in logbuf (test 3", problems[0])
        self.assertIn("after logbuf.drops_oldest_when_full", problems[0])

    def test_panic_names_the_test(self):
        p, problems = parse("panic.log")
        self.assertEqual(p.panic.split(":")[0], "unexpected exception")
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith("crashed in logbuf (test 3"), problems[0])
        self.assertIn("load page fault", problems[0])

    def test_garbled_result(self):
        p, problems = parse("garbled.log")
        self.assertTrue(any("garbled result line" in x for x in problems), problems)

    def test_misnumbered_result(self):
        p, problems = parse("misnumbered.log")
        self.assertTrue(any("out of order" in x for x in problems), problems)

    def test_suite_disagrees_with_cases(self):
        p, problems = parse("disagree.log")
        self.assertTrue(any("reported ok but 1 case(s) failed" in x for x in problems),
                        problems)

    def test_kunit_style_indentation_and_directives(self):
        p, problems = parse("kunit-style.log")
        self.assertEqual(problems, [])
        status = {r.path: r.status for r in p.results}
        self.assertEqual(status, {
            "example.example_simple_test": "pass",
            "example.example_skip_test": "skip",
            "example.example_todo": "skip",
            "standalone_test": "pass",
        })

    def test_no_ktap_at_all(self):
        p, problems = ktap.parse_text("OpenSBI v1.1\nsomething went wrong\n")
        self.assertEqual(problems, ["no KTAP output (no 'KTAP version 1' line)"])

    def test_kernel_messages_between_results_are_tolerated(self):
        text = ("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n"
                "    ok 1 a\nunknown command: x\n    ok 2 b\nok 1 s\n")
        p, problems = ktap.parse_text(text)
        self.assertEqual(problems, [])
        self.assertEqual([r.path for r in p.results], ["s.a", "s.b"])

    def test_missing_plan_is_reported(self):
        p, problems = ktap.parse_text("KTAP version 1\nok 1 a\n")
        self.assertTrue(problems)


if __name__ == "__main__":
    unittest.main()
