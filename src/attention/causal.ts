/**
 * Causal attention as a local mean (docs/math.md#attention-as-a-local-mean): each query's output is the softmax-weighted
 * mean of the values, with log-weights
 *
 *   ℓ_ij = q_i·k_j / √d + b_ij   (b an optional additive log-bias; −∞ outside the mask).
 *
 * Shapes: B batch, H heads, T positions, E head width; nb = ⌈T/W⌉ blocks of W positions.
 *
 * - Global causal: keys m ≤ n (or m < n when strict). Cost O(T²).
 * - W-local causal: keys n − W ≤ m ≤ n (strict: n − W ≤ m < n). Computed in blocks: the W queries
 *   of block b see the 2W keys of blocks b−1 and b, so time and memory are O(T·W), not O(T²).
 *
 * A strict row with no allowed key (the first position) has no local mean; its output is 0 and
 * its weights are all 0 (it attends to nothing), rather than NaN.
 */
import { np, type JaxArray } from "../engine/engine.js";
import { kernelWeights } from "../kernels/weightedMean.js";
import { blockedCausalAttention, DEFAULT_TILE } from "./blockedGlobal.js";

/** Settings of causal attention: strict masking, and tiling of global attention. */
export interface AttentionOptions {
  /** Exclude the query's own position (keys m < n). */
  strict: boolean;
  /** Global attention: tiled (linear memory) or dense; default tiled past one tile (T > 512). */
  tiled?: boolean;
}

/** What causal attention returns: the output, and on request the weights and content scores. */
export interface AttentionResult {
  /** (B, H, T, E) */
  output: JaxArray;
  /** Global: (B, H, T, T). Local: (B, H, nb, W, 2W) in block layout (see `denseLocalWeights`). */
  weights?: JaxArray;
  /** Content scores q·k/√E before any bias, in the same layout as `weights`. */
  scores?: JaxArray;
  /** Local heads with visible keys: weights and scores on the keys beyond the window (B, H, nb, W, T). */
  far?: { weights: JaxArray; scores?: JaxArray };
}

/**
 * Extras of an attention call: a log-bias on the logits, and whether to return the weights and the
 * content scores.
 */
export interface InspectOptions {
  /**
   * An additive log-bias on the logits q·k/√E (consumed), broadcastable to the weights' layout: the
   * localizing kernel exp(b) times the content kernel.
   */
  bias?: JaxArray;
  /** Return the attention weights (`weights` of the result). */
  returnWeights?: boolean;
  /** Return the content scores q·k/√E before any bias (`scores` of the result). */
  returnScores?: boolean;
}

/** softmax over the allowed keys (the project's one weighted mean); an empty row is all 0. */
function maskedSoftmax(logits: JaxArray, allowed: JaxArray): JaxArray {
  const { weights, mass } = kernelWeights(logits, { allowed });
  mass.dispose();
  return weights;
}

/** (T, T) boolean: key m allowed for query n. Host-built, a constant under jit. */
export function causalMask(length: number, strict: boolean): JaxArray {
  const allowed = new Int32Array(length * length);
  for (let n = 0; n < length; n++) {
    for (let m = 0; m <= n; m++) if (!strict || m < n) allowed[n * length + m] = 1;
  }
  return np.array(allowed, { dtype: np.int32 }).reshape([length, length]).astype(np.bool);
}

/** Whether global attention over `length` positions runs tiled (./blockedGlobal.ts). */
export function tiledGlobalAttention(length: number): boolean {
  return length > DEFAULT_TILE;
}

/**
 * Global causal attention. q, k, v: (B, H, T, E); bias: broadcastable to (B, H, T, T).
 * Past one tile (T > 512) and when no weights are asked for, it runs tiled, in memory linear in T
 * (./blockedGlobal.ts): the same values, without the (T, T) arrays.
 * Takes ownership of q, k, v and bias.
 */
