/**
 * Prepared token folders: a corpus as binary token and block files, read by window without the
 * text (the same layout the PyTorch twin reads, docs/corpus.md):
 *
 *   DATA/manifest.json          format, version, dtype, tokenizer hash, blocks, split sizes, sources
 *   DATA/tokenizer.json         the tokenizer, as a checkpoint stores it
 *   DATA/{train,valid,test}.tokens.bin   little-endian uint16 (vocabulary ≤ 65 536) or uint32, no header
 *   DATA/{train,valid,test}.blocks.bin   uint8 block id per token (when prepared with blocks)
 *
 * The writer fills a temporary sibling folder and renames it at the end, so DATA appears whole or
 * not at all; the reader checks every file against the manifest before the first read.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { z } from "zod";
import { check, LocalistError, oneLine } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import type { StoredLexicon } from "../data/lexicon.js";
import { tokenizerFromJSON, type AnyTokenizer } from "../data/tokenizer.js";
import { syncFolder } from "./atomicWrite.js";

export const TOKEN_FORMAT = "localist-tokens";
export const TOKEN_FORMAT_VERSION = 1;
/** The splits of a prepared folder, in file order. */
export const SPLITS = ["train", "valid", "test"] as const;
/** One of {@link SPLITS}. */
export type SplitName = (typeof SPLITS)[number];

/** manifest.json of a prepared folder. */
export interface TokenManifest {
  format: typeof TOKEN_FORMAT;
  version: number;
  dtype: "uint16" | "uint32";
  tokenizer: { file: "tokenizer.json"; sha256: string };
  /** Block names and their source; a lexicon's phrases when its blocks came from one. */
  blocks: null | { source: string; names: string[]; lexicon?: StoredLexicon };
  splits: Record<SplitName, { tokens: number }>;
  sources: { file: string; bytes: number }[];
}

