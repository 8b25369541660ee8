"""Training batches and the per-step dial, keyed by (seed, step) exactly as src/train/batches.ts
and src/localist/hook.ts draw them, so a run in PyTorch sees the batches a run in localist sees."""
import numpy as np

from .localist import dial_matrix

MASK = 0xFFFFFFFF


def _imul(a, b):
    return ((a & MASK) * (b & MASK)) & MASK


def hash32(seed, step, i):
    """A 32-bit mix of (seed, step, i): the same numbers as the TypeScript hash32."""
    h = ((seed & MASK) ^ _imul(step + 0x9E3779B9, 0x85EBCA6B) ^ _imul(i + 0x7F4A7C15, 0xC2B2AE35)) & MASK
    h = _imul(h ^ (h >> 16), 0x7FEB352D)
    h = _imul(h ^ (h >> 15), 0x846CA68B)
    return (h ^ (h >> 16)) & MASK


def sample_batch(ids, batch, context, seed, step, rows=None):
    """(inputs, targets), each (B, T) int64: windows starting at hash32(seed, step, b) mod (N − T).
    With `rows` (a slice of range(B)), only those rows: a process reads only its own windows, so a
    memory-mapped stream is read T + 1 tokens per row, never whole."""
    span = len(ids) - context
    if span < 1:
        raise ValueError(f"the training split has {len(ids)} tokens, fewer than context + 1 = {context + 1}")
    chosen = range(batch)[rows] if rows is not None else range(batch)
    inputs = np.empty((len(chosen), context), np.int64)
    targets = np.empty((len(chosen), context), np.int64)
    for r, b in enumerate(chosen):
        start = hash32(seed, step, b) % span
        window = np.asarray(ids[start : start + context + 1], np.int64)
        inputs[r] = window[:-1]
        targets[r] = window[1:]
    return inputs, targets


def training_dial(training, layers, heads, seed, step):
    """The (L, H) dial of a training step: fixed, or λ drawn uniformly from the range."""
    if training is None:
        return dial_matrix(0.0, "uniform", layers, heads)
    dial = training["dial"]
    if isinstance(dial, dict):
        low, high = dial["range"]
        u = hash32((seed ^ 0x5BD1E995) & MASK, step, 0) / 2**32
        dial = low + (high - low) * u
    return dial_matrix(dial, training["schedule"], layers, heads)
