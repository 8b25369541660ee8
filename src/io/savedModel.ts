/**
 * A trained model on disk: the checkpoint folder (see checkpoint.ts) holding the model config, the
 * training settings, the tokenizer, the weights and, for resuming, the optimizer state and step.
 * Loading takes the architecture from the checkpoint, never from flags.
 */
import { LocalistError } from "../engine/errors.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { tokenizerFromJSON, type CharTokenizer, type WordTokenizer } from "../data/tokenizer.js";
import { parameterShapes } from "../model/transformer.js";
import { validateModelConfig, type ModelConfig } from "../model/config.js";
import {
  checkWeightsMatch,
  loadCheckpoint,
  saveCheckpoint,
  type HostTensor,
} from "./checkpoint.js";
import type { AdamWState, ParamMap } from "../train/optimizer.js";
import type { DialValue, Schedule } from "../localist/dial.js";

/** How the model was trained: stored in config.json so `--resume` continues the same run. */
export interface TrainSettings {
  corpus: string;
  tokenizer: "word" | "char";
  maxVocab: number;
  minCount: number;
  lowercase: boolean;
  steps: number;
  batch: number;
  learningRate: number;
  warmup: number;
  seed: number;
  weightDecay: number;
  clipNorm: number;
  checkpointEvery: number;
  /** Localist training (DESIGN.md §3): penalty weight γ, the dial (fixed or a range sampled per batch), the schedule. */
  localist?: LocalistTraining;
}

export interface LocalistTraining {
  penalty: number;
  dial: DialValue | { range: [number, number] };
  schedule: Schedule;
}

export interface SavedModel {
  config: Readonly<ModelConfig>;
  settings: TrainSettings;
  tokenizer: WordTokenizer | CharTokenizer;
  params: ParamMap;
  /** Present when saved for resuming. */
  optimizer?: AdamWState;
  /** Training steps completed. */
  step: number;
}

/** A host copy of an engine array as float32 (takes ownership). */
function toHostTensor(x: JaxArray): HostTensor {
  const shape = [...x.shape];
  const data: ArrayLike<number> = x.astype(np.float32).dataSync();
  return { dtype: "F32", shape, data: Float32Array.from(data) };
}

function fromHostTensor(t: HostTensor): JaxArray {
  return fromHost(t.data, t.shape, np.float32);
}

/** Saves the model (borrowing its arrays) atomically into `dir`. */
export function saveModel(dir: string, model: SavedModel): void {
  const weights: Record<string, HostTensor> = {};
  for (const [name, p] of Object.entries(model.params)) weights[name] = toHostTensor(p.ref);
  let optimizer: Record<string, HostTensor> | undefined;
  if (model.optimizer) {
    optimizer = {};
    for (const [name, m] of Object.entries(model.optimizer.m))
      optimizer[`m.${name}`] = toHostTensor(m.ref);
    for (const [name, v] of Object.entries(model.optimizer.v))
      optimizer[`v.${name}`] = toHostTensor(v.ref);
  }
  saveCheckpoint(dir, {
    config: {
      format: "localist-lm",
      version: 1,
      model: model.config,
      training: model.settings,
      step: model.step,
    },
    tokenizer: model.tokenizer.toJSON(),
    weights,
    optimizer,
    state: { step: model.step, optimizerStep: model.optimizer?.step ?? 0 },
  });
}

/** Loads a model saved by `saveModel`, checking the config, the tokenizer and every tensor's shape. */
export function loadModel(dir: string, options: { withOptimizer?: boolean } = {}): SavedModel {
  const checkpoint = loadCheckpoint(dir);
  const stored = checkpoint.config as {
    format?: string;
    model?: ModelConfig;
    training?: TrainSettings;
    step?: number;
  };
  if (
    stored.format !== "localist-lm" ||
    typeof stored.model !== "object" ||
    typeof stored.training !== "object"
  ) {
    throw new LocalistError(
      `${dir}/config.json is not a localist language-model config; retrain or restore it`,
    );
  }
  let config: Readonly<ModelConfig>;
  try {
    config = validateModelConfig(stored.model);
  } catch (error) {
    throw new LocalistError(
      `${dir}/config.json has an invalid model config: ${(error as Error).message}`,
    );
  }
  let tokenizer: WordTokenizer | CharTokenizer;
  try {
    tokenizer = tokenizerFromJSON(checkpoint.tokenizer);
  } catch (error) {
    throw new LocalistError(`${dir}/tokenizer.json: ${(error as Error).message}`);
  }
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new LocalistError(
      `checkpoint ${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model config has vocabSize ${config.vocabSize}; the files belong to different models`,
    );
  }
  const shapes = parameterShapes(config);
  checkWeightsMatch(checkpoint.weights, shapes, dir);
  const params: ParamMap = {};
  for (const name of Object.keys(shapes)) params[name] = fromHostTensor(checkpoint.weights[name]);
  const model: SavedModel = {
    config,
    settings: stored.training,
    tokenizer,
    params,
    step: stored.step ?? 0,
  };
  if (options.withOptimizer) {
    const moments = checkpoint.optimizer;
    if (!moments)
      throw new LocalistError(`checkpoint ${dir} has no optimizer state to resume from`);
    const expected: Record<string, number[]> = {};
    for (const [name, shape] of Object.entries(shapes)) {
      expected[`m.${name}`] = shape;
      expected[`v.${name}`] = shape;
    }
    checkWeightsMatch(moments, expected, dir);
    const m: ParamMap = {};
    const v: ParamMap = {};
    for (const name of Object.keys(shapes)) {
      m[name] = fromHostTensor(moments[`m.${name}`]);
      v[name] = fromHostTensor(moments[`v.${name}`]);
    }
    const optimizerStep = Number(checkpoint.state?.optimizerStep ?? model.step);
    model.optimizer = { m, v, step: optimizerStep };
  }
  return model;
}
