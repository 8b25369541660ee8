/**
 * The four models of the distribution-regression experiments, behind one interface: fit on the
 * training bags of a task, predict held-out bags.
 *
 * - `transformer`: the set transformer (src/model/setTransformer.ts) with global attention;
 * - `local-transformer`: the same with k-NN-local attention in sample space;
 * - `kme`: kernel mean embeddings + kernel ridge, hyperparameters by 5-fold cross-validation
 *   (src/classical/distributionRidge.ts);
 * - `deepsets`: ρ(mean φ(x)) (src/model/deepSets.ts), the fully connected baseline.
 *
 * Every model sees the same standardized samples (per-feature mean and standard deviation of the
 * training samples; not for amortized clustering, whose likelihood is scored in the data's own
 * units) and regression targets standardized per column; predictions are mapped back.
 */
import { nearestMemberMask } from "../attention/set.js";
import { kmeRidge } from "../classical/distributionRidge.js";
import { check } from "../engine/errors.js";
import {
  featureStatistics,
  standardizeBags,
  type BagSet,
  type Bags,
} from "../data/distributions/bags.js";
import {
  CLUSTER_COMPONENTS,
  mixtureFromTarget,
  parseMixtureOutputs,
} from "../data/distributions/clustering.js";
import { scoreMixtures, scoreRegression } from "../data/distributions/scoring.js";
import type { TaskKind } from "../data/distributions/tasks.js";
import {
  validateSetModelConfig,
  type SetModelConfig,
  type SetPooling,
} from "../model/setConfig.js";
import type { SetLossKind } from "../model/setModel.js";
import { countSetParameters } from "../model/setParams.js";
import {
  DEFAULT_SET_TRAINING,
  disposeSetModel,
  predictSetModel,
  trainSetModel,
  type PreparedBags,
  type SetModel,
  type SetTrainSettings,
} from "../train/setModel.js";

/** The four models, by the names the specification and the command line use. */
export const MODEL_NAMES = ["transformer", "local-transformer", "kme", "deepsets"] as const;
/** One of MODEL_NAMES. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** What a task asks of a model: its kind and, for a mixture, the raw outputs of a neural model. */
export interface TaskShape {
  /** Squared error on the targets, or a mixture's likelihood. */
  kind: TaskKind;
  /** d, the dimension of a sample. */
  dim: number;
  /** T, the target components. */
  targets: number;
  /** Mixture tasks: the raw outputs a neural model predicts (K·(1 + 2d)). */
  rawOutputs?: number;
}

/** The architecture and training of the set models (the set transformer and Deep Sets). */
export interface NeuralSettings {
  /** D of the set transformer; Deep Sets gets 2D (and F = 4D) for a similar parameter count. */
  width: number;
  layers: number;
  heads: number;
  /** k of k-NN-local attention. */
  k: number;
  pooling: SetPooling;
  training: SetTrainSettings;
}

/** The experiments' default set models: width 32, 2 blocks, 4 heads, k = 8, PMA pooling. */
export const DEFAULT_NEURAL: NeuralSettings = {
  width: 32,
  layers: 2,
  heads: 4,
  k: 8,
  pooling: "pma",
  training: DEFAULT_SET_TRAINING,
};

/** Deep Sets' φ layers. */
export const DEEP_SETS_LAYERS = 3;

/** A fitted model: predictions for held-out bags and what it cost. */
export interface FittedModel {
  /** (B, T) predictions for a regression; (B, raw) outputs or (B, T) targets for a mixture. */
  predict(test: BagSet): Float64Array;
  /** Whether `predict` gives a mixture's raw outputs (neural) or its parameter targets (KME). */
  readonly output: "targets" | "raw";
  /** Learned parameters (KME: the N·T dual coefficients). */
  readonly parameters: number;
  readonly seconds: number;
  /** A line on what was chosen or reached (KME's hyperparameters, a network's final loss). */
  readonly detail: string;
  dispose(): void;
}

