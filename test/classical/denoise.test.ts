/** Denoising as a local mean: Tweedie's identity by autodiff, a closed-form posterior mean, the experiment. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import { distanceKernel } from "../../src/kernels/distance.js";
import { logKernelMass } from "../../src/kernels/weightedMean.js";
import { denoise } from "../../src/classical/denoise.js";
import { runDenoisingExperiment } from "../../experiments/theory/denoisingCurve.js";
import { assertClose, matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

test("a MeanShift step is y + h²∇ log p̂_h(y) (the score by jax-js autodiff)", () => {
  const random = seededRandom(9);
  const samples = uniformRows(random, 40, 2, -1, 1);
  const queries = uniformRows(random, 7, 2, -1.2, 1.2);
  const h = 0.35;
  const kernel = distanceKernel("gaussian", h);
  const keys = matrix(samples);
  // Σ over queries of log Σ_j K_h(y, x_j): rows are independent, so its gradient holds each
  // query's score (the constants of p̂ do not depend on y).
  const score = toFloat64(
    grad((y: JaxArray) => logKernelMass(kernel.logWeights(y, keys.ref)).sum())(matrix(queries)),
  );
  keys.dispose();
  const tweedie = queries.flatMap((y, i) => y.map((v, k) => v + h * h * score[2 * i + k]));
  assertClose(denoise(matrix(samples), matrix(queries), { bandwidth: h }), tweedie, {
    rtol: 1e-5,
    atol: 1e-7,
  });
});

test("over clean samples ±1 one step is the posterior mean tanh(y/σ²)", () => {
  const sigma = 0.6;
  const ys = [-2, -0.7, 0, 0.3, 1.1, 2.5];
  assertClose(
    denoise(matrix([-1, 1]), matrix(ys), { bandwidth: sigma }),
    ys.map((y) => Math.tanh(y / sigma ** 2)),
    { rtol: 1e-5, atol: 1e-7 },
  );
});

test("with σ ≠ h the step is scaled by σ²/h²; several steps repeat it", () => {
  const samples = [[0], [1], [3]];
  const y = [[0.4]];
  const m = (q: number) =>
    toFloat64(denoise(matrix(samples), matrix([[q]]), { bandwidth: 0.8 }))[0];
  const once = 0.4 + (0.5 ** 2 / 0.8 ** 2) * (m(0.4) - 0.4);
  const twice = once + (0.5 ** 2 / 0.8 ** 2) * (m(once) - once);
  const got = toFloat64(
    denoise(matrix(samples), matrix(y), { bandwidth: 0.8, noise: 0.5, steps: 2 }),
  );
  assertClose(got, [twice], { rtol: 1e-9 });
  assert.throws(
    () => denoise(matrix(samples), matrix(y), { bandwidth: 0 }),
    /bandwidth must be a positive number, got 0/,
  );
});

test("the experiment: one step at h = σ moves noisy circle points toward the circle and the clean points", () => {
  const result = runDenoisingExperiment({
    points: 300,
    noise: 0.1,
    bandwidths: [1],
    steps: [0, 1, 5],
    seed: 3,
  });
  const [start, one, five] = result.rows.map((r) => r.scores[0]);
  assert.ok(one.distance < 0.7 * start.distance, `${one.distance} vs ${start.distance}`);
  assert.ok(one.rmse < start.rmse, `${one.rmse} vs ${start.rmse}`);
  assert.ok(five.distance < one.distance);
  // The Bayes denoiser under the true prior is better than any of them.
  assert.ok(result.bayes.rmse < Math.min(start.rmse, one.rmse, five.rmse));
});
