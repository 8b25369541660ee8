/**
 * k-nearest-neighbour selection and the k-NN indicator kernel K(q, k_j) = 1{k_j among the k
 * nearest keys of q} (docs/math.md#k-nearest-neighbours).
 *
 * For keys of up to 16 features a k-d tree on the host finds them (kdTree.ts). Otherwise distances
 * come from the engine (one matrix product per chunk) and the selection runs on the host over the
 * distance rows, because a bounded insertion pass over each row is O(N·k) and, on the Wasm
 * backend, an order of magnitude faster than `lax.topK` (a full sort per row).
 */
import { checkInteger } from "../engine/errors.js";
import { fromHost, np, toFloat64, type JaxArray } from "../engine/engine.js";
import { buildKdTree, searchKdTree } from "./kdTree.js";
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

/** Up to this many features a k-d tree prunes well; past it the engine's matrix product wins. */
const TREE_MAX_DIMS = 16;
/** Below this many keys a brute-force pass is as quick as building a tree. */
const TREE_MIN_KEYS = 512;

/** A nearest-neighbour search over fixed keys, for many query batches. */
export interface NeighbourSearch {
  /** The k nearest keys of each query (Q, D); takes ownership of `queries`. */
  search(queries: JaxArray, k: number): Neighbours;
  /** Releases the keys. */
  dispose(): void;
  /**
   * Whether a search builds the (rows, N) distances (brute force) rather than walking a tree; a
   * caller sizes its query blocks by N only then.
   */
  readonly exhaustive: boolean;
}

/**
 * A search over `keys` (N, D) (takes ownership): a k-d tree on the host for low dimensions and
 * enough keys, else brute force (distances from one engine matrix product per batch, then a
 * bounded selection per row). Both return the same neighbours, ties to the lower index.
 */
export function neighbourSearch(keys: JaxArray): NeighbourSearch {
  const [n, dims] = keys.shape;
  if (dims <= TREE_MAX_DIMS && n >= TREE_MIN_KEYS) {
    const tree = buildKdTree(toFloat64(keys), n, dims);
    return {
      search(queries, k) {
        checkInteger("k", k, 1, n);
        const [rows] = queries.shape;
        const found = searchKdTree(tree, toFloat64(queries), rows, k);
        return { ...found, queries: rows, k };
      },
      dispose() {},
      exhaustive: false,
    };
  }
  return {
    search(queries, k) {
      checkInteger("k", k, 1, n);
      const [rows] = queries.shape;
      const distances = squaredDistances(queries, keys.ref).dataSync();
      return selectSmallest(distances, rows, n, k);
    },
    dispose: () => keys.dispose(),
    exhaustive: true,
  };
}

/** The k nearest keys of each query. queries: (Q, D), keys: (N, D); takes ownership of both. */
export function nearestNeighbours(queries: JaxArray, keys: JaxArray, k: number): Neighbours {
  checkInteger("k", k, 1, keys.shape[0]);
  const search = neighbourSearch(keys);
  try {
    return search.search(queries, k);
  } finally {
    search.dispose();
  }
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
