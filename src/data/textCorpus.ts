import { statSync } from "node:fs";
import { check, LocalistError } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { resolveSplitFractions, type CorpusSplit, type SplitFractions } from "./brown.js";

/** A user's plain-text corpus: its files, all sentences as word lists, and a train/valid/test split. */
export interface TextCorpus extends CorpusSplit<string[]> {
  files: string[];
  sentences: string[][];
  wordCount: number;
}

/** A word (letters, marks and digits, joined by inner ' ’ - .) or a run of one punctuation character. */
const TOKEN_PATTERN =
  /[\p{L}\p{M}\p{N}]+(?:['’\-.][\p{L}\p{M}\p{N}]+)*|([^\s\p{L}\p{M}\p{N}])\1*/gu;
const SENTENCE_END = /^(?:[.!?]+|…)$/;
const CLOSERS = /^["'”’)\]»]+$/;

/** The tokens of a text: words and punctuation as separate tokens, whitespace dropped. */
export function tokenizeWords(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/**
 * Sentences of a text: each non-blank line is cut after sentence-final punctuation (. ! ? …) and any
 * closing quotes or brackets that follow it; a heuristic, so abbreviations like "Mr." also end one.
 */
export function tokenizeText(text: string): string[][] {
  const sentences: string[][] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const tokens = tokenizeWords(line);
    let start = 0;
    for (let i = 0; i < tokens.length; i++) {
      if (!SENTENCE_END.test(tokens[i])) continue;
      while (i + 1 < tokens.length && CLOSERS.test(tokens[i + 1])) i++;
      sentences.push(tokens.slice(start, i + 1));
      start = i + 1;
    }
    if (start < tokens.length) sentences.push(tokens.slice(start));
  }
  return sentences;
}

/** The text of one corpus file, with one-line errors for missing, non-regular, binary or non-UTF-8 files. */
function readCorpusFile(file: string): string {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new LocalistError(`corpus file ${file} does not exist`);
    throw new LocalistError(`cannot read corpus file ${file}: ${code ?? (error as Error).message}`);
  }
  check(
    !stats.isDirectory(),
    `corpus file ${file} is a directory; give the plain-text files inside it`,
  );
  const bytes = readLimitedFile(file, "corpus file", FILE_LIMITS.text);
  check(!bytes.includes(0), `corpus file ${file} is not plain text (it contains NUL bytes)`);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new LocalistError(`corpus file ${file} is not valid UTF-8; save it as UTF-8 text`);
  }
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

/**
 * Reads plain-text files (UTF-8) in the given order into sentences of words and splits them with
 * splitSentenceBlocks (default 90% train, 5% valid, 5% test); problems are one-line LocalistErrors.
 */
export function loadTextCorpus(
  paths: readonly string[],
  fractions: SplitFractions = {},
): TextCorpus {
  check(paths.length > 0, "no corpus files given; give one or more plain-text files");
  const { valid, test } = resolveSplitFractions(fractions);
  const sentences = paths.flatMap((file) => tokenizeText(readCorpusFile(file)));
  const name = paths.join(", ");
  const wordCount = sentences.reduce((sum, sentence) => sum + sentence.length, 0);
  check(wordCount > 0, `corpus ${name} has no words; give a non-empty plain-text file`);
  const minimum = 1 + (valid > 0 ? 1 : 0) + (test > 0 ? 1 : 0);
  check(
    sentences.length >= minimum,
    () =>
      `corpus ${name} has only ${sentences.length} sentence(s); give at least ${minimum} lines so train, valid and test each get one`,
  );
  return {
    files: [...paths],
    sentences,
    wordCount,
    ...splitSentenceBlocks(sentences, { valid, test }),
  };
}
