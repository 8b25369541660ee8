/** Reading JSON files with one-line errors that name the file and what it is for. */
import { readFileSync } from "node:fs";
import { LocalistError, oneLine } from "../engine/errors.js";

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
