/**
 * A checkpoint from its files' bytes, without touching a file system: the checks and parsing that
 * the Node reader (./checkpoint.ts) and the page (files fetched or dropped) share. The layout is
 * described in ./checkpoint.ts.
 */
import { z } from "zod";
import { LocalistError } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";
import { parseJsonBytes } from "./jsonBytes.js";
import { decodeSafetensors, type HostTensor } from "./safetensors.js";

export type { HostTensor } from "./safetensors.js";

/** The file names inside a checkpoint folder. */
export const CHECKPOINT_FILES = {
  config: "config.json",
  tokenizer: "tokenizer.json",
  model: "model.safetensors",
  optimizer: "optimizer.safetensors",
  state: "state.json",
} as const;

/** The pointer file of a run folder, and the folder of its checkpoints. */
export const POINTER_FILE = "checkpoint.json";
export const CHECKPOINTS_FOLDER = "checkpoints";
export const POINTER_FORMAT = "localist-pointer";
/** The pointer names a folder inside the run's checkpoints folder, and nothing else. */
export const POINTER_SCHEMA = z.object({
  format: z.literal(POINTER_FORMAT),
  current: z.string().regex(/^checkpoints\/step-\d{8,}-[0-9a-f]{6}$/),
});

/** What loadCheckpoint reads: the JSON files as parsed objects, the tensors as host arrays. */
export interface Checkpoint {
  config: Record<string, unknown>;
  tokenizer: Record<string, unknown>;
  weights: Record<string, HostTensor>;
  optimizer?: Record<string, HostTensor>;
  state?: Record<string, unknown>;
  /** The checkpoint folder the files came from. */
  folder: string;
}

export const RECOVER = "retrain or restore it";

/** The checkpoint folder a pointer file names (relative to the run folder). */
export function pointerTarget(bytes: Uint8Array, file: string): string {
  return parseWith(
    POINTER_SCHEMA,
    parseJsonBytes(bytes, `checkpoint pointer ${file}`),
    `checkpoint pointer ${file}`,
  ).current;
}

/** A JSON file of the checkpoint that must hold an object. */
function jsonObject(bytes: Uint8Array, file: string, what: string): Record<string, unknown> {
  const value = parseJsonBytes(bytes, `${what} ${file}`);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new LocalistError(
      `${what} ${file} must hold a JSON object, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}; ${RECOVER}`,
    );
  return value as Record<string, unknown>;
}

/** The bytes of a checkpoint folder's files, by file name (config.json, model.safetensors, …). */
export type CheckpointBytes = Partial<Record<string, Uint8Array>>;

/**
 * The checkpoint held by the files of the checkpoint folder `folder` (which names it in errors):
 * one-line LocalistErrors for a missing required file and for corrupt files.
 */
export function checkpointFromFiles(files: CheckpointBytes, folder: string): Checkpoint {
  const file = (name: string) => `${folder}/${name}`;
  const bytes = (name: string) => files[name];
  for (const required of [
    CHECKPOINT_FILES.config,
    CHECKPOINT_FILES.tokenizer,
    CHECKPOINT_FILES.model,
  ])
    if (!bytes(required))
      throw new LocalistError(
        `checkpoint ${folder} is incomplete: ${required} is missing${required === CHECKPOINT_FILES.config ? " (was saving interrupted?)" : ""}; ${RECOVER}`,
      );
  const tensors = (name: string) =>
    decodeSafetensors(bytes(name) as Uint8Array, `checkpoint ${file(name)}`).tensors;
  const checkpoint: Checkpoint = {
    config: jsonObject(
      bytes(CHECKPOINT_FILES.config) as Uint8Array,
      file(CHECKPOINT_FILES.config),
      "model config",
    ),
    tokenizer: jsonObject(
      bytes(CHECKPOINT_FILES.tokenizer) as Uint8Array,
      file(CHECKPOINT_FILES.tokenizer),
      "tokenizer",
    ),
    weights: tensors(CHECKPOINT_FILES.model),
    folder,
  };
  if (bytes(CHECKPOINT_FILES.optimizer)) checkpoint.optimizer = tensors(CHECKPOINT_FILES.optimizer);
  const state = bytes(CHECKPOINT_FILES.state);
  if (state) checkpoint.state = jsonObject(state, file(CHECKPOINT_FILES.state), "training state");
  return checkpoint;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/**
 * Checks that `weights` has exactly the tensors of `expected` (name → shape), throwing a one-line
 * LocalistError for the first missing tensor, shape mismatch or unexpected tensor, e.g.
 * `checkpoint DIR: tensor 'layers.0.attn.wq' has shape [64,64] but the config needs [128,128]; the
 * checkpoint belongs to another model config`. When there are more problems the message counts them.
 */
export function checkWeightsMatch(
  weights: Record<string, HostTensor>,
  expected: Record<string, number[]>,
  dir: string,
): void {
  const problems: string[] = [];
  const has = (record: object, name: string) => Object.prototype.hasOwnProperty.call(record, name);
  for (const [name, shape] of Object.entries(expected)) {
    if (!has(weights, name)) {
      problems.push(`tensor '${name}' is missing (the config needs shape ${formatShape(shape)})`);
      continue;
    }
    const actual = weights[name].shape;
    if (actual.length !== shape.length || actual.some((size, i) => size !== shape[i]))
      problems.push(
        `tensor '${name}' has shape ${formatShape(actual)} but the config needs ${formatShape(shape)}`,
      );
    else if (weights[name].dtype !== "F32")
      problems.push(`tensor '${name}' is ${weights[name].dtype} but the model stores F32`);
  }
  for (const [name, tensor] of Object.entries(weights))
    if (!has(expected, name))
      problems.push(
        `tensor '${name}' (shape ${formatShape(tensor.shape)}) is not part of the config's model`,
      );
  if (problems.length === 0) return;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more mismatch${problems.length > 2 ? "es" : ""})`
      : "";
  const why = problems[0].includes("but the model stores")
    ? "the file is corrupt, retrain or restore it"
    : "the checkpoint belongs to another model config";
  throw new LocalistError(`checkpoint ${dir}: ${problems[0]}${more}; ${why}`);
}
