/** Kernel log-weights against plain-JS formulas, and the algebra of composition. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64 } from "../../src/engine/engine.js";
import {
  DISTANCE_PROFILES,
  distanceKernel,
  type DistanceProfile,
} from "../../src/kernels/distance.js";
import { onColumns, powerKernel, productKernel } from "../../src/kernels/logKernel.js";
import { nearestNeighbourKernel, selectSmallest } from "../../src/kernels/nearest.js";
import {
  blockKernel,
  distanceDecayKernel,
  dotProductKernel,
  positionalWindowKernel,
} from "../../src/kernels/sequence.js";
import { assertClose, matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

/** The profiles written out directly: K(u) for u = distance / h. */
const oracle: Record<DistanceProfile, (u: number) => number> = {
  gaussian: (u) => Math.exp(-(u * u) / 2),
  epanechnikov: (u) => Math.max(0, 1 - u * u),
  tricube: (u) => (u < 1 ? (1 - u ** 3) ** 3 : 0),
  uniform: (u) => (u <= 1 ? 1 : 0),
  laplacian: (u) => Math.exp(-u),
  cosine: (u) => (u < 1 ? Math.cos((Math.PI * u) / 2) : 0),
  triangular: (u) => Math.max(0, 1 - u),
};

const random = seededRandom(1);
const queries = uniformRows(random, 7, 3);
const keys = uniformRows(random, 11, 3);
const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));

// jax-js 0.1.25 evaluates exp/log/sin on Wasm with float32-accurate approximations even for
// float64 arrays; the profiles use float64-precise replacements (engine/precise.ts).
test("every distance profile equals its formula (log K, −∞ outside the support)", () => {
  for (const profile of DISTANCE_PROFILES) {
    const tolerance = 1e-12;
    const h = 0.9;
    const logW = toFloat64(distanceKernel(profile, h).logWeights(matrix(queries), matrix(keys)));
    queries.forEach((q, i) =>
      keys.forEach((k, j) => {
        const expected = Math.log(oracle[profile](dist(q, k) / h));
        const got = logW[i * keys.length + j];
        if (expected === -Infinity) assert.equal(got, -Infinity, `${profile} (${i},${j})`);
        else
          assert.ok(
            Math.abs(got - expected) <= tolerance * Math.max(1, Math.abs(expected)),
            `${profile} (${i},${j}): ${got} vs ${expected}`,
          );
      }),
    );
  }
});

test("a per-feature bandwidth scales each feature separately", () => {
  const h = [0.5, 2, 1];
  const logW = toFloat64(distanceKernel("gaussian", h).logWeights(matrix(queries), matrix(keys)));
  const expected = queries.flatMap((q) =>
    keys.map((k) => -0.5 * q.reduce((s, v, c) => s + ((v - k[c]) / h[c]) ** 2, 0)),
  );
  assertClose(logW, expected, { rtol: 1e-9, atol: 1e-12 });
});

test("a product kernel adds log-weights; a power multiplies them", () => {
  const g = distanceKernel("gaussian", 0.7);
  const l = distanceKernel("laplacian", 1.3);
  const sum = toFloat64(productKernel(g, l).logWeights(matrix(queries), matrix(keys)));
  const a = toFloat64(g.logWeights(matrix(queries), matrix(keys)));
  const b = toFloat64(l.logWeights(matrix(queries), matrix(keys)));
  assertClose(
    sum,
    Array.from(a, (v, i) => v + b[i]),
    { rtol: 1e-12 },
  );
  // gaussian(h)^λ = gaussian(h/√λ)
  const powered = toFloat64(powerKernel(g, 4).logWeights(matrix(queries), matrix(keys)));
  const narrow = toFloat64(
    distanceKernel("gaussian", 0.35).logWeights(matrix(queries), matrix(keys)),
  );
  assertClose(powered, narrow, { rtol: 1e-9 });
  // power 0 is the flat kernel, even where the base kernel excludes pairs.
  const flat = toFloat64(
    powerKernel(distanceKernel("uniform", 0.1), 0).logWeights(matrix(queries), matrix(keys)),
  );
  assert.ok(flat.every((v) => v === 0));
  // a positive power keeps exclusions excluded.
  const compact = toFloat64(
    powerKernel(distanceKernel("epanechnikov", 0.8), 0.5).logWeights(matrix(queries), matrix(keys)),
  );
  const base = toFloat64(
    distanceKernel("epanechnikov", 0.8).logWeights(matrix(queries), matrix(keys)),
  );
  base.forEach((v, i) => assert.equal(compact[i] === -Infinity, v === -Infinity));
});

