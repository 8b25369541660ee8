/** Crash-safe file writes and one-line errors for reading JSON files. */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { LocalistError } from "../engine/errors.js";

/** The message of an error on one line. */
function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}

/**
 * Writes `data` to `path` so that `path` holds either its old content or all of the new one, never
 * a part: the data goes to `path.tmp-<pid>-<random>` in the same folder, is fsynced, then renamed
 * over `path` (rename is atomic within a file system), and the folder is fsynced so the rename
 * itself survives a power cut where the platform allows it. On failure the temporary file is
 * removed and a one-line LocalistError names `path`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx");
    let written = 0;
    while (written < bytes.byteLength)
      written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    rmSync(temporary, { force: true });
    throw new LocalistError(`cannot write ${path}: ${oneLine(error)}`);
  }
  syncDirectory(dirname(path));
}

/** Best-effort fsync of a folder (makes a rename durable on POSIX; not possible on Windows). */
function syncDirectory(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // some platforms and file systems cannot fsync a folder; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The parsed JSON content of a file. `what` names the file in errors (e.g. `model config`), which
 * are one line: `model config out/config.json does not exist`, `… is not valid JSON: …`.
 */
export function readJsonFile<T = unknown>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new LocalistError(`${what} ${path} does not exist`);
    if (code === "EISDIR") throw new LocalistError(`${what} ${path} is a folder, not a file`);
    throw new LocalistError(`cannot read ${what} ${path}: ${oneLine(error)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new LocalistError(`${what} ${path} is not valid JSON: ${oneLine(error)}`);
  }
}
