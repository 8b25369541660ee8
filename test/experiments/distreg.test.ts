/**
 * The distribution-regression experiments (experiments/distreg/) end to end on small, fast configurations: learning curves fall with N
 * and with m for the set transformer and the kernel baseline on two tasks (the full curves are the
 * benchmark, bench/distreg.bench.ts); parameter-efficient training leaves frozen parameters
 * untouched; every task trains and predicts finite values.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tree, toFloat64 } from "../../src/engine/engine.js";
import { distributionTask, TASK_NAMES } from "../../src/data/distributions/tasks.js";
import { runCurves } from "../../experiments/distreg/curves.js";
import { taskSource } from "../../src/distreg/source.js";
import {
  DEFAULT_NEURAL,
  neuralConfig,
  prepareBags,
  scalingOf,
  type NeuralSettings,
} from "../../src/distreg/models.js";
import { runModel } from "../../experiments/distreg/experiment.js";
import { trainableOf } from "../../experiments/distreg/peft.js";
import { initSetParams } from "../../src/model/setParams.js";
import { trainSetModel } from "../../src/train/setModel.js";
import { sampleBagSet } from "../../src/data/distributions/tasks.js";
import { FieldError } from "../../src/distreg/fieldError.js";
import { ready } from "../helpers/arrays.js";

await ready;

const FAST: NeuralSettings = {
  ...DEFAULT_NEURAL,
  width: 16,
  layers: 1,
  heads: 2,
  training: { ...DEFAULT_NEURAL.training, steps: 150, batch: 16, evalBatch: 50, warmup: 10 },
};

for (const task of ["rotated-entropy", "mixture-variance"])
  test(`${task}: test error falls with N and with m for the transformer and KME`, async () => {
    const result = await runCurves(taskSource(distributionTask(task)), {
      models: ["transformer", "kme"],
      seeds: 1,
      testBags: 100,
      neural: FAST,
      ns: [16, 128],
      ms: [4, 32],
      progress: null,
    });
    for (const model of ["transformer", "kme"] as const) {
      const error = (axis: "byN" | "byM", at: number) =>
        result[axis].find((p) => p.model === model && p[axis === "byN" ? "n" : "m"] === at)?.error
          .mean as number;
      const [smallN, largeN] = [error("byN", 16), error("byN", 128)];
      const [smallM, largeM] = [error("byM", 4), error("byM", 32)];
      assert.ok(largeN < 0.85 * smallN, `${model}: NMSE ${smallN} at N = 16, ${largeN} at N = 128`);
      assert.ok(largeM < 0.5 * smallM, `${model}: NMSE ${smallM} at m = 4, ${largeM} at m = 32`);
      const slopes = result.slopes.find((s) => s.model === model);
      assert.ok(slopes && slopes.n < 0 && slopes.m < 0, "negative log–log slopes");
    }
  });

test("prompt tuning and LoRA leave every frozen parameter exactly as it was", async () => {
  const task = distributionTask("mixture-mean");
  const shape = { kind: task.kind, dim: 1, targets: 1 };
  const set = sampleBagSet(task, { bags: 8, samples: 6, seed: 1 });
  const data = prepareBags(set, scalingOf("regression", set), { withTargets: true });
  for (const method of ["prompt", "lora", "head"] as const) {
    const config = neuralConfig("transformer", shape, FAST, {
      prompts: method === "prompt" ? 2 : 0,
      loraRank: method === "lora" ? 2 : 0,
    });
    const init = initSetParams(config, 5);
    const before = Object.fromEntries(
      Object.entries(init).map(([name, array]) => [name, toFloat64(array.ref)]),
    );
    const trained = await trainSetModel(data, {
      config,
      settings: { ...FAST.training, steps: 3, batch: 4 },
      loss: { kind: "regression" },
      seed: 1,
      init,
      trainable: trainableOf(method),
    });
    const keep = trainableOf(method);
    let changed = 0;
    for (const [name, array] of Object.entries(trained.model.params)) {
      const after = toFloat64(array.ref);
      const same = after.every((v, i) => v === before[name][i]);
      if (keep(name)) changed += same ? 0 : 1;
      else assert.ok(same, `${method}: frozen ${name} changed`);
    }
    assert.ok(changed > 0, `${method}: nothing trained`);
    tree.dispose(trained.model.params);
  }
});

test("every task trains and predicts finite errors with every model", async () => {
  const tiny: NeuralSettings = { ...FAST, training: { ...FAST.training, steps: 2, batch: 4 } };
  for (const name of TASK_NAMES) {
    const source = taskSource(distributionTask(name));
    const draw = source.draw(1, { bags: 8, samples: 6, testBags: 4 });
    for (const model of ["transformer", "local-transformer", "kme", "deepsets"] as const) {
      const run = await runModel(source, draw, model, 8, 6, 1, tiny);
      assert.ok(Number.isFinite(run.error), `${name} ${model}: error ${run.error}`);
    }
  }
});

test("the library's size guard: runCurves refuses a pool that would not fit, naming its fields", async () => {
  const options = {
    models: ["kme"] as const,
    seeds: 1,
    testBags: 4,
    neural: FAST,
    ns: [100_000],
    ms: [4096],
    progress: null,
  };
  await assert.rejects(
    runCurves(taskSource(distributionTask("mixture-mean")), options),
    (error: unknown) =>
      error instanceof FieldError &&
      error.message ===
        "N·m·d = 100000·4096·1 samples is more than the 16777216 a run holds; lower n or m" &&
      error.render((field) => `<${field}>`).endsWith("lower <n> or <m>"),
  );
  await assert.rejects(
    runCurves(taskSource(distributionTask("mixture-mean")), {
      ...options,
      ns: [8],
      ms: [2048],
      neural: { ...FAST, heads: 8, training: { ...FAST.training, batch: 64 } },
    }),
    /a batch of 64 bags of 2048 samples with 8 heads needs more than 33554432 attention weights; lower batch, m or heads$/,
  );
});
