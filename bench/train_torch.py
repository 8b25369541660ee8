"""PyTorch peer for bench/train.bench.ts: the same transformer language model, trained for the
same steps on the same batches, with the same optimizer settings.

Usage:
    /usr/bin/python3 bench/train_torch.py BATCHES --steps S --batch B --context T --layers L
        --d-model D --heads H --d-mlp F --vocab V [--lr 3e-3] [--warmup 5] [--weight-decay 0.1]
        [--clip 1] [--seed 1] [--warm-up-steps 2] [--attention auto|sdpa|explicit]

BATCHES is a little-endian int32 file written by the TypeScript side: for each of the S steps,
the B*T input ids (row-major, B windows of T tokens) and then the B*T target ids.

The model (float32) is localist's (src/model/transformer.ts) with learned positions and global
non-strict causal attention: token embedding (V, D) plus a learned position table (T, D); per
layer a pre-LayerNorm (eps 1e-5, scale and bias) multi-head causal attention with bias-free
wq, wk, wv, wo (D, D) used as x @ W, scores q.k / sqrt(E), a token seeing itself and the tokens
before it, then a residual; a pre-LayerNorm GELU MLP (tanh approximation, jax-js's default)
x @ w1 + b1, @ w2 + b2, then a residual; a final LayerNorm; logits x @ E^T (tied head).
Initialization as localist's (weights N(0, 0.02^2), wo and w2 scaled by 1/sqrt(2L), LayerNorm
scale 1, biases 0), drawn from torch's generator, so the two sides start from different weights.

Training as src/train/trainer.ts: mean next-token cross-entropy, global gradient-norm clipping,
AdamW (betas 0.9, 0.95, eps 1e-8) with weight decay on the 2-D matrices except the position
table, learning rate by linear warm-up then cosine decay to 10% (learningRateAt in
src/train/optimizer.ts). Each step is timed with time.perf_counter (the loss is read back with
.item(), so the step has finished); the rate leaves out the first warm-up steps. One JSON line
goes to stdout.

Attention: "sdpa" is torch's fused F.scaled_dot_product_attention(is_causal=True) (torch >= 2.0);
"explicit" is localist's sequence of operations (scores, mask, softmax, weighted sum); "auto"
(the default) takes sdpa where torch has it, else explicit. torch.set_num_threads is left at
torch's default; the thread count is reported.
"""

import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


