/**
 * Distribution regression: learning a function of a distribution from bags of its samples. The
 * tasks with exact targets and their two-stage sampling, kernel mean embeddings and ridge
 * regression on them, set attention and the set models (the set transformer, Deep Sets) with
 * their trainer, and the data sources the experiments draw from.
 *
 * @module localist/distreg
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export {
  distributionTask,
  sampleBagSet,
  TASK_NAMES,
  type DistributionTask,
} from "../data/distributions/tasks.js";
export type { Bags, BagSet } from "../data/distributions/bags.js";
export { embeddingInnerProducts, type SampleSets } from "../classical/kernelMeanEmbedding.js";
export {
  kmeRidge,
  type KmeRidgeModel,
  type KmeRidgeOptions,
} from "../classical/distributionRidge.js";
export { setAttention, nearestMemberMask } from "../attention/set.js";
export { validateSetModelConfig, type SetModelConfig } from "../model/setConfig.js";
export { initSetParams } from "../model/setParams.js";
export { setModelForward } from "../model/setModel.js";
export { trainSetModel, predictSetModel, type SetModel } from "../train/setModel.js";
export { taskSource, bagSource } from "../distreg/source.js";
// The regressor as a tool: fit on bags, save, open, predict; K-fold cross-validation.
export { DistributionRegressor, type Prediction, type FitOptions } from "../distreg/regressor.js";
export type { FitReport, RegressorInfo } from "../distreg/regressorParts.js";
export { KME_HEADS, type RegressorSpec, type KmeHead, type ResolvedSpec } from "../distreg/spec.js";
export {
  crossValidate,
  type CrossValidationRow,
  type CrossValidationOptions,
} from "../distreg/crossValidate.js";
export { crossValidationFolds } from "../distreg/folds.js";

// The options and results the functions above take and return.
export type { SetAttentionOptions } from "../attention/set.js";
export type { KmeChoice, OuterKernel, KmeRidgeState } from "../classical/distributionRidge.js";
export type { KmeGpState } from "../classical/kmeGaussianProcess.js";
export type { Rng } from "../data/distributions/sampling.js";
export type {
  TaskDistribution,
  TaskKind,
  TaskOptions,
  TwoStageOptions,
} from "../data/distributions/tasks.js";
export type { DeepSetsConfig, SetTransformerConfig } from "../model/setConfig.js";
export type { SetBatch } from "../model/setTransformer.js";
export type { PreparedBags, SetTrainResult, TrainSetOptions } from "../train/setModel.js";
export type { DataSource } from "../distreg/source.js";
export type { SetAttentionKind } from "../model/setConfig.js";
export type { SetLossKind } from "../model/setModel.js";
export type { SetTrainSettings } from "../train/setModel.js";
export type { Draw } from "../distreg/source.js";
export type { TaskShape } from "../distreg/models.js";
