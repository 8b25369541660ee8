/**
 * The one training loop and its optimizer: AdamW against a plain-JS oracle (clipping, bias
 * correction, decoupled weight decay on matrices only, the warm-up/cosine schedule), a loop that
 * minimizes a quadratic, stops on a non-finite loss with one line naming the step and the last
 * checkpoint, and resumes from a saved state to the same parameters as an uninterrupted run.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, grad, np, toFloat64, tree, type JaxArray } from "../../src/engine/engine.js";
import type { ParamMap } from "../../src/model/params.js";
import { decays } from "../../src/model/params.js";
import { runTrainingLoop, type TrainingLoop } from "../../src/train/loop.js";
import { adamw, type OptimizerState } from "../../src/train/optimizer.js";
import { warmupCosine } from "../../src/train/schedule.js";
import { assertClose, ready } from "../helpers/arrays.js";

before(() => ready);

const START = { w: [0.5, -1, 2, 0.25], b: [1, -2] }; // w: (2, 2) decays; b: (2) does not
const TARGET = { w: [1, 2, 3, 4], b: [0, 0] };

function params(values = START): ParamMap {
  return { w: fromHost(values.w, [2, 2], np.float32), b: fromHost(values.b, [2], np.float32) };
}

/** loss = Σ (θ − target)² · scale; gradients 2 scale (θ − target). */
function quadratic(scale = 1) {
  return (p: ParamMap): { loss: JaxArray; grads: ParamMap } => {
    const lossOf = (q: ParamMap) =>
      np
        .square(q.w.sub(fromHost(TARGET.w, [2, 2], np.float32)))
        .sum()
        .add(np.square(q.b.sub(fromHost(TARGET.b, [2], np.float32))).sum())
        .mul(scale);
    return { loss: lossOf(tree.ref(p)), grads: grad(lossOf)(tree.ref(p)) as ParamMap };
  };
}

const settings = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, clipNorm: 1, decays };

test("AdamW matches a plain-JS oracle over 6 steps with clipping, decay and the schedule", () => {
  const schedule = warmupCosine({ peak: 0.05, warmup: 2, total: 6 });
  const optimizer = adamw({ ...settings, learningRate: schedule });
  let p = params();
  let state: OptimizerState = optimizer.init(p);
  // oracle
  const theta = { w: [...START.w], b: [...START.b] };
  const m = { w: [0, 0, 0, 0], b: [0, 0] };
  const v = { w: [0, 0, 0, 0], b: [0, 0] };
  const step = quadratic(3);
  for (let t = 1; t <= 6; t++) {
    const { loss, grads } = step(p);
    loss.dispose();
    const update = optimizer.update(grads, state, p);
    p = update.params;
    state = update.state;
    const g = {
      w: theta.w.map((x, i) => 6 * (x - TARGET.w[i])),
      b: theta.b.map((x, i) => 6 * (x - TARGET.b[i])),
    };
    const norm = Math.sqrt([...g.w, ...g.b].reduce((s, x) => s + x * x, 0));
    const [gradNorm, nonFinite] = toFloat64(update.health);
    assert.ok(Math.abs(gradNorm - norm) < 1e-3 * norm, `norm at ${t}`);
    assert.equal(nonFinite, 0);
    const scale = Math.min(1, 1 / norm);
    const eta = schedule(t - 1);
    assert.ok(Math.abs(update.learningRate - eta) < 1e-12);
    for (const key of ["w", "b"] as const) {
      theta[key] = theta[key].map((x, i) => {
        const gi = g[key][i] * scale;
        m[key][i] = 0.9 * m[key][i] + 0.1 * gi;
        v[key][i] = 0.95 * v[key][i] + 0.05 * gi * gi;
        const mHat = m[key][i] / (1 - 0.9 ** t);
        const vHat = v[key][i] / (1 - 0.95 ** t);
        const decay = key === "w" ? 0.1 * x : 0;
        return x - eta * (mHat / (Math.sqrt(vHat) + 1e-8) + decay);
      });
    }
    assert.equal(state.count, t);
  }
  assertClose(p.w.ref, theta.w, { rtol: 1e-5, atol: 1e-6 });
  assertClose(p.b.ref, theta.b, { rtol: 1e-5, atol: 1e-6 });
  tree.dispose(p);
  tree.dispose(state.slots);
  optimizer.dispose();
});

