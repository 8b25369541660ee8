"""The localist model's dial, penalty and certified bound (src/localist/*.ts, docs/math.md).

Blocks g(·) (a token table or positional windows) and routing T_h give the relevant set
R_h(i) = {allowed j : g(x_j) ∈ T_h(g(x_i))}; the dial adds b_ij = λ_{ℓ,h}·m·(rel − 1) to the
logits; the group-sparsity penalty is Ω(a_i) = Σ_{g ∉ T(i)} (√(s_ig + ε) − √ε) averaged over
rows, heads and layers; the certified bound is ε_i ≤ 1/(1 + (n_in/n_out)·exp(λm − Δ_i)).
"""
import math

import numpy as np
import torch

from .model import local_head_count, window_of

PENALTY_EPSILON = 1e-12
SCHEDULES = {"uniform": 0, "linear": 1, "cubic": 3, "quintic": 5}


def block_ids(blocks, tokens):
    """(B, T) block ids of token ids (B, T) (numpy or torch)."""
    tokens = np.asarray(tokens)
    if blocks["kind"] == "window":
        positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)
        return positions // blocks["width"]
    return np.asarray(blocks["tokenBlocks"], np.int64)[tokens]


def routing_targets(routing, device=None):
    """(H, G, G) 0/1 float32: targets[h, a, b] = 1 when block b is a target of block a in head h."""
    h, g = routing["heads"], routing["blocks"]
    return torch.tensor(np.asarray(routing["targets"], np.float32).reshape(h, g, g), device=device)


def relevance(ids, targets):
    """rel[b, h, i, j] = T_h(g(x_i), g(x_j)) ∈ {0, 1}: (B, H, T, T)."""
    ids = torch.as_tensor(np.asarray(ids, np.int64), device=targets.device)
    return targets[:, ids[:, :, None], ids[:, None, :]].permute(1, 0, 2, 3)


def dial_matrix(value, schedule, layers, heads):
    """The (L, H) dial from a scalar, per-layer list or per-head rows, shaped by a schedule."""
    beta = SCHEDULES[schedule]
    rows = []
    for layer in range(layers):
        if isinstance(value, (int, float)):
            row = [float(value)] * heads
        elif isinstance(value[0], (int, float)):
            row = [float(value[layer])] * heads
        else:
            row = [float(x) for x in value[layer]]
        shape = 1.0 if beta == 0 or layers == 1 else (layer / (layers - 1)) ** beta
        rows.append([x * shape for x in row])
    return torch.tensor(rows, dtype=torch.float32)


def dial_bias(structure, config, tokens, dial, device=None):
    """The `bias(layer)` callable of the dial for token ids (B, T) and an (L, H) dial."""
    rel = relevance(block_ids(structure["blocks"], tokens), routing_targets(structure["routing"], device))
    dial = dial.to(rel.device)
    local = local_head_count(config)
    margin = structure["margin"]

    def bias(layer):
        lam = dial[layer][None, :, None, None]  # (1, H, 1, 1)
        full = (rel - 1) * lam * margin
        return {"local": full[:, :local] if local else None, "global": full[:, local:] if local < config["heads"] else None}

    return bias, rel


def layer_penalty(weights, ids, structure):
    """Σ over rows and heads of Ω for one layer's dense weights (B, H, T, T), divided by B·H·T."""
    g = structure["routing"]["blocks"]
    targets = routing_targets(structure["routing"], weights.device)  # (H, G, G)
    ids = torch.as_tensor(np.asarray(ids, np.int64), device=weights.device)
    keys = torch.nn.functional.one_hot(ids, g).to(weights.dtype)  # (B, T, G)
    mass = (weights**2) @ keys[:, None]  # (B, H, T, G)
    on_target = targets[:, ids].permute(1, 0, 2, 3)  # (B, H, T, G): target groups of query i
    norms = torch.sqrt(mass + PENALTY_EPSILON) - math.sqrt(PENALTY_EPSILON)
    b, h, t, _ = mass.shape
    return (norms * (1 - on_target)).sum() / (b * h * t)


def allowed_keys(config, head, length):
    """(T, T) bool: key m visible to query n in `head` (the causal mask, and the window for local heads)."""
    n = torch.arange(length)
    allowed = (n[None, :] < n[:, None]) if config["strict"] else (n[None, :] <= n[:, None])
    if head < local_head_count(config):
        allowed &= (n[:, None] - n[None, :]) <= window_of(config)
    return allowed


def leak_bound(n_in, n_out, spread, strength):
    if n_out == 0:
        return 0.0
    return 1.0 / (1.0 + (n_in / n_out) * math.exp(strength - spread))


def row_metrics(weights, scores, allowed, relevant, strength):
    """Entropy (bits), pointer fidelity and the certified leak bound of one attention row
    (1-D sequences over the keys); None when the row sees no key."""
    entropy = fidelity = 0.0
    n_in = n_out = 0
    max_out, min_in = -math.inf, math.inf
    for j in range(len(weights)):
        if not allowed[j]:
            continue
        a = float(weights[j])
        if a > 0:
            entropy -= a * math.log2(a)
        if relevant[j]:
            n_in += 1
            fidelity += a
            min_in = min(min_in, float(scores[j]))
        else:
            n_out += 1
            max_out = max(max_out, float(scores[j]))
    if n_in + n_out == 0:
        return None
    if n_in == 0:
        return {"entropy": entropy, "fidelity": math.nan, "leakBound": math.nan, "nIn": 0, "nOut": n_out}
    spread = -math.inf if n_out == 0 else max_out - min_in
    return {
        "entropy": entropy,
        "fidelity": min(1.0, fidelity),
        "leakBound": leak_bound(n_in, n_out, spread, strength),
        "nIn": n_in,
        "nOut": n_out,
    }
