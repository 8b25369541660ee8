/** JSON from bytes with one-line errors that name the source (browser-safe; ./json.ts reads files). */
import { LocalistError, oneLine } from "../engine/errors.js";

/** The parsed JSON of `bytes`; `name` is e.g. `model config out/config.json`. */
export function parseJsonBytes<T = unknown>(bytes: Uint8Array, name: string): T {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LocalistError(`${name} is not UTF-8 text, so not JSON`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new LocalistError(`${name} is not valid JSON: ${oneLine(error)}`);
  }
}
