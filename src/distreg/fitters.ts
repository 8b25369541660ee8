/**
 * The two ways a DistributionRegressor fits (./regressor.ts) on standardized training bags:
 *
 * - KME: kernel mean embeddings + kernel ridge on standardized targets, its hyperparameters chosen
 *   by 5-fold cross-validation within the training bags, with the Gaussian-process head when the
 *   spec asks for it (../classical/distributionRidge.ts, ../classical/kmeGaussianProcess.ts);
 * - a set model (the set transformer, global or k-NN-local, or Deep Sets), trained by the one loop
 *   with early stopping by selection: every steps/20 steps the validation NMSE of the current
 *   parameters is measured and the best parameters are kept (../train/setModel.ts).
 *
 * Shapes: N training bags, M the largest bag, T target columns.
 */
import { kmeRidge } from "../classical/distributionRidge.js";
import { standardizeBags, type BagSet } from "../data/distributions/bags.js";
import { scoreRegression } from "../data/distributions/scoring.js";
import { check } from "../engine/errors.js";
import type { ParamMap } from "../model/params.js";
import type { SetModelConfig } from "../model/setConfig.js";
import { predictSetModel, trainSetModel } from "../train/setModel.js";
import { checkAttentionSize, DISTREG_LIMITS } from "./limits.js";
import { neuralConfig, prepareBags, unscaleTargets, type Scaling } from "./models.js";
import type { Fitted } from "./regressorParts.js";
import { neuralSettingsOf, type ResolvedSpec } from "./spec.js";

/** What a fitter gives: the fitted part, and what the report and config say of it. */
export interface FitterResult {
  fitted: Fitted;
  /** The set model's configuration (set models). */
  network?: SetModelConfig;
  /** The step whose parameters were kept (set models). */
  keptStep?: number;
  /** KME's chosen hyperparameters, in words. */
  chosen?: string;
}

/** KME ridge (and its GP head) on the training bags, standardized by `scaling`. */
export function fitKme(
  train: BagSet,
  scaling: Required<Scaling>,
  spec: ResolvedSpec,
  onCandidate?: (done: number, total: number) => void,
): FitterResult {
  const t = train.targetNames.length;
  const { mean, std } = scaling.targets;
  const scaled = standardizeBags(train.bags, scaling.features);
  const standardized = train.targets.map((y, k) => (y - mean[k % t]) / std[k % t]);
  const model = kmeRidge(scaled, standardized, t, {
    seed: spec.seed,
    gaussianProcess: spec.head === "gp",
    ...(onCandidate ? { onCandidate } : {}),
  });
  const c = model.chosen;
  const outer =
    c.outer.kind === "linear" ? "linear" : `gaussian γ=${(c.width as number).toPrecision(3)}`;
  return {
    fitted: { kind: "kme", train: scaled, model },
    chosen: `h=${c.bandwidth.toPrecision(3)}, ${outer}, λ=${c.ridge}`,
  };
}

/**
 * A set model trained on the training bags; with validation bags, the parameters with the lowest
 * validation NMSE among the checks every steps/20 steps and the last.
 */
export async function fitNeural(
  train: BagSet,
  validation: BagSet | undefined,
  scaling: Required<Scaling>,
  spec: ResolvedSpec,
  onStep?: (step: number, loss: number) => void,
): Promise<FitterResult> {
  check(spec.model !== "kme", "fitNeural fits the set models, not kme");
  const t = train.targetNames.length;
  checkAttentionSize({ batch: spec.batch, heads: spec.heads, tokens: train.bags.capacity }, [
    "batch",
    "heads",
  ]);
  const neural = neuralSettingsOf(spec);
  const config = neuralConfig(
    spec.model,
    { kind: "regression", dim: train.bags.dim, targets: t },
    neural,
  );
  const knn = spec.model === "local-transformer" ? { knn: spec.k } : {};
  const data = prepareBags(train, scaling, { withTargets: true, ...knn });
  // Early stopping by selection: the validation NMSE of the parameters every steps/20 steps.
  let validationCheck: { every: number; score(params: ParamMap): number } | undefined;
  if (validation) {
    const held = prepareBags(validation, scaling, knn);
    const evalBatch = evalBatchFor(spec, held.capacity);
    validationCheck = {
      every: Math.max(1, Math.floor(spec.steps / 20)),
      score: (params) =>
        scoreRegression(
          validation,
          unscaleTargets(predictSetModel({ config, params }, held, evalBatch), scaling, t),
        ).nmse,
    };
  }
  const result = await trainSetModel(data, {
    config,
    settings: neural.training,
    loss: { kind: "regression" },
    seed: spec.seed,
    onStep,
    ...(validationCheck ? { validation: validationCheck } : {}),
  });
  return {
    fitted: { kind: "neural", model: result.model },
    network: config,
    keptStep: result.best?.step ?? spec.steps,
  };
}

/**
 * Bags per prediction call: the batch, or fewer where a batch of bags of M samples would need more
 * attention weights (B·H·M²) than the limit; a single bag beyond it is refused.
 */
export function evalBatchFor(spec: ResolvedSpec, m: number): number {
  if (spec.model === "deepsets") return spec.batch;
  const fits = Math.floor(DISTREG_LIMITS.logits / (spec.heads * m * m));
  check(
    fits >= 1,
    `a bag of ${m} samples needs ${spec.heads * m * m} attention weights, more than the ${DISTREG_LIMITS.logits} a prediction holds; split it into smaller bags`,
  );
  return Math.min(spec.batch, fits);
}
