"""Prepared token folders (`localist prepare`), read by window through numpy memory maps, so a
corpus of many GB trains without being loaded: a batch reads T + 1 tokens per row it uses.

    DATA/manifest.json        {"format": "localist-tokens", "version": 1, "dtype": "uint16"|"uint32",
                               "tokenizer": {"file": "tokenizer.json", "sha256": "<hex>"},
                               "blocks": null | {"source": …, "names": […]},
                               "splits": {"train": {"tokens": N}, "valid": …, "test": …},
                               "sources": [{"file": …, "bytes": N}]}
    DATA/tokenizer.json       the tokenizer the ids belong to (its bytes hash to the manifest's sha256)
    DATA/<split>.tokens.bin   little-endian uint16 (vocabularies ≤ 65,536 ids) or uint32, no header
    DATA/<split>.blocks.bin   uint8 block id per token (when prepared with blocks; the twin takes a
                              localist model's blocks from its checkpoint, so it does not read these)

Documents end with the tokenizer's <eos> id.
"""
import hashlib
import json
import os

import numpy as np

SPLITS = ("train", "valid", "test")
DTYPES = {"uint16": np.dtype("<u2"), "uint32": np.dtype("<u4")}


class TokenFileError(ValueError):
    """A prepared folder that cannot be used with this run (one line, naming the file)."""


def _manifest(folder):
    path = os.path.join(folder, "manifest.json")
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError:
        raise TokenFileError(f"{folder} has no manifest.json: make the folder with 'localist prepare'") from None
    except json.JSONDecodeError as error:
        raise TokenFileError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "localist-tokens" or manifest.get("version") != 1:
        raise TokenFileError(f"{path} is not a localist-tokens version 1 manifest")
    if manifest.get("dtype") not in DTYPES:
        raise TokenFileError(f"{path}: dtype must be uint16 or uint32, got {manifest.get('dtype')!r}")
    return path, manifest


def _tokenizer_matches(folder, manifest, run_tokenizer):
    """Whether the folder's tokenizer (checked against its hash) is the run's."""
    expected = manifest.get("tokenizer", {}).get("sha256")
    if hashlib.sha256(run_tokenizer).hexdigest() == expected:
        return True
    # The run may store the same tokenizer serialized otherwise: compare the folder's own copy,
    # once its bytes are shown to be the hashed ones.
    path = os.path.join(folder, manifest.get("tokenizer", {}).get("file", "tokenizer.json"))
    if not os.path.exists(path):
        return False
    with open(path, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != expected:
        return False
    return json.loads(data.decode("utf-8")) == json.loads(run_tokenizer.decode("utf-8"))


def open_tokens(folder, run_tokenizer):
    """{"train", "valid", "test"} → read-only memory-mapped token ids (1-D arrays, the manifest's
    dtype). Refuses, in one line, a folder made with another tokenizer or whose files disagree
    with the manifest."""
    path, manifest = _manifest(folder)
    if not _tokenizer_matches(folder, manifest, run_tokenizer):
        digest = hashlib.sha256(run_tokenizer).hexdigest()
        raise TokenFileError(
            f"{folder}: its tokens were made by another tokenizer (manifest sha256 "
            f"{str(manifest.get('tokenizer', {}).get('sha256'))[:12]}…, the run's tokenizer.json {digest[:12]}…); "
            "prepare the data with the run's tokenizer"
        )
    dtype = DTYPES[manifest["dtype"]]
    streams = {}
    for split in SPLITS:
        count = manifest.get("splits", {}).get(split, {}).get("tokens")
        file = os.path.join(folder, f"{split}.tokens.bin")
        if not isinstance(count, int) or count < 0:
            raise TokenFileError(f"{path}: splits.{split}.tokens must be a token count")
        if not os.path.exists(file):
            raise TokenFileError(f"{folder} has no {split}.tokens.bin")
        size = os.path.getsize(file)
        if size != count * dtype.itemsize:
            raise TokenFileError(
                f"{file} has {size} bytes; the manifest's {count} {manifest['dtype']} tokens need {count * dtype.itemsize}"
            )
        streams[split] = np.memmap(file, dtype=dtype, mode="r", shape=(count,)) if count > 0 else np.zeros(0, dtype)
    return streams
