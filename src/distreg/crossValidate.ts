/**
 * K-fold cross-validation of regressor specifications on the same bags: each fold is held out in
 * turn, a DistributionRegressor is fitted on the other bags (with its own validation split and
 * seed) and scored by its NMSE on the fold; a model's error is the mean ± sample standard deviation
 * over the folds. The folds depend only on (bags, K, seed), so one fold's fit and prediction can be
 * reproduced by hand (`crossValidationFolds`).
 */
import { selectBags, type BagSet, type Bags } from "../data/distributions/bags.js";
import { scoreRegression } from "../data/distributions/scoring.js";
import { check } from "../engine/errors.js";
import { crossValidationFolds } from "./folds.js";
import { DistributionRegressor, type FitOptions } from "./regressor.js";
import type { RegressorSpec } from "./spec.js";

/** The folds, their seed, and the names the fits keep. */
export interface CrossValidationOptions extends Pick<FitOptions, "targetNames" | "featureNames"> {
  /** K ≥ 2 (default 5; at most the number of bags). */
  folds?: number;
  /** Seeds the assignment of bags to folds (default 1). */
  seed?: number;
  /** After each fitted fold: the model's index, the fold and its NMSE. */
  onFold?: (model: number, fold: number, nmse: number) => void;
}

/** One specification's cross-validated error. */
export interface CrossValidationRow {
  spec: RegressorSpec;
  /** NMSE on each fold, in fold order. */
  folds: number[];
  mean: number;
  /** Sample standard deviation over the folds. */
  std: number;
}

/** Cross-validates each specification on the bags and their targets (B·T numbers, row-major). */
export async function crossValidate(
  bags: Bags,
  targets: ArrayLike<number>,
  specs: readonly RegressorSpec[],
  options: CrossValidationOptions = {},
): Promise<CrossValidationRow[]> {
  check(specs.length > 0, "give at least one model to cross-validate");
  const targetNames = options.targetNames ?? ["target"];
  const t = targetNames.length;
  check(
    targets.length === bags.count * t,
    `${bags.count} bags with ${t} target column(s) need ${bags.count * t} targets, got ${targets.length}`,
  );
  const folds = crossValidationFolds(bags.count, options.folds ?? 5, options.seed ?? 1);
  const all: BagSet = { bags, targets: Float64Array.from(targets), targetNames };
  const rows: CrossValidationRow[] = [];
  for (const [index, spec] of specs.entries()) {
    const errors: number[] = [];
    for (const [f, held] of folds.entries()) {
      const kept = Array.from({ length: bags.count }, (_, i) => i).filter((i) => !held.includes(i));
      const train = selectBags(all, kept);
      const test = selectBags(all, held);
      const model = await DistributionRegressor.fit(train.bags, train.targets, spec, {
        targetNames,
        ...(options.featureNames ? { featureNames: options.featureNames } : {}),
      });
      try {
        errors.push(scoreRegression(test, model.predict(test.bags).mean).nmse);
      } finally {
        model.dispose();
      }
      options.onFold?.(index, f, errors[f]);
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const std = Math.sqrt(
      errors.reduce((sum, e) => sum + (e - mean) ** 2, 0) / Math.max(1, errors.length - 1),
    );
    rows.push({ spec, folds: errors, mean, std });
  }
  return rows;
}
