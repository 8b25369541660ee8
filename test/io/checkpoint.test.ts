import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../../src/engine/errors.js";
import {
  checkWeightsMatch,
  loadCheckpoint,
  saveCheckpoint,
  type HostTensor,
} from "../../src/io/checkpoint.js";
import { tempFiles } from "../helpers/cli.js";

const f32 = (shape: number[], start = 0): HostTensor => ({
  dtype: "F32",
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => start + i / 4),
});

function sampleCheckpoint() {
  return {
    config: { dModel: 4, layers: 1, vocabSize: 3 },
    tokenizer: { kind: "word", version: 1, lowercase: true, tokens: ["<unk>", "<eos>", "the"] },
    weights: { "embed.weight": f32([3, 4]), "layers.0.attn.wq": f32([4, 4], 1) },
    optimizer: { "m.embed.weight": f32([3, 4], 2), "v.embed.weight": f32([3, 4], 3) },
    state: { step: 120, rng: [1, 2, 3, 4] },
  };
}

/** Asserts a one-line LocalistError whose message matches. */
function throwsOneLine(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof LocalistError, `not a LocalistError: ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

test("saveCheckpoint then loadCheckpoint round-trips every part", () => {
  const dir = join(tempFiles({}), "model");
  const saved = sampleCheckpoint();
  saveCheckpoint(dir, saved);
  assert.deepEqual(readdirSync(dir).sort(), [
    "config.json",
    "model.safetensors",
    "optimizer.safetensors",
    "state.json",
    "tokenizer.json",
  ]);
  const loaded = loadCheckpoint(dir);
  assert.deepEqual(loaded.config, saved.config);
  assert.deepEqual(loaded.tokenizer, saved.tokenizer);
  assert.deepEqual(loaded.state, saved.state);
  for (const part of ["weights", "optimizer"] as const) {
    const tensors = loaded[part];
    assert.ok(tensors);
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(saved[part]).sort());
    for (const [name, tensor] of Object.entries(saved[part] as Record<string, HostTensor>)) {
      assert.deepEqual(tensors[name].shape, tensor.shape);
      assert.deepEqual(Array.from(tensors[name].data), Array.from(tensor.data));
    }
  }
  assert.match(readFileSync(join(dir, "config.json"), "utf8"), /^\{\n {2}"dModel": 4,/);
});

test("a later save without optimizer or state removes the stale files", () => {
  const dir = tempFiles({});
  saveCheckpoint(dir, sampleCheckpoint());
  const { config, tokenizer, weights } = sampleCheckpoint();
  saveCheckpoint(dir, { config: { ...config, note: "final" }, tokenizer, weights });
  assert.deepEqual(readdirSync(dir).sort(), ["config.json", "model.safetensors", "tokenizer.json"]);
  const loaded = loadCheckpoint(dir);
  assert.equal(loaded.optimizer, undefined);
  assert.equal(loaded.state, undefined);
  assert.equal(loaded.config.note, "final");
});

test("missing folders and files give one-line errors", () => {
  const root = tempFiles({ "plain.txt": "x" });
  const missing = join(root, "nothing");
  throwsOneLine(
    () => loadCheckpoint(missing),
    new RegExp(`^no model at ${missing}: train one with 'localist train --out ${missing}'$`),
  );
  throwsOneLine(() => loadCheckpoint(tempFiles({})), /^no model at .*: train one with/);
  throwsOneLine(() => loadCheckpoint(join(root, "plain.txt")), /it is a file, not a checkpoint/);

  const dir = join(root, "ckpt");
  saveCheckpoint(dir, sampleCheckpoint());
  rmSync(join(dir, "config.json"));
  throwsOneLine(
    () => loadCheckpoint(dir),
    /checkpoint .*ckpt is incomplete: config\.json is missing \(was saving interrupted\?\)/,
  );
  saveCheckpoint(dir, sampleCheckpoint());
  rmSync(join(dir, "model.safetensors"));
  throwsOneLine(() => loadCheckpoint(dir), /ckpt is incomplete: model\.safetensors is missing/);
  saveCheckpoint(dir, sampleCheckpoint());
  rmSync(join(dir, "tokenizer.json"));
  throwsOneLine(() => loadCheckpoint(dir), /ckpt is incomplete: tokenizer\.json is missing/);
});

test("corrupt files give one-line errors naming the file", () => {
  const dir = tempFiles({});
  saveCheckpoint(dir, sampleCheckpoint());
  const model = join(dir, "model.safetensors");
  const bytes = readFileSync(model);
  writeFileSync(model, bytes.subarray(0, bytes.length - 7));
  throwsOneLine(
    () => loadCheckpoint(dir),
    new RegExp(
      `^checkpoint ${model} is truncated: the header says \\d+ bytes of data, the file has \\d+; the file is corrupt, retrain or restore it$`,
    ),
  );
  writeFileSync(model, bytes);
  writeFileSync(join(dir, "optimizer.safetensors"), "garbage");
  throwsOneLine(() => loadCheckpoint(dir), /optimizer\.safetensors is truncated/);
  saveCheckpoint(dir, sampleCheckpoint());
  writeFileSync(join(dir, "config.json"), "{ oops");
  throwsOneLine(() => loadCheckpoint(dir), /^model config .*config\.json is not valid JSON: /);
  writeFileSync(join(dir, "config.json"), "[1]");
  throwsOneLine(() => loadCheckpoint(dir), /config\.json must hold a JSON object, got an array/);
});

test("an interrupted save leaves no config.json, so the folder never looks complete", () => {
  const dir = tempFiles({});
  saveCheckpoint(dir, sampleCheckpoint());
  const bad = {
    ...sampleCheckpoint(),
    optimizer: { x: { dtype: "F32", shape: [2], data: new Float32Array(3) } },
  };
  assert.throws(() => saveCheckpoint(dir, bad as never), LocalistError);
  assert.equal(existsSync(join(dir, "config.json")), false);
  throwsOneLine(() => loadCheckpoint(dir), /is incomplete: config\.json is missing/);
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.includes(".tmp-")),
    [],
  );
});

test("checkWeightsMatch reports missing, unexpected and mis-shaped tensors", () => {
  const { weights } = sampleCheckpoint();
  const expected = { "embed.weight": [3, 4], "layers.0.attn.wq": [4, 4] };
  checkWeightsMatch(weights, expected, "out");
  throwsOneLine(
    () => checkWeightsMatch(weights, { ...expected, "layers.0.attn.wq": [128, 128] }, "out"),
    /^checkpoint out: tensor 'layers\.0\.attn\.wq' has shape \[4,4\] but the config needs \[128,128\]; the checkpoint belongs to another model config$/,
  );
  throwsOneLine(
    () => checkWeightsMatch(weights, { ...expected, "head.weight": [4, 3] }, "out"),
    /^checkpoint out: tensor 'head\.weight' is missing \(the config needs shape \[4,3\]\); the checkpoint belongs/,
  );
  throwsOneLine(
    () => checkWeightsMatch(weights, { "embed.weight": [3, 4] }, "out"),
    /^checkpoint out: tensor 'layers\.0\.attn\.wq' \(shape \[4,4\]\) is not part of the config's model;/,
  );
  throwsOneLine(
    () => checkWeightsMatch(weights, { "embed.weight": [3], a: [1], b: [2] }, "out"),
    /tensor 'embed\.weight' has shape \[3,4\] but the config needs \[3\] \(and 3 more mismatches\)/,
  );
});
