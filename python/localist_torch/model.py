"""The localist transformer in PyTorch: the same computation as src/model/transformer.ts.

Token embedding; position encoding (none, learned, sinusoidal or rotary); L pre-LayerNorm blocks
of multi-head causal attention (global, W-local computed in blocks of W queries over 2W keys, or
hybrid: the first ⌈H/2⌉ heads local) and a tanh-GELU MLP; a final LayerNorm and an output head
tied to the embedding. Attention is a kernel local mean with one rule for a row that sees no key
(zero weights, zero output); additive log-biases (the dial, rules) come from a `bias` callable and
the weights can be observed, as the TypeScript attention hooks do.

Shapes: B batch, T positions, D width, H heads, E = D/H, V vocabulary, nb = ⌈T/W⌉ blocks.
"""
import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

LAYER_PARAMS = ("ln1Scale", "ln1Bias", "wq", "wk", "wv", "wo", "ln2Scale", "ln2Bias", "w1", "b1", "w2", "b2")


def local_head_count(config):
    kind = config["attention"]["kind"]
    heads = config["heads"]
    return 0 if kind == "global" else heads if kind == "local" else math.ceil(heads / 2)


def window_of(config):
    return 0 if config["attention"]["kind"] == "global" else config["attention"]["window"]


def parameter_shapes(config):
    v, d, f, t = config["vocabSize"], config["dModel"], config["dMlp"], config["context"]
    shapes = {"tokenEmbedding": (v, d), "lnFScale": (d,), "lnFBias": (d,)}
    if config["positional"] == "learned":
        shapes["positionEmbedding"] = (t, d)
    per_layer = {
        "ln1Scale": (d,), "ln1Bias": (d,), "wq": (d, d), "wk": (d, d), "wv": (d, d), "wo": (d, d),
        "ln2Scale": (d,), "ln2Bias": (d,), "w1": (d, f), "b1": (f,), "w2": (f, d), "b2": (d,),
    }
    for layer in range(config["layers"]):
        for name in LAYER_PARAMS:
            shapes[f"layers.{layer}.{name}"] = per_layer[name]
    return shapes


def init_weights(config, seed):
    """GPT-2-style initial weights (not bit-identical to the TypeScript init: start from an export for that)."""
    generator = np.random.default_rng(seed)
    residual = 1 / math.sqrt(2 * config["layers"])
    weights = {}
    for name, shape in parameter_shapes(config).items():
        leaf = name.split(".")[-1]
        if leaf.endswith("Scale"):
            weights[name] = np.ones(shape, np.float32)
        elif leaf.endswith("Bias") or leaf in ("b1", "b2"):
            weights[name] = np.zeros(shape, np.float32)
        else:
            std = 0.02 * (residual if leaf in ("wo", "w2") else 1)
            weights[name] = (generator.standard_normal(shape) * std).astype(np.float32)
    return weights


def masked_softmax(logits, allowed):
    """softmax over the allowed keys; a row with none gets all-zero weights (never NaN)."""
    masked = logits.masked_fill(~allowed, float("-inf"))
    top = masked.amax(dim=-1, keepdim=True)
    shift = torch.where(torch.isinf(top), torch.zeros_like(top), top)
    e = torch.exp(masked - shift)
    mass = e.sum(dim=-1, keepdim=True)
    return e / torch.where(mass > 0, mass, torch.ones_like(mass))


def causal_mask(length, strict, device=None):
    n = torch.arange(length, device=device)
    return (n[None, :] < n[:, None]) if strict else (n[None, :] <= n[:, None])


def local_block_mask(length, window, strict, device=None):
    """(nb, W, 2W): query i of block b (position bW + i) sees slot j (position (b−1)W + j)."""
    blocks = math.ceil(length / window)
    b = torch.arange(blocks, device=device)[:, None, None]
    i = torch.arange(window, device=device)[None, :, None]
    j = torch.arange(2 * window, device=device)[None, None, :]
    offset = window + i - j
    return (offset >= (1 if strict else 0)) & (offset <= window) & ((b - 1) * window + j >= 0)


def query_blocks(x, window):
    """(B, H, T, F) → (B, H, nb, W, F), zero-padded."""
    b, h, t, f = x.shape
    blocks = math.ceil(t / window)
    x = F.pad(x, (0, 0, 0, blocks * window - t))
    return x.reshape(b, h, blocks, window, f)


