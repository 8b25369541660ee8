/**
 * Byte-level byte-pair encoding (Sennrich et al. 2016; GPT-2's byte-level variant, Radford et al.
 * 2019): text is cut into chunks by GPT-2's pre-tokenization pattern, each chunk's UTF-8 bytes are
 * pieces 0 … 255, and merge i joins two adjacent pieces into piece 256 + i. Encoding applies the
 * lowest-numbered applicable merge first (leftmost on ties) until none applies, so any text —
 * any bytes — encodes, and the pieces' bytes concatenate back to the text's bytes. Browser-safe.
 *
 * Training (trainBpe) is deterministic: each round merges the most frequent adjacent pair over the
 * chunk counts, ties to the smallest (left, right) piece ids, so the result depends only on the
 * multiset of chunks, not on their order.
 */
import { check } from "../engine/errors.js";

/**
 * GPT-2's pre-tokenization: English contractions, an optional space then letters, digits or other
 * symbols, and whitespace (the last space before a word goes with the word).
 */
export const GPT2_SPLIT_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Pieces that are single bytes. */
export const BYTE_PIECES = 256;

/** A pair key, left·2^21 + right: exact in a double for piece ids below 2^21. */
const PAIR_SHIFT = 2 ** 21;
const pairKey = (left: number, right: number) => left * PAIR_SHIFT + right;

const encoder = new TextEncoder();
const lenientDecoder = new TextDecoder("utf-8");

/**
 * A string that holds its own characters: V8 keeps a substring of 13 or more characters as a view
 * of its parent, so a long chunk kept as a map key would pin the whole (1 MiB) text it came from.
 */
export function detached(text: string): string {
  return text.length < 13 ? text : new TextDecoder().decode(encoder.encode(text));
}

/** The chunks of a text, in order, by GPT-2's pattern (they concatenate to the text). */
export function preTokenize(text: string): string[] {
  return text.match(GPT2_SPLIT_PATTERN) ?? [];
}

/**
 * GPT-2's printable stand-in for each byte (its `bytes_to_unicode`): the printable Latin-1 bytes
 * ! … ~, ¡ … ¬, ® … ÿ stand for themselves, the other 68 for U+0100 onwards in byte order; a
 * piece is written as the stand-ins of its bytes (e.g. " the" → "Ġthe").
 */
export const BYTE_SYMBOLS: readonly string[] = (() => {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : next++));
})();

/** The merges of a byte-level BPE and the encoder and decoder they define. */
export class BytePairEncoding {
  /** (M, 2) row-major: merge i joins pieces merges[2i] and merges[2i+1] into piece 256 + i. */
  readonly merges: Int32Array;
  /** Bytes of every piece, 256 + M of them. */
  readonly pieceBytes: readonly Uint8Array[];
  private readonly ranks = new Map<number, number>();
  private readonly cache = new Map<string, Int32Array>();

  /** Checks that every merge joins two earlier pieces and that no pair is merged twice. */
  constructor(merges: Int32Array) {
    check(merges.length % 2 === 0, "BPE merges must be (left, right) pairs");
    const count = merges.length / 2;
    check(
      BYTE_PIECES + count < PAIR_SHIFT,
      `BPE has ${count} merges; at most ${PAIR_SHIFT - BYTE_PIECES} are supported`,
    );
    this.merges = merges;
    const pieces: Uint8Array[] = Array.from({ length: BYTE_PIECES }, (_, b) => Uint8Array.of(b));
    for (let i = 0; i < count; i++) {
      const left = merges[2 * i];
      const right = merges[2 * i + 1];
      const limit = BYTE_PIECES + i;
      check(
        Number.isInteger(left) && Number.isInteger(right) && left >= 0 && right >= 0,
        `BPE merge ${i} must join two piece ids, got (${left}, ${right})`,
      );
      check(
        left < limit && right < limit,
        `BPE merge ${i} joins (${left}, ${right}) but only pieces below ${limit} exist before it`,
      );
      const key = pairKey(left, right);
      check(!this.ranks.has(key), `BPE merge ${i} repeats the pair (${left}, ${right})`);
      this.ranks.set(key, i);
      const joined = new Uint8Array(pieces[left].length + pieces[right].length);
      joined.set(pieces[left]);
      joined.set(pieces[right], pieces[left].length);
      pieces.push(joined);
    }
    this.pieceBytes = pieces;
  }

  /** Number of pieces, 256 + M. */
  get size(): number {
    return this.pieceBytes.length;
  }

