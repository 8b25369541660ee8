/**
 * What a fitted DistributionRegressor is made of: its info (everything config.json holds) and its
 * fitted part (the arrays). Apart from ./regressor.ts so that the folder code can read and write
 * them without importing the class.
 */
import type { KmeRidgeModel } from "../classical/distributionRidge.js";
import type { Bags } from "../data/distributions/bags.js";
import type { SetModelConfig } from "../model/setConfig.js";
import type { SetModel } from "../train/setModel.js";
import type { ResolvedSpec } from "./spec.js";

/** What a fit reports, measured on its held-out validation bags. */
export interface FitReport {
  trainingBags: number;
  validationBags: number;
  /** NMSE on the validation bags (mean over target columns); NaN without validation bags. */
  validationNmse: number;
  /** The fraction of validation targets inside μ ± 1.645σ (with deviations only). */
  coverage90?: number;
  /** Neural models: the step whose parameters were kept, of `steps`. */
  keptStep?: number;
  /** KME: the hyperparameters its internal cross-validation chose. */
  chosen?: string;
  seconds: number;
}

/** Everything about a fitted regressor but its arrays (what config.json holds). */
export interface RegressorInfo {
  spec: ResolvedSpec;
  /** d */
  dim: number;
  featureNames: readonly string[];
  targetNames: readonly string[];
  scaling: {
    featureMean: Float64Array;
    featureStd: Float64Array;
    targetMean: Float64Array;
    targetStd: Float64Array;
  };
  /** The set transformer's or Deep Sets' configuration (neural models). */
  network?: SetModelConfig;
  report: FitReport;
}

/** The fitted part: a set model, or KME ridge with its (standardized) training bags. */
export type Fitted =
  { kind: "neural"; model: SetModel } | { kind: "kme"; train: Bags; model: KmeRidgeModel };
