/**
 * Early stopping by selection in the set-model trainer: with a validation score, the parameters
 * returned are exactly those of the best-scored check (not the last step's), the step is reported,
 * and no array is left with an extra reference — the kept copy is the model's only hold.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64, tree } from "../../src/engine/engine.js";
import type { ParamMap } from "../../src/model/params.js";
import { validateSetModelConfig } from "../../src/model/setConfig.js";
import {
  DEFAULT_SET_TRAINING,
  trainSetModel,
  type PreparedBags,
} from "../../src/train/setModel.js";
import { seededUniform } from "../../src/engine/random.js";
import { ready } from "../helpers/arrays.js";

await ready;

const config = validateSetModelConfig({
  model: "deepsets",
  inputDim: 1,
  outputs: 1,
  layers: 1,
  dModel: 4,
  dMlp: 8,
});
const random = seededUniform(3);
const B = 6;
const M = 3;
const data: PreparedBags = {
  count: B,
  capacity: M,
  dim: 1,
  x: Float32Array.from({ length: B * M }, () => random()),
  valid: new Float32Array(B * M).fill(1),
  targets: Float32Array.from({ length: B }, () => random()),
  targetCount: 1,
};

test("validation keeps the best-scored parameters, reports their step and leaks no reference", async () => {
  // Checks at steps 2, 4, 6, 8 and after the last (10): the scores make step 4 the best.
  const scores = new Map([
    [2, 0.5],
    [4, 0.1],
    [6, 0.3],
    [8, 0.2],
    [10, 0.4],
  ]);
  const seen = new Map<number, Float64Array>();
  let check = 0;
  const result = await trainSetModel(data, {
    config,
    settings: { ...DEFAULT_SET_TRAINING, steps: 10, batch: 4, warmup: 1 },
    loss: { kind: "regression" },
    seed: 1,
    validation: {
      every: 2,
      score(params: ParamMap) {
        const step = 2 * ++check;
        seen.set(step, toFloat64(params.headW2.ref));
        return scores.get(step) as number;
      },
    },
  });
  assert.deepEqual([...seen.keys()], [2, 4, 6, 8, 10]);
  assert.deepEqual(result.best, { step: 4, score: 0.1 });
  assert.deepEqual(toFloat64(result.model.params.headW2.ref), seen.get(4));
  assert.notDeepEqual(seen.get(4), seen.get(10), "training went on after the kept step");
  for (const [name, array] of Object.entries(result.model.params))
    assert.equal(array.refCount, 1, `${name} has one reference`);
  tree.dispose(result.model.params);
});
