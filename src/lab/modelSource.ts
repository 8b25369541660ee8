/**
 * Reading a checkpoint's files in the page: the files `localist lab` serves under model/, or the
 * files of a checkpoint folder the person drops on the page. The bytes go to the compute worker,
 * which opens them with the readers the command line uses (./openModel.ts), so a truncated or
 * mismatched checkpoint gets the same one-line message here as there.
 */
import { LocalistError } from "../engine/errors.js";
import {
  CHECKPOINT_FILES,
  POINTER_FILE,
  pointerTarget,
  type CheckpointBytes,
} from "../io/checkpointFiles.js";

/** A checkpoint folder's files, read, and the name the page gives the model. */
export interface CheckpointRead {
  files: CheckpointBytes;
  name: string;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new LocalistError(`cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The model `localist lab` serves (a run folder with a pointer, or a lone checkpoint folder), or
 * undefined for a page hosted without one. The server names the listing of the model's files in
 * a meta tag; the page fetches only listed files, so nothing is probed and nothing 404s.
 */
export async function checkpointFromServer(): Promise<CheckpointRead | undefined> {
  const listing = document.querySelector<HTMLMetaElement>('meta[name="localist-model"]')?.content;
  if (!listing) return undefined;
  const response = await fetch(listing);
  if (!response.ok) throw new LocalistError(`cannot fetch ${listing}: HTTP ${response.status}`);
  const listed = new Set(((await response.json()) as { files: string[] }).files);
  const base = "model/";
  let folder = "";
  if (listed.has(POINTER_FILE))
    folder = `${pointerTarget(await fetchBytes(`${base}${POINTER_FILE}`), `${base}${POINTER_FILE}`)}/`;
  const files: CheckpointBytes = {};
  const wanted = Object.values(CHECKPOINT_FILES).filter(
    (name) => name !== CHECKPOINT_FILES.optimizer && listed.has(`${folder}${name}`),
  );
  if (wanted.length === 0 && folder === "") return undefined;
  await Promise.all(
    wanted.map(async (name) => {
      files[name] = await fetchBytes(`${base}${folder}${name}`);
    }),
  );
  return { files, name: `${base}${folder}`.replace(/\/$/, "") };
}

/**
 * A model from dropped or chosen files: a checkpoint folder's files (config.json, tokenizer.json,
 * model.safetensors, …), or a whole run folder, where the pointer chooses the checkpoint.
 */
export async function checkpointFromFileList(list: readonly File[]): Promise<CheckpointRead> {
  if (list.length === 0) throw new LocalistError("no files were dropped");
  const path = (file: File) => file.webkitRelativePath || file.name;
  const byPath = new Map(list.map((file) => [path(file), file]));
  const pointerFile = list.find((file) => file.name === POINTER_FILE);
  let inFolder = (file: File) => !path(file).includes("/checkpoints/");
  if (pointerFile) {
    const target = pointerTarget(new Uint8Array(await pointerFile.arrayBuffer()), POINTER_FILE);
    inFolder = (file: File) => path(file).endsWith(`${target}/${file.name}`);
  }
  const files: CheckpointBytes = {};
  for (const file of byPath.values())
    if (Object.values(CHECKPOINT_FILES).includes(file.name as never) && inFolder(file))
      files[file.name] = new Uint8Array(await file.arrayBuffer());
  const name = list[0].webkitRelativePath?.split("/")[0] || "dropped checkpoint";
  if (Object.keys(files).length === 0)
    throw new LocalistError(
      `${name}: no checkpoint files among the ${list.length} dropped; drop config.json, tokenizer.json and model.safetensors of a checkpoint folder`,
    );
  return { files, name };
}
