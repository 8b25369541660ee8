/**
 * Kernel ridge and Gaussian-process regression: parity with scikit-learn's KernelRidge and
 * GaussianProcessRegressor on fixtures/theory.json, a plain-JS oracle, and the weights that show
 * kernel ridge is linear in y but not a local mean.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64 } from "../../src/engine/engine.js";
import { distanceKernel, type DistanceProfile } from "../../src/kernels/distance.js";
import { kernelRidge } from "../../src/classical/kernelRidge.js";
import { gaussianProcess } from "../../src/classical/gaussianProcess.js";
import { assertClose, loadFixture, matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

interface RidgeCase {
  train_x: number[][];
  train_y: number[];
  query_x: number[][];
  bandwidth: number;
  ridge: number;
  predictions: number[];
}
interface GpCase {
  train_x: number[][];
  train_y: number[];
  query_x: number[][];
  profile: DistanceProfile;
  bandwidth: number;
  amplitude: number;
  noise: number;
  mean: number[];
  std: number[];
}
const fixtures = loadFixture<Record<string, unknown>>("theory.json");
const fixture = <T>(name: string) => fixtures[name] as T;

test("kernel ridge matches KernelRidge (rbf in 2-D, laplacian in 1-D) to 1e-9", () => {
  for (const [name, profile] of [
    ["kernel_ridge_rbf", "gaussian"],
    ["kernel_ridge_laplacian_1d", "laplacian"],
  ] as const) {
    const f = fixture<RidgeCase>(name);
    const kernel = distanceKernel(profile, f.bandwidth);
    const model = kernelRidge(kernel, matrix(f.train_x), matrix(f.train_y), { ridge: f.ridge });
    assertClose(model.predict(matrix(f.query_x)), f.predictions, { rtol: 1e-9, atol: 1e-12 });
    model.dispose();
  }
});

test("the Gaussian-process posterior matches GaussianProcessRegressor (mean and std) to 1e-9", () => {
  for (const name of ["gp_rbf", "gp_matern12"]) {
    const f = fixture<GpCase>(name);
    const model = gaussianProcess(
      distanceKernel(f.profile, f.bandwidth),
      matrix(f.train_x),
      matrix(f.train_y),
      { noise: f.noise, amplitude: f.amplitude },
    );
    const { mean, std } = model.predict(matrix(f.query_x));
    assertClose(mean, f.mean, { rtol: 1e-9, atol: 1e-12 });
    assertClose(std, f.std, { rtol: 1e-9, atol: 1e-12 });
    model.dispose();
  }
});

test("the GP mean is kernel ridge with λ = σ²/a", () => {
  const f = fixture<GpCase>("gp_matern12");
  const kernel = distanceKernel(f.profile, f.bandwidth);
  const gp = gaussianProcess(kernel, matrix(f.train_x), matrix(f.train_y), {
    noise: f.noise,
    amplitude: f.amplitude,
  });
  const ridge = kernelRidge(kernel, matrix(f.train_x), matrix(f.train_y), {
    ridge: f.noise / f.amplitude,
  });
  const { mean, std } = gp.predict(matrix(f.query_x));
  std.dispose();
  assertClose(mean, toFloat64(ridge.predict(matrix(f.query_x))), { rtol: 1e-10, atol: 1e-12 });
  gp.dispose();
  ridge.dispose();
});

test("kernel ridge weights: f = w·y, but w has negative entries and rows that do not sum to 1", () => {
  const f = fixture<RidgeCase>("kernel_ridge_rbf");
  const n = f.train_y.length;
  const model = kernelRidge(
    distanceKernel("gaussian", f.bandwidth),
    matrix(f.train_x),
    matrix(f.train_y),
    {
      ridge: f.ridge,
    },
  );
  const w = toFloat64(model.weights(matrix(f.query_x)));
  const predictions = f.query_x.map((_, q) =>
    f.train_y.reduce((sum, y, j) => sum + w[q * n + j] * y, 0),
  );
  assertClose(predictions, f.predictions, { rtol: 1e-9, atol: 1e-12 });
  assert.ok(Math.min(...w) < -0.01, `the smallest weight is ${Math.min(...w)}`);
  const sums = f.query_x.map((_, q) => w.slice(q * n, (q + 1) * n).reduce((a, b) => a + b, 0));
  assert.ok(
    sums.some((s) => Math.abs(s - 1) > 0.01),
    `row sums ${sums.join(", ")}`,
  );
  model.dispose();
});

test("a huge ridge makes λ·w(x*) the kernel k(x*) itself: the unnormalized local weights", () => {
  const random = seededRandom(3);
  const x = uniformRows(random, 12, 2);
  const q = uniformRows(random, 4, 2);
  const kernel = distanceKernel("gaussian", 0.8);
  const ridge = 1e8;
  const model = kernelRidge(kernel, matrix(x), matrix(x.map((r) => r[0])), { ridge });
  const w = toFloat64(model.weights(matrix(q)));
  const k = toFloat64(kernel.logWeights(matrix(q), matrix(x))).map(Math.exp);
  assertClose(
    Array.from(w, (v) => v * ridge),
    k,
    { rtol: 1e-6, atol: 1e-9 },
  );
  model.dispose();
});

/** Solves A x = b by Gaussian elimination with partial pivoting (A is n × n, row-major). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = c + 1; r < n; r++) {
      const factor = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= factor * m[c][k];
    }
  }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * out[k];
    out[r] = s / m[r][r];
  }
  return out;
}

test("kernel ridge with a compact kernel matches a plain-JS oracle; λ = 0 interpolates", () => {
  const random = seededRandom(7);
  const x = uniformRows(random, 15, 2);
  const y = x.map(([a, b]) => Math.sin(3 * a) + b * b);
  const q = uniformRows(random, 6, 2);
  const h = 0.9;
  const kappa = (a: number[], b: number[]) =>
    Math.max(0, 1 - (Math.hypot(a[0] - b[0], a[1] - b[1]) / h) ** 2);
  const lambda = 0.2;
  const alpha = solve(
    x.map((xi, i) => x.map((xj, j) => kappa(xi, xj) + (i === j ? lambda : 0))),
    y,
  );
  const expected = q.map((qi) => x.reduce((s, xj, j) => s + kappa(qi, xj) * alpha[j], 0));
  const kernel = distanceKernel("epanechnikov", h);
  const model = kernelRidge(kernel, matrix(x), matrix(y), { ridge: lambda });
  assertClose(model.predict(matrix(q)), expected, { rtol: 1e-10, atol: 1e-12 });
  model.dispose();
  const exact = kernelRidge(distanceKernel("gaussian", 0.3), matrix(x), matrix(y), { ridge: 0 });
  assertClose(exact.predict(matrix(x)), y, { rtol: 1e-8, atol: 1e-8 });
  exact.dispose();
});

test("a singular system and a kernel that is not positive definite are refused", () => {
  const kernel = distanceKernel("gaussian", 1);
  assert.throws(
    () => kernelRidge(kernel, matrix([[0], [0], [1]]), matrix([1, 2, 3]), { ridge: 0 }),
    /^LocalistError: K \+ λI is singular for gaussian\(h=1\) with λ = 0; increase the ridge$/,
  );
  // The uniform kernel on 0, 0.6, 1.2 (h = 1): K has the eigenvalue 1 − √2 < 0.
  assert.throws(
    () =>
      gaussianProcess(
        distanceKernel("uniform", 1),
        matrix([[0], [0.6], [1.2]]),
        matrix([1, 2, 3]),
        {
          noise: 0.1,
        },
      ),
    /not positive definite for uniform\(h=1\) with σ² = 0\.1/,
  );
});
