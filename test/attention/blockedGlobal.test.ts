/** Tiled global attention (online softmax) against the dense version and a plain-JS oracle. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, np, random, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import { globalCausalAttention } from "../../src/attention/causal.js";
import { blockedCausalAttention } from "../../src/attention/blockedGlobal.js";
import { assertClose, ready } from "../helpers/arrays.js";

before(() => ready);

function normal(seed: number, shape: number[]): JaxArray {
  return random.normal(random.key(seed), shape);
}

/** out_n = Σ_{m ≤ n} softmax_m(q_n·k_m/√E + bias_nm) v_m for one (batch, head) pair. */
function oracle(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  bias: Float64Array | undefined,
  t: number,
  e: number,
  strict: boolean,
): Float64Array {
  const out = new Float64Array(t * e);
  for (let n = 0; n < t; n++) {
    const last = strict ? n - 1 : n;
    if (last < 0) continue;
    const logits: number[] = [];
    for (let m = 0; m <= last; m++) {
      let dot = 0;
      for (let d = 0; d < e; d++) dot += q[n * e + d] * k[m * e + d];
      logits.push(dot / Math.sqrt(e) + (bias ? bias[n * t + m] : 0));
    }
    const top = Math.max(...logits);
    const weights = logits.map((l) => Math.exp(l - top));
    const total = weights.reduce((a, b) => a + b, 0);
    for (let m = 0; m <= last; m++)
      for (let d = 0; d < e; d++) out[n * e + d] += (weights[m] / total) * v[m * e + d];
  }
  return out;
}

for (const strict of [false, true]) {
  for (const [t, tile] of [
    [37, 8],
    [16, 16],
    [5, 64],
    [12, 1],
  ]) {
    test(`tiled global attention equals the oracle (T=${t}, tile=${tile}, strict=${strict})`, () => {
      const e = 4;
      const [q, k, v, bias] = [1, 2, 3, 4].map((i) =>
        normal(t * 100 + i, i === 4 ? [t, t] : [1, 1, t, e]),
      );
      const expected = oracle(
        toFloat64(q.ref),
        toFloat64(k.ref),
        toFloat64(v.ref),
        toFloat64(bias.ref),
        t,
        e,
        strict,
      );
      const out = blockedCausalAttention(q, k, v, { strict, tile, bias });
      assertClose(out, expected, { rtol: 1e-4, atol: 1e-5 });
    });
  }
}

for (const biasShape of [undefined, [1, 1, 29, 29], [2, 3, 29, 29]]) {
  test(`tiled global attention has the dense values and gradients (bias ${biasShape?.join("×") ?? "none"})`, () => {
    const t = 29;
    const shape = [2, 3, t, 8];
    const inputs = [normal(11, shape), normal(12, shape), normal(13, shape)];
    if (biasShape) inputs.push(normal(14, biasShape));
    // A loss that weighs every output differently, so each gradient entry is exercised.
    const weights = normal(15, shape);
    const loss =
      (blocked: boolean) =>
      (...args: JaxArray[]) => {
        const [q, k, v, bias] = args;
        const out = blocked
          ? blockedCausalAttention(q, k, v, { strict: true, tile: 8, bias })
          : globalCausalAttention(q, k, v, { strict: true, bias }).output;
        return out.mul(weights.ref).sum();
      };
    const argnums = inputs.map((_, i) => i);
    const dense = grad(loss(false), { argnums })(...inputs.map((x) => x.ref)) as JaxArray[];
    const tiled = grad(loss(true), { argnums })(...inputs.map((x) => x.ref)) as JaxArray[];
    for (let i = 0; i < inputs.length; i++)
      assertClose(tiled[i], toFloat64(dense[i]), { rtol: 1e-4, atol: 1e-5 });
    const [q, k, v, bias] = inputs;
    const denseOut = globalCausalAttention(q.ref, k.ref, v.ref, { strict: false, bias: bias?.ref });
    const tiledOut = blockedCausalAttention(q, k, v, { strict: false, tile: 8, bias });
    assertClose(tiledOut, toFloat64(denseOut.output), { rtol: 1e-5, atol: 1e-6 });
    weights.dispose();
  });
}

test("tiled global attention of constant values is that constant; the strict first row is 0", () => {
  const t = 40;
  const shape = [1, 2, t, 3];
  const out = toFloat64(
    blockedCausalAttention(normal(21, shape), normal(22, shape).mul(30), np.full(shape, 2.5), {
      strict: true,
      tile: 7,
    }),
  );
  for (let head = 0; head < 2; head++) {
    for (let n = 0; n < t; n++) {
      for (let d = 0; d < 3; d++) {
        const value = out[(head * t + n) * 3 + d];
        if (n === 0) assert.equal(value, 0);
        else assert.ok(Math.abs(value - 2.5) < 1e-5, `row ${n}: ${value}`);
      }
    }
  }
});

test("tiled global attention stays finite with logits far beyond exp's range", () => {
  const shape = [1, 1, 20, 4];
  const out = toFloat64(
    blockedCausalAttention(
      normal(31, shape).mul(1000),
      normal(32, shape).mul(1000),
      normal(33, shape),
      {
        strict: false,
        tile: 6,
      },
    ),
  );
  assert.ok(out.every(Number.isFinite));
});

test("global attention past one tile runs tiled and keeps the dense values", () => {
  const t = 600;
  const shape = [1, 2, t, 4];
  const [q, k, v] = [41, 42, 43].map((seed) => normal(seed, shape));
  const tiled = globalCausalAttention(q.ref, k.ref, v.ref, { strict: true });
  // Asking for the weights needs the (T, T) array, so that call takes the dense path.
  const dense = globalCausalAttention(q, k, v, { strict: true, returnWeights: true });
  (dense.weights as JaxArray).dispose();
  assertClose(tiled.output, toFloat64(dense.output), { rtol: 1e-4, atol: 1e-5 });
});