def key_blocks(x, window):
    """(B, H, T, F) → (B, H, nb, 2W, F): block b holds blocks b−1 and b (zeros before the start)."""
    current = query_blocks(x, window)
    previous = F.pad(current, (0, 0, 0, 0, 1, 0))[:, :, :-1]
    return torch.cat([previous, current], dim=3)


def beyond_window_mask(length, window, device=None):
    """(nb, W, T) bool: key m lies before the window of query n = bW + i (m < n − W)."""
    blocks = math.ceil(length / window)
    n = torch.arange(blocks * window, device=device).reshape(blocks, window, 1)
    m = torch.arange(length, device=device)[None, None, :]
    return m < n - window


def block_positions(length, window, device=None):
    """Query and key positions of every block-layout cell, and whether both exist."""
    blocks = math.ceil(length / window)
    b = torch.arange(blocks, device=device)[:, None, None]
    query = b * window + torch.arange(window, device=device)[None, :, None]
    key = (b - 1) * window + torch.arange(2 * window, device=device)[None, None, :]
    query, key = torch.broadcast_tensors(query, key)
    valid = (query < length) & (key >= 0) & (key < length)
    return query.clamp(0, length - 1), key.clamp(0, length - 1), valid


def dense_to_blocks(dense, window):
    """A (B, H, T, T) map in the local block layout (B, H, nb, W, 2W); 0 where no such cell."""
    t = dense.shape[-1]
    query, key, valid = block_positions(t, window, dense.device)
    blocks = dense[:, :, query, key]
    return blocks * valid.to(blocks.dtype)


def blocks_to_dense(blocks, length, window):
    """The inverse of dense_to_blocks: (B, H, nb, W, 2W) → (B, H, T, T), 0 outside the window."""
    query, key, valid = block_positions(length, window, blocks.device)
    b, h = blocks.shape[:2]
    dense = blocks.new_zeros(b, h, length, length)
    dense[:, :, query[valid], key[valid]] = blocks[:, :, valid]
    return dense


@functools.lru_cache(maxsize=8)
def sinusoidal_table(length, width):
    # Cached: built by a Python loop on the host, once per (T, D), then moved to the device.
    table = np.zeros((length, width), np.float32)
    for p in range(length):
        for i in range(0, width, 2):
            angle = p / math.pow(10000, i / width)
            table[p, i] = math.sin(angle)
            if i + 1 < width:
                table[p, i + 1] = math.cos(angle)
    return torch.from_numpy(table)


@functools.lru_cache(maxsize=8)
def rotary_tables(length, head_width):
    half = head_width // 2
    angles = np.array(
        [[p * math.pow(10000, (-2 * i) / head_width) for i in range(half)] for p in range(length)],
        np.float64,
    )
    return torch.from_numpy(np.cos(angles).astype(np.float32)), torch.from_numpy(np.sin(angles).astype(np.float32))