export function globalCausalAttention(
  q: JaxArray,
  k: JaxArray,
  v: JaxArray,
  options: AttentionOptions & InspectOptions,
): AttentionResult {
  const [, , t, e] = q.shape;
  const tiled = options.tiled ?? tiledGlobalAttention(t);
  if (tiled && !options.returnWeights && !options.returnScores) {
    return { output: blockedCausalAttention(q, k, v, options) };
  }
  let logits = np.matmul(q, k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(e)); // (B, H, T, T)
  const scores = options.returnScores ? logits.ref : undefined;
  if (options.bias) logits = logits.add(options.bias);
  const weights = maskedSoftmax(logits, causalMask(t, options.strict));
  const output = np.matmul(weights.ref, v); // (B, H, T, E)
  return finish(output, weights, scores, options.returnWeights);
}

function finish(
  output: JaxArray,
  weights: JaxArray,
  scores: JaxArray | undefined,
  returnWeights: boolean | undefined,
): AttentionResult {
  const result: AttentionResult = { output };
  if (returnWeights) result.weights = weights;
  else weights.dispose();
  if (scores) result.scores = scores;
  return result;
}

/** Number of blocks and padded length for window W. */
export function blockLayout(length: number, window: number): { blocks: number; padded: number } {
  const blocks = Math.ceil(length / window);
  return { blocks, padded: blocks * window };
}

/**
 * (nb, W, 2W) boolean mask of the block layout: query i of block b (position bW + i) may see key
 * j of the block pair (position (b−1)W + j) when 0 ≤ offset ≤ W (strict: 1 ≤ offset ≤ W), with
 * offset = W + i − j, and the key position is ≥ 0.
 */
export function localBlockMask(length: number, window: number, strict: boolean): JaxArray {
  const { blocks } = blockLayout(length, window);
  const w = window;
  const allowed = new Int32Array(blocks * w * 2 * w);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < w; i++) {
      for (let j = 0; j < 2 * w; j++) {
        const offset = w + i - j;
        const keyPosition = (b - 1) * w + j;
        const ok = offset >= (strict ? 1 : 0) && offset <= w && keyPosition >= 0;
        if (ok) allowed[(b * w + i) * 2 * w + j] = 1;
      }
    }
  }
  return np
    .array(allowed, { dtype: np.int32 })
    .reshape([blocks, w, 2 * w])
    .astype(np.bool);
}

/** Pads axis 2 (positions) of (B, H, T, ·) with zeros to `padded`. Takes ownership. */
function padPositions(x: JaxArray, padded: number): JaxArray {
  const t = x.shape[2];
  if (padded === t) return x;
  return np.pad(x, [
    [0, 0],
    [0, 0],
    [0, padded - t],
    [0, 0],
  ]);
}

/**
 * Per-key tensor (B, H, T, F) in the local block layout (B, H, nb, 2W, F): block b holds the keys of
 * blocks b−1 and b (zeros before the start). Takes ownership.
 */
export function localKeyBlocks(x: JaxArray, window: number): JaxArray {
  const [b, h, t, f] = x.shape;
  const { blocks, padded } = blockLayout(t, window);
  const current = padPositions(x, padded).reshape([b, h, blocks, window, f]);
  const previous = np
    .pad(current.ref, [
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 0],
      [0, 0],
    ])
    .slice([], [], [0, blocks]); // block b−1 at index b
  return np.concatenate([previous, current], 3); // (B, H, nb, 2W, F)
}

/** Per-query tensor (B, H, T, F) in block layout (B, H, nb, W, F). Takes ownership. */
export function localQueryBlocks(x: JaxArray, window: number): JaxArray {
  const [b, h, t, f] = x.shape;
  const { blocks, padded } = blockLayout(t, window);
  return padPositions(x, padded).reshape([b, h, blocks, window, f]);
}

/**
 * (nb, W, T) 1 where key m lies before the window of query n = bW + i (m < n − W): the keys a
 * visible (anchor) key may add to a local head. Host-built, a constant under jit.
 */
export function beyondWindowMask(length: number, window: number): JaxArray {
  const { blocks } = blockLayout(length, window);
  const beyond = new Float32Array(blocks * window * length);
  for (let n = 0; n < blocks * window; n++)
    for (let m = 0; m < Math.min(length, n - window); m++) beyond[n * length + m] = 1;
  return np.array(beyond, { dtype: np.float32 }).reshape([blocks, window, length]);
}

