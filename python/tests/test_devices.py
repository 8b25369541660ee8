"""Devices, precision, gradient accumulation and the loss scaler of localist_torch.train, on CPU:
a device or precision the machine cannot run is one line and exit 2; K micro-batches give one
big batch's gradient; a bf16 run follows the fp32 one within bf16's tolerance."""
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from localist_torch import checkpoint
from localist_torch.batches import sample_batch, training_dial
from localist_torch.model import LocalistTransformer
from localist_torch.train import LossScaler, batch_gradients

from tests.helpers import PARITY, losses, make_run, train


class RefusalsTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp()
        self.run_dir = os.path.join(self.work, "run")
        make_run(self.run_dir, steps=2)

    def tearDown(self):
        shutil.rmtree(self.work)

    def refused(self, *flags):
        out = train(self.run_dir, *flags, check=False)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertEqual(out.stdout, "")
        self.assertEqual(len(out.stderr.strip().split("\n")), 1, out.stderr)
        return out.stderr.strip()

    @unittest.skipIf(torch.cuda.is_available(), "this machine has CUDA")
    def test_cuda_without_cuda_is_one_line(self):
        self.assertRegex(self.refused("--device", "cuda"),
                         r"^error: --device cuda needs a CUDA GPU, but torch .* sees none here; use --device cpu \(or auto\)$")

    @unittest.skipIf(torch.cuda.is_available(), "this machine has CUDA")
    def test_fp16_on_cpu_and_bad_values(self):
        self.assertEqual(self.refused("--precision", "fp16"),
                         "error: --precision fp16 needs --device cuda (CPU autocast runs bf16); use --precision bf16 or fp32 on CPU")
        self.assertEqual(self.refused("--precision", "fp8"), "error: --precision must be one of fp32, bf16, fp16, got 'fp8'")
        self.assertEqual(self.refused("--device", "tpu"), "error: --device must be one of auto, cpu, cuda, got 'tpu'")
        self.assertEqual(self.refused("--grad-accum", "0"), "error: --grad-accum must be ≥ 1, got 0")

    @unittest.skipIf(hasattr(torch, "compile"), "this torch has torch.compile")
    def test_compile_on_torch_1_is_one_line(self):
        self.assertRegex(self.refused("--compile"), r"^error: --compile needs torch ≥ 2 \(torch.compile\); this is torch 1\.")


class GradientAccumulationTest(unittest.TestCase):
    def test_micro_batches_give_the_big_batch_gradient(self):
        saved = checkpoint.load(os.path.join(PARITY, "hybrid-rotary"))
        config, structure = saved["config"]["model"], saved["config"]["localist"]
        anchors = {"kind": "tokens", "selection": "random", "tokens": [3, 7]}
        ids = np.random.default_rng(1).integers(0, 20, size=300)
        inputs, targets = sample_batch(ids, 8, config["context"], 5, 2)
        dial = training_dial({"dial": 0.5, "schedule": "linear", "penalty": 0.2}, config["layers"], config["heads"], 5, 2)
        grads = []
        for micro in (1, 2, 4):
            model = LocalistTransformer(config, saved["weights"])
            values = batch_gradients(model, config, inputs, targets, structure=structure, anchors=anchors, dial=dial,
                                     gamma=0.2, micro=micro)
            grads.append((values, {n: p.grad.clone() for n, p in model.params.items()}))
        (v1, g1) = grads[0]
        for values, g in grads[1:]:
            torch.testing.assert_close(values, v1, rtol=1e-6, atol=1e-7)
            for name in g1:
                torch.testing.assert_close(g[name], g1[name], rtol=1e-5, atol=1e-6)
        with self.assertRaisesRegex(ValueError, "8 rows do not split into 3 micro-batches"):
            batch_gradients(model, config, inputs, targets, micro=3)

    def test_trainer_with_grad_accum_trains_like_without(self):
        work = tempfile.mkdtemp()
        try:
            one, two = os.path.join(work, "one"), os.path.join(work, "two")
            make_run(one, steps=4)
            shutil.copytree(one, two)
            train(one)
            train(two, "--grad-accum", "2")
            np.testing.assert_allclose(losses(one), losses(two), rtol=1e-5)
            # --batch overrides the run's batch, and the checkpoint records it.
            three = os.path.join(work, "three")
            make_run(three, steps=2)
            train(three, "--batch", "8", "--grad-accum", "4")
            self.assertEqual(checkpoint.load(three)["config"]["training"]["batch"], 8)
        finally:
            shutil.rmtree(work)


class PrecisionTest(unittest.TestCase):
    def test_bf16_on_cpu_follows_fp32(self):
        work = tempfile.mkdtemp()
        try:
            full, half = os.path.join(work, "fp32"), os.path.join(work, "bf16")
            make_run(full, steps=4)
            shutil.copytree(full, half)
            train(full, "--device", "cpu")
            out = train(half, "--device", "cpu", "--precision", "bf16")
            self.assertIn("cpu, bf16", out.stdout)
            a, b = losses(full), losses(half)
            self.assertEqual(len(b), 4)
            # bf16 keeps 8 bits of mantissa (relative error 2⁻⁹ per product): the losses agree to 2 %.
            np.testing.assert_allclose(b, a, rtol=2e-2)
            self.assertGreater(max(abs(x - y) for x, y in zip(a, b)), 0.0)  # it did run in bf16
        finally:
            shutil.rmtree(work)

    def test_loss_scaler_unscales_skips_and_adapts(self):
        p = torch.nn.Parameter(torch.ones(3))
        scaler = LossScaler(True, scale=8.0, interval=2)
        (p.sum() * scaler.scale).backward()
        self.assertTrue(scaler.unscale([p]))
        torch.testing.assert_close(p.grad, torch.ones(3))
        scaler.update(True)
        scaler.update(True)
        self.assertEqual(scaler.scale, 16.0)
        p.grad = torch.tensor([1.0, float("inf"), 0.0])
        self.assertFalse(scaler.unscale([p]))
        scaler.update(False)
        self.assertEqual(scaler.scale, 8.0)
        off = LossScaler(False)
        self.assertEqual(off.scale, 1.0)


if __name__ == "__main__":
    unittest.main()
