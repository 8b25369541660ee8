/**
 * Where a new model's blocks come from (./blocks.ts): the Brown part-of-speech tags, positional
 * windows, or a JSON block map on disk. Node only (it reads the corpus and files); a saved model's
 * blocks are read with the checkpoint.
 */
import { z } from "zod";
import { check, LocalistError } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";
import { loadBrown, splitBrownDocuments } from "../data/brown.js";
import { EOS_ID, UNK_ID, type Tokenizer } from "../data/tokenizer.js";
import { readJsonFile } from "../io/json.js";
import type { BlockSpec } from "./blocks.js";
import { posBlocksFrom } from "./posBlocks.js";

/** Block names and per-token block ids from the Brown training documents' tags. */
export function posBlocks(tokenizer: Tokenizer): BlockSpec {
  return posBlocksFrom(splitBrownDocuments(loadBrown()).train, tokenizer);
}

/** A block map file: token → block name. */
const BLOCK_MAP_SCHEMA = z.record(z.string(), z.string().min(1));

/** Blocks from a JSON file mapping every vocabulary token to a block name. */
export function fileBlocks(path: string, vocabulary: readonly string[]): BlockSpec {
  const entries = parseWith(
    BLOCK_MAP_SCHEMA,
    readJsonFile(path, "block map"),
    `block map ${path} (expected {"token": "block", …})`,
  );
  const names: string[] = [];
  const index = new Map<string, number>();
  const tokenBlocks: number[] = [];
  const missing: string[] = [];
  vocabulary.forEach((token, id) => {
    // Own properties only: a token like "constructor" is not in the map unless the map says so.
    const block = Object.hasOwn(entries, token) ? entries[token] : undefined;
    if (block === undefined) {
      if (id === UNK_ID || id === EOS_ID) {
        tokenBlocks.push(-1);
        return;
      }
      missing.push(token);
      tokenBlocks.push(-1);
      return;
    }
    if (!index.has(block)) {
      index.set(block, names.length);
      names.push(block);
    }
    tokenBlocks.push(index.get(block) as number);
  });
  if (missing.length > 0) {
    const shown = missing
      .slice(0, 5)
      .map((t) => `'${t}'`)
      .join(", ");
    throw new LocalistError(
      `block map ${path} leaves ${missing.length} of ${vocabulary.length} vocabulary tokens unassigned (${shown}${missing.length > 5 ? ", …" : ""}); map every token to a block`,
    );
  }
  check(
    names.length >= 2,
    `block map ${path} uses ${names.length} block; a partition needs at least 2 blocks`,
  );
  // Special tokens not in the map join an "other" block.
  if (tokenBlocks.includes(-1)) {
    let other = index.get("other");
    if (other === undefined) {
      other = names.length;
      names.push("other");
    }
    for (let i = 0; i < tokenBlocks.length; i++) if (tokenBlocks[i] === -1) tokenBlocks[i] = other;
  }
  return { kind: "tokens", source: path, names, tokenBlocks };
}

/** Parses `pos`, `window:W` or a file path. */
export function resolveBlocks(
  spec: string,
  tokenizer: Tokenizer,
  vocabulary: readonly string[],
): BlockSpec {
  if (spec === "pos") return posBlocks(tokenizer);
  const window = /^window:(\d+)$/.exec(spec);
  if (window) {
    const width = Number(window[1]);
    check(width >= 1, `\`localist.blocks\` window:W needs W ≥ 1, got ${width}`);
    return { kind: "window", width };
  }
  return fileBlocks(spec, vocabulary);
}