/**
 * W-local causal attention in O(T·W). q, k, v: (B, H, T, E); bias in block layout, broadcastable
 * to (B, H, nb, W, 2W). With `visible` (B, T), a key flagged 1 is also seen by every query beyond
 * its window (Longformer's global tokens, docs/math.md#anchors): those keys join the same softmax
 * without bias, at a cost of O(T²) for this part. Takes ownership of q, k, v, bias and visible.
 */
export function localCausalAttention(
  q: JaxArray,
  k: JaxArray,
  v: JaxArray,
  options: AttentionOptions & InspectOptions & { window: number; visible?: JaxArray },
): AttentionResult {
  const [b, h, t, e] = q.shape;
  const w = options.window;
  const { blocks: nb, padded } = blockLayout(t, w);
  const visible = options.visible;
  const farKeys = visible ? k.ref.reshape([b, h, 1, t, e]) : undefined;
  const farValues = visible ? v.ref.reshape([b, h, 1, t, e]) : undefined;
  const qb = localQueryBlocks(q, w); // (B, H, nb, W, E)
  const kb = localKeyBlocks(k, w); // (B, H, nb, 2W, E)
  const vb = localKeyBlocks(v, w); // (B, H, nb, 2W, E)
  let logits = np.matmul(qb.ref, kb.transpose([0, 1, 2, 4, 3])).mul(1 / Math.sqrt(e)); // (B, H, nb, W, 2W)
  const scores = options.returnScores ? logits.ref : undefined;
  if (options.bias) logits = logits.add(options.bias);
  let allowed = localBlockMask(t, w, options.strict);
  if (!visible || !farKeys || !farValues) {
    qb.dispose();
    const weights = maskedSoftmax(logits, allowed);
    let output = np.matmul(weights.ref, vb).reshape([b, h, padded, e]); // (B, H, T', E)
    if (padded !== t) output = output.slice([], [], [0, t]);
    return finish(output, weights, scores, options.returnWeights);
  }
  // Keys beyond the window that are visible: (B, 1, nb, W, T).
  const farAllowed = np.greater(beyondWindowMask(t, w).mul(visible.reshape([b, 1, 1, 1, t])), 0.5);
  const farLogits = np.matmul(qb, farKeys.transpose([0, 1, 2, 4, 3])).mul(1 / Math.sqrt(e)); // (B, H, nb, W, T)
  const farScores = options.returnScores ? farLogits.ref : undefined;
  allowed = np.broadcastTo(allowed, [b, 1, nb, w, 2 * w]);
  const joint = maskedSoftmax(
    np.concatenate([logits, farLogits], 4),
    np.concatenate([allowed, farAllowed], 4),
  ); // (B, H, nb, W, 2W + T)
  const near = joint.ref.slice([], [], [], [], [0, 2 * w]);
  const far = joint.slice([], [], [], [], [2 * w, 2 * w + t]);
  let output = np
    .matmul(near.ref, vb)
    .add(np.matmul(far.ref, farValues))
    .reshape([b, h, padded, e]);
  if (padded !== t) output = output.slice([], [], [0, t]);
  const result = finish(output, near, scores, options.returnWeights);
  if (options.returnWeights)
    result.far = { weights: far, ...(farScores ? { scores: farScores } : {}) };
  else {
    far.dispose();
    farScores?.dispose();
  }
  return result;
}

/**
 * Expands block-layout weights (nb, W, 2W) of one row set to dense (T, T) on the host.
 * weights: a host copy of (B, H, nb, W, 2W); returns (B, H, T, T) row-major.
 */
export function denseLocalWeights(
  weights: ArrayLike<number>,
  shape: { batch: number; heads: number; length: number; window: number },
): Float64Array {
  const { batch, heads, length: t, window: w } = shape;
  const { blocks } = blockLayout(t, w);
  const dense = new Float64Array(batch * heads * t * t);
  for (let bh = 0; bh < batch * heads; bh++) {
    for (let blk = 0; blk < blocks; blk++) {
      for (let i = 0; i < w; i++) {
        const n = blk * w + i;
        if (n >= t) continue;
        for (let j = 0; j < 2 * w; j++) {
          const m = (blk - 1) * w + j;
          if (m < 0 || m >= t) continue;
          dense[(bh * t + n) * t + m] = weights[((bh * blocks + blk) * w + i) * 2 * w + j];
        }
      }
    }
  }
  return dense;
}
