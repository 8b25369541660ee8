/**
 * A corpus into a prepared token folder (./tokenFiles.ts), in bounded memory: the text is streamed
 * line by line, twice when a tokenizer is to be learned (once over the training split for the
 * vocabulary or the BPE merges, once to encode) and once when a tokenizer is given.
 *
 * Units and `<eos>`: for word and char tokenizers each sentence ends with `<eos>` (as
 * src/data/corpusEntry.ts encodes corpora, so a prepared folder holds the same stream as reading the corpus directly
 * gives); for bpe each paragraph (lines up to a blank line) ends with `<eos>`, its line breaks kept.
 * Brown is read from its documents: sentences of words, its document split and, for `pos`, its
 * gold classes.
 *
 * The split of a user's text is by line, streamed: a fast first look counts the n lines that hold
 * text (on the bytes), then line k goes to a split as sentence k would in splitSentenceBlocks
 * (src/data/words.ts): R = clamp(⌊n / 20⌋, 1, 10) equal rounds, in a round of m lines the last
 * max(1, round(test·m)) to test and the max(1, round(valid·m)) before them to valid. A unit
 * (sentence, paragraph) belongs to the split of its line; a paragraph is cut where the split
 * changes.
 */
import { brownSentenceWords, coarseTag, COARSE_CLASSES, loadBrown } from "../data/brown.js";
import {
  resolveSplitFractions,
  splitBrownDocuments,
  type SplitFractions,
} from "../data/brownTags.js";
import { countChunks, detached } from "../data/bpe.js";
import {
  corpusLines,
  countTextLines,
  isTextLine,
  resolveCorpusFiles,
  type CorpusFile,
  type CorpusLine,
} from "../data/textFiles.js";
import {
  encodeSentence,
  encodeText,
  labelSentences,
  layoutBlock,
  spanBlocks,
  type BlockLabels,
  type EncodedUnit,
} from "../data/tokenBlocks.js";
import {
  BpeTokenizer,
  CharTokenizer,
  WordTokenizer,
  type AnyTokenizer,
  type TokenizerOptions,
} from "../data/tokenizer.js";
import type { Span } from "../data/words.js";
import { existsSync } from "node:fs";
import { check } from "../engine/errors.js";
import { createProgress, type ProgressStream } from "./progress.js";
import {
  SPLITS,
  TokenFolderWriter,
  type SplitName,
  type TokenFolderSpec,
  type TokenManifest,
} from "./tokenFiles.js";

/** Blocks of a prepared folder: none, Brown's gold classes, or a labeller (tagger, lexicon). */
export type PrepareBlocks = "none" | "pos" | BlockLabels;

export interface PrepareOptions extends TokenizerOptions, SplitFractions {
  /** "brown", or a comma-separated list of text files and folders. */
  corpus: string;
  /** The folder to create. */
  out: string;
  /** A tokenizer kind to learn from the training split, or a tokenizer to use as it is. */
  tokenizer: "word" | "char" | "bpe" | AnyTokenizer;
  blocks: PrepareBlocks;
  /** Where progress lines go (none when absent). */
  progress?: ProgressStream;
}

/** What prepare did. */
export interface PrepareResult {
  manifest: TokenManifest;
  tokenizer: AnyTokenizer;
  /** Bytes of text read (both passes). */
  bytesRead: number;
  seconds: number;
}

/** Paragraph pieces longer than this (UTF-16 units) are encoded in parts, to bound memory. */
const MAX_PARAGRAPH_UNITS = 1 << 16;
/** Distinct BPE chunks counted before the ones seen once are dropped. */
const MAX_CHUNK_TABLE = 1 << 20;

/**
 * The split of text line `index` of `lines` (see the file comment): as splitSentenceBlocks
 * (src/data/words.ts) splits sentences, R = clamp(⌊n / 20⌋, 1, 10) rounds, each ending with its
 * valid then test lines.
 */
export function splitOfLine(
  index: number,
  lines: number,
  fractions: Required<SplitFractions>,
): SplitName {
  const rounds = Math.min(10, Math.max(1, Math.floor(lines / 20)));
  const bound = (r: number) => Math.floor((r * lines) / rounds);
  let round = Math.min(rounds - 1, Math.floor((index * rounds) / Math.max(1, lines)));
  while (round + 1 < rounds && index >= bound(round + 1)) round++;
  const m = bound(round + 1) - bound(round);
  const held = (fraction: number) => (fraction > 0 ? Math.max(1, Math.round(fraction * m)) : 0);
  const testStart = bound(round + 1) - held(fractions.test);
  const validStart = testStart - held(fractions.valid);
  return index >= testStart ? "test" : index >= validStart ? "valid" : "train";
}

