"""Anchors (docs/math.md#anchors), as src/localist/anchors.ts, anchorScores.ts and
src/workflows/anchors.ts choose and apply them: keys that every later query of a local head may
see beyond its window.

    tokens  every occurrence of chosen vocabulary tokens: the top K by mutual information, or K
            drawn at random from the 200 most frequent (a control);
    sinks   the first K positions of every window.

The mutual information of token v with a label Y of each position i (the block g(x_i) of a
localist model with token blocks, else the token x_i itself), X_v = 1 when v occurs among the w
tokens before i:

    I(X_v; Y) = Σ_{x ∈ {0,1}} Σ_y p(x, y) log₂ [p(x, y) / (p(x) p(y))]   (bits),

from counts over the first 200,000 positions of the training split, w = the model's context.
"""
import math

import numpy as np

from .batches import MASK, _imul

UNK_ID = 0
SCORED_POSITIONS = 200_000
RANDOM_POOL = 200
CHUNK = 4096  # positions per vectorized block of the count (memory C·w)


def seeded_uniform(seed):
    """The uniform [0, 1) stream of src/engine/random.ts seededUniform (mulberry32)."""
    state = seed & MASK

    def draw():
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = _imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + _imul(t ^ (t >> 7), t | 61)) & MASK)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return draw


def anchor_scores(ids, labels, vocab_size, label_count, window):
    """(bits (V,) float64, present (V,) float64): I(X_v; Y) and n_v for every token v."""
    ids = np.asarray(ids, np.int64)
    labels = np.asarray(labels, np.int64)
    n = len(ids)
    present = np.zeros(vocab_size)
    keys, counts = [], []
    padded = np.concatenate([np.full(window, -1, np.int64), ids])
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        # Row i holds x_{i−w} … x_{i−1} (−1 before the stream); each distinct token counts once.
        rows = np.lib.stride_tricks.sliding_window_view(padded[start : stop + window - 1], window)[: stop - start]
        rows = np.sort(rows, axis=1)
        first = np.ones(rows.shape, bool)
        first[:, 1:] = rows[:, 1:] != rows[:, :-1]
        first &= rows >= 0
        token = rows[first]
        label = np.broadcast_to(labels[start:stop, None], rows.shape)[first]
        present += np.bincount(token, minlength=vocab_size)
        key, count = np.unique(token * label_count + label, return_counts=True)
        keys.append(key)
        counts.append(count)
    label_total = np.bincount(labels, minlength=label_count).astype(np.float64)
    if keys:
        key, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        joint = np.bincount(inverse, weights=np.concatenate(counts).astype(np.float64))
    else:
        key, joint = np.zeros(0, np.int64), np.zeros(0)
    token, label = key // label_count, key % label_count
    n1 = present[token]
    p1 = n1 / n
    p0 = 1 - p1
    py = label_total[label] / n
    both = joint / n
    rest = (label_total[label] - joint) / n
    keep = (n1 > 0) & (n1 < n)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = both * np.log(both / (p1 * py))
        terms += np.where(rest > 0, rest * np.log(np.where(rest > 0, rest, 1) / (p0 * py)), 0.0)
    info = np.zeros(vocab_size)
    seen_mass = np.zeros(vocab_size)
    np.add.at(info, token[keep], terms[keep])
    np.add.at(seen_mass, token[keep], py[keep])
    # Labels never seen with the token: p(0, y) = p(y), each term p(y) log(1/p0).
    scored = (present > 0) & (present < n)
    p0_all = 1 - present / n
    with np.errstate(divide="ignore"):
        info += np.where(scored, (1 - seen_mass) * np.log(1 / np.where(scored, p0_all, 1)), 0.0)
    bits = np.where(scored, np.maximum(0.0, info / math.log(2)), 0.0)
    return bits, present


def top_anchors(bits, k, exclude=(UNK_ID,)):
    """The K best-scoring token ids, best first (ties: the lower id), leaving out `exclude`."""
    order = sorted((t for t in range(len(bits)) if t not in exclude and bits[t] > 0), key=lambda t: (-bits[t], t))
    return order[:k]


def score_tokens(train, vocab_size, window, blocks=None):
    """(bits, present, target) over the first 200,000 training positions."""
    ids = np.asarray(train[:SCORED_POSITIONS], np.int64)
    if blocks is not None and blocks["kind"] == "tokens":
        labels = np.asarray(blocks["tokenBlocks"], np.int64)[ids]
        return (*anchor_scores(ids, labels, vocab_size, len(blocks["names"]), window), "blocks")
    return (*anchor_scores(ids, ids, vocab_size, vocab_size, window), "next-token")


def choose_anchors(kind, count, train, vocab_size, window, seed, blocks=None):
    """The `anchors` checkpoint entry localist writes for `--anchors K --anchor-kind KIND`."""
    if kind == "sinks":
        return {"kind": "sinks", "count": count}
    if kind == "random":
        frequency = np.bincount(np.asarray(train, np.int64), minlength=vocab_size)
        pool = sorted((t for t in range(vocab_size) if t != UNK_ID and frequency[t] > 0), key=lambda t: (-frequency[t], t))
        pool = pool[:RANDOM_POOL]
        if len(pool) < count:
            raise ValueError(f"the training split has only {len(pool)} distinct tokens")
        uniform = seeded_uniform(seed ^ 0x2545F491)
        for i in range(count):
            j = i + math.floor(uniform() * (len(pool) - i))
            pool[i], pool[j] = pool[j], pool[i]
        return {"kind": "tokens", "selection": "random", "tokens": pool[:count]}
    if kind != "mutual-information":
        raise ValueError(f"anchor kind must be one of mutual-information, sinks, random, got {kind!r}")
    bits, _, target = score_tokens(train, vocab_size, window, blocks)
    top = top_anchors(bits, count)
    if not top:
        raise ValueError("no token carries information about the labels; the corpus is too small")
    return {"kind": "tokens", "selection": "mutual-information", "target": target, "window": window,
            "tokens": top, "scores": [float(bits[t]) for t in top]}


def anchor_flags(anchors, tokens):
    """(B, T) bool: where a batch of windows (B, T) holds an anchor."""
    tokens = np.asarray(tokens)
    if anchors["kind"] == "sinks":
        return np.broadcast_to(np.arange(tokens.shape[1]) < anchors["count"], tokens.shape).copy()
    table = np.zeros(max(int(tokens.max()) + 1, max(anchors["tokens"]) + 1), bool)
    table[anchors["tokens"]] = True
    return table[tokens]
