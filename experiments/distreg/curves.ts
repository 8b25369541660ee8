/**
 * Learning curves (docs/math.md#learning-curves-and-their-slopes): test error against the number
 * of training bags N at fixed m = max(ms), and against the samples per bag m at fixed N = max(ns),
 * per model, mean ± sample std over seeds, with the least-squares slope of log error on log N
 * (log m). The point (max N, max m) is shared by both curves and run once.
 */
import { check } from "../../src/engine/errors.js";
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
import { checkFields } from "../../src/distreg/fieldError.js";
import { logLogSlope, meanAndSpread, type Spread } from "./summary.js";

export interface CurveOptions extends ExperimentSettings {
  /** Training bags N of the first curve. */
  ns: readonly number[];
  /** Samples per bag m of the second. */
  ms: readonly number[];
}

export interface CurvePoint {
  model: ModelName;
  n: number;
  m: number;
  error: Spread;
}

export interface CurveResult {
  experiment: "curves";
  source: string;
  errorName: string;
  models: readonly ModelName[];
  seeds: number;
  testBags: number;
  ns: readonly number[];
  ms: readonly number[];
  /** m of the N curve, N of the m curve. */
  fixedM: number;
  fixedN: number;
  byN: CurvePoint[];
  byM: CurvePoint[];
  /** Per model: the log–log slope in N and in m. */
  slopes: { model: ModelName; n: number; m: number }[];
  runs: Run[];
  seconds: number;
}

/** Sorted, distinct, each ≥ 2. */
export function checkSizes(name: string, values: readonly number[]): number[] {
  check(values.length > 0, `give at least one value of ${name}`);
  for (const v of values)
    check(Number.isInteger(v) && v >= 2, `${name} must be integers ≥ 2, got ${v}`);
  return [...new Set(values)].sort((a, b) => a - b);
}

export async function runCurves(source: DataSource, options: CurveOptions): Promise<CurveResult> {
  checkModels(options.models);
  const ns = checkSizes("N", options.ns);
  const ms = checkSizes("m", options.ms);
  const fixedN = ns[ns.length - 1];
  const fixedM = ms[ms.length - 1];
  checkRunSize(source, { n: fixedN, m: fixedM }, options.neural);
  checkTrainingBags(source, fixedN, options.testBags);
  // An m past the largest bag takes every sample of every bag: two such values are one run twice.
  const beyond = ms.filter((m) => m >= source.sampleLimit);
  checkFields(
    beyond.length <= 1,
    (name) =>
      `the largest bag of ${source.name} has ${source.sampleLimit} samples, so ${name("m")} = ${beyond.join(", ")} would all take every sample and repeat one run; give ${name("m")} values below ${source.sampleLimit}, and at most one at or above it`,
  );
  const cells = [
    ...ns.map((n) => ({ n, m: fixedM })),
    ...ms.filter((m) => m !== fixedM).map((m) => ({ n: fixedN, m })),
  ];
  const total = cells.length * options.models.length * options.seeds;
  const progress = runProgress(options, total, `distreg ${source.name} curves`);
  const began = performance.now();
  const runs: Run[] = [];
  for (let seed = 1; seed <= options.seeds; seed++) {
    const draw = source.draw(seed, { bags: fixedN, samples: fixedM, testBags: options.testBags });
    for (const { n, m } of cells)
      for (const model of options.models) {
        const run = await runModel(source, draw, model, n, m, seed, options.neural);
        runs.push(run);
        progress?.update(runs.length, { model, N: n, m, error: run.error });
      }
  }
  progress?.finish();
  const point = (model: ModelName, n: number, m: number): CurvePoint => ({
    model,
    n,
    m,
    error: meanAndSpread(
      runs.filter((r) => r.model === model && r.n === n && r.m === m).map((r) => r.error),
    ),
  });
  const byN = options.models.flatMap((model) => ns.map((n) => point(model, n, fixedM)));
  const byM = options.models.flatMap((model) => ms.map((m) => point(model, fixedN, m)));
  const slopes = options.models.map((model) => ({
    model,
    n: logLogSlope(
      ns,
      ns.map((n) => point(model, n, fixedM).error.mean),
    ),
    m: logLogSlope(
      ms,
      ms.map((m) => point(model, fixedN, m).error.mean),
    ),
  }));
  return {
    experiment: "curves",
    source: source.name,
    errorName: errorName(source),
    models: options.models,
    seeds: options.seeds,
    testBags: options.testBags,
    ns,
    ms,
    fixedM,
    fixedN,
    byN,
    byM,
    slopes,
    runs,
    seconds: (performance.now() - began) / 1000,
  };
}
