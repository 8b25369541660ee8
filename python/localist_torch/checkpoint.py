"""Run folders and checkpoints, in the layout the TypeScript package reads and writes.

    RUN/checkpoint.json        {"format": "localist-pointer", "current": "checkpoints/step-…"}
    RUN/checkpoints/step-…/    config.json, tokenizer.json, model.safetensors,
                               optimizer.safetensors (m.<name>, v.<name>), state.json
    RUN/corpus.safetensors     train, valid, test token ids (written by `localist export`)
    RUN/metrics.jsonl          one JSON line per step

A save writes a whole checkpoint folder under a temporary name, fsyncs it, renames it into
place, then replaces the pointer atomically: the pointer always names a complete checkpoint.
Tensor names are those of the TypeScript model (src/model/params.ts): tokenEmbedding (V, D),
positionEmbedding (T, D) for learned positions, layers.<l>.{ln1Scale, ln1Bias, wq, wk, wv, wo,
ln2Scale, ln2Bias, w1, b1, w2, b2}, lnFScale, lnFBias; matrices are applied as x @ W.
"""
import json
import os
import re
import secrets
import shutil

import numpy as np

from . import safetensors_io

POINTER_FILE = "checkpoint.json"
CHECKPOINTS = "checkpoints"
CORPUS_FILE = "corpus.safetensors"
NAME = re.compile(r"^step-\d{8,}-[0-9a-f]{6}$")


class CheckpointError(ValueError):
    """A run folder or checkpoint that cannot be used (one line, naming the file)."""


def _read_json(path, what):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise CheckpointError(f"{what} {path} does not exist") from None
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{what} {path} is not valid JSON: {error}") from None


def current_folder(run_dir):
    """The folder of the run's current checkpoint (the pointer's, or the run folder itself)."""
    pointer_path = os.path.join(run_dir, POINTER_FILE)
    if not os.path.exists(pointer_path):
        if os.path.exists(os.path.join(run_dir, "config.json")):
            return run_dir
        raise CheckpointError(f"no model at {run_dir}: export one with 'localist export'")
    pointer = _read_json(pointer_path, "checkpoint pointer")
    current = pointer.get("current", "") if isinstance(pointer, dict) else ""
    parts = current.split("/")
    if pointer.get("format") != "localist-pointer" or len(parts) != 2 or parts[0] != CHECKPOINTS or not NAME.match(parts[1]):
        raise CheckpointError(f"checkpoint pointer {pointer_path} is malformed")
    return os.path.join(run_dir, current)


def load(run_dir):
    """The current checkpoint: config (dict), tokenizer bytes, weights, optimizer slots, state."""
    folder = current_folder(run_dir)
    config = _read_json(os.path.join(folder, "config.json"), "model config")
    if config.get("format") != "localist-lm" or config.get("version") != 2:
        raise CheckpointError(f"{folder}/config.json is not a localist format-2 config")
    with open(os.path.join(folder, "tokenizer.json"), "rb") as handle:
        tokenizer = handle.read()
    with open(os.path.join(folder, "model.safetensors"), "rb") as handle:
        weights, _ = safetensors_io.decode(handle.read(), f"{folder}/model.safetensors")
    optimizer = None
    path = os.path.join(folder, "optimizer.safetensors")
    if os.path.exists(path):
        with open(path, "rb") as handle:
            optimizer, _ = safetensors_io.decode(handle.read(), path)
    state_path = os.path.join(folder, "state.json")
    state = _read_json(state_path, "training state") if os.path.exists(state_path) else None
    return {
        "folder": folder,
        "config": config,
        "tokenizer": tokenizer,
        "weights": weights,
        "optimizer": optimizer,
        "state": state,
    }


def load_corpus(run_dir):
    """The exported token streams: {"train", "valid", "test"} → int64 numpy arrays."""
    path = os.path.join(run_dir, CORPUS_FILE)
    if not os.path.exists(path):
        raise CheckpointError(f"{run_dir} has no {CORPUS_FILE}: make it with 'localist export'")
    with open(path, "rb") as handle:
        tensors, _ = safetensors_io.decode(handle.read(), path)
    return {name: tensors[name].astype(np.int64) for name in ("train", "valid", "test")}


def _write_durable(path, data):
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _json_bytes(value):
    return (json.dumps(value, indent=2) + "\n").encode("utf-8")


def save(run_dir, *, config, tokenizer, weights, optimizer, step):
    """Writes a checkpoint of `step` into the run folder and makes it the current one."""
    checkpoints = os.path.join(run_dir, CHECKPOINTS)
    os.makedirs(checkpoints, exist_ok=True)
    name = f"step-{step:08d}-{secrets.token_hex(3)}"
    staging = os.path.join(checkpoints, f".{name}.partial")
    os.mkdir(staging)
    try:
        _write_durable(os.path.join(staging, "model.safetensors"), safetensors_io.encode(weights, {"format": "localist"}))
        if optimizer is not None:
            _write_durable(
                os.path.join(staging, "optimizer.safetensors"),
                safetensors_io.encode(optimizer["slots"], {"format": "localist"}),
            )
        _write_durable(os.path.join(staging, "tokenizer.json"), tokenizer)
        _write_durable(
            os.path.join(staging, "state.json"),
            _json_bytes({"step": step, "optimizerStep": optimizer["count"] if optimizer else 0}),
        )
        _write_durable(os.path.join(staging, "config.json"), _json_bytes({**config, "step": step}))
        _sync_folder(staging)
        os.rename(staging, os.path.join(checkpoints, name))
        _sync_folder(checkpoints)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer = os.path.join(run_dir, POINTER_FILE)
    temporary = f"{pointer}.tmp-{os.getpid()}-{secrets.token_hex(6)}"
    _write_durable(temporary, _json_bytes({"format": "localist-pointer", "current": f"{CHECKPOINTS}/{name}"}))
    os.replace(temporary, pointer)  # the commit point
    _sync_folder(run_dir)
    for entry in os.listdir(checkpoints):
        if entry != name:
            shutil.rmtree(os.path.join(checkpoints, entry), ignore_errors=True)
