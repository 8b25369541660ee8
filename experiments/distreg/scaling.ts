/**
 * Scaling at fixed data: the set transformer's test error against its width and depth, at one
 * (N, m), mean ± std over seeds; every cell sees the same bags per seed.
 */
import { check } from "../../src/engine/errors.js";
import { countSetParameters } from "../../src/model/setParams.js";
import {
  checkRunSize,
  errorName,
  runModel,
  runProgress,
  type ExperimentSettings,
} from "./experiment.js";
import { neuralConfig } from "../../src/distreg/models.js";
import { checkTrainingBags, type DataSource } from "../../src/distreg/source.js";
import { meanAndSpread, type Spread } from "./summary.js";

export interface ScalingOptions extends Omit<ExperimentSettings, "models"> {
  n: number;
  m: number;
  widths: readonly number[];
  depths: readonly number[];
}

export interface ScalingResult {
  experiment: "scaling";
  source: string;
  errorName: string;
  n: number;
  m: number;
  seeds: number;
  testBags: number;
  widths: readonly number[];
  depths: readonly number[];
  cells: { width: number; depth: number; parameters: number; error: Spread }[];
  runs: { width: number; depth: number; seed: number; error: number; seconds: number }[];
  seconds: number;
}

function distinctSorted(name: string, values: readonly number[], min: number): number[] {
  check(values.length > 0, `give at least one ${name}`);
  for (const v of values)
    check(Number.isInteger(v) && v >= min, `${name}s must be integers ≥ ${min}, got ${v}`);
  return [...new Set(values)].sort((a, b) => a - b);
}

export async function runScaling(
  source: DataSource,
  options: ScalingOptions,
): Promise<ScalingResult> {
  const widths = distinctSorted("width", options.widths, 1);
  const depths = distinctSorted("depth", options.depths, 0);
  const settingsOf = (width: number, depth: number) => ({
    ...options.neural,
    width,
    layers: depth,
  });
  // Every architecture is checked before any training (heads must divide each width).
  for (const width of widths)
    for (const depth of depths) neuralConfig("transformer", source.shape, settingsOf(width, depth));
  checkRunSize(source, options, options.neural);
  checkTrainingBags(source, options.n, options.testBags);
  const total = widths.length * depths.length * options.seeds;
  const progress = runProgress(options, total, `distreg ${source.name} scaling`);
  const began = performance.now();
  const runs: ScalingResult["runs"] = [];
  for (let seed = 1; seed <= options.seeds; seed++) {
    const draw = source.draw(seed, {
      bags: options.n,
      samples: options.m,
      testBags: options.testBags,
    });
    for (const depth of depths)
      for (const width of widths) {
        const run = await runModel(
          source,
          draw,
          "transformer",
          options.n,
          options.m,
          seed,
          settingsOf(width, depth),
        );
        runs.push({ width, depth, seed, error: run.error, seconds: run.seconds });
        progress?.update(runs.length, { width, depth, error: run.error });
      }
  }
  progress?.finish();
  const cells = depths.flatMap((depth) =>
    widths.map((width) => ({
      width,
      depth,
      parameters: countSetParameters(
        neuralConfig("transformer", source.shape, settingsOf(width, depth)),
      ),
      error: meanAndSpread(
        runs.filter((r) => r.width === width && r.depth === depth).map((r) => r.error),
      ),
    })),
  );
  return {
    experiment: "scaling",
    source: source.name,
    errorName: errorName(source),
    n: options.n,
    m: options.m,
    seeds: options.seeds,
    testBags: options.testBags,
    widths,
    depths,
    cells,
    runs,
    seconds: (performance.now() - began) / 1000,
  };
}
