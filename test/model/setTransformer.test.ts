/**
 * The set models: permutation invariance of the set transformer (global and k-NN-local attention,
 * PMA and mean pooling, with prompts and LoRA) and of Deep Sets, to 1e-5; padding changes nothing;
 * a fresh LoRA adapter is no change; set attention against a plain-JS softmax; the k-NN masks
 * against brute force.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, np, tree, toFloat64 } from "../../src/engine/engine.js";
import { nearestMemberMask, setAttention } from "../../src/attention/set.js";
import { validateSetModelConfig, type SetModelConfig } from "../../src/model/setConfig.js";
import { initSetParams } from "../../src/model/setParams.js";
import { setModelForward } from "../../src/model/setModel.js";
import { assertClose, ready } from "../helpers/arrays.js";
import { seededUniform } from "../../src/engine/random.js";

await ready;

const B = 3;
const M = 7;
const D = 2;

function transformer(extra: Partial<Extract<SetModelConfig, { model: "transformer" }>>) {
  return validateSetModelConfig({
    model: "transformer",
    inputDim: D,
    outputs: 2,
    layers: 2,
    heads: 2,
    dModel: 8,
    dMlp: 16,
    attention: { kind: "global" },
    pooling: "pma",
    seeds: 1,
    prompts: 0,
    loraRank: 0,
    ...extra,
  });
}

const CONFIGS: [string, SetModelConfig][] = [
  ["global attention, PMA", transformer({})],
  ["global attention, mean pooling", transformer({ pooling: "mean" })],
  [
    "k-NN attention (k = 3), PMA with 2 seeds",
    transformer({ attention: { kind: "knn", k: 3 }, seeds: 2 }),
  ],
  [
    "k-NN attention, prompts and LoRA",
    transformer({ attention: { kind: "knn", k: 3 }, prompts: 2, loraRank: 2 }),
  ],
  ["Deep Sets", { model: "deepsets", inputDim: D, outputs: 2, layers: 2, dModel: 8, dMlp: 16 }],
];

const random = seededUniform(17);
const SAMPLES = Float32Array.from({ length: B * M * D }, () => 4 * random() - 2);

/** Outputs (B, O) on samples (B, M, D) with `sizes` members per set (rows past them padding). */
function outputs(config: SetModelConfig, samples: Float32Array, sizes: number[], capacity = M) {
  const params = initSetParams(config, 3);
  const valid = new Float32Array(B * capacity);
  sizes.forEach((size, b) => valid.fill(1, b * capacity, b * capacity + size));
  const knn = config.model === "transformer" && config.attention.kind === "knn";
  const neighbours = knn
    ? fromHost(
        nearestMemberMask(samples, sizes, capacity, D, config.attention.k),
        [B, capacity, capacity],
        np.float32,
      )
    : undefined;
  const out = setModelForward(
    params,
    {
      x: fromHost(samples, [B, capacity, D], np.float32),
      valid: fromHost(valid, [B, capacity], np.float32),
      ...(neighbours ? { neighbours } : {}),
    },
    config,
  );
  return toFloat64(out);
}

/** The samples with the members of every set reordered by `order`. */
function permuted(order: number[]): Float32Array {
  const out = new Float32Array(SAMPLES.length);
  for (let b = 0; b < B; b++)
    order.forEach((from, to) =>
      out.set(SAMPLES.subarray((b * M + from) * D, (b * M + from + 1) * D), (b * M + to) * D),
    );
  return out;
}

for (const [name, config] of CONFIGS)
  test(`${name}: shuffling the samples of a bag leaves the prediction unchanged to 1e-5`, () => {
    const full = Array(B).fill(M);
    const base = outputs(config, SAMPLES, full);
    for (const order of [
      [6, 5, 4, 3, 2, 1, 0],
      [3, 0, 6, 1, 5, 2, 4],
    ])
      assertClose(outputs(config, permuted(order), full), base, { rtol: 1e-5, atol: 1e-5 });
  });

