/**
 * Training set models (the set transformer, Deep Sets) on bags with the one training loop
 * (./loop.ts) and the one optimizer (./settings.ts): each step draws a batch of bags uniformly
 * with replacement (seeded by (seed, step)), and minimizes the squared error on standardized
 * targets or, for amortized clustering, the mixture negative log-likelihood.
 *
 * Parameter-efficient training: `trainable` selects the parameters the optimizer updates; the
 * others are passed frozen into the compiled step as arguments (jax-js jit needs every array it
 * reads as an argument) and come back unchanged. Prompt tuning trains only the prompts, LoRA only
 * the adapters, and both the new output layer (docs/math.md#prompt-tuning-and-lora).
 *
 * Compiled kernels are cached per (configuration, settings, loss, trainable set); jax-js caches
 * per input shape, so every seed and every N of an experiment reuses the first compilation.
 *
 * Shapes: B bags per batch, M samples per bag (padded), d features, T targets, O outputs.
 */
import { fromHost, jit, np, tree, valueAndGrad, type JaxArray } from "../engine/engine.js";
import { check } from "../engine/errors.js";
import { hash32 } from "../engine/random.js";
import type { ParamMap } from "../model/params.js";
import type { SetModelConfig } from "../model/setConfig.js";
import { setModelForward, setModelLoss, type SetLossKind } from "../model/setModel.js";
import { initSetParams } from "../model/setParams.js";
import { runTrainingLoop } from "./loop.js";
import { disposeOptimizerState, type Optimizer } from "./optimizer.js";
import { runOptimizer, type TrainSettings } from "./settings.js";

/** The settings of a set-model run: those of `TrainSettings` that apply, with the same meanings. */
export type SetTrainSettings = Pick<
  TrainSettings,
  "steps" | "batch" | "learningRate" | "warmup" | "weightDecay" | "clipNorm"
> & {
  /** Bags per prediction call (the last call is padded to it: one compiled shape). */
  evalBatch: number;
};

export const DEFAULT_SET_TRAINING: SetTrainSettings = {
  steps: 400,
  batch: 32,
  learningRate: 3e-3,
  warmup: 20,
  weightDecay: 0.01,
  clipNorm: 1,
  evalBatch: 64,
};

/** Bags ready for a set model: float32 samples, padding flags, neighbour masks, targets. */
export interface PreparedBags {
  /** B, the bags. */
  readonly count: number;
  /** M, the rows each bag is stored in. */
  readonly capacity: number;
  /** d, the dimension of a sample. */
  readonly dim: number;
  /** (B, M, d) */
  readonly x: Float32Array;
  /** (B, M): 1 for a sample, 0 for padding. */
  readonly valid: Float32Array;
  /** (B, M, M) k-NN masks, for k-NN attention. */
  readonly neighbours?: Uint8Array;
  /** (B, T) training targets (standardized by the caller). */
  readonly targets?: Float32Array;
  /** T, the target components per bag. */
  readonly targetCount: number;
}

/** A trained set model: its architecture and parameters. */
export interface SetModel {
  /** The architecture. */
  readonly config: SetModelConfig;
  /** The parameters by dotted name. */
  readonly params: ParamMap;
}

/**
 * Settings of `trainSetModel`: the architecture, the run, the loss, the seed, and for fine-tuning
 * the starting parameters and which of them train.
 */
export interface TrainSetOptions {
  /** The architecture. */
  config: SetModelConfig;
  /** Steps, batch, learning rate, warm-up, weight decay, clipping. */
  settings: SetTrainSettings;
  /** Squared error on the targets, or a mixture's negative log-likelihood of the samples. */
  loss: SetLossKind;
  /** Seed of the initialization and the batches. */
  seed: number;
  /** Starting parameters, owned by the trainer from here (default: initialized from the seed). */
  init?: ParamMap;
  /** The parameters the optimizer updates (default: every one). */
  trainable?: (name: string) => boolean;
  /** Called after every step with its loss (for monitors and tests). */
  onStep?: (step: number, loss: number) => void;
  /**
   * Early stopping by selection: every `every` steps (and after the last) `score` rates the
   * current parameters (it borrows them; lower is better), and the best-rated parameters are the
   * ones returned. Training runs every step.
   */
  validation?: {
    /** Steps between two scorings. */
    every: number;
    /** The validation error of parameters (borrowed); lower is better. */
    score(params: ParamMap): number;
  };
}

