/** Crash-safe file writes: durable (fsynced) and atomic (all or nothing) ones. */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { LocalistError, oneLine } from "../engine/errors.js";
import { printable } from "../engine/printable.js";
import { checkOutputFile, checkOutputFolder } from "./outputPath.js";

/**
 * Writes `data` to a new file `path` (it must not exist) and fsyncs it, so that once this returns
 * the bytes survive a power cut. On failure the partial file is removed and the error rethrown.
 */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let fd: number | undefined;
  try {
    fd = openSync(path, "wx");
    let written = 0;
    while (written < bytes.byteLength)
      written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
      rmSync(path, { force: true }); // ours, half-written (never someone else's: "wx" failed then)
    }
    throw error;
  }
}

/**
 * Writes `data` to `path` so that `path` holds either its old content or all of the new one, never
 * a part: the data goes to `path.tmp-<pid>-<random>` in the same folder, is fsynced, then renamed
 * over `path` (rename is atomic within a file system), and the folder is fsynced so the rename
 * itself survives a power cut where the platform allows it. On failure the temporary file is
 * removed and a one-line LocalistError names `path`. The target must be missing or a regular file
 * (./outputPath.ts): the rename would turn a device, a named pipe or a symbolic link into a file.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  what = "output file",
): void {
  checkOutputFile(path, what);
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    writeFileDurable(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was created (e.g. a part of the path is a file: ENOTDIR); report the write's error
    }
    throw new LocalistError(`cannot write ${printable(path)}: ${oneLine(error)}`);
  }
  syncFolder(dirname(path));
}

/** Best-effort fsync of a folder (makes a rename durable on POSIX; not possible on Windows). */
export function syncFolder(folder: string): void {
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
 * Creates the folder `dir` and its missing parents, one level at a time; `what` names it in the
 * one-line error. (Node's recursive mkdir can spin forever where a parent refuses children, as
 * under /proc.) Returns the folders it made, outermost first, so that a run refused afterwards can
 * remove them again while they are empty (removeEmptyFolders in ./outputPath.ts).
 */
export function createFolder(dir: string, what: string): string[] {
  checkOutputFolder(dir, what);
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (!statSync(at).isDirectory())
    throw new LocalistError(
      `cannot create ${what} ${printable(dir)}: ${printable(at)} is a file, not a folder`,
    );
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && statSync(folder).isDirectory())
        continue; // made by someone else meanwhile
      throw new LocalistError(`cannot create ${what} ${printable(dir)}: ${oneLine(error)}`);
    }
  }
  return missing;
}
