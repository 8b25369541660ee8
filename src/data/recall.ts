/**
 * Associative recall, a task where attending to the right key decides the answer: each line lists
 * P key–value pairs with distinct keys, then `query`, one of the keys again, and its value:
 *
 *   k3 v7 k0 v2 k9 v7 k5 v1 query k0 v2 .
 *
 * The answer (v2) is the token after the earlier occurrence of the query key; the other pairs are
 * distractors (values repeat across pairs, so the answer is not the only candidate in view). A
 * language model trained on such lines can only predict the answer by looking back at the right
 * key's neighbour, which is what a steering rule points it at.
 */
import { seededUniform } from "../engine/random.js";

/**
 * Settings of `recallLines`: how many lines of key–value pairs, over which vocabularies, with how
 * many queries.
 */
export interface RecallOptions {
  /** Lines to draw. */
  lines: number;
  /** Key–value pairs per line (distinct keys). */
  pairs: number;
  /** Size of the key vocabulary k0 … k(K−1) (≥ pairs). */
  keys: number;
  /** Size of the value vocabulary v0 … v(V−1). */
  values: number;
  /** Queries per line (distinct keys of the line, in random order; default 1, at most pairs). */
  queries?: number;
  /** Seed of the draws: the same seed gives the same lines. */
  seed: number;
}

/** One drawn line: its words and the positions of the queried keys. */
export interface RecallLine {
  /** The line's words: the key–value pairs, then `query`, a key again and its value, and "." (e.g. `k3 v7 k0 v2 query k0 v2 .`). */
  words: string[];
  /** Indices in `words` of the repeated (query) keys; each answer is at the next index. */
  queries: number[];
}

/** Draws recall lines with a seed (Fisher–Yates for the distinct keys). */
export function recallLines(options: RecallOptions): RecallLine[] {
  const { pairs, keys, values } = options;
  const queries = options.queries ?? 1;
  if (!(pairs >= 1 && keys >= pairs && values >= 1 && queries >= 1 && queries <= pairs))
    throw new RangeError(`recall needs 1 ≤ queries ≤ pairs ≤ keys and values ≥ 1`);
  const uniform = seededUniform(options.seed);
  const draw = (n: number) => Math.floor(uniform() * n);
  return Array.from({ length: options.lines }, () => {
    const chosen = shuffled(keys, pairs, draw).map((k) => ({
      key: `k${k}`,
      value: `v${draw(values)}`,
    }));
    const asked = shuffled(pairs, queries, draw).map((i) => chosen[i]);
    const words = [
      ...chosen.flatMap((p) => [p.key, p.value]),
      ...asked.flatMap((p) => ["query", p.key, p.value]),
      ".",
    ];
    return { words, queries: asked.map((_, q) => 2 * pairs + 3 * q + 1) };
  });
}

/** The first `count` of a random permutation of 0 … n−1 (Fisher–Yates). */
function shuffled(n: number, count: number, draw: (n: number) => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + draw(n - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** The lines as text, one per line. */
export function recallText(lines: readonly RecallLine[]): string {
  return lines.map((line) => line.words.join(" ")).join("\n") + "\n";
}
