/**
 * A small localist model trained on Brown text: the certified bound holds on every attention row
 * of real text at every dial, and entropy falls while pointer fidelity rises as λ goes 0 → 1.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadLmCorpus } from "../../src/data/lmCorpus.js";
import { posBlocks } from "../../src/localist/blockSources.js";
import { defaultRouting } from "../../src/localist/routing.js";
import { validateModelConfig } from "../../src/model/config.js";
import { trainLanguageModel } from "../../src/train/languageModel.js";
import { assembleHooks } from "../../src/lm/hooks.js";
import { LocalistModel } from "../../src/lm/node.js";
import { validateLocalistStructure } from "../../src/localist/structure.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

test("certified bound on every row of real text, and the dial's monotone effect", async () => {
  const corpus = loadLmCorpus({ corpus: "brown", tokenizer: "word", maxVocab: 2000 });
  const blocks = posBlocks(corpus.tokenizer);
  const heads = 4;
  const config = validateModelConfig({
    vocabSize: corpus.tokenizer.vocabSize,
    context: 16,
    layers: 2,
    heads,
    dModel: 32,
    dMlp: 64,
    attention: { kind: "hybrid", window: 4 },
    positional: "learned",
    strict: false,
  });
  const structure = validateLocalistStructure(
    {
      blocks,
      routing: defaultRouting(blocks.kind === "tokens" ? blocks.names : [], heads, false),
      margin: 8,
    },
    config,
  );
  const out = mkdtempSync(join(tmpdir(), "localist-trained-"));
  const training = {
    penalty: 0.1,
    dial: { range: [0, 1] as [number, number] },
    schedule: "uniform" as const,
  };
  await trainLanguageModel(
    {
      config,
      settings: {
        steps: 60,
        batch: 8,
        learningRate: 5e-3,
        warmup: 5,
        seed: 2,
        weightDecay: 0.1,
        clipNorm: 1,
        checkpointEvery: 60,
      },
      data: {
        ...corpus,
        corpus: {
          corpus: "brown",
          tokenizer: "word",
          maxVocab: 2000,
          minCount: 1,
          lowercase: true,
        },
      },
      hooks: assembleHooks(
        { config, localist: { ...structure, training } },
        { training: { seed: 2 } },
      ),
      entries: { localist: { ...structure, training } },
    },
    { out, progress: null, validWindows: 0 },
  );
  const saved = LocalistModel.open(out);
  const text = corpus.valid.slice(0, 16 * 12);
  const results = [0, 0.25, 0.5, 0.75, 1].map((lambda) => {
    let checked = 0;
    const report = saved.measure(text, saved.dial(lambda), {
      windows: 12,
      batch: 4,
      onRow: (row) => {
        if (Number.isNaN(row.fidelity)) return;
        checked++;
        // The certified bound holds on every row (float32 attention: a 1e-4 allowance).
        assert.ok(
          1 - row.fidelity <= row.leakBound + 1e-4,
          `λ=${lambda}: leak ${1 - row.fidelity} > bound ${row.leakBound}`,
        );
        assert.ok(
          row.entropy <= row.entropyBound + 1e-3,
          `λ=${lambda}: entropy ${row.entropy} > ${row.entropyBound}`,
        );
      },
    });
    assert.ok(checked > 500, `only ${checked} rows checked`);
    assert.equal(report.overall.violations, 0);
    return report.overall;
  });
  for (let i = 1; i < results.length; i++) {
    assert.ok(
      results[i].entropy < results[i - 1].entropy,
      `entropy ${results.map((r) => r.entropy.toFixed(3)).join(" → ")}`,
    );
    assert.ok(
      results[i].fidelity > results[i - 1].fidelity,
      `fidelity ${results.map((r) => r.fidelity.toFixed(3)).join(" → ")}`,
    );
  }
  assert.ok(results[4].fidelity > 0.95, `fidelity at λ = 1: ${results[4].fidelity}`);
  saved.dispose();
});
