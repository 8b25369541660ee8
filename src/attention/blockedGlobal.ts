/**
 * Global causal attention in memory linear in T (docs/math.md#the-local-mean-in-blocks): the
 * queries are taken S at a time, and each query block folds in the keys S at a time with the
 * online softmax of kernels/onlineMean.ts, so no (T, T) array exists: the largest is one (S, S)
 * tile per batch row and head. Key blocks wholly after a query block are skipped (causal), so
 * the work is half the dense product; only the diagonal tiles need a mask.
 *
 * Values equal globalCausalAttention's to float rounding, and so do gradients (autodiff runs
 * through the recurrence). Under differentiation the tiles' weights are kept for the backward
 * pass, so training memory is still O(T²) — one copy instead of dense attention's several;
 * jax-js 0.1.25 has neither custom_vjp nor rematerialization to avoid that. The forward pass
 * alone (evaluation, generation) is O(T·S).
 */
import { np, type JaxArray } from "../engine/engine.js";
import { addKeyBlock, emptyOnlineMean, finishOnlineMean } from "../kernels/onlineMean.js";

/** Tile side S: (S, S) tiles of 512 keep each product large enough to run at full speed. */
export const DEFAULT_TILE = 512;

export interface BlockedOptions {
  strict: boolean;
  /** Additive log-bias broadcastable to (B, H, T, T); sliced tile by tile. */
  bias?: JaxArray;
  tile?: number;
}

/**
 * (rows, columns) causal mask of a diagonal tile whose query and key blocks start together:
 * key j allowed for query i when j ≤ i (strict: j < i). Built on the device from two ranges.
 */
function diagonalMask(rows: number, columns: number, strict: boolean): JaxArray {
  const query = np.arange(rows).reshape([rows, 1]);
  const key = np.arange(columns).reshape([1, columns]);
  return strict ? np.greater(query, key) : np.greaterEqual(query, key);
}

/** Rows [from, to) of axis `axis` when that axis is not broadcast (size 1). */
function sliceAxis(x: JaxArray, axis: number, from: number, to: number): JaxArray {
  if (x.shape[axis] === 1) return x;
  const ranges: [number, number][] = x.shape.map((size) => [0, size]);
  ranges[axis] = [from, to];
  return x.slice(...ranges);
}

/**
 * q, k, v: (B, H, T, E) → (B, H, T, E), the causal softmax-weighted mean of v under
 * q·k/√E (+ bias). A strict first row (no key) gives 0, as in the dense version.
 * Takes ownership of q, k, v and bias.
 */
export function blockedCausalAttention(
  q: JaxArray,
  k: JaxArray,
  v: JaxArray,
  options: BlockedOptions,
): JaxArray {
  const [b, h, t, e] = q.shape;
  const tile = Math.max(1, Math.min(options.tile ?? DEFAULT_TILE, t));
  const scale = 1 / Math.sqrt(e);
  const bias = options.bias;
  const rank = bias?.ndim ?? 0;
  const keysT = k.transpose([0, 1, 3, 2]); // (B, H, E, T)
  const outputs: JaxArray[] = [];
  for (let from = 0; from < t; from += tile) {
    const to = Math.min(from + tile, t);
    const queries = q.ref.slice([], [], [from, to]).mul(scale); // (B, H, S, E)
    const rowBias = bias ? sliceAxis(bias.ref, rank - 2, from, to) : undefined;
    let state = emptyOnlineMean([b, h, to - from], e, q.dtype);
    for (let keyFrom = 0; keyFrom < to; keyFrom += tile) {
      const keyTo = Math.min(keyFrom + tile, t);
      let logits = np.matmul(queries.ref, keysT.ref.slice([], [], [], [keyFrom, keyTo]));
      if (rowBias) logits = logits.add(sliceAxis(rowBias.ref, rank - 1, keyFrom, keyTo));
      const values = v.ref.slice([], [], [keyFrom, keyTo]);
      const allowed =
        keyFrom === from ? diagonalMask(to - from, keyTo - keyFrom, options.strict) : undefined;
      state = addKeyBlock(state, logits, values, allowed);
    }
    queries.dispose();
    rowBias?.dispose();
    const { mean, mass } = finishOnlineMean(state);
    mass.dispose();
    // jax-js defers work until a value is read, and deferred work holds its inputs: outside a
    // trace (jit, grad), run this block now so its tiles are freed before the next block's.
    if (mean instanceof np.Array) mean.ref.dataSync();
    outputs.push(mean);
  }
  q.dispose();
  keysT.dispose();
  v.dispose();
  bias?.dispose();
  return outputs.length === 1 ? outputs[0] : np.concatenate(outputs, 2);
}
