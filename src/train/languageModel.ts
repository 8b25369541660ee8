/**
 * Training a language model: seeded batches of next-token windows, attention hooks (the dial of a
 * localist model) with their auxiliary losses, the embedding gradient scattered on the host, the
 * one training loop (./loop.ts) with AdamW and warm-up/cosine learning rates, a JSON-lines metrics
 * log, progress on the terminal, atomic checkpoints, exact resumption and a final validation pass.
 */
import { join } from "node:path";
import { tree } from "../engine/engine.js";
import type { AnyTokenizer } from "../data/tokenizer.js";
import type { LmCorpusOptions } from "../data/lmCorpus.js";
import type { ModelConfig } from "../model/config.js";
import type { HookSource } from "../model/hooks.js";
import { initParams, type ParamMap } from "../model/params.js";
import { createFolder } from "../io/atomicWrite.js";
import { cleanRunFolder } from "../io/checkpoint.js";
import { acquireLock } from "../io/lock.js";
import { MetricsLog } from "../io/metricsLog.js";
import { createProgress, type ProgressStream } from "../io/progress.js";
import { saveModel } from "../io/savedModel.js";
import type { TokenSource } from "../io/tokenFiles.js";
import { lmGradients } from "./lmGradients.js";
import { evaluateStream, type Evaluation } from "./evaluate.js";
import { runTrainingLoop, type StepRecord } from "./loop.js";
import { disposeOptimizerState, type OptimizerState } from "./optimizer.js";
import { runOptimizer, type TrainSettings } from "./settings.js";

/**
 * The data of a language-model run: how the corpus was built, its tokenizer, and its training and
 * validation ids.
 */
export interface TrainingData {
  /** How the corpus was built (saved with the model, so its splits can be rebuilt). */
  corpus: LmCorpusOptions;
  /** The tokenizer the ids come from (saved with the model). */
  tokenizer: AnyTokenizer;
  /** Token ids batches are drawn from: in memory, or read by window (a prepared folder's split). */
  train: Int32Array | TokenSource;
  /** Token ids of the final validation pass. */
  valid: Int32Array;
  /** The block of every validation position, when the data has blocks per occurrence. */
  validBlocks?: Uint8Array;
}

/**
 * A language-model training run for `trainLanguageModel`: the architecture, the settings, the data,
 * the hooks, and what to resume from.
 */
export interface LanguageModelRun {
  /** The architecture. */
  config: Readonly<ModelConfig>;
  /** Steps, batch, learning rate and the rest of the run. */
  settings: TrainSettings;
  /** The token ids to train and validate on. */
  data: TrainingData;
  /**
   * Attention hooks for training (the dial and its penalty). The final validation pass runs
   * without them: for a localist model that is the dial at λ = 0.
   */
  hooks?: readonly HookSource[];
  /** Hooks of the final validation pass (e.g. anchors, which the model needs at every dial). */
  evalHooks?: readonly HookSource[];
  /** Further checkpoint entries saved with the model (e.g. `localist`). */
  entries?: Record<string, unknown>;
  /** Resume from these (loaded from the output folder); otherwise start from the seeded init. */
  resume?: { params: ParamMap; optimizer: OptimizerState; step: number };
  /**
   * Changes to the run between steps (recruitment): every `every` steps `run` sees the parameters
   * (borrowed) and may replace the hooks (the loss is compiled again) and the checkpoint entries,
   * and log a record.
   */
  adapt?: {
    /** Steps between calls. */
    every: number;
    /** Sees the parameters (borrowed) at `step`; returns what changes, or undefined. */
    run(params: ParamMap, step: number): Adaptation | undefined;
  };
}

/** What an adaptation changes. */
export interface Adaptation {
  /** The hooks from now on (the loss is compiled again). */
  hooks?: readonly HookSource[];
  /** The checkpoint entries from now on. */
  entries?: Record<string, unknown>;
  /** Written to the metrics log with the step. */
  log?: Record<string, unknown>;
}

/** Where a run writes and what it reports: the output folder, progress, the final validation. */
export interface TrainOptions {
  /** The run's folder: checkpoints, the metrics log, and the finished model. */
  out: string;
  /** Where progress goes (default stderr); null for none. */
  progress?: ProgressStream | null;
  /** Windows of the validation split for the final evaluation (default: all; 0 skips it). */
  validWindows?: number;
  /** Called after every step (for monitors and tests). */
  onStep?: (step: number, loss: number) => void;
}

/**
 * What `trainLanguageModel` returns: the steps, the final loss, the time and speed, and the
 * validation scores.
 */
export interface TrainSummary {
  /** Steps completed. */
  steps: number;
  /** The training loss of the last step, in nats per token. */
  finalLoss: number;
  /** Seconds of training (this run or resumption). */
  seconds: number;
  /** Training tokens per second. */
  tokensPerSecond: number;
  /** The final validation pass (absent when it was skipped). */
  valid?: Evaluation;
}

