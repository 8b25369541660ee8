/**
 * The main job: train a small localist language model on the Brown corpus, sweep its locality
 * dial from 0 (distributed) to 1 (localist) on the validation split, and write the model, the
 * sweep as JSON and its plot as SVG.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createFolder, writeFileAtomic } from "../io/atomicWrite.js";
import type { TrainSummary } from "../train/languageModel.js";
import { LocalistModel } from "./node.js";
import { sweepPlot, type SweepRow } from "./sweep.js";
import type { Announce } from "./training.js";
import type { TrainingSpec } from "./trainingSpec.js";

/**
 * The demo model: 2 × 64, 4 heads, context 32, vocabulary 5,000, POS blocks, λ ∈ [0, 1] per batch,
 * γ = 0.1; batches of 32 windows at learning rate 6e-3. Chosen to beat the interpolated bigram on
 * the test split within the demo's few minutes on two cores: the tied output head is three
 * quarters of a step's work (bench/step-profile.md), so a width of 64 sees twice the tokens of
 * a width of 128 in the same time, and that matters more here than the width (README, "The two
 * commands").
 */
export function demoModel(steps: number, seed: number): TrainingSpec {
  return {
    corpus: { corpus: "brown", tokenizer: "word", maxVocab: 5000, minCount: 1, lowercase: true },
    model: {
      context: 32,
      layers: 2,
      heads: 4,
      dModel: 64,
      dMlp: 256,
      attention: { kind: "global" },
      positional: "learned",
      strict: false,
    },
    settings: {
      steps,
      batch: 32,
      learningRate: 6e-3,
      warmup: 30,
      seed,
      weightDecay: 0.1,
      clipNorm: 1,
      checkpointEvery: 100,
    },
    localist: {
      blocks: "pos",
      margin: 8,
      training: { penalty: 0.1, dial: { range: [0, 1] }, schedule: "uniform" },
    },
  };
}

/** The dial values of the demo's sweep. */
export const DEMO_DIALS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * What the demo produced: the training summary, the sweep rows, and where the model and the sweep's
 * JSON and SVG chart went.
 */
export interface DemoResult {
  /** The summary of the demo model's training. */
  training: TrainSummary;
  /** One row per dial value of `DEMO_DIALS`. */
  rows: SweepRow[];
  /** The folder of the trained model. */
  modelDir: string;
  /** The path of the sweep's rows as JSON. */
  sweepJson: string;
  /** The path of the sweep's chart (SVG). */
  sweepSvg: string;
}

/**
 * Runs the demo into `out`. The model trains in `out/model.partial` and is renamed to `out/model`
 * only when training has finished, so an interrupted demo never leaves a half-trained `model`.
 */
export async function runDemo(options: {
  out: string;
  steps: number;
  seed: number;
  announce?: Announce;
  /** Called when training has finished, before the sweep. */
  onTrained?: (summary: TrainSummary, dir: string) => void;
}): Promise<DemoResult> {
  const { out } = options;
  createFolder(out, "demo folder");
  const staging = join(out, "model.partial");
  rmSync(staging, { recursive: true, force: true });
  const training = await LocalistModel.train(demoModel(options.steps, options.seed), {
    out: staging,
    announce: options.announce,
  });
  options.onTrained?.(training, staging);
  const modelDir = join(out, "model");
  if (existsSync(modelDir)) rmSync(modelDir, { recursive: true, force: true });
  renameSync(staging, modelDir);
  const model = LocalistModel.open(modelDir);
  let rows: SweepRow[];
  try {
    rows = await model.sweep(model.split("valid"), DEMO_DIALS, {
      windows: 400,
      inspectWindows: 12,
    });
  } finally {
    model.dispose();
  }
  const sweepJson = join(out, "sweep.json");
  const sweepSvg = join(out, "sweep.svg");
  writeFileAtomic(
    sweepJson,
    JSON.stringify({ model: modelDir, schedule: "uniform", split: "valid", rows }, null, 2) + "\n",
  );
  writeFileAtomic(
    sweepSvg,
    sweepPlot(rows, "Locality dial sweep (Brown, 2×64, part-of-speech blocks)"),
  );
  return { training, rows, modelDir, sweepJson, sweepSvg };
}
