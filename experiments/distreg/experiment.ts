/**
 * What every distribution-regression experiment shares: the models and seeds to run, the held-out
 * bags, the neural settings, progress on stderr, and one run = fit one model on one training set
 * and score it on the test bags.
 */
import { check } from "../../src/engine/errors.js";
import { hash32 } from "../../src/engine/random.js";
import { firstBags, truncateBags } from "../../src/data/distributions/bags.js";
import { createProgress, type Progress, type ProgressStream } from "../../src/io/progress.js";
import {
  fitModel,
  testError,
  type ModelName,
  type NeuralSettings,
} from "../../src/distreg/models.js";
import { checkAttentionSize, checkPoolSize } from "../../src/distreg/limits.js";
import type { DataSource, Draw } from "../../src/distreg/source.js";

export interface ExperimentSettings {
  models: readonly ModelName[];
  /** Runs per cell, seeds 1 … S. */
  seeds: number;
  /** Held-out bags per seed. */
  testBags: number;
  neural: NeuralSettings;
  /** Where progress goes; null for none (default stderr, after 3 s). */
  progress?: ProgressStream | null;
}

/** One fitted and scored model. */
export interface Run {
  model: ModelName;
  /** Training bags N. */
  n: number;
  /** Samples per bag m. */
  m: number;
  seed: number;
  /** Test error: NMSE (regression) or the log-likelihood gap in nats per point (clustering). */
  error: number;
  seconds: number;
  parameters: number;
  detail: string;
}

/** The name of a source's error measure. */
export function errorName(source: DataSource): string {
  return source.shape.kind === "mixture" ? "log-likelihood gap (nats/point)" : "test NMSE";
}

/** Progress over `total` runs, or nothing. */
export function runProgress(
  settings: Pick<ExperimentSettings, "progress">,
  total: number,
  label: string,
): Progress | undefined {
  const stream = settings.progress === undefined ? process.stderr : settings.progress;
  return stream ? createProgress({ total, label, stream, quietMs: 3000 }) : undefined;
}

/** Checks the model list: known names, none twice, at least one. */
export function checkModels(models: readonly string[]): void {
  check(models.length > 0, "give at least one model");
  const twice = models.find((m, i) => models.indexOf(m) !== i);
  check(twice === undefined, () => `model '${twice}' is listed twice`);
}

/**
 * Refuses a run whose arrays would not fit (src/distreg/limits.ts): N bags of m samples (at most the
 * source's largest bag) in the training pool, and a batch's attention weights over m samples plus
 * `extraTokens` prompts. The messages name the fields n, m, batch and heads.
 */
export function checkRunSize(
  source: DataSource,
  sizes: { n: number; m: number; extraTokens?: number },
  neural: NeuralSettings,
): void {
  const m = Math.min(sizes.m, source.sampleLimit);
  checkPoolSize({ bags: sizes.n, samples: m, dim: source.shape.dim });
  checkAttentionSize({
    batch: neural.training.batch,
    heads: neural.heads,
    tokens: m + (sizes.extraTokens ?? 0),
  });
}

/** The initialization seed of a model in seed `seed` (different models, different streams). */
export function modelSeed(seed: number, model: string): number {
  let h = 0x811c9dc5;
  for (const c of model) h = Math.imul(h ^ (c.codePointAt(0) as number), 0x01000193);
  return hash32(seed, h >>> 0, 0x5e7);
}

/** Fits `model` on the first n bags (first m samples each) of a draw and scores it on its test bags. */
export async function runModel(
  source: DataSource,
  draw: Draw,
  model: ModelName,
  n: number,
  m: number,
  seed: number,
  neural: NeuralSettings,
): Promise<Run> {
  const train = truncateBags(firstBags(draw.pool, n), m);
  const test = truncateBags(draw.test, m);
  const fitted = await fitModel(model, source.shape, train, {
    settings: neural,
    seed: modelSeed(seed, model),
  });
  try {
    const error = testError(source.shape, test, fitted.predict(test), fitted.output);
    return {
      model,
      n,
      m,
      seed,
      error,
      seconds: fitted.seconds,
      parameters: fitted.parameters,
      detail: fitted.detail,
    };
  } finally {
    fitted.dispose();
  }
}
