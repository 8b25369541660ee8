/**
 * Checkpoints that survive any kill. A run folder holds complete checkpoint folders and a pointer
 * to the current one:
 *
 *   RUN/checkpoint.json              {"format": "localist-pointer", "current": "checkpoints/step-…"}
 *   RUN/checkpoints/step-00000100-…/ one checkpoint folder (below)
 *   RUN/metrics.jsonl, RUN/.lock     the run's log and its writer's lock (./lock.ts)
 *
 * A checkpoint folder:
 *
 *   config.json            model config and training metadata (any JSON object from the caller)
 *   tokenizer.json         the tokenizer (caller-supplied JSON)
 *   model.safetensors      the weights, named tensors
 *   optimizer.safetensors  optional optimizer state, e.g. `m.<name>` and `v.<name>`
 *   state.json             optional training state: step, …
 *
 * A save writes a whole new checkpoint folder under a temporary name, makes it durable (fsync),
 * renames it into place, and only then replaces the pointer with one atomic rename: at every
 * instant the pointer names one complete checkpoint, the old one until the switch and the new one
 * after it, whatever kills the process. Older checkpoint folders are removed after the switch; a
 * run cleans up what an interrupted save left (`cleanRunFolder`). A lone checkpoint folder (what
 * localist 0.1.0 wrote into the run folder itself, or an exported model) loads too.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { LocalistError, oneLine } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { parseWith } from "../engine/validate.js";
import { createFolder, syncFolder, writeFileAtomic, writeFileDurable } from "./atomicWrite.js";
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

/** The pointer file of a run folder, and the folder of its checkpoints. */
export const POINTER_FILE = "checkpoint.json";
export const CHECKPOINTS_FOLDER = "checkpoints";
const POINTER_FORMAT = "localist-pointer";
/** The pointer names a folder inside the run's checkpoints folder, and nothing else. */
const POINTER_SCHEMA = z.object({
  format: z.literal(POINTER_FORMAT),
  current: z.string().regex(/^checkpoints\/step-\d{8,}-[0-9a-f]{6}$/),
});

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
  /** The checkpoint folder the files came from. */
  folder: string;
}

const SAFETENSORS_METADATA = { format: "localist" };
const RECOVER = "retrain or restore it";

function jsonText(value: object): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes one complete checkpoint folder `dir`, which must not exist yet; every file is fsynced. */
function writeCheckpointFolder(dir: string, checkpoint: CheckpointInput): void {
  mkdirSync(dir);
  const write = (name: string, data: string | Uint8Array) =>
    writeFileDurable(join(dir, name), data);
  write(CHECKPOINT_FILES.model, encodeSafetensors(checkpoint.weights, SAFETENSORS_METADATA));
  if (checkpoint.optimizer)
    write(
      CHECKPOINT_FILES.optimizer,
      encodeSafetensors(checkpoint.optimizer, SAFETENSORS_METADATA),
    );
  write(CHECKPOINT_FILES.tokenizer, jsonText(checkpoint.tokenizer));
  if (checkpoint.state) write(CHECKPOINT_FILES.state, jsonText(checkpoint.state));
  write(CHECKPOINT_FILES.config, jsonText(checkpoint.config));
  syncFolder(dir);
}

/** The current checkpoint folder named by a run folder's pointer (relative), if there is one. */
function readPointer(runDir: string): string | undefined {
  const file = join(runDir, POINTER_FILE);
  if (!existsSync(file)) return undefined;
  return parseWith(
    POINTER_SCHEMA,
    readJsonFile<unknown>(file, "checkpoint pointer"),
    `checkpoint pointer ${file}`,
  ).current;
}

/** Legacy single-checkpoint files directly in a run folder (localist 0.1.0's layout). */
function removeFlatCheckpoint(runDir: string): void {
  for (const name of Object.values(CHECKPOINT_FILES)) rmSync(join(runDir, name), { force: true });
}

/**
 * Saves a checkpoint of `step` into the run folder `runDir` (created if needed) and makes it the
 * current one (see the file comment for why this survives a kill at any moment).
 */
export function saveCheckpoint(runDir: string, checkpoint: CheckpointInput, step: number): void {
  const checkpoints = join(runDir, CHECKPOINTS_FOLDER);
  createFolder(checkpoints, "checkpoint folder");
  const name = `step-${String(step).padStart(8, "0")}-${randomBytes(3).toString("hex")}`;
  const staging = join(checkpoints, `.${name}.partial`);
  try {
    writeCheckpointFolder(staging, checkpoint);
    renameSync(staging, join(checkpoints, name));
    syncFolder(checkpoints);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof LocalistError) throw error;
    throw new LocalistError(`cannot save a checkpoint in ${runDir}: ${oneLine(error)}`);
  }
  // The commit point: one atomic rename of the pointer.
  writeFileAtomic(
    join(runDir, POINTER_FILE),
    jsonText({ format: POINTER_FORMAT, current: `${CHECKPOINTS_FOLDER}/${name}` }),
  );
  cleanRunFolder(runDir);
}

/**
 * Removes what is not the current checkpoint: older checkpoint folders, folders and temporary
 * files of saves that were interrupted, and 0.1.0's flat checkpoint files once a pointer exists.
 * Call it only while holding the run folder's lock.
 */
export function cleanRunFolder(runDir: string): void {
  if (!existsSync(runDir)) return;
  for (const entry of readdirSync(runDir))
    if (entry.includes(".tmp-")) rmSync(join(runDir, entry), { force: true });
  const current = readPointer(runDir);
  if (current === undefined) return;
  removeFlatCheckpoint(runDir);
  const checkpoints = join(runDir, CHECKPOINTS_FOLDER);
  if (!existsSync(checkpoints)) return;
  for (const entry of readdirSync(checkpoints))
    if (`${CHECKPOINTS_FOLDER}/${entry}` !== current)
      rmSync(join(checkpoints, entry), { recursive: true, force: true });
}

/** Whether `dir` holds a checkpoint (a pointer or a checkpoint folder's config.json). */
export function holdsCheckpoint(dir: string): boolean {
  return existsSync(join(dir, POINTER_FILE)) || existsSync(join(dir, CHECKPOINT_FILES.config));
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
  const bytes = readLimitedFile(file, "checkpoint file", FILE_LIMITS.tensors);
  return decodeSafetensors(bytes, `checkpoint ${file}`).tensors;
}

/**
 * The checkpoint in `dir`. One-line LocalistErrors for a missing folder (`no model at DIR: train
 * one with 'localist train --out DIR'`), an incomplete checkpoint (a file missing, e.g. after an
 * interrupted save) and corrupt files.
 */
export function loadCheckpoint(runDir: string): Checkpoint {
  const noModel = `no model at ${runDir}: train one with 'localist train --out ${runDir}'`;
  if (!existsSync(runDir)) throw new LocalistError(noModel);
  if (!statSync(runDir).isDirectory())
    throw new LocalistError(`no model at ${runDir}: it is a file, not a checkpoint folder`);
  const current = readPointer(runDir);
  const dir = current === undefined ? runDir : join(runDir, current);
  if (current !== undefined && !existsSync(join(dir, CHECKPOINT_FILES.config)))
    throw new LocalistError(
      `checkpoint pointer ${join(runDir, POINTER_FILE)} names ${current}, which is missing or incomplete; ${RECOVER}`,
    );
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
    folder: dir,
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
