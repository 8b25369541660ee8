/**
 * Checkpoints: a folder holding a trained model and, optionally, what is needed to resume training.
 *
 *   config.json            model config and training metadata (any JSON object from the caller)
 *   tokenizer.json         the tokenizer (caller-supplied JSON)
 *   model.safetensors      the weights, named tensors
 *   optimizer.safetensors  optional optimizer state, e.g. `m.<name>` and `v.<name>`
 *   state.json             optional training state: step, RNG state, …
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../engine/errors.js";
import { writeFileAtomic } from "./atomicWrite.js";
import { readJsonFile } from "./json.js";
import { decodeSafetensors, encodeSafetensors, type HostTensor } from "./safetensors.js";

export type { HostTensor } from "./safetensors.js";

/** The file names inside a checkpoint folder. */
export const CHECKPOINT_FILES = {
  config: "config.json",
  tokenizer: "tokenizer.json",
  model: "model.safetensors",
  optimizer: "optimizer.safetensors",
  state: "state.json",
} as const;

/** What saveCheckpoint writes. */
export interface CheckpointInput {
  config: object;
  tokenizer: object;
  weights: Record<string, HostTensor>;
  optimizer?: Record<string, HostTensor>;
  state?: object;
}

/** What loadCheckpoint reads: the JSON files as parsed objects, the tensors as host arrays. */
export interface Checkpoint {
  config: Record<string, unknown>;
  tokenizer: Record<string, unknown>;
  weights: Record<string, HostTensor>;
  optimizer?: Record<string, HostTensor>;
  state?: Record<string, unknown>;
}

const SAFETENSORS_METADATA = { format: "localist" };
const RECOVER = "retrain or restore it";

function jsonText(value: object): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes a checkpoint into `dir` (created if needed), every file atomically (temporary file, then
 * rename).
 *
 * Order matters. config.json is removed first and written LAST, after the weights, optimizer state,
 * tokenizer and training state: so a folder whose config.json exists is complete and consistent,
 * and a save killed part-way leaves a folder without config.json, which loadCheckpoint reports as
 * an interrupted save instead of loading new weights with an old config (or the reverse). Files of
 * an earlier checkpoint in `dir` that this one does not have (optimizer.safetensors, state.json)
 * are removed so they cannot be mistaken for this checkpoint's.
 */
export function saveCheckpoint(dir: string, checkpoint: CheckpointInput): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new LocalistError(`cannot save a checkpoint to ${dir}: it is a file, not a folder`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new LocalistError(
      `cannot create checkpoint folder ${dir}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const path = (name: string) => join(dir, name);
  rmSync(path(CHECKPOINT_FILES.config), { force: true });

  writeFileAtomic(
    path(CHECKPOINT_FILES.model),
    encodeSafetensors(checkpoint.weights, SAFETENSORS_METADATA),
  );
  if (checkpoint.optimizer)
    writeFileAtomic(
      path(CHECKPOINT_FILES.optimizer),
      encodeSafetensors(checkpoint.optimizer, SAFETENSORS_METADATA),
    );
  else rmSync(path(CHECKPOINT_FILES.optimizer), { force: true });
  writeFileAtomic(path(CHECKPOINT_FILES.tokenizer), jsonText(checkpoint.tokenizer));
  if (checkpoint.state) writeFileAtomic(path(CHECKPOINT_FILES.state), jsonText(checkpoint.state));
  else rmSync(path(CHECKPOINT_FILES.state), { force: true });

  // Last: its presence marks the checkpoint complete (see above).
  writeFileAtomic(path(CHECKPOINT_FILES.config), jsonText(checkpoint.config));
}

/** A JSON file of the checkpoint that must hold an object. */
function readJsonObject(dir: string, name: string, what: string): Record<string, unknown> {
  const file = join(dir, name);
  const value = readJsonFile<unknown>(file, what);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new LocalistError(
      `${what} ${file} must hold a JSON object, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}; ${RECOVER}`,
    );
  return value as Record<string, unknown>;
}

/** The tensors of a safetensors file of the checkpoint. */
function readTensors(dir: string, name: string): Record<string, HostTensor> {
  const file = join(dir, name);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new LocalistError(
      `cannot read checkpoint file ${file}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  return decodeSafetensors(bytes, `checkpoint ${file}`).tensors;
}

/**
 * The checkpoint in `dir`. One-line LocalistErrors for a missing folder (`no model at DIR: train
 * one with 'localist train --out DIR'`), an incomplete checkpoint (a file missing, e.g. after an
 * interrupted save) and corrupt files.
 */
export function loadCheckpoint(dir: string): Checkpoint {
  const noModel = `no model at ${dir}: train one with 'localist train --out ${dir}'`;
  if (!existsSync(dir)) throw new LocalistError(noModel);
  if (!statSync(dir).isDirectory())
    throw new LocalistError(`no model at ${dir}: it is a file, not a checkpoint folder`);
  const has = (name: string) => existsSync(join(dir, name));
  if (!Object.values(CHECKPOINT_FILES).some(has)) throw new LocalistError(noModel);
  if (!has(CHECKPOINT_FILES.config))
    throw new LocalistError(
      `checkpoint ${dir} is incomplete: ${CHECKPOINT_FILES.config} is missing (was saving interrupted?); ${RECOVER}`,
    );
  for (const required of [CHECKPOINT_FILES.tokenizer, CHECKPOINT_FILES.model])
    if (!has(required))
      throw new LocalistError(
        `checkpoint ${dir} is incomplete: ${required} is missing; ${RECOVER}`,
      );

  const checkpoint: Checkpoint = {
    config: readJsonObject(dir, CHECKPOINT_FILES.config, "model config"),
    tokenizer: readJsonObject(dir, CHECKPOINT_FILES.tokenizer, "tokenizer"),
    weights: readTensors(dir, CHECKPOINT_FILES.model),
  };
  if (has(CHECKPOINT_FILES.optimizer))
    checkpoint.optimizer = readTensors(dir, CHECKPOINT_FILES.optimizer);
  if (has(CHECKPOINT_FILES.state))
    checkpoint.state = readJsonObject(dir, CHECKPOINT_FILES.state, "training state");
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
  throw new LocalistError(
    `checkpoint ${dir}: ${problems[0]}${more}; the checkpoint belongs to another model config`,
  );
}