for (const [name, config] of CONFIGS)
  test(`${name}: padding rows change nothing`, () => {
    const sizes = [5, 7, 3];
    const base = outputs(config, SAMPLES, sizes);
    const junk = Float32Array.from(SAMPLES);
    sizes.forEach((size, b) => junk.fill(9, (b * M + size) * D, (b + 1) * M * D));
    assertClose(outputs(config, junk, sizes), base, { rtol: 1e-5, atol: 1e-5 });
    // A larger capacity (more padding) gives the same outputs.
    const wide = new Float32Array(B * (M + 2) * D);
    for (let b = 0; b < B; b++)
      wide.set(SAMPLES.subarray(b * M * D, (b * M + sizes[b]) * D), b * (M + 2) * D);
    assertClose(outputs(config, wide, sizes, M + 2), base, { rtol: 1e-5, atol: 1e-5 });
  });

test("a fresh LoRA adapter (B = 0) leaves the model unchanged", () => {
  const plain = transformer({});
  const adapted = transformer({ loraRank: 3 });
  const base = initSetParams(plain, 3);
  const extra = initSetParams(adapted, 4, (name) => !(name in base));
  const batch = () => ({
    x: fromHost(SAMPLES, [B, M, D], np.float32),
    valid: np.ones([B, M]),
  });
  const expected = toFloat64(setModelForward(tree.ref(base), batch(), plain));
  const actual = toFloat64(setModelForward({ ...base, ...extra }, batch(), adapted));
  assertClose(actual, expected, { rtol: 1e-6, atol: 1e-6 });
});

test("set attention is softmax(q·k/√E) over the allowed keys, against plain JS", () => {
  const [q, k, v] = [
    [1, 0, 0.5, -1],
    [0.2, 0.4, -1, 1, 0.3, 0.3],
    [1, 2, 3, 4, 5, 6],
  ];
  // (1, 1, 2, 2) queries, (1, 1, 3, 2) keys and values; the second query may not see key 0.
  const allowed = [1, 1, 1, 0, 1, 1];
  const out = toFloat64(
    setAttention(
      fromHost(q, [1, 1, 2, 2], np.float32),
      fromHost(k, [1, 1, 3, 2], np.float32),
      fromHost(v, [1, 1, 3, 2], np.float32),
      { allowed: np.greater(fromHost(allowed, [1, 1, 2, 3], np.float32), 0.5) },
    ),
  );
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) {
    const logits = [0, 1, 2].map((j) =>
      allowed[i * 3 + j]
        ? (q[2 * i] * k[2 * j] + q[2 * i + 1] * k[2 * j + 1]) / Math.SQRT2
        : -Infinity,
    );
    const top = Math.max(...logits);
    const w = logits.map((l) => Math.exp(l - top));
    const total = w.reduce((a, b) => a + b, 0);
    for (let c = 0; c < 2; c++)
      expected.push(w.reduce((s, wj, j) => s + (wj / total) * v[2 * j + c], 0));
  }
  assertClose(out, expected, { rtol: 1e-5 });
});

test("k-NN masks: each member sees exactly its k nearest members (itself included), padding none", () => {
  const sizes = [7, 4, 1];
  const mask = nearestMemberMask(SAMPLES, sizes, M, D, 3);
  sizes.forEach((size, b) => {
    for (let i = 0; i < M; i++) {
      const row = Array.from(mask.subarray((b * M + i) * M, (b * M + i + 1) * M));
      if (i >= size) {
        assert.equal(
          row.reduce((x, y) => x + y, 0),
          0,
          "a padding row sees nothing",
        );
        continue;
      }
      const distance = (j: number) =>
        (SAMPLES[(b * M + i) * D] - SAMPLES[(b * M + j) * D]) ** 2 +
        (SAMPLES[(b * M + i) * D + 1] - SAMPLES[(b * M + j) * D + 1]) ** 2;
      const nearest = Array.from({ length: size }, (_, j) => j)
        .sort((x, y) => distance(x) - distance(y))
        .slice(0, Math.min(3, size));
      assert.deepEqual(
        row.flatMap((on, j) => (on ? [j] : [])),
        [...nearest].sort((x, y) => x - y),
      );
      assert.equal(row[i], 1, "itself");
    }
  });
});