/** Lines of the corpus with their split, counting text lines as splitOfLine does. */
function* splitLines(
  files: readonly CorpusFile[],
  lines: number,
  fractions: Required<SplitFractions>,
  onBytes: (bytes: number) => void,
): Generator<CorpusLine & { split: SplitName }> {
  let index = -1;
  let continuing = false;
  for (const line of corpusLines(files, onBytes)) {
    if (!continuing && isTextLine(line.text)) index++;
    continuing = line.continues;
    yield { ...line, split: splitOfLine(Math.max(0, index), lines, fractions) };
  }
}

/** One unit of text to encode: its tokens' source and the split it goes to. */
type Unit = { split: SplitName; encoded: EncodedUnit };

/** The block names of a prepared folder, or null. */
function blockSpec(blocks: PrepareBlocks): TokenFolderSpec["blocks"] {
  if (blocks === "none") return null;
  if (blocks === "pos") return { source: "pos", names: COARSE_CLASSES };
  return {
    source: blocks.source,
    names: blocks.names,
    ...(blocks.lexicon ? { lexicon: blocks.lexicon } : {}),
  };
}

/** Brown's sentences: words, gold blocks and split, in document order. */
function* brownUnits(
  fractions: Required<SplitFractions>,
): Generator<{ split: SplitName; words: string[]; gold: Uint8Array }> {
  const split = splitBrownDocuments(loadBrown(), fractions);
  const index = new Map(COARSE_CLASSES.map((c, i) => [c, i]));
  for (const name of SPLITS)
    for (const document of split[name])
      for (const sentence of document.sentences)
        yield {
          split: name,
          words: sentence.map((t) => t.word),
          gold: Uint8Array.from(sentence, (t) => index.get(coarseTag(t.tag)) as number),
        };
}

/** Word blocks of a sentence from a labeller: the sentence's words joined by spaces, labelled. */
function labelWords(words: readonly string[], labels: BlockLabels): Uint8Array {
  const text = words.join(" ");
  const spans: Span[] = [];
  let at = 0;
  for (const word of words) {
    spans.push([at, at + word.length]);
    at += word.length + 1;
  }
  return spanBlocks(
    text,
    spans.map((s) => s[0]),
    spans.map((s) => s[1]),
    labels.label(text),
    layoutBlock(labels.names),
  );
}

/** A tokenizer learned from training text, or the one given. */
function learnTokenizer(
  options: PrepareOptions,
  sentences: () => Iterable<readonly string[]>,
  chunkTexts: () => Iterable<string>,
): AnyTokenizer {
  const { tokenizer: kind, maxVocab, minCount, lowercase } = options;
  if (typeof kind !== "string") return kind;
  const settings: TokenizerOptions = { maxVocab, minCount, lowercase };
  if (kind === "word") return WordTokenizer.fromSentences(sentences(), settings);
  if (kind === "char") {
    const texts = function* () {
      for (const sentence of sentences()) yield sentence.join(" ");
    };
    return CharTokenizer.fromText(texts(), settings);
  }
  const counts = new Map<string, number>();
  for (const text of chunkTexts()) {
    countChunks(text, counts);
    if (counts.size > MAX_CHUNK_TABLE)
      for (const [chunk, n] of counts) if (n === 1) counts.delete(chunk);
  }
  return BpeTokenizer.fromChunkCounts(counts, { maxVocab });
}

/** A progress bar over bytes with the MB/s figure, or nothing. */
function byteProgress(stream: ProgressStream | undefined, label: string, total: number) {
  if (!stream) return { update: () => {}, finish: () => {} };
  const progress = createProgress({ total, label, stream, intervalMs: 5000, quietMs: 500 });
  const began = performance.now();
  return {
    update(done: number) {
      const seconds = (performance.now() - began) / 1000;
      progress.update(done, { "MB/s": seconds > 0 ? done / 1e6 / seconds : 0 });
    },
    finish: () => progress.finish(),
  };
}

