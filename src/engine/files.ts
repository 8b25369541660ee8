/**
 * Reading a file whole, after checking that it is one: it exists, it is a regular file (not a
 * folder, and not a device, pipe or socket that might never end), and it is no larger than the
 * reader means to hold in memory. Every problem is one line naming the file and what it is for.
 */
import { readFileSync, statSync } from "node:fs";
import { LocalistError, oneLine } from "./errors.js";

const MiB = 2 ** 20;

/** Size limits by kind of file. */
export const FILE_LIMITS = {
  /** Plain-text corpora: tokenizing more than this would not fit in memory anyway. */
  text: 512 * MiB,
  csv: 512 * MiB,
  json: 64 * MiB,
  /** safetensors: a model larger than this cannot run on the engine's 4 GiB. */
  tensors: 2048 * MiB,
} as const;

/** The bytes of `path`; `what` names it in errors (`routing file`, `corpus file`, or "" for none). */
export function readLimitedFile(path: string, what: string, limit: number): Buffer {
  const name = what === "" ? path : `${what} ${path}`;
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new LocalistError(`${name} does not exist`);
    throw new LocalistError(`cannot read ${name}: ${oneLine(error)}`);
  }
  if (stats.isDirectory()) throw new LocalistError(`${name} is a folder, not a file`);
  if (!stats.isFile())
    throw new LocalistError(
      `${name} is not a regular file (a device, pipe or socket); give a file`,
    );
  if (stats.size > limit)
    throw new LocalistError(
      `${name} is ${(stats.size / MiB).toFixed(0)} MiB, more than the ${limit / MiB} MiB limit for it; give a smaller file`,
    );
  try {
    return readFileSync(path);
  } catch (error) {
    throw new LocalistError(`cannot read ${name}: ${oneLine(error)}`);
  }
}
