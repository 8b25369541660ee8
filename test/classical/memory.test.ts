/**
 * Arrays are reference-counted (jax-js): a method that leaks one (Q, N) intermediate per call
 * would grow the Wasm heap by megabytes per call. Resident memory must stay flat over many calls.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64 } from "../../src/engine/engine.js";
import { distanceKernel } from "../../src/kernels/distance.js";
import { localMean } from "../../src/classical/localMean.js";
import { localize } from "../../src/classical/localize.js";
import { weightedPolynomialModel } from "../../src/classical/polynomial.js";
import { knnRegress } from "../../src/classical/neighbours.js";
import { matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

test("resident memory stays flat over repeated local means, k-NN and local fits", () => {
  const random = seededRandom(7);
  const x = uniformRows(random, 400, 3);
  const y = x.map(([a, b, c]) => a - b + c);
  const kernel = distanceKernel("gaussian", 0.5);
  const keys = matrix(x);
  const values = matrix(y);
  const model = weightedPolynomialModel(matrix(x), matrix(y), 1);
  const step = () => {
    toFloat64(localMean(kernel, keys.ref, values.ref, keys.ref));
    toFloat64(knnRegress(keys.ref, values.ref, keys.ref, { k: 5 }));
    toFloat64(localize(model, kernel, keys.ref, keys.ref));
  };
  // Warm-up: compile every kernel and let V8 tier the Wasm code up (a one-time growth).
  for (let i = 0; i < 150; i++) step();
  const warm = process.memoryUsage().rss;
  for (let i = 0; i < 120; i++) step();
  const after = process.memoryUsage().rss;
  model.dispose();
  keys.dispose();
  values.dispose();
  const grownMiB = (after - warm) / 2 ** 20;
  // A leak of one 400×400 float64 intermediate per call would add ≥ 180 MiB here.
  assert.ok(grownMiB < 40, `resident memory grew by ${grownMiB.toFixed(1)} MiB over 120 steps`);
});
