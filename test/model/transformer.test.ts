/** The transformer: shapes, causality for every attention kind and position encoding, recognizer. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { np, toFloat64, tree } from "../../src/engine/engine.js";
import {
  validateModelConfig,
  type ModelConfig,
  type PositionalEncoding,
} from "../../src/model/config.js";
import { forward } from "../../src/model/transformer.js";
import { initParams } from "../../src/model/params.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

function config(overrides: Partial<ModelConfig>): Readonly<ModelConfig> {
  return validateModelConfig({
    vocabSize: 11,
    context: 12,
    layers: 2,
    heads: 4,
    dModel: 16,
    dMlp: 32,
    attention: { kind: "global" },
    positional: "learned",
    strict: false,
    ...overrides,
  });
}

const tokens = (ids: number[]) =>
  np.array(Int32Array.from(ids), { dtype: np.int32 }).reshape([1, ids.length]);

function logitsOf(
  c: Readonly<ModelConfig>,
  params: Record<string, np.Array>,
  ids: number[],
): Float64Array {
  return toFloat64(forward(tree.ref(params), tokens(ids), c));
}

const kinds: ModelConfig["attention"][] = [
  { kind: "global" },
  { kind: "local", window: 3 },
  { kind: "hybrid", window: 2 },
];
const encodings: PositionalEncoding[] = ["none", "learned", "sinusoidal", "rotary"];

for (const attention of kinds) {
  for (const positional of encodings) {
    test(`causal: a later token never changes earlier logits (${attention.kind}, ${positional})`, () => {
      const c = config({ attention, positional });
      const params = initParams(c, 3);
      const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      const b = [...a.slice(0, 6), 0, 0, 0, 0];
      const la = logitsOf(c, params, a);
      const lb = logitsOf(c, params, b);
      assert.equal(la.length, 10 * 11);
      for (let i = 0; i < 6 * 11; i++) assert.ok(Math.abs(la[i] - lb[i]) < 1e-5, `logit ${i}`);
      // and the changed positions do see their own tokens
      assert.ok(la.slice(6 * 11).some((v, i) => Math.abs(v - lb[6 * 11 + i]) > 1e-4));
      tree.dispose(params);
    });
  }
}

test("a local window covering the whole context equals global attention", () => {
  const global = config({});
  const local = config({ attention: { kind: "local", window: 12 } });
  const params = initParams(global, 5);
  const ids = [3, 1, 4, 1, 5, 9, 2, 6];
  const a = logitsOf(global, params, ids);
  const b = logitsOf(local, params, ids);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `logit ${i}`));
  tree.dispose(params);
});

test("a recognizer reads the last position into its class logits", () => {
  const c = config({ classes: 2, strict: true, positional: "none" });
  const params = initParams(c, 4);
  const out = forward(tree.ref(params), tokens([1, 2, 3, 4]), c);
  assert.deepEqual(out.shape, [1, 2]);
  out.dispose();
  tree.dispose(params);
});

test("invalid configs are rejected with a message naming the field", () => {
  assert.throws(() => config({ dModel: 18 }), /d-model \(18\) must be divisible by heads \(4\)/);
  assert.throws(
    () => config({ attention: { kind: "hybrid", window: 2 }, heads: 1, dModel: 16 }),
    /hybrid attention needs at least 2 heads/,
  );
  assert.throws(
    () => config({ positional: "alibi" as PositionalEncoding }),
    /positional encoding must be one of none, learned, sinusoidal, rotary, got 'alibi'/,
  );
});
