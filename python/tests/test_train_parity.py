"""The twin trains like localist with anchors and with recruitment: from the same step-0
checkpoint (fixtures/train-parity, written by localist with fixtures/generate_train_parity.mjs),
30 steps of localist_torch.train give localist's losses to 1e-5, the same recruitment checks and
splits, and the same final blocks and routing; and the twin chooses the same anchors (tokens and
mutual-information scores) from the same corpus."""
import os
import shutil
import tempfile
import unittest

import numpy as np

from localist_torch import checkpoint
from localist_torch.anchors import choose_anchors

from tests.helpers import FIXTURES, read_json, read_lines, train

HERE = os.path.join(FIXTURES, "train-parity")
CASES = read_json(os.path.join(HERE, "cases.json"))


class TrainParityTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.work)

    def trained(self, name):
        folder = os.path.join(self.work, name)
        shutil.copytree(os.path.join(HERE, name), folder)
        os.remove(os.path.join(folder, "expected.json"))
        train(folder, "--device", "cpu")
        return folder, read_lines(os.path.join(folder, "metrics.jsonl"))

    def test_losses_equal_localist_s_over_30_steps(self):
        for name in CASES:
            with self.subTest(name):
                expected = read_json(os.path.join(HERE, name, "expected.json"))
                folder, log = self.trained(name)
                got = [r["loss"] for r in log if "loss" in r]
                self.assertEqual(len(got), expected["steps"])
                np.testing.assert_allclose(got, expected["losses"], rtol=0, atol=1e-5)
                checks = [r for r in log if "recruitment" in r]
                self.assertEqual(len(checks), len(expected["recruitment"]))
                for mine, theirs in zip(checks, expected["recruitment"]):
                    a, b = dict(mine["recruitment"]), dict(theirs["recruitment"])
                    for key in ("gainBits", "costBits"):
                        if key in b:
                            self.assertAlmostEqual(a.pop(key), b.pop(key), delta=1e-9 * (1 + abs(theirs["recruitment"][key])))
                    self.assertEqual((mine["step"], a), (theirs["step"], b))
                final = checkpoint.load(folder)["config"]
                if expected["localist"] is not None:
                    for key in ("blocks", "routing", "margin"):
                        self.assertEqual(final["localist"][key], expected["localist"][key], key)
                    if "recruitment" in expected["localist"]:
                        mine, theirs = final["localist"]["recruitment"], expected["localist"]["recruitment"]
                        self.assertEqual(mine["checkedAt"], theirs["checkedAt"])
                        self.assertEqual([e["into"] for e in mine["events"]], [e["into"] for e in theirs["events"]])
                self.assertEqual(final.get("anchors"), expected["anchors"])

    def test_the_same_anchors_from_the_same_corpus(self):
        for name in CASES:
            expected = read_json(os.path.join(HERE, name, "expected.json"))
            if expected["anchors"] is None:
                continue
            with self.subTest(name):
                saved = checkpoint.load(os.path.join(HERE, name))
                stored = saved["config"]
                corpus = checkpoint.load_corpus(os.path.join(HERE, name))
                kind = "sinks" if expected["anchors"]["kind"] == "sinks" else expected["anchors"]["selection"]
                count = expected["anchors"]["count"] if kind == "sinks" else len(expected["anchors"]["tokens"])
                local = stored.get("localist")
                chosen = choose_anchors(kind, count, corpus["train"], stored["model"]["vocabSize"], stored["model"]["context"],
                                        stored["training"]["seed"], local["blocks"] if local else None)
                want = expected["anchors"]
                if "scores" in want:
                    np.testing.assert_allclose(chosen.pop("scores"), want["scores"], rtol=1e-9)
                    want = {k: v for k, v in want.items() if k != "scores"}
                self.assertEqual(chosen, want)


if __name__ == "__main__":
    unittest.main()
