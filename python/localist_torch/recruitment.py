"""Recruitment (docs/math.md#recruitment), as src/localist/recruitment.ts and
src/workflows/recruit.ts do it: every R steps, split the block whose 2-means split (on the layer-0
keys k_v = LN₁(E[v]) W_k of its tokens, weighted by frequency) most lowers the class-bigram code
length of the training split,

    L(g) = −Σ_i log₂ p(g(x_i) | g(x_{i−1})) − Σ_i log₂ p(x_i | g(x_i))   (bits),

when the drop exceeds the cost of the new block, C = n_b + (2G + 1)·½ log₂ N. The same splits
from the same keys: sums run in the TypeScript loops' order (np.cumsum is sequential) where a
comparison depends on them.
"""
import math

import numpy as np

SAMPLE_POSITIONS = 200_000


def class_bigram_bits(ids, token_blocks, g):
    """L(g) of a token stream under a block assignment, in bits."""
    ids = np.asarray(ids, np.int64)
    if len(ids) < 2:
        return 0.0
    blocks = np.asarray(token_blocks, np.int64)
    a, b = blocks[ids[:-1]], blocks[ids[1:]]
    pairs = np.bincount(a * g + b, minlength=g * g).astype(np.float64)
    previous = np.bincount(a, minlength=g).astype(np.float64)
    block_count = np.bincount(b, minlength=g).astype(np.float64)
    nz = np.nonzero(pairs)[0]
    bits = -np.cumsum(pairs[nz] * np.log2(pairs[nz] / previous[nz // g]))[-1] if len(nz) else 0.0
    # Tokens in order of first appearance (the TypeScript Map's order).
    tokens, first, counts = np.unique(ids[1:], return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    tokens, counts = tokens[order], counts[order].astype(np.float64)
    terms = counts * np.log2(counts / block_count[blocks[tokens]])
    values = np.concatenate([[bits], -terms])
    return float(np.cumsum(values)[-1])


def split_cost_bits(tokens_in_block, blocks, positions):
    return tokens_in_block + (2 * blocks + 1) * 0.5 * math.log2(max(2, positions))


def _distances(points, centre):
    return np.cumsum((points - centre) ** 2, axis=1)[:, -1]


def two_means(points, w, iterations=20):
    """Weighted 2-means of the rows of `points` (n, d): 0/1 per row, as twoMeans in TypeScript."""
    n = len(w)
    labels = np.zeros(n, np.uint8)
    if n < 2:
        return labels
    w = np.asarray(w, np.float64)
    first = int(np.argmax(w))
    centres = [points[first].copy(), None]
    score = w * _distances(points, centres[0])
    far = 1 if first == 0 else 0
    for i in range(n):
        if score[i] > score[far]:
            far = i
    centres[1] = points[far].copy()
    for it in range(iterations):
        new = (_distances(points, centres[1]) < _distances(points, centres[0])).astype(np.uint8)
        changed = bool((new != labels).any())
        labels = new
        for c in (0, 1):
            mine = labels == c
            if not mine.any():
                continue
            mass = np.cumsum(w[mine])[-1]
            if mass > 0:
                centres[c] = np.cumsum(w[mine, None] * points[mine], axis=0)[-1] / mass
        if not changed and it > 0:
            break
    return labels


def token_keys(embedding, scale, bias, wk):
    """Layer-0 keys k_v = LN(E[v]) W_k (V, D), in float64."""
    e = np.asarray(embedding, np.float64)
    d = e.shape[1]
    mean = np.cumsum(e, axis=1)[:, -1:] / d
    variance = np.cumsum((e - mean) ** 2, axis=1)[:, -1:]
    inv = 1 / np.sqrt(variance / d + 1e-5)
    normed = (e - mean) * inv * np.asarray(scale, np.float64) + np.asarray(bias, np.float64)
    return normed @ np.asarray(wk, np.float64)


def best_split(ids, token_blocks, blocks, keys):
    """The candidate {block, moved, kept, gainBits, costBits} with the most gain over cost, or None."""
    ids = np.asarray(ids, np.int64)
    token_blocks = np.asarray(token_blocks, np.int64)
    frequency = np.bincount(ids, minlength=len(token_blocks)).astype(np.float64)
    before = class_bigram_bits(ids, token_blocks, blocks)
    best = None
    for b in range(blocks):
        members = np.nonzero((token_blocks == b) & (frequency > 0))[0]
        if len(members) < 2:
            continue
        labels = two_means(keys[members], frequency[members])
        moved = members[labels == 1]
        if len(moved) == 0 or len(moved) == len(members):
            continue
        trial = token_blocks.copy()
        trial[moved] = blocks
        gain = before - class_bigram_bits(ids, trial, blocks + 1)
        cost = split_cost_bits(len(members), blocks, len(ids))
        if best is None or gain - cost > best["gainBits"] - best["costBits"]:
            best = {"block": b, "moved": [int(x) for x in moved], "kept": [int(x) for x in members[labels == 0]],
                    "gainBits": float(gain), "costBits": float(cost)}
    return best


def split_blocks(blocks, candidate):
    """The moved tokens form block `<name>.2` (last), the rest `<name>.1`."""
    name = blocks["names"][candidate["block"]]
    names = list(blocks["names"])
    names[candidate["block"]] = f"{name}.1"
    names.append(f"{name}.2")
    token_blocks = list(blocks["tokenBlocks"])
    for token in candidate["moved"]:
        token_blocks[token] = len(names) - 1
    return {**blocks, "names": names, "tokenBlocks": token_blocks}


def split_routing(routing, b):
    """Rows and columns of the new block copy b's; heads that pointed at b share the halves."""
    g, heads = routing["blocks"], routing["heads"]
    nxt = g + 1
    old = np.asarray(routing["targets"], np.int64).reshape(heads, g, g)
    source = [x if x < g else b for x in range(nxt)]
    targets = old[:, source][:, :, source].copy()
    pointing = [h for h in range(heads) if (old[h, :, b] == 1).any()]
    if len(pointing) >= 2:
        for i, h in enumerate(pointing):
            targets[h, :, g if i % 2 == 0 else b] = 0  # even: keep the first half; odd: the new one
    return {"heads": heads, "blocks": nxt, "targets": [int(x) for x in targets.reshape(-1)]}


def _examples(ids, frequency, vocabulary):
    return [vocabulary[t] for t in sorted(ids, key=lambda t: (-frequency[t], t))[:6]]


class Recruiter:
    """The recruitment of a run: `check(weights, step)` → (new localist entry or None, log record)."""

    def __init__(self, entry, train, vocabulary, vocab_size):
        self.entry = entry
        self.sample = np.asarray(train[:SAMPLE_POSITIONS], np.int64)
        self.frequency = np.bincount(self.sample, minlength=vocab_size).astype(np.float64)
        self.vocabulary = vocabulary
        self.every = entry["recruitment"]["every"]

    def due(self, step, steps):
        # Never at the last step: a change there would be saved without being trained.
        return 0 < step < steps and step % self.every == 0 and step > self.entry["recruitment"]["checkedAt"]

    def check(self, weights, step):
        """Runs the check of `step` on host weights (name → array); returns (split?, log record)."""
        entry = self.entry
        log = entry["recruitment"]
        blocks, routing = entry["blocks"], entry["routing"]
        if blocks["kind"] != "tokens":
            return False, None
        checked = {**log, "checkedAt": step}
        if len(blocks["names"]) >= log["maxBlocks"]:
            self.entry = {**entry, "recruitment": checked}
            return False, {"step": step, "recruitment": {"split": False, "reason": f"{log['maxBlocks']} blocks, the most allowed"}}
        keys = token_keys(weights["tokenEmbedding"], weights["layers.0.ln1Scale"], weights["layers.0.ln1Bias"], weights["layers.0.wk"])
        candidate = best_split(self.sample, blocks["tokenBlocks"], len(blocks["names"]), keys)
        if candidate is None or candidate["gainBits"] <= candidate["costBits"]:
            self.entry = {**entry, "recruitment": checked}
            record = {"split": False}
            if candidate is not None:
                record["best"] = {"block": blocks["names"][candidate["block"]], "gainBits": candidate["gainBits"],
                                  "costBits": candidate["costBits"]}
            return False, {"step": step, "recruitment": record}
        split = split_blocks(blocks, candidate)
        event = {
            "step": step,
            "block": blocks["names"][candidate["block"]],
            "into": [split["names"][candidate["block"]], split["names"][-1]],
            "sizes": [len(candidate["kept"]), len(candidate["moved"])],
            "gainBits": candidate["gainBits"],
            "costBits": candidate["costBits"],
            "examples": [_examples(candidate["kept"], self.frequency, self.vocabulary),
                         _examples(candidate["moved"], self.frequency, self.vocabulary)],
        }
        self.entry = {"blocks": split, "routing": split_routing(routing, candidate["block"]), "margin": entry["margin"],
                      **({"training": entry["training"]} if "training" in entry else {}),
                      "recruitment": {**checked, "events": [*log["events"], event]}}
        return True, {"step": step, "recruitment": {"split": True, **event}}
