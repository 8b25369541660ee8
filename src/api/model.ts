/**
 * The transformer whose attention is a kernel local mean: causal attention (global, local,
 * hybrid), the model config, parameters, the one forward pass, the loss, attention hooks,
 * sampling and attention maps; the one place a model's hooks are assembled; and the services
 * built on the model object (the demo, the compliance report, anchors). The model object itself,
 * `LocalistModel`, is in the package root.
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
export {
  attentionMaps,
  CompiledMapsPass,
  type AttentionMaps,
  type MapsPass,
  type MapsPassArrays,
} from "../model/inspect.js";

// The hooks of a model, assembled in one place; services on the model object.
export { assembleHooks, type HookedParts } from "../lm/hooks.js";
export { runDemo, demoModel } from "../lm/demo.js";
export { checkModelRules } from "../lm/compliance.js";
export { listAnchors } from "../lm/anchors.js";

// The options and results the functions above take and return.
export type { AttentionOptions, InspectOptions } from "../attention/causal.js";
export { POSITIONAL_ENCODINGS } from "../model/config.js";
export type { HeadGroupAttention, HookInputs } from "../model/hooks.js";
export type { ForwardOptions } from "../model/transformer.js";
export type { AnchorListing } from "../lm/anchors.js";
export type { CheckResult, CheckSource } from "../lm/compliance.js";
export type { DemoResult } from "../lm/demo.js";
export type { Announce } from "../lm/training.js";
