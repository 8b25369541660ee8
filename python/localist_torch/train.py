"""Train a localist run folder with PyTorch, on one process or many (DDP), on CPUs or GPUs:

    torchrun --nproc_per_node 2 -m localist_torch.train RUN [--steps N] [--device auto|cpu|cuda]
        [--precision fp32|bf16|fp16] [--grad-accum K] [--compile] [--data DATA]
    python3 -m localist_torch.train RUN

RUN is a folder written by `localist export --to torch` (or by this trainer): its current
checkpoint gives the architecture, the localist structure and dial training, anchors and
recruitment, the optimizer state and the step to continue from; corpus.safetensors (or a prepared
token folder, --data) gives the token streams. The run uses the same batches (keyed by seed and
step), dial draws, anchors, recruitment checks, AdamW, schedule and penalty as localist, writes
checkpoints in the same layout (every `checkpointEvery` steps and at the end, each only once its
loss is finite) and appends to RUN/metrics.jsonl, so `localist import --from torch RUN` reads it.
Each of W processes takes B/W rows of every batch, in K micro-batches of B/(W·K) rows; DDP
averages the processes' gradients and each micro-batch adds 1/K of its mean-loss gradient, so the
update is the whole batch's.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import checkpoint, tokens
from .anchors import anchor_flags
from .batches import sample_batch, training_dial
from .localist import block_ids, dial_bias, layer_penalty
from .model import LocalistTransformer, local_head_count, parameter_shapes
from .optim import AdamW
from .recruitment import Recruiter

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def fail(message, code=1):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def choose_device(choice, local_rank=0):
    """The torch device of `--device`; CUDA asked for where there is none is a usage error (2)."""
    if choice not in DEVICES:
        fail(f"--device must be one of {', '.join(DEVICES)}, got {choice!r}", 2)
    available = torch.cuda.is_available()
    if choice == "cuda" and not available:
        fail(f"--device cuda needs a CUDA GPU, but torch {torch.__version__} sees none here; use --device cpu (or auto)", 2)
    if choice == "cpu" or not available:
        return torch.device("cpu")
    return torch.device("cuda", local_rank)


def check_precision(precision, device):
    """Refuses a precision the device cannot run, in one line (exit 2)."""
    if precision not in PRECISIONS:
        fail(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}", 2)
    if precision == "fp16" and device.type != "cuda":
        fail("--precision fp16 needs --device cuda (CPU autocast runs bf16); use --precision bf16 or fp32 on CPU", 2)
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        fail(f"--precision bf16: this GPU ({torch.cuda.get_device_name(device)}) has no bfloat16; use fp16 or fp32", 2)


def autocast(device, precision):
    """Mixed precision: matrix products in bf16/fp16 under torch.autocast, weights kept in fp32."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


class LossScaler:
    """Dynamic loss scaling for fp16, with torch.cuda.amp.GradScaler's rule: the loss is multiplied
    by s before backward and the gradients divided by s after; a step with a non-finite gradient is
    skipped and s halves; after 2000 finite steps in a row s doubles (s₀ = 2¹⁶). Written here
    rather than GradScaler because the optimizer is localist's AdamW (not a torch.optim one) and so
    that the rule runs, and is tested, on CPU too. Disabled (s = 1, never skips) outside fp16."""

    def __init__(self, enabled, scale=2.0**16, growth=2.0, backoff=0.5, interval=2000):
        self.enabled = enabled
        self.scale = scale if enabled else 1.0
        self.growth, self.backoff, self.interval = growth, backoff, interval
        self.streak = 0

    @torch.no_grad()
    def unscale(self, params):
        """Divides every gradient by s; returns whether all are finite."""
        if not self.enabled:
            return True
        finite = True
        for p in params:
            p.grad.div_(self.scale)
            finite = finite and bool(torch.isfinite(p.grad).all())
        return finite

    def update(self, finite):
        if not self.enabled:
            return
        if not finite:
            self.scale *= self.backoff
            self.streak = 0
            return
        self.streak += 1
        if self.streak == self.interval:
            self.scale *= self.growth
            self.streak = 0


