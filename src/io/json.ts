/** Reading JSON files with one-line errors that name the file and what it is for. */
import { LocalistError, oneLine } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";

/**
 * The parsed JSON content of a file. `what` names the file in errors (e.g. `model config`), which
 * are one line: `model config out/config.json does not exist`, `… is not valid JSON: …`.
 */
export function readJsonFile<T = unknown>(path: string, what: string): T {
  const bytes = readLimitedFile(path, what, FILE_LIMITS.json);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LocalistError(`${what} ${path} is not UTF-8 text, so not JSON`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new LocalistError(`${what} ${path} is not valid JSON: ${oneLine(error)}`);
  }
}
