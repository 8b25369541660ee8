/**
 * Attention hooks: a hook's log-bias composes with the content kernel (a window bias on a global
 * model gives the local model), biases of several hooks add, observers see every layer's weights
 * (rows summing to 1, or 0 for a row that sees nothing), and auxiliary terms reach the caller.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, np, toFloat64, tree, type JaxArray } from "../../src/engine/engine.js";
import { validateModelConfig, type ModelConfig } from "../../src/model/config.js";
import {
  attachHooks,
  combineHooks,
  finishAndDiscard,
  hookInputs,
  type AttentionHooks,
  type HookSource,
} from "../../src/model/hooks.js";
import { initParams } from "../../src/model/params.js";
import { forward } from "../../src/model/transformer.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

function config(overrides: Partial<ModelConfig> = {}): Readonly<ModelConfig> {
  return validateModelConfig({
    vocabSize: 9,
    context: 10,
    layers: 2,
    heads: 2,
    dModel: 8,
    dMlp: 16,
    attention: { kind: "global" },
    positional: "rotary",
    strict: false,
    ...overrides,
  });
}

const ids = Int32Array.from([3, 1, 4, 1, 5, 8, 2, 6, 5, 3]);
const t = ids.length;
const tokens = () => fromHost(ids, [1, t], np.int32);

/** log-weights of the causal W-window, 0 inside and −1e9 outside, as a (1, 1, T, T) bias. */
function windowBias(window: number, scale = 1): JaxArray {
  const bias = new Float32Array(t * t);
  for (let n = 0; n < t; n++)
    for (let m = 0; m < t; m++) bias[n * t + m] = n - m <= window ? 0 : -1e9 * scale;
  return fromHost(bias, [1, 1, t, t], np.float32);
}

const windowHook = (window: number, scale = 1): AttentionHooks => ({
  bias: () => ({ global: windowBias(window, scale) }),
});

test("a window log-bias on global attention gives the W-local model (kernels compose by adding)", () => {
  const global = config();
  const local = config({ attention: { kind: "local", window: 3 } });
  const params = initParams(global, 11);
  const biased = toFloat64(forward(tree.ref(params), tokens(), global, { hooks: windowHook(3) }));
  const windowed = toFloat64(forward(tree.ref(params), tokens(), local));
  const plain = toFloat64(forward(tree.ref(params), tokens(), global));
  biased.forEach((v, i) => assert.ok(Math.abs(v - windowed[i]) < 1e-5, `logit ${i}`));
  assert.ok(
    plain.some((v, i) => Math.abs(v - windowed[i]) > 1e-4),
    "the bias matters",
  );
  tree.dispose(params);
});

test("the biases of several hooks add up", () => {
  const c = config();
  const params = initParams(c, 12);
  // Two half-strength window biases equal one full-strength bias.
  const halves = combineHooks([windowHook(2, 0.5), windowHook(2, 0.5)]);
  const a = toFloat64(forward(tree.ref(params), tokens(), c, { hooks: halves }));
  const b = toFloat64(forward(tree.ref(params), tokens(), c, { hooks: windowHook(2) }));
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `logit ${i}`));
  tree.dispose(params);
});

test("observers see every layer's weights and scores; rows sum to 1 (0 for the strict first row)", () => {
  for (const attention of [{ kind: "global" }, { kind: "hybrid", window: 2 }] as const) {
    const c = config({ attention, strict: true });
    const params = initParams(c, 13);
    const seen: number[] = [];
    const hooks: AttentionHooks = {
      observesScores: true,
      observe(layer, groups) {
        seen.push(layer);
        const global = groups.global as { weights: JaxArray; scores?: JaxArray };
        assert.ok(global.scores, "scores were asked for");
        const rows = toFloat64(global.weights.ref.sum(-1)); // (1, Hg, T)
        rows.forEach((total, r) =>
          assert.ok(Math.abs(total - (r % t === 0 ? 0 : 1)) < 1e-5, `row ${r}: ${total}`),
        );
        if (attention.kind === "hybrid") assert.ok(groups.local, "local heads are observed too");
      },
    };
    forward(tree.ref(params), tokens(), c, { hooks }).dispose();
    assert.deepEqual(seen, [0, 1]);
    tree.dispose(params);
  }
});

test("a hook source's arrays are made per batch and its auxiliary terms come back", () => {
  const c = config();
  const params = initParams(c, 14);
  const made: number[] = [];
  const source: HookSource<{ scale: JaxArray }> = {
    name: "test",
    inputs: ({ step }) => {
      made.push(step);
      return { scale: np.array([step + 1]) };
    },
    attach: ({ scale }) => ({
      finish: () => [{ name: "doubled", value: scale.mul(2).sum(), weight: 0.5 }],
    }),
  };
  const hooks = attachHooks(
    [source],
    hookInputs([source], { tokens: ids, batch: 1, length: t, step: 4 }),
  );
  forward(tree.ref(params), tokens(), c, { hooks }).dispose();
  const terms = hooks.finish?.() ?? [];
  assert.deepEqual(made, [4]);
  assert.equal(terms.length, 1);
  assert.equal(terms[0].name, "doubled");
  assert.equal(toFloat64(terms[0].value)[0], 10);
  const again = attachHooks(
    [source],
    hookInputs([source], { tokens: ids, batch: 1, length: t, step: 0 }),
  );
  finishAndDiscard(again);
  tree.dispose(params);
});
