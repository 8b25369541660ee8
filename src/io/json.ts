/** Reading JSON files with one-line errors that name the file and what it is for. */
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { printable } from "../engine/printable.js";
import { parseJsonBytes } from "./jsonBytes.js";

/**
 * The parsed JSON content of a file. `what` names the file in errors (e.g. `model config`), which
 * are one line: `model config out/config.json does not exist`, `… is not valid JSON: …`.
 */
export function readJsonFile<T = unknown>(path: string, what: string): T {
  return parseJsonBytes<T>(
    readLimitedFile(path, what, FILE_LIMITS.json),
    `${what} ${printable(path)}`,
  );
}
