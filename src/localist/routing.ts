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
import { COARSE_CLASSES } from "../data/brownTags.js";

/**
 * Which blocks each head's queries attend to: per head h and query block a, the target blocks
 * T_h(a).
 */
export interface Routing {
  /** H, the heads. */
  heads: number;
  /** G, the blocks. */
  blocks: number;
  /** (H·G·G) row-major: targets[(h·G + a)·G + b]. */
  targets: number[];
}

/** Named blocks are assigned to heads in the order of the coarse part-of-speech classes. */
const PREFERRED_ORDER: readonly string[] = COARSE_CLASSES;

/**
 * The default routing of G named blocks over `heads` heads: head h points every query at block
 * ORDER[h mod G] (nouns, verbs, … in the order of the coarse part-of-speech classes), so each head
 * gathers one class; for positional blocks every head points at the query's own window.
 */
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
