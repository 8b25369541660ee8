/**
 * Routing (docs/math.md#the-locality-dial): per head h, the target blocks T_h(a) that a query of block a attends
 * to. Stored as a 0/1 tensor targets[h][a][b] (H, G, G).
 *
 * Default for named blocks: head h is "the ORDER[h mod G] head" — every query points at that
 * block (head 0 at nouns, head 1 at verbs, …), so a verb's query in head 0 finds its nouns. For
 * positional windows every head points at the query's own window.
 *
 * A routing file: { "heads": [ { "verb": ["noun"], "*": ["noun", "verb"] }, … ] } with one entry
 * per head; "*" covers the query blocks not named.
 */
import { z } from "zod";
import { check, LocalistError } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";
import { COARSE_CLASSES } from "../data/brown.js";
import { readJsonFile } from "../io/json.js";

export interface Routing {
  heads: number;
  blocks: number;
  /** (H·G·G) row-major: targets[(h·G + a)·G + b]. */
  targets: number[];
}

/** Named blocks are assigned to heads in the order of the coarse part-of-speech classes. */
const PREFERRED_ORDER: readonly string[] = COARSE_CLASSES;

export function defaultRouting(
  names: readonly string[],
  heads: number,
  positional: boolean,
): Routing {
  const g = names.length;
  const targets = new Array<number>(heads * g * g).fill(0);
  const order = [
    ...PREFERRED_ORDER.filter((n) => names.includes(n)),
    ...names.filter((n) => !PREFERRED_ORDER.includes(n)),
  ];
  for (let h = 0; h < heads; h++) {
    for (let a = 0; a < g; a++) {
      const b = positional ? a : names.indexOf(order[h % order.length]);
      targets[(h * g + a) * g + b] = 1;
    }
  }
  return { heads, blocks: g, targets };
}

/** A routing file: per head, query block (or "*" for the rest) → target blocks. */
const ROUTING_FILE_SCHEMA = z.object({
  heads: z.array(z.record(z.string(), z.array(z.string()))),
});

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
