/**
 * Training from a prepared folder: batches read by window equal the in-memory batches on the same
 * ids, each input position carries its own block, and the dial hook takes those blocks in place of
 * the token → block table.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WordTokenizer } from "../../src/data/tokenizer.js";
import { initEngine, toFloat64 } from "../../src/engine/engine.js";
import { blockIds, type BlockSpec } from "../../src/localist/blocks.js";
import { dialHook } from "../../src/localist/hook.js";
import { blocksOfFolder } from "../../src/localist/occurrenceBlocks.js";
import { defaultRouting } from "../../src/localist/routing.js";
import type { ModelConfig } from "../../src/model/config.js";
import { memorySource, TokenFolder, TokenFolderWriter } from "../../src/io/tokenFiles.js";
import { sampleBatch, sampleWindows } from "../../src/train/batches.js";
import { evaluateStream } from "../../src/train/evaluate.js";
import { validateModelConfig } from "../../src/model/config.js";
import { initParams } from "../../src/model/params.js";
import type { HookSource, TokenBatch } from "../../src/model/hooks.js";

const root = mkdtempSync(join(tmpdir(), "localist-windows-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const tokenizer = WordTokenizer.fromSentences([["a", "b", "c", "d", "e", "f"]]);
const names = ["x", "y", "punctuation"];
/** A stream of 5000 ids with a block per position that is not a function of the id alone. */
const ids = Int32Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919) % 7));
const blocks = Uint8Array.from(ids, (id, i) => (id === 1 ? 2 : (id + (i % 2)) % 2));

function prepared(name: string): TokenFolder {
  const writer = new TokenFolderWriter(join(root, name), {
    tokenizer,
    blocks: { source: "test", names },
    sources: [],
  });
  writer.append("train", ids, blocks);
  writer.append("valid", ids.subarray(0, 10), blocks.subarray(0, 10));
  writer.append("test", ids.subarray(0, 10), blocks.subarray(0, 10));
  writer.commit();
  return TokenFolder.open(join(root, name));
}

test("batches read by window equal sampleBatch on the same ids, with the inputs' blocks", () => {
  const folder = prepared("parity");
  for (const step of [0, 1, 17, 400]) {
    const expected = sampleBatch(ids, 4, 16, 9, step);
    const read = sampleWindows(folder.source("train"), 4, 16, 9, step);
    assert.deepEqual(read.inputs, expected.inputs);
    assert.deepEqual(read.targets, expected.targets);
    const fromMemory = sampleWindows(memorySource(ids, blocks), 4, 16, 9, step);
    assert.deepEqual(fromMemory.blocks, read.blocks);
    // Each input position's block is the block stored at that position of the stream.
    const starts = Array.from({ length: 4 }, (_, b) => {
      const row = read.inputs.subarray(b * 16, b * 16 + 16);
      for (let s = 0; s + 16 <= ids.length; s++)
        if (row.every((v, k) => ids[s + k] === v) && read.blocks![b * 16] === blocks[s]) return s;
      return -1;
    });
    assert.ok(starts.every((s) => s >= 0));
  }
  assert.equal(sampleWindows(memorySource(ids), 2, 8, 1, 0).blocks, undefined);
  assert.throws(
    () => sampleWindows(memorySource(ids.subarray(0, 8)), 2, 8, 1, 0),
    /fewer than context \+ 1 = 9/,
  );
  folder.close();
});

test("the folder's token table: each token's most frequent block; positions' own blocks win", () => {
  const folder = prepared("table");
  const spec = blocksOfFolder(folder);
  assert.deepEqual(spec.names, names);
  assert.equal(spec.source, "test");
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const seen = [0, 0, 0];
    ids.forEach((v, i) => v === id && seen[blocks[i]]++);
    const expected = Math.max(...seen) === 0 ? 2 : seen.indexOf(Math.max(...seen));
    assert.equal(spec.tokenBlocks[id], expected, `token ${id}`);
  }
  const tokens = ids.subarray(0, 12);
  const own = Int32Array.from(blocks.subarray(0, 12));
  assert.deepEqual(blockIds(spec, tokens, 12, own), own);
  assert.deepEqual(
    blockIds(spec, tokens, 12),
    Int32Array.from(tokens, (t) => spec.tokenBlocks[t]),
  );
  assert.throws(
    () => blockIds(spec, tokens, 12, own.subarray(0, 3)),
    /12 tokens came with 3 block ids/,
  );
  assert.throws(
    () => blockIds(spec, tokens, 12, new Int32Array(12).fill(3)),
    /block id 3 is outside the model's 3 blocks/,
  );
  const windows: BlockSpec = { kind: "window", width: 4 };
  assert.deepEqual([...blockIds(windows, tokens, 12, own)].slice(0, 5), [0, 0, 0, 0, 1]);
  folder.close();
});

test("the dial hook sends the batch's own blocks into the forward pass", async () => {
  await initEngine();
  const folder = prepared("hook");
  const spec = blocksOfFolder(folder);
  const config = { layers: 1, heads: 3, context: 8 } as unknown as ModelConfig;
  const hook = dialHook(
    { blocks: spec, routing: defaultRouting(names, 3, false), margin: 4 },
    config,
  );
  const batch = sampleWindows(folder.source("train"), 2, 8, 3, 5);
  const inputs = hook.inputs({
    tokens: batch.inputs,
    batch: 2,
    length: 8,
    step: 0,
    blocks: batch.blocks,
  });
  assert.deepEqual([...toFloat64(inputs.blocks)], [...batch.blocks!]);
  inputs.dial.dispose();
  const table = hook.inputs({ tokens: batch.inputs, batch: 2, length: 8, step: 0 });
  assert.deepEqual(
    [...toFloat64(table.blocks)],
    Array.from(batch.inputs, (t) => spec.tokenBlocks[t]),
  );
  table.dial.dispose();
  folder.close();
});

test("evaluation passes each window's blocks to the hooks", async () => {
  await initEngine();
  const config = validateModelConfig({
    vocabSize: tokenizer.vocabSize,
    context: 8,
    layers: 1,
    heads: 2,
    dModel: 8,
    dMlp: 16,
    attention: { kind: "global" },
    positional: "learned",
    strict: false,
  });
  const seen: TokenBatch[] = [];
  const watcher: HookSource = {
    name: "watch",
    inputs(batch) {
      seen.push(batch);
      return [];
    },
    attach: () => ({}),
  };
  const params = initParams(config, 1);
  const stream = ids.subarray(0, 41);
  const own = Int32Array.from(blocks.subarray(0, 41));
  await evaluateStream(params, config, stream, {
    hooks: [watcher],
    batch: 3,
    stride: 8,
    blocks: own,
  });
  const windows = seen.flatMap((b) =>
    Array.from({ length: b.batch }, (_, r) => ({
      tokens: [...b.tokens.subarray(r * 8, r * 8 + 8)],
      blocks: [...b.blocks!.subarray(r * 8, r * 8 + 8)],
    })),
  );
  assert.equal(windows.length, 5);
  windows.forEach((w, k) => {
    assert.deepEqual(w.tokens, [...stream.subarray(8 * k, 8 * k + 8)]);
    assert.deepEqual(w.blocks, [...own.subarray(8 * k, 8 * k + 8)]);
  });
  await assert.rejects(
    evaluateStream(params, config, stream, { hooks: [watcher], blocks: own.subarray(0, 3) }),
    /the evaluation split has 41 tokens but 3 block ids/,
  );
  for (const value of Object.values(params)) value.dispose();
});
