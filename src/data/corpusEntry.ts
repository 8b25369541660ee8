/**
 * A language-model corpus as a checkpoint records it (the `corpus` entry), and sentences encoded
 * into one id stream: browser-safe (./lmCorpus.ts reads the corpora themselves).
 */
import { z } from "zod";
import { EOS_ID, type AnyTokenizer, type TokenizerOptions } from "./tokenizer.js";

/** How text becomes tokens: "word" (words and punctuation), "char" (code points) or "bpe" (byte-level subwords). */
export type TokenizerKind = "word" | "char" | "bpe";

export interface LmCorpusOptions extends TokenizerOptions {
  /** "brown" for the embedded Brown corpus, else a comma-separated list of text files (or, with `data`, the prepared folder). */
  corpus: string;
  /** "word", "char" or "bpe". */
  tokenizer: TokenizerKind;
  /** A prepared token folder (`localist prepare`) the model was trained on, read by window. */
  data?: PreparedData;
}

/** A prepared token folder as a checkpoint records it: where, and which tokenizer it holds. */
export interface PreparedData {
  /** The folder, as given. */
  folder: string;
  /** SHA-256 of its tokenizer.json (the manifest's), so a changed folder is refused. */
  tokenizerSha256: string;
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
  data: z
    .object({ folder: z.string().min(1), tokenizerSha256: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
});
