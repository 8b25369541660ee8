/**
 * Semantic blocks (docs/math.md#the-locality-dial): a partition g(·) of tokens into named blocks. Three sources:
 *  - `pos`: each vocabulary word's most frequent coarse part-of-speech class in the tagged
 *    Brown training documents (noun, verb, adjective-adverb, determiner-pronoun,
 *    preposition-conjunction, punctuation, other);
 *  - `window:W`: positional blocks ⌊position / W⌋ (no token map; relevance = same window);
 *  - a user's JSON map { "token": "block", … } covering every vocabulary token.
 * Browser-safe: making blocks from the Brown tags or a file is ./blockSources.ts.
 */
import { check } from "../engine/errors.js";
import type { StoredLexicon } from "../data/lexicon.js";

/** Blocks stored with a model: either a token → block table, or positional windows. */
export type BlockSpec =
  | {
      kind: "tokens";
      source: string;
      names: string[];
      tokenBlocks: number[];
      /**
       * Every position takes its token's block from the table, even where the text carries blocks
       * per occurrence (a model trained per token on a prepared folder). Absent: blocks per
       * occurrence wherever the text has them.
       */
      perToken?: boolean;
      /**
       * The lexicon of blocks from one (`source` lexicon:NAME), so text given later is labelled
       * with its phrases per occurrence, as the training data was.
       */
      lexicon?: StoredLexicon;
    }
  | { kind: "window"; width: number };

/** Number of blocks (for windows: of a context of T positions). */
export function blockCount(spec: BlockSpec, context: number): number {
  return spec.kind === "tokens" ? spec.names.length : Math.ceil(context / spec.width);
}

export function blockNames(spec: BlockSpec, context: number): string[] {
  return spec.kind === "tokens"
    ? spec.names
    : Array.from({ length: blockCount(spec, context) }, (_, i) => `window ${i}`);
}

/**
 * Block id of every position of a (B·T) token batch: per occurrence when the batch carries them
 * (`positionBlocks`, for a token-table model not trained per token: e.g. tagger classes of each
 * word in its sentence), else from the token → block table or the position's window.
 */
export function blockIds(
  spec: BlockSpec,
  tokens: Int32Array,
  context: number,
  positionBlocks?: ArrayLike<number>,
): Int32Array {
  if (positionBlocks !== undefined && spec.kind === "tokens" && !spec.perToken) {
    check(
      positionBlocks.length === tokens.length,
      `a batch of ${tokens.length} tokens came with ${positionBlocks.length} block ids`,
    );
    const g = spec.names.length;
    const ids = Int32Array.from(positionBlocks);
    for (const b of ids)
      check(b >= 0 && b < g, () => `block id ${b} is outside the model's ${g} blocks`);
    return ids;
  }
  if (spec.kind === "window")
    return Int32Array.from(tokens, (_, p) => Math.floor((p % context) / spec.width));
  return Int32Array.from(tokens, (id) => spec.tokenBlocks[id]);
}
