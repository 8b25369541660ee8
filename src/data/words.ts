/**
 * Text into words and sentences, and the split of sentences into train, valid and test: the part
 * of reading a plain-text corpus that needs no files (browser-safe; ./textCorpus.ts reads files).
 */
import { resolveSplitFractions, type CorpusSplit, type SplitFractions } from "./brownTags.js";

/** Word tokens (tokenizeWords): a word (letters, marks and digits, joined by inner ' ’ - .) or a run of one punctuation character. */
export const WORD_TOKENS =
  /[\p{L}\p{M}\p{N}]+(?:['’\-.][\p{L}\p{M}\p{N}]+)*|([^\s\p{L}\p{M}\p{N}])\1*/gu;
const SENTENCE_END = /^(?:[.!?]+|…)$/;
const CLOSERS = /^["'”’)\]»]+$/;

/** The tokens of a text: words and punctuation as separate tokens, whitespace dropped. */
export function tokenizeWords(text: string): string[] {
  return text.match(WORD_TOKENS) ?? [];
}

/** Where a token lies in its text: [start, end) in UTF-16 code units. */
export type Span = readonly [start: number, end: number];

/**
 * Sentences of one line as token spans (tokenizeWords' tokens): cut after sentence-final
 * punctuation (. ! ? …) and any closing quotes or brackets that follow it.
 */
export function sentenceSpans(line: string): Span[][] {
  const spans: Span[] = [];
  for (const match of line.matchAll(WORD_TOKENS))
    spans.push([match.index, match.index + match[0].length]);
  const text = (i: number) => line.slice(spans[i][0], spans[i][1]);
  const sentences: Span[][] = [];
  let start = 0;
  for (let i = 0; i < spans.length; i++) {
    if (!SENTENCE_END.test(text(i))) continue;
    while (i + 1 < spans.length && CLOSERS.test(text(i + 1))) i++;
    sentences.push(spans.slice(start, i + 1));
    start = i + 1;
  }
  if (start < spans.length) sentences.push(spans.slice(start));
  return sentences;
}

/**
 * Sentences of a text: each non-blank line is cut after sentence-final punctuation (. ! ? …) and any
 * closing quotes or brackets that follow it; a heuristic, so abbreviations like "Mr." also end one.
 */
export function tokenizeText(text: string): string[][] {
  const sentences: string[][] = [];
  for (const line of text.split(/\r\n|\r|\n/))
    for (const spans of sentenceSpans(line))
      sentences.push(spans.map(([start, end]) => line.slice(start, end)));
  return sentences;
}

/**
 * A deterministic split by contiguous blocks: cut the n sentences into R = clamp(⌊n / 20⌋, 1, 10)
 * equal rounds; in each round of m sentences the last max(1, round(test·m)) go to test, the
 * max(1, round(valid·m)) before them to valid (0 when that fraction is 0) and the rest to train.
 */
export function splitSentenceBlocks<T>(
  items: readonly T[],
  fractions: SplitFractions = {},
): CorpusSplit<T> {
  const { valid, test } = resolveSplitFractions(fractions);
  const held = (fraction: number, m: number) =>
    fraction > 0 ? Math.max(1, Math.round(fraction * m)) : 0;
  const rounds = Math.min(10, Math.max(1, Math.floor(items.length / 20)));
  const split: CorpusSplit<T> = { train: [], valid: [], test: [] };
  for (let round = 0; round < rounds; round++) {
    const start = Math.floor((round * items.length) / rounds);
    const end = Math.floor(((round + 1) * items.length) / rounds);
    const testStart = end - held(test, end - start);
    const validStart = testStart - held(valid, end - start);
    split.train.push(...items.slice(start, Math.max(start, validStart)));
    split.valid.push(...items.slice(Math.max(start, validStart), Math.max(start, testStart)));
    split.test.push(...items.slice(Math.max(start, testStart), end));
  }
  return split;
}
