/**
 * Choosing a model's anchors from its training split (docs/math.md#anchors): the top K tokens by
 * mutual information with the block labels (a localist model with token blocks) or with the next
 * token (any other model), K random frequent tokens, or the first K positions (sinks).
 */
import { check } from "../engine/errors.js";
import { seededUniform } from "../engine/random.js";
import { UNK_ID, type Tokenizer } from "../data/tokenizer.js";
import { anchorScores, topAnchors, type AnchorScore } from "../localist/anchorScores.js";
import type { AnchorsEntry } from "../localist/anchors.js";
import type { LocalistStructure } from "../localist/structure.js";
import type { LocalistModel } from "./localistModel.js";

import type { AnchorKind } from "./trainingSpec.js";

export { ANCHOR_KINDS, type AnchorKind } from "./trainingSpec.js";

/** Positions of the training stream scored (the first ones): enough for stable counts, fast. */
const SCORED_POSITIONS = 200_000;

/** Random anchors are drawn from this many of the most frequent tokens. */
const RANDOM_POOL = 200;

/** Mutual-information scores of every token of a training stream. */
export function scoreTokens(
  train: Int32Array,
  tokenizer: Tokenizer,
  window: number,
  structure?: Pick<LocalistStructure, "blocks">,
): { scores: AnchorScore[]; target: "blocks" | "next-token" } {
  const ids = train.subarray(0, SCORED_POSITIONS);
  const blocks = structure?.blocks;
  if (blocks && blocks.kind === "tokens") {
    const labels = Int32Array.from(ids, (id) => blocks.tokenBlocks[id]);
    return {
      scores: anchorScores(ids, labels, {
        vocabSize: tokenizer.vocabSize,
        labelCount: blocks.names.length,
        window,
      }),
      target: "blocks",
    };
  }
  return {
    scores: anchorScores(ids, ids, {
      vocabSize: tokenizer.vocabSize,
      labelCount: tokenizer.vocabSize,
      window,
    }),
    target: "next-token",
  };
}

/** The anchors entry of a new model. */
export function chooseAnchors(
  kind: AnchorKind,
  count: number,
  data: { train: Int32Array; tokenizer: Tokenizer },
  options: { window: number; seed: number; structure?: Pick<LocalistStructure, "blocks"> },
): AnchorsEntry {
  check(
    Number.isInteger(count) && count >= 1,
    `\`anchors.count\` must be a positive integer, got ${count}`,
  );
  if (kind === "sinks") return { kind: "sinks", count };
  if (kind === "random") {
    const frequency = new Float64Array(data.tokenizer.vocabSize);
    for (const id of data.train) frequency[id]++;
    const pool = [...frequency.keys()]
      .filter((id) => id !== UNK_ID && frequency[id] > 0)
      .sort((a, b) => frequency[b] - frequency[a] || a - b)
      .slice(0, RANDOM_POOL);
    check(pool.length >= count, `the training split has only ${pool.length} distinct tokens`);
    const uniform = seededUniform(options.seed ^ 0x2545f491);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(uniform() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return { kind: "tokens", selection: "random", tokens: pool.slice(0, count) };
  }
  const { scores, target } = scoreTokens(
    data.train,
    data.tokenizer,
    options.window,
    options.structure,
  );
  const top = topAnchors(scores, count, [UNK_ID]);
  check(top.length > 0, "no token carries information about the labels; the corpus is too small");
  return {
    kind: "tokens",
    selection: "mutual-information",
    target,
    window: options.window,
    tokens: top.map((s) => s.token),
    scores: top.map((s) => s.bits),
  };
}

/** One line of `localist anchors`. */
export interface AnchorListing {
  /** The rank by score, from 1. */
  rank: number;
  /** The token's text. */
  token: string;
  /** Bits, when scored. */
  bits?: number;
}

/**
 * A model's anchors with their scores, or, for a model without token anchors, the top K by mutual
 * information computed from its training split (window: its context).
 */
export function listAnchors(
  model: LocalistModel,
  k?: number,
): { source: string; anchors: AnchorListing[] } {
  const vocabulary = model.tokenizer.toJSON().tokens;
  const stored = model.anchors;
  if (stored && k === undefined) {
    if (stored.kind === "sinks")
      return {
        source: `the model's anchors: the first ${stored.count} positions of every window (sinks)`,
        anchors: Array.from({ length: stored.count }, (_, i) => ({
          rank: i + 1,
          token: `position ${i}`,
        })),
      };
    return {
      source:
        stored.selection === "random"
          ? "the model's anchors: random frequent tokens"
          : `the model's anchors: mutual information with the ${stored.target === "blocks" ? "block of" : ""} next token, window ${stored.window}`,
      anchors: stored.tokens.map((id, i) => ({
        rank: i + 1,
        token: vocabulary[id],
        ...(stored.scores ? { bits: stored.scores[i] } : {}),
      })),
    };
  }
  const window = model.config.context;
  const { scores, target } = scoreTokens(
    model.split("train"),
    model.tokenizer,
    window,
    model.localist,
  );
  const top = topAnchors(scores, k ?? 16, [UNK_ID]);
  return {
    source: `top ${top.length} tokens of the training split by mutual information with the ${target === "blocks" ? "block of the " : ""}next token (window ${window})`,
    anchors: top.map((s, i) => ({ rank: i + 1, token: vocabulary[s.token], bits: s.bits })),
  };
}
