/** A routing read from a JSON file (Node only; ./routing.ts is the browser-safe part). */
import { z } from "zod";
import { check, LocalistError } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";
import { readJsonFile } from "../io/json.js";
import type { Routing } from "./routing.js";

/** A routing file: per head, query block (or "*" for the rest) → target blocks. */
const ROUTING_FILE_SCHEMA = z.object({
  heads: z.array(z.record(z.string(), z.array(z.string()))),
});

/**
 * The routing a JSON file gives: `{"heads": [{"verb": ["noun"], "*": ["noun", "verb"]}, …]}`, one
 * entry per head, query block (or "*" for the blocks not named) → target blocks. Node only; names
 * the file and the bad entry on error.
 */
export function routingFromFile(path: string, names: readonly string[], heads: number): Routing {
  const { heads: list } = parseWith(
    ROUTING_FILE_SCHEMA,
    readJsonFile(path, "routing file"),
    `routing file ${path} (expected {"heads": [{query block: [target blocks]}, …]})`,
  );
  check(
    list.length === heads,
    `routing file ${path} routes ${list.length} heads but the model has ${heads}`,
  );
  const g = names.length;
  const known = (name: string, where: string) => {
    const at = names.indexOf(name);
    if (at < 0) {
      throw new LocalistError(
        `routing file ${path}: ${where} names unknown block '${name}'; the blocks are ${names.join(", ")}`,
      );
    }
    return at;
  };
  const targets = new Array<number>(heads * g * g).fill(0);
  list.forEach((map, h) => {
    // Own properties only: a block named like an Object method ("constructor") is a block.
    const own = (name: string) => (Object.hasOwn(map, name) ? map[name] : undefined);
    const fallback = own("*");
    for (let a = 0; a < g; a++) {
      const chosen = own(names[a]) ?? fallback;
      if (chosen === undefined) continue;
      for (const target of chosen)
        targets[(h * g + a) * g + known(String(target), `head ${h}`)] = 1;
    }
    for (const name of Object.keys(map)) if (name !== "*") known(name, `head ${h}`);
  });
  return { heads, blocks: g, targets };
}
