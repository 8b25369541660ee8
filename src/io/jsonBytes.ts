/** JSON from bytes with one-line errors that name the source (browser-safe; ./json.ts reads files). */
import { LocalistError, oneLine } from "../engine/errors.js";
import { printable } from "../engine/printable.js";

/** Deepest nesting of arrays and objects accepted (our files nest a handful of levels). */
export const MAX_JSON_DEPTH = 256;
/** Longest string accepted in a JSON file, in characters (a token or a rule id is short). */
export const MAX_JSON_STRING = 1 << 20;

/**
 * Refuses, before parsing, what would exhaust the stack or flood a one-line error: nesting past
 * MAX_JSON_DEPTH (a rules file nested 200,000 deep overflowed the validation's recursion) and a
 * string past MAX_JSON_STRING characters. One pass over the text, outside strings for brackets.
 */
function checkShape(text: string, name: string): void {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let stringStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) {
        inString = false;
        if (i - stringStart - 1 > MAX_JSON_STRING)
          throw new LocalistError(
            `${name} holds a string of ${(i - stringStart - 1).toLocaleString("en-US")} characters at offset ${stringStart}, more than the ${MAX_JSON_STRING.toLocaleString("en-US")} allowed`,
          );
      }
    } else if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  if (inString && text.length - stringStart - 1 > MAX_JSON_STRING)
    throw new LocalistError(
      `${name} holds a string of ${(text.length - stringStart - 1).toLocaleString("en-US")} characters, more than the ${MAX_JSON_STRING.toLocaleString("en-US")} allowed`,
    );
  if (deepest > MAX_JSON_DEPTH)
    throw new LocalistError(
      `${name} nests ${deepest.toLocaleString("en-US")} levels of arrays and objects, more than the ${MAX_JSON_DEPTH} allowed`,
    );
}

/** The parsed JSON of `bytes`; `name` is e.g. `model config out/config.json`. */
export function parseJsonBytes<T = unknown>(bytes: Uint8Array, name: string): T {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LocalistError(`${name} is not UTF-8 text, so not JSON`);
  }
  checkShape(text, name);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new LocalistError(`${name} is not valid JSON: ${printable(oneLine(error))}`);
  }
}
