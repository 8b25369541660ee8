/** The group-sparsity penalty and the dial bias against plain-JS oracles. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, nn, np, random, toFloat64 } from "../../src/engine/engine.js";
import { validateModelConfig } from "../../src/model/config.js";
import { layerPenalty, PENALTY_EPSILON } from "../../src/localist/penalty.js";
import { dialBias, relevance } from "../../src/localist/relevance.js";
import type { Routing } from "../../src/localist/routing.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

const t = 6;
const heads = 2;
const g = 3;
const blockIds = [0, 1, 2, 1, 0, 2];
// head 0: every query → block 1; head 1: block a → block a (same block)
const targets = [0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1];
const routing: Routing = { heads, blocks: g, targets };
const config = validateModelConfig({
  vocabSize: 8,
  context: t,
  layers: 1,
  heads,
  dModel: 8,
  dMlp: 8,
  attention: { kind: "global" },
  positional: "none",
  strict: false,
});
const isTarget = (h: number, i: number, j: number) =>
  targets[(h * g + blockIds[i]) * g + blockIds[j]] === 1;

test("relevance and the dial bias: λ·m·(rel − 1)", () => {
  const rel = relevance(fromHost(blockIds, [1, t], np.int32), config, routing);
  const dial = fromHost([0.5, 1], [1, heads], np.float32);
  const bias = toFloat64(dialBias(rel, dial, 0, 5, config).global as np.Array);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < t; j++) {
        const expected = isTarget(h, i, j) ? 0 : -5 * [0.5, 1][h];
        assert.equal(bias[(h * t + i) * t + j], expected, `head ${h} (${i},${j})`);
      }
    }
  }
});

test("the penalty is Σ over off-target blocks of the row's L2 mass, averaged over rows and heads", () => {
  const logits = random.normal(random.key(3), [1, heads, t, t]);
  const weights = nn.softmax(logits, -1);
  const host = toFloat64(weights.ref);
  const rel = relevance(fromHost(blockIds, [1, t], np.int32), config, routing);
  const got = toFloat64(layerPenalty({ global: { weights } }, rel, t, heads))[0];
  weights.dispose();
  let total = 0;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) {
      for (let block = 0; block < g; block++) {
        if (targets[(h * g + blockIds[i]) * g + block]) continue;
        let squares = 0;
        for (let j = 0; j < t; j++)
          if (blockIds[j] === block) squares += host[(h * t + i) * t + j] ** 2;
        // the smoothed norm √(s + ε) − √ε that keeps the gradient finite at s = 0
        total += Math.sqrt(squares + PENALTY_EPSILON) - Math.sqrt(PENALTY_EPSILON);
      }
    }
  }
  const expected = total / (heads * t);
  assert.ok(Math.abs(got - expected) < 1e-5 * expected, `${got} vs ${expected}`);
});
