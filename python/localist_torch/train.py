"""Train a localist run folder with PyTorch, on one process or many (DDP):

    torchrun --nproc_per_node 2 -m localist_torch.train RUN [--steps N]
    python3 -m localist_torch.train RUN

RUN is a folder written by `localist export --to torch` (or by this trainer): its current
checkpoint gives the architecture, the localist structure and dial training, the optimizer state
and the step to continue from; corpus.safetensors gives the token streams. The run uses the same
batches (keyed by seed and step), dial draws, AdamW, schedule and penalty as localist, writes
checkpoints in the same layout (every `checkpointEvery` steps and at the end, each only once its
loss is finite) and appends to RUN/metrics.jsonl, so `localist import --from torch RUN` reads it.
Each of W processes takes B/W rows of every batch; DDP averages their gradients, which is the
gradient of the whole batch.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import checkpoint
from .batches import sample_batch, training_dial
from .localist import block_ids, dial_bias, layer_penalty
from .model import LocalistTransformer, parameter_shapes
from .optim import AdamW


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localist_torch.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="a run folder written by `localist export --to torch`")
    parser.add_argument("--steps", type=int, help="train up to this step (default: the run's training.steps)")
    parser.add_argument("--threads", type=int, help="torch threads per process (default: cores / processes)")
    args = parser.parse_args(argv)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo")
    torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // world))
    torch.manual_seed(0)

    try:
        saved = checkpoint.load(args.run)
        corpus = checkpoint.load_corpus(args.run)
    except (checkpoint.CheckpointError, ValueError) as error:
        fail(str(error))
    stored = saved["config"]
    config = stored["model"]
    settings = dict(stored["training"])
    if args.steps is not None:
        settings["steps"] = args.steps
    structure = stored.get("localist")
    dial_training = structure.get("training") if structure else None
    gamma = dial_training["penalty"] if dial_training else 0.0
    shapes = parameter_shapes(config)
    if set(saved["weights"]) != set(shapes) or any(tuple(saved["weights"][n].shape) != tuple(s) for n, s in shapes.items()):
        fail(f"{saved['folder']}: the weights do not match the model config")
    batch, context, seed = settings["batch"], config["context"], settings["seed"]
    if batch % world != 0:
        fail(f"the batch of {batch} windows does not split over {world} processes; use a process count that divides it")
    start = int(stored.get("step", 0))
    if start >= settings["steps"]:
        fail(f"the run in {args.run} is at step {start} of {settings['steps']}; nothing to train (give --steps)")

    model = LocalistTransformer(config, saved["weights"])
    named = {name.replace("__", "."): p for name, p in model.params.items()}
    optimizer = AdamW(named, settings)
    if saved["optimizer"] is not None:
        optimizer.load(saved["optimizer"], saved["state"]["optimizerStep"] if saved["state"] else start)
    wrapped = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
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
        checkpoint.save(
            args.run,
            config={**stored, "training": settings},
            tokenizer=saved["tokenizer"],
            weights=model.state_numpy(),
            optimizer={"slots": optimizer.slots(), "count": optimizer.count},
            step=step,
        )

    for step in range(start, settings["steps"]):
        inputs, targets = sample_batch(corpus["train"], batch, context, seed, step)
        inputs, targets = inputs[rows], targets[rows]
        dial = training_dial(dial_training, config["layers"], config["heads"], seed, step)
        bias, penalties = None, []
        if structure is not None:
            bias, _ = dial_bias(structure, config, inputs, dial)
            ids = block_ids(structure["blocks"], inputs)

        def observe(layer, seen):
            groups = [seen[k]["weights"] for k in ("local", "global") if k in seen]
            penalties.append(layer_penalty(torch.cat(groups, dim=1), ids, structure))

        logits = wrapped(torch.as_tensor(inputs), bias, observe if gamma > 0 else None)
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.as_tensor(targets).reshape(-1))
        penalty = sum(penalties) / config["layers"] if penalties else torch.zeros(())
        loss = ce + gamma * penalty
        for p in named.values():
            p.grad = None
        loss.backward()
        values = torch.stack([loss.detach(), ce.detach(), penalty.detach()]).double()
        if world > 1:
            dist.all_reduce(values)
            values /= world
        total, cross, pen = (float(x) for x in values)
        if not math.isfinite(total):
            fail(f"the training loss became {total} at step {step + 1}; stopped; lower the learning rate")
        lr, grad_norm, finite = optimizer.step()
        if not finite:
            fail(f"parameters became non-finite in the update of step {step + 1}; stopped; lower the learning rate or weight decay")
        done = step + 1
        if log is not None:
            seconds = time.perf_counter() - began
            record = {"step": done, "loss": total, "lr": lr, "gradNorm": grad_norm,
                      "tokensPerSecond": (done - start) * batch * context / seconds, "seconds": seconds}
            if structure is not None and gamma > 0:
                record.update(crossEntropy=cross, penalty=pen)
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
        print(f"trained steps {start + 1}–{settings['steps']} in {time.perf_counter() - began:.0f} s; saved in {args.run}")


if __name__ == "__main__":
    main()
