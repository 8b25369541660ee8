/** The dial: parsing, schedules, and the certified-bound arithmetic on hand-checkable rows. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dialMatrix, parseDial } from "../../src/localist/dial.js";
import { binaryEntropy, dialThreshold, leakBound, rowMetrics } from "../../src/localist/metrics.js";
import { defaultRouting } from "../../src/localist/routing.js";

test("parseDial reads a scalar, per-layer and per-head settings, and rejects values outside [0, 1]", () => {
  assert.equal(parseDial("0.5"), 0.5);
  assert.deepEqual(parseDial("0.2,0.8"), [0.2, 0.8]);
  assert.deepEqual(parseDial("0,0.5;1,1"), [
    [0, 0.5],
    [1, 1],
  ]);
  assert.throws(
    () => parseDial("1.5"),
    /^LocalistError: the dial λ must be in \[0, 1\], got '1.5'$/,
  );
  assert.throws(() => parseDial("-0.1"), /the dial λ must be in \[0, 1\], got '-0.1'/);
  assert.throws(() => parseDial("high"), /got 'high'/);
});

test("schedules: λ_ℓ = λ·(ℓ/(L−1))^β", () => {
  const at = (schedule: "uniform" | "linear" | "cubic" | "quintic") =>
    dialMatrix(0.8, schedule, 3, 2).map((row) => row[0]);
  assert.deepEqual(at("uniform"), [0.8, 0.8, 0.8]);
  assert.deepEqual(at("linear"), [0, 0.4, 0.8]);
  assert.deepEqual(at("cubic"), [0, 0.8 * 0.125, 0.8]);
  assert.deepEqual(at("quintic"), [0, 0.8 / 32, 0.8]);
  assert.throws(
    () => dialMatrix([0.1, 0.2], "uniform", 3, 2),
    /the dial has 2 per-layer values but the model has 3 layers/,
  );
});

test("the leak bound: two keys with scores 0 and 1, margin 1", () => {
  // R = {key 0}, out = {key 1}: Δ = 1 − 0; bound = 1 / (1 + e^{λm − 1}).
  assert.equal(leakBound(1, 1, 1, 1), 0.5);
  assert.ok(Math.abs(leakBound(1, 1, 1, 3) - 1 / (1 + Math.exp(2))) < 1e-15);
  // The exact leak for that row: softmax over scores (0, 1 − λm).
  const lambdaM = 3;
  const leak = Math.exp(1 - lambdaM) / (1 + Math.exp(1 - lambdaM));
  assert.ok(leak <= leakBound(1, 1, 1, lambdaM) + 1e-15);
  // The threshold inverts the bound: at λ*, the bound is exactly δ.
  const lambdaStar = dialThreshold(2, 3, 1.5, 4, 0.05);
  assert.ok(Math.abs(leakBound(2, 3, 1.5, lambdaStar * 4) - 0.05) < 1e-12);
  assert.equal(binaryEntropy(0.5), 1);
});

test("row metrics: entropy, fidelity and the bound on a hand-made row", () => {
  const m = rowMetrics({
    weights: [0.5, 0.25, 0.25, 0],
    scores: [2, 1, 0, 9],
    allowed: [1, 1, 1, 0],
    relevant: [1, 1, 0, 0],
    strength: 4,
  });
  assert.ok(m);
  assert.equal(m.entropy, 1.5);
  assert.equal(m.fidelity, 0.75);
  assert.equal(m.nIn, 2);
  assert.equal(m.nOut, 1);
  assert.equal(m.spread, 0 - 1);
  assert.ok(Math.abs(m.leakBound - 1 / (1 + 2 * Math.exp(4 + 1))) < 1e-15);
});

test("the default routing points head h at one block, positional blocks at their own window", () => {
  const names = ["noun", "verb", "other"];
  const r = defaultRouting(names, 2, false);
  // head 0 → noun, head 1 → verb, for every query block
  for (let a = 0; a < 3; a++) {
    assert.deepEqual(r.targets.slice((0 * 3 + a) * 3, (0 * 3 + a) * 3 + 3), [1, 0, 0]);
    assert.deepEqual(r.targets.slice((1 * 3 + a) * 3, (1 * 3 + a) * 3 + 3), [0, 1, 0]);
  }
  const w = defaultRouting(["w0", "w1"], 1, true);
  assert.deepEqual(w.targets, [1, 0, 0, 1]);
});
