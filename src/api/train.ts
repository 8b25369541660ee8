/**
 * Training and evaluation: AdamW as an `init`/`update` pair, the warm-up/cosine schedule, the one
 * training loop every model goes through, language-model training, and streamed evaluation.
 *
 * @module localist/train
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export { adamw, type Optimizer, type OptimizerState } from "../train/optimizer.js";
export { warmupCosine } from "../train/schedule.js";
export { runTrainingLoop, type TrainingLoop, type StepRecord } from "../train/loop.js";
export {
  trainLanguageModel,
  type LanguageModelRun,
  type TrainSummary,
} from "../train/languageModel.js";
export type { TrainSettings } from "../train/settings.js";
export {
  evaluateStream,
  createEvaluator,
  type Evaluation,
  type Evaluator,
} from "../train/evaluate.js";

// The options and results the functions above take and return.
export type { Adaptation, TrainOptions, TrainingData } from "../train/languageModel.js";
export type { DivergenceHints, LoopResult, StepGradients } from "../train/loop.js";
export type { AdamWOptions } from "../train/optimizer.js";
