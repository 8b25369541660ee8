/**
 * The one weighted mean against hand-checkable values (two keys with weights ∝ 1 and e), its rule
 * for empty rows (zero weights, zero mean, zero mass; no NaN in values or gradients), and the two
 * ways its callers read an empty row: attention's zero output and the classical NaN.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, grad, np, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import { kernelWeights, weightedMean } from "../../src/kernels/weightedMean.js";
import { localWeights } from "../../src/classical/localMean.js";
import { assertClose, ready } from "../helpers/arrays.js";

before(() => ready);

const e = Math.E;

test("two keys with log-weights 0 and 1 get weights 1/(1+e) and e/(1+e)", () => {
  const logits = fromHost([0, 1], [1, 2], np.float64);
  const { weights, mass } = kernelWeights(logits);
  assertClose(weights, [1 / (1 + e), e / (1 + e)], { rtol: 1e-6 });
  assertClose(mass, [1 + 1 / e], { rtol: 1e-6 }); // shifted by the maximum, 1
  const { mean } = weightedMean(
    fromHost([0, 1], [1, 2], np.float64),
    fromHost([10, 20], [2, 1], np.float64),
  );
  assertClose(mean, [(10 + 20 * e) / (1 + e)], { rtol: 1e-6 });
});

test("excluded keys (−∞ or not allowed) get weight exactly 0", () => {
  const logits = fromHost([0, -Infinity, 2, 5], [2, 2], np.float64);
  assertClose(kernelWeights(logits).weights, [1, 0, 0.04742587317756678, 0.9525741268224334], {
    rtol: 1e-6,
  });
  const allowed = fromHost([1, 0, 0, 1], [2, 2], np.int32).astype(np.bool);
  const masked = kernelWeights(fromHost([3, 9, 9, 3], [2, 2], np.float32), { allowed });
  assertClose(masked.weights, [1, 0, 0, 1]);
});

test("an empty row has zero weights, zero mean and zero mass, in float32 and float64", () => {
  for (const dtype of [np.float32, np.float64]) {
    const logits = fromHost([-Infinity, -Infinity, 0, 1], [2, 2], dtype);
    const values = fromHost([4, 8], [2, 1], dtype);
    const { mean, mass } = weightedMean(logits, values);
    assertClose(mean, [0, (4 + 8 * e) / (1 + e)], { rtol: 1e-5 });
    assert.equal(toFloat64(mass)[0], 0);
    const allowed = fromHost([0, 0, 1, 1], [2, 2], np.int32).astype(np.bool);
    const { weights } = kernelWeights(fromHost([1, 2, 1, 2], [2, 2], dtype), { allowed });
    assertClose(weights, [0, 0, 1 / (1 + e), e / (1 + e)], { rtol: 1e-5 });
  }
});

test("gradients through an empty row are finite (zero), not NaN", () => {
  const allowed = fromHost([0, 0, 1, 1], [2, 2], np.int32).astype(np.bool);
  const loss = (logits: JaxArray) => {
    const { weights, mass } = kernelWeights(logits, { allowed: allowed.ref });
    mass.dispose();
    return weights.mul(fromHost([1, 2, 3, 4], [2, 2], np.float32)).sum();
  };
  const g = toFloat64(grad(loss)(fromHost([0.5, -1, 0, 1], [2, 2], np.float32)));
  assert.ok(g.every(Number.isFinite), `gradient ${Array.from(g)}`);
  assert.deepEqual(Array.from(g.slice(0, 2)), [0, 0]);
  // d/dℓ of Σ w v for the second row: w_j (v_j − Σ w v)
  const w = [1 / (1 + e), e / (1 + e)];
  const avg = 3 * w[0] + 4 * w[1];
  assertClose(g.slice(2), [w[0] * (3 - avg), w[1] * (4 - avg)], { rtol: 1e-5 });
  allowed.dispose();
});

test("the classical rule on top: a row with no support is NaN", () => {
  const w = toFloat64(localWeights(fromHost([-Infinity, -Infinity, 0, 0], [2, 2], np.float64)));
  assert.ok(Number.isNaN(w[0]) && Number.isNaN(w[1]));
  assert.deepEqual(Array.from(w.slice(2)), [0.5, 0.5]);
});