  /** The pieces of one chunk's bytes: lowest merge first, leftmost on ties. */
  encodeBytes(bytes: Uint8Array): Int32Array {
    const parts = Array.from(bytes);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const rank = this.ranks.get(pairKey(parts[i], parts[i + 1]));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) return Int32Array.from(parts);
      // Merge every non-overlapping occurrence of the pair, left to right (as repeated single
      // merges would: the same pair stays the lowest-ranked one).
      const [left, right] = [parts[best], parts[best + 1]];
      const merged: number[] = parts.slice(0, best);
      for (let i = best; i < parts.length; i++) {
        if (i + 1 < parts.length && parts[i] === left && parts[i + 1] === right) {
          merged.push(BYTE_PIECES + bestRank);
          i++;
        } else merged.push(parts[i]);
      }
      parts.length = 0;
      parts.push(...merged);
    }
  }

  /** The pieces of one chunk (cached: chunks repeat, as words do). */
  encodeChunk(chunk: string): Int32Array {
    let pieces = this.cache.get(chunk);
    if (pieces === undefined) {
      pieces = this.encodeBytes(encoder.encode(chunk));
      if (this.cache.size >= 1 << 16) this.cache.clear(); // bounded memory on any input
      this.cache.set(detached(chunk), pieces);
    }
    return pieces;
  }

  /** The pieces of a text: its chunks' pieces in order. */
  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const chunk of preTokenize(text))
      for (const piece of this.encodeChunk(chunk)) out.push(piece);
    return Int32Array.from(out);
  }

  /** The bytes of a sequence of pieces. */
  bytesOf(pieces: ArrayLike<number>): Uint8Array {
    let length = 0;
    for (let i = 0; i < pieces.length; i++) length += this.piece(pieces[i]).length;
    const out = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      const bytes = this.piece(pieces[i]);
      out.set(bytes, at);
      at += bytes.length;
    }
    return out;
  }

  /** The text of a sequence of pieces (invalid UTF-8, from a cut-off sequence, as U+FFFD). */
  decode(pieces: ArrayLike<number>): string {
    return lenientDecoder.decode(this.bytesOf(pieces));
  }

  /** A piece's bytes written with GPT-2's byte stand-ins (BYTE_SYMBOLS). */
  symbolOf(piece: number): string {
    let text = "";
    for (const b of this.piece(piece)) text += BYTE_SYMBOLS[b];
    return text;
  }

  private piece(id: number): Uint8Array {
    const bytes = this.pieceBytes[id];
    check(
      bytes !== undefined,
      () => `BPE piece ${id} is outside the vocabulary [0, ${this.pieceBytes.length})`,
    );
    return bytes;
  }
}

/** A binary max-heap of pair entries, ordered by count, then by the smaller pair key. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } {
    const top = { count: this.counts[0], key: this.keys[0] };
    const last = this.keys.length - 1;
    this.swap(0, last);
    this.counts.pop();
    this.keys.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < last && this.above(l, best)) best = l;
      if (r < last && this.above(r, best)) best = r;
      if (best === i) return top;
      this.swap(i, best);
      i = best;
    }
  }
}

/**
 * Learns up to `merges` merges from chunk counts (chunk text → occurrences, e.g. from
 * countChunks): each round joins the most frequent adjacent pair of pieces within chunks (ties to
 * the smallest left, then right, piece id); stops early when no pair occurs twice or more.
 * Pair counts are updated only in the chunks that hold the merged pair, so a round costs the size
 * of those chunks, not of the corpus.
 */
export function trainBpe(counts: ReadonlyMap<string, number>, merges: number): BytePairEncoding {
  check(
    Number.isInteger(merges) && merges >= 0,
    `the number of BPE merges must be an integer ≥ 0, got ${merges}`,
  );
  const words: number[][] = [];
  const frequency: number[] = [];
  for (const [chunk, count] of counts) {
    const bytes = encoder.encode(chunk);
    if (bytes.length < 2 || count <= 0) continue;
    words.push(Array.from(bytes));
    frequency.push(count);
  }
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const changed = new Set<number>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const word = words[w];
    for (let i = 0; i + 1 < word.length; i++) {
      const key = pairKey(word[i], word[i + 1]);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * frequency[w]);
      changed.add(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);
  const heap = new PairHeap();
  const flush = () => {
    for (const key of changed) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) heap.push(count, key);
    }
    changed.clear();
  };
  flush();
  const learned: number[] = [];
  while (learned.length / 2 < merges && heap.size > 0) {
    const { count, key } = heap.pop();
    if (pairCounts.get(key) !== count) continue; // stale: the pair's count has changed since
    if (count < 2) break; // a merge seen once compresses nothing worth a vocabulary entry
    const left = Math.floor(key / PAIR_SHIFT);
    const right = key - left * PAIR_SHIFT;
    const piece = BYTE_PIECES + learned.length / 2;
    learned.push(left, right);
    const holders = [...(pairWords.get(key) ?? [])];
    pairWords.delete(key);
    for (const w of holders) {
      const word = words[w];
      let has = false;
      for (let i = 0; i + 1 < word.length && !has; i++)
        has = word[i] === left && word[i + 1] === right;
      if (!has) continue; // this chunk lost the pair to an earlier merge
      addPairs(w, -1);
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
          merged.push(piece);
          i++;
        } else merged.push(word[i]);
      }
      words[w] = merged;
      addPairs(w, 1);
    }
    pairCounts.delete(key);
    changed.delete(key);
    flush();
  }
  return new BytePairEncoding(Int32Array.from(learned));
}

/** Adds the GPT-2 chunks of `text` to `counts` (chunk → occurrences), for trainBpe. */
export function countChunks(
  text: string,
  counts: Map<string, number> = new Map(),
): Map<string, number> {
  for (const chunk of preTokenize(text)) {
    const count = counts.get(chunk);
    counts.set(count === undefined ? detached(chunk) : chunk, (count ?? 0) + 1);
  }
  return counts;
}
