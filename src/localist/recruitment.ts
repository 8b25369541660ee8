/**
 * Recruitment (docs/math.md#recruitment): start with few blocks and split one in two while a split
 * pays for itself. A candidate split of block b comes from 2-means on the key vectors of b's
 * tokens (the layer-0 key of each token type, k_v = LN₁(E[v]) W_k, weighted by its frequency);
 * it is taken when the drop in the training split's description length under the blocks' own
 * model, the class bigram
 *
 *   L(g) = −Σ_i log₂ p(g(x_i) | g(x_{i−1})) − Σ_i log₂ p(x_i | g(x_i))   (bits, ML estimates),
 *
 * exceeds the description-length cost of the new block,
 *
 *   C = n_b + (2G + 1) · ½ log₂ N   (one bit per token of b for its half; the transition table
 *                                     grows from G² to (G + 1)² entries, ½ log₂ N bits each).
 *
 * L(g)/N = H(X) − I(g(x_{i−1}); g(x_i)), so the drop is N times the gain in mutual information
 * between neighbouring blocks: a split pays when its halves are followed by different blocks.
 * Heads that pointed at b are shared between the halves (alternately; a lone head keeps both).
 *
 * Shapes: V vocabulary, D width, G blocks, N positions.
 */
import type { BlockSpec } from "./blocks.js";
import type { Routing } from "./routing.js";

/** One split, as recorded in the checkpoint and the metrics log. */
export interface Recruitment {
  /** The training step of the split. */
  step: number;
  /** The block split, and the names of its two halves. */
  block: string;
  /** The names of the two new blocks. */
  into: [string, string];
  /** Vocabulary tokens (seen in training) in each half. */
  sizes: [number, number];
  /** Drop in description length and the cost it had to exceed, in bits. */
  gainBits: number;
  /** The cost in bits the gain had to exceed (the description of one more block). */
  costBits: number;
  /** The most frequent tokens of each half. */
  examples: [string[], string[]];
}

/** L(g) of a token stream under a block assignment: class-bigram code length in bits. */
export function classBigramBits(
  ids: Int32Array,
  tokenBlocks: ArrayLike<number>,
  g: number,
): number {
  const n = ids.length;
  if (n < 2) return 0;
  const pairs = new Float64Array(g * g);
  const previous = new Float64Array(g); // counts of g(x_{i−1}) for i ≥ 1
  const blockCount = new Float64Array(g); // counts of g(x_i), i ≥ 1
  const tokenCount = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const a = tokenBlocks[ids[i - 1]];
    const b = tokenBlocks[ids[i]];
    pairs[a * g + b]++;
    previous[a]++;
    blockCount[b]++;
    tokenCount.set(ids[i], (tokenCount.get(ids[i]) ?? 0) + 1);
  }
  let bits = 0;
  for (let a = 0; a < g; a++)
    for (let b = 0; b < g; b++) {
      const c = pairs[a * g + b];
      if (c > 0) bits -= c * Math.log2(c / previous[a]);
    }
  for (const [token, c] of tokenCount) bits -= c * Math.log2(c / blockCount[tokenBlocks[token]]);
  return bits;
}

/** The description-length cost C of one more block (see the file comment). */
export function splitCostBits(tokensInBlock: number, blocks: number, positions: number): number {
  return tokensInBlock + (2 * blocks + 1) * 0.5 * Math.log2(Math.max(2, positions));
}

/**
 * Weighted 2-means of the rows of `points` (n × d, row-major) with weights `w`: Lloyd's iterations
 * from the heaviest point and the point farthest from it (weighted). Returns 0/1 per row.
 */
export function twoMeans(
  points: Float64Array,
  w: ArrayLike<number>,
  d: number,
  iterations = 20,
): Uint8Array {
  const n = w.length;
  const labels = new Uint8Array(n);
  if (n < 2) return labels;
  const dist = (i: number, c: Float64Array) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (points[i * d + k] - c[k]) ** 2;
    return s;
  };
  let first = 0;
  for (let i = 1; i < n; i++) if (w[i] > w[first]) first = i;
  const centres = [points.slice(first * d, first * d + d), new Float64Array(d)];
  let far = first === 0 ? 1 : 0;
  for (let i = 0; i < n; i++)
    if (w[i] * dist(i, centres[0]) > w[far] * dist(far, centres[0])) far = i;
  centres[1] = points.slice(far * d, far * d + d);
  for (let it = 0; it < iterations; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const label = dist(i, centres[1]) < dist(i, centres[0]) ? 1 : 0;
      if (label !== labels[i]) changed = true;
      labels[i] = label;
    }
    for (const c of [0, 1]) {
      const sum = new Float64Array(d);
      let mass = 0;
      for (let i = 0; i < n; i++) {
        if (labels[i] !== c) continue;
        mass += w[i];
        for (let k = 0; k < d; k++) sum[k] += w[i] * points[i * d + k];
      }
      if (mass > 0) centres[c] = sum.map((x) => x / mass);
    }
    if (!changed && it > 0) break;
  }
  return labels;
}

