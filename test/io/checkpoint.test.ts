/**
 * Checkpoint folders and the run folder's pointer: round trips, one complete checkpoint at every
 * instant (a failed save leaves the previous one current), clean-up of what interrupted saves
 * leave, 0.1.0's flat layout, and one-line errors for missing and corrupt files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../../src/engine/errors.js";
import {
  checkWeightsMatch,
  cleanRunFolder,
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

/** The current checkpoint folder of a run folder. */
const current = (run: string) =>
  join(
    run,
    (JSON.parse(readFileSync(join(run, "checkpoint.json"), "utf8")) as { current: string }).current,
  );

test("saveCheckpoint then loadCheckpoint round-trips every part", () => {
  const run = join(tempFiles({}), "model");
  const saved = sampleCheckpoint();
  saveCheckpoint(run, saved, 120);
  assert.deepEqual(readdirSync(run).sort(), ["checkpoint.json", "checkpoints"]);
  const folder = current(run);
  assert.match(folder, /checkpoints\/step-00000120-[0-9a-f]{6}$/);
  assert.deepEqual(readdirSync(folder).sort(), [
    "config.json",
    "model.safetensors",
    "optimizer.safetensors",
    "state.json",
    "tokenizer.json",
  ]);
  const loaded = loadCheckpoint(run);
  assert.equal(loaded.folder, folder);
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
  assert.match(readFileSync(join(folder, "config.json"), "utf8"), /^\{\n {2}"dModel": 4,/);
  // A checkpoint folder also loads on its own.
  assert.deepEqual(loadCheckpoint(folder).config, saved.config);
});

test("each save replaces the previous checkpoint, which is then removed", () => {
  const run = tempFiles({});
  saveCheckpoint(run, sampleCheckpoint(), 1);
  const { config, tokenizer, weights } = sampleCheckpoint();
  saveCheckpoint(run, { config: { ...config, note: "final" }, tokenizer, weights }, 2);
  assert.equal(readdirSync(join(run, "checkpoints")).length, 1);
  assert.deepEqual(readdirSync(current(run)).sort(), [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
  ]);
  const loaded = loadCheckpoint(run);
  assert.equal(loaded.optimizer, undefined);
  assert.equal(loaded.state, undefined);
  assert.equal(loaded.config.note, "final");
});

test("a failed save leaves the previous checkpoint current, and no partial files", () => {
  const run = tempFiles({});
  saveCheckpoint(run, sampleCheckpoint(), 5);
  const before = current(run);
  const bad = {
    ...sampleCheckpoint(),
    optimizer: { x: { dtype: "F32", shape: [2], data: new Float32Array(3) } },
  };
  assert.throws(() => saveCheckpoint(run, bad as never, 6), LocalistError);
  assert.equal(current(run), before);
  assert.equal(loadCheckpoint(run).state?.step, 120);
  assert.deepEqual(readdirSync(join(run, "checkpoints")), [before.split("/").at(-1)]);
});

test("cleanRunFolder removes interrupted saves, stale temporary files and 0.1.0's flat files", () => {
  const run = tempFiles({});
  saveCheckpoint(run, sampleCheckpoint(), 7);
  const keep = current(run);
  mkdirSync(join(run, "checkpoints", ".step-00000008-abcdef.partial"));
  mkdirSync(join(run, "checkpoints", "step-00000003-123456"));
  writeFileSync(join(run, "metrics.jsonl.tmp-123-abcdef"), "half");
  writeFileSync(join(run, "config.json"), "{}");
  cleanRunFolder(run);
  assert.deepEqual(readdirSync(join(run, "checkpoints")), [keep.split("/").at(-1)]);
  assert.deepEqual(readdirSync(run).sort(), ["checkpoint.json", "checkpoints"]);
});

test("0.1.0's flat layout loads, and its incomplete folders say what is missing", () => {
  const root = tempFiles({});
  const run = join(root, "run");
  saveCheckpoint(run, sampleCheckpoint(), 1);
  const flat = current(run);
  assert.equal(loadCheckpoint(flat).state?.step, 120);
  rmSync(join(flat, "config.json"));
  throwsOneLine(
    () => loadCheckpoint(flat),
    /checkpoint .* is incomplete: config\.json is missing \(was saving interrupted\?\)/,
  );
  throwsOneLine(
    () => loadCheckpoint(run),
    /^checkpoint pointer .*checkpoint\.json names checkpoints\/step-\S+, which is missing or incomplete; retrain or restore it$/,
  );
  saveCheckpoint(run, sampleCheckpoint(), 2);
  rmSync(join(current(run), "model.safetensors"));
  throwsOneLine(() => loadCheckpoint(run), /is incomplete: model\.safetensors is missing/);
  saveCheckpoint(run, sampleCheckpoint(), 3);
  rmSync(join(current(run), "tokenizer.json"));
  throwsOneLine(() => loadCheckpoint(run), /is incomplete: tokenizer\.json is missing/);
  writeFileSync(
    join(run, "checkpoint.json"),
    '{"format": "localist-pointer", "current": "../../etc"}',
  );
  throwsOneLine(
    () => loadCheckpoint(run),
    /^checkpoint pointer .*checkpoint\.json: current must match \S+, got "\.\.\/\.\.\/etc"$/,
  );
});

test("missing folders and files give one-line errors", () => {
  const root = tempFiles({ "plain.txt": "x" });
  const missing = join(root, "nothing");
  throwsOneLine(
    () => loadCheckpoint(missing),
    new RegExp(`^no model at ${missing}: train one with \`out\` ${missing}$`),
  );
  throwsOneLine(() => loadCheckpoint(tempFiles({})), /^no model at .*: train one with/);
  throwsOneLine(() => loadCheckpoint(join(root, "plain.txt")), /it is a file, not a checkpoint/);
  assert.ok(!existsSync(missing));
});

test("corrupt files give one-line errors naming the file", () => {
  const run = tempFiles({});
  saveCheckpoint(run, sampleCheckpoint(), 1);
  const model = join(current(run), "model.safetensors");
  const bytes = readFileSync(model);
  writeFileSync(model, bytes.subarray(0, bytes.length - 7));
  throwsOneLine(
    () => loadCheckpoint(run),
    new RegExp(
      `^checkpoint ${model} is truncated: the header says \\d+ bytes of data, the file has \\d+; the file is corrupt, retrain or restore it$`,
    ),
  );
  writeFileSync(model, bytes);
  writeFileSync(join(current(run), "optimizer.safetensors"), "garbage");
  throwsOneLine(() => loadCheckpoint(run), /optimizer\.safetensors is truncated/);
  saveCheckpoint(run, sampleCheckpoint(), 2);
  writeFileSync(join(current(run), "config.json"), "{ oops");
  throwsOneLine(() => loadCheckpoint(run), /^model config .*config\.json is not valid JSON: /);
  writeFileSync(join(current(run), "config.json"), "[1]");
  throwsOneLine(() => loadCheckpoint(run), /config\.json must hold a JSON object, got an array/);
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
