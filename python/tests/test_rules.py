"""The twin's rules evaluation equals `localist check`: on a trained hybrid model with blocks and
mutual-information anchors (fixtures/rules-check, written by fixtures/generate_train_parity.mjs),
a rules file with every selector form, at λ = 0.5 on 8 windows of the valid split, gives
localist's report: the same matched queries, rows and unreachable rows per rule, fidelities
(mean, worst), certified fidelities and required strengths to 1e-5, and the same pass/fail."""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.helpers import FIXTURES, ROOT, read_json

HERE = os.path.join(FIXTURES, "rules-check")


def near(a, b):
    if b is None:  # localist writes ∞ and NaN as null
        return a is None
    return abs(a - b) <= 1e-5 * (1 + abs(b))


class RulesCheckTest(unittest.TestCase):
    def run_check(self, *flags):
        env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "python")}
        return subprocess.run([sys.executable, "-m", "localist_torch.rules", os.path.join(HERE, "model"), *flags],
                              env=env, capture_output=True, text=True)

    def test_fidelities_equal_localist_check(self):
        expected = read_json(os.path.join(HERE, "expected.json"))
        out = self.run_check("--rules", os.path.join(HERE, "rules.json"), "--split", expected["split"],
                             "--windows", str(expected["windows"]), "--dial", str(expected["dial"]), "--json")
        report = json.loads(out.stdout)
        want = expected["report"]
        self.assertEqual(out.returncode, 0 if want["passed"] else 1, out.stderr)
        self.assertEqual((report["windows"], report["tokens"], report["passed"]), (want["windows"], want["tokens"], want["passed"]))
        self.assertEqual([r["id"] for r in report["rules"]], [r["id"] for r in want["rules"]])
        for mine, theirs in zip(report["rules"], want["rules"]):
            with self.subTest(mine["id"]):
                for key in ("mode", "queries", "rows", "unreachable", "passed"):
                    self.assertEqual(mine[key], theirs[key], key)
                self.assertGreater(mine["rows"], 0)
                for key in ("fidelity", "certified"):
                    for part in ("mean", "worst"):
                        self.assertTrue(near(mine[key][part], theirs[key][part]), f"{key}.{part}: {mine[key][part]} vs {theirs[key][part]}")
                self.assertTrue(near(mine["requiredStrength"], theirs["requiredStrength"]))
                self.assertTrue(math.isclose(mine["strength"], theirs["strength"], rel_tol=1e-12))

    def test_a_rule_naming_an_unknown_block_is_one_line(self):
        path = os.path.join(self.tmp(), "bad.json")
        with open(path, "w") as handle:
            json.dump({"rules": [{"id": "x", "query": {"block": "adverb"}, "key": {"all": True}, "strength": 1, "minFidelity": 0}]}, handle)
        out = self.run_check("--rules", path)
        self.assertEqual(out.returncode, 1)
        self.assertEqual(out.stderr, f"error: rules file {path}: rule 'x', query selector: unknown block 'adverb'; "
                                     "the blocks are function, noun, verb, other\n")

    def tmp(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        return folder


if __name__ == "__main__":
    unittest.main()
