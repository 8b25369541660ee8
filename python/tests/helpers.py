"""Shared pieces of the localist_torch tests: paths, JSON, small run folders and running the trainer."""
import json
import os
import subprocess
import sys

import numpy as np

from localist_torch import checkpoint, safetensors_io

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures")
PARITY = os.path.join(FIXTURES, "torch-parity")


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def make_run(folder, steps=6, batch=4, localist_training=None, corpus_size=400):
    """A run folder from the hybrid-rotary parity checkpoint, with a random corpus of ids 2–19."""
    saved = checkpoint.load(os.path.join(PARITY, "hybrid-rotary"))
    stored = dict(saved["config"])
    stored["training"] = {**stored["training"], "steps": steps, "batch": batch, "checkpointEvery": 3, "learningRate": 0.01}
    stored["localist"] = {**stored["localist"],
                          "training": localist_training or {"penalty": 0.1, "dial": {"range": [0, 1]}, "schedule": "uniform"}}
    os.makedirs(folder)
    checkpoint.save(folder, config=stored, tokenizer=saved["tokenizer"], weights=saved["weights"], optimizer=None, step=0)
    rng = np.random.default_rng(0)
    corpus = {name: rng.integers(2, 20, size=corpus_size).astype(np.int32) for name in ("train", "valid", "test")}
    with open(os.path.join(folder, "corpus.safetensors"), "wb") as handle:
        handle.write(safetensors_io.encode(corpus))
    return saved


def train(folder, *flags, processes=1, check=True):
    """Runs the trainer on `folder` (torchrun for several processes); the CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "python")}
    if processes == 1:
        command = [sys.executable, "-m", "localist_torch.train", folder, *flags]
    else:
        # --redirects/--tee 1: Debian's torch 1.13 on Python 3.11 mis-parses their default 0.
        command = ["torchrun", "--redirects", "1", "--tee", "1", "--nproc_per_node", str(processes),
                   "-m", "localist_torch.train", folder, *flags]
    return subprocess.run(command, check=check, env=env, capture_output=True, text=True)


def losses(folder):
    return [r["loss"] for r in read_lines(os.path.join(folder, "metrics.jsonl")) if "loss" in r]
