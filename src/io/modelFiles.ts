/**
 * A trained model on disk: the checkpoint folder (./checkpoint.ts) with config.json holding
 * separate entries, as nanoGPT keeps {model_args, config, iter_num} apart:
 *
 *   format, version   "localist-lm", 2
 *   model             the architecture (model/config.ts), validated here
 *   step              training steps completed
 *   corpus            how the corpus and tokenizer were built (data/lmCorpus.ts)
 *   training          the training settings (train/settings.ts)
 *   localist          blocks, routing, margin and dial training of a localist model (localist/structure.ts)
 *
 * The entries other than `model` and `step` are read by the layer that owns them. Loading takes the
 * architecture from the checkpoint, never from flags. Version 1 (localist 0.1.0) kept the localist
 * structure inside `model` and the corpus and dial settings inside `training`; it is read by moving
 * them to their own entries. Browser-safe: ./savedModel.ts reads and writes the files.
 */
import { z } from "zod";
import { LocalistError } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { tokenizerFromJSON, type AnyTokenizer } from "../data/tokenizer.js";
import { MODEL_CONFIG_SCHEMA, validateModelConfig, type ModelConfig } from "../model/config.js";
import { parameterShapes, type ParamMap } from "../model/params.js";
import { checkWeightsMatch, type Checkpoint, type HostTensor } from "./checkpointFiles.js";

export const MODEL_FORMAT = "localist-lm";
export const MODEL_FORMAT_VERSION = 2;

/** Optimizer state as stored: the update count and per-parameter slots (AdamW: m and v). */
export interface StoredOptimizer {
  /** t, the updates taken. */
  count: number;
  /** Per slot name (AdamW: "m" and "v"), one array per parameter. */
  slots: Record<string, ParamMap>;
}

/**
 * A model as a checkpoint folder holds it: the architecture, the tokenizer, the weights, the step,
 * optionally the optimizer state, and the other config.json entries unparsed.
 */
export interface SavedModel {
  /** The architecture (the checkpoint's copy). */
  config: Readonly<ModelConfig>;
  /** The tokenizer the model reads. */
  tokenizer: AnyTokenizer;
  /** The weights by dotted name. */
  params: ParamMap;
  /** Training steps completed. */
  step: number;
  /** Present when saved for resuming (and loaded with `withOptimizer`). */
  optimizer?: StoredOptimizer;
  /** The other entries of config.json by name (`corpus`, `training`, `localist`), unparsed. */
  entries: Record<string, unknown>;
  /** The checkpoint folder it was loaded from (set by loadModel). */
  folder?: string;
}

function fromHostTensor(t: HostTensor): JaxArray {
  return fromHost(t.data, t.shape, np.float32);
}

/** A version-1 config.json in the version-2 layout. */
function upgradeVersion1(stored: Record<string, unknown>): Record<string, unknown> {
  const { localist: structure, ...architecture } = (stored.model ?? {}) as Record<string, unknown>;
  const training = (stored.training ?? {}) as Record<string, unknown>;
  const {
    corpus,
    tokenizer,
    maxVocab,
    minCount,
    lowercase,
    localist: dialTraining,
    ...rest
  } = training;
  const upgraded: Record<string, unknown> = {
    ...stored,
    version: MODEL_FORMAT_VERSION,
    model: architecture,
    corpus: { corpus, tokenizer, maxVocab, minCount, lowercase },
    training: rest,
  };
  if (structure !== undefined)
    upgraded.localist = {
      ...(structure as object),
      ...(dialTraining === undefined ? {} : { training: dialTraining }),
    };
  return upgraded;
}

/** config.json's own fields (the entries beside them are read by their layers). */
const STORED_SCHEMA = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.union([z.literal(1), z.literal(MODEL_FORMAT_VERSION)]),
  model: MODEL_CONFIG_SCHEMA,
  step: z.number().int().min(0),
});