def learning_rate_at(step, peak, warmup, total, floor=0.1):
    """localist's learningRateAt: linear warm-up to peak, then cosine decay to peak * floor."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


class Layer(torch.nn.Module):
    def __init__(self, d, f, layers):
        super().__init__()
        residual = 0.02 / math.sqrt(2 * layers)

        def normal(shape, std):
            return torch.nn.Parameter(torch.randn(*shape) * std)

        self.ln1Scale = torch.nn.Parameter(torch.ones(d))
        self.ln1Bias = torch.nn.Parameter(torch.zeros(d))
        self.wq = normal((d, d), 0.02)
        self.wk = normal((d, d), 0.02)
        self.wv = normal((d, d), 0.02)
        self.wo = normal((d, d), residual)
        self.ln2Scale = torch.nn.Parameter(torch.ones(d))
        self.ln2Bias = torch.nn.Parameter(torch.zeros(d))
        self.w1 = normal((d, f), 0.02)
        self.b1 = torch.nn.Parameter(torch.zeros(f))
        self.w2 = normal((f, d), residual)
        self.b2 = torch.nn.Parameter(torch.zeros(d))


class Transformer(torch.nn.Module):
    def __init__(self, vocab, context, layers, heads, d, f, attention):
        super().__init__()
        self.heads = heads
        self.attention = attention
        self.tokenEmbedding = torch.nn.Parameter(torch.randn(vocab, d) * 0.02)
        self.positionEmbedding = torch.nn.Parameter(torch.randn(context, d) * 0.02)
        self.layers = torch.nn.ModuleList([Layer(d, f, layers) for _ in range(layers)])
        self.lnFScale = torch.nn.Parameter(torch.ones(d))
        self.lnFBias = torch.nn.Parameter(torch.zeros(d))
        mask = torch.ones(context, context, dtype=torch.bool).tril()  # key m <= query n
        self.register_buffer("mask", mask, persistent=False)

    def attend(self, x, layer):
        b, t, d = x.shape
        h = self.heads
        e = d // h

        def split(y):
            return y.view(b, t, h, e).transpose(1, 2)  # (B, H, T, E)

        q, k, v = split(x @ layer.wq), split(x @ layer.wk), split(x @ layer.wv)
        if self.attention == "sdpa":
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # explicit: the same steps as localist's globalCausalAttention
            scores = (q @ k.transpose(-1, -2)) * (1 / math.sqrt(e))
            scores = scores.masked_fill(~self.mask[:t, :t], float("-inf"))
            out = torch.softmax(scores, dim=-1) @ v
        return out.transpose(1, 2).reshape(b, t, d) @ layer.wo

    def forward(self, tokens):
        t = tokens.shape[1]
        d = self.tokenEmbedding.shape[1]
        x = self.tokenEmbedding[tokens] + self.positionEmbedding[:t]
        for layer in self.layers:
            x = x + self.attend(F.layer_norm(x, (d,), layer.ln1Scale, layer.ln1Bias, 1e-5), layer)
            normed = F.layer_norm(x, (d,), layer.ln2Scale, layer.ln2Bias, 1e-5)
            hidden = F.gelu(normed @ layer.w1 + layer.b1, approximate="tanh")
            x = x + (hidden @ layer.w2 + layer.b2)
        x = F.layer_norm(x, (d,), self.lnFScale, self.lnFBias, 1e-5)
        return x @ self.tokenEmbedding.t()  # (B, T, V)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("batches")
    for name in ("steps", "batch", "context", "layers", "d-model", "heads", "d-mlp", "vocab"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm-up-steps", type=int, default=2)
    parser.add_argument("--attention", choices=("auto", "sdpa", "explicit"), default="auto")
    args = parser.parse_args()
    has_sdpa = hasattr(F, "scaled_dot_product_attention")  # torch >= 2.0
    if args.attention == "auto":
        args.attention = "sdpa" if has_sdpa else "explicit"
    if args.attention == "sdpa" and not has_sdpa:
        raise SystemExit(f"torch {torch.__version__} has no scaled_dot_product_attention")
    s, b, t = args.steps, args.batch, args.context
    if s <= args.warm_up_steps:
        raise SystemExit(f"--steps ({s}) must exceed --warm-up-steps ({args.warm_up_steps})")

    with open(args.batches, "rb") as handle:
        raw = bytearray(handle.read())
    ids = torch.frombuffer(raw, dtype=torch.int32)
    if ids.numel() != s * 2 * b * t:
        raise SystemExit(f"{args.batches} holds {ids.numel()} ids, expected {s * 2 * b * t}")
    ids = ids.to(torch.int64).view(s, 2, b, t)
    if int(ids.max()) >= args.vocab or int(ids.min()) < 0:
        raise SystemExit(f"token ids outside [0, {args.vocab})")

    torch.manual_seed(args.seed)
    model = Transformer(
        args.vocab, t, args.layers, args.heads, args.d_model, args.d_mlp, args.attention
    )
    named = list(model.named_parameters())
    decay = [p for n, p in named if p.dim() == 2 and n != "positionEmbedding"]
    no_decay = [p for n, p in named if not (p.dim() == 2 and n != "positionEmbedding")]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=args.lr,
        betas=(0.9, 0.95),
        eps=1e-8,
    )

    losses, grad_norms, elapsed = [], [], []
    began = time.perf_counter()
    for step in range(s):
        inputs, targets = ids[step, 0], ids[step, 1]
        lr = learning_rate_at(step, args.lr, args.warmup, s)
        for group in optimizer.param_groups:
            group["lr"] = lr
        logits = model(inputs)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        losses.append(loss.item())
        grad_norms.append(float(norm))
        elapsed.append(time.perf_counter() - began)  # cumulative, like localist's metrics.jsonl

    w = args.warm_up_steps
    timed_seconds = elapsed[-1] - elapsed[w - 1] if w > 0 else elapsed[-1]
    timed_steps = s - w
    print(
        json.dumps(
            {
                "tokensPerSecond": timed_steps * b * t / timed_seconds,
                "msPerStep": 1000 * timed_seconds / timed_steps,
                "timedSteps": timed_steps,
                "warmUpSteps": w,
                "seconds": elapsed,
                "losses": losses,
                "gradNorms": grad_norms,
                "parameters": sum(p.numel() for p in model.parameters()),
                "attention": args.attention,
                "threads": torch.get_num_threads(),
                "interopThreads": torch.get_num_interop_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
