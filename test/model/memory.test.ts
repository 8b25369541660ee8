/**
 * The memory estimate against what the engine did (bench/large-model.bench.ts, docs/scale-out.md):
 * a 12 × 768 model with 50,257 tokens and context 256 evaluated at batch 4 and ran out of the
 * 4 GiB Wasm memory at batch 8, because a compiled pass keeps every layer's temporaries; the
 * estimate admits 4 and refuses 8. A pass run op by op (long global contexts) counts one layer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateModelConfig } from "../../src/model/config.js";
import { estimateMemory, MEMORY_BUDGET_BYTES } from "../../src/model/memory.js";

const gpt2Small = (context: number) =>
  validateModelConfig({
    vocabSize: 50_257,
    context,
    layers: 12,
    heads: 12,
    dModel: 768,
    dMlp: 3072,
    attention: { kind: "global" },
    positional: "learned",
    strict: false,
  });

test("compiled inference counts every layer: batch 4 fits, batch 8 does not", () => {
  const config = gpt2Small(256);
  const fits = (batch: number) =>
    estimateMemory(config, { batch, training: false }).total <= MEMORY_BUDGET_BYTES;
  assert.equal(fits(4), true);
  assert.equal(fits(8), false);
  const inference = estimateMemory(config, { batch: 4, training: false });
  const training = estimateMemory(config, { batch: 4, training: true });
  assert.equal(inference.activations, training.activations);
  assert.ok(inference.total < training.total);
});

test("op-by-op inference (tiled global attention) counts one layer", () => {
  const config = gpt2Small(1024);
  const inference = estimateMemory(config, { batch: 1, training: false });
  const training = estimateMemory(config, { batch: 1, training: true });
  assert.ok(inference.activations < training.activations / 6);
});
