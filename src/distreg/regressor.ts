/**
 * DistributionRegressor: distribution regression as an estimator, sklearn-style. `fit` learns one
 * model from bags (sets of samples, any size each) and a target per bag; `predict` gives the
 * targets of new bags, with predictive standard deviations where the model has them (KME with the
 * Gaussian-process head); `save` and `open` keep it in a folder (./regressorFolder.ts).
 * `crossValidate` (./crossValidate.ts) compares specifications by K-fold NMSE.
 *
 * A fit standardizes every feature by the training samples' mean and standard deviation and every
 * target column by the training bags', holds out a seeded validation fraction of the bags, trains
 * on the rest, and keeps for a neural model the parameters with the lowest validation error
 * (checked 20 times over the run: early stopping by selection). The validation NMSE and, with
 * deviations, the coverage of the 90% intervals μ ± 1.645σ are its report.
 *
 * Shapes: B bags, M the largest bag, d features, T target columns.
 */
import {
  featureStatistics,
  selectBags,
  standardizeBags,
  type BagSet,
  type Bags,
} from "../data/distributions/bags.js";
import { scoreRegression } from "../data/distributions/scoring.js";
import { check } from "../engine/errors.js";
import { disposeSetModel, predictSetModel } from "../train/setModel.js";
import { checkFields } from "./fieldError.js";
import { validationSplit } from "./folds.js";
import { DISTREG_LIMITS } from "./limits.js";
import { prepareBags, targetStatistics, unscaleTargets, type Scaling } from "./models.js";
import { evalBatchFor, fitKme, fitNeural } from "./fitters.js";
import { readRegressorFolder, writeRegressorFolder } from "./regressorFolder.js";
import type { Fitted, RegressorInfo } from "./regressorParts.js";
import { resolveSpec, type RegressorSpec } from "./spec.js";

/** z of the two-sided 90% interval of a normal: Φ⁻¹(0.95). */
export const Z90 = 1.6448536269514722;

/** Predictions (B, T) row-major, and predictive standard deviations (B, T) where the model has them. */
export interface Prediction {
  mean: Float64Array;
  std?: Float64Array;
}

/** Names and a step callback for `fit`; the specification is the model itself. */
export interface FitOptions {
  /** T names (default one target, "target"); `targets` holds B·T numbers. */
  targetNames?: readonly string[];
  /** d names, kept for messages (default x1 … xd). */
  featureNames?: readonly string[];
  /** After every training step of a neural model. */
  onStep?: (step: number, loss: number) => void;
  /** After each hyperparameter candidate KME ridge cross-validates: how many of how many. */
  onCandidate?: (done: number, total: number) => void;
}

/** The scaling of a regressor's info, as the set models' helpers read it. */
function scalingOf(info: RegressorInfo): Required<Scaling> {
  const { featureMean, featureStd, targetMean, targetStd } = info.scaling;
  return {
    features: { mean: featureMean, std: featureStd },
    targets: { mean: targetMean, std: targetStd },
  };
}

/** Bags with no targets, as the set models' helpers take them. */
function asSet(bags: Bags, t: number): BagSet {
  return { bags, targets: new Float64Array(0), targetNames: Array.from({ length: t }, () => "") };
}

/** A fitted distribution regressor. Free its arrays with `dispose`. */
export class DistributionRegressor {
  private constructor(
    readonly info: RegressorInfo,
    private readonly fitted: Fitted,
  ) {}

  /** A regressor saved by `save`; a missing, foreign or damaged folder is one line. */
  static open(dir: string): DistributionRegressor {
    const { info, fitted } = readRegressorFolder(dir);
    return new DistributionRegressor(info, fitted);
  }

  /**
   * Writes the regressor into the folder `dir` (new, or empty), all or nothing
   * (./regressorFolder.ts); reopened, it predicts the same numbers bit for bit.
   */
  save(dir: string): void {
    writeRegressorFolder(this.info, this.fitted, dir);
  }

