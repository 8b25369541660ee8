/**
 * Kernel mean embeddings and ridge on embeddings against a plain-JS oracle on a small case (bags of
 * different sizes): the embedding inner products, squared norms and the predictions of the linear
 * and the gaussian kernel on embeddings; and cross-validation chooses among candidates.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  embeddingInnerProducts,
  embeddingSquaredNorms,
  medianSampleDistance,
  type SampleSets,
} from "../../src/classical/kernelMeanEmbedding.js";
import { LocalistError } from "../../src/engine/errors.js";
import { kmeRidge } from "../../src/classical/distributionRidge.js";
import { seededUniform } from "../../src/engine/random.js";
import { assertClose, ready } from "../helpers/arrays.js";

await ready;

const random = seededUniform(23);
const DIM = 2;
const CAPACITY = 5;

/** Sets of the given sizes (padding 0), samples uniform on [−1, 1]², shifted per set. */
function sets(sizes: number[]): SampleSets {
  const samples = new Float64Array(sizes.length * CAPACITY * DIM);
  sizes.forEach((size, i) => {
    for (let s = 0; s < size; s++)
      for (let c = 0; c < DIM; c++)
        samples[(i * CAPACITY + s) * DIM + c] = 2 * random() - 1 + 0.3 * i * (c === 0 ? 1 : -1);
  });
  return {
    count: sizes.length,
    capacity: CAPACITY,
    dim: DIM,
    samples,
    sizes: Int32Array.from(sizes),
  };
}

function sample(sets: SampleSets, i: number, s: number): number[] {
  const base = (i * sets.capacity + s) * sets.dim;
  return Array.from(sets.samples.subarray(base, base + sets.dim));
}

/** ⟨μ̂_i, μ̂_j⟩ by double loops. */
function innerOracle(a: SampleSets, i: number, b: SampleSets, j: number, h: number): number {
  let sum = 0;
  for (let s = 0; s < a.sizes[i]; s++)
    for (let t = 0; t < b.sizes[j]; t++) {
      const x = sample(a, i, s);
      const y = sample(b, j, t);
      const d2 = x.reduce((acc, v, c) => acc + (v - y[c]) ** 2, 0);
      sum += Math.exp(-d2 / (2 * h * h));
    }
  return sum / (a.sizes[i] * b.sizes[j]);
}

/** Solves A x = b (A n × n) by Gaussian elimination with partial pivoting. */
function solve(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, i) => [...row, rhs[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = a[r][n];
    for (let k = r + 1; k < n; k++) sum -= a[r][k] * x[k];
    x[r] = sum / a[r][r];
  }
  return x;
}

const TRAIN = sets([3, 5, 4, 2, 5, 3, 4]);
const QUERIES = sets([4, 1, 5]);
const TARGETS = Float64Array.from({ length: TRAIN.count }, (_, i) => Math.sin(i) + 0.5 * i);
const H = 0.8;

test("embedding inner products and squared norms match double loops (bags of different sizes)", () => {
  const [inner] = embeddingInnerProducts(QUERIES, TRAIN, [H]);
  const expected = Array.from({ length: QUERIES.count * TRAIN.count }, (_, k) =>
    innerOracle(QUERIES, Math.floor(k / TRAIN.count), TRAIN, k % TRAIN.count, H),
  );
  assertClose(inner, expected, { rtol: 1e-5 });
  const [norms, wide] = embeddingSquaredNorms(QUERIES, [H, 2 * H]);
  assertClose(
    norms,
    [0, 1, 2].map((i) => innerOracle(QUERIES, i, QUERIES, i, H)),
    { rtol: 1e-5 },
  );
  assertClose(
    wide,
    [0, 1, 2].map((i) => innerOracle(QUERIES, i, QUERIES, i, 2 * H)),
    { rtol: 1e-5 },
  );
});