const count = z.number().int().min(0);
const MANIFEST_SCHEMA = z.object({
  format: z.literal(TOKEN_FORMAT),
  version: z.literal(TOKEN_FORMAT_VERSION),
  dtype: z.enum(["uint16", "uint32"]),
  tokenizer: z.object({
    file: z.literal("tokenizer.json"),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  blocks: z.union([
    z.null(),
    z.object({
      source: z.string(),
      names: z.array(z.string()).min(1).max(256),
      lexicon: z
        .object({
          fallback: z.enum(["tagger", "other"]),
          phrases: z.record(z.string(), z.array(z.string())),
        })
        .optional(),
    }),
  ]),
  splits: z.object({
    train: z.object({ tokens: count }),
    valid: z.object({ tokens: count }),
    test: z.object({ tokens: count }),
  }),
  sources: z.array(z.object({ file: z.string(), bytes: count })),
});

/** The text of a tokenizer.json, byte for byte as a checkpoint writes it (src/io/checkpoint.ts). */
export function tokenizerText(tokenizer: AnyTokenizer): string {
  return `${JSON.stringify(tokenizer.toJSON(), null, 2)}\n`;
}

/** SHA-256 (hex) of a tokenizer's tokenizer.json text: what a manifest records and checks. */
export function tokenizerHash(tokenizer: AnyTokenizer): string {
  return createHash("sha256").update(tokenizerText(tokenizer)).digest("hex");
}

/** uint16 for vocabularies of at most 65 536 ids, else uint32. */
export function tokenDtype(vocabSize: number): "uint16" | "uint32" {
  return vocabSize <= 65536 ? "uint16" : "uint32";
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const FLUSH_TOKENS = 1 << 20;

/** One split's open files and its buffered tokens. */
class SplitWriter {
  tokens = 0;
  private readonly ids: number[] = [];
  private readonly blockIds: number[] = [];
  private readonly tokenFd: number;
  private readonly blockFd: number | undefined;

  constructor(
    folder: string,
    split: SplitName,
    private readonly dtype: "uint16" | "uint32",
    withBlocks: boolean,
  ) {
    this.tokenFd = openSync(path.join(folder, `${split}.tokens.bin`), "wx");
    this.blockFd = withBlocks
      ? openSync(path.join(folder, `${split}.blocks.bin`), "wx")
      : undefined;
  }

  append(ids: ArrayLike<number>, blocks?: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) this.ids.push(ids[i]);
    if (this.blockFd !== undefined) {
      check(
        blocks !== undefined && blocks.length === ids.length,
        "every token needs a block in a folder prepared with blocks",
      );
      for (let i = 0; i < blocks.length; i++) this.blockIds.push(blocks[i]);
    }
    this.tokens += ids.length;
    if (this.ids.length >= FLUSH_TOKENS) this.flush();
  }

  flush(): void {
    if (this.ids.length === 0) return;
    const typed = this.dtype === "uint16" ? Uint16Array.from(this.ids) : Uint32Array.from(this.ids);
    writeAll(this.tokenFd, littleEndian(typed));
    this.ids.length = 0;
    if (this.blockFd !== undefined) {
      writeAll(this.blockFd, Uint8Array.from(this.blockIds));
      this.blockIds.length = 0;
    }
  }

  close(sync: boolean): void {
    for (const fd of [this.tokenFd, this.blockFd]) {
      if (fd === undefined) continue;
      if (sync) fsyncSync(fd);
      closeSync(fd);
    }
  }
}

function littleEndian(values: Uint16Array | Uint32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) =>
    values.BYTES_PER_ELEMENT === 2
      ? view.setUint16(2 * i, v, true)
      : view.setUint32(4 * i, v, true),
  );
  return out;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** What the writer needs to know up front. */
export interface TokenFolderSpec {
  tokenizer: AnyTokenizer;
  /** Block names and where they came from (with a lexicon's phrases); null without blocks. */
  blocks: null | { source: string; names: readonly string[]; lexicon?: StoredLexicon };
  sources: { file: string; bytes: number }[];
}

/**
 * Writes a prepared folder: `append` tokens (and blocks) to a split as they come, then `commit`
 * (manifest, tokenizer, fsync, rename into place) or `abort` (remove everything written).
 */
export class TokenFolderWriter {
  readonly folder: string;
  private readonly temporary: string;
  private readonly splits: Record<SplitName, SplitWriter>;
  private readonly dtype: "uint16" | "uint32";
  private done = false;

  /** Starts writing `folder`, which must not exist yet (prepare never overwrites). */
  constructor(
    folder: string,
    private readonly spec: TokenFolderSpec,
  ) {
    this.folder = path.resolve(folder);
    check(
      !existsSync(this.folder),
      `${folder} already exists; give a new folder for the prepared data (it is never overwritten)`,
    );
    const parent = path.dirname(this.folder);
    check(
      existsSync(parent),
      `cannot create ${folder}: its parent folder ${parent} does not exist`,
    );
    this.temporary = path.join(
      parent,
      `.${path.basename(this.folder)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`,
    );
    this.dtype = tokenDtype(spec.tokenizer.vocabSize);
    if (spec.blocks)
      check(
        spec.blocks.names.length >= 1 && spec.blocks.names.length <= 256,
        `a prepared folder holds 1 to 256 blocks (one byte each), got ${spec.blocks.names.length}`,
      );
    try {
      mkdirSync(this.temporary);
      const open = (split: SplitName) =>
        new SplitWriter(this.temporary, split, this.dtype, spec.blocks !== null);
      this.splits = { train: open("train"), valid: open("valid"), test: open("test") };
    } catch (error) {
      rmSync(this.temporary, { recursive: true, force: true });
      throw new LocalistError(`cannot create ${folder}: ${oneLine(error)}`);
    }
  }

  /** Tokens so far, per split. */
  counts(): Record<SplitName, number> {
    return {
      train: this.splits.train.tokens,
      valid: this.splits.valid.tokens,
      test: this.splits.test.tokens,
    };
  }

  /** Appends token ids (and their block ids when the folder has blocks) to a split. */
  append(split: SplitName, ids: ArrayLike<number>, blocks?: ArrayLike<number>): void {
    this.splits[split].append(ids, blocks);
  }

  /** Writes the manifest and the tokenizer, makes everything durable and renames the folder into place. */
  commit(): TokenManifest {
    check(!this.done, "the prepared folder is already finished");
    try {
      for (const split of SPLITS) this.splits[split].flush();
      for (const split of SPLITS) this.splits[split].close(true);
      const manifest: TokenManifest = {
        format: TOKEN_FORMAT,
        version: TOKEN_FORMAT_VERSION,
        dtype: this.dtype,
        tokenizer: { file: "tokenizer.json", sha256: tokenizerHash(this.spec.tokenizer) },
        blocks: this.spec.blocks
          ? {
              source: this.spec.blocks.source,
              names: [...this.spec.blocks.names],
              ...(this.spec.blocks.lexicon ? { lexicon: this.spec.blocks.lexicon } : {}),
            }
          : null,
        splits: {
          train: { tokens: this.splits.train.tokens },
          valid: { tokens: this.splits.valid.tokens },
          test: { tokens: this.splits.test.tokens },
        },
        sources: this.spec.sources,
      };
      writeDurable(path.join(this.temporary, "tokenizer.json"), tokenizerText(this.spec.tokenizer));
      writeDurable(
        path.join(this.temporary, "manifest.json"),
        `${JSON.stringify(manifest, null, 2)}\n`,
      );
      syncFolder(this.temporary);
      renameSync(this.temporary, this.folder);
      syncFolder(path.dirname(this.folder));
      this.done = true;
      return manifest;
    } catch (error) {
      this.abort();
      throw error instanceof LocalistError
        ? error
        : new LocalistError(`cannot write ${this.folder}: ${oneLine(error)}`);
    }
  }

  /** Removes everything written so far; the target folder never appears. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    for (const split of SPLITS) {
      try {
        this.splits[split].close(false);
      } catch {
        // already closed
      }
    }
    rmSync(this.temporary, { recursive: true, force: true });
  }
}

function writeDurable(file: string, text: string): void {
  const fd = openSync(file, "wx");
  try {
    writeAll(fd, new TextEncoder().encode(text));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A window of a split: token ids and, when the folder has blocks, their block ids. */
export interface TokenWindow {
  tokens: Int32Array;
  blocks?: Uint8Array;
}

/** A token stream read by window: a split of a prepared folder, or ids in memory (memorySource). */
export interface TokenSource {
  /** Tokens in the stream. */
  readonly length: number;
  /** Tokens [start, start + length) and their blocks. */
  window(start: number, length: number): TokenWindow;
}

/** Ids (and blocks) held in memory as a TokenSource. */
export function memorySource(tokens: Int32Array, blocks?: Uint8Array): TokenSource {
  check(
    blocks === undefined || blocks.length === tokens.length,
    `a stream of ${tokens.length} tokens came with ${blocks?.length} block ids`,
  );
  return {
    length: tokens.length,
    window: (start, length) => ({
      tokens: tokens.subarray(start, start + length),
      ...(blocks ? { blocks: blocks.subarray(start, start + length) } : {}),
    }),
  };
}

/**
 * A prepared folder opened for reading by window: the manifest and tokenizer checked, every file's
 * size checked against the manifest; nothing of the text is read.
 */
export class TokenFolder {
  readonly folder: string;
  readonly manifest: TokenManifest;
  readonly tokenizer: AnyTokenizer;
  private readonly fds = new Map<string, number>();
  private readonly width: 2 | 4;

  private constructor(folder: string, manifest: TokenManifest, tokenizer: AnyTokenizer) {
    this.folder = folder;
    this.manifest = manifest;
    this.tokenizer = tokenizer;
    this.width = manifest.dtype === "uint16" ? 2 : 4;
  }

  /** Opens and checks a prepared folder; every problem is one line naming the file. */
  static open(folder: string): TokenFolder {
    check(
      existsSync(folder) && statSync(folder).isDirectory(),
      `${folder} is not a prepared data folder (no such folder); make one with localist prepare`,
    );
    const manifestPath = path.join(folder, "manifest.json");
    check(
      existsSync(manifestPath),
      `${folder} is not a prepared data folder (no manifest.json); make one with localist prepare`,
    );
    let raw: unknown;
    try {
      raw = JSON.parse(
        readLimitedFile(manifestPath, "manifest", FILE_LIMITS.json).toString("utf8"),
      );
    } catch (error) {
      if (error instanceof LocalistError) throw error;
      throw new LocalistError(`${manifestPath} is not valid JSON (${oneLine(error)})`);
    }
    const manifest = parseWith(MANIFEST_SCHEMA, raw, manifestPath) as TokenManifest;
    const tokenizerPath = path.join(folder, "tokenizer.json");
    const bytes = readLimitedFile(tokenizerPath, "tokenizer", FILE_LIMITS.json);
    const hash = createHash("sha256").update(bytes).digest("hex");
    check(
      hash === manifest.tokenizer.sha256,
      `${tokenizerPath} does not match the hash in manifest.json; the folder was changed after it was prepared — prepare it again`,
    );
    let tokenizer: AnyTokenizer;
    try {
      tokenizer = tokenizerFromJSON(bytes.toString("utf8"));
    } catch (error) {
      throw new LocalistError(`${tokenizerPath}: ${oneLine(error)}`);
    }
    check(
      manifest.dtype === tokenDtype(tokenizer.vocabSize),
      `${manifestPath}: dtype ${manifest.dtype} does not fit a vocabulary of ${tokenizer.vocabSize}`,
    );
    const opened = new TokenFolder(folder, manifest, tokenizer);
    try {
      for (const split of SPLITS) {
        const expected = manifest.splits[split].tokens;
        opened.openFile(`${split}.tokens.bin`, expected * opened.width);
        if (manifest.blocks) opened.openFile(`${split}.blocks.bin`, expected);
      }
    } catch (error) {
      opened.close();
      throw error;
    }
    return opened;
  }

  private openFile(name: string, bytes: number): void {
    const file = path.join(this.folder, name);
    check(
      existsSync(file),
      `${file} is missing; the prepared folder is incomplete — prepare it again`,
    );
    const size = statSync(file).size;
    check(
      size === bytes,
      `${file} has ${size} bytes but manifest.json says ${bytes}; the prepared folder is damaged — prepare it again`,
    );
    this.fds.set(name, openSync(file, "r"));
  }

  /** Number of tokens in a split. */
  length(split: SplitName): number {
    return this.manifest.splits[split].tokens;
  }

  /** A split as a TokenSource (reads go to disk, window by window). */
  source(split: SplitName): TokenSource {
    return {
      length: this.length(split),
      window: (start, length) => this.window(split, start, length),
    };
  }

  /** Block names, or undefined for a folder without blocks. */
  get blockNames(): readonly string[] | undefined {
    return this.manifest.blocks?.names;
  }

  /**
   * Checks that a model's tokenizer is the one the folder was prepared with (same tokenizer.json
   * text, by SHA-256); `what` names the model in the error.
   */
  checkTokenizer(tokenizer: AnyTokenizer, what: string): void {
    check(
      tokenizerHash(tokenizer) === this.manifest.tokenizer.sha256,
      `${this.folder} was prepared with a different tokenizer than ${what} (tokenizer.json hashes differ); prepare the data with that model's tokenizer`,
    );
  }

  /** Tokens [start, start + length) of a split (and their blocks), read from disk. */
  window(split: SplitName, start: number, length: number): TokenWindow {
    const total = this.length(split);
    check(
      Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length >= 0,
      `a window needs a start and length ≥ 0, got ${start}, ${length}`,
    );
    check(
      start + length <= total,
      () => `window [${start}, ${start + length}) is past the end of ${split} (${total} tokens)`,
    );
    const raw = new Uint8Array(length * this.width);
    this.readAt(`${split}.tokens.bin`, raw, start * this.width);
    const tokens = new Int32Array(length);
    const view = new DataView(raw.buffer);
    if (this.width === 2) for (let i = 0; i < length; i++) tokens[i] = view.getUint16(2 * i, true);
    else for (let i = 0; i < length; i++) tokens[i] = view.getUint32(4 * i, true);
    const vocab = this.tokenizer.vocabSize;
    for (let i = 0; i < length; i++)
      check(
        tokens[i] < vocab,
        () =>
          `${path.join(this.folder, `${split}.tokens.bin`)} holds token id ${tokens[i]} at ${start + i}, outside the vocabulary of ${vocab}; prepare the folder again`,
      );
    if (!this.manifest.blocks) return { tokens };
    const blocks = new Uint8Array(length);
    this.readAt(`${split}.blocks.bin`, blocks, start);
    const names = this.manifest.blocks.names.length;
    for (let i = 0; i < length; i++)
      check(
        blocks[i] < names,
        () =>
          `${path.join(this.folder, `${split}.blocks.bin`)} holds block ${blocks[i]} at ${start + i}, but there are ${names} blocks; prepare the folder again`,
      );
    return { tokens, blocks };
  }

  private readAt(name: string, into: Uint8Array, position: number): void {
    const fd = this.fds.get(name) as number;
    let done = 0;
    while (done < into.length) {
      const got = readSync(fd, into, done, into.length - done, position + done);
      check(got > 0, `${path.join(this.folder, name)} ended early; prepare the folder again`);
      done += got;
    }
  }

  /** Closes the files. */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
