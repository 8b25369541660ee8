import { statSync } from "node:fs";
import { check, LocalistError } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { resolveSplitFractions, type CorpusSplit, type SplitFractions } from "./brownTags.js";
import { splitSentenceBlocks, tokenizeText } from "./words.js";

export { splitSentenceBlocks, tokenizeText, tokenizeWords } from "./words.js";

/** A user's plain-text corpus: its files, all sentences as word lists, and a train/valid/test split. */
export interface TextCorpus extends CorpusSplit<string[]> {
  files: string[];
  sentences: string[][];
  wordCount: number;
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