function loop(overrides: Partial<TrainingLoop>): TrainingLoop {
  return {
    params: params(),
    optimizer: adamw({ ...settings, weightDecay: 0, learningRate: 0.1 }),
    start: 0,
    steps: 200,
    gradients: quadratic(),
    ...overrides,
  };
}

test("the loop minimizes a quadratic and reports every step", async () => {
  const records: number[] = [];
  const run = loop({ onStep: (r) => records.push(r.step) });
  const result = await runTrainingLoop(run);
  assert.deepEqual(
    records,
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assertClose(result.params.w.ref, TARGET.w, { atol: 0.05 });
  assert.ok(result.lastLoss < 0.01, `loss ${result.lastLoss}`);
  tree.dispose(result.params);
  tree.dispose(result.state.slots);
  run.optimizer.dispose();
});

test("a non-finite loss stops the loop with one line naming the step and the last checkpoint", async () => {
  const diverging = (at: number) => (p: ParamMap, s: number) => {
    const out = quadratic()(p);
    if (s + 1 < at) return out;
    out.loss.dispose();
    return { ...out, loss: np.array([NaN]) };
  };
  await assert.rejects(
    () => runTrainingLoop(loop({ gradients: diverging(4) })),
    /^LocalistError: the training loss became NaN at step 4; stopped; lower the learning rate$/,
  );
  const saved: number[] = [];
  await assert.rejects(
    () =>
      runTrainingLoop(
        loop({
          gradients: diverging(8),
          checkpoint: { every: 3, folder: "RUN", save: (_p, _s, step) => saved.push(step) },
          hints: { otherwise: "lower --lr" },
        }),
      ),
    /^LocalistError: the training loss became NaN at step 8; stopped, and the last good checkpoint \(step 6\) is kept in RUN; lower --lr$/,
  );
  assert.deepEqual(saved, [3, 6]);
});

test("divergence names what went non-finite, with the hint for it", async () => {
  const penaltyBlowsUp = (p: ParamMap) => {
    const out = quadratic()(p);
    out.loss.dispose();
    return {
      ...out,
      loss: np.array([NaN]),
      values: { crossEntropy: np.array([2.5]), penalty: np.array([Infinity]) },
    };
  };
  await assert.rejects(
    () =>
      runTrainingLoop(
        loop({
          gradients: penaltyBlowsUp,
          checkpoint: { every: 10, folder: "RUN", save: () => assert.fail("nothing is good") },
          hints: { values: { penalty: "lower --penalty" }, otherwise: "lower --lr" },
        }),
      ),
    /^LocalistError: the training loss became NaN at step 1 \(crossEntropy 2\.500, penalty Infinity\); stopped, and no checkpoint had been saved yet; lower --penalty$/,
  );
  const huge = loop({
    optimizer: adamw({ ...settings, weightDecay: 0, learningRate: 1e39 }),
    hints: { parameters: "lower --lr or --weight-decay", otherwise: "lower --lr" },
  });
  await assert.rejects(
    () => runTrainingLoop(huge),
    /^LocalistError: \d+ parameters became non-finite in the update of step 1 \(gradient norm \S+ before clipping\); stopped; lower --lr or --weight-decay$/,
  );
});

test("resuming from a saved state reaches the parameters of the uninterrupted run", async () => {
  const straight = await runTrainingLoop(loop({ steps: 12 }));
  let kept: { params: ParamMap; state: OptimizerState } | undefined;
  await assert.rejects(
    () =>
      runTrainingLoop(
        loop({
          steps: 12,
          gradients: (p, s) => {
            if (s === 8) throw new Error("killed"); // after θ_7 was saved at the start of step 8
            return quadratic()(p);
          },
          checkpoint: {
            every: 7,
            folder: "RUN",
            save: (p, state) => {
              kept = {
                params: tree.ref(p),
                state: { count: state.count, slots: tree.ref(state.slots) },
              };
            },
          },
        }),
      ),
    /killed/,
  );
  assert.ok(kept, "step 7 was saved");
  const resumed = await runTrainingLoop(loop({ steps: 12, start: 7, ...kept }));
  assert.equal(resumed.steps, 12);
  assertClose(resumed.params.w.ref, toFloat64(straight.params.w.ref), { rtol: 1e-6 });
  assertClose(resumed.params.b.ref, toFloat64(straight.params.b.ref), { rtol: 1e-6 });
  for (const result of [straight, resumed]) {
    tree.dispose(result.params);
    tree.dispose(result.state.slots);
  }
});
