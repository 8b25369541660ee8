/**
 * A language-modelling corpus: a tokenizer fitted on the training split and the three splits as
 * id streams (each sentence followed by `<eos>`).
 */
import { z } from "zod";
import { check } from "../engine/errors.js";
import { brownSentenceWords, loadBrown, splitBrownDocuments } from "./brown.js";
import { loadTextCorpus } from "./textCorpus.js";
import { CharTokenizer, EOS_ID, WordTokenizer, type TokenizerOptions } from "./tokenizer.js";

export type TokenizerKind = "word" | "char";

export interface LmCorpus {
  /** "brown" or the user's file paths. */
  source: string;
  tokenizer: WordTokenizer | CharTokenizer;
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

export interface LmCorpusOptions extends TokenizerOptions {
  /** "brown" for the embedded Brown corpus, else a comma-separated list of text files. */
  corpus: string;
  tokenizer: TokenizerKind;
}

/** Sentences (word lists) of each split of the named corpus. */
export function corpusSentences(corpus: string): {
  train: string[][];
  valid: string[][];
  test: string[][];
} {
  if (corpus === "brown") {
    const split = splitBrownDocuments(loadBrown());
    return {
      train: brownSentenceWords(split.train),
      valid: brownSentenceWords(split.valid),
      test: brownSentenceWords(split.test),
    };
  }
  const paths = corpus
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const text = loadTextCorpus(paths);
  return { train: text.train, valid: text.valid, test: text.test };
}

/** Encodes sentences with a tokenizer: words for a word tokenizer, characters for a char one. */
export function encodeSentences(
  tokenizer: WordTokenizer | CharTokenizer,
  sentences: readonly string[][],
): Int32Array {
  if (tokenizer.kind === "word") return tokenizer.encodeSentences(sentences);
  const parts: number[] = [];
  for (const sentence of sentences) {
    for (const id of tokenizer.encodeText(sentence.join(" "))) parts.push(id);
    parts.push(EOS_ID);
  }
  return Int32Array.from(parts);
}

/** The splits of a corpus encoded with an existing tokenizer (a saved model's). */
export function encodeCorpus(
  corpus: string,
  tokenizer: WordTokenizer | CharTokenizer,
): { train: Int32Array; valid: Int32Array; test: Int32Array } {
  const sentences = corpusSentences(corpus);
  return {
    train: encodeSentences(tokenizer, sentences.train),
    valid: encodeSentences(tokenizer, sentences.valid),
    test: encodeSentences(tokenizer, sentences.test),
  };
}

/** Corpus options as stored in a checkpoint's `corpus` entry. */
export const CORPUS_SCHEMA = z.object({
  corpus: z.string().min(1),
  tokenizer: z.enum(["word", "char"]),
  maxVocab: z.number().int().min(1),
  minCount: z.number().int().min(1),
  lowercase: z.boolean(),
});

/** Loads a corpus, fits the tokenizer on its training split and encodes every split. */
export function loadLmCorpus(options: LmCorpusOptions): LmCorpus {
  const { corpus, tokenizer: kind, ...tokenizerOptions } = options;
  const sentences = corpusSentences(corpus);
  check(sentences.train.length > 0, `corpus ${corpus} has no training sentences`);
  const tokenizer =
    kind === "word"
      ? WordTokenizer.fromSentences(sentences.train, tokenizerOptions)
      : CharTokenizer.fromText(
          sentences.train.map((s) => s.join(" ")),
          tokenizerOptions,
        );
  return {
    source: corpus,
    tokenizer,
    train: encodeSentences(tokenizer, sentences.train),
    valid: encodeSentences(tokenizer, sentences.valid),
    test: encodeSentences(tokenizer, sentences.test),
  };
}
