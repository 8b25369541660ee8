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
import { LocalistError, oneLine } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { createFolder, syncFolder, writeFileAtomic, writeFileDurable } from "./atomicWrite.js";
import { removeEmptyFolders } from "./outputPath.js";
import { encodeSafetensors, type HostTensor } from "./safetensors.js";
import {
  CHECKPOINT_FILES,
  CHECKPOINTS_FOLDER,
  checkpointFromFiles,
  POINTER_FILE,
  POINTER_FORMAT,
  pointerTarget,
  RECOVER,
  type Checkpoint,
  type CheckpointBytes,
} from "./checkpointFiles.js";

export {
  CHECKPOINT_FILES,
  CHECKPOINTS_FOLDER,
  POINTER_FILE,
  checkWeightsMatch,
  type Checkpoint,
  type HostTensor,
} from "./checkpointFiles.js";

/** What saveCheckpoint writes. */
export interface CheckpointInput {
  config: object;
  tokenizer: object;
  weights: Record<string, HostTensor>;
  optimizer?: Record<string, HostTensor>;
  state?: object;
}

const SAFETENSORS_METADATA = { format: "localist" };

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
  return pointerTarget(readLimitedFile(file, "checkpoint pointer", FILE_LIMITS.json), file);
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
  const created = createFolder(checkpoints, "checkpoint folder");
  const name = `step-${String(step).padStart(8, "0")}-${randomBytes(3).toString("hex")}`;
  const staging = join(checkpoints, `.${name}.partial`);
  try {
    writeCheckpointFolder(staging, checkpoint);
    renameSync(staging, join(checkpoints, name));
    syncFolder(checkpoints);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    removeEmptyFolders(created);
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

/** What each file of a checkpoint folder is, in errors, and how large it may be. */
const FILE_KINDS: Record<string, { what: string; limit: number }> = {
  [CHECKPOINT_FILES.config]: { what: "model config", limit: FILE_LIMITS.json },
  [CHECKPOINT_FILES.tokenizer]: { what: "tokenizer", limit: FILE_LIMITS.json },
  [CHECKPOINT_FILES.model]: { what: "checkpoint file", limit: FILE_LIMITS.tensors },
  [CHECKPOINT_FILES.optimizer]: { what: "checkpoint file", limit: FILE_LIMITS.tensors },
  [CHECKPOINT_FILES.state]: { what: "training state", limit: FILE_LIMITS.json },
};

/**
 * The checkpoint in `dir`. One-line LocalistErrors for a missing folder (`no model at DIR: train
 * one with the training command`), an incomplete checkpoint (a file missing, e.g. after an
 * interrupted save) and corrupt files.
 */
export function loadCheckpoint(runDir: string): Checkpoint {
  const noModel = `no model at ${runDir}: train one with \`out\` ${runDir}`;
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

  const files: CheckpointBytes = {};
  for (const [name, kind] of Object.entries(FILE_KINDS))
    if (has(name)) files[name] = readLimitedFile(join(dir, name), kind.what, kind.limit);
  return checkpointFromFiles(files, dir);
}