  /** Fits a regressor on bags and their targets (B·T numbers, row-major). */
  static async fit(
    bags: Bags,
    targets: ArrayLike<number>,
    spec: RegressorSpec,
    options: FitOptions = {},
  ): Promise<DistributionRegressor> {
    const began = performance.now();
    const resolved = resolveSpec(spec);
    const targetNames = options.targetNames ?? ["target"];
    const featureNames =
      options.featureNames ?? Array.from({ length: bags.dim }, (_, j) => `x${j + 1}`);
    const t = targetNames.length;
    check(t >= 1, "give at least one target column");
    check(
      featureNames.length === bags.dim,
      `${featureNames.length} feature names for bags of ${bags.dim} features; give one name per feature`,
    );
    check(
      targets.length === bags.count * t,
      `${bags.count} bags with ${t} target column(s) need ${bags.count * t} targets, got ${targets.length}`,
    );
    check(
      Array.from(targets).every(Number.isFinite) && bags.samples.every(Number.isFinite),
      "every sample and target must be a finite number",
    );
    const split = validationSplit(bags.count, resolved.validation, resolved.seed);
    checkFields(
      split.train.length >= 2,
      (name) =>
        `${bags.count} bags leave ${split.train.length} to train on after ${split.validation.length} held out for validation; fitting needs at least 2: give more bags or lower ${name("validation")}`,
    );
    const all: BagSet = { bags, targets: Float64Array.from(targets), targetNames };
    const train = selectBags(all, split.train);
    checkTrainingSize(train.bags);
    const features = featureStatistics(train.bags);
    const targetScale = targetStatistics(train);
    const scaling: Required<Scaling> = { features, targets: targetScale };
    const validation = split.validation.length > 0 ? selectBags(all, split.validation) : undefined;
    const part =
      resolved.model === "kme"
        ? fitKme(train, scaling, resolved, options.onCandidate)
        : await fitNeural(train, validation, scaling, resolved, options.onStep);
    const { fitted, network, keptStep, chosen } = part;
    const info: RegressorInfo = {
      spec: resolved,
      dim: bags.dim,
      featureNames: [...featureNames],
      targetNames: [...targetNames],
      scaling: {
        featureMean: features.mean,
        featureStd: features.std,
        targetMean: targetScale.mean,
        targetStd: targetScale.std,
      },
      ...(network ? { network } : {}),
      report: {
        trainingBags: split.train.length,
        validationBags: split.validation.length,
        validationNmse: NaN,
        ...(keptStep !== undefined ? { keptStep } : {}),
        ...(chosen !== undefined ? { chosen } : {}),
        seconds: 0,
      },
    };
    const regressor = new DistributionRegressor(info, fitted);
    if (validation) {
      const { mean, std } = regressor.predict(validation.bags);
      info.report.validationNmse = scoreRegression(validation, mean).nmse;
      if (std) info.report.coverage90 = coverage(validation.targets, mean, std);
    }
    info.report.seconds = (performance.now() - began) / 1000;
    return regressor;
  }

  /** Predictions for bags of the fitted number of features (any number of samples each). */
  predict(bags: Bags): Prediction {
    const { info } = this;
    const t = info.targetNames.length;
    check(
      bags.dim === info.dim,
      () =>
        `the bags have ${bags.dim} feature${bags.dim === 1 ? "" : "s"} but the model was fitted on ${info.dim} (${info.featureNames.join(", ")}); give the same features in the same order`,
    );
    const scaling = scalingOf(info);
    if (this.fitted.kind === "kme") {
      const out = this.fitted.model.predictWithStd(standardizeBags(bags, scaling.features));
      return {
        mean: unscaleTargets(out.mean, scaling, t),
        ...(out.std ? { std: out.std.map((s, k) => s * info.scaling.targetStd[k % t]) } : {}),
      };
    }
    const { spec } = info;
    const knn = spec.model === "local-transformer" ? { knn: spec.k } : {};
    const data = prepareBags(asSet(bags, t), scaling, knn);
    const raw = predictSetModel(this.fitted.model, data, evalBatchFor(spec, bags.capacity));
    return { mean: unscaleTargets(raw, scaling, t) };
  }

  /** Frees the model's arrays. */
  dispose(): void {
    if (this.fitted.kind === "neural") disposeSetModel(this.fitted.model);
  }
}

/** Refuses training bags whose padded samples (N·M·d) would not fit. */
function checkTrainingSize(bags: Bags): void {
  const total = bags.count * bags.capacity * bags.dim;
  check(
    total <= DISTREG_LIMITS.samples,
    `the training bags padded to the largest (${bags.count} bags × ${bags.capacity} samples × ${bags.dim} features = ${total} values) are more than the ${DISTREG_LIMITS.samples} a fit holds; use fewer or smaller bags`,
  );
}

/** The fraction of targets y with |y − μ| ≤ 1.645σ. */
export function coverage(
  targets: ArrayLike<number>,
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
): number {
  let inside = 0;
  for (let k = 0; k < targets.length; k++)
    if (Math.abs(targets[k] - mean[k]) <= Z90 * std[k]) inside++;
  return inside / targets.length;
}

/** The parts of a regressor, defined apart (./regressorParts.ts) for the folder code. */
export type { FitReport, Fitted, RegressorInfo } from "./regressorParts.js";
