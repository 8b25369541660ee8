/**
 * localist: localization kernels, local means, the classical methods built on them, and
 * transformers whose attention is a kernel local mean, with the locality dial. This file is the
 * whole public API.
 */
export { initEngine, np, fromHost, toFloat64, type JaxArray, type FloatDType } from "./engine/engine.js";
export { LocalistError } from "./engine/errors.js";

// Kernels and classical local methods.
export * from "./kernels/index.js";
export * from "./classical/index.js";

// Data: the Brown corpus, tokenizers, corpora, n-gram baselines.
export * as data from "./data/index.js";
export { loadLmCorpus, type LmCorpus, type LmCorpusOptions } from "./data/lmCorpus.js";
export { unigramModel, bigramModel, type NgramModel } from "./data/ngram.js";

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
export {
  initParams,
  forward,
  flattenParams,
  unflattenParams,
  crossEntropy,
  type ModelParams,
} from "./model/transformer.js";
export { generateTokens, type SampleOptions } from "./model/generate.js";

// Training, evaluation, checkpoints.
export {
  trainLanguageModel,
  type TrainStart,
  type TrainOptions,
  type TrainSummary,
} from "./train/trainer.js";
export { evaluateStream, type Evaluation } from "./train/evaluate.js";
export {
  saveModel,
  loadModel,
  type SavedModel,
  type TrainSettings,
} from "./io/savedModel.js";
export { learningRateAt, makeAdamWUpdate, initAdamW } from "./train/optimizer.js";

// The localist model: blocks, routing, dial, metrics and the certified bound.
export { posBlocks, fileBlocks, resolveBlocks, type BlockSpec } from "./localist/blocks.js";
export { defaultRouting, routingFromFile, type Routing } from "./localist/routing.js";
export {
  dialMatrix,
  parseDial,
  SCHEDULES,
  type Schedule,
  type DialValue,
} from "./localist/dial.js";
export { localistForward } from "./localist/forward.js";
export { measureAttention, attentionMaps, type AttentionReport } from "./localist/inspect.js";
export {
  rowMetrics,
  leakBound,
  dialThreshold,
  binaryEntropy,
  type RowMetrics,
} from "./localist/metrics.js";
