/**
 * The output-path policy: what a command may write to. Every writer (atomic files, run folders,
 * logs, locks) checks its target here first, because an atomic write renames a new file over
 * whatever the path names: a device, a named pipe or a symbolic link would silently become a
 * plain file (as root, `/dev/null` would break the machine).
 *
 * - An empty path is refused (it would mean the current folder).
 * - A file target must be missing or a regular file. A symbolic link is refused, not followed:
 *   the rename would replace the link, not write through it, so the user names the target.
 * - A folder target must be missing or a folder; a symbolic link to a folder is followed on
 *   purpose (files are written inside the folder it points to, never over the link).
 * - Devices, named pipes and sockets are refused for both, named by kind.
 */
import { lstatSync, readdirSync, rmdirSync, statSync, type Stats } from "node:fs";
import { LocalistError } from "../engine/errors.js";
import { printable } from "../engine/printable.js";

/** The kind of a file-system entry, in words ("a named pipe", "a character device", …). */
export function entryKind(stats: Stats): string {
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isDirectory()) return "a folder";
  if (stats.isFile()) return "a regular file";
  if (stats.isFIFO()) return "a named pipe";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}

/** The entry at `path` without following a final symbolic link, or undefined if there is none. */
function entryAt(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined; // missing: the writer reports it
    throw new LocalistError(`cannot write ${printable(path)}: ${(error as Error).message}`);
  }
}

function refuseEmpty(path: string, what: string): void {
  if (path === "")
    throw new LocalistError(
      `the ${what} path is empty; give a file name (use . for the current folder)`,
    );
}

/**
 * Checks that a file may be written at `path` (replacing a regular file there); `what` names it in
 * the one-line error ("plot file", "rules file").
 */
export function checkOutputFile(path: string, what: string): void {
  refuseEmpty(path, what);
  const entry = entryAt(path);
  if (entry === undefined || entry.isFile()) return;
  const shown = printable(path);
  if (entry.isSymbolicLink())
    throw new LocalistError(
      `${what} ${shown} is a symbolic link; writing would replace the link, not its target: give the target's path instead`,
    );
  throw new LocalistError(
    `${what} ${shown} is ${entryKind(entry)}, not a regular file; choose a file name`,
  );
}

/**
 * Checks that `path` may be used as an output folder: missing (it will be created), a folder, or a
 * symbolic link to a folder (written through, on purpose).
 */
export function checkOutputFolder(path: string, what: string): void {
  refuseEmpty(path, what);
  const entry = entryAt(path);
  if (entry === undefined || entry.isDirectory()) return;
  const shown = printable(path);
  if (entry.isSymbolicLink()) {
    let target: Stats | undefined;
    try {
      target = statSync(path);
    } catch {
      target = undefined;
    }
    if (target?.isDirectory()) return;
    throw new LocalistError(
      `${what} ${shown} is a symbolic link to ${target ? entryKind(target) : "nothing"}, not a folder; choose a folder`,
    );
  }
  throw new LocalistError(`${what} ${shown} is ${entryKind(entry)}, not a folder; choose a folder`);
}

/**
 * Removes the folders in `created` (outermost first, as createFolder returns them) that are empty,
 * innermost first: a refused run leaves no empty folder behind, and never touches one that holds
 * anything.
 */
export function removeEmptyFolders(created: readonly string[]): void {
  for (const folder of [...created].reverse()) {
    try {
      if (readdirSync(folder).length > 0) return;
      rmdirSync(folder);
    } catch {
      return; // gone, or not ours to judge: leave it
    }
  }
}