test("onColumns applies a kernel to selected features only", () => {
  const g = onColumns(distanceKernel("gaussian", 1), [0, 2]);
  const got = toFloat64(g.logWeights(matrix(queries), matrix(keys)));
  const expected = queries.flatMap((q) =>
    keys.map((k) => -0.5 * ((q[0] - k[0]) ** 2 + (q[2] - k[2]) ** 2)),
  );
  assertClose(got, expected, { rtol: 1e-9, atol: 1e-12 });
});

test("the k-NN kernel keeps exactly the k nearest keys", () => {
  const k = 4;
  const logW = toFloat64(nearestNeighbourKernel(k).logWeights(matrix(queries), matrix(keys)));
  queries.forEach((q, i) => {
    const order = keys.map((key, j) => [dist(q, key), j]).sort((a, b) => a[0] - b[0]);
    const nearest = new Set(order.slice(0, k).map(([, j]) => j));
    keys.forEach((_, j) => assert.equal(logW[i * keys.length + j], nearest.has(j) ? 0 : -Infinity));
  });
});

test("selectSmallest returns the k smallest in order, ties to the lower index", () => {
  const row = [5, 1, 3, 1, 9, 0, 3];
  const { indices, squaredDistances } = selectSmallest(row, 1, row.length, 4);
  assert.deepEqual(Array.from(indices), [5, 1, 3, 2]);
  assert.deepEqual(Array.from(squaredDistances), [0, 1, 1, 3]);
});

test("the dot-product kernel is q·k/τ", () => {
  const logW = toFloat64(dotProductKernel(2).logWeights(matrix(queries), matrix(keys)));
  assertClose(
    logW,
    queries.flatMap((q) => keys.map((k) => q.reduce((s, v, c) => s + v * k[c], 0) / 2)),
    { rtol: 1e-12, atol: 1e-15 },
  );
});

test("positional windows: causal strict, causal and symmetric", () => {
  const positions = Array.from({ length: 9 }, (_, i) => [i]);
  const cases: [
    string,
    Parameters<typeof positionalWindowKernel>[1],
    (i: number, j: number) => boolean,
  ][] = [
    ["strict", { causal: true, strict: true }, (i, j) => j < i && i - 2 <= j],
    ["causal", { causal: true }, (i, j) => j <= i && i - 2 <= j],
    ["symmetric", {}, (i, j) => Math.abs(i - j) <= 2],
  ];
  for (const [name, options, allowed] of cases) {
    const logW = toFloat64(
      positionalWindowKernel(2, options).logWeights(matrix(positions), matrix(positions)),
    );
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 9; j++)
        assert.equal(logW[i * 9 + j], allowed(i, j) ? 0 : -Infinity, `${name} (${i},${j})`);
    }
  }
});

test("distance decay is −|i − j|/σ and the block kernel is same-group", () => {
  const positions = [[0], [1], [4]];
  assertClose(
    toFloat64(distanceDecayKernel(4).logWeights(matrix(positions), matrix(positions))),
    [0, -0.25, -1, -0.25, 0, -0.75, -1, -0.75, 0],
  );
  const groups = [[1], [2], [1]];
  assert.deepEqual(
    Array.from(toFloat64(blockKernel().logWeights(matrix(groups), matrix(groups)))),
    [0, -Infinity, 0, -Infinity, 0, -Infinity, 0, -Infinity, 0],
  );
});

test("bad kernel parameters are rejected with a message naming them", () => {
  assert.throws(() => distanceKernel("gaussian", 0), /bandwidth must be > 0, got 0/);
  assert.throws(() => distanceKernel("gaussian", [1, -2]), /bandwidth must be > 0, got -2/);
  assert.throws(
    () => distanceKernel("boxcar" as DistanceProfile, 1),
    /unknown kernel 'boxcar'; expected one of gaussian/,
  );
  assert.throws(() => nearestNeighbourKernel(0), /k must be an integer in \[1, ∞\], got 0/);
  assert.throws(
    () => powerKernel(distanceKernel("gaussian", 1), -1),
    /exponent must be a finite number ≥ 0/,
  );
});
