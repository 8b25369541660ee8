/** TSK fuzzy inference against a plain-JS oracle, its limiting cases, and k-means. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64 } from "../../src/engine/engine.js";
import { tskModel } from "../../src/classical/fuzzy.js";
import { kMeans } from "../../src/classical/kMeans.js";
import { assertClose, matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

/** Solves the small symmetric system A x = b by Gaussian elimination (no pivoting needed here). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++)
    for (let r = c + 1; r < n; r++) {
      const factor = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= factor * m[c][k];
    }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * out[k];
    out[r] = s / m[r][r];
  }
  return out;
}

/** Weighted least squares of y on [1, x]: β = (ΦᵀWΦ)⁻¹ΦᵀWy. */
function weightedLeastSquares(x: number[][], y: number[], w: number[]): number[] {
  const phi = x.map((row) => [1, ...row]);
  const p = phi[0].length;
  const gram = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => phi.reduce((s, f, i) => s + w[i] * f[a] * f[b], 0)),
  );
  const moments = Array.from({ length: p }, (_, a) =>
    phi.reduce((s, f, i) => s + w[i] * f[a] * y[i], 0),
  );
  return solve(gram, moments);
}

/** The TSK system written out: memberships, normalized firing, per-rule WLS, weighted output. */
function oracleTsk(
  x: number[][],
  y: number[],
  centres: number[][],
  width: number[],
  q: number[][],
) {
  const firing = (point: number[]) => {
    const mu = centres.map((c) =>
      Math.exp(-0.5 * c.reduce((s, ck, k) => s + ((point[k] - ck) / width[k]) ** 2, 0)),
    );
    const total = mu.reduce((a, b) => a + b, 0);
    return mu.map((m) => m / total);
  };
  const trainingFiring = x.map(firing);
  const consequents = centres.map((_, r) =>
    weightedLeastSquares(
      x,
      y,
      trainingFiring.map((f) => f[r]),
    ),
  );
  return q.map((point) =>
    firing(point).reduce(
      (s, w, r) =>
        s + w * consequents[r].reduce((t, b, k) => t + b * (k === 0 ? 1 : point[k - 1]), 0),
      0,
    ),
  );
}

const random = seededRandom(5);
const x = uniformRows(random, 60, 2, -2, 2);
const y = x.map(([a, b]) => Math.sin(1.3 * a) * b + 0.5 * a);
const queries = uniformRows(random, 12, 2, -2, 2);

test("a TSK system with given centres matches the plain-JS oracle", () => {
  const centres = [
    [-1, -1],
    [1, 0.5],
    [0, 1.5],
  ];
  const width = [0.8, 1.1];
  const model = tskModel(matrix(x), matrix(y), { width, centres: matrix(centres) });
  assertClose(model.predict(matrix(queries)), oracleTsk(x, y, centres, width, queries), {
    rtol: 1e-9,
    atol: 1e-12,
  });
  // The firing strengths are a partition of unity over the rules.
  const firing = toFloat64(model.firing(matrix(queries)));
  for (let q = 0; q < queries.length; q++)
    assertClose([firing[3 * q] + firing[3 * q + 1] + firing[3 * q + 2]], [1], { rtol: 1e-12 });
  model.dispose();
});

test("a TSK system with one rule is global least squares, whatever the width", () => {
  const ols = weightedLeastSquares(x, y, new Array<number>(x.length).fill(1));
  for (const width of [0.1, 1, 100]) {
    const model = tskModel(matrix(x), matrix(y), { width, centres: matrix([[0.3, -0.2]]) });
    assertClose(model.consequents, ols, { rtol: 1e-9, atol: 1e-12 });
    assertClose(
      model.predict(matrix(queries)),
      queries.map(([a, b]) => ols[0] + ols[1] * a + ols[2] * b),
      { rtol: 1e-9, atol: 1e-12 },
    );
    model.dispose();
  }
});

test("a linear target is reproduced by every rule; consequents are in the original units", () => {
  const linear = x.map(([a, b]) => 2 + 3 * a - b);
  const model = tskModel(matrix(x), matrix(linear), { width: 0.5, rules: 4, seed: 2 });
  assert.equal(model.rules, 4);
  assertClose(model.consequents, [2, 3, -1, 2, 3, -1, 2, 3, -1, 2, 3, -1], {
    rtol: 1e-9,
    atol: 1e-9,
  });
  assertClose(
    model.predict(matrix(queries)),
    queries.map(([a, b]) => 2 + 3 * a - b),
    { rtol: 1e-9, atol: 1e-9 },
  );
  model.dispose();
});

test("k-means finds separated clusters; each centre is the mean of its points; seeded", () => {
  const blobs = [
    [0, 0],
    [5, 5],
    [0, 6],
  ];
  const points = blobs.flatMap((c) =>
    uniformRows(random, 20, 2, -0.5, 0.5).map((p) => [p[0] + c[0], p[1] + c[1]]),
  );
  const first = kMeans(matrix(points), 3, { seed: 4 });
  const second = kMeans(matrix(points), 3, { seed: 4 });
  const centres = toFloat64(first.centres);
  assert.deepEqual(Array.from(toFloat64(second.centres)), Array.from(centres));
  for (let r = 0; r < 3; r++) {
    const members = points.filter((_, i) => first.labels[i] === r);
    assert.equal(members.length, 20);
    const mean = [0, 1].map((k) => members.reduce((s, p) => s + p[k], 0) / members.length);
    assertClose([centres[2 * r], centres[2 * r + 1]], mean, { rtol: 1e-12, atol: 1e-12 });
  }
  assert.throws(
    () => kMeans(matrix([[0], [0], [1]]), 3),
    /needs at least 3 distinct rows; the data has only 2/,
  );
});
