/**
 * The text a language-model run reads, from either of its two sources: a corpus read into memory
 * (Brown or text files, tokenized on the way: data/lmCorpus.ts), or a prepared token folder
 * (`localist prepare`: io/tokenFiles.ts), whose training split is read by window and never held
 * whole, with the block of every token when it was prepared with blocks. Node only.
 */
import { check } from "../engine/errors.js";
import { encodeCorpus, loadLmCorpus, type LmCorpusOptions } from "../data/lmCorpus.js";
import type { AnyTokenizer } from "../data/tokenizer.js";
import {
  SPLITS,
  TokenFolder,
  tokenizerHash,
  type SplitName,
  type TokenSource,
} from "../io/tokenFiles.js";

/** A run's text: the tokenizer, the training stream, the validation ids (and blocks). */
export interface RunCorpus {
  /** The checkpoint's `corpus` entry. */
  entry: LmCorpusOptions;
  tokenizer: AnyTokenizer;
  /** The training split: ids in memory, or a prepared folder's split read by window. */
  train: Int32Array | TokenSource;
  /** Tokens in the training split. */
  trainLength: number;
  valid: Int32Array;
  /** The block of every validation position (a folder prepared with blocks). */
  validBlocks?: Uint8Array;
  /** The first `count` training ids in memory (anchor scores read a prefix). */
  trainPrefix(count: number): Int32Array;
  /** The prepared folder, when the run reads one. */
  folder?: TokenFolder;
}

/** The corpus of a new run: the one `corpus` describes, or the prepared folder `data`. */
export function openRunCorpus(corpus: LmCorpusOptions, data?: string): RunCorpus {
  if (data === undefined) {
    const loaded = loadLmCorpus(corpus);
    return {
      entry: corpus,
      tokenizer: loaded.tokenizer,
      train: loaded.train,
      trainLength: loaded.train.length,
      valid: loaded.valid,
      trainPrefix: (count) => loaded.train.subarray(0, count),
    };
  }
  const folder = TokenFolder.open(data);
  const { tokenizer } = folder;
  return folderCorpus(folder, {
    corpus: data,
    tokenizer: tokenizer.kind,
    maxVocab: tokenizer.vocabSize,
    minCount: 1,
    lowercase: tokenizer.kind === "word",
    data: { folder: data, tokenizerSha256: tokenizerHash(tokenizer) },
  });
}

function folderCorpus(folder: TokenFolder, entry: LmCorpusOptions): RunCorpus {
  const valid = folder.window("valid", 0, folder.length("valid"));
  return {
    entry,
    tokenizer: folder.tokenizer,
    train: folder.source("train"),
    trainLength: folder.length("train"),
    valid: valid.tokens,
    ...(valid.blocks ? { validBlocks: valid.blocks } : {}),
    trainPrefix: (count) =>
      folder.window("train", 0, Math.min(count, folder.length("train"))).tokens,
    folder,
  };
}

/** The prepared folder of a saved model's corpus entry, checked against the model's tokenizer. */
function savedFolder(entry: LmCorpusOptions, tokenizer: AnyTokenizer): TokenFolder {
  const data = entry.data as NonNullable<LmCorpusOptions["data"]>;
  const folder = TokenFolder.open(data.folder);
  folder.checkTokenizer(tokenizer, `the model trained on ${data.folder}`);
  check(
    tokenizerHash(folder.tokenizer) === data.tokenizerSha256,
    `${data.folder} holds another tokenizer than the one the model recorded; prepare it again with the model's tokenizer`,
  );
  return folder;
}

/** The corpus of a saved run, to resume it: the same source, read the same way. */
export function savedRunCorpus(entry: LmCorpusOptions, tokenizer: AnyTokenizer): RunCorpus {
  if (entry.data) return folderCorpus(savedFolder(entry, tokenizer), entry);
  const splits = encodeCorpus(entry.corpus, tokenizer);
  return {
    entry,
    tokenizer,
    train: splits.train,
    trainLength: splits.train.length,
    valid: splits.valid,
    trainPrefix: (count) => splits.train.subarray(0, count),
  };
}

/**
 * A saved model's three splits as ids in memory (evaluation, the sweep, checks on a split), with
 * the block of every token when they come from a folder prepared with blocks.
 */
export function savedSplits(
  entry: LmCorpusOptions,
  tokenizer: AnyTokenizer,
): Record<SplitName, Int32Array> & { blocks?: Record<SplitName, Uint8Array> } {
  if (!entry.data) return encodeCorpus(entry.corpus, tokenizer);
  const folder = savedFolder(entry, tokenizer);
  try {
    const [train, valid, test] = SPLITS.map((split) =>
      folder.window(split, 0, folder.length(split)),
    );
    const ids = { train: train.tokens, valid: valid.tokens, test: test.tokens };
    if (!train.blocks || !valid.blocks || !test.blocks) return ids;
    return { ...ids, blocks: { train: train.blocks, valid: valid.blocks, test: test.blocks } };
  } finally {
    folder.close();
  }
}
