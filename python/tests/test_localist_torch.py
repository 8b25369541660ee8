"""Tests of localist_torch, runnable with Debian's python3-torch:

    cd python && /usr/bin/python3 -m unittest discover -s tests -v

The parity with localist itself is checked on the TypeScript side (test/io/torchParity.test.ts)
against fixtures this package wrote (fixtures/generate_torch_parity.py); here: the package's own
properties, its agreement with those fixtures, and DDP against one process.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

from localist_torch import checkpoint, safetensors_io
from localist_torch.batches import hash32, sample_batch, training_dial
from localist_torch.localist import allowed_keys, block_ids, dial_bias, layer_penalty, relevance, routing_targets, row_metrics
from localist_torch.model import LocalistTransformer, init_weights, masked_softmax

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
PARITY = os.path.join(ROOT, "fixtures", "torch-parity")


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def config(**overrides):
    base = {"vocabSize": 11, "context": 12, "layers": 2, "heads": 2, "dModel": 8, "dMlp": 16,
            "attention": {"kind": "global"}, "positional": "rotary", "strict": False}
    base.update(overrides)
    return base


class SafetensorsTest(unittest.TestCase):
    def test_round_trip(self):
        tensors = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "ids": np.array([3, 1], np.int32)}
        decoded, metadata = safetensors_io.decode(safetensors_io.encode(tensors, {"k": "v"}))
        self.assertEqual(metadata, {"k": "v"})
        for name, array in tensors.items():
            np.testing.assert_array_equal(decoded[name], array)

    def test_truncated_is_refused(self):
        data = safetensors_io.encode({"a": np.zeros(4, np.float32)})
        with self.assertRaises(safetensors_io.SafetensorsError):
            safetensors_io.decode(data[:-3], "x")


class BatchesTest(unittest.TestCase):
    def test_hash32_is_localist_hash32(self):
        # Values printed by src/engine/random.ts hash32.
        self.assertEqual(hash32(1, 2, 3), 2457685943)
        self.assertEqual(hash32(0, 0, 0), 2746145772)
        self.assertEqual(hash32(4294967295, 123456, 7), 3566643471)
        self.assertEqual(hash32((7 ^ 0x5BD1E995) & 0xFFFFFFFF, 10, 0), 4075840023)

    def test_batches_and_dial_draws(self):
        ids = np.arange(100)
        inputs, targets = sample_batch(ids, 3, 5, 1, 4)
        np.testing.assert_array_equal(targets, inputs + 1)
        dial = training_dial({"dial": {"range": [0.2, 0.4]}, "schedule": "linear", "penalty": 0}, 3, 2, 7, 10)
        lam = 0.2 + 0.2 * 4075840023 / 2**32
        np.testing.assert_allclose(dial.numpy(), [[0, 0], [lam / 2, lam / 2], [lam, lam]], rtol=1e-6)


class AttentionTest(unittest.TestCase):
    def test_an_empty_row_gives_zero_weights_and_finite_gradients(self):
        logits = torch.randn(2, 4, requires_grad=True)
        allowed = torch.tensor([[False] * 4, [True, True, False, False]])
        weights = masked_softmax(logits, allowed)
        self.assertEqual(weights[0].abs().sum().item(), 0.0)
        self.assertAlmostEqual(weights[1].sum().item(), 1.0, places=6)
        (weights * torch.arange(4.0)).sum().backward()
        self.assertTrue(torch.isfinite(logits.grad).all())

    def test_blocked_local_attention_equals_a_window_bias_on_global_attention(self):
        for strict in (False, True):
            weights = init_weights(config(strict=strict), 3)
            weights = {k: v * (4 if k.endswith(("wq", "wk")) else 1) for k, v in weights.items()}
            local = LocalistTransformer(config(attention={"kind": "local", "window": 3}, strict=strict), weights)
            glob = LocalistTransformer(config(strict=strict), weights)
            n = torch.arange(12)
            window = torch.where((n[:, None] - n[None, :]) <= 3, 0.0, -1e9)
            tokens = torch.tensor([[1, 4, 2, 8, 5, 7, 3, 3, 9, 0, 6, 2]])
            a = local(tokens)
            b = glob(tokens, bias=lambda layer: {"global": window.expand(1, 2, 12, 12)})
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)

    def test_a_later_token_never_changes_earlier_logits(self):
        for attention in ({"kind": "global"}, {"kind": "local", "window": 2}, {"kind": "hybrid", "window": 2}):
            for positional in ("none", "learned", "sinusoidal", "rotary"):
                cfg = config(attention=attention, positional=positional)
                model = LocalistTransformer(cfg, init_weights(cfg, 5))
                a = model(torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]]))
                b = model(torch.tensor([[1, 2, 3, 4, 0, 0, 0, 0]]))
                torch.testing.assert_close(a[:, :4], b[:, :4], rtol=1e-5, atol=1e-5)


class LocalistTest(unittest.TestCase):
    structure = {
        "blocks": {"kind": "tokens", "names": ["a", "b", "c"], "tokenBlocks": [0, 1, 2, 1, 0, 2, 1, 0, 2, 1, 0]},
        "routing": {"heads": 2, "blocks": 3, "targets": [0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]},
        "margin": 5,
    }

    def test_penalty_against_a_plain_loop(self):
        tokens = np.array([[1, 2, 3, 4, 5, 6]])
        ids = block_ids(self.structure["blocks"], tokens)
        weights = torch.softmax(torch.randn(1, 2, 6, 6), dim=-1)
        got = float(layer_penalty(weights, ids, self.structure))
        targets = np.array(self.structure["routing"]["targets"]).reshape(2, 3, 3)
        total = 0.0
        for h in range(2):
            for i in range(6):
                for g in range(3):
                    if targets[h, ids[0, i], g]:
                        continue
                    s = sum(float(weights[0, h, i, j]) ** 2 for j in range(6) if ids[0, j] == g)
                    total += math.sqrt(s + 1e-12) - math.sqrt(1e-12)
        self.assertAlmostEqual(got, total / 12, places=6)

    def test_the_certified_bound_holds_on_every_row(self):
        cfg = config(attention={"kind": "hybrid", "window": 3}, vocabSize=11)
        weights = {k: v * (3 if k.endswith(("wq", "wk")) else 1) for k, v in init_weights(cfg, 9).items()}
        model = LocalistTransformer(cfg, weights)
        tokens = np.array([[1, 4, 2, 8, 5, 7, 3, 3, 9, 0, 6, 2]])
        for lam in (0.0, 0.3, 1.0):
            dial = torch.full((2, 2), lam)
            bias, rel = dial_bias(self.structure, cfg, tokens, dial)
            seen = []
            model(torch.as_tensor(tokens), bias=bias, observe=lambda layer, s: seen.append(s))
            checked = 0
            for layer, groups in enumerate(seen):
                w = torch.cat([groups[k]["weights"] for k in ("local", "global")], dim=1)[0]
                c = torch.cat([groups[k]["scores"] for k in ("local", "global")], dim=1)[0]
                for h in range(2):
                    allowed = allowed_keys(cfg, h, 12)
                    for n in range(12):
                        m = row_metrics(w[h, n], c[h, n], allowed[n], rel[0, h, n] * allowed[n], lam * 5)
                        if m is None or math.isnan(m["leakBound"]):
                            continue
                        checked += 1
                        self.assertLessEqual(1 - m["fidelity"], m["leakBound"] + 1e-5)
            self.assertGreater(checked, 20)


class ParityFixturesTest(unittest.TestCase):
    def test_the_fixtures_are_what_this_package_computes(self):
        cases = read_json(os.path.join(PARITY, "cases.json"))
        for name in cases:
            folder = os.path.join(PARITY, name)
            saved = checkpoint.load(folder)
            expected = read_json(os.path.join(folder, "expected.json"))
            cfg, structure = saved["config"]["model"], saved["config"]["localist"]
            model = LocalistTransformer(cfg, saved["weights"])
            tokens = np.array([expected["tokens"]])
            bias, _ = dial_bias(structure, cfg, tokens, torch.tensor(expected["dial"]))
            with torch.no_grad():
                logits = model(torch.as_tensor(tokens), bias=bias)
            np.testing.assert_allclose(logits.reshape(-1).numpy(), expected["logits"], rtol=1e-5, atol=1e-5)


class TrainingTest(unittest.TestCase):
    def make_run(self, folder):
        source = os.path.join(PARITY, "hybrid-rotary")
        saved = checkpoint.load(source)
        stored = dict(saved["config"])
        stored["training"] = {**stored["training"], "steps": 6, "batch": 4, "checkpointEvery": 3, "learningRate": 0.01}
        stored["localist"] = {**stored["localist"], "training": {"penalty": 0.1, "dial": {"range": [0, 1]}, "schedule": "uniform"}}
        os.makedirs(folder)
        checkpoint.save(folder, config=stored, tokenizer=saved["tokenizer"], weights=saved["weights"], optimizer=None, step=0)
        rng = np.random.default_rng(0)
        corpus = {name: rng.integers(2, 20, size=400).astype(np.int32) for name in ("train", "valid", "test")}
        with open(os.path.join(folder, "corpus.safetensors"), "wb") as handle:
            handle.write(safetensors_io.encode(corpus))

    def run_training(self, folder, processes):
        env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "python")}
        if processes == 1:
            command = [sys.executable, "-m", "localist_torch.train", folder]
        else:
            # --redirects/--tee 1: Debian's torch 1.13 on Python 3.11 mis-parses their default 0.
            command = ["torchrun", "--redirects", "1", "--tee", "1", "--nproc_per_node", str(processes),
                       "-m", "localist_torch.train", folder]
        subprocess.run(command, check=True, env=env, capture_output=True)
        return [record["loss"] for record in read_lines(os.path.join(folder, "metrics.jsonl"))]

    def test_two_processes_train_like_one(self):
        work = tempfile.mkdtemp()
        try:
            one, two = os.path.join(work, "one"), os.path.join(work, "two")
            self.make_run(one)
            shutil.copytree(one, two)
            a, b = self.run_training(one, 1), self.run_training(two, 2)
            self.assertEqual(len(a), 6)
            np.testing.assert_allclose(a, b, rtol=1e-5)
            saved = checkpoint.load(two)
            self.assertEqual(saved["config"]["step"], 6)
            self.assertEqual(saved["state"], {"step": 6, "optimizerStep": 6})
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main()
