/**
 * localist: localization kernels, local means, the classical methods built on them, and
 * transformers whose attention is a kernel local mean, with the locality dial.
 *
 * The package root holds the essentials: starting the engine (jax-js on Wasm, on the machine's
 * cores), reading results back, and the errors every function throws. The methods live in the
 * subpaths, one per kind of thing, each an entry file in src/api/:
 *
 * | import from            | what it holds                                                    |
 * | ---------------------- | ---------------------------------------------------------------- |
 * | `localist/kernels`     | localization kernels as log-weights; the one weighted mean       |
 * | `localist/classical`   | Nadaraya–Watson, local polynomials, k-NN, MeanShift, kernel ridge |
 * | `localist/data`        | corpora, tokenizers, n-gram baselines                            |
 * | `localist/model`       | attention, the transformer, its config and hooks, saved models   |
 * | `localist/locality`    | the dial, blocks, routing, rules, metrics and the leak bound     |
 * | `localist/train`       | the optimizer, the schedule, the training loop, evaluation       |
 * | `localist/distreg`     | distribution regression: tasks, bags, KME ridge, set models      |
 * | `localist/io`          | saved models and bag files on disk                               |
 *
 * Every name is chosen in these files and test/package/api.test.ts lists them all, so a change to
 * the API is a visible change; the folders below are internal.
 *
 * @module localist
 */

// First, before jax-js loads: the compute threads for Node (src/engine/threads.ts).
import "./engine/threads.js";
import "./kernels/kdTreeThreads.js"; // the k-d tree search on the same threads

export {
  initEngine,
  engineThreads,
  np,
  tree,
  fromHost,
  toFloat64,
  readAsync,
  type EngineOptions,
  type JaxArray,
  type FloatDType,
} from "./engine/engine.js";
export { LocalistError } from "./engine/errors.js";
export { onThreadFailure, ComputeThreadError } from "./engine/threadControl.js";

// The model object: a trained language model, opened, hooked, trained, inspected and audited
// through one object; its training spec and the one validator every caller goes through.
import "./lm/node.js"; // the model object's file-system services (src/lm/nodeServices.ts)
export {
  LocalistModel,
  type Split,
  type RunSettings,
  type EvaluateOptions,
  type GenerateOptions,
  type ExplainSettings,
  type BlockLabeller,
} from "./lm/localistModel.js";
export {
  type ExplainSession,
  type SessionWindow,
  type SessionSettings,
  type SessionPass,
  type NextToken,
} from "./lm/explainSession.js";
export {
  validateTrainingSpec,
  SpecError,
  ANCHOR_KINDS,
  type TrainingSpec,
  type AnchorKind,
} from "./lm/trainingSpec.js";
export type { RunOptions } from "./lm/nodeServices.js";
export type { HookSettings } from "./lm/hooks.js";
export type { SweepRow, SweepOptions } from "./lm/sweep.js";