/** The set transformer or Deep Sets configuration of a model name. */
export function neuralConfig(
  name: Exclude<ModelName, "kme">,
  shape: TaskShape,
  settings: NeuralSettings,
  extra: { prompts?: number; loraRank?: number; outputs?: number } = {},
): SetModelConfig {
  const outputs =
    extra.outputs ?? (shape.kind === "mixture" ? (shape.rawOutputs as number) : shape.targets);
  if (name === "deepsets")
    return validateSetModelConfig({
      model: "deepsets",
      inputDim: shape.dim,
      outputs,
      layers: DEEP_SETS_LAYERS,
      dModel: 2 * settings.width,
      dMlp: 4 * settings.width,
    });
  const seeds = settings.pooling === "pma" && shape.kind === "mixture" ? CLUSTER_COMPONENTS : 1;
  return validateSetModelConfig({
    model: "transformer",
    inputDim: shape.dim,
    outputs,
    layers: settings.layers,
    heads: settings.heads,
    dModel: settings.width,
    dMlp: 2 * settings.width,
    attention: name === "local-transformer" ? { kind: "knn", k: settings.k } : { kind: "global" },
    pooling: settings.pooling,
    seeds,
    prompts: extra.prompts ?? 0,
    loraRank: extra.loraRank ?? 0,
  });
}

/** Per-column mean and standard deviation of targets (B, T). */
export function targetStatistics(set: BagSet): { mean: Float64Array; std: Float64Array } {
  const t = set.targetNames.length;
  const b = set.bags.count;
  const mean = new Float64Array(t);
  const std = new Float64Array(t);
  for (let i = 0; i < b; i++) for (let c = 0; c < t; c++) mean[c] += set.targets[i * t + c] / b;
  for (let i = 0; i < b; i++)
    for (let c = 0; c < t; c++) std[c] += (set.targets[i * t + c] - mean[c]) ** 2 / b;
  for (let c = 0; c < t; c++) std[c] = std[c] > 1e-24 ? Math.sqrt(std[c]) : 1;
  return { mean, std };
}

/** How the inputs and targets of a task are scaled for every model. */
export interface Scaling {
  features?: { mean: Float64Array; std: Float64Array };
  targets?: { mean: Float64Array; std: Float64Array };
}

/** The scaling fitted on training bags: none for a mixture task. */
export function scalingOf(kind: TaskKind, train: BagSet): Scaling {
  if (kind === "mixture") return {};
  return { features: featureStatistics(train.bags), targets: targetStatistics(train) };
}

/** The bags standardized by the scaling's feature statistics (unchanged without them). */
export function scaledBags(bags: Bags, scaling: Scaling): Bags {
  return scaling.features ? standardizeBags(bags, scaling.features) : bags;
}

/** Bags as a set model reads them (k-NN masks when `knn` is given, targets when `withTargets`). */
export function prepareBags(
  set: BagSet,
  scaling: Scaling,
  options: { knn?: number; withTargets?: boolean } = {},
): PreparedBags {
  const bags = scaledBags(set.bags, scaling);
  const { count, capacity: m, dim: d } = bags;
  const valid = new Float32Array(count * m);
  for (let b = 0; b < count; b++) valid.fill(1, b * m, b * m + bags.sizes[b]);
  const t = set.targetNames.length;
  let targets: Float32Array | undefined;
  if (options.withTargets) {
    const stats = scaling.targets;
    targets = Float32Array.from(set.targets, (y, k) =>
      stats ? (y - stats.mean[k % t]) / stats.std[k % t] : y,
    );
  }
  return {
    count,
    capacity: m,
    dim: d,
    x: Float32Array.from(bags.samples),
    valid,
    ...(options.knn !== undefined
      ? { neighbours: nearestMemberMask(bags.samples, bags.sizes, m, d, options.knn) }
      : {}),
    ...(targets ? { targets } : {}),
    targetCount: t,
  };
}

