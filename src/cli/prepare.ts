/**
 * `localist prepare`: a corpus into a prepared token folder (token and block files, a manifest),
 * which training and evaluation read by window without the text (src/io/prepareCorpus.ts).
 */
import type { LexiconFallback } from "../data/lexicon.js";
import { parseLexicon } from "../data/lexiconFile.js";
import { lexiconLabels } from "../data/tokenBlocks.js";
import { taggerLabels } from "../data/tokenBlocks.js";
import { tokenizerFromJSON, type AnyTokenizer } from "../data/tokenizer.js";
import { LocalistError, oneLine } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { formatNumber } from "../io/progress.js";
import { prepareCorpus, type PrepareBlocks } from "../io/prepareCorpus.js";
import type { Command } from "./command.js";
import {
  asUsageError,
  between,
  POSITIVE_INTEGER,
  requireFlag,
  UsageError,
  type FlagSpec,
} from "./flags.js";

const FLAGS: FlagSpec[] = [
  {
    name: "corpus",
    kind: "string",
    value: "brown|FILES",
    help: "the Brown corpus, or comma-separated text files and folders (a folder: its .txt, .text, .md files) (required)",
  },
  { name: "out", kind: "string", value: "DATA", help: "the folder to create (required)" },
  {
    name: "tokenizer",
    kind: "string",
    choices: ["word", "char", "bpe"],
    default: "word",
    value: "KIND",
    help: "tokenizer to learn from the training split",
  },
  {
    name: "tokenizer-file",
    kind: "string",
    value: "FILE",
    help: "use this tokenizer.json (e.g. a model's) instead of learning one",
  },
  {
    name: "vocab",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    value: "N",
    help: "vocabulary size, special tokens included (default 10000; bpe: at least 258)",
  },
  {
    name: "min-count",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: 1,
    value: "N",
    help: "word and char tokenizers: drop tokens seen fewer times",
  },
  {
    name: "blocks",
    kind: "string",
    default: "none",
    value: "SOURCE",
    help: "blocks per token: none, tagger (part of speech per occurrence), lexicon:FILE (JSON or CSV of block → phrases), pos (Brown's gold tags)",
  },
  {
    name: "lexicon-fallback",
    kind: "string",
    choices: ["tagger", "other"],
    default: "tagger",
    value: "KIND",
    help: "block of words outside the lexicon: their tagger class, or other",
  },
  {
    name: "valid",
    kind: "number",
    constraint: between(0, 0.5),
    default: 0.05,
    help: "fraction of the text held out for validation",
  },
  {
    name: "test",
    kind: "number",
    constraint: between(0, 0.5),
    default: 0.05,
    help: "fraction of the text held out for test",
  },
  { name: "quiet", kind: "boolean", help: "no progress lines" },
];

/** The blocks a --blocks value names. */
function resolvePrepareBlocks(spec: string, fallback: LexiconFallback): PrepareBlocks {
  if (spec === "none" || spec === "pos") return spec;
  if (spec === "tagger") return taggerLabels();
  if (spec.startsWith("lexicon:")) {
    const file = spec.slice("lexicon:".length);
    if (file === "") throw new UsageError("--blocks lexicon:FILE needs a file name after lexicon:");
    const bytes = readLimitedFile(file, "lexicon", FILE_LIMITS.json);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new LocalistError(`lexicon ${file} is not valid UTF-8; save it as UTF-8 text`);
    }
    return lexiconLabels(parseLexicon(text, file, fallback));
  }
  if (/^window:/.test(spec))
    throw new UsageError(
      "--blocks window:W is positional and needs no block files; prepare without --blocks and give window:W when training",
    );
  throw new UsageError(`--blocks must be none, tagger, lexicon:FILE or pos, got '${spec}'`);
}

/** A tokenizer.json read from a file. */
function readTokenizer(file: string): AnyTokenizer {
  const bytes = readLimitedFile(file, "tokenizer", FILE_LIMITS.json);
  try {
    return tokenizerFromJSON(bytes.toString("utf8"));
  } catch (error) {
    throw new LocalistError(`${file}: ${oneLine(error)}`);
  }
}

export const PREPARE: Command = {
  summary: "turn a corpus into token and block files for training (streamed, bounded memory)",
  usage: "localist prepare --corpus brown|FILES --out DATA [options]",
  description: [
    "Streams the text into DATA/{train,valid,test}.tokens.bin (uint16 or uint32), .blocks.bin",
    "(a block id per token) and manifest.json with the tokenizer's hash; DATA appears whole or not",
    "at all. A tokenizer is learned from the training split (a first pass over it) unless",
    "--tokenizer-file gives one. Word and char tokens end each sentence with <eos>, bpe each",
    "paragraph. Tagger and lexicon blocks come from each word in its own sentence.",
  ].join("\n"),
  flags: FLAGS,
  run({ flags, given }) {
    const command = "localist prepare";
    const corpus = requireFlag(flags, "corpus", command);
    const out = requireFlag(flags, "out", command);
    const kind = flags.tokenizer as "word" | "char" | "bpe";
    const file = flags["tokenizer-file"] as string | undefined;
    if (file !== undefined && (given.has("tokenizer") || given.has("vocab")))
      throw new UsageError(
        "--tokenizer-file gives the tokenizer; leave out --tokenizer and --vocab",
      );
    const blocks = asUsageError(() =>
      resolvePrepareBlocks(flags.blocks as string, flags["lexicon-fallback"] as LexiconFallback),
    );
    const valid = flags.valid as number;
    const test = flags.test as number;
    const result = prepareCorpus({
      corpus,
      out,
      tokenizer: file !== undefined ? readTokenizer(file) : kind,
      maxVocab: flags.vocab as number | undefined,
      minCount: flags["min-count"] as number,
      valid,
      test,
      blocks,
      progress: flags.quiet ? undefined : process.stderr,
    });
    const { manifest, tokenizer, bytesRead, seconds } = result;
    const s = manifest.splits;
    return [
      `prepared ${out}: ${tokenizer.kind} tokenizer, vocabulary ${tokenizer.vocabSize}, ${manifest.dtype}`,
      `tokens: train ${s.train.tokens}, valid ${s.valid.tokens}, test ${s.test.tokens}`,
      `blocks: ${manifest.blocks ? `${manifest.blocks.source} (${manifest.blocks.names.join(", ")})` : "none"}`,
      `read ${formatNumber(bytesRead / 1e6)} MB in ${formatNumber(seconds)} s (${formatNumber(bytesRead / 1e6 / Math.max(seconds, 1e-9))} MB/s)`,
    ].join("\n");
  },
};
