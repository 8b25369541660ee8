/**
 * The recognizer reads its input the way it was trained: a model trained without the end token
 * is scored on strings without it. Σ*a is the test language because its answer is the last
 * letter, which a model read at the last letter learns in a few dozen steps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRegex } from "../../src/data/languages/regex.js";
import { balancedDataset } from "../../src/data/languages/sampler.js";
import { parseAttentionSpec } from "../../src/model/config.js";
import {
  accuracy,
  DEFAULT_RECOGNIZER,
  disposeRecognizer,
  trainRecognizer,
  type RecognizerSettings,
} from "../../src/train/recognizer.js";

const SMALL: RecognizerSettings = {
  ...DEFAULT_RECOGNIZER,
  layers: 1,
  heads: 1,
  dModel: 16,
  dMlp: 32,
  steps: 60,
  warmup: 6,
};

for (const endToken of [false, true]) {
  test(`trained ${endToken ? "with" : "without"} the end token, Σ*a is recognized at lengths 11–20`, async () => {
    const dfa = compileRegex("Σ*a");
    const pool = balancedDataset(dfa, { minLength: 1, maxLength: 10, count: 2000, seed: 1 });
    const testSet = balancedDataset(dfa, { minLength: 11, maxLength: 20, count: 64, seed: 2 });
    const settings = { ...SMALL, endToken };
    const { recognizer, finalLoss } = await trainRecognizer(
      pool,
      parseAttentionSpec("local:1"),
      settings,
      { seed: 1, maxLength: 20 },
    );
    try {
      assert.ok(finalLoss < 0.1, `training loss ${finalLoss}`);
      const score = accuracy(recognizer, testSet);
      assert.ok(score >= 0.95, `test accuracy ${score} (training loss ${finalLoss})`);
    } finally {
      disposeRecognizer(recognizer);
    }
  });
}