def apply_rotary(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


def layer_norm(x, scale, bias):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * scale + bias


class LocalistTransformer(torch.nn.Module):
    """The model; parameters by the checkpoint's dotted names (see `named`)."""

    def __init__(self, config, weights):
        super().__init__()
        self.config = config
        self.params = torch.nn.ParameterDict(
            {name.replace(".", "__"): torch.nn.Parameter(torch.as_tensor(np.asarray(w, np.float32)).clone()) for name, w in weights.items()}
        )

    def named(self, name):
        return self.params[name.replace(".", "__")]

    def state_numpy(self):
        """name → float32 numpy array, for checkpoints."""
        return {name.replace("__", "."): p.detach().cpu().numpy().astype(np.float32) for name, p in self.params.items()}

    def attention(self, x, layer, rotary, bias, observe, visible=None):
        cfg = self.config
        b, t, d = x.shape
        h = cfg["heads"]
        e = d // h
        p = lambda name: self.named(f"layers.{layer}.{name}")  # noqa: E731
        split = lambda y: y.reshape(b, t, h, e).transpose(1, 2)  # noqa: E731  (B, H, T, E)
        q, k, v = split(x @ p("wq")), split(x @ p("wk")), split(x @ p("wv"))
        if rotary is not None:
            q, k = apply_rotary(q, *rotary), apply_rotary(k, *rotary)
        biases = bias(layer) if bias else {}
        local = local_head_count(cfg)
        outputs, seen = [], {}
        if local > 0:
            w = window_of(cfg)
            qb, kb, vb = query_blocks(q[:, :local], w), key_blocks(k[:, :local], w), key_blocks(v[:, :local], w)
            scores = qb @ kb.transpose(-1, -2) / math.sqrt(e)  # (B, Hl, nb, W, 2W)
            logits = scores if biases.get("local") is None else scores + dense_to_blocks(biases["local"], w)
            allowed = local_block_mask(t, w, cfg["strict"], x.device)
            if visible is None:
                weights = masked_softmax(logits, allowed)
                out = weights @ vb
            else:
                # Anchors: keys before the window that are visible join the same softmax, unbiased
                # (src/attention/causal.ts): logits over [2W window slots | T far keys].
                far_scores = qb @ k[:, :local, None].transpose(-1, -2) / math.sqrt(e)  # (B, Hl, nb, W, T)
                far_allowed = beyond_window_mask(t, w, x.device)[None] & visible[:, None, None, :].bool()  # (B, nb, W, T)
                near_allowed = allowed[None].expand(b, *allowed.shape)
                joint = masked_softmax(
                    torch.cat([logits, far_scores], dim=-1),
                    torch.cat([near_allowed, far_allowed], dim=-1)[:, None],
                )
                weights, far = joint[..., : 2 * w], joint[..., 2 * w :]
                out = weights @ vb + far @ v[:, :local, None]
            out = out.reshape(b, local, -1, e)[:, :, :t]
            outputs.append(out)
            if observe:
                seen["local"] = {"weights": blocks_to_dense(weights, t, w), "scores": blocks_to_dense(scores, t, w)}
                if visible is not None:
                    # The far part in dense form: query bW + i, key m (disjoint from the window).
                    seen["local"]["far"] = {
                        "weights": far.reshape(b, local, -1, t)[:, :, :t],
                        "scores": far_scores.reshape(b, local, -1, t)[:, :, :t],
                    }
        if local < h:
            scores = q[:, local:] @ k[:, local:].transpose(-1, -2) / math.sqrt(e)  # (B, Hg, T, T)
            logits = scores if biases.get("global") is None else scores + biases["global"]
            weights = masked_softmax(logits, causal_mask(t, cfg["strict"], x.device))
            outputs.append(weights @ v[:, local:])
            if observe:
                seen["global"] = {"weights": weights, "scores": scores}
        if observe:
            observe(layer, seen)
        merged = torch.cat(outputs, dim=1).transpose(1, 2).reshape(b, t, d)
        return merged @ p("wo")

    def forward(self, tokens, bias=None, observe=None, visible=None):
        """Logits (B, T, V) of token ids (B, T). `bias(layer)` → {"global": (B, Hg, T, T),
        "local": (B, Hl, T, T) dense} additive log-biases; `observe(layer, attention)` sees dense
        weights and content scores per head group (local heads with anchors: also "far", the
        keys before the window); `visible` (B, T) marks anchor keys, seen by every later query
        of a local head beyond its window."""
        cfg = self.config
        t = tokens.shape[1]
        d = cfg["dModel"]
        x = self.named("tokenEmbedding")[tokens]
        if cfg["positional"] == "learned":
            x = x + self.named("positionEmbedding")[:t]
        if cfg["positional"] == "sinusoidal":
            x = x + sinusoidal_table(t, d).to(x.device)
        rotary = None
        if cfg["positional"] == "rotary":
            rotary = tuple(table.to(x.device) for table in rotary_tables(t, d // cfg["heads"]))
        for layer in range(cfg["layers"]):
            p = lambda name: self.named(f"layers.{layer}.{name}")  # noqa: E731
            x = x + self.attention(layer_norm(x, p("ln1Scale"), p("ln1Bias")), layer, rotary, bias, observe, visible)
            hidden = F.gelu(layer_norm(x, p("ln2Scale"), p("ln2Bias")) @ p("w1") + p("b1"), approximate="tanh")
            x = x + hidden @ p("w2") + p("b2")
        x = layer_norm(x, self.named("lnFScale"), self.named("lnFBias"))
        return x @ self.named("tokenEmbedding").T
