/**
 * k-nearest-neighbour selection and the k-NN indicator kernel K(q, k_j) = 1{k_j among the k
 * nearest keys of q} (docs/math.md#k-nearest-neighbours).
 *
 * Distances come from the engine (one matrix product per chunk); the selection itself runs on the
 * host over the distance rows, because a bounded insertion pass over each row is O(N·k) and, on
 * the Wasm backend, an order of magnitude faster than `lax.topK` (a full sort per row).
 */
import { checkInteger } from "../engine/errors.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { squaredDistances } from "./distance.js";
import type { LogKernel } from "./logKernel.js";

export interface Neighbours {
  /** (Q·k) row-major: the k nearest key indices of each query, nearest first. */
  readonly indices: Int32Array;
  /** (Q·k) squared Euclidean distances matching `indices`. */
  readonly squaredDistances: Float64Array;
  readonly queries: number;
  readonly k: number;
}

/**
 * Picks the k smallest entries of each row of a (Q, N) distance matrix held on the host.
 * Ties go to the lower key index (the order scikit-learn's brute-force search returns).
 */
export function selectSmallest(
  distances: ArrayLike<number>,
  rows: number,
  columns: number,
  k: number,
): Neighbours {
  checkInteger("k", k, 1, columns);
  const indices = new Int32Array(rows * k);
  const best = new Float64Array(rows * k);
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    const out = row * k;
    let filled = 0;
    for (let column = 0; column < columns; column++) {
      const value = distances[base + column];
      if (filled === k && !(value < best[out + k - 1])) continue;
      // Insertion into the sorted prefix; strict `<` keeps earlier indices ahead on ties.
      let position = filled < k ? filled++ : k - 1;
      while (position > 0 && best[out + position - 1] > value) {
        best[out + position] = best[out + position - 1];
        indices[out + position] = indices[out + position - 1];
        position--;
      }
      best[out + position] = value;
      indices[out + position] = column;
    }
  }
  return { indices, squaredDistances: best, queries: rows, k };
}

/** The k nearest keys of each query. queries: (Q, D), keys: (N, D); takes ownership of both. */
export function nearestNeighbours(queries: JaxArray, keys: JaxArray, k: number): Neighbours {
  const [rows] = queries.shape;
  const [columns] = keys.shape;
  checkInteger("k", k, 1, columns);
  const distances = squaredDistances(queries, keys).dataSync();
  return selectSmallest(distances, rows, columns, k);
}

/** Turns neighbour lists into log-weights: 0 for the k nearest, −∞ elsewhere. → (Q, N) */
export function neighbourLogWeights(
  neighbours: Neighbours,
  keys: number,
  dtype: np.DType,
): JaxArray {
  const logW = new Float64Array(neighbours.queries * keys).fill(-Infinity);
  for (let row = 0; row < neighbours.queries; row++) {
    for (let slot = 0; slot < neighbours.k; slot++) {
      logW[row * keys + neighbours.indices[row * neighbours.k + slot]] = 0;
    }
  }
  return fromHost(logW, [neighbours.queries, keys], dtype);
}

/** The k-NN indicator kernel (uniform weight on the k nearest keys). */
export function nearestNeighbourKernel(k: number): LogKernel {
  checkInteger("k", k, 1);
  return {
    name: `knn(k=${k})`,
    logWeights(queries, keys) {
      const [n] = keys.shape;
      const dtype = keys.dtype;
      return neighbourLogWeights(nearestNeighbours(queries, keys, k), n, dtype);
    },
  };
}
