"""PyTorch peer for bench/train.bench.ts: the same transformer language model, trained for the
same steps on the same batches, with the same optimizer settings.

Usage:
    /usr/bin/python3 bench/train_torch.py BATCHES --steps S --batch B --context T --layers L
        --d-model D --heads H --d-mlp F --vocab V [--lr 3e-3] [--warmup 5] [--weight-decay 0.1]
        [--clip 1] [--seed 1] [--warm-up-steps 2] [--threads N]

BATCHES is a little-endian int32 file written by the TypeScript side: for each of the S steps,
the B*T input ids (row-major, B windows of T tokens) and then the B*T target ids.

The model is localist's own in PyTorch (python/localist_torch, the package that also trains
localist models with DDP: the same forward computation, checked against localist to 1e-4 by
test/io/torchParity.test.ts), with learned positions and global non-strict causal attention,
initialized GPT-2 style from numpy's generator (so the two sides start from different weights).
Training: mean next-token cross-entropy, global gradient-norm clipping, torch's own AdamW (betas
0.9, 0.95, eps 1e-8) with weight decay on the 2-D matrices except the position table, and the
warm-up/cosine learning rate of localist_torch.optim. Each step is timed with time.perf_counter
(the loss is read back with .item(), so the step has finished); the rate leaves out the first
warm-up steps, and so do the minor page faults per step (getrusage). One JSON line goes to stdout. --threads sets torch.set_num_threads (default:
torch's own choice); the thread count is reported.
"""

import argparse
import json
import time

import os
import resource
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from localist_torch.model import LocalistTransformer, init_weights  # noqa: E402
from localist_torch.optim import decays, warmup_cosine  # noqa: E402


def build_model(vocab, context, layers, heads, d, f, seed):
    """localist's model (learned positions, global non-strict attention) from localist_torch."""
    config = {
        "vocabSize": vocab, "context": context, "layers": layers, "heads": heads, "dModel": d,
        "dMlp": f, "attention": {"kind": "global"}, "positional": "learned", "strict": False,
    }
    return LocalistTransformer(config, init_weights(config, seed))


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
    parser.add_argument("--threads", type=int, default=0, help="0: torch's default")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
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

    model = build_model(args.vocab, t, args.layers, args.heads, args.d_model, args.d_mlp, args.seed)
    named = [(n.replace("__", "."), p) for n, p in model.params.items()]
    decay = [p for n, p in named if decays(n, p.shape)]
    no_decay = [p for n, p in named if not decays(n, p.shape)]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=args.lr,
        betas=(0.9, 0.95),
        eps=1e-8,
    )

    losses, grad_norms, elapsed, faults = [], [], [], []
    began = time.perf_counter()
    rate = warmup_cosine(args.lr, args.warmup, s)
    for step in range(s):
        inputs, targets = ids[step, 0], ids[step, 1]
        lr = rate(step)
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
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt)

    w = args.warm_up_steps
    timed_seconds = elapsed[-1] - elapsed[w - 1] if w > 0 else elapsed[-1]
    timed_steps = s - w
    print(
        json.dumps(
            {
                "tokensPerSecond": timed_steps * b * t / timed_seconds,
                "msPerStep": 1000 * timed_seconds / timed_steps,
                "minorFaultsPerStep": (faults[-1] - faults[w - 1] if w > 0 else faults[-1]) / timed_steps,
                "timedSteps": timed_steps,
                "warmUpSteps": w,
                "seconds": elapsed,
                "losses": losses,
                "gradNorms": grad_norms,
                "parameters": sum(p.numel() for p in model.parameters()),
                "attention": "explicit (localist_torch)",
                "threads": torch.get_num_threads(),
                "interopThreads": torch.get_num_interop_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
