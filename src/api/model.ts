/**
 * The transformer whose attention is a kernel local mean: causal attention (global, local,
 * hybrid), the model config, parameters, the one forward pass, the loss, attention hooks,
 * sampling and attention maps; and the services on a saved model (open, train, resume, sweep the
 * dial, the demo, rules on a model).
 *
 * @module localist/model
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export {
  globalCausalAttention,
  localCausalAttention,
  denseLocalWeights,
  type AttentionResult,
} from "../attention/causal.js";
export {
  validateModelConfig,
  parseAttentionSpec,
  type ModelConfig,
  type AttentionSpec,
  type PositionalEncoding,
} from "../model/config.js";
export { initParams, parameterShapes, type ParamMap } from "../model/params.js";
export { forward } from "../model/transformer.js";
export { crossEntropy } from "../model/loss.js";
export type {
  AttentionHooks,
  HookSource,
  LayerBias,
  LayerAttention,
  AuxiliaryTerm,
  TokenBatch,
} from "../model/hooks.js";
export { generateTokens, type SampleOptions } from "../model/generate.js";
export { attentionMaps, type AttentionMaps } from "../model/inspect.js";

// Services on a saved model, with its hooks.
export {
  openModel,
  openLocalistModel,
  closeModel,
  modelHooks,
  modelSplits,
  type LoadedModel,
} from "../workflows/savedModels.js";
export { trainNewModel, resumeTraining, type NewModel } from "../workflows/training.js";
export { sweepDial, type SweepRow } from "../workflows/sweep.js";
export { runDemo, demoModel } from "../workflows/demo.js";
export { loadRules, modelRules } from "../workflows/rules.js";
export { checkModelRules } from "../workflows/compliance.js";
export { listAnchors } from "../workflows/anchors.js";

// The options and results the functions above take and return.
export type { AttentionOptions, InspectOptions } from "../attention/causal.js";
export { POSITIONAL_ENCODINGS } from "../model/config.js";
export type { HeadGroupAttention, HookInputs } from "../model/hooks.js";
export type { ForwardOptions } from "../model/transformer.js";
export type { AnchorListing } from "../workflows/anchors.js";
export type { CheckResult, CheckSource } from "../workflows/compliance.js";
export type { DemoResult } from "../workflows/demo.js";
export type { SweepOptions } from "../workflows/sweep.js";
export type { Announce } from "../workflows/training.js";