/** state.json: the steps done, and the optimizer's update count (equal to them). */
const STATE_SCHEMA = z.object({
  step: z.number().int().min(0),
  optimizerStep: z.number().int().min(0),
});

/**
 * The model held by a checkpoint read from `dir` (its name in errors), checking every file against
 * its schema, the tokenizer against the config, and every tensor's dtype, shape and values.
 */
export function modelFromCheckpoint(
  checkpoint: Checkpoint,
  dir: string,
  options: { withOptimizer?: boolean } = {},
): SavedModel {
  const where = `${checkpoint.folder}/config.json`;
  let stored = checkpoint.config;
  if (stored.format !== MODEL_FORMAT)
    throw new LocalistError(
      `${where} is not a localist language-model config; retrain or restore it`,
    );
  if (stored.version === 1) stored = upgradeVersion1(stored);
  // A later format is not a broken file: say which versions this localist reads.
  if (typeof stored.version === "number" && stored.version > MODEL_FORMAT_VERSION)
    throw new LocalistError(
      `${where} is format version ${stored.version}, newer than this localist reads (1 to ${MODEL_FORMAT_VERSION}); open it with the localist that wrote it, or a newer one`,
    );
  const { model: architecture, step } = parseWith(STORED_SCHEMA, stored, where);
  let config: Readonly<ModelConfig>;
  try {
    config = validateModelConfig(architecture);
  } catch (error) {
    throw new LocalistError(`${where}: invalid model config: ${(error as Error).message}`);
  }
  let tokenizer: AnyTokenizer;
  try {
    tokenizer = tokenizerFromJSON(checkpoint.tokenizer);
  } catch (error) {
    throw new LocalistError(`${checkpoint.folder}/tokenizer.json: ${(error as Error).message}`);
  }
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new LocalistError(
      `checkpoint ${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model config has vocabSize ${config.vocabSize}; the files belong to different models`,
    );
  }
  const shapes = parameterShapes(config);
  checkWeightsMatch(checkpoint.weights, shapes, dir);
  checkFinite(checkpoint.weights, dir);
  const params: ParamMap = {};
  for (const name of Object.keys(shapes)) params[name] = fromHostTensor(checkpoint.weights[name]);
  const { format: _format, version: _version, model: _model, step: _step, ...entries } = stored;
  const model: SavedModel = { config, tokenizer, params, step, entries, folder: checkpoint.folder };
  if (options.withOptimizer) {
    const moments = checkpoint.optimizer;
    const state = checkpoint.state;
    if (!moments || !state)
      throw new LocalistError(`checkpoint ${dir} has no optimizer state to resume from`);
    const counts = parseWith(STATE_SCHEMA, state, `${checkpoint.folder}/state.json`);
    if (counts.step !== step || counts.optimizerStep !== step)
      throw new LocalistError(
        `${checkpoint.folder}/state.json says step ${counts.step} and optimizer step ${counts.optimizerStep}, but config.json says step ${step}; the files belong to different saves, retrain or restore it`,
      );
    const expected: Record<string, number[]> = {};
    for (const [name, shape] of Object.entries(shapes)) {
      expected[`m.${name}`] = shape;
      expected[`v.${name}`] = shape;
    }
    checkWeightsMatch(moments, expected, dir);
    checkFinite(moments, dir);
    const slots: Record<string, ParamMap> = { m: {}, v: {} };
    for (const name of Object.keys(shapes)) {
      slots.m[name] = fromHostTensor(moments[`m.${name}`]);
      slots.v[name] = fromHostTensor(moments[`v.${name}`]);
    }
    model.optimizer = { count: step, slots };
  }
  return model;
}

function checkFinite(tensors: Record<string, HostTensor>, dir: string): void {
  for (const [name, tensor] of Object.entries(tensors))
    if (!tensor.data.every(Number.isFinite))
      throw new LocalistError(
        `checkpoint ${dir}: tensor '${name}' holds NaN or infinite values; the file is corrupt or its run diverged, retrain or restore it`,
      );
}
