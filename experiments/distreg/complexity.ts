/**
 * Functional complexity: at one (N, m), which model wins on which functional. The tasks range from
 * a linear functional (the mixture mean) to ones of more complex structure (entropy, a quantile,
 * the number of modes), testing the claim that transformers learn functionals of more complex
 * structure than fully connected networks (docs/math.md#deep-sets). Every model sees the same
 * draws per seed.
 */
import {
  checkModels,
  checkRunSize,
  errorName,
  runModel,
  runProgress,
  type ExperimentSettings,
  type Run,
} from "./experiment.js";
import type { ModelName } from "../../src/distreg/models.js";
import { checkTrainingBags, type DataSource } from "../../src/distreg/source.js";
import { meanAndSpread, type Spread } from "./summary.js";

export interface ComplexityOptions extends ExperimentSettings {
  n: number;
  m: number;
}

export interface ComplexityRow {
  source: string;
  errorName: string;
  cells: { model: ModelName; error: Spread }[];
  /** The model with the lowest mean error. */
  best: ModelName;
  /**
   * (Deep Sets − transformer) / pooled std of the two: positive when the transformer is better,
   * beyond ±2 clearly so; NaN when either is missing or has fewer than two seeds.
   */
  transformerMargin: number;
}

export interface ComplexityResult {
  experiment: "complexity";
  n: number;
  m: number;
  models: readonly ModelName[];
  seeds: number;
  testBags: number;
  rows: ComplexityRow[];
  runs: (Run & { source: string })[];
  seconds: number;
}

export async function runComplexity(
  sources: readonly DataSource[],
  options: ComplexityOptions,
): Promise<ComplexityResult> {
  checkModels(options.models);
  const total = sources.length * options.models.length * options.seeds;
  const progress = runProgress(options, total, "distreg complexity");
  const began = performance.now();
  const runs: (Run & { source: string })[] = [];
  for (const source of sources) {
    checkRunSize(source, options, options.neural);
    checkTrainingBags(source, options.n, options.testBags);
  }
  for (const source of sources)
    for (let seed = 1; seed <= options.seeds; seed++) {
      const draw = source.draw(seed, {
        bags: options.n,
        samples: options.m,
        testBags: options.testBags,
      });
      for (const model of options.models) {
        const run = await runModel(source, draw, model, options.n, options.m, seed, options.neural);
        runs.push({ ...run, source: source.name });
        progress?.update(runs.length, { task: source.name, model, error: run.error });
      }
    }
  progress?.finish();
  const rows = sources.map((source) => {
    const cells = options.models.map((model) => ({
      model,
      error: meanAndSpread(
        runs.filter((r) => r.source === source.name && r.model === model).map((r) => r.error),
      ),
    }));
    const best = cells.reduce((a, b) => (b.error.mean < a.error.mean ? b : a)).model;
    const of = (model: ModelName) => cells.find((c) => c.model === model)?.error;
    const transformer = of("transformer");
    const deepSets = of("deepsets");
    const pooled =
      transformer && deepSets ? Math.sqrt((transformer.std ** 2 + deepSets.std ** 2) / 2) : NaN;
    const margin =
      transformer && deepSets && transformer.count > 1 && deepSets.count > 1 && pooled > 0
        ? (deepSets.mean - transformer.mean) / pooled
        : NaN;
    return {
      source: source.name,
      errorName: errorName(source),
      cells,
      best,
      transformerMargin: margin,
    };
  });
  return {
    experiment: "complexity",
    n: options.n,
    m: options.m,
    models: options.models,
    seeds: options.seeds,
    testBags: options.testBags,
    rows,
    runs,
    seconds: (performance.now() - began) / 1000,
  };
}