/** The units of a user's text files, with their splits, for the encode pass. */
function* textUnits(
  lines: Iterable<CorpusLine & { split: SplitName }>,
  tokenizer: AnyTokenizer,
  labels: BlockLabels | undefined,
): Generator<Unit> {
  const layout = labels ? layoutBlock(labels.names) : 0;
  if (tokenizer.kind !== "bpe") {
    for (const line of lines)
      for (const sentence of labelSentences(line.text, labels))
        yield {
          split: line.split,
          encoded: encodeSentence(tokenizer, sentence.words, sentence.blocks, layout),
        };
    return;
  }
  // bpe: paragraphs (cut where the split changes), in pieces of at most MAX_PARAGRAPH_UNITS.
  let pieces: string[] = [];
  let size = 0;
  let split: SplitName = "train";
  let file = -1;
  const flush = (ends: boolean): Unit | undefined => {
    const text = pieces.join("\n");
    pieces = [];
    size = 0;
    if (!isTextLine(text.replace(/[\r\n]/g, " "))) return undefined;
    const encoded = encodeText(tokenizer, text, labels?.label(text), layout);
    if (!ends) {
      encoded.ids = encoded.ids.subarray(0, encoded.ids.length - 1);
      encoded.blocks = encoded.blocks?.subarray(0, encoded.blocks.length - 1);
    }
    return { split, encoded };
  };
  let continuing = false;
  for (const line of lines) {
    const blank = !continuing && !isTextLine(line.text);
    if (line.file !== file || blank || (pieces.length > 0 && line.split !== split)) {
      const unit = flush(true);
      if (unit) yield unit;
      file = line.file;
    }
    const joins = continuing && pieces.length > 0;
    continuing = line.continues;
    if (blank) continue;
    if (pieces.length === 0) split = line.split;
    if (joins) pieces[pieces.length - 1] += line.text;
    else pieces.push(line.text);
    size += line.text.length;
    if (size > MAX_PARAGRAPH_UNITS) {
      const unit = flush(false);
      if (unit) yield unit;
    }
  }
  const unit = flush(true);
  if (unit) yield unit;
}

/**
 * Prepares a corpus into `options.out` (see the file comment); the folder appears whole or not at
 * all, and every input problem is one line.
 */
export function prepareCorpus(options: PrepareOptions): PrepareResult {
  const fractions = resolveSplitFractions(options);
  check(
    !existsSync(options.out),
    `${options.out} already exists; give a new folder for the prepared data (it is never overwritten)`,
  );
  const began = performance.now();
  const labels = typeof options.blocks === "object" ? options.blocks : undefined;
  const isBrown = options.corpus === "brown";
  let tokenizer: AnyTokenizer;
  let units: () => Iterable<Unit>;
  let sources: { file: string; bytes: number }[];
  let bytesRead = 0;
  if (isBrown) {
    const split = splitBrownDocuments(loadBrown(), fractions);
    sources = [{ file: "brown", bytes: 0 }];
    tokenizer = learnTokenizer(
      options,
      () => brownSentenceWords(split.train),
      () => brownSentenceWords(split.train).map((words) => words.join(" ")),
    );
    const layout = labels ? layoutBlock(labels.names) : layoutBlock(COARSE_CLASSES);
    units = function* () {
      for (const unit of brownUnits(fractions)) {
        const blocks =
          options.blocks === "none"
            ? undefined
            : options.blocks === "pos"
              ? unit.gold
              : labelWords(unit.words, options.blocks);
        yield { split: unit.split, encoded: encodeSentence(tokenizer, unit.words, blocks, layout) };
      }
    };
  } else {
    check(
      options.blocks !== "pos",
      "pos blocks are Brown's gold tags; for other text use the tagger",
    );
    const files = resolveCorpusFiles(options.corpus);
    sources = files.map(({ file, bytes }) => ({ file, bytes }));
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    const lines = countTextLines(files);
    check(lines > 0, `corpus ${options.corpus} has no text; give files with words in them`);
    if (typeof options.tokenizer === "string") {
      const progress = byteProgress(options.progress, "tokenizer", total);
      const trainLines = function* () {
        for (const line of splitLines(files, lines, fractions, (b) => progress.update(b)))
          if (line.split === "train") yield line.text;
        bytesRead += total;
      };
      const sentences = function* () {
        for (const text of trainLines())
          for (const sentence of labelSentences(text, undefined))
            yield sentence.words.map(detached); // vocabulary keys must not pin the text read
      };
      tokenizer = learnTokenizer(options, sentences, trainLines);
      progress.finish();
    } else tokenizer = options.tokenizer;
    units = function* () {
      const progress = byteProgress(options.progress, "tokens", total);
      yield* textUnits(
        splitLines(files, lines, fractions, (b) => progress.update(b)),
        tokenizer,
        labels,
      );
      progress.finish();
      bytesRead += total;
    };
  }
  const writer = new TokenFolderWriter(options.out, {
    tokenizer,
    blocks: blockSpec(options.blocks),
    sources,
  });
  try {
    for (const { split, encoded } of units()) writer.append(split, encoded.ids, encoded.blocks);
    const counts = writer.counts();
    const name = isBrown ? "brown" : options.corpus;
    check(counts.train > 0, `corpus ${name} has no words; give text`);
    for (const split of ["valid", "test"] as const)
      check(
        counts[split] > 0 || fractions[split] === 0,
        `corpus ${name} is too small: the ${split} split got no tokens; give more text (a few lines at least)`,
      );
    const manifest = writer.commit();
    return { manifest, tokenizer, bytesRead, seconds: (performance.now() - began) / 1000 };
  } catch (error) {
    writer.abort();
    throw error;
  }
}