/** Layer-0 keys k_v = LN(E[v]) W_k (V × D) from host copies of the parameters. */
export function tokenKeys(
  embedding: Float64Array,
  scale: Float64Array,
  bias: Float64Array,
  wk: Float64Array,
  d: number,
): Float64Array {
  const v = embedding.length / d;
  const keys = new Float64Array(v * d);
  const normed = new Float64Array(d);
  for (let t = 0; t < v; t++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += embedding[t * d + k];
    mean /= d;
    let variance = 0;
    for (let k = 0; k < d; k++) variance += (embedding[t * d + k] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / d + 1e-5);
    for (let k = 0; k < d; k++)
      normed[k] = (embedding[t * d + k] - mean) * inv * scale[k] + bias[k];
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += normed[k] * wk[k * d + j];
      keys[t * d + j] = s;
    }
  }
  return keys;
}

/** A candidate split of one block: which of its tokens go to the new half, and its worth. */
export interface SplitCandidate {
  block: number;
  /** Token ids moved to the new block. */
  moved: number[];
  kept: number[];
  gainBits: number;
  costBits: number;
}

/** Coarse part-of-speech classes that start as one "content" block; the rest start as "function". */
const CONTENT_CLASSES = ["noun", "verb", "adjective-adverb"];

/**
 * The starting blocks of recruitment for part-of-speech blocks: content (noun, verb,
 * adjective-adverb) and function (every other class).
 */
export function contentAndFunction(
  blocks: Extract<BlockSpec, { kind: "tokens" }>,
): Extract<BlockSpec, { kind: "tokens" }> {
  const content = new Set(
    blocks.names.flatMap((name, i) => (CONTENT_CLASSES.includes(name) ? [i] : [])),
  );
  return {
    ...blocks,
    names: ["content", "function"],
    tokenBlocks: blocks.tokenBlocks.map((b) => (content.has(b) ? 0 : 1)),
  };
}

/** The split of any block with the most gain over cost (it pays when gain > cost), if any block has two tokens. */
export function bestSplit(
  ids: Int32Array,
  tokenBlocks: readonly number[],
  blocks: number,
  keys: Float64Array,
  d: number,
): SplitCandidate | undefined {
  const frequency = new Float64Array(tokenBlocks.length);
  for (const id of ids) frequency[id]++;
  const before = classBigramBits(ids, tokenBlocks, blocks);
  let best: SplitCandidate | undefined;
  for (let b = 0; b < blocks; b++) {
    const members = tokenBlocks.flatMap((block, id) =>
      block === b && frequency[id] > 0 ? [id] : [],
    );
    if (members.length < 2) continue;
    const points = new Float64Array(members.length * d);
    members.forEach((id, i) => points.set(keys.subarray(id * d, id * d + d), i * d));
    const labels = twoMeans(
      points,
      members.map((id) => frequency[id]),
      d,
    );
    const moved = members.filter((_, i) => labels[i] === 1);
    if (moved.length === 0 || moved.length === members.length) continue;
    const trial = [...tokenBlocks];
    for (const id of moved) trial[id] = blocks;
    const gainBits = before - classBigramBits(ids, trial, blocks + 1);
    const costBits = splitCostBits(members.length, blocks, ids.length);
    if (!best || gainBits - costBits > best.gainBits - best.costBits)
      best = {
        block: b,
        moved,
        kept: members.filter((_, i) => labels[i] === 0),
        gainBits,
        costBits,
      };
  }
  return best;
}

/** The blocks after a split: the moved tokens form a new block named `<name>.2`, the rest `<name>.1`. */
export function splitBlocks(
  blocks: Extract<BlockSpec, { kind: "tokens" }>,
  candidate: SplitCandidate,
): Extract<BlockSpec, { kind: "tokens" }> {
  const name = blocks.names[candidate.block];
  const names = [...blocks.names];
  names[candidate.block] = `${name}.1`;
  names.push(`${name}.2`);
  const tokenBlocks = [...blocks.tokenBlocks];
  for (const id of candidate.moved) tokenBlocks[id] = names.length - 1;
  return { ...blocks, names, tokenBlocks };
}

/**
 * The routing after splitting block b (G → G + 1 blocks): rows and columns of the new block copy
 * b's; then the heads that pointed at b are shared between the halves, alternately, so each half
 * gets its own heads (a lone head keeps both).
 */
export function splitRouting(routing: Routing, b: number): Routing {
  const g = routing.blocks;
  const next = g + 1;
  const old = (h: number, a: number, c: number) => routing.targets[(h * g + a) * g + c];
  const targets = new Array<number>(routing.heads * next * next).fill(0);
  const source = (x: number) => (x === g ? b : x);
  for (let h = 0; h < routing.heads; h++)
    for (let a = 0; a < next; a++)
      for (let c = 0; c < next; c++)
        targets[(h * next + a) * next + c] = old(h, source(a), source(c));
  const pointing = [...Array(routing.heads).keys()].filter((h) =>
    [...Array(g).keys()].some((a) => old(h, a, b) === 1),
  );
  if (pointing.length >= 2)
    pointing.forEach((h, i) => {
      const drop = i % 2 === 0 ? g : b; // even: keep the first half; odd: keep the new one
      for (let a = 0; a < next; a++) targets[(h * next + a) * next + drop] = 0;
    });
  return { heads: routing.heads, blocks: next, targets };
}
