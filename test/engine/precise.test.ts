/** The float64-precise exp, log and sin against the host's Math functions. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, np, toFloat64 } from "../../src/engine/engine.js";
import { preciseExp, preciseLog, preciseSin } from "../../src/engine/precise.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

const vector = (values: number[]) => np.array(Float64Array.from(values), { dtype: np.float64 });

/** The largest relative error of f on `inputs` against `reference`. */
function worstRelative(
  f: (x: np.Array) => np.Array,
  reference: (x: number) => number,
  inputs: number[],
): number {
  const got = toFloat64(f(vector(inputs)));
  return Math.max(
    ...inputs.map((x, i) => Math.abs(got[i] - reference(x)) / Math.abs(reference(x))),
  );
}

const grid = (lo: number, hi: number, count: number) =>
  Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));

test("preciseExp agrees with Math.exp to 1e-15 relative over the float64 range", () => {
  assert.ok(worstRelative(preciseExp, Math.exp, grid(-700, 700, 20001)) < 1e-15);
  assert.ok(worstRelative(preciseExp, Math.exp, grid(-1, 1, 2001)) < 1e-15);
  // jax-js's own exp is float32-accurate: the reason this exists.
  assert.ok(worstRelative((x) => np.exp(x), Math.exp, grid(-40, 20, 2001)) > 1e-8);
});

test("preciseExp: −∞ → 0, underflow → 0, overflow → ∞, NaN → NaN", () => {
  const got = toFloat64(preciseExp(vector([-Infinity, -800, 0, 710, Infinity, NaN])));
  assert.deepEqual(Array.from(got), [0, 0, 1, Infinity, Infinity, NaN]);
});

test("preciseLog agrees with Math.log to 1e-15 (relative beyond 1) from e^−300 to e^300", () => {
  const inputs = grid(-300, 300, 6001).map((t) => Math.exp(t));
  const got = toFloat64(preciseLog(vector(inputs)));
  inputs.forEach((x, i) =>
    assert.ok(
      Math.abs(got[i] - Math.log(x)) <= 1e-15 * Math.max(1, Math.abs(Math.log(x))),
      `log ${x}: ${got[i]} vs ${Math.log(x)}`,
    ),
  );
  assert.deepEqual(Array.from(toFloat64(preciseLog(vector([0, 1, Infinity, -1])))), [
    -Infinity,
    0,
    Infinity,
    NaN,
  ]);
  // jax-js's own float64 log is −∞ below the float32 range; this one is not.
  assert.ok(Math.abs(toFloat64(preciseLog(vector([1e-310])))[0] - Math.log(1e-310)) < 1e-12);
});

test("preciseSin agrees with Math.sin to 1e-15 relative on [−π/2, π/2]", () => {
  const inputs = grid(-Math.PI / 2, Math.PI / 2, 2000).filter((x) => x !== 0);
  assert.ok(worstRelative(preciseSin, Math.sin, inputs) < 1e-15);
});

test("preciseExp is differentiable: its gradient is exp", () => {
  const inputs = [-3, -0.4, 0.2, 5];
  const g = toFloat64(grad((x: np.Array) => preciseExp(x).sum())(vector(inputs)));
  inputs.forEach((x, i) => assert.ok(Math.abs(g[i] - Math.exp(x)) <= 1e-14 * Math.exp(x)));
});
