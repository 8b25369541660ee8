/**
 * localist: localization kernels, local means, the classical methods built on them, and
 * transformers whose attention is a kernel local mean, with the locality dial. This file is the
 * whole public API: every name is chosen here, and test/api.test.ts lists them, so a change to the
 * API is a visible change. The folders below it are internal.
 */

// First, before jax-js loads: the compute threads for Node (src/engine/threads.ts).
import "./engine/threads.js";
import "./kernels/kdTreeThreads.js"; // the k-d tree search on the same threads

// The engine (jax-js on Wasm) and errors.
export {
  initEngine,
  np,
  tree,
  fromHost,
  toFloat64,
  type JaxArray,
  type FloatDType,
} from "./engine/engine.js";
export { LocalistError } from "./engine/errors.js";
export { preciseExp, preciseLog } from "./engine/precise.js";

// Localization kernels as log-weights, and the one weighted mean.
export {
  productKernel,
  powerKernel,
  onColumns,
  kernelMatrix,
  type LogKernel,
} from "./kernels/logKernel.js";
export {
  distanceKernel,
  DISTANCE_PROFILES,
  type DistanceProfile,
  type Bandwidth,
} from "./kernels/distance.js";
export { nearestNeighbourKernel } from "./kernels/nearest.js";
export {
  dotProductKernel,
  positionalWindowKernel,
  distanceDecayKernel,
  blockKernel,
} from "./kernels/sequence.js";
export { scottBandwidth, silvermanBandwidth } from "./kernels/bandwidthRules.js";
export { logKernelIntegral } from "./kernels/normalization.js";
export { kernelWeights, weightedMean, logKernelMass } from "./kernels/weightedMean.js";

// Classical local methods.
export { localMean, localMode, localWeights } from "./classical/localMean.js";
export { localize, type WeightedModel } from "./classical/localize.js";
export { weightedPolynomialModel } from "./classical/polynomial.js";
export { weightedLogisticModel } from "./classical/logistic.js";
export { knnRegress, knnClassify } from "./classical/neighbours.js";
export { meanShift, estimateMeanShiftBandwidth } from "./classical/meanShift.js";
export { locallyLinearEmbedding } from "./classical/lle.js";
export { crossValidatedBandwidth } from "./classical/bandwidthSelection.js";
// The rest of the general theory: density, kernel ridge and GPs, Hopfield, fuzzy rules, denoising.
export { kernelDensity } from "./classical/density.js";
export { kernelRidge, type KernelRidgeModel } from "./classical/kernelRidge.js";
export { gaussianProcess, type GaussianProcessModel } from "./classical/gaussianProcess.js";
export { hopfieldRetrieve, classicalHopfieldRetrieve } from "./classical/hopfield.js";
export { fitTsk, type TskModel } from "./classical/fuzzy.js";
export { kMeans, type KMeansResult } from "./classical/kMeans.js";
export { denoise } from "./classical/denoise.js";
// Distribution regression: kernel mean embeddings and ridge on them.
export { embeddingInnerProducts, type SampleSets } from "./classical/kernelMeanEmbedding.js";
export {
  fitKmeRidge,
  type KmeRidgeModel,
  type KmeRidgeOptions,
} from "./classical/distributionRidge.js";

// Data: corpora, tokenizers, n-gram baselines.
export { loadLmCorpus, type LmCorpus, type LmCorpusOptions } from "./data/lmCorpus.js";
export { WordTokenizer, CharTokenizer, tokenizerFromJSON } from "./data/tokenizer.js";
export { unigramModel, bigramModel, type NgramModel } from "./data/ngram.js";
// Data: distribution-regression tasks with exact targets, two-stage sampling, bags.
export {
  distributionTask,
  sampleBagSet,
  TASK_NAMES,
  type DistributionTask,
} from "./data/distributions/tasks.js";
export type { Bags, BagSet } from "./data/distributions/bags.js";
export { recallLines, recallText, type RecallLine } from "./data/recall.js";

