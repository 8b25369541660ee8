"""AdamW with global-norm clipping and the warm-up/cosine schedule, as src/train/optimizer.ts,
src/train/schedule.ts and src/train/settings.ts define them (β₁ 0.9, β₂ 0.95, ε 1e-8; decoupled
weight decay on 2-D weights except the position table)."""
import math

import torch

BETAS = (0.9, 0.95)
EPSILON = 1e-8


def warmup_cosine(peak, warmup, total, floor=0.1):
    def rate(t):
        if t < warmup:
            return peak * (t + 1) / warmup
        progress = min(1.0, (t - warmup) / max(1, total - warmup))
        return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))

    return rate


def decays(name, shape):
    return len(shape) == 2 and name != "positionEmbedding"


class AdamW:
    """State: count and the moments m, v by parameter name (the checkpoint's m.<name>, v.<name>)."""

    def __init__(self, named_params, settings):
        self.params = named_params  # name → torch Parameter
        self.rate = warmup_cosine(settings["learningRate"], settings["warmup"], settings["steps"])
        self.weight_decay = settings["weightDecay"]
        self.clip = settings["clipNorm"]
        self.count = 0
        self.m = {n: torch.zeros_like(p) for n, p in named_params.items()}
        self.v = {n: torch.zeros_like(p) for n, p in named_params.items()}

    @torch.no_grad()
    def step(self):
        """One update from the parameters' .grad; returns (learning rate, gradient norm, all finite)."""
        grads = {n: p.grad for n, p in self.params.items()}
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads.values())).float()
        scale = torch.clamp(self.clip / torch.clamp(norm, min=1e-12), max=1.0)
        lr = self.rate(self.count)
        t = self.count + 1
        b1, b2 = BETAS
        finite = True
        for n, p in self.params.items():
            g = grads[n] * scale
            self.m[n].mul_(b1).add_(g * (1 - b1))
            self.v[n].mul_(b2).add_(g * g * (1 - b2))
            step = (self.m[n] / (1 - b1**t)) / (torch.sqrt(self.v[n] / (1 - b2**t)) + EPSILON)
            if self.weight_decay > 0 and decays(n, p.shape):
                step = step + p * self.weight_decay
            p.sub_(step * lr)
            finite = finite and bool(torch.isfinite(p).all())
        self.count = t
        return lr, float(norm), finite

    def slots(self):
        out = {}
        for n in self.params:
            out[f"m.{n}"] = self.m[n].cpu().numpy()
        for n in self.params:
            out[f"v.{n}"] = self.v[n].cpu().numpy()
        return out

    def load(self, slots, count):
        for n in self.params:
            self.m[n].copy_(torch.as_tensor(slots[f"m.{n}"]))
            self.v[n].copy_(torch.as_tensor(slots[f"v.{n}"]))
        self.count = count
