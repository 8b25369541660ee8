/**
 * DistributionRegressor: a fold's fit and prediction reproduce crossValidate's error exactly; a
 * saved model predicts the same numbers after `open`, bit for bit, for every model; the GP head's
 * 90% intervals cover 85–95% of held-out targets on two synthetic tasks; a spec mistake names its
 * field; a prediction with the wrong feature count and a save into a non-empty folder are refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packBags, selectBags } from "../../src/data/distributions/bags.js";
import { scoreRegression } from "../../src/data/distributions/scoring.js";
import { distributionTask, sampleBagSet } from "../../src/data/distributions/tasks.js";
import { crossValidate } from "../../src/distreg/crossValidate.js";
import { FieldError } from "../../src/distreg/fieldError.js";
import { crossValidationFolds } from "../../src/distreg/folds.js";
import { coverage, DistributionRegressor } from "../../src/distreg/regressor.js";
import { resolveSpec, type RegressorSpec } from "../../src/distreg/spec.js";
import { ready } from "../helpers/arrays.js";
import { correlationBags } from "../helpers/bags.js";

await ready;

/** A set transformer small enough to train in a second. */
const TINY = { width: 8, heads: 2, layers: 1, steps: 30, batch: 8, k: 3 } as const;
const data = correlationBags(30, 1);
const fresh = correlationBags(12, 2, { prefix: "new", spread: 30 }); // bags up to 33 samples

test("fit → predict on a held-out fold reproduces crossValidate's error, for kme and a transformer", async () => {
  const specs: RegressorSpec[] = [
    { model: "kme", seed: 3 },
    { model: "transformer", ...TINY, seed: 3 },
  ];
  const rows = await crossValidate(data.bags, data.targets, specs, { folds: 3, seed: 4 });
  const folds = crossValidationFolds(data.bags.count, 3, 4);
  const set = { bags: data.bags, targets: data.targets, targetNames: ["target"] };
  for (const [i, spec] of specs.entries()) {
    assert.equal(rows[i].folds.length, 3);
    const mean = rows[i].folds.reduce((a, b) => a + b, 0) / 3;
    assert.ok(Math.abs(rows[i].mean - mean) < 1e-12, `${spec.model}: the mean of the folds`);
    const held = folds[1];
    const kept = Array.from({ length: data.bags.count }, (_, b) => b).filter(
      (b) => !held.includes(b),
    );
    const train = selectBags(set, kept);
    const test = selectBags(set, held);
    const model = await DistributionRegressor.fit(train.bags, train.targets, spec);
    const nmse = scoreRegression(test, model.predict(test.bags).mean).nmse;
    model.dispose();
    assert.equal(nmse, rows[i].folds[1], `${spec.model}: fold 2 refitted by hand`);
  }
});

for (const spec of [
  { model: "kme" },
  { model: "kme", head: "ridge" },
  { model: "transformer", ...TINY },
  { model: "local-transformer", ...TINY },
  { model: "deepsets", ...TINY },
] as RegressorSpec[])
  test(`a saved ${spec.model}${spec.head ? ` (${spec.head})` : ""} model predicts the same numbers after open, bit for bit`, async () => {
    const model = await DistributionRegressor.fit(data.bags, data.targets, spec);
    const before = model.predict(fresh.bags);
    const parent = mkdtempSync(join(tmpdir(), "localist-distreg-"));
    const dir = join(parent, "model");
    model.save(dir);
    model.dispose();
    assert.deepEqual(readdirSync(parent), ["model"], "no temporary folder is left beside it");
    assert.deepEqual(readdirSync(dir).sort(), ["config.json", "weights.safetensors"]);
    const reopened = DistributionRegressor.open(dir);
    const after = reopened.predict(fresh.bags);
    reopened.dispose();
    assert.equal(after.mean.length, fresh.bags.count);
    assert.ok(
      before.mean.every((v, i) => Object.is(v, after.mean[i])),
      "the same means",
    );
    assert.equal(after.std === undefined, !(spec.model === "kme" && spec.head !== "ridge"));
    if (before.std)
      assert.ok(
        before.std.every((v, i) => v > 0 && Object.is(v, after.std?.[i])),
        "the same deviations",
      );
  });

test("the GP head's 90% intervals cover 85–95% of 300 held-out targets on two tasks", async () => {
  for (const name of ["rotated-entropy", "mixture-variance"]) {
    const task = distributionTask(name);
    const train = sampleBagSet(task, { bags: 150, samples: 20, seed: 10 });
    const test = sampleBagSet(task, { bags: 300, samples: 20, seed: 11 });
    const model = await DistributionRegressor.fit(train.bags, train.targets, { model: "kme" });
    const { mean, std } = model.predict(test.bags);
    const covered = coverage(test.targets, mean, std as Float64Array);
    assert.ok(covered >= 0.85 && covered <= 0.95, `${name}: coverage ${covered}`);
  }
});

test("a spec mistake names its field, the allowed values and the value given", () => {
  const message = (spec: RegressorSpec) => {
    try {
      resolveSpec(spec);
    } catch (error) {
      assert.ok(error instanceof FieldError);
      return [error.message, error.render((field) => `--${field}`)];
    }
    return assert.fail("no error");
  };
  assert.deepEqual(message({ model: "svm" as "kme" }), [
    'model must be one of transformer, local-transformer, kme, deepsets, got "svm"',
    '--model must be one of transformer, local-transformer, kme, deepsets, got "svm"',
  ]);
  assert.equal(
    message({ model: "transformer", width: 0 })[0],
    "width must be an integer in [1, 1024], got 0",
  );
  assert.equal(
    message({ model: "kme", validation: 0.7 })[0],
    "validation must be a number in [0, 0.5], got 0.7",
  );
  assert.equal(
    message({ model: "transformer", width: 6, heads: 4 })[0],
    "width 6 must be a multiple of heads 4",
  );
  assert.equal(
    message({ model: "kme", depth: 2 } as RegressorSpec)[0],
    "there is no field depth in a regressor spec",
  );
});

test("predicting bags of another feature count, and saving into a non-empty folder, are refused", async () => {
  const model = await DistributionRegressor.fit(data.bags, data.targets, { model: "kme" });
  const threeFeatures = packBags([Float64Array.of(1, 2, 3, 4, 5, 6)], 3);
  assert.throws(
    () => model.predict(threeFeatures),
    /^LocalistError: the bags have 3 features but the model was fitted on 2 \(x1, x2\); give the same features in the same order$/,
  );
  const dir = mkdtempSync(join(tmpdir(), "localist-distreg-"));
  writeFileSync(join(dir, "notes.txt"), "mine");
  assert.throws(
    () => model.save(dir),
    /already exists and is not an empty folder; choose a new folder for the model$/,
  );
  assert.deepEqual(readdirSync(dir), ["notes.txt"]);
  model.dispose();
});
