/** Chunked W-local attention against dense masked attention; values, weights and gradients. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, np, random, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import {
  denseLocalWeights,
  globalCausalAttention,
  localCausalAttention,
} from "../../src/attention/causal.js";
import { assertClose, ready } from "../helpers/arrays.js";

before(() => ready);

/** Additive bias (T, T): 0 inside the window (n − W ≤ m), −1e30 outside. */
function windowBias(t: number, w: number): JaxArray {
  const bias = new Float32Array(t * t);
  for (let n = 0; n < t; n++) for (let m = 0; m < t; m++) bias[n * t + m] = n - m <= w ? 0 : -1e30;
  return np.array(bias).reshape([t, t]);
}

function qkv(seed: number, shape: number[]): [JaxArray, JaxArray, JaxArray] {
  const [a, b, c] = [0, 1, 2].map((i) => random.normal(random.key(seed * 10 + i), shape));
  return [a, b, c];
}

for (const strict of [false, true]) {
  for (const [t, w] of [
    [12, 4],
    [13, 4],
    [7, 1],
    [9, 3],
  ]) {
    test(`chunked ${w}-local equals dense masked attention (T=${t}, strict=${strict})`, () => {
      const [q, k, v] = qkv(t * w + (strict ? 1 : 0), [2, 3, t, 8]);
      const local = localCausalAttention(q.ref, k.ref, v.ref, {
        window: w,
        strict,
        returnWeights: true,
      });
      const dense = globalCausalAttention(q, k, v, {
        strict,
        bias: windowBias(t, w),
        returnWeights: true,
      });
      assertClose(local.output, toFloat64(dense.output), { rtol: 1e-5, atol: 1e-6 });
      const expanded = denseLocalWeights(toFloat64(local.weights as JaxArray), {
        batch: 2,
        heads: 3,
        length: t,
        window: w,
      });
      assertClose(expanded, toFloat64(dense.weights as JaxArray), { rtol: 1e-5, atol: 1e-6 });
    });
  }
}

test("gradients of chunked local attention equal those of dense masked attention", () => {
  const t = 10;
  const w = 3;
  const [q, k, v] = qkv(5, [1, 2, t, 4]);
  const probe = random.normal(random.key(99), [1, 2, t, 4]);
  const lossLocal = (a: JaxArray, b: JaxArray, c: JaxArray) =>
    localCausalAttention(a, b, c, { window: w, strict: false }).output.mul(probe.ref).sum();
  const lossDense = (a: JaxArray, b: JaxArray, c: JaxArray) =>
    globalCausalAttention(a, b, c, { strict: false, bias: windowBias(t, w) })
      .output.mul(probe.ref)
      .sum();
  const gLocal = grad(lossLocal, { argnums: [0, 1, 2] })(q.ref, k.ref, v.ref) as JaxArray[];
  const gDense = grad(lossDense, { argnums: [0, 1, 2] })(q, k, v) as JaxArray[];
  gLocal.forEach((g, i) => assertClose(g, toFloat64(gDense[i]), { rtol: 1e-5, atol: 1e-6 }));
  probe.dispose();
});

test("global causal attention is the dot-product local mean over earlier keys (plain-JS oracle)", () => {
  const t = 5;
  const e = 3;
  const [q, k, v] = qkv(3, [1, 1, t, e]);
  const [qh, kh, vh] = [q.ref, k.ref, v.ref].map((x) => Array.from(toFloat64(x)));
  const out = toFloat64(globalCausalAttention(q, k, v, { strict: false }).output);
  for (let n = 0; n < t; n++) {
    const scores = Array.from({ length: n + 1 }, (_, m) => {
      let s = 0;
      for (let c = 0; c < e; c++) s += qh[n * e + c] * kh[m * e + c];
      return s / Math.sqrt(e);
    });
    const top = Math.max(...scores);
    const weights = scores.map((s) => Math.exp(s - top));
    const total = weights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < e; c++) {
      const expected = weights.reduce((s, wgt, m) => s + (wgt / total) * vh[m * e + c], 0);
      assert.ok(
        Math.abs(out[n * e + c] - expected) < 1e-5,
        `row ${n}: ${out[n * e + c]} vs ${expected}`,
      );
    }
  }
});

test("a strict first position attends to nothing: zero output and zero weights, not NaN", () => {
  const [q, k, v] = qkv(4, [1, 1, 4, 2]);
  const result = globalCausalAttention(q.ref, k.ref, v.ref, { strict: true, returnWeights: true });
  const out = toFloat64(result.output);
  assert.deepEqual([out[0], out[1]], [0, 0]);
  const weights = toFloat64(result.weights as JaxArray);
  assert.deepEqual(Array.from(weights.subarray(0, 4)), [0, 0, 0, 0]);
  assertClose([weights.subarray(4, 8).reduce((a, b) => a + b, 0)], [1], { rtol: 1e-6 });
  const local = toFloat64(localCausalAttention(q, k, v, { window: 2, strict: true }).output);
  assert.deepEqual([local[0], local[1]], [0, 0]);
});
