/**
 * Anchors in chunked W-local attention: keys flagged visible join every later query's softmax
 * beyond the window; values and gradients equal dense attention under the mask
 * (window ∪ visible-and-earlier), and nothing changes when no key is flagged.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, grad, np, random, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import { globalCausalAttention, localCausalAttention } from "../../src/attention/causal.js";
import { assertClose, ready } from "../helpers/arrays.js";

before(() => ready);

/** (B, 1, T, T) bias: 0 where key m is in query n's window or visible and earlier, −1e30 elsewhere. */
function anchoredBias(visible: number[][], t: number, w: number): JaxArray {
  const b = visible.length;
  const bias = new Float32Array(b * t * t);
  for (let x = 0; x < b; x++)
    for (let n = 0; n < t; n++)
      for (let m = 0; m <= n; m++) {
        const ok = n - m <= w || visible[x][m] === 1;
        bias[(x * t + n) * t + m] = ok ? 0 : -1e30;
      }
  return fromHost(bias, [b, 1, t, t], np.float32);
}

const visible = [
  [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0],
  [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
];
const t = 11;
const w = 2;
const flags = () => fromHost(visible.flat(), [2, t], np.float32);
const qkv = () => [0, 1, 2].map((i) => random.normal(random.key(40 + i), [2, 3, t, 4]));

test("anchored local attention equals dense attention under the anchored mask", () => {
  const [q, k, v] = qkv();
  const local = localCausalAttention(q.ref, k.ref, v.ref, {
    window: w,
    strict: false,
    visible: flags(),
  });
  const dense = globalCausalAttention(q, k, v, {
    strict: false,
    bias: anchoredBias(visible, t, w),
  });
  assertClose(local.output, toFloat64(dense.output), { rtol: 1e-5, atol: 1e-6 });
});

test("gradients through the anchored part equal the dense ones", () => {
  const [q, k, v] = qkv();
  const viaLocal = grad((qq: JaxArray) =>
    localCausalAttention(qq, k.ref, v.ref, {
      window: w,
      strict: false,
      visible: flags(),
    }).output.sum(),
  )(q.ref);
  const viaDense = grad((qq: JaxArray) =>
    globalCausalAttention(qq, k.ref, v.ref, {
      strict: false,
      bias: anchoredBias(visible, t, w),
    }).output.sum(),
  )(q);
  assertClose(viaLocal, toFloat64(viaDense), { rtol: 1e-4, atol: 1e-5 });
  k.dispose();
  v.dispose();
});

test("with no key flagged, anchored attention is plain local attention", () => {
  const [q, k, v] = qkv();
  const none = fromHost(new Float32Array(2 * t), [2, t], np.float32);
  const anchored = toFloat64(
    localCausalAttention(q.ref, k.ref, v.ref, { window: w, strict: false, visible: none }).output,
  );
  const plain = toFloat64(localCausalAttention(q, k, v, { window: w, strict: false }).output);
  assert.deepEqual(anchored.length, plain.length);
  assertClose(anchored, plain, { rtol: 1e-6, atol: 1e-7 });
});
