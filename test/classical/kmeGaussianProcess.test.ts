/**
 * The Gaussian-process head of KME ridge against a plain-JS oracle (Gaussian elimination, no
 * engine): the closed-form leave-one-out residuals behind the amplitude match refitting without
 * each bag in turn, and the predictive standard deviations match a(k** − k*ᵀ A⁻¹ k* + s).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { kmeGaussianProcess, kmeGpStd } from "../../src/classical/kmeGaussianProcess.js";
import { seededUniform } from "../../src/engine/random.js";
import { assertClose, ready } from "../helpers/arrays.js";

await ready;

/** x solving M x = b (M n × n row-major, b n × t) by Gaussian elimination with partial pivoting. */
function solve(matrix: number[][], rhs: number[][]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...rhs[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c < a[r].length; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row.slice(n).map((v) => v / a[i][i]));
}

const random = seededUniform(7);
const N = 9;
const T = 2;
const RIDGE = 0.05;
const points = Array.from({ length: N + 3 }, () => 3 * random());
/** A gaussian kernel on points: positive definite, with k(x, x) = 1 as an outer gaussian kernel. */
const kernel = (a: number, b: number) => Math.exp(-((a - b) ** 2) / 2);
const K = Array.from({ length: N }, (_, i) =>
  Array.from({ length: N }, (_, j) => kernel(points[i], points[j])),
);
const Y = Array.from({ length: N }, () => Array.from({ length: T }, () => 2 * random() - 1));
const shift = RIDGE; // κ̄ = 1: the gaussian kernel's diagonal
const shifted = (rows: number[], cols: number[]) =>
  rows.map((i) => cols.map((j) => K[i][j] + (i === j ? shift : 0)));
const all = Array.from({ length: N }, (_, i) => i);
const alpha = solve(shifted(all, all), Y);

test("the amplitude is the mean squared standardized leave-one-out residual, as refitting gives it", () => {
  const gp = kmeGaussianProcess(
    Float64Array.from(K.flat()),
    N,
    Float64Array.from(alpha.flat()),
    T,
    RIDGE,
  );
  assertClose([gp.shift], [shift], { rtol: 1e-12 });
  const expected = new Float64Array(T);
  for (const i of all) {
    const rest = all.filter((j) => j !== i);
    const restAlpha = solve(
      shifted(rest, rest),
      rest.map((j) => Y[j]),
    );
    const cross = rest.map((j) => K[i][j]);
    // var/a of y_i given the rest: k_ii + s − k_iᵀ A_rest⁻¹ k_i
    const v = solve(
      shifted(rest, rest),
      cross.map((x) => [x]),
    );
    const spread = K[i][i] + shift - cross.reduce((sum, x, r) => sum + x * v[r][0], 0);
    for (let c = 0; c < T; c++) {
      const mean = cross.reduce((sum, x, r) => sum + x * restAlpha[r][c], 0);
      expected[c] += (Y[i][c] - mean) ** 2 / spread / N;
    }
  }
  assertClose(gp.amplitude, expected, { rtol: 1e-9 });
});

test("predictive standard deviations are √(a(k** − k*ᵀA⁻¹k* + s)), noise included", () => {
  const gp = kmeGaussianProcess(
    Float64Array.from(K.flat()),
    N,
    Float64Array.from(alpha.flat()),
    T,
    RIDGE,
  );
  const queries = [...points.slice(N), points[0]]; // three new points and a training point
  const cross = queries.map((q) => all.map((j) => kernel(q, points[j])));
  const std = kmeGpStd(
    gp,
    Float64Array.from(cross.flat()),
    new Float64Array(queries.length).fill(1),
    queries.length,
    N,
  );
  const expected = queries.flatMap((_, i) => {
    const v = solve(
      shifted(all, all),
      cross[i].map((x) => [x]),
    );
    const spread = 1 - cross[i].reduce((sum, x, r) => sum + x * v[r][0], 0) + shift;
    return Array.from({ length: T }, (_, c) => Math.sqrt(gp.amplitude[c] * spread));
  });
  assertClose(std, expected, { rtol: 1e-9 });
  // At a training point the deviation keeps the noise: it is at least √(a·s).
  for (let c = 0; c < T; c++)
    assert.ok(std[3 * T + c] >= Math.sqrt(gp.amplitude[c] * shift) * (1 - 1e-12));
});