type StepKernel = ((
  trainable: ParamMap,
  frozen: ParamMap,
  x: JaxArray,
  valid: JaxArray,
  neighbours: JaxArray,
  targets: JaxArray,
) => [JaxArray, ParamMap]) & { dispose(): void };
type PredictKernel = ((
  params: ParamMap,
  x: JaxArray,
  valid: JaxArray,
  neighbours: JaxArray,
) => JaxArray) & { dispose(): void };

const usesNeighbours = (config: SetModelConfig) =>
  config.model === "transformer" && config.attention.kind === "knn";

const stepCache = new Map<string, { step: StepKernel; optimizer: Optimizer }>();
const predictCache = new Map<string, PredictKernel>();

function stepKernel(
  options: TrainSetOptions,
  trainableNames: readonly string[],
): { step: StepKernel; optimizer: Optimizer } {
  const { config, settings, loss } = options;
  const key = JSON.stringify([config, settings, loss, trainableNames]);
  let entry = stepCache.get(key);
  if (!entry) {
    const knn = usesNeighbours(config);
    entry = {
      step: jit(
        valueAndGrad(
          (
            trainable: ParamMap,
            frozen: ParamMap,
            x: JaxArray,
            valid: JaxArray,
            neighbours: JaxArray,
            targets: JaxArray,
          ) => {
            const batch = knn ? { x, valid, neighbours } : (neighbours.dispose(), { x, valid });
            return setModelLoss({ ...frozen, ...trainable }, batch, targets, config, loss);
          },
        ),
      ) as unknown as StepKernel,
      optimizer: runOptimizer(settings),
    };
    stepCache.set(key, entry);
  }
  return entry;
}

function predictKernel(config: SetModelConfig): PredictKernel {
  const key = JSON.stringify(config);
  let kernel = predictCache.get(key);
  if (!kernel) {
    const knn = usesNeighbours(config);
    kernel = jit((params: ParamMap, x: JaxArray, valid: JaxArray, neighbours: JaxArray) =>
      setModelForward(
        params,
        knn ? { x, valid, neighbours } : (neighbours.dispose(), { x, valid }),
        config,
      ),
    ) as unknown as PredictKernel;
    predictCache.set(key, kernel);
  }
  return kernel;
}

/** Releases every cached compiled kernel of the set models. */
export function clearSetModelKernels(): void {
  for (const { step, optimizer } of stepCache.values()) {
    step.dispose();
    optimizer.dispose();
  }
  for (const kernel of predictCache.values()) kernel.dispose();
  stepCache.clear();
  predictCache.clear();
}

/** The engine arrays of the bags at `rows` (one batch). */
function batchArrays(data: PreparedBags, rows: readonly number[], knn: boolean) {
  const { capacity: m, dim: d } = data;
  const b = rows.length;
  const x = new Float32Array(b * m * d);
  const valid = new Float32Array(b * m);
  rows.forEach((r, i) => {
    x.set(data.x.subarray(r * m * d, (r + 1) * m * d), i * m * d);
    valid.set(data.valid.subarray(r * m, (r + 1) * m), i * m);
  });
  let neighbours: JaxArray;
  if (knn) {
    const mask = new Float32Array(b * m * m);
    rows.forEach((r, i) =>
      mask.set((data.neighbours as Uint8Array).subarray(r * m * m, (r + 1) * m * m), i * m * m),
    );
    neighbours = fromHost(mask, [b, m, m], np.float32);
  } else neighbours = np.zeros([1]);
  return {
    x: fromHost(x, [b, m, d], np.float32),
    valid: fromHost(valid, [b, m], np.float32),
    neighbours,
  };
}

/** Splits a parameter map into the trained and the frozen parameters. */
function split(params: ParamMap, trainable: (name: string) => boolean) {
  const trained: ParamMap = {};
  const frozen: ParamMap = {};
  for (const [name, array] of Object.entries(params))
    (trainable(name) ? trained : frozen)[name] = array;
  return { trained, frozen };
}

/** What `trainSetModel` returns: the model, its final loss, and the time taken. */
export interface SetTrainResult {
  /** The trained model (the caller's). */
  model: SetModel;
  /** Mean loss over the last tenth of the steps. */
  finalLoss: number;
  /** Seconds of training. */
  seconds: number;
  /** With `validation`: the step whose parameters were kept, and their score. */
  best?: { step: number; score: number };
}