// Attention and the transformer.
export {
  globalCausalAttention,
  localCausalAttention,
  denseLocalWeights,
  type AttentionResult,
} from "./attention/causal.js";
export {
  validateModelConfig,
  parseAttentionSpec,
  type ModelConfig,
  type AttentionSpec,
  type PositionalEncoding,
} from "./model/config.js";
export { initParams, parameterShapes, type ParamMap } from "./model/params.js";
export { forward } from "./model/transformer.js";
export { crossEntropy } from "./model/loss.js";
export type {
  AttentionHooks,
  HookSource,
  LayerBias,
  LayerAttention,
  AuxiliaryTerm,
  TokenBatch,
} from "./model/hooks.js";
export { generateTokens, type SampleOptions } from "./model/generate.js";
// Set attention and the set models (the set transformer, Deep Sets).
export { setAttention, nearestMemberMask } from "./attention/set.js";
export { validateSetModelConfig, type SetModelConfig } from "./model/setConfig.js";
export { initSetParams } from "./model/setParams.js";
export { setModelForward } from "./model/setModel.js";
export { attentionMaps, type AttentionMaps } from "./model/inspect.js";

// Checkpoints.
export { saveModel, loadModel, type SavedModel } from "./io/savedModel.js";
export { readBagFiles } from "./io/bags.js";

// Training and evaluation.
export { adamw, type Optimizer, type OptimizerState } from "./train/optimizer.js";
export { warmupCosine } from "./train/schedule.js";
export { runTrainingLoop, type TrainingLoop, type StepRecord } from "./train/loop.js";
export {
  trainLanguageModel,
  type LanguageModelRun,
  type TrainSummary,
} from "./train/languageModel.js";
export type { TrainSettings } from "./train/settings.js";
export { evaluateStream, createEvaluator, type Evaluation } from "./train/evaluate.js";
export { trainSetModel, predictSetModel, type SetModel } from "./train/setModel.js";

// The localist model: blocks, routing, the dial as an attention hook, metrics and the bound.
export { type LocalistStructure, type LocalistEntry } from "./localist/structure.js";
export { buildLocalistStructure } from "./localist/buildStructure.js";
export type { BlockSpec } from "./localist/blocks.js";
export { posBlocks, fileBlocks } from "./localist/blockSources.js";
export { defaultRouting, type Routing } from "./localist/routing.js";
export { routingFromFile } from "./localist/routingFile.js";
export {
  dialMatrix,
  parseDial,
  SCHEDULES,
  type Schedule,
  type DialValue,
} from "./localist/dial.js";
export { dialHook, zeroDial } from "./localist/hook.js";
export { measureAttention, type AttentionReport } from "./localist/inspect.js";
export { explainText, formatExplanation, type Explanation } from "./localist/explain.js";
export {
  rowMetrics,
  leakBound,
  dialThreshold,
  requiredGap,
  binaryEntropy,
  type RowMetrics,
} from "./localist/metrics.js";
// Rules as one more attention hook, the compliance check, anchors and recruitment.
export { readRuleSpecs } from "./localist/rulesFile.js";
export {
  compileRules,
  parseRuleSpecs,
  withStrength,
  type RuleSpec,
  type RuleSet,
  type CompiledRule,
} from "./localist/rules.js";
export { ruleHook, type RuleHook } from "./localist/ruleHook.js";
export { checkCompliance, type ComplianceReport, type RuleResult } from "./localist/compliance.js";
export { anchorHook, type AnchorsEntry } from "./localist/anchors.js";
export { anchorScores, type AnchorScore } from "./localist/anchorScores.js";
export type { Recruitment } from "./localist/recruitment.js";

// Workflows: saved models with their hooks, training from a description, the sweep, the demo,
// the expressivity benchmark.
export {
  openModel,
  openLocalistModel,
  closeModel,
  modelHooks,
  modelSplits,
  type LoadedModel,
} from "./workflows/savedModels.js";
export { trainNewModel, resumeTraining, type NewModel } from "./workflows/training.js";
export { sweepDial, type SweepRow } from "./workflows/sweep.js";
export { runDemo, demoModel } from "./workflows/demo.js";
export { runBenchmark } from "./workflows/expressivity/benchmark.js";
export { taskSource, bagSource } from "./distreg/source.js";
export { loadRules, modelRules } from "./workflows/rules.js";
export { checkModelRules } from "./workflows/compliance.js";
export { profileHeads, type HeadProfile } from "./workflows/profileHeads.js";
export { listAnchors } from "./workflows/anchors.js";
export { steeringSweep, recallRule, type SteeringPoint } from "./workflows/steering.js";
