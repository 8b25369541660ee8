/**
 * Blocks for a model trained on a prepared folder with blocks per occurrence (tagger, lexicon,
 * Brown's gold tags): the block names from the manifest, and a token → block table for positions
 * that come without a block of their own (a token generated one at a time, text given as ids):
 * each token's most frequent block over the training split (ties to the lower block id; a token
 * never seen takes the layout block, `punctuation` or else `other`). Positions with their own
 * block (TokenBatch.blocks) use it; the table is the fallback. A lexicon's phrases come along, so
 * the model can label new text as its data was.
 */
import { check } from "../engine/errors.js";
import type { TokenFolder } from "../io/tokenFiles.js";
import type { BlockSpec } from "./blocks.js";

/** Tokens read at once while counting. */
const WINDOW = 1 << 20;

/** The token-table blocks of a prepared folder with blocks (see the file comment). */
export function blocksOfFolder(folder: TokenFolder): BlockSpec & { kind: "tokens" } {
  const names = folder.blockNames;
  check(
    names !== undefined,
    `${folder.folder} was prepared without blocks; prepare it with blocks (tagger, lexicon or pos) or use positional windows`,
  );
  check(
    names.length >= 2,
    `${folder.folder} has ${names.length} block; a partition needs at least 2`,
  );
  const g = names.length;
  const vocab = folder.tokenizer.vocabSize;
  const counts = new Float64Array(vocab * g); // (V, g)
  const total = folder.length("train");
  for (let start = 0; start < total; start += WINDOW) {
    const { tokens, blocks } = folder.window("train", start, Math.min(WINDOW, total - start));
    for (let i = 0; i < tokens.length; i++) counts[tokens[i] * g + (blocks as Uint8Array)[i]]++;
  }
  const punctuation = names.indexOf("punctuation");
  const other = names.indexOf("other");
  const layout = punctuation >= 0 ? punctuation : Math.max(0, other);
  const tokenBlocks = Array.from({ length: vocab }, (_, id) => {
    let best = -1;
    let bestCount = 0;
    for (let b = 0; b < g; b++)
      if (counts[id * g + b] > bestCount) {
        bestCount = counts[id * g + b];
        best = b;
      }
    return best < 0 ? layout : best;
  });
  const lexicon = folder.manifest.blocks?.lexicon;
  return {
    kind: "tokens",
    source: folder.manifest.blocks?.source ?? "",
    names: [...names],
    tokenBlocks,
    ...(lexicon ? { lexicon } : {}),
  };
}