/** Trains a set model on prepared bags (with targets, unless the loss is a mixture's). */
export async function trainSetModel(
  data: PreparedBags,
  options: TrainSetOptions,
): Promise<SetTrainResult> {
  const { config, settings, loss, seed } = options;
  check(data.count > 0, "there are no training bags");
  check(
    loss.kind === "mixture" || data.targets !== undefined,
    "training a regression needs targets",
  );
  const knn = usesNeighbours(config);
  check(!knn || data.neighbours !== undefined, "k-NN attention needs the bags' neighbour masks");
  const params = options.init ?? initSetParams(config, seed);
  const { trained, frozen } = split(params, options.trainable ?? (() => true));
  check(Object.keys(trained).length > 0, "no parameter is trainable");
  const { step, optimizer } = stepKernel(options, Object.keys(trained).sort());
  const t = data.targetCount;
  const tail: number[] = [];
  const tailLength = Math.max(1, Math.floor(settings.steps / 10));
  const validation = options.validation;
  check(
    !validation || (Number.isInteger(validation.every) && validation.every >= 1),
    () => `validation every must be an integer ≥ 1, got ${validation?.every}`,
  );
  /** The best-rated parameters so far (references of their own) and their step and score. */
  let best: { params: ParamMap; step: number; score: number } | undefined;
  const consider = (current: ParamMap, at: number) => {
    const score = (validation as NonNullable<typeof validation>).score({ ...frozen, ...current });
    if (best && !(score < best.score)) return;
    if (best) tree.dispose(best.params);
    best = { params: tree.ref(current), step: at, score };
  };
  let result;
  try {
    result = await runTrainingLoop({
      params: trained,
      optimizer,
      start: 0,
      steps: settings.steps,
      unitsPerStep: settings.batch,
      gradients(current, at) {
        if (validation && at > 0 && at % validation.every === 0) consider(current, at);
        const rows = Array.from(
          { length: settings.batch },
          (_, i) => hash32(seed, at, i) % data.count,
        );
        const { x, valid, neighbours } = batchArrays(data, rows, knn);
        const targets = data.targets
          ? fromHost(
              rows.flatMap((r) => Array.from(data.targets!.subarray(r * t, (r + 1) * t))),
              [settings.batch, t],
              np.float32,
            )
          : np.zeros([1]);
        const [value, grads] = step(
          tree.ref(current),
          tree.ref(frozen),
          x,
          valid,
          neighbours,
          targets,
        );
        return { loss: value, grads };
      },
      onStep({ step: at, loss: value }) {
        tail.push(value);
        if (tail.length > tailLength) tail.shift();
        options.onStep?.(at, value);
      },
    });
  } catch (error) {
    tree.dispose(frozen);
    if (best) tree.dispose(best.params);
    throw error;
  }
  disposeOptimizerState(result.state);
  let learned = result.params;
  if (validation) {
    consider(learned, result.steps);
    tree.dispose(learned); // the best parameters hold references of their own
    learned = (best as NonNullable<typeof best>).params;
  }
  return {
    model: { config, params: { ...frozen, ...learned } },
    finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
    seconds: result.seconds,
    ...(best ? { best: { step: best.step, score: best.score } } : {}),
  };
}

/** Outputs (B, O) row-major of a set model on prepared bags. */
export function predictSetModel(
  model: SetModel,
  data: PreparedBags,
  evalBatch: number,
): Float64Array {
  const kernel = predictKernel(model.config);
  const knn = usesNeighbours(model.config);
  const o = model.config.outputs;
  const out = new Float64Array(data.count * o);
  for (let start = 0; start < data.count; start += evalBatch) {
    const rows = Array.from({ length: evalBatch }, (_, i) =>
      start + i < data.count ? start + i : start,
    );
    const { x, valid, neighbours } = batchArrays(data, rows, knn);
    const values = kernel(tree.ref(model.params), x, valid, neighbours).dataSync() as Float32Array;
    const used = Math.min(evalBatch, data.count - start);
    out.set(values.subarray(0, used * o), start * o);
  }
  return out;
}

/** Frees a set model's parameters. */
export function disposeSetModel(model: SetModel): void {
  tree.dispose(model.params);
}