/**
 * Trains a language model into the folder `options.out`: seeded batches of next-token windows, the
 * hooks and their auxiliary losses, AdamW with warm-up and cosine decay through the one training
 * loop, a JSON-lines metrics log, atomic checkpoints, exact resumption and a final validation pass.
 */
export async function trainLanguageModel(
  run: LanguageModelRun,
  options: TrainOptions,
): Promise<TrainSummary> {
  createFolder(options.out, "output folder");
  const lock = acquireLock(options.out);
  let log: MetricsLog | undefined;
  try {
    cleanRunFolder(options.out);
    log = MetricsLog.open(join(options.out, "metrics.jsonl"), { resumeFrom: run.resume?.step });
    return await train(run, options, log);
  } finally {
    log?.close();
    lock.release();
  }
}

/**
 * Writes the run's initial checkpoint (step 0: the seeded parameters and a fresh optimizer state)
 * without training, so that another trainer (the PyTorch twin) can start from it.
 */
export function saveInitialModel(run: LanguageModelRun, out: string): void {
  createFolder(out, "output folder");
  const lock = acquireLock(out);
  const { config, settings, data } = run;
  const params = initParams(config, settings.seed);
  const optimizer = runOptimizer(settings);
  const state = optimizer.init(params);
  try {
    cleanRunFolder(out);
    saveModel(out, {
      config,
      tokenizer: data.tokenizer,
      params,
      optimizer: state,
      step: 0,
      entries: { corpus: data.corpus, training: settings, ...run.entries },
    });
  } finally {
    tree.dispose(params);
    disposeOptimizerState(state);
    optimizer.dispose();
    lock.release();
  }
}

/** The training itself, with the run folder locked and its metrics log open. */
async function train(
  run: LanguageModelRun,
  options: TrainOptions,
  log: MetricsLog,
): Promise<TrainSummary> {
  const { config, settings, data } = run;
  let sources = run.hooks ?? [];
  let entries = run.entries;
  const { batch } = settings;
  const t = config.context;
  const steps = lmGradients(config, settings, data.train, sources);
  const optimizer = runOptimizer(settings);
  let adaptedAt = -1;
  const adapt = (params: ParamMap, step: number) => {
    // Never at the last step: a change there would be saved without being trained.
    const due = step > 0 && step < settings.steps && step % (run.adapt?.every ?? 1) === 0;
    if (!run.adapt || !due || step === adaptedAt) return;
    adaptedAt = step;
    const change = run.adapt.run(params, step);
    if (!change) return;
    if (change.entries) entries = change.entries;
    if (change.log) log.write({ step, ...change.log });
    if (change.hooks) {
      sources = change.hooks;
      steps.useHooks(sources);
    }
  };
  const progress =
    options.progress === null
      ? undefined
      : createProgress({
          total: settings.steps,
          label: "train",
          stream: options.progress ?? process.stderr,
        });
  const save = (params: ParamMap, state: OptimizerState, step: number) =>
    saveModel(options.out, {
      config,
      tokenizer: data.tokenizer,
      params,
      optimizer: state,
      step,
      entries: { corpus: data.corpus, training: settings, ...entries },
    });
  const onStep = (record: StepRecord) => {
    log.write({
      step: record.step,
      loss: record.loss,
      lr: record.learningRate,
      gradNorm: record.gradNorm,
      tokensPerSecond: record.throughput,
      seconds: record.seconds,
      ...record.values,
    });
    const { penalty } = record.values;
    progress?.update(record.step, {
      loss: record.loss,
      ...(penalty === undefined ? {} : { penalty }),
      "tok/s": Math.round(record.throughput),
    });
    options.onStep?.(record.step, record.loss);
  };
  try {
    const result = await runTrainingLoop({
      params: run.resume?.params ?? initParams(config, settings.seed),
      optimizer,
      state: run.resume?.optimizer,
      start: run.resume?.step ?? 0,
      steps: settings.steps,
      unitsPerStep: batch * t,
      async gradients(params, step) {
        adapt(params, step);
        return steps.gradients(params, step);
      },
      checkpoint: { every: settings.checkpointEvery, folder: options.out, save },
      onStep,
      hints: {
        values: { penalty: "lower `localist.training.penalty`" },
        parameters: "lower `settings.learningRate` or `settings.weightDecay`",
        otherwise: "lower `settings.learningRate`",
      },
    });
    progress?.finish(`loss ${result.lastLoss.toFixed(4)}`);
    let valid: Evaluation | undefined;
    try {
      if (data.valid.length > t && options.validWindows !== 0) {
        valid = await evaluateStream(result.params, config, data.valid, {
          ...(data.validBlocks ? { blocks: data.validBlocks } : {}),
          maxWindows: options.validWindows,
          hooks: run.evalHooks,
        });
        log.write({ step: result.steps, split: "valid", ...valid });
      }
    } finally {
      tree.dispose(result.params);
      disposeOptimizerState(result.state);
    }
    return {
      steps: result.steps,
      finalLoss: result.lastLoss,
      seconds: result.seconds,
      tokensPerSecond: result.throughput,
      valid,
    };
  } finally {
    steps.dispose();
    optimizer.dispose();
  }
}
