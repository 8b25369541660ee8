"""Prepared token folders (`localist prepare`'s format) read by window: the memory-mapped streams
train exactly as the same ids in corpus.safetensors do, on one process and on two (each reading
only its rows); a folder made with another tokenizer, or whose files disagree with the manifest,
is refused in one line."""
import hashlib
import json
import os
import shutil
import tempfile
import unittest

import numpy as np

from localist_torch import checkpoint, safetensors_io
from localist_torch.batches import sample_batch
from localist_torch.tokens import TokenFileError, open_tokens

from tests.helpers import losses, make_run, train


def write_folder(folder, splits, tokenizer, dtype="uint16"):
    """A prepared folder in the documented layout, the tokenizer copied in."""
    os.makedirs(folder)
    with open(os.path.join(folder, "tokenizer.json"), "wb") as handle:
        handle.write(tokenizer)
    for name, ids in splits.items():
        np.asarray(ids, np.dtype("<u2" if dtype == "uint16" else "<u4")).tofile(os.path.join(folder, f"{name}.tokens.bin"))
    manifest = {
        "format": "localist-tokens", "version": 1, "dtype": dtype,
        "tokenizer": {"file": "tokenizer.json", "sha256": hashlib.sha256(tokenizer).hexdigest()},
        "blocks": None,
        "splits": {name: {"tokens": len(ids)} for name, ids in splits.items()},
        "sources": [{"file": "corpus.txt", "bytes": 1234}],
    }
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)


class TokenFolderTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp()
        self.run_dir = os.path.join(self.work, "run")
        self.saved = make_run(self.run_dir, steps=4)
        with open(os.path.join(self.run_dir, "corpus.safetensors"), "rb") as handle:
            self.corpus, _ = safetensors_io.decode(handle.read())
        self.data = os.path.join(self.work, "data")
        write_folder(self.data, self.corpus, self.saved["tokenizer"])

    def tearDown(self):
        shutil.rmtree(self.work)

    def test_streams_are_memory_maps_of_the_ids(self):
        streams = open_tokens(self.data, self.saved["tokenizer"])
        for name in ("train", "valid", "test"):
            self.assertIsInstance(streams[name], np.memmap)
            self.assertEqual(streams[name].dtype, np.dtype("<u2"))
            np.testing.assert_array_equal(streams[name], self.corpus[name])
        # A process's rows are the whole batch's rows, read alone.
        full = sample_batch(streams["train"], 8, 12, 3, 5)
        part = sample_batch(streams["train"], 8, 12, 3, 5, slice(4, 8))
        np.testing.assert_array_equal(part[0], full[0][4:])
        np.testing.assert_array_equal(part[1], full[1][4:])

    def test_uint32_and_a_re_serialized_tokenizer_are_accepted(self):
        other = os.path.join(self.work, "wide")
        # The same tokenizer written with other spacing: its JSON is the run's.
        spaced = json.dumps(json.loads(self.saved["tokenizer"]), indent=1).encode("utf-8")
        write_folder(other, self.corpus, spaced, dtype="uint32")
        streams = open_tokens(other, self.saved["tokenizer"])
        np.testing.assert_array_equal(streams["valid"], self.corpus["valid"])

    def test_training_from_the_folder_equals_training_from_the_export(self):
        copy = os.path.join(self.work, "copy")
        ddp = os.path.join(self.work, "ddp")
        shutil.copytree(self.run_dir, copy)
        shutil.copytree(self.run_dir, ddp)
        os.remove(os.path.join(copy, "corpus.safetensors"))
        os.remove(os.path.join(ddp, "corpus.safetensors"))
        train(self.run_dir)
        train(copy, "--data", self.data)
        train(ddp, "--data", self.data, processes=2)
        self.assertEqual(losses(copy), losses(self.run_dir))
        np.testing.assert_allclose(losses(ddp), losses(self.run_dir), rtol=1e-5)
        self.assertEqual(checkpoint.load(ddp)["config"]["step"], 4)

    def test_another_tokenizer_is_refused_in_one_line(self):
        tokenizer = json.loads(self.saved["tokenizer"])
        tokenizer["tokens"][2], tokenizer["tokens"][3] = tokenizer["tokens"][3], tokenizer["tokens"][2]
        other = os.path.join(self.work, "other")
        write_folder(other, self.corpus, json.dumps(tokenizer).encode("utf-8"))
        out = train(self.run_dir, "--data", other, check=False)
        self.assertEqual(out.returncode, 1)
        self.assertRegex(out.stderr, r"^error: .*other: its tokens were made by another tokenizer \(manifest sha256 [0-9a-f]{12}…, "
                                     r"the run's tokenizer.json [0-9a-f]{12}…\); prepare the data with the run's tokenizer\n$")

    def test_files_that_disagree_with_the_manifest_are_refused(self):
        with open(os.path.join(self.data, "valid.tokens.bin"), "ab") as handle:
            handle.write(b"\0")
        with self.assertRaisesRegex(TokenFileError, r"valid.tokens.bin has 801 bytes; the manifest's 400 uint16 tokens need 800$"):
            open_tokens(self.data, self.saved["tokenizer"])
        with self.assertRaisesRegex(TokenFileError, "has no manifest.json: make the folder with 'localist prepare'"):
            open_tokens(self.work, self.saved["tokenizer"])


if __name__ == "__main__":
    unittest.main()
