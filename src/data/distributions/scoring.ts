/**
 * How predictions on held-out bags are scored (docs/math.md#exact-targets-of-the-distribution-tasks):
 *
 * - regression tasks: the normalized mean squared error per target column,
 *   NMSE = Σ_i (ŷ_i − y_i)² / Σ_i (y_i − ȳ)² over the test bags (1 = predicting the test mean),
 *   averaged over columns (a column whose test targets are all equal has no scale: its MSE is
 *   used), and the plain MSE beside it;
 * - mixture tasks (amortized clustering): the mean log-likelihood per point of each test set under
 *   the predicted mixture, against the same under the true parameters (the oracle); the error is
 *   the gap, oracle − model, in nats per point (≥ 0 up to the sampling noise of a finite set).
 */
import { check } from "../../engine/errors.js";
import { bagSamples, type BagSet } from "./bags.js";
import { meanLogLikelihood, mixtureFromTarget, type DiagonalMixture } from "./clustering.js";

export interface RegressionScore {
  /** Mean over columns of MSE / variance of the test targets. */
  nmse: number;
  /** Mean over columns of the MSE. */
  mse: number;
}

/** NMSE and MSE of predictions (B, T) against the set's targets (B, T). */
export function scoreRegression(set: BagSet, predictions: ArrayLike<number>): RegressionScore {
  const t = set.targetNames.length;
  const b = set.bags.count;
  check(predictions.length === b * t, `expected ${b * t} predictions, got ${predictions.length}`);
  let nmse = 0;
  let mse = 0;
  for (let c = 0; c < t; c++) {
    let mean = 0;
    for (let i = 0; i < b; i++) mean += set.targets[i * t + c] / b;
    let squared = 0;
    let spread = 0;
    for (let i = 0; i < b; i++) {
      squared += (predictions[i * t + c] - set.targets[i * t + c]) ** 2;
      spread += (set.targets[i * t + c] - mean) ** 2;
    }
    mse += squared / b / t;
    nmse += (spread > 0 ? squared / spread : squared / b) / t;
  }
  return { nmse, mse };
}

export interface MixtureScore {
  /** oracle − model, nats per point, averaged over sets. */
  gap: number;
  /** Mean log-likelihood per point under the predicted mixtures. */
  model: number;
  /** The same under the true mixtures. */
  oracle: number;
}

/** The log-likelihood gap of predicted mixtures (one per bag) on the bags' own samples. */
export function scoreMixtures(set: BagSet, predicted: readonly DiagonalMixture[]): MixtureScore {
  const b = set.bags.count;
  const t = set.targetNames.length;
  check(predicted.length === b, `expected ${b} mixtures, got ${predicted.length}`);
  let model = 0;
  let oracle = 0;
  for (let i = 0; i < b; i++) {
    const samples = bagSamples(set.bags, i);
    model += meanLogLikelihood(predicted[i], samples) / b;
    const truth = mixtureFromTarget(set.targets.subarray(i * t, (i + 1) * t), false);
    oracle += meanLogLikelihood(truth, samples) / b;
  }
  return { gap: oracle - model, model, oracle };
}