/** KME ridge predictions by plain JS: K, (K + λκ̄I)⁻¹(y − ȳ), K(q, ·)α + ȳ. */
function ridgeOracle(outer: "linear" | number, ridge: number): number[] {
  const n = TRAIN.count;
  const inner = (a: SampleSets, i: number, b: SampleSets, j: number) => innerOracle(a, i, b, j, H);
  const kernel = (a: SampleSets, i: number, b: SampleSets, j: number) =>
    outer === "linear"
      ? inner(a, i, b, j)
      : Math.exp(
          -(inner(a, i, a, i) + inner(b, j, b, j) - 2 * inner(a, i, b, j)) / (2 * outer * outer),
        );
  const gram = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => kernel(TRAIN, i, TRAIN, j)),
  );
  const diagonal = gram.reduce((s, row, i) => s + row[i], 0) / n;
  const mean = TARGETS.reduce((a, b) => a + b, 0) / n;
  const alpha = solve(
    gram.map((row, i) => row.map((v, j) => v + (i === j ? ridge * diagonal : 0))),
    Array.from(TARGETS, (y) => y - mean),
  );
  return Array.from({ length: QUERIES.count }, (_, q) =>
    alpha.reduce((s, a, j) => s + a * kernel(QUERIES, q, TRAIN, j), mean),
  );
}

test("KME + ridge with a linear kernel on embeddings matches the plain-JS oracle", () => {
  const model = kmeRidge(TRAIN, TARGETS, 1, {
    bandwidths: [H],
    outer: [{ kind: "linear" }],
    ridges: [0.05],
  });
  assertClose(model.predict(QUERIES), ridgeOracle("linear", 0.05), { rtol: 1e-5, atol: 1e-6 });
});

test("KME + ridge with a gaussian kernel on embeddings matches the plain-JS oracle", () => {
  const model = kmeRidge(TRAIN, TARGETS, 1, {
    bandwidths: [H],
    outer: [{ kind: "gaussian", scale: 1 }],
    ridges: [0.01],
  });
  const width = model.chosen.width as number;
  // γ = the median embedding distance over training pairs, recomputed here.
  const n = TRAIN.count;
  const distances: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      distances.push(
        Math.sqrt(
          innerOracle(TRAIN, i, TRAIN, i, H) +
            innerOracle(TRAIN, j, TRAIN, j, H) -
            2 * innerOracle(TRAIN, i, TRAIN, j, H),
        ),
      );
  distances.sort((a, b) => a - b);
  const half = distances.length >> 1;
  const exact =
    distances.length % 2 ? distances[half] : (distances[half - 1] + distances[half]) / 2;
  assert.ok(Math.abs(width - exact) < 1e-5 * exact, `γ ${width} vs ${exact}`);
  assertClose(model.predict(QUERIES), ridgeOracle(width, 0.01), { rtol: 1e-5, atol: 1e-6 });
});

test("cross-validation picks a candidate with a finite validation error; the median heuristic", () => {
  const model = kmeRidge(TRAIN, TARGETS, 1, { folds: 3, seed: 2 });
  assert.ok(Number.isFinite(model.validationError) && model.validationError >= 0);
  const h = medianSampleDistance(TRAIN);
  assert.ok([0.5, 1, 2].some((s) => Math.abs(model.chosen.bandwidth - s * h) < 1e-12));
  assert.ok(model.predict(QUERIES).every(Number.isFinite));
});

test("a KME fit too large for memory is refused at once with its estimate", () => {
  const n = 100_000;
  const sets = {
    count: n,
    capacity: 1,
    dim: 1,
    samples: new Float32Array(n),
    sizes: new Uint8Array(n).fill(1),
  };
  const start = performance.now();
  assert.throws(
    () => kmeRidge(sets, new Float64Array(n), 1, { bandwidths: [1, 2, 3] }),
    (error: unknown) =>
      error instanceof LocalistError &&
      /^kernel ridge on the embeddings of 100,000 training bags needs about 484\.3 GiB \(3 inner-product matrices of 100,000² float64 values and the fit's own\), more than the 4 GiB budget; use fewer training bags \(about 9,088 fit\) or fewer bandwidths$/.test(
        error.message,
      ),
  );
  assert.ok(performance.now() - start < 1000);
});

test("KME cross-validation reports each candidate as it is scored", () => {
  const seen: [number, number][] = [];
  const model = kmeRidge(TRAIN, TARGETS, 1, {
    folds: 3,
    seed: 2,
    bandwidthScales: [0.5, 1],
    ridges: [0.01, 0.1, 1],
    outer: [{ kind: "linear" }],
    onCandidate: (done, total) => seen.push([done, total]),
  });
  // 2 bandwidths × 1 outer kernel × 3 ridges, in order, each once.
  assert.deepEqual(
    seen,
    Array.from({ length: 6 }, (_, i) => [i + 1, 6]),
  );
  assert.ok(Number.isFinite(model.validationError));
});
