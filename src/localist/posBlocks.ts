/**
 * Part-of-speech blocks from Brown-tagged documents, browser-safe: the command line passes the
 * Brown training split (./blockSources.ts), the Lab the sample it carries.
 */
import { check } from "../engine/errors.js";
import { COARSE_CLASSES, coarseTag, type BrownDocument } from "../data/brownTags.js";
import { EOS_ID, UNK_ID, type Tokenizer } from "../data/tokenizer.js";
import type { BlockSpec } from "./blocks.js";

/** Block names and per-token block ids from tagged documents (each word's most frequent coarse class). */
export function posBlocksFrom(
  documents: readonly BrownDocument[],
  tokenizer: Tokenizer,
): BlockSpec {
  check(
    tokenizer.kind === "word",
    "`localist.blocks` pos needs a word tokenizer (part-of-speech tags label words); set `corpus.tokenizer` to word",
  );
  const names = [...COARSE_CLASSES];
  const index = new Map(names.map((n, i) => [n, i]));
  const counts = new Map<number, Int32Array>();
  for (const document of documents) {
    for (const sentence of document.sentences) {
      for (const token of sentence) {
        const id = tokenizer.encode([token.word])[0];
        let row = counts.get(id);
        if (!row) counts.set(id, (row = new Int32Array(names.length)));
        row[index.get(coarseTag(token.tag)) as number]++;
      }
    }
  }
  const other = index.get("other") as number;
  const tokenBlocks = Array.from({ length: tokenizer.vocabSize }, (_, id) => {
    if (id === EOS_ID) return index.get("punctuation") as number;
    if (id === UNK_ID) return other;
    const row = counts.get(id);
    if (!row) return other;
    let best = 0;
    for (let b = 1; b < row.length; b++) if (row[b] > row[best]) best = b;
    return best;
  });
  return { kind: "tokens", source: "pos", names, tokenBlocks };
}
