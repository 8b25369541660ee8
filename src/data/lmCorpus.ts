/**
 * A language-modelling corpus: a tokenizer fitted on the training split and the three splits as
 * id streams (each sentence followed by `<eos>`).
 */
import { check } from "../engine/errors.js";
import { brownSentenceWords, loadBrown, splitBrownDocuments } from "./brown.js";
import { loadTextCorpus } from "./textCorpus.js";
import { BpeTokenizer, CharTokenizer, WordTokenizer, type AnyTokenizer } from "./tokenizer.js";
import { encodeSentences, type LmCorpusOptions } from "./corpusEntry.js";

export {
  CORPUS_SCHEMA,
  encodeSentences,
  type LmCorpusOptions,
  type TokenizerKind,
} from "./corpusEntry.js";

/**
 * A language-model corpus as token ids: the tokenizer built on its training split, and the train,
 * validation and test splits encoded with it (sentences joined by the end-of-sentence token).
 */
export interface LmCorpus {
  /** "brown" or the user's file paths. */
  source: string;
  /** The tokenizer, its vocabulary counted on the training split only. */
  tokenizer: AnyTokenizer;
  /** Token ids of the training split. */
  train: Int32Array;
  /** Token ids of the validation split. */
  valid: Int32Array;
  /** Token ids of the test split. */
  test: Int32Array;
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

/** The splits of a corpus encoded with an existing tokenizer (a saved model's). */
export function encodeCorpus(
  corpus: string,
  tokenizer: AnyTokenizer,
): { train: Int32Array; valid: Int32Array; test: Int32Array } {
  const sentences = corpusSentences(corpus);
  return {
    train: encodeSentences(tokenizer, sentences.train),
    valid: encodeSentences(tokenizer, sentences.valid),
    test: encodeSentences(tokenizer, sentences.test),
  };
}

/** Loads a corpus, fits the tokenizer on its training split and encodes every split. */
export function loadLmCorpus(options: LmCorpusOptions): LmCorpus {
  const { corpus, tokenizer: kind, ...tokenizerOptions } = options;
  const sentences = corpusSentences(corpus);
  check(sentences.train.length > 0, `corpus ${corpus} has no training sentences`);
  const texts = () => sentences.train.map((s) => s.join(" "));
  const tokenizer =
    kind === "word"
      ? WordTokenizer.fromSentences(sentences.train, tokenizerOptions)
      : kind === "char"
        ? CharTokenizer.fromText(texts(), tokenizerOptions)
        : BpeTokenizer.fromText(texts(), { maxVocab: tokenizerOptions.maxVocab });
  return {
    source: corpus,
    tokenizer,
    train: encodeSentences(tokenizer, sentences.train),
    valid: encodeSentences(tokenizer, sentences.valid),
    test: encodeSentences(tokenizer, sentences.test),
  };
}