/** Standardized predictions back in the targets' units. */
export function unscaleTargets(values: Float64Array, scaling: Scaling, t: number): Float64Array {
  const stats = scaling.targets;
  return stats ? values.map((v, k) => v * stats.std[k % t] + stats.mean[k % t]) : values;
}

/** The loss a neural model of this task trains on. */
export function lossOf(shape: TaskShape): SetLossKind {
  return shape.kind === "mixture"
    ? { kind: "mixture", components: CLUSTER_COMPONENTS }
    : { kind: "regression" };
}

/** A trained set model as a FittedModel. */
export function fittedNeural(
  model: SetModel,
  shape: TaskShape,
  scaling: Scaling,
  settings: NeuralSettings,
  info: { seconds: number; finalLoss: number },
): FittedModel {
  const knn = model.config.model === "transformer" && model.config.attention.kind === "knn";
  return {
    output: shape.kind === "mixture" ? "raw" : "targets",
    parameters: countSetParameters(model.config),
    seconds: info.seconds,
    detail: `final training loss ${info.finalLoss.toPrecision(4)}`,
    predict(test) {
      const data = prepareBags(test, scaling, knn ? { knn: settings.k } : {});
      const raw = predictSetModel(model, data, settings.training.evalBatch);
      return shape.kind === "mixture" ? raw : unscaleTargets(raw, scaling, shape.targets);
    },
    dispose: () => disposeSetModel(model),
  };
}

/** Fits one model on training bags. */
export async function fitModel(
  name: ModelName,
  shape: TaskShape,
  train: BagSet,
  options: {
    settings: NeuralSettings;
    seed: number;
    onStep?: (step: number, loss: number) => void;
  },
): Promise<FittedModel> {
  check(train.bags.count >= 2, `fitting needs at least 2 training bags, got ${train.bags.count}`);
  const scaling = scalingOf(shape.kind, train);
  const began = performance.now();
  if (name === "kme") {
    const t = shape.targets;
    const targets = scaling.targets
      ? Float64Array.from(
          train.targets,
          (y, k) => (y - scaling.targets!.mean[k % t]) / scaling.targets!.std[k % t],
        )
      : train.targets;
    const model = kmeRidge(scaledBags(train.bags, scaling), targets, t, { seed: options.seed });
    const { chosen } = model;
    const outer =
      chosen.outer.kind === "linear"
        ? "linear"
        : `gaussian γ=${(chosen.width as number).toPrecision(3)}`;
    return {
      output: "targets",
      parameters: train.bags.count * t,
      seconds: (performance.now() - began) / 1000,
      detail: `h=${chosen.bandwidth.toPrecision(3)}, ${outer}, λ=${chosen.ridge}`,
      predict: (test) => unscaleTargets(model.predict(scaledBags(test.bags, scaling)), scaling, t),
      dispose() {},
    };
  }
  const { settings } = options;
  const config = neuralConfig(name, shape, settings);
  const knn = name === "local-transformer";
  const data = prepareBags(train, scaling, {
    withTargets: true,
    ...(knn ? { knn: settings.k } : {}),
  });
  const result = await trainSetModel(data, {
    config,
    settings: settings.training,
    loss: lossOf(shape),
    seed: options.seed,
    onStep: options.onStep,
  });
  return fittedNeural(result.model, shape, scaling, settings, {
    seconds: (performance.now() - began) / 1000,
    finalLoss: result.finalLoss,
  });
}

/** The error of predictions on held-out bags: NMSE for a regression, the log-likelihood gap for a mixture. */
export function testError(
  shape: TaskShape,
  test: BagSet,
  predictions: Float64Array,
  output: "targets" | "raw",
): number {
  if (shape.kind === "regression") return scoreRegression(test, predictions).nmse;
  const per = output === "raw" ? (shape.rawOutputs as number) : shape.targets;
  const mixtures = Array.from({ length: test.bags.count }, (_, i) => {
    const row = predictions.subarray(i * per, (i + 1) * per);
    return output === "raw" ? parseMixtureOutputs(row) : mixtureFromTarget(row);
  });
  return scoreMixtures(test, mixtures).gap;
}