def batch_gradients(forward, config, inputs, targets, *, structure=None, anchors=None, dial=None, gamma=0.0,
                    micro=1, device=torch.device("cpu"), precision="fp32", loss_scale=1.0, no_sync=None):
    """Accumulates into .grad the gradient of the mean loss over the rows (B, T) of `inputs`, in
    `micro` micro-batches of B/micro rows (each backward of loss/micro); returns the detached
    (loss, cross-entropy, penalty), each the mean over the rows. `no_sync()` (DDP's) wraps every
    micro-batch but the last, so gradients are all-reduced once."""
    rows = len(inputs)
    if rows % micro != 0:
        raise ValueError(f"{rows} rows do not split into {micro} micro-batches")
    size = rows // micro
    local = local_head_count(config)
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    for k in range(micro):
        part = slice(k * size, (k + 1) * size)
        x, y = inputs[part], targets[part]
        bias, penalties, ids = None, [], None
        if structure is not None:
            bias, _ = dial_bias(structure, config, x, dial, device)
            ids = block_ids(structure["blocks"], x)

        def observe(layer, seen):
            groups = [seen[g]["weights"].float() for g in ("local", "global") if g in seen]
            penalties.append(layer_penalty(torch.cat(groups, dim=1), ids, structure))

        visible = None
        if anchors is not None and local > 0:
            visible = torch.as_tensor(anchor_flags(anchors, x), device=device)
        sync = no_sync() if (no_sync is not None and k < micro - 1) else contextlib.nullcontext()
        with sync:
            with autocast(device, precision):
                logits = forward(torch.as_tensor(x, device=device), bias, observe if gamma > 0 else None, visible)
            ce = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), torch.as_tensor(y, device=device).reshape(-1))
            penalty = (sum(penalties) / config["layers"]).float() if penalties else torch.zeros((), device=device)
            loss = ce + gamma * penalty
            (loss * (loss_scale / micro)).backward()
        totals += torch.stack([loss.detach(), ce.detach(), penalty.detach()]).double() / micro
    return totals


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localist_torch.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="a run folder written by `localist export --to torch`")
    parser.add_argument("--steps", type=int, help="train up to this step (default: the run's training.steps)")
    parser.add_argument("--batch", type=int, help="windows per step over all processes (default: the run's training.batch)")
    parser.add_argument("--threads", type=int, help="torch threads per process (default: cores / processes)")
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    parser.add_argument("--precision", default="fp32", help="fp32, bf16 (autocast) or fp16 (autocast and loss scaling; CUDA)")
    parser.add_argument("--grad-accum", type=int, default=1, metavar="K", help="micro-batches per process and step")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (torch ≥ 2)")
    parser.add_argument("--data", metavar="DATA", help="a prepared token folder (localist prepare) instead of corpus.safetensors")
    args = parser.parse_args(argv)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = choose_device(args.device, int(os.environ.get("LOCAL_RANK", "0")))
    check_precision(args.precision, device)
    if args.grad_accum < 1:
        fail(f"--grad-accum must be ≥ 1, got {args.grad_accum}", 2)
    if args.compile and not hasattr(torch, "compile"):
        fail(f"--compile needs torch ≥ 2 (torch.compile); this is torch {torch.__version__}; drop --compile", 2)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // world))
    torch.manual_seed(0)

    try:
        saved = checkpoint.load(args.run)
        if args.data is not None:
            corpus = tokens.open_tokens(args.data, saved["tokenizer"])
        else:
            corpus = checkpoint.load_corpus(args.run)
    except (checkpoint.CheckpointError, tokens.TokenFileError, ValueError) as error:
        fail(str(error))
    stored = saved["config"]
    config = stored["model"]
    settings = dict(stored["training"])
    if args.steps is not None:
        settings["steps"] = args.steps
    if args.batch is not None:
        # The batch is a training setting, not the architecture: a run initialized by localist at
        # the batch its own memory allows trains here at the batch the GPUs allow.
        if args.batch < 1:
            fail(f"--batch must be ≥ 1, got {args.batch}", 2)
        settings["batch"] = args.batch
    structure = stored.get("localist")
    anchors = stored.get("anchors")
    dial_training = structure.get("training") if structure else None
    gamma = dial_training["penalty"] if dial_training else 0.0
    shapes = parameter_shapes(config)
    if set(saved["weights"]) != set(shapes) or any(tuple(saved["weights"][n].shape) != tuple(s) for n, s in shapes.items()):
        fail(f"{saved['folder']}: the weights do not match the model config")
    batch, context, seed = settings["batch"], config["context"], settings["seed"]
    if batch % (world * args.grad_accum) != 0:
        fail(f"the batch of {batch} windows does not split over {world} processes × {args.grad_accum} micro-batches; "
             "use counts whose product divides it")
    start = int(stored.get("step", 0))
    if start >= settings["steps"]:
        fail(f"the run in {args.run} is at step {start} of {settings['steps']}; nothing to train (give --steps)")

    model = LocalistTransformer(config, saved["weights"]).to(device)
    named = {name.replace("__", "."): p for name, p in model.params.items()}
    optimizer = AdamW(named, settings)
    if saved["optimizer"] is not None:
        optimizer.load(saved["optimizer"], saved["state"]["optimizerStep"] if saved["state"] else start)
    wrapped = model
    if world > 1:
        wrapped = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    forward = torch.compile(wrapped) if args.compile else wrapped
    no_sync = wrapped.no_sync if world > 1 else None
    scaler = LossScaler(args.precision == "fp16")
    recruiter = None
    if structure is not None and structure.get("recruitment"):
        vocabulary = json.loads(saved["tokenizer"].decode("utf-8"))["tokens"]
        recruiter = Recruiter(structure, corpus["train"], vocabulary, config["vocabSize"])
    rows = slice(rank * batch // world, (rank + 1) * batch // world)
    log_path = os.path.join(args.run, "metrics.jsonl")
    if rank == 0 and os.path.exists(log_path):
        with open(log_path, encoding="utf-8") as handle:
            kept = [line for line in handle if line.strip() and json.loads(line).get("step", 0) <= start and "split" not in json.loads(line)]
        with open(log_path, "w", encoding="utf-8") as handle:
            handle.writelines(kept)
    log = open(log_path, "a", encoding="utf-8") if rank == 0 else None
    began = time.perf_counter()

    def save(step):
        if rank != 0:
            return
        entries = {"localist": structure} if structure is not None else {}
        checkpoint.save(
            args.run,
            config={**stored, "training": settings, **entries},
            tokenizer=saved["tokenizer"],
            weights=model.state_numpy(),
            optimizer={"slots": optimizer.slots(), "count": optimizer.count},
            step=step,
        )

    for step in range(start, settings["steps"]):
        if recruiter is not None and recruiter.due(step, settings["steps"]):
            # Every process runs the same check on the same weights, so all agree on the blocks.
            _, record = recruiter.check(model.state_numpy(), step)
            structure = recruiter.entry
            if log is not None and record is not None:
                log.write(json.dumps(record) + "\n")
        inputs, targets = sample_batch(corpus["train"], batch, context, seed, step, rows)
        dial = training_dial(dial_training, config["layers"], config["heads"], seed, step)
        for p in named.values():
            p.grad = None
        values = batch_gradients(forward, config, inputs, targets, structure=structure, anchors=anchors, dial=dial,
                                 gamma=gamma, micro=args.grad_accum, device=device, precision=args.precision,
                                 loss_scale=scaler.scale, no_sync=no_sync)
        if world > 1:
            dist.all_reduce(values)
            values /= world
        total, cross, pen = (float(x) for x in values)
        if not math.isfinite(total):
            fail(f"the training loss became {total} at step {step + 1}; stopped; lower the learning rate")
        finite = scaler.unscale(named.values())
        scaler.update(finite)
        if finite:
            lr, grad_norm, finite = optimizer.step()
            if not finite:
                fail(f"parameters became non-finite in the update of step {step + 1}; stopped; lower the learning rate or weight decay")
        else:
            lr, grad_norm = optimizer.rate(optimizer.count), None  # fp16 overflow: the step is skipped
        done = step + 1
        if log is not None:
            seconds = time.perf_counter() - began
            record = {"step": done, "loss": total, "lr": lr, "gradNorm": grad_norm,
                      "tokensPerSecond": (done - start) * batch * context / seconds, "seconds": seconds}
            if structure is not None and gamma > 0:
                record.update(crossEntropy=cross, penalty=pen)
            if scaler.enabled:
                record.update(lossScale=scaler.scale, skipped=not finite)
            log.write(json.dumps(record) + "\n")
            log.flush()
            if done % 25 == 0 or done == settings["steps"]:
                print(f"train  {done}/{settings['steps']}  loss {total:.4f}  {record['tokensPerSecond']:.0f} tok/s", file=sys.stderr)
        if done % settings["checkpointEvery"] == 0 or done == settings["steps"]:
            save(done)
    if log is not None:
        log.close()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    if rank == 0:
        seconds = time.perf_counter() - began
        rate = (settings["steps"] - start) * batch * context / seconds
        print(f"trained steps {start + 1}–{settings['steps']} in {seconds:.0f} s ({rate:.0f} tokens/s, {device.type}, "
              f"{args.precision}, {world} process{'es' if world > 1 else ''}); saved in {args.run}")


if __name__ == "__main__":
    main()
