/**
 * A language-model corpus as a checkpoint records it (the `corpus` entry), and sentences encoded
 * into one id stream: browser-safe (./lmCorpus.ts reads the corpora themselves).
 */
import { z } from "zod";
import { EOS_ID, type AnyTokenizer, type TokenizerOptions } from "./tokenizer.js";

/** How text becomes tokens: "word" (whitespace-separated words) or "char" (Unicode code points). */
export type TokenizerKind = "word" | "char" | "bpe";

export interface LmCorpusOptions extends TokenizerOptions {
  /** "brown" for the embedded Brown corpus, else a comma-separated list of text files. */
  corpus: string;
  /** "word" or "char". */
  tokenizer: TokenizerKind;
}

/**
 * Encodes sentences with a tokenizer: words for a word tokenizer; for a char or bpe one, the
 * sentence's words joined by spaces.
 */
export function encodeSentences(
  tokenizer: AnyTokenizer,
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

/** Corpus options as stored in a checkpoint's `corpus` entry. */
export const CORPUS_SCHEMA = z.object({
  corpus: z.string().min(1),
  tokenizer: z.enum(["word", "char", "bpe"]),
  maxVocab: z.number().int().min(1),
  minCount: z.number().int().min(1),
  lowercase: z.boolean(),
});
